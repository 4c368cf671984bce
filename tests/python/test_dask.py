"""kamkit.dask equals kamkit on the same data, whatever the partitioning."""

from __future__ import annotations

import warnings

import dask
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kamkit
import kamkit.dask as kd

SETTINGS = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _split(frame: pd.DataFrame, cuts: list[int]):
    """A dask frame whose partitions are the rows between the cuts (empty ones too)."""
    edges = [0, *sorted(cuts), len(frame)]
    chunks = [frame.iloc[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return dd.from_delayed([dask.delayed(c) for c in chunks], meta=frame.iloc[:0])


def _log(ids: str = "int", tz: str | None = None, seed: int = 0, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, 40, n)
    days = rng.integers(0, 400, n)
    date = (
        pd.Timestamp("2023-01-01")
        + pd.to_timedelta(days, "D")
        + pd.to_timedelta(rng.integers(0, 24, n), "h")
    )
    log = pd.DataFrame(
        {
            "customer_id": cust,
            "date": date,
            "amount": np.round(rng.gamma(2.0, 30.0, n), 2) - 10.0 * (rng.random(n) < 0.05),
        }
    )
    if tz is not None:
        log["date"] = log["date"].dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    if ids == "str":
        log["customer_id"] = "c" + log["customer_id"].astype(str)
    elif ids == "cat":
        log["customer_id"] = pd.Categorical(log["customer_id"].map(lambda i: f"k{i:03d}"))
    return log


def _same(a: pd.DataFrame | pd.Series, b: pd.DataFrame | pd.Series) -> None:
    a = a.sort_index()
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    else:
        pd.testing.assert_series_equal(a, b, check_exact=True)


# ------------------------------------------------------------ per customer


@pytest.mark.parametrize(
    ("ids", "tz", "cuts"),
    [
        ("int", None, []),
        ("str", "Europe/Paris", [150]),
        ("cat", None, [0, 0, 40, 90, 90, 200, 260]),
        ("int", "Europe/Paris", [0, 0, 40, 90, 90, 200, 260]),
        ("str", None, [0, 0, 40, 90, 90, 200, 260]),
        ("cat", "Asia/Shanghai", [150]),
    ],
)
def test_summarize_equals_single_machine(client, ids, tz, cuts):
    log = _log(ids, tz)
    d = _split(log, cuts)
    assert d.npartitions == len(cuts) + 1
    got = kd.summarize(d, amount="amount", value_period="M", time_unit="W").compute()
    _same(got, kamkit.summarize(log, amount="amount", value_period="M", time_unit="W"))


@SETTINGS
@given(
    cuts=st.lists(st.integers(0, 300), max_size=7),
    end=st.sampled_from([None, "2023-02-15", "2023-09-30"]),
    granularity=st.sampled_from(["D", "W", "M"]),
)
def test_summarize_and_panel_any_partitioning(client, cuts, end, granularity):
    log = _log("int", None, seed=1)
    d = _split(log, cuts)
    got = kd.summarize(d, amount="amount", observation_end=end, granularity=granularity)
    want = kamkit.summarize(log, amount="amount", observation_end=end, granularity=granularity)
    _same(got.compute(), want)
    panel = kd.period_panel(d, observation_end=end, period="M").compute()
    _same(panel, kamkit.period_panel(log, observation_end=end, period="M"))


def test_summarize_partitioned_by_customer_skips_the_shuffle(client):
    log = _log("str", None, seed=2)
    bucket = log["customer_id"].str.len() + log["customer_id"].str[-1].map(ord)
    chunks = [log[bucket % 4 == k] for k in range(4)]
    d = dd.from_delayed([dask.delayed(c) for c in chunks], meta=log.iloc[:0])
    got = kd.summarize(d, amount="amount", partitioned_by_customer=True)
    assert got.npartitions == 4
    _same(got.compute(), kamkit.summarize(log, amount="amount"))


@pytest.mark.parametrize("cuts", [[], [0, 120, 120]])
def test_calibration_holdout_equals_single_machine(client, cuts):
    log = _log("cat", "America/New_York", seed=3)
    d = _split(log, cuts)
    got = kd.calibration_holdout(d, calibration_end="2023-08-31", amount="amount", time_unit="W")
    want = kamkit.calibration_holdout(
        log, calibration_end="2023-08-31", amount="amount", time_unit="W"
    )
    _same(got.compute(), want)


def test_missing_values_warn_once_with_global_counts(client):
    log = _log("int", None, seed=4)
    log.loc[[3, 100, 250], "amount"] = np.nan
    log.loc[[7], "date"] = pd.NaT
    d = _split(log, [50, 120, 200])
    with pytest.warns(kamkit.MissingValuesWarning) as rec:
        got = kd.summarize(d, amount="amount", missing="drop").compute()
    mine = [w for w in rec if issubclass(w.category, kamkit.MissingValuesWarning)]
    assert len(mine) == 1
    assert "dropped 4 rows" in str(mine[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kamkit.MissingValuesWarning)
        want = kamkit.summarize(log, amount="amount", missing="drop")
    _same(got, want)
    with pytest.raises(ValueError, match="'date': expected a date on every row, found 1 row"):
        kd.summarize(d, amount="amount")


def test_early_observation_end_before_every_purchase_raises(client):
    log = _log("int", None)
    with pytest.raises(ValueError, match="falls before the first purchase"):
        kd.summarize(_split(log, [100]), observation_end="2022-01-01")


# -------------------------------------------------------------- per value


def _archive(seed: int = 5, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    revenue = np.round(rng.lognormal(3.0, 1.2, n), 0)  # many ties
    revenue[rng.random(n) < 0.1] = 0.0
    return pd.DataFrame(
        {
            "revenue": revenue,
            "avg_period_revenue": revenue / rng.integers(1, 9, n),
            "growth": np.where(rng.random(n) < 0.3, np.nan, rng.normal(0.0, 0.5, n)),
            "frequency": rng.poisson(2.0, n).astype(float),
        },
        index=pd.Index([f"c{i:04d}" for i in range(n)], name="customer_id"),
    )


@SETTINGS
@given(cuts=st.lists(st.integers(0, 400), max_size=7))
def test_pyramid_score_and_concentration_any_partitioning(client, cuts):
    a = _archive()
    d = _split(a, cuts)
    for col in ("revenue", "frequency", "growth"):
        v = a[col].fillna(-1.0)
        _same(kd.pyramid(_split(v, cuts)).compute(), kamkit.pyramid(v))
    _same(
        kd.pyramid(d["revenue"], (0.1, 0.2, 0.3, 0.4), "abcd").compute(),
        kamkit.pyramid(a["revenue"], (0.1, 0.2, 0.3, 0.4), "abcd"),
    )
    for missing in ("zero", "median"):
        for scale in ("percentile", "minmax"):
            _same(
                kd.value_score(d, missing=missing, scale=scale).compute(),
                kamkit.value_score(a, missing=missing, scale=scale),
            )
    _same(
        kd.value_score(d, method="rank", missing="zero", scale="minmax").compute(),
        kamkit.value_score(a, method="rank", missing="zero", scale="minmax"),
    )
    got = kd.value_score(d, method="zscore", missing="median", scale="minmax").compute()
    want = kamkit.value_score(a, method="zscore", missing="median", scale="minmax")
    np.testing.assert_allclose(got.sort_index(), want, rtol=1e-12, atol=0)
    archive = a.assign(recency=a["frequency"] * 3.0, T=60.0 + a["frequency"] * 4.0)
    _same(kd.rfm_scores(_split(archive, cuts)).compute(), kamkit.rfm_scores(archive))
    got = kd.concentration(d["revenue"])
    want = kamkit.concentration(a["revenue"])
    assert (got.gini, got.n, got.total) == (want.gini, want.n, want.total)
    pd.testing.assert_series_equal(got.summary(), want.summary(), check_exact=True)


@pytest.mark.parametrize("cuts", [[], [0, 500, 500, 1700]])
def test_lifecycle_stages_and_transitions(client, cuts):
    log = kamkit.datasets.load_cdnow_sample()
    d = _split(log, cuts)
    panel = kd.period_panel(d, observation_end="1998-06-15")
    want_panel = kamkit.period_panel(log, observation_end="1998-06-15")
    stages = kd.lifecycle_stages(panel)
    want = kamkit.lifecycle_stages(want_panel)
    _same(stages.compute(), want)
    for by_period in (False, True):
        got, ref = kd.transitions(stages, by_period), kamkit.transitions(want, by_period)
        pd.testing.assert_frame_equal(got.counts, ref.counts, check_exact=True)
        pd.testing.assert_frame_equal(got.probabilities, ref.probabilities, check_exact=True)
        pd.testing.assert_series_equal(got.observed, ref.observed)


def test_value_score_missing_raise_counts_the_whole_column(client):
    a = _archive()
    with pytest.raises(ValueError, match=f"found {int(a['growth'].isna().sum())} of 400"):
        kd.value_score(_split(a, [100, 300]))


def test_concentration_negative_values(client):
    s = pd.Series([5.0, -1.0, 3.0, -2.0, 0.0, 9.0])
    d = _split(s, [2, 2, 4])
    with pytest.raises(ValueError, match="found 2 of 6 negative"):
        kd.concentration(d)
    for how in ("clip", "drop"):
        got, want = kd.concentration(d, how), kamkit.concentration(s, how)
        assert (got.gini, got.n, got.n_negative) == (want.gini, want.n, want.n_negative)


# ------------------------------------------------------------------ models


@pytest.mark.parametrize("model", [kamkit.BetaGeo, kamkit.ModifiedBetaGeo, kamkit.ParetoNBD])
def test_model_fits_and_predictions(client, model):
    log = kamkit.datasets.load_cdnow_sample()
    s = kamkit.summarize(log, amount="amount", observation_end="1997-09-30", time_unit="W")
    d = _split(s, [0, 500, 1500])
    got, want = model().fit(d), model().fit(s)
    assert got.log_likelihood_ == pytest.approx(want.log_likelihood_, rel=1e-12)
    np.testing.assert_allclose(got.params_, want.params_, rtol=1e-9)
    alive = got.probability_alive(d)
    assert isinstance(alive, dd.Series)
    np.testing.assert_allclose(alive.compute().sort_index(), want.probability_alive(s), rtol=1e-12)
    clv = got.customer_lifetime_value(d, d["recency"], d["T"], d["monetary_value"], time_unit="W")
    np.testing.assert_allclose(
        clv.compute().sort_index(),
        want.customer_lifetime_value(s, s["recency"], s["T"], s["monetary_value"], time_unit="W"),
        rtol=1e-12,
    )


def test_gamma_gamma_fit_warns_once_with_customer_counts(client):
    log = kamkit.datasets.load_cdnow_sample()
    s = kamkit.summarize(log, amount="amount", observation_end="1997-09-30")
    d = _split(s, [700, 1400])
    with pytest.warns(kamkit.SpendExclusionWarning) as rec:
        got = kamkit.GammaGamma().fit(d)
    assert len([w for w in rec if w.category is kamkit.SpendExclusionWarning]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kamkit.SpendExclusionWarning)
        want = kamkit.GammaGamma().fit(s)
    assert got.n_excluded_ == want.n_excluded_
    assert got.log_likelihood_ == pytest.approx(want.log_likelihood_, rel=1e-12)
    spend = got.conditional_expected_average_spend(d).compute().sort_index()
    np.testing.assert_allclose(spend, want.conditional_expected_average_spend(s), rtol=1e-12)


# ------------------------------------------------------------------ errors


def test_dask_frame_to_plain_kamkit_is_refused(client):
    d = dd.from_pandas(_log(), npartitions=2)
    with pytest.raises(TypeError, match="kamkit.dask"):
        kamkit.summarize(d)
    with pytest.raises(TypeError, match="kamkit.dask"):
        kamkit.pyramid(d["amount"])
    with pytest.raises(TypeError, match="kamkit.dask"):
        kamkit.concentration(d["amount"])
    with pytest.raises(TypeError, match="kamkit.dask"):
        kamkit.BetaGeo().fit(1.0, 2.0, 3.0).expected_purchases(d["amount"])


def test_pandas_frame_to_kamkit_dask_is_refused():
    log = _log()
    with pytest.raises(TypeError, match="from_pandas"):
        kd.summarize(log)
    with pytest.raises(TypeError, match="from_pandas"):
        kd.pyramid(log["amount"])
    with pytest.raises(ValueError, match="by count only"):
        kd.pyramid(dd.from_pandas(log["amount"], npartitions=1), by="value")
