"""The package surface: every public name importable from casebook.coordination, and
every performance trick guarded by a test that exists."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import casebook.coordination as co

PACKAGE = Path(co.__file__).parent
ROOT = PACKAGE.parents[1]
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_public_names_of_every_module_are_exported() -> None:
    for name in MODULES:
        # command is reached through the command line; spark is an optional extra
        # (pyspark), imported by name so that casebook.coordination never needs it
        if name in ("command", "spark"):
            continue
        module = importlib.import_module(f"casebook.coordination.{name}")
        for public in module.__all__:
            assert public in co.__all__, f"{name}.{public} is not exported"
            assert getattr(co, public) is getattr(module, public)
    assert sorted(co.__all__) == co.__all__
    assert all(hasattr(co, n) for n in co.__all__)


def test_every_guard_comment_names_a_test_that_exists() -> None:
    guards = []
    for path in PACKAGE.glob("*.py"):
        guards += re.findall(r"guarded by (tests/\S+\.py)::(\w+)", path.read_text())
    assert len(guards) >= 10
    for file, test in guards:
        tree = ast.parse((ROOT / file).read_text())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert test in names, f"{file}::{test} guards a trick but does not exist"
