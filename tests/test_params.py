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
    return sorted(paths.params_dir().rglob("*.yaml"))


def repeatednotebook_defaults(case: str, values: dict[str, object]) -> list[str]:
    """Keys of ``values`` whose value equals the notebook's default."""
    defaults = notebook_defaults(case)
    return sorted(k for k, v in values.items() if k in defaults and defaults[k] == v)


def test_every_case_has_a_real_data_example() -> None:
    real = {p.stem for p in (paths.params_dir() / "real").glob("*.yaml")}
    assert real == set(runner.CASES)


@pytest.mark.parametrize("path", _param_files(), ids=lambda p: str(p.relative_to(paths.params_dir())))
def test_param_file_names_real_parameters_that_differ(path: Path) -> None:
    assert path.stem in runner.CASES, f"{path.name} names no case"
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    notebook = paths.notebooks_dir() / runner.CASES[path.stem]
    runner.case_parameters(path.stem, notebook, shared=values)  # unknown key or type raises
    repeated = repeatednotebook_defaults(path.stem, values)
    assert not repeated, f"{path}: repeats the notebook's defaults for {repeated}; drop them"


def test_repeated_defaults_sees_a_repeated_value() -> None:
    defaults = notebook_defaults("iran")
    assert repeatednotebook_defaults("iran", {"window": defaults["window"]}) == ["window"]
    assert repeatednotebook_defaults("iran", {"window": "5min", "data_dir": "x"}) == []
