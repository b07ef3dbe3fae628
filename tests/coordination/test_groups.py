"""The group rule: trios of accounts that recur in the same bursts, against chance."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook.coordination import groups, null
from casebook.coordination.engine import MAX_PAIRS, Events
from casebook.coordination.kinds import events, prepare
from casebook.coordination.null import run_null
from tests._frames import make_tweets
from tests.coordination._tweets import post, rt

DAY = 24 * 60
GROUP = ["g1", "g2", "g3", "g4", "g5"]


def _background(n_users: int, n: int, seed: int, prefix: str = "bg",
                days: int = 60) -> list[dict[str, object]]:
    """Retweets of 300 tweets by ``n_users`` accounts at random minutes over ``days``."""
    rng = np.random.default_rng(seed)
    return [rt(f"{prefix}{u:03d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, n_users, n), rng.integers(0, days * DAY, n), rng.integers(0, 300, n),
        strict=True)]


def _random_bursts(n_events: int, n_users: int, seed: int) -> list[dict[str, object]]:
    """Innocent coincidences: each event, three random accounts retweet a fresh tweet in
    the same minute (a random trio meets once; the same trio twice only by rare chance)."""
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(n_events):  # a test builder, not library code
        who = rng.choice(n_users, 3, replace=False)
        t0 = int(rng.integers(0, 60 * DAY))
        rows += [rt(f"bg{u:03d}", t0, f"burst{e}") for u in who]
    return rows


def _planted(n_events: int = 3, members: list[str] = GROUP) -> list[dict[str, object]]:
    """The group retweets one tweet per event, its tweets spread over two minutes (so the
    first and the last are not within a one-minute pair window of each other)."""
    rows = []
    for e in range(n_events):
        t0 = (5 + 17 * e) * DAY + 600
        rows += [rt(u, t0 + (i % 3), f"target{e}") for i, u in enumerate(members)]
    return rows


def _events(rows: list[dict[str, object]], kind: str = "co_retweet"):
    prep = prepare(make_tweets(rows))
    return prep, events(prep, kind)


def _ids(prep, codes: np.ndarray) -> list[str]:
    return sorted(str(x) for x in prep.ids(codes))


def test_bursts_link_tweets_each_within_the_window_of_the_next() -> None:
    rows = [rt("a", 0, "x"), rt("b", 1, "x"), rt("c", 2, "x"),  # one chain: 0, 1, 2
            rt("d", 4, "x"),                                     # 2 minutes on: a new burst
            rt("e", 0, "y"), rt("f", 0, "y")]                    # another key
    prep, ev = _events(rows)

    def sets(w: int) -> list[list[str]]:
        burst, acct, start = groups.burst_members(ev, w, prep.ucode, max_pairs=MAX_PAIRS)
        assert len(start) == len(np.unique(burst))
        members = pd.DataFrame({"b": burst, "a": prep.ids(acct)})
        return sorted(sorted(map(str, g)) for _, g in members.groupby("b")["a"])

    # d, alone two minutes on, is in no burst
    assert sets(60) == [["a", "b", "c"], ["e", "f"]]
    # a wider linkage window joins it
    assert sets(120) == [["a", "b", "c", "d"], ["e", "f"]]


def test_a_key_used_by_a_crowd_that_day_gives_no_burst() -> None:
    # 20 accounts tweet the same hashtag in small clusters all day: a campaign, not a group
    rows = [post(f"c{u:02d}", 30 * (u // 3) + (u % 3) * 0.5, "x", hashtags=["campaign"])
            for u in range(20)]
    rows += [post(u, 2 * DAY + 5, "y", hashtags=["quiet"]) for u in ("q1", "q2", "q3")]
    prep, ev = _events(rows, "co_hashtag")
    crowd = groups.crowd_events(ev, 12)
    key_of = np.asarray(ev.key)
    assert crowd.sum() == 20 and not crowd[key_of == key_of[~crowd][0]].any()
    burst, acct, _ = groups.burst_members(ev, 60, prep.ucode, max_pairs=MAX_PAIRS,
                                          max_accounts=12)
    assert _ids(prep, acct) == ["q1", "q2", "q3"]
    # without the day's crowd rule its minute clusters of three would give trios
    burst, acct, start = groups.burst_members(ev, 60, prep.ucode, max_pairs=MAX_PAIRS)
    assert len(groups.trio_events(burst, acct, start, prep.n_users)[0]) > 1


def test_trio_counts_distinct_bursts_once_across_kinds() -> None:
    # the same event seen by two kinds (same start second) counts once; another counts
    code = np.array([7, 7, 7, 9])
    start = np.array([100, 100, 500, 100])
    codes, counts = groups.trio_counts([(code[:2], start[:2]), (code[2:], start[2:])])
    assert codes.tolist() == [7, 9] and counts.tolist() == [2, 1]


def test_a_planted_group_recurs_and_a_random_trio_does_not() -> None:
    rows = _background(40, 3000, 1) + _random_bursts(60, 60, 7) + _planted(3)
    trios = co.group_trios(make_tweets(rows), kinds=["co_retweet"], window="2min")
    top = trios[trios["bursts"] >= 2]
    accounts = set(top[["account_1", "account_2", "account_3"]].to_numpy().ravel())
    assert accounts == set(GROUP)
    assert (top["bursts"] == 3).any()
    # the background accounts meet in a burst at most once by chance
    background = ~trios[["account_1", "account_2", "account_3"]].isin(GROUP).any(axis=1)
    assert background.sum() > 0
    assert trios.loc[background, "bursts"].to_numpy().max() == 1


def test_members_of_a_group_burst_join_the_group() -> None:
    # g6 joins one of the group's three actions only: no trio of its own recurs
    rows = _planted(3) + [rt("g6", 5 * DAY + 601, "target0")]
    prep = prepare(make_tweets(rows))
    stat = groups.group_statistic({"co_retweet": (events(prep, "co_retweet"), prep.ucode)}, 120,
                                  prep.n_users)
    strong = stat.codes[stat.counts >= 2]
    pairs, shared = stat.members(strong)
    members = _ids(prep, np.unique(np.concatenate([pairs // prep.n_users, pairs % prep.n_users])))
    assert members == sorted([*GROUP, "g6"])
    g6 = int(np.searchsorted(prep.user_ids.to_pylist(), "g6"))
    assert shared[(pairs % prep.n_users == g6) | (pairs // prep.n_users == g6)].max() == 1
    flagged = groups.group_accounts(stat, np.array([2]), np.zeros(prep.n_users, np.int64))
    assert _ids(prep, np.flatnonzero(flagged)) == sorted([*GROUP, "g6"])
    assert not groups.group_accounts(stat, np.array([4]), np.zeros(prep.n_users, np.int64)).any()


def test_run_null_hands_collect_one_kind_at_a_time() -> None:
    # a replicate held every kind's moved events until collect returned (most of its
    # memory at specimen scale 8): each kind's are now let go before the next kind moves
    import weakref

    prep, ev = _events(_background(20, 400, 3) + _planted(2))
    kinds = {"co_retweet": ev, "co_post": events(prep, "co_post")}

    def collect(moved: Iterator[tuple[str, tuple[Events, np.ndarray]]]) -> list[tuple[str, list[bool]]]:
        refs, seen = [], []  # per replicate: replicates run on threads
        for kind, (runs, _) in moved:
            seen.append((kind, [r() is not None for r in refs]))  # earlier kinds' still held?
            refs.append(weakref.ref(runs))
            del runs
        return seen

    run = run_null(prep, kinds, 60, n_null=3, seed=4, collect=collect, collect_window=120)
    assert run.collected == [[("co_retweet", []), ("co_post", [False])]] * 3
    ref = run_null(prep, kinds, 60, n_null=3, seed=4)  # the same weights without collect
    for got, want in zip(run.weights, ref.weights, strict=True):
        assert list(got) == list(want)
        for k in kinds:
            for a, b in zip(got[k], want[k], strict=True):
                np.testing.assert_array_equal(a, b)


def test_run_null_hands_every_replicate_to_collect_with_its_moved_events() -> None:
    prep, ev = _events(_background(20, 400, 3) + _planted(2))
    seen: list[dict[str, tuple[Events, np.ndarray]]] = []

    def collect(kinds: Iterator[tuple[str, tuple[Events, np.ndarray]]]) -> int:
        moved = dict(kinds)
        seen.append(moved)
        return int(moved["co_retweet"][0].t.sum())

    run = run_null(prep, {"co_retweet": ev}, 60, n_null=4, seed=5, collect=collect)
    again = run_null(prep, {"co_retweet": ev}, 60, n_null=4, seed=5, collect=collect)
    assert len(run.collected) == 4 and run.collected == again.collected
    moved = seen[0]["co_retweet"][0]
    # the replicate may hold the events in another order (run_null sorts them by key and
    # time of day once), and only those of keys that can ever link within the window
    # (null.tod_candidates): one event per tweet here, so they are matched by position
    ordered_ev = ev.subset(null.tod_order(ev))
    ev = ordered_ev.subset(null.tod_candidates(ordered_ev, 60))
    assert 0 < len(ev) < len(ordered_ev)
    assert sorted(moved.pos.tolist()) == sorted(ev.pos.tolist())
    moved_t, ev_t = moved.t[np.argsort(moved.pos)], ev.t[np.argsort(ev.pos)]
    assert len(moved) == len(ev) and not np.array_equal(moved_t, ev_t)
    # whole days only: the time of day is kept
    assert np.array_equal(moved_t % 86_400, ev_t % 86_400)
    assert run_null(prep, {"co_retweet": ev}, 60, n_null=2).collected == []


@pytest.fixture(scope="module")
def planted_calibration() -> co.Calibration:
    rows = _background(40, 3000, 1) + _planted(3)
    control = make_tweets(_background(60, 4000, 2, prefix="ct"))
    return co.calibrated_thresholds(make_tweets(rows), control, kind=["co_retweet"],
                                    n_null=20, seed=0, n_strata=1)


def test_calibrated_group_rule_finds_the_group_and_holds_the_null(
        planted_calibration: co.Calibration) -> None:
    cal = planted_calibration
    table = cal.groups.set_index("cohort")
    assert table.loc["operation", "threshold"] >= co.calibration.MIN_GROUP_BURSTS
    edges = cal.group_edges
    assert (edges["kind"] == groups.GROUP_KIND).all()
    assert set(edges["source"]) | set(edges["target"]) == set(GROUP)
    assert table.loc["operation", "flagged_accounts"] == len(GROUP)
    # the null flags at most its share (one rule of two: the kind and the group rule)
    assert table.loc["null", "flagged_share"] <= 0.01 / 2 + 1e-12
    assert table.loc["control", "flagged_accounts"] == 0
    # the groups are not per-kind strong edges; with the strong ones they link the group
    strong = cal.edges["operation"][cal.strong(cal.edges["operation"])]
    assert (strong["weight"].to_numpy() >= cal.needed(strong)).all()
    comms = co.detect_communities(pd.concat([strong, edges], ignore_index=True))
    assert set(comms["userid"]) >= set(GROUP)
    assert cal.group_pairs()[["source", "target"]].equals(edges[["source", "target"]])
    # every null replicate's count includes the group rule's members, and chance finds none
    assert len(cal.null_counts) == 20 and cal.null_counts.max() <= 2


def test_group_rule_off_or_with_a_fixed_threshold_leaves_no_groups() -> None:
    rows = make_tweets(_background(30, 800, 4) + _planted(3))
    off = co.calibrated_thresholds(rows, kind=["co_retweet"], n_null=4, group_rule=False)
    fixed = co.calibrated_thresholds(rows, kind=["co_retweet"], n_null=4, min_weight=2)
    assert off.groups is None and off.group_edges is None and fixed.groups is None
    assert off.group_pairs().empty
    with pytest.raises(ValueError):
        co.calibrated_thresholds(rows, kind=["co_retweet"], n_null=4, max_burst_accounts=2)


def test_shuffled_times_leave_no_group(planted_calibration: co.Calibration) -> None:
    rows = make_tweets(_background(40, 3000, 1) + _planted(3))
    perm = np.random.default_rng(0).permutation(len(rows))
    shuffled = rows.assign(tweet_time=rows["tweet_time"].to_numpy()[perm])
    cal = co.calibrated_thresholds(shuffled, kind=["co_retweet"], n_null=20, seed=0,
                                   n_strata=1)
    assert cal.group_edges.empty
    assert cal.groups.set_index("cohort").loc["operation", "flagged_accounts"] == 0


def test_a_control_with_a_recurring_trio_raises_the_group_threshold() -> None:
    rows = make_tweets(_background(40, 3000, 1) + _planted(3))
    # ordinary accounts that keep retweeting together (three times): the control says
    # three shared bursts is ordinary, so the group rule needs four
    ctl_rows = _background(60, 2000, 2, prefix="ct") + _planted(3, ["c1", "c2", "c3", "c4"])
    cal = co.calibrated_thresholds(rows, make_tweets(ctl_rows), kind=["co_retweet"],
                                   n_null=10, seed=0, n_strata=1, control_fpr=0.01)
    table = cal.groups.set_index("cohort")
    assert table.loc["operation", "control_threshold"] == 4
    assert table.loc["operation", "threshold"] == 4
    assert "control" in table.loc["operation", "threshold_from"]
    assert cal.group_edges.empty


def test_the_null_sets_the_threshold_when_chance_gives_recurring_trios() -> None:
    # eight accounts retweet the same tweet at 10:00 every day for two months: moving
    # each tweet by whole days keeps its time of day, so the replicates see trios recur
    # too, and the threshold comes from them, far above the minimum
    rows = [rt(f"d{u}", d * DAY + 600 + (u % 2), "daily") for d in range(60) for u in range(8)]
    rows += _background(30, 1500, 5)
    cal = co.calibrated_thresholds(make_tweets(rows), kind=["co_retweet"], n_null=10, seed=1,
                                   n_strata=1)
    table = cal.groups.set_index("cohort")
    assert table.loc["operation", "null_threshold"] > co.calibration.MIN_GROUP_BURSTS + 2
    assert table.loc["operation", "threshold"] == table.loc["operation", "null_threshold"]
    assert table.loc["operation", "threshold_from"].startswith("chance")
    assert table.loc["null", "flagged_share"] <= 0.01 / 2 + 1e-12


def test_replicates_keep_what_the_group_rule_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    # eight accounts retweet one tweet at 10:00 on ten days: the day-shifted replicates
    # see their trios recur about as often as the operation does, at the minimum
    # threshold, where pruning a replicate's statistic could lose a group member
    rows = make_tweets([rt(f"d{u}", d * DAY + 600 + (u % 2), "daily")
                        for d in range(10) for u in range(8)] + _background(30, 1500, 5))

    def run() -> co.Calibration:
        return co.calibrated_thresholds(rows, kind=["co_retweet"], n_null=10, seed=0,
                                        n_strata=1, null_fpr=0.3)

    got = run()
    monkeypatch.setattr(groups.GroupStat, "pruned", lambda self, min_count: self)
    whole = run()
    table = got.groups.set_index("cohort")
    assert table.loc["operation", "threshold"] == co.calibration.MIN_GROUP_BURSTS
    assert table.loc["null", "flagged_accounts"] > 0
    pd.testing.assert_frame_equal(got.groups, whole.groups)
    np.testing.assert_array_equal(got.null_counts, whole.null_counts)


def _near_duplicate_bursts(ev: Events, w: int, tweet_user: np.ndarray) -> list[tuple[int, tuple]]:
    """Near-duplicate bursts by their definition: tweets linked by verified pairs (same
    bucket, within w, other accounts, passing the kind's pair filter), single linkage;
    each burst as (its first second, its sorted accounts)."""
    n = len(ev)
    i, j = np.nonzero((ev.key[:, None] == ev.key[None, :])
                      & (np.abs(ev.t[:, None] - ev.t[None, :]) <= w)
                      & (ev.user[:, None] != ev.user[None, :]))
    i, j = ev.pair_filter(ev, i, j) if n else (i, j)
    parent = {int(p): int(p) for p in ev.pos}

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(ev.pos[i].tolist(), ev.pos[j].tolist(), strict=True):  # a test's union-find
        parent[root(a)] = root(b)
    linked = set(ev.pos[i].tolist()) | set(ev.pos[j].tolist())
    time_of = dict(zip(ev.pos.tolist(), ev.t.tolist(), strict=True))
    bursts: dict[int, list[int]] = {}
    for p in sorted(linked):
        bursts.setdefault(root(p), []).append(p)
    return sorted((min(time_of[p] for p in ps), tuple(sorted({int(tweet_user[p]) for p in ps})))
                  for ps in bursts.values())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), w=st.sampled_from([60, 120]))
def test_near_duplicate_bursts_equal_their_definition(seed: int, w: int) -> None:
    # texts and their variants posted by a few accounts, some within the window of each
    # other: a burst is a component of verified pairs, its start its first tweet
    rng = np.random.default_rng(seed)
    bases = ["the convoy was fired upon near the river crossing while residents gathered",
             "officials denied every report of the detentions at the northern border post",
             "new footage shows the shelling of the old market district in the morning"]
    rows = []
    for _ in range(40):  # a test builder, not library code
        text = bases[int(rng.integers(0, 3))]
        if rng.random() < 0.5:
            text += f" {['today', 'again', 'now', 'here'][int(rng.integers(0, 4))]}"
        rows.append(post(f"u{int(rng.integers(0, 8))}", float(rng.integers(0, 30)) / 2
                         + 60 * int(rng.integers(0, 2)), text))
    prep = prepare(make_tweets(rows))
    ev = events(prep, "near_duplicate")
    burst, acct, start = groups.burst_members(ev, w, prep.ucode, max_pairs=MAX_PAIRS,
                                              max_accounts=None)
    got = sorted((int(start[b]), tuple(sorted(acct[burst == b].tolist())))
                 for b in np.unique(burst))
    want = _near_duplicate_bursts(ev, w, prep.ucode)
    assert got == want
    assert len(want) > 0


def _reference_bursts(ev: Events, w: int, tweet_user: np.ndarray,
                      max_accounts: int | None) -> tuple[list, list, list]:
    """Bursts by their definition: crowds (accounts of a key on a UTC day) out, then
    chains of a key's events each within w of the next, among events with a neighbour."""
    frame = pd.DataFrame({"key": ev.key, "t": ev.t, "user": ev.user,
                          "acct": tweet_user[ev.pos]})
    near = ((ev.key[:, None] == ev.key[None, :]) & (np.abs(ev.t[:, None] - ev.t[None, :]) <= w)
            & ~np.eye(len(ev), dtype=bool)).any(axis=1)
    if max_accounts is not None and len(frame):
        day = frame["t"] // 86_400
        crowd = frame.groupby([frame["key"], day])["user"].transform("nunique") > max_accounts
        near &= ~crowd.to_numpy()
    kept = frame[near].sort_values(["key", "t"], kind="stable")
    new = (kept["key"].diff() != 0) | (kept["t"].diff() > w)
    kept = kept.assign(burst=new.cumsum() - 1)
    rows = kept.drop_duplicates(["burst", "acct"]).sort_values(["burst", "acct"])
    start = kept.groupby("burst")["t"].min()
    return rows["burst"].tolist(), rows["acct"].tolist(), start.tolist()


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(0, 60), span=st.sampled_from([300, 3 * 86_400]),
       w=st.sampled_from([60, 120]), max_accounts=st.sampled_from([None, 3]),
       preset_order=st.booleans(), wide=st.booleans())
def test_burst_members_equal_a_simple_reference(seed: int, n: int, span: int, w: int,
                                                max_accounts: int | None,
                                                preset_order: bool, wide: bool) -> None:
    # burst_members reuses the (key, time) sort of its events (a replicate hands it over
    # from the pair engine, ties in any order) and sorts the kept events no more; the
    # crowd rule's codes are 32-bit unless accounts x judged runs need 64 (``wide``: codes
    # of accounts up to 5e9)
    rng = np.random.default_rng(seed)
    n_tweets, n_users = max(n, 1), 6
    tweet_user = rng.integers(0, n_users, n_tweets) * (10**9 if wide else 1)
    pos = rng.integers(0, n_tweets, n)
    ev = Events(pos, rng.integers(0, 3, n), rng.integers(0, span, n) // 30 * 30,
                tweet_user[pos])
    if preset_order and n:
        ev.order = np.lexsort((rng.random(n), ev.t, ev.key))
    burst, acct, start = groups.burst_members(ev, w, tweet_user, max_pairs=MAX_PAIRS,
                                              max_accounts=max_accounts)
    ref = _reference_bursts(ev, w, tweet_user, max_accounts)
    assert (burst.tolist(), acct.tolist(), start.tolist()) == ref


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n_planted=st.integers(1, 4), min_count=st.integers(1, 3))
def test_pruned_statistic_gives_the_same_groups(seed: int, n_planted: int, min_count: int) -> None:
    # the group posts a slogan with a hashtag: its bursts of two kinds start at the same
    # second and count once, which the bursts' starts decide
    planted = [post(u, (5 + 17 * e) * DAY + 600 + i % 3, f"slogan {e}", hashtags=[f"tag{i % 2}"])
               for e in range(n_planted) for i, u in enumerate(GROUP)]
    rows = (_background(30, 1500, seed % 1000) + _random_bursts(40, 40, seed % 997)
            + planted + [post("g6", 5 * DAY + 601, "slogan 0")])
    prep = prepare(make_tweets(rows))
    stat = groups.group_statistic({k: (events(prep, k), prep.ucode)
                                   for k in ("co_retweet", "co_tweet", "co_hashtag")}, 120,
                                  prep.n_users)
    small = stat.pruned(min_count)
    # the bursts of trios seen fewer times are gone, whatever else is kept
    if (stat.counts < min_count).any():
        assert len(small.member_burst) < len(stat.member_burst)
        assert len(small.burst_start) < len(stat.burst_start)
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 2, prep.n_users)
    np.testing.assert_array_equal(groups.account_trio_max(small, stratum, 2),
                                  groups.account_trio_max(stat, stratum, 2))
    for low in range(min_count, min_count + 3):  # thresholds at or above min_count
        thresholds = np.array([low, low + int(rng.integers(0, 2))])
        np.testing.assert_array_equal(groups.group_accounts(small, thresholds, stratum),
                                      groups.group_accounts(stat, thresholds, stratum))
        trios = stat.codes[stat.counts >= low]
        for got, want in zip(small.members(trios), stat.members(trios), strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("late", [False, True])
def test_a_replicate_moves_times_as_narrow_as_they_fit(late: bool) -> None:
    # a replicate's moved times are 32-bit when every moved second fits (its events are),
    # 64-bit for times too close to 2038; either way its weights and bursts are those of
    # the same replicate on 64-bit events
    rows = _background(20, 400, 3) + _planted(2)
    tweets = make_tweets(rows)
    if late:
        tweets["tweet_time"] = tweets["tweet_time"] + pd.Timedelta(days=365 * 18)
    prep = prepare(tweets)
    ev = events(prep, "co_retweet")
    wide = Events(*(a.astype(np.int64) for a in (ev.pos, ev.key, ev.t, ev.user)), ev.labels)
    dtypes = []

    def collect(kinds: Iterator[tuple[str, tuple[Events, np.ndarray]]]) -> tuple[int, ...]:
        runs = dict(kinds)["co_retweet"][0]
        dtypes.append(runs.t.dtype)
        order = np.lexsort((runs.t, runs.pos))
        return tuple(runs.pos[order].tolist()) + tuple(runs.t[order].tolist())

    narrow = run_null(prep, {"co_retweet": ev}, 60, n_null=3, seed=2, collect=collect,
                      collect_window=120)
    assert set(dtypes) == {np.dtype(np.int64 if late else np.int32)}
    ref = run_null(prep, {"co_retweet": wide}, 60, n_null=3, seed=2, collect=collect,
                   collect_window=120)
    assert narrow.collected == ref.collected and any(len(c) for c in narrow.collected)
    for got, want in zip(narrow.weights, ref.weights, strict=True):
        for a, b in zip(got["co_retweet"], want["co_retweet"], strict=True):
            np.testing.assert_array_equal(a, b)
