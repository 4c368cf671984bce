"""Per-partition kernels and mergeable statistics for partitioned engines.

Nothing here imports an engine. Each kernel takes and returns pandas objects
(one partition of a larger table), and each statistic comes in three parts: a
per-partition ``*_part`` function, a ``merge_*`` function that combines the
parts in any order, and a client-side step that turns the merged statistic
into the global pieces (an observation end, tier thresholds, a median) that
are then passed to every partition explicitly. ``kamkit.dask`` wires them into
dask graphs; another engine (Spark's ``applyInPandas``, for example) needs
only the same wiring.

The kernels call the single-machine functions on each partition, so the
per-customer arithmetic is the same code and the results are the same bits.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._native import core as _core
from ._validation import (
    MissingValuesWarning,
    _missing_mask,
    check_transactions,
)

__all__ = [
    "ROW_TAGS",
    "LogBounds",
    "bounds_part",
    "merge_bounds",
    "restore_order",
    "tag_rows",
]

#: Columns that remember each row's partition and position through a shuffle.
ROW_TAGS = ("__kamkit_partition", "__kamkit_row")


# --------------------------------------------------------------- row order


def tag_rows(frame: pd.DataFrame, partition: int) -> pd.DataFrame:
    """``frame`` with its partition number and row positions as two columns.

    After a shuffle by customer, :func:`restore_order` sorts each bucket back
    into the input's row order, so that sums over a customer's rows add the
    same numbers in the same order as on one machine (the same bits).
    """
    out = frame.copy(deep=False)
    out[ROW_TAGS[0]] = np.full(len(frame), partition, dtype=np.int64)
    out[ROW_TAGS[1]] = np.arange(len(frame), dtype=np.int64)
    return out


def restore_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a shuffled bucket in the input's order, without the tags."""
    if ROW_TAGS[0] not in frame.columns:
        return frame
    order = np.lexsort((frame[ROW_TAGS[1]].to_numpy(), frame[ROW_TAGS[0]].to_numpy()))
    return frame.iloc[order].drop(columns=list(ROW_TAGS))


# ------------------------------------------------------ log-wide statistics

_ROLES = ("customer", "date", "amount", "margin")


def bounds_part(
    frame: pd.DataFrame,
    customer: Hashable,
    date: Hashable,
    amount: Hashable | None = None,
    margin: Hashable | None = None,
) -> pd.DataFrame:
    """Rows, missing values per column, and the first and last dates of a partition.

    Rows with a missing id, date, amount or margin do not count towards the
    dates (the single-machine functions drop them before anything else). The
    dates are wall-clock times (naive) in the column's time zone.

    Returns
    -------
    DataFrame
        One row: ``rows``, ``dropped``, ``missing_<role>`` per role, ``first``
        and ``last`` (NaT when no row is complete).
    """
    cols = {"customer": customer, "date": date, "amount": amount, "margin": margin}
    row: dict[str, Any] = {"rows": len(frame)}
    keep = np.ones(len(frame), dtype=bool)
    for role in _ROLES:
        col = cols[role]
        mask = None if col is None or col not in frame.columns else _missing_mask(frame[col])
        row[f"missing_{role}"] = 0 if mask is None else int(mask.sum())
        if mask is not None:
            keep &= ~mask
    row["dropped"] = int(len(frame) - keep.sum())
    first = last = pd.NaT
    dates = frame[date] if date in frame.columns else None
    if dates is not None and keep.any() and pd.api.types.is_datetime64_any_dtype(dates.dtype):
        # Dates already parsed: their extremes directly, as wall-clock time.
        if isinstance(dates.dtype, pd.DatetimeTZDtype):
            dates = dates.dt.tz_localize(None)
        kept = dates if keep.all() else dates[keep]
        first, last = kept.min(), kept.max()
    elif keep.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingValuesWarning)
            log = check_transactions(frame, customer, date, amount, margin, "drop")
        if log.n:
            unit = f"datetime64[{log.unit}]"
            first = pd.Timestamp(np.int64(log.ticks.min()).astype(unit)).as_unit("ns")
            last = pd.Timestamp(np.int64(log.ticks.max()).astype(unit)).as_unit("ns")
    row["first"], row["last"] = first, last
    out = pd.DataFrame([row])
    out["first"] = pd.to_datetime(out["first"]).astype("datetime64[ns]")
    out["last"] = pd.to_datetime(out["last"]).astype("datetime64[ns]")
    return out


class LogBounds:
    """The merged :func:`bounds_part` of every partition.

    Attributes
    ----------
    rows, dropped : int
        Rows in the log, and rows with a missing value in a used column.
    missing : dict
        Missing values per role ("customer", "date", "amount", "margin").
    first, last : Timestamp or NaT
        First and last date of the complete rows (naive wall-clock time).
    """

    def __init__(self, parts: pd.DataFrame) -> None:
        self.rows = int(parts["rows"].sum())
        self.dropped = int(parts["dropped"].sum())
        self.missing = {role: int(parts[f"missing_{role}"].sum()) for role in _ROLES}
        self.first = parts["first"].min()
        self.last = parts["last"].max()

    def check_missing(
        self,
        columns: dict[str, Hashable | None],
        missing: str,
        name: str = "transactions",
        stacklevel: int = 3,
    ) -> None:
        """Raise (``missing="raise"``) or warn once, with the counts of the whole log.

        The wording is that of the single-machine check.
        """
        counts = {r: c for r, c in self.missing.items() if c and columns.get(r) is not None}
        if not counts:
            return

        def rows(n: int) -> str:
            return f"{n} row" if n == 1 else f"{n} rows"

        if missing == "raise":
            role, count = next(iter(counts.items()))
            what = {"customer": "a customer id", "date": "a date"}.get(role, "a number")
            raise ValueError(
                f"column {columns[role]!r}: expected {what} on every row, found {rows(count)} "
                f"without one; drop or fill them first, or pass missing='drop'"
            )
        detail = ", ".join(f"{rows(c)} without {columns[r]!r}" for r, c in counts.items())
        warnings.warn(
            f"{name}: dropped {rows(self.dropped)} with missing values ({detail})",
            MissingValuesWarning,
            stacklevel=stacklevel,
        )


def merge_bounds(parts: Sequence[pd.DataFrame] | pd.DataFrame) -> LogBounds:
    """Merge :func:`bounds_part` results (any order)."""
    frame = parts if isinstance(parts, pd.DataFrame) else pd.concat(list(parts))
    return LogBounds(frame)


def wall_time(value: Any, tz: Any) -> pd.Timestamp:
    """A date as naive wall-clock time in the time zone ``tz`` (None: naive)."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None and tz is not None:
        ts = ts.tz_convert(tz).tz_localize(None)
    return ts


def column_tz(dtype: Any) -> Any:
    """The time zone of a date column's dtype (None when naive or not dates)."""
    return dtype.tz if isinstance(dtype, pd.DatetimeTZDtype) else None


# ------------------------------------------------------- per-customer kernels


def granularity_of(kwargs: dict[str, Any]) -> str:
    """The purchase granularity of summarize's arguments (its old name ``freq`` too)."""
    return str(kwargs.get("granularity", kwargs.get("freq", "D")))


def _quiet(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``func`` with the missing-value warnings silenced (the client gives them once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingValuesWarning)
        return func(*args, **kwargs)


def _period_end_before(end: pd.Timestamp, first: Any, freq: str) -> bool:
    """Whether the ``freq`` period of ``end`` ends before ``first``."""
    if pd.isna(first):
        return False
    return pd.Period(end, freq=freq).end_time < pd.Timestamp(first)


def summarize_part(
    frame: pd.DataFrame,
    *,
    customer: Hashable,
    date: Hashable,
    observation_end: Any,
    empty: pd.DataFrame,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`kamkit.summarize` of one customer bucket, with the global observation end.

    A bucket whose rows all fall after the end gives ``empty`` (the customers
    have no purchase in the observation, as on one machine).
    """
    from .archive import summarize

    frame = restore_order(frame)
    try:
        return _quiet(summarize, frame, customer, date, observation_end=observation_end, **kwargs)
    except ValueError:
        b = bounds_part(frame, customer, date, kwargs.get("amount"), kwargs.get("margin"))
        end = wall_time(observation_end, column_tz(frame[date].dtype))
        if _period_end_before(end, b["first"].iloc[0], granularity_of(kwargs)):
            return empty
        raise


def calibration_holdout_part(
    frame: pd.DataFrame,
    *,
    customer: Hashable,
    date: Hashable,
    calibration_end: Any,
    observation_end: Any,
    duration: float,
    empty: pd.DataFrame,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`kamkit.calibration_holdout` of one customer bucket.

    ``duration`` (the holdout length, the same for every customer) fills in
    for buckets without a holdout row, whose customers then have 0 holdout
    purchases.
    """
    from .archive import calibration_holdout, summarize

    frame = restore_order(frame)
    freq = granularity_of(kwargs)
    tz = column_tz(frame[date].dtype)
    cal = wall_time(calibration_end, tz)
    b = bounds_part(frame, customer, date, kwargs.get("amount"))
    first, last = b["first"].iloc[0], b["last"].iloc[0]
    if pd.isna(first) or _period_end_before(cal, first, freq):
        return empty
    cal_last_day = pd.Period(cal, freq=freq).end_time.normalize()
    end = wall_time(observation_end, tz)
    if last < cal_last_day + pd.Timedelta(days=1) or first > end:
        # No holdout row here: the calibration columns, and no holdout purchase.
        keys = ("amount", "granularity", "freq", "time_unit", "missing", "order", "returns")
        args = {k: v for k, v in kwargs.items() if k in keys}
        s = _quiet(summarize, frame, customer, date, observation_end=calibration_end, **args)
        out = s[[c for c in ("frequency", "recency", "T", "monetary_value") if c in s.columns]]
        out.columns = [f"{c}_cal" for c in out.columns]
        out["frequency_holdout"] = 0.0
        if kwargs.get("amount") is not None:
            out["monetary_value_holdout"] = 0.0
        out["duration_holdout"] = duration
        return out
    return _quiet(
        calibration_holdout,
        frame,
        customer,
        date,
        calibration_end=calibration_end,
        observation_end=observation_end,
        **kwargs,
    )


def period_panel_part(
    frame: pd.DataFrame,
    *,
    customer: Hashable,
    date: Hashable,
    observation_end: Any,
    columns: pd.PeriodIndex,
    empty: pd.DataFrame,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`kamkit.period_panel` of one customer bucket on the global periods."""
    from .lifecycle import period_panel

    frame = restore_order(frame)
    b = bounds_part(
        frame,
        customer,
        date,
        kwargs.get("amount") if kwargs.get("value") != "transactions" else None,
    )
    end = wall_time(observation_end, column_tz(frame[date].dtype))
    first = b["first"].iloc[0]
    if pd.isna(first) or first.normalize() > end.normalize():
        return empty
    out = _quiet(period_panel, frame, customer, date, observation_end=observation_end, **kwargs)
    attrs = dict(out.attrs)
    out = out.reindex(columns=columns, fill_value=0)
    out.attrs.update(attrs)
    return out


# ------------------------------------------------------------- selection

_TOP = 16  # bits of the first histogram
_MID = 16  # bits of the second


def order_keys(values: np.ndarray) -> np.ndarray:
    """uint64 keys that sort like the float64 ``values`` (sign flipped, negatives inverted)."""
    u = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    sign = np.uint64(1) << np.uint64(63)
    return np.where(u & sign, ~u, u | sign)


def top_histogram_part(values: np.ndarray) -> np.ndarray:
    """Counts of the values per bucket of the top 16 bits of their order keys."""
    keys = order_keys(values) >> np.uint64(64 - _TOP)
    return np.bincount(keys.astype(np.int64), minlength=1 << _TOP).astype(np.int64)


def mid_histogram_part(values: np.ndarray, buckets: Sequence[int]) -> np.ndarray:
    """For each top bucket asked for, counts per bucket of the next 16 bits."""
    keys = order_keys(values)
    top = keys >> np.uint64(64 - _TOP)
    out = np.zeros((len(buckets), 1 << _MID), dtype=np.int64)
    shift = np.uint64(64 - _TOP - _MID)
    mask = np.uint64((1 << _MID) - 1)
    for i, b in enumerate(buckets):
        sub = (keys[top == np.uint64(b)] >> shift) & mask
        out[i] = np.bincount(sub.astype(np.int64), minlength=1 << _MID)
    return out


def values_in_part(values: np.ndarray, prefixes: Sequence[int]) -> pd.Series:
    """Distinct values (with their counts) whose order keys start with one of ``prefixes``.

    ``prefixes`` are the top 32 bits of the keys.
    """
    keys = order_keys(values) >> np.uint64(_TOP + _MID)
    hit = np.isin(keys, np.asarray(prefixes, dtype=np.uint64))
    uniq, counts = np.unique(values[hit], return_counts=True)
    return pd.Series(counts.astype(np.int64), index=uniq)


def _locate(hist: np.ndarray, rank: int) -> tuple[int, int]:
    """The bucket holding ascending rank ``rank`` and the count of values below it."""
    cum = np.cumsum(hist)
    b = int(np.searchsorted(cum, rank, side="right"))
    return b, int(cum[b - 1]) if b else 0


class Selection:
    """Exact order statistics of a partitioned column in three passes.

    ``run(ranks, compute_top, compute_mid, compute_values)`` takes three
    callables that apply :func:`top_histogram_part`,
    :func:`mid_histogram_part` and :func:`values_in_part` to every partition
    and merge the results (sums for the histograms, the value counts added by
    value), and returns the value of each ascending rank and, for each,
    ``(count below, count equal)`` in the whole column.
    """

    @staticmethod
    def run(
        ranks: Sequence[int],
        compute_top: Any,
        compute_mid: Any,
        compute_values: Any,
        top: np.ndarray | None = None,
    ) -> list[tuple[float, int, int]]:
        if not ranks:
            return []
        top = compute_top() if top is None else top
        located = [_locate(top, r) for r in ranks]
        buckets = sorted({b for b, _ in located})
        mid = compute_mid(buckets)
        prefixes = []
        below_mid = []
        for (b, below), r in zip(located, ranks, strict=True):
            m, below2 = _locate(mid[buckets.index(b)], r - below)
            prefixes.append((b << _MID) | m)
            below_mid.append(below + below2)
        counts = compute_values(sorted(set(prefixes)))
        keys = order_keys(counts.index.to_numpy()) >> np.uint64(_TOP + _MID)
        out = []
        for prefix, below, r in zip(prefixes, below_mid, ranks, strict=True):
            sel = counts[keys == np.uint64(prefix)].sort_index()
            cum = np.cumsum(sel.to_numpy())
            i = int(np.searchsorted(cum, r - below, side="right"))
            value = float(sel.index[i])
            less = below + (int(cum[i - 1]) if i else 0)
            out.append((value, less, int(sel.iloc[i])))
        return out


def merge_value_counts(parts: Sequence[pd.Series]) -> pd.Series:
    """Add value counts from several partitions (by value)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.Series([], dtype=np.int64)
    return pd.concat(parts).groupby(level=0).sum()


def pyramid_thresholds(
    n: int, cum_shares: Sequence[float], select: Any
) -> tuple[list[float], list[bool]]:
    """The thresholds and strictness of a pyramid by count of ``n`` values.

    The same rule as the single-machine pyramid: cut j is
    ``round(cum_share_j x n)``; a cut inside a run of equal values moves to
    the nearer end of the run (at equal distance, the run joins the upper
    tier). ``select(ranks)`` returns, for each ascending rank, the value and
    the counts below and equal (see :class:`Selection`).
    """
    cuts = []
    for s in cum_shares:
        t = np.floor(min(s, 1.0) * float(n) + 0.5 + 1e-9)
        cuts.append(min(int(t), n))
    for j in range(1, len(cuts)):
        cuts[j] = max(cuts[j], cuts[j - 1])
    ranks = sorted({n - 1 - c for c in cuts if 0 < c < n})
    picked = dict(zip(ranks, select(ranks), strict=True)) if ranks else {}
    thresholds: list[float] = []
    strict: list[bool] = []
    for c in cuts:
        if c <= 0:
            thresholds.append(np.inf)
            strict.append(True)
            continue
        if c >= n:
            thresholds.append(-np.inf)
            strict.append(False)
            continue
        value, less, equal = picked[n - 1 - c]
        gt = n - less - equal
        ge = n - less
        thresholds.append(value)
        strict.append(gt == c or (c - gt < ge - c))
    return thresholds, strict


def codes_at_least(
    values: np.ndarray, thresholds: Sequence[float], strict: Sequence[bool]
) -> np.ndarray:
    """Tier codes (0 = lowest): the number of thresholds each value passes."""
    codes = np.zeros(len(values), dtype=np.int16)
    for t, s in zip(thresholds, strict, strict=True):
        codes += (values > t) if s else (values >= t)
    return codes


# --------------------------------------------------------------- models


def rfm_rows_part(frame: pd.DataFrame, columns: Sequence[Hashable]) -> pd.DataFrame:
    """Distinct rows of ``columns`` with their counts (column ``n``)."""
    sub = frame[list(columns)]
    if len(sub) == 0:
        out = sub.iloc[:0].copy()
        out["n"] = np.zeros(0, dtype=np.int64)
        return out.reset_index(drop=True)
    return sub.groupby(list(columns), sort=False).size().rename("n").reset_index()


def merge_rfm_rows(parts: pd.DataFrame, columns: Sequence[Hashable]) -> pd.DataFrame:
    """Add the counts of equal rows; rows sorted by ``columns``."""
    return parts.groupby(list(columns), sort=True)["n"].sum().reset_index()


def value_score_part(
    frame: pd.DataFrame,
    arrays: list[np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    weights: np.ndarray,
    method: str,
) -> np.ndarray:
    """Min-max value scores of one partition on the global ranges.

    Two rows holding the global minima and maxima go in with the partition's,
    so the core derives the same ranges (and the same bits) as on one machine.
    """
    cols = [np.ascontiguousarray(np.concatenate([a, [lo[j], hi[j]]])) for j, a in enumerate(arrays)]
    score = _core.value_score(cols, weights, method)
    return np.asarray(score)[: len(frame)]


def rank_table(counts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (increasing) and their percentiles (average rank - 1) / (n - 1).

    ``counts`` are the global counts of the distinct values (any order).
    """
    counts = counts.sort_index()
    values = counts.index.to_numpy(dtype=np.float64)
    c = counts.to_numpy()
    n = int(c.sum())
    b = np.cumsum(c)
    a = b - c
    if n == 1:
        return values, np.full(len(values), 0.5)
    inv = 1.0 / float(n - 1)
    return values, (0.5 * (a + 1 + b).astype(np.float64) - 1.0) * inv


def score_from_stats(
    arrays: list[np.ndarray],
    weights: np.ndarray,
    method: str,
    stats: dict[int, Any],
    lo: np.ndarray,
    hi: np.ndarray,
    n: int,
) -> np.ndarray:
    """z-score or rank value scores of one partition from the global statistics.

    The arithmetic of the core's value_score, criterion by criterion:
    ``stats[j]`` is (mean, sd) for "zscore" and :func:`rank_table` for "rank".
    """
    from scipy.special import erfc

    total = 0.0
    for w in weights:
        total += abs(float(w))
    m = len(arrays[0]) if arrays else 0
    out = np.zeros(m)
    for j, x in enumerate(arrays):
        if weights[j] == 0.0:
            continue
        w = 100.0 * abs(float(weights[j])) / total
        if method == "zscore":
            mean, sd = stats[j]
            if not (sd > 0.0) or hi[j] == lo[j]:
                s = np.full(m, 0.5)
            else:
                scale = 1.0 / (sd * np.sqrt(2.0))
                s = 0.5 * erfc(-(x - mean) * scale)
        else:
            values, pct = stats[j]
            s = pct[np.searchsorted(values, x)]
        out += w * (1.0 - s) if weights[j] < 0.0 else w * s
    return np.minimum(100.0, np.maximum(0.0, out))


def rfm_table(
    index: pd.Index, r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int, segments: Any
) -> pd.DataFrame:
    """The rfm_scores table of one partition from its R, F and M scores."""
    from .scoring import _rfm_table

    return _rfm_table(index, r, f, m, bins, segments)
