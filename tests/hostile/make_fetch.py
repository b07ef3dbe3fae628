"""A local HTTP server that lies, for the hostile tests of ``casebook fetch``.

Every behaviour is generated here by code (no recorded responses, no binaries in git):
:class:`LyingServer` serves one route table on 127.0.0.1; each route is a function of
the request handler that writes whatever the behaviour calls for. The payloads are
archive-like files made by :func:`archive_zip` and :func:`archive_csv`.

Run it by hand to watch a behaviour with another client::

    python -m tests.hostile.make_fetch drip
"""

from __future__ import annotations

import io
import itertools
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

__all__ = [
    "LyingServer",
    "Route",
    "archive_csv",
    "archive_zip",
    "cut_then_swap",
    "drip",
    "endless",
    "html_page",
    "redirect",
    "serve",
    "steady",
]

TWEETS_HEADER = b'"tweetid","userid","tweet_text","tweet_time"\n'

#: A route answers one request: ``route(handler)``; the handler's ``command`` is the method.
Route = Callable[[BaseHTTPRequestHandler], None]


def archive_csv(n_bytes: int, *, seed: int) -> bytes:
    """An archive-like tweets CSV of about ``n_bytes``: the header, then random hex."""
    body = np.random.default_rng(seed).integers(0, 256, n_bytes // 2, dtype=np.uint8)
    return TWEETS_HEADER + body.tobytes().hex().encode()


def archive_zip(n_bytes: int, *, seed: int, member: str = "X_tweets_csv_hashed.csv") -> bytes:
    """A zip (stored, fixed date) holding one archive-like CSV of about ``n_bytes``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        info = zipfile.ZipInfo(member, date_time=(2021, 2, 23, 0, 0, 0))
        archive.writestr(info, archive_csv(n_bytes, seed=seed))
    return buffer.getvalue()


def _headers(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()


def _write(handler: BaseHTTPRequestHandler, data: bytes) -> bool:
    """Send ``data``; False once the client has gone (it stopped reading)."""
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError, OSError):
        return False
    return True


def cut_then_swap(first: bytes, second: bytes, *, cut: int, mode: str,
                  head: str = "current") -> Route:
    """The file changes between attempts: the first GET sends ``first`` cut after
    ``cut`` bytes; every later GET is served from ``second`` (the same size, other bytes).

    ``mode`` says how the server treats a resume (``Range`` + ``If-Range``):

    - ``"honest"``: ETags, and If-Range honoured (a changed file comes whole, 200);
    - ``"ignores_if_range"``: ETags, but the range of the new file is sent (206);
    - ``"no_validator"``: neither ETag nor Last-Modified; any range is sent (206).

    ``head`` says what HEAD answers: ``"current"`` (the file GET would send now),
    ``"stale"`` (always ``first``'s size and ETag, as a stale cache would) or ``"none"``
    (405, no HEAD support).
    """
    if len(first) != len(second):
        raise ValueError("the two files must have the same size (that is the trap)")
    gets = itertools.count()
    state = {"data": first}

    def route(handler: BaseHTTPRequestHandler) -> None:
        if handler.command == "HEAD":
            if head == "none":
                handler.send_error(405)
                return
            data = first if head == "stale" else state["data"]
            headers = {"Accept-Ranges": "bytes", "Content-Length": str(len(data))}
            if mode != "no_validator":
                headers["ETag"] = '"v1"' if data is first else '"v2"'
            _headers(handler, 200, headers)
            return
        n = next(gets)
        data = first if n == 0 else second
        state["data"] = second  # from now on, the file is the new one
        etag = '"v1"' if data is first else '"v2"'
        headers = {"Accept-Ranges": "bytes"}
        if mode != "no_validator":
            headers["ETag"] = etag
        rng = handler.headers.get("Range") or ""
        start = int(rng[6:-1]) if rng.startswith("bytes=") and rng.endswith("-") else 0
        if_range = handler.headers.get("If-Range")
        if mode == "honest" and if_range is not None and if_range != etag:
            start = 0
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        _headers(handler, 206 if start else 200, {**headers, "Content-Length": str(len(body))})
        _write(handler, body[:cut] if n == 0 else body)

    return route


def html_page(title: str = "Service Unavailable") -> Route:
    """An HTML error page served with status 200 (and an ETag, as storage services do)."""
    page = (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>Please try again later.</p></body></html>\n").encode()

    def route(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, 200, {"Content-Type": "text/html", "Content-Length": str(len(page)),
                                "ETag": '"page"'})
        if handler.command == "GET":
            _write(handler, page)

    return route


def endless(*, chunk: int = 64 * 1024, limit: int = 64 * 1024**2) -> Route:
    """A body with no Content-Length that goes on (up to ``limit`` bytes, so that a
    client with no bound still finishes the test, having accepted junk)."""
    block = archive_csv(chunk, seed=7)

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.protocol_version = "HTTP/1.0"  # the body ends when the connection closes
        _headers(handler, 200, {"Content-Type": "application/zip"})
        if handler.command != "GET":
            return
        sent = 0
        while sent < limit and _write(handler, block if sent == 0 else block[len(TWEETS_HEADER):]):
            sent += len(block)

    return route


def drip(data: bytes, *, every: float) -> Route:
    """``data`` one byte at a time, one every ``every`` seconds (Content-Length true)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, 200, {"Content-Length": str(len(data)), "ETag": '"drip"'})
        if handler.command != "GET":
            return
        for i in range(len(data)):
            if not _write(handler, data[i:i + 1]):
                return
            time.sleep(every)

    return route


def steady(data: bytes, *, chunk: int, every: float) -> Route:
    """``data`` in ``chunk``-byte pieces every ``every`` seconds: fast enough never to
    stall, too long for a short deadline."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, 200, {"Content-Length": str(len(data)), "ETag": '"steady"'})
        if handler.command != "GET":
            return
        for start in range(0, len(data), chunk):
            if not _write(handler, data[start:start + chunk]):
                return
            time.sleep(every)

    return route


def redirect(target: str, *, status: int = 302) -> Route:
    """A redirect to ``target`` (e.g. ``ftp://...``)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, status, {"Location": target, "Content-Length": "0"})

    return route


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _route(self) -> None:
        server: LyingServer = self.server  # type: ignore[assignment]
        server.log.append((self.command, self.path, self.headers.get("Range")))
        if self.command == "GET":
            server.if_ranges.append(self.headers.get("If-Range"))
        route = server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        route(self)

    do_GET = do_HEAD = _route  # noqa: N815 (http.server's naming)


class LyingServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 whose answers come from ``routes``
    (path -> :data:`Route`); ``log`` records (method, path, Range) of every request,
    ``if_ranges`` the If-Range header of every GET."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.log: list[tuple[str, str, str | None]] = []
        self.if_ranges: list[str | None] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[LyingServer]:
    """Run a :class:`LyingServer` in a thread for the ``with`` block."""
    server = LyingServer(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


if __name__ == "__main__":  # pragma: no cover (a manual look at one behaviour)
    behaviours: dict[str, Route] = {
        "html": html_page(),
        "endless": endless(),
        "drip": drip(archive_csv(64, seed=1), every=1.0),
        "redirect": redirect("ftp://127.0.0.1:1/x.zip"),
    }
    name = sys.argv[1] if len(sys.argv) > 1 else "html"
    with serve({"/file": behaviours[name]}) as running:
        print(f"{name}: {running.url}/file (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
