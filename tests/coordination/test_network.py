"""Networks: windows, weights, CNT equivalence, evidence, several kinds, real data
and the specimen's planted groups."""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook import load_release, schema
from casebook.errors import UsageError
from tests._frames import make_tweets
from tests.coordination._tweets import cnt_reference, post, rt, tweet_frames, weights


def test_window_under_one_minute_is_rejected_with_the_reason() -> None:
    tweets = make_tweets([rt("A", 0, "9"), rt("B", 0, "9")])
    for bad in ("30s", 59, "0min"):
        with pytest.raises(ValueError, match="minute") as err:
            co.coordination_network(tweets, window=bad)
        assert "tweet_time" in str(err.value)
    with pytest.raises(ValueError, match="cannot read window"):
        co.parse_window("soon")


def test_window_parsing() -> None:
    assert co.parse_window("1min") == pd.Timedelta(minutes=1)
    assert co.parse_window(90) == pd.Timedelta(seconds=90)
    assert co.parse_window(pd.Timedelta(minutes=2)) == pd.Timedelta(minutes=2)


def test_co_retweet_window_is_inclusive_and_two_minutes_apart_do_not_match() -> None:
    tweets = make_tweets([
        rt("A", 0, "9"),
        rt("B", 1, "9"),   # exactly one minute later: matches
        rt("C", 2, "9"),   # two minutes after A: matches B only
        rt("D", 5, "8"),
    ])
    assert weights(co.coordination_network(tweets, kind="co_retweet")) == {
        ("A", "B"): 1, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1,
    }
    wide = co.coordination_network(tweets, kind="co_retweet", window="2min")
    assert weights(wide)[("A", "C")] == 1
    assert weights(co.coordination_network(tweets, kind="co_retweet", window=150)) == weights(wide)


def test_co_retweet_counts_distinct_source_tweets_and_excludes_self_pairs() -> None:
    tweets = make_tweets([
        rt("A", 0, "9"),
        rt("A", 0, "9"),       # A again: never an A -> A edge
        rt("B", 0, "9"),
        rt("B", 1, "9"),       # a tweet of A matching two tweets of B counts once
        rt("A", 10, "7"),
        rt("B", 10.5, "7"),
        rt("B", 30, "6"),      # B alone
    ])
    got = weights(co.coordination_network(tweets, kind="co_retweet"))
    # A: three tweets match B (two on "9", one on "7"); B: three tweets match A
    assert got == {("A", "B"): 3, ("B", "A"): 3}
    assert weights(co.coordination_network(tweets, kind="co_retweet", min_weight=4)) == {}


def test_edges_are_directed() -> None:
    tweets = make_tweets([rt("A", 0, "9"), rt("A", 0.5, "9"), rt("A", 1, "9"), rt("B", 0, "9")])
    assert weights(co.coordination_network(tweets)) == {("A", "B"): 3, ("B", "A"): 1}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tweets=tweet_frames(), kind=st.sampled_from(co.CNT_KINDS),
       window=st.sampled_from([60, 90, 120, 180]), max_pairs=st.sampled_from([1, 3, co.MAX_PAIRS]))
def test_matches_cnt_definition(tweets: pd.DataFrame, kind: str, window: int,
                                max_pairs: int) -> None:
    got = co.coordination_network(tweets, kind=kind, window=window, max_pairs=max_pairs)
    assert weights(got) == cnt_reference(tweets, kind, window)
    assert (got["source"] != got["target"]).all()
    order = got.sort_values(["weight", "source", "target"], ascending=[False, True, True])
    assert got.index.equals(order.index)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tweets=tweet_frames(), drop=st.booleans())
def test_co_tweet_is_the_same_with_shared_texts(tweets: pd.DataFrame, drop: bool) -> None:
    # computed beside near_duplicate, co_tweet reads the texts both normalise once; alone,
    # it normalises only the texts that may repeat: the same events either way
    from casebook.coordination.kinds import events, prepare

    for kind in ("co_tweet", "near_duplicate"):
        alone = events(prepare(tweets, [kind]), kind, drop_singletons=drop)
        both = prepare(tweets, ["co_tweet", "near_duplicate"])
        assert both.share_texts
        shared = events(both, kind, drop_singletons=drop)
        assert both._texts is not None  # kept for the other kind, which frees them
        events(both, "near_duplicate" if kind == "co_tweet" else "co_tweet")
        assert both._texts is None
        both.original_texts()  # a later reader computes them again
        for name in ("pos", "key", "t", "user"):
            np.testing.assert_array_equal(getattr(shared, name), getattr(alone, name), err_msg=name)
        assert (shared.labels is None) == (alone.labels is None)
        if alone.labels is not None:
            assert shared.labels.to_pylist() == alone.labels.to_pylist()
        both.forget_texts()
        assert both._texts is None


@settings(max_examples=25, deadline=None)
@given(tweets=tweet_frames(), kind=st.sampled_from(co.CNT_KINDS))
def test_evidence_explains_every_edge(tweets: pd.DataFrame, kind: str) -> None:
    edges, evidence = co.coordination_network(tweets, kind=kind, evidence=True)
    per_edge = evidence.groupby(["source", "target"])["source_tweetid"].nunique()
    assert {k: int(v) for k, v in per_edge.items()} == weights(edges)
    assert (evidence["dt_seconds"].abs() <= 60).all()
    assert (evidence["source_tweetid"] != evidence["target_tweetid"]).all()
    for s, t in list(weights(edges))[:3]:
        one = co.edge_evidence(tweets, s, t, kind=kind)
        expected = evidence[(evidence["source"] == s) & (evidence["target"] == t)]
        pd.testing.assert_frame_equal(one, expected.reset_index(drop=True))


def test_networks_is_the_union_of_single_kinds() -> None:
    tweets = make_tweets([
        rt("A", 0, "9"), rt("B", 0, "9"),
        post("A", 3, "same text", hashtags=["x"]), post("C", 3, "same text", hashtags=["X"]),
    ])
    long = co.networks(tweets, kinds=["co_retweet", "co_tweet", "co_hashtag"])
    assert long["kind"].tolist() == ["co_retweet"] * 2 + ["co_tweet"] * 2 + ["co_hashtag"] * 2
    single = co.coordination_network(tweets, kind="co_tweet")
    pd.testing.assert_frame_equal(
        long[long["kind"] == "co_tweet"].reset_index(drop=True), single)
    assert str(long["source"].dtype) == str(schema.STRING)


def test_accepts_a_release_and_reports_missing_columns() -> None:
    class Rel:
        tweets = make_tweets([rt("A", 0, "9"), rt("B", 0, "9")])

    assert len(co.coordination_network(Rel())) == 2
    with pytest.raises(ValueError, match="retweet_tweetid"):
        co.coordination_network(Rel.tweets.drop(columns="retweet_tweetid"))
    with pytest.raises(UsageError, match="unknown kind"):
        co.coordination_network(Rel.tweets, kind="co_like")
    with pytest.raises(ValueError, match="min_weight"):
        co.coordination_network(Rel.tweets, min_weight=0)


def test_popular_key_is_chunked_without_changing_weights() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    rows = [rt(f"u{u:03d}", int(m), "viral") for u, m in
            zip(rng.integers(0, 300, n), rng.integers(0, 30, n), strict=True)]
    tweets = make_tweets(rows)
    full = co.coordination_network(tweets)
    small = co.coordination_network(tweets, max_pairs=5000)
    pd.testing.assert_frame_equal(full, small)
    assert len(full) > 10_000


def test_real_excerpt_networks_are_consistent() -> None:
    from tests._frames import load_real_excerpt

    release = load_real_excerpt()
    long = co.networks(release, kinds=co.KINDS)
    assert (long["source"] != long["target"]).all()
    tweets_per_user = release.tweets.groupby("userid").size()
    assert (long["weight"].to_numpy() <= tweets_per_user.reindex(long["source"]).to_numpy()).all()
    post_w = weights(long[long["kind"] == "co_post"])
    for kind in ("co_retweet", "co_hashtag", "co_domain"):
        for pair, w in weights(long[long["kind"] == kind]).items():
            assert w <= post_w[pair]  # co_post is the largest any kind can reach


def _specimen_available() -> bool:
    return importlib.util.find_spec("casebook.specimen") is not None


@pytest.mark.skipif(not _specimen_available(), reason="casebook.specimen is not written yet")
def test_planted_groups_are_recovered_and_controls_rarely_flagged(tmp_path: Path) -> None:
    write_specimen = importlib.import_module("casebook.specimen").write_specimen
    written = write_specimen(tmp_path, seed=0, scale=0.02)
    control = load_release(written["control"], cache=False)
    recovered_total = planted_total = 0
    for name, folder in written.items():
        if name == "control":
            continue
        truth = json.loads((Path(folder) / "ground_truth.json").read_text())
        groups = truth.get("coordination_groups", [])
        if not groups:
            continue
        release = load_release(folder, cache=False)
        kinds = sorted({k for g in groups for k in g["kinds"] if k in co.KINDS})
        table = co.calibrate(release, control, kind=kinds, fpr=0.01)
        thresholds = table.drop_duplicates("kind").set_index("kind")["threshold"]
        ctl = table[table["cohort"] == "control"]
        assert (ctl["flagged_share"] <= 0.05).all(), ctl
        edges = pd.concat([
            co.coordination_network(release, kind=k, min_weight=int(thresholds[k]))
            for k in kinds], ignore_index=True)
        comms = co.detect_communities(edges, seed=0)
        member = dict(zip(comms["userid"], comms["community"], strict=True))
        for g in groups:
            accounts = list(g["accounts"])
            labels = pd.Series([member.get(a) for a in accounts], dtype="object")
            majority = labels.dropna().mode()
            if majority.empty:
                planted_total += len(accounts)
                continue
            together = (labels == majority.iloc[0]).sum()
            recovered_total += int(together) if together >= len(accounts) / 2 else 0
            planted_total += len(accounts)
    assert planted_total > 0
    assert recovered_total / planted_total >= 0.9
