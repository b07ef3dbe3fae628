"""One error policy: every deliberate error is a CasebookError with the right exit status."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import casebook
from casebook import fetch, loader, runner, specimen, workshop
from casebook.errors import (
    CasebookError,
    FetchError,
    LoadError,
    ParameterError,
    RunError,
    SpecimenMismatch,
    UsageError,
)

#: Modules whose public exceptions must all derive from CasebookError.
MODULES = ("casebook.cli", "casebook.validate", "casebook.fetch", "casebook.specimen",
           "casebook.runner", "casebook.workshop", "casebook.loader", "casebook._files")


def test_the_old_names_are_the_one_classes() -> None:
    assert loader.LoadError is casebook.LoadError is LoadError
    assert fetch.FetchError is FetchError
    assert runner.ParameterError is ParameterError
    assert workshop.SpecimenMismatch is SpecimenMismatch
    assert casebook.CasebookError is CasebookError


def test_compatible_bases_are_kept() -> None:
    # callers that caught ValueError (loader, runner parameters, specimen arguments) still do
    assert issubclass(LoadError, ValueError) and issubclass(ParameterError, ValueError)
    assert issubclass(UsageError, ValueError)


@pytest.mark.parametrize("module_name", MODULES)
def test_public_exceptions_derive_from_the_base(module_name: str) -> None:
    module = importlib.import_module(module_name)
    public = [obj for name, obj in vars(module).items()
              if not name.startswith("_") and inspect.isclass(obj)
              and issubclass(obj, BaseException)]
    assert all(issubclass(e, CasebookError) for e in public), public


def test_exit_statuses() -> None:
    data = (LoadError, FetchError, RunError, SpecimenMismatch)
    assert all(e("x").exit_code == 1 for e in data)
    assert UsageError("x").exit_code == ParameterError("x").exit_code == 2


def test_the_hint_is_part_of_the_message() -> None:
    exc = FetchError("the archive is unreachable", hint="pass --base-url")
    assert str(exc) == "the archive is unreachable (pass --base-url)"
    assert exc.hint == "pass --base-url" and str(FetchError("x")) == "x"


def test_the_failed_cell_record_is_not_an_exception() -> None:
    assert not issubclass(runner.FailedCell, BaseException)
    assert not hasattr(runner, "CellError")


def test_each_module_raises_its_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError):
        casebook.load_release(tmp_path / "absent")
    with pytest.raises(UsageError, match="Invalid op"):
        fetch.fetch("../x", dest=tmp_path, progress=False)
    with pytest.raises(UsageError, match="unknown kinds"):
        fetch.fetch("GRU_202012", kinds=["likes"], dest=tmp_path, progress=False)
    with pytest.raises(UsageError, match="scale"):
        specimen.build_specimen("GRU_202012", scale=0)
    with pytest.raises(UsageError, match="unknown dataset"):
        specimen.build_specimen("nope")
    with pytest.raises(ParameterError, match="unknown case"):
        runner.resolve_cases(["no-such-case"])


def test_specimen_mismatch_is_a_data_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path))
    folder = tmp_path / "specimen" / "control"
    folder.mkdir(parents=True)
    (folder / "ground_truth.json").write_text('{"seed": 9, "scale": 1}', encoding="utf-8")
    with pytest.raises(SpecimenMismatch) as info:
        workshop.ensure_specimen()
    assert info.value.exit_code == 1 and "seed 9" in str(info.value)
    assert info.value.hint and "casebook specimen --seed 0" in info.value.hint



def test_a_message_quoting_the_archive_prints_no_control_character() -> None:
    error = LoadError("header \x1b[2J\x1b]8;;http://evil.example\x07x \u202eabc",
                      hint="member \x9b2J")
    assert str(error) == ("header \\x1b[2J\\x1b]8;;http://evil.example\\x07x <U+202E>abc "
                          "(member \\x9b2J)")
    assert str(CasebookError("two\n  lines")) == "two\n  lines"  # line feeds are the CLI's
