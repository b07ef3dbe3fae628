"""The Spark engine gives the local engine's edges and weights: on the specimen (a
release folder and a store), on random hostile tweets, and through ``casebook network``.

One local[2] session serves the module (Spark starts in ~20 s). Skipped, with the
reason, without pyspark or a Java runtime (``make java-deps`` installs Debian's as root).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook import load_release
from casebook.coordination import command
from casebook.coordination.text import normalise_arrow
from casebook.errors import UsageError
from tests._frames import make_tweets
from tests.coordination._tweets import (
    WS,
    at,
    real_excerpts,
    specimen_release,
    specimen_store,
)

JAVA = shutil.which("java") or (
    os.environ.get("JAVA_HOME") and shutil.which("java", path=str(Path(os.environ["JAVA_HOME"]) / "bin")))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.skipif(not JAVA, reason="no Java runtime for Spark: apt-get install -y "
                                        "default-jre-headless (make java-deps, as root)"),
]
spark_mod = pytest.importorskip("casebook.coordination.spark")
pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]'")

SPECIMEN = "armenia_202012"


@pytest.fixture(scope="module")
def spark():
    session = spark_mod.spark_session("local[2]", conf={
        "spark.driver.memory": "2g", "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
    })
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def specimen() -> Path:
    return specimen_release(SPECIMEN)


@pytest.fixture(scope="module")
def store(specimen: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two specimen releases."""
    return specimen_store(tmp_path_factory.mktemp("spark") / "store", (SPECIMEN, "GRU_202012"))


def same_edges(spark_edges: pd.DataFrame, local_edges: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(spark_edges, local_edges)


def test_specimen_release_gives_identical_edges(spark, specimen: Path) -> None:
    kinds = list(spark_mod.SPARK_KINDS)
    local = co.networks(load_release(specimen), kinds=kinds)
    edges = spark_mod.spark_networks(specimen, kinds=kinds, spark=spark)
    # every kind the specimen exercises has edges, so equality is not between empty frames
    assert {"co_retweet", "co_tweet", "co_link", "co_domain", "co_hashtag",
            "co_post"} <= set(local["kind"])
    same_edges(edges, local)


def test_real_excerpts_of_other_releases_give_identical_edges(spark) -> None:
    """Held out: real archive excerpts (RNA_0621, CNHU_0621, GRU_202012), in a week's
    window so that most kinds have edges."""
    excerpts = real_excerpts()
    if not excerpts:
        pytest.skip("no real excerpts: ../shared/fixtures/real is absent")
    kinds = list(spark_mod.SPARK_KINDS)
    seen: set[str] = set()
    for path in excerpts:
        release = load_release(path, cache=False)
        local = co.networks(release, kinds=kinds, window="7D")
        same_edges(spark_mod.spark_networks(release, kinds=kinds, window="7D", spark=spark), local)
        seen |= set(local["kind"])
    assert {"co_tweet", "co_link", "co_domain", "co_hashtag", "co_post"} <= seen


def test_store_gives_the_edges_of_its_releases_together(spark, store: Path) -> None:
    from casebook.store import read_release

    kinds = ["co_retweet", "co_tweet", "co_hashtag", "co_mention", "co_reply"]
    tweets = pd.concat([read_release(store, n).tweets for n in ("GRU_202012", SPECIMEN)],
                       ignore_index=True)
    local = co.networks(tweets, kinds=kinds, window="2min", min_weight=2)
    assert len(local)
    edges = spark_mod.spark_networks(store, kinds=kinds, window="2min", min_weight=2,
                                     spark=spark)
    same_edges(edges, local)


# ------------------------------------------------------------------ random hostile tweets

# texts that separate the engines when a detail differs: Unicode whitespace of every
# kind, mentions ended by it or by \x1c (not whitespace for CNT's regex), a final capital
# sigma and dotted capital I (lowercased per character, not in context), characters newer
# than Spark's Unicode tables, case folding beyond lowercase (ß, ﬁ)
TEXTS = ["Hello world", f"hello{WS[:6]}WORLD", "@x hello world", "hello world @q\x1cz",
         "ΑΣ ΑΣΑ", "ασ ασα", "İstanbul", "i̇stanbul", "\ua7dd\U0001df40 x", "ɷ\U0001df41 x",
         f"{WS[6:]}Hello world{WS[-3:]}", "@", "", "  ", None]
HASHTAGS = ["Tag", "#tag", "##TAG", " #tag\u2028", "STRASSE", "straße", "ﬁx", "FIX", "#", " ",
            "# tag", "ΣΑΣ", "σας", None]
URLS = ["http://a.example.com/x", " http://a.example.com/x ", "https://B.Example.com/",
        "https://news.example.co.uk/1", "javascript:alert(1)", "", " ", "http://10.0.0.1/",
        None]
IDS = ["r1", "\u3000r1\x1c", "r2", "", " \x85", None]


@st.composite
def hostile_tweets(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 40))
    rows = []
    for i in range(n):
        is_rt = draw(st.sampled_from([True, False, False, None]))
        rows.append({
            "tweetid": f"t{i % 30}",  # some ids repeat: rows, not ids, are tweets
            "userid": draw(st.sampled_from(["u1", "u2", "u3", "u4", "", None])),
            # minutes with some odd seconds, before and after the epoch, and missing times
            "tweet_time": draw(st.one_of(
                st.integers(0, 8).map(at),
                st.integers(-4000, 4000).map(lambda s: pd.Timestamp(0, tz="UTC")
                                             + pd.Timedelta(seconds=s)),
                st.just(None))),
            "is_retweet": is_rt,
            "retweet_tweetid": draw(st.sampled_from(IDS)),
            "in_reply_to_tweetid": draw(st.sampled_from(IDS)),
            "tweet_text": draw(st.sampled_from(TEXTS)),
            "hashtags": draw(st.lists(st.sampled_from(HASHTAGS), max_size=3)),
            "urls": draw(st.lists(st.sampled_from(URLS), max_size=2)),
            "user_mentions": draw(st.lists(st.sampled_from(IDS), max_size=2)),
        })
    return make_tweets(rows)


def corner_cases() -> pd.DataFrame:
    """One tweet pair per detail the engines must agree on (each gives or withholds an
    edge of its own accounts)."""
    t0 = pd.Timestamp("1970-01-01", tz="UTC")
    s = pd.Timedelta(seconds=1)
    rows = [
        # retweets: ids trimmed of Unicode whitespace; is_retweet missing, id set
        {"userid": "a1", "tweet_time": at(0), "is_retweet": True, "retweet_tweetid": "r1"},
        {"userid": "a2", "tweet_time": at(1), "is_retweet": None,
         "retweet_tweetid": "\u3000r1\x1c"},
        # the same id on two rows of one account: two tweets
        {"tweetid": "d", "userid": "a3", "tweet_time": at(2), "is_retweet": True,
         "retweet_tweetid": "r1"},
        {"tweetid": "d", "userid": "a3", "tweet_time": at(2), "is_retweet": True,
         "retweet_tweetid": "r1"},
        # texts lowercased character by character, mentions ended by \x1c not removed
        {"userid": "b1", "tweet_time": at(0), "tweet_text": "ΑΣ İx @m\x1cz"},
        {"userid": "b2", "tweet_time": at(0), "tweet_text": "ασ ix"},
        {"userid": "b3", "tweet_time": at(0), "tweet_text": "ας i̇x"},
        # hashtags case-folded after trimming whitespace and "#"
        {"userid": "c1", "tweet_time": at(0), "hashtags": ["STRASSE"]},
        {"userid": "c2", "tweet_time": at(0), "hashtags": ["straße"]},
        {"userid": "g1", "tweet_time": at(5), "hashtags": ["#Tag\u2028"]},
        {"userid": "g2", "tweet_time": at(5), "hashtags": ["\ttag"]},
        # one domain, two URLs; mentions and replies trimmed
        {"userid": "c3", "tweet_time": at(0), "urls": ["http://a.example.com/x"],
         "user_mentions": ["\tu9"], "in_reply_to_tweetid": "p1\x1c"},
        {"userid": "c4", "tweet_time": at(0), "urls": ["https://B.example.com/"],
         "user_mentions": ["u9"], "in_reply_to_tweetid": " p1"},
        # seconds are floored (before 1970 too): 61 s apart, not 60
        {"userid": "e1", "tweet_time": t0 - s / 2, "is_retweet": True, "retweet_tweetid": "r9"},
        {"userid": "e2", "tweet_time": t0 + 60 * s, "is_retweet": True, "retweet_tweetid": "r9"},
        # 60 s apart across a bin boundary: inside the window
        {"userid": "e3", "tweet_time": t0 + 3599 * s, "is_retweet": True, "retweet_tweetid": "r8"},
        {"userid": "e4", "tweet_time": t0 + 3659 * s, "is_retweet": True, "retweet_tweetid": "r8"},
        # no account or no time: not a tweet of any network
        {"userid": None, "tweet_time": at(0), "is_retweet": True, "retweet_tweetid": "r1"},
        {"userid": "f1", "tweet_time": None, "is_retweet": True, "retweet_tweetid": "r1"},
    ]
    return make_tweets(rows)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@example(tweets=corner_cases(), window="1min", min_weight=1)
@given(tweets=hostile_tweets(), window=st.sampled_from(["1min", "150s", "1h"]),
       min_weight=st.sampled_from([1, 1, 2]))
def test_random_tweets_give_identical_edges(spark, tweets: pd.DataFrame, window: str,
                                            min_weight: int) -> None:
    kinds = list(spark_mod.SPARK_KINDS)
    local = co.networks(tweets, kinds=kinds, window=window, min_weight=min_weight)
    edges = spark_mod.spark_networks(tweets, kinds=kinds, window=window,
                                     min_weight=min_weight, spark=spark)
    same_edges(edges, local)


def test_text_normalisation_equals_the_local_one_on_every_code_point(spark) -> None:
    from pyspark.sql import functions as F

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and c != 0x40)
    mentions = "".join(f"{every[i:i + 97]}@" for i in range(0, len(every), 97))
    texts = [every, mentions, "ΑΣ ΑΣΑ Σ.", "@İ\x1cx  y\u3000@z"]
    frame = spark.createDataFrame(pa.table({"i": range(len(texts)), "t": texts}))
    got = frame.select("i", spark_mod.normalised(F.col("t")).alias("n")).toArrow()
    got = got.sort_by("i")["n"].to_pylist()
    assert got == normalise_arrow(pa.array(texts)).to_pylist()


# ------------------------------------------------------------------ the command


def run_network(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="casebook network")
    command.add_arguments(parser)
    return command.run(parser.parse_args(list(argv)))


def test_command_writes_the_local_engines_file(spark, specimen: Path, store: Path,
                                               tmp_path: Path) -> None:
    kinds = [a for k in ("co_retweet", "co_tweet", "co_link") for a in ("--kind", k)]
    # the local engine reads the release from the store, Spark from its folder
    run_network(str(store), "--release", SPECIMEN, *kinds, "--out", str(tmp_path / "local.csv"))
    run_network(str(specimen), *kinds, "--engine", "spark", "--master", "local[2]",
                "--out", str(tmp_path / "spark.csv"))
    local = (tmp_path / "local.csv").read_bytes()
    assert local.count(b"\n") > 10
    assert (tmp_path / "spark.csv").read_bytes() == local
    assert spark.sparkContext._jsc is not None  # the module's session was not stopped


def test_what_spark_does_not_compute_is_refused_with_the_way_out(specimen: Path,
                                                                  tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="near_duplicate is not computed by the spark engine") as err:
        run_network(str(specimen), "--kind", "near_duplicate", "--engine", "spark",
                    "--out", str(tmp_path / "e.csv"))
    assert "--engine local" in err.value.hint
    with pytest.raises(UsageError, match="local engine"):
        run_network(str(specimen), "--engine", "spark", "--evidence", str(tmp_path / "p.csv"),
                    "--out", str(tmp_path / "e.csv"))
    with pytest.raises(UsageError, match="--master"):
        run_network(str(specimen), "--master", "local[2]", "--out", str(tmp_path / "e.csv"))
    with pytest.raises(UsageError, match="near_duplicate"):
        spark_mod.spark_networks(make_tweets([]), kinds=["near_duplicate"])
