"""Pyramid tiers per period, on trailing revenue."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._native import core as _core
from .._validation import check_int, check_shares
from ..tiering import PYRAMID_SHARES, labels_for_shares
from ._common import _check_panel, _codes_frame, _panel_values, _periods

__all__ = ["tier_history"]


# The core's tier codes are int8.
_MAX_TIERS = 100


def _cum_shares(shares: Sequence[float]) -> list[float]:
    """Cumulative shares, top tier first, the last exactly 1 (checked as the pyramid's)."""
    checked = check_shares(shares)
    if len(checked) > _MAX_TIERS:
        raise ValueError(f"shares: expected at most {_MAX_TIERS} tiers, found {len(checked)}")
    cum = np.cumsum(checked)
    cum[-1] = 1.0
    return [float(c) for c in cum]


def _tier_codes(
    values: np.ndarray, window: int, shares: Sequence[float], labels: str | Sequence[Hashable]
) -> tuple[np.ndarray, pd.CategoricalDtype]:
    cum = _cum_shares(shares)
    top_first = labels_for_shares(labels, shares)
    dtype = pd.CategoricalDtype(top_first[::-1], ordered=True)
    codes = _core.lifecycle_tiers(values, check_int("window", window, 1), cum)
    return codes, dtype


def tier_history(
    panel: pd.DataFrame,
    window: int = 12,
    shares: Sequence[float] = PYRAMID_SHARES,
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
        A label set of :data:`kamkit.LABEL_SETS`: "vip" (VIP, major,
        ordinary, small), "metal" (platinum, gold, iron, lead), "abcd", "zh"
        (VIP客户, 主要客户, 普通客户, 小客户), "zh-metal" (铂金客户, 黄金客户,
        钢铁客户, 重铅客户) or one added with :func:`kamkit.register_label_set`;
        or a list, top tier first.

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
    out = _codes_frame(codes, panel.index, _periods(panel), dtype)
    out.attrs.update(panel.attrs)
    out.attrs.update(tier_window=window, tier_shares=tuple(shares))
    return out
