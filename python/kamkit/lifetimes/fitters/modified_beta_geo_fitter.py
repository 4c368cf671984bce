"""lifetimes' ``ModifiedBetaGeoFitter`` (MBG/NBD) on kamkit's :class:`~kamkit.ModifiedBetaGeo`."""

from __future__ import annotations

from typing import Any, ClassVar

from ...models import ModifiedBetaGeo
from ..generate_data import modified_beta_geometric_nbd_model
from ._rfm import _rfm_negative_log_likelihood, _RfmFitter

__all__ = ["ModifiedBetaGeoFitter"]


class ModifiedBetaGeoFitter(_RfmFitter, ModifiedBetaGeo):  # type: ignore[misc]
    """MBG/NBD model with lifetimes' interface; parameters ``r``, ``alpha``, ``a``, ``b``.

    Examples
    --------
    >>> from kamkit.lifetimes import ModifiedBetaGeoFitter
    >>> from kamkit.lifetimes.datasets import load_cdnow_summary
    >>> data = load_cdnow_summary(index_col=[0])
    >>> m = ModifiedBetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    >>> m.params_.round(3).tolist()
    [0.525, 6.183, 0.891, 1.614]
    """

    _native: ClassVar[type] = ModifiedBetaGeo
    _simulator: ClassVar[Any] = staticmethod(modified_beta_geometric_nbd_model)

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
    ) -> ModifiedBetaGeoFitter:
        """Fit as lifetimes does (see :meth:`BetaGeoFitter.fit`).

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
            "mbg_nbd", log_params, freq, rec, T, weights, penalizer_coef
        )
