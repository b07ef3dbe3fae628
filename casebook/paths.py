"""The one place that resolves the project's paths.

Notebooks run from ``notebooks/`` under nbval and from the caller's directory under
papermill; every path therefore comes from here, never from ``'../data'``.
Environment variables override the defaults: ``CASEBOOK_DATA_DIR``,
``CASEBOOK_CACHE_DIR``, ``CASEBOOK_REPORTS_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Root of the checkout (the folder holding ``pyproject.toml``).
ROOT: Path = Path(__file__).resolve().parent.parent


def _env_path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default


def data_dir() -> Path:
    """Folder for data: ``data/`` in the checkout, or ``$CASEBOOK_DATA_DIR``."""
    return _env_path("CASEBOOK_DATA_DIR", ROOT / "data")


def specimen_dir() -> Path:
    """Where ``casebook specimen`` writes the synthetic releases by default."""
    return data_dir() / "specimen"


def raw_dir() -> Path:
    """Where ``casebook fetch`` puts downloaded real releases by default."""
    return data_dir() / "raw"


def cache_dir() -> Path:
    """Parquet cache of loaded releases: ``data/cache/`` or ``$CASEBOOK_CACHE_DIR``."""
    return _env_path("CASEBOOK_CACHE_DIR", data_dir() / "cache")


def notebooks_dir() -> Path:
    """The case notebooks."""
    return ROOT / "notebooks"


def params_dir() -> Path:
    """Parameter files for papermill runs."""
    return ROOT / "params"


def reports_dir() -> Path:
    """Where ``casebook run`` writes reports: ``reports/`` or ``$CASEBOOK_REPORTS_DIR``."""
    return _env_path("CASEBOOK_REPORTS_DIR", ROOT / "reports")


def shared_dir() -> Path:
    """``../shared`` beside the checkout (facts and the real fixture); may be absent."""
    return ROOT.parent / "shared"


def resolve(path: str | os.PathLike[str]) -> Path:
    """Resolve a user-given path.

    Absolute paths stay. A relative path is taken from the working directory when it
    exists there, else from the checkout root when it exists there (so ``data/raw/X``
    works from ``notebooks/``), else from the working directory (a new output folder
    goes where the user is).
    """
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p.resolve()
    if (ROOT / p).exists():
        return (ROOT / p).resolve()
    return p.resolve()
