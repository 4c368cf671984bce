"""Benchmark: period panel + lifecycle stages + transitions, kamkit vs pandas.

Both contenders turn the same synthetic log (10M rows, 1M customers, 24
months by default) into a customers x months revenue panel, the lifecycle
stage of every customer in every month (same rules, same defaults) and the
counts of moves between consecutive months. The pandas contender uses
groupby/unstack for the panel, shifted column-by-column comparisons over the
cumulative sums for the stages, and pd.crosstab for the transitions.

Each contender runs in its own subprocess, ``--repeats`` times; the script
records the wall time of each run and the extra peak resident memory (the
kernel's high-water mark, reset before the run, minus the resident set before
it), checks that both contenders give the same stage counts and transition
counts, and writes ``benchmarks/results/lifecycle.json``.

    python benchmarks/bench_lifecycle.py                    # full size
    python benchmarks/bench_lifecycle.py --rows 1000000 --customers 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "python"))

STAGES = ("identification", "development", "stable", "decline", "churned", "reactivated")
RULES = {"new_periods": 3, "window": 3, "growth": 0.2, "decline": 0.3, "churn_periods": 6}


# ------------------------------------------------------------------ input
def make_log(n_customers: int, n_rows: int, seed: int) -> tuple[pd.DataFrame, str]:
    """The synthetic log: simulate_transactions when available, else a local generator."""
    try:
        from kamkit.datasets import simulate_transactions
    except ImportError:
        simulate_transactions = None
    if simulate_transactions is not None:
        log = simulate_transactions(
            n_customers, n_rows=n_rows, seed=seed, start="2022-01-01", end="2023-12-31"
        )
        return log[["customer_id", "date", "amount"]], "kamkit.datasets.simulate_transactions"
    rng = np.random.default_rng(seed)
    days = 730  # 2022-01-01 .. 2023-12-31: 24 months
    acquired = rng.integers(0, days - 30, n_customers)
    extra = n_rows - n_customers
    # Heavier buyers get more rows (gamma-distributed purchase rates).
    rate = rng.gamma(0.6, 1.0, n_customers)
    who = rng.choice(n_customers, extra, p=rate / rate.sum())
    customer = np.concatenate([np.arange(n_customers), who])
    span = days - acquired[customer]
    day = acquired[customer] + np.where(
        np.arange(n_rows) < n_customers, 0, (rng.random(n_rows) * span).astype(np.int64)
    )
    spend = np.exp(rng.normal(np.log(25.0), 0.7, n_customers))
    amount = np.round(spend[customer] * np.exp(rng.normal(0.0, 0.4, n_rows)), 2)
    order = np.argsort(day, kind="stable")
    log = pd.DataFrame(
        {
            "customer_id": customer[order] + 1,
            "date": (np.datetime64("2022-01-01") + day[order]).astype("datetime64[ns]"),
            "amount": amount[order],
        }
    )
    return log, "local generator (benchmarks/bench_lifecycle.py make_log)"


# ------------------------------------------------------------------ contenders
def run_kamkit(log: pd.DataFrame) -> dict:
    import kamkit

    panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
    stages = kamkit.lifecycle_stages(panel, **RULES)
    moves = kamkit.transitions(stages)
    return {
        "periods": panel.shape[1],
        "customers": panel.shape[0],
        "revenue": float(panel.to_numpy().sum()),
        "last_stage_counts": stages.iloc[:, -1].value_counts().reindex(list(STAGES)).tolist(),
        "transition_counts": moves.counts.to_numpy().tolist(),
    }


def _pandas_stages(panel: pd.DataFrame) -> np.ndarray:
    """The stage rules, vectorised over customers, one period after another."""
    values = panel.to_numpy()
    k, n = values.shape
    csum = np.concatenate([np.zeros((k, 1)), panel.cumsum(axis=1).to_numpy()], axis=1)
    rows = np.arange(k)
    w, new, churn = RULES["window"], RULES["new_periods"], RULES["churn_periods"]
    out = np.full((k, n), -1, dtype=np.int8)
    first = np.full(k, -1)
    start = np.full(k, -1)
    returned = np.zeros(k, dtype=bool)
    silent = np.zeros(k, dtype=np.int64)
    prev = np.full(k, -1, dtype=np.int8)
    for t in range(n):
        bought = values[:, t] > 0
        newly = (first < 0) & bought
        first[newly] = t
        start[newly] = t
        seen = first >= 0
        silent = np.where(bought, 0, silent + 1)
        react = bought & (prev == 4)
        start[react] = t
        returned |= react
        a = np.maximum(start, t - w + 1)
        recent = (csum[rows, t + 1] - csum[rows, np.clip(a, 0, None)]) / (t - a + 1)
        b = np.maximum(start, t - 2 * w + 1)
        has_trailing = b <= t - w
        denom = np.where(has_trailing, t - w - b + 1, 1)
        trailing = (
            csum[rows, np.clip(t - w + 1, 0, None)] - csum[rows, np.clip(b, 0, None)]
        ) / denom
        trend = np.select(
            [
                ~has_trailing,
                (trailing > 0) & (recent <= (1 - RULES["decline"]) * trailing * (1 + 1e-9)),
                (trailing > 0) & (recent >= (1 + RULES["growth"]) * trailing * (1 - 1e-9)),
                trailing > 0,
                recent > 0,
            ],
            [2, 3, 1, 2, 1],
            default=3,
        )
        stage = np.select(
            [react, silent >= churn, (t - start < new) & returned, t - start < new],
            [5, 4, 5, 0],
            default=trend,
        ).astype(np.int8)
        stage[~seen] = -1
        out[:, t] = stage
        prev = np.where(seen, stage, prev)
    return out


def run_pandas(log: pd.DataFrame) -> dict:
    panel = (
        log.assign(period=log["date"].dt.to_period("M"))
        .groupby(["customer_id", "period"])["amount"]
        .sum()
        .unstack(fill_value=0.0)
    )
    codes = _pandas_stages(panel)
    stages = pd.DataFrame(
        {c: pd.Categorical.from_codes(codes[:, j], categories=list(STAGES), ordered=True)
         for j, c in enumerate(panel.columns)},
        index=panel.index,
    )  # fmt: skip
    frm = pd.concat([stages.iloc[:, j] for j in range(stages.shape[1] - 1)], ignore_index=True)
    to = pd.concat([stages.iloc[:, j + 1] for j in range(stages.shape[1] - 1)], ignore_index=True)
    counts = pd.crosstab(frm, to, dropna=False).reindex(
        index=list(STAGES), columns=list(STAGES), fill_value=0
    )
    return {
        "periods": panel.shape[1],
        "customers": panel.shape[0],
        "revenue": float(panel.to_numpy().sum()),
        "last_stage_counts": stages.iloc[:, -1].value_counts().reindex(list(STAGES)).tolist(),
        "transition_counts": counts.to_numpy().tolist(),
    }


CONTENDERS = {
    "kamkit": ("kamkit: period_panel + lifecycle_stages + transitions", run_kamkit),
    "pandas": ("pandas: groupby/unstack + shifted comparisons + crosstab", run_pandas),
}


# ------------------------------------------------------------------ measuring
def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _hwm() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM")


def child(name: str, folder: Path, repeats: int, out: Path) -> None:
    log = pd.DataFrame(
        {
            "customer_id": np.load(folder / "customer_id.npy"),
            "date": np.load(folder / "date.npy").view("datetime64[ns]"),
            "amount": np.load(folder / "amount.npy"),
        }
    )
    func = CONTENDERS[name][1]
    if name == "kamkit":
        import kamkit  # noqa: F401  (import cost is not timed)
    runs = []
    result = None
    for _ in range(repeats):
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _rss()
        t0 = time.perf_counter()
        result = func(log)
        seconds = time.perf_counter() - t0
        runs.append({"seconds": seconds, "extra_peak_mb": (_hwm() - before) / 2**20})
    out.write_text(json.dumps({"runs": runs, "check": result}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.folder), args.repeats, Path(args.out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        log, generator = make_log(args.customers, args.rows, args.seed)
        gen_seconds = time.perf_counter() - t0
        np.save(folder / "customer_id.npy", log["customer_id"].to_numpy())
        np.save(folder / "date.npy", log["date"].to_numpy().astype("datetime64[ns]").view(np.int64))
        np.save(folder / "amount.npy", log["amount"].to_numpy())
        info = {
            "rows": len(log),
            "customers": int(log["customer_id"].nunique()),
            "first_date": str(log["date"].min().date()),
            "last_date": str(log["date"].max().date()),
            "generator": generator,
            "generator_seconds": round(gen_seconds, 2),
            "seed": args.seed,
        }
        del log
        results = {}
        for name in CONTENDERS:
            out = folder / f"{name}.json"
            cmd = [sys.executable, __file__, "--child", name, "--folder", str(folder),
                   "--out", str(out), "--repeats", str(args.repeats)]  # fmt: skip
            load_before = os.getloadavg()
            subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "python")})
            results[name] = json.loads(out.read_text())
            results[name]["load_average"] = {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            }
    checks = {name: r["check"] for name, r in results.items()}
    agree = checks["kamkit"]["last_stage_counts"] == checks["pandas"]["last_stage_counts"] and (
        checks["kamkit"]["transition_counts"] == checks["pandas"]["transition_counts"]
    )
    best = {name: min(run["seconds"] for run in r["runs"]) for name, r in results.items()}
    import kamkit

    report = {
        "area": "lifecycle",
        "task": "monthly revenue panel + lifecycle stages + transition counts",
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "input": info,
        "contenders": {
            name: {
                "label": CONTENDERS[name][0],
                "role": "kamkit" if name == "kamkit" else "baseline",
                "runs": r["runs"],
                "best_seconds": round(best[name], 4),
                "extra_peak_mb": round(max(run["extra_peak_mb"] for run in r["runs"]), 1),
                "load_average_1_5_15min": r["load_average"],
            }
            for name, r in results.items()
        },
        "speedup_vs_pandas": round(best["pandas"] / best["kamkit"], 2),
        "results_agree": agree,
        "check": checks["kamkit"],
        "versions": {
            "kamkit": kamkit.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "python": platform.python_version(),
        },
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "note": "shared machine: other jobs ran during the measurement (see the load averages)",
        },
        "harness": "self-contained (bench_lifecycle.py): one subprocess per contender",
    }
    report["check"].pop("transition_counts", None)
    (HERE / "results").mkdir(exist_ok=True)
    path = HERE / "results" / "lifecycle.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("speedup_vs_pandas", "results_agree")}))
    for name in CONTENDERS:
        c = report["contenders"][name]
        print(f"{name:8s} best {c['best_seconds']:.3f} s  extra peak {c['extra_peak_mb']:.0f} MB")
    if not agree:
        sys.exit("the contenders disagree: see the check figures in " + str(path))


if __name__ == "__main__":
    main()
