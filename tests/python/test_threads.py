"""Results do not depend on how many threads the OpenMP runtime grants.

A parallel region may get fewer threads than it asks for (``OMP_DYNAMIC``,
``OMP_THREAD_LIMIT``, nested regions); the core splits its work into fixed
slices and must still do every slice.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import kamkit

SCRIPT = textwrap.dedent(
    """
    import pickle, sys
    import kamkit
    from kamkit.datasets import simulate_transactions

    log = simulate_transactions(20_000, n_rows=200_000, seed=4)
    archive = kamkit.summarize(log, "customer_id", "date", "amount")
    panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
    stages = kamkit.lifecycle_stages(panel)
    moves = kamkit.transitions(stages)
    score = kamkit.value_score(archive, method="rank", missing="median")
    tiers = kamkit.pyramid(archive["revenue"])
    gini = kamkit.concentration(archive["revenue"]).gini
    with open(sys.argv[1], "wb") as f:
        pickle.dump((archive, panel, stages, moves.counts, score, tiers, gini), f)
    """
)


def run(tmp_path: Path, name: str, env: dict[str, str]) -> tuple:
    out = tmp_path / f"{name}.pkl"
    python_dir = str(Path(kamkit.__file__).resolve().parent.parent)
    full_env = {**os.environ, "PYTHONPATH": python_dir, **env}
    subprocess.run([sys.executable, "-c", SCRIPT, str(out)], check=True, env=full_env)
    with open(out, "rb") as f:
        return pickle.load(f)


@pytest.mark.parametrize(
    "env",
    [
        {"OMP_NUM_THREADS": "2", "OMP_THREAD_LIMIT": "1"},
        {"OMP_NUM_THREADS": "4", "OMP_DYNAMIC": "true"},
    ],
    ids=["thread-limit", "dynamic"],
)
def test_same_results_with_fewer_threads_than_asked(tmp_path, env):
    ref = run(tmp_path, "ref", {"OMP_NUM_THREADS": "2"})
    got = run(tmp_path, "got", env)
    for a, b in zip(ref[:-1], got[:-1], strict=True):
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b)
        else:
            pd.testing.assert_series_equal(a, b)
    assert ref[-1] == got[-1]
