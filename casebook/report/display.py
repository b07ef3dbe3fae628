"""Display: tables, banners and the claims ledger, escaped and defanged for a notebook.

Archive text is hostile: every cell and header is escaped
(:func:`casebook.safety.escape_html`) and every link in a text column defanged
(``http://evil.example`` -> ``hxxp://evil[.]example``). What the functions return is
:class:`SafeHTML`: HTML for Jupyter with a plain-text twin, so stored notebook outputs
are the same on every run.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from casebook import safety
from casebook._frames import HASH_IN_TEXT, is_list_column, join_lists
from casebook.claims import NOT_SUPPORTED, NOT_TESTABLE, SUPPORTED
from casebook.discovery import is_specimen
from casebook.schema import STRING

__all__ = [
    "SPECIMEN_WARNING",
    "SafeHTML",
    "defanged_columns",
    "is_text_like",
    "render_ledger",
    "show_table",
    "specimen_banner",
]

#: The words every page built on specimen data shows.
SPECIMEN_WARNING = "SYNTHETIC SPECIMEN DATA: not real accounts"


@dataclass(frozen=True)
class SafeHTML:
    """Escaped, display-ready HTML with a plain-text twin.

    Jupyter shows :attr:`html` (``_repr_html_``); a console, a log or nbval's
    ``text/plain`` comparison sees :attr:`text`.
    """

    html: str
    text: str = ""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or self.html

    def __str__(self) -> str:
        return self.html


def is_text_like(s: pd.Series) -> bool:
    """Whether a column holds text to show (strings, lists of strings, objects)."""
    if isinstance(s.dtype, pd.StringDtype) or is_list_column(s):
        return True
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_string(s.dtype.pyarrow_dtype):
        return True
    return s.dtype == object


def _as_text(s: pd.Series) -> pd.Series:
    """Display strings for one column, vectorised; missing values become ``<NA>``.

    Lists are joined with commas; times are ``YYYY-MM-DD HH:MM`` (``YYYY-MM-DD`` when
    every value is at midnight), the archive's own minute resolution.
    """
    if is_list_column(s):
        return join_lists(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s.dt.tz_convert("UTC").dt.tz_localize(None) if s.dt.tz is not None else s
        midnight = bool((t.dropna() == t.dropna().dt.normalize()).all())
        return t.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M").astype(STRING)
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        text = pd.Series(np.char.mod("%.4g", values), index=s.index, dtype=STRING)
        return text.mask(s.isna())
    if s.dtype == object and s.map(lambda v: isinstance(v, (list, tuple))).any():
        return s.map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                     ).astype(STRING)
    return s.astype(STRING)


def _abbreviate_hashes(text: pd.Series) -> pd.Series:
    """Shorten archive hashes to their first 8 characters and an ellipsis."""
    return text.str.replace(HASH_IN_TEXT, r"\1…", regex=True)


def defanged_columns(df: pd.DataFrame, chosen: Sequence[str] | None) -> list[Any]:
    """The columns whose links are defanged: ``chosen`` (the ``text_columns`` argument
    of :func:`show_table` and :func:`casebook.report.export_csv`), or every text-like
    column."""
    if chosen is None:
        return [c for c in df.columns if is_text_like(df[c])]
    missing = [c for c in chosen if c not in df.columns]
    if missing:
        raise KeyError(f"text_columns not in the table: {missing}")
    return list(chosen)


def _safe_cells(df: pd.DataFrame, chosen: Sequence[str] | None,
                abbreviate_ids: bool = False) -> pd.DataFrame:
    """Every cell as escaped display text; URLs in text columns defanged."""
    defang = set(defanged_columns(df, chosen))
    cells = {}
    for col in df.columns:  # a loop over columns, not rows
        text = _as_text(df[col])
        if abbreviate_ids:
            text = _abbreviate_hashes(text)
        if col in defang:
            text = safety.defang_url(text)
        cells[safety.escape_html(str(col))] = safety.escape_html(text).fillna("")
    return pd.DataFrame(cells, index=df.index)


def show_table(
    df: pd.DataFrame | pd.Series,
    *,
    max_rows: int = 20,
    text_columns: Sequence[str] | None = None,
    caption: str | None = None,
    abbreviate_ids: bool = True,
) -> SafeHTML:
    """Render a table of tweets or accounts safely for a notebook or a report.

    Every cell, header and index label is HTML-escaped (so ``<script>`` in a tweet is
    shown as text) and every link in a text column is defanged
    (``http://evil.example`` -> ``hxxp://evil[.]example``), so nothing from the archive
    can run or be clicked by accident. List columns (``hashtags``, ``urls``...) are
    shown comma-separated.

    Parameters
    ----------
    df
        The table. A Series is shown as a one-column table. The index is shown unless
        it is the default ``0..n-1`` range.
    max_rows
        Show at most this many rows (the first ones); the caption then says how many
        there are in all.
    text_columns
        Columns whose links are defanged; default every string, object or list column.
    caption
        A caption above the table (escaped too).
    abbreviate_ids
        Shorten the archive's 40-44 character hashes (hashed ids and names) to their
        first 8 characters and an ellipsis, so tables stay readable; the full ids are
        in the DataFrame and in the explorer.

    Returns
    -------
    SafeHTML
        Displays as an HTML table in Jupyter; its ``repr`` is a plain-text table.

    Examples
    --------
    >>> t = pd.DataFrame({"tweet_text": ["<b>hi</b> http://evil.example"]})
    >>> "hxxp://evil[.]example" in show_table(t).html
    True
    >>> "<b>" in show_table(t).html
    False
    """
    frame = df.to_frame() if isinstance(df, pd.Series) else df
    if max_rows < 0:
        raise ValueError("max_rows must be >= 0")
    total = len(frame)
    shown = frame.head(max_rows)
    default_index = isinstance(shown.index, pd.RangeIndex) and shown.index.start == 0 and shown.index.step == 1
    if not default_index:
        shown = shown.reset_index()
    shown = shown.set_axis([_label(c) for c in shown.columns], axis=1)
    chosen = None if text_columns is None else [_label(c) for c in text_columns]
    cells = _safe_cells(shown, chosen, abbreviate_ids)
    defanged = set(defanged_columns(shown, chosen))

    note = f"first {len(shown):,} of {total:,} rows" if total > len(shown) else ""
    title = " ".join(filter(None, [caption or "", f"({note})" if note and caption else note]))
    html = cells.to_html(escape=False, index=False, border=0, classes="casebook-table", na_rep="")
    if title:
        html = html.replace(">", f"><caption>{safety.escape_html(title)}</caption>", 1)
    plain_cells = pd.DataFrame(
        {c: _plain(shown[c], c in defanged, abbreviate_ids) for c in shown.columns}
    )
    text = plain_cells.to_string(index=False) if len(plain_cells.columns) else "(no columns)"
    return SafeHTML(html=html, text=f"{title}\n{text}" if title else text)


def _label(col: Any) -> str:
    return " / ".join(map(str, col)) if isinstance(col, tuple) else str(col)


def _plain(s: pd.Series, defang: bool, abbreviate_ids: bool = False) -> pd.Series:
    text = _as_text(s)
    if abbreviate_ids:
        text = _abbreviate_hashes(text)
    return (safety.defang_url(text) if defang else text).fillna("")


def specimen_banner(
    paths_: Mapping[str, str | os.PathLike[str]] | Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
) -> SafeHTML:
    """A banner naming the data; it says plainly when any of it is synthetic.

    Parameters
    ----------
    paths_
        The loaded datasets: the dict from :func:`find_datasets` (name -> folder), a
        list of release folders, or one folder.

    Returns
    -------
    SafeHTML
        "SYNTHETIC SPECIMEN DATA: not real accounts" and the specimen datasets, when any
        dataset is the specimen; otherwise a line naming the (real) datasets. Paths are
        not shown, so the output is the same on every machine.
    """
    if isinstance(paths_, (str, os.PathLike)):
        items = {Path(paths_).name: Path(paths_)}
    elif isinstance(paths_, Mapping):
        items = {str(k): Path(v) for k, v in paths_.items()}
    else:
        items = {Path(p).name: Path(p) for p in paths_}
    synthetic = [n for n, p in items.items() if is_specimen(p)]
    real = [n for n in items if n not in synthetic]
    if not items:
        text = "No dataset was found: nothing to show."
        return SafeHTML(html=f'<div class="casebook-banner">{text}</div>', text=text)
    if synthetic:
        text = (
            f"{SPECIMEN_WARNING}. Datasets generated by 'casebook specimen': "
            f"{', '.join(synthetic)}. What follows describes synthetic accounts modelled "
            "on published facts, not the operations themselves."
        )
        if real:
            text += f" Real archive datasets: {', '.join(real)}."
        body = (
            f"<strong>{safety.escape_html(SPECIMEN_WARNING)}.</strong> "
            f"{safety.escape_html(text[len(SPECIMEN_WARNING) + 2:])}"
        )
        style = (
            "border:2px solid #b00020;background-color:#fdecea;color:#5f0010;"
            "padding:0.6em 0.9em;margin:0.5em 0;font-size:1.05em"
        )
        html = f'<div class="casebook-banner casebook-synthetic" role="alert" style="{style}">{body}</div>'
        return SafeHTML(html=html, text=text)
    text = f"Data: archive release files: {', '.join(real)}."
    return SafeHTML(html=f'<div class="casebook-banner">{safety.escape_html(text)}</div>', text=text)


_VERDICT_STYLE = {
    SUPPORTED: "background-color: #d9f2d9",
    NOT_SUPPORTED: "background-color: #f8d7d7",
    NOT_TESTABLE: "background-color: #eeeeee",
}


def render_ledger(ledger: pd.DataFrame, *,
                  columns: Sequence[str] = ("claim", "source", "rule", "evidence", "verdict"),
                  ) -> SafeHTML:
    """The claims ledger as an HTML table, verdicts coloured.

    Every cell is HTML-escaped (:func:`html.escape`: account names and tweet text in
    the evidence cannot inject markup). The table is built with a pandas Styler, but
    what comes back is its HTML, not the Styler.

    Parameters
    ----------
    ledger
        :func:`casebook.claims.evaluate_claims` (or :meth:`casebook.case.Case.ledger`).
    columns
        Columns to show, in order; those absent from ``ledger`` are skipped.

    Returns
    -------
    SafeHTML
        The styled table (``.html``) with a plain-text twin (``.text``), so notebook
        outputs carry no object address and stay identical between runs.
    """
    shown = [c for c in columns if c in ledger]
    escaped = ledger[shown].astype("string").fillna("").map(html.escape)
    # a fixed uuid keeps the HTML identical between runs (notebooks are checked by nbval)
    styler = escaped.style.set_uuid("ledger").hide(axis="index").set_properties(
        **{"text-align": "left", "vertical-align": "top"})
    if "verdict" in shown:
        styler = styler.map(lambda v: _VERDICT_STYLE.get(html.unescape(v), ""),
                            subset=["verdict"])
    styler = styler.set_table_attributes('class="casebook-ledger"')
    text = ledger[shown].astype("string").fillna("").to_string(index=False)
    return SafeHTML(html=styler.to_html(), text=text)
