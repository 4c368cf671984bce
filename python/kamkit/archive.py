"""The customer archive (客户档案): one row per customer from a transaction log."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._deprecation import renamed
from ._native import core as _core
from ._validation import (
    TransactionLog,
    check_choice,
    check_observation_end,
    check_transactions,
)

__all__ = ["calibration_holdout", "summarize"]

_FREQS = ("D", "W", "M", "Q", "Y")
_TIME_UNITS = {"D": 1.0, "W": 7.0}
_PERIODS = ("M", "Q", "Y")
_PANDAS_PERIOD = {"D": "D", "W": "W", "M": "M", "Q": "Q", "Y": "Y"}


_RETURNS = ("net", "as_purchases")
#: A period's net amount within this fraction of its gross amount is zero.
ZERO_TOLERANCE = 1e-9


def _period_ordinals(days: np.ndarray, freq: str) -> np.ndarray:
    """Ordinal of the ``freq`` period of each day number.

    Consecutive periods have consecutive ordinals; weeks run Monday to
    Sunday, as in the core.
    """
    if freq == "D":
        return days
    if freq == "W":
        return np.floor_divide(days + 3, 7)
    as_days = days.astype("datetime64[D]")
    if freq == "Y":
        return as_days.astype("datetime64[Y]").astype(np.int64)
    months = as_days.astype("datetime64[M]").astype(np.int64)
    return months if freq == "M" else np.floor_divide(months, 3)


def purchase_flags(log: TransactionLog, freq: str) -> np.ndarray | None:
    """Whether each transaction of ``log`` lies in a purchase period.

    A return is a transaction with a negative amount. A customer's ``freq``
    period is a purchase period unless its net amount is negative, or is zero
    (within ``ZERO_TOLERANCE`` times the gross amount, the sum of the absolute
    amounts) and the period holds a return. None when every row lies in a
    purchase period (no amounts, or no negative amount).
    """
    amount = log.amount
    if amount is None or log.n == 0:
        return None
    with np.errstate(invalid="ignore"):
        negative = amount < 0
    if not negative.any():
        return None
    # Only periods of customers with a return can fail to be purchase periods.
    rows = np.flatnonzero(np.isin(log.keys, np.unique(log.keys[negative])))
    days = np.floor_divide(log.ticks[rows], log.ticks_per_day)
    frame = pd.DataFrame({"k": log.keys[rows], "p": _period_ordinals(days, freq)}, copy=False)
    group = frame.groupby(["k", "p"], sort=False).ngroup().to_numpy()
    a = amount[rows]
    net = np.bincount(group, weights=a)
    gross = np.bincount(group, weights=np.abs(a))
    has_return = np.bincount(group, weights=negative[rows].astype(np.float64)) > 0
    zero = np.abs(net) <= ZERO_TOLERANCE * gross
    not_purchase = ((net < 0) & ~zero) | (zero & has_return)
    if not not_purchase.any():
        return None
    flags = np.ones(log.n, dtype=np.uint8)
    flags[rows] = ~not_purchase[group]
    return flags


def _run_core(
    log: TransactionLog,
    end_tick: int | None,
    freq: str,
    time_unit: str,
    period: str,
    returns: str = "net",
) -> dict[str, Any]:
    """The core's summary.

    With ``log.deferred``, its first pass also makes the value scans that
    check_transactions left to it (the result then says ``invalid_values``
    and holds nothing else when they find something). With ``returns="net"``,
    periods that are not purchase periods (see :func:`purchase_flags`) do
    not count as purchases.
    """
    # (With deferred value scans the amounts may hold NaN or infinities: the
    # flags are then meaningless, but the core reports invalid_values and the
    # caller starts again from checked values.)
    flags = purchase_flags(log, freq) if returns == "net" else None
    return _core.summarize(
        log.keys,
        log.ticks,
        log.ticks_per_day,
        log.amount,
        log.margin,
        freq,
        period,
        _TIME_UNITS[time_unit],
        end_tick,
        log.deferred,
        flags,
    )


def _check_end_not_before_start(
    end_tick: int | None, log: TransactionLog, freq: str, what: str
) -> None:
    if end_tick is None or log.n == 0:
        return
    first = int(log.ticks.min())
    end = pd.Timestamp(log.timestamps(np.array([end_tick]))[0]).tz_localize(None)
    last_day = pd.Period(end, freq=_PANDAS_PERIOD[freq]).end_time
    if last_day < pd.Timestamp(log.timestamps(np.array([first]))[0]).tz_localize(None):
        raise ValueError(
            f"{what}: {log.timestamps(np.array([end_tick]))[0]} falls before the first purchase "
            f"({log.timestamps(np.array([first]))[0]}) in column {log.date!r}; "
            "no transaction would be left"
        )


def _frame(core: dict[str, Any], log: TransactionLog, with_amount: bool) -> pd.DataFrame:
    index = log.ids(core["keys"])
    data: dict[str, Any] = {
        "frequency": core["frequency"],
        "recency": core["recency"],
        "T": core["T"],
    }
    if with_amount:
        data["monetary_value"] = core["monetary_value"]
    data["first_purchase"] = log.timestamps(core["first_tick"])
    data["last_purchase"] = log.timestamps(core["last_tick"])
    data["n_transactions"] = core["n_transactions"]
    returns_only = core.get("returns_only")
    data["returns_only"] = (
        np.zeros(len(index), dtype=bool) if returns_only is None else returns_only.astype(bool)
    )
    if with_amount:
        data["revenue"] = core["revenue"]
        if "margin" in core:
            data["margin"] = core["margin"]
            revenue = core["revenue"]
            with np.errstate(divide="ignore", invalid="ignore"):
                data["margin_rate"] = np.where(revenue != 0, core["margin"] / revenue, np.nan)
        data["avg_period_revenue"] = core["avg_period_revenue"]
        data["growth"] = core["growth"]
    # The columns are fresh arrays from the core: no copy is needed.
    return pd.DataFrame(data, index=index, copy=False)


@renamed(freq="granularity", period="value_period")
def summarize(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable | None = None,
    margin: Hashable | None = None,
    observation_end: Any = None,
    granularity: Literal["D", "W", "M", "Q", "Y"] = "D",
    time_unit: Literal["D", "W"] = "D",
    value_period: Literal["M", "Q", "Y"] = "Q",
    missing: Literal["raise", "drop"] = "raise",
    order: Hashable | None = None,
    returns: Literal["net", "as_purchases"] = "net",
) -> pd.DataFrame:
    """Build the customer archive (客户档案) from a transaction log.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction, or per order line with ``order``. Negative
        amounts (returns, cancellations) are allowed and netted into
        ``revenue`` and ``margin``. The frame is not modified.
    customer : column label, default "customer_id"
        Customer ids, of any dtype (int, string, categorical, nullable).
    date : column label, default "date"
        Purchase dates: datetime64 of any resolution, tz-aware (floored in
        their own time zone) or strings pandas parses.
    amount : column label, optional
        Sales amount per transaction. Without it the monetary columns are
        left out.
    margin : column label, optional
        Profit margin per transaction; adds ``margin`` and ``margin_rate``.
    observation_end : date-like, optional
        End of the observation, floored to its ``granularity`` period, which is
        included whole; rows after that period are ignored. Default: the
        last date in the data.
    granularity : {"D", "W", "M", "Q", "Y"}, default "D"
        Purchase periods: dates are floored to them; each purchase period
        counts once (see ``returns``).
    time_unit : {"D", "W"}, default "D"
        Unit of ``recency`` and ``T``: days, or weeks (days / 7).
    value_period : {"M", "Q", "Y"}, default "Q"
        Periods of the value factors ``avg_period_revenue`` and ``growth``.
    missing : {"raise", "drop"}, default "raise"
        Rows without a customer id, date, amount (or order id) raise a
        ValueError with their count, or are dropped with a warning giving it.
        An integer id column that pandas turned into floats to hold blanks
        gives integer ids again once the blanks are dropped.
    order : column label, optional
        Order (invoice) ids. All lines of one customer's order form one
        transaction, dated at its first line, whose amount and margin are the
        lines' sums; ``n_transactions`` then counts orders. Without it each
        row is a transaction.
    returns : {"net", "as_purchases"}, default "net"
        How returns count. ``"net"``: a return is a transaction with a
        negative amount, and a customer's ``granularity`` period is a purchase
        period unless its net amount is negative, or is zero (within 1e-9 of
        the gross amount, the sum of absolute amounts, of the customer's
        transactions in the period) and the period holds a return. So a free
        item (amount 0) is a purchase, and a return that cancels a purchase
        of the same period is not. A customer without any purchase period
        stays in the archive as a one-time customer dated at their first
        transaction (frequency 0, recency 0, ``T`` from that date) with
        ``returns_only`` True. ``"as_purchases"``: every period with a
        transaction is a purchase period, whatever its net amount
        (lifetimes' counting). Without ``amount`` every row is a purchase.
        Either way returns net into ``revenue`` and ``margin``.

    Returns
    -------
    DataFrame
        One row per customer, indexed by the original ids (dtype kept) and
        sorted by them, with columns:

        ============================  ==========================================
        ``frequency``                 purchase periods − 1 (repeat purchases)
        ``recency``                   last − first purchase period, in time_unit
        ``T``                         observation end's period − first purchase
                                      period, in time_unit
        ``monetary_value``            mean net amount of the repeat purchase
                                      periods (0 when frequency is 0)
        ``first_purchase``            first timestamp of a purchase period
        ``last_purchase``             last timestamp of a purchase period
        ``n_transactions``            transactions: input rows, or orders
        ``returns_only``              no purchase period (see ``returns``)
        ``revenue``                   sum of amounts, returns included
        ``margin``, ``margin_rate``   sum of margins, and over revenue (NaN
                                      where revenue is 0); with ``margin``
        ``avg_period_revenue``        revenue / periods from the first
                                      purchase's period to the end's, inclusive
        ``growth``                    revenue of the last full period over the
                                      one before, minus 1 (NaN where the one
                                      before has no positive revenue)
        ============================  ==========================================

        ``frequency``, ``recency``, ``T`` and ``monetary_value`` follow the
        definitions of lifetimes' ``summary_data_from_transaction_data``. A
        period is full when the observation end is its last day; a partial
        last period is never compared with a full one. ``attrs`` records
        ``observation_end``, ``last_full_period``, ``freq`` (the
        granularity), ``time_unit``, ``period`` (the value period) and
        ``rows_after_end`` (ignored rows).

    Raises
    ------
    TypeError
        Not a DataFrame; non-numeric amounts; dates of a non-date type.
    ValueError
        A missing column; missing ids, dates or amounts (``missing="raise"``);
        unparseable dates; an observation end before the first purchase;
        an unknown ``granularity``, ``time_unit`` or ``value_period``.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> archive = kamkit.summarize(log, "customer_id", "date", "amount",
    ...                            observation_end="1997-09-30", time_unit="W")
    >>> archive[["frequency", "recency", "T"]].head(2)  # doctest: +SKIP
    """
    check_choice("granularity", granularity, _FREQS)
    check_choice("time_unit", time_unit, tuple(_TIME_UNITS))
    check_choice("value_period", value_period, _PERIODS)
    check_choice("returns", returns, _RETURNS)
    log = check_transactions(
        transactions, customer, date, amount, margin, missing, defer_value_scans=True, order=order
    )
    end_tick = check_observation_end(observation_end, log)
    # (A NaT left for the core compares false here: no false alarm.)
    _check_end_not_before_start(end_tick, log, granularity, "observation_end")
    core = _run_core(log, end_tick, granularity, time_unit, value_period, returns)
    if core["invalid_values"]:
        # Missing or infinite values: the full checks raise, or drop them.
        log = check_transactions(transactions, customer, date, amount, margin, missing, order=order)
        end_tick = check_observation_end(observation_end, log)
        _check_end_not_before_start(end_tick, log, granularity, "observation_end")
        core = _run_core(log, end_tick, granularity, time_unit, value_period, returns)
    out = _frame(core, log, amount is not None)
    if amount is not None:
        _check_sums_in_range(out, amount)
    end = pd.Timestamp(np.datetime64(int(core["observation_end_day"]), "D"))
    if int(core["rows_after_end"]):
        _warn_customers_after_end(log, len(out), end)
    current = pd.Period(end, freq=value_period)
    out.attrs.update(
        observation_end=end,
        last_full_period=current if current.end_time.normalize() == end else current - 1,
        freq=granularity,
        time_unit=time_unit,
        period=value_period,
        rows_after_end=int(core["rows_after_end"]),
        returns=returns,
        order=order,
    )
    return out


def _check_sums_in_range(out: pd.DataFrame, amount: Hashable) -> None:
    """ValueError when finite amounts add up past the float range for some customer."""
    for col in ("revenue", "monetary_value", "margin"):
        if col not in out.columns:
            continue
        values = out[col].to_numpy()
        if values.dtype.kind != "f":
            continue
        # The amounts are finite here: an infinite sum, or a NaN left by a
        # compensated sum that overflowed, means the total passed the range.
        bad = ~np.isfinite(values) if col != "monetary_value" else np.isinf(values)
        if bad.any():
            first = out.index[bad][0]
            first = first.item() if isinstance(first, np.generic) else first
            raise ValueError(
                f"column {amount!r}: the amounts of {int(bad.sum())} customers add up past the "
                f"float range (about 1.8e308; first: customer {first!r}, {col}); "
                "express the amounts in a larger unit (e.g. divide by 1e6) before summarizing"
            )


def _warn_customers_after_end(log: TransactionLog, kept: int, end: pd.Timestamp) -> None:
    """Count, in a warning, the customers whose every purchase is after the end."""
    vanished = len(np.unique(log.keys)) - kept
    if vanished > 0:
        warnings.warn(
            f"observation_end: {vanished} customers have every purchase after "
            f"{end.date()} and are not in the archive; pass a later observation_end to "
            "keep them",
            UserWarning,
            stacklevel=3,
        )


@renamed(freq="granularity")
def calibration_holdout(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    calibration_end: Any = None,
    observation_end: Any = None,
    amount: Hashable | None = None,
    granularity: Literal["D", "W", "M", "Q", "Y"] = "D",
    time_unit: Literal["D", "W"] = "D",
    missing: Literal["raise", "drop"] = "raise",
    order: Hashable | None = None,
    returns: Literal["net", "as_purchases"] = "net",
) -> pd.DataFrame:
    """Calibration summary plus holdout purchases, for checking predictions.

    The calibration columns are :func:`summarize`'s with the observation
    ending at ``calibration_end``; the holdout columns describe the rows
    after it, up to ``observation_end``, of the customers seen in the
    calibration period (as lifetimes' ``calibration_and_holdout_data``
    defines them).

    Parameters
    ----------
    transactions, customer, date, amount, granularity, time_unit, missing, order, returns
        As in :func:`summarize` (the holdout counts purchase periods under
        the same ``returns`` rule).
    calibration_end : date-like
        Last day of the calibration period (its ``granularity`` period is included).
    observation_end : date-like, optional
        End of the holdout period. Default: the last date in the data.

    Returns
    -------
    DataFrame
        Indexed by the customers with a purchase in the calibration period,
        with ``frequency_cal``, ``recency_cal``, ``T_cal``
        (and ``monetary_value_cal``), ``frequency_holdout`` (distinct
        purchase periods in the holdout), ``monetary_value_holdout`` (mean
        amount of the holdout rows, 0 without any; with ``amount``) and
        ``duration_holdout`` (holdout length in ``time_unit``).

    Raises
    ------
    ValueError
        As :func:`summarize`, and when ``calibration_end`` is missing, is
        not before ``observation_end``, or leaves no holdout row.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> ch = kamkit.calibration_holdout(log, calibration_end="1997-09-30", time_unit="W")
    >>> ch.shape[0], int(ch["frequency_holdout"].sum())
    (2357, 1882)
    """
    check_choice("granularity", granularity, _FREQS)
    check_choice("time_unit", time_unit, tuple(_TIME_UNITS))
    if calibration_end is None:
        raise ValueError("calibration_end: expected a date that ends the calibration period")
    check_choice("returns", returns, _RETURNS)
    log = check_transactions(transactions, customer, date, amount, None, missing, order=order)
    cal_tick = check_observation_end(calibration_end, log, "calibration_end")
    assert cal_tick is not None
    _check_end_not_before_start(cal_tick, log, granularity, "calibration_end")
    end_tick = check_observation_end(observation_end, log)
    if end_tick is None:
        end_tick = int(log.ticks.max()) if log.n else cal_tick
    cal = _run_core(log, cal_tick, granularity, time_unit, "Q", returns)
    cal_end_day = int(cal["observation_end_day"])
    obs = pd.Timestamp(log.timestamps(np.array([end_tick]))[0]).tz_localize(None)
    obs_period = pd.Period(obs, freq=_PANDAS_PERIOD[granularity])
    cal_period = pd.Period(
        pd.Timestamp(np.datetime64(cal_end_day, "D")), freq=_PANDAS_PERIOD[granularity]
    )
    if obs_period <= cal_period:
        raise ValueError(
            f"observation_end: expected a date in a later {granularity} period than calibration_end "
            f"({cal_period}), got {obs_period}"
        )
    out = _frame(cal, log, amount is not None)
    out = out[[c for c in ("frequency", "recency", "T", "monetary_value") if c in out.columns]]
    out.columns = [f"{c}_cal" for c in out.columns]

    first_holdout_tick = (cal_end_day + 1) * log.ticks_per_day
    mask = log.ticks >= first_holdout_tick
    holdout = log.subset(mask)
    holdout_core = (
        _run_core(holdout, end_tick, granularity, time_unit, "Q", returns) if holdout.n else None
    )
    if holdout_core is None or len(holdout_core["keys"]) == 0:
        raise ValueError(
            f"no transaction falls between calibration_end ({cal_period}) and observation_end "
            f"({obs_period}) in column {log.date!r}"
        )
    h_index = log.ids(holdout_core["keys"])
    # Purchase periods in the holdout (none for a customer with returns only).
    purchases_h = holdout_core["frequency"] + 1.0
    if "returns_only" in holdout_core:
        purchases_h = purchases_h - holdout_core["returns_only"]
    freq_h = pd.Series(purchases_h, index=h_index)
    out["frequency_holdout"] = freq_h.reindex(out.index).fillna(0.0).to_numpy()
    if amount is not None:
        mean_h = pd.Series(holdout_core["revenue"] / holdout_core["n_transactions"], index=h_index)
        out["monetary_value_holdout"] = mean_h.reindex(out.index).fillna(0.0).to_numpy()
    end_day = int(holdout_core["observation_end_day"])
    start = pd.Period(
        pd.Timestamp(np.datetime64(cal_end_day, "D")), freq=_PANDAS_PERIOD[granularity]
    )
    stop = pd.Period(pd.Timestamp(np.datetime64(end_day, "D")), freq=_PANDAS_PERIOD[granularity])
    days = (stop.start_time - start.start_time).days
    out["duration_holdout"] = days / _TIME_UNITS[time_unit]
    out.attrs.update(
        calibration_end=pd.Timestamp(np.datetime64(cal_end_day, "D")),
        observation_end=pd.Timestamp(np.datetime64(end_day, "D")),
        freq=granularity,
        time_unit=time_unit,
    )
    return out
