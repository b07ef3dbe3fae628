"""casebook.discovery: release folders, the datasets a case asks for, the specimen marker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from casebook import discovery, report
from tests.conftest import release_folder as _release


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
