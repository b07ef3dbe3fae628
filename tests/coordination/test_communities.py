"""Louvain communities and their summaries."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_summaries_count_only_their_accounts_tweets() -> None:
    # tweets of accounts in no community, and a tweet without an account, count nowhere
    tweets = two_groups()
    extra = tweets.iloc[:3].copy()
    extra["userid"] = pd.array(["zz", "zz", None], dtype=tweets["userid"].dtype)
    extra["tweetid"] = pd.array(["9001", "9002", "9003"], dtype=tweets["tweetid"].dtype)
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet", "co_hashtag"])
    comms = co.detect_communities(edges, seed=0)
    both = pd.concat([extra, tweets], ignore_index=True)
    summary = co.summarise_communities(both, edges, comms, n_top=2, n_samples=2)
    alone = co.summarise_communities(tweets, edges, comms, n_top=2, n_samples=2)
    pd.testing.assert_frame_equal(summary, alone)
    assert summary["n_tweets"].sum() == tweets["userid"].isin(comms["userid"]).sum()


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
    ["a", "b", "B", "ä", "z", "aa", "", "é", "😀", "\u00e9", "e\u0301", "x y"]) | st.text(max_size=3)),
    max_size=60), n=st.integers(1, 4), counts=st.booleans())
def test_top_codes_equal_top_values(rows: list[tuple[int, str]], n: int, counts: bool) -> None:
    # counted on integer codes with the labels ranked once in string order: the same
    # lists as the groupby on the strings themselves
    from casebook.coordination.communities import _top_codes, _top_values

    frame = pd.DataFrame(rows, columns=["community", "value"]).astype({"community": "int64",
                                                                       "value": object})
    encoded = pa.array(frame["value"].tolist(), pa.large_string()).dictionary_encode()
    expected = _top_values(frame, "value", n, counts=counts)
    # counted in a (communities x values) table, and by sorting when that would be too big
    for cells in (1 << 22, 0):
        got = _top_codes(frame["community"].to_numpy(), encoded.indices.to_numpy().astype("int64"),
                         encoded.dictionary, n, counts=counts, count_cells=cells)
        assert got == expected


def test_projected_graph_holds_each_pair_with_its_summed_weight_nodes_sorted() -> None:
    # directed edges of two kinds summed per unordered pair; nodes in sorted order (the
    # layouts and Louvain depend on it)
    from casebook.coordination.communities import projected_graph, undirected

    edges = pd.DataFrame({
        "source": ["z", "a", "m", "a", "q", "b"],
        "target": ["a", "z", "a", "m", "b", "q"],
        "weight": [1, 2, 3, 4, 5, 6],
        "kind": ["co_retweet", "co_tweet", "co_retweet", "co_retweet", "co_link", "co_link"],
    })
    graph = projected_graph(undirected(edges, None))
    assert list(graph.nodes) == ["a", "b", "m", "q", "z"]
    got = {tuple(sorted((u, v))): d["weight"] for u, v, d in graph.edges(data=True)}
    assert got == {("a", "z"): 3, ("a", "m"): 7, ("b", "q"): 11}
