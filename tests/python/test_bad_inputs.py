"""Bad inputs, one named case each: a clear error, or a correct finite answer.

Every case either raises ValueError or TypeError whose message names the
argument or column at fault and what was expected (the ``words`` listed), or
returns an answer that a check below finds finite and right. No case may
hang, crash, return NaN or infinity unannounced, drop a customer silently or
change its inputs (every frame handed in is compared with a copy afterwards).
"""

from __future__ import annotations

import json
import signal
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

import kamkit
from kamkit.cli import main as cli_main
from kamkit.datasets import simulate_transactions

LOG = simulate_transactions(120, n_rows=1500, seed=7)
ARCHIVE = kamkit.summarize(LOG, "customer_id", "date", "amount")
PANEL = kamkit.period_panel(LOG, "customer_id", "date", "amount", period="M")
STAGES = kamkit.lifecycle_stages(PANEL)
CHAIN = kamkit.MarkovChain([[0.9, 0.1], [0.5, 0.5]])
ABSORBING = kamkit.MarkovChain([[0.5, 0.5], [0.0, 1.0]])
RFM = ARCHIVE[["frequency", "recency", "T"]]
FITTED = kamkit.BetaGeo().fit(ARCHIVE)
TIERS = pd.DataFrame({"tier": ["VIP", "major", "small", "small"], "hours": [10.0, 5.0, 1.0, 2.0]})
INPUTS = {
    "LOG": LOG,
    "ARCHIVE": ARCHIVE,
    "PANEL": PANEL,
    "STAGES": STAGES,
    "RFM": RFM,
    "TIERS": TIERS,
}
COPIES = {k: v.copy(deep=True) for k, v in INPUTS.items()}


@dataclass
class Case:
    name: str
    call: Callable[[], Any]
    error: type[Exception] | None = None
    words: tuple[str, ...] = ()
    check: Callable[[Any], Any] | None = None
    warns: tuple[str, ...] = ()
    tags: list[str] = field(default_factory=list)


def raises(name: str, call: Callable[[], Any], error: type[Exception], *words: str) -> Case:
    return Case(name, call, error=error, words=words)


def answers(name: str, call: Callable[[], Any], check: Callable[[Any], Any], *warns: str) -> Case:
    return Case(name, call, check=check, warns=warns)


def log_with(**columns: Any) -> pd.DataFrame:
    out = LOG.head(50).copy()
    for k, v in columns.items():
        out[k] = v
    return out


def summarize(frame: pd.DataFrame, **kw: Any) -> pd.DataFrame:
    kw.setdefault("amount", "amount")
    return kamkit.summarize(frame, "customer_id", "date", **kw)


def finite(x: Any) -> bool:
    arr = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x, dtype=np.float64)
    return bool(np.isfinite(arr).all())


def sums_to_one(s: pd.Series) -> bool:
    return finite(s) and abs(float(s.sum()) - 1.0) < 1e-12 and bool((s >= 0).all())


def cli(*argv: str) -> Callable[[], int]:
    return lambda: cli_main(list(argv))


def cli_fails(name: str, argv: list[str], *words: str) -> Case:
    return Case(name, cli(*argv), check=lambda code: code != 0, warns=(), tags=["cli", *words])


def two_points() -> tuple[pd.Timestamp, pd.Timestamp]:
    return LOG["date"].min(), LOG["date"].max()


def short_log() -> pd.DataFrame:
    start = LOG["date"].min()
    return LOG[LOG["date"] < start + pd.Timedelta(days=20)]


def broken_json() -> Any:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "model.json"
    path.write_text('{"format": "kamkit.models/1", "model": "BetaGeo", ', encoding="utf-8")
    return kamkit.BetaGeo.from_json(path)


def wrong_json() -> Any:
    return kamkit.BetaGeo.from_json(json.dumps({"format": "something else"}))


def damaged_json() -> Any:
    doc = json.loads(FITTED.to_json())
    del doc["params"]
    return kamkit.BetaGeo.from_json(json.dumps(doc))


def dup_columns() -> pd.DataFrame:
    frame = LOG.head(20).copy()
    frame.columns = ["customer_id", "date", "date"][: len(frame.columns)] + list(frame.columns[3:])
    return frame


def _csv(frame: pd.DataFrame, name: str) -> str:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / name
    frame.to_csv(path, index=False)
    return str(path)


GOOD_CSV = _csv(LOG, "log.csv")
TEXT_AMOUNT_CSV = _csv(LOG.head(30).assign(amount="lots"), "text_amount.csv")
BAD_DATE_CSV = _csv(LOG.head(30).assign(date="someday"), "bad_date.csv")


# ------------------------------------------------------------------ the cases
CASES: list[Case] = [
    # ---- summarize: columns
    raises("summarize-not-a-frame", lambda: kamkit.summarize([1, 2, 3]), TypeError, "DataFrame"),
    raises(
        "summarize-missing-customer-column",
        lambda: summarize(LOG.drop(columns="customer_id")),
        ValueError,
        "customer_id",
    ),
    raises(
        "summarize-missing-date-column",
        lambda: kamkit.summarize(LOG, "customer_id", "when"),
        ValueError,
        "when",
    ),
    raises(
        "summarize-missing-amount-column",
        lambda: summarize(LOG, amount="value"),
        ValueError,
        "value",
    ),
    raises(
        "summarize-duplicated-column-label",
        lambda: summarize(dup_columns(), amount=None),
        ValueError,
        "date",
        "found 2",
    ),
    raises(
        "summarize-amount-strings",
        lambda: summarize(log_with(amount="twelve")),
        TypeError,
        "amount",
    ),
    raises(
        "summarize-amount-nan",
        lambda: summarize(log_with(amount=np.where(np.arange(50) == 3, np.nan, 1.0))),
        ValueError,
        "amount",
        "1 row",
    ),
    raises(
        "summarize-amount-inf",
        lambda: summarize(log_with(amount=np.where(np.arange(50) == 3, np.inf, 1.0))),
        ValueError,
        "amount",
    ),
    raises(
        "summarize-dates-numbers",
        lambda: summarize(log_with(date=np.arange(50))),
        TypeError,
        "date",
        "expected dates",
    ),
    raises(
        "summarize-dates-unparsable",
        lambda: summarize(log_with(date=["not a date"] * 50)),
        ValueError,
        "date",
        "50 rows",
    ),
    raises(
        "summarize-dates-nat",
        lambda: summarize(log_with(date=pd.Series([pd.NaT] * 50, dtype="datetime64[ns]").values)),
        ValueError,
        "date",
    ),
    raises(
        "summarize-customer-missing",
        lambda: summarize(log_with(customer_id=[None] + [1] * 49)),
        ValueError,
        "customer_id",
    ),
    raises(
        "summarize-bad-granularity",
        lambda: summarize(LOG, granularity="fortnight"),
        ValueError,
        "granularity",
    ),
    raises(
        "summarize-bad-time-unit",
        lambda: summarize(LOG, time_unit="Z"),
        ValueError,
        "time_unit",
    ),
    raises(
        "summarize-bad-missing",
        lambda: summarize(LOG, missing="ignore"),
        ValueError,
        "missing",
    ),
    raises(
        "summarize-observation-end-garbage",
        lambda: summarize(LOG, observation_end="next tuesday-ish"),
        ValueError,
        "observation_end",
    ),
    raises(
        "summarize-observation-end-before-start",
        lambda: summarize(LOG, observation_end="1900-01-01"),
        ValueError,
        "observation_end",
    ),
    raises(
        "summarize-observation-end-year-2500-ns",
        lambda: summarize(LOG, observation_end="2500-01-01"),
        ValueError,
        "observation_end",
        "datetime64[s]",
    ),
    answers(
        "summarize-observation-end-year-2500-seconds",
        lambda: summarize(
            LOG.assign(date=LOG["date"].astype("datetime64[s]")), observation_end="2500-01-01"
        ),
        lambda out: len(out) == LOG["customer_id"].nunique() and finite(out["T"]),
    ),
    answers(
        "summarize-observation-end-year-1000-seconds",
        lambda: summarize(
            pd.DataFrame(
                {
                    "customer_id": [1, 1, 2],
                    "date": np.array(
                        ["0999-03-01", "0999-06-01", "0999-07-01"], dtype="datetime64[s]"
                    ),
                    "amount": [1.0, 2.0, 3.0],
                }
            ),
            observation_end=np.datetime64("1000-01-01", "s"),
        ),
        lambda out: list(out["frequency"]) == [1.0, 0.0],
    ),
    raises(
        "summarize-tz-aware-end-naive-dates",
        lambda: summarize(LOG, observation_end=pd.Timestamp("2020-01-01", tz="UTC")),
        TypeError,
        "observation_end",
        "tz",
    ),
    answers(
        "summarize-pyarrow-timestamps",
        lambda: summarize(LOG.assign(date=LOG["date"].astype("timestamp[ns][pyarrow]"))),
        lambda out: out.equals(ARCHIVE),
    ),
    answers(
        "summarize-customers-all-after-end-warned",
        lambda: summarize(
            pd.concat(
                [LOG, pd.DataFrame({"customer_id": [10**6], "date": [LOG["date"].max()]})]
            ).fillna({"amount": 1.0}),
            observation_end=LOG["date"].max() - pd.Timedelta(days=1),
        ),
        lambda out: 10**6 not in out.index and len(out) >= 1,
        "every purchase after",
    ),
    answers(
        "summarize-ids-past-2-31",
        lambda: summarize(LOG.assign(customer_id=LOG["customer_id"].astype(np.int64) + 2**40)),
        lambda out: len(out) == len(ARCHIVE) and int(out.index.min()) > 2**40,
    ),
    raises(
        "summarize-ids-past-2-63-uint",
        lambda: summarize(
            LOG.assign(customer_id=LOG["customer_id"].astype(np.uint64) + np.uint64(2**63))
        ),
        ValueError,
        "customer_id",
        "int64",
    ),
    answers(
        "summarize-one-row",
        lambda: summarize(LOG.head(1)),
        lambda out: len(out) == 1 and float(out["frequency"].iloc[0]) == 0.0,
    ),
    answers(
        "summarize-empty-log",
        lambda: summarize(LOG.head(0)),
        lambda out: len(out) == 0,
    ),
    answers(
        "summarize-negative-amounts",
        lambda: summarize(log_with(amount=-1.0)),
        lambda out: finite(out["revenue"]),
    ),
    raises(
        "summarize-amounts-sum-past-float-range",
        lambda: summarize(log_with(amount=1e308)),
        ValueError,
        "amount",
        "float range",
    ),
    answers(
        "summarize-amounts-near-float-max",
        lambda: summarize(log_with(amount=1e300)),
        lambda out: finite(out["revenue"]),
    ),
    # ---- calibration_holdout
    raises(
        "calibration-end-after-observation-end",
        lambda: kamkit.calibration_holdout(
            LOG, calibration_end="2030-01-01", observation_end="2020-01-01"
        ),
        ValueError,
        "calibration_end",
    ),
    raises(
        "calibration-end-garbage",
        lambda: kamkit.calibration_holdout(LOG, calibration_end="soon"),
        ValueError,
        "calibration_end",
    ),
    raises(
        "calibration-missing-column",
        lambda: kamkit.calibration_holdout(LOG.drop(columns="date"), calibration_end="2020-01-01"),
        ValueError,
        "date",
    ),
    # ---- value_score
    answers(
        "value-score-extremes-scaled",
        lambda: kamkit.value_score(pd.DataFrame({"revenue": [-1e308, 0.0, 1e308]})),
        lambda s: s.tolist() == [0.0, 50.0, 100.0],
    ),
    answers(
        "value-score-zscore-extremes",
        lambda: kamkit.value_score(
            pd.DataFrame({"revenue": [-1e308, 0.0, 1e308]}), method="zscore"
        ),
        lambda s: finite(s) and s.iloc[0] < s.iloc[1] < s.iloc[2] and abs(s.iloc[1] - 50) < 1e-9,
    ),
    answers(
        "value-score-tiny-range",
        lambda: kamkit.value_score(pd.DataFrame({"revenue": [1.0, 1.0 + 2e-16, 1.0]})),
        lambda s: finite(s) and s.max() == 100.0,
    ),
    answers(
        "value-score-short-log-median",
        lambda: kamkit.value_score(summarize(short_log()), missing="median"),
        lambda s: finite(s) and len(s) == short_log()["customer_id"].nunique(),
        "growth",
    ),
    raises(
        "value-score-short-log-raise",
        lambda: kamkit.value_score(summarize(short_log())),
        ValueError,
        "growth",
    ),
    raises(
        "value-score-unknown-method",
        lambda: kamkit.value_score(ARCHIVE, method="fancy"),
        ValueError,
        "method",
    ),
    raises(
        "value-score-unknown-missing",
        lambda: kamkit.value_score(ARCHIVE, missing="drop"),
        ValueError,
        "missing",
    ),
    raises(
        "value-score-unknown-criterion",
        lambda: kamkit.value_score(ARCHIVE, {"loyalty": 1.0}),
        ValueError,
        "loyalty",
    ),
    raises(
        "value-score-weight-text",
        lambda: kamkit.value_score(ARCHIVE, {"revenue": "high"}),
        TypeError,
        "revenue",
    ),
    raises(
        "value-score-weight-nan",
        lambda: kamkit.value_score(ARCHIVE, {"revenue": float("nan")}),
        ValueError,
        "revenue",
        "finite",
    ),
    raises(
        "value-score-weights-zero",
        lambda: kamkit.value_score(ARCHIVE, {"revenue": 0.0}),
        ValueError,
        "weights",
    ),
    raises(
        "value-score-empty-criteria",
        lambda: kamkit.value_score(ARCHIVE, {}),
        TypeError,
        "criteria",
    ),
    raises(
        "value-score-criterion-strings",
        lambda: kamkit.value_score(pd.DataFrame({"revenue": ["a", "b"]})),
        TypeError,
        "revenue",
    ),
    raises(
        "value-score-criterion-inf",
        lambda: kamkit.value_score(pd.DataFrame({"revenue": [1.0, np.inf]}), {"revenue": 1}),
        ValueError,
        "revenue",
    ),
    raises(
        "value-score-missing-raise",
        lambda: kamkit.value_score(pd.DataFrame({"revenue": [1.0, np.nan, 2.0]}), {"revenue": 1}),
        ValueError,
        "revenue",
        "1 of 3",
    ),
    raises(
        "value-score-not-a-frame",
        lambda: kamkit.value_score([1, 2, 3]),
        TypeError,
        "DataFrame",
    ),
    # ---- rfm_scores
    raises(
        "rfm-bins-too-many",
        lambda: kamkit.rfm_scores(ARCHIVE, bins=40_000),
        ValueError,
        "bins",
        "32767",
    ),
    raises("rfm-bins-2-33", lambda: kamkit.rfm_scores(ARCHIVE, bins=2**33), ValueError, "bins"),
    raises("rfm-bins-zero", lambda: kamkit.rfm_scores(ARCHIVE, bins=0), ValueError, "bins"),
    raises("rfm-bins-float", lambda: kamkit.rfm_scores(ARCHIVE, bins=2.5), TypeError, "bins"),
    raises("rfm-bins-bool", lambda: kamkit.rfm_scores(ARCHIVE, bins=True), TypeError, "bins"),
    raises(
        "rfm-missing-column",
        lambda: kamkit.rfm_scores(ARCHIVE.drop(columns="recency")),
        ValueError,
        "recency",
    ),
    raises(
        "rfm-unknown-segments",
        lambda: kamkit.rfm_scores(ARCHIVE, segments="zodiac"),
        ValueError,
        "zodiac",
    ),
    answers(
        "rfm-bins-one",
        lambda: kamkit.rfm_scores(ARCHIVE, bins=1),
        lambda r: set(r["R"]) == {1},
    ),
    # ---- concentration / pyramid / tiers
    answers(
        "concentration-near-float-max",
        lambda: kamkit.concentration(pd.Series([1e308, 1e308, 1.0])),
        lambda c: np.isfinite(c.gini) and abs(c.gini - 1 / 3) < 1e-12,
        "float range",
    ),
    answers(
        "concentration-one-customer",
        lambda: kamkit.concentration(pd.Series([5.0])),
        lambda c: c.gini == 0.0 and c.top_share(1.0) == 1.0,
    ),
    raises(
        "concentration-all-zero",
        lambda: kamkit.concentration(pd.Series([0.0, 0.0])),
        ValueError,
        "values",
        "0",
    ),
    raises(
        "concentration-negative",
        lambda: kamkit.concentration(pd.Series([1.0, -2.0])),
        ValueError,
        "negative",
        "1 of 2",
    ),
    raises(
        "concentration-nan",
        lambda: kamkit.concentration(pd.Series([1.0, np.nan])),
        ValueError,
        "values",
    ),
    raises(
        "concentration-empty",
        lambda: kamkit.concentration(pd.Series([], dtype=float)),
        ValueError,
        "values",
    ),
    raises(
        "concentration-bad-negative-option",
        lambda: kamkit.concentration(pd.Series([1.0]), negative="keep"),
        ValueError,
        "negative",
    ),
    raises(
        "concentration-top-share-out-of-range",
        lambda: kamkit.concentration(pd.Series([1.0, 2.0])).top_share(1.5),
        ValueError,
        "p",
    ),
    raises(
        "pyramid-shares-not-summing",
        lambda: kamkit.pyramid(ARCHIVE["revenue"], shares=(0.5, 0.2)),
        ValueError,
        "shares",
    ),
    raises(
        "pyramid-unknown-labels",
        lambda: kamkit.pyramid(ARCHIVE["revenue"], labels="planets"),
        ValueError,
        "planets",
    ),
    raises(
        "pyramid-nan",
        lambda: kamkit.pyramid(pd.Series([1.0, np.nan, 3.0])),
        ValueError,
        "values",
    ),
    raises(
        "pyramid-bad-by",
        lambda: kamkit.pyramid(ARCHIVE["revenue"], by="weight"),
        ValueError,
        "by",
    ),
    answers(
        "pyramid-extremes",
        lambda: kamkit.pyramid(pd.Series([1e308, -1e308, 0.0, 5.0])),
        lambda t: t.notna().all() and len(t) == 4,
    ),
    raises(
        "thresholds-not-decreasing",
        lambda: kamkit.tier_by_thresholds(ARCHIVE["revenue"], [10, 100, 1000]),
        ValueError,
        "thresholds",
    ),
    raises(
        "thresholds-text",
        lambda: kamkit.tier_by_thresholds(ARCHIVE["revenue"], ["a", "b", "c"]),
        (TypeError, ValueError),
        "thresholds",
    ),
    raises(
        "quadrant-missing-column",
        lambda: kamkit.quadrant(ARCHIVE, "revenue", "loyalty"),
        ValueError,
        "loyalty",
    ),
    raises(
        "quadrant-bad-split",
        lambda: kamkit.quadrant(ARCHIVE, "revenue", "frequency", x_split="middle"),
        ValueError,
        "x_split",
    ),
    # ---- k-means
    raises(
        "kmeans-n-init-1e9",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]], 2, n_init=10**9),
        ValueError,
        "n_init",
        "1000",
    ),
    raises(
        "kmeans-max-iter-1e12",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]], 2, max_iter=10**12),
        ValueError,
        "max_iter",
    ),
    raises(
        "kmeans-k-zero",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]], 0),
        ValueError,
        "k",
    ),
    raises(
        "kmeans-k-too-many",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]].head(3), 5),
        ValueError,
        "k",
        "3",
    ),
    raises(
        "kmeans-k-float",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]], 2.0),
        TypeError,
        "k",
    ),
    raises(
        "kmeans-seed-negative",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]], 2, seed=-1),
        ValueError,
        "seed",
    ),
    raises(
        "kmeans-no-columns",
        lambda: kamkit.kmeans_segments(ARCHIVE[[]], 2),
        ValueError,
        "features",
    ),
    raises(
        "kmeans-nan-feature",
        lambda: kamkit.kmeans_segments(pd.DataFrame({"x": [1.0, np.nan, 3.0]}), 2),
        ValueError,
        "x",
    ),
    raises(
        "kmeans-overflowing-distances",
        lambda: kamkit.kmeans_segments(
            pd.DataFrame({"x": [1e308, -1e308, 1e308, 0.0]}), 2, standardize=False
        ),
        ValueError,
        "features",
        "standardize=True",
    ),
    answers(
        "kmeans-extremes-standardized",
        lambda: kamkit.kmeans_segments(pd.DataFrame({"x": [1e308, -1e308, 1e308, 0.0]}), 2),
        lambda r: finite(r.centers) and np.isfinite(r.inertia) and r.inertia > 0,
    ),
    answers(
        "kmeans-huge-values",
        lambda: kamkit.kmeans_segments(
            pd.DataFrame({"x": [1e300, 1e300, 2e300, 2e300]}), 2, standardize=False
        ),
        lambda r: sorted(r.centers["x"]) == [1e300, 2e300] and r.inertia == 0.0,
    ),
    # ---- assign_managers / service
    answers(
        "managers-string-tiers-without-dedicated",
        lambda: kamkit.assign_managers(
            TIERS.assign(tier=["gold", "silver", "small", "small"]), managers=3
        ),
        lambda r: not r.assignment["dedicated"].any(),
        "none of the tiers",
    ),
    raises(
        "managers-categorical-without-dedicated",
        lambda: kamkit.assign_managers(
            TIERS.assign(tier=pd.Categorical(["gold", "silver", "small", "small"])), managers=3
        ),
        ValueError,
        "dedicated",
    ),
    answers(
        "managers-string-tiers",
        lambda: kamkit.assign_managers(TIERS, workload="hours", managers=3),
        lambda r: int(r.assignment["dedicated"].sum()) == 2,
    ),
    raises(
        "managers-too-few",
        lambda: kamkit.assign_managers(TIERS, managers=1),
        ValueError,
        "managers",
    ),
    raises(
        "managers-zero",
        lambda: kamkit.assign_managers(TIERS, managers=0),
        ValueError,
        "managers",
    ),
    raises(
        "managers-missing-tier",
        lambda: kamkit.assign_managers(TIERS.assign(tier=["VIP", None, "small", "small"])),
        ValueError,
        "tier",
    ),
    raises(
        "managers-tier-column-missing",
        lambda: kamkit.assign_managers(TIERS, tier="level"),
        ValueError,
        "level",
    ),
    raises(
        "managers-workload-unknown-tier",
        lambda: kamkit.assign_managers(TIERS, workload={"VIP": 1.0}, managers=3),
        ValueError,
        "workload",
    ),
    raises(
        "managers-duplicate-names",
        lambda: kamkit.assign_managers(TIERS, managers=["a", "a", "b"]),
        ValueError,
        "managers",
    ),
    raises(
        "service-policies-unknown-labels",
        lambda: kamkit.service_policies("planets"),
        ValueError,
        "planets",
    ),
    # ---- lifecycle
    raises(
        "panel-missing-column",
        lambda: kamkit.period_panel(LOG.drop(columns="amount")),
        ValueError,
        "amount",
    ),
    raises(
        "panel-bad-period",
        lambda: kamkit.period_panel(LOG, period="fortnight"),
        ValueError,
        "period",
    ),
    raises(
        "panel-bad-value",
        lambda: kamkit.period_panel(LOG, value="profit"),
        ValueError,
        "value",
    ),
    raises(
        "stages-not-a-panel",
        lambda: kamkit.lifecycle_stages(ARCHIVE),
        (TypeError, ValueError),
        "panel",
    ),
    raises(
        "stages-window-zero",
        lambda: kamkit.lifecycle_stages(PANEL, window=0),
        ValueError,
        "window",
    ),
    raises(
        "stages-window-float",
        lambda: kamkit.lifecycle_stages(PANEL, window=2.5),
        TypeError,
        "window",
    ),
    raises(
        "stages-growth-negative",
        lambda: kamkit.lifecycle_stages(PANEL, growth=-1.0),
        ValueError,
        "growth",
    ),
    raises(
        "update-panel-ids-other-kind",
        lambda: kamkit.update_panel(
            PANEL,
            LOG[LOG["date"] >= LOG["date"].max() - pd.Timedelta(days=3)].assign(
                customer_id=lambda d: "c" + d["customer_id"].astype(str)
            ),
        ),
        TypeError,
        "customer",
        "kind",
    ),
    raises(
        "update-panel-rows-before-last-period",
        lambda: kamkit.update_panel(PANEL, LOG.head(20)),
        ValueError,
        "new_transactions",
    ),
    raises(
        "update-panel-not-a-panel",
        lambda: kamkit.update_panel(ARCHIVE, LOG.head(5)),
        (TypeError, ValueError),
        "panel",
    ),
    raises(
        "tier-history-window-zero",
        lambda: kamkit.tier_history(PANEL, window=0),
        ValueError,
        "window",
    ),
    raises(
        "transitions-not-stages",
        lambda: kamkit.transitions(ARCHIVE),
        TypeError,
        "states",
        "one kind",
    ),
    # ---- MarkovChain
    answers(
        "markov-clv-horizon-1e9",
        lambda: CHAIN.clv([1.0, 2.0], 0.01, horizon=10**9),
        lambda v: np.allclose(v, CHAIN.clv([1.0, 2.0], 0.01), rtol=1e-9),
    ),
    answers(
        "markov-clv-horizon-1e9-undiscounted",
        lambda: CHAIN.clv([1.0, 2.0], 0.0, horizon=10**9),
        lambda v: finite(v) and abs(v.iloc[0] / 10**9 - 7 / 6) < 1e-6,
    ),
    answers(
        "markov-forecast-1e16",
        lambda: CHAIN.forecast(0, 10**16),
        lambda s: sums_to_one(s) and np.allclose(s, CHAIN.stationary(), atol=1e-12),
    ),
    answers(
        "markov-forecast-periodic-1e16",
        lambda: kamkit.MarkovChain([[0.0, 1.0], [1.0, 0.0]]).forecast(0, 10**16),
        lambda s: s.tolist() == [1.0, 0.0],
    ),
    raises(
        "markov-not-square",
        lambda: kamkit.MarkovChain([[0.5, 0.5]]),
        ValueError,
        "P",
        "square",
    ),
    raises(
        "markov-rows-not-summing",
        lambda: kamkit.MarkovChain([[0.5, 0.6], [0.5, 0.5]]),
        ValueError,
        "P",
        "sum",
    ),
    raises(
        "markov-negative",
        lambda: kamkit.MarkovChain([[1.5, -0.5], [0.5, 0.5]]),
        ValueError,
        "P",
        "negative",
    ),
    raises(
        "markov-text",
        lambda: kamkit.MarkovChain([["a", "b"], ["c", "d"]]),
        TypeError,
        "P",
    ),
    raises(
        "markov-forecast-negative-steps",
        lambda: CHAIN.forecast(0, -1),
        ValueError,
        "steps",
    ),
    raises(
        "markov-forecast-unknown-state",
        lambda: CHAIN.forecast("lost", 1),
        ValueError,
        "lost",
    ),
    raises(
        "markov-clv-infinite-undiscounted",
        lambda: CHAIN.clv([1.0, 2.0], 0.0),
        ValueError,
        "discount_rate",
    ),
    raises(
        "markov-clv-rewards-shape",
        lambda: CHAIN.clv([1.0], 0.1),
        ValueError,
        "rewards",
    ),
    raises(
        "markov-clv-horizon-float",
        lambda: CHAIN.clv([1.0, 2.0], 0.1, horizon=2.5),
        TypeError,
        "horizon",
    ),
    raises(
        "markov-stationary-not-unique",
        lambda: kamkit.MarkovChain([[1.0, 0.0], [0.0, 1.0]]).stationary(),
        ValueError,
        "stationary",
    ),
    raises(
        "markov-absorption-without-absorbing",
        lambda: CHAIN.expected_time_to_absorption(),
        ValueError,
        "absorbing",
    ),
    answers(
        "markov-absorption",
        lambda: ABSORBING.expected_time_to_absorption(),
        lambda s: s.tolist() == [2.0],
    ),
    # ---- models
    raises(
        "bgnbd-all-T-zero",
        lambda: kamkit.BetaGeo().fit([0, 0, 0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
        ValueError,
        "T = 0",
    ),
    raises(
        "pareto-one-customer",
        lambda: kamkit.ParetoNBD().fit([2], [5.0], [10.0]),
        ValueError,
        "2 customers",
        "found 1",
    ),
    raises(
        "bgnbd-one-customer",
        lambda: kamkit.BetaGeo().fit([2], [5.0], [10.0]),
        ValueError,
        "found 1",
    ),
    raises(
        "bgnbd-all-frequencies-zero",
        lambda: kamkit.BetaGeo().fit([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0]),
        ValueError,
        "frequency 0",
    ),
    raises(
        "mbgnbd-all-frequencies-zero",
        lambda: kamkit.ModifiedBetaGeo().fit([0, 0], [0.0, 0.0], [5.0, 6.0]),
        ValueError,
        "frequency 0",
    ),
    raises(
        "bgnbd-recency-after-T",
        lambda: kamkit.BetaGeo().fit([1, 2], [9.0, 3.0], [5.0, 6.0]),
        ValueError,
        "recency",
    ),
    raises(
        "bgnbd-negative-frequency",
        lambda: kamkit.BetaGeo().fit([-1, 2], [1.0, 3.0], [5.0, 6.0]),
        ValueError,
        "frequency",
    ),
    raises(
        "bgnbd-nan-T",
        lambda: kamkit.BetaGeo().fit([1, 2], [1.0, 3.0], [np.nan, 6.0]),
        ValueError,
        "T",
    ),
    raises(
        "bgnbd-penalizer-negative",
        lambda: kamkit.BetaGeo(penalizer=-1).fit(RFM),
        ValueError,
        "penalizer",
    ),
    raises(
        "bgnbd-clv-time-1e9",
        lambda: FITTED.customer_lifetime_value(
            RFM["frequency"], RFM["recency"], RFM["T"], ARCHIVE["revenue"], time=10**9
        ),
        ValueError,
        "time",
        "1200",
    ),
    raises(
        "bgnbd-clv-time-negative",
        lambda: FITTED.customer_lifetime_value(
            RFM["frequency"], RFM["recency"], RFM["T"], ARCHIVE["revenue"], time=-1
        ),
        ValueError,
        "time",
    ),
    raises(
        "bgnbd-clv-bad-time-unit",
        lambda: FITTED.customer_lifetime_value(
            RFM["frequency"], RFM["recency"], RFM["T"], ARCHIVE["revenue"], time_unit="fortnight"
        ),
        ValueError,
        "time_unit",
    ),
    raises(
        "gamma-gamma-clv-time-1e9",
        lambda: (
            kamkit.GammaGamma()
            .fit(
                ARCHIVE.loc[ARCHIVE["frequency"] > 0, "frequency"],
                ARCHIVE.loc[ARCHIVE["frequency"] > 0, "revenue"]
                / (ARCHIVE.loc[ARCHIVE["frequency"] > 0, "frequency"] + 1),
            )
            .customer_lifetime_value(
                FITTED,
                RFM["frequency"],
                RFM["recency"],
                RFM["T"],
                ARCHIVE["revenue"].clip(lower=1.0),
                time=10**9,
            )
        ),
        ValueError,
        "time",
    ),
    raises(
        "model-predict-before-fit",
        lambda: kamkit.BetaGeo().predict(10, 1, 5.0, 10.0),
        (ValueError, RuntimeError),
        "fit",
    ),
    raises("model-broken-json-file", broken_json, ValueError, "from_json", "not valid JSON"),
    raises("model-other-json", wrong_json, ValueError, "from_json", "format"),
    raises("model-damaged-json", damaged_json, ValueError, "from_json", "damaged"),
    raises(
        "model-predict-negative-t",
        lambda: FITTED.predict(-1, 1, 5.0, 10.0),
        ValueError,
        "t",
    ),
    answers(
        "model-predict-ids-past-2-31",
        lambda: FITTED.predict(
            30,
            RFM["frequency"].set_axis(RFM.index + 2**40),
            RFM["recency"].set_axis(RFM.index + 2**40),
            RFM["T"].set_axis(RFM.index + 2**40),
        ),
        lambda p: finite(p) and len(p) == len(RFM),
    ),
    raises(
        "tier-history-window-past-2-31",
        lambda: kamkit.tier_history(PANEL, window=2**40),
        ValueError,
        "window",
        "2147483647",
    ),
    raises(
        "stages-window-past-2-31",
        lambda: kamkit.lifecycle_stages(PANEL, window=2**40),
        ValueError,
        "window",
    ),
    raises(
        "kmeans-seed-past-2-64",
        lambda: kamkit.kmeans_segments(ARCHIVE[["revenue"]], 2, seed=2**70),
        ValueError,
        "seed",
    ),
    answers(
        "markov-forecast-steps-past-2-63",
        lambda: CHAIN.forecast(1, 2**70),
        sums_to_one,
    ),
    # ---- threads
    raises("threads-negative", lambda: kamkit.set_num_threads(-1), ValueError, "n"),
    raises("threads-float", lambda: kamkit.set_num_threads(1.5), TypeError, "n"),
    raises("threads-huge", lambda: kamkit.set_num_threads(10**9), ValueError, "n", "4096"),
    # ---- CLI
    cli_fails("cli-missing-file", ["summarize", "/nonexistent/log.csv"], "nonexistent"),
    cli_fails("cli-clv-horizon-huge", ["clv", GOOD_CSV, "--horizon", "1000000000"], "horizon"),
    cli_fails("cli-summarize-unknown-column", ["summarize", GOOD_CSV, "--customer", "who"], "who"),
    cli_fails("cli-summarize-text-amounts", ["summarize", TEXT_AMOUNT_CSV], "amount"),
    cli_fails("cli-summarize-bad-dates", ["summarize", BAD_DATE_CSV], "date"),
    Case(
        "cli-summarize-end-year-2500",
        cli("summarize", GOOD_CSV, "--observation-end", "2500-01-01"),
        check=lambda code: code == 0,
    ),
    cli_fails("cli-tier-unknown-column", ["tier", GOOD_CSV, "--amount", "value"], "value"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(60)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if case.error is not None:
                with pytest.raises(case.error) as info:
                    case.call()
                message = str(info.value)
                for word in case.words:
                    assert word in message, f"{word!r} not in {message!r}"
                assert "incompatible function arguments" not in message
                return
            result = case.call()
        assert case.check is not None
        assert case.check(result), f"unexpected answer: {result!r}"
        shown = " ".join(str(w.message) for w in caught)
        for word in case.warns:
            assert word in shown, f"no warning with {word!r} (got {shown!r})"
        if "cli" in case.tags:
            err = capsys.readouterr().err
            assert "Traceback" not in err and err.strip(), err
            for word in case.tags[1:]:
                assert word in err
    finally:
        signal.alarm(0)
        for key, frame in INPUTS.items():
            pd.testing.assert_frame_equal(frame, COPIES[key], obj=f"{key} (input mutated)")


def _timeout(*_: Any) -> None:
    raise TimeoutError("the call did not finish within 60 s")


def test_matrix_is_large_enough() -> None:
    assert len(CASES) >= 120
    assert len({c.name for c in CASES}) == len(CASES)
