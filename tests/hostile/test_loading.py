"""Hostile and unlucky inputs to the loader: counted once, memory bounded, one clear line.

Every input is written by :mod:`tests.hostile.make_loading`; each test failed on the
loader before its fix (issue 13, "Wrong counts and crashes").
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from casebook import LoadError, load_release, loader, schema
from casebook.cli import main
from tests.conftest import archive_bytes
from tests.hostile import make_loading as make

# --------------------------------------------------------------------------- counted once


def test_zip_beside_its_extracted_csv_loads_once(tmp_path: Path) -> None:
    folder = make.make_zip_beside_csv(tmp_path / "rel", n=274)
    with pytest.warns(UserWarning, match=r"\.zip!.*skipped: the same content as .*\.csv"):
        release = load_release(folder, cache=False)
    assert len(release.tweets) == 274
    assert release.checks["duplicate_tweetids"] == 0
    prov = release.provenance.set_index("file")
    (copy,) = [f for f in prov.index if f.endswith(".csv") and "!" in f]
    assert prov.loc[copy, "copy_of"] == str(folder / f"{make.TWEETS}.csv")
    assert prov.loc[copy, "rows_read"] == 0 and int(prov["rows_read"].sum()) == 274


def test_real_excerpt_unzipped_in_place_counts_274_not_548(real_gru_folder: Path) -> None:
    (csv_file,) = real_gru_folder.glob("*.csv")
    with zipfile.ZipFile(csv_file.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(csv_file, csv_file.name)
    with pytest.warns(UserWarning, match="skipped: the same content as"):
        release = load_release(real_gru_folder, cache=False)
    assert len(release.tweets) == 274 and release.checks["duplicate_tweetids"] == 0


def _parts_beside_combined(folder: Path, records: list[list[str]], cut: int) -> Path:
    """The combined file of ``records`` and its parts ``_1``/``_2`` cut at ``cut``, each
    record the same in every column as in the combined file."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = schema.ARCHIVE_TWEET_COLUMNS
    (folder / f"{make.TWEETS}.csv").write_bytes(archive_bytes(records, columns))
    (folder / f"{make.TWEETS}_1.csv").write_bytes(archive_bytes(records[:cut], columns))
    (folder / f"{make.TWEETS}_2.csv").write_bytes(archive_bytes(records[cut:], columns))
    return folder


def test_split_parts_beside_the_combined_file_load_once(tmp_path: Path) -> None:
    folder = _parts_beside_combined(tmp_path / "rel", make._records(274), cut=137)
    with pytest.warns(UserWarning, match="every row in it, the same in every column, is also in"):
        release = load_release(folder, cache=False)
    assert len(release.tweets) == 274 and release.tweets["tweetid"].is_unique
    skipped = release.provenance.dropna(subset=["copy_of"])
    assert sorted(Path(f).name for f in skipped["file"]) == [f"{make.TWEETS}_1.csv", f"{make.TWEETS}_2.csv"]
    assert set(skipped["copy_of"]) == {str(folder / f"{make.TWEETS}.csv")}
    # parts that merely overlap are both loaded and their shared id reported, as before
    overlap = make.make_overlapping_parts(tmp_path / "overlap")
    with pytest.warns(UserWarning, match="1 duplicate tweet id"):
        both = load_release(overlap, cache=False)
    assert len(both.tweets) == 6 and both.provenance["copy_of"].isna().all()


def test_a_part_whose_ids_are_all_in_another_but_whose_rows_differ_loads(tmp_path: Path) -> None:
    # part _1 is the whole release, part _2 holds 50 of its tweets, 10 of them edited:
    # _2 was skipped whole as a copy ("every tweet id in it is also in _1"), losing the
    # 10 edited rows, and no duplicate id was counted
    records = make._records(274)
    columns = list(schema.ARCHIVE_TWEET_COLUMNS)
    text, likes, followers = (columns.index(c) for c in ("tweet_text", "like_count",
                                                         "follower_count"))
    again = [list(r) for r in records[:50]]
    for k, row in enumerate(again[:10]):
        if k < 4:
            row[text] = "EDITED " + row[text]
        elif k < 8:
            row[likes] = str(int(row[likes]) + 1000)
        else:  # an account column, which a narrow load does not read
            row[followers] = str(int(row[followers]) + 1)
    folder = tmp_path / "rel"
    folder.mkdir()
    (folder / f"{make.TWEETS}_1.csv").write_bytes(archive_bytes(records, columns))
    (folder / f"{make.TWEETS}_2.csv").write_bytes(archive_bytes(again, columns))
    with pytest.warns(UserWarning) as caught:
        release = load_release(folder, cache=False)
    said = [str(w.message) for w in caught]
    assert not any("skipped" in m for m in said), said
    assert any(re.search(r"_2\.csv: 40 row\(s\) repeat an earlier row of .*_1\.csv", m)
               for m in said), said
    assert any("10 duplicate tweet id(s)" in m for m in said), said
    assert len(release.tweets) == 274 + 10
    assert release.checks["duplicate_tweetids"] == 10 and release.checks["repeated_rows"] == 40
    assert int(release.tweets["tweet_text"].str.startswith("EDITED").sum()) == 4
    assert int((release.tweets["like_count"] >= 1000).sum()) == 4
    assert release.provenance["copy_of"].isna().all()
    assert release.provenance["rows_read"].tolist() == [274, 50]
    assert release.provenance["rows_repeated"].tolist() == [0, 40]
    # a load that reads only some columns keeps the same rows: the rows are compared in
    # every column as written, not in the columns read
    with pytest.warns(UserWarning):
        narrow = load_release(folder, cache=False, columns=["tweet_text"])
    assert narrow.tweets["tweetid"].tolist() == release.tweets["tweetid"].tolist()
    assert narrow.checks["duplicate_tweetids"] == 10
    # split parts renumbered apart from the combined file: the same ids, other texts
    renumbered = make.make_parts_beside_combined(tmp_path / "renumbered", n=274)
    with pytest.warns(UserWarning):
        other = load_release(renumbered, cache=False)
    assert other.provenance["copy_of"].notna().sum() == 1  # _1 is in the combined file
    assert len(other.tweets) == 274 + 137 and other.checks["duplicate_tweetids"] == 137


def test_overlapping_parts_and_repeated_rows_count_each_tweet_once(tmp_path: Path) -> None:
    # records 1-150 and 121-274 of one file gave 304 tweets and 30 "duplicate ids"
    overlap = make.make_overlapping_copies(tmp_path / "overlap")
    with pytest.warns(UserWarning, match=r"_part2\.csv: 30 row\(s\) repeat an earlier row of "
                                         r".*_part1\.csv in every column; loaded once"):
        release = load_release(overlap, cache=False)
    assert len(release.tweets) == 274 and release.tweets["tweetid"].is_unique
    assert release.checks["duplicate_tweetids"] == 0 and release.checks["repeated_rows"] == 30
    assert release.provenance["rows_repeated"].tolist() == [0, 30]
    assert int(release.users["tweet_count"].sum()) == 274
    # a case's table of input files says so beside the rows read
    from casebook.case import Case

    files = Case(releases={"GRU_202012": release}, absent=[], folders={}).provenance()
    assert files["rows read"].sum() - files["rows repeated"].sum() == 274
    # a file with its first 30 rows written again at its end: the same count
    repeated = make.make_repeated_rows(tmp_path / "repeated")
    with pytest.warns(UserWarning, match=r"30 row\(s\) repeat an earlier row"):
        once = load_release(repeated, cache=False)
    assert len(once.tweets) == 274 and once.checks["duplicate_tweetids"] == 0
    assert once.checks["repeated_row_examples"][0]["line"] == 550  # two lines a record
    assert once.checks["repeated_row_examples"][0]["repeats_line"] == 2


def test_strict_load_refuses_duplicate_ids_across_files(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="same data as .*strict"):
        load_release(make.make_zip_beside_csv(tmp_path / "copy"), cache=False, strict=True)
    with pytest.raises(LoadError, match=r"share 137 tweet id\(s\)"):
        load_release(make.make_parts_beside_combined(tmp_path / "parts"), cache=False, strict=True)
    with pytest.raises(LoadError, match=r"share 1 tweet id\(s\) \(e\.g\. 3\)"):
        load_release(make.make_overlapping_parts(tmp_path / "overlap"), cache=False, strict=True)
    with pytest.raises(LoadError, match=r"share 30 tweet id\(s\)"):
        load_release(make.make_overlapping_copies(tmp_path / "copies"), cache=False, strict=True)
    # a lenient load drops a repeated row: a strict one refuses it, naming both lines
    with pytest.raises(LoadError, match=r"csv_hashed\.csv: line 550 repeats line 2 of .* in every "
                                        r"column \(30 repeated row\(s\)\).*strict load"):
        load_release(make.make_repeated_rows(tmp_path / "repeated"), cache=False, strict=True)


def test_zip_with_several_csvs_loads_again_from_the_cache(tmp_path: Path) -> None:
    zipped = make.make_multi_member_zip(tmp_path / "rel")
    cache = tmp_path / "cache"
    cold = load_release(zipped, cache_dir=cache)
    warm = load_release(zipped, cache_dir=cache)
    assert warm.provenance["cached"].all() and len(warm.tweets) == len(cold.tweets) == 5
    assert warm.provenance["file"].tolist() == cold.provenance["file"].tolist()
    assert warm.provenance["role"].tolist() == ["tweets", "users"]
    # the same zip elsewhere hits the same entry, labelled with its own path and members
    moved = tmp_path / "elsewhere" / zipped.name
    moved.parent.mkdir()
    shutil.copy(zipped, moved)
    again = load_release(moved, cache_dir=cache)
    assert again.provenance["cached"].all()
    assert [f.split("!")[0] for f in again.provenance["file"]] == [str(moved)] * 2


def test_copies_are_named_again_on_a_cache_hit(tmp_path: Path) -> None:
    folder = make.make_zip_beside_csv(tmp_path / "rel", n=10)
    cache = tmp_path / "cache"
    with pytest.warns(UserWarning, match="skipped"):
        load_release(folder, cache_dir=cache)
    with pytest.warns(UserWarning, match="skipped: the same content as"):
        warm = load_release(folder, cache_dir=cache)
    assert warm.provenance["cached"].all() and len(warm.tweets) == 10
    assert warm.provenance["copy_of"].notna().sum() == 1


# --------------------------------------------------------------------------- memory


_BOMB_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from casebook import LoadError, load_release
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        load_release(sys.argv[1], cache=False, on_bad_rows=sys.argv[2])
        message = None
    except LoadError as exc:
        message = str(exc)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"growth_kb": after - before, "message": message}))
""")


@pytest.mark.parametrize("kind", ["zip", "gz"])
def test_zip_bomb_is_streamed_in_bounded_memory(tmp_path: Path, kind: str) -> None:
    making = make.make_zip_bomb if kind == "zip" else make.make_gz_bomb
    bomb = making(tmp_path / "bomb", expanded_mb=200)
    assert bomb.stat().st_size < 2 << 20  # a small download
    result = _load_in_a_process(bomb, "raise")
    assert result["message"] is not None
    assert "line 2: a field of 200 MB exceeds the 10 MB limit" in result["message"]
    # the member expands to 200 MB (reading it whole grew the process by 1.6 GB)
    assert result["growth_kb"] < 100 * 1024, result


def _load_in_a_process(path: Path, on_bad_rows: str) -> dict:
    """Load in a process of its own, so that its peak resident memory is the load's."""
    done = subprocess.run([sys.executable, "-c", _BOMB_SCRIPT, str(path), on_bad_rows],
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("on_bad_rows", ["raise", "report"])
def test_millions_of_malformed_rows_stop_early_in_bounded_memory(tmp_path: Path,
                                                                 on_bad_rows: str) -> None:
    # 2 million "x" lines in a 4 KB zip: every one was kept as text, then the member was
    # decoded whole and scanned record by record (20 MB took 2.8 GB and six minutes)
    bomb = make.make_malformed_rows_bomb(tmp_path / "bomb", expanded_mb=4)
    result = _load_in_a_process(bomb, on_bad_rows)
    assert "more than 100,000 malformed records (the first at line 2: expected 30 fields, " \
           "found 1)" in result["message"], result
    assert result["growth_kb"] < 100 * 1024, result


def test_huge_field_names_file_line_and_size(tmp_path: Path) -> None:
    path = make.make_huge_field(tmp_path / "rel", field_mb=12)
    with pytest.raises(LoadError, match=r"csv_hashed\.csv: line 5: a field of 12 MB exceeds the 10 MB"):
        load_release(path, cache=False)


def test_record_longer_than_a_parse_block_still_loads(tmp_path: Path) -> None:
    path = make.make_long_record(tmp_path / "rel")  # 9 MB record of 3 MB fields
    release = load_release(path, cache=False)
    assert release.tweets["tweetid"].tolist() == ["1", "2", "3"]
    assert len(release.tweets.loc[1, "tweet_text"]) == 3 << 20


# --------------------------------------------------------------------------- one clear line


def test_truncated_gz_is_one_clear_line(tmp_path: Path) -> None:
    path = make.make_truncated_gz(tmp_path / "rel")
    with pytest.raises(LoadError, match="the gzip file is truncated.*re-download it"):
        load_release(path, cache=False)


def test_plain_csv_named_gz_is_one_clear_line(tmp_path: Path) -> None:
    path = make.make_plain_named_gz(tmp_path / "rel")
    with pytest.raises(LoadError, match=r"named \.gz but it is plain text.*rename it to \.csv"):
        load_release(path, cache=False)


def test_zip_with_corrupt_data_is_one_clear_line(tmp_path: Path) -> None:
    path = make.make_corrupt_zip(tmp_path / "rel")
    with pytest.raises(LoadError, match=r"\.zip!.*the zip member's data is corrupt.*re-download"):
        load_release(path, cache=False)


def test_not_a_zip_says_what_to_do(tmp_path: Path) -> None:
    path = make.make_not_a_zip(tmp_path / "rel")
    with pytest.raises(LoadError, match="not a readable zip file .*re-download it"):
        load_release(path, cache=False)


@pytest.mark.parametrize(("case", "says"), [
    ("zip_bomb", "line 2: a field of 200 MB exceeds the 10 MB limit"),
    ("huge_field", "line 5: a field of 12 MB exceeds the 10 MB limit"),
    ("truncated_gz", "the gzip file is truncated"),
    ("plain_named_gz", "named .gz but it is plain text"),
    ("corrupt_zip", "the zip member's data is corrupt"),
    ("not_a_zip", "not a readable zip file (File is not a zip file): the download is damaged"),
    ("utf16", "is UTF-16; the archive is UTF-8"),
    ("symlink_outside", "a link to a file outside the release folder"),
])
def test_commands_print_one_clear_line_for_bad_files(case: str, says: str, tmp_path: Path,
                                                      capsys) -> None:
    made = make.CASES[case](tmp_path / case)
    folder = made if made.is_dir() else made.parent
    for argv in (["validate", str(folder)], ["network", str(folder), "--out", str(tmp_path / "n.csv")]):
        assert main(argv) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"casebook {argv[0]}: error: ") and says in err


# --------------------------------------------------------------------------- cache


def test_read_only_cache_folder_falls_back_to_no_cache(tmp_path: Path, monkeypatch) -> None:
    path = make.make_release(tmp_path / "rel", n=5)
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    if os.geteuid() == 0:  # permission bits do not bind root: refuse as the OS refuses a user
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(cache))

        monkeypatch.setattr(loader.tempfile, "mkdtemp", refuse)
    try:
        with pytest.warns(UserWarning, match="could not write the cache .*Permission denied"):
            release = load_release(path, cache_dir=cache)
        assert len(release.tweets) == 5
        with pytest.warns(UserWarning, match="could not write the cache"):
            load_release(path, cache_dir=cache, cache="background")
            loader.wait_for_cache()
    finally:
        cache.chmod(0o755)


def _entry(cache: Path) -> Path:
    (entry,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    return entry


def test_replaced_parquet_in_the_cache_is_not_trusted(tmp_path: Path) -> None:
    folder = make.make_release(tmp_path / "rel", n=50)
    cache = tmp_path / "cache"
    cold = load_release(folder, cache_dir=cache)
    tweets = _entry(cache) / "tweets.parquet"
    pq.write_table(pq.read_table(tweets).slice(0, 1), tweets, compression="zstd")  # a valid file
    with pytest.warns(UserWarning, match="tweets.parquet is not the file written there"):
        reloaded = load_release(folder, cache_dir=cache)
    assert len(reloaded.tweets) == 50 and not reloaded.provenance["cached"].any()
    warm = load_release(folder, cache_dir=cache)  # written again, and trusted again
    assert warm.provenance["cached"].all() and len(warm.tweets) == len(cold.tweets) == 50


def test_cache_write_killed_by_sigkill_leaves_no_temp_folder_for_long(tmp_path: Path) -> None:
    folder = make.make_release(tmp_path / "rel", n=5)
    cache = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import time
        from casebook import load_release, loader
        real = loader.pq.write_table
        def hang(*args, **kwargs):
            real(*args, **kwargs)
            print("writing", flush=True)
            time.sleep(120)
        loader.pq.write_table = hang
        load_release({str(folder)!r}, cache_dir={str(cache)!r})
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    assert [p.name for p in cache.glob(".tmp-*")]  # what the kill left behind
    other = make.make_overlapping_parts(tmp_path / "other")
    with pytest.warns(UserWarning, match="duplicate tweet id"):
        load_release(other, cache_dir=cache)  # the next cache write clears it
    assert list(cache.glob(".tmp-*")) == []
    # a live writer's folder is left alone
    live = cache / ".tmp-live-1"
    live.mkdir()
    (live / ".writer").write_text(json.dumps({"host": platform.node(), "pid": os.getpid()}))
    loader._clean_stale_temps(cache)
    assert live.is_dir()


# --------------------------------------------------------------------------- smaller


def test_header_over_64_kb_is_not_called_a_duplicate_column(tmp_path: Path) -> None:
    path = make.make_wide_header(tmp_path / "rel")
    assert path.read_bytes().index(b"\n") > 65536
    release = load_release(path, cache=False)  # a wide header is read whole
    assert len(release.tweets) == 1
    huge = tmp_path / "huge" / path.name
    huge.parent.mkdir()
    huge.write_bytes(b'"tweetid","' + b"c" * (2 << 20) + b'"\n"1","x"\n')
    with pytest.raises(LoadError, match="the header line is longer than 1024 KB"):
        load_release(huge, cache=False)


def test_compressed_files_and_html_named_csv_are_named(tmp_path: Path) -> None:
    folder = make.make_wrong_kind_named_csv(tmp_path / "rel")
    for name, says in [("zip.csv", "not CSV text but a zip file: name it .zip"),
                       ("gzip.csv", "not CSV text but gzip-compressed: name it .csv.gz"),
                       ("html.csv", "an HTML page, not CSV")]:
        with pytest.raises(LoadError, match=re.escape(says)) as err:
            load_release(folder / name, cache=False)
        assert "\\x" not in str(err.value)  # no bytes quoted as a header


def test_mac_appledouble_twins_are_not_data(tmp_path: Path) -> None:
    folder = make.make_appledouble(tmp_path / "rel")
    release = load_release(folder, cache=False)
    assert len(release.tweets) == 4 and len(release.provenance) == 1


def test_utf16_file_is_named_as_utf16(tmp_path: Path) -> None:
    path = make.make_utf16(tmp_path / "rel")
    expected = r"is UTF-16; the archive is UTF-8: convert with iconv -f UTF-16 -t UTF-8"
    with pytest.raises(LoadError, match=expected):
        load_release(path, cache=False)
    path.write_bytes(make.tweets_bytes(3).decode("utf-8").encode("utf-16-le"))  # no BOM
    with pytest.raises(LoadError, match=expected):
        load_release(path, cache=False)


def test_link_to_a_file_outside_the_release_is_refused_unquoted(tmp_path: Path) -> None:
    folder = make.make_symlink_outside(tmp_path / "case")
    for target in (folder, folder / f"{make.TWEETS}.csv"):
        with pytest.raises(LoadError, match="a link to a file outside the release folder") as err:
            load_release(target, cache=False)
        assert "SECRET" not in str(err.value)
    # a linked folder is the user's own choice: its files resolve inside it and load
    real = make.make_release(tmp_path / "real", n=3)
    linked = tmp_path / "linked"
    linked.symlink_to(real, target_is_directory=True)
    assert len(load_release(linked, cache=False).tweets) == 3


def test_a_named_pipe_or_a_dangling_link_is_named_for_what_it_is(tmp_path: Path) -> None:
    fifo = tmp_path / "tweets.csv"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    with pytest.raises(LoadError, match="not a regular file .*named pipe"):
        load_release(fifo, cache=False)
    link = tmp_path / "users.csv"
    link.symlink_to(tmp_path / "gone.csv")
    with pytest.raises(LoadError, match="a link to .*gone.csv, which does not exist"):
        load_release(link, cache=False)
    loop_a, loop_b = tmp_path / "a.csv", tmp_path / "b.csv"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    with pytest.raises(LoadError, match="a loop of links"):
        load_release(loop_a, cache=False)
    with pytest.raises(LoadError, match="no such file or directory"):
        load_release(tmp_path / "missing.csv", cache=False)
