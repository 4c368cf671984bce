"""Value scores (客户价值评分).

Weighted multi-criteria scores, RFM scores and per-customer profitability.

Every criterion goes through one registry (:func:`register_criterion`); the
textbook factors are registered the same way a user's own criterion is.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._deprecation import renamed
from ._native import core as _core
from ._validation import (
    check_choice,
    check_columns,
    check_count,
    check_frame,
    numeric_column,
)

__all__ = [
    "CRITERIA",
    "SEGMENT_MAPS",
    "MissingCriterionWarning",
    "RF_SEGMENT_GRID",
    "default_criteria",
    "profitability",
    "register_criterion",
    "register_segment_map",
    "rfm_scores",
    "segment_map_from_grid",
    "value_score",
]

# ----------------------------------------------------------------- criteria


@dataclass(frozen=True)
class Criterion:
    """A named criterion: ``func(customers) -> Series`` aligned with the customers."""

    name: str
    func: Callable[[pd.DataFrame], Any]  # a Series, or values in the customers' order
    description: str = ""


#: Registered criteria by name (see :func:`register_criterion`).
CRITERIA: dict[str, Criterion] = {}


def register_criterion(
    name: str,
    func: Callable[[pd.DataFrame], Any],
    *,
    description: str = "",
    replace: bool = False,
) -> None:
    """Register a criterion that :func:`value_score` can weigh by name.

    Parameters
    ----------
    name : str
        Name used as a key of ``criteria``.
    func : callable
        ``func(customers)`` returns one number per customer (a Series aligned
        with ``customers.index``, or an array of the same length).
    description : str, optional
        One line shown in ``CRITERIA[name].description``.
    replace : bool, default False
        Allow replacing a registered criterion.

    Raises
    ------
    ValueError
        If ``name`` is taken and ``replace`` is False.
    TypeError
        If ``func`` is not callable.

    Examples
    --------
    >>> import kamkit
    >>> kamkit.register_criterion(
    ...     "orders_per_week", lambda c: c["n_transactions"] / (c["T"] / 7 + 1)
    ... )
    """
    if not callable(func):
        raise TypeError(f"criterion {name!r}: expected a callable, found {type(func).__name__}")
    if name in CRITERIA and not replace:
        raise ValueError(f"criterion {name!r} is already registered; pass replace=True")
    CRITERIA[name] = Criterion(name, func, description)


def _column(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    def get(customers: pd.DataFrame) -> pd.Series:
        check_columns(customers, [name])
        return customers[name]

    return get


def _margin_rate(customers: pd.DataFrame) -> pd.Series:
    if "margin_rate" in customers.columns:
        return customers["margin_rate"]
    check_columns(customers, ["margin", "revenue"])
    rev = numeric_column(customers["revenue"], column="revenue", allow_missing=True)
    mar = numeric_column(customers["margin"], column="margin", allow_missing=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(rev != 0, mar / np.where(rev != 0, rev, 1.0), np.nan)
    return pd.Series(rate, index=customers.index, name="margin_rate")


#: Letter grades of credit_rating, best first (AAA = 10 ... D = 1).
RATING_SCALE = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")


def _credit_rating(customers: pd.DataFrame) -> pd.Series:
    check_columns(customers, ["credit_rating"])
    r = customers["credit_rating"]
    if isinstance(r.dtype, pd.CategoricalDtype) and r.cat.ordered:
        codes = r.cat.codes.astype(float).where(r.notna())
        return pd.Series(codes.to_numpy(), index=customers.index, name="credit_rating")
    if pd.api.types.is_numeric_dtype(r.dtype):
        return r
    points = {g: float(len(RATING_SCALE) - i) for i, g in enumerate(RATING_SCALE)}
    text = r.astype("string").str.strip().str.upper()
    mapped = text.map(points)
    bad = mapped.isna() & r.notna()
    if bad.any():
        raise ValueError(
            f"column 'credit_rating': expected numbers (higher is safer), an ordered "
            f"categorical or grades {', '.join(RATING_SCALE)}; found {int(bad.sum())} rows "
            f"that are none of these (first: {r[bad].iloc[0]!r})"
        )
    return pd.Series(mapped.to_numpy(dtype=float, na_value=np.nan), index=customers.index)


for _name, _desc in [
    ("revenue", "cumulative revenue"),
    ("avg_period_revenue", "average revenue per period"),
    ("growth", "revenue growth of the last full period"),
    ("credit_limit", "credit limit granted (higher: judged safer)"),
    ("receivables", "open receivables (lower is better)"),
    ("overdue_days", "days overdue (lower is better)"),
]:
    register_criterion(_name, _column(_name), description=_desc)
register_criterion("margin_rate", _margin_rate, description="profit margin rate (margin / revenue)")
register_criterion(
    "credit_rating", _credit_rating, description="credit rating (numbers, ordered or AAA..D)"
)

#: Weights of the textbook value factors (cumulative revenue, average revenue
#: per period, profit margin rate, growth) and of the credit columns, which
#: share 0.20 between them. Negative: lower is better.
DEFAULT_WEIGHTS: dict[str, float] = {
    "revenue": 0.30,
    "avg_period_revenue": 0.20,
    "margin_rate": 0.20,
    "growth": 0.10,
}
CREDIT_DIRECTIONS: dict[str, float] = {
    "credit_limit": 1.0,
    "receivables": -1.0,
    "overdue_days": -1.0,
    "credit_rating": 1.0,
}
CREDIT_WEIGHT = 0.20


class MissingCriterionWarning(UserWarning):
    """A scoring criterion no customer has a value for was left out of the score.

    Examples
    --------
    >>> import warnings, pandas as pd, kamkit
    >>> archive = pd.DataFrame({"revenue": [10.0, 20.0, 30.0], "growth": [float("nan")] * 3})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     score = kamkit.value_score(archive, {"revenue": 1.0, "growth": 1.0}, missing="median")
    >>> [w.category.__name__ for w in caught]
    ['MissingCriterionWarning']
    """


@renamed(customers="archive")
def default_criteria(archive: pd.DataFrame) -> dict[str, float]:
    """The default criteria for the columns `customers` has.

    Cumulative revenue (0.30), average revenue per period (0.20), profit margin
    rate (0.20, when ``margin_rate`` or ``margin`` is there) and growth (0.10);
    credit columns (``credit_limit`` +, ``receivables`` -, ``overdue_days`` -,
    ``credit_rating`` +) share 0.20 when present.

    Parameters
    ----------
    archive : DataFrame
        The customer archive (:func:`kamkit.summarize`), possibly with credit columns.

    Returns
    -------
    dict
        Criterion name to signed weight.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> kamkit.default_criteria(pd.DataFrame(columns=["revenue", "growth"]))
    {'revenue': 0.3, 'growth': 0.1}
    """
    check_frame(archive, "archive")
    cols = set(archive.columns)
    out: dict[str, float] = {}
    for name, w in DEFAULT_WEIGHTS.items():
        present = name in cols or (name == "margin_rate" and "margin" in cols)
        if present:
            out[name] = w
    credit = [c for c in CREDIT_DIRECTIONS if c in cols]
    for c in credit:
        out[c] = CREDIT_DIRECTIONS[c] * CREDIT_WEIGHT / len(credit)
    if not out:
        raise ValueError(
            "archive: none of the default criteria columns (revenue, avg_period_revenue, "
            "margin/margin_rate, growth, credit_*) is there; pass criteria={'column': weight}"
        )
    return out


def _criterion_values(customers: pd.DataFrame, key: Any) -> pd.Series:
    if isinstance(key, str) and key in CRITERIA:
        out = CRITERIA[key].func(customers)
    elif key in customers.columns:
        out = customers[key]
    else:
        known = ", ".join(sorted(CRITERIA))
        raise ValueError(
            f"criterion {key!r}: not a registered criterion ({known}) and not a column of "
            "customers; compute the column first or register it with kamkit.register_criterion"
        )
    if isinstance(out, pd.Series):
        if not out.index.equals(customers.index):
            raise ValueError(
                f"criterion {key!r}: its values are not aligned with the customers' index; "
                "return a Series indexed like customers"
            )
        return out
    arr = np.asarray(out)
    if arr.shape != (len(customers),):
        raise ValueError(
            f"criterion {key!r}: expected {len(customers)} values, found shape {arr.shape}"
        )
    return pd.Series(arr, index=customers.index)


def _fill_missing(arr: np.ndarray, name: str, missing: str) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # a sum that overflows: look closer
        if np.isfinite(np.add.reduce(arr)):  # no NaN (one pass, no temporary)
            return arr
    nan = np.isnan(arr)
    nnan = int(np.count_nonzero(nan))
    if not nnan:
        return arr
    if missing == "raise":
        raise ValueError(
            f"criterion '{name}': found {nnan} of {len(arr)} missing values; "
            "pass missing='zero' or missing='median' to fill them, or fill the column yourself"
        )
    if nnan == len(arr):
        raise ValueError(f"criterion '{name}': all {nnan} values are missing; nothing to fill from")
    fill = 0.0 if missing == "zero" else float(np.median(arr[~nan]))
    return np.where(nan, fill, arr)


@renamed(customers="archive")
def value_score(
    archive: pd.DataFrame,
    criteria: Mapping[Any, float] | None = None,
    method: str = "minmax",
    missing: str = "raise",
    credit: pd.DataFrame | None = None,
    scale: str = "percentile",
) -> pd.Series:
    """Weighted multi-criteria value score from 0 to 100: 50 is a typical customer.

    Each criterion is normalised to 0..1 (higher is better), turned round
    (``1 - s``) when its weight is negative, and the scores are averaged with
    the weights divided by the sum of their absolute values: the *weighted
    score*. By default (``scale="percentile"``) the weighted score is then
    read as a percentile among the customers scored: 100 * (average rank - 1)
    / (n - 1), so the best customer scores 100, the worst 0, the median
    customer 50, and a score of 80 means "better than 80 % of the customers".
    Equal weighted scores share their average rank, so ties keep equal
    scores; a single customer scores 50. The percentile is a monotone map of
    the weighted score: the order of customers, and so any tiers cut by count
    (:func:`kamkit.pyramid` with ``by="count"``), are the same on both scales.
    ``scale="minmax"`` returns the weighted score itself (the scale kamkit used before;
    0 = worst on every criterion, 100 = best on every criterion; on
    skewed data such as revenue most customers score near 0).

    Parameters
    ----------
    archive : DataFrame
        One row per customer, e.g. the archive from :func:`kamkit.summarize`.
    criteria : mapping, optional
        Criterion to weight. A criterion is a registered name
        (:data:`CRITERIA`, :func:`register_criterion`) or any column of
        ``archive``. A negative weight means lower is better. Default:
        :func:`default_criteria`.
    method : {"minmax", "zscore", "rank"}
        "minmax": (x - min) / (max - min); "zscore": the normal CDF of the
        z-score (ddof 0); "rank": percentile (average rank - 1) / (n - 1),
        with ties sharing a rank. A constant criterion scores 0.5.
    missing : {"raise", "zero", "median"}
        What to do with missing criterion values. With "zero" or "median", a
        criterion missing for every customer (``growth`` on a log shorter than
        two full periods) is left out with a :class:`MissingCriterionWarning`
        naming it.
    credit : DataFrame, optional
        Credit table indexed by customer id with any of ``credit_limit``,
        ``receivables``, ``overdue_days``, ``credit_rating``. Its columns are
        joined onto ``archive`` (customers it lacks get missing values).
    scale : {"percentile", "minmax"}, default "percentile"
        "percentile": the percentile of the weighted score among the
        customers (50 = median customer, 100 = best); "minmax": the weighted
        score itself.

    Returns
    -------
    Series
        ``value_score`` per customer, float in [0, 100], aligned with ``archive``.

    Raises
    ------
    TypeError
        If ``archive`` is not a DataFrame or a criterion is not numeric.
    ValueError
        On unknown criteria, missing values with ``missing="raise"``,
        infinite values or all-zero weights.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> c = pd.DataFrame({"revenue": [10.0, 20.0, 30.0], "overdue_days": [0, 30, 0]})
    >>> kamkit.value_score(c, {"revenue": 1, "overdue_days": -1}, scale="minmax").tolist()
    [50.0, 25.0, 100.0]
    >>> kamkit.value_score(c, {"revenue": 1, "overdue_days": -1}).tolist()
    [50.0, 0.0, 100.0]
    """
    check_frame(archive, "archive")
    check_choice("method", method, ("minmax", "zscore", "rank"))
    check_choice("missing", missing, ("raise", "zero", "median"))
    check_choice("scale", scale, ("percentile", "minmax"))
    if credit is not None:
        check_frame(credit, "credit")
        cols = [c for c in CREDIT_DIRECTIONS if c in credit.columns]
        if not cols:
            raise ValueError(
                "credit: expected at least one of the columns credit_limit, receivables, "
                f"overdue_days, credit_rating; found {list(credit.columns)}"
            )
        extra = int((~credit.index.isin(archive.index)).sum())
        if extra:
            warnings.warn(
                f"credit: {extra} rows belong to no customer of `archive` and are not used",
                UserWarning,
                stacklevel=2,
            )
        archive = archive.drop(columns=[c for c in cols if c in archive.columns])
        archive = archive.join(credit[cols], how="left")
    if criteria is None:
        criteria = default_criteria(archive)
    if not isinstance(criteria, Mapping) or len(criteria) == 0:
        raise TypeError(
            "criteria: expected a non-empty mapping of criterion to weight, e.g. "
            "{'revenue': 0.6, 'overdue_days': -0.4}"
        )
    n = len(archive)
    cols_arr: list[np.ndarray] = []  # views of the columns where the dtype allows
    left_out: list[str] = []
    weights = np.empty(len(criteria), dtype=np.float64)
    for j, (key, w) in enumerate(criteria.items()):
        try:
            weights[j] = float(w)
        except (TypeError, ValueError):
            raise TypeError(f"criteria[{key!r}]: expected a number, found {w!r}") from None
        if not np.isfinite(weights[j]):
            raise ValueError(f"criteria[{key!r}]: expected a finite weight, found {w!r}")
        values = _criterion_values(archive, key)
        arr = numeric_column(values, column=str(key), allow_missing=True)
        if missing != "raise" and n and weights[j] != 0 and np.isnan(arr).all():
            # Nothing to fill from (growth on a log shorter than two periods):
            # the criterion is left out and the others keep their weights.
            left_out.append(str(key))
            weights[j] = 0.0
            cols_arr.append(np.zeros(n))
            continue
        cols_arr.append(np.ascontiguousarray(_fill_missing(arr, str(key), missing)))
    if left_out:
        if not np.any(weights != 0):
            raise ValueError(
                f"criteria: every weighted criterion ({', '.join(left_out)}) is missing for "
                f"all {n} customers; nothing to score"
            )
        warnings.warn(
            f"criteria: {', '.join(repr(k) for k in left_out)} missing for all {n} customers "
            "(growth needs two full periods); left out of the score, the other criteria "
            "keep their weights",
            MissingCriterionWarning,
            stacklevel=2,
        )
    if not np.any(weights != 0):
        raise ValueError("criteria: the weights are all zero; give at least one a weight")
    if n == 0:
        return pd.Series([], index=archive.index, dtype=np.float64, name="value_score")
    score = _core.value_score(cols_arr, weights, method)
    if scale == "percentile":
        score = np.multiply(_core.normalize(score, "rank"), 100.0)
    # The score array is ours: wrap it without the constructor's copy.
    return pd.Series(score, index=archive.index, name="value_score", copy=False)


# ---------------------------------------------------------------------- RFM

#: The named RF segments on a 5 x 5 grid: row r-1 is recency score r (5 =
#: most recent), column f-1 is frequency score f (5 = most frequent).
RF_SEGMENT_GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "lost", "at risk", "at risk", "can't lose"),
    ("hibernating", "hibernating", "at risk", "at risk", "can't lose"),
    ("about to sleep", "about to sleep", "need attention", "loyal", "loyal"),
    ("promising", "potential loyalist", "potential loyalist", "loyal", "loyal"),
    ("new", "potential loyalist", "potential loyalist", "champions", "champions"),
)
RF_SEGMENTS = (
    "champions",
    "loyal",
    "potential loyalist",
    "new",
    "promising",
    "need attention",
    "about to sleep",
    "at risk",
    "can't lose",
    "hibernating",
    "lost",
)


@dataclass(frozen=True)
class SegmentMap:
    """``func(R, F, M, bins) -> labels`` and the segment names in display order."""

    name: str
    func: Callable[[np.ndarray, np.ndarray, np.ndarray, int], Any]
    categories: tuple[str, ...] | None = None


#: Registered segment maps by name (see :func:`register_segment_map`).
SEGMENT_MAPS: dict[str, SegmentMap] = {}


def register_segment_map(
    name: str,
    func: Callable[[np.ndarray, np.ndarray, np.ndarray, int], Any],
    categories: tuple[str, ...] | list[str] | None = None,
    *,
    replace: bool = False,
) -> None:
    """Register a segment map for :func:`rfm_scores`.

    Parameters
    ----------
    name : str
        Name to pass as ``rfm_scores(..., segments=name)``.
    func : callable
        ``func(R, F, M, bins)`` with integer score arrays (1..bins, bins best)
        returns one label per customer. It must work for any ``bins``.
    categories : sequence of str, optional
        Segment names in display order (default: order of appearance).
    replace : bool, default False
        Allow replacing a registered map.

    Examples
    --------
    >>> import numpy as np, kamkit
    >>> kamkit.register_segment_map(
    ...     "two", lambda r, f, m, bins: np.where(r + f > bins, "active", "fading"),
    ...     ["active", "fading"], replace=True)
    """
    if not callable(func):
        raise TypeError(f"segment map {name!r}: expected a callable, found {type(func).__name__}")
    if name in SEGMENT_MAPS and not replace:
        raise ValueError(f"segment map {name!r} is already registered; pass replace=True")
    SEGMENT_MAPS[name] = SegmentMap(name, func, tuple(categories) if categories else None)


def segment_map_from_grid(
    grid: tuple[tuple[str, ...], ...] | list[list[str]],
) -> Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]:
    """A segment map for any ``bins`` from a g x g grid over R (rows) and F (columns).

    Score s of ``bins`` sits at the relative position (s - 0.5) / bins, which
    falls in grid cell floor(position * g); with bins = g the grid is used as is.

    Parameters
    ----------
    grid : g x g nested sequence of str
        ``grid[r - 1][f - 1]`` is the segment of R = r, F = f on the g scale.

    Returns
    -------
    callable
        ``func(R, F, M, bins) -> ndarray`` of labels.

    Examples
    --------
    >>> import numpy as np, kamkit
    >>> f = kamkit.segment_map_from_grid([["cold", "warm"], ["warm", "hot"]])
    >>> f(np.array([1, 4]), np.array([1, 4]), np.array([1, 1]), 4).tolist()
    ['cold', 'hot']
    """
    table = np.asarray(grid, dtype=object)
    if table.ndim != 2 or table.shape[0] != table.shape[1] or table.shape[0] < 1:
        raise ValueError(f"grid: expected a square g x g table of names, found shape {table.shape}")
    g = table.shape[0]

    def func(r: np.ndarray, f: np.ndarray, m: np.ndarray, bins: int) -> np.ndarray:
        def cell(s: np.ndarray) -> np.ndarray:
            pos = (np.asarray(s, dtype=np.float64) - 0.5) / bins
            return np.clip(np.floor(pos * g).astype(np.int64), 0, g - 1)

        return table[cell(r), cell(f)]

    return func


register_segment_map("rf11", segment_map_from_grid(RF_SEGMENT_GRID), RF_SEGMENTS)


#: The most scores rfm_scores gives (scores are 16-bit integers).
MAX_RFM_BINS = 32_767


def _equal_bin_scores(values: np.ndarray, bins: int) -> np.ndarray:
    """Scores 1..bins (bins = highest values), ties together, every level used.

    The cuts come from :func:`kamkit._core.balanced_cuts`: with at least
    ``bins`` distinct values every score is used and the group sizes have the
    least sum of squares that keeps equal values together.
    """
    order, desc = _core.sort_descending(values)
    cuts = _core.balanced_cuts(desc, bins)
    return _core.codes_from_cuts(order, cuts).astype(np.int16) + 1


@renamed(summary="archive")
def rfm_scores(
    archive: pd.DataFrame,
    bins: int = 5,
    monetary: str = "revenue",
    frequency: str = "frequency",
    segments: str | Callable[..., Any] = "rf11",
) -> pd.DataFrame:
    """Recency, frequency and monetary scores 1..bins, with a code and a segment.

    R ranks the time since the last purchase (``T - recency``, shorter is
    better), F the ``frequency`` column and M the ``monetary`` column. Each
    is cut into ``bins`` groups of customers by one rule:

    - equal values always get equal scores (a cut never splits a run of ties);
    - with at least ``bins`` distinct values, every score 1..bins is used;
    - among the cuts that satisfy both, kamkit takes those whose group sizes
      have the least sum of squares, i.e. the groups closest to ``n / bins``
      customers each (an exact dynamic programme over the distinct values).

    A big tie therefore gets a score of its own and the other customers share
    the remaining scores evenly: on the CDNOW sample the 1,218 one-time
    buyers (frequency 0) score F = 1 and frequencies 1, 2, 3-4 and 5+ score
    2, 3, 4 and 5. With fewer distinct values than ``bins``, each value gets
    its own score: the lowest 1, the highest ``bins`` and the others the
    score nearest their middle rank; a column with one value scores 1.

    Parameters
    ----------
    archive : DataFrame
        Customer archive with ``recency``, ``T`` and the frequency and
        monetary columns.
    bins : int, default 5
        Number of scores; ``bins`` is the best.
    monetary : str, default "revenue"
        Column for M (e.g. "monetary_value" for the mean spend per repeat purchase).
    frequency : str, default "frequency"
        Column for F (e.g. "n_transactions").
    segments : str or callable, default "rf11"
        A registered segment map (:data:`SEGMENT_MAPS`) or ``func(R, F, M, bins)``.
        "rf11" are the named RF segments champions, loyal, potential loyalist,
        new, promising, need attention, about to sleep, at risk, can't lose,
        hibernating and lost, laid on a 5 x 5 R-F grid and stretched to any ``bins``.

    Returns
    -------
    DataFrame
        Columns ``R``, ``F``, ``M`` (int16), ``rfm`` (string code such as
        "545"; with bins > 9 "12-3-10") and ``segment`` (categorical),
        aligned with ``archive``.

    Raises
    ------
    TypeError, ValueError
        On a non-DataFrame input, missing columns, non-numeric or missing
        values, or ``bins`` < 1.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> s = pd.DataFrame({"recency": [30.0, 5, 60], "T": [60.0, 60, 60],
    ...                   "frequency": [3, 0, 9], "revenue": [90.0, 10, 400]})
    >>> kamkit.rfm_scores(s, bins=3)["rfm"].tolist()
    ['222', '111', '333']
    """
    check_frame(archive, "archive")
    bins = check_count(
        "bins", bins, 1, MAX_RFM_BINS, "scores are kept as 16-bit integers; use fewer bins"
    )
    check_columns(archive, ["recency", "T", frequency, monetary], "archive")
    smap = _segment_map(segments)
    rec = numeric_column(archive["recency"], column="recency")
    T = numeric_column(archive["T"], column="T")
    freq = numeric_column(archive[frequency], column=frequency)
    mon = numeric_column(archive[monetary], column=monetary)
    n = len(archive)
    if n == 0:
        r = f = m = np.zeros(0, dtype=np.int16)
    else:
        r = _equal_bin_scores(-(T - rec), bins)
        f = _equal_bin_scores(freq, bins)
        m = _equal_bin_scores(mon, bins)
    return _rfm_table(archive.index, r, f, m, bins, smap)


def _segment_map(segments: str | Callable[..., Any]) -> SegmentMap:
    if isinstance(segments, str):
        if segments not in SEGMENT_MAPS:
            known = ", ".join(sorted(SEGMENT_MAPS))
            raise ValueError(f"segments: unknown segment map {segments!r}; registered: {known}")
        smap = SEGMENT_MAPS[segments]
    elif callable(segments):
        smap = SegmentMap("custom", segments, None)
    else:
        raise TypeError(f"segments: expected a name or a callable, found {type(segments).__name__}")
    return smap


def _rfm_table(
    index: pd.Index,
    r: np.ndarray,
    f: np.ndarray,
    m: np.ndarray,
    bins: int,
    segments: str | Callable[..., Any] | SegmentMap,
) -> pd.DataFrame:
    """The rfm_scores table of the R, F and M scores (int16, 1..bins)."""
    smap = segments if isinstance(segments, SegmentMap) else _segment_map(segments)
    n = len(index)
    out = pd.DataFrame({"R": r, "F": f, "M": m}, index=index)
    if bins <= 9:
        code = (r.astype(np.int64) * 100 + f * 10 + m).astype(str)
    else:
        code = np.char.add(np.char.add(np.char.add(r.astype(str), "-"), f.astype(str)), "-")
        code = np.char.add(code, m.astype(str))
    out["rfm"] = pd.array(code, dtype="string") if n else pd.array([], dtype="string")
    labels = np.asarray(smap.func(r, f, m, bins), dtype=object)
    if labels.shape != (n,):
        raise ValueError(
            f"segment map {smap.name!r}: expected {n} labels, found shape {labels.shape}"
        )
    cats = smap.categories or list(dict.fromkeys(labels.tolist()))
    out["segment"] = pd.Categorical(labels, categories=list(cats))
    if n and out["segment"].isna().any():
        raise ValueError(
            f"segment map {smap.name!r}: it returned labels outside its categories {cats}"
        )
    return out


# ------------------------------------------------------------- profitability


def _per_customer(
    customers: pd.DataFrame, spec: Any, name: str, rate_of: str | None = None
) -> np.ndarray:
    n = len(customers)
    if spec is None:
        return np.zeros(n)
    if isinstance(spec, str):
        check_columns(customers, [spec])
        return numeric_column(customers[spec], column=spec)
    if isinstance(spec, pd.Series):
        if not spec.index.equals(customers.index):
            missing = int((~customers.index.isin(spec.index)).sum())
            if missing:
                raise ValueError(
                    f"{name}: {missing} customers have no value in the Series given; "
                    "index it like customers"
                )
            spec = spec.reindex(customers.index)
        return numeric_column(spec, column=name)
    if isinstance(spec, (int, float, np.number)) and not isinstance(spec, bool):
        if rate_of is not None:
            check_columns(customers, [rate_of])
            return float(spec) * numeric_column(customers[rate_of], column=rate_of)
        return np.full(n, float(spec))
    raise TypeError(
        f"{name}: expected a column name, a Series or a number, found {type(spec).__name__}"
    )


@renamed(customers="archive")
def profitability(
    archive: pd.DataFrame,
    margin: str | pd.Series | float = "margin",
    cost_to_serve: str | pd.Series | float | None = None,
) -> pd.DataFrame:
    """Profit per customer and the green/red flag (profitable or loss-making).

    Parameters
    ----------
    archive : DataFrame
        One row per customer.
    margin : str, Series or float, default "margin"
        Gross margin: a column, a Series aligned by index, or a number read as
        a margin rate on the ``revenue`` column.
    cost_to_serve : str, Series, float or None
        Cost of serving each customer (visits, support, logistics, credit):
        a column, a Series, one number for every customer, or None (0).

    Returns
    -------
    DataFrame
        ``margin``, ``cost_to_serve``, ``profit`` and ``flag``, an ordered
        categorical "red" (profit < 0) < "green" (profit >= 0).

    Raises
    ------
    TypeError, ValueError
        On missing columns, non-numeric or missing values.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> c = pd.DataFrame({"revenue": [100.0, 50.0]})
    >>> kamkit.profitability(c, margin=0.3, cost_to_serve=20)["flag"].tolist()
    ['green', 'red']
    """
    check_frame(archive, "archive")
    mar = _per_customer(archive, margin, "margin", rate_of="revenue")
    cost = _per_customer(archive, cost_to_serve, "cost_to_serve")
    profit = mar - cost
    flag = pd.Categorical.from_codes(
        (profit >= 0).astype(np.int8), dtype=pd.CategoricalDtype(["red", "green"], ordered=True)
    )
    return pd.DataFrame(
        {"margin": mar, "cost_to_serve": cost, "profit": profit, "flag": flag},
        index=archive.index,
    )
