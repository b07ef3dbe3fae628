"""Make archive text safe to hand on: CSV for spreadsheets, HTML for reports, inert links.

Tweets in an information-operations archive are written by the operators. Anything the
casebook exports must therefore treat their text as hostile:

- a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  run as a formula by spreadsheet programs ("CSV injection"); :func:`neutralise_csv_cell`
  prefixes such cells with ``'`` (which spreadsheets show as a plain text marker), and
  :func:`to_safe_csv` applies it to every text column before writing;
- text put into HTML must be escaped (:func:`escape_html`);
- links in a report should not be clickable by accident (:func:`defang_url`:
  ``http://example.com`` becomes ``hxxp://example[.]com``);
- HTML the casebook shows is marked so that MathJax (JupyterLab, the classic notebook,
  nbconvert's pages) never typesets ``$...$`` in it (:func:`no_math`): a tweet
  ``$\\href{//evil.example}{x}$`` would otherwise become a live link;
- bidi controls and invisible format characters (U+202E, U+200B...) reorder or hide
  the text around them; :func:`reveal_invisible` shows each as ``<U+202E>``;
- text printed on a terminal has its control characters escaped
  (:func:`escape_controls`: ESC becomes ``\\x1b``), so a header cell or a zip member
  name cannot clear the screen, colour it, move the cursor or make a link;
- an output file never replaces or joins the archive's own files
  (:func:`refuse_archive_output`): not a file named as the archive names its files
  (:data:`ARCHIVE_FILE_NAME`), not a new file in a folder holding such files (the next
  load of that release would read it as one more archive file).

Every function of text takes a single string or a pandas Series (vectorised), and leaves
missing values missing.
"""

from __future__ import annotations

import csv
import html
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from casebook._files import DATA_SUFFIXES, data_files
from casebook._frames import PLAIN_ID
from casebook.errors import UsageError

__all__ = [
    "ARCHIVE_FILE_NAME",
    "FORMULA_PREFIXES",
    "NO_MATH_CLASSES",
    "archive_files_in",
    "defang_url",
    "escape_controls",
    "escape_html",
    "escape_line",
    "is_archive_file",
    "neutralise_csv_cell",
    "no_math",
    "refuse_archive_output",
    "reveal_invisible",
    "to_safe_csv",
]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_FORMULA_START = r"^[=+\-@\t\r]"
# An id of the base64 alphabet that a spreadsheet computes: behind its leading "+",
# cell references (A1, xfd1048576, R1C1), numbers (1E5) and TRUE/FALSE joined by "+"
# and "/" (the only operators of the alphabet). PLAIN_ID takes "+A1+A1+..." of 32
# characters for a hash; an archive hash never reads so (its letters and digits
# interleave, "+EL31kZ5AO/..."), and a formula holding any other word is #NAME?, which
# computes nothing. No lookaround: pandas runs it with Arrow's RE2 engine.
_ID_TERM = r"(?:[a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*|[0-9]+(?:e\+?[0-9]+)?|true|false)"
_COMPUTED_ID = rf"(?i)\+[+/]*{_ID_TERM}(?:[+/]+{_ID_TERM})*={{0,2}}"
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
# no word boundary before the scheme: linkifiers find "http://" inside "xhttp://" and
# "_http://" too
_URL = re.compile(r"(?i)(h)tt(ps?)://([^\s/?#<>\"']+)")
_FTP = re.compile(r"(?i)ftp://([^\s/?#<>\"']+)")
# a host without a scheme that JupyterLab and most mail and chat clients still link;
# JupyterLab looks at nothing before "www.": it links the "www.b.c" of "a@www.b.c",
# "x.www.b.c" and "javascript[:]//www.b.c" too;
# guarded by tests/test_safety.py::test_jupyterlab_links_nothing_live_in_defanged_text
_WWW = re.compile(r"(?i)(www)\.([^\s/?#<>\"']*)")
# any other scheme JupyterLab links in a text output (its webLinkRegex: three to 41
# scheme characters and "://", or "data:"), with no check of the scheme: a tweet's
# "javascript://%0a..." would be a live link
_OTHER_SCHEME = re.compile(r"(?i)([a-z][a-z0-9+.-]{2,40})(://)|(data)(:)(?=\S)")
_INERT_SCHEMES = ("hxxp", "hxxps", "fxp")

#: Classes that make MathJax skip an element and all it holds: ``tex2jax_ignore`` for
#: MathJax 2 (classic notebook, nbconvert pages), ``mathjax_ignore`` for MathJax 3 and
#: 4 (JupyterLab's typesetter keeps MathJax's default ``ignoreHtmlClass``).
NO_MATH_CLASSES = "tex2jax_ignore mathjax_ignore"
_NO_MATH_OPEN = f'<div class="casebook-output {NO_MATH_CLASSES}">'

# Characters that draw nothing yet change what is shown: bidi embeddings, overrides,
# isolates and marks (they reorder the text after them), zero-width spaces and joiners,
# word joiner and invisible operators, the byte-order mark, the soft hyphen, Hangul
# and Khmer fillers (blank-looking names), interlinear annotations and tag characters
# (invisible ASCII). Variation selectors are left alone: every emoji uses them.
_INVISIBLE_CHARS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
# and the controls a terminal acts on (C0 but tab, line feed and carriage return; DEL;
# C1, where U+009B reads as ESC [): a table's plain-text twin is printed by IPython,
# nbconvert and nbval, and an ESC there colours, clears or links the screen
_CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Character classes only, no lookahead: pandas runs them with Arrow's RE2 engine (a
# lookahead falls back to Python's re, twelve times slower on a column of names)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}{_CONTROL_CHARS}]")
# Persian and Arabic words, Indic scripts and emoji sequences need the zero-width
# non-joiner and joiner (U+200C, U+200D) inside running text; only names reveal them
_INVISIBLE_IN_PROSE = re.compile(
    f"[{_INVISIBLE_CHARS.replace(chr(0x200B) + '-' + chr(0x200F), chr(0x200B) + chr(0x200E) + chr(0x200F))}"
    f"{_CONTROL_CHARS}]")
# a carriage return is shown unless it ends a line (CRLF): alone, it moves the cursor
# back over what was printed; looked for only in the cells that hold one
_LONE_CR = re.compile("\r(?!\n)")
# C0 controls but line feed and tab, DEL and the C1 controls (a terminal reads U+009B
# as ESC [)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: How the archive names its data files: ``<op>_tweets_csv_hashed.csv``,
#: ``hashed_2020_12_<op>_<op>_users_csv_hashed.zip``, ``ira_tweets_csv_unhashed.zip``,
#: numbered and yearly parts (``..._tweets_csv_hashed_2.csv``,
#: ``..._tweets_csv_hashed_2019.csv``); see :mod:`casebook.catalogue`.
ARCHIVE_FILE_NAME = re.compile(r"(?i)(?<![a-z0-9])(?:tweets|users)_csv_(?:un)?hashed(?![a-z])")

#: One cell or a column of cells: every function returns what it was given.
Text = TypeVar("Text", str, pd.Series)


def neutralise_csv_cell(values: Text) -> Text:
    """Prefix cells that a spreadsheet would run as a formula with ``'``.

    Parameters
    ----------
    values
        One cell or a Series of cells. Non-string values and missing values are
        returned unchanged.

    Returns
    -------
    str or pandas.Series
        The cell(s), with ``'`` in front of any cell starting with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return.

    Examples
    --------
    >>> neutralise_csv_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_csv_cell(pd.Series(["@user hi", "plain"])).tolist()
    ["'@user hi", 'plain']
    """
    if isinstance(values, pd.Series):
        if not _is_text(values):
            return values
        text = values.astype("string")
        risky = text.str.match(_FORMULA_START).fillna(False).astype(bool)
        if not risky.any():
            return values
        return text.mask(risky, "'" + text)
    if isinstance(values, str) and values.startswith(FORMULA_PREFIXES):
        return "'" + values
    return values


def to_safe_csv(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    ids: Sequence[str] = (),
    index: bool = False,
    **to_csv_kwargs: object,
) -> None:
    """Write ``df`` as CSV with every text cell neutralised against formula injection.

    Parameters
    ----------
    df
        The table to write; it is not modified.
    path
        Output file.
    columns
        The columns to neutralise; default every text column (string or object dtype)
        that is not in ``ids``.
    ids
        Id columns (``userid``, ``tweetid``...), or index levels of that name when
        ``index`` is true: a plain id (digits, or a hashed id of the archive's length in
        the base64 alphabet such as ``+EL31k...Y=``) is written verbatim, so the file
        joins back to the archive; any other cell is neutralised like text, prefixed
        with ``'`` (an id in a hostile file can be a formula too: ``+A1+B1``, or
        ``+A1+A1+A1...`` as long as a hash): the id is the cell without that ``'``.
    index
        Write the index (default False); its labels and names are neutralised like
        text cells and headers.
    **to_csv_kwargs
        Passed on to :meth:`pandas.DataFrame.to_csv`.

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> to_safe_csv(pd.DataFrame({"userid": ["+EL31kq9aNQ5V0oUcx2ZfW7u8bTjRgYh1sLpXdMiK3e=", "=SUM(1)"],
    ...                           "t": ["=1", "ok"]}), buf, ids=["userid"])
    >>> print(buf.getvalue().strip())
    userid,t
    +EL31kq9aNQ5V0oUcx2ZfW7u8bTjRgYh1sLpXdMiK3e=,'=1
    '=SUM(1),ok
    """
    id_names = list(ids)
    levels = [n for n in df.index.names if n is not None] if index else []
    names = (
        [c for c in df.columns if _is_text(df[c]) and c not in id_names]
        if columns is None else list(columns)
    )
    missing = [c for c in names if c not in df.columns] + [
        c for c in id_names if c not in df.columns and c not in levels]
    if missing:
        raise KeyError(f"columns not in the table: {missing}")
    safe = df.copy(deep=False)
    # by assignment, not assign(**...): a column name need not be a string (a tuple
    # of a pivot's header, a number)
    for c in names:  # loop over columns, each vectorised
        safe[c] = neutralise_csv_cell(df[c])
    for c in (c for c in id_names if c in df.columns):
        safe[c] = _neutralise_ids(df[c])
    # a header cell is a cell too: a column named "=cmd|..." runs as well as a value
    safe.columns = [neutralise_csv_cell(c) for c in safe.columns]
    if index:
        # index labels are cells of the file (a groupby's keys are archive text);
        # guarded by tests/test_safety.py::test_to_safe_csv_neutralises_index_labels
        safe.index = _safe_index(df.index, id_names)
    if index or to_csv_kwargs or not isinstance(path, str | os.PathLike) or not _plain_csv(safe, path):
        if "quoting" not in to_csv_kwargs and (_holds_cr(safe) or (index and _holds_cr(
                _index_frame(safe.index)))):
            # the csv module quotes a line break only when it is in the line terminator
            # ("\n"), so a lone CR went out bare: spreadsheets break the row there, and a
            # formula after it starts a cell of its own. Every text cell is quoted then;
            # guarded by tests/test_safety.py::test_to_safe_csv_quotes_a_lone_carriage_return
            to_csv_kwargs = {**to_csv_kwargs, "quoting": csv.QUOTE_NONNUMERIC}
        safe.to_csv(path, index=index, **to_csv_kwargs)


def _safe_index(index: pd.Index, ids: Sequence[str]) -> pd.Index:
    """``index`` with its text labels neutralised (as ids in levels named in ``ids``),
    and its names as header cells; a loop over levels, each vectorised."""
    arrays = []
    for i, name in enumerate(index.names):  # loop over levels
        level = pd.Series(index.get_level_values(i), copy=False)
        arrays.append(_neutralise_ids(level) if name in ids and _is_text(level)
                      else neutralise_csv_cell(level))
    names = [neutralise_csv_cell(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(arrays, names=names)
    return pd.Index(arrays[0], name=names[0])


def _index_frame(index: pd.Index) -> pd.DataFrame:
    """The levels of ``index`` as the columns of a frame, the level names as its header
    (which may repeat: ``to_frame`` refuses that)."""
    frame = pd.DataFrame({i: index.get_level_values(i) for i in range(index.nlevels)})
    frame.columns = [str(n) for n in index.names]
    return frame


def _holds_cr(df: pd.DataFrame) -> bool:
    """Does a text cell or a header of ``df`` hold a carriage return?"""
    if any("\r" in str(c) for c in df.columns):
        return True
    for c in range(df.shape[1]):  # loop over columns; each is vectorised
        col = df.iloc[:, c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = pd.Series(col.cat.categories)
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype) or (
                isinstance(col.dtype, pd.ArrowDtype) and _is_text(col)):
            if bool(col.astype("string").str.contains("\r", regex=False).fillna(False).any()):
                return True
    return False


def _plain_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> bool:
    """Write ``df`` with pyarrow, byte for byte as pandas would, if it needs no quoting.

    pandas' writer costs ~0.15 s per 100,000 rows of ids; pyarrow's ~0.01 s. Only string
    and integer columns render the same in both; a value or a header holding a comma,
    quote or line break would need quoting, so then nothing is written and False says
    pandas must write the file (guarded by
    tests/test_safety.py::test_to_safe_csv_arrow_path_matches_pandas).
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    plain = all(
        pd.api.types.is_integer_dtype(df[c].dtype) or isinstance(df[c].dtype, pd.StringDtype)
        for c in df.columns
    )
    names = [str(c) for c in df.columns]
    # the csv module writes a lone empty field as "" (not an empty line): pandas then
    if not plain or any(_NEEDS_QUOTES.search(n) for n in names) or len(names) < 2:
        return False
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
        # arrow refuses structural characters when asked not to quote: checked in memory
        # before the file is touched
        body = pa.BufferOutputStream()
        pcsv.write_csv(table, body, pcsv.WriteOptions(include_header=False, quoting_style="none"))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    with open(path, "wb") as f:
        f.write(",".join(names).encode("utf-8") + b"\n")
        f.write(body.getvalue())
    return True


def _neutralise_ids(values: pd.Series) -> pd.Series:
    """Neutralise the cells of an id column that are not plain ids, or that a
    spreadsheet computes although they fit the archive's alphabet and length."""
    text = values.astype("string")
    start = text.str.match(_FORMULA_START).fillna(False).astype(bool)
    if not start.any():
        return values
    # guarded by tests/test_safety.py::test_an_id_as_long_as_a_hash_that_a_spreadsheet_computes_is_neutralised
    risky = start & ~(text.str.fullmatch(PLAIN_ID) & ~text.str.fullmatch(_COMPUTED_ID)).fillna(False)
    if not risky.any():
        return values
    return text.mask(risky.astype(bool), "'" + text)


def escape_html(text: Text) -> Text:
    """Escape ``& < > " '`` so archive text can be put into HTML as text.

    Examples
    --------
    >>> escape_html('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    if isinstance(text, pd.Series):
        s = text.astype("string")
        return (
            s.str.replace("&", "&amp;", regex=False)
            .str.replace("<", "&lt;", regex=False)
            .str.replace(">", "&gt;", regex=False)
            .str.replace('"', "&quot;", regex=False)
            .str.replace("'", "&#x27;", regex=False)
        )
    if isinstance(text, str):
        return html.escape(text, quote=True)
    return text


def defang_url(text: Text) -> Text:
    """Make every http(s)/ftp link in ``text`` inert: ``hxxp://`` and ``[.]`` in the host.

    The scheme ``http``/``https``/``ftp`` becomes ``hxxp``/``hxxps``/``fxp`` and each dot
    of the host becomes ``[.]``; the path is kept as it is, so the link stays readable.
    A host written without a scheme but starting ``www.`` (which viewers link too) has
    its dots defanged the same way, wherever it stands (JupyterLab links the ``www.b.c``
    of ``a@www.b.c`` and of ``x.www.b.c``). Any other scheme JupyterLab would link
    (``javascript://``, ``file://``, ``data:``) loses its colon to ``[:]``.

    Examples
    --------
    >>> defang_url("http://example.com")
    'hxxp://example[.]com'
    >>> defang_url("see https://www.news.example.co.uk/a.html now")
    'see hxxps://www[.]news[.]example[.]co[.]uk/a.html now'
    >>> defang_url("or www.example.org/page")
    'or www[.]example[.]org/page'
    >>> defang_url("javascript://%0aalert(1)")
    'javascript[:]//%0aalert(1)'
    """
    # each pass rewrites only the cells its probe finds: the last one, those with a
    # scheme the others did not defang (1.1-1.2 s instead of 3.5-4.0 s for 300,000
    # tweets that each hold an https link);
    # guarded by tests/test_safety.py::test_defang_url_runs_on_the_cells_that_hold_a_link
    for pattern, repl, probe in _DEFANGS:  # loop over the four kinds of link
        text = _replace(text, pattern, repl, probe=probe)
    return text


#: Finds the cells a pattern can match: a regex Arrow runs, or a function of the Series.
_Probe = str | Callable[[pd.Series], pd.Series]


def _defang_http(m: re.Match[str]) -> str:
    return f"{m.group(1)}xx{m.group(2)}://{m.group(3).replace('.', '[.]')}"


def _defang_ftp(m: re.Match[str]) -> str:
    return f"fxp://{m.group(1).replace('.', '[.]')}"


def _defang_scheme(m: re.Match[str]) -> str:
    if m.group(1) is None:  # data:
        return f"{m.group(3)}[:]"
    if m.group(1).lower().endswith(_INERT_SCHEMES):  # defanged already ("xhxxp" too)
        return m.group(0)
    return f"{m.group(1)}[:]//"


def _defang_www(m: re.Match[str]) -> str:
    return f"{m.group(1)}[.]{m.group(2).replace('.', '[.]')}"


# (pattern, replacement, probe): the probes are plain enough for Arrow's regex engine
_DEFANGS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str], _Probe], ...] = (
    (_URL, _defang_http, "(?i)https?://"),
    (_FTP, _defang_ftp, "(?i)ftp://"),
    (_WWW, _defang_www, "(?i)www\\."),
    (_OTHER_SCHEME, _defang_scheme, lambda s: s.str.contains("(?i)data:", regex=True)
     | (s.str.count("://") > s.str.count("(?i)(?:hxxps?|fxp)://"))),
)


def _code_point(m: re.Match[str]) -> str:
    return f"<U+{ord(m.group()):04X}>"


def _escaped_control(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def _replace(text: Text, pattern: re.Pattern[str], repl: Any, *,
             probe: _Probe | None = None) -> Text:
    """``pattern`` replaced by ``repl`` in a string or, vectorised, in a Series (only
    the cells that hold a match are rewritten). ``probe``: a pattern Arrow's regex
    engine runs (or a function of the Series), true of every cell ``pattern`` can
    match, to find those cells when ``pattern`` itself needs Python's (a lookaround, a
    function as ``repl``)."""
    if isinstance(text, pd.Series):
        s = text.astype("string")
        if callable(probe):
            hit = probe(s)
        else:
            hit = s.str.contains(pattern if probe is None else probe, regex=True)
        hit = hit.fillna(False).astype(bool)
        if not hit.any():
            return s
        return s.mask(hit, s.where(hit).str.replace(pattern, repl, regex=True))
    if isinstance(text, str):
        return pattern.sub(repl, text)
    return text


def reveal_invisible(text: Text, *, prose: bool = False) -> Text:
    """Show bidi controls, invisible format characters and control characters as
    ``<U+XXXX>``.

    An operator's display name, screen name, client name or tweet can hold characters
    that draw nothing but reverse the text after them (U+202E RIGHT-TO-LEFT OVERRIDE,
    the isolates U+2066-U+2069, the marks U+200E/U+200F/U+061C) or hide inside a word
    (zero-width spaces and joiners, U+2060-U+2064, U+FEFF, the soft hyphen, tag
    characters), or controls that a terminal acts on when the text is printed (ESC and
    the other C0 controls but tab and line feed, a carriage return that does not end a
    line, DEL, the C1 controls). Each is replaced by its code point, visible and inert,
    wherever text is shown: HTML tables and their plain-text twins, widgets, figure
    labels, the terminal.

    Parameters
    ----------
    text
        A string or a Series (missing values stay missing, other values are returned
        as they are).
    prose
        Running text (tweets, profile descriptions): keep the zero-width non-joiner
        and joiner (U+200C, U+200D), which Persian, Arabic and Indic words and emoji
        sequences need and which reorder nothing. Names reveal them too.

    Returns
    -------
    str or pandas.Series
        The text with every such character shown as ``<U+XXXX>``; apply it before
        :func:`escape_html`.

    Examples
    --------
    >>> reveal_invisible("levantwire\u202enews")
    'levantwire<U+202E>news'
    >>> reveal_invisible("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", prose=True) == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    True
    """
    shown = _replace(text, _INVISIBLE_IN_PROSE if prose else _INVISIBLE, _code_point)
    if isinstance(shown, pd.Series):
        has_cr = shown.str.contains("\r", regex=False).fillna(False).astype(bool)
        if not has_cr.any():
            return shown
        return shown.mask(has_cr, shown.where(has_cr).str.replace(_LONE_CR, _code_point,
                                                                    regex=True))
    return _LONE_CR.sub(_code_point, shown) if isinstance(shown, str) else shown


def escape_controls(text: Text) -> Text:
    r"""Make text safe to print on a terminal: controls escaped, invisibles revealed.

    Every C0 control but line feed and tab, DEL and every C1 control is written as a
    Python-style escape (ESC as ``\x1b``, carriage return as ``\x0d``), so text from
    an archive file (a header cell, a zip member name) cannot clear the screen, colour
    it, move the cursor over an earlier line or open an OSC 8 link; bidi and invisible
    format characters are shown as ``<U+XXXX>`` (:func:`reveal_invisible`).

    Examples
    --------
    >>> print(escape_controls("bad header \x1b[2J\x1b]8;;http://x\x07link\u202e"))
    bad header \x1b[2J\x1b]8;;http://x\x07link<U+202E>
    """
    return reveal_invisible(_replace(text, _CONTROL, _escaped_control))


def escape_line(text: object) -> str:
    r"""Text (a path, a name) to print inside one terminal line: :func:`escape_controls`,
    and a line feed or tab within it written as ``\x0a`` or ``\x09`` too, so a folder
    named with a newline cannot start a line of its own.

    Examples
    --------
    >>> print(escape_line("reports/evil\nFAKE: all ran\x1b[2J/index.html"))
    reports/evil\x0aFAKE: all ran\x1b[2J/index.html
    """
    return str(escape_controls(str(text))).replace("\n", "\\x0a").replace("\t", "\\x09")


def no_math(html_fragment: str) -> str:
    """Wrap an HTML fragment so that MathJax typesets nothing inside it.

    JupyterLab, the classic notebook and nbconvert's pages run MathJax over HTML
    outputs: ``$\\href{//evil.example/x}{evidence}$`` in a tweet would become a live
    link, ``\\style`` and ``\\unicode`` would render, and "$5 and $10" would be set as
    maths. Escaping ``$`` does not help (MathJax reads the text nodes, after entities
    are decoded); an ancestor with class ``tex2jax_ignore`` (MathJax 2) or
    ``mathjax_ignore`` (MathJax 3 and 4) does. Wrapping twice does nothing more.

    Examples
    --------
    >>> no_math("<b>$5 and $10</b>")
    '<div class="casebook-output tex2jax_ignore mathjax_ignore"><b>$5 and $10</b></div>'
    """
    if html_fragment.startswith(_NO_MATH_OPEN):
        return html_fragment
    return f"{_NO_MATH_OPEN}{html_fragment}</div>"


def is_archive_file(path: str | os.PathLike[str]) -> bool:
    """Is ``path`` named as the archive names its data files (:data:`ARCHIVE_FILE_NAME`,
    with a suffix the loader reads)? The file need not exist.

    Examples
    --------
    >>> is_archive_file("data/GRU_202012/GRU_202012_tweets_csv_hashed.zip")
    True
    >>> is_archive_file("exports/top_users.csv")
    False
    """
    name = Path(path).name
    return (not name.startswith(".") and name.lower().endswith(DATA_SUFFIXES)
            and ARCHIVE_FILE_NAME.search(name) is not None)


def archive_files_in(folder: str | os.PathLike[str]) -> list[Path]:
    """The files directly in ``folder`` that are named as archive data files
    (:func:`is_archive_file`): a release folder holds some. Empty when there are none,
    or when the folder does not exist or cannot be listed."""
    try:
        return [f for f in data_files(Path(folder)) if is_archive_file(f)]
    except OSError:  # absent, not a folder, or unreadable: it holds nothing to protect
        return []


def refuse_archive_output(path: str | os.PathLike[str], *, hint: str) -> None:
    """Refuse to write ``path`` when it would replace or join the archive's own files.

    Raw downloads are never overwritten, and a release folder holds only the archive's
    files: any other CSV written there is read by the next load of the release as one
    more archive file, and the load fails (or mixes the output into the data). Both
    the path as given and the file a link there leads to are checked.

    Parameters
    ----------
    path
        The output file about to be written.
    hint
        What to do instead, in one line (for instance ``"choose a folder of its own,
        e.g. --out edges.csv"``).

    Raises
    ------
    UsageError
        When ``path`` is named as an archive data file, or its folder holds such files.

    Examples
    --------
    >>> refuse_archive_output("data/GRU_202012/edges.csv", hint="write it elsewhere")  # doctest: +SKIP
    Traceback (most recent call last):
    casebook.errors.UsageError: refusing to write data/GRU_202012/edges.csv: the folder data/GRU_202012 holds archive files (GRU_202012_tweets_csv_hashed.csv), and the next load of that release would read it as one of them (write it elsewhere)
    """
    given = Path(path)
    for target in dict.fromkeys((given, given.resolve())):  # the link and where it leads
        if is_archive_file(target):
            raise UsageError(f"refusing to write {escape_line(given)}: "
                             f"{escape_line(target.name)} is named as an archive data "
                             "file, and raw data is never replaced", hint=hint)
        held = archive_files_in(target.parent)
        if held:
            raise UsageError(
                f"refusing to write {escape_line(given)}: the folder "
                f"{escape_line(target.parent)} holds archive files "
                f"({escape_line(held[0].name)}{', ...' if len(held) > 1 else ''}), and the "
                "next load of that release would read it as one of them", hint=hint)


def _is_text(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.StringDtype):
        return True
    if isinstance(s.dtype, pd.CategoricalDtype):  # categories are what gets written
        return _is_text(pd.Series(s.cat.categories, dtype=s.cat.categories.dtype))
    if isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return bool(pa.types.is_string(s.dtype.pyarrow_dtype)
                    or pa.types.is_large_string(s.dtype.pyarrow_dtype))
    if s.dtype == object:
        return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
    return False
