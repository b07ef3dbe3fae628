"""casebook.ids: ids written in float notation, found, restored where certain, reported."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from casebook import ids, load_release
from casebook.paths import shared_dir
from tests import _quirks as q

REAL = shared_dir() / "fixtures" / "real"


def _real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real archive excerpt not found at {path} (../shared is absent)")
    return path


def _load(folder: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the duplicate the fixture holds
        return load_release(folder, **kw)


# --------------------------------------------------------------------------- detection


def test_float_notation_is_told_from_integers_and_hashes() -> None:
    values = pd.Series([
        "1.3001685990851215e+18", "1.207965844074107e+18", "123456789.0", "1e+18", "12.5",
        "1300168599085121537", q.HASH_DIGIT, q.HASH_PLUS, q.HASH_E, q.HASH_SHORT,
        "1234e5678901234567890123456789012345678901234567890123456789012",  # 64-char "hex"
        "", None,
    ], dtype="string")
    got = ids.is_float_notation(values)
    assert got.tolist() == [True] * 5 + [False] * 8
    assert got.index.equals(values.index)
    arrow = ids.is_float_notation(pa.array(["1.2e+18", "12", None]))
    assert arrow.to_pylist() == [True, False, False]


# --------------------------------------------------------------------------- restoration


def _restore(tweets: dict[str, list], users: dict[str, list] | None = None):
    t, u, checks = ids.restore_float_ids(
        pa.table({k: pa.array(v, pa.string()) for k, v in tweets.items()}),
        pa.table(users) if users is not None else None, checks={"kept": 1},
    )
    return t, u, checks


def test_restores_only_an_id_that_matches_exactly_one_tweet_of_the_release() -> None:
    base = q.BASE  # base and base + 1 round to the same float64
    t, _, checks = _restore({
        "tweetid": [str(base), str(base + 1), "1187654321098765313"],
        "quoted_tweet_tweetid": [q.float_id(1187654321098765313), q.float_id(base),
                                 q.float_id(q.OUTSIDE[0])],
    })
    col = t.column("quoted_tweet_tweetid").to_pylist()
    assert col[0] == "1187654321098765313"  # one tweet of the release rounds to it
    assert col[1] == q.float_id(base)  # two do: ambiguous, kept as written
    assert col[2] == q.float_id(q.OUTSIDE[0])  # none does: kept as written
    assert str(int(float(col[2]))) != q.OUTSIDE[0]  # what int(float) would have invented
    assert checks["float_ids"]["quoted_tweet_tweetid"] == {
        "rows": 3, "present": 3, "share": 1.0, "exact": 0, "restored": 1, "ambiguous": 1,
        "unmatched": 1, "rewritten": True,
    }
    assert checks["kept"] == 1  # the loader's checks are carried over


def test_small_ids_are_exact_and_user_columns_match_user_ids() -> None:
    t, _, checks = _restore({
        "tweetid": ["1", "2", "3"],
        "userid": [q.NUMERIC_USER, q.HASH_PLUS, q.HASH_DIGIT],
        "retweet_userid": [q.float_id(q.NUMERIC_USER), "123456789.0", q.float_id(q.OUTSIDE[1])],
        "in_reply_to_tweetid": [None, "2.0", None],
    })
    assert t.column("retweet_userid").to_pylist() == [q.NUMERIC_USER, "123456789",
                                                       q.float_id(q.OUTSIDE[1])]
    assert t.column("in_reply_to_tweetid").to_pylist() == [None, "2", None]
    report = checks["float_ids"]
    assert (report["retweet_userid"]["exact"], report["retweet_userid"]["restored"],
            report["retweet_userid"]["unmatched"]) == (1, 1, 1)
    assert report["in_reply_to_tweetid"]["present"] == 1
    assert "userid" not in report and "tweetid" not in report  # nothing floated there


def test_account_keys_are_reported_not_rewritten() -> None:
    floated = q.float_id(q.NUMERIC_USER)
    t, u, checks = _restore(
        {"tweetid": ["1", "2"], "userid": [floated, q.HASH_PLUS]},
        {"userid": pa.array([floated, q.HASH_PLUS]), "hashed": pa.array([True, True])},
    )
    assert t.column("userid").to_pylist() == [floated, q.HASH_PLUS]
    assert u.column("hashed").to_pylist() == [False, True]  # a numeric id, not a hash
    assert checks["float_ids"]["userid"]["rewritten"] is False
    assert checks["float_ids"]["users.userid"]["rows"] == 1
    assert "account key" in ids.describe_float_ids(checks["float_ids"])[0]


def test_a_tweet_written_as_integer_and_as_float_is_a_duplicate() -> None:
    t, _, checks = _restore({"tweetid": ["1187654321098765313", q.float_id(1187654321098765313),
                                         q.float_id(q.OUTSIDE[0])]})
    assert t.column("tweetid").to_pylist()[:2] == ["1187654321098765313"] * 2
    assert checks["duplicate_tweetids"] == 1
    assert checks["duplicate_tweetid_examples"] == ["1187654321098765313"]
    assert checks["float_ids"]["tweetid"]["unmatched"] == 1


def test_nothing_in_float_notation_gives_an_empty_report() -> None:
    t, _, checks = _restore({"tweetid": ["1", "2"], "quoted_tweet_tweetid": [None, "1"]})
    assert checks["float_ids"] == {}
    assert ids.float_id_table(checks["float_ids"]).empty
    assert ids.describe_float_ids(checks["float_ids"]) == []


# --------------------------------------------------------------------------- the loader


def test_loader_restores_and_reports_on_a_2021_format_release(tmp_path: Path) -> None:
    fixture = q.write_2021_release(tmp_path / "REA_0621")
    release = _load(fixture.folder, cache=False)
    assert release.name == "REA_0621" and len(release.tweets) == 9  # both per-year files
    report = release.checks["float_ids"]
    assert set(report) == set(fixture.float_ids)
    for column, expected in fixture.float_ids.items():
        assert {k: report[column][k] for k in expected} == expected, column
    t = release.tweets.drop_duplicates("tweetid").set_index("tweetid")
    for (tweetid, column), value in {**fixture.restored, **fixture.kept}.items():
        assert t.loc[tweetid, column] == value, (tweetid, column)
    assert release.checks["duplicate_tweetids"] == 1
    assert str(release.tweets["quoted_tweet_tweetid"].dtype) == "string"
    table = ids.float_id_table(release)
    assert table.set_index("column").loc["in_reply_to_tweetid", "ambiguous"] == 1


def test_report_survives_the_cache(tmp_path: Path) -> None:
    fixture = q.write_2021_release(tmp_path / "REA_0621")
    cache = tmp_path / "cache"
    first = _load(fixture.folder, cache_dir=cache)
    second = _load(fixture.folder, cache_dir=cache)
    assert bool(second.provenance["cached"].all())
    assert second.checks["float_ids"] == first.checks["float_ids"]
    pd.testing.assert_frame_equal(second.tweets, first.tweets)


def test_narrow_load_reports_the_columns_it_reads(tmp_path: Path) -> None:
    fixture = q.write_2021_release(tmp_path / "REA_0621")
    narrow = _load(fixture.folder, cache=False, columns=["quoted_tweet_tweetid"])
    assert set(narrow.checks["float_ids"]) == {"tweetid", "quoted_tweet_tweetid"}
    assert narrow.checks["float_ids"]["quoted_tweet_tweetid"]["restored"] == 1


def test_2020_12_release_has_no_float_ids(tmp_path: Path) -> None:
    path = q.write_2020_12_release(tmp_path / "GRU_202012")
    release = load_release(path, cache=False)
    assert release.checks["float_ids"] == {}
    assert release.tweets.loc[1, "retweet_tweetid"] == "1229734494892101633"


# --------------------------------------------------------------------------- real excerpts


@pytest.mark.parametrize(("name", "expected"), [
    ("rna_0621_2020_excerpt.csv", {"quoted_tweet_tweetid": (84, 84)}),
    ("cnhu_0621_2020_excerpt.csv", {"quoted_tweet_tweetid": (5, 5), "retweet_tweetid": (1, 1)}),
    ("gru_202012_excerpt_a.csv", {}),
])
def test_real_excerpts_float_columns(name: str, expected: dict) -> None:
    release = load_release(_real(name), cache=False)
    report = release.checks["float_ids"]
    assert {c: (e["rows"], e["present"]) for c, e in report.items()} == expected
    for column in expected:  # none of these quotes or retweets is a tweet of the excerpt
        assert report[column]["restored"] == 0 and report[column]["unmatched"] == expected[column][0]
        kept = release.tweets[column].dropna()
        assert ids.is_float_notation(kept).all()
