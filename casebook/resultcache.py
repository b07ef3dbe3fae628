"""Results of a costly section kept on disk, keyed by everything they depend on.

A case's coordination section at specimen scale 8 (4.5M tweets) takes two to three
minutes and most of the case's memory; re-running the case on the same data (another
narrative, another section's parameter, a report re-rendered) should not pay it again.
:func:`lookup` and :func:`keep` keep such a result as Parquet tables and JSON under the
cache folder (:func:`casebook.paths.cache_dir`), in ``results/``.

The key is a SHA-256 of

* the content of every input table: its columns' names and types and their values,
  however they lie in memory (:func:`frames_digest`): a release read from its CSV files
  and from the Parquet cache is one key, a table filtered or edited in the kernel another;
* the parameters, as JSON;
* the casebook package's source (every ``.py`` file) and the current values of the
  upper-case module constants of the modules named by the caller, so that a new version
  or a constant changed at run time misses;
* the versions of the libraries the computation runs on.

An entry is a folder ``results/<name>-<key>/``: one Parquet file per table and
``meta.json`` with each file's size and SHA-256 and the JSON values. It is written in a
temporary folder and renamed when complete; a file whose size or hash differs from
``meta.json``, or any entry that does not parse, is a miss (the result is computed and
the entry written again). Nothing is ever read from the cache but Parquet and JSON.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._threads import mapped
from casebook.loader import _WRITER_FILE, _clean_stale_temps, _sha256
from casebook.paths import cache_dir

__all__ = ["frames_digest", "keep", "lookup", "result_key"]

#: Bump when the layout of an entry changes.
FORMAT = "1"
#: Libraries whose versions enter every key.
LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy", "networkx", "datasketch", "tldextract")
_PACKAGE = Path(__file__).resolve().parent


class Uncacheable(Exception):
    """A table holds a column whose content cannot be digested (objects, nested types)."""


def _values(arr: pa.Array, null: np.ndarray | None) -> np.ndarray:
    """The fixed-width values of ``arr`` (offset applied), zero under its nulls ``null``."""
    width = arr.type.bit_width // 8
    raw = np.frombuffer(arr.buffers()[1], dtype=f"u{width}")[arr.offset: arr.offset + len(arr)]
    if null is not None:
        raw = raw.copy()
        raw[null] = 0
    return raw


class _Streams(dict):
    """One SHA-256 per part of a column (its nulls, lengths, bytes; a list's items'),
    fed chunk after chunk: each part's stream is then that of the whole column."""

    def __missing__(self, part: str) -> Any:
        self[part] = hashlib.sha256()
        return self[part]

    def digest(self) -> bytes:
        h = hashlib.sha256()
        for part in sorted(self):  # loop over a column's parts (a few)
            h.update(f"{part}:{self[part].hexdigest()}|".encode())
        return h.digest()


def _feed(hs: _Streams, arr: pa.Array, *, nulls: bool, part: str = "") -> None:
    """Hash the values of ``arr`` into the streams of ``part``, whatever its chunks,
    offsets, padding, bytes under its nulls or 32/64-bit offsets: feeding the chunks of
    a column one after the other hashes the column (a release read from its CSV files and
    from the Parquet cache gives one digest)."""
    t = arr.type
    null = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else None
    if nulls:  # where the nulls are (each column decides once for all its chunks)
        hs[part + "nulls"].update((np.zeros(len(arr), bool) if null is None else null).view(np.uint8))
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) \
            or pa.types.is_large_binary(t):
        offs = np.frombuffer(arr.buffers()[1], dtype=np.int64 if pa.types.is_large_string(t)
                             or pa.types.is_large_binary(t) else np.int32
                             )[arr.offset: arr.offset + len(arr) + 1]
        lengths = np.diff(offs).astype(np.int64)
        if null is not None and lengths[null].any():
            _feed(hs, arr.fill_null(""), nulls=False, part=part)  # bytes under a null: rare
            return
        hs[part + "lengths"].update(lengths)
        if len(offs) and arr.buffers()[2] is not None:
            hs[part + "bytes"].update(memoryview(arr.buffers()[2])[int(offs[0]):int(offs[-1])])
    elif pa.types.is_list(t) or pa.types.is_large_list(t):
        hs[part + "lengths"].update(
            pc.fill_null(pc.list_value_length(arr), 0).to_numpy().astype(np.int64))
        _feed(hs, arr.flatten(), nulls=True, part=part + "item.")
    elif pa.types.is_null(t):  # no values: its nulls say it all
        pass
    elif pa.types.is_dictionary(t):
        # a categorical: its categories, then each row's code (equal values under other
        # categories give another key, computed again; never the key of other values)
        _feed(hs, arr.dictionary, nulls=True, part=part + "dictionary.")
        _feed(hs, arr.indices, nulls=False, part=part + "indices.")
    elif pa.types.is_boolean(t):
        hs[part + "values"].update(arr.fill_null(False).to_numpy(zero_copy_only=False).view(np.uint8))
    elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t):
        hs[part + "values"].update(_values(arr, null))
    else:
        raise Uncacheable(str(t))


def _canonical_type(t: pa.DataType) -> str:
    """The type, with 32- and 64-bit offsets alike (the CSV reader and Parquet differ)."""
    if pa.types.is_large_string(t):
        return "string"
    if pa.types.is_large_binary(t):
        return "binary"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{_canonical_type(t.value_type)}>"
    return str(t)


def _column_digest(name: str, column: pa.ChunkedArray) -> bytes:
    hs = _Streams()
    hs["column"].update(f"{name}|{_canonical_type(column.type)}|{len(column)}|".encode())
    nulls = column.null_count > 0
    for chunk in column.chunks:  # loop over chunks (a few), each hashed whole
        _feed(hs, chunk, nulls=nulls)
    return hs.digest()


def frames_digest(frames: Sequence[pd.DataFrame | None]) -> str:
    """SHA-256 of the content of ``frames`` (None counts as an absent table).

    Each table's column names and pandas types, its index type and its length, then each
    column's values (the index's included), converted to Arrow without copying where they
    are Arrow-backed already; the columns are hashed on threads. The digest depends
    on the values only, not on how they lie in memory (:func:`_feed`). Raises
    :class:`Uncacheable` for a column of Python objects that Arrow cannot type, or of a
    type other than numbers, times, booleans, strings, categoricals and lists of them.
    """
    columns: list[tuple[str, pa.ChunkedArray]] = []
    head = hashlib.sha256()
    for i, df in enumerate(frames):  # loop over tables (a few)
        if df is None:
            head.update(f"table {i}: none|".encode())
            continue
        try:
            table = pa.Table.from_pandas(df, preserve_index=True)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise Uncacheable(str(exc)) from exc
        head.update(json.dumps([i, [str(c) for c in df.columns], [str(d) for d in df.dtypes],
                                type(df.index).__name__, str(df.index.dtype), len(df)]).encode())
        columns.extend((f"{i}.{name}", col) for name, col in
                       zip(table.column_names, table.columns, strict=True))
    # hashlib releases the GIL on large buffers: the columns hash in parallel
    for d in mapped(lambda nc: _column_digest(*nc), columns, name="digest"):
        head.update(d)
    return head.hexdigest()


def _source_digest() -> str:
    """SHA-256 of every ``.py`` file of the casebook package (paths and bytes)."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):  # loop over the package's files
        h.update(str(path.relative_to(_PACKAGE)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _constants(modules: Iterable[str]) -> dict[str, str]:
    """``module.NAME -> repr(value)`` of the upper-case constants of ``modules`` (imported
    when they are not yet: the same names give the same key in any kernel)."""
    out = {}
    for mod_name in sorted(set(modules)):  # loop over the named modules
        mod = importlib.import_module(mod_name)
        for name, value in vars(mod).items():
            if name.isupper() and isinstance(value, (int, float, str, tuple, frozenset)):
                out[f"{mod_name}.{name}"] = repr(value)
    return out


def _versions() -> dict[str, str]:
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "absent"
    return out


def result_key(name: str, frames: Sequence[pd.DataFrame | None], params: Mapping[str, Any],
               *, modules: Iterable[str] = ()) -> str:
    """The key of ``name``'s result on ``frames`` with ``params``: see the module's text.

    Raises :class:`Uncacheable` when a table cannot be digested.
    """
    h = hashlib.sha256(f"casebook-result-{FORMAT}|{name}|".encode())
    h.update(json.dumps(params, sort_keys=True, default=repr).encode())
    h.update(json.dumps(_constants(modules), sort_keys=True).encode())
    h.update(json.dumps(_versions(), sort_keys=True).encode())
    h.update(_source_digest().encode())
    h.update(frames_digest(frames).encode())
    return h.hexdigest()[:40]


def _entry(name: str, key: str, root: Path | None) -> Path:
    return (cache_dir() if root is None else root) / "results" / f"{name}-{key}"


def _list_columns(df: pd.DataFrame) -> list[str]:
    """Object columns whose values are all lists (Parquet gives them back as arrays)."""
    return [c for c in df.columns if df[c].dtype == object and len(df)
            and df[c].map(lambda v: isinstance(v, list)).all()]


def keep(name: str, key: str, tables: Mapping[str, pd.DataFrame | None],
         values: Mapping[str, Any], *, root: Path | None = None) -> None:
    """Write the entry of ``(name, key)``: ``tables`` as Parquet (None: absent) and
    ``values`` as JSON. A cache that cannot be written only warns."""
    final = _entry(name, key, root)
    tmp: Path | None = None
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale_temps(final.parent)  # what a killed writer left
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
        (tmp / _WRITER_FILE).write_text(
            json.dumps({"host": platform.node(), "pid": os.getpid()}), encoding="utf-8")
        files, lists = {}, {}
        for table, df in tables.items():  # loop over the result's tables
            if df is None:
                continue
            df.to_parquet(tmp / f"{table}.parquet", compression="zstd")
            files[table] = {"size": (tmp / f"{table}.parquet").stat().st_size,
                            "sha256": _sha256(tmp / f"{table}.parquet")}
            lists[table] = _list_columns(df)
        meta = {"format": FORMAT, "name": name, "key": key, "files": files,
                "list_columns": lists, "values": values}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        (tmp / _WRITER_FILE).unlink()
        if final.exists():  # a damaged entry (a good one is read, not rewritten)
            shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        warnings.warn(f"could not keep the {name} result at {final}: {exc}; it is computed "
                      "again next time (set CASEBOOK_CACHE_DIR to a writable folder)",
                      stacklevel=3)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise


def lookup(name: str, key: str, *, root: Path | None = None
           ) -> tuple[dict[str, pd.DataFrame | None], dict[str, Any]] | None:
    """(tables, values) of the entry of ``(name, key)``, or None: absent, damaged, or
    not the one written (a file's size or SHA-256 differs from ``meta.json``)."""
    entry = _entry(name, key, root)
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("key") != key:
            return None
        tables: dict[str, pd.DataFrame | None] = {}
        for table, recorded in meta["files"].items():  # loop over the result's tables
            if not (isinstance(table, str) and table.isidentifier()):
                return None  # a name that is not one keep() writes ("../x", "")
            path = entry / f"{table}.parquet"
            if path.stat().st_size != recorded["size"] or _sha256(path) != recorded["sha256"]:
                return None
            df = pd.read_parquet(path)
            for c in meta["list_columns"].get(table, []):  # loop over list columns
                df[c] = pd.Series([v.tolist() if isinstance(v, np.ndarray) else v
                                   for v in df[c]], index=df.index, dtype=object)
            tables[table] = df
        return tables, meta["values"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None
