"""Shared lifetimes surface of the (frequency, recency, T) fitters: BG/NBD, MBG/NBD, Pareto/NBD."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..._native import core as _core
from ..utils import _check_inputs, _scale_time
from . import _check_options, _history, _KamkitFitter, _NewData, _pack

_NAMES = ("frequency", "recency", "T")


def _rfm_negative_log_likelihood(
    core_name: str,
    log_params: Any,
    freq: Any,
    rec: Any,
    T: Any,
    weights: Any,
    penalizer_coef: float,
) -> float:
    """Lifetimes' objective: ``-sum(w * ll) / sum(w) + penalizer_coef * sum(params**2)``.

    Each distinct row's log-likelihood comes from kamkit's core on its own,
    so the sum over rows is exactly additive, as lifetimes' vectorised
    formula was (the fits use the core's fused loop instead).
    """
    log_params = np.ascontiguousarray(np.asarray(log_params, dtype=float))
    x, tx, TT, w = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (freq, rec, T, weights))
    )
    rows, inverse = np.unique(np.column_stack([x, tx, TT]), axis=0, return_inverse=True)
    loglik = getattr(_core, f"{core_name}_loglik")
    one = np.ones(1)
    per_row = np.array(
        [loglik(log_params, _core.RfmData(row[0:1], row[1:2], row[2:3], one), 0)[0] for row in rows]
    )
    ll = per_row[np.ravel(inverse)]
    params = np.exp(log_params)
    return -float(np.sum(w * ll)) / float(np.sum(w)) + penalizer_coef * float(np.sum(params**2))


class _RfmFitter(_KamkitFitter):
    """fit / predictions with lifetimes' names on a kamkit RfmModel."""

    _native: ClassVar[Any]
    #: parameters in time units (divided by ``_scale`` after the fit)
    _time_params: ClassVar[tuple[str, ...]]
    #: lifetimes' ``initial_params`` are log-parameters (BG, MBG) or parameters (Pareto/NBD)
    _log_initial: ClassVar[bool] = True
    _simulator: ClassVar[Any]

    def _objective_at_optimum(self, log_likelihood: float, w: np.ndarray) -> float:
        return -log_likelihood / float(np.sum(w)) + self.penalizer_coef * float(
            np.sum(self.params_.to_numpy() ** 2)
        )

    def _fit_rfm(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        weights: Any,
        initial_params: Any,
        verbose: bool,
        tol: float,
        index: Any,
        kwargs: dict[str, Any],
        method: str | None = None,
        restarts: int = 1,
        penalizer: float | None = None,
        maxiter: int | None = None,
    ) -> Any:
        frequency = np.asarray(frequency).astype(int)
        recency = np.asarray(recency)
        T = np.asarray(T)
        _check_inputs(frequency, recency, T)
        w = np.ones_like(recency, dtype=int) if weights is None else np.asarray(weights)
        opt_maxiter, disp = _check_options(kwargs)
        maxiter = opt_maxiter if opt_maxiter is not None else maxiter
        self._scale = _scale_time(T)
        x = np.ascontiguousarray(frequency, dtype=float)
        tx = np.ascontiguousarray(recency * self._scale, dtype=float)
        TT = np.ascontiguousarray(T * self._scale, dtype=float)
        wf = np.ascontiguousarray(w, dtype=float)
        self.penalizer = self.penalizer_coef if penalizer is None else penalizer
        start = None
        if initial_params is not None:
            start = np.asarray(initial_params, dtype=float).ravel()
            start = np.exp(start) if self._log_initial else start
        best: dict[str, Any] | None = None
        for attempt in range(restarts):
            if attempt > 0:
                # lifetimes' restarts: random starts from numpy's global state
                start = np.random.normal(1.0, scale=0.05, size=len(self._param_names))  # noqa: NPY002
            self._run_fit(
                lambda s: self._native.fit(self, x, tx, TT, wf, initial_params=s),
                lambda: _core.RfmData(x, tx, TT, wf),
                start,
                tol,
                maxiter,
                method=method,
            )
            value = self._objective_at_optimum(self.log_likelihood_, wf)
            if best is None or value < best["_negative_log_likelihood_"]:
                best = {
                    k: self.__dict__[k]
                    for k in ("params_", "log_likelihood_", "_hessian_log", "convergence_")
                }
                best["_negative_log_likelihood_"] = value
        assert best is not None
        self.__dict__.update(best)
        # back to the caller's time unit (the core's log-likelihood there, same Hessian)
        params = self.params_.to_numpy(dtype=float).copy()
        for name in self._time_params:
            params[self._param_names.index(name)] /= self._scale
        self.params_ = pd.Series(params, index=list(self._param_names))
        self._log_params = np.log(params)
        unscaled = _core.RfmData(
            x, np.ascontiguousarray(recency, dtype=float), np.ascontiguousarray(T, dtype=float), wf
        )
        self.log_likelihood_ = float(self._loglik(self._log_params, unscaled, 0)[0])  # type: ignore[attr-defined]
        self._cov_log = None
        self.data = pd.DataFrame(
            {"frequency": frequency, "recency": recency, "T": T, "weights": w}, index=index
        )
        self.generate_new_data = _NewData(self, type(self)._simulator, self._param_names, T)
        self.predict = self.conditional_expected_number_of_purchases_up_to_time  # type: ignore[method-assign]
        self._report(verbose or disp)
        return self

    # ---------------------------------------------------------- predictions
    def conditional_expected_number_of_purchases_up_to_time(
        self, t: Any, frequency: Any, recency: Any, T: Any
    ) -> Any:
        """Expected purchases in the next ``t`` given each history (lifetimes' name).

        Returns
        -------
        Series (for Series input), ndarray or float
        """
        (tt, x, tx, TT), index, scalar = _history({"t": t}, frequency, recency, T, _NAMES)
        self._check_time(tt, "t")  # type: ignore[attr-defined]
        out = self._call("conditional_expected_purchases", tt, x, tx, TT)  # type: ignore[attr-defined]
        return _pack(out, index, scalar, "expected_purchases")

    predict = conditional_expected_number_of_purchases_up_to_time

    def _alive(self, frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, Any, bool]:
        (x, tx, TT), index, scalar = _history({}, frequency, recency, T, _NAMES)
        out = self._call("probability_alive", x, tx, TT, np.zeros(1))  # type: ignore[attr-defined]
        return out, index, scalar

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) given each history.

        An ndarray, as in lifetimes (frequency 0 allowed with any recency).
        """
        return np.atleast_1d(self._alive(frequency, recency, T)[0])

    def conditional_probability_alive_matrix(
        self, max_frequency: int | None = None, max_recency: int | None = None
    ) -> np.ndarray:
        """P(alive) on the grid [recency, frequency], at age ``max_recency``.

        Returns
        -------
        ndarray
            Shape ``(max_recency + 1, max_frequency + 1)``.
        """
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data["T"].max())
        rec, freq = np.meshgrid(
            np.arange(max_recency + 1.0), np.arange(max_frequency + 1.0), indexing="ij"
        )
        out = self._call(  # type: ignore[attr-defined]
            "probability_alive",
            np.ascontiguousarray(freq.ravel()),
            np.ascontiguousarray(rec.ravel()),
            np.full(freq.size, float(max_recency)),
            np.zeros(1),
        )
        return np.asarray(out).reshape(freq.shape)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """E[X(t)] of a new customer (lifetimes' name)."""
        if isinstance(t, range):
            t = np.asarray(t, dtype=float)
        return self.expected_purchases(t)  # type: ignore[attr-defined]

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> Any:
        """P(X(t) = n) of a new customer (lifetimes' name)."""
        return self.probability_of_purchases(n, t)  # type: ignore[attr-defined]
