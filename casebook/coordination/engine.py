"""The pair engine: events with a key, the pairs within the window, directed weights.

An *event* is one (tweet, key) occurrence of a network kind (:mod:`.kinds` makes them).
Keys are integer codes; events are sorted once by ``(key, time)`` and every event's
window is found with :func:`numpy.searchsorted`; the matching pairs are expanded in
chunks of about ``max_pairs`` (default :data:`MAX_PAIRS`; the tweets spread over the
chunks by a hash) and reduced to weights chunk by chunk, so memory stays bounded even for
a hashtag with thousands of tweets in the same minute (a tweet whose window alone holds
more than ``max_pairs`` tweets still comes whole, in one chunk). Run time grows with the
number of matching pairs, not with the square of a key's popularity. No Python loop runs over tweets or pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from casebook._frames import sorted_distinct

__all__ = ["MAX_PAIRS"]

#: Default size of a chunk of tweet pairs expanded at once (memory guard, ~16 bytes a
#: pair; the tweets are spread over the chunks by a hash, so a chunk holds about this).
MAX_PAIRS: int = 1 << 23
# 2**64 / golden ratio, odd: Knuth's multiplicative hash (pair_chunks)
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)
#: Integer codes packed into one int64 sort key stay below this, leaving headroom under
#: 2**63 for the +- window arithmetic on them.
INT64_KEY_LIMIT = 2**62
#: :func:`weights` packs (account A, account B, tweet of A) into one int64 code when the
#: code space fits under this (a module constant so a test can force the fallback).
ONE_SORT_LIMIT = INT64_KEY_LIMIT

PairFilter = Callable[["Events", np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class Events:
    """One row per (tweet, key) occurrence of a kind."""

    pos: np.ndarray  # tweet position in the frame (int64, or int32 where it fits)
    key: np.ndarray  # key code (int64, or int32 where it fits)
    t: np.ndarray  # seconds (int64, or int32 where it fits: see seconds_type)
    user: np.ndarray  # user code (int64, or int32 where it fits)
    labels: pa.Array | None = None  # key code -> key text
    # (events, i, j) -> the (i, j) pairs that really match (near_duplicate verification)
    pair_filter: PairFilter | None = None
    similarity: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    #: the argsort of (key, t) when known (ties in any order): :func:`ordered` sets it so
    #: that the pair engine and the bursts of a replicate share one sort
    order: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.pos)

    def subset(self, mask: np.ndarray) -> Events:
        return Events(
            self.pos[mask], self.key[mask], self.t[mask], self.user[mask], self.labels,
            self.pair_filter, self.similarity,
        )

    def sorted_subset(self, keep: np.ndarray) -> Events:
        """The events of the boolean mask ``keep``, in (key, time) order (``order`` set)."""
        if self.order is None:
            return ordered(self.subset(keep))
        sub = self.subset(self.order[keep[self.order]])  # a subset of a sorted run is sorted
        sub.order = np.arange(len(sub), dtype=np.int64)
        return sub

    def narrowed(self, sec: np.ndarray) -> Events:
        """The same events with 32-bit positions, keys, accounts and times where they fit
        (times by :func:`seconds_type` of every tweet's seconds ``sec``).

        A release's events are held through its replicates, and each replicate copies
        them: int64 fields cost twice the memory and bandwidth;
        guarded by tests/coordination/test_kinds.py::test_events_are_narrow_where_they_fit
        """
        def fit(values: np.ndarray) -> np.ndarray:
            if values.dtype == np.int32:  # near_duplicate's are narrow already: no scan
                return values
            small = len(values) == 0 or (int(values.min()) >= 0 and int(values.max()) < 2**31)
            return values.astype(np.int32, copy=False) if small else values

        return Events(fit(self.pos), fit(self.key), self.t.astype(seconds_type(sec), copy=False),
                      fit(self.user), self.labels, self.pair_filter, self.similarity,
                      None if self.order is None else fit(self.order))

    @classmethod
    def empty(cls) -> Events:
        return cls(*(np.zeros(0, np.int64) for _ in range(4)))


def seconds_type(sec: np.ndarray) -> type[np.signedinteger]:
    """int32 when every second of ``sec`` (and a year either side, for windows and
    day shifts) fits, int64 otherwise.

    A release's near-duplicate events are about ten per text, and their times are kept
    through the replicates (100M events at specimen scale 16): seconds since 1970 fit in
    32 bits until 2038. Every packed code is computed in int64 (:func:`_wide`), and
    differences of two times stay small;
    guarded by tests/coordination/test_engine.py::test_seconds_type_leaves_room_for_windows_and_shifts
    """
    if len(sec) == 0:
        return np.int32
    margin = 366 * 86_400
    lo, hi = int(sec.min()) - margin, int(sec.max()) + margin
    return np.int32 if np.iinfo(np.int32).min <= lo and hi <= np.iinfo(np.int32).max else np.int64


def _wide(codes: np.ndarray) -> np.ndarray:
    """``codes`` as int64 (no copy when they are): an int32 array times a Python int stays
    int32 in numpy 2 and would wrap around; every packed code is computed in int64."""
    return codes.astype(np.int64, copy=False)


def key_time_order(ev: Events, *, nearly_sorted: bool = False) -> np.ndarray:
    """The argsort of events by (key, time); ties in any order.

    With ``nearly_sorted`` (the events come in (key, time) order but for short stretches
    out of order, as a text-shuffled replicate's: a text moves only within its block of
    tweets) a stable sort is used: numpy's timsort merges the sorted stretches in about
    linear time, where quicksort spends n log n whatever the input.
    """
    if len(ev) == 0:
        return np.zeros(0, np.int64)
    t0 = int(ev.t.min())
    stride = int(ev.t.max()) - t0 + 1
    kind = "stable" if nearly_sorted else None
    if (int(ev.key.max()) + 1) * stride < INT64_KEY_LIMIT:
        # (key, time) as one int64: one sort (keys may be int32: widened first)
        return np.argsort(_wide(ev.key) * stride + (ev.t - t0), kind=kind)
    return np.lexsort((ev.t, ev.key))


def ordered(ev: Events, *, nearly_sorted: bool = False) -> Events:
    """``ev`` with :attr:`Events.order` set (the same arrays, sorted once);
    ``nearly_sorted`` as for :func:`key_time_order`."""
    if ev.order is not None:
        return ev
    order = key_time_order(ev, nearly_sorted=nearly_sorted)
    # kept beside a release's events (near_duplicate's are ten per text): int32 halves it
    order = order.astype(np.int32) if len(order) < 2**31 else order
    return Events(ev.pos, ev.key, ev.t, ev.user, ev.labels, ev.pair_filter, ev.similarity, order)


def either_end(close: np.ndarray) -> np.ndarray:
    """Per element of a sequence, given ``close`` per pair of neighbours (``len - 1``
    values): is it at either end of a close pair?"""
    out = np.zeros(len(close) + 1, bool)
    out[1:] |= close
    out[:-1] |= close
    return out


def neighbours(ev: Events, w: int) -> np.ndarray:
    """Per event: does another event of its key (any account) lie within ``w`` seconds?

    Only such events can be in a pair or a burst. Uses :attr:`Events.order` when set.
    """
    near = np.zeros(len(ev), bool)
    if len(ev) < 2:
        return near
    order = ev.order if ev.order is not None else key_time_order(ev)
    k, t = ev.key[order], ev.t[order]
    near[order] = either_end((k[1:] == k[:-1]) & (t[1:] - t[:-1] <= w))
    return near


def window_pairs(ev: Events, w: int, *, max_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield chunks of (i, j) event indices with equal key, |dt| <= w, other account.

    All events of one tweet fall in the same chunk.
    """
    if len(ev) < 2:
        return
    t0 = int(ev.t.min())
    stride = int(ev.t.max()) - t0 + w + 1
    if (int(ev.key.max()) + 1) * stride >= INT64_KEY_LIMIT:
        raise OverflowError("too many distinct keys over too long a time span for one pass")
    # (key, time) as one int64 so one argsort and two searchsorted find every window;
    # guarded by tests/coordination/test_network.py::test_matches_cnt_definition
    sk = _wide(ev.key) * stride + (ev.t - t0)
    if ev.order is None:
        order = np.argsort(sk)  # ties (same key, same second) may come in any order
    else:
        order = ev.order
    sk = sk[order]
    # the per-event arrays held through the chunks are 32-bit where they fit and the
    # sort codes are freed first (a replicate's near-duplicate events are tens of
    # millions at specimen scale 16, two replicates at a time)
    index = np.int32 if len(sk) < 2**31 else np.int64
    lo = np.searchsorted(sk, sk - w, "left")
    cnt = (np.searchsorted(sk, sk + w, "right") - lo).astype(index)
    lo = lo.astype(index)
    del sk
    su = ev.user[order]
    total = int(cnt.sum(dtype=np.int64))
    if total <= max_pairs:
        groups: Iterator[np.ndarray] = iter([np.arange(len(cnt), dtype=index)])
    else:
        # every event of a tweet in one chunk, so that per-chunk distinct counts add up.
        # The tweets are spread over the chunks by a hash of their position: arithmetic
        # on the events as they come. A running count of each tweet's pairs, cut between
        # tweets, was scattered and gathered over every tweet position at random and its
        # int32 chunk numbers sorted: 5.3 s against 0.8 s on 40M synthetic events of 9.5M
        # tweets;
        # guarded by tests/coordination/test_network.py::test_popular_key_is_chunked_without_changing_weights
        # and tests/coordination/test_engine.py::test_chunks_hold_whole_tweets_and_about_max_pairs
        chunk = pair_chunks(ev.pos[order], -(-total // max_pairs))
        by_chunk = np.argsort(chunk, kind="stable").astype(index)
        bounds = np.searchsorted(chunk[by_chunk], np.arange(1, int(chunk.max()) + 1))
        del chunk
        groups = iter(np.split(by_chunk, bounds))
    for idx in groups:  # loop over chunks of pairs, vectorised inside
        c = cnt[idx]
        total = int(c.sum())
        if total == 0:
            continue
        a = np.repeat(idx, c)
        b = np.arange(total, dtype=np.int64) + np.repeat(lo[idx] - (np.cumsum(c) - c), c)
        other = su[a] != su[b]
        yield order[a[other]], order[b[other]]


def pair_chunks(pos: np.ndarray, n_chunks: int) -> np.ndarray:
    """The chunk (0 to ``n_chunks - 1``, fewer than 2**32 chunks) of each tweet position:
    a multiplicative hash of the position, so a tweet's events share a chunk and the
    tweets spread evenly."""
    h = pos.astype(np.uint64) * _FIBONACCI
    h >>= np.uint64(32)  # the product's high half: the bits every position bit reaches
    h *= np.uint64(n_chunks)
    h >>= np.uint64(32)
    return h.astype(np.uint16 if n_chunks <= 1 << 16 else np.int64)


def matching_pairs(ev: Events, w: int, *, max_pairs: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:func:`window_pairs`, verified by the kind's pair filter when it has one."""
    for ia, ib in window_pairs(ev, w, max_pairs=max_pairs):
        yield ev.pair_filter(ev, ia, ib) if ev.pair_filter is not None else (ia, ib)


def weights(
    ev: Events, w: int, tweet_user: np.ndarray, n_users: int, *, max_pairs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Directed weights as (pair codes source * n_users + target, weights).

    ``tweet_user`` is the account code of every tweet position. Each chunk of event
    pairs is reduced to its distinct (tweet of A, account B) pairs, then counted per
    (A, B); a tweet's pairs all fall in one chunk, so the chunks add up. The codes are
    sorted.
    """
    n_rows = len(tweet_user)
    # an event with no other event of its key within w is in no pair: the windows are
    # searched among the rest (a few percent of a replicate's hashtag events), sorted once;
    # guarded by tests/coordination/test_engine.py::test_weights_of_events_with_a_neighbour_are_the_same
    ev = ordered(ev)
    ev = ev.sorted_subset(neighbours(ev, w))
    one_sort = n_users * n_users * max(n_rows, 1) < ONE_SORT_LIMIT
    codes, counts = [], []
    for ia, ib in matching_pairs(ev, w, max_pairs=max_pairs):
        pos_a = ev.pos[ia]
        if one_sort:
            # (A, B, tweet of A) in one code: one sort gives distinct tweets grouped by (A, B);
            # guarded by tests/coordination/test_engine.py::test_weights_without_the_one_sort_code_are_the_same
            pair = sorted_distinct((_wide(tweet_user[pos_a]) * n_users + ev.user[ib]) * n_rows
                            + pos_a) // n_rows
            if len(pair) == 0:
                continue
            starts = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
            u, k = pair[starts], np.diff(np.append(starts, len(pair)))
        else:
            tweet_target = sorted_distinct(_wide(pos_a) * n_users + ev.user[ib])
            pair = tweet_user[tweet_target // n_users] * n_users + tweet_target % n_users
            u, k = np.unique(pair, return_counts=True)
        codes.append(u)
        counts.append(k)
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(codes) == 1:
        return codes[0], counts[0]
    return summed(np.concatenate(codes), np.concatenate(counts))


def summed(codes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct ``codes``, the ``counts`` summed per code), for non-negative
    integers.

    When both fit 32 bits, each (code, count) is one uint64 and the values are sorted
    by a stable sort, which merges sorted runs (each chunk's codes of :func:`weights`
    are one) in about linear time: 0.04 s against 0.21 s for ``np.unique`` with its
    inverse and a weighted ``bincount``, on the 2.5M codes of co_hashtag's chunks at
    specimen scale 8; guarded by
    tests/coordination/test_engine.py::test_summed_adds_the_counts_of_each_code
    """
    if len(codes) == 0:
        return codes.astype(np.int64), counts.astype(np.int64)
    if int(codes.max()) < 2**32 and int(counts.max()) < 2**32:
        packed = codes.astype(np.uint64) << np.uint64(32)
        packed |= counts.astype(np.uint64)
        packed.sort(kind="stable")
        code = (packed >> np.uint64(32)).astype(np.int64)
        packed &= np.uint64(0xFFFFFFFF)
        first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        return code[first], np.add.reduceat(packed, first).astype(np.int64)
    u, inv = np.unique(codes, return_inverse=True)
    return u, np.bincount(inv, weights=counts).astype(np.int64)
