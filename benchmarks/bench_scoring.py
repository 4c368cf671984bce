"""Benchmark of value scoring, tiering and k-means against pandas/NumPy and scikit-learn.

Self-contained: the synthetic customer archive (1M customers by default) is
drawn here with NumPy, every contender runs in a fresh subprocess (so the
extra peak resident memory of one does not hide another's), and the result
goes to benchmarks/results/scoring.json.

    PYTHONPATH=python python benchmarks/bench_scoring.py [--customers 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
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


def make_customers(n: int, seed: int = 0) -> pd.DataFrame:
    """A customer archive shaped like kamkit.summarize's, drawn at random."""
    rng = np.random.default_rng(seed)
    freq = rng.negative_binomial(1, 0.35, n).astype(float)  # many ties at 0, 1, 2
    T = rng.integers(30, 540, n).astype(float)
    recency = np.where(freq > 0, np.floor(T * rng.beta(2, 1, n)), 0.0)
    spend = np.round(rng.gamma(2.0, 20.0, n), 2)
    revenue = np.round(spend * (freq + 1) * rng.lognormal(0, 0.5, n), 2)
    return pd.DataFrame(
        {
            "frequency": freq,
            "recency": recency,
            "T": T,
            "monetary_value": spend,
            "revenue": revenue,
            "avg_period_revenue": revenue / np.maximum(T / 91.0, 1.0),
            "growth": np.round(rng.normal(0, 0.3, n), 3),
            "days_since": T - recency,
        },
        index=pd.RangeIndex(n, name="customer_id"),
    )


# ----------------------------------------------------------------- contenders


def kamkit_score_tier(df: pd.DataFrame, method: str) -> dict:
    import kamkit

    score = kamkit.value_score(df, CRITERIA, method=method)
    tiers = kamkit.pyramid(score, SHARES, LABELS)
    c = kamkit.concentration(df["revenue"])
    return {
        "vip": int((tiers == "VIP").sum()),
        "key": int((tiers >= "major").sum()),
        "gini": c.gini,
        "top20": c.top_share(0.2),
        "pareto80": c.pareto_point(0.8),
        "score_sum": float(score.sum()),
    }


def pandas_score_tier(df: pd.DataFrame, method: str) -> dict:
    cols = df[list(CRITERIA)]
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
        "vip": int((tiers == "VIP").sum()),
        "key": int((tiers >= "major").sum()),
        "gini": gini,
        "top20": float(top20),
        "pareto80": (n - j) / n,
        "score_sum": float(score.sum()),
    }


def kamkit_kmeans(df: pd.DataFrame, n_init: int) -> dict:
    import kamkit

    r = kamkit.kmeans_segments(df[FEATURES], 5, n_init=n_init, seed=0)
    return {"inertia": r.inertia}


def sklearn_kmeans(df: pd.DataFrame, n_init: int) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    Z = StandardScaler().fit_transform(df[FEATURES])
    km = KMeans(5, n_init=n_init, random_state=0).fit(Z)
    return {"inertia": float(km.inertia_)}


CONTENDERS = {
    "kamkit score+pyramid+concentration (minmax)": (kamkit_score_tier, "minmax"),
    "pandas/numpy score+pyramid+concentration (minmax)": (pandas_score_tier, "minmax"),
    "kamkit score+pyramid+concentration (rank)": (kamkit_score_tier, "rank"),
    "pandas/numpy score+pyramid+concentration (rank)": (pandas_score_tier, "rank"),
    "kamkit kmeans_segments k=5": (kamkit_kmeans, "n_init"),
    "scikit-learn KMeans k=5": (sklearn_kmeans, "n_init"),
}


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_one(name: str, n: int, repeats: int, n_init: int) -> dict:
    func, arg = CONTENDERS[name]
    df = make_customers(n)
    arg = n_init if arg == "n_init" else arg
    func(df.iloc[:1000], arg)  # imports and first-call costs out of the timing
    times, peaks = [], []
    check: dict = {}
    for _ in range(repeats):
        before = _rss_kib()
        _reset_peak()
        t0 = time.perf_counter()
        check = func(df, arg)
        times.append(time.perf_counter() - t0)
        peaks.append(max(0, _peak_kib() - before) / 1024)
    return {
        "seconds": times,
        "best": min(times),
        "median": float(np.median(times)),
        "extra_peak_rss_mib": max(peaks),
        "check": check,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-init", type=int, default=10)
    ap.add_argument(
        "--omp-wait-policy",
        default=os.environ.get("OMP_WAIT_POLICY", ""),
        help="OMP_WAIT_POLICY for every contender (PASSIVE avoids spinning threads on a "
        "machine busy with other work)",
    )
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(HERE / "results" / "scoring.json"))
    a = ap.parse_args()
    if a.one:
        repeats = 1 if "KMeans" in a.one or "kmeans" in a.one else a.repeats
        print(json.dumps(run_one(a.one, a.customers, repeats, a.n_init)))
        return
    env = os.environ.copy()
    if a.omp_wait_policy:
        env["OMP_WAIT_POLICY"] = a.omp_wait_policy
    results = {}
    for name in CONTENDERS:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                name,
                "--customers",
                str(a.customers),
                "--repeats",
                str(a.repeats),
                "--n-init",
                str(a.n_init),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name}: {results[name]['median']:.3f} s", file=sys.stderr)

    def ratio(slow: str, fast: str) -> float:
        return results[slow]["median"] / results[fast]["median"]

    import sklearn

    import kamkit

    doc = {
        "area": "scoring",
        "customers": a.customers,
        "repeats": a.repeats,
        "kmeans_n_init": a.n_init,
        "omp_wait_policy": a.omp_wait_policy or "default",
        "results": results,
        "ratios": {
            "score+pyramid+concentration minmax, pandas/kamkit": ratio(
                "pandas/numpy score+pyramid+concentration (minmax)",
                "kamkit score+pyramid+concentration (minmax)",
            ),
            "score+pyramid+concentration rank, pandas/kamkit": ratio(
                "pandas/numpy score+pyramid+concentration (rank)",
                "kamkit score+pyramid+concentration (rank)",
            ),
            "kmeans, scikit-learn/kamkit": ratio(
                "scikit-learn KMeans k=5", "kamkit kmeans_segments k=5"
            ),
        },
        "kmeans_inertia_rel_diff": (
            results["kamkit kmeans_segments k=5"]["check"]["inertia"]
            / results["scikit-learn KMeans k=5"]["check"]["inertia"]
            - 1
        ),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scikit-learn": sklearn.__version__,
            "kamkit": kamkit.__version__,
        },
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc["ratios"], indent=2))


if __name__ == "__main__":
    main()
