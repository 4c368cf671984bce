"""Upgrade candidates (tomorrow's stars) and phase-out candidates."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._validation import check_int, check_number
from ..tiering import PYRAMID_SHARES
from ._common import (
    _check_panel,
    _last_full,
    _panel_values,
    _partial,
    _trailing,
)
from .tiers import _tier_codes

__all__ = ["phase_out_candidates", "upgrade_candidates"]


def upgrade_candidates(
    panel: pd.DataFrame,
    window: int = 3,
    min_growth: float = 0.5,
    tier_window: int = 12,
    shares: Sequence[float] = PYRAMID_SHARES,
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
    window = check_int("window", window, 1)
    min_growth = check_number("min_growth", min_growth, 0.0)
    lower_tiers = check_int("lower_tiers", lower_tiers, 1)
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
    shares: Sequence[float] = PYRAMID_SHARES,
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
    periods = check_int("periods", periods, 2)
    max_growth = check_number("max_growth", max_growth, -1.0)
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
