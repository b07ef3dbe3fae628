"""End-to-end in a real browser: the explorer in JupyterLab, hostile maths in JupyterLab,
and a report page.

Both tests drive Debian's headless Chromium (``/usr/bin/chromium``) with the
``playwright`` package; they never download a browser. JupyterLab runs on 127.0.0.1 on
a free port with a random token, its own runtime/config/data folders, no news feed and
no update check. Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook import paths

from .conftest import archive_bytes, tweet_row

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = paths.ROOT / "test-artifacts"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} not found: apt-get install -y chromium"),
]
playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="the playwright package is not installed")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"JupyterLab did not answer in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


#: Days of STATE's tweets in the explorer release: 12 originals and 2 retweets.
STATE_DAYS = [f"2020-09-{d:02d}" for d in range(1, 13)] + ["2020-09-03", "2020-09-04"]


def _explorer_release(folder: Path) -> Path:
    """Three accounts: STATE (unhashed, most tweets), A and B (hashed).

    STATE and A retweet the same tweets in the same minute, and so do A and B: STATE's
    only neighbour is A, A's are STATE and B.
    """
    a, b = "QUFBQUFBQUFBQUFBaGFzaGVkQQ+/=", "QkJCQkJCQkJCQkJCaGFzaGVkQg+/="
    rows = []
    for i in range(12):  # STATE: one original a day, 1-12 Sep
        rows.append(tweet_row(tweetid=f"10{i:02d}", userid="4242", user_screen_name="STATE",
                              user_display_name="State Broadcaster", follower_count="90000",
                              tweet_time=f"2020-09-{i + 1:02d} 09:00",
                              tweet_text=f"state bulletin {i} {HOSTILE if i == 0 else ''}"))
    for j, (u, v) in enumerate([("4242", a), ("4242", a), (a, b), (a, b), (a, b)]):
        for k, uid in enumerate((u, v)):
            names = ({"user_screen_name": "STATE", "user_display_name": "State Broadcaster",
                      "follower_count": "90000"} if uid == "4242"
                     else {"user_screen_name": uid, "user_display_name": uid})
            rows.append(tweet_row(tweetid=f"2{j}{k}", userid=uid, **names,
                                  tweet_time=f"2020-09-{j + 3:02d} 12:0{k}",
                                  tweet_text=f"RT @src: story {j}", is_retweet="true",
                                  retweet_tweetid=f"99{j}", tweet_language="fa"))
    path = folder / "hashed_2020_12_demo_202012_demo_202012_tweets_csv_hashed.csv"
    from casebook.schema import ARCHIVE_TWEET_COLUMNS

    path.write_bytes(archive_bytes(rows, ARCHIVE_TWEET_COLUMNS))
    return path


def _notebook(cells: list[str]) -> dict:
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                   "metadata": {}, "outputs": [], "source": src}
                  for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A JupyterLab server on 127.0.0.1 holding ``explorer.ipynb``; yields (base URL, token)."""
    root = tmp_path_factory.mktemp("lab")
    work, home = root / "work", root / "home"
    for d in (work, home, home / "runtime", home / "config", home / "data", home / "ipython"):
        d.mkdir(parents=True, exist_ok=True)
    data = _explorer_release(work)
    (work / "explorer.ipynb").write_text(json.dumps(_notebook([
        "import casebook\nfrom casebook.widgets import explore_or_summary\n"
        f"release = casebook.load_release({data.name!r}, cache=False)",
        "explore_or_summary(release, min_weight=1)",
    ])), encoding="utf-8")
    _hostile_math_notebook(work)
    (home / "config" / "jupyter_server_config.json").write_text(json.dumps({
        "LabApp": {"news_url": None, "expose_app_in_browser": True,
                   "extension_manager": "readonly",
                   "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
    }), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items()
           if k not in ("CASEBOOK_STATIC", "JPY_SESSION_NAME", "JPY_PARENT_PID")}
    env.update(JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), IPYTHONDIR=str(home / "ipython"),
               HOME=str(home), JUPYTER_PLATFORM_DIRS="1", NO_PROXY="127.0.0.1,localhost",
               CASEBOOK_CACHE_DIR=str(home / "cache"), MPLBACKEND="Agg")
    log = root / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
           f"--ServerApp.root_dir={work}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        cmd.append("--allow-root")
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(f"{base}/api/status?token={token}", proc, log, timeout=60)
        yield base, token
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and its kernels (its own process group), bounded."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    try:  # kernels started by the server share its process group
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _hostile_math_notebook(work: Path) -> Path:
    """``hostile_math.ipynb``: a probe MathJax must typeset, then every kind of casebook
    output of a release whose names and tweets hold ``$...$`` and bidi controls."""
    from tests.hostile import make_live

    make_live.write_all(work / "hostile")
    path = work / "hostile_math.ipynb"
    path.write_text(json.dumps(_notebook([
        "import warnings\nwarnings.simplefilter('ignore')\nimport casebook\n"
        "from IPython.display import HTML\nfrom casebook import report\n"
        "from casebook.widgets import explore, static_summary\n"
        "release = casebook.load_release('hostile/hostile_202012', cache=False)",
        "HTML('<div class=\"casebook-probe\">$x^2$</div>')",
        "report.show_table(release.tweets[['user_screen_name', 'user_display_name', "
        "'tweet_client_name', 'tweet_text']], max_rows=12)",
        "static_summary(release, max_accounts=3, min_weight=1)",
        "explore(release, min_weight=1)",
    ])), encoding="utf-8")
    return path


def _text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text(timeout=10_000)


def _settled(page, selector: str, quiet: float = 1.5, timeout: float = 20.0) -> str:
    """The text of ``selector`` once it has not changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    last, since = _text(page, selector), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(200)
        now = _text(page, selector)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise AssertionError(f"{selector} kept changing for {timeout:.0f} s")


def _changed(page, selector: str, before: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _text(page, selector)
        if now != before:
            return now
        page.wait_for_timeout(200)
    raise AssertionError(f"{selector} did not change within {timeout:.0f} s")


# --------------------------------------------------------------------------- tests


def test_explorer_in_jupyterlab(browser, jupyterlab) -> None:
    base, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{base}/lab/tree/explorer.ipynb?token={token}", timeout=60_000)
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.locator(".casebook-explorer").first.wait_for(timeout=60_000)
        page.locator(".casebook-table table").first.wait_for(timeout=30_000)

        # the most active account is shown first: STATE, one neighbour
        table = _text(page, ".casebook-table")
        neighbours = _text(page, ".casebook-neighbours")
        status = _text(page, ".casebook-status")
        assert "state bulletin 0" in table and "&lt;" not in table
        assert "<script>window.__pwned=1</script>" in table  # shown as text, not run
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert neighbours.count("w=") == 1

        # pick the next account in the picker
        page.locator(".casebook-picker select").first.select_option(index=1)
        table2 = _changed(page, ".casebook-table", table)
        neighbours2 = _changed(page, ".casebook-neighbours", neighbours)
        assert "state bulletin" not in table2 and "story" in table2
        assert neighbours2.count("w=") == 2

        # a neighbour shows the tweets behind the edge; "Open" makes it the account
        evidence = _text(page, ".casebook-evidence")
        page.locator(".casebook-neighbours button").first.click()
        assert "RT @src: story" in _changed(page, ".casebook-evidence", evidence)
        picked = page.locator(".casebook-picker select").first.input_value()
        page.locator(".casebook-open button, button.casebook-open").first.click()
        _changed(page, ".casebook-neighbours", neighbours2)
        assert page.locator(".casebook-picker select").first.input_value() != picked

        # go back to STATE and narrow the date range with the slider's keyboard
        before = _text(page, ".casebook-status")
        page.locator(".casebook-picker select").first.select_option(index=0)
        status = _changed(page, ".casebook-status", before)
        handle = page.locator(".casebook-dates .noUi-handle-lower").first
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
        handle.press("Tab")
        _changed(page, ".casebook-status", status)
        assert " of 14 matching" in status
        # each key press moves the handle one day; wait until the last one is applied
        label = _settled(page, ".casebook-date-label")
        start = label.split(" to ")[0]
        assert start > "2020-09-01"
        expected = sum(1 for day in STATE_DAYS if day >= start)
        assert f" of {expected} matching" in _text(page, ".casebook-status")
        table = _text(page, ".casebook-table")
        assert "state bulletin 0" not in table and f"{start} 09:00" in table
        page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)
        assert dialogs == []
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "explorer-failed.png"), full_page=True)
        raise
    finally:
        page.close()


def test_hostile_maths_is_not_typeset_in_jupyterlab(browser, jupyterlab) -> None:
    """A tweet ``$\\href{//evil.example/x}{evidence}$`` stays text in every casebook
    output (table, static summary, explorer) while JupyterLab's MathJax does typeset
    an unmarked output beside them: no typeset maths, no live link, controls shown."""
    from tests.hostile import make_live

    base, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    try:
        page.goto(f"{base}/lab/tree/hostile_math.ipynb?token={token}", timeout=60_000)
        # the workspace may reopen explorer.ipynb too: wait until this notebook is current
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.context"
            " && window.jupyterapp.shell.currentWidget.context.path === 'hostile_math.ipynb'"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
            timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the probe proves MathJax runs on HTML outputs here
        page.locator(".casebook-probe mjx-container").first.wait_for(timeout=90_000)
        page.locator(".casebook-explorer .casebook-table table").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-OutputArea-output table').length >= 4",
            timeout=30_000)  # the table, the summary's three, the explorer's
        page.wait_for_timeout(2_000)  # let the typesetter finish with every output
        outputs = ".jp-OutputArea-output:not(:has(.casebook-probe))"
        typeset = page.evaluate(
            f"document.querySelectorAll('{outputs} mjx-container, {outputs} .MathJax,"
            f" {outputs} mjx-math').length")
        links = page.evaluate(
            "Array.from(document.querySelectorAll('.jp-OutputArea-output a'), a => a.href)"
            ".filter(h => h.includes('evil'))")
        text = page.evaluate("window.jupyterapp.shell.currentWidget.node.innerText")
        page.screenshot(path=str(ARTIFACTS / "hostile_math.png"), full_page=True)
        assert typeset == 0 and links == []
        assert make_live.MATH_LINK in text and make_live.DOLLARS in text
        assert "<U+202E>" in text and "\u202e" not in text
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "hostile_math-failed.png"), full_page=True)
        raise
    finally:
        page.close()


def _hostile_notebook() -> object:
    """An executed-looking notebook whose outputs carry hostile tweet text every way."""
    import nbformat
    import pandas as pd

    from casebook.report import show_table

    table = show_table(pd.DataFrame({"user_screen_name": ["evil"], "tweet_text": [HOSTILE]}))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# Hostile report\n\n{HOSTILE}"),
        nbformat.v4.new_code_cell("show_table(tweets)", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": table.html,
                                                         "text/plain": table.text})]),
        nbformat.v4.new_code_cell("HTML(tweet)", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": HOSTILE,
                                                         "text/plain": HOSTILE}),
            nbformat.v4.new_output("display_data", data={
                "application/javascript": "window.__pwned=1",
                "text/html": f"<svg onload=\"window.__pwned=1\"></svg>{HOSTILE}"}),
            nbformat.v4.new_output("stream", name="stdout", text=HOSTILE),
        ]),
    ]
    return nb


def test_exported_report_runs_no_tweet_script(browser, tmp_path: Path) -> None:
    from casebook.report import notebook_html

    report = tmp_path / "report.html"
    report.write_text(notebook_html(_hostile_notebook(), title="hostile"), encoding="utf-8")
    control = tmp_path / "control.html"  # the same text unescaped: proves the probe works
    control.write_text(f"<!DOCTYPE html><html><body>{HOSTILE}</body></html>", encoding="utf-8")

    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(control.as_uri(), timeout=20_000)
        page.wait_for_function("() => window.__pwned === 1", timeout=10_000)

        page.goto(report.as_uri(), timeout=20_000)
        page.wait_for_load_state("load", timeout=20_000)
        page.wait_for_timeout(500)  # let any onerror/onload handler fire
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('script, img[onerror], svg').length") == 0
        assert "window.__pwned=1" in page.inner_text("body")  # shown as text
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hostile_report.png"), full_page=True)
        assert dialogs == []
    finally:
        page.close()


def test_report_page_gives_full_ids_alt_text_and_the_data_banner(browser, tmp_path: Path) -> None:
    """What a reader's browser exposes: the full id of an abbreviated one (``title``), an
    ``alt`` on every figure, and a banner saying the data is real but the control is not."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import nbformat
    import pandas as pd

    from casebook import report
    from tests.conftest import release_folder

    full = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="
    table = report.show_table(pd.DataFrame({"userid": [full], "tweets": [12345]}))
    banner = report.specimen_banner(
        {"GRU_202012": release_folder(tmp_path / "r" / "GRU_202012", "GRU_202012")},
        control=release_folder(tmp_path / "s" / "control", "control", synthetic=True))
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Tweets per week")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode()
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.cells = [
        v4.new_markdown_cell("# Report\n\n## Volume"),
        v4.new_code_cell("case.banner()", outputs=[v4.new_output(
            "display_data", data={"text/html": banner.html, "text/plain": banner.text})]),
        v4.new_code_cell("show_table(accounts)", outputs=[v4.new_output(
            "display_data", data={"text/html": table.html, "text/plain": table.text})]),
        v4.new_code_cell("ax = plot()", outputs=[v4.new_output(
            "display_data", data={"image/png": png},
            metadata={"image/png": {"alt": report.figure_alt_text(ax.figure)}})]),
        v4.new_code_cell("ax = untitled()", outputs=[v4.new_output(
            "display_data", data={"image/png": png})]),
    ]
    page_file = tmp_path / "report.html"
    page_file.write_text(report.notebook_html(nb), encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri(), timeout=20_000)
        page.wait_for_load_state("load", timeout=20_000)
        cell = page.locator("abbr").first
        assert cell.inner_text() == "7WTYPcAG…" and cell.get_attribute("title") == full
        assert "12,345" in page.inner_text("table")
        alts = page.evaluate("Array.from(document.images, i => i.alt)")
        assert alts == ["Tweets per week", "Figure in section 'Volume'"]
        banner_text = page.inner_text(".casebook-banner")
        assert banner_text.startswith("Real archive data: GRU_202012.")
        assert "SYNTHETIC SPECIMEN DATA" not in banner_text
        assert "synthetic specimen's control cohort" in banner_text
    finally:
        page.close()
