"""Parameter files carry only what differs from the notebooks' parameters cells.

A case's defaults have one source, its notebook's ``parameters`` cell; a file in
``params/`` that repeated a default would drift from it unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
import yaml

from casebook import paths, runner


def _param_files() -> list[Path]:
    return sorted(paths.params_dir().rglob("*.yaml"))


def _defaults(case: str) -> dict[str, object]:
    # read with ast: papermill's inspector cuts a default at the first "#", even inside
    # a string such as "#Debates2020"
    nb = nbformat.read(paths.notebooks_dir() / runner.CASES[case], as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return {
        node.target.id: ast.literal_eval(node.value)
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.AnnAssign) and node.value is not None
    }


def repeated_defaults(case: str, values: dict[str, object]) -> list[str]:
    """Keys of ``values`` whose value equals the notebook's default."""
    defaults = _defaults(case)
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
    repeated = repeated_defaults(path.stem, values)
    assert not repeated, f"{path}: repeats the notebook's defaults for {repeated}; drop them"


def test_repeated_defaults_sees_a_repeated_value() -> None:
    defaults = _defaults("iran")
    assert repeated_defaults("iran", {"window": defaults["window"]}) == ["window"]
    assert repeated_defaults("iran", {"window": "5min", "data_dir": "x"}) == []
