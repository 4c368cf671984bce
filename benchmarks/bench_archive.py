"""Benchmark of the customer archive: kamkit.summarize against pandas and lifetimes.

On a synthetic log of 10M rows and 1M customers (rows in random order; int64
ids, datetime64[ns] dates, float64 amounts) it times, each in a fresh
subprocess:

- a plain memory scan of the input (NumPy sum of each column): the floor;
- ``kamkit.summarize(log, "customer_id", "date", "amount")``;
- several ways of computing first/last date, count and sum of amounts per
  customer with pandas (and NumPy); the fastest is the pandas baseline;
- lifetimes' ``summary_data_from_transaction_data`` (in its own environment:
  lifetimes 0.11.3 needs NumPy 1 and pandas 1; set KAMKIT_LIFETIMES_PYTHON to
  its Python, see tests/lifetimes/make_env.sh).

lifetimes is first measured on 1M and 2M rows; when its time there, taken
linearly to 10M rows, stays under 10 minutes and its memory under the
per-process limit, it runs on the full input too. Otherwise its full-size
figures are extrapolated from the two sizes (the JSON and the README say so).

    python benchmarks/bench_archive.py            # everything, about 10 minutes
    python benchmarks/bench_archive.py --quick    # 1M rows only, a smoke run
    python benchmarks/make_table.py               # refresh benchmarks/README.md

This module is also imported by the contender subprocesses (possibly under
the lifetimes environment's old NumPy/pandas): keep its module-level imports
to the standard library.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

AREA = "archive"
FULL = h.Input("full", n_customers=1_000_000, n_rows=10_000_000)
SMALL = h.Input("small", n_customers=100_000, n_rows=1_000_000)
MEDIUM = h.Input("medium", n_customers=200_000, n_rows=2_000_000)
LIFETIMES_LIMIT_S = 600.0


# ----------------------------------------------------------------- contenders
def scan(frame: Any) -> Any:
    """Floor: read every input byte once (NumPy sum of each column)."""
    import numpy as np

    return (
        np.add.reduce(frame["customer_id"].to_numpy()),
        np.add.reduce(frame["date"].to_numpy().view(np.int64)),
        np.add.reduce(frame["amount"].to_numpy()),
    )


def import_kamkit(frame: Any) -> None:
    import kamkit  # noqa: F401


def kamkit_summarize(frame: Any) -> Any:
    import kamkit

    return kamkit.summarize(frame, customer="customer_id", date="date", amount="amount")


def pandas_agg(frame: Any) -> Any:
    """Named aggregation in one groupby (sorted by id, like kamkit's)."""
    return frame.groupby("customer_id").agg(
        first_purchase=("date", "min"),
        last_purchase=("date", "max"),
        n_transactions=("date", "size"),
        revenue=("amount", "sum"),
    )


def pandas_agg_unsorted(frame: Any) -> Any:
    """As pandas_agg with sort=False (groups in order of appearance)."""
    return frame.groupby("customer_id", sort=False).agg(
        first_purchase=("date", "min"),
        last_purchase=("date", "max"),
        n_transactions=("date", "size"),
        revenue=("amount", "sum"),
    )


def pandas_shared_grouper(frame: Any) -> Any:
    """One groupby object, four single-column reductions that share its codes."""
    import pandas as pd

    g = frame.groupby("customer_id")
    return pd.DataFrame(
        {
            "first_purchase": g["date"].min(),
            "last_purchase": g["date"].max(),
            "n_transactions": g.size(),
            "revenue": g["amount"].sum(),
        }
    )


def pandas_int_dates(frame: Any) -> Any:
    """Dates as int64 nanoseconds (skips datetime handling), converted back after."""
    import pandas as pd

    ticks = pd.Series(frame["date"].to_numpy().view("int64"), index=frame.index)
    g = pd.DataFrame(
        {"customer_id": frame["customer_id"], "t": ticks, "amount": frame["amount"]}, copy=False
    ).groupby("customer_id")
    t = g["t"]
    out = pd.DataFrame(
        {
            "first_purchase": t.min(),
            "last_purchase": t.max(),
            "n_transactions": g.size(),
            "revenue": g["amount"].sum(),
        }
    )
    out["first_purchase"] = out["first_purchase"].to_numpy().view("datetime64[ns]")
    out["last_purchase"] = out["last_purchase"].to_numpy().view("datetime64[ns]")
    return out


def numpy_factorize(frame: Any) -> Any:
    """pd.factorize, then np.bincount for count/sum and ufunc.at for min/max."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(frame["customer_id"].to_numpy(), sort=True)
    k = len(uniques)
    t = frame["date"].to_numpy().view(np.int64)
    first = np.full(k, np.iinfo(np.int64).max)
    last = np.full(k, np.iinfo(np.int64).min)
    np.minimum.at(first, codes, t)
    np.maximum.at(last, codes, t)
    return pd.DataFrame(
        {
            "first_purchase": first.view("datetime64[ns]"),
            "last_purchase": last.view("datetime64[ns]"),
            "n_transactions": np.bincount(codes, minlength=k),
            "revenue": np.bincount(codes, weights=frame["amount"].to_numpy(), minlength=k),
        },
        index=pd.Index(uniques, name="customer_id"),
    )


def import_lifetimes(frame: Any) -> None:
    import lifetimes.utils  # noqa: F401


def lifetimes_summary(frame: Any) -> Any:
    from lifetimes.utils import summary_data_from_transaction_data

    return summary_data_from_transaction_data(
        frame, "customer_id", "date", monetary_value_col="amount"
    )


# --------------------------------------------------------------- check figures
def _days(series: Any) -> float:
    import numpy as np

    return float(np.mean(series.to_numpy().astype("datetime64[ns]").view(np.int64)) / 86400e9)


def check_archive(result: Any) -> dict[str, float]:
    """Figures every contender with these columns must reproduce."""
    out = {"customers": len(result)}
    if "n_transactions" in result:
        out["rows"] = float(result["n_transactions"].sum())
        out["revenue"] = float(result["revenue"].sum())
        out["mean_first_day"] = _days(result["first_purchase"])
        out["mean_last_day"] = _days(result["last_purchase"])
    if "frequency" in result:
        for col in ("frequency", "recency", "T", "monetary_value"):
            out[f"{col}_sum"] = float(result[col].sum())
    return out


def check_scan(result: Any) -> dict[str, float]:
    return {"revenue": float(result[2])}


# ------------------------------------------------------------------------ plan
PANDAS_VARIANTS = {
    "pandas_agg": "groupby().agg(named aggregations)",
    "pandas_agg_unsorted": "groupby(sort=False).agg(...)",
    "pandas_shared_grouper": "one groupby, four column reductions",
    "pandas_int_dates": "groupby on int64 dates",
    "numpy_factorize": "pd.factorize + np.bincount + ufunc.at",
}


# The variants that are a pandas groupby (the others use pd.factorize and NumPy).
GROUPBY_VARIANTS = (
    "pandas_agg",
    "pandas_agg_unsorted",
    "pandas_shared_grouper",
    "pandas_int_dates",
)


def build_plan(inputs: list[h.Input], lifetimes_python: str | None) -> h.Plan:
    plan = h.Plan(AREA, "Customer archive: kamkit.summarize", Path(__file__).resolve())
    for inp in inputs:
        plan.contenders.append(
            h.Contender(
                "scan",
                "memory scan (NumPy sum of each column)",
                "scan",
                inp,
                role="floor",
                check="check_scan",
                repeats=5,
            )
        )
        plan.contenders.append(
            h.Contender(
                "kamkit",
                "kamkit.summarize",
                "kamkit_summarize",
                inp,
                role="kamkit",
                check="check_archive",
                setup="import_kamkit",
                repeats=5,
            )
        )
        for name, label in PANDAS_VARIANTS.items():
            plan.contenders.append(
                h.Contender(
                    name, label, name, inp, role="variant", check="check_archive", repeats=3
                )
            )
    return plan


def lifetimes_contender(inp: h.Input, python: str, repeats: int = 1) -> h.Contender:
    return h.Contender(
        "lifetimes",
        "lifetimes summary_data_from_transaction_data",
        "lifetimes_summary",
        inp,
        role="reference",
        check="check_archive",
        setup="import_lifetimes",
        repeats=repeats,
        python=python,
        timeout_s=LIFETIMES_LIMIT_S * 1.5,
    )


def summarise(records: list[dict[str, Any]], inputs: list[h.Input]) -> dict[str, Any]:
    """Per input: the fastest pandas variant as baseline, and the ratios.

    ``groupby_*`` compare with the fastest pandas groupby (the issue's goal of
    10x is stated against it); ``pandas_*`` with the fastest of all variants,
    which includes pd.factorize with NumPy reductions.
    """
    out: dict[str, Any] = {}
    for inp in inputs:
        rows = [r for r in records if r["input"] == inp.name and "time_s" in r]
        by = {r["name"]: r for r in rows}
        variants = [r for r in rows if r["role"] == "variant"]
        if not variants or "kamkit" not in by:
            continue
        best = min(variants, key=lambda r: r["time_s"])
        k = by["kamkit"]
        entry: dict[str, Any] = {
            "pandas_fastest": best["name"],
            "kamkit_s": k["time_s"],
            "pandas_s": best["time_s"],
            "speedup_vs_pandas": best["time_s"] / k["time_s"],
            "kamkit_extra_peak_mb": k["extra_peak_mb"],
            "pandas_extra_peak_mb": best["extra_peak_mb"],
        }
        groupbys = [r for r in variants if r["name"] in GROUPBY_VARIANTS]
        if groupbys:
            g = min(groupbys, key=lambda r: r["time_s"])
            entry.update(
                groupby_fastest=g["name"],
                groupby_s=g["time_s"],
                speedup_vs_groupby=g["time_s"] / k["time_s"],
            )
        if "scan" in by:
            entry["scan_s"] = by["scan"]["time_s"]
            entry["kamkit_over_scan"] = k["time_s"] / by["scan"]["time_s"]
        if "lifetimes" in by:
            entry["lifetimes_s"] = by["lifetimes"]["time_s"]
            entry["speedup_vs_lifetimes"] = by["lifetimes"]["time_s"] / k["time_s"]
            entry["lifetimes_extra_peak_mb"] = by["lifetimes"]["extra_peak_mb"]
        out[inp.name] = entry
    return out


def extrapolate(small: dict[str, Any], medium: dict[str, Any], full_rows: int) -> dict[str, Any]:
    """Linear fit time = a + b * rows through two sizes, and its check of linearity."""
    n1, t1 = small["rows"], small["time_s"]
    n2, t2 = medium["rows"], medium["time_s"]
    slope = (t2 - t1) / (n2 - n1)
    m1, m2 = small["extra_peak_mb"], medium["extra_peak_mb"]
    mslope = (m2 - m1) / (n2 - n1)
    return {
        "method": "linear in rows through the two measured sizes",
        "sizes": [n1, n2],
        "seconds_per_million_rows": [t1 / n1 * 1e6, t2 / n2 * 1e6],
        "time_s": t2 + slope * (full_rows - n2),
        "extra_peak_mb": m2 + mslope * (full_rows - n2),
        "ratio_of_per_row_costs": (t2 / n2) / (t1 / n1),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1M rows only (no full-size run)")
    p.add_argument("--only", nargs="*", help="run only these contenders")
    p.add_argument("--no-lifetimes", action="store_true")
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times the kamkit, scan and pandas contenders run, taking turns (best kept)",
    )
    a = p.parse_args(argv)
    lt_python = os.environ.get("KAMKIT_LIFETIMES_PYTHON")
    if lt_python is None:
        guess = h.ROOT / ".venv-lifetimes" / "bin" / "python"
        lt_python = str(guess) if guess.exists() else None
    main_input = SMALL if a.quick else FULL
    inputs = [main_input] if a.quick else [SMALL, FULL]
    for inp in [*inputs, MEDIUM]:
        h.ensure_input(inp)
    plan = build_plan(inputs, lt_python)
    only = set(a.only) if a.only else None
    records: list[dict[str, Any]] = []
    notes: list[str] = []
    lt_extra: dict[str, Any] | None = None
    if lt_python and not a.no_lifetimes and (only is None or "lifetimes" in only):
        probes = [lifetimes_contender(SMALL, lt_python), lifetimes_contender(MEDIUM, lt_python)]
        lt_plan = h.Plan(AREA, plan.title, plan.module, probes if not a.quick else probes[:1])
        lt_records = h.run_plan(lt_plan)
        records += lt_records
        ok = [r for r in lt_records if "time_s" in r]
        if not a.quick and len(ok) == 2:
            for r, inp in zip(ok, (SMALL, MEDIUM), strict=True):
                r["rows"] = h.input_info(inp)["rows"]
            est = extrapolate(ok[0], ok[1], h.input_info(FULL)["rows"])
            fits = (
                est["time_s"] < LIFETIMES_LIMIT_S
                and est["extra_peak_mb"] + h.input_info(FULL)["bytes"] / h.MB < 5.5 * 1024
            )
            if fits:
                full = h.run_plan(
                    h.Plan(AREA, plan.title, plan.module, [lifetimes_contender(FULL, lt_python)])
                )
                records += full
                if "time_s" not in full[0]:
                    fits = False
            if not fits:
                lt_extra = est
                est_rec = {
                    "name": "lifetimes",
                    "label": "lifetimes summary_data_from_transaction_data (extrapolated)",
                    "role": "reference",
                    "input": FULL.name,
                    "extrapolated": True,
                    "time_s": est["time_s"],
                    "extra_peak_mb": est["extra_peak_mb"],
                    "note": "extrapolated linearly from 1M and 2M rows",
                }
                records.append(est_rec)
                notes.append(
                    "lifetimes on the full input is extrapolated linearly from its runs on 1M and "
                    f"2M rows (per-row cost ratio {est['ratio_of_per_row_costs']:.2f})."
                )
    elif not a.no_lifetimes:
        notes.append(
            "lifetimes not measured: set KAMKIT_LIFETIMES_PYTHON (tests/lifetimes/make_env.sh)"
        )
    load_start = os.getloadavg()
    records += h.run_plan(plan, only, rounds=a.rounds)
    problems = h.compare_checks([r for r in records if not r.get("extrapolated")], rtol=1e-6)
    summary = summarise(records, inputs)
    payload = {
        "area": AREA,
        "title": plan.title,
        "date": h.now(),
        "machine": {**h.machine(), "load_average_1min": [load_start[0], os.getloadavg()[0]]},
        "versions": h.parent_versions({"lifetimes_env": lt_python} if lt_python else None),
        "inputs": {inp.name: h.input_info(inp) for inp in [*inputs, MEDIUM]},
        "main_input": main_input.name,
        "method": {
            "isolation": "each contender in a fresh subprocess that loads the cached input",
            "time": f"wall time, best of the repeats over {a.rounds} rounds in which the "
            "contenders take turns (lifetimes: one round)",
            "memory": "extra peak RSS during the call (largest over the repeats)",
        },
        "summary": summary,
        "lifetimes_extrapolation": lt_extra,
        "check_disagreements": problems,
        "notes": notes,
        "results": records,
    }
    path = h.write_results(AREA, payload)
    print(f"wrote {path}")
    for name, s in summary.items():
        print(name, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in s.items()})
    if problems:
        print("check disagreements:", *problems, sep="\n  ")


if __name__ == "__main__":
    main()
