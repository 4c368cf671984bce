"""Parity of kamkit.lifetimes with lifetimes 0.11.3 itself, on CDNOW and donations.

lifetimes needs an older NumPy and pandas, so it runs in its own virtual
environment (tests/lifetimes/make_env.sh); KAMKIT_LIFETIMES_PYTHON names that
environment's python. Predictions are compared at lifetimes' own fitted
parameters, so that only the formulas are compared; the fits are compared on
their parameters and log-likelihoods.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamkit import lifetimes as kl
from kamkit.models import SpendExclusionWarning

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "lifetimes" / "reference.py"
RTOL = 1e-7
ATOL = 1e-10


@pytest.fixture(scope="module")
def ref(data_dir):
    python = os.environ.get("KAMKIT_LIFETIMES_PYTHON")
    if not python:
        pytest.skip(
            "parity with lifetimes needs lifetimes' own environment: KAMKIT_LIFETIMES_PYTHON is "
            "not set (run tests/lifetimes/make_env.sh, then export "
            "KAMKIT_LIFETIMES_PYTHON=<venv>/bin/python; the script prints the line)"
        )
    done = subprocess.run(
        [python, str(SCRIPT), str(data_dir)], capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        pytest.fail(f"the lifetimes reference script failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def cdnow(data_dir):
    return pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv")


def _close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected), rtol=rtol, atol=atol
    )


def _with_params(fitter, params):
    fitter.params_ = pd.Series(params)[list(fitter._param_names)]
    return fitter


@pytest.mark.parametrize(
    ("name", "cls"), [("bg_nbd", kl.BetaGeoFitter), ("mbg_nbd", kl.ModifiedBetaGeoFitter)]
)
def test_rfm_fitters_match_lifetimes(ref, cdnow, name, cls):
    r = ref[name]
    f, rec, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    fitter = cls().fit(f, rec, T)
    assert list(fitter.params_.index) == list(r["params"])
    _close(fitter.params_, list(r["params"].values()), rtol=2e-4)
    # An equal or better optimum of the same objective.
    assert fitter.log_likelihood_ >= r["total_loglik"] - 1e-8
    assert fitter.log_likelihood_ == pytest.approx(r["total_loglik"], abs=1e-4)
    assert fitter.data.shape == (len(cdnow), 4)
    assert list(fitter.summary.columns) == [
        "coef",
        "se(coef)",
        "lower 95% bound",
        "upper 95% bound",
    ]

    _with_params(fitter, r["params"])
    for t, expected in r["conditional_expected"].items():
        _close(
            fitter.conditional_expected_number_of_purchases_up_to_time(float(t), f, rec, T),
            expected,
        )
        _close(fitter.predict(float(t), f, rec, T), expected)
    _close(fitter.conditional_probability_alive(f, rec, T), r["p_alive"])
    _close(
        fitter.expected_number_of_purchases_up_to_time(np.array([0.0, 1, 10, 39, 104])),
        r["expected"],
    )
    for t, expected in r["p_n"].items():
        got = [fitter.probability_of_n_purchases_up_to_time(float(t), n) for n in (0, 1, 2, 5, 10)]
        _close(got, expected)


def test_pareto_fitter_matches_lifetimes(ref, cdnow):
    r = ref["pareto_nbd"]
    f, rec, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    fitter = kl.ParetoNBDFitter().fit(f, rec, T)
    _close(fitter.params_, list(r["params"].values()), rtol=1e-3)
    assert fitter.log_likelihood_ >= r["total_loglik"] - 1e-8
    _with_params(fitter, r["params"])
    for t, expected in r["conditional_expected"].items():
        _close(
            fitter.conditional_expected_number_of_purchases_up_to_time(float(t), f, rec, T),
            expected,
            rtol=1e-6,
        )
    _close(fitter.conditional_probability_alive(f, rec, T), r["p_alive"], rtol=1e-6)
    _close(
        fitter.expected_number_of_purchases_up_to_time(np.array([0.0, 1, 10, 39, 104])),
        r["expected"],
        rtol=1e-6,
    )
    for n, expected in r["conditional_p_n"].items():
        _close(
            fitter.conditional_probability_of_n_purchases_up_to_time(int(n), 10.0, f, rec, T),
            expected,
            rtol=1e-6,
        )


def test_gamma_gamma_fitter_matches_lifetimes(ref, data_dir):
    r = ref["gamma_gamma"]
    s = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    rep = s[s["x"] > 0]
    gg = kl.GammaGammaFitter().fit(rep["x"], rep["zbar"])
    _close(gg.params_, list(r["params"].values()), rtol=2e-4)
    assert gg._negative_log_likelihood_ <= r["mean_nll"] + 1e-10
    _with_params(gg, r["params"])
    _close(gg.conditional_expected_average_profit(s["x"], s["zbar"]), r["expected_average_profit"])
    bg = _with_params(kl.BetaGeoFitter().fit(s["x"], s["t_x"], s["T"]), r["clv_bg_nbd_params"])
    clv = gg.customer_lifetime_value(
        bg, s["x"], s["t_x"], s["T"], s["zbar"], time=12, discount_rate=0.01, freq="W"
    )
    assert isinstance(clv, pd.Series) and clv.name == "clv"
    _close(clv, r["clv_W"])
    clv_d = gg.customer_lifetime_value(
        bg, s["x"], s["t_x"], s["T"], s["zbar"], time=3, discount_rate=0.02, freq="D"
    )
    _close(clv_d, r["clv_D"])
    # lifetimes raises on customers without repeat purchases; kamkit leaves them out.
    with pytest.warns(SpendExclusionWarning):
        all_rows = kl.GammaGammaFitter().fit(s["x"], s["zbar"])
    _close(all_rows.params_, list(r["params"].values()), rtol=2e-4)


def test_bgbb_fitter_matches_lifetimes(ref, data_dir):
    r = ref["bg_bb"]
    don = pd.read_csv(data_dir / "donations" / "donations.csv")
    f, rec, n = don["frequency"], don["recency"], don["periods"]
    bb = kl.BetaGeoBetaBinomFitter().fit(f, rec, n, don["weights"])
    _close(bb.params_, list(r["params"].values()), rtol=2e-4)
    # lifetimes adds 1e-15 inside its log; allow for it.
    assert bb._negative_log_likelihood_ <= r["mean_nll"] + 1e-9
    _with_params(bb, r["params"])
    for m, expected in r["conditional_expected"].items():
        _close(
            bb.conditional_expected_number_of_purchases_up_to_time(int(m), f, rec, n),
            expected,
            rtol=1e-6,
        )
    for m, expected in r["p_alive"].items():
        _close(bb.conditional_probability_alive(int(m), f, rec, n), expected, rtol=1e-6)
    _close(
        bb.expected_number_of_transactions_in_first_n_periods(6)["model"], r["first_n"], rtol=1e-6
    )


@pytest.fixture(scope="module")
def cdnow_log(data_dir):
    log = pd.read_csv(
        data_dir / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "id", "date", "cds", "spent"],
    )
    log["date"] = pd.to_datetime(log["date"].astype(str), format="%Y%m%d")
    return log


@pytest.mark.parametrize("freq", ["D", "W"])
def test_summary_helpers_match_lifetimes(ref, cdnow_log, freq):
    r = ref[f"summary_{freq}"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summ = kl.summary_data_from_transaction_data(
            cdnow_log, "id", "date", "spent", observation_period_end="1997-09-30", freq=freq
        )
    assert list(summ.index) == r["index"]
    assert list(summ.columns) == ["frequency", "recency", "T", "monetary_value"]
    for c in summ.columns:
        _close(summ[c], r[c], rtol=1e-12)
    r = ref[f"holdout_{freq}"]
    ch = kl.calibration_and_holdout_data(
        cdnow_log, "id", "date", "1997-09-30", "1998-06-30", freq=freq, monetary_value_col="spent"
    )
    assert list(ch.index) == r["index"]
    assert list(ch.columns) == [c for c in r if c != "index"]
    for c in ch.columns:
        _close(ch[c], r[c], rtol=1e-12)


# ------------------------------------------------------------ the drop-in surface
def _frame_close(got, ref, rtol=1e-12):
    assert [str(i) for i in got.index] == ref["index"]
    assert [str(c) for c in got.columns] == [c for c in ref if c != "index"]
    for c in got.columns:
        if got[c].dtype.kind in "biuf":
            _close(got[c], ref[str(c)], rtol=rtol)
        else:
            assert [str(v) for v in got[c]] == ref[str(c)]


def test_fit_internals_match_lifetimes(ref, cdnow):
    r = ref["dropin"]
    f, rec, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    bg = kl.BetaGeoFitter().fit(f, rec, T)
    assert bg._scale == r["bg_scale"]
    _close(bg._negative_log_likelihood_, r["bg_mean_nll"], rtol=1e-9)
    assert repr(bg) == r["bg_repr"]
    _close(bg.standard_errors_, r["bg_se"], rtol=1e-4)
    # lifetimes penalises the parameters of the time-scaled fit; so does the drop-in
    pen = kl.BetaGeoFitter(penalizer_coef=0.1).fit(f, rec, T)
    _close(pen.params_, r["bg_penalized"]["params"], rtol=1e-4)
    assert pen._negative_log_likelihood_ <= r["bg_penalized"]["mean_nll"] + 1e-10


def test_negative_log_likelihood_matches_lifetimes(ref):
    r = ref["dropin"]["nll"]
    x, tx, T, w = (
        np.array(v, dtype=float)
        for v in ([0, 1, 3, 10], [0.0, 2.0, 2.0, 30.0], [5.0, 5.0, 6.0, 38.0], [1.0, 2.0, 1.0, 3.0])
    )
    log_bg = np.log([0.3, 4, 0.8, 2.4])
    _close(kl.BetaGeoFitter._negative_log_likelihood(log_bg, x, tx, T, w, 0.1), r["bg"], rtol=1e-12)
    _close(
        kl.ModifiedBetaGeoFitter._negative_log_likelihood(log_bg, x, tx, T, w, 0.1),
        r["mbg"],
        rtol=1e-12,
    )
    # Pareto/NBD: natural parameters and the sum over rows, as in lifetimes
    _close(
        kl.ParetoNBDFitter._negative_log_likelihood([0.55, 10.6, 0.61, 11.7], x, tx, T, w, 0.1),
        r["pareto"],
        rtol=1e-12,
    )
    gg = kl.GammaGammaFitter._negative_log_likelihood(
        np.log([6.0, 4.0, 15.0]), np.array([1.0, 2, 5]), np.array([10.0, 20, 30]), [1.0, 1, 2], 0.1
    )
    _close(gg, r["gg"], rtol=1e-12)
    bb = kl.BetaGeoBetaBinomFitter._negative_log_likelihood(
        np.log([1.2, 0.75, 0.66, 2.8]), [0.0, 1, 3], [0.0, 2, 5], [6.0, 6, 6], [10.0, 5, 2], 0.1
    )
    _close(bb, r["bgbb"], rtol=1e-12)
    log_a0 = kl.ParetoNBDFitter._log_A_0(
        [10.465, 7.98565181e-03, 3.0516, 2.820],
        np.array([400.0, 500, 500]),
        [5.0, 1, 4],
        [6.0, 37, 37],
    )
    _close(log_a0, ref["dropin"]["log_A_0"], rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "cls"),
    [("bg", kl.BetaGeoFitter), ("mbg", kl.ModifiedBetaGeoFitter), ("pareto", kl.ParetoNBDFitter)],
)
def test_probability_alive_with_zero_frequency_matches_lifetimes(ref, cdnow, name, cls):
    r = ref["dropin"]
    fitter = _with_params(cls(), r["params"][name])
    zero, recency, age = np.zeros(3), np.array([0.0, 5.0, 20.0]), np.full(3, 30.0)
    got = fitter.conditional_probability_alive(zero, recency, age)
    assert isinstance(got, np.ndarray)
    _close(got, r["p_alive_zero_frequency"][name], rtol=1e-10)
    if name in r["alive_matrix"]:
        fitter.data = cdnow.assign(weights=1)
        _close(
            fitter.conditional_probability_alive_matrix(5, 10), r["alive_matrix"][name], rtol=1e-10
        )


@pytest.mark.parametrize("key", ["M_1", "D_7", "h_1", "2D_1"])
def test_summary_frequencies_match_lifetimes(ref, cdnow_log, key):
    freq, mult = key.split("_")
    got = kl.utils.summary_data_from_transaction_data(
        cdnow_log,
        "id",
        "date",
        "spent",
        observation_period_end="1997-09-30",
        freq=freq,
        freq_multiplier=int(mult),
    )
    _frame_close(got, ref["dropin"]["summaries"][key])


def test_utils_match_lifetimes(ref, cdnow_log, data_dir):
    r = ref["dropin"]
    ch = kl.utils.calibration_and_holdout_data(
        cdnow_log, "id", "date", "1997-09-30", "1998-06-30", freq="M"
    )
    _frame_close(ch, r["holdout_M"])
    first = kl.utils._find_first_transactions(
        cdnow_log, "id", "date", "spent", observation_period_end="1997-09-30", freq="W"
    )
    _frame_close(first, r["first_W"])
    bg = _with_params(kl.BetaGeoFitter(), r["params"]["bg"])
    one = cdnow_log[cdnow_log["id"] == r["alive_path_id"]]
    _close(
        kl.utils.calculate_alive_path(bg, one, "date", 80, freq="W"), r["alive_path"], rtol=1e-10
    )
    weekly = kl.utils.expected_cumulative_transactions(bg, cdnow_log, "date", "id", 78, freq="W")
    _frame_close(weekly, r["cumulative_W"], rtol=1e-9)
    daily = kl.utils.expected_cumulative_transactions(
        bg, cdnow_log, "date", "id", 546, freq="D", freq_multiplier=7
    )
    _frame_close(daily, r["cumulative_D7"], rtol=1e-9)
    s = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    clv = kl.utils._customer_lifetime_value(
        bg, s["x"], s["t_x"], s["T"], s["zbar"], time=6, discount_rate=0.01, freq="W"
    )
    _close(clv, r["clv_W"], rtol=1e-9)


@pytest.mark.parametrize(
    ("name", "fn", "args"),
    [
        ("bg", "beta_geometric_nbd_model", (30, 0.24, 4.41, 0.79, 2.43)),
        ("mbg", "modified_beta_geometric_nbd_model", (30, 0.52, 6.18, 0.89, 1.61)),
        ("pareto", "pareto_nbd_model", (30, 0.55, 10.58, 0.61, 11.67)),
        ("bgbb", "beta_geometric_beta_binom_model", (6, 1.2, 0.75, 0.66, 2.78)),
    ],
)
def test_simulators_draw_as_lifetimes(ref, name, fn, args):
    state = np.random.get_state()  # noqa: NPY002 - lifetimes' global state
    try:
        np.random.seed(7)  # lifetimes' simulators use numpy's global random state  # noqa: NPY002 - lifetimes' global state
        got = getattr(kl.generate_data, fn)(*args, size=300)
    finally:
        np.random.set_state(state)  # noqa: NPY002 - lifetimes' global state
    _frame_close(got, ref["dropin"]["simulations"][name])


def test_transaction_simulator_draws_as_lifetimes(ref):
    state = np.random.get_state()  # noqa: NPY002 - lifetimes' global state
    try:
        np.random.seed(7)  # noqa: NPY002 - lifetimes' global state
        got = kl.generate_data.beta_geometric_nbd_model_transactional_data(
            30, 0.24, 4.41, 0.79, 2.43, size=30
        )
    finally:
        np.random.set_state(state)  # noqa: NPY002 - lifetimes' global state
    r = ref["dropin"]["simulations"]["transactions"]
    assert got["customer_id"].tolist() == [int(v) for v in r["customer_id"]]
    # pandas 1 rounded fractional Timedeltas to the microsecond; compare to the millisecond
    diff = (got["date"] - pd.to_datetime(pd.Series(r["date"]), format="ISO8601")).abs()
    assert (diff < pd.Timedelta(milliseconds=1)).all()


@pytest.mark.parametrize("key", ["pickle_full", "pickle_bare"])
def test_models_pickled_by_lifetimes_load(ref, cdnow, tmp_path, key):
    r = ref["dropin"]
    path = tmp_path / "lifetimes_model.pkl"
    path.write_bytes(base64.b64decode(r[key]))
    fitter = kl.BetaGeoFitter()
    fitter.load_model(str(path))
    _close(fitter.params_, list(r["params"]["bg"].values()), rtol=0)
    assert fitter.predict(1, 1, 2, 5) == pytest.approx(
        kl.BetaGeoFitter()
        .fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
        .predict(1, 1, 2, 5),
        rel=1e-6,
    )
    if key == "pickle_full":
        # kamkit's state is rebuilt from the saved data: standard errors as lifetimes'
        _close(fitter.standard_errors_, r["bg_se"], rtol=1e-6)
        assert fitter.generate_new_data(size=3).shape == (3, 6)
    else:
        assert fitter.data is None and fitter.generate_new_data is None
