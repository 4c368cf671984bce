"""BG/NBD and MBG/NBD predictions where a + b <= 1, against mpmath.

The hypergeometric term of the conditional expectation has a pole at
a + b' - 1 = 0 and changes sign beyond it; these tests check the predictions
against an independent high-precision computation on a grid of parameters.
"""

from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np
import pandas as pd
import pytest

import kamkit

mp.mp.dps = 30


def _model(cls: type, r: float, alpha: float, a: float, b: float):
    model = cls()
    model.params_ = pd.Series([r, alpha, a, b], index=["r", "alpha", "a", "b"], name="value")
    return model


def _closed_form(r, alpha, a, b, t, x, t_x, T, s):
    """Conditional expected purchases from mpmath's 2F1 (its own continuation)."""
    r, alpha, a, b, t = (mp.mpf(v) for v in (r, alpha, a, b, t))
    c = a + b + x - 1 + s
    z = t / (alpha + T + t)
    n, bp = r + x, b + x + s
    # Euler: 2F1(n, b'; c; z) = (1-z)^(c-n-b') 2F1(c-n, c-b'; c; z) (mpmath sums the
    # second one fast for large x).
    f = (1 - z) ** (c - n - bp) * mp.hyp2f1(c - n, c - bp, c, z)
    alive_part = c / (a - 1) * (1 - (1 - z) ** n * f)
    if s == 0 and x == 0:
        p_alive = mp.mpf(1)
    else:
        p_alive = 1 / (1 + a / (b + x - 1 + s) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    return alive_part * p_alive


def _posterior_integral(r, alpha, a, b, t, x, T, s):
    """E[X(t)] of a customer alive at T, as an integral over p ~ Beta(a, b + x + s)
    of (1 - E[exp(-lambda p t)]) / p: no hypergeometric function at all."""
    n = mp.mpf(r) + x
    bp = mp.mpf(b) + x + s
    a = mp.mpf(a)
    u = mp.mpf(t) / (alpha + T)

    def g(p):
        return -mp.expm1(-n * mp.log1p(p * u)) / p if p > 0 else n * u

    def lower(v):  # p = v^(1/a) on [0, 1/2] takes out p^(a-1)
        p = v ** (1 / a)
        return g(p) * (1 - p) ** (bp - 1)

    def upper(w):  # 1 - p = w^(1/b') on [1/2, 1] takes out (1-p)^(b'-1)
        p = 1 - w ** (1 / bp)
        return g(p) * p ** (a - 1)

    cuts = [mp.mpf(10) ** -k for k in range(1, 30)] + [1 / u, mp.mpf(1) / 2]
    points = sorted({mp.mpf(0)} | {q**a for q in cuts if 0 < q <= 0.5})
    lo = mp.quad(lower, points) / a
    hi = mp.quad(upper, [0, mp.mpf(2) ** -bp]) / bp
    return (lo + hi) / mp.beta(a, bp)


AB = [(0.01, 0.1), (0.0215, 0.489), (0.05, 0.99), (0.1, 0.5), (0.0215, 0.9785), (0.3, 0.7 + 1e-9)]
HISTORIES = [  # (x, t_x, T)
    (0, 0.0, 0.0),
    (0, 0.0, 50.0),
    (0, 0.0, 1e4),
    (1, 3.0, 50.0),
    (10, 40.0, 52.0),
    (1e4, 9e3, 1e4),
]


@pytest.mark.parametrize("cls, s", [(kamkit.BetaGeo, 0), (kamkit.ModifiedBetaGeo, 1)])
@pytest.mark.parametrize("a, b", AB)
def test_conditional_expectation_small_a_plus_b_matches_mpmath(cls, s, a, b):
    horizons = [1.0, 52.0, 1e4]
    for r, alpha in [(0.2, 0.5), (0.5, 8.0), (2.0, 100.0)]:
        model = _model(cls, r, alpha, a, b)
        rows = list(itertools.product(HISTORIES, horizons))
        x = np.array([h[0] for h, _ in rows])
        t_x = np.array([h[1] for h, _ in rows])
        T = np.array([h[2] for h, _ in rows])
        t = np.array([t for _, t in rows])
        got = model.conditional_expected_purchases(t, x, t_x, T)
        assert np.isfinite(got).all()
        want = np.array(
            [
                float(_closed_form(r, alpha, a, b, tt, xx, tx, TT, s))
                for tt, xx, tx, TT in zip(t, x, t_x, T, strict=True)
            ]
        )
        np.testing.assert_allclose(got, want, rtol=1e-9, err_msg=f"r={r} alpha={alpha}")


@pytest.mark.parametrize("a, b", [(0.0215, 0.489), (0.01, 0.1), (0.3, 0.7 + 1e-9)])
def test_one_time_buyer_matches_posterior_integral(a, b):
    # The independent check: no hypergeometric function, a quadrature of the
    # posterior of p.
    r, alpha = 0.5, 8.0
    model = _model(kamkit.BetaGeo, r, alpha, a, b)
    for T, t in [(30.0, 52.0), (3.0, 1e4), (1e4, 1e4)]:
        got = model.conditional_expected_purchases(t, 0, 0.0, T)
        want = float(_posterior_integral(r, alpha, a, b, t, 0, T, 0))
        assert got == pytest.approx(want, rel=1e-9)


def test_clv_of_one_time_buyers_is_finite_when_a_plus_b_below_one():
    model = _model(kamkit.BetaGeo, 0.5, 8.0, 0.0215, 0.489)
    x = np.array([0.0, 0.0, 2.0])
    t_x = np.array([0.0, 0.0, 20.0])
    T = np.array([10.0, 300.0, 40.0])
    m = np.array([20.0, 20.0, 20.0])
    for continuous in (False, True):
        clv = model.customer_lifetime_value(
            x, t_x, T, m, time=12, time_unit="W", continuous=continuous
        )
        assert np.isfinite(clv).all() and (clv > 0).all()


@pytest.mark.parametrize("cls", [kamkit.BetaGeo, kamkit.ModifiedBetaGeo])
def test_fit_on_the_boundary_warns_and_predicts_finite_values(cls):
    # Customers who buy as Poisson processes and never leave: the likelihood
    # keeps improving as the drop-out probability goes to 0 (b -> infinity).
    rng = np.random.default_rng(1)
    n = 3000
    T = rng.uniform(20, 60, n)
    x = rng.poisson(rng.gamma(0.3, 0.1, n) * T).astype(float)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    with pytest.warns(kamkit.models.BoundaryFitWarning, match="boundary of the parameter space"):
        model = cls().fit(x, t_x, T)
    boundary = model.convergence_["boundary"]
    assert boundary and all(not 1e-6 <= model.params_[name] <= 1e6 for name in boundary)
    assert np.isfinite(model.conditional_expected_purchases(52.0, x, t_x, T)).all()
    assert np.isfinite(model.probability_alive(x, t_x, T)).all()
    clv = model.customer_lifetime_value(x, t_x, T, np.full(n, 10.0), time_unit="W")
    assert np.isfinite(clv).all()
