"""Where the data is: release folders, the datasets a case asks for, the specimen marker.

A *release folder* holds archive data files (:data:`casebook._files.DATA_SUFFIXES`:
``.csv``, ``.csv.gz``, ``.gz``, ``.zip``). :func:`find_datasets` maps the dataset names
a case asks for (``GRU_202012``...) to such folders; :func:`is_specimen` tells the
synthetic specimen from a real release. Standard library only, so the command line can
look for data without importing pandas.

A file name carries its operation (:func:`operation_of`: ``CNHU_0621`` in
``CNHU_0621_tweets_csv_hashed_2020.csv``). Files of different operations are never
combined into one release: :func:`release_groups` splits a folder's files by operation,
and :func:`one_release` (which :func:`casebook.load_release` calls) picks the files of the
release asked for, or refuses a mix with a message naming each release. A folder named
after one operation that holds another's files gets a :class:`ReleaseMismatchWarning`.

Examples
--------
>>> found, absent = find_datasets("", ["GRU_202012", "IRA_202012"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

from casebook import paths
from casebook._files import DATA_SUFFIXES, data_files
from casebook.errors import LoadError

__all__ = [
    "DATA_SUFFIXES",
    "ReleaseMismatchWarning",
    "find_control",
    "find_datasets",
    "folder_mismatch",
    "is_release_dir",
    "is_specimen",
    "one_release",
    "operation_of",
    "release_groups",
]


class ReleaseMismatchWarning(UserWarning):
    """A folder or a requested name says one operation, the files inside another."""


# Words of the archive's file names that are never part of an operation's name.
_ARCHIVE_WORDS = frozenset({"tweets", "users", "csv", "hashed"})
# An operation: words, then a 6-digit (YYYYMM, MMYYYY) or 4-digit (MMYY) release code,
# then a set number when the kind follows it: GRU_202012, saudi_arabia_112019,
# CNHU_0621, iran_201906_1 (of iran_201906_1_tweets_csv_hashed_2.csv; the last _2 is a part).
_OPERATION = re.compile(
    r"(?i)(?<![a-z0-9])([a-z]+(?:_[a-z]+)*_(?:\d{6}|\d{4})(?![0-9])"
    r"(?:_\d(?=_(?:tweets|users)(?![a-z0-9])))?)"
)


def operation_of(name: str) -> str | None:
    """The operation a file or folder name carries, as written; None when it names none.

    Examples
    --------
    >>> operation_of("hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv")
    'GRU_202012'
    >>> operation_of("CNHU_0621_tweets_csv_hashed_2020.csv"), operation_of("tweets.csv")
    ('CNHU_0621', None)
    >>> operation_of("iran_201906_1_tweets_csv_hashed_2.csv")
    'iran_201906_1'
    """
    stem = re.sub(r"(?i)^hashed_(?:\d{4}_\d{2}_)?", "", Path(str(name)).name)
    for found in _OPERATION.finditer(stem):
        words = set(re.findall(r"[a-z]+", found.group(1).lower()))
        if not words & _ARCHIVE_WORDS:  # "tweets_csv_hashed_2020" is a year, not an operation
            return found.group(1)
    return None


def _key(name: str | None) -> str | None:
    op = operation_of(name) if name else None
    return op.lower() if op else None


def release_groups(files: Sequence[str | os.PathLike[str]]) -> dict[str | None, list[Path]]:
    """Files grouped by the operation their names carry (lower case; None: no name).

    Parameters
    ----------
    files
        Archive data files.

    Returns
    -------
    dict
        Operation (lower case) -> its files, in the order given; files whose names
        carry no operation under ``None``.
    """
    groups: dict[str | None, list[Path]] = {}
    for f in files:
        groups.setdefault(_key(Path(f).name), []).append(Path(f))
    return groups


def _spelled(files: list[Path]) -> str:
    return operation_of(files[0].name) or files[0].name


def _list_files(files: list[Path], limit: int = 3) -> str:
    shown = ", ".join(f.name for f in files[:limit])
    return shown + (f", ... ({len(files)} files)" if len(files) > limit else "")


def folder_mismatch(folder: str | os.PathLike[str]) -> str | None:
    """Why a folder's name and its files disagree, or None when they do not.

    A folder named after one operation (``GRU_202012/``) whose files carry other
    operations' names (``CNHU_0621_tweets_csv_hashed_2020.csv``) is a mix-up a user
    should hear about before a case titled with the folder's name runs on other data.
    """
    p = Path(folder)
    named = _key(p.name)
    if named is None or not p.is_dir():
        return None
    groups = release_groups(data_files(p))
    carried = [k for k in groups if k is not None]
    # a folder named after an operation may hold its numbered sets (iran_201906/ holds
    # iran_201906_1, iran_201906_2...)
    if not carried or any(k == named or k.startswith(named + "_") for k in carried):
        return None
    others = "; ".join(f"{_spelled(groups[k])} ({_list_files(groups[k])})" for k in carried)
    return (f"folder {p.name} is named after {operation_of(p.name)} but holds the files of "
            f"{others}: check that it holds the release you mean")


def one_release(
    files: Sequence[str | os.PathLike[str]],
    *,
    name: str | None = None,
    given: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
) -> list[Path]:
    """The files of one release among ``files``; never a silent mix of releases.

    Parameters
    ----------
    files
        The data files a load was given (a folder's, or files named one by one).
    name
        The release asked for (``load_release(..., name=)``). When the files belong to
        several operations, the files of this one are returned.
    given
        What the user passed (a folder, or files), to name it in messages and to compare
        a folder's name with its files.

    Returns
    -------
    list of Path
        ``files`` when they are one release (files whose names carry no operation go
        with it), else the files of ``name``'s operation.

    Raises
    ------
    LoadError
        When the files belong to several operations and ``name`` picks none of them.

    Warns
    -----
    ReleaseMismatchWarning
        When a folder named after one operation holds another's files, or ``name``
        names another operation than the files carry (the files are loaded under
        ``name``, as asked).
    """
    files = [Path(f) for f in files]
    groups = release_groups(files)
    carried = [k for k in groups if k is not None]
    wanted = _key(name)
    folder = Path(given) if isinstance(given, (str, os.PathLike)) else None
    where = str(folder) if folder is not None else ", ".join(f.name for f in files[:3])
    if len(carried) > 1:
        if wanted is not None and wanted in groups:
            return groups[wanted]
        listing = "; ".join(f"{_spelled(groups[k])}: {_list_files(groups[k])}" for k in carried)
        unnamed = f"; and {len(groups[None])} file(s) naming no release" if None in groups else ""
        raise LoadError(
            f"{where}: files of {len(carried)} different releases side by side ({listing}"
            f"{unnamed}); they are not combined into one release",
            hint="load one release at a time: pass the files of one, or name= the one "
            "you want; 'casebook validate FOLDER' reports each release of a folder "
            "separately; or give each release its own folder",
        )
    problems = []
    if wanted is not None and carried and wanted not in carried:
        problems.append(
            f"{name} was asked for but the files are {_spelled(groups[carried[0]])}'s "
            f"({_list_files(groups[carried[0]])}); they are loaded under the name {name}")
    if folder is not None and folder.is_dir() and _key(folder.name) != wanted:
        mismatch = folder_mismatch(folder)
        if mismatch:
            problems.append(mismatch)
    if problems:
        warnings.warn("; ".join(problems), ReleaseMismatchWarning, stacklevel=3)
    return files


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
        requested. A folder holding the files of several releases side by side is each
        requested dataset whose files it holds (load each with ``name=``, which picks
        its files: :func:`one_release`). Otherwise each sub-folder named like a
        requested dataset (case-insensitive; or whose files carry the name) and holding
        data files. A folder named after one dataset whose files carry another's name
        is not that dataset: it gets a :class:`ReleaseMismatchWarning` instead.
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
        mismatch = folder_mismatch(root)
        carried = [k for k in release_groups(data_files(root)) if k is not None]
        if len(carried) > 1:  # several releases side by side: each one asked for
            present.update({n: root for n in names if _names_dataset(n, file_names)})
        else:
            match = next(
                (n for n in names if n.lower() == root.name.lower() and not mismatch), None
            ) or next((n for n in names if _names_dataset(n, file_names)), None)
            chosen = match or (names[0] if names and not mismatch else None)
            if chosen is not None:
                present[chosen] = root
        if mismatch:
            warnings.warn(mismatch, ReleaseMismatchWarning, stacklevel=2)
    else:
        subdirs = sorted(d for d in root.iterdir() if d.is_dir() and is_release_dir(d))
        for name in names:
            named = next((d for d in subdirs if d.name.lower() == name.lower()), None)
            mismatch = folder_mismatch(named) if named is not None else None
            if mismatch:  # the files say otherwise: not this dataset
                warnings.warn(f"{mismatch}; not used as {name}", ReleaseMismatchWarning,
                              stacklevel=2)
                named = None
            hit = named or next(
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
