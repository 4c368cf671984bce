"""The ``kamkit`` command line, run in-process and as ``python -m kamkit``."""

from __future__ import annotations

import dataclasses
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
        # No progress when standard error is not a terminal: the summary line only.
        assert err == (
            "kamkit summarize: 6,919 input rows, 2,357 customers; "
            "wrote the customer archive to standard output\n"
        )

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
            np.testing.assert_array_equal(got["T_days"], want["T"].to_numpy())
            assert got.columns[0] == "customer_id"

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
    assert " s\nkamkit summarize: 6,919 input rows, 2,357 customers; wrote " in text
    plain = io.StringIO()
    progress = cli.Progress(2, stream=plain)
    progress("a step")
    progress.finish()
    assert plain.getvalue() == ""


# --------------------------------------------------------------------------- the capabilities


class TestTier:
    def test_tiers_equal_the_api(self, log, log_csv, capsys):
        code, out, err = run(["tier", str(log_csv), *COLS], capsys)
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
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        assert set(got["客户层级"]) == {"VIP客户", "主要客户", "普通客户", "小客户"}
        assert got.index.name == COLS[1]  # the id column keeps the input's name


class TestLifecycle:
    def test_stages(self, log, log_csv, capsys):
        code, out, err = run(["lifecycle", str(log_csv), *COLS], capsys)
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
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        np.testing.assert_allclose(got.sum(axis=1).dropna(), 1.0)


class TestClv:
    def test_clv_table(self, log_csv, capsys):
        code, out, err = run(["clv", str(log_csv), *COLS], capsys)
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
    assert (out / "warnings.csv").exists()


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
        panel = kamkit.period_panel(log, "customer_id", "date", "amount", period="M")
        code, out, err = run(["lifecycle", str(log_csv), *COLS, "--what", "warnings"], capsys)
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        want = kamkit.early_warning(log, seed=0)
        assert got.index.tolist() == want.index.tolist()
        # Money is written with two decimals.
        np.testing.assert_allclose(got["expected_loss"], want["expected_loss"], atol=0.005)
        # One meaning per name: tier over the whole history, tier_12m over the last year.
        assert got["tier"].tolist() == want["tier"].astype(str).tolist()
        assert got["tier_12m"].tolist() == want["tier_12m"].astype(str).tolist()
        code, out, err = run(["lifecycle", str(log_csv), *COLS, "--what", "tiers"], capsys)
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        want = kamkit.tier_history(panel)
        last = want.columns[-1]
        assert got[str(last)].tolist() == want[last].astype(str).tolist()

    def test_chinese_warnings(self, log_csv, capsys):
        code, out, err = run(
            ["lifecycle", str(log_csv), *COLS, "--what", "warnings", "--lang", "zh"], capsys
        )
        assert code == 0, err
        got = pd.read_csv(io.StringIO(out), index_col=0)
        assert "近12个月层级" in got
        assert (
            got["预警原因"]
            .str.contains(
                "长期未购买|收入下降|大客户采购放缓|进入衰退期|层级下降|购买间隔长于预警期"
                "|近期消费异常偏高|同类客户多已衰退|存活概率低"
            )
            .all()
        )


def test_clv_equals_the_models(log, log_csv, capsys):
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
        time_unit="W",
    )
    np.testing.assert_allclose(got["clv"], want.to_numpy(), rtol=0, atol=0.005)
    assert "T_weeks" in got and "recency_weeks" in got and "T" not in got
    np.testing.assert_allclose(got["p_alive"], bg.probability_alive(summary).to_numpy())


def test_clv_with_the_pareto_model(log, log_csv, capsys):
    code, out, err = run(["clv", str(log_csv), *COLS, "--model", "pareto"], capsys)
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out), index_col=0)
    summary = kamkit.summarize(log, "customer_id", "date", "amount", time_unit="W")
    model = kamkit.ParetoNBD().fit(summary)
    np.testing.assert_allclose(got["p_alive"], model.probability_alive(summary).to_numpy())


# --------------------------------------------------------------------------- order-line exports


def order_lines() -> pd.DataFrame:
    """An invoice-line export: orders of several lines, a return on a later day,
    a cancelled order, lines without a customer id, integer customer ids."""
    rows = [
        # invoice, item, quantity, unit price, date, customer
        ("A1", "x", 2, 1.5, "2021-01-05", 12346),
        ("A1", "y", 1, 10.0, "2021-01-05", 12346),
        ("A1", "z", 3, 0.1, "2021-01-05", 12346),
        ("A2", "x", 1, 1.5, "2021-03-01", 12346),
        ("C9", "x", -1, 1.5, "2021-04-01", 12346),  # a return on a later day
        ("B1", "x", 4, 2.0, "2021-01-10", 12347),
        ("B1", "y", 1, 3.0, "2021-01-10", 12347),
        ("B2", "x", 5, 2.0, "2021-02-10", 12347),
        ("CB2", "x", -5, 2.0, "2021-02-10", 12347),  # B2 cancelled the same day
        ("D1", "x", 1, 2.0, "2021-02-11", None),  # no customer id
        ("D2", "x", 1, 2.0, "2021-02-12", None),
        ("E1", "x", 1, 7.0, "2021-05-20", 12348),
        ("E2", "x", 2, 7.0, "2021-06-20", 12348),
        ("E2", "y", 1, 0.3, "2021-06-21", 12348),  # a late line of E2
        ("E3", "x", 1, 7.0, "2021-06-25", 12348),
    ]
    return pd.DataFrame(
        rows, columns=["Invoice", "StockCode", "Quantity", "UnitPrice", "InvoiceDate", "CustomerID"]
    )


LINE_COLS = [
    "--customer",
    "CustomerID",
    "--date",
    "InvoiceDate",
    "--amount",
    "Quantity * UnitPrice",
    "--order",
    "Invoice",
    "--missing",
    "drop",
]


@pytest.fixture(scope="module")
def lines_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lines") / "invoices.csv"
    order_lines().to_csv(path, index=False)
    return path


class TestOrderLines:
    def test_summarize_counts_orders_and_keeps_integer_ids(self, lines_csv, capsys, tmp_path):
        out = tmp_path / "archive.csv"
        code, _, err = run(["summarize", str(lines_csv), *LINE_COLS, "-o", str(out)], capsys)
        assert code == 0, err
        text = out.read_text(encoding="utf-8-sig")
        header, first = text.splitlines()[:2]
        # The id first, named as in the input; integer ids without ".0".
        assert header.split(",")[:4] == ["CustomerID", "frequency", "recency_days", "T_days"]
        assert first.split(",")[0] == "12346"
        got = pd.read_csv(out, index_col=0, encoding="utf-8-sig")
        assert got.index.dtype == np.int64 and got.index.tolist() == [12346, 12347, 12348]
        # Orders, not lines: A1, A2, C9 / B1, B2, CB2 / E1, E2, E3.
        assert got["n_transactions"].tolist() == [3, 3, 3]
        # The later-day return and the same-day cancellation are not purchases.
        assert got["frequency"].tolist() == [1, 0, 2]
        # The same as the API with the product column and order=.
        log = order_lines().assign(amount=lambda d: d.Quantity * d.UnitPrice)
        with pytest.warns(UserWarning):
            want = kamkit.summarize(
                log, "CustomerID", "InvoiceDate", "amount", order="Invoice", missing="drop"
            )
        np.testing.assert_allclose(got["revenue"], want["revenue"].round(2).to_numpy())
        # Money with two decimals, whatever the sum's rounding noise.
        revenue = [
            line.split(",")[header.split(",").index("revenue")] for line in text.splitlines()[1:]
        ]
        assert all(len(v.split(".")[1]) <= 2 for v in revenue if "." in v)
        # One warning for the rows without an id, once, and the summary line.
        assert err.count("dropped 2 rows") == 1
        assert err.strip().endswith(
            f"kamkit summarize: 15 input rows, 3 customers; wrote the customer archive to {out}"
        )

    def test_every_subcommand_takes_order_and_a_product_amount(self, lines_csv, capsys, tmp_path):
        for command in (["tier"], ["lifecycle", "--what", "warnings"], ["lifecycle"], ["clv"]):
            out = tmp_path / f"{command[0]}.csv"
            argv = [command[0], str(lines_csv), *LINE_COLS, *command[1:], "-o", str(out)]
            code, _, err = run(argv, capsys)
            assert code == 0, (command, err)
            got = pd.read_csv(out, encoding="utf-8-sig")
            assert got.columns[0] == "CustomerID"
            # (The warning list holds a fifth of the active customers: none of one.)
            assert got["CustomerID"].dtype == np.int64 or (len(got) == 0 and "warnings" in command)
            assert f"kamkit {command[0]}: 15 input rows, 3 customers; wrote" in err
        # The lifecycle panel dates E2's late line with its order (June).
        cols = kamkit.report.tables.LogColumns(
            "CustomerID", "InvoiceDate", "amount", missing="drop", order="Invoice"
        )
        log = order_lines().assign(amount=lambda d: d.Quantity * d.UnitPrice)
        log["InvoiceDate"] = pd.to_datetime(log["InvoiceDate"])
        rows = cols.orders(log)
        assert len(rows) == 9 + 2  # nine orders with a customer, two lines without one
        e2 = rows[(rows.Invoice == "E2")]
        assert e2["InvoiceDate"].tolist() == [pd.Timestamp("2021-06-20")]
        assert e2["amount"].tolist() == pytest.approx([14.3])
        # A line without an order id follows missing=, as summarize does.
        gap = log.copy()
        gap.loc[0, "Invoice"] = None
        with pytest.raises(ValueError, match="column 'Invoice': expected an order id"):
            dataclasses.replace(cols, missing="raise").orders(gap)
        with pytest.warns(kamkit.MissingValuesWarning, match="1 row without an order id"):
            assert len(cols.orders(gap)) == len(rows)

    def test_amount_errors_name_the_column(self, lines_csv, capsys, tmp_path):
        base = ["summarize", str(lines_csv), "--customer", "CustomerID", "--date", "InvoiceDate"]
        code, _, err = run([*base, "--amount", "Quantity*Price"], capsys)
        err = " ".join(err.split())
        assert code != 0 and "no column 'Price'" in err and "UnitPrice" in err
        bad = order_lines().assign(UnitPrice=lambda d: d.UnitPrice.astype(object))
        bad.loc[3, "UnitPrice"] = "1,50"
        path = tmp_path / "bad.csv"
        bad.to_csv(path, index=False)
        argv = ["summarize", str(path), "--customer", "CustomerID", "--date", "InvoiceDate"]
        code, _, err = run([*argv, "--amount", "Quantity*UnitPrice"], capsys)
        err = " ".join(err.split())
        assert code != 0
        assert "column 'UnitPrice'" in err and "expected numbers" in err and "'1,50'" in err
        code, _, err = run([*base, "--amount", "Quantity*"], capsys)
        assert code != 0 and "product of two columns" in err

    def test_chinese_csv_with_bom(self, lines_csv, capsys, tmp_path):
        out = tmp_path / "tiers.csv"
        argv = ["tier", str(lines_csv), *LINE_COLS, "--lang", "zh", "-o", str(out)]
        code, _, err = run(argv, capsys)
        assert code == 0, err
        assert (
            f"kamkit tier: 输入 15 行，客户 3 位；价值评分、客户层级和 RFM 细分已写入 {out}" in err
        )
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel on Windows reads it
        got = pd.read_csv(out, encoding="utf-8-sig")
        assert got.columns[0] == "CustomerID"
        # Every other column name is Chinese.
        assert all(re.search(r"[\u4e00-\u9fff]", c) for c in got.columns[1:] if c not in "RFM")
        assert {"客户年龄（天）", "客户层级", "价值评分", "净收入"} <= set(got.columns)
        plain = tmp_path / "plain.csv"
        code, _, err = run([*argv[:-1], str(plain), "--no-bom"], capsys)
        assert code == 0 and not plain.read_bytes().startswith(b"\xef\xbb\xbf")

    def test_report_files(self, lines_csv, capsys, tmp_path):
        out = tmp_path / "report"
        code, _, err = run(["report", str(lines_csv), *LINE_COLS, "-o", str(out)], capsys)
        assert code == 0, err
        assert err.count("dropped 2 rows") == 1  # each warning once
        assert "kamkit report: 15 input rows, 3 customers; wrote" in err
        tiers = pd.read_csv(out / "tiers.csv", encoding="utf-8-sig")
        assert tiers.columns[0] == "CustomerID" and tiers["CustomerID"].dtype == np.int64
        assert {"T_days", "recency_days", "tier", "stage", "stage_reason"} <= set(tiers.columns)
        # Every customer has a stage, or a reason why not.
        assert (tiers["stage"].notna() | tiers["stage_reason"].notna()).all()
        assert tiers["stage_reason"].notna().all()
        warnings_csv = out / "warnings.csv"
        if warnings_csv.exists():
            warned = pd.read_csv(warnings_csv, encoding="utf-8-sig")
            assert {"tier", "tier_12m"} <= set(warned.columns)
            # tier means what it means in tiers.csv.
            both = warned.merge(tiers, on="CustomerID", suffixes=("", "_tiers"))
            assert (both["tier"] == both["tier_tiers"]).all()
        html = (out / "report.html").read_text(encoding="utf-8")
        assert "P(alive) = 1" in html
        # One-time buyers' P(alive) = 1 is reconciled with their stage on their own rows.
        one_time = tiers["frequency"] == 0
        assert one_time.any()
        assert tiers.loc[one_time, "p_alive_note"].str.contains("one-time buyer").all()
        assert (tiers.loc[~one_time, "p_alive_note"] == "BG/NBD").all()


def test_stage_reason_names_customers_without_a_stage():
    stage = pd.Series(["stable", None, None], index=[1, 2, 3])
    first = pd.to_datetime(pd.Series(["2021-01-02", "2021-06-01", "2021-02-03"], index=[1, 2, 3]))
    last = pd.Period("2021-05", "M")
    reasons = kamkit.report.tables.stage_reasons(stage, last, first_purchase=first)
    assert reasons.tolist() == [
        "stage in 2021-05",
        "first purchase after 2021-05, the last full period: no stage yet",
        "no period with a positive net revenue up to 2021-05 (free items or returns only): "
        "no stage",
    ]
    assert kamkit.report.tables.recent_tier_name(12, "M") == "tier_12m"
    assert kamkit.report.tables.recent_tier_name(4, "Q") == "tier_4q"
