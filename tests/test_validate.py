"""casebook validate: the report, the JSON form and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

from casebook import load_release, schema
from casebook.cli import main
from casebook.validate import format_report, validation_report
from tests.conftest import archive_bytes, tweet_row


def test_report_on_real_excerpt(real_excerpt: Path, capsys) -> None:
    assert main(["validate", str(real_excerpt), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tweets"] == 274 and report["accounts"] == 27 and report["rejected"] == 0
    assert report["hashed_share"] == round(26 / 27, 4)
    assert report["time_range"]["first"].startswith("20")
    assert report["empty_share"]["quoted_tweet_tweetid"] == 1.0
    assert report["files"][0]["sha256"] and report["fatal"] == []


def test_text_report_and_rejected_rows_exit_nonzero(write_tweets, capsys) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="1")])
    path.write_bytes(path.read_bytes() + b'"3","only two"\n')
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Rejected rows: 1" in out and "line 4" in out
    assert "WARNING: 1 duplicate tweet id(s)" in out and "FATAL: 1 rejected row(s)" in out


def test_unreadable_file_is_fatal_with_message(tmp_path: Path, capsys) -> None:
    path = tmp_path / "op_tweets_csv_hashed.csv"
    path.write_bytes(b"")
    assert main(["validate", str(path)]) == 1
    assert "the file is empty" in capsys.readouterr().err


def test_report_fields(write_tweets) -> None:
    path = write_tweets([tweet_row(tweetid="1", is_retweet="true", hashtags="['a']"),
                         tweet_row(tweetid="2")])
    report = validation_report(load_release(path, cache=False))
    assert report["retweet_share"] == 0.5
    assert report["empty_share"]["hashtags"] == 0.5
    assert report["empty_share"]["tweet_text"] == 0.0
    assert "OK" in format_report(report).splitlines()[-1]


def test_files_of_one_release_validate_together(write_tweets, tmp_path: Path, capsys) -> None:
    tweets = write_tweets([tweet_row(tweetid="1")])
    users = tmp_path / "hashed_2020_12_test_202012_test_202012_users_csv_hashed.csv"
    users.write_bytes(archive_bytes([[tweet_row()[1]] * 3 + [""] * 3 + ["1", "2", "2020-01-01", "en"]],
                                    schema.ARCHIVE_USER_COLUMNS))
    assert main(["validate", str(tweets), str(users), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tweets"] == 1 and len(report["files"]) == 2
