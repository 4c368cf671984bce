"""kamkit: key-account management analytics on transaction logs.

From a transaction log in pandas, kamkit builds the customer archive
(客户档案), scores and tiers customers, follows their lifecycle and estimates
their lifetime value. The numeric work runs in a C++ core.
"""

from __future__ import annotations

from . import datasets
from ._validation import MissingValuesWarning
from .archive import calibration_holdout, summarize
from .lifecycle import (
    STAGES,
    WARNING_REASONS,
    MarkovChain,
    Transitions,
    early_warning,
    lifecycle_stages,
    period_panel,
    phase_out_candidates,
    stage_strategies,
    tier_history,
    transitions,
    update_panel,
    upgrade_candidates,
)

__version__ = "0.1.0"

__all__ = [
    "STAGES",
    "WARNING_REASONS",
    "MarkovChain",
    "MissingValuesWarning",
    "Transitions",
    "__version__",
    "calibration_holdout",
    "datasets",
    "early_warning",
    "lifecycle_stages",
    "period_panel",
    "phase_out_candidates",
    "stage_strategies",
    "summarize",
    "tier_history",
    "transitions",
    "update_panel",
    "upgrade_candidates",
]
