"""lifetimes' ``ParetoNBDFitter`` on kamkit's :class:`~kamkit.ParetoNBD`."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import hyp2f1, logsumexp  # type: ignore[import-untyped]

from ..._native import core as _core
from ...models import ParetoNBD
from ..generate_data import pareto_nbd_model
from . import _history, _pack
from ._rfm import _NAMES, _RfmFitter

__all__ = ["ParetoNBDFitter"]


class ParetoNBDFitter(_RfmFitter, ParetoNBD):  # type: ignore[misc]
    """Pareto/NBD model with lifetimes' interface; parameters ``r``, ``alpha``, ``s``, ``beta``.

    Unlike lifetimes, the fit is a Newton (trust-region) maximisation on the
    analytic Hessian from kamkit's core, and the fitted model has
    ``standard_errors_``, ``variance_matrix_``, ``confidence_intervals_`` and
    ``summary``.

    Examples
    --------
    >>> from kamkit.lifetimes import ParetoNBDFitter
    >>> from kamkit.lifetimes.datasets import load_cdnow_summary
    >>> data = load_cdnow_summary(index_col=[0])
    >>> p = ParetoNBDFitter().fit(data["frequency"], data["recency"], data["T"])
    >>> p.params_.round(2).tolist()
    [0.55, 10.58, 0.61, 11.67]
    """

    _native: ClassVar[type] = ParetoNBD
    _simulator: ClassVar[Any] = staticmethod(pareto_nbd_model)
    _log_initial: ClassVar[bool] = False

    def fit(  # type: ignore[override]
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        weights: Any = None,
        iterative_fitting: int = 1,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-4,
        index: Any = None,
        fit_method: str = "trust-exact",
        maxiter: int = 2000,
        **kwargs: Any,
    ) -> ParetoNBDFitter:
        """Fit with lifetimes' signature and argument order.

        Parameters
        ----------
        frequency, recency, T, weights, initial_params, verbose, index
            As in lifetimes (``initial_params``: r, alpha, s, beta on the
            time-scaled data, as lifetimes takes them).
        iterative_fitting : int, default 1
            Number of fits; the first starts from kamkit's default guess, the
            others from lifetimes' random starts (numpy's global random
            state). The best one is kept.
        tol : float, default 1e-4
            Optimiser tolerance on lifetimes' objective (the summed negative
            log-likelihood; kamkit applies ``tol / len(frequency)`` to its mean).
        fit_method : str, default "trust-exact"
            "trust-exact" is kamkit's Newton fit on the analytic Hessian; any
            other scipy ``minimize`` method (for example lifetimes' former
            default "Nelder-Mead") runs that method on the core's objective.
        maxiter : int, default 2000
            Iteration limit.

        Returns
        -------
        self
        """
        if iterative_fitting <= 0:
            raise ValueError(
                f"iterative_fitting: expected an integer > 0, got {iterative_fitting!r}"
            )
        if iterative_fitting > 1 and initial_params is not None:
            raise ValueError(
                "iterative_fitting and initial_params should not be both set, as no improvement "
                "could be made."
            )
        method = None if fit_method in (None, "trust-exact") else str(fit_method)
        n_rows = len(np.atleast_1d(np.asarray(recency)))
        return self._fit_rfm(
            frequency,
            recency,
            T,
            weights,
            initial_params,
            verbose,
            # lifetimes' objective sums over the rows; kamkit's tolerance is on the mean
            tol / max(n_rows, 1),
            index,
            kwargs,
            method=method,
            restarts=int(iterative_fitting),
            # lifetimes divides the summed log-likelihood by the mean weight, so
            # its penalty weighs n_rows times less than kamkit's (mean) objective
            penalizer=self.penalizer_coef / max(n_rows, 1),
            maxiter=maxiter,
        )

    def _objective_at_optimum(self, log_likelihood: float, w: np.ndarray) -> float:
        return -log_likelihood / float(np.mean(w)) + self.penalizer_coef * float(
            np.sum(self.params_.to_numpy() ** 2)
        )

    # ------------------------------------------------------ lifetimes internals
    @staticmethod
    def _conditional_log_likelihood(params: Any, freq: Any, rec: Any, T: Any) -> np.ndarray:
        """Log-likelihood of each customer (kamkit's core)."""
        x, tx, TT = np.broadcast_arrays(
            *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (freq, rec, T))
        )
        return np.asarray(
            _core.pareto_nbd_loglik_rows(
                np.asarray(params, dtype=float),
                *(np.ascontiguousarray(v) for v in (x, tx, TT)),
            )
        )

    @staticmethod
    def _negative_log_likelihood(
        params: Any, freq: Any, rec: Any, T: Any, weights: Any, penalizer_coef: float
    ) -> float:
        """Lifetimes' objective at ``params`` (not log-parameters, as in lifetimes)."""
        params = np.asarray(params, dtype=float)
        if np.any(params <= 0.0):
            return np.inf
        ll = ParetoNBDFitter._conditional_log_likelihood(params, freq, rec, T)
        w = np.asarray(weights, dtype=float)
        return -float(np.sum(w * ll)) / float(np.mean(w)) + penalizer_coef * float(
            np.sum(params**2)
        )

    @staticmethod
    def _log_A_0(params: Any, freq: Any, recency: Any, age: Any) -> Any:
        """Log A_0 of Hardie's Pareto/NBD note 009 (eqs. 19-20), evaluated stably."""
        r, alpha, s, beta = (float(v) for v in params)
        x = np.asarray(freq, dtype=float)
        second: Any
        if alpha < beta:
            low, high, second = alpha, beta, r + x
        else:
            low, high, second = beta, alpha, s + 1.0
        gap = high - low
        rsx = r + s + x
        q1 = high + np.asarray(recency, dtype=float)
        q2 = high + np.asarray(age, dtype=float)
        p1 = hyp2f1(rsx, second, rsx + 1.0, gap / q1)
        p2 = hyp2f1(rsx, second, rsx + 1.0, gap / q2)
        terms = np.array(
            np.broadcast_arrays(np.log(p1) + rsx * np.log(q2), np.log(p2) + rsx * np.log(q1))
        )
        signs = np.ones_like(terms)
        signs[1] = -1.0
        return logsumexp(terms, axis=0, b=signs) - rsx * np.log(q1 * q2)

    # ------------------------------------------------------------ predictions
    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) given each history (Series for Series input, ndarray or float, as lifetimes)."""
        out, index, scalar = self._alive(frequency, recency, T)
        return _pack(out, index, scalar, "probability_alive")

    def conditional_probability_of_n_purchases_up_to_time(
        self, n: Any, t: Any, frequency: Any, recency: Any, T: Any
    ) -> Any:
        """P(exactly ``n`` purchases in the next ``t``) given each history (lifetimes' order)."""
        (nn, tt, x, tx, TT), index, scalar = _history(
            {"n": n, "t": t}, frequency, recency, T, _NAMES
        )
        self._check_time(tt, "t")
        bad = (nn < 0) | (nn != np.floor(nn))
        if bad.any():
            raise ValueError(f"n: expected non-negative whole numbers, found {int(bad.sum())} not")
        out = self._call("conditional_probability_of_n_purchases", tt, nn, x, tx, TT)
        return _pack(out, index, scalar, "probability")
