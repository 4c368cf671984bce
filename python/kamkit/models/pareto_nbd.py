"""Pareto/NBD transaction model (its likelihood lives in the C++ core)."""

from __future__ import annotations

from typing import Any, ClassVar

from .. import _core
from ._base import RfmModel

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
    """

    _core_name: ClassVar[str] = "pareto_nbd"
    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    _time_params: ClassVar[tuple[str, ...]] = ("alpha", "beta")
    _display_name: ClassVar[str] = "Pareto/NBD"

    def fit(self, *args: Any, **kwargs: Any) -> ParetoNBD:
        if not getattr(_core, "HAVE_PARETO_NBD", False):
            raise NotImplementedError(
                "ParetoNBD: this build of kamkit has no Pareto/NBD core; use BetaGeo meanwhile"
            )
        return super().fit(*args, **kwargs)  # type: ignore[return-value]
