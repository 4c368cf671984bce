"""kamkit.plotting: what is drawn equals kamkit's numbers (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit import plotting
from kamkit.datasets import load_cdnow_sample


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return load_cdnow_sample()


@pytest.fixture(scope="module")
def archive(log) -> pd.DataFrame:
    return kamkit.summarize(log, "customer_id", "date", "amount")


def _tiers(codes: list[int]) -> pd.Series:
    cats = ["small", "ordinary", "major", "VIP"]
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=True))


# --------------------------------------------------------------------------- pyramid


def test_pyramid_counts_without_values():
    tiers = _tiers([0] * 8 + [1] * 3 + [2, 3])
    ax = plotting.pyramid(tiers)
    widths = [p.get_width() for p in ax.patches]
    assert widths == [8, 3, 1, 1]  # lowest tier first, as the categories
    assert [t.get_text() for t in ax.get_yticklabels()] == ["small", "ordinary", "major", "VIP"]


def test_pyramid_shares_with_values_hand_computed():
    tiers = _tiers([0, 0, 0, 1, 3])
    values = pd.Series([1.0, 1.0, 2.0, 6.0, 10.0])
    ax = plotting.pyramid(tiers, values)
    left = [p.get_width() for p in ax.patches[:4]]
    right = [p.get_width() for p in ax.patches[4:]]
    np.testing.assert_allclose(left, [-60.0, -20.0, 0.0, -20.0])
    np.testing.assert_allclose(right, [20.0, 30.0, 0.0, 50.0])


def test_pyramid_bars_equal_the_api_counts(archive):
    tiers = kamkit.pyramid(archive["revenue"])
    ax = plotting.pyramid(tiers)
    counts = tiers.value_counts().reindex(tiers.cat.categories)
    assert [p.get_width() for p in ax.patches] == counts.tolist()
    assert sum(p.get_width() for p in ax.patches) == 2357


def test_chinese_labels():
    tiers = _tiers([0, 1, 2, 3])
    ax = plotting.pyramid(tiers, lang="zh")
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "小客户",
        "普通客户",
        "主要客户",
        "VIP客户",
    ]


# --------------------------------------------------------------------------- lorenz


def test_lorenz_curve_and_marks_equal_the_api(archive):
    conc = kamkit.concentration(archive["revenue"], negative="clip")
    ax = plotting.lorenz(conc)
    x, y = ax.lines[0].get_data()
    # largest customers first: at 20% of customers the curve gives top_share(0.2)
    assert np.interp(0.2, x, y) == pytest.approx(conc.top_share(0.2), abs=1e-3)
    assert any(f"{conc.gini:.3f}" in t.get_text() for t in ax.texts)
    # second method: the top 20% of customers by a plain sort
    v = np.sort(archive["revenue"].clip(lower=0).to_numpy())[::-1]
    k = round(0.2 * len(v))
    assert v[:k].sum() / v.sum() == pytest.approx(conc.top_share(0.2), abs=1e-3)


# --------------------------------------------------------------------------- heatmaps


def test_rfm_heatmap_counts_hand_made():
    rfm = pd.DataFrame({"R": [1, 1, 2, 2, 2, 3], "F": [1, 1, 3, 3, 1, 2]})
    ax = plotting.rfm_heatmap(rfm)
    image = ax.images[0].get_array()
    # rows: R from 3 down to 1; columns: F 1..3
    np.testing.assert_array_equal(image, [[0, 1, 0], [1, 0, 2], [2, 0, 0]])


def test_rfm_heatmap_equals_a_crosstab(archive):
    rfm = kamkit.rfm_scores(archive)
    ax = plotting.rfm_heatmap(rfm)
    want = pd.crosstab(rfm["R"], rfm["F"]).reindex(index=range(5, 0, -1), columns=range(1, 6))
    np.testing.assert_array_equal(ax.images[0].get_array(), want.fillna(0).to_numpy())
    assert ax.images[0].get_array().sum() == 2357


def test_transition_heatmap_of_a_frame():
    P = pd.DataFrame([[0.9, 0.1], [0.25, 0.75]], index=["a", "b"], columns=["a", "b"])
    ax = plotting.transition_heatmap(P)
    np.testing.assert_allclose(ax.images[0].get_array(), P.to_numpy())
    assert {t.get_text() for t in ax.texts} == {"90%", "10%", "25%", "75%"}


def test_transition_heatmap_equals_the_api(log):
    panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="Q")
    moves = kamkit.transitions(kamkit.tier_history(panel))
    ax = plotting.transition_heatmap(moves)
    np.testing.assert_allclose(ax.images[0].get_array(), moves.probabilities.to_numpy())
    ax = plotting.transition_heatmap(moves, probabilities=False)
    np.testing.assert_allclose(ax.images[0].get_array(), moves.counts.to_numpy())


# --------------------------------------------------------------------------- stages


def test_stage_flow_hand_made():
    cats = ["identification", "development", "stable", "decline", "churned", "reactivated"]

    def col(values):
        return pd.Categorical(values, categories=cats, ordered=True)

    stages = pd.DataFrame(
        {
            "2020-01": col(["identification", None, None]),
            "2020-02": col(["development", "identification", None]),
            "2020-03": col(["stable", "decline", "identification"]),
        }
    )
    ax = plotting.stage_flow(stages)
    containers = ax.containers
    assert len(containers) == 6
    heights = {c.get_label(): [b.get_height() for b in c] for c in containers}
    assert heights["identification"] == [1, 1, 1]
    assert heights["development"] == [0, 1, 0]
    assert heights["decline"] == [0, 0, 1]
    assert heights["churned"] == [0, 0, 0]


def test_stage_flow_equals_the_api(log):
    stages = kamkit.lifecycle_stages(kamkit.period_panel(log, "customer_id", "date", "amount"))
    ax = plotting.stage_flow(stages)
    last = stages.columns[-1]
    counts = stages[last].value_counts()
    for container in ax.containers:
        assert container[-1].get_height() == counts.get(container.get_label(), 0)


# --------------------------------------------------------------------------- models


class _Exp:
    """A stand-in model with closed-form predictions."""

    def probability_alive(self, x, t_x, T):
        return np.exp(-(np.asarray(T) - np.asarray(t_x)) / 10.0)

    def conditional_expected_purchases(self, t, x, t_x, T):
        return np.asarray(t) * (np.asarray(x) + 1) / 100.0


def test_p_alive_history_follows_the_purchases():
    log = pd.DataFrame(
        {
            "customer_id": [7, 7, 7, 8],
            "date": pd.to_datetime(["2020-01-01", "2020-01-11", "2020-01-31", "2020-02-10"]),
        }
    )
    ax = plotting.p_alive_history(_Exp(), log, 7)
    t, p = ax.lines[0].get_data()
    assert t[0] == 0 and t[-1] == 40  # up to the log's last day
    # P(alive) = exp(-(t - last purchase)/10): 1 at each purchase
    np.testing.assert_allclose(p[[0, 10, 30]], 1.0)
    assert p[20] == pytest.approx(np.exp(-1.0))
    assert p[40] == pytest.approx(np.exp(-1.0))
    assert len(ax.lines) == 1 + 3  # the curve and one line per purchase day


def test_calibration_vs_holdout_means():
    ch = pd.DataFrame(
        {
            "frequency_cal": [0, 0, 1, 2, 9],
            "recency_cal": [0, 0, 5, 8, 9],
            "T_cal": [10, 10, 10, 10, 10],
            "frequency_holdout": [0, 2, 1, 3, 5],
            "duration_holdout": [10, 10, 10, 10, 10],
        }
    )
    ax = plotting.calibration_vs_holdout(_Exp(), ch, n=2)
    x, actual = ax.lines[0].get_data()
    _, model = ax.lines[1].get_data()
    assert list(x) == [0, 1, 2]
    np.testing.assert_allclose(actual, [1.0, 1.0, 4.0])
    np.testing.assert_allclose(model, [0.1, 0.2, (0.3 + 1.0) / 2])


def test_frequency_recency_matrix_grid():
    ax = plotting.frequency_recency_matrix(_Exp(), T=4, t=2, max_frequency=3, kind="expected")
    z = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert z.shape == (5, 4)
    # top row: recency 4 = T; no customer has frequency 0 and recency 4
    np.testing.assert_allclose(z[0], [np.nan, 0.04, 0.06, 0.08])
    np.testing.assert_allclose(z[-1], [0.02, 0.04, 0.06, 0.08])  # recency 0
    ax = plotting.frequency_recency_matrix(_Exp(), T=4, max_frequency=1, kind="p_alive")
    z = np.ma.filled(ax.images[0].get_array(), np.nan)
    np.testing.assert_allclose(z[:, 1], np.exp(-(4 - np.arange(4, -1, -1)) / 10.0))
    assert np.isnan(z[:-1, 0]).all() and z[-1, 0] == pytest.approx(np.exp(-0.4))


def test_calibration_vs_holdout_equals_the_models_table(log):
    ch = kamkit.calibration_holdout(
        log, "customer_id", "date", calibration_end="1997-09-30", time_unit="W"
    )
    cal = ch.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T"})
    model = kamkit.BetaGeo().fit(cal[["frequency", "recency", "T"]])
    ax = plotting.calibration_vs_holdout(model, ch, n=7)
    table = model.holdout_table(ch, max_frequency=7)
    np.testing.assert_allclose(ax.lines[0].get_data()[1], table["actual"].to_numpy())
    np.testing.assert_allclose(ax.lines[1].get_data()[1], table["predicted"].to_numpy(), rtol=1e-9)


def test_the_import_error_names_the_extra(monkeypatch):
    import importlib
    import sys

    from kamkit import _optional

    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real(name, *args, **kwargs)

    saved = sys.modules.pop("kamkit.plotting")
    monkeypatch.setattr(_optional.importlib, "import_module", fake)
    try:
        with pytest.raises(ImportError, match=r'pip install "kamkit\[plot\]"'):
            importlib.import_module("kamkit.plotting")
    finally:
        sys.modules["kamkit.plotting"] = saved


def test_cjk_font_is_found():
    # Debian's fonts-noto-cjk; needed for Chinese figures in the report.
    assert plotting.cjk_font() is not None


def test_cjk_font_installed_after_the_font_cache(monkeypatch):
    from matplotlib import font_manager

    kept = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)
    assert plotting.cjk_font() is not None  # found again in the system font folders


def test_chinese_labels_render_without_missing_glyphs():
    import warnings

    tiers = _tiers([0, 0, 1, 2, 3])
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        ax = plotting.pyramid(tiers, pd.Series([1.0, 2.0, 3.0, 4.0, 5.0]), lang="zh")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise
            ax.figure.canvas.draw()


class _LifetimesNames:
    """The stand-in with the lifetimes method names only."""

    def conditional_probability_alive(self, x, t_x, T):
        return _Exp().probability_alive(x, t_x, T)


def test_model_plots_take_lifetimes_names_with_a_warning():
    with pytest.warns(FutureWarning, match="kamkit.BetaGeo"):
        ax = plotting.frequency_recency_matrix(
            _LifetimesNames(), T=4, max_frequency=1, kind="p_alive"
        )
    z = np.ma.filled(ax.images[0].get_array(), np.nan)
    np.testing.assert_allclose(z[:, 1], np.exp(-(4 - np.arange(4, -1, -1)) / 10.0))
    with pytest.raises(TypeError, match="probability_alive"):
        plotting.frequency_recency_matrix(object(), T=4, kind="p_alive")
