"""kamkit.dask on a local cluster: summarize -> pyramid -> BG/NBD fit -> CLV.

The transaction log is generated inside the workers (one partition of
``--rows-per-partition`` rows per task, never the whole log in one process).
Each size runs the kamkit.dask pipeline and, for the archive step, the same
archive columns written the plain dask.dataframe way (purchase days deduplicated,
then a groupby aggregation); it records the wall time of each step, the peak
resident memory of every worker, and the shuffle volume.

    python benchmarks/bench_dask.py --rows 10_000_000 100_000_000

writes ``benchmarks/results/dask.json``. Run it on an otherwise idle machine;
the JSON records the load average seen at the start and end of each size.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results" / "dask.json"


def make_partition(i: int, rows: int, customers: int, seed: int = 7) -> pd.DataFrame:
    """One partition of the synthetic log, made where it is used."""
    rng = np.random.default_rng([seed, i])
    days = rng.integers(0, 730, rows)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, customers, rows).astype(np.int64),
            "date": (np.datetime64("2023-01-01", "D") + days).astype("datetime64[ns]"),
            "amount": np.round(rng.lognormal(3.5, 1.0, rows), 2),
        }
    )


class PeakMemory:
    """Polls every worker's resident set size; keeps each one's maximum."""

    def __init__(self, client, every: float = 0.25) -> None:
        self.client = client
        self.every = every
        self.peak: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        def rss() -> int:
            return psutil.Process().memory_info().rss

        while not self._stop.is_set():
            try:
                for w, v in self.client.run(rss).items():
                    self.peak[w] = max(self.peak.get(w, 0), int(v))
            except Exception:  # noqa: BLE001 - a worker restarting: try again
                pass
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def plain_archive(log):
    """frequency, recency, T, revenue and n_transactions the plain dask way."""
    end = log["date"].max()
    days = log.assign(day=log["date"].dt.floor("D"))
    per_day = days.groupby(["customer_id", "day"]).amount.sum().reset_index()
    agg = per_day.groupby("customer_id").agg(
        first=("day", "min"),
        last=("day", "max"),
        periods=("day", "count"),
        revenue=("amount", "sum"),
    )
    agg["frequency"] = agg["periods"] - 1
    agg["recency"] = (agg["last"] - agg["first"]).dt.days
    agg["T"] = (end.floor("D") - agg["first"]).dt.days if hasattr(end, "floor") else 0
    return agg


def run_size(client, rows: int, per_part: int, customers_per_row: float) -> dict:
    import dask
    import dask.dataframe as dd
    from distributed import wait

    import kamkit
    import kamkit.dask as kd

    nparts = max(1, rows // per_part)
    customers = max(1, int(rows * customers_per_row))
    meta = make_partition(0, 0, 1)
    log = dd.from_map(make_partition, range(nparts), rows=per_part, customers=customers, meta=meta)
    out: dict = {"rows": nparts * per_part, "partitions": nparts, "customers": customers}
    out["load_before"] = os.getloadavg()
    times = {}
    with PeakMemory(client) as mem:
        t = time.perf_counter()
        archive = kd.summarize(log, amount="amount", time_unit="W").persist()
        wait(archive)
        times["summarize"] = time.perf_counter() - t
        t = time.perf_counter()
        tiers = kd.pyramid(archive["revenue"])
        counts = tiers.value_counts().compute()
        times["pyramid"] = time.perf_counter() - t
        t = time.perf_counter()
        with warnings.catch_warnings():
            # Uniform random purchases: the fit runs to the NBD boundary (warned).
            warnings.simplefilter("ignore")
            bg = kamkit.BetaGeo().fit(archive)
        times["bgnbd_fit"] = time.perf_counter() - t
        t = time.perf_counter()
        clv = bg.customer_lifetime_value(
            archive, archive["recency"], archive["T"], archive["monetary_value"], time_unit="W"
        )
        total_clv = float(clv.sum().compute())
        times["clv"] = time.perf_counter() - t
        n_customers = int(archive.shape[0].compute())
        del archive
    out["kamkit_peak_rss_per_worker_mb"] = {w: v / 2**20 for w, v in mem.peak.items()}
    with PeakMemory(client) as mem:
        t = time.perf_counter()
        plain = plain_archive(log).persist()
        wait(plain)
        times["plain_dask_archive"] = time.perf_counter() - t
        del plain
    out["plain_peak_rss_per_worker_mb"] = {w: v / 2**20 for w, v in mem.peak.items()}
    out["times_s"] = times
    out["ratio_plain_over_kamkit_archive"] = times["plain_dask_archive"] / times["summarize"]
    out["per_row_us"] = {k: 1e6 * v / out["rows"] for k, v in times.items()}
    out["n_customers"] = n_customers
    out["tiers"] = {str(k): int(v) for k, v in counts.items()}
    out["total_clv"] = total_clv
    out["params"] = {k: float(v) for k, v in bg.params_.items()}
    out["load_after"] = os.getloadavg()
    out["shuffle_bytes_per_row"] = int(
        sum(meta.dtypes.map(lambda d: d.itemsize)) + 16
    )  # the three columns and the two row tags
    dask.config.refresh()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    ap.add_argument("--rows-per-partition", type=int, default=2_000_000)
    ap.add_argument("--customers-per-row", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="3GiB")
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        memory_limit=args.memory_limit,
        dashboard_address=None,
    )
    # Sizes measured earlier stay in the file; a size measured again replaces its entry.
    old = json.loads(RESULTS.read_text())["sizes"] if RESULTS.exists() else []
    results = {int(r["rows"]): r for r in old}
    with Client(cluster) as client:
        for rows in args.rows:
            res = run_size(client, rows, args.rows_per_partition, args.customers_per_row)
            print(json.dumps(res, indent=1, default=str), flush=True)
            results[int(res["rows"])] = res
            RESULTS.parent.mkdir(exist_ok=True)
            sizes = [results[k] for k in sorted(results)]
            RESULTS.write_text(
                json.dumps({"workers": args.workers, "sizes": sizes}, indent=1, default=str)
            )
    cluster.close()


if __name__ == "__main__":
    main()
