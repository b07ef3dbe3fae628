"""casebook run: papermill execution, parameters, failures, HTML reports and the index.

Two toy notebooks (written here with nbformat) are executed once for the whole module
(the ``run`` fixture: two kernel starts, a few seconds); every other test reads what
that run wrote, or checks parameters without executing anything.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest

from casebook import cli, paths, report, runner
from casebook.runner import ParameterError, RawValue
from tests._html import DOM as _DOM
from tests.conftest import release_folder

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_IMG = "<img src=x onerror=alert(1)>"
EVIL_FORMULA = '=HYPERLINK("http://evil.example")'
FAILING_FIRST_LINE = "# the cell that fails on request"
#: The environment before any run (the memory settings a kernel sees are compared with it).
_ENV_BEFORE = dict(os.environ)

PARAMETERS_CELL = """\
data_dir: str = ""  # folder with the releases (empty: the specimen)
datasets: list = ["toy_202012", "absent_202012"]  # datasets this case uses
output_dir: str = ""  # where findings are written
seed: int = 0  # seed for every random step
label: str = "notebook default"  # a label that ends up in the findings
note: str = "notebook default"  # a second label
fail: bool = False  # fail on purpose in a later cell
"""


def python_notebook(title: str, parameters: str, *cells: Any) -> nbformat.NotebookNode:
    """A Python 3 notebook: a markdown ``title`` cell, a cell tagged ``parameters`` with
    the source ``parameters``, then ``cells``."""
    v4 = nbformat.v4
    params = v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [v4.new_markdown_cell(title), params, *cells]
    return nb


def toy_notebook(case: str) -> nbformat.NotebookNode:
    """A small case notebook following the runner's contract."""
    v4 = nbformat.v4
    setup = v4.new_code_cell(
        "import io\nimport os\nimport sys\nfrom pathlib import Path\n"
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "import pandas as pd\n"
        "from IPython.display import HTML, Image, Javascript, Markdown, display\n"
        "from casebook import report\n"
        "report.enable_figure_alt_text()\n"
        "found, absent = report.find_datasets(data_dir, datasets)\n"
        "report.specimen_banner(found)"
    )
    table = v4.new_code_cell(
        "tweets = pd.DataFrame({\n"
        "    'user_screen_name': ['alice', 'bob', 'carol'],\n"
        f"    'tweet_text': [{EVIL_SCRIPT!r}, {EVIL_IMG!r}, {EVIL_FORMULA!r}],\n"
        "}).astype('string')\n"
        "report.show_table(tweets, caption='Tweets')"
    )
    # displayed raw, bypassing the helpers: the page sanitiser must still catch it
    raw = v4.new_code_cell(
        f"display(HTML({EVIL_SCRIPT + EVIL_IMG!r}))\n"
        "display(Javascript('alert(2)'))\n"
        "display(Markdown('[click](javascript:alert(3))'))"
    )
    figure = v4.new_code_cell(
        "fig, ax = plt.subplots(figsize=(2, 1.5))\nax.bar(['a', 'b'], [1, 2])\n"
        "buf = io.BytesIO()\nfig.savefig(buf, format='png')\nplt.close(fig)\n"
        "display(Image(buf.getvalue()))\n"
        "fig, ax = plt.subplots(figsize=(2, 1.5))\nax.bar(['a', 'b'], [2, 1])\n"
        "ax.set_title('Toy bars by letter')\ndisplay(fig)\nplt.close(fig)"
    )
    export = v4.new_code_cell("report.export_csv(tweets, Path(output_dir) / 'tweets.csv')")
    failing = v4.new_code_cell(
        f"{FAILING_FIRST_LINE}\nif fail:\n    raise ValueError('toy failure requested')"
    )
    findings = v4.new_code_cell(
        "report.record_findings([\n"
        "    {'finding': 'label', 'value': label},\n"
        "    {'finding': 'note', 'value': note},\n"
        "    {'finding': 'seed', 'value': seed},\n"
        "    {'finding': 'python', 'value': sys.executable},\n"
        "    {'finding': 'prefix', 'value': sys.prefix},\n"
        "    {'finding': 'kernel env', 'value': ' '.join(f'{k}={os.environ.get(k)}' for k in "
        "sorted(os.environ) if k.startswith(('MALLOC_', 'MIMALLOC_', 'NUMPY_MADVISE', 'ARROW_')))},\n"
        "    {'finding': 'arrow pool', 'value': __import__('pyarrow').default_memory_pool().backend_name},\n"
        f"    {{'finding': 'present', 'value': ', '.join(found), 'detail': {EVIL_SCRIPT!r}}},\n"
        f"], case={case!r}, output_dir=output_dir)"
    )
    return python_notebook(f"# Toy case {case}\n\nA case for the runner's tests.\n\n## Figures",
                           PARAMETERS_CELL, setup, table, raw, figure, export, failing, findings)


def _parser() -> argparse.ArgumentParser:
    return cli.build_parser("run")


def _cli(argv: list[str]) -> tuple[int, str, str]:
    """``casebook ARGV`` through the command line's own error handling."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Toy notebooks, parameter files and a specimen-like data folder (nothing executed)."""
    root = tmp_path_factory.mktemp("runner")
    for case in ("toy", "broken"):
        nbformat.write(toy_notebook(case), root / f"{case}.ipynb")
    params = root / "params"
    params.mkdir()
    (params / "toy.yaml").write_text("label: from yaml\nnote: from yaml\nseed: 1\n", encoding="utf-8")
    (params / "broken.yaml").write_text("fail: true\n", encoding="utf-8")
    (root / "run.yaml").write_text("seed: 2\ntoy:\n  label: from -f section\n", encoding="utf-8")
    release = root / "releases" / "toy_202012"
    release.mkdir(parents=True)
    (release / "toy_202012_tweets_csv_hashed.csv").write_text('"tweetid"\n"1"\n', encoding="utf-8")
    (release / "ground_truth.json").write_text('{"synthetic": true}', encoding="utf-8")
    return SimpleNamespace(root=root, params=params, data=root / "releases", out=root / "report")


@pytest.fixture(scope="module")
def run(project: SimpleNamespace) -> SimpleNamespace:
    """One ``casebook run`` of both toy cases: the failing one first."""
    project.out.mkdir()  # an earlier run's folder, holding a findings file it left
    (project.out / runner.REPORT_MARKER).write_text("", encoding="utf-8")
    (project.out / "broken.findings.json").write_text('{"stale": true}', encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paths, "params_dir", lambda: project.params)
        code, out, err = _cli(
            [
                "run", str(project.root / "broken.ipynb"), str(project.root / "toy.ipynb"),
                "-f", str(project.root / "run.yaml"), "-p", "label", "from -p",
                "--data", str(project.data), "--out", str(project.out), "--no-progress",
            ]
        )
    return SimpleNamespace(code=code, stdout=out, stderr=err, out=project.out)


def _assert_inert(page: str) -> _DOM:
    dom = _DOM(page)
    names = [t for t, _ in dom.tags]
    assert "script" not in names and "iframe" not in names and "object" not in names
    for tag, attrs in dom.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "src"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text")), (tag, attrs)
    return dom


def _findings(out: Path, case: str) -> dict[str, object]:
    payload = json.loads((out / f"{case}.findings.json").read_text(encoding="utf-8"))
    return {f["finding"]: f["value"] for f in payload["findings"]}


# --------------------------------------------------------------------------- the run


def test_a_failing_case_makes_the_exit_status_nonzero(run) -> None:
    assert run.code == 1
    assert "Reports: " in run.stdout and str(run.out / "index.html") in run.stdout
    # the failures are reported as one error line, not a traceback
    assert run.stderr.startswith("casebook run: error: 1 of 2 case(s) failed: broken: ")
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_other_cases_still_run_after_a_failure(run) -> None:
    assert "ok      toy" in run.stdout
    assert (run.out / "toy.html").is_file() and (run.out / "toy.findings.json").is_file()


def test_parameters_flow_from_yaml_then_file_then_p(run, project) -> None:
    nb = nbformat.read(run.out / "toy.ipynb", as_version=4)
    used = nb.metadata.papermill.parameters
    assert used["label"] == "from -p"  # -p beats the -f section and params/toy.yaml
    assert used["seed"] == 2  # -f beats params/toy.yaml
    assert used["note"] == "from yaml"  # params/toy.yaml beats the notebook
    assert used["output_dir"] == str(run.out)
    assert used["data_dir"] == str(project.data)
    found = _findings(run.out, "toy")
    assert (found["label"], found["note"], found["seed"]) == ("from -p", "from yaml", 2)
    assert found["present"] == "toy_202012"


def test_kernels_run_with_the_memory_settings(run, monkeypatch) -> None:
    # the kernel sees KERNEL_ENV; the runner's own environment is left as it was
    expected = " ".join(f"{k}={v}" for k, v in sorted(runner.kernel_env().items())
                        if k not in _ENV_BEFORE)
    assert expected and _findings(run.out, "toy")["kernel env"] == expected
    # Arrow allocates with jemalloc where this pyarrow has it (the Linux wheels do)
    import pyarrow as pa

    wanted = runner.KERNEL_ENV["ARROW_DEFAULT_MEMORY_POOL"]
    if "ARROW_DEFAULT_MEMORY_POOL" not in _ENV_BEFORE:
        assert wanted == "jemalloc"
        assert _findings(run.out, "toy")["arrow pool"] == (
            wanted if wanted in pa.supported_memory_backends()
            else pa.default_memory_pool().backend_name)
    assert not set(runner.KERNEL_ENV) & (set(os.environ) - set(_ENV_BEFORE))
    # a value the environment sets already is kept, and restored afterwards
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    with runner.kernel_environment() as added:
        assert os.environ["MALLOC_ARENA_MAX"] == "4" and "MALLOC_ARENA_MAX" not in added
        assert os.environ["MALLOC_MMAP_MAX_"] == runner.KERNEL_ENV["MALLOC_MMAP_MAX_"]
    assert os.environ["MALLOC_ARENA_MAX"] == "4"
    assert ("MALLOC_MMAP_MAX_" in os.environ) == ("MALLOC_MMAP_MAX_" in _ENV_BEFORE)


def test_an_arrow_allocator_this_pyarrow_lacks_is_not_asked_for(monkeypatch) -> None:
    import pyarrow as pa

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["mimalloc", "system"])
    assert "ARROW_DEFAULT_MEMORY_POOL" not in runner.kernel_env()
    with runner.kernel_environment() as added:
        assert "ARROW_DEFAULT_MEMORY_POOL" not in added | dict(os.environ)
    monkeypatch.setattr(pa, "supported_memory_backends", lambda: ["jemalloc", "mimalloc"])
    assert runner.kernel_env()["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"


def test_the_kernel_is_this_environments_python(run) -> None:
    found = _findings(run.out, "toy")
    assert found["prefix"] == sys.prefix
    assert Path(str(found["python"])).resolve() == Path(sys.executable).resolve()
    assert Path(runner.kernel_python()).resolve() == Path(sys.executable).resolve()


def test_a_failing_case_keeps_its_partial_notebook(run) -> None:
    nb = nbformat.read(run.out / "broken.ipynb", as_version=4)
    assert nb.metadata.papermill.parameters["fail"] is True
    failing = [c for c in nb.cells if c.source.startswith(FAILING_FIRST_LINE)][0]
    error = [o for o in failing.outputs if o.output_type == "error"]
    assert error and error[0].ename == "ValueError"
    table = [c for c in nb.cells if "report.show_table" in c.source][0]
    assert table.outputs, "cells before the failure keep their outputs"
    after = [c for c in nb.cells if "record_findings" in c.source][0]
    assert after.outputs == [] and after.execution_count is None
    assert (run.out / "broken.html").is_file()


def test_a_running_notebook_is_saved_at_start_end_and_every_few_seconds(tmp_path, monkeypatch) -> None:
    import papermill
    import papermill.engines

    v4 = nbformat.v4
    src, out = tmp_path / "many.ipynb", tmp_path / "many.out.ipynb"
    nbformat.write(v4.new_notebook(cells=[v4.new_code_cell(f"x = {i}\nx") for i in range(20)]), src)
    writes: list[float] = []
    write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb",
                        lambda nb, path: (writes.append(1), write(nb, path))[1])
    papermill.execute_notebook(os.fspath(src), os.fspath(out), kernel_name=runner.DEFAULT_KERNEL,
                               engine_name=runner._engine(), progress_bar=False)
    # papermill alone writes the notebook as each cell starts and ends (42 writes here);
    # these cells take milliseconds, so only the first and the final writes remain
    assert len(writes) == 2
    done = nbformat.read(out, as_version=4)
    assert [c.outputs[0].data["text/plain"] for c in done.cells] == [str(i) for i in range(20)]
    assert {c.metadata.papermill.status for c in done.cells} == {"completed"}
    assert runner._engine() == runner._engine()  # registered once


def test_nbformat_is_imported_without_the_iri_grammar() -> None:
    # jsonschema builds rfc3987_syntax's grammar on import (over a second); a fresh
    # interpreter importing nbformat the runner's way must not load it, and may later
    import subprocess

    code = ("import sys; from casebook import runner; runner._import_nbformat(); "
            "print('rfc3987_syntax' in sys.modules); import rfc3987_syntax")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]


def test_the_console_and_the_index_name_the_failing_cell(run) -> None:
    # markdown, parameters, setup, table, raw, figure, export, failing (8th of 9)
    expected = f"cell 8 of 9 (In [8]) `{FAILING_FIRST_LINE}`: ValueError: toy failure requested"
    assert f"FAILED  broken: {expected}" in run.stdout
    assert f"broken: {expected}" in run.stderr
    index = _DOM((run.out / "index.html").read_text(encoding="utf-8")).all_text()
    assert f"Failed at {expected}" in index


def test_stale_findings_a_case_did_not_record_are_removed(run) -> None:
    assert not (run.out / "broken.findings.json").exists()
    page = (run.out / "index.html").read_text(encoding="utf-8")
    broken = page[page.index('id="case-broken"'): page.index('id="case-toy"')]
    assert "No findings recorded." in broken and "stale" not in broken


def test_index_links_cases_shows_findings_status_and_provenance(run, project) -> None:
    page = (run.out / "index.html").read_text(encoding="utf-8")
    dom = _assert_inert(page)
    hrefs = {a.get("href") for t, a in dom.tags if t == "a"}
    assert {"toy.html", "broken.html", "toy.ipynb", "broken.ipynb"} <= hrefs
    for href in ("toy.html", "broken.html"):
        assert (run.out / href).is_file()
    text = dom.all_text()
    assert "SYNTHETIC SPECIMEN DATA: not real accounts" in text
    assert "from -p" in text and "toy_202012" in text and "absent_202012" in text
    assert str(project.data) in text
    assert EVIL_SCRIPT in text  # a finding's detail: shown as text, not run


def test_html_report_hides_code_and_keeps_table_and_png(run) -> None:
    page = (run.out / "toy.html").read_text(encoding="utf-8")
    dom = _DOM(page)
    text = dom.all_text()
    assert "import matplotlib" not in text and "report.show_table" not in text
    assert "In [" not in text  # no prompts
    assert "Toy case toy" in text  # markdown kept
    tags = [t for t, _ in dom.tags]
    assert "table" in tags and "th" in tags and "caption" in tags
    pngs = [a["src"] for t, a in dom.tags if t == "img" and (a.get("src") or "").startswith("data:image/png;base64,")]
    assert pngs and len(pngs[0]) > 200


def test_every_figure_in_the_html_report_has_alt_text(run) -> None:
    dom = _DOM((run.out / "toy.html").read_text(encoding="utf-8"))
    alts = [a.get("alt") for t, a in dom.tags
            if t == "img" and (a.get("src") or "").startswith("data:image/")]
    # the figure shown by matplotlib carries its title; the raw PNG names its section
    assert alts == ["Figure in section 'Figures'", "Toy bars by letter"]


def test_html_report_is_inert_and_defanged(run) -> None:
    page = (run.out / "toy.html").read_text(encoding="utf-8")
    dom = _assert_inert(page)
    text = dom.all_text()
    assert EVIL_SCRIPT in text and EVIL_IMG in text  # the tweets, shown as text
    assert '=HYPERLINK("hxxp://evil[.]example")' in text
    assert "http://evil.example" not in page
    assert "alert(2)" not in page  # the JavaScript output was dropped
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_exported_csv_is_neutralised(run) -> None:
    with open(run.out / "tweets.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["tweet_text"] for r in rows]
    assert '\'=HYPERLINK("hxxp://evil[.]example")' in texts
    assert EVIL_SCRIPT in texts


# --------------------------------------------------------------------------- parameters (no execution)


def test_unknown_parameter_is_an_error_naming_it_and_the_valid_ones(project, tmp_path) -> None:
    out = tmp_path / "never"
    with pytest.raises(ParameterError) as info:
        runner.run_cases([project.root / "toy.ipynb"], params={"sede": 1}, out=out, progress=False)
    message = str(info.value)
    assert "sede" in message and "did you mean 'seed'" in message
    for valid in ("data_dir", "datasets", "seed", "label", "fail"):
        assert valid in message
    assert not out.exists()  # nothing ran


def test_unknown_parameter_on_the_command_line_exits_2(project, tmp_path) -> None:
    code, out, err = _cli(
        ["run", str(project.root / "toy.ipynb"), "-p", "bogus", "1", "--out", str(tmp_path / "r")]
    )
    assert code == 2 and "bogus" in err and "valid:" in err
    assert err.startswith("casebook run: error: ") and err.count("\n") == 1
    assert not (tmp_path / "r").exists()


def test_a_value_the_library_refuses_is_refused_before_any_kernel(tmp_path) -> None:
    # a 30-second window failed in the coordination cell, 21 s into the case
    iran = paths.notebooks_dir() / "01_iran_debate_interference.ipynb"
    bad = {"window": "30s", "workweek": "weekdays", "coordination_kinds": ["co_bogus"],
           "control_fpr": 1.5, "seed": -1, "debate_start": "yesterday-ish",
           "debate_widen": "a while"}
    with pytest.raises(ParameterError) as err:
        runner.case_parameters("iran", iran, params=bad)
    message = str(err.value)
    for key in bad:
        assert f"{key} (-p): " in message, key
    assert "shorter than one minute" in message and "unknown kind 'co_bogus'" in message
    good = runner.case_parameters("iran", iran, params={"window": "2min", "workweek": "sun-thu",
                                                        "seed": 3, "control_fpr": 0.05})
    assert (good["window"], good["workweek"], good["seed"]) == ("2min", "sun-thu", 3)
    code, stdout, stderr = _cli(["run", "iran", "-p", "window", "30s", "--out",
                                 str(tmp_path / "r"), "--no-progress"])
    assert code == 2 and stdout == "" and stderr.count("\n") == 1
    assert stderr.startswith("casebook run: error: case 'iran' (01_iran_debate_interference"
                             ".ipynb): window (-p): window '30s' is shorter than one minute")
    assert not (tmp_path / "r").exists()


def test_wrong_type_is_an_error(project, tmp_path) -> None:
    with pytest.raises(ParameterError, match=r"seed \(-p\): expected int, got str"):
        runner.run_cases([project.root / "toy.ipynb"], params={"seed": RawValue("abc")},
                         out=tmp_path / "r", progress=False)
    with pytest.raises(ParameterError, match="expected bool"):
        runner.case_parameters("toy", project.root / "toy.ipynb", params={"fail": 1})


def test_command_line_values_are_yaml_except_for_str_parameters(project, monkeypatch) -> None:
    monkeypatch.setattr(paths, "params_dir", lambda: project.params)
    got = runner.case_parameters(
        "toy", project.root / "toy.ipynb",
        params={"label": RawValue("007"), "seed": RawValue("3"), "datasets": RawValue("[a, b]"),
                "fail": RawValue("true")},
    )
    assert got["label"] == "007" and got["seed"] == 3
    assert got["datasets"] == ["a", "b"] and got["fail"] is True
    assert got["note"] == "from yaml"  # params/toy.yaml


def test_params_file_sections_apply_to_their_case_only(project, monkeypatch) -> None:
    monkeypatch.setattr(paths, "params_dir", lambda: project.root / "no-params")
    shared, sections = runner.split_params_file(
        {"seed": 5, "toy": {"label": "t"}, "broken": {"fail": True}, "iran": {"x": 1}},
        ["toy", "broken"],
    )
    assert shared == {"seed": 5} and set(sections) == {"toy", "broken", "iran"}
    toy = runner.case_parameters("toy", project.root / "toy.ipynb", shared=shared, section=sections["toy"])
    assert toy == {"seed": 5, "label": "t"}


def test_output_dir_is_the_runners(project) -> None:
    with pytest.raises(ParameterError, match="output_dir .*use --out"):
        runner.case_parameters("toy", project.root / "toy.ipynb", params={"output_dir": "/tmp/x"})


def test_data_dir_is_resolved_from_the_callers_directory(project, monkeypatch) -> None:
    monkeypatch.chdir(project.root)
    got = runner.case_parameters("toy", project.root / "toy.ipynb", params={"data_dir": "releases"})
    assert got["data_dir"] == str(project.data)


def test_missing_data_folder_is_an_error(project, tmp_path) -> None:
    with pytest.raises(ParameterError, match="no such folder"):
        runner.run_cases([project.root / "toy.ipynb"], data=tmp_path / "nope", out=tmp_path / "r",
                         progress=False)


def _never_executed(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("a kernel was started")


def test_a_missing_data_dir_stops_the_run_before_any_kernel(project, tmp_path,
                                                            monkeypatch) -> None:
    # the case failed in its third cell with a plain FileNotFoundError, a kernel later
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _never_executed)
    nowhere = tmp_path / "nowhere"
    (tmp_path / "real.yaml").write_text(f"data_dir: {nowhere}\n", encoding="utf-8")
    out = tmp_path / "r"
    expected = (f"casebook run: error: the data folder of case toy does not exist: {nowhere} "
                f"(download the releases with 'casebook fetch toy_202012 --dest {nowhere}' and "
                f"'casebook fetch absent_202012 --dest {nowhere}', or point the run at the "
                "releases with --data DIR)\n")
    toy = str(project.root / "toy.ipynb")
    for given in (["-f", str(tmp_path / "real.yaml")], ["-p", "data_dir", str(nowhere)]):
        code, stdout, stderr = _cli(["run", toy, *given, "--out", str(out), "--no-progress"])
        assert (code, stdout, stderr) == (1, "", expected)
        assert not out.exists()
    # the folder of one release: downloaded by its name into the folder above it
    with pytest.raises(runner.MissingDataError) as err:
        runner.run_cases([toy], params={"data_dir": str(tmp_path / "REA_0621")}, out=out,
                         progress=False)
    assert err.value.hint == ("download the release with 'casebook fetch REA_0621 --dest "
                              f"{tmp_path}', or point the run at the releases with --data DIR")


def test_a_missing_specimen_says_how_to_generate_it(project, tmp_path, monkeypatch) -> None:
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _never_executed)
    monkeypatch.setattr(paths, "specimen_dir", lambda: tmp_path / "specimen")
    with pytest.raises(runner.MissingDataError) as err:  # data_dir "": the specimen
        runner.run_cases([project.root / "toy.ipynb"], out=tmp_path / "r", progress=False)
    assert err.value.exit_code == 1
    assert str(err.value) == (
        f"the data folder of case toy does not exist: {tmp_path / 'specimen'} (generate the "
        "specimen with 'casebook specimen' (or 'make specimen'), or point the run at the "
        "releases with --data DIR)")
    assert not (tmp_path / "r").exists()


def test_notebook_needs_exactly_one_parameters_cell(tmp_path) -> None:
    nb = toy_notebook("x")
    nb.cells[2].metadata["tags"] = ["parameters"]
    nbformat.write(nb, tmp_path / "two.ipynb")
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters', found 2"):
        runner.notebook_parameters(tmp_path / "two.ipynb")


def test_parameter_lines_papermill_cannot_read_are_an_error(tmp_path) -> None:
    nb = toy_notebook("x")
    nb.cells[1].source += 'window: int = 60  # seconds (60 = one minute)\n'
    nbformat.write(nb, tmp_path / "eq.ipynb")
    with pytest.raises(ParameterError, match="cannot read the parameter.* window"):
        runner.notebook_parameters(tmp_path / "eq.ipynb")


def test_parameters_are_read_without_kernelspec_metadata(tmp_path) -> None:
    nb = toy_notebook("x")
    del nb.metadata["kernelspec"]
    nbformat.write(nb, tmp_path / "bare.ipynb")
    declared = runner.notebook_parameters(tmp_path / "bare.ipynb")
    assert declared["seed"]["inferred_type_name"] == "int"
    assert declared["datasets"]["help"].startswith("datasets this case uses")


# --------------------------------------------------------------------------- cases and CLI


def test_cases_default_to_all_in_order(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(paths, "notebooks_dir", lambda: tmp_path)
    for file in runner.CASES.values():
        nbformat.write(toy_notebook("x"), tmp_path / file)
    resolved = runner.resolve_cases()
    assert list(resolved) == ["overview", "iran", "russia", "armenia", "cross_release"]
    assert resolved["iran"] == tmp_path / "01_iran_debate_interference.ipynb"
    # a case notebook given by path keeps its case name
    by_path = runner.resolve_cases([tmp_path / "02_russia_anti_nato.ipynb"])
    assert list(by_path) == ["russia"]


def test_unknown_case_suggests_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(paths, "notebooks_dir", lambda: tmp_path)
    with pytest.raises(ParameterError, match="did you mean 'russia'"):
        runner.resolve_cases(["rusia"])
    with pytest.raises(ParameterError, match="notebook not found"):
        runner.resolve_cases(["iran"])


def test_cli_options_parse() -> None:
    args = _parser().parse_args(
        ["run", "iran", "russia", "-f", "p.yaml", "-p", "a", "1", "-p", "b", "[x]", "--data", "d",
         "--out", "o", "--no-progress"]
    )
    assert args.cases == ["iran", "russia"] and args.params_file == "p.yaml"
    assert args.param == [["a", "1"], ["b", "[x]"]]
    assert (args.data, args.out, args.progress, args.kernel) == ("d", "o", False, None)
    assert _parser().parse_args(["run"]).progress is True


def test_missing_kernel_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="no Jupyter kernel named 'no-such-kernel'"):
        runner.kernel_python("no-such-kernel")


def test_failed_cell_describes_the_cell() -> None:
    failed = runner.FailedCell(index=3, cells=9, execution_count=4, first_line="x = 1/0",
                               exception="ZeroDivisionError: division by zero")
    assert failed.describe() == "cell 4 of 9 (In [4]) `x = 1/0`: ZeroDivisionError: division by zero"
    assert runner.FailedCell(None, None, None, "", "DeadKernelError").describe() == "a cell: DeadKernelError"
    assert not isinstance(failed, BaseException)  # a record of where a run failed, not an error


# --------------------------------------------------------------------------- what the index says the data is


def _data_folder(root: Path) -> SimpleNamespace:
    """A folder of real releases (no control) beside a specimen with its control."""
    real = root / "real"
    release_folder(real / "GRU_202012", "GRU_202012")
    release_folder(real / "IRA_202012", "IRA_202012")
    specimen = root / "specimen"
    release_folder(specimen / "control", "control", synthetic=True)
    release_folder(specimen / "iran_202012", "iran_202012", synthetic=True)
    return SimpleNamespace(real=real, specimen=specimen)


def _declared(*names: str) -> dict[str, dict[str, object]]:
    defaults = {"data_dir": "", "datasets": [], "control_dataset": "control"}
    return {n: {"name": n, "default": repr(defaults[n]), "inferred_type_name": "str"}
            for n in names}


def _index_result(tmp_path: Path, monkeypatch, cases: dict[str, dict[str, object]],
                  declared: dict[str, dict[str, object]]) -> str:
    data = _data_folder(tmp_path)
    monkeypatch.setattr(paths, "specimen_dir", lambda: data.specimen)
    results = []
    for case, params in cases.items():
        params = {k: (str(getattr(data, v[1:])) if isinstance(v, str) and v.startswith("@") else v)
                  for k, v in params.items()}
        result = runner.CaseResult(case=case, notebook=tmp_path / f"{case}.ipynb",
                                   output_notebook=tmp_path / f"{case}.out.ipynb",
                                   parameters=params, status="ok")
        runner._provenance(result, declared)
        results.append(result)
    out = tmp_path / "report"
    out.mkdir()
    run = runner.RunResult(out_dir=out, index=out / "index.html", cases=results)
    page = runner.write_index(run).read_text(encoding="utf-8")
    body = page.split("<body", 1)[1].split(">", 1)[1]  # <body> may carry attributes
    return " ".join(_DOM(body).all_text().split())


def _section(text: str, case: str, following: str | None) -> str:
    start = text.index(f"{case}Status")
    return text[start: text.index(f"{following}Status") if following else None]


def test_index_says_real_data_was_calibrated_on_the_synthetic_control(tmp_path, monkeypatch) -> None:
    text = _index_result(tmp_path, monkeypatch, {
        "russia": {"data_dir": "@real", "datasets": ["GRU_202012", "IRA_202012"]},
        "iran": {"data_dir": "", "datasets": ["iran_202012"], "control_dataset": "control"},
        "nocontrol": {"data_dir": "@real", "datasets": ["GRU_202012"], "control_dataset": ""},
    }, _declared("data_dir", "datasets", "control_dataset"))
    russia = _section(text, "russia", "iran")
    assert "Real archive data: GRU_202012, IRA_202012." in russia
    assert "SYNTHETIC SPECIMEN DATA" not in russia
    assert "synthetic specimen's control cohort (control)" in russia
    assert "control cohort folder:" in russia
    iran = _section(text, "iran", "nocontrol")
    assert "SYNTHETIC SPECIMEN DATA: not real accounts." in iran
    assert "generated by 'casebook specimen': iran_202012" in iran
    nocontrol = _section(text, "nocontrol", None)
    assert "Real archive data: GRU_202012." in nocontrol and "No control cohort" in nocontrol
    assert "synthetic" not in nocontrol.lower()
    # the summary table: one row per case, its data and its control cohort
    assert "russia ok real archive data synthetic specimen (control)" in text
    assert "iran ok synthetic specimen synthetic specimen (control)" in text
    assert "nocontrol ok real archive data none" in text


def test_index_finds_a_real_control_in_the_data_folder(tmp_path, monkeypatch) -> None:
    release_folder(tmp_path / "real" / "control", "control")  # a cohort the user collected
    text = _index_result(tmp_path, monkeypatch, {
        "russia": {"data_dir": "@real", "datasets": ["GRU_202012"]},
    }, _declared("data_dir", "datasets", "control_dataset"))
    assert "real control cohort of ordinary accounts (control)" in text
    assert "SYNTHETIC" not in text and "synthetic" not in text.lower()
    assert "russia ok real archive data real cohort from the data folder (control)" in text


def test_index_says_nothing_of_a_control_a_notebook_does_not_name(tmp_path, monkeypatch) -> None:
    text = _index_result(tmp_path, monkeypatch, {
        "toy": {"data_dir": "@real", "datasets": ["GRU_202012"]},
    }, _declared("data_dir", "datasets"))
    assert "Real archive data: GRU_202012." in text
    assert "control" not in _section(text, "toy", None)
    assert "toy ok real archive data GRU_202012" in text  # an empty control cell


def test_index_shows_controls_and_bidi_of_a_folder_name_and_a_failure(tmp_path) -> None:
    # a folder name and a failure message come from the data: no ESC, BEL or RLO goes
    # into the page raw
    folder = tmp_path / "evil\u202ekcatta"
    case = runner.CaseResult(case="release", notebook=tmp_path / "r.ipynb",
                             output_notebook=tmp_path / "r.out.ipynb", parameters={},
                             status="failed", message="boom \x1b]0;PWNED\x07\x1b[2J",
                             data_dir=folder)
    out = tmp_path / "report"
    out.mkdir()
    page = runner.write_index(runner.RunResult(out_dir=out, index=out / "index.html",
                                               cases=[case])).read_text(encoding="utf-8")
    assert "\x1b" not in page and "\x07" not in page and "\u202e" not in page
    assert "boom &lt;U+001B&gt;]0;PWNED&lt;U+0007&gt;&lt;U+001B&gt;[2J" in page
    assert "evil&lt;U+202E&gt;kcatta" in page


# --------------------------------------------------------------------------- the project's own cases


CONTRACT = {"data_dir": "str", "datasets": "list", "output_dir": "str", "seed": "int"}


def _existing_cases() -> dict[str, Path]:
    found = {c: paths.notebooks_dir() / f for c, f in runner.CASES.items()}
    found = {c: p for c, p in found.items() if p.is_file()}
    if not found:
        pytest.skip(f"no case notebook in {paths.notebooks_dir()} yet")
    return found


def test_case_notebooks_declare_the_contract_parameters() -> None:
    for case, notebook in _existing_cases().items():
        declared = runner.notebook_parameters(notebook)
        types = {k: v["inferred_type_name"].split("[")[0] for k, v in declared.items()}
        missing = {k: t for k, t in CONTRACT.items() if types.get(k) != t}
        assert not missing, f"{case}: parameters cell lacks {missing}"
        assert all(v["help"] for v in declared.values()), f"{case}: a parameter has no # help"


def test_a_bad_thread_count_is_one_line_before_any_kernel(project, tmp_path, monkeypatch,
                                                          capsys) -> None:
    monkeypatch.setenv("CASEBOOK_THREADS", "four")
    out = tmp_path / "report"
    code, stdout, stderr = _cli(["run", str(project.root / "toy.ipynb"), "--out", str(out)])
    assert code == 2 and not stdout
    assert stderr.count("\n") == 1 and "CASEBOOK_THREADS='four' is not a number of threads" in stderr
    assert not out.exists()
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    assert "CASEBOOK_THREADS=N" in capsys.readouterr().out


def test_out_at_the_source_folder_is_refused_and_the_source_kept(project) -> None:
    source = project.root / "toy.ipynb"
    before = source.read_bytes()
    with pytest.raises(ParameterError, match="replace its source") as err:
        runner.run_cases([source], out=project.root, progress=False)
    assert err.value.exit_code == 2
    assert source.read_bytes() == before


def test_a_notebook_that_is_not_a_report_is_never_replaced(project, tmp_path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    own = out / "toy.ipynb"  # the user's own notebook, same name as the case's
    nbformat.write(nbformat.v4.new_notebook(), own)
    before = own.read_bytes()
    with pytest.raises(ParameterError, match="not an earlier report"):
        runner.run_cases([project.root / "toy.ipynb"], out=out, progress=False)
    assert own.read_bytes() == before


def test_an_earlier_report_is_replaced_only_when_the_run_is_done(project, tmp_path) -> None:
    out = tmp_path / "r"
    first = runner.run_cases([project.root / "toy.ipynb"], out=out, progress=False)
    assert first.exit_code == 0 and (out / "toy.ipynb").is_file()
    again = runner.run_cases([project.root / "toy.ipynb"], out=out, progress=False)
    assert again.exit_code == 0 and (out / "toy.ipynb").is_file()
    assert not list(out.glob(".*.running.ipynb"))  # no temporary left behind


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_folder_of_the_users_own_files_is_refused_and_kept(project, tmp_path, monkeypatch) -> None:
    # the user's index.html, 04_release.html and findings file used to be overwritten
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("index.html", "04_release.html", "release.findings.json"):
        (mine / name).write_text(f"the user's own {name}", encoding="utf-8")
    before = _snapshot(mine)
    with pytest.raises(ParameterError, match=r"did not write \(04_release.html, index.html, "
                                             r"release.findings.json\)") as err:
        runner.run_cases([project.root / "toy.ipynb"], out=mine, progress=False)
    assert err.value.exit_code == 2 and "new or empty folder" in str(err.value)
    assert _snapshot(mine) == before
    # accepted: an empty folder, one an earlier run marked, one directly under reports/
    monkeypatch.setattr(paths, "reports_dir", lambda: tmp_path / "reports")
    notebooks = {"toy": project.root / "toy.ipynb"}
    (tmp_path / "empty").mkdir()
    runner._check_out_dir(tmp_path / "empty", notebooks)
    (mine / runner.REPORT_MARKER).write_text("", encoding="utf-8")
    runner._check_out_dir(mine, notebooks)
    # directly under reports/: a report made before the marker (its index or an executed
    # notebook says so), not a folder of the user's own that happens to be there
    latest = tmp_path / "reports" / "latest"
    latest.mkdir(parents=True)
    (latest / "index.html").write_text("the user's own index", encoding="utf-8")
    with pytest.raises(ParameterError, match="did not write"):
        runner._check_out_dir(latest, notebooks)
    (latest / "index.html").write_text(report.html_page("earlier", title=runner.INDEX_TITLE),
                                       encoding="utf-8")
    runner._check_out_dir(latest, notebooks)
    older = tmp_path / "reports" / "older"
    older.mkdir()
    nb = nbformat.v4.new_notebook(metadata={"papermill": {"parameters": {}}})
    nbformat.write(nb, older / "01_iran_debate_interference.ipynb")
    runner._check_out_dir(older, notebooks)


def test_a_refused_out_folder_names_a_fresh_folder_to_use(project, tmp_path, monkeypatch) -> None:
    # "casebook run --out reports/mine" refused with "e.g. --out reports/mine" sent the
    # user back to the same folder: the hint names one that is free
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "reports" / "mine"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("the user's own notes", encoding="utf-8")
    (tmp_path / "reports" / "mine-2").mkdir()  # taken too
    with pytest.raises(ParameterError) as err:
        runner.run_cases([project.root / "toy.ipynb"], out="reports/mine", progress=False)
    assert err.value.hint == "choose a new or empty folder, e.g. --out reports/mine-3"
    assert "e.g. --out reports/mine)" not in str(err.value)
    assert not (tmp_path / "reports" / "mine-3").exists()  # suggested, not made
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    # a file where the folder should be: the same kind of suggestion
    (tmp_path / "out").write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        runner.run_cases([project.root / "toy.ipynb"], out="out", progress=False)
    assert err.value.hint == "choose a folder, e.g. --out out-2"
    # on the command line: one line, the fresh folder in it
    code, _, stderr = _cli(["run", str(project.root / "toy.ipynb"), "--out", "reports/mine"])
    assert code == 2 and "e.g. --out reports/mine-3" in stderr


def _earlier_report(project, tmp_path: Path, monkeypatch) -> Path:
    """``reports/latest`` (reports/ under tmp_path) holding an earlier run's report of
    the toy case: its notebook, page, findings and index."""
    monkeypatch.setattr(paths, "reports_dir", lambda: tmp_path / "reports")
    out = tmp_path / "reports" / runner.DEFAULT_RUN
    out.mkdir(parents=True)
    nb = nbformat.read(project.root / "toy.ipynb", as_version=4)
    nb.metadata["papermill"] = {"parameters": {}}
    nbformat.write(nb, out / "toy.ipynb")
    (out / "toy.html").write_text("<p>the earlier page</p>", encoding="utf-8")
    (out / "toy.findings.json").write_text(
        '{"case": "toy", "findings": [{"finding": "earlier", "value": 1}]}', encoding="utf-8")
    (out / "index.html").write_text('<a href="toy.html">report</a>', encoding="utf-8")
    return out


def test_an_interrupted_run_leaves_the_earlier_report_whole(project, tmp_path, monkeypatch) -> None:
    # Ctrl-C used to leave the earlier index linking to a page deleted before the run,
    # and the partial .toy.running.ipynb
    import papermill

    out = _earlier_report(project, tmp_path, monkeypatch)
    before = _snapshot(out)

    def interrupted(source, target, **kwargs):  # noqa: ANN001, ANN003 - papermill's own
        nbformat.write(nbformat.read(source, as_version=4), target)  # the partial notebook
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.run_cases([project.root / "toy.ipynb"], progress=False)
    assert {k: v for k, v in _snapshot(out).items() if not k.startswith(".")} == before
    assert not list(out.glob(".*.running.ipynb")) and not list(out.glob(".*.part"))


def test_pages_and_the_index_are_replaced_by_a_rename(project, tmp_path, monkeypatch) -> None:
    # written in place, a page or index read (or copied) while it was written was half
    # a file; a second name of the file (a hard link) shows whether it was rewritten
    import papermill

    out = _earlier_report(project, tmp_path, monkeypatch)
    for name in ("toy.html", "index.html"):
        os.link(out / name, tmp_path / f"earlier-{name}")

    def ran(source, target, **kwargs):  # noqa: ANN001, ANN003 - papermill's own
        nb = nbformat.read(source, as_version=4)
        nb.metadata["papermill"] = {"parameters": kwargs.get("parameters", {})}
        nbformat.write(nb, target)

    monkeypatch.setattr(papermill, "execute_notebook", ran)
    result = runner.run_cases([project.root / "toy.ipynb"], progress=False)
    assert result.ok and result.cases[0].html == out / "toy.html"
    assert "Toy case toy" in (out / "toy.html").read_text(encoding="utf-8")
    assert (tmp_path / "earlier-toy.html").read_text() == "<p>the earlier page</p>"
    assert (tmp_path / "earlier-index.html").read_text() == '<a href="toy.html">report</a>'
    # this run recorded no findings: the earlier run's are gone, not shown as this run's
    assert not (out / "toy.findings.json").exists()
    assert "No findings recorded." in (out / "index.html").read_text(encoding="utf-8")
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")
                and p.name != runner.REPORT_MARKER]


@pytest.mark.parametrize("via", ["command line", "library"])
def test_sigterm_unwinds_the_run_and_keeps_the_earlier_report(tmp_path, via) -> None:
    # `kill PID` used to end casebook run at once (exit -15): the earlier page and
    # findings were gone, the index linked to them, .slow.running.ipynb stayed
    import signal
    import subprocess
    import time

    v4 = nbformat.v4
    source = tmp_path / "slow.ipynb"
    nbformat.write(python_notebook(
        "# Slow", 'output_dir: str = ""  # findings go here\nflag: str = ""  # touched when running\n',
        v4.new_code_cell("import pathlib, time\npathlib.Path(flag).touch()\ntime.sleep(60)")),
        source)
    out = tmp_path / "out"
    out.mkdir()
    nb = nbformat.read(source, as_version=4)
    nb.metadata["papermill"] = {"parameters": {}}
    nbformat.write(nb, out / "slow.ipynb")
    (out / "slow.html").write_text("<p>the earlier page</p>", encoding="utf-8")
    (out / "slow.findings.json").write_text('{"case": "slow", "findings": []}', encoding="utf-8")
    (out / "index.html").write_text('<a href="slow.html">report</a>', encoding="utf-8")
    (out / ".casebook-report").write_text("", encoding="utf-8")
    before = _snapshot(out)
    flag = tmp_path / "running.flag"
    # the command line's own handler unwinds it (exit 143); run_cases called from Python
    # sets one for the run (_RunTerminated, a KeyboardInterrupt)
    command = ([sys.executable, "-c", "import sys; from casebook.cli import main; sys.exit(main())",
                "run", str(source), "-p", "flag", str(flag), "--out", str(out), "--no-progress"]
               if via == "command line" else
               [sys.executable, "-c", "import sys; from casebook import runner; runner.run_cases("
                f"[{str(source)!r}], params={{'flag': {str(flag)!r}}}, out={str(out)!r}, "
                "progress=False)"])
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert flag.exists(), proc.communicate(timeout=30)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if via == "command line":
        assert proc.returncode == 143, (proc.returncode, stderr)
        assert "terminated" in stderr
    else:
        assert "RunTerminated: stopped by signal 15" in stderr, stderr
    assert _snapshot(out) == before  # the earlier report whole, no temporary file left


# --------------------------------------------------------------------------- a notebook path with a space


def titled_notebook(case: str) -> nbformat.NotebookNode:
    """A case notebook with no markdown title: its ``<h1>`` is displayed from a parameter,
    as the generic ``release`` case writes its title from the data."""
    v4 = nbformat.v4
    return python_notebook(
        "*No heading here: the title comes from the data.*",
        'label: str = "notebook default"  # the title\noutput_dir: str = ""  # findings go here\n',
        v4.new_code_cell("import html\nfrom casebook import report\n"
                         "report.SafeHTML(html='<h1>' + html.escape('Title · ' + label) + '</h1>')"),
        v4.new_markdown_cell("## A section"),
        v4.new_code_cell(f"report.record_findings([{{'finding': 'label', 'value': label}}], "
                         f"case={case!r}, output_dir=output_dir)"),
    )


@pytest.fixture(scope="module")
def spaced_run(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """``casebook run "my case.ipynb"`` from a folder whose name has a space, into another."""
    root = tmp_path_factory.mktemp("runner") / "my cases"
    root.mkdir()
    nbformat.write(titled_notebook("my_case"), root / "my case.ipynb")
    out = root / "the reports"
    code, stdout, stderr = _cli(["run", str(root / "my case.ipynb"), "-p", "label", "<b>x</b> & y",
                                 "--out", str(out), "--no-progress"])
    return SimpleNamespace(code=code, stdout=stdout, stderr=stderr, out=out)


def test_a_notebook_path_with_a_space_runs(spaced_run) -> None:
    assert spaced_run.code == 0, spaced_run.stderr
    assert "Traceback" not in spaced_run.stderr
    assert "ok      my_case" in spaced_run.stdout  # the case is named from the file
    assert (spaced_run.out / "my case.ipynb").is_file() and (spaced_run.out / "my case.html").is_file()
    assert _findings(spaced_run.out, "my_case") == {"label": "<b>x</b> & y"}
    dom = _DOM((spaced_run.out / "index.html").read_text(encoding="utf-8"))
    hrefs = {a.get("href") for t, a in dom.tags if t == "a"}
    assert {"my%20case.html", "my%20case.ipynb"} <= hrefs


def test_a_page_is_titled_with_the_h1_its_notebook_displays(spaced_run) -> None:
    page = (spaced_run.out / "my case.html").read_text(encoding="utf-8")
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "Title · &lt;b&gt;x&lt;/b&gt; &amp; y"  # plain text, escaped once
    assert "<b>x</b>" not in page
    assert runner.page_title(spaced_run.out / "my case.ipynb") == "Title · <b>x</b> & y"


def test_page_title_prefers_the_first_level_1_heading(tmp_path) -> None:
    nb = titled_notebook("t")
    nb.cells[0].source = "# Written title\n\n## not this"
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert runner.page_title(tmp_path / "a.ipynb") == "Written title"
    nb.cells[0].source = "## Only a section"
    nbformat.write(nb, tmp_path / "b.ipynb")
    assert runner.page_title(tmp_path / "b.ipynb") is None  # unexecuted: no <h1> output


def test_case_names_from_file_names() -> None:
    assert runner._case_name("my case") == "my_case"
    assert runner._case_name("étude (v2)") == "tude_v2"
    assert runner._case_name("случай") == "case"
    assert runner._case_name("a.b-c_d") == "a.b-c_d"


# --------------------------------------------------------------------------- the generic case


def test_the_generic_case_runs_only_when_named(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(paths, "notebooks_dir", lambda: tmp_path)
    for file in runner.CASES.values():
        nbformat.write(toy_notebook("x"), tmp_path / file)
    assert "release" in runner.CASES and "release" not in runner.resolve_cases()
    assert runner.resolve_cases(["release"]) == {"release": tmp_path / "04_release.ipynb"}
    code, out, err = _cli(["run", "--list"])
    assert code == 0 and "release: 04_release.ipynb  (runs when named)" in out
    assert "iran: 01_iran_debate_interference.ipynb\n" in out


def test_the_list_shows_each_parameter_as_written(tmp_path, monkeypatch) -> None:
    # papermill cuts a declaration at its first "#": ["#a"] was listed as ["  # a"]
    monkeypatch.setattr(paths, "notebooks_dir", lambda: tmp_path)
    for file in runner.CASES.values():
        nb = toy_notebook("x")
        nb.cells[1].source += 'tags: list = ["#a", "#b"]  # hashtags, each with its #\n'
        nbformat.write(nb, tmp_path / file)
    code, out, err = _cli(["run", "--list"])
    assert code == 0
    assert '\n  tags: list = ["#a", "#b"]  # hashtags, each with its #\n' in out
    assert '"  # a"' not in out


def _release_notebook(tmp_path: Path) -> Path:
    nb = toy_notebook("release")
    nb.cells[1].source += 'claims_file: str = ""  # claims written for the release\n'
    nbformat.write(nb, tmp_path / "release.ipynb")
    return tmp_path / "release.ipynb"


def test_a_claims_file_is_resolved_and_must_exist(tmp_path, monkeypatch) -> None:
    notebook = _release_notebook(tmp_path)
    with pytest.raises(ParameterError, match=r"claims_file nope\.yaml: no such file") as err:
        runner.case_parameters("release", notebook, params={"claims_file": RawValue("nope.yaml")})
    assert err.value.exit_code == 2
    example = paths.params_dir() / "claims" / "example.yaml"  # a valid claims file, if any
    (tmp_path / "mine.yaml").write_bytes(example.read_bytes() if example.is_file() else b"")
    monkeypatch.chdir(tmp_path)
    got = runner.case_parameters("release", notebook, params={"claims_file": RawValue("mine.yaml")})
    assert got["claims_file"] == str(tmp_path / "mine.yaml")  # the kernel runs elsewhere


def test_a_bad_claims_file_stops_the_run_before_any_notebook(tmp_path) -> None:
    from casebook import claims

    if not hasattr(claims, "load_claims"):
        pytest.skip("casebook.claims.load_claims (claims files) is not there yet")
    notebook = _release_notebook(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("claims:\n  - id: x\n    text: t\n    source: s\n    rule: no_such_rule\n",
                   encoding="utf-8")
    code, out, err = _cli(["run", str(notebook), "-p", "claims_file", str(bad),
                           "--out", str(tmp_path / "r")])
    assert code == 2 and err.count("\n") == 1 and "bad.yaml" in err and "no_such_rule" in err
    assert not (tmp_path / "r").exists()


def test_the_index_names_the_release_a_generic_run_found(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    release_folder(data / "ZZZ_0621", "ZZZ_0621")
    release_folder(data / "AAA_0621", "AAA_0621")
    release_folder(data / "control", "control")
    result = runner.CaseResult(case="release", notebook=tmp_path / "r.ipynb",
                               output_notebook=tmp_path / "r.out.ipynb",
                               parameters={"data_dir": str(data)}, status="ok")
    runner._provenance(result, _declared("data_dir", "datasets", "control_dataset"))
    assert list(result.datasets) == ["AAA_0621"] and result.absent == []
    assert result.control == data / "control"


def test_a_dead_kernel_is_explained_in_one_line() -> None:
    # papermill reports an out-of-memory kill only as "DeadKernelError: Kernel died"
    from nbclient.exceptions import DeadKernelError

    line = runner._run_error(DeadKernelError("Kernel died\nmore"))
    assert line.startswith("DeadKernelError: Kernel died (") and "\n" not in line
    assert "out of memory" in line and "smaller release" in line
    other = runner._run_error(TimeoutError("too slow\nmore"))
    assert other == "TimeoutError: too slow"


def _logging_notebook(then: str) -> nbformat.NotebookNode:
    """A case that writes to its kernel's own log (ipykernel's logger: the kernel
    process's stderr, not the notebook), prints a line to the notebook, then runs ``then``."""
    return python_notebook(
        "# Kernel log", 'output_dir: str = ""\n',
        nbformat.v4.new_code_cell("from ipykernel.kernelapp import IPKernelApp\n"
                                  "IPKernelApp.instance().log.error('kernel-log-marker')\n"
                                  "print('to the notebook')\n" + then),
    )


def test_the_kernels_own_log_stays_off_the_terminal(tmp_path, capfd) -> None:
    # ipykernel logged "KeyboardInterrupt caught in kernel." (jupyter_client interrupts a
    # kernel before shutting it down) and, after Ctrl-C, a traceback to the terminal
    nbformat.write(_logging_notebook(""), tmp_path / "logs.ipynb")
    code, stdout, stderr = _cli(["run", str(tmp_path / "logs.ipynb"), "--out",
                                 str(tmp_path / "out"), "--no-progress"])
    assert code == 0, stderr
    captured = capfd.readouterr()  # the file descriptors the kernel inherited
    assert "kernel-log-marker" not in captured.err + captured.out
    assert stdout.splitlines()[0] == "ok      logs"
    ran = nbformat.read(tmp_path / "out" / "logs.ipynb", as_version=4)
    assert "to the notebook" in json.dumps(ran.cells[-1].outputs)  # the cells' outputs still arrive


def test_a_dead_kernel_is_reported_with_its_last_log_line(tmp_path, capfd) -> None:
    nbformat.write(_logging_notebook("import os\nos._exit(3)\n"), tmp_path / "dies.ipynb")
    code, stdout, stderr = _cli(["run", str(tmp_path / "dies.ipynb"), "--out",
                                 str(tmp_path / "out"), "--no-progress"])
    assert code == 1
    line = stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line
    assert "DeadKernelError" in line and "out of memory" in line
    assert "; the kernel's last log line: [IPKernelApp] ERROR | kernel-log-marker (" in line
    assert "kernel-log-marker" not in capfd.readouterr().err


def test_a_notebook_that_is_not_a_report_does_not_pass_for_one(tmp_path) -> None:
    # metadata null, a string, or a list: never an earlier report, never a crash
    for metadata in ("null", '"papermill"', '["papermill"]', "{}"):
        folder = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / "a.ipynb").write_text(f'{{"cells": [], "metadata": {metadata}}}',
                                        encoding="utf-8")
        assert not runner._holds_earlier_report(folder), metadata
    (folder / "b.ipynb").write_text('{"metadata": {"papermill": {}}}', encoding="utf-8")
    assert runner._holds_earlier_report(folder)
