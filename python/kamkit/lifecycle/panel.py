"""The customers x periods panel of revenue or transaction counts."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._native import core as _core
from .._validation import TransactionLog, check_choice, check_observation_end, check_transactions
from ._common import _FREQS, _VALUES, _check_panel, _periods

__all__ = ["period_panel", "update_panel"]


def _period_index(start_days: np.ndarray, freq: str) -> pd.PeriodIndex:
    starts = pd.DatetimeIndex(np.asarray(start_days, dtype="int64").astype("datetime64[D]"))
    return pd.PeriodIndex(starts.to_period(freq), name="period")


def _panel_frame(
    values: np.ndarray, index: pd.Index, columns: pd.PeriodIndex, attrs: dict[str, Any]
) -> pd.DataFrame:
    out = pd.DataFrame(values, index=index, columns=columns, copy=False)
    out.attrs.update(attrs)
    return out


def _core_ordinal(period: pd.Period, freq: str) -> int:
    """The core's ordinal of a period (see kamkit/dates.hpp)."""
    start = period.start_time
    day = (start - pd.Timestamp("1970-01-01")).days
    return {
        "D": day,
        "W": (day + 3) // 7,
        "M": start.year * 12 + start.month - 1,
        "Q": start.year * 4 + (start.month - 1) // 3,
        "Y": start.year,
    }[freq]


def _check_end(end_tick: int | None, log: TransactionLog) -> None:
    if end_tick is None or log.n == 0:
        return
    tpd = log.ticks_per_day
    first = int(log.ticks.min())
    if end_tick // tpd < first // tpd:
        ts = log.timestamps(np.array([end_tick, first]))
        raise ValueError(
            f"observation_end: {ts[0]} falls before the first purchase ({ts[1]}) in column "
            f"{log.date!r}; no transaction would be left"
        )


def _attrs(core: dict[str, Any], freq: str, value: str, names: dict[str, Any]) -> dict[str, Any]:
    columns = _period_index(core["start_days"], freq)
    partial = bool(core["last_partial"])
    return {
        "value": value,
        "freq": freq,
        "observation_end": pd.Timestamp(np.datetime64(int(core["end_day"]), "D")),
        "partial": partial,
        "last_full_period": (
            None if partial and len(columns) == 1 else columns[-2] if partial else columns[-1]
        ),
        "rows_after_end": int(core["rows_after_end"]),
        **names,
    }


def period_panel(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable | None = "amount",
    period: Literal["D", "W", "M", "Q", "Y"] = "M",
    value: Literal["revenue", "transactions"] = "revenue",
    observation_end: Any = None,
    missing: Literal["raise", "drop"] = "raise",
    order: Hashable | None = None,
) -> pd.DataFrame:
    """Customers x periods panel of revenue (or transaction counts).

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction, under the same rules as :func:`kamkit.summarize`
        (ids of any dtype, dates of any resolution or tz-aware, returns as
        negative amounts). The frame is not modified.
    customer, date : column labels, default "customer_id", "date"
    amount : column label, default "amount"
        Sales amount per row; read only for ``value="revenue"``.
    period : {"D", "W", "M", "Q", "Y"}, default "M"
        Calendar periods of the columns (weeks run Monday to Sunday).
    value : {"revenue", "transactions"}, default "revenue"
        Sum of amounts, or number of rows, per customer and period.
    observation_end : date-like, optional
        Last day observed (default: the last date in the data). Rows on later
        days are ignored; the panel runs to the period containing it.
    missing : {"raise", "drop"}, default "raise"
        Rows without an id, date or amount raise, or are dropped with a warning.
    order : column label, optional
        Order ids: all lines of one order form one transaction, dated at its
        first line (as in :func:`kamkit.summarize`), so ``value="transactions"``
        counts orders.

    Returns
    -------
    DataFrame
        One row per customer (every customer in the log, sorted by id), one
        column per period from the first purchase's to the observation end's
        (a ``PeriodIndex`` named "period"); 0 where nothing was bought.
        ``attrs`` holds:

        ====================  ====================================================
        ``partial``           True when the observation end falls before the
                              last period's last day: that period is partial,
                              and stage and warning rules never read it as a drop
        ``last_full_period``  the last full period (None if there is none)
        ``observation_end``   the last observed day
        ``value``, ``freq``   as passed
        ``rows_after_end``    rows after the observation end (ignored)
        ``customer``          the column names of the id, date and amount, for
        ``date``, ``amount``  update_panel
        ====================  ====================================================

    Raises
    ------
    TypeError
        Not a DataFrame; non-numeric amounts; dates of a non-date type.
    ValueError
        A missing column, missing values (``missing="raise"``), unparseable
        dates, an observation end before the first purchase, unknown
        ``period`` or ``value``.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
    >>> panel.shape
    (2357, 18)
    """
    check_choice("period", period, _FREQS)
    check_choice("value", value, _VALUES)
    use_amount = amount if value == "revenue" else None
    if value == "revenue" and amount is None:
        raise ValueError(
            "amount: value='revenue' needs an amount column; pass amount=<column name> "
            "or value='transactions'"
        )
    log = check_transactions(transactions, customer, date, use_amount, None, missing, order=order)
    end_tick = check_observation_end(observation_end, log)
    _check_end(end_tick, log)
    if log.n == 0:
        raise ValueError(f"{'transactions'}: expected at least one row, found none")
    # Grouping and filling in one go: rows regrouped by customer in
    # cache-sized buckets, each customer's panel row written in cache.
    core = _core.lifecycle_panel_by_key(
        log.keys,
        log.ticks,
        log.ticks_per_day,
        log.amount,
        period,
        end_tick,
        value == "revenue",
        value == "transactions",
    )
    names = {"customer": customer, "date": date, "amount": use_amount}
    attrs = _attrs(core, period, value, names)
    data = core["revenue"] if value == "revenue" else core["counts"]
    return _panel_frame(
        data, log.ids(core["keys"]), _period_index(core["start_days"], period), attrs
    )


def _check_same_id_kind(index: pd.Index, new_ids: Any, customer: Hashable) -> None:
    """TypeError when the new log's customer ids are of another kind than the panel's."""
    if not len(index) or not len(new_ids):
        return
    new = pd.Index(new_ids)
    numbers = {"integer", "floating", "mixed-integer-float", "decimal"}
    old_kind, new_kind = index.inferred_type, new.inferred_type
    if old_kind == new_kind or {old_kind, new_kind} <= numbers:
        return
    raise TypeError(
        f"new_transactions: expected customer ids in column {customer!r} of the panel's "
        f"kind ({old_kind}, e.g. {index[0]!r}), found {new_kind} ids (e.g. {new[0]!r}); "
        "convert one to the other's type (e.g. .astype(str))"
    )


def update_panel(
    panel: pd.DataFrame,
    new_transactions: pd.DataFrame,
    customer: Hashable | None = None,
    date: Hashable | None = None,
    amount: Hashable | None = None,
    observation_end: Any = None,
    missing: Literal["raise", "drop"] = "raise",
) -> pd.DataFrame:
    """Extend a panel with new transactions, without rebuilding its history.

    Only the new rows are aggregated: they are added to the panel's last
    period (in row order, so the sums are exactly those of a full rebuild)
    and to any later periods, which become new columns. The earlier columns
    are reused as they are (pandas shares their memory), so the cost grows
    with the new rows and new periods, not with the history; new customers
    add rows, which does copy the frame once.

    The result equals ``period_panel`` of the old and new transactions
    together (``pd.concat([old, new])``), with the new observation end, and so do the stages and tiers
    computed from it (given the old log had no rows after its observation
    end).

    Parameters
    ----------
    panel : DataFrame
        A panel from :func:`period_panel` (or an earlier update); not modified.
    new_transactions : DataFrame
        Rows dated in the panel's last period or later.
    customer, date, amount : column labels, optional
        Default: the names recorded in ``panel.attrs``.
    observation_end : date-like, optional
        New last observed day; default: the later of the panel's and the last
        new date.
    missing : {"raise", "drop"}, default "raise"

    Returns
    -------
    DataFrame
        The extended panel, with refreshed ``attrs``.

    Raises
    ------
    ValueError
        New rows dated before the panel's last period (rebuild the panel
        instead), an observation end before the panel's, or the errors of
        :func:`period_panel`.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> old = log[log["date"] < "1998-01-01"]
    >>> new = log[log["date"] >= "1998-01-01"]
    >>> panel = kamkit.period_panel(old, observation_end="1997-12-31")
    >>> kamkit.update_panel(panel, new).shape
    (2357, 18)
    """
    panel = _check_panel(panel)
    periods = _periods(panel)
    freq = panel.attrs.get("freq") or periods.freqstr[0]
    value = panel.attrs.get("value", "revenue")
    check_choice("panel.attrs['value']", value, _VALUES)
    customer = panel.attrs.get("customer", panel.index.name) if customer is None else customer
    date = panel.attrs.get("date", "date") if date is None else date
    if value == "revenue":
        amount = panel.attrs.get("amount", "amount") if amount is None else amount
    else:
        amount = None
    log = check_transactions(
        new_transactions, customer, date, amount, None, missing, name="new_transactions"
    )
    tpd = log.ticks_per_day
    old_end = panel.attrs.get("observation_end")
    if old_end is None:
        old_end = periods[-1].end_time.normalize()
    old_end_day = (pd.Timestamp(old_end) - pd.Timestamp("1970-01-01")).days
    end_tick = check_observation_end(observation_end, log)
    if end_tick is None:
        last_new = int(log.ticks.max()) if log.n else old_end_day * tpd
        end_tick = max(last_new, old_end_day * tpd)
    if end_tick // tpd < old_end_day:
        raise ValueError(
            f"observation_end: the new observation end falls before the panel's ({old_end.date()}); "
            "pass a later date or leave it out"
        )
    last = periods[-1]
    last_start_day = (last.start_time - pd.Timestamp("1970-01-01")).days
    early = log.ticks < last_start_day * tpd
    if early.any():
        raise ValueError(
            f"new_transactions: expected rows dated in the panel's last period ({last}) or "
            f"later, found {int(early.sum())} rows before it (first: "
            f"{log.timestamps(log.ticks[early][:1])[0]}); rebuild the panel with period_panel"
        )
    unique, codes = _core.lifecycle_group_keys(log.keys)
    new_ids = log.ids(unique)
    index = panel.index
    _check_same_id_kind(index, new_ids, customer)
    fresh = new_ids[index.get_indexer(new_ids) < 0] if len(new_ids) else new_ids
    grown = len(fresh) > 0
    if grown:
        index = index.append(pd.Index(fresh, name=index.name)).sort_values()
        index.name = panel.index.name
    where = index.get_indexer(new_ids).astype(np.int32)
    row_codes = where[codes] if len(codes) else codes
    last_col = panel.iloc[:, -1]
    if grown:
        last_col = last_col.reindex(index, fill_value=0)
    if value == "revenue":
        init_rev = np.ascontiguousarray(last_col.to_numpy(dtype=np.float64))
        init_cnt = None
    else:
        init_rev = None
        init_cnt = np.ascontiguousarray(last_col.to_numpy(dtype=np.int64))
    core = _core.lifecycle_panel(
        np.ascontiguousarray(row_codes, dtype=np.int32),
        len(index),
        log.ticks,
        tpd,
        log.amount,
        freq,
        end_tick,
        _core_ordinal(last, freq),
        value == "revenue",
        value == "transactions",
        init_rev,
        init_cnt,
    )
    new_cols = _period_index(core["start_days"], freq)
    if new_cols[0] != last:
        raise ValueError(
            f"new_transactions: the new periods start at {new_cols[0]}, not at the panel's "
            f"last period {last}"
        )
    tail = pd.DataFrame(
        core["revenue"] if value == "revenue" else core["counts"],
        index=index,
        columns=new_cols,
        copy=False,
    )
    head = panel.iloc[:, :-1]
    if grown:
        head = head.reindex(index, fill_value=0)
    out = pd.concat([head, tail], axis=1) if head.shape[1] else tail
    out.columns = pd.PeriodIndex(out.columns, name="period")
    attrs = dict(panel.attrs)
    attrs.update(_attrs(core, freq, value, {"customer": customer, "date": date, "amount": amount}))
    attrs["rows_after_end"] = int(panel.attrs.get("rows_after_end", 0)) + int(
        core["rows_after_end"]
    )
    out.attrs = attrs
    return out
