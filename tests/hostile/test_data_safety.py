"""Data loss, as an unlucky user meets it on the command line: no command deletes or
overwrites an input (a notebook, a real download, a release file), and each refusal is
one line with exit status 2.

The unit tests beside each module check the functions; these drive ``casebook.cli.main``
with the very arguments a careless user types.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from casebook import cli, schema
from tests.conftest import archive_bytes, tweet_row


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_run_out_at_the_notebooks_folder_keeps_the_source(tmp_path, capsys) -> None:
    # `casebook run mine.ipynb --out .` used to delete mine.ipynb before executing
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('output_dir: str = ""  # where findings go\n')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params]
    mine = tmp_path / "mine.ipynb"
    nbformat.write(nb, mine)
    before = _snapshot(tmp_path)
    code, err = _main(["run", str(mine), "--out", str(tmp_path), "--no-progress"], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "error:" in err
    assert _snapshot(tmp_path) == before


def test_run_out_at_a_folder_of_the_users_files_touches_nothing(tmp_path, capsys) -> None:
    # `casebook run release --out mine` used to overwrite mine/index.html and the like
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("index.html", "04_release.html", "release.findings.json"):
        (mine / name).write_text(f"the user's own {name}")
    before = _snapshot(mine)
    code, err = _main(["run", "release", "--out", str(mine), "--no-progress"], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "index.html" in err
    assert _snapshot(mine) == before


def test_specimen_out_at_real_downloads_touches_nothing(tmp_path, capsys) -> None:
    # `casebook specimen --out data/raw` used to replace data/raw/GRU_202012 wholesale
    raw = tmp_path / "raw"
    download = raw / "GRU_202012"
    download.mkdir(parents=True)
    (download / "GRU_202012_tweets_csv_hashed.zip").write_bytes(b"PK\x03\x04 a real download")
    before = _snapshot(raw)
    code, err = _main(["specimen", "--out", str(raw), "--scale", "0.02"], capsys)
    assert code == 2, err
    assert "not written by 'casebook specimen'" in err and err.count("\n") == 1
    assert _snapshot(raw) == before


def test_specimen_keeps_the_files_a_user_added_to_its_folder(tmp_path, capsys) -> None:
    # a re-run of `casebook specimen --out DIR` used to delete DIR/GRU_202012/my_notes.txt
    assert _main(["specimen", "--out", str(tmp_path), "--scale", "0.01",
                  "--datasets", "GRU_202012"], capsys)[0] == 0
    (tmp_path / "GRU_202012" / "my_notes.txt").write_text("my notes")
    before = _snapshot(tmp_path)
    code, err = _main(["specimen", "--out", str(tmp_path), "--scale", "0.01", "--seed", "1",
                       "--datasets", "GRU_202012"], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "my_notes.txt" in err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("target", ["the tweets file", "inside the release folder"])
def test_network_out_never_replaces_or_joins_the_release(tmp_path, capsys, target) -> None:
    release = tmp_path / "toy_202012"
    release.mkdir()
    tweets = release / "toy_202012_tweets_csv_hashed.csv"
    tweets.write_bytes(archive_bytes([tweet_row()], schema.ARCHIVE_TWEET_COLUMNS))
    out = tweets if target == "the tweets file" else release / "edges.csv"
    before = _snapshot(release)
    code, err = _main(["network", str(release), "--kind", "co_retweet", "--out", str(out)],
                      capsys)
    assert code == 2, err
    assert err.count("\n") == 1
    assert _snapshot(release) == before


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
def test_network_out_never_replaces_another_releases_file(tmp_path, capsys, overwrite) -> None:
    # `casebook network A --out B/B_tweets.csv` used to replace B's raw file, read-only or not
    ours, theirs = tmp_path / "toy_202012", tmp_path / "other_202012"
    for folder in (ours, theirs):
        folder.mkdir()
        (folder / f"{folder.name}_tweets_csv_hashed.csv").write_bytes(
            archive_bytes([tweet_row(hashtags="['tag']")], schema.ARCHIVE_TWEET_COLUMNS))
    raw = theirs / "other_202012_tweets_csv_hashed.csv"
    raw.chmod(0o444)
    before = _snapshot(theirs)
    code, err = _main(["network", str(ours), "--kind", "co_hashtag", "--out", str(raw),
                       *overwrite], capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("casebook network: error: refusing")
    assert _snapshot(theirs) == before


def _release_folder(parent: Path, name: str = "other_202012") -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / f"{name}_tweets_csv_hashed.csv").write_bytes(
        archive_bytes([tweet_row(hashtags="['tag']")], schema.ARCHIVE_TWEET_COLUMNS))
    return folder


def test_network_out_never_joins_another_release_folder(tmp_path, capsys) -> None:
    # `casebook network A --out B/edges.csv` used to be accepted: B no longer loaded
    # ("edges.csv: not an archive tweets or users file")
    ours, theirs = _release_folder(tmp_path, "toy_202012"), _release_folder(tmp_path)
    before = _snapshot(theirs)
    for outputs in (["--out", str(theirs / "edges.csv")],
                    ["--out", str(tmp_path / "edges.csv"), "--evidence", str(theirs / "p.csv")]):
        code, err = _main(["network", str(ours), "--kind", "co_hashtag", *outputs], capsys)
        assert code == 2, err
        assert err.count("\n") == 1 and err.startswith("casebook network: error: refusing")
        assert "holds archive files" in err
        assert _snapshot(theirs) == before and not (tmp_path / "edges.csv").exists()
    # a folder of one's own is fine, and the other release still loads
    (tmp_path / "nets").mkdir()
    assert _main(["network", str(ours), "--kind", "co_hashtag",
                  "--out", str(tmp_path / "nets" / "edges.csv")], capsys)[0] == 0
    assert _main(["validate", str(theirs)], capsys)[0] == 0


def test_export_csv_interrupted_keeps_the_earlier_file(tmp_path, monkeypatch) -> None:
    # an export interrupted (Ctrl-C) used to leave a half-written file under the final
    # name, the user's earlier file gone
    import pandas as pd

    from casebook import report, safety

    target = tmp_path / "precious.csv"
    target.write_text("my own notes\n")

    def interrupted(frame, path, **kwargs):  # noqa: ANN001, ANN003, ANN202
        Path(path).write_text("tweetid,like_count\n1,")
        raise KeyboardInterrupt

    monkeypatch.setattr(safety, "to_safe_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.export_csv(pd.DataFrame({"tweetid": ["1"], "like_count": [3]}), target)
    assert target.read_text() == "my own notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["precious.csv"]  # no temporary left
    monkeypatch.undo()
    report.export_csv(pd.DataFrame({"tweetid": ["1"], "like_count": [3]}), target)
    assert target.read_text() == "tweetid,like_count\n1,3\n"


def test_export_csv_never_replaces_or_joins_archive_files(tmp_path) -> None:
    # export_csv(df, "<release folder>/..._tweets_csv_hashed.csv") silently replaced a
    # raw file; a CSV beside it made the release fail to load
    import pandas as pd

    from casebook import report
    from casebook.errors import UsageError

    release = _release_folder(tmp_path)
    before = _snapshot(release)
    raw = release / "other_202012_tweets_csv_hashed.csv"
    elsewhere = tmp_path / "mine" / "GRU_202012_users_csv_hashed.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(raw)
    table = pd.DataFrame({"tweetid": ["1"], "tweet_text": ["=1+1"]})
    for path, says in ((raw, "named as an archive data file"),
                       (release / "export.csv", "holds archive files"),
                       (elsewhere, "named as an archive data file"),
                       (link, "named as an archive data file")):
        with pytest.raises(UsageError, match=says) as err:
            report.export_csv(table, path)
        assert err.value.exit_code == 2 and "\n" not in str(err.value)
        assert "folder of your own" in str(err.value)
    assert _snapshot(release) == before and not elsewhere.parent.exists()
    assert link.is_symlink() and link.resolve() == raw
    assert report.export_csv(table, tmp_path / "exports" / "t.csv").is_file()
