"""The compiled C++ core (``kamkit._core``), for the rest of the package.

Python modules reach the core through ``from ._native import core as _core``
(``from .._native import core as _core`` in sub-packages). The import graph
cannot see inside a compiled module, so ``from . import _core`` reads to it
as an import of the package itself; through this module it shows where the
core is used, and the layer contracts in ``pyproject.toml`` keep the core at
the bottom.

Examples
--------
>>> from kamkit._native import core
>>> core.__name__
'kamkit._core'
"""

from __future__ import annotations

from . import _core as core

__all__ = ["core"]
