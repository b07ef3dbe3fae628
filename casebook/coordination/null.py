"""Null models from the data itself: what would the networks look like by chance?

A *replicate* is the release with its synchrony destroyed and everything else kept:

time-shifted (every kind but ``near_duplicate``)
    Every tweet moves by a random whole number of days, drawn independently per tweet,
    uniformly in ``-max_shift_days .. +max_shift_days`` (default :data:`MAX_SHIFT_DAYS`,
    a week either way). A tweet keeps its account, its key (retweeted tweet, text, URL,
    hashtag, ...) and its time of day to the second, so each account keeps its number of
    tweets, its hour-of-day profile and, within a fortnight, its level of activity and
    its topics; only which tweets of *different* accounts fall in the same minute
    changes. Why this and not the alternatives:

    * a day-stratified permutation of times (each tweet takes the time of another tweet
      of its day) also keeps the day, but gives every account the day's pooled hour
      profile, and on a sparse day (a small release, a quiet period) the pool is mostly
      the synchronised tweets themselves, which then stay synchronised;
    * shifting each *account's* whole timeline by one random number of days keeps
      two accounts aligned whenever they draw the same shift: a planted group then looks
      fully coordinated in a share ``1 / (2 * max_shift_days + 1)`` of the replicates,
      which inflates the null's tail up to the very weights it should tell apart, and a
      shift that is large enough to make that rare moves activity of one year into
      another. Shifting each tweet on its own thins a synchronous pair binomially
      instead: of its ``w`` shared minutes about ``w / (2 * max_shift_days + 1)``
      survive by chance, which is what chance should give.

    The price is that a key tied to one day (a viral tweet, a debate hashtag) is spread
    over the fortnight, so ordinary accounts reacting to the same event within a minute
    look less likely by chance than they are: that is what the control cohort checks
    (:func:`casebook.coordination.calibration`).

text-shuffled (``near_duplicate``)
    Texts are shuffled across accounts: every original tweet (non-retweet) keeps its
    account and its time, and receives the text of another original tweet of the same
    block of :data:`TEXT_BLOCK` consecutive original tweets (in time order). Blocks of a
    fixed number of tweets, not of days, keep the topics of the time in a dense period
    (a block is a few hours) and still give a sparse period enough tweets to shuffle
    among (a day-stratified shuffle would leave a group's copies on a quiet day among
    themselves).

Every replicate reuses the release's prepared arrays and the events of each kind
(:func:`casebook.coordination.kinds.events`): only the times (or the accounts behind the
texts) change, so a replicate costs one weight computation per kind, and replicates run
on threads, as many at once as there are cores and memory for them
(:func:`casebook._threads.threads`, :data:`REPLICATE_BYTES_PER_EVENT`). The replicates are
seeded: ``seed`` gives the same replicates whatever the threads do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from casebook._threads import mapped
from casebook.coordination.engine import (
    MAX_PAIRS,
    Events,
    either_end,
    ordered,
    seconds_type,
    weights,
)
from casebook.coordination.kinds import DEFAULT_KINDS, Prepared, events, prepare, tweets_frame
from casebook.coordination.near_duplicate import NearDuplicateOptions
from casebook.coordination.network import (
    Window,
    edges_frame,
    empty_edges,
    unique_kinds,
    window_seconds,
)
from casebook.errors import UsageError

__all__ = ["MAX_SHIFT_DAYS", "N_NULL", "TEXT_BLOCK", "null_networks"]

#: Null replicates by default. Each costs one weight computation per kind. Twenty give
#: 20 x (accounts) draws of an account's heaviest chance edge per kind, enough to place
#: a threshold at a share of 1/1000 of accounts for a few hundred accounts, and put a
#: count that no replicate reached at p = 1/21 < 0.05 ("above chance"); "far above
#: chance" (p <= 0.01) needs 99, about five times the cost.
N_NULL: int = 20
#: Largest shift of a tweet, in whole days, either way (time-shifted replicates).
MAX_SHIFT_DAYS: int = 30
#: Consecutive original tweets within which texts are shuffled (text-shuffled replicates).
TEXT_BLOCK: int = 1000
#: Events of a text kind moved and sorted at once in a replicate (:func:`moved_subsets`).
TEXT_CHUNK: int = 1 << 22
#: Memory a replicate holds at once, per event of its largest kind (:func:`replicate_bytes`):
#: on the Iran specimen at scale 8 (13.1M near-duplicate events), the replicates' peak
#: above their start was 0.55 GB on one thread, 0.84-0.87 GB on two and 1.64 GB on four:
#: 0.31-0.36 GB a thread, 21-25 bytes an event besides the moved times; rounded up.
REPLICATE_BYTES_PER_EVENT: int = 32
#: Kinds whose replicates shuffle texts instead of shifting times.
TEXT_KINDS: tuple[str, ...] = ("near_duplicate",)
_DAY = 86_400


def null_of(kind: str) -> str:
    """How a replicate breaks ``kind``: ``"text shuffle"`` or ``"time shift"``."""
    return "text shuffle" if kind in TEXT_KINDS else "time shift"


def check_n_null(n_null: int) -> int:
    """``n_null`` as an int, or :class:`~casebook.errors.UsageError` unless >= 2."""
    if isinstance(n_null, bool) or int(n_null) != n_null or n_null < 2:
        raise UsageError(
            f"n_null must be an integer >= 2, got {n_null!r}",
            hint="each replicate's count is judged at thresholds set on the other replicates",
        )
    return int(n_null)


def shifted_seconds(sec: np.ndarray, rng: np.random.Generator, max_shift_days: int) -> np.ndarray:
    """Each time moved by its own random whole number of days in ``+-max_shift_days``."""
    return sec + _DAY * rng.integers(-max_shift_days, max_shift_days + 1, len(sec))


def _text_blocks(prep: Prepared, block: int) -> tuple[np.ndarray, np.ndarray]:
    """(original usable tweet positions in time order, their block)."""
    slots = np.flatnonzero(prep.ok & ~prep.is_rt)
    slots = slots[np.argsort(prep.sec[slots], kind="stable")]
    n_blocks = max(len(slots) // block, 1)
    return slots, np.minimum(np.arange(len(slots)) // block, n_blocks - 1)


def text_receivers(prep: Prepared, rng: np.random.Generator, block: int,
                   blocks: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Per tweet position, the position whose account and time its text moves to.

    Original usable tweets are ranked by time and cut into blocks of ``block`` (the last
    partial block joins the one before); a text moves to a random original tweet of its
    block (a permutation, so every original tweet receives exactly one text). Other
    positions map to themselves. ``blocks`` is :func:`_text_blocks`'s result, computed
    once for all replicates.
    """
    receiver = np.arange(len(prep.sec), dtype=np.int64)
    slots, blk = _text_blocks(prep, block) if blocks is None else blocks
    if len(slots) < 2:
        return receiver
    # blocks are contiguous in time order, so a sort by (block, random) permutes within them
    receiver[slots] = slots[_block_order(blk + rng.random(len(slots)), block)]
    return receiver


def _block_order(key: np.ndarray, block: int) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of keys (block number + a random number in
    [0, 1)) of :func:`_text_blocks`'s blocks: ``block`` each, the last one longer.

    A block's keys never exceed the next block's, so every full block but the last is
    sorted as a row of its own: small sorts that stay in the CPU cache (about five times
    faster than one stable sort of the whole). A row's quicksort gives the stable order
    when the row has no two equal keys; if one has, the whole is sorted stably instead;
    guarded by tests/coordination/test_null.py::test_block_order_is_the_stable_argsort
    """
    n = len(key)
    head = (max(n // block, 1) - 1) * block  # the rows before the last, longer block
    order = np.empty(n, np.int64)
    if head:
        rows = key[:head].reshape(-1, block)
        by_row = np.argsort(rows, axis=1)
        ranked = np.take_along_axis(rows, by_row, axis=1)
        if bool((ranked[:, 1:] == ranked[:, :-1]).any()):
            return np.argsort(key, kind="stable")
        del ranked
        by_row += np.arange(0, head, block)[:, None]
        order[:head] = by_row.ravel()
    order[head:] = head + np.argsort(key[head:], kind="stable")
    return order


def text_candidates(prep: Prepared, ev: Events, block: int, w: int,
                    blocks: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Events of a text kind that can meet another event of their key in a replicate.

    A text moves only within its block, to a time between the block's first and last,
    so two events of a key can fall within ``w`` of each other only when they are in the
    same block, in neighbouring blocks, or in blocks whose times come within ``w`` (a
    dense hour packs many blocks into a minute). The others cannot pair in any
    replicate: dropping them once halves the text-shuffled replicates' work on the Iran
    specimen and changes no weight. :func:`run_null` passes the wider of the weights'
    window and the bursts' linkage window, so no burst loses a link either. One
    approximation is left: a burst's crowd rule counts the accounts of its key's whole
    UTC day (:func:`~casebook.coordination.groups.crowd_events`), and a dropped event,
    alone in its block and those within reach, is then not counted; a replicate can see
    such a day as a smaller crowd than it is. ``blocks`` is :func:`_text_blocks`'s
    result, when computed already.
    """
    keep = np.ones(len(ev), bool)
    slots, blk_of_slot = _text_blocks(prep, block) if blocks is None else blocks
    if len(slots) < 2 or len(ev) == 0:
        return keep
    blk = np.full(len(prep.sec), -1, np.int32 if len(slots) < 2**31 else np.int64)
    blk[slots] = blk_of_slot
    b = blk[ev.pos]
    del blk
    if (b < 0).any():
        return keep
    last = _reachable_blocks(prep.sec[slots], blk_of_slot, w)
    # events in key order with their blocks in order within each key (as near_duplicate
    # makes them: (key, time), and blocks follow time): an event has another of its key
    # within reach exactly when one of its two neighbours does (``last`` never
    # decreases), so no code and no runs are built (1.1 s instead of 3.6 s on the 50M
    # near-duplicate events of specimen scale 8, and no int64 temporaries);
    # guarded by tests/coordination/test_null.py::test_text_candidates_equal_a_reference
    same = ev.key[1:] == ev.key[:-1]
    if bool((ev.key[1:] >= ev.key[:-1]).all()) and not bool((same & (b[1:] < b[:-1])).any()):
        return either_end(same & (b[1:] <= last[b[:-1]]))
    del same
    width = int(blk_of_slot[-1]) + 1
    code = ev.key.astype(np.int64)  # (key, block) as one int64
    code *= width
    code += b
    del b
    # any other order (never in code order then): one sort (np.unique hashes: slower on
    # large int64); a code's nearest blocks of the same key are its neighbours in order.
    # Each run of equal codes is judged once and the verdict repeated over the run (no
    # per-event run number: a release's text events are tens of millions);
    # guarded by tests/coordination/test_null.py::test_text_candidates_equal_a_reference
    order = np.argsort(code)
    code = code[order]
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    u = code[first]
    del code
    cnt = np.diff(np.r_[first, len(ev)])
    del first
    key, ub = u // width, u % width
    near = (cnt >= 2) | either_end((key[1:] == key[:-1]) & (ub[1:] <= last[ub[:-1]]))
    keep[order] = np.repeat(near, cnt)
    return keep


def _reachable_blocks(t: np.ndarray, blk: np.ndarray, w: int) -> np.ndarray:
    """Per block, the last block whose texts can land within ``w`` seconds of its own:
    the next one, or further while a block starts within ``w`` of this one's end.

    ``t`` holds the times of the original tweets in time order and ``blk`` their blocks
    (:func:`_text_blocks`); never decreasing. The rule was the next block only, and
    every event was kept when any block was shorter than ``w``: at specimen scale 16
    some hour packs a thousand original tweets into a minute, so every replicate moved
    all 88.7M near-duplicate events; now 26.4M (13.1M at scale 8), with every table of
    ``coordination_analysis`` the same there and 16 s of its 217 s saved. It also keeps two
    blocks exactly ``w`` apart across a block of that length, which the old rule missed;
    guarded by tests/coordination/test_null.py::test_text_candidates_drop_events_around_short_blocks
    """
    starts = np.flatnonzero(np.r_[True, blk[1:] != blk[:-1]])
    first_t, last_t = t[starts], np.maximum.reduceat(t, starts)
    within = np.searchsorted(first_t, last_t.astype(np.int64) + w, "right") - 1
    return np.minimum(np.maximum(within, np.arange(1, len(starts) + 1)), len(starts) - 1)


def tod_order(ev: Events) -> np.ndarray:
    """The argsort of events by (key, time of day): computed once per kind, it orders
    every time-shifted replicate (:func:`shifted_order`)."""
    return np.argsort(ev.key.astype(np.int64, copy=False) * _DAY + ev.t % _DAY)  # ties in any order


def tod_candidates(ev: Events, reach: int) -> np.ndarray:
    """Per event of a time-shifted kind in (key, time of day) order (:func:`tod_order`):
    does its key have two events within ``reach`` seconds of each other in time of day?

    A replicate moves tweets by whole days and keeps their time of day, so two events of
    a key can come within ``reach`` seconds of each other only when their times of day
    are that close (across midnight too). A key without such a pair has no pair for the
    weights and no linked event for the bursts in any replicate, so no crowd of it is
    ever judged either: its events are dropped once, and every weight and burst stays
    the same (at specimen scale 8, 92% of co_retweet's events and 97% of co_reply's: a
    retweeted tweet or a replied-to tweet is shared by a few tweets at any time of day).
    :func:`run_null` passes the wider of the weights' window and the bursts' linkage
    window; :func:`day_candidates` applies the same rule within a key's spells;
    guarded by tests/coordination/test_null.py::test_time_null_drops_only_keys_that_can_never_link
    """
    return _tod_linked(ev.key, ev.t % _DAY, reach)


def _tod_linked(key: np.ndarray, tod: np.ndarray, reach: int) -> np.ndarray:
    """Per value in (key, time of day) order: does its key hold two values within
    ``reach`` seconds of time of day, across midnight too?"""
    n = len(key)
    if n < 2:
        return np.zeros(n, bool)
    same = key[1:] == key[:-1]
    linked = np.zeros(int(key.max()) + 1, bool)
    linked[key[1:][same & (tod[1:] - tod[:-1] <= reach)]] = True
    # across midnight: a key's last time of day and its first, a day later
    first = np.flatnonzero(np.r_[True, ~same])
    last = np.r_[first[1:], n] - 1
    linked[key[first][tod[first] + _DAY - tod[last] <= reach]] = True
    return linked[key]


def day_candidates(ev: Events, reach: int, max_shift_days: int) -> np.ndarray:
    """Per event of a time-shifted kind: :func:`tod_candidates` within its key's *spell*.

    A spell is a run of a key's events, in day order, with no gap of more than
    ``2 * max_shift_days + 1 + reach // 86400`` days. Two events of different spells are
    at least that far apart, so in any replicate (each moved at most ``max_shift_days``
    days either way) they fall two or more days apart: more than ``reach`` from each
    other, never on the same (key, UTC day), so never in the same pair, burst or crowd.
    A spell without two events close in time of day is dropped, as
    :func:`tod_candidates` drops a key: every weight and burst stays the same. This
    drops a key used again months or years later (a text, a link) where time of day
    alone keeps all of it;
    guarded by tests/coordination/test_null.py::test_time_null_drops_only_spells_that_can_never_link
    """
    n = len(ev)
    if n < 2:
        return np.zeros(n, bool)
    day = ev.t // _DAY
    gap = 2 * int(max_shift_days) + 1 + int(reach) // _DAY
    by_day = np.lexsort((day, ev.key))
    k, d = ev.key[by_day], day[by_day]
    new = np.empty(n, bool)
    new[0] = True
    new[1:] = (k[1:] != k[:-1]) | (d[1:] - d[:-1] > gap)
    del k, d, day
    spell = np.empty(n, np.int64)
    spell[by_day] = np.cumsum(new) - 1
    del new, by_day
    tod = ev.t % _DAY
    by_tod = np.argsort(spell * _DAY + tod)
    keep = np.empty(n, bool)
    keep[by_tod] = _tod_linked(spell[by_tod], tod[by_tod], reach)
    return keep


def shifted_order(ev: Events, moved_t: np.ndarray, base: np.ndarray,
                  max_shift_days: int) -> np.ndarray:
    """The argsort of events by (key, moved time) when every time moved by whole days.

    A whole-day shift keeps the time of day, so ``base`` (:func:`tod_order`) holds each
    (key, day)'s events in time order already: a stable sort by (key, moved day) alone
    finishes it, and that code has few values, so it is sorted by 16-bit digits with
    numpy's radix sort (least significant digit first), each pass O(n);
    guarded by tests/coordination/test_null.py::test_shifted_order_sorts_by_key_and_moved_time
    """
    if len(ev) == 0:
        return np.zeros(0, np.int64)
    day = ev.t // _DAY
    lo = int(day.min()) - max_shift_days
    n_days = int(day.max()) + max_shift_days - lo + 1
    top = (int(ev.key.max()) + 1) * n_days
    code = ev.key.astype(np.int64, copy=False) * n_days + (moved_t // _DAY - lo)
    order, shift = base, 0
    while True:  # loop over 16-bit digits of the code (one to four)
        digit = ((code[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if (top - 1) >> shift == 0:
            return order


def shared_subsets(ev: Events, w: int, run_window: int | None) -> tuple[Events, Events]:
    """One pass over a replicate's events in (key, time) order for the weights and the bursts.

    Returns (the events with another event of their key within ``w`` seconds, which are
    all :func:`~casebook.coordination.engine.weights` looks at; every event of the (key,
    UTC day) runs that hold an event with another of its key within ``run_window``, which
    are all :func:`~casebook.coordination.groups.burst_members` looks at, crowd rule
    included: a crowd counts every account of a judged (key, day)). Both keep the (key,
    time) order of ``ev`` (``order`` set), so the weights and the bursts computed on them
    are those of ``ev`` exactly, ties included; without ``run_window`` the second is
    ``ev`` itself. The gathers in sorted order are done once instead of twice;
    guarded by tests/coordination/test_null.py::test_shared_subsets_give_the_same_weights_and_bursts
    """
    ev = ordered(ev)
    n = len(ev)
    order = ev.order
    # the temporaries are freed as soon as they are used: a text kind has ten events per
    # text, and two replicates run at once
    k = ev.key[order]
    same = k[1:] == k[:-1]
    del k
    t = ev.t[order]
    dt = t[1:] - t[:-1]

    def subset(mask: np.ndarray) -> Events:
        at = order[mask]
        return Events(ev.pos[at], ev.key[at], ev.t[at], ev.user[at], ev.labels,
                      ev.pair_filter, ev.similarity, np.arange(len(at), dtype=np.int64))

    if n < 2:  # no event has a neighbour (a slice of moved_subsets may hold one)
        # two objects: moved_subsets empties each subset's slices as it joins them
        return subset(np.zeros(n, bool)), (ev if run_window is None else subset(np.zeros(n, bool)))

    near = either_end(same & (dt <= w))
    if run_window is None:
        return subset(near), ev
    judged = either_end(same & (dt <= run_window))
    del dt
    day = t // _DAY
    del t
    cut = np.empty(n, bool)
    cut[0] = True
    np.not_equal(day[1:], day[:-1], out=cut[1:])
    del day
    cut[1:] |= ~same
    del same
    run = np.cumsum(cut, dtype=np.int32 if n < 2**31 else np.int64)  # runs numbered from 1
    del cut
    in_run = np.bincount(run[judged], minlength=int(run[-1]) + 1)[run] > 0
    return subset(near), subset(in_run)


def key_sorted(key: np.ndarray) -> bool:
    """Are the keys in order (as ``near_duplicate`` makes its events)?"""
    return len(key) < 2 or bool((key[1:] >= key[:-1]).all())


def moved_subsets(ev: Events, tweet_sec: np.ndarray | None, tweet_user: np.ndarray | None,
                  w: int, run_window: int | None, *, by_key: bool,
                  keep_runs: bool = True) -> tuple[Events, Events | None]:
    """:func:`shared_subsets` of a text kind's events moved to their receivers' times and
    accounts (``tweet_sec``, ``tweet_user`` per tweet position; None: the events' own);
    the second is None unless ``keep_runs``.

    With ``by_key`` (the events are in key order, as ``near_duplicate`` makes them), the
    events are moved and sorted in slices of about :data:`TEXT_CHUNK` events cut between
    keys: no pair and no burst spans two keys, so the slices' subsets, joined, are the
    whole's (a key's events stay in order), and a replicate's temporaries are a slice's,
    not those of every event of the kind (four gigabytes at specimen scale 16);
    guarded by tests/coordination/test_null.py::test_moved_subsets_by_slices_equal_the_whole
    """
    n = len(ev)
    cuts = [0, n]
    if by_key and n > TEXT_CHUNK:
        # each slice starts at the first event of the key at a multiple of TEXT_CHUNK
        cuts = sorted({0, n, *np.searchsorted(ev.key, ev.key[TEXT_CHUNK::TEXT_CHUNK], "left").tolist()})
    user = None if tweet_user is None else tweet_user.astype(ev.user.dtype, copy=False)
    # a receiver's time is a tweet's own: it fits the events' type (seconds_type)
    sec = None if tweet_sec is None else tweet_sec.astype(ev.t.dtype, copy=False)
    both = _packed(sec, user)
    nears, runs = [], []
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):  # loop over slices of keys
        pos = ev.pos[lo:hi]
        # the text (pos, its signature) stays; its time and account are the receiver's;
        # events made in (key, time) order stay so but within a (key, block)
        if both is not None:
            got = both[pos].view(ev.t.dtype).reshape(-1, 2)
            t, u = got[:, 0].copy(), got[:, 1].copy()
            del got
        else:
            t = ev.t[lo:hi] if sec is None else sec[pos]
            u = ev.user[lo:hi] if user is None else user[pos]
        moved = ordered(Events(pos, ev.key[lo:hi], t, u, ev.labels, ev.pair_filter,
                               ev.similarity), nearly_sorted=True)
        del t, u
        near, run = shared_subsets(moved, w, run_window)
        del moved
        nears.append(near)
        if keep_runs:  # without run_window, every moved event (in its sorted order)
            runs.append(run if run_window is not None or len(cuts) == 2
                        else run.sorted_subset(np.ones(len(run), bool)))
        del near, run
    return _joined(nears, ev), (_joined(runs, ev) if keep_runs else None)


def _packed(sec: np.ndarray | None, user: np.ndarray | None) -> np.ndarray | None:
    """Each tweet's (time, account) as one 64-bit value, when both are 32-bit: a text
    kind's events read them at positions spread over the whole release, and one gather
    of both halves the cache misses of two (0.22-0.28 s instead of 0.43-0.47 s for 8.4M
    events at specimen scale 8); None otherwise.
    """
    if sec is None or user is None or sec.dtype != np.int32 or user.dtype != np.int32:
        return None
    both = np.empty((len(sec), 2), np.int32)
    both[:, 0] = sec
    both[:, 1] = user
    return both.view(np.int64).ravel()


def _joined(parts: list[Events], like: Events) -> Events:
    """Events of consecutive key slices, each in (key, time) order, as one (order set).

    ``parts`` is emptied, each field of the slices freed as soon as it is joined (the
    list must hold the only references, to distinct objects): a replicate joined its near
    and run subsets beside all their slices (a replicate's peak at specimen scale 16).
    """
    if len(parts) == 1:
        return parts.pop()
    fields = []
    for f in ("pos", "key", "t", "user"):  # loop over the four fields
        fields.append(np.concatenate([getattr(p, f) for p in parts]))
        for p in parts:  # loop over slices
            setattr(p, f, None)
    parts.clear()
    out = Events(*fields, like.labels, like.pair_filter, like.similarity)
    out.order = np.arange(len(out), dtype=np.int32 if len(out) < 2**31 else np.int64)
    return out


def compact(weighted: tuple[np.ndarray, np.ndarray], n_users: int) -> tuple[np.ndarray, np.ndarray]:
    """(pair codes, weights) as 32-bit integers when every code and weight fits.

    A replicate's weights are kept until every replicate has run (the thresholds need
    them all): 1.4M pairs of one kind per replicate at specimen scale 16. Every use
    divides the codes by ``n_users`` or compares the weights, which 32 bits do alike;
    guarded by tests/coordination/test_null.py::test_compact_weights_keep_their_values
    """
    codes, wts = weighted
    top = np.iinfo(np.int32).max
    if n_users * n_users > top or (len(wts) and int(wts.max()) > top):
        return weighted
    return codes.astype(np.int32), wts.astype(np.int32)


@dataclass
class NullRun:
    """The replicates of one release: per replicate, per kind, (pair codes, weights)."""

    prep: Prepared
    kinds: list[str]
    weights: list[dict[str, tuple[np.ndarray, np.ndarray]]]
    max_shift_days: int
    text_block: int
    #: Per replicate, what ``collect`` returned (:func:`run_null`); empty without it.
    collected: list[Any] = field(default_factory=list)

    @property
    def n_null(self) -> int:
        return len(self.weights)

    def account_max(self, kind: str) -> np.ndarray:
        """(replicates x accounts) heaviest edge of each account, 0 without an edge."""
        n = self.prep.n_users
        out = np.zeros((self.n_null, n), np.int64)
        for r, per_kind in enumerate(self.weights):  # loop over replicates only
            codes, wts = per_kind[kind]
            np.maximum.at(out[r], codes // n, wts)
            np.maximum.at(out[r], codes % n, wts)
        return out


def _texts_only(ev: Events, keep: np.ndarray) -> Events:
    """The events of a text kind that ``keep`` marks, without their times and accounts.

    A text-shuffled replicate gives every event its receiver's time and account
    (:func:`moved_subsets`), so the events' own are never read there; only their integer
    types are kept (0.15 GB of the 19M near-duplicate events held through the replicates
    at specimen scale 8);
    guarded by tests/coordination/test_null.py::test_text_kinds_enter_the_replicates_without_times_or_accounts
    """
    return Events(ev.pos[keep], ev.key[keep], np.empty(0, ev.t.dtype),
                  np.empty(0, ev.user.dtype), ev.labels, ev.pair_filter, ev.similarity)


@dataclass
class NullInputs:
    """A release's events as every replicate reads them (:func:`null_inputs`)."""

    kind_events: dict[str, Events]
    blocks: tuple[np.ndarray, np.ndarray]  # :func:`_text_blocks`
    bases: dict[str, np.ndarray]           # per time-shifted kind, its events' positions
    by_key: dict[str, bool]                # per text kind, are its events in key order?
    text_block: int
    reach: int
    max_shift_days: int


def _check_text_block(text_block: int) -> int:
    if isinstance(text_block, bool) or int(text_block) != text_block or text_block < 2:
        raise UsageError(f"text_block must be an integer >= 2, got {text_block!r}")
    return int(text_block)


def _check_max_shift_days(max_shift_days: int) -> int:
    if isinstance(max_shift_days, bool) or int(max_shift_days) != max_shift_days or max_shift_days < 1:
        raise UsageError(f"max_shift_days must be an integer >= 1, got {max_shift_days!r}")
    return int(max_shift_days)


def null_inputs(prep: Prepared, kind_events: Mapping[str, Events], reach: int, *,
                text_block: int = TEXT_BLOCK,
                max_shift_days: int = MAX_SHIFT_DAYS) -> NullInputs:
    """Each kind's events prepared once for every replicate of :func:`run_null`.

    ``reach`` is the wider of the weights' window and the bursts' linkage window (the
    weights' alone when no bursts are collected), in seconds: only the events that can
    meet another of their key within it in some replicate (moved at most
    ``max_shift_days`` either way) are kept (:func:`text_candidates`,
    :func:`tod_candidates`, :func:`day_candidates`). The events are only read, so
    another thread may read them meanwhile (the cohorts' bursts are counted beside this).
    """
    text_block = _check_text_block(text_block)
    # a gap of no days would split every key into spells of a day and drop them
    max_shift_days = _check_max_shift_days(max_shift_days)
    blocks = _text_blocks(prep, text_block)
    events: dict[str, Events] = {}
    for k, ev in kind_events.items():  # loop over kinds; each is vectorised
        if k in TEXT_KINDS:
            # guarded by tests/coordination/test_null.py::test_text_null_keeps_every_event_a_burst_can_link
            events[k] = _texts_only(ev, text_candidates(prep, ev, text_block, reach, blocks))
        else:
            # each time-shifted kind's events are put in (key, time of day) order once (one
            # sort per kind): a replicate's (key, moved time) order then only moves events
            # within a key's run, so its gathers stay in the CPU cache; the order of the
            # events changes no weight and no burst
            ev = ev.subset(tod_order(ev))
            ev = ev.subset(tod_candidates(ev, reach))  # a cheap first cut, in this order
            events[k] = ev.subset(day_candidates(ev, reach, max_shift_days))
        del ev
    bases = {k: np.arange(len(ev), dtype=np.int32 if len(ev) < 2**31 else np.int64)
             for k, ev in events.items() if k not in TEXT_KINDS}
    by_key = {k: key_sorted(ev.key) for k, ev in events.items() if k in TEXT_KINDS}
    return NullInputs(events, blocks, bases, by_key, text_block, int(reach), max_shift_days)


def replicate_bytes(prep: Prepared, kind_events: Mapping[str, Events]) -> int:
    """Memory one replicate holds at once, estimated: every tweet's moved time, and
    :data:`REPLICATE_BYTES_PER_EVENT` for each event of its largest kind."""
    largest = max((len(ev.pos) for ev in kind_events.values()), default=0)
    return 8 * len(prep.sec) + REPLICATE_BYTES_PER_EVENT * largest


def run_null(
    prep: Prepared,
    kind_events: Mapping[str, Events] | NullInputs,
    w: int,
    *,
    n_null: int = N_NULL,
    seed: int = 0,
    max_shift_days: int = MAX_SHIFT_DAYS,
    text_block: int = TEXT_BLOCK,
    max_pairs: int = MAX_PAIRS,
    collect: Callable[[Iterator[tuple[str, tuple[Events, np.ndarray]]]], Any] | None = None,
    collect_window: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> NullRun:
    """Weights of every kind on ``n_null`` replicates, from the release's own events.

    ``kind_events`` holds each kind's events as :func:`~casebook.coordination.kinds.events`
    made them for the real data, or as :func:`null_inputs` prepared them already (then
    ``text_block`` is theirs); nothing is prepared again. ``collect``, when given, is
    called on every replicate with an iterator of ``(kind, (moved events, account of
    every tweet position))``, one kind at a time (a kind's events are freed before the
    next kind moves), and its results are kept in :attr:`NullRun.collected` (the group
    statistic of :mod:`casebook.coordination.groups` is computed this way, on the very
    replicates that set the per-kind thresholds). With ``collect_window`` (the bursts'
    linkage window in seconds), ``collect`` receives only the events of the (key, UTC day)
    runs that hold two events of a key within it (:func:`shared_subsets`): all that
    :func:`~casebook.coordination.groups.burst_members` uses, found in the same pass as
    the events the weights use. ``progress``, when given, is called with a short label
    as each replicate ends (from the thread that ran it).
    """
    n_null = check_n_null(n_null)
    max_shift_days = _check_max_shift_days(max_shift_days)
    window = None if collect is None or collect_window is None else int(collect_window)
    # events that can meet another of their key within the weights' window or the
    # bursts' linkage window, whichever is wider
    reach = max(w, window or 0)
    if isinstance(kind_events, NullInputs):
        inputs = kind_events
        if inputs.reach < reach:
            raise UsageError(f"the events were prepared for {inputs.reach} s, narrower than "
                             f"the {reach} s these replicates link",
                             hint="prepare them with null_inputs(..., reach) of this window")
        if inputs.max_shift_days < max_shift_days:
            raise UsageError(f"the events were prepared for shifts of {inputs.max_shift_days} "
                             f"days, fewer than these replicates' {max_shift_days}",
                             hint="prepare them with null_inputs(..., max_shift_days=...)")
    else:
        inputs = null_inputs(prep, kind_events, reach, text_block=text_block,
                             max_shift_days=max_shift_days)
    del kind_events
    text_block, blocks = inputs.text_block, inputs.blocks
    kind_events, bases, by_key = inputs.kind_events, inputs.bases, inputs.by_key
    kinds = list(kind_events)
    seeds = np.random.SeedSequence(seed).spawn(n_null)
    shift_kinds = [k for k in kinds if k not in TEXT_KINDS]
    text_kinds = [k for k in kinds if k in TEXT_KINDS]

    def replicate(child: np.random.SeedSequence) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], Any]:
        rng = np.random.default_rng(child)
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

        def moved_kinds() -> Iterator[tuple[str, tuple[Events, np.ndarray]]]:
            """Each kind's weights into ``out``, and its burst runs yielded: ``collect``
            reads one kind's runs at a time, freed before the next kind moves (every
            kind's runs of a replicate, held to its end, were most of its memory)."""
            if shift_kinds:
                sec = shifted_seconds(prep.sec, rng, int(max_shift_days))
                # the moved times as narrow as the events' own (a replicate copies them per kind)
                sec = sec.astype(seconds_type(sec), copy=False)
                for k in shift_kinds:  # loop over kinds; each is vectorised
                    ev = kind_events[k]
                    # ordered by (key, moved time) once: the weights and the bursts share it
                    t = sec[ev.pos]
                    moved = Events(ev.pos, ev.key, t, ev.user, ev.labels, ev.pair_filter,
                                   ev.similarity,
                                   shifted_order(ev, t, bases[k], int(max_shift_days)))
                    del t
                    near, runs = shared_subsets(moved, w, window)
                    del moved
                    out[k] = compact(weights(near, w, prep.ucode, prep.n_users,
                                             max_pairs=max_pairs), prep.n_users)
                    del near
                    yield k, (runs, prep.ucode)
                    del runs
            if text_kinds:
                receiver = text_receivers(prep, rng, int(text_block), blocks)
                tweet_user = prep.ucode[receiver]
                tweet_sec = prep.sec[receiver]
                del receiver
                for k in text_kinds:
                    near, runs = moved_subsets(kind_events[k], tweet_sec, tweet_user, w, window,
                                               by_key=by_key[k], keep_runs=collect is not None)
                    out[k] = compact(weights(near, w, tweet_user, prep.n_users,
                                             max_pairs=max_pairs), prep.n_users)
                    del near
                    yield k, (runs, tweet_user)
                    del runs

        moved = moved_kinds()
        kept = collect(moved) if collect is not None else None
        for _ in moved:  # the kinds collect left unread still get their weights
            pass
        if progress is not None:
            progress("chance replicate")
        return out, kept

    # replicates on threads (numpy releases the GIL in sorts and searches); each has its
    # own seed, so the result does not depend on the order the threads run in
    done = mapped(replicate, seeds, name="null", memory_each=replicate_bytes(prep, kind_events))
    return NullRun(prep, kinds, [d[0] for d in done], int(max_shift_days), int(text_block),
                   [d[1] for d in done] if collect is not None else [])


def null_networks(
    tweets: Any,
    *,
    kinds: str | Sequence[str] = DEFAULT_KINDS,
    window: Window = "1min",
    n_null: int = N_NULL,
    seed: int = 0,
    min_weight: int = 1,
    max_shift_days: int = MAX_SHIFT_DAYS,
    text_block: int = TEXT_BLOCK,
    near_duplicate: NearDuplicateOptions | None = None,
) -> pd.DataFrame:
    """The coordination networks of ``n_null`` chance replicates of a release.

    Window kinds are computed on time-shifted replicates (every tweet moved by its own
    random whole number of days, at most ``max_shift_days`` either way, keeping its time
    of day); ``near_duplicate`` on text-shuffled replicates (texts shuffled across the
    original tweets of blocks of ``text_block`` consecutive tweets). See
    :mod:`casebook.coordination.null` for why.

    Parameters
    ----------
    tweets
        Tweets (or a ``Release``).
    kinds, window, near_duplicate
        As for :func:`~casebook.coordination.networks`.
    n_null
        Replicates (>= 2).
    seed
        Seed of the replicates.
    min_weight
        Drop replicate edges lighter than this.
    max_shift_days, text_block
        The null models' parameters (:data:`MAX_SHIFT_DAYS`, :data:`TEXT_BLOCK`).

    Returns
    -------
    pandas.DataFrame
        ``replicate, source, target, weight, kind``: every replicate's edges, by
        replicate, then kind order, then weight (descending).

    Examples
    --------
    >>> null = null_networks(release, kinds=["co_retweet"], n_null=20, seed=0)  # doctest: +SKIP
    >>> null.groupby("replicate")["weight"].max()  # doctest: +SKIP
    """
    chosen = unique_kinds(kinds)
    w = window_seconds(window)
    prep = prepare(tweets_frame(tweets), chosen)
    run = run_null(prep, {k: events(prep, k, near_duplicate=near_duplicate) for k in chosen}, w,
                   n_null=n_null, seed=seed, max_shift_days=max_shift_days,
                   text_block=text_block)
    frames = []
    for r, per_kind in enumerate(run.weights):  # loop over replicates only
        for k in chosen:
            codes, wts = per_kind[k]
            keep = wts >= min_weight
            frames.append(edges_frame(prep, codes[keep], wts[keep], k).assign(replicate=r))
    frames = [f for f in frames if len(f)]
    out = pd.concat(frames, ignore_index=True) if frames else empty_edges().assign(
        replicate=np.zeros(0, np.int64))
    return out[["replicate", "source", "target", "weight", "kind"]]
