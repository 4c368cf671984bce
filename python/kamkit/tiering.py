"""Customer tiers (客户分级).

The customer pyramid, ABC analysis, absolute thresholds, value concentration
(Lorenz curve, Gini, 80/20), the 2 x 2 quadrant and k-means segments.

Label sets and tier schemes live in registries (:func:`register_label_set`,
:func:`register_tier_scheme`); the built-in ones are registered through the
same functions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._i18n import label
from ._native import core as _core
from ._validation import (
    as_series,
    check_choice,
    check_columns,
    check_count,
    check_frame,
    check_labels,
    check_shares,
    numeric_column,
)

__all__ = [
    "LABEL_SETS",
    "TIER_SCHEMES",
    "Concentration",
    "KMeansSegments",
    "PYRAMID_SHARES",
    "concentration",
    "kmeans_segments",
    "labels_for_shares",
    "pyramid",
    "quadrant",
    "register_label_set",
    "register_tier_scheme",
    "resolve_labels",
    "tier_by_thresholds",
]

# ------------------------------------------------------------- label sets

#: Registered label sets by name, each top tier first.
LABEL_SETS: dict[str, tuple[str, ...]] = {}


def register_label_set(name: str, labels: Sequence[str], *, replace: bool = False) -> None:
    """Register a set of tier labels (top tier first) under `name`.

    Parameters
    ----------
    name : str
        Name to pass as ``labels=name``.
    labels : sequence of str
        Distinct labels, top tier first.
    replace : bool, default False
        Allow replacing a registered set.

    Examples
    --------
    >>> import kamkit
    >>> kamkit.register_label_set("stars", ["5*", "4*", "3*", "2*"], replace=True)
    >>> kamkit.LABEL_SETS["stars"]
    ('5*', '4*', '3*', '2*')
    """
    if name in LABEL_SETS and not replace:
        raise ValueError(f"label set {name!r} is already registered; pass replace=True")
    out = tuple(labels)
    check_labels(out, len(out), f"label set {name!r}")
    if not out:
        raise ValueError(f"label set {name!r}: expected at least one label")
    LABEL_SETS[name] = out


register_label_set("vip", ("VIP", "major", "ordinary", "small"))
register_label_set("metal", ("platinum", "gold", "iron", "lead"))
register_label_set("abcd", ("A", "B", "C", "D"))
# The Chinese sets are the Chinese terms of the English ones (see _i18n).
register_label_set("zh", tuple(label(t, "zh") for t in LABEL_SETS["vip"]))
register_label_set("zh-metal", tuple(label(t, "zh") for t in LABEL_SETS["metal"]))


def resolve_labels(labels: str | Sequence[Any], n: int | None = None) -> list[Any]:
    """The labels of a registered set or a list, top tier first, checked.

    Parameters
    ----------
    labels : str or sequence
        A name in :data:`LABEL_SETS` or the labels themselves.
    n : int, optional
        Expected number of labels.

    Returns
    -------
    list
        The labels, top tier first.
    """
    if isinstance(labels, str):
        if labels not in LABEL_SETS:
            known = ", ".join(repr(k) for k in LABEL_SETS)
            raise ValueError(
                f"labels: unknown label set {labels!r}; registered sets are {known}, "
                "or pass a list of labels (top tier first)"
            )
        out = list(LABEL_SETS[labels])
    else:
        try:
            out = list(labels)
        except TypeError:
            raise TypeError(
                f"labels: expected a label set name or a list, found {type(labels).__name__}"
            ) from None
    return check_labels(out, len(out) if n is None else n)


def labels_for_shares(labels: str | Sequence[Any], shares: Sequence[float]) -> list[Any]:
    """One label per share, top tier first: a registered set's or a list's.

    Parameters
    ----------
    labels : str or sequence
        A name in :data:`LABEL_SETS` or the labels themselves.
    shares : sequence of float
        The tier shares, top tier first (already checked).

    Returns
    -------
    list
        The labels, top tier first.

    Raises
    ------
    ValueError
        An unknown set, duplicate labels, or not one label per share.

    Examples
    --------
    >>> from kamkit.tiering import labels_for_shares
    >>> labels_for_shares("abcd", (0.1, 0.2, 0.3, 0.4))
    ['A', 'B', 'C', 'D']
    """
    labs = resolve_labels(labels)
    if len(labs) != len(shares):
        raise ValueError(
            f"labels: {len(labs)} labels {labs} for {len(shares)} shares {tuple(shares)}; "
            "give one label per share (top tier first)"
        )
    return labs


#: The textbook pyramid's count shares, top tier first: VIP 1 %, major 4 %,
#: ordinary 15 %, small 80 %.
PYRAMID_SHARES: tuple[float, ...] = (0.01, 0.04, 0.15, 0.80)


# ------------------------------------------------------------ tier schemes


@dataclass(frozen=True)
class TierScheme:
    """``func(desc, shares) -> cuts`` and its default shares (top tier first).

    ``desc`` are the values sorted in decreasing order (one sort per call);
    ``cuts`` are the k - 1 counts of top customers that close tiers 1..k-1.
    Cuts that fall inside a run of equal values are moved to the nearer end of
    the run, so equal values never land in different tiers.
    """

    name: str
    func: Callable[[np.ndarray, tuple[float, ...]], Sequence[int]]
    default_shares: tuple[float, ...]
    nonnegative: bool = False


#: Registered tier schemes by name (see :func:`register_tier_scheme`).
TIER_SCHEMES: dict[str, TierScheme] = {}


def register_tier_scheme(
    name: str,
    func: Callable[[np.ndarray, tuple[float, ...]], Sequence[int]],
    default_shares: Sequence[float] = (0.01, 0.04, 0.15, 0.80),
    *,
    nonnegative: bool = False,
    replace: bool = False,
) -> None:
    """Register a way of cutting sorted values into tiers for :func:`pyramid`.

    Parameters
    ----------
    name : str
        Name to pass as ``pyramid(..., by=name)``.
    func : callable
        ``func(desc, shares)`` gets the values sorted in decreasing order and
        the shares (top tier first) and returns ``len(shares) - 1``
        non-decreasing cut points: cut j is the number of customers in the top
        j + 1 tiers.
    default_shares : sequence of float
        Shares used when the caller gives none.
    nonnegative : bool, default False
        Reject negative values before calling ``func``.
    replace : bool, default False
        Allow replacing a registered scheme.

    Examples
    --------
    Tiers of equal width in value (not in count):

    >>> import numpy as np, kamkit
    >>> def equal_width(desc, shares):
    ...     hi, lo = desc[0], desc[-1]
    ...     edges = hi - np.cumsum(shares)[:-1] * (hi - lo)
    ...     return [int(np.sum(desc >= e)) for e in edges]
    >>> kamkit.register_tier_scheme("width", equal_width, (0.25, 0.25, 0.25, 0.25),
    ...                             replace=True)
    """
    if not callable(func):
        raise TypeError(f"tier scheme {name!r}: expected a callable, found {type(func).__name__}")
    if name in TIER_SCHEMES and not replace:
        raise ValueError(f"tier scheme {name!r} is already registered; pass replace=True")
    TIER_SCHEMES[name] = TierScheme(name, func, check_shares(default_shares), nonnegative)


def _cum(shares: tuple[float, ...]) -> list[float]:
    return [float(c) for c in np.cumsum(shares)[:-1]]


def _by_count(desc: np.ndarray, shares: tuple[float, ...]) -> list[int]:
    return _core.cuts_by_count(desc, _cum(shares))


def _by_value(desc: np.ndarray, shares: tuple[float, ...]) -> list[int]:
    return _core.cuts_by_value(desc, _cum(shares))


register_tier_scheme("count", _by_count, PYRAMID_SHARES)
register_tier_scheme("value", _by_value, (0.50, 0.30, 0.15, 0.05), nonnegative=True)


def _values(values: Any, name: str = "values") -> tuple[pd.Series, np.ndarray]:
    s = as_series(values, name)
    arr = numeric_column(s, column=s.name if s.name is not None else name)
    return s, np.ascontiguousarray(arr, dtype=np.float64)


def _categorical(
    codes: np.ndarray, labels_top_first: list[Any], index: pd.Index, name: Any
) -> pd.Series:
    # The codes come from the C++ core, 0..len(labels) - 1 by construction.
    dtype = pd.CategoricalDtype(labels_top_first[::-1], ordered=True)
    cat = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
    return pd.Series(cat, index=index, name=name, copy=False)


def pyramid(
    values: pd.Series,
    shares: Sequence[float] | None = None,
    labels: str | Sequence[Any] = "vip",
    by: str = "count",
) -> pd.Series:
    """The customer pyramid: tiers by share of customers (or of value).

    Parameters
    ----------
    values : Series
        One value per customer (e.g. revenue or :func:`value_score`); higher is better.
    shares : sequence of float, optional
        Tier shares, top tier first, adding up to 1. Default: the scheme's,
        (0.01, 0.04, 0.15, 0.80) by count (VIP 1 %, major 4 %, ordinary 15 %,
        small 80 %) and (0.50, 0.30, 0.15, 0.05) of value by value.
    labels : str or sequence, default "vip"
        A label set ("vip", "metal", "abcd", "zh", "zh-metal" or one
        registered with :func:`register_label_set`) or a list, top tier first.
    by : str, default "count"
        "count": tier j closes at the rounded cumulative share of customers;
        "value": at the smallest number of top customers that bring the
        cumulative share of value (ABC analysis; values must be
        non-negative); or a scheme registered with :func:`register_tier_scheme`.

    Returns
    -------
    Series
        Ordered categorical aligned with ``values``, categories lowest tier
        first, so ``tiers >= "major"`` selects VIP and major customers.

    Raises
    ------
    TypeError, ValueError
        On non-numeric or missing values, bad shares or labels.

    Notes
    -----
    By count, the values at the cuts come from selection (no sort); other
    schemes sort the values once (a parallel radix sort in the C++ core). With
    distinct values, tier sizes are the differences of round(cumulative
    share x n). A cut that falls inside a run of equal values moves to the
    nearer end of the run (at equal distance the run joins the upper tier),
    so equal values always share a tier.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> v = pd.Series(range(100, 0, -1), dtype=float)
    >>> kamkit.pyramid(v).value_counts(sort=False).tolist()
    [80, 15, 4, 1]
    """
    if not isinstance(by, str) or by not in TIER_SCHEMES:
        known = ", ".join(repr(k) for k in TIER_SCHEMES)
        raise ValueError(f"by: expected one of {known}, found {by!r}")
    scheme = TIER_SCHEMES[by]
    shares_t = scheme.default_shares if shares is None else check_shares(shares)
    labs = labels_for_shares(labels, shares_t)
    s, arr = _values(values)
    if scheme.nonnegative:
        neg = int((arr < 0).sum())
        if neg:
            raise ValueError(
                f"values: tiers by {by!r} need non-negative values, found {neg} of {len(arr)} "
                "negative values; clip them (values.clip(lower=0)) or drop them first"
            )
        if len(arr) and not arr.sum() > 0:
            raise ValueError(f"values: tiers by {by!r} need a positive total, found 0")
    if len(arr) == 0:
        return _categorical(np.zeros(0, np.int16), labs, s.index, s.name)
    if scheme.func is _by_count:
        # Built-in pyramid by count: selection at the cuts instead of a sort.
        codes = _core.pyramid_by_count(arr, _cum(shares_t))
        return _categorical(codes, labs, s.index, s.name)
    desc = _core.sorted_descending(arr)
    cuts = [int(c) for c in scheme.func(desc, shares_t)]
    if len(cuts) != len(shares_t) - 1:
        raise ValueError(
            f"tier scheme {by!r}: returned {len(cuts)} cuts for {len(shares_t)} tiers; "
            f"expected {len(shares_t) - 1}"
        )
    cuts = _core.snap_cuts(desc, cuts)
    codes = _core.codes_from_sorted_cuts(arr, desc, cuts)
    return _categorical(codes, labs, s.index, s.name)


def tier_by_thresholds(
    values: pd.Series,
    thresholds: Sequence[float],
    labels: str | Sequence[Any] = "vip",
) -> pd.Series:
    """Tiers by absolute cut-offs (e.g. annual revenue of 1M, 100k, 10k).

    Parameters
    ----------
    values : Series
        One value per customer.
    thresholds : sequence of float
        Lower bounds of the tiers above the lowest, top tier first, strictly
        decreasing: a value at or above ``thresholds[0]`` is in the top tier.
    labels : str or sequence, default "vip"
        ``len(thresholds) + 1`` labels (or a label set of that size), top tier first.

    Returns
    -------
    Series
        Ordered categorical aligned with ``values``, lowest tier first.

    Raises
    ------
    TypeError, ValueError
        On non-numeric or missing values, thresholds that do not decrease,
        or a label count that does not fit.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> v = pd.Series([5e6, 2e5, 5e4, 10.0])
    >>> kamkit.tier_by_thresholds(v, [1e6, 1e5, 1e4]).tolist()
    ['VIP', 'major', 'ordinary', 'small']
    """
    try:
        th = [float(t) for t in thresholds]
    except (TypeError, ValueError):
        raise TypeError(f"thresholds: expected numbers, found {thresholds!r}") from None
    if any(np.isnan(t) for t in th) or any(b >= a for a, b in zip(th[:-1], th[1:], strict=True)):
        raise ValueError(
            f"thresholds: expected strictly decreasing numbers (top tier first), found {th}"
        )
    labs = resolve_labels(labels)
    if len(labs) != len(th) + 1:
        raise ValueError(
            f"labels: {len(th)} thresholds need {len(th) + 1} labels, found {len(labs)}: {labs}"
        )
    s, arr = _values(values)
    codes = _core.codes_by_thresholds(arr, th)
    return _categorical(codes, labs, s.index, s.name)


# ----------------------------------------------------------- concentration


@dataclass
class Concentration:
    """Concentration of value over customers (from :func:`concentration`).

    Attributes
    ----------
    gini : float
        sum_i (2i - n - 1) x_(i) / (n sum x) over increasing values, without
        the n / (n - 1) small-sample correction.
    n : int
        Customers counted.
    total : float
        Their total value.
    n_negative : int
        Negative values found (clipped or dropped as asked).

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> result = kamkit.concentration(pd.Series([1.0, 2.0, 3.0, 4.0, 10.0]))
    >>> round(result.gini, 2), result.top_share(0.2)
    (0.4, 0.5)
    """

    gini: float
    n: int
    total: float
    n_negative: int = 0
    #: Increasing cumulative sums, cum[0] = 0 (scaled by a power of two when
    #: the total passes the float range).
    _cum: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(1))

    @property
    def lorenz(self) -> pd.DataFrame:
        """The Lorenz curve, n + 1 rows from (0, 0) to (1, 1).

        ``customer_share`` (0..1, smallest customers first) against the
        ``value_share`` they bring.
        """
        k = np.arange(self.n + 1, dtype=np.float64)
        return pd.DataFrame(
            {"customer_share": k / self.n, "value_share": self._cum / self._cum[-1]}
        )

    def top_share(self, p: float) -> float:
        """Share of the value brought by the top ``p`` share of customers.

        The Lorenz curve is interpolated linearly between customers, so
        ``top_share(0.2)`` is defined for any n.

        Parameters
        ----------
        p : float
            Share of customers, in [0, 1].

        Returns
        -------
        float
        """
        p = float(p)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p: expected a share of customers in [0, 1], found {p}")
        pos = (1.0 - p) * self.n
        # Linear interpolation of the cumulative sums at `pos` (in 0..n).
        i = min(int(pos), self.n - 1)
        frac = pos - i
        lower = float(self._cum[i] + frac * (self._cum[i + 1] - self._cum[i]))
        return float(max(0.0, min(1.0, 1.0 - lower / self._cum[-1])))

    def pareto_point(self, v: float = 0.8) -> float:
        """The smallest share of customers (k / n) whose top-k value reaches share ``v``.

        Parameters
        ----------
        v : float, default 0.8
            Share of the value, in [0, 1].

        Returns
        -------
        float
            E.g. 0.2 when the top 20 % bring 80 % of the value.
        """
        v = float(v)
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"v: expected a share of value in [0, 1], found {v}")
        # top-k sum = total - cum[n - k] >= v * total  <=>  cum[n - k] <= (1 - v) * total
        limit = (1.0 - v) * self._cum[-1] + 1e-12 * self._cum[-1]
        j = int(np.searchsorted(self._cum, limit, side="right")) - 1
        return (self.n - j) / self.n

    def summary(self) -> pd.Series:
        """Gini, the top 1/5/20 % shares and the 80 % Pareto point."""
        return pd.Series(
            {
                "n": self.n,
                "gini": self.gini,
                "top_1%": self.top_share(0.01),
                "top_5%": self.top_share(0.05),
                "top_20%": self.top_share(0.20),
                "pareto_point_80%": self.pareto_point(0.8),
            }
        )


def concentration(values: pd.Series, negative: str = "raise") -> Concentration:
    """How concentrated value is: Gini, Lorenz curve, top shares, Pareto point.

    Parameters
    ----------
    values : Series
        One value per customer (e.g. revenue).
    negative : {"raise", "clip", "drop"}
        Negative values (net returns) raise with their count, count as 0
        ("clip") or leave the customer out ("drop").

    Returns
    -------
    Concentration
        With ``gini``, ``lorenz``, ``top_share(p)`` and ``pareto_point(v)``.

    Raises
    ------
    TypeError, ValueError
        On non-numeric or missing values, negative values with
        ``negative="raise"``, no customers or a zero total.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> c = kamkit.concentration(pd.Series([0.0, 0.0, 0.0, 10.0]))
    >>> round(c.gini, 4), c.top_share(0.25), c.pareto_point(0.8)
    (0.75, 1.0, 0.25)
    """
    check_choice("negative", negative, ("raise", "clip", "drop"))
    s, arr = _values(values)
    nneg = 0
    if len(arr) and arr.min() < 0:  # the mask only when there are negatives
        neg = arr < 0
        nneg = int(neg.sum())
        if negative == "raise":
            raise ValueError(
                f"values: found {nneg} of {len(arr)} negative values (net returns?); pass "
                "negative='clip' to count them as 0 or negative='drop' to leave them out"
            )
        arr = np.where(neg, 0.0, arr) if negative == "clip" else arr[~neg]
    if len(arr) == 0:
        raise ValueError("values: no customers to measure")
    n = len(arr)
    ordered = np.sort(arr)
    if not ordered[-1] > 0:
        raise ValueError(f"values: the {n} values add up to 0; concentration is undefined")
    # Values whose sum would pass the float range are scaled by a power of two
    # (exact); shares and the Gini do not depend on the scale.
    shift = max(0, int(np.frexp(ordered[-1])[1]) + n.bit_length() - 1000)
    if shift:
        ordered = np.ldexp(ordered, -shift)
    cum = np.empty(n + 1)
    cum[0] = 0.0
    np.cumsum(ordered, out=cum[1:])
    # sum_i (2i - n - 1) x_(i), i = 1..n; NumPy's pairwise sum does not depend on threads.
    weighted = float(np.sum(np.arange(1 - n, n + 1, 2, dtype=np.float64) * ordered))
    gini = weighted / (n * float(cum[n]))
    with np.errstate(over="ignore"):
        total = float(np.ldexp(cum[n], shift))
    if not np.isfinite(total):
        warnings.warn(
            f"values: the {n} values add up past the float range, so total is inf; the Gini "
            "and the shares are computed on scaled values and are exact",
            UserWarning,
            stacklevel=2,
        )
    return Concentration(gini, n, total, nneg, cum)


# ----------------------------------------------------------------- quadrant

#: Named 2 x 2 layouts: (x side, y side) -> name.
QUADRANT_NAMES: dict[str, dict[tuple[str, str], str]] = {
    # x: price sensitivity, y: relationship orientation.
    "price-relationship": {
        ("low", "high"): "R-type: relationship (key-account candidates)",
        ("high", "high"): "R-type, price-aware",
        ("high", "low"): "T-type: transactional",
        ("low", "low"): "T-type, low involvement",
    },
}


def _split(arr: np.ndarray, split: Any, name: str) -> float:
    if isinstance(split, str):
        check_choice(f"{name}_split", split, ("median", "mean"))
        return float(np.median(arr) if split == "median" else np.mean(arr))
    try:
        return float(split)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}_split: expected 'median', 'mean' or a number, found {split!r}"
        ) from None


_SIDES = pd.CategoricalDtype(["low", "high"], ordered=True)


def quadrant(
    customers: pd.DataFrame,
    x: str,
    y: str,
    x_split: str | float = "median",
    y_split: str | float = "median",
    names: str | Mapping[tuple[str, str], str] | None = None,
) -> pd.DataFrame:
    """Place customers in a 2 x 2 matrix of two criteria.

    For example price sensitivity (x) against relationship orientation (y):
    transactional T-type customers sit at high x, low y; relationship R-type
    customers at low x, high y, where the key accounts are picked.

    Parameters
    ----------
    customers : DataFrame
        One row per customer.
    x, y : str
        Columns of the two criteria.
    x_split, y_split : "median", "mean" or float
        Where each axis splits; a value at or above the split is "high".
    names : str or mapping, optional
        Quadrant names keyed by (x side, y side) with sides "low"/"high", or
        a layout in :data:`QUADRANT_NAMES` ("price-relationship"). Default:
        "x high / y low" and so on.

    Returns
    -------
    DataFrame
        ``x_side``, ``y_side`` ("low"/"high") and ``quadrant`` (categorical),
        aligned with ``customers``; ``.attrs["splits"]`` holds the split values.

    Raises
    ------
    TypeError, ValueError
        On missing columns, non-numeric or missing values, incomplete names.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> c = pd.DataFrame({"price": [1, 9, 2, 8], "loyalty": [9, 1, 8, 2]})
    >>> kamkit.quadrant(c, "price", "loyalty", names="price-relationship")["quadrant"].iloc[0]
    'R-type: relationship (key-account candidates)'
    """
    check_frame(customers, "customers")
    check_columns(customers, [x, y])
    xa = numeric_column(customers[x], column=x)
    ya = numeric_column(customers[y], column=y)
    if len(xa) == 0:
        xs = ys = 0.0
    else:
        xs, ys = _split(xa, x_split, "x"), _split(ya, y_split, "y")
    keys = [(a, b) for a in ("low", "high") for b in ("low", "high")]
    if names is None:
        table = {k: f"{x} {k[0]} / {y} {k[1]}" for k in keys}
    elif isinstance(names, str):
        if names not in QUADRANT_NAMES:
            raise ValueError(f"names: unknown layout {names!r}; known: {', '.join(QUADRANT_NAMES)}")
        table = QUADRANT_NAMES[names]
    else:
        table = dict(names)
        lacking = [k for k in keys if k not in table]
        if lacking:
            raise ValueError(f"names: expected a name for each of {keys}, missing {lacking}")
    xhi = xa >= xs
    yhi = ya >= ys
    code = xhi.astype(np.int8) * 2 + yhi.astype(np.int8)
    cats = [table[k] for k in keys]
    if len(set(cats)) != 4:
        raise ValueError(f"names: the four quadrants need distinct names, found {cats}")
    out = pd.DataFrame(
        {
            "x_side": pd.Categorical.from_codes(xhi.astype(np.int8), dtype=_SIDES),
            "y_side": pd.Categorical.from_codes(yhi.astype(np.int8), dtype=_SIDES),
            "quadrant": pd.Categorical.from_codes(code, dtype=pd.CategoricalDtype(cats)),
        },
        index=customers.index,
    )
    out.attrs["splits"] = {x: xs, y: ys}
    return out


# ------------------------------------------------------------------ k-means


@dataclass
class KMeansSegments:
    """Result of :func:`kmeans_segments`.

    Attributes
    ----------
    labels : Series
        Segment 0..k-1 per customer, aligned with the features.
    centers : DataFrame
        k rows of cluster centers in the features' original units.
    inertia : float
        Sum of squared distances to the centers, in the space the clustering
        ran in (standardized features when ``standardize=True``).
    n_iter : int
        Lloyd iterations of the best run.
    mean, scale : Series
        The standardization used (0 and 1 without it).

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> archive = kamkit.summarize(log, amount="amount")
    >>> segments = kamkit.kmeans_segments(archive[["frequency", "revenue"]], 3)
    >>> segments.labels.nunique()
    3
    """

    labels: pd.Series
    centers: pd.DataFrame
    inertia: float
    n_iter: int
    mean: pd.Series
    scale: pd.Series


#: Caps on kmeans_segments' loop counts (a larger number fails at once, naming the argument).
MAX_KMEANS_INIT = 1_000
MAX_KMEANS_ITER = 100_000


def _power_of_two_shift(X: np.ndarray) -> int:
    """0, or the binary exponent bringing X's largest |value| near 1 when squares overflow."""
    big = float(np.abs(X).max()) if X.size else 0.0
    if big == 0.0 or 2.0**-300 < big < 2.0**300:
        return 0
    return int(np.frexp(big)[1])


def kmeans_segments(
    features: pd.DataFrame,
    k: int,
    standardize: bool = True,
    n_init: int = 10,
    seed: int = 0,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> KMeansSegments:
    """k-means segments of customers (greedy k-means++ seeding, Lloyd iterations, C++).

    Parameters
    ----------
    features : DataFrame
        Numeric columns, one row per customer.
    k : int
        Number of segments.
    standardize : bool, default True
        Scale every feature to mean 0 and standard deviation 1 (ddof 0)
        before clustering.
    n_init : int, default 10
        Seedings; the run with the lowest inertia is kept.
    seed : int, default 0
        Seed of the random number generator (results repeat for a seed).
    max_iter : int, default 300
        Lloyd iterations per run at most.
    tol : float, default 1e-4
        Stop when the centers' squared shift adds up to at most
        ``tol`` x the mean feature variance (scikit-learn's rule).

    Returns
    -------
    KMeansSegments
        ``labels``, ``centers`` (original units), ``inertia`` (clustering space).

    Raises
    ------
    TypeError, ValueError
        On non-numeric or missing features, k < 1 or k > number of customers.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> f = pd.DataFrame({"x": [0.0, 0.1, 10.0, 10.1]})
    >>> kamkit.kmeans_segments(f, 2, standardize=False).centers["x"].sort_values().tolist()
    [0.05, 10.05]
    """
    check_frame(features, "features")
    if features.shape[1] == 0:
        raise ValueError("features: expected at least one column, found none")
    check_count("k", k, 1)
    check_count(
        "n_init", n_init, 1, MAX_KMEANS_INIT, "more seedings than that do not lower the inertia"
    )
    check_count(
        "max_iter", max_iter, 1, MAX_KMEANS_ITER, "Lloyd's iterations converge long before that"
    )
    if not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"seed: expected an integer in [0, 2**64), found {seed!r}")
    if int(k) > len(features):
        raise ValueError(f"k: {k} segments need at least {k} customers, found {len(features)}")
    X = np.empty(features.shape, dtype=np.float64)
    for j, col in enumerate(features.columns):
        X[:, j] = numeric_column(features[col], column=str(col))
    cols = features.columns
    # Squares of values past ~1e154 overflow: such features are brought near 1
    # by a power of two (exact, and only when needed) and the results scaled back.
    shift = _power_of_two_shift(X)
    if shift:
        X = np.ldexp(X, -shift)
    if standardize:
        Z, mean, scale = _core.standardize(X)
        mean, scale = np.ldexp(mean, shift), np.ldexp(scale, shift)
        space = 0
    else:
        with np.errstate(over="ignore"):
            scale = np.ldexp(np.ones(X.shape[1]), shift)
        Z, mean = X, np.zeros(X.shape[1])
        space = 2 * shift
    r = _core.kmeans(Z, int(k), int(n_init), int(max_iter), float(tol), int(seed))
    centers = r["centers"] * scale + mean
    with np.errstate(over="ignore"):
        inertia = float(np.ldexp(float(r["inertia"]), space))
    if not (np.isfinite(centers).all() and np.isfinite(inertia)):
        raise ValueError(
            "features: the squared distances of these values pass the float range "
            f"(largest |value| {float(np.ldexp(np.abs(X).max(), shift)):.3g}); pass standardize=True "
            "or rescale the features"
        )
    return KMeansSegments(
        labels=pd.Series(
            r["labels"].astype(np.int64), index=features.index, name="segment", copy=False
        ),
        centers=pd.DataFrame(centers, columns=cols, index=pd.RangeIndex(int(k), name="segment")),
        inertia=inertia,
        n_iter=int(r["n_iter"]),
        mean=pd.Series(mean, index=cols),
        scale=pd.Series(scale, index=cols),
    )
