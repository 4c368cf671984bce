"""The number of threads of kamkit's compiled core."""

from __future__ import annotations

from ._native import core as _core
from ._validation import check_count

__all__ = ["get_num_threads", "set_num_threads"]

#: More threads than this is a typo, not a machine.
MAX_THREADS = 4096


def set_num_threads(n: int | None) -> None:
    """Set how many threads kamkit's parallel loops use.

    Results do not depend on it: every sum runs over fixed slices added in a
    fixed order, so 1, 2 or 64 threads give the same bits. The setting is
    kamkit's own; other libraries using OpenMP in the process keep theirs.

    Parameters
    ----------
    n : int or None
        Threads, >= 1; None (or 0) goes back to ``OMP_NUM_THREADS`` (by
        default one per core).

    Raises
    ------
    TypeError, ValueError
        Not a whole number in 0..4096.

    Examples
    --------
    >>> import kamkit
    >>> kamkit.set_num_threads(1)
    >>> kamkit.get_num_threads()
    1
    >>> kamkit.set_num_threads(None)
    """
    count = 0 if n is None else check_count("n", n, 0, MAX_THREADS)
    _core.set_num_threads(count)


def get_num_threads() -> int:
    """How many threads kamkit's parallel loops use (see :func:`set_num_threads`).

    Examples
    --------
    >>> import kamkit
    >>> kamkit.get_num_threads() >= 1
    True
    """
    return int(_core.get_num_threads())
