"""Typed signatures of kamkit's compiled core (internal API)."""

from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

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
    check_values: bool = False,
    purchase: npt.NDArray[np.uint8] | None = None,
) -> dict[str, Any]: ...

# ------------------------------------------------------------------ models
HAVE_PARETO_NBD: bool

class RfmData:
    n_rows: int
    n_input: int
    total_weight: float
    n_distinct_x: int
    def __init__(
        self,
        x: NDArray[np.float64],
        t_x: NDArray[np.float64],
        T: NDArray[np.float64],
        weight: NDArray[np.float64] | None = None,
    ) -> None: ...

class SpendData:
    n_rows: int
    n_input: int
    total_weight: float
    def __init__(
        self,
        x: NDArray[np.float64],
        m: NDArray[np.float64],
        weight: NDArray[np.float64] | None = None,
    ) -> None: ...

def rfm_is_valid(
    x: NDArray[np.float64], t_x: NDArray[np.float64], T: NDArray[np.float64], discrete: bool = False
) -> bool: ...

# For each of bg_nbd, mbg_nbd, bg_bb (and pareto_nbd when HAVE_PARETO_NBD):
def bg_nbd_loglik(
    log_params: NDArray[np.float64], data: RfmData, order: int = 2
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]: ...
def bg_nbd_expected_purchases(
    params: NDArray[np.float64], t: NDArray[np.float64]
) -> NDArray[np.float64]: ...
def bg_nbd_conditional_expected_purchases(
    params: NDArray[np.float64],
    t: NDArray[np.float64],
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Expected purchases in the next ``t`` of each customer (BG/NBD).

    ``t`` (and ``t_future`` of the P(alive) functions) has one value per
    customer or a single value for all; the same holds for mbg_nbd and pareto_nbd.
    """

def bg_nbd_probability_alive(
    params: NDArray[np.float64],
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    T: NDArray[np.float64],
    t_future: NDArray[np.float64],
) -> NDArray[np.float64]: ...
def bg_nbd_probability_of_n_purchases(
    params: NDArray[np.float64], t: NDArray[np.float64], n: NDArray[np.float64]
) -> NDArray[np.float64]: ...
def bg_nbd_clv(
    params: NDArray[np.float64],
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    T: NDArray[np.float64],
    monetary: NDArray[np.float64],
    periods: int,
    discount_rate: float,
    factor: float,
    continuous: bool,
) -> NDArray[np.float64]: ...
def __getattr__(name: str) -> Any: ...  # the mbg_nbd_*, bg_bb_*, pareto_nbd_* twins

# Pareto/NBD only (bind_pareto_nbd.cpp)
def pareto_nbd_conditional_probability_of_n_purchases(
    params: NDArray[np.float64],
    t: NDArray[np.float64],
    n: NDArray[np.float64],
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> NDArray[np.float64]: ...
def pareto_nbd_loglik_rows(
    params: NDArray[np.float64],
    x: NDArray[np.float64],
    t_x: NDArray[np.float64],
    T: NDArray[np.float64],
) -> NDArray[np.float64]: ...
def gamma_gamma_loglik(
    log_params: NDArray[np.float64], data: SpendData, order: int = 2
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]: ...
def gamma_gamma_conditional_expected_average_spend(
    params: NDArray[np.float64], x: NDArray[np.float64], m: NDArray[np.float64]
) -> NDArray[np.float64]: ...
def hyp2f1(a: float, b: float, c: float, z: float) -> float: ...

# Scoring (value scores)
def value_score(
    columns: list[npt.NDArray[np.float64]], weights: npt.NDArray[np.float64], method: str
) -> npt.NDArray[np.float64]: ...
def normalize(x: npt.NDArray[np.float64], method: str) -> npt.NDArray[np.float64]: ...
def balanced_cuts(desc: npt.NDArray[np.float64], bins: int) -> list[int]: ...

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
def lifecycle_panel_by_key(
    keys: npt.NDArray[np.int64],
    ticks: npt.NDArray[np.int64],
    ticks_per_day: int,
    amount: npt.NDArray[np.float64] | None,
    freq: str,
    observation_end_tick: int | None,
    want_revenue: bool,
    want_counts: bool,
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
def sorted_descending(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def codes_from_sorted_cuts(
    x: npt.NDArray[np.float64], desc: npt.NDArray[np.float64], cuts: list[int]
) -> npt.NDArray[np.int16]: ...
def pyramid_by_count(
    x: npt.NDArray[np.float64], cum_shares: list[float]
) -> npt.NDArray[np.int16]: ...

# Threads
def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
