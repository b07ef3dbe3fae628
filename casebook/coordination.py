"""Coordination networks: which accounts did the same thing within the same minute(s).

Every network here is **directed** and built the same way. Each kind defines a *key*
per tweet (the retweeted tweet, the normalised text, a URL, ...). For two accounts
A != B::

    weight(A -> B) = number of distinct tweets of A that have at least one tweet of B
                     with the same key and |t_A - t_B| <= window   (inclusive)

A tweet never matches itself and self-pairs (A == B) are never reported. For
``co_retweet``, ``co_tweet``, ``co_link`` and ``co_reply`` this is the definition of
coordination-network-toolkit (CNT) 1.5.2, without its defects (in CNT an empty URL field
becomes the URL ``""`` that links every link-less message, and every message matches
itself). ``weight(A -> B)`` and ``weight(B -> A)`` differ in general.

Kinds (:data:`KINDS`)
---------------------
``co_retweet``
    key = ``retweet_tweetid``; retweets only.
``co_tweet``
    key = the normalised text (:func:`normalise_text`: lowercased, ``@\\S*`` removed,
    whitespace collapsed, as CNT does); non-retweets only; an empty normalised text
    never matches.
``co_link``
    key = one URL of ``urls`` (exact string); URLs of retweets are ignored; an empty or
    missing URL is not a URL.
``co_domain``
    key = the registered domain of a URL (``tldextract`` with its bundled public-suffix
    list, no network); non-retweets only.
``co_hashtag``
    key = one hashtag, case-folded (``#`` stripped); non-retweets only.
``co_mention``
    key = one mentioned userid (``user_mentions``); non-retweets only.
``co_reply``
    key = ``in_reply_to_tweetid``; non-retweets only (as CNT).
``near_duplicate``
    non-retweets whose normalised texts have an estimated Jaccard similarity of their
    word-shingle sets >= ``threshold`` (default 0.7). MinHash signatures use datasketch's
    permutations (``affine32`` scheme), computed for all tweets at once with numpy;
    candidate pairs come only from shared LSH buckets (band parameters from
    :class:`datasketch.MinHashLSH`, tuned towards recall), never from all pairs, and are
    then verified on the signatures. Weight as above.
``co_post``
    any two tweets in the window (no key): the null baseline; the largest weight any
    content kind could reach.

Retweets carry their original's hashtags, mentions and links; counting them again would
repeat the co-retweet evidence, so the content kinds use non-retweets only. A tweet is a
retweet when ``is_retweet`` is true or ``retweet_tweetid`` is set.

Time window
-----------
The archive records ``tweet_time`` to the minute (seconds are always ``:00``), so a
window under one minute is rejected: it could not tell "the same second" from "the same
minute". The default ``"1min"`` links tweets in the same or an adjacent minute; two
minutes apart do not match. Times are compared at one-second resolution.

Implementation
--------------
Keys are factorised to integers; events are sorted once by ``(key, time)`` and every
tweet's window is found with :func:`numpy.searchsorted`; the matching pairs are expanded
in chunks of at most ``max_pairs`` (default :data:`MAX_PAIRS`) and reduced to weights
chunk by chunk, so memory stays bounded even for a hashtag with thousands of tweets in
the same minute (a single tweet whose window alone holds more than ``max_pairs`` tweets
is processed as its own chunk). Run time grows with the number of matching pairs, not
with the square of a key's popularity. No Python loop runs over tweets or pairs.
Texts are normalised in batches of rows on two threads; ``co_tweet`` first keeps only a
64-bit fingerprint per text and normalises again, exactly, only the texts whose
fingerprint repeats (a unique fingerprint is a unique text). :func:`networks` computes
two kinds at a time.

Beyond the networks: :func:`edge_evidence` (the tweets behind an edge),
:func:`calibrate` and :func:`threshold_for_fpr` (how many ordinary accounts a threshold
would flag), :func:`edge_pvalues` (a shuffle null model), :func:`detect_communities`
and :func:`summarize_communities` (Louvain groups and what binds them),
:func:`plot_network` and :func:`plot_weight_distribution`, and the ``casebook network``
command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook import schema

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "CNT_KINDS",
    "DEFAULT_KINDS",
    "KINDS",
    "MAX_PAIRS",
    "calibrate",
    "coordination_network",
    "detect_communities",
    "edge_evidence",
    "edge_pvalues",
    "networks",
    "normalise_text",
    "parse_window",
    "plot_network",
    "plot_weight_distribution",
    "register_cli",
    "registered_domains",
    "summarize_communities",
    "threshold_for_fpr",
]

#: Every network kind, in the order :func:`networks` reports them.
KINDS: tuple[str, ...] = (
    "co_retweet", "co_tweet", "co_link", "co_domain", "co_hashtag", "co_mention",
    "co_reply", "near_duplicate", "co_post",
)
#: The kinds whose semantics equal coordination-network-toolkit 1.5.2's.
CNT_KINDS: tuple[str, ...] = ("co_retweet", "co_tweet", "co_link", "co_reply")
#: Kinds computed by :func:`networks` by default: all but the ``co_post`` baseline.
DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "co_post")
# (A, B, tweet) codes must stay below this to be sorted as one int64 key
_ONE_SORT_LIMIT = 2**62
#: Default cap on the tweet pairs expanded at once (memory guard, ~16 bytes per pair).
MAX_PAIRS: int = 1 << 23

_SCALAR_KEYS = {"co_retweet": "retweet_tweetid", "co_reply": "in_reply_to_tweetid"}
_LIST_KEYS = {
    "co_link": "urls", "co_domain": "urls", "co_hashtag": "hashtags",
    "co_mention": "user_mentions",
}
_NEEDS = {
    "co_retweet": ("retweet_tweetid",), "co_tweet": ("tweet_text",), "co_link": ("urls",),
    "co_domain": ("urls",), "co_hashtag": ("hashtags",), "co_mention": ("user_mentions",),
    "co_reply": ("in_reply_to_tweetid",), "near_duplicate": ("tweet_text",), "co_post": (),
}
# The Unicode White_Space set of the `regex` module's \s that CNT uses to end a mention
# (unlike Python's str.split() it lacks \x1c-\x1f).
_MENTION = r"@[^\t\n\v\f\r\x{85}\p{Z}]*"
_U64_MUL = np.uint64(0x9E3779B97F4A7C15)
_EDGE_COLUMNS = ("source", "target", "weight", "kind")
_EVIDENCE_COLUMNS = (
    "source", "target", "kind", "source_tweetid", "target_tweetid", "source_time",
    "target_time", "dt_seconds", "key", "similarity", "source_text", "target_text",
)


# --------------------------------------------------------------------------- inputs


def parse_window(window: str | float | timedelta | np.timedelta64) -> pd.Timedelta:
    """Read a coordination window and check that the archive's clock can resolve it.

    Parameters
    ----------
    window
        A pandas offset string (``"1min"``, ``"90s"``, ``"2min"``), a number of seconds,
        or a timedelta.

    Returns
    -------
    pandas.Timedelta

    Raises
    ------
    ValueError
        When the window is shorter than one minute: ``tweet_time`` in the archive has
        minute resolution, so two tweets in the same minute are indistinguishable and a
        window of, say, 30 s would silently mean "the same minute".

    Examples
    --------
    >>> parse_window("1min")
    Timedelta('0 days 00:01:00')
    >>> parse_window(120)
    Timedelta('0 days 00:02:00')
    """
    if isinstance(window, bool):
        raise TypeError("window must be a duration such as '1min' or a number of seconds")
    try:
        if isinstance(window, int | float | np.integer | np.floating):
            td = pd.Timedelta(seconds=float(window))
        else:
            td = pd.Timedelta(window)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"cannot read window {window!r}: give a duration such as '1min', '90s', "
            "'2min' or a number of seconds"
        ) from exc
    if pd.isna(td) or td < pd.Timedelta(minutes=1):
        raise ValueError(
            f"window {window!r} is shorter than one minute: the archive records "
            "tweet_time to the minute (seconds are always :00), so tweets in the same "
            "minute cannot be told apart and a sub-minute window has no meaning. Use "
            "'1min' (same or adjacent minute) or longer."
        )
    return td


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
    out = _normalise_arrow(_combined(_arrow_strings(texts)))
    return pd.Series(pd.array(out, dtype=schema.STRING), index=texts.index, name=texts.name)


def _normalise_arrow(arr: pa.Array) -> pa.Array:
    # Only the texts that need more than lowercasing (an "@", whitespace other than
    # single inner spaces) go through the regex and the split, found by scanning the
    # UTF-8 bytes with numpy. Arrow's utf8 whitespace (split and trim) is exactly
    # Python's str.split() set, so split + join == " ".join(s.split()).
    data = _utf8_bytes(arr)[1]
    out = pc.ascii_lower(arr) if len(data) == 0 or data.max() < 0x80 else pc.utf8_lower(arr)
    fix = _rows_with(out, _at_or_odd_whitespace) | _edge_spaces(out)
    if fix.any():
        mask = pa.array(fix)
        sub = pc.replace_substring_regex(out.filter(mask), pattern=_MENTION, replacement="")
        parts = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(sub))
        fixed = pc.binary_join(parts, pa.scalar(" ", parts.type.value_type))
        out = pc.replace_with_mask(out, mask, fixed)
    return out


def _utf8_bytes(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets from 0, bytes) of a string array, without copying the bytes."""
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    buffers = arr.buffers()
    off = np.frombuffer(buffers[1], width)[arr.offset:arr.offset + len(arr) + 1].astype(np.int64)
    if buffers[2] is None or len(arr) == 0:
        return np.zeros(len(arr) + 1, np.int64), np.zeros(0, np.uint8)
    data = np.frombuffer(buffers[2], np.uint8)[off[0]:off[-1]]
    return off - off[0], data


def _rows_with(arr: pa.Array, find: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Which strings hold a byte position that ``find(bytes)`` returns."""
    off, data = _utf8_bytes(arr)
    rows = np.zeros(len(arr), bool)
    hits = find(data)
    if len(hits):
        rows[np.searchsorted(off, hits, "right") - 1] = True
    return rows


def _at_or_odd_whitespace(b: np.ndarray) -> np.ndarray:
    return np.concatenate([np.flatnonzero(b == 0x40), _odd_whitespace(b)])


def _odd_whitespace(b: np.ndarray) -> np.ndarray:
    """Positions of whitespace other than a single space: ASCII controls, two spaces,
    and the UTF-8 of U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F and
    U+3000 (with the space, Python's str.split() set)."""
    found = [np.zeros(0, np.int64)]
    if len(b) == 0:
        return found[0]
    if b.min() < 0x20:
        found.append(np.flatnonzero(b < 0x20))
    space = b == 0x20
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
    off, data = _utf8_bytes(arr)
    filled = off[1:] > off[:-1]
    first = np.zeros(len(arr), np.uint8)
    last = np.zeros(len(arr), np.uint8)
    first[filled] = data[off[:-1][filled]]
    last[filled] = data[off[1:][filled] - 1]
    return filled, first, last


def _maybe_space(b: np.ndarray) -> np.ndarray:
    """Bytes that may belong to whitespace: ASCII space and controls, any non-ASCII."""
    return (b <= 0x20) | (b >= 0x7F)


def _edge_spaces(arr: pa.Array) -> np.ndarray:
    """Strings that start or end with a space."""
    filled, first, last = _end_bytes(arr)
    return filled & ((first == 0x20) | (last == 0x20))


def _fingerprints(arr: pa.Array) -> np.ndarray:
    """A 64-bit fingerprint per string from its length, first 8 and last 8 bytes.

    Equal strings have equal fingerprints; a fingerprint seen once therefore marks a
    string seen once (see :func:`_repeated`).
    """
    off, data = _utf8_bytes(arr)
    if len(data) < 8:
        data = np.concatenate([data, np.zeros(8 - len(data), np.uint8)])
    # every byte offset viewed as the start of an unaligned little-endian uint64
    u64 = np.ndarray(shape=(len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    start, length = off[:-1], np.diff(off)
    # a string under 8 bytes: read the 8 bytes ending at the data's end if need be,
    # shift it into place and keep only its own bytes
    at = np.minimum(start, len(data) - 8)
    short = np.minimum(length, 8).astype(np.uint64)
    head = u64[at] >> (np.uint64(8) * (start - at).astype(np.uint64))
    keep = np.where(short == 8, np.uint64(0xFFFFFFFFFFFFFFFF),
                    (np.uint64(1) << (np.uint64(8) * short)) - np.uint64(1))
    head &= keep
    tail = np.where(length >= 8, u64[np.maximum(start + length - 8, 0)], head)
    fp = head * np.uint64(0x9E3779B97F4A7C15)
    fp ^= tail * np.uint64(0xC2B2AE3D27D4EB4F) + length.astype(np.uint64)
    return fp


def _repeated(values: np.ndarray) -> np.ndarray:
    """True where a value occurs more than once."""
    out = np.zeros(len(values), bool)
    if len(values) > 1:
        order = np.argsort(values)
        same = values[order[1:]] == values[order[:-1]]
        out[order[1:][same]] = True
        out[order[:-1][same]] = True
    return out


def _arrow_strings(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The strings of a Series as Arrow data, without copying arrow-backed columns."""
    arr = pa.array(series) if not isinstance(series, pa.Array | pa.ChunkedArray) else series
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    return arr


def _combined(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _arrow_lists(series: pd.Series) -> pa.Array:
    try:
        arr = pa.array(series)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array(series.tolist(), type=pa.list_(pa.string()))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        arr = pa.nulls(len(arr), pa.list_(pa.string()))
    if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        raise TypeError(f"column {series.name!r} must hold lists of strings, not {arr.type}")
    return arr


def _tweets_frame(data: Any) -> pd.DataFrame:
    frame = getattr(data, "tweets", data)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("expected a tweets DataFrame or a Release")
    return frame


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")


def _check_columns(df: pd.DataFrame, kind: str) -> None:
    need = ("tweetid", "userid", "tweet_time", *_NEEDS[kind])
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{kind} needs the tweet columns {missing}, which are missing")


def _check_min_weight(min_weight: int) -> int:
    if isinstance(min_weight, bool) or int(min_weight) != min_weight or min_weight < 1:
        raise ValueError(f"min_weight must be an integer >= 1, got {min_weight!r}")
    return int(min_weight)


@dataclass
class _Prepared:
    """Per-tweet arrays shared by every kind."""

    df: pd.DataFrame
    user_ids: pa.Array  # sorted distinct userids; user code = position here
    ucode: np.ndarray  # int64 per tweet, -1 where the userid is missing
    sec: np.ndarray  # int64 seconds since the epoch per tweet
    ok: np.ndarray  # usable tweet: userid and time present
    is_rt: np.ndarray  # retweet: is_retweet true or retweet_tweetid set

    @property
    def n_users(self) -> int:
        return len(self.user_ids)


def _prepare(df: pd.DataFrame) -> _Prepared:
    for col in ("tweetid", "userid", "tweet_time"):
        if col not in df.columns:
            raise ValueError(f"the tweets frame has no {col!r} column")
    users = _combined(pc.dictionary_encode(_arrow_strings(df["userid"])))
    order = pc.array_sort_indices(users.dictionary).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    idx = users.indices
    has_user = pc.is_valid(idx).to_numpy(zero_copy_only=False)
    raw = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    ucode = np.where(has_user, rank[raw] if len(rank) else raw, -1)
    user_ids = users.dictionary.take(pa.array(order))

    times = pd.to_datetime(df["tweet_time"], utc=True).to_numpy(dtype="datetime64[ns]")
    has_time = ~np.isnat(times)
    sec = np.where(has_time, times.view(np.int64) // 1_000_000_000, 0)

    is_rt = np.zeros(len(df), dtype=bool)
    if "is_retweet" in df.columns:
        is_rt |= df["is_retweet"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if "retweet_tweetid" in df.columns:
        is_rt |= _present(_arrow_strings(df["retweet_tweetid"]))
    return _Prepared(df, user_ids, ucode, sec, has_user & has_time, is_rt)


def _present(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where a string is present and not blank (whitespace only).

    A string whose first byte cannot be whitespace is not blank; only the others are
    checked with pyarrow.
    """
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = [np.zeros(0, bool)]
    for chunk in chunks:  # loop over the column's chunks (one per parsed CSV block)
        ok, first, _ = _end_bytes(chunk)
        if chunk.null_count:
            ok &= _numpy_bool(pc.is_valid(chunk))
        check = ok & _maybe_space(first)
        if check.any():
            idx = np.flatnonzero(check)
            ok[idx[_numpy_bool(pc.utf8_is_space(chunk.take(pa.array(idx))))]] = False
        parts.append(ok)
    return np.concatenate(parts)


def _filled(norm: pa.Array) -> np.ndarray:
    """Present and non-empty; for normalised texts (never blank unless empty) this is
    :func:`_present`."""
    off = _utf8_bytes(norm)[0]
    ok = off[1:] > off[:-1]
    if norm.null_count:
        ok &= _numpy_bool(pc.is_valid(norm))
    return ok


def _trimmed(arr: pa.Array) -> pa.Array:
    """Strings with surrounding whitespace removed; only those whose first or last byte
    may be whitespace are touched, and an array that has none is returned as it is."""
    filled, first, last = _end_bytes(arr)
    edge = filled & (_maybe_space(first) | _maybe_space(last))
    if not edge.any():
        return arr
    mask = pa.array(edge)
    return pc.replace_with_mask(arr, mask, pc.utf8_trim_whitespace(arr.filter(mask)))


def _numpy_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(_combined(arr).to_numpy(zero_copy_only=False), dtype=bool)


#: Frame rows per batch of text work: small batches reuse the same memory (fresh
#: memory is what costs most) and keep both cores busy.
_TEXT_BATCH = 1 << 17


def _text_batches(df: pd.DataFrame, mask: np.ndarray, fn: Callable[[pa.Array], Any]) -> list[Any]:
    """``fn`` of the ``tweet_text`` values where ``mask`` is true, batch by batch.

    Batches are consecutive row ranges (a range's values are a filter of its chunks:
    no copy of the column); with several batches they run on two threads (pyarrow and
    numpy release the GIL). Results come in row order.
    """
    texts = _arrow_strings(df["tweet_text"])

    def one(lo: int) -> Any:
        sel = mask[lo:lo + _TEXT_BATCH]
        return fn(_combined(texts.slice(lo, len(sel)).filter(pa.array(sel))))

    starts = range(0, len(mask), _TEXT_BATCH)  # loop over batches of rows
    if len(starts) < 2:
        return [one(lo) for lo in starts]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="casebook-text") as pool:
        return list(pool.map(one, starts))


def _normalised_texts(df: pd.DataFrame, mask: np.ndarray) -> pa.Array:
    """Normalised ``tweet_text`` (:func:`normalise_text`) of the rows where ``mask`` is
    true, in row order."""
    parts = _text_batches(df, mask, _normalise_arrow)
    if not parts:
        return pa.array([], pa.large_string())
    return _combined(pa.chunked_array(parts, type=parts[0].type))


def _maybe_repeated_texts(df: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """``mask`` narrowed to rows whose normalised text is present and may repeat.

    This pass keeps only a fingerprint per text (:func:`_fingerprints`), so the
    normalised texts of a whole release are never in memory at once; a text whose
    fingerprint is unique is certainly unique.
    """
    def scan(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        norm = _normalise_arrow(texts)
        return _filled(norm), _fingerprints(norm)

    parts = _text_batches(df, mask, scan)
    out = np.zeros(len(mask), bool)
    if parts:
        ok = np.concatenate([p[0] for p in parts])
        fp = np.concatenate([p[1] for p in parts])[ok]
        out[np.flatnonzero(mask)[ok][_repeated(fp)]] = True
    return out


# --------------------------------------------------------------------------- events


@dataclass
class _Events:
    """One row per (tweet, key) occurrence of a kind."""

    pos: np.ndarray  # tweet position in the frame (int64)
    key: np.ndarray  # key code (int64)
    t: np.ndarray  # seconds (int64)
    user: np.ndarray  # user code (int64)
    labels: pa.Array | None = None  # key code -> key text
    # (events, i, j) -> the (i, j) pairs that really match (near_duplicate verification)
    pair_filter: Callable[[_Events, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    similarity: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.pos)

    def subset(self, mask: np.ndarray) -> _Events:
        return _Events(
            self.pos[mask], self.key[mask], self.t[mask], self.user[mask], self.labels,
            self.pair_filter, self.similarity,
        )


def _encode(labels: pa.Array) -> tuple[np.ndarray, pa.Array]:
    enc = pc.dictionary_encode(labels)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary


def _make_events(prep: _Prepared, pos: np.ndarray, labels: pa.Array | None) -> _Events:
    pos = np.asarray(pos, dtype=np.int64)
    if labels is None:
        key = np.zeros(len(pos), np.int64)
        dictionary = None
    else:
        key, dictionary = _encode(labels)
    return _Events(pos, key, prep.sec[pos], prep.ucode[pos], dictionary)


def _events(prep: _Prepared, kind: str, *, drop_singletons: bool = True, **options: Any) -> _Events:
    df = prep.df
    _check_columns(df, kind)
    original = prep.ok & ~prep.is_rt
    if kind == "co_post":
        ev = _make_events(prep, np.flatnonzero(prep.ok), None)
    elif kind in _SCALAR_KEYS:
        rows = prep.ok & prep.is_rt if kind == "co_retweet" else original
        arr = _trimmed(_combined(_arrow_strings(df[_SCALAR_KEYS[kind]]).filter(pa.array(rows))))
        keep = _present(arr)
        ev = _make_events(prep, np.flatnonzero(rows)[keep], arr.filter(pa.array(keep)))
    elif kind == "co_tweet":
        # texts certainly used once would be dropped below anyway
        mask = _maybe_repeated_texts(df, original) if drop_singletons else original
        norm = _normalised_texts(df, mask)
        keep = _filled(norm)
        ev = _make_events(prep, np.flatnonzero(mask)[keep], norm.filter(pa.array(keep)))
    elif kind in _LIST_KEYS:
        ev = _list_events(prep, kind, original)
    elif kind == "near_duplicate":
        ev = _near_duplicate_events(prep, original, **options)
    else:  # pragma: no cover - guarded by _check_kind
        raise ValueError(kind)
    if drop_singletons and kind != "co_post" and len(ev):
        # a key used by a single tweet cannot link two accounts
        shared = np.bincount(ev.key, minlength=len(ev.labels) if ev.labels is not None else 0) > 1
        ev = ev.subset(shared[ev.key])
        if ev.labels is not None:  # keep only the labels of keys still in use, renumbered
            ev.key = (np.cumsum(shared) - 1)[ev.key]
            ev.labels = ev.labels.filter(pa.array(shared))
    return ev


def _list_events(prep: _Prepared, kind: str, rows: np.ndarray) -> _Events:
    lists = _arrow_lists(prep.df[_LIST_KEYS[kind]])
    flat = _combined(_arrow_strings(pc.list_flatten(lists)))
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    values = _trimmed(flat)
    if kind == "co_hashtag":
        values = pc.utf8_ltrim(values, characters="#")
    keep = rows[parent] & _present(values)
    values = values.filter(pa.array(keep))
    parent = parent[keep]
    if kind in ("co_hashtag", "co_domain"):
        codes, uniques = _encode(values)
        mapped = _casefold(uniques) if kind == "co_hashtag" else _domains(uniques)
        values = mapped.take(pa.array(codes))
        ok = _present(values)
        values = values.filter(pa.array(ok))
        parent = parent[ok]
    # one event per (tweet, key): a hashtag repeated in a tweet counts once
    ev = _make_events(prep, parent, values)
    uniq = np.unique(ev.pos * (int(ev.key.max(initial=0)) + 1) + ev.key, return_index=True)[1]
    return ev.subset(np.sort(uniq))


def _casefold(values: pa.Array) -> pa.Array:
    folded = pd.Series(values.to_pylist(), dtype=object).str.casefold()
    return pa.array(folded.tolist(), type=pa.large_string())


def registered_domains(urls: pd.Series) -> pd.Series:
    """Registered domain of each URL (``news.example.co.uk`` -> ``example.co.uk``).

    The same function as :func:`casebook.content.registered_domains` (tldextract's
    bundled public-suffix list, no network; one lookup per distinct host); URLs
    without a host give ``<NA>``.

    Examples
    --------
    >>> registered_domains(pd.Series(["https://WWW.BBC.co.uk/news", ""])).tolist()
    ['bbc.co.uk', <NA>]
    """
    from casebook.content import registered_domains as _registered_domains

    return _registered_domains(urls)


def _domains(urls: pa.Array) -> pa.Array:
    """Registered domains of distinct URLs as an arrow array ("" where there is none)."""
    s = registered_domains(pd.Series(pd.array(urls, dtype=schema.STRING)))
    return pa.array(s.fillna("").astype(object).tolist(), type=pa.large_string())


# --------------------------------------------------------------------------- near duplicates


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix for the affine32 scheme)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _shingle_hashes(norm: pa.Array, shingle_size: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the word shingles of each text, and the text index of each.

    A text shorter than ``shingle_size`` words is one shingle. Token hashes are pandas'
    deterministic SipHash of the token; a shingle hash combines its tokens' hashes.
    """
    tokens = pc.split_pattern(norm, " ")
    flat = pc.list_flatten(tokens)
    doc = pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
    lengths = pc.list_value_length(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
    codes, vocab = _encode(flat)
    vocab_hash = pd.util.hash_array(np.asarray(vocab.to_pylist(), dtype=object))
    th = vocab_hash[codes]
    start = np.cumsum(lengths) - lengths
    where = np.arange(len(th)) - start[doc]
    length = lengths[doc]
    first = where <= np.maximum(length - shingle_size, 0)
    h = th.copy()
    for j in range(1, shingle_size):  # loop over the shingle width only
        nxt = np.minimum(np.arange(len(th)) + j, len(th) - 1)
        use = where + j < length
        h = np.where(use, h * _U64_MUL + th[nxt], h)
    h = h[first]
    h32 = ((h >> np.uint64(32)) ^ (h & np.uint64(0xFFFFFFFF))).astype(np.uint32)
    return h32, doc[first]


def _minhash_signatures(
    h32: np.ndarray, doc: np.ndarray, n_docs: int, *, num_perm: int, seed: int
) -> np.ndarray:
    """MinHash signatures (n_docs x num_perm, uint32) of the shingle hashes per text.

    Bit for bit what ``datasketch.MinHash(num_perm, seed, hashfunc=...)`` gives when
    updated with the same 32-bit shingle hashes (scheme ``affine32``), for all texts at
    once: one vectorised pass per permutation. Every text must have a shingle, and
    ``doc`` must be sorted. The result is a transposed view of a (num_perm x n_docs)
    array, so each permutation's values are contiguous.
    """
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    a = a.astype(np.uint32)
    b = b.astype(np.uint32)
    mixed = _fmix32(h32)
    starts = np.searchsorted(doc, np.arange(n_docs), "left")
    sig_t = np.empty((num_perm, n_docs), dtype=np.uint32)
    for k in range(num_perm):  # loop over permutations; each pass covers every text
        sig_t[k] = np.minimum.reduceat(mixed * a[k] + b[k], starts)
    return sig_t.T


def _lsh_params(threshold: float, num_perm: int, weights: tuple[float, float]) -> tuple[int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    return int(lsh.b), int(lsh.r)


def _near_duplicate_events(
    prep: _Prepared, rows: np.ndarray, *, threshold: float = 0.7, shingle_size: int = 2,
    num_perm: int = 128, seed: int = 1, lsh_weights: tuple[float, float] = (0.1, 0.9),
) -> _Events:
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    if shingle_size < 1:
        raise ValueError("shingle_size must be >= 1")
    candidates = np.flatnonzero(rows)
    norm = _normalised_texts(prep.df, rows)
    keep = _filled(norm)
    docs_pos = candidates[keep]
    n_docs = len(docs_pos)
    empty = _Events(*(np.zeros(0, np.int64) for _ in range(4)))
    if n_docs < 2:
        return empty
    h32, doc = _shingle_hashes(norm.filter(pa.array(keep)), shingle_size)
    sig = _minhash_signatures(h32, doc, n_docs, num_perm=num_perm, seed=seed)
    sig_t = sig.T  # (num_perm, n_docs), contiguous
    bands, rows_per_band = _lsh_params(threshold, num_perm, lsh_weights)
    doc_of_pos = np.full(len(prep.df), -1, np.int64)
    doc_of_pos[docs_pos] = np.arange(n_docs)

    keys, offset = [], 0
    for j in range(bands):  # loop over LSH bands only
        h = np.zeros(n_docs, np.uint64)
        for row in sig_t[j * rows_per_band:(j + 1) * rows_per_band]:
            h = h * _U64_MUL + row.astype(np.uint64)
        code = pd.factorize(h)[0].astype(np.int64)
        keys.append(code + offset)
        offset += int(code.max()) + 1
    key = np.concatenate(keys)
    pos = np.tile(docs_pos, bands)

    def similarity(pa_: np.ndarray, pb_: np.ndarray) -> np.ndarray:
        out = np.empty(len(pa_), np.float64)
        step = 1 << 16
        for s in range(0, len(pa_), step):  # chunks of pairs, vectorised inside
            da, db = doc_of_pos[pa_[s:s + step]], doc_of_pos[pb_[s:s + step]]
            out[s:s + step] = (sig_t[:, da] == sig_t[:, db]).mean(axis=0)
        return out

    def pair_filter(ev: _Events, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # the same two tweets meet in several bands: verify each tweet pair once
        first = np.unique(ev.pos[ia] * len(prep.df) + ev.pos[ib], return_index=True)[1]
        ia, ib = ia[first], ib[first]
        ok = similarity(ev.pos[ia], ev.pos[ib]) >= threshold
        return ia[ok], ib[ok]

    return _Events(pos, key, prep.sec[pos], prep.ucode[pos], None, pair_filter, similarity)


# --------------------------------------------------------------------------- the join


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    A sort and a neighbour comparison: numpy 2.4's plain ``np.unique`` takes a hashing
    path that is about 20x slower on large int64 arrays.
    """
    if len(values) == 0:
        return values
    s = np.sort(values)
    keep = np.empty(len(s), bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _window_pairs(ev: _Events, w: int, *, max_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield chunks of (i, j) event indices with equal key, |dt| <= w, other account.

    All events of one tweet fall in the same chunk.
    """
    if len(ev) < 2:
        return
    t0 = int(ev.t.min())
    stride = int(ev.t.max()) - t0 + w + 1
    if (int(ev.key.max()) + 1) * stride >= 2**62:
        raise OverflowError("too many distinct keys over too long a time span for one pass")
    sk = ev.key * stride + (ev.t - t0)
    order = np.argsort(sk)  # ties (same key, same second) may come in any order
    sk = sk[order]
    lo = np.searchsorted(sk, sk - w, "left")
    cnt = np.searchsorted(sk, sk + w, "right") - lo
    su = ev.user[order]
    total = int(cnt.sum())
    if total <= max_pairs:
        groups: Iterator[np.ndarray] = iter([np.arange(len(sk))])
    else:
        tweet_pos = ev.pos[order]
        per_tweet = np.bincount(tweet_pos, weights=cnt)
        chunk = (np.cumsum(per_tweet) // max_pairs).astype(np.int64)[tweet_pos]
        by_chunk = np.argsort(chunk, kind="stable")
        bounds = np.searchsorted(chunk[by_chunk], np.arange(1, chunk.max() + 1))
        groups = iter(np.split(by_chunk, bounds))
    for idx in groups:
        c = cnt[idx]
        total = int(c.sum())
        if total == 0:
            continue
        a = np.repeat(idx, c)
        b = np.arange(total, dtype=np.int64) + np.repeat(lo[idx] - (np.cumsum(c) - c), c)
        other = su[a] != su[b]
        yield order[a[other]], order[b[other]]


def _weights(
    ev: _Events, w: int, tweet_user: np.ndarray, n_users: int, *, max_pairs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Directed weights as (pair codes source * n_users + target, weights).

    ``tweet_user`` is the account code of every tweet position. Each chunk of event
    pairs is reduced to its distinct (tweet of A, account B) pairs, then counted per
    (A, B); a tweet's pairs all fall in one chunk, so the chunks add up.
    """
    n_rows = len(tweet_user)
    one_sort = n_users * n_users * max(n_rows, 1) < _ONE_SORT_LIMIT
    codes, counts = [], []
    for ia, ib in _window_pairs(ev, w, max_pairs=max_pairs):
        if ev.pair_filter is not None:
            ia, ib = ev.pair_filter(ev, ia, ib)
        pos_a = ev.pos[ia]
        if one_sort:  # (A, B, tweet of A) in one code: sorted distinct codes are grouped by (A, B)
            pair = _distinct((tweet_user[pos_a] * n_users + ev.user[ib]) * n_rows + pos_a) // n_rows
            if len(pair) == 0:
                continue
            starts = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
            u, k = pair[starts], np.diff(np.append(starts, len(pair)))
        else:
            tweet_target = _distinct(pos_a * n_users + ev.user[ib])
            pair = tweet_user[tweet_target // n_users] * n_users + tweet_target % n_users
            u, k = np.unique(pair, return_counts=True)
        codes.append(u)
        counts.append(k)
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(codes) == 1:
        return codes[0], counts[0]
    u, inv = np.unique(np.concatenate(codes), return_inverse=True)
    return u, np.bincount(inv, weights=np.concatenate(counts)).astype(np.int64)


# --------------------------------------------------------------------------- networks


@dataclass(frozen=True)
class _TextOptions:
    """Options of the ``near_duplicate`` kind (ignored by the others)."""

    threshold: float = 0.7
    shingle_size: int = 2
    num_perm: int = 128
    seed: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold, "shingle_size": self.shingle_size,
            "num_perm": self.num_perm, "seed": self.seed,
        }


def _window_seconds(window: Any) -> int:
    return int(parse_window(window) // pd.Timedelta(seconds=1))


def _kind_events(prep: _Prepared, kind: str, opts: _TextOptions, **kw: Any) -> _Events:
    extra = opts.as_dict() if kind == "near_duplicate" else {}
    return _events(prep, kind, **extra, **kw)


def _ids(prep: _Prepared, codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    return pd.array(prep.user_ids.take(pa.array(codes, pa.int64())), dtype=schema.STRING)


def _empty_edges() -> pd.DataFrame:
    return pd.DataFrame({
        "source": pd.array([], dtype=schema.STRING), "target": pd.array([], dtype=schema.STRING),
        "weight": np.zeros(0, np.int64), "kind": pd.array([], dtype=schema.STRING),
    })


def _edges_frame(
    prep: _Prepared, codes: np.ndarray, weights: np.ndarray, kind: str, min_weight: int
) -> pd.DataFrame:
    keep = weights >= min_weight
    codes, weights = codes[keep], weights[keep]
    if len(codes) == 0:
        return _empty_edges()
    # codes are sorted (source, target), user codes follow the sorted ids: a stable sort
    # by weight gives weight (descending), then source and target
    order = np.argsort(-weights, kind="stable")
    codes = codes[order]
    return pd.DataFrame({
        "source": _ids(prep, codes // prep.n_users),
        "target": _ids(prep, codes % prep.n_users),
        "weight": weights[order].astype(np.int64),
        "kind": pd.array(pa.repeat(pa.scalar(kind, pa.string()), len(order)), dtype=schema.STRING),
    })


def _network(
    prep: _Prepared, kind: str, w: int, min_weight: int, opts: _TextOptions, max_pairs: int
) -> tuple[pd.DataFrame, _Events, np.ndarray]:
    ev = _kind_events(prep, kind, opts)
    codes, weights = _weights(ev, w, prep.ucode, prep.n_users, max_pairs=max_pairs)
    kept = codes[weights >= min_weight]
    return _edges_frame(prep, codes, weights, kind, min_weight), ev, kept


def coordination_network(
    tweets: Any,
    *,
    kind: str = "co_retweet",
    window: str | float | timedelta = "1min",
    min_weight: int = 1,
    evidence: bool = False,
    threshold: float = 0.7,
    shingle_size: int = 2,
    num_perm: int = 128,
    seed: int = 1,
    max_pairs: int = MAX_PAIRS,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Directed coordination network of one kind.

    ``weight(A -> B)`` is the number of distinct tweets of A that have at least one
    tweet of B (B != A) with the same key within ``|dt| <= window`` (inclusive). Keys per
    kind are listed in the module documentation; for ``co_retweet``, ``co_tweet``,
    ``co_link`` and ``co_reply`` the result equals coordination-network-toolkit 1.5.2's
    network with self-pairs dropped (except that empty URLs and empty normalised texts
    never match, and a tweet never matches itself).

    Parameters
    ----------
    tweets
        Tweets with the dtypes of :data:`casebook.schema.TWEET_DTYPES`, or a ``Release``.
    kind
        One of :data:`KINDS`.
    window
        Largest time difference that still counts, ``"1min"`` by default (same or
        adjacent minute). Under one minute raises ``ValueError`` (minute-resolution clock).
    min_weight
        Drop edges lighter than this.
    evidence
        Also return the tweet pairs behind every kept edge (see :func:`edge_evidence`).
    threshold, shingle_size, num_perm, seed
        ``near_duplicate`` only: Jaccard threshold on word-shingle sets, words per
        shingle, MinHash permutations, and the permutation seed.
    max_pairs
        Memory guard: tweet pairs expanded at once.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        Edges ``source, target, weight, kind`` sorted by weight (descending), then
        source and target; with ``evidence=True`` also the evidence table.

    Examples
    --------
    >>> edges = coordination_network(release, kind="co_retweet")  # doctest: +SKIP
    >>> edges, pairs = coordination_network(release, kind="co_tweet", min_weight=3,
    ...                                     evidence=True)  # doctest: +SKIP
    """
    df = _tweets_frame(tweets)
    _check_kind(kind)
    w = _window_seconds(window)
    mw = _check_min_weight(min_weight)
    opts = _TextOptions(threshold, shingle_size, num_perm, seed)
    prep = _prepare(df)
    edges, ev, kept = _network(prep, kind, w, mw, opts, max_pairs)
    if not evidence:
        return edges
    return edges, _evidence(prep, ev, w, kind, kept, max_pairs=max_pairs)


def networks(
    tweets: Any,
    *,
    kinds: Sequence[str] = DEFAULT_KINDS,
    window: str | float | timedelta = "1min",
    min_weight: int = 1,
    threshold: float = 0.7,
    shingle_size: int = 2,
    num_perm: int = 128,
    seed: int = 1,
    max_pairs: int = MAX_PAIRS,
) -> pd.DataFrame:
    """Several coordination networks at once, as one long frame with a ``kind`` column.

    Same semantics and parameters as :func:`coordination_network`; the tweets are
    prepared once for all kinds, and two kinds are computed at a time on two threads.
    Rows are ordered by ``kinds``, then weight (descending), source and target.

    Examples
    --------
    >>> long = networks(release, kinds=["co_retweet", "co_tweet", "co_hashtag"])  # doctest: +SKIP
    >>> long.pivot_table(index=["source", "target"], columns="kind", values="weight")  # doctest: +SKIP
    """
    df = _tweets_frame(tweets)
    if isinstance(kinds, str):
        kinds = [kinds]
    for k in kinds:
        _check_kind(k)
    w = _window_seconds(window)
    mw = _check_min_weight(min_weight)
    opts = _TextOptions(threshold, shingle_size, num_perm, seed)
    prep = _prepare(df)

    def one(kind: str) -> pd.DataFrame:
        return _network(prep, kind, w, mw, opts, max_pairs)[0]

    unique_kinds = list(dict.fromkeys(kinds))
    if len(unique_kinds) > 1:  # two kinds at a time (numpy and pyarrow release the GIL)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="casebook-kind") as pool:
            frames = list(pool.map(one, unique_kinds))
    else:
        frames = [one(k) for k in unique_kinds]
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty_edges()
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- evidence


def _take(df: pd.DataFrame, col: str, pos: np.ndarray) -> Any:
    if col not in df.columns:
        return pd.array([pd.NA] * len(pos), dtype=schema.STRING)
    return df[col].iloc[pos].reset_index(drop=True).array


def _evidence(
    prep: _Prepared, ev: _Events, w: int, kind: str, allowed: np.ndarray, *, max_pairs: int
) -> pd.DataFrame:
    """Every (tweet of A, tweet of B) pair behind the allowed directed pair codes."""
    n = prep.n_users
    allowed = _distinct(allowed)
    parts_a, parts_b = [], []
    if len(allowed):
        for ia, ib in _window_pairs(ev, w, max_pairs=max_pairs):
            if ev.pair_filter is not None:
                ia, ib = ev.pair_filter(ev, ia, ib)
            keep = np.isin(ev.user[ia] * n + ev.user[ib], allowed)
            parts_a.append(ia[keep])
            parts_b.append(ib[keep])
    ia = np.concatenate(parts_a) if parts_a else np.zeros(0, np.int64)
    ib = np.concatenate(parts_b) if parts_b else np.zeros(0, np.int64)
    df = prep.df
    pa_, pb_ = ev.pos[ia], ev.pos[ib]
    if ev.labels is not None and kind != "co_post":
        key = pd.array(ev.labels.take(pa.array(ev.key[ia], pa.int64())), dtype=schema.STRING)
    else:
        key = pd.array([pd.NA] * len(ia), dtype=schema.STRING)
    sim = ev.similarity(pa_, pb_) if ev.similarity is not None else np.full(len(ia), np.nan)
    out = pd.DataFrame({
        "source": _ids(prep, ev.user[ia]),
        "target": _ids(prep, ev.user[ib]),
        "kind": pd.array(np.full(len(ia), kind, dtype=object), dtype=schema.STRING),
        "source_tweetid": _take(df, "tweetid", pa_),
        "target_tweetid": _take(df, "tweetid", pb_),
        "source_time": _take(df, "tweet_time", pa_),
        "target_time": _take(df, "tweet_time", pb_),
        "dt_seconds": (prep.sec[pb_] - prep.sec[pa_]).astype(np.int64),
        "key": key,
        "similarity": pd.array(sim, dtype="Float64"),
        "source_text": _take(df, "tweet_text", pa_),
        "target_text": _take(df, "tweet_text", pb_),
    })
    return out.sort_values(
        ["source", "target", "source_time", "source_tweetid", "target_time",
         "target_tweetid", "key"],
        kind="stable", ignore_index=True,
    )


def edge_evidence(
    tweets: Any,
    source: str,
    target: str,
    *,
    kind: str,
    window: str | float | timedelta = "1min",
    threshold: float = 0.7,
    shingle_size: int = 2,
    num_perm: int = 128,
    seed: int = 1,
) -> pd.DataFrame:
    """The tweet pairs behind the edge ``source -> target`` of one kind.

    One row per (tweet of ``source``, matching tweet of ``target``, shared key): a
    source tweet sharing two hashtags with a target tweet gives two rows. The edge
    weight is ``result.source_tweetid.nunique()``.

    Parameters
    ----------
    tweets
        Tweets (or a ``Release``).
    source, target
        Account ids (``userid``). Equal ids give an empty table (self-pairs are never
        edges).
    kind, window, threshold, shingle_size, num_perm, seed
        As for :func:`coordination_network`.

    Returns
    -------
    pandas.DataFrame
        ``source, target, kind, source_tweetid, target_tweetid, source_time,
        target_time, dt_seconds, key, similarity, source_text, target_text``; ``key`` is
        the shared retweeted id / normalised text / URL / domain / hashtag / mentioned
        id / replied-to id (missing for ``near_duplicate`` and ``co_post``);
        ``similarity`` is the estimated Jaccard similarity (``near_duplicate`` only).
        Sorted by source time, then tweet ids.

    Examples
    --------
    >>> edges = coordination_network(release, kind="co_tweet")  # doctest: +SKIP
    >>> top = edges.iloc[0]  # doctest: +SKIP
    >>> edge_evidence(release, top.source, top.target, kind="co_tweet")  # doctest: +SKIP
    """
    df = _tweets_frame(tweets)
    _check_kind(kind)
    w = _window_seconds(window)
    opts = _TextOptions(threshold, shingle_size, num_perm, seed)
    sub = df[df["userid"].isin([source, target]).fillna(False).to_numpy(dtype=bool)]
    prep = _prepare(sub)
    ids = pd.Index(prep.user_ids.to_pylist())
    cs, ct = ids.get_indexer([source, target])
    ev = _kind_events(prep, kind, opts)
    allowed = np.array([cs * prep.n_users + ct]) if cs >= 0 and ct >= 0 and cs != ct else []
    return _evidence(prep, ev, w, kind, np.asarray(allowed, np.int64), max_pairs=MAX_PAIRS)


# --------------------------------------------------------------------------- calibration


def _account_max_weight(edges: pd.DataFrame) -> pd.Series:
    both = pd.concat([
        edges[["source", "weight"]].set_axis(["account", "weight"], axis=1),
        edges[["target", "weight"]].set_axis(["account", "weight"], axis=1),
    ], ignore_index=True)
    return both.groupby("account", sort=True)["weight"].max()


def _single_kind(edges: pd.DataFrame, what: str) -> None:
    if "kind" in edges.columns and edges["kind"].nunique() > 1:
        raise ValueError(f"{what} holds several kinds; pass the edges of one kind")


def threshold_for_fpr(
    control_edges: pd.DataFrame, *, fpr: float = 0.01, n_accounts: int | None = None
) -> int:
    """Smallest ``min_weight`` that flags at most a share ``fpr`` of control accounts.

    An account is *flagged* at threshold ``m`` when it is the source or target of an
    edge with weight >= ``m``. The control cohort is a set of ordinary accounts, so a
    flagged control account is a false positive.

    Parameters
    ----------
    control_edges
        Edges of one kind computed on the control cohort (``min_weight=1``).
    fpr
        Largest acceptable share of flagged control accounts, in [0, 1].
    n_accounts
        Number of accounts in the control cohort (the denominator). Default: the
        accounts appearing in ``control_edges``, which overstates the share and so errs
        towards a higher (safer) threshold.

    Returns
    -------
    int
        The threshold (>= 1).

    Examples
    --------
    >>> ctl = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1, 5]})
    >>> threshold_for_fpr(ctl, fpr=0.0, n_accounts=100)
    6
    >>> threshold_for_fpr(ctl, fpr=0.02, n_accounts=100)
    2
    """
    if not 0 <= fpr <= 1:
        raise ValueError("fpr must be between 0 and 1")
    _single_kind(control_edges, "control_edges")
    maxw = _account_max_weight(control_edges).to_numpy()
    n = len(maxw) if n_accounts is None else int(n_accounts)
    if n < len(maxw):
        raise ValueError(f"n_accounts={n} is smaller than the {len(maxw)} accounts in the edges")
    allowed = int(np.floor(fpr * n + 1e-9))
    if len(maxw) <= allowed:
        return 1
    v = np.sort(maxw)[::-1]
    return int(v[allowed]) + 1


def _flag_stats(edges: pd.DataFrame, thr: int) -> tuple[int, int]:
    heavy = edges[edges["weight"] >= thr]
    accounts = pd.unique(pd.concat([heavy["source"], heavy["target"]], ignore_index=True))
    a = np.minimum(heavy["source"].to_numpy(object), heavy["target"].to_numpy(object))
    b = np.maximum(heavy["source"].to_numpy(object), heavy["target"].to_numpy(object))
    pairs = len(pd.MultiIndex.from_arrays([a, b]).unique()) if len(heavy) else 0
    return len(accounts), pairs


def calibrate(
    tweets: Any,
    control_tweets: Any,
    *,
    kind: str | Sequence[str] = DEFAULT_KINDS,
    window: str | float | timedelta = "1min",
    fpr: float = 0.01,
    min_weight: int | None = None,
    percentiles: Sequence[float] = (50, 90, 99),
    threshold: float = 0.7,
    shingle_size: int = 2,
    num_perm: int = 128,
    seed: int = 1,
    return_edges: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Compare edge weights of an operation with a control cohort of ordinary accounts.

    For each kind, both networks are computed with ``min_weight=1``; the threshold is
    ``min_weight`` when given, otherwise :func:`threshold_for_fpr` on the control
    (at most ``fpr`` of control accounts flagged).

    Returns
    -------
    pandas.DataFrame
        One row per (kind, cohort) with ``cohort`` in ``operation``/``control``:
        ``accounts`` (accounts with tweets), ``accounts_in_edges``, ``edges``,
        ``weight_p<q>`` for each percentile and ``weight_max`` (over edges; missing
        without edges), ``threshold``, ``flagged_accounts`` and ``flagged_share``
        (accounts with an edge >= threshold, and their share of ``accounts``),
        ``flagged_pairs`` (unordered account pairs with an edge >= threshold).
        With ``return_edges=True``, also a dict ``{"operation": edges, "control": edges}``
        of every kind's edges (``min_weight=1``), so callers need not compute them again.

    Examples
    --------
    >>> calibrate(op, control, kind=["co_retweet", "co_hashtag"], fpr=0.01)  # doctest: +SKIP
    """
    kinds = [kind] if isinstance(kind, str) else list(dict.fromkeys(kind))
    for k in kinds:
        _check_kind(k)
    w = _window_seconds(window)
    opts = _TextOptions(threshold, shingle_size, num_perm, seed)
    cohorts = {
        "operation": _prepare(_tweets_frame(tweets)),
        "control": _prepare(_tweets_frame(control_tweets)),
    }
    rows = []
    all_edges: dict[str, list[pd.DataFrame]] = {name: [] for name in cohorts}
    for k in kinds:
        nets = {name: _network(p, k, w, 1, opts, MAX_PAIRS)[0] for name, p in cohorts.items()}
        for name, e in nets.items():
            all_edges[name].append(e)
        n_ctl = int(np.unique(cohorts["control"].ucode[cohorts["control"].ok]).size)
        thr = (
            _check_min_weight(min_weight) if min_weight is not None
            else threshold_for_fpr(nets["control"], fpr=fpr, n_accounts=n_ctl)
        )
        for name, prep in cohorts.items():
            e = nets[name]
            n_acc = int(np.unique(prep.ucode[prep.ok]).size)
            row: dict[str, Any] = {
                "kind": k, "cohort": name, "accounts": n_acc,
                "accounts_in_edges": int(len(_account_max_weight(e))), "edges": len(e),
            }
            wts = e["weight"].to_numpy(dtype=float)
            for q in percentiles:
                row[f"weight_p{q:g}"] = float(np.percentile(wts, q)) if len(wts) else np.nan
            row["weight_max"] = float(wts.max()) if len(wts) else np.nan
            flagged, pairs = _flag_stats(e, thr)
            row.update(
                threshold=thr, flagged_accounts=flagged,
                flagged_share=flagged / n_acc if n_acc else np.nan, flagged_pairs=pairs,
            )
            rows.append(row)
    table = pd.DataFrame(rows)
    if not return_edges:
        return table
    return table, {name: pd.concat(frames, ignore_index=True) for name, frames in all_edges.items()}


def edge_pvalues(
    tweets: Any,
    edges: pd.DataFrame,
    *,
    kind: str | None = None,
    window: str | float | timedelta = "1min",
    n_shuffles: int = 99,
    stratum: str = "1D",
    seed: int = 0,
) -> pd.DataFrame:
    """Shuffle null model: how often does chance alone give an edge this heavy?

    The null keeps every tweet's account and time and every key's popularity, and
    shuffles which tweet carries which key among the tweets of the same ``stratum``
    (default: the same UTC day). So each account's activity per day and each key's use
    per day are preserved; only the alignment between accounts is random. For each
    observed edge, ``p_value = (1 + #{shuffles with null weight >= observed}) /
    (1 + n_shuffles)``: a small value says the two accounts shared keys within the window
    more often than accounts with their activity would by chance that day. It does not
    correct for testing many edges; the smallest possible value is ``1/(1+n_shuffles)``.

    Parameters
    ----------
    tweets
        The tweets the edges were computed on.
    edges
        Edges of one key-based kind (not ``near_duplicate`` or ``co_post``).
    kind
        The kind; default the ``kind`` column of ``edges``.
    window
        As used for the edges.
    n_shuffles
        Number of shuffles (each costs one network computation).
    stratum
        Length of the time blocks within which keys are shuffled.
    seed
        Seed of the shuffles.

    Returns
    -------
    pandas.DataFrame
        ``edges`` with ``expected_weight`` (mean null weight) and ``p_value``.
    """
    df = _tweets_frame(tweets)
    if kind is None:
        if "kind" not in edges.columns or edges["kind"].nunique() != 1:
            raise ValueError("pass kind= (edges have no single kind column)")
        kind = str(edges["kind"].iloc[0])
    _check_kind(kind)
    if kind in ("near_duplicate", "co_post"):
        raise ValueError(f"{kind} has no shared key to shuffle; p-values need a key kind")
    _single_kind(edges, "edges")
    if n_shuffles < 1:
        raise ValueError("n_shuffles must be >= 1")
    w = _window_seconds(window)
    block = int(pd.Timedelta(stratum) // pd.Timedelta(seconds=1))
    prep = _prepare(df)
    ev = _kind_events(prep, kind, _TextOptions(), drop_singletons=False)
    ids = pd.Index(prep.user_ids.to_pylist())
    src, dst = ids.get_indexer(edges["source"]), ids.get_indexer(edges["target"])
    if (src < 0).any() or (dst < 0).any():
        raise ValueError("edges name accounts that have no tweets in `tweets`")
    obs_codes = src.astype(np.int64) * prep.n_users + dst
    observed = edges["weight"].to_numpy(dtype=np.int64)
    rng = np.random.default_rng(seed)
    strata = ev.t // block
    base = np.lexsort((np.arange(len(ev)), strata))
    exceed = np.zeros(len(edges), np.int64)
    total = np.zeros(len(edges), np.float64)
    for _ in range(n_shuffles):  # loop over shuffles; each is vectorised
        perm = np.lexsort((rng.random(len(ev)), strata))
        key = np.empty_like(ev.key)
        key[perm] = ev.key[base]
        codes, weights = _weights(
            _Events(ev.pos, key, ev.t, ev.user), w, prep.ucode, prep.n_users,
            max_pairs=MAX_PAIRS,
        )
        at = np.searchsorted(codes, obs_codes)
        at_ok = np.minimum(at, max(len(codes) - 1, 0))
        found = (at < len(codes)) & (codes[at_ok] == obs_codes) if len(codes) else at < 0
        null = np.where(found, weights[at_ok] if len(codes) else 0, 0)
        exceed += null >= observed
        total += null
    return edges.assign(
        expected_weight=total / n_shuffles, p_value=(1 + exceed) / (1 + n_shuffles)
    )


# --------------------------------------------------------------------------- communities


def _undirected(edges: pd.DataFrame, kinds: Sequence[str] | None) -> pd.DataFrame:
    """Project directed edges (of the chosen kinds) to undirected summed weights."""
    e = edges
    if "kind" in e.columns:
        chosen = [k for k in KINDS if k != "co_post"] if kinds is None else list(kinds)
        e = e[e["kind"].isin(chosen).to_numpy(dtype=bool)]
    s = e["source"].astype(str).to_numpy(object)
    t = e["target"].astype(str).to_numpy(object)
    swap = s > t
    a, b = np.where(swap, t, s), np.where(swap, s, t)
    proj = (
        pd.DataFrame({"a": a, "b": b, "weight": e["weight"].to_numpy(dtype=np.int64)})
        .loc[lambda d: d["a"] != d["b"]]
        .groupby(["a", "b"], sort=True, as_index=False)["weight"].sum()
    )
    return proj


def detect_communities(
    edges: pd.DataFrame,
    *,
    kinds: Sequence[str] | None = None,
    min_weight: int = 1,
    resolution: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Louvain communities of the projected (undirected, summed-weight) network.

    The directed edges (of ``kinds``; default every kind but the ``co_post`` baseline)
    are summed per unordered account pair; pairs lighter than ``min_weight`` are dropped;
    :func:`networkx.community.louvain_communities` runs with the given ``seed`` on a graph
    built in sorted order, so the result is deterministic.

    Returns
    -------
    pandas.DataFrame
        ``userid, community, community_size``: community 0 is the largest; ties are
        ordered by their smallest account id. Rows are sorted by community, then userid.

    Examples
    --------
    >>> comms = detect_communities(networks(release), seed=0)  # doctest: +SKIP
    """
    import networkx as nx

    proj = _undirected(edges, kinds)
    proj = proj[proj["weight"] >= _check_min_weight(min_weight)]
    if proj.empty:
        return pd.DataFrame({
            "userid": pd.array([], dtype=schema.STRING),
            "community": np.zeros(0, np.int64), "community_size": np.zeros(0, np.int64),
        })
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(proj["a"]) | set(proj["b"])))
    graph.add_weighted_edges_from(proj.itertuples(index=False, name=None))
    found = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, seed=seed
    )
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    sizes = np.array([len(c) for c in ordered], dtype=np.int64)
    labels = np.repeat(np.arange(len(ordered), dtype=np.int64), sizes)
    return pd.DataFrame({
        "userid": pd.array([u for c in ordered for u in c], dtype=schema.STRING),
        "community": labels,
        "community_size": np.repeat(sizes, sizes),
    })


def _lists_by(frame: pd.DataFrame, by: str, column: str) -> dict[Any, list[str]]:
    """{group: [values of column, in frame order]} (plain Python lists of str)."""
    return {g: [str(v) for v in part[column].tolist()] for g, part in frame.groupby(by, sort=True)}


def _top_values(
    frame: pd.DataFrame, column: str, n: int, *, counts: bool = True
) -> dict[Any, list[str]]:
    """Per community, the n most frequent values (ties alphabetical), as lists of
    ``"value (count)"`` or of bare values."""
    if frame.empty:
        return {}
    top = (
        frame.groupby(["community", column], sort=False).size().rename("n").reset_index()
        .sort_values(["community", "n", column], ascending=[True, False, True], kind="stable")
        .groupby("community", sort=True).head(n)
    )
    label = top[column].astype(str)
    if counts:
        label = label + " (" + top["n"].astype(str) + ")"
    return _lists_by(top.assign(label=label), "community", "label")


def summarize_communities(
    tweets: Any,
    edges: pd.DataFrame,
    communities: pd.DataFrame,
    *,
    n_top: int = 5,
    n_samples: int = 3,
) -> pd.DataFrame:
    """Describe each community: who, when, what they pushed, and what binds them.

    Parameters
    ----------
    tweets
        The tweets (or ``Release``) the edges came from.
    edges
        Directed edges (one kind or a long frame from :func:`networks`).
    communities
        The output of :func:`detect_communities`.
    n_top
        How many hashtags and domains to list.
    n_samples
        How many sample texts to list (the most repeated original texts).

    Returns
    -------
    pandas.DataFrame
        One row per community: ``community, n_accounts, accounts`` (sorted ids),
        ``n_tweets, first_tweet, last_tweet`` (all tweets of its accounts),
        ``top_hashtags, top_domains`` (``"value (count)"``, case-folded hashtags,
        registered domains), ``sample_texts``, ``binding_kinds`` (kinds of the edges
        inside the community, heaviest first), ``internal_weight`` (sum of those edges'
        weights) and ``internal_edges``.
    """
    df = _tweets_frame(tweets)
    comm = communities[["userid", "community"]].astype({"userid": str})
    base = (
        comm.groupby("community", sort=True)
        .agg(n_accounts=("userid", "size"), accounts=("userid", lambda s: sorted(s)))
    )
    member = pd.Series(comm["community"].to_numpy(), index=pd.Index(comm["userid"]))
    tw_comm = df["userid"].astype(str).map(member)
    in_comm = tw_comm.notna().to_numpy()
    sub = df.loc[in_comm].assign(community=tw_comm[in_comm].astype(np.int64).to_numpy())
    times = sub.groupby("community", sort=True)["tweet_time"].agg(["size", "min", "max"])
    base = base.assign(
        n_tweets=times["size"].reindex(base.index).fillna(0).astype(np.int64),
        first_tweet=times["min"].reindex(base.index),
        last_tweet=times["max"].reindex(base.index),
    )
    prep = _prepare(sub.reset_index(drop=True))
    original = prep.ok & ~prep.is_rt
    pieces: dict[str, dict[Any, list[str]]] = {}
    for kind, name in (("co_hashtag", "top_hashtags"), ("co_domain", "top_domains")):
        if _LIST_KEYS[kind] in sub.columns:
            ev = _list_events(prep, kind, prep.ok)
            values = ev.labels.take(pa.array(ev.key, pa.int64())).to_pylist()
            frame = pd.DataFrame({"community": sub["community"].to_numpy()[ev.pos],
                                  name: pd.Series(values, dtype=object)})
            pieces[name] = _top_values(frame, name, n_top)
    if "tweet_text" in sub.columns:
        texts = pd.DataFrame({
            "community": sub["community"].to_numpy()[original],
            "sample_texts": sub["tweet_text"].to_numpy(object)[original],
        }).dropna()
        pieces["sample_texts"] = _top_values(texts, "sample_texts", n_samples, counts=False)
    for name in ("top_hashtags", "top_domains", "sample_texts"):
        found = pieces.get(name, {})
        base[name] = pd.Series([found.get(c, []) for c in base.index], index=base.index,
                               dtype=object)

    e = edges.assign(
        cs=edges["source"].astype(str).map(member), ct=edges["target"].astype(str).map(member)
    )
    inside = e[(e["cs"] == e["ct"]) & e["cs"].notna()]
    if "kind" not in inside.columns:
        inside = inside.assign(kind="edges")
    per_kind = (
        inside.groupby(["cs", "kind"], sort=True)["weight"].sum().rename("w").reset_index()
        .sort_values(["cs", "w", "kind"], ascending=[True, False, True], kind="stable")
    )
    binding = _lists_by(per_kind, "cs", "kind")
    base["binding_kinds"] = pd.Series([binding.get(c, []) for c in base.index],
                                      index=base.index, dtype=object)
    agg = inside.groupby("cs")["weight"].agg(["sum", "size"]).reindex(base.index).fillna(0)
    base["internal_weight"] = agg["sum"].astype(np.int64)
    base["internal_edges"] = agg["size"].astype(np.int64)
    return base.reset_index()


# --------------------------------------------------------------------------- figures


def _window_label(edges: pd.DataFrame) -> str:
    if "kind" in edges.columns and len(edges):
        return ", ".join(pd.unique(edges["kind"].astype(str)))
    return "edges"


def plot_network(
    edges: pd.DataFrame,
    *,
    communities: pd.DataFrame | None = None,
    kinds: Sequence[str] | None = None,
    min_weight: int = 1,
    seed: int = 0,
    max_labels: int = 40,
    ax: Axes | None = None,
) -> Axes:
    """Draw the projected coordination network, communities in colour.

    Nodes are accounts (labelled with the first 8 characters of the id when there are
    at most ``max_labels``), edges are undirected summed weights (width grows with the
    log of the weight). The spring layout uses ``seed``, so the figure is reproducible.

    Parameters
    ----------
    edges
        Directed edges (one kind or several).
    communities
        Output of :func:`detect_communities`; nodes outside any community are grey.
    kinds, min_weight
        Which edges to draw (default every kind but ``co_post``) and the lightest one.
    seed
        Layout seed.
    max_labels
        Label nodes only up to this many nodes.
    ax
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8))
    proj = _undirected(edges, kinds)
    proj = proj[proj["weight"] >= _check_min_weight(min_weight)]
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(proj["a"]) | set(proj["b"])))
    graph.add_weighted_edges_from(proj.itertuples(index=False, name=None))
    nodes = list(graph.nodes)
    member = (
        pd.Series(communities["community"].to_numpy(), index=communities["userid"].astype(str))
        if communities is not None and len(communities) else pd.Series(dtype=np.int64)
    )
    labels = member.reindex(nodes)
    n_comm = int(labels.max()) + 1 if labels.notna().any() else 0
    palette = sns.color_palette("husl", max(n_comm, 1))
    colors = [
        palette[int(c)] if pd.notna(c) else (0.6, 0.6, 0.6) for c in labels.to_numpy()
    ]
    if nodes:
        pos = nx.spring_layout(graph, seed=seed, weight="weight")
        widths = 0.5 + np.log1p(proj["weight"].to_numpy(dtype=float))
        nx.draw_networkx_edges(graph, pos, ax=ax, width=list(widths), alpha=0.35,
                               edge_color="0.4")
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colors, node_size=60,
                               linewidths=0.3, edgecolors="0.2")
        if len(nodes) <= max_labels:
            nx.draw_networkx_labels(graph, pos, ax=ax, labels={u: u[:8] for u in nodes},
                                    font_size=7)
        handles = [
            plt.Line2D([], [], marker="o", linestyle="", color=palette[i],
                       label=f"community {i} ({int((labels == i).sum())} accounts)")
            for i in range(min(n_comm, 10))
        ]
        if handles:
            ax.legend(handles=handles, loc="best", fontsize=7, frameon=False)
    ax.set_title(
        f"Coordination network ({_window_label(edges)}): {len(nodes)} accounts, "
        f"{len(proj)} account pairs"
    )
    ax.set_xlabel("spring layout x (arbitrary units)")
    ax.set_ylabel("spring layout y (arbitrary units)")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_weight_distribution(
    edges: pd.DataFrame,
    control_edges: pd.DataFrame,
    *,
    threshold: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Edge-weight distributions of the operation and the control, on a log scale.

    Parameters
    ----------
    edges, control_edges
        Edges of the same kind(s) for the operation and for the control cohort.
    threshold
        Optional ``min_weight`` to mark with a vertical line.
    ax
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    data = pd.concat([
        pd.DataFrame({"weight": edges["weight"].to_numpy(dtype=float), "cohort": "operation"}),
        pd.DataFrame({"weight": control_edges["weight"].to_numpy(dtype=float),
                      "cohort": "control"}),
    ], ignore_index=True)
    if len(data):
        top = max(float(data["weight"].max()), 2.0)
        bins = np.unique(np.round(np.geomspace(1, top + 1, 30)))
        sns.histplot(
            data=data, x="weight", hue="cohort", hue_order=["operation", "control"],
            bins=bins, stat="probability", common_norm=False, element="step", fill=False,
            ax=ax,
        )
    ax.set_xscale("log")
    if threshold is not None:
        ax.axvline(threshold, color="0.2", linestyle="--", linewidth=1)
        ax.annotate(f"threshold {threshold}", (threshold, 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -12), textcoords="offset points", fontsize=8)
    ax.set_title(f"Edge weights, operation vs control ({_window_label(edges)})")
    ax.set_xlabel("edge weight (coordinated tweets per account pair, log scale)")
    ax.set_ylabel("share of edges")
    return ax


# --------------------------------------------------------------------------- command line


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``casebook network``."""
    p = subparsers.add_parser(
        "network",
        help="compute a coordination network from a release",
        description=(
            "Compute a directed coordination network from an archive release: "
            "weight(A->B) = tweets of A with a tweet of B sharing the key within the "
            "window. Writes source,target,weight as CSV; optionally the tweet pairs "
            "behind every edge, and a calibration against a control cohort."
        ),
    )
    p.add_argument("path", help="release directory or tweets file(s) of the operation")
    p.add_argument("--kind", default="co_retweet", choices=KINDS, help="network kind")
    p.add_argument("--window", default="1min",
                   help="time window, at least one minute (default 1min)")
    p.add_argument("--min-weight", type=int, default=None,
                   help="drop lighter edges (default 1, or chosen on --control for --fpr)")
    p.add_argument("--out", required=True, help="edges CSV to write")
    p.add_argument("--evidence", default=None,
                   help="also write the tweet pairs behind every edge to this CSV")
    p.add_argument("--control", default=None,
                   help="control release: calibrate the threshold on ordinary accounts")
    p.add_argument("--fpr", type=float, default=0.01,
                   help="with --control and no --min-weight: largest share of control "
                        "accounts flagged (default 0.01)")
    p.set_defaults(func=_cli_network)


def _cli_network(args: argparse.Namespace) -> int:
    from casebook import load_release, paths
    from casebook.safety import to_safe_csv

    try:
        parse_window(args.window)
        # only the tweet columns this kind reads (and the texts of the evidence)
        columns = ["is_retweet", "retweet_tweetid", *_NEEDS[args.kind],
                   *(["tweet_text"] if args.evidence is not None else [])]
        release = load_release(paths.resolve(args.path), columns=columns)
        min_weight = args.min_weight
        if args.control is not None:
            control = load_release(paths.resolve(args.control), columns=columns)
            table = calibrate(release, control, kind=args.kind, window=args.window,
                              fpr=args.fpr, min_weight=min_weight)
            min_weight = int(table["threshold"].iloc[0])
            print(table.to_string(index=False))
        min_weight = 1 if min_weight is None else min_weight
        result = coordination_network(
            release, kind=args.kind, window=args.window, min_weight=min_weight,
            evidence=args.evidence is not None,
        )
    except (ValueError, OSError) as exc:
        print(f"casebook network: {exc}", file=sys.stderr)
        return 2
    edges, evidence = result if isinstance(result, tuple) else (result, None)
    # plain ids (hashes or numbers) are kept verbatim so the files join back to the
    # archive; anything else, ids of a hostile file included, is neutralised
    to_safe_csv(edges[["source", "target", "weight"]], args.out, columns=[],
                ids=["source", "target"])
    print(f"{len(edges)} {args.kind} edges (min weight {min_weight}) -> {args.out}")
    if evidence is not None:
        to_safe_csv(evidence, args.evidence, columns=["key", "source_text", "target_text"],
                    ids=["source", "target", "source_tweetid", "target_tweetid"])
        print(f"{len(evidence)} tweet pairs -> {args.evidence}")
    return 0
