"""Value scores, RFM scores and profitability."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as st_h

import kamkit


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    log = kamkit.datasets.load_cdnow_sample()
    return kamkit.summarize(log, "customer_id", "date", "amount")


def test_value_score_by_hand():
    c = pd.DataFrame(
        {"revenue": [10.0, 20.0, 30.0, 40.0], "overdue_days": [0, 30, 0, 60]},
        index=["a", "b", "c", "d"],
    )
    s = kamkit.value_score(c, {"revenue": 3, "overdue_days": -1}, scale="minmax")
    # 100 * (0.75 * (r - 10) / 30 + 0.25 * (1 - o / 60))
    expected = 100 * (0.75 * (c.revenue - 10) / 30 + 0.25 * (1 - c.overdue_days / 60))
    pd.testing.assert_series_equal(s, expected.rename("value_score"))
    z = kamkit.value_score(c, {"revenue": 1}, method="zscore", scale="minmax")
    x = c.revenue
    np.testing.assert_allclose(z, 100 * st.norm.cdf((x - x.mean()) / x.std(ddof=0)))
    r = kamkit.value_score(c, {"revenue": 1}, method="rank", scale="minmax")
    assert r.tolist() == pytest.approx([0, 100 / 3, 200 / 3, 100])


def test_rank_method_shares_ties():
    c = pd.DataFrame({"v": [5.0, 1.0, 5.0, 3.0]})
    r = kamkit.value_score(c, {"v": 1}, method="rank")
    ranks = st.rankdata(c.v)  # average ranks 3.5, 1, 3.5, 2
    np.testing.assert_allclose(r, 100 * (ranks - 1) / 3)


def test_default_criteria_on_cdnow(cdnow):
    crit = kamkit.default_criteria(cdnow)
    assert crit == {"revenue": 0.3, "avg_period_revenue": 0.2, "growth": 0.1}
    with pytest.raises(ValueError, match=r"criterion 'growth': found 1973 of 2357 missing"):
        kamkit.value_score(cdnow)
    s = kamkit.value_score(cdnow, missing="median", scale="minmax")
    assert s.index.equals(cdnow.index) and s.between(0, 100).all()
    # Revenue and average revenue per period order customers almost alike.
    assert st.spearmanr(s, cdnow.revenue).statistic > 0.9
    # A second, independent computation of the same score.
    g = cdnow.growth.fillna(cdnow.growth.median())
    mm = {
        c: (v - v.min()) / (v.max() - v.min())
        for c, v in {
            "revenue": cdnow.revenue,
            "avg_period_revenue": cdnow.avg_period_revenue,
            "growth": g,
        }.items()
    }
    ref = 100 * (0.3 * mm["revenue"] + 0.2 * mm["avg_period_revenue"] + 0.1 * mm["growth"]) / 0.6
    np.testing.assert_allclose(s, ref, rtol=1e-12, atol=1e-10)


def test_value_score_percentile_scale(cdnow):
    # 50 is the median customer, 100 the best; the worst customers tie (they
    # share their average rank, so they score a little above 0).
    s = kamkit.value_score(cdnow, missing="median")
    w = kamkit.value_score(cdnow, missing="median", scale="minmax")
    assert s.max() == 100.0 and int((w == w.min()).sum()) == int((s == s.min()).sum()) > 1
    assert s.median() == pytest.approx(50.0, abs=0.05)
    # It is the percentile of the weighted score (average ranks for ties),
    # computed here a second way with scipy.
    ref = 100 * (st.rankdata(w) - 1) / (len(w) - 1)
    np.testing.assert_allclose(s, ref, rtol=0, atol=1e-9)
    # A monotone map: same order, same ties, same pyramid tiers by count.
    assert st.spearmanr(s, w).statistic == pytest.approx(1.0)
    pd.testing.assert_series_equal(kamkit.pyramid(s), kamkit.pyramid(w))
    # The VIP cut (top 1 %) reads as a percentile; on the min-max scale it sat near 13.
    vip = kamkit.pyramid(s) == "VIP"
    assert s[vip].min() > 98.9 and w[vip].min() < 15
    # Ties keep equal scores; one customer scores 50.
    t = kamkit.value_score(pd.DataFrame({"a": [1.0, 2.0, 2.0, 3.0]}), {"a": 1})
    assert t.tolist() == [0.0, 50.0, 50.0, 100.0]
    assert kamkit.value_score(pd.DataFrame({"a": [7.0]}), {"a": 1}).tolist() == [50.0]
    with pytest.raises(ValueError, match="scale"):
        kamkit.value_score(cdnow, missing="median", scale="zscore")


def test_credit_table_and_registry():
    c = pd.DataFrame({"revenue": [100.0, 100.0, 100.0]}, index=[1, 2, 3])
    credit = pd.DataFrame(
        {"overdue_days": [0, 90, 0], "credit_rating": ["AAA", "B", "D"]}, index=[1, 2, 3]
    )
    crit = kamkit.default_criteria(c.join(credit))
    assert crit["overdue_days"] == pytest.approx(-0.1) and crit["credit_rating"] == 0.1
    s = kamkit.value_score(c, credit=credit)
    # Same revenue: customer 1 (no overdue, AAA) beats 3 (D) beats 2 (overdue, B).
    assert s.loc[1] > s.loc[3] > s.loc[2]
    kamkit.register_criterion("rev_per_day", lambda d: d["revenue"] / 30, replace=True)
    s2 = kamkit.value_score(c.assign(x=[1.0, 2.0, 3.0]), {"rev_per_day": 1, "x": 1}, scale="minmax")
    assert s2.tolist() == [25.0, 50.0, 75.0]  # a constant criterion scores 0.5
    with pytest.raises(ValueError, match="not a registered criterion"):
        kamkit.value_score(c, {"nope": 1})
    with pytest.warns(UserWarning, match="1 rows belong to no customer"):
        kamkit.value_score(
            c,
            {"revenue": 1, "overdue_days": -1},
            credit=pd.DataFrame({"overdue_days": [0, 1, 2, 3]}, index=[1, 2, 3, 9]),
        )


def test_missing_policies_and_errors():
    c = pd.DataFrame({"a": [1.0, np.nan, 3.0, 5.0]})
    before = c.copy()
    assert kamkit.value_score(
        c, {"a": 1}, missing="zero", scale="minmax"
    ).tolist() == pytest.approx([20, 0, 60, 100])
    assert kamkit.value_score(c, {"a": 1}, missing="median").tolist() == [0.0, 50.0, 50.0, 100.0]
    pd.testing.assert_frame_equal(c, before)
    with pytest.raises(ValueError, match="found 1 of 4 missing"):
        kamkit.value_score(c, {"a": 1})
    with pytest.raises(TypeError, match="expected numbers"):
        kamkit.value_score(pd.DataFrame({"a": ["x", "1"]}), {"a": 1})
    with pytest.raises(ValueError, match="weights are all zero"):
        kamkit.value_score(pd.DataFrame({"a": [1.0, 2.0]}), {"a": 0})
    with pytest.raises(ValueError, match="method"):
        kamkit.value_score(pd.DataFrame({"a": [1.0]}), {"a": 1}, method="max")


@settings(max_examples=60, deadline=None)
@given(
    st_h.lists(st_h.floats(-1e6, 1e6), min_size=3, max_size=40),
    st_h.integers(0, 39),
    st_h.floats(0.1, 1e3),
    st_h.sampled_from(["minmax", "zscore", "rank"]),
)
def test_scores_move_the_right_way(values, i, bump, method):
    # On the weighted score itself (scale="minmax"): a customer's own score
    # follows their own values. (A percentile is relative: with z-scores, one
    # customer's change rescales everyone else's criterion too.)
    i %= len(values)
    rng = np.random.default_rng(len(values))
    c = pd.DataFrame({"good": values, "bad": rng.normal(size=len(values))})
    crit = {"good": 0.7, "bad": -0.3}
    s0 = kamkit.value_score(c, crit, method=method, scale="minmax")
    up = c.copy()
    up.loc[i, "good"] += bump
    assert kamkit.value_score(up, crit, method=method, scale="minmax")[i] >= s0[i] - 1e-9
    worse = c.copy()
    worse.loc[i, "bad"] += bump
    assert kamkit.value_score(worse, crit, method=method, scale="minmax")[i] <= s0[i] + 1e-9
    assert s0.between(0, 100).all()


def test_rfm_on_cdnow(cdnow):
    r = kamkit.rfm_scores(cdnow)
    assert r.index.equals(cdnow.index)
    assert list(r.columns) == ["R", "F", "M", "rfm", "segment"]
    # Equal inputs, equal scores.
    for col, score in [("frequency", "F"), ("revenue", "M")]:
        assert r.groupby(cdnow[col])[score].nunique().max() == 1
    since = cdnow["T"] - cdnow["recency"]
    assert r.groupby(since)["R"].nunique().max() == 1
    # Scores follow the values: more revenue never gets a lower M.
    order = cdnow.revenue.sort_values().index
    assert (np.diff(r.M.loc[order].to_numpy()) >= 0).all()
    # Most CDNOW customers never came back: frequency 0 is one big tie.
    n0 = int((cdnow.frequency == 0).sum())
    assert n0 == 1218 and r.F[cdnow.frequency == 0].nunique() == 1
    # The tie holds 52 % of customers: it gets F = 1 on its own and the
    # others share 2..5 as evenly as their runs allow; every level is used.
    assert (r.F[cdnow.frequency == 0] == 1).all()
    assert sorted(r.F.unique()) == [1, 2, 3, 4, 5]
    assert r.F.value_counts().sort_index().tolist() == [1218, 403, 209, 244, 283]
    assert r.F[cdnow.frequency >= 5].eq(5).all() and r.F[cdnow.frequency.isin([3, 4])].eq(4).all()
    # No other cut of the runs above the tie is more even.
    assert _sum_sq(r.F) == _best_sum_sq(cdnow.frequency.to_numpy(), 5)
    # M is balanced: revenue has few ties, so each bin is close to a fifth.
    np.testing.assert_allclose(r.M.value_counts().sort_index(), len(cdnow) / 5, atol=15)
    assert set(r.segment.cat.categories) == set(kamkit.scoring.RF_SEGMENTS)
    assert r.rfm.str.len().eq(3).all()


def _sum_sq(scores: pd.Series) -> int:
    return int((scores.value_counts().to_numpy().astype(np.int64) ** 2).sum())


def _best_sum_sq(values: np.ndarray, bins: int) -> int:
    """Least sum of squared group sizes over every cut of the runs (brute force)."""
    _, sizes = np.unique(values, return_counts=True)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    k = len(sizes)
    best = None
    for cut in itertools.combinations(range(1, k), bins - 1):
        pts = [0, *cut, k]
        total = sum(int(bounds[b] - bounds[a]) ** 2 for a, b in itertools.pairwise(pts))
        best = total if best is None or total < best else best
    assert best is not None
    return best


@settings(max_examples=300, deadline=None)
@given(
    st_h.lists(st_h.integers(0, 9), min_size=1, max_size=22),
    st_h.integers(1, 6),
)
def test_rfm_bins_every_level_and_best_balance(values, bins):
    x = np.array(values, dtype=float)
    scores = pd.Series(kamkit.scoring._equal_bin_scores(x, bins))
    # Equal values, equal scores; larger values never score lower.
    assert pd.Series(scores).groupby(x).nunique().max() == 1
    order = np.argsort(x, kind="stable")
    assert (np.diff(scores.to_numpy()[order]) >= 0).all()
    assert scores.between(1, bins).all()
    k = len(np.unique(x))
    if k >= bins:
        assert sorted(scores.unique()) == list(range(1, bins + 1))
        assert _sum_sq(scores) == _best_sum_sq(x, bins)
    elif k > 1:
        # Each value its own score, the ends of the scale used.
        assert scores.nunique() == k and scores.min() == 1 and scores.max() == bins
    else:
        assert (scores == 1).all()


def test_rfm_every_level_on_cdnow_master(data_dir):
    m = pd.read_csv(data_dir / "cdnow" / "CDNOW_master.txt", sep=r"\s+")
    m["date"] = pd.to_datetime(m["date"].astype(str), format="%Y%m%d")
    s = kamkit.summarize(m, "customer_id", "date", "dollar_value")
    r = kamkit.rfm_scores(s)
    for col in ("R", "F", "M"):
        assert sorted(r[col].unique()) == [1, 2, 3, 4, 5], col
    # 12,054 one-time buyers: F = 1; then frequency 1, 2, 3-4 (or so) and the rest.
    counts = r.F.value_counts().sort_index().tolist()
    assert counts[0] == int((s.frequency == 0).sum()) == 12054
    assert counts == [12054, 4040, 2205, 2427, 2844]
    # More balanced than any other cut of the frequency runs.
    assert _sum_sq(r.F) == _best_sum_sq(s.frequency.to_numpy(), 5)


def test_rfm_ties_and_bins():
    s = pd.DataFrame(
        {
            "recency": [10.0] * 6,
            "T": [20.0] * 6,
            "frequency": [0, 0, 0, 1, 2, 3],
            "revenue": [1.0, 2, 3, 4, 5, 6],
        }
    )
    r = kamkit.rfm_scores(s, bins=3)
    assert r.R.tolist() == [1] * 6 or r.R.nunique() == 1  # one tie: one score
    assert r.F.tolist() == [1, 1, 1, 2, 3, 3] or r.F.tolist()[:3] == [1, 1, 1]
    assert r.M.tolist() == [1, 1, 2, 2, 3, 3]
    r12 = kamkit.rfm_scores(s, bins=12)
    assert r12.rfm.iloc[-1].count("-") == 2
    assert r12.segment.notna().all()
    with pytest.raises(ValueError, match="bins"):
        kamkit.rfm_scores(s, bins=0)


def test_rf_segments_grid():
    f = kamkit.segment_map_from_grid(kamkit.scoring.RF_SEGMENT_GRID)
    r = np.array([5, 5, 1, 1, 3])
    fr = np.array([5, 1, 1, 5, 3])
    got = f(r, fr, r, 5).tolist()
    assert got == ["champions", "new", "lost", "can't lose", "need attention"]
    # With 10 bins, 9-10 maps onto 5 and 1-2 onto 1.
    assert f(np.array([10, 1]), np.array([9, 2]), r[:2], 10).tolist() == ["champions", "lost"]
    kamkit.register_segment_map(
        "two",
        lambda r, f, m, b: np.where(r + f > b, "active", "fading"),
        ["active", "fading"],
        replace=True,
    )
    s = pd.DataFrame(
        {"recency": [1.0, 9.0], "T": [10.0, 10.0], "frequency": [0, 5], "revenue": [1.0, 2.0]}
    )
    assert kamkit.rfm_scores(s, bins=2, segments="two").segment.tolist() == ["fading", "active"]


def test_profitability():
    c = pd.DataFrame(
        {"revenue": [100.0, 50.0, 10.0], "margin": [30.0, 10.0, 0.0]}, index=["x", "y", "z"]
    )
    p = kamkit.profitability(c, cost_to_serve=pd.Series([5.0, 10.0, 1.0], index=c.index))
    assert p.profit.tolist() == [25.0, 0.0, -1.0]
    assert p.flag.tolist() == ["green", "green", "red"]
    assert (p.flag == "red").sum() == 1 and p.flag.cat.ordered
    q = kamkit.profitability(c, margin=0.2, cost_to_serve="margin")
    assert q.profit.tolist() == [-10.0, 0.0, 2.0]
    with pytest.raises(TypeError):
        kamkit.profitability(c, margin=[1, 2, 3])
