"""Lifecycle: panel, stages, tiers, transitions, Markov chains, early warning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kamkit
from kamkit.datasets import load_cdnow_sample
from kamkit.lifecycle import STAGES

# ---------------------------------------------------------------- helpers


def _cdnow() -> pd.DataFrame:
    return kamkit.datasets.load_cdnow_sample()


def _monthly(customer, amounts, start="2020-01", day=15) -> list[dict]:
    """Rows of one customer: amounts[i] bought on `day` of month i (0: nothing)."""
    rows = []
    first = pd.Period(start, freq="M")
    for i, a in enumerate(amounts):
        if a:
            rows.append(
                {
                    "customer_id": customer,
                    "date": (first + i).start_time + pd.Timedelta(days=day - 1),
                    "amount": float(a),
                }
            )
    return rows


def _reference_stages(row, new=3, w=3, growth=0.2, decline=0.3, churn=6, partial=False):
    """A plain-Python reading of the published stage rules, for one customer."""
    out = [None] * len(row)
    first = start = None
    returned = False
    silent = 0
    prev = None
    for t, v in enumerate(row):
        bought = v > 0
        if first is None:
            if not bought:
                continue
            first = start = t
        silent = 0 if bought else silent + 1
        if bought and prev == "churned":
            s, start, returned = "reactivated", t, True
        elif silent >= churn:
            s = "churned"
        elif t - start < new:
            s = "reactivated" if returned else "identification"
        else:
            a = max(start, t - w + 1)
            recent = sum(row[a : t + 1]) / (t - a + 1)
            b = max(start, t - 2 * w + 1)
            if b > t - w:
                s = "stable"
            else:
                trailing = sum(row[b : t - w + 1]) / (t - w - b + 1)
                if trailing > 0:
                    if recent <= (1 - decline) * trailing * (1 + 1e-9):
                        s = "decline"
                    elif recent >= (1 + growth) * trailing * (1 - 1e-9):
                        s = "development"
                    else:
                        s = "stable"
                else:
                    s = "development" if recent > 0 else "decline"
        if partial and t == len(row) - 1 and t > first and s in ("decline", "churned"):
            s = prev
        out[t] = s
        prev = s
    return out


# ---------------------------------------------------------------- panel


def test_cdnow_monthly_panel_matches_groupby_and_published_totals():
    log = _cdnow()
    panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
    assert panel.shape == (2357, 18)
    assert isinstance(panel.columns, pd.PeriodIndex)
    assert panel.columns[0] == pd.Period("1997-01", "M")
    assert panel.columns[-1] == pd.Period("1998-06", "M")
    # Published total of the sample: $244,091.94.
    assert panel.to_numpy().sum() == pytest.approx(244_091.94, abs=1e-6)
    expected = (
        log.assign(period=log["date"].dt.to_period("M"))
        .groupby(["customer_id", "period"])["amount"]
        .sum()
        .unstack(fill_value=0.0)
    )
    pd.testing.assert_frame_equal(panel, expected, check_names=False, check_freq=False, rtol=1e-12)
    counts = kamkit.period_panel(log, value="transactions")
    assert counts.to_numpy().sum() == 6919
    assert counts.dtypes.unique().tolist() == [np.dtype("int64")]
    assert counts.attrs["value"] == "transactions"
    assert panel.attrs["partial"] is False
    assert panel.attrs["last_full_period"] == pd.Period("1998-06", "M")


def test_partial_last_period_is_flagged():
    log = _cdnow()
    panel = kamkit.period_panel(log, observation_end="1998-06-15")
    assert panel.attrs["partial"] is True
    assert panel.attrs["last_full_period"] == pd.Period("1998-05", "M")
    assert panel.attrs["observation_end"] == pd.Timestamp("1998-06-15")
    late = log["date"] > "1998-06-15"
    assert panel.attrs["rows_after_end"] == int(late.sum())
    assert panel.to_numpy().sum() == pytest.approx(log.loc[~late, "amount"].sum())
    # Every customer comes out, even those with no rows before the end.
    assert len(panel) == 2357


def test_panel_input_rules_and_errors():
    log = _cdnow()
    with pytest.raises(ValueError, match="period"):
        kamkit.period_panel(log, period="H")
    with pytest.raises(ValueError, match="amount"):
        kamkit.period_panel(log, amount=None)
    with pytest.raises(ValueError, match="before the first purchase"):
        kamkit.period_panel(log, observation_end="1990-01-01")
    bad = log.copy()
    bad.loc[3, "amount"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        kamkit.period_panel(bad)
    with pytest.warns(kamkit.MissingValuesWarning):
        kamkit.period_panel(bad, missing="drop")
    # String ids and tz-aware dates are read like summarize reads them.
    other = log.assign(
        customer_id="c" + log["customer_id"].astype(str).str.zfill(4),
        date=log["date"].dt.tz_localize("Asia/Shanghai"),
    )
    panel = kamkit.period_panel(other)
    assert panel.index[0] == "c0001"
    assert panel.to_numpy().sum() == pytest.approx(244_091.94)
    before = log.copy()
    kamkit.period_panel(log)
    pd.testing.assert_frame_equal(log, before)


def _split_equal(log, cut, end, period="M", value="revenue"):
    old = log[log["date"] < cut]
    new = log[log["date"] >= cut]
    head = kamkit.period_panel(
        old, period=period, value=value, observation_end=pd.Timestamp(cut) - pd.Timedelta(days=1)
    )
    updated = kamkit.update_panel(head, new, observation_end=end)
    both = pd.concat([old, new], ignore_index=True)
    full = kamkit.period_panel(both, period=period, value=value, observation_end=end)
    return head, updated, full


@pytest.mark.parametrize("cut", ["1997-04-01", "1997-10-17", "1998-06-10"])
def test_update_panel_equals_full_recompute(cut):
    log = _cdnow()
    head, updated, full = _split_equal(log, cut, "1998-06-30")
    pd.testing.assert_frame_equal(updated, full, check_exact=True)
    assert updated.attrs["partial"] == full.attrs["partial"]
    assert updated.attrs["last_full_period"] == full.attrs["last_full_period"]
    pd.testing.assert_frame_equal(kamkit.lifecycle_stages(updated), kamkit.lifecycle_stages(full))
    pd.testing.assert_frame_equal(
        kamkit.tier_history(updated, window=3), kamkit.tier_history(full, window=3)
    )
    # The history is reused, not rebuilt: old columns share the old memory.
    if head.shape[1] > 1:
        col = head.columns[0]
        assert np.shares_memory(updated[col].to_numpy(), head[col].to_numpy())


def test_update_panel_with_new_customers_weeks_and_counts():
    rng = np.random.default_rng(7)
    n = 3000
    log = pd.DataFrame(
        {
            "customer_id": rng.choice([f"k{i:03d}" for i in range(400)], n),
            "date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 200, n), "D"),
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )
    # Customers first seen after the cut.
    late = pd.DataFrame(
        {
            "customer_id": ["a000", "zzz9", "k5000"],
            "date": pd.to_datetime(["2021-07-10", "2021-07-12", "2021-07-15"]),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    log = pd.concat([log, late], ignore_index=True)
    for period, value in [("M", "revenue"), ("W", "revenue"), ("M", "transactions")]:
        _, updated, full = _split_equal(log, "2021-06-17", "2021-07-20", period, value)
        pd.testing.assert_frame_equal(updated, full, check_exact=True)
        assert {"a000", "zzz9", "k5000"} <= set(updated.index)


def test_update_panel_rejects_rows_before_the_last_period():
    log = _cdnow()
    head = kamkit.period_panel(log[log["date"] < "1998-01-01"], observation_end="1997-12-31")
    with pytest.raises(ValueError, match="rebuild the panel"):
        kamkit.update_panel(head, log[log["date"] >= "1997-11-01"])
    with pytest.raises(ValueError, match="before the panel's"):
        kamkit.update_panel(head, log[log["date"] >= "1998-01-01"], observation_end="1997-06-01")


# ---------------------------------------------------------------- stages


def _planted_stages() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    rows += _monthly("steady", [100] * 12)
    rows += _monthly("lapsed", [100] * 8 + [0] * 4)  # bought every month, then 4 silent
    rows += _monthly("new", [0] * 11 + [60])
    rows += _monthly("growing", [10] * 6 + [40] * 6)
    rows += _monthly("returning", [50, 50] + [0] * 7 + [50, 50, 50])
    rows += _monthly("churned", [70, 70, 70] + [0] * 9)
    log = pd.DataFrame(rows)
    panel = kamkit.period_panel(log, observation_end="2020-12-31")
    return panel, kamkit.lifecycle_stages(panel)


def test_planted_histories_land_in_every_stage():
    panel, stages = _planted_stages()
    last = stages.columns[-1]
    assert stages.loc["steady", last] == "stable"
    assert stages.loc["lapsed", last] in ("decline", "churned")
    assert stages.loc["lapsed", last] == "decline"  # 4 silent months < churn_periods
    assert stages.loc["new", last] == "identification"
    assert stages.loc["growing", pd.Period("2020-07", "M")] == "development"
    assert stages.loc["returning", pd.Period("2020-08", "M")] == "churned"
    assert stages.loc["returning", last] == "reactivated"
    assert stages.loc["churned", last] == "churned"
    # Before the first purchase the stage is missing.
    assert stages.loc["new"].isna().sum() == 11
    assert set(STAGES) == set(stages.stack().dropna().unique())


def test_stages_are_small_ordered_categoricals_with_strategies():
    _, stages = _planted_stages()
    col = stages.iloc[:, 0]
    assert isinstance(col.dtype, pd.CategoricalDtype) and col.dtype.ordered
    assert list(col.cat.categories) == list(STAGES)
    assert col.cat.codes.dtype == np.int8
    table = kamkit.stage_strategies()
    assert table.loc["identification", "strategy"] == "build trust"
    assert table.loc["development", "strategy"] == "raise satisfaction"
    assert table.loc["stable", "strategy"] == "build exit barriers and cut transaction costs"
    assert table.loc["decline", "strategy"] == "recover or end, with early warning"
    assert table.loc["stable", "name_zh"] == "稳定期"
    assert list(table.index) == list(STAGES)


def test_partial_period_is_not_read_as_a_drop():
    log = pd.DataFrame(_monthly("steady", [100] * 12, day=20))
    # Mid-December: this month's purchase has not happened yet.
    panel = kamkit.period_panel(log, observation_end="2020-12-10")
    assert panel.attrs["partial"]
    stages = kamkit.lifecycle_stages(panel)
    assert stages.iloc[0, -1] == "stable"
    full = kamkit.lifecycle_stages(panel, partial=False)
    assert full.iloc[0, -1] == "decline"


def test_cdnow_stages_match_a_plain_reading_of_the_rules():
    log = _cdnow()
    for end in ("1998-06-30", "1998-06-12"):
        panel = kamkit.period_panel(log, observation_end=end)
        partial = panel.attrs["partial"]
        stages = kamkit.lifecycle_stages(panel)
        got = stages.astype(object).where(stages.notna(), None).to_numpy()
        for i, row in enumerate(panel.to_numpy()):
            assert list(got[i]) == _reference_stages(list(row), partial=partial)
    # All CDNOW customers arrived in the first quarter of 1997.
    first = stages.iloc[:, :3]
    assert set(first.stack().dropna().unique()) == {"identification"}
    # Eight customers only ever spent $0: no purchase period, no stage.
    assert int(stages.isna().all(axis=1).sum()) == 8


# ---------------------------------------------------------------- tiers


def _reference_tiers(values: np.ndarray, cum: list[float]) -> np.ndarray:
    """Pyramid cut of one column, written out: sort, round the cuts, snap them
    out of runs of equal values to the nearer end (upper tier on a draw)."""
    m = len(values)
    order = np.argsort(-values, kind="stable")
    desc = values[order]
    cuts = [min(int(np.floor(c * m + 0.5 + 1e-9)), m) for c in cum[:-1]]
    for j, c in enumerate(cuts):
        if 0 < c < m and desc[c - 1] == desc[c]:
            lo = int(np.searchsorted(-desc, -desc[c], side="left"))
            hi = int(np.searchsorted(-desc, -desc[c], side="right"))
            cuts[j] = lo if c - lo < hi - c else hi
    top = np.searchsorted(np.asarray(cuts), np.arange(m), side="right")
    codes = np.empty(m, dtype=int)
    codes[order] = len(cum) - 1 - top
    return codes


def test_tier_history_matches_a_pandas_pyramid_cut_on_cdnow():
    panel = kamkit.period_panel(_cdnow())
    for window in (1, 3, 12):
        tiers = kamkit.tier_history(panel, window=window, labels="metal")
        assert list(tiers.iloc[:, 0].cat.categories) == ["lead", "iron", "gold", "platinum"]
        trailing = panel.T.rolling(window, min_periods=1).sum().T.to_numpy()
        values = panel.to_numpy()
        first = np.where((values > 0).any(axis=1), (values > 0).argmax(axis=1), 99)
        for t in range(panel.shape[1]):
            seen = first <= t
            want = _reference_tiers(trailing[seen, t], [0.01, 0.05, 0.20, 1.0])
            got = tiers.iloc[:, t].cat.codes.to_numpy()
            np.testing.assert_array_equal(got[seen], want)
            assert (got[~seen] == -1).all()


def test_tier_sizes_follow_shares_and_ties_stay_together():
    values = np.arange(100, 0, -1, dtype=float)
    panel = pd.DataFrame(
        values[:, None], columns=pd.period_range("2020-01", periods=1, freq="M", name="period")
    )
    tiers = kamkit.tier_history(panel, window=1).iloc[:, 0]
    assert tiers.value_counts()[["VIP", "major", "ordinary", "small"]].tolist() == [1, 4, 15, 80]
    tied = panel.copy()
    tied.iloc[:3, 0] = 100.0  # three equal best values across the 1% cut (after 1)
    t2 = kamkit.tier_history(tied, window=1, labels="zh").iloc[:, 0]
    # The cut moves to the nearer end of the run: all three drop to the next tier.
    assert (t2.iloc[:3] == "主要客户").all()
    assert (t2 == "VIP客户").sum() == 0
    even = panel.copy()
    even.iloc[3:7, 0] = 96.5  # sorted positions 3..6 around the 5% cut at 5
    t3 = kamkit.tier_history(even, window=1).iloc[:, 0]
    # Equally far from both ends: the run joins the upper tier.
    assert (t3.iloc[3:7] == "major").all()
    assert t3.value_counts()[["VIP", "major", "ordinary", "small"]].tolist() == [1, 6, 13, 80]
    custom = kamkit.tier_history(panel, window=1, shares=(0.5, 0.5), labels=["top", "rest"])
    assert custom.iloc[:, 0].value_counts().tolist() == [50, 50]
    with pytest.raises(ValueError, match="sum"):
        kamkit.tier_history(panel, shares=(0.5, 0.4))
    with pytest.raises(ValueError, match="labels"):
        kamkit.tier_history(panel, shares=(0.5, 0.5), labels="vip")


# ---------------------------------------------------------------- transitions


def _crosstab_pairs(states: pd.DataFrame) -> pd.DataFrame:
    frm = pd.concat([states.iloc[:, j] for j in range(states.shape[1] - 1)], ignore_index=True)
    to = pd.concat([states.iloc[:, j + 1] for j in range(states.shape[1] - 1)], ignore_index=True)
    return pd.crosstab(frm, to, dropna=False)


def test_transitions_match_a_crosstab_of_consecutive_periods():
    panel = kamkit.period_panel(_cdnow())
    stages = kamkit.lifecycle_stages(panel)
    moves = kamkit.transitions(stages)
    expected = _crosstab_pairs(stages.astype(object)).reindex(
        index=list(STAGES), columns=list(STAGES), fill_value=0
    )
    np.testing.assert_array_equal(moves.counts.to_numpy(), expected.to_numpy())
    assert list(moves.counts.index) == list(STAGES)
    np.testing.assert_allclose(moves.probabilities.sum(axis=1), 1.0)
    observed = moves.observed.to_numpy()
    np.testing.assert_allclose(
        moves.probabilities.to_numpy()[observed],
        (expected.to_numpy() / expected.to_numpy().sum(axis=1, keepdims=True))[observed],
    )
    per = kamkit.transitions(stages, by_period=True)
    for j in range(stages.shape[1] - 1):
        a, b = stages.columns[j], stages.columns[j + 1]
        ct = pd.crosstab(stages[a].astype(object), stages[b].astype(object)).reindex(
            index=list(STAGES), columns=list(STAGES), fill_value=0
        )
        np.testing.assert_array_equal(per.counts.loc[(a, b)].to_numpy(), ct.to_numpy())
    np.testing.assert_array_equal(
        per.counts.groupby(level="from", sort=False).sum().to_numpy(), moves.counts.to_numpy()
    )
    tiers = kamkit.tier_history(panel, window=3)
    tier_moves = kamkit.transitions(tiers)
    assert list(tier_moves.counts.index) == ["small", "ordinary", "major", "VIP"]


def test_transitions_on_plain_values_leave_out_missing_pairs():
    states = pd.DataFrame(
        {"p1": ["a", "b", None, "a"], "p2": ["b", "b", "a", None], "p3": ["b", "a", "a", "a"]}
    )
    moves = kamkit.transitions(states)
    assert moves.counts.loc["a", "a"] == 1
    assert moves.counts.loc["a", "b"] == 1
    assert moves.counts.loc["b", "b"] == 2
    assert moves.counts.loc["b", "a"] == 1
    assert moves.counts.to_numpy().sum() == 5  # 8 pairs, 3 with a missing state
    assert moves.probabilities.loc["b"].tolist() == [1 / 3, 2 / 3]
    with pytest.raises(ValueError, match="two period"):
        kamkit.transitions(states[["p1"]])


# ---------------------------------------------------------------- Markov chains


def test_markov_forecast_and_stationary_match_closed_forms():
    a, b = 0.3, 0.1
    chain = kamkit.MarkovChain(
        pd.DataFrame([[1 - a, a], [b, 1 - b]], index=["x", "y"], columns=["x", "y"])
    )
    pi = chain.stationary()
    assert pi["x"] == pytest.approx(b / (a + b))
    assert pi["y"] == pytest.approx(a / (a + b))
    # Two-state chain: P(x after n | x) = b/(a+b) + a/(a+b) (1-a-b)^n.
    for n in (0, 1, 5, 20):
        got = chain.forecast("x", n)
        assert got["x"] == pytest.approx(b / (a + b) + a / (a + b) * (1 - a - b) ** n)
    mixed = chain.forecast({"x": 0.5, "y": 0.5}, 3)
    assert mixed.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="several closed classes"):
        kamkit.MarkovChain(np.eye(2)).stationary()


def test_markov_absorption_matches_gamblers_ruin():
    # Fair walk on 0..N with absorbing ends: expected time from i is i (N - i),
    # and the chance of ending at N is i / N.
    big_n = 6
    p = np.zeros((big_n + 1, big_n + 1))
    p[0, 0] = p[big_n, big_n] = 1.0
    for i in range(1, big_n):
        p[i, i - 1] = p[i, i + 1] = 0.5
    chain = kamkit.MarkovChain(p)
    assert list(chain.absorbing_states) == [0, big_n]
    times = chain.expected_time_to_absorption()
    for i in range(1, big_n):
        assert times[i] == pytest.approx(i * (big_n - i))
    probs = chain.absorption_probabilities()
    for i in range(1, big_n):
        assert probs.loc[i, big_n] == pytest.approx(i / big_n)
    n = chain.fundamental_matrix().to_numpy()
    q = p[1:big_n, 1:big_n]
    np.testing.assert_allclose(n @ (np.eye(big_n - 1) - q), np.eye(big_n - 1), atol=1e-12)
    with pytest.raises(ValueError, match="no absorbing"):
        kamkit.MarkovChain([[0.5, 0.5], [0.5, 0.5]]).expected_time_to_absorption()


def test_markov_clv_matches_pfeifer_carraway():
    # Retention r, reward m while active, lost customers absorbed with 0:
    # V(active) = m (1 + d) / (1 + d - r) over an infinite horizon.
    r, m, d = 0.8, 100.0, 0.1
    chain = kamkit.MarkovChain(
        pd.DataFrame([[r, 1 - r], [0.0, 1.0]], index=["active", "lost"], columns=["active", "lost"])
    )
    rewards = pd.Series({"lost": 0.0, "active": m})
    value = chain.clv(rewards, d)
    assert value["active"] == pytest.approx(m * (1 + d) / (1 + d - r))
    assert value["lost"] == 0.0
    # A finite horizon T is the sum of t = 0..T of (P/(1+d))^t R.
    p = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    rw = np.array([50.0, 20.0, -5.0])
    c3 = kamkit.MarkovChain(p)
    for horizon in (0, 1, 4):
        want = sum(np.linalg.matrix_power(p / 1.05, t) @ rw for t in range(horizon + 1))
        np.testing.assert_allclose(c3.clv(rw, 0.05, horizon).to_numpy(), want)
    np.testing.assert_allclose(
        c3.clv(rw, 0.05).to_numpy(), np.linalg.solve(np.eye(3) - p / 1.05, rw)
    )
    np.testing.assert_allclose(
        c3.clv(rw, 0.05, 2000).to_numpy(), c3.clv(rw, 0.05).to_numpy(), rtol=1e-9
    )
    with pytest.raises(ValueError, match="discount rate > 0"):
        c3.clv(rw, 0.0)


def test_markov_chain_from_stage_transitions_and_bad_input():
    panel = kamkit.period_panel(_cdnow())
    chain = kamkit.transitions(kamkit.lifecycle_stages(panel)).chain()
    dist = chain.forecast("identification", 12)
    assert dist.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="summing to 1"):
        kamkit.MarkovChain([[0.5, 0.4], [0.5, 0.5]])
    with pytest.raises(ValueError, match="square"):
        kamkit.MarkovChain([[0.5, 0.5]])
    with pytest.raises(ValueError, match=">= 0"):
        kamkit.MarkovChain([[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="unknown state"):
        chain.forecast("nobody", 1)


# ---------------------------------------------------------------- early warning


class _StandInModel:
    """A fitted-model stand-in: P(alive) falls with the time since the last purchase."""

    def probability_alive(self, frequency, recency, T):
        return np.exp(-(np.asarray(T) - np.asarray(recency)) / 50.0)


class _LifetimesNamesModel:
    """The same stand-in with the lifetimes method name only."""

    def conditional_probability_alive(self, frequency, recency, T):
        return np.exp(-(np.asarray(T) - np.asarray(recency)) / 50.0)


def _warning_log() -> pd.DataFrame:
    rows = []
    # Background: steady buyers of different sizes, to fill the pyramid.
    for i in range(40):
        rows += _monthly(f"bg{i:02d}", [10 + 5 * i] * 18)
    rows += _monthly("steady", [120] * 18)
    # Stable for a year, then the last month falls away: decline and revenue drop.
    rows += _monthly("into_decline", [150] * 17 + [0], day=28)
    # The largest buyer stops: its trailing quarter falls to the bottom this month.
    rows += _monthly("tier_drop", [1000] * 15 + [0, 0, 0])
    # Weekly buyer gone quiet for five weeks (still within one month's purchase).
    for w in range(70):
        rows.append(
            {
                "customer_id": "silent",
                "date": pd.Timestamp("2020-01-02") + pd.Timedelta(weeks=w),
                "amount": 30.0,
            }
        )
    rows += _monthly("revenue_drop", [200] * 17 + [80])
    # A major customer ordering half as often, each order twice as big.
    major_rows = []
    for i in range(18):
        n = 4 if i < 12 else 2
        for j in range(n):
            major_rows.append(
                {
                    "customer_id": "major_slowing",
                    "date": (pd.Period("2020-01", "M") + i).start_time
                    + pd.Timedelta(days=3 + 6 * j),
                    "amount": 500.0 / n * (0.7 if i >= 15 else 1.0),
                }
            )
    rows += major_rows
    rows += _monthly("overdue", [90] * 18)
    rows += _monthly("gone", [40] * 6 + [0] * 12)
    log = pd.DataFrame(rows)
    return log[log["date"] <= "2021-06-30"]


def test_early_warning_reads_the_log_not_a_panel():
    # The work list learns from the log's history (see test_warning.py).
    panel = kamkit.period_panel(_warning_log(), observation_end="2021-06-30")
    with pytest.raises(TypeError, match="transaction log"):
        kamkit.early_warning(panel)


# ---------------------------------------------------------------- candidates


def test_upgrade_and_phase_out_candidates():
    rows = []
    for i in range(30):
        rows += _monthly(f"bg{i:02d}", [50 + 10 * i] * 18)
    rows += _monthly("star", [5] * 12 + [5, 5, 5, 30, 40, 50])
    rows += _monthly("fading", [3] * 9 + [2] * 9)
    rows += _monthly("small_one_month", [0] * 17 + [1])
    panel = kamkit.period_panel(pd.DataFrame(rows), observation_end="2021-06-30")
    shares = (0.1, 0.2, 0.3, 0.4)
    stars = kamkit.upgrade_candidates(panel, window=3, tier_window=3, shares=shares)
    assert list(stars.index) == ["star"]
    assert stars.loc["star", "growth"] == pytest.approx(120 / 15 - 1)
    assert stars.loc["star", "tier"] in ("small", "ordinary")
    assert stars.loc["star", "gap_to_next_tier"] >= 0
    out = kamkit.phase_out_candidates(panel, periods=12, tier_window=3, shares=shares)
    assert "fading" in out.index
    assert "star" not in out.index
    # One period in the lowest tier is never enough.
    assert "small_one_month" not in out.index
    with pytest.raises(ValueError, match=">= 2"):
        kamkit.phase_out_candidates(panel, periods=1)


@settings(max_examples=25, deadline=None)
@given(
    cut_day=st.integers(min_value=20, max_value=170),
    n=st.integers(min_value=1, max_value=300),
    seed=st.integers(min_value=0, max_value=2**16),
    period=st.sampled_from(["D", "W", "M", "Q"]),
)
def test_update_panel_property(cut_day, n, seed, period):
    rng = np.random.default_rng(seed)
    log = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 40, n),
            "date": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 180, n), "D"),
            "amount": rng.normal(50, 30, n).round(2),
        }
    ).sort_values("date", kind="stable")
    cut = pd.Timestamp("2022-01-01") + pd.Timedelta(days=cut_day)
    old, new = log[log["date"] < cut], log[log["date"] >= cut]
    if old.empty:
        return
    head = kamkit.period_panel(old, period=period, observation_end=cut - pd.Timedelta(days=1))
    end = max(cut, log["date"].max())
    updated = kamkit.update_panel(head, new, observation_end=end)
    full = kamkit.period_panel(pd.concat([old, new]), period=period, observation_end=end)
    pd.testing.assert_frame_equal(updated, full, check_exact=True)
    pd.testing.assert_frame_equal(kamkit.lifecycle_stages(updated), kamkit.lifecycle_stages(full))


def test_early_warning_takes_kamkit_models():
    log = load_cdnow_sample()
    summary = kamkit.summarize(log, time_unit="W")
    for cls in (kamkit.BetaGeo, kamkit.ModifiedBetaGeo, kamkit.ParetoNBD):
        model = cls().fit(summary)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            risk = kamkit.early_warning(log, model=model, model_time_unit="W", seed=0)
        want = model.probability_alive(summary).reindex(risk.index)
        np.testing.assert_allclose(risk["p_alive"], want.to_numpy(), rtol=1e-12)
        # The model's P(alive) raises low_p_alive on the list.
        assert (risk["low_p_alive"] == (want < 0.5).to_numpy()).all()
    with pytest.raises(ValueError, match="not fitted"):
        kamkit.early_warning(log, model=kamkit.BetaGeo())


def test_early_warning_lifetimes_names_still_work_with_a_warning():
    log = _warning_log()
    kwargs = {"observation_end": "2021-06-30", "seed": 0}
    want = kamkit.early_warning(log, model=_StandInModel(), **kwargs)
    with pytest.warns(FutureWarning, match="kamkit.BetaGeo"):
        got = kamkit.early_warning(log, model=_LifetimesNamesModel(), **kwargs)
    pd.testing.assert_frame_equal(got, want)


def test_registered_label_sets_work_everywhere_the_pyramid_does():
    kamkit.register_label_set("test-stars", ["***", "**", "*"], replace=True)
    shares = (0.1, 0.3, 0.6)
    log = load_cdnow_sample()
    panel = kamkit.period_panel(log)
    tiers = kamkit.tier_history(panel, window=3, shares=shares, labels="test-stars")
    assert list(tiers.iloc[:, -1].cat.categories) == ["*", "**", "***"]
    listed = kamkit.tier_history(panel, window=3, shares=shares, labels=["***", "**", "*"])
    pd.testing.assert_frame_equal(tiers, listed)
    risk = kamkit.early_warning(log, shares=shares, labels="test-stars", seed=0)
    assert set(risk["tier"].cat.categories) == {"*", "**", "***"}
    up = kamkit.upgrade_candidates(panel, tier_window=3, shares=shares, labels="test-stars")
    assert list(up["tier"].cat.categories) == ["*", "**", "***"]
    down = kamkit.phase_out_candidates(
        panel, periods=6, tier_window=3, shares=shares, labels="test-stars"
    )
    assert (down["tier"] == "*").all()
    # The same rules as the pyramid: a set that does not match the shares is refused.
    with pytest.raises(ValueError, match="one label per share"):
        kamkit.tier_history(panel, labels="test-stars")
    with pytest.raises(ValueError, match="one label per share"):
        kamkit.pyramid(pd.Series([1.0, 2.0]), labels="test-stars")


def test_chinese_stage_names_agree_everywhere():
    from kamkit._i18n import label, translate_values

    names = kamkit.stage_strategies()["name_zh"]
    assert names["reactivated"] == "回流"
    stages = pd.Series(pd.Categorical(list(STAGES), categories=list(STAGES)))
    assert translate_values(stages, "zh").tolist() == names.tolist()
    assert [label(t, "zh") for t in kamkit.LABEL_SETS["vip"]] == list(kamkit.LABEL_SETS["zh"])


def test_stage_rules_have_one_home():
    rules = kamkit.StageRules(churn_periods=4, growth=0.5)
    panel = kamkit.period_panel(load_cdnow_sample())
    stages = kamkit.lifecycle_stages(panel, churn_periods=4, growth=0.5)
    assert stages.attrs["stage_rules"] == rules.as_dict()
    pd.testing.assert_frame_equal(kamkit.lifecycle_stages(panel, **rules.as_dict()), stages)
    with pytest.raises(ValueError, match="decline"):
        kamkit.StageRules(decline=1.5)
    with pytest.raises(TypeError, match="churn_periods"):
        kamkit.StageRules(churn_periods=2.5)
