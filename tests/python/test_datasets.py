"""kamkit.datasets.simulate_transactions: a BG/NBD transaction log generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from kamkit.datasets import simulate_transactions


def bgnbd_expected_repeats(t, r, alpha, a, b):
    """E[X(t)] of the BG/NBD model, Fader, Hardie & Lee (2005), equation 9."""
    t = np.asarray(t, dtype=float)
    hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)


def observed_days(log: pd.DataFrame, end: str) -> tuple[np.ndarray, np.ndarray]:
    """Repeat purchases and exposure (days from first purchase to the window's end) per customer."""
    g = log.groupby("customer_id")["date"]
    first = g.min()
    repeats = g.size().to_numpy() - 1
    exposure = (pd.Timestamp(end) + pd.Timedelta(days=1) - first).dt.total_seconds() / 86400
    return repeats, exposure.to_numpy()


def test_columns_dtypes_and_customers():
    log = simulate_transactions(2_000, seed=3)
    assert list(log.columns) == ["customer_id", "date", "amount"]
    assert log["customer_id"].dtype == np.int64
    assert log["date"].dtype == np.dtype("datetime64[ns]")
    assert log["amount"].dtype == np.float64
    assert isinstance(log.index, pd.RangeIndex)
    # Every customer 1..n buys at least once.
    assert np.array_equal(np.sort(log["customer_id"].unique()), np.arange(1, 2_001))
    assert log["date"].min() >= pd.Timestamp("2022-01-01")
    assert log["date"].max() < pd.Timestamp("2024-01-01")
    # First purchases (acquisitions) fall in the first half of the window.
    assert log.groupby("customer_id")["date"].min().max() < pd.Timestamp("2023-01-01")
    assert (log["amount"] > 0).all()
    assert np.allclose(log["amount"], log["amount"].round(2), rtol=0, atol=1e-9)
    assert (log["date"].dt.nanosecond == 0).all() and (log["date"].dt.microsecond == 0).all()


def test_same_seed_same_log_and_other_seed_other_log():
    one = simulate_transactions(3_000, seed=11)
    two = simulate_transactions(3_000, seed=11)
    pd.testing.assert_frame_equal(one, two)
    other = simulate_transactions(3_000, seed=12)
    assert len(other) != len(one) or not other.equals(one)
    gen = simulate_transactions(3_000, seed=np.random.default_rng(11))
    pd.testing.assert_frame_equal(gen, one)


def test_rows_are_in_random_order():
    log = simulate_transactions(5_000, seed=5)
    ids = log["customer_id"].to_numpy()
    dates = log["date"].to_numpy()
    # In random order about half the neighbours increase; sorted logs give 0 or 1.
    assert 0.4 < np.mean(np.diff(ids) > 0) < 0.6
    assert 0.4 < np.mean(np.diff(dates) > np.timedelta64(0)) < 0.6


def test_window_and_acquisition_bounds():
    log = simulate_transactions(
        1_000, start="2020-03-01", end="2020-03-31", acquisition_end="2020-03-01", seed=2
    )
    first = log.groupby("customer_id")["date"].min()
    assert first.min() >= pd.Timestamp("2020-03-01")
    assert first.max() < pd.Timestamp("2020-03-02")
    assert log["date"].max() < pd.Timestamp("2020-04-01")
    assert log.attrs["simulation"]["acquisition_end"] == "2020-03-01"


def test_mean_frequency_matches_the_bgnbd_expectation():
    # Moderate dropout (a > 2: finite variance), rates per day, far from the
    # saturation (a + b - 1) / (a - 1) that every rate ends at.
    r, alpha, a, b = 2.0, 200.0, 3.0, 12.0
    end = "2023-12-31"
    log = simulate_transactions(60_000, r=r, alpha=alpha, a=a, b=b, end=end, seed=7)
    repeats, exposure = observed_days(log, end)
    expected = bgnbd_expected_repeats(exposure, r, alpha, a, b)
    se = np.std(repeats - expected) / np.sqrt(repeats.size)
    assert abs(repeats.mean() - expected.mean()) < 4 * se
    # And not trivially: a different model would be far off.
    other = bgnbd_expected_repeats(exposure, r, alpha * 1.2, a, b)
    assert abs(repeats.mean() - other.mean()) > 10 * se


def test_share_without_repeats_matches_the_bgnbd_probability():
    # P(X(t) = 0) = (alpha / (alpha + t))^r: only the gamma mixture of rates matters.
    r, alpha, a, b = 0.5, 25.0, 0.8, 2.5
    log = simulate_transactions(60_000, r=r, alpha=alpha, a=a, b=b, seed=8)
    repeats, exposure = observed_days(log, "2023-12-31")
    p0 = (alpha / (alpha + exposure)) ** r
    se = np.sqrt(np.mean(p0 * (1 - p0)) / repeats.size)
    assert abs(np.mean(repeats == 0) - p0.mean()) < 4 * se


def test_amounts_are_lognormal_around_the_median():
    log = simulate_transactions(
        20_000, amount_median=40.0, amount_customer_sigma=0.5, amount_sigma=0.3, seed=9
    )
    logs = np.log(log["amount"].to_numpy())
    # Row level: N(log 40, 0.5^2 + 0.3^2); within customer: sd 0.3.
    assert abs(np.median(logs) - np.log(40.0)) < 0.03
    assert abs(np.std(logs) - np.hypot(0.5, 0.3)) < 0.03
    within = log.assign(lx=logs).groupby("customer_id")["lx"].std().dropna()
    assert abs(np.sqrt(np.mean(within**2)) - 0.3) < 0.02


@pytest.mark.parametrize(("n_customers", "n_rows"), [(20_000, 30_000), (20_000, 50_000)])
def test_n_rows_targets_the_expected_row_count(n_customers, n_rows):
    # With a > 2 the count concentrates: a few percent around the target
    # (a=3, b=2: at most 3 rows per customer on average).
    log = simulate_transactions(n_customers, n_rows=n_rows, a=3.0, b=2.0, seed=4)
    assert abs(len(log) / n_rows - 1) < 0.05
    assert log.attrs["simulation"]["alpha"] != 30.0


def test_n_rows_with_default_heavy_tailed_dropout():
    log = simulate_transactions(50_000, n_rows=500_000, seed=0)
    assert abs(len(log) / 500_000 - 1) < 0.15
    assert log["customer_id"].nunique() == 50_000


def test_one_customer_and_a_one_day_window():
    log = simulate_transactions(1, start="2021-05-05", end="2021-05-05", seed=0)
    assert (log["customer_id"] == 1).all()
    assert (log["date"].dt.normalize() == pd.Timestamp("2021-05-05")).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_customers": 0}, ValueError, "n_customers"),
        ({"n_customers": 10.5}, TypeError, "n_customers"),
        ({"n_customers": 10, "r": -1.0}, ValueError, "r: expected a positive"),
        ({"n_customers": 10, "amount_sigma": -0.1}, ValueError, "amount_sigma"),
        ({"n_customers": 10, "start": "2022-01-02", "end": "2022-01-01"}, ValueError, "end"),
        ({"n_customers": 10, "acquisition_end": "2030-01-01"}, ValueError, "acquisition_end"),
        ({"n_customers": 10, "n_rows": 5}, ValueError, "n_rows"),
        # a=3, b=3: at most 1 + 5/2 purchases per customer on average.
        ({"n_customers": 10, "n_rows": 100, "a": 3.0, "b": 3.0}, ValueError, "cannot be reached"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_transactions(**kwargs)
