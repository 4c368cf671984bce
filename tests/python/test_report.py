"""The HTML report: self-contained, nine sections, the API's numbers, English and Chinese."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit.datasets import load_cdnow_sample
from kamkit.report import build_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return load_cdnow_sample()


@pytest.fixture(scope="module")
def report_en(log):
    return build_report(log, source="CDNOW sample")


@pytest.fixture(scope="module")
def report_zh(log):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = build_report(log, lang="zh")
    rep.caught = [str(w.message) for w in caught]
    return rep


def test_self_contained(report_en):
    doc = report_en.html
    assert "<script" not in doc.lower()
    assert "<link" not in doc.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", doc)
    assert "@import" not in doc and "url(http" not in doc
    for src in re.findall(r'<img[^>]*src="([^"]*)"', doc):
        assert src.startswith("data:image/svg+xml;base64,")


def test_nine_sections_in_order(report_en):
    positions = [report_en.html.index(f'<section id="s{k}">') for k in range(1, 10)]
    assert positions == sorted(positions)
    assert 'id="policy"' in report_en.html


def test_overview_numbers_are_the_archives(log, report_en):
    archive = kamkit.summarize(log, "customer_id", "date", "amount")
    n = report_en.numbers
    assert n["customers"] == len(archive) == 2357
    assert n["transactions"] == 6919
    assert n["revenue"] == pytest.approx(archive["revenue"].sum())
    assert n["repeat_buyers"] == int((archive["frequency"] > 0).sum())
    assert "6,919" in report_en.html and "2,357" in report_en.html
    assert f"{archive['revenue'].sum():,.2f}" in report_en.html


def test_pyramid_numbers_are_the_apis(log, report_en):
    archive = kamkit.summarize(log, "customer_id", "date", "amount")
    tiers = kamkit.pyramid(archive["revenue"])
    for tier, row in report_en.numbers["tiers"].items():
        assert row["customers"] == int((tiers == tier).sum())
        assert row["revenue"] == pytest.approx(archive["revenue"][tiers == tier].sum())
    assert report_en.tiers["tier"].value_counts().sum() == 2357


def test_concentration_numbers_are_the_apis(log, report_en):
    archive = kamkit.summarize(log, "customer_id", "date", "amount")
    conc = kamkit.concentration(archive["revenue"], negative="clip")
    assert report_en.numbers["gini"] == pytest.approx(conc.gini)
    assert f"{conc.gini:.3f}" in report_en.html
    assert f"{conc.top_share(0.2):.1%}" in report_en.html
    # second method for the Gini: the mean absolute difference over twice the mean
    v = archive["revenue"].clip(lower=0).to_numpy()
    gini = np.abs(v[:, None] - v[None, :]).mean() / (2 * v.mean())
    assert conc.gini == pytest.approx(gini, rel=1e-9)


def test_every_customer_is_in_the_tiers_file(report_en, tmp_path):
    paths = report_en.write(tmp_path)
    assert paths[0].name == "report.html"
    tiers = pd.read_csv(tmp_path / "tiers.csv", index_col=0)
    assert len(tiers) == 2357
    assert tiers.index.is_unique


def test_chinese_report(report_zh):
    doc = report_zh.html
    assert '<html lang="zh-CN">' in doc
    for heading in (
        "数据概览",
        "客户金字塔",
        "洛伦兹曲线",
        "RFM",
        "迁移",
        "生命周期",
        "预警",
        "终身价值",
        "服务策略",
    ):
        assert heading in doc
    assert "退货" in doc  # the stated policy, in Chinese
    # every Chinese glyph of the figures came from a font that has it
    assert not [m for m in report_zh.caught if "missing from font" in m]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_renders_in_headless_chromium(report_zh, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report_zh.html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        # Chromium is not kamkit: keep a preloaded sanitizer runtime (.ci/sanitize) out of it.
        env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")},
    )
    from matplotlib.image import imread

    image = imread(shot)
    assert image.shape[:2] == (1600, 1200)
    # not a blank page: the header band and the text make dark pixels
    assert (image[..., :3].mean(axis=2) < 0.3).mean() > 0.02


def test_lifecycle_and_warning_numbers_are_the_apis(log, report_en):
    panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
    stages = kamkit.lifecycle_stages(panel)
    last = panel.attrs.get("last_full_period", stages.columns[-1])
    counts = stages[last].value_counts()
    for stage, n in report_en.numbers["stages_last"].items():
        assert n == counts.get(stage, 0)
    warns = kamkit.early_warning(log, horizon=90, seed=0)
    assert report_en.numbers["warnings"] == len(warns)
    assert report_en.numbers["expected_loss"] == pytest.approx(warns["expected_loss"].sum())
    assert f"The work list holds {len(warns):,} customers" in report_en.html
    assert report_en.warnings.index.tolist() == warns.index.tolist()


def test_clv_numbers_are_the_models(log, report_en):
    summary = kamkit.summarize(log, "customer_id", "date", "amount", time_unit="W")
    # The purchase model that forecast a 91-day holdout best, named in the report.
    best = kamkit.select_model(log).attrs["best"]
    assert report_en.numbers["clv_model"] == best
    from kamkit.models.selection import MODEL_NAMES, PURCHASE_MODELS

    assert f"{MODEL_NAMES[best]} for purchases" in report_en.html
    bg = PURCHASE_MODELS[best]().fit(summary)
    with pytest.warns(kamkit.SpendExclusionWarning):
        gg = kamkit.GammaGamma().fit(summary)
    clv = gg.customer_lifetime_value(
        bg,
        summary["frequency"],
        summary["recency"],
        summary["T"],
        summary["monetary_value"],
        time=12,
        discount_rate=0.01,
        time_unit="W",
    )
    assert report_en.numbers["clv_total"] == pytest.approx(clv.sum())
    np.testing.assert_allclose(report_en.tiers["clv"], clv.to_numpy())
    assert f"{clv.sum():,.2f}" in report_en.html


def test_candidate_numbers_are_the_apis(log, report_en):
    panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
    up = kamkit.upgrade_candidates(panel, window=3, min_growth=0.5, tier_window=12)
    down = kamkit.phase_out_candidates(panel, periods=12, max_growth=0.0, tier_window=12)
    assert report_en.numbers["upgrade_candidates"] == len(up)
    assert report_en.numbers["phase_out_candidates"] == len(down)
    assert sorted(report_en.tiers.index[report_en.tiers["upgrade_candidate"]]) == sorted(up.index)
    assert f"{len(down):,}" in report_en.html


def test_clv_totals_never_skip_a_customer_silently(log, monkeypatch):
    from kamkit.report import sections

    real = sections.clv_values

    def one_nan(*args, **kwargs):
        values, model, fitted, excluded = real(*args, **kwargs)
        values = values.copy()
        values.iloc[0, values.columns.get_loc("clv")] = np.nan
        return values, model, fitted, excluded

    monkeypatch.setattr(sections, "clv_values", one_nan)
    rep = build_report(log, source="CDNOW sample")
    assert "clv_total" not in rep.numbers
    assert "1 of 2,357 customers got no lifetime value" in rep.html
