"""Early warning: the work list of customers about to fall away.

:func:`early_warning` builds on :func:`~kamkit.lifecycle.risk.decline_risk`:
it takes the customers most likely to decline among those active over the
last horizon, and ranks them by the revenue they are expected to lose.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._validation import check_choice, check_frame, check_int, check_number
from ..models._protocol import transaction_model
from ..tiering import PYRAMID_SHARES
from ._common import _is_panel
from .risk import WARNING_REASONS, _reasons, decline_risk

__all__ = ["WARNING_REASONS", "early_warning"]

# Days per period of the deprecated ``horizon_periods``.
_PERIOD_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Q": 365.25 / 4, "Y": 365.25}


def _credit_columns(
    credit: pd.DataFrame, index: pd.Index, customer: Hashable, overdue_days: float
) -> tuple[np.ndarray, np.ndarray]:
    credit = check_frame(credit, "credit")
    if "days_overdue" not in credit.columns:
        raise ValueError(
            "credit: expected a 'days_overdue' column (and optionally 'overdue_amount'), "
            f"found {list(credit.columns)}"
        )
    ids = credit[customer] if customer in credit.columns else credit.index.to_series()
    where = index.get_indexer(pd.Index(ids))
    if (where < 0).any():
        raise ValueError(
            f"credit: {int((where < 0).sum())} rows name customers that are not in the data "
            f"(first: {ids.to_numpy()[where < 0][0]!r}); drop them or add their transactions"
        )
    days = pd.to_numeric(credit["days_overdue"], errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(days).any():
        raise ValueError(
            f"column 'days_overdue': expected numbers, found {int(np.isnan(days).sum())} rows "
            "missing or non-numeric; fill them (0: nothing overdue)"
        )
    if "overdue_amount" in credit.columns:
        amount = pd.to_numeric(credit["overdue_amount"], errors="coerce").to_numpy(np.float64)
        if np.isnan(amount).any():
            raise ValueError("column 'overdue_amount': expected a number on every row")
    else:
        amount = np.zeros(len(credit))
    flag = np.zeros(len(index), dtype=bool)
    owed = np.zeros(len(index))
    late = (days > overdue_days) & ((amount > 0) if "overdue_amount" in credit.columns else True)
    np.logical_or.at(flag, where, late)
    np.add.at(owed, where, np.where(late, amount, 0.0))
    return flag, owed


def early_warning(
    transactions: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    order: Hashable | None = None,
    observation_end: Any = None,
    *,
    horizon: int = 90,
    drop: float = 0.5,
    capacity: int | None = None,
    share: float = 0.2,
    credit: pd.DataFrame | None = None,
    overdue_days: float = 30,
    model: Any = None,
    model_time_unit: Literal["D", "W"] = "D",
    p_alive_threshold: float = 0.5,
    seed: int | None = None,
    shares: Sequence[float] = PYRAMID_SHARES,
    labels: str | Sequence[Hashable] = "vip",
    horizon_periods: int | None = None,
    period: Literal["D", "W", "M", "Q", "Y"] = "M",
    missing: Literal["raise", "drop"] = "raise",
    **risk_options: Any,
) -> pd.DataFrame:
    """The early-warning work list: who is about to fall away, and what is at stake.

    The list holds the customers active over the last ``horizon`` days
    (they spent something) with the highest :func:`kamkit.decline_risk`
    ``p_decline`` (the calibrated probability that their spend over the
    next ``horizon`` days falls below ``(1 - drop)`` x the last
    ``horizon`` days'), at most ``share`` of the active customers or
    ``capacity`` of them, and ranks them by ``expected_loss``. Customers
    with overdue receivables (``credit``) are taken first, and their
    overdue amount adds to their expected loss.

    Reasons (:data:`WARNING_REASONS`, a registry:
    :func:`kamkit.register_warning_reason`) come from the features behind
    each customer's risk: moved into decline, long silence for this
    customer, spend down against own history, tier drop, major customer
    slowing, overdue receivables, low P(alive).

    Parameters
    ----------
    transactions : DataFrame
        A transaction log (the rules of :func:`kamkit.summarize`). Not modified.
    customer, date, amount, order, observation_end
        As in :func:`kamkit.decline_risk`.
    horizon : int, default 90
        Days ahead (and back) of the decline, as in :func:`kamkit.decline_risk`.
    drop : float, default 0.5
        Relative fall of spend that counts as a decline.
    capacity : int, optional
        How many customers the list holds at most (default: ``share`` of the
        active customers, rounded).
    share : float, default 0.2
        Share of the active customers on the list when ``capacity`` is None.
    credit : DataFrame, optional
        Receivables per customer: ids in the ``customer`` column or the
        index, a ``days_overdue`` column and optionally ``overdue_amount``.
        More than ``overdue_days`` days overdue raises ``overdue``.
    model : object, optional
        A fitted kamkit model (or a lifetimes-style fitter) with
        ``conditional_probability_alive(frequency, recency, T)`` or
        ``probability_alive``, fitted in ``model_time_unit`` ("D" or "W"):
        its P(alive) replaces the BG/NBD one fitted here in the ``p_alive``
        column and the ``low_p_alive`` reason (``p_alive_threshold``).
    seed : int, optional
        Seed of :func:`kamkit.decline_risk`; results are reproducible with one.
    shares, labels
        Tiers of trailing-year revenue (the pyramid's rule and label sets).
    horizon_periods : int, optional
        Deprecated: the former ``horizon``, in ``period`` periods (12
        months). Converted to days, with a FutureWarning.
    missing : {"raise", "drop"}
    **risk_options
        Passed to :func:`kamkit.decline_risk` (``n_cuts``, ``step``,
        ``max_train_rows``).

    Returns
    -------
    DataFrame
        One row per customer on the list, indexed by customer id, sorted by
        ``rank`` (1 = largest expected loss): ``p_decline``,
        ``expected_loss``, ``at_stake``, ``reasons`` (codes,
        comma-separated), ``n_reasons``, a boolean column per reason,
        ``tier`` (as in :func:`kamkit.tier_history` on trailing-year
        revenue), ``revenue_year`` (last 365 days), ``last_purchase``,
        ``p_alive``, ``overdue_amount`` (with ``credit``) and ``rank``.
        ``attrs`` holds ``observation_end``, ``horizon``, ``drop``,
        ``n_active``, ``capacity`` and ``method`` of the risk model.

    Raises
    ------
    ImportError
        scikit-learn is missing (``pip install kamkit[warn]``).
    TypeError
        A panel instead of a log; a model without a P(alive) method.
    ValueError
        Bad input; a ``capacity`` below 0; credit rows of unknown customers.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> work = kamkit.early_warning(log, observation_end="1997-09-30", seed=0)
    >>> int(work["rank"].iloc[0])
    1
    >>> len(work) <= 0.2 * work.attrs["n_active"] + 1
    True
    """
    if _is_panel(transactions):
        raise TypeError(
            "transactions: early_warning now reads the transaction log (it learns from its "
            "history), got a period panel; pass the log the panel was built from"
        )
    if horizon_periods is not None:
        check_choice("period", period, tuple(_PERIOD_DAYS))
        n = check_int("horizon_periods", horizon_periods, 1)
        horizon = max(1, int(round(n * _PERIOD_DAYS[period])))
        warnings.warn(
            "early_warning: horizon_periods (the former horizon, in periods) is deprecated; "
            f"horizon is now in days: using horizon={horizon}",
            FutureWarning,
            stacklevel=2,
        )
    share = check_number("share", share, 0.0, 1.0)
    if capacity is not None:
        capacity = check_int("capacity", capacity, 0)
    overdue_days = check_number("overdue_days", overdue_days, 0.0)
    threshold = check_number("p_alive_threshold", p_alive_threshold, 0.0, 1.0)
    check_choice("model_time_unit", model_time_unit, ("D", "W"))
    alive_fn = None
    if model is not None:
        alive_fn = transaction_model(model, "model").probability_alive
    if credit is not None:
        check_frame(credit, "credit")
    risk = decline_risk(
        transactions, customer, date, amount, order, observation_end, horizon, drop, seed,
        shares=shares, labels=labels, missing=missing, **risk_options,
    )  # fmt: skip
    features = risk.attrs["features"]
    active = risk["active"].to_numpy()
    k = len(risk)
    owed = np.zeros(k)
    overdue = np.zeros(k, dtype=bool)
    if credit is not None:
        overdue, owed = _credit_columns(credit, risk.index, customer, overdue_days)
    p_alive = risk["p_alive"].to_numpy()
    if alive_fn is not None:
        scale = 7.0 if model_time_unit == "W" else 1.0
        freq = features["purchase_days"].to_numpy() - 1
        tenure = features["tenure"].to_numpy()
        rec = tenure - features["silence"].to_numpy()
        p_alive = np.asarray(alive_fn(freq, rec / scale, tenure / scale), dtype=np.float64)
        p_alive = p_alive.reshape(-1)
    features = features.assign(overdue=overdue, p_alive=np.where(p_alive < threshold, 0.0, 1.0))
    flags, joined = _reasons(features, active | overdue)
    n_active = int(active.sum())
    size = capacity if capacity is not None else int(round(share * n_active))
    size = min(size, n_active + int((overdue & ~active).sum()))
    p = risk["p_decline"].to_numpy()
    # Selection: overdue first, then the highest p_decline (ties: the raw score).
    eligible = np.flatnonzero(active | overdue)
    order_key = np.lexsort((-risk["score"].to_numpy()[eligible], -p[eligible], ~overdue[eligible]))
    chosen = eligible[order_key[:size]]
    loss = risk["expected_loss"].to_numpy() + owed
    chosen = chosen[np.argsort(-loss[chosen], kind="stable")]
    out = pd.DataFrame(
        {
            "p_decline": p[chosen],
            "expected_loss": loss[chosen],
            "at_stake": risk["at_stake"].to_numpy()[chosen],
            "reasons": [joined[i] for i in chosen],
        },
        index=risk.index[chosen],
    )
    out["n_reasons"] = flags.to_numpy()[chosen].sum(axis=1)
    for code in flags.columns:
        out[code] = flags[code].to_numpy()[chosen]
    for col in ("tier", "tier_12m"):
        out[col] = risk[col].to_numpy()[chosen]
        out[col] = out[col].astype(risk[col].dtype)
    out["revenue_year"] = risk["revenue_year"].to_numpy()[chosen]
    out["last_purchase"] = risk["last_purchase"].to_numpy()[chosen]
    out["p_alive"] = p_alive[chosen]
    if credit is not None:
        out["overdue_amount"] = owed[chosen]
    out["rank"] = np.arange(1, len(chosen) + 1)
    out.attrs.update(
        observation_end=risk.attrs["observation_end"],
        horizon=risk.attrs["horizon"],
        drop=risk.attrs["drop"],
        n_active=n_active,
        capacity=size,
        method=risk.attrs["method"],
    )
    return out
