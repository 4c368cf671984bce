"""Account managers and service policies."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kamkit


def _optimum(w: np.ndarray, m: int) -> float:
    """Smallest possible largest load, by trying every assignment."""
    best = np.inf
    for a in itertools.product(range(m), repeat=len(w)):
        best = min(best, np.bincount(a, weights=w, minlength=m).max())
    return float(best)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=7), st.integers(1, 3), st.integers(0, 2))
def test_pool_within_graham_bound_of_the_optimum(work, m, n_vip):
    n_vip = min(n_vip, len(work))
    tiers = ["VIP"] * n_vip + ["small"] * (len(work) - n_vip)
    c = pd.DataFrame(
        {"tier": tiers, "hours": np.asarray(work, dtype=float)},
        index=[f"c{i}" for i in range(len(work))],
    )
    if len(work) - n_vip == 0:
        m = max(m, 1)
    a = kamkit.assign_managers(c, workload="hours", managers=n_vip + m)
    assert a.assignment.index.equals(c.index)
    # Key accounts: one manager each, nobody else on their books.
    key = a.assignment[a.assignment.dedicated]
    assert key.manager.is_unique and len(key) == n_vip
    assert not a.assignment[~a.assignment.dedicated].manager.isin(key.manager).any()
    pooled = c.hours[~a.assignment.dedicated].to_numpy()
    if len(pooled):
        opt = _optimum(pooled, m)
        assert opt - 1e-9 <= a.pooled_max_load <= (4 / 3 - 1 / (3 * m)) * opt + 1e-9
        assert a.pooled_lower_bound <= opt + 1e-9
    # Loads add up per manager.
    by_manager = a.assignment.groupby("manager").workload.sum()
    np.testing.assert_allclose(a.loads.load[by_manager.index], by_manager)


def test_assignment_example_and_errors():
    c = pd.DataFrame(
        {
            "tier": pd.Categorical(
                ["VIP", "major", "small", "small", "ordinary"],
                categories=["small", "ordinary", "major", "VIP"],
                ordered=True,
            ),
            "hours": [40.0, 20.0, 3.0, 2.0, 5.0],
        }
    )
    assignment, loads = kamkit.assign_managers(
        c, workload="hours", managers=["Ann", "Bo", "Cy", "Di"]
    )
    assert assignment.manager.tolist() == ["Ann", "Bo", "Di", "Di", "Cy"]
    assert loads.load.tolist() == [40.0, 20.0, 5.0, 5.0]
    assert loads.dedicated.tolist() == [True, True, False, False]
    hours = kamkit.assign_managers(
        c, workload={"VIP": 100, "major": 50, "ordinary": 5, "small": 1}, managers=3
    ).loads
    assert hours.load.tolist() == [100.0, 50.0, 7.0]
    with pytest.raises(ValueError, match="2 key accounts .* only 1 managers"):
        kamkit.assign_managers(c, managers=1)
    with pytest.raises(ValueError, match="none is left"):
        kamkit.assign_managers(c, managers=2)
    with pytest.raises(ValueError, match="not tiers of this table"):
        kamkit.assign_managers(c.assign(tier=kamkit.pyramid(c.hours, labels="abcd")), managers=5)
    with pytest.raises(ValueError, match="no workload for tier"):
        kamkit.assign_managers(c, workload={"VIP": 1}, managers=5)


def test_lpt_is_not_round_robin():
    # Dealing the rows out in turn would give 1 + 1 and 10 + 10; LPT balances 11 and 11.
    c = pd.DataFrame({"tier": ["small"] * 4, "w": [1.0, 10.0, 1.0, 10.0]})
    a = kamkit.assign_managers(c, workload="w", managers=2)
    assert a.loads.load.tolist() == [11.0, 11.0]
    assert a.pooled_lower_bound == 11.0


def test_service_policies_and_join():
    en = kamkit.service_policies()
    zh = kamkit.service_policies("zh")
    for p in (en, zh):
        assert {
            "service_level",
            "priority",
            "dedicated_team",
            "visit_frequency",
            "review_frequency",
            "discount_cap",
            "delivery",
            "credit_allowed",
            "payment_days",
            "risk_policy",
            "pricing",
            "care_actions",
            "club_card",
        } <= set(p.columns)
    assert en.index.tolist() == ["VIP", "major", "ordinary", "small"]
    assert zh.index.tolist() == ["VIP客户", "主要客户", "普通客户", "小客户"]
    assert en.dedicated_team.tolist() == [True, True, False, False]
    assert "生日" in zh.loc["VIP客户", "care_actions"]
    assert "birthday" in en.loc["VIP", "care_actions"]
    # Editable and fresh.
    en.loc["VIP", "payment_days"] = 120
    assert kamkit.service_policies().loc["VIP", "payment_days"] == 90
    v = pd.Series(np.arange(200, dtype=float), index=pd.RangeIndex(200, name="customer_id"))
    tiers = kamkit.pyramid(v)
    joined = tiers.to_frame("tier").join(en, on="tier")
    assert len(joined) == 200 and joined.payment_days.notna().all()
    assert joined.loc[199, "payment_days"] == 120
    att = kamkit.attach_policies(tiers)
    assert att.index.equals(v.index) and (att.payment_days == 0).sum() == 160
    with pytest.raises(ValueError, match="four tiers"):
        kamkit.service_policies(["a", "b"])
