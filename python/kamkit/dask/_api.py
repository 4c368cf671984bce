"""The dask wiring of kamkit's partition kernels (see :mod:`kamkit._partitioned`)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _partitioned as kern
from .._optional import require
from .._validation import check_choice, check_shares, numeric_column
from ..archive import _FREQS, _PANDAS_PERIOD, _TIME_UNITS
from ..archive import summarize as _summarize
from ..scoring import _criterion_values, default_criteria
from ..tiering import (
    TIER_SCHEMES,
    Concentration,
    _categorical,
    _cum,
    _values,
    labels_for_shares,
)
from ..tiering import concentration as _concentration

dd = require("dask.dataframe", "kamkit.dask")
dask = require("dask", "kamkit.dask")

__all__ = [
    "calibration_holdout",
    "concentration",
    "lifecycle_stages",
    "period_panel",
    "pyramid",
    "rfm_scores",
    "summarize",
    "transitions",
    "value_score",
]


# ------------------------------------------------------------------ helpers


def _check_frame(obj: Any, name: str, kind: str = "DataFrame") -> Any:
    cls = dd.DataFrame if kind == "DataFrame" else dd.Series
    if isinstance(obj, cls):
        return obj
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        raise TypeError(
            f"{name}: kamkit.dask expects a dask {kind}, got a pandas {type(obj).__name__}; "
            "call the kamkit function of the same name, or wrap it with "
            "dask.dataframe.from_pandas(..., npartitions=...)"
        )
    raise TypeError(f"{name}: expected a dask {kind}, got {type(obj).__name__}")


def _by_customer(frame: Any, customer: Hashable, partitioned: bool) -> Any:
    """The log with every customer's rows in one partition (and their input order kept)."""
    if partitioned:
        return frame

    def tag(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
        number = 0 if partition_info is None else int(partition_info["number"])
        return kern.tag_rows(part, number)

    meta = kern.tag_rows(frame._meta, 0)
    tagged = frame.map_partitions(tag, meta=meta)
    return tagged.shuffle(on=customer, npartitions=frame.npartitions)


def _bounds(
    frame: Any,
    customer: Hashable,
    date: Hashable,
    amount: Hashable | None = None,
    margin: Hashable | None = None,
) -> kern.LogBounds:
    parts = [
        dask.delayed(kern.bounds_part)(p, customer, date, amount, margin)
        for p in frame.to_delayed()
    ]
    return kern.merge_bounds(dask.compute(*parts))


def _tz(frame: Any, date: Hashable) -> Any:
    return kern.column_tz(frame._meta[date].dtype)


def _check_columns(frame: Any, columns: dict[str, Hashable | None]) -> None:
    for role, col in columns.items():
        if col is not None and col not in frame.columns:
            available = ", ".join(repr(c) for c in list(frame.columns)[:20])
            raise ValueError(
                f"transactions: the {role} column {col!r} is not in the frame; "
                f"its columns are {available or '(none)'}; pass {role}=<column name>"
            )


def _early_end(end: pd.Timestamp, first: Any, freq: str, what: str, date: Hashable) -> None:
    if kern._period_end_before(end, first, _PANDAS_PERIOD[freq]):
        raise ValueError(
            f"{what}: {end} falls before the first purchase ({first}) in column {date!r}; "
            "no transaction would be left"
        )


# --------------------------------------------------------- per customer


def summarize(
    transactions: Any,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable | None = None,
    margin: Hashable | None = None,
    observation_end: Any = None,
    *,
    missing: str = "raise",
    partitioned_by_customer: bool = False,
    **kwargs: Any,
) -> Any:
    """The customer archive of a dask transaction log: :func:`kamkit.summarize` per bucket.

    Parameters
    ----------
    transactions : dask DataFrame
        One row per transaction.
    customer, date, amount, margin, observation_end, missing
        As in :func:`kamkit.summarize`. Without ``observation_end``, one pass
        over the log finds its last date, which every bucket then uses.
    partitioned_by_customer : bool, default False
        The log is already partitioned by customer (every customer's rows in
        one partition, e.g. Parquet written by customer hash): skip the
        shuffle.
    **kwargs
        The other arguments of :func:`kamkit.summarize` (``granularity``,
        ``time_unit``, ``value_period``, ``order``, ``returns``, ...), passed to it as they are.

    Returns
    -------
    dask DataFrame
        Lazy, one partition per customer bucket, each indexed and sorted by
        customer id. Its rows, once computed and sorted by id, equal
        ``kamkit.summarize`` of the whole log.

    Warns
    -----
    MissingValuesWarning
        Once, with the counts of the whole log (``missing="drop"``).

    Examples
    --------
    >>> import dask.dataframe as dd, kamkit, kamkit.dask
    >>> log = dd.from_pandas(kamkit.datasets.load_cdnow_sample(), npartitions=4)
    >>> archive = kamkit.dask.summarize(log, amount="amount")  # doctest: +SKIP
    >>> archive.compute().sort_index().head()  # doctest: +SKIP
    """
    frame = _check_frame(transactions, "transactions")
    check_choice("missing", missing, ("raise", "drop"))
    _check_columns(frame, {"customer": customer, "date": date, "amount": amount, "margin": margin})
    freq = kern.granularity_of(kwargs)
    check_choice("granularity", freq, _FREQS)
    bounds = _bounds(frame, customer, date, amount, margin)
    bounds.check_missing(
        {"customer": customer, "date": date, "amount": amount, "margin": margin}, missing
    )
    tz = _tz(frame, date)
    if observation_end is None:
        end = None if pd.isna(bounds.last) else bounds.last
    else:
        end = observation_end
        _early_end(kern.wall_time(end, tz), bounds.first, freq, "observation_end", date)
    args = dict(amount=amount, margin=margin, missing=missing, **kwargs)
    empty = _summarize(frame._meta, customer, date, observation_end=end, **args)
    shuffled = _by_customer(frame, customer, partitioned_by_customer)
    return shuffled.map_partitions(
        kern.summarize_part,
        customer=customer,
        date=date,
        observation_end=end,
        empty=empty,
        meta=empty,
        **args,
    )


def calibration_holdout(
    transactions: Any,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    calibration_end: Any = None,
    observation_end: Any = None,
    amount: Hashable | None = None,
    granularity: str = "D",
    time_unit: str = "D",
    missing: str = "raise",
    *,
    partitioned_by_customer: bool = False,
    **kwargs: Any,
) -> Any:
    """Calibration summary plus holdout purchases of a dask log (see :func:`kamkit.calibration_holdout`).

    Parameters
    ----------
    transactions : dask DataFrame
    customer, date, calibration_end, observation_end, amount, granularity, time_unit, missing
        As in :func:`kamkit.calibration_holdout`.
    partitioned_by_customer : bool, default False
        As in :func:`summarize`.
    **kwargs
        The other arguments of :func:`kamkit.calibration_holdout`, passed to it.

    Returns
    -------
    dask DataFrame
        Lazy, one partition per customer bucket.
    """
    frame = _check_frame(transactions, "transactions")
    freq = kern.granularity_of({"granularity": granularity, **kwargs})
    kwargs.pop("freq", None)
    check_choice("granularity", freq, _FREQS)
    check_choice("time_unit", time_unit, tuple(_TIME_UNITS))
    check_choice("missing", missing, ("raise", "drop"))
    if calibration_end is None:
        raise ValueError("calibration_end: expected a date that ends the calibration period")
    _check_columns(frame, {"customer": customer, "date": date, "amount": amount})
    bounds = _bounds(frame, customer, date, amount)
    bounds.check_missing({"customer": customer, "date": date, "amount": amount}, missing)
    tz = _tz(frame, date)
    pfreq = _PANDAS_PERIOD[freq]
    cal = kern.wall_time(calibration_end, tz)
    _early_end(cal, bounds.first, freq, "calibration_end", date)
    end = bounds.last if observation_end is None else observation_end
    if pd.isna(end):
        end = cal
    end_wall = kern.wall_time(end, tz)
    cal_period = pd.Period(cal, freq=pfreq)
    obs_period = pd.Period(end_wall, freq=pfreq)
    if obs_period <= cal_period:
        raise ValueError(
            f"observation_end: expected a date in a later {freq} period than calibration_end "
            f"({cal_period}), got {obs_period}"
        )
    if not bounds.last >= cal_period.end_time.normalize() + pd.Timedelta(days=1):
        raise ValueError(
            f"no transaction falls between calibration_end ({cal_period}) and observation_end "
            f"({obs_period}) in column {date!r}"
        )
    duration = (obs_period.start_time - cal_period.start_time).days / _TIME_UNITS[time_unit]
    base = _summarize(
        frame._meta,
        customer,
        date,
        amount,
        observation_end=cal,
        granularity=freq,  # type: ignore[arg-type]
    )
    empty = base[[c for c in ("frequency", "recency", "T", "monetary_value") if c in base]]
    empty.columns = [f"{c}_cal" for c in empty.columns]
    empty = empty.assign(frequency_holdout=np.zeros(0))
    if amount is not None:
        empty = empty.assign(monetary_value_holdout=np.zeros(0))
    empty = empty.assign(duration_holdout=np.zeros(0))
    shuffled = _by_customer(frame, customer, partitioned_by_customer)
    return shuffled.map_partitions(
        kern.calibration_holdout_part,
        customer=customer,
        date=date,
        calibration_end=calibration_end,
        observation_end=end,
        duration=duration,
        empty=empty,
        amount=amount,
        granularity=freq,
        time_unit=time_unit,
        missing=missing,
        meta=empty,
        **kwargs,
    )


def period_panel(
    transactions: Any,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable | None = "amount",
    period: str = "M",
    value: str = "revenue",
    observation_end: Any = None,
    missing: str = "raise",
    *,
    partitioned_by_customer: bool = False,
) -> Any:
    """Customers x periods panel of a dask log (see :func:`kamkit.period_panel`).

    The periods run from the first purchase in the whole log to the
    observation end, in every partition.

    Returns
    -------
    dask DataFrame
        Lazy, one partition per customer bucket, one column per period.
    """
    frame = _check_frame(transactions, "transactions")
    check_choice("period", period, _FREQS)
    check_choice("value", value, ("revenue", "transactions"))
    check_choice("missing", missing, ("raise", "drop"))
    use_amount = amount if value == "revenue" else None
    if value == "revenue" and amount is None:
        raise ValueError(
            "amount: value='revenue' needs an amount column; pass amount=<column name> "
            "or value='transactions'"
        )
    _check_columns(frame, {"customer": customer, "date": date, "amount": use_amount})
    bounds = _bounds(frame, customer, date, use_amount)
    bounds.check_missing({"customer": customer, "date": date, "amount": use_amount}, missing)
    if pd.isna(bounds.first):
        raise ValueError("transactions: expected at least one row, found none")
    tz = _tz(frame, date)
    end = bounds.last if observation_end is None else observation_end
    end_wall = kern.wall_time(end, tz)
    if end_wall.normalize() < bounds.first.normalize():
        raise ValueError(
            f"observation_end: {end_wall} falls before the first purchase ({bounds.first}) "
            f"in column {date!r}; no transaction would be left"
        )
    columns = pd.period_range(
        pd.Period(bounds.first, freq=period), pd.Period(end_wall, freq=period), name="period"
    )
    index = _summarize(frame._meta, customer, date, observation_end=end).index
    dtype = np.float64 if value == "revenue" else np.int64
    empty = pd.DataFrame(np.zeros((0, len(columns)), dtype=dtype), index=index, columns=columns)
    last = pd.Period(end_wall, freq=period)
    empty.attrs.update(
        value=value,
        freq=period,
        observation_end=end_wall.normalize(),
        partial=bool(last.end_time.normalize() != end_wall.normalize()),
    )
    shuffled = _by_customer(frame, customer, partitioned_by_customer)
    return shuffled.map_partitions(
        kern.period_panel_part,
        customer=customer,
        date=date,
        observation_end=end,
        columns=columns,
        empty=empty,
        amount=amount,
        period=period,
        value=value,
        missing=missing,
        meta=empty,
    )


# ------------------------------------------------------------ per value


def _arrays(values: Any) -> list[Any]:
    """Delayed float64 arrays of a dask Series' partitions (checked as on one machine)."""
    return [dask.delayed(lambda s: _values(s)[1])(p) for p in values.to_delayed()]


_FAN_IN = 16


def _add(*parts: np.ndarray) -> np.ndarray:
    return np.sum(parts, axis=0)


def _merge_counts(*parts: pd.Series) -> pd.Series:
    return kern.merge_value_counts(list(parts))


def _tree(merge: Any, parts: list[Any]) -> Any:
    """Merge per-partition statistics on the workers, ``_FAN_IN`` at a time, then compute.

    The client receives one merged statistic, not one per partition.
    """
    while len(parts) > 1:
        parts = [
            dask.delayed(merge)(*parts[i : i + _FAN_IN]) for i in range(0, len(parts), _FAN_IN)
        ]
    return dask.compute(parts[0])[0] if parts else None


def _selection(arrays: list[Any]) -> Any:
    """A ``select(ranks)`` for :func:`kamkit._partitioned.pyramid_thresholds`."""

    def compute_top() -> np.ndarray:
        return _tree(_add, [dask.delayed(kern.top_histogram_part)(a) for a in arrays])

    def compute_mid(buckets: list[int]) -> np.ndarray:
        return _tree(_add, [dask.delayed(kern.mid_histogram_part)(a, buckets) for a in arrays])

    def compute_values(prefixes: list[int]) -> pd.Series:
        parts = [dask.delayed(kern.values_in_part)(a, prefixes) for a in arrays]
        return _tree(_merge_counts, parts)

    def select(ranks: Sequence[int]) -> list[tuple[float, int, int]]:
        return kern.Selection.run(list(ranks), compute_top, compute_mid, compute_values)

    return select


def pyramid(
    values: Any,
    shares: Sequence[float] | None = None,
    labels: str | Sequence[Any] = "vip",
    by: str = "count",
) -> Any:
    """The customer pyramid by count of a dask Series (see :func:`kamkit.pyramid`).

    Three passes find the values at the cuts exactly (a histogram of the top
    16 bits of every value, one of the next 16 bits in the buckets that hold
    a cut, then the distinct values of the sub-buckets that do), with the
    single-machine rule for ties; a lazy map then gives every customer its
    tier.

    Parameters
    ----------
    values : dask Series
    shares, labels
        As in :func:`kamkit.pyramid`.
    by : {"count"}
        Only tiers by count are available on dask.

    Returns
    -------
    dask Series
        Ordered categorical, partitioned like ``values``.
    """
    series = _check_frame(values, "values", "Series")
    if by != "count":
        raise ValueError(
            f"by: kamkit.dask.pyramid cuts by count only, found {by!r}; compute the tiers by "
            "value on one machine (kamkit.pyramid) from the collected values"
        )
    shares_t = TIER_SCHEMES["count"].default_shares if shares is None else check_shares(shares)
    labs = labels_for_shares(labels, shares_t)
    arrays = _arrays(series)
    n = int(sum(dask.compute(*[dask.delayed(len)(a) for a in arrays])))
    thresholds, strict = kern.pyramid_thresholds(n, _cum(shares_t), _selection(arrays))
    name = series.name
    meta = _categorical(np.zeros(0, np.int16), labs, series._meta.index, name)

    def tiers(part: pd.Series) -> pd.Series:
        s, arr = _values(part)
        codes = kern.codes_at_least(arr, thresholds, strict)
        return _categorical(codes, labs, s.index, s.name)

    return series.map_partitions(tiers, meta=meta)


def concentration(values: Any, negative: str = "raise") -> Concentration:
    """Concentration of value (Gini, Lorenz curve, top shares) of a dask Series.

    The distinct values and their counts are gathered on the client (one
    float and one count per distinct value), and the single-machine
    :func:`kamkit.concentration` runs on them: the result is the same object
    with the same numbers.

    Parameters
    ----------
    values : dask Series
    negative : {"raise", "clip", "drop"}
        As in :func:`kamkit.concentration`.

    Returns
    -------
    Concentration
    """
    series = _check_frame(values, "values", "Series")
    check_choice("negative", negative, ("raise", "clip", "drop"))

    def part(s: pd.Series) -> tuple[pd.Series, int, int]:
        arr = _values(s)[1]
        neg = arr < 0
        nneg = int(neg.sum())
        if nneg:
            arr = np.where(neg, 0.0, arr) if negative == "clip" else arr[~neg]
        uniq, counts = np.unique(arr, return_counts=True)
        return pd.Series(counts.astype(np.int64), index=uniq), nneg, len(s)

    parts = dask.compute(*[dask.delayed(part)(p) for p in series.to_delayed()])
    nneg = sum(p[1] for p in parts)
    n_all = sum(p[2] for p in parts)
    if nneg and negative == "raise":
        raise ValueError(
            f"values: found {nneg} of {n_all} negative values (net returns?); pass "
            "negative='clip' to count them as 0 or negative='drop' to leave them out"
        )
    counts = kern.merge_value_counts([p[0] for p in parts])
    arr = np.repeat(counts.index.to_numpy(dtype=np.float64), counts.to_numpy())
    out = _concentration(pd.Series(arr))
    out.n_negative = nneg
    return out


def value_score(
    archive: Any,
    criteria: Mapping[Any, float] | None = None,
    method: str = "minmax",
    missing: str = "raise",
    *,
    scale: str = "percentile",
) -> Any:
    """Weighted multi-criteria value score of a dask archive (see :func:`kamkit.value_score`).

    One pass gathers each criterion's range and missing values (and, for
    ``missing="median"``, a selection pass its exact median); a lazy map then
    scores every partition on the global ranges.

    Parameters
    ----------
    archive : dask DataFrame
    criteria, missing, scale
        As in :func:`kamkit.value_score`. ``scale="percentile"`` ranks the
        weighted scores among all customers: the client gathers their
        distinct values and counts (one pass more over the archive).
    method : {"minmax", "zscore", "rank"}
        As in :func:`kamkit.value_score`. "minmax" gives the same bits;
        "zscore" sums in another order (equal within 1e-12 relative);
        "rank" gathers each criterion's distinct values and their counts
        on the client (one float and one count per distinct value).

    Returns
    -------
    dask Series
        ``value_score``, partitioned like ``customers``.
    """
    frame = _check_frame(archive, "archive")
    check_choice("scale", scale, ("percentile", "minmax"))
    check_choice("method", method, ("minmax", "zscore", "rank"))
    check_choice("missing", missing, ("raise", "zero", "median"))
    if criteria is None:
        criteria = default_criteria(frame._meta)
    if not isinstance(criteria, Mapping) or len(criteria) == 0:
        raise TypeError(
            "criteria: expected a non-empty mapping of criterion to weight, e.g. "
            "{'revenue': 0.6, 'overdue_days': -0.4}"
        )
    keys = list(criteria)
    weights = np.empty(len(keys), dtype=np.float64)
    for j, key in enumerate(keys):
        try:
            weights[j] = float(criteria[key])
        except (TypeError, ValueError):
            raise TypeError(
                f"criteria[{key!r}]: expected a number, found {criteria[key]!r}"
            ) from None
        if not np.isfinite(weights[j]):
            raise ValueError(
                f"criteria[{key!r}]: expected a finite weight, found {criteria[key]!r}"
            )
    if not np.any(weights != 0):
        raise ValueError("criteria: the weights are all zero; give at least one a weight")

    def raw(part: pd.DataFrame) -> list[np.ndarray]:
        return [
            numeric_column(_criterion_values(part, k), column=str(k), allow_missing=True)
            for k in keys
        ]

    def stats(part: pd.DataFrame) -> np.ndarray:
        out = np.empty((len(keys), 4))
        for j, a in enumerate(raw(part)):
            ok = a[~np.isnan(a)]
            out[j] = (
                len(a),
                len(a) - len(ok),
                ok.min() if len(ok) else np.inf,
                ok.max() if len(ok) else -np.inf,
            )
        return out

    parts = frame.to_delayed()
    st = dask.compute(*[dask.delayed(stats)(p) for p in parts])
    n = int(sum(s[0, 0] for s in st))
    nan = [int(sum(s[j, 1] for s in st)) for j in range(len(keys))]
    lo = np.array([min(s[j, 2] for s in st) for j in range(len(keys))])
    hi = np.array([max(s[j, 3] for s in st) for j in range(len(keys))])
    fills = np.zeros(len(keys))
    for j, key in enumerate(keys):
        if not nan[j]:
            continue
        if missing == "raise":
            raise ValueError(
                f"criterion '{key}': found {nan[j]} of {n} missing values; "
                "pass missing='zero' or missing='median' to fill them, or fill the column yourself"
            )
        if nan[j] == n:
            raise ValueError(
                f"criterion '{key}': all {nan[j]} values are missing; nothing to fill from"
            )
        if missing == "median":
            arrays = [dask.delayed(_present)(raw, p, j) for p in parts]
            m = n - nan[j]
            ranks = sorted({(m - 1) // 2, m // 2})
            picked = dict(zip(ranks, _selection(arrays)(ranks), strict=True))
            a, b = picked[(m - 1) // 2][0], picked[m // 2][0]
            fills[j] = float(np.median(np.array([a, b]))) if a != b else a
        lo[j] = min(lo[j], fills[j])
        hi[j] = max(hi[j], fills[j])

    def filled(part: pd.DataFrame) -> list[np.ndarray]:
        return [
            np.where(np.isnan(a), fills[j], a) if nan[j] else a for j, a in enumerate(raw(part))
        ]

    used = [j for j in range(len(keys)) if weights[j] != 0]
    extra: dict[int, Any] = {}
    if method == "zscore":
        sums = dask.compute(
            *[dask.delayed(lambda p: [a.sum() for a in filled(p)])(p) for p in parts]
        )
        means = [sum(s_[j] for s_ in sums) / n for j in range(len(keys))]

        def squares(p: pd.DataFrame) -> list[float]:
            return [float(((a - means[j]) * (a - means[j])).sum()) for j, a in enumerate(filled(p))]

        ss = dask.compute(*[dask.delayed(squares)(p) for p in parts])
        for j in used:
            extra[j] = (means[j], np.sqrt(sum(s_[j] for s_ in ss) / n))
    elif method == "rank":
        for j in used:
            counts = kern.merge_value_counts(
                dask.compute(*[dask.delayed(_value_counts)(filled, p, j) for p in parts])
            )
            extra[j] = kern.rank_table(counts)

    def score(part: pd.DataFrame) -> pd.Series:
        arrays = filled(part)
        if method == "minmax":
            out = kern.value_score_part(part, arrays, lo, hi, weights, method)
        else:
            out = kern.score_from_stats(arrays, weights, method, extra, lo, hi, n)
        return pd.Series(out, index=part.index, name="value_score")

    meta = pd.Series([], index=frame._meta.index, dtype=np.float64, name="value_score")
    weighted = frame.map_partitions(score, meta=meta)
    if scale == "minmax":
        return weighted
    parts = weighted.to_delayed()
    counts = kern.merge_value_counts(dask.compute(*[dask.delayed(_counts_of)(p) for p in parts]))
    values, pct = kern.rank_table(counts)

    def percentile(part: pd.Series) -> pd.Series:
        out = np.multiply(pct[np.searchsorted(values, part.to_numpy())], 100.0)
        return pd.Series(out, index=part.index, name="value_score")

    return weighted.map_partitions(percentile, meta=meta)


def _counts_of(part: pd.Series) -> pd.Series:
    uniq, counts = np.unique(part.to_numpy(), return_counts=True)
    return pd.Series(counts.astype(np.int64), index=uniq)


def _value_counts(filled: Any, part: pd.DataFrame, j: int) -> pd.Series:
    """Distinct values of criterion ``j`` of a partition and their counts."""
    uniq, counts = np.unique(filled(part)[j], return_counts=True)
    return pd.Series(counts.astype(np.int64), index=uniq)


def _present(raw: Any, part: pd.DataFrame, j: int) -> np.ndarray:
    """The values of criterion ``j`` of a partition that are not missing."""
    a = raw(part)[j]
    return a[~np.isnan(a)]


# ---------------------------------------------------------------- lifecycle


def lifecycle_stages(panel: Any, *, partial: bool | None = None, **rules: Any) -> Any:
    """Lifecycle stages of a dask panel (see :func:`kamkit.lifecycle_stages`), per partition.

    Parameters
    ----------
    panel : dask DataFrame
        From :func:`period_panel` (which records whether the last period is
        partial for the whole log).
    partial : bool, optional
        Whether the last period is partial; default: the panel's.
    **rules
        ``new_periods``, ``window``, ``growth``, ``decline``,
        ``churn_periods``, as in :func:`kamkit.lifecycle_stages`.

    Returns
    -------
    dask DataFrame
        Lazy, partitioned like ``panel``.
    """
    from ..lifecycle import lifecycle_stages as _stages

    frame = _check_frame(panel, "panel")
    if partial is None:
        if "partial" not in frame._meta.attrs:
            raise ValueError(
                "partial: the panel does not say whether its last period is partial; build it "
                "with kamkit.dask.period_panel or pass partial=True/False"
            )
        partial = bool(frame._meta.attrs["partial"])
    one = pd.DataFrame(np.zeros((1, frame.shape[1])), columns=frame.columns)
    meta = _stages(one, partial=partial, **rules).iloc[:0]
    meta.index = frame._meta.index

    def part(p: pd.DataFrame) -> pd.DataFrame:
        if len(p) == 0:
            out = meta.copy()
            out.index = p.index
            return out
        return _stages(p, partial=partial, **rules)

    return frame.map_partitions(part, meta=meta)


def transitions(states: Any, by_period: bool = False) -> Any:
    """Moves between consecutive periods of a dask states frame (see :func:`kamkit.transitions`).

    Each partition's count matrix is computed where it lies; the client adds
    them (aligned by state) and derives the probabilities.

    Returns
    -------
    Transitions
        The pandas result.
    """
    from ..lifecycle import Transitions
    from ..lifecycle import transitions as _transitions
    from ..lifecycle.markov import _probabilities

    frame = _check_frame(states, "states")
    if frame.shape[1] < 2:
        raise ValueError(f"states: expected at least two period columns, found {frame.shape[1]}")

    def part(p: pd.DataFrame) -> pd.DataFrame | None:
        if len(p) == 0:
            return None
        return _transitions(p, by_period).counts

    counts = [
        c
        for c in dask.compute(*[dask.delayed(part)(p) for p in frame.to_delayed()])
        if c is not None
    ]
    if not counts:
        return _transitions(frame._meta, by_period)
    dtypes = list(frame._meta.dtypes)
    if isinstance(dtypes[0], pd.CategoricalDtype) and all(d == dtypes[0] for d in dtypes):
        labels = pd.Index(dtypes[0].categories)
    else:
        labels = counts[0].columns
        for c in counts[1:]:
            labels = labels.union(c.columns)
    labels = pd.Index(labels, name="to")
    if by_period:
        cols = frame.columns
        n = len(labels)
        pairs = len(cols) - 1
        index = pd.MultiIndex.from_arrays(
            [
                np.repeat(np.asarray(cols[:-1], dtype=object), n),
                np.repeat(np.asarray(cols[1:], dtype=object), n),
                np.tile(np.asarray(labels, dtype=object), pairs),
            ],
            names=["period_from", "period_to", "from"],
        )
    else:
        index = pd.Index(labels, name="from")
    total = np.zeros((len(index), len(labels)), dtype=counts[0].to_numpy().dtype)
    for c in counts:
        total += c.reindex(index=index, columns=labels, fill_value=0).to_numpy()
    shaped = total.reshape(-1, len(labels), len(labels)) if by_period else total
    probs, observed = _probabilities(shaped)
    return Transitions(
        counts=pd.DataFrame(total, index=index, columns=labels),
        probabilities=pd.DataFrame(probs.reshape(total.shape), index=index, columns=labels),
        observed=pd.Series(observed.ravel(), index=index, name="observed"),
    )


# ---------------------------------------------------------------------- RFM


def rfm_scores(
    archive: Any,
    bins: int = 5,
    monetary: str = "revenue",
    frequency: str = "frequency",
    segments: Any = "rf11",
) -> Any:
    """R, F and M scores of a dask archive (see :func:`kamkit.rfm_scores`).

    The cuts depend on the runs of equal values: the client gathers each
    score column's distinct values and their counts, finds the cuts with the
    single-machine rule, and a lazy map scores every partition.

    Returns
    -------
    dask DataFrame
        ``R``, ``F``, ``M``, ``rfm`` and ``segment``, partitioned like ``archive``.
    """
    from .._native import core as _core
    from ..scoring import rfm_scores as _rfm

    frame = _check_frame(archive, "archive")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins: expected a positive integer, found {bins!r}")
    bins = int(bins)
    meta = _rfm(frame._meta, bins, monetary, frequency, segments)

    def columns(p: pd.DataFrame) -> list[np.ndarray]:
        rec = numeric_column(p["recency"], column="recency")
        T = numeric_column(p["T"], column="T")
        return [
            -(T - rec),
            numeric_column(p[frequency], column=frequency),
            numeric_column(p[monetary], column=monetary),
        ]

    def counts(p: pd.DataFrame) -> list[pd.Series]:
        out = []
        for a in columns(p):
            uniq, c = np.unique(a, return_counts=True)
            out.append(pd.Series(c.astype(np.int64), index=uniq))
        return out

    parts = dask.compute(*[dask.delayed(counts)(p) for p in frame.to_delayed()])
    cuts: list[tuple[list[float], list[bool]]] = []
    for j in range(3):
        vc = kern.merge_value_counts([p[j] for p in parts]).sort_index(ascending=False)
        desc = np.ascontiguousarray(np.repeat(vc.index.to_numpy(dtype=np.float64), vc.to_numpy()))
        if len(desc) == 0:
            cuts.append(([], []))
            continue
        c = [int(x) for x in _core.balanced_cuts(desc, bins)]
        cuts.append(([np.inf if k == 0 else desc[k - 1] for k in c], [k == 0 for k in c]))

    def part(p: pd.DataFrame) -> pd.DataFrame:
        cols = columns(p)
        r, f, m = (
            kern.codes_at_least(a, t, st).astype(np.int16) + 1
            for a, (t, st) in zip(cols, cuts, strict=True)
        )
        return kern.rfm_table(p.index, r, f, m, bins, segments)

    return frame.map_partitions(part, meta=meta)
