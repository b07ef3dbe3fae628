"""casebook: an investigative casebook for Twitter's information-operations archive.

The main entry point is :func:`load_release`, which reads archive files exactly as
published into a :class:`Release` (two typed DataFrames plus provenance). Every error
casebook raises on purpose is a :class:`CasebookError` (see :mod:`casebook.errors`).
"""

from __future__ import annotations

from typing import Any

from casebook.errors import CasebookError, LoadError

__version__ = "0.1.0"

__all__ = ["CasebookError", "LoadError", "Release", "load_release", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `casebook --help` and light modules stay fast.
    if name in {"Release", "load_release"}:
        from casebook import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'casebook' has no attribute {name!r}")
