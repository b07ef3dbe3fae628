"""``casebook releases``: the catalogue of the archive's known releases, as a table.

The data lives in :mod:`casebook.catalogue` (which ``casebook fetch`` reads too); this
module is only the command, so that each command's ``--help`` loads its own module.
Output is a plain-text table, or ``--json`` / ``--csv`` with every column (sources and
notes included; CSV cells are neutralised against spreadsheet formulas by
:func:`casebook.safety.to_safe_csv`).

Examples
--------
::

    casebook releases
    casebook releases --country Russia
    casebook releases REA_0621 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import TYPE_CHECKING, Any

from casebook.catalogue import releases_table, require
from casebook.errors import UsageError

if TYPE_CHECKING:  # pandas is heavy: imported inside run
    import pandas as pd

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook releases`` to ``parser``."""
    parser.description = textwrap.fill(
        "List the known datasets of Twitter's information-operations archive (2018-2021): "
        "disclosure date, attributed country, published account and tweet counts (empty "
        "where none was published) and how their files are named. Download one with "
        "'casebook fetch NAME'.")
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "examples:\n"
        "  casebook releases\n"
        "  casebook releases --country Russia\n"
        "  casebook releases REA_0621 --json\n"
        "  casebook releases --csv > releases.csv")
    parser.add_argument("names", metavar="NAME", nargs="*",
                        help="only these datasets (default: all)")
    parser.add_argument("--country", metavar="TEXT",
                        help="only datasets whose attributed country contains TEXT")
    parser.add_argument("--release", metavar="FOLDER",
                        help="only datasets of this release folder, e.g. 2021_12")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON records, with sources")
    out.add_argument("--csv", action="store_true",
                     help="print CSV, with sources (cells safe to open in a spreadsheet)")


def run(args: argparse.Namespace) -> int:
    """``casebook releases``: print the catalogue as a table, JSON or CSV.

    Raises
    ------
    UsageError
        A NAME that is not catalogued, or filters that leave nothing (exit status 2).
    """
    table = releases_table([require(n).name for n in args.names] if args.names else None)
    if args.country:
        table = table.loc[table["country"].str.contains(args.country, case=False,
                                                        regex=False)]
    if args.release:
        table = table.loc[table["release"] == args.release]
    if table.empty:
        raise UsageError("no catalogued release matches",
                         hint="'casebook releases' lists them all")
    if args.json:
        records = json.loads(table.to_json(orient="records"))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif args.csv:
        from casebook.safety import to_safe_csv

        to_safe_csv(table, sys.stdout)
    else:
        print(_format_table(table))
        print(f"\n{len(table)} dataset{'s' if len(table) != 1 else ''}; counts are the "
              "published ones (empty: none published); split: the tweets file comes in parts "
              "per year or numbered. Sources and notes: casebook releases --json")
    return 0


def _format_table(table: pd.DataFrame) -> str:
    """A plain-text table of the main columns (the file pattern of the tweets file)."""
    import pandas as pd

    def count(value: Any) -> str:
        return "" if pd.isna(value) else f"{int(value):,}"

    shown = table.assign(
        accounts=table["accounts"].map(count, na_action=None).astype(str),
        tweets=table["tweets"].map(count, na_action=None).astype(str),
        files=table["files"].str.split(" | ", regex=False).str[0],
        split=table["split"].replace({"single": ""}),
    )[["name", "release", "disclosed", "country", "accounts", "tweets", "split", "files"]]
    widths = {c: max(len(c), *(len(str(v)) for v in shown[c])) for c in shown.columns}
    right = {"accounts", "tweets"}
    lines = ["  ".join(c.rjust(widths[c]) if c in right else c.ljust(widths[c])
                       for c in shown.columns).rstrip()]
    for row in shown.itertuples(index=False):
        lines.append("  ".join(str(v).rjust(widths[c]) if c in right else
                               str(v).ljust(widths[c])
                               for c, v in zip(shown.columns, row, strict=True)).rstrip())
    return "\n".join(lines)
