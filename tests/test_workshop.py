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

from casebook import accounts, activity, coordination, paths, workshop

SCALE = 0.02  # a small specimen: every planted structure is still there
WORKSHOP = paths.notebooks_dir() / "workshop"
EXERCISES_NB = WORKSHOP / "01_exercises.ipynb"
SOLUTIONS_NB = WORKSHOP / "solutions" / "01_exercises_solutions.ipynb"
NOTEBOOKS = [WORKSHOP / "00_orientation.ipynb", EXERCISES_NB, SOLUTIONS_NB]


@pytest.fixture(scope="module")
def specimen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from casebook.specimen import write_specimen

    root = tmp_path_factory.mktemp("data") / "specimen"
    write_specimen(root, scale=SCALE, datasets=["iran_202012", "armenia_202012", "control"])
    return root


@pytest.fixture(scope="module")
def releases(specimen: Path) -> dict:
    from casebook import load_release

    return {name: load_release(specimen / name, cache=False)
            for name in ("iran_202012", "armenia_202012", "control")}


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


# --------------------------------------------------------------------------- control signal


def test_control_signal(specimen: Path, releases: dict) -> None:
    calibration = coordination.calibrate(releases["iran_202012"], releases["control"],
                                         min_weight=1)
    control = calibration[calibration["cohort"] == "control"]
    flagging = control.loc[control["flagged_accounts"] > 0, "kind"].tolist()
    quiet = control.loc[control["flagged_accounts"] == 0, "kind"].tolist()
    assert flagging and quiet
    everything = _grade("control_signal", flagging, specimen)
    assert everything.right and "more kind" not in everything.message
    if len(flagging) > 1:  # one right kind: right, and told there are more
        assert "more kind" in _grade("control_signal", flagging[0], specimen).message
    # names are forgiving: "co-hashtag", "Hashtag"
    assert _grade("control_signal", flagging[0].replace("_", "-").upper(), specimen).right
    wrong = _grade("control_signal", quiet[0], specimen)
    assert wrong.status == "wrong" and quiet[0] in wrong.message
    assert "null baseline" in _grade("control_signal", "co_post", specimen).message
    assert "not coordination kinds" in _grade("control_signal", ["banana"], specimen).message
    assert _grade("control_signal", [*flagging, quiet[0]], specimen).status == "wrong"


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


# --------------------------------------------------------------------------- operator offset


def test_operator_offset(specimen: Path, releases: dict) -> None:
    inferred = activity.infer_utc_offset(releases["iran_202012"].tweets)
    assert _grade("operator_offset", inferred, specimen).right
    for answer in (3.5, "+03:30", "UTC+3:30", pd.Timedelta(hours=3, minutes=30)):
        assert _grade("operator_offset", answer, specimen).right, answer
    assert "wrong sign" in _grade("operator_offset", "-03:30", specimen).message
    assert "close" in _grade("operator_offset", 4, specimen).message
    assert "far off" in _grade("operator_offset", -5, specimen).message
    for bad in ("Tehran", True, [3.5, 4.0]):
        assert "Expected a UTC offset" in _grade("operator_offset", bad, specimen).message


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
