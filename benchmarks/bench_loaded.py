"""Shared-machine run: each benchmark quiet, then beside one busy process per core.

For every benchmark script named (scoring, archive, models, lifecycle), the
script runs once on a quiet machine and once while ``os.cpu_count()``
processes spin a core each (a plain Python busy loop, started before and
stopped after the run). The ratios of its summary (kamkit's speed against
each contender) are kept side by side in ``results/loaded.json``, with the
loaded/quiet fraction of each; the issue's goal is a fraction of at least
0.70 for every ratio of the README's speed table.

Usage::

    python benchmarks/bench_loaded.py                    # scoring archive models
    python benchmarks/bench_loaded.py scoring --quick    # arguments after the names go to each script

The quiet run should itself be quiet: the load averages at its start and end
are recorded so that a run on a busy machine can be told from a clean one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
AREAS = ("scoring", "archive", "models", "lifecycle")
BUSY = "while True:\n    pass\n"


def run_area(area: str, extra: list[str]) -> dict:
    """Run bench_<area>.py and return its summary ratios."""
    script = HERE / f"bench_{area}.py"
    subprocess.run([sys.executable, str(script), *extra], check=True)
    payload = json.loads((RESULTS / f"{area}.json").read_text())
    return {"summary": payload.get("summary", {}), "load": os.getloadavg()}


def loaded(area: str, extra: list[str], n_busy: int) -> dict:
    hogs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(n_busy)]
    try:
        time.sleep(1.0)  # let the busy processes take their cores
        return run_area(area, extra)
    finally:
        for hog in hogs:
            hog.terminate()
        for hog in hogs:
            hog.wait()


def main(argv: list[str]) -> None:
    names = [a for a in argv if a in AREAS] or ["scoring", "archive", "models"]
    extra = [a for a in argv if a not in AREAS]
    n_busy = os.cpu_count() or 1
    out: dict = {"busy_processes": n_busy, "areas": {}}
    for area in names:
        quiet = run_area(area, extra)
        kept = (RESULTS / f"{area}.json").read_text()
        busy = loaded(area, extra, n_busy)
        (RESULTS / f"{area}.loaded.json").write_text((RESULTS / f"{area}.json").read_text())
        (RESULTS / f"{area}.json").write_text(kept)  # the README's table stays the quiet run
        rows = {}
        for key, q in quiet["summary"].items():
            b = busy["summary"].get(key)
            if isinstance(q, (int, float)) and isinstance(b, (int, float)) and q:
                # Summary ratios are kamkit time / contender time: speed-ups are their inverse.
                rows[key] = {"quiet": q, "loaded": b, "loaded_over_quiet_speedup": q / b}
        out["areas"][area] = {
            "ratios": rows,
            "load_quiet": quiet["load"],
            "load_loaded": busy["load"],
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "loaded.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")
    for area, data in out["areas"].items():
        for key, row in data["ratios"].items():
            print(
                f"{area:10s} {key:60s} quiet {row['quiet']:.3g}  loaded {row['loaded']:.3g}  "
                f"kept {row['loaded_over_quiet_speedup']:.0%}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
