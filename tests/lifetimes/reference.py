"""Reference results of lifetimes 0.11.3 on CDNOW and the donations data, as JSON.

Run with the lifetimes environment's Python (see make_env.sh):

    $KAMKIT_LIFETIMES_PYTHON tests/lifetimes/reference.py tests/data > ref.json

The parity tests (tests/python/test_lifetimes_parity.py) run it and compare.
"""

import json
import sys
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
)
from lifetimes.utils import (  # noqa: E402
    calibration_and_holdout_data,
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
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
