"""casebook.discovery: release folders, the datasets a case asks for, the specimen marker."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from casebook import discovery, load_release, report
from casebook.errors import LoadError
from casebook.paths import shared_dir
from tests import _quirks as q
from tests.conftest import release_folder as _release

REAL = shared_dir() / "fixtures" / "real"


def test_find_datasets_in_the_specimen_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path))
    spec = tmp_path / "specimen"
    _release(spec / "GRU_202012", "GRU_202012", synthetic=True)
    _release(spec / "iran_202012", "iran_202012", synthetic=True)
    (spec / "empty_dir").mkdir()
    found, absent = discovery.find_datasets("", ["IRA_202012", "GRU_202012", "Iran_202012"])
    assert found == {"GRU_202012": spec / "GRU_202012", "Iran_202012": spec / "iran_202012"}
    assert absent == ["IRA_202012"]
    assert list(found) == ["GRU_202012", "Iran_202012"]  # in the order asked


def test_find_datasets_single_release_folder(tmp_path: Path) -> None:
    folder = _release(tmp_path / "download", "x",
                      file="hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv")
    found, absent = discovery.find_datasets(folder, ["IRA_202012", "GRU_202012"])
    assert found == {"GRU_202012": folder} and absent == ["IRA_202012"]
    # a release folder that names no requested dataset is the first one requested
    other = _release(tmp_path / "mine", "x", file="tweets.csv")
    assert discovery.find_datasets(other, ["armenia_202012", "GRU_202012"]) == (
        {"armenia_202012": other}, ["GRU_202012"],
    )
    # IRA is not mistaken for iran
    iran = _release(tmp_path / "r", "iran_202012")
    assert discovery.find_datasets(iran, ["IRA_202012", "iran_202012"])[0] == {"iran_202012": iran}


def test_find_datasets_subfolder_named_by_its_files(tmp_path: Path) -> None:
    _release(tmp_path / "a", "x", file="hashed_2020_12_armenia_202012_armenia_202012_tweets_csv_hashed.zip")
    found, absent = discovery.find_datasets(str(tmp_path), "armenia_202012")
    assert found == {"armenia_202012": tmp_path / "a"} and absent == []


def test_find_datasets_missing_dataset_and_missing_folder(tmp_path: Path, monkeypatch) -> None:
    _release(tmp_path / "GRU_202012", "GRU_202012")
    assert discovery.find_datasets(tmp_path, ["IRA_202012"]) == ({}, ["IRA_202012"])
    with pytest.raises(FileNotFoundError, match="nope"):
        discovery.find_datasets(tmp_path / "nope", ["GRU_202012"])
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path / "nothing"))
    with pytest.raises(FileNotFoundError, match="casebook specimen"):
        discovery.find_datasets("", ["GRU_202012"])


def test_is_specimen(tmp_path: Path) -> None:
    assert discovery.is_specimen(_release(tmp_path / "s", "GRU_202012", synthetic=True))
    assert discovery.is_specimen(tmp_path / "s" / "GRU_202012_tweets_csv_hashed.csv")
    assert not discovery.is_specimen(_release(tmp_path / "f", "GRU_202012", synthetic=False))
    assert not discovery.is_specimen(_release(tmp_path / "r", "GRU_202012"))
    bad = _release(tmp_path / "b", "GRU_202012")
    (bad / "ground_truth.json").write_text("not json", encoding="utf-8")
    assert not discovery.is_specimen(bad)
    (bad / "ground_truth.json").write_text('{"synthetic": "yes"}', encoding="utf-8")
    assert not discovery.is_specimen(bad)  # only a real true counts
    parent = tmp_path / "spec"
    _release(parent / "IRA_202012", "IRA_202012")
    (parent / "ground_truth.json").write_text('{"synthetic": true}', encoding="utf-8")
    assert discovery.is_specimen(parent / "IRA_202012")


def test_is_release_dir_uses_the_archive_suffixes(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    assert not discovery.is_release_dir(folder)
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    (folder / "sub.csv").mkdir()  # a folder is not a data file
    assert not discovery.is_release_dir(folder)
    (folder / "part_1.CSV.GZ").write_bytes(b"")
    assert discovery.is_release_dir(folder)
    assert not discovery.is_release_dir(folder / "part_1.CSV.GZ")
    assert not discovery.is_release_dir(tmp_path / "missing")


def test_report_keeps_the_discovery_names() -> None:
    assert report.find_datasets is discovery.find_datasets
    assert report.is_release_dir is discovery.is_release_dir
    assert report.is_specimen is discovery.is_specimen
    assert report.DATA_SUFFIXES == discovery.DATA_SUFFIXES


def test_discovery_does_not_import_pandas() -> None:
    code = "import sys, casebook.discovery; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- releases side by side


@pytest.mark.parametrize(("name", "operation"), [
    ("hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv", "GRU_202012"),
    ("CNHU_0621_tweets_csv_hashed_2020.csv", "CNHU_0621"),
    ("hashed_2021_12_CNHU_0621_CNHU_0621_users_csv_hashed.csv", "CNHU_0621"),
    ("rna_0621_2020_excerpt.csv", "rna_0621"),
    ("gru_202012_excerpt_a.csv", "gru_202012"),
    ("saudi_arabia_112019_tweets_csv_hashed.csv", "saudi_arabia_112019"),
    ("iran_201906_1_tweets_csv_hashed_2.csv", "iran_201906_1"),  # the set, not the part
    ("tweets_csv_hashed_2020.csv", None),  # a year is not an operation
    ("ira_tweets_csv_hashed.csv", None),
    ("tweets.csv", None),
])
def test_operation_of(name: str, operation: str | None) -> None:
    assert discovery.operation_of(name) == operation


def test_release_groups_and_one_release(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("CNHU_0621_tweets_csv_hashed_2019.csv",
                                    "cnhu_0621_tweets_csv_hashed_2020.csv",
                                    "hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv",
                                    "notes.csv")]
    groups = discovery.release_groups(files)
    assert groups == {"cnhu_0621": files[:2], "gru_202012": [files[2]], None: [files[3]]}
    with pytest.raises(LoadError, match=r"files of 2 different releases side by side "
                       r"\(CNHU_0621: .*; GRU_202012: .*; and 1 file\(s\) naming no release\)"):
        discovery.one_release(files)
    assert discovery.one_release(files, name="CNHU_0621") == files[:2]
    assert discovery.one_release(files[:2] + [files[3]]) == files[:2] + [files[3]]


def test_one_release_warns_when_names_disagree(tmp_path: Path) -> None:
    folder = q.write_2021_release(tmp_path / "GRU_202012", code="CNHU_0621").folder
    files = sorted(folder.iterdir())
    with pytest.warns(discovery.ReleaseMismatchWarning,
                      match="folder GRU_202012 is named after GRU_202012 but holds the files "
                      "of CNHU_0621"):
        assert discovery.one_release(files, given=folder) == files
    with pytest.warns(discovery.ReleaseMismatchWarning,
                      match="IRA_202012 was asked for but the files are CNHU_0621's"):
        discovery.one_release(files, name="IRA_202012")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # agreeing names: silence
        discovery.one_release(files, name="CNHU_0621", given=tmp_path / "CNHU_0621")
        discovery.one_release(files, given=tmp_path / "downloads")


def test_find_datasets_folder_named_after_another_operation(tmp_path: Path) -> None:
    q.write_2021_release(tmp_path / "GRU_202012", code="CNHU_0621")
    _release(tmp_path / "IRA_202012", "IRA_202012")
    with pytest.warns(discovery.ReleaseMismatchWarning, match="not used as GRU_202012"):
        found, absent = discovery.find_datasets(tmp_path, ["GRU_202012", "CNHU_0621", "IRA_202012"])
    assert found == {"CNHU_0621": tmp_path / "GRU_202012", "IRA_202012": tmp_path / "IRA_202012"}
    assert absent == ["GRU_202012"]
    # the folder itself given as the data folder
    with pytest.warns(discovery.ReleaseMismatchWarning, match="holds the files of CNHU_0621"):
        assert discovery.find_datasets(tmp_path / "GRU_202012", ["GRU_202012"]) == ({}, ["GRU_202012"])


def test_find_datasets_and_load_in_a_folder_of_releases_side_by_side(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    q.write_2021_release(folder, code="CNHU_0621")
    q.write_2020_12_release(folder, code="GRU_202012")
    found, absent = discovery.find_datasets(folder, ["GRU_202012", "CNHU_0621", "IRA_202012"])
    assert found == {"GRU_202012": folder, "CNHU_0621": folder} and absent == ["IRA_202012"]
    with pytest.raises(LoadError, match="not combined into one release"):
        load_release(folder, cache=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the fixture's duplicate
        loaded = {n: load_release(f, name=n, cache=False) for n, f in found.items()}
    assert {n: len(r.tweets) for n, r in loaded.items()} == {"GRU_202012": 2, "CNHU_0621": 9}
    assert len(loaded["CNHU_0621"].provenance) == 2  # its two per-year files, nothing else


def test_real_folder_is_three_releases_never_one() -> None:
    if not (REAL / "rna_0621_2020_excerpt.csv").is_file():
        pytest.skip(f"real archive excerpts not found in {REAL} (../shared is absent)")
    with pytest.raises(LoadError, match="files of 3 different releases side by side"):
        load_release(REAL, cache=False)
    names = ["GRU_202012", "RNA_0621", "CNHU_0621"]
    found, absent = discovery.find_datasets(REAL, names)
    # the folder as found, wherever a symlink (a checkout's ../shared) points
    assert {n: f.resolve() for n, f in found.items()} == dict.fromkeys(names, REAL.resolve())
    assert absent == []
    sizes = {n: len(load_release(f, name=n, cache=False).tweets) for n, f in found.items()}
    assert sizes == {"GRU_202012": 274, "RNA_0621": 274, "CNHU_0621": 447}


def test_a_folder_holding_the_numbered_sets_of_its_operation_is_no_mismatch(tmp_path: Path) -> None:
    folder = tmp_path / "iran_201906"
    for n in (1, 2):
        _release(folder, "x", file=f"iran_201906_{n}_tweets_csv_hashed.csv")
    assert discovery.folder_mismatch(folder) is None
    assert discovery.folder_mismatch(_release(tmp_path / "iran_202012", "GRU_202012")) is not None
    found, _ = discovery.find_datasets(folder, ["iran_201906_1", "iran_201906_2"])
    assert found == {"iran_201906_1": folder, "iran_201906_2": folder}
