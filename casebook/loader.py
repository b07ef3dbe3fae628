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
- split files (``_1``, ``_part1``, ``_01``, ``_a``, per-year ``_2020``) are combined;
  plain, ``.gz`` and ``.zip`` files are read as they are (never modified).

Bad input is never dropped silently: with ``on_bad_rows="raise"`` (default) the first
malformed record raises :class:`LoadError` naming the file and the physical line where
the record starts; with ``on_bad_rows="report"`` the good rows load and every rejected
row is listed in ``Release.rejected`` and counted in ``Release.provenance``.
"""

from __future__ import annotations

import ast
import codecs
import concurrent.futures
import csv
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import warnings
import zipfile
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
from casebook._arrow import string_offsets, utf8_bytes
from casebook._files import data_files, natural_key
from casebook.errors import LoadError

#: Bump when the parsed output changes: it is part of every cache key.
LOADER_VERSION = "2"

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
        ``sha256``, ``rows_read``, ``rows_rejected``, ``replaced_characters``,
        ``loader_version``, ``cached``.
    rejected
        Rejected rows: ``file``, ``line`` (physical line where the record starts),
        ``reason``, ``text`` (the raw record, at most 500 characters).
    checks
        Findings that do not reject rows, e.g. ``duplicate_tweetids`` and
        ``tweet_accounts_missing_from_users``.
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

    def read_bytes(self) -> bytes:
        if self.member is not None:
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(self.member)
        if self.path.name.endswith(".gz"):
            import gzip

            with gzip.open(self.path, "rb") as fh:
                return fh.read()
        return self.path.read_bytes()

    def open_arrow(self) -> pa.NativeFile | io.BytesIO:
        if self.member is not None:
            return pa.BufferReader(self.read_bytes())
        if self.path.name.endswith(".gz"):
            return pa.input_stream(str(self.path), compression="gzip")
        # read, not memory-mapped: mapped pages of a multi-GB file would count as resident
        return pa.OSFile(str(self.path), "r")

    def head(self, n: int = 65536) -> bytes:
        if self.member is not None:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                return fh.read(n)
        if self.path.name.endswith(".gz"):
            import gzip

            with gzip.open(self.path, "rb") as fh:
                return fh.read(n)
        with open(self.path, "rb") as fh:
            return fh.read(n)


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
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            raise LoadError(f"{p}: no such file or directory")
    return files


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
            except zipfile.BadZipFile as exc:
                raise LoadError(f"{f}: not a readable zip file ({exc})") from exc
            if not members:
                raise LoadError(f"{f}: the zip file holds no .csv file")
            out.extend(_Source(f, m) for m in members)
        else:
            out.append(_Source(f))
    return out


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _read_header(source: _Source) -> list[str]:
    head = source.head()
    if not head.strip():
        raise LoadError(f"{source.label}: the file is empty (no header, no rows)")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [_canonical_name(c) for c in first]


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
    header: list[str],
    *,
    encoding_errors: EncodingErrors,
    include: Sequence[str] | None = None,
    utf8_check: concurrent.futures.Future[bool] | None = None,
) -> tuple[pa.Table, list[str], int]:
    """Parse one CSV stream into a table of strings; returns (table, bad row texts, replaced).

    ``include`` limits the columns converted (all when ``None``); pyarrow then does not
    validate the UTF-8 of the others, so ``utf8_check`` (a background
    :func:`_utf8_ok` of the whole stream) must be given with it.
    """
    bad_rows: list[str] = []

    def handler(row: Any) -> str:
        bad_rows.append(row.text)
        return "skip"

    read_opts = pcsv.ReadOptions(column_names=header, skip_rows=1, block_size=_BLOCK, encoding="utf8")
    parse_opts = pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=handler)
    convert_opts = pcsv.ConvertOptions(
        column_types={c: pa.string() for c in header},
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
        raw = source.read_bytes()
        bad = _first_invalid_utf8(raw)
        if bad is None:
            line = _scan_unclosed(raw)
            where = f"line {line}" if line else "an unknown line"
            raise LoadError(f"{source.label}: malformed CSV at {where}: {exc}") from exc
        if encoding_errors == "raise":
            line = raw.count(b"\n", 0, bad) + 1
            raise LoadError(
                f"{source.label}: invalid UTF-8 at line {line} (byte offset {bad}). The archive "
                "files are UTF-8: re-download the file, or load with "
                "encoding_errors='replace' to replace undecodable bytes (they are counted)."
            ) from exc
        text, replaced = _decode_replacing(raw)
        del raw
        bad_rows.clear()
        table = pcsv.read_csv(
            pa.BufferReader(text.encode("utf-8")), read_options=read_opts,
            parse_options=parse_opts, convert_options=convert_opts,
        )
    return table, bad_rows, replaced


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


def _first_invalid_utf8(raw: bytes) -> int | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
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


def _records_with_lines(text: str) -> Iterator[tuple[int, list[str], str | None]]:
    """Yield (start line, fields, error) for every record, with Python's csv module."""
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, strict=True)
    last = 0
    while True:
        start = last + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, [], str(exc)
            return
        last = reader.line_num
        yield start, fields, None


def _scan_bad_records(raw: bytes, ncols: int) -> list[tuple[int, str, str]]:
    """(line, reason, text) of records whose field count is wrong: the slow, exact path."""
    text = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split("\n")
    out = []
    for start, fields, error in _records_with_lines(text):
        if start == 1:
            continue
        if error is not None:
            snippet = "\n".join(lines[start - 1 : start + 2])
            out.append((start, f"unclosed quote: the record never ends ({error})", snippet))
        elif fields and len(fields) != ncols:
            snippet = "\n".join(lines[start - 1 : start + 2])
            out.append((start, f"expected {ncols} fields, found {len(fields)}", snippet))
    return out


def _scan_unclosed(raw: bytes) -> int | None:
    text = raw.decode("utf-8", errors="replace")
    for start, _, error in _records_with_lines(text):
        if error is not None:
            return start
    return None


def _record_lines(table: pa.Table) -> np.ndarray:
    """Physical line where each record starts (valid when no row was skipped)."""
    newlines = np.zeros(table.num_rows, dtype=np.int64)
    for col in table.columns:
        if pa.types.is_string(col.type):
            counts = pc.count_substring(col, "\n").fill_null(0)
            newlines += counts.to_numpy(zero_copy_only=False).astype(np.int64)
    return 2 + np.concatenate([[0], np.cumsum(1 + newlines)[:-1]]) if len(newlines) else newlines


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


def _convert(cols: dict[str, pa.ChunkedArray]) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    """Convert string columns to schema types; returns (table, [(row, column, value)] bad).

    ``cols`` is consumed: each raw column is dropped as soon as it is converted, so the
    raw and typed copies of the whole table are never held together.
    """
    problems: list[tuple[int, str, str]] = []

    def note(mask: np.ndarray, name: str, source_col: Any) -> None:
        # every bad row is recorded (no cap: a value that cannot be read is never turned
        # into a silent null); this runs only on the error path
        idx = np.flatnonzero(mask)
        values = source_col.take(pa.array(idx)).to_pylist()
        problems.extend((int(i), name, str(v)[:200]) for i, v in zip(idx, values, strict=True))

    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in list(cols):
        col = cols.pop(name)
        bad = None
        if name == "tweet_time":
            arr, bad = _parse_time(col, ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"), tz="UTC")
        elif name == "account_creation_date":
            arr, bad = _parse_time(col, ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"), tz=None)
            arr = pc.floor_temporal(arr, unit="day")
        elif name in _COUNT_COLUMNS:
            arr, bad = _parse_int(col)
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
            note(bad, name, col)
        del col
        out[name] = arr
    return pa.table(out), problems


def _empty_column(typ: pa.DataType, n: int) -> pa.Array:
    if typ == pa.list_(pa.string()):
        return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string()))
    return pa.nulls(n, type=typ)


_ARROW_TYPES = {
    schema.STRING: pa.string(), schema.LIST: pa.list_(pa.string()),
    schema.TIME: pa.timestamp("ns", tz="UTC"), schema.DATE: pa.timestamp("ns"),
    schema.COUNT: pa.int64(), schema.BOOL: pa.bool_(),
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
    # codes are given in order of first appearance: a new value is a new running maximum
    seen = np.maximum.accumulate(codes)
    first = np.empty(len(codes), dtype=bool)
    first[0] = True
    first[1:] = codes[1:] > seen[:-1]
    return np.flatnonzero(first), np.bincount(codes)


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


def _to_pandas(table: pa.Table, *, consume: bool = False) -> pd.DataFrame:
    """Typed DataFrame; ``consume=True`` frees each Arrow column once converted.

    Only for a table nothing else will read: pyarrow invalidates it.
    """
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
_PENDING: list[concurrent.futures.Future[None]] = []
_PENDING_LOCK = threading.Lock()


def wait_for_cache() -> None:
    """Wait until every cache entry being written in the background is complete.

    Re-raises the first error of a background write that failed (an unwritable cache
    folder only warns, as in a foreground write).
    """
    with _PENDING_LOCK:
        pending = list(_PENDING)
        _PENDING.clear()
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


def _read_cache(entry: Path) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, Any]] | None:
    meta_path = entry / "meta.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("loader_version") != LOADER_VERSION or not meta.get("complete"):
            return None
        tweets = pq.read_table(entry / "tweets.parquet")
        users = pq.read_table(entry / "users.parquet")
        rejected = pq.read_table(entry / "rejected.parquet")
    except (OSError, ValueError, pa.ArrowException):
        return None
    return tweets, users, rejected, meta


def _write_cache(
    cache_root: Path, key: str, tweets: pa.Table, users: pa.Table, rejected: pa.Table,
    meta: dict[str, Any],
) -> None:
    """Write a cache entry atomically: a temporary directory, renamed when complete."""
    cache_root.mkdir(parents=True, exist_ok=True)
    final = cache_root / key
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=cache_root))
    try:
        pq.write_table(tweets, tmp / "tweets.parquet", compression="zstd")
        pq.write_table(users, tmp / "users.parquet", compression="zstd")
        pq.write_table(rejected, tmp / "rejected.parquet")
        (tmp / "meta.json").write_text(
            json.dumps({**meta, "complete": True}, indent=1, default=str), encoding="utf-8"
        )
        if final.exists():  # another process finished first, or a stale entry
            shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        warnings.warn(f"could not write the cache at {final}: {exc}", stacklevel=3)
    except BaseException:
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
            if len(base) % 2 == 1 and base[:half] == base[half + 1 :]:
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


def _read_source(
    source: _Source,
    *,
    on_bad_rows: OnBadRows,
    encoding_errors: EncodingErrors,
    selection: _Columns,
    pool: concurrent.futures.Executor,
    count_duplicates: bool = False,
) -> _Part:
    header = _read_header(source)
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
        source, header, encoding_errors=encoding_errors, include=include, utf8_check=utf8_check
    )
    rows_read = table.num_rows + len(bad_texts)
    rejects: list[dict[str, Any]] = []
    if bad_texts:
        raw = source.read_bytes()
        scanned = _scan_bad_records(raw, len(header))
        del raw
        if not scanned:  # the two parsers disagree: still never drop silently
            scanned = [(0, "malformed record (line unknown)", t[:500]) for t in bad_texts]
        if on_bad_rows == "raise":
            line, reason, text = scanned[0]
            more = f" ({len(scanned) - 1} more malformed record(s))" if len(scanned) > 1 else ""
            raise LoadError(
                f"{source.label}: line {line}: {reason}{more}. Load with "
                "on_bad_rows='report' (casebook validate does) to keep the good rows and "
                f"list the rejected ones. Record starts: {text[:120]!r}"
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
    if problems:
        lines = None
        if not bad_texts:  # error path: read again, every column, to count line breaks
            full, _, _ = _read_table(source, header, encoding_errors=encoding_errors)
            lines = _record_lines(full)
            del full
        bad_idx = sorted({i for i, _, _ in problems})
        if on_bad_rows == "raise":
            i, column, value = problems[0]
            where = f"line {int(lines[i])}" if lines is not None else f"record {i + 1}"
            raise LoadError(
                f"{source.label}: {where}: column {column} has a value that cannot be "
                f"read: {value!r} ({len(bad_idx)} record(s) affected). Load with "
                "on_bad_rows='report' to keep the good rows."
            )
        by_row: dict[int, list[str]] = {}
        for i, column, value in problems:
            by_row.setdefault(i, []).append(f"{column}={value!r}")
        for i in bad_idx:
            rejects.append({
                "file": source.label,
                "line": int(lines[i]) if lines is not None else 0,
                "reason": "unreadable value: " + ", ".join(by_row[i]),
                "text": "",
            })
        keep = np.ones(converted.num_rows, dtype=bool)
        keep[bad_idx] = False
        converted = converted.filter(pa.array(keep))
        duplicates = None  # rows were dropped: count again on the kept ones
    user_names = selection.user_names()
    if role == "users":
        return _Part(source, role, _select(converted, user_names), None, rejects, rows_read, replaced)
    # account snapshot columns repeat on every row: keep one row per account, now
    first, counts = _first_rows(converted.column("userid"))
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
) -> Release:
    """Load an archive release (tweets and optional users files) into typed DataFrames.

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
        on a background thread (for a command that loads once and then computes); the
        interpreter waits for it at exit, the next load waits for it before looking
        the cache up, and :func:`wait_for_cache` waits for it explicitly.
    cache_dir
        Cache location; default ``$CASEBOOK_CACHE_DIR`` or ``data/cache/``.
    name
        Dataset name; default from the archive file names (e.g. ``GRU_202012``).
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
    release_name = name or _release_name(files)
    for f in files:
        if f.stat().st_size == 0:
            raise LoadError(f"{f}: the file is empty (0 bytes); re-download it")
    sizes = {f: f.stat().st_size for f in files}
    options: dict[str, Any] = {"on_bad_rows": on_bad_rows, "encoding_errors": encoding_errors}
    if not selection.full:  # a narrow load is its own cache entry (same answer, cached or not)
        options["columns"] = [*(selection.tweets or ()), *(selection.users or ())]
    cache_root = Path(cache_dir).expanduser() if cache_dir is not None else paths.cache_dir()

    file_sizes = sorted(sizes[f] for f in files)

    # hashing runs beside the parse (hashlib and pyarrow both release the GIL); only a
    # cache lookup has to wait for it, and only when an entry for files of these sizes
    # exists (an entry is keyed by content, so other sizes cannot hit)
    if cache:
        wait_for_cache()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="casebook-load")
    try:
        digests = {f: pool.submit(_sha256, f) for f in files}
        pool.submit(_warm_up)
        if cache and _cache_may_hold(cache_root, file_sizes, options):
            key = _cache_key([digests[f].result() for f in files], options)
            hit = _read_cache(cache_root / key)
            if hit is not None:
                tweets_t, users_t, rejected_t, meta = hit
                prov = pd.DataFrame(meta["provenance"]).assign(cached=True)
                prov["file"] = [str(f) for f in files]
                return Release(
                    name=release_name, tweets=_to_pandas(tweets_t, consume=True),
                    users=_to_pandas(users_t, consume=True), provenance=prov,
                    rejected=_to_pandas(rejected_t), checks=meta.get("checks", {}),
                )
        sources = _sources(files)
        parts = [
            _read_source(
                source, on_bad_rows=on_bad_rows, encoding_errors=encoding_errors,
                selection=selection, pool=pool, count_duplicates=len(sources) == 1,
            )
            for source in sources
        ]
        shas = {f: digests[f].result() for f in files}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)

    prov_rows = [
        {
            "file": part.source.label,
            "role": part.role,
            "size_bytes": sizes[part.source.path],
            "sha256": shas[part.source.path],
            "rows_read": part.rows_read,
            "rows_rejected": len(part.rejects),
            "replaced_characters": part.replaced,
            "loader_version": LOADER_VERSION,
            "cached": False,
        }
        for part in parts
    ]
    rejected_rows = [r for part in parts for r in part.rejects]
    if not any(part.role == "tweets" for part in parts):
        raise LoadError(
            f"{', '.join(str(f) for f in files)}: no tweets file found (file names with "
            "'tweets', or a header with tweetid and tweet_time)"
        )
    tweets_t, users_t, checks = _assemble(parts)
    del parts
    rejected_t = pa.Table.from_pylist(
        rejected_rows,
        schema=pa.schema([("file", pa.string()), ("line", pa.int64()),
                          ("reason", pa.string()), ("text", pa.string())]),
    )
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
             "checks": checks, "file_sizes": file_sizes, "options": options},
        )
        if cache == "background":
            with _PENDING_LOCK:
                _PENDING.append(_CACHE_WRITER.submit(write))
        else:
            write()
    # a table the background writer still reads must outlive the conversion
    consume = cache != "background"
    release = Release(
        name=release_name,
        tweets=_to_pandas(tweets_t, consume=consume),
        users=_to_pandas(users_t, consume=consume),
        provenance=pd.DataFrame(prov_rows),
        rejected=_to_pandas(rejected_t),
        checks=checks,
    )
    # hand the raw columns' memory back: numpy and pandas allocate outside Arrow's pool
    pa.default_memory_pool().release_unused()
    return release


def _duplicate_count(ids: pa.ChunkedArray) -> int:
    """How many values repeat an earlier one (a missing id counts as a value)."""
    n = len(ids)
    if n and ids.null_count == 0 and pc.all(pc.ascii_is_decimal(ids)).as_py() and not pc.any(
        pc.and_(pc.starts_with(ids, "0"), pc.greater(pc.binary_length(ids), 1))
    ).as_py():
        try:  # canonical decimal ids (no leading zero): as integers, equal iff equal strings
            numbers = pc.cast(ids, pa.int64()).to_numpy()
        except pa.ArrowInvalid:
            pass
        else:
            numbers = np.sort(numbers)  # numpy's vectorised sort beats hashing here
            return int(np.count_nonzero(numbers[1:] == numbers[:-1]))
    return n - pc.count_distinct(ids, mode="all").as_py()


def _assemble(parts: list[_Part]) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """Combine the parts: the tweets, the users table (file, else derived) and the checks."""
    checks: dict[str, Any] = {}
    tweets_t = pa.concat_tables(
        [p.table for p in parts if p.role == "tweets"], promote_options="default"
    )
    tweetid = tweets_t.column("tweetid")
    counted = [p.duplicates for p in parts if p.role == "tweets"]
    if len(counted) == 1 and counted[0] is not None:
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
