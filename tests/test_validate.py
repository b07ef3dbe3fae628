"""casebook validate: the report, the JSON form and the exit status."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from casebook import ids, load_release, schema
from casebook.cli import main
from casebook.paths import shared_dir
from casebook.validate import format_report, validation_report
from tests import _quirks as q
from tests.conftest import archive_bytes, tweet_row

REAL = shared_dir() / "fixtures" / "real"


def test_report_on_real_excerpt(real_excerpt: Path, capsys) -> None:
    assert main(["validate", str(real_excerpt), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tweets"] == 274 and report["accounts"] == 27 and report["rejected"] == 0
    assert report["hashed_share"] == round(26 / 27, 4)
    assert report["time_range"]["first"].startswith("20")
    assert report["empty_share"]["quoted_tweet_tweetid"] == 1.0
    assert report["files"][0]["sha256"] and report["fatal"] == []


def test_text_report_and_rejected_rows_exit_nonzero(write_tweets, capsys) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid="1", tweet_text="other")])
    path.write_bytes(path.read_bytes() + b'"3","only two"\n')
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Rejected rows: 1" in out and "line 4" in out
    assert "WARNING: 1 duplicate tweet id(s)" in out and "FATAL: 1 rejected row(s)" in out


def test_repeated_rows_are_counted_once_with_their_files(write_tweets, capsys) -> None:
    rows = [tweet_row(tweetid=str(i), tweet_text=f"tweet {i}") for i in range(1, 8)]
    write_tweets(rows[:5], name="op_tweets_csv_hashed_part1.csv")
    part2 = write_tweets(rows[3:], name="op_tweets_csv_hashed_part2.csv")
    assert main(["validate", str(part2.parent), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "Tweets: 7\n" in out and "Duplicate tweet ids: 0" in out
    assert "Repeated rows (loaded once): 2" in out
    assert "op_tweets_csv_hashed_part2.csv  [tweets]" in out and "repeated 2  sha256" in out
    assert ("WARNING: 2 row(s) of op_tweets_csv_hashed_part2.csv repeat an earlier row of "
            "op_tweets_csv_hashed_part1.csv in every column: loaded once") in out
    assert out.rstrip().endswith("OK")


def test_bad_ids_and_impossible_dates_are_fatal_with_their_lines(write_tweets, capsys) -> None:
    path = write_tweets([tweet_row(tweetid="1"), tweet_row(tweetid=""),
                         tweet_row(tweetid="3", userid=""),
                         tweet_row(tweetid="4", tweet_time="2020-02-30 10:00")])
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Tweets: 1\n" in out and "Rejected rows: 3" in out and "FATAL: 3 rejected row(s)" in out
    assert f"{path.name} line 3: not an id: tweetid=''" in out
    assert f"{path.name} line 4: not an id: userid=''" in out
    assert f"{path.name} line 5: unreadable value: tweet_time='2020-02-30 10:00'" in out


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


def test_names_with_line_breaks_cannot_write_report_lines(tmp_path: Path, capsys) -> None:
    # a zip member, a file name, a copy's note and a warning named "...\nOK" printed
    # lines of their own into the report: a fake "Tweets:" count and a fake "OK"
    fake = "\nTweets: 26,684\nRejected rows: 0\nOK\n\x1b[2J#"
    rows = [tweet_row(tweetid=str(i), tweet_text=f"tweet {i}") for i in range(1, 8)]
    folder = tmp_path / "rel"
    folder.mkdir()
    first = archive_bytes(rows[:5], schema.ARCHIVE_TWEET_COLUMNS)
    with zipfile.ZipFile(folder / "op_tweets.zip", "w") as zf:
        zf.writestr(f"op_tweets_csv_hashed_part1.csv{fake}.csv", first)
    (folder / "op_tweets_csv_hashed_part1.csv").write_bytes(first)  # a copy of the member
    second = folder / f"op_tweets_csv_hashed_part2{fake}.csv"
    second.write_bytes(archive_bytes(rows[3:], schema.ARCHIVE_TWEET_COLUMNS) + b'"8","only two"\n')
    assert main(["validate", str(folder), "--no-cache"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [x for x in lines if x.startswith("Tweets:")] == ["Tweets: 7"], lines
    assert "OK" not in lines and "Rejected rows: 0" not in lines, lines
    assert lines[-2:] == ["FATAL: 1 rejected row(s)", ""], lines
    shown = "\\x0aTweets: 26,684\\x0aRejected rows: 0\\x0aOK\\x0a\\x1b[2J#"
    assert any(x.startswith(f"  op_tweets.zip!op_tweets_csv_hashed_part1.csv{shown}.csv  [tweets]")
               for x in lines), lines
    assert any(x.startswith(f"  op_tweets_csv_hashed_part2{shown}.csv  [tweets]") for x in lines), lines
    assert any(x.startswith("  op_tweets_csv_hashed_part1.csv  [tweets]") and x.endswith(
        f"(skipped: the same content as {folder / 'op_tweets.zip'}!op_tweets_csv_hashed_part1.csv"
        f"{shown}.csv)") for x in lines), lines
    assert f"  op_tweets_csv_hashed_part2{shown}.csv line 6: expected 30 fields, found 2" in lines
    assert (f"WARNING: 2 row(s) of op_tweets_csv_hashed_part2{shown}.csv repeat an earlier row "
            f"of op_tweets.zip!op_tweets_csv_hashed_part1.csv{shown}.csv in every column: "
            "loaded once") in lines


# --------------------------------------------------------------------------- float ids, coverage


def _real_dir() -> Path:
    if not (REAL / "rna_0621_2020_excerpt.csv").is_file():
        pytest.skip(f"real archive excerpts not found in {REAL} (../shared is absent)")
    return REAL


def test_validate_names_each_float_notation_column(tmp_path: Path, capsys) -> None:
    fixture = q.write_2021_release(tmp_path / "REA_0621")
    assert main(["validate", str(fixture.folder)]) == 0
    out = capsys.readouterr().out
    for column, expected in fixture.float_ids.items():
        line = next(w for w in out.splitlines() if w.startswith(f"WARNING: {column}:"))
        assert ids.FLOAT_NOTE in line
        assert f"{expected['rows']} of {expected['present']} values" in line
        if expected["restored"]:
            assert f"{expected['restored']} restored" in line
    assert "1 ambiguous" in out and "kept as written" in out
    # the float tweet id was restored, so the duplicate written both ways is counted
    assert "WARNING: 1 duplicate tweet id(s)" in out


def test_validate_json_float_ids_and_unmatched_tweet_ids(write_tweets, capsys) -> None:
    path = write_tweets([tweet_row(tweetid="1300168599085121537"),
                         tweet_row(tweetid=q.float_id(q.OUTSIDE[0]))])
    assert main(["validate", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["float_ids"]["tweetid"]["unmatched"] == 1
    assert any("duplicate count cannot include them" in w for w in report["warnings"])


def test_validate_says_when_the_data_is_a_sample(write_tweets, tmp_path: Path) -> None:
    excerpt = write_tweets([tweet_row(tweetid="1")],
                           name="hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv")
    report = validation_report(load_release(excerpt, cache=False))
    assert report["coverage"]["dataset"] == "GRU_202012" and report["coverage"]["sample"]
    assert report["coverage"]["published_tweets"] == 26_684
    assert "1 of 26,684 published tweets" in report["coverage"]["text"]
    assert any("an excerpt or sample of GRU_202012" in w for w in report["warnings"])
    unknown = q.write_rows(tmp_path / "mine" / "tweets.csv", [tweet_row(tweetid="1")])
    report = validation_report(load_release(unknown, cache=False))
    assert not report["coverage"]["sample"] and "not in the catalogue" in report["coverage"]["text"]
    assert "Published size:" in format_report(report)


def test_validate_reports_each_release_of_a_mixed_folder(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "downloads"
    q.write_2021_release(folder, code="CNHU_0621")
    q.write_2020_12_release(folder, code="GRU_202012")
    assert main(["validate", str(folder), "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert sorted(r["name"] for r in reports) == ["CNHU_0621", "GRU_202012"]
    assert sorted(r["tweets"] for r in reports) == [2, 9]


def test_validate_warns_when_a_folder_holds_another_operations_files(tmp_path: Path, capsys) -> None:
    fixture = q.write_2021_release(tmp_path / "GRU_202012", code="CNHU_0621")
    assert main(["validate", str(fixture.folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["name"] == "CNHU_0621"
    assert any("folder GRU_202012 is named after GRU_202012 but holds the files of CNHU_0621"
               in w for w in report["warnings"])


@pytest.mark.parametrize(("name", "columns"), [
    ("rna_0621_2020_excerpt.csv", {"quoted_tweet_tweetid": "84 of 84 values"}),
    ("cnhu_0621_2020_excerpt.csv", {"quoted_tweet_tweetid": "5 of 5 values",
                                    "retweet_tweetid": "1 of 1 values"}),
])
def test_validate_names_float_columns_of_real_2021_excerpts(name: str, columns: dict, capsys) -> None:
    assert main(["validate", str(_real_dir() / name)]) == 0
    out = capsys.readouterr().out
    for column, counted in columns.items():
        assert f"WARNING: {column}: {counted} (100.0%) {ids.FLOAT_NOTE}" in out
    assert "in_reply_to_tweetid:" not in out  # empty in these excerpts


def test_validate_real_folder_reports_three_releases(capsys) -> None:
    assert main(["validate", str(_real_dir()), "--json"]) == 0
    reports = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert {n: r["tweets"] for n, r in reports.items()} == {
        "cnhu_0621_2020_excerpt": 447, "gru_202012_excerpt": 274, "rna_0621_2020_excerpt": 274}
    gru = reports["gru_202012_excerpt"]
    assert gru["coverage"]["sample"] and "274 of 26,684 published tweets" in gru["coverage"]["text"]
    assert gru["float_ids"] == {}


def test_validate_warns_of_repeated_users_and_a_missing_users_file(write_tweets, capsys) -> None:
    tweets = write_tweets([tweet_row(tweetid="1")])
    assert main(["validate", str(tweets), "--no-cache"]) == 0
    assert ("WARNING: no users file: the accounts are read from the tweets' account columns"
            in capsys.readouterr().out)

    user = tweet_row()[1]
    profile = ["Name", "name", "", "", "", "55", "169", "2020-02-01", "en"]
    users = tweets.with_name("hashed_2020_12_test_202012_test_202012_users_csv_hashed.csv")
    users.write_bytes(archive_bytes([[user, *profile], [user, *profile[:-1], "fr"]],
                                    schema.ARCHIVE_USER_COLUMNS))
    assert main(["validate", str(tweets.parent), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert ("WARNING: 1 users-file row(s) repeat another row's userid: the first row of each "
            "is kept") in out
    assert "no users file" not in out
