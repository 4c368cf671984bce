"""lifetimes' ``GammaGammaFitter`` on kamkit's :class:`~kamkit.GammaGamma`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._native import core as _core
from ...models import GammaGamma
from ..utils import _customer_lifetime_value
from . import _check_options, _KamkitFitter

__all__ = ["GammaGammaFitter"]


class GammaGammaFitter(_KamkitFitter, GammaGamma):
    """Gamma-Gamma spend model with lifetimes' interface; parameters ``p``, ``q``, ``v``.

    Customers without repeat purchases or with ``monetary_value <= 0`` are
    left out of the fit with a warning (lifetimes raised on them).

    Examples
    --------
    >>> from kamkit.lifetimes import GammaGammaFitter
    >>> from kamkit.lifetimes.datasets import load_cdnow_summary_data_with_monetary_value
    >>> data = load_cdnow_summary_data_with_monetary_value()
    >>> buyers = data[data["frequency"] > 0]
    >>> gg = GammaGammaFitter().fit(buyers["frequency"], buyers["monetary_value"])
    >>> gg.params_.round(2).tolist()
    [6.25, 3.74, 15.45]
    """

    _simulator_first = None

    def _core_data(self, data: pd.DataFrame) -> Any:
        x = data["frequency"].to_numpy(dtype=float)
        m = data["monetary_value"].to_numpy(dtype=float)
        w = data["weights"].to_numpy(dtype=float)
        keep = (x > 0) & (m > 0)
        return _core.SpendData(*(np.ascontiguousarray(v[keep]) for v in (x, m, w)))

    def fit(  # type: ignore[override]
        self,
        frequency: Any,
        monetary_value: Any,
        weights: Any = None,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-7,
        index: Any = None,
        q_constraint: bool = False,
        **kwargs: Any,
    ) -> GammaGammaFitter:
        """Fit as lifetimes does (``initial_params`` are log-parameters).

        ``q_constraint=True`` keeps ``q >= 1`` (a finite population mean spend).

        Returns
        -------
        self
        """
        frequency = np.asarray(frequency).astype(float)
        monetary_value = np.asarray(monetary_value).astype(float)
        w = np.ones_like(frequency, dtype=int) if weights is None else np.asarray(weights)
        maxiter, disp = _check_options(kwargs)
        start = None if initial_params is None else np.exp(np.asarray(initial_params, dtype=float))
        self.penalizer = self.penalizer_coef

        def native(s: Any) -> None:
            GammaGamma.fit(self, frequency, monetary_value, w, initial_params=s)

        def for_scipy() -> Any:
            keep = (frequency > 0) & (monetary_value > 0)
            return _core.SpendData(
                np.ascontiguousarray(frequency[keep]),
                np.ascontiguousarray(monetary_value[keep]),
                np.ascontiguousarray(np.asarray(w, dtype=float)[keep]),
            )

        self._run_fit(native, for_scipy, start, tol, maxiter)
        if q_constraint and self.params_["q"] < 1.0:
            bounds = [(None, None), (0.0, None), (None, None)]  # log q >= 0
            self._run_fit(
                native,
                for_scipy,
                np.maximum(self.params_.to_numpy(), [1e-3, 1.0, 1e-3]),
                tol,
                maxiter,
                method="L-BFGS-B",
                bounds=bounds,
            )
        self.params_ = pd.Series(self.params_.to_numpy(dtype=float), index=list(self._param_names))
        self._negative_log_likelihood_ = (
            -self.log_likelihood_ / self._total_weight
            + self.penalizer_coef * float(np.sum(self.params_.to_numpy() ** 2))
        )
        self.data = pd.DataFrame(
            {"monetary_value": monetary_value, "frequency": frequency, "weights": w}, index=index
        )
        self._report(verbose or disp)
        return self

    @staticmethod
    def _negative_log_likelihood(
        log_params: Any,
        frequency: Any,
        avg_monetary_value: Any,
        weights: Any,
        penalizer_coef: float,
    ) -> float:
        """Lifetimes' objective at ``log_params`` (kamkit's core)."""
        log_params = np.asarray(log_params, dtype=float)
        x, m, w = np.broadcast_arrays(
            *(
                np.atleast_1d(np.asarray(v, dtype=float))
                for v in (frequency, avg_monetary_value, weights)
            )
        )
        data = _core.SpendData(*(np.ascontiguousarray(v) for v in (x, m, w)))
        value = _core.gamma_gamma_loglik(np.ascontiguousarray(log_params), data, 0)[0]
        return -value / float(np.sum(w)) + penalizer_coef * float(np.sum(np.exp(log_params) ** 2))

    def conditional_expected_average_profit(
        self, frequency: Any = None, monetary_value: Any = None
    ) -> Any:
        """Expected mean profit per transaction (lifetimes' name; defaults to the fitted data).

        Returns
        -------
        Series (for Series input), ndarray or float
        """
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
        if frequency is None:
            frequency = self.data["frequency"]
        return self.conditional_expected_average_spend(frequency, monetary_value)

    def customer_lifetime_value(  # type: ignore[override]
        self,
        transaction_prediction_model: Any,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: str = "D",
    ) -> pd.Series:
        """Lifetimes' discrete CLV with this model's expected spend.

        Returns
        -------
        Series
            Named ``clv``.
        """
        spend = self.conditional_expected_average_profit(frequency, monetary_value)
        return _customer_lifetime_value(
            transaction_prediction_model, frequency, recency, T, spend, time, discount_rate, freq
        )
