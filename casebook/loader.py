"""Read Twitter information-operations archive releases exactly as published.

:func:`load_release` is the one path every release takes, real or specimen. It reads
the archive's CSV files with pyarrow (every field quoted, doubled quotes, raw newlines
inside text), converts each column to the dtypes documented in :mod:`casebook.schema`,
and caches a typed Parquet copy keyed by the input files' sha256.

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
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
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

#: Bump when the parsed output changes: it is part of every cache key.
LOADER_VERSION = "1"

_LIST_COLUMNS = ("hashtags", "urls", "user_mentions")
_COUNT_COLUMNS = (
    "follower_count", "following_count", "quote_count", "reply_count", "like_count",
    "retweet_count",
)
_DATA_SUFFIXES = (".csv", ".csv.gz", ".gz", ".zip")
_SIMPLE_LIST = r"^\[(?:'[^'\\]*'(?:, '[^'\\]*')*)?\]$"

OnBadRows = Literal["raise", "report"]
EncodingErrors = Literal["raise", "replace"]


class LoadError(ValueError):
    """An archive file cannot be read as it is; the message names the file (and line)."""


@dataclasses.dataclass
class Release:
    """A loaded release: tweets, users, and where they came from.

    Attributes
    ----------
    name
        Dataset name taken from the file names (e.g. ``GRU_202012``).
    tweets
        One row per tweet; dtypes in :data:`casebook.schema.TWEET_DTYPES`.
    users
        One row per account; dtypes in :data:`casebook.schema.USER_DTYPES`.
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
        return pa.memory_map(str(self.path), "r")

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


def _natural_key(name: str) -> list[Any]:
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name)]


def _discover(path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The data files named by ``path``: a directory's archive files, or the files given."""
    items = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not items:
        raise LoadError("no input given: pass a release directory or archive files")
    files: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            found = sorted(
                (f for f in p.iterdir() if f.is_file() and f.name.lower().endswith(_DATA_SUFFIXES)),
                key=lambda f: _natural_key(f.name),
            )
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
                        key=_natural_key,
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


def _read_table(
    source: _Source, header: list[str], *, encoding_errors: EncodingErrors
) -> tuple[pa.Table, list[str], int]:
    """Parse one CSV stream into a table of strings; returns (table, bad row texts, replaced)."""
    bad_rows: list[str] = []

    def handler(row: Any) -> str:
        bad_rows.append(row.text)
        return "skip"

    read_opts = pcsv.ReadOptions(
        column_names=header, skip_rows=1, block_size=1 << 24, encoding="utf8"
    )
    parse_opts = pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=handler)
    convert_opts = pcsv.ConvertOptions(
        column_types={c: pa.string() for c in header},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    replaced = 0
    try:
        table = pcsv.read_csv(
            source.open_arrow(), read_options=read_opts, parse_options=parse_opts,
            convert_options=convert_opts,
        )
    except pa.ArrowInvalid as exc:
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
        bad_rows.clear()
        table = pcsv.read_csv(
            pa.BufferReader(text.encode("utf-8")), read_options=read_opts,
            parse_options=parse_opts, convert_options=convert_opts,
        )
    return table, bad_rows, replaced


def _first_invalid_utf8(raw: bytes) -> int | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def _decode_replacing(raw: bytes) -> tuple[str, int]:
    count = 0

    def counting(exc: UnicodeError) -> tuple[str, int]:
        nonlocal count
        assert isinstance(exc, UnicodeDecodeError)
        count += exc.end - exc.start
        return ("\ufffd", exc.end)

    codecs.register_error("casebook_count", counting)
    return raw.decode("utf-8", errors="casebook_count"), count


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


def _parse_lists(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Python list literals -> list<string>; returns (lists, bad mask).

    The common form ``['a', 'b']`` is split vectorised; anything else (double-quoted
    items, escapes) goes through :func:`ast.literal_eval`, one value at a time.
    """
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    filled = pc.fill_null(col, "[]")
    empty = pc.equal(filled, "[]")
    simple = pc.match_substring_regex(filled, _SIMPLE_LIST)
    inner = pc.utf8_slice_codeunits(filled, 2, -2)
    split = pc.split_pattern(inner, "', '")
    empty_list = pa.scalar([], type=pa.list_(pa.string()))
    lists = pc.if_else(empty, empty_list, split)
    odd = pc.invert(pc.or_(empty, simple)).to_numpy(zero_copy_only=False)
    bad = np.zeros(len(filled), dtype=bool)
    if odd.any():
        idx = np.flatnonzero(odd)
        values = lists.to_pylist()
        raw = filled.take(pa.array(idx)).to_pylist()
        for i, text in zip(idx, raw, strict=True):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                parsed = None
            if isinstance(parsed, (list, tuple)):
                values[i] = [str(x) for x in parsed]
            elif text.strip() and not text.strip().startswith("["):
                values[i] = [text.strip()]  # a bare single value
            else:
                bad[i] = True
                values[i] = []
        lists = pa.array(values, type=pa.list_(pa.string()))
    return pa.chunked_array([lists]), bad


def _parse_time(col: pa.ChunkedArray, fmts: Sequence[str], *, tz: str | None) -> tuple[pa.Array, np.ndarray]:
    col = col.combine_chunks()
    result = None
    for fmt in fmts:
        parsed = pc.strptime(col, format=fmt, unit="s", error_is_null=True)
        result = parsed if result is None else pc.coalesce(result, parsed)
    assert result is not None
    bad = pc.and_(pc.is_null(result), pc.is_valid(col)).to_numpy(zero_copy_only=False)
    out = result.cast(pa.timestamp("ns", tz=tz)) if tz else result.cast(pa.timestamp("ns"))
    return out, bad


def _parse_int(col: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    col = col.combine_chunks()
    ok = pc.match_substring_regex(col, r"^\s*-?\d+\s*$")
    bad = pc.and_(pc.invert(pc.fill_null(ok, True)), pc.is_valid(col)).to_numpy(
        zero_copy_only=False
    )
    clean = pc.if_else(pc.fill_null(ok, False), pc.utf8_trim_whitespace(col), None)
    return clean.cast(pa.int64()), bad


def _parse_bool(col: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    low = pc.utf8_lower(col.combine_chunks())
    is_true = pc.equal(low, "true")
    is_false = pc.equal(low, "false")
    bad = pc.and_(pc.is_valid(low), pc.invert(pc.or_(is_true, is_false))).to_numpy(
        zero_copy_only=False
    )
    return pc.if_else(pc.or_(is_true, is_false), is_true, None), bad


def _parse_geo(col: pa.ChunkedArray) -> pa.Array:
    low = pc.utf8_lower(col.combine_chunks())
    return pc.not_equal(low, "absent")


def _convert(table: pa.Table) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    """Convert string columns to schema types; returns (table, [(row, column, value)] bad)."""
    problems: list[tuple[int, str, str]] = []
    cols: dict[str, pa.Array | pa.ChunkedArray] = {}

    def note(mask: np.ndarray, name: str, source_col: Any) -> None:
        for i in np.flatnonzero(mask)[:1000]:
            problems.append((int(i), name, str(source_col[int(i)].as_py())[:200]))

    names = table.column_names
    for name in names:
        col = table.column(name)
        if name == "tweet_time":
            arr, bad = _parse_time(col, ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"), tz="UTC")
            note(bad, name, col)
        elif name == "account_creation_date":
            arr, bad = _parse_time(col, ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"), tz=None)
            note(bad, name, col)
            arr = pc.floor_temporal(arr, unit="day")
        elif name in _COUNT_COLUMNS:
            arr, bad = _parse_int(col)
            note(bad, name, col)
        elif name == "is_retweet":
            arr, bad = _parse_bool(col)
            note(bad, name, col)
        elif name in ("latitude", "longitude"):
            arr = _parse_geo(col)
        elif name in _LIST_COLUMNS:
            arr, bad = _parse_lists(col)
            note(bad, name, col)
        elif name == "poll_choices":
            filled = pc.fill_null(col.combine_chunks(), "")
            split = pc.split_pattern(filled, "|")
            arr = pc.if_else(pc.equal(filled, ""), pa.scalar([], pa.list_(pa.string())), split)
        else:
            arr = col
        cols[name] = arr
    return pa.table(cols), problems


def _select(table: pa.Table, role: str) -> pa.Table:
    """Canonical columns in canonical order; missing optional ones become nulls."""
    dtypes = schema.TWEET_DTYPES if role == "tweets" else schema.USER_DTYPES
    arrow_types = {
        schema.STRING: pa.string(), schema.LIST: pa.list_(pa.string()),
        schema.TIME: pa.timestamp("ns", tz="UTC"), schema.DATE: pa.timestamp("ns"),
        schema.COUNT: pa.int64(), schema.BOOL: pa.bool_(),
    }
    wanted = list(dtypes)
    if role == "tweets":
        wanted += [c for c in schema.PROFILE_COLUMNS]
        if "poll_choices" in table.column_names:
            wanted.append("poll_choices")
    cols = {}
    n = table.num_rows
    for name in wanted:
        if name in ("hashed", "tweet_count"):
            continue
        if name in table.column_names:
            cols[name] = table.column(name)
        else:
            key = dtypes.get(name) or schema.USER_DTYPES.get(name) or schema.STRING
            typ = arrow_types[key]
            if typ == pa.list_(pa.string()):
                cols[name] = pa.array([[]] * n, type=typ)
            else:
                cols[name] = pa.nulls(n, type=typ)
    return pa.table(cols)


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


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_types_mapper, ignore_metadata=True)


# --------------------------------------------------------------------------- cache


def _cache_key(fingerprints: Sequence[str], options: dict[str, Any]) -> str:
    h = hashlib.sha256()
    h.update(f"casebook-loader-{LOADER_VERSION}".encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    for fp in sorted(fingerprints):
        h.update(fp.encode())
    return h.hexdigest()[:32]


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


def load_release(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    on_bad_rows: OnBadRows = "raise",
    encoding_errors: EncodingErrors = "raise",
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
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
    cache_dir
        Cache location; default ``$CASEBOOK_CACHE_DIR`` or ``data/cache/``.
    name
        Dataset name; default from the archive file names (e.g. ``GRU_202012``).

    Returns
    -------
    Release

    Examples
    --------
    >>> release = load_release("data/specimen/GRU_202012")  # doctest: +SKIP
    >>> release.tweets.groupby("userid").size().nlargest(3)  # doctest: +SKIP
    """
    if on_bad_rows not in ("raise", "report"):
        raise ValueError("on_bad_rows must be 'raise' or 'report'")
    if encoding_errors not in ("raise", "replace"):
        raise ValueError("encoding_errors must be 'raise' or 'replace'")
    files = _discover(path)
    release_name = name or _release_name(files)
    for f in files:
        if f.stat().st_size == 0:
            raise LoadError(f"{f}: the file is empty (0 bytes); re-download it")
    shas = {f: _sha256(f) for f in files}
    sizes = {f: f.stat().st_size for f in files}
    options = {"on_bad_rows": on_bad_rows, "encoding_errors": encoding_errors}
    cache_root = Path(cache_dir).expanduser() if cache_dir is not None else paths.cache_dir()
    key = _cache_key([shas[f] for f in files], options)

    if cache:
        hit = _read_cache(cache_root / key)
        if hit is not None:
            tweets_t, users_t, rejected_t, meta = hit
            prov = pd.DataFrame(meta["provenance"]).assign(cached=True)
            prov["file"] = [str(f) for f in files]
            return Release(
                name=release_name, tweets=_to_pandas(tweets_t), users=_to_pandas(users_t),
                provenance=prov, rejected=_to_pandas(rejected_t), checks=meta.get("checks", {}),
            )

    tweet_tables: list[pa.Table] = []
    user_tables: list[pa.Table] = []
    prov_rows: list[dict[str, Any]] = []
    rejected_rows: list[dict[str, Any]] = []
    for source in _sources(files):
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
        table, bad_texts, replaced = _read_table(source, header, encoding_errors=encoding_errors)
        source_rejects: list[dict[str, Any]] = []
        if bad_texts:
            raw = source.read_bytes()
            scanned = _scan_bad_records(raw, len(header))
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
            source_rejects += [
                {"file": source.label, "line": ln, "reason": why, "text": txt[:500]}
                for ln, why, txt in scanned
            ]
        converted, problems = _convert(table)
        if problems:
            lines = _record_lines(table) if not bad_texts else None
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
                source_rejects.append({
                    "file": source.label,
                    "line": int(lines[i]) if lines is not None else 0,
                    "reason": "unreadable value: " + ", ".join(by_row[i]),
                    "text": "",
                })
            keep = np.ones(converted.num_rows, dtype=bool)
            keep[bad_idx] = False
            converted = converted.filter(pa.array(keep))
        selected = _select(converted, role)
        (tweet_tables if role == "tweets" else user_tables).append(selected)
        rejected_rows += source_rejects
        prov_rows.append({
            "file": source.label,
            "role": role,
            "size_bytes": sizes[source.path],
            "sha256": shas[source.path],
            "rows_read": table.num_rows + len(bad_texts),
            "rows_rejected": len(source_rejects),
            "replaced_characters": replaced,
            "loader_version": LOADER_VERSION,
            "cached": False,
        })

    if not tweet_tables:
        raise LoadError(
            f"{', '.join(str(f) for f in files)}: no tweets file found (file names with "
            "'tweets', or a header with tweetid and tweet_time)"
        )
    tweets_full = pa.concat_tables(tweet_tables, promote_options="default")
    tweets_t, users_t, checks = _assemble(tweets_full, user_tables)
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
        _write_cache(
            cache_root, key, tweets_t, users_t, rejected_t,
            {"loader_version": LOADER_VERSION, "name": release_name, "provenance": prov_rows,
             "checks": checks},
        )
    return Release(
        name=release_name,
        tweets=_to_pandas(tweets_t),
        users=_to_pandas(users_t),
        provenance=pd.DataFrame(prov_rows),
        rejected=_to_pandas(rejected_t),
        checks=checks,
    )


def _assemble(
    tweets_full: pa.Table, user_tables: list[pa.Table]
) -> tuple[pa.Table, pa.Table, dict[str, Any]]:
    """Split account snapshot columns off the tweets and build the users table."""
    checks: dict[str, Any] = {}
    tweet_cols = list(schema.TWEET_DTYPES) + (
        ["poll_choices"] if "poll_choices" in tweets_full.column_names else []
    )
    tweets_t = tweets_full.select(tweet_cols)
    userid = tweets_full.column("userid").to_pandas(types_mapper=_types_mapper)
    tweetid = tweets_full.column("tweetid").to_pandas(types_mapper=_types_mapper)
    dup = tweetid.duplicated(keep=False)
    checks["duplicate_tweetids"] = int(tweetid.duplicated().sum())
    checks["duplicate_tweetid_examples"] = sorted(tweetid[dup].dropna().unique().tolist())[:10]

    user_cols = [c for c in schema.USER_DTYPES if c not in ("hashed", "tweet_count")]
    first = ~userid.duplicated(keep="first").to_numpy()
    derived = tweets_full.filter(pa.array(first)).select(user_cols)
    if user_tables:
        from_file = pa.concat_tables(user_tables).select(user_cols)
        file_ids = set(from_file.column("userid").to_pylist())
        extra_mask = pc.invert(pc.is_in(derived.column("userid"), value_set=pa.array(list(file_ids), pa.string())))
        extra = derived.filter(extra_mask)
        checks["tweet_accounts_missing_from_users"] = extra.num_rows
        users = pa.concat_tables([from_file, extra])
        uid = users.column("userid").to_pandas(types_mapper=_types_mapper)
        dup_users = uid.duplicated()
        checks["duplicate_userids_in_users"] = int(dup_users.sum())
        users = users.filter(pa.array(~dup_users.to_numpy()))
    else:
        users = derived
        checks["users_derived_from_tweets"] = True
    counts = userid.value_counts()
    uid = users.column("userid").to_pandas(types_mapper=_types_mapper)
    tweet_count = uid.map(counts).fillna(0).astype("int64").to_numpy()
    hashed = pc.invert(pc.fill_null(pc.match_substring_regex(users.column("userid"), r"^\d+$"), False))
    users = users.append_column("hashed", hashed).append_column(
        "tweet_count", pa.array(tweet_count, pa.int64())
    )
    checks["accounts_without_tweets"] = int((tweet_count == 0).sum())
    return tweets_t, users, checks
