"""Tests for casebook.fetch, against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from casebook import fetch as fetch_mod
from casebook.cli import main
from casebook.errors import UsageError
from casebook.fetch import (
    DEFAULT_BASE_URL,
    FetchError,
    candidate_urls,
    fetch,
    sha256_file,
    suggest_op,
)

OP = "GRU_202012"
RELEASE = "2020_12"
TIMEOUT = 2.0


TWEETS_HEADER = b'"tweetid","userid","tweet_text","tweet_time"\n'
USERS_HEADER = b'"userid","user_display_name","follower_count"\n'


def _csv(header: bytes, n: int, seed: int) -> bytes:
    """An archive-like CSV: the header, then random hex text (incompressible enough)."""
    body = np.random.default_rng(seed).integers(0, 256, n // 2, dtype=np.uint8).tobytes()
    return header + body.hex().encode()


def _zip(member: str, data: bytes) -> bytes:
    """A zip holding one stored member, byte-identical on every run (fixed date)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo(member, date_time=(2021, 2, 23, 0, 0, 0)), data)
    return buffer.getvalue()


TWEETS_CSV = _csv(TWEETS_HEADER, 300_000, seed=1)
USERS_CSV = _csv(USERS_HEADER, 20_000, seed=2)
TWEETS = _zip(f"{OP}_tweets_csv_hashed.csv", TWEETS_CSV)
USERS = _zip(f"{OP}_users_csv_hashed.csv", USERS_CSV)


def _path(kind: str, fmt: str, *, prefixed: bool = False) -> str:
    stem = f"{OP}_{kind}_csv_hashed.{fmt}"
    name = f"hashed_{RELEASE}_{OP}_{stem}" if prefixed else stem
    return f"/hashed/{RELEASE}/{OP}/{name}"


@dataclass
class Archive:
    """What the local server serves and how it misbehaves; records every request."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_after: int | None = None  # send only this many body bytes, then close...
    cuts: int = 1  # ...for this many GET requests
    ignore_range: bool = False  # answer 200 with the whole file to a Range request
    extra_length: int = 0  # add this to every announced Content-Length (a lie)
    get_extra_length: int = 0  # add this to Content-Length on GET only
    head_status: int | None = None  # answer every HEAD with this error status
    validators: bool = True  # send an ETag (the file's sha256) and honour If-Range
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    base_url: str = ""

    def gets(self) -> list[tuple[str, str | None]]:
        return [(path, rng) for method, path, rng in self.requests if method == "GET"]


class _Handler(BaseHTTPRequestHandler):
    archive: Archive

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _answer(self, *, body: bool) -> None:
        archive = self.archive
        rng = self.headers.get("Range")
        archive.requests.append((self.command, self.path, rng))
        if not body and archive.head_status is not None:
            self.send_error(archive.head_status)
            return
        data = archive.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        status, start = 200, 0
        etag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'
        match = re.fullmatch(r"bytes=(\d+)-", rng or "")
        if_range = self.headers.get("If-Range")
        if archive.validators and if_range is not None and if_range != etag:
            match = None  # the file changed since the validator: the whole file, 200
        if body and match and not archive.ignore_range:
            start = int(match[1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        chunk = data[start:]
        self.send_response(status)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        extra = archive.extra_length + (archive.get_extra_length if body else 0)
        self.send_header("Content-Length", str(len(chunk) + extra))
        self.send_header("Accept-Ranges", "bytes")
        if archive.validators:
            self.send_header("ETag", etag)
        self.end_headers()
        if not body:
            return
        if archive.cut_after is not None and archive.cuts > 0:
            archive.cuts -= 1
            chunk = chunk[: archive.cut_after]
        self.wfile.write(chunk)
        self.wfile.flush()

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(body=True)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        fetch_mod.BASE_URL_ENV,
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def archive() -> Iterator[Archive]:
    state = Archive()
    handler = type("Handler", (_Handler,), {"archive": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/hashed"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def dead_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hashed"


def _serve_zip(archive: Archive) -> None:
    archive.files[_path("tweets", "zip")] = TWEETS
    archive.files[_path("users", "zip")] = USERS


def _partial(archive: Archive, tmp_path: Path, path: str, data: bytes) -> Path:
    """A ``.part`` file from an earlier run, with the validator that run recorded."""
    folder = tmp_path / OP
    folder.mkdir(exist_ok=True)
    part = folder / (path.rsplit("/", 1)[-1] + ".part")
    part.write_bytes(data)
    etag = f'"{hashlib.sha256(archive.files[path]).hexdigest()[:16]}"'
    url = archive.base_url.removesuffix("/hashed") + path
    part.with_name(part.name + ".json").write_text(json.dumps({"url": url, "etag": etag}))
    return part


def _get(archive: Archive, **kwargs: object) -> list[Path]:
    options = {"base_url": archive.base_url, "progress": False, "timeout": TIMEOUT, **kwargs}
    return fetch(OP, **options)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- names


def test_candidate_urls_order() -> None:
    urls = candidate_urls(OP, "tweets", base_url="http://m/hashed/")
    folder = "http://m/hashed/2020_12/GRU_202012"
    assert urls == [
        f"{folder}/GRU_202012_tweets_csv_hashed.zip",
        f"{folder}/hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.zip",
        f"{folder}/GRU_202012_tweets_csv_hashed.csv",
        f"{folder}/hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv",
    ]
    assert DEFAULT_BASE_URL.endswith("/twitter-election-integrity/hashed")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gru_202012", "GRU_202012"),
        ("armenia_20212", "armenia_202012"),
        ("iran_202021", "iran_202012"),
        ("IRA_202012", None),
        ("venezuela_201906", "venezuela_201906_1"),  # a catalogued dataset
        ("rea_0621", "REA_0621"),
        ("no_such_operation", None),
    ],
)
def test_suggest_op(typed: str, expected: str | None) -> None:
    assert suggest_op(typed) == expected


# --------------------------------------------------------------------------- downloads


def test_full_download(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    files = _get(archive, dest=tmp_path, sha256={"tweets": hashlib.sha256(TWEETS).hexdigest()})
    assert files == [
        tmp_path / OP / "GRU_202012_tweets_csv_hashed.zip",
        tmp_path / OP / "GRU_202012_users_csv_hashed.zip",
    ]
    assert files[0].read_bytes() == TWEETS
    assert files[1].read_bytes() == USERS
    assert sha256_file(files[0]) == hashlib.sha256(TWEETS).hexdigest()
    assert not list((tmp_path / OP).glob("*.part"))


def test_progress_bar_shows_file(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _serve_zip(archive)
    _get(archive, dest=tmp_path, kinds=["users"], progress=True)
    assert "GRU_202012_users_csv_hashed.zip" in capsys.readouterr().err


def test_default_dest_is_raw_dir(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBOOK_DATA_DIR", str(tmp_path))
    _serve_zip(archive)
    files = _get(archive, kinds=["users"])
    assert files == [tmp_path.resolve() / "raw" / OP / "GRU_202012_users_csv_hashed.zip"]


def test_zip_preferred_over_csv(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    archive.files[_path("tweets", "csv")] = b"csv"
    files = _get(archive, dest=tmp_path, kinds=["tweets"])
    assert [f.name for f in files] == ["GRU_202012_tweets_csv_hashed.zip"]
    assert not any(path.endswith(".csv") for path, _ in archive.gets())


def test_csv_fallback_when_zip_missing(archive: Archive, tmp_path: Path) -> None:
    archive.files[_path("tweets", "csv")] = TWEETS_CSV
    archive.files[_path("users", "csv", prefixed=True)] = USERS_CSV
    files = _get(archive, dest=tmp_path)
    assert [f.name for f in files] == [
        "GRU_202012_tweets_csv_hashed.csv",
        "hashed_2020_12_GRU_202012_GRU_202012_users_csv_hashed.csv",
    ]
    assert files[0].read_bytes() == TWEETS_CSV and files[1].read_bytes() == USERS_CSV


def test_resume_after_interruption(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    archive.cut_after = 100_000
    with pytest.raises(FetchError, match="re-run the same command to resume"):
        _get(archive, dest=tmp_path, kinds=["tweets"])
    final = tmp_path / OP / "GRU_202012_tweets_csv_hashed.zip"
    part = final.with_name(final.name + ".part")
    assert not final.exists()
    assert part.read_bytes() == TWEETS[:100_000]

    files = _get(archive, dest=tmp_path, kinds=["tweets"])
    assert files == [final]
    assert final.read_bytes() == TWEETS
    assert not part.exists()
    assert archive.gets()[-1] == (_path("tweets", "zip"), "bytes=100000-")


def test_server_ignoring_range_restarts(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    _partial(archive, tmp_path, _path("tweets", "zip"), b"x" * 5_000)  # not a prefix
    archive.ignore_range = True
    files = _get(archive, dest=tmp_path, kinds=["tweets"])
    assert archive.gets() == [(_path("tweets", "zip"), "bytes=5000-")]
    assert files[0].read_bytes() == TWEETS


@pytest.mark.parametrize(
    ("have", "ranges"), [(5_000, ["bytes=5000-"]), (len(USERS), [f"bytes={len(USERS)}-", None])]
)
def test_server_without_head(
    archive: Archive, tmp_path: Path, have: int, ranges: list[str | None]
) -> None:
    """No HEAD (405): resume still works; a 416 for a full .part restarts from zero."""
    _serve_zip(archive)
    archive.head_status = 405
    _partial(archive, tmp_path, _path("users", "zip"), USERS[:have])
    files = _get(archive, dest=tmp_path, kinds=["users"])
    assert [rng for _, rng in archive.gets()] == ranges
    assert files[0].read_bytes() == USERS


def test_complete_part_is_not_requested_again(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    _partial(archive, tmp_path, _path("users", "zip"), USERS)
    files = _get(archive, dest=tmp_path, kinds=["users"])
    assert archive.gets() == []
    assert files[0].read_bytes() == USERS
    assert sorted(p.name for p in (tmp_path / OP).iterdir()) == [files[0].name]


def test_part_without_validator_starts_over(archive: Archive, tmp_path: Path) -> None:
    """A .part whose origin cannot be confirmed is not resumed (it may be another file)."""
    _serve_zip(archive)
    folder = tmp_path / OP
    folder.mkdir()
    (folder / "GRU_202012_users_csv_hashed.zip.part").write_bytes(USERS[:5_000])
    files = _get(archive, dest=tmp_path, kinds=["users"])
    assert archive.gets() == [(_path("users", "zip"), None)]
    assert files[0].read_bytes() == USERS


def test_size_mismatch_keeps_part(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    archive.extra_length = 1_000  # announces more than it sends
    with pytest.raises(FetchError, match="Size mismatch.*re-run the same command to resume"):
        _get(archive, dest=tmp_path, kinds=["users"])
    final = tmp_path / OP / "GRU_202012_users_csv_hashed.zip"
    assert not final.exists()
    assert final.with_name(final.name + ".part").read_bytes() == USERS


def test_get_size_disagreeing_with_head_raises(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    archive.get_extra_length = 7
    with pytest.raises(FetchError, match="the archive may have changed"):
        _get(archive, dest=tmp_path, kinds=["users"])
    assert not (tmp_path / OP / "GRU_202012_users_csv_hashed.zip").exists()


def test_sha256_mismatch_discards(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    with pytest.raises(FetchError, match="sha256 mismatch.*kept as .*rejected"):
        _get(archive, dest=tmp_path, kinds=["users"], sha256={"users": "0" * 64})
    kept = [p.name for p in (tmp_path / OP).iterdir()]
    assert kept == ["GRU_202012_users_csv_hashed.zip.rejected"]  # never deleted, never used


def test_404_everywhere_lists_urls(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as info:
        fetch(
            "GRU_20212", base_url=archive.base_url, dest=tmp_path, progress=False, timeout=TIMEOUT
        )
    message = str(info.value)
    for url in candidate_urls("GRU_20212", "tweets", base_url=archive.base_url):
        assert f"{url} (HTTP 404)" in message
    assert "Did you mean 'GRU_202012'?" in message
    assert "'casebook releases' lists the known datasets" in message
    assert "Moderation Research Consortium" in message


def test_known_op_in_other_release_hint(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="try --release 2020_12"):
        fetch(
            OP,
            release="2019_06",
            base_url=archive.base_url,
            dest=tmp_path,
            progress=False,
            timeout=TIMEOUT,
        )


def test_unreachable_gives_advice(dead_url: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as info:
        fetch(OP, base_url=dead_url, dest=tmp_path, progress=False, timeout=TIMEOUT)
    message = str(info.value)
    assert dead_url in message
    assert "may have moved" in message
    assert "--base-url" in message and "Moderation Research Consortium" in message
    assert "Did you mean" not in message
    with pytest.raises(FetchError, match="Did you mean 'armenia_202012'"):
        fetch("Armenia_202012", base_url=dead_url, dest=tmp_path, progress=False, timeout=TIMEOUT)
    assert list(tmp_path.iterdir()) == []  # nothing created when nothing was downloaded


def test_timeout_is_reported_as_unreachable(tmp_path: Path) -> None:
    with socket.socket() as sock:  # accepts connections, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/hashed"
        with pytest.raises(FetchError, match="Cannot reach the archive.*timed out"):
            fetch(OP, base_url=url, dest=tmp_path, progress=False, timeout=0.3)


def test_existing_file_kept_when_unreachable(dead_url: str, tmp_path: Path) -> None:
    folder = tmp_path / OP
    folder.mkdir()
    existing = folder / "GRU_202012_users_csv_hashed.csv"
    existing.write_bytes(USERS)
    assert fetch(
        OP, base_url=dead_url, dest=tmp_path, kinds=["users"], progress=False, timeout=TIMEOUT
    ) == [existing]
    with pytest.raises(FetchError, match="Cannot reach"):
        fetch(
            OP,
            base_url=dead_url,
            dest=tmp_path,
            kinds=["users"],
            force=True,
            progress=False,
            timeout=TIMEOUT,
        )


def test_complete_files_are_skipped_and_force_redownloads(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    first = _get(archive, dest=tmp_path)
    stamps = [f.stat().st_mtime_ns for f in first]
    n_gets = len(archive.gets())
    assert _get(archive, dest=tmp_path) == first
    assert len(archive.gets()) == n_gets
    assert [f.stat().st_mtime_ns for f in first] == stamps

    _get(archive, dest=tmp_path, force=True)
    assert len(archive.gets()) == n_gets + 2


def test_existing_file_of_wrong_size_is_not_touched(archive: Archive, tmp_path: Path) -> None:
    _serve_zip(archive)
    folder = tmp_path / OP
    folder.mkdir()
    existing = folder / "GRU_202012_users_csv_hashed.zip"
    existing.write_bytes(b"short")
    with pytest.raises(FetchError, match="--force"):
        _get(archive, dest=tmp_path, kinds=["users"])
    assert existing.read_bytes() == b"short"


def test_rejects_path_like_op(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Invalid op"):
        fetch("../etc", base_url="http://127.0.0.1:9/x", dest=tmp_path, progress=False)


# --------------------------------------------------------------------------- CLI


def test_cli_success_prints_files_and_next_step(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _serve_zip(archive)
    code = main(
        [
            "fetch",
            OP,
            "--base-url",
            archive.base_url,
            "--dest",
            str(tmp_path),
            "--no-progress",
            "--timeout",
            str(TIMEOUT),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"{hashlib.sha256(TWEETS).hexdigest()}  " in out
    assert f"{hashlib.sha256(USERS).hexdigest()}  " in out
    assert f"casebook validate {tmp_path / OP}" in out


def test_cli_reads_base_url_from_environment(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve_zip(archive)
    monkeypatch.setenv(fetch_mod.BASE_URL_ENV, archive.base_url)
    assert (
        main(
            [
                "fetch",
                OP,
                "--dest",
                str(tmp_path),
                "--no-progress",
                "--kind",
                "users",
                "--sha256",
                hashlib.sha256(USERS).hexdigest(),
            ]
        )
        == 0
    )
    assert (tmp_path / OP / "GRU_202012_users_csv_hashed.zip").read_bytes() == USERS


def test_cli_failure_exits_1_without_traceback(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "fetch",
            OP,
            "--base-url",
            archive.base_url,
            "--dest",
            str(tmp_path),
            "--no-progress",
            "--timeout",
            str(TIMEOUT),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("casebook fetch: error: No tweets file")
    assert "Traceback" not in err and err.count("\n") == 1  # one line, hint included
    assert "--base-url" in err


def test_cli_bad_sha256_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", OP, "--dest", str(tmp_path), "--sha256", "abc"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("casebook fetch: error: --sha256 HEX needs a single --kind")
    assert err.count("\n") == 1


def test_cli_help_lists_known_ops(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["fetch", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for op in ("iran_202012", "GRU_202012", "IRA_202012", "armenia_202012", "REA_0621",
               "cuba_082020", "ira"):
        assert op in out
    assert "casebook fetch GRU_202012" in out and "--base-url" in out


def test_force_keeps_a_different_earlier_file(archive: Archive, tmp_path: Path) -> None:
    """--force downloads again; the earlier file is never overwritten when it differs."""
    _serve_zip(archive)
    (first,) = _get(archive, dest=tmp_path, kinds=["users"])
    new = _zip(f"{OP}_users_csv_hashed.csv", _csv(USERS_HEADER, 20_000, seed=9))
    archive.files[_path("users", "zip")] = new
    (again,) = _get(archive, dest=tmp_path, kinds=["users"], force=True)
    assert again == first and again.read_bytes() == new
    assert (tmp_path / OP / f"{first.name}.replaced").read_bytes() == USERS
    _get(archive, dest=tmp_path, kinds=["users"], force=True)  # identical: nothing kept
    assert sorted(p.name for p in (tmp_path / OP).iterdir()) == [
        first.name, f"{first.name}.replaced"]


# --------------------------------------------------------------------------- any release


def _serve_catalogued(archive: Archive, name: str, release: str, files: dict[str, bytes]) -> None:
    for file, data in files.items():
        archive.files[f"/hashed/{release}/{name}/{file}"] = data


def test_catalogued_release_with_per_year_parts(archive: Archive, tmp_path: Path) -> None:
    """REA_0621 lives in release 2021_12, its tweets in one file per year."""
    parts = {
        "REA_0621_tweets_csv_hashed_2019.csv": _csv(TWEETS_HEADER, 2_000, seed=11),
        "REA_0621_tweets_csv_hashed_2020.csv": _csv(TWEETS_HEADER, 2_000, seed=12),
    }
    users = {"hashed_2021_12_REA_0621_REA_0621_users_csv_hashed.csv": USERS_CSV}
    _serve_catalogued(archive, "REA_0621", "2021_12", {**parts, **users})
    files = fetch("REA_0621", base_url=archive.base_url, dest=tmp_path, progress=False,
                  timeout=TIMEOUT)
    assert [f.name for f in files] == [*parts, *users]
    assert all(f.parent == tmp_path / "REA_0621" for f in files)
    assert files[0].read_bytes() == parts["REA_0621_tweets_csv_hashed_2019.csv"]
    assert all(path.startswith("/hashed/2021_12/") for path, _ in archive.gets())


def test_catalogued_release_with_numbered_parts(archive: Archive, tmp_path: Path) -> None:
    parts = {f"saudi_arabia_112019_tweets_csv_hashed_{n}.csv": _csv(TWEETS_HEADER, 1_000, seed=n)
             for n in (1, 2)}
    _serve_catalogued(archive, "saudi_arabia_112019", "2019_11", parts)
    files = fetch("saudi_arabia_112019", base_url=archive.base_url, dest=tmp_path,
                  kinds=["tweets"], progress=False, timeout=TIMEOUT)
    assert [f.name for f in files] == list(parts)
    probed = {path.rsplit("/", 1)[-1] for _, path, _ in archive.requests}
    assert "saudi_arabia_112019_tweets_csv_hashed_3.csv" in probed  # the first gap ends it
    assert "saudi_arabia_112019_tweets_csv_hashed_4.csv" not in probed


def test_whole_file_is_preferred_over_parts(archive: Archive, tmp_path: Path) -> None:
    _serve_catalogued(archive, "CNHU_0621", "2021_12", {
        "CNHU_0621_tweets_csv_hashed.zip": _zip("CNHU_0621_tweets_csv_hashed_2020.csv",
                                                TWEETS_CSV),
        "CNHU_0621_tweets_csv_hashed_2020.csv": TWEETS_CSV,
    })
    (path,) = fetch("CNHU_0621", base_url=archive.base_url, dest=tmp_path, kinds=["tweets"],
                    progress=False, timeout=TIMEOUT)
    assert path.name == "CNHU_0621_tweets_csv_hashed.zip"


def test_catalogued_release_missing_lists_part_names(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as info:
        fetch("MX_0621", base_url=archive.base_url, dest=tmp_path, kinds=["tweets"],
              progress=False, timeout=TIMEOUT)
    message = str(info.value)
    assert "in release '2021_12'" in message
    assert "MX_0621_tweets_csv_hashed_YYYY.csv" in message
    assert "Moderation Research Consortium" in message


def test_every_catalogued_release_builds_its_urls() -> None:
    from casebook.catalogue import RELEASES

    for name, entry in RELEASES.items():
        assert name in fetch_mod.KNOWN_OPS[entry.release]
        urls = candidate_urls(name, "users", release=entry.release, base_url="http://m/h")
        assert urls[0] == f"http://m/h/{entry.release}/{name}/{name}_users_csv_hashed.zip"


def test_cli_fetches_a_catalogued_release_without_release_option(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _serve_catalogued(archive, "cuba_082020", "2020_08",
                      {"cuba_082020_users_csv_hashed.csv": USERS_CSV})
    code = main(["fetch", "cuba_082020", "--kind", "users", "--base-url", archive.base_url,
                 "--dest", str(tmp_path), "--no-progress"])
    assert code == 0
    assert "cuba_082020_users_csv_hashed.csv" in capsys.readouterr().out


def test_cli_bad_max_size_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", OP, "--max-size", "lots"]) == 2
    assert "invalid size 'lots'" in capsys.readouterr().err


def test_parts_of_mixed_namings_are_all_fetched(archive: Archive, tmp_path: Path) -> None:
    """turkey_052020 has whole years, then half-years: none of them is left behind."""
    parts = {name: _csv(TWEETS_HEADER, 1_000, seed=i) for i, name in enumerate((
        "turkey_052020_tweets_csv_hashed_2015.csv",
        "turkey_052020_tweets_csv_hashed_2016_01.csv",
        "turkey_052020_tweets_csv_hashed_2016_06.csv",
    ))}
    _serve_catalogued(archive, "turkey_052020", "2020_05", parts)
    files = fetch("turkey_052020", base_url=archive.base_url, dest=tmp_path, kinds=["tweets"],
                  progress=False, timeout=TIMEOUT)
    assert sorted(f.name for f in files) == sorted(parts)


def test_file_mirror_missing_names_are_absent_not_unreachable(tmp_path: Path) -> None:
    """A file:// mirror holding only the csv: the missing zip is a miss, not an outage."""
    folder = tmp_path / "mirror" / RELEASE / OP
    folder.mkdir(parents=True)
    (folder / f"{OP}_users_csv_hashed.csv").write_bytes(USERS_CSV)
    (path,) = fetch(OP, base_url=(tmp_path / "mirror").as_uri(), dest=tmp_path / "raw",
                    kinds=["users"], progress=False, timeout=TIMEOUT)
    assert path.name == f"{OP}_users_csv_hashed.csv" and path.read_bytes() == USERS_CSV


def test_a_file_already_present_is_checked_against_its_sha256(
        archive: Archive, tmp_path: Path, dead_url: str) -> None:
    # a file of the right size and format is still another file when its content differs:
    # with a sha256 given, the file already present is checked, and left as it is
    _serve_zip(archive)
    (path,) = _get(archive, dest=tmp_path, kinds=["users"])
    good = hashlib.sha256(path.read_bytes()).hexdigest()
    assert _get(archive, dest=tmp_path, kinds=["users"], sha256={"users": good}) == [path]
    with pytest.raises(FetchError, match="exists but its sha256 is .*--force"):
        _get(archive, dest=tmp_path, kinds=["users"], sha256={"users": "1" * 64})
    assert hashlib.sha256(path.read_bytes()).hexdigest() == good
    # the same when the archive cannot be reached to announce a size
    with pytest.raises(FetchError, match="exists but its sha256 is"):
        fetch(OP, base_url=dead_url, dest=tmp_path, kinds=["users"], progress=False,
              timeout=TIMEOUT, sha256={"users": "1" * 64})
    assert fetch(OP, base_url=dead_url, dest=tmp_path, kinds=["users"], progress=False,
                 timeout=TIMEOUT, sha256={path.name: good}) == [path]
