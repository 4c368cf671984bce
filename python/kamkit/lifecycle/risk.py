"""Decline risk: a calibrated probability that a customer's spend falls.

:func:`decline_risk` learns from the log's own history. At earlier cut dates
(rolling origin) it computes each active customer's features from the data
up to the cut and the outcome from the ``horizon`` days after it, never
reading past ``observation_end``; a gradient-boosted classifier learns the
outcome from the features, and isotonic regression on the latest cut turns
its scores into probabilities. The features measure the customer against
their own rhythm: silence against their usual gap between purchases, spend
over the last horizon against the ones before, trend, order counts, tenure,
tier, and the BG/NBD expectation of purchases and P(alive).

The warning reasons live in a small registry, :data:`WARNING_REASONS`
(code -> description) with :func:`register_warning_reason` to add one.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._native import core as _core
from .._validation import (
    TransactionLog,
    check_int,
    check_number,
    check_observation_end,
    check_transactions,
)
from ..tiering import PYRAMID_SHARES
from .tiers import _tier_codes

__all__ = [
    "WARNING_REASONS",
    "InsufficientHistoryWarning",
    "decline_risk",
    "register_warning_reason",
]


class InsufficientHistoryWarning(UserWarning):
    """The log is too short to learn from; the BTYD expectation is used instead.

    Examples
    --------
    >>> import warnings
    >>> import kamkit
    >>> log = kamkit.datasets.simulate_transactions(200, start="2023-01-01", end="2023-04-30")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     risk = kamkit.decline_risk(log, seed=0)
    >>> risk.attrs["method"], caught[0].category.__name__
    ('btyd', 'InsufficientHistoryWarning')
    """


# ---------------------------------------------------------------- reasons
@dataclass(frozen=True)
class _Reason:
    description: str
    rule: Callable[[pd.DataFrame], np.ndarray]


_REASONS: dict[str, _Reason] = {}
PATTERN_REASON_KEY = "declining_pattern"

#: Warning reason codes and what raises them (kept in step with the registry).
WARNING_REASONS: dict[str, str] = {}


def register_warning_reason(
    code: str,
    description: str,
    rule: Callable[[pd.DataFrame], Any],
    *,
    replace: bool = False,
) -> None:
    """Add a warning reason.

    Parameters
    ----------
    code : str
        Short code, as it appears in the ``reasons`` column.
    description : str
        What raises it, in words.
    rule : callable
        Takes the per-customer feature table of :func:`decline_risk`
        (``result.attrs["features"]``'s columns) and returns a boolean per row.
    replace : bool, default False
        Allow replacing a registered code.

    Raises
    ------
    ValueError
        A code already registered (without ``replace``) or an empty code.

    Examples
    --------
    >>> import kamkit
    >>> kamkit.register_warning_reason(
    ...     "one_order_only", "a single order so far",
    ...     lambda f: f["orders"] == 1, replace=True)
    >>> "one_order_only" in kamkit.WARNING_REASONS
    True
    >>> kamkit.lifecycle.risk.unregister_warning_reason("one_order_only")
    """
    if not isinstance(code, str) or not code:
        raise ValueError(f"code: expected a non-empty string, got {code!r}")
    if code == PATTERN_REASON_KEY:
        raise ValueError(f"{code!r} is kamkit's fallback reason; choose another code")
    if code in _REASONS and not replace:
        raise ValueError(f"warning reason {code!r} is already registered; pass replace=True")
    if not callable(rule):
        raise TypeError(f"rule: expected a callable, got {type(rule).__name__}")
    _REASONS[code] = _Reason(str(description), rule)
    WARNING_REASONS[code] = str(description)
    if PATTERN_REASON_KEY in WARNING_REASONS:  # keep the fallback last
        WARNING_REASONS[PATTERN_REASON_KEY] = WARNING_REASONS.pop(PATTERN_REASON_KEY)


def unregister_warning_reason(code: str) -> None:
    """Remove a registered warning reason (KeyError when unknown)."""
    del _REASONS[code]
    del WARNING_REASONS[code]


def _col(f: pd.DataFrame, name: str) -> np.ndarray:
    return f[name].to_numpy(dtype=np.float64)


register_warning_reason(
    "moved_to_decline",
    "moved into decline: spend fell over each of the last two horizons",
    lambda f: (_col(f, "spend_0") < _col(f, "spend_1")) & (_col(f, "spend_1") < _col(f, "spend_2")),
)
register_warning_reason(
    "long_silence",
    "silent for more than twice the customer's usual gap between purchases",
    lambda f: np.nan_to_num(_col(f, "silence_vs_gap"), nan=0.0) > 2.0,
)
register_warning_reason(
    "revenue_drop",
    "spend over the last horizon below (1 - drop) x the customer's mean horizon before",
    lambda f: _col(f, "spend_vs_history") < 1.0 - _col(f, "drop"),
)
register_warning_reason(
    "tier_drop",
    "dropped a pyramid tier (trailing-year revenue) since one horizon ago",
    lambda f: _col(f, "tier_change") < 0,
)
register_warning_reason(
    "major_slowing",
    "a customer of the top two tiers ordering less or spending less than the horizon before",
    lambda f: (
        (_col(f, "tier_code") >= _col(f, "n_tiers") - 2)
        & (
            (_col(f, "orders_0") < 0.8 * _col(f, "orders_1"))
            | (_col(f, "spend_0") < 0.8 * _col(f, "spend_1"))
        )
    ),
)
register_warning_reason(
    "rare_buyer",
    "buys less often than once per horizon (usual gap longer than it, or one purchase so far)",
    lambda f: np.nan_to_num(_col(f, "usual_gap"), nan=np.inf) > _col(f, "horizon"),
)
register_warning_reason(
    "spend_peak",
    "spend over the last horizon above twice the customer's usual horizon (peaks fall back)",
    lambda f: np.nan_to_num(_col(f, "spend_vs_history"), nan=0.0) > 2.0,
)
register_warning_reason(
    "overdue",
    "overdue receivables (needs a credit table)",
    lambda f: f["overdue"].to_numpy(dtype=bool) if "overdue" in f else np.zeros(len(f), bool),
)
register_warning_reason(
    "low_p_alive",
    "BG/NBD P(alive) below one half",
    lambda f: np.nan_to_num(_col(f, "p_alive"), nan=1.0) < 0.5,
)
#: Raised when no other reason is and p_decline is at least one half.
PATTERN_REASON = PATTERN_REASON_KEY
WARNING_REASONS[PATTERN_REASON] = (
    "no rule above, but customers with this history mostly declined at earlier cuts "
    "(p_decline at least one half)"
)


def _reasons(features: pd.DataFrame, active: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """A boolean column per registered reason (active customers only), and the codes joined."""
    flags = {}
    for code, reason in _REASONS.items():
        value = np.asarray(reason.rule(features), dtype=bool).reshape(-1)
        if len(value) != len(features):
            raise ValueError(
                f"warning reason {code!r}: its rule returned {len(value)} values for "
                f"{len(features)} customers"
            )
        flags[code] = value & active
    if "p_decline" in features:
        raised = np.zeros(len(features), dtype=bool)
        for value in flags.values():
            raised |= value
        flags[PATTERN_REASON] = active & ~raised & (features["p_decline"].to_numpy() >= 0.5)
    frame = pd.DataFrame(flags, index=features.index)
    codes = np.array(list(flags), dtype=object)
    matrix = frame.to_numpy()
    joined = [",".join(codes[row]) for row in matrix]
    return frame, joined


# ---------------------------------------------------------------- features
@dataclass
class _Log:
    """A transaction log as day numbers and customer codes, cut at the end."""

    codes: np.ndarray  # int64 per row
    days: np.ndarray  # int64 day numbers per row
    amount: np.ndarray  # float64 per row
    index: pd.Index  # customer ids, by code
    end_day: int
    first_day: int


def _read_log(
    transactions: pd.DataFrame,
    customer: Hashable,
    date: Hashable,
    amount: Hashable,
    observation_end: Any,
    missing: str,
) -> tuple[_Log, TransactionLog, int]:
    log = check_transactions(
        transactions,
        customer,
        date,
        amount,
        None,
        missing,  # type: ignore[arg-type]
    )
    if log.n == 0:
        raise ValueError("transactions: expected at least one row, found none")
    end_tick = check_observation_end(observation_end, log)
    days = np.floor_divide(log.ticks, log.ticks_per_day)
    end_day = int(days.max()) if end_tick is None else int(end_tick // log.ticks_per_day)
    keep = days <= end_day
    if not keep.any():
        raise ValueError(
            f"observation_end: expected a date on or after the first purchase "
            f"({log.timestamps(np.array([log.ticks.min()]))[0].date()}), got {observation_end!r}"
        )
    after = int((~keep).sum())
    kept = log.subset(keep) if after else log
    unique, codes = _core.lifecycle_group_keys(kept.keys)
    index = kept.ids(np.array(unique, dtype=np.int64))
    assert kept.amount is not None
    # Rows in day order: every window of days is then one slice.
    kept_days = days[keep] if after else days
    by_day = np.argsort(kept_days, kind="stable")
    out = _Log(
        codes=np.asarray(codes, dtype=np.int64)[by_day],
        days=kept_days[by_day],
        amount=np.asarray(kept.amount, dtype=np.float64)[by_day],
        index=index,
        end_day=end_day,
        first_day=int(kept_days[by_day[0]]),
    )
    return out, kept, after


def _window_sum(log: _Log, k: int, lo: int, hi: int, weights: bool) -> np.ndarray:
    """Per customer: sum of amounts (or rows) on days in (lo, hi] (rows are in day order)."""
    i0, i1 = np.searchsorted(log.days, [lo, hi], side="right")
    return np.bincount(
        log.codes[i0:i1], weights=log.amount[i0:i1] if weights else None, minlength=k
    ).astype(np.float64)


@dataclass
class _Days:
    """Distinct purchase days per customer, sorted by customer then day."""

    cust: np.ndarray
    day: np.ndarray


def _purchase_days(log: _Log) -> _Days:
    span = log.end_day - log.first_day + 1
    pairs = log.codes * span + (log.days - log.first_day)
    pairs.sort()
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return _Days(pairs // span, pairs % span + log.first_day)


def _btyd(
    frequency: np.ndarray, recency: np.ndarray, age: np.ndarray, horizon: int, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """BG/NBD (fitted here, in days) expected purchases over the horizon and P(alive)."""
    from ..models import BetaGeo

    k = len(frequency)
    expected = np.full(k, np.nan)
    alive = np.full(k, np.nan)
    if ok.sum() < 10 or not (frequency[ok] > 0).any():
        return expected, alive
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = BetaGeo().fit(frequency[ok], recency[ok], age[ok])
            expected[ok] = np.asarray(
                model.conditional_expected_purchases(horizon, frequency[ok], recency[ok], age[ok]),
                dtype=np.float64,
            )
            alive[ok] = np.asarray(
                model.probability_alive(frequency[ok], recency[ok], age[ok]), dtype=np.float64
            )
    except (ValueError, RuntimeError, ArithmeticError, np.linalg.LinAlgError):
        expected[:] = np.nan
        alive[:] = np.nan
    return expected, alive


def _features(
    log: _Log, pdays: _Days, cut: int, horizon: int, drop: float, tiers: dict[str, Any]
) -> pd.DataFrame:
    """Features of every customer from the data on days <= cut (nothing later is read)."""
    k = len(log.index)
    h = horizon
    keep = pdays.day <= cut
    cust, day = pdays.cust[keep], pdays.day[keep]
    n_days = np.bincount(cust, minlength=k).astype(np.float64)
    seen = n_days > 0
    first = np.full(k, np.nan)
    last = np.full(k, np.nan)
    before_last = np.full(k, np.nan)
    if len(cust):
        starts = np.flatnonzero(np.r_[True, cust[1:] != cust[:-1]])
        ends = np.r_[starts[1:], len(cust)] - 1
        first[cust[starts]] = day[starts]
        last[cust[ends]] = day[ends]
        two = ends > starts
        before_last[cust[ends[two]]] = day[ends[two] - 1]
    silence = cut - last
    tenure = cut - first
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(n_days >= 2, (last - first) / np.maximum(n_days - 1, 1), np.nan)
        spend = [_window_sum(log, k, cut - (j + 1) * h, cut - j * h, True) for j in range(4)]
        orders = [_window_sum(log, k, cut - (j + 1) * h, cut - j * h, False) for j in range(2)]
        total = _window_sum(log, k, -(2**62), cut, True)
        rows = _window_sum(log, k, -(2**62), cut, False)
        year = _window_sum(log, k, cut - 365, cut, True)
        year_before = _window_sum(log, k, cut - h - 365, cut - h, True)
        n_horizons = np.maximum(np.ceil((tenure + 1) / h), 1.0)
        past = np.where(n_horizons > 1, (total - spend[0]) / np.maximum(n_horizons - 1, 1), np.nan)
        older = spend[2] + spend[3]
        f = pd.DataFrame(
            {
                "silence": silence,
                "usual_gap": gap,
                "silence_vs_gap": silence / gap,
                "last_gap_vs_gap": (last - before_last) / gap,
                "tenure": tenure,
                "purchase_days": n_days,
                "orders": rows,
                "orders_0": orders[0],
                "orders_1": orders[1],
                "spend_0": spend[0],
                "spend_1": spend[1],
                "spend_2": spend[2],
                "spend_3": spend[3],
                "spend_vs_previous": spend[0] / np.where(spend[1] > 0, spend[1], np.nan),
                "spend_vs_history": spend[0] / np.where(past > 0, past, np.nan),
                "trend": (spend[0] + spend[1]) / np.where(older > 0, older, np.nan),
                "revenue_year": year,
                "revenue_total": total,
                "order_value": total / np.maximum(rows, 1),
            },
            index=log.index,
        )
    # Tier on trailing-year revenue (the pyramid's rule), now and one horizon ago.
    # (A first column of ones ranks every customer seen so far, spent or not.)
    seen_before = first <= cut - h
    now = _tier_codes(np.c_[seen * 1.0, year], 1, tiers["shares"], tiers["labels"])[0][1]
    then = _tier_codes(np.c_[seen_before * 1.0, year_before], 1, tiers["shares"], tiers["labels"])[
        0
    ][1]
    now = np.where(seen, now, -1)
    then = np.where(seen_before, then, -1)
    f["tier_code"] = now.astype(np.float64)
    f["tier_change"] = np.where((now >= 0) & (then >= 0), now - then, 0).astype(np.float64)
    f["revenue_year_rank"] = pd.Series(np.where(seen, year, np.nan)).rank(pct=True).to_numpy()
    frequency = np.maximum(n_days - 1, 0)
    expected, alive = _btyd(frequency, last - first, tenure, h, seen)
    f["expected_purchases"] = expected
    f["p_alive"] = alive
    f["expected_vs_orders"] = expected / np.maximum(orders[0], 1)
    f["n_tiers"] = float(tiers["n"])
    f["drop"] = drop
    f["horizon"] = float(h)
    return f


# Features the classifier reads (the rest are kept for the reason rules).
_MODEL_FEATURES = (
    "silence",
    "usual_gap",
    "silence_vs_gap",
    "last_gap_vs_gap",
    "tenure",
    "purchase_days",
    "orders",
    "orders_0",
    "orders_1",
    "spend_0",
    "spend_1",
    "spend_2",
    "spend_3",
    "spend_vs_previous",
    "spend_vs_history",
    "trend",
    "revenue_year",
    "revenue_total",
    "order_value",
    "tier_code",
    "tier_change",
    "revenue_year_rank",
    "expected_purchases",
    "p_alive",
    "expected_vs_orders",
)


def _outcome(log: _Log, k: int, cut: int, horizon: int, drop: float) -> np.ndarray:
    after = _window_sum(log, k, cut, cut + horizon, True)
    before = _window_sum(log, k, cut - horizon, cut, True)
    return after < (1.0 - drop) * before


def _training_cuts(log: _Log, horizon: int, n_cuts: int, step: int) -> list[int]:
    """Cut days, latest first, each with a full horizon after it inside the log."""
    cuts = []
    for j in range(n_cuts):
        cut = log.end_day - horizon - j * step
        if cut - log.first_day < horizon:
            break
        cuts.append(cut)
    return cuts


def _sklearn() -> tuple[Any, Any, Any]:
    from .._optional import require

    ensemble = require("sklearn.ensemble", "decline_risk (a gradient-boosted classifier)")
    isotonic = require("sklearn.isotonic", "decline_risk (probability calibration)")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        threadpool_limits = None
    return ensemble.HistGradientBoostingClassifier, isotonic.IsotonicRegression, threadpool_limits


def _usable(x: np.ndarray) -> list[int]:
    """Columns with at least two distinct finite values."""
    keep = []
    for j in range(x.shape[1]):
        col = x[:, j]
        col = col[np.isfinite(col)]
        if len(col) and col.min() < col.max():
            keep.append(j)
    return keep


def _classifier(cls: Any, seed: int | None) -> Any:
    # Small, slow trees: the customer base drifts between cuts, and a
    # heavily regularised model carries over best (measured on CDNOW and
    # on synthetic wholesale logs).
    return cls(
        learning_rate=0.03,
        max_iter=150,
        max_leaf_nodes=8,
        min_samples_leaf=200,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=seed,
    )


def _btyd_fallback(f: pd.DataFrame, drop: float) -> np.ndarray:
    """P(fewer purchases than needed to keep (1 - drop) of the spend), Poisson on BG/NBD."""
    from scipy.stats import poisson

    per_day = f["spend_0"].to_numpy() / np.maximum(f["orders_0"].to_numpy(), 1)
    needed = np.ceil((1.0 - drop) * f["spend_0"].to_numpy() / np.where(per_day > 0, per_day, 1))
    expected = f["expected_purchases"].to_numpy()
    # Without a model (too few customers to fit one): last horizon's orders again.
    expected = np.where(np.isnan(expected), f["orders_0"].to_numpy(), expected)
    return np.asarray(poisson.cdf(np.maximum(needed - 1, 0), np.maximum(expected, 1e-9)))


def decline_risk(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    order: Hashable | None = None,
    observation_end: Any = None,
    horizon: int = 90,
    drop: float = 0.5,
    seed: int | None = None,
    *,
    n_cuts: int = 6,
    step: int | None = None,
    max_train_rows: int = 300_000,
    shares: Sequence[float] = PYRAMID_SHARES,
    labels: str | Sequence[Hashable] = "vip",
    missing: Literal["raise", "drop"] = "raise",
) -> pd.DataFrame:
    """Probability that each customer's spend declines over the next horizon.

    A customer *declines* when their spend over the ``horizon`` days after
    ``observation_end`` falls below ``(1 - drop)`` x their spend over the
    ``horizon`` days up to it (nothing at all counts). Only customers who
    spent in those last ``horizon`` days (*active*) can decline; the others
    get ``p_decline`` 0 and nothing at stake.

    The probability is learned from the log's own history by rolling-origin
    training: at cut dates ``observation_end - horizon - j * step``
    (``j = 0 .. n_cuts - 1``, while a full horizon of history precedes the
    cut), features come from the data up to the cut and the outcome from the
    ``horizon`` days after it. Nothing after ``observation_end`` is read. A
    gradient-boosted classifier (scikit-learn's
    ``HistGradientBoostingClassifier``) trained on the older cuts is
    calibrated by isotonic regression on the latest one, then refitted on
    all of them. When the log is too short to train on (no cut, or too few
    active customers of each outcome), ``p_decline`` falls back to the
    BG/NBD expectation (Poisson chance of fewer purchases than needed to
    keep the spend) and an :class:`InsufficientHistoryWarning` says so.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (the rules of :func:`kamkit.summarize`:
        any id dtype, dates of any resolution, returns as negative
        amounts). Not modified.
    customer, date, amount : column labels
    order : column label, optional
        Order ids. Rows are counted as orders already; accepted for
        symmetry with the other per-customer functions and checked to exist.
    observation_end : date-like, optional
        Last day observed (default: the last date in the data); rows after
        it are ignored (counted in ``attrs["rows_after_end"]``).
    horizon : int, default 90
        Days of the outcome window (and of each spend window of the features).
    drop : float, default 0.5
        Relative fall of spend that counts as a decline, in (0, 1].
    seed : int, optional
        Seed of the classifier and of the sampling of training rows; with a
        seed, results are reproducible.
    n_cuts : int, default 6
        At most this many training cuts.
    step : int, optional
        Days between training cuts; default ``horizon // 3``.
    max_train_rows : int, default 300,000
        Training rows above this number are sampled (seeded) down to it.
    shares, labels
        Tiers of trailing-year revenue, as in :func:`kamkit.pyramid`.
    missing : {"raise", "drop"}
        Rows without id, date or amount raise, or are dropped with a warning.

    Returns
    -------
    DataFrame
        One row per customer with a purchase up to ``observation_end``,
        indexed by customer id (sorted), with ``p_decline``, ``score`` (the
        classifier's uncalibrated score, which orders customers whose
        calibrated probabilities tie), ``at_stake``
        (spend over the last horizon, 0 when not active), ``expected_loss``
        (``p_decline`` x ``at_stake``), ``active``, ``reasons`` (the codes of
        :data:`WARNING_REASONS` raised, comma-separated), ``tier`` (pyramid
        tier on trailing-year revenue), ``revenue_year`` (last 365 days),
        ``last_purchase``, ``expected_purchases`` and ``p_alive`` (BG/NBD,
        over the horizon, in days). ``attrs`` holds ``method``
        ("classifier" or "btyd"), ``training_cuts``, ``training_rows``,
        ``observation_end``, ``horizon``, ``drop``, ``rows_after_end`` and
        ``features`` (the feature table, for the reason rules).

    Raises
    ------
    ImportError
        scikit-learn is not installed (``pip install kamkit[warn]``).
    TypeError, ValueError
        Bad input (as :func:`kamkit.summarize`), ``horizon`` below 1,
        ``drop`` outside (0, 1].

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> risk = kamkit.decline_risk(log, observation_end="1997-09-30", seed=0)
    >>> risk.attrs["method"]
    'classifier'
    >>> bool(risk["p_decline"].between(0, 1).all())
    True
    """
    horizon = check_int("horizon", horizon, 1)
    drop = check_number("drop", drop, 0.0, 1.0)
    if drop <= 0.0:
        raise ValueError(f"drop: expected a share in (0, 1], got {drop}")
    n_cuts = check_int("n_cuts", n_cuts, 1)
    step = check_int("step", max(horizon // 3, 1) if step is None else step, 1)
    max_train_rows = check_int("max_train_rows", max_train_rows, 100)
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an int or None, got {type(seed).__name__}")
    if order is not None and order not in transactions.columns:
        raise ValueError(f"order: column {order!r} not found; columns are {list(transactions)}")
    hgb, isotonic, limits = _sklearn()
    log, _, after = _read_log(transactions, customer, date, amount, observation_end, missing)
    k = len(log.index)
    tiers: dict[str, Any] = {"shares": tuple(shares), "labels": labels}
    _, tier_dtype = _tier_codes(np.zeros((1, 1)), 1, tiers["shares"], tiers["labels"])
    tiers["n"] = len(tier_dtype.categories)
    pdays = _purchase_days(log)
    now = _features(log, pdays, log.end_day, horizon, drop, tiers)
    active = now["spend_0"].to_numpy() > 0
    cuts = _training_cuts(log, horizon, n_cuts, step)
    xs, ys, groups = [], [], []
    for j, cut in enumerate(cuts):
        f = _features(log, pdays, cut, horizon, drop, tiers)
        act = f["spend_0"].to_numpy() > 0
        xs.append(f.loc[act, list(_MODEL_FEATURES)].to_numpy(dtype=np.float64))
        ys.append(_outcome(log, k, cut, horizon, drop)[act])
        groups.append(np.full(int(act.sum()), j))
    method = "classifier"
    p = np.zeros(k)
    raw = np.zeros(k)
    n_train = 0
    x = np.concatenate(xs) if xs else np.empty((0, len(_MODEL_FEATURES)))
    y = np.concatenate(ys) if ys else np.empty(0, dtype=bool)
    g = np.concatenate(groups) if groups else np.empty(0, dtype=np.int64)
    if len(y) > max_train_rows:
        pick = np.sort(np.random.default_rng(seed).choice(len(y), max_train_rows, replace=False))
        x, y, g = x[pick], y[pick], g[pick]
    enough = len(y) >= 200 and min(y.sum(), (~y).sum()) >= 20
    if not enough:
        method = "btyd"
        warnings.warn(
            f"decline_risk: the log is too short to learn from ({len(cuts)} training cuts with "
            f"a full {horizon}-day horizon after them, {len(y)} active customers); p_decline "
            "falls back to the BG/NBD expectation and is not calibrated",
            InsufficientHistoryWarning,
            stacklevel=2,
        )
        p[active] = _btyd_fallback(now[active], drop)
        raw[active] = p[active]
    else:
        n_train = len(y)
        ctx = limits(limits=1) if limits is not None else _Null()
        with ctx:
            cols = _usable(x)
            x_now = now.loc[active, list(_MODEL_FEATURES)].to_numpy(dtype=np.float64)[:, cols]
            xc = x[:, cols]
            older = g > 0
            calib = None
            if older.any() and (~older).sum() >= 100 and len(np.unique(y[older])) == 2:
                sub = _usable(xc[older])
                clf = _classifier(hgb, seed).fit(xc[older][:, sub], y[older])
                score = clf.predict_proba(xc[~older][:, sub])[:, 1]
                calib = isotonic(out_of_bounds="clip", y_min=0.0, y_max=1.0)
                calib.fit(score, y[~older].astype(np.float64))
            clf = _classifier(hgb, seed).fit(xc, y)
            score = clf.predict_proba(x_now)[:, 1]
            if calib is None:
                # One cut only: calibrate on out-of-fold scores of that cut.
                from sklearn.model_selection import cross_val_predict

                oof = cross_val_predict(_classifier(hgb, seed), xc, y, cv=3, method="predict_proba")
                calib = isotonic(out_of_bounds="clip", y_min=0.0, y_max=1.0)
                calib.fit(oof[:, 1], y.astype(np.float64))
            p[active] = calib.predict(score)
            raw[active] = score
    at_stake = np.where(active, now["spend_0"].to_numpy(), 0.0)
    total = now["revenue_total"].to_numpy()
    whole = _tier_codes(np.c_[np.ones(len(total)), total], 1, tiers["shares"], tiers["labels"])[0][
        1
    ].astype(np.int64)
    now["p_decline"] = p
    flags, joined = _reasons(now, active)
    out = pd.DataFrame(
        {
            "p_decline": p,
            "at_stake": at_stake,
            "expected_loss": p * at_stake,
            "score": raw,
            "active": active,
            "reasons": joined,
            # ``tier``: the pyramid on net revenue over the whole history, as in
            # the tiers output; ``tier_12m``: on the last 365 days' revenue.
            "tier": pd.Categorical.from_codes(whole, dtype=tier_dtype),
            "tier_12m": pd.Categorical.from_codes(
                now["tier_code"].to_numpy().astype(np.int64), dtype=tier_dtype
            ),
            "revenue_year": now["revenue_year"].to_numpy(),
            "last_purchase": pd.to_datetime(
                (log.end_day - now["silence"].to_numpy()).astype("int64"), unit="D"
            ),
            "expected_purchases": now["expected_purchases"].to_numpy(),
            "p_alive": now["p_alive"].to_numpy(),
        },
        index=log.index,
    )
    out.index.name = customer if not isinstance(customer, tuple) else None
    out.attrs.update(
        method=method,
        training_cuts=[pd.Timestamp(np.datetime64(c, "D")) for c in cuts],
        training_rows=n_train,
        observation_end=pd.Timestamp(np.datetime64(log.end_day, "D")),
        horizon=horizon,
        drop=drop,
        rows_after_end=after,
        features=now,
        reason_flags=flags,
    )
    return out


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: Any) -> None:
        return None
