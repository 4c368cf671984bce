"""lifetimes' ``utils`` module: transaction summaries, alive paths, tracking and CLV.

``summary_data_from_transaction_data`` and ``calibration_and_holdout_data``
run on :func:`kamkit.summarize` / :func:`kamkit.calibration_holdout` for
``freq`` "D" and "W"; every other frequency lifetimes accepts ("h"/"H",
"min", "s", "M", "Q", "Y" and multiples such as "2D") takes a pandas period
path with lifetimes' definitions. Time is counted in units of the base
frequency: hours, days, weeks (7 days), months (365.2425 / 12 days),
quarters (3 months), years (365.2425 days); ``freq_multiplier`` divides it
further, as in lifetimes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ..archive import calibration_holdout, summarize
from ..models._base import RfmModel

__all__ = [
    "ConvergenceError",
    "calculate_alive_path",
    "calibration_and_holdout_data",
    "expected_cumulative_transactions",
    "summary_data_from_transaction_data",
]


class ConvergenceError(ValueError):
    """lifetimes' convergence error (kamkit's fitters warn instead and keep the best point)."""


# ----------------------------------------------------------------- frequencies
#: pandas' removed upper-case aliases -> current ones (lifetimes' code used both)
_ALIASES = {"H": "h", "T": "min", "S": "s", "L": "ms", "U": "us", "N": "ns", "A": "Y"}
#: length of one unit of the calendar frequencies, in days (numpy's mean month/year)
_CALENDAR_DAYS = {"W": 7.0, "M": 365.2425 / 12, "Q": 365.2425 / 4, "Y": 365.2425}


def _normalize_freq(freq: str) -> str:
    """Map lifetimes-era aliases ("H", "2H", "T", "A") to the ones pandas accepts."""
    if not isinstance(freq, str) or not freq:
        raise ValueError(f"freq: expected a pandas frequency string such as 'D', got {freq!r}")
    digits = len(freq) - len(freq.lstrip("0123456789"))
    head, base = freq[:digits], freq[digits:]
    stem, _, anchor = base.partition("-")
    stem = _ALIASES.get(stem, stem)
    return head + stem + (f"-{anchor}" if anchor else "")


def _base_code(freq: str) -> str:
    digits = len(freq) - len(freq.lstrip("0123456789"))
    return freq[digits:].partition("-")[0]


def _unit(freq: str) -> pd.Timedelta:
    """The time unit of ``freq``: one base period (``'2D'`` counts days, as lifetimes)."""
    code = _base_code(freq)
    if code in _CALENDAR_DAYS:
        return pd.Timedelta(days=_CALENDAR_DAYS[code])
    try:
        return pd.Timedelta(1, unit=code)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise ValueError(
            f"freq: {freq!r} has no fixed length; use 'h', 'D', 'W', 'M', 'Q', 'Y' "
            "(optionally with a multiple such as '2D')"
        ) from None


def _check_columns(transactions: Any, *cols: Hashable | None) -> None:
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError(
            f"transactions: expected a pandas DataFrame, got {type(transactions).__name__}"
        )
    missing = [c for c in cols if c is not None and c not in transactions.columns]
    if missing:
        raise ValueError(
            f"transactions: missing column(s) {', '.join(map(repr, missing))}; "
            f"found {', '.join(map(repr, transactions.columns))}"
        )


def _to_datetime(values: Any, datetime_format: str | None) -> Any:
    if datetime_format is None and pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_integer_dtype(getattr(values, "dtype", None)):  # type: ignore[arg-type]
        values = values.astype(str)  # dates written as numbers, e.g. 19970101
    return pd.to_datetime(values, format=datetime_format)


def _period_start(value: Any, freq: str, datetime_format: str | None) -> pd.Timestamp:
    ts = value if isinstance(value, pd.Timestamp) else pd.to_datetime(value, format=datetime_format)
    return ts.to_period(freq).to_timestamp()


# ------------------------------------------------------------------ summaries
def _find_first_transactions(
    transactions: pd.DataFrame,
    customer_id_col: Hashable,
    datetime_col: Hashable,
    monetary_value_col: Hashable | None = None,
    datetime_format: str | None = None,
    observation_period_end: Any = None,
    freq: str = "D",
) -> pd.DataFrame:
    """One row per customer and period with a purchase, flagging each customer's first.

    Parameters
    ----------
    transactions : DataFrame
        The transaction log (not modified).
    customer_id_col, datetime_col : column labels
    monetary_value_col : column label, optional
        Summed per customer and period.
    datetime_format : str, optional
        ``strftime`` format of ``datetime_col`` when it holds text.
    observation_period_end : date-like or Period, optional
        Periods after it are dropped (default: the last transaction).
    freq : str, default "D"
        Period length (lifetimes' codes, see the module docstring).

    Returns
    -------
    DataFrame
        ``customer_id_col``, ``datetime_col`` (``Period``), the summed
        ``monetary_value_col`` if given, and the boolean ``first``; sorted by
        customer and period, with a fresh RangeIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> from kamkit.lifetimes.utils import _find_first_transactions
    >>> log = pd.DataFrame({"id": [1, 1, 2], "date": ["2015-01-01", "2015-01-03", "2015-01-02"]})
    >>> _find_first_transactions(log, "id", "date")["first"].tolist()
    [True, False, True]
    """
    freq = _normalize_freq(freq)
    _check_columns(transactions, customer_id_col, datetime_col, monetary_value_col)
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    frame = transactions[cols].copy()
    frame[datetime_col] = _to_datetime(frame[datetime_col], datetime_format)
    if observation_period_end is None:
        end = frame[datetime_col].max()
    elif isinstance(observation_period_end, pd.Period):
        end = observation_period_end.to_timestamp()
    else:
        end = pd.to_datetime(observation_period_end, format=datetime_format)
    periods = frame[datetime_col].dt.to_period(freq)
    frame[datetime_col] = periods
    frame = frame.loc[periods.dt.to_timestamp() <= end]
    keys = [customer_id_col, datetime_col]
    if monetary_value_col:
        out = frame.groupby(keys, sort=True, as_index=False)[monetary_value_col].sum()
    else:
        out = frame.drop_duplicates(keys).sort_values(keys)
    out = out.reset_index(drop=True)
    out["first"] = ~out[customer_id_col].duplicated()
    return out


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
    """Lifetimes' RFM summary: ``frequency``, ``recency``, ``T`` (and ``monetary_value``).

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (not modified).
    customer_id_col, datetime_col : column labels
    monetary_value_col : column label, optional
        Mean value of the repeat periods (all periods with
        ``include_first_transaction``).
    datetime_format : str, optional
    observation_period_end : date-like, optional
        Default: the last transaction.
    freq : str, default "D"
        Period length; see the module docstring for the units.
    freq_multiplier : float, default 1
        Divides recency and T (``freq="D", freq_multiplier=7`` counts weeks of days).
    include_first_transaction : bool, default False

    Returns
    -------
    DataFrame
        Float columns, indexed by ``customer_id_col``.

    Examples
    --------
    >>> import pandas as pd
    >>> from kamkit.lifetimes.utils import summary_data_from_transaction_data
    >>> log = pd.DataFrame({"id": [1, 1, 2], "date": ["2015-01-01", "2015-01-03", "2015-01-02"]})
    >>> summary_data_from_transaction_data(
    ...     log, "id", "date", observation_period_end="2015-01-05"
    ... )  # doctest: +NORMALIZE_WHITESPACE
        frequency  recency    T
    id
    1         1.0      2.0  4.0
    2         0.0      0.0  3.0
    """
    norm = _normalize_freq(freq)
    _check_columns(transactions, customer_id_col, datetime_col, monetary_value_col)
    if norm in ("D", "W"):
        return _summary_kamkit(
            transactions,
            customer_id_col,
            datetime_col,
            monetary_value_col,
            datetime_format,
            observation_period_end,
            norm,
            freq_multiplier,
            include_first_transaction,
        )
    unit = _unit(norm)
    if observation_period_end is None:
        observation_period_end = _to_datetime(transactions[datetime_col], datetime_format).max()
    end = _period_start(observation_period_end, norm, datetime_format)
    rows = _find_first_transactions(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format, end, norm
    )
    starts = pd.PeriodIndex(rows[datetime_col]).to_timestamp()
    by = pd.Series(starts, index=rows.index).groupby(rows[customer_id_col], sort=True)
    first, last, count = by.min(), by.max(), by.size()
    out = pd.DataFrame(index=first.index)
    out["frequency"] = count - (0 if include_first_transaction else 1)
    out["recency"] = (last - first) / unit / freq_multiplier
    out["T"] = (end - first) / unit / freq_multiplier
    if monetary_value_col is not None:
        values = rows[monetary_value_col].astype(float)
        if not include_first_transaction:
            values = values.where(~rows["first"])
        out["monetary_value"] = values.groupby(rows[customer_id_col]).mean().fillna(0)
    out.index.name = customer_id_col
    return out.astype(float)


def _summary_kamkit(
    transactions: pd.DataFrame,
    customer_id_col: Hashable,
    datetime_col: Hashable,
    monetary_value_col: Hashable | None,
    datetime_format: str | None,
    observation_period_end: Any,
    freq: str,
    freq_multiplier: float,
    include_first_transaction: bool,
) -> pd.DataFrame:
    dates = _to_datetime(transactions[datetime_col], datetime_format)
    if dates is not transactions[datetime_col]:
        transactions = _with_column(transactions, datetime_col, dates)
    if observation_period_end is not None:
        observation_period_end = pd.to_datetime(observation_period_end, format=datetime_format)
    s = summarize(
        transactions,
        customer_id_col,
        datetime_col,
        amount=monetary_value_col,
        observation_end=observation_period_end,
        freq=freq,  # type: ignore[arg-type]
        time_unit=freq,  # type: ignore[arg-type]
        returns="as_purchases",  # lifetimes counts every period with a transaction
    )
    out = pd.DataFrame(index=s.index)
    out["frequency"] = s["frequency"].astype(float) + (1 if include_first_transaction else 0)
    out["recency"] = s["recency"] / freq_multiplier
    out["T"] = s["T"] / freq_multiplier
    if monetary_value_col is not None:
        if include_first_transaction:
            out["monetary_value"] = s["revenue"] / out["frequency"]
        else:
            out["monetary_value"] = s["monetary_value"].astype(float)
    out.index.name = customer_id_col
    return out.astype(float)


def _with_column(frame: pd.DataFrame, col: Hashable, values: Any) -> pd.DataFrame:
    frame = frame.copy()
    frame[col] = values
    return frame


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
    """Lifetimes' calibration/holdout frame.

    Returns
    -------
    DataFrame
        ``frequency_cal``, ``recency_cal``, ``T_cal`` (``monetary_value_cal``),
        ``frequency_holdout`` (``monetary_value_holdout``) and ``duration_holdout``,
        indexed by customer (customers of the calibration period).

    Raises
    ------
    ValueError
        When no transaction falls in the holdout period.

    Examples
    --------
    >>> import pandas as pd
    >>> from kamkit.lifetimes.utils import calibration_and_holdout_data
    >>> log = pd.DataFrame({"id": [1, 1, 2], "date": ["2015-01-01", "2015-01-09", "2015-01-02"]})
    >>> calibration_and_holdout_data(log, "id", "date", "2015-01-05")["frequency_holdout"].tolist()
    [1.0, 0.0]
    """
    norm = _normalize_freq(freq)
    _check_columns(transactions, customer_id_col, datetime_col, monetary_value_col)
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    log = transactions[cols].copy()
    log[datetime_col] = _to_datetime(log[datetime_col], datetime_format)
    cal_end = pd.to_datetime(calibration_period_end, format=datetime_format)
    obs_end = (
        log[datetime_col].max()
        if observation_period_end is None
        else pd.to_datetime(observation_period_end, format=datetime_format)
    )
    hold = log.loc[(log[datetime_col] > cal_end) & (log[datetime_col] <= obs_end)]
    if hold.empty:
        raise ValueError(
            "There is no data available. Check the `observation_period_end` and "
            "`calibration_period_end` and confirm that values in `transactions` occur prior "
            "to those dates."
        )
    whole_periods = (
        norm in ("D", "W") and cal_end == pd.Period(cal_end, freq=norm).end_time.normalize()
    )
    if whole_periods and freq_multiplier == 1 and not include_first_transaction:
        s = calibration_holdout(
            log,
            customer_id_col,
            datetime_col,
            calibration_end=cal_end,
            observation_end=obs_end,
            amount=monetary_value_col,
            freq=norm,  # type: ignore[arg-type]
            time_unit=norm,  # type: ignore[arg-type]
            returns="as_purchases",
        )
        out = pd.DataFrame(index=s.index)
        out["frequency_cal"] = s["frequency_cal"].astype(float)
        out["recency_cal"] = s["recency_cal"].astype(float)
        out["T_cal"] = s["T_cal"].astype(float)
        if monetary_value_col is not None:
            out["monetary_value_cal"] = s["monetary_value_cal"].astype(float)
        out["frequency_holdout"] = s["frequency_holdout"].astype(float)
        if monetary_value_col is not None:
            out["monetary_value_holdout"] = s["monetary_value_holdout"].astype(float)
        out["duration_holdout"] = s["duration_holdout"].astype(float)
        out.index.name = customer_id_col
        return out
    cal = summary_data_from_transaction_data(
        log.loc[log[datetime_col] <= cal_end],
        customer_id_col,
        datetime_col,
        monetary_value_col=monetary_value_col,
        observation_period_end=cal_end,
        freq=norm,
        freq_multiplier=freq_multiplier,
        include_first_transaction=include_first_transaction,
    )
    cal.columns = [f"{c}_cal" for c in cal.columns]
    periods = hold[datetime_col].dt.to_period(norm)
    counts = periods.groupby(hold[customer_id_col]).nunique()  # type: ignore[call-overload]
    cal["frequency_holdout"] = counts.reindex(cal.index).fillna(0).to_numpy(dtype=float)
    if monetary_value_col is not None:
        means = hold[monetary_value_col].groupby(hold[customer_id_col]).mean()  # type: ignore[call-overload]
        cal["monetary_value_holdout"] = means.reindex(cal.index).fillna(0).to_numpy(dtype=float)
    delta = (pd.Period(obs_end, freq=norm) - pd.Period(cal_end, freq=norm)).n
    cal["duration_holdout"] = float(delta) / freq_multiplier
    return cal


# -------------------------------------------------------------- model helpers
def _scale_time(age: Any) -> float:
    """Lifetimes' time scale of a fit: ``1 / max(age)``."""
    return 1.0 / np.asarray(age).max()


def _check_inputs(
    frequency: Any, recency: Any = None, T: Any = None, monetary_value: Any = None
) -> None:
    """Raise ValueError on summaries lifetimes rejects (recency > T, fractional frequency...).

    Examples
    --------
    >>> import numpy as np
    >>> from kamkit.lifetimes.utils import _check_inputs
    >>> _check_inputs(np.array([0, 1]), np.array([0.0, 3.0]), np.array([5.0, 5.0])) is None
    True
    """
    frequency = np.asarray(frequency)
    if recency is not None:
        recency = np.asarray(recency)
        if T is not None:
            T = np.asarray(T)
            bad = recency > T
            if np.any(bad):
                raise ValueError(
                    f"Some values in recency vector are larger than T vector ({int(np.sum(bad))} rows)."
                )
        bad = (frequency == 0) & (recency != 0)
        if np.any(bad):
            raise ValueError(
                "There exist non-zero recency values when frequency is zero "
                f"({int(np.sum(bad))} rows)."
            )
        if np.any(recency < 0):
            raise ValueError(
                "There exist negative recency (ex: last order set before first order) "
                f"({int(np.sum(recency < 0))} rows)."
            )
        if any(np.shape(v)[0] == 0 for v in (recency, frequency, T) if v is not None):
            raise ValueError("There exists a zero length vector in one of frequency, recency or T.")
    if np.sum((frequency - frequency.astype(int)) ** 2) != 0:
        raise ValueError("There exist non-integer values in the frequency vector.")
    if monetary_value is not None and np.any(np.asarray(monetary_value) <= 0):
        raise ValueError("There exist non-positive (<= 0) values in the monetary_value vector.")


_CLV_FACTORS = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24, "h": 30.0 * 24}


def _customer_lifetime_value(
    transaction_prediction_model: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str = "D",
) -> pd.Series:
    """Lifetimes' discrete CLV: ``time`` months of discounted expected purchases times spend.

    kamkit transaction models compute it in the C++ core; any other model
    with lifetimes' ``predict(t, frequency, recency, T)`` goes month by month.

    Returns
    -------
    Series
        Named ``clv``, indexed like ``frequency`` (a RangeIndex for arrays).
    """
    factor = _CLV_FACTORS.get(freq)
    if factor is None:
        raise ValueError(f"freq: expected one of {', '.join(_CLV_FACTORS)}, got {freq!r}")
    index = frequency.index if isinstance(frequency, pd.Series) else None
    if isinstance(transaction_prediction_model, RfmModel):
        out = RfmModel.customer_lifetime_value(
            transaction_prediction_model,
            np.asarray(frequency, dtype=float),
            np.asarray(recency, dtype=float),
            np.asarray(T, dtype=float),
            np.asarray(monetary_value, dtype=float),
            int(time),
            float(discount_rate),
            "H" if freq == "h" else freq,
        )
        values = np.atleast_1d(np.asarray(out, dtype=float))
    else:
        values = np.zeros(len(np.atleast_1d(np.asarray(frequency))))
        m = np.asarray(monetary_value, dtype=float)
        for k in range(1, int(time) + 1):
            i = k * factor
            step = np.asarray(
                transaction_prediction_model.predict(i, frequency, recency, T), dtype=float
            ) - np.asarray(
                transaction_prediction_model.predict(i - factor, frequency, recency, T), dtype=float
            )
            values = values + m * step / (1 + discount_rate) ** k
    return pd.Series(values, index=index, name="clv")


def calculate_alive_path(
    model: Any, transactions: pd.DataFrame, datetime_col: Hashable, t: int, freq: str = "D"
) -> pd.Series:
    """P(alive) of one customer at every period from the first purchase to ``t``.

    Parameters
    ----------
    model : fitted transaction model
    transactions : DataFrame
        The customer's transactions only.
    datetime_col : column label
    t : int
        Number of periods (the path has ``t + 1`` values, more if the history is longer).
    freq : str, default "D"

    Returns
    -------
    Series
        Indexed 0, 1, ... (periods since the first purchase).
    """
    norm = _normalize_freq(freq)
    _check_columns(transactions, datetime_col)
    dates = pd.to_datetime(transactions[datetime_col])
    bought = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(norm).sum()
    flags = (bought.to_numpy() > 0).astype(int)
    n = max(len(flags), int(t) + 1)
    flags = np.concatenate([flags, np.zeros(n - len(flags), dtype=int)])
    age = np.arange(n, dtype=float)
    frequency = np.cumsum(flags) - 1.0
    last = np.where(flags > 0, age, np.nan)
    recency = pd.Series(last).ffill().fillna(0).to_numpy()
    p = model.conditional_probability_alive(frequency, recency, age)
    return pd.Series(np.asarray(p, dtype=float).ravel(), index=pd.RangeIndex(n))


def expected_cumulative_transactions(
    model: Any,
    transactions: pd.DataFrame,
    datetime_col: Hashable,
    customer_id_col: Hashable,
    t: int,
    datetime_format: str | None = None,
    freq: str = "D",
    freq_multiplier: int = 1,
    set_index_date: bool = False,
) -> pd.DataFrame:
    """Actual against expected cumulative repeat transactions of the whole base, period by period.

    Each customer enters at their first purchase; the expected repeat
    purchases of a cohort ``k`` periods old are
    ``model.expected_number_of_purchases_up_to_time(k / freq_multiplier)``.

    Returns
    -------
    DataFrame
        ``actual`` and ``predicted``, indexed 0 .. t // freq_multiplier - 1
        (or by period with ``set_index_date``).
    """
    norm = _normalize_freq(freq)
    _check_columns(transactions, customer_id_col, datetime_col)
    start = _to_datetime(transactions[datetime_col], datetime_format).min()
    start_period = start.to_period(norm)
    rows = _find_first_transactions(
        transactions,
        customer_id_col,
        datetime_col,
        datetime_format=datetime_format,
        observation_period_end=start_period + t,
        freq=norm,
    )
    first = rows["first"].to_numpy()
    cohorts = rows.loc[first].groupby(datetime_col).size()  # type: ignore[call-overload]
    repeats = rows.loc[~first].groupby(datetime_col).size()  # type: ignore[call-overload]
    periods = pd.date_range(start, periods=t + 1, freq=norm).to_period(norm)
    cohort_periods = pd.PeriodIndex(cohorts.index)
    sizes = cohorts.to_numpy(dtype=float)
    predicted = []
    for i, period in enumerate(periods):
        if i > 0 and i % freq_multiplier == 0:
            ages = np.array([(period - p).n for p in cohort_periods], dtype=float)
            keep = ages > 0
            expected = np.asarray(
                model.expected_number_of_purchases_up_to_time(ages[keep] / freq_multiplier),
                dtype=float,
            )
            predicted.append(float(np.sum(expected * sizes[keep])))
    per_period = repeats.reindex(periods, fill_value=0).to_numpy()
    actual = [
        float(np.sum(per_period[: j * freq_multiplier])) for j in range(1, t // freq_multiplier + 1)
    ]
    if set_index_date:
        index: Any = periods[freq_multiplier - 1 : -1 : freq_multiplier]
    else:
        index = range(0, t // freq_multiplier)
    return pd.DataFrame({"actual": actual, "predicted": predicted}, index=index)
