"""Parameter files carry only what differs from the notebooks' parameters cells.

A case's defaults have one source, its notebook's ``parameters`` cell; a file in
``params/`` that repeated a default would drift from it unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casebook import paths, runner
from tests.conftest import notebook_defaults


def _param_files() -> list[Path]:
    """Parameter files: ``params/**/*.yaml`` but the claims files of ``params/claims/``."""
    claims = paths.params_dir() / "claims"
    return sorted(p for p in paths.params_dir().rglob("*.yaml") if claims not in p.parents)


def _case_of(path: Path) -> str:
    """The case a parameter file is for: ``params/release/<NAME>.yaml`` (one file per use
    of the generic case) is for ``release``; any other is named after its case."""
    return "release" if path.parent == paths.params_dir() / "release" else path.stem


def repeatednotebook_defaults(case: str, values: dict[str, object]) -> list[str]:
    """Keys of ``values`` whose value equals the notebook's default."""
    defaults = notebook_defaults(case)
    return sorted(k for k, v in values.items() if k in defaults and defaults[k] == v)


def test_every_case_has_a_real_data_example() -> None:
    # the generic case runs on any release: params/release.yaml documents its real-data use
    real = {p.stem for p in (paths.params_dir() / "real").glob("*.yaml")}
    assert real == set(runner.DEFAULT_CASES)
    assert set(runner.CASES) - set(runner.DEFAULT_CASES) == {"release"}
    assert "casebook run release --data" in (paths.params_dir() / "release.yaml").read_text(
        encoding="utf-8")


def test_the_release_parameter_file_sets_nothing() -> None:
    # params/release.yaml applies to every `casebook run release`: a `datasets` there would
    # send a run on another release's folder looking for this one
    text = (paths.params_dir() / "release.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) is None
    documented = {line[2:].split(":")[0] for line in text.splitlines()
                  if line.startswith("# ") and ":" in line and " " not in line[2:].split(":")[0]}
    declared = set(notebook_defaults("release")) - set(runner.RUNNER_PARAMETERS)
    assert declared <= documented, f"undocumented in params/release.yaml: {declared - documented}"


def test_claims_files_are_not_taken_for_parameter_files() -> None:
    assert all(p.parent.name != "claims" for p in _param_files())
    assert _case_of(paths.params_dir() / "release" / "REA_0621.yaml") == "release"
    assert _case_of(paths.params_dir() / "real" / "iran.yaml") == "iran"


@pytest.mark.parametrize("path", _param_files(), ids=lambda p: str(p.relative_to(paths.params_dir())))
def test_param_file_names_real_parameters_that_differ(path: Path) -> None:
    case = _case_of(path)
    assert case in runner.CASES, f"{path.name} names no case"
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    notebook = paths.notebooks_dir() / runner.CASES[case]
    runner.case_parameters(case, notebook, shared=values)  # unknown key or type raises
    repeated = repeatednotebook_defaults(case, values)
    assert not repeated, f"{path}: repeats the notebook's defaults for {repeated}; drop them"


def test_repeated_defaults_sees_a_repeated_value() -> None:
    defaults = notebook_defaults("iran")
    assert repeatednotebook_defaults("iran", {"window": defaults["window"]}) == ["window"]
    assert repeatednotebook_defaults("iran", {"window": "5min", "data_dir": "x"}) == []
