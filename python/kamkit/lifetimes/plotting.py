"""lifetimes' ``plotting`` module: the ten ``plot_*`` functions, with lifetimes' titles and labels.

They draw with matplotlib on the current figure as lifetimes' did and take
the model's numbers from kamkit's core (through the fitters' methods). For
kamkit's own, localised charts see :mod:`kamkit.plotting`.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped]

from .utils import calculate_alive_path, expected_cumulative_transactions

__all__ = [
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_cumulative_transactions",
    "plot_dropout_rate_heterogeneity",
    "plot_expected_repeat_purchases",
    "plot_frequency_recency_matrix",
    "plot_history_alive",
    "plot_incremental_transactions",
    "plot_period_transactions",
    "plot_probability_alive_matrix",
    "plot_transaction_rate_heterogeneity",
]


def _plt() -> Any:
    from matplotlib import pyplot as plt

    return plt


def plot_period_transactions(
    model: Any,
    max_frequency: int = 7,
    title: str = "Frequency of Repeat Transactions",
    xlabel: str = "Number of Calibration Period Transactions",
    ylabel: str = "Customers",
    **kwargs: Any,
) -> Any:
    """Bar chart of customers by repeat transactions: observed against a simulation of the model.

    The model's customers are simulated with ``model.generate_new_data``
    (numpy's global random state).

    Returns
    -------
    matplotlib Axes
    """
    plt = _plt()
    labels = kwargs.pop("label", ["Actual", "Model"])
    n = model.data.shape[0]
    simulated = model.generate_new_data(size=n)
    observed = model.data["frequency"].value_counts().sort_index().iloc[:max_frequency]
    model_counts = simulated["frequency"].value_counts().sort_index().iloc[:max_frequency]
    table = pd.concat([observed, model_counts], axis=1).fillna(0)
    table.columns = list(labels)
    ax = table.plot(kind="bar", **kwargs)
    plt.legend()
    plt.title(title)
    plt.ylabel(ylabel)
    plt.xlabel(xlabel)
    return ax


_HOLDOUT_XLABELS = {
    "frequency_cal": "Purchases in calibration period",
    "recency_cal": "Age of customer at last purchase",
    "T_cal": "Age of customer at the end of calibration period",
    "time_since_last_purchase": "Time since user made last purchase",
}


def plot_calibration_purchases_vs_holdout_purchases(
    model: Any,
    calibration_holdout_matrix: pd.DataFrame,
    kind: str = "frequency_cal",
    n: int = 7,
    **kwargs: Any,
) -> Any:
    """Mean holdout purchases, actual and predicted, by a calibration-period attribute.

    Parameters
    ----------
    model : fitted transaction model
    calibration_holdout_matrix : DataFrame
        :func:`~kamkit.lifetimes.utils.calibration_and_holdout_data`'s output.
    kind : {"frequency_cal", "recency_cal", "T_cal", "time_since_last_purchase"}
    n : int, default 7
        Number of groups shown.

    Returns
    -------
    matplotlib Axes
    """
    plt = _plt()
    if kind not in _HOLDOUT_XLABELS:
        raise ValueError(f"kind: expected one of {', '.join(_HOLDOUT_XLABELS)}, got {kind!r}")
    summary = calibration_holdout_matrix.copy()
    duration = summary.iloc[0]["duration_holdout"]
    summary["model_predictions"] = np.asarray(
        model.conditional_expected_number_of_purchases_up_to_time(
            duration, summary["frequency_cal"], summary["recency_cal"], summary["T_cal"]
        )
    )
    if kind == "time_since_last_purchase":
        summary[kind] = summary["T_cal"] - summary["recency_cal"]
    means = summary.groupby(kind)[["frequency_holdout", "model_predictions"]].mean().iloc[:n]
    ax = means.plot(**kwargs)
    plt.title("Actual Purchases in Holdout Period vs Predicted Purchases")
    plt.xlabel(_HOLDOUT_XLABELS[kind])
    plt.ylabel("Average of Purchases in Holdout Period")
    plt.legend()
    return ax


def _matrix_plot(
    z: np.ndarray, title: str, xlabel: str, ylabel: str, kwargs: dict[str, Any]
) -> Any:
    plt = _plt()
    interpolation = kwargs.pop("interpolation", "none")
    ax = plt.subplot(111)
    image = ax.imshow(z, interpolation=interpolation, **kwargs)
    plt.xlabel(xlabel)
    plt.ylabel(ylabel)
    plt.title(title)
    extent = image.get_extent()
    ax.set_aspect(abs((extent[1] - extent[0]) / (extent[3] - extent[2])))
    plt.colorbar(image, ax=ax)
    return ax


def plot_frequency_recency_matrix(
    model: Any,
    T: float = 1,
    max_frequency: int | None = None,
    max_recency: int | None = None,
    title: str | None = None,
    xlabel: str = "Customer's Historical Frequency",
    ylabel: str = "Customer's Recency",
    **kwargs: Any,
) -> Any:
    """Heat map of the expected purchases in the next ``T`` by frequency and recency.

    Customers are ``max_recency`` old; the grid is recency 0..max_recency by
    frequency 0..max_frequency (defaults: the fitted data's maxima).

    Returns
    -------
    matplotlib Axes
    """
    if max_frequency is None:
        max_frequency = int(model.data["frequency"].max())
    if max_recency is None:
        max_recency = int(model.data["T"].max())
    rec, freq = np.meshgrid(
        np.arange(max_recency + 1.0), np.arange(max_frequency + 1.0), indexing="ij"
    )
    z = np.asarray(
        model.conditional_expected_number_of_purchases_up_to_time(
            T, freq.ravel(), rec.ravel(), np.full(freq.size, float(max_recency))
        ),
        dtype=float,
    ).reshape(freq.shape)
    if title is None:
        title = (
            f"Expected Number of Future Purchases for {T} Unit{'' if T == 1 else 's'} of Time,"
            "\nby Frequency and Recency of a Customer"
        )
    return _matrix_plot(z, title, xlabel, ylabel, kwargs)


def plot_probability_alive_matrix(
    model: Any,
    max_frequency: int | None = None,
    max_recency: int | None = None,
    title: str = "Probability Customer is Alive,\nby Frequency and Recency of a Customer",
    xlabel: str = "Customer's Historical Frequency",
    ylabel: str = "Customer's Recency",
    **kwargs: Any,
) -> Any:
    """Heat map of P(alive) by frequency and recency (``model.conditional_probability_alive_matrix``).

    Returns
    -------
    matplotlib Axes
    """
    z = model.conditional_probability_alive_matrix(max_frequency, max_recency)
    return _matrix_plot(z, title, xlabel, ylabel, kwargs)


def plot_expected_repeat_purchases(
    model: Any,
    title: str = "Expected Number of Repeat Purchases per Customer",
    xlabel: str = "Time Since First Purchase",
    ax: Any = None,
    label: str | None = None,
    **kwargs: Any,
) -> Any:
    """E[X(t)] of a new customer: solid up to the oldest fitted customer, dashed 50% beyond.

    Returns
    -------
    matplotlib Axes
    """
    plt = _plt()
    if ax is None:
        ax = plt.subplot(111)
    color = kwargs.pop("c", None) or kwargs.pop("color", None)
    if color is None:
        color = ax._get_lines.get_next_color()
    max_T = float(model.data["T"].max())
    times = np.linspace(0, max_T, 100)
    ax.plot(
        times,
        model.expected_number_of_purchases_up_to_time(times),
        color=color,
        label=label,
        **kwargs,
    )
    times = np.linspace(max_T, 1.5 * max_T, 100)
    ax.plot(
        times, model.expected_number_of_purchases_up_to_time(times), color=color, ls="--", **kwargs
    )
    plt.title(title)
    plt.xlabel(xlabel)
    if label is not None:
        plt.legend(loc="lower right")
    return ax


def plot_history_alive(
    model: Any,
    t: int,
    transactions: pd.DataFrame,
    datetime_col: Hashable,
    freq: str = "D",
    start_date: Any = None,
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """One customer's P(alive) path over ``t`` periods, with their purchases marked.

    Returns
    -------
    matplotlib Axes
    """
    plt = _plt()
    dates = pd.to_datetime(transactions[datetime_col])
    if start_date is None:
        start_date = dates.min()
    if ax is None:
        ax = plt.subplot(111)
    path = calculate_alive_path(model, transactions, datetime_col, t, freq)
    path_dates = pd.date_range(start=dates.min(), periods=len(path), freq=freq)
    ax.plot(path_dates, path.to_numpy(), "-", label="P_alive")
    bought = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(freq).sum()
    ax.vlines(
        bought.index[bought >= 1].values,
        ymin=0,
        ymax=1,
        colors="r",
        linestyles="dashed",
        label="purchases",
    )
    ax.set_ylim(0, 1.0)
    ax.set_yticks(np.arange(0, 1.1, 0.1))
    ax.set_xlim(start_date, path_dates[-1])
    ax.legend(loc=3)
    ax.set_ylabel("P_alive")
    ax.set_title("History of P_alive")
    return ax


def _tracking_plot(
    frame: pd.DataFrame,
    t_cal: float,
    set_index_date: bool,
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Any,
    kwargs: dict,
) -> Any:
    ax = frame.plot(ax=ax, title=title, **kwargs)
    if set_index_date:
        x_vline = frame.index[int(t_cal)]
        xlabel = "date"
    else:
        x_vline = t_cal
    ax.axvline(x=x_vline, color="r", linestyle="--")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_cumulative_transactions(
    model: Any,
    transactions: pd.DataFrame,
    datetime_col: Hashable,
    customer_id_col: Hashable,
    t: int,
    t_cal: float,
    datetime_format: str | None = None,
    freq: str = "D",
    set_index_date: bool = False,
    title: str = "Tracking Cumulative Transactions",
    xlabel: str = "day",
    ylabel: str = "Cumulative Transactions",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Actual against predicted cumulative repeat transactions, with the calibration end marked.

    Returns
    -------
    matplotlib Axes
    """
    plt = _plt()
    if ax is None:
        ax = plt.subplot(111)
    frame = expected_cumulative_transactions(
        model,
        transactions,
        datetime_col,
        customer_id_col,
        t,
        datetime_format=datetime_format,
        freq=freq,
        set_index_date=set_index_date,
    )
    return _tracking_plot(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs)


def plot_incremental_transactions(
    model: Any,
    transactions: pd.DataFrame,
    datetime_col: Hashable,
    customer_id_col: Hashable,
    t: int,
    t_cal: float,
    datetime_format: str | None = None,
    freq: str = "D",
    set_index_date: bool = False,
    title: str = "Tracking Daily Transactions",
    xlabel: str = "day",
    ylabel: str = "Transactions",
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """Actual against predicted repeat transactions per period.

    Returns
    -------
    matplotlib Axes
    """
    plt = _plt()
    if ax is None:
        ax = plt.subplot(111)
    frame = expected_cumulative_transactions(
        model,
        transactions,
        datetime_col,
        customer_id_col,
        t,
        datetime_format=datetime_format,
        freq=freq,
        set_index_date=set_index_date,
    ).diff()
    return _tracking_plot(frame, t_cal, set_index_date, title, xlabel, ylabel, ax, kwargs)


def _heterogeneity(
    rv: Any,
    mean: float,
    var: float,
    suptitle: str,
    xlabel: str,
    ylabel: str,
    fontsize: float,
    kwargs: dict[str, Any],
) -> Any:
    plt = _plt()
    x = np.linspace(0, rv.ppf(0.99), 100)
    fig, ax = plt.subplots(1)
    fig.suptitle(suptitle, fontsize=fontsize, fontweight="bold")
    ax.set_title(f"mean: {mean:.3f}, var: {var:.3f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout(rect=[0, 0.03, 1, 0.95])
    ax.plot(x, rv.pdf(x), **kwargs)
    return ax


def plot_transaction_rate_heterogeneity(
    model: Any,
    suptitle: str = "Heterogeneity in Transaction Rate",
    xlabel: str = "Transaction Rate",
    ylabel: str = "Density",
    suptitle_fontsize: float = 14,
    **kwargs: Any,
) -> Any:
    """Density of the customers' purchase rates, Gamma(r, alpha).

    Returns
    -------
    matplotlib Axes
    """
    r, alpha = model._unload_params("r", "alpha")
    return _heterogeneity(
        stats.gamma(r, scale=1 / alpha),
        r / alpha,
        r / alpha**2,
        suptitle,
        xlabel,
        ylabel,
        suptitle_fontsize,
        kwargs,
    )


def plot_dropout_rate_heterogeneity(
    model: Any,
    suptitle: str = "Heterogeneity in Dropout Probability",
    xlabel: str = "Dropout Probability p",
    ylabel: str = "Density",
    suptitle_fontsize: float = 14,
    **kwargs: Any,
) -> Any:
    """Density of the customers' dropout probabilities, Beta(a, b).

    Returns
    -------
    matplotlib Axes
    """
    a, b = model._unload_params("a", "b")
    return _heterogeneity(
        stats.beta(a, b),
        a / (a + b),
        a * b / (a + b) ** 2 / (a + b + 1),
        suptitle,
        xlabel,
        ylabel,
        suptitle_fontsize,
        kwargs,
    )
