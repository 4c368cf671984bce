"""lifetimes' ``fitters`` package: ``BaseFitter`` and the shared machinery of the fitters.

The fitters are thin subclasses of kamkit's native models
(:mod:`kamkit.models`): the likelihood, its gradient and Hessian and every
prediction run in kamkit's C++ core. This module adds lifetimes' surface:
``penalizer_coef``, the time scaling of the fit (``_scale``), the attributes
lifetimes sets in ``fit`` (``data``, ``predict``, ``generate_new_data``,
``_negative_log_likelihood_``), its ``repr``, and ``save_model`` /
``load_model``.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize  # type: ignore[import-untyped]

from ..._native import core as _core
from ...models._base import BaseModel, ConvergenceWarning, _as_arrays, _wrap

__all__ = ["BaseFitter"]

#: scipy ``minimize`` options lifetimes' ``fit(**kwargs)`` passed on; kamkit maps
#: ``maxiter`` and ``disp`` and ignores the others with a warning.
_KNOWN_OPTIONS = ("maxiter", "disp")
#: scipy methods that take no gradient
_GRADIENT_FREE = {"nelder-mead", "powell", "cobyla", "cobyqa"}


class BaseFitter:
    """Base class of the fitters (lifetimes' ``BaseFitter``): repr, parameters, persistence.

    Examples
    --------
    >>> import pandas as pd
    >>> from kamkit.lifetimes import BaseFitter
    >>> f = BaseFitter()
    >>> f.params_ = pd.Series({"x": 12.3, "y": 42.0})
    >>> f
    <lifetimes.BaseFitter: x: 12.30, y: 42.00>
    """

    def __repr__(self) -> str:
        classname = type(self).__name__
        try:
            subjects = f" fitted with {self.data.shape[0]:d} subjects,"  # type: ignore[attr-defined]
        except AttributeError:
            subjects = ""
        params = self.__dict__.get("params_")
        if params is None:
            return f"<lifetimes.{classname}>"
        text = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(params.items()))
        return f"<lifetimes.{classname}:{subjects} {text}>"

    def _unload_params(self, *args: str) -> list[float]:
        if "params_" not in self.__dict__:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [self.params_[x] for x in args]  # type: ignore[attr-defined]

    def save_model(
        self,
        path: str,
        save_data: bool = True,
        save_generate_data_method: bool = True,
        values_to_save: list[Any] | None = None,
    ) -> None:
        """Pickle the fitter to ``path``.

        Parameters
        ----------
        path : str
        save_data : bool, default True
            When False, ``data`` is replaced in the file (by ``None`` or the
            first of ``values_to_save``).
        save_generate_data_method : bool, default True
            When False, ``generate_new_data`` is replaced in the file.
        values_to_save : list, optional
            Placeholders, in the order (``data``, ``generate_new_data``), for
            the attributes left out; default ``None`` for each. The fitter
            itself keeps its attributes.

        Notes
        -----
        lifetimes used dill; kamkit uses the standard pickle module (the
        fitters hold no lambdas).
        """
        attrs = [
            "" if save_data else "data",
            "" if save_generate_data_method else "generate_new_data",
        ]
        placeholders = [None] * len(attrs) if values_to_save is None else list(values_to_save)
        held: dict[str, Any] = {}
        for attr, value in zip(attrs, placeholders):  # noqa: B905 - lifetimes pairs the shorter list
            if attr and attr in self.__dict__:
                held[attr] = self.__dict__[attr]
                self.__dict__[attr] = value
        try:
            with open(path, "wb") as fh:
                pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            self.__dict__.update(held)

    def load_model(self, path: str) -> None:
        """Load a fitter saved by :meth:`save_model`, or by lifetimes 0.11.3, into this object.

        Files written by lifetimes (dill) load too: lifetimes' classes map to
        kamkit's, pandas objects of pandas 1.x are converted, and the
        pickled ``generate_new_data`` lambda is replaced by kamkit's own
        simulator. The fitted state kamkit keeps beyond lifetimes' (for the
        standard errors) is recomputed from ``data`` when it was saved.

        Raises
        ------
        ValueError
            When the file cannot be read (the message says how to carry the
            parameters over instead).
        """
        with open(path, "rb") as fh:
            try:
                loaded = _Unpickler(fh).load()
            except Exception as err:  # noqa: BLE001 - any failure gets the conversion recipe
                raise ValueError(_CONVERT_MESSAGE.format(path=path, detail=err)) from err
        if not isinstance(loaded, BaseFitter):
            raise TypeError(f"load_model: {path} holds a {type(loaded).__name__}, not a fitter")
        state = dict(loaded.__dict__)
        from_lifetimes = any(v is _DILL_DROPPED for v in state.values())
        for key, value in list(state.items()):
            # methods bound to the loaded copy are rebound to this object
            if getattr(value, "__self__", None) is loaded:
                state[key] = getattr(self, value.__name__)
            elif isinstance(value, _NewData) and value.fitter is loaded:
                state[key] = _NewData(self, value.simulator, value.names, value.first)
            elif value is _DILL_DROPPED:
                state[key] = None
        self.__dict__.update(state)
        adopt = getattr(self, "_adopt_loaded_state", None)
        if adopt is not None and (from_lifetimes or "_hessian_log" not in self.__dict__):
            adopt()


_CONVERT_MESSAGE = (
    "load_model: cannot read {path} ({detail}). To carry a lifetimes model over, run in "
    "lifetimes' environment `fitter.params_.to_json('params.json')`, then in kamkit "
    "`f = BetaGeoFitter(); f.params_ = pd.read_json('params.json', typ='series')` "
    "(or refit on the same data, which gives the same parameters)."
)


class _DillDropped:
    """Stands for a function pickled by dill (lifetimes' generate_new_data lambda)."""

    def __call__(self, *args: Any, **kwargs: Any) -> _DillDropped:
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self


_DILL_DROPPED = _DillDropped()


def _dill_create_array(f: Any, args: Any, state: Any, npdict: Any = None) -> Any:
    array = f(*args)
    array.__setstate__(state)
    if npdict is not None:
        array.__dict__.update(npdict)
    return array


def _dill_load_type(name: str) -> Any:
    import builtins
    import types

    found = getattr(types, name, None) or getattr(builtins, name, None)
    return _DILL_DROPPED if found is None else found


def _dill_stub(*args: Any, **kwargs: Any) -> Any:
    return _DILL_DROPPED


_DILL_HELPERS = {"_create_array": _dill_create_array, "_load_type": _dill_load_type}


def _base_unpickler() -> type:
    try:
        from pandas.compat.pickle_compat import (  # type: ignore[import-not-found]
            Unpickler,  # pandas 1.x objects in old files
        )
    except ImportError:  # pragma: no cover - pandas without the compat unpickler
        return pickle.Unpickler
    return Unpickler  # type: ignore[no-any-return]


class _Unpickler(_base_unpickler()):  # type: ignore[misc]
    """Reads kamkit's pickles and lifetimes' dill pickles (see ``load_model``)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "lifetimes" or module.startswith("lifetimes."):
            module = "kamkit." + module
        elif module == "dill" or module.startswith("dill."):
            return _DILL_HELPERS.get(name, _dill_stub)
        return super().find_class(module, name)


class _NewData:
    """``generate_new_data(size=1)``: simulate customers like the fitted ones (picklable)."""

    def __init__(
        self, fitter: Any, simulator: Callable[..., pd.DataFrame], names: tuple, first: Any
    ):
        self.fitter = fitter
        self.simulator = simulator
        self.names = names
        self.first = first

    def __call__(self, size: int = 1) -> pd.DataFrame:
        return self.simulator(self.first, *self.fitter._unload_params(*self.names), size=size)


def _check_options(kwargs: dict[str, Any]) -> tuple[int | None, bool]:
    unknown = sorted(k for k in kwargs if k not in _KNOWN_OPTIONS)
    if unknown:
        warnings.warn(
            f"fit: ignoring scipy option(s) {', '.join(unknown)}; kamkit fits by Newton steps "
            "on the analytic Hessian (only maxiter and disp apply)",
            UserWarning,
            stacklevel=3,
        )
    maxiter = kwargs.get("maxiter")
    return (None if maxiter is None else int(maxiter)), bool(kwargs.get("disp", False))


class _KamkitFitter(BaseFitter):
    """lifetimes' fitter surface on a kamkit model (mixed in before the model class)."""

    _param_names: tuple[str, ...]
    params_: pd.Series
    data: Any

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        super().__init__(penalizer=penalizer_coef)  # type: ignore[call-arg]
        self.penalizer_coef = penalizer_coef

    # kamkit reads the parameters by name: users may set params_ in any order
    def _params(self) -> np.ndarray:
        if "params_" not in self.__dict__:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return np.ascontiguousarray(
            self.params_[list(self._param_names)].to_numpy(dtype=np.float64)
        )

    def _check_fitted(self) -> None:
        self._params()

    def _hyperparameters(self) -> dict[str, Any]:
        return {"penalizer_coef": self.penalizer_coef}

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        """95% intervals ``params_ +- 1.96 standard_errors_`` (lifetimes' definition)."""
        se = self.standard_errors_  # type: ignore[attr-defined]
        return pd.DataFrame(
            {
                "lower 95% bound": self.params_ - 1.96 * se,
                "upper 95% bound": self.params_ + 1.96 * se,
            },
            index=self.params_.index,
        )

    @property
    def summary(self) -> pd.DataFrame:
        """coef, se(coef) and lifetimes' 95% bounds."""
        df = pd.DataFrame(index=self.params_.index)
        df["coef"] = self.params_
        df["se(coef)"] = self.standard_errors_  # type: ignore[attr-defined]
        ci = self.confidence_intervals_
        df["lower 95% bound"] = ci["lower 95% bound"]
        df["upper 95% bound"] = ci["upper 95% bound"]
        return df

    # --------------------------------------------------------- persistence
    _data_columns: tuple[str, ...] = ("frequency", "recency", "T", "weights")
    _simulator_first: str | None = "T"

    def _core_data(self, data: pd.DataFrame) -> Any:
        arrays = [np.ascontiguousarray(data[c], dtype=float) for c in self._data_columns]
        return _core.RfmData(*arrays)

    def _adopt_loaded_state(self) -> None:
        """Rebuild kamkit's fitted state (log-likelihood, Hessian) after loading a lifetimes file."""
        for name in ("variance_matrix_", "standard_errors_", "confidence_intervals_"):
            self.__dict__.pop(name, None)  # properties here, computed from the Hessian
        if "params_" not in self.__dict__:
            return
        self.params_ = pd.Series(self._params(), index=list(self._param_names))
        self._log_params = np.log(self.params_.to_numpy())
        self._cov_log = None
        data = self.__dict__.get("data")
        simulator = getattr(type(self), "_simulator", None)
        if (
            self.__dict__.get("generate_new_data", 0) is None
            and simulator is not None
            and isinstance(data, pd.DataFrame)
            and self._simulator_first in data
        ):
            first = data[self._simulator_first].to_numpy()
            self.generate_new_data = _NewData(self, simulator, self._param_names, first)
        self.convergence_ = {
            "converged": True,
            "message": "loaded from a lifetimes file",
            "method": "lifetimes",
            "n_iterations": 0,
            "n_evaluations": 0,
            "max_abs_gradient": float("nan"),
            "penalizer": self.penalizer_coef,
        }
        if not isinstance(data, pd.DataFrame):
            return
        core_data = self._core_data(data)
        v, _, h = self._loglik(self._log_params, core_data, 2)  # type: ignore[attr-defined]
        self.log_likelihood_ = float(v)
        self._hessian_log = np.asarray(h, dtype=float)
        self._total_weight = float(core_data.total_weight)
        self.n_customers_ = self._total_weight

    # ------------------------------------------------------------- fitting
    def _run_fit(
        self,
        fit_native: Callable[[Any], Any],
        data_for_scipy: Callable[[], Any],
        start: np.ndarray | None,
        tol: float,
        maxiter: int | None,
        method: str | None = None,
        bounds: Any = None,
    ) -> None:
        """Fit by kamkit's Newton steps (``method`` None) or by scipy's ``method`` on the core."""
        if not (isinstance(tol, (int, float)) and tol > 0):
            raise ValueError(f"tol: expected a positive number, got {tol!r}")
        self.tol = float(tol)  # type: ignore[attr-defined]
        if maxiter is not None:
            self.max_iter = int(maxiter)  # type: ignore[attr-defined]
        if method is None and bounds is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fit_native(start)
            if not self.convergence_.get("converged", True):  # type: ignore[attr-defined]
                # lifetimes' tolerance is on the objective; polish to kamkit's own before warning
                self.tol = min(self.tol, 1e-6)  # type: ignore[attr-defined]
                fit_native(np.exp(self._log_params))  # type: ignore[attr-defined]
            return
        data = data_for_scipy()
        k = len(self._param_names)
        x0 = (
            np.log(np.asarray(self._initial_params(data), dtype=np.float64))  # type: ignore[attr-defined]
            if start is None
            else np.log(np.asarray(start, dtype=float))
        )
        W = float(data.total_weight)
        pen = float(self.penalizer)  # type: ignore[attr-defined]

        def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
            if not np.all(np.isfinite(theta)) or np.any(np.abs(theta) > 700):
                return np.inf, np.zeros(k)
            v, g, _ = self._loglik(theta, data, 1)  # type: ignore[attr-defined]
            if not np.isfinite(v):
                return np.inf, np.zeros(k)
            e2 = np.exp(2 * theta)
            return -v / W + pen * float(np.sum(e2)), -np.asarray(g) / W + 2 * pen * e2

        gradient_free = str(method).lower() in _GRADIENT_FREE
        res = optimize.minimize(
            (lambda th: fun(th)[0]) if gradient_free else fun,
            x0,
            jac=None if gradient_free else True,
            method=method,
            tol=tol,
            bounds=bounds,
            options={"maxiter": self.max_iter},  # type: ignore[attr-defined]
        )
        theta = np.asarray(res.x, dtype=float)
        v, g, h = self._loglik(theta, data, 2)  # type: ignore[attr-defined]
        self._log_params = theta
        self.params_ = pd.Series(np.exp(theta), index=list(self._param_names))
        self.log_likelihood_ = float(v)
        self._hessian_log = np.asarray(h, dtype=float)
        self._total_weight = W
        self.n_customers_ = W
        self._cov_log = None
        self.convergence_ = {
            "converged": bool(res.success),
            "message": str(res.message),
            "method": str(method or "L-BFGS-B"),
            "n_iterations": int(getattr(res, "nit", 0)),
            "n_evaluations": int(getattr(res, "nfev", 0)),
            "max_abs_gradient": float(np.max(np.abs(fun(theta)[1]))),
            "penalizer": pen,
        }
        if not res.success:
            warnings.warn(
                f"{type(self).__name__}.fit ({method}) did not converge: {res.message}",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _report(self, verbose: bool) -> None:
        if verbose:
            c: dict[str, Any] = self.convergence_  # type: ignore[attr-defined]
            print(
                f"{type(self).__name__}: {c['method']} {'converged' if c['converged'] else 'did NOT converge'}"
                f" after {c['n_iterations']} iterations ({c['message'].strip()}); "
                f"negative log-likelihood {self._negative_log_likelihood_:.6f}, "  # type: ignore[attr-defined]
                f"largest gradient {c['max_abs_gradient']:.2e}"
            )


def _history(
    values: dict[str, Any], frequency: Any, recency: Any, T: Any, names: tuple[str, str, str]
) -> tuple[list[np.ndarray], pd.Index | None, bool]:
    """Broadcast a history (and extras) to float arrays.

    lifetimes accepts any history with 0 <= recency <= T (frequency 0 with
    recency > 0 included).
    """
    arrays, index, scalar = _as_arrays(
        {**values, names[0]: frequency, names[1]: recency, names[2]: T}
    )
    x, tx, TT = arrays[-3:]
    bad = ~(np.isfinite(x) & np.isfinite(tx) & np.isfinite(TT)) | (x < 0) | (tx < 0) | (tx > TT)
    if bad.any():
        raise ValueError(
            f"{names[0]}, {names[1]}, {names[2]}: expected finite values with "
            f"0 <= {names[1]} <= {names[2]} and {names[0]} >= 0; {int(bad.sum())} rows are not"
        )
    return arrays, index, scalar


def _pack(values: np.ndarray, index: pd.Index | None, scalar: bool, name: str) -> Any:
    return _wrap(values, index, scalar, name)


def _lifetimes_series(values: np.ndarray, names: tuple[str, ...]) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=list(names))


_ = BaseModel  # the models these fitters wrap
