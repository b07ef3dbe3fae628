"""Project wiring: the environment file, the Makefile, CI and the command line."""

from __future__ import annotations

import tomllib

import yaml

from casebook import paths
from casebook.cli import build_parser, main


def _pyproject() -> dict:
    return tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_does_not_drift_from_pyproject() -> None:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert pythons == [f"python{_pyproject()['project']['requires-python']}"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-e .[dev]" in pip_section
    # anything else pinned here must be a dependency of the project, not a second list
    declared = {
        d.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        for d in _pyproject()["project"]["dependencies"]
    }
    extra = [d for d in deps if isinstance(d, str) and d not in pythons and d != "pip"]
    extra += [d for d in pip_section if d != "-e .[dev]"]
    for d in extra:
        assert d.split(">")[0].split("=")[0].strip().lower() in declared, d


def test_ci_runs_make_test() -> None:
    ci = (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "set -euo pipefail" in ci


def test_readme_shows_the_two_commands_first() -> None:
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.find("\n## ", readme.find("make test"))]
    assert "make run" in head and "make test" in head


def test_cli_help_lists_subcommands(capsys) -> None:
    text = build_parser().format_help()
    for cmd in ("validate", "fetch"):
        assert cmd in text
    assert main([]) == 2  # no command: help and a usage status


def test_paths_come_from_one_place(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CASEBOOK_CACHE_DIR", str(tmp_path / "c"))
    assert paths.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CASEBOOK_CACHE_DIR")
    monkeypatch.delenv("CASEBOOK_DATA_DIR", raising=False)
    assert paths.cache_dir() == paths.ROOT / "data" / "cache"
    offenders = [
        p.name for p in (paths.ROOT / "casebook").glob("*.py")
        if p.name != "paths.py" and "'../" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
