"""Tests of the data the benchmarks build: a release grown in time (``case_scale --in-time``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import casebook
from casebook import specimen as sp

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def case_scale():
    spec = importlib.util.spec_from_file_location("case_scale", ROOT / "benchmarks" / "case_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def grown(case_scale, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("base")
    sp.write_specimen(base, seed=0, scale=0.02, datasets=list(case_scale.DATASETS))
    folder = tmp_path_factory.mktemp("grown") / "time3"
    case_scale.stacked(base, folder, 3)
    return base, folder


def test_copies_are_distinct_releases_one_after_the_other(case_scale, grown) -> None:
    base, folder = grown
    for dataset in case_scale.DATASETS:
        one = casebook.load_release(base / dataset, cache=False)
        three = casebook.load_release(folder / dataset, cache=False)
        # every tweet and account three times over, none taken for a duplicate
        assert len(three.tweets) == 3 * len(one.tweets)
        assert three.tweets["userid"].nunique() == 3 * one.tweets["userid"].nunique()
        assert len(three.users) == 3 * len(one.users)
        assert three.checks["duplicate_tweetids"] == 0 and three.checks["repeated_rows"] == 0
        assert three.checks["tweet_accounts_missing_from_users"] == 0
        # the same tweets per account: each copy's accounts tweet as the base's did
        counts = np.sort(three.tweets["userid"].value_counts().to_numpy())
        assert (counts == np.sort(np.tile(one.tweets["userid"].value_counts().to_numpy(), 3))).all()
        truth = json.loads((folder / dataset / "ground_truth.json").read_text())
        assert truth["synthetic"] is True and truth["counts"]["tweets"] == len(three.tweets)
    days = truth["stacked_in_time"]["days_apart"]
    op = casebook.load_release(folder / case_scale.DATASETS[0], cache=False).tweets
    one = casebook.load_release(base / case_scale.DATASETS[0], cache=False).tweets
    span = one["tweet_time"].max() - one["tweet_time"].min()
    assert days * np.timedelta64(1, "D") > span + np.timedelta64(60, "D")
    # copy k: the base's times k spans later, so no copy's tweets meet another's
    base_times = one["tweet_time"].to_numpy("datetime64[ns]")
    expected = np.sort(np.concatenate([base_times + k * np.timedelta64(days, "D") for k in range(3)]))
    assert (np.sort(op["tweet_time"].to_numpy("datetime64[ns]")) == expected).all()


def test_first_copy_is_the_base_file_byte_for_byte(case_scale, grown) -> None:
    base, folder = grown
    for dataset in case_scale.DATASETS:
        for name in sp.archive_file_names(dataset):
            original = (base / dataset / name).read_bytes()
            written = (folder / dataset / name).read_bytes()
            assert written.startswith(original) and len(written) > 2 * len(original)
    assert not folder.with_name(folder.name + ".partial").exists()


def test_an_existing_folder_is_refused_and_kept(case_scale, grown, tmp_path: Path) -> None:
    base, _ = grown
    folder = tmp_path / "time2"
    (folder / "iran_202012").mkdir(parents=True)
    (folder / "iran_202012" / "notes.md").write_text("mine")
    with pytest.raises(SystemExit, match="exists"):
        case_scale.stacked(base, folder, 2)
    assert (folder / "iran_202012" / "notes.md").read_text() == "mine"
    assert sorted(p.name for p in folder.rglob("*")) == ["iran_202012", "notes.md"]
