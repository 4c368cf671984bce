# ruff: noqa: NPY002 - lifetimes draws from numpy's global random state; so do these simulators
"""lifetimes' ``generate_data``: simulate customers of the BG/NBD, MBG/NBD, Pareto/NBD and BG/BB models.

Like lifetimes, the simulators draw from numpy's global random state
(``np.random.seed`` makes them reproducible). For seeded, vectorised
synthetic logs of any size see :func:`kamkit.datasets.simulate_transactions`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "beta_geometric_beta_binom_model",
    "beta_geometric_nbd_model",
    "beta_geometric_nbd_model_transactional_data",
    "modified_beta_geometric_nbd_model",
    "pareto_nbd_model",
]

_RFM_COLUMNS = ["frequency", "recency", "T"]


def _ages(T: Any, size: int) -> np.ndarray:
    if np.ndim(T) == 0:
        return np.full(size, float(T))
    ages = np.asarray(T, dtype=float).ravel()
    if len(ages) < size:
        raise ValueError(f"T: expected a number or at least {size} ages (size), got {len(ages)}")
    return ages[:size]  # the first ``size`` ages, as lifetimes


def _purchase_times(
    rate: float, horizon: float, p_drop: float | None, drop_first: bool
) -> tuple[list[float], bool]:
    """Purchase times in (0, horizon) of one customer and whether they are still alive.

    After each purchase the customer drops out with probability ``p_drop``
    (BG); with ``drop_first`` also at time 0 (MBG); ``p_drop`` None: no
    dropout here (Pareto, whose horizon already ends at death).
    """
    times: list[float] = []
    elapsed = 0.0
    gap = np.random.exponential(scale=1.0 / rate)
    alive = True if p_drop is None or not drop_first else np.random.random() > p_drop
    while elapsed + gap < horizon and alive:
        elapsed += gap
        times.append(elapsed)
        gap = np.random.exponential(scale=1.0 / rate)
        if p_drop is not None:
            alive = np.random.random() > p_drop
    return times, alive


def _summary_row(times: list[float]) -> tuple[float, float]:
    if not times:
        return 0.0, 0.0
    arr = np.asarray(times)
    return float(np.unique(arr.astype(int)).shape[0]), float(arr.max())


def _bg_like(
    T: Any, r: float, alpha: float, a: float, b: float, size: int, drop_first: bool
) -> pd.DataFrame:
    ages = _ages(T, size)
    p = np.random.beta(a, b, size=size)
    lam = np.random.gamma(r, scale=1.0 / alpha, size=size)
    rows = []
    for i in range(size):
        times, alive = _purchase_times(lam[i], ages[i], p[i], drop_first)
        freq, rec = _summary_row(times)
        rows.append((freq, rec, ages[i], lam[i], p[i], float(alive), float(i)))
    columns = ["frequency", "recency", "T", "lambda", "p", "alive", "customer_id"]
    return pd.DataFrame(rows, columns=columns).set_index("customer_id")


def beta_geometric_nbd_model(
    T: Any, r: float, alpha: float, a: float, b: float, size: int = 1
) -> pd.DataFrame:
    """Simulate ``size`` BG/NBD customers observed for ``T`` (a number or one age each).

    ``frequency`` counts the distinct whole time units with a purchase,
    ``recency`` is the time of the last purchase.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T``, ``lambda``, ``p``, ``alive``,
        indexed by ``customer_id``.

    Examples
    --------
    >>> import numpy as np
    >>> from kamkit.lifetimes.generate_data import beta_geometric_nbd_model
    >>> np.random.seed(0)
    >>> beta_geometric_nbd_model(30, 0.24, 4.41, 0.79, 2.43, size=3).shape
    (3, 6)
    """
    return _bg_like(T, r, alpha, a, b, size, drop_first=False)


def modified_beta_geometric_nbd_model(
    T: Any, r: float, alpha: float, a: float, b: float, size: int = 1
) -> pd.DataFrame:
    """Simulate ``size`` MBG/NBD customers (may also drop out at time 0).

    Returns
    -------
    DataFrame
        As :func:`beta_geometric_nbd_model`.
    """
    return _bg_like(T, r, alpha, a, b, size, drop_first=True)


def pareto_nbd_model(
    T: Any, r: float, alpha: float, s: float, beta: float, size: int = 1
) -> pd.DataFrame:
    """Simulate ``size`` Pareto/NBD customers.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``T``, ``lambda``, ``mu``, ``alive``,
        indexed by ``customer_id``.
    """
    ages = _ages(T, size)
    lam = np.random.gamma(r, scale=1.0 / alpha, size=size)
    mu = np.random.gamma(s, scale=1.0 / beta, size=size)
    rows = []
    for i in range(size):
        death = np.random.exponential(scale=1.0 / mu[i])
        times, _ = _purchase_times(lam[i], min(death, ages[i]), None, False)
        freq, rec = _summary_row(times)
        rows.append((freq, rec, ages[i], lam[i], mu[i], float(death > ages[i]), float(i)))
    columns = ["frequency", "recency", "T", "lambda", "mu", "alive", "customer_id"]
    return pd.DataFrame(rows, columns=columns).set_index("customer_id")


def beta_geometric_beta_binom_model(
    N: Any, alpha: float, beta: float, gamma: float, delta: float, size: int = 1
) -> pd.DataFrame:
    """Simulate ``size`` BG/BB customers over ``N`` transaction opportunities.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``n_periods``, ``p``, ``theta``, ``alive``
        and ``customer_id`` columns.
    """
    periods = _ages(N, size)
    p = np.random.beta(a=alpha, b=beta, size=size)
    theta = np.random.beta(a=gamma, b=delta, size=size)
    rows = []
    for i in range(size):
        t = 0
        alive = True
        active: list[int] = []
        while t < periods[i] and alive:
            alive = np.random.binomial(1, theta[i]) == 0
            if alive and np.random.binomial(1, p[i]) == 1:
                active.append(t)
            t += 1
        if alive:
            alive = np.random.binomial(1, theta[i]) == 0
        recency = active[-1] + 1 if active else 0
        rows.append(
            (float(len(active)), float(recency), periods[i], p[i], theta[i], float(alive), float(i))
        )
    columns = ["frequency", "recency", "n_periods", "p", "theta", "alive", "customer_id"]
    return pd.DataFrame(rows, columns=columns)


def beta_geometric_nbd_model_transactional_data(
    T: Any,
    r: float,
    alpha: float,
    a: float,
    b: float,
    observation_period_end: Any = "2019-1-1",
    freq: str = "D",
    size: int = 1,
) -> pd.DataFrame:
    """Simulate the transaction log of ``size`` BG/NBD customers.

    Each customer's first purchase is ``T`` time units (of ``freq``) before
    ``observation_period_end``; its repeat purchases follow the BG/NBD
    process. The same random draws as :func:`beta_geometric_nbd_model`, so
    the summary of this log matches it under the same seed.

    Returns
    -------
    DataFrame
        ``customer_id`` and ``date``, one row per purchase.
    """
    from .utils import _normalize_freq

    unit = _normalize_freq(freq)
    end = pd.to_datetime(observation_period_end)
    ages = _ages(T, size)
    p = np.random.beta(a, b, size=size)
    lam = np.random.gamma(r, scale=1.0 / alpha, size=size)
    ids: list[int] = []
    dates: list[pd.Timestamp] = []
    for i in range(size):
        start = end - pd.Timedelta(ages[i] - 1, unit=unit)  # type: ignore[arg-type]
        ids.append(i)
        dates.append(start - pd.Timedelta(1, unit=unit))  # type: ignore[arg-type]
        times, _ = _purchase_times(lam[i], ages[i], p[i], False)
        for x in times:
            ids.append(i)
            dates.append(start + pd.Timedelta(x, unit=unit))  # type: ignore[arg-type]
    return pd.DataFrame({"customer_id": ids, "date": pd.to_datetime(pd.Series(dates))})
