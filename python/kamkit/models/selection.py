"""Choosing a purchase model on a holdout period."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .bg_nbd import BetaGeo, ModifiedBetaGeo
from .pareto_nbd import ParetoNBD

__all__ = ["MODEL_NAMES", "PURCHASE_MODELS", "select_model"]

#: Readable names of the purchase models.
MODEL_NAMES: dict[str, str] = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto": "Pareto/NBD"}

#: The purchase models :func:`select_model` compares, by short name.
PURCHASE_MODELS: dict[str, type] = {
    "bgnbd": BetaGeo,
    "mbgnbd": ModifiedBetaGeo,
    "pareto": ParetoNBD,
}

_HOLDOUT = ("frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout")


def select_model(
    summary_or_log: pd.DataFrame,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    *,
    calibration_end: Any = None,
    observation_end: Any = None,
    holdout_days: int = 91,
    models: Sequence[str] = ("bgnbd", "mbgnbd", "pareto"),
    time_unit: str = "W",
    missing: str = "raise",
) -> pd.DataFrame:
    """Fit every purchase model on a calibration period and rank them on the holdout.

    Parameters
    ----------
    summary_or_log : DataFrame
        A calibration/holdout frame (:func:`kamkit.calibration_holdout`'s
        columns ``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``frequency_holdout``, ``duration_holdout``) or a transaction log
        (``customer`` and ``date`` columns), which is split at
        ``calibration_end`` (default: ``holdout_days`` before the last day).
    customer, date : column labels
        Of a log.
    calibration_end, observation_end : date-like, optional
        The split of a log.
    holdout_days : int, default 91
        Length of the default holdout.
    models : sequence of str
        Names in :data:`PURCHASE_MODELS`.
    time_unit : {"D", "W"}, default "W"
        Time unit of the fit, for a log.
    missing : {"raise", "drop"}
        Rows of a log without id or date raise, or are dropped with a warning.

    Returns
    -------
    DataFrame
        One row per model, best first (lowest RMSE of the holdout purchases
        per customer): ``mae``, ``rmse``, ``predicted_total``,
        ``actual_total``, ``log_likelihood`` and ``rank``; a last row
        ``naive`` repeats each customer's calibration rate. Models that fail
        to fit get NaN and the last ranks. ``attrs["best"]`` names the best
        model and ``attrs["fitted"]`` holds the fitted models.

    Raises
    ------
    ValueError
        An unknown model name; a frame that is neither a log nor a
        calibration/holdout frame.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> ranking = kamkit.select_model(log, calibration_end="1997-09-30")
    >>> ranking.attrs["best"] in ("bgnbd", "mbgnbd", "pareto")
    True
    """
    unknown = [m for m in models if m not in PURCHASE_MODELS]
    if unknown or not models:
        raise ValueError(
            f"models: expected names among {sorted(PURCHASE_MODELS)}, got {list(models)}"
        )
    if not isinstance(summary_or_log, pd.DataFrame):
        raise TypeError(
            f"summary_or_log: expected a DataFrame, got {type(summary_or_log).__name__}"
        )
    frame = summary_or_log
    if not all(c in frame.columns for c in _HOLDOUT):
        if customer not in frame.columns or date not in frame.columns:
            raise ValueError(
                f"summary_or_log: expected a transaction log with columns {customer!r} and "
                f"{date!r}, or a calibration/holdout frame with {list(_HOLDOUT)}; "
                f"found {list(frame.columns)}"
            )
        from ..archive import calibration_holdout

        if calibration_end is None:
            last = pd.to_datetime(frame[date]).max()
            end = last if observation_end is None else pd.Timestamp(observation_end)
            calibration_end = (end - pd.Timedelta(days=int(holdout_days))).normalize()
        frame = calibration_holdout(
            frame, customer, date, calibration_end=calibration_end,
            observation_end=observation_end, time_unit=time_unit,  # type: ignore[arg-type]
            missing=missing,  # type: ignore[arg-type]
        )  # fmt: skip
    x = frame["frequency_cal"].to_numpy(np.float64)
    tx = frame["recency_cal"].to_numpy(np.float64)
    big_t = frame["T_cal"].to_numpy(np.float64)
    duration = frame["duration_holdout"].to_numpy(np.float64)
    actual = frame["frequency_holdout"].to_numpy(np.float64)
    rows = {}
    fitted = {}
    for name in models:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = PURCHASE_MODELS[name]().fit(x, tx, big_t)
                pred = np.asarray(model.conditional_expected_purchases(duration, x, tx, big_t))
            ll = float(getattr(model, "log_likelihood_", np.nan))
            fitted[name] = model
        except (ValueError, RuntimeError, ArithmeticError, np.linalg.LinAlgError):
            pred = np.full(len(x), np.nan)
            ll = np.nan
        rows[name] = [*_errors(pred, actual), ll]
    with np.errstate(invalid="ignore", divide="ignore"):
        naive = np.where(big_t > 0, x / big_t, 0.0) * duration
    rows["naive"] = [*_errors(naive, actual), np.nan]
    out = pd.DataFrame.from_dict(
        rows,
        orient="index",
        columns=["mae", "rmse", "predicted_total", "actual_total", "log_likelihood"],
    )
    ranked = out.drop(index="naive").sort_values("rmse", na_position="last", kind="stable")
    out = pd.concat([ranked, out.loc[["naive"]]])
    out["rank"] = [*list(range(1, len(ranked) + 1)), np.nan]
    out.index.name = "model"
    out.attrs.update(best=str(ranked.index[0]), fitted=fitted, customers=len(x))
    return out


def _errors(pred: np.ndarray, actual: np.ndarray) -> list[float]:
    err = pred - actual
    return [
        float(np.mean(np.abs(err))),
        float(np.sqrt(np.mean(err**2))),
        float(np.sum(pred)),
        float(np.sum(actual)),
    ]
