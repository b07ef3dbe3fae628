"""``casebook run``: re-run the case notebooks with papermill into readable reports.

Each case notebook is executed with papermill into a report folder, exported to an
HTML page with the code hidden, and linked from ``index.html`` with its headline
findings, the data it ran on and its status. A failing case keeps its partial
notebook, is named with its failing cell, and does not stop the others.

Usage::

    casebook run                              # the built-in cases, on the specimen
    casebook run iran russia --data data/raw  # two cases, on real releases
    casebook run russia -p datasets '[GRU_202012]' -p seed 3 --out reports/gru-only
    casebook run release --data data/raw/REA_0621  # the generic case, on any release
    casebook run --list                       # the cases and their parameters

The contract with the case notebooks
------------------------------------
- **One parameters cell.** Each case notebook has exactly one cell tagged
  ``parameters`` holding annotated literals with a ``# help`` comment each, among
  them::

      data_dir: str = ""        # folder with the releases ("" = the specimen)
      datasets: list = [...]    # dataset names this case uses
      output_dir: str = ""      # where findings are written ("" = reports/notebooks/)
      seed: int = 0             # seed for every random step

  One parameter per line, and no other ``=`` on the line, not even in the help
  comment: papermill skips such lines, and the runner refuses the notebook. Values
  derived from parameters go in a later cell (papermill injects the run's values
  right after the parameters cell).
- **Data.** The notebook finds its data with
  ``casebook.discovery.find_datasets(data_dir, datasets)`` and runs on whichever datasets
  are present, saying which are absent; it shows
  ``casebook.report.specimen_banner(found, control=...)``. A notebook with a
  ``control_dataset: str`` parameter (the control cohort of ordinary accounts, ``""``
  for none) gets it looked up as :func:`casebook.case.open_case` does, and the index
  says per case which datasets are synthetic, which real, and where the control cohort
  came from (the specimen's, a real one in the data folder, or none).
- **Findings.** The notebook records its headline findings with
  ``casebook.report.record_findings(findings, case=CASE, output_dir=output_dir)``,
  where ``CASE`` is its name in :data:`CASES` (``iran``...). That writes
  ``<output_dir>/<CASE>.findings.json``, which the index shows.
- **Display.** Tweets and accounts are shown with ``casebook.report.show_table`` and
  exported with ``casebook.report.export_csv``; cells tagged ``remove-cell`` are left
  out of the HTML page, and cells tagged ``remove-output`` show nothing.

What a run does
---------------
- **Cases** are the names in :data:`CASES` (or paths to other notebooks, whose case
  name is the file name without ``.ipynb``, other characters than letters, digits,
  ``_``, ``-`` and ``.`` replaced by ``_``: ``"my case.ipynb"`` is case ``my_case``).
  The default is :data:`DEFAULT_CASES`, in the order of :data:`CASES`: the overview
  first, then Iran, Russia and Armenia, then ``cross_release``
  (``notebooks/20_cross_release.ipynb``: what links the releases of a store). The
  generic case ``release``
  (``notebooks/04_release.ipynb``: the same sections on any release, titled with it)
  runs only when named: on the default data it would repeat a built-in case on one
  specimen dataset. Without ``datasets`` it reads the first release of ``--data``.
- **Parameters**, from lowest to highest precedence: the notebook's own defaults;
  ``params/<case>.yaml`` (:func:`casebook.paths.params_dir`); the ``-f FILE`` YAML
  mapping (its top-level keys apply to every case, and a key named after a case
  holding a mapping applies to that case only); ``-p KEY VALUE`` (VALUE is read as
  YAML, like papermill's ``-y``, except for ``str`` parameters, which take the text
  as given); ``--data DIR``, which sets ``data_dir``. Relative ``data_dir`` values are
  resolved from the caller's directory, and so is ``claims_file`` (which must exist).
  ``output_dir`` is always the report folder.
  Every key must be a parameter of every case it is passed to, and its value must
  have the declared type: anything else stops the run before any notebook starts,
  naming the key and listing the valid ones (papermill alone would only warn). So
  does a ``data_dir`` (the run's, or the notebook's default; ``""`` is the specimen)
  that does not exist: a :class:`~casebook.errors.MissingDataError` names the folder
  and how to fill it (``casebook fetch OP``, ``casebook specimen``) or to point the
  run elsewhere (``--data DIR``).
- **Where reports go**: ``--out DIR``, else ``reports/latest/`` (under
  :func:`casebook.paths.reports_dir`): a fixed name, no timestamp, so a re-run
  replaces the previous one. Per case: the executed notebook (same file name), its
  HTML page (``.html``) and ``<case>.findings.json``; then ``index.html``. A case's
  notebook runs into a temporary name and replaces the earlier report when done; its
  page and the index are written under temporary names and renamed, and the earlier
  page and findings stay until the run has made their replacements (findings the new
  run did not record are removed after it, so nothing stale is shown). An interrupted
  run (Ctrl-C, or SIGTERM, which unwinds the same way) removes its temporary files and
  leaves the earlier report whole. ``--out`` must be a new or empty folder, one an
  earlier run made (it holds :data:`REPORT_MARKER`), or a folder directly under
  ``reports/`` holding a report an earlier version made before the marker: any other
  folder holding files is refused, and so is a folder where a report would replace a notebook that is not an
  earlier report (the case's source among them).
- **Kernel**: ``python3``, which jupyter_client resolves to the interpreter running
  the casebook (the kernelspec's ``python`` is replaced by ``sys.executable``), so the
  notebooks see the same environment; ``--kernel`` picks another. The kernel's
  working directory is the report folder; notebooks take every path from
  :mod:`casebook.paths` anyway. Kernels start with the memory settings of
  :data:`KERNEL_ENV` (numpy without transparent huge pages, glibc malloc reusing freed
  memory, Arrow allocating with jemalloc), unless the environment sets those variables already.
- **HTML pages** are titled with the notebook's first level-1 heading, in a markdown
  cell or in an HTML output (the generic case writes its title from the data), hide
  code and prompts, keep tables and figures (embedded PNG), and
  are sanitised with an allow-list (:func:`casebook.report.sanitise_html`) under a
  Content-Security-Policy that forbids scripts: nothing a tweet contains can run.
- **Failures**: the partial notebook (papermill saves it with the error; while cells
  run, at most every :data:`SAVE_EVERY` seconds) and its page are kept; the console and
  the index name the failing cell (its position in the source notebook, counting cells
  from 1, and its first line) and the exception; the other cases still run; the exit
  status is 1. Parameter errors exit with 2. The kernel's own log (ipykernel's, not the
  cells' outputs) goes to a temporary file, not the terminal; its last line ends the
  message when the kernel died.

papermill, pandas, PyYAML and the report module are imported when a run starts, not
with this module, so that ``casebook run --help`` answers at once.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import html
import json
import os
import re
import signal
import sys
import textwrap
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any

from casebook import discovery, paths
from casebook._files import write_text_atomically
from casebook.errors import CasebookError, MissingDataError, ParameterError, RunError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CASES",
    "DEFAULT_CASES",
    "DEFAULT_KERNEL",
    "DEFAULT_RUN",
    "CaseResult",
    "FailedCell",
    "ParameterError",
    "RawValue",
    "RunResult",
    "case_parameters",
    "add_arguments",
    "kernel_python",
    "notebook_parameters",
    "page_title",
    "resolve_cases",
    "run",
    "run_cases",
    "split_params_file",
    "write_index",
]

#: Case name -> notebook file in :func:`casebook.paths.notebooks_dir`, in run order.
CASES: dict[str, str] = {
    "overview": "00_overview.ipynb",
    "iran": "01_iran_debate_interference.ipynb",
    "russia": "02_russia_anti_nato.ipynb",
    "armenia": "03_armenia_anti_azerbaijan.ipynb",
    "release": "04_release.ipynb",
    "cross_release": "20_cross_release.ipynb",
}

#: The cases ``casebook run`` runs when none is named: every built-in case, the
#: cross-release comparison last (it builds a store of the same data). The generic
#: ``release`` case is left out: on the default data (the specimen) it would repeat a
#: built-in case on one of its datasets; it runs when named (``casebook run release``).
DEFAULT_CASES: tuple[str, ...] = ("overview", "iran", "russia", "armenia", "cross_release")

#: Parameters naming a file the user gives: resolved from the caller's directory, and
#: checked to exist before any notebook runs.
FILE_PARAMETERS: tuple[str, ...] = ("claims_file",)

#: Report folder name under ``reports/`` when ``--out`` is not given.
DEFAULT_RUN = "latest"

#: The file that marks a report folder ``casebook run`` made: a later run may write into
#: it. Any other folder holding files is refused (:func:`_check_out_dir`).
REPORT_MARKER = ".casebook-report"
#: The title of a run's ``index.html`` (how an earlier report is recognised).
INDEX_TITLE = "casebook report"

#: The kernel used unless one is named: ipykernel in the running environment.
DEFAULT_KERNEL = "python3"

#: The parameter naming a case's control cohort (``""``: none).
CONTROL_PARAMETER = "control_dataset"

#: Parameters the runner sets itself.
RUNNER_PARAMETERS: tuple[str, ...] = ("output_dir",)

#: Memory settings of the kernels the runner starts, where the environment does not set
#: them already (``make lab`` starts JupyterLab with them too). A case's coordination
#: section allocates arrays of tens of MB by the thousand over its chance replicates:
#: glibc maps each one fresh and unmaps it when freed, and numpy asks for transparent
#: huge pages on each, so page faults and huge-page compaction took a third of the
#: section's CPU time at specimen scale 4 (system time 32 of 112 s). With numpy's huge
#: pages off, no ``mmap`` for large blocks and one malloc arena (so the replicate threads
#: reuse the memory freed before them), system time falls to 17 s and the section's wall
#: time from 68.6 to 60.5 s, for a peak 4% higher (5.96 -> 6.21 GB; benchmarks/README.md).
#: Arrow allocates with jemalloc rather than its default, mimalloc: parsing a release's
#: CSV files left mimalloc's pages fragmented (after loading the scale-8 specimen's two
#: releases, 0.46 GB more stayed resident than after reading them from the cache, for the
#: same bytes allocated), and a whole case peaked lower with jemalloc (scale 8: 7.76
#: against 8.18 GB; scale 16: 17.07 against 17.80 GB; benchmarks/README.md). Where
#: pyarrow was built without jemalloc, :func:`kernel_environment` leaves the default;
#: mimalloc then returns the pages its threads free at once (it had kept 1.3 GB that the
#: text normalisation of a specimen at scale 8 had freed).
KERNEL_ENV: dict[str, str] = {
    "NUMPY_MADVISE_HUGEPAGE": "0",
    "MALLOC_MMAP_MAX_": "0",
    "MALLOC_ARENA_MAX": "1",
    "ARROW_DEFAULT_MEMORY_POOL": "jemalloc",
    "MIMALLOC_PURGE_DELAY": "0",
}

_INJECTED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}


class RawValue(str):
    """A parameter value typed on the command line: read as YAML unless declared ``str``."""


class _RunTerminated(KeyboardInterrupt):
    """SIGTERM during :func:`run_cases`: unwinds the run as Ctrl-C does, so that its
    temporary files are removed and the earlier report stays whole."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FailedCell:
    """Where a notebook failed: the cell and the exception it raised (a record, not an error)."""

    #: Position of the failing cell in the source notebook, counting from 0.
    index: int | None
    #: Number of cells in the source notebook.
    cells: int | None
    #: Its execution count in the executed notebook (``In [n]``).
    execution_count: int | None
    #: The first non-blank line of its source.
    first_line: str
    #: ``ExceptionName: message`` (first line of the message).
    exception: str

    def describe(self) -> str:
        """``cell 4 of 9 (In [3]) `x = 1/0`: ZeroDivisionError: division by zero``.

        Cells are counted from 1 here, as a reader counts them.
        """
        where = "a cell" if self.index is None else f"cell {self.index + 1}"
        if self.index is not None and self.cells:
            where += f" of {self.cells}"
        if self.execution_count is not None:
            where += f" (In [{self.execution_count}])"
        line = f" `{self.first_line}`" if self.first_line else ""
        return f"{where}{line}: {self.exception}"


@dataclass
class CaseResult:
    """One executed case."""

    case: str
    notebook: Path
    output_notebook: Path
    parameters: dict[str, Any]
    status: str = "not run"
    html: Path | None = None
    error: FailedCell | None = None
    message: str = ""
    findings: pd.DataFrame | None = None
    data_dir: Path | None = None
    datasets: dict[str, Path] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    specimen: bool = False
    control: Path | None = None  # the control cohort's folder, as open_case finds it
    control_stated: bool = False  # whether the notebook has a control_dataset parameter

    def sources(self) -> Any:
        """What the case stands on (:class:`casebook.report.DataSources`): which datasets
        are synthetic, which real, and its control cohort when the notebook names one."""
        from casebook import report

        if self.control_stated:
            return report.data_sources(self.datasets, control=self.control)
        return report.data_sources(self.datasets)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe_failure(self) -> str:
        """The failing cell and exception, or the message of a failure outside cells."""
        return self.error.describe() if self.error is not None else self.message


@dataclass
class RunResult:
    """The outcome of :func:`run_cases`."""

    out_dir: Path
    index: Path
    cases: list[CaseResult]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.cases)

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.ok]

    @property
    def exit_code(self) -> int:
        """0 when every case ran, 1 otherwise."""
        return 0 if self.ok else 1


# --------------------------------------------------------------------------- cases and parameters


def resolve_cases(cases: Sequence[str | os.PathLike[str]] | None = None) -> dict[str, Path]:
    """Case name -> notebook path for the requested cases (default: :data:`DEFAULT_CASES`).

    A name from :data:`CASES` maps to its notebook in
    :func:`casebook.paths.notebooks_dir`; a path to an ``.ipynb`` file is a case named
    after the file (or after the :data:`CASES` entry it is), with every character other
    than a letter, digit, ``_``, ``-`` or ``.`` replaced by ``_`` (``my case.ipynb`` is
    ``my_case``): the name is part of the findings file's name.

    Raises
    ------
    ParameterError
        For an unknown case name or a missing notebook.
    """
    requested = list(DEFAULT_CASES) if not cases else [os.fspath(c) for c in cases]
    by_file = {name_: case for case, name_ in CASES.items()}
    out: dict[str, Path] = {}
    for item in requested:
        if item in CASES:
            notebook = paths.notebooks_dir() / CASES[item]
            name = item
        elif item.endswith(".ipynb"):
            notebook = paths.resolve(item)
            name = by_file.get(notebook.name) or _case_name(notebook.stem)
        else:
            close = difflib.get_close_matches(item, list(CASES), n=1)
            guess = f"; did you mean {close[0]!r}?" if close else ""
            raise ParameterError(
                f"unknown case {item!r}{guess}",
                hint=f"cases: {', '.join(CASES)}, or a path to a .ipynb file",
            )
        if not notebook.is_file():
            raise ParameterError(f"case {name!r}: notebook not found: {notebook}")
        if name in out:
            raise ParameterError(f"case {name!r} is given twice")
        out[name] = notebook
    return out


def _case_name(stem: str) -> str:
    """A case name from a notebook's file name: letters, digits, ``_``, ``-`` and ``.``.

    Examples
    --------
    >>> _case_name("my case (v2)")
    'my_case_v2'
    """
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-")
    return name or "case"


def notebook_parameters(notebook: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares: name -> ``{name, inferred_type_name, default, help}``.

    Read with :func:`papermill.inspect_notebook` from the cell tagged ``parameters``.

    Raises
    ------
    ParameterError
        When the notebook has no cell tagged ``parameters``, or more than one, or when
        papermill cannot read an assignment in it (a second ``=`` on its line).
    """
    nbformat = _import_nbformat()
    import papermill

    nb = nbformat.read(os.fspath(notebook), as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"{notebook}: needs exactly one cell tagged 'parameters', found {len(tagged)}"
        )
    if nb.metadata.get("kernelspec", {}).get("name"):
        declared = papermill.inspect_notebook(os.fspath(notebook))
    else:  # papermill needs a kernel name to pick its translator; the cases are Python
        from papermill.translators import PythonTranslator

        declared = {p.name: p._asdict() for p in PythonTranslator.inspect(tagged[0])}
    unread = [name for name in _assigned_names(tagged[0].source) if name not in declared]
    if unread:
        raise ParameterError(
            f"{notebook}: papermill cannot read the parameter(s) {', '.join(unread)} in the "
            "parameters cell: write one 'name: type = literal  # help' per line, with no "
            "other '=' on the line (not even in the help comment)"
        )
    return declared


def _assigned_names(source: str) -> list[str]:
    """Names assigned at the top level of a cell (``x = 1``, ``x: int = 1``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def _read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError(f"{what} {path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ParameterError(f"{what} {path}: not valid YAML ({_one_line(exc)})") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError(f"{what} {path}: must be a mapping of parameter: value")
    return {str(k): v for k, v in loaded.items()}


def split_params_file(
    mapping: Mapping[str, Any], case_names: Sequence[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Split a ``-f`` mapping into keys for every case and per-case sections.

    A top-level key that is a case name (of :data:`CASES` or of this run) and holds a
    mapping is that case's section; every other key is shared.
    """
    names = set(CASES) | set(case_names)
    sections = {
        k: {str(kk): vv for kk, vv in v.items()}
        for k, v in mapping.items()
        if k in names and isinstance(v, Mapping)
    }
    shared = {k: v for k, v in mapping.items() if k not in sections}
    return shared, sections


def _type_name(declared: Mapping[str, Any]) -> str:
    return str(declared.get("inferred_type_name") or "None").split("[")[0].strip()


def _default_value(declared: Mapping[str, Any]) -> Any:
    try:
        return ast.literal_eval(str(declared.get("default")))
    except (ValueError, SyntaxError):
        return None


def _check_window(value: Any) -> None:
    from casebook.coordination.network import window_seconds

    window_seconds(value)


def _check_workweek(value: Any) -> None:
    from casebook.activity import _workweek

    if value:  # empty: the catalogue's week for the release
        _workweek(value)


def _check_kinds(value: Any) -> None:
    from casebook.coordination.network import unique_kinds

    unique_kinds(value)


def _check_share(value: Any) -> None:
    if not 0 < value < 1:
        raise ParameterError(f"must lie between 0 and 1 (a share), got {value!r}")


def _check_seed(value: Any) -> None:
    if value < 0:
        raise ParameterError(f"a seed is an integer >= 0, got {value!r}")


def _check_time(value: Any) -> None:
    import pandas as pd

    pd.Timestamp(value)


def _check_duration(value: Any) -> None:
    import pandas as pd

    pd.Timedelta(value)


#: The library's own checks of the parameters whose values it would refuse deep inside a
#: notebook, run before any kernel starts: a bad window fails in one line, not after the
#: sections before the coordination cell (each check raises; the message is said).
_VALUE_CHECKS: dict[str, Callable[[Any], None]] = {
    "window": _check_window, "workweek": _check_workweek,
    "coordination_kinds": _check_kinds, "control_fpr": _check_share, "seed": _check_seed,
    "debate_start": _check_time, "debate_end": _check_time, "debate_widen": _check_duration,
}


def _value_problem(key: str, value: Any) -> str | None:
    """What is wrong with a parameter's value, in words, or None."""
    check = _VALUE_CHECKS.get(key)
    if check is None or value is None:
        return None
    try:
        check(value)
    except ParameterError as exc:
        return str(exc)
    except (CasebookError, ValueError, TypeError, OverflowError) as exc:
        return _one_line(exc)
    return None


def _coerce(key: str, value: Any, declared: Mapping[str, Any], source: str) -> Any:
    """Check ``value`` against the declared type; parse command-line text."""
    import yaml

    type_name = _type_name(declared)
    if isinstance(value, RawValue):
        if type_name == "str":
            return str(value)
        try:
            value = yaml.safe_load(str(value))
        except yaml.YAMLError as exc:
            raise ParameterError(
                f"{key} ({source}): {value!r} is not a YAML value ({_one_line(exc)})"
            ) from exc
    allowed = _TYPES.get(type_name)
    if allowed is None or (value is None and _default_value(declared) is None):
        return value
    if isinstance(value, bool) and bool not in allowed or not isinstance(value, allowed):
        raise ParameterError(
            f"{key} ({source}): expected {type_name}, got {type(value).__name__} {value!r}"
        )
    return list(value) if isinstance(value, tuple) else value


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (PyYAML's point at the text over several)."""
    return " ".join(str(exc).split())


def _valid_list(declared: Mapping[str, Mapping[str, Any]]) -> str:
    return ", ".join(f"{k} ({_type_name(v)})" for k, v in declared.items()) or "(none)"


def case_parameters(
    case: str,
    notebook: str | os.PathLike[str],
    *,
    shared: Mapping[str, Any] | None = None,
    section: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    data: str | os.PathLike[str] | None = None,
    declared: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The parameters one case runs with, checked against its parameters cell.

    Parameters
    ----------
    case, notebook
        The case name and its notebook.
    shared
        The ``-f`` file's top-level keys (for every case).
    section
        The ``-f`` file's section for this case (see :func:`split_params_file`).
    params
        ``-p`` values (highest precedence after ``data``); :class:`RawValue` text is
        read as YAML unless the parameter is declared ``str``.
    data
        ``--data``: sets ``data_dir``.
    declared
        The notebook's parameters (default: read with :func:`notebook_parameters`).

    Returns
    -------
    dict
        Only the parameters set somewhere other than the notebook (papermill keeps the
        notebook's defaults for the rest); ``output_dir`` is not included (the runner
        sets it).

    Raises
    ------
    ParameterError
        Listing every unknown key (with the valid ones) and every wrong type.
    """
    declared = dict(declared if declared is not None else notebook_parameters(notebook))
    layers: list[tuple[str, Mapping[str, Any]]] = []
    defaults_file = paths.params_dir() / f"{case}.yaml"
    if defaults_file.is_file():
        layers.append((str(defaults_file), _read_yaml_mapping(defaults_file, "parameter file")))
    layers.append(("-f file", dict(shared or {})))
    layers.append((f"-f file, section {case}", dict(section or {})))
    layers.append(("-p", dict(params or {})))
    if data is not None:
        layers.append(("--data", {"data_dir": str(data)}))

    problems: list[str] = []
    merged: dict[str, Any] = {}
    for source, layer in layers:
        for key, value in layer.items():
            if key in RUNNER_PARAMETERS:
                if source.startswith(("-p", "-f")) and value not in ("", None):
                    problems.append(f"{key} ({source}): set by the runner; use --out instead")
                continue
            if key not in declared:
                close = difflib.get_close_matches(key, list(declared), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    f"{key} ({source}): not a parameter of case {case!r}{hint}; "
                    f"valid: {_valid_list(declared)}"
                )
                continue
            try:
                merged[key] = _coerce(key, value, declared[key], source)
            except ParameterError as exc:
                problems.append(str(exc))
                continue
            problem = _value_problem(key, merged[key])
            if problem:
                problems.append(f"{key} ({source}): {problem}")
    for key in FILE_PARAMETERS:
        value = merged.get(key)
        if isinstance(value, str) and value:
            try:
                merged[key] = _checked_file(key, value)
            except ParameterError as exc:
                problems.append(str(exc))
    if problems:
        raise ParameterError(f"case {case!r} ({Path(notebook).name}): " + "; ".join(problems))
    if isinstance(merged.get("data_dir"), str) and merged["data_dir"]:
        merged["data_dir"] = str(paths.resolve(merged["data_dir"]))
    return merged


def _check_data_dirs(planned: Mapping[str, Mapping[str, Any]],
                     declared: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    """Refuse a run whose cases would read a data folder that does not exist.

    Checked before any kernel starts: the notebook would find out only in its third
    cell, as a plain ``FileNotFoundError``, after a kernel start per case. A case's
    folder is its ``data_dir`` in ``planned`` (``params/CASE.yaml``, ``-f``, ``-p``,
    ``--data``), else the notebook's default; ``""`` is the specimen, as
    :func:`casebook.discovery.find_datasets` reads it. A notebook that declares no
    ``data_dir`` reads no data folder and is not checked.

    Raises
    ------
    MissingDataError
        Naming each missing folder and its cases; the hint says how to fill it
        (:func:`_fill_hint`) or to point the run elsewhere.
    """
    missing: dict[Path, list[str]] = {}
    wanted: dict[Path, list[str]] = {}
    for case, params in planned.items():
        if "data_dir" not in declared[case]:
            continue
        value = params.get("data_dir", _default_value(declared[case]["data_dir"]))
        if not isinstance(value, str):
            continue
        folder = paths.specimen_dir() if value == "" else paths.resolve(value)
        if folder.is_dir():
            continue
        missing.setdefault(folder, []).append(case)
        datasets = params.get("datasets", _default_value(declared[case].get("datasets", {})))
        if isinstance(datasets, (list, tuple)):
            wanted.setdefault(folder, []).extend(str(d) for d in datasets)
    if not missing:
        return
    problems = [f"the data folder of case{'s' if len(cases) > 1 else ''} {', '.join(cases)} "
                + ("is not a folder" if folder.exists() else "does not exist") + f": {folder}"
                for folder, cases in missing.items()]
    hints = [_fill_hint(folder, wanted.get(folder, [])) for folder in missing]
    raise MissingDataError("; ".join(problems), hint="; ".join(dict.fromkeys(hints)))


def _fill_hint(folder: Path, datasets: Sequence[str]) -> str:
    """How to get the data a missing ``folder`` should hold: the specimen generated, or
    each of ``datasets`` downloaded where the case looks for it (``casebook fetch``
    writes ``DEST/OP/``, ``data/raw`` by default; a folder named after a release is that
    release's own)."""
    from casebook.catalogue import release_of

    elsewhere = "or point the run at the releases with --data DIR"
    if folder.resolve() == paths.specimen_dir().resolve():
        return f"generate the specimen with 'casebook specimen' (or 'make specimen'), {elsewhere}"
    raw = paths.raw_dir().resolve()

    def fetch(op: str, dest: Path) -> str:
        where = "" if dest.resolve() == raw else f" --dest {_shell_word(str(dest))}"
        return f"'casebook fetch {op}{where}'"

    names = list(dict.fromkeys(datasets))
    if release_of(folder.name) is not None or folder.name.lower() in {n.lower() for n in names}:
        commands = [fetch(folder.name, folder.parent)]  # the folder of one release
    else:
        commands = [fetch(op, folder) for op in names] or [fetch("OP", folder)]
    return (f"download the release{'s' if len(commands) > 1 else ''} with "
            f"{' and '.join(commands)}, {elsewhere}")


def _shell_word(text: str) -> str:
    """``text`` as one shell word, in double quotes when it needs quoting (the hint
    already quotes the command in single quotes)."""
    import shlex

    if shlex.quote(text) == text:
        return text
    if not re.search(r'["$`\\!]', text):
        return f'"{text}"'
    return shlex.quote(text)


def _checked_file(key: str, value: str) -> str:
    """A file parameter resolved from the caller's directory; a claims file is read once
    here, so that a bad one stops the run before any notebook starts."""
    path = paths.resolve(value)
    if not path.is_file():
        raise ParameterError(f"{key} {value}: no such file ({path})")
    if key == "claims_file":
        from casebook import claims

        load_claims = getattr(claims, "load_claims", None)
        if load_claims is not None:
            load_claims(path)  # raises ParameterError naming the file, key and line
    return str(path)


# --------------------------------------------------------------------------- kernel


def kernel_python(kernel_name: str = DEFAULT_KERNEL) -> str:
    """The interpreter the kernel ``kernel_name`` will run.

    jupyter_client replaces a kernelspec's bare ``python``/``python3`` by
    ``sys.executable``, so the default kernel runs this environment's Python.

    Raises
    ------
    ParameterError
        When no such kernel is installed.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise ParameterError(
            f"no Jupyter kernel named {kernel_name!r}; install this environment's with "
            f"'{sys.executable} -m ipykernel install --sys-prefix'"
        ) from exc
    exe = spec.argv[0] if spec.argv else ""
    major, minor = sys.version_info[:2]
    if exe in {"python", f"python{major}", f"python{major}.{minor}"}:
        return sys.executable
    return exe


def _kernel_config() -> Any:
    """Encrypt the kernel's local channels (CurveZMQ) when pyzmq and the kernel support it."""
    import zmq
    from traitlets.config import Config

    policy = "auto" if zmq.has("curve") else "disabled"
    return Config({"KernelManager": {"transport_encryption": policy}})


def _kernel_manager(log: IO[bytes]) -> type:
    """The kernel manager of one case: its kernel process writes its own stdout and
    stderr to ``log``, not to the terminal.

    The cells' outputs reach the notebook either way (ipykernel forwards them); what is
    left on the process's own streams is ipykernel's log, which interleaved with the
    run's one line per case: "KeyboardInterrupt caught in kernel." when jupyter_client
    interrupted the kernel on its way out (it does before every shutdown, and the kernel
    logs it when the signal lands inside a message handler), and a traceback from a busy
    kernel whose channels closed when Ctrl-C stopped the run. :func:`_run_error` reads
    the log's last line when the kernel died.
    """
    from jupyter_client import AsyncKernelManager

    class KernelManager(AsyncKernelManager):  # type: ignore[misc]
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": log, "stderr": log})

    return KernelManager


#: Seconds between papermill's saves of a running notebook. papermill writes the whole
#: notebook when each cell starts and ends: 110 writes, 1.3 s of a 35 s run of the Iran
#: case at specimen scale 1, the kernel idle meanwhile. A failed or finished run is saved
#: at once.
SAVE_EVERY: float = 5.0

_ENGINE = "casebook"


def _engine() -> str:
    """papermill's engine for a run, registered once: the nbclient engine with the
    notebook saved at most every :data:`SAVE_EVERY` seconds while cells run."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.exceptions import PapermillException

    with contextlib.suppress(PapermillException):  # raised when not registered yet
        papermill_engines.get_engine(_ENGINE)
        return _ENGINE

    class Manager(NotebookExecutionManager):
        _hold = False

        def save(self, **kwargs: Any) -> None:
            if not self._hold:
                super().save(**kwargs)

        def _held(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
            self._hold = True
            try:
                step(*args, **kwargs)
            finally:
                self._hold = False
            self.autosave_cell()  # saves when SAVE_EVERY seconds have passed

        def cell_start(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
            self._held(super().cell_start, cell, cell_index, **kwargs)

        def cell_complete(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
            self._held(super().cell_complete, cell, cell_index, **kwargs)

    class Engine(NBClientEngine):
        # papermill's Engine.execute_notebook, with this manager
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: Any = None,
                             progress_bar: Any = True, log_output: bool = False,
                             autosave_cell_every: float = SAVE_EVERY, **kwargs: Any) -> Any:
            nb_man = Manager(nb, output_path=output_path, progress_bar=progress_bar,
                             log_output=log_output, autosave_cell_every=SAVE_EVERY)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(_ENGINE, Engine)
    return _ENGINE


def _import_nbformat() -> ModuleType:
    """Import nbformat without jsonschema's IRI checker: jsonschema builds that checker's
    grammar on import when ``rfc3987_syntax`` is installed (1.3 s of every run), and the
    notebook schemas check no IRI."""
    if "jsonschema" in sys.modules:
        import nbformat

        return nbformat
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import nbformat
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return nbformat


# --------------------------------------------------------------------------- running


def _first_line(source: str) -> str:
    line = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return line if len(line) <= 120 else line[:117] + "..."


def _typed_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _fresh_folder(out_dir: str | os.PathLike[str]) -> Path:
    """A report folder beside ``out_dir`` that does not exist yet: ``NAME-2``,
    ``NAME-3``... (what a refused ``--out`` suggests instead).

    Examples
    --------
    >>> _fresh_folder("/nonexistent/reports/mine").name
    'mine-2'
    """
    folder = Path(out_dir)
    stem = re.sub(r"-\d+$", "", folder.name) or "report"
    n = 2
    while (candidate := folder.with_name(f"{stem}-{n}")).exists():
        n += 1
    return candidate


def _choose_fresh(out_dir: Path, why: str = "choose a new or empty folder") -> str:
    """The hint of a refused ``--out``: a concrete folder name that is free."""
    return f"{why}, e.g. --out {_typed_path(_fresh_folder(out_dir))}"


def _check_out_dir(out_dir: Path, notebooks: Mapping[str, Path]) -> None:
    """Refuse a report folder where a report would replace a notebook that is not one.

    A case's report is ``<out>/<notebook name>``: with ``--out`` at the notebooks' own
    folder (or a folder holding a notebook of that name that no earlier run wrote) it
    would overwrite the source. An earlier report carries papermill's metadata.
    """
    nbformat = _import_nbformat()

    for case, nb in notebooks.items():
        target = out_dir / nb.name
        if not target.exists():
            continue
        if target.resolve() == nb.resolve():
            raise ParameterError(
                f"--out {out_dir}: the report of case {case!r} would replace its source "
                f"notebook {nb}", hint=_choose_fresh(out_dir, "choose another folder"))
        try:
            earlier_report = "papermill" in nbformat.read(os.fspath(target), as_version=4).metadata
        except Exception:  # unreadable: not a report this command wrote
            earlier_report = False
        if not earlier_report:
            raise ParameterError(
                f"--out {out_dir}: {target.name} there is not an earlier report and would be "
                "replaced", hint=_choose_fresh(out_dir, "move that notebook away, or "
                                               "choose a new or empty folder"))
    _check_ours(out_dir)


def _check_ours(out_dir: Path) -> None:
    """Refuse a report folder that holds files no casebook run wrote.

    A run writes ``index.html``, ``<notebook>.html`` and ``<case>.findings.json`` (and
    whatever the notebooks export) over what is there: in a folder of the user's own
    those would be their files. Accepted: a missing or empty folder, one holding
    :data:`REPORT_MARKER` (made by an earlier run), and a folder directly under
    :func:`casebook.paths.reports_dir` that holds an earlier report made before the
    marker existed (``reports/latest`` of ``make run`` among them): an executed notebook
    with papermill's metadata, or an index this command wrote.

    Raises
    ------
    ParameterError
        Naming the folder and some of its files.
    """
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise ParameterError(f"--out {out_dir}: not a folder",
                             hint=_choose_fresh(out_dir, "choose a folder"))
    if (out_dir / REPORT_MARKER).is_file() or (
            out_dir.resolve().parent == paths.reports_dir().resolve()
            and _holds_earlier_report(out_dir)):
        return
    present = sorted(p.name for p in out_dir.iterdir())
    if present:
        shown = ", ".join(present[:4]) + (f" and {len(present) - 4} more" if len(present) > 4 else "")
        raise ParameterError(
            f"--out {out_dir}: the folder holds files casebook run did not write ({shown}); a "
            "report would replace or mix with them (nothing was written)",
            hint=_choose_fresh(out_dir))


def _holds_earlier_report(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds a report of an earlier run (one made before
    :data:`REPORT_MARKER`): its ``index.html`` (titled as :func:`run_cases` titles it) or
    an executed notebook carrying papermill's metadata."""
    index = out_dir / "index.html"
    try:
        with index.open("rb") as fh:
            if f"<title>{INDEX_TITLE}</title>".encode() in fh.read(4096):
                return True
    except OSError:
        pass
    for nb in sorted(out_dir.glob("*.ipynb"))[:8]:  # a few notebooks are enough to tell
        try:
            content = json.loads(nb.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        meta = content.get("metadata") if isinstance(content, dict) else None
        if isinstance(meta, dict) and "papermill" in meta:
            return True
    return False


def _mark_ours(out_dir: Path) -> None:
    """Write :data:`REPORT_MARKER` into a report folder (a later run may write there)."""
    marker = out_dir / REPORT_MARKER
    if not marker.is_file():
        write_text_atomically(marker, "This folder holds reports of `casebook run`: a later run "
                                      "into it replaces them.\n")


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    """Inode, modification time and size of ``path``, or None when it is absent: a file
    replaced by a rename, or rewritten, has another."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Within it, SIGTERM raises :class:`_RunTerminated` (a KeyboardInterrupt: an
    interruption, not an error) in the main thread, so that the run's ``finally`` clauses
    remove its temporary files (the default action kills the process on the spot).
    Elsewhere than the main thread, signals cannot be handled: nothing changes."""
    if threading.current_thread() is not threading.main_thread() or callable(
            signal.getsignal(signal.SIGTERM)):
        # a Python handler is there already (the command line's, which unwinds the same
        # way and exits 143): it stays
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise _RunTerminated(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _failed_cell(output_notebook: Path, exc: Any) -> FailedCell:
    """Locate the failing cell in the executed notebook; number it as in the source notebook."""
    nbformat = _import_nbformat()

    index: int | None = None
    total: int | None = None
    source = str(getattr(exc, "source", "") or "")
    if output_notebook.is_file():
        cells = [
            c
            for c in nbformat.read(os.fspath(output_notebook), as_version=4).cells
            if not _INJECTED_TAGS & set(c.get("metadata", {}).get("tags", []))
        ]
        failing = [
            i
            for i, c in enumerate(cells)
            if any(o.get("output_type") == "error" for o in c.get("outputs", []))
        ]
        matching = [i for i in failing if cells[i].source == source]
        index = (matching or failing or [None])[0]
        total = len(cells)
    evalue = str(getattr(exc, "evalue", "") or "").strip().splitlines()
    message = evalue[0] if evalue else ""
    if len(message) > 300:
        message = message[:297] + "..."
    ename = getattr(exc, "ename", type(exc).__name__)
    return FailedCell(
        index=index,
        cells=total,
        execution_count=getattr(exc, "exec_count", None),
        first_line=_first_line(source),
        exception=f"{ename}: {message}" if message else str(ename),
    )


def _provenance(result: CaseResult, declared: Mapping[str, Mapping[str, Any]]) -> None:
    data_dir = result.parameters.get("data_dir", _default_value(declared.get("data_dir", {})))
    datasets = result.parameters.get("datasets", _default_value(declared.get("datasets", {})))
    if not isinstance(data_dir, str):
        return
    result.data_dir = paths.specimen_dir() if data_dir == "" else paths.resolve(data_dir)
    if not isinstance(datasets, (list, tuple)):
        return
    try:
        if not datasets:  # the first release found, as casebook.case.open_case picks it
            from casebook.case import find_releases

            datasets = find_releases(data_dir)[:1]
        result.datasets, result.absent = discovery.find_datasets(
            data_dir, [str(d) for d in datasets]
        )
    except FileNotFoundError:
        result.absent = [str(d) for d in datasets]
    result.specimen = any(discovery.is_specimen(p) for p in result.datasets.values())
    if CONTROL_PARAMETER in declared:
        control = result.parameters.get(CONTROL_PARAMETER,
                                        _default_value(declared[CONTROL_PARAMETER]))
        result.control_stated = True
        result.control = discovery.find_control(data_dir, str(control)) if control else None


def _say(message: str) -> None:
    from tqdm.auto import tqdm

    tqdm.write(message, file=sys.stdout)


def run_cases(
    cases: Sequence[str | os.PathLike[str]] | None = None,
    *,
    params_file: str | os.PathLike[str] | None = None,
    params: Mapping[str, Any] | None = None,
    data: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool = True,
    kernel_name: str | None = None,
) -> RunResult:
    """Execute case notebooks with papermill and write the HTML reports and index.

    Parameters
    ----------
    cases
        Case names from :data:`CASES` or paths to notebooks; default
        :data:`DEFAULT_CASES`.
    params_file
        A YAML file of parameters (``-f``): top-level keys for every case, a key
        named after a case holding a mapping for that case only.
    params
        Parameter values (``-p``), over the file's.
    data
        Folder with the releases: sets ``data_dir`` (``--data``).
    out
        Report folder; default ``reports/latest`` (:data:`DEFAULT_RUN`).
    progress
        Show a progress bar over cases (and papermill's over cells, on a terminal).
    kernel_name
        Jupyter kernel; default ``python3`` (this environment's Python).

    Returns
    -------
    RunResult
        The report folder, the index and each case's outcome (``exit_code`` is 1 when
        any case failed).

    Raises
    ------
    ParameterError
        Before anything runs, for an unknown case, an unknown or mistyped parameter,
        a missing ``--data`` folder or a missing kernel.
    UsageError
        Before anything runs, when ``CASEBOOK_THREADS`` is not a whole number >= 1.
    MissingDataError
        Before any kernel starts, when a case's ``data_dir`` (from ``params/CASE.yaml``,
        ``params_file``, ``params`` or the notebook's default) does not exist.

    Examples
    --------
    >>> result = run_cases(["russia"], params={"datasets": ["GRU_202012"]})  # doctest: +SKIP
    >>> result.index  # doctest: +SKIP
    PosixPath('.../reports/latest/index.html')
    """
    from tqdm.auto import tqdm

    from casebook._threads import threads

    threads()  # a bad CASEBOOK_THREADS is one line now, not an error in every case's kernel
    notebooks = resolve_cases(cases)
    file_params = (
        _read_yaml_mapping(paths.resolve(params_file), "-f file") if params_file is not None else {}
    )
    shared, sections = split_params_file(file_params, list(notebooks))
    data_path = None
    if data is not None:
        data_path = paths.resolve(data)
        if not data_path.is_dir():
            raise ParameterError(f"--data {data}: no such folder ({data_path})")
    kernel = kernel_name or DEFAULT_KERNEL
    python = kernel_python(kernel)
    if kernel_name is None and Path(python).resolve() != Path(sys.executable).resolve():
        _say(f"note: kernel {kernel!r} runs {python}, not this environment's {sys.executable}")

    # every case's parameters are checked before any notebook runs
    declared = {case: notebook_parameters(nb) for case, nb in notebooks.items()}
    problems: list[str] = []
    planned: dict[str, dict[str, Any]] = {}
    for case, nb in notebooks.items():
        try:
            planned[case] = case_parameters(
                case, nb, shared=shared, section=sections.get(case), params=params,
                data=data_path, declared=declared[case],
            )
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError(" | ".join(problems))
    _check_data_dirs(planned, declared)

    out_dir = paths.resolve(out) if out is not None else paths.reports_dir() / DEFAULT_RUN
    _check_out_dir(out_dir, notebooks)
    out_dir.mkdir(parents=True, exist_ok=True)
    _mark_ours(out_dir)
    results: list[CaseResult] = []
    bar = tqdm(list(notebooks.items()), desc="cases", unit="case", disable=not progress, file=sys.stderr)
    # the page exporter's imports and templates load while the first case runs (1.5 s of
    # a one-case run, cold), not after it
    warm = threading.Thread(target=_warm_up_export, name="casebook-warm-export", daemon=True)
    warm.start()
    try:
        with _sigterm_unwinds(), kernel_environment():
            for case, nb in bar:
                results.append(_run_case(case, nb, out_dir=out_dir, params=planned[case],
                                         declared=declared[case], kernel=kernel,
                                         progress=progress, bar=bar, export_ready=warm))
            run = RunResult(out_dir=out_dir, index=out_dir / "index.html", cases=results)
            write_index(run)
    finally:
        bar.close()
    return run


def kernel_env() -> dict[str, str]:
    """:data:`KERNEL_ENV` without an Arrow allocator that this machine's pyarrow was built
    without (pyarrow would warn and use its default)."""
    import pyarrow as pa

    env = dict(KERNEL_ENV)
    if env.get("ARROW_DEFAULT_MEMORY_POOL") not in pa.supported_memory_backends():
        env.pop("ARROW_DEFAULT_MEMORY_POOL", None)
    return env


@contextlib.contextmanager
def kernel_environment() -> Iterator[dict[str, str]]:
    """:data:`KERNEL_ENV` in ``os.environ`` for the kernels started inside (a variable the
    environment sets already is kept, and an Arrow allocator this pyarrow lacks is not
    asked for); restored on leaving. Yields what was set."""
    added = {k: v for k, v in kernel_env().items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield added
    finally:
        for k in added:
            os.environ.pop(k, None)


def _warm_up_export() -> None:
    """Export a one-cell notebook, so that the first report's page finds nbconvert
    imported and its templates compiled; a failure here is the real export's to report."""
    nbformat = _import_nbformat()

    from casebook import report

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# warm-up")]
    with contextlib.suppress(Exception):
        report.notebook_html(nb, title="warm-up")


def _run_case(case: str, nb: Path, *, out_dir: Path, params: Mapping[str, Any],
              declared: Mapping[str, Mapping[str, Any]], kernel: str, progress: bool,
              bar: Any, export_ready: threading.Thread | None = None) -> CaseResult:
    """Execute one case notebook into ``out_dir`` and export its page (:func:`run_cases`);
    ``export_ready`` is the export warm-up, joined before the page is written."""
    import tempfile

    import papermill
    from papermill.exceptions import PapermillExecutionError

    from casebook import report

    bar.set_postfix_str(case)
    output_notebook = out_dir / nb.name
    html_path = output_notebook.with_suffix(".html")
    findings = report.findings_path(out_dir, case)
    # the notebook runs into a temporary name and replaces an earlier report only when
    # done (a partial notebook included); the earlier page and findings stay until this
    # run has made their replacements, so an interrupted run leaves the earlier report
    # whole and the index's links working
    running = out_dir / f".{nb.stem}.running.ipynb"
    running.unlink(missing_ok=True)  # left by a killed run
    earlier_findings = _file_identity(findings)
    run_params = dict(params)
    if "output_dir" in declared:
        run_params["output_dir"] = str(out_dir)
    result = CaseResult(case=case, notebook=nb, output_notebook=output_notebook, parameters=run_params)
    cell_bar = {"leave": False, "desc": case} if progress and sys.stderr.isatty() else False
    kernel_log = tempfile.TemporaryFile()
    try:
        try:
            papermill.execute_notebook(
                os.fspath(nb),
                os.fspath(running),
                parameters=run_params,
                kernel_name=kernel,
                engine_name=_engine(),
                progress_bar=cell_bar,
                cwd=os.fspath(out_dir),
                config=_kernel_config(),
                kernel_manager_class=_kernel_manager(kernel_log),
            )
            result.status = "ok"
        except PapermillExecutionError as exc:
            result.status = "failed"
            result.error = _failed_cell(running, exc)
        except Exception as exc:  # the kernel died, timed out or could not start
            result.status = "failed"
            result.message = _run_error(exc, kernel_log)
        finally:
            kernel_log.close()
        if running.is_file():
            os.replace(running, output_notebook)
    finally:
        # only an interrupted run gets here with it: its partial notebook is no report
        running.unlink(missing_ok=True)
    _provenance(result, declared)  # after the run: a case may write the specimen
    if export_ready is not None:
        export_ready.join()
    if output_notebook.is_file():
        try:
            write_text_atomically(html_path, report.notebook_html(
                output_notebook, title=page_title(output_notebook)))
            result.html = html_path
        except Exception as exc:  # a page that cannot be made is reported, not fatal
            html_path.unlink(missing_ok=True)  # the earlier run's page: not this notebook's
            result.message = (result.message + "; " if result.message else "") + (
                f"HTML export failed: {type(exc).__name__}: {exc}"
            )
    if earlier_findings is not None and _file_identity(findings) == earlier_findings:
        # this run recorded none: the index would show the earlier run's as its own
        findings.unlink(missing_ok=True)
    try:
        result.findings = report.load_findings(out_dir, case)
    except ValueError as exc:
        result.message = (result.message + "; " if result.message else "") + str(exc)
    if result.ok:
        _say(f"ok      {case}")
    else:
        _say(f"FAILED  {case}: {result.describe_failure()}")
        _say(f"        partial notebook kept: {output_notebook}")
    return result


def _run_error(exc: BaseException, kernel_log: IO[bytes] | None = None) -> str:
    """One line for an error that stopped a run outside any cell. A dead kernel says what
    usually kills one: at specimen scale 16 the system's out-of-memory killer stopped the
    kernel at 24 GB, and papermill's ``DeadKernelError: Kernel died`` said no more. The
    last line of the kernel's own log (:func:`_kernel_manager`) follows when it wrote one
    (a crash's "Fatal Python error: ...")."""
    from nbclient.exceptions import DeadKernelError

    text = str(exc).strip()
    line = f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
    if isinstance(exc, DeadKernelError):
        line += (" (the kernel process was stopped, most often by the system when memory ran"
                 " out: `dmesg | grep -i 'out of memory'` tells; free memory, or run the case"
                 " on a smaller release)")
    if kernel_log is not None:
        kernel_log.seek(0, os.SEEK_END)
        kernel_log.seek(max(0, kernel_log.tell() - 4096))
        said = [s.strip() for s in kernel_log.read().decode("utf-8", "replace").splitlines()]
        said = [s for s in said if s]
        if said:
            line += f"; the kernel's last log line: {said[-1]}"
    return line


def page_title(notebook: str | os.PathLike[str]) -> str | None:
    """The title of a notebook's page: its first level-1 heading, from a markdown cell
    (``# Title``) or from an HTML output (``<h1>Title</h1>``: a title written from the
    data, as the generic ``release`` case does); None when it has neither.

    The title is returned as plain text (tags dropped, entities decoded);
    :func:`casebook.report.html_page` escapes it again.
    """
    nbformat = _import_nbformat()

    nb = nbformat.read(os.fspath(notebook), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, flags=re.M)
            if m:
                return m.group(1).strip()
            continue
        for output in cell.get("outputs", []):
            fragment = output.get("data", {}).get("text/html", "")
            fragment = "".join(fragment) if isinstance(fragment, list) else str(fragment)
            m = re.search(r"<h1\b[^>]*>(.*?)</h1\s*>", fragment, flags=re.S | re.I)
            if m:
                text = html.unescape(re.sub(r"<[^>]*>", "", m.group(1)))
                return " ".join(text.split()) or None
    return None


# --------------------------------------------------------------------------- index


def _shown_path(p: Path | None) -> str:
    if p is None:
        return ""
    try:
        return p.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(p)


def _link(target: Path | None, label: str, base: Path) -> str:
    from casebook import safety

    if target is None or not target.is_file():
        return ""
    href = urllib.parse.quote(os.path.relpath(target, base).replace(os.sep, "/"))
    return f'<a href="{safety.escape_html(href)}">{safety.escape_html(label)}</a>'


def _shared_control(cases: Sequence[CaseResult]) -> dict[str, Any]:
    """``{"control": folder}`` when every case names the same control cohort, else ``{}``
    (each case's own section then says which control it used)."""
    controls = {c.control for c in cases if c.control_stated}
    if cases and all(c.control_stated for c in cases) and len(controls) == 1:
        return {"control": controls.pop()}
    return {}


def write_index(result: RunResult) -> Path:
    """Write ``index.html``: every case's status, findings, data and parameters."""
    import pandas as pd
    import yaml

    from casebook import __version__, report, safety

    def esc(text: str) -> str:  # folder names and failures come from the data: shown inert
        return safety.escape_html(safety.reveal_invisible(text))

    base = result.out_dir
    parts = ["<h1>casebook report</h1>"]
    every = {n: p for c in result.cases for n, p in c.datasets.items()}
    shared = _shared_control(result.cases)
    top = report.data_sources(every, **shared)
    if every and (top.synthetic or top.control_synthetic):
        parts.append(report.specimen_banner(every, **shared).html)
    failed = result.failed
    parts.append(
        f"<p>{len(result.cases)} case(s) run; "
        + (f'<span class="status-failed">{len(failed)} failed</span>' if failed else '<span class="status-ok">all ran</span>')
        + ".</p>"
    )
    summary = pd.DataFrame(
        {
            "case": [c.case for c in result.cases],
            "status": [c.status for c in result.cases],
            "data": [c.sources().data for c in result.cases],
            "control cohort": [c.sources().control_words for c in result.cases],
            "datasets present": [", ".join(c.datasets) for c in result.cases],
            "datasets absent": [", ".join(c.absent) for c in result.cases],
        }
    )
    parts.append(report.show_table(summary, max_rows=len(summary) or 1, caption="Cases").html)
    for c in result.cases:
        status_class = "status-ok" if c.ok else "status-failed"
        links = " | ".join(
            filter(None, [_link(c.html, "report", base), _link(c.output_notebook, "notebook", base)])
        )
        parts.append(
            f'<h2 id="case-{esc(c.case)}">{esc(c.case)}</h2>'
            f'<p>Status: <span class="{status_class}">{esc(c.status)}</span>'
            + (f" &mdash; {links}" if links else "")
            + "</p>"
        )
        if not c.ok:
            parts.append(f"<p>Failed at {esc(c.describe_failure())}</p>")
        elif c.message:
            parts.append(f"<p>Note: {esc(c.message)}</p>")
        if c.findings is not None and len(c.findings):
            parts.append(report.show_table(c.findings, max_rows=len(c.findings), caption="Headline findings").html)
        else:
            parts.append("<p>No findings recorded.</p>")
        if c.datasets:
            parts.append(report.specimen_banner(
                c.datasets, **({"control": c.control} if c.control_stated else {})).html)
        data_line = (
            f"Data folder: {esc(_shown_path(c.data_dir))}"
            + (" (synthetic specimen)" if c.specimen else "")
            + (f"; absent: {esc(', '.join(c.absent))}" if c.absent else "")
            + (f"; control cohort folder: {esc(_shown_path(c.control))}"
               if c.control is not None else "")
        )
        parts.append(f"<p>{data_line}</p>")
        shown_params = pd.DataFrame(
            {
                "parameter": list(c.parameters),
                "value": [yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("...").strip() for v in c.parameters.values()],
            }
        )
        if len(shown_params):
            parts.append(
                report.show_table(
                    shown_params, max_rows=len(shown_params), caption="Parameters set for this run",
                    text_columns=[],
                ).html
            )
    parts.append(f"<p><small>casebook {esc(__version__)}; notebooks executed with papermill.</small></p>")
    write_text_atomically(result.index, report.html_page("\n".join(parts), title=INDEX_TITLE))
    return result.index


# --------------------------------------------------------------------------- command line


def _list_cases() -> int:
    for case, file in CASES.items():
        notebook = paths.notebooks_dir() / file
        print(f"{case}: {file}" + ("" if case in DEFAULT_CASES else "  (runs when named)")
              + ("" if notebook.is_file() else "  (notebook not found)"))
        if notebook.is_file():
            try:
                declared = notebook_parameters(notebook)
            except ParameterError as exc:
                print(f"  {exc}")
                continue
            # each declaration as written: papermill splits a line at its first "#", so
            # its default of ["#Debates2020"] would read '["  # Debates2020"]'
            for line in _parameter_lines(notebook, declared):
                print(f"  {line}")
    return 0


def _parameter_lines(notebook: Path, declared: Mapping[str, Any]) -> list[str]:
    """The lines of the ``parameters`` cell that declare ``declared``, as written."""
    nbformat = _import_nbformat()
    nb = nbformat.read(os.fspath(notebook), as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    names = set(declared)
    return [line for line in cell.source.splitlines()
            if re.match(r"\s*(\w+)\s*[:=]", line)
            and re.match(r"\s*(\w+)", line).group(1) in names]


def run(args: argparse.Namespace) -> int:
    """``casebook run``: run the cases, print where the reports are.

    Raises
    ------
    ParameterError
        Before anything runs: an unknown case or parameter, a wrong type (exit status 2).
    MissingDataError
        Before anything runs: a case's data folder does not exist (exit status 1).
    RunError
        After the run, when a case failed: names each failed case and its failing cell
        (exit status 1). The other cases ran and the index shows every case.
    """
    if args.list:
        return _list_cases()
    params = {key: RawValue(value) for key, value in (args.param or [])}
    result = run_cases(
        args.cases or None,
        params_file=args.params_file,
        params=params,
        data=args.data,
        out=args.out,
        progress=args.progress,
        kernel_name=args.kernel,
    )
    from casebook.safety import escape_line

    print(f"Reports: {escape_line(result.index)}")
    failed = result.failed
    if failed:
        raise RunError(
            f"{len(failed)} of {len(result.cases)} case(s) failed: "
            + "; ".join(f"{c.case}: {c.describe_failure()}" for c in failed),
            hint="each partial notebook is kept in the report folder",
        )
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook run`` to ``parser``."""
    parser.description = textwrap.fill(
        "Execute the case notebooks with papermill and write, for each, the executed "
        "notebook and an HTML page for readers (code hidden), plus index.html with "
        "the headline findings, the data used and each case's status. A failing case "
        "keeps its partial notebook and does not stop the others."
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        f"cases: {', '.join(CASES)} (default: {', '.join(DEFAULT_CASES)}), or paths to "
        ".ipynb files\n\n"
        "parameters, lowest to highest precedence: the notebook's defaults, "
        "params/CASE.yaml,\n-f FILE, -p KEY VALUE, --data DIR. Unknown keys are errors.\n\n"
        "examples:\n"
        "  casebook run\n"
        "  casebook run iran --data data/raw -p seed 1\n"
        "  casebook run russia -p datasets '[GRU_202012]' --out reports/gru\n"
        "  casebook run release --data data/raw -p datasets '[REA_0621]' "
        "-p claims_file mine.yaml\n"
        "  casebook run --list\n\n"
        "environment: CASEBOOK_THREADS=N runs the parallel steps (the coordination "
        "section's\nkinds and chance replicates, text batches) on N threads; default: "
        "one per core\nthis process may use, fewer replicates at once where memory is "
        "short\n\n"
        "exit status: 0 all cases ran, 1 a case failed, 2 bad arguments or parameters"
    )
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help=f"cases to run (default: {', '.join(DEFAULT_CASES)})")
    parser.add_argument("-f", "--params-file", metavar="FILE", help="YAML file of parameters")
    parser.add_argument(
        "-p", "--param", nargs=2, action="append", metavar=("KEY", "VALUE"),
        help="set a parameter (VALUE is read as YAML, as given for str parameters; repeatable)",
    )
    parser.add_argument("--data", metavar="DIR", help="folder with the releases (sets data_dir)")
    parser.add_argument(
        "--out", metavar="DIR",
        help=f"report folder (default: reports/{DEFAULT_RUN}): a new or empty folder, one an "
             "earlier run made, or a folder under reports/; any other folder holding files "
             "is refused",
    )
    parser.add_argument("--kernel", metavar="NAME", default=None, help="Jupyter kernel (default: python3)")
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bars"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and their parameters")
