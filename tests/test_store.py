"""The Parquet store: round trip, incremental adds, no doubling, corrupt and foreign folders."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import warnings
from pathlib import Path

import pandas.testing as pdt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from casebook import cli, load_release, search, store
from casebook.errors import LoadError, UsageError
from casebook.store import MANIFEST, StoreError
from tests.test_search import NEAR_A, RELEASE_A, RELEASE_B, UA1, _row, write_release


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    return (write_release(tmp_path / "in" / "alpha_202012", "alpha_202012", RELEASE_A),
            write_release(tmp_path / "in" / "beta_202012", "beta_202012", RELEASE_B))


def _state(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file under ``folder``."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _assert_same_release(got, expected) -> None:
    pdt.assert_frame_equal(got.tweets, expected.tweets)
    pdt.assert_frame_equal(got.users, expected.users)
    pdt.assert_frame_equal(got.rejected, expected.rejected)
    pdt.assert_frame_equal(got.provenance, expected.provenance)
    assert got.checks == expected.checks


def test_round_trip_equals_load_release(folders: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "store"
    for folder in folders:
        store.add_release(path, folder)
    for folder in folders:
        expected = load_release(folder, cache=False)
        got = store.read_release(path, expected.name)
        _assert_same_release(got, expected)
        assert got.tweets["hashtags"].dtype == expected.tweets["hashtags"].dtype  # Arrow lists


def test_round_trip_of_the_real_excerpt(real_gru_folder: Path, tmp_path: Path) -> None:
    result = store.add_release(tmp_path / "store", real_gru_folder)
    _assert_same_release(store.read_release(tmp_path / "store", result.name),
                         load_release(real_gru_folder, cache=False))


def test_round_trip_keeps_rejected_rows(tmp_path: Path) -> None:
    bad = [*RELEASE_A, _row("106", UA1, "not a time")]
    folder = write_release(tmp_path / "bad", "bad_202012", bad)
    with pytest.raises(LoadError, match="tweet_time"):
        store.add_release(tmp_path / "store", folder)  # the loader's default: fail
    assert not (tmp_path / "store" / MANIFEST).exists()
    store.add_release(tmp_path / "store", folder, on_bad_rows="report")
    got = store.read_release(tmp_path / "store", "bad_202012")
    _assert_same_release(got, load_release(folder, cache=False, on_bad_rows="report"))
    assert len(got.rejected) == 1


def test_add_counts_the_rejected_rows_of_each_file(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # --on-bad-rows report stored the good rows and said nothing of the others
    bad = [*RELEASE_A, _row("106", UA1, "not a time"), _row("107", UA1, "2020-02-30 01:00")]
    folder = write_release(tmp_path / "bad", "bad_202012", bad)
    argv = ["store", "add", str(folder), "--store", str(tmp_path / "store"), "--on-bad-rows",
            "report", "--no-progress"]
    expected = load_release(folder, cache=False, on_bad_rows="report")
    counted = expected.provenance.loc[lambda d: d["rows_rejected"] > 0]
    assert counted["rows_rejected"].tolist() == [2]  # the loader's own count, per file
    (file,) = [Path(f).name for f in counted["file"]]
    first = expected.rejected.iloc[0]
    line = (f"casebook store add: warning: {file}: 2 row(s) rejected and left out of the "
            f"store (first: line {first['line']}: {first['reason']}; casebook validate "
            f"{folder} lists them)\n")
    for status in ("added", "already in the store"):  # the stored copy lacks them still
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            assert cli.main(argv) == 0
        out, err = capsys.readouterr()
        assert status in out and err == line
    assert "tweet_time='not a time'" in line
    # without rejected rows, nothing to warn of
    assert cli.main([*argv[:2], str(write_release(tmp_path / "good", "good_202012", RELEASE_B)),
                     *argv[3:]]) == 0
    assert capsys.readouterr().err == ""


def test_store_is_one_hive_partitioned_dataset(folders: tuple[Path, Path], tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    path = tmp_path / "store"
    for folder in folders:
        store.add_release(path, folder)
    dataset = ds.dataset([str(p) for p in sorted(path.glob("release=*/tweets.parquet"))],
                         partitioning=ds.partitioning(flavor="hive"), partition_base_dir=str(path))
    table = dataset.to_table()
    assert table.num_rows == len(RELEASE_A) + len(RELEASE_B)
    assert sorted(set(table.column("release").to_pylist())) == ["alpha_202012", "beta_202012"]


def test_adding_a_release_rewrites_no_other(folders: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "store"
    alpha, beta = folders
    store.add_release(path, alpha)
    before = _state(path / "release=alpha_202012")
    assert store.add_release(path, beta).status == "added"
    assert _state(path / "release=alpha_202012") == before
    # a changed release replaces its own partition only
    write_release(beta, "beta_202012", [*RELEASE_B, _row("205", UA1, "2020-05-01 00:00")])
    result = store.add_release(path, beta)
    assert (result.status, result.tweets) == ("replaced", len(RELEASE_B) + 1)
    assert _state(path / "release=alpha_202012") == before
    assert len(store.read_release(path, "beta_202012").tweets) == len(RELEASE_B) + 1
    assert sorted(p.name for p in path.iterdir()) == [
        ".casebook-store.lock", MANIFEST, "release=alpha_202012", "release=beta_202012"]


def test_same_content_twice_is_not_doubled(folders: tuple[Path, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    alpha = folders[0]
    assert cli.main(["store", "add", str(alpha), "--store", str(path)]) == 0
    state = _state(path)
    assert cli.main(["store", "add", str(alpha), "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "alpha_202012: already in the store with the same files" in out
    assert "nothing written" in out
    # the same files under another folder are the same release
    copy = tmp_path / "copy"
    shutil.copytree(alpha, copy)
    assert store.add_release(path, copy).status == "unchanged"
    assert _state(path) == state
    listed = store.list_store(path)
    assert listed["tweets"].tolist() == [len(RELEASE_A)]
    assert search.search(path, account=UA1).tweets == 3


def test_the_same_folder_under_another_name_is_refused(
    folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store"
    alpha = folders[0]
    store.add_release(path, alpha)
    with pytest.raises(StoreError, match="5 of the 5 tweets of release alpha_copy are already "
                       "in the store as release alpha_202012"):
        store.add_release(path, alpha, name="alpha_copy")
    code, err = _cli_error(["store", "add", str(alpha), "--store", str(path),
                            "--name", "alpha_copy"], capsys)
    assert code == 1 and "counted twice" in err and "add it with --name alpha_202012" in err
    # under its own name it is the same release, as before
    assert store.add_release(path, alpha, name="alpha_202012").status == "unchanged"
    assert store.list_store(path)["release"].tolist() == ["alpha_202012"]
    assert search.search(path, account=UA1).tweets == 3


def test_the_same_tweets_gzipped_in_another_folder_are_refused(folders: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "store"
    alpha = folders[0]
    store.add_release(path, alpha)
    (source,) = alpha.iterdir()
    other = tmp_path / "exports"
    other.mkdir()
    (other / "alpha_export_tweets.csv.gz").write_bytes(gzip.compress(source.read_bytes()))
    assert load_release(other, cache=False).name != "alpha_202012"  # other files, other name
    with pytest.raises(StoreError, match="5 of the 5 tweets .* as release alpha_202012"):
        store.add_release(path, other)
    # what the refusal says to do: under the stored release's name it replaces it
    assert store.add_release(path, other, name="alpha_202012").status == "replaced"
    assert store.list_store(path)["tweets"].tolist() == [len(RELEASE_A)]
    assert search.search(path, account=UA1).tweets == 3


def test_a_release_sharing_some_tweets_is_refused(folders: tuple[Path, Path], tmp_path: Path) -> None:
    """Decided: any shared tweet id refuses the whole release (the shared tweets would be
    counted twice; keeping only the others would store a release unlike its files)."""
    path = tmp_path / "store"
    alpha, beta = folders
    store.add_release(path, alpha)
    store.add_release(path, beta)
    mixed = write_release(tmp_path / "in" / "gamma_202012", "gamma_202012",
                          [RELEASE_A[0], RELEASE_A[2], RELEASE_B[1], _row("301", UA1, "2020-05-01 00:00")])
    with pytest.raises(StoreError, match=r"2 of the 4 tweets of release gamma_202012 are already "
                       r"in the store as release alpha_202012 \(and 1 in beta_202012\)"):
        store.add_release(path, mixed)
    # a release may still replace its own earlier version, which shares its tweets
    write_release(beta, "beta_202012", [*RELEASE_B, _row("205", UA1, "2020-05-01 00:00")])
    assert store.add_release(path, beta).status == "replaced"
    # but not take tweets of another release with it
    write_release(beta, "beta_202012", [*RELEASE_B, RELEASE_A[4]])
    with pytest.raises(StoreError, match="1 of the 5 tweets of release beta_202012 .* "
                       "as release alpha_202012"):
        store.add_release(path, beta)
    assert store.list_store(path)["tweets"].tolist() == [len(RELEASE_A), len(RELEASE_B) + 1]


def test_a_refused_add_leaves_the_store_as_it_was(folders: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "store"
    alpha, beta = folders
    store.add_release(path, alpha)
    store.add_release(path, beta)
    manifest = (path / MANIFEST).read_bytes()
    state = _state(path)
    expected = search.search(path, hashtag="defender2020").accounts
    copy = write_release(tmp_path / "in" / "copy_202012", "copy_202012",
                         [*RELEASE_B, _row("206", UA1, "2020-05-01 00:00")])
    for name in (None, "beta_copy"):
        with pytest.raises(StoreError, match="4 of the 5 tweets"):
            store.add_release(path, copy, name=name)
        assert (path / MANIFEST).read_bytes() == manifest
        assert _state(path) == state  # no partition, no temporary folder, nothing rewritten
    pdt.assert_frame_equal(search.search(path, hashtag="defender2020").accounts, expected)
    assert cli.main(["store", "list", "--store", str(path), "--verify"]) == 0


def test_raw_files_are_never_modified(folders: tuple[Path, Path], tmp_path: Path) -> None:
    before = [(_digests(f), _state(f)) for f in folders]
    for folder in folders:
        store.add_release(tmp_path / "store", folder)
    assert [(_digests(f), _state(f)) for f in folders] == before


def test_list_shows_what_the_store_holds(folders: tuple[Path, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    assert cli.main(["store", "add", *map(str, folders), "--store", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["store", "list", "--store", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["release"], r["tweets"], r["accounts"], r["files"]) for r in rows] == [
        ("alpha_202012", 5, 2, 1), ("beta_202012", 4, 2, 1)]
    assert all(r["added"].endswith("Z") and r["bytes"] > 0 for r in rows)
    assert cli.main(["store", "list", "--store", str(path), "--verify"]) == 0
    assert "2 release(s), 9 tweets, 4 accounts" in capsys.readouterr().out


def test_list_writes_counts_with_separators(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store"
    store.add_release(path, write_release(
        tmp_path / "in" / "big_202012", "big_202012",
        [_row(str(1000 + i), UA1, f"2020-05-01 {i // 60:02d}:{i % 60:02d}") for i in range(1234)]))
    assert cli.main(["store", "list", "--store", str(path)]) == 0
    table = capsys.readouterr().out.splitlines()
    row = table[1].split()
    assert row[:4] == ["big_202012", "1,234", "1", "1"]
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", row[4])  # bytes


def test_manifest_records_sources_and_loader_version(folders: tuple[Path, Path], tmp_path: Path) -> None:
    from casebook import loader

    path = tmp_path / "store"
    store.add_release(path, folders[0])
    entry = json.loads((path / MANIFEST).read_text())["releases"]["alpha_202012"]
    (source,) = folders[0].iterdir()
    assert entry["sources"] == [{"file": source.name, "size": source.stat().st_size,
                                 "sha256": hashlib.sha256(source.read_bytes()).hexdigest()}]
    assert entry["loader_version"] == loader.LOADER_VERSION


def test_a_new_loader_version_rewrites_the_release(folders: tuple[Path, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from casebook import loader

    path = tmp_path / "store"
    store.add_release(path, folders[0])
    monkeypatch.setattr(loader, "LOADER_VERSION", loader.LOADER_VERSION + "-next")
    assert store.add_release(path, folders[0]).status == "replaced"


# --------------------------------------------------------------------------- corrupt and foreign


@pytest.fixture
def one(folders: tuple[Path, Path], tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store.add_release(path, folders[0])
    return path


def _cli_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    return code, err


def test_missing_manifest_is_a_corrupt_store(one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (one / MANIFEST).unlink()
    code, err = _cli_error(["store", "list", "--store", str(one)], capsys)
    assert code == 1 and "corrupt store" in err and "manifest" in err
    with pytest.raises(StoreError, match="manifest"):
        store.add_release(one, one.parent / "in" / "beta_202012")


@pytest.mark.parametrize("text", ["{not json", "[]", '{"format": "other"}',
                                  '{"format": "casebook-store", "format_version": 1}'])
def test_garbled_manifest_is_a_corrupt_store(one: Path, text: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (one / MANIFEST).write_text(text)
    code, err = _cli_error(["search", str(one), "--hashtag", "x"], capsys)
    assert code == 1 and "corrupt store" in err
    with pytest.raises(StoreError):
        store.read_release(one, "alpha_202012")


def test_a_partition_file_of_another_size_is_corrupt(one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tweets = one / "release=alpha_202012" / "tweets.parquet"
    tweets.write_bytes(tweets.read_bytes()[:-10])
    code, err = _cli_error(["store", "list", "--store", str(one)], capsys)
    assert code == 1 and "tweets.parquet is not the file the manifest recorded" in err


def test_a_partition_file_with_other_bytes_is_corrupt(one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = one / "release=alpha_202012" / "users.parquet"
    data = bytearray(users.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other content
    users.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="sha256 differs"):
        store.read_release(one, "alpha_202012")
    code, err = _cli_error(["store", "list", "--store", str(one), "--verify"], capsys)
    assert code == 1 and "sha256 differs" in err


def test_a_missing_partition_is_corrupt(one: Path) -> None:
    shutil.rmtree(one / "release=alpha_202012")
    with pytest.raises(StoreError, match="missing"):
        store.list_store(one)


def test_a_foreign_folder_is_refused_and_left_alone(folders: tuple[Path, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"precious")
    before = _state(foreign)
    code, err = _cli_error(["store", "add", str(folders[0]), "--store", str(foreign)], capsys)
    assert code == 1 and "not a casebook store" in err
    assert _state(foreign) == before and sorted(os.listdir(foreign)) == ["thesis.docx"]
    file_store = tmp_path / "file"
    file_store.write_text("x")
    with pytest.raises(StoreError, match="not a casebook store"):
        store.add_release(file_store, folders[0])


def test_an_unknown_release_names_the_ones_held(one: Path) -> None:
    with pytest.raises(StoreError, match="it holds: alpha_202012"):
        store.read_release(one, "nope")


def test_a_failed_write_leaves_the_store_as_it_was(folders: tuple[Path, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store"
    alpha, beta = folders
    store.add_release(path, alpha)
    store.add_release(path, beta)
    manifest = (path / MANIFEST).read_bytes()
    state = _state(path)
    write = store._write_parquet
    calls = []

    def failing(table, file: Path):
        calls.append(file)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return write(table, file)

    monkeypatch.setattr(store, "_write_parquet", failing)
    write_release(beta, "beta_202012", [*RELEASE_B, _row("205", UA1, "2020-05-01 00:00")])
    with pytest.raises(OSError):
        store.add_release(path, beta)
    assert (path / MANIFEST).read_bytes() == manifest
    assert _state(path) == state  # the old partition is whole, no temporary folder is left
    assert len(store.read_release(path, "beta_202012").tweets) == len(RELEASE_B)


def test_the_store_keeps_the_loader_types(one: Path) -> None:
    from casebook import loader

    arrow = pq.read_schema(one / "release=alpha_202012" / "tweets.parquet")
    for name, dtype in loader.schema.TWEET_DTYPES.items():
        assert arrow.field(name).type == loader._ARROW_TYPES[dtype], name


@pytest.mark.parametrize("argv", [
    ["store"],  # no action
    ["store", "add", "a", "b", "--store", "s", "--name", "x"],  # --name names one release
    ["store", "add", "a", "--store", "s", "--name", "../up"],
    ["store", "list"],  # no --store
])
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    assert not (tmp_path / "s").exists()


def test_name_is_checked_as_a_folder_name(folders: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        store.add_release(tmp_path / "store", folders[0], name="../escape")
    result = store.add_release(tmp_path / "store", folders[0], name="alpha.copy")
    assert (tmp_path / "store" / "release=alpha.copy").is_dir() and result.name == "alpha.copy"


def test_read_back_from_an_unreadable_path_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store"):
        store.read_release(tmp_path / "absent", "x")


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_manifest_write_puts_the_old_partition_back(
    folders: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    path = tmp_path / "store"
    alpha, beta = folders
    store.add_release(path, alpha)
    if existing:
        store.add_release(path, beta)
        write_release(beta, "beta_202012", [*RELEASE_B, _row("205", UA1, "2020-05-01 00:00")])
    state = _state(path)

    def failing(root: Path, manifest: dict) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_write_manifest", failing)
    with pytest.raises(OSError):
        store.add_release(path, beta)
    assert _state(path) == state  # the old partition back, the new one gone, no temporaries
    monkeypatch.undo()
    assert store.list_store(path)["release"].tolist() == (
        ["alpha_202012", "beta_202012"] if existing else ["alpha_202012"])


# --------------------------------------------------------------------------- the key table


def test_the_key_table_covers_every_kind_sorted(folders: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "store"
    for folder in folders:
        store.add_release(path, folder)
    both = [pq.read_table(p) for p in sorted(path.glob("release=*/keys.parquet"))]
    kinds = {k for table in both for k in table.column("kind").to_pylist()}
    assert kinds == set(store.DETAIL_KINDS)  # the near-duplicate bands are in near.parquet
    for table in both:
        key = table.column("key").to_pylist()
        assert key == sorted(key)  # sorted: a lookup reads the row groups holding its key
        assert [k >> 56 for k in key] == table.column("kind").to_pylist()
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION == 4
    assert all(set(e["files"]) == set(store.PARTITION_FILES) for e in manifest["releases"].values())
    text = store.KEY_KINDS["text"]
    for part in sorted(path.glob("release=*")):
        summary = pq.read_table(part / "summary.parquet")
        assert summary.column("key").to_pylist() == sorted(summary.column("key").to_pylist())
        texts = pa.ipc.open_file(pa.memory_map(str(part / "text_summary.arrow"))).read_all()
        assert texts.column("key").to_pylist() == sorted(texts.column("key").to_pylist())
        # the texts' rows are in the mapped file, every other kind's in the Parquet one
        assert set(texts.column("kind").to_pylist()) == {text}
        assert text not in set(summary.column("kind").to_pylist())
        near = pq.read_table(part / "near.parquet").column("key").to_pylist()
        assert near == sorted(near) and {k >> 56 for k in near} == {
            code for kind, code in store.KEY_KINDS.items() if kind.startswith("near_")}


def test_the_summary_is_the_key_table_grouped(folders: tuple[Path, Path], tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "store"
    store.add_release(path, folders[1])
    folder = path / "release=beta_202012"
    con = duckdb.connect()
    expected = con.sql(
        f"SELECT key, userid, user_screen_name, count(*), min(tweet_time), max(tweet_time), "
        f"min(row), list(tweetid ORDER BY tweet_time, tweetid)[1:{store.EXAMPLES}] "
        f"FROM read_parquet('{folder / 'keys.parquet'}') "
        f"GROUP BY ALL ORDER BY key, userid, user_screen_name").fetchall()
    # DuckDB reads the Arrow table by its Python name
    texts = pa.ipc.open_file(pa.memory_map(str(folder / "text_summary.arrow"))).read_all()  # noqa: F841
    got = con.sql(
        f"SELECT key, userid, user_screen_name, tweets, first_time, last_time, first_row, "
        f"[e.id FOR e IN examples] FROM (SELECT * FROM read_parquet('{folder / 'summary.parquet'}', "
        f"hive_partitioning = false) "
        f"UNION ALL SELECT * FROM texts) ORDER BY key, userid, user_screen_name").fetchall()
    con.close()
    assert got == expected and any(row[3] > 1 for row in got)


def test_keys_are_the_tweets_values(folders: tuple[Path, Path], tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "store"
    store.add_release(path, folders[0])
    folder = path / "release=alpha_202012"
    con = duckdb.connect()
    expected = con.sql(
        f"SELECT {store.key_sql('hashtag', 'h')} AS key, row FROM ("
        f"SELECT DISTINCT unnest(hashtag_keys) AS h, file_row_number AS row "
        f"FROM read_parquet('{folder / 'search.parquet'}', file_row_number = true)) ORDER BY key, row"
    ).fetchall()
    got = con.sql(f"SELECT key, row FROM read_parquet('{folder / 'keys.parquet'}') "
                  f"WHERE kind = {store.KEY_KINDS['hashtag']} ORDER BY key, row").fetchall()
    assert got == expected and len(got) == 2  # defender2020 (tweet 103), other (105)
    con.close()


def _downgrade(path: Path, version: int) -> None:
    """Make ``path`` a store of an older format: 1 (no key table), 2 (a key table with the
    near-duplicate bands, no summary, near-duplicate or text table), 3 (the texts and
    their summary in Parquet)."""
    import duckdb

    manifest = json.loads((path / MANIFEST).read_text())
    manifest["format_version"] = version
    for name, entry in manifest["releases"].items():
        folder = path / f"release={name}"
        if version == 3:
            def mapped(file: str, folder: Path = folder) -> pa.Table:
                return pa.ipc.open_file(pa.memory_map(str(folder / file))).read_all()

            texts = mapped("texts.arrow")
            pq.write_table(texts.cast(pa.schema([f.with_type(pa.string()) if f.name == "norm"
                                                 else f for f in texts.schema])),
                           folder / "texts.parquet")
            summary = pq.read_table(folder / "summary.parquet")
            merged = pa.concat_tables([summary, mapped("text_summary.arrow").cast(summary.schema)])
            pq.write_table(merged.sort_by("key"), folder / "summary.parquet")
            for file in ("texts.arrow", "text_summary.arrow"):
                del entry["files"][file]
                (folder / file).unlink()
            for file in ("texts.parquet", "summary.parquet"):
                entry["files"][file] = {"size": (folder / file).stat().st_size}
            continue
        for file in store.PARTITION_FILES[3 + version:]:
            del entry["files"][file]
            (folder / file).unlink()
        if version == 2:  # format 2's key table also held ten band keys per tweet
            keys = str(folder / "keys.parquet")
            con = duckdb.connect()
            con.sql(f"COPY (SELECT * FROM read_parquet('{keys}', hive_partitioning = false) UNION ALL SELECT 16, "
                    f"(CAST(16 AS UBIGINT) << 56) | near_0, CAST(file_row_number AS UINTEGER), "
                    f"NULL, NULL, NULL, NULL FROM read_parquet('{folder / 'search.parquet'}', "
                    f"file_row_number = true) WHERE near_0 IS NOT NULL ORDER BY key) "
                    f"TO '{keys}.new' (FORMAT parquet)")
            con.close()
            os.replace(f"{keys}.new", keys)
            entry["files"]["keys.parquet"]["size"] = os.path.getsize(keys)
    (path / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_old_format_store_says_how_to_upgrade(folders: tuple[Path, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str], version: int) -> None:
    path = tmp_path / "store"
    for folder in folders:
        store.add_release(path, folder)
    expected = search.search(path, hashtag="defender2020").accounts
    near = search.search(path, text=NEAR_A, near=True).accounts
    def tables_of() -> dict[Path, pa.Table]:
        read = {p.relative_to(path): pq.read_table(p) for p in path.glob("release=*/*.parquet")}
        read.update({p.relative_to(path): pa.ipc.open_file(pa.memory_map(str(p))).read_all()
                     for p in path.glob("release=*/*.arrow")})
        return read

    tables = tables_of()
    _downgrade(path, version)
    code, err = _cli_error(["search", str(path), "--hashtag", "x"], capsys)
    assert code == 1 and "re-add the releases: casebook store add" in err
    assert str(folders[0].resolve()) in err and f"--store {path}" in err
    # adding (the same folders) upgrades it in place, without reading the sources again
    assert store.add_release(path, folders[0]).status == "unchanged"
    assert json.loads((path / MANIFEST).read_text())["format_version"] == store.FORMAT_VERSION
    pdt.assert_frame_equal(search.search(path, hashtag="defender2020").accounts, expected)
    pdt.assert_frame_equal(search.search(path, text=NEAR_A, near=True).accounts, near)
    assert cli.main(["store", "list", "--store", str(path), "--verify"]) == 0
    # the upgraded store holds what an add writes, and nothing else
    assert tables_of() == tables
    assert not [p for p in path.iterdir() if p.name.startswith(".tmp-") or p.name.startswith(".trash-")]
