"""Pyramid tiers per period, on trailing revenue."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .. import _core
from ._common import _check_int, _check_panel, _codes_frame, _panel_values

__all__ = ["tier_history"]


# Tier label sets, top tier first (the same sets as the pyramid's).
_LABEL_SETS: dict[str, tuple[str, ...]] = {
    "vip": ("VIP", "major", "ordinary", "small"),
    "metal": ("platinum", "gold", "iron", "lead"),
    "abcd": ("A", "B", "C", "D"),
    "zh": ("VIP客户", "主要客户", "普通客户", "小客户"),
    "zh-metal": ("铂金客户", "黄金客户", "钢铁客户", "重铅客户"),
}


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
