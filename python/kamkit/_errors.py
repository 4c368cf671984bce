"""Errors the user can fix, and the exit codes of the command line."""

from __future__ import annotations

__all__ = ["EXIT_DATA", "EXIT_MISSING_EXTRA", "EXIT_OK", "EXIT_USAGE", "CliError"]

EXIT_OK = 0
EXIT_DATA = 1  # bad file, wrong column, bad values
EXIT_USAGE = 2  # argparse's code for bad flags
EXIT_MISSING_EXTRA = 3  # an optional package (an extra such as kamkit[io]) is missing


class CliError(Exception):
    """An error the user can fix; its message is printed without a traceback."""

    def __init__(self, message: str, code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.code = code
