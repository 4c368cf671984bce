"""Order-line logs: orders, returns, cancellations, blank and integer ids."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import kamkit


def order_lines() -> pd.DataFrame:
    """An invoice-line export as a wholesaler writes it.

    Customer 12346: order A of three lines on Jan 2, order B of two lines on
    Jan 9, and on Jan 20 a return of one line of A (its own invoice CA).
    Customer 12347: order C on Jan 3, cancelled the same day (invoice CC).
    Customer 12348: one order on Jan 4 and a free sample (amount 0) on Jan 6.
    Customer 12349: only a return (of something bought before the log).
    Two lines without a customer id (walk-in sales).
    """
    rows = [
        # customer, invoice, timestamp, quantity, unit price
        (12346, "A", "2024-01-02 10:00", 2, 5.0),
        (12346, "A", "2024-01-02 10:00", 1, 12.5),
        (12346, "A", "2024-01-02 10:01", 4, 1.25),
        (12346, "B", "2024-01-09 16:30", 3, 2.0),
        (12346, "B", "2024-01-09 16:30", 1, 0.99),
        (12346, "CA", "2024-01-20 09:00", -1, 12.5),
        (12347, "C", "2024-01-03 11:00", 10, 3.0),
        (12347, "C", "2024-01-03 11:00", 5, 1.1),
        (12347, "CC", "2024-01-03 15:00", -10, 3.0),
        (12347, "CC", "2024-01-03 15:00", -5, 1.1),
        (12348, "D", "2024-01-04 08:00", 1, 100.0),
        (12348, "E", "2024-01-06 08:00", 1, 0.0),
        (12349, "CF", "2024-01-10 12:00", -2, 4.0),
        (None, "F", "2024-01-05 12:00", 1, 3.0),
        (None, "G", "2024-01-07 12:00", 2, 3.0),
    ]
    frame = pd.DataFrame(
        rows, columns=["CustomerID", "Invoice", "InvoiceDate", "Quantity", "Price"]
    )
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    frame["amount"] = frame["Quantity"] * frame["Price"]
    return frame


def summarize_lines(log: pd.DataFrame, **kwargs) -> pd.DataFrame:
    with pytest.warns(kamkit.MissingValuesWarning, match="2 rows"):
        return kamkit.summarize(
            log,
            "CustomerID",
            "InvoiceDate",
            "amount",
            missing="drop",
            observation_end="2024-01-31",
            **kwargs,
        )


class TestOrders:
    def test_lines_of_an_order_form_one_transaction(self):
        out = summarize_lines(order_lines(), order="Invoice")
        assert out.loc[12346, "n_transactions"] == 3  # A, B and the return CA
        assert out.loc[12347, "n_transactions"] == 2  # C and its cancellation
        assert out.loc[12346, "first_purchase"] == pd.Timestamp("2024-01-02 10:00")
        assert out.attrs["order"] == "Invoice"

    def test_without_order_each_line_is_a_transaction(self):
        out = summarize_lines(order_lines())
        assert out.loc[12346, "n_transactions"] == 6

    def test_order_column_must_exist(self):
        with pytest.raises(ValueError, match="order column 'Order'"):
            kamkit.summarize(order_lines(), "CustomerID", "InvoiceDate", "amount", order="Order")

    def test_lines_without_an_order_id_are_missing_values(self):
        log = order_lines().dropna(subset=["CustomerID"])
        log.loc[log.index[0], "Invoice"] = None
        with pytest.raises(ValueError, match="'Invoice': expected an order id on every row"):
            kamkit.summarize(log, "CustomerID", "InvoiceDate", "amount", order="Invoice")


class TestReturns:
    def test_the_rule_on_the_order_line_log(self):
        out = summarize_lines(order_lines(), order="Invoice")
        a = out.loc[12346]
        # Jan 2 and Jan 9 are purchases; the return on Jan 20 is not.
        assert (a["frequency"], a["recency"], a["T"]) == (1, 7, 29)
        assert a["monetary_value"] == pytest.approx(6.99)
        assert a["last_purchase"] == pd.Timestamp("2024-01-09 16:30")
        assert a["revenue"] == pytest.approx(10 + 12.5 + 5 + 6 + 0.99 - 12.5)
        assert not a["returns_only"]
        # A cancelled order: its day nets to zero and holds a return.
        c = out.loc[12347]
        assert (c["frequency"], c["recency"], c["T"], c["revenue"]) == (0, 0, 28, 0.0)
        assert c["returns_only"]
        assert c["first_purchase"] == pd.Timestamp("2024-01-03 11:00")
        # A free sample is a purchase.
        d = out.loc[12348]
        assert (d["frequency"], d["recency"], d["monetary_value"]) == (1, 2, 0.0)
        # Returns only: one-time customer dated at the return, revenue negative.
        e = out.loc[12349]
        assert (e["frequency"], e["recency"], e["T"], e["revenue"]) == (0, 0, 21, -8.0)
        assert e["returns_only"]
        assert e["first_purchase"] == e["last_purchase"] == pd.Timestamp("2024-01-10 12:00")
        assert out["returns_only"].dtype == bool
        assert int(out["returns_only"].sum()) == 2

    def test_as_purchases_keeps_the_old_counting(self):
        out = summarize_lines(order_lines(), order="Invoice", returns="as_purchases")
        new = summarize_lines(order_lines(), order="Invoice")
        assert out.loc[12346, "frequency"] == 2  # the return's day counted
        assert out.loc[12346, "monetary_value"] == pytest.approx((6.99 - 12.5) / 2)
        assert out.loc[12347, "frequency"] == 0
        assert not out["returns_only"].any()
        pd.testing.assert_series_equal(out["revenue"], new["revenue"])

    def test_lines_cancelling_the_same_day_without_order(self):
        # Line by line, customer 12347's day holds returns and nets to zero.
        out = summarize_lines(order_lines())
        assert out.loc[12347, "returns_only"]

    def test_without_amount_every_row_is_a_purchase(self):
        with pytest.warns(kamkit.MissingValuesWarning):
            out = kamkit.summarize(
                order_lines(), "CustomerID", "InvoiceDate", missing="drop", order="Invoice"
            )
        assert out.loc[12346, "frequency"] == 2
        assert not out["returns_only"].any()

    def test_every_customer_comes_out(self):
        out = summarize_lines(order_lines(), order="Invoice")
        assert out.index.tolist() == [12346, 12347, 12348, 12349]

    def test_unknown_returns_value(self):
        with pytest.raises(ValueError, match="returns"):
            kamkit.summarize(order_lines(), "CustomerID", "InvoiceDate", "amount", returns="x")

    def test_calibration_holdout_counts_orders_and_purchases(self):
        log = order_lines().dropna(subset=["CustomerID"])
        out = kamkit.calibration_holdout(
            log,
            "CustomerID",
            "InvoiceDate",
            calibration_end="2024-01-05",
            observation_end="2024-01-31",
            amount="amount",
            order="Invoice",
        )
        # 12346: B on Jan 9 is a holdout purchase, the return on Jan 20 is not.
        assert out.loc[12346, "frequency_holdout"] == 1
        assert out.loc[12347, "frequency_cal"] == 0
        assert out.loc[12348, "frequency_holdout"] == 1  # the free sample
        old = kamkit.calibration_holdout(
            log,
            "CustomerID",
            "InvoiceDate",
            calibration_end="2024-01-05",
            observation_end="2024-01-31",
            amount="amount",
            order="Invoice",
            returns="as_purchases",
        )
        assert old.loc[12346, "frequency_holdout"] == 2


class TestIds:
    def test_integer_ids_with_blanks_stay_integers(self):
        log = order_lines()
        assert log["CustomerID"].dtype == np.float64  # pandas made floats of the blanks
        out = summarize_lines(log, order="Invoice")
        assert out.index.dtype == np.int64
        assert out.index.name == "CustomerID"
        assert out.index.tolist() == [12346, 12347, 12348, 12349]

    def test_float_ids_without_blanks_stay_floats(self):
        log = order_lines().dropna(subset=["CustomerID"])
        log["CustomerID"] = log["CustomerID"] + 0.5
        out = kamkit.summarize(log, "CustomerID", "InvoiceDate", "amount")
        assert out.index.dtype == np.float64


def reference_net(log: pd.DataFrame, end: str) -> pd.DataFrame:
    """The returns rule (daily periods) written out with plain pandas."""
    log = log[log["date"].dt.floor("D") <= pd.Timestamp(end)]
    day = log["date"].dt.floor("D")
    g = log.assign(day=day, gross=log["x"].abs(), ret=log["x"] < 0).groupby(["c", "day"])
    days = g.agg(net=("x", "sum"), gross=("gross", "sum"), ret=("ret", "any")).reset_index()
    zero = days["net"].abs() <= 1e-9 * days["gross"]
    days["purchase"] = ~(((days["net"] < 0) & ~zero) | (zero & days["ret"]))
    bought = days[days["purchase"]]
    first_any = days.groupby("c")["day"].min()
    first = bought.groupby("c")["day"].min().reindex(first_any.index).fillna(first_any)
    last = bought.groupby("c")["day"].max().reindex(first_any.index).fillna(first_any)
    repeat = bought[bought["day"] > bought["c"].map(first)]
    out = pd.DataFrame(
        {
            "frequency": (bought.groupby("c").size() - 1.0).reindex(first_any.index).fillna(0.0),
            "recency": (last - first).dt.days * 1.0,
            "T": (pd.Timestamp(end) - first).dt.days * 1.0,
            "monetary_value": repeat.groupby("c")["net"].mean().reindex(first_any.index),
            "revenue": log.groupby("c")["x"].sum(),
            "returns_only": ~first_any.index.isin(bought["c"].unique()),
        }
    )
    out["monetary_value"] = out["monetary_value"].fillna(0.0)
    return out.sort_index()


@pytest.mark.parametrize("span_days", [90, 4000])  # the accumulate and the sorting paths
@pytest.mark.parametrize("seed", [0, 1])
def test_random_logs_with_returns_agree_with_pandas(span_days, seed):
    rng = np.random.default_rng(seed)
    n = 3000
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 300, n),
            "date": pd.Timestamp("2015-01-01")
            + pd.to_timedelta(rng.integers(0, span_days, n), unit="D")
            + pd.to_timedelta(rng.integers(0, 86400, n), unit="s"),
            "x": np.round(rng.lognormal(3, 1, n), 2),
        }
    )
    # Returns: some negative rows, some cancelling a purchase of the same day.
    neg = rng.random(n) < 0.15
    log.loc[neg, "x"] *= -1
    cancel = log.sample(200, random_state=seed).assign(x=lambda d: -d["x"])
    only = pd.DataFrame(  # customers with returns only
        {
            "c": np.arange(1000, 1010),
            "date": log["date"].iloc[:10].to_numpy(),
            "x": -rng.integers(1, 50, 10).astype(float),
        }
    )
    log = pd.concat([log, cancel, only], ignore_index=True)
    end = str((pd.Timestamp("2015-01-01") + pd.Timedelta(days=span_days - 10)).date())
    out = kamkit.summarize(log, "c", "date", "x", observation_end=end)
    ref = reference_net(log, end)
    assert out.index.tolist() == ref.index.tolist()
    assert out["returns_only"].any()
    np.testing.assert_array_equal(out["returns_only"], ref["returns_only"])
    for col in ["frequency", "recency", "T", "monetary_value", "revenue"]:
        np.testing.assert_allclose(out[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=col)


@pytest.mark.parametrize("span_days", [90, 4000])
def test_money_sums_do_not_depend_on_row_order(span_days):
    rng = np.random.default_rng(7)
    n = 20_000
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 500, n),
            "date": pd.Timestamp("2015-01-01")
            + pd.to_timedelta(rng.integers(0, span_days, n), unit="D"),
            "x": np.round(rng.normal(5, 40, n), 2),
            "m": np.round(rng.normal(1, 10, n), 3),
        }
    )
    # Customers whose amounts cancel exactly in decimal but not in binary.
    extra = pd.DataFrame(
        {
            "c": np.repeat([1000, 1001], 3),
            "date": pd.Timestamp("2015-01-02"),
            "x": [0.1, 0.2, -0.3, 0.7, 0.1, -0.8],
            "m": [0.1, 0.2, -0.3, 0.7, 0.1, -0.8],
        }
    )
    log = pd.concat([log, extra], ignore_index=True)
    cols = ["revenue", "margin", "monetary_value", "avg_period_revenue", "growth"]
    first = kamkit.summarize(log, "c", "date", "x", margin="m")
    nonpositive = int((first["revenue"] <= 0).sum())
    for seed in range(3):
        shuffled = log.sample(frac=1.0, random_state=seed)
        out = kamkit.summarize(shuffled, "c", "date", "x", margin="m")
        for col in cols:
            np.testing.assert_array_equal(out[col].to_numpy(), first[col].to_numpy(), col)
        assert int((out["revenue"] <= 0).sum()) == nonpositive
    assert first.loc[1000, "revenue"] == 0.0 and first.loc[1001, "revenue"] == 0.0


def test_small_repeat_purchases_next_to_a_large_first_one():
    log = pd.DataFrame(
        {
            "c": [1, 1],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "x": [1e12, 1.12],
        }
    )
    for frame in (log, log.iloc[::-1]):
        out = kamkit.summarize(frame, "c", "date", "x")
        assert out.loc[1, "monetary_value"] == 1.12


def test_order_collapse_with_many_customers_matches_pandas():
    rng = np.random.default_rng(3)
    n = 5000
    lines = pd.DataFrame(
        {
            "c": rng.integers(0, 200, n),
            "order": rng.integers(0, 1500, n),
            "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "x": np.round(rng.lognormal(2, 1, n), 2),
        }
    )
    out = kamkit.summarize(lines, "c", "date", "x", order="order", returns="as_purchases")
    orders = lines.groupby(["c", "order"]).agg(date=("date", "min"), x=("x", "sum")).reset_index()
    ref = kamkit.summarize(orders, "c", "date", "x", returns="as_purchases")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(out, ref, check_exact=False, rtol=1e-12)
    np.testing.assert_array_equal(out["n_transactions"], orders.groupby("c").size())


def test_period_panel_counts_orders():
    log = order_lines().dropna(subset=["CustomerID"])
    panel = kamkit.period_panel(
        log, "CustomerID", "InvoiceDate", period="M", value="transactions", order="Invoice"
    )
    assert panel.loc[12346].sum() == 3
    lines = kamkit.period_panel(log, "CustomerID", "InvoiceDate", period="M", value="transactions")
    assert lines.loc[12346].sum() == 6
