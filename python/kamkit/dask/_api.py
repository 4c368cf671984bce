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
    "period_panel",
    "pyramid",
    "summarize",
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
        The other arguments of :func:`kamkit.summarize` (``freq``,
        ``time_unit``, ``period``, ...), passed to it as they are.

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
    freq = kwargs.get("freq", "D")
    check_choice("freq", freq, _FREQS)
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
    freq: str = "D",
    time_unit: str = "D",
    missing: str = "raise",
    *,
    partitioned_by_customer: bool = False,
) -> Any:
    """Calibration summary plus holdout purchases of a dask log (see :func:`kamkit.calibration_holdout`).

    Parameters
    ----------
    transactions : dask DataFrame
    customer, date, calibration_end, observation_end, amount, freq, time_unit, missing
        As in :func:`kamkit.calibration_holdout`.
    partitioned_by_customer : bool, default False
        As in :func:`summarize`.

    Returns
    -------
    dask DataFrame
        Lazy, one partition per customer bucket.
    """
    frame = _check_frame(transactions, "transactions")
    check_choice("freq", freq, _FREQS)
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
        freq=freq,
        time_unit=time_unit,
        missing=missing,
        meta=empty,
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


def _selection(arrays: list[Any]) -> Any:
    """A ``select(ranks)`` for :func:`kamkit._partitioned.pyramid_thresholds`."""

    def compute_top() -> np.ndarray:
        parts = [dask.delayed(kern.top_histogram_part)(a) for a in arrays]
        return np.sum(dask.compute(*parts), axis=0)

    def compute_mid(buckets: list[int]) -> np.ndarray:
        parts = [dask.delayed(kern.mid_histogram_part)(a, buckets) for a in arrays]
        return np.sum(dask.compute(*parts), axis=0)

    def compute_values(prefixes: list[int]) -> pd.Series:
        parts = [dask.delayed(kern.values_in_part)(a, prefixes) for a in arrays]
        return kern.merge_value_counts(dask.compute(*parts))

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
    customers: Any,
    criteria: Mapping[Any, float] | None = None,
    method: str = "minmax",
    missing: str = "raise",
) -> Any:
    """Weighted multi-criteria value score of a dask archive (see :func:`kamkit.value_score`).

    One pass gathers each criterion's range and missing values (and, for
    ``missing="median"``, a selection pass its exact median); a lazy map then
    scores every partition on the global ranges.

    Parameters
    ----------
    customers : dask DataFrame
    criteria, missing
        As in :func:`kamkit.value_score`.
    method : {"minmax"}
        Min-max scaling (the other methods are not available on dask yet).

    Returns
    -------
    dask Series
        ``value_score``, partitioned like ``customers``.
    """
    frame = _check_frame(customers, "customers")
    check_choice("method", method, ("minmax", "zscore", "rank"))
    check_choice("missing", missing, ("raise", "zero", "median"))
    if method != "minmax":
        raise ValueError(
            f"method: kamkit.dask.value_score scores by 'minmax' only, found {method!r}; "
            "collect the archive and call kamkit.value_score for the other methods"
        )
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

    def score(part: pd.DataFrame) -> pd.Series:
        arrays = []
        for j, a in enumerate(raw(part)):
            arrays.append(np.where(np.isnan(a), fills[j], a) if nan[j] else a)
        out = kern.value_score_part(part, arrays, lo, hi, weights, method)
        return pd.Series(out, index=part.index, name="value_score")

    meta = pd.Series([], index=frame._meta.index, dtype=np.float64, name="value_score")
    return frame.map_partitions(score, meta=meta)


def _present(raw: Any, part: pd.DataFrame, j: int) -> np.ndarray:
    """The values of criterion ``j`` of a partition that are not missing."""
    a = raw(part)[j]
    return a[~np.isnan(a)]
