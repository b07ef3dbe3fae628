"""The committed notebooks: thin, parameterised, executed, and the nbval sanitiser."""

from __future__ import annotations

import configparser
import json
import re

import pytest

from casebook import paths
from casebook.runner import CASES

NOTEBOOKS = sorted(paths.notebooks_dir().glob("0*.ipynb"))


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
