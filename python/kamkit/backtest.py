"""Backtests: replay the log and score what kamkit would have said.

:func:`backtest` cuts the log at earlier dates, runs the early warning, the
purchase models, lifetime value and tiers on the data before each cut, and
scores them against what happened over the ``horizon`` days after it.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._validation import check_int
from .lifecycle.risk import _read_log, _sklearn, _window_sum, decline_risk
from .lifecycle.tiers import _tier_codes
from .models.gamma_gamma import GammaGamma
from .models.selection import PURCHASE_MODELS

__all__ = ["backtest", "warning_scores"]

_COLUMNS = ["cutoff", "part", "subject", "metric", "value"]


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    if y.all() or not y.any():
        return float("nan")
    from scipy.stats import rankdata

    ranks = rankdata(score)
    n1 = y.sum()
    n0 = len(y) - n1
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def warning_scores(
    declined: np.ndarray,
    p_decline: np.ndarray,
    on_list: np.ndarray,
    lost: np.ndarray,
    silence: np.ndarray,
) -> dict[str, float]:
    """Scores of a warning list among the active customers.

    Parameters
    ----------
    declined : bool array
        The outcome of each active customer.
    p_decline : array
        The predicted probability.
    on_list : bool array
        Who is on the list.
    lost : array
        Revenue lost by each customer over the horizon (before - after, at least 0).
    silence : array
        Days since the last purchase (the naive list takes the longest).

    Returns
    -------
    dict
        ``auc``, ``base_rate``, ``list_size``, ``list_share``, ``precision``,
        ``lift``, ``lost_captured``, and the same for the longest-silent list
        of the same size (``silent_precision``, ``silent_lift``,
        ``silent_lost_captured``), ``brier``.

    Examples
    --------
    >>> import numpy as np
    >>> from kamkit.backtest import warning_scores
    >>> y = np.array([True, False, True, False])
    >>> s = warning_scores(y, np.array([.9, .1, .8, .2]), np.array([1, 0, 0, 0], bool),
    ...                    np.array([5., 0., 3., 0.]), np.array([9., 1., 2., 3.]))
    >>> s["precision"], s["lost_captured"]
    (1.0, 0.625)
    """
    y = np.asarray(declined, dtype=bool)
    n = int(on_list.sum())
    base = float(y.mean()) if len(y) else float("nan")
    total_lost = float(lost.sum())
    silent = np.zeros(len(y), dtype=bool)
    silent[np.argsort(-silence, kind="stable")[:n]] = True
    out = {
        "n_active": float(len(y)),
        "base_rate": base,
        "auc": _auc(y, p_decline),
        "brier": float(np.mean((p_decline - y) ** 2)) if len(y) else float("nan"),
        "list_size": float(n),
        "list_share": n / len(y) if len(y) else float("nan"),
    }
    for prefix, chosen in (("", on_list), ("silent_", silent)):
        prec = float(y[chosen].mean()) if n else float("nan")
        out[prefix + "precision"] = prec
        out[prefix + "lift"] = prec / base if base > 0 else float("nan")
        out[prefix + "lost_captured"] = (
            float(lost[chosen].sum()) / total_lost if total_lost > 0 else float("nan")
        )
    return out


def _calibration(pred: np.ndarray, actual: np.ndarray, bins: int = 10) -> list[tuple]:
    if len(pred) < bins:
        return []
    order = np.argsort(pred, kind="stable")
    rows = []
    for d, part in enumerate(np.array_split(order, bins), start=1):
        rows.append((d, float(pred[part].mean()), float(actual[part].mean()), len(part)))
    return rows


def backtest(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    order: Hashable | None = None,
    cutoffs: Sequence[Any] | None = None,
    horizon: int = 90,
    drop: float = 0.5,
    *,
    share: float = 0.2,
    seed: int | None = None,
    n_cutoffs: int = 3,
    observation_end: Any = None,
    parts: Sequence[str] = ("warning", "btyd", "clv", "tiers"),
    models: Sequence[str] = ("bgnbd", "mbgnbd", "pareto"),
    missing: Literal["raise", "drop"] = "raise",
    **risk_options: Any,
) -> pd.DataFrame:
    """Replay the log: what kamkit would have said at each cut, against what happened.

    At each cut date, only the data up to it is read (the cut is the
    ``observation_end`` of every prediction) and the ``horizon`` days after
    it are the outcome:

    - **warning**: :func:`kamkit.decline_risk` and the default early-warning
      list (the top ``share`` of active customers by ``p_decline``): AUC,
      Brier score, precision and lift of the list, share of lost revenue
      captured, the longest-silent list of the same size side by side, and
      calibration by decile of ``p_decline`` (subject ``decile_1`` ..);
    - **btyd**: each purchase model (BG/NBD, MBG/NBD, Pareto/NBD, fitted in
      weeks) against the purchase days over the horizon, per customer: MAE
      and RMSE, beside the naive "same as the last horizon" forecast
      (subject ``naive``), and calibration by decile of the prediction;
    - **clv**: BG/NBD x Gamma-Gamma expected spend over the horizon against
      realised spend (MAE, RMSE, totals), beside the naive forecast;
    - **tiers**: share of customers in the same pyramid tier (trailing-year
      revenue) one horizon later, and shares moving up and down.

    Parameters
    ----------
    transactions, customer, date, amount, order
        The log, as in :func:`kamkit.decline_risk`. Not modified.
    cutoffs : sequence of date-like, optional
        Cut dates (each the last day seen). Default: the last ``n_cutoffs``
        dates at which a full horizon follows, one horizon apart.
    horizon : int, default 90
        Days of the outcome window.
    drop : float, default 0.5
        Relative fall of spend that counts as a decline.
    share : float, default 0.2
        Share of active customers on the warning list.
    seed : int, optional
        Seed of :func:`kamkit.decline_risk`.
    n_cutoffs : int, default 3
        Number of default cut dates.
    observation_end : date-like, optional
        Last day of the log that is read (default: its last date).
    parts : sequence of str
        Which of "warning", "btyd", "clv", "tiers" to score.
    models : sequence of str
        Purchase models of the "btyd" part.
    missing : {"raise", "drop"}
    **risk_options
        Passed to :func:`kamkit.decline_risk`.

    Returns
    -------
    DataFrame
        A tidy scorecard: ``cutoff``, ``part``, ``subject`` (what is scored:
        "early_warning", "longest_silent", a model name, "naive",
        "decile_3"...), ``metric`` and ``value``. ``attrs`` holds the cut
        dates, the horizon and, per cut, the method of the risk model.

    Raises
    ------
    ValueError
        A cut with less than a full horizon after it; bad input.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> card = kamkit.backtest(log, cutoffs=["1997-09-30"], seed=0, parts=["warning"])
    >>> sorted(card["subject"].unique())[:2]
    ['decile_1', 'decile_10']
    """
    known = ("warning", "btyd", "clv", "tiers")
    bad = [p for p in parts if p not in known]
    if bad:
        raise ValueError(f"parts: expected names among {list(known)}, got {bad}")
    bad = [m for m in models if m not in PURCHASE_MODELS]
    if bad:
        raise ValueError(f"models: expected names among {sorted(PURCHASE_MODELS)}, got {bad}")
    if "warning" in parts:
        _sklearn()
    n_cutoffs = check_int("n_cutoffs", n_cutoffs, 1)
    horizon = check_int("horizon", horizon, 1)
    full, _, _ = _read_log(transactions, customer, date, amount, observation_end, missing)
    k = len(full.index)
    last_day = full.end_day
    if cutoffs is None:
        cut_days = [last_day - horizon * j for j in range(n_cutoffs, 0, -1)]
        cut_days = [c for c in cut_days if c > full.first_day]
        if not cut_days:
            raise ValueError(
                f"cutoffs: the log spans {last_day - full.first_day + 1} days, too short for a "
                f"{horizon}-day horizon after a cut"
            )
    else:
        cut_days = []
        for c in cutoffs:
            day = int(pd.Timestamp(c).value // 86_400_000_000_000)
            if day + horizon > last_day:
                raise ValueError(
                    f"cutoffs: {pd.Timestamp(c).date()} leaves less than a full {horizon}-day "
                    f"horizon before the last date in the data ({_date(last_day)})"
                )
            cut_days.append(day)
    rows: list[tuple] = []
    methods = {}
    for cut in cut_days:
        stamp = pd.Timestamp(_date(cut))
        seen = _first_day(full, k) <= cut
        before = _window_sum(full, k, cut - horizon, cut, True)
        after = _window_sum(full, k, cut, cut + horizon, True)

        def add(part: str, subject: str, values: dict[str, float], stamp: Any = stamp) -> None:
            rows.extend((stamp, part, subject, m, float(v)) for m, v in values.items())

        if "warning" in parts:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                risk = decline_risk(
                    transactions, customer, date, amount, order, stamp, horizon, drop, seed,
                    missing=missing, **risk_options,
                )  # fmt: skip
            methods[stamp] = risk.attrs["method"]
            where = full.index.get_indexer(risk.index)
            act = risk["active"].to_numpy()
            p = risk["p_decline"].to_numpy()[act]
            score = risk["score"].to_numpy()[act]
            y = (after < (1 - drop) * before)[where][act]
            n = int(round(share * act.sum()))
            on = np.zeros(len(p), dtype=bool)
            on[np.lexsort((-score, -p))[:n]] = True
            lost = np.maximum(before - after, 0.0)[where][act]
            silence = risk.attrs["features"]["silence"].to_numpy()[act]
            scores = warning_scores(y, p, on, lost, silence)
            add("warning", "early_warning", {
                k_: v for k_, v in scores.items() if not k_.startswith("silent_")
            })  # fmt: skip
            add("warning", "longest_silent", {
                k_[7:]: v for k_, v in scores.items() if k_.startswith("silent_")
            })  # fmt: skip
            for d, pm, obs, cnt in _calibration(p, y.astype(np.float64)):
                add("warning", f"decile_{d}", {"predicted": pm, "observed": obs, "n": cnt})
        if "btyd" in parts or "clv" in parts:
            x, tx, big_t, mv = _rfm_weeks(full, k, cut, seen)
            actual_n = _purchase_days_between(full, k, cut, cut + horizon)[seen]
            last_n = _purchase_days_between(full, k, cut - horizon, cut)[seen]
            weeks = horizon / 7.0
            bg_pred = None
            for name in models if "btyd" in parts else ("bgnbd",):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model = PURCHASE_MODELS[name]().fit(x, tx, big_t)
                        pred = np.asarray(model.conditional_expected_purchases(weeks, x, tx, big_t))
                except (ValueError, RuntimeError, ArithmeticError, np.linalg.LinAlgError):
                    continue
                if name == "bgnbd":
                    bg_pred = pred
                if "btyd" in parts:
                    add("btyd", name, _errs(pred, actual_n))
                    for d, pm, obs, cnt in _calibration(pred, actual_n):
                        add(
                            "btyd",
                            f"{name}_decile_{d}",
                            {"predicted": pm, "observed": obs, "n": cnt},
                        )
            if "btyd" in parts:
                add("btyd", "naive", _errs(last_n, actual_n))
            if "clv" in parts and bg_pred is not None:
                spend_actual = after[seen]
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        gg = GammaGamma().fit(x, mv)
                        avg = np.asarray(gg.conditional_expected_average_spend(x, mv))
                    add("clv", "bgnbd_gamma_gamma", _errs(bg_pred * avg, spend_actual))
                except (ValueError, RuntimeError, ArithmeticError, np.linalg.LinAlgError):
                    pass
                add("clv", "naive", _errs(before[seen], spend_actual))
        if "tiers" in parts:
            year_now = _window_sum(full, k, cut - 365, cut, True)
            year_then = _window_sum(full, k, cut + horizon - 365, cut + horizon, True)
            now = _tier_codes(np.c_[seen * 1.0, year_now], 1, (0.01, 0.04, 0.15, 0.8), "vip")[0][1]
            then = _tier_codes(np.c_[seen * 1.0, year_then], 1, (0.01, 0.04, 0.15, 0.8), "vip")[0][
                1
            ]
            a, b = now[seen], then[seen]
            add("tiers", "pyramid", {
                "same_tier": float(np.mean(a == b)),
                "moved_up": float(np.mean(b > a)),
                "moved_down": float(np.mean(b < a)),
                "customers": float(seen.sum()),
            })  # fmt: skip
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out.attrs.update(
        cutoffs=[pd.Timestamp(_date(c)) for c in cut_days],
        horizon=horizon,
        drop=drop,
        share=share,
        methods=methods,
    )
    return out


def _date(day: int) -> np.datetime64:
    return np.datetime64(int(day), "D")


def _first_day(log: Any, k: int) -> np.ndarray:
    """Day of each customer's first row (rows are in day order)."""
    first = np.full(k, np.iinfo(np.int64).max)
    codes, at = np.unique(log.codes, return_index=True)
    first[codes] = log.days[at]
    return first


def _purchase_days_between(log: Any, k: int, lo: int, hi: int) -> np.ndarray:
    """Distinct purchase days per customer in (lo, hi] (rows are in day order)."""
    i0, i1 = np.searchsorted(log.days, [lo, hi], side="right")
    span = hi - lo
    pairs = log.codes[i0:i1] * span + (log.days[i0:i1] - lo - 1)
    pairs.sort()
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return np.bincount(pairs // span, minlength=k).astype(np.float64)


def _rfm_weeks(
    log: Any, k: int, cut: int, seen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """frequency, recency, T (weeks) and mean repeat-day spend of the customers seen by cut."""
    i1 = int(np.searchsorted(log.days, cut, side="right"))
    c, d, a = log.codes[:i1], log.days[:i1], log.amount[:i1]
    span = cut - log.first_day + 1
    key = c * span + (d - log.first_day)
    order = np.argsort(key, kind="stable")
    key = key[order]
    new = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, dtype=bool)
    group = np.cumsum(new) - 1
    pairs = key[new]
    day_total = np.bincount(group, weights=a[order])
    pc = pairs // span
    pdays = pairs % span + log.first_day
    n = np.bincount(pc, minlength=k).astype(np.float64)
    first = np.full(k, np.nan)
    last = np.full(k, np.nan)
    starts = np.flatnonzero(np.r_[True, pc[1:] != pc[:-1]]) if len(pc) else pc
    ends = np.r_[starts[1:], len(pc)] - 1 if len(pc) else pc
    first[pc[starts]] = pdays[starts]
    last[pc[ends]] = pdays[ends]
    total = np.bincount(pc, weights=day_total, minlength=k)
    first_total = np.zeros(k)
    first_total[pc[starts]] = day_total[starts]
    x = np.maximum(n - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mv = np.where(x > 0, (total - first_total) / np.maximum(x, 1), 0.0)
    return (
        x[seen],
        (last - first)[seen] / 7.0,
        (cut - first)[seen] / 7.0,
        np.maximum(mv[seen], 0.0),
    )


def _errs(pred: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    err = np.asarray(pred, dtype=np.float64) - actual
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "predicted_total": float(np.sum(pred)),
        "actual_total": float(np.sum(actual)),
    }
