"""Benchmark harness: every contender runs in a fresh subprocess.

A benchmark script (``bench_<area>.py``) declares its inputs and contenders
and calls :func:`run_benchmark`, which

1. makes the synthetic input once with kamkit.datasets.simulate_transactions
   and caches its columns as .npy files under ``benchmarks/.cache``;
2. starts one subprocess per contender (optionally with another Python, e.g.
   the lifetimes environment), which loads the columns into a DataFrame,
   imports what the contender needs, then runs it ``repeats`` times and
   measures the wall time and the extra peak memory of each call;
3. checks that the contenders agree on their common check figures, and
   writes ``benchmarks/results/<area>.json``.

Extra peak memory is the growth of the resident set during the call: the
kernel's high-water mark (VmHWM) is reset just before the call by writing 5
to /proc/self/clear_refs, and read after it, minus the resident set before
the call. Where that reset is not possible a thread samples the resident set
every millisecond instead (the JSON says which method ran).

This file runs in the contender subprocesses too, possibly under an old
NumPy/pandas: at module level it imports the standard library only.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
MB = 1024 * 1024
COLUMNS = ("customer_id", "date", "amount")


# --------------------------------------------------------------- declarations
@dataclass(frozen=True)
class Input:
    """A synthetic transaction log of simulate_transactions, cached on disk."""

    name: str
    n_customers: int
    n_rows: int
    seed: int = 0

    @property
    def folder(self) -> Path:
        return CACHE / f"{self.name}-c{self.n_customers}-r{self.n_rows}-s{self.seed}"


@dataclass
class Contender:
    """One measured call: ``func(frame)`` on a fresh frame of ``input``.

    ``func`` and ``check`` name functions of the benchmark script; ``check``
    maps the result to a dict of figures that other contenders must match.
    ``setup`` (optional) runs before the measurement, e.g. to import a
    library, so that first-import costs are not timed.
    """

    name: str
    label: str
    func: str
    input: Input
    role: str = "contender"  # "kamkit", "baseline", "variant", "reference", "floor"
    check: str | None = None
    setup: str | None = None
    repeats: int = 3
    python: str = sys.executable
    timeout_s: float = 900.0
    max_rss_mb: float = 6 * 1024.0
    note: str = ""


# ------------------------------------------------------------------- inputs
def ensure_input(spec: Input) -> Path:
    """Generate and cache `spec`'s columns (customer_id, date as int64 ns, amount)."""
    folder = spec.folder
    meta = folder / "meta.json"
    if meta.exists():
        return folder
    import numpy as np

    sys.path.insert(0, str(ROOT / "python"))
    from kamkit.datasets import simulate_transactions

    t0 = time.perf_counter()
    log = simulate_transactions(spec.n_customers, n_rows=spec.n_rows, seed=spec.seed)
    seconds = time.perf_counter() - t0
    tmp = Path(tempfile.mkdtemp(dir=CACHE.mkdir(parents=True, exist_ok=True) or CACHE))
    np.save(tmp / "customer_id.npy", log["customer_id"].to_numpy())
    np.save(tmp / "date.npy", log["date"].to_numpy().view(np.int64))
    np.save(tmp / "amount.npy", log["amount"].to_numpy())
    info = {
        "rows": len(log),
        "customers": int(log["customer_id"].nunique()),
        "bytes": int(sum(log[c].to_numpy().nbytes for c in COLUMNS)),
        "generator": "kamkit.datasets.simulate_transactions",
        "generator_seconds": round(seconds, 3),
        "parameters": log.attrs.get("simulation", {}),
        "spec": asdict(spec),
    }
    (tmp / "meta.json").write_text(json.dumps(info, indent=1))
    tmp.rename(folder)
    return folder


def input_info(spec: Input) -> dict[str, Any]:
    return json.loads((ensure_input(spec) / "meta.json").read_text())


# ------------------------------------------------------------------ memory
def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _hwm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM in /proc/self/status")


def _can_reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _hwm_bytes() <= _rss_bytes() + 64 * 1024 * 1024
    except OSError:
        return False


class PeakMeter:
    """Peak resident set during a block, relative to the resident set before it."""

    def __init__(self) -> None:
        self.method = "VmHWM reset via /proc/self/clear_refs" if _can_reset_hwm() else "sampling"
        self._stop = threading.Event()
        self._peak = 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, _rss_bytes())
            time.sleep(0.001)

    def __enter__(self) -> PeakMeter:
        self.before = _rss_bytes()
        self._peak = self.before
        if self.method == "sampling":
            self._stop.clear()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        else:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.method == "sampling":
            self._stop.set()
            self._thread.join()
            self._peak = max(self._peak, _rss_bytes())
        else:
            self._peak = _hwm_bytes()
        self.extra = max(0, self._peak - self.before)


# ------------------------------------------------------------ child process
def _load_module(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("_bench_module", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for module, dist in (
        ("kamkit", "kamkit"),
        ("numpy", "numpy"),
        ("pandas", "pandas"),
        ("lifetimes", "lifetimes"),
        ("sklearn", "scikit-learn"),
    ):
        mod = sys.modules.get(module)
        version = getattr(mod, "__version__", None) if mod else None
        if version is None and module != "kamkit":
            try:
                version = metadata.version(dist)
            except metadata.PackageNotFoundError:
                version = None
        out[dist] = version
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def child_main(argv: list[str]) -> None:
    """Entry point of a contender subprocess (``python _harness.py child ...``)."""
    p = argparse.ArgumentParser()
    p.add_argument("--module", required=True)
    p.add_argument("--func", required=True)
    p.add_argument("--check")
    p.add_argument("--setup")
    p.add_argument("--input", required=True)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    sys.path.insert(0, str(ROOT / "python"))  # the working tree's kamkit
    import numpy as np
    import pandas as pd

    folder = Path(a.input)
    t0 = time.perf_counter()
    cols = {c: np.load(folder / f"{c}.npy") for c in COLUMNS}
    cols["date"] = cols["date"].view("datetime64[ns]")
    frame = pd.DataFrame(cols, copy=False)
    del cols
    load_s = time.perf_counter() - t0
    module = _load_module(a.module)
    func: Callable[[Any], Any] = getattr(module, a.func)
    if a.setup:
        getattr(module, a.setup)(frame)
    gc.collect()
    after_load = _rss_bytes()
    times, extras = [], []
    meter = PeakMeter()
    check = None
    for i in range(a.repeats):
        gc.collect()
        with meter:
            start = time.perf_counter()
            result = func(frame)
            seconds = time.perf_counter() - start
        times.append(seconds)
        extras.append(meter.extra)
        if i == 0 and a.check:
            check = _jsonable(getattr(module, a.check)(result))
        del result
    report = {
        "times_s": times,
        "extra_peak_bytes": extras,
        "rss_after_load_bytes": after_load,
        "load_s": load_s,
        "memory_method": meter.method,
        "check": check,
        "versions": _versions(),
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS",)},
    }
    Path(a.out).write_text(json.dumps(report))


# ----------------------------------------------------------- parent process
def _watch(proc: subprocess.Popen[bytes], limit_bytes: float, timeout_s: float) -> str | None:
    """Wait for `proc`; kill it past the time or memory limit and say which."""
    import psutil

    ps = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss
        except psutil.NoSuchProcess:
            break
        if rss > limit_bytes:
            proc.kill()
            proc.wait()
            return f"killed: resident memory passed {limit_bytes / MB:.0f} MB"
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return f"killed: still running after {timeout_s:.0f} s"
        time.sleep(0.05)
    return None


def run_contender(c: Contender, module_path: Path) -> dict[str, Any]:
    """Run one contender in a fresh subprocess and return its record."""
    folder = ensure_input(c.input)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [
            c.python,
            str(Path(__file__).resolve()),
            "child",
            "--module",
            str(module_path),
            "--func",
            c.func,
            "--input",
            str(folder),
            "--repeats",
            str(c.repeats),
            "--out",
            str(out),
        ]
        if c.check:
            cmd += ["--check", c.check]
        if c.setup:
            cmd += ["--setup", c.setup]
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)
        failure = _watch(proc, c.max_rss_mb * MB, c.timeout_s)
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        wall = time.perf_counter() - start
        record: dict[str, Any] = {
            "name": c.name,
            "label": c.label,
            "role": c.role,
            "input": c.input.name,
            "note": c.note,
            "repeats": c.repeats,
            "python": c.python,
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
        if failure or proc.returncode != 0 or not out.exists():
            record["error"] = failure or f"exit code {proc.returncode}: {stderr.strip()[-2000:]}"
            return record
        rep = json.loads(out.read_text())
    record.update(
        time_s=min(rep["times_s"]),
        times_s=rep["times_s"],
        extra_peak_mb=max(rep["extra_peak_bytes"]) / MB,
        extra_peak_mb_each=[b / MB for b in rep["extra_peak_bytes"]],
        rss_after_load_mb=rep["rss_after_load_bytes"] / MB,
        load_s=rep["load_s"],
        memory_method=rep["memory_method"],
        check=rep["check"],
        versions=rep["versions"],
        subprocess_wall_s=wall,
    )
    return record


def machine() -> dict[str, Any]:
    """Cores, memory and CPU model of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = None
    try:
        import psutil

        ram = psutil.virtual_memory().total
    except ImportError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram / 1024**3, 1) if ram else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def compare_checks(records: list[dict[str, Any]], rtol: float = 1e-9) -> list[str]:
    """Disagreements between contenders on the same input and the same check figure."""
    problems = []
    seen: dict[tuple[str, str], tuple[str, float]] = {}
    for r in records:
        for key, value in (r.get("check") or {}).items():
            if value is None:
                continue
            ref = seen.setdefault((r["input"], key), (r["name"], value))
            if abs(ref[1] - value) > rtol * max(1.0, abs(ref[1])):
                problems.append(f"{key}: {r['name']} gives {value}, {ref[0]} gives {ref[1]}")
    return problems


def parent_versions(extra_pythons: dict[str, str] | None = None) -> dict[str, Any]:
    """Versions of the libraries in this Python (and in the others named)."""
    sys.path.insert(0, str(ROOT / "python"))
    import kamkit

    out: dict[str, Any] = {"kamkit": kamkit.__version__, "kamkit_revision": git_revision()}
    out.update({k: v for k, v in _versions().items() if k != "kamkit"})
    for name, python in (extra_pythons or {}).items():
        code = "import json,sys;sys.path.insert(0,%r);import _harness as h;print(json.dumps(h._versions()))"
        res = subprocess.run(
            [python, "-c", code % str(HERE)], capture_output=True, text=True, check=False
        )
        if res.returncode == 0:
            out[name] = json.loads(res.stdout)
    return out


def write_results(area: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{area}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=False) + "\n")
    tmp.replace(path)
    return path


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class Plan:
    """What a benchmark script runs: its contenders, in order."""

    area: str
    title: str
    module: Path
    contenders: list[Contender] = field(default_factory=list)


def run_plan(
    plan: Plan,
    only: set[str] | None = None,
    log: Callable[[str], None] = print,
    rounds: int = 1,
) -> list[dict[str, Any]]:
    """Run the plan's contenders one after the other (never two at once).

    With ``rounds`` > 1 the whole plan runs that many times, the contenders
    taking turns (each time in a fresh subprocess), and each contender's
    record merges its rounds (see :func:`merge_rounds`): on a shared machine
    every contender gets the same chances at a quiet moment.
    """
    by_contender: dict[int, list[dict[str, Any]]] = {}
    for r in range(rounds):
        for i, c in enumerate(plan.contenders):
            if only and c.name not in only:
                continue
            turn = f" round {r + 1}/{rounds}" if rounds > 1 else ""
            log(f"[{plan.area}] {c.name} on {c.input.name} ({c.repeats}x){turn} ...")
            rec = run_contender(c, plan.module)
            if "error" in rec:
                log(f"    failed: {rec['error']}")
            else:
                log(
                    f"    best {rec['time_s']:.3f} s of {[round(t, 3) for t in rec['times_s']]}, "
                    f"extra peak {rec['extra_peak_mb']:.0f} MB"
                )
            by_contender.setdefault(i, []).append(rec)
    return [merge_rounds(recs) for _, recs in sorted(by_contender.items())]


def merge_rounds(recs: list[dict[str, Any]]) -> dict[str, Any]:
    """One record from a contender's rounds: every repeat's time and memory
    kept (round by round), the best time and the largest memory over all."""
    ok = [r for r in recs if "error" not in r]
    if len(recs) == 1 or not ok:
        return recs[0]
    out = dict(ok[0])
    out.update(
        rounds=len(recs),
        times_s=[t for r in ok for t in r["times_s"]],
        time_s=min(r["time_s"] for r in ok),
        extra_peak_mb=max(r["extra_peak_mb"] for r in ok),
        extra_peak_mb_each=[m for r in ok for m in r["extra_peak_mb_each"]],
        load_average_1min=[r["load_average_1min"] for r in ok],
        failed_rounds=[r["error"] for r in recs if "error" in r],
    )
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child_main(sys.argv[2:])
    else:
        sys.exit("usage: python _harness.py child ... (run by the benchmark scripts)")
