"""kamkit.summarize and kamkit.calibration_holdout."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kamkit
from kamkit.datasets import load_cdnow_sample

COLUMNS = [
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "first_purchase",
    "last_purchase",
    "n_transactions",
    "returns_only",
    "revenue",
    "avg_period_revenue",
    "growth",
]


def reference_summary(log: pd.DataFrame, end: str) -> pd.DataFrame:
    """lifetimes' definitions written out with plain pandas (daily periods)."""
    log = log[log["date"].dt.floor("D") <= pd.Timestamp(end)]
    daily = log.assign(day=log["date"].dt.floor("D")).groupby(["c", "day"])["x"].sum()
    daily = daily.reset_index()
    first = daily.groupby("c")["day"].transform("min")
    out = pd.DataFrame(
        {
            "frequency": daily.groupby("c").size() - 1.0,
            "recency": (daily.groupby("c")["day"].max() - daily.groupby("c")["day"].min()).dt.days
            * 1.0,
            "T": (pd.Timestamp(end) - daily.groupby("c")["day"].min()).dt.days * 1.0,
            "monetary_value": daily[daily["day"] > first].groupby("c")["x"].mean(),
            "revenue": log.groupby("c")["x"].sum(),
        }
    )
    out["monetary_value"] = out["monetary_value"].fillna(0.0)
    return out.sort_index()


def small_log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "c": [10, 20, 10, 10, 10, 30],
            "date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-05",
                    "2024-01-04 10:00",
                    "2024-01-11",
                    "2024-01-01 17:30",
                    "2024-01-13",
                ],
                format="ISO8601",
            ),
            "x": [10.0, 8.0, -2.0, 7.0, 5.0, 4.0],
            "m": [2.0, 1.0, -0.5, 1.5, 1.0, 1.0],
        }
    )


class TestCdnow:
    def test_matches_the_published_calibration_summary(self, data_dir):
        log = load_cdnow_sample()
        out = kamkit.summarize(
            log, "customer_id", "date", "amount", observation_end="1997-09-30", time_unit="W"
        )
        ref = pd.read_csv(
            data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv", index_col="ID"
        )
        assert len(out) == len(ref) == 2357
        assert out.index.equals(pd.Index(ref.index, name="customer_id"))
        np.testing.assert_array_equal(out["frequency"], ref["x"])
        np.testing.assert_allclose(out["recency"], ref["t_x"], atol=0.006)
        np.testing.assert_allclose(out["T"], ref["T"], atol=0.006)
        np.testing.assert_allclose(out["monetary_value"], ref["zbar"], atol=0.006)
        assert out.attrs["observation_end"] == pd.Timestamp("1997-09-30")
        # 946 repeat buyers, mean frequency 1.042 (shared data README).
        assert int((out["frequency"] > 0).sum()) == 946
        assert out["frequency"].mean() == pytest.approx(1.042, abs=5e-4)

    def test_also_matches_the_frequency_only_summary(self, data_dir):
        out = kamkit.summarize(
            load_cdnow_sample(), "customer_id", "date", observation_end="1997-09-30", time_unit="W"
        )
        ref = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv", index_col="ID")
        assert list(out.columns) == [
            "frequency",
            "recency",
            "T",
            "first_purchase",
            "last_purchase",
            "n_transactions",
            "returns_only",
        ]
        np.testing.assert_array_equal(out["frequency"], ref["frequency"])
        np.testing.assert_allclose(out["T"], ref["T"], atol=0.006)

    def test_totals_over_the_whole_sample(self):
        log = load_cdnow_sample()
        out = kamkit.summarize(log, "customer_id", "date", "amount")
        assert out["revenue"].sum() == pytest.approx(244091.94, abs=0.01)
        assert out["n_transactions"].sum() == 6919
        assert out["last_purchase"].max() == pd.Timestamp("1998-06-30")
        # The sample ends on 1998-06-30, the last day of Q2: Q2 is full and
        # is compared with Q1 of 1998.
        assert out.attrs["last_full_period"] == pd.Period("1998Q2")
        d = log.assign(q=log["date"].dt.to_period("Q"))
        q2 = d[d.q == pd.Period("1998Q2")].groupby("customer_id")["amount"].sum()
        q1 = d[d.q == pd.Period("1998Q1")].groupby("customer_id")["amount"].sum()
        expected = (q2.reindex(q1.index, fill_value=0.0) / q1 - 1.0).reindex(out.index)
        expected[~(q1.reindex(out.index, fill_value=0) > 0)] = np.nan
        np.testing.assert_allclose(out["growth"], expected, rtol=1e-12)

    def test_calibration_holdout_against_pandas(self):
        log = load_cdnow_sample()
        out = kamkit.calibration_holdout(
            log,
            "customer_id",
            "date",
            calibration_end="1997-09-30",
            observation_end="1998-06-30",
            amount="amount",
            time_unit="W",
        )
        hold = log[log["date"] > "1997-09-30"]
        n_days = hold.groupby("customer_id")["date"].nunique()
        mean = hold.groupby("customer_id")["amount"].mean()
        assert len(out) == 2357
        np.testing.assert_array_equal(
            out["frequency_holdout"], n_days.reindex(out.index, fill_value=0).astype(float)
        )
        np.testing.assert_allclose(
            out["monetary_value_holdout"], mean.reindex(out.index, fill_value=0.0)
        )
        # 1997-09-30 to 1998-06-30 is 273 days, 39 weeks.
        assert (out["duration_holdout"] == 39.0).all()


class TestDefinitions:
    def test_hand_computed(self):
        out = kamkit.summarize(
            small_log(), "c", "date", "x", margin="m", observation_end="2024-01-13"
        )
        a = out.loc[10]
        # Days 1 (10 + 5), 4 (-2: a return, not a purchase), 11 (7).
        assert a["frequency"] == 1
        assert a["recency"] == 10
        assert a["T"] == 12
        assert a["monetary_value"] == 7
        assert not a["returns_only"]
        assert a["n_transactions"] == 4
        assert a["revenue"] == pytest.approx(20)
        assert a["margin"] == pytest.approx(4.0)
        assert a["margin_rate"] == pytest.approx(0.2)
        assert a["first_purchase"] == pd.Timestamp("2024-01-01 09:00")
        assert a["last_purchase"] == pd.Timestamp("2024-01-11")
        # Q1 2024 is the only (partial) quarter: average over one period.
        assert a["avg_period_revenue"] == pytest.approx(20)
        assert np.isnan(a["growth"])
        b = out.loc[20]
        assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0, 8, 0)
        # lifetimes' counting: the return's day is a repeat purchase.
        old = kamkit.summarize(
            small_log(), "c", "date", "x", observation_end="2024-01-13", returns="as_purchases"
        )
        assert old.loc[10, "frequency"] == 2
        assert old.loc[10, "monetary_value"] == pytest.approx((-2 + 7) / 2)
        assert old.loc[10, "revenue"] == a["revenue"]

    def test_weeks_and_rows_after_the_end(self):
        out = kamkit.summarize(
            small_log(), "c", "date", "x", observation_end="2024-01-11", time_unit="W"
        )
        assert 30 not in out.index
        assert out.attrs["rows_after_end"] == 1
        assert out.loc[10, "T"] == pytest.approx(10 / 7)
        assert out.loc[10, "recency"] == pytest.approx(10 / 7)

    def test_weekly_periods(self):
        # Mon 2024-01-01 and Thu 2024-01-04 share a week; 2024-01-11 is the next.
        out = kamkit.summarize(
            small_log(), "c", "date", "x", granularity="W", observation_end="2024-01-13"
        )
        assert out.loc[10, "frequency"] == 1
        assert out.loc[10, "recency"] == 7
        assert out.loc[10, "monetary_value"] == pytest.approx(7)

    def test_monthly_growth_compares_full_months(self):
        log = pd.DataFrame(
            {
                "c": [1, 1, 1, 1],
                "date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-02-20", "2024-03-05"]),
                "x": [100.0, 60.0, 90.0, 500.0],
            }
        )
        full = kamkit.summarize(
            log, "c", "date", "x", value_period="M", observation_end="2024-02-29"
        )
        assert full.loc[1, "growth"] == pytest.approx(150 / 100 - 1)
        assert full.loc[1, "avg_period_revenue"] == pytest.approx(250 / 2)
        # March is partial on 2024-03-05: February is compared with January.
        partial = kamkit.summarize(log, "c", "date", "x", value_period="M")
        assert partial.attrs["last_full_period"] == pd.Period("2024-02")
        assert partial.loc[1, "growth"] == pytest.approx(0.5)
        assert partial.loc[1, "avg_period_revenue"] == pytest.approx(750 / 3)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 6),
                st.integers(0, 40),
                st.integers(0, 86399),
                st.floats(-50, 200, allow_nan=False),
            ),
            min_size=1,
            max_size=60,
        )
    )
    def test_agrees_with_a_pandas_reference(self, rows):
        c, day, sec, x = zip(*rows, strict=True)
        log = pd.DataFrame(
            {
                "c": np.array(c) * 7919,
                "date": pd.Timestamp("2023-03-01")
                + pd.to_timedelta(day, unit="D")
                + pd.to_timedelta(sec, unit="s"),
                "x": x,
            }
        )
        end = "2023-04-05"
        if (log["date"].dt.floor("D") > pd.Timestamp(end)).all():
            return
        out = kamkit.summarize(log, "c", "date", "x", observation_end=end, returns="as_purchases")
        ref = reference_summary(log, end)
        assert out.index.tolist() == ref.index.tolist()
        for col in ["frequency", "recency", "T", "monetary_value", "revenue"]:
            np.testing.assert_allclose(out[col], ref[col], rtol=1e-9, atol=1e-9)


class TestInputs:
    @pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
    def test_every_datetime_resolution(self, unit):
        log = small_log()
        log["date"] = log["date"].astype(f"datetime64[{unit}]")
        out = kamkit.summarize(log, "c", "date", "x")
        ref = kamkit.summarize(small_log(), "c", "date", "x")
        pd.testing.assert_frame_equal(
            out.drop(columns=["first_purchase", "last_purchase"]),
            ref.drop(columns=["first_purchase", "last_purchase"]),
        )
        assert out["first_purchase"].dt.unit == unit

    def test_tz_aware_dates_are_floored_in_their_zone(self):
        log = small_log()
        # 23:30 UTC on Dec 31 is 07:30 on Jan 1 in Shanghai.
        log["date"] = (
            (log["date"] - pd.Timedelta(hours=8))
            .dt.tz_localize("UTC")
            .dt.tz_convert("Asia/Shanghai")
        )
        out = kamkit.summarize(log, "c", "date", "x")
        ref = kamkit.summarize(small_log(), "c", "date", "x")
        np.testing.assert_array_equal(out["frequency"], ref["frequency"])
        np.testing.assert_array_equal(out["T"], ref["T"])
        assert str(out["first_purchase"].dt.tz) == "Asia/Shanghai"
        assert out.loc[10, "first_purchase"] == pd.Timestamp("2024-01-01 09:00", tz="Asia/Shanghai")

    def test_date_strings(self):
        log = small_log()
        log["date"] = log["date"].dt.strftime("%Y-%m-%d %H:%M")
        out = kamkit.summarize(log, "c", "date", "x")
        ref = kamkit.summarize(small_log(), "c", "date", "x")
        np.testing.assert_array_equal(out["recency"], ref["recency"])

    @pytest.mark.parametrize(
        "convert",
        [
            lambda s: s.astype("Int64"),
            lambda s: s.astype("int32"),
            lambda s: s.astype("uint16"),
            lambda s: s.astype(str),
            lambda s: s.astype("string"),
            lambda s: s.astype(str).astype("category"),
            lambda s: s.astype(float),
        ],
        ids=["Int64", "int32", "uint16", "str", "string", "category", "float"],
    )
    def test_customer_id_dtypes_are_kept(self, convert):
        log = small_log()
        log["c"] = convert(log["c"])
        out = kamkit.summarize(log, "c", "date", "x")
        assert out.index.dtype == log["c"].dtype
        assert out.index.name == "c"
        assert sorted(out.index.tolist()) == out.index.tolist()
        np.testing.assert_array_equal(out["frequency"], [1, 0, 0])

    def test_nullable_amounts(self):
        log = small_log()
        log["x"] = log["x"].astype("Float64")
        out = kamkit.summarize(log, "c", "date", "x")
        assert out.loc[10, "revenue"] == pytest.approx(20)

    def test_input_is_not_mutated(self):
        log = small_log()
        log["c"] = log["c"].astype(str).astype("category")
        before = log.copy(deep=True)
        kamkit.summarize(log, "c", "date", "x", margin="m", observation_end="2024-01-05")
        pd.testing.assert_frame_equal(log, before)

    def test_empty_frame_gives_empty_summary(self):
        out = kamkit.summarize(small_log().iloc[:0], "c", "date", "x")
        assert out.empty
        assert list(out.columns) == COLUMNS

    def test_every_customer_exactly_once(self):
        rng = np.random.default_rng(5)
        ids = rng.integers(-(2**40), 2**40, size=300)
        log = pd.DataFrame(
            {
                "c": rng.choice(ids, size=5000),
                "date": pd.Timestamp("2020-01-01")
                + pd.to_timedelta(rng.integers(0, 900, size=5000), unit="D"),
                "x": rng.gamma(2.0, 10.0, size=5000),
            }
        )
        out = kamkit.summarize(log, "c", "date", "x")
        assert out.index.is_unique and out.index.is_monotonic_increasing
        assert set(out.index) == set(log["c"])
        assert out["n_transactions"].sum() == len(log)


class TestErrors:
    def test_not_a_frame(self):
        with pytest.raises(TypeError, match="expected a pandas DataFrame"):
            kamkit.summarize([1, 2, 3], "c", "date")

    def test_missing_column(self):
        with pytest.raises(ValueError, match="'amount' is not in the frame.*'c', 'date', 'x'"):
            kamkit.summarize(small_log(), "c", "date", "amount")

    def test_non_numeric_amounts_are_counted(self):
        log = small_log().astype({"x": object})
        log.loc[[1, 3], "x"] = ["n/a", "ten"]
        with pytest.raises(TypeError, match=r"column 'x': expected numbers, found 2 rows"):
            kamkit.summarize(log, "c", "date", "x")

    def test_nan_amounts_are_counted(self):
        log = small_log()
        log.loc[[0, 2, 4], "x"] = np.nan
        with pytest.raises(ValueError, match=r"column 'x'.*found 3 rows"):
            kamkit.summarize(log, "c", "date", "x")

    def test_infinite_amounts(self):
        log = small_log()
        log.loc[0, "x"] = np.inf
        with pytest.raises(ValueError, match=r"column 'x': expected finite numbers, found 1 row"):
            kamkit.summarize(log, "c", "date", "x")

    def test_unparseable_dates_are_counted(self):
        log = small_log()
        log["date"] = ["2024-01-01", "yesterday", "2024-01-03", "2024-13-45", "2024-01-05", "x"]
        with pytest.raises(ValueError, match=r"column 'date'.*found 3 rows that cannot be parsed"):
            kamkit.summarize(log, "c", "date", "x")

    def test_missing_dates(self):
        log = small_log()
        log.loc[1, "date"] = pd.NaT
        with pytest.raises(ValueError, match=r"column 'date': expected a date.*found 1 row"):
            kamkit.summarize(log, "c", "date", "x")

    def test_missing_dates_and_amounts_drop_with_counts(self):
        # The core's first pass finds them; the drop then matches a clean log.
        log = small_log()
        log.loc[1, "date"] = pd.NaT
        log.loc[[2, 3], "x"] = np.nan
        log.loc[0, "m"] = np.nan
        with pytest.warns(kamkit.MissingValuesWarning, match="dropped 4 rows") as caught:
            out = kamkit.summarize(log, "c", "date", "x", margin="m", missing="drop")
        assert "1 row without 'date'" in str(caught[0].message)
        assert "2 rows without 'x'" in str(caught[0].message)
        clean = kamkit.summarize(log.drop(index=[0, 1, 2, 3]), "c", "date", "x", margin="m")
        pd.testing.assert_frame_equal(out, clean)
        with pytest.raises(ValueError, match=r"column 'm': expected a number.*found 1 row"):
            kamkit.summarize(log.drop(index=[1, 2, 3]), "c", "date", "x", margin="m")

    def test_finite_amounts_whose_sum_overflows_are_fine(self):
        log = small_log()
        log["x"] = [1e308, 1e308, 1.0, 1.0, 1.0, 1e308]
        out = kamkit.summarize(log, "c", "date", "x")
        assert out.loc[20, "revenue"] == 1e308
        assert out["n_transactions"].sum() == 6

    def test_numeric_dates_explain_how_to_parse(self):
        log = small_log().assign(date=20240101)
        with pytest.raises(TypeError, match="pd.to_datetime"):
            kamkit.summarize(log, "c", "date", "x")

    def test_missing_ids_raise_or_drop_with_count(self):
        log = small_log().astype({"c": "Int64"})
        log.loc[[0, 5], "c"] = pd.NA
        with pytest.raises(ValueError, match=r"column 'c': expected a customer id.*found 2 rows"):
            kamkit.summarize(log, "c", "date", "x")
        with pytest.warns(kamkit.MissingValuesWarning, match="dropped 2 rows"):
            out = kamkit.summarize(log, "c", "date", "x", missing="drop")
        assert out.index.tolist() == [10, 20]
        assert out["n_transactions"].sum() == 4

    def test_observation_end_before_first_purchase(self):
        with pytest.raises(ValueError, match="before the first purchase"):
            kamkit.summarize(small_log(), "c", "date", "x", observation_end="2023-12-31")

    def test_bad_options(self):
        with pytest.raises(ValueError, match="time_unit"):
            kamkit.summarize(small_log(), "c", "date", "x", time_unit="H")
        with pytest.raises(ValueError, match="missing"):
            kamkit.summarize(small_log(), "c", "date", "x", missing="ignore")
        with pytest.raises(ValueError, match="observation_end"):
            kamkit.summarize(small_log(), "c", "date", "x", observation_end="not a date")

    def test_no_warnings_on_clean_input(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            kamkit.summarize(small_log(), "c", "date", "x", margin="m")


def test_large_log_in_several_passes_matches_pandas():
    # 3M rows with nanosecond times (too many tick bits to share a word with
    # the customer slot: 32-byte scratch rows with the margin) are
    # partitioned in more than one pass over the customer buckets; every
    # figure must still match a plain pandas computation.
    rng = np.random.default_rng(11)
    n = 3_000_000
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 200_000, n) * 3 + 7,
            "date": pd.Timestamp("2021-01-01")
            + pd.to_timedelta(rng.integers(0, 400 * 86400 * 10**9, n), unit="ns"),
            "x": rng.normal(50, 30, n).round(2),
            "m": rng.normal(10, 5, n).round(2),
        }
    )
    out = kamkit.summarize(
        log, "c", "date", "x", margin="m", observation_end="2021-12-31", returns="as_purchases"
    )
    kept = log[log["date"] < "2022-01-01"]
    g = kept.groupby("c")
    days = kept.assign(day=kept["date"].dt.floor("D")).groupby("c")["day"]
    assert out.index.equals(pd.Index(sorted(kept["c"].unique()), name="c"))
    np.testing.assert_array_equal(out["n_transactions"], g.size())
    np.testing.assert_allclose(out["revenue"], g["x"].sum(), rtol=1e-9)
    np.testing.assert_allclose(out["margin"], g["m"].sum(), rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(out["frequency"], days.nunique() - 1)
    np.testing.assert_array_equal(out["first_purchase"], g["date"].min())
    np.testing.assert_array_equal(out["last_purchase"], g["date"].max())
    np.testing.assert_array_equal(out["recency"], (days.max() - days.min()).dt.days)


@pytest.mark.parametrize("years", [2, 20])
def test_short_and_long_date_spans_agree_with_pandas(years):
    # Spans up to 2048 purchase periods are counted with per-customer bitmaps,
    # longer ones by sorting each customer's days: both must give the same.
    rng = np.random.default_rng(years)
    n = 200_000
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 5_000, n),
            "date": pd.Timestamp("2000-01-01")
            + pd.to_timedelta(rng.integers(0, years * 365 * 86400, n), unit="s"),
            "x": rng.normal(50, 30, n).round(2),
        }
    )
    end = str((pd.Timestamp("2000-01-01") + pd.Timedelta(days=years * 365 - 30)).date())
    out = kamkit.summarize(log, "c", "date", "x", observation_end=end, returns="as_purchases")
    ref = reference_summary(log, end)
    for col in ["frequency", "recency", "T", "monetary_value", "revenue"]:
        np.testing.assert_allclose(out[col], ref[col], rtol=1e-9, atol=1e-9)
    weekly = kamkit.summarize(
        log, "c", "date", "x", granularity="W", observation_end=end, returns="as_purchases"
    )
    weeks = log[log["date"] < pd.Timestamp(end) + pd.Timedelta(days=7)]
    weeks = weeks[weeks["date"].dt.to_period("W") <= pd.Period(end, "W")]
    np.testing.assert_array_equal(
        weekly["frequency"],
        weeks.groupby("c")["date"].agg(lambda d: d.dt.to_period("W").nunique()) - 1,
    )


def full_reference(log: pd.DataFrame, end: str) -> pd.DataFrame:
    """Every daily-period column of summarize, with quarterly value factors, in pandas."""
    out = reference_summary(log, end)
    kept = log[log["date"].dt.floor("D") <= pd.Timestamp(end)]
    g = kept.groupby("c")
    out["first_purchase"] = g["date"].min()
    out["last_purchase"] = g["date"].max()
    out["n_transactions"] = g.size()
    quarter = kept["date"].dt.to_period("Q")
    end_q = pd.Period(end, "Q")
    last_full = end_q if end_q.end_time.normalize() == pd.Timestamp(end) else end_q - 1
    out["avg_period_revenue"] = out["revenue"] / (
        end_q.ordinal - g["date"].min().dt.to_period("Q").map(lambda p: p.ordinal) + 1
    )
    rev_last = kept[quarter == last_full].groupby("c")["x"].sum().reindex(out.index, fill_value=0.0)
    rev_prev = (
        kept[quarter == last_full - 1].groupby("c")["x"].sum().reindex(out.index, fill_value=0.0)
    )
    out["growth"] = (rev_last / rev_prev - 1.0).where(rev_prev > 0)
    return out


@pytest.mark.parametrize(
    "layout",
    [
        "whole seconds",  # slot and tick share a word
        "random nanoseconds",  # too many tick bits: the wide rows
        "before 1970 in ms",  # negative ticks
        "half-second offset",  # no tick on a whole second
    ],
)
def test_every_row_layout_agrees_with_pandas(layout):
    rng = np.random.default_rng(5)
    n = 120_000
    start = pd.Timestamp("1968-03-01" if "1970" in layout else "2021-02-01")
    span_ns = 700 * 86_400 * 10**9
    offsets = rng.integers(0, span_ns, n)
    if layout == "whole seconds":
        offsets -= offsets % 10**9
    elif layout == "before 1970 in ms":
        offsets -= offsets % 10**6
    elif layout == "half-second offset":
        offsets -= offsets % 10**9
        offsets += 5 * 10**8
    date = start + pd.to_timedelta(offsets, unit="ns")
    if layout == "before 1970 in ms":
        date = date.astype("datetime64[ms]")
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 3_000, n) * 5 - 40,
            "date": date,
            "x": rng.normal(40, 25, n).round(2),
        }
    )
    end = str((start + pd.Timedelta(days=640)).date())
    out = kamkit.summarize(log, "c", "date", "x", observation_end=end, returns="as_purchases")
    ref = full_reference(log, end)
    assert out.index.tolist() == ref.index.tolist()
    for col in ["frequency", "recency", "T", "n_transactions"]:
        np.testing.assert_array_equal(out[col], ref[col], err_msg=col)
    for col in ["monetary_value", "revenue", "avg_period_revenue", "growth"]:
        np.testing.assert_allclose(out[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=col)
    for col in ["first_purchase", "last_purchase"]:
        np.testing.assert_array_equal(out[col].to_numpy(), ref[col].to_numpy(), err_msg=col)


@pytest.mark.parametrize(
    "case", ["whole ns range", "one timestamp", "sparse keys before 1970", "seconds unit"]
)
def test_edge_layouts_agree_with_pandas(case):
    # The extremes of the tick packing: a span too long for a shared word
    # (wide rows, per-customer sorting), a single timestamp (no bit varies),
    # hashed keys with ticks before the epoch, and a coarse unit.
    rng = np.random.default_rng(1)
    n = 100_000
    x = rng.normal(10, 5, n).round(2)
    c = rng.integers(0, 5000, n)
    end = "1970-09-30"
    if case == "whole ns range":
        lo, hi = pd.Timestamp("1677-09-22").value, pd.Timestamp("2262-04-10").value
        date = pd.to_datetime(rng.integers(lo, hi, n))
        end = "2262-04-10"
    elif case == "one timestamp":
        date = pd.to_datetime(np.full(n, pd.Timestamp("1970-05-05").value))
    else:
        days = rng.integers(0, 500, n) * 86_400 + rng.integers(0, 86_400, n)
        date = pd.Timestamp("1969-06-01") + pd.to_timedelta(days, unit="s")
        c = rng.choice(rng.integers(-(2**62), 2**62, 3000), n)
        if case == "seconds unit":
            date = date.astype("datetime64[s]")
    log = pd.DataFrame({"c": c, "date": date, "x": x})
    out = kamkit.summarize(log, "c", "date", "x", observation_end=end, returns="as_purchases")
    # pandas cannot subtract timestamps six centuries apart in ns: the
    # reference works in seconds (the days are the same).
    ref = full_reference(log.assign(date=log["date"].astype("datetime64[s]")), end)
    assert out.index.tolist() == ref.index.tolist()
    for col in ["frequency", "recency", "T", "n_transactions"]:
        np.testing.assert_array_equal(out[col], ref[col], err_msg=col)
    for col in ["monetary_value", "revenue", "avg_period_revenue", "growth"]:
        np.testing.assert_allclose(out[col], ref[col], rtol=1e-9, atol=1e-9, err_msg=col)
    g = log[log["date"].dt.floor("D") <= pd.Timestamp(end)].groupby("c")["date"]
    np.testing.assert_array_equal(out["first_purchase"].to_numpy(), g.min().to_numpy())
    np.testing.assert_array_equal(out["last_purchase"].to_numpy(), g.max().to_numpy())
