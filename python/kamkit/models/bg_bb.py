"""BG/BB discrete-time transaction model."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._base import RfmModel

__all__ = ["BetaGeoBetaBinom"]


class BetaGeoBetaBinom(RfmModel):
    """BG/BB model (Fader, Hardie & Shang 2010) for discrete transaction opportunities.

    In each of ``n_periods`` periods an alive customer transacts with
    probability p ~ Beta(alpha, beta); at the end of each period they drop
    out with probability theta ~ Beta(gamma, delta). ``frequency`` is the
    number of periods with a transaction, ``recency`` the period of the last
    one (0 when none) and ``n_periods`` the number of periods observed. Data
    are usually compressed patterns with ``weights``.

    Parameters
    ----------
    penalizer, tol, max_iter
        As in :class:`kamkit.BetaGeo`.

    Examples
    --------
    >>> import pandas as pd, kamkit
    >>> donations = pd.read_csv("donations.csv")  # doctest: +SKIP
    >>> kamkit.BetaGeoBetaBinom().fit(donations, weights="weights")  # doctest: +SKIP
    """

    _core_name: ClassVar[str] = "bg_bb"
    _param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma", "delta")
    _discrete: ClassVar[bool] = True
    _column_names: ClassVar[tuple[str, str, str]] = ("frequency", "recency", "n_periods")
    _display_name: ClassVar[str] = "BG/BB"

    def _initial_params(self, data: Any) -> np.ndarray:
        return np.ones(4)

    def probability_alive(
        self, frequency: Any, recency: Any = None, n_periods: Any = None, t: Any = 0
    ) -> Any:
        """P(alive in period ``n_periods + t``) given each history."""
        return super().probability_alive(frequency, recency, n_periods, t)
