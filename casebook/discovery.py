"""Where the data is: release folders, the datasets a case asks for, the specimen marker.

A *release folder* holds archive data files (:data:`casebook._files.DATA_SUFFIXES`:
``.csv``, ``.csv.gz``, ``.gz``, ``.zip``). :func:`find_datasets` maps the dataset names
a case asks for (``GRU_202012``...) to such folders; :func:`is_specimen` tells the
synthetic specimen from a real release. Standard library only, so the command line can
look for data without importing pandas.

Examples
--------
>>> found, absent = find_datasets("", ["GRU_202012", "IRA_202012"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from casebook import paths
from casebook._files import DATA_SUFFIXES, data_files

__all__ = ["DATA_SUFFIXES", "find_control", "find_datasets", "is_release_dir", "is_specimen"]


def is_release_dir(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder holding archive data files (.csv, .csv.gz, .zip)."""
    p = Path(path)
    return p.is_dir() and bool(data_files(p))


def _names_dataset(name: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(name.lower())}(?![a-z0-9])", text.lower()) is not None


def _file_names(folder: Path) -> str:
    return " ".join(f.name for f in data_files(folder))


def find_datasets(
    data_dir: str | os.PathLike[str], datasets: str | Sequence[str]
) -> tuple[dict[str, Path], list[str]]:
    """Which of the requested datasets are present under ``data_dir``.

    Parameters
    ----------
    data_dir
        ``""``: the specimen folder (:func:`casebook.paths.specimen_dir`). A folder that
        is itself a release (it holds archive data files) is the requested dataset whose
        name it carries (folder name, or the names of its files), else the first one
        requested. Otherwise each sub-folder named like a requested dataset
        (case-insensitive; or whose files carry the name) and holding data files.
    datasets
        Dataset names, e.g. ``["GRU_202012", "IRA_202012"]``.

    Returns
    -------
    tuple
        ``(present, absent)``: a dict name -> release folder, in the order requested,
        and the list of names not found.

    Raises
    ------
    FileNotFoundError
        When ``data_dir`` does not exist (for the specimen: run ``casebook specimen``).

    Examples
    --------
    >>> found, absent = find_datasets("", ["GRU_202012", "IRA_202012"])  # doctest: +SKIP
    """
    names = list(dict.fromkeys([datasets] if isinstance(datasets, str) else datasets))
    root = paths.specimen_dir() if str(data_dir) == "" else paths.resolve(data_dir)
    if not root.is_dir():
        hint = " (generate it with 'casebook specimen')" if str(data_dir) == "" else ""
        raise FileNotFoundError(f"data folder not found: {root}{hint}")
    present: dict[str, Path] = {}
    if is_release_dir(root):
        file_names = _file_names(root)
        match = next((n for n in names if n.lower() == root.name.lower()), None) or next(
            (n for n in names if _names_dataset(n, file_names)), None
        )
        chosen = match or (names[0] if names else None)
        if chosen is not None:
            present[chosen] = root
    else:
        subdirs = sorted(d for d in root.iterdir() if d.is_dir() and is_release_dir(d))
        for name in names:
            hit = next((d for d in subdirs if d.name.lower() == name.lower()), None) or next(
                (d for d in subdirs if _names_dataset(name, _file_names(d))), None
            )
            if hit is not None:
                present[name] = hit
    absent = [n for n in names if n not in present]
    return present, absent


def is_specimen(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (a release folder, or a file in one) is synthetic specimen data.

    The specimen writes ``ground_truth.json`` with ``"synthetic": true`` into each
    release folder (or the folder above it); nothing else counts.
    """
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    for candidate in (folder / "ground_truth.json", folder.parent / "ground_truth.json"):
        try:
            marker = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(marker, dict) and marker.get("synthetic") is True:
            return True
    return False


def find_control(data_dir: str | os.PathLike[str], control: str) -> Path | None:
    """The control cohort a case opens: ``<data_dir>/<control>/`` when it holds release
    files, else the specimen's; None when neither exists.

    Never the data folder itself: a case must not calibrate on itself.
    """
    candidates = [paths.resolve(data_dir) / control] if data_dir else []
    candidates.append(paths.specimen_dir() / control)
    for folder in candidates:
        if folder.is_dir() and is_release_dir(folder):
            return folder
    return None
