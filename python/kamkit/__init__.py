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
from .scoring import (
    CRITERIA,
    SEGMENT_MAPS,
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

__version__ = "0.1.0"

__all__ = [
    "BetaGeo",
    "BetaGeoBetaBinom",
    "ConvergenceWarning",
    "GammaGamma",
    "CRITERIA",
    "LABEL_SETS",
    "SEGMENT_MAPS",
    "TIER_SCHEMES",
    "Assignment",
    "Concentration",
    "KMeansSegments",
    "MissingValuesWarning",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "SpendExclusionWarning",
    "__version__",
    "assign_managers",
    "attach_policies",
    "calibration_holdout",
    "concentration",
    "datasets",
    "default_criteria",
    "kmeans_segments",
    "profitability",
    "pyramid",
    "quadrant",
    "register_criterion",
    "register_label_set",
    "register_segment_map",
    "register_tier_scheme",
    "rfm_scores",
    "segment_map_from_grid",
    "service_policies",
    "summarize",
    "tier_by_thresholds",
    "value_score",
]
