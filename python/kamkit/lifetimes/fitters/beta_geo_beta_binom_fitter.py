"""lifetimes' ``BetaGeoBetaBinomFitter`` (BG/BB) on kamkit's :class:`~kamkit.BetaGeoBetaBinom`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._native import core as _core
from ...models import BetaGeoBetaBinom
from ..generate_data import beta_geometric_beta_binom_model
from . import _check_options, _KamkitFitter, _NewData

__all__ = ["BetaGeoBetaBinomFitter"]


class BetaGeoBetaBinomFitter(_KamkitFitter, BetaGeoBetaBinom):
    """BG/BB model with lifetimes' interface; parameters ``alpha``, ``beta``, ``gamma``, ``delta``.

    Examples
    --------
    >>> from kamkit.lifetimes import BetaGeoBetaBinomFitter
    >>> from kamkit.lifetimes.datasets import load_donations
    >>> d = load_donations()
    >>> m = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], d["weights"])
    >>> m.params_.round(3).tolist()
    [1.204, 0.75, 0.657, 2.783]
    """

    _data_columns = ("frequency", "recency", "n_periods", "weights")
    _simulator_first = "n_periods"
    _simulator = staticmethod(beta_geometric_beta_binom_model)

    def fit(  # type: ignore[override]
        self,
        frequency: Any,
        recency: Any,
        n_periods: Any,
        weights: Any = None,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-7,
        index: Any = None,
        **kwargs: Any,
    ) -> BetaGeoBetaBinomFitter:
        """Fit as lifetimes does (``initial_params`` are log-parameters).

        Returns
        -------
        self
        """
        frequency = np.asarray(frequency).astype(int)
        recency = np.asarray(recency).astype(int)
        n_periods = np.asarray(n_periods).astype(int)
        w = np.ones_like(recency) if weights is None else np.asarray(weights)
        maxiter, disp = _check_options(kwargs)
        start = None if initial_params is None else np.exp(np.asarray(initial_params, dtype=float))
        self.penalizer = self.penalizer_coef
        arrays = [np.ascontiguousarray(v, dtype=float) for v in (frequency, recency, n_periods, w)]
        self._run_fit(
            lambda s: BetaGeoBetaBinom.fit(self, *arrays, initial_params=s),
            lambda: _core.RfmData(*arrays),
            start,
            tol,
            maxiter,
        )
        self.params_ = pd.Series(self.params_.to_numpy(dtype=float), index=list(self._param_names))
        self._negative_log_likelihood_ = (
            -self.log_likelihood_ / self._total_weight
            + self.penalizer_coef * float(np.sum(self.params_.to_numpy() ** 2))
        )
        self.data = pd.DataFrame(
            {"frequency": frequency, "recency": recency, "n_periods": n_periods, "weights": w},
            index=index,
        )
        self.generate_new_data = _NewData(self, self._simulator, self._param_names, n_periods)
        self._report(verbose or disp)
        return self

    @staticmethod
    def _negative_log_likelihood(
        log_params: Any,
        frequency: Any,
        recency: Any,
        n_periods: Any,
        weights: Any,
        penalizer_coef: float = 0,
    ) -> float:
        """Lifetimes' objective at ``log_params`` (kamkit's core)."""
        log_params = np.asarray(log_params, dtype=float)
        arrays = np.broadcast_arrays(
            *(
                np.atleast_1d(np.asarray(v, dtype=float))
                for v in (frequency, recency, n_periods, weights)
            )
        )
        data = _core.RfmData(*(np.ascontiguousarray(v) for v in arrays))
        value = _core.bg_bb_loglik(np.ascontiguousarray(log_params), data, 0)[0]
        return -value / float(np.sum(arrays[3])) + penalizer_coef * float(
            np.sum(np.exp(log_params) ** 2)
        )

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Expected transactions in the next ``m_periods_in_future`` periods (lifetimes' name)."""
        return self.conditional_expected_purchases(
            m_periods_in_future, frequency, recency, n_periods
        )

    def conditional_probability_alive(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """P(alive in period ``n_periods + m_periods_in_future``) (lifetimes' name)."""
        return self.probability_alive(frequency, recency, n_periods, m_periods_in_future)

    def expected_number_of_transactions_in_first_n_periods(self, n: int) -> pd.DataFrame:
        """Expected number of customers with 0..n transactions in the first ``n`` periods.

        Returns
        -------
        DataFrame
            Column ``model``, indexed by ``frequency`` 0..n.
        """
        x = np.arange(int(n) + 1, dtype=float)
        p = np.asarray(self.probability_of_purchases(x, float(n)), dtype=float)
        total = float(np.sum(self.data["weights"]))
        return pd.DataFrame(
            p * total, index=pd.Index(np.arange(int(n) + 1), name="frequency"), columns=["model"]
        )
