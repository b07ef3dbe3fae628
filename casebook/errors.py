"""The errors casebook raises on purpose, under one base class.

Every error the package raises deliberately is a :class:`CasebookError`: its message
says what went wrong (naming the file, line, parameter or address) and, where it can,
what to do. The command line prints such an error as one line on stderr and exits with
:attr:`CasebookError.exit_code`: 1 when the data or a run failed, 2 when the command was
used wrongly (an unknown option value, a parameter a notebook does not declare). Any
other exception is a bug and shows its traceback.

A message often quotes the archive (a header cell, a zip member name), which is written
by the operators: its control characters are escaped (ESC as ``\\x1b``) and its bidi and
invisible characters shown as ``<U+202E>`` (:func:`casebook.safety.escape_controls`), so
that printing it on a terminal or in a notebook can neither clear, colour or rewrite the
screen nor open a link.

This module imports nothing heavy: the command line loads it before any subcommand.
"""

from __future__ import annotations

import re

__all__ = [
    "CasebookError",
    "FetchError",
    "LoadError",
    "MissingDataError",
    "ParameterError",
    "RunError",
    "SpecimenMismatch",
    "StoreError",
    "UsageError",
]


# printable ASCII, line feed and tab need no escaping: the common case imports nothing
_PLAIN = re.compile(r"[\x20-\x7e\n\t]*")


def _printable(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return text
    from casebook.safety import escape_controls  # loads pandas: only for such a message

    return escape_controls(text)


class CasebookError(Exception):
    """Base of every error casebook raises on purpose.

    Parameters
    ----------
    message
        What went wrong, in one line.
    hint
        What the user can do about it, in one line (optional).
    """

    #: Process exit code on the command line: 1 for data or run failures.
    exit_code: int = 1

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        message = super().__str__()
        return _printable(f"{message} ({self.hint})" if self.hint else message)


class UsageError(CasebookError, ValueError):
    """The command or function was called wrongly (an option value, a missing argument)."""

    exit_code = 2


class ParameterError(UsageError):
    """A notebook parameter that is not declared, or has the wrong type."""


class LoadError(CasebookError, ValueError):
    """An archive file cannot be read as it is; the message names the file (and line)."""


class MissingDataError(CasebookError):
    """The data folder a run or a case reads does not exist (not downloaded, or the
    specimen not generated); the hint says how to get it."""


class FetchError(CasebookError):
    """A download failed; the message says what happened and what to do next."""


class StoreError(CasebookError):
    """A store cannot be used as it is: missing, foreign, corrupt, or lacking a release."""


class RunError(CasebookError):
    """A case notebook could not be run into a report."""


class SpecimenMismatch(CasebookError):
    """The specimen folder holds a specimen made with another seed or scale."""
