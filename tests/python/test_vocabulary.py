"""Renamed arguments: the old names still work, with a FutureWarning naming the new one."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import kamkit  # noqa: E402
from kamkit import cli, plotting  # noqa: E402
from kamkit.datasets import load_cdnow_sample  # noqa: E402


@pytest.fixture(scope="module")
def log():
    return load_cdnow_sample()


@pytest.fixture(scope="module")
def archive(log):
    return kamkit.summarize(log, amount="amount", time_unit="W", observation_end="1997-09-30")


def _same(old, new):
    if isinstance(new, pd.DataFrame):
        pd.testing.assert_frame_equal(old, new)
    elif isinstance(new, pd.Series):
        pd.testing.assert_series_equal(old, new)
    else:
        assert old == new


def _check(func, old: str, new: str, value, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        want = func(*args, **{new: value}, **kwargs)
    with pytest.warns(FutureWarning, match=rf"'{old}' is deprecated; use '{new}'"):
        got = func(*args, **{old: value}, **kwargs)
    _same(got, want)
    with pytest.raises(TypeError, match=f"pass '{new}' only"):
        func(*args, **{old: value, new: value}, **kwargs)


def test_summarize_granularity_and_value_period(log):
    _check(kamkit.summarize, "freq", "granularity", "W", log)
    _check(kamkit.summarize, "period", "value_period", "M", log)


def test_calibration_holdout_granularity(log):
    _check(
        kamkit.calibration_holdout, "freq", "granularity", "W", log, calibration_end="1997-09-30"
    )


def test_archive_argument_is_called_archive(archive):
    _check(kamkit.value_score, "customers", "archive", archive, missing="median")
    _check(kamkit.default_criteria, "customers", "archive", archive)
    _check(kamkit.rfm_scores, "summary", "archive", archive)
    _check(kamkit.profitability, "customers", "archive", archive, margin=0.2)


def test_assign_managers_archive(archive):
    tiers = kamkit.pyramid(archive["revenue"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        want = kamkit.assign_managers(archive=archive, tier=tiers, managers=200)
    with pytest.warns(FutureWarning, match="'customers' is deprecated; use 'archive'"):
        got = kamkit.assign_managers(customers=archive, tier=tiers, managers=200)
    pd.testing.assert_frame_equal(got.assignment, want.assignment)


def test_clv_time_unit(archive):
    bg = kamkit.BetaGeo().fit(archive)
    gg = kamkit.GammaGamma().fit(archive[archive["frequency"] > 0])
    cols = [archive[c] for c in ("frequency", "recency", "T", "monetary_value")]
    _check(gg.customer_lifetime_value, "freq", "time_unit", "W", bg, *cols, time=6)
    _check(bg.customer_lifetime_value, "freq", "time_unit", "W", *cols[:3], cols[3], time=6)


def test_p_alive_history_time_unit(log, archive):
    bg = kamkit.BetaGeo().fit(archive)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        want = plotting.p_alive_history(bg, log, 1, time_unit="W").lines[0].get_ydata()
    with pytest.warns(FutureWarning, match="'freq' is deprecated; use 'time_unit'"):
        got = plotting.p_alive_history(bg, log, 1, freq="W").lines[0].get_ydata()
    assert list(got) == list(want)


def test_cli_old_flags_still_work(tmp_path, log, capsys):
    path = tmp_path / "log.csv"
    log.head(500).to_csv(path, index=False)
    assert cli.main(["summarize", str(path), "--granularity", "W", "--value-period", "M"]) == 0
    new = capsys.readouterr()
    assert cli.main(["summarize", str(path), "--freq", "W", "--period", "M"]) == 0
    old = capsys.readouterr()
    assert old.out == new.out
    assert "--freq is deprecated; use --granularity" in old.err
    assert "--period is deprecated; use --value-period" in old.err
    frame = pd.read_csv(io.StringIO(new.out), index_col=0)
    assert len(frame) == log.head(500)["customer_id"].nunique()
