"""Project wiring: the environment file, the Makefile, CI and the command line."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from casebook import paths
from casebook.cli import COMMANDS, build_parser, main


def _pyproject() -> dict:
    return tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_does_not_drift_from_pyproject() -> None:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert pythons == [f"python{_pyproject()['project']['requires-python']}"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    installs = [d.split("#")[0].strip() for d in pip_section]
    assert "-e .[dev,spark]" in installs  # what make test installs
    # anything else pinned here must be a dependency of the project, not a second list
    declared = {
        d.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        for d in _pyproject()["project"]["dependencies"]
    }
    # the Java runtime is not a Python package: pyspark needs it, pyproject cannot say so
    extra = [d for d in deps if isinstance(d, str) and d not in pythons and d != "pip"
             and not d.startswith("openjdk")]
    extra += [d for d in installs if d != "-e .[dev,spark]"]
    for d in extra:
        assert d.split(">")[0].split("=")[0].strip().lower() in declared, d


def _fake_make(tmp_path: Path, status: int) -> tuple[dict[str, str], Path]:
    """A ``make`` on PATH that records its directory and arguments, then exits ``status``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "make.log"
    fake = bin_dir / "make"
    fake.write_text(f'#!/bin/sh\necho "$PWD|$*" >> "{log}"\nexit {status}\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return env, log


@pytest.mark.parametrize("status", [0, 3])
def test_ci_runs_make_test_from_the_root_and_keeps_its_status(tmp_path: Path, status: int) -> None:
    env, log = _fake_make(tmp_path, status)
    done = subprocess.run([str(paths.ROOT / ".ci" / "run")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == status, done.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [f"{paths.ROOT}|test"]


def _make_dry_run(target: str) -> subprocess.CompletedProcess[str]:
    # -n prints the recipe without running it (nothing is installed or executed)
    return subprocess.run(["make", "-n", "-C", str(paths.ROOT), target],
                          capture_output=True, text=True, timeout=60)


def _readme_commands(text: str, program: str) -> list[str]:
    """The subcommands of ``program`` that the README's code shows (inline or fenced)."""
    fenced = "\n".join(re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S))
    spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text) + fenced.splitlines()
    start = rf"^\s*(?:\$ )?(?:\S*/)?{program} ([a-z][a-z-]*)"
    return sorted({m[1] for span in spans if (m := re.match(start, span))})


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_readme_make_commands_are_real_targets_and_run_and_test_come_first() -> None:
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    named = _readme_commands(readme, "make")
    assert {"run", "test"} <= set(named)
    assert _make_dry_run("no-such-target").returncode != 0  # the check can fail
    for target in named:
        done = _make_dry_run(target)
        assert done.returncode == 0, f"README names `make {target}`: {done.stderr}"
    head = readme[: readme.find("\n## ", readme.find("make test"))]
    assert {"run", "test"} <= set(_readme_commands(head, "make"))


def test_readme_casebook_commands_exist() -> None:
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    named = set(_readme_commands(readme, "casebook")) - {"COMMAND"}
    assert named and named <= set(COMMANDS), named - set(COMMANDS)


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
