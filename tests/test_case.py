"""The case layer, and papermill re-runs whose findings must equal the library's results."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casebook import (
    accounts,
    activity,
    case,
    catalogue,
    claims,
    content,
    coordination,
    evidence,
    load_release,
    paths,
    report,
)
from casebook.case import CoordinationResult
from casebook.errors import CasebookError, ParameterError
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


def test_a_copy_of_a_dataset_is_refused_not_counted_twice(small_specimen: Path,
                                                          tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(small_specimen / "GRU_202012", data / "GRU_202012")
    shutil.copytree(small_specimen / "GRU_202012", data / "GRU_backup")
    shutil.copytree(small_specimen / "control", data / "control")
    with pytest.raises(ParameterError, match="datasets GRU_202012 and GRU_backup hold the "
                                             "same files"):
        case.open_case(str(data), ["GRU_202012", "GRU_backup"])
    with pytest.raises(ParameterError, match="GRU_202012 and GRU_backup hold the same files"):
        case.open_case(str(data), ["GRU_202012"], control="GRU_backup")
    # one of them, against its control: opened
    assert list(case.open_case(str(data), ["GRU_backup"]).releases) == ["GRU_backup"]


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
    # user rows and accounts with tweets are two counts (GRU: 70 rows, 51 with tweets)
    assert m.loc["armenia_202012", "accounts"] == len(arm.users)
    assert m.loc["armenia_202012", "accounts with tweets"] == arm.tweets["userid"].nunique()
    gru = c.releases["GRU_202012"]
    assert m.loc["GRU_202012", "accounts with tweets"] == gru.tweets["userid"].nunique() < len(gru.users)
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
    assert m.loc["armenia_202012", "time zone verdict"] == tz["verdict"]
    assert tz["range_low"] <= 4.0 <= tz["range_high"]
    confidence = "time zone confidence (share of resamples)"
    assert m.loc["armenia_202012", confidence] == round(tz["confidence"], 2)
    # against a control cohort keeping the same office hours (the release itself), the
    # rhythm tells nothing apart
    same = case.metrics({"armenia_202012": arm}, control=arm).iloc[0]
    assert same["time zone verdict"] == "not distinctive"
    assert same["operator time zone"].endswith("(not distinctive: ordinary accounts keep the "
                                               "same hours)")


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
    offset = activity.utc_offset_by_week(rel.tweets, [defaults["workweek"], "mon-fri"], seed=seed,
                                         control=None if ctl is None else ctl.tweets)
    return case.headline_findings(rel, ledger=ledger, coordination=coord, offset=offset,
                                  control=ctl)


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


def test_a_release_against_itself_as_control_flags_the_same_accounts(
        small_specimen: Path) -> None:
    # the control is flagged by the same rules at the same thresholds: given the release
    # itself, it flags exactly the coordinated accounts, and the count is not distinctive
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    # a control may flag up to half its accounts here, or no threshold would let any of
    # these accounts through
    res = case.coordination_analysis(c.primary, c.primary, seed=3, cache=False, control_fpr=0.5)
    assert len(res.communities)
    assert set(res.control_flagged["userid"]) == set(res.communities["userid"])
    assert res.calibrated.control_accounts == c.primary.tweets["userid"].nunique()
    assert res.verdict() in (evidence.NOT_DISTINCTIVE, evidence.NOT_SUPPORTED)
    assert "not distinguishable from ordinary accounts" in res.strength()
    # against the specimen's ordinary accounts the planted network stands out
    real = case.coordination_analysis(c.primary, c.control, seed=3, cache=False)
    assert real.verdict() == evidence.SUPPORTED
    assert set(real.control_flagged["userid"]) <= set(c.control.tweets["userid"])


def _counted(coordinated: int, accounts: int, null: list[int], control: tuple[int, int] | None,
             status: tuple[str, ...] = ("ok", "ok")) -> CoordinationResult:
    """A result with ``coordinated`` of ``accounts`` accounts in communities, its
    replicates' counts and ``control`` (flagged, accounts)."""
    class Cal:
        group_edges = None
        control_flagged = (None if control is None else
                           pd.DataFrame({"userid": [f"c{i}" for i in range(control[0])]}))
        control_accounts = None if control is None else control[1]

    calib = pd.DataFrame({"cohort": "operation", "kind": [f"k{i}" for i in range(len(status))],
                          "status": list(status), "accounts": accounts})
    comms = pd.DataFrame({"userid": [f"a{i}" for i in range(coordinated)], "community": 0,
                          "community_size": coordinated})
    e = pd.DataFrame(columns=["source", "target", "weight", "kind"])
    return CoordinationResult(calib, e, e, comms, pd.DataFrame(),
                              null_counts=np.array(null), calibrated=Cal())


def test_the_coordinated_count_is_judged_against_chance_and_ordinary_accounts() -> None:
    low = [0, 1, 2] * 7
    # six of 400 against none of 400 ordinary accounts: above chance, yet two samples
    # of ordinary accounts give such counts
    ordinary = _counted(6, 400, low, (0, 400))
    assert ordinary.verdict() == evidence.NOT_DISTINCTIVE
    assert "at least 0.7 times theirs for cohorts of these sizes" in ordinary.strength()
    assert "not distinguishable from ordinary accounts" in ordinary.strength()
    planted = _counted(84, 238, low, (2, 400))
    assert planted.verdict() == evidence.SUPPORTED
    assert "84 of 238 accounts (35.3%) against 2 of 400 ordinary accounts" in planted.strength()
    assert case._coordination_finding(planted)["value"] == "84 accounts in 1 communities (supported)"
    assert _counted(84, 238, [90] * 21, (2, 400)).verdict() == evidence.NOT_SUPPORTED
    alone = _counted(84, 238, low, None)
    assert alone.verdict() == evidence.INCONCLUSIVE
    assert "not compared with ordinary accounts (no control cohort)" in alone.strength()
    # none found while half the kinds could link no one: nothing can be said
    thin = _counted(0, 20, low, (0, 400), status=("ok", evidence.INSUFFICIENT))
    assert thin.verdict() == evidence.INSUFFICIENT == thin.strength()
    some = _counted(5, 200, low, (0, 400), status=("ok", "ok", evidence.INSUFFICIENT))
    assert some.strength().endswith("; insufficient data for 1 of 3 kinds (k2)")


def test_the_concentration_row_says_what_ordinary_accounts_give(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    ledger = claims.evaluate_claims(c.primary, "armenia")
    top = accounts.top_accounts(c.control, n=1)
    row = case.headline_findings(c.primary, ledger=ledger, control=c.control).set_index(
        "finding").loc["Largest account's share of tweets"]
    n = c.control.tweets["userid"].nunique()
    assert (f"ordinary accounts (control): their most active account posted "
            f"{float(top['share'].iloc[0]):.1%} of their tweets, in a cohort of {n:,} "
            f"accounts") in row["detail"]
    # and among as many of them as the release has, the size its own share is taken at
    m = c.primary.tweets["userid"].nunique()
    at = accounts.top_share_at_size(c.control.tweets, m).iloc[0]
    assert f"among {m:,} of them, as many as post here, a median {at['median']:.1%}" \
        in row["detail"]
    # and says in words whether that tells the release apart
    share = float(accounts.top_accounts(c.primary, n=1)["share"].iloc[0])
    assert f"; this release's is {evidence.contrast_words(share, float(at['median']))}" \
        in row["detail"]
    # the side-by-side table gives the same number in a column of its own
    table = case.metrics(c.releases, control=c.control).iloc[0]
    assert table["ordinary top account share at this size"] == round(float(at["median"]), 3)
    assert "ordinary top account share at this size" not in case.metrics(c.releases)
    alone = case.headline_findings(c.primary, ledger=ledger).set_index("finding")
    assert "no control cohort to set it beside" in alone.loc["Largest account's share of tweets",
                                                            "detail"]


def test_insufficient_data_is_said() -> None:
    tweets = make_tweets([{"userid": "a", "tweet_time": "2020-01-01 00:00"},
                          {"userid": "b", "tweet_time": "2020-02-01 00:00"}])
    rel = Release("tiny", tweets, pd.DataFrame({"userid": ["a", "b"]}), pd.DataFrame(),
                  pd.DataFrame())
    res = case.coordination_analysis(rel, None, n_null=2)
    assert res.strength() == evidence.INSUFFICIENT
    assert case._coordination_finding(res)["value"] == evidence.INSUFFICIENT
    # read back, with no community, no control and empty tables, it says the same
    again = case.coordination_analysis(rel, None, n_null=2)
    assert again.cached and again.control_edges is None and again.summary.empty
    assert case._coordination_finding(again)["value"] == evidence.INSUFFICIENT


def test_coordination_shows_a_progress_bar_only_where_it_is_wanted(
        capsys: pytest.CaptureFixture[str]) -> None:
    tweets = make_tweets([{"userid": u, "tweet_time": f"2020-01-0{d} 00:0{m}"}
                          for u in "abc" for d in (1, 2) for m in (0, 1)])
    rel = Release("tiny", tweets, pd.DataFrame({"userid": list("abc")}), pd.DataFrame(),
                  pd.DataFrame())
    quiet = case.coordination_analysis(rel, None, n_null=2, cache=False)
    assert "coordination" not in capsys.readouterr().err  # pytest is no live kernel
    shown = case.coordination_analysis(rel, None, n_null=2, cache=False, progress=True)
    err = capsys.readouterr().err
    steps = coordination.calibration_steps(coordination.DEFAULT_KINDS, 2, control=False) + 1
    assert "coordination: 100%" in err and f"{steps}/{steps}" in err
    assert "communities" in err  # the last step names itself
    pd.testing.assert_frame_equal(shown.thresholds(), quiet.thresholds())


def _tiny_release() -> Release:
    tweets = make_tweets([{"userid": u, "tweet_time": f"2020-01-0{d} 00:0{m}"}
                          for u in "abc" for d in (1, 2) for m in (0, 1)])
    return Release("tiny", tweets, pd.DataFrame({"userid": list("abc")}), pd.DataFrame(),
                   pd.DataFrame())


def test_coordination_started_early_is_computed_once_on_its_own_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rel = _tiny_release()
    compute, threads, sizes = case._coordination_analysis, [], []

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        sizes.append(len(args[0].tweets))
        return compute(*args, **kwargs)

    monkeypatch.setattr(case, "_coordination_analysis", recorded)
    assert case.start_coordination(rel, None, background=True, n_null=2, cache=False)
    early = case.coordination_analysis(rel, None, n_null=2, cache=False)
    assert threads == ["casebook-coordination"]  # the waiting call computed nothing
    assert not case._EARLY  # taken: a second call computes its own
    again = case.coordination_analysis(rel, None, n_null=2, cache=False)
    assert threads == ["casebook-coordination", "MainThread"]
    pd.testing.assert_frame_equal(early.thresholds(), again.thresholds())
    pd.testing.assert_frame_equal(early.edges, again.edges)
    # other options than those started: computed here, and the started one is left
    assert case.start_coordination(rel, None, background=True, n_null=2, cache=False)
    case.coordination_analysis(rel, None, n_null=3, cache=False)
    assert threads[-1] == "MainThread" and len(case._EARLY) == 1
    case.coordination_analysis(rel, None, n_null=2, cache=False)  # takes it
    assert not case._EARLY
    # a table replaced after the start: the section of the tables now is computed here
    assert case.start_coordination(rel, None, background=True, n_null=2, cache=False)
    rel.tweets = rel.tweets.iloc[:-2].copy()
    case.coordination_analysis(rel, None, n_null=2, cache=False)
    assert threads[-1] == "MainThread" and sizes[-1] == len(rel.tweets) == sizes[0] - 2
    assert len(case._EARLY) == 1
    case._EARLY.clear()


def test_coordination_started_early_raises_its_error_where_it_is_awaited(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rel = _tiny_release()
    compute, threads = case._coordination_analysis, []

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return compute(*args, **kwargs)

    monkeypatch.setattr(case, "_coordination_analysis", recorded)
    assert case.start_coordination(rel, None, background=True, kinds=["co_nothing"], cache=False)
    with pytest.raises(CasebookError, match="co_nothing"):
        case.coordination_analysis(rel, None, kinds=["co_nothing"], cache=False)
    assert threads == ["casebook-coordination"] and not case._EARLY  # the thread's error
    with pytest.raises(CasebookError, match="not n_nul"):
        case.start_coordination(rel, None, n_nul=2)
    with pytest.raises(CasebookError, match="not progress"):
        case.start_coordination(rel, None, progress=True)


def test_coordination_starts_early_only_in_a_report_run_with_memory_to_spare(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rel = _tiny_release()
    monkeypatch.setattr("casebook.widgets.static_mode", lambda: True)
    monkeypatch.setattr("casebook._memory.available_memory", lambda: 10**12)
    monkeypatch.setenv("CASEBOOK_THREADS", "2")  # two cores, whatever this machine has
    assert case._worth_starting(rel, None)
    monkeypatch.setenv("CASEBOOK_THREADS", "1")  # one: no spare core to start it on
    assert not case._worth_starting(rel, None)
    monkeypatch.setenv("CASEBOOK_THREADS", "2")
    tweets = len(rel.tweets)
    need = 2 * case.COORDINATION_BYTES_PER_TWEET * tweets
    monkeypatch.setattr("casebook._memory.available_memory", lambda: need - 1)
    assert not case._worth_starting(rel, None)
    monkeypatch.setattr("casebook._memory.available_memory", lambda: need)
    assert case._worth_starting(rel, None)
    assert not case._worth_starting(rel, rel)  # the control's tweets count too
    monkeypatch.setattr("casebook._memory.available_memory", lambda: None)  # not known: not started
    assert not case._worth_starting(rel, None)
    monkeypatch.setattr("casebook._memory.available_memory", lambda: 10**12)
    monkeypatch.setattr("casebook.widgets.static_mode", lambda: False)  # live JupyterLab
    assert not case._worth_starting(rel, None)
    assert not case.start_coordination(rel, None, n_null=2) and not case._EARLY


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
    # measured (issue 11): Iran's weak-tie groups (2-3 events spread over two minutes,
    # every pair at chance level) are recovered by the group rule
    # (casebook.coordination.groups): recall 1.00 on this seed and on 11, 77, 303, 2025
    # and the default; the shuffled count stays within 6% (Armenia within 10%)
    "iran_202012",
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


# --------------------------------------------------------------------------- any release


def write_release(folder: Path, name: str, *, accounts: int = 8, tweets: int = 160,
                  seed: int = 0, file: str | None = None) -> Path:
    """A small release in the archive format: ``<folder>/<name>_tweets_csv_hashed.csv``
    (or ``file``), hashed accounts tweeting over six weeks, some retweeting the same tweet
    in the same minute. Returns the folder."""
    import base64
    import hashlib

    from casebook.schema import ARCHIVE_TWEET_COLUMNS
    from tests.conftest import tweet_row

    def archive_bytes(rows: list[list[str]]) -> bytes:
        from tests.conftest import archive_bytes as write

        return write(rows, ARCHIVE_TWEET_COLUMNS)

    rng = np.random.default_rng(seed)
    users = [base64.b64encode(hashlib.sha256(f"{name}{a}{seed}".encode()).digest()).decode()
             for a in range(accounts)]
    start = pd.Timestamp("2021-03-01 06:00")
    rows = []
    for i in range(tweets):
        a = int(rng.integers(accounts))
        when = start + pd.Timedelta(minutes=int(i * 397 + rng.integers(60)))
        burst = i % 10 < 3  # three accounts retweet the same tweet in the same minute
        if burst:
            a, when = i % 10, start + pd.Timedelta(days=i // 10, hours=9)
        user = users[a]
        rows.append(tweet_row(
            tweetid=str(1_370_000_000_000_000_000 + i), userid=user, user_display_name=user,
            user_screen_name=user, follower_count=str(20 + 7 * a), following_count=str(90 + a),
            account_creation_date=f"2020-{1 + a % 12:02d}-15", tweet_language="en",
            tweet_text=(f"RT @source: bulletin {i // 10}" if burst else f"post {i} #tag{i % 4}"),
            tweet_time=when.strftime("%Y-%m-%d %H:%M"),
            tweet_client_name="Twitter Web App" if a % 2 else "Twitter for Android",
            is_retweet="true" if burst else "false",
            retweet_userid="c291cmNl" if burst else "",
            retweet_tweetid=str(1_360_000_000_000_000_000 + i // 10) if burst else "",
            hashtags="[]" if burst else f"['tag{i % 4}']",
            like_count="0" if burst else str(int(rng.integers(4)))))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (file or f"{name}_tweets_csv_hashed.csv")).write_bytes(archive_bytes(rows))
    return folder


#: Words that name the built-in cases' operations: a report on another release says none.
OTHER_OPERATIONS = re.compile(r"(?i)\b(iran\w*|gru\w*|ira(_\w+)?|armenia\w*|russia\w*|nato|"
                              r"debate|azerbaijan\w*)\b")


@pytest.fixture(scope="module")
def releases_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("releases")
    write_release(root / "TINY_0621", "TINY_0621", seed=1)
    write_release(root / "OTHER_0621", "OTHER_0621", seed=2, accounts=5, tweets=90)
    write_release(root / "control", "control", seed=3, accounts=12, tweets=200)
    return root


def test_find_releases_in_a_folder_of_releases_and_in_one(releases_folder: Path, tmp_path: Path) -> None:
    assert case.find_releases(releases_folder) == ["OTHER_0621", "TINY_0621"]  # not control
    assert case.find_releases(releases_folder / "TINY_0621") == ["TINY_0621"]
    # files of two releases side by side are two releases; no name at all: the folder's
    mixed = tmp_path / "mixed"
    write_release(mixed, "B_0621", file="B_0621_tweets_csv_hashed_2020.csv")
    write_release(mixed, "A_0621", seed=4, file="a_0621_2020_excerpt.csv")
    assert case.find_releases(mixed) == ["B_0621", "a_0621"]
    write_release(tmp_path / "mine", "x", file="tweets.csv")
    assert case.find_releases(tmp_path / "mine") == ["mine"]
    with pytest.raises(FileNotFoundError):
        case.find_releases(tmp_path / "nope")


def test_open_case_without_datasets_reads_the_first_release(releases_folder: Path) -> None:
    c = case.open_case(str(releases_folder), [])
    assert list(c.releases) == ["OTHER_0621"] and c.absent == []
    assert c.control_name == "control"
    # the note counts the other releases without naming them (a report names its own)
    assert c.notes == ["The data folder holds 2 releases; this report is on the first in "
                       "name order, OTHER_0621 (-p datasets '[NAME]' chooses another)."]
    one = case.open_case(str(releases_folder / "TINY_0621"), [])
    assert list(one.releases) == ["TINY_0621"] and one.notes == []


def test_a_release_among_others_loads_only_its_own_files(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    write_release(mixed, "B_0621", tweets=70, file="B_0621_tweets_csv_hashed_2020.csv")
    write_release(mixed, "A_0621", tweets=40, seed=4, file="A_0621_tweets_csv_hashed_2020.csv")
    c = case.open_case(str(mixed), ["A_0621"], control=None)
    assert len(c.primary.tweets) == 40 and c.primary.name == "A_0621"


def test_release_intro_names_its_release_only_and_escapes_it(releases_folder: Path) -> None:
    c = case.open_case(str(releases_folder), ["TINY_0621"])
    intro = case.release_intro(c)
    assert case.release_title(c) == "Release · TINY_0621"
    assert intro.html.count("<h1>") == 1 and "<h1>Release · TINY_0621</h1>" in intro.html
    assert intro.text.startswith("Release · TINY_0621\n")
    assert "TINY_0621 holds" in intro.text and "160 tweets" in intro.text
    assert "whether this data is the whole release or a sample of it cannot be told" in intro.text
    assert "No claims were given for this release" in intro.text
    assert not OTHER_OPERATIONS.search(intro.text), OTHER_OPERATIONS.search(intro.text)
    assert "mathjax_ignore" in intro.html  # $...$ in a name is never typeset
    # a hostile name: escaped, its bidi override shown, never markup
    hostile = "<img src=x onerror=alert(1)>\u202eevil$x$"
    c.releases = {hostile: c.primary}
    intro = case.release_intro(c, claims_file="/somewhere/my <b>claims.yaml")
    assert "<img" not in intro.html and "<b>" not in intro.html
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;U+202E&gt;evil$x$" in intro.html
    assert "\u202e" not in intro.html and "/somewhere" not in intro.text
    assert "Claims tested: those of my <b>claims.yaml (section 6)." in intro.text


def test_release_intro_says_what_the_catalogue_knows(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["GRU_202012"])
    text = case.release_intro(c).text
    assert text.startswith("Release · GRU_202012\n")
    assert "GRU_202012 was disclosed on 2021-02-23" in text and "attributed to Russia" in text
    cover = catalogue.coverage(c.primary)
    assert f"This data is all of it at the specimen's scale: {cover.describe()}." in text


def test_overview_title_follows_its_datasets(small_specimen: Path, releases_folder: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012", "GRU_202012", "iran_202012"])
    assert case.overview_title(c) == ("Overview · Two state-linked networks from the February "
                                      "2021 disclosure, side by side: armenia_202012 and "
                                      "GRU_202012")
    intro = case.overview_intro(c)
    assert "Not found in the data folder: iran_202012." in intro.text
    other = case.open_case(str(releases_folder), ["TINY_0621", "OTHER_0621"])
    assert case.overview_title(other) == "Overview · Two networks, side by side: TINY_0621 and OTHER_0621"
    intro = case.overview_intro(other)
    assert intro.html.count("<h1>") == 1 and not OTHER_OPERATIONS.search(intro.text)
    assert "February" not in intro.text


def test_ledger_skips_releases_without_claims(small_specimen: Path, releases_folder: Path,
                                             tmp_path: Path) -> None:
    c = case.open_case(str(small_specimen), ["GRU_202012"])
    c.releases["REA_0621"] = load_release(write_release(tmp_path / "REA_0621", "REA_0621"))
    led = c.ledger()
    assert set(led["dataset"]) == {"GRU_202012"} and c.unclaimed == ["REA_0621"]
    findings = case.overview_findings(c, ledger=led).set_index("finding")
    assert findings.loc["Claims tested", "detail"].endswith("no claims known for REA_0621")
    shown = case.show_ledger(led, unclaimed=c.unclaimed)
    assert "No claims are known for REA_0621: it is left out of the ledger." in shown.text
    # no dataset with claims: an empty ledger, said in words
    only = case.open_case(str(releases_folder), ["TINY_0621", "OTHER_0621"])
    led = only.ledger()
    assert led.empty and list(led.columns) == ["dataset", *claims.LEDGER_COLUMNS]
    assert only.unclaimed == ["TINY_0621", "OTHER_0621"]
    assert case.overview_findings(only, ledger=led).iloc[-1]["value"] == "0"
    assert case.show_ledger(led, unclaimed=only.unclaimed).text == (
        "No claims are known for TINY_0621 and OTHER_0621: they are left out of the ledger.")


def test_overview_findings_tally_claims_by_type_and_judge_coordination(
        small_specimen: Path) -> None:
    # "supported" on a descriptive claim only says the release meets its rule: the tally
    # keeps distinctive and descriptive claims apart
    c = case.open_case(str(small_specimen), ["GRU_202012"])
    led = c.ledger()
    coord = pd.DataFrame({"dataset": ["GRU_202012"], "coordinated accounts": [17],
                          "of them by hashtags or domains only": [3],
                          "verdict": [evidence.NOT_DISTINCTIVE],
                          "against chance and ordinary accounts": ["the words"]})
    found = case.overview_findings(c, ledger=led, coordination=coord).set_index("finding")
    tally = found.loc["Claims tested", "detail"]
    kinds = led["claim_type"].value_counts()
    for kind in kinds.index:
        assert f"{kind}: " in tally
    assert tally.index("distinctive: ") < tally.index("descriptive: ")
    n = int((led["verdict"] == evidence.SUPPORTED).sum())
    assert sum(int(w.split()[0]) for part in tally.split("; ") for w in
               part.split(": ", 1)[1].split(", ") if w.endswith(" supported")) == n
    detail = found.loc["GRU_202012", "detail"]
    assert "17 coordinated accounts (not distinctive: the words), 3 of them linked only by " \
        "hashtags or domains" in detail
    # ordinary accounts at this release's size: the top share falls as a cohort grows
    assert "(ordinary accounts' most active among " in detail and "a median " in detail
    assert detail.count("not distinctive") >= 1 or "distinguishable from ordinary" in detail


def test_release_ledger_without_a_claims_file_says_none_was_given(releases_folder: Path) -> None:
    c = case.open_case(str(releases_folder), ["TINY_0621"])
    led = case.release_ledger(c, "")
    assert led.empty and list(led.columns) == list(claims.LEDGER_COLUMNS)
    assert case.show_ledger(led).text.startswith("No claims were given for this release")
    f = case.headline_findings(c.primary, ledger=led)
    assert not f["finding"].str.startswith("Claim:").any()


def test_release_ledger_tests_the_claims_of_a_file(releases_folder: Path) -> None:
    if not hasattr(claims, "load_claims"):
        pytest.skip("casebook.claims.load_claims (claims files) is not there yet")
    example = paths.params_dir() / "claims" / "example.yaml"
    if not example.is_file():
        pytest.skip(f"no example claims file at {example}")
    c = case.open_case(str(releases_folder), ["TINY_0621"])
    led = case.release_ledger(c, example)
    assert [r for r in led["id"]] == [cl.id for cl in claims.load_claims(example)]
    assert led["verdict"].isin(claims.VERDICTS).all()
    shown = case.show_ledger(led, claims_file=example)
    assert "<table" in shown.html and "No claims" not in shown.text


def test_the_case_draws_the_edges_its_communities_stand_on() -> None:
    """``linked`` holds the group rule's edges beside the strong ones, so every member of
    every community has an edge in it (the figure shows the table's communities)."""
    strong = pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [3], "kind": ["co_retweet"]})
    groups = pd.DataFrame({"source": ["b", "c"], "target": ["c", "a"], "weight": [2, 2],
                           "kind": ["co_group", "co_group"]})

    class Cal:
        group_edges = groups

    result = CoordinationResult(pd.DataFrame(), strong, strong, pd.DataFrame(), pd.DataFrame(),
                                calibrated=Cal())
    assert set(result.linked["kind"]) == {"co_retweet", "co_group"} and len(result.linked) == 3
    Cal.group_edges = groups.iloc[:0]
    assert result.linked is strong


def test_a_time_zone_on_another_working_week_says_what_it_assumes(monkeypatch) -> None:
    """A zone found on the attributed country's Sat-Wed week is labelled with that week,
    and the findings say what a Monday-to-Friday week gives on the same tweets."""
    iran = load_release(paths.specimen_dir() / "iran_202012")
    sat_wed = activity.infer_utc_offset(iran.tweets, workweek="sat-wed")
    mon_fri = activity.infer_utc_offset(iran.tweets).iloc[0]
    o = sat_wed.iloc[0]
    assert o["verdict"] == "supported" and case.zone_label(o) == f"{o['label']} (on a Sat-Wed week)"
    assert case.zone_label(mon_fri) == mon_fri["label"]  # the default week: nothing assumed
    f = case.headline_findings(iran, ledger=pd.DataFrame(columns=["claim", "verdict", "evidence"]),
                               offset=sat_wed).set_index("finding")
    detail = f.loc["Operator time zone (inferred)", "detail"]
    assert f.loc["Operator time zone (inferred)", "value"] == case.zone_label(o)
    assert "is an assumption" in detail
    assert f"on a Mon-Fri week the same tweets give: {mon_fri['label']} ({mon_fri['verdict']})" in detail
    assert "share of bootstrap resamples" in detail
    # the confidence as every table shows it: a percentage (not "1.00" here, "1" there)
    assert f"confidence {o['confidence']:.1%} (the share" in detail
    # given both weeks (as the notebook computes them), the Mon-Fri row is used, not redone
    both = activity.utc_offset_by_week(iran.tweets, ["sat-wed", "mon-fri"])
    monkeypatch.setattr(activity, "utc_offset_by_week", None)
    again = case.headline_findings(iran, ledger=pd.DataFrame(columns=["claim", "verdict", "evidence"]),
                                   offset=both).set_index("finding")
    assert again.loc["Operator time zone (inferred)", "detail"] == detail
    # the side-by-side metrics say the same: the zone, what Mon-Fri gives, the verdict
    monkeypatch.undo()
    m = case.metrics({"iran_202012": iran}).iloc[0]
    assert m["operator time zone"] == case.zone_label(o, other=mon_fri)
    assert m["operator time zone"].endswith(f"; on Mon-Fri: {mon_fri['label']}"
                                            + ("" if mon_fri["label"] == mon_fri["verdict"]
                                               else f" ({mon_fri['verdict']})") + ")")
    assert m["time zone verdict"] == o["verdict"]


def test_the_headline_counts_accounts_linked_only_by_topics_apart() -> None:
    """Each member's most specific link: a retweet beats a group, a group beats a hashtag;
    the headline says how many members a shared hashtag or domain alone ties in."""
    e = pd.DataFrame({"source": ["a", "c", "d", "e"], "target": ["b", "d", "e", "f"],
                      "weight": [3, 9, 9, 4],
                      "kind": ["co_retweet", "co_hashtag", "co_domain", "co_hashtag"]})
    groups = pd.DataFrame({"source": ["b"], "target": ["f"], "weight": [3], "kind": ["co_group"]})

    class Cal:
        group_edges = groups

    comms = pd.DataFrame({"userid": list("abcdef"), "community": [0, 0, 1, 1, 1, 0],
                          "community_size": [3, 3, 3, 3, 3, 3]})
    calib = pd.DataFrame({"cohort": ["operation"], "kind": ["co_retweet"]})
    result = CoordinationResult(calib, e, e, comms, pd.DataFrame(), calibrated=Cal())
    assert result.binding().to_dict() == {"a": "co_retweet", "b": "co_retweet", "c": "co_hashtag",
                                          "d": "co_domain", "e": "co_domain", "f": "co_group"}
    row = case._coordination_finding(result)
    assert row["value"].startswith("6 accounts in 2 communities (inconclusive), 3 of them "
                                   "linked only by hashtags or domains used in the same minutes")
    # the notebooks' caption of the communities' table is the same line, never the bare count
    assert result.headline() == row["value"]
    assert "most specific link per account: co_retweet 2, co_domain 2, co_hashtag 1, co_group 1" \
        in row["detail"]


# --------------------------------------------------------------------------- kept results


def _same_result(a: CoordinationResult, b: CoordinationResult) -> None:
    """Every table, value and list of ``b`` as in ``a`` (types of list values included)."""
    for name in ("calibration", "edges", "strong", "communities", "summary", "control_edges",
                 "combined", "combined_pairs", "linked"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    for name in ("groups", "group_trios", "group_edges"):
        pd.testing.assert_frame_equal(getattr(a.calibrated, name), getattr(b.calibrated, name))
    pd.testing.assert_series_equal(a.calibrated.activity, b.calibrated.activity)
    assert (a.calibrated.thresholds, a.calibrated.by_activity, a.calibrated.n_null) == (
        b.calibrated.thresholds, b.calibrated.by_activity, b.calibrated.n_null)
    np.testing.assert_array_equal(a.null_counts, b.null_counts)
    assert a.null_counts.dtype == b.null_counts.dtype
    pd.testing.assert_frame_equal(a.control_flagged, b.control_flagged)
    assert a.calibrated.control_accounts == b.calibrated.control_accounts
    for col in a.summary.columns:
        assert [type(v) for v in a.summary[col]] == [type(v) for v in b.summary[col]], col
    assert a.strength() == b.strength() and repr(a.summary) == repr(b.summary)


def test_a_rerun_reads_the_coordination_result_back(small_specimen: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from casebook import coordination

    c = case.open_case(str(small_specimen), ["armenia_202012"])
    first = case.coordination_analysis(c.primary, c.control, seed=3)
    assert not first.cached and len(first.communities) and len(first.summary)
    assert any(isinstance(v, list) for v in first.summary["binding_kinds"])

    def computed(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(coordination, "calibrated_thresholds", computed)
    # the same content in a new kernel: the tables loaded again
    again = case.open_case(str(small_specimen), ["armenia_202012"])
    second = case.coordination_analysis(again.primary, again.control, seed=3)
    assert second.cached
    _same_result(first, second)
    # another parameter, another table's content or no cache: computed
    for call in (lambda: case.coordination_analysis(again.primary, again.control, seed=4),
                 lambda: case.coordination_analysis(
                     dataclasses.replace(again.primary, tweets=again.primary.tweets.iloc[1:]),
                     again.control, seed=3),
                 lambda: case.coordination_analysis(again.primary, again.control, seed=3,
                                                    cache=False)):
        with pytest.raises(AssertionError, match="computed again"):
            call()


def test_a_constant_changed_at_run_time_misses(small_specimen: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from casebook.coordination import calibration

    c = case.open_case(str(small_specimen), ["armenia_202012"])
    case.coordination_analysis(c.primary, c.control, seed=3)
    monkeypatch.setattr(calibration, "MIN_GROUP_BURSTS", calibration.MIN_GROUP_BURSTS + 1)
    assert not case.coordination_analysis(c.primary, c.control, seed=3).cached


def test_a_damaged_kept_result_is_computed_again(small_specimen: Path) -> None:
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    first = case.coordination_analysis(c.primary, c.control, seed=3)
    (entry,) = (paths.cache_dir() / "results").glob("coordination-*")
    # a table replaced by another valid Parquet file, then the record itself damaged
    strong = entry / "strong.parquet"
    first.strong.head(1).to_parquet(strong)
    again = case.coordination_analysis(c.primary, c.control, seed=3)
    assert not again.cached
    _same_result(first, again)
    assert case.coordination_analysis(c.primary, c.control, seed=3).cached  # written again
    (entry / "meta.json").write_text("{not json", encoding="utf-8")
    assert not case.coordination_analysis(c.primary, c.control, seed=3).cached
    # kept without the control's flagged accounts (by older code): not a result to use
    tables, values = case._coordination_parts(first)
    assert case._coordination_from(tables, values) is not None
    assert case._coordination_from({**tables, "control_flagged": None}, values) is None


def test_a_cache_that_cannot_be_written_only_warns(small_specimen: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CASEBOOK_CACHE_DIR", str(blocker))
    c = case.open_case(str(small_specimen), ["armenia_202012"])
    with pytest.warns(UserWarning, match="could not keep the coordination result"):
        res = case.coordination_analysis(c.primary, c.control, seed=3)
    assert not res.cached and len(res.communities)
    assert blocker.read_text(encoding="utf-8") == "not a folder"
