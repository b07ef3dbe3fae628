"""Shared fixtures: archive-format writers, the real excerpt, matplotlib hygiene."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from casebook import paths, schema  # noqa: E402
from tests._frames import REAL_EXCERPT  # noqa: E402


def archive_bytes(rows: Iterable[Sequence[str]], header: Sequence[str]) -> bytes:
    """Rows written the way the archive writes them: every field quoted, '\\n' endings."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def tweet_row(**overrides: str) -> list[str]:
    """One archive tweets row with plausible defaults; keyword arguments override columns."""
    base = {
        "tweetid": "1300000000000000001",
        "userid": "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE=",
        "user_display_name": "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE=",
        "user_screen_name": "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE=",
        "user_reported_location": "", "user_profile_description": "", "user_profile_url": "",
        "follower_count": "55", "following_count": "169", "account_creation_date": "2020-02-01",
        "account_language": "en", "tweet_language": "en", "tweet_text": "hello",
        "tweet_time": "2020-09-30 01:15", "tweet_client_name": "Twitter Web App",
        "in_reply_to_userid": "", "in_reply_to_tweetid": "", "quoted_tweet_tweetid": "",
        "is_retweet": "false", "retweet_userid": "", "retweet_tweetid": "",
        "latitude": "absent", "longitude": "absent", "quote_count": "0", "reply_count": "0",
        "like_count": "0", "retweet_count": "0", "hashtags": "[]", "urls": "[]",
        "user_mentions": "[]",
    }
    unknown = set(overrides) - set(base)
    if unknown:
        raise KeyError(f"unknown columns {unknown}")
    base.update(overrides)
    return [base[c] for c in schema.ARCHIVE_TWEET_COLUMNS]


@pytest.fixture
def write_tweets(tmp_path: Path):
    """Write archive tweets rows to tmp_path/<name>; returns the path."""

    def _write(rows: Iterable[Sequence[str]], name: str = "hashed_2020_12_test_202012_test_202012_tweets_csv_hashed.csv",
               header: Sequence[str] = schema.ARCHIVE_TWEET_COLUMNS) -> Path:
        path = tmp_path / name
        path.write_bytes(archive_bytes(rows, header))
        return path

    return _write


@pytest.fixture
def real_excerpt() -> Path:
    if not REAL_EXCERPT.is_file():
        pytest.skip(f"real archive excerpt not found at {REAL_EXCERPT} (../shared is absent)")
    return REAL_EXCERPT


@pytest.fixture
def real_gru_folder(real_excerpt: Path, tmp_path: Path) -> Path:
    """A data folder holding only the GRU excerpt, as ``GRU_202012/`` (../shared's folder
    also holds excerpts of other releases, which a folder load would combine)."""
    folder = tmp_path / "real" / "GRU_202012"
    folder.mkdir(parents=True)
    shutil.copy(real_excerpt, folder / real_excerpt.name)
    return folder


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the checkout's data/cache."""
    if "CASEBOOK_CACHE_DIR" not in os.environ or not os.environ["CASEBOOK_CACHE_DIR"].startswith(
        str(tmp_path_factory.getbasetemp())
    ):
        monkeypatch.setenv("CASEBOOK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def release_folder(folder: Path, name: str, *, synthetic: bool | None = None, file: str | None = None) -> Path:
    """A release folder holding one small tweets file (and the specimen marker when
    ``synthetic`` is given); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (file or f"{name}_tweets_csv_hashed.csv")).write_text('"tweetid"\n"1"\n', encoding="utf-8")
    if synthetic is not None:
        (folder / "ground_truth.json").write_text(json.dumps({"synthetic": synthetic}), encoding="utf-8")
    return folder


def notebook_defaults(case: str) -> dict[str, object]:
    """The literal defaults of a case notebook's parameters cell, by name.

    Read with ast: papermill's inspector cuts a default at the first "#", even inside a
    string such as "#Debates2020".
    """
    import ast

    import nbformat

    from casebook import runner

    nb = nbformat.read(paths.notebooks_dir() / runner.CASES[case], as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    return {
        node.target.id: ast.literal_eval(node.value)
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.AnnAssign) and node.value is not None
    }
