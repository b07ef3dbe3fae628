"""Download real releases of Twitter's information-operations archive.

The archive's files were published in a public storage bucket, one folder per
operation: ``<base>/<release>/<op>/<op>_{tweets,users}_csv_hashed.{zip,csv}``.
:func:`fetch` tries those names (zip first, then csv, then the
``hashed_<release>_<op>_<op>_...`` variant), streams each file to ``<name>.part``
with a progress bar, resumes an interrupted transfer with an HTTP ``Range``
request, checks the size the server announced (and a sha256 when one is given),
then renames the file into place atomically. A file that is already complete is
not downloaded again. Downloads are left exactly as published: zip files stay
zipped, because :func:`casebook.load_release` reads them directly.

Only the standard library speaks HTTP here (``urllib.request``); ``tqdm`` draws the
progress bar. The archive's availability is fragile: when it cannot be reached,
:class:`FetchError` says so and points to ``--base-url`` (or the
``CASEBOOK_ARCHIVE_URL`` environment variable) for a mirror, or to the platform's
Moderation Research Consortium for new access.

Examples
--------
From the command line::

    casebook fetch GRU_202012
    casebook validate data/raw/GRU_202012

From Python::

    >>> from casebook.fetch import fetch
    >>> paths = fetch("GRU_202012", dest="data/raw")  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import http.client
import os
import re
import shlex
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from casebook import __version__, paths
from casebook.errors import FetchError, UsageError

__all__ = [
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "FORMATS",
    "KINDS",
    "KNOWN_OPS",
    "FetchError",
    "candidate_urls",
    "default_base_url",
    "fetch",
    "add_arguments",
    "run",
    "sha256_file",
    "suggest_op",
]

#: Where the archive's hashed releases were published.
DEFAULT_BASE_URL = "https://storage.googleapis.com/twitter-election-integrity/hashed"

#: Environment variable naming a mirror of the archive (used by the command line).
BASE_URL_ENV = "CASEBOOK_ARCHIVE_URL"

#: Operations known per release; any other name is accepted too.
KNOWN_OPS: dict[str, tuple[str, ...]] = {
    "2020_12": ("iran_202012", "GRU_202012", "IRA_202012", "armenia_202012"),
}

#: The files of one operation.
KINDS: tuple[str, ...] = ("tweets", "users")

#: File formats, in order of preference.
FORMATS: tuple[str, ...] = ("zip", "csv")

_CHUNK = 1 << 20  # bytes read per call while streaming
_ABSENT = frozenset({403, 404, 410})  # statuses meaning "no file at this address"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CONTENT_RANGE_RE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$")
_OP_MONTH_RE = re.compile(r"_(\d{4})(\d{2})(?:_\w+)?$")
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
    """The addresses where one file of an operation may live, most likely first.

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
    release_of = {known: rel for rel, ops in KNOWN_OPS.items() for known in ops}
    name = suggestion or op
    if name in release_of and release_of[name] != release:
        hints.append(
            f"{name} belongs to release {release_of[name]}: try --release {release_of[name]}."
        )
    elif name not in release_of and (month := _OP_MONTH_RE.search(op)):
        guess = f"{month[1]}_{month[2]}"
        if guess != release:
            hints.append(
                f"Names ending in _{month[1]}{month[2]} usually live in release {guess}: "
                f"try --release {guess}."
            )
    if op not in KNOWN_OPS.get(release, ()):
        known = "; ".join(f"{rel}: {', '.join(ops)}" for rel, ops in KNOWN_OPS.items())
        hints.append(f"Known operations: {known}.")
    return " ".join(hints)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --------------------------------------------------------------------------- HTTP


def _open(
    url: str, *, timeout: float, method: str = "GET", headers: Mapping[str, str] | None = None
) -> Any:
    request = urllib.request.Request(
        url, method=method, headers={"User-Agent": f"casebook/{__version__}", **(headers or {})}
    )
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (http(s) and file mirrors)


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    return int(value) if value is not None and str(value).strip().isdigit() else None


def _unreachable(url: str, exc: BaseException) -> FetchError:
    reason = getattr(exc, "reason", None) or exc
    return FetchError(f"Cannot reach the archive at {url} ({reason})", hint=_ADVICE)


def _note(message: str) -> None:
    """A one-line note on stderr that does not break a progress bar being drawn."""
    from tqdm.auto import tqdm

    tqdm.write(message, file=sys.stderr)


def _probe(url: str, *, timeout: float) -> tuple[int, int | None]:
    """HEAD request: (status, size or None). Raises FetchError when unreachable."""
    try:
        with _open(url, method="HEAD", timeout=timeout) as response:
            status = getattr(response, "status", None) or 200
            return status, _int_header(response.headers, "Content-Length")
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, None  # 405/501 (no HEAD) or 5xx: let the GET decide
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _unreachable(url, exc) from exc


def _stream(
    url: str,
    part: Path,
    *,
    offset: int,
    size: int | None,
    label: str,
    progress: bool,
    timeout: float,
) -> int | None:
    """Write ``url`` to ``part`` (appending from ``offset`` when the server allows).

    Returns the full size the server announced, or None when it did not say.
    """
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = _open(url, timeout=timeout, headers=headers)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and offset:  # the range makes no sense for this file: start over
            part.unlink()
            return _stream(
                url, part, offset=0, size=size, label=label, progress=progress, timeout=timeout
            )
        if exc.code in _ABSENT:
            raise _Absent(exc.code) from exc
        raise FetchError(
            f"{url} answered HTTP {exc.code} {exc.reason}", hint=f"try again later. {_ADVICE}"
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _unreachable(url, exc) from exc

    with response:
        status = getattr(response, "status", None) or 200
        if status == 206:
            match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range") or "")
            if match is None or int(match[1]) != offset:
                response.close()
                part.unlink()
                return _stream(
                    url, part, offset=0, size=size, label=label, progress=progress, timeout=timeout
                )
            total = int(match[3]) if match[3] != "*" else size
            mode = "ab"
        else:  # the server sent the whole file (it may have ignored our Range)
            offset, mode = 0, "wb"
            total = _int_header(response.headers, "Content-Length")
        if size is not None and total is not None and total != size:
            raise FetchError(
                f"{url}: the server announced {total} bytes for this download but {size} "
                "bytes for the file; the archive may have changed",
                hint=f"nothing was renamed into place ({part.name} is kept): re-run to try "
                "again, or use --force to start over",
            )
        total = total if total is not None else size
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
            try:
                while chunk := response.read(_CHUNK):
                    sink.write(chunk)
                    bar.update(len(chunk))
            except (OSError, http.client.HTTPException) as exc:
                sink.flush()
                raise FetchError(
                    f"The download of {url} was interrupted after {part.stat().st_size} bytes "
                    f"({exc!r}). The partial file {part} is kept: re-run the same command "
                    "to resume."
                ) from exc
            sink.flush()
            os.fsync(sink.fileno())
    return total


def _download(
    url: str,
    final: Path,
    *,
    size: int | None,
    sha256: str | None,
    force: bool,
    progress: bool,
    timeout: float,
) -> None:
    """Download ``url`` to ``final`` through ``final.part``; raises _Absent or FetchError."""
    part = final.with_name(final.name + ".part")
    final.parent.mkdir(parents=True, exist_ok=True)
    if force and part.exists():
        part.unlink()
    offset = part.stat().st_size if part.is_file() else 0
    if size is not None and offset > size:  # not a prefix of this file
        part.unlink()
        offset = 0
    if size is None or offset < size:
        size = _stream(
            url,
            part,
            offset=offset,
            size=size,
            label=final.name,
            progress=progress,
            timeout=timeout,
        )
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
            part.unlink()
            raise FetchError(
                f"sha256 mismatch for {url}: got {digest}, expected {sha256.lower()}",
                hint="the download was discarded; check the expected digest, or the mirror",
            )
    os.replace(part, final)


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
    timeout: float,
) -> Path:
    urls = candidate_urls(op, kind, release=release, base_url=base_url, formats=formats)
    tried: list[str] = []
    for url in urls:
        final = folder / url.rsplit("/", 1)[-1]
        try:
            status, size = _probe(url, timeout=timeout)
        except FetchError as exc:
            local = [folder / u.rsplit("/", 1)[-1] for u in urls]
            present = [p for p in local if p.is_file()]
            if present and not force:  # cannot check its size, but it is there: keep it
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
            if size is None or have == size:
                if progress:
                    _note(f"{final.name}: already complete, not downloaded again "
                          "(--force to download it again)")
                return final
            raise FetchError(
                f"{final} exists with {have} bytes but the archive's file has {size}",
                hint="raw files are never modified: move it away, or re-run with --force "
                "to replace it",
            )
        expected = sha256.get(final.name, sha256.get(kind))
        try:
            _download(
                url,
                final,
                size=size,
                sha256=expected,
                force=force,
                progress=progress,
                timeout=timeout,
            )
        except _Absent as exc:
            tried.append(f"{url} (HTTP {exc.status})")
            continue
        return final
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
    release: str = "2020_12",
    base_url: str = DEFAULT_BASE_URL,
    dest: str | os.PathLike[str] | None = None,
    kinds: Iterable[str] = KINDS,
    formats: Sequence[str] = FORMATS,
    sha256: Mapping[str, str] | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: float = 30,
) -> list[Path]:
    """Download the files of one operation from the archive into ``dest/<op>/``.

    For each kind the candidate names from :func:`candidate_urls` are tried in order
    (zip before csv). A transfer goes to ``<name>.part``, resumes with an HTTP
    ``Range`` request when that file exists, is checked against the announced size
    (and ``sha256`` when given) and is then renamed into place. A file whose final
    name exists with the size the server announces (or that simply exists when the
    server cannot be reached) is not downloaded again unless ``force``.

    Parameters
    ----------
    op : str
        Dataset name, e.g. ``"GRU_202012"``; see :data:`KNOWN_OPS`, but any name is
        accepted (other releases).
    release : str
        Release folder in the archive, e.g. ``"2020_12"``.
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
        mismatch discards the download and raises.
    force : bool
        Download again even when the file is already complete (also discards a
        partial ``.part`` file).
    progress : bool
        Show a byte progress bar per file (on stderr).
    timeout : float
        Seconds to wait for the server on connect and on each read.

    Returns
    -------
    list of Path
        The downloaded (or already present) files, one per kind, in ``kinds`` order.

    Raises
    ------
    FetchError
        The archive cannot be reached, has no file under any candidate name, or a
        transfer ended short or with the wrong digest. The message says what to do.

    Examples
    --------
    >>> fetch("armenia_202012", dest="data/raw", progress=False)  # doctest: +SKIP
    [PosixPath('data/raw/armenia_202012/armenia_202012_tweets_csv_hashed.zip'),
     PosixPath('data/raw/armenia_202012/armenia_202012_users_csv_hashed.zip')]
    """
    kinds = tuple(kinds)
    for label, value in (("op", op), ("release", release)):
        if not _NAME_RE.match(value) or ".." in value:
            raise UsageError(
                f"Invalid {label} {value!r}",
                hint=f"use a plain name such as {'GRU_202012' if label == 'op' else '2020_12'}",
            )
    if unknown := [k for k in kinds if k not in KINDS]:
        raise UsageError(f"unknown kinds {unknown}; choose from {list(KINDS)}")
    if not formats or (unknown := [f for f in formats if f not in FORMATS]):
        raise UsageError(f"formats must be a non-empty subset of {list(FORMATS)}")
    folder = Path(dest if dest is not None else paths.raw_dir()) / op
    return [
        _fetch_one(
            op,
            kind,
            release=release,
            base_url=base_url,
            folder=folder,
            formats=formats,
            sha256=dict(sha256 or {}),
            force=force,
            progress=progress,
            timeout=timeout,
        )
        for kind in kinds
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
        A malformed ``--sha256``, op or release (exit status 2).
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
    )
    print(f"Files of {args.op} (sha256, path):")
    for path in files:
        print(f"{sha256_file(path)}  {_shown(path)}")
    print(f"Next: casebook validate {shlex.quote(_shown(dest / args.op))}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook fetch`` to ``parser``."""
    known = "\n".join(f"  {rel}: {', '.join(ops)}" for rel, ops in KNOWN_OPS.items())
    parser.description = textwrap.fill(
        "Download the tweets and users files of one operation from Twitter's "
        "information-operations archive into DEST/OP/. Transfers resume after an "
        "interruption, are size-checked, and are renamed into place only when "
        "complete; files already complete are skipped."
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        f"known operations (any other name is accepted, e.g. for other releases):\n{known}\n\n"
        "examples:\n"
        "  casebook fetch GRU_202012\n"
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
    parser.add_argument("op", metavar="OP", help="dataset name, e.g. GRU_202012")
    parser.add_argument(
        "--release", default="2020_12", help="release folder in the archive (default: %(default)s)"
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
        "(repeatable); a mismatch discards the download",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="download again even when the files are already complete",
    )
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", help="do not show progress bars"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="network timeout per connection and read (default: %(default)s)",
    )
