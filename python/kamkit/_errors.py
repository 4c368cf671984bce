"""Errors the user can fix, and the exit codes of the command line."""

from __future__ import annotations

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_UNAVAILABLE", "EXIT_USAGE", "CliError"]

EXIT_OK = 0
EXIT_DATA = 1  # bad file, wrong column, bad values
EXIT_USAGE = 2  # argparse's code for bad flags
EXIT_UNAVAILABLE = 3  # the capability is not in this installation


class CliError(Exception):
    """An error the user can fix; its message is printed without a traceback."""

    def __init__(self, message: str, code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.code = code
