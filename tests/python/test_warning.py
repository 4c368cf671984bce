"""Decline risk, the early-warning work list, backtests and model choice.

The headline figures are checked on CDNOW master kept in tests/data: cut at
1997-09-30 (the data before 1997-10-01), horizon 90 days, drop 0.5, scored
on the customers who bought in the 90 days before the cut.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit.backtest import warning_scores

pytest.importorskip("sklearn", reason="the warn extra (scikit-learn) is part of the test extra")

CUT = "1997-09-30"


@pytest.fixture(scope="module")
def master(data_dir) -> pd.DataFrame:
    frame = pd.read_csv(
        data_dir / "cdnow" / "CDNOW_master.txt",
        sep=r"\s+",
        header=0,
        names=["customer_id", "date", "quantity", "amount"],
        dtype={"customer_id": str, "date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def _truth(log: pd.DataFrame, cut: str, horizon: int = 90, drop: float = 0.5) -> pd.DataFrame:
    """Spend before and after the cut per customer, in plain pandas."""
    end = pd.Timestamp(cut)
    before = log[(log["date"] > end - pd.Timedelta(days=horizon)) & (log["date"] <= end)]
    after = log[(log["date"] > end) & (log["date"] <= end + pd.Timedelta(days=horizon))]
    out = pd.DataFrame({"before": before.groupby("customer_id")["amount"].sum()})
    out["after"] = after.groupby("customer_id")["amount"].sum().reindex(out.index).fillna(0.0)
    out = out[out["before"] > 0]
    out["declined"] = out["after"] < (1 - drop) * out["before"]
    return out


@pytest.fixture(scope="module")
def cdnow_result(master):
    log = master[master["date"] <= CUT]
    risk = kamkit.decline_risk(master, observation_end=CUT, seed=0)
    work = kamkit.early_warning(master, observation_end=CUT, seed=0)
    return log, risk, work


def test_cdnow_figures(master, cdnow_result):
    _, risk, work = cdnow_result
    truth = _truth(master, CUT)
    assert len(truth) == 4195
    assert truth["declined"].mean() == pytest.approx(0.624, abs=0.001)
    assert risk.attrs["method"] == "classifier"
    active = risk[risk["active"]]
    assert sorted(active.index) == sorted(truth.index)
    y = truth["declined"].reindex(active.index).to_numpy()
    lost = (truth["before"] - truth["after"]).clip(lower=0).reindex(active.index).to_numpy()
    on = active.index.isin(work.index)
    silence = (pd.Timestamp(CUT) - active["last_purchase"]).dt.days.to_numpy()
    s = warning_scores(y, active["p_decline"].to_numpy(), on, lost, silence)
    assert s["auc"] >= 0.60
    assert s["list_share"] <= 0.25
    assert s["lift"] >= 1.15
    assert s["precision"] > s["silent_precision"]
    assert s["lost_captured"] > s["silent_lost_captured"]


def test_work_list_shape(cdnow_result):
    _, risk, work = cdnow_result
    assert work.index.name == "customer_id"
    assert len(work) == round(0.2 * risk["active"].sum())
    assert work["rank"].tolist() == list(range(1, len(work) + 1))
    assert work["expected_loss"].is_monotonic_decreasing
    # The list is the top fifth by p_decline, ranked by expected loss.
    cutoff = work["p_decline"].min()
    assert (risk.loc[risk["active"] & ~risk.index.isin(work.index), "p_decline"] <= cutoff).all()
    np.testing.assert_allclose(
        work["expected_loss"], work["p_decline"] * work["at_stake"], rtol=1e-12
    )
    for col in ("p_decline", "expected_loss", "reasons", "tier", "revenue_year", "last_purchase"):
        assert col in work.columns
    # Expected loss is over the horizon: never more than what was spent in it.
    assert (work["expected_loss"] <= work["at_stake"]).all()
    assert work["last_purchase"].max() <= pd.Timestamp(CUT)
    assert work["last_purchase"].min() > pd.Timestamp(CUT) - pd.Timedelta(days=90)
    assert set(work["tier"].cat.categories) == {"VIP", "major", "ordinary", "small"}
    # Every customer on the list has a reason, and the flags match the codes.
    assert (work["reasons"] != "").all()
    assert (work["n_reasons"] >= 1).all()
    for code in kamkit.WARNING_REASONS:
        listed = work["reasons"].str.split(",").apply(lambda r, c=code: c in r)
        assert (listed == work[code]).all(), code


def test_every_customer_comes_out(master, cdnow_result):
    log, risk, _ = cdnow_result
    assert len(risk) == log["customer_id"].nunique()
    assert risk["p_decline"].between(0, 1).all()
    assert not risk[["p_decline", "expected_loss", "at_stake"]].isna().any().any()
    assert (risk.loc[~risk["active"], "p_decline"] == 0).all()
    assert risk.attrs["rows_after_end"] == int((master["date"] > CUT).sum())


def test_no_leakage_after_observation_end():
    log = kamkit.datasets.simulate_transactions(1500, start="2021-01-01", end="2023-06-30", seed=3)
    end = "2022-12-31"
    planted = log[log["customer_id"] == log["customer_id"].iloc[0]].copy()
    who = planted["customer_id"].iloc[0]
    # The planted customer's future is known: a flood of big orders after the end.
    future = pd.DataFrame(
        {
            "customer_id": who,
            "date": pd.date_range("2023-01-01", periods=50, freq="D"),
            "amount": 10_000.0,
        }
    )
    leaky = pd.concat([log, future], ignore_index=True)
    truncated = log[log["date"] < "2023-01-01"]  # the end day is read whole
    a = kamkit.decline_risk(leaky, observation_end=end, seed=1)
    b = kamkit.decline_risk(truncated, observation_end=end, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["rows_after_end"] >= 50


def test_deterministic_with_a_seed():
    log = kamkit.datasets.load_cdnow_sample()
    a = kamkit.early_warning(log, observation_end=CUT, seed=7)
    b = kamkit.early_warning(log, observation_end=CUT, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert log.equals(kamkit.datasets.load_cdnow_sample())  # input not modified


def test_short_history_falls_back_to_btyd():
    log = kamkit.datasets.simulate_transactions(300, start="2023-01-01", end="2023-05-31", seed=1)
    with pytest.warns(kamkit.InsufficientHistoryWarning, match="too short"):
        risk = kamkit.decline_risk(log, seed=0)
    assert risk.attrs["method"] == "btyd"
    assert risk["p_decline"].between(0, 1).all()
    assert risk.loc[risk["active"], "p_decline"].nunique() > 1


def test_credit_adds_a_reason_and_weighs_in():
    log = kamkit.datasets.load_cdnow_sample()
    risk = kamkit.decline_risk(log, observation_end=CUT, seed=0)
    calm = risk[risk["active"]].sort_values("p_decline").index[0]
    credit = pd.DataFrame({"customer_id": [calm], "days_overdue": [60], "overdue_amount": [500.0]})
    work = kamkit.early_warning(log, observation_end=CUT, seed=0, credit=credit)
    assert calm in work.index
    assert "overdue" in work.loc[calm, "reasons"].split(",")
    assert work.loc[calm, "expected_loss"] == pytest.approx(risk.loc[calm, "expected_loss"] + 500.0)
    with pytest.raises(ValueError, match="not in the data"):
        kamkit.early_warning(
            log,
            observation_end=CUT,
            credit=pd.DataFrame({"customer_id": [-1], "days_overdue": [9]}),
        )


def test_capacity_and_deprecated_horizon():
    log = kamkit.datasets.load_cdnow_sample()
    work = kamkit.early_warning(log, observation_end=CUT, seed=0, capacity=25)
    assert len(work) == 25
    with pytest.warns(FutureWarning, match="horizon_periods"):
        old = kamkit.early_warning(log, observation_end=CUT, seed=0, horizon_periods=3)
    assert old.attrs["horizon"] == 91


def test_bad_input():
    log = kamkit.datasets.load_cdnow_sample()
    panel = kamkit.period_panel(log)
    with pytest.raises(TypeError, match="transaction log"):
        kamkit.early_warning(panel)
    with pytest.raises(ValueError, match="drop"):
        kamkit.decline_risk(log, drop=0)
    with pytest.raises(ValueError, match="horizon"):
        kamkit.decline_risk(log, horizon=0)
    with pytest.raises(TypeError, match="probability_alive"):
        kamkit.early_warning(log, model=object())
    with pytest.raises(ValueError, match="amount"):
        kamkit.decline_risk(log.drop(columns="amount"))


def test_model_p_alive_is_used():
    log = kamkit.datasets.load_cdnow_sample()
    summary = kamkit.summarize(log, observation_end=CUT)
    bg = kamkit.BetaGeo().fit(summary)
    work = kamkit.early_warning(log, observation_end=CUT, seed=0, model=bg)
    s = summary.loc[work.index]
    np.testing.assert_allclose(
        work["p_alive"], bg.probability_alive(s["frequency"], s["recency"], s["T"]), rtol=1e-9
    )


def test_reason_registry():
    kamkit.register_warning_reason("one_order", "a single order so far", lambda f: f["orders"] == 1)
    try:
        with pytest.raises(ValueError, match="already registered"):
            kamkit.register_warning_reason("one_order", "x", lambda f: f["orders"] == 1)
        log = kamkit.datasets.load_cdnow_sample()
        risk = kamkit.decline_risk(log, observation_end=CUT, seed=0)
        one = risk.attrs["features"]["orders"] == 1
        flagged = risk["reasons"].str.split(",").apply(lambda r: "one_order" in r)
        assert (flagged == (one & risk["active"])).all()
    finally:
        kamkit.lifecycle.risk.unregister_warning_reason("one_order")


def test_backtest_scorecard():
    log = kamkit.datasets.load_cdnow_sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        card = kamkit.backtest(log, cutoffs=[CUT], seed=0)
    assert list(card.columns) == ["cutoff", "part", "subject", "metric", "value"]
    assert set(card["part"]) == {"warning", "btyd", "clv", "tiers"}
    got = card[card["part"] != "clv"].set_index(["subject", "metric"])["value"]
    risk = kamkit.decline_risk(log, observation_end=CUT, seed=0)
    truth = _truth(log.assign(customer_id=log["customer_id"]), CUT)
    assert got[("early_warning", "n_active")] == len(truth) == risk["active"].sum()
    assert got[("early_warning", "base_rate")] == pytest.approx(truth["declined"].mean())
    # Purchase models against the naive forecast, with both error measures.
    for model in ("bgnbd", "mbgnbd", "pareto", "naive"):
        assert got[(model, "rmse")] >= got[(model, "mae")] >= 0
    deciles = card[card["subject"].str.fullmatch(r"decile_\d+")]
    assert deciles["subject"].nunique() == 10
    assert deciles[deciles["metric"] == "n"]["value"].sum() == len(truth)
    assert 0 <= got[("pyramid", "same_tier")] <= 1
    clv = card[card["part"] == "clv"].set_index(["subject", "metric"])["value"]
    assert clv[("bgnbd_gamma_gamma", "actual_total")] == clv[("naive", "actual_total")]
    with pytest.raises(ValueError, match="full 90-day horizon"):
        kamkit.backtest(log, cutoffs=["1998-06-01"])


def test_select_model_ranks_on_the_holdout():
    log = kamkit.datasets.load_cdnow_sample()
    ranking = kamkit.select_model(log, calibration_end=CUT)
    assert ranking.attrs["best"] == ranking.index[0]
    assert list(ranking.index[-1:]) == ["naive"]
    assert ranking["rmse"].iloc[:-1].is_monotonic_increasing
    holdout = kamkit.calibration_holdout(log, calibration_end=CUT, time_unit="W")
    assert ranking["actual_total"].iloc[0] == pytest.approx(holdout["frequency_holdout"].sum())
    with pytest.raises(ValueError, match="models"):
        kamkit.select_model(log, models=["nope"])


def test_tier_means_what_it_means_in_the_tiers_output(cdnow_result):
    log, _, work = cdnow_result
    archive = kamkit.summarize(log, "customer_id", "date", "amount")
    whole = kamkit.pyramid(archive["revenue"]).reindex(work.index)
    assert work["tier"].astype(str).tolist() == whole.astype(str).tolist()
    # The tier on the last year's revenue has its own name (on CDNOW, whose
    # history before the cut is shorter than a year, the two agree).
    assert work["tier_12m"].astype(str).tolist() == work["tier"].astype(str).tolist()
