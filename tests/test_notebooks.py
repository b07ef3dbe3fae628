"""The committed notebooks: thin, parameterised, executed, and the nbval sanitiser."""

from __future__ import annotations

import configparser
import json
import re

import pytest

from casebook import paths
from casebook.runner import CASES

NOTEBOOKS = sorted(paths.notebooks_dir().glob("[0-9]*.ipynb"))


def _sanitisers() -> list[tuple[re.Pattern[str], str]]:
    cfg = configparser.ConfigParser()
    cfg.read(paths.notebooks_dir() / "sanitize.cfg", encoding="utf-8")
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"]) for s in cfg.sections()]


def _sanitise(text: str) -> str:
    for pattern, repl in _sanitisers():
        text = pattern.sub(repl, text)
    return text


def test_sanitiser_masks_only_unstable_text() -> None:
    assert _sanitise("<Styler at 0x7f01620bbb50>") == "<Styler at 0xADDRESS>"
    assert _sanitise("wrote /tmp/pytest-of-root/x/y.csv ok") == "wrote TMPPATH ok"
    stable = "iran_202012: 238 accounts, 84,086 tweets; UTC+03:30; sha256 2b2cfd339b8ab6dd"
    assert _sanitise(stable) == stable  # findings, ids and hashes are never masked


def test_every_case_has_its_notebook() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert set(CASES.values()) <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_executed_and_clean(path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one parameters cell"
    assert all(c.get("execution_count") for c in code), "committed executed"
    for c in code:
        src = "".join(c["source"])
        assert not re.search(r"^\s*(def|class) ", src, re.M), "logic belongs in the package"
        assert "../" not in src, "paths come from casebook.paths"
        for out in c.get("outputs", []):
            assert out["output_type"] != "error"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), src[:60]
            plain = "".join(out.get("data", {}).get("text/plain", ""))
            assert " at 0x" not in plain, f"object address in output of: {src[:60]}"
            assert "/work/" not in plain and "/home/" not in plain, "no absolute paths"
    figures = [o for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert figures, "figures are embedded"


# --------------------------------------------------------------------------- titles written from the data


def _page(out, notebook: str) -> tuple[str, str, str]:
    """The page's ``<title>``, its ``<h1>`` and its text (tags dropped)."""
    import html

    page = (out / notebook.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
    h1 = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
          for h in re.findall(r"<h1\b[^>]*>(.*?)</h1>", page, re.S)]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1])).split())
    return title, " | ".join(h1), text


def _isolated_run(tmp_path_factory, cases, **kwargs):
    """``run_cases`` with the cache in a temporary folder (a module-scoped fixture runs
    outside the per-test cache isolation of conftest)."""
    from casebook.runner import run_cases

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASEBOOK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        return run_cases(cases, progress=False, **kwargs)


@pytest.fixture(scope="module")
def generic_runs(tmp_path_factory):
    """The release case and the overview, run once on two small generated releases."""
    import yaml

    from tests.test_case import write_release

    data = tmp_path_factory.mktemp("releases")
    write_release(data / "TINY_0621", "TINY_0621", seed=1)
    write_release(data / "OTHER_0621", "OTHER_0621", seed=2, accounts=5, tweets=90)
    sections = tmp_path_factory.mktemp("params") / "run.yaml"
    sections.write_text(yaml.safe_dump({
        "control_dataset": "",  # no control cohort: the runs stay short
        "release": {"datasets": ["TINY_0621"]},
        "overview": {"datasets": ["TINY_0621", "OTHER_0621"]},
    }), encoding="utf-8")
    out = tmp_path_factory.mktemp("generic")
    return _isolated_run(tmp_path_factory, ["release", "overview"], params_file=sections,
                         data=data, out=out)


#: Words naming the built-in cases' operations: a page about another release says none.
OTHER_OPERATIONS = re.compile(r"(?i)\b(iran\w*|gru\w*|ira(_\w+)?|armenia\w*|russia\w*|nato|"
                              r"debate|azerbaijan\w*|february 2021)\b")


def test_the_release_report_is_titled_with_its_release(generic_runs) -> None:
    assert generic_runs.ok, [c.describe_failure() for c in generic_runs.failed]
    title, h1, text = _page(generic_runs.out_dir, CASES["release"])
    assert title == h1 == "Release · TINY_0621"
    assert re.search(r"TINY_0621 holds 8 accounts \(\d+ with tweets\) and 160 tweets", text)
    assert "No claims were given for this release" in text
    assert not OTHER_OPERATIONS.search(text), OTHER_OPERATIONS.search(text)
    recorded = json.loads((generic_runs.out_dir / "release.findings.json").read_text(encoding="utf-8"))
    assert recorded["findings"][0]["detail"] == "dataset TINY_0621"


def test_the_overview_title_follows_its_datasets(generic_runs) -> None:
    title, h1, text = _page(generic_runs.out_dir, CASES["overview"])
    assert title == h1 == "Overview · Two networks, side by side: TINY_0621 and OTHER_0621"
    assert "Four" not in h1 and not OTHER_OPERATIONS.search(text), OTHER_OPERATIONS.search(text)
    assert "No claims are known for TINY_0621 and OTHER_0621" in text
    recorded = json.loads((generic_runs.out_dir / "overview.findings.json").read_text(encoding="utf-8"))
    claims = [f for f in recorded["findings"] if f["finding"] == "Claims tested"]
    assert claims == [{"finding": "Claims tested", "value": "0",
                       "detail": "no claims known for TINY_0621, OTHER_0621"}]


def test_the_index_lists_the_generic_case_with_its_release(generic_runs) -> None:
    index = (generic_runs.out_dir / "index.html").read_text(encoding="utf-8")
    assert 'id="case-release"' in index and "04_release.html" in index
    release = [c for c in generic_runs.cases if c.case == "release"][0]
    assert list(release.datasets) == ["TINY_0621"]


REAL = paths.shared_dir() / "fixtures" / "real"


@pytest.fixture(scope="module")
def real_release_run(tmp_path_factory):
    """The release case on a real excerpt, in the folder that holds several releases'."""
    if not (REAL / "rna_0621_2020_excerpt.csv").is_file():
        pytest.skip(f"real archive excerpts not found at {REAL} (../shared is absent)")
    return _isolated_run(tmp_path_factory, ["release"], data=REAL,
                         params={"datasets": ["RNA_0621"]},
                         out=tmp_path_factory.mktemp("real-release"))


@pytest.mark.slow
def test_the_release_report_on_a_real_excerpt_is_titled_with_it(real_release_run) -> None:
    assert real_release_run.ok, [c.describe_failure() for c in real_release_run.failed]
    title, h1, text = _page(real_release_run.out_dir, CASES["release"])
    assert title == h1 == "Release · RNA_0621"
    # its own file only
    assert re.search(r"RNA_0621 holds 16 accounts \(\d+ with tweets\) and 274 tweets", text)
    assert "RNA_0621 was disclosed on 2021-12-02" in text
    assert not re.search(r"(?i)\b(cnhu|gru)_", text)  # the other excerpts of the folder


def test_the_generic_notebook_names_no_operation() -> None:
    path = paths.notebooks_dir() / CASES["release"]
    nb = json.loads(path.read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert not any(re.search(r"^#\s", s, re.M) for s, c in zip(sources, nb["cells"], strict=True)
                   if c["cell_type"] == "markdown"), "the title is written from the data"
    for s in sources:
        assert not OTHER_OPERATIONS.search(s), (OTHER_OPERATIONS.search(s), s[:80])
    overview = json.loads((paths.notebooks_dir() / CASES["overview"]).read_text(encoding="utf-8"))
    assert not any(re.search(r"^#\s", "".join(c["source"]), re.M) for c in overview["cells"]
                   if c["cell_type"] == "markdown"), "the overview's title comes from the data"


# --------------------------------------------------------------------------- the cross-release case

CROSS_RELEASE = paths.notebooks_dir() / CASES["cross_release"]


def test_the_cross_release_notebook_is_thin_executed_and_clean() -> None:
    # its name does not start with 0: the parametrised test above does not see it
    test_notebook_is_thin_executed_and_clean(CROSS_RELEASE)


def test_the_cross_release_notebook_shows_tables_only_through_show_table() -> None:
    import ast

    nb = json.loads(CROSS_RELEASE.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    safe = {"show_table", "specimen_banner", "record_findings", "print"}
    for src in code[1:]:  # after the parameters cell
        last = ast.parse(src).body[-1]
        if isinstance(last, ast.Expr):  # a displayed value: only through the report helpers
            func = last.value.func if isinstance(last.value, ast.Call) else None
            name = getattr(func, "attr", getattr(func, "id", None))
            assert name in safe, f"a value shown unescaped: {ast.unparse(last)}"


@pytest.fixture(scope="module")
def cross_release_run(tmp_path_factory):
    """The cross-release case on two small generated releases and a control cohort."""
    from tests.test_crossrelease import ALPHA, BETA, CONTROL, write_release

    data = tmp_path_factory.mktemp("cross")
    write_release(data / "alpha_202012", "alpha_202012", ALPHA)
    write_release(data / "beta_202012", "beta_202012", BETA)
    write_release(data / "control", "control_202012", CONTROL)
    return _isolated_run(tmp_path_factory, ["cross_release"], data=data,
                         params={"datasets": ["alpha_202012", "beta_202012"]},
                         out=tmp_path_factory.mktemp("cross-out"))


def test_the_cross_release_report_escapes_and_rates_the_link(cross_release_run) -> None:
    assert cross_release_run.ok, [c.describe_failure() for c in cross_release_run.failed]
    title, h1, text = _page(cross_release_run.out_dir, CASES["cross_release"])
    assert title == h1.rstrip("\u00b6") == "Across releases: what links them"
    page = (cross_release_run.out_dir / "20_cross_release.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "&lt;U+202E&gt;" in page  # the bidi override revealed
    assert "Real archive data: alpha_202012, beta_202012." in text
    recorded = json.loads((cross_release_run.out_dir / "cross_release.findings.json")
                          .read_text(encoding="utf-8"))
    links = {f["finding"]: f["value"] for f in recorded["findings"]}
    assert links["Link alpha_202012 and beta_202012"] == "strong"
    assert links["Distinctive shared keys"] == "4"


def test_case_notebooks_start_the_coordination_section_they_run() -> None:
    # a mismatch would not change a result, only compute the section twice
    notebooks = [p for p in NOTEBOOKS if "coordination_analysis(release" in p.read_text(encoding="utf-8")]
    assert len(notebooks) >= 4
    for path in notebooks:
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "code")
        started = re.findall(r"start_coordination\((.*)\)", code)
        run = re.findall(r"coordination_analysis\((release, .*)\)", code)
        assert len(started) == 1 and run, path.name
        assert started[0] == run[0], path.name
        assert code.index("start_coordination(") < code.index("coordination_analysis(release")


_CASE_NOTEBOOKS = [paths.notebooks_dir() / CASES[c] for c in ("iran", "russia", "armenia",
                                                                "release")]


def _code(path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))
                     ["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", _CASE_NOTEBOOKS, ids=lambda p: p.name)
def test_engagement_and_follow_spam_are_set_beside_ordinary_accounts(path) -> None:
    # a table of engagement or of flagged accounts is a finding only beside what ordinary
    # accounts give: each is computed with the control, and its caption says the rule and
    # which side ordinary accounts are on
    code = _code(path)
    assert re.search(r"content\.engagement_summary\(release\.tweets, control=", code), path.name
    assert "content.engagement_in_words(engagement)" in code, path.name
    assert "accounts.follow_spam(release.users, tweets=release.tweets, control=case.control)" \
        in code, path.name
    assert "accounts.follow_spam_in_words(spam)" in code, path.name


def test_the_armenia_lexicon_names_state_messaging_not_the_state() -> None:
    # the lexicon matches the terms of Azerbaijani state messaging the network quoted:
    # naming it "azerbaijan_state" read as if it found the state itself
    from tests.conftest import notebook_defaults

    lexicons = notebook_defaults("armenia")["lexicons"]
    assert "azerbaijani_state_messaging" in lexicons and "azerbaijan_state" not in lexicons
    assert "Aliyev" in lexicons["azerbaijani_state_messaging"]
    texts = [p.read_text(encoding="utf-8") for folder in ("params", "docs")
             for p in (paths.ROOT / folder).rglob("*") if p.is_file()]
    texts.append(_code(paths.notebooks_dir() / CASES["armenia"]))
    assert not any(re.search(r"\bazerbaijan_state\b", t) for t in texts)
