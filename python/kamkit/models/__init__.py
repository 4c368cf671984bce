"""Probabilistic customer-base models ("buy till you die") and lifetime value.

Transaction models: :class:`BetaGeo` (BG/NBD), :class:`ModifiedBetaGeo`
(MBG/NBD), :class:`ParetoNBD` and :class:`BetaGeoBetaBinom` (BG/BB, discrete
time); spend model: :class:`GammaGamma`. All are fitted by maximum likelihood
on a C++ objective with analytic gradient and Hessian.
"""

from __future__ import annotations

from ._base import BaseModel, BoundaryFitWarning, ConvergenceWarning, FitError, RfmModel
from .bg_bb import BetaGeoBetaBinom
from .bg_nbd import BetaGeo, ModifiedBetaGeo
from .gamma_gamma import GammaGamma, SpendExclusionWarning
from .pareto_nbd import ParetoNBD

__all__ = [
    "BaseModel",
    "BetaGeo",
    "BetaGeoBetaBinom",
    "BoundaryFitWarning",
    "ConvergenceWarning",
    "FitError",
    "GammaGamma",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "RfmModel",
    "SpendExclusionWarning",
]
