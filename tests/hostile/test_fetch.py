"""``casebook fetch`` against a local server that lies (issue #13, "casebook fetch").

Each test runs one behaviour of :mod:`tests.hostile.make_fetch` on 127.0.0.1 (never the
internet) and checks the end: a clear message or a correct file, nothing spliced,
nothing junk renamed into place, nothing downloaded deleted.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from casebook import fetch as fetch_mod
from casebook.cli import main
from casebook.fetch import FetchError, fetch
from tests.hostile import make_fetch as lie

OP = "GRU_202012"
RELEASE = "2020_12"
ZIP = f"{OP}_tweets_csv_hashed.zip"
ROUTE = f"/hashed/{RELEASE}/{OP}/{ZIP}"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy",
                "FTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
                fetch_mod.BASE_URL_ENV):
        monkeypatch.delenv(var, raising=False)


def _fetch(server: lie.LyingServer, dest: Path, **options: object) -> list[Path]:
    settings = {"base_url": f"{server.url}/hashed", "dest": dest, "kinds": ["tweets"],
                "progress": False, "timeout": 2.0, **options}
    return fetch(OP, **settings)  # type: ignore[arg-type]


def _files(dest: Path) -> list[str]:
    folder = dest / OP
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- resume


@pytest.mark.parametrize(
    ("mode", "head"),
    [
        ("honest", "current"),  # HEAD already shows another validator
        ("honest", "stale"),  # If-Range makes the server send the new file whole
        ("ignores_if_range", "stale"),  # a 206 of the new file, with its new ETag
        ("no_validator", "none"),  # nothing can confirm the file: never resumed
    ],
)
def test_resume_never_splices_two_files_of_the_same_size(
    tmp_path: Path, mode: str, head: str
) -> None:
    first = lie.archive_zip(120_000, seed=1)
    second = lie.archive_zip(120_000, seed=2)
    assert len(first) == len(second) and first != second
    cut = 50_000
    with lie.serve({ROUTE: lie.cut_then_swap(first, second, cut=cut, mode=mode,
                                             head=head)}) as server:
        with pytest.raises(FetchError, match="re-run the same command to resume"):
            _fetch(server, tmp_path)
        (final,) = _fetch(server, tmp_path)
    got = final.read_bytes()
    assert got != first[:cut] + second[cut:], "two different files were spliced"
    assert got == second
    assert _files(tmp_path) == [ZIP]  # no .part, no .part.json left


def test_resume_sends_if_range_with_the_recorded_validator(tmp_path: Path) -> None:
    first = lie.archive_zip(120_000, seed=1)
    with lie.serve({ROUTE: lie.cut_then_swap(first, first, cut=50_000, mode="honest",
                                             head="stale")}) as server:
        with pytest.raises(FetchError):
            _fetch(server, tmp_path)
        part_meta = tmp_path / OP / f"{ZIP}.part.json"
        assert json.loads(part_meta.read_text())["etag"] == '"v1"'  # beside the .part
        (final,) = _fetch(server, tmp_path)
        assert [rng for method, _, rng in server.log if method == "GET"] == [
            None, "bytes=50000-"]
        assert server.if_ranges == [None, '"v1"']
    assert final.read_bytes() == first


# --------------------------------------------------------------------------- content


def test_html_error_page_with_status_200_is_rejected_and_kept(tmp_path: Path) -> None:
    with lie.serve({ROUTE: lie.html_page("Service Unavailable")}) as server:
        with pytest.raises(FetchError) as info:
            _fetch(server, tmp_path)
        message = str(info.value)
        assert "HTML page titled 'Service Unavailable'" in message
        assert "not a file of the archive" in message and ".rejected" in message
        assert _files(tmp_path) == [f"{ZIP}.rejected"]  # kept, never renamed into place
        # a re-run does not call the page "already complete"
        with pytest.raises(FetchError, match="HTML page"):
            _fetch(server, tmp_path)
    assert not (tmp_path / OP / ZIP).exists()
    assert _files(tmp_path) == [f"{ZIP}.rejected", f"{ZIP}.rejected-2"]
    assert b"<html>" in (tmp_path / OP / f"{ZIP}.rejected").read_bytes()


def test_existing_error_page_is_not_already_complete(tmp_path: Path) -> None:
    """A page an earlier version saved under the final name is not taken as complete."""
    route = lie.html_page("Forbidden")
    with lie.serve({ROUTE: route}) as server:
        folder = tmp_path / OP
        folder.mkdir()
        with pytest.raises(FetchError):
            _fetch(server, tmp_path)  # gets the page once, as a .rejected file
        (folder / f"{ZIP}.rejected").rename(folder / ZIP)  # what the old code did
        with pytest.raises(FetchError, match="exists but holds an HTML page"):
            _fetch(server, tmp_path)
    assert b"Forbidden" in (folder / ZIP).read_bytes()  # left as it was


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"error": {"code": 403, "message": "Access denied."}}', "a JSON document"),
        (b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', "an XML document"),
        (b"PK\x03\x04" + b"\x00" * 60, "a damaged zip file"),
        (b"\x1f\x8b\x08\x00garbage", "a damaged gzip file"),
        (b"name,age\nann,3\n", "neither a zip, a gzip nor an archive CSV"),
    ],
)
def test_other_non_archive_bodies_are_named(tmp_path: Path, body: bytes, said: str) -> None:
    def route(handler: object) -> None:
        handler.send_response(200)  # type: ignore[attr-defined]
        handler.send_header("Content-Length", str(len(body)))  # type: ignore[attr-defined]
        handler.end_headers()  # type: ignore[attr-defined]
        if handler.command == "GET":  # type: ignore[attr-defined]
            handler.wfile.write(body)  # type: ignore[attr-defined]

    with lie.serve({ROUTE: route}) as server, pytest.raises(FetchError, match=said):
        _fetch(server, tmp_path)
    assert _files(tmp_path) == [f"{ZIP}.rejected"]


# --------------------------------------------------------------------------- bounds


def test_endless_body_without_length_is_bounded(tmp_path: Path) -> None:
    with lie.serve({ROUTE: lie.endless(limit=8 * 1024**2)}) as server:
        with pytest.raises(FetchError, match=r"announced no size: stopped after .*--max-size"):
            _fetch(server, tmp_path, max_size=1024**2)
    assert not (tmp_path / OP / ZIP).exists()
    kept = tmp_path / OP / f"{ZIP}.rejected"
    assert 1024**2 < kept.stat().st_size < 2 * 1024**2  # stopped near the bound


def test_max_size_refuses_an_announced_size_up_front(tmp_path: Path) -> None:
    data = lie.archive_zip(300_000, seed=3)
    with lie.serve({ROUTE: lie.steady(data, chunk=len(data), every=0)}) as server:
        with pytest.raises(FetchError, match="more than the maximum"):
            _fetch(server, tmp_path, max_size=100_000)
        assert [m for m, _, _ in server.log] == ["HEAD"]  # nothing downloaded


def test_drip_times_out_with_the_idle_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One byte every 0.05 s never leaves the socket idle, but is stalled all the same."""
    data = lie.archive_csv(60, seed=4)  # about 5 s of dripping
    with lie.serve({ROUTE: lie.drip(data, every=0.05)}) as server:
        code = main(["fetch", OP, "--base-url", f"{server.url}/hashed", "--dest",
                     str(tmp_path), "--kind", "tweets", "--no-progress", "--timeout", "0.5"])
    err = capsys.readouterr().err
    assert code == 1
    assert "stalled" in err and "--timeout" in err and "Traceback" not in err
    assert not (tmp_path / OP / ZIP).exists()


def test_total_deadline_bounds_a_steady_but_long_transfer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = lie.archive_zip(300_000, seed=5)
    with lie.serve({ROUTE: lie.steady(data, chunk=16 * 1024, every=0.05)}) as server:
        code = main(["fetch", OP, "--base-url", f"{server.url}/hashed", "--dest",
                     str(tmp_path), "--kind", "tweets", "--no-progress", "--deadline", "0.3"])
    err = capsys.readouterr().err
    assert code == 1
    assert "deadline of 0.3 s (--deadline)" in err and "resume" in err
    assert (tmp_path / OP / f"{ZIP}.part").is_file()  # kept for a resume


def test_help_documents_idle_timeout_deadline_and_max_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["fetch", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--timeout SECONDS idle timeout" in out
    assert "--deadline SECONDS most time one file's transfer may take" in out
    assert "--max-size SIZE largest file accepted" in out


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("scheme", ["ftp", "file"])
def test_redirect_off_http_is_refused_naming_the_target(tmp_path: Path, scheme: str) -> None:
    target = (f"ftp://127.0.0.1:{_dead_port()}/\x1b[2Jmirror/{ZIP}" if scheme == "ftp"
              else "file:///etc/passwd")
    with lie.serve({ROUTE: lie.redirect(target)}) as server:
        with pytest.raises(FetchError) as info:
            _fetch(server, tmp_path)
    message = str(info.value)
    assert f"redirected (HTTP 302) to {scheme}://" in message
    assert "follows redirects only to http(s)" in message
    assert not message.startswith("Cannot reach")  # the http address is not to blame
    assert "\x1b" not in message  # the target is printed with its escapes defused
    assert _files(tmp_path) == []


def test_redirect_to_http_is_followed(tmp_path: Path) -> None:
    data = lie.archive_zip(10_000, seed=6)
    routes = {"/elsewhere.zip": lie.steady(data, chunk=len(data), every=0)}
    with lie.serve(routes) as server:
        server.routes[ROUTE] = lie.redirect(f"{server.url}/elsewhere.zip", status=301)
        (final,) = _fetch(server, tmp_path)
    assert final.name == ZIP and final.read_bytes() == data


def test_partial_content_for_a_whole_file_request_is_an_error(tmp_path: Path) -> None:
    """A 206 to a request without Range (a confused proxy) ends in one clear error."""
    body = lie.archive_zip(5_000, seed=8)

    def route(handler: object) -> None:
        handler.send_response(206)  # type: ignore[attr-defined]
        handler.send_header("Content-Range", f"bytes 0-99/{len(body)}")  # type: ignore[attr-defined]
        handler.send_header("Content-Length", "100")  # type: ignore[attr-defined]
        handler.end_headers()  # type: ignore[attr-defined]
        if handler.command == "GET":  # type: ignore[attr-defined]
            handler.wfile.write(body[:100])  # type: ignore[attr-defined]

    with lie.serve({ROUTE: route}) as server, pytest.raises(
            FetchError, match="answered 206 .* to a request for the whole file"):
        _fetch(server, tmp_path)
    assert not (tmp_path / OP / ZIP).exists()
