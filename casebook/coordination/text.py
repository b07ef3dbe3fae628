"""Tweet texts as UTF-8 bytes: CNT's normalisation, blank tests, fingerprints.

Everything here works on Arrow string arrays and scans their bytes with numpy
(:mod:`casebook._arrow` gives the views), so no Python loop runs over texts. Only
:func:`normalise_text` is public; the other functions serve the coordination modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook import schema
from casebook._arrow import as_strings, combined, dictionary_codes, to_bool, utf8_bytes
from casebook._threads import mapped

__all__ = ["normalise_text"]

# The Unicode White_Space set of the `regex` module's \s that CNT uses to end a mention
# (unlike Python's str.split() it lacks \x1c-\x1f).
MENTION = r"@[^\t\n\v\f\r\x{85}\p{Z}]*"
#: Frame rows per batch of text work: small batches reuse the same memory (fresh memory
#: is what costs most) and keep every thread busy.
TEXT_BATCH = 1 << 17
#: Bytes a fingerprint reads from each end of a text: one unaligned uint64 load each.
FINGERPRINT_BYTES = 8
#: 64-bit multiplier (2**64 / golden ratio, odd) that spreads one value over all bits.
HASH_MUL = np.uint64(0x9E3779B97F4A7C15)
# a second odd 64-bit multiplier (xxHash's PRIME64_2) so head and tail mix differently
_TAIL_MUL = np.uint64(0xC2B2AE3D27D4EB4F)
_ALL_BITS = np.uint64(0xFFFFFFFFFFFFFFFF)
_SPACE, _AT = 0x20, 0x40


def normalise_text(texts: pd.Series) -> pd.Series:
    """Normalise tweet texts the way CNT's co-tweet network compares them.

    Lowercase, remove every ``@`` up to the next whitespace (``@\\S*``: mentions and
    stray ``@``), collapse whitespace runs (Python's ``str.split`` set) to one space and
    strip. This is CNT 1.5.2's ``message_preprocessor``, computed with pyarrow; the only
    known difference is lowercasing: pyarrow maps each character on its own, so a Greek
    final capital sigma becomes ``σ`` (Python: ``ς``) and ``İ`` becomes ``i`` (Python:
    ``i̇``).

    Parameters
    ----------
    texts
        A Series of tweet texts (missing values stay missing).

    Returns
    -------
    pandas.Series
        ``string[pyarrow]``, same index; an empty result is ``""`` (which never matches).

    Examples
    --------
    >>> normalise_text(pd.Series(["RT @a1:  Hello\\n WORLD @b2"])).tolist()
    ['rt hello world']
    """
    out = normalise_arrow(combined(as_strings(texts)))
    return pd.Series(pd.array(out, dtype=schema.STRING), index=texts.index, name=texts.name)


def normalise_arrow(arr: pa.Array) -> pa.Array:
    """:func:`normalise_text` of an Arrow string array."""
    # Arrow's utf8 whitespace (split and trim) is exactly Python's str.split() set, so
    # split + join == " ".join(s.split()).
    data = utf8_bytes(arr)[1]
    # all-ASCII bytes lowercase faster with ascii_lower;
    # guarded by tests/coordination/test_text.py::test_normalise_text_equals_cnt_on_any_whitespace
    out = pc.ascii_lower(arr) if len(data) == 0 or data.max() < 0x80 else pc.utf8_lower(arr)
    # only texts with an "@" or whitespace other than single inner spaces need the regex;
    # guarded by tests/coordination/test_text.py::test_normalise_text_equals_cnt_on_any_whitespace
    fix = _rows_with(out, _at_or_odd_whitespace) | _edge_spaces(out)
    if fix.any():
        mask = pa.array(fix)
        sub = pc.replace_substring_regex(out.filter(mask), pattern=MENTION, replacement="")
        parts = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(sub))
        fixed = pc.binary_join(parts, pa.scalar(" ", parts.type.value_type))
        out = pc.replace_with_mask(out, mask, fixed)
    return out


def _rows_with(arr: pa.Array, find: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Which strings hold a byte position that ``find(bytes)`` returns."""
    off, data = utf8_bytes(arr)
    rows = np.zeros(len(arr), bool)
    hits = find(data)
    if len(hits):
        rows[np.searchsorted(off, hits, "right") - 1] = True
    return rows


def _at_or_odd_whitespace(b: np.ndarray) -> np.ndarray:
    return np.concatenate([np.flatnonzero(b == _AT), _odd_whitespace(b)])


def _odd_whitespace(b: np.ndarray) -> np.ndarray:
    """Positions of whitespace other than a single space: ASCII controls, two spaces,
    and the UTF-8 of U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F and
    U+3000 (with the space, Python's str.split() set)."""
    found = [np.zeros(0, np.int64)]
    if len(b) == 0:
        return found[0]
    if b.min() < _SPACE:
        found.append(np.flatnonzero(b < _SPACE))
    space = b == _SPACE
    double = space[:-1] & space[1:]
    if double.any():
        found.append(np.flatnonzero(double))
    if b.max() >= 0xC2:
        lead = np.flatnonzero(b >= 0xC2)
        b0 = b[lead]
        lead = lead[(b0 == 0xC2) | ((b0 >= 0xE1) & (b0 <= 0xE3))]
        b0 = b[lead]
        b1 = b[np.minimum(lead + 1, len(b) - 1)]
        b2 = b[np.minimum(lead + 2, len(b) - 1)]
        ws = (
            ((b0 == 0xC2) & ((b1 == 0x85) | (b1 == 0xA0)))
            | ((b0 == 0xE1) & (b1 == 0x9A) & (b2 == 0x80))
            | ((b0 == 0xE2) & (b1 == 0x80) & ((b2 <= 0x8A) | (b2 == 0xA8) | (b2 == 0xA9) | (b2 == 0xAF)))
            | ((b0 == 0xE2) & (b1 == 0x81) & (b2 == 0x9F))
            | ((b0 == 0xE3) & (b1 == 0x80) & (b2 == 0x80))
        )
        found.append(lead[ws])
    return np.concatenate(found)


def _end_bytes(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(non-empty, first byte, last byte) of each string; the bytes are 0 where empty."""
    off, data = utf8_bytes(arr)
    filled = off[1:] > off[:-1]
    first = np.zeros(len(arr), np.uint8)
    last = np.zeros(len(arr), np.uint8)
    first[filled] = data[off[:-1][filled]]
    last[filled] = data[off[1:][filled] - 1]
    return filled, first, last


def _maybe_space(b: np.ndarray) -> np.ndarray:
    """Bytes that may belong to whitespace: ASCII space and controls, any non-ASCII."""
    return (b <= _SPACE) | (b >= 0x7F)


def _edge_spaces(arr: pa.Array) -> np.ndarray:
    """Strings that start or end with a space."""
    filled, first, last = _end_bytes(arr)
    return filled & ((first == _SPACE) | (last == _SPACE))


def present(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where a string is present and not blank (whitespace only)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = [np.zeros(0, bool)]
    for chunk in chunks:  # loop over the column's chunks (one per parsed CSV block)
        ok, first, _ = _end_bytes(chunk)
        if chunk.null_count:
            ok &= to_bool(pc.is_valid(chunk))
        # a string whose first byte cannot be whitespace is not blank: only the others
        # go to pyarrow; guarded by tests/coordination/test_text.py::test_present_and_trimmed_follow_python_strip
        check = ok & _maybe_space(first)
        if check.any():
            idx = np.flatnonzero(check)
            ok[idx[to_bool(pc.utf8_is_space(chunk.take(pa.array(idx))))]] = False
        parts.append(ok)
    return np.concatenate(parts)


def filled(norm: pa.Array) -> np.ndarray:
    """Present and non-empty; for normalised texts (never blank unless empty) this is
    :func:`present`."""
    off = utf8_bytes(norm)[0]
    ok = off[1:] > off[:-1]
    if norm.null_count:
        ok &= to_bool(pc.is_valid(norm))
    return ok


def trimmed(arr: pa.Array) -> pa.Array:
    """Strings with surrounding whitespace removed."""
    # only strings whose first or last byte may be whitespace are trimmed;
    # guarded by tests/coordination/test_text.py::test_present_and_trimmed_follow_python_strip
    has_text, first, last = _end_bytes(arr)
    edge = has_text & (_maybe_space(first) | _maybe_space(last))
    if not edge.any():
        return arr
    mask = pa.array(edge)
    return pc.replace_with_mask(arr, mask, pc.utf8_trim_whitespace(arr.filter(mask)))


def fingerprints(arr: pa.Array) -> np.ndarray:
    """A 64-bit fingerprint per string from its length, first and last 8 bytes.

    Equal strings have equal fingerprints; a fingerprint seen once therefore marks a
    string seen once (see :func:`repeated`).
    """
    width = FINGERPRINT_BYTES
    off, data = utf8_bytes(arr)
    if len(data) < width:
        data = np.concatenate([data, np.zeros(width - len(data), np.uint8)])
    # every byte offset viewed as the start of an unaligned little-endian uint64: no copy;
    # guarded by tests/coordination/test_text.py::test_fingerprints_equal_for_equal_texts
    u64 = np.ndarray(shape=(len(data) - width + 1,), dtype="<u8", buffer=data, strides=(1,))
    start, length = off[:-1], np.diff(off)
    # a string under 8 bytes: read the 8 bytes ending at the data's end if need be,
    # shift it into place and keep only its own bytes
    at = np.minimum(start, len(data) - width)
    short = np.minimum(length, width).astype(np.uint64)
    head = u64[at] >> (np.uint64(8) * (start - at).astype(np.uint64))
    keep = np.where(short == width, _ALL_BITS, (np.uint64(1) << (np.uint64(8) * short)) - np.uint64(1))
    head &= keep
    tail = np.where(length >= width, u64[np.maximum(start + length - width, 0)], head)
    fp = head * HASH_MUL
    fp ^= tail * _TAIL_MUL + length.astype(np.uint64)
    return fp


def repeated(values: np.ndarray) -> np.ndarray:
    """True where a value occurs more than once."""
    out = np.zeros(len(values), bool)
    if len(values) > 1:
        order = np.argsort(values)
        same = values[order[1:]] == values[order[:-1]]
        out[order[1:][same]] = True
        out[order[:-1][same]] = True
    return out


def text_batches(df: pd.DataFrame, mask: np.ndarray, fn: Callable[[pa.Array], Any]) -> list[Any]:
    """``fn`` of the ``tweet_text`` values where ``mask`` is true, batch by batch.

    Batches are consecutive row ranges (a range's values are a filter of its chunks:
    no copy of the column); results come in row order.
    """
    texts = as_strings(df["tweet_text"])

    def one(lo: int) -> Any:
        sel = mask[lo:lo + TEXT_BATCH]
        return fn(combined(texts.slice(lo, len(sel)).filter(pa.array(sel))))

    # batches on threads (pyarrow and numpy release the GIL);
    # guarded by tests/coordination/test_text.py::test_batched_texts_equal_one_batch
    return mapped(one, range(0, len(mask), TEXT_BATCH), name="text")


def normalised_texts(df: pd.DataFrame, mask: np.ndarray) -> pa.Array:
    """Normalised ``tweet_text`` (:func:`normalise_text`) of the rows where ``mask`` is
    true, in row order."""
    parts = text_batches(df, mask, normalise_arrow)
    if not parts:
        return pa.array([], pa.large_string())
    return combined(pa.chunked_array(parts, type=parts[0].type))


def distinct_texts(df: pd.DataFrame, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """The normalised texts of the rows where ``mask`` is true, dictionary-coded:
    (positions of the rows whose normalised text is not empty, each one's code, the
    distinct normalised texts in order of first use)."""
    norm = normalised_texts(df, mask)
    keep = filled(norm)
    code, distinct = dictionary_codes(norm.filter(pa.array(keep)), many_distinct=True)
    return np.flatnonzero(mask)[keep], code, distinct


def maybe_repeated_texts(df: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """``mask`` narrowed to rows whose normalised text is present and may repeat.

    This pass keeps only a fingerprint per text (:func:`fingerprints`), so the
    normalised texts of a whole release are never in memory at once; a text whose
    fingerprint is unique is certainly unique.
    """
    def scan(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        norm = normalise_arrow(texts)
        return filled(norm), fingerprints(norm)

    parts = text_batches(df, mask, scan)
    out = np.zeros(len(mask), bool)
    if parts:
        ok = np.concatenate([p[0] for p in parts])
        fp = np.concatenate([p[1] for p in parts])[ok]
        out[np.flatnonzero(mask)[ok][repeated(fp)]] = True
    return out
