"""Customer pyramid, thresholds, concentration, quadrant and k-means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kamkit


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    log = kamkit.datasets.load_cdnow_sample()
    return kamkit.summarize(log, "customer_id", "date", "amount")


def test_textbook_pyramid_and_label_sets():
    v = pd.Series(np.arange(1000, 0, -1, dtype=float), index=[f"c{i}" for i in range(1000)])
    t = kamkit.pyramid(v)
    assert t.index.equals(v.index)
    assert list(t.cat.categories) == ["small", "ordinary", "major", "VIP"]
    assert t.value_counts(sort=False).tolist() == [800, 150, 40, 10]
    assert (t >= "major").sum() == 50 and t.iloc[0] == "VIP" and t.iloc[10] == "major"
    for name, top in [
        ("metal", "platinum"),
        ("abcd", "A"),
        ("zh", "VIP客户"),
        ("zh-metal", "铂金客户"),
    ]:
        assert kamkit.pyramid(v, labels=name).iloc[0] == top
    assert list(kamkit.LABEL_SETS["zh"]) == ["VIP客户", "主要客户", "普通客户", "小客户"]
    assert list(kamkit.LABEL_SETS["zh-metal"]) == ["铂金客户", "黄金客户", "钢铁客户", "重铅客户"]
    t2 = kamkit.pyramid(v, shares=(0.2, 0.8), labels=["key", "other"])
    assert t2.value_counts()["key"] == 200


def test_abc_by_value_on_cdnow(cdnow):
    t = kamkit.pyramid(cdnow.revenue, by="value", labels="abcd")
    share = cdnow.revenue.groupby(t, observed=False).sum() / cdnow.revenue.sum()
    # A brings at least half of the revenue, and one customer fewer would not.
    a = cdnow.revenue[t == "A"]
    assert share["A"] >= 0.5 and (a.sum() - a.min()) / cdnow.revenue.sum() < 0.5
    assert share[["A", "B"]].sum() >= 0.8
    assert cdnow.revenue[t == "A"].min() >= cdnow.revenue[t == "B"].max()
    with pytest.raises(ValueError, match="1 of 3 negative"):
        kamkit.pyramid(pd.Series([1.0, -1, 2]), by="value")


def test_pyramid_errors_and_custom_scheme():
    v = pd.Series([3.0, 1.0, 2.0, 5.0])
    with pytest.raises(ValueError, match="add up to 1"):
        kamkit.pyramid(v, shares=(0.5, 0.4))
    with pytest.raises(ValueError, match="3 labels"):
        kamkit.pyramid(v, labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="missing value"):
        kamkit.pyramid(pd.Series([1.0, np.nan]))
    with pytest.raises(ValueError, match="unknown label set"):
        kamkit.pyramid(v, labels="gems")

    def halves(desc, shares):  # everything above the mean on top, the rest below
        return [int((desc > desc.mean()).sum())]

    kamkit.register_tier_scheme("mean", halves, (0.5, 0.5), replace=True)
    kamkit.register_label_set("hl", ["high", "low"], replace=True)
    assert kamkit.pyramid(v, by="mean", labels="hl").tolist() == ["high", "low", "low", "high"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 25), min_size=1, max_size=300),
    st.lists(st.integers(1, 20), min_size=1, max_size=5),
)
def test_pyramid_properties(values, parts):
    v = pd.Series(np.asarray(values, dtype=float) * 1.5)
    shares = np.asarray(parts, dtype=float) / sum(parts)
    labels = [f"t{i}" for i in range(len(parts))]
    t = kamkit.pyramid(v, shares=shares, labels=labels)
    codes = t.cat.codes.to_numpy()
    # Every customer gets exactly one tier.
    assert (codes >= 0).all() and len(t) == len(v)
    # Tier order follows value order; equal values share a tier.
    o = np.argsort(v.to_numpy(), kind="stable")
    assert (np.diff(codes[o]) >= 0).all()
    assert t.groupby(v, observed=True).nunique().max() == 1
    # The shares hold: each cumulative size is the run boundary nearest to
    # round(cumulative share x n).
    desc = np.sort(v.to_numpy())[::-1]
    bounds = np.r_[0, np.flatnonzero(np.diff(desc) != 0) + 1, len(desc)]
    n = len(v)
    top_counts = np.cumsum(t.value_counts(sort=False).to_numpy()[::-1])[:-1]
    for c, s in zip(top_counts, np.cumsum(shares)[:-1], strict=True):
        target = np.floor(s * n + 0.5 + 1e-9)
        assert c in bounds
        assert abs(c - target) <= np.min(np.abs(bounds - target)) + 1e-9
    if len(set(values)) == len(values):  # no ties: exact rounded cumulative shares
        assert list(top_counts) == [np.floor(s * n + 0.5 + 1e-9) for s in np.cumsum(shares)[:-1]]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([1, 5, 300, 70_000, 150_000]),
    st.sampled_from(["few", "many", "normal", "inf"]),
    st.lists(st.integers(0, 20), min_size=1, max_size=5),
)
def test_pyramid_by_count_selection_matches_the_sorted_path(seed, n, kind, parts):
    # The built-in pyramid by count selects the values at the cuts instead of
    # sorting; a scheme that returns the same cuts goes through the sort.
    from kamkit import _core

    rng = np.random.default_rng(seed)
    if kind == "few":
        x = rng.integers(0, 4, n).astype(float)
    elif kind == "many":
        x = rng.integers(0, 500, n) / 4.0
    else:
        x = rng.normal(size=n)
    if kind == "inf":
        x[rng.integers(0, n, 3)] = np.inf
        x[rng.integers(0, n, 2)] = -np.inf
    shares = np.asarray(parts, dtype=float) + 1e-3
    shares = tuple(shares / shares.sum())
    kamkit.register_tier_scheme(
        "count-sorted",
        lambda desc, sh: _core.cuts_by_count(desc, [float(c) for c in np.cumsum(sh)[:-1]]),
        shares,
        replace=True,
    )
    cum = [float(c) for c in np.cumsum(shares)[:-1]]
    order, desc = _core.sort_descending(x)
    ref = _core.codes_from_cuts(order, _core.cuts_by_count(desc, cum)).tolist()
    assert _core.pyramid_by_count(x, cum).tolist() == ref
    if kind == "inf":  # the Python layer rejects infinite values
        return
    labels = [f"t{i}" for i in range(len(shares))]
    fast = kamkit.pyramid(pd.Series(x), shares=shares, labels=labels)
    slow = kamkit.pyramid(pd.Series(x), shares=shares, labels=labels, by="count-sorted")
    assert fast.cat.codes.tolist() == slow.cat.codes.tolist() == ref


def test_tier_by_thresholds():
    v = pd.Series([5e6, 1e6, 2e5, 5e4, 10.0], index=list("abcde"))
    t = kamkit.tier_by_thresholds(v, [1e6, 1e5, 1e4], labels="metal")
    assert t.tolist() == ["platinum", "platinum", "gold", "iron", "lead"]
    assert t.index.equals(v.index) and t.cat.ordered
    with pytest.raises(ValueError, match="decreasing"):
        kamkit.tier_by_thresholds(v, [1e4, 1e5, 1e6])
    with pytest.raises(ValueError, match="need 3 labels"):
        kamkit.tier_by_thresholds(v, [1e6, 1e5])


def test_concentration_on_cdnow(cdnow):
    c = kamkit.concentration(cdnow.revenue)
    x = np.sort(cdnow.revenue.to_numpy())
    n = len(x)
    i = np.arange(1, n + 1)
    assert c.gini == pytest.approx(np.sum((2 * i - n - 1) * x) / (n * x.sum()), rel=1e-12)
    assert c.gini == pytest.approx(0.6309, abs=1e-4)
    # Top 20 % of the 2,357 customers: 471.4 customers, interpolated.
    top = x[::-1]
    direct = (top[:471].sum() + 0.4 * top[471]) / x.sum()
    assert c.top_share(0.2) == pytest.approx(direct, rel=1e-12)
    assert c.top_share(0.2) == pytest.approx(0.6742, abs=1e-4)
    k = np.searchsorted(np.cumsum(top) / x.sum(), 0.8) + 1
    assert c.pareto_point(0.8) == pytest.approx(k / n)
    lz = c.lorenz
    assert len(lz) == n + 1 and lz.iloc[0].tolist() == [0, 0] and lz.iloc[-1].tolist() == [1, 1]
    assert (np.diff(lz.value_share) >= 0).all()
    assert c.top_share(0) == 0 and c.top_share(1) == pytest.approx(1)


def test_concentration_negatives():
    v = pd.Series([10.0, -2.0, 0.0, 5.0])
    with pytest.raises(ValueError, match="found 1 of 4 negative"):
        kamkit.concentration(v)
    clip = kamkit.concentration(v, negative="clip")
    drop = kamkit.concentration(v, negative="drop")
    assert clip.n == 4 and drop.n == 3 and clip.n_negative == 1
    # clip: 0, 0, 5, 10 -> (1 * 5 + 3 * 10) / (4 * 15); drop: 0, 5, 10 -> (0 * 5 + 2 * 10) / (3 * 15)
    assert clip.gini == pytest.approx(35 / 60) and drop.gini == pytest.approx(20 / 45)
    with pytest.raises(ValueError, match="add up to 0"):
        kamkit.concentration(pd.Series([0.0, 0.0]))


def test_quadrant():
    c = pd.DataFrame({"price": [1, 9, 2, 8, 5], "loyalty": [9, 1, 8, 2, 5]})
    q = kamkit.quadrant(c, "price", "loyalty", names="price-relationship")
    assert q.attrs["splits"] == {"price": 5.0, "loyalty": 5.0}
    assert q.quadrant.iloc[0].startswith("R-type: relationship")
    assert q.quadrant.iloc[1] == "T-type: transactional"
    assert q.x_side.iloc[4] == "high"  # at the split counts as high
    d = kamkit.quadrant(c, "price", "loyalty", x_split=3, y_split="mean")
    assert d.quadrant.iloc[0] == "price low / loyalty high"
    with pytest.raises(ValueError, match="missing"):
        kamkit.quadrant(c, "price", "loyalty", names={("low", "low"): "x"})


def test_kmeans_matches_sklearn_on_cdnow(cdnow):
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    feats = cdnow[["frequency", "recency", "T", "revenue", "monetary_value"]]
    for k in (3, 5):
        ours = kamkit.kmeans_segments(feats, k, n_init=10, seed=0)
        Z = StandardScaler().fit_transform(feats)
        sk = KMeans(k, n_init=10, random_state=0).fit(Z)
        assert ours.inertia == pytest.approx(sk.inertia_, rel=5e-3)
        # The inertia is the squared distance in the standardized space.
        zc = (ours.centers - ours.mean) / ours.scale
        d = ((Z - zc.to_numpy()[ours.labels.to_numpy()]) ** 2).sum()
        assert ours.inertia == pytest.approx(d, rel=1e-10)
        # Centers in original units are the segment means.
        means = feats.groupby(ours.labels).mean()
        np.testing.assert_allclose(ours.centers.to_numpy(), means.to_numpy(), rtol=1e-8)
    raw = kamkit.kmeans_segments(feats, 3, standardize=False, seed=1)
    sk = KMeans(3, n_init=10, random_state=0).fit(feats.to_numpy())
    assert raw.inertia == pytest.approx(sk.inertia_, rel=5e-3)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4))
def test_kmeans_inertia_close_to_sklearn_on_blobs(seed, k):
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 3)) + rng.integers(0, k, size=(400, 1)) * 3.0
    ours = kamkit.kmeans_segments(pd.DataFrame(X), k, standardize=False, n_init=10, seed=seed)
    sk = KMeans(k, n_init=10, random_state=seed).fit(X)
    assert ours.inertia <= sk.inertia_ * 1.01
    assert ours.labels.nunique() == k


def test_kmeans_errors():
    f = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="at least 3 customers"):
        kamkit.kmeans_segments(f, 3)
    with pytest.raises(ValueError, match="missing value"):
        kamkit.kmeans_segments(pd.DataFrame({"a": [1.0, np.nan]}), 1)


def test_concentration_of_the_raw_cdnow_sample(data_dir):
    # The raw 1/10th sample (no header): master id, sample id, date, CDs, dollars.
    raw = pd.read_csv(
        data_dir / "cdnow" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "id", "date", "cds", "spent"],
    )
    spent = raw.groupby("id")["spent"].sum()
    assert len(spent) == 2357 and spent.sum() == pytest.approx(244_091.94)
    c = kamkit.concentration(spent)
    x = np.sort(spent.to_numpy())
    n = len(x)
    assert c.gini == pytest.approx(
        np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * x.sum()), rel=1e-12
    )
    assert c.gini == pytest.approx(0.6309, abs=1e-4)
    assert c.top_share(0.2) == pytest.approx(0.6742, abs=1e-4)
    t = kamkit.pyramid(spent)
    assert t.value_counts(sort=False).tolist() == [1886, 353, 94, 24]
