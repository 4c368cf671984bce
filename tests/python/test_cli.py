"""The ``kamkit`` command line, run in-process and as ``python -m kamkit``."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit import cli
from kamkit.datasets import load_cdnow_sample

PYTHON_DIR = Path(kamkit.__file__).resolve().parents[1]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_module(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PYTHON_DIR), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "kamkit", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def assert_one_paragraph(err: str, *words: str) -> None:
    assert "Traceback" not in err
    assert err.startswith("kamkit")
    assert "\n\n" not in err.strip()
    for word in words:
        assert word in err, (word, err)


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return load_cdnow_sample()


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory: pytest.TempPathFactory, log: pd.DataFrame) -> Path:
    path = tmp_path_factory.mktemp("input") / "sales.csv"
    log.rename(columns={"customer_id": "cust", "amount": "sales"}).to_csv(path, index=False)
    return path


COLS = ["--customer", "cust", "--date", "date", "--amount", "sales"]


# --------------------------------------------------------------------------- summarize


class TestSummarize:
    def test_csv_to_stdout_equals_the_api(self, log, log_csv, capsys):
        code, out, err = run(["summarize", str(log_csv), *COLS], capsys)
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        want = kamkit.summarize(log, "customer_id", "date", "amount")
        assert len(got) == 2357
        np.testing.assert_allclose(got["revenue"], want["revenue"].to_numpy())
        np.testing.assert_array_equal(got["frequency"], want["frequency"].to_numpy())
        assert err == ""  # no progress when standard error is not a terminal

    def test_parquet_and_excel_input_and_parquet_output(self, log, tmp_path, capsys):
        small = log[log["customer_id"] <= 50]
        parquet = tmp_path / "log.parquet"
        small.to_parquet(parquet)
        excel = tmp_path / "log.xlsx"
        small.to_excel(excel, index=False)
        want = kamkit.summarize(small, "customer_id", "date", "amount")
        for source in (parquet, excel):
            out = tmp_path / f"{source.stem}-{source.suffix[1:]}.parquet"
            code, _, err = run(["summarize", str(source), "--out", str(out)], capsys)
            assert code == 0, err
            got = pd.read_parquet(out)
            np.testing.assert_allclose(got["revenue"], want["revenue"].to_numpy())
            np.testing.assert_array_equal(got["T"], want["T"].to_numpy())

    def test_whitespace_text_file_with_numeric_dates(self, data_dir, capsys, tmp_path):
        # The master file: fields separated by spaces, dates written as 19970101.
        out = tmp_path / "archive.csv"
        code, _, err = run(
            [
                "summarize",
                str(data_dir / "cdnow" / "CDNOW_master.txt"),
                "--amount",
                "dollar_value",
                "--out",
                str(out),
            ],
            capsys,
        )
        assert code == 0, err
        got = pd.read_csv(out)
        assert len(got) == 23570  # published: 23,570 customers
        assert got["revenue"].sum() == pytest.approx(2_500_315.63)  # published total

    def test_missing_values_raise_then_drop(self, log, tmp_path, capsys):
        frame = log.head(200).copy()
        frame.loc[frame.index[:3], "amount"] = np.nan
        path = tmp_path / "gaps.csv"
        frame.to_csv(path, index=False)
        code, _, err = run(["summarize", str(path), "--amount", "amount"], capsys)
        assert code == 1
        assert_one_paragraph(err, "'amount'", "3 rows", "--missing drop")
        code, out, err = run(
            ["summarize", str(path), "--amount", "amount", "--missing", "drop"], capsys
        )
        assert code == 0, err
        # the warning is one line on standard error, without a file name
        assert err.startswith("kamkit summarize: warning: transactions: dropped 3 rows")
        assert ".py" not in err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        assert got["n_transactions"].sum() == 197


# --------------------------------------------------------------------------- errors


class TestErrors:
    def test_wrong_column_names_the_flag_and_the_columns(self, log_csv, capsys):
        code, out, err = run(["summarize", str(log_csv), "--customer", "customer_id"], capsys)
        assert code == 1
        assert out == ""
        assert_one_paragraph(err, "'customer_id'", "--customer", "'cust'")

    def test_missing_file(self, tmp_path, capsys):
        code, _, err = run(["tier", str(tmp_path / "nope.csv")], capsys)
        assert code in (1, 3)
        assert "Traceback" not in err

    def test_missing_file_for_summarize(self, tmp_path, capsys):
        code, _, err = run(["summarize", str(tmp_path / "nope.csv")], capsys)
        assert code == 1
        assert_one_paragraph(err, "does not exist", "nope.csv")

    def test_unknown_type_empty_file_and_folder(self, tmp_path, capsys):
        odd = tmp_path / "log.json"
        odd.write_text("{}")
        code, _, err = run(["summarize", str(odd)], capsys)
        assert code == 1
        assert_one_paragraph(err, "'.json'", "Parquet")
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        code, _, err = run(["summarize", str(empty)], capsys)
        assert code == 1
        assert_one_paragraph(err, "empty")
        code, _, err = run(["summarize", str(tmp_path)], capsys)
        assert code == 1
        assert_one_paragraph(err, "folder")

    def test_text_in_the_amount_column(self, tmp_path, capsys):
        path = tmp_path / "bad.csv"
        path.write_text("customer_id,date,amount\n1,2020-01-01,10\n2,2020-01-02,abc\n")
        code, _, err = run(["summarize", str(path), "--amount", "amount"], capsys)
        assert code == 1
        assert_one_paragraph(err, "'amount'", "'abc'", "1 row")

    def test_unparseable_dates(self, tmp_path, capsys):
        path = tmp_path / "bad.csv"
        path.write_text("customer_id,date,amount\n1,2020-01-01,10\n2,someday,3\n")
        code, _, err = run(["summarize", str(path)], capsys)
        assert code == 1
        assert_one_paragraph(err, "'date'", "'someday'")

    def test_damaged_parquet(self, tmp_path, capsys):
        path = tmp_path / "log.parquet"
        path.write_bytes(b"this is not parquet")
        code, _, err = run(["summarize", str(path)], capsys)
        assert code == 1
        assert_one_paragraph(err, "log.parquet", "cannot be read")

    def test_errors_as_a_subprocess(self, tmp_path, log_csv):
        result = run_module(
            ["summarize", str(log_csv), "--customer", "cust", "--date", "day"], tmp_path
        )
        assert result.returncode == 1
        assert result.stdout == ""
        assert_one_paragraph(result.stderr, "'day'", "--date")


# --------------------------------------------------------------------------- progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal(log_csv, capsys, monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    code = cli.main(["summarize", str(log_csv), *COLS, "--out", os.devnull])
    assert code == 0
    text = tty.getvalue()
    assert re.search(r"\[1/2\] reading .*sales\.csv", text)
    assert "[2/2] building the customer archive" in text
    assert text.endswith(" s\n")
    plain = io.StringIO()
    progress = cli.Progress(2, stream=plain)
    progress("a step")
    progress.finish()
    assert plain.getvalue() == ""


# --------------------------------------------------------------------------- the capabilities


def _available(*names: str) -> bool:
    return all(hasattr(kamkit, n) for n in names)


class TestTier:
    def test_tiers_equal_the_api(self, log, log_csv, capsys):
        code, out, err = run(["tier", str(log_csv), *COLS], capsys)
        if not _available("value_score", "pyramid"):
            assert code == cli.EXIT_UNAVAILABLE
            assert_one_paragraph(err, "kamkit.pyramid")
            return
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        archive = kamkit.summarize(log, "customer_id", "date", "amount")
        want = kamkit.pyramid(archive["revenue"])
        assert got["tier"].value_counts().to_dict() == want.value_counts().to_dict()
        # the textbook shares: 1%, 4%, 15%, 80% of 2,357 customers
        counts = got["tier"].value_counts()
        assert counts["VIP"] == round(0.01 * 2357)
        assert counts.sum() == 2357

    def test_chinese_labels(self, log_csv, capsys):
        code, out, err = run(["tier", str(log_csv), *COLS, "--lang", "zh"], capsys)
        if not _available("value_score", "pyramid"):
            assert code == cli.EXIT_UNAVAILABLE
            return
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        assert set(got["tier"]) == {"VIP客户", "主要客户", "普通客户", "小客户"}


class TestLifecycle:
    def test_stages(self, log, log_csv, capsys):
        code, out, err = run(["lifecycle", str(log_csv), *COLS], capsys)
        if not _available("period_panel", "lifecycle_stages"):
            assert code == cli.EXIT_UNAVAILABLE
            assert_one_paragraph(err, "kamkit.")
            return
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
        want = kamkit.lifecycle_stages(panel)
        assert got.shape == want.shape
        last = want.columns[-1]
        assert (
            got[str(last)].value_counts().to_dict()
            == want[last].astype(object).value_counts().to_dict()
        )

    def test_transitions_rows_sum_to_one(self, log_csv, capsys):
        code, out, err = run(
            ["lifecycle", str(log_csv), *COLS, "--what", "transitions", "--probabilities"], capsys
        )
        if not _available("period_panel", "lifecycle_stages", "transitions"):
            assert code == cli.EXIT_UNAVAILABLE
            return
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        np.testing.assert_allclose(got.sum(axis=1).dropna(), 1.0)


class TestClv:
    def test_clv_table(self, log_csv, capsys):
        code, out, err = run(["clv", str(log_csv), *COLS], capsys)
        if not _available("BetaGeo", "GammaGamma"):
            assert code == cli.EXIT_UNAVAILABLE
            assert_one_paragraph(err, "kamkit.BetaGeo")
            return
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        assert len(got) == 2357
        assert got["p_alive"].between(0, 1).all()
        assert np.isfinite(got["clv"]).all()


# --------------------------------------------------------------------------- report and demo


def test_demo_in_process(tmp_path, log, capsys):
    out = tmp_path / "demo"
    code, stdout, err = run(["demo", "--out", str(out)], capsys)
    assert code == 0, err
    html = (out / "report.html").read_text(encoding="utf-8")
    archive = kamkit.summarize(log, "customer_id", "date", "amount")
    # The summary printed for a newcomer carries the API's figures.
    conc = kamkit.concentration(archive["revenue"])
    assert f"Gini {conc.gini:.3f}" in stdout
    assert f"bring {conc.top_share(0.2):.1%} of revenue" in stdout
    assert "2,357 customers" in stdout
    assert f"{len(log):,}" in html
    assert f"{len(archive):,}" in html
    for k in range(1, 10):
        assert f'id="s{k}"' in html
    tiers = pd.read_csv(out / "tiers.csv", index_col=0)
    assert len(tiers) == 2357
    assert (out / "warnings.csv").exists() == hasattr(kamkit, "early_warning")


def test_demo_as_a_subprocess_default_folder(tmp_path):
    result = run_module(["demo"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "kamkit-demo" / "report.html").exists()
    assert (tmp_path / "kamkit-demo" / "tiers.csv").exists()


def test_report_of_a_log_with_returns(tmp_path, capsys):
    rows = [
        ("a", "2020-01-05", 100.0),
        ("a", "2020-02-05", 80.0),
        ("a", "2020-03-05", -30.0),  # a return
        ("b", "2020-01-10", 50.0),
        ("b", "2020-01-20", -50.0),  # returned everything: net zero
        ("c", "2020-02-01", 20.0),
        ("c", "2020-02-15", -35.0),  # net negative
        ("d", "2020-01-02", 10.0),
        ("d", "2020-03-20", 15.0),
        ("e", "2020-03-01", 60.0),
    ]
    frame = pd.DataFrame(rows, columns=["who", "when", "net"])
    path = tmp_path / "returns.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "rep"
    code, _, err = run(
        [
            "report",
            str(path),
            "--customer",
            "who",
            "--date",
            "when",
            "--amount",
            "net",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="policy"' in html
    # 3 return rows totalling -115; customers b (0) and c (-15) net to zero or less
    assert "3 return rows totalling -115.00" in html
    assert "2 customers have a net revenue of zero or less (their net total: -15.00)" in html
    tiers = pd.read_csv(out / "tiers.csv", index_col=0)
    assert sorted(tiers.index) == ["a", "b", "c", "d", "e"]


class TestLifecycleOutputs:
    def test_warnings_and_tiers_equal_the_api(self, log, log_csv, capsys):
        if not _available("period_panel", "early_warning", "tier_history"):
            pytest.skip("lifecycle functions are not available")
        panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
        code, out, err = run(["lifecycle", str(log_csv), *COLS, "--what", "warnings"], capsys)
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        want = kamkit.early_warning(log, seed=0)
        assert got.index.tolist() == want.index.tolist()
        np.testing.assert_allclose(got["expected_loss"], want["expected_loss"])
        code, out, err = run(["lifecycle", str(log_csv), *COLS, "--what", "tiers"], capsys)
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        want = kamkit.tier_history(panel)
        last = want.columns[-1]
        assert got[str(last)].tolist() == want[last].astype(str).tolist()

    def test_chinese_warnings(self, log_csv, capsys):
        if not _available("period_panel", "early_warning"):
            pytest.skip("lifecycle functions are not available")
        code, out, err = run(
            ["lifecycle", str(log_csv), *COLS, "--what", "warnings", "--lang", "zh"], capsys
        )
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        assert (
            got["reasons"]
            .str.contains(
                "长期未购买|收入下降|大客户采购放缓|进入衰退期|层级下降|购买间隔长于预警期"
                "|近期消费异常偏高|同类客户多已衰退|存活概率低"
            )
            .all()
        )


def test_clv_equals_the_models(log, log_csv, capsys):
    if not _available("BetaGeo", "GammaGamma"):
        pytest.skip("the models are not available")
    code, out, err = run(["clv", str(log_csv), *COLS, "--horizon", "6"], capsys)
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out), index_col=0)
    summary = kamkit.summarize(log, "customer_id", "date", "amount", time_unit="W")
    # By default the purchase model that forecast a 91-day holdout best, named on stderr.
    from kamkit.models.selection import MODEL_NAMES, PURCHASE_MODELS

    best = kamkit.select_model(log).attrs["best"]
    assert f"purchase model {MODEL_NAMES[best]}:" in err
    bg = PURCHASE_MODELS[best]().fit(summary)
    with pytest.warns(kamkit.SpendExclusionWarning):
        gg = kamkit.GammaGamma().fit(summary)
    want = gg.customer_lifetime_value(
        bg,
        summary["frequency"],
        summary["recency"],
        summary["T"],
        summary["monetary_value"],
        time=6,
        discount_rate=0.01,
        freq="W",
    )
    np.testing.assert_allclose(got["clv"], want.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(got["p_alive"], bg.probability_alive(summary).to_numpy())


def test_unavailable_model_exits_with_a_message(log_csv, capsys):
    code, _, err = run(["clv", str(log_csv), *COLS, "--model", "pareto"], capsys)
    if code == 0:
        return  # this build has the Pareto/NBD core
    assert code == cli.EXIT_UNAVAILABLE
    assert_one_paragraph(err, "Pareto")
