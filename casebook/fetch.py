"""Download real releases of Twitter's information-operations archive.

The archive's files were published in a public storage bucket, one folder per
dataset: ``<base>/<release>/<op>/<op>_{tweets,users}_csv_hashed.{zip,csv}``. Any dataset
of the catalogue (:data:`casebook.catalogue.RELEASES`, ``casebook releases``) can be
fetched by name; its release folder comes from the catalogue. :func:`fetch` tries the
whole-file names (zip first, then csv, then the ``hashed_<release>_<op>_<op>_...``
variant) and, for a dataset whose tweets were published in parts (one file per year,
or numbered parts), every part it finds.

Each file streams to ``<name>.part``, with a progress bar. The server is not trusted:

- an interrupted transfer resumes with an HTTP ``Range`` request only when the server's
  validator (the ETag, else Last-Modified, recorded at the first attempt in
  ``<name>.part.json`` beside the partial file) still matches: ``If-Range`` is sent,
  and a ``200`` reply (or a ``206`` carrying another validator) starts over, so two
  different files of the same size are never spliced;
- the size the server announced (and a sha256 when one is given) is checked, and what
  arrived must be a file of the archive's format (a zip holding an archive CSV, a gzip
  or a CSV whose header is the archive's); anything else (an HTML error page served
  with status 200) is kept as ``<name>.rejected`` and the error says what came;
- a download larger than ``max_size`` (:data:`DEFAULT_MAX_SIZE`, ``--max-size``) is
  refused or stopped; ``timeout`` (``--timeout``) is an idle timeout: no data, or under
  :data:`MIN_RATE` bytes a second, for that many seconds ends the transfer (a server
  dripping a byte a second is stalled); ``deadline`` (``--deadline``) bounds one file's
  whole transfer;
- redirects are followed only to ``http(s)`` addresses.

Files are renamed into place only when complete and checked. Nothing downloaded is
deleted or overwritten: a rejected file is kept under a ``.rejected`` name, a file that
``--force`` downloads again keeps its predecessor as ``<name>.replaced`` (when they
differ). A file that is already complete is not downloaded again: its size and format
are checked, and its content when a sha256 is given (a mismatch is an error, the file
left as it is). Downloads are left
exactly as published: zip files stay zipped, because :func:`casebook.load_release` reads
them directly.

Only the standard library speaks HTTP here (``urllib.request``); ``tqdm`` draws the
progress bar. The archive's availability is fragile: when it cannot be reached,
:class:`FetchError` says so and points to ``--base-url`` (or the
``CASEBOOK_ARCHIVE_URL`` environment variable) for a mirror, or to the platform's
Moderation Research Consortium for new access.

Examples
--------
From the command line::

    casebook fetch GRU_202012
    casebook fetch REA_0621 --dest /big/disk/raw
    casebook validate data/raw/GRU_202012

From Python::

    >>> from casebook.fetch import fetch
    >>> paths = fetch("GRU_202012", dest="data/raw")  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import hashlib
import http.client
import json
import os
import re
import shlex
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from casebook import __version__, paths
from casebook._files import write_text_atomically
from casebook.catalogue import RELEASES, ArchiveRelease
from casebook.errors import FetchError, UsageError

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_SIZE",
    "FORMATS",
    "KINDS",
    "KNOWN_OPS",
    "MIN_RATE",
    "FetchError",
    "candidate_urls",
    "default_base_url",
    "fetch",
    "add_arguments",
    "parse_size",
    "run",
    "sha256_file",
    "suggest_op",
]

#: Where the archive's hashed releases were published.
DEFAULT_BASE_URL = "https://storage.googleapis.com/twitter-election-integrity/hashed"

#: Environment variable naming a mirror of the archive (used by the command line).
BASE_URL_ENV = "CASEBOOK_ARCHIVE_URL"


def _known_ops() -> dict[str, tuple[str, ...]]:
    ops: dict[str, list[str]] = {}
    for entry in sorted(RELEASES.values(), key=lambda e: (e.release, e.name.lower())):
        ops.setdefault(entry.release, []).append(entry.name)
    return {release: tuple(names) for release, names in ops.items()}


#: Datasets per release folder, from the catalogue; any other name is accepted too.
KNOWN_OPS: dict[str, tuple[str, ...]] = _known_ops()

#: The files of one operation.
KINDS: tuple[str, ...] = ("tweets", "users")

#: File formats, in order of preference.
FORMATS: tuple[str, ...] = ("zip", "csv")

#: Largest file accepted unless ``max_size`` says otherwise: well above any single file
#: the archive published (the 2018 IRA tweets file, 5.3 GB unzipped), far below what an
#: endless body would fill a disk with.
DEFAULT_MAX_SIZE = 16 * 1024**3

#: Default bound on one file's whole transfer, in seconds (6 hours: the 1.2 GB 2018 IRA
#: zip at 1 Mbit/s takes under 3).
DEFAULT_DEADLINE = 6 * 3600.0

#: Bytes a second below which a transfer counts as stalled once it lasts a whole
#: ``timeout`` window (as curl's ``--speed-limit``/``--speed-time``): a server dripping
#: a byte a second never goes quiet for a full timeout, but is stalled all the same.
MIN_RATE = 1024

_CHUNK = 1 << 20  # most bytes read per call while streaming
_ABSENT = frozenset({403, 404, 410})  # statuses meaning "no file at this address"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CONTENT_RANGE_RE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$")
_OP_MONTH_RE = re.compile(r"_(\d{4})(\d{2})(?:_\w+)?$")
_ARCHIVE_MEMBER_RE = re.compile(r"(?:tweets|users)_csv_(?:un)?hashed", re.IGNORECASE)
_FIRST_PART_YEAR = 2006  # Twitter's first year: no archive tweet is older
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ADVICE = (
    "The public archive may have moved or been withdrawn. If you have a mirror, pass "
    f"--base-url URL (or set {BASE_URL_ENV}); new access to the data goes through the "
    "platform's Moderation Research Consortium."
)


class _Absent(Exception):
    """Internal: the server has no file at this address (carries the HTTP status)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Slow(Exception):
    """Internal: the transfer stalled or passed its deadline."""


class _TooBig(Exception):
    """Internal: the server sent more than the maximum size or than it announced."""

    def __init__(self, have: int, total: int | None) -> None:
        super().__init__(have, total)
        self.have, self.total = have, total


@dataclass(frozen=True)
class _Limits:
    """Bounds of one transfer: idle timeout, total deadline (seconds), largest size."""

    timeout: float
    deadline: float
    max_size: int


def _printable(text: object, limit: int = 200) -> str:
    """Text from the server made safe to print: control and bidi characters escaped
    (a header or an address must not clear the screen or reorder a message), cut."""
    shown = _CONTROL_RE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256
                            else f"<U+{ord(m[0]):04X}>", str(text))
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# --------------------------------------------------------------------------- names


def default_base_url() -> str:
    """The archive's base URL: ``$CASEBOOK_ARCHIVE_URL`` when set, else :data:`DEFAULT_BASE_URL`."""
    return os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL


def candidate_urls(
    op: str,
    kind: str,
    *,
    release: str = "2020_12",
    base_url: str = DEFAULT_BASE_URL,
    formats: Sequence[str] = FORMATS,
) -> list[str]:
    """The addresses where one whole file of an operation may live, most likely first.

    Parameters
    ----------
    op : str
        Dataset name, e.g. ``"GRU_202012"``.
    kind : {"tweets", "users"}
        Which file.
    release : str
        Release folder, e.g. ``"2020_12"``.
    base_url : str
        Root of the archive (no trailing slash needed).
    formats : sequence of {"zip", "csv"}
        Formats to try, in order of preference.

    Returns
    -------
    list of str
        For each format, the plain name then the ``hashed_<release>_...`` variant.
        Files published in parts (per year, numbered) are found by :func:`fetch`.

    Examples
    --------
    >>> candidate_urls("GRU_202012", "users", base_url="https://mirror.example/hashed")[0]
    'https://mirror.example/hashed/2020_12/GRU_202012/GRU_202012_users_csv_hashed.zip'
    """
    folder = f"{base_url.rstrip('/')}/{release}/{op}"
    stem = f"{op}_{kind}_csv_hashed"
    return [
        f"{folder}/{name}.{fmt}"
        for fmt in formats
        for name in (stem, f"hashed_{release}_{op}_{stem}")
    ]


def _part_patterns(entry: ArchiveRelease) -> list[str]:
    """The catalogue's patterns for parts of the tweets file (``{year}`` or ``{n}``)."""
    return [p for p in entry.patterns if "{year}" in p or "{n}" in p or "{n:" in p]


def _part_groups(entry: ArchiveRelease) -> list[tuple[bool, list[str]]]:
    """For each part pattern: (numbered?, the possible part names without ``.csv``)."""
    groups = []
    for pattern in _part_patterns(entry):
        if "{year}" in pattern:
            last = int(entry.disclosed[:4]) if entry.disclosed[:4].isdigit() else date.today().year
            years = range(_FIRST_PART_YEAR, last + 1)
            groups.append((False, [pattern.format(name=entry.name, year=y).removesuffix(".csv")
                                   for y in years]))
        else:
            groups.append((True, [pattern.format(name=entry.name, n=n).removesuffix(".csv")
                                  for n in range(1, 100)]))
    return groups


def suggest_op(op: str) -> str | None:
    """The known operation closest to ``op`` (for a "did you mean"), or None.

    Examples
    --------
    >>> suggest_op("gru_202012")
    'GRU_202012'
    >>> suggest_op("armenia_20212")
    'armenia_202012'
    """
    by_lower = {known.lower(): known for ops in KNOWN_OPS.values() for known in ops}
    if op in by_lower.values():
        return None
    match = difflib.get_close_matches(op.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[match[0]] if match else None


def _hints(op: str, release: str) -> str:
    """Sentences that may explain why an operation was not found."""
    hints = []
    suggestion = suggest_op(op)
    if suggestion is not None:
        hints.append(f"Did you mean {suggestion!r}?")
    release_of_op = {known: rel for rel, ops in KNOWN_OPS.items() for known in ops}
    name = suggestion or op
    if name in release_of_op and release_of_op[name] != release:
        hints.append(
            f"{name} belongs to release {release_of_op[name]}: try --release "
            f"{release_of_op[name]}."
        )
    elif name not in release_of_op and (month := _OP_MONTH_RE.search(op)):
        guess = f"{month[1]}_{month[2]}"
        if guess != release:
            hints.append(
                f"Names ending in _{month[1]}{month[2]} usually live in release {guess}: "
                f"try --release {guess}."
            )
    if op not in KNOWN_OPS.get(release, ()):
        hints.append("'casebook releases' lists the known datasets and their release folders.")
    return " ".join(hints)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def parse_size(text: str) -> int:
    """A size in bytes from ``"500M"``, ``"16G"``, ``"2.5GB"``, ``"1048576"`` (powers of 1024).

    Examples
    --------
    >>> parse_size("500M"), parse_size("1k"), parse_size("2048")
    (524288000, 1024, 2048)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if match is None or float(match[1]) <= 0:
        raise UsageError(f"invalid size {text!r}", hint="write e.g. 500M, 16G or a number of bytes")
    return int(float(match[1]) * 1024 ** "_kmgt".index(match[2].lower() or "_"))


# --------------------------------------------------------------------------- HTTP


class _SafeRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): urllib would follow one to ``ftp://`` and then
    blame the original address for whatever that server does."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        target = headers.get("Location") or headers.get("URI")
        if target:
            absolute = urllib.parse.urljoin(req.full_url, target)
            if urllib.parse.urlsplit(absolute).scheme.lower() not in ("http", "https"):
                fp.close()
                raise FetchError(
                    f"{_printable(req.full_url)} redirected (HTTP {code}) to "
                    f"{_printable(absolute)}: casebook follows redirects only to http(s) "
                    "addresses, so nothing was downloaded from it",
                    hint=f"if that address is a real mirror, download it yourself. {_ADVICE}",
                )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_OPENER = urllib.request.build_opener(_SafeRedirect)


def _open(
    url: str, *, timeout: float, method: str = "GET", headers: Mapping[str, str] | None = None
) -> Any:
    request = urllib.request.Request(
        url, method=method, headers={"User-Agent": f"casebook/{__version__}", **(headers or {})}
    )
    return _OPENER.open(request, timeout=timeout)


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    return int(value) if value is not None and str(value).strip().isdigit() else None


def _validator(headers: Any) -> dict[str, str]:
    """The response's strong validators: a weak ETag (``W/"..."``) cannot be sent in
    If-Range, so only Last-Modified is kept then."""
    found = {}
    etag = (headers.get("ETag") or "").strip()
    if etag and not etag.startswith("W/"):
        found["etag"] = etag
    modified = (headers.get("Last-Modified") or "").strip()
    if modified:
        found["last_modified"] = modified
    return found


def _same_validator(recorded: Mapping[str, str], now: Mapping[str, str]) -> bool | None:
    """True/False when both name the same kind of validator, None when they cannot be
    compared (the server sent none this time)."""
    for key in ("etag", "last_modified"):
        if key in recorded and key in now:
            return recorded[key] == now[key]
    return None


def _missing_local_file(exc: BaseException) -> bool:
    """A ``file://`` mirror without this name: the mirror's 404, not an unreachable one."""
    return isinstance(getattr(exc, "reason", None), FileNotFoundError)


def _unreachable(url: str, exc: BaseException) -> FetchError:
    reason = getattr(exc, "reason", None) or exc
    return FetchError(f"Cannot reach the archive at {url} ({_printable(reason)})", hint=_ADVICE)


def _note(message: str) -> None:
    """A one-line note on stderr that does not break a progress bar being drawn."""
    from tqdm.auto import tqdm

    tqdm.write(message, file=sys.stderr)


def _probe(url: str, *, timeout: float) -> tuple[int, int | None, dict[str, str]]:
    """HEAD request: (status, size or None, validator). Raises FetchError when unreachable."""
    try:
        with _open(url, method="HEAD", timeout=timeout) as response:
            status = getattr(response, "status", None) or 200
            return (status, _int_header(response.headers, "Content-Length"),
                    _validator(response.headers))
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, None, {}  # 405/501 (no HEAD) or 5xx: let the GET decide
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if _missing_local_file(exc):
            return 404, None, {}
        raise _unreachable(url, exc) from exc


# --------------------------------------------------------------------------- files


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _read_meta(part: Path) -> dict[str, str]:
    try:
        meta = json.loads(_meta_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}


def _write_meta(part: Path, url: str, validator: Mapping[str, str]) -> None:
    write_text_atomically(_meta_path(part), json.dumps({"url": url, **validator}))


def _drop_meta(part: Path) -> None:
    _meta_path(part).unlink(missing_ok=True)  # bookkeeping of a .part, not a download


def _free_name(path: Path, suffix: str) -> Path:
    """``<path><suffix>``, or ``<path><suffix>-2``, ... whichever does not exist yet."""
    candidate = path.with_name(path.name + suffix)
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}{suffix}-{n}")
    return candidate


def _reject(part: Path, final: Path) -> Path:
    """Keep what arrived under a ``.rejected`` name (never deleted: it is evidence of
    what the server sends), where neither a re-run nor the loader picks it up."""
    kept = _free_name(final, ".rejected")
    os.replace(part, kept)
    _drop_meta(part)
    return kept


def _header_is_archive(data: bytes) -> bool:
    """True when the first line of ``data`` is an archive CSV header (tweets or users)."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    fields = {f.strip().strip('"').strip().lower() for f in first.split(",")}
    return bool(fields & {"tweetid", "userid"})


def _looks_like(head: bytes) -> str:
    """What ``head`` (the first bytes of a file) looks like, in words, for a message."""
    low = head[:2048].lower()
    if re.search(rb"<\s*(?:!doctype\s+html|html|head|body|title)\b", low):
        title = re.search(rb"<title[^>]*>(.*?)</title", head[:8192], re.IGNORECASE | re.DOTALL)
        named = (f" titled {_printable(title[1].decode('utf-8', 'replace').strip(), 80)!r}"
                 if title and title[1].strip() else "")
        return f"an HTML page{named}"
    if low.lstrip().startswith(b"<?xml") or low.lstrip().startswith(b"<"):
        return "an XML document"
    if low.lstrip()[:1] in (b"{", b"["):
        return "a JSON document"
    if not head:
        return "an empty file"
    return f"data that is neither a zip, a gzip nor an archive CSV (it starts {head[:24]!r})"


def _what_is_wrong(path: Path) -> str | None:
    """None when ``path`` is a file of the archive's format, else what it is instead.

    A zip must hold a member named like an archive file (``..._tweets_csv_hashed...``)
    or a CSV member with the archive's header; a gzip or a CSV must start with that
    header. Only the first bytes are read: real files are several GB.
    """
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if any(_ARCHIVE_MEMBER_RE.search(m.filename) for m in members):
                    return None
                for member in members:
                    if member.filename.lower().endswith((".csv", ".csv.gz", ".txt")):
                        with archive.open(member) as stream:
                            if _header_is_archive(stream.read(65536)):
                                return None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                zlib.error, NotImplementedError) as exc:
            return f"a damaged zip file ({_printable(exc, 120)})"
        if not members:
            return "an empty zip file"
        names = ", ".join(_printable(m.filename, 60) for m in members[:3])
        return f"a zip file whose members ({names}) are not archive files"
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path) as stream:
                first = stream.read(65536)
        except (OSError, EOFError, zlib.error) as exc:
            return f"a damaged gzip file ({_printable(exc, 120)})"
        return None if _header_is_archive(first) else "a gzip file that holds no archive CSV"
    return None if _header_is_archive(head) else _looks_like(head)


def _place(part: Path, final: Path) -> Path | None:
    """Rename ``part`` to ``final``; an existing, different ``final`` (``--force``) is
    kept as ``<final>.replaced`` first. Returns where the old file went, if it moved."""
    moved = None
    if final.exists():
        if final.stat().st_size != part.stat().st_size or sha256_file(final) != sha256_file(part):
            moved = _free_name(final, ".replaced")
            os.replace(final, moved)
    os.replace(part, final)
    _drop_meta(part)
    return moved


# --------------------------------------------------------------------------- transfer


def _stream(
    url: str,
    part: Path,
    *,
    offset: int,
    size: int | None,
    recorded: Mapping[str, str],
    limits: _Limits,
    started: float,
    label: str,
    progress: bool,
) -> int | None:
    """Write ``url`` to ``part``, appending from ``offset`` when the server's validator
    still matches ``recorded`` (else from zero). Returns the full size the server
    announced, or None when it did not say."""

    def again() -> int | None:  # start over: the partial file belongs to another file
        return _stream(url, part, offset=0, size=size, recorded={}, limits=limits,
                       started=started, label=label, progress=progress)

    headers = {}
    if offset:
        # If-Range: the server sends the range only if the file is still the one the
        # partial file came from, else the whole (new) file with 200
        headers = {"Range": f"bytes={offset}-",
                   "If-Range": recorded.get("etag") or recorded["last_modified"]}
    try:
        response = _open(url, timeout=limits.timeout, headers=headers)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:  # the range makes no sense for this file: start over
            return again()
        if exc.code in _ABSENT:
            raise _Absent(exc.code) from exc
        raise FetchError(
            f"{url} answered HTTP {exc.code} {_printable(exc.reason)}",
            hint=f"try again later. {_ADVICE}",
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if _missing_local_file(exc):
            raise _Absent(404) from exc
        raise _unreachable(url, exc) from exc

    with response:
        status = getattr(response, "status", None) or 200
        validator = _validator(response.headers)
        if status == 206 and not offset:
            raise FetchError(
                f"{url} answered 206 (a part of the file) to a request for the whole file",
                hint=f"the server or a proxy on the way misbehaves; try again later. {_ADVICE}",
            )
        if status == 206:
            match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range") or "")
            if (match is None or int(match[1]) != offset
                    or _same_validator(recorded, validator) is False):
                # another range, or a server that ignored If-Range for a changed file
                response.close()
                return again()
            total = int(match[3]) if match[3] != "*" else size
            mode = "ab"
        else:  # the whole file: the first attempt, a changed file, or Range ignored
            offset, mode = 0, "wb"
            total = _int_header(response.headers, "Content-Length")
            _write_meta(part, url, validator)
        if size is not None and total is not None and total != size:
            raise FetchError(
                f"{url}: the server announced {total} bytes for this download but {size} "
                "bytes for the file; the archive may have changed",
                hint=f"nothing was renamed into place ({part.name} is kept): re-run to try "
                "again, or use --force to start over",
            )
        total = total if total is not None else size
        if total is not None and total > limits.max_size:
            raise FetchError(
                f"{url} is {total:,} bytes, more than the maximum of {limits.max_size:,}",
                hint="pass a larger --max-size if the file is really that big",
            )
        from tqdm.auto import tqdm  # the progress bar's import is slow: only when downloading

        with (
            part.open(mode) as sink,
            tqdm(
                total=total,
                initial=offset,
                desc=label,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                disable=not progress,
                leave=True,
            ) as bar,
        ):
            have = offset
            window_start, window_bytes = time.monotonic(), 0
            # read1 returns what has arrived (read(n) would wait for n bytes), so the
            # rate and the deadline are checked however slowly the bytes come
            read = getattr(response, "read1", response.read)
            try:
                while chunk := read(_CHUNK):
                    sink.write(chunk)
                    bar.update(len(chunk))
                    have += len(chunk)
                    window_bytes += len(chunk)
                    now = time.monotonic()
                    if have > limits.max_size or (total is not None and have > total):
                        sink.flush()
                        raise _TooBig(have, total)
                    if now - started > limits.deadline:
                        raise _Slow(
                            f"the transfer took longer than the deadline of "
                            f"{limits.deadline:g} s (--deadline)")
                    if now - window_start >= limits.timeout:
                        if window_bytes < MIN_RATE * (now - window_start):
                            raise _Slow(
                                f"the transfer stalled: {window_bytes} bytes in "
                                f"{now - window_start:.1f} s, under {MIN_RATE} bytes/s for "
                                f"the whole idle timeout of {limits.timeout:g} s (--timeout)")
                        window_start, window_bytes = now, 0
            except _Slow as exc:
                sink.flush()
                raise FetchError(
                    f"The download of {url} stopped after {have:,} bytes: {exc}. The partial "
                    f"file {part} is kept: re-run the same command to resume.",
                    hint="a larger --timeout or --deadline allows a slower server",
                ) from None
            except TimeoutError as exc:
                sink.flush()
                raise FetchError(
                    f"The download of {url} stopped after {have:,} bytes: no data for "
                    f"{limits.timeout:g} s (--timeout). The partial file {part} is kept: "
                    "re-run the same command to resume."
                ) from exc
            except (OSError, http.client.HTTPException) as exc:
                sink.flush()
                raise FetchError(
                    f"The download of {url} was interrupted after {part.stat().st_size} bytes "
                    f"({_printable(repr(exc))}). The partial file {part} is kept: re-run the "
                    "same command to resume."
                ) from exc
            sink.flush()
            os.fsync(sink.fileno())
    return total


def _download(
    url: str,
    final: Path,
    *,
    size: int | None,
    head_validator: Mapping[str, str],
    sha256: str | None,
    force: bool,
    progress: bool,
    limits: _Limits,
) -> None:
    """Download ``url`` to ``final`` through ``final.part``; raises _Absent or FetchError."""
    part = final.with_name(final.name + ".part")
    final.parent.mkdir(parents=True, exist_ok=True)
    if force and part.exists():
        part.unlink()  # the temporary of an unfinished transfer, never a download
        _drop_meta(part)
    if size is not None and size > limits.max_size:
        raise FetchError(
            f"{url} is {size:,} bytes, more than the maximum of {limits.max_size:,}",
            hint="pass a larger --max-size if the file is really that big",
        )
    offset = part.stat().st_size if part.is_file() else 0
    recorded = _read_meta(part) if offset else {}
    # resume only what the server can confirm is the same file: a validator recorded
    # at the first attempt, for this address, that the HEAD reply does not contradict
    if offset and (recorded.get("url") != url
                   or not ({"etag", "last_modified"} & recorded.keys())
                   or _same_validator(recorded, head_validator) is False):
        if progress:
            _note(f"{final.name}: the partial download cannot be checked against the "
                  "server's file, starting over")
        offset, recorded = 0, {}
    if size is not None and offset > size:  # not a prefix of this file
        offset, recorded = 0, {}
    if size is not None and offset == size and _same_validator(recorded, head_validator) is None:
        offset, recorded = 0, {}  # complete, but nothing confirms it is this file
    if size is None or offset < size:
        try:
            size = _stream(
                url,
                part,
                offset=offset,
                size=size,
                recorded=recorded,
                limits=limits,
                started=time.monotonic(),
                label=final.name,
                progress=progress,
            )
        except _TooBig as exc:
            kept = _reject(part, final)
            said = (f"announced {exc.total:,} bytes but sent more" if exc.total is not None
                    else "announced no size")
            raise FetchError(
                f"{url} {said}: stopped after {exc.have:,} bytes, over the limit "
                f"(maximum {limits.max_size:,} bytes, --max-size); what arrived is kept "
                f"as {kept.name}",
                hint="pass a larger --max-size if the file is really that big",
            ) from None
    got = part.stat().st_size if part.is_file() else 0
    if size is not None and got != size:
        raise FetchError(
            f"Size mismatch for {url}: got {got} bytes, the server announced {size}",
            hint=f"the partial file {part} is kept: re-run the same command to resume "
            "(or use --force to start over)",
        )
    if sha256 is not None:
        digest = sha256_file(part)
        if digest != sha256.lower():
            kept = _reject(part, final)
            raise FetchError(
                f"sha256 mismatch for {url}: got {digest}, expected {sha256.lower()}",
                hint=f"the download was not used (kept as {kept.name}); check the expected "
                "digest, or the mirror",
            )
    wrong = _what_is_wrong(part)
    if wrong is not None:
        kept = _reject(part, final)
        raise FetchError(
            f"{url} sent {wrong}, not a file of the archive (a zip or CSV of tweets or "
            f"users); it was not used and is kept as {kept}",
            hint=f"the address may serve an error page: check it in a browser. {_ADVICE}",
        )
    moved = _place(part, final)
    if moved is not None and progress:
        _note(f"{final.name}: the earlier download differs and is kept as {moved.name}")


# --------------------------------------------------------------------------- one file


def _fetch_first(
    urls: Sequence[str],
    *,
    op: str,
    folder: Path,
    tried: list[str],
    sha256: Mapping[str, str],
    kind: str,
    force: bool,
    progress: bool,
    limits: _Limits,
) -> Path | None:
    """The first of ``urls`` the server has, downloaded (or already complete); None when
    the server has none of them (each miss is added to ``tried``)."""
    for url in urls:
        final = folder / url.rsplit("/", 1)[-1]
        try:
            status, size, head_validator = _probe(url, timeout=limits.timeout)
        except FetchError as exc:
            local = [folder / u.rsplit("/", 1)[-1] for u in urls]
            present = [p for p in local if p.is_file() and _what_is_wrong(p) is None]
            if present and not force:  # cannot check its size, but it is there: keep it
                _check_digest(present[0], sha256.get(present[0].name, sha256.get(kind)))
                if progress:
                    _note(f"{present[0].name}: archive unreachable, keeping the file "
                          "already downloaded")
                return present[0]
            suggestion = suggest_op(op)
            if suggestion is None:
                raise
            raise FetchError(
                exc.args[0], hint=f"Did you mean {suggestion!r}? {exc.hint or ''}".strip()
            ) from exc
        if status in _ABSENT:
            tried.append(f"{url} (HTTP {status})")
            continue
        if final.is_file() and not force:
            have = final.stat().st_size
            if size is not None and have != size:
                raise FetchError(
                    f"{final} exists with {have} bytes but the archive's file has {size}",
                    hint="raw files are never modified: move it away, or re-run with --force "
                    "(the file is then kept as .replaced)",
                )
            wrong = _what_is_wrong(final)
            if wrong is not None:  # e.g. an error page an earlier version saved
                raise FetchError(
                    f"{final} exists but holds {wrong}, not a file of the archive",
                    hint="raw files are never modified: move it away, or re-run with --force "
                    "(the file is then kept as .replaced)",
                )
            checked = _check_digest(final, sha256.get(final.name, sha256.get(kind)))
            if progress:
                what = "sha256" if checked else "size and format"
                _note(f"{final.name}: already complete ({what} checked), not downloaded "
                      "again (--force to download it again)")
            return final
        expected = sha256.get(final.name, sha256.get(kind))
        try:
            _download(
                url,
                final,
                size=size,
                head_validator=head_validator,
                sha256=expected,
                force=force,
                progress=progress,
                limits=limits,
            )
        except _Absent as exc:
            tried.append(f"{url} (HTTP {exc.status})")
            continue
        return final
    return None


def _check_digest(path: Path, expected: str | None) -> bool:
    """Whether a file already present was checked against the sha256 given for it
    (False: none was given). A file of the right size and format can still be another
    file, or a copy damaged in place: with a sha256, its content is checked too, and a
    mismatch is an error (the file is left as it is)."""
    if expected is None:
        return False
    digest = sha256_file(path)
    if digest != expected.lower():
        raise FetchError(
            f"{path} exists but its sha256 is {digest}, not the expected {expected.lower()}",
            hint="raw files are never modified: move it away, or re-run with --force "
            "(the file is then kept as .replaced)",
        )
    return True


def _fetch_parts(
    entry: ArchiveRelease,
    *,
    release: str,
    base_url: str,
    folder: Path,
    formats: Sequence[str],
    **options: Any,
) -> list[Path]:
    """Every part of a dataset's split tweets file the server has, for each pattern of
    the catalogue (per year: each year up to the disclosure; numbered: 1, 2, ... up to
    the first missing one)."""
    root = f"{base_url.rstrip('/')}/{release}/{entry.name}"
    found: list[Path] = []
    missed: list[str] = []  # part names are guesses: misses are not worth listing
    for numbered, stems in _part_groups(entry):
        for stem in stems:
            path = _fetch_first([f"{root}/{stem}.{fmt}" for fmt in formats], folder=folder,
                                tried=missed, **options)
            if path is not None:
                found.append(path)
            elif numbered:
                break  # numbered parts have no gaps
        # no break after a pattern that found parts: a dataset may mix namings (years,
        # then half-years), and the names of different patterns never collide
    return found


def _fetch_one(
    op: str,
    kind: str,
    *,
    release: str,
    base_url: str,
    folder: Path,
    formats: Sequence[str],
    sha256: Mapping[str, str],
    force: bool,
    progress: bool,
    limits: _Limits,
) -> list[Path]:
    options = {"op": op, "sha256": sha256, "kind": kind, "force": force,
               "progress": progress, "limits": limits}
    tried: list[str] = []
    urls = candidate_urls(op, kind, release=release, base_url=base_url, formats=formats)
    path = _fetch_first(urls, folder=folder, tried=tried, **options)
    if path is not None:
        return [path]
    entry = RELEASES.get(op)
    if kind == "tweets" and entry is not None and _part_patterns(entry):
        parts = _fetch_parts(entry, release=release, base_url=base_url, folder=folder,
                             formats=formats, **options)
        if parts:
            return parts
        tried.append("the names of its parts (" + ", ".join(
            p.replace("{n:02d}", "NN").format(name=op, year="YYYY", n="N")
            for p in _part_patterns(entry)) + ")")
    denied = (
        "HTTP 403 usually means the files are no longer public."
        if any(t.endswith("(HTTP 403)") for t in tried)
        else ""
    )
    raise FetchError(
        f"No {kind} file for {op!r} in release {release!r}; tried: " + ", ".join(tried),
        hint=" ".join(filter(None, [_hints(op, release), denied, _ADVICE])),
    )


def fetch(
    op: str,
    *,
    release: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    dest: str | os.PathLike[str] | None = None,
    kinds: Iterable[str] = KINDS,
    formats: Sequence[str] = FORMATS,
    sha256: Mapping[str, str] | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = 30,
    deadline: float = DEFAULT_DEADLINE,
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[Path]:
    """Download the files of one dataset from the archive into ``dest/<op>/``.

    For each kind the candidate names from :func:`candidate_urls` are tried in order
    (zip before csv); a dataset whose tweets were published in parts (see
    :data:`casebook.catalogue.RELEASES`) gets every part the server has. A transfer goes
    to ``<name>.part``, resumes with an HTTP ``Range`` + ``If-Range`` request when the
    server's validator recorded at the first attempt still matches, is checked against
    the announced size (and ``sha256`` when given) and the archive's format, and is then
    renamed into place. A file whose final name exists with the size the server
    announces (or that simply exists when the server cannot be reached) is not
    downloaded again unless ``force``. Nothing downloaded is deleted or overwritten
    (see the module's notes).

    Parameters
    ----------
    op : str
        Dataset name, e.g. ``"GRU_202012"`` or ``"REA_0621"``; any name of the catalogue
        (``casebook releases``), but any other name is accepted too.
    release : str, optional
        Release folder in the archive, e.g. ``"2020_12"``; default: the catalogue's
        folder for ``op``, else ``"2020_12"``.
    base_url : str
        Root of the archive or of a mirror (``http(s)://`` or ``file://``).
    dest : path-like, optional
        Folder for downloads; files go to ``dest/<op>/``. Default
        :func:`casebook.paths.raw_dir`.
    kinds : iterable of {"tweets", "users"}
        Which files to download.
    formats : sequence of {"zip", "csv"}
        Formats to try, in order of preference.
    sha256 : mapping, optional
        Expected hex digests keyed by kind (``"tweets"``) or by file name; a
        mismatch rejects the download (kept as ``<name>.rejected``) and raises.
    force : bool
        Download again even when the file is already complete (also discards a
        partial ``.part`` file); a different earlier file is kept as ``.replaced``.
    progress : bool
        Show a byte progress bar per file (on stderr).
    timeout : float
        Idle timeout in seconds: for the connection, and for the transfer, which ends
        when no data, or under :data:`MIN_RATE` bytes a second, arrives for this long.
    deadline : float
        Most seconds one file's transfer may take (default :data:`DEFAULT_DEADLINE`);
        the partial file is kept for a re-run to resume.
    max_size : int
        Largest file accepted, in bytes (default :data:`DEFAULT_MAX_SIZE`): a larger
        announced size is refused, a body that grows past it is stopped.

    Returns
    -------
    list of Path
        The downloaded (or already present) files, in ``kinds`` order (several for a
        tweets file published in parts).

    Raises
    ------
    FetchError
        The archive cannot be reached, has no file under any candidate name, redirects
        off http(s), sends something that is not an archive file, too much, too slowly,
        or a transfer ended short or with the wrong digest. The message says what to do.

    Examples
    --------
    >>> fetch("armenia_202012", dest="data/raw", progress=False)  # doctest: +SKIP
    [PosixPath('data/raw/armenia_202012/armenia_202012_tweets_csv_hashed.zip'),
     PosixPath('data/raw/armenia_202012/armenia_202012_users_csv_hashed.zip')]
    """
    kinds = tuple(kinds)
    if release is None:
        entry = RELEASES.get(op)
        release = entry.release if entry is not None else "2020_12"
    for label, value in (("op", op), ("release", release)):
        if not _NAME_RE.match(value) or ".." in value:
            raise UsageError(
                f"Invalid {label} {_printable(value)!r}",
                hint=f"use a plain name such as {'GRU_202012' if label == 'op' else '2020_12'}",
            )
    if unknown := [k for k in kinds if k not in KINDS]:
        raise UsageError(f"unknown kinds {unknown}; choose from {list(KINDS)}")
    if not formats or (unknown := [f for f in formats if f not in FORMATS]):
        raise UsageError(f"formats must be a non-empty subset of {list(FORMATS)}")
    if not (timeout > 0 and deadline > 0 and max_size > 0):
        raise UsageError("timeout, deadline and max_size must be positive")
    limits = _Limits(timeout=float(timeout), deadline=float(deadline), max_size=int(max_size))
    folder = Path(dest if dest is not None else paths.raw_dir()) / op
    return [
        path
        for kind in kinds
        for path in _fetch_one(
            op,
            kind,
            release=release,
            base_url=base_url,
            folder=folder,
            formats=formats,
            sha256=dict(sha256 or {}),
            force=force,
            progress=progress,
            limits=limits,
        )
    ]


# --------------------------------------------------------------------------- CLI


def _parse_digests(values: Sequence[str] | None, kinds: Sequence[str]) -> dict[str, str]:
    digests: dict[str, str] = {}
    for value in values or ():
        key, sep, digest = value.rpartition("=")
        if not sep:
            if len(kinds) != 1:
                raise UsageError(
                    "--sha256 HEX needs a single --kind",
                    hint="otherwise write --sha256 KIND=HEX or --sha256 FILENAME=HEX",
                )
            key = kinds[0]
        if not re.fullmatch(r"[0-9A-Fa-f]{64}", digest):
            raise UsageError(f"--sha256 {value!r}: expected 64 hexadecimal digits")
        digests[key] = digest.lower()
    return digests


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run(args: argparse.Namespace) -> int:
    """``casebook fetch``: download, then print each file's sha256 and the next command.

    Raises
    ------
    FetchError
        The download failed (exit status 1).
    UsageError
        A malformed ``--sha256``, ``--max-size``, op or release (exit status 2).
    """
    kinds = tuple(dict.fromkeys(args.kind or KINDS))
    base_url = args.base_url or default_base_url()
    dest = paths.resolve(args.dest) if args.dest else paths.raw_dir()
    files = fetch(
        args.op,
        release=args.release,
        base_url=base_url,
        dest=dest,
        kinds=kinds,
        sha256=_parse_digests(args.sha256, kinds),
        force=args.force,
        progress=args.progress,
        timeout=args.timeout,
        deadline=args.deadline,
        max_size=parse_size(args.max_size),
    )
    print(f"Files of {args.op} (sha256, path):")
    for path in files:
        print(f"{sha256_file(path)}  {_shown(path)}")
    print(f"Next: casebook validate {shlex.quote(_shown(dest / args.op))}")
    return 0


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook fetch`` to ``parser``."""
    known = "\n".join(
        textwrap.fill(f"{rel}: {', '.join(ops)}", initial_indent="  ",
                      subsequent_indent="    ", break_on_hyphens=False)
        for rel, ops in KNOWN_OPS.items()
    )
    parser.description = textwrap.fill(
        "Download the tweets and users files of one dataset from Twitter's "
        "information-operations archive into DEST/OP/. Transfers resume after an "
        "interruption (only when the server confirms the file is unchanged), are "
        "size-checked and format-checked (an error page is kept as .rejected, never used), "
        "and are renamed into place only when complete; files already complete are skipped. "
        "Nothing downloaded is deleted or overwritten."
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "known datasets by release folder (casebook releases describes them; any other "
        f"name is accepted):\n{known}\n\n"
        "examples:\n"
        "  casebook fetch GRU_202012\n"
        "  casebook fetch REA_0621 --kind tweets\n"
        "  casebook fetch iran_202012 --dest /big/disk/raw --no-progress\n"
        "  casebook fetch GRU_202012 --base-url https://mirror.example.org/hashed\n\n"
        + textwrap.fill(
            f"The archive lived at {DEFAULT_BASE_URL}; availability is fragile. Use a "
            f"mirror with --base-url or {BASE_URL_ENV}; new access goes through the "
            "platform's Moderation Research Consortium.",
            break_on_hyphens=False,
            break_long_words=False,
        )
    )
    parser.add_argument("op", metavar="OP", help="dataset name, e.g. GRU_202012 or REA_0621")
    parser.add_argument(
        "--release",
        default=None,
        help="release folder in the archive (default: the catalogue's, else 2020_12)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        default=None,
        help=f"root of the archive or a mirror (default: ${BASE_URL_ENV}, else {DEFAULT_BASE_URL})",
    )
    parser.add_argument(
        "--dest",
        metavar="DIR",
        default=None,
        help="download folder; files go to DIR/OP/ (default: data/raw)",
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        action="append",
        help="download only this file (repeatable; default: both)",
    )
    parser.add_argument(
        "--sha256",
        metavar="[KIND=]HEX",
        action="append",
        help="expected sha256 of a file, keyed by kind or file name "
        "(repeatable); a mismatching download is kept as .rejected, not used",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="download again even when the files are already complete (a different "
        "earlier file is kept as .replaced)",
    )
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", help="do not show progress bars"
    )
    parser.add_argument(
        "--timeout",
        type=_positive,
        default=30.0,
        metavar="SECONDS",
        help="idle timeout: give up on connecting, or on a transfer that sends nothing "
        f"(or under {MIN_RATE} bytes/s), for this long (default: %(default)s)",
    )
    parser.add_argument(
        "--deadline",
        type=_positive,
        default=DEFAULT_DEADLINE,
        metavar="SECONDS",
        help="most time one file's transfer may take; the partial file is kept to resume "
        "(default: %(default)s, 6 hours)",
    )
    parser.add_argument(
        "--max-size",
        default="16G",
        metavar="SIZE",
        help="largest file accepted, e.g. 500M or 16G (default: %(default)s, above any file "
        "the archive published); a larger download is refused or stopped",
    )
