"""lifetimes' ``BetaGeoFitter`` (BG/NBD) on kamkit's :class:`~kamkit.BetaGeo`."""

from __future__ import annotations

from typing import Any, ClassVar

from ...models import BetaGeo
from ..generate_data import beta_geometric_nbd_model
from ._rfm import _rfm_negative_log_likelihood, _RfmFitter

__all__ = ["BetaGeoFitter"]


class BetaGeoFitter(_RfmFitter, BetaGeo):  # type: ignore[misc]
    """BG/NBD model with lifetimes' interface; parameters ``r``, ``alpha``, ``a``, ``b``.

    The likelihood, its derivatives and every prediction run in kamkit's C++
    core; the fit takes Newton steps on the analytic Hessian of lifetimes'
    objective (the mean negative log-likelihood of the time-scaled data plus
    ``penalizer_coef * sum(params**2)``).

    Parameters
    ----------
    penalizer_coef : float, default 0

    Examples
    --------
    >>> from kamkit.lifetimes import BetaGeoFitter
    >>> from kamkit.lifetimes.datasets import load_cdnow_summary
    >>> data = load_cdnow_summary(index_col=[0])
    >>> bgf = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    >>> bgf.params_.round(3).tolist()
    [0.243, 4.414, 0.793, 2.426]
    """

    _native: ClassVar[type] = BetaGeo
    _simulator: ClassVar[Any] = staticmethod(beta_geometric_nbd_model)

    def fit(  # type: ignore[override]
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        weights: Any = None,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-7,
        index: Any = None,
        **kwargs: Any,
    ) -> BetaGeoFitter:
        """Fit as lifetimes does (same arguments; ``initial_params`` are log-parameters).

        ``tol`` is the optimiser's tolerance on the gradient of lifetimes'
        objective, ``verbose`` prints the convergence, and ``maxiter`` (in
        ``kwargs``) caps the Newton iterations.

        Returns
        -------
        self
        """
        return self._fit_rfm(
            frequency, recency, T, weights, initial_params, verbose, tol, index, kwargs
        )

    @staticmethod
    def _negative_log_likelihood(
        log_params: Any, freq: Any, rec: Any, T: Any, weights: Any, penalizer_coef: float
    ) -> float:
        """Lifetimes' objective at ``log_params`` (computed by kamkit's core)."""
        return _rfm_negative_log_likelihood(
            "bg_nbd", log_params, freq, rec, T, weights, penalizer_coef
        )
