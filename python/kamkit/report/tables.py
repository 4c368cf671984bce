"""The per-customer tables that the report and the command line both build.

Each table is built here once: the report adds its columns to the tiers
file from these functions, and ``kamkit tier`` and ``kamkit clv`` print them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from .._i18n import translate_values
from ..archive import summarize
from ..models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD, SpendExclusionWarning
from ..models.selection import MODEL_NAMES, select_model
from ..scoring import default_criteria, rfm_scores, value_score
from ..tiering import pyramid

__all__ = [
    "ARCHIVE_COLUMNS",
    "CLV_MODELS",
    "RFM_COLUMNS",
    "archive_columns",
    "choose_model",
    "clv_table",
    "clv_values",
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
    archive = summarize(
        frame,
        customer,
        date,
        amount,
        margin,
        observation_end=observation_end,
        missing=missing,
    )
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
            freq="W",
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
    """
    step = progress or (lambda what: None)
    reason = "chosen by the caller"
    if model == "auto":
        step("choosing the purchase model on a holdout")
        model, reason = choose_model(transactions, customer, date, observation_end, missing)
    step("building the customer archive")
    summary = summarize(
        transactions,
        customer,
        date,
        amount,
        observation_end=observation_end,
        missing=missing,
        time_unit="W",
    )
    step(f"fitting {CLV_MODELS[model].__name__} and GammaGamma")
    values, _, _, _ = clv_values(summary, horizon_months, discount_rate, model)
    step("predicting")
    out = pd.concat([summary[[*ARCHIVE_COLUMNS[:3], "monetary_value", "revenue"]], values], axis=1)
    out.attrs.update(model=model, model_reason=reason)
    return out
