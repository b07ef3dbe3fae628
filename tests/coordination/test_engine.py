"""The pair engine: the one-sort weight code and its fallback agree."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook.coordination import engine
from tests.coordination._tweets import cnt_reference, tweet_frames, weights


@settings(max_examples=30, deadline=None)
@given(tweets=tweet_frames(), kind=st.sampled_from(co.CNT_KINDS), max_pairs=st.sampled_from([2, co.MAX_PAIRS]))
def test_weights_without_the_one_sort_code_are_the_same(tweets: pd.DataFrame, kind: str,
                                                          max_pairs: int) -> None:
    # many accounts x many tweets would overflow the one-sort code: the fallback agrees
    with patch.object(engine, "ONE_SORT_LIMIT", 0):
        got = co.coordination_network(tweets, kind=kind, max_pairs=max_pairs)
    assert weights(got) == cnt_reference(tweets, kind, 60)


@st.composite
def random_events(draw: st.DrawFn) -> tuple[engine.Events, np.ndarray, int]:
    """Events of a few keys over a short span (many ties and near misses), some tweets
    with several keys, and the account of every tweet position."""
    n_tweets = draw(st.integers(2, 40))
    n_users = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    tweet_user = rng.integers(0, n_users, n_tweets)
    tweet_t = rng.integers(0, draw(st.sampled_from([1, 120, 600, 200_000])), n_tweets)
    pos = rng.integers(0, n_tweets, draw(st.integers(0, 80)))
    key = rng.integers(0, draw(st.integers(1, 5)), len(pos))
    code = np.unique(pos * 10 + key)  # one event per (tweet, key)
    pos, key = code // 10, code % 10
    ev = engine.Events(pos, key, tweet_t[pos], tweet_user[pos])
    return ev, tweet_user, n_users


def _reference_weights(ev: engine.Events, w: int, tweet_user: np.ndarray,
                       n_users: int) -> dict[int, int]:
    """The definition, by brute force over every pair of events: distinct (tweet of A,
    account B) with the same key within w, counted per (A, B)."""
    i, j = np.nonzero((ev.key[:, None] == ev.key[None, :])
                      & (np.abs(ev.t[:, None] - ev.t[None, :]) <= w)
                      & (ev.user[:, None] != ev.user[None, :]))
    tweet_target = np.unique(ev.pos[i] * n_users + ev.user[j])
    pair = tweet_user[tweet_target // n_users] * n_users + tweet_target % n_users
    u, k = np.unique(pair, return_counts=True)
    return dict(zip(u.tolist(), k.tolist(), strict=True))


@settings(max_examples=150, deadline=None)
@given(data=random_events(), w=st.sampled_from([0, 60, 120]),
       max_pairs=st.sampled_from([1, 3, co.MAX_PAIRS]), shuffled_ties=st.booleans())
def test_weights_of_events_with_a_neighbour_are_the_same(
    data: tuple[engine.Events, np.ndarray, int], w: int, max_pairs: int, shuffled_ties: bool,
) -> None:
    # the engine searches windows among the events with a neighbour only, sorted once (or
    # in an order handed over with ties in any order): the weights are the definition's
    ev, tweet_user, n_users = data
    if shuffled_ties and len(ev):
        tie_break = np.random.default_rng(len(ev)).random(len(ev))
        ev.order = np.lexsort((tie_break, ev.t, ev.key))
    codes, wts = engine.weights(ev, w, tweet_user, n_users, max_pairs=max_pairs)
    assert (np.diff(codes) > 0).all()
    assert dict(zip(codes.tolist(), wts.tolist(), strict=True)) == _reference_weights(
        ev, w, tweet_user, n_users)


@settings(max_examples=100, deadline=None)
@given(data=random_events(), w=st.sampled_from([0, 60, 120]))
def test_neighbours_and_sorted_subsets_follow_their_definition(
    data: tuple[engine.Events, np.ndarray, int], w: int,
) -> None:
    ev, _, _ = data
    near = engine.neighbours(ev, w)
    other = ~np.eye(len(ev), dtype=bool)
    expected = ((ev.key[:, None] == ev.key[None, :]) & (np.abs(ev.t[:, None] - ev.t[None, :]) <= w)
                & other).any(axis=1)
    assert near.tolist() == expected.tolist()
    sub = engine.ordered(ev).sorted_subset(near)
    assert sorted(sub.pos.tolist()) == sorted(ev.pos[near].tolist())
    pairs = list(zip(sub.key.tolist(), sub.t.tolist(), strict=True))
    assert pairs == sorted(pairs) and sub.order.tolist() == list(range(len(sub)))


def test_int32_events_give_the_int64_results() -> None:
    # near_duplicate keeps int32 positions, keys and accounts: every packed code (key x
    # time, key x day, pair codes) is computed in int64, so large keys over a long span
    # give what the int64 events give instead of wrapping around
    from casebook.coordination import groups, null

    rng = np.random.default_rng(7)
    n_tweets, n_users = 300, 5
    tweet_user = rng.integers(0, n_users, n_tweets)
    tweet_t = 1_600_000_000 + rng.integers(0, 40, n_tweets) * 86_400 + rng.integers(0, 300, n_tweets)
    pos = np.repeat(np.arange(n_tweets), 2)
    key = rng.integers(0, 4, len(pos)) * 700_000_000  # up to 2.1e9: fits int32, key x span does not
    code = np.unique(pos.astype(np.int64) * 4 + key // 700_000_000)
    pos, key = code // 4, (code % 4) * 700_000_000
    wide = engine.Events(pos, key, tweet_t[pos], tweet_user[pos])
    narrow = engine.Events(pos.astype(np.int32), key.astype(np.int32),
                           tweet_t[pos].astype(engine.seconds_type(tweet_t)),
                           tweet_user[pos].astype(np.int32))
    assert narrow.t.dtype == np.int32
    for w in (60, 600):
        got = engine.weights(narrow, w, tweet_user, n_users, max_pairs=co.MAX_PAIRS)
        want = engine.weights(wide, w, tweet_user, n_users, max_pairs=co.MAX_PAIRS)
        assert len(want[0]) > 0
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        for a, b in zip(groups.burst_members(narrow, w, tweet_user, max_pairs=co.MAX_PAIRS,
                                             max_accounts=3),
                        groups.burst_members(wide, w, tweet_user, max_pairs=co.MAX_PAIRS,
                                             max_accounts=3), strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(groups.crowd_events(narrow, 2), groups.crowd_events(wide, 2))
    # keys 0 and 2**26 over 64 days: (key, day) codes that coincide modulo 2**32
    k = np.array([0, 0, 2**26, 2**26, 0])
    t = np.array([0, 0, 0, 0, 63]) * 86_400 + 1_600_000_000
    u = np.array([0, 1, 2, 3, 0])
    crowd = groups.crowd_events(engine.Events(np.arange(5, dtype=np.int32), k.astype(np.int32),
                                              t, u.astype(np.int32)), 3)
    assert not crowd.any()  # two accounts per key and day
    for ev in (narrow, wide):  # (key, time of day) and (key, time) orders sort as int64 does
        sk = key * 86_400 + ev.t % 86_400
        assert (np.diff(sk[null.tod_order(ev)]) >= 0).all()
        sk = key * (2**33) + ev.t
        assert (np.diff(sk[engine.key_time_order(ev)]) >= 0).all()


def test_seconds_type_leaves_room_for_windows_and_shifts() -> None:
    assert engine.seconds_type(np.array([1_600_000_000, 1_700_000_000])) is np.int32
    # within a year of 2038, or of 1901: a window or a shift could wrap around
    assert engine.seconds_type(np.array([1_600_000_000, 2**31 - 30 * 86_400])) is np.int64
    assert engine.seconds_type(np.array([-(2**31) + 30 * 86_400, 0])) is np.int64
    assert engine.seconds_type(np.zeros(0, np.int64)) is np.int32
    # a release's near duplicates keep their times in the narrow type, unchanged
    from casebook.coordination.kinds import events, prepare
    from tests._frames import make_tweets
    from tests.coordination._tweets import post

    prep = prepare(make_tweets([post(f"u{i}", i, "the same words posted again by all")
                                for i in range(6)]))
    ev = events(prep, "near_duplicate")
    assert len(ev) > 0 and ev.t.dtype == np.int32
    np.testing.assert_array_equal(ev.t, prep.sec[ev.pos])


@settings(max_examples=100, deadline=None)
@given(data=random_events(), nearly_sorted=st.booleans())
def test_key_time_order_sorts_whatever_the_hint(
        data: tuple[engine.Events, np.ndarray, int], nearly_sorted: bool) -> None:
    # a text-shuffled replicate asks for a stable sort (its events are nearly in order);
    # either way every event comes once, in (key, time) order
    ev, _, _ = data
    order = engine.key_time_order(ev, nearly_sorted=nearly_sorted)
    assert sorted(order.tolist()) == list(range(len(ev)))
    got = list(zip(ev.key[order].tolist(), ev.t[order].tolist(), strict=True))
    assert got == sorted(got)


def test_chunks_hold_whole_tweets_and_about_max_pairs() -> None:
    # one key, 2,000 tweets of 50 accounts over ten minutes: each tweet's window holds
    # hundreds of others, so the pairs come in many chunks
    rng = np.random.default_rng(7)
    n = 2000
    tweet_user = rng.integers(0, 50, n)
    pos = np.repeat(np.arange(n), 2)  # two keys per tweet: its events must share a chunk
    key = np.tile([0, 1], n)
    ev = engine.Events(pos, key, rng.integers(0, 600, n)[pos], tweet_user[pos])
    whole = list(engine.window_pairs(ev, 60, max_pairs=engine.MAX_PAIRS))
    assert len(whole) == 1
    max_pairs = len(whole[0][0]) // 20
    chunks = list(engine.window_pairs(ev, 60, max_pairs=max_pairs))
    assert 15 <= len(chunks) <= 25
    tweets = [set(ev.pos[ia].tolist()) for ia, _ in chunks]
    assert sum(map(len, tweets)) == len(set().union(*tweets))  # no tweet in two chunks
    assert max(len(ia) for ia, _ in chunks) <= 1.5 * max_pairs
    got = np.sort(np.concatenate([ia * len(ev) + ib for ia, ib in chunks]))
    np.testing.assert_array_equal(got, np.sort(whole[0][0] * len(ev) + whole[0][1]))


def test_pair_chunks_spread_positions_evenly() -> None:
    pos = np.arange(1_000_000, dtype=np.int32)
    for n_chunks in (1, 7, 300):
        chunk = engine.pair_chunks(pos, n_chunks)
        counts = np.bincount(chunk, minlength=n_chunks)
        assert len(counts) == n_chunks  # every chunk number is below n_chunks
        assert counts.max() <= 1.05 * counts.mean()
    assert engine.pair_chunks(np.array([5, 5, 2**40]), 70_000).dtype == np.int64


@settings(max_examples=100, deadline=None)
@given(codes=st.lists(st.integers(0, 2**40), max_size=60), data=st.data())
def test_summed_adds_the_counts_of_each_code(codes: list[int], data: st.DataObject) -> None:
    small = data.draw(st.booleans())  # both 32-bit (the packed sort) or not
    codes = [c % 2**32 if small else c for c in codes]
    counts = data.draw(st.lists(st.integers(0, 2**32 - 1 if small else 2**40),
                                min_size=len(codes), max_size=len(codes)))
    got_codes, got_counts = engine.summed(np.array(codes, np.int64), np.array(counts, np.int64))
    want = pd.Series(counts, index=codes, dtype="int64").groupby(level=0).sum()
    np.testing.assert_array_equal(got_codes, want.index.to_numpy(np.int64))
    np.testing.assert_array_equal(got_counts, want.to_numpy())
    assert got_codes.dtype == got_counts.dtype == np.int64
