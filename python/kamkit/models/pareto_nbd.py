"""Pareto/NBD transaction model (its likelihood lives in the C++ core)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._base import RfmModel, _wrap

__all__ = ["ParetoNBD"]


class ParetoNBD(RfmModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    Purchases at rate lambda ~ Gamma(r, alpha) while alive; lifetimes are
    exponential with rate mu ~ Gamma(s, beta). Parameters ``r``, ``alpha``,
    ``s``, ``beta``.

    Parameters
    ----------
    penalizer, tol, max_iter
        As in :class:`kamkit.BetaGeo`.

    Examples
    --------
    >>> import kamkit
    >>> log = kamkit.datasets.load_cdnow_sample()
    >>> summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
    >>> model = kamkit.ParetoNBD().fit(summary)
    >>> list(model.params_.index)
    ['r', 'alpha', 's', 'beta']
    """

    _core_name: ClassVar[str] = "pareto_nbd"
    _core_scalar_t: ClassVar[frozenset[str]] = frozenset(
        {"conditional_expected_purchases", "probability_alive"}
    )
    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    _time_params: ClassVar[tuple[str, ...]] = ("alpha", "beta")
    _display_name: ClassVar[str] = "Pareto/NBD"

    def conditional_probability_of_purchases(
        self, n: Any, t: Any, frequency: Any, recency: Any = None, T: Any = None
    ) -> Any:
        """P(exactly ``n`` purchases in the next ``t`` time units), given each history.

        Alive at T, a customer's rates follow Gamma(r + x, alpha + T) and
        Gamma(s, beta + T): the next ``t`` units are those of a new customer
        with these parameters; a customer who has dropped out buys nothing.

        Parameters
        ----------
        n : int or array-like of int
        t : float or array-like
            Length of the future window, in the time unit of the fit.
        frequency, recency, T : array-like, or a summary DataFrame as ``frequency``

        Returns
        -------
        Series (indexed like the input), ndarray or float

        Examples
        --------
        >>> import kamkit
        >>> log = kamkit.datasets.load_cdnow_sample()
        >>> summary = kamkit.summarize(log, observation_end="1997-09-30", time_unit="W")
        >>> m = kamkit.ParetoNBD().fit(summary)
        >>> 0 <= m.conditional_probability_of_purchases(1, 10.0, 2, 30.0, 38.0) <= 1
        True
        """
        (nn, tt, x, tx, TT), index, scalar = self._history(frequency, recency, T, {"n": n, "t": t})
        self._check_time(tt, "t")
        bad = (nn < 0) | (nn != np.floor(nn))
        if bad.any():
            raise ValueError(f"n: expected non-negative whole numbers, found {int(bad.sum())} not")
        out = self._call("conditional_probability_of_n_purchases", tt, nn, x, tx, TT)
        return _wrap(out, index, scalar, "probability")
