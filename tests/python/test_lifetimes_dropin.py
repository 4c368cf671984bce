"""kamkit.lifetimes keeps lifetimes' module paths, names, signatures, return types and persistence.

Numbers against lifetimes itself are in test_lifetimes_parity.py; these tests
check the drop-in's own behaviour and need no lifetimes environment.
"""

from __future__ import annotations

import importlib
import pickle
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit import lifetimes as kl
from kamkit.models import ConvergenceWarning

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def cdnow(data_dir):
    return pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv")


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


@pytest.fixture(scope="module")
def bgf(cdnow):
    return kl.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture
def seeded():
    state = np.random.get_state()  # noqa: NPY002 - the simulators use numpy's global state
    np.random.seed(12345)  # noqa: NPY002
    yield
    np.random.set_state(state)  # noqa: NPY002


# ------------------------------------------------------------------ module paths
@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("kamkit.lifetimes", ["BaseFitter", "BetaGeoFitter", "ParetoNBDFitter", "__version__"]),
        ("kamkit.lifetimes.fitters", ["BaseFitter"]),
        ("kamkit.lifetimes.fitters.beta_geo_fitter", ["BetaGeoFitter"]),
        ("kamkit.lifetimes.fitters.modified_beta_geo_fitter", ["ModifiedBetaGeoFitter"]),
        ("kamkit.lifetimes.fitters.pareto_nbd_fitter", ["ParetoNBDFitter"]),
        ("kamkit.lifetimes.fitters.gamma_gamma_fitter", ["GammaGammaFitter"]),
        ("kamkit.lifetimes.fitters.beta_geo_beta_binom_fitter", ["BetaGeoBetaBinomFitter"]),
        (
            "kamkit.lifetimes.utils",
            [
                "summary_data_from_transaction_data",
                "calibration_and_holdout_data",
                "calculate_alive_path",
                "expected_cumulative_transactions",
                "_find_first_transactions",
                "_check_inputs",
                "_scale_time",
                "_customer_lifetime_value",
                "ConvergenceError",
            ],
        ),
        ("kamkit.lifetimes.generate_data", kl.generate_data.__all__),
        ("kamkit.lifetimes.plotting", kl.plotting.__all__),
        ("kamkit.lifetimes.datasets", kl.datasets.__all__),
        ("kamkit.lifetimes.version", ["__version__"]),
    ],
)
def test_lifetimes_module_paths(module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert hasattr(mod, name), f"{module}.{name}"


def test_counts_and_shared_implementation():
    assert len(kl.plotting.__all__) == 10
    assert len(kl.generate_data.__all__) == 5
    assert kl.__version__ == "0.11.3"
    assert issubclass(kl.BetaGeoFitter, kamkit.BetaGeo)
    assert issubclass(kl.ModifiedBetaGeoFitter, kamkit.ModifiedBetaGeo)
    assert issubclass(kl.GammaGammaFitter, kamkit.GammaGamma)
    assert issubclass(kl.BetaGeoBetaBinomFitter, kamkit.BetaGeoBetaBinom)
    assert issubclass(kl.ParetoNBDFitter, kamkit.ParetoNBD)
    for cls in (kl.BetaGeoFitter, kl.GammaGammaFitter, kl.ParetoNBDFitter):
        assert issubclass(cls, kl.BaseFitter)


# ------------------------------------------------------------------- BaseFitter
def test_base_fitter_repr_and_params():
    f = kl.BaseFitter()
    assert repr(f) == "<lifetimes.BaseFitter>"
    with pytest.raises(ValueError, match="not been fit"):
        f._unload_params("x")
    f.params_ = pd.Series({"y": 2.0, "x": 1.234})
    f.data = np.zeros(4)
    assert repr(f) == "<lifetimes.BaseFitter: fitted with 4 subjects, x: 1.23, y: 2.00>"
    f.data = None
    assert repr(f) == "<lifetimes.BaseFitter: x: 1.23, y: 2.00>"
    assert f._unload_params("y", "x") == [2.0, 1.234]


def test_fitted_repr(bgf):
    assert repr(bgf) == (
        "<lifetimes.BetaGeoFitter: fitted with 2357 subjects, a: 0.79, alpha: 4.41, b: 2.43, r: 0.24>"
    )
    assert repr(kl.ParetoNBDFitter()) == "<lifetimes.ParetoNBDFitter>"


# ---------------------------------------------------------------- persistence
def test_save_and_load_keep_everything(bgf, tmp_path):
    path = tmp_path / "bg.pkl"
    bgf.save_model(str(path))
    g = kl.BetaGeoFitter()
    g.load_model(str(path))
    pd.testing.assert_series_equal(g.params_, bgf.params_)
    assert g._scale == bgf._scale
    assert g._negative_log_likelihood_ == bgf._negative_log_likelihood_
    pd.testing.assert_frame_equal(g.data, bgf.data)
    # methods and the simulator are rebound to the object loaded into
    assert g.predict.__self__ is g
    assert g.generate_new_data.fitter is g
    assert g.predict(5, 2, 20.0, 30.0) == bgf.predict(5, 2, 20.0, 30.0)
    pd.testing.assert_series_equal(g.standard_errors_, bgf.standard_errors_)


def test_save_model_honours_its_options(bgf, tmp_path):
    path = tmp_path / "bg.pkl"
    bgf.save_model(str(path), save_data=False, save_generate_data_method=False)
    with open(path, "rb") as fh:
        stored = pickle.load(fh)  # noqa: S301 - our own file
    assert stored.data is None and stored.generate_new_data is None
    # the fitter itself keeps its attributes
    assert isinstance(bgf.data, pd.DataFrame) and callable(bgf.generate_new_data)
    bgf.save_model(str(path), save_data=False, values_to_save=["no data"])
    g = kl.BetaGeoFitter()
    g.load_model(str(path))
    assert g.data == "no data"
    assert callable(g.generate_new_data)  # only the first placeholder was given
    bgf.save_model(
        str(path), save_data=True, save_generate_data_method=False, values_to_save=[1, 2]
    )
    g.load_model(str(path))
    assert g.generate_new_data == 2 and isinstance(g.data, pd.DataFrame)


def test_load_model_explains_unreadable_files(tmp_path):
    path = tmp_path / "broken.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="params_.to_json"):
        kl.BetaGeoFitter().load_model(str(path))


# --------------------------------------------------------------- fit signatures
def test_pareto_fit_takes_lifetimes_positional_order(cdnow):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    a = kl.ParetoNBDFitter().fit(f, r, T, None, 1, None, False, 1e-4, None, "trust-exact", 2000)
    b = kl.ParetoNBDFitter().fit(f, r, T)
    pd.testing.assert_series_equal(a.params_, b.params_)
    assert a.params_.round(2).tolist() == [0.55, 10.58, 0.61, 11.67]
    # kamkit adds standard errors for Pareto/NBD (lifetimes has none)
    assert (a.standard_errors_ > 0).all() and a.summary.shape == (4, 4)
    with pytest.raises(ValueError, match="iterative_fitting"):
        kl.ParetoNBDFitter().fit(f, r, T, iterative_fitting=0)
    with pytest.raises(ValueError, match="both set"):
        kl.ParetoNBDFitter().fit(f, r, T, iterative_fitting=2, initial_params=[1, 1, 1, 1])


def test_pareto_fit_method_and_restarts_are_honoured(cdnow, seeded):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    newton = kl.ParetoNBDFitter().fit(f, r, T)
    nm = kl.ParetoNBDFitter().fit(f, r, T, fit_method="Nelder-Mead", maxiter=4000)
    assert nm.convergence_["method"] == "Nelder-Mead"
    np.testing.assert_allclose(nm.params_, newton.params_, rtol=2e-2)
    assert nm.log_likelihood_ <= newton.log_likelihood_ + 1e-9
    restarted = kl.ParetoNBDFitter().fit(f, r, T, iterative_fitting=3)
    np.testing.assert_allclose(restarted.params_, newton.params_, rtol=1e-6)


def test_fit_honours_tol_maxiter_and_verbose(cdnow, capsys):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    tight = kl.BetaGeoFitter().fit(f, r, T, tol=1e-12, verbose=True)
    assert tight.tol == 1e-12
    assert tight.convergence_["max_abs_gradient"] < 1e-9
    out = capsys.readouterr().out
    assert "BetaGeoFitter" in out and "converged" in out
    with pytest.warns(ConvergenceWarning):
        kl.BetaGeoFitter().fit(f, r, T, maxiter=1)
    with pytest.warns(UserWarning, match="ignoring scipy option"):
        kl.BetaGeoFitter().fit(f, r, T, iterative_fitting=2)


def test_initial_params_are_lifetimes_log_parameters(cdnow):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    free = kl.BetaGeoFitter().fit(f, r, T)
    start = np.log([0.2, 0.1, 0.7, 2.0])  # scaled alpha, as lifetimes takes it
    started = kl.BetaGeoFitter().fit(f, r, T, initial_params=start)
    np.testing.assert_allclose(started.params_, free.params_, rtol=1e-6)


def test_penalizer_shrinks_the_scaled_parameters(cdnow):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    free = kl.BetaGeoFitter().fit(f, r, T)
    pen = kl.BetaGeoFitter(penalizer_coef=0.1).fit(f, r, T)
    assert (pen.params_ < free.params_).all()
    scaled = pen.params_.copy()
    scaled["alpha"] *= pen._scale
    value = kl.BetaGeoFitter._negative_log_likelihood(
        np.log(scaled), f, r * pen._scale, T * pen._scale, np.ones(len(f)), 0.1
    )
    assert value == pytest.approx(pen._negative_log_likelihood_, rel=1e-12)


def test_negative_log_likelihood_is_additive_over_rows():
    x, tx, T, w = np.array([1, 3]), np.array([2.0, 2.0]), np.array([5.0, 6.0]), np.array([1, 1])
    for cls in (kl.BetaGeoFitter, kl.ModifiedBetaGeoFitter):
        one = [
            cls._negative_log_likelihood(np.zeros(4), x[i], tx[i : i + 1], T[i : i + 1], 1, 0)
            for i in (0, 1)
        ]
        assert (one[0] + one[1]) / 2 == cls._negative_log_likelihood(np.zeros(4), x, tx, T, w, 0)
    p = [1.0, 1.0, 1.0, 1.0]
    one = [
        kl.ParetoNBDFitter._negative_log_likelihood(
            p, x[i : i + 1], tx[i : i + 1], T[i : i + 1], 1.0, 0
        )
        for i in (0, 1)
    ]
    assert one[0] + one[1] == kl.ParetoNBDFitter._negative_log_likelihood(p, x, tx, T, w, 0)
    assert kl.ParetoNBDFitter._negative_log_likelihood([1, -1, 1, 1], x, tx, T, w, 0) == np.inf


# ----------------------------------------------------------- predictions, types
def test_return_types_follow_lifetimes(bgf, cdnow):
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    alive = bgf.conditional_probability_alive(f, r, T)
    assert isinstance(alive, np.ndarray) and alive.shape == (len(f),)
    assert isinstance(bgf.conditional_probability_alive(1, 2.0, 3.0), np.ndarray)
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(10, f, r, T)
    assert isinstance(expected, pd.Series) and expected.index.equals(f.index)
    assert isinstance(
        bgf.conditional_expected_number_of_purchases_up_to_time(10, 1, 2.0, 3.0), float
    )
    assert isinstance(bgf.expected_number_of_purchases_up_to_time(range(5)), np.ndarray)
    pareto = kl.ParetoNBDFitter()
    pareto.params_ = pd.Series({"alpha": 10.58, "beta": 11.67, "r": 0.55, "s": 0.61})  # any order
    assert isinstance(pareto.conditional_probability_alive(f, r, T), pd.Series)
    assert isinstance(pareto.conditional_probability_alive(26.0, 30.86, 31.0), float)
    assert pareto.conditional_probability_alive(26.0, 30.86, 31.0) == pytest.approx(
        0.9979, abs=1e-3
    )


def test_zero_frequency_with_positive_recency_is_accepted(bgf):
    # lifetimes accepts it: BG/NBD says alive, Pareto/NBD evaluates its formula
    assert bgf.conditional_probability_alive(0, 5.0, 30.0)[0] == 1.0
    pareto = kl.ParetoNBDFitter()
    pareto.params_ = pd.Series({"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67})
    p0, p5 = pareto.conditional_probability_alive(
        np.zeros(2), np.array([0.0, 5.0]), np.full(2, 30.0)
    )
    assert 0 < p0 < p5 < 1
    with pytest.raises(ValueError, match="recency <= T"):
        bgf.conditional_probability_alive(1, 40.0, 30.0)


def test_alive_matrix_equals_the_scalar_calls(bgf):
    z = bgf.conditional_probability_alive_matrix(4, 8)
    assert z.shape == (9, 5)
    for t_x in range(9):
        for x in range(5):
            assert z[t_x, x] == bgf.conditional_probability_alive(x, t_x, 8)[0]


def test_clv_uses_the_shared_helper(data_dir, bgf):
    s = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    gg = kl.GammaGammaFitter()
    gg.params_ = pd.Series({"p": 6.25, "q": 3.74, "v": 15.44})
    clv = gg.customer_lifetime_value(bgf, s["x"], s["t_x"], s["T"], s["zbar"], freq="W")
    spend = gg.conditional_expected_average_profit(s["x"], s["zbar"])
    direct = kl.utils._customer_lifetime_value(bgf, s["x"], s["t_x"], s["T"], spend, freq="W")
    pd.testing.assert_series_equal(clv, direct)
    assert clv.name == "clv" and (clv >= 0).all()

    class PredictOnly:  # any model with lifetimes' predict goes month by month
        def predict(self, t, frequency, recency, T):
            return bgf.predict(t, frequency, recency, T)

    loop = kl.utils._customer_lifetime_value(
        PredictOnly(), s["x"], s["t_x"], s["T"], spend, freq="W"
    )
    np.testing.assert_allclose(loop, clv, rtol=1e-9)


def test_gamma_gamma_q_constraint_keeps_q_above_one(data_dir):
    s = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    rep = s[s["x"] > 0]
    free = kl.GammaGammaFitter().fit(rep["x"], rep["zbar"])
    constrained = kl.GammaGammaFitter().fit(rep["x"], rep["zbar"], q_constraint=True)
    np.testing.assert_allclose(constrained.params_, free.params_, rtol=1e-8)
    # spends whose unconstrained fit has q < 1: heavy-tailed means of single purchases
    rng = np.random.default_rng(3)
    heavy = rng.pareto(0.5, 400) + 1.0
    x = rng.integers(1, 6, 400).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unconstrained = kl.GammaGammaFitter().fit(x, heavy)
        bounded = kl.GammaGammaFitter().fit(x, heavy, q_constraint=True)
    assert unconstrained.params_["q"] < 1.0
    assert bounded.params_["q"] >= 1.0 - 1e-9


# ----------------------------------------------------------------- utils: freq
def test_summary_accepts_lifetimes_frequencies(cdnow_log):
    kw = {"observation_period_end": "1997-09-30"}
    days = kl.utils.summary_data_from_transaction_data(cdnow_log, "id", "date", freq="D", **kw)
    hours = kl.utils.summary_data_from_transaction_data(cdnow_log, "id", "date", freq="H", **kw)
    pd.testing.assert_frame_equal(
        hours, kl.utils.summary_data_from_transaction_data(cdnow_log, "id", "date", freq="h", **kw)
    )
    np.testing.assert_allclose(hours[["recency", "T"]], 24 * days[["recency", "T"]])
    weeks = kl.utils.summary_data_from_transaction_data(
        cdnow_log, "id", "date", freq="D", freq_multiplier=7, **kw
    )
    np.testing.assert_allclose(weeks["T"], days["T"] / 7)
    quarters = kl.utils.summary_data_from_transaction_data(cdnow_log, "id", "date", freq="Q", **kw)
    first = cdnow_log.groupby("id")["date"].min().dt.to_period("Q").dt.to_timestamp()
    end = pd.Timestamp("1997-07-01")  # the quarter of the observation end
    np.testing.assert_allclose(quarters["T"], (end - first).dt.days / (365.2425 / 4))
    assert (quarters["frequency"] <= days["frequency"]).all()
    with pytest.raises(ValueError, match="freq"):
        kl.utils.summary_data_from_transaction_data(cdnow_log, "id", "date", freq="bogus")


def test_calibration_holdout_other_frequencies(cdnow_log):
    ch = kl.utils.calibration_and_holdout_data(
        cdnow_log, "id", "date", "1997-09-30", "1998-06-30", freq="M", monetary_value_col="spent"
    )
    assert ch["duration_holdout"].unique().tolist() == [9.0]
    assert list(ch.columns) == [
        "frequency_cal",
        "recency_cal",
        "T_cal",
        "monetary_value_cal",
        "frequency_holdout",
        "monetary_value_holdout",
        "duration_holdout",
    ]
    with pytest.raises(ValueError, match="no data available"):
        kl.utils.calibration_and_holdout_data(cdnow_log, "id", "date", "1998-07-01", "1998-08-01")


def test_inputs_are_not_mutated(cdnow_log):
    before = cdnow_log.copy()
    kl.utils.summary_data_from_transaction_data(cdnow_log, "id", "date", "spent", freq="M")
    kl.utils._find_first_transactions(cdnow_log, "id", "date", freq="W")
    kl.utils.calibration_and_holdout_data(cdnow_log, "id", "date", "1997-09-30", freq="Q")
    pd.testing.assert_frame_equal(cdnow_log, before)


def test_check_inputs_and_scale_time():
    f, r, T = np.array([0, 1, 2]), np.array([0.0, 1.0, 5.0]), np.array([5.0, 5.0, 5.0])
    assert kl.utils._check_inputs(f, r, T, np.array([1.0, 2.0, 3.0])) is None
    with pytest.raises(ValueError, match="larger than T"):
        kl.utils._check_inputs(f, np.array([0.0, 1.0, 6.0]), T)
    with pytest.raises(ValueError, match="frequency is zero"):
        kl.utils._check_inputs(f, np.array([1.0, 1.0, 5.0]), T)
    with pytest.raises(ValueError, match="non-integer"):
        kl.utils._check_inputs(np.array([0, 0.5, 2]), r, T)
    with pytest.raises(ValueError, match="non-positive"):
        kl.utils._check_inputs(f, r, T, np.array([1.0, 0.0, 3.0]))
    assert kl.utils._scale_time(np.array([2.0, 8.0])) == 0.125


def test_alive_path_and_tracking(cdnow_log, bgf):
    one = cdnow_log[cdnow_log["id"] == 2]
    path = kl.utils.calculate_alive_path(bgf, one, "date", 60, freq="W")
    assert len(path) == 61 and path.iloc[0] == 1.0 and ((path >= 0) & (path <= 1)).all()
    track = kl.utils.expected_cumulative_transactions(bgf, cdnow_log, "date", "id", 78, freq="W")
    assert list(track.columns) == ["actual", "predicted"] and len(track) == 78
    assert track["actual"].is_monotonic_increasing and track["predicted"].is_monotonic_increasing
    dated = kl.utils.expected_cumulative_transactions(
        bgf, cdnow_log, "date", "id", 78, freq="W", set_index_date=True
    )
    assert isinstance(dated.index, pd.PeriodIndex)


# --------------------------------------------------------------- generate_data
def test_simulators_follow_numpy_global_state(seeded):
    args = (20, 0.24, 4.41, 0.79, 2.43)
    np.random.seed(1)  # noqa: NPY002
    a = kl.generate_data.beta_geometric_nbd_model(*args, size=50)
    np.random.seed(1)  # noqa: NPY002
    b = kl.generate_data.beta_geometric_nbd_model(*args, size=50)
    c = kl.generate_data.beta_geometric_nbd_model(*args, size=50)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    np.random.seed(1)  # noqa: NPY002
    log = kl.generate_data.beta_geometric_nbd_model_transactional_data(*args, size=50)
    summary = kl.utils.summary_data_from_transaction_data(
        log, "customer_id", "date", observation_period_end="2019-1-1"
    )
    np.testing.assert_array_equal(summary["frequency"], a["frequency"])
    np.testing.assert_array_equal(summary["recency"], np.ceil(a["recency"]))


def test_fitters_generate_new_data(bgf, data_dir, seeded):
    sim = bgf.generate_new_data(size=100)
    assert list(sim.columns) == ["frequency", "recency", "T", "lambda", "p", "alive"]
    assert (sim["recency"] <= sim["T"]).all()
    don = pd.read_csv(data_dir / "donations" / "donations.csv")
    bb = kl.BetaGeoBetaBinomFitter().fit(
        don["frequency"], don["recency"], don["periods"], don["weights"]
    )
    assert bb.generate_new_data(size=10).shape == (10, 7)


# -------------------------------------------------------------------- datasets
def test_dataset_loaders():
    ds = kl.datasets
    assert ds.load_cdnow_summary(index_col=[0]).shape == (2357, 3)
    assert ds.load_cdnow_summary_data_with_monetary_value().shape == (2357, 4)
    assert ds.load_donations()["weights"].sum() == 11104
    tx = ds.load_transaction_data(parse_dates=["date"])
    assert tx.shape == (15273, 2) and tx["id"].nunique() == 5000
    assert ds.load_dataset("CDNOW_sample.txt", header=None, sep=r"\s+").shape == (6919, 5)
    with pytest.raises(ValueError, match="ships"):
        ds.load_dataset("CDNOW_master.txt")


# -------------------------------------------------------------------- plotting
def test_plots_draw_the_models_numbers(bgf, cdnow_log, seeded):
    from matplotlib import pyplot as plt

    p = kl.plotting
    ax = p.plot_period_transactions(bgf)
    heights = [patch.get_height() for patch in ax.patches]
    assert heights[:7] == bgf.data["frequency"].value_counts().sort_index().iloc[:7].tolist()
    assert ax.get_title() == "Frequency of Repeat Transactions"
    plt.close("all")
    ax = p.plot_frequency_recency_matrix(bgf, max_frequency=5, max_recency=10)
    z = ax.get_images()[0].get_array()
    assert z.shape == (11, 6)
    assert z[3, 2] == pytest.approx(
        bgf.conditional_expected_number_of_purchases_up_to_time(1, 2, 3, 10)
    )
    plt.close("all")
    ax = p.plot_probability_alive_matrix(bgf, max_frequency=5, max_recency=10)
    np.testing.assert_array_equal(
        ax.get_images()[0].get_array(), bgf.conditional_probability_alive_matrix(5, 10)
    )
    plt.close("all")
    ax = p.plot_expected_repeat_purchases(bgf, label="model")
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(y, bgf.expected_number_of_purchases_up_to_time(x))
    assert ax.lines[1].get_linestyle() == "--"
    plt.close("all")
    ax = p.plot_transaction_rate_heterogeneity(bgf)
    assert ax.get_title() == "mean: 0.055, var: 0.012"
    plt.close("all")
    ax = p.plot_dropout_rate_heterogeneity(bgf)
    assert ax.get_xlabel() == "Dropout Probability p"
    plt.close("all")
    ch = kl.utils.calibration_and_holdout_data(
        cdnow_log, "id", "date", "1997-09-30", "1998-06-30", freq="W"
    )
    ax = p.plot_calibration_purchases_vs_holdout_purchases(bgf, ch, kind="time_since_last_purchase")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "frequency_holdout",
        "model_predictions",
    ]
    plt.close("all")
    one = cdnow_log[cdnow_log["id"] == 2]
    ax = p.plot_history_alive(bgf, 60, one, "date", freq="W")
    assert ax.get_title() == "History of P_alive"
    plt.close("all")
    for fn, title in (
        (p.plot_cumulative_transactions, "Tracking Cumulative Transactions"),
        (p.plot_incremental_transactions, "Tracking Daily Transactions"),
    ):
        ax = fn(bgf, cdnow_log, "date", "id", 78, 39, freq="W")
        assert ax.get_title() == title and len(ax.lines) == 3
        plt.close("all")


def test_shipped_data_are_the_files_their_readme_lists():
    import gzip
    import hashlib
    import re
    from pathlib import Path

    folder = Path(kl.datasets.__file__).parent / "data"
    listed = dict(
        re.findall(
            r"`([\w.]+\.gz)` \| [\d,]+ \| [\d,]+ \| `([0-9a-f]{64})`",
            (folder / "README.md").read_text(),
        )
    )
    assert (
        set(listed)
        == {p.name for p in folder.glob("*.gz")}
        == {f + ".gz" for f in kl.datasets.FILES}
    )
    for name, digest in listed.items():
        data = gzip.decompress((folder / name).read_bytes())
        assert hashlib.sha256(data).hexdigest() == digest, name
        assert (folder / name).stat().st_size < 5 * 2**20
