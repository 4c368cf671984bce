"""Moves between consecutive periods, and Markov chains over them.

The chains carry the customer-migration value of Pfeifer and Carraway.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._native import core as _core
from .._validation import check_frame, check_int, check_number

__all__ = ["MarkovChain", "Transitions", "transitions"]


@dataclass(frozen=True)
class Transitions:
    """Moves between consecutive periods.

    Attributes
    ----------
    counts : DataFrame
        From-state rows by to-state columns (with ``by_period=True``, rows
        indexed by ``period_from``, ``period_to`` and ``from``).
    probabilities : DataFrame
        ``counts`` over their row sums. A from-state never observed has no
        moves to estimate: its row keeps the customer in place (1 on the
        diagonal), so every row sums to 1; ``observed`` tells them apart.
    observed : Series or DataFrame of bool
        Whether each from-state (per period pair) had at least one move.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> states = pd.DataFrame({"p1": ["a", "a", "b"], "p2": ["a", "b", "b"]})
    >>> moves = kamkit.transitions(states)
    >>> int(moves.counts.loc["a", "b"]), float(moves.probabilities.loc["a", "b"])
    (1, 0.5)
    """

    counts: pd.DataFrame
    probabilities: pd.DataFrame
    observed: pd.Series

    def chain(self) -> MarkovChain:
        """The Markov chain of the pooled probabilities."""
        if self.probabilities.index.nlevels != 1:
            raise ValueError("chain: only for transitions pooled over periods (by_period=False)")
        return MarkovChain(self.probabilities)


def _state_codes(states: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Periods x customers int32 codes (-1 missing) and the state labels."""
    dtypes = list(states.dtypes)
    first = dtypes[0]
    if isinstance(first, pd.CategoricalDtype) and all(d == first for d in dtypes):
        codes = np.empty((states.shape[1], states.shape[0]), dtype=np.int32)
        for j in range(states.shape[1]):
            codes[j] = states.iloc[:, j].cat.codes.to_numpy()
        return codes, pd.Index(first.categories)
    stacked = states.to_numpy(dtype=object).T.ravel()
    flat, uniques = pd.factorize(stacked, sort=True, use_na_sentinel=True)
    codes = flat.astype(np.int32).reshape(states.shape[1], states.shape[0])
    return codes, pd.Index(uniques)


def _probabilities(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    totals = counts.sum(axis=-1, keepdims=True)
    observed = totals[..., 0] > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        probs = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), 0.0)
    eye = np.broadcast_to(np.eye(counts.shape[-1]), counts.shape)
    probs = np.where(observed[..., None], probs, eye)
    return probs, observed


def transitions(states: pd.DataFrame, by_period: bool = False) -> Transitions:
    """Count the moves between consecutive periods of a states frame.

    Parameters
    ----------
    states : DataFrame
        Customers x periods states: stages from :func:`lifecycle_stages`,
        tiers from :func:`tier_history`, or any values (missing = no state).
        With categorical columns of one dtype, every category is a state (in
        its order); otherwise the sorted distinct values are.
    by_period : bool, default False
        Also split the counts by period pair.

    Returns
    -------
    Transitions
        ``counts`` and ``probabilities`` DataFrames, from-states as rows,
        to-states as columns; pairs with a missing state are left out.

    Raises
    ------
    TypeError
        Not a DataFrame.
    ValueError
        Fewer than two periods.

    Examples
    --------
    >>> import kamkit
    >>> panel = kamkit.period_panel(kamkit.datasets.load_cdnow_sample())
    >>> moves = kamkit.transitions(kamkit.lifecycle_stages(panel))
    >>> bool((moves.probabilities.sum(axis=1).round(12) == 1).all())
    True
    """
    states = check_frame(states, "states")
    if states.shape[1] < 2:
        raise ValueError(f"states: expected at least two period columns, found {states.shape[1]}")
    try:
        codes, labels = _state_codes(states)
    except TypeError as exc:
        kinds = sorted({type(v).__name__ for v in pd.unique(states.to_numpy().ravel())})
        raise TypeError(
            "states: expected state labels of one kind, one column per period (e.g. "
            f"lifecycle_stages' output), found labels of kinds {kinds} that cannot be "
            f"ordered together ({exc})"
        ) from None
    n = max(len(labels), 1)
    per_pair = _core.lifecycle_transitions(codes, n)
    labels = labels if len(labels) else pd.Index(["(none)"])
    from_labels = pd.Index(labels, name="from")
    to_labels = pd.Index(labels, name="to")
    if not by_period:
        total = per_pair.sum(axis=0)
        probs, observed = _probabilities(total)
        return Transitions(
            counts=pd.DataFrame(total, index=from_labels, columns=to_labels),
            probabilities=pd.DataFrame(probs, index=from_labels, columns=to_labels),
            observed=pd.Series(observed, index=from_labels, name="observed"),
        )
    cols = states.columns
    pairs = per_pair.shape[0]
    index = pd.MultiIndex.from_arrays(
        [
            np.repeat(np.asarray(cols[:-1], dtype=object), n),
            np.repeat(np.asarray(cols[1:], dtype=object), n),
            np.tile(np.asarray(labels, dtype=object), pairs),
        ],
        names=["period_from", "period_to", "from"],
    )
    probs, observed = _probabilities(per_pair)
    return Transitions(
        counts=pd.DataFrame(per_pair.reshape(pairs * n, n), index=index, columns=to_labels),
        probabilities=pd.DataFrame(probs.reshape(pairs * n, n), index=index, columns=to_labels),
        observed=pd.Series(observed.ravel(), index=index, name="observed"),
    )


class MarkovChain:
    """A discrete-time Markov chain on labelled states.

    Parameters
    ----------
    P : DataFrame or array
        Square transition matrix: row i holds the probabilities of moving
        from state i to each state; rows sum to 1. A DataFrame's index
        (equal to its columns) names the states; an array's states are
        0..n-1.

    Raises
    ------
    TypeError
        Not a DataFrame or array of numbers.
    ValueError
        Not square, labels that differ between rows and columns, negative or
        missing entries, rows not summing to 1.

    Examples
    --------
    >>> import kamkit
    >>> chain = kamkit.MarkovChain([[0.9, 0.1], [0.0, 1.0]])
    >>> round(float(chain.expected_time_to_absorption()[0]), 9)
    10.0
    """

    def __init__(self, P: pd.DataFrame | np.ndarray | Sequence[Sequence[float]]) -> None:
        if isinstance(P, pd.DataFrame):
            if not P.index.equals(P.columns):
                raise ValueError(
                    "P: expected the same states as rows and columns, found "
                    f"{list(P.index)} and {list(P.columns)}"
                )
            labels = pd.Index(P.index)
            bad = [c for c, d in P.dtypes.items() if not pd.api.types.is_numeric_dtype(d)]
            if bad:
                raise TypeError(f"P: expected numbers, found non-numeric column {bad[0]!r}")
            matrix = P.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            try:
                matrix = np.asarray(P, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"P: expected a square matrix of numbers ({exc})") from exc
            labels = pd.RangeIndex(matrix.shape[0]) if matrix.ndim == 2 else pd.RangeIndex(0)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
            raise ValueError(f"P: expected a non-empty square matrix, got shape {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise ValueError("P: expected finite probabilities, found missing or infinite ones")
        if (matrix < 0).any():
            raise ValueError(
                f"P: expected probabilities >= 0, found {int((matrix < 0).sum())} negative"
            )
        sums = matrix.sum(axis=1)
        off = np.abs(sums - 1.0) > 1e-8
        if off.any():
            raise ValueError(
                f"P: expected rows summing to 1, found {int(off.sum())} that do not (first: "
                f"row {labels[np.argmax(off)]!r} sums to {sums[np.argmax(off)]:.6g}); "
                "divide each row by its sum"
            )
        self.P = pd.DataFrame(matrix, index=labels, columns=labels)
        self._m = matrix

    @property
    def states(self) -> pd.Index:
        """The state labels."""
        return self.P.index

    def _position(self, state: Hashable) -> int:
        try:
            pos = self.states.get_loc(state)
        except KeyError:
            raise ValueError(
                f"unknown state {state!r}; the states are {list(self.states)}"
            ) from None
        if not isinstance(pos, (int, np.integer)):
            raise ValueError(f"state {state!r} is not unique")
        return int(pos)

    def _distribution(self, start: Any) -> np.ndarray:
        n = len(self.states)
        if isinstance(start, (pd.Series, dict)):
            s = pd.Series(start, dtype=np.float64)
            unknown = s.index.difference(self.states)
            if len(unknown):
                raise ValueError(f"start: unknown states {list(unknown)}")
            vec = s.reindex(self.states, fill_value=0.0).to_numpy()
        elif isinstance(start, (np.ndarray, list, tuple)):
            vec = np.asarray(start, dtype=np.float64)
            if vec.shape != (n,):
                raise ValueError(f"start: expected {n} probabilities, got shape {vec.shape}")
        else:
            vec = np.zeros(n)
            vec[self._position(start)] = 1.0
        if not np.isfinite(vec).all() or (vec < 0).any() or abs(vec.sum() - 1.0) > 1e-8:
            raise ValueError("start: expected probabilities >= 0 summing to 1")
        return vec

    def forecast(self, start: Any, steps: int = 1) -> pd.Series:
        """The distribution over states after ``steps`` steps.

        Parameters
        ----------
        start : state label, Series, dict or array
            A starting state, or a starting distribution.
        steps : int, default 1

        Returns
        -------
        Series
            start x P^steps, indexed by state. P^steps comes from repeated
            squaring with every product's rows brought back to sum 1, so a far
            forecast (10**16 steps) is a distribution, the stationary limit
            where there is one.
        """
        steps = check_int("steps", steps, 0, high=None)
        vec = self._distribution(start) @ _stochastic_power(self._m, steps)
        vec = np.clip(vec, 0.0, None)
        vec /= vec.sum()
        return pd.Series(vec, index=self.states, name=f"after {steps} steps")

    def stationary(self) -> pd.Series:
        """The stationary distribution pi (pi P = pi, sum 1).

        Raises
        ------
        ValueError
            When it is not unique (several closed classes).
        """
        n = len(self.states)
        a = self._m.T - np.eye(n)
        if n > 1 and np.linalg.matrix_rank(a) < n - 1:
            raise ValueError(
                "stationary: the chain has several closed classes, so its stationary "
                "distribution is not unique; use forecast from a given start"
            )
        system = np.vstack([a, np.ones((1, n))])
        rhs = np.zeros(n + 1)
        rhs[-1] = 1.0
        pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
        pi = np.clip(pi, 0.0, None)
        return pd.Series(pi / pi.sum(), index=self.states, name="stationary")

    @property
    def absorbing_states(self) -> pd.Index:
        """States that are never left (P[i, i] = 1)."""
        return self.states[np.isclose(np.diag(self._m), 1.0, rtol=0, atol=1e-12)]

    def _transient(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        absorbing = np.isclose(np.diag(self._m), 1.0, rtol=0, atol=1e-12)
        if not absorbing.any():
            raise ValueError("the chain has no absorbing state (no P[i, i] = 1)")
        transient = ~absorbing
        q = self._m[np.ix_(transient, transient)]
        eye = np.eye(q.shape[0])
        if q.shape[0] and np.linalg.cond(eye - q) > 1e12:
            raise ValueError(
                "some transient states never reach an absorbing state, so the time to "
                "absorption is infinite"
            )
        return transient, absorbing, (np.linalg.inv(eye - q) if q.shape[0] else eye)

    def fundamental_matrix(self) -> pd.DataFrame:
        """N = (I - Q)^-1 over the transient states: expected visits."""
        transient, _, n = self._transient()
        labels = self.states[transient]
        return pd.DataFrame(n, index=labels, columns=labels)

    def expected_time_to_absorption(self) -> pd.Series:
        """Expected steps to absorption from each transient state, N 1.

        Raises
        ------
        ValueError
            No absorbing state, or a transient state that never reaches one.
        """
        transient, _, n = self._transient()
        return pd.Series(
            n.sum(axis=1), index=self.states[transient], name="expected_time_to_absorption"
        )

    def absorption_probabilities(self) -> pd.DataFrame:
        """B = N R: the probability of ending in each absorbing state."""
        transient, absorbing, n = self._transient()
        r = self._m[np.ix_(transient, absorbing)]
        return pd.DataFrame(n @ r, index=self.states[transient], columns=self.states[absorbing])

    def clv(
        self,
        rewards: pd.Series | Sequence[float] | np.ndarray,
        discount_rate: float,
        horizon: int | None = None,
    ) -> pd.Series:
        """Customer-migration value per starting state (Pfeifer and Carraway, 2000).

        V = sum over t = 0..horizon of (P / (1 + d))^t R, or, for an infinite
        horizon, V = (I - P / (1 + d))^-1 R.

        Parameters
        ----------
        rewards : Series or array
            Net reward R of one period in each state (a Series is aligned on
            the states).
        discount_rate : float
            d per period, >= 0 (> 0 for an infinite horizon).
        horizon : int, optional
            Last period t of the sum (t = 0 is the current period); None: infinite.
            Any horizon costs about 2 log2(horizon) matrix products.

        Returns
        -------
        Series
            Expected discounted value of a customer starting in each state.

        Raises
        ------
        ValueError
            Rewards that do not match the states; a negative discount rate;
            an infinite horizon without discounting.
        """
        n = len(self.states)
        if isinstance(rewards, pd.Series):
            missing = self.states.difference(rewards.index)
            if len(missing):
                raise ValueError(f"rewards: no reward for states {list(missing)}")
            r = rewards.reindex(self.states).to_numpy(dtype=np.float64)
        else:
            r = np.asarray(rewards, dtype=np.float64)
        if r.shape != (n,) or not np.isfinite(r).all():
            raise ValueError(f"rewards: expected {n} finite numbers, got shape {r.shape}")
        d = check_number("discount_rate", discount_rate, 0.0)
        m = self._m / (1.0 + d)
        if horizon is None:
            if d == 0:
                raise ValueError(
                    "discount_rate: an infinite horizon needs a discount rate > 0; pass "
                    "discount_rate or a finite horizon"
                )
            value = np.linalg.solve(np.eye(n) - m, r)
        else:
            horizon = check_int("horizon", horizon, 0, high=None)
            value = _power_sum(m, horizon + 1) @ r
        return pd.Series(value, index=self.states, name="clv")

    def __repr__(self) -> str:
        return f"MarkovChain(states={list(self.states)})"


def _stochastic_power(P: np.ndarray, k: int) -> np.ndarray:
    """P^k for a row-stochastic P by repeated squaring (about 2 log2 k products).

    Each product's rows are clipped at 0 and divided by their sum, so that
    rounding cannot build up over many steps.
    """

    def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        c = np.clip(a @ b, 0.0, None)
        return c / c.sum(axis=1, keepdims=True)

    out = np.eye(P.shape[0])
    base = P.copy()
    while k:
        if k & 1:
            out = product(out, base)
        k >>= 1
        if k:
            base = product(base, base)
    return out


def _power_sum(M: np.ndarray, count: int) -> np.ndarray:
    """The sum of M^t for t = 0..count-1 in about 2 log2(count) matrix products.

    Doubling: S(2c) = S(c) + M^c S(c) and S(c + 1) = S(c) + M^c.
    """
    n = M.shape[0]
    total = np.zeros((n, n))
    power = np.eye(n)  # M^c for the c terms in total
    for bit in bin(count)[2:]:
        total = total + power @ total
        power = power @ power
        if bit == "1":
            total = total + power
            power = power @ M
    return total
