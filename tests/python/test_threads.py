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

import numpy as np
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


DETERMINISM = textwrap.dedent(
    """
    import pickle, sys
    import numpy as np
    import kamkit
    from kamkit.datasets import simulate_transactions

    # Over 100,000 customers and rows: every parallel path goes parallel.
    log = simulate_transactions(110_000, n_rows=330_000, seed=11)
    out = {}
    for n in (1, 2, 3):
        kamkit.set_num_threads(n)
        archive = kamkit.summarize(log, "customer_id", "date", "amount")
        panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
        stages = kamkit.lifecycle_stages(panel)
        rfm = archive[["frequency", "recency", "T"]]
        fits = {}
        for name, model in [
            ("bgnbd", kamkit.BetaGeo()),
            ("mbgnbd", kamkit.ModifiedBetaGeo()),
            ("pareto", kamkit.ParetoNBD()),
        ]:
            model.fit(rfm)
            fits[name] = (
                model.params_.to_numpy(),
                model.log_likelihood_,
                np.asarray(model.predict(30, rfm["frequency"], rfm["recency"], rfm["T"])),
                np.asarray(model.probability_alive(rfm["frequency"], rfm["recency"], rfm["T"])),
            )
        seg = kamkit.kmeans_segments(archive[["revenue", "frequency"]], 4, n_init=2)
        out[n] = (
            archive,
            panel,
            stages,
            kamkit.transitions(stages).counts,
            {m: kamkit.value_score(archive, method=m, missing="median") for m in
             ("minmax", "zscore", "rank")},
            kamkit.pyramid(archive["revenue"].clip(lower=0)),
            kamkit.concentration(archive["revenue"].clip(lower=0)).gini,
            (seg.labels, seg.centers, seg.inertia),
            fits,
        )
    with open(sys.argv[1], "wb") as f:
        pickle.dump(out, f)
    """
)


def _same_bits(a, b, where):
    if isinstance(a, (pd.DataFrame, pd.Series)):
        assert type(a) is type(b), where
        assert a.index.equals(b.index), where
        if isinstance(a, pd.DataFrame):
            assert a.columns.equals(b.columns), where
            for col in a.columns:
                _same_bits(a[col], b[col], f"{where}[{col!r}]")
            return
        _same_bits(a.to_numpy(), b.to_numpy(), where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same_bits(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (tuple, list)):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_bits(x, y, f"{where}[{i}]")
    else:
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype.kind == "f":
            assert x.tobytes() == y.tobytes(), f"{where}: results differ between thread counts"
        else:
            assert pd.Series(x.ravel()).equals(pd.Series(y.ravel())), where


def test_bit_identical_for_1_2_3_threads(tmp_path):
    """Every parallel path, models included, on > 100,000 rows and customers."""
    out = tmp_path / "threads.pkl"
    python_dir = str(Path(kamkit.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": python_dir}
    subprocess.run([sys.executable, "-c", DETERMINISM, str(out)], check=True, env=env)
    with open(out, "rb") as f:
        results = pickle.load(f)
    for n in (2, 3):
        _same_bits(results[1], results[n], f"{n} threads")


def test_omp_num_threads_sets_the_count(tmp_path):
    python_dir = str(Path(kamkit.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": python_dir, "OMP_NUM_THREADS": "3"}
    code = "import kamkit; print(kamkit.get_num_threads()); kamkit.set_num_threads(2); " + (
        "print(kamkit.get_num_threads())"
    )
    got = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    )
    assert got.stdout.split() == ["3", "2"]
