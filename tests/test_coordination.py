"""The coordination engine: hand-computed weights per kind, CNT equivalence, evidence,
calibration, communities, figures, the command line and recovery of the specimen's
planted groups."""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
import re
from collections import defaultdict
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook import load_release, schema
from casebook.cli import main
from tests._frames import make_tweets
from tests.conftest import tweet_row

T0 = pd.Timestamp("2020-09-30 01:00", tz="UTC")


def at(minutes: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=minutes)


def rt(user: str, minute: float, target: str, **extra: object) -> dict[str, object]:
    return {"userid": user, "tweet_time": at(minute), "is_retweet": True,
            "retweet_tweetid": target, "tweet_text": f"RT @orig: {target}", **extra}


def post(user: str, minute: float, text: str | None = None, **extra: object) -> dict[str, object]:
    return {"userid": user, "tweet_time": at(minute), "is_retweet": False,
            "tweet_text": text, **extra}


def weights(edges: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(s, t): int(w) for s, t, w in edges[["source", "target", "weight"]].itertuples(
        index=False)}


# --------------------------------------------------------------------------- windows


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


def test_co_tweet_normalises_text_and_never_matches_empty_text() -> None:
    tweets = make_tweets([
        post("A", 0, "Hello  @bob WORLD\n"),
        post("B", 0, "hello world"),
        post("C", 0, "@x"),            # normalises to "": never matches
        post("D", 0, "@y "),
        rt("E", 0, "5", tweet_text="hello world"),  # retweets are not co-tweets
        post("F", 3, "hello world"),   # too late
    ])
    assert weights(co.coordination_network(tweets, kind="co_tweet")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }


def test_normalise_text_matches_cnt_preprocessor() -> None:
    def cnt(text: str) -> str:  # CNT 1.5.2 message_preprocessor, with re instead of regex
        return " ".join(re.sub(r"@.*?(?=(?:[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a"
                               r"\u2028\u2029\u202f\u205f\u3000]|$))", "", text.lower()).split())

    texts = ["RT @a_b: Hi\u00a0there", "x@y z", "@", "Tab\there\u3000wide", "a \x1c b",
             "  lead  ", "MiXeD @A\u2028B", "line\r\nbreak", "@x\x1cy z", ""]
    got = co.normalise_text(pd.Series(texts, dtype=schema.STRING)).tolist()
    assert got == [cnt(t) for t in texts]
    assert co.normalise_text(pd.Series([None], dtype=schema.STRING)).isna().all()


# every Python whitespace character, and characters whose UTF-8 shares lead bytes with them
_WS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
_NEAR_WS = "\u200b\u2019\u201c\u2060\u3001\u1681\xa9\xab\u0100\x7f\x00"


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet=_WS + _NEAR_WS + "aZ@\u0627\u0416\u0531", max_size=12),
                      min_size=1, max_size=30))
def test_normalise_text_equals_cnt_on_any_whitespace(texts: list[str]) -> None:
    def cnt(text: str) -> str:
        return " ".join(re.sub(r"@.*?(?=(?:[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a"
                               r"\u2028\u2029\u202f\u205f\u3000]|$))", "", text.lower()).split())

    got = co.normalise_text(pd.Series(texts, dtype=schema.STRING)).tolist()
    assert got == [cnt(t) for t in texts]


def test_co_link_ignores_empty_urls_and_retweet_urls() -> None:
    tweets = make_tweets([
        post("A", 0, "a", urls=["https://example.com/x", ""]),
        post("B", 0, "b", urls=["https://example.com/x"]),
        post("C", 0, "c", urls=["", " "]),          # an empty URL is not a URL
        post("D", 0, "d", urls=[""]),
        rt("E", 0, "5", urls=["https://example.com/x"]),   # URLs of retweets ignored
        post("F", 0, "f", urls=["https://example.com/y"]),
    ])
    assert weights(co.coordination_network(tweets, kind="co_link")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }


def test_co_domain_uses_registered_domains() -> None:
    tweets = make_tweets([
        post("A", 0, "a", urls=["https://news.bbc.co.uk/1"]),
        post("B", 1, "b", urls=["http://www.BBC.co.uk/2"]),
        post("C", 0, "c", urls=["https://other.co.uk/1"]),   # a different domain under co.uk
        post("D", 0, "d", urls=["not a url"]),
    ])
    assert weights(co.coordination_network(tweets, kind="co_domain")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }
    got = co.registered_domains(pd.Series(["https://a.b.example.com/x", "", None, "http://10.0.0.1/"]))
    assert got.tolist() == ["example.com", pd.NA, pd.NA, "10.0.0.1"]


def test_co_hashtag_is_case_folded_and_counts_a_tweet_once() -> None:
    tweets = make_tweets([
        post("A", 0, "a", hashtags=["NATO", "Syria", "nato"]),
        post("B", 0, "b", hashtags=["nato", "#SYRIA"]),      # shares two tags: counts once
        post("B", 1, "b2", hashtags=["Straße"]),
        post("C", 0, "c", hashtags=["STRASSE"]),            # casefold: straße == strasse
        rt("D", 0, "4", hashtags=["NATO"]),                 # retweets ignored
    ])
    got = weights(co.coordination_network(tweets, kind="co_hashtag"))
    assert got == {("A", "B"): 1, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1}
    edges, evidence = co.coordination_network(tweets, kind="co_hashtag", evidence=True)
    ab = evidence[(evidence["source"] == "A") & (evidence["target"] == "B")]
    assert sorted(ab["key"]) == ["nato", "syria"]
    assert ab["source_tweetid"].nunique() == 1


def test_co_mention_and_co_reply() -> None:
    tweets = make_tweets([
        post("A", 0, "a", user_mentions=["42"], in_reply_to_tweetid="100"),
        post("B", 1, "b", user_mentions=["42", "43"], in_reply_to_tweetid="100"),
        post("C", 0, "c", user_mentions=["43"], in_reply_to_tweetid="101"),
        rt("D", 0, "5", user_mentions=["42"], in_reply_to_tweetid="100"),
    ])
    assert weights(co.coordination_network(tweets, kind="co_mention")) == {
        ("A", "B"): 1, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1,
    }
    assert weights(co.coordination_network(tweets, kind="co_reply")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }


def test_co_post_counts_any_tweets_in_the_window() -> None:
    tweets = make_tweets([
        post("A", 0, "x"), post("A", 0, "y"),
        post("B", 1, "z"),
        post("C", 2, "w"),
    ])
    assert weights(co.coordination_network(tweets, kind="co_post")) == {
        ("A", "B"): 2, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1,
    }


WORDS = ("the convoy was fired upon near the river crossing while local residents "
         "gathered to demand the release of the detainees held there").split()


def test_near_duplicate_links_one_word_edits_and_not_unrelated_texts() -> None:
    base = " ".join(WORDS[:20])
    edited = " ".join(WORDS[:9] + ["bridge"] + WORDS[10:20])
    assert len(base.split()) == 20
    tweets = make_tweets([
        post("A", 0, base),
        post("B", 1, edited),
        post("C", 0, "completely different words about a football match and the weather "
                     "today in the city centre with friends after work on friday"),
        post("D", 5, base),     # outside the window
    ])
    got = weights(co.coordination_network(tweets, kind="near_duplicate"))
    assert got == {("A", "B"): 1, ("B", "A"): 1}
    ev = co.edge_evidence(tweets, "A", "B", kind="near_duplicate")
    assert len(ev) == 1 and 0.7 <= ev["similarity"].iloc[0] < 1
    # stricter threshold drops the edited pair but keeps exact copies
    strict = co.coordination_network(tweets, kind="near_duplicate", threshold=0.95,
                                     window="10min")
    assert weights(strict) == {("A", "D"): 1, ("D", "A"): 1}


def test_near_duplicate_across_many_texts_only_links_the_copies() -> None:
    rng = np.random.default_rng(3)
    vocab = np.array([f"w{i}" for i in range(400)])
    rows = [post(f"u{i:02d}", 0, " ".join(rng.choice(vocab, 20))) for i in range(40)]
    copy_words = rows[0]["tweet_text"].split()
    copy_words[5] = "changed"
    rows.append(post("zz", 0, " ".join(copy_words)))
    got = weights(co.coordination_network(make_tweets(rows), kind="near_duplicate"))
    assert got == {("u00", "zz"): 1, ("zz", "u00"): 1}


def test_minhash_signatures_equal_datasketch() -> None:
    from datasketch import MinHash

    h32 = np.array([5, 17, 99, 3, 12345678], dtype=np.uint32)
    doc = np.array([0, 0, 0, 1, 1])
    sig = co._minhash_signatures(h32, doc, 2, num_perm=64, seed=7)
    for d in (0, 1):
        m = MinHash(num_perm=64, seed=7, hashfunc=int)
        m.update_batch(h32[doc == d].tolist())
        np.testing.assert_array_equal(sig[d], m.hashvalues)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.none() | st.text(alphabet=_WS + _NEAR_WS + "a1", max_size=5), max_size=20),
       cut=st.integers(0, 20))
def test_present_and_trimmed_follow_python_strip(values: list[str | None], cut: int) -> None:
    # two chunks, as a column read from several CSV blocks
    arr = pa.chunked_array([pa.array(values[:cut], pa.string()), pa.array(values[cut:], pa.string())])
    assert co._present(arr).tolist() == [v is not None and v.strip() != "" for v in values]
    trimmed = co._trimmed(arr.combine_chunks())
    assert trimmed.to_pylist() == [None if v is None else v.strip() for v in values]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.text(alphabet="ab\u00e9", max_size=11), max_size=25),
       offset=st.integers(0, 5))
def test_fingerprints_equal_for_equal_texts(values: list[str], offset: int) -> None:
    arr = pa.array(values, pa.large_string()).slice(min(offset, len(values)))
    texts = arr.to_pylist()
    fp = co._fingerprints(arr)
    for i, a in enumerate(texts):
        for j, b in enumerate(texts):
            if a == b:
                assert fp[i] == fp[j]
    repeated = co._repeated(fp)
    assert all(repeated[i] for i, t in enumerate(texts) if texts.count(t) > 1)


# --------------------------------------------------------------------------- CNT equivalence


def cnt_reference(tweets: pd.DataFrame, kind: str, window_s: int) -> dict[tuple[str, str], int]:
    """CNT 1.5.2's definition by brute force (empty keys never match, self-pairs dropped)."""

    def norm(text: str) -> str:
        return " ".join(re.sub(r"@\S*", "", text.lower()).split())

    recs = []
    for r in tweets.itertuples(index=False):
        is_rt = bool(r.is_retweet) if pd.notna(r.is_retweet) else False
        if kind == "co_retweet":
            keys = {r.retweet_tweetid} if is_rt and pd.notna(r.retweet_tweetid) else set()
        elif kind == "co_tweet":
            keys = {norm(r.tweet_text)} if not is_rt and pd.notna(r.tweet_text) else set()
        elif kind == "co_link":
            keys = set(r.urls) if not is_rt else set()
        else:
            keys = {r.in_reply_to_tweetid} if not is_rt and pd.notna(r.in_reply_to_tweetid) else set()
        keys = {k.strip() for k in keys if k and k.strip()}
        recs.append((r.tweetid, r.userid, r.tweet_time.timestamp(), keys))
    out: dict[tuple[str, str], int] = defaultdict(int)
    for tid_a, ua, ta, ka in recs:
        matched = {ub for tid_b, ub, tb, kb in recs
                   if ub != ua and tid_b != tid_a and abs(ta - tb) <= window_s and ka & kb}
        for ub in matched:
            out[(ua, ub)] += 1
    return dict(out)


TEXTS = ["Hello world", "hello  WORLD", "@x hello world", "@y", "", "other text",
         "Other\ttext @z", "hello world @q!", None]


@st.composite
def tweet_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 24))
    rows = []
    for i in range(n):
        is_rt = draw(st.booleans())
        rows.append({
            "tweetid": f"t{i}",
            "userid": draw(st.sampled_from(["u1", "u2", "u3", "u4"])),
            "tweet_time": at(draw(st.integers(0, 6))),
            "is_retweet": is_rt,
            "retweet_tweetid": draw(st.sampled_from(["r1", "r2", "r3"])) if is_rt else None,
            "tweet_text": draw(st.sampled_from(TEXTS)),
            "urls": draw(st.lists(st.sampled_from(["http://a", "http://b", "", " "]), max_size=2)),
            "in_reply_to_tweetid": draw(st.sampled_from([None, "p1", "p2", ""])),
        })
    return make_tweets(rows)


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


@settings(max_examples=30, deadline=None)
@given(tweets=tweet_frames(), kind=st.sampled_from(co.CNT_KINDS), max_pairs=st.sampled_from([2, co.MAX_PAIRS]))
def test_weights_without_the_one_sort_code_are_the_same(tweets: pd.DataFrame, kind: str,
                                                          max_pairs: int) -> None:
    # many accounts x many tweets would overflow the one-sort code: the fallback agrees
    with patch.object(co, "_ONE_SORT_LIMIT", 0):
        got = co.coordination_network(tweets, kind=kind, max_pairs=max_pairs)
    assert weights(got) == cnt_reference(tweets, kind, 60)


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
    with pytest.raises(ValueError, match="unknown kind"):
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


# --------------------------------------------------------------------------- calibration


def test_threshold_for_fpr_by_hand() -> None:
    ctl = pd.DataFrame({"source": ["a", "b", "c", "d"], "target": ["b", "a", "d", "e"],
                        "weight": [1, 1, 4, 2]})
    # account max weights: a 1, b 1, c 4, d 4, e 2
    assert co.threshold_for_fpr(ctl, fpr=0.0, n_accounts=100) == 5
    assert co.threshold_for_fpr(ctl, fpr=0.01, n_accounts=100) == 5   # c and d tie at 4
    assert co.threshold_for_fpr(ctl, fpr=0.02, n_accounts=100) == 3   # flags c, d
    assert co.threshold_for_fpr(ctl, fpr=0.03, n_accounts=100) == 2   # flags c, d, e
    assert co.threshold_for_fpr(ctl, fpr=0.05, n_accounts=100) == 1
    assert co.threshold_for_fpr(ctl, fpr=0.2) == 5    # denominator: 5 accounts in edges
    with pytest.raises(ValueError):
        co.threshold_for_fpr(ctl, fpr=1.5)


def _background(n_users: int, n: int, seed: int, prefix: str) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    return [rt(f"{prefix}{u:03d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, n_users, n), rng.integers(0, 24 * 60, n), rng.integers(0, 40, n),
        strict=True)]


def test_calibrate_reports_thresholds_and_flagged_controls() -> None:
    op_rows = _background(30, 600, 1, "op")
    for j in range(12):  # a planted pair retweeting together twelve times
        op_rows += [rt("opX", 100 * j, f"p{j}"), rt("opY", 100 * j, f"p{j}")]
    control = make_tweets(_background(60, 1200, 2, "ct"))
    table = co.calibrate(make_tweets(op_rows), control, kind=["co_retweet", "co_tweet"],
                         fpr=0.05)
    assert list(table["cohort"]) == ["operation", "control"] * 2
    row = table.set_index(["kind", "cohort"])
    thr = int(row.loc[("co_retweet", "control"), "threshold"])
    ctl_edges = co.coordination_network(control)
    assert thr == co.threshold_for_fpr(ctl_edges, fpr=0.05, n_accounts=60)
    assert row.loc[("co_retweet", "control"), "flagged_share"] <= 0.05
    assert row.loc[("co_retweet", "control"), "accounts"] == 60
    assert row.loc[("co_retweet", "operation"), "weight_max"] >= 12
    assert row.loc[("co_retweet", "operation"), "flagged_accounts"] >= 2
    assert row.loc[("co_tweet", "control"), "edges"] == 0
    fixed = co.calibrate(make_tweets(op_rows), control, kind="co_retweet", min_weight=2)
    assert (fixed["threshold"] == 2).all()


def test_edge_pvalues_separate_planted_from_chance() -> None:
    rng = np.random.default_rng(5)
    rows = [rt(f"bg{u:02d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, 30, 900), rng.integers(0, 120, 900), rng.integers(0, 8, 900),
        strict=True)]
    for j in range(10):
        rows += [rt("plantA", 12 * j + 5, f"s{j}"), rt("plantB", 12 * j + 5, f"s{j}")]
    tweets = make_tweets(rows)
    edges = co.coordination_network(tweets)
    out = co.edge_pvalues(tweets, edges, n_shuffles=19, seed=1)
    planted = out[(out["source"] == "plantA") & (out["target"] == "plantB")].iloc[0]
    assert planted["p_value"] == pytest.approx(1 / 20)
    assert planted["expected_weight"] < planted["weight"]
    assert out["p_value"].between(1 / 20, 1).all()
    assert (out["p_value"] > 0.05).mean() > 0.5
    again = co.edge_pvalues(tweets, edges, n_shuffles=19, seed=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(ValueError, match="key"):
        co.edge_pvalues(tweets, edges, kind="co_post")


# --------------------------------------------------------------------------- communities


def _two_groups() -> pd.DataFrame:
    rows = []
    for j in range(6):
        for u in ("a1", "a2", "a3", "a4"):
            rows.append(rt(u, 10 * j, f"x{j}", hashtags=["Alpha"]))
        for u in ("b1", "b2", "b3"):
            rows.append(post(u, 10 * j + 3, f"copy text {j}", hashtags=["Beta"],
                             urls=[f"https://sub.beta-news.com/{j}"]))
    rows.append(rt("a1", 200, "bridge"))
    rows.append(rt("b1", 200, "bridge"))
    return make_tweets(rows)


def test_communities_are_deterministic_and_ordered() -> None:
    tweets = _two_groups()
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet", "co_post"])
    comms = co.detect_communities(edges, seed=0)
    assert comms.groupby("community")["userid"].apply(list).to_dict() == {
        0: ["a1", "a2", "a3", "a4"], 1: ["b1", "b2", "b3"]}
    assert comms["community_size"].tolist() == [4] * 4 + [3] * 3
    pd.testing.assert_frame_equal(comms, co.detect_communities(edges, seed=0))
    assert co.detect_communities(edges.iloc[0:0]).empty


def test_summarize_communities() -> None:
    tweets = _two_groups()
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet", "co_hashtag"])
    comms = co.detect_communities(edges, seed=0)
    summary = co.summarize_communities(tweets, edges, comms, n_top=2, n_samples=2)
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


# --------------------------------------------------------------------------- figures


def test_plot_network() -> None:
    import matplotlib.pyplot as plt

    tweets = _two_groups()
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet"])
    comms = co.detect_communities(edges)
    _, ax = plt.subplots()
    out = co.plot_network(edges, communities=comms, ax=ax, seed=0)
    assert out is ax
    assert "Coordination network" in ax.get_title() and "7 accounts" in ax.get_title()
    assert "arbitrary units" in ax.get_xlabel()
    texts = {t.get_text() for t in ax.texts}
    assert {"a1", "b3"} <= texts
    nodes = [c for c in ax.collections if c.get_offsets().shape[0] == 7][0]
    colours = {tuple(np.round(c, 3)) for c in nodes.get_facecolors()}
    assert len(colours) == 2
    long_ids = edges.assign(source="x" * 12 + edges["source"], target="x" * 12 + edges["target"])
    ax2 = co.plot_network(long_ids)
    assert all(len(t.get_text()) <= 8 for t in ax2.texts)


def test_plot_weight_distribution() -> None:
    op = pd.DataFrame({"source": list("abc"), "target": list("bca"), "weight": [1, 30, 100]})
    ctl = pd.DataFrame({"source": list("de"), "target": list("ed"), "weight": [1, 2]})
    ax = co.plot_weight_distribution(op, ctl, threshold=5)
    assert ax.get_xscale() == "log"
    assert "log scale" in ax.get_xlabel() and "share of edges" in ax.get_ylabel()
    assert "operation vs control" in ax.get_title()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"operation", "control"}


# --------------------------------------------------------------------------- command line


def test_cli_network_writes_edges_and_safe_evidence(write_tweets, tmp_path: Path) -> None:
    rows = [
        tweet_row(tweetid="1", userid="A", tweet_text="=cmd|' /C calc'!A0", tweet_time="2020-09-30 01:15"),
        tweet_row(tweetid="2", userid="B", tweet_text="=CMD|' /c calc'!A0", tweet_time="2020-09-30 01:16"),
        tweet_row(tweetid="3", userid="C", tweet_text="other", tweet_time="2020-09-30 01:16"),
    ]
    path = write_tweets(rows)
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    code = main(["network", str(path), "--kind", "co_tweet", "--window", "1min",
                 "--out", str(out), "--evidence", str(evidence)])
    assert code == 0
    edges = pd.read_csv(out, dtype=str)
    assert list(edges.columns) == ["source", "target", "weight"]
    assert sorted(map(tuple, edges.to_numpy().tolist())) == [("A", "B", "1"), ("B", "A", "1")]
    with evidence.open(newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert main(["network", str(path), "--window", "30s", "--out", str(out)]) == 2


def test_cli_network_keeps_hashed_ids_and_neutralises_formula_ids(write_tweets,
                                                                  tmp_path: Path) -> None:
    hashed = "+EL31kZ5AO/+wTjkmSFtqVppSoYdzxOeUjnS+CQPK2Y="
    rows = [
        tweet_row(tweetid="1", userid=hashed, tweet_text="same", tweet_time="2020-09-30 01:15"),
        tweet_row(tweetid="2", userid='=HYPERLINK("http://x.example")', tweet_text="same",
                  tweet_time="2020-09-30 01:15"),
    ]
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    assert main(["network", str(write_tweets(rows)), "--kind", "co_tweet", "--out", str(out),
                 "--evidence", str(evidence)]) == 0
    for f in (out, evidence):
        with f.open(newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert hashed in cells  # joins back to the archive
        assert "'=HYPERLINK(\"http://x.example\")" in cells
        assert not any(c.startswith("=") for c in cells)


def test_cli_network_with_control(write_tweets, tmp_path: Path, capsys) -> None:
    op = write_tweets([
        tweet_row(tweetid=str(i), userid=u, is_retweet="true", retweet_tweetid=f"r{i // 2}",
                  tweet_time=f"2020-09-30 01:{10 + i // 2:02d}")
        for i, u in enumerate(["A", "B"] * 6)
    ], name="op_tweets.csv")
    ctl = write_tweets([
        tweet_row(tweetid=f"c{i}", userid=f"C{i % 4}", is_retweet="true",
                  retweet_tweetid="r0", tweet_time="2020-09-30 02:00")
        for i in range(4)
    ], name="ctl_tweets.csv")
    out = tmp_path / "edges.csv"
    assert main(["network", str(op), "--control", str(ctl), "--fpr", "0",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "threshold" in printed and "min weight 2" in printed
    assert pd.read_csv(out)["weight"].tolist() == [6, 6]


# --------------------------------------------------------------------------- real data


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


# --------------------------------------------------------------------------- specimen quality


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
