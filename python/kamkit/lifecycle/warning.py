"""Early warning: customers at risk, with reason codes, ranked by value at risk."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._native import core as _core
from .._validation import (
    TransactionLog,
    check_choice,
    check_frame,
    check_int,
    check_number,
    check_observation_end,
    check_transactions,
)
from ..models._protocol import transaction_model
from ..tiering import PYRAMID_SHARES
from ._common import (
    _FREQS,
    _check_panel,
    _first_active,
    _is_panel,
    _last_full,
    _panel_values,
    _partial,
)
from .panel import _attrs, _check_end, _panel_frame, _period_index
from .stages import _DECLINE, _STAGE_DTYPE, StageRules, _stage_codes
from .tiers import _tier_codes

__all__ = ["WARNING_REASONS", "early_warning"]


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
    shares: Sequence[float] = PYRAMID_SHARES,
    labels: str | Sequence[Hashable] = "vip",
    stage_rules: StageRules | dict[str, Any] | None = None,
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
    ``low_p_alive``       ``model.probability_alive(frequency, recency, T)``
                          < ``p_alive_threshold``
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
        Thresholds of the rules above (``stage_rules``: a :class:`StageRules`
        or a dict of some of its fields, as in :func:`lifecycle_stages`).
    credit : DataFrame, optional
        Receivables per customer: ids in the ``customer`` column or the
        index, a ``days_overdue`` column and optionally ``overdue_amount``.
    model : kamkit transaction model, optional
        A fitted :class:`kamkit.BetaGeo`, :class:`kamkit.ModifiedBetaGeo`,
        :class:`kamkit.ParetoNBD` (or any object with
        ``probability_alive(frequency, recency, T)``), fitted in
        ``model_time_unit`` ("D" days or "W" weeks) on a log; on a panel, in
        periods.
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
        Bad input types; a model without ``probability_alive``.
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
    window = check_int("window", window, 1)
    k_factor = check_number("silence_factor", silence_factor, 0.0)
    x_drop = check_number("revenue_drop", revenue_drop, 0.0, 1.0)
    y_drop = check_number("major_drop", major_drop, 0.0, 1.0)
    horizon = check_int("horizon", horizon, 1)
    threshold = check_number("p_alive_threshold", p_alive_threshold, 0.0, 1.0)
    overdue_days = check_number("overdue_days", overdue_days, 0.0)
    check_choice("model_time_unit", model_time_unit, ("D", "W"))
    if model is not None:
        model = transaction_model(model, "model")
    rules = StageRules.from_any(stage_rules, "stage_rules")
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
    stages = _stage_codes(values, partial, rules)
    tier_codes, tier_dtype = _tier_codes(values, tier_window, shares, labels)
    n_tiers = len(tier_dtype.categories)
    major_tiers = check_int("major_tiers", major_tiers, 1)
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
            model.probability_alive(frequency[ok], recency[ok] / scale, T[ok] / scale),
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
