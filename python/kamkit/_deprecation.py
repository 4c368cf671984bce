"""Deprecated argument names: they still work, with a FutureWarning naming the new one.

The vocabulary of kamkit's arguments is listed in ``docs/vocabulary.md``.
When an argument is renamed, the old name is kept for callers through
:func:`renamed`, which maps it to the new name and warns.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["renamed"]

F = TypeVar("F", bound=Callable[..., Any])

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _called_from_kamkit() -> bool:
    """Whether the caller of the wrapped function is a module of kamkit itself.

    kamkit's lifetimes drop-in keeps lifetimes' argument names on purpose and
    passes them on; its users are not told about names they never wrote.
    """
    caller = os.path.abspath(sys._getframe(2).f_code.co_filename)
    return caller.startswith(_PACKAGE + os.sep)


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old keyword names of renamed arguments, with a FutureWarning.

    Parameters
    ----------
    **old_to_new : str
        Each old argument name and its new name.

    Returns
    -------
    callable
        A decorator for the function whose arguments were renamed.

    Examples
    --------
    >>> import warnings
    >>> from kamkit._deprecation import renamed
    >>> @renamed(customers="archive")
    ... def count(archive):
    ...     return len(archive)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     count(customers=[1, 2, 3])
    3
    >>> str(caught[0].message)
    "count: the argument 'customers' is deprecated; use 'archive'"
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{func.__name__}: pass {new!r} only; {old!r} is its deprecated name"
                    )
                if not _called_from_kamkit():
                    warnings.warn(
                        f"{func.__name__}: the argument {old!r} is deprecated; use {new!r}",
                        FutureWarning,
                        stacklevel=2,
                    )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__deprecated_arguments__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
