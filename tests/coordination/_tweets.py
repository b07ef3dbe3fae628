"""Shared builders for the coordination tests: tweets at minutes, CNT's definitions
by brute force, small networks."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import strategies as st

from casebook import paths
from tests._frames import make_tweets

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


#: every Python whitespace character
WS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"


NEAR_WS = "\u200b\u2019\u201c\u2060\u3001\u1681\xa9\xab\u0100\x7f\x00"


def cnt_normalise(text: str) -> str:
    """CNT 1.5.2's message_preprocessor, with re instead of regex."""
    return " ".join(re.sub(r"@.*?(?=(?:[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a"
                           r"\u2028\u2029\u202f\u205f\u3000]|$))", "", text.lower()).split())


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


def two_groups() -> pd.DataFrame:
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


def specimen_release(name: str) -> Path:
    """The specimen's release folder ``name``; the test is skipped when it is missing."""
    folder = paths.specimen_dir() / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing: write it with 'casebook specimen'")
    return folder


def specimen_store(root: Path, names: tuple[str, ...]) -> Path:
    """A store at ``root`` of the specimen's releases ``names`` (the other engines read a
    store's Parquet files where they lie)."""
    from casebook.store import add_release

    for name in names:
        add_release(root, specimen_release(name))
    return root


def real_excerpts() -> list[Path]:
    """The real archive excerpts of other releases in ``../shared`` (none without it): held
    out from the engines' development, each a release of its own."""
    from casebook.paths import shared_dir

    return sorted((shared_dir() / "fixtures" / "real").glob("*.csv"))
