"""Gamma-Gamma model of the spend per transaction."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._deprecation import renamed
from .._native import core as _core
from .._validation import check_clv_time, check_frame, dask_hook, is_dask
from ._base import _CLV_FACTORS, BaseModel, RfmModel, _as_arrays, _dask_predict, _wrap

__all__ = ["GammaGamma", "SpendExclusionWarning"]


class SpendExclusionWarning(UserWarning):
    """Customers without repeat purchases or with a mean spend <= 0 were left out of a fit.

    They carry no information on the spend per transaction (or break the
    model's positive-spend assumption); their predictions use the population
    mean spend.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> import warnings
    >>> summary = kamkit.summarize(log, amount="amount", time_unit="W")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     spend = kamkit.GammaGamma().fit(summary)
    >>> caught[0].category is kamkit.SpendExclusionWarning
    True
    """


class GammaGamma(BaseModel):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Hardie's note 025).

    A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, v),
    independent of the purchase process. Fitted on the mean repeat-purchase
    value of the customers with repeat purchases.

    **Zero and negative spend.** Customers with ``frequency == 0`` or
    ``monetary_value <= 0`` are excluded from the fit, with a
    :class:`SpendExclusionWarning` giving their number; their expected
    average spend is the population mean ``v p / (q - 1)``. Nothing raises
    and nothing becomes NaN.

    Parameters
    ----------
    penalizer, tol, max_iter
        As in :class:`kamkit.BetaGeo`.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> cal = kamkit.summarize(log, amount="amount", observation_end="1997-09-30")
    >>> gg = kamkit.GammaGamma().fit(cal)  # doctest: +SKIP
    """

    _core_name: ClassVar[str] = "gamma_gamma"
    _param_names: ClassVar[tuple[str, ...]] = ("p", "q", "v")
    _display_name: ClassVar[str] = "Gamma-Gamma"

    def _initial_params(self, data: Any) -> np.ndarray:
        return np.array([1.0, 2.0, max(getattr(self, "_mean_spend", 1.0), 1e-8)])

    @staticmethod
    def _spend_inputs(
        frequency: Any, monetary_value: Any, extra: dict[str, Any] | None = None
    ) -> tuple[list[np.ndarray], pd.Index | None, bool]:
        if isinstance(frequency, pd.DataFrame):
            frame = check_frame(frequency, "summary")
            for c in ("frequency", "monetary_value"):
                if c not in frame.columns:
                    raise ValueError(
                        f"summary: expected a {c!r} column; build the summary with "
                        "kamkit.summarize(..., amount=...) or pass the arrays"
                    )
            frequency, monetary_value = frame["frequency"], frame["monetary_value"]
        if monetary_value is None:
            raise TypeError("expected frequency and monetary_value, or one summary DataFrame")
        values = {"frequency": frequency, "monetary_value": monetary_value, **(extra or {})}
        return _as_arrays(values)

    def fit(
        self,
        frequency: Any,
        monetary_value: Any = None,
        weights: Any = None,
        *,
        initial_params: Any = None,
    ) -> GammaGamma:
        """Fit the spend model.

        Parameters
        ----------
        frequency : array-like or DataFrame
            Repeat purchases per customer, or a summary frame with
            ``frequency`` and ``monetary_value``.
        monetary_value : array-like, optional
            Mean value of the repeat purchases.
        weights : array-like, optional
            Customers per row.
        initial_params : array-like, optional
            Starting ``p``, ``q``, ``v``.

        Returns
        -------
        self

        Warns
        -----
        SpendExclusionWarning
            When customers are excluded (see the class docstring).
        """
        if is_dask(frequency):
            return dask_hook("fit_spend")(self, frequency, weights, initial_params)
        (x, m), _, _ = self._spend_inputs(frequency, monetary_value)
        w = None
        if weights is not None:
            (w,), _, _ = _as_arrays({"weights": weights})
            if len(w) != len(x) or np.any(w < 0):
                raise ValueError(f"weights: expected {len(x)} counts >= 0")
        bad = (x < 0) | (x != np.floor(x))
        if bad.any():
            raise ValueError(
                f"column 'frequency': expected non-negative whole numbers, found "
                f"{int(bad.sum())} rows that are not"
            )
        no_repeat = x == 0
        nonpositive = (x > 0) & (m <= 0)
        keep = ~(no_repeat | nonpositive)
        if not keep.any():
            raise ValueError(
                "GammaGamma.fit: no customer with repeat purchases and a positive monetary_value "
                f"({int(no_repeat.sum())} without repeat purchases, {int(nonpositive.sum())} "
                "with monetary_value <= 0); the spend model needs some"
            )
        self.n_excluded_ = {
            "no_repeat_purchases": int(no_repeat.sum()),
            "nonpositive_spend": int(nonpositive.sum()),
        }
        if nonpositive.any() or no_repeat.any():
            warnings.warn(
                f"GammaGamma.fit: left out {int(no_repeat.sum())} customers without repeat "
                f"purchases and {int(nonpositive.sum())} with monetary_value <= 0; their "
                "expected average spend is the population mean",
                SpendExclusionWarning,
                stacklevel=2,
            )
        xs, ms = np.ascontiguousarray(x[keep]), np.ascontiguousarray(m[keep])
        ws = None if w is None else np.ascontiguousarray(w[keep])
        data = _core.SpendData(xs, ms, ws)
        self._mean_spend = float(np.average(ms, weights=ws))
        self._fit_data(data, initial_params)
        return self

    def conditional_expected_average_spend(self, frequency: Any, monetary_value: Any = None) -> Any:
        """Expected mean spend per transaction, given each customer's history.

        ``(1 - w) * population_mean + w * monetary_value`` with
        ``w = p x / (p x + q - 1)``; customers with ``frequency == 0`` or
        ``monetary_value <= 0`` get the population mean ``v p / (q - 1)``.

        Returns
        -------
        Series (indexed like the input), ndarray or float

        Raises
        ------
        ValueError
            When ``q <= 1`` (the population mean is infinite).
        """
        if is_dask(frequency):
            return _dask_predict(
                self,
                "conditional_expected_average_spend",
                "expected_average_spend",
                frequency,
                monetary_value,
            )
        (x, m), index, scalar = self._spend_inputs(frequency, monetary_value)
        out = _core.gamma_gamma_conditional_expected_average_spend(self._params(), x, m)
        return _wrap(out, index, scalar, "expected_average_spend")

    @property
    def population_mean_spend_(self) -> float:
        """Mean spend per transaction of a new customer, ``v p / (q - 1)``."""
        p, q, v = self._params()
        return float(v * p / (q - 1)) if q > 1 else float("inf")

    @renamed(freq="time_unit")
    def customer_lifetime_value(
        self,
        transaction_model: Any,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        time: int = 12,
        discount_rate: float = 0.01,
        time_unit: str = "D",
        continuous: bool = False,
    ) -> Any:
        """CLV: expected spend per purchase times discounted expected purchases.

        Parameters
        ----------
        transaction_model : fitted kamkit transaction model (BetaGeo, ParetoNBD, ...)
            Any object with lifetimes' ``predict(t, frequency, recency, T)``
            also works (computed in Python then).
        frequency, recency, T, monetary_value : array-like
        time : int, default 12
            Months.
        discount_rate : float, default 0.01
            Per month.
        time_unit : {"D", "W", "M", "H"}, default "D"
            Time unit of recency and T.
        continuous : bool, default False
            Continuous discounting instead of lifetimes' monthly steps.

        Returns
        -------
        Series (indexed like the input), ndarray or float
        """
        if is_dask(frequency):
            return _dask_predict(
                self,
                "customer_lifetime_value",
                "clv",
                transaction_model,
                frequency,
                recency,
                T,
                monetary_value,
                time,
                discount_rate,
                time_unit,
                continuous,
            )
        spend = self.conditional_expected_average_spend(frequency, monetary_value)
        if isinstance(transaction_model, RfmModel):
            return transaction_model.customer_lifetime_value(
                frequency, recency, T, spend, time, discount_rate, time_unit, continuous
            )
        factor = _CLV_FACTORS.get(time_unit)
        if factor is None:
            raise ValueError(
                f"time_unit: expected one of {', '.join(_CLV_FACTORS)}, got {time_unit!r}"
            )
        if continuous:
            raise ValueError("continuous=True needs a kamkit transaction model")
        time = check_clv_time(time)
        clv = 0.0
        previous = 0.0
        for k in range(1, int(time) + 1):
            e = transaction_model.predict(k * factor, frequency, recency, T)
            clv = clv + spend * (e - previous) / (1 + discount_rate) ** k
            previous = e
        return clv
