"""Property tests with a fixed, bounded Hypothesis profile.

summarize against a plain pandas reference, the invariants of scores and
tiers, and update_panel against a rebuild. The profile is derandomised (the
same examples on every run) and bounded, so the suite's time is fixed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kamkit

settings.register_profile(
    "kamkit-bounded",
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
BOUNDED = settings.get_profile("kamkit-bounded")

START = pd.Timestamp("2020-01-01")


@st.composite
def logs(draw: st.DrawFn, max_rows: int = 60) -> pd.DataFrame:
    n = draw(st.integers(1, max_rows))
    ids = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 700), min_size=n, max_size=n))
    amounts = draw(
        st.lists(st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False), min_size=n, max_size=n)
    )
    return pd.DataFrame(
        {
            "customer_id": ids,
            "date": START + pd.to_timedelta(days, unit="D"),
            "amount": amounts,
        }
    )


def reference(log: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """frequency, recency, T, n_transactions and revenue with plain pandas (daily)."""
    kept = log[log["date"] <= end]
    g = kept.groupby("customer_id")
    first = g["date"].min()
    last = g["date"].max()
    days = g["date"].nunique()
    return pd.DataFrame(
        {
            "frequency": (days - 1).astype(float),
            "recency": (last - first).dt.days.astype(float),
            "T": (end - first).dt.days.astype(float),
            "revenue": g["amount"].sum(),
        }
    )


@BOUNDED
@given(logs(), st.integers(0, 700))
def test_summarize_matches_pandas(log: pd.DataFrame, end_day: int) -> None:
    end = max(START + pd.Timedelta(days=end_day), log["date"].min())
    got = kamkit.summarize(log, "customer_id", "date", "amount", observation_end=end)
    ref = reference(log, end)
    assert list(got.index) == list(ref.index)
    for col in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[col].to_numpy(float), ref[col].to_numpy(float))
    np.testing.assert_allclose(got["revenue"], ref["revenue"], rtol=1e-12, atol=1e-9)


@BOUNDED
@given(
    st.lists(st.floats(-1e300, 1e300, allow_nan=False), min_size=1, max_size=80),
    st.sampled_from(["minmax", "zscore", "rank"]),
)
def test_scores_are_finite_bounded_and_monotone(values: list[float], method: str) -> None:
    frame = pd.DataFrame({"revenue": values})
    score = kamkit.value_score(frame, {"revenue": 1.0}, method=method)
    assert np.isfinite(score).all() and (score >= 0).all() and (score <= 100).all()
    order = np.argsort(values, kind="stable")
    assert (np.diff(score.to_numpy()[order]) >= -1e-9).all()
    raw = kamkit.value_score(frame, {"revenue": 1.0}, method=method, scale="minmax")
    lower = kamkit.value_score(frame, {"revenue": -1.0}, method=method, scale="minmax")
    np.testing.assert_allclose(raw + lower, 100.0, atol=1e-9)


@BOUNDED
@given(st.lists(st.floats(0, 1e300, allow_nan=False), min_size=1, max_size=80))
def test_tiers_and_gini_invariants(values: list[float]) -> None:
    s = pd.Series(values)
    tiers = kamkit.pyramid(s)
    assert tiers.notna().all() and len(tiers) == len(s)
    # A higher value never sits in a lower tier.
    codes = tiers.cat.codes.to_numpy()
    order = np.argsort(values, kind="stable")
    assert (np.diff(codes[order]) <= 0).all() or (np.diff(codes[order]) >= 0).all()
    if s.sum() > 0:
        c = kamkit.concentration(s)
        assert 0.0 <= c.gini < 1.0 and np.isfinite(c.gini)
        assert 0.0 <= c.top_share(0.2) <= 1.0


@BOUNDED
@given(logs(max_rows=40), logs(max_rows=20))
def test_update_panel_equals_rebuild(old: pd.DataFrame, new: pd.DataFrame) -> None:
    old_end = old["date"].max()
    last_start = old_end.to_period("M").start_time
    new = new.assign(date=last_start + (new["date"] - START))
    end = max(old_end, new["date"].max())
    panel = kamkit.period_panel(old, observation_end=old_end)
    updated = kamkit.update_panel(panel, new, observation_end=end)
    rebuilt = kamkit.period_panel(pd.concat([old, new], ignore_index=True), observation_end=end)
    pd.testing.assert_frame_equal(updated, rebuilt, check_exact=False, rtol=1e-12)
