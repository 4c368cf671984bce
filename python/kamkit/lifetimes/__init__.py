"""Drop-in replacement for the lifetimes package (0.11.3): change the import.

    from kamkit.lifetimes import BetaGeoFitter, GammaGammaFitter
    from kamkit.lifetimes.utils import summary_data_from_transaction_data

Every module path of lifetimes exists here (``fitters.beta_geo_fitter``,
``utils``, ``plotting``, ``generate_data``, ``datasets``). The fitters keep
lifetimes' constructor and method signatures, attributes and return types;
they are thin subclasses of kamkit's native models, so the numbers come from
kamkit's C++ core.

Deliberate differences: the fits take Newton (trust-region) steps on the
analytic Hessian of lifetimes' own objective and reach its maximum more
tightly; ``variance_matrix_`` is the delta-method transform of the
log-parameter covariance (available for Pareto/NBD too); predictions stay
finite for heavy buyers; ``GammaGammaFitter`` leaves customers without
repeat purchases or with non-positive spend out of the fit with a warning
instead of raising; models are saved with pickle instead of dill.
``__version__`` is the lifetimes release this API follows.
"""

from __future__ import annotations

from . import datasets as datasets
from . import fitters as fitters
from . import generate_data as generate_data
from . import plotting as plotting
from . import utils as utils
from .fitters import BaseFitter
from .fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter
from .fitters.beta_geo_fitter import BetaGeoFitter
from .fitters.gamma_gamma_fitter import GammaGammaFitter
from .fitters.modified_beta_geo_fitter import ModifiedBetaGeoFitter
from .fitters.pareto_nbd_fitter import ParetoNBDFitter
from .utils import (
    ConvergenceError,
    calibration_and_holdout_data,
    summary_data_from_transaction_data,
)
from .version import __version__ as __version__

__all__ = [
    "BaseFitter",
    "BetaGeoBetaBinomFitter",
    "BetaGeoFitter",
    "ConvergenceError",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "calibration_and_holdout_data",
    "summary_data_from_transaction_data",
]
