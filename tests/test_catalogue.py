from __future__ import annotations

import json

import pandas as pd
import pytest

from casebook import catalogue
from tests._frames import FakeRelease, make_tweets, make_users


def _release(n_tweets: int, n_accounts: int, name: str, provenance=None) -> FakeRelease:
    tweets = make_tweets({"userid": f"u{i % n_accounts}"} for i in range(n_tweets))
    return FakeRelease(tweets, make_users([]), name=name,
                       provenance=provenance if provenance is not None else pd.DataFrame())


def test_published_counts_have_sources():
    table = catalogue.published_counts()
    assert set(table["dataset"]) == {"iran_202012", "GRU_202012", "IRA_202012",
                                     "armenia_202012"}
    assert table.set_index("dataset").loc["GRU_202012", "tweets"] == 26_684
    assert table["source"].str.contains("Stanford Internet Observatory").all()


def test_dataset_of_names():
    assert catalogue.dataset_of("gru_202012_excerpt") == "GRU_202012"
    assert catalogue.dataset_of("IRA_202012") == "IRA_202012"
    assert catalogue.dataset_of("iran_202012") == "iran_202012"
    assert catalogue.dataset_of("control") is None


def test_coverage_against_published_counts():
    small = catalogue.coverage(_release(274, 27, "gru_202012_excerpt"))
    assert not small.sufficient and small.share == pytest.approx(274 / 26_684)
    assert "274 of 26,684 tweets" in small.describe()
    # enough tweets but few accounts is too little as well
    assert not catalogue.coverage(_release(5000, 4, "GRU_202012")).sufficient
    assert catalogue.coverage(_release(5000, 51, "GRU_202012")).sufficient
    assert catalogue.coverage(_release(10, 2, "control")) is None


def test_specimen_is_compared_with_its_scale(tmp_path):
    folder = tmp_path / "GRU_202012"
    folder.mkdir()
    (folder / "ground_truth.json").write_text(json.dumps({
        "dataset": "GRU_202012", "synthetic": True, "scale": 0.15,
        "published": {"tweets": 26_684, "accounts": 51, "user_rows": 70}}))
    prov = pd.DataFrame({"file": [str(folder / "tweets.csv")]})
    full = catalogue.coverage(_release(4003, 51, "GRU_202012", prov))
    assert full.sufficient and full.expected_tweets == 4003
    assert "scale 0.15" in full.describe()
    cut = catalogue.coverage(_release(274, 27, "GRU_202012", prov))
    assert not cut.sufficient
