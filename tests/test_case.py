"""The case layer, and papermill re-runs whose findings must equal the library's results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from casebook import accounts, activity, case, claims, load_release, report
from casebook.runner import run_cases
from casebook.specimen import write_specimen


@pytest.fixture(scope="module")
def small_specimen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small specimen with another seed than the default (seed 1)."""
    out = tmp_path_factory.mktemp("specimen_seed1")
    write_specimen(out, seed=1, scale=0.03, datasets=["armenia_202012", "GRU_202012", "control"])
    return out


def test_open_case_reports_present_and_absent(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["GRU_202012", "IRA_202012"])
    assert list(c.releases) == ["GRU_202012"] and c.absent == ["IRA_202012"]
    assert c.control is not None and c.control_name == "control"
    prov = c.provenance()
    assert set(prov["dataset"]) == {"GRU_202012", "control"}
    assert (prov["rows rejected"] == 0).all() and prov["sha256"].str.len().eq(16).all()
    val = c.validation().set_index("dataset")
    assert val.loc["GRU_202012", "tweets"] == len(c.primary.tweets)
    assert "SYNTHETIC SPECIMEN DATA" in c.banner().html


def test_open_case_without_any_dataset_says_what_to_do(small_specimen: Path) -> None:
    with pytest.raises(FileNotFoundError, match="casebook fetch"):
        case.open_case(str(small_specimen), ["iran_202012"])


def test_control_is_never_the_data_folder_itself(real_excerpt: Path) -> None:
    c = case.open_case(str(real_excerpt.parent), ["GRU_202012"])
    assert c.folders["GRU_202012"].resolve() == real_excerpt.parent.resolve()
    if c.control is not None:  # the specimen's control, never the excerpt
        assert c.folders["control"].resolve() != real_excerpt.parent.resolve()
        assert len(c.control.tweets) != len(c.primary.tweets)


def test_metrics_equal_direct_computation(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012", "GRU_202012"])
    m = case.metrics(c.releases).set_index("dataset")
    arm = c.releases["armenia_202012"]
    assert m.loc["armenia_202012", "tweets"] == len(arm.tweets)
    assert m.loc["armenia_202012", "retweet share"] == round(
        float(arm.tweets["is_retweet"].mean()), 3)
    assert m.loc["armenia_202012", "automation share"] >= 0.9  # planted in the specimen
    assert m.loc["GRU_202012", "automation share"] < 0.05
    assert m.loc["armenia_202012", "operator time zone"] == "UTC+04:00"


def test_coordination_analysis_thresholds_and_communities(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    res = case.coordination_analysis(c.primary, c.control, window="1min")
    thr = res.thresholds().set_index("kind")
    assert (thr["control share flagged"] <= 0.01).all()
    merged = res.strong.merge(thr["threshold (tweets)"], left_on="kind", right_index=True)
    assert (merged["weight"] >= merged["threshold (tweets)"]).all()
    assert len(res.communities) > 0 and set(res.communities["userid"]) <= set(c.primary.tweets["userid"])
    top = res.top_edges()
    assert top["kind"].is_unique
    order = [case.SPECIFICITY.index(k) for k in top["kind"]]
    assert order == sorted(order)
    ev = res.evidence(c.primary)
    first = top.iloc[0]
    assert ev["source_tweetid"].nunique() == first["weight"]
    with pytest.raises(ValueError, match="minute"):
        case.coordination_analysis(c.primary, c.control, window="30s")


def test_ledger_covers_every_present_dataset(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012", "GRU_202012"])
    led = c.ledger()
    assert set(led["dataset"]) == {"armenia_202012", "GRU_202012"}
    assert led["verdict"].isin(claims.VERDICTS).all()


def _expected_findings(folder: Path, control: Path | None, *, operation: str, seed: int,
                       **claim_params: object) -> pd.DataFrame:
    """The findings computed directly with the library, as the notebook should."""
    rel = load_release(folder, on_bad_rows="report", name=folder.name)
    ctl = load_release(control, on_bad_rows="report", name="control") if control else None
    ledger = claims.evaluate_claims(rel, operation, **claim_params)
    coord = case.coordination_analysis(rel, ctl, window="1min", control_fpr=0.01, seed=seed)
    offset = activity.infer_utc_offset(rel.tweets, seed=seed)
    return case.headline_findings(rel, ledger=ledger, communities=coord.communities, offset=offset)


def _recorded(out: Path, name: str) -> pd.DataFrame:
    data = json.loads((out / f"{name}.findings.json").read_text(encoding="utf-8"))
    return pd.DataFrame(data["findings"])[["finding", "value", "detail"]]


@pytest.mark.slow
def test_papermill_rerun_on_another_seed_records_library_results(small_specimen: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run_cases(["armenia"], data=small_specimen, out=out, params={"seed": 1}, progress=False)
    assert result.exit_code == 0, result
    executed = json.loads((out / "03_armenia_anti_azerbaijan.ipynb").read_text(encoding="utf-8"))
    params = executed["metadata"]["papermill"]["parameters"]
    assert params["seed"] == 1 and params["data_dir"] == str(small_specimen)
    expected = _expected_findings(small_specimen / "armenia_202012", small_specimen / "control",
                                  operation="armenia", seed=1)
    pd.testing.assert_frame_equal(_recorded(out, "armenia"), expected.astype(object), check_dtype=False)
    html = (out / "03_armenia_anti_azerbaijan.html").read_text(encoding="utf-8")
    assert "SYNTHETIC SPECIMEN DATA" in html and "<script" not in html.lower().split("</head>")[-1]


@pytest.mark.slow
def test_papermill_rerun_on_the_real_excerpt(real_gru_folder: Path, tmp_path: Path, small_specimen: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # the control cohort comes from the specimen folder when the data has none
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    shutil.copytree(small_specimen, tmp_path / "data" / "specimen")
    out = tmp_path / "run"
    result = run_cases(["russia"], data=real_gru_folder.parent, out=out, progress=False)
    assert result.exit_code == 0, result
    recorded = _recorded(out, "russia")
    expected = _expected_findings(real_gru_folder, tmp_path / "data" / "specimen" / "control",
                                  operation="russia", seed=0)
    pd.testing.assert_frame_equal(recorded, expected.astype(object), check_dtype=False)
    assert recorded.loc[0, "value"] == "27 accounts, 274 tweets"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "IRA_202012" in index  # named as absent
    nb = (out / "02_russia_anti_nato.ipynb").read_text(encoding="utf-8")
    assert "Datasets absent from this run: IRA_202012" in nb


def test_headline_findings_come_from_the_library(small_specimen: Path) -> None:
    rel = load_release(small_specimen / "GRU_202012")
    ledger = claims.evaluate_claims(rel, "russia")
    f = case.headline_findings(rel, ledger=ledger)
    top = accounts.top_accounts(rel, n=1)
    assert f.loc[1, "value"] == f"{float(top['share'].iloc[0]):.1%}"
    assert f["value"].tail(len(ledger)).tolist() == ledger["verdict"].tolist()
    assert list(f.columns) == list(report.FINDING_COLUMNS)


def test_small_multiples_have_titles_and_units(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012", "GRU_202012"])
    fig = case.plot_timelines(c.releases, events={"armenia_202012": [
        {"name": "war", "start": "2020-09-27 00:00", "end": "2020-11-10 23:59"}]})
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 2 and all(a.get_title() for a in axes)
    fig = case.plot_hour_fingerprints(c.releases)
    ax = [a for a in fig.axes if a.get_visible()][0]
    assert "UTC" in ax.get_xlabel() and "%" in ax.get_ylabel()
    ax = case.plot_client_mix(c.releases)
    assert ax.get_title() == "Tweets by client class" and "%" in ax.get_xlabel()
    mix = case.client_mix(c.releases)
    assert mix[["official", "mobile", "automation", "other"]].sum(axis=1).round(2).eq(1.0).all()


def test_calibrate_returns_the_same_edges_as_networks(small_specimen: Path) -> None:
    from casebook import coordination as co

    c = case.open_case(str(small_specimen), ["armenia_202012"])
    kinds = ["co_retweet", "co_hashtag"]
    table, nets = co.calibrate(c.primary, c.control, kind=kinds, return_edges=True)
    pd.testing.assert_frame_equal(nets["operation"], co.networks(c.primary, kinds=kinds))
    pd.testing.assert_frame_equal(nets["control"], co.networks(c.control, kinds=kinds))
    assert table.equals(co.calibrate(c.primary, c.control, kind=kinds))
