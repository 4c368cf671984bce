"""kamkit: key-account management analytics on transaction logs.

From a transaction log in pandas, kamkit builds the customer archive
(客户档案), scores and tiers customers, follows their lifecycle and estimates
their lifetime value. The numeric work runs in a C++ core.
"""

from __future__ import annotations

from . import datasets
from ._validation import MissingValuesWarning
from .archive import calibration_holdout, summarize
from .models import (
    BetaGeo,
    BetaGeoBetaBinom,
    ConvergenceWarning,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    SpendExclusionWarning,
)

__version__ = "0.1.0"

__all__ = [
    "BetaGeo",
    "BetaGeoBetaBinom",
    "ConvergenceWarning",
    "GammaGamma",
    "MissingValuesWarning",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "SpendExclusionWarning",
    "__version__",
    "calibration_holdout",
    "datasets",
    "summarize",
]
