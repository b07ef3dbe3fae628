"""Arrow buffer helpers: read a string array's bytes as numpy views, without copies.

Vectorised byte scans (whitespace, quotes, fixed-width layouts) run on these views
instead of on Python strings; the helpers here are the one place that knows Arrow's
string layout (a validity bitmap, ``len + 1`` offsets, then the bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._threads import mapped, threads

__all__ = [
    "as_lists", "as_strings", "combined", "dictionary_codes", "first_uses", "on_slices",
    "sorted_dictionary", "string_offsets", "taken", "to_bool", "tweets_table", "utf8_bytes",
]

#: Rows below which :func:`on_slices` does not split a column (a thread pool's start
#: costs more than the split saves).
SLICE_MIN_ROWS = 200_000
#: Strings below which :func:`dictionary_codes` never hashes (a DuckDB connection's
#: start costs more than it saves).
HASHED_MIN_ROWS = 1 << 16


def string_offsets(arr: pa.Array) -> np.ndarray:
    """The ``len(arr) + 1`` offsets of a (large) string or binary array, as stored.

    Offsets index the array's data buffer (they do not start at 0 for a slice); a null
    entry spans zero bytes.
    """
    width = np.int64 if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(
        arr.type) else np.int32
    buffer = arr.buffers()[1]
    if buffer is None:  # an array of only nulls may have no offsets buffer
        return np.zeros(len(arr) + 1, width)
    return np.frombuffer(buffer, width)[arr.offset:arr.offset + len(arr) + 1]


def utf8_bytes(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets from 0, bytes)`` of a string array; the bytes are a view, not a copy.

    ``bytes[offsets[i]:offsets[i + 1]]`` is the UTF-8 encoding of ``arr[i]`` (empty for
    a null).
    """
    off = string_offsets(arr).astype(np.int64)
    data_buffer = arr.buffers()[2]
    if data_buffer is None or len(arr) == 0:
        return np.zeros(len(arr) + 1, np.int64), np.zeros(0, np.uint8)
    data = np.frombuffer(data_buffer, np.uint8)[off[0]:off[-1]]
    return off - off[0], data


def combined(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array: the chunks of a ChunkedArray combined, an Array as it is."""
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def as_strings(values: Any) -> pa.Array | pa.ChunkedArray:
    """The strings of a Series (or Arrow data) as Arrow strings, without copying
    arrow-backed columns; any other type is cast to ``large_string``."""
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    return arr


def as_lists(series: Any, rows: np.ndarray | None = None) -> pa.Array:
    """A Series of lists of strings as one Arrow list array (all-missing -> nulls).

    ``rows`` (a boolean mask) keeps those rows only; they are selected chunk by chunk
    before the chunks are joined, so only their lists are copied (joining first copied a
    release's whole ``urls`` column, 224 MB at specimen scale 8, for each kind).

    Raises
    ------
    TypeError
        When the values are not lists.
    """
    try:
        arr = pa.array(series)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array(series.tolist(), type=pa.list_(pa.string()))
    if rows is not None:
        arr = arr.filter(pa.array(rows))
    arr = combined(arr)
    if pa.types.is_null(arr.type):
        arr = pa.nulls(len(arr), pa.list_(pa.string()))
    if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        raise TypeError(f"column {getattr(series, 'name', None)!r} must hold lists of strings, "
                        f"not {arr.type}")
    return arr


def to_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow array without nulls (``pc.is_valid``, ``pc.utf8_is_space``...)
    as a numpy bool array."""
    return np.asarray(combined(arr).to_numpy(zero_copy_only=False), dtype=bool)


def dictionary_codes(values: pa.Array | pa.ChunkedArray, *,
                     many_distinct: bool = False) -> tuple[np.ndarray, pa.Array]:
    """``(int64 code per value, distinct values)``: ``distinct.take(codes)`` is ``values``
    where they are present; a null gets the code -1. Codes are numbered in order of
    first use.

    ``many_distinct`` says that most values are distinct (texts, URLs): such strings
    are coded by their 64-bit hashes (DuckDB's ``hash``, then the hashes factorised),
    and each repeated value is checked against the first value of its code. The codes
    and distinct values are the same either way: values that share a hash but differ
    are coded by Arrow (:func:`_hashed_codes`). On the specimen at scale 8, medians of
    six calls: the 4.5M normalised texts (3.3M distinct) 2.07 s instead of 2.52 s, the
    2.6M URLs (2.2M distinct) 1.02 s instead of 1.57 s. Mostly repeated values (words,
    hashtags) are faster through Arrow's hash table;
    guarded by tests/test_arrow.py::test_hashed_dictionary_codes_equal_arrows
    and tests/test_arrow.py::test_hashed_dictionary_codes_tell_strings_that_share_a_hash_apart
    """
    arr = combined(values)
    if many_distinct and len(arr) >= HASHED_MIN_ROWS and (
            pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        coded = _hashed_codes(arr)
        if coded is not None:
            return coded
    enc = combined(pc.dictionary_encode(arr))
    return (pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64),
            enc.dictionary)


def first_uses(codes: np.ndarray) -> np.ndarray:
    """Position of each code's first use, ascending (so in code order), for codes numbered
    in order of first use (``pd.factorize``, ``pc.dictionary_encode``): a position is a
    first use exactly when its code exceeds every code before it. A code -1 (missing, as
    ``pd.factorize`` gives it) is never a first use."""
    if len(codes) == 0:
        return np.zeros(0, np.int64)
    new = np.empty(len(codes), bool)
    new[0] = codes[0] >= 0
    np.greater(codes[1:], np.maximum.accumulate(codes)[:-1], out=new[1:])
    return np.flatnonzero(new)


def _hash64(arr: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string of ``arr`` (no nulls), by DuckDB."""
    import duckdb

    with duckdb.connect() as con:
        con.register("strings", pa.table({"v": arr}))
        return con.execute("SELECT hash(v) AS h FROM strings").fetchnumpy()["h"]


def _hashed_codes(arr: pa.Array) -> tuple[np.ndarray, pa.Array] | None:
    """:func:`dictionary_codes` of strings through their hashes; None when two different
    strings share a hash (the caller codes them with Arrow then)."""
    valid = None if arr.null_count == 0 else to_bool(pc.is_valid(arr))
    present = arr if valid is None else arr.filter(pa.array(valid))
    code = pd.factorize(_hash64(present))[0].astype(np.int64, copy=False)  # first-use order
    first = first_uses(code)
    again = np.ones(len(code), bool)
    again[first] = False
    again = np.flatnonzero(again)
    if len(again) and not pc.all(pc.equal(present.take(pa.array(again)),
                                          present.take(pa.array(first[code[again]])))).as_py():
        return None
    distinct = present.take(pa.array(first))
    if valid is None:
        return code, distinct
    codes = np.full(len(arr), -1, np.int64)
    codes[valid] = code
    return codes, distinct


def sorted_dictionary(values: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """``values`` dictionary-encoded, the distinct values in sorted order, int32 indices
    (a null stays a null).

    pandas orders a categorical by its categories, not by their values: with sorted
    categories (Arrow and Python both order strings by code point), sorting and grouping
    the categorical give the order the strings would.
    """
    enc = combined(pc.dictionary_encode(values))  # one dictionary for all the chunks
    order = pc.sort_indices(enc.dictionary).to_numpy()
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    null = enc.indices.is_null().to_numpy(zero_copy_only=False) if enc.null_count else None
    codes = pc.fill_null(enc.indices, 0).to_numpy(zero_copy_only=False)
    indices = pa.array(rank[codes] if len(rank) else codes.astype(np.int32), mask=null,
                       type=pa.int32())
    return pa.DictionaryArray.from_arrays(indices, enc.dictionary.take(pa.array(order)))


def taken(values: pa.Array | pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """``values`` at ``positions`` (in that order, repeats allowed) as one array.

    A chunked column is taken from chunk by chunk: Arrow's ``take`` on a ChunkedArray
    joins every chunk first, which cost 0.3 s and a copy of the whole column for any
    number of positions on the 4.5M texts of the specimen at scale 8.
    """
    positions = np.asarray(positions, dtype=np.int64)
    if isinstance(values, pa.Array):
        return values.take(pa.array(positions))
    chunks = values.chunks
    if len(chunks) < 2:
        return combined(values).take(pa.array(positions))
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    if len(positions) and (positions.min() < 0 or positions.max() >= bounds[-1]):
        raise IndexError(f"positions out of range for {bounds[-1]} values")
    order = np.argsort(positions, kind="stable")
    ordered = positions[order]
    cuts = np.searchsorted(ordered, bounds)
    parts = [chunk.take(pa.array(ordered[lo:hi] - start))
             for chunk, start, lo, hi in zip(chunks, bounds[:-1], cuts[:-1], cuts[1:], strict=True)
             if hi > lo]  # loop over the chunks
    joined = pa.concat_arrays(parts) if parts else pa.array([], values.type)
    back = np.empty(len(order), np.int64)
    back[order] = np.arange(len(order))
    return joined.take(pa.array(back))


def tweets_table(frame: Any, columns: Sequence[str]) -> pa.Table:
    """The ``columns`` of a loaded tweets frame (those it has) as Arrow, for the Spark and
    DuckDB engines: times as int64 nanoseconds, flags as booleans, lists of strings."""
    from casebook import schema

    fields: dict[str, Any] = {}
    for col in columns:
        if col not in frame.columns:
            continue
        values = frame[col]
        dtype = schema.TWEET_DTYPES.get(col)
        if col == "tweet_time":
            import pandas as pd

            times = pd.to_datetime(values, utc=True).array
            arr = pa.array(times, type=pa.timestamp("ns", tz="UTC"))
            fields[col] = pc.cast(arr, pa.int64())
        elif col == "is_retweet":
            fields[col] = pa.array(values.astype("boolean"), type=pa.bool_())
        elif dtype == schema.LIST:
            fields[col] = combined(as_lists(values)).cast(pa.list_(pa.string()))
        else:
            fields[col] = combined(as_strings(values)).cast(pa.string())
    return pa.table(fields)


def on_slices(fn: Callable[[Any], pa.Array | pa.ChunkedArray],
              values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``fn(values)`` computed on one slice per thread (:func:`casebook._threads.threads`)
    side by side and joined in order, for an elementwise kernel (one output row per input
    row).

    Arrow runs such a kernel on one thread; it releases the GIL, so slices run on every
    core: a case-insensitive lexicon pattern over the 4.5M texts of the specimen at
    scale 8 took 1.08 s on one thread, 0.57 s on two.
    """
    n = len(values)
    n_threads = threads() if n >= SLICE_MIN_ROWS else 1
    if n_threads < 2:
        return fn(values)
    step = -(-n // n_threads)
    parts = mapped(lambda lo: fn(values.slice(lo, step)), range(0, n, step), name="slice")
    chunks = [c for p in parts for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
    return pa.chunked_array(chunks, type=parts[0].type)
