"""Optional third-party packages, checked in one place.

kamkit's own features are always present. A few third-party packages are
optional extras: this module imports them on demand and, when one is
missing, raises an ImportError that names the extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "MissingExtraError", "require"]

#: The optional packages kamkit uses, by import name: (distribution, extra).
EXTRAS: dict[str, tuple[str, str]] = {
    "matplotlib": ("matplotlib", "plot"),
    "pyarrow": ("pyarrow", "io"),
    "openpyxl": ("openpyxl", "io"),
    "dask": ("dask[dataframe]", "dask"),
    "sklearn": ("scikit-learn", "warn"),
}


class MissingExtraError(ImportError):
    """An optional package is not installed; the message names the extra."""


def require(module: str, what: str) -> ModuleType:
    """Import an optional package, or explain which extra installs it.

    Parameters
    ----------
    module : str
        Import name, such as ``"matplotlib.pyplot"``; its top-level package
        must be one of :data:`EXTRAS`.
    what : str
        What needs it, for the message (such as ``"kamkit.plotting"``).

    Returns
    -------
    module

    Raises
    ------
    MissingExtraError
        The package is not installed.

    Examples
    --------
    >>> from kamkit._optional import require
    >>> require("matplotlib", "plotting").__name__
    'matplotlib'
    """
    top = module.split(".")[0]
    if top not in EXTRAS:
        raise ValueError(f"module: {top!r} is not one of kamkit's optional packages {list(EXTRAS)}")
    package, extra = EXTRAS[top]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{what} needs {package}, which is not installed; "
            f'install it with pip install "kamkit[{extra}]"'
        ) from exc
