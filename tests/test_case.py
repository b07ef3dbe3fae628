"""The case layer, and papermill re-runs whose findings must equal the library's results."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casebook import accounts, activity, case, claims, content, evidence, load_release, report
from casebook.loader import Release
from casebook.runner import run_cases
from casebook.specimen import write_specimen
from tests._frames import make_tweets
from tests.conftest import notebook_defaults


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
    # planted in the specimen: over 90% through scheduling and multi-account tools
    assert m.loc["armenia_202012", "automated share, management tools counted"] >= 0.9
    assert m.loc["armenia_202012", "automated share"] == round(
        content.automated_share(arm.tweets), 3) < 0.9
    assert m.loc["GRU_202012", "automated share"] < 0.05
    # the planted UTC+04:00 lies in the range the working-day conventions allow
    tz = activity.infer_utc_offset(arm.tweets).iloc[0]
    assert m.loc["armenia_202012", "operator time zone"] == tz["label"]
    assert tz["range_low"] <= 4.0 <= tz["range_high"]
    assert m.loc["armenia_202012", "time zone confidence"] == round(tz["confidence"], 2)


def test_coordination_analysis_thresholds_and_communities(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    res = case.coordination_analysis(c.primary, c.control, window="1min")
    thr = res.thresholds().set_index("kind")
    assert (thr["control share flagged"] <= 0.01).all()
    # every strong edge reaches its threshold: its kind's at its pair's activity stratum,
    # never above the kind's largest
    needed = res.calibrated.needed(res.strong)
    assert (res.strong["weight"].to_numpy() >= needed).all()
    largest = res.strong["kind"].astype(object).map(thr["threshold (tweets)"]).astype(float)
    assert (needed <= largest.to_numpy()).all()
    weak = res.edges[res.edges["weight"].to_numpy() < res.calibrated.needed(res.edges)]
    assert weak.merge(res.strong, how="inner").empty
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
    """The findings computed directly with the library, as the notebook should (with the
    notebook's default lexicons and working week)."""
    defaults = notebook_defaults(operation)
    rel = load_release(folder, on_bad_rows="report", name=folder.name)
    ctl = load_release(control, on_bad_rows="report", name="control") if control else None
    ledger = claims.evaluate_claims(rel, None, control=ctl, lexicons=defaults["lexicons"],
                                    **claim_params)
    coord = case.coordination_analysis(rel, ctl, window="1min", control_fpr=0.01, seed=seed)
    offset = activity.infer_utc_offset(rel.tweets, workweek=defaults["workweek"], seed=seed)
    return case.headline_findings(rel, ledger=ledger, coordination=coord, offset=offset)


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
    fig.canvas.draw()
    ax = [a for a in fig.axes if a.get_visible()][0]
    shares = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "UTC" in ax.get_xlabel() and shares and all(t.endswith("%") for t in shares)
    ax = case.plot_client_mix(c.releases)
    ax.figure.canvas.draw()
    shares = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ax.get_title() == "Tweets by client class" and all(t.endswith("%") for t in shares)
    mix = case.client_mix(c.releases)
    assert mix[list(content.CLIENT_CLASS_ORDER)].sum(axis=1).round(2).eq(1.0).all()


def test_calibrate_returns_the_same_edges_as_networks(small_specimen: Path) -> None:
    from casebook import coordination as co

    c = case.open_case(str(small_specimen), ["armenia_202012"])
    kinds = ["co_retweet", "co_hashtag"]
    table, nets = co.calibrate(c.primary, c.control, kind=kinds, return_edges=True)
    pd.testing.assert_frame_equal(nets["operation"], co.networks(c.primary, kinds=kinds))
    pd.testing.assert_frame_equal(nets["control"], co.networks(c.control, kinds=kinds))
    assert table.equals(co.calibrate(c.primary, c.control, kind=kinds))


def test_coordinated_accounts_finding_carries_its_strength(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    res = case.coordination_analysis(c.primary, c.control, n_null=19, seed=3)
    assert len(res.null_counts) == 19
    f = case.headline_findings(c.primary, ledger=claims.evaluate_claims(c.primary, "armenia"),
                               coordination=res).set_index("finding")
    row = f.loc["Coordinated accounts"]
    assert row["value"].startswith(f"{len(res.communities):,} accounts")
    words = evidence.strength_words(len(res.communities), res.null_counts, replicates="shuffles")
    assert row["detail"].startswith(words) and "thresholds from chance" in row["detail"]
    thr = res.thresholds().set_index("kind")
    assert {"threshold from", "chance share flagged", "control share flagged"} <= set(thr.columns)
    # without a null the finding says so instead of claiming a strength
    old = case.headline_findings(c.primary, ledger=claims.evaluate_claims(c.primary, "armenia"),
                                 communities=res.communities).set_index("finding")
    assert "not compared with chance" in old.loc["Coordinated accounts", "detail"]


def test_insufficient_data_is_said() -> None:
    tweets = make_tweets([{"userid": "a", "tweet_time": "2020-01-01 00:00"},
                          {"userid": "b", "tweet_time": "2020-02-01 00:00"}])
    rel = Release("tiny", tweets, pd.DataFrame({"userid": ["a", "b"]}), pd.DataFrame(),
                  pd.DataFrame())
    res = case.coordination_analysis(rel, None, n_null=2)
    assert res.strength() == evidence.INSUFFICIENT
    assert case._coordination_finding(res)["value"] == evidence.INSUFFICIENT


# used by no other test, not the specimen's default, and not among the seeds the
# thresholds were tuned on (5, 31, 47)
ACCEPTANCE_SEED = 2024
ACCEPTANCE_SCALE = 0.15  # the specimen's default scale


@pytest.fixture(scope="module")
def unseen_specimen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("specimen_unseen")
    write_specimen(out, seed=ACCEPTANCE_SEED, scale=ACCEPTANCE_SCALE,
                   datasets=["iran_202012", "armenia_202012", "control"])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("dataset", [
    # measured (issue 11): Iran's planted groups of 2-3 events in a 2-minute window are
    # recovered at 0.67 of their accounts on this seed (0.74-0.93 on six other unseen
    # seeds); the shuffled count stays within 10%
    pytest.param("iran_202012", marks=pytest.mark.xfail(
        strict=True, reason="Iran planted-group recall below 0.9 at scale 0.15 (0.67)")),
    "armenia_202012"])
def test_time_shuffle_removes_coordination_and_planted_groups_survive(
        unseen_specimen: Path, dataset: str) -> None:
    rel = load_release(unseen_specimen / dataset)
    ctl = load_release(unseen_specimen / "control")
    truth = json.loads((unseen_specimen / dataset / "ground_truth.json").read_text(encoding="utf-8"))
    planted = {a for g in truth["coordination_groups"] for a in g["accounts"]}
    real = case.coordination_analysis(rel, ctl)
    found = set(real.communities["userid"].astype(str))
    times = rel.tweets["tweet_time"].to_numpy()
    shuffled = dataclasses.replace(rel, tweets=rel.tweets.assign(
        tweet_time=times[np.random.default_rng(ACCEPTANCE_SEED).permutation(len(times))]))
    chance = case.coordination_analysis(shuffled, ctl)
    assert len(found & planted) / len(planted) >= 0.9
    assert len(chance.communities) <= 0.1 * len(real.communities)
