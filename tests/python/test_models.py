"""Customer-base models: published figures, predictions, policies, persistence."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit.models import ConvergenceWarning, SpendExclusionWarning


@pytest.fixture(scope="module")
def cdnow(data_dir):
    return pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv", index_col="ID")


@pytest.fixture(scope="module")
def cdnow_spend(data_dir):
    return pd.read_csv(
        data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv", index_col="ID"
    )


@pytest.fixture(scope="module")
def donations(data_dir):
    return pd.read_csv(data_dir / "donations" / "donations.csv")


@pytest.fixture(scope="module")
def bgnbd(cdnow):
    return kamkit.BetaGeo().fit(cdnow)


# ------------------------------------------------------------ published figures
def test_bgnbd_reproduces_fader_hardie_lee(bgnbd):
    p = bgnbd.params_
    assert p["r"] == pytest.approx(0.243, abs=5e-4)
    assert p["alpha"] == pytest.approx(4.414, abs=5e-4)
    assert p["a"] == pytest.approx(0.793, abs=5e-4)
    assert p["b"] == pytest.approx(2.426, abs=5e-4)
    assert bgnbd.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert bgnbd.convergence_["converged"]
    assert bgnbd.convergence_["n_iterations"] < 20


def test_bgnbd_published_conditional_expectation(bgnbd):
    assert bgnbd.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(
        1.226, abs=5e-4
    )


def test_mbgnbd_reproduces_btydplus(cdnow):
    m = kamkit.ModifiedBetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    np.testing.assert_allclose(m.params_.to_numpy(), [0.525, 6.183, 0.891, 1.614], atol=6e-4)
    assert m.log_likelihood_ == pytest.approx(-9582.13, abs=0.01)


def test_gamma_gamma_reproduces_note_025(cdnow_spend):
    repeat = cdnow_spend[cdnow_spend["x"] > 0]
    gg = kamkit.GammaGamma().fit(repeat["x"], repeat["zbar"])
    np.testing.assert_allclose(gg.params_.to_numpy(), [6.25, 3.74, 15.44], atol=0.01)
    assert gg.n_customers_ == 946


def test_bgbb_reproduces_fader_hardie_shang(donations):
    m = kamkit.BetaGeoBetaBinom().fit(
        donations["frequency"], donations["recency"], donations["periods"], donations["weights"]
    )
    np.testing.assert_allclose(m.params_.to_numpy(), [1.204, 0.750, 0.657, 2.783], atol=6e-4)
    assert m.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)
    assert m.n_customers_ == 11104


def test_bgbb_accepts_a_frame_and_a_weights_column(donations):
    frame = donations.rename(columns={"periods": "n_periods"})
    m = kamkit.BetaGeoBetaBinom().fit(frame, weights="weights")
    assert m.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)


# ------------------------------------------------------------ fitting details
def test_weights_equal_repeated_rows(cdnow):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().rename("w").reset_index()
    weighted = kamkit.BetaGeo().fit(counts, weights="w")
    plain = kamkit.BetaGeo().fit(cdnow)
    np.testing.assert_allclose(weighted.params_, plain.params_, rtol=1e-7)
    assert weighted.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-12)
    assert plain.n_distinct_rows_ == len(counts)


def test_time_unit_only_rescales_alpha(cdnow):
    days = kamkit.BetaGeo().fit(cdnow["frequency"], cdnow["recency"] * 7, cdnow["T"] * 7)
    weeks = kamkit.BetaGeo().fit(cdnow)
    assert days.params_["alpha"] == pytest.approx(7 * weeks.params_["alpha"], rel=1e-6)
    assert days.params_["r"] == pytest.approx(weeks.params_["r"], rel=1e-6)


def test_standard_errors_match_numerical_hessian(bgnbd, cdnow):
    # Second independent method: finite differences of the total log-likelihood.
    from kamkit import _core

    data = _core.RfmData(*(cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T")), None)
    theta = np.log(bgnbd.params_.to_numpy())
    h = 1e-4
    H = np.zeros((4, 4))
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        H[i] = (
            _core.bg_nbd_loglik(theta + e, data, 1)[1] - _core.bg_nbd_loglik(theta - e, data, 1)[1]
        ) / (2 * h)
    se_log = np.sqrt(np.diag(np.linalg.inv(-H)))
    np.testing.assert_allclose(bgnbd.standard_errors_, se_log * bgnbd.params_, rtol=1e-4)
    ci = bgnbd.confidence_intervals()
    assert (ci["lower"] < bgnbd.params_).all() and (ci["upper"] > bgnbd.params_).all()
    assert list(bgnbd.summary.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]


def test_penalizer_shrinks_parameters(cdnow):
    free = kamkit.BetaGeo().fit(cdnow)
    pen = kamkit.BetaGeo(penalizer=0.1).fit(cdnow)
    assert (pen.params_**2).sum() < (free.params_**2).sum()
    assert pen.log_likelihood_ < free.log_likelihood_


def test_non_convergence_warns_with_advice(cdnow):
    with pytest.warns(ConvergenceWarning, match="penalizer"):
        m = kamkit.BetaGeo(max_iter=1).fit(cdnow)
    assert not m.convergence_["converged"]
    assert "NOT CONVERGED" in repr(m)


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "match"),
    [
        ([1, -1], [1, 0], [2, 2], "non-negative whole"),
        ([1.5, 1], [1, 0.5], [2, 2], "non-negative whole"),
        ([1, 1], [3, 1], [2, 2], "recency <= "),
        ([0, 1], [1, 1], [2, 2], "expected 0 where"),
        ([1, np.nan], [1, 1], [2, 2], "missing value"),
    ],
)
def test_bad_summaries_are_rejected(frequency, recency, T, match):
    with pytest.raises(ValueError, match=match):
        kamkit.BetaGeo().fit(frequency, recency, T)


def test_bad_hyperparameters_and_unfitted_use():
    with pytest.raises(ValueError, match="penalizer"):
        kamkit.BetaGeo(penalizer=-1).fit([1, 0], [1, 0], [2, 2])
    with pytest.raises(ValueError, match="not fitted"):
        kamkit.BetaGeo().probability_alive(1, 1, 2)
    with pytest.raises(TypeError, match="summary DataFrame"):
        kamkit.BetaGeo().fit([1, 2])


def test_fit_does_not_mutate_input(cdnow):
    before = cdnow.copy()
    kamkit.BetaGeo().fit(cdnow)
    pd.testing.assert_frame_equal(cdnow, before)


# ------------------------------------------------------------ predictions
def test_predictions_are_aligned_with_the_input(bgnbd, cdnow):
    e = bgnbd.conditional_expected_purchases(10, cdnow)
    assert isinstance(e, pd.Series) and e.index.equals(cdnow.index)
    pa = bgnbd.probability_alive(cdnow)
    assert pa.between(0, 1).all() and (pa[cdnow["frequency"] == 0] == 1).all()
    later = bgnbd.probability_alive(cdnow, t=52)
    assert (later <= pa + 1e-15).all()
    assert (
        np.ndim(
            bgnbd.predict(39, np.array([2, 3]), np.array([30.43, 20]), np.array([38.86, 38.86]))
        )
        == 1
    )


def test_expected_purchases_matches_counts(bgnbd):
    n = np.arange(300)
    p = bgnbd.probability_of_purchases(n, 39.0)
    assert p.sum() == pytest.approx(1.0, abs=1e-6)
    assert (n * p).sum() == pytest.approx(bgnbd.expected_purchases(39.0), rel=1e-5)


def test_future_alive_matches_simulation(bgnbd):
    # P(alive at T+t) against Monte Carlo on the posterior of (lambda, p).
    r, alpha, a, b = bgnbd.params_
    x, tx, T, t = 3, 20.0, 38.0, 26.0
    rng = np.random.default_rng(0)
    lam = rng.gamma(r + x, 1 / (alpha + T), 2_000_000)
    p = rng.beta(a, b + x, 2_000_000)
    survive = np.exp(-lam * p * t).mean()
    now = bgnbd.probability_alive(x, tx, T)
    assert bgnbd.probability_alive(x, tx, T, t=t) == pytest.approx(now * survive, rel=2e-3)


def test_heavy_buyers_are_finite(bgnbd):
    x = np.array([1e4, 1e4, 5e3, 300])
    tx = np.array([1e4, 1.0, 9e3, 299])
    T = np.full(4, 1e4)
    # Four customers cannot pin down MBG/NBD's four parameters: a and b run off
    # towards infinity, and the fit says so (a ConvergenceWarning that names the
    # boundary).
    with pytest.warns(kamkit.ConvergenceWarning, match="boundary of the parameter space"):
        mbg = kamkit.ModifiedBetaGeo().fit(x, tx, T)
    for model in (bgnbd, mbg):
        e = model.conditional_expected_purchases(52, x, tx, T)
        pa = model.probability_alive(x, tx, T)
        assert np.isfinite(e).all() and (e >= 0).all()
        assert ((pa >= 0) & (pa <= 1)).all()


def test_clv_discrete_follows_lifetimes_definition(bgnbd, cdnow_spend):
    rows = cdnow_spend.head(50)
    gg = kamkit.GammaGamma().fit(
        cdnow_spend["x"][cdnow_spend["x"] > 0], cdnow_spend["zbar"][cdnow_spend["x"] > 0]
    )
    clv = gg.customer_lifetime_value(
        bgnbd,
        rows["x"],
        rows["t_x"],
        rows["T"],
        rows["zbar"],
        time=6,
        discount_rate=0.01,
        time_unit="W",
    )
    spend = gg.conditional_expected_average_spend(rows["x"], rows["zbar"])
    manual = 0.0
    for k in range(1, 7):
        e1 = bgnbd.predict(k * 4.345, rows["x"], rows["t_x"], rows["T"])
        e0 = bgnbd.predict((k - 1) * 4.345, rows["x"], rows["t_x"], rows["T"])
        manual = manual + spend * (e1 - e0) / 1.01**k
    np.testing.assert_allclose(clv, manual, rtol=1e-10)
    cont = gg.customer_lifetime_value(
        bgnbd,
        rows["x"],
        rows["t_x"],
        rows["T"],
        rows["zbar"],
        time=6,
        time_unit="W",
        continuous=True,
    )
    assert ((cont / clv).between(1.0, 1.01)).all()


# ------------------------------------------------------------ spend policy
def test_gamma_gamma_spend_policy(cdnow_spend):
    x = cdnow_spend["x"].copy()
    m = cdnow_spend["zbar"].copy()
    m.iloc[np.flatnonzero(x.to_numpy() > 0)[:3]] = [0.0, -5.0, -1.0]
    with pytest.warns(SpendExclusionWarning, match="1411 customers without repeat purchases and 3"):
        gg = kamkit.GammaGamma().fit(x, m)
    assert gg.n_excluded_ == {"no_repeat_purchases": 1411, "nonpositive_spend": 3}
    e = gg.conditional_expected_average_spend(x, m)
    assert np.isfinite(e).all()
    p, q, v = gg.params_
    excluded = (x == 0) | (m <= 0)
    np.testing.assert_allclose(e[excluded], v * p / (q - 1))
    with pytest.raises(ValueError, match="no customer with repeat purchases"):
        kamkit.GammaGamma().fit([0, 0], [0.0, 0.0])


# ------------------------------------------------------------ persistence and repr
def test_json_round_trip(bgnbd, tmp_path):
    path = tmp_path / "model.json"
    bgnbd.to_json(path)
    assert json.loads(path.read_text())["model"] == "BetaGeo"
    back = kamkit.BetaGeo.from_json(path)
    pd.testing.assert_series_equal(back.params_, bgnbd.params_)
    pd.testing.assert_frame_equal(back.summary, bgnbd.summary)
    assert back.probability_alive(2, 30.43, 38.86) == bgnbd.probability_alive(2, 30.43, 38.86)
    with pytest.raises(ValueError, match="not a GammaGamma"):
        kamkit.GammaGamma.from_json(path)


def test_reprs(bgnbd):
    assert repr(kamkit.BetaGeo()) == "BetaGeo(penalizer=0.0, tol=1e-10, max_iter=200)"
    text = repr(bgnbd)
    assert "2,357 customers" in text and "r=0.2426" in text and "-9582.43" in text
    html = bgnbd._repr_html_()
    assert "<table" in html and "BG/NBD" in html


def test_fit_and_holdout_tables(bgnbd, cdnow, data_dir):
    table = bgnbd.fit_table(cdnow)
    assert table["observed"].sum() == len(cdnow)
    assert table["expected"].sum() == pytest.approx(len(cdnow))
    assert table.loc["0", "expected"] == pytest.approx(1411, rel=0.01)


def test_pareto_repr_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "ParetoNBD" in repr(kamkit.ParetoNBD())


# ------------------------------------------------------------ prediction inputs
@pytest.mark.parametrize("model", [kamkit.BetaGeo, kamkit.ModifiedBetaGeo, kamkit.ParetoNBD])
def test_predictions_scalar_t_equals_per_customer_t(model, cdnow):
    """A single t is the same horizon for everyone; results keep the input's index."""
    m = model().fit(cdnow)
    # enough customers for the grouped path of the core (repeats of CDNOW, shuffled)
    big = pd.concat([cdnow] * 3).sample(frac=1.0, random_state=0)
    f, r, T = big["frequency"], big["recency"], big["T"]
    full = pd.Series(np.full(len(big), 39.0), index=big.index)
    for horizon in (0.0, 39.0):
        e1 = m.conditional_expected_purchases(horizon, f, r, T)
        e2 = m.conditional_expected_purchases(full * (horizon / 39.0), f, r, T)
        assert isinstance(e1, pd.Series) and e1.index.equals(big.index)
        np.testing.assert_array_equal(e1.to_numpy(), e2.to_numpy())
        p1 = m.probability_alive(f, r, T, horizon)
        p2 = m.probability_alive(f, r, T, full * (horizon / 39.0))
        np.testing.assert_array_equal(p1.to_numpy(), p2.to_numpy())
        assert ((p1 >= 0) & (p1 <= 1)).all()
    # one customer at a time (the ungrouped path) gives the same numbers
    few = big.iloc[:40]
    one = [
        m.conditional_expected_purchases(39.0, row.frequency, row.recency, row.T)
        for row in few.itertuples()
    ]
    e1 = m.conditional_expected_purchases(39.0, f, r, T)
    np.testing.assert_allclose(e1.iloc[:40].to_numpy(), one, rtol=1e-13)
    # integer columns and plain lists take the same route
    ints = m.probability_alive(f.to_numpy(), r.to_numpy(), T.to_numpy().astype(float))
    np.testing.assert_array_equal(ints, m.probability_alive(f, r, T).to_numpy())


def test_predictions_reject_bad_rows_with_the_usual_messages(bgnbd):
    f = np.array([1.0, 2.0, 3.0] * 200)
    r = np.array([1.0, 2.0, 3.0] * 200)
    T = np.full(600, 5.0)
    r[17] = 9.0
    with pytest.raises(ValueError, match="expected recency <= T"):
        bgnbd.conditional_expected_purchases(10.0, f, r, T)
    r[17] = np.nan
    with pytest.raises(ValueError, match="missing"):
        bgnbd.probability_alive(f, r, T)
    with pytest.raises(ValueError, match="t: expected times >= 0"):
        bgnbd.conditional_expected_purchases(-1.0, f[:3], f[:3], T[:3])
    with pytest.raises(ValueError, match="different lengths"):
        bgnbd.conditional_expected_purchases(np.ones(4), f[:3], f[:3], T[:3])
