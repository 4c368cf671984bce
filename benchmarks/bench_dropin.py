"""Benchmark of the lifetimes drop-in: the same lifetimes code under ``kamkit.lifetimes`` and lifetimes.

Each task is lifetimes' own API, called the same way with either import
(``from lifetimes import ...`` or ``from kamkit.lifetimes import ...``), each
in a fresh subprocess (lifetimes 0.11.3 in its own environment, see
tests/lifetimes/make_env.sh and KAMKIT_LIFETIMES_PYTHON):

- ``summary``: ``summary_data_from_transaction_data(log, ..., monetary_value_col="amount")``;
- ``bgnbd``: ``BetaGeoFitter().fit`` on that summary, then
  ``conditional_expected_number_of_purchases_up_to_time(30, ...)`` and
  ``conditional_probability_alive`` for every customer;
- ``pareto``: the same with ``ParetoNBDFitter`` (lifetimes' default Nelder-Mead fit);
- ``gammagamma``: ``GammaGammaFitter().fit`` on the customers with repeat purchases,
  then ``conditional_expected_average_profit`` for them.

The summary a fitter needs is computed by the same library in the untimed
setup. Input: a synthetic log of about 200k rows (195k) and 20k customers
(kamkit.datasets.simulate_transactions; times in days). Writes
benchmarks/results/dropin.json; ``python benchmarks/make_table.py`` then
refreshes the README table.

    PYTHONPATH=python KAMKIT_LIFETIMES_PYTHON=.venv-lifetimes/bin/python \\
        python benchmarks/bench_dropin.py [--rounds 1] [--only ...]

This module is also imported by the contender subprocesses (possibly under
the lifetimes environment's old NumPy/pandas): keep its module-level imports
to the standard library.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

AREA = "dropin"
INPUT = h.Input("dropin", n_customers=20_000, n_rows=200_000)
TASKS = {
    "summary": "summary_data_from_transaction_data",
    "bgnbd": "BetaGeoFitter fit + 2 predictions",
    "pareto": "ParetoNBDFitter fit + 2 predictions",
    "gammagamma": "GammaGammaFitter fit + expected profit",
}
_STATE: dict[str, Any] = {}


# ----------------------------------------------------------------- contenders
def _lib(package: str) -> Any:
    import warnings

    warnings.simplefilter("ignore")
    return importlib.import_module(package)


def _summary(package: str, frame: Any) -> Any:
    utils = _lib(package + ".utils")
    return utils.summary_data_from_transaction_data(
        frame, "customer_id", "date", monetary_value_col="amount"
    )


def _setup(package: str, frame: Any) -> None:
    _lib(package)
    _STATE["summary"] = _summary(package, frame)


def _bgnbd(package: str) -> Any:
    s = _STATE["summary"]
    m = _lib(package).BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    pred = m.conditional_expected_number_of_purchases_up_to_time(
        30, s["frequency"], s["recency"], s["T"]
    )
    alive = m.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    return m, pred, alive


def _pareto(package: str) -> Any:
    s = _STATE["summary"]
    m = _lib(package).ParetoNBDFitter().fit(s["frequency"], s["recency"], s["T"])
    pred = m.conditional_expected_number_of_purchases_up_to_time(
        30, s["frequency"], s["recency"], s["T"]
    )
    alive = m.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    return m, pred, alive


def _gammagamma(package: str) -> Any:
    s = _STATE["summary"]
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    m = _lib(package).GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    profit = m.conditional_expected_average_profit(rep["frequency"], rep["monetary_value"])
    return m, profit, None


def setup_kamkit(frame: Any) -> None:
    _setup("kamkit.lifetimes", frame)


def setup_lifetimes(frame: Any) -> None:
    _setup("lifetimes", frame)


def import_kamkit(frame: Any) -> None:
    _lib("kamkit.lifetimes")


def import_lifetimes(frame: Any) -> None:
    _lib("lifetimes")


def kamkit_summary(frame: Any) -> Any:
    return _summary("kamkit.lifetimes", frame)


def lifetimes_summary(frame: Any) -> Any:
    return _summary("lifetimes", frame)


def kamkit_bgnbd(frame: Any) -> Any:
    return _bgnbd("kamkit.lifetimes")


def lifetimes_bgnbd(frame: Any) -> Any:
    return _bgnbd("lifetimes")


def kamkit_pareto(frame: Any) -> Any:
    return _pareto("kamkit.lifetimes")


def lifetimes_pareto(frame: Any) -> Any:
    return _pareto("lifetimes")


def kamkit_gammagamma(frame: Any) -> Any:
    return _gammagamma("kamkit.lifetimes")


def lifetimes_gammagamma(frame: Any) -> Any:
    return _gammagamma("lifetimes")


# --------------------------------------------------------------- check figures
def check_summary(result: Any) -> dict[str, float]:
    out: dict[str, float] = {"customers": float(len(result))}
    for col in ("frequency", "recency", "T", "monetary_value"):
        out[f"{col}_sum"] = float(result[col].sum())
    return out


def check_model(result: Any) -> dict[str, float]:
    import numpy as np

    model, first, second = result
    name = type(model).__name__
    out = {f"{name}.{k}": float(v) for k, v in model.params_.items()}
    out[f"{name}.prediction_sum"] = float(np.sum(np.asarray(first, dtype=float)))
    if second is not None:
        out[f"{name}.p_alive_sum"] = float(np.sum(np.asarray(second, dtype=float)))
    return out


# ------------------------------------------------------------------------ plan
def build_plan(lifetimes_python: str | None, tasks: list[str]) -> h.Plan:
    plan = h.Plan(
        AREA, "lifetimes drop-in: kamkit.lifetimes vs lifetimes", Path(__file__).resolve()
    )
    for task in tasks:
        check = "check_summary" if task == "summary" else "check_model"
        for lib, python in (("kamkit", sys.executable), ("lifetimes", lifetimes_python)):
            if python is None:
                continue
            setup = f"import_{lib}" if task == "summary" else f"setup_{lib}"
            plan.contenders.append(
                h.Contender(
                    f"{lib}_{task}",
                    f"{'kamkit.lifetimes' if lib == 'kamkit' else 'lifetimes'} {TASKS[task]}",
                    f"{lib}_{task}",
                    INPUT,
                    role="kamkit" if lib == "kamkit" else "reference",
                    check=check,
                    setup=setup,
                    repeats=3 if lib == "kamkit" else 1,
                    python=python,
                    timeout_s=1800.0,
                )
            )
    return plan


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", choices=list(TASKS), help="run only these tasks")
    p.add_argument("--rounds", type=int, default=1)
    a = p.parse_args(argv)
    lt_python = os.environ.get("KAMKIT_LIFETIMES_PYTHON")
    if lt_python is None:
        guess = h.ROOT / ".venv-lifetimes" / "bin" / "python"
        lt_python = str(guess) if guess.exists() else None
    h.ensure_input(INPUT)
    tasks = a.only or list(TASKS)
    plan = build_plan(lt_python, tasks)
    load_start = os.getloadavg()
    records = h.run_plan(plan, rounds=a.rounds)
    for r in records:  # each lifetimes row is compared with the kamkit row of its task
        task = r["name"].split("_", 1)[1]
        r["vs"] = f"kamkit_{task}"
    problems = h.compare_checks(records, rtol=1e-4)
    summary: dict[str, Any] = {}
    by = {r["name"]: r for r in records if "time_s" in r}
    for task in tasks:
        k, lt = by.get(f"kamkit_{task}"), by.get(f"lifetimes_{task}")
        if k and lt:
            summary[task] = {
                "kamkit_s": k["time_s"],
                "lifetimes_s": lt["time_s"],
                "speedup": lt["time_s"] / k["time_s"],
                "kamkit_extra_peak_mb": k["extra_peak_mb"],
                "lifetimes_extra_peak_mb": lt["extra_peak_mb"],
            }
    notes = [
        "Each lifetimes row's ratio is its time over the kamkit.lifetimes row of the same task; "
        "fitters start from a summary made by the same library in the untimed setup.",
    ]
    if lt_python is None:
        notes.append(
            "lifetimes not measured: set KAMKIT_LIFETIMES_PYTHON (tests/lifetimes/make_env.sh)"
        )
    payload = {
        "area": AREA,
        "title": plan.title,
        "date": h.now(),
        "machine": {**h.machine(), "load_average_1min": [load_start[0], os.getloadavg()[0]]},
        "versions": h.parent_versions({"lifetimes_env": lt_python} if lt_python else None),
        "inputs": {INPUT.name: h.input_info(INPUT)},
        "main_input": INPUT.name,
        "method": {
            "isolation": "each contender in a fresh subprocess that loads the cached input",
            "time": "wall time, best of the repeats (kamkit 3, lifetimes 1)",
            "memory": "extra peak RSS during the call (largest over the repeats)",
        },
        "summary": summary,
        "notes": notes,
        "check_disagreements": problems,
        "check_note": "kamkit.lifetimes and lifetimes agree on the summary sums and on every "
        "fitted parameter and prediction sum to 1e-4 relative.",
        "results": records,
    }
    path = h.write_results(AREA, payload)
    print(f"wrote {path}")
    for task, s in summary.items():
        print(
            f"{task}: kamkit {s['kamkit_s']:.3f} s, lifetimes {s['lifetimes_s']:.3f} s, {s['speedup']:.0f}x"
        )
    if problems:
        print("check disagreements:", *problems, sep="\n  ")


if __name__ == "__main__":
    main()
