"""casebook.report: safe tables, CSV export, findings files, datasets, banners, pages."""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

import casebook
from casebook import claims, report, schema
from tests._html import DOM as _DOM
from tests.conftest import release_folder

EVIL = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example")',
]


def _tweets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tweetid": pd.Series(["1", "2", "3"], dtype=schema.STRING),
            "tweet_text": pd.Series(EVIL, dtype=schema.STRING),
            "urls": pd.Series([["https://news.example.org/a"], [], None], dtype=schema.LIST),
            "like_count": pd.Series([5, None, 0], dtype=schema.COUNT),
            "tweet_time": pd.to_datetime(["2020-09-30 01:15", "2020-09-30 01:16", None], utc=True),
        }
    )


# --------------------------------------------------------------------------- show_table


def test_show_table_escapes_and_defangs_tweet_text() -> None:
    table = report.show_table(_tweets(), caption="Tweets <b>")
    dom = _DOM(table.html)
    assert "script" not in dom.names() and dom.handlers() == []
    assert dom.names().count("img") == 0
    text = dom.all_text()
    assert EVIL[0] in text and EVIL[1] in text  # shown as text
    assert '=HYPERLINK("hxxp://evil[.]example")' in text
    assert "hxxps://news[.]example[.]org/a" in text  # list column: joined and defanged
    assert "http" + "://evil.example" not in table.html
    assert "Tweets <b>" in text and "<b>" not in table.html  # caption escaped
    assert table._repr_html_() == table.html


def test_show_table_plain_text_repr_is_defanged() -> None:
    table = report.show_table(_tweets())
    assert "hxxp://evil[.]example" in repr(table)
    assert "tweet_text" in repr(table) and "<table" not in repr(table)


def test_show_table_limits_rows_and_says_so() -> None:
    df = pd.DataFrame({"n": range(50)})
    dom = _DOM(report.show_table(df, max_rows=5).html)
    assert dom.names().count("tr") == 6  # header + 5 rows
    assert "first 5 of 50 rows" in dom.all_text()
    assert "of 50 rows" not in report.show_table(df, max_rows=50).html


def test_show_table_text_columns_chooses_what_is_defanged() -> None:
    df = pd.DataFrame({"a": ["http://x.example"], "b": ["http://y.example"]})
    html = report.show_table(df, text_columns=["b"]).html
    assert "http://x.example" in html and "hxxp://y[.]example" in html
    with pytest.raises(KeyError):
        report.show_table(df, text_columns=["nope"])


def test_show_table_shows_meaningful_index_and_escapes_headers() -> None:
    df = pd.DataFrame({"<h>": [1, 2]}, index=pd.Index(["<u1>", "u2"], name="userid"))
    dom = _DOM(report.show_table(df).html)
    text = dom.all_text()
    assert "userid" in text and "<u1>" in text and "<h>" in text
    assert "u" not in dom.names() and "h" not in dom.names()
    # a default 0..n-1 index is not shown, nor the row positions a sort or filter leaves
    assert "index" not in _DOM(report.show_table(pd.DataFrame({"a": [1]})).html).all_text()
    shuffled = pd.DataFrame({"a": [3, 1, 2]}).sort_values("a")
    assert report.show_table(shuffled).text.split("\n")[0].split() == ["a"]
    # a named or non-integer index is data
    assert "year" in report.show_table(shuffled.rename_axis("year")).text
    assert "x" in report.show_table(pd.DataFrame({"a": [1]}, index=["x"])).text


def test_show_table_on_the_real_excerpt(real_excerpt: Path) -> None:
    from casebook import load_release

    tweets = load_release(real_excerpt, cache=False).tweets
    table = report.show_table(tweets, max_rows=10)
    dom = _DOM(table.html)
    assert dom.names().count("tr") == 11 and dom.handlers() == []
    assert set(dom.names()) <= {"div", "table", "caption", "thead", "tbody", "tr", "th", "td",
                                "abbr", "bdi"}
    assert "://" not in dom.all_text().replace("hxxp://", "").replace("hxxps://", "")


# --------------------------------------------------------------------------- export_csv


def test_export_csv_neutralises_formulas_and_defangs(tmp_path: Path) -> None:
    path = report.export_csv(_tweets(), tmp_path / "sub" / "t.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[2]["tweet_text"] == '\'=HYPERLINK("hxxp://evil[.]example")'
    assert rows[0]["tweet_text"] == EVIL[0]
    assert rows[0]["urls"] == "hxxps://news[.]example[.]org/a"
    assert rows[1]["urls"] == "" and rows[0]["like_count"] == "5"


def test_export_csv_keeps_plain_ids_and_neutralises_formula_ids(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "userid": pd.array(["+EL31kZ5AO/+wTjkmSFtqVppSoYdzxOeUjnS+CQPK2Y=", "=1+1", "123"],
                           dtype="string"),
        "tweet_text": pd.array(["+1 for this", "ok", "-5"], dtype="string"),
    })
    path = report.export_csv(frame, tmp_path / "ids.csv")
    back = pd.read_csv(path, dtype=str)
    assert back["userid"].tolist() == ["+EL31kZ5AO/+wTjkmSFtqVppSoYdzxOeUjnS+CQPK2Y=", "'=1+1", "123"]
    assert back["tweet_text"].tolist() == ["'+1 for this", "ok", "'-5"]


def test_export_csv_can_keep_links(tmp_path: Path) -> None:
    path = report.export_csv(_tweets(), tmp_path / "t.csv", defang=False)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[2]["tweet_text"] == '\'=HYPERLINK("http://evil.example")'  # still neutralised
    assert rows[0]["urls"] == "https://news.example.org/a"


def test_export_csv_on_the_real_excerpt(real_excerpt: Path, tmp_path: Path) -> None:
    from casebook import load_release

    tweets = load_release(real_excerpt, cache=False).tweets
    path = report.export_csv(tweets, tmp_path / "gru.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(back) == len(tweets)
    assert not back["tweet_text"].str.match(r"^[=+\-@\t\r]").any()


# --------------------------------------------------------------------------- findings


def test_record_findings_writes_valid_json(tmp_path: Path) -> None:
    findings = pd.DataFrame(
        {
            "finding": ["accounts", "share of top account", "first tweet", "<b>x</b>"],
            "value": [238, 0.54, pd.Timestamp("2009-09-01", tz="UTC"), None],
            "detail": ["users file", "tweets", "UTC", "<script>alert(1)</script>"],
        }
    )
    shown = report.record_findings(findings, case="iran", output_dir=tmp_path)
    path = tmp_path / "iran.findings.json"
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["case"] == "iran"
    values = [f["value"] for f in payload["findings"]]
    assert values[:2] == [238, 0.54] and values[2].startswith("2009-09-01T00:00:00") and values[3] is None
    assert [p.name for p in tmp_path.iterdir()] == ["iran.findings.json"]  # no temp file left
    dom = _DOM(shown.html)
    assert "script" not in dom.names() and "<script>alert(1)</script>" in dom.all_text()
    back = report.load_findings(tmp_path, "iran")
    assert list(back.columns) == ["finding", "value", "detail"] and len(back) == 4


def test_record_findings_accepts_dicts_and_default_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEBOOK_REPORTS_DIR", str(tmp_path))
    report.record_findings([{"finding": "accounts", "value": 69}], case="russia")
    assert (tmp_path / "notebooks" / "russia.findings.json").is_file()
    back = report.load_findings("", "russia")
    assert back.loc[0, "value"] == 69 and pd.isna(back.loc[0, "detail"])


def test_record_findings_is_atomic(tmp_path: Path, monkeypatch) -> None:
    report.record_findings([{"finding": "a", "value": 1}], case="x", output_dir=tmp_path)
    before = (tmp_path / "x.findings.json").read_bytes()

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report.findings.json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        report.record_findings([{"finding": "a", "value": 2}], case="x", output_dir=tmp_path)
    assert (tmp_path / "x.findings.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.findings.json"]


def test_record_findings_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown column"):
        report.record_findings([{"finding": "a", "details": "typo"}], case="x", output_dir=tmp_path)
    with pytest.raises(ValueError, match="'finding' column"):
        report.record_findings([{"value": 1}], case="x", output_dir=tmp_path)
    with pytest.raises(ValueError, match="case must be"):
        report.record_findings([{"finding": "a"}], case="../evil", output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_load_findings_absent_and_invalid(tmp_path: Path) -> None:
    assert report.load_findings(tmp_path, "none") is None
    (tmp_path / "bad.findings.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a findings file"):
        report.load_findings(tmp_path, "bad")


# --------------------------------------------------------------------------- banner


def test_specimen_banner(tmp_path: Path) -> None:
    spec = release_folder(tmp_path / "s" / "GRU_202012", "GRU_202012", synthetic=True)
    real = release_folder(tmp_path / "r" / "IRA_202012", "IRA_202012")
    banner = report.specimen_banner({"GRU_202012": spec, "IRA_202012": real})
    text = _DOM(banner.html).all_text()
    assert "SYNTHETIC SPECIMEN DATA: not real accounts" in text and "GRU_202012" in text
    assert "IRA_202012" in text and str(tmp_path) not in banner.html  # no machine paths
    assert "SYNTHETIC SPECIMEN DATA" in repr(banner)
    plain = report.specimen_banner([real])
    assert "SYNTHETIC" not in plain.html and "IRA_202012" in plain.html
    assert "SYNTHETIC" in report.specimen_banner(spec).html
    evil = report.specimen_banner({"<script>x</script>": spec})
    assert "script" not in _DOM(evil.html).names()


def _folders(tmp_path: Path) -> dict[str, Path]:
    """A synthetic and a real release, and a synthetic and a real control cohort."""
    return {
        "spec": release_folder(tmp_path / "s" / "iran_202012", "iran_202012", synthetic=True),
        "real": release_folder(tmp_path / "r" / "GRU_202012", "GRU_202012"),
        "spec_control": release_folder(tmp_path / "s" / "control", "control", synthetic=True),
        "real_control": release_folder(tmp_path / "r" / "control", "control"),
    }


def test_banner_on_real_data_with_a_synthetic_control(tmp_path: Path) -> None:
    f = _folders(tmp_path)
    banner = report.specimen_banner({"GRU_202012": f["real"]}, control=f["spec_control"])
    text = _DOM(banner.html).all_text()
    assert "SYNTHETIC SPECIMEN DATA" not in text and "SYNTHETIC" not in repr(banner)
    assert text.startswith("Real archive data: GRU_202012.")
    assert "synthetic specimen's control cohort (control)" in text
    assert "casebook-synthetic-control" in banner.html and 'role="note"' in banner.html
    assert str(tmp_path) not in banner.html


def test_banner_on_real_data_with_a_real_control_or_none(tmp_path: Path) -> None:
    f = _folders(tmp_path)
    real = report.specimen_banner({"GRU_202012": f["real"]}, control=f["real_control"])
    assert real.text.startswith("Real archive data: GRU_202012.")
    assert "real control cohort of ordinary accounts (control)" in real.text
    assert "synthetic" not in real.text.lower() and "casebook-synthetic" not in real.html
    none = report.specimen_banner({"GRU_202012": f["real"]}, control=None)
    assert "No control cohort" in none.text and "synthetic" not in none.text.lower()
    old_call = report.specimen_banner([f["real"]])  # no control= : nothing said about one
    assert old_call.text == "Real archive data: GRU_202012."


def test_banner_on_synthetic_data(tmp_path: Path) -> None:
    f = _folders(tmp_path)
    banner = report.specimen_banner({"iran_202012": f["spec"]}, control=f["spec_control"])
    assert banner.text.startswith("SYNTHETIC SPECIMEN DATA: not real accounts.")
    assert "Synthetic datasets generated by 'casebook specimen': iran_202012." in banner.text
    assert "Real archive data" not in banner.text
    assert "the specimen's synthetic ordinary accounts (control)" in banner.text
    assert 'role="alert"' in banner.html


def test_banner_on_mixed_data_names_each_kind(tmp_path: Path) -> None:
    f = _folders(tmp_path)
    banner = report.specimen_banner({"iran_202012": f["spec"], "GRU_202012": f["real"]},
                                    control=f["real_control"])
    text = _DOM(banner.html).all_text()
    assert text.startswith("SYNTHETIC SPECIMEN DATA: not real accounts.")
    assert "generated by 'casebook specimen': iran_202012." in text
    assert "Real archive data: GRU_202012." in text
    assert "real control cohort of ordinary accounts (control)" in text
    sources = report.data_sources({"iran_202012": f["spec"], "GRU_202012": f["real"]},
                                  control=f["real_control"])
    assert sources.synthetic == ("iran_202012",) and sources.real == ("GRU_202012",)
    assert sources.control == "control" and sources.control_synthetic is False
    assert sources.data.startswith("mixed: synthetic specimen (iran_202012)")
    assert sources.control_words == "real cohort from the data folder (control)"


# --------------------------------------------------------------------------- pages


def test_sanitise_html_keeps_tables_and_images_and_removes_active_content() -> None:
    dirty = (
        '<table><caption>c</caption><thead><tr><th colspan="2" onclick="x()">h</th></tr></thead>'
        '<tbody><tr><td style="color:red;position:fixed">1</td></tr></tbody></table>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="fig">'
        "<img src=x onerror=alert(1)><script>alert(1)</script><style>body{}</style>"
        '<a href="javascript:alert(1)">j</a><a href="data:text/html,x">d</a>'
        '<a href="https://ok.example/">ok</a><a href="other.html">rel</a>'
        '<iframe src="https://x.example"></iframe><svg onload=alert(1)></svg>'
    )
    clean = report.sanitise_html(dirty)
    dom = _DOM(clean)
    assert {"table", "caption", "thead", "tbody", "tr", "th", "td", "img", "a"} <= set(dom.names())
    assert not {"script", "style", "iframe", "svg"} & set(dom.names())
    assert dom.handlers() == [] and "alert" not in clean and "body{}" not in clean
    srcs = [a.get("src") for t, a in dom.tags if t == "img"]
    assert srcs == ["data:image/png;base64,iVBORw0KGgo=", None]
    hrefs = [a.get("href") for t, a in dom.tags if t == "a"]
    assert hrefs == [None, None, "https://ok.example/", "other.html"]
    assert 'style="color:red"' in clean and "position" not in clean


def test_html_page_has_a_policy_and_escapes_the_title() -> None:
    page = report.html_page("<p>hi</p><script>x()</script>", title="<T>")
    dom = _DOM(page)
    metas = {a.get("http-equiv"): a.get("content") for t, a in dom.tags if t == "meta"}
    assert "script-src" not in metas["Content-Security-Policy"]
    assert metas["Content-Security-Policy"].startswith("default-src 'none'")
    assert dom.names().count("script") == 0 and "<T>" in dom.all_text()


def _executed_notebook() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    code = v4.new_code_cell("secret_code_line = 1\nreport.show_table(df)")
    code.outputs = [
        v4.new_output("display_data", data={
            "text/html": "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
                         "<script>alert(1)</script><img src=x onerror=alert(1)>",
            "text/plain": "table"}),
        v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "fig"}),
        v4.new_output("display_data", data={"application/javascript": "alert(2)", "text/plain": "js"}),
        v4.new_output("stream", name="stdout", text="<b>printed</b>\n"),
    ]
    code.execution_count = 3
    hidden = v4.new_code_cell("hidden_cell = 1")
    hidden.metadata["tags"] = ["remove-cell"]
    hidden.outputs = [v4.new_output("stream", name="stdout", text="HIDDEN OUTPUT\n")]
    quiet = v4.new_code_cell("x = 1")
    quiet.metadata["tags"] = ["remove-output"]
    quiet.outputs = [v4.new_output("stream", name="stdout", text="QUIET OUTPUT\n")]
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_markdown_cell("# The case\n\n<script>alert(4)</script>[x](javascript:alert(5))\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
        code, hidden, quiet,
    ]
    return nb


def test_notebook_html_hides_code_keeps_outputs_and_is_inert(tmp_path: Path) -> None:
    nb = _executed_notebook()
    nbformat.write(nb, tmp_path / "case.ipynb")
    page = report.notebook_html(tmp_path / "case.ipynb")
    dom = _DOM(page)
    assert "script" not in dom.names() and dom.handlers() == []
    assert not [a for t, a in dom.tags if (a.get("href") or "").lower().startswith("javascript")]
    for removed in ("alert(1)", "alert(2)", "alert(4)"):  # scripts go with their content
        assert removed not in page
    text = dom.all_text()
    assert "secret_code_line" not in text and "In [" not in text
    assert "<b>printed</b>" in text  # a stream is text
    assert "HIDDEN OUTPUT" not in page and "hidden_cell" not in page and "QUIET OUTPUT" not in page
    assert dom.names().count("table") == 2 and "th" in dom.names()  # the output's and the markdown's
    assert any((a.get("src") or "").startswith("data:image/png;base64,") for t, a in dom.tags if t == "img")
    assert "<title>The case</title>" in page
    assert report.notebook_html(nb, title="Other") != page and len(nb.cells[1].outputs) == 4


def test_every_image_in_a_page_has_alt_text_from_its_figure(tmp_path: Path) -> None:
    v4 = nbformat.v4
    titled = v4.new_code_cell("ax = plot()")
    titled.outputs = [v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                                    metadata={"image/png": {"alt": 'Tweets per week "<b>"'}})]
    untitled = v4.new_code_cell("ax = other()")
    untitled.outputs = [v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                            "text/plain": "<Figure>"})]
    first = v4.new_code_cell("ax = first()")
    first.outputs = [v4.new_output("display_data", data={"image/jpeg": "/9j/4AAQ"})]
    nb = v4.new_notebook()
    nb.cells = [first, v4.new_markdown_cell("# Case\n\n## Activity over time\n\ntext"),
                titled, untitled]
    page = report.notebook_html(nb)
    alts = [a.get("alt") for t, a in _DOM(page).tags if t == "img"]
    assert alts == ["Figure (no title)", 'Tweets per week "<b>"',
                    "Figure in section 'Activity over time'"]
    assert 'alt="Tweets per week &quot;&lt;b&gt;&quot;"' in page  # escaped in the attribute
    assert "alt" not in nb.cells[2].outputs[0].metadata.get("image/jpeg", {})  # not modified


def test_figure_alt_text_reads_the_titles() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2)
    a.set_title("Hour of day")
    b.set_xlabel("weekday")
    b.set_ylabel("tweets")
    assert report.figure_alt_text(fig) == "Hour of day; tweets by weekday"
    fig.suptitle("When the accounts tweet")
    assert report.figure_alt_text(fig) == "When the accounts tweet"
    empty, _ = plt.subplots()
    assert report.figure_alt_text(empty) == ""
    plt.close("all")


def test_enable_figure_alt_text_puts_the_title_in_the_png_metadata() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.formatters import DisplayFormatter

    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Tweets per week")
    assert shell.display_formatter.format(fig)[1] == {}  # before: no alt
    report.enable_figure_alt_text(shell)
    report.enable_figure_alt_text(shell)  # twice: still one wrapper
    data, metadata = shell.display_formatter.format(fig)
    assert metadata["image/png"] == {"alt": "Tweets per week"} and data["image/png"]
    bare, _ = plt.subplots(figsize=(2, 1))
    assert "image/png" not in shell.display_formatter.format(bare)[1]
    assert report.enable_figure_alt_text() is None  # outside IPython: nothing to do
    plt.close("all")


def test_show_table_abbreviates_hashes_formats_times_and_joins_lists() -> None:
    df = pd.DataFrame({
        "userid": ["7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE=", "155322756"],
        "t": pd.to_datetime(["2020-01-01 10:00", "2020-01-02 00:00"], utc=True),
        "d": pd.to_datetime(["2020-01-01", "2020-01-02"]),
        "l": [["a", "b"], ["c"]],
        "text": ["RT @qBf+h+wuixptxkrp9LXpR7KQSoNGxJsvvPlkpciS4=: hi", "ok"],
    })
    table = report.show_table(df)
    dom = _DOM(table.html)
    assert "7WTYPcAG…" in dom.all_text() and "7WTYPcAGruW7" not in dom.all_text()
    titles = [a.get("title") for t, a in dom.tags if t == "abbr"]
    assert titles == ["7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE=",  # the full ids, on hover
                      "qBf+h+wuixptxkrp9LXpR7KQSoNGxJsvvPlkpciS4="]
    assert "RT @qBf+h+wu…: hi" in dom.all_text()
    assert "155322756" in table.html  # numeric ids stay whole
    assert "RT @qBf+h+wu…: hi" in table.text
    assert "2020-01-01 10:00" in table.text and "00:00:00" not in table.text
    assert "a, b" in table.text and "['a'" not in table.text
    full = report.show_table(df, abbreviate_ids=False)
    assert "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE=" in full.html


def test_show_table_shares_are_percentages_and_counts_have_separators() -> None:
    df = pd.DataFrame({
        "flagged_share": [0.1234, 0.0004, 0.0, None],
        "hashed share": pd.Series([1.0, 0.5, 0.25, 0.125], dtype="float32"),
        "tweets": pd.Series([1234567, 12, 0, None], dtype="Int64"),
        "accounts": [1500.0, 3.0, None, 2.0],  # counts turned float by a missing value
        "rate": [12345.678, 0.1234, 2.5, 1e-5],
        "tweetid": pd.Series([1234567890, 2, 3, 4], dtype="int64"),  # an id: no separators
        "year": [2020, 2019, 2018, 2017],
        "value": [123456, "UTC+03:30", 0.5, True],  # a findings column: mixed values
    })
    table = report.show_table(df)
    text = table.text
    assert "12.3%" in text and "<0.1%" in text and "0.0%" in text
    assert "100.0%" in text and "12.5%" in text
    assert "1,234,567" in text and "1,500" in text and "1500.0" not in text
    assert "12,346" in text and "0.1234" in text and "1e-05" in text
    assert "1234567890" in text and "1,234,567,890" not in text
    assert "2020" in text and "2,020" not in text
    assert "123,456" in text and "UTC+03:30" in text and "True" in text
    for cell in ("12.3%", "&lt;0.1%", "1,234,567", "1,500", "1234567890", "2020", "123,456"):
        assert f"<td>{cell}</td>" in table.html


def test_abbreviated_ids_keep_the_full_id_in_a_title_and_stay_safe() -> None:
    full = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="
    df = pd.DataFrame({"userid": [full],
                       "tweet_text": [f"<script>x</script> @{full} http://evil.example/?u={full}"]})
    dom = _DOM(report.show_table(df).html)
    abbrs = [a for t, a in dom.tags if t == "abbr"]
    assert [a["title"] for a in abbrs] == [full, full, full]
    assert full not in dom.all_text() and "7WTYPcAG…" in dom.all_text()
    assert "<script>x</script>" in dom.all_text() and "script" not in dom.names()
    assert "hxxp://evil[.]example/?u=7WTYPcAG…" in dom.all_text()
    assert set(dom.names()) == {"div", "table", "thead", "tbody", "tr", "th", "td", "abbr",
                                "bdi"}
    kept = report.sanitise_html(report.show_table(df).html)  # pages keep the title
    assert f'title="{full}"' in kept


def test_export_csv_keeps_full_ids(tmp_path: Path) -> None:
    full = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="
    df = pd.DataFrame({"userid": [full, "155322756"],
                       "tweet_text": [f"RT @{full}: hi", "ok"], "share": [0.25, 0.5]})
    out = report.export_csv(df, tmp_path / "ids.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert [r["userid"] for r in rows] == [full, "155322756"]
    assert rows[0]["tweet_text"] == f"RT @{full}: hi" and "…" not in out.read_text(encoding="utf-8")
    assert rows[0]["share"] == "0.25"  # numbers stay numbers in a CSV


# --------------------------------------------------------------------------- ledger


def _ledger() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a-1", "a-2", "a-3"], "claim": ["one", "two", "three"],
        "source": ["s", "s", "s"], "rule": ["r", "r", "r"],
        "evidence": ['e.g. <script>alert("x")</script> & co', "fine", "none"],
        "verdict": [claims.SUPPORTED, claims.NOT_SUPPORTED, claims.NOT_TESTABLE],
        "value": [1.0, 0.0, None],
    })


def test_render_ledger_escapes_html_and_colours_verdicts() -> None:
    rendered = report.render_ledger(_ledger())
    html = rendered.html
    assert isinstance(rendered, report.SafeHTML)
    assert "<script>" not in html
    assert " at 0x" not in repr(rendered) and "alert" in repr(rendered)  # plain-text twin
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "#d9f2d9" in html and "#f8d7d7" in html and "#eeeeee" in html
    assert 'class="casebook-ledger"' in html
    assert html == report.render_ledger(_ledger()).html  # deterministic for nbval
    shown = report.render_ledger(_ledger(), columns=("claim", "verdict", "absent"))
    assert shown.text.split("\n")[0].split() == ["claim", "verdict"]


def _cohort(n: int, retweets: int, top: int) -> object:
    """``n`` tweets of 20 accounts, ``retweets`` of them retweets, ``top`` by one account."""
    from tests._frames import FakeRelease, make_tweets, make_users

    rows = [{"userid": "top" if i < top else f"a{i % 19}", "tweet_time": "2021-03-01 10:00",
             "is_retweet": i < retweets} for i in range(n)]
    return FakeRelease(make_tweets(rows), make_users([]), name="mine")


def test_render_ledger_shows_what_ordinary_accounts_give() -> None:
    mine = [claims.Claim("m-rt", "m", "A third are retweets.", "r", "retweet_share",
                         {"about": 0.33, "tolerance": 0.05}),
            claims.Claim("m-top", "m", "One account dominates.", "r", "top_account_share",
                         {"min_share": 0.4})]
    ledger = claims.evaluate_claims(_cohort(300, 100, 150), mine,
                                    control=_cohort(300, 99, 20))
    assert ledger["verdict"].tolist() == [claims.NOT_DISTINCTIVE, claims.SUPPORTED]
    shown = report.render_ledger(ledger)  # the default columns
    for text in (shown.html, shown.text):
        assert "33.3% retweets here; 33.0% retweets for ordinary accounts. They meet the " \
            "rule too" in text
        assert "the top account posted 50.0% of the tweets here; the top account posted " \
            "6.7% of the tweets for ordinary accounts" in text
    plain = report.render_ledger(claims.evaluate_claims(_cohort(300, 100, 150), mine))
    assert plain.text.count("no control cohort was given") == 2
    assert "inconclusive until ordinary accounts are shown not to meet it" in plain.text


_PRESENTATION = ("casebook.report", "casebook.widgets", "casebook.runner")


def _imported(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize("module", ["accounts", "activity", "content", "claims",
                                    "coordination", "discovery", "evidence", "catalogue", "_frames",
                                    "_plotting"])
def test_analysis_modules_do_not_import_presentation(module: str) -> None:
    package = Path(casebook.__file__).parent
    files = ([package / f"{module}.py"] if (package / f"{module}.py").is_file()
             else sorted((package / module).glob("*.py")))
    assert files
    for path in files:
        bad = {n for n in _imported(path) if n.startswith(_PRESENTATION)}
        assert not bad, f"{path.name} imports {sorted(bad)}"
    code = (f"import sys, casebook.{module}; "
            f"print(sorted(m for m in sys.modules if m.startswith({_PRESENTATION!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- live content

_NO_MATH = '<div class="casebook-output tex2jax_ignore mathjax_ignore">'


def test_every_safe_html_is_marked_for_mathjax_to_skip(tmp_path: Path) -> None:
    tweets = pd.DataFrame({"tweet_text": [r"$\href{//evil.example/x}{evidence}$", "$5 and $10"]})
    ledger = pd.DataFrame({"claim": ["$x$"], "verdict": ["supported"]})
    outputs = [report.show_table(tweets), report.render_ledger(ledger),
               report.specimen_banner({"GRU_202012": tmp_path}), report.SafeHTML("<b>$x$</b>")]
    for out in outputs:
        assert out.html.startswith(_NO_MATH) and out.html.endswith("</div>")
        assert out._repr_html_() == out.html
    assert report.SafeHTML(report.SafeHTML("x").html).html.count(_NO_MATH) == 1


def test_tables_show_bidi_and_invisible_characters() -> None:
    frame = pd.DataFrame({"client\u202e": ["ti.rvld\u202e"], "tweet_text": ["\u2067x\u2069 y"],
                          "name": ["a\u200cb"], "text": ["\u0645\u200c\u0645"]})
    table = report.show_table(frame, caption="c\u202e")
    for shown in (table.html, table.text):
        assert not any(c in shown for c in "\u202e\u2067\u2069")
    assert "ti.rvld&lt;U+202E&gt;" in table.html and "client&lt;U+202E&gt;" in table.html
    assert "<U+2067>x<U+2069> y" in table.text and "a<U+200C>b" in table.text
    assert "\u0645\u200c\u0645" in table.html  # a Persian word keeps its non-joiner
    ledger = report.render_ledger(pd.DataFrame({"claim": ["x\u202ey"], "verdict": ["supported"]}))
    assert "x&lt;U+202E&gt;y" in ledger.html and "x<U+202E>y" in ledger.text


class _Cells(HTMLParser):
    """Each table cell's ``<bdi>`` elements and the text outside them, as a browser's
    parser sees the HTML."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[dict[str, list[str]]] = []
        self._bdi: list[str] | None = None
        self._in_cell = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self.cells.append({"bdi": [], "outside": []})
            self._in_cell = True
        elif tag == "bdi":
            assert self._bdi is None, "a <bdi> inside a <bdi>"
            self._bdi = []

    def handle_endtag(self, tag):
        if tag == "bdi":
            self.cells[-1]["bdi"].append("".join(self._bdi))
            self._bdi = None
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            (self._bdi if self._bdi is not None else self.cells[-1]["outside"]).append(data)


def test_each_text_of_a_table_cell_is_isolated_from_its_neighbours() -> None:
    # a community's sample texts share one cell: a right-to-left tweet ending in digits
    # and punctuation would pull its neighbours' words into its own order. Each text is
    # its own <bdi> (direction auto), joined by commas outside them
    persian = "سلام دنیا 2020!"
    hebrew = "שלום"
    frame = pd.DataFrame({
        "community": [0, 1],
        "sample_texts": [[persian, "hello <b>world</b>", "see http://evil.example/x"], []],
        "top_hashtags": pd.Series([[hebrew, "gaza"], None], dtype=schema.LIST),
        "user_display_name": [hebrew + " 12", None],
        "n_tweets": [5, 6],
    })
    table = report.show_table(frame)
    for page in (table.html, report.sanitise_html(table.html),
                 report.html_page(table.html, title="t")):
        cells = _Cells(page).cells
        assert len(cells) == 10
        first = dict(zip(frame.columns, cells[:5], strict=True))
        assert first["sample_texts"]["bdi"] == [persian, "hello <b>world</b>",
                                                "see hxxp://evil[.]example/x"]
        assert "".join(first["sample_texts"]["outside"]) == ", , "
        assert first["top_hashtags"]["bdi"] == [hebrew, "gaza"]
        assert first["user_display_name"]["bdi"] == [hebrew + " 12"]
        # numbers need no isolation; empty cells hold nothing
        assert first["n_tweets"] == {"bdi": [], "outside": ["5"]}
        assert all(c == {"bdi": [], "outside": []} for c in cells[6:9])
    assert "<b>" not in table.html and "dir=" not in table.html
    # the plain-text twin is unchanged
    assert f"{persian}, hello <b>world</b>, see hxxp://evil[.]example/x" in table.text


def test_a_confidence_reads_as_a_percentage_in_every_table() -> None:
    # the time zone's confidence read "1" in the offset table and "100.0%" in the
    # metrics table: one format, as shares are
    offsets = report.show_table(pd.DataFrame({"label": ["UTC+03:00", "inconclusive"],
                                              "confidence": [1.0, 0.0]}))
    metrics = report.show_table(pd.DataFrame({
        "dataset": ["x"], "time zone confidence (share of resamples)": [1.0]}))
    assert "<td>100.0%</td>" in offsets.html and "<td>0.0%</td>" in offsets.html
    assert "<td>100.0%</td>" in metrics.html
    assert "100.0%" in offsets.text and " 1\n" not in offsets.text + "\n"


def test_the_ledger_shows_each_value_with_its_unit() -> None:
    # a rate ratio, a share and a count in one column (the ledger's value, as
    # casebook.claims.evaluate_claims gives it with its value_unit): each said with its
    # unit, and the DataFrame keeps numbers
    units = pd.DataFrame({"claim": ["a", "b", "c", "d"],
                          "value": [126.2037, 0.5399, 20.0, None],
                          "value_unit": ["rate ratio", "share of tweets", "accounts", "accounts"],
                          "control_value": [18.377, 0.039, 0.0, None],
                          "verdict": [claims.SUPPORTED] * 4})
    shown = report.render_ledger(units, columns=("claim", "value", "control_value"))
    cells = ["".join(c["outside"]) for c in _Cells(shown.html).cells]
    assert [cells[i:i + 3] for i in range(0, len(cells), 3)] == [
        ["a", "126.2x (rate ratio)", "18.4x (rate ratio)"],
        ["b", "54.0% of tweets", "3.9% of tweets"],
        ["c", "20 accounts", "0 accounts"],
        ["d", "", ""]]
    assert "126.2x (rate ratio)" in shown.text and "126.2037" not in shown.text
    assert units["value"].dtype == "float64"  # the DataFrame is left as it was


def test_tables_and_the_ledger_show_terminal_controls_inert() -> None:
    # a table's plain-text twin is printed by IPython, nbconvert and nbval: an ESC there
    # would colour, clear or link the reader's terminal
    frame = pd.DataFrame({"name": ["\x1b[31mRED\x1b[0m"], "tweet_text": ["a\x07b\x08c\x9bd\re\r\n"]})
    table = report.show_table(frame)
    ledger = report.render_ledger(pd.DataFrame({"claim": ["x\x1b]8;;y\x07"],
                                                "verdict": ["supported"]}))
    for shown in (table.html, table.text, ledger.html, ledger.text):
        assert not any(c in shown for c in "\x1b\x07\x08\x9b")
    assert "<U+001B>[31mRED<U+001B>[0m" in table.text
    assert "a<U+0007>b<U+0008>c<U+009B>d<U+000D>e" in table.text
    assert "x<U+001B>]8;;y<U+0007>" in ledger.text


def test_the_ledger_defangs_links_in_its_evidence() -> None:
    ledger = report.render_ledger(pd.DataFrame({
        "claim": ["see http://evil.example/a"], "verdict": ["supported"],
        "evidence": ["e.g. Ministry http://evil.example/mfa and www.evil.example"]}))
    for shown in (ledger.html, ledger.text):
        assert "http://" not in shown and "www.evil" not in shown
    assert "hxxp://evil[.]example/mfa and www[.]evil[.]example" in ledger.text


def test_report_pages_are_marked_for_mathjax_to_skip() -> None:
    page = report.html_page("<p>$5 and $10</p>", title="t\u202e")
    assert '<body class="tex2jax_ignore mathjax_ignore">' in page
    assert "<title>t&lt;U+202E&gt;</title>" in page


def test_export_csv_neutralises_categorical_columns_and_headers(tmp_path: Path) -> None:
    df = pd.DataFrame({"client": pd.Categorical(["=1+1", "@x", "ok"]),
                       "+header": ["a", "b", "c"],
                       "lang": pd.Categorical(["-2+3", "en", "en"])})
    path = report.export_csv(df, tmp_path / "t.csv")
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == ["client", "'+header", "lang"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'@x", "ok"]
    assert [r[2] for r in rows[1:]] == ["'-2+3", "en", "en"]


def test_show_table_shows_named_share_columns_as_percentages() -> None:
    mix = pd.DataFrame({"dataset": ["a", "b"], "official": [0.7, 0.0004], "mobile": [0.3, 0.0]})
    out = report.show_table(mix, shares=["official", "mobile"])
    assert "70.0%" in out.text and "<0.1%" in out.text and "0.0%" in out.text
    assert "0.7 " not in out.text and "70.0%" in out.html
    assert "0.7" in report.show_table(mix).text  # not a share by its name: as it is
    with pytest.raises(KeyError, match="shares not in the table"):
        report.show_table(mix, shares=["web"])
