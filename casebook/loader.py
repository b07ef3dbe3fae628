"""Read Twitter information-operations archive releases exactly as published.

:func:`load_release` is the one path every release takes, real or specimen. It reads
the archive's CSV files with pyarrow (every field quoted, doubled quotes, raw newlines
inside text), converts each column to the dtypes documented in :mod:`casebook.schema`,
and caches a typed Parquet copy keyed by the input files' sha256.

The cold load is built for size (a 1M-tweet file in about a second on two cores):
the sha256 of the input runs in a background thread while pyarrow parses (when no
cache lookup needs it first); columns are converted one at a time with vectorised
fast paths (fixed-width times and all-digit counts are cast directly, list literals
are split without a regex) and each raw string column is released once converted;
account snapshot columns are reduced to one row per account as soon as a file is read;
``columns=`` skips the tweet columns a caller does not need.

Quirks handled (see ``../shared/FACTS.md``):

- columns are selected by name (order differs between releases; camelCase headers in
  some users files are mapped to the archive's names);
- ids are read as strings, never numbers (hashed ids contain ``+/=``);
- ``is_retweet`` is ``true``/``false`` or ``True``/``False``;
- list columns are Python list literals, sometimes an empty field instead of ``[]``;
- ``latitude``/``longitude`` are ``absent``/``present``;
- ids written in float notation (2021 releases, precision lost) are restored where
  exactly one id of the release matches and reported in ``Release.checks['float_ids']``
  (:mod:`casebook.ids`);
- split files (``_1``, ``_part1``, ``_01``, ``_a``, per-year ``_2020``) are combined;
  plain, ``.gz`` and ``.zip`` files are read as they are (never modified).

Bad input is never dropped silently: with ``on_bad_rows="raise"`` (default) the first
malformed record raises :class:`LoadError` naming the file and the physical line where
the record starts; with ``on_bad_rows="report"`` the good rows load and every rejected
row is listed in ``Release.rejected`` and counted in ``Release.provenance``. A value that
cannot be read rejects its row the same way: an impossible date (``2020-02-30`` is not
rolled over to 1 March), a negative count (``follower_count``, ``like_count``...: no
account has -5 followers, and one such value would drag every mean it enters), or a
``tweetid``/``userid`` that is empty or not an id (digits, a hashed id of the base64
alphabet, or float notation; ``nan``, ``None``, ``-5`` and an id padded with spaces are
refused, not trimmed).

Hostile or unlucky input ends in one :class:`LoadError` line or a correct count:

- a file that repeats another (``x.zip`` beside the ``x.csv`` unzipped from it, split
  parts beside the combined file) is loaded once, with a warning and a provenance row
  naming what it copies; a file is a copy only when every row of it is in the other
  file, the same in every column (the same tweet ids with an edited text or count are
  other rows, and load); ``strict=True`` refuses such a release instead;
- a header cell holding a line break (legal CSV) is skipped with the header, and line
  numbers count its lines;
- a row identical in every column to an earlier row (overlapping split parts, a file
  with rows written twice) is loaded once, counted per file in ``provenance.rows_repeated``
  and named in ``Release.checks`` (``repeated_rows``); rows that share a tweet id but
  differ in any column are all kept and counted as duplicate ids; ``strict=True``
  refuses a repeated row;
- zip members and ``.gz`` files are streamed, never held whole, and a field over
  :data:`FIELD_LIMIT` (10 MB; a tweet is a few KB) or more than :data:`MALFORMED_LIMIT`
  malformed records stop the load in bounded memory (a 200 KB zip expanding to 200 MB
  grows the process by about 50 MB);
- a truncated or mislabelled ``.gz``, a corrupt zip, a compressed file or an HTML page
  under a ``.csv`` name, UTF-16 text and a header over :data:`HEADER_LIMIT` are named
  as such;
- a file that is a link to a file outside its release folder is refused: messages
  quote headers and records, and a planted link must not make them quote a private
  file (link the whole folder instead);
- a cache entry records each Parquet file's size and sha256 and is discarded when they
  differ; an unwritable cache only warns; temporary folders of killed writers are
  removed by the next write;
- a raw file's sha256 is remembered in the cache folder (``digests/``) with its device,
  inode, size, modification and change times, so that a re-run finds its entry without
  reading the raw files again; any write to a file changes its change time, and a file
  changed less than :data:`DIGEST_SETTLE_NS` before its hashing began is not remembered.
"""

from __future__ import annotations

import ast
import codecs
import concurrent.futures
import contextlib
import csv
import dataclasses
import functools
import gzip
import hashlib
import io
import itertools
import json
import os
import platform
import re
import shutil
import tempfile
import threading
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from casebook import paths, schema
from casebook._arrow import first_uses, sorted_dictionary, string_offsets, utf8_bytes
from casebook._files import data_files, natural_key, write_text_atomically
from casebook._memory import release_memory
from casebook.discovery import is_specimen, one_release
from casebook.errors import LoadError
from casebook.ids import is_float_notation, restore_float_ids

#: Bump when the parsed output changes: it is part of every cache key (an entry written
#: by an older loader must not answer). 3: ids in float notation restored and reported
#: (casebook.ids); 4: impossible dates and ids that are not ids rejected, rows that
#: repeat an earlier row in every column loaded once (a version-3 entry holds them twice);
#: 5: a file is skipped as a copy only when its rows, not only its tweet ids, are in
#: another file (a version-4 entry lacks the edited rows), and a header spanning several
#: lines is skipped whole; 6: a negative count rejects its row (a version-5 entry holds it).
LOADER_VERSION = "6"

_LIST_COLUMNS = ("hashtags", "urls", "user_mentions")
_COUNT_COLUMNS = (
    "follower_count", "following_count", "quote_count", "reply_count", "like_count",
    "retweet_count",
)
#: Columns of the users table that come from the archive (``hashed``/``tweet_count`` are derived).
_USER_COLUMNS = tuple(c for c in schema.USER_DTYPES if c not in ("hashed", "tweet_count"))
#: Tweet columns that every load returns, whatever ``columns=`` asks for.
_ALWAYS = ("tweetid", "userid", "tweet_time")
_BLOCK = 1 << 22

OnBadRows = Literal["raise", "report"]
EncodingErrors = Literal["raise", "replace"]


@dataclasses.dataclass
class Release:
    """A loaded release: tweets, users, and where they came from.

    Attributes
    ----------
    name
        Dataset name taken from the file names (e.g. ``GRU_202012``).
    tweets
        One row per tweet; dtypes in :data:`casebook.schema.TWEET_DTYPES` (only the
        selected columns when loaded with ``columns=``).
    users
        One row per account; dtypes in :data:`casebook.schema.USER_DTYPES` (``userid``,
        the selected account columns, ``hashed`` and ``tweet_count`` with ``columns=``).
    provenance
        One row per input file: ``file``, ``role`` (tweets/users), ``size_bytes``,
        ``sha256``, ``rows_read``, ``rows_rejected``, ``rows_repeated`` (rows identical
        in every column to an earlier row, loaded once), ``replaced_characters``,
        ``loader_version``, ``cached``, ``copy_of`` and ``note``: a file skipped because
        it repeats another (same decompressed bytes, or every row, the same in every
        column, in one other file) names that file in ``copy_of`` and says why in
        ``note``; its ``rows_read`` is 0, so ``rows_read - rows_rejected -
        rows_repeated`` sums to the rows loaded.
    rejected
        Rejected rows: ``file``, ``line`` (physical line where the record starts),
        ``reason``, ``text`` (the raw record, at most 500 characters).
    checks
        Findings that do not reject rows, e.g. ``duplicate_tweetids`` (rows that share
        a tweet id but differ in some column), ``repeated_rows`` (rows identical in every
        column to an earlier row, dropped: ``repeated_rows_by_file`` says how many each
        file lost and which files hold the rows they repeat, ``repeated_row_examples``
        names the first with file and line), ``tweet_accounts_missing_from_users`` and
        ``float_ids`` (id columns written in
        float notation, what was restored: :func:`casebook.ids.restore_float_ids`), and
        ``synthetic``: whether every file lies in a folder the specimen marked as its own
        (:func:`casebook.discovery.is_specimen`), so a real release is never judged
        against the specimen's synthetic control cohort as if it were ordinary accounts.
    """

    name: str
    tweets: pd.DataFrame
    users: pd.DataFrame
    provenance: pd.DataFrame
    rejected: pd.DataFrame
    checks: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Release({self.name!r}: {len(self.tweets):,} tweets, {len(self.users):,} users, "
            f"{len(self.provenance)} file(s), {len(self.rejected)} rejected row(s))"
        )


# --------------------------------------------------------------------------- files


@dataclasses.dataclass(frozen=True)
class _Source:
    """One CSV stream: a file, or a member of a zip file."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def name(self) -> str:
        return Path(self.member).name if self.member else self.path.name

    @property
    def gzipped(self) -> bool:
        return self.member is None and self.path.name.lower().endswith(".gz")

    def read_bytes(self) -> bytes:
        """The whole decompressed stream: only for the error paths of small files."""
        with _reading(self):
            if self.member is not None:
                with zipfile.ZipFile(self.path) as zf:
                    return zf.read(self.member)
            if self.gzipped:
                with gzip.open(self.path, "rb") as fh:
                    return fh.read()
            return self.path.read_bytes()

    @contextlib.contextmanager
    def open_arrow(self) -> Iterator[pa.NativeFile]:
        """The decompressed stream, read block by block (a zip member is never held whole:
        real members are several GB, and a small zip can expand to far more)."""
        with _reading(self):
            if self.member is not None:
                with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                    with pa.PythonFile(fh, mode="r") as stream:
                        yield stream
            elif self.gzipped:
                with pa.input_stream(str(self.path), compression="gzip") as stream:
                    yield stream
            else:
                # read, not memory-mapped: mapped pages of a multi-GB file would count as resident
                with pa.OSFile(str(self.path), "r") as stream:
                    yield stream

    def chunks(self, size: int = 1 << 23) -> Iterator[bytes]:
        """The decompressed stream in pieces of ``size`` bytes (bounded memory)."""
        with self.open_arrow() as stream:
            while True:
                piece = stream.read(size)
                if not piece:
                    return
                yield piece

    @contextlib.contextmanager
    def open_binary(self) -> Iterator[io.BufferedIOBase]:
        """The decompressed stream as a Python binary file (for :mod:`csv` via a text wrapper)."""
        with _reading(self):
            if self.member is not None:
                with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                    yield fh  # type: ignore[misc]
            elif self.gzipped:
                with gzip.open(self.path, "rb") as fh:
                    yield fh  # type: ignore[misc]
            else:
                with open(self.path, "rb") as fh:
                    yield fh

    def head(self, n: int = 65536) -> bytes:
        with _reading(self):
            if self.member is not None:
                with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                    return fh.read(n)
            if self.gzipped:
                with gzip.open(self.path, "rb") as fh:
                    return fh.read(n)
            with open(self.path, "rb") as fh:
                return fh.read(n)


#: Errors of a damaged or mislabelled compressed file (zlib's, zipfile's, gzip's, Arrow's
#: own gzip reader raises OSError); turned into one :class:`LoadError` line by :func:`_reading`.
_READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError,
)


@contextlib.contextmanager
def _reading(source: _Source) -> Iterator[None]:
    """Turn a failure to read ``source``'s bytes into a :class:`LoadError` saying what to do."""
    try:
        yield
    except LoadError:
        raise
    except _READ_ERRORS as exc:
        if isinstance(exc, pa.ArrowException) and not isinstance(exc, OSError):
            raise  # a parse or conversion error: the callers diagnose those
        if isinstance(exc, RuntimeError) and "encrypted" not in str(exc).lower():
            raise  # zipfile's RuntimeError is a password-protected member; others are bugs
        raise LoadError(_unreadable(source, exc)) from exc


def _unreadable(source: _Source, exc: BaseException) -> str:
    text = str(exc)
    low = text.lower()
    if source.gzipped:
        if isinstance(exc, gzip.BadGzipFile) or "header check" in low or "not a gzip" in low:
            with open(source.path, "rb") as fh:
                start = fh.read(2)
            plain = bool(start) and all(32 <= b < 127 for b in start)
            what = "plain text (an uncompressed CSV?)" if plain else "not gzip data"
            return (f"{source.label}: named .gz but it is {what}: rename it to .csv if it is "
                    "the CSV itself, or re-download it")
        if isinstance(exc, EOFError) or "truncated" in low or "ended before" in low:
            return (f"{source.label}: the gzip file is truncated (it ends inside its compressed "
                    "data): the download was cut short; re-download it")
        return f"{source.label}: the gzip data is damaged ({text}): re-download it"
    if source.member is not None:
        if isinstance(exc, RuntimeError) and "encrypted" in low:
            return (f"{source.label}: the zip member is password-protected; the archive's zips "
                    "are not: re-download it, or extract it yourself and load the .csv")
        if isinstance(exc, NotImplementedError):
            return (f"{source.label}: the zip member uses a compression method Python cannot "
                    f"read ({text}): extract it with another tool and load the .csv")
        return (f"{source.label}: the zip member's data is corrupt ({text}): the zip is damaged; "
                "re-download it")
    return f"{source.label}: the file cannot be read ({text})"


def _discover(path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The data files named by ``path``: a directory's archive files, or the files given."""
    items = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not items:
        raise LoadError("no input given: pass a release directory or archive files")
    files: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            found = data_files(p)
            if not found:
                raise LoadError(
                    f"{p}: no archive files (.csv, .csv.gz, .zip) in this directory; "
                    "download a release with 'casebook fetch OP' or generate the specimen "
                    "with 'casebook specimen'"
                )
            files.extend(_inside(f, p) for f in found)
        elif p.is_file():
            files.append(_inside(p, p.parent))
        elif p.exists():  # a named pipe, a socket, a device: read once, or never ending
            raise LoadError(f"{p}: not a regular file (a named pipe, socket or device); the "
                            "loader reads each file twice (to hash it, then to parse it): "
                            "save the data to a file and load that")
        elif p.is_symlink():
            target = (p.parent / os.readlink(p))
            if os.path.lexists(target):  # the link leads back to itself
                raise LoadError(f"{p}: a loop of links (through {os.readlink(p)})")
            raise LoadError(f"{p}: a link to {os.readlink(p)}, which does not exist")
        else:
            raise LoadError(f"{p}: no such file or directory")
    unique: dict[Path, Path] = {}  # a file named twice is one file, not a copy of itself
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values())


def _inside(file: Path, folder: Path) -> Path:
    """``file``, refused when it is a link to a file outside ``folder``.

    Error messages quote a file's header and records, so a link planted in a release
    folder (``tweets.csv -> ~/.ssh/id_rsa``) would echo a private file's first line into
    a message someone may paste anywhere. A release reads only its own files: a linked
    *folder* is fine (its files resolve inside it), a file linked from elsewhere is not.
    """
    if file.is_symlink() and not file.resolve().is_relative_to(folder.resolve()):
        raise LoadError(
            f"{file}: a link to a file outside the release folder {folder}; casebook reads "
            "only the folder's own files: copy the file into the folder, or link the whole "
            "folder instead"
        )
    return file


def _sources(files: Iterable[Path]) -> list[_Source]:
    out: list[_Source] = []
    for f in files:
        if f.name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(f) as zf:
                    members = sorted(
                        (
                            m
                            for m in zf.namelist()
                            if m.lower().endswith(".csv") and not Path(m).name.startswith(".")
                            and "__MACOSX" not in m
                        ),
                        key=natural_key,
                    )
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise LoadError(
                    f"{f}: not a readable zip file ({exc}): the download is damaged or is "
                    "not a zip; re-download it"
                ) from exc
            if not members:
                raise LoadError(f"{f}: the zip file holds no .csv file")
            out.extend(_Source(f, m) for m in members)
        else:
            out.append(_Source(f))
    return out


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


#: A raw file's remembered hash is trusted only when the file had last changed at least
#: this long before the hashing began: a write in the same clock tick as the hashing
#: (two seconds on FAT file systems) could leave every time the file's stat reports
#: unchanged.
DIGEST_SETTLE_NS = 2_000_000_000
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _stat_key(st: os.stat_result) -> list[int]:
    # ctime as well as mtime: every write changes it and no tool can set it back
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class _Digests:
    """sha256 of raw files, remembered in the cache folder (``digests/``) by where each
    file is and what ``stat`` says of it.

    A re-run read its releases from the Parquet cache in seconds but hashed every raw
    file first, to find the entry (the scale-16 specimen's 6.3 GB took most of a cached
    load's 23 s). A remembered hash answers while the file's device, inode, size,
    modification and change times are the ones recorded; any write changes the change
    time, so an edited, replaced or restored file is hashed again. A memo that cannot be
    read or written costs only the hashing.
    """

    def __init__(self, cache_root: Path | None) -> None:
        self.folder = cache_root / "digests" if cache_root is not None else None

    def _entry(self, path: Path) -> Path:
        assert self.folder is not None
        where = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:32]
        return self.folder / f"{where}.json"

    def remembered(self, path: Path) -> str | None:
        """The recorded hash of ``path`` if it still holds, else None."""
        if self.folder is None:
            return None
        try:
            st = path.stat()
            memo = json.loads(self._entry(path).read_text(encoding="utf-8"))
            digest, started = memo["sha256"], memo["started_ns"]
            if (memo["path"] == str(path.resolve()) and memo["stat"] == _stat_key(st)
                    and isinstance(digest, str) and _HEX64.fullmatch(digest)
                    and isinstance(started, int)
                    and max(st.st_mtime_ns, st.st_ctime_ns) + DIGEST_SETTLE_NS <= started):
                return digest
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def hashed(self, path: Path) -> str:
        """``path``'s sha256, computed, and remembered when the file did not change while
        it was read and had settled before."""
        before = path.stat()
        started = time.time_ns()
        digest = _sha256(path)
        if self.folder is None:
            return digest
        try:
            after = path.stat()
            if (_stat_key(before) == _stat_key(after)
                    and max(before.st_mtime_ns, before.st_ctime_ns) + DIGEST_SETTLE_NS <= started):
                self.folder.mkdir(parents=True, exist_ok=True)
                entry = self._entry(path)
                write_text_atomically(entry, json.dumps(
                    {"path": str(path.resolve()), "stat": _stat_key(before),
                     "started_ns": started, "sha256": digest}))
        except OSError:
            pass  # an unwritable cache folder: the next load hashes again
        return digest

    def submit(self, pool: concurrent.futures.Executor,
               path: Path) -> concurrent.futures.Future[str]:
        """A future of ``path``'s sha256: already done when remembered."""
        digest = self.remembered(path)
        if digest is None:
            return pool.submit(self.hashed, path)
        done: concurrent.futures.Future[str] = concurrent.futures.Future()
        done.set_result(digest)
        return done


#: Longest header line read: the archive's is about 400 bytes, a wide one a few KB.
HEADER_LIMIT = 1 << 20


@dataclasses.dataclass(frozen=True)
class _Header:
    """A file's header record: its column names and the lines it spans.

    A quoted header cell may hold a line break (legal CSV), so the header is not always
    one line: the body parser must skip all of it, and line numbers count from its end.

    Attributes
    ----------
    names
        The column names, canonical (:func:`_canonical_name`).
    lines
        Lines the header record spans as pyarrow's ``skip_rows`` counts them (a line
        feed, a CRLF or a lone carriage return ends one, quotes or not).
    first_line
        Physical line where the first record starts, counted as :func:`_record_lines`
        counts: the header's end is one line, and each line feed inside its cells one.
    """

    names: list[str]
    lines: int = 1
    first_line: int = 2


def _read_header(source: _Source) -> _Header:
    head = source.head(HEADER_LIMIT + 1)
    if not head.strip():
        raise LoadError(f"{source.label}: the file is empty (no header, no rows)")
    _check_encoding(source, head)
    end = _header_end(head)
    if end is None and len(head) > HEADER_LIMIT:
        raise LoadError(
            f"{source.label}: the header line is longer than {HEADER_LIMIT // 1024} KB (an "
            "archive header is under 1 KB): this is not an archive tweets or users file"
        )
    text = head[:end].decode("utf-8", errors="replace").lstrip("\ufeff")
    # the csv module reads lines as pyarrow's skip_rows counts them (newline="": a line
    # ends at LF, CRLF or a lone CR), so its line count is what pyarrow must skip;
    # guarded by tests/test_loader.py::test_a_line_break_in_a_header_cell_is_skipped_with_the_header
    reader = csv.reader(io.StringIO(text, newline=""))
    first = next(reader, [])
    return _Header(
        names=[_canonical_name(c) for c in first],
        lines=max(reader.line_num, 1),
        first_line=2 + sum(c.count("\n") for c in first),
    )


def _header_end(head: bytes) -> int | None:
    """Offset just past the header record's line end (a newline outside quotes), or None."""
    data = np.frombuffer(head, np.uint8)
    quoted = np.cumsum(data == ord('"')) & 1  # doubled quotes toggle twice: parity is the state
    ends = np.flatnonzero((data == ord("\n")) & (quoted == 0))
    return int(ends[0]) + 1 if len(ends) else None


#: Leading bytes of files that are not CSV text, as downloads get saved under a wrong name.
_MAGIC: dict[bytes, str] = {
    b"PK\x03\x04": "a zip file: name it .zip (the loader reads zips as they are)",
    b"\x1f\x8b": "gzip-compressed: name it .csv.gz (the loader reads it as it is)",
    b"\x28\xb5\x2f\xfd": "zstd-compressed: decompress it (zstd -d) first",
    b"BZh": "bzip2-compressed: decompress it (bunzip2) first",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive: extract it first",
}


def _check_encoding(source: _Source, head: bytes) -> None:
    """Refuse what is not UTF-8 CSV text by name (a compressed file under a ``.csv`` name,
    an HTML error page, UTF-16/32 text), instead of quoting its bytes as a header."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise LoadError(f"{source.label}: not CSV text but {what}")
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise LoadError(
            f"{source.label}: an HTML page, not CSV (an error page saved as the download?): "
            "download the file again"
        )
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        found = "UTF-32"
    elif sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        found = "UTF-16"
    elif _nul_interleaved(sample):
        # ASCII text in UTF-16 has a NUL beside every character (UTF-32: three)
        half = len(sample) // 2
        found = "UTF-32" if min(sample[0::2].count(0), sample[1::2].count(0)) >= 0.4 * half else "UTF-16"
    else:
        return
    raise LoadError(
        f"{source.label} is {found}; the archive is UTF-8: convert with "
        f"iconv -f {found} -t UTF-8 {source.name} > utf8_{source.name.removesuffix('.gz')}"
    )


def _nul_interleaved(sample: bytes) -> bool:
    """Whether NUL bytes fill one of the two byte positions (UTF-16 text without a BOM)."""
    half = len(sample) // 2
    return half >= 8 and max(sample[0::2].count(0), sample[1::2].count(0)) >= 0.8 * half


def _canonical_name(col: str) -> str:
    col = col.strip().lstrip("\ufeff")
    return schema.HEADER_ALIASES.get(col, col)


def _role(source: _Source, header: Sequence[str]) -> str:
    """``tweets`` or ``users``, from the header, checked against the file name."""
    cols = set(header)
    lower = source.name.lower()
    named = "users" if "users" in lower else "tweets" if "tweets" in lower else None
    looks_tweets = "tweetid" in cols or "tweet_time" in cols
    looks_users = not looks_tweets and "userid" in cols
    if named == "tweets" and looks_users:
        raise LoadError(
            f"{source.label}: named as a tweets file but its header is a users file's "
            f"({', '.join(header[:4])}, ...): it has no tweetid or tweet_time column. "
            "Pass it as the users file of the release, or check the download."
        )
    if looks_tweets:
        return "tweets"
    if looks_users:
        return "users"
    if named == "tweets":
        missing = [c for c in schema.REQUIRED_TWEET_COLUMNS if c not in cols]
        raise LoadError(
            f"{source.label}: missing required column(s) {', '.join(missing)} "
            f"(header has: {', '.join(header[:8])}{', ...' if len(header) > 8 else ''})"
        )
    raise LoadError(
        f"{source.label}: not an archive tweets or users file: no tweetid, tweet_time or "
        f"userid column in the header ({', '.join(header[:8])})"
    )


# --------------------------------------------------------------------------- parsing


class _InvalidUtf8(Exception):
    """A column pyarrow did not convert holds invalid UTF-8 (found by :func:`_utf8_ok`)."""


def _read_table(
    source: _Source,
    header: _Header,
    *,
    encoding_errors: EncodingErrors,
    include: Sequence[str] | None = None,
    utf8_check: concurrent.futures.Future[bool] | None = None,
    block_size: int = _BLOCK,
) -> tuple[pa.Table, _BadRows, int]:
    """Parse one CSV stream into a table of strings; returns (table, bad row texts, replaced).

    The body starts after the whole header record (``header.lines`` lines: a quoted
    header cell may hold a line break). ``include`` limits the columns converted (all
    when ``None``); pyarrow then does not validate the UTF-8 of the others, so
    ``utf8_check`` (a background :func:`_utf8_ok` of the whole stream) must be given
    with it. A record must fit in ``block_size`` bytes; a longer one is read again with
    a bigger block as long as every field is within :data:`FIELD_LIMIT`.
    """
    bad_rows = _BadRows()

    def handler(row: Any) -> str:
        # counted, but only the first texts kept: a small zip can expand into millions
        # of malformed rows, and pyarrow calls this once for each
        bad_rows.total += 1
        if len(bad_rows) < _KEPT_BAD_TEXTS:
            bad_rows.append(row.text)
        return "skip" if bad_rows.total <= MALFORMED_LIMIT else "error"

    names = header.names
    # skip_rows counts lines, not records: a header cell holding a line break would
    # leave its second line to be parsed as a record
    read_opts = pcsv.ReadOptions(column_names=names, skip_rows=header.lines,
                                 block_size=block_size, encoding="utf8")
    parse_opts = pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=handler)
    convert_opts = pcsv.ConvertOptions(
        column_types={c: pa.string() for c in names},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        include_columns=list(include) if include is not None else None,
    )
    replaced = 0
    try:
        with source.open_arrow() as stream:
            table = pcsv.read_csv(
                stream, read_options=read_opts, parse_options=parse_opts,
                convert_options=convert_opts,
            )
        if utf8_check is not None and not utf8_check.result():
            raise _InvalidUtf8
    except (pa.ArrowInvalid, _InvalidUtf8) as exc:
        # every diagnosis here streams the file: a small zip can expand to gigabytes
        # (one endless field, millions of malformed rows), so nothing holds it whole
        if bad_rows.total > MALFORMED_LIMIT:
            first = _bad_records(source, len(names), limit=1)
            where = f" (the first at line {first[0][0]}: {first[0][1]})" if first else ""
            raise LoadError(
                f"{source.label}: more than {MALFORMED_LIMIT:,} malformed records{where}: "
                "not an archive file, or a damaged one; re-download it"
            ) from exc
        longest_record = _check_field_sizes(source)
        if "straddl" in str(exc) and block_size < 4 * longest_record:
            # a record longer than a parse block, of fields within the limit: a bigger block
            return _read_table(
                source, header, encoding_errors=encoding_errors, include=include,
                utf8_check=utf8_check, block_size=1 << (4 * longest_record).bit_length(),
            )
        invalid = _first_invalid_utf8(source)
        if invalid is None:
            found = _bad_records(source, len(names), limit=1, errors_only=True)
            where = f"line {found[0][0]}" if found else "an unknown line"
            raise LoadError(f"{source.label}: malformed CSV at {where}: {exc}") from exc
        if encoding_errors == "raise":
            bad, line = invalid
            raise LoadError(
                f"{source.label}: invalid UTF-8 at line {line} (byte offset {bad}). The archive "
                "files are UTF-8: re-download the file, or load with "
                "encoding_errors='replace' to replace undecodable bytes (they are counted)."
            ) from exc
        raw = source.read_bytes()  # asked for: decode all of it, replacing what is not UTF-8
        text, replaced = _decode_replacing(raw)
        del raw
        bad_rows.clear()
        bad_rows.total = 0
        table = pcsv.read_csv(
            pa.BufferReader(text.encode("utf-8")), read_options=read_opts,
            parse_options=parse_opts, convert_options=convert_opts,
        )
    return table, bad_rows, replaced


#: Largest field read, in bytes. A tweet is at most a few KB and a profile description
#: less; anything near this is not a tweet (a runaway quote, a zip bomb), and pyarrow would
#: otherwise hold it whole before failing.
FIELD_LIMIT = 10 << 20
#: How far past its start a field over the limit is followed to report its size.
_FIELD_FOLLOW = 1 << 30


def _check_field_sizes(source: _Source, limit: int | None = None) -> int:
    """Raise :class:`LoadError` for a field over ``limit`` bytes; else the longest record.

    Streams the source in pieces (memory stays bounded whatever the file's size) and
    finds fields with the quote parity of each byte: every archive field is quoted and
    a quote inside one is doubled, so a byte is inside quotes exactly when an odd number
    of quotes precede it. The error names the physical line where the record starts.
    """
    limit = FIELD_LIMIT if limit is None else limit
    parity = 0  # quotes before this piece, mod 2
    offset = 0  # bytes before this piece
    newlines = 0  # b"\n" bytes before this piece
    last_sep = -1  # offset of the last separator (comma or newline) outside quotes
    last_end = -1  # offset of the last record end (newline outside quotes)
    record_line = 1  # physical line where the current record starts
    longest = 0
    big: tuple[int, int] | None = None  # (line, start offset) of a field over the limit
    for piece in source.chunks(1 << 22):
        data = np.frombuffer(piece, np.uint8)
        n = len(data)
        inside = (np.cumsum(data == ord('"'), dtype=np.uint8) + parity) & 1  # mod 256 keeps parity
        is_nl = data == ord("\n")
        sep = np.flatnonzero(((data == ord(",")) | is_nl) & (inside == 0)) + offset
        ends = np.flatnonzero(is_nl & (inside == 0)) + offset
        if big is not None:  # following a field over the limit to its end
            if len(sep) or offset + n - big[1] > _FIELD_FOLLOW or not n:
                size = int(sep[0]) - big[1] if len(sep) else None
                _field_error(source, big[0], size, limit)
        else:
            starts = np.concatenate([[last_sep], sep]) + 1
            lengths = np.diff(np.concatenate([starts, [offset + n]]))  # the last one still open
            over = np.flatnonzero(lengths - (np.arange(len(lengths)) < len(sep)) > limit)
            if len(over):
                start = int(starts[over[0]])
                before = ends[ends < start]
                if len(before):  # the record starts in this piece
                    line = newlines + int(np.count_nonzero(is_nl[: before[-1] - offset + 1])) + 1
                else:
                    line = record_line
                if over[0] < len(sep):
                    _field_error(source, line, int(sep[over[0]]) - start, limit)
                big = (line, start)
        if len(ends):
            longest = max(longest, int(np.diff(np.concatenate([[last_end], ends])).max()))
            last_end = int(ends[-1])
            record_line = newlines + int(np.count_nonzero(is_nl[: last_end - offset + 1])) + 1
        if len(sep):
            last_sep = int(sep[-1])
        parity = int(inside[-1]) if n else parity
        newlines += int(np.count_nonzero(is_nl))
        offset += n
    if big is not None:  # the file ends inside the field
        _field_error(source, big[0], offset - big[1], limit)
    return max(longest, offset - last_end - 1)


def _field_error(source: _Source, line: int, size: int | None, limit: int) -> None:
    mb = 1 << 20
    size_text = f"{size / mb:,.0f} MB" if size is not None else f"more than {_FIELD_FOLLOW // mb:,} MB"
    raise LoadError(
        f"{source.label}: line {line}: a field of {size_text} exceeds the {limit // mb} MB "
        "limit for one field (a tweet is a few KB): an unclosed quote, or not an archive "
        "file; re-download it"
    )


def _utf8_ok(source: _Source, block: int = _BLOCK) -> bool:
    """Whether the whole stream is valid UTF-8 (pyarrow's validator, GIL released).

    Reads block by block into reused Arrow buffers; a character cut by a block end is
    carried over and checked with the bytes that finish it.
    """
    carry = b""
    with source.open_arrow() as fh:
        while True:
            buf = fh.read_buffer(block)
            size = buf.size
            if size == 0:
                return not carry  # a character cut by the end of the file
            view = memoryview(buf).cast("B")  # unsigned bytes
            head = 0
            if carry:
                need = _utf8_width(carry[0])
                while head < size and len(carry) + head < need and view[head] & 0xC0 == 0x80:
                    head += 1
                piece = carry + bytes(view[:head])
                if len(piece) < need and head == size:  # a tiny block: keep collecting
                    carry = piece
                    continue
                if not _valid_utf8(pa.py_buffer(piece)):
                    return False
                carry = b""
            end = size
            lead = size - 1
            while lead > head and size - lead < 4 and view[lead] & 0xC0 == 0x80:
                lead -= 1  # back over continuation bytes to the last character's lead byte
            if lead >= head and view[lead] >= 0xC0 and size - lead < _utf8_width(view[lead]):
                carry = bytes(view[lead:])
                end = lead
            if not _valid_utf8(buf.slice(head, end - head)):
                return False


def _utf8_width(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _valid_utf8(data: pa.Buffer) -> bool:
    if data.size == 0:
        return True
    offsets = pa.array([0, data.size], pa.int64()).buffers()[1]
    binary = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data])
    try:
        binary.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _warm_up() -> None:
    """Build pyarrow's cast kernels (about 0.2 s, once per process) while the CSV parses."""
    pc.cast(pa.array(["1"]), pa.int64())


class _BadRows(list):  # type: ignore[type-arg]
    """The first texts of the rows pyarrow rejected; ``total`` counts them all."""

    total: int = 0


#: Malformed records in one file beyond which it is not read on (not an archive file).
MALFORMED_LIMIT = 100_000
_KEPT_BAD_TEXTS = 1_000


def _first_invalid_utf8(source: _Source) -> tuple[int, int] | None:
    """(byte offset, line) of the first byte that is not UTF-8, streamed; ``None`` if none."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = 0
    for piece in source.chunks():
        pending = len(decoder.getstate()[0])  # a character cut by the previous piece
        try:
            decoder.decode(piece)
        except UnicodeDecodeError as exc:
            at = exc.start - pending  # relative to this piece (negative: in the carried bytes)
            return offset + at, newlines + piece.count(b"\n", 0, max(at, 0)) + 1
        offset += len(piece)
        newlines += piece.count(b"\n")
    pending = len(decoder.getstate()[0])
    if pending:  # the file ends inside a character
        return offset - pending, newlines + 1
    return None


# The codec registry is process-wide, so the counting handler is registered once, here,
# and counts into thread-local storage: loads in several threads never share a count.
_REPLACED = threading.local()
_COUNTING_HANDLER = "casebook.loader.replace_and_count"


def _replace_and_count(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _REPLACED.count += exc.end - exc.start
    return ("\ufffd", exc.end)


codecs.register_error(_COUNTING_HANDLER, _replace_and_count)


def _decode_replacing(raw: bytes) -> tuple[str, int]:
    """``raw`` decoded with U+FFFD for undecodable bytes, and how many bytes were replaced."""
    _REPLACED.count = 0
    text = raw.decode("utf-8", errors=_COUNTING_HANDLER)
    return text, _REPLACED.count


class _Tape:
    """Lines fed to :mod:`csv`, remembering the first few of the current record."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.kept: list[str] = []

    def __iter__(self) -> _Tape:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        if len(self.kept) < 3:
            self.kept.append(line[:500])
        return line

    def snippet(self) -> str:
        return "".join(self.kept).rstrip("\r\n")


def _bad_records(
    source: _Source, ncols: int, *, limit: int | None = None, errors_only: bool = False
) -> list[tuple[int, str, str]]:
    """(line, reason, text) of malformed records, with Python's csv module: the exact path.

    Streams the file (memory holds one record) and stops after ``limit`` records;
    ``errors_only`` looks only for a record the csv module cannot end (an unclosed quote).
    """
    out: list[tuple[int, str, str]] = []
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(FIELD_LIMIT + 1)  # csv's default 128 KB is below a field we accept
    try:
        with source.open_binary() as fh:
            tape = _Tape(io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline=""))
            reader = csv.reader(tape, strict=True)
            last = 0
            while limit is None or len(out) < limit:  # the error path: record by record
                start = last + 1
                tape.kept.clear()
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    out.append((start, f"unclosed quote: the record never ends ({exc})",
                                tape.snippet()))
                    break
                last = reader.line_num
                if start > 1 and fields and len(fields) != ncols and not errors_only:
                    out.append((start, f"expected {ncols} fields, found {len(fields)}",
                                tape.snippet()))
    finally:
        csv.field_size_limit(previous_limit)
    return out


def _record_lines(table: pa.Table, first_line: int) -> np.ndarray:
    """Physical line where each record starts (valid when no row was skipped).

    ``first_line`` is where the first record starts (:attr:`_Header.first_line`: 2 but
    for a header whose cells hold line breaks).
    """
    newlines = np.zeros(table.num_rows, dtype=np.int64)
    for col in table.columns:
        if pa.types.is_string(col.type):
            counts = pc.count_substring(col, "\n").fill_null(0)
            newlines += counts.to_numpy(zero_copy_only=False).astype(np.int64)
    if not len(newlines):
        return newlines
    return first_line + np.concatenate([[0], np.cumsum(1 + newlines)[:-1]])


# --------------------------------------------------------------------------- conversion


def _np_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _string_chunks(col: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return list(col.chunks) if isinstance(col, pa.ChunkedArray) else [col]


def _fixed_width(col: pa.ChunkedArray, width: int) -> list[np.ndarray] | None:
    """The bytes of the present values as (n, width) arrays, one per chunk, or ``None``.

    ``None`` unless every present value has exactly ``width`` bytes (and null slots are
    empty, as pyarrow writes them): the test that lets a fixed format skip ``strptime``.
    """
    lengths = pc.min_max(pc.binary_length(col)).as_py()
    if lengths["min"] is None:
        return []
    if lengths["min"] != width or lengths["max"] != width:
        return None
    out = []
    for chunk in _string_chunks(col):  # loop over parse blocks, not rows
        present = len(chunk) - chunk.null_count
        if not present:
            continue
        offsets, data = utf8_bytes(chunk)
        if int(offsets[-1]) != present * width:
            return None
        out.append(data.reshape(present, width))
    return out


#: Fixed layouts cast directly: the format, its width, and (position, byte) separators.
_FIXED_LAYOUTS = {
    "%Y-%m-%d %H:%M": (16, {4: b"-", 7: b"-", 10: b" ", 13: b":"}),
    "%Y-%m-%d": (10, {4: b"-", 7: b"-"}),
}


def _cast_fixed(col: pa.ChunkedArray, fmt: str) -> pa.ChunkedArray | None:
    """Parse ``col`` with a cast when every value has the exact layout of ``fmt``.

    Width and separators pin the layout (the ISO-8601 cast then demands digits in
    between, and ``T`` or a zone would move a separator), so the cast reads exactly
    what ``strptime(fmt)`` reads; a failed cast (e.g. 30 February, which strptime
    rolls over to March) returns ``None`` for the slow path.
    """
    if fmt not in _FIXED_LAYOUTS:
        return None
    width, separators = _FIXED_LAYOUTS[fmt]
    blocks = _fixed_width(col, width)
    if blocks is None:
        return None
    for block in blocks:
        if any((block[:, i] != ord(sep)).any() for i, sep in separators.items()):
            return None
    try:
        return pc.cast(col, pa.timestamp("s"))
    except pa.ArrowInvalid:
        return None


#: timestamp[ns] spans 1677-2262: seconds beyond this are unreadable, not a crash
_NS_LIMIT_SECONDS = 9_223_372_035

# The numbers of a time as written, in the order of every format _parse_time is given
# (year, month, day[, hour, minute[, second]]): strptime accepted the text, so its
# digit runs are these fields whatever the separators or padding.
_WRITTEN_FIELDS = (r"^\D*(?P<year>\d+)\D+(?P<month>\d+)\D+(?P<day>\d+)"
                   r"(?:\D+(?P<hour>\d+)\D+(?P<minute>\d+)(?:\D+(?P<second>\d+))?)?")


def _refuse_rolled_over(col: pa.ChunkedArray, parsed: pa.ChunkedArray) -> pa.ChunkedArray:
    """``parsed`` with null where ``strptime`` rolled an impossible date or time over.

    ``strptime`` reads ``2020-02-30`` as 1 March and second 60 as the next minute: a
    tweet would silently move to another day. A rolled value lands on day 1-3 or comes
    from a second of 60 or more, so only those rows (a tenth of a column) are compared
    field by field with the numbers written.
    """
    suspect = pc.or_(pc.less_equal(pc.day(parsed), 3), pc.match_substring(col, ":6"))
    rows = np.flatnonzero(_np_bool(pc.fill_null(pc.and_(suspect, pc.is_valid(parsed)), False)))
    if not len(rows):
        return parsed
    taken = pa.array(rows)
    written = pc.extract_regex(col.take(taken), _WRITTEN_FIELDS)
    when = parsed.take(taken)
    rolled = _np_bool(pc.is_null(written))  # never expected: refused rather than trusted
    for field in ("year", "month", "day", "hour", "minute", "second"):
        text = pc.struct_field(written, field)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        try:
            number = pc.cast(text, pa.int64())
        except pa.ArrowInvalid:  # digits beyond int64 cannot be the field strptime read
            rolled[:] = True
            break
        rolled |= _np_bool(pc.fill_null(pc.not_equal(number, getattr(pc, field)(when)), False))
    if not rolled.any():
        return parsed
    refuse = np.zeros(len(parsed), dtype=bool)
    refuse[rows[rolled]] = True
    return pc.if_else(pa.array(refuse), pa.scalar(None, parsed.type), parsed)


def _parse_time(
    col: pa.ChunkedArray, fmts: Sequence[str], *, tz: str | None
) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Strings -> timestamp[ns]; the first format is tried alone before any fallback."""
    target = pa.timestamp("ns", tz=tz) if tz else pa.timestamp("ns")
    result = _cast_fixed(col, fmts[0])
    exact = result is not None  # every value read by the fast path
    if result is None:
        result = pc.strptime(col, format=fmts[0], unit="s", error_is_null=True)
        if pc.any(pc.and_(pc.is_null(result), pc.is_valid(col))).as_py():
            for fmt in fmts[1:]:
                parsed = pc.strptime(col, format=fmt, unit="s", error_is_null=True)
                result = pc.coalesce(result, parsed)
        result = _refuse_rolled_over(col, result)
    span = pc.min_max(result.cast(pa.int64())).as_py()
    if span["min"] is not None and max(-span["min"], span["max"]) > _NS_LIMIT_SECONDS:
        seconds = result.cast(pa.int64())
        outside = pc.greater(pc.abs(seconds), _NS_LIMIT_SECONDS)
        result = pc.if_else(outside, pa.scalar(None, result.type), result)
        exact = False
    if exact:
        return result.cast(target), np.zeros(len(col), dtype=bool)
    return result.cast(target), _np_bool(pc.and_(pc.is_null(result), pc.is_valid(col)))


def _parse_int(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Strings -> int64: a direct cast when every value is ASCII digits, else a regex check."""
    if pc.all(pc.ascii_is_decimal(col)).as_py() is not False:
        try:
            return pc.cast(col, pa.int64()), np.zeros(len(col), dtype=bool)
        except pa.ArrowInvalid:
            pass  # e.g. beyond int64: the exact path below decides
    ok = pc.fill_null(pc.match_substring_regex(col, r"^\s*-?\d+\s*$"), False)
    clean = pc.if_else(ok, pc.utf8_trim_whitespace(col), None)
    try:
        out = clean.cast(pa.int64())
    except pa.ArrowInvalid:  # digits beyond int64: unreadable values, not a crash
        ok = pc.and_(ok, pc.invert(pc.fill_null(_beyond_int64(clean), False)))
        clean = pc.if_else(ok, clean, None)
        out = clean.cast(pa.int64())
    return out, _np_bool(pc.and_(pc.invert(ok), pc.is_valid(col)))


def _beyond_int64(digits: pa.ChunkedArray) -> pa.ChunkedArray:
    """For strings of the form ``-?\\d+``: whether the number is outside int64."""
    negative = pc.starts_with(digits, "-")
    magnitude = pc.utf8_ltrim(pc.if_else(negative, pc.utf8_slice_codeunits(digits, 1), digits), "0")
    width = pc.binary_length(magnitude)
    limit = pc.if_else(negative, pa.scalar("9223372036854775808"), pa.scalar("9223372036854775807"))
    # equal widths of digits compare as numbers when compared as text
    return pc.or_(pc.greater(width, 19), pc.and_(pc.equal(width, 19), pc.greater(magnitude, limit)))


def _parse_bool(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    is_true = pc.equal(col, "true")
    if pc.all(pc.or_(is_true, pc.equal(col, "false"))).as_py() is not False:
        return is_true, np.zeros(len(col), dtype=bool)  # the common spelling everywhere
    low = pc.utf8_lower(col)
    is_true = pc.equal(low, "true")
    is_false = pc.equal(low, "false")
    bad = _np_bool(pc.and_(pc.is_valid(low), pc.invert(pc.or_(is_true, is_false))))
    return pc.if_else(pc.or_(is_true, is_false), is_true, None), bad


def _parse_geo(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.not_equal(pc.utf8_lower(col), "absent")


def _null_as_empty(lists: pa.ListArray) -> pa.ListArray:
    """Null entries of a list array become empty lists (zero-copy when their slots are empty)."""
    if lists.null_count == 0:
        return lists
    offsets = lists.offsets
    spanned = offsets[-1].as_py() - offsets[0].as_py()
    if (pc.sum(pc.list_value_length(lists)).as_py() or 0) == spanned:  # null slots are empty
        return pa.ListArray.from_arrays(offsets, lists.values)
    return pc.fill_null(lists, pa.scalar([], lists.type))


def _split_lists(
    col: pa.ChunkedArray, present: pa.Array | pa.ChunkedArray, start: int, end: int, sep: str
) -> pa.ChunkedArray:
    """``col[start:end]`` split on ``sep`` where ``present``; elsewhere an empty list."""
    kept = pc.if_else(present, col, pa.scalar(None, pa.string()))
    if start or end:
        kept = pc.utf8_slice_codeunits(kept, start, end)
    split = pc.split_pattern(kept, sep)
    chunks = [_null_as_empty(c) for c in _string_chunks(split)]
    return pa.chunked_array(chunks, type=pa.list_(pa.string()))


def _rows_with_quote_items(lists: pa.ChunkedArray) -> np.ndarray:
    """Rows with an item holding ``'`` or a backslash (not the simple literal form)."""
    rows = []
    base = 0
    for chunk in lists.chunks:  # loop over parse blocks, not rows
        values = chunk.values
        vdata_buf = values.buffers()[2]
        if vdata_buf is not None and len(values):
            data = np.frombuffer(vdata_buf, np.uint8)
            hits = np.flatnonzero((data == ord("'")) | (data == ord("\\")))
            if len(hits):
                voffsets = string_offsets(values)
                item = np.searchsorted(voffsets, hits, side="right") - 1
                item = item[(item >= 0) & (item < len(values))]
                loffsets = chunk.offsets.to_numpy()
                row = np.searchsorted(loffsets, item, side="right") - 1
                row = row[(row >= 0) & (row < len(chunk))]
                rows.append(base + np.unique(row))
        base += len(chunk)
    return np.concatenate(rows) if rows else np.zeros(0, np.int64)


def _framed(col: pa.ChunkedArray) -> np.ndarray:
    """Values of at least 4 bytes that start with ``['`` and end with ``']``."""
    out = []
    for chunk in col.chunks:  # loop over parse blocks, not rows
        mask = np.zeros(len(chunk), dtype=bool)
        data_buf = chunk.buffers()[2]
        if data_buf is not None and len(chunk):
            offsets = string_offsets(chunk)
            long = np.flatnonzero(np.diff(offsets) >= 4)
            start, end = offsets[long], offsets[long + 1]
            data = np.frombuffer(data_buf, np.uint8)
            mask[long] = (
                (data[start] == ord("[")) & (data[start + 1] == ord("'"))
                & (data[end - 2] == ord("'")) & (data[end - 1] == ord("]"))
            )
            if chunk.null_count:
                mask &= _np_bool(chunk.is_valid())
        out.append(mask)
    return np.concatenate(out) if out else np.zeros(0, dtype=bool)


def _parse_lists(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Python list literals -> list<string>; returns (lists, bad mask).

    The common form ``['a', 'b']`` (items without ``'`` or backslash) is split
    vectorised; anything else (double-quoted items, escapes) goes through
    :func:`ast.literal_eval`, one value at a time.
    """
    col = col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col])
    n = len(col)
    empty = _np_bool(pc.fill_null(pc.equal(col, "[]"), True))
    framed = _framed(col)
    lists = _split_lists(col, pa.array(framed), 2, -2, "', '")
    odd = ~(framed | empty)
    odd[_rows_with_quote_items(lists)] = True
    bad = np.zeros(n, dtype=bool)
    if odd.any():
        idx = np.flatnonzero(odd)
        raw = col.take(pa.array(idx)).to_pylist()
        values: list[list[str]] = []
        for j, text in enumerate(raw):  # only the rows that are not the simple form
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                parsed = None
            if isinstance(parsed, (list, tuple)):
                values.append([str(x) for x in parsed])
            elif text.strip() and not text.strip().startswith("["):
                values.append([text.strip()])  # a bare single value
            else:
                bad[idx[j]] = True
                values.append([])
        order = np.arange(n, dtype=np.int64)
        order[idx] = n + np.arange(len(idx))
        lists = pa.chunked_array(
            [*lists.chunks, pa.array(values, type=pa.list_(pa.string()))], type=lists.type
        ).take(pa.array(order))
    return lists, bad


def _parse_poll(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """``a|b`` -> ``['a', 'b']``; an empty field is an empty list."""
    return _split_lists(col, pc.is_valid(col), 0, 0, "|")


def _convert(cols: dict[str, pa.ChunkedArray]) -> tuple[pa.Table, list[_Problem]]:
    """Convert string columns to schema types; returns (table, bad values).

    ``cols`` is consumed: each raw column is dropped as soon as it is converted, so the
    raw and typed copies of the whole table are never held together. A ``tweetid`` that
    is not an id is a bad value too (``userid`` is checked by :func:`_userid_problems`,
    on the accounts the caller finds anyway).
    """
    problems: list[_Problem] = []
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in list(cols):
        col = cols.pop(name)
        bad = None
        kind = _UNREADABLE
        if name == "tweetid":
            arr, bad, kind = col, _bad_tweetids(col), _NOT_AN_ID
        elif name == "tweet_time":
            arr, bad = _parse_time(col, ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"), tz="UTC")
        elif name == "account_creation_date":
            arr, bad = _parse_time(col, ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"), tz=None)
            arr = pc.floor_temporal(arr, unit="day")
        elif name in _COUNT_COLUMNS:
            arr, bad = _parse_int(col)
            if (pc.min(arr).as_py() or 0) < 0:  # one cheap pass: the archive has none
                below = _np_bool(pc.fill_null(pc.less(arr, 0), False))
                problems += _noted(below, name, col, _NEGATIVE_COUNT)
        elif name == "is_retweet":
            arr, bad = _parse_bool(col)
        elif name in ("latitude", "longitude"):
            arr = _parse_geo(col)
        elif name in _LIST_COLUMNS:
            arr, bad = _parse_lists(col)
        elif name == "poll_choices":
            arr = _parse_poll(col)
        else:
            arr = col
        if bad is not None and bad.any():
            problems += _noted(bad, name, col, kind)
        del col
        out[name] = arr
    return pa.table(out), problems


#: A bad value: (row, column, value as written, what is wrong with it).
_Problem = tuple[int, str, str, str]
_UNREADABLE = "unreadable value"
_NOT_AN_ID = "not an id"
_NEGATIVE_COUNT = "a negative count"
#: What an id may be, in the words of the messages.
_ID_FORMS = "digits, a hashed id of the archive's base64 alphabet, or float notation"
# A hashed id is base64-like (39-44 characters in the archive, 64 hex digits in 2018).
# No length is demanded, so short made-up ids still load; a space is not in the
# alphabet, so a padded id is refused, not trimmed: the archive never pads one, and a
# silent trim would hide an edited or re-exported file.
_HASHED_ID = r"^[A-Za-z0-9+/=]+$"
#: Words of the alphabet that tools write for a missing value (compared in lower case).
MISSING_ID_WORDS = ("nan", "none", "null", "na", "n/a", "nil", "inf", "infinity", "undefined")


def _noted(mask: np.ndarray, name: str, col: pa.ChunkedArray | pa.Array,
           kind: str) -> list[_Problem]:
    """Every row of ``mask`` as a problem (no cap: a value that cannot be read is never
    turned into a silent null); this runs only on the error path."""
    idx = np.flatnonzero(mask)
    values = col.take(pa.array(idx)).to_pylist()
    return [(int(i), name, "" if v is None else str(v)[:200], kind)
            for i, v in zip(idx, values, strict=True)]


def _is_id(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which values are an id: digits, a hashed id, or float notation; missing is not."""
    digits = pc.fill_null(pc.ascii_is_decimal(values), False)
    hashed = pc.and_(
        pc.fill_null(pc.match_substring_regex(values, _HASHED_ID), False),
        pc.invert(pc.is_in(pc.utf8_lower(values), value_set=pa.array(MISSING_ID_WORDS))),
    )
    return _np_bool(pc.or_(pc.or_(digits, hashed), is_float_notation(values)))


def _bad_tweetids(col: pa.ChunkedArray) -> np.ndarray | None:
    """Rows whose tweet id is missing or not an id; None when every one is digits."""
    digits = pc.ascii_is_decimal(col)
    if col.null_count == 0 and pc.all(digits).as_py() is not False:
        return None  # every archive tweet id: one cheap pass
    rows = np.flatnonzero(~_np_bool(pc.fill_null(digits, False)))
    bad = np.zeros(len(col), dtype=bool)
    bad[rows[~_is_id(col.take(pa.array(rows)))]] = True
    return bad


def _take_ascending(col: pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray:
    """``col.take(rows)`` for ascending ``rows``, chunk by chunk (a take across chunks
    first joins them: a copy of the whole column for a few hundred values)."""
    bounds = np.cumsum([0, *(len(c) for c in col.chunks)])
    cuts = np.searchsorted(rows, bounds)
    return pa.chunked_array(
        [chunk.take(pa.array(rows[a:b] - start)) for chunk, start, a, b  # loop over parse blocks
         in zip(col.chunks, bounds[:-1], cuts[:-1], cuts[1:], strict=True)],
        type=col.type,
    )


def _userid_problems(userid: pa.ChunkedArray, first: np.ndarray) -> list[_Problem]:
    """Rows whose account id is missing or not an id.

    ``first`` holds the first row of each account (:func:`_first_rows`): an account's
    rows share its id, so only one value per account is checked, not one per tweet.
    """
    distinct = _take_ascending(userid, first)
    ok = _is_id(distinct)
    if ok.all():
        return []
    refused = distinct.filter(pa.array(~ok))
    rows = pc.is_in(userid, value_set=refused.combine_chunks()
                    if isinstance(refused, pa.ChunkedArray) else refused, skip_nulls=False)
    return _noted(_np_bool(pc.fill_null(rows, False)), "userid", userid, _NOT_AN_ID)


def _empty_column(typ: pa.DataType, n: int) -> pa.Array:
    if typ == pa.list_(pa.string()):
        return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string()))
    return pa.nulls(n, type=typ)


_ARROW_TYPES = {
    schema.STRING: pa.string(), schema.LIST: pa.list_(pa.string()),
    schema.TIME: pa.timestamp("ns", tz="UTC"), schema.DATE: pa.timestamp("ns"),
    schema.COUNT: pa.int64(), schema.BOOL: pa.bool_(), schema.CATEGORY: pa.string(),
}


def _select(table: pa.Table, names: Sequence[str]) -> pa.Table:
    """``names`` in this order; a name the file lacks becomes an empty column."""
    cols = {}
    n = table.num_rows
    for name in names:
        if name in table.column_names:
            cols[name] = table.column(name)
        else:
            key = schema.TWEET_DTYPES.get(name) or schema.USER_DTYPES.get(name) or schema.STRING
            cols[name] = _empty_column(_ARROW_TYPES[key], n)
    return pa.table(cols)


def _first_rows(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """First occurrence of each distinct value (null counts as one) and its frequency.

    Returns (positions of the first occurrences, ascending; occurrences of each of
    those values, in the same order).
    """
    if len(values) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    enc = pc.dictionary_encode(values, null_encoding="encode")
    chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks]).astype(np.int64)
    return first_uses(codes), np.bincount(codes)


# --------------------------------------------------------------------------- pandas


def _types_mapper(t: pa.DataType) -> Any:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return schema.STRING
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return schema.LIST
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    if pa.types.is_integer(t):
        return pd.Int64Dtype()
    return None


def _to_pandas(table: pa.Table, *, consume: bool = False,
               categories: Sequence[str] = ()) -> pd.DataFrame:
    """Typed DataFrame; ``consume=True`` frees each Arrow column once converted.

    Only for a table nothing else will read: pyarrow invalidates it. The columns named
    in ``categories`` become categoricals of strings (:data:`casebook.schema.CATEGORY`).
    """
    for name in categories:  # loop over a few columns
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name,
                                     sorted_dictionary(table.column(name)))
    return table.to_pandas(
        types_mapper=_types_mapper, ignore_metadata=True, self_destruct=consume,
        split_blocks=consume,
    )


# --------------------------------------------------------------------------- cache


# One writer thread for cache="background". Its thread is joined when the interpreter
# exits (concurrent.futures registers that), so a command's cache entry is complete
# before the process ends; a hard kill leaves at most a temporary folder, never an
# entry (entries are renamed into place).
_CACHE_WRITER = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                      thread_name_prefix="casebook-cache")
# each pending write with the sizes of its input files: a load waits only for the writes
# that could be its own entry (a case's control is loaded while its release's entry is
# still being written)
_PENDING: list[tuple[list[int], concurrent.futures.Future[None]]] = []
_PENDING_LOCK = threading.Lock()


def wait_for_cache(file_sizes: list[int] | None = None) -> None:
    """Wait until every cache entry being written in the background is complete.

    Re-raises the first error of a background write that failed (an unwritable cache
    folder only warns, as in a foreground write). With ``file_sizes`` (sorted sizes of a
    release's input files), waits only for the entries of input files of those sizes:
    an entry is keyed by content, so no other can answer such a load.
    """
    with _PENDING_LOCK:
        pending = [f for sizes, f in _PENDING if file_sizes is None or sizes == file_sizes]
        _PENDING[:] = [(sizes, f) for sizes, f in _PENDING if not any(f is g for g in pending)]
    for future in pending:
        future.result()


def _cache_key(fingerprints: Sequence[str], options: dict[str, Any]) -> str:
    h = hashlib.sha256()
    h.update(f"casebook-loader-{LOADER_VERSION}".encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    for fp in sorted(fingerprints):
        h.update(fp.encode())
    return h.hexdigest()[:32]


def _cache_may_hold(cache_root: Path, file_sizes: list[int], options: dict[str, Any]) -> bool:
    """Whether some complete entry was written for input files of these sizes and options."""
    for meta_path in cache_root.glob("*/meta.json"):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (
            meta.get("loader_version") == LOADER_VERSION and meta.get("complete")
            and meta.get("file_sizes") == file_sizes and meta.get("options") == options
        ):
            return True
    return False


_CACHE_FILES = ("tweets.parquet", "users.parquet", "rejected.parquet")


class _CacheMismatch(Exception):
    """A cache file is not the one its entry recorded (replaced, truncated, damaged)."""


def _read_verified(path: Path, recorded: dict[str, Any]) -> pa.Table:
    """The Parquet table at ``path``, read once and checked against its recorded size and hash.

    A Parquet file that parses is not necessarily the one written: a replaced file would
    be trusted and answer for the release (1 tweet instead of 84,086).
    """
    if path.stat().st_size != recorded.get("size"):
        raise _CacheMismatch(path.name)
    with pa.OSFile(str(path), "r") as fh:
        data = fh.read_buffer()
    if hashlib.sha256(data).hexdigest() != recorded.get("sha256"):
        raise _CacheMismatch(path.name)
    return pq.read_table(pa.BufferReader(data))


def _read_cache(entry: Path) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, Any]] | None:
    meta_path = entry / "meta.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        recorded = meta.get("files")
        if (meta.get("loader_version") != LOADER_VERSION or not meta.get("complete")
                or not isinstance(recorded, dict)):
            return None  # unfinished, or written before entries recorded their files' hashes
        tweets, users, rejected = (_read_verified(entry / name, recorded.get(name) or {})
                                   for name in _CACHE_FILES)
    except _CacheMismatch as exc:
        warnings.warn(
            f"cache entry {entry}: {exc} is not the file written there (its size or sha256 "
            "differs from meta.json): entry discarded, the release is read from its files",
            stacklevel=3,
        )
        shutil.rmtree(entry, ignore_errors=True)
        return None
    except (OSError, ValueError, pa.ArrowException):
        return None
    return tweets, users, rejected, meta


#: A temporary cache folder older than this is abandoned whoever wrote it (a writer on
#: another machine sharing the folder, or a reused process id).
STALE_TEMP_SECONDS = 6 * 3600
_WRITER_FILE = ".writer"


def _clean_stale_temps(cache_root: Path) -> None:
    """Remove temporary entries a killed writer left (SIGKILL runs no clean-up).

    A temporary folder records its writer's host and process id: it is stale when that
    process is gone, or, for a writer elsewhere or unrecorded, after
    :data:`STALE_TEMP_SECONDS`.
    """
    host = platform.node()
    now = time.time()
    for tmp in cache_root.glob(".tmp-*"):
        try:
            writer = json.loads((tmp / _WRITER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            writer = {}
        try:
            age = now - tmp.stat().st_mtime
        except OSError:
            continue
        gone = (
            writer.get("host") == host and isinstance(writer.get("pid"), int)
            and not _process_alive(writer["pid"])
        )
        # a folder with no writer file yet may be a second old: wait a few minutes for it
        if gone or age > STALE_TEMP_SECONDS or (not writer and age > 300):
            shutil.rmtree(tmp, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _write_cache(
    cache_root: Path, key: str, tweets: pa.Table, users: pa.Table, rejected: pa.Table,
    meta: dict[str, Any],
) -> None:
    """Write a cache entry atomically: a temporary directory, renamed when complete.

    A cache that cannot be written (a read-only folder, a full disk) only warns: the
    release is loaded either way.
    """
    final = cache_root / key
    tmp: Path | None = None
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        _clean_stale_temps(cache_root)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=cache_root))
        (tmp / _WRITER_FILE).write_text(
            json.dumps({"host": platform.node(), "pid": os.getpid()}), encoding="utf-8"
        )
        pq.write_table(tweets, tmp / "tweets.parquet", compression="zstd")
        pq.write_table(users, tmp / "users.parquet", compression="zstd")
        pq.write_table(rejected, tmp / "rejected.parquet")
        files = {name: {"size": (tmp / name).stat().st_size, "sha256": _sha256(tmp / name)}
                 for name in _CACHE_FILES}
        (tmp / "meta.json").write_text(
            json.dumps({**meta, "files": files, "complete": True}, indent=1, default=str),
            encoding="utf-8",
        )
        (tmp / _WRITER_FILE).unlink()
        if final.exists():  # another process finished first, or a stale entry
            shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        warnings.warn(
            f"could not write the cache at {final}: {exc}; loaded without caching "
            "(set CASEBOOK_CACHE_DIR to a writable folder to keep a cache)",
            stacklevel=3,
        )
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise


# --------------------------------------------------------------------------- load


def _release_name(files: Sequence[Path]) -> str:
    for f in files:
        stem = re.sub(r"(\.csv)?(\.gz|\.zip)?$", "", f.name, flags=re.I)
        stem = re.sub(r"^hashed_", "", stem)
        stem = re.sub(r"^\d{4}_\d{2}_", "", stem)
        m = re.match(r"(.+?)_(?:tweets|users)(?:_|$)", stem)
        if m:
            base = m.group(1)
            half = len(base) // 2
            # the archive doubles the name around an underscore (iran_202012_iran_202012);
            # "TST" is not "T" twice
            if len(base) % 2 == 1 and base[half] == "_" and base[:half] == base[half + 1 :]:
                base = base[:half]
            return base
    first = files[0]
    stem = re.sub(r"(\.csv)?(\.gz|\.zip)?$", "", first.name, flags=re.I)
    return re.sub(r"_(?:part)?(?:\d+|[a-z])$", "", stem) or first.parent.name


@dataclasses.dataclass(frozen=True)
class _Columns:
    """Which archive columns a load reads and returns (``columns=`` of :func:`load_release`)."""

    tweets: tuple[str, ...] | None = None  # columns of Release.tweets; None: all
    users: tuple[str, ...] | None = None  # archive columns of Release.users; None: all

    @classmethod
    def parse(cls, columns: Sequence[str] | None) -> _Columns:
        if columns is None:
            return cls()
        asked = [columns] if isinstance(columns, str) else list(columns)
        tweet_known = [*schema.TWEET_DTYPES, *schema.OPTIONAL_TWEET_DTYPES]
        unknown = [c for c in asked if c not in tweet_known and c not in _USER_COLUMNS]
        if unknown:
            raise ValueError(
                f"columns: unknown column(s) {', '.join(map(repr, unknown))}; choose tweet "
                f"columns ({', '.join(tweet_known)}) or account columns "
                f"({', '.join(_USER_COLUMNS)})"
            )
        chosen = set(asked) | set(_ALWAYS)
        return cls(
            tweets=tuple(c for c in tweet_known if c in chosen),
            users=tuple(c for c in _USER_COLUMNS if c in chosen),
        )

    @property
    def full(self) -> bool:
        return self.tweets is None

    def tweet_names(self, available: Sequence[str]) -> list[str]:
        """Output tweet columns: the schema's, then ``poll_choices`` when the data has it."""
        names = list(schema.TWEET_DTYPES) + (["poll_choices"] if "poll_choices" in available else [])
        return names if self.tweets is None else [c for c in names if c in self.tweets]

    def user_names(self) -> list[str]:
        return list(_USER_COLUMNS if self.users is None else self.users)

    def read_from_tweets_file(self, header: Sequence[str]) -> list[str] | None:
        """The header columns to convert (``None``: every one)."""
        if self.tweets is None or self.users is None:
            return None
        needed = set(self.tweets) | set(self.users)
        return None if set(header) <= needed else [c for c in header if c in needed]


@dataclasses.dataclass
class _Part:
    """One source read and typed: its rows, its accounts and what was rejected."""

    source: _Source
    role: str
    table: pa.Table  # tweets: the tweet columns; users: the users-file columns
    accounts: pa.Table | None  # tweets: the first row of each account in this source
    rejects: list[dict[str, Any]]
    rows_read: int
    replaced: int
    # tweets: duplicate tweet ids among the kept rows (None: count on the combined parts)
    duplicates: int | None = None
    # what a second read of the source needs to find a kept row's record again
    header: _Header = dataclasses.field(default_factory=lambda: _Header([]))
    parsed_rows: np.ndarray | None = None  # each kept row's row in the parse; None: the same
    lines_known: bool = True  # no malformed record was skipped: line numbers can be counted
    repeated: int = 0  # rows dropped as repeats of an earlier row (see _drop_repeats)


def _read_source(
    source: _Source,
    *,
    on_bad_rows: OnBadRows,
    encoding_errors: EncodingErrors,
    selection: _Columns,
    pool: concurrent.futures.Executor,
    count_duplicates: bool = False,
) -> _Part:
    head = _read_header(source)
    header = head.names
    role = _role(source, header)
    required = schema.REQUIRED_TWEET_COLUMNS if role == "tweets" else schema.REQUIRED_USER_COLUMNS
    missing = [c for c in required if c not in header]
    if missing:
        raise LoadError(
            f"{source.label}: missing required column(s) {', '.join(missing)} in the "
            f"header of this {role} file (header has: {', '.join(header[:8])}, ...)"
        )
    dups = sorted({c for c in header if header.count(c) > 1})
    if dups:
        raise LoadError(f"{source.label}: duplicate column(s) in the header: {', '.join(dups)}")
    include = selection.read_from_tweets_file(header) if role == "tweets" else None
    utf8_check = pool.submit(_utf8_ok, source) if include is not None else None
    table, bad_texts, replaced = _read_table(
        source, head, encoding_errors=encoding_errors, include=include, utf8_check=utf8_check
    )
    rows_read = table.num_rows + bad_texts.total
    rejects: list[dict[str, Any]] = []
    if bad_texts:
        # raise mode needs only the first record's line; pyarrow counted the others
        scanned = _bad_records(source, len(header), limit=1 if on_bad_rows == "raise" else None)
        if not scanned:  # the two parsers disagree: still never drop silently
            scanned = [(0, "malformed record (line unknown)", t[:500]) for t in bad_texts]
        if on_bad_rows == "raise":
            line, reason, text = scanned[0]
            others = bad_texts.total - 1
            more = f" ({others} more malformed record(s))" if others > 0 else ""
            raise LoadError(
                f"{source.label}: line {line}: {reason}{more}. Load with "
                "on_bad_rows='report' (--on-bad-rows report in casebook network and store "
                "add; casebook validate does) to keep the good rows and list the rejected "
                f"ones. Record starts: {text[:120]!r}"
            )
        rejects += [
            {"file": source.label, "line": ln, "reason": why, "text": txt[:500]}
            for ln, why, txt in scanned
        ]
    # the only tweets file: its duplicate check needs only the raw ids and runs beside the
    # conversion (split parts are checked together once combined)
    duplicates = (
        pool.submit(_duplicate_count, table.column("tweetid"))
        if count_duplicates and role == "tweets" else None
    )
    raw_cols = dict(zip(table.column_names, table.columns, strict=True))
    del table  # _convert releases each raw column once it is typed
    converted, problems = _convert(raw_cols)
    # account snapshot columns repeat on every row: one row per account, found once for
    # the account ids' check and for the accounts table
    first, counts = _first_rows(converted.column("userid"))
    problems += _userid_problems(converted.column("userid"), first)
    if problems:
        lines = None
        if not bad_texts:  # error path: read again, every column, to count line breaks
            full, _, _ = _read_table(source, head, encoding_errors=encoding_errors)
            lines = _record_lines(full, head.first_line)
            del full
        bad_idx = sorted({p[0] for p in problems})
        if on_bad_rows == "raise":
            i, column, value, kind = min(problems)  # the earliest line, whichever column
            where = f"line {int(lines[i])}" if lines is not None else f"record {i + 1}"
            what = {
                _UNREADABLE: f"column {column} has a value that cannot be read: {value!r}",
                _NEGATIVE_COUNT: f"column {column} holds {value!r}, a negative count",
            }.get(kind, f"column {column} holds {value!r}, which is not an id ({_ID_FORMS})")
            raise LoadError(
                f"{source.label}: {where}: {what} ({len(bad_idx)} record(s) affected). Load "
                "with on_bad_rows='report' (--on-bad-rows report in casebook network and "
                "store add; casebook validate lists them) to keep the good rows."
            )
        by_row: dict[int, dict[str, list[str]]] = {}
        for i, column, value, kind in problems:
            by_row.setdefault(i, {}).setdefault(kind, []).append(f"{column}={value!r}")
        for i in bad_idx:
            rejects.append({
                "file": source.label,
                "line": int(lines[i]) if lines is not None else 0,
                "reason": "; ".join(f"{kind}: {', '.join(values)}"
                                    for kind, values in by_row[i].items()),
                "text": "",
            })
        keep = np.ones(converted.num_rows, dtype=bool)
        keep[bad_idx] = False
        converted = converted.filter(pa.array(keep))
        parsed_rows = np.flatnonzero(keep)
        duplicates = None  # rows were dropped: count again on the kept ones
        first, counts = _first_rows(converted.column("userid"))
    else:
        parsed_rows = None
    user_names = selection.user_names()
    if role == "users":
        return _Part(source, role, _select(converted, user_names), None, rejects, rows_read, replaced)
    is_first = np.zeros(converted.num_rows, dtype=bool)
    is_first[first] = True  # a filter keeps the chunks (a take would concatenate them)
    accounts = _select(
        converted.select([c for c in user_names if c in converted.column_names]).filter(
            pa.array(is_first)
        ),
        user_names,
    ).append_column("tweet_count", pa.array(counts, pa.int64()))
    tweets = _select(converted, selection.tweet_names(converted.column_names))
    return _Part(
        source, role, tweets, accounts, rejects, rows_read, replaced,
        duplicates.result() if duplicates is not None else None,
        header=head, parsed_rows=parsed_rows, lines_known=not bad_texts.total,
    )


def load_release(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    on_bad_rows: OnBadRows = "raise",
    encoding_errors: EncodingErrors = "raise",
    cache: bool | Literal["background"] = True,
    cache_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    columns: Sequence[str] | None = None,
    strict: bool = False,
) -> Release:
    """Load an archive release (tweets and optional users files) into typed DataFrames.

    A file that repeats another (a ``.zip`` beside the ``.csv`` unzipped from it, split
    parts beside the combined file) is loaded once: the copy is skipped with a warning
    and a provenance row naming the file it repeats (``copy_of``, ``note``). A copy is
    the same bytes once decompressed, or a tweets file whose every row is in one other
    file, the same in every column (a file that shares all its tweet ids with another but
    differs in a row is no copy: it loads, its identical rows once and its differing rows
    as duplicate ids). A row identical in every column to an earlier row (parts that
    overlap, rows written twice) is loaded once, with a warning naming the files, and
    counted in ``provenance.rows_repeated`` and ``Release.checks['repeated_rows']``.

    Parameters
    ----------
    path
        A release directory, or one or more tweets/users files (``.csv``, ``.csv.gz``
        or ``.zip``). Split parts are combined in natural order. Without a users file,
        users are derived from the tweet rows.
    on_bad_rows
        ``"raise"`` (default): a malformed record or an unparseable value raises
        :class:`LoadError` naming the file and line. ``"report"``: good rows load,
        rejected ones are listed in ``Release.rejected`` and counted in provenance.
    encoding_errors
        ``"raise"`` (default): invalid UTF-8 raises :class:`LoadError` naming the line.
        ``"replace"``: undecodable bytes become U+FFFD and are counted in
        ``provenance.replaced_characters``.
    cache
        Read and write a typed Parquet copy keyed by the files' sha256 and the
        loader version. ``False`` reads the CSV every time and writes nothing.
        ``"background"`` returns as soon as the release is loaded and writes the copy
        on a background thread (for a command or a case that loads once and then
        computes); the interpreter waits for it at exit, the next load of files of the
        same sizes waits for it before looking the cache up, and :func:`wait_for_cache`
        waits for it explicitly.
    cache_dir
        Cache location; default ``$CASEBOOK_CACHE_DIR`` or ``data/cache/``.
    name
        Dataset name; default from the archive file names (e.g. ``GRU_202012``). In a
        folder holding several releases, picks that release's files
        (:func:`casebook.discovery.one_release`).
    columns
        Archive columns to read: tweet columns (:data:`casebook.schema.TWEET_DTYPES`,
        ``poll_choices``) and account columns (``follower_count``, ...). ``Release.tweets``
        then holds the selected tweet columns, and ``Release.users`` ``userid``, the
        selected account columns, ``hashed`` and ``tweet_count``, both in the schema's
        order; ``tweetid``, ``userid`` and ``tweet_time`` always come. ``None`` (default):
        every column. The other columns are not converted at all, which is what makes a
        narrow load fast: their values are not checked (a row is not rejected for an
        unreadable value in a column not read), but a malformed record or invalid UTF-8
        anywhere in the file still is. The selection is part of the cache key, so a
        narrow load gives the same answer cached or not.
    strict
        ``True``: a file that repeats another, any tweet id found in two files, or a row
        that repeats an earlier one in every column raises :class:`LoadError` instead of
        being skipped or counted (rows of one file that share a tweet id but differ are
        still kept and reported in ``Release.checks``).

    Returns
    -------
    Release

    Examples
    --------
    >>> release = load_release("data/specimen/GRU_202012")  # doctest: +SKIP
    >>> release.tweets.groupby("userid").size().nlargest(3)  # doctest: +SKIP
    >>> narrow = load_release("data/specimen/GRU_202012", cache=False,
    ...                       columns=["retweet_tweetid", "tweet_text"])  # doctest: +SKIP
    """
    if on_bad_rows not in ("raise", "report"):
        raise ValueError("on_bad_rows must be 'raise' or 'report'")
    if encoding_errors not in ("raise", "replace"):
        raise ValueError("encoding_errors must be 'raise' or 'replace'")
    selection = _Columns.parse(columns)
    files = _discover(path)
    # never a silent mix of releases; warns when a folder's name and its files disagree
    files = one_release(files, name=name, given=path)
    release_name = name or _release_name(files)
    # one read of each folder's marker (a large specimen's ground_truth.json is tens of MB)
    synthetic = all(is_specimen(folder) for folder in {f.parent for f in files})
    for f in files:
        if f.stat().st_size == 0:
            raise LoadError(f"{f}: the file is empty (0 bytes); re-download it")
    sizes = {f: f.stat().st_size for f in files}
    options: dict[str, Any] = {"on_bad_rows": on_bad_rows, "encoding_errors": encoding_errors}
    if not selection.full:  # a narrow load is its own cache entry (same answer, cached or not)
        options["columns"] = [*(selection.tweets or ()), *(selection.users or ())]
    if strict:  # an entry written by a lenient load never answers a strict one
        options["strict"] = True
    cache_root = Path(cache_dir).expanduser() if cache_dir is not None else paths.cache_dir()

    file_sizes = sorted(sizes[f] for f in files)

    # hashing runs beside the parse (hashlib and pyarrow both release the GIL); only a
    # cache lookup has to wait for it, and only when an entry for files of these sizes
    # exists (an entry is keyed by content, so other sizes cannot hit)
    if cache:
        wait_for_cache(file_sizes)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="casebook-load")
    try:
        memo = _Digests(cache_root if cache else None)
        digests = {f: memo.submit(pool, f) for f in files}
        pool.submit(_warm_up)
        if cache and _cache_may_hold(cache_root, file_sizes, options):
            key = _cache_key([digests[f].result() for f in files], options)
            hit = _read_cache(cache_root / key)
            if hit is not None:
                tweets_t, users_t, rejected_t, meta = hit
                # the entry is keyed by content: the same files may sit elsewhere now, so
                # each row (one per zip member, not per file) is labelled afresh
                prov = _provenance_frame(_relabel(
                    meta["provenance"], meta.get("sources", []),
                    {f: digests[f].result() for f in files},
                ).assign(cached=True))
                _warn_copies(release_name, prov)
                checks = _relabel_repeats(
                    meta.get("checks", {}),
                    dict(zip((r["file"] for r in meta["provenance"]), prov["file"], strict=True)),
                )
                _warn_repeats(release_name, checks, stacklevel=3)
                # where the files lie, not what they hold: not part of the cached entry
                return Release(
                    name=release_name,
                    tweets=_to_pandas(tweets_t, consume=True, categories=schema.CATEGORY_COLUMNS),
                    users=_to_pandas(users_t, consume=True), provenance=prov,
                    rejected=_to_pandas(rejected_t), checks={**checks, "synthetic": synthetic},
                )
        all_sources = _sources(files)
        copies = _same_content(all_sources, digests, strict=strict)
        sources = [s for s in all_sources if s not in copies]
        parts = [
            _read_source(
                source, on_bad_rows=on_bad_rows, encoding_errors=encoding_errors,
                selection=selection, pool=pool, count_duplicates=len(sources) == 1,
            )
            for source in sources
        ]
        copies.update(_same_tweets(parts, encoding_errors=encoding_errors, strict=strict))
        parts = [p for p in parts if p.source not in copies]
        repeats, duplicates = _drop_repeats(parts, encoding_errors=encoding_errors, strict=strict)
        shas = {f: digests[f].result() for f in files}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

    read = {part.source: part for part in parts}
    prov_rows = []
    for source in all_sources:
        part = read.get(source)
        kept, note = copies.get(source, (None, None))
        prov_rows.append({
            "file": source.label,
            "role": part.role if part is not None else _copy_role(source, kept, read),
            "size_bytes": sizes[source.path],
            "sha256": shas[source.path],
            "rows_read": part.rows_read if part is not None else 0,
            "rows_rejected": len(part.rejects) if part is not None else 0,
            "rows_repeated": part.repeated if part is not None else 0,
            "replaced_characters": part.replaced if part is not None else 0,
            "loader_version": LOADER_VERSION,
            "cached": False,
            "copy_of": kept.label if kept is not None else None,
            "note": note,
        })
    _warn_copies(release_name, _provenance_frame(pd.DataFrame(prov_rows)))
    rejected_rows = [r for part in parts for r in part.rejects]
    if not any(part.role == "tweets" for part in parts):
        raise LoadError(
            f"{', '.join(str(f) for f in files)}: no tweets file found (file names with "
            "'tweets', or a header with tweetid and tweet_time)"
        )
    tweets_t, users_t, checks = _assemble(parts, duplicates=duplicates)
    checks.update(repeats)
    # ids written as floats (2021 releases): restore what is certain, report the rest
    tweets_t, users_t, checks = restore_float_ids(tweets_t, users_t, checks=checks)
    del parts
    rejected_t = pa.Table.from_pylist(
        rejected_rows,
        schema=pa.schema([("file", pa.string()), ("line", pa.int64()),
                          ("reason", pa.string()), ("text", pa.string())]),
    )
    _warn_repeats(release_name, checks)
    if checks.get("duplicate_tweetids"):
        warnings.warn(
            f"{release_name}: {checks['duplicate_tweetids']} duplicate tweet id(s) "
            "(kept; see Release.checks['duplicate_tweetid_examples'])",
            stacklevel=2,
        )
    if cache:
        write = functools.partial(
            _write_cache, cache_root, _cache_key([shas[f] for f in files], options), tweets_t,
            users_t, rejected_t,
            {"loader_version": LOADER_VERSION, "name": release_name, "provenance": prov_rows,
             "sources": [[shas[s.path], s.member] for s in all_sources],
             "checks": checks, "file_sizes": file_sizes, "options": options},
        )
        if cache == "background":
            with _PENDING_LOCK:
                _PENDING.append((file_sizes, _CACHE_WRITER.submit(write)))
        else:
            write()
    # a table the background writer still reads must outlive the conversion
    consume = cache != "background"
    release = Release(
        name=release_name,
        tweets=_to_pandas(tweets_t, consume=consume, categories=schema.CATEGORY_COLUMNS),
        users=_to_pandas(users_t, consume=consume),
        provenance=_provenance_frame(pd.DataFrame(prov_rows)),
        rejected=_to_pandas(rejected_t),
        checks={**checks, "synthetic": synthetic},
    )
    # hand the raw columns' memory back: numpy and pandas allocate outside Arrow's pool
    release_memory()
    return release


# --------------------------------------------------------------------------- copies


def _content_size(source: _Source) -> int:
    """Decompressed size (mod 2**32), known without decompressing: copies must agree on it."""
    if source.member is not None:
        with _reading(source), zipfile.ZipFile(source.path) as zf:
            return zf.getinfo(source.member).file_size % (1 << 32)
    if source.gzipped:
        with _reading(source), open(source.path, "rb") as fh:
            fh.seek(-4, os.SEEK_END)  # gzip's trailer: the input size mod 2**32
            return int.from_bytes(fh.read(4), "little")
    return source.path.stat().st_size % (1 << 32)


def _content_sha256(source: _Source, digests: dict[Path, concurrent.futures.Future[str]]) -> str:
    if source.member is None and not source.gzipped:
        return digests[source.path].result()  # a plain file is its own content
    h = hashlib.sha256()
    for piece in source.chunks():
        h.update(piece)
    return h.hexdigest()


def _same_content(
    sources: Sequence[_Source], digests: dict[Path, concurrent.futures.Future[str]], *,
    strict: bool,
) -> dict[_Source, tuple[_Source, str]]:
    """Sources whose decompressed bytes repeat an earlier source's: {copy: (kept, note)}.

    Unzipping in place leaves ``x.zip`` and ``x.csv`` side by side. Only sources of equal
    decompressed size are hashed, so a release without copies costs a ``stat`` per file.
    """
    if len(sources) < 2:
        return {}
    by_size: dict[int, list[_Source]] = {}
    for source in sources:
        by_size.setdefault(_content_size(source), []).append(source)
    copies: dict[_Source, tuple[_Source, str]] = {}
    for group in by_size.values():
        if len(group) < 2:
            continue
        first: dict[str, _Source] = {}
        for source in group:
            digest = _content_sha256(source, digests)
            if digest not in first:
                first[digest] = source
                continue
            kept = first[digest]
            if strict:
                raise LoadError(
                    f"{source.label} holds the same data as {kept.label}: loading both would "
                    "count every row twice; remove one (strict load)"
                )
            copies[source] = (kept, f"skipped: the same content as {kept.label}")
    return copies


def _same_tweets(
    parts: Sequence[_Part], *, encoding_errors: EncodingErrors, strict: bool
) -> dict[_Source, tuple[_Source, str]]:
    """Tweets files whose every row is in one other file: {copy: (kept, note)}.

    Split parts beside the combined file differ in bytes (each part has its own header)
    but hold the same rows. A file is a copy of a file with more distinct ids (or as
    many, earlier in the order) when every tweet id in it is in that file and every one
    of its rows is a row of that file, the same in every column as written
    (:func:`_row_hashes`); a file whose rows were rejected in part is never a copy (its
    rejections must be listed). Any other file loads, overlapping or not: the rows it
    shares with another file in every column are loaded once (:func:`_drop_repeats`),
    and shared ids whose rows differ are all kept and counted as duplicates.

    Only a file whose every tweet id is in another file is compared row by row (one
    more read of it and of that file): parts of a real release share no id and cost one
    count of duplicate ids.
    """
    tweets = [p for p in parts if p.role == "tweets" and p.table.num_rows]
    if len(tweets) < 2:
        return {}
    combined = pa.chunked_array(
        [c for p in tweets for c in p.table.column("tweetid").chunks], type=pa.string()
    )
    if not _duplicate_count(combined):
        return {}
    distinct = [pc.unique(p.table.column("tweetid")).drop_null() for p in tweets]
    # in how many files each id occurs: only files whose every id occurs elsewhere can be
    # copies, so parts that share a handful of ids cost one pass, not a comparison per pair
    codes = pc.dictionary_encode(pa.chunked_array(distinct, type=pa.string())).combine_chunks()
    files_per_id = np.bincount(codes.indices.to_numpy(zero_copy_only=False))
    bounds = np.cumsum([0, *(len(d) for d in distinct)])
    indices = codes.indices.to_numpy(zero_copy_only=False)
    everywhere = [bool(len(d)) and bool((files_per_id[indices[a:b]] >= 2).all())
                  for d, a, b in zip(distinct, bounds[:-1], bounds[1:], strict=True)]
    if strict:
        for i, j in itertools.combinations(range(len(tweets)), 2):
            shared = distinct[i].filter(pc.is_in(distinct[i], value_set=distinct[j]))
            if len(shared):
                raise LoadError(
                    f"{tweets[j].source.label} and {tweets[i].source.label} share "
                    f"{len(shared):,} tweet id(s) (e.g. {shared[0].as_py()}): a copy or "
                    "overlapping parts; remove the copy (strict load)"
                )
    # every column of every file, in one order: a column a file lacks is empty in it, as
    # _drop_repeats compares them
    names = sorted({c for p in tweets for c in p.header.names})
    hashes: dict[int, pa.Array] = {}

    def rows_of(k: int) -> pa.Array:
        if k not in hashes:  # each file is read again at most once
            hashes[k] = _row_hashes(tweets[k], names, encoding_errors=encoding_errors)
        return hashes[k]

    def holds(j: int, i: int) -> bool:
        """Whether file ``j`` holds every row of file ``i``, the same in every column."""
        if not everywhere[i] or tweets[i].rejects:
            return False
        if not pc.all(pc.is_in(distinct[i], value_set=distinct[j])).as_py():
            return False
        # the same ids are not the same tweets: an edited text or count is another row,
        # which skipping the file would lose (guarded by
        # tests/hostile/test_loading.py::test_a_part_whose_ids_are_all_in_another_but_whose_rows_differ_loads)
        return bool(pc.all(pc.is_in(rows_of(i), value_set=rows_of(j))).as_py())

    # larger files first: a copy is found among the files already kept
    order = sorted(range(len(tweets)), key=lambda i: (-len(distinct[i]), i))
    kept: list[int] = []
    copies: dict[_Source, tuple[_Source, str]] = {}
    for i in order:
        home = next((j for j in kept if holds(j, i)), None)
        if home is None:
            kept.append(i)
            continue
        source, other = tweets[i].source, tweets[home].source
        # the note ends with the kept file's label: _relabel renames it on a cache hit
        copies[source] = (other, "skipped: every row in it, the same in every column, is "
                                 f"also in {other.label}")
    return copies


#: siphash keys of the two 64-bit halves of a row's 128-bit hash (:func:`_row_hashes`).
_ROW_HASH_KEYS = ("casebook-rows-a1", "casebook-rows-b2")
#: Odd multiplier that folds a column's value hash into the row's (mod 2**64).
_ROW_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
#: The hash of a missing value (an empty field, or a column the file lacks).
_NULL_HASH = np.array([0x6A09E667F3BCC908, 0xBB67AE8584CAA73B], dtype=np.uint64)


def _row_hashes(part: _Part, names: Sequence[str], *, encoding_errors: EncodingErrors) -> pa.Array:
    """A 128-bit hash of each kept row of a tweets part, every column as written.

    The source is read again as strings (whatever ``columns=`` selected, as
    :func:`_drop_repeats` compares rows), one file at a time: the memory held after is
    16 bytes a row. Each column's distinct values are hashed once (pandas' siphash,
    two keys), then folded into the row's two halves in the order of ``names``; a
    column the file lacks counts as empty. Two different rows share a hash with a
    chance of about one in 2**128 per pair (a release of 10**7 rows: under 10**-24).

    Parameters
    ----------
    part
        A tweets part; rows it rejected for their values are left out.
    names
        Every column to hash, in one order for every file compared.
    encoding_errors
        As the part was loaded.

    Returns
    -------
    pyarrow.Array
        ``fixed_size_binary(16)``, one value per row of ``part.table`` (before repeats
        are dropped), in its order.
    """
    raw, _, _ = _read_table(part.source, part.header, encoding_errors=encoding_errors)
    if part.parsed_rows is not None:
        raw = raw.take(pa.array(part.parsed_rows))
    halves = np.zeros((2, raw.num_rows), dtype=np.uint64)
    for name in names:  # loop over columns; each is vectorised
        halves *= _ROW_HASH_MULTIPLIER  # wraps mod 2**64, as meant
        if name not in raw.column_names:
            halves += _NULL_HASH[:, None]
            continue
        at = 0
        for batch in _batches(raw.column(name)):
            halves[:, at:at + len(batch)] += _value_hashes(batch)
            at += len(batch)
    del raw
    data = np.ascontiguousarray(halves.T)  # row by row: the two halves side by side
    return pa.Array.from_buffers(pa.binary(16), data.shape[0], [None, pa.py_buffer(data)])


#: Bytes of strings dictionary-encoded at once by :func:`_row_hashes`: a dictionary's
#: int32 offsets hold 2 GB, which one column of a multi-GB file (the 2018 IRA tweets
#: file is 5.3 GB) can exceed.
_HASH_BATCH_BYTES = 1 << 29


def _batches(column: pa.ChunkedArray) -> Iterator[pa.ChunkedArray]:
    """The column in runs of whole chunks of at most :data:`_HASH_BATCH_BYTES` (a chunk
    larger than that is a run of its own)."""
    run: list[pa.Array] = []
    size = 0
    for chunk in column.chunks:
        if run and size + chunk.nbytes > _HASH_BATCH_BYTES:
            yield pa.chunked_array(run, type=column.type)
            run, size = [], 0
        run.append(chunk)
        size += chunk.nbytes
    if run:
        yield pa.chunked_array(run, type=column.type)


def _value_hashes(values: pa.ChunkedArray) -> np.ndarray:
    """The two 64-bit siphash halves of each value of a string column, shape (2, n)."""
    if not values.num_chunks:
        return np.zeros((2, 0), dtype=np.uint64)
    # one dictionary for the run (pyarrow's encoder shares it between the chunks it
    # writes): each distinct value is turned into a Python string and hashed once
    encoded = pc.dictionary_encode(values)
    first = encoded.chunk(0).dictionary
    if not all(c.dictionary.equals(first) for c in encoded.chunks[1:]):
        encoded = encoded.unify_dictionaries()
        first = encoded.chunk(0).dictionary
    distinct = first.to_numpy(zero_copy_only=False)
    table = np.empty((2, len(distinct) + 1), dtype=np.uint64)
    for k, key in enumerate(_ROW_HASH_KEYS):  # two keys: a 128-bit hash
        table[k, :-1] = pd.util.hash_array(distinct, hash_key=key, categorize=False)
    table[:, -1] = _NULL_HASH  # a missing value: the slot after the distinct ones
    indices = pa.chunked_array([c.indices for c in encoded.chunks])
    slot = pc.fill_null(indices, len(distinct)).to_numpy()
    return table[:, slot]


def _provenance_frame(prov: pd.DataFrame) -> pd.DataFrame:
    """``copy_of`` and ``note`` as strings, ``<NA>`` for a file that was loaded."""
    return prov.astype({c: schema.STRING for c in ("copy_of", "note") if c in prov})


def _copy_role(source: _Source, kept: _Source | None, read: dict[_Source, _Part]) -> str:
    part = read.get(kept) if kept is not None else None
    return part.role if part is not None else "tweets"


def _warn_copies(release_name: str, provenance: pd.DataFrame) -> None:
    if "copy_of" not in provenance:
        return
    for file, note in provenance.loc[provenance["copy_of"].notna(), ["file", "note"]].itertuples(
        index=False
    ):  # one warning per skipped file
        warnings.warn(f"{release_name}: {file} {note}; its rows are loaded once", stacklevel=3)


def _relabel(
    rows: list[dict[str, Any]], refs: list[list[Any]], digests: dict[Path, str]
) -> pd.DataFrame:
    """Provenance of a cache entry with labels for the files as they are now named.

    ``refs`` holds (sha256, zip member) per row; files are matched by content, in order.
    """
    prov = pd.DataFrame(rows)
    if len(refs) != len(prov):
        return prov
    paths_by_sha: dict[str, list[Path]] = {}
    for f, digest in digests.items():
        paths_by_sha.setdefault(digest, []).append(f)
    labels: dict[str, str] = {}
    used: dict[tuple[str, str | None], int] = {}
    for old, (digest, member) in zip(prov["file"], refs, strict=True):
        candidates = paths_by_sha.get(digest, [])
        n = used.get((digest, member), 0)
        used[(digest, member)] = n + 1
        if n < len(candidates):
            labels[old] = _Source(candidates[n], member).label
    prov["file"] = [labels.get(f, f) for f in prov["file"]]
    if "copy_of" in prov:  # a note ends with the label of the file it repeats
        notes = [
            note[: -len(kept)] + labels.get(kept, kept)
            if isinstance(kept, str) and isinstance(note, str) and note.endswith(kept) else note
            for kept, note in zip(prov["copy_of"], prov["note"], strict=True)
        ]
        prov["copy_of"] = [labels.get(f, f) if isinstance(f, str) else None for f in prov["copy_of"]]
        prov["note"] = notes
    return prov


def _canonical_ints(ids: pa.ChunkedArray) -> np.ndarray | None:
    """The ids as int64 when every one is canonical decimal text (no leading zero, within
    int64): then two ids are equal exactly when their integers are. Else None."""
    if len(ids) and ids.null_count == 0 and pc.all(pc.ascii_is_decimal(ids)).as_py() and not pc.any(
        pc.and_(pc.starts_with(ids, "0"), pc.greater(pc.binary_length(ids), 1))
    ).as_py():
        try:
            return pc.cast(ids, pa.int64()).to_numpy()
        except pa.ArrowInvalid:
            pass
    return None


def _duplicate_count(ids: pa.ChunkedArray) -> int:
    """How many values repeat an earlier one (a missing id counts as a value)."""
    numbers = _canonical_ints(ids)
    if numbers is not None:
        numbers = np.sort(numbers)  # numpy's vectorised sort beats hashing here
        return int(np.count_nonzero(numbers[1:] == numbers[:-1]))
    return len(ids) - pc.count_distinct(ids, mode="all").as_py()


def _rows_of_repeated_ids(ids: pa.ChunkedArray) -> np.ndarray:
    """Which rows hold an id that occurs more than once (every occurrence, first too)."""
    numbers = _canonical_ints(ids)
    if numbers is not None:
        ordered = np.sort(numbers)
        repeated = pa.array(np.unique(ordered[1:][ordered[1:] == ordered[:-1]])).cast(pa.string())
    else:
        counts = pc.value_counts(ids)
        repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    return _np_bool(pc.is_in(ids, value_set=repeated, skip_nulls=False))


#: Repeated rows named one by one in ``Release.checks['repeated_row_examples']``.
_REPEAT_EXAMPLES = 10


def _drop_repeats(
    parts: list[_Part], *, encoding_errors: EncodingErrors, strict: bool
) -> tuple[dict[str, Any], int | None]:
    """Drop every tweets row that repeats an earlier row in every column (in place).

    Overlapping split parts, or a file with rows written twice, would count each such
    tweet twice: in the release's size, in every per-account count and as two co-tweets
    of its author. Only rows whose tweet id occurs more than once can repeat another, so
    only those are compared, and only when there are any: their records are read again,
    every column as written (whatever ``columns=`` selected, so a narrow load drops the
    rows a full load drops). Rows that share a tweet id but differ in any column (2021
    releases round distinct ids written as floats to one) are all kept, and counted as
    duplicate ids.

    Returns
    -------
    tuple
        The checks (``repeated_rows``: rows dropped; ``repeated_rows_by_file``: per file
        that lost rows, how many and the files holding the rows they repeat;
        ``repeated_row_examples``: the first ones, with file and line and the file and
        line they repeat) and the number of duplicate tweet ids among the rows kept (None
        when not counted here).
    """
    empty: dict[str, Any] = {"repeated_rows": 0, "repeated_rows_by_file": [],
                             "repeated_row_examples": []}
    tweets = [p for p in parts if p.role == "tweets"]
    if not tweets:
        return empty, None
    ids = pa.chunked_array([c for p in tweets for c in p.table.column("tweetid").chunks],
                           type=pa.string())
    known = tweets[0].duplicates if len(tweets) == 1 else None
    count = known if known is not None else _duplicate_count(ids)
    if not count:
        return empty, count
    suspect = _rows_of_repeated_ids(ids)
    bounds = np.cumsum([0, *(p.table.num_rows for p in tweets)])
    frames, where = [], []
    for k, part in enumerate(tweets):  # one read per file, not a loop over rows
        rows = np.flatnonzero(suspect[bounds[k]:bounds[k + 1]])
        if not len(rows):
            continue
        parsed, _, _ = _read_table(part.source, part.header, encoding_errors=encoding_errors)
        at = rows if part.parsed_rows is None else part.parsed_rows[rows]
        lines = (_record_lines(parsed, part.header.first_line)[at] if part.lines_known
                 else np.zeros(len(at), dtype=np.int64))
        frames.append(parsed.take(pa.array(at)).to_pandas(types_mapper=_types_mapper))
        del parsed
        where.append(pd.DataFrame({"part": k, "row": rows, "line": lines}))
    # the columns as named, an absent one empty: files of a release may order them differently
    records = pd.concat(frames, ignore_index=True).astype(object)
    records = records.where(records.notna(), None)
    place = pd.concat(where, ignore_index=True)
    group = records.groupby(list(records.columns), dropna=False, sort=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    origin = first[group]  # the earliest record of the same content
    repeat = np.flatnonzero(origin != np.arange(len(origin)))
    if not len(repeat):
        return empty, count
    label = np.array([p.source.label for p in tweets], dtype=object)
    found = pd.DataFrame({
        "file": label[place["part"].to_numpy()[repeat]],
        "line": place["line"].to_numpy()[repeat],
        "repeats_file": label[place["part"].to_numpy()[origin[repeat]]],
        "repeats_line": place["line"].to_numpy()[origin[repeat]],
    })
    if strict:
        r = found.iloc[0]
        raise LoadError(
            f"{r['file']}: line {r['line']} repeats line {r['repeats_line']} of "
            f"{r['repeats_file']} in every column ({len(found):,} repeated row(s)): loading "
            "both would count the tweet twice; remove the repeats (strict load)"
        )
    for k, part in enumerate(tweets):
        drop = place["row"].to_numpy()[repeat][place["part"].to_numpy()[repeat] == k]
        if len(drop):
            _drop_rows(part, drop)
    by_file = [
        {"file": file, "rows": len(rows), "repeats_of": sorted(set(rows["repeats_file"]))}
        for file, rows in found.groupby("file", sort=False)
    ]
    examples = [{k: (int(v) if k.endswith("line") else v) for k, v in r.items()}
                for r in found.head(_REPEAT_EXAMPLES).to_dict("records")]
    # a dropped repeat leaves its original, so each one was exactly one duplicate id
    return ({"repeated_rows": len(found), "repeated_rows_by_file": by_file,
             "repeated_row_examples": examples}, count - len(found))


def _drop_rows(part: _Part, rows: np.ndarray) -> None:
    """Remove ``rows`` of a tweets part, and take them off its accounts' tweet counts."""
    gone = part.table.column("userid").take(pa.array(rows))
    keep = np.ones(part.table.num_rows, dtype=bool)
    keep[rows] = False
    part.table = part.table.filter(pa.array(keep))
    if part.parsed_rows is not None:
        part.parsed_rows = part.parsed_rows[keep]
    part.repeated += len(rows)
    part.duplicates = None
    if part.accounts is not None:
        lost = pc.value_counts(gone)
        at = pc.index_in(part.accounts.column("userid"), value_set=lost.field("values"),
                         skip_nulls=True)
        counts = part.accounts.column("tweet_count").to_numpy().astype(np.int64)
        hit = _np_bool(pc.is_valid(at))
        counts[hit] -= lost.field("counts").to_numpy()[pc.drop_null(at).to_numpy()]
        index = part.accounts.column_names.index("tweet_count")
        part.accounts = part.accounts.set_column(index, "tweet_count", pa.array(counts, pa.int64()))


def _warn_repeats(release_name: str, checks: dict[str, Any], stacklevel: int = 3) -> None:
    for entry in checks.get("repeated_rows_by_file") or []:  # one warning per file
        warnings.warn(
            f"{release_name}: {entry['file']}: {entry['rows']:,} row(s) repeat an earlier row "
            f"of {', '.join(entry['repeats_of'])} in every column; loaded once (see "
            "Release.checks['repeated_row_examples'])",
            stacklevel=stacklevel,
        )


def _relabel_repeats(checks: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """``checks`` with the files its repeated rows name labelled as they are now named."""
    if not checks.get("repeated_rows"):
        return checks
    out = dict(checks)
    out["repeated_rows_by_file"] = [
        {**e, "file": labels.get(e["file"], e["file"]),
         "repeats_of": [labels.get(f, f) for f in e["repeats_of"]]}
        for e in checks.get("repeated_rows_by_file", [])
    ]
    out["repeated_row_examples"] = [
        {**e, "file": labels.get(e["file"], e["file"]),
         "repeats_file": labels.get(e["repeats_file"], e["repeats_file"])}
        for e in checks.get("repeated_row_examples", [])
    ]
    return out


def _assemble(
    parts: list[_Part], *, duplicates: int | None = None
) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """Combine the parts: the tweets, the users table (file, else derived) and the checks.

    ``duplicates`` is the number of duplicate tweet ids of the combined parts when it is
    already known (:func:`_drop_repeats`), else it is counted here.
    """
    checks: dict[str, Any] = {}
    tweets_t = pa.concat_tables(
        [p.table for p in parts if p.role == "tweets"], promote_options="default"
    )
    tweetid = tweets_t.column("tweetid")
    counted = [p.duplicates for p in parts if p.role == "tweets"]
    if duplicates is not None:
        checks["duplicate_tweetids"] = duplicates
    elif len(counted) == 1 and counted[0] is not None:
        checks["duplicate_tweetids"] = counted[0]
    else:  # several files: a duplicate may sit in two of them
        checks["duplicate_tweetids"] = _duplicate_count(tweetid)
    examples: list[str] = []
    if checks["duplicate_tweetids"]:
        ids = tweetid.to_pandas(types_mapper=_types_mapper)
        examples = sorted(ids[ids.duplicated(keep=False)].dropna().unique().tolist())[:10]
    checks["duplicate_tweetid_examples"] = examples

    accounts = pa.concat_tables([p.accounts for p in parts if p.accounts is not None])
    first, _ = _first_rows(accounts.column("userid"))
    per_account = accounts.select(["userid", "tweet_count"])
    if len(first) < accounts.num_rows:  # accounts in several files: add their counts up
        per_account = per_account.group_by("userid", use_threads=False).aggregate(
            [("tweet_count", "sum")]
        ).rename_columns(["userid", "tweet_count"])
    derived = accounts.drop_columns(["tweet_count"]).take(pa.array(first))
    user_tables = [p.table for p in parts if p.role == "users"]
    if user_tables:
        from_file = pa.concat_tables(user_tables)
        known = from_file.column("userid").combine_chunks()
        extra = derived.filter(pc.invert(pc.is_in(derived.column("userid"), value_set=known)))
        checks["tweet_accounts_missing_from_users"] = extra.num_rows
        users = pa.concat_tables([from_file, extra])
        first, _ = _first_rows(users.column("userid"))
        checks["duplicate_userids_in_users"] = users.num_rows - len(first)
        users = users.take(pa.array(first))
    else:
        users = derived
        checks["users_derived_from_tweets"] = True
    # a missing userid is nobody's tweet: never matched, so its count is 0
    where = pc.index_in(
        users.column("userid"), value_set=per_account.column("userid"), skip_nulls=True
    )
    counts = per_account.column("tweet_count").to_numpy().astype(np.int64)
    found = _np_bool(pc.is_valid(where))
    tweet_count = np.zeros(users.num_rows, dtype=np.int64)
    tweet_count[found] = counts[pc.drop_null(where).to_numpy(zero_copy_only=False)]
    hashed = pc.invert(pc.fill_null(pc.match_substring_regex(users.column("userid"), r"^\d+$"), False))
    users = users.append_column("hashed", hashed).append_column(
        "tweet_count", pa.array(tweet_count, pa.int64())
    )
    checks["accounts_without_tweets"] = int((tweet_count == 0).sum())
    return tweets_t, users, checks
