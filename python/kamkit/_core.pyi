"""Typed signatures of kamkit's compiled core (internal API)."""

from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

def summarize(
    keys: npt.NDArray[np.int64],
    ticks: npt.NDArray[np.int64],
    ticks_per_day: int,
    amount: npt.NDArray[np.float64] | None,
    margin: npt.NDArray[np.float64] | None,
    freq: str,
    period: str,
    time_unit_days: float,
    observation_end_tick: int | None,
) -> dict[str, Any]: ...
