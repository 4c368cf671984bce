"""Synthetic transaction logs from a BG/NBD purchase process."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from .._validation import check_int

__all__ = ["simulate_transactions"]

_NS_PER_DAY = 86_400 * 1_000_000_000
# Gauss-Legendre nodes for averaging E[X(T)] over the acquisition window.
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(64)


def _expected_repeats(t: np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """BG/NBD expected number of repeat purchases in (0, t] (Fader, Hardie & Lee 2005, eq. 9)."""
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + t)
    bracket = 1.0 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1.0, z)
    return (a + b - 1.0) / (a - 1.0) * bracket


def _mean_rows(r: float, alpha: float, a: float, b: float, t_lo: float, t_hi: float) -> float:
    """Expected rows per customer (first purchase plus repeats), T uniform on [t_lo, t_hi]."""
    if t_hi - t_lo <= 0:
        return 1.0 + float(_expected_repeats(np.array([t_hi]), r, alpha, a, b)[0])
    t = 0.5 * (t_hi - t_lo) * _GL_NODES + 0.5 * (t_hi + t_lo)
    return 1.0 + 0.5 * float(np.dot(_GL_WEIGHTS, _expected_repeats(t, r, alpha, a, b)))


def _rate_scale_for_rows(
    rows_per_customer: float, r: float, alpha: float, a: float, b: float, t_lo: float, t_hi: float
) -> float:
    """The factor c such that purchase rates scaled by c (alpha / c) give the wanted rows."""
    if rows_per_customer <= 1.0:
        raise ValueError(
            f"n_rows: expected more rows than customers (every customer has a first purchase), "
            f"found {rows_per_customer:.3g} rows per customer; raise n_rows or lower n_customers"
        )
    if a > 1.0:
        ceiling = 1.0 + (a + b - 1.0) / (a - 1.0)
        if rows_per_customer >= 0.999 * ceiling:
            raise ValueError(
                f"n_rows: {rows_per_customer:.3g} rows per customer cannot be reached with "
                f"dropout parameters a={a:g}, b={b:g} (customers make at most {ceiling:.3g} "
                f"purchases on average however often they buy); lower a or n_rows"
            )
    lo, hi = 1e-6, 1e6
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        if _mean_rows(r, alpha / mid, a, b, t_lo, t_hi) < rows_per_customer:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-10:
            break
    return float(np.sqrt(lo * hi))


def simulate_transactions(
    n_customers: int = 1000,
    *,
    n_rows: int | None = None,
    r: float = 0.25,
    alpha: float = 30.0,
    a: float = 0.8,
    b: float = 2.5,
    start: str | pd.Timestamp = "2022-01-01",
    end: str | pd.Timestamp = "2023-12-31",
    acquisition_end: str | pd.Timestamp | None = None,
    amount_median: float = 25.0,
    amount_customer_sigma: float = 0.7,
    amount_sigma: float = 0.4,
    seed: int | np.random.Generator | None = 0,
) -> pd.DataFrame:
    """Simulate a transaction log from a BG/NBD purchase process.

    Each customer is acquired at a uniformly random moment between `start`
    and `acquisition_end`, which is their first purchase. While alive they
    buy as a Poisson process with rate ``lambda ~ Gamma(r, rate=alpha)`` (per
    day), and after each repeat purchase they drop out for good with
    probability ``p ~ Beta(a, b)``: the beta-geometric/NBD model of Fader,
    Hardie & Lee (2005). Amounts are lognormal: each customer has a typical
    spend ``amount_median * exp(amount_customer_sigma * Z)`` around which their
    purchases scatter with log-standard deviation `amount_sigma`.

    The defaults are close to the BG/NBD estimates on the CDNOW data (with
    rates per day instead of per week). Generation is vectorised: ten million
    rows take a few seconds and about five times their final size in memory.

    Parameters
    ----------
    n_customers : int, default 1000
        Number of customers; each has at least one transaction.
    n_rows : int, optional
        Approximate number of rows wanted. The purchase rates are scaled
        (`alpha` divided by a factor) so that the expected number of rows is
        `n_rows`; the realised count varies around it. The factor used is in
        ``result.attrs["simulation"]["alpha"]``.
    r, alpha : float, default 0.25, 30.0
        Shape and rate (in days) of the gamma distribution of purchase rates;
        the mean rate is ``r / alpha`` purchases per day.
    a, b : float, default 0.8, 2.5
        Parameters of the beta distribution of dropout probabilities.
    start, end : str or pandas.Timestamp, default "2022-01-01", "2023-12-31"
        First and last day (inclusive) of the observation window.
    acquisition_end : str or pandas.Timestamp, optional
        Last day on which customers are acquired; by default the middle of the
        window.
    amount_median : float, default 25.0
        Median amount of a purchase over all customers.
    amount_customer_sigma : float, default 0.7
        Log-standard deviation of the customers' typical amounts.
    amount_sigma : float, default 0.4
        Log-standard deviation of a customer's amounts around their typical one.
    seed : int, numpy.random.Generator or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same log.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (int64, 1 to `n_customers` in order of
        acquisition), ``date`` (datetime64[ns], to the second) and ``amount``
        (float64, rounded to cents), one row per purchase, rows in random
        order. ``attrs["simulation"]`` records the parameters used.

    Raises
    ------
    ValueError
        If a parameter is out of range, the window is empty, or `n_rows`
        cannot be reached with the dropout parameters.

    Examples
    --------
    >>> from kamkit.datasets import simulate_transactions
    >>> log = simulate_transactions(1_000, seed=1)
    >>> list(log.columns)
    ['customer_id', 'date', 'amount']
    >>> log["customer_id"].nunique()
    1000
    """
    n_customers = check_int("n_customers", n_customers, 1)
    for name, value in (
        ("r", r),
        ("alpha", alpha),
        ("a", a),
        ("b", b),
        ("amount_median", amount_median),
    ):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name}: expected a positive number, found {value!r}")
    for name, value in (
        ("amount_customer_sigma", amount_customer_sigma),
        ("amount_sigma", amount_sigma),
    ):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name}: expected a number >= 0, found {value!r}")
    start_ts = pd.Timestamp(start).normalize()
    end_ts = pd.Timestamp(end).normalize()
    if start_ts.tzinfo is not None or end_ts.tzinfo is not None:
        raise ValueError("start, end: expected dates without a time zone")
    window = (end_ts - start_ts).days + 1  # days, the last one included
    if window < 1:
        raise ValueError(
            f"end: expected a day on or after start ({start_ts.date()}), found {end_ts.date()}"
        )
    acq_ts = (
        start_ts + (end_ts - start_ts) / 2
        if acquisition_end is None
        else pd.Timestamp(acquisition_end)
    )
    acq_days = (acq_ts.normalize() - start_ts).days + 1
    if not 1 <= acq_days <= window:
        raise ValueError(
            f"acquisition_end: expected a day between start ({start_ts.date()}) and end "
            f"({end_ts.date()}), found {acq_ts.date()}"
        )
    n = int(n_customers)
    if n_rows is not None:
        alpha = alpha / _rate_scale_for_rows(n_rows / n, r, alpha, a, b, window - acq_days, window)

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    # Customer level: acquisition time (days since start), time observed,
    # purchase rate, dropout probability.
    t0 = np.sort(rng.uniform(0.0, acq_days, n))
    horizon = window - t0
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    # Repeat purchases before dropping out: geometric on 1, 2, ... by inversion
    # (p may underflow to 0 for small a: such a customer never drops out).
    with np.errstate(divide="ignore"):
        alive_for = np.maximum(np.ceil(np.log1p(-rng.random(n)) / np.log1p(-p)), 1.0)
    in_window = rng.poisson(lam * horizon)
    repeats = np.minimum(alive_for, in_window).astype(np.int64)
    # Given N purchases in the window, the first K are the K smallest of N
    # uniform times: the K-th is Beta(K, N - K + 1) of the horizon, the other
    # K - 1 uniform below it (their order does not matter: rows get shuffled).
    buyers = np.flatnonzero(repeats)
    k_b = repeats[buyers]
    last = horizon[buyers] * rng.beta(k_b, in_window[buyers] - k_b + 1)
    del in_window, alive_for, lam, p, horizon
    owner = np.repeat(np.arange(buyers.size), k_b - 1)  # index into buyers
    m = n + buyers.size + owner.size

    times = np.empty(m, dtype=np.float64)
    code = np.empty(m, dtype=np.int64)
    times[:n] = t0
    code[:n] = np.arange(n)
    times[n : n + buyers.size] = t0[buyers] + last
    code[n : n + buyers.size] = buyers
    rest = times[n + buyers.size :]
    rng.random(out=rest)
    rest *= last[owner]
    owner = buyers[owner]
    rest += t0[owner]
    code[n + buyers.size :] = owner
    del owner, last, buyers, k_b, t0

    # Amounts: lognormal around each customer's typical amount, in cents.
    level = np.log(amount_median) + amount_customer_sigma * rng.standard_normal(n)
    amount = rng.standard_normal(m)
    amount *= amount_sigma
    amount += level[code]
    np.exp(amount, out=amount)
    np.round(amount, 2, out=amount)
    np.maximum(amount, 0.01, out=amount)

    # Days to nanoseconds since the epoch, floored to the second.
    times *= 86_400.0
    np.floor(times, out=times)
    np.minimum(times, window * 86_400.0 - 1.0, out=times)  # stay inside the last day
    ticks = times.astype(np.int64)
    del times
    ticks *= 1_000_000_000
    ticks += start_ts.as_unit("ns").value

    order = rng.permutation(m)
    code += 1
    code = code[order]
    ticks = ticks[order]
    amount = amount[order]
    del order
    log = pd.DataFrame(
        {"customer_id": code, "date": ticks.view("datetime64[ns]"), "amount": amount}, copy=False
    )
    log.attrs["simulation"] = {
        "model": "BG/NBD",
        "n_customers": n,
        "r": float(r),
        "alpha": float(alpha),
        "a": float(a),
        "b": float(b),
        "start": str(start_ts.date()),
        "end": str(end_ts.date()),
        "acquisition_end": str((start_ts + pd.Timedelta(days=acq_days - 1)).date()),
        "amount_median": float(amount_median),
        "amount_customer_sigma": float(amount_customer_sigma),
        "amount_sigma": float(amount_sigma),
    }
    return log
