"""Drop-in replacement for the lifetimes package (0.11.3): change the import.

    from kamkit.lifetimes import BetaGeoFitter, GammaGammaFitter
    from kamkit.lifetimes.utils import summary_data_from_transaction_data

The fitters keep lifetimes' constructor and method signatures, attribute
names (``params_`` with lifetimes' parameter names, ``data``,
``variance_matrix_``, ``standard_errors_``, ``confidence_intervals_``,
``summary``) and return types. They are thin subclasses of kamkit's native
models, so the numbers come from the same C++ core.

Differences, all deliberate: fits use Newton (trust-region) steps on the
analytic Hessian and reach the maximum more tightly; the variance matrix is
the proper delta-method transform ``diag(p) inv(-H) diag(p)`` of the
log-parameter covariance; predictions stay finite for heavy buyers;
``GammaGammaFitter`` leaves customers without repeat purchases or with
non-positive spend out of the fit with a warning instead of raising; models
are saved with pickle instead of dill.
"""

from __future__ import annotations

import pickle
import sys
import types
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from .archive import calibration_holdout, summarize
from .models import BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNBD
from .models._base import BaseModel

__all__ = [
    "BetaGeoBetaBinomFitter",
    "BetaGeoFitter",
    "ConvergenceError",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "calibration_and_holdout_data",
    "summary_data_from_transaction_data",
]


class ConvergenceError(ValueError):
    """lifetimes' convergence error (kamkit warns instead and keeps the best point)."""


class _FitterMixin:
    """lifetimes' attributes on top of a native model."""

    params_: pd.Series

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        super().__init__(penalizer=penalizer_coef)  # type: ignore[call-arg]
        self.penalizer_coef = penalizer_coef

    def _hyperparameters(self) -> dict[str, Any]:
        return {"penalizer_coef": self.penalizer_coef}

    def _fit_options(self, tol: float, kwargs: dict[str, Any]) -> None:
        self.penalizer = self.penalizer_coef
        maxiter = kwargs.get("maxiter")
        if maxiter is not None:
            self.max_iter = int(maxiter)

    @property
    def _negative_log_likelihood_(self) -> float:
        """Mean negative log-likelihood plus penalty (lifetimes' minimised value)."""
        return -self.log_likelihood_ / self._total_weight + self.penalizer_coef * float(
            np.sum(self.params_.to_numpy() ** 2)
        )

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        """95% intervals ``params_ +- 1.96 standard_errors_`` (lifetimes' definition)."""
        se = self.standard_errors_
        return pd.DataFrame(
            {
                "lower 95% bound": self.params_ - 1.96 * se,
                "upper 95% bound": self.params_ + 1.96 * se,
            },
            index=self.params_.index,
        )

    @property
    def summary(self) -> pd.DataFrame:
        """coef, se(coef) and lifetimes' 95% bounds."""
        df = pd.DataFrame(index=self.params_.index)
        df["coef"] = self.params_
        df["se(coef)"] = self.standard_errors_
        ci = self.confidence_intervals_
        df["lower 95% bound"] = ci["lower 95% bound"]
        df["upper 95% bound"] = ci["upper 95% bound"]
        return df

    def _unload_params(self, *args: str) -> list[float]:
        if not hasattr(self, "params_"):
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [self.params_[x] for x in args]

    def save_model(
        self,
        path: str,
        save_data: bool = True,
        save_generate_data_method: bool = True,
        values_to_save: Any = None,
    ) -> None:
        """Pickle the fitter (without ``data`` when ``save_data`` is False)."""
        state = dict(self.__dict__)
        if not save_data:
            state["data"] = None
        with open(path, "wb") as fh:
            pickle.dump((type(self), state), fh)

    def load_model(self, path: str) -> None:
        """Load a fitter written by :meth:`save_model` into this object."""
        with open(path, "rb") as fh:
            cls, state = pickle.load(fh)  # noqa: S301 - the user's own file, as in lifetimes
        self.__dict__.update(state)

    def _label(self) -> str:
        return f"kamkit.lifetimes.{type(self).__name__}"

    def __repr__(self) -> str:
        classname = type(self).__name__
        try:
            subj = f" fitted with {self.data.shape[0]:d} subjects,"
        except AttributeError:
            subj = ""
        if not hasattr(self, "params_"):
            return f"<kamkit.lifetimes.{classname}>"
        params = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(self.params_.items()))
        return f"<kamkit.lifetimes.{classname}:{subj} {params}>"


def _arr(values: Any) -> np.ndarray:
    return np.asarray(values)


class _RfmFitterMixin(_FitterMixin):
    def fit(
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
    ) -> Any:
        """Fit as lifetimes does; see the native class for the model."""
        self._fit_options(tol, kwargs)
        frequency = _arr(frequency).astype(int)
        recency, T = _arr(recency), _arr(T)
        w = np.ones_like(recency, dtype=int) if weights is None else _arr(weights)
        super().fit(  # type: ignore[misc]
            frequency.astype(float), recency, T, w, initial_params=initial_params
        )
        self.data = pd.DataFrame(
            {"frequency": frequency, "recency": recency, "T": T, "weights": w}, index=index
        )
        self.predict = self.conditional_expected_number_of_purchases_up_to_time
        return self

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> Any:
        """Expected purchases in the next t given the history (lifetimes' name)."""
        return self.conditional_expected_purchases(t, frequency, recency, T)  # type: ignore[attr-defined]

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive now) given the history (lifetimes' name and return shape)."""
        out = self.probability_alive(frequency, recency, T)  # type: ignore[attr-defined]
        return out if isinstance(out, pd.Series) else np.atleast_1d(out)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """E[X(t)] of a new customer (lifetimes' name)."""
        return self.expected_purchases(t)  # type: ignore[attr-defined]

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> Any:
        """P(X(t) = n) of a new customer (lifetimes' name)."""
        return self.probability_of_purchases(n, t)  # type: ignore[attr-defined]

    def conditional_probability_alive_matrix(
        self, max_frequency: int | None = None, max_recency: int | None = None
    ) -> np.ndarray:
        """P(alive) on the grid recency x frequency, at T = max_recency."""
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data["T"].max())
        f, r = np.meshgrid(np.arange(max_frequency + 1.0), np.arange(max_recency + 1.0))
        rr = np.where(f == 0, 0.0, r)  # no repeat purchase: recency 0, as lifetimes treats it
        out = self.probability_alive(  # type: ignore[attr-defined]
            f.ravel(), rr.ravel(), np.full(f.size, float(max_recency))
        )
        return np.asarray(out).reshape(f.shape)


class BetaGeoFitter(_RfmFitterMixin, BetaGeo):
    """lifetimes.BetaGeoFitter (BG/NBD) on kamkit's core: params r, alpha, a, b."""


class ModifiedBetaGeoFitter(_RfmFitterMixin, ModifiedBetaGeo):
    """lifetimes.ModifiedBetaGeoFitter (MBG/NBD) on kamkit's core: params r, alpha, a, b."""


class ParetoNBDFitter(_RfmFitterMixin, ParetoNBD):
    """lifetimes.ParetoNBDFitter on kamkit's core: params r, alpha, s, beta."""

    def conditional_probability_of_n_purchases_up_to_time(
        self, n: Any, t: Any, frequency: Any, recency: Any, T: Any
    ) -> Any:
        """P(n purchases in the next t) given the history (lifetimes' name and argument order)."""
        return self.conditional_probability_of_purchases(n, t, frequency, recency, T)  # type: ignore[attr-defined]


class BetaGeoBetaBinomFitter(_FitterMixin, BetaGeoBetaBinom):
    """lifetimes.BetaGeoBetaBinomFitter (BG/BB) on kamkit's core: params alpha, beta, gamma, delta."""

    def fit(
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
        """Fit as lifetimes does."""
        self._fit_options(tol, kwargs)
        frequency = _arr(frequency).astype(int)
        recency = _arr(recency).astype(int)
        n_periods = _arr(n_periods).astype(int)
        w = np.ones_like(recency) if weights is None else _arr(weights)
        BetaGeoBetaBinom.fit(
            self,
            frequency.astype(float),
            recency.astype(float),
            n_periods.astype(float),
            w,
            initial_params=initial_params,
        )
        self.data = pd.DataFrame(
            {"frequency": frequency, "recency": recency, "n_periods": n_periods, "weights": w},
            index=index,
        )
        return self

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Expected transactions in the next m periods (lifetimes' name)."""
        return self.conditional_expected_purchases(
            m_periods_in_future, frequency, recency, n_periods
        )

    def conditional_probability_alive(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """P(alive m periods after n_periods) (lifetimes' name)."""
        return self.probability_alive(frequency, recency, n_periods, m_periods_in_future)

    def expected_number_of_transactions_in_first_n_periods(self, n: int) -> pd.DataFrame:
        """Expected number of customers by transactions in the first n periods."""
        x_counts = self.data.groupby("frequency")["weights"].sum()
        x = np.asarray(x_counts.index, dtype=float)
        p = self.probability_of_purchases(x, float(n))
        return pd.DataFrame(
            np.asarray(p) * x_counts.sum(),
            index=pd.Index(x_counts.index, name="frequency"),
            columns=["model"],
        )


class GammaGammaFitter(_FitterMixin, GammaGamma):
    """lifetimes.GammaGammaFitter on kamkit's core: params p, q, v."""

    def fit(
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
        """Fit as lifetimes does (excluded customers: see kamkit.GammaGamma)."""
        self._fit_options(tol, kwargs)
        frequency = _arr(frequency).astype(float)
        monetary_value = _arr(monetary_value).astype(float)
        w = np.ones_like(frequency, dtype=int) if weights is None else _arr(weights)
        GammaGamma.fit(self, frequency, monetary_value, w, initial_params=initial_params)
        self.data = pd.DataFrame(
            {"monetary_value": monetary_value, "frequency": frequency, "weights": w}, index=index
        )
        return self

    def conditional_expected_average_profit(
        self, frequency: Any = None, monetary_value: Any = None
    ) -> Any:
        """Expected mean profit per transaction (lifetimes' name)."""
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
        if frequency is None:
            frequency = self.data["frequency"]
        return self.conditional_expected_average_spend(frequency, monetary_value)

    def customer_lifetime_value(
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
        """Lifetimes' discrete CLV; returns a Series named ``clv``."""
        out = GammaGamma.customer_lifetime_value(
            self,
            transaction_prediction_model,
            frequency,
            recency,
            T,
            monetary_value,
            time,
            discount_rate,
            freq,
        )
        index = frequency.index if isinstance(frequency, pd.Series) else None
        return pd.Series(np.asarray(out, dtype=float), index=index, name="clv")


# ---------------------------------------------------------------- utilities
_TIME_UNITS = {"D": "D", "W": "W"}


def _prepare(
    transactions: pd.DataFrame, datetime_col: Hashable, datetime_format: str | None
) -> pd.DataFrame:
    if datetime_format is not None or not pd.api.types.is_datetime64_any_dtype(
        transactions[datetime_col]
    ):
        transactions = transactions.copy()
        transactions[datetime_col] = pd.to_datetime(
            transactions[datetime_col], format=datetime_format
        )
    return transactions


def _check_freq(freq: str) -> None:
    if freq not in _TIME_UNITS:
        raise ValueError(
            f"freq: kamkit.lifetimes supports 'D' and 'W', got {freq!r}; "
            "for months or quarters use kamkit.summarize(freq=...)"
        )


def summary_data_from_transaction_data(
    transactions: pd.DataFrame,
    customer_id_col: Hashable,
    datetime_col: Hashable,
    monetary_value_col: Hashable | None = None,
    datetime_format: str | None = None,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: float = 1,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    """Lifetimes' summary (frequency, recency, T, monetary_value), by kamkit.summarize.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id_col``; float columns ``frequency``,
        ``recency``, ``T`` (and ``monetary_value``).
    """
    _check_freq(freq)
    transactions = _prepare(transactions, datetime_col, datetime_format)
    if observation_period_end is not None:
        observation_period_end = pd.to_datetime(observation_period_end, format=datetime_format)
    s = summarize(
        transactions,
        customer_id_col,
        datetime_col,
        amount=monetary_value_col,
        observation_end=observation_period_end,
        freq=freq,  # type: ignore[arg-type]
        time_unit=_TIME_UNITS[freq],  # type: ignore[arg-type]
    )
    out = pd.DataFrame(index=s.index)
    out["frequency"] = s["frequency"].astype(float)
    out["recency"] = s["recency"] / freq_multiplier
    out["T"] = s["T"] / freq_multiplier
    if include_first_transaction:
        out["frequency"] += 1
    if monetary_value_col is not None:
        if include_first_transaction:
            out["monetary_value"] = s["revenue"] / out["frequency"]
        else:
            out["monetary_value"] = s["monetary_value"].astype(float)
    out.index.name = customer_id_col
    return out.astype(float)


def calibration_and_holdout_data(
    transactions: pd.DataFrame,
    customer_id_col: Hashable,
    datetime_col: Hashable,
    calibration_period_end: Any,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: float = 1,
    datetime_format: str | None = None,
    monetary_value_col: Hashable | None = None,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    """Lifetimes' calibration/holdout frame, by kamkit.calibration_holdout.

    Returns
    -------
    DataFrame
        ``frequency_cal``, ``recency_cal``, ``T_cal`` (``monetary_value_cal``),
        ``frequency_holdout`` (``monetary_value_holdout``) and ``duration_holdout``.
    """
    _check_freq(freq)
    transactions = _prepare(transactions, datetime_col, datetime_format)
    cal_end = pd.to_datetime(calibration_period_end, format=datetime_format)
    obs_end = (
        None
        if observation_period_end is None
        else pd.to_datetime(observation_period_end, format=datetime_format)
    )
    period_end = pd.Period(cal_end, freq=freq).end_time.normalize()
    if cal_end.normalize() != period_end:
        # The calibration end splits a period: lifetimes puts the rows after it
        # in the holdout, kamkit.calibration_holdout keeps whole periods.
        s = _split_period_holdout(
            transactions, customer_id_col, datetime_col, cal_end, obs_end, monetary_value_col, freq
        )
    else:
        s = calibration_holdout(
            transactions,
            customer_id_col,
            datetime_col,
            calibration_end=cal_end,
            observation_end=obs_end,
            amount=monetary_value_col,
            freq=freq,  # type: ignore[arg-type]
            time_unit=_TIME_UNITS[freq],  # type: ignore[arg-type]
        )
    out = pd.DataFrame(index=s.index)
    out["frequency_cal"] = s["frequency_cal"].astype(float) + (
        1 if include_first_transaction else 0
    )
    out["recency_cal"] = s["recency_cal"] / freq_multiplier
    out["T_cal"] = s["T_cal"] / freq_multiplier
    if monetary_value_col is not None:
        out["monetary_value_cal"] = s["monetary_value_cal"].astype(float)
    out["frequency_holdout"] = s["frequency_holdout"].astype(float)
    if monetary_value_col is not None:
        out["monetary_value_holdout"] = s["monetary_value_holdout"].astype(float)
    out["duration_holdout"] = s["duration_holdout"] / freq_multiplier
    out.index.name = customer_id_col
    return out


def _split_period_holdout(
    transactions: pd.DataFrame,
    customer: Hashable,
    date: Hashable,
    cal_end: pd.Timestamp,
    obs_end: pd.Timestamp | None,
    amount: Hashable | None,
    freq: str,
) -> pd.DataFrame:
    dates = transactions[date]
    if obs_end is None:
        obs_end = dates.max()
    cal_rows = transactions[dates <= cal_end]
    cal = summarize(
        cal_rows,
        customer,
        date,
        amount=amount,
        observation_end=cal_end,
        freq=freq,  # type: ignore[arg-type]
        time_unit=_TIME_UNITS[freq],  # type: ignore[arg-type]
    )
    out = pd.DataFrame(
        {
            "frequency_cal": cal["frequency"],
            "recency_cal": cal["recency"],
            "T_cal": cal["T"],
        }
    )
    if amount is not None:
        out["monetary_value_cal"] = cal["monetary_value"]
    hold = transactions[(dates > cal_end) & (dates <= obs_end)]
    if hold.empty:
        raise ValueError(
            "There is no data available. Check the `observation_period_end` and "
            "`calibration_period_end` and confirm that values in `transactions` occur prior "
            "to those dates."
        )
    periods = hold[date].dt.to_period(freq)
    counts = periods.groupby(hold[customer]).nunique()
    out["frequency_holdout"] = counts.reindex(out.index).fillna(0).to_numpy(dtype=float)
    if amount is not None:
        means = hold[amount].groupby(hold[customer]).mean()
        out["monetary_value_holdout"] = means.reindex(out.index).fillna(0).to_numpy(dtype=float)
    delta = (pd.Period(obs_end, freq=freq) - pd.Period(cal_end, freq=freq)).n
    out["duration_holdout"] = float(delta)
    return out


# `from kamkit.lifetimes.utils import ...` and `from kamkit.lifetimes.fitters...`
# work as with lifetimes.
utils = types.ModuleType(__name__ + ".utils")
utils.summary_data_from_transaction_data = summary_data_from_transaction_data  # type: ignore[attr-defined]
utils.calibration_and_holdout_data = calibration_and_holdout_data  # type: ignore[attr-defined]
utils.ConvergenceError = ConvergenceError  # type: ignore[attr-defined]
sys.modules[utils.__name__] = utils

_ = BaseModel  # the shared implementation
