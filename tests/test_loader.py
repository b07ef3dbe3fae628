"""The loader reads archive files exactly, quirks and all, and never drops a row silently."""

from __future__ import annotations

import calendar
import csv
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook import LoadError, load_release, loader, schema
from tests.conftest import archive_bytes, tweet_row

HASH_A = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="
HASH_B = "qBf+h+wuixptxkrp9LXpR7KQSoNGxJsvvPlkpciS4="


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- real data


def test_real_excerpt_counts(real_excerpt: Path) -> None:
    release = load_release(real_excerpt, cache=False)
    assert len(release.tweets) == 274
    assert release.tweets["userid"].nunique() == 27
    assert len(release.users) == 27
    assert int(release.users["hashed"].sum()) == 26
    numeric = release.users.loc[~release.users["hashed"], "userid"].tolist()
    assert len(numeric) == 1 and numeric[0].isdigit()
    assert release.rejected.empty
    assert int(release.provenance["rows_read"].sum()) == 274


def test_real_excerpt_text_identical_to_csv_module(real_excerpt: Path) -> None:
    with open(real_excerpt, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    release = load_release(real_excerpt, cache=False)
    got = release.tweets.set_index("tweetid")
    expected = pd.DataFrame(rows).set_index("tweetid")
    for col in ("tweet_text", "userid", "user_screen_name", "tweet_client_name", "retweet_tweetid"):
        assert got[col].fillna("").to_dict() == expected[col].to_dict(), col
    texts = got["tweet_text"].fillna("")
    assert texts.str.contains("\n").sum() > 0  # multi-line texts survive
    assert texts.str.contains("[\u0400-\u04ff]", regex=True).sum() > 0  # Cyrillic
    assert texts.str.contains("[\u0600-\u06ff]", regex=True).sum() > 0  # Arabic
    profile = release.users.set_index("userid")["user_profile_description"].fillna("")
    first = pd.DataFrame(rows).drop_duplicates("userid").set_index("userid")["user_profile_description"]
    assert profile.sort_index().to_dict() == first.sort_index().to_dict()


def test_real_excerpt_dtypes(real_excerpt: Path) -> None:
    release = load_release(real_excerpt, cache=False)
    for col, dtype in schema.TWEET_DTYPES.items():
        assert str(release.tweets[col].dtype) == str(pd.Series(dtype=dtype).dtype), col
    for col, dtype in schema.USER_DTYPES.items():
        assert str(release.users[col].dtype) == str(pd.Series(dtype=dtype).dtype), col
    assert list(release.tweets.columns) == list(schema.TWEET_DTYPES)
    # the categorical columns hold the file's strings, in sorted categories
    raw = pd.read_csv(real_excerpt, dtype=str, keep_default_na=False)
    for col in schema.CATEGORY_COLUMNS:
        categories = release.tweets[col].cat.categories
        assert list(categories) == sorted(categories), col
        assert release.tweets[col].astype(schema.STRING).fillna("").tolist() == raw[col].tolist(), col
    # ids stay exact strings, never floats
    assert "1229734494892101633" in set(release.tweets["tweetid"])


# --------------------------------------------------------------------------- quirks


def test_types_of_every_quirky_column(write_tweets) -> None:
    path = write_tweets([
        tweet_row(tweetid="1", is_retweet="True", latitude="present", longitude="absent",
                  hashtags="['US', 'Syria']", urls="", user_mentions="['886618132370137088']",
                  tweet_time="2020-09-30 01:15", like_count="63863", retweet_tweetid="965250965229195264"),
        tweet_row(tweetid="2", is_retweet="false", latitude="", hashtags="[]",
                  urls='["https://example.com/it\'s", \'https://b.example/x\']',
                  tweet_language="", account_creation_date="2014-03-02"),
        tweet_row(tweetid="3", is_retweet="FALSE", userid="12345678901234567890123",
                  user_screen_name="BigAccount", user_display_name="Big Account"),
    ])
    release = load_release(path, cache=False)
    t = release.tweets.set_index("tweetid")
    assert t.loc["1", "is_retweet"] is True or bool(t.loc["1", "is_retweet"])
    assert not bool(t.loc["2", "is_retweet"]) and not bool(t.loc["3", "is_retweet"])
    assert bool(t.loc["1", "latitude"]) and not bool(t.loc["1", "longitude"])
    assert pd.isna(t.loc["2", "latitude"])
    assert t.loc["1", "hashtags"] == ["US", "Syria"]
    assert t.loc["1", "urls"] == []  # an empty field is an empty list
    assert t.loc["2", "hashtags"] == []
    assert t.loc["2", "urls"] == ["https://example.com/it's", "https://b.example/x"]
    assert t.loc["1", "user_mentions"] == ["886618132370137088"]
    assert t.loc["1", "tweet_time"] == pd.Timestamp("2020-09-30 01:15", tz="UTC")
    assert t.loc["1", "like_count"] == 63863
    assert t.loc["1", "retweet_tweetid"] == "965250965229195264"
    assert pd.isna(t.loc["2", "tweet_language"])
    users = release.users.set_index("userid")
    assert users.loc["12345678901234567890123", "user_screen_name"] == "BigAccount"
    assert not bool(users.loc["12345678901234567890123", "hashed"])
    assert bool(users.loc[HASH_A, "hashed"])
    assert users.loc[HASH_A, "account_creation_date"] == pd.Timestamp("2020-02-01")


def test_columns_selected_by_name_not_position(write_tweets, tmp_path: Path) -> None:
    rows = [tweet_row(tweetid="1", in_reply_to_userid="42", in_reply_to_tweetid="4242")]
    reference = load_release(write_tweets(rows), cache=False).tweets
    order = list(schema.ARCHIVE_TWEET_COLUMNS)
    i, j = order.index("in_reply_to_userid"), order.index("in_reply_to_tweetid")
    order[i], order[j] = order[j], order[i]
    order.append("poll_choices")
    reordered = [[dict(zip(schema.ARCHIVE_TWEET_COLUMNS, r, strict=True)).get(c, "Yes|No") for c in order] for r in rows]
    other = tmp_path / "other"
    other.mkdir()
    path = other / "ira_tweets_csv_hashed.csv"
    path.write_bytes(archive_bytes(reordered, order))
    got = load_release(path, cache=False).tweets
    assert got.loc[0, "in_reply_to_userid"] == "42" and got.loc[0, "in_reply_to_tweetid"] == "4242"
    assert got.loc[0, "poll_choices"] == ["Yes", "No"]
    pd.testing.assert_frame_equal(got.drop(columns="poll_choices"), reference)


def test_users_file_camelcase_and_accounts_without_tweets(write_tweets, tmp_path: Path) -> None:
    write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2")])
    header = ["userid", "userDisplayName", "userScreenName", "userReportedLocation",
              "userProfileDescription", "userProfileUrl", "followerCount", "followingCount",
              "accountCreationDate", "accountLanguage"]
    users = [[HASH_A, HASH_A, HASH_A, "Baku", "news", "", "10", "4000", "2014-05-01", "en"],
             [HASH_B, HASH_B, HASH_B, "", "", "", "3", "2", "2019-01-01", "ru"]]
    (tmp_path / "hashed_2020_12_test_202012_test_202012_users_csv_hashed.csv").write_bytes(
        archive_bytes(users, header))
    release = load_release(tmp_path, cache=False)
    assert release.name == "test_202012"
    u = release.users.set_index("userid")
    assert len(u) == 2
    assert u.loc[HASH_A, "user_reported_location"] == "Baku"  # the users file wins
    assert u.loc[HASH_A, "following_count"] == 4000
    assert u.loc[HASH_A, "tweet_count"] == 2 and u.loc[HASH_B, "tweet_count"] == 0
    assert release.checks["accounts_without_tweets"] == 1
    assert set(release.provenance["role"]) == {"tweets", "users"}


def test_split_parts_gz_and_zip_are_combined(tmp_path: Path) -> None:
    header = schema.ARCHIVE_TWEET_COLUMNS
    parts = {n: [tweet_row(tweetid=str(n * 10 + k)) for k in range(3)] for n in (1, 2, 10)}
    (tmp_path / "iran_201906_1_tweets_csv_hashed_1.csv").write_bytes(archive_bytes(parts[1], header))
    with gzip.open(tmp_path / "iran_201906_1_tweets_csv_hashed_2.csv.gz", "wb") as fh:
        fh.write(archive_bytes(parts[2], header))
    with zipfile.ZipFile(tmp_path / "iran_201906_1_tweets_csv_hashed_10.zip", "w") as zf:
        zf.writestr("iran_201906_1_tweets_csv_hashed_10.csv", archive_bytes(parts[10], header))
    release = load_release(tmp_path, cache=False)
    assert release.tweets["tweetid"].tolist() == [str(x) for x in (10, 11, 12, 20, 21, 22, 100, 101, 102)]
    assert len(release.provenance) == 3
    assert release.provenance["file"].iloc[2].endswith("!iran_201906_1_tweets_csv_hashed_10.csv")
    narrow = load_release(tmp_path, cache=False, columns=["tweet_text"])  # gz and zip streams too
    pd.testing.assert_frame_equal(narrow.tweets, release.tweets[["tweetid", "userid", "tweet_text", "tweet_time"]])


def test_per_year_files_and_explicit_file_list(tmp_path: Path) -> None:
    a = tmp_path / "CNHU_0621_tweets_csv_hashed_2019.csv"
    b = tmp_path / "CNHU_0621_tweets_csv_hashed_2020.csv"
    a.write_bytes(archive_bytes([tweet_row(tweetid="1", tweet_time="2019-01-01 00:00")], schema.ARCHIVE_TWEET_COLUMNS))
    b.write_bytes(archive_bytes([tweet_row(tweetid="2", tweet_time="2020-01-01 00:00")], schema.ARCHIVE_TWEET_COLUMNS))
    release = load_release([a, b], cache=False)
    assert release.name == "CNHU_0621"
    assert release.tweets["tweetid"].tolist() == ["1", "2"]


def test_header_only_file_loads_empty(write_tweets) -> None:
    release = load_release(write_tweets([]), cache=False)
    assert len(release.tweets) == 0 and len(release.users) == 0


# --------------------------------------------------------------------------- bad input


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    header = [c for c in schema.ARCHIVE_TWEET_COLUMNS if c != "tweet_time"]
    path = tmp_path / "x_tweets_csv_hashed.csv"
    row = [v for c, v in zip(schema.ARCHIVE_TWEET_COLUMNS, tweet_row(), strict=True) if c != "tweet_time"]
    path.write_bytes(archive_bytes([row], header))
    with pytest.raises(LoadError, match=r"x_tweets_csv_hashed\.csv.*tweet_time"):
        load_release(path, cache=False)


def _with_bad_record(write_tweets) -> Path:
    good = archive_bytes([tweet_row(tweetid="1", tweet_text="two\nlines"), tweet_row(tweetid="2")],
                         schema.ARCHIVE_TWEET_COLUMNS)
    bad = b'"3","short","row"\n'
    tail = archive_bytes([tweet_row(tweetid="4", tweet_text="a\nb\nc")], schema.ARCHIVE_TWEET_COLUMNS).split(b"\n", 1)[1]
    path = write_tweets([])
    path.write_bytes(good + bad + tail)
    return path


def test_wrong_field_count_names_file_and_line(write_tweets) -> None:
    path = _with_bad_record(write_tweets)
    # header = line 1, record 1 spans lines 2-3, record 2 is line 4, the bad one line 5
    with pytest.raises(LoadError, match=r"tweets_csv_hashed\.csv: line 5: expected 30 fields, found 3"):
        load_release(path, cache=False)


def test_report_mode_keeps_good_rows_and_counts_rejected(write_tweets) -> None:
    path = _with_bad_record(write_tweets)
    release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1", "2", "4"]
    assert release.tweets.loc[2, "tweet_text"] == "a\nb\nc"
    assert len(release.rejected) == 1
    assert release.rejected.loc[0, "line"] == 5
    assert "expected 30 fields" in release.rejected.loc[0, "reason"]
    assert int(release.provenance["rows_rejected"].sum()) == 1
    assert int(release.provenance["rows_read"].sum()) == 4


def test_unclosed_quote_names_line(write_tweets) -> None:
    ok = archive_bytes([tweet_row(tweetid="1")], schema.ARCHIVE_TWEET_COLUMNS)
    path = write_tweets([])
    path.write_bytes(ok + b'"2","' + HASH_A.encode() + b'","never closed\n')
    with pytest.raises(LoadError, match=r"line 3"):
        load_release(path, cache=False)


def test_unreadable_value_names_line_and_column(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid="1", tweet_text="multi\nline"),
                         tweet_row(tweetid="2", tweet_time="yesterday")])
    with pytest.raises(LoadError, match=r"line 4: column tweet_time .*'yesterday'"):
        load_release(path, cache=False)
    release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1"]
    assert release.rejected.loc[0, "line"] == 4
    assert "tweet_time" in release.rejected.loc[0, "reason"]


def test_out_of_range_values_are_unreadable_not_a_crash(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2", tweet_time="1600-01-01 00:00"),
                         tweet_row(tweetid="3", like_count="99999999999999999999")])
    with pytest.raises(LoadError, match=r"line 3: column tweet_time .*'1600-01-01 00:00'"):
        load_release(path, cache=False)
    release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1"]
    assert release.rejected["line"].tolist() == [3, 4]
    assert "like_count='99999999999999999999'" in release.rejected.loc[1, "reason"]


def test_impossible_dates_are_rejected_not_rolled_forward(write_tweets) -> None:
    # strptime reads 30 February as 1 March: the tweet would move to another day unseen
    path = write_tweets([
        tweet_row(tweetid="1", tweet_time="2020-02-29 10:00"),  # a leap day is a day
        tweet_row(tweetid="2", tweet_time="2020-02-30 10:00"),
        tweet_row(tweetid="3", tweet_time="2019-02-29 23:59"),
        tweet_row(tweetid="4", account_creation_date="2019-04-31"),
        tweet_row(tweetid="5", tweet_time="2020-09-30 01:15:60"),
        tweet_row(tweetid="6", tweet_time="2020-03-01 00:00:00", account_creation_date="2019-05-01"),
    ])
    with pytest.raises(LoadError, match=r"line 3: column tweet_time .*'2020-02-30 10:00'"):
        load_release(path, cache=False)
    release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1", "6"]
    assert release.tweets["tweet_time"].tolist() == [pd.Timestamp("2020-02-29 10:00", tz="UTC"),
                                                     pd.Timestamp("2020-03-01 00:00", tz="UTC")]
    assert release.rejected["line"].tolist() == [3, 4, 5, 6]
    reasons = release.rejected["reason"].tolist()
    assert "tweet_time='2019-02-29 23:59'" in reasons[1]
    assert "account_creation_date='2019-04-31'" in reasons[2]
    assert "tweet_time='2020-09-30 01:15:60'" in reasons[3]


@pytest.mark.parametrize("cell", ["note\nsecond line", "note\n", "a\r\nb\nc", "lone\rreturn"])
def test_a_line_break_in_a_header_cell_is_skipped_with_the_header(write_tweets, cell: str) -> None:
    # pyarrow's skip_rows skips lines, not records: the header's second line was parsed as
    # a record ("line 0: malformed record (line unknown)"), or the first tweet was
    # rejected as "not an id: tweetid='\n1...'", and every line number was short
    rows = [tweet_row(tweetid="1", tweet_text="one\ntwo"), tweet_row(tweetid="x!"),
            tweet_row(tweetid="3", tweet_text="one\ntwo"), tweet_row(tweetid="1", tweet_text="one\ntwo")]
    path = write_tweets([[*r, ""] for r in rows], header=[*schema.ARCHIVE_TWEET_COLUMNS, cell])
    first = 2 + cell.count("\n")  # where record 1 starts; records span 2, 1, 2, 2 lines
    with pytest.raises(LoadError, match=rf"line {first + 2}: column tweetid holds 'x!'"):
        load_release(path, cache=False)
    with pytest.warns(UserWarning, match=r"1 row\(s\) repeat an earlier row"):
        release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1", "3"]
    assert release.tweets["tweet_text"].tolist() == ["one\ntwo", "one\ntwo"]
    assert release.rejected[["line", "reason"]].values.tolist() == [[first + 2, "not an id: tweetid='x!'"]]
    assert release.provenance["rows_read"].tolist() == [4]
    (example,) = release.checks["repeated_row_examples"]
    assert (example["line"], example["repeats_line"]) == (first + 5, first)
    if "\r" not in cell.replace("\r\n", ""):  # the csv module counts a lone CR as a line too
        path.write_bytes(path.read_bytes() + b'"9","only two"\n')
        with pytest.raises(LoadError, match=rf"line {first + 7}: expected 31 fields, found 2"):
            load_release(path, cache=False)


def test_a_negative_count_rejects_its_row(write_tweets, tmp_path: Path) -> None:
    # "-5" parsed as an int and loaded: an account with -5 followers, a tweet with
    # -1000000 likes dragging every mean of the release
    path = write_tweets([
        tweet_row(tweetid="1"),
        tweet_row(tweetid="2", like_count="-1000000"),
        tweet_row(tweetid="3", follower_count="-5", retweet_count="-1"),
        tweet_row(tweetid="4", like_count="0"),
    ])
    with pytest.raises(LoadError, match=r"line 3: column like_count holds '-1000000', a negative "
                                        r"count \(2 record\(s\) affected\)"):
        load_release(path, cache=False)
    release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1", "4"]
    assert release.rejected[["line", "reason"]].values.tolist() == [
        [3, "a negative count: like_count='-1000000'"],
        [4, "a negative count: follower_count='-5', retweet_count='-1'"],
    ]
    # the users file's counts too
    users = tmp_path / "neg_users_csv_hashed.csv"
    users.write_bytes(archive_bytes(
        [["7", "seven", "seven", "", "", "", "-3", "10", "2019-01-01", "en"]],
        schema.ARCHIVE_USER_COLUMNS))
    path.write_bytes(archive_bytes([tweet_row(tweetid="1", userid="7")],
                                   schema.ARCHIVE_TWEET_COLUMNS))
    with pytest.raises(LoadError, match=r"neg_users_csv_hashed.csv: line 2: column follower_count "
                                        r"holds '-3', a negative count"):
        load_release(tmp_path, cache=False)


def test_ids_that_are_not_ids_are_rejected_with_their_lines(write_tweets, tmp_path: Path) -> None:
    hex_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # 2018 files
    path = write_tweets([
        tweet_row(tweetid="1", tweet_text="multi\nline"),
        tweet_row(tweetid=""), tweet_row(tweetid="nan"), tweet_row(tweetid="-5"),
        tweet_row(tweetid="5", userid=""), tweet_row(tweetid="6\x007"),
        tweet_row(tweetid=" 8 "),  # refused, not trimmed: the archive never pads an id
        tweet_row(tweetid="9", userid="None"), tweet_row(tweetid="NULL", userid="x"),
        tweet_row(tweetid="1.3001685990851215e+18", userid=hex_hash),  # float notation
        tweet_row(tweetid="10", userid="886618132370137088", user_screen_name="big"),
        tweet_row(tweetid="11", userid=HASH_B),
    ])
    with pytest.raises(LoadError, match=r"line 4: column tweetid holds '', which is not an id"):
        load_release(path, cache=False)
    release = load_release(path, on_bad_rows="report", cache=False)
    assert release.tweets["tweetid"].tolist() == ["1", "1.3001685990851215e+18", "10", "11"]
    assert release.rejected["line"].tolist() == [4, 5, 6, 7, 8, 9, 10, 11]
    assert release.rejected["reason"].tolist() == [
        "not an id: tweetid=''", "not an id: tweetid='nan'", "not an id: tweetid='-5'",
        "not an id: userid=''", "not an id: tweetid='6\\x007'", "not an id: tweetid=' 8 '",
        "not an id: userid='None'", "not an id: tweetid='NULL'"]
    assert set(release.users["userid"]) == {HASH_A, hex_hash, "886618132370137088", HASH_B}
    # a users file's account ids are checked the same way
    users = tmp_path / "hashed_2020_12_test_202012_test_202012_users_csv_hashed.csv"
    users.write_bytes(archive_bytes([[HASH_A] * 3 + [""] * 3 + ["1", "2", "2020-01-01", "en"],
                                     ["-1", "x", "x", "", "", "", "1", "2", "2020-01-01", "en"]],
                                    schema.ARCHIVE_USER_COLUMNS))
    write_tweets([tweet_row(tweetid="1")])
    release = load_release(tmp_path, on_bad_rows="report", cache=False)
    assert release.users["userid"].tolist() == [HASH_A]
    assert release.rejected[["line", "reason"]].values.tolist() == [[3, "not an id: userid='-1'"]]


def test_invalid_utf8_raises_with_line_or_is_counted(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2", tweet_text="bad XX byte")])
    path.write_bytes(path.read_bytes().replace(b"XX", b"\xff\xfe"))
    with pytest.raises(LoadError, match=r"invalid UTF-8 at line 3"):
        load_release(path, cache=False)
    release = load_release(path, encoding_errors="replace", cache=False)
    assert release.tweets.loc[1, "tweet_text"] == "bad \ufffd\ufffd byte"
    assert int(release.provenance["replaced_characters"].sum()) == 2


def test_replacing_undecodable_bytes_leaves_the_codec_registry_alone(monkeypatch) -> None:
    def no_registration(*args: object) -> None:
        raise AssertionError("codecs.register_error is process-wide: register once at import")

    monkeypatch.setattr(loader.codecs, "register_error", no_registration)
    assert loader._decode_replacing(b"a\xffb\xfe\xfdc") == ("a\ufffdb\ufffd\ufffdc", 3)


def test_replaced_counts_stay_apart_across_threads() -> None:
    # each thread decodes a text with its own number of bad bytes, all at the same time;
    # a tiny switch interval makes the threads take turns inside the decoding
    import sys
    import threading
    from concurrent.futures import ThreadPoolExecutor

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    start = threading.Barrier(4)

    def decode(bad: int) -> tuple[int, int]:
        raw = (b"ok \xff" * bad + b"!") * 20_000
        start.wait()
        text, count = loader._decode_replacing(raw)
        return count, text.count("\ufffd")

    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(decode, range(1, 5)))
    finally:
        sys.setswitchinterval(interval)
    assert results == [(20_000 * bad, 20_000 * bad) for bad in range(1, 5)]


def test_data_files_of_a_folder(tmp_path: Path) -> None:
    from casebook._files import DATA_SUFFIXES, data_files

    for name in ("x_part10.csv", "x_part2.csv", "x.CSV.GZ", "x.zip", "notes.txt", "x.csv.bak"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub.csv").mkdir()  # a folder is not a data file, whatever its name
    assert [f.name for f in data_files(tmp_path)] == ["x.CSV.GZ", "x.zip", "x_part2.csv",
                                                       "x_part10.csv"]
    assert ".csv" in DATA_SUFFIXES and ".zip" in DATA_SUFFIXES
    # the loader reads a folder's files in that order
    assert loader._discover(tmp_path) == data_files(tmp_path)


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x_tweets_csv_hashed.csv"
    path.write_bytes(b"")
    with pytest.raises(LoadError, match=r"x_tweets_csv_hashed\.csv: the file is empty"):
        load_release(path, cache=False)


def test_users_file_given_as_tweets(tmp_path: Path) -> None:
    path = tmp_path / "op_tweets_csv_hashed.csv"
    path.write_bytes(archive_bytes([[HASH_A] * 3 + [""] * 3 + ["1", "2", "2020-01-01", "en"]],
                                   schema.ARCHIVE_USER_COLUMNS))
    with pytest.raises(LoadError, match=r"op_tweets_csv_hashed\.csv: named as a tweets file but its header is a users file"):
        load_release(path, cache=False)


def test_only_users_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "op_users_csv_hashed.csv"
    path.write_bytes(archive_bytes([[HASH_A] * 3 + [""] * 3 + ["1", "2", "2020-01-01", "en"]],
                                   schema.ARCHIVE_USER_COLUMNS))
    with pytest.raises(LoadError, match="no tweets file"):
        load_release(path, cache=False)


def test_duplicate_tweet_ids_across_split_parts_and_after_rejects(write_tweets) -> None:
    a = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2")], name="op_tweets_csv_hashed_1.csv")
    b = write_tweets([tweet_row(tweetid="2", tweet_text="another"), tweet_row(tweetid="3")],
                     name="op_tweets_csv_hashed_2.csv")
    with pytest.warns(UserWarning, match="1 duplicate tweet id"):
        release = load_release([a, b], cache=False)
    assert release.checks["duplicate_tweetid_examples"] == ["2"]
    # the second "1" has an unreadable count: once rejected, no id repeats
    c = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="1", like_count="many")],
                     name="op2_tweets_csv_hashed.csv")
    release = load_release(c, cache=False, on_bad_rows="report")
    assert len(release.tweets) == 1 and release.checks["duplicate_tweetids"] == 0


def test_duplicate_tweet_ids_are_reported_not_dropped(write_tweets) -> None:
    # the same id, different content (2021 releases round distinct ids alike): both kept
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="1", like_count="3"),
                         tweet_row(tweetid="2")])
    with pytest.warns(UserWarning, match="1 duplicate tweet id"):
        release = load_release(path, cache=False)
    assert len(release.tweets) == 3
    assert release.checks["duplicate_tweetids"] == 1
    assert release.checks["duplicate_tweetid_examples"] == ["1"]


def test_rows_repeated_in_every_column_load_once(write_tweets, tmp_path: Path) -> None:
    rows = {i: tweet_row(tweetid=str(i), tweet_text=f"tweet {i}\nsecond line") for i in range(1, 9)}
    rows[6] = tweet_row(tweetid="6", userid=HASH_B, tweet_text="by B")
    # parts that overlap by rows 4-5; id 7 is in both with another like_count, so both
    # are kept (a duplicate id); part 1 holds row 2 twice; part 2 repeats row 6 of B
    # with another follower count (an account column: not the same row, kept)
    write_tweets([rows[1], rows[2], rows[3], rows[2], rows[4], rows[5], rows[7]],
                 name="op_tweets_csv_hashed_part1.csv")
    write_tweets([rows[4], rows[5], rows[6], tweet_row(tweetid="7", tweet_text="tweet 7\nsecond line",
                                                     like_count="9"),
                  rows[8], rows[6][:7] + ["56"] + rows[6][8:]],
                 name="op_tweets_csv_hashed_part2.csv")
    with pytest.warns(UserWarning) as caught:
        release = load_release(tmp_path, cache_dir=tmp_path / "cache")
    said = [str(w.message) for w in caught]
    assert any(re.search(r"part2\.csv: 2 row\(s\) repeat an earlier row of .*part1\.csv in "
                         r"every column; loaded once", m) for m in said), said
    assert any("2 duplicate tweet id(s)" in m for m in said), said
    assert release.tweets["tweetid"].tolist() == ["1", "2", "3", "4", "5", "7", "6", "7", "8", "6"]
    assert release.checks["repeated_rows"] == 3
    assert release.checks["duplicate_tweetids"] == 2  # 7 and 6: same id, other content
    part1, part2 = (str(tmp_path / f"op_tweets_csv_hashed_part{k}.csv") for k in (1, 2))
    assert release.checks["repeated_rows_by_file"] == [
        {"file": part1, "rows": 1, "repeats_of": [part1]},
        {"file": part2, "rows": 2, "repeats_of": [part1]}]
    # each record spans two lines: record k starts at line 2k
    assert release.checks["repeated_row_examples"] == [
        {"file": part1, "line": 8, "repeats_file": part1, "repeats_line": 4},
        {"file": part2, "line": 2, "repeats_file": part1, "repeats_line": 10},
        {"file": part2, "line": 4, "repeats_file": part1, "repeats_line": 12}]
    assert release.provenance["rows_repeated"].tolist() == [1, 2]
    assert release.provenance["rows_read"].tolist() == [7, 6]
    assert release.users.set_index("userid")["tweet_count"].to_dict() == {HASH_A: 8, HASH_B: 2}
    # the same rows whatever the columns read, and from the cache
    with pytest.warns(UserWarning):
        narrow = load_release(tmp_path, cache=False, columns=["tweet_text"])
    assert narrow.tweets["tweetid"].tolist() == release.tweets["tweetid"].tolist()
    with pytest.warns(UserWarning):
        cached = load_release(tmp_path, cache_dir=tmp_path / "cache")
    assert cached.provenance["cached"].all()
    pd.testing.assert_frame_equal(cached.tweets, release.tweets)
    assert cached.checks["repeated_row_examples"] == release.checks["repeated_row_examples"]
    with pytest.raises(LoadError, match=r"part1\.csv: line 8 repeats line 4 of .*part1\.csv in "
                                        r"every column .*strict load"):
        load_release(tmp_path / "op_tweets_csv_hashed_part1.csv", cache=False, strict=True)


def test_missing_path_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load_release(tmp_path / "nope", cache=False)
    with pytest.raises(LoadError, match="casebook fetch"):
        load_release(tmp_path, cache=False)


def test_raw_files_are_never_modified(write_tweets, tmp_path: Path) -> None:
    path = _with_bad_record(write_tweets)
    before = (_sha(path), path.stat().st_mtime_ns)
    load_release(path, on_bad_rows="report", cache_dir=tmp_path / "c")
    load_release(path, on_bad_rows="report", cache_dir=tmp_path / "c")
    assert (_sha(path), path.stat().st_mtime_ns) == before


# --------------------------------------------------------------------------- cache


def test_cache_roundtrip_and_key(write_tweets, tmp_path: Path) -> None:
    path = write_tweets([tweet_row(tweetid="1", hashtags="['a']"), tweet_row(tweetid="2")])
    cache = tmp_path / "cache"
    cold = load_release(path, cache_dir=cache)
    warm = load_release(path, cache_dir=cache)
    assert not cold.provenance["cached"].any() and warm.provenance["cached"].all()
    pd.testing.assert_frame_equal(cold.tweets, warm.tweets)
    pd.testing.assert_frame_equal(cold.users, warm.users)
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 1
    # a changed file is a new key: never a stale answer
    path.write_bytes(archive_bytes([tweet_row(tweetid="9")], schema.ARCHIVE_TWEET_COLUMNS))
    changed = load_release(path, cache_dir=cache)
    assert changed.tweets["tweetid"].tolist() == ["9"] and not changed.provenance["cached"].any()


def test_cache_same_size_other_content_is_a_miss(write_tweets, tmp_path: Path) -> None:
    path = write_tweets([tweet_row(tweetid="1", tweet_text="aaaa")])
    cache = tmp_path / "cache"
    load_release(path, cache_dir=cache)
    assert load_release(path, cache_dir=cache).provenance["cached"].all()
    before = path.stat().st_size
    path.write_bytes(path.read_bytes().replace(b"aaaa", b"bbbb"))  # same size, new content
    assert path.stat().st_size == before
    changed = load_release(path, cache_dir=cache)
    assert not changed.provenance["cached"].any()
    assert changed.tweets.loc[0, "tweet_text"] == "bbbb"
    assert load_release(path, cache_dir=cache).tweets.loc[0, "tweet_text"] == "bbbb"
    # the entry's sizes decide whether a lookup can hit before the hash is known
    options = {"on_bad_rows": "raise", "encoding_errors": "raise"}
    assert loader._cache_may_hold(cache, [before], options)
    assert not loader._cache_may_hold(cache, [before + 1], options)
    assert not loader._cache_may_hold(cache, [before], {**options, "on_bad_rows": "report"})


def _refuse_hashing(monkeypatch) -> None:
    def refuse(path: Path) -> str:
        raise AssertionError(f"{path} was hashed again")
    monkeypatch.setattr(loader, "_sha256", refuse)


def test_a_cached_load_remembers_its_files_hashes(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2")])
    cache = tmp_path / "cache"
    monkeypatch.setattr(loader, "DIGEST_SETTLE_NS", 0)  # the file was written just now
    cold = load_release(path, cache_dir=cache)
    assert len(list((cache / "digests").glob("*.json"))) == 1
    _refuse_hashing(monkeypatch)  # a re-run finds its cache entry without reading the file
    warm = load_release(path, cache_dir=cache)
    assert warm.provenance["cached"].all()
    assert warm.provenance["sha256"].tolist() == cold.provenance["sha256"].tolist() == [_sha(path)]
    pd.testing.assert_frame_equal(cold.tweets, warm.tweets)


def test_a_file_rewritten_in_place_is_hashed_again(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row(tweetid="1", tweet_text="aaaa")])
    cache = tmp_path / "cache"
    monkeypatch.setattr(loader, "DIGEST_SETTLE_NS", 0)
    load_release(path, cache_dir=cache)
    before = path.stat()
    time.sleep(0.05)  # a later change time, on any file system this runs on
    with open(path, "r+b") as fh:  # same inode, same size, modification time put back
        data = fh.read()
        fh.seek(0)
        fh.write(data.replace(b"aaaa", b"bbbb"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino, before.st_size, before.st_mtime_ns)
    changed = load_release(path, cache_dir=cache)
    assert changed.tweets.loc[0, "tweet_text"] == "bbbb"
    assert changed.provenance["sha256"].tolist() == [_sha(path)]


def test_a_file_changed_just_before_its_hashing_is_not_remembered(write_tweets, tmp_path: Path) -> None:
    path = write_tweets([tweet_row()])
    cache = tmp_path / "cache"
    load_release(path, cache_dir=cache)  # written within DIGEST_SETTLE_NS of the hashing
    assert not list((cache / "digests").glob("*.json"))
    assert loader._Digests(cache).remembered(path) is None


@pytest.mark.parametrize("memo", [
    "not json", "[]", '{"sha256": 1}',
    '{"path": "PATH", "stat": "STAT", "started_ns": "x", "sha256": "SHA"}',
    '{"path": "PATH", "stat": "STAT", "started_ns": 0, "sha256": "SHA"}',
    '{"path": "PATH", "stat": "STAT", "started_ns": START, "sha256": "<b>SHA</b>"}',
    '{"path": "elsewhere", "stat": "STAT", "started_ns": START, "sha256": "SHA"}',
])
def test_a_damaged_hash_memo_is_ignored(write_tweets, tmp_path: Path, monkeypatch, memo: str) -> None:
    path = write_tweets([tweet_row(tweetid="1")])
    cache = tmp_path / "cache"
    monkeypatch.setattr(loader, "DIGEST_SETTLE_NS", 0)
    digests = loader._Digests(cache)
    digests.hashed(path)
    entry = digests._entry(path)
    recorded = json.loads(entry.read_text(encoding="utf-8"))
    assert digests.remembered(path) == _sha(path)
    wrong = "0" * 64  # a well-formed hash of other content
    entry.write_text(memo.replace('"STAT"', json.dumps(recorded["stat"]))
                     .replace("PATH", recorded["path"]).replace("START", str(recorded["started_ns"]))
                     .replace("SHA", wrong), encoding="utf-8")
    assert digests.remembered(path) is None
    assert load_release(path, cache_dir=cache).provenance["sha256"].tolist() == [_sha(path)]


def test_no_hash_memo_without_a_cache(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row()])
    monkeypatch.setattr(loader, "DIGEST_SETTLE_NS", 0)
    load_release(path, cache=False, cache_dir=tmp_path / "off")
    assert not (tmp_path / "off").exists()


def test_cache_env_var_and_disable(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row()])
    monkeypatch.setenv("CASEBOOK_CACHE_DIR", str(tmp_path / "envcache"))
    load_release(path)
    assert any((tmp_path / "envcache").iterdir())
    load_release(path, cache=False, cache_dir=tmp_path / "off")
    assert not (tmp_path / "off").exists()


def test_killed_cache_write_leaves_nothing_trusted(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row()])
    cache = tmp_path / "cache"
    real_write = loader.pq.write_table
    calls = {"n": 0}

    def dying_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the run is killed mid-write
        return real_write(*args, **kwargs)

    monkeypatch.setattr(loader.pq, "write_table", dying_write)
    with pytest.raises(KeyboardInterrupt):
        load_release(path, cache_dir=cache)
    monkeypatch.setattr(loader.pq, "write_table", real_write)
    assert list(cache.iterdir()) == []  # no entry, no temporary left behind
    # a half-written entry (no meta.json) from a hard kill is not trusted
    key = loader._cache_key([_sha(path)], {"on_bad_rows": "raise", "encoding_errors": "raise"})
    (cache / key).mkdir()
    (cache / key / "tweets.parquet").write_bytes(b"garbage")
    release = load_release(path, cache_dir=cache)
    assert not release.provenance["cached"].any() and len(release.tweets) == 1
    assert load_release(path, cache_dir=cache).provenance["cached"].all()


def _slow_parquet_writes(monkeypatch, seconds: float) -> None:
    real_write = loader.pq.write_table

    def slow_write(*args, **kwargs):
        time.sleep(seconds)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(loader.pq, "write_table", slow_write)


def test_background_cache_serves_the_next_load(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row(), tweet_row(tweetid="2")])
    cache = tmp_path / "cache"
    _slow_parquet_writes(monkeypatch, 0.3)  # the write is still running when the load returns
    first = load_release(path, cache_dir=cache, cache="background")
    assert not first.provenance["cached"].any() and len(first.tweets) == 2
    second = load_release(path, cache_dir=cache)  # waits for the pending write, then hits it
    assert second.provenance["cached"].all()
    pd.testing.assert_frame_equal(first.tweets, second.tweets)


def test_a_pending_write_holds_up_only_a_load_it_could_answer(
        write_tweets, tmp_path: Path, monkeypatch) -> None:
    # a case writes its release's entry in the background while it loads the control:
    # the control's load (files of other sizes) must not wait for that write
    import threading

    first = write_tweets([tweet_row()], name="one_202012_tweets_csv_hashed.csv")
    other = write_tweets([tweet_row(), tweet_row(tweetid="2")],
                         name="two_202012_tweets_csv_hashed.csv")
    cache = tmp_path / "cache"
    release = threading.Event()
    real_write = loader._write_cache
    monkeypatch.setattr(loader, "_write_cache", lambda *a, **k: (release.wait(30), real_write(*a, **k))[1])
    load_release(first, cache_dir=cache, cache="background")  # its write is held
    done = threading.Event()
    threading.Thread(target=lambda: (load_release(other, cache_dir=cache, cache="background"),
                                     done.set()), daemon=True).start()
    assert done.wait(20), "a load of other files waited for an unrelated cache write"
    release.set()
    # a load of the same files waits for the write, then hits it
    assert load_release(first, cache_dir=cache).provenance["cached"].all()


def test_wait_for_cache_completes_the_entry(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets([tweet_row()])
    cache = tmp_path / "cache"
    _slow_parquet_writes(monkeypatch, 0.3)
    load_release(path, cache_dir=cache, cache="background")
    loader.wait_for_cache()
    (entry,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert json.loads((entry / "meta.json").read_text(encoding="utf-8"))["complete"]


def test_background_cache_is_complete_when_the_process_exits(write_tweets, tmp_path: Path) -> None:
    path = write_tweets([tweet_row()])
    cache = tmp_path / "cache"
    # the process returns from the load and exits at once, while the (slowed) write runs
    script = (
        "import time\n"
        "from casebook import load_release, loader\n"
        "real = loader.pq.write_table\n"
        "loader.pq.write_table = lambda *a, **k: (time.sleep(0.5), real(*a, **k))[1]\n"
        f"load_release({str(path)!r}, cache_dir={str(cache)!r}, cache='background')\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert load_release(path, cache_dir=cache).provenance["cached"].all()


# --------------------------------------------------------------------------- property


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(['"', ",", "\n", "'", "[", "]", "\u0627", "\u0416"]),
    min_size=1, max_size=40,
)
_tag = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC_0123456789\u0416", min_size=1, max_size=12)
_hash = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", min_size=42, max_size=42).map(lambda s: s + "=")
_uid = st.one_of(_hash, st.integers(10**5, 10**19).map(str))


@st.composite
def _frames(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        rows.append({
            "tweetid": str(10**18 + i),
            "userid": draw(_uid),
            "tweet_text": draw(_text),
            "tweet_time": draw(st.datetimes(min_value=pd.Timestamp("2009-01-01").to_pydatetime(),
                                             max_value=pd.Timestamp("2021-01-01").to_pydatetime())).replace(second=0, microsecond=0),
            "is_retweet": draw(st.booleans()),
            "hashtags": draw(st.lists(_tag, max_size=4)),
            "urls": draw(st.lists(st.sampled_from(["https://a.example/x?y=1", "http://b.example/it's", "https://c.example/\u0416"]), max_size=3)),
            "like_count": draw(st.integers(0, 10**6)),
            "follower_count": draw(st.integers(0, 10**7)),
        })
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_frames())
def test_written_frames_load_back_equal(rows: list[dict], tmp_path_factory) -> None:
    d = tmp_path_factory.mktemp("prop")
    archive_rows = [
        tweet_row(
            tweetid=r["tweetid"], userid=r["userid"], user_screen_name=r["userid"],
            user_display_name=r["userid"], tweet_text=r["tweet_text"],
            tweet_time=r["tweet_time"].strftime("%Y-%m-%d %H:%M"),
            is_retweet="true" if r["is_retweet"] else "false", hashtags=repr(r["hashtags"]),
            urls=repr(r["urls"]), like_count=str(r["like_count"]),
            follower_count=str(r["follower_count"]),
        )
        for r in rows
    ]
    path = d / "p_tweets_csv_hashed.csv"
    path.write_bytes(archive_bytes(archive_rows, schema.ARCHIVE_TWEET_COLUMNS))
    t = load_release(path, cache=False).tweets
    assert t["tweetid"].tolist() == [r["tweetid"] for r in rows]
    assert t["userid"].tolist() == [r["userid"] for r in rows]
    assert t["tweet_text"].tolist() == [r["tweet_text"] for r in rows]
    assert t["hashtags"].tolist() == [r["hashtags"] for r in rows]
    assert t["urls"].tolist() == [r["urls"] for r in rows]
    assert t["is_retweet"].tolist() == [r["is_retweet"] for r in rows]
    assert t["like_count"].tolist() == [r["like_count"] for r in rows]
    assert [x.tz_convert(None).to_pydatetime() for x in t["tweet_time"]] == [r["tweet_time"] for r in rows]


# --------------------------------------------------------------------------- columns=


def _narrow_fixture(write_tweets) -> Path:
    return write_tweets([
        tweet_row(tweetid="1", tweet_text="multi\nline", retweet_tweetid="77", is_retweet="true",
                  follower_count="12", hashtags="['a', 'b']"),
        tweet_row(tweetid="2", userid=HASH_B, user_screen_name="b", tweet_text="plain",
                  follower_count="3", like_count="5"),
        tweet_row(tweetid="3", tweet_text="again", follower_count="13"),
    ])


def test_columns_returns_the_selection_in_schema_order(write_tweets) -> None:
    path = _narrow_fixture(write_tweets)
    full = load_release(path, cache=False)
    narrow = load_release(path, cache=False, columns=["retweet_tweetid", "tweet_text"])
    expected = ["tweetid", "userid", "tweet_text", "tweet_time", "retweet_tweetid"]
    assert list(narrow.tweets.columns) == expected
    pd.testing.assert_frame_equal(narrow.tweets, full.tweets[expected])
    # users keep userid, hashed and tweet_count; account columns only when asked for
    assert list(narrow.users.columns) == ["userid", "hashed", "tweet_count"]
    pd.testing.assert_frame_equal(narrow.users, full.users[["userid", "hashed", "tweet_count"]])
    assert narrow.checks == full.checks
    pd.testing.assert_frame_equal(narrow.provenance, full.provenance)


def test_columns_may_name_account_columns(write_tweets) -> None:
    path = _narrow_fixture(write_tweets)
    full = load_release(path, cache=False)
    narrow = load_release(path, cache=False, columns=("follower_count", "user_screen_name"))
    assert list(narrow.tweets.columns) == ["tweetid", "userid", "user_screen_name", "tweet_time"]
    cols = ["userid", "user_screen_name", "follower_count", "hashed", "tweet_count"]
    assert list(narrow.users.columns) == cols
    pd.testing.assert_frame_equal(narrow.users, full.users[cols])
    assert narrow.users.set_index("userid").loc[HASH_A, "follower_count"] == 12  # first row wins
    only_ids = load_release(path, cache=False, columns=[])
    assert list(only_ids.tweets.columns) == ["tweetid", "userid", "tweet_time"]


def test_columns_unknown_name_is_an_error(write_tweets) -> None:
    path = _narrow_fixture(write_tweets)
    with pytest.raises(ValueError, match="'tweet_txt'"):
        load_release(path, cache=False, columns=["tweet_txt"])


def test_columns_still_checks_records_and_utf8(write_tweets) -> None:
    path = _with_bad_record(write_tweets)
    with pytest.raises(LoadError, match=r"line 5: expected 30 fields, found 3"):
        load_release(path, cache=False, columns=["retweet_tweetid"])
    report = load_release(path, cache=False, columns=["retweet_tweetid"], on_bad_rows="report")
    assert report.tweets["tweetid"].tolist() == ["1", "2", "4"]
    assert report.rejected["line"].tolist() == [5]
    # invalid UTF-8 in a column that is not read is still found, and counted when replaced
    bad = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2", tweet_text="bad XX byte")],
                       name="u_tweets_csv_hashed.csv")
    bad.write_bytes(bad.read_bytes().replace(b"XX", b"\xff\xfe"))
    with pytest.raises(LoadError, match=r"invalid UTF-8 at line 3"):
        load_release(bad, cache=False, columns=["retweet_tweetid"])
    replaced = load_release(bad, cache=False, columns=["retweet_tweetid"], encoding_errors="replace")
    assert int(replaced.provenance["replaced_characters"].sum()) == 2
    assert replaced.tweets["tweetid"].tolist() == ["1", "2"]


def test_columns_error_lines_count_line_breaks_in_unread_columns(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid="1", tweet_text="a\nb\nc"),
                         tweet_row(tweetid="2", tweet_time="yesterday")])
    # record 1 spans lines 2-4, so record 2 starts on line 5, though tweet_text is not read
    with pytest.raises(LoadError, match=r"line 5: column tweet_time .*'yesterday'"):
        load_release(path, cache=False, columns=["retweet_tweetid"])


def test_columns_does_not_check_values_it_does_not_read(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="2", like_count="many")])
    with pytest.raises(LoadError, match="column like_count"):
        load_release(path, cache=False)
    narrow = load_release(path, cache=False, columns=["retweet_tweetid"])
    assert narrow.tweets["tweetid"].tolist() == ["1", "2"] and narrow.rejected.empty


def test_columns_is_part_of_the_cache_key(write_tweets, tmp_path: Path) -> None:
    path = _narrow_fixture(write_tweets)
    cache = tmp_path / "cache"
    cold = load_release(path, cache_dir=cache, columns=["tweet_text"])
    warm = load_release(path, cache_dir=cache, columns=["tweet_text"])
    assert not cold.provenance["cached"].any() and warm.provenance["cached"].all()
    pd.testing.assert_frame_equal(cold.tweets, warm.tweets)
    pd.testing.assert_frame_equal(cold.users, warm.users)
    full = load_release(path, cache_dir=cache)  # a narrow entry never answers a full load
    assert not full.provenance["cached"].any()
    assert list(full.tweets.columns) == list(schema.TWEET_DTYPES)
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 2
    # the same selection in another order or spelling is the same entry
    again = load_release(path, cache_dir=cache, columns=["tweet_text", "tweetid"])
    assert again.provenance["cached"].all()


def test_poll_choices_only_when_selected(tmp_path: Path) -> None:
    order = [*schema.ARCHIVE_TWEET_COLUMNS, "poll_choices"]
    path = tmp_path / "ira_tweets_csv_hashed.csv"
    path.write_bytes(archive_bytes([[*tweet_row(tweetid="1"), "Yes|No"]], order))
    assert "poll_choices" not in load_release(path, cache=False, columns=["tweet_text"]).tweets
    got = load_release(path, cache=False, columns=["poll_choices"]).tweets
    assert list(got.columns) == ["tweetid", "userid", "tweet_time", "poll_choices"]
    assert got.loc[0, "poll_choices"] == ["Yes", "No"]


# --------------------------------------------------------------------------- fast paths


def test_tweet_counts_and_profiles_across_split_files(tmp_path: Path) -> None:
    header = schema.ARCHIVE_TWEET_COLUMNS
    (tmp_path / "op_tweets_csv_hashed_1.csv").write_bytes(archive_bytes(
        [tweet_row(tweetid="1", follower_count="10"), tweet_row(tweetid="2", userid=HASH_B)], header))
    (tmp_path / "op_tweets_csv_hashed_2.csv").write_bytes(archive_bytes(
        [tweet_row(tweetid="3", follower_count="99"), tweet_row(tweetid="4", follower_count="98"),
         tweet_row(tweetid="5", userid="42", user_screen_name="big")], header))
    users = load_release(tmp_path, cache=False).users.set_index("userid")
    assert users["tweet_count"].to_dict() == {HASH_A: 3, HASH_B: 1, "42": 1}
    assert users.loc[HASH_A, "follower_count"] == 10  # the first row of the account
    assert users.index.tolist() == [HASH_A, HASH_B, "42"]  # order of first appearance


def test_duplicate_ids_with_leading_zeros_and_missing_ids(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid=t, tweet_text=f"text {i}")
                         for i, t in enumerate(("1", "01", "1", "2", "02", "02"))])
    with pytest.warns(UserWarning, match="2 duplicate tweet id"):
        release = load_release(path, cache=False)
    assert release.checks["duplicate_tweetid_examples"] == ["02", "1"]
    assert loader._duplicate_count(pa.chunked_array([pa.array(["5", None, None, "5", "6"])])) == 2
    assert loader._duplicate_count(pa.chunked_array([pa.array(["9" * 25, "9" * 25])])) == 1


def _chunked(values: list) -> pa.ChunkedArray:
    """Strings as several chunks, some of them slices with an offset (as pyarrow makes)."""
    padded = pa.array(["pad", *values, "pad"], pa.string())
    cut = len(values) // 2 + 1
    return pa.chunked_array([padded.slice(1, cut - 1), padded.slice(cut, len(values) - cut + 1)])


_time_text = st.one_of(
    st.datetimes(min_value=pd.Timestamp("1970-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2030-12-31").to_pydatetime()).map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    st.sampled_from(["2020-02-30 10:00", "2019-02-29 00:00", "2020-01-01 24:00", "2020-9-30 1:15",
                     "2020-09-30 01:15:59", "2020-09-30T01:15", "2020-09-30", "yesterday",
                     "2020-09-30 01:1x", "0000-01-01 00:00", " 2020-09-30 01:15",
                     "2020-02-29 10:00", "2020-03-01 00:00", "2021-04-31 08:00",
                     "2020-09-30 01:15:60", "2020-2-31 1:05", "2020-12-31 23:59:61"]),
    st.none(),
)


def _impossible(text: str | None) -> bool:
    """Whether a time strptime reads names a day its month lacks or a second of 60+."""
    if text is None:
        return False
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if len(numbers) < 3 or not 1 <= numbers[1] <= 12:
        return False
    year, month, day = numbers[:3]
    return day > calendar.monthrange(max(year, 1), month)[1] or (
        len(numbers) > 5 and numbers[5] > 59)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_time_text, min_size=1, max_size=12), fixed=st.booleans())
def test_time_fast_path_equals_strptime(values: list, fixed: bool) -> None:
    if fixed:  # only values of the format's width: the fast path's layout check decides
        values = [v for v in values if v is None or len(v) == 16]
    col = _chunked(values)
    formats = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
    got, bad = loader._parse_time(col, formats, tz="UTC")
    expected = None
    for fmt in formats:
        parsed = pc.strptime(col, format=fmt, unit="s", error_is_null=True)
        expected = parsed if expected is None else pc.coalesce(expected, parsed)
    # seconds, None where unreadable, beyond timestamp[ns] (years 1677-2262) or where
    # strptime rolled an impossible date over (30 February is not 1 March)
    seconds = [None if s is None or abs(s) > 9_223_372_035 or _impossible(v) else s
               for v, s in zip(values, expected.cast(pa.int64()).to_pylist(), strict=True)]
    assert got.cast(pa.int64()).to_pylist() == [None if s is None else s * 10**9 for s in seconds]
    assert bad.tolist() == [v is not None and s is None for v, s in zip(values, seconds, strict=True)]


_int_text = st.one_of(
    st.integers(0, 10**12).map(str), st.integers(-(2**64), 2**64).map(str),
    st.sampled_from([" 5", "5 ", "+5", "0x10", "007", "1e3", "\u0663", "x", "9" * 20, "-0",
                     str(2**63 - 1), str(2**63), str(-(2**63)), "-" + str(2**63 + 1),
                     "000" + str(2**63 - 1), " -12 "]),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_int_text, min_size=1, max_size=12))
def test_int_fast_path_equals_regex_rule(values: list) -> None:
    import re

    expected = []
    for v in values:  # the rule, value by value: optional blanks (RE2's \\s) and sign, ASCII digits
        n = int(v.strip()) if v is not None and re.fullmatch(r"[ \t\n\f\r]*-?[0-9]+[ \t\n\f\r]*", v) else None
        expected.append(n if n is not None and -(2**63) <= n < 2**63 else None)
    got, bad = loader._parse_int(_chunked(values))
    assert got.to_pylist() == expected
    assert bad.tolist() == [v is not None and e is None for v, e in zip(values, expected, strict=True)]


def _list_reference(text: str | None) -> tuple[list[str], bool]:
    """The original rule, value by value: the simple form by regex, else literal_eval."""
    import ast
    import re

    if text is None or text == "[]":
        return [], False
    if re.fullmatch(r"\[(?:'[^'\\]*'(?:, '[^'\\]*')*)?\]", text, flags=re.S):
        return text[2:-2].split("', '"), False
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        parsed = None
    if isinstance(parsed, (list, tuple)):
        return [str(x) for x in parsed], False
    if text.strip() and not text.strip().startswith("["):
        return [text.strip()], False
    return [], True


_item = st.text(alphabet=st.sampled_from(list("ab ,'\"\\[]\n\u0416")), max_size=6)
_list_text = st.one_of(
    st.lists(_item, max_size=4).map(repr),
    st.lists(_item, max_size=4).map(lambda xs: "[" + ", ".join(f"'{x}'" for x in xs) + "]"),
    st.sampled_from(["[]", "['']", "[']", "['', ', ']", "['a','b']", "['a'", "plain", "[", "  ",
                     "[1, 2]", "['it\\'s']", '["x", \'y\']', "['ab]", "[a']", "['a', b']",
                     "[ 'a']", "['a' ]", "('a', 'b')", "['a', 'b'] "]),
    st.none(),
)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")
@settings(max_examples=80, deadline=None)
@given(values=st.lists(_list_text, min_size=1, max_size=10))
def test_list_fast_path_equals_literal_rule(values: list) -> None:
    lists, bad = loader._parse_lists(_chunked(values))
    expected = [_list_reference(v) for v in values]
    assert lists.to_pylist() == [e for e, _ in expected]
    assert bad.tolist() == [b for _, b in expected]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")
def test_list_literal_edge_cases() -> None:
    values = ["[]", None, "['']", "[']", "['', ', ']", "['a','b']", "['a'", "plain", "[", "  ",
              "[1, 2]", "['it\\'s']", '["x", \'y\']', "['ab]", "[a']", "['a', b']", "[ 'a']",
              "['a' ]", "('a', 'b')", "['a', 'b'] ", "['x\ny', 'z']", "['\u0416', '\u0641']"]
    lists, bad = loader._parse_lists(_chunked(values))
    expected = [_list_reference(v) for v in values]
    assert lists.to_pylist() == [e for e, _ in expected]
    assert bad.tolist() == [b for _, b in expected]
    # not list literals, and not a bare value either
    assert [v for v, b in zip(values, bad, strict=True) if b] == [
        "[']", "['a'", "[", "  ", "['ab]", "[a']", "['a', b']"]


def test_null_lists_become_empty_even_when_their_slots_are_not() -> None:
    values = pa.array(["a", "b", "c", "d"])
    lists = pa.ListArray.from_arrays(pa.array([0, 2, 4], pa.int32()), values,
                                     mask=pa.array([False, True]))
    assert loader._null_as_empty(lists).to_pylist() == [["a", "b"], []]


def test_utf8_check_across_block_boundaries(tmp_path: Path) -> None:
    text = ("a\u00e9\u0416\u4e2d\U0001f600\n" * 50).encode()
    path = tmp_path / "u_tweets_csv_hashed.csv"
    for block in (1, 2, 3, 5, 7, 64):
        path.write_bytes(text)
        assert loader._utf8_ok(loader._Source(path), block=block), block
        for pos in (0, 2, 9, len(text) - 2):
            broken = bytearray(text)
            broken[pos] = 0xFF
            path.write_bytes(bytes(broken))
            assert not loader._utf8_ok(loader._Source(path), block=block), (block, pos)
        path.write_bytes(text + "\u4e2d".encode()[:2])  # cut inside the last character
        assert not loader._utf8_ok(loader._Source(path), block=block), block


def test_parsed_times_counts_and_lists_keep_chunk_offsets() -> None:
    col = _chunked(["2020-01-02 03:04", None, "2021-05-06 07:08"])
    got, bad = loader._parse_time(col, ("%Y-%m-%d %H:%M",), tz="UTC")
    assert [None if v is None else str(v) for v in got.to_pylist()] == [
        "2020-01-02 03:04:00+00:00", None, "2021-05-06 07:08:00+00:00"]
    assert not bad.any()
    lists, _ = loader._parse_lists(_chunked(["['x', 'y']", None, "['z']", "[]"]))
    assert lists.to_pylist() == [["x", "y"], [], ["z"], []]
    counts, _ = loader._parse_int(_chunked(["1", None, "30"]))
    assert counts.to_pylist() == [1, None, 30]
    assert np.array_equal(loader._first_rows(_chunked(["b", "a", "b", None, "a", None]))[0], [0, 1, 3])


def test_cli_entry_point_help() -> None:
    from casebook.cli import build_parser

    text = build_parser().format_help()
    assert "validate" in text


def test_loader_leaves_no_temp_dirs(write_tweets, tmp_path: Path) -> None:
    path = write_tweets([tweet_row()])
    cache = tmp_path / "c"
    load_release(path, cache_dir=cache)
    assert [p.name for p in cache.iterdir() if p.name.startswith(".tmp")] == []
    shutil.rmtree(cache)
    assert not os.path.exists(cache)


def test_report_mode_rejects_every_unreadable_value_not_only_the_first_thousand(write_tweets) -> None:
    rows = [tweet_row(tweetid=str(i), like_count="lots" if i % 2 else "1") for i in range(2600)]
    release = load_release(write_tweets(rows), on_bad_rows="report", cache=False)
    assert len(release.rejected) == 1300
    assert len(release.tweets) == 1300
    assert release.tweets["like_count"].notna().all()  # no unreadable value became a null
    assert release.rejected["line"].tolist() == [i + 2 for i in range(1, 2600, 2)]


# --------------------------------------------------------------------------- 2021 format quirks


def test_2021_format_quirks_load_as_published(tmp_path: Path) -> None:
    import warnings

    from tests import _quirks as q

    fixture = q.write_2021_release(tmp_path / "REA_0621")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the duplicate the fixture holds
        release = load_release(fixture.folder, cache=False)
    assert [Path(f).name for f in release.provenance["file"]] == [
        "REA_0621_tweets_csv_hashed_2019.csv", "REA_0621_tweets_csv_hashed_2020.csv"]
    t = release.tweets.drop_duplicates("tweetid").set_index("tweetid")
    assert t["is_retweet"].tolist().count(True) == 1  # "True"/"False" as booleans
    assert t["is_retweet"].notna().all()
    users = release.users.set_index("userid")
    for hashed in (q.HASH_DIGIT, q.HASH_PLUS, q.HASH_SHORT, q.HASH_E):
        assert bool(users.loc[hashed, "hashed"]), hashed  # a digit or '+' first is still a hash
    assert not bool(users.loc[q.NUMERIC_USER, "hashed"])
    assert t.loc[q.IN_2019[0], "tweet_text"] == "Dozens of gunmen &amp;selling them.\nSecond line"
    assert t.loc[q.IN_2019[1], "tweet_text"] == "What\\\\s more miserable than discontent?"
    assert t.loc[q.IN_2019[0], "hashtags"] == ["covid19", "Bangui", "RCA", "RCA"]  # kept twice
    retweet = t.loc["1334039240783529002"]
    assert bool(retweet["is_retweet"]) and pd.isna(retweet["retweet_userid"])
    # columns empty throughout stay empty, never a made-up value
    assert users["user_reported_location"].isna().all() and users["user_profile_url"].isna().all()


def test_readme_column_order_loads_like_the_2020_12_order(tmp_path: Path) -> None:
    from tests import _quirks as q

    plain = load_release(q.write_2020_12_release(tmp_path / "a"), cache=False).tweets
    readme = load_release(q.write_2020_12_release(tmp_path / "b", header=q.README_ORDER),
                          cache=False).tweets
    assert q.README_ORDER != schema.ARCHIVE_TWEET_COLUMNS
    pd.testing.assert_frame_equal(readme, plain)
    assert plain.loc[0, "in_reply_to_userid"] == q.NUMERIC_USER


@pytest.mark.parametrize("name", ["rna_0621_2020_excerpt.csv", "cnhu_0621_2020_excerpt.csv"])
def test_real_2021_excerpts_booleans_and_hashes(name: str) -> None:
    from casebook.paths import shared_dir

    path = shared_dir() / "fixtures" / "real" / name
    if not path.is_file():
        pytest.skip(f"real archive excerpt not found at {path} (../shared is absent)")
    release = load_release(path, cache=False)
    assert release.tweets["is_retweet"].notna().all()
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert set(raw["is_retweet"]) <= {"True", "False"}
    assert (release.tweets["is_retweet"] == (raw["is_retweet"] == "True")).all()
    assert release.users["hashed"].all()  # digits or '+' first, 39-44 characters: all hashes
    assert release.users["userid"].str.match(r"^[0-9+]").any()


def test_first_invalid_utf8_is_found_across_stream_pieces(tmp_path: Path, monkeypatch) -> None:
    text = ("a\u00e9\u0416\u4e2d\U0001f600\n" * 20).encode()
    path = tmp_path / "u_tweets_csv_hashed.csv"
    source = loader._Source(path)
    whole = loader._Source.chunks
    for size in (1, 2, 3, 5, 64):
        monkeypatch.setattr(loader._Source, "chunks", lambda self, _=0, size=size: whole(self, size))
        for pos in (0, 1, 2, 9, 33, len(text) - 1):
            broken = bytearray(text)
            broken[pos] = 0xFF
            path.write_bytes(bytes(broken))
            try:
                bytes(broken).decode("utf-8")
            except UnicodeDecodeError as exc:
                expected = (exc.start, bytes(broken).count(b"\n", 0, exc.start) + 1)
            assert loader._first_invalid_utf8(source) == expected, (size, pos)
        path.write_bytes(text + "\u4e2d".encode()[:2])  # cut inside the last character
        assert loader._first_invalid_utf8(source) == (len(text), 21)
        path.write_bytes(text)
        assert loader._first_invalid_utf8(source) is None


def test_synthetic_is_where_the_files_lie_not_what_they_hold(write_tweets, tmp_path: Path) -> None:
    # the specimen's marker makes a release synthetic; the same bytes elsewhere (a real
    # folder, served by the same content-keyed cache entry) are not
    marked = write_tweets([tweet_row()], name="one_202012_tweets_csv_hashed.csv")
    (tmp_path / "ground_truth.json").write_text('{"synthetic": true}', encoding="utf-8")
    plain = tmp_path / "elsewhere" / "real" / marked.name  # no marker in it or above it
    plain.parent.mkdir(parents=True)
    plain.write_bytes(marked.read_bytes())
    cache = tmp_path / "cache"
    first = load_release(marked, cache_dir=cache)
    assert first.checks["synthetic"] is True and not first.provenance["cached"].any()
    elsewhere = load_release(plain, cache_dir=cache)
    assert elsewhere.provenance["cached"].all() and elsewhere.checks["synthetic"] is False
    assert load_release(marked, cache_dir=cache).checks["synthetic"] is True


@pytest.mark.parametrize(("file", "name"), [
    ("hashed_2020_12_iran_202012_iran_202012_tweets_csv_hashed.csv", "iran_202012"),
    ("TST_tweets.csv", "TST"), ("ABA_tweets.csv", "ABA"), ("a_a_tweets.csv", "a"),
    ("GRU_202012_tweets_part1.csv", "GRU_202012"),
])
def test_a_release_is_named_from_its_file(file: str, name: str) -> None:
    # the archive doubles a release's name around an underscore; "TST" is not "T" twice
    assert loader._release_name([Path(file)]) == name


def test_an_accounts_names_are_held_once_not_on_every_tweet(write_tweets, tmp_path: Path) -> None:
    # three accounts, 3,000 tweets: the id, names, client and language repeat on each row
    rows = [tweet_row(tweetid=str(10**18 + i), userid=f"{i % 3}" + "x" * 42 + "=",
                      user_screen_name=f"screen-{i % 3}-" + "y" * 30,
                      user_display_name=f"Display name {i % 3}", tweet_language=["en", "fa"][i % 2])
            for i in range(3000)]
    path = write_tweets(rows)
    cache = tmp_path / "cache"
    for release in (load_release(path, cache_dir=cache), load_release(path, cache_dir=cache)):
        tweets = release.tweets
        for col in schema.CATEGORY_COLUMNS:
            as_strings = tweets[col].astype(schema.STRING)
            assert tweets[col].memory_usage(deep=True) < as_strings.memory_usage(deep=True) / 2, col
        assert tweets["userid"].cat.categories.tolist() == [f"{k}" + "x" * 42 + "=" for k in range(3)]
        assert (tweets["userid"] == "1" + "x" * 42 + "=").sum() == 1000
    assert release.provenance["cached"].all()
