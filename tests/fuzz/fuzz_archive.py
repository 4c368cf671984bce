"""Coverage-guided fuzz target for the customer archive (atheris over summarize).

Each input becomes a small transaction log (integer or string ids, dates in
any NumPy unit from year 1000 to 2500, amounts from 0 to near the float
limit, NaN and infinity included) and a set of summarize options. summarize
must then either answer, with every customer accounted for and no NaN or
infinity where a number is due, or raise kamkit's ValueError/TypeError.
Anything else (another exception, a crash, a sanitizer report) is a finding.

    python tests/fuzz/fuzz_archive.py --runs 20000      # bounded, as CI runs it
"""

from __future__ import annotations

import argparse
import sys
import warnings

import atheris

with atheris.instrument_imports(include=["kamkit"]):
    import numpy as np
    import pandas as pd

    import kamkit

UNITS = ("s", "ms", "us", "ns")
AMOUNTS = (0.0, 1.0, -1.0, 1e-300, 1e12, 1.12, 1e308, np.nan, np.inf, 123.45)


def _log(fdp: atheris.FuzzedDataProvider) -> tuple[pd.DataFrame, dict]:
    n = fdp.ConsumeIntInRange(0, 40)
    unit = UNITS[fdp.ConsumeIntInRange(0, 3)]
    # Seconds from 1000-01-01 to 2500-01-01, kept to what the unit can hold.
    lo, hi = -30_610_224_000, 16_725_225_600
    if unit == "ns":
        lo, hi = -9_000_000_000, 9_000_000_000
    base = fdp.ConsumeIntInRange(lo, hi)
    spread = fdp.ConsumeIntInRange(0, 400 * 86_400)
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    ticks = [min(hi, base + fdp.ConsumeIntInRange(0, spread)) * per_second for _ in range(n)]
    n_ids = max(1, fdp.ConsumeIntInRange(1, 8))
    ids = [fdp.ConsumeIntInRange(0, n_ids - 1) for _ in range(n)]
    if fdp.ConsumeBool():
        ids = [f"c{i}" for i in ids]
    elif fdp.ConsumeBool():
        ids = [i + 2**40 for i in ids]
    amounts = [AMOUNTS[fdp.ConsumeIntInRange(0, len(AMOUNTS) - 1)] for _ in range(n)]
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "date": np.array(ticks, dtype=np.int64).view(f"datetime64[{unit}]"),
            "amount": np.array(amounts, dtype=np.float64),
        }
    )
    options: dict = {}
    if n and fdp.ConsumeBool():
        pick = frame["date"].iloc[fdp.ConsumeIntInRange(0, n - 1)]
        options["observation_end"] = pick + pd.Timedelta(days=fdp.ConsumeIntInRange(-30, 30))
    options["granularity"] = "DWMQY"[fdp.ConsumeIntInRange(0, 4)]
    options["time_unit"] = "DW"[fdp.ConsumeIntInRange(0, 1)]
    options["missing"] = ("raise", "drop")[fdp.ConsumeIntInRange(0, 1)]
    return frame, options


def test_one(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    frame, options = _log(fdp)
    before = frame.copy(deep=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = kamkit.summarize(frame, "customer_id", "date", "amount", **options)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert message and "incompatible function arguments" not in message, message
            pd.testing.assert_frame_equal(frame, before)
            return
    pd.testing.assert_frame_equal(frame, before)
    assert out.index.is_unique
    counted = " ".join(str(w.message) for w in caught)
    vanished = frame["customer_id"].nunique() - len(out)
    if vanished:
        assert "every purchase after" in counted or options.get("missing") == "drop", counted
    for col in ("frequency", "recency", "T", "n_transactions"):
        values = out[col].to_numpy(dtype=np.float64)
        assert np.isfinite(values).all() and (values >= 0).all(), (col, values)
    assert np.isfinite(out["revenue"].to_numpy(dtype=np.float64)).all()
    assert (out["recency"] <= out["T"]).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000, help="executions (default 20000)")
    args, rest = parser.parse_known_args()
    atheris.Setup([sys.argv[0], f"-runs={args.runs}", "-seed=1", *rest], test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
