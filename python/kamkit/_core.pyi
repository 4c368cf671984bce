# Typed signatures of kamkit's C++ core (internal module).
from typing import Any

import numpy as np
from numpy.typing import NDArray

__version__: str

def summarize(*args: Any, **kwargs: Any) -> dict[str, Any]: ...

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
) -> NDArray[np.float64]: ...
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
