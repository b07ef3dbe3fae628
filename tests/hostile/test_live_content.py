"""Issue 13, "Live content": hostile text is shown, never typeset, reordered or run.

One test per case; the inputs come from :mod:`tests.hostile.make_live`.
"""

from __future__ import annotations

import csv
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from casebook import cli, content, report, safety
from casebook._plotting import literal_text
from casebook.errors import CasebookError, LoadError
from casebook.widgets import Explorer, static_summary

from . import make_live as live

#: What must never reach a page, a table, a figure or a terminal unrevealed.
RAW_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\u2060\ufeff\u061c"
                           "\U000e0000-\U000e007f]")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class _MathJaxView(HTMLParser):
    """The text MathJax would search for ``$...$`` in: text outside the tags it skips
    (``script``, ``style``, ``pre``, ``code``...) and outside any element with class
    ``tex2jax_ignore`` or ``mathjax_ignore`` (MathJax's ``ignoreHtmlClass``)."""

    SKIP = {"script", "noscript", "style", "textarea", "pre", "code"}
    VOID = {"br", "img", "hr", "col", "input", "meta", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # ignored?
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        ignored = (bool(self.stack) and self.stack[-1]) or tag in self.SKIP or bool(
            {"tex2jax_ignore", "mathjax_ignore"} & set(classes))
        self.stack.append(ignored)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def typeset_text(html: str) -> str:
    view = _MathJaxView()
    view.feed(html)
    return "".join(view.text)


@pytest.fixture
def hostile():
    return live.hostile_release()


@pytest.fixture
def explorer(hostile) -> Explorer:
    return Explorer(hostile, min_weight=1)


def test_no_casebook_html_output_is_typeset_by_mathjax(hostile, explorer) -> None:
    tweets = hostile.tweets[["user_screen_name", "tweet_text"]]
    ledger = pd.DataFrame({"claim": [live.MATH_LINK], "evidence": [live.DOLLARS],
                           "verdict": ["supported"]})
    outputs = {
        "show_table": report.show_table(tweets, caption=live.DOLLARS).html,
        "render_ledger": report.render_ledger(ledger).html,
        "static_summary": static_summary(hostile, max_accounts=3).data,
        "profile": explorer.profile.value,
        "tweets": explorer.table_html,
    }
    explorer.show_neighbour(explorer.neighbours["userid"].iloc[0])
    outputs["evidence"] = explorer.evidence_html.value
    for name, html in outputs.items():
        assert "$" in html, name  # the hostile text is shown...
        assert "$" not in typeset_text(html), name  # ...where MathJax does not look
    assert {"tex2jax_ignore", "mathjax_ignore"} <= set(explorer.widget._dom_classes)
    page = report.html_page(outputs["show_table"] + f"<p>{live.MATH_LINK}</p>", title="x")
    assert "$" not in typeset_text(page)


def test_bidi_and_invisible_characters_are_shown_not_obeyed(hostile, explorer) -> None:
    names = pd.DataFrame({"name": list(live.BIDI_NAMES.values()),
                          "tweet_text": list(live.BIDI_NAMES.values())})
    table = report.show_table(names, caption=live.BIDI_NAMES["override"])
    assert "&lt;U+202E&gt;" in table.html and "<U+2067>" in table.text
    shown = [table.html, table.text, static_summary(hostile).data, explorer.profile.value,
             *[label for label, _ in explorer.picker.options]]
    for uid in explorer.accounts["userid"]:
        explorer.select_account(uid)
        shown += [explorer.profile.value, explorer.table_html,
                  *[b.description for b in explorer.neighbour_box.children]]
    assert not [s for s in shown if RAW_INVISIBLE.search(s)]
    fig, ax = plt.subplots()
    ax.barh(list(live.BIDI_NAMES.values()), range(len(live.BIDI_NAMES)))
    ax.set_title(live.BIDI_NAMES["override"])
    literal_text(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()] + [ax.get_title()]
    assert not [s for s in labels if RAW_INVISIBLE.search(s)]
    assert "<U+202E>" in ax.get_title()


def test_a_dollar_in_an_account_label_draws_literally(hostile, explorer) -> None:
    for uid in explorer.accounts["userid"]:  # every account opens: none is unselectable
        explorer.select_account(uid)
        assert bytes(explorer.timeline.value).startswith(b"\x89PNG")
    labels = explorer.accounts["label"].tolist()
    assert "@" + live.MATH_LINK in labels and "@cost$5" in labels
    fig, ax = plt.subplots()
    ax.barh(labels, range(len(labels)))
    ax.legend(ax.patches[:1], [live.MATH_STYLE])
    literal_text(ax)
    fig.canvas.draw()  # mathtext would raise ValueError here
    shown = {t.get_text() for t in ax.get_yticklabels()}
    assert r"@\$\href{//evil.example/x}{evidence}\$" in shown  # drawn as "$\href...$"


def test_terminal_messages_escape_control_characters(tmp_path: Path, monkeypatch,
                                                     capsys) -> None:
    def run(args):  # noqa: ANN001, ANN202
        print(f"note {live.TERMINAL_ESCAPES}")
        warnings.warn(f"header {live.TERMINAL_ESCAPES}", UserWarning, stacklevel=1)
        raise CasebookError(f"member {live.TERMINAL_ESCAPES}", hint=live.TERMINAL_ESCAPES)

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 1
    out, err = capsys.readouterr()
    assert not RAW_CONTROL.search(out) and not RAW_CONTROL.search(err)
    assert "\\x1b[2J" in out and "\\x1b]8;;http://evil.example/" in err
    assert err.count("casebook validate: error: member \\x1b[2J") == 1
    assert not RAW_CONTROL.search(str(LoadError(live.TERMINAL_ESCAPES)))
    # and what the loader says about a real hostile file
    for path in (live.escape_header(tmp_path / "h"), live.escape_member_zip(tmp_path / "z")):
        assert cli.main(["validate", str(path.parent)]) != 0
        out, err = capsys.readouterr()
        assert not RAW_CONTROL.search(out + err) and "\\x1b" in out + err


def test_export_csv_neutralises_categories_and_headers(tmp_path: Path) -> None:
    path = report.export_csv(live.formula_table(), tmp_path / "t.csv")
    rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
    cells = [cell for row in rows for cell in row]
    assert len(rows) == 5
    assert not [c for c in cells if c.startswith(safety.FORMULA_PREFIXES)]
    assert rows[0][2] == "'" + live.FORMULAS[0]


def test_non_web_urls_and_look_alike_domains(hostile) -> None:
    domains = content.top_domains(hostile.tweets, n=None)
    assert not {"javascript", "data", "javascript:alert(document.domain)"} & set(domains["domain"])
    assert {"(javascript: URL)", "(data: URL)"} <= set(domains["domain"])
    apple = domains.loc[domains["domain"].str.contains("pple")]
    assert len(apple) == 1 and bool(apple["mixed_script"].iloc[0])
    assert live.LOOKALIKE_PUNYCODE in apple["domain"].iloc[0]  # the marker names it
    assert not domains.loc[~domains["domain"].str.contains("pple"), "mixed_script"].any()
    both = content.registered_domains(pd.Series(
        [f"https://{live.LOOKALIKE}/a", f"http://{live.LOOKALIKE_PUNYCODE}/b"], dtype="string"))
    assert both.nunique() == 1
