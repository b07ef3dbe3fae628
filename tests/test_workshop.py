"""Workshop: the answer checks, the specimen helper and the workshop notebooks."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from casebook import accounts, activity, catalogue, claims, coordination, paths, workshop

SCALE = 0.02  # a small specimen: every planted structure is still there
WORKSHOP = paths.notebooks_dir() / "workshop"
EXERCISES_NB = WORKSHOP / "01_exercises.ipynb"
SOLUTIONS_NB = WORKSHOP / "solutions" / "01_exercises_solutions.ipynb"
NOTEBOOKS = [WORKSHOP / "00_orientation.ipynb", EXERCISES_NB, SOLUTIONS_NB]


@pytest.fixture(scope="module")
def specimen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from casebook.specimen import write_specimen

    root = tmp_path_factory.mktemp("data") / "specimen"
    write_specimen(root, scale=SCALE)  # every dataset: the solutions load them all
    return root


@pytest.fixture(scope="module")
def releases(specimen: Path) -> dict:
    from casebook import load_release

    return {name: load_release(specimen / name, cache=False)
            for name in ("iran_202012", "armenia_202012", "GRU_202012", "control")}


def _grade(exercise: str, answer, specimen: Path) -> workshop.CheckResult:
    return workshop.grade(exercise, answer, specimen=specimen)


def _truth(specimen: Path, dataset: str) -> dict:
    return json.loads((specimen / dataset / "ground_truth.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- every exercise


def test_every_exercise_handles_no_answer() -> None:
    for exercise in workshop.EXERCISES:
        result = workshop.grade(exercise, None)  # needs no specimen
        assert result.status == "unanswered" and not result.right
        assert "Hint:" in result.message
    with pytest.raises(KeyError, match="choose from"):
        workshop.grade("no_such_exercise", 1)


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert workshop.check("top_account_share", None) is None
    out = capsys.readouterr().out
    assert out.startswith("[top_account_share] Not answered yet.")


def test_exercises_table_lists_every_id() -> None:
    assert workshop.exercises()["id"].tolist() == list(workshop.EXERCISES)


# --------------------------------------------------------------------------- debate accounts


def test_debate_accounts(specimen: Path, releases: dict) -> None:
    tweets = releases["iran_202012"].tweets
    active = activity.accounts_active_in(tweets, "2020-09-30 01:00", "2020-09-30 02:30")
    right = _grade("debate_accounts", active, specimen)
    assert right.right and "01:00-02:30" in right.message
    assert "other nights of the month" in right.message  # against the matched windows
    # ordinary accounts (the control cohort) on the same 90 minutes, with their numbers
    windows = claims.debate_windows(releases["control"].tweets, widen="0min")
    night = windows.loc[windows["debate"]].iloc[0]
    others = windows.loc[windows["covered"] & ~windows["debate"], "tweets"].mean()
    assert (f"in the control cohort {night['accounts']} accounts posted "
            f"{night['tweets']:,} tweets in those 90 minutes, against {others:.1f} tweets"
            in right.message), right.message
    assert f"(rate ratio {night['tweets'] / others:.1f}, against " in right.message
    # screen names work too, and a Series or a plain list
    names = tweets.drop_duplicates("userid").set_index("userid")["user_screen_name"]
    assert _grade("debate_accounts", list(names[active["userid"]]), specimen).right
    # half of them: recall too low, with a hint and without the answer
    half = _grade("debate_accounts", active["userid"].head(len(active) // 2), specimen)
    assert half.status == "wrong" and "recall" in half.message
    planted = set(_truth(specimen, "iran_202012")["planted"]["debate_accounts"])
    assert not any(uid in half.message for uid in planted)
    # the whole autumn: precision too low
    autumn = activity.accounts_active_in(tweets, "2020-09-01", "2020-11-30")
    assert len(autumn) > len(active) / 0.9
    wide = _grade("debate_accounts", autumn, specimen)
    assert wide.status == "wrong" and "precision" in wide.message
    # the US Eastern clock read as UTC finds (almost) nobody
    eastern = activity.accounts_active_in(tweets, "2020-09-29 21:00", "2020-09-29 22:30")
    assert not _grade("debate_accounts", eastern, specimen).right
    # not a collection, and names that are no account
    assert "collection" in _grade("debate_accounts", 42, specimen).message
    assert "not accounts" in _grade("debate_accounts", ["nobody", "@none"], specimen).message


# --------------------------------------------------------------------------- impersonators


def test_official_impersonators(specimen: Path, releases: dict) -> None:
    signals = accounts.persona_signals(releases["armenia_202012"].users)
    az = signals["claimed_place"].str.contains("Azerbaijan", na=False)
    officials = signals.loc[signals["official"] & az, "userid"]
    right = _grade("official_impersonators", officials, specimen)
    assert right.right and "foreign minister" in right.message
    personas = _truth(specimen, "armenia_202012")["planted"]["impersonator_accounts"]
    outlets = [p["account"] for p in personas if p["persona"] == "news_outlet"]
    outlets = [a[0] if isinstance(a, list) else a for a in outlets]
    with_outlets = _grade("official_impersonators", [*officials, *outlets], specimen)
    assert with_outlets.status == "wrong" and "news outlets" in with_outlets.message
    one = _grade("official_impersonators", officials.head(1), specimen)
    assert one.status == "wrong" and "1 of the 2" in one.message
    assert _grade("official_impersonators", "just a string", specimen).status == "wrong"


# --------------------------------------------------------------------------- top account share


def test_top_account_share(specimen: Path, releases: dict) -> None:
    share = accounts.concentration(releases["iran_202012"].tweets)["top1_share"].iloc[0]
    assert _grade("top_account_share", share, specimen).right
    assert _grade("top_account_share", pd.Series([share]), specimen).right
    percent = _grade("top_account_share", round(share * 100, 1), specimen)
    assert percent.right and "percentage" in percent.message
    low = _grade("top_account_share", share - 0.1, specimen)
    assert low.status == "wrong" and "too low" in low.message and f"{share:.1%}" not in low.message
    n_accounts = releases["iran_202012"].tweets["userid"].nunique()
    assert "of the tweets" in _grade("top_account_share", 1 / n_accounts, specimen).message
    assert "between 0 and 1" in _grade("top_account_share", "54%", specimen).message
    assert "between 0 and 1" in _grade("top_account_share", 250, specimen).message


# --------------------------------------------------------------------------- control signal


def test_control_signal(specimen: Path, releases: dict) -> None:
    calibration = coordination.calibrate(releases["iran_202012"], releases["control"],
                                         min_weight=1)
    control = calibration[calibration["cohort"] == "control"].set_index("kind")
    null = calibration[calibration["cohort"] == "null"].set_index("kind")
    flagging = control.index[control["flagged_accounts"] > 0].tolist()
    quiet = control.index[control["flagged_accounts"] == 0].tolist()
    assert len(flagging) >= 2 and quiet
    # right: every kind that links ordinary accounts at weight 1, with the numbers of the
    # control and of the shuffled timings, and why the shuffles set the thresholds
    right = _grade("control_signal", flagging, specimen)
    assert right.right, right.message
    top = flagging[0]
    assert f"{top} ({int(control.loc[top, 'flagged_accounts'])} of " in right.message
    chance = null["flagged_share"].astype(float).idxmax()
    assert f"{null.loc[chance, 'flagged_share']:.0%} of Iran's" in right.message
    assert "timing shuffled" in right.message and "second check" in right.message
    assert "one threshold per activity quartile" in right.message  # why the cases differ
    # names are forgiving: "CO-HASHTAG", "hashtag"
    shouted = [k.replace("_", "-").upper() for k in flagging]
    assert _grade("control_signal", shouted, specimen).right
    # wrong: a kind that links no control account
    wrong = _grade("control_signal", [*flagging, quiet[0]], specimen)
    assert wrong.status == "wrong" and f"{quiet[0]} links no control account" in wrong.message
    # near-miss: some of the kinds, told how many more, without naming them
    some = _grade("control_signal", flagging[:1], specimen)
    assert some.status == "wrong"
    assert f"{len(flagging) - 1} more kind" in some.message
    assert not any(k in some.message for k in flagging[1:])
    # near-miss: the calibrated thresholds flag nobody, but the question keeps every edge
    nothing = _grade("control_signal", "none", specimen)
    assert nothing.status == "wrong" and "min_weight=1" in nothing.message
    assert _grade("control_signal", [], specimen).message == nothing.message
    assert "baseline" in _grade("control_signal", "co_post", specimen).message
    assert "not coordination kinds" in _grade("control_signal", ["banana"], specimen).message


# --------------------------------------------------------------------------- link evidence


def test_link_evidence(specimen: Path, releases: dict) -> None:
    iran = releases["iran_202012"]
    edges = coordination.coordination_network(iran, kind="co_tweet")
    top = edges.iloc[0]
    pairs = coordination.edge_evidence(iran, top["source"], top["target"], kind="co_tweet")
    texts, minutes = pairs["key"].nunique(), pairs["dt_seconds"].abs().max() / 60
    # right: the pair of numbers, a dict, or the evidence table itself
    right = _grade("link_evidence", (texts, minutes), specimen)
    assert right.right, right.message
    assert f"the same {texts} text" in right.message and "expected weight" in right.message
    assert _grade("link_evidence", {"texts": texts, "max_minutes": minutes}, specimen).right
    assert _grade("link_evidence", pairs, specimen).message == right.message
    # wrong: another link's evidence, another kind's evidence, numbers that match nothing
    light = edges[edges["weight"] < top["weight"]].iloc[0]
    other = coordination.edge_evidence(iran, light["source"], light["target"], kind="co_tweet")
    assert "not the heaviest" in _grade("link_evidence", other, specimen).message
    retweets = coordination.coordination_network(iran, kind="co_retweet").iloc[0]
    rt = coordination.edge_evidence(iran, retweets["source"], retweets["target"],
                                    kind="co_retweet")
    assert "co_retweet link" in _grade("link_evidence", rt, specimen).message
    wrong = _grade("link_evidence", (texts + 5, minutes + 7), specimen)
    assert wrong.status == "wrong" and "Neither number" in wrong.message
    # near-misses: seconds for minutes, both directions counted, the gap off
    if minutes:
        seconds = _grade("link_evidence", (texts, minutes * 60), specimen)
        assert seconds.status == "wrong" and "looks like seconds" in seconds.message
    twice = _grade("link_evidence", (2 * texts, minutes), specimen)
    assert twice.status == "wrong" and "once per direction" in twice.message
    gap = _grade("link_evidence", (texts, minutes + 3), specimen)
    assert gap.status == "wrong" and "texts is right" in gap.message
    assert "Expected two numbers" in _grade("link_evidence", "four", specimen).message


# --------------------------------------------------------------------------- operator offset


def test_operator_offset(specimen: Path, releases: dict) -> None:
    tweets = releases["iran_202012"].tweets
    found = activity.infer_utc_offset(tweets, workweek=catalogue.workweek_of("iran_202012"))
    assert found["verdict"].iloc[0] == claims.SUPPORTED
    consistent = found["consistent_offsets"].iloc[0]
    low, high = found["range_low"].iloc[0], found["range_high"].iloc[0]
    assert high - low > 1  # a range: the exercise teaches it
    # right: the table, the range (as numbers or words), any offset inside it
    table = _grade("operator_offset", found, specimen)
    assert table.right and "every offset the data fit" in table.message
    for words in ("working days tried", "Monday-Friday week", "Sat-Wed"):
        assert words in table.message
    assert _grade("operator_offset", (low, high), specimen).message == table.message
    assert _grade("operator_offset", found["label"].iloc[0], specimen).right
    best = found["utc_offset"].iloc[0]
    one = _grade("operator_offset", activity.format_utc_offset(best), specimen)
    assert one.right and "not one offset" in one.message
    for answer in (best, pd.Timedelta(hours=best), consistent[0], list(consistent[:2])):
        assert _grade("operator_offset", answer, specimen).right, answer
    # wrong: far off, and the wrong sign
    assert "far off" in _grade("operator_offset", high + 6, specimen).message
    assert "wrong sign" in _grade("operator_offset", -best, specimen).message
    # near-misses: scored on Monday-Friday; just outside the range; a range too wide
    monfri = activity.infer_utc_offset(tweets)
    week = _grade("operator_offset", monfri, specimen)
    assert week.status == "wrong" and "pass workweek=" in week.message
    if monfri["verdict"].iloc[0] == claims.INCONCLUSIVE:
        said = _grade("operator_offset", "inconclusive", specimen)
        assert said.status == "wrong" and "Monday-Friday" in said.message
    close = _grade("operator_offset", high + 0.5, specimen)
    assert close.status == "wrong" and "close" in close.message
    wide = _grade("operator_offset", (low - 1, high + 1), specimen)
    assert wide.status == "wrong" and "outside the offsets" in wide.message
    for bad in ("Tehran", True, ["Tehran", 3]):
        assert "Expected UTC offsets" in _grade("operator_offset", bad, specimen).message


# --------------------------------------------------------------------------- ledger verdict


def test_not_distinctive(specimen: Path, releases: dict) -> None:
    ledger = pd.concat([claims.evaluate_claims(releases[name], control=releases["control"],
                                               min_contrast=workshop.STRICT_CONTRAST)
                        for name in ("iran_202012", "GRU_202012")], ignore_index=True)
    rows = ledger.set_index("id")
    truth = rows.index[rows["verdict"] == claims.NOT_DISTINCTIVE].tolist()
    distinctive = rows.index[rows["verdict"] == claims.SUPPORTED].tolist()
    # the stricter reader's question has an answer on the specimen, and it is not every claim
    assert truth and distinctive
    # right: the ids, or the ledger rows; the feedback shows both values and says why
    right = _grade("not_distinctive", truth, specimen)
    assert right.right, right.message
    claim = truth[0]
    assert f"{claim}: the release gives {rows.loc[claim, 'value']:.3g}" in right.message
    assert f"ordinary accounts {rows.loc[claim, 'control_value']:.3g}" in right.message
    assert "min_contrast" in right.message
    # each claim's reason is its own: a descriptive claim is never distinctive, whatever
    # the contrast; only a distinctive claim supported at the default fails at 10x
    default = pd.concat([claims.evaluate_claims(releases[name], control=releases["control"])
                         for name in ("iran_202012", "GRU_202012")],
                        ignore_index=True).set_index("id")
    descriptive = [i for i in truth if rows.loc[i, "claim_type"] == "descriptive"]
    stricter = [i for i in truth if i not in descriptive
                and default.loc[i, "verdict"] == claims.SUPPORTED]
    assert descriptive and stricter  # the specimen has both: the feedback must tell them apart

    def subjects(reason: str) -> set[str]:
        # the claims a reason is given for: the list of ids opening its sentence
        sentence = re.search(r"([a-z, -]+) (?:is|are) " + reason, right.message)
        assert sentence, reason
        return set(re.findall(r"[a-z]+-[a-z]+", sentence.group(1)))

    assert subjects("descriptive") == set(descriptive)
    assert subjects("supported at the ledger's default") == set(stricter)
    assert "only less of it" in right.message
    nd = ledger[ledger["verdict"] == claims.NOT_DISTINCTIVE]
    assert _grade("not_distinctive", nd, specimen).right
    assert _grade("not_distinctive", [t.upper().replace("-", "_") for t in truth],
                  specimen).right
    # wrong: a claim that stays distinctive, with the control's verdict
    wrong = _grade("not_distinctive", [distinctive[0]], specimen)
    assert wrong.status == "wrong"
    assert f"on the control its rule gives '{rows.loc[distinctive[0], 'control_verdict']}'" \
        in wrong.message and "min_contrast=10" in wrong.message
    # near-misses: nothing (the default ledger), another network's claim, part of it
    empty = _grade("not_distinctive", [], specimen)
    assert empty.status == "wrong" and "min_contrast=10" in empty.message
    assert "another network" in _grade("not_distinctive", "armenia-automation",
                                       specimen).message
    if len(truth) > 1:
        part = _grade("not_distinctive", truth[:1], specimen)
        assert part.status == "wrong" and f"{len(truth) - 1} more claim" in part.message
    assert "not claim ids" in _grade("not_distinctive", ["nato"], specimen).message
    assert "Expected claim ids" in _grade("not_distinctive", 3, specimen).message


# --------------------------------------------------------------------------- specimen helper


def test_ensure_specimen_writes_only_what_is_missing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import casebook.specimen as spec

    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path))
    calls: list[list[str]] = []

    def fake_write(root, *, seed, scale, datasets):
        calls.append(list(datasets))
        for name in datasets:
            (Path(root) / name).mkdir(parents=True, exist_ok=True)
            (Path(root) / name / "ground_truth.json").write_text(
                json.dumps({"seed": seed, "scale": scale}), encoding="utf-8")
        return {}

    monkeypatch.setattr(spec, "write_specimen", fake_write)
    root = workshop.ensure_specimen(scale=SCALE)
    assert root == tmp_path / "specimen" and calls == [list(spec.DATASETS)]
    (root / "control" / "ground_truth.json").unlink()
    workshop.ensure_specimen(scale=SCALE)
    assert calls[-1] == ["control"]
    workshop.ensure_specimen(scale=SCALE)
    assert len(calls) == 2  # nothing missing: nothing written
    with pytest.raises(workshop.SpecimenMismatch, match="casebook specimen --seed 0 --scale"):
        workshop.ensure_specimen(scale=1.0)  # never overwrites another specimen


def test_main_reports_a_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path))
    folder = tmp_path / "specimen" / "iran_202012"
    folder.mkdir(parents=True)
    (folder / "ground_truth.json").write_text('{"seed": 3, "scale": 1}', encoding="utf-8")
    assert workshop.main([]) == 1  # a data problem, reported as one line
    err = capsys.readouterr().err
    assert err.startswith("casebook workshop: error: ") and "seed 3" in err
    assert err.count("\n") == 1 and "casebook specimen --seed 0" in err


# --------------------------------------------------------------------------- notebooks


def _code(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _check_ids(path: Path) -> list[str]:
    return [m for c in _code(path)
            for m in re.findall(r'workshop\.check\("([a-z_]+)", answer\)', c.source)]


def test_every_exercise_is_in_both_notebooks() -> None:
    assert _check_ids(EXERCISES_NB) == list(workshop.EXERCISES)
    assert _check_ids(SOLUTIONS_NB) == list(workshop.EXERCISES)
    blanks = [c.source for c in _code(EXERCISES_NB) if c.source.startswith("answer =")]
    assert blanks == ["answer = None  # your answer here"] * len(workshop.EXERCISES)


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_notebooks_are_committed_executed_and_clean() -> None:
    for path in NOTEBOOKS:
        cells = _code(path)
        assert all(c.execution_count for c in cells), f"{path.name} is not executed"
        for cell in cells:
            assert not re.search(r"^\s*(def|class) |lambda", cell.source, re.M), path.name
            text = json.dumps(cell.outputs)
            assert str(paths.ROOT) not in text and "/tmp/" not in text, path.name
            assert not any(o.output_type == "error" for o in cell.outputs), path.name
            assert not any(o.get("name") == "stderr" for o in cell.outputs), path.name
            assert "execution" not in cell.metadata, f"{path.name}: timing metadata"
    exercise_checks = [_printed(c) for c in _code(EXERCISES_NB) if "workshop.check(" in c.source]
    assert all("Not answered yet." in text for text in exercise_checks)
    solution_checks = [_printed(c) for c in _code(SOLUTIONS_NB) if "workshop.check(" in c.source]
    assert len(solution_checks) == len(workshop.EXERCISES)
    assert all("Right!" in text for text in solution_checks)


def test_solutions_pass_on_another_specimen(specimen: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the solutions' code (not their stored outputs) on the small specimen."""
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(specimen.parent))
    monkeypatch.setattr(workshop, "_default_scale", lambda: SCALE)
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in _code(SOLUTIONS_NB):
            exec(compile(cell.source, SOLUTIONS_NB.name, "exec"), namespace)  # noqa: S102
    verdicts = [line for line in out.getvalue().splitlines() if line.startswith("[")]
    assert [v.split("]")[0][1:] for v in verdicts] == list(workshop.EXERCISES)
    assert all("Right!" in v for v in verdicts), verdicts
