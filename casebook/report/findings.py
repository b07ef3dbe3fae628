"""Findings: each case's headline findings, saved for the report index and shown."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from casebook import paths
from casebook._files import write_atomically
from casebook.report.display import SafeHTML, show_table

__all__ = ["FINDING_COLUMNS", "findings_path", "load_findings", "record_findings"]

#: Columns of a findings table, in order.
FINDING_COLUMNS: tuple[str, ...] = ("finding", "value", "detail")

_CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def findings_path(output_dir: str | os.PathLike[str], case: str) -> Path:
    """``<output_dir>/<case>.findings.json`` (``""`` = ``reports/notebooks/``: the folder
    for notebooks run by hand or by nbval, outside the notebooks folder)."""
    _check_case(case)
    return _output_dir(output_dir) / f"{case}.findings.json"


def _check_case(case: str) -> None:
    if not isinstance(case, str) or not _CASE_NAME.match(case):
        raise ValueError(
            f"case must be a short name of letters, digits, '_', '-' or '.', got {case!r}"
        )


def _output_dir(output_dir: str | os.PathLike[str]) -> Path:
    if str(output_dir) == "":
        return paths.reports_dir() / "notebooks"
    return paths.resolve(output_dir)


def _findings_frame(findings: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    frame = findings if isinstance(findings, pd.DataFrame) else pd.DataFrame(list(findings))
    extra = [c for c in frame.columns if c not in FINDING_COLUMNS]
    if extra:
        raise ValueError(f"findings have unknown column(s) {extra}; allowed: {list(FINDING_COLUMNS)}")
    if len(frame) and "finding" not in frame.columns:
        raise ValueError("findings need a 'finding' column (what was found)")
    return frame.reindex(columns=list(FINDING_COLUMNS)).reset_index(drop=True)


def record_findings(
    findings: pd.DataFrame | Iterable[Mapping[str, Any]],
    *,
    case: str,
    output_dir: str | os.PathLike[str] = "",
) -> SafeHTML:
    """Save a case's headline findings for the report index, and show them.

    Writes ``<output_dir>/<case>.findings.json`` atomically (a temporary file in the
    same folder, then a rename), so a reader never sees half a file.

    Parameters
    ----------
    findings
        A DataFrame with columns ``finding`` (what), ``value`` (the number or answer)
        and ``detail`` (how it was measured, caveats), or a list of dicts with those
        keys. ``value`` and ``detail`` may be left out. Numbers, booleans, timestamps
        and missing values are stored as JSON.
    case
        The case name (``iran``, ``russia``...): the file name ``casebook run`` reads.
    output_dir
        Folder for the file; ``""`` (the default) is ``reports/notebooks/``.

    Returns
    -------
    SafeHTML
        The findings as an escaped table.

    Examples
    --------
    >>> record_findings(  # doctest: +SKIP
    ...     [{"finding": "accounts", "value": 238, "detail": "users file"}],
    ...     case="iran", output_dir=output_dir)
    """
    frame = _findings_frame(findings)
    target = findings_path(output_dir, case)
    target.parent.mkdir(parents=True, exist_ok=True)
    records = json.loads(
        frame.to_json(orient="records", date_format="iso", default_handler=str, force_ascii=False)
    )
    from casebook import __version__

    payload = {"case": case, "casebook_version": __version__, "findings": records}

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())

    write_atomically(target, write)
    return show_table(frame, max_rows=max(len(frame), 1), caption=f"Headline findings: {case}")


def load_findings(output_dir: str | os.PathLike[str], case: str) -> pd.DataFrame | None:
    """The findings a case recorded, or ``None`` when it recorded none.

    Raises
    ------
    ValueError
        When the file exists but is not a findings file.
    """
    path = findings_path(output_dir, case)
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return _findings_frame(payload["findings"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a findings file ({exc})") from exc
