"""Display: tables, banners and the claims ledger, escaped and defanged for a notebook.

Archive text is hostile: every cell and header is escaped
(:func:`casebook.safety.escape_html`), every link in a text column defanged
(``http://evil.example`` -> ``hxxp://evil[.]example``) and every bidi control or
invisible format character shown as ``<U+202E>``
(:func:`casebook.safety.reveal_invisible`). What the functions return is
:class:`SafeHTML`: HTML for Jupyter, marked so that MathJax typesets nothing in it
(:func:`casebook.safety.no_math`), with a plain-text twin, so stored notebook outputs
are the same on every run.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from casebook import safety
from casebook._frames import HASH_IN_TEXT, is_list_column, join_lists
from casebook.discovery import is_specimen
from casebook.evidence import (
    INCONCLUSIVE,
    INSUFFICIENT,
    NOT_DISTINCTIVE,
    NOT_SUPPORTED,
    NOT_TESTABLE,
    SUPPORTED,
    value_in_words,
)
from casebook.schema import STRING

__all__ = [
    "ID_COLUMNS",
    "SPECIMEN_WARNING",
    "DataSources",
    "SafeHTML",
    "data_sources",
    "defanged_columns",
    "enable_figure_alt_text",
    "figure_alt_text",
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
    ``text/plain`` comparison sees :attr:`text`. The HTML is always wrapped in an
    element MathJax skips (:func:`casebook.safety.no_math`): a ``$...$`` in a tweet is
    never typeset, whoever built the HTML.
    """

    html: str
    text: str = ""

    def __post_init__(self) -> None:
        # frozen: the one place every casebook HTML output passes through
        object.__setattr__(self, "html", safety.no_math(self.html))

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
    if isinstance(s.dtype, pd.CategoricalDtype):  # text categories (client, language...)
        categories = s.cat.categories
        return is_text_like(pd.Series(categories, dtype=categories.dtype))
    return s.dtype == object


#: Columns holding archive ids: never given thousands separators, kept verbatim in CSV.
ID_COLUMNS = frozenset({
    "tweetid", "userid", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "retweet_userid", "retweet_tweetid", "source", "target", "source_tweetid",
    "target_tweetid",
})
# a column named like this holds shares (0..1), shown as percentages; a confidence (the
# time zone's: the share of resamples giving the same answer) is one too, so it reads
# "100.0%" in every table, never "1" in one and "100.0%" in another
_SHARE_NAME = re.compile(r"share|fraction|proportion|confidence", re.I)
# integers in a column named like this are labels, not counts: no thousands separator
_LABEL_NAME = re.compile(r"ids?$|year|seed|^hour|weekday|offset", re.I)
# a column named like this holds running text (tweets, profiles, evidence), where
# Persian and Arabic words need the zero-width (non-)joiner; names reveal it
_PROSE_NAME = re.compile(r"text|description|evidence|claim|rule|narrative|sample", re.I)


def _revealed(text: pd.Series, name: str) -> pd.Series:
    """Bidi controls and invisible characters of a display column shown as ``<U+...>``."""
    return safety.reveal_invisible(text, prose=bool(_PROSE_NAME.search(name)))


def _is_share(s: pd.Series, name: str) -> bool:
    if not _SHARE_NAME.search(name) or not pd.api.types.is_numeric_dtype(s.dtype):
        return False
    if pd.api.types.is_bool_dtype(s.dtype):
        return False
    values = s.to_numpy(dtype=float, na_value=np.nan)
    values = values[~np.isnan(values)]
    return bool(((values >= 0) & (values <= 1)).all())


def _percent(s: pd.Series) -> pd.Series:
    """Shares as percentages: ``0.123`` -> ``12.3%``; a share above 0 that rounds to 0.0%
    is ``<0.1%``, so nothing non-zero reads as none."""
    pct = s.to_numpy(dtype=float, na_value=np.nan) * 100
    text = pd.Series(np.char.mod("%.1f%%", pct), index=s.index, dtype=STRING)
    text = text.mask((pct > 0) & (pct < 0.05), "<0.1%")
    return text.mask(s.isna())


def _thousands(values: pd.Series) -> pd.Series:
    """Whole numbers with thousands separators (``12345`` -> ``12,345``).

    Python formatting per cell: it runs on the rows a table shows, never on a release.
    """
    return values.map(lambda v: f"{v:,.0f}" if pd.notna(v) else pd.NA).astype(STRING)


def _as_text(s: pd.Series, name: str = "") -> pd.Series:
    """Display strings for one column; missing values become ``<NA>``.

    Lists are joined with commas; times are ``YYYY-MM-DD HH:MM`` (``YYYY-MM-DD`` when
    every value is at midnight), the archive's own minute resolution. Shares (a column
    named ``...share...``, ``fraction``, ``proportion`` or ``confidence`` with values in
    0..1) are percentages; counts (integers, whole floats, numbers of 1,000 or more) get thousands
    separators, except in columns of labels (ids, years, hours, seeds).
    """
    if is_list_column(s):
        return join_lists(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s.dt.tz_convert("UTC").dt.tz_localize(None) if s.dt.tz is not None else s
        midnight = bool((t.dropna() == t.dropna().dt.normalize()).all())
        return t.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M").astype(STRING)
    label = bool(name) and (name.lower() in ID_COLUMNS or bool(_LABEL_NAME.search(name)))
    if _is_share(s, name):
        return _percent(s)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(STRING)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype(STRING) if label else _thousands(s)
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        text = pd.Series(np.char.mod("%.4g", values), index=s.index, dtype=STRING)
        finite = values[np.isfinite(values)]
        whole = finite.size > 0 and bool((finite == np.round(finite)).all())
        if not label:  # counts that became floats (a missing value) and large numbers
            big = np.isfinite(values) & (whole | (np.abs(values) >= 1000))
            if big.any():
                text = text.mask(big, _thousands(s.where(big)))
        return text.mask(s.isna())
    if s.dtype == object:
        if s.map(lambda v: isinstance(v, (list, tuple))).any():
            return s.map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                         ).astype(STRING)
        if not label:  # mixed values (a findings table): counts among them get separators
            counts = s.map(lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool))
            if counts.any():
                return s.astype(STRING).mask(counts, _thousands(s.where(counts)))
    return s.astype(STRING)


def _abbreviate_hashes(text: pd.Series) -> pd.Series:
    """Shorten archive hashes to their first 8 characters and an ellipsis."""
    return text.str.replace(HASH_IN_TEXT, r"\1…", regex=True)


def _abbreviate_hashes_html(escaped: pd.Series) -> pd.Series:
    """Like :func:`_abbreviate_hashes` on escaped HTML, each hash in an ``<abbr>`` whose
    ``title`` is the full hash (hover, or a screen reader, gives the whole id).

    Safe after escaping: a hash is base64 (``A-Za-z0-9+/=``), which needs no escaping in
    an attribute, and no HTML entity (``&...;``) can be part of one."""
    return escaped.str.replace(HASH_IN_TEXT, r'<abbr title="\g<0>">\1…</abbr>', regex=True)


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


def _cell_html(s: pd.Series, name: str, defang: bool, abbreviate_ids: bool) -> pd.Series:
    """One column's cells as escaped HTML: display text, invisible characters revealed,
    links defanged (``defang``), hashes abbreviated inside an ``<abbr>``."""
    text = _revealed(_as_text(s, name), name)
    if defang:
        text = safety.defang_url(text)
    text = safety.escape_html(text)
    if abbreviate_ids:
        text = _abbreviate_hashes_html(text)
    return text


def _isolate(html: pd.Series) -> pd.Series:
    """Each non-empty cell in a ``<bdi>``: its direction is its own (a right-to-left text
    cannot reorder the text around it)."""
    return html.mask(html.fillna("") != "", "<bdi>" + html + "</bdi>")


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _isolated_lists(s: pd.Series, name: str, defang: bool, abbreviate_ids: bool) -> pd.Series:
    """A column of lists as HTML: each element escaped and isolated in its own ``<bdi>``,
    joined with commas, so one right-to-left text (a Persian tweet among a community's
    sample texts) cannot reorder the texts beside it in the cell.

    A loop over the rows a table shows (never a release's)."""
    rows = s.tolist()
    owner, items = [], []
    for i, value in enumerate(rows):
        if _is_list(value):
            for item in value:
                if item is not None and not (isinstance(item, float) and np.isnan(item)):
                    owner.append(i)
                    items.append(str(item))
    html = _isolate(_cell_html(pd.Series(items, dtype=STRING), name, defang, abbreviate_ids))
    parts: list[list[str]] = [[] for _ in rows]
    for i, cell in zip(owner, html.fillna("").tolist(), strict=True):
        parts[i].append(cell)
    out = pd.Series([", ".join(p) for p in parts], index=s.index, dtype=STRING)
    # a missing list is an empty cell; a mixed column's other values are texts
    plain = [i for i, value in enumerate(rows)
             if not _is_list(value) and not (np.ndim(value) == 0 and pd.isna(value))]
    if plain:
        single = pd.Series([str(rows[i]) for i in plain], dtype=STRING)
        out.iloc[plain] = _isolate(_cell_html(single, name, defang, abbreviate_ids)).to_numpy()
    return out


def _safe_cells(df: pd.DataFrame, chosen: Sequence[str] | None,
                abbreviate_ids: bool = False) -> pd.DataFrame:
    """Every cell as escaped display text; URLs in text columns defanged; hashes
    abbreviated inside an ``<abbr>`` carrying the full id; every text cell (and every
    element of a list cell) isolated in a ``<bdi>``.

    The one place a table's text gets its bidi isolation: tweets, names and hashtags are
    often right-to-left (Persian, Arabic), and a cell joining several of them (a
    community's ``sample_texts``) would otherwise let one reorder the others' words,
    numbers and punctuation."""
    defang = set(defanged_columns(df, chosen))
    cells = {}
    for col in df.columns:  # a loop over columns, not rows
        s, name = df[col], str(col)
        if is_list_column(s) or (s.dtype == object and s.map(_is_list).any()):
            text = _isolated_lists(s, name, col in defang, abbreviate_ids)
        else:
            text = _cell_html(s, name, col in defang, abbreviate_ids)
            if s.dtype == object:  # a mixed column (findings): its texts, not its numbers
                texts = s.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
                text = text.mask(texts, _isolate(text))
            elif is_text_like(s):
                text = _isolate(text)
        cells[safety.escape_html(safety.reveal_invisible(name))] = text.fillna("")
    return pd.DataFrame(cells, index=df.index)


def show_table(
    df: pd.DataFrame | pd.Series,
    *,
    max_rows: int = 20,
    text_columns: Sequence[str] | None = None,
    caption: str | None = None,
    abbreviate_ids: bool = True,
    shares: Sequence[str] = (),
) -> SafeHTML:
    """Render a table of tweets or accounts safely for a notebook or a report.

    Every cell, header and index label is HTML-escaped (so ``<script>`` in a tweet is
    shown as text) and every link in a text column is defanged
    (``http://evil.example`` -> ``hxxp://evil[.]example``), so nothing from the archive
    can run or be clicked by accident. Every text cell, and each element of a list
    cell, is isolated in a ``<bdi>``, so a right-to-left text cannot reorder the text
    beside it. List columns (``hashtags``, ``urls``...) are shown comma-separated;
    shares (columns named ``...share...``, and ``confidence``) as percentages and counts
    with thousands separators (``12,345``).

    Parameters
    ----------
    df
        The table. A Series is shown as a one-column table. The index is shown unless
        it is unnamed integers (row positions, as sorting or filtering leaves them).
    max_rows
        Show at most this many rows (the first ones); the caption then says how many
        there are in all.
    text_columns
        Columns whose links are defanged; default every string, object or list column.
    caption
        A caption above the table (escaped too).
    abbreviate_ids
        Shorten the archive's 40-44 character hashes (hashed ids and names) to their
        first 8 characters and an ellipsis, so tables stay readable. In the HTML each
        shortened hash is an ``<abbr>`` whose ``title`` is the full id (shown on hover,
        read by screen readers, kept in exported pages); the full ids are also in the
        DataFrame, in CSV exports (:func:`casebook.report.export_csv`) and in the
        explorer.
    shares
        Columns of shares (0..1) shown as percentages whatever their names (a table of
        client classes, of datasets).

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
    # an unnamed integer index is row positions left by sorting or filtering: not data
    positions = (shown.index.name is None and not isinstance(shown.index, pd.MultiIndex)
                 and pd.api.types.is_integer_dtype(shown.index.dtype))
    if not positions:
        shown = shown.reset_index()
    shown = shown.set_axis([_label(c) for c in shown.columns], axis=1)
    named = [_label(c) for c in shares]
    missing = [c for c in named if c not in shown.columns]
    if missing:
        raise KeyError(f"shares not in the table: {missing}")
    if named:
        shown = shown.assign(**{c: _percent(shown[c]) for c in named})
    chosen = None if text_columns is None else [_label(c) for c in text_columns]
    cells = _safe_cells(shown, chosen, abbreviate_ids)
    defanged = set(defanged_columns(shown, chosen))

    note = f"first {len(shown):,} of {total:,} rows" if total > len(shown) else ""
    title = " ".join(filter(None, [safety.reveal_invisible(caption or ""),
                                   f"({note})" if note and caption else note]))
    html = cells.to_html(escape=False, index=False, border=0, classes="casebook-table", na_rep="")
    if title:
        html = html.replace(">", f"><caption>{safety.escape_html(title)}</caption>", 1)
    plain_cells = pd.DataFrame(
        {safety.reveal_invisible(c): _plain(shown[c], c in defanged, abbreviate_ids)
         for c in shown.columns}
    )
    text = plain_cells.to_string(index=False) if len(plain_cells.columns) else "(no columns)"
    return SafeHTML(html=html, text=f"{title}\n{text}" if title else text)


def _label(col: Any) -> str:
    return " / ".join(map(str, col)) if isinstance(col, tuple) else str(col)


def _plain(s: pd.Series, defang: bool, abbreviate_ids: bool = False) -> pd.Series:
    text = _revealed(_as_text(s, str(s.name)), str(s.name))
    if abbreviate_ids:
        text = _abbreviate_hashes(text)
    return (safety.defang_url(text) if defang else text).fillna("")


#: ``control=`` left out: the caller says nothing about a control cohort.
_UNSAID: Any = object()

_ALERT_STYLE = ("border:2px solid #b00020;background-color:#fdecea;color:#5f0010;"
                "padding:0.6em 0.9em;margin:0.5em 0;font-size:1.05em")
_NOTICE_STYLE = ("border:2px solid #9a6700;background-color:#fff8c5;color:#4d2d00;"
                 "padding:0.6em 0.9em;margin:0.5em 0")

_Folders = (Mapping[str, str | os.PathLike[str]] | Iterable[str | os.PathLike[str]]
           | str | os.PathLike[str])


@dataclass(frozen=True)
class DataSources:
    """What a case stands on: which datasets are synthetic, which real, and its control.

    Built by :func:`data_sources`; :func:`specimen_banner` and the report index
    (``casebook run``) word it.

    Attributes
    ----------
    synthetic, real
        Names of the case's datasets that are the synthetic specimen, and the others
        (real archive files), in the order given.
    control
        Name (folder name) of the control cohort of ordinary accounts; None when there
        is none or nothing was said about it.
    control_synthetic
        Whether that control cohort is the specimen's (synthetic); None without one.
    control_stated
        False when the caller said nothing about a control cohort (an old call of
        :func:`specimen_banner`): then nothing is said about it.
    """

    synthetic: tuple[str, ...]
    real: tuple[str, ...]
    control: str | None = None
    control_synthetic: bool | None = None
    control_stated: bool = False

    @property
    def data(self) -> str:
        """The datasets in a few words: ``synthetic specimen``, ``real archive data`` or
        ``mixed: ...``."""
        if self.synthetic and self.real:
            return (f"mixed: synthetic specimen ({', '.join(self.synthetic)}); "
                    f"real archive data ({', '.join(self.real)})")
        if self.synthetic:
            return "synthetic specimen"
        return "real archive data" if self.real else "none found"

    @property
    def control_words(self) -> str:
        """The control cohort in a few words (``""`` when nothing was said about it)."""
        if not self.control_stated:
            return ""
        if self.control is None:
            return "none"
        kind = "synthetic specimen" if self.control_synthetic else "real cohort from the data folder"
        return f"{kind} ({self.control})"

    @property
    def control_sentence(self) -> str:
        """Where the control cohort came from, as a sentence (``""`` when not stated)."""
        if not self.control_stated:
            return ""
        if self.control is None:
            return ("No control cohort: nothing was compared with ordinary accounts, "
                    "and coordination thresholds were not checked against any.")
        if self.control_synthetic and not self.real:
            return f"Control cohort: the specimen's synthetic ordinary accounts ({self.control})."
        if self.control_synthetic:
            return (f"Coordination thresholds and claims checked against the synthetic "
                    f"specimen's control cohort ({self.control}): synthetic ordinary "
                    "accounts, not real ones.")
        return (f"Coordination thresholds and claims checked against a real control cohort "
                f"of ordinary accounts ({self.control}).")

    @property
    def headline(self) -> str:
        """The banner's first words: :data:`SPECIMEN_WARNING` only when a dataset of the
        case itself is synthetic (a synthetic control alone does not make it so)."""
        if self.synthetic:
            return SPECIMEN_WARNING
        if self.real:
            return f"Real archive data: {', '.join(self.real)}"
        return "No dataset was found: nothing to show"

    @property
    def text(self) -> str:
        """The whole banner as plain text."""
        parts = [self.headline + "."]
        if self.synthetic:
            parts.append(
                f"Synthetic datasets generated by 'casebook specimen': {', '.join(self.synthetic)}. "
                "What follows describes synthetic accounts modelled on published facts, "
                "not the operations themselves."
            )
            if self.real:
                parts.append(f"Real archive data: {', '.join(self.real)}.")
        if (self.synthetic or self.real) and self.control_sentence:
            parts.append(self.control_sentence)
        return " ".join(parts)


def _named_folders(paths_: _Folders) -> dict[str, Path]:
    if isinstance(paths_, (str, os.PathLike)):
        return {Path(paths_).name: Path(paths_)}
    if isinstance(paths_, Mapping):
        return {str(k): Path(v) for k, v in paths_.items()}
    return {Path(p).name: Path(p) for p in paths_}


def data_sources(paths_: _Folders, *,
                 control: str | os.PathLike[str] | None = _UNSAID) -> DataSources:
    """Which of a case's datasets are synthetic and which real, and what its control is.

    Parameters
    ----------
    paths_
        The case's datasets: the dict from :func:`find_datasets` (name -> folder), a
        list of release folders, or one folder. Leave the control cohort out of it.
    control
        The folder of the control cohort the case used (synthetic when it is the
        specimen's, by :func:`casebook.discovery.is_specimen`), or None when it used
        none. Left out, nothing is said about a control.

    Returns
    -------
    DataSources
    """
    items = _named_folders(paths_)
    synthetic = tuple(n for n, p in items.items() if is_specimen(p))
    real = tuple(n for n in items if n not in synthetic)
    if control is _UNSAID:
        return DataSources(synthetic, real)
    if control is None:
        return DataSources(synthetic, real, control_stated=True)
    folder = Path(control)
    return DataSources(synthetic, real, control=folder.name,
                       control_synthetic=is_specimen(folder), control_stated=True)


def specimen_banner(paths_: _Folders, *,
                    control: str | os.PathLike[str] | None = _UNSAID) -> SafeHTML:
    """A banner naming the data: which datasets are synthetic, which real, and where the
    coordination control cohort came from.

    Parameters
    ----------
    paths_
        The case's datasets: the dict from :func:`find_datasets` (name -> folder), a
        list of release folders, or one folder.
    control
        The folder of the control cohort of ordinary accounts the case was checked against,
        or None when it had none (the banner then says so). Left out (older calls),
        the banner says nothing about a control.

    Returns
    -------
    SafeHTML
        Headed "SYNTHETIC SPECIMEN DATA: not real accounts" (a red alert) when any of
        the case's datasets is the specimen, naming the synthetic and the real ones.
        On real datasets it is headed "Real archive data: ..."; when their control
        cohort is the specimen's it says that the coordination thresholds rest on
        synthetic accounts (an amber notice). Paths are not shown, so the output is
        the same on every machine.

    Examples
    --------
    >>> specimen_banner({"GRU_202012": real_folder}, control=specimen_control).text  # doctest: +SKIP
    "Real archive data: GRU_202012. Coordination thresholds and claims checked against the synthetic ..."
    """
    sources = data_sources(paths_, control=control)
    # folder names are the user's: a bidi control in one must not reorder the banner
    text = safety.reveal_invisible(sources.text)
    if not (sources.synthetic or sources.real):
        return SafeHTML(html=f'<div class="casebook-banner">{safety.escape_html(text)}</div>',
                        text=text)
    head = safety.reveal_invisible(sources.headline + ".")
    body = (f"<strong>{safety.escape_html(head)}</strong> "
            f"{safety.escape_html(text[len(head):].strip())}")
    if sources.synthetic:
        return SafeHTML(html=f'<div class="casebook-banner casebook-synthetic" role="alert" '
                             f'style="{_ALERT_STYLE}">{body}</div>', text=text)
    if sources.control_synthetic:
        return SafeHTML(html=f'<div class="casebook-banner casebook-synthetic-control" '
                             f'role="note" style="{_NOTICE_STYLE}">{body}</div>', text=text)
    return SafeHTML(html=f'<div class="casebook-banner">{body}</div>', text=text)


def figure_alt_text(fig: Any) -> str:
    """A figure's alt text, from its title: the suptitle, else its Axes' titles.

    Axes without a title are described by their axis labels (``"y by x"``); a figure
    with neither gives ``""``. Colour bars and other label-less Axes are skipped.

    Examples
    --------
    >>> import matplotlib.pyplot as plt  # doctest: +SKIP
    >>> fig, ax = plt.subplots(); ax.set_title("Tweets per week")  # doctest: +SKIP
    >>> figure_alt_text(fig)  # doctest: +SKIP
    'Tweets per week'
    """
    get_suptitle = getattr(fig, "get_suptitle", None)
    suptitle = get_suptitle().strip() if get_suptitle is not None else ""
    if suptitle:
        return suptitle
    parts = []
    for ax in fig.axes:  # a figure's few Axes
        title = " ".join(t for t in (ax.get_title(loc) for loc in ("left", "center", "right"))
                         if t.strip()).strip()
        if not title:
            x, y = ax.get_xlabel().strip(), ax.get_ylabel().strip()
            title = f"{y} by {x}" if x and y else (y or x)
        if title and title not in parts:
            parts.append(title)
    return "; ".join(parts)


_ALT_MARK = "_casebook_alt_text"


def enable_figure_alt_text(shell: Any = None) -> None:
    """Give every matplotlib figure a notebook shows an alt text from its title.

    The PNG a figure is displayed as carries ``{"alt": figure_alt_text(fig)}`` in the
    output's ``image/png`` metadata, which Jupyter keeps in the ``.ipynb`` and
    :func:`casebook.report.notebook_html` (nbconvert) writes as the ``<img alt=...>``
    of the report page. Call it once, in a notebook's first code cell; calling it
    again does nothing. (``%matplotlib inline`` afterwards resets the figure
    formatters and so undoes it.)

    Parameters
    ----------
    shell
        The IPython shell; default the running one.

    Returns
    -------
    None
        Nothing (so the cell shows no output); outside IPython it does nothing.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # Load the backend now: the inline backend replaces every Figure formatter when it
    # is first loaded, which would otherwise drop this one at the first plot.
    plt.switch_backend(matplotlib.get_backend())
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        previous = formatter.lookup_by_type(Figure)
    except KeyError:
        previous = None
    if getattr(previous, _ALT_MARK, False):
        return

    def png_with_alt(fig: Any) -> Any:
        if previous is not None:
            data = previous(fig)
        else:
            from IPython.core.pylabtools import print_figure

            data = print_figure(fig, "png", base64=True)
        if data is None:
            return None
        alt = figure_alt_text(fig)
        return (data, {"alt": alt}) if alt else data

    setattr(png_with_alt, _ALT_MARK, True)
    formatter.for_type(Figure, png_with_alt)


_VERDICT_STYLE = {
    SUPPORTED: "background-color: #d9f2d9",
    NOT_SUPPORTED: "background-color: #f8d7d7",
    NOT_DISTINCTIVE: "background-color: #fff1c2",
    INSUFFICIENT: "background-color: #e4ecf7",
    INCONCLUSIVE: "background-color: #eeeeee",
    NOT_TESTABLE: "background-color: #eeeeee",
}


def render_ledger(ledger: pd.DataFrame, *,
                  columns: Sequence[str] = ("claim", "source", "rule", "evidence", "verdict"),
                  ) -> SafeHTML:
    """The claims ledger as an HTML table, verdicts coloured.

    Every cell is HTML-escaped (:func:`html.escape`: account names and tweet text in
    the evidence cannot inject markup), its bidi controls, invisible characters and
    control characters shown as ``<U+202E>``, its links defanged, and the table is marked so that MathJax typesets no ``$``
    in it. The table is built with a pandas Styler, but what comes back is its HTML,
    not the Styler.

    ``value`` and ``control_value`` are shown with the ledger's ``value_unit``
    (:func:`casebook.evidence.value_in_words`): ``126.2x (rate ratio)``, ``54.0% of
    tweets``, ``20 accounts``, never a bare number whose kind the reader must guess. The
    DataFrame itself keeps them numbers.

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
    cells = ledger[shown].astype("string").fillna("")
    if "value_unit" in ledger:
        # a rate ratio, a share and a count side by side: each said with its unit
        units = ledger["value_unit"].astype("string").fillna("")
        for name in ("value", "control_value"):
            if name in shown:
                cells[name] = pd.Series(
                    [value_in_words(v, u) for v, u in zip(ledger[name], units, strict=True)],
                    index=ledger.index, dtype="string")
    revealed = cells.apply(
        lambda col: _revealed(col, str(col.name)))  # a loop over the few columns
    # evidence quotes display names, texts and links of the release: links defanged
    revealed = revealed.apply(lambda col: col if col.name == "verdict"
                              else safety.defang_url(col))
    escaped = revealed.map(html.escape)
    # a fixed uuid keeps the HTML identical between runs (notebooks are checked by nbval)
    styler = escaped.style.set_uuid("ledger").hide(axis="index").set_properties(
        **{"text-align": "left", "vertical-align": "top"})
    if "verdict" in shown:
        styler = styler.map(lambda v: _VERDICT_STYLE.get(html.unescape(v), ""),
                            subset=["verdict"])
    styler = styler.set_table_attributes('class="casebook-ledger"')
    text = revealed.to_string(index=False)
    return SafeHTML(html=styler.to_html(), text=text)
