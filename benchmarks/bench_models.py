"""Benchmark: BG/NBD fit and predictions on 1M synthetic customers, kamkit vs lifetimes.

The customers' (frequency, recency, T) summaries are drawn from the BG/NBD
process itself, with times in whole days (the models start from summaries, so
no transaction log is needed). Every contender runs in its own subprocess:
kamkit twice, with OpenMP's default wait policy and with
OMP_WAIT_POLICY=PASSIVE (idle worker threads sleep instead of spinning, which
matters when other jobs load the cores: a spinning worker takes a core from
the thread doing the work), and lifetimes in its own environment
(tests/lifetimes/make_env.sh, KAMKIT_LIFETIMES_PYTHON). The 1-minute load
average before and after each run is recorded. Writes
benchmarks/results/models.json.

    PYTHONPATH=python KAMKIT_LIFETIMES_PYTHON=.venv-lifetimes/bin/python \\
        python benchmarks/bench_models.py [--customers 1000000]

The Pareto/NBD run does the same on customers drawn from the Pareto/NBD
process. lifetimes' Nelder-Mead fit of it takes minutes on 20,000 customers,
so it is fitted on the first --lifetimes-pareto-customers (default 20,000),
and kamkit is timed on the same customers for the fit ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TRUE = {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.5}

LIFETIMES_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
import lifetimes, autograd
from autograd import value_and_grad
from lifetimes import BetaGeoFitter
d = np.load(sys.argv[1])
f, r, T = d["frequency"], d["recency"], d["T"]
out = {"lifetimes": lifetimes.__version__, "numpy": np.__version__}
t0 = time.perf_counter()
m = BetaGeoFitter().fit(f, r, T)
out["fit_s"] = time.perf_counter() - t0
out["params"] = dict(m.params_.astype(float))
# One objective evaluation as the optimiser sees it (value and gradient).
scale = 1.0 / T.max()
args = (f.astype(int), r * scale, T * scale, np.ones_like(r, dtype=int), 0.0)
vg = value_and_grad(m._negative_log_likelihood)
x0 = np.log(m.params_.to_numpy() * np.array([1, scale, 1, 1]))
vg(x0, *args)
t0 = time.perf_counter()
for _ in range(3):
    vg(x0, *args)
out["eval_s"] = (time.perf_counter() - t0) / 3
t0 = time.perf_counter()
e = m.conditional_expected_number_of_purchases_up_to_time(30.0, f, r, T)
pa = m.conditional_probability_alive(f, r, T)
out["predict_s"] = time.perf_counter() - t0
out["n_nonfinite_predictions"] = int((~np.isfinite(e)).sum() + (~np.isfinite(pa)).sum())
json.dump(out, sys.stdout)
"""


TRUE_PARETO = {"r": 0.55, "alpha": 75.0, "s": 0.6, "beta": 80.0}

LIFETIMES_PARETO_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
import lifetimes
from lifetimes import ParetoNBDFitter
d = np.load(sys.argv[1])
n_fit = int(sys.argv[2])
f, r, T = d["frequency"], d["recency"], d["T"]
out = {"lifetimes": lifetimes.__version__, "numpy": np.__version__, "fit_customers": n_fit}
calls = [0, 0.0]
nll = ParetoNBDFitter._negative_log_likelihood
def counted(*a, **k):
    t = time.perf_counter()
    v = nll(*a, **k)
    calls[0] += 1
    calls[1] += time.perf_counter() - t
    return v
ParetoNBDFitter._negative_log_likelihood = staticmethod(counted)
t0 = time.perf_counter()
m = ParetoNBDFitter().fit(f[:n_fit], r[:n_fit], T[:n_fit])
out["fit_s"] = time.perf_counter() - t0
out["evaluations"] = calls[0]
out["time_in_objective_s"] = calls[1]
ParetoNBDFitter._negative_log_likelihood = staticmethod(nll)
out["params"] = dict(m.params_.astype(float))
# One objective evaluation as its optimiser sees it (value only), on all customers.
x0 = m.params_.to_numpy() * np.array([1, m._scale, 1, m._scale])
args = (f.astype(int), r * m._scale, T * m._scale, np.ones_like(r, dtype=int), 0.0)
t0 = time.perf_counter()
for _ in range(3):
    nll(x0, *args)
out["eval_s"] = (time.perf_counter() - t0) / 3
t0 = time.perf_counter()
with np.errstate(all="ignore"):
    e = m.conditional_expected_number_of_purchases_up_to_time(30.0, f, r, T)
    pa = m.conditional_probability_alive(f, r, T)
out["predict_s"] = time.perf_counter() - t0
out["n_nonfinite_predictions"] = int((~np.isfinite(e)).sum() + (~np.isfinite(pa)).sum())
json.dump(out, sys.stdout)
"""


def simulate_pareto(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """(frequency, recency, T) of n customers from the Pareto/NBD process, in whole days."""
    rng = np.random.default_rng(seed)
    T = rng.integers(30, 731, n).astype(float)
    lam = rng.gamma(TRUE_PARETO["r"], 1 / TRUE_PARETO["alpha"], n)
    mu = rng.gamma(TRUE_PARETO["s"], 1 / TRUE_PARETO["beta"], n)
    end = np.minimum(T, rng.exponential(1 / mu))
    x = rng.poisson(lam * end).astype(float)
    # given x purchases in (0, end), the last one is at end * Beta(x, 1)
    last = np.where(x > 0, end * rng.beta(np.maximum(x, 1), 1), 0.0)
    return {"frequency": x, "recency": np.floor(last), "T": T}


def run_kamkit_pareto(data: dict[str, np.ndarray]) -> dict:
    import kamkit
    from kamkit import _core

    f, r, T = data["frequency"], data["recency"], data["T"]
    out: dict = {"kamkit": kamkit.__version__}
    t0 = time.perf_counter()
    m = kamkit.ParetoNBD().fit(f, r, T)
    out["fit_s"] = time.perf_counter() - t0
    out["params"] = dict(m.params_.astype(float))
    out["iterations"] = m.convergence_["n_iterations"]
    out["evaluations"] = m.convergence_["n_evaluations"]
    out["distinct_rows"] = m.n_distinct_rows_
    t0 = time.perf_counter()
    rfm = _core.RfmData(f, r, T, None)
    out["compress_s"] = time.perf_counter() - t0
    theta = np.log(m.params_.to_numpy())
    for order in (0, 2):
        t0 = time.perf_counter()
        for _ in range(5):
            _core.pareto_nbd_loglik(theta, rfm, order)
        out[f"eval_order{order}_s"] = (time.perf_counter() - t0) / 5
    t0 = time.perf_counter()
    e = m.conditional_expected_purchases(30.0, f, r, T)
    pa = m.probability_alive(f, r, T)
    out["predict_s"] = time.perf_counter() - t0
    out["n_nonfinite_predictions"] = int((~np.isfinite(e)).sum() + (~np.isfinite(pa)).sum())
    out["_rfm"] = rfm
    return out


def bench_pareto(n: int, n_lifetimes_fit: int | None) -> dict:
    from kamkit import _core

    data = simulate_pareto(n)
    res: dict = {
        "data": "Pareto/NBD process, r=0.55 alpha=75 s=0.6 beta=80, T uniform 30..730 days",
    }
    before = os.getloadavg()[0]
    k = run_kamkit_pareto(data)
    k["load_average_1min"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    rfm = k.pop("_rfm")
    res["kamkit"] = k
    python = os.environ.get("KAMKIT_LIFETIMES_PYTHON")
    if not python:
        res["lifetimes"] = "skipped: KAMKIT_LIFETIMES_PYTHON not set"
        return res
    n_fit = n if n_lifetimes_fit is None else min(n, n_lifetimes_fit)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, **data)
        before = os.getloadavg()[0]
        done = subprocess.run(
            [python, "-c", LIFETIMES_PARETO_SCRIPT, str(path), str(n_fit)],
            capture_output=True,
            text=True,
            check=True,
        )
    lt = json.loads(done.stdout)
    lt["load_average_1min"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    res["lifetimes"] = lt
    res["log_likelihood"] = {
        name: float(_core.pareto_nbd_loglik(np.log(list(p.values())), rfm, 0)[0])
        for name, p in (("kamkit", k["params"]), ("lifetimes", lt["params"]))
    }
    res["speedup"] = {
        "evaluation_value": lt["eval_s"] / k["eval_order0_s"],
        "evaluation_with_hessian": lt["eval_s"] / k["eval_order2_s"],
        "predict": lt["predict_s"] / k["predict_s"],
    }
    if n_fit == n:
        res["speedup"]["fit"] = lt["fit_s"] / k["fit_s"]
    else:
        import kamkit

        sub = {c: v[:n_fit] for c, v in data.items()}
        t0 = time.perf_counter()
        m = kamkit.ParetoNBD().fit(sub["frequency"], sub["recency"], sub["T"])
        k["fit_same_customers_s"] = time.perf_counter() - t0
        res["speedup"]["fit"] = lt["fit_s"] / k["fit_same_customers_s"]
        sub_rfm = _core.RfmData(sub["frequency"], sub["recency"], sub["T"], None)
        res["log_likelihood_fit_customers"] = {
            "kamkit": m.log_likelihood_,
            "lifetimes": float(
                _core.pareto_nbd_loglik(np.log(list(lt["params"].values())), sub_rfm, 0)[0]
            ),
        }
        res["note"] = (
            f"lifetimes was fitted on the first {n_fit} customers; the fit ratio compares "
            "both libraries on those customers"
        )
    return res


def simulate(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """(frequency, recency, T) of n customers from the BG/NBD process, in whole days."""
    rng = np.random.default_rng(seed)
    T = rng.integers(30, 731, n).astype(float)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    x = np.zeros(n)
    last = np.zeros(n)
    now = np.zeros(n)
    active = np.arange(n)
    while active.size:
        now[active] += rng.exponential(1 / lam[active])
        bought = now[active] <= T[active]
        active = active[bought]
        x[active] += 1
        last[active] = now[active]
        active = active[rng.random(active.size) >= p[active]]
    recency = np.floor(last)
    recency[x == 0] = 0
    return {"frequency": x, "recency": recency, "T": T}


KAMKIT_SCRIPT = r"""
import json, sys, time
import numpy as np
import kamkit
from kamkit import _core
d = np.load(sys.argv[1])
f, r, T = d["frequency"], d["recency"], d["T"]
out = {"kamkit": kamkit.__version__, "numpy": np.__version__}
kamkit.BetaGeo().fit(f[:1000], r[:1000], T[:1000])  # first-call costs (imports, thread pool)
t0 = time.perf_counter()
m = kamkit.BetaGeo().fit(f, r, T)
out["fit_s"] = time.perf_counter() - t0
out["params"] = dict(m.params_.astype(float))
out["log_likelihood"] = m.log_likelihood_
out["iterations"] = m.convergence_["n_iterations"]
out["evaluations"] = m.convergence_["n_evaluations"]
out["distinct_rows"] = m.n_distinct_rows_
best = np.inf
for _ in range(5):
    t0 = time.perf_counter()
    rfm = _core.RfmData(f, r, T, None)
    best = min(best, time.perf_counter() - t0)
out["compress_s"] = best
theta = np.log(m.params_.to_numpy())
for order in (0, 2):
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        _core.bg_nbd_loglik(theta, rfm, order)
        times.append(time.perf_counter() - t0)
    out[f"eval_order{order}_s"] = float(np.median(times))
    out[f"eval_order{order}_ns_per_row"] = float(np.median(times)) / rfm.n_rows * 1e9
t0 = time.perf_counter()
e = m.conditional_expected_purchases(30.0, f, r, T)
pa = m.probability_alive(f, r, T)
out["predict_s"] = time.perf_counter() - t0
out["n_nonfinite_predictions"] = int((~np.isfinite(e)).sum() + (~np.isfinite(pa)).sum())
out["sum_expected_30"] = float(np.sum(e))
out["sum_probability_alive"] = float(np.sum(pa))
json.dump(out, sys.stdout)
"""


def run_child(python: str, script: str, path: Path, env_extra: dict[str, str]) -> dict:
    """Run `script` on the data at `path` in a fresh process; its JSON plus load averages."""
    env = dict(os.environ, **env_extra)
    if python != sys.executable:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = str(HERE.parent / "python")
    before = os.getloadavg()[0]
    done = subprocess.run(
        [python, "-c", script, str(path)], capture_output=True, text=True, check=True, env=env
    )
    out = json.loads(done.stdout)
    out["load_average_1min"] = [round(before, 2), round(os.getloadavg()[0], 2)]
    out["env"] = env_extra
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--lifetimes-pareto-customers", type=int, default=20_000)
    args = ap.parse_args()
    data = simulate(args.customers)
    res = {
        "benchmark": "models",
        "customers": args.customers,
        "data": "BG/NBD process, r=0.25 alpha=30 a=0.8 b=2.5, T uniform 30..730 days",
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_1_5_15min_at_start": [round(v, 2) for v in os.getloadavg()],
        },
    }
    python = os.environ.get("KAMKIT_LIFETIMES_PYTHON")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, **data)
        runs = {
            "kamkit_bg_nbd": run_child(sys.executable, KAMKIT_SCRIPT, path, {}),
            "kamkit_bg_nbd_passive": run_child(
                sys.executable, KAMKIT_SCRIPT, path, {"OMP_WAIT_POLICY": "PASSIVE"}
            ),
        }
        res.update(runs)
        if python:
            res["lifetimes_bg_nbd"] = lt = run_child(python, LIFETIMES_SCRIPT, path, {})
        else:
            res["lifetimes_bg_nbd"] = lt = None
    if lt is not None:
        from kamkit import _core

        rfm = _core.RfmData(data["frequency"], data["recency"], data["T"], None)
        res["log_likelihood"] = {
            name: float(_core.bg_nbd_loglik(np.log(list(p.values())), rfm, 0)[0])
            for name, p in (
                ("kamkit", runs["kamkit_bg_nbd"]["params"]),
                ("lifetimes", lt["params"]),
            )
        }
        res["speedup"] = {
            name: {
                "fit": lt["fit_s"] / k["fit_s"],
                "evaluation": lt["eval_s"] / k["eval_order2_s"],
                "predict": lt["predict_s"] / k["predict_s"],
                "fit_and_predict": (lt["fit_s"] + lt["predict_s"]) / (k["fit_s"] + k["predict_s"]),
            }
            for name, k in runs.items()
        }
    else:
        res["lifetimes_bg_nbd"] = "skipped: KAMKIT_LIFETIMES_PYTHON not set"
    res["pareto_nbd"] = bench_pareto(args.customers, args.lifetimes_pareto_customers)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "models.json").write_text(json.dumps(res, indent=2))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
