"""kamkit: key-account management analytics on transaction logs.

From a transaction log in pandas, kamkit builds the customer archive
(客户档案), scores and tiers customers, follows their lifecycle and estimates
their lifetime value. The numeric work runs in a C++ core.
"""

from __future__ import annotations

import sys

from . import datasets
from ._threads import get_num_threads, set_num_threads
from ._validation import MissingValuesWarning
from ._version import __version__
from .archive import calibration_holdout, summarize
from .backtest import backtest
from .lifecycle import (
    STAGES,
    WARNING_REASONS,
    InsufficientHistoryWarning,
    MarkovChain,
    StageRules,
    Transitions,
    decline_risk,
    early_warning,
    lifecycle_stages,
    period_panel,
    phase_out_candidates,
    register_warning_reason,
    stage_strategies,
    tier_history,
    transitions,
    update_panel,
    upgrade_candidates,
)
from .models import (
    BetaGeo,
    BetaGeoBetaBinom,
    ConvergenceWarning,
    FitError,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    SpendExclusionWarning,
)
from .models.selection import select_model
from .scoring import (
    CRITERIA,
    SEGMENT_MAPS,
    MissingCriterionWarning,
    default_criteria,
    profitability,
    register_criterion,
    register_segment_map,
    rfm_scores,
    segment_map_from_grid,
    value_score,
)
from .service import Assignment, assign_managers, attach_policies, service_policies
from .tiering import (
    LABEL_SETS,
    TIER_SCHEMES,
    Concentration,
    KMeansSegments,
    concentration,
    kmeans_segments,
    pyramid,
    quadrant,
    register_label_set,
    register_tier_scheme,
    tier_by_thresholds,
)

__all__ = [
    "CRITERIA",
    "LABEL_SETS",
    "SEGMENT_MAPS",
    "MissingCriterionWarning",
    "STAGES",
    "TIER_SCHEMES",
    "WARNING_REASONS",
    "Assignment",
    "BetaGeo",
    "BetaGeoBetaBinom",
    "Concentration",
    "ConvergenceWarning",
    "FitError",
    "GammaGamma",
    "InsufficientHistoryWarning",
    "KMeansSegments",
    "MarkovChain",
    "MissingValuesWarning",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "SpendExclusionWarning",
    "StageRules",
    "Transitions",
    "__version__",
    "assign_managers",
    "attach_policies",
    "backtest",
    "calibration_holdout",
    "concentration",
    "datasets",
    "default_criteria",
    "decline_risk",
    "early_warning",
    "kmeans_segments",
    "lifecycle_stages",
    "period_panel",
    "phase_out_candidates",
    "profitability",
    "pyramid",
    "quadrant",
    "register_criterion",
    "register_label_set",
    "register_segment_map",
    "register_tier_scheme",
    "register_warning_reason",
    "rfm_scores",
    "segment_map_from_grid",
    "select_model",
    "service_policies",
    "stage_strategies",
    "summarize",
    "get_num_threads",
    "set_num_threads",
    "tier_by_thresholds",
    "tier_history",
    "transitions",
    "update_panel",
    "upgrade_candidates",
    "value_score",
]

from . import _display  # noqa: E402

_display.install(sys.modules[__name__])
