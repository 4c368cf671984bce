"""Benchmark: value scores, pyramid tiers, concentration and k-means, kamkit against pandas/NumPy and scikit-learn.

The input is the synthetic transaction log of the other benchmarks (10M rows,
1M customers, kamkit.datasets.simulate_transactions, cached under
benchmarks/.cache). Every contender runs in a fresh subprocess
(benchmarks/_harness.py); before the timed calls it turns the log into the
customer archive with kamkit.summarize (not timed), so every contender starts
from the same 1M-customer table.

- score + pyramid + concentration: value_score over five criteria (min-max or
  percentile rank), the textbook pyramid of the scores (1/4/15/80 %), and the
  concentration of revenue (Gini, top-20 % share, Pareto point), against the
  same figures in pandas/NumPy (min-max, rank, pd.cut on the ranks, sorted
  cumulative sums).
- k-means: kamkit.kmeans_segments(k=5, n_init=10) against scikit-learn's
  StandardScaler + KMeans(5, n_init=10) on five archive features.

    python benchmarks/bench_scoring.py            # full size, writes results/scoring.json
    python benchmarks/bench_scoring.py --quick    # 1M rows, 100k customers
    python benchmarks/make_table.py               # refresh the README table
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _harness as h  # noqa: E402

AREA = "scoring"
FULL = h.Input("full", n_customers=1_000_000, n_rows=10_000_000)
SMALL = h.Input("small", n_customers=100_000, n_rows=1_000_000)
CRITERIA = {
    "revenue": 0.3,
    "avg_period_revenue": 0.2,
    "growth": 0.1,
    "frequency": 0.2,
    "days_since": -0.2,
}
SHARES = (0.01, 0.04, 0.15, 0.80)
LABELS = ["VIP", "major", "ordinary", "small"]
FEATURES = ["frequency", "recency", "T", "revenue", "monetary_value"]
K = 5
N_INIT = 10

_STATE: dict[str, Any] = {}


# ---------------------------------------------------------------- set-up
def _customers(frame: Any) -> Any:
    import kamkit

    c = kamkit.summarize(frame, "customer_id", "date", "amount")
    c["days_since"] = c["T"] - c["recency"]
    return c


def setup_kamkit(frame: Any) -> None:
    _STATE["customers"] = _customers(frame)
    c = _STATE["customers"].iloc[:1000]
    _score_tier_kamkit(c, "minmax")
    _score_tier_kamkit(c, "rank")
    _kmeans_kamkit(c)


def setup_pandas(frame: Any) -> None:
    _STATE["customers"] = _customers(frame)
    _score_tier_pandas(_STATE["customers"].iloc[:1000], "minmax")


def setup_sklearn(frame: Any) -> None:
    _STATE["customers"] = _customers(frame)
    _kmeans_sklearn(_STATE["customers"].iloc[:1000])


# ----------------------------------------------------------- contenders
def _score_tier_kamkit(df: Any, method: str) -> dict[str, float]:
    import kamkit

    score = kamkit.value_score(df, CRITERIA, method=method, missing="zero", scale="minmax")
    tiers = kamkit.pyramid(score, SHARES, LABELS)
    c = kamkit.concentration(df["revenue"])
    return {
        f"{method}_vip": int((tiers == "VIP").sum()),
        f"{method}_key": int((tiers >= "major").sum()),
        f"{method}_score_sum": float(score.sum()),
        "gini": c.gini,
        "top20": c.top_share(0.2),
        "pareto80": c.pareto_point(0.8),
    }


def _score_tier_pandas(df: Any, method: str) -> dict[str, float]:
    import numpy as np
    import pandas as pd

    cols = df[list(CRITERIA)].fillna(0.0)
    w = pd.Series(CRITERIA)
    if method == "minmax":
        norm = (cols - cols.min()) / (cols.max() - cols.min())
    else:  # percentile of the average rank
        norm = (cols.rank(method="average") - 1) / (len(cols) - 1)
    neg = list(w.index[w < 0])
    norm[neg] = 1 - norm[neg]
    score = 100 * (norm * w.abs()).sum(axis=1) / w.abs().sum()
    # Pyramid: rank from the top with ties together, cut at the rounded cumulative shares.
    n = len(score)
    rank = score.rank(ascending=False, method="min")
    edges = [0, *np.floor(np.cumsum(SHARES)[:-1] * n + 0.5), np.inf]
    tiers = pd.cut(rank, edges, labels=LABELS, right=True)
    tiers = tiers.cat.reorder_categories(LABELS[::-1], ordered=True)
    # Concentration: sorted cumulative sums.
    x = np.sort(df["revenue"].to_numpy())
    cum = np.cumsum(x)
    total = cum[-1]
    i = np.arange(1, n + 1)
    gini = float(((2 * i - n - 1) * x).sum() / (n * total))
    cum0 = np.r_[0.0, cum]
    top20 = 1 - np.interp(0.8 * n, np.arange(n + 1), cum0) / total
    j = np.searchsorted(cum0, 0.2 * total * (1 + 1e-12), side="right") - 1
    return {
        f"{method}_vip": int((tiers == "VIP").sum()),
        f"{method}_key": int((tiers >= "major").sum()),
        f"{method}_score_sum": float(score.sum()),
        "gini": gini,
        "top20": float(top20),
        "pareto80": (n - j) / n,
    }


def _kmeans_kamkit(df: Any) -> dict[str, float]:
    import kamkit

    r = kamkit.kmeans_segments(df[FEATURES], K, n_init=N_INIT, seed=0)
    return {"kmeans_inertia_kamkit": r.inertia, "kmeans_n_iter_kamkit": r.n_iter}


def _kmeans_sklearn(df: Any) -> dict[str, float]:
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(df[FEATURES])
    km = KMeans(K, n_init=N_INIT, random_state=0).fit(Z)
    return {"kmeans_inertia_sklearn": float(km.inertia_), "kmeans_n_iter_sklearn": km.n_iter_}


def kamkit_minmax(frame: Any) -> dict[str, float]:
    return _score_tier_kamkit(_STATE["customers"], "minmax")


def pandas_minmax(frame: Any) -> dict[str, float]:
    return _score_tier_pandas(_STATE["customers"], "minmax")


def kamkit_rank(frame: Any) -> dict[str, float]:
    return _score_tier_kamkit(_STATE["customers"], "rank")


def pandas_rank(frame: Any) -> dict[str, float]:
    return _score_tier_pandas(_STATE["customers"], "rank")


def kamkit_kmeans(frame: Any) -> dict[str, float]:
    return _kmeans_kamkit(_STATE["customers"])


def sklearn_kmeans(frame: Any) -> dict[str, float]:
    return _kmeans_sklearn(_STATE["customers"])


def check(result: dict[str, float]) -> dict[str, float]:
    return result


# ------------------------------------------------------------------ plan
# (name, label, function, set-up, role, repeats, the kamkit contender it is compared with)
CONTENDERS = [
    ("kamkit-minmax", "value_score minmax + pyramid + concentration", "kamkit_minmax",
     "setup_kamkit", "kamkit", 5, None),
    ("pandas-minmax", "pandas/NumPy: min-max, rank, pd.cut, sorted cumulative sums",
     "pandas_minmax", "setup_pandas", "baseline", 3, "kamkit-minmax"),
    ("kamkit-rank", "value_score rank + pyramid + concentration", "kamkit_rank",
     "setup_kamkit", "kamkit", 5, None),
    ("pandas-rank", "pandas/NumPy: percentile ranks, rank, pd.cut, sorted cumulative sums",
     "pandas_rank", "setup_pandas", "baseline", 3, "kamkit-rank"),
    ("kamkit-kmeans", f"kmeans_segments(k={K}, n_init={N_INIT})", "kamkit_kmeans",
     "setup_kamkit", "kamkit", 1, None),
    ("sklearn-kmeans", f"StandardScaler + scikit-learn KMeans({K}, n_init={N_INIT})",
     "sklearn_kmeans", "setup_sklearn", "reference", 1, "kamkit-kmeans"),
]  # fmt: skip


def build_plan(inp: h.Input) -> tuple[h.Plan, dict[str, str]]:
    plan = h.Plan(AREA, "Scoring, tiers and k-means", Path(__file__).resolve())
    versus = {}
    for name, label, func, setup, role, repeats, vs in CONTENDERS:
        plan.contenders.append(
            h.Contender(
                name, label, func, inp, role=role, check="check", setup=setup, repeats=repeats
            )  # fmt: skip
        )
        if vs:
            versus[name] = vs
    return plan, versus


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1M rows, 100k customers")
    p.add_argument("--only", nargs="*", help="run only these contenders")
    p.add_argument(
        "--omp-wait-policy",
        default=os.environ.get("OMP_WAIT_POLICY", "PASSIVE"),
        help="OMP_WAIT_POLICY of every contender (default PASSIVE: on a machine busy with "
        "other work, OpenMP threads that spin at barriers slow kamkit and scikit-learn down "
        "many times over; 'default' leaves the runtime's own policy)",
    )
    a = p.parse_args(argv)
    if a.omp_wait_policy != "default":
        os.environ["OMP_WAIT_POLICY"] = a.omp_wait_policy  # inherited by every contender
    inp = SMALL if a.quick else FULL
    h.ensure_input(inp)
    plan, versus = build_plan(inp)
    load_start = os.getloadavg()
    records = h.run_plan(plan, set(a.only) if a.only else None)
    by_name = {r["name"]: r for r in records}
    for r in records:  # the kamkit record each time is compared with
        r["vs"] = versus.get(r["name"], r["name"])
    # kmeans inertias differ by design (different seedings): compared below, not as checks.
    problems = h.compare_checks(records, rtol=1e-9)
    summary: dict[str, Any] = {}
    for name, vs in versus.items():
        if "time_s" in by_name.get(name, {}) and "time_s" in by_name.get(vs, {}):
            summary[f"{name} / {vs}"] = by_name[name]["time_s"] / by_name[vs]["time_s"]
    km, sk = by_name.get("kamkit-kmeans", {}), by_name.get("sklearn-kmeans", {})
    notes = [
        "Every contender gets the customer archive of kamkit.summarize (not timed); the "
        "pandas/NumPy contenders compute the same scores, tiers and concentration figures "
        "(checked equal).",
    ]
    notes.append(
        f"OMP_WAIT_POLICY={a.omp_wait_policy} for every contender (kamkit and scikit-learn use "
        "OpenMP; on a machine busy with other work, threads that spin at barriers cost many "
        "times the work itself)."
    )
    if km.get("check") and sk.get("check"):
        ik = km["check"]["kmeans_inertia_kamkit"]
        isk = sk["check"]["kmeans_inertia_sklearn"]
        summary["kmeans inertia kamkit / scikit-learn - 1"] = ik / isk - 1
        notes.append(
            f"k-means inertia (standardized space, best of {N_INIT} seedings): kamkit "
            f"{ik:.6g} ({km['check']['kmeans_n_iter_kamkit']} Lloyd iterations in the best run), "
            f"scikit-learn {isk:.6g} ({sk['check']['kmeans_n_iter_sklearn']}); "
            f"relative difference {ik / isk - 1:+.2e}."
        )
    load_end = os.getloadavg()
    payload = {
        "area": AREA,
        "title": plan.title,
        "date": h.now(),
        "machine": {
            **h.machine(),
            "load_average_1min": [load_start[0], load_end[0]],
            "load_average_start": list(load_start),
            "load_average_end": list(load_end),
            "omp_wait_policy": a.omp_wait_policy,
        },
        "versions": h.parent_versions(),
        "inputs": {inp.name: h.input_info(inp)},
        "main_input": inp.name,
        "method": {
            "isolation": "each contender in a fresh subprocess that loads the cached input",
            "time": "wall time, best of the repeats",
            "memory": "extra peak RSS during the call (largest over the repeats)",
        },
        "summary": summary,
        "check_disagreements": problems,
        "check_note": "The paired contenders agree on their check figures (tier sizes, score "
        "sums, Gini, top-20 % share, Pareto point).",
        "notes": notes,
        "results": records,
    }
    path = h.write_results(AREA, payload)
    print(f"wrote {path}")
    for k, v in summary.items():
        print(f"{k}: {v:.4g}")
    if problems:
        print("check disagreements:", *problems, sep="\n  ")


if __name__ == "__main__":
    main()
