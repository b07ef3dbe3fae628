"""Make archive text safe to hand on: CSV for spreadsheets, HTML for reports, inert links.

Tweets in an information-operations archive are written by the operators. Anything the
casebook exports must therefore treat their text as hostile:

- a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  run as a formula by spreadsheet programs ("CSV injection"); :func:`neutralise_csv_cell`
  prefixes such cells with ``'`` (which spreadsheets show as a plain text marker), and
  :func:`to_safe_csv` applies it to every text column before writing;
- text put into HTML must be escaped (:func:`escape_html`);
- links in a report should not be clickable by accident (:func:`defang_url`:
  ``http://example.com`` becomes ``hxxp://example[.]com``).

Every function takes a single string or a pandas Series (vectorised), and leaves missing
values missing.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from typing import TypeVar

import pandas as pd

from casebook._frames import PLAIN_ID

__all__ = ["FORMULA_PREFIXES", "defang_url", "escape_html", "neutralise_csv_cell", "to_safe_csv"]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_FORMULA_START = r"^[=+\-@\t\r]"
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_URL = re.compile(r"(?i)\b(h)tt(ps?)://([^\s/?#<>\"']+)")
_FTP = re.compile(r"(?i)\bftp://([^\s/?#<>\"']+)")

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
        Id columns (``userid``, ``tweetid``...): a plain id (digits, or a hashed id in
        the base64 alphabet such as ``+EL31k...Y=``) is written verbatim, so the file
        joins back to the archive; any other cell is neutralised like text (an id in a
        hostile file can be a formula too).
    index
        Write the index (default False).
    **to_csv_kwargs
        Passed on to :meth:`pandas.DataFrame.to_csv`.

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> to_safe_csv(pd.DataFrame({"userid": ["+Ab/9=", "=SUM(1)"], "t": ["=1", "ok"]}),
    ...             buf, ids=["userid"])
    >>> print(buf.getvalue().strip())
    userid,t
    +Ab/9=,'=1
    '=SUM(1),ok
    """
    id_names = list(ids)
    names = (
        [c for c in df.columns if _is_text(df[c]) and c not in id_names]
        if columns is None else list(columns)
    )
    missing = [c for c in [*names, *id_names] if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in the table: {missing}")
    safe = df.assign(
        **{c: neutralise_csv_cell(df[c]) for c in names},
        **{c: _neutralise_ids(df[c]) for c in id_names},
    )
    if index or to_csv_kwargs or not isinstance(path, str | os.PathLike) or not _plain_csv(safe, path):
        safe.to_csv(path, index=index, **to_csv_kwargs)


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
    """Neutralise the cells of an id column that are not plain ids."""
    text = values.astype("string")
    risky = (text.str.match(_FORMULA_START) & ~text.str.fullmatch(PLAIN_ID)).fillna(False)
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

    Examples
    --------
    >>> defang_url("http://example.com")
    'hxxp://example[.]com'
    >>> defang_url("see https://www.news.example.co.uk/a.html now")
    'see hxxps://www[.]news[.]example[.]co[.]uk/a.html now'
    """
    if isinstance(text, pd.Series):
        s = text.astype("string")
        return s.str.replace(_URL, _defang_http, regex=True).str.replace(
            _FTP, _defang_ftp, regex=True
        )
    if isinstance(text, str):
        return _FTP.sub(_defang_ftp, _URL.sub(_defang_http, text))
    return text


def _defang_http(m: re.Match[str]) -> str:
    return f"{m.group(1)}xx{m.group(2)}://{m.group(3).replace('.', '[.]')}"


def _defang_ftp(m: re.Match[str]) -> str:
    return f"fxp://{m.group(1).replace('.', '[.]')}"


def _is_text(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.StringDtype):
        return True
    if s.dtype == object:
        return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")
    return False
