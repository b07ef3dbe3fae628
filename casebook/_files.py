"""Files on disk: which names are archive data files, a folder's list of them, and how
casebook writes an output file.

The one place that knows the archive's file suffixes, shared by the loader (which reads
the files) and dataset discovery (which looks for release folders), and the one place
that writes an output under a temporary name and renames it (:func:`write_atomically`).
Standard library only: the command line and discovery import it without pulling in
pandas.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["DATA_SUFFIXES", "data_files", "is_data_file", "natural_key", "umask",
           "write_atomically", "write_text_atomically"]

#: Suffixes of archive data files, as published (zip files are read without unpacking).
DATA_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".gz", ".zip")


def natural_key(name: str) -> list[Any]:
    """Sort key that orders digit runs by value: ``part2`` before ``part10``."""
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name)]


def is_data_file(path: Path) -> bool:
    """True for a regular file whose name ends with one of :data:`DATA_SUFFIXES`.

    Hidden files are not data: copying an unzipped release from a Mac leaves an
    AppleDouble ``._<name>.csv`` (binary metadata) beside every file.
    """
    name = path.name
    return not name.startswith(".") and name.lower().endswith(DATA_SUFFIXES) and path.is_file()


def data_files(folder: Path) -> list[Path]:
    """The archive data files directly inside ``folder``, in natural name order.

    Parameters
    ----------
    folder
        A release folder.

    Returns
    -------
    list of Path
        Regular files whose names end with a suffix of :data:`DATA_SUFFIXES` (any
        case), hidden files excepted; sub-folders are not searched. Numbered parts come in numeric order
        (``_2`` before ``_10``), which is the order the loader concatenates them.
    """
    return sorted((f for f in Path(folder).iterdir() if is_data_file(f)),
                  key=lambda f: natural_key(f.name))


def umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux's
    ``/proc/self/status``): setting it to read it back leaves a moment in which another
    thread's new file gets no protection at all."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, write: Callable[[Path], None], *, durable: bool = False) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path``.

    Parameters
    ----------
    path
        The file to write; whatever was there is replaced only once ``write`` returns.
    write
        Writes the whole content to the path it is given (creating the file there).
    durable
        Flush the written file to the disk before the rename (a manifest that must
        survive a power cut whole or not at all).

    Notes
    -----
    The temporary file is ``.<name>.<pid>-<thread>-<random>.part`` in the same folder:
    two threads or processes writing the same file never share one. It is created by
    ``write``, so it has an ordinary file's permissions, and it is removed when ``write``
    fails or is interrupted (a KeyboardInterrupt included).
    """
    # a rename within one folder is atomic: readers see the old file or the whole new
    # one, and an interrupted write leaves the old file as it was
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}-"
                         f"{secrets.token_hex(4)}.part")
    try:
        write(tmp)
        if durable:
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, *, durable: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`write_atomically`."""
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), durable=durable)
