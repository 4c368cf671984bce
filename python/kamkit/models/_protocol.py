"""The transaction-model interface that kamkit's functions call, named once.

kamkit's functions that take a fitted transaction model (the early warning,
the model plots) call it through these method names, which every kamkit
model (:class:`~kamkit.BetaGeo`, :class:`~kamkit.ModifiedBetaGeo`,
:class:`~kamkit.ParetoNBD`, :class:`~kamkit.BetaGeoBetaBinom`) has:

===================================  ===========================================
``probability_alive(f, r, T)``       P(alive) of customers with these histories
``conditional_expected_purchases``   ``(t, f, r, T)``: expected purchases in the
                                     next ``t`` time units
===================================  ===========================================

The lifetimes names (``conditional_probability_alive``, ...) belong to the
drop-in :mod:`kamkit.lifetimes`, whose fitters are kamkit models too. An
object that has only the lifetimes names still works, with a FutureWarning.
"""

from __future__ import annotations

import warnings
from typing import Any, Protocol, runtime_checkable

from ._base import BaseModel

__all__ = ["TransactionModel", "transaction_model"]

# kamkit's method names and the lifetimes names that mean the same.
_LIFETIMES_NAMES = {
    "probability_alive": "conditional_probability_alive",
    "conditional_expected_purchases": "conditional_expected_number_of_purchases_up_to_time",
}


@runtime_checkable
class TransactionModel(Protocol):
    """What kamkit's functions call on a fitted transaction model."""

    def probability_alive(self, frequency: Any, recency: Any = None, T: Any = None) -> Any:
        """P(alive) given each customer's frequency, recency and age ``T``."""

    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any = None, T: Any = None
    ) -> Any:
        """Expected purchases in the next ``t`` time units, given each history."""


class _LifetimesNames:
    """An object with the lifetimes method names, seen through kamkit's names."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def probability_alive(self, frequency: Any, recency: Any = None, T: Any = None) -> Any:
        return self._model.conditional_probability_alive(frequency, recency, T)

    def conditional_expected_purchases(
        self, t: Any, frequency: Any, recency: Any = None, T: Any = None
    ) -> Any:
        return self._model.conditional_expected_number_of_purchases_up_to_time(
            t, frequency, recency, T
        )


def transaction_model(
    model: Any, name: str = "model", needs: tuple[str, ...] = ("probability_alive",)
) -> Any:
    """Check a fitted transaction model and return what to call.

    Parameters
    ----------
    model : object
        A fitted kamkit model, or any object with the methods in ``needs``.
    name : str, default "model"
        The argument's name, for messages.
    needs : tuple of str
        kamkit method names the caller will use.

    Returns
    -------
    object
        ``model`` itself, or, for an object with only the lifetimes names,
        an adapter with kamkit's names (after a FutureWarning).

    Raises
    ------
    TypeError
        Neither kamkit's nor the lifetimes method names.
    ValueError
        A kamkit model that is not fitted.

    Examples
    --------
    >>> import kamkit
    >>> from kamkit.models._protocol import transaction_model
    >>> summary = kamkit.summarize(kamkit.datasets.load_cdnow_sample(), time_unit="W")
    >>> model = kamkit.BetaGeo().fit(summary)
    >>> transaction_model(model) is model
    True
    """
    if isinstance(model, BaseModel):
        model._check_fitted()
        return model
    if all(callable(getattr(model, m, None)) for m in needs):
        return model
    old = [_LIFETIMES_NAMES[m] for m in needs]
    if all(callable(getattr(model, m, None)) for m in old):
        warnings.warn(
            f"{name}: a model with only the lifetimes method names ({', '.join(old)}) is "
            "deprecated in kamkit's functions; pass a fitted kamkit model such as "
            "kamkit.BetaGeo (kamkit.lifetimes' fitters are kamkit models too)",
            FutureWarning,
            stacklevel=3,
        )
        return _LifetimesNames(model)
    raise TypeError(
        f"{name}: expected a fitted kamkit transaction model (kamkit.BetaGeo, "
        f"kamkit.ModifiedBetaGeo, kamkit.ParetoNBD, kamkit.BetaGeoBetaBinom) with "
        f"{', '.join(needs)}, got {type(model).__name__}"
    )
