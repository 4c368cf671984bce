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
def lifecycle_group_keys(
    keys: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]: ...
def lifecycle_panel(
    codes: npt.NDArray[np.int32],
    n_customers: int,
    ticks: npt.NDArray[np.int64],
    ticks_per_day: int,
    amount: npt.NDArray[np.float64] | None,
    freq: str,
    observation_end_tick: int | None,
    first_period: int | None,
    want_revenue: bool,
    want_counts: bool,
    init_revenue: npt.NDArray[np.float64] | None,
    init_counts: npt.NDArray[np.int64] | None,
) -> dict[str, Any]: ...
def lifecycle_stages(
    values: npt.NDArray[np.float64],
    last_partial: bool,
    new_periods: int,
    window: int,
    growth: float,
    decline: float,
    churn_periods: int,
) -> npt.NDArray[np.int8]: ...
def lifecycle_tiers(
    values: npt.NDArray[np.float64], window: int, cum_shares: list[float]
) -> npt.NDArray[np.int8]: ...
def lifecycle_transitions(
    states: npt.NDArray[np.int32], n_states: int
) -> npt.NDArray[np.int64]: ...
