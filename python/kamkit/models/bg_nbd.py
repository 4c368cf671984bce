"""BG/NBD and MBG/NBD transaction models."""

from __future__ import annotations

from typing import ClassVar

from ._base import RfmModel

__all__ = ["BetaGeo", "ModifiedBetaGeo"]


class BetaGeo(RfmModel):
    """BG/NBD model (Fader, Hardie & Lee 2005).

    While alive, a customer buys as a Poisson process with rate
    lambda ~ Gamma(r, alpha); after each purchase they drop out with
    probability p ~ Beta(a, b). The log-likelihood, its gradient and Hessian
    run in C++ on the distinct (frequency, recency, T) rows; the fit takes
    Newton (trust-region) steps in log-parameters.

    Parameters
    ----------
    penalizer : float, default 0
        L2 penalty ``penalizer * sum(params**2)`` added to the mean negative
        log-likelihood (lifetimes' ``penalizer_coef``).
    tol : float, default 1e-10
        Gradient tolerance of the optimiser (on the mean log-likelihood).
    max_iter : int, default 200
        Maximum optimiser iterations.

    Attributes
    ----------
    params_ : Series
        ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total log-likelihood at ``params_``.
    standard_errors_, variance_matrix_, summary
        From the Hessian, computed when first asked.
    convergence_ : dict
        Optimiser diagnostics.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> cal = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    >>> model = kamkit.BetaGeo().fit(cal)  # doctest: +SKIP
    >>> model.params_.round(3)  # doctest: +SKIP
    """

    _core_name: ClassVar[str] = "bg_nbd"
    _core_scalar_t: ClassVar[frozenset[str]] = frozenset(
        {"conditional_expected_purchases", "probability_alive"}
    )
    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    _time_params: ClassVar[tuple[str, ...]] = ("alpha",)
    _display_name: ClassVar[str] = "BG/NBD"
    _boundary_meaning: ClassVar[dict[tuple[str, str], str]] = {
        ("b", "large"): "the drop-out probability p ~ Beta(a, b) is near 0 for everyone, so "
        "the model behaves as an NBD model in which customers do not leave and P(alive) "
        "stays near 1",
        ("a", "small"): "the drop-out probability p ~ Beta(a, b) is near 0 for most "
        "customers, so P(alive) stays near 1",
        ("a", "large"): "every customer has nearly the same drop-out probability a / (a + b)",
        ("b", "small"): "the drop-out probability p is near 1: customers leave after their "
        "first repeat purchase",
        ("r", "large"): "purchase rates hardly differ between customers (all near r / alpha)",
        ("r", "small"): "purchase rates differ extremely between customers",
    }


class ModifiedBetaGeo(BetaGeo):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    As :class:`BetaGeo`, but a customer may also drop out at time 0, so
    customers without repeat purchases can be inactive. Parameters ``r``,
    ``alpha``, ``a``, ``b``.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    >>> model = kamkit.ModifiedBetaGeo().fit(summary)
    >>> bool((model.probability_alive(summary) <= 1).all())
    True
    """

    _core_name: ClassVar[str] = "mbg_nbd"
    _display_name: ClassVar[str] = "MBG/NBD"
