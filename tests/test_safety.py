"""Exports treat operator-written text as hostile: CSV formulas, HTML, live links."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.safety import (
    FORMULA_PREFIXES,
    defang_url,
    escape_html,
    neutralise_csv_cell,
    to_safe_csv,
)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://x\",\"click\")"])
def test_formula_cells_get_a_leading_quote(cell: str) -> None:
    assert neutralise_csv_cell(cell) == "'" + cell
    assert neutralise_csv_cell(pd.Series([cell])).tolist() == ["'" + cell]


@pytest.mark.parametrize("cell", ["plain", "a=b", " =not first", "", "'quoted", "1-2"])
def test_ordinary_cells_are_unchanged(cell: str) -> None:
    assert neutralise_csv_cell(cell) == cell


def test_series_keeps_missing_values_and_non_text() -> None:
    s = pd.Series(["=x", None, "ok"], dtype="string")
    assert neutralise_csv_cell(s).tolist() == ["'=x", pd.NA, "ok"]
    numbers = pd.Series([-1, 2])
    assert neutralise_csv_cell(numbers) is numbers
    assert neutralise_csv_cell(pd.Series([["=x"], []], dtype=object)).tolist() == [["=x"], []]


@given(st.text(max_size=30))
def test_no_neutralised_cell_starts_a_formula(text: str) -> None:
    out = neutralise_csv_cell(text)
    assert not out.startswith(FORMULA_PREFIXES)
    assert out in (text, "'" + text)


def test_to_safe_csv_neutralises_text_columns_only(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "id": pd.array(["+abc=", "2"], dtype="string"),
        "text": pd.array(["=cmd|' /C calc'!A0", "-- fine?"], dtype="string"),
        "n": [-5, 3],
    })
    path = tmp_path / "out.csv"
    to_safe_csv(df, path)
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == ["id", "text", "n"]
    assert rows[1] == ["'+abc=", "'=cmd|' /C calc'!A0", "-5"]
    assert rows[2] == ["2", "'-- fine?", "3"]
    to_safe_csv(df, path, columns=["text"])
    rows = list(csv.reader(path.open(newline="")))
    assert rows[1][0] == "+abc=" and rows[1][1].startswith("'=")
    assert df["text"].iloc[0] == "=cmd|' /C calc'!A0"  # input untouched
    with pytest.raises(KeyError):
        to_safe_csv(df, path, columns=["missing"])


def test_escape_html() -> None:
    raw = "<img src=x onerror='alert(1)'> & \"q\""
    want = "&lt;img src=x onerror=&#x27;alert(1)&#x27;&gt; &amp; &quot;q&quot;"
    assert escape_html(raw) == want
    assert escape_html(pd.Series([raw, None])).tolist() == [want, pd.NA]


def test_defang_url() -> None:
    assert defang_url("http://example.com") == "hxxp://example[.]com"
    assert defang_url("read https://news.example.co.uk/a.html?x=1.2 now") == (
        "read hxxps://news[.]example[.]co[.]uk/a.html?x=1.2 now")
    assert defang_url("ftp://files.example.org/x") == "fxp://files[.]example[.]org/x"
    assert defang_url("no link here. really.") == "no link here. really."
    assert defang_url(pd.Series(["http://a.b", None])).tolist() == ["hxxp://a[.]b", pd.NA]
