"""Readable, safe reports: display helpers, findings files and the HTML pages.

Every case notebook shows tweets and accounts through :func:`show_table`, records its
headline findings with :func:`record_findings`, finds its data with
:func:`find_datasets` and says whether the data is synthetic with
:func:`specimen_banner`. ``casebook run`` (:mod:`casebook.runner`) then turns each
executed notebook into a page for readers with :func:`notebook_html` and links them
from an index built with :func:`html_page`.

Archive text is written by the operators, so it is treated as hostile everywhere:

- tables escape every cell and header (:func:`casebook.safety.escape_html`) and defang
  links in text columns (``http://evil.example`` -> ``hxxp://evil[.]example``);
- CSV exports neutralise cells a spreadsheet would run as formulas (``'=HYPERLINK(...``);
- the HTML pages are sanitised again as a whole with an allow-list (:func:`sanitize_html`,
  ammonia through ``nh3``): no ``<script>``, ``<style>``, ``<iframe>``, event-handler
  attribute or ``javascript:`` link survives, whatever a cell displayed; and each page
  carries a Content-Security-Policy that forbids scripts and any network fetch.

Examples
--------
In a case notebook::

    from casebook import report
    found, absent = report.find_datasets(data_dir, datasets)
    report.specimen_banner(found)
    report.show_table(tweets[["tweet_time", "user_screen_name", "tweet_text"]])
    report.record_findings(findings, case="iran", output_dir=output_dir)
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook import paths, safety
from casebook.schema import STRING

__all__ = [
    "FINDING_COLUMNS",
    "SafeHTML",
    "export_csv",
    "find_datasets",
    "findings_path",
    "html_page",
    "is_release_dir",
    "is_specimen",
    "load_findings",
    "notebook_html",
    "record_findings",
    "sanitize_html",
    "show_table",
    "specimen_banner",
]

#: Columns of a findings table, in order.
FINDING_COLUMNS: tuple[str, ...] = ("finding", "value", "detail")

#: File suffixes of archive data files (as the loader reads them).
DATA_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".gz", ".zip")

#: The words every page built on specimen data shows.
SPECIMEN_WARNING = "SYNTHETIC SPECIMEN DATA: not real accounts"

_CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --------------------------------------------------------------------------- display


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


def _is_list(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_list(s.dtype.pyarrow_dtype)


def _is_texty(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.StringDtype) or _is_list(s):
        return True
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_string(s.dtype.pyarrow_dtype):
        return True
    return s.dtype == object


def _join_lists(s: pd.Series, sep: str = ", ") -> pd.Series:
    """A list column as one string per row (``a, b``); missing stays missing."""
    joined = pc.binary_join(pa.array(s), sep)
    return pd.Series(joined.to_pandas(types_mapper=pd.ArrowDtype), index=s.index).astype(STRING)


#: An archive hash standing in for an id or a name (base64-like, 40-44 characters).
_HASH = r"(?<![A-Za-z0-9+/])([A-Za-z0-9+/]{8})[A-Za-z0-9+/]{32,35}={0,2}(?![A-Za-z0-9+/=])"


def _as_text(s: pd.Series) -> pd.Series:
    """Display strings for one column, vectorised; missing values become ``<NA>``.

    Lists are joined with commas; times are ``YYYY-MM-DD HH:MM`` (``YYYY-MM-DD`` when
    every value is at midnight), the archive's own minute resolution.
    """
    if _is_list(s):
        return _join_lists(s)
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
    return text.str.replace(_HASH, r"\1…", regex=True)


def _text_columns(df: pd.DataFrame, text_columns: Sequence[str] | None) -> list[Any]:
    if text_columns is None:
        return [c for c in df.columns if _is_texty(df[c])]
    missing = [c for c in text_columns if c not in df.columns]
    if missing:
        raise KeyError(f"text_columns not in the table: {missing}")
    return list(text_columns)


def _safe_cells(df: pd.DataFrame, text_columns: Sequence[str] | None,
                abbreviate_ids: bool = False) -> pd.DataFrame:
    """Every cell as escaped display text; URLs in text columns defanged."""
    defang = set(_text_columns(df, text_columns))
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
    text_columns = None if text_columns is None else [_label(c) for c in text_columns]
    cells = _safe_cells(shown, text_columns, abbreviate_ids)
    defanged = set(_text_columns(shown, text_columns))

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


#: Columns holding archive ids (kept verbatim in CSV exports when they are plain ids).
_ID_COLUMNS = frozenset({
    "tweetid", "userid", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "retweet_userid", "retweet_tweetid", "source", "target", "source_tweetid",
    "target_tweetid",
})


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
    (:func:`casebook.safety.to_safe_csv`). In the id columns (``tweetid``, ``userid``,
    ``retweet_userid``... and ``source``/``target`` of edges) a plain id, digits or a
    hashed id such as ``+EL31k...Y=``, is kept verbatim so the file joins back to the
    archive; any other cell there is neutralised too. List columns are written
    comma-separated.

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
    columns = _text_columns(df, text_columns)
    frame = df.copy(deep=False)
    for col in df.columns:  # a loop over columns, not rows
        if _is_list(df[col]):
            frame[col] = _join_lists(df[col])
        if defang and col in columns:
            frame[col] = safety.defang_url(frame[col].astype(STRING))
    ids = [c for c in frame.columns if c in _ID_COLUMNS and not _is_list(df[c])]
    safety.to_safe_csv(frame, out, ids=ids)
    return out


# --------------------------------------------------------------------------- findings


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
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{case}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
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


# --------------------------------------------------------------------------- datasets


def _data_files(folder: Path) -> list[Path]:
    return sorted(
        f for f in folder.iterdir() if f.is_file() and f.name.lower().endswith(DATA_SUFFIXES)
    )


def is_release_dir(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder holding archive data files (.csv, .csv.gz, .zip)."""
    p = Path(path)
    return p.is_dir() and bool(_data_files(p))


def _names_dataset(name: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(name.lower())}(?![a-z0-9])", text.lower()) is not None


def find_datasets(
    data_dir: str | os.PathLike[str], datasets: str | Sequence[str]
) -> tuple[dict[str, Path], list[str]]:
    """Which of the requested datasets are present under ``data_dir``.

    Parameters
    ----------
    data_dir
        ``""``: the specimen folder (:func:`casebook.paths.specimen_dir`). A folder that
        is itself a release (it holds archive data files) is the requested dataset whose
        name it carries (folder name, or the names of its files), else the first one
        requested. Otherwise each sub-folder named like a requested dataset
        (case-insensitive; or whose files carry the name) and holding data files.
    datasets
        Dataset names, e.g. ``["GRU_202012", "IRA_202012"]``.

    Returns
    -------
    tuple
        ``(present, absent)``: a dict name -> release folder, in the order requested,
        and the list of names not found.

    Raises
    ------
    FileNotFoundError
        When ``data_dir`` does not exist (for the specimen: run ``casebook specimen``).

    Examples
    --------
    >>> found, absent = find_datasets("", ["GRU_202012", "IRA_202012"])  # doctest: +SKIP
    """
    names = list(dict.fromkeys([datasets] if isinstance(datasets, str) else datasets))
    root = paths.specimen_dir() if str(data_dir) == "" else paths.resolve(data_dir)
    if not root.is_dir():
        hint = " (generate it with 'casebook specimen')" if str(data_dir) == "" else ""
        raise FileNotFoundError(f"data folder not found: {root}{hint}")
    present: dict[str, Path] = {}
    if is_release_dir(root):
        file_names = " ".join(f.name for f in _data_files(root))
        match = next((n for n in names if n.lower() == root.name.lower()), None) or next(
            (n for n in names if _names_dataset(n, file_names)), None
        )
        chosen = match or (names[0] if names else None)
        if chosen is not None:
            present[chosen] = root
    else:
        subdirs = sorted(d for d in root.iterdir() if d.is_dir() and is_release_dir(d))
        for name in names:
            hit = next((d for d in subdirs if d.name.lower() == name.lower()), None) or next(
                (d for d in subdirs if _names_dataset(name, " ".join(f.name for f in _data_files(d)))),
                None,
            )
            if hit is not None:
                present[name] = hit
    absent = [n for n in names if n not in present]
    return present, absent


def is_specimen(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (a release folder, or a file in one) is synthetic specimen data.

    The specimen writes ``ground_truth.json`` with ``"synthetic": true`` into each
    release folder (or the folder above it); nothing else counts.
    """
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    for candidate in (folder / "ground_truth.json", folder.parent / "ground_truth.json"):
        try:
            marker = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(marker, dict) and marker.get("synthetic") is True:
            return True
    return False


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


# --------------------------------------------------------------------------- pages

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_REMOVE_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg",
    "math", "form", "textarea", "select", "button", "frame", "frameset", "title",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "style", "role", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-align", "vertical-align", "white-space", "border", "border-collapse",
    "border-color", "border-style", "border-width", "border-bottom", "border-top",
    "border-left", "border-right", "padding", "margin", "width", "max-width", "height",
}
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
_LINK = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.I)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if _IMAGE_DATA.match(value) else None
    if attr == "href":
        return value if _LINK.match(value.strip()) else None
    return value


_CLEANER: Any = None


def sanitize_html(fragment: str) -> str:
    """Sanitise an HTML fragment with an allow-list (ammonia, through ``nh3``).

    Keeps text markup, tables and embedded images (``data:image/...;base64`` only);
    removes ``<script>``, ``<style>``, ``<iframe>``, forms and their content, every
    attribute not on the list (so every ``on*`` event handler), links other than
    http(s), mailto and relative ones, and CSS properties other than simple layout and
    colour.

    Examples
    --------
    >>> sanitize_html('<img src=x onerror=alert(1)><script>alert(1)</script><b>ok</b>')
    '<img><b>ok</b>'
    """
    global _CLEANER
    if _CLEANER is None:
        import nh3

        _CLEANER = nh3.Cleaner(
            tags=_TAGS,
            clean_content_tags=_REMOVE_WITH_CONTENT,
            attributes=_ATTRIBUTES,
            attribute_filter=_attribute_filter,
            url_schemes={"http", "https", "mailto", "data"},
            strip_comments=True,
            link_rel="noopener noreferrer nofollow",
            filter_style_properties=_STYLE_PROPERTIES,
        )
    return _CLEANER.clean(fragment)


#: No scripts, no fetches: images only from data: URIs, styles only inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)

_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       color: #1d1d1f; max-width: 70rem; margin: 2rem auto; padding: 0 1.25rem; }
h1, h2, h3 { line-height: 1.25; }
a.anchor-link { display: none; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 0.6em;
      border-radius: 4px; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.75em 0; font-size: 0.92em; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: left; vertical-align: top;
         max-width: 40rem; overflow-wrap: anywhere; }
thead th { background: #f0f3f6; }
tbody tr:nth-child(even) { background: #fafbfc; }
img { max-width: 100%; height: auto; }
.output_area, .text_cell_render { margin: 0.4em 0; }
.output_stderr { display: none; }
.casebook-banner { border: 1px solid #d0d7de; padding: 0.6em 0.9em; margin: 0.5em 0; }
.casebook-synthetic { border: 2px solid #b00020; background: #fdecea; color: #5f0010; }
.status-ok { color: #116329; font-weight: 600; }
.status-failed { color: #b00020; font-weight: 600; }
.ansi-red-fg { color: #b00020; } .ansi-green-fg { color: #116329; }
.ansi-yellow-fg { color: #7d4e00; } .ansi-blue-fg { color: #0550ae; }
.ansi-cyan-fg { color: #1b7c83; } .ansi-bold { font-weight: 600; }
"""


def html_page(body: str, *, title: str) -> str:
    """A complete, self-contained HTML page around a sanitised ``body`` fragment.

    The body goes through :func:`sanitize_html`; the page has a fixed stylesheet and a
    Content-Security-Policy that forbids scripts and network requests.
    """
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{safety.escape_html(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n"
        f"<body>\n{sanitize_html(body)}\n</body>\n</html>\n"
    )


#: Output types shown in reports; anything else (JavaScript, widgets...) is dropped.
SAFE_OUTPUT_TYPES: frozenset[str] = frozenset(
    {"text/plain", "text/html", "text/markdown", "image/png", "image/jpeg", "image/svg+xml"}
)


def notebook_html(notebook: Any, *, title: str | None = None) -> str:
    """An executed notebook as a page for readers: code hidden, outputs kept, sanitised.

    Parameters
    ----------
    notebook
        A path to an ``.ipynb`` file, or an ``nbformat`` notebook node (not modified).
    title
        Page title; default the notebook's first heading, else its file name.

    Returns
    -------
    str
        The page (see :func:`html_page`). Cells tagged ``remove-cell`` are left out,
        and so are the outputs of cells tagged ``remove-output``; stderr streams
        (warnings, progress bars) are hidden.
    """
    import copy

    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    if isinstance(notebook, (str, os.PathLike)):
        nb = nbformat.read(os.fspath(notebook), as_version=4)
        default_title = Path(notebook).stem
    else:
        nb = copy.deepcopy(notebook)
        default_title = "casebook report"
    for cell in nb.cells:  # cells, not tweets: drop output types a page must not render
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = {k: v for k, v in output["data"].items() if k in SAFE_OUTPUT_TYPES}
    config = Config(
        {
            "TagRemovePreprocessor": {
                "enabled": True,
                "remove_cell_tags": ["remove-cell", "remove_cell"],
                "remove_all_outputs_tags": ["remove-output", "remove_output"],
            }
        }
    )
    exporter = HTMLExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return html_page(body, title=title or _first_heading(nb) or default_title)


def _first_heading(nb: Any) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#+\s+(.+)$", cell.source, flags=re.M)
            if m:
                return m.group(1).strip()
    return None
