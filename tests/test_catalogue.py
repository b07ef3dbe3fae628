from __future__ import annotations

import csv
import dataclasses
import io
import json
import re

import pandas as pd
import pytest

from casebook import catalogue
from casebook.cli import main
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


# --------------------------------------------------------------------------- the archive


def test_catalogue_covers_the_archive_2018_to_2021():
    names = set(catalogue.RELEASES)
    for name in ("ira", "iranian", "venezuela_201901_1", "iran_201906_1", "china_082019_1",
                 "saudi_arabia_112019", "egypt_022020", "thailand_092020", "cuba_082020",
                 "GRU_202012", "CNHU_0621", "REA_0621", "RNA_0621", "uganda_0621",
                 "Tanzania_0621", "MX_0621"):
        assert name in names
    countries = {e.country for e in catalogue.RELEASES.values()}
    assert {"Iran", "Venezuela", "Russia", "China", "Saudi Arabia", "Egypt", "Thailand",
            "Cuba", "Uganda", "Tanzania", "Mexico"} <= countries
    years = {e.disclosed[:4] for e in catalogue.RELEASES.values()}
    assert years == {"2018", "2019", "2020", "2021"}


def test_every_entry_is_well_formed_and_sourced():
    for name, entry in catalogue.RELEASES.items():
        assert entry.name == name
        assert re.fullmatch(r"\d{4}_\d{2}", entry.release), name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry.disclosed), name
        assert entry.release <= entry.disclosed[:7].replace("-", "_"), name  # folder first
        assert entry.country and entry.summary and entry.source, name
        assert entry.split in catalogue.SPLITS, name
        for count in (entry.accounts, entry.tweets):
            assert count is None or (isinstance(count, int) and count > 0), name
        parts = [p for p in entry.patterns if "{year}" in p or "{n" in p.replace("{name}", "")]
        assert bool(parts) == (entry.split != "single"), name


def test_counts_match_the_published_ones():
    """Spot checks against FACTS.md and the sources named in the entries."""
    releases = catalogue.RELEASES
    assert (releases["GRU_202012"].accounts, releases["GRU_202012"].tweets) == (69, 26_684)
    assert releases["iran_202012"].tweets == 560_571
    assert releases["ira"].accounts == 3_841 and releases["ira"].tweets is None  # "over 9M"
    assert (releases["cuba_082020"].accounts, releases["cuba_082020"].tweets) == (526, 4_802_243)
    assert releases["Venezuela_0621"].tweets == 860_060
    # counts known only for a group, or reported inconsistently, stay empty with a note
    for name in ("iran_201906_1", "RNA_0621", "REA_0621", "uae_082019_1",
                 "venezuela_201901_1"):
        assert releases[name].accounts is None and releases[name].note, name
    assert releases["CNHU_0621"].release == "2021_12"


def test_file_names_follow_the_archive_patterns():
    assert catalogue.file_names("GRU_202012") == [
        "GRU_202012_tweets_csv_hashed.csv",
        "hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv",
    ]
    assert catalogue.file_names("REA_0621")[0] == "REA_0621_tweets_csv_hashed_{year}.csv"
    assert catalogue.file_names("REA_0621", "users") == [
        "REA_0621_users_csv_hashed.csv",
        "hashed_2021_12_REA_0621_REA_0621_users_csv_hashed.csv",
    ]
    assert "serbia_022020_tweets_csv_hashed_{n:02d}.csv" in catalogue.file_names("serbia_022020")
    assert "china_082019_3_tweets_csv_hashed_part{n}.csv" in catalogue.file_names(
        "china_082019_3")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("REA_0621_tweets_csv_hashed_2019.csv", "REA_0621"),
        ("CNHU_0621_tweets_csv_hashed_2021.csv", "CNHU_0621"),
        ("cnhu_0621_2020_excerpt", "CNHU_0621"),
        ("hashed_2021_12_CNHU_0621_CNHU_0621_users_csv_hashed.csv", "CNHU_0621"),
        ("data/raw/rna_0621", "RNA_0621"),
        ("iran_201901_1_tweets_csv_hashed_2.csv", "iran_201901_1"),
        ("serbia_022020_tweets_csv_hashed_07.csv", "serbia_022020"),
        ("china_082019_3_tweets_csv_hashed_part3.csv", "china_082019_3"),
        ("turkey_052020_tweets_csv_hashed_2016_06.csv", "turkey_052020"),
        ("ira_tweets_csv_hashed.csv", "ira"),
        ("iranian_tweets_csv_hashed.csv", "iranian"),
        ("hashed_2020_12_IRA_202012_IRA_202012_tweets_csv_hashed.csv", "IRA_202012"),
        ("ira_092020", "ira_092020"),
        ("hashed_2020_12_iran_202012_iran_202012_tweets_csv_hashed.csv", "iran_202012"),
        ("mirage", None),  # "ira" only as a whole token
        ("spiral", None),
        ("control", None),
    ],
)
def test_dataset_of_recognises_every_catalogued_file_name(name, expected):
    assert catalogue.dataset_of(name) == expected


def test_dataset_of_recognises_each_entry_by_its_file_names():
    for name, entry in catalogue.RELEASES.items():
        for pattern in catalogue.file_names(entry):
            file = pattern.format(year=2020, n=3)
            assert catalogue.dataset_of(file) == name, file


def test_coverage_of_other_catalogued_releases():
    cuba = catalogue.coverage(_release(1000, 50, "cuba_082020_tweets_csv_hashed"))
    assert cuba.expected_tweets == 4_802_243 and cuba.expected_accounts == 526
    assert not cuba.sufficient
    # nothing exact published: no coverage can be stated
    assert catalogue.coverage(_release(274, 16, "rna_0621_2020_excerpt")) is None
    # the 2020_12 datasets keep the finer counts of the public files
    assert catalogue.coverage(_release(10, 2, "GRU_202012")).expected_accounts == 51


def test_releases_table_marks_unknown_counts_missing():
    table = catalogue.releases_table()
    assert len(table) == len(catalogue.RELEASES)
    assert list(table["disclosed"]) == sorted(table["disclosed"])
    rea = table.set_index("name").loc["REA_0621"]
    assert pd.isna(rea["accounts"]) and pd.isna(rea["tweets"])  # never zero
    assert str(table["accounts"].dtype) == "Int64"


def test_releases_command_table_json_csv(capsys):
    assert main(["releases"]) == 0
    out = capsys.readouterr().out
    assert "REA_0621" in out and "2021-12-02" in out and "3,841" in out
    assert main(["releases", "REA_0621", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["name"] == "REA_0621" and record["accounts"] is None
    assert "Stanford Internet Observatory" in record["source"]
    assert main(["releases", "--country", "cuba", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == ["cuba_082020"] and rows[0]["tweets"] == "4802243"


def test_releases_command_csv_is_formula_safe(capsys, monkeypatch):
    hostile = dataclasses.replace(catalogue.RELEASES["MX_0621"], summary="=HYPERLINK(\"x\")")
    monkeypatch.setitem(catalogue.RELEASES, "MX_0621", hostile)
    assert main(["releases", "MX_0621", "--csv"]) == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["summary"].startswith("'=")


def test_releases_command_unknown_name_is_a_usage_error(capsys):
    assert main(["releases", "nonexistent_0621"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("casebook releases: error: 'nonexistent_0621' is not a catalogued")
