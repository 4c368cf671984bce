"""Shared machinery of the customer-base models.

Fitting by maximum likelihood on the C++ objective, standard errors,
summaries, JSON persistence and reprs.

A transaction model subclasses :class:`RfmModel` and declares ``_core_name``
(the prefix of its ``kamkit._core`` functions) and ``_param_names``; the
spend model subclasses :class:`BaseModel` directly.
"""

from __future__ import annotations

import html
import json
import warnings
from collections.abc import Hashable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._deprecation import renamed
from .._native import core as _core
from .._validation import check_clv_time, check_frame, check_rfm, dask_hook, is_dask, model_array

__all__ = ["BaseModel", "BoundaryFitWarning", "ConvergenceWarning", "FitError", "RfmModel"]

_FORMAT = "kamkit.models/1"


def _at_precision_limit(grad: np.ndarray, hess: np.ndarray, value: float) -> bool:
    """Whether a Newton step would gain less than rounding can resolve.

    The trust-region method stops with "a bad approximation caused failure to
    predict improvement" when the remaining gain is below floating-point
    resolution; that is a converged fit when the Hessian is positive definite
    and the Newton decrement ``g' H^-1 g / 2`` is at the rounding level.
    """
    try:
        chol = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return False
    step = np.linalg.solve(chol, grad)
    decrement = 0.5 * float(step @ step)
    return decrement <= 1e-10 * max(1.0, abs(value))


class ConvergenceWarning(UserWarning):
    """A fit stopped before the optimiser's convergence test passed.

    The parameters are the best point found, but they may be off. Try, in
    this order: ``penalizer=1e-3`` (shrinks extreme parameters), another
    ``initial_params``, or check the data (time units, a few extreme customers).

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> import warnings
    >>> summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", kamkit.ConvergenceWarning)  # fail instead of warn
    ...     model = kamkit.BetaGeo().fit(summary)
    >>> model.params_.round(3).tolist()
    [0.243, 4.414, 0.793, 2.426]
    """


class FitError(ValueError):
    """A fit that cannot give an answer; the message says what to change.

    Raised for degenerate data (one customer, nobody observed for any time,
    nobody repeating) and when the optimiser meets a non-finite likelihood.

    Examples
    --------
    >>> import kamkit
    >>> try:
    ...     kamkit.BetaGeo().fit([1], [2.0], [5.0])
    ... except kamkit.FitError as error:
    ...     print(type(error).__name__, isinstance(error, ValueError))
    FitError True
    """


def _refuse_degenerate(model: str, x: np.ndarray, T: np.ndarray, w: np.ndarray | None) -> None:
    """Data no RFM model can be fitted to, refused before fitting with why."""
    if w is None:
        w = np.ones(len(x))
    customers = float(np.sum(w))
    if customers < 2:
        raise FitError(
            f"{model}.fit: expected at least 2 customers, found {customers:g}; a population "
            "model needs a population: fit on the whole customer base"
        )
    if not np.any((T > 0) & (w > 0)):
        raise FitError(
            f"{model}.fit: every one of the {customers:g} customers has T = 0 (observed for "
            "no time), so nothing tells how often they buy; set observation_end after the "
            "first purchases, or check the time unit of T"
        )
    if not np.any((x > 0) & (w > 0)):
        raise FitError(
            f"{model}.fit: all {customers:g} customers have frequency 0 (no repeat purchase), "
            "so the purchase rate cannot be told from dropping out; use a longer log or more "
            "customers"
        )


class BoundaryFitWarning(ConvergenceWarning):
    """A fit ran to the boundary of the parameter space.

    Some parameter grew beyond 1e6 or shrank below 1e-6 because the
    likelihood kept improving in that direction (for BG/NBD on logs where few
    customers repeat or nobody seems to leave: b -> infinity, the drop-out
    probability goes to 0). The parameter then means only "very large" or
    "very small", its standard error means nothing, and the predictions are
    those of the limiting model; they stay finite.
    """


#: Parameters beyond these bounds count as "run to the boundary".
_BOUNDARY = (1e-6, 1e6)


class BaseModel:
    """Maximum-likelihood model with the objective in the C++ core.

    Subclasses set ``_core_name`` and ``_param_names`` and implement
    ``_prepare`` (turn the inputs into the core's data object) and may
    override ``_initial_params``.
    """

    _core_name: ClassVar[str] = ""
    _param_names: ClassVar[tuple[str, ...]] = ()
    _display_name: ClassVar[str] = ""
    #: What a parameter running to infinity ("large") or 0 ("small") means.
    _boundary_meaning: ClassVar[dict[tuple[str, str], str]] = {}

    def __init__(self, penalizer: float = 0.0, tol: float = 1e-10, max_iter: int = 200) -> None:
        self.penalizer = penalizer
        self.tol = tol
        self.max_iter = max_iter

    # ------------------------------------------------------------ hooks
    def _initial_params(self, data: Any) -> np.ndarray:
        return np.ones(len(self._param_names))

    def _loglik(self, log_params: np.ndarray, data: Any, order: int) -> tuple[Any, ...]:
        fn = getattr(_core, f"{self._core_name}_loglik")
        return fn(np.ascontiguousarray(log_params, dtype=np.float64), data, order)

    # ------------------------------------------------------------ fitting
    def _check_hyper(self) -> None:
        pen = self.penalizer
        if not isinstance(pen, (int, float)) or isinstance(pen, bool) or not pen >= 0:
            raise ValueError(f"penalizer: expected a number >= 0, got {pen!r}")
        if not (isinstance(self.tol, (int, float)) and self.tol > 0):
            raise ValueError(f"tol: expected a positive number, got {self.tol!r}")
        if not (isinstance(self.max_iter, int) and self.max_iter > 0):
            raise ValueError(f"max_iter: expected a positive integer, got {self.max_iter!r}")

    def _fit_data(self, data: Any, initial_params: Any = None) -> None:
        """Maximise the (penalised) log-likelihood of ``data`` in log-parameters."""
        self._check_hyper()
        k = len(self._param_names)
        if initial_params is None:
            x0 = np.log(np.asarray(self._initial_params(data), dtype=float))
        else:
            start = np.asarray(initial_params, dtype=float).ravel()
            if start.shape != (k,) or not np.all(np.isfinite(start)) or np.any(start <= 0):
                raise ValueError(
                    f"initial_params: expected {k} positive numbers "
                    f"({', '.join(self._param_names)}), got {initial_params!r}"
                )
            x0 = np.log(start)
        W = float(data.total_weight)
        pen = float(self.penalizer)
        cache: dict[str, Any] = {"x": None}
        n_eval = [0]

        def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
            if cache["x"] is None or not np.array_equal(cache["x"], theta):
                n_eval[0] += 1
                with np.errstate(over="ignore"):
                    if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 700):
                        v, g, h = -np.inf, np.zeros(k), np.zeros((k, k))
                    else:
                        v, g, h = self._loglik(theta, data, 2)
                cache.update(x=theta.copy(), v=v, g=np.asarray(g), h=np.asarray(h))
            return cache["v"], cache["g"], cache["h"]

        def fun(theta: np.ndarray) -> float:
            v = evaluate(theta)[0]
            if not np.isfinite(v):
                return np.inf
            return -v / W + pen * float(np.sum(np.exp(2 * theta)))

        def jac(theta: np.ndarray) -> np.ndarray:
            g = evaluate(theta)[1]
            return -g / W + 2 * pen * np.exp(2 * theta)

        def hess(theta: np.ndarray) -> np.ndarray:
            h = evaluate(theta)[2]
            return -h / W + np.diag(4 * pen * np.exp(2 * theta))

        try:
            with np.errstate(all="ignore"):
                res = optimize.minimize(
                    fun,
                    x0,
                    jac=jac,
                    hess=hess,
                    method="trust-exact",
                    options={"gtol": self.tol, "maxiter": self.max_iter},
                )
        except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
            raise FitError(
                f"{type(self).__name__}.fit failed: the likelihood or its derivatives stopped "
                f"being finite on the way to the optimum ({type(exc).__name__}). Refit with "
                "penalizer=1e-3, or pass initial_params close to a plausible answer; check the "
                "time unit of recency and T, and customers with extreme values."
            ) from None
        theta = res.x
        v, g, h = evaluate(theta)
        grad = jac(theta)
        grad_norm = float(np.max(np.abs(grad)))
        ok = bool(np.isfinite(v)) and (
            res.success or grad_norm < 1e-6 or _at_precision_limit(grad, hess(theta), fun(theta))
        )
        self._log_params = theta
        self.params_ = pd.Series(np.exp(theta), index=list(self._param_names), name="value")
        self.log_likelihood_ = float(v)
        self._hessian_log = np.asarray(h, dtype=float)
        self._total_weight = W
        self.n_customers_ = W
        self.convergence_ = {
            "converged": ok,
            "message": str(res.message),
            "method": "trust-exact",
            "n_iterations": int(res.nit),
            "n_evaluations": int(n_eval[0]),
            "max_abs_gradient": grad_norm,
            "penalizer": pen,
        }
        self._cov_log: np.ndarray | None = None
        boundary = self._boundary_params()
        self.convergence_["boundary"] = list(boundary)
        if boundary:
            warnings.warn(self._boundary_message(boundary), BoundaryFitWarning, stacklevel=3)
        elif not ok:
            warnings.warn(
                f"{type(self).__name__}.fit did not converge ({res.message.strip()}; largest "
                f"gradient component {grad_norm:.2e} after {res.nit} iterations). The "
                "parameters may be off: refit with penalizer=1e-3, pass initial_params "
                "close to a plausible answer, or check the time unit of recency and T "
                "and extreme customers.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _boundary_params(self) -> dict[str, str]:
        """Shape parameters beyond the bounds: name -> "large" or "small".

        Only parameters named in ``_boundary_meaning`` are checked: scale
        parameters (time, money) legitimately take any size.
        """
        lo, hi = _BOUNDARY
        out = {}
        for (name, side), _ in self._boundary_meaning.items():
            value = float(self.params_[name])
            if (side == "large" and value > hi) or (side == "small" and value < lo):
                out[name] = side
        return out

    def _boundary_message(self, boundary: dict[str, str]) -> str:
        values = ", ".join(f"{n} = {self.params_[n]:.3g}" for n in boundary)
        meanings = [self._boundary_meaning[(n, side)] for n, side in boundary.items()]
        meaning = "; ".join(dict.fromkeys(meanings))
        return (
            f"{type(self).__name__}.fit ran to the boundary of the parameter space ({values}, "
            f"outside [{_BOUNDARY[0]:g}, {_BOUNDARY[1]:g}]): the likelihood keeps improving "
            f"in that direction. It means: {meaning}. These values stand for 'unbounded', "
            "their standard errors mean nothing, and the predictions are those of the "
            "limiting model (finite). Typical causes: few customers repeat, or the log is "
            "too short to see anyone leave."
        )

    # ------------------------------------------------------ fitted state
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise ValueError(
                f"This {type(self).__name__} is not fitted yet; call .fit(...) first "
                "(or load a fitted model with from_json)"
            )

    def _params(self) -> np.ndarray:
        self._check_fitted()
        return np.ascontiguousarray(self.params_.to_numpy(dtype=np.float64))

    @property
    def covariance_log_(self) -> pd.DataFrame:
        """Covariance of the log-parameters: the inverse of minus the Hessian."""
        self._check_fitted()
        if getattr(self, "_cov_log", None) is None:
            H = -np.asarray(self._hessian_log, dtype=float)
            try:
                cov = np.linalg.inv(H)
            except np.linalg.LinAlgError:
                cov = np.linalg.pinv(H)
            self._cov_log = cov
        names = list(self._param_names)
        return pd.DataFrame(self._cov_log, index=names, columns=names)

    @property
    def variance_matrix_(self) -> pd.DataFrame:
        """Covariance of the parameters (delta method from the log scale)."""
        p = self._params()
        cov = self.covariance_log_.to_numpy() * np.outer(p, p)
        names = list(self._param_names)
        return pd.DataFrame(cov, index=names, columns=names)

    @property
    def standard_errors_(self) -> pd.Series:
        """Standard errors of the parameters, from the Hessian (computed when asked)."""
        var = np.diag(self.variance_matrix_.to_numpy())
        return pd.Series(np.sqrt(np.maximum(var, 0.0)), index=list(self._param_names), name="se")

    def confidence_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals, symmetric on the log scale (so always positive).

        Parameters
        ----------
        level : float, default 0.95
            Coverage of the intervals.

        Returns
        -------
        DataFrame
            ``lower`` and ``upper`` per parameter.
        """
        if not 0 < level < 1:
            raise ValueError(f"level: expected a number in (0, 1), got {level!r}")
        z = stats.norm.ppf(0.5 + level / 2)
        se_log = np.sqrt(np.maximum(np.diag(self.covariance_log_.to_numpy()), 0.0))
        p = self._params()
        return pd.DataFrame(
            {"lower": p * np.exp(-z * se_log), "upper": p * np.exp(z * se_log)},
            index=list(self._param_names),
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters, standard errors and 95% intervals (log-scale symmetric)."""
        ci = self.confidence_intervals()
        return pd.DataFrame(
            {
                "coef": self.params_,
                "se(coef)": self.standard_errors_,
                "lower 95% bound": ci["lower"],
                "upper 95% bound": ci["upper"],
            }
        )

    # ------------------------------------------------------ persistence
    def to_json(self, path: str | Path | None = None) -> str:
        """The fitted model as JSON (written to ``path`` when given).

        Parameters
        ----------
        path : str or Path, optional
            File to write.

        Returns
        -------
        str
            The JSON text.
        """
        self._check_fitted()
        doc = {
            "format": _FORMAT,
            "model": type(self).__name__,
            "hyperparameters": self._hyperparameters(),
            "params": {k: float(v) for k, v in self.params_.items()},
            "log_likelihood": self.log_likelihood_,
            "n_customers": self.n_customers_,
            "hessian_log": np.asarray(self._hessian_log).tolist(),
            "convergence": self.convergence_,
            "extra": self._extra_state(),
        }
        text = json.dumps(doc, indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    save = to_json

    @classmethod
    def from_json(cls, source: str | Path) -> BaseModel:
        """Load a model written by :meth:`to_json` (a path or the JSON text)."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        where = "the text" if text is source else repr(str(source))
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"from_json: {where} is not valid JSON ({exc.msg} at line {exc.lineno}, column "
                f"{exc.colno}); expected a file written by to_json, found a damaged or other file"
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
            raise ValueError(
                f"from_json: expected a kamkit model file (format {_FORMAT!r}), found {found!r}"
            )
        try:
            return cls._from_doc(doc)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ValueError) and str(exc).startswith("from_json"):
                raise
            raise ValueError(
                f"from_json: {where} is a damaged kamkit model file ({type(exc).__name__}: "
                f"{exc}); write it again with to_json"
            ) from None

    @classmethod
    def _from_doc(cls, doc: dict[str, Any]) -> BaseModel:
        target = cls
        if doc["model"] != cls.__name__:
            found = _registry().get(doc["model"])
            if found is None or not issubclass(found, cls):
                raise ValueError(
                    f"from_json: the file holds a {doc['model']}, not a {cls.__name__}"
                )
            target = found
        obj = target(**doc["hyperparameters"])
        names = list(target._param_names)
        obj.params_ = pd.Series([doc["params"][n] for n in names], index=names, name="value")
        obj._log_params = np.log(obj.params_.to_numpy())
        obj.log_likelihood_ = float(doc["log_likelihood"])
        obj.n_customers_ = doc["n_customers"]
        obj._total_weight = doc["n_customers"]
        obj._hessian_log = np.asarray(doc["hessian_log"], dtype=float)
        obj.convergence_ = doc["convergence"]
        obj._cov_log = None
        obj._load_extra_state(doc.get("extra") or {})
        return obj

    load = from_json

    def _hyperparameters(self) -> dict[str, Any]:
        return {"penalizer": self.penalizer, "tol": self.tol, "max_iter": self.max_iter}

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _load_extra_state(self, state: dict[str, Any]) -> None:
        pass

    # ------------------------------------------------------------- repr
    def _label(self) -> str:
        return f"kamkit.{type(self).__name__}"

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            hp = ", ".join(f"{k}={v!r}" for k, v in self._hyperparameters().items())
            return f"{type(self).__name__}({hp})"
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        status = "" if self.convergence_.get("converged", True) else ", NOT CONVERGED"
        return (
            f"<{self._label()}: fitted on {self.n_customers_:,.0f} customers, {params}, "
            f"log-likelihood {self.log_likelihood_:.2f}{status}>"
        )

    def _repr_html_(self) -> str:
        if not hasattr(self, "params_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        head = (
            f"<p><b>{html.escape(self._label())}</b> ({html.escape(self._display_name)}): "
            f"{self.n_customers_:,.0f} customers, log-likelihood "
            f"{self.log_likelihood_:.2f}, "
            f"{'converged' if self.convergence_.get('converged') else 'NOT converged'} in "
            f"{self.convergence_.get('n_iterations')} iterations</p>"
        )
        return head + self.summary.to_html(float_format=lambda v: f"{v:.4g}")


def _registry() -> dict[str, type]:
    out: dict[str, type] = {}
    stack = [BaseModel]
    while stack:
        c = stack.pop()
        out[c.__name__] = c
        stack.extend(c.__subclasses__())
    return out


# ------------------------------------------------------------ helpers
def _as_arrays(
    values: dict[str, Any],
) -> tuple[list[np.ndarray], pd.Index | None, bool]:
    """Broadcast named inputs to contiguous float64 arrays of one length.

    Returns the arrays, the index of the first Series (for the output) and
    whether every input was a scalar.
    """
    arrays = []
    index = None
    all_scalar = True
    for name, v in values.items():
        arr, idx = model_array(v, name)
        if idx is not None and index is None:
            index = idx
        if np.ndim(v) != 0:
            all_scalar = False
        arrays.append(arr)
    lengths = {len(a) for a in arrays if len(a) != 1}
    if len(lengths) > 1:
        raise ValueError(
            "inputs of different lengths: "
            + ", ".join(f"{n}: {len(a)}" for n, a in zip(values, arrays, strict=True))
            + "; pass arrays of one length (or scalars)"
        )
    n = lengths.pop() if lengths else 1
    out = [np.ascontiguousarray(np.broadcast_to(a, (n,)), dtype=np.float64) for a in arrays]
    if index is not None and len(index) != n:
        index = None
    return out, index, all_scalar


def _dask_predict(model: Any, method: str, name: str, *args: Any) -> Any:
    """A prediction on a dask archive: the same method on each partition (lazy)."""
    return dask_hook("predict")(model, method, name, *args)


def _wrap(values: np.ndarray, index: pd.Index | None, scalar: bool, name: str) -> Any:
    values = np.asarray(values, dtype=float)
    if index is not None:
        # the core's fresh result array becomes the Series' data (no copy)
        return pd.Series(values, index=index, name=name, copy=False)
    if scalar:
        return float(values[0])
    return values


def _plain_float_array(v: Any) -> tuple[np.ndarray, pd.Index | None] | None:
    """``v`` as a 1-d contiguous float64 array without a copy where the dtype allows.

    Only for Series and ndarrays of a NumPy integer or float dtype (the common
    case of the predictions); None for anything else, which then goes through
    :func:`model_array` and its messages.
    """
    index = None
    if isinstance(v, pd.Series):
        index = v.index
        dtype = v.dtype
        if not isinstance(dtype, np.dtype):
            return None
        v = v.to_numpy()
    elif not isinstance(v, np.ndarray):
        return None
    if v.ndim != 1 or v.dtype.kind not in "iuf":
        return None
    return np.ascontiguousarray(v, dtype=np.float64), index


def _plain_scalar(v: Any) -> float | None:
    """A finite real number as float (None for anything else, booleans included)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        return None
    f = float(v)
    return f if np.isfinite(f) else None


_SUMMARY_COLUMNS = ("frequency", "recency", "T")


class RfmModel(BaseModel):
    """A transaction model on (frequency, recency, T) summaries.

    Subclasses declare ``_core_name``, ``_param_names`` and optionally
    ``_time_params`` (parameters in time units, scaled in the initial guess)
    and ``_discrete`` (BG/BB).
    """

    _time_params: ClassVar[tuple[str, ...]] = ()
    _discrete: ClassVar[bool] = False
    _column_names: ClassVar[tuple[str, str, str]] = _SUMMARY_COLUMNS
    #: Prediction functions of the core that take a one-element ``t`` for every
    #: customer (no broadcast copy in Python).
    _core_scalar_t: ClassVar[frozenset[str]] = frozenset()

    def _initial_params(self, data: Any) -> np.ndarray:
        p = np.ones(len(self._param_names))
        scale = getattr(self, "_time_scale", 1.0)
        for name in self._time_params:
            p[self._param_names.index(name)] = scale
        return p

    def _inputs(
        self, frequency: Any, recency: Any, T: Any, weights: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, pd.Index | None]:
        names = self._column_names
        if isinstance(frequency, pd.DataFrame):
            frame = check_frame(frequency, "summary")
            missing = [c for c in names if c not in frame.columns]
            if missing:
                raise ValueError(
                    f"summary: expected the columns {', '.join(map(repr, names))}, missing "
                    f"{', '.join(map(repr, missing))}; build the summary with kamkit.summarize "
                    "or pass the arrays"
                )
            if isinstance(weights, Hashable) and weights is not None and weights in frame:
                weights = frame[weights]
            frequency, recency, T = (frame[c] for c in names)
        if recency is None or T is None:
            raise TypeError(f"expected {', '.join(names)} (three arrays) or one summary DataFrame")
        (x, tx, TT), index, _ = _as_arrays({names[0]: frequency, names[1]: recency, names[2]: T})
        w = None
        if weights is not None:
            (w,), _, _ = _as_arrays({"weights": weights})
            if len(w) != len(x):
                raise ValueError(
                    f"weights: expected {len(x)} values (one per customer), got {len(w)}"
                )
            bad = w < 0
            if bad.any():
                raise ValueError(
                    f"weights: expected counts >= 0, found {int(bad.sum())} negative values"
                )
        check_rfm(x, tx, TT, names, discrete=self._discrete)
        return x, tx, TT, w, index

    def fit(
        self,
        frequency: Any,
        recency: Any = None,
        T: Any = None,
        weights: Any = None,
        *,
        initial_params: Any = None,
    ) -> RfmModel:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        frequency : array-like or DataFrame
            Repeat purchases per customer, or a summary frame with the
            columns ``frequency``, ``recency`` and ``T`` (kamkit.summarize's
            output; BG/BB: ``frequency``, ``recency``, ``n_periods``).
        recency, T : array-like, optional
            Time of the last purchase and age, in one time unit (not needed
            with a summary frame).
        weights : array-like or column label, optional
            Number of customers per row (default 1 each).
        initial_params : array-like, optional
            Starting values (natural scale), in the order of ``params_``.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Bad summaries (negative or fractional frequency, recency > T, ...).

        Warns
        -----
        ConvergenceWarning
            When the optimiser stops before converging.
        """
        if is_dask(frequency):
            return dask_hook("fit_rfm")(self, frequency, weights, initial_params)
        x, tx, TT, w, _ = self._inputs(frequency, recency, T, weights)
        _refuse_degenerate(type(self).__name__, x, TT, w)
        data = _core.RfmData(x, tx, TT, w)
        self._time_scale = float(np.average(TT, weights=w)) / max(
            float(np.average(x, weights=w)), 1e-2
        )
        self._fit_data(data, initial_params)
        self.n_distinct_rows_ = int(data.n_rows)
        return self

    # -------------------------------------------------------- predictions
    def _call(self, what: str, *arrays: Any) -> np.ndarray:
        fn = getattr(_core, f"{self._core_name}_{what}")
        return np.asarray(fn(self._params(), *arrays))

    def _history_fast(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        extra: dict[str, Any],
        keep_scalar: tuple[str, ...],
    ) -> tuple[list[np.ndarray], pd.Index | None, bool] | None:
        """The common case in one pass, or None to take the general path.

        The common case: numeric arrays of one length that the core finds
        valid, and scalar (or same-length) extras.

        Extras named in ``keep_scalar`` stay one-element arrays when scalar (the
        core broadcasts them); the others are broadcast here.
        """
        hist = []
        hist_index = None
        for v in (frequency, recency, T):
            got = _plain_float_array(v)
            if got is None:
                return None
            hist.append(got[0])
            if hist_index is None:
                hist_index = got[1]
        n = len(hist[0])
        if n == 0 or len(hist[1]) != n or len(hist[2]) != n:
            return None
        extras = []
        index = None  # as in _as_arrays: the first Series, extras first
        for name, v in extra.items():
            f = _plain_scalar(v)
            if f is not None:
                extras.append(np.array([f]) if name in keep_scalar else np.full(n, f))
                continue
            got = _plain_float_array(v)
            if got is None or len(got[0]) != n or not np.isfinite(got[0]).all():
                return None
            extras.append(got[0])
            if index is None:
                index = got[1]
        x, t_x, age = hist
        if not _core.rfm_is_valid(x, t_x, age, self._discrete):
            return None  # the general path names the rows at fault
        return [*extras, *hist], (hist_index if index is None else index), False

    def _history(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        extra: dict[str, Any],
        keep_scalar: tuple[str, ...] = (),
    ) -> tuple[list[np.ndarray], pd.Index | None, bool]:
        names = self._column_names
        if isinstance(frequency, pd.DataFrame):
            frame = frequency
            missing = [c for c in names if c not in frame.columns]
            if missing:
                raise ValueError(
                    f"expected the columns {', '.join(map(repr, names))}, missing "
                    f"{', '.join(map(repr, missing))}"
                )
            frequency, recency, T = (frame[c] for c in names)
        if recency is None or T is None:
            raise TypeError(f"expected {', '.join(names)} or a summary DataFrame")
        fast = self._history_fast(frequency, recency, T, extra, keep_scalar)
        if fast is not None:
            return fast
        arrays, index, scalar = _as_arrays(
            {**extra, names[0]: frequency, names[1]: recency, names[2]: T}
        )
        k = len(extra)
        check_rfm(arrays[k], arrays[k + 1], arrays[k + 2], names, discrete=self._discrete)
        return arrays, index, scalar

    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any = None, T: Any = None
    ) -> Any:
        """Expected purchases in the next ``t`` time units, given each history.

        Parameters
        ----------
        t : float or array-like
            Length of the future window, in the time unit of the fit.
        frequency, recency, T : array-like, or a summary DataFrame as ``frequency``

        Returns
        -------
        Series (indexed like the input), ndarray or float
        """
        if is_dask(frequency):
            return _dask_predict(
                self,
                "conditional_expected_purchases",
                "expected_purchases",
                t,
                frequency,
                recency,
                T,
            )
        keep = ("t",) if "conditional_expected_purchases" in self._core_scalar_t else ()
        (tt, x, tx, TT), index, scalar = self._history(frequency, recency, T, {"t": t}, keep)
        self._check_time(tt, "t")
        return _wrap(
            self._call("conditional_expected_purchases", tt, x, tx, TT),
            index,
            scalar,
            "expected_purchases",
        )

    predict = conditional_expected_purchases

    def probability_alive(
        self, frequency: Any, recency: Any = None, T: Any = None, t: Any = 0.0
    ) -> Any:
        """P(alive) now (``t=0``) or ``t`` time units from now, given each history.

        Parameters
        ----------
        frequency, recency, T : array-like, or a summary DataFrame as ``frequency``
        t : float or array-like, default 0
            How far ahead, in the time unit of the fit (no purchases assumed meanwhile
            are *not* required: the customer may buy and still be alive).

        Returns
        -------
        Series (indexed like the input), ndarray or float, in [0, 1]
        """
        if is_dask(frequency):
            return _dask_predict(
                self, "probability_alive", "probability_alive", frequency, recency, T, t
            )
        keep = ("t",) if "probability_alive" in self._core_scalar_t else ()
        (tt, x, tx, TT), index, scalar = self._history(frequency, recency, T, {"t": t}, keep)
        self._check_time(tt, "t")
        return _wrap(
            self._call("probability_alive", x, tx, TT, tt), index, scalar, "probability_alive"
        )

    def expected_purchases(self, t: Any) -> Any:
        """Expected repeat purchases of a new customer in (0, t].

        Parameters
        ----------
        t : float or array-like

        Returns
        -------
        Series, ndarray or float
        """
        (tt,), index, scalar = _as_arrays({"t": t})
        self._check_time(tt, "t")
        return _wrap(self._call("expected_purchases", tt), index, scalar, "expected_purchases")

    def probability_of_purchases(self, n: Any, t: Any) -> Any:
        """P(a new customer makes exactly ``n`` repeat purchases in (0, t]).

        Parameters
        ----------
        n : int or array-like of int
        t : float or array-like

        Returns
        -------
        Series, ndarray or float
        """
        (nn, tt), index, scalar = _as_arrays({"n": n, "t": t})
        self._check_time(tt, "t")
        bad = (nn < 0) | (nn != np.floor(nn))
        if bad.any():
            raise ValueError(f"n: expected non-negative whole numbers, found {int(bad.sum())} not")
        return _wrap(self._call("probability_of_n_purchases", tt, nn), index, scalar, "probability")

    @renamed(freq="time_unit")
    def customer_lifetime_value(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        time: int = 12,
        discount_rate: float = 0.01,
        time_unit: str = "D",
        continuous: bool = False,
    ) -> Any:
        """Discounted value of the next ``time`` months' purchases.

        ``monetary_value`` is the value per purchase (for example
        GammaGamma.conditional_expected_average_spend). Discrete: as lifetimes,
        ``sum_k m (E[X(k f)] - E[X((k-1) f)]) / (1 + discount_rate)^k`` with
        months of ``f`` time units (``time_unit`` "D": 30, "W": 4.345, "M": 1,
        "H": 720). Continuous: ``m * integral exp(-delta t) dE[X(t)]`` with
        ``delta = log(1 + discount_rate) / f``.

        Returns
        -------
        Series (indexed like the input), ndarray or float
        """
        if is_dask(frequency):
            return _dask_predict(
                self,
                "customer_lifetime_value",
                "clv",
                frequency,
                recency,
                T,
                monetary_value,
                time,
                discount_rate,
                time_unit,
                continuous,
            )
        factor = _CLV_FACTORS.get(time_unit)
        if factor is None:
            raise ValueError(
                f"time_unit: expected one of {', '.join(_CLV_FACTORS)}, got {time_unit!r}"
            )
        check_clv_time(time)
        if not (isinstance(discount_rate, (int, float)) and discount_rate > -1):
            raise ValueError(f"discount_rate: expected a number > -1, got {discount_rate!r}")
        (m, x, tx, TT), index, scalar = self._history(
            frequency, recency, T, {"monetary_value": monetary_value}
        )
        out = self._call(
            "clv", x, tx, TT, m, int(time), float(discount_rate), float(factor), bool(continuous)
        )
        return _wrap(out, index, scalar, "clv")

    @staticmethod
    def _check_time(t: np.ndarray, name: str) -> None:
        bad = t < 0
        if bad.any():
            raise ValueError(f"{name}: expected times >= 0, found {int(bad.sum())} negative")

    # ------------------------------------------------------ diagnostics
    def fit_table(
        self, frequency: Any, recency: Any = None, T: Any = None, max_frequency: int = 7
    ) -> pd.DataFrame:
        """Customers per number of repeat purchases: observed against the model.

        The expected count of customers with k repeat purchases is
        ``sum_i P(X(T_i) = k)`` over the customers' ages; the last row
        collects ``max_frequency`` and more.

        Returns
        -------
        DataFrame
            Indexed by frequency, with ``observed`` and ``expected``.
        """
        (x, tx, TT), _, _ = self._history(frequency, recency, T, {})
        rows = []
        for k in range(max_frequency):
            p = self._call("probability_of_n_purchases", TT, np.full_like(TT, float(k)))
            rows.append((int(np.sum(x == k)), float(np.sum(p))))
        rows.append((int(np.sum(x >= max_frequency)), float(len(x) - sum(r[1] for r in rows))))
        index = pd.Index([*map(str, range(max_frequency)), f"{max_frequency}+"], name="frequency")
        return pd.DataFrame(rows, index=index, columns=["observed", "expected"])

    def holdout_table(
        self, calibration_holdout: pd.DataFrame, max_frequency: int = 7
    ) -> pd.DataFrame:
        """Holdout purchases against the prediction, by calibration frequency.

        Parameters
        ----------
        calibration_holdout : DataFrame
            kamkit.calibration_holdout's output (``frequency_cal``,
            ``recency_cal``, ``T_cal``, ``frequency_holdout``, ``duration_holdout``).

        Returns
        -------
        DataFrame
            Mean ``actual`` and ``predicted`` holdout purchases and the number of
            ``customers``, by ``frequency_cal`` (the last row collects the rest).
        """
        frame = check_frame(calibration_holdout, "calibration_holdout")
        need = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise ValueError(
                f"calibration_holdout: missing columns {', '.join(map(repr, missing))}; "
                "build it with kamkit.calibration_holdout"
            )
        pred = self.conditional_expected_purchases(
            frame["duration_holdout"], frame["frequency_cal"], frame["recency_cal"], frame["T_cal"]
        )
        group = frame["frequency_cal"].clip(upper=max_frequency).astype(int)
        out = pd.DataFrame(
            {"actual": frame["frequency_holdout"], "predicted": np.asarray(pred), "g": group}
        ).groupby("g")
        table = pd.DataFrame(
            {
                "customers": out.size(),
                "actual": out["actual"].mean(),
                "predicted": out["predicted"].mean(),
            }
        )
        table.index = pd.Index(
            [f"{k}+" if k == max_frequency else str(k) for k in table.index], name="frequency_cal"
        )
        return table


_CLV_FACTORS = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24}
