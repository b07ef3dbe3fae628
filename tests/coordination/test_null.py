"""Chance replicates: time-shifted tweets, texts shuffled across accounts."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook.coordination.engine import Events
from casebook.coordination.kinds import Prepared, prepare
from casebook.coordination.null import (
    compact,
    shifted_order,
    shifted_seconds,
    text_receivers,
    tod_order,
)
from casebook.errors import UsageError
from tests._frames import make_tweets
from tests.coordination._tweets import at, post, rt


def test_time_shift_keeps_each_accounts_volume_and_hour_profile() -> None:
    rng = np.random.default_rng(3)
    sec = rng.integers(1_600_000_000, 1_610_000_000, 5000)
    user = rng.integers(0, 40, 5000)
    moved = shifted_seconds(sec, np.random.default_rng(1), 30)
    shift = moved - sec
    assert (shift % 86_400 == 0).all() and np.abs(shift).max() <= 30 * 86_400
    assert (shift != 0).mean() > 0.9  # most tweets do move
    hours = pd.DataFrame({"user": user, "before": sec // 3600 % 24, "after": moved // 3600 % 24})
    assert (hours["before"] == hours["after"]).all()  # hour of day kept, to the second
    assert np.array_equal(moved, shifted_seconds(sec, np.random.default_rng(1), 30))


def test_text_shuffle_moves_texts_across_accounts_within_blocks() -> None:
    rows = [post(f"u{i % 7}", i, f"text {i}") for i in range(50)]
    rows += [rt(f"u{i % 7}", i + 0.5, f"r{i}") for i in range(10)]
    prep = prepare(make_tweets(rows))
    receiver = text_receivers(prep, np.random.default_rng(0), 20)
    originals = np.flatnonzero(prep.ok & ~prep.is_rt)
    retweets = np.flatnonzero(prep.is_rt)
    assert np.array_equal(np.sort(receiver[originals]), originals)  # a permutation of slots
    assert np.array_equal(receiver[retweets], retweets)  # retweets keep their own
    # every slot keeps its account and time; each account receives as many texts as it posted
    assert np.array_equal(np.bincount(prep.ucode[receiver[originals]]),
                          np.bincount(prep.ucode[originals]))
    assert (prep.ucode[receiver[originals]] != prep.ucode[originals]).mean() > 0.5
    # blocks of 20 consecutive originals (the last 10 join the block before)
    rank = np.argsort(np.argsort(prep.sec[originals], kind="stable"))
    block = np.minimum(rank // 20, 1)
    where = pd.Series(rank, index=originals)
    assert np.array_equal(block, np.minimum(where[receiver[originals]].to_numpy() // 20, 1))


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 400), block=st.integers(2, 40),
       digits=st.sampled_from([None, 1, 2]))
def test_block_order_is_the_stable_argsort(seed: int, n: int, block: int,
                                           digits: int | None) -> None:
    # the blocks are sorted as rows; with equal random numbers in a block (rounded to
    # one or two digits) the rows' quicksort would break ties in any order
    from casebook.coordination.null import _block_order

    rng = np.random.default_rng(seed)
    u = rng.random(n)
    if digits is not None:
        u = np.floor(u * 10**digits) / 10**digits
    n_blocks = max(n // block, 1)
    key = np.minimum(np.arange(n) // block, n_blocks - 1) + u
    np.testing.assert_array_equal(_block_order(key, block), np.argsort(key, kind="stable"))


def _background(n_users: int, n: int, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    return [rt(f"bg{u:02d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, n_users, n), rng.integers(0, 60 * 24 * 20, n), rng.integers(0, 300, n),
        strict=True)]


def test_a_planted_synchronous_pair_is_found_and_a_random_pair_is_not() -> None:
    rows = _background(40, 3000, 5)
    for j in range(6):  # two accounts retweeting the same tweets in the same minute, six times
        rows += [rt("plantA", 2000 * j + 7, f"p{j}"), rt("plantB", 2000 * j + 7, f"p{j}")]
    tweets = make_tweets(rows)
    cal = co.calibrated_thresholds(tweets, kind="co_retweet", n_null=20, seed=2)
    edges = cal.edges["operation"]
    strong = edges[edges["weight"] >= cal.thresholds["co_retweet"]]
    flagged = set(strong["source"]) | set(strong["target"])
    assert flagged == {"plantA", "plantB"}
    assert (cal.null_counts <= 2).all()
    row = cal.table.set_index("cohort").loc["null"]
    assert row["flagged_share"] <= 0.01 and row["replicates"] == 20
    assert row["threshold_from"] == "chance (time shift)"


def test_near_duplicate_null_shuffles_texts() -> None:
    rows = [post(f"bg{i % 30:02d}", 37 * i, f"ordinary words number {i} of the background")
            for i in range(1500)]
    text = "the same long message about the same event posted by both accounts at once {}"
    for j in range(5):
        rows += [post("plantA", 9000 * j + 11, text.format(j)),
                 post("plantB", 9000 * j + 11, text.format(j) + " ok")]
    cal = co.calibrated_thresholds(make_tweets(rows), kind="near_duplicate", n_null=20, seed=0)
    edges = cal.edges["operation"]
    strong = edges[edges["weight"] >= cal.thresholds["near_duplicate"]]
    assert set(strong["source"]) | set(strong["target"]) == {"plantA", "plantB"}
    assert cal.table.loc[cal.table["cohort"] == "null", "threshold_from"].item() == "chance (text shuffle)"
    null = co.null_networks(make_tweets(rows), kinds="near_duplicate", n_null=5, seed=0)
    assert null["weight"].max() < 5 if len(null) else True


def test_null_networks_are_seeded_and_checked() -> None:
    tweets = make_tweets(_background(20, 800, 1))
    a = co.null_networks(tweets, kinds=["co_retweet"], n_null=3, seed=4)
    pd.testing.assert_frame_equal(a, co.null_networks(tweets, kinds=["co_retweet"], n_null=3, seed=4))
    assert list(a.columns) == ["replicate", "source", "target", "weight", "kind"]
    assert set(a["replicate"]) <= {0, 1, 2}
    with pytest.raises(ValueError, match="n_null"):
        co.null_networks(tweets, n_null=1)


def _assert_replicates_weigh_the_same(prep: Prepared, ev: Events, keep: np.ndarray, block: int) -> None:
    """Every text-shuffled replicate's weights (window 60 s) are the same without the
    events ``keep`` drops."""
    from casebook.coordination.engine import weights

    sub = ev.subset(keep)
    for r in range(5):
        receiver = text_receivers(prep, np.random.default_rng(r), block)
        user = prep.ucode[receiver]
        got = [weights(Events(e.pos, e.key, prep.sec[receiver[e.pos]], user[e.pos], e.labels,
                              e.pair_filter, e.similarity), 60, user, prep.n_users,
                       max_pairs=1 << 20) for e in (ev, sub)]
        assert np.array_equal(got[0][0], got[1][0]) and np.array_equal(got[0][1], got[1][1])


def test_text_candidates_drop_only_events_that_can_never_pair() -> None:
    from casebook.coordination.kinds import events
    from casebook.coordination.null import text_candidates

    rng = np.random.default_rng(4)
    # 600 posts in five hours from 200 slogans: blocks of 50 last about 25 minutes, so a
    # key often recurs in the same block and, near a boundary, in the next one
    texts = [f"slogan {k} about the war today" for k in rng.integers(0, 200, 600)]
    texts[::37] = [f"unique text number {i} here" for i in range(len(texts[::37]))]
    rows = [post(f"u{u}", int(m), t) for u, m, t in zip(
        rng.integers(0, 25, 600), np.sort(rng.integers(0, 300, 600)), texts, strict=True)]
    prep = prepare(make_tweets(rows))
    ev = events(prep, "near_duplicate")
    keep = text_candidates(prep, ev, 50, 60)
    assert 0 < keep.sum() < len(ev)
    _assert_replicates_weigh_the_same(prep, ev, keep, 50)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 200), n_keys=st.integers(1, 40),
       block=st.integers(2, 30), order=st.sampled_from(["key, time", "key", "any"]),
       w=st.sampled_from([0, 60, 1_800, 20_000]), dense=st.sampled_from(["", "second", "minute"]))
def test_text_candidates_equal_a_reference(seed: int, n: int, n_keys: int, block: int,
                                           order: str, w: int, dense: str) -> None:
    # an event is kept when another event of its key lies in its block, a neighbouring
    # one, or a block whose times come within w of its block's; events in (key, time)
    # order (as near_duplicate makes them), in key order with their times in any order,
    # or in any order; ``dense`` packs a third of the posts into a few minutes, at any
    # second or on whole minutes (blocks shorter than w, and exactly w apart)
    from casebook.coordination.engine import Events
    from casebook.coordination.null import _text_blocks, text_candidates

    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 10_000, n).astype(float)
    if dense == "second":
        minutes[: n // 3] = 5_000 + rng.random(n // 3)
    elif dense == "minute":
        minutes[: n // 3] = 5_000 + rng.integers(0, 3, n // 3)
    rows = [post(f"u{u}", m, f"text {i}") for i, (u, m) in enumerate(
        zip(rng.integers(0, 9, n), minutes, strict=True))]
    prep = prepare(make_tweets(rows))
    m = int(rng.integers(1, 4 * n))
    pos = rng.integers(0, n, m)
    key = rng.integers(0, n_keys, m)
    at = np.lexsort((pos, prep.sec[pos], key))
    if order == "key":
        at = at[np.argsort(key[at] + rng.random(m), kind="stable")]
    elif order == "any":
        at = rng.permutation(at)
    pos, key = pos[at], key[at]
    ev = Events(pos, key, prep.sec[pos], prep.ucode[pos], None)
    slots, blk_of_slot = _text_blocks(prep, block)
    blk = np.full(n, -1)
    blk[slots] = blk_of_slot
    b = blk[pos]
    first = {int(k): int(prep.sec[slots][blk_of_slot == k].min()) for k in np.unique(blk_of_slot)}
    last = {int(k): int(prep.sec[slots][blk_of_slot == k].max()) for k in np.unique(blk_of_slot)}

    def can_meet(i: int, j: int) -> bool:
        lo, hi = sorted((int(b[i]), int(b[j])))
        return hi - lo <= 1 or first[hi] - last[lo] <= w

    ref = np.array([any(key[j] == key[i] and can_meet(i, j) for j in range(m) if j != i)
                    for i in range(m)])
    np.testing.assert_array_equal(text_candidates(prep, ev, block, w), ref)


def test_text_candidates_drop_events_around_short_blocks() -> None:
    # a burst of 200 posts in one minute makes blocks of 20 far shorter than the window;
    # events of a key further apart than the window and the next block are still
    # dropped, the burst's own kept, and no replicate's weights change
    from casebook.coordination.kinds import events
    from casebook.coordination.null import text_candidates

    rng = np.random.default_rng(7)
    quiet = np.r_[rng.integers(0, 880, 200), rng.integers(920, 2_000, 200)]
    minutes = np.r_[np.sort(quiet).astype(float), 900 + rng.random(200)]
    texts = [f"slogan {k} about the war today" for k in rng.integers(0, 60, 600)]
    rows = [post(f"u{u}", m, t) for u, m, t in zip(
        rng.integers(0, 25, 600), minutes, texts, strict=True)]
    prep = prepare(make_tweets(rows))
    ev = events(prep, "near_duplicate")
    keep = text_candidates(prep, ev, 20, 60)
    assert 0 < keep.sum() < len(ev)
    start = at(900).timestamp()
    in_burst = (prep.sec[ev.pos] >= start) & (prep.sec[ev.pos] <= start + 60)
    keys, n_in_burst = np.unique(ev.key[in_burst], return_counts=True)
    paired = in_burst & np.isin(ev.key, keys[n_in_burst > 1])
    assert paired.sum() > 100 and keep[paired].all()
    _assert_replicates_weigh_the_same(prep, ev, keep, 20)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(0, 300),
       n_keys=st.sampled_from([1, 7, 3_000, 1 << 20]), span_days=st.sampled_from([1, 40, 900]),
       max_shift_days=st.sampled_from([1, 30]))
def test_shifted_order_sorts_by_key_and_moved_time(seed: int, n: int, n_keys: int,
                                                   span_days: int, max_shift_days: int) -> None:
    # one (key, time of day) sort per kind, then radix passes by (key, moved day) per
    # replicate: the events come in (key, moved time) order, each once
    rng = np.random.default_rng(seed)
    t = 1_600_000_000 + rng.integers(0, span_days * 86_400, n)
    ev = Events(np.arange(n), rng.integers(0, n_keys, n), t, rng.integers(0, 5, n))
    moved = shifted_seconds(t, rng, max_shift_days)
    order = shifted_order(ev, moved, tod_order(ev), max_shift_days)
    assert sorted(order.tolist()) == list(range(n))
    got = list(zip(ev.key[order].tolist(), moved[order].tolist(), strict=True))
    assert got == sorted(got)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(0, 200), w=st.sampled_from([0, 30, 60]),
       run_window=st.sampled_from([60, 120, 600]), max_accounts=st.sampled_from([3, 4, 12]))
def test_shared_subsets_give_the_same_weights_and_bursts(seed: int, n: int, w: int,
                                                         run_window: int,
                                                         max_accounts: int) -> None:
    # a replicate gathers its sorted events once: the weights see the events with a
    # neighbour within w, the bursts every event of the (key, day) runs with a neighbour
    # within their window (a crowd counts the whole day's accounts, near or not)
    from casebook.coordination import groups
    from casebook.coordination.engine import MAX_PAIRS, weights
    from casebook.coordination.null import shared_subsets

    rng = np.random.default_rng(seed)
    n_tweets, n_users = max(n, 1), 8
    tweet_user = rng.integers(0, n_users, n_tweets)
    pos = rng.integers(0, n_tweets, n)
    # times around midnights, on a coarse grid so that many events meet
    t = 1_600_041_600 + rng.integers(-3, 3, n) * 86_400 + rng.integers(-40, 40, n) * 30
    ev = Events(pos, rng.integers(0, 3, n), t, tweet_user[pos])
    near, runs = shared_subsets(ev, w, run_window)
    for a, b in zip(weights(ev, w, tweet_user, n_users, max_pairs=MAX_PAIRS),
                    weights(near, w, tweet_user, n_users, max_pairs=MAX_PAIRS), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(groups.burst_members(ev, run_window, tweet_user, max_pairs=MAX_PAIRS,
                                         max_accounts=max_accounts),
                    groups.burst_members(runs, run_window, tweet_user, max_pairs=MAX_PAIRS,
                                         max_accounts=max_accounts), strict=True):
        np.testing.assert_array_equal(a, b)


def _text_null_bursts(prep, ev, *, text_block: int, w: int, gw: int, seed: int):
    """Per replicate, the burst members (kind near_duplicate) of a text-shuffled null."""
    from casebook.coordination import groups
    from casebook.coordination.null import run_null

    def collect(kind_events):
        ev_, user = dict(kind_events)["near_duplicate"]
        return groups.burst_members(ev_, gw, user, max_pairs=1 << 20, max_accounts=50)

    run = run_null(prep, {"near_duplicate": ev}, w, n_null=4, seed=seed, text_block=text_block,
                   collect=collect, collect_window=gw)
    return run.collected


def test_text_null_keeps_every_event_a_burst_can_link() -> None:
    # blocks of 20 posts span 66 s: no two events of a text within w = 60 s can be two
    # blocks apart, but within the bursts' window of 120 s they can; dropping events
    # judged on w alone (as before) loses such bursts in some replicates
    from unittest.mock import patch

    from casebook.coordination import null
    from casebook.coordination.engine import ordered
    from casebook.coordination.kinds import events

    rng = np.random.default_rng(11)
    n = 240
    vocab = np.array([f"w{i}" for i in range(500)])
    stories = [" ".join(rng.choice(vocab, 12)) for _ in range(150)]  # unrelated texts
    texts = [stories[k] for k in rng.integers(0, len(stories), n)]
    rows = [post(f"u{u}", 0, t) for u, t in zip(rng.integers(0, 12, n), texts, strict=True)]
    tweets = make_tweets(rows)
    tweets["tweet_time"] = tweets["tweet_time"] + pd.to_timedelta(np.arange(n) * 3.3, unit="s")
    prep = prepare(tweets)
    ev = ordered(events(prep, "near_duplicate"))
    differs = 0
    for seed in range(6):
        got = _text_null_bursts(prep, ev, text_block=20, w=60, gw=120, seed=seed)
        with patch.object(null, "text_candidates", lambda p, e, b, w_, *_: np.ones(len(e), bool)):
            every = _text_null_bursts(prep, ev, text_block=20, w=60, gw=120, seed=seed)
        for g, e in zip(got, every, strict=True):
            for a, b in zip(g, e, strict=True):
                np.testing.assert_array_equal(a, b)
        with patch.object(null, "text_candidates",
                          lambda p, e, b, w_, *a, f=null.text_candidates: f(p, e, b, 60, *a)):
            on_w = _text_null_bursts(prep, ev, text_block=20, w=60, gw=120, seed=seed)
        differs += any(len(a) != len(b) or (a != b).any()
                       for g, e in zip(on_w, every, strict=True) for a, b in zip(g, e, strict=True))
    assert differs, "the data no longer has a burst two blocks apart: the test shows nothing"


def _assert_same_replicates(got, want) -> None:
    """Two null runs' weights and collected bursts, array for array."""
    for a, b in zip([*got.weights, *got.collected], [*want.weights, *want.collected],
                    strict=True):
        for x, y in zip(a.values() if isinstance(a, dict) else a,
                        b.values() if isinstance(b, dict) else b, strict=True):
            for u, v in zip(x, y, strict=True):
                np.testing.assert_array_equal(u, v)


def test_replicates_of_prepared_inputs_are_those_of_the_events() -> None:
    # calibrated_thresholds prepares the replicates' events (null_inputs) on a thread of
    # its own while it counts the cohorts' bursts: the same weights and bursts as
    # run_null preparing them itself; inputs prepared for a narrower window or shorter
    # shifts are refused
    from casebook.coordination import groups, null
    from casebook.coordination.kinds import events

    rng = np.random.default_rng(4)
    posts = [post(f"u{u}", int(m), f"slogan {k} about the war today") for u, m, k in zip(
        rng.integers(0, 25, 400), rng.integers(0, 300, 400), rng.integers(0, 40, 400),
        strict=True)]
    prep = prepare(make_tweets(_background(25, 600, 4) + posts))
    kinds = {k: events(prep, k) for k in ("co_retweet", "co_tweet", "near_duplicate", "co_post")}
    assert all(len(ev) for ev in kinds.values())

    def collect(kind_events):
        return [groups.burst_members(ev, 120, user, max_pairs=1 << 20, max_accounts=5)
                for _, (ev, user) in kind_events]

    options = dict(n_null=3, seed=1, text_block=50, collect=collect, collect_window=120)
    want = null.run_null(prep, kinds, 60, **options)
    got = null.run_null(prep, null.null_inputs(prep, kinds, 120, text_block=50), 60, **options)
    _assert_same_replicates(got, want)
    assert all(len(rep["near_duplicate"][0]) for rep in want.weights)
    with pytest.raises(UsageError, match="narrower"):
        null.run_null(prep, null.null_inputs(prep, kinds, 60), 60, **options)
    # and for shifts shorter than the replicates': their spells could meet
    with pytest.raises(UsageError, match="shifts of 5 days"):
        null.run_null(prep, null.null_inputs(prep, kinds, 120, text_block=50, max_shift_days=5),
                      60, **options)
    with pytest.raises(UsageError, match="max_shift_days must be an integer >= 1"):
        null.null_inputs(prep, kinds, 120, max_shift_days=0)


@pytest.mark.parametrize("threads", ["1", "4"])
def test_replicates_are_the_same_on_any_number_of_threads(monkeypatch, threads: str) -> None:
    # the replicates run on as many threads as the machine has cores (CASEBOOK_THREADS
    # here), each with its own seed: the weights and bursts never depend on how many
    import threading

    from casebook.coordination import groups, null
    from casebook.coordination.kinds import events

    rng = np.random.default_rng(5)
    posts = [post(f"u{u}", int(m), f"slogan {k} about the war today") for u, m, k in zip(
        rng.integers(0, 20, 300), rng.integers(0, 300, 300), rng.integers(0, 30, 300),
        strict=True)]
    prep = prepare(make_tweets(_background(20, 500, 6) + posts))
    kinds = {k: events(prep, k) for k in ("co_retweet", "co_tweet", "near_duplicate")}
    ran_on: set[str] = set()

    def collect(kind_events):
        ran_on.add(threading.current_thread().name)
        return [groups.burst_members(ev, 120, user, max_pairs=1 << 20, max_accounts=5)
                for _, (ev, user) in kind_events]

    options = dict(n_null=5, seed=2, text_block=50, collect=collect, collect_window=120)
    monkeypatch.setenv("CASEBOOK_THREADS", "2")
    want = null.run_null(prep, kinds, 60, **options)
    ran_on.clear()
    monkeypatch.setenv("CASEBOOK_THREADS", threads)
    got = null.run_null(prep, kinds, 60, **options)
    if threads == "1":
        assert ran_on == {threading.current_thread().name}
    else:
        assert ran_on and all(name.startswith("casebook-null") for name in ran_on)
    _assert_same_replicates(got, want)
    assert all(len(rep["near_duplicate"][0]) for rep in want.weights)


def test_replicates_start_only_the_threads_memory_holds(monkeypatch) -> None:
    import threading

    from casebook import _memory
    from casebook.coordination import null
    from casebook.coordination.kinds import events

    prep = prepare(make_tweets(_background(10, 200, 7)))
    kinds = {"co_retweet": events(prep, "co_retweet")}
    each = null.replicate_bytes(prep, kinds)
    assert each == 8 * len(prep.sec) + null.REPLICATE_BYTES_PER_EVENT * len(kinds["co_retweet"].pos)
    ran_on: set[str] = set()

    def collect(kind_events):
        ran_on.add(threading.current_thread().name)
        return [len(ev.pos) for _, (ev, _user) in kind_events]

    monkeypatch.setenv("CASEBOOK_THREADS", "4")
    # less than any replicate needs (each holds every tweet's moved time at least)
    monkeypatch.setattr(_memory, "available_memory", lambda: 8 * len(prep.sec) - 1)
    null.run_null(prep, kinds, 60, n_null=3, seed=0, collect=collect, collect_window=60)
    assert ran_on == {threading.current_thread().name}
    ran_on.clear()
    monkeypatch.setattr(_memory, "available_memory", lambda: 4 * each)
    null.run_null(prep, kinds, 60, n_null=3, seed=0, collect=collect, collect_window=60)
    assert ran_on and all(name.startswith("casebook-null") for name in ran_on)


def test_tod_candidates_keep_keys_close_in_time_of_day_across_midnight() -> None:
    from casebook.coordination.null import tod_candidates, tod_order

    day = 86_400
    # key: its events' times (seconds); kept when two are within 120 s in time of day
    times = {
        0: [day - 30, 3 * day + 50],          # 80 s apart across midnight, days apart
        1: [100, 5 * day + 220],              # exactly 120 s
        2: [100, day + 221],                  # 121 s
        3: [40_000, 50_000, 60_000],          # hours apart
        4: [7],                               # alone
        5: [10, day - 100, 2 * day + 30_000],  # 110 s across midnight, and a third far off
    }
    key = np.array([k for k, ts in times.items() for _ in ts])
    t = np.array([x for ts in times.values() for x in ts])
    ev = Events(np.arange(len(t)), key, t, np.zeros(len(t), np.int64))
    ev = ev.subset(tod_order(ev))
    kept = tod_candidates(ev, 120)
    assert sorted(set(ev.key[kept].tolist())) == [0, 1, 5]
    assert kept[ev.key == 5].all()  # every event of a kept key: its days' crowds count them


def _shifted_kind(kind: str, users, minute, key, *, seed: int, max_shift: int):
    """A time-shifted kind's events of the given tweets, and a function that runs three
    replicates of them with the bursts (crowds of three accounts) collected."""
    from casebook.coordination import groups, null
    from casebook.coordination.kinds import events

    rows = ([rt(f"u{u}", int(m), f"t{k}") for u, m, k in zip(users, minute, key, strict=True)]
            if kind == "co_retweet" else
            [post(f"u{u}", int(m), f"#h{k}", hashtags=[f"h{k}"])
             for u, m, k in zip(users, minute, key, strict=True)])
    prep = prepare(make_tweets(rows))
    ev = events(prep, kind)

    def collect(kind_events):
        ev_, user = dict(kind_events)[kind]
        return groups.burst_members(ev_, 120, user, max_pairs=1 << 20, max_accounts=3)

    def replicates():
        return null.run_null(prep, {kind: ev}, 60, n_null=3, seed=seed, max_shift_days=max_shift,
                             collect=collect, collect_window=120)

    return ev, replicates


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 150), n_keys=st.integers(1, 8),
       max_shift=st.integers(1, 3), kind=st.sampled_from(["co_retweet", "co_hashtag"]))
def test_time_null_drops_only_spells_that_can_never_link(seed: int, n: int, n_keys: int,
                                                        max_shift: int, kind: str) -> None:
    # a key used again weeks later: each spell (a run of its days without a gap of more
    # than 2 * max_shift + 1 days) is judged alone; a dropped spell changes no weight and
    # no burst, crowds included, of any replicate
    from casebook.coordination import null

    rng = np.random.default_rng(seed)
    gap = 2 * max_shift + 1
    # days in clumps whose distances straddle the gap (gap, gap + 1), times of day that
    # are close in some clumps only (across midnight too)
    day = rng.choice([0, 1, gap + 1, gap + 2, 3 * gap + 4, 3 * gap + 5, 6 * gap], n)
    minute = rng.choice([0, 1, 1439, 700, 703, 900], n) + 1440 * day
    ev, replicates = _shifted_kind(kind, rng.integers(0, 9, n), minute, rng.integers(0, n_keys, n),
                                   seed=seed, max_shift=max_shift)
    got = replicates()
    with patch.object(null, "day_candidates", lambda e, r, m: np.ones(len(e), bool)):
        every = replicates()
    _assert_same_replicates(got, every)
    # the reference: an event is kept when its spell holds two events within 120 s in
    # time of day
    keep = null.day_candidates(ev, 120, max_shift)
    d, tod = ev.t // 86_400, ev.t % 86_400
    for i in range(len(ev)):
        same = np.flatnonzero(ev.key == ev.key[i])
        days = np.unique(d[same])
        cuts = days[np.r_[True, np.diff(days) > gap]]
        spell = same[np.searchsorted(cuts, d[same], "right") == np.searchsorted(cuts, d[i], "right")]
        x = np.abs(tod[spell][:, None] - tod[spell][None, :])
        near = np.minimum(x, 86_400 - x) <= 120
        np.fill_diagonal(near, False)
        assert keep[i] == near.any()


def test_day_candidates_split_a_key_at_gaps_longer_than_the_shifts_reach() -> None:
    from casebook.coordination.null import day_candidates

    day = 86_400
    # max_shift_days 2: a gap of up to 5 days keeps a spell together
    times = {
        0: [100, 5 * day + 150],              # 5 days apart, 50 s in time of day: one spell
        1: [100, 6 * day + 150],              # 6 days apart: two spells of one event each
        2: [100, 6 * day + 150, 9 * day + 120],  # the last two close: that spell only
        3: [day - 30, 2 * day + 20],          # across midnight, two days apart
    }
    key = np.array([k for k, ts in times.items() for _ in ts])
    t = np.array([x for ts in times.values() for x in ts])
    ev = Events(np.arange(len(t)), key, t, np.zeros(len(t), np.int64))
    kept = day_candidates(ev, 120, 2)
    assert kept.tolist() == [True, True, False, False, False, True, True, True, True]
    # wider shifts join the spells again
    assert day_candidates(ev, 120, 3).tolist() == [True, True, True, True, True, True, True, True, True]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 150), n_keys=st.integers(1, 30),
       kind=st.sampled_from(["co_retweet", "co_hashtag"]))
def test_time_null_drops_only_keys_that_can_never_link(seed: int, n: int, n_keys: int,
                                                       kind: str) -> None:
    # a key whose events are never within reach of each other in time of day (midnight
    # included) is dropped before the replicates: the weights and the bursts, crowds
    # included, of every replicate are those of all the events
    from casebook.coordination import null

    rng = np.random.default_rng(seed)
    # minutes over three days, some keys at a few times of day (close across midnight too)
    minute = rng.choice([0, 1, 2, 1438, 1439, 700, 701, 3000, 4000], n) + 1440 * rng.integers(0, 3, n)
    key = rng.integers(0, n_keys, n)
    ev, replicates = _shifted_kind(kind, rng.integers(0, 9, n), minute, key, seed=seed, max_shift=1)
    got = replicates()
    with patch.object(null, "tod_candidates", lambda e, r: np.ones(len(e), bool)), \
            patch.object(null, "day_candidates", lambda e, r, m: np.ones(len(e), bool)):
        every = replicates()
    _assert_same_replicates(got, every)
    o = null.tod_order(ev)
    keep = null.tod_candidates(ev.subset(o), 120)
    # the reference: a key is kept when two of its events are within 120 s in time of day
    tod = ev.t[o] % 86_400
    for k in np.unique(ev.key).tolist():
        t = tod[ev.key[o] == k]
        d = np.abs(t[:, None] - t[None, :])
        near = np.minimum(d, 86_400 - d) <= 120
        np.fill_diagonal(near, False)
        assert (keep[ev.key[o] == k] == near.any()).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(0, 80), chunk=st.integers(1, 9),
       run_window=st.sampled_from([None, 90, 600]))
def test_moved_subsets_by_slices_equal_the_whole(seed: int, n: int, chunk: int,
                                                 run_window: int | None) -> None:
    # a text-shuffled replicate moves and sorts its events in slices of keys: the same
    # events for the weights and the bursts, in the same order, as all at once
    from casebook.coordination import null
    from casebook.coordination.null import moved_subsets

    rng = np.random.default_rng(seed)
    n_tweets = max(n, 1)
    pos = rng.integers(0, n_tweets, n)
    key = np.sort(rng.integers(0, 6, n))  # in key order, as near_duplicate makes them
    ev = Events(pos, key, np.zeros(n, np.int64), np.zeros(n, np.int64))
    tweet_sec = 1_600_041_600 + rng.integers(-2, 2, n_tweets) * 86_400 + rng.integers(-40, 40, n_tweets) * 30
    tweet_user = rng.integers(0, 5, n_tweets)

    def fields(e):
        return [getattr(e, f)[e.order] for f in ("pos", "key", "t", "user")]

    with patch.object(null, "TEXT_CHUNK", 10**9):
        whole = moved_subsets(ev, tweet_sec, tweet_user, 60, run_window, by_key=True)
    with patch.object(null, "TEXT_CHUNK", chunk):
        sliced = moved_subsets(ev, tweet_sec, tweet_user, 60, run_window, by_key=True)
    for a, b in zip(whole, sliced, strict=True):
        for x, y in zip(fields(a), fields(b), strict=True):
            np.testing.assert_array_equal(x, y)
    assert moved_subsets(ev, tweet_sec, tweet_user, 60, run_window, by_key=True,
                         keep_runs=False)[1] is None
    # 32-bit events (a release's): each tweet's time and account read by one packed gather
    narrow = Events(pos.astype(np.int32), key.astype(np.int32), np.zeros(n, np.int32),
                    np.zeros(n, np.int32))
    assert null._packed(tweet_sec.astype(np.int32), tweet_user.astype(np.int32)) is not None
    with patch.object(null, "TEXT_CHUNK", chunk):
        packed = moved_subsets(narrow, tweet_sec, tweet_user, 60, run_window, by_key=True)
    for a, b in zip(whole, packed, strict=True):
        for x, y in zip(fields(a), fields(b), strict=True):
            np.testing.assert_array_equal(x, y)
    # events at their own times and accounts (a release's, for its bursts): the same
    own = Events(pos, key, tweet_sec[pos], tweet_user[pos])
    with patch.object(null, "TEXT_CHUNK", chunk):
        kept = moved_subsets(own, None, None, 60, run_window, by_key=True)
    for a, b in zip(whole, kept, strict=True):
        for x, y in zip(fields(a), fields(b), strict=True):
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("n_users, heaviest, narrow", [
    (3_793, 12_606, True),            # specimen scale 16
    (46_340, 2**31 - 1, True),        # the largest n with n * n below 2**31
    (46_341, 5, False),               # codes that need 64 bits
    (100, 2**31, False),              # a weight that needs 64 bits
])
def test_compact_weights_keep_their_values(n_users: int, heaviest: int, narrow: bool) -> None:
    rng = np.random.default_rng(n_users)
    codes = np.sort(rng.choice(n_users * n_users, 1000, replace=False)).astype(np.int64)
    codes[-1] = n_users * n_users - 1
    wts = rng.integers(1, 50, 1000, dtype=np.int64)
    wts[0] = heaviest
    got_codes, got_wts = compact((codes, wts), n_users)
    assert (got_codes.dtype == np.int32) is narrow and (got_wts.dtype == np.int32) is narrow
    np.testing.assert_array_equal(got_codes, codes)
    np.testing.assert_array_equal(got_wts, wts)
    np.testing.assert_array_equal(got_codes // n_users, codes // n_users)
    np.testing.assert_array_equal(got_codes % n_users, codes % n_users)


def test_text_kinds_enter_the_replicates_without_times_or_accounts() -> None:
    # a text-shuffled replicate reads its receivers' times and accounts, never the events'
    # own: run_null keeps only their types, and every replicate's weights are unchanged
    from casebook.coordination import null
    from casebook.coordination.engine import ordered
    from casebook.coordination.kinds import events

    rng = np.random.default_rng(5)
    n = 300
    stories = [" ".join(rng.choice([f"w{i}" for i in range(300)], 10)) for _ in range(40)]
    rows = [post(f"u{u}", 0, stories[k]) for u, k in
            zip(rng.integers(0, 15, n), rng.integers(0, len(stories), n), strict=True)]
    tweets = make_tweets(rows)
    tweets["tweet_time"] = tweets["tweet_time"] + pd.to_timedelta(np.arange(n) * 7, unit="s")
    prep = prepare(tweets)
    ev = ordered(events(prep, "near_duplicate"))
    seen = []
    real = null.moved_subsets

    def spy(e, *args, **kwargs):
        seen.append((len(e), len(e.t), len(e.user), e.t.dtype, e.user.dtype))
        return real(e, *args, **kwargs)

    with patch.object(null, "moved_subsets", spy):
        run = null.run_null(prep, {"near_duplicate": ev}, 60, n_null=3, seed=2, text_block=20)
    assert seen and all(m > 0 and (t, u) == (0, 0) for m, t, u, *_ in seen)
    assert all((td, ud) == (ev.t.dtype, ev.user.dtype) for *_, td, ud in seen)
    with patch.object(null, "_texts_only", lambda e, keep: e.subset(keep)):
        whole = null.run_null(prep, {"near_duplicate": ev}, 60, n_null=3, seed=2, text_block=20)
    assert sum(len(r["near_duplicate"][0]) for r in run.weights) > 0
    for got, want in zip(run.weights, whole.weights, strict=True):
        for a, b in zip(got["near_duplicate"], want["near_duplicate"], strict=True):
            np.testing.assert_array_equal(a, b)
