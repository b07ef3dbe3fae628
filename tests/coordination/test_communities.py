"""Louvain communities and their summaries."""

from __future__ import annotations

import pandas as pd

from casebook import coordination as co
from tests.coordination._tweets import at, two_groups


def test_communities_are_deterministic_and_ordered() -> None:
    tweets = two_groups()
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet", "co_post"])
    comms = co.detect_communities(edges, seed=0)
    assert comms.groupby("community")["userid"].apply(list).to_dict() == {
        0: ["a1", "a2", "a3", "a4"], 1: ["b1", "b2", "b3"]}
    assert comms["community_size"].tolist() == [4] * 4 + [3] * 3
    pd.testing.assert_frame_equal(comms, co.detect_communities(edges, seed=0))
    assert co.detect_communities(edges.iloc[0:0]).empty


def test_summarise_communities() -> None:
    tweets = two_groups()
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet", "co_hashtag"])
    comms = co.detect_communities(edges, seed=0)
    summary = co.summarise_communities(tweets, edges, comms, n_top=2, n_samples=2)
    a, b = summary.iloc[0], summary.iloc[1]
    assert a["accounts"] == ["a1", "a2", "a3", "a4"] and a["n_accounts"] == 4
    assert a["top_hashtags"] == ["alpha (24)"]
    assert a["binding_kinds"] == ["co_retweet"]
    assert b["binding_kinds"] == ["co_hashtag", "co_tweet"]
    assert b["top_domains"] == ["beta-news.com (18)"] and a["top_domains"] == []
    assert b["sample_texts"] == ["copy text 0", "copy text 1"]
    assert b["first_tweet"] == at(3) and b["last_tweet"] == at(200)
    assert a["n_tweets"] == 25 and a["sample_texts"] == []   # retweets only
    assert b["internal_weight"] == int(
        edges[edges["source"].str.startswith("b") & edges["target"].str.startswith("b")]
        ["weight"].sum())
