"""The customer lifecycle over calendar periods.

Customers move through identification (识别期), development (发展期),
stability (稳定期) and decline (衰退期), then churn or come back. This module
builds the customers x periods panel of revenue, reads lifecycle stages and
pyramid tiers off it, counts the moves between consecutive periods, models
them as Markov chains (with the customer-migration value of Pfeifer and
Carraway), and raises early warnings.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _core
from ._validation import (
    TransactionLog,
    check_choice,
    check_frame,
    check_observation_end,
    check_transactions,
)

__all__ = [
    "STAGES",
    "WARNING_REASONS",
    "MarkovChain",
    "Transitions",
    "early_warning",
    "lifecycle_stages",
    "period_panel",
    "phase_out_candidates",
    "stage_strategies",
    "tier_history",
    "transitions",
    "update_panel",
    "upgrade_candidates",
]

_FREQS = ("D", "W", "M", "Q", "Y")
_VALUES = ("revenue", "transactions")

#: Lifecycle stages, in the order of their categorical codes.
STAGES: tuple[str, ...] = (
    "identification",
    "development",
    "stable",
    "decline",
    "churned",
    "reactivated",
)
_STAGE_DTYPE = pd.CategoricalDtype(list(STAGES), ordered=True)
_DECLINE = STAGES.index("decline")

_STAGE_TABLE = (
    ("identification", "识别期", "new, uncertain, small contribution", "build trust"),
    ("development", "发展期", "trust deepens, business grows", "raise satisfaction"),
    (
        "stable",
        "稳定期",
        "dependent, large profit, cross-buying and referrals",
        "build exit barriers and cut transaction costs",
    ),
    (
        "decline",
        "衰退期",
        "volume falls, one side considers ending",
        "recover or end, with early warning",
    ),
    ("churned", "流失", "no purchase for a long stretch", "win back, or let go"),
    ("reactivated", "回归", "came back after churning", "rebuild trust, as with a new customer"),
)

#: Early-warning reason codes and what raises them.
WARNING_REASONS: dict[str, str] = {
    "moved_to_decline": "moved into the decline stage in the last full period",
    "tier_drop": "dropped a pyramid tier in the last full period",
    "long_silence": "silent for longer than k times the customer's usual gap between purchases",
    "revenue_drop": "last full period's revenue down more than x% against the trailing average",
    "major_slowing": "a major customer's order frequency or volume is falling",
    "overdue": "overdue receivables (needs a credit table)",
    "low_p_alive": "P(alive) below the threshold (needs a fitted model)",
}

# Tier label sets, top tier first (the same sets as the pyramid's).
_LABEL_SETS: dict[str, tuple[str, ...]] = {
    "vip": ("VIP", "major", "ordinary", "small"),
    "metal": ("platinum", "gold", "iron", "lead"),
    "abcd": ("A", "B", "C", "D"),
    "zh": ("VIP客户", "主要客户", "普通客户", "小客户"),
    "zh-metal": ("铂金客户", "黄金客户", "钢铁客户", "重铅客户"),
}


# ---------------------------------------------------------------- the panel


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
    log = check_transactions(transactions, customer, date, use_amount, None, missing)
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


def _check_panel(panel: Any, name: str = "panel") -> pd.DataFrame:
    frame = check_frame(panel, name)
    if not isinstance(frame.columns, pd.PeriodIndex):
        raise TypeError(
            f"{name}: expected a customers x periods frame with a PeriodIndex as columns, "
            f"found columns of type {type(frame.columns).__name__}; build it with "
            "kamkit.period_panel"
        )
    if frame.shape[1] == 0:
        raise ValueError(f"{name}: expected at least one period column, found none")
    if len(frame.columns) > 1 and not (np.diff(frame.columns.asi8) == 1).all():
        raise ValueError(
            f"{name}: expected consecutive periods as columns, found gaps or a different "
            "order; reindex the columns with pd.period_range(first, last)"
        )
    return frame


def _panel_values(panel: pd.DataFrame, name: str = "panel") -> np.ndarray:
    """The panel as a C-contiguous float64 matrix (a view where possible)."""
    bad = [c for c, d in panel.dtypes.items() if not pd.api.types.is_numeric_dtype(d)]
    if bad:
        raise TypeError(
            f"{name}: expected numbers in every period column, found {len(bad)} non-numeric "
            f"columns (first: {bad[0]}); convert them with pd.to_numeric"
        )
    values = np.ascontiguousarray(panel.to_numpy(dtype=np.float64, na_value=np.nan))
    nan = ~np.isfinite(values)
    if nan.any():
        rows = int(nan.any(axis=1).sum())
        raise ValueError(
            f"{name}: expected a finite number in every cell, found {rows} customers with "
            "missing or infinite values; fill them with 0 (no purchase)"
        )
    return values


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
    freq = panel.attrs.get("freq") or panel.columns.freqstr[0]
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
        old_end = panel.columns[-1].end_time.normalize()
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
    last = panel.columns[-1]
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


# ---------------------------------------------------------------- stages


def stage_strategies() -> pd.DataFrame:
    """The textbook strategy of every lifecycle stage.

    Returns
    -------
    DataFrame
        Indexed by stage (in :data:`STAGES` order), with columns ``name_zh``
        (the Chinese name), ``description`` and ``strategy``.

    Examples
    --------
    >>> import kamkit
    >>> kamkit.stage_strategies().loc["stable", "strategy"]
    'build exit barriers and cut transaction costs'
    """
    frame = pd.DataFrame(
        [row[1:] for row in _STAGE_TABLE],
        index=pd.CategoricalIndex([row[0] for row in _STAGE_TABLE], dtype=_STAGE_DTYPE),
        columns=["name_zh", "description", "strategy"],
    )
    frame.index.name = "stage"
    return frame


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {value}")
    return int(value)


def _check_number(name: str, value: Any, low: float, high: float = np.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    if not (low <= float(value) <= high):
        raise ValueError(f"{name}: expected a number in [{low}, {high}], got {value}")
    return float(value)


def _codes_frame(
    codes: np.ndarray, index: pd.Index, columns: pd.PeriodIndex, dtype: pd.CategoricalDtype
) -> pd.DataFrame:
    """A frame of categorical columns from periods x customers codes."""
    data = {
        j: pd.Categorical.from_codes(codes[j], dtype=dtype, validate=False)
        for j in range(codes.shape[0])
    }
    out = pd.DataFrame(data, index=index, copy=False)
    out.columns = columns
    return out


def _partial(panel: pd.DataFrame, partial: bool | None) -> bool:
    if partial is None:
        return bool(panel.attrs.get("partial", False))
    if not isinstance(partial, (bool, np.bool_)):
        raise TypeError(f"partial: expected True, False or None, got {partial!r}")
    return bool(partial)


def _stage_codes(
    values: np.ndarray,
    partial: bool,
    new_periods: int,
    window: int,
    growth: float,
    decline: float,
    churn_periods: int,
) -> np.ndarray:
    return _core.lifecycle_stages(
        values,
        partial,
        _check_int("new_periods", new_periods, 1),
        _check_int("window", window, 1),
        _check_number("growth", growth, 0.0),
        _check_number("decline", decline, 1e-12, 1.0),
        _check_int("churn_periods", churn_periods, 1),
    )


def lifecycle_stages(
    panel: pd.DataFrame,
    new_periods: int = 3,
    window: int = 3,
    growth: float = 0.2,
    decline: float = 0.3,
    churn_periods: int = 6,
    partial: bool | None = None,
) -> pd.DataFrame:
    """Lifecycle stage of every customer in every period.

    A period is a purchase period when the panel's value is positive. For
    each customer the periods are read in order, from the first purchase,
    with these rules (first match wins):

    ================  =========================================================
    reactivated       a purchase right after a churned period; the customer
                      stays reactivated for ``new_periods`` periods (counting
                      the return), then the trend rules below resume, with
                      the return as a new start
    churned           ``churn_periods`` silent periods in a row
    identification    within ``new_periods`` periods of the first purchase
                      (counting it)
    decline           recent level <= (1 - ``decline``) x trailing level,
                      or both are 0
    development       recent level >= (1 + ``growth``) x trailing level
                      (or trailing level 0 and recent level positive)
    stable            anything else (and while there is no trailing level)
    ================  =========================================================

    The recent level is the mean value over the last ``window`` periods
    (the current one included), the trailing level the mean over the
    ``window`` periods before them, both counted from the customer's start
    (first purchase, or last return). The comparisons allow a relative
    tolerance of 1e-9, so a level exactly on a boundary reaches it whatever
    the rounding of the sums.

    Defaults, for monthly periods:

    =================  =======  ===============================================
    parameter          default  meaning
    =================  =======  ===============================================
    ``new_periods``    3        periods a customer counts as new
    ``window``         3        periods in the recent and in the trailing level
    ``growth``         0.2      recent level up 20% or more: development
    ``decline``        0.3      recent level down 30% or more: decline
    ``churn_periods``  6        silent periods in a row that mean churn
    =================  =======  ===============================================

    So a customer who bought every month and then nothing is in decline from
    the first silent month and churned from the sixth.

    A partial last period (``panel.attrs["partial"]``) is never read as a
    drop: where the rules give decline or churned there, the previous
    period's stage is kept; a purchase in it still counts.

    Parameters
    ----------
    panel : DataFrame
        Customers x periods values, from :func:`period_panel` (revenue or
        transaction counts); not modified.
    new_periods, window, growth, decline, churn_periods
        The rules above.
    partial : bool, optional
        Whether the last period is partial; default ``panel.attrs["partial"]``.

    Returns
    -------
    DataFrame
        Same index and columns as ``panel``; ordered categorical columns with
        the categories of :data:`STAGES` (int8 codes), missing before a
        customer's first purchase. :func:`stage_strategies` gives each
        stage's textbook strategy.

    Raises
    ------
    TypeError
        Not a panel; non-numeric values.
    ValueError
        Missing values in the panel; rules out of range.

    Examples
    --------
    >>> import kamkit
    >>> panel = kamkit.period_panel(kamkit.datasets.load_cdnow_sample())
    >>> stages = kamkit.lifecycle_stages(panel)
    >>> bool(stages["1998-06"].value_counts()["churned"] > 1000)
    True
    """
    panel = _check_panel(panel)
    values = _panel_values(panel)
    codes = _stage_codes(
        values, _partial(panel, partial), new_periods, window, growth, decline, churn_periods
    )
    out = _codes_frame(codes, panel.index, panel.columns, _STAGE_DTYPE)
    out.attrs.update(panel.attrs)
    out.attrs["stage_rules"] = {
        "new_periods": new_periods,
        "window": window,
        "growth": growth,
        "decline": decline,
        "churn_periods": churn_periods,
    }
    return out


# ---------------------------------------------------------------- tiers


def _tier_labels(labels: str | Sequence[Hashable], n: int) -> list[Hashable]:
    """Labels top tier first."""
    if isinstance(labels, str):
        if labels not in _LABEL_SETS:
            options = ", ".join(repr(k) for k in _LABEL_SETS)
            raise ValueError(f"labels: expected one of {options} or a list, got {labels!r}")
        chosen: list[Hashable] = list(_LABEL_SETS[labels])
        if len(chosen) != n:
            raise ValueError(
                f"labels: the set {labels!r} has {len(chosen)} labels but shares has {n} "
                "tiers; pass a list of labels"
            )
        return chosen
    chosen = list(labels)
    if len(chosen) != n:
        raise ValueError(f"labels: expected {n} labels (one per share), got {len(chosen)}")
    if len(set(chosen)) != n:
        raise ValueError("labels: expected distinct labels, found duplicates")
    return chosen


def _cum_shares(shares: Sequence[float]) -> list[float]:
    arr = np.asarray(list(shares), dtype=np.float64)
    if arr.ndim != 1 or len(arr) < 1 or len(arr) > 100:
        raise ValueError(f"shares: expected 1 to 100 shares, got {len(arr)}")
    if not np.isfinite(arr).all() or (arr <= 0).any():
        raise ValueError(f"shares: expected positive shares, got {list(arr)}")
    if abs(arr.sum() - 1.0) > 1e-9:
        raise ValueError(f"shares: expected shares summing to 1, got {arr.sum():g}")
    cum = np.cumsum(arr)
    cum[-1] = 1.0
    return [float(c) for c in cum]


def _tier_codes(
    values: np.ndarray, window: int, shares: Sequence[float], labels: str | Sequence[Hashable]
) -> tuple[np.ndarray, pd.CategoricalDtype]:
    cum = _cum_shares(shares)
    top_first = _tier_labels(labels, len(cum))
    dtype = pd.CategoricalDtype(top_first[::-1], ordered=True)
    codes = _core.lifecycle_tiers(values, _check_int("window", window, 1), cum)
    return codes, dtype


def tier_history(
    panel: pd.DataFrame,
    window: int = 12,
    shares: Sequence[float] = (0.01, 0.04, 0.15, 0.80),
    labels: str | Sequence[Hashable] = "vip",
) -> pd.DataFrame:
    """Pyramid tier of every customer in every period, on trailing revenue.

    In each period, every customer who has bought by then is ranked by the
    sum of the panel over the last ``window`` periods (the current one
    included), and the ranking is cut into tiers by count shares, top tier
    first, by the rule of :func:`kamkit.pyramid`: tier sizes follow the
    rounded (half up) cumulative shares, and a cut that falls inside a run of
    equal values moves to the run's nearer end (at equal distance the run
    joins the upper tier), so equal values never land in different tiers.

    Parameters
    ----------
    panel : DataFrame
        From :func:`period_panel`; not modified.
    window : int, default 12
        Periods in the trailing sum (a year of months).
    shares : sequence of float, default (0.01, 0.04, 0.15, 0.80)
        Count share of each tier, top tier first; they sum to 1.
    labels : str or list, default "vip"
        "vip" (VIP, major, ordinary, small), "metal" (platinum, gold, iron,
        lead), "abcd", "zh" (VIP客户, 主要客户, 普通客户, 小客户), "zh-metal"
        (铂金客户, 黄金客户, 钢铁客户, 重铅客户), or a list, top tier first.

    Returns
    -------
    DataFrame
        Same index and columns as ``panel``; ordered categorical columns,
        lowest tier first, missing before a customer's first purchase. In a
        partial last period the trailing sums are partial too.

    Raises
    ------
    ValueError
        Shares that are not positive or do not sum to 1; labels that do not
        match them; a window below 1.

    Examples
    --------
    >>> import kamkit
    >>> panel = kamkit.period_panel(kamkit.datasets.load_cdnow_sample())
    >>> tiers = kamkit.tier_history(panel, window=3)
    >>> list(tiers["1997-03"].cat.categories)
    ['small', 'ordinary', 'major', 'VIP']
    """
    panel = _check_panel(panel)
    codes, dtype = _tier_codes(_panel_values(panel), window, shares, labels)
    out = _codes_frame(codes, panel.index, panel.columns, dtype)
    out.attrs.update(panel.attrs)
    out.attrs.update(tier_window=window, tier_shares=tuple(shares))
    return out


# ---------------------------------------------------------------- transitions


@dataclass(frozen=True)
class Transitions:
    """Moves between consecutive periods.

    Attributes
    ----------
    counts : DataFrame
        From-state rows by to-state columns (with ``by_period=True``, rows
        indexed by ``period_from``, ``period_to`` and ``from``).
    probabilities : DataFrame
        ``counts`` over their row sums. A from-state never observed has no
        moves to estimate: its row keeps the customer in place (1 on the
        diagonal), so every row sums to 1; ``observed`` tells them apart.
    observed : Series or DataFrame of bool
        Whether each from-state (per period pair) had at least one move.
    """

    counts: pd.DataFrame
    probabilities: pd.DataFrame
    observed: pd.Series

    def chain(self) -> MarkovChain:
        """The Markov chain of the pooled probabilities."""
        if self.probabilities.index.nlevels != 1:
            raise ValueError("chain: only for transitions pooled over periods (by_period=False)")
        return MarkovChain(self.probabilities)


def _state_codes(states: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Periods x customers int32 codes (-1 missing) and the state labels."""
    dtypes = list(states.dtypes)
    first = dtypes[0]
    if isinstance(first, pd.CategoricalDtype) and all(d == first for d in dtypes):
        codes = np.empty((states.shape[1], states.shape[0]), dtype=np.int32)
        for j in range(states.shape[1]):
            codes[j] = states.iloc[:, j].cat.codes.to_numpy()
        return codes, pd.Index(first.categories)
    stacked = states.to_numpy(dtype=object).T.ravel()
    flat, uniques = pd.factorize(stacked, sort=True, use_na_sentinel=True)
    codes = flat.astype(np.int32).reshape(states.shape[1], states.shape[0])
    return codes, pd.Index(uniques)


def _probabilities(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    totals = counts.sum(axis=-1, keepdims=True)
    observed = totals[..., 0] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        probs = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 0.0)
    eye = np.broadcast_to(np.eye(counts.shape[-1]), counts.shape)
    probs = np.where(observed[..., None], probs, eye)
    return probs, observed


def transitions(states: pd.DataFrame, by_period: bool = False) -> Transitions:
    """Count the moves between consecutive periods of a states frame.

    Parameters
    ----------
    states : DataFrame
        Customers x periods states: stages from :func:`lifecycle_stages`,
        tiers from :func:`tier_history`, or any values (missing = no state).
        With categorical columns of one dtype, every category is a state (in
        its order); otherwise the sorted distinct values are.
    by_period : bool, default False
        Also split the counts by period pair.

    Returns
    -------
    Transitions
        ``counts`` and ``probabilities`` DataFrames, from-states as rows,
        to-states as columns; pairs with a missing state are left out.

    Raises
    ------
    TypeError
        Not a DataFrame.
    ValueError
        Fewer than two periods.

    Examples
    --------
    >>> import kamkit
    >>> panel = kamkit.period_panel(kamkit.datasets.load_cdnow_sample())
    >>> moves = kamkit.transitions(kamkit.lifecycle_stages(panel))
    >>> bool((moves.probabilities.sum(axis=1).round(12) == 1).all())
    True
    """
    states = check_frame(states, "states")
    if states.shape[1] < 2:
        raise ValueError(f"states: expected at least two period columns, found {states.shape[1]}")
    codes, labels = _state_codes(states)
    n = max(len(labels), 1)
    per_pair = _core.lifecycle_transitions(codes, n)
    labels = labels if len(labels) else pd.Index(["(none)"])
    from_labels = pd.Index(labels, name="from")
    to_labels = pd.Index(labels, name="to")
    if not by_period:
        total = per_pair.sum(axis=0)
        probs, observed = _probabilities(total)
        return Transitions(
            counts=pd.DataFrame(total, index=from_labels, columns=to_labels),
            probabilities=pd.DataFrame(probs, index=from_labels, columns=to_labels),
            observed=pd.Series(observed, index=from_labels, name="observed"),
        )
    cols = states.columns
    pairs = per_pair.shape[0]
    index = pd.MultiIndex.from_arrays(
        [
            np.repeat(np.asarray(cols[:-1], dtype=object), n),
            np.repeat(np.asarray(cols[1:], dtype=object), n),
            np.tile(np.asarray(labels, dtype=object), pairs),
        ],
        names=["period_from", "period_to", "from"],
    )
    probs, observed = _probabilities(per_pair)
    return Transitions(
        counts=pd.DataFrame(per_pair.reshape(pairs * n, n), index=index, columns=to_labels),
        probabilities=pd.DataFrame(probs.reshape(pairs * n, n), index=index, columns=to_labels),
        observed=pd.Series(observed.ravel(), index=index, name="observed"),
    )


# ---------------------------------------------------------------- Markov chains


class MarkovChain:
    """A discrete-time Markov chain on labelled states.

    Parameters
    ----------
    P : DataFrame or array
        Square transition matrix: row i holds the probabilities of moving
        from state i to each state; rows sum to 1. A DataFrame's index
        (equal to its columns) names the states; an array's states are
        0..n-1.

    Raises
    ------
    TypeError
        Not a DataFrame or array of numbers.
    ValueError
        Not square, labels that differ between rows and columns, negative or
        missing entries, rows not summing to 1.

    Examples
    --------
    >>> import kamkit
    >>> chain = kamkit.MarkovChain([[0.9, 0.1], [0.0, 1.0]])
    >>> round(float(chain.expected_time_to_absorption()[0]), 9)
    10.0
    """

    def __init__(self, P: pd.DataFrame | np.ndarray | Sequence[Sequence[float]]) -> None:
        if isinstance(P, pd.DataFrame):
            if not P.index.equals(P.columns):
                raise ValueError(
                    "P: expected the same states as rows and columns, found "
                    f"{list(P.index)} and {list(P.columns)}"
                )
            labels = pd.Index(P.index)
            bad = [c for c, d in P.dtypes.items() if not pd.api.types.is_numeric_dtype(d)]
            if bad:
                raise TypeError(f"P: expected numbers, found non-numeric column {bad[0]!r}")
            matrix = P.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            try:
                matrix = np.asarray(P, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"P: expected a square matrix of numbers ({exc})") from exc
            labels = pd.RangeIndex(matrix.shape[0]) if matrix.ndim == 2 else pd.RangeIndex(0)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
            raise ValueError(f"P: expected a non-empty square matrix, got shape {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise ValueError("P: expected finite probabilities, found missing or infinite ones")
        if (matrix < 0).any():
            raise ValueError(
                f"P: expected probabilities >= 0, found {int((matrix < 0).sum())} negative"
            )
        sums = matrix.sum(axis=1)
        off = np.abs(sums - 1.0) > 1e-8
        if off.any():
            raise ValueError(
                f"P: expected rows summing to 1, found {int(off.sum())} that do not (first: "
                f"row {labels[np.argmax(off)]!r} sums to {sums[np.argmax(off)]:.6g}); "
                "divide each row by its sum"
            )
        self.P = pd.DataFrame(matrix, index=labels, columns=labels)
        self._m = matrix

    @property
    def states(self) -> pd.Index:
        """The state labels."""
        return self.P.index

    def _position(self, state: Hashable) -> int:
        try:
            pos = self.states.get_loc(state)
        except KeyError:
            raise ValueError(
                f"unknown state {state!r}; the states are {list(self.states)}"
            ) from None
        if not isinstance(pos, (int, np.integer)):
            raise ValueError(f"state {state!r} is not unique")
        return int(pos)

    def _distribution(self, start: Any) -> np.ndarray:
        n = len(self.states)
        if isinstance(start, (pd.Series, dict)):
            s = pd.Series(start, dtype=np.float64)
            unknown = s.index.difference(self.states)
            if len(unknown):
                raise ValueError(f"start: unknown states {list(unknown)}")
            vec = s.reindex(self.states, fill_value=0.0).to_numpy()
        elif isinstance(start, (np.ndarray, list, tuple)):
            vec = np.asarray(start, dtype=np.float64)
            if vec.shape != (n,):
                raise ValueError(f"start: expected {n} probabilities, got shape {vec.shape}")
        else:
            vec = np.zeros(n)
            vec[self._position(start)] = 1.0
        if not np.isfinite(vec).all() or (vec < 0).any() or abs(vec.sum() - 1.0) > 1e-8:
            raise ValueError("start: expected probabilities >= 0 summing to 1")
        return vec

    def forecast(self, start: Any, steps: int = 1) -> pd.Series:
        """The distribution over states after ``steps`` steps.

        Parameters
        ----------
        start : state label, Series, dict or array
            A starting state, or a starting distribution.
        steps : int, default 1

        Returns
        -------
        Series
            start x P^steps, indexed by state.
        """
        steps = _check_int("steps", steps, 0)
        vec = self._distribution(start) @ np.linalg.matrix_power(self._m, steps)
        return pd.Series(vec, index=self.states, name=f"after {steps} steps")

    def stationary(self) -> pd.Series:
        """The stationary distribution pi (pi P = pi, sum 1).

        Raises
        ------
        ValueError
            When it is not unique (several closed classes).
        """
        n = len(self.states)
        a = self._m.T - np.eye(n)
        if n > 1 and np.linalg.matrix_rank(a) < n - 1:
            raise ValueError(
                "stationary: the chain has several closed classes, so its stationary "
                "distribution is not unique; use forecast from a given start"
            )
        system = np.vstack([a, np.ones((1, n))])
        rhs = np.zeros(n + 1)
        rhs[-1] = 1.0
        pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
        pi = np.clip(pi, 0.0, None)
        return pd.Series(pi / pi.sum(), index=self.states, name="stationary")

    @property
    def absorbing_states(self) -> pd.Index:
        """States that are never left (P[i, i] = 1)."""
        return self.states[np.isclose(np.diag(self._m), 1.0, rtol=0, atol=1e-12)]

    def _transient(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        absorbing = np.isclose(np.diag(self._m), 1.0, rtol=0, atol=1e-12)
        if not absorbing.any():
            raise ValueError("the chain has no absorbing state (no P[i, i] = 1)")
        transient = ~absorbing
        q = self._m[np.ix_(transient, transient)]
        eye = np.eye(q.shape[0])
        if q.shape[0] and np.linalg.cond(eye - q) > 1e12:
            raise ValueError(
                "some transient states never reach an absorbing state, so the time to "
                "absorption is infinite"
            )
        return transient, absorbing, (np.linalg.inv(eye - q) if q.shape[0] else eye)

    def fundamental_matrix(self) -> pd.DataFrame:
        """N = (I - Q)^-1 over the transient states: expected visits."""
        transient, _, n = self._transient()
        labels = self.states[transient]
        return pd.DataFrame(n, index=labels, columns=labels)

    def expected_time_to_absorption(self) -> pd.Series:
        """Expected steps to absorption from each transient state, N 1.

        Raises
        ------
        ValueError
            No absorbing state, or a transient state that never reaches one.
        """
        transient, _, n = self._transient()
        return pd.Series(
            n.sum(axis=1), index=self.states[transient], name="expected_time_to_absorption"
        )

    def absorption_probabilities(self) -> pd.DataFrame:
        """B = N R: the probability of ending in each absorbing state."""
        transient, absorbing, n = self._transient()
        r = self._m[np.ix_(transient, absorbing)]
        return pd.DataFrame(n @ r, index=self.states[transient], columns=self.states[absorbing])

    def clv(
        self,
        rewards: pd.Series | Sequence[float] | np.ndarray,
        discount_rate: float,
        horizon: int | None = None,
    ) -> pd.Series:
        """Customer-migration value per starting state (Pfeifer and Carraway, 2000).

        V = sum over t = 0..horizon of (P / (1 + d))^t R, or, for an infinite
        horizon, V = (I - P / (1 + d))^-1 R.

        Parameters
        ----------
        rewards : Series or array
            Net reward R of one period in each state (a Series is aligned on
            the states).
        discount_rate : float
            d per period, >= 0 (> 0 for an infinite horizon).
        horizon : int, optional
            Last period t of the sum (t = 0 is the current period); None: infinite.

        Returns
        -------
        Series
            Expected discounted value of a customer starting in each state.

        Raises
        ------
        ValueError
            Rewards that do not match the states; a negative discount rate;
            an infinite horizon without discounting.
        """
        n = len(self.states)
        if isinstance(rewards, pd.Series):
            missing = self.states.difference(rewards.index)
            if len(missing):
                raise ValueError(f"rewards: no reward for states {list(missing)}")
            r = rewards.reindex(self.states).to_numpy(dtype=np.float64)
        else:
            r = np.asarray(rewards, dtype=np.float64)
        if r.shape != (n,) or not np.isfinite(r).all():
            raise ValueError(f"rewards: expected {n} finite numbers, got shape {r.shape}")
        d = _check_number("discount_rate", discount_rate, 0.0)
        m = self._m / (1.0 + d)
        if horizon is None:
            if d == 0:
                raise ValueError(
                    "discount_rate: an infinite horizon needs a discount rate > 0; pass "
                    "discount_rate or a finite horizon"
                )
            value = np.linalg.solve(np.eye(n) - m, r)
        else:
            horizon = _check_int("horizon", horizon, 0)
            value = r.copy()
            for _ in range(horizon):
                value = r + m @ value
        return pd.Series(value, index=self.states, name="clv")

    def __repr__(self) -> str:
        return f"MarkovChain(states={list(self.states)})"


# ---------------------------------------------------------------- early warning


def _is_panel(data: Any) -> bool:
    return isinstance(data, pd.DataFrame) and isinstance(data.columns, pd.PeriodIndex)


def _last_full(panel: pd.DataFrame, partial: bool, need: int, what: str) -> int:
    """Column position of the last full period; at least ``need`` - 1."""
    t = panel.shape[1] - 1 - int(partial)
    if t < need - 1:
        raise ValueError(
            f"{what}: expected at least {need} full periods, found {t + 1}; "
            "use a longer log or shorter periods"
        )
    return t


def _first_active(values: np.ndarray) -> np.ndarray:
    """Position of each row's first positive value (n_periods if none)."""
    active = values > 0
    return np.where(active.any(axis=1), active.argmax(axis=1), values.shape[1])


def _trailing(values: np.ndarray, t: int, window: int) -> np.ndarray:
    return values[:, max(0, t - window + 1) : t + 1].sum(axis=1)


def _silence_from_days(
    log: TransactionLog, codes: np.ndarray, k: int, end_day: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: purchase days - 1, first-to-last days, first-to-end days, last-to-end days."""
    days = np.floor_divide(log.ticks, log.ticks_per_day)
    keep = days <= end_day
    if not keep.any():
        nan = np.full(k, np.nan)
        return nan, nan, nan, nan
    d = days[keep]
    c = codes[keep].astype(np.int64)
    dmin = int(d.min())
    span = end_day - dmin + 1
    pairs = np.unique(c * span + (d - dmin))
    pc = pairs // span
    pd_ = pairs % span + dmin
    n_days = np.bincount(pc, minlength=k)
    starts = np.flatnonzero(np.r_[True, pc[1:] != pc[:-1]])
    ends = np.r_[starts[1:], len(pc)] - 1
    first = np.full(k, np.nan)
    last = np.full(k, np.nan)
    first[pc[starts]] = pd_[starts]
    last[pc[ends]] = pd_[ends]
    frequency = np.where(n_days > 0, n_days - 1, np.nan).astype(np.float64)
    return frequency, last - first, end_day - first, end_day - last


def _credit_columns(
    credit: pd.DataFrame, index: pd.Index, customer: Hashable, overdue_days: float
) -> tuple[np.ndarray, np.ndarray]:
    credit = check_frame(credit, "credit")
    if "days_overdue" not in credit.columns:
        raise ValueError(
            "credit: expected a 'days_overdue' column (and optionally 'overdue_amount'), "
            f"found {list(credit.columns)}"
        )
    ids = credit[customer] if customer in credit.columns else credit.index.to_series()
    where = index.get_indexer(pd.Index(ids))
    if (where < 0).any():
        raise ValueError(
            f"credit: {int((where < 0).sum())} rows name customers that are not in the data "
            f"(first: {ids.to_numpy()[where < 0][0]!r}); drop them or add their transactions"
        )
    days = pd.to_numeric(credit["days_overdue"], errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(days).any():
        raise ValueError(
            f"column 'days_overdue': expected numbers, found {int(np.isnan(days).sum())} rows "
            "missing or non-numeric; fill them (0: nothing overdue)"
        )
    if "overdue_amount" in credit.columns:
        amount = pd.to_numeric(credit["overdue_amount"], errors="coerce").to_numpy(np.float64)
        if np.isnan(amount).any():
            raise ValueError("column 'overdue_amount': expected a number on every row")
    else:
        amount = np.zeros(len(credit))
    flag = np.zeros(len(index), dtype=bool)
    owed = np.zeros(len(index))
    late = (days > overdue_days) & ((amount > 0) if "overdue_amount" in credit.columns else True)
    np.logical_or.at(flag, where, late)
    np.add.at(owed, where, np.where(late, amount, 0.0))
    return flag, owed


def early_warning(
    data: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    period: Literal["D", "W", "M", "Q", "Y"] = "M",
    observation_end: Any = None,
    *,
    counts: pd.DataFrame | None = None,
    window: int = 6,
    silence_factor: float = 2.0,
    revenue_drop: float = 0.5,
    major_drop: float = 0.2,
    major_tiers: int = 2,
    tier_window: int = 12,
    shares: Sequence[float] = (0.01, 0.04, 0.15, 0.80),
    labels: str | Sequence[Hashable] = "vip",
    stage_rules: dict[str, Any] | None = None,
    credit: pd.DataFrame | None = None,
    overdue_days: float = 30,
    model: Any = None,
    p_alive_threshold: float = 0.5,
    model_time_unit: Literal["D", "W"] = "D",
    horizon: int = 12,
    missing: Literal["raise", "drop"] = "raise",
) -> pd.DataFrame:
    """Customers at risk, with reason codes, ranked by value at risk.

    Everything is judged at the last full period (a partial last period is
    never read as a drop; a purchase in it does end a silence):

    ====================  ======================================================
    reason                raised when
    ====================  ======================================================
    ``moved_to_decline``  the stage (:func:`lifecycle_stages`, ``stage_rules``)
                          turned to decline in the last full period and still is
    ``tier_drop``         the tier (:func:`tier_history` with ``tier_window``,
                          ``shares``) is lower than in the period before
    ``long_silence``      time since the last purchase > ``silence_factor`` x
                          the customer's mean gap between purchases (in days
                          from a log, in periods from a panel; needs two
                          purchases)
    ``revenue_drop``      revenue of the last full period < (1 -
                          ``revenue_drop``) x its mean over the ``window`` full
                          periods before (from the first purchase on)
    ``major_slowing``     a customer of the top ``major_tiers`` tiers whose
                          revenue or number of orders (``counts``; from a
                          panel without it, purchase periods) over the last
                          ``window`` full periods is down more than
                          ``major_drop`` against the ``window`` before
    ``overdue``           ``credit`` gives more than ``overdue_days`` days
                          overdue (and a positive ``overdue_amount``, if given)
    ``low_p_alive``       ``model.conditional_probability_alive(frequency,
                          recency, T)`` < ``p_alive_threshold``
    ====================  ======================================================

    A customer buying the same amount every period raises none of them.

    Parameters
    ----------
    data : DataFrame
        A transaction log (read like :func:`period_panel` with ``customer``,
        ``date``, ``amount``, ``period``, ``observation_end``) or a panel
        from :func:`period_panel`. Not modified.
    counts : DataFrame, optional
        With a panel: the matching ``value="transactions"`` panel.
    window, silence_factor, revenue_drop, major_drop, major_tiers, tier_window,
    shares, labels, stage_rules, overdue_days, p_alive_threshold
        Thresholds of the rules above (``stage_rules``: keyword arguments of
        :func:`lifecycle_stages`).
    credit : DataFrame, optional
        Receivables per customer: ids in the ``customer`` column or the
        index, a ``days_overdue`` column and optionally ``overdue_amount``.
    model : object, optional
        A fitted lifetime-value model with a
        ``conditional_probability_alive(frequency, recency, T)`` method (the
        lifetimes names), fitted in ``model_time_unit`` ("D" days or "W"
        weeks) on a log; on a panel, in periods.
    horizon : int, default 12
        Periods of revenue at risk.

    Returns
    -------
    DataFrame
        One row per customer at risk, indexed by customer id: a boolean
        column per reason (:data:`WARNING_REASONS`), ``reasons`` (the codes,
        comma-separated), ``n_reasons``, ``stage`` and ``tier`` in the last
        full period, ``p_alive`` (with a model), ``value_at_risk`` (mean
        revenue per full period since the first purchase x ``horizon``, plus
        the overdue amount) and ``rank`` (1 = largest value at risk), sorted
        by rank.

    Raises
    ------
    TypeError
        Bad input types; a model without ``conditional_probability_alive``.
    ValueError
        Fewer than two full periods; thresholds out of range; credit rows of
        unknown customers.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> risk = kamkit.early_warning(log)
    >>> int(risk["rank"].iloc[0])
    1
    """
    window = _check_int("window", window, 1)
    k_factor = _check_number("silence_factor", silence_factor, 0.0)
    x_drop = _check_number("revenue_drop", revenue_drop, 0.0, 1.0)
    y_drop = _check_number("major_drop", major_drop, 0.0, 1.0)
    horizon = _check_int("horizon", horizon, 1)
    threshold = _check_number("p_alive_threshold", p_alive_threshold, 0.0, 1.0)
    overdue_days = _check_number("overdue_days", overdue_days, 0.0)
    check_choice("model_time_unit", model_time_unit, ("D", "W"))
    if model is not None and not callable(getattr(model, "conditional_probability_alive", None)):
        raise TypeError(
            "model: expected a fitted model with a conditional_probability_alive(frequency, "
            f"recency, T) method, got {type(model).__name__}"
        )
    rules = dict(stage_rules or {})
    unknown = set(rules) - {"new_periods", "window", "growth", "decline", "churn_periods"}
    if unknown:
        raise ValueError(f"stage_rules: unknown rules {sorted(unknown)}")
    if _is_panel(data):
        panel = _check_panel(data)
        values = _panel_values(panel)
        partial = _partial(panel, None)
        if counts is not None:
            counts_panel = _check_panel(counts, "counts")
            if not (
                counts_panel.index.equals(panel.index)
                and counts_panel.columns.equals(panel.columns)
            ):
                raise ValueError("counts: expected the same customers and periods as the panel")
            orders = _panel_values(counts_panel, "counts")
        else:
            orders = (values > 0).astype(np.float64)
        day_stats = None
    else:
        check_choice("period", period, _FREQS)
        log = check_transactions(data, customer, date, amount, None, missing)
        if log.n == 0:
            raise ValueError("transactions: expected at least one row, found none")
        end_tick = check_observation_end(observation_end, log)
        _check_end(end_tick, log)
        unique, codes = _core.lifecycle_group_keys(log.keys)
        core = _core.lifecycle_panel(
            codes, len(unique), log.ticks, log.ticks_per_day, log.amount, period, end_tick,
            None, True, True, None, None,
        )  # fmt: skip
        attrs = _attrs(core, period, "revenue", {"customer": customer, "date": date})
        panel = _panel_frame(
            core["revenue"], log.ids(unique), _period_index(core["start_days"], period), attrs
        )
        values = core["revenue"]
        orders = core["counts"].astype(np.float64)
        partial = attrs["partial"]
        day_stats = _silence_from_days(log, codes, len(unique), int(core["end_day"]))
    k = values.shape[0]
    t = _last_full(panel, partial, 2, "early_warning")
    last = values.shape[1] - 1
    stages = _stage_codes(values, partial, **{
        "new_periods": 3, "window": 3, "growth": 0.2, "decline": 0.3, "churn_periods": 6,
        **rules,
    })  # fmt: skip
    tier_codes, tier_dtype = _tier_codes(values, tier_window, shares, labels)
    n_tiers = len(tier_dtype.categories)
    major_tiers = _check_int("major_tiers", major_tiers, 1)
    first = _first_active(values)
    reasons: dict[str, np.ndarray] = {}
    reasons["moved_to_decline"] = (
        (stages[last] == _DECLINE) & (stages[t] == _DECLINE) & (stages[t - 1] != _DECLINE)
    )
    now, before = tier_codes[t], tier_codes[t - 1]
    reasons["tier_drop"] = (now >= 0) & (before >= 0) & (now < before)
    # Silence against the usual gap.
    if day_stats is not None:
        frequency, recency, T, silence = day_stats
    else:
        active = values > 0
        n_active = active.sum(axis=1)
        last_active = np.where(
            n_active > 0, values.shape[1] - 1 - active[:, ::-1].argmax(axis=1), -1
        )
        frequency = np.where(n_active > 0, n_active - 1, np.nan).astype(np.float64)
        recency = np.where(n_active > 0, last_active - first, np.nan).astype(np.float64)
        T = np.where(n_active > 0, last - first, np.nan).astype(np.float64)
        silence = np.where(n_active > 0, np.clip(t - last_active, 0, None), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(frequency >= 1, recency / np.where(frequency >= 1, frequency, 1), np.nan)
        reasons["long_silence"] = (frequency >= 1) & (silence > k_factor * gap)
        # Revenue of the last full period against the trailing mean.
        lo = np.maximum(first, t - window)
        n_trail = t - lo
        trail_sum = np.cumsum(np.c_[np.zeros(k), values], axis=1)
        trail = np.where(
            n_trail >= 1,
            (trail_sum[:, t] - trail_sum[np.arange(k), np.clip(lo, 0, t)]) / np.maximum(n_trail, 1),
            np.nan,
        )
        reasons["revenue_drop"] = (
            (n_trail >= 1) & (trail > 0) & (values[:, t] < (1 - x_drop) * trail)
        )
    # Major customers slowing down.
    major = tier_codes[t] >= n_tiers - major_tiers
    if t - window >= 0:
        recent_rev = values[:, t - window + 1 : t + 1].sum(axis=1)
        prev_rev = values[:, max(0, t - 2 * window + 1) : t - window + 1].sum(axis=1)
        recent_n = orders[:, t - window + 1 : t + 1].sum(axis=1)
        prev_n = orders[:, max(0, t - 2 * window + 1) : t - window + 1].sum(axis=1)
        slowing = ((prev_rev > 0) & (recent_rev < (1 - y_drop) * prev_rev)) | (
            (prev_n > 0) & (recent_n < (1 - y_drop) * prev_n)
        )
        reasons["major_slowing"] = major & slowing
    else:
        reasons["major_slowing"] = np.zeros(k, dtype=bool)
    owed = np.zeros(k)
    if credit is not None:
        reasons["overdue"], owed = _credit_columns(credit, panel.index, customer, overdue_days)
    else:
        reasons["overdue"] = np.zeros(k, dtype=bool)
    p_alive = None
    if model is not None:
        scale = 7.0 if (day_stats is not None and model_time_unit == "W") else 1.0
        ok = ~np.isnan(frequency)
        p_alive = np.full(k, np.nan)
        p_alive[ok] = np.asarray(
            model.conditional_probability_alive(frequency[ok], recency[ok] / scale, T[ok] / scale),
            dtype=np.float64,
        ).reshape(-1)
        reasons["low_p_alive"] = ok & (p_alive < threshold)
    else:
        reasons["low_p_alive"] = np.zeros(k, dtype=bool)
    # Value at risk: usual revenue per full period, over the horizon.
    n_full = t - first + 1
    usual = np.where(
        n_full >= 1,
        values[:, : t + 1].sum(axis=1) / np.maximum(n_full, 1),
        0.0,
    )
    value_at_risk = np.maximum(usual, 0.0) * horizon + owed
    flags = np.column_stack([reasons[r] for r in WARNING_REASONS])
    at_risk = flags.any(axis=1)
    rows = np.flatnonzero(at_risk)
    order = rows[np.argsort(-value_at_risk[rows], kind="stable")]
    names = np.array(list(WARNING_REASONS), dtype=object)
    out = pd.DataFrame({r: reasons[r][order] for r in WARNING_REASONS}, index=panel.index[order])
    out["reasons"] = [",".join(names[f]) for f in flags[order]]
    out["n_reasons"] = flags[order].sum(axis=1)
    out["stage"] = pd.Categorical.from_codes(stages[t][order], dtype=_STAGE_DTYPE)
    out["tier"] = pd.Categorical.from_codes(tier_codes[t][order], dtype=tier_dtype)
    if p_alive is not None:
        out["p_alive"] = p_alive[order]
    out["value_at_risk"] = value_at_risk[order]
    out["rank"] = np.arange(1, len(order) + 1)
    out.attrs.update(
        evaluated_period=panel.columns[t], observation_end=panel.attrs.get("observation_end")
    )
    return out


# ---------------------------------------------------------------- candidates


def upgrade_candidates(
    panel: pd.DataFrame,
    window: int = 3,
    min_growth: float = 0.5,
    tier_window: int = 12,
    shares: Sequence[float] = (0.01, 0.04, 0.15, 0.80),
    labels: str | Sequence[Hashable] = "vip",
    lower_tiers: int = 2,
) -> pd.DataFrame:
    """Tomorrow's stars: lower-tier customers growing fast enough to move up.

    A customer qualifies when, at the last full period, they sit in one of the
    ``lower_tiers`` lowest tiers (ordinary and small, by default) of
    :func:`tier_history` and their revenue over the last ``window`` full
    periods is at least (1 + ``min_growth``) times that of the ``window``
    periods before (which must be positive).

    Parameters
    ----------
    panel : DataFrame
        From :func:`period_panel`; not modified.
    window : int, default 3
    min_growth : float, default 0.5
    tier_window, shares, labels
        As in :func:`tier_history`.
    lower_tiers : int, default 2

    Returns
    -------
    DataFrame
        Indexed by customer id: ``tier``, ``previous_revenue``,
        ``recent_revenue``, ``growth``, ``next_tier`` and
        ``gap_to_next_tier`` (trailing revenue still missing to reach the
        lowest customer of the next tier up, 0 if already there), sorted by
        growth, fastest first.

    Raises
    ------
    ValueError
        Fewer than 2 x ``window`` full periods; parameters out of range.

    Examples
    --------
    >>> import kamkit
    >>> panel = kamkit.period_panel(kamkit.datasets.load_cdnow_sample())
    >>> stars = kamkit.upgrade_candidates(panel)
    >>> bool((stars["growth"] >= 0.5).all())
    True
    """
    panel = _check_panel(panel)
    values = _panel_values(panel)
    window = _check_int("window", window, 1)
    min_growth = _check_number("min_growth", min_growth, 0.0)
    lower_tiers = _check_int("lower_tiers", lower_tiers, 1)
    t = _last_full(panel, _partial(panel, None), 2 * window, "upgrade_candidates")
    codes, dtype = _tier_codes(values, tier_window, shares, labels)
    tier = codes[t]
    recent = values[:, t - window + 1 : t + 1].sum(axis=1)
    previous = values[:, t - 2 * window + 1 : t - window + 1].sum(axis=1)
    ok = (tier >= 0) & (tier < lower_tiers) & (previous > 0)
    ok &= recent >= (1 + min_growth) * previous
    rows = np.flatnonzero(ok)
    growth = recent[rows] / previous[rows] - 1
    order = rows[np.argsort(-growth, kind="stable")]
    trailing = _trailing(values, t, tier_window)
    n_tiers = len(dtype.categories)
    floor = np.full(n_tiers, np.nan)
    for j in range(n_tiers):
        members = tier == j
        if members.any():
            floor[j] = trailing[members].min()
    nxt = tier[order] + 1
    has_next = nxt < n_tiers
    gap = np.where(
        has_next, np.maximum(floor[np.minimum(nxt, n_tiers - 1)] - trailing[order], 0.0), np.nan
    )
    out = pd.DataFrame(
        {
            "tier": pd.Categorical.from_codes(tier[order], dtype=dtype),
            "previous_revenue": previous[order],
            "recent_revenue": recent[order],
            "growth": recent[order] / previous[order] - 1,
            "next_tier": pd.Categorical.from_codes(np.where(has_next, nxt, -1), dtype=dtype),
            "gap_to_next_tier": gap,
        },
        index=panel.index[order],
    )
    out.attrs["evaluated_period"] = panel.columns[t]
    return out


def phase_out_candidates(
    panel: pd.DataFrame,
    periods: int = 12,
    max_growth: float = 0.0,
    tier_window: int = 12,
    shares: Sequence[float] = (0.01, 0.04, 0.15, 0.80),
    labels: str | Sequence[Hashable] = "vip",
) -> pd.DataFrame:
    """Small customers with no growth over a long stretch of periods.

    Judged on long-term tracking, never on a single period: a customer
    qualifies when they were in the lowest tier of :func:`tier_history` in
    every one of the last ``periods`` full periods (so they bought before the
    stretch began) and their revenue over its second half is at most
    (1 + ``max_growth``) times that over its first half.

    Parameters
    ----------
    panel : DataFrame
        From :func:`period_panel`; not modified.
    periods : int, default 12
        Length of the stretch, at least 2.
    max_growth : float, default 0.0
    tier_window, shares, labels
        As in :func:`tier_history`.

    Returns
    -------
    DataFrame
        Indexed by customer id: ``tier``, ``revenue`` over the stretch,
        ``first_half``, ``second_half`` and ``growth`` (NaN when the first
        half is 0), sorted by revenue, smallest first.

    Raises
    ------
    ValueError
        ``periods`` below 2, or more than the full periods in the panel.

    Examples
    --------
    >>> import kamkit
    >>> panel = kamkit.period_panel(kamkit.datasets.load_cdnow_sample())
    >>> kamkit.phase_out_candidates(panel, periods=6, tier_window=3).shape[1]
    5
    """
    panel = _check_panel(panel)
    values = _panel_values(panel)
    periods = _check_int("periods", periods, 2)
    max_growth = _check_number("max_growth", max_growth, -1.0)
    t = _last_full(panel, _partial(panel, None), periods, "phase_out_candidates")
    codes, dtype = _tier_codes(values, tier_window, shares, labels)
    lo = t - periods + 1
    bottom = (codes[lo : t + 1] == 0).all(axis=0)
    half = periods // 2
    first_half = values[:, lo : lo + half].sum(axis=1)
    second_half = values[:, t - half + 1 : t + 1].sum(axis=1)
    ok = bottom & (second_half <= (1 + max_growth) * first_half)
    rows = np.flatnonzero(ok)
    revenue = values[rows, lo : t + 1].sum(axis=1)
    order = rows[np.argsort(revenue, kind="stable")]
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(first_half[order] > 0, second_half[order] / first_half[order] - 1, np.nan)
    out = pd.DataFrame(
        {
            "tier": pd.Categorical.from_codes(codes[t][order], dtype=dtype),
            "revenue": values[order, lo : t + 1].sum(axis=1),
            "first_half": first_half[order],
            "second_half": second_half[order],
            "growth": growth,
        },
        index=panel.index[order],
    )
    out.attrs["evaluated_periods"] = (panel.columns[lo], panel.columns[t])
    return out
