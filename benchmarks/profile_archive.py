"""Where kamkit.summarize spends its time: the Python phases around the C++ core.

    python benchmarks/profile_archive.py            # the cached full-size input
    python benchmarks/profile_archive.py --small    # 1M rows

Prints the best wall and CPU time (process time, all threads) of each phase
over a few repeats: input checks, the C++ core, and building the DataFrame.
Run bench_archive.py first (it makes the cached input). CPU time is the
steadier figure on a shared machine; wall time is what a user waits.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "python"))

import _harness as h  # noqa: E402
import bench_archive as b  # noqa: E402

import kamkit  # noqa: E402
from kamkit import _core, _validation  # noqa: E402
from kamkit.archive import _frame  # noqa: E402


def best_of(repeats: int, func):
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), result


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true")
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args(argv)
    folder = h.ensure_input(b.SMALL if a.small else b.FULL)
    cols = {c: np.load(folder / f"{c}.npy") for c in h.COLUMNS}
    cols["date"] = cols["date"].view("datetime64[ns]")
    frame = pd.DataFrame(cols, copy=False)
    r = a.repeats
    rows = []
    rows.append(("summarize (total)", *best_of(r, lambda: b.kamkit_summarize(frame))[:2]))
    w, c, log = best_of(
        r,
        lambda: _validation.check_transactions(
            frame, "customer_id", "date", "amount", defer_value_scans=True
        ),
    )
    rows.append(("  check_transactions (value scans left to the core)", w, c))
    w, c, core = best_of(
        r,
        lambda: _core.summarize(
            log.keys, log.ticks, log.ticks_per_day, log.amount, None, "D", "Q", 1.0, None, True
        ),
    )
    rows.append(("  C++ core (_core.summarize, with the value scans)", w, c))
    rows.append(
        ("  _frame (DataFrame of the result)", *best_of(r, lambda: _frame(core, log, True))[:2])
    )
    print(
        f"{len(frame):,} rows, {log.n and len(core['keys']):,} customers, kamkit {kamkit.__version__}"
    )
    print(f"{'phase':52s} {'wall (ms)':>10s} {'cpu (ms)':>10s}")
    for name, w, c in rows:
        print(f"{name:52s} {w * 1e3:10.0f} {c * 1e3:10.0f}")


if __name__ == "__main__":
    main()
