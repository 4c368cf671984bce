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

# Scoring (value scores)
def value_score(
    columns: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], method: str
) -> npt.NDArray[np.float64]: ...
def normalize(x: npt.NDArray[np.float64], method: str) -> npt.NDArray[np.float64]: ...

# Tiering (pyramid, thresholds, concentration)
def sort_descending(
    x: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]: ...
def cuts_by_count(desc: npt.NDArray[np.float64], cum_shares: list[float]) -> list[int]: ...
def cuts_by_value(desc: npt.NDArray[np.float64], cum_shares: list[float]) -> list[int]: ...
def snap_cuts(desc: npt.NDArray[np.float64], cuts: list[int]) -> list[int]: ...
def codes_from_cuts(order: npt.NDArray[np.int32], cuts: list[int]) -> npt.NDArray[np.int16]: ...
def codes_by_thresholds(
    x: npt.NDArray[np.float64], thresholds: list[float]
) -> npt.NDArray[np.int16]: ...
def concentration(x: npt.NDArray[np.float64]) -> tuple[float, float, npt.NDArray[np.float64]]: ...
def average_ranks(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...

# Cluster (k-means)
def kmeans(
    X: npt.NDArray[np.float64], k: int, n_init: int, max_iter: int, tol: float, seed: int
) -> dict[str, Any]: ...
def standardize(
    X: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...

# Assign (account managers)
def lpt_schedule(
    workload: npt.NDArray[np.float64], m: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]: ...
