"""Export: tables as CSV files that are safe to open in a spreadsheet."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from casebook import safety
from casebook._frames import is_list_column, join_lists
from casebook.report.display import ID_COLUMNS, defanged_columns
from casebook.schema import STRING

__all__ = ["export_csv"]


def export_csv(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    text_columns: Sequence[str] | None = None,
    defang: bool = True,
) -> Path:
    """Write a table as CSV that is safe to open in a spreadsheet.

    Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return) get a leading ``'``
    (:func:`casebook.safety.to_safe_csv`, :func:`casebook.safety.neutralise_csv_cell`):
    in text, categorical and list columns, and in the header row too. In the id columns (``tweetid``, ``userid``,
    ``retweet_userid``... and ``source``/``target`` of edges) a plain id, digits or a
    hashed id such as ``+EL31k...Y=``, is kept verbatim so the file joins back to the
    archive; any other cell there is neutralised too. List columns are written
    comma-separated. Text is written as published, bidi and invisible characters
    included (the file is data, to be joined back to the archive). Nothing is
    abbreviated or reformatted: hashed ids (in id columns
    and inside text) are written whole, whatever :func:`~casebook.report.show_table`
    shortens on screen, and numbers are written as numbers.

    Parameters
    ----------
    df
        The table; it is not modified.
    path
        Output file (its folder is created).
    text_columns
        Columns whose links are defanged; default every string, object or list column.
    defang
        Defang links (``hxxp://evil[.]example``), the default, so no cell is a live
        link; ``False`` keeps links as published.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> export_csv(pd.DataFrame({"t": ['=HYPERLINK("http://x.example")']}), "t.csv")  # doctest: +SKIP
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    columns = defanged_columns(df, text_columns)
    frame = df.copy(deep=False)
    for col in df.columns:  # a loop over columns, not rows
        if is_list_column(df[col]):
            frame[col] = join_lists(df[col])
        if defang and col in columns:
            frame[col] = safety.defang_url(frame[col].astype(STRING))
    ids = [c for c in frame.columns if c in ID_COLUMNS and not is_list_column(df[c])]
    safety.to_safe_csv(frame, out, ids=ids)
    return out
