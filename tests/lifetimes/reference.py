"""Reference results of lifetimes 0.11.3 on CDNOW and the donations data, as JSON.

Run with the lifetimes environment's Python (see make_env.sh):

    $KAMKIT_LIFETIMES_PYTHON tests/lifetimes/reference.py tests/data > ref.json

The parity tests (tests/python/test_lifetimes_parity.py) run it and compare.
"""

import base64
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")

import lifetimes  # noqa: E402
from lifetimes import (  # noqa: E402
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
    generate_data,  # noqa: E402
)
from lifetimes.utils import (  # noqa: E402
    _customer_lifetime_value,
    _find_first_transactions,
    calculate_alive_path,
    calibration_and_holdout_data,
    expected_cumulative_transactions,
    summary_data_from_transaction_data,
)

T_FUTURE = [0.0, 1.0, 10.0, 39.0, 104.0]
N_PURCHASES = [0, 1, 2, 5, 10]


def lst(values):
    return np.asarray(values, dtype=float).ravel().tolist()


def total_loglik(fitter, f, r, T):
    """lifetimes' own log-likelihood at its fitted parameters, in the data's time unit."""
    params = fitter.params_.to_numpy(dtype=float)
    f, r, T = (np.asarray(v, dtype=float) for v in (f, r, T))
    w = np.ones_like(f)
    if isinstance(fitter, ParetoNBDFitter):
        return -float(fitter._negative_log_likelihood(params, f, r, T, w, 0.0)) * w.mean()
    return -float(fitter._negative_log_likelihood(np.log(params), f, r, T, w, 0.0)) * w.sum()


def rfm_model(fitter, d):
    f, r, T = d["frequency"], d["recency"], d["T"]
    out = {
        "params": dict(fitter.params_.astype(float)),
        "mean_nll": float(fitter._negative_log_likelihood_),
        "total_loglik": total_loglik(fitter, f, r, T),
        "conditional_expected": {
            str(t): lst(fitter.conditional_expected_number_of_purchases_up_to_time(t, f, r, T))
            for t in T_FUTURE
        },
        "p_alive": lst(fitter.conditional_probability_alive(f, r, T)),
        "expected": lst(fitter.expected_number_of_purchases_up_to_time(np.array(T_FUTURE))),
    }
    if hasattr(fitter, "probability_of_n_purchases_up_to_time"):
        out["p_n"] = {
            str(t): [float(fitter.probability_of_n_purchases_up_to_time(t, n)) for n in N_PURCHASES]
            for t in (1.0, 39.0)
        }
    return out


def main(data):
    res = {"lifetimes": lifetimes.__version__, "numpy": np.__version__, "pandas": pd.__version__}
    d = pd.read_csv(data / "cdnow" / "cdnow_customers_summary.csv")
    for name, cls in (("bg_nbd", BetaGeoFitter), ("mbg_nbd", ModifiedBetaGeoFitter)):
        fitter = cls().fit(d["frequency"], d["recency"], d["T"])
        res[name] = rfm_model(fitter, d)
    pareto = ParetoNBDFitter().fit(d["frequency"], d["recency"], d["T"])
    res["pareto_nbd"] = rfm_model(pareto, d)
    res["pareto_nbd"]["conditional_p_n"] = {
        str(n): lst(
            pareto.conditional_probability_of_n_purchases_up_to_time(
                n, 10.0, d["frequency"], d["recency"], d["T"]
            )
        )
        for n in (0, 1, 3)
    }

    s = pd.read_csv(data / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    rep = s[s["x"] > 0]
    gg = GammaGammaFitter().fit(rep["x"], rep["zbar"])
    bg = BetaGeoFitter().fit(s["x"], s["t_x"], s["T"])
    res["gamma_gamma"] = {
        "params": dict(gg.params_.astype(float)),
        "mean_nll": float(gg._negative_log_likelihood_),
        "expected_average_profit": lst(gg.conditional_expected_average_profit(s["x"], s["zbar"])),
        "clv_bg_nbd_params": dict(bg.params_.astype(float)),
        "clv_W": lst(
            gg.customer_lifetime_value(
                bg, s["x"], s["t_x"], s["T"], s["zbar"], time=12, discount_rate=0.01, freq="W"
            )
        ),
        "clv_D": lst(
            gg.customer_lifetime_value(
                bg, s["x"], s["t_x"], s["T"], s["zbar"], time=3, discount_rate=0.02, freq="D"
            )
        ),
    }

    don = pd.read_csv(data / "donations" / "donations.csv")
    bb = BetaGeoBetaBinomFitter().fit(
        don["frequency"], don["recency"], don["periods"], don["weights"]
    )
    f, r, n = don["frequency"], don["recency"], don["periods"]
    res["bg_bb"] = {
        "params": dict(bb.params_.astype(float)),
        "mean_nll": float(bb._negative_log_likelihood_),
        "conditional_expected": {
            str(m): lst(bb.conditional_expected_number_of_purchases_up_to_time(m, f, r, n))
            for m in (1, 5, 10)
        },
        "p_alive": {str(m): lst(bb.conditional_probability_alive(m, f, r, n)) for m in (0, 1, 5)},
        "first_n": lst(bb.expected_number_of_transactions_in_first_n_periods(6)["model"]),
    }

    log = pd.read_csv(
        data / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "id", "date", "cds", "spent"],
    )
    log["date"] = pd.to_datetime(log["date"].astype(str), format="%Y%m%d")
    s = pd.read_csv(data / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    for freq in ("D", "W"):
        summ = summary_data_from_transaction_data(
            log, "id", "date", "spent", observation_period_end="1997-09-30", freq=freq
        )
        res[f"summary_{freq}"] = {
            "index": [int(i) for i in summ.index],
            **{c: lst(summ[c]) for c in summ.columns},
        }
        ch = calibration_and_holdout_data(
            log, "id", "date", "1997-09-30", "1998-06-30", freq=freq, monetary_value_col="spent"
        )
        res[f"holdout_{freq}"] = {
            "index": [int(i) for i in ch.index],
            **{c: lst(ch[c]) for c in ch.columns},
        }
    res["dropin"] = dropin(data, d, s, log)
    json.dump(res, sys.stdout)


def frame(df):
    """A frame as JSON: index and columns, dates and periods as text."""
    out = {"index": [str(i) for i in df.index]}
    for c in df.columns:
        col = df[c]
        if col.dtype.kind in "biuf":
            out[str(c)] = lst(col)
        else:
            out[str(c)] = [str(v) for v in col]
    return out


def pickled(fitter, **kwargs):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.pkl"
        fitter.save_model(str(path), **kwargs)
        return base64.b64encode(path.read_bytes()).decode("ascii")


def dropin(data, d, s, log):
    """Reference values of the lifetimes API beyond the fits: internals, utils, simulators."""
    f, r, T = d["frequency"], d["recency"], d["T"]
    bg = BetaGeoFitter().fit(f, r, T)
    mbg = ModifiedBetaGeoFitter().fit(f, r, T)
    pareto = ParetoNBDFitter().fit(f, r, T)
    out = {
        "bg_scale": bg._scale,
        "bg_mean_nll": float(bg._negative_log_likelihood_),
        "bg_repr": repr(bg),
        "bg_se": lst(bg.standard_errors_),
        "pickle_full": pickled(bg),
        "pickle_bare": pickled(bg, save_data=False, save_generate_data_method=False),
    }
    pen = BetaGeoFitter(penalizer_coef=0.1).fit(f, r, T)
    out["bg_penalized"] = {
        "params": lst(pen.params_),
        "mean_nll": float(pen._negative_log_likelihood_),
    }
    x, tx, TT, w = [0, 1, 3, 10], [0.0, 2.0, 2.0, 30.0], [5.0, 5.0, 6.0, 38.0], [1.0, 2.0, 1.0, 3.0]
    x, tx, TT, w = (np.array(v, dtype=float) for v in (x, tx, TT, w))
    out["nll"] = {
        "bg": float(
            BetaGeoFitter._negative_log_likelihood(np.log([0.3, 4, 0.8, 2.4]), x, tx, TT, w, 0.1)
        ),
        "mbg": float(
            ModifiedBetaGeoFitter._negative_log_likelihood(
                np.log([0.3, 4, 0.8, 2.4]), x, tx, TT, w, 0.1
            )
        ),
        "pareto": float(
            ParetoNBDFitter._negative_log_likelihood([0.55, 10.6, 0.61, 11.7], x, tx, TT, w, 0.1)
        ),
        "gg": float(
            GammaGammaFitter._negative_log_likelihood(
                np.log([6.0, 4.0, 15.0]),
                np.array([1.0, 2, 5]),
                np.array([10.0, 20, 30]),
                np.array([1.0, 1, 2]),
                0.1,
            )
        ),
        "bgbb": float(
            BetaGeoBetaBinomFitter._negative_log_likelihood(
                np.log([1.2, 0.75, 0.66, 2.8]),
                np.array([0.0, 1, 3]),
                np.array([0.0, 2, 5]),
                np.array([6.0, 6, 6]),
                np.array([10.0, 5, 2]),
                0.1,
            )
        ),
    }
    out["log_A_0"] = lst(
        ParetoNBDFitter._log_A_0(
            [10.465, 7.98565181e-03, 3.0516, 2.820],
            np.array([400.0, 500.0, 500.0]),
            np.array([5.0, 1.0, 4.0]),
            np.array([6.0, 37.0, 37.0]),
        )
    )
    zf, zr, zT = np.zeros(3), np.array([0.0, 5.0, 20.0]), np.full(3, 30.0)
    out["p_alive_zero_frequency"] = {
        "bg": lst(bg.conditional_probability_alive(zf, zr, zT)),
        "mbg": lst(mbg.conditional_probability_alive(zf, zr, zT)),
        "pareto": lst(pareto.conditional_probability_alive(zf, zr, zT)),
    }
    out["params"] = {
        "bg": dict(bg.params_.astype(float)),
        "mbg": dict(mbg.params_.astype(float)),
        "pareto": dict(pareto.params_.astype(float)),
    }
    out["alive_matrix"] = {
        "bg": bg.conditional_probability_alive_matrix(5, 10).tolist(),
        "pareto": pareto.conditional_probability_alive_matrix(5, 10).tolist(),
    }
    summaries = {}
    for freq, mult in (("M", 1), ("D", 7), ("h", 1), ("2D", 1)):
        summaries[f"{freq}_{mult}"] = frame(
            summary_data_from_transaction_data(
                log,
                "id",
                "date",
                "spent",
                observation_period_end="1997-09-30",
                freq=freq,
                freq_multiplier=mult,
            )
        )
    out["summaries"] = summaries
    out["holdout_M"] = frame(
        calibration_and_holdout_data(log, "id", "date", "1997-09-30", "1998-06-30", freq="M")
    )
    out["first_W"] = frame(
        _find_first_transactions(
            log, "id", "date", "spent", observation_period_end="1997-09-30", freq="W"
        )
    )
    busiest = int(log.groupby("id").size().idxmax())
    out["alive_path_id"] = busiest
    out["alive_path"] = lst(
        calculate_alive_path(bg, log[log["id"] == busiest], "date", 80, freq="W")
    )
    out["cumulative_W"] = frame(
        expected_cumulative_transactions(bg, log, "date", "id", 78, freq="W")
    )
    out["cumulative_D7"] = frame(
        expected_cumulative_transactions(bg, log, "date", "id", 546, freq="D", freq_multiplier=7)
    )
    out["clv_W"] = lst(
        _customer_lifetime_value(
            bg, s["x"], s["t_x"], s["T"], s["zbar"], time=6, discount_rate=0.01, freq="W"
        )
    )
    sims = {}
    for name, fn, args in (
        ("bg", generate_data.beta_geometric_nbd_model, (30, 0.24, 4.41, 0.79, 2.43)),
        ("mbg", generate_data.modified_beta_geometric_nbd_model, (30, 0.52, 6.18, 0.89, 1.61)),
        ("pareto", generate_data.pareto_nbd_model, (30, 0.55, 10.58, 0.61, 11.67)),
        ("bgbb", generate_data.beta_geometric_beta_binom_model, (6, 1.2, 0.75, 0.66, 2.78)),
    ):
        np.random.seed(7)  # noqa: NPY002 - lifetimes' global state
        sims[name] = frame(fn(*args, size=300))
    np.random.seed(7)  # noqa: NPY002 - lifetimes' global state
    sims["transactions"] = frame(
        generate_data.beta_geometric_nbd_model_transactional_data(
            30, 0.24, 4.41, 0.79, 2.43, size=30
        )
    )
    out["simulations"] = sims
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]))
