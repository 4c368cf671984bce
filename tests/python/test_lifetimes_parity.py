"""Parity of kamkit.lifetimes with lifetimes 0.11.3 itself, on CDNOW and donations.

lifetimes needs an older NumPy and pandas, so it runs in its own virtual
environment (tests/lifetimes/make_env.sh); KAMKIT_LIFETIMES_PYTHON names that
environment's python. Predictions are compared at lifetimes' own fitted
parameters, so that only the formulas are compared; the fits are compared on
their parameters and log-likelihoods.
"""

from __future__ import annotations

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
        pytest.fail(
            "KAMKIT_LIFETIMES_PYTHON is not set: run tests/lifetimes/make_env.sh, then "
            "export KAMKIT_LIFETIMES_PYTHON=<venv>/bin/python (the script prints the line)"
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
