"""The DuckDB engine gives the local engine's edges and weights: on the specimen (a
release folder and a store), on corner cases one by one, on random hostile tweets, out
of core under a small memory limit, and through ``casebook network --engine duckdb``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook import load_release
from casebook.coordination import command
from casebook.coordination.duck import DUCK_KINDS, duckdb_networks
from casebook.errors import CasebookError, UsageError
from tests._frames import make_tweets
from tests.coordination._tweets import (
    WS,
    at,
    real_excerpts,
    specimen_release,
    specimen_store,
    weights,
)

SPECIMEN = "iran_202012"  # every kind of DUCK_KINDS has edges in it
KINDS = list(DUCK_KINDS)


@pytest.fixture(scope="module")
def specimen() -> Path:
    return specimen_release(SPECIMEN)


@pytest.fixture(scope="module")
def store(specimen: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two specimen releases."""
    return specimen_store(tmp_path_factory.mktemp("duck") / "store", (SPECIMEN, "armenia_202012"))


def same_edges(got: pd.DataFrame, local: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, local)


def test_specimen_release_gives_identical_edges(specimen: Path) -> None:
    local = co.networks(load_release(specimen), kinds=KINDS)
    # every kind has edges, so equality is not between empty frames
    assert set(KINDS) <= set(local["kind"])
    same_edges(duckdb_networks(specimen, kinds=KINDS), local)


def test_real_excerpts_of_other_releases_give_identical_edges() -> None:
    """Held out: real archive excerpts (RNA_0621, CNHU_0621, GRU_202012), in a week's
    window so that most kinds have edges."""
    excerpts = real_excerpts()
    if not excerpts:
        pytest.skip("no real excerpts: ../shared/fixtures/real is absent")
    seen: set[str] = set()
    for path in excerpts:
        release = load_release(path, cache=False)
        local = co.networks(release, kinds=KINDS, window="7D")
        same_edges(duckdb_networks(release, kinds=KINDS, window="7D"), local)
        seen |= set(local["kind"])
    assert {"co_tweet", "co_link"} <= seen


def test_store_gives_the_edges_of_its_releases_together(store: Path, tmp_path: Path) -> None:
    from casebook.store import read_release

    tweets = pd.concat([read_release(store, n).tweets for n in ("armenia_202012", SPECIMEN)],
                       ignore_index=True)
    for window, min_weight in (("1min", 1), ("2min", 2)):
        local = co.networks(tweets, kinds=KINDS, window=window, min_weight=min_weight)
        assert len(local)
        got = duckdb_networks(store, kinds=KINDS, window=window, min_weight=min_weight,
                              temp_directory=tmp_path)
        same_edges(got, local)
    one = duckdb_networks(store, kinds=KINDS, releases=["armenia_202012"])
    same_edges(one, co.networks(read_release(store, "armenia_202012"), kinds=KINDS))
    assert list(tmp_path.iterdir()) == []  # the spill folder is removed


def test_spills_rather_than_fails_under_a_small_memory_limit(tmp_path: Path) -> None:
    # 40 accounts retweeting 50 tweets each in one minute: 2 million candidate pairs
    rows = [{"userid": f"u{u}", "tweet_time": at(0), "is_retweet": True,
             "retweet_tweetid": f"r{r}"} for u in range(40) for r in range(50)] * 20
    tweets = make_tweets(rows)
    local = co.networks(tweets, kinds=["co_retweet"])
    got = duckdb_networks(tweets, kinds=["co_retweet"], memory_limit="40MB", threads=1,
                          temp_directory=tmp_path)
    same_edges(got, local)
    assert set(got["weight"]) == {1000}


def test_out_of_memory_is_one_line_naming_the_memory_limit(tmp_path: Path,
                                                         monkeypatch) -> None:
    # DuckDB's OutOfMemoryException reached the terminal as a traceback and a page of
    # SQL settings
    from casebook.coordination import duck

    rows = [{"userid": f"u{u}", "tweet_time": at(0), "is_retweet": True,
             "retweet_tweetid": f"r{r}"} for u in range(40) for r in range(50)]
    with pytest.raises(CasebookError, match="out of memory within its limit of 1MB") as err:
        duckdb_networks(make_tweets(rows), kinds=["co_retweet"], memory_limit="1MB",
                        threads=1, temp_directory=tmp_path)
    assert "\n" not in str(err.value) and "--memory-limit" in err.value.hint
    assert type(err.value) is duck.DuckDBResourceError and err.value.exit_code == 1
    assert list(tmp_path.iterdir()) == []  # the spill folder is removed
    # a spill file on a full disk: DuckDB's IOException names the spill folder's option
    import duckdb

    def full(*args: object, **kwargs: object) -> None:
        raise duckdb.IOException("IO Error: Could not write file \"x.block\": No space "
                                 "left on device\nmore")

    monkeypatch.setattr(duck, "_weights", full)
    with pytest.raises(duck.DuckDBResourceError, match="No space left on device") as err:
        duckdb_networks(make_tweets(rows), kinds=["co_retweet"], temp_directory=tmp_path)
    assert "\n" not in str(err.value) and "--temp-directory" in err.value.hint
    # a temp_directory where no folder can be made
    blocked = tmp_path / "a_file"
    blocked.write_text("")
    with pytest.raises(UsageError, match="spill folder") as err:
        duckdb_networks(make_tweets(rows), kinds=["co_retweet"], temp_directory=blocked / "x")
    assert "--temp-directory" in err.value.hint
    # other exceptions are bugs: their traceback is kept
    monkeypatch.setattr(duck, "_weights", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        duckdb_networks(make_tweets(rows), kinds=["co_retweet"])


def test_parquet_files_are_one_set_of_tweets(specimen: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from casebook.coordination.duck import _arrow_part

    # the same release twice, in two files: every tweet of each file is a tweet
    tweets = load_release(specimen).tweets
    table = _arrow_part(tweets, ["userid", "tweet_time", "is_retweet", "retweet_tweetid",
                                 "tweet_text", "urls", "in_reply_to_tweetid", "user_mentions"])
    files = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    for f in files:
        pq.write_table(table, f)
    local = co.networks(pd.concat([tweets, tweets], ignore_index=True), kinds=KINDS)
    same_edges(duckdb_networks(files, kinds=KINDS), local)
    with pytest.raises(UsageError, match="Parquet files"):
        duckdb_networks([tmp_path / "missing.parquet"], kinds=KINDS)


# ------------------------------------------------------------------ corner cases


def _pair(kind: str, a: dict[str, object], b: dict[str, object]) -> pd.DataFrame:
    base = {"is_retweet": kind == "co_retweet", "tweet_time": at(0)}
    return make_tweets([{"userid": "a", **base, **a}, {"userid": "b", **base, **b}])


T0 = pd.Timestamp("1970-01-01", tz="UTC")
S = pd.Timedelta(seconds=1)
#: (kind, tweet of a, tweet of b, weight of a -> b): each decides one detail
CORNERS = [
    ("co_retweet", {"retweet_tweetid": "r1"}, {"retweet_tweetid": "r1"}, 1),  # same time
    ("co_retweet", {"retweet_tweetid": "r1"}, {"retweet_tweetid": "r1", "tweet_time": at(1)}, 1),
    ("co_retweet", {"retweet_tweetid": "r1"}, {"retweet_tweetid": "r1", "tweet_time": at(2)}, 0),
    ("co_retweet", {"retweet_tweetid": "r1"}, {"retweet_tweetid": "r2"}, 0),
    # ids trimmed of Unicode whitespace; a retweet by its id alone
    ("co_retweet", {"retweet_tweetid": "\u3000r1\x1c"},
     {"retweet_tweetid": " r1", "is_retweet": None}, 1),
    ("co_retweet", {"retweet_tweetid": " \x85"}, {"retweet_tweetid": "\u2028"}, 0),
    # seconds floored before 1970: 60.5 s apart are 61 s apart
    ("co_retweet", {"retweet_tweetid": "r9", "tweet_time": T0 - S / 2},
     {"retweet_tweetid": "r9", "tweet_time": T0 + 60 * S}, 0),
    # 60 s apart across a bin boundary
    ("co_retweet", {"retweet_tweetid": "r8", "tweet_time": T0 + 3599 * S},
     {"retweet_tweetid": "r8", "tweet_time": T0 + 3659 * S}, 1),
    ("co_tweet", {"tweet_text": "Hello  World"}, {"tweet_text": "hello world @x"}, 1),
    ("co_tweet", {"tweet_text": ""}, {"tweet_text": ""}, 0),  # empty never matches
    ("co_tweet", {"tweet_text": "@a @b"}, {"tweet_text": " @c\u3000"}, 0),  # mentions only
    # mentions end at whitespace, and \x1c is not whitespace for CNT's regex
    ("co_tweet", {"tweet_text": "x @m\x1cz"}, {"tweet_text": "x z"}, 0),
    ("co_tweet", {"tweet_text": "x @m\x1cz"}, {"tweet_text": "X"}, 1),
    ("co_tweet", {"tweet_text": f"x{WS}y"}, {"tweet_text": "X Y"}, 1),
    # lowercased character by character (Arrow), not in context: a final sigma is σ
    ("co_tweet", {"tweet_text": "ΑΣ"}, {"tweet_text": "ασ"}, 1),
    ("co_tweet", {"tweet_text": "ΑΣ"}, {"tweet_text": "ας"}, 0),
    ("co_tweet", {"tweet_text": "İx"}, {"tweet_text": "ix"}, 1),
    ("co_tweet", {"tweet_text": "hi", "is_retweet": True}, {"tweet_text": "hi"}, 0),
    # a retweet by its retweet_tweetid alone is no original, whatever the kinds asked
    ("co_tweet", {"tweet_text": "hi", "is_retweet": False, "retweet_tweetid": "r1"},
     {"tweet_text": "hi"}, 0),
    ("co_link", {"urls": ["http://a"], "retweet_tweetid": "\tr1"}, {"urls": ["http://a"]}, 0),
    ("co_link", {"urls": ["http://a/ ", "http://b"]}, {"urls": ["\thttp://a/"]}, 1),
    ("co_link", {"urls": ["", " "]}, {"urls": [" ", ""]}, 0),
    ("co_mention", {"user_mentions": ["u9", "u9"]}, {"user_mentions": ["u9"]}, 1),
    ("co_reply", {"in_reply_to_tweetid": "p1\x1c"}, {"in_reply_to_tweetid": " p1"}, 1),
]


@pytest.mark.parametrize(("kind", "a", "b", "weight"), CORNERS)
def test_corner_cases_give_the_local_weight(kind: str, a: dict[str, object],
                                            b: dict[str, object], weight: int) -> None:
    tweets = _pair(kind, a, b)
    local = co.networks(tweets, kinds=[kind])
    got = duckdb_networks(tweets, kinds=[kind])
    same_edges(got, local)
    assert weights(got).get(("a", "b"), 0) == weight


def test_rows_not_ids_are_tweets() -> None:
    # one tweet id on two rows of an account is two tweets (weight 2); two tweets of b
    # matching one tweet of a count once
    rows = [{"tweetid": "d", "userid": "a", "tweet_time": at(0), "is_retweet": True,
             "retweet_tweetid": "r1"}] * 2
    rows += [{"tweetid": f"b{i}", "userid": "b", "tweet_time": at(0), "is_retweet": True,
              "retweet_tweetid": "r1"} for i in range(3)]
    tweets = make_tweets(rows)
    got = duckdb_networks(tweets, kinds=["co_retweet"])
    same_edges(got, co.networks(tweets, kinds=["co_retweet"]))
    assert weights(got) == {("b", "a"): 3, ("a", "b"): 2}


# ------------------------------------------------------------------ random hostile tweets

TEXTS = ["Hello world", f"hello{WS[:6]}WORLD", "@x hello world", "hello world @q\x1cz",
         "ΑΣ ΑΣΑ", "ασ ασα", "ας ασα", "İstanbul", "istanbul", "i̇stanbul",
         f"{WS[6:]}Hello world{WS[-3:]}", "@", "@a @b", "", "  ", None]
URLS = ["http://a.example.com/x", " http://a.example.com/x ", "https://B.Example.com/",
        "", " ", None]
IDS = ["r1", "\u3000r1\x1c", "r2", "", " \x85", None]


@st.composite
def hostile_tweets(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 40))
    rows = []
    for i in range(n):
        rows.append({
            "tweetid": f"t{i % 30}",  # some ids repeat: rows, not ids, are tweets
            "userid": draw(st.sampled_from(["u1", "u2", "u3", "u4", "", None])),
            # minutes with some odd seconds, before and after the epoch, and missing times
            "tweet_time": draw(st.one_of(
                st.integers(0, 8).map(at),
                st.integers(-4000, 4000).map(lambda s: T0 + pd.Timedelta(seconds=s)),
                st.just(None))),
            "is_retweet": draw(st.sampled_from([True, False, False, None])),
            "retweet_tweetid": draw(st.sampled_from(IDS)),
            "in_reply_to_tweetid": draw(st.sampled_from(IDS)),
            "tweet_text": draw(st.sampled_from(TEXTS)),
            "urls": draw(st.lists(st.sampled_from(URLS), max_size=2)),
            "user_mentions": draw(st.lists(st.sampled_from(IDS), max_size=2)),
        })
    return make_tweets(rows)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@example(tweets=make_tweets([]), window="1min", min_weight=1)
@given(tweets=hostile_tweets(), window=st.sampled_from(["1min", "150s", "1h"]),
       min_weight=st.sampled_from([1, 1, 2]))
def test_random_tweets_give_identical_edges(tweets: pd.DataFrame, window: str,
                                            min_weight: int) -> None:
    local = co.networks(tweets, kinds=KINDS, window=window, min_weight=min_weight)
    got = duckdb_networks(tweets, kinds=KINDS, window=window, min_weight=min_weight)
    same_edges(got, local)


# ------------------------------------------------------------------ the command


def run_network(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="casebook network")
    command.add_arguments(parser)
    return command.run(parser.parse_args(list(argv)))


def test_command_writes_the_local_engines_file(specimen: Path, store: Path,
                                               tmp_path: Path) -> None:
    kinds = [a for k in ("co_retweet", "co_tweet", "co_link") for a in ("--kind", k)]
    run_network(str(specimen), *kinds, "--out", str(tmp_path / "local.csv"))
    run_network(str(specimen), *kinds, "--engine", "duckdb", "--out", str(tmp_path / "d.csv"))
    run_network(str(store), "--release", SPECIMEN, *kinds, "--engine", "duckdb",
                "--memory-limit", "500MB", "--temp-directory", str(tmp_path / "spill"),
                "--out", str(tmp_path / "store.csv"))
    local = (tmp_path / "local.csv").read_bytes()
    assert local.count(b"\n") > 10
    assert (tmp_path / "d.csv").read_bytes() == local
    assert (tmp_path / "store.csv").read_bytes() == local


def test_what_duckdb_does_not_compute_is_refused_with_the_way_out(specimen: Path,
                                                                   tmp_path: Path) -> None:
    out = str(tmp_path / "e.csv")
    with pytest.raises(UsageError, match="co_hashtag.*duckdb") as err:
        run_network(str(specimen), "--kind", "co_hashtag", "--engine", "duckdb", "--out", out)
    assert "--engine local" in err.value.hint
    with pytest.raises(UsageError, match="local engine"):
        run_network(str(specimen), "--engine", "duckdb", "--evidence",
                    str(tmp_path / "p.csv"), "--out", out)
    with pytest.raises(UsageError, match="--master"):
        run_network(str(specimen), "--engine", "duckdb", "--master", "local[2]", "--out", out)
    with pytest.raises(UsageError, match="--memory-limit"):
        run_network(str(specimen), "--memory-limit", "1GB", "--out", out)
    with pytest.raises(UsageError, match="memory limit"):
        duckdb_networks(make_tweets([]), kinds=["co_retweet"], memory_limit="lots")
    # out of memory on the command line: one line naming the option
    with pytest.raises(CasebookError, match="out of memory") as err:
        run_network(str(specimen), "--kind", "co_retweet", "--kind", "co_tweet", "--engine",
                    "duckdb", "--memory-limit", "4MB", "--out", out)
    assert "--memory-limit" in str(err.value) and "\n" not in str(err.value)
    assert not Path(out).exists()
    with pytest.raises(UsageError, match="near_duplicate"):
        duckdb_networks(make_tweets([]), kinds=["near_duplicate"])
