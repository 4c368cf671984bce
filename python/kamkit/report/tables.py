"""The per-customer tables that the report and the command line both build.

Each table is built here once: the report adds its columns to the tiers
file from these functions, and ``kamkit tier`` and ``kamkit clv`` print them.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._i18n import name, translate_values
from .._validation import MissingValuesWarning, check_clv_time
from ..archive import summarize
from ..lifecycle import period_panel
from ..models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD, SpendExclusionWarning
from ..models.selection import MODEL_NAMES, select_model
from ..scoring import default_criteria, rfm_scores, value_score
from ..tiering import pyramid

__all__ = [
    "ARCHIVE_COLUMNS",
    "CLV_MODELS",
    "LogColumns",
    "RFM_COLUMNS",
    "archive_columns",
    "choose_model",
    "clv_table",
    "clv_values",
    "recent_tier_name",
    "stage_reasons",
    "warning_table",
    "rfm_columns",
    "tier_table",
    "value_scores",
]

#: The archive columns every per-customer table starts with.
ARCHIVE_COLUMNS = ("frequency", "recency", "T", "n_transactions", "revenue")
#: The RFM columns the tables carry.
RFM_COLUMNS = ("R", "F", "M", "rfm", "segment")
#: Purchase models of ``kamkit clv --model`` (and the report, which uses "bgnbd").
CLV_MODELS: dict[str, type[Any]] = {
    "bgnbd": BetaGeo,
    "mbgnbd": ModifiedBetaGeo,
    "pareto": ParetoNBD,
}
# Weeks per month of the lifetime-value horizon.
_WEEKS_PER_MONTH = 4.345


@dataclass(frozen=True)
class LogColumns:
    """Which columns of a transaction log to read, and how: built once, used everywhere.

    The report and the command line read every log through one of these, so
    the "summarize with these columns" call is written here only.

    Examples
    --------
    >>> import kamkit
    >>> from kamkit.report.tables import LogColumns
    >>> cols = LogColumns(observation_end="1997-12-31")
    >>> len(cols.summarize(kamkit.datasets.load_cdnow_sample()))
    2357
    """

    customer: Hashable = "customer_id"
    date: Hashable = "date"
    amount: Hashable | None = "amount"
    margin: Hashable | None = None
    missing: str = "raise"
    observation_end: Any = None
    order: Hashable | None = None

    def kwargs(self, margin: bool = True) -> dict[str, Any]:
        """The fields as keyword arguments (without ``margin`` when ``margin=False``)."""
        out = asdict(self)
        if not margin:
            del out["margin"]
        return out

    def summarize(
        self, transactions: pd.DataFrame, *, margin: bool = True, **options: Any
    ) -> pd.DataFrame:
        """:func:`kamkit.summarize` of ``transactions`` with these columns.

        ``margin=False`` leaves the margin column out; ``options`` go to
        :func:`kamkit.summarize` (``granularity``, ``time_unit``, ``value_period``).
        """
        return summarize(
            transactions,
            self.customer,
            self.date,
            self.amount,
            self.margin if margin else None,
            observation_end=self.observation_end,
            missing=self.missing,  # type: ignore[arg-type]
            order=self.order,
            **options,
        )

    def period_panel(self, transactions: pd.DataFrame, period: str) -> pd.DataFrame:
        """:func:`kamkit.period_panel` of ``transactions`` (revenue) with these columns.

        With an order column, all lines of one order count in the period of
        the order's first line (see :meth:`orders`).
        """
        if self.order is not None:
            if "order" in inspect.signature(period_panel).parameters:
                return period_panel(
                    transactions,
                    customer=self.customer,
                    date=self.date,
                    amount=self.amount,
                    period=period,  # type: ignore[arg-type]
                    observation_end=self.observation_end,
                    missing=self.missing,  # type: ignore[arg-type]
                    order=self.order,
                )
            transactions = self.orders(transactions)
        return period_panel(
            transactions,
            customer=self.customer,
            date=self.date,
            amount=self.amount,
            period=period,  # type: ignore[arg-type]
            observation_end=self.observation_end,
            missing=self.missing,  # type: ignore[arg-type]
        )

    def orders(self, transactions: pd.DataFrame) -> pd.DataFrame:
        """One row per order: dated at its first line, amount (and margin) summed.

        Rows without a customer id or date are kept as they are, so that the
        checks of :func:`kamkit.period_panel` still see them (and ``missing``
        decides). Rows without an order id follow ``missing`` as
        :func:`kamkit.summarize` does: a ``ValueError`` naming the column, or
        dropped with a :class:`kamkit.MissingValuesWarning`. Without an order
        column, ``transactions`` itself.
        """
        if self.order is None:
            return transactions
        keys = [self.customer, self.order]
        no_order = transactions[self.order].isna()
        if no_order.any():
            count = int(no_order.sum())
            rows = f"{count:,} row{'s' if count != 1 else ''}"
            if self.missing == "raise":
                raise ValueError(
                    f"column {self.order!r}: expected an order id on every row, found {rows} "
                    "without one; drop or fill them first, or pass missing='drop'"
                )
            warnings.warn(
                f"transactions: dropped {rows} without an order id in {self.order!r}",
                MissingValuesWarning,
                stacklevel=3,
            )
            transactions = transactions[~no_order]
        have = transactions[[self.customer, self.date]].notna().all(axis=1)
        lines = transactions[have]
        sums = {c: "sum" for c in (self.amount, self.margin) if c is not None}
        agg: dict[Any, Any] = {self.date: "min", **sums}
        whole = lines.groupby(keys, sort=False, dropna=False).agg(agg).reset_index()
        rest = transactions.loc[~have, [*keys, self.date, *sums]]
        return pd.concat([whole, rest], ignore_index=True) if len(rest) else whole


def archive_columns(archive: pd.DataFrame, margin: bool = False) -> pd.DataFrame:
    """The archive's columns that open every per-customer table (a copy).

    Parameters
    ----------
    archive : DataFrame
        From :func:`kamkit.summarize`.
    margin : bool, default False
        Also the ``margin`` column, when the archive has one.

    Returns
    -------
    DataFrame
    """
    out = archive[list(ARCHIVE_COLUMNS)].copy()
    if margin and "margin" in archive:
        out["margin"] = archive["margin"]
    return out


def value_scores(archive: pd.DataFrame) -> pd.Series:
    """The value score with the default criteria, as the report's policy states.

    A factor a customer lacks takes the median of the others; a factor no
    customer has (growth in a log shorter than two periods) is left out.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> from kamkit.report import value_scores
    >>> scores = value_scores(kamkit.summarize(log, amount="amount"))
    >>> bool(scores.between(0, 100).all())
    True
    """
    criteria = default_criteria(archive)
    usable = {
        k: w for k, w in criteria.items() if not (k in archive.columns and archive[k].isna().all())
    }
    return value_score(archive, usable or None, missing="median")


def rfm_columns(rfm: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The RFM columns of :func:`kamkit.rfm_scores`'s result, segments in ``lang``."""
    out = rfm[[c for c in RFM_COLUMNS if c in rfm]].copy()
    if "segment" in out:
        out["segment"] = translate_values(out["segment"], lang)
    return out


def tier_table(
    frame: pd.DataFrame,
    *,
    customer: Any,
    date: Any,
    amount: Any,
    margin: Any = None,
    missing: str = "raise",
    observation_end: Any = None,
    order: Any = None,
    by: str = "count",
    labels: str = "vip",
    shares: tuple[float, ...] | None = None,
    rank_by: str = "revenue",
    lang: str = "en",
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The per-customer tier table behind ``kamkit tier``.

    Archive columns, value score, pyramid tier (by net revenue or by the
    value score) and RFM scores and segment, one row per customer.
    """
    step = progress or (lambda what: None)
    step("building the customer archive")
    cols = LogColumns(customer, date, amount, margin, missing, observation_end, order)
    archive = cols.summarize(frame)
    step("scoring and tiering")
    out = archive_columns(archive, margin=True)
    out["value_score"] = value_scores(archive)
    values = out["revenue"] if rank_by == "revenue" else out["value_score"]
    kwargs: dict[str, Any] = {"labels": labels, "by": by}
    if shares is not None:
        kwargs["shares"] = shares
    out["tier"] = translate_values(pyramid(values, **kwargs), lang)
    rfm = rfm_columns(rfm_scores(archive), lang)
    for col in rfm.columns:
        out[col] = rfm[col]
    return out


def clv_values(
    summary: pd.DataFrame, horizon_months: int, discount_rate: float, model: str = "bgnbd"
) -> tuple[pd.DataFrame, Any, Any, int]:
    """P(alive), expected purchases, expected spend and CLV per customer.

    ``summary`` is :func:`kamkit.summarize`'s archive with time in weeks.
    Returns the table, the two fitted models and the number of customers
    left out of the spend model's fit.
    """
    check_clv_time(horizon_months, "horizon_months")
    transactions_model = CLV_MODELS[model]().fit(summary)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spend_model = GammaGamma().fit(summary)
    for w in caught:  # pass on everything but the announced exclusion
        if not issubclass(w.category, SpendExclusionWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    repeat = (summary["frequency"] > 0) & (summary["monetary_value"] > 0)
    excluded = int((~repeat).sum())
    out = pd.DataFrame(index=summary.index)
    out["p_alive"] = np.asarray(transactions_model.probability_alive(summary), dtype=float)
    weeks = horizon_months * _WEEKS_PER_MONTH
    out["expected_purchases"] = np.asarray(
        transactions_model.conditional_expected_purchases(weeks, summary), dtype=float
    )
    out["expected_spend"] = np.asarray(
        spend_model.conditional_expected_average_spend(summary), dtype=float
    )
    out["clv"] = np.asarray(
        spend_model.customer_lifetime_value(
            transactions_model,
            summary["frequency"],
            summary["recency"],
            summary["T"],
            summary["monetary_value"],
            time=int(horizon_months),
            discount_rate=discount_rate,
            time_unit="W",
        ),
        dtype=float,
    )
    return out, transactions_model, spend_model, excluded


def choose_model(
    transactions: pd.DataFrame,
    customer: Hashable,
    date: Hashable,
    observation_end: Any = None,
    missing: str = "raise",
) -> tuple[str, str]:
    """The purchase model with the lowest holdout RMSE (:func:`kamkit.select_model`), and why.

    Falls back to BG/NBD when the log leaves no holdout to rank them on.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ranking = select_model(
                transactions, customer, date, observation_end=observation_end, missing=missing
            )
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        return "bgnbd", f"BG/NBD by default: no holdout to rank the models on ({exc})"
    best = str(ranking.attrs["best"])
    return best, (
        f"{MODEL_NAMES[best]}: the lowest RMSE of purchases per customer over a 91-day "
        f"holdout among {', '.join(MODEL_NAMES[m] for m in ranking.index if m in MODEL_NAMES)}"
    )


def clv_table(
    transactions: pd.DataFrame,
    *,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    missing: str = "raise",
    observation_end: Any = None,
    order: Hashable | None = None,
    model: str = "auto",
    horizon_months: int = 12,
    discount_rate: float = 0.01,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Per-customer P(alive), expected purchases, expected spend and lifetime value.

    Time is measured in weeks; the horizon in months (4.345 weeks),
    discounted monthly as lifetimes' ``customer_lifetime_value`` does.
    ``model="auto"`` takes the purchase model that forecast a 91-day
    holdout best (:func:`choose_model`); ``attrs["model"]`` and
    ``attrs["model_reason"]`` name it.
    Customers follow :data:`kamkit.report.POLICY`.

    Raises
    ------
    ValueError
        Bad input (see :func:`kamkit.summarize`), or a log the models cannot fit.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> from kamkit.report import clv_table
    >>> table = clv_table(log, observation_end="1997-09-30", horizon_months=6)
    >>> bool(table["p_alive"].between(0, 1).all()), len(table)
    (True, 2357)
    """
    check_clv_time(horizon_months, "horizon_months")
    step = progress or (lambda what: None)
    reason = "chosen by the caller"
    if model == "auto":
        step("choosing the purchase model on a holdout")
        model, reason = choose_model(transactions, customer, date, observation_end, missing)
    step("building the customer archive")
    cols = LogColumns(customer, date, amount, None, missing, observation_end, order)
    summary = cols.summarize(transactions, time_unit="W")
    step(f"fitting {CLV_MODELS[model].__name__} and GammaGamma")
    values, _, _, _ = clv_values(summary, horizon_months, discount_rate, model)
    step("predicting")
    out = pd.concat([summary[[*ARCHIVE_COLUMNS[:3], "monetary_value", "revenue"]], values], axis=1)
    out.attrs.update(model=model, model_reason=reason)
    return out


#: Periods per year of the lifecycle panels, for the recent tier's name.
_PERIOD_LETTER = {"D": "d", "W": "w", "M": "m", "Q": "q", "Y": "y"}


def recent_tier_name(window: int = 12, period: str = "M") -> str:
    """Column name of a tier over the last ``window`` periods: ``tier_12m`` for 12 months.

    ``tier`` alone always means the tier over the whole history (the report's
    tiers file, ``kamkit tier``); the early-warning list's tier, computed on
    the recent periods only, carries this name instead.
    """
    return f"tier_{int(window)}{_PERIOD_LETTER.get(str(period).upper()[:1], 'p')}"


def warning_table(
    warnings: pd.DataFrame, period: str, window: int = 12, lang: str = "en"
) -> pd.DataFrame:
    """:func:`kamkit.early_warning`'s list as the files show it.

    ``tier`` is the tier over the whole history, as in the tiers file;
    ``tier_12m`` the tier on the last 365 days' revenue. With ``lang="zh"``
    the reasons, stages and tiers are in Chinese. (``period`` and ``window``
    are kept for callers; the list's recent tier is always over 12 months.)
    """
    recent = "tier_12m"
    out = warnings
    if lang == "zh":
        out = out.copy()
        if "reasons" in out:
            out["reasons"] = [
                "、".join(name(code.strip(), "zh") for code in str(r).split(",") if code)
                for r in out["reasons"]
            ]
        for col in ("stage", "tier", recent):
            if col in out:
                out[col] = translate_values(out[col], "zh")
    return out


def stage_reasons(
    stage: pd.Series, last: Any, lang: str = "en", first_purchase: pd.Series | None = None
) -> pd.Series:
    """Why each customer has the stage it has, or why it has none.

    ``stage`` is the stage in period ``last`` (the last full period). A
    customer without one either bought first after ``last`` (known from
    ``first_purchase``, the archive's column) or had no period with a
    positive net revenue up to ``last`` (only free items or returns): the
    lifecycle stages start at the first paying period.
    """
    zh = lang == "zh"
    staged = f"{last} 的阶段" if zh else f"stage in {last}"
    later = (
        f"首次购买在最后一个完整期间 {last} 之后，尚无阶段"
        if zh
        else f"first purchase after {last}, the last full period: no stage yet"
    )
    unpaid = (
        f"截至 {last} 没有净收入为正的期间（只有免费商品或退货），没有阶段"
        if zh
        else f"no period with a positive net revenue up to {last} (free items or returns "
        "only): no stage"
    )
    out = pd.Series(staged, index=stage.index, dtype=object, name="stage_reason")
    missing = stage.isna().to_numpy()
    out[missing] = unpaid
    if first_purchase is not None and hasattr(last, "end_time"):
        first = pd.to_datetime(first_purchase.reindex(stage.index)).to_numpy()
        after = missing & (first > np.datetime64(last.end_time))
        out[after] = later
    return out
