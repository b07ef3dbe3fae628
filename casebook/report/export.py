"""Export: tables as CSV files that are safe to open in a spreadsheet."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from casebook import safety
from casebook._files import write_atomically
from casebook._frames import is_list_column, join_lists
from casebook.errors import UsageError
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
    archive; any other cell there is neutralised too (the id is the cell without its
    ``'``). List columns are written
    comma-separated. Text is written as published, bidi and invisible characters
    included (the file is data, to be joined back to the archive). Nothing is
    abbreviated or reformatted: hashed ids (in id columns
    and inside text) are written whole, whatever :func:`~casebook.report.show_table`
    shortens on screen, and numbers are written as numbers.

    Labels in the index (a ``groupby`` result, ``value_counts``, a ``set_index``) are
    written as the first columns, under the index's names, and made safe like any
    column; an unnamed index of integers (a default ``RangeIndex``, or what filtering
    or sorting left of one) holds row numbers only and is not written.

    The file is written under a temporary name and renamed when complete: an
    interrupted export leaves the earlier file as it was. A path named as an archive
    data file, or in a folder holding archive files (a release folder), is refused
    (:func:`casebook.safety.refuse_archive_output`).

    Parameters
    ----------
    df
        The table; it is not modified.
    path
        Output file (its folder is created).
    text_columns
        Columns whose links are defanged; default every string, object or list column
        (index labels included).
    defang
        Defang links (``hxxp://evil[.]example``), the default, so no cell is a live
        link; ``False`` keeps links as published.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    UsageError
        When ``path`` would replace or join the archive's files, or when an index level
        has the name of a column.

    Examples
    --------
    >>> export_csv(pd.DataFrame({"t": ['=HYPERLINK("http://x.example")']}), "t.csv")  # doctest: +SKIP
    """
    out = Path(path)
    safety.refuse_archive_output(out, hint="export to a folder of your own, e.g. "
                                           "reports/exports/table.csv")
    frame = _with_labels(df)
    out.parent.mkdir(parents=True, exist_ok=True)
    columns = defanged_columns(frame, text_columns)
    lists = [c for c in frame.columns if is_list_column(frame[c])]
    frame = frame.copy(deep=False)
    for col in frame.columns:  # a loop over columns, not rows
        if col in lists:
            frame[col] = join_lists(frame[col])
        if defang and col in columns:
            frame[col] = safety.defang_url(frame[col].astype(STRING))
    ids = [c for c in frame.columns if c in ID_COLUMNS and c not in lists]
    # an interrupted export (Ctrl-C, a full disk) must not leave a half file under the
    # final name, nor lose the earlier one; guarded by
    # tests/hostile/test_data_safety.py::test_export_csv_interrupted_keeps_the_earlier_file
    write_atomically(out, lambda tmp: safety.to_safe_csv(frame, tmp, ids=ids))
    return out


def _labels_in_index(index: pd.Index) -> bool:
    """Does ``index`` hold labels worth writing? Named levels or several (a groupby
    result), or labels that are not integers (names, dates); an unnamed integer index
    is row numbers."""
    if isinstance(index, pd.MultiIndex) or any(n is not None for n in index.names):
        return True
    return not pd.api.types.is_integer_dtype(index.dtype)


def _with_labels(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its index labels as leading columns, when they are labels; guarded by
    tests/test_safety.py::test_export_csv_keeps_the_labels_of_a_grouped_table."""
    if not _labels_in_index(df.index):
        return df
    try:
        return df.reset_index()
    except ValueError as exc:  # pandas: "cannot insert client, already exists"
        raise UsageError(f"cannot export the table's index as columns: {exc}",
                         hint="rename the index (df.rename_axis('...')) or drop it "
                              "(df.reset_index(drop=True))") from exc
