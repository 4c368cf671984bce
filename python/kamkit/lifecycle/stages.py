"""Lifecycle stages of every customer in every period.

The stages are identification (识别期), development (发展期), stability
(稳定期), decline (衰退期), churn (流失) and reactivation (回流).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from .._i18n import label
from .._native import core as _core
from .._validation import check_int, check_number
from ._common import _check_panel, _codes_frame, _panel_values, _partial, _periods

__all__ = ["STAGES", "StageRules", "lifecycle_stages", "stage_strategies"]


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


# Each stage's description and textbook strategy (the Chinese names are in _i18n).
_STAGE_TABLE = (
    ("identification", "new, uncertain, small contribution", "build trust"),
    ("development", "trust deepens, business grows", "raise satisfaction"),
    (
        "stable",
        "dependent, large profit, cross-buying and referrals",
        "build exit barriers and cut transaction costs",
    ),
    ("decline", "volume falls, one side considers ending", "recover or end, with early warning"),
    ("churned", "no purchase for a long stretch", "win back, or let go"),
    ("reactivated", "came back after churning", "rebuild trust, as with a new customer"),
)


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
        [(label(row[0], "zh"), *row[1:]) for row in _STAGE_TABLE],
        index=pd.CategoricalIndex([row[0] for row in _STAGE_TABLE], dtype=_STAGE_DTYPE),
        columns=["name_zh", "description", "strategy"],
    )
    frame.index.name = "stage"
    return frame


@dataclass(frozen=True)
class StageRules:
    """The thresholds of the lifecycle-stage rules (see :func:`lifecycle_stages`).

    Parameters
    ----------
    new_periods : int, default 3
        Periods a customer counts as new (and as reactivated after a return).
    window : int, default 3
        Periods in the recent and in the trailing level.
    growth : float, default 0.2
        Recent level up this share or more: development.
    decline : float, default 0.3
        Recent level down this share or more: decline (in (0, 1]).
    churn_periods : int, default 6
        Silent periods in a row that mean churn.

    Raises
    ------
    TypeError, ValueError
        A threshold of the wrong type or out of range.

    Examples
    --------
    >>> from kamkit.lifecycle import StageRules
    >>> StageRules(churn_periods=4).as_dict()["churn_periods"]
    4
    """

    new_periods: int = 3
    window: int = 3
    growth: float = 0.2
    decline: float = 0.3
    churn_periods: int = 6

    def __post_init__(self) -> None:
        check_int("new_periods", self.new_periods, 1)
        check_int("window", self.window, 1)
        check_number("growth", self.growth, 0.0)
        check_number("decline", self.decline, 1e-12, 1.0)
        check_int("churn_periods", self.churn_periods, 1)

    @classmethod
    def from_any(cls, rules: StageRules | Mapping[str, Any] | None, name: str) -> StageRules:
        """Rules from a StageRules, a dict of some of its fields, or None (the defaults)."""
        if rules is None:
            return cls()
        if isinstance(rules, cls):
            return rules
        if not isinstance(rules, Mapping):
            raise TypeError(
                f"{name}: expected a StageRules or a dict of its fields, got {type(rules).__name__}"
            )
        unknown = set(rules) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"{name}: unknown rules {sorted(unknown)}")
        return cls(**rules)

    def as_dict(self) -> dict[str, Any]:
        """The rules as a plain dict (as stored in ``attrs["stage_rules"]``)."""
        return asdict(self)


def _stage_codes(values: np.ndarray, partial: bool, rules: StageRules) -> np.ndarray:
    return _core.lifecycle_stages(
        values,
        partial,
        int(rules.new_periods),
        int(rules.window),
        float(rules.growth),
        float(rules.decline),
        int(rules.churn_periods),
    )


def lifecycle_stages(
    panel: pd.DataFrame,
    new_periods: int = StageRules.new_periods,
    window: int = StageRules.window,
    growth: float = StageRules.growth,
    decline: float = StageRules.decline,
    churn_periods: int = StageRules.churn_periods,
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
    rules = StageRules(new_periods, window, growth, decline, churn_periods)
    codes = _stage_codes(values, _partial(panel, partial), rules)
    out = _codes_frame(codes, panel.index, _periods(panel), _STAGE_DTYPE)
    out.attrs.update(panel.attrs)
    out.attrs["stage_rules"] = rules.as_dict()
    return out
