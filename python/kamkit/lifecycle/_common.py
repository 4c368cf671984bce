"""Private helpers shared by the lifecycle modules: panel checks and rule arguments."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from .._validation import check_frame

_FREQS = ("D", "W", "M", "Q", "Y")
_VALUES = ("revenue", "transactions")


def _check_panel(panel: Any, name: str = "panel") -> pd.DataFrame:
    frame = check_frame(panel, name)
    columns: pd.Index = frame.columns
    if not isinstance(columns, pd.PeriodIndex):
        raise TypeError(
            f"{name}: expected a customers x periods frame with a PeriodIndex as columns, "
            f"found columns of type {type(frame.columns).__name__}; build it with "
            "kamkit.period_panel"
        )
    if frame.shape[1] == 0:
        raise ValueError(f"{name}: expected at least one period column, found none")
    if len(columns) > 1 and not (np.diff(columns.asi8) == 1).all():
        raise ValueError(
            f"{name}: expected consecutive periods as columns, found gaps or a different "
            "order; reindex the columns with pd.period_range(first, last)"
        )
    return frame


def _periods(panel: pd.DataFrame) -> pd.PeriodIndex:
    """The periods of a checked panel (pandas types columns as a plain Index)."""
    return cast(pd.PeriodIndex, panel.columns)


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
