"""Input checks shared by the public API.

Messages name the column, what was expected, what was found (with counts) and
how to fix it. ValueError for bad values, TypeError for wrong types.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------
# Scoring, tiering and key-account service
# ---------------------------------------------------------------------------


def check_frame(frame: Any, what: str = "customers") -> pd.DataFrame:
    """Return `frame` if it is a DataFrame, else raise TypeError."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{what}: expected a pandas DataFrame, found {type(frame).__name__}; "
            "build one with pd.DataFrame(...) (for the customer archive use kamkit.summarize)"
        )
    return frame


def check_columns(
    frame: pd.DataFrame, columns: Iterable[Hashable], what: str = "customers"
) -> None:
    """Raise ValueError naming every column of `columns` that `frame` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        have = ", ".join(repr(c) for c in list(frame.columns)[:20])
        raise ValueError(
            f"{what}: column(s) {names} not found; the table has {have}; "
            "compute the column first or pass the name of an existing one"
        )


def as_series(values: Any, name: str = "values") -> pd.Series:
    """A Series from a Series or a 1-D array-like (which gets a RangeIndex)."""
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name}: expected a Series (one value per customer), found a DataFrame with "
            f"{values.shape[1]} columns; pick one column, e.g. customers['revenue']"
        )
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise TypeError(
            f"{name}: expected a pandas Series or a 1-D array of numbers, "
            f"found {type(values).__name__}"
        )
    return pd.Series(values)


def numeric_array(
    values: pd.Series, name: str, *, allow_nan: bool = False, allow_inf: bool = False
) -> np.ndarray:
    """Float64 copy-free (where possible) view of a numeric Series, checked.

    Raises TypeError for non-numeric dtypes (with the count of rows that do not
    parse as numbers), ValueError for missing or infinite values unless allowed.
    """
    s = values
    if isinstance(s.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
    ):
        parsed = pd.to_numeric(s, errors="coerce")
        bad = parsed.isna() & s.notna()
        nbad = int(bad.sum())
        first = s[bad].iloc[0] if nbad else None
        detail = (
            f"{nbad} of {len(s)} rows are not numbers (first: {first!r})"
            if nbad
            else f"dtype {s.dtype}"
        )
        raise TypeError(
            f"column '{name}': expected numbers, found {detail}; convert it with pd.to_numeric"
        )
    arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if not allow_nan:
        nnan = int(np.isnan(arr).sum())
        if nnan:
            raise ValueError(
                f"column '{name}': expected numbers without gaps, found {nnan} of {len(arr)} "
                "missing values; fill or drop them first"
            )
    if not allow_inf:
        ninf = int(np.isinf(arr).sum())
        if ninf:
            raise ValueError(
                f"column '{name}': expected finite numbers, found {ninf} of {len(arr)} "
                "infinite values; replace them (e.g. .replace([np.inf, -np.inf], np.nan))"
            )
    return arr


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """Raise ValueError unless `value` is one of `choices`."""
    if not isinstance(value, str) or value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {opts}, found {value!r}")
    return value


def check_shares(shares: Any, name: str = "shares") -> tuple[float, ...]:
    """Shares top first: positive numbers that add up to 1."""
    try:
        out = tuple(float(s) for s in shares)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a sequence of numbers, found {shares!r}") from None
    if len(out) < 1:
        raise ValueError(f"{name}: expected at least one share, found none")
    bad = [s for s in out if not np.isfinite(s) or s < 0]
    if bad:
        raise ValueError(
            f"{name}: expected non-negative shares, found {len(bad)} bad value(s) "
            f"(first: {bad[0]!r})"
        )
    total = sum(out)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(
            f"{name}: the shares must add up to 1 (top tier first), found a sum of {total:g} "
            f"for {out}; e.g. (0.01, 0.04, 0.15, 0.80)"
        )
    return out


def check_labels(labels: Sequence[Any], n: int, name: str = "labels") -> list[Any]:
    """A list of `n` distinct labels."""
    out = list(labels)
    if len(out) != n:
        raise ValueError(f"{name}: expected {n} labels (top tier first), found {len(out)}: {out!r}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: labels must be distinct, found {out!r}")
    return out
