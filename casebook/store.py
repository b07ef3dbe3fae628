"""A Parquet store of many releases: ``casebook store add`` and ``casebook store list``.

One folder holds every release added to it, partitioned by release in the hive style::

    STORE/
      casebook-store.json            the manifest (what the store holds; see below)
      release=GRU_202012/
        tweets.parquet               Release.tweets, typed exactly as load_release gives it
        users.parquet                Release.users
        rejected.parquet             Release.rejected
        search.parquet               search keys computed once, at add time
        keys.parquet                 the same keys, one row per (tweet, key), sorted
        summary.parquet              one row per (key, account, screen name), sorted
        near.parquet                 MinHash band keys, one row per (band, text), sorted
        texts.arrow                  one normalised text per fingerprint, sorted
        text_summary.arrow           the summary of the texts, sorted
      release=IRA_202012/
        ...

Any Parquet reader sees ``STORE/release=*/tweets.parquet`` as one dataset with a
``release`` column (``duckdb.read_parquet(..., hive_partitioning=true)``,
``pyarrow.dataset.dataset(..., partitioning="hive")``); :func:`read_release` gives one
release back as a :class:`~casebook.loader.Release` equal to :func:`~casebook.load_release`
on its files, and :mod:`casebook.search` answers cross-release questions over the search
tables (``keys.parquet``, ``summary.parquet``, ``near.parquet``, ``texts.arrow``,
``text_summary.arrow``).

The manifest records, per release: the sha256 and size of each source file, the loader
version, the provenance and checks of the load, the counts, when it was added, and the
size and sha256 of each Parquet file of its partition. It is the store's commit point:

- adding a release writes its partition into a temporary folder inside the store, renames
  it into place (replacing the old partition of that release, never another one) and then
  rewrites the manifest by a temporary file and a rename, so a reader sees the old or the
  new release, never half of one;
- adding the same source files again (same sha256s, same loader version) writes nothing
  and says so; a release whose files changed replaces its partition;
- a release holding tweets (``tweetid``) that another release of the store holds is
  refused before any of it is written, whatever its files or name (the same tweets
  gzipped, renamed, or added with ``--name``): a search or a network over the store
  would count them twice. Adding it under that other release's name replaces it
  (:func:`shared_tweets`);
- the raw files are only read.

A store is checked every time it is opened: a missing or garbled manifest, a partition
file missing or of another size than recorded is a one-line :class:`StoreError`; the
sha256 of the files is checked when a release is read back (:func:`read_release`) and by
``casebook store list --verify`` (hashing a large store at every search would cost more
than the search). A folder that is not a store and is not empty (no manifest, other files)
is refused: nothing is written into it.

Search keys (``search.parquet``, one row per tweet, in the order of ``tweets.parquet``):
``screen_key`` (lower-case screen name), ``hashtag_keys`` (lower-case, without ``#``),
``domains`` (registered domains of the urls, by :func:`casebook.content.registered_domains`),
``text_fp`` (the low 64 bits of the MD5 of the text after CNT's normalisation,
:func:`casebook.coordination.text.normalise_text`: missing for a text that normalises
to nothing) and ``near_0`` ... ``near_9`` (MinHash LSH band keys of the normalised text's
word shingles, :data:`NEAR_BANDS` x :data:`NEAR_ROWS` permutations: see
:mod:`casebook.search`), one column per band so a lookup is a few integer comparisons.
``tweets.parquet`` and ``search.parquet`` are written in row groups of :data:`ROW_GROUP`
rows, so reading a few rows by number reads a few small row groups.

The search tables (store format 3), written when the release is added (DuckDB sorts
them out of core: :func:`write_search_tables`), each sorted by an integer key in row
groups with min/max statistics, so an equality lookup reads only the one or two row
groups whose range holds its key:

- the key table (``keys.parquet``): one row per (tweet, key): ``kind`` (a code of
  :data:`KEY_KINDS`), ``key`` (UBIGINT: the kind in the top 8 bits, the value's low 56
  bits below: of the MD5 of a string, of :func:`text_fingerprints` for a text, the band
  key for a MinHash band), ``row`` (the tweet's row in ``tweets.parquet`` and
  ``search.parquet``) and the tweet's :data:`KEY_DETAILS` (what a search's answer shows),
  sorted by ``key`` then ``row`` in row groups of :data:`KEY_ROW_GROUP` rows. Kinds:
  ``url``, ``domain``, ``hashtag`` (each distinct value of the tweet's list), ``text``
  (the fingerprint), ``account`` (userid, and screen_key where it differs) and
  ``retweeted`` (retweet_userid, and retweet_tweetid where it differs). Criteria given
  together intersect their tweets here (:func:`write_keys`);
- the summary (``summary.parquet``): the key table grouped by (key, account, screen
  name): counts, first and last time, the first :data:`EXAMPLES` tweets: a search of one
  criterion reads its answer from a few rows per account (:func:`write_summary`). The
  rows of the texts are in ``text_summary.arrow`` instead (below);
- the near-duplicate tables: ``near.parquet`` (MinHash band key -> distinct text) and
  ``texts.arrow`` (text -> normalised text), one row per distinct text, not per tweet
  (:func:`write_near`).

``texts.arrow`` and ``text_summary.arrow`` are Arrow IPC files, uncompressed, that a
near-duplicate search maps into memory: it verifies thousands of candidate texts and
reads the answers of hundreds, scattered over the release, and a mapped file gives each
row for the cost of the pages it lies on, where a Parquet file decodes a whole row group
per row (about twice the disk of Parquet for these two tables; 1.5 s -> 0.03 s for a
query of 6,000 candidates in a release of 4M texts: benchmarks/README.md).

A store of an older format (1: no key table; 2: no summary, near-duplicate or text table;
3: the texts and their summary in Parquet) is refused by a search with a message saying how to upgrade it: ``casebook store add``
into it builds every release's search tables from its stored ``search.parquet`` and
``tweets.parquet`` first (:func:`upgrade_store`).

This module imports nothing heavy at the top: ``casebook store --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook._files import umask, write_text_atomically
from casebook.errors import StoreError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

    from casebook.loader import Release

__all__ = [
    "MANIFEST",
    "AddResult",
    "StoreError",
    "add_release",
    "add_arguments",
    "list_store",
    "open_store",
    "read_release",
    "run",
    "shared_tweets",
]

#: The manifest's file name; a folder holding it is a casebook store.
MANIFEST = "casebook-store.json"
#: ``format`` of the manifest, and the layout version this module writes and reads.
FORMAT = "casebook-store"
FORMAT_VERSION = 4
#: Files of one release's partition, all recorded in the manifest.
PARTITION_FILES = ("tweets.parquet", "users.parquet", "rejected.parquet", "search.parquet",
                   "keys.parquet", "summary.parquet", "near.parquet", "texts.arrow",
                   "text_summary.arrow")
#: The files of each format's partition (an older one's are read to upgrade it): format 1
#: had no key table, format 2 no summary, near-duplicate and text tables, format 3 its
#: texts in Parquet and their summary in ``summary.parquet``.
_PARTITION_FILES_OF = {1: PARTITION_FILES[:4], 2: PARTITION_FILES[:5],
                       3: (*PARTITION_FILES[:7], "texts.parquet"),
                       FORMAT_VERSION: PARTITION_FILES}
#: The files :func:`write_search_tables` builds from ``search.parquet`` and ``tweets.parquet``.
SEARCH_TABLES = PARTITION_FILES[4:]
#: Rows per row group of ``tweets.parquet`` and ``search.parquet``: a row read by number
#: decodes at most this many rows of the columns read.
ROW_GROUP = 1 << 16
#: Rows per row group of ``keys.parquet``: small enough that an equality lookup reads
#: little (a few MB), large enough that the footer of a release of 100M keys stays small
#: (under 800 row groups) and quick to read at every search.
KEY_ROW_GROUP = 1 << 17
#: Rows per row group of ``summary.parquet`` and ``near.parquet``: a lookup of one key
#: decodes one or two groups of this many rows, whatever the size of its answer.
SUMMARY_ROW_GROUP = 1 << 12
NEAR_ROW_GROUP = 1 << 15
#: Rows per record batch of ``texts.arrow`` and ``text_summary.arrow``: a lookup searches
#: the sorted keys of each batch (a zero-copy view of the mapped file).
MAPPED_BATCH = 1 << 20
#: Example tweet ids kept per (key, account) in ``summary.parquet`` (the first in time),
#: and listed per account by a search.
EXAMPLES = 3
#: MinHash LSH of the near-duplicate index: bands x rows per band permutations. Ten bands
#: of three find a text of Jaccard similarity 0.7 with probability 1 - (1 - 0.7**3)**10 =
#: 98.5% (0.8: 99.98%) while one of 0.3 shares a band only 24% of the time; every
#: candidate is then verified exactly (:mod:`casebook.search`).
NEAR_BANDS = 10
NEAR_ROWS = 3
#: Words per shingle of the near-duplicate index (as the ``near_duplicate`` network kind).
NEAR_SHINGLE = 2
#: Seed of the MinHash permutations.
NEAR_SEED = 1
#: Codes of the key table's ``kind`` column (the top 8 bits of its ``key``).
KEY_KINDS = {"url": 1, "domain": 2, "hashtag": 3, "text": 4, "account": 5, "retweeted": 6,
             **{f"near_{band}": 16 + band for band in range(NEAR_BANDS)}}
#: Rows per batch of search-key work: bounded memory whatever the release's size.
_BATCH = 1 << 17
_LOCK = ".casebook-store.lock"
_TEMP_PREFIXES = (".tmp-", ".trash-", f".{MANIFEST}.")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


@dataclasses.dataclass(frozen=True)
class AddResult:
    """What :func:`add_release` did.

    Attributes
    ----------
    name
        The release's name in the store.
    status
        ``"added"`` (new), ``"replaced"`` (its source files changed) or ``"unchanged"``
        (the same source files and loader version: nothing written).
    tweets, accounts
        Rows of its tweets and users tables.
    """

    name: str
    status: str
    tweets: int
    accounts: int


# --------------------------------------------------------------------------- manifest


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def partition(store: str | os.PathLike[str], name: str) -> Path:
    """The folder of release ``name`` in ``store`` (hive style: ``release=<name>``)."""
    return Path(store) / f"release={name}"


def _corrupt(store: Path, what: str) -> StoreError:
    return StoreError(
        f"{store}: corrupt store: {what}",
        hint="add the release again with 'casebook store add', or rebuild the store in a new folder",
    )


def _check_entry(store: Path, name: str, entry: Any, *, verify: bool,
                 files: Sequence[str] = PARTITION_FILES) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
        raise _corrupt(store, f"the manifest's entry for {name} is garbled")
    folder = partition(store, name)
    for file in files:
        recorded = entry["files"].get(file)
        path = folder / file
        if not isinstance(recorded, dict):
            raise _corrupt(store, f"the manifest records no {file} for {name}")
        if not path.is_file():
            raise _corrupt(store, f"{path} is missing")
        if path.stat().st_size != recorded.get("size"):
            raise _corrupt(store, f"{path} is not the file the manifest recorded (its size differs)")
        if verify and _sha256(path) != recorded.get("sha256"):
            raise _corrupt(store, f"{path} is not the file the manifest recorded (its sha256 differs)")


def _is_ours(entry: os.DirEntry[str] | Path) -> bool:
    name = entry.name
    return name in (MANIFEST, _LOCK) or name.startswith(_TEMP_PREFIXES) or name.startswith("release=")


def _old_format(root: Path, manifest: dict[str, Any]) -> StoreError:
    import shlex

    folders = sorted({str(e.get("source", "FOLDER")) for e in manifest["releases"].values()
                      if isinstance(e, dict)})
    sources = " ".join(shlex.quote(f) for f in folders) or "FOLDER..."
    return StoreError(
        f"{root}: store format {manifest['format_version']} lacks the search tables of "
        f"format {FORMAT_VERSION} (this casebook searches format {FORMAT_VERSION}): re-add the "
        f"releases: casebook store add {sources} --store {shlex.quote(str(root))}",
        hint="'casebook store add' upgrades the store in place: it builds each release's "
        "search tables from the stored files, without reading the source files again",
    )


def open_store(
    store: str | os.PathLike[str], *, create: bool = False, verify: bool = False,
    old: bool = False,
) -> dict[str, Any]:
    """The manifest of ``store``, after checking that the store is whole.

    Parameters
    ----------
    store
        The store's folder.
    create
        Accept a folder that does not exist or is empty (a new store: its manifest is
        returned empty, nothing is written).
    verify
        Check every partition file's sha256 against the manifest (reads the whole store),
        not only its presence and size.
    old
        Accept a store of an older format (to upgrade it: :func:`upgrade_store`).

    Returns
    -------
    dict
        The manifest: ``format``, ``format_version`` and ``releases`` (name -> entry).

    Raises
    ------
    StoreError
        No store there (and not ``create``); a folder of other files (not a store);
        a missing or garbled manifest; a partition file missing or not the one recorded;
        a store of an older format (and not ``old``): its message says how to upgrade it.
    """
    root = Path(store).expanduser()
    empty = {"format": FORMAT, "format_version": FORMAT_VERSION, "releases": {}}
    if not root.exists():
        if create:
            return empty
        raise StoreError(f"{root}: no such store", hint="create one with 'casebook store add FOLDER --store STORE'")
    if not root.is_dir():
        raise StoreError(f"{root}: not a casebook store (it is a file, not a folder)")
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        with os.scandir(root) as it:
            entries = list(it)
        if any(e.name.startswith("release=") for e in entries):
            raise _corrupt(root, f"its manifest {MANIFEST} is missing")
        foreign = [e.name for e in entries if not _is_ours(e)]
        if foreign:
            raise StoreError(
                f"{root}: not a casebook store (no {MANIFEST}; it holds other files, e.g. "
                f"{sorted(foreign)[0]!r}): refusing to use it",
                hint="give a new or empty folder for the store",
            )
        if create:
            return empty
        raise StoreError(f"{root}: an empty folder, not a casebook store yet",
                         hint="add a release with 'casebook store add FOLDER --store STORE'")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _corrupt(root, f"its manifest {MANIFEST} cannot be read ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupt(root, f"{MANIFEST} is not a casebook store manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise _corrupt(root, f"{MANIFEST} has no format_version")
    if version > FORMAT_VERSION:
        raise StoreError(f"{root}: store format {version} was written by a newer casebook "
                         f"(this one reads format {FORMAT_VERSION})", hint="upgrade casebook")
    releases = manifest.get("releases")
    if not isinstance(releases, dict):
        raise _corrupt(root, f"{MANIFEST} lists no releases")
    if version not in _PARTITION_FILES_OF:
        raise _corrupt(root, f"{MANIFEST} has no known format_version ({version})")
    if version < FORMAT_VERSION and not old:
        raise _old_format(root, manifest)
    for name, entry in releases.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise _corrupt(root, f"{MANIFEST} names a release {name!r} that is not a folder name")
        _check_entry(root, name, entry, verify=verify, files=_PARTITION_FILES_OF[version])
    return manifest


def _write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically: a temporary file in the store, flushed to the disk,
    then a rename."""
    write_text_atomically(root / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True,
                                                      default=str), durable=True)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold the store's lock: two adds into one store run one after the other."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks
        yield
        return
    with open(root / _LOCK, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_temps(root: Path) -> None:
    """Remove what an interrupted add left (only ever called with the lock held)."""
    for item in root.iterdir():
        if item.name.startswith(_TEMP_PREFIXES):
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    item.unlink()


# --------------------------------------------------------------------------- tables


def _arrow_table(frame: pd.DataFrame, dtypes: dict[str, object]) -> pa.Table:
    """A loaded frame as Arrow, in the loader's own Arrow types for its schema columns."""
    import pyarrow as pa

    from casebook import loader

    fields = []
    for name in frame.columns:
        dtype = dtypes.get(name)
        if dtype is None:
            dtype = loader.schema.OPTIONAL_TWEET_DTYPES.get(name)
        arrow_type = next((t for key, t in loader._ARROW_TYPES.items()
                           if dtype is not None and key == dtype), None)
        fields.append(pa.field(name, arrow_type) if arrow_type is not None else None)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if any(f is None for f in fields):  # an unknown column keeps the type pandas gives it
        fields = [f if f is not None else table.schema.field(i) for i, f in enumerate(fields)]
    return table.cast(pa.schema(fields))


def _lists_from(values: pa.Array, parents: Any, n: int) -> pa.Array:
    """A list array of ``n`` rows: ``values[i]`` belongs to row ``parents[i]`` (sorted)."""
    import numpy as np
    import pyarrow as pa

    counts = np.bincount(np.asarray(parents, np.int64), minlength=n) if len(values) else np.zeros(n, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _lower_lists(lists: pa.Array, *, strip: str = "") -> pa.Array:
    """Each list's strings in lower case (and without leading ``strip`` characters)."""
    import pyarrow.compute as pc

    values = pc.utf8_lower(pc.list_flatten(lists))
    if strip:
        values = pc.utf8_ltrim(values, characters=strip)
    return _lists_from(values, pc.list_parent_indices(lists), len(lists))


def _domain_lists(urls: pa.Array) -> pa.Array:
    """Registered domains of each row's urls (:func:`casebook.content.registered_domains`)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from casebook import schema
    from casebook.content import registered_domains

    flat = pc.list_flatten(urls)
    parents = pc.list_parent_indices(urls).to_numpy(zero_copy_only=False)
    domains = registered_domains(pd.Series(pd.array(flat, dtype=schema.STRING)))
    values = pa.array(domains.to_numpy(dtype=object, na_value=None), pa.string())
    keep = pc.is_valid(values)
    return _lists_from(values.filter(keep), parents[keep.to_numpy(zero_copy_only=False)], len(urls))


def text_fingerprints(norm: pa.Array) -> pa.Array:
    """The low 64 bits of the MD5 of each normalised text (missing for an empty one).

    MD5 is used as a stable, well-spread hash, not for security: two different texts
    share a fingerprint with probability about 2**-64 per pair.
    """
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # a bar on stderr is the caller's to draw
    try:
        con.register("norm", pa.table({"t": norm}))
        out = con.sql("SELECT CASE WHEN t = '' THEN NULL ELSE md5_number_lower(t) END AS fp "
                      "FROM norm").to_arrow_table()
    finally:
        con.close()
    return out.column("fp").combine_chunks().cast(pa.uint64())


def near_keys(norm: pa.Array) -> list[pa.Array]:
    """MinHash LSH band keys of normalised texts: one uint32 array per band.

    Each non-empty text gets :data:`NEAR_BANDS` keys, one per band of :data:`NEAR_ROWS`
    permutations (missing for an empty text); two texts are candidates when they share
    the key of some band. Signatures are datasketch's ``affine32`` MinHash of the word
    shingles (:func:`casebook.coordination.near_duplicate.minhash_signatures`).
    """
    import numpy as np
    import pyarrow as pa

    from casebook.coordination.near_duplicate import minhash_signatures, shingle_hashes
    from casebook.coordination.text import HASH_MUL, filled

    ok = filled(norm)
    rows = np.flatnonzero(ok)
    keys = np.zeros((NEAR_BANDS, len(norm)), np.uint32)
    if len(rows):
        h32, doc = shingle_hashes(norm.filter(pa.array(ok)), NEAR_SHINGLE)
        sig = minhash_signatures(h32, doc, len(rows), num_perm=NEAR_BANDS * NEAR_ROWS,
                                 seed=NEAR_SEED)
        sig_t = sig.T
        for band in range(NEAR_BANDS):  # loop over bands only
            h = np.full(len(rows), band + 1, np.uint64) * HASH_MUL
            for perm in sig_t[band * NEAR_ROWS:(band + 1) * NEAR_ROWS]:
                h = (h ^ perm.astype(np.uint64)) * HASH_MUL
            keys[band, rows] = (h >> np.uint64(32)).astype(np.uint32)
    return [pa.array(keys[band], pa.uint32(), mask=~ok) for band in range(NEAR_BANDS)]


def _search_batch(tweets: pa.Table) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    from casebook.coordination.text import normalise_arrow

    col = {name: tweets.column(name).combine_chunks() for name in (
        "tweetid", "userid", "user_screen_name", "tweet_time", "retweet_userid",
        "retweet_tweetid", "hashtags", "urls", "tweet_text")}
    norm = normalise_arrow(col["tweet_text"].cast(pa.string()))
    keys = near_keys(norm)
    return pa.table({
        "tweetid": col["tweetid"], "userid": col["userid"],
        "user_screen_name": col["user_screen_name"],
        "screen_key": pc.utf8_lower(col["user_screen_name"]),
        "tweet_time": col["tweet_time"],
        "retweet_userid": col["retweet_userid"], "retweet_tweetid": col["retweet_tweetid"],
        "hashtag_keys": _lower_lists(col["hashtags"], strip="#"),
        "urls": col["urls"],
        "domains": _domain_lists(col["urls"]),
        "text_fp": text_fingerprints(norm),
        **{f"near_{band}": key for band, key in enumerate(keys)},
    })


def search_index(tweets: pa.Table) -> pa.Table:
    """The search keys of a release's tweets (``search.parquet``; see the module docs)."""
    import pyarrow as pa

    parts = [_search_batch(tweets.slice(lo, _BATCH))
             for lo in range(0, max(tweets.num_rows, 1), _BATCH)]  # batches of rows
    return pa.concat_tables(parts)


#: The low 56 bits of a value: the key table's ``key`` below its kind.
_LOW56 = (1 << 56) - 1


def key_sql(kind: str, value: str) -> str:
    """The SQL expression of the key table's ``key`` of ``kind`` for the value ``value``.

    ``value`` is an SQL expression: a UBIGINT for ``text`` and the ``near_*`` bands, a
    string for the other kinds (hashed with MD5, as :func:`text_fingerprints` does).
    """
    code = KEY_KINDS[kind]
    number = value if kind == "text" or kind.startswith("near_") else f"md5_number_lower({value})"
    return (f"((CAST({code} AS UBIGINT) << 56) | "
            f"(CAST({number} AS UBIGINT) & CAST({_LOW56} AS UBIGINT)))")


#: The columns of ``search.parquet`` each key row of a kind but ``near_*`` carries, so that
#: a search's answer (counts, times, examples per account) is read from the key table.
KEY_DETAILS = ("tweetid", "userid", "user_screen_name", "tweet_time")


def _key_selects(source: str) -> dict[int, list[str]]:
    """SELECTs of (kind, key, row, details...) from ``search.parquet``, by kind code."""
    row = "CAST(file_row_number AS UINTEGER)"
    details = ", ".join(KEY_DETAILS)
    selects: dict[int, list[str]] = {}
    for kind, column in (("url", "urls"), ("domain", "domains"), ("hashtag", "hashtag_keys")):
        # a list's value is a key of its tweet once, however often the list repeats it
        selects.setdefault(KEY_KINDS[kind], []).append(
            f"SELECT {KEY_KINDS[kind]} AS kind, {key_sql(kind, 'v')} AS key, row, {details} "
            f"FROM (SELECT {row} AS row, unnest(list_distinct({column})) AS v, {details} "
            f"FROM {source}) WHERE v IS NOT NULL")
    pairs = [("text", "text_fp", None), ("account", "userid", None),
             ("account", "screen_key", "userid"), ("retweeted", "retweet_userid", None),
             ("retweeted", "retweet_tweetid", "retweet_userid")]
    for kind, column, same in pairs:
        skip = f" AND {column} IS DISTINCT FROM {same}" if same else ""
        selects.setdefault(KEY_KINDS[kind], []).append(
            f"SELECT {KEY_KINDS[kind]} AS kind, {key_sql(kind, column)} AS key, "
            f"{row} AS row, {details} FROM {source} WHERE {column} IS NOT NULL{skip}")
    return selects


#: Codes of the kinds the key table and the summary hold (the near-duplicate bands are in
#: ``near.parquet``).
DETAIL_KINDS = tuple(code for kind, code in KEY_KINDS.items() if not kind.startswith("near_"))


def _quoted(path: Path) -> str:
    return "'" + path.as_posix().replace("'", "''") + "'"


@contextlib.contextmanager
def _duck(spill: Path) -> Iterator[Any]:
    """A DuckDB connection that sorts out of core into ``spill`` with :data:`_KEY_MEMORY`."""
    import duckdb

    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = '{_KEY_MEMORY}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET temp_directory = {_quoted(spill)}")
        yield con
    finally:
        con.close()


def _large(kind: pa.DataType) -> pa.DataType:
    """``kind`` with 64-bit offsets in every string and list, however deep."""
    import pyarrow as pa

    if pa.types.is_string(kind):
        return pa.large_string()
    if pa.types.is_list(kind):
        return pa.large_list(_large(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([f.with_type(_large(f.type)) for f in kind])
    return kind


def _copy_sorted(con: Any, selects: Sequence[str], path: Path, *, row_group: int,
                 spill: Path) -> dict[str, Any]:
    """Write the rows of ``selects`` (each already sorted, each sorting before the next)
    one after the other into the Parquet file ``path``, in row groups of ``row_group``
    rows that never span two selects, with statistics. DuckDB sorts one select at a time
    out of core. A ``path`` ending in ``.arrow`` is an uncompressed Arrow IPC file
    instead, in record batches of at most ``row_group`` rows, with 64-bit string and list
    offsets (:func:`_large`: one batch may hold more than 2 GB of text). Returns the
    file's size and sha256, as the manifest records them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    mapped = path.suffix == ".arrow"
    part = spill / "part.parquet"
    writer: Any = None
    schema = None
    try:
        for select in selects:
            con.execute(f"COPY ({select}) TO {_quoted(part)} "
                        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {row_group})")
            with pq.ParquetFile(part) as pf:
                if writer is None:
                    # a part without nulls in a column must not make it non-nullable
                    schema = pa.schema([f.with_nullable(True) for f in pf.schema_arrow])
                    if mapped:
                        schema = pa.schema([f.with_type(_large(f.type)) for f in schema])
                        writer = pa.ipc.new_file(str(path), schema)
                    else:
                        writer = pq.ParquetWriter(path, schema, compression="zstd")
                for batch in pf.iter_batches(batch_size=row_group):
                    if mapped:
                        writer.write_batch(batch.cast(schema))
                    else:
                        writer.write_table(pa.Table.from_batches([batch]).cast(schema),
                                           row_group_size=row_group)
    finally:
        if writer is not None:
            writer.close()
    return {"size": path.stat().st_size, "sha256": _sha256(path)}


def write_keys(search: Path, keys: Path, *, spill: Path) -> dict[str, Any]:
    """Write the key table of the release whose ``search.parquet`` is ``search``.

    DuckDB sorts the keys of each kind out of core (spilling into ``spill``, a folder it
    may create and the caller removes) with at most :data:`_KEY_MEMORY` of memory, one
    kind at a time; the kind is the key's top byte, so the kinds written one after the
    other in code order are the whole table sorted. Row groups of :data:`KEY_ROW_GROUP`
    rows (never across two kinds), with statistics. Returns the file's size and sha256,
    as the manifest records them.
    """
    source = f"read_parquet({_quoted(search)}, file_row_number = true, hive_partitioning = false)"
    selects = [
        f"SELECT CAST(kind AS UTINYINT) AS kind, key, row, {', '.join(KEY_DETAILS)} "
        f"FROM ({' UNION ALL '.join(parts)}) ORDER BY key, row"
        for _, parts in sorted(_key_selects(source).items())
    ]
    with _duck(spill) as con:
        return _copy_sorted(con, selects, keys, row_group=KEY_ROW_GROUP, spill=spill)


def write_summary(keys: Path, summary: Path, text_summary: Path, *,
                  spill: Path) -> dict[str, dict[str, Any]]:
    """Write the summary tables of a release from its key table ``keys``.

    One row per (key, account, screen name): ``key, kind, userid, user_screen_name,
    tweets, first_time, last_time, first_row`` (the smallest row of ``tweets.parquet``
    among them) and ``examples``, the first :data:`EXAMPLES` of them in time as a list of
    ``{t: tweet_time, id: tweetid}``; sorted by ``key`` (then account and screen name) in
    row groups of :data:`SUMMARY_ROW_GROUP` rows. A search of one criterion reads its
    answer from here: a few rows per account, however many tweets match. The screen name
    is part of the group so that the tweets an account query finds by two keys (a userid,
    and a screen name that is not it) are known to be the same: all the tweets of one
    (account, screen name) have the same account keys.

    The rows of the ``text`` kind go to ``text_summary.arrow`` (``text_summary``) instead,
    with the same columns and order: a near-duplicate search reads the answers of
    hundreds of texts scattered over the release (:data:`MAPPED_BATCH`). Returns each
    file's size and sha256, by name.
    """
    import pyarrow.parquet as pq

    source = f"read_parquet({_quoted(keys)}, hive_partitioning = false)"
    # the key table is sorted by key: a range of keys is a range of its row groups, and
    # grouping one range at a time keeps DuckDB's aggregate (whose example lists do not
    # spill) within its memory limit whatever the release's size
    with pq.ParquetFile(keys) as pf:
        meta = pf.metadata
        at = meta.schema.names.index("key")
        starts = [meta.row_group(i).column(at).statistics.min
                  for i in range(0, meta.num_row_groups, _SUMMARY_GROUPS)] or [0]
    end = 1 << 64
    bounds = [*starts[1:], end]
    text = (KEY_KINDS["text"] << 56, (KEY_KINDS["text"] + 1) << 56)

    def select(lo: int, hi: int, where: str = "") -> str:
        return (f"SELECT key, CAST(kind AS UTINYINT) AS kind, userid, user_screen_name, "
                f"count(*) AS tweets, min(tweet_time) AS first_time, "
                f"max(tweet_time) AS last_time, min(row) AS first_row, "
                f"min_by(struct_pack(t := tweet_time, id := tweetid), (tweet_time, tweetid), "
                f"{EXAMPLES}) AS examples "
                f"FROM {source} WHERE key >= {lo}{'' if hi == end else f' AND key < {hi}'}"
                f"{where} GROUP BY key, kind, userid, user_screen_name "
                f"ORDER BY key, userid, user_screen_name")

    ranges = list(zip(starts, bounds, strict=True))
    others = [select(lo, hi, f" AND kind <> {KEY_KINDS['text']}") for lo, hi in ranges
              if lo < text[0] or hi > text[1]]
    texts = [select(max(lo, text[0]), min(hi, text[1])) for lo, hi in ranges
             if max(lo, text[0]) < min(hi, text[1])]
    with _duck(spill) as con:  # an empty select still writes the table's columns
        return {
            summary.name: _copy_sorted(con, others or [select(0, 0)], summary,
                                       row_group=SUMMARY_ROW_GROUP, spill=spill),
            text_summary.name: _copy_sorted(con, texts or [select(0, 0)], text_summary,
                                            row_group=MAPPED_BATCH, spill=spill),
        }


#: Row groups of the key table grouped at once into the summary (about a million rows).
_SUMMARY_GROUPS = 8


def shingle_counts(norm: pa.Array) -> Any:
    """Distinct 2-word shingle hashes of each normalised text (none empty): a numpy int64
    array, the set sizes that :func:`casebook.search.jaccard` divides by."""
    import numpy as np

    from casebook.coordination.near_duplicate import shingle_hashes

    pair = distinct_pairs(*shingle_hashes(norm, NEAR_SHINGLE))
    return np.bincount((pair >> np.uint64(32)).astype(np.int64), minlength=len(norm))


def distinct_pairs(h32: Any, doc: Any) -> Any:
    """The distinct (text, shingle hash) pairs as sorted uint64 ``text << 32 | hash``
    (a sort and a comparison: numpy's hash-based ``unique`` is many times slower here)."""
    import numpy as np

    pair = doc.astype(np.uint64) << np.uint64(32) | h32.astype(np.uint64)
    pair.sort()
    new = np.ones(len(pair), bool)
    new[1:] = pair[1:] != pair[:-1]
    return pair[new]


def _distinct_texts(search: Path, tweets: Path, out: Path, *, con: Any) -> None:
    """Write one row per distinct text fingerprint of a release into ``out``: ``text_fp,
    text_key`` (its key in the key table), ``norm`` (the normalised text), ``shingles``
    (:func:`shingle_counts`) and its band keys ``near_0`` ... Each text is read from the
    first tweet that carries it, in row groups of ``tweets.parquet``: bounded memory."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from casebook.coordination.text import normalise_arrow

    first = con.sql(f"SELECT min(file_row_number) AS row FROM read_parquet({_quoted(search)}, "
                    f"file_row_number = true) WHERE text_fp IS NOT NULL GROUP BY text_fp "
                    f"ORDER BY row").fetchnumpy()["row"].astype(np.int64)
    bands = [f"near_{band}" for band in range(NEAR_BANDS)]
    writer = None
    with pq.ParquetFile(tweets) as tf, pq.ParquetFile(search) as sf:
        lo = 0
        for group in range(tf.metadata.num_row_groups):  # loop over row groups only
            n = tf.metadata.row_group(group).num_rows
            take = first[np.searchsorted(first, lo):np.searchsorted(first, lo + n)] - lo
            lo += n
            if not len(take):
                continue
            text = tf.read_row_group(group, columns=["tweet_text"]).column(0).take(pa.array(take))
            norm = normalise_arrow(text.combine_chunks().cast(pa.string()))
            rows = pa.array(take + (lo - n))
            # search.parquet may be grouped otherwise: its rows are read by number
            keys = _rows_of(sf, rows, ["text_fp", *bands])
            fp = keys.column("text_fp").combine_chunks()
            low = pc.bit_wise_and(fp, pa.scalar(_LOW56, pa.uint64()))
            table = pa.table({
                "text_fp": fp,
                "text_key": pc.bit_wise_or(low, pa.scalar(KEY_KINDS["text"] << 56, pa.uint64())),
                "norm": norm,
                "shingles": pa.array(shingle_counts(norm), pa.uint32()),
                **{band: keys.column(band) for band in bands},
            })
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema, compression="zstd")
            writer.write_table(table)
    if writer is None:
        empty = pa.schema([("text_fp", pa.uint64()), ("text_key", pa.uint64()),
                           ("norm", pa.string()), ("shingles", pa.uint32()),
                           *((band, pa.uint32()) for band in bands)])
        writer = pq.ParquetWriter(out, empty, compression="zstd")
    writer.close()


def _rows_of(pf: Any, rows: pa.Array, columns: list[str]) -> pa.Table:
    """Rows ``rows`` (sorted row numbers, within a few row groups) of an open Parquet file."""
    import numpy as np
    import pyarrow as pa

    meta = pf.metadata
    starts = np.cumsum([0] + [meta.row_group(i).num_rows for i in range(meta.num_row_groups)])
    at = np.asarray(rows, np.int64)
    lo, hi = np.searchsorted(starts, at[[0, -1]], side="right") - 1
    table = pf.read_row_groups(list(range(lo, hi + 1)), columns=columns)
    return table.take(pa.array(at - starts[lo]))


def write_near(search: Path, tweets: Path, near: Path, texts: Path, *,
               spill: Path) -> dict[str, dict[str, Any]]:
    """Write the near-duplicate tables of a release from its ``search.parquet`` and
    ``tweets.parquet``.

    ``near.parquet``: one row per (band, distinct text): ``key`` (the band's key, as
    :func:`key_sql` gives it for ``near_<band>``), ``text_fp`` and ``shingles`` (the size
    of the text's set of word-pair shingles, so that a search drops a candidate that no
    overlap could bring to its threshold before reading it), sorted by ``key`` in row
    groups of :data:`NEAR_ROW_GROUP` rows. ``texts.parquet``: one row per distinct text,
    ``text_key, text_fp, norm`` (the normalised text), sorted by ``text_key``, an Arrow
    IPC file to map (:data:`MAPPED_BATCH`). A text copied 100,000 times is one candidate,
    read once.
    Returns each file's size and sha256.
    """
    inter = spill / "texts.parquet"
    with _duck(spill) as con:
        _distinct_texts(search, tweets, inter, con=con)
        source = f"read_parquet({_quoted(inter)}, hive_partitioning = false)"
        written = {texts.name: _copy_sorted(
            con, [f"SELECT text_key, text_fp, norm FROM {source} ORDER BY text_key, text_fp"],
            texts, row_group=MAPPED_BATCH, spill=spill)}
        selects = [f"SELECT {key_sql(f'near_{band}', f'near_{band}')} AS key, text_fp, shingles "
                   f"FROM {source} WHERE near_{band} IS NOT NULL ORDER BY key, text_fp"
                   for band in range(NEAR_BANDS)]
        written["near.parquet"] = _copy_sorted(con, selects, near, row_group=NEAR_ROW_GROUP,
                                               spill=spill)
    return written


def write_search_tables(folder: Path, out: Path, *, spill: Path) -> dict[str, dict[str, Any]]:
    """Write :data:`SEARCH_TABLES` into ``out`` from the ``search.parquet`` and
    ``tweets.parquet`` in ``folder``; each file's size and sha256, by name."""
    written = {"keys.parquet": write_keys(folder / "search.parquet", out / "keys.parquet",
                                          spill=spill)}
    written.update(write_summary(out / "keys.parquet", out / "summary.parquet",
                                 out / "text_summary.arrow", spill=spill))
    written.update(write_near(folder / "search.parquet", folder / "tweets.parquet",
                              out / "near.parquet", out / "texts.arrow", spill=spill))
    return written


#: DuckDB's memory limit while sorting a key table (it spills beyond it).
_KEY_MEMORY = "2GB"
#: What the manifest records of a partition's search tables.
_TABLES_ENTRY = {
    "near_index": {"bands": NEAR_BANDS, "rows": NEAR_ROWS, "shingle": NEAR_SHINGLE,
                   "seed": NEAR_SEED},
    "key_table": {"kinds": KEY_KINDS, "row_group": KEY_ROW_GROUP},
    "summary_table": {"examples": EXAMPLES},
}


def upgrade_store(root: Path, manifest: dict[str, Any]) -> None:
    """Bring a store of an older format to :data:`FORMAT_VERSION` in place (lock held).

    Format 1 lacks the key table, format 2 the summary, near-duplicate and text tables:
    each release's search tables are built from its ``search.parquet`` and
    ``tweets.parquet`` (the source files are not read) into a new partition that holds
    its other files by hard links, which replaces the old one as an add does
    (:func:`_swap`: the manifest is rewritten after each release, still with the old
    format, whose files the new partition holds too); then the manifest is rewritten with
    the new format. A reader sees the old store or the new one.
    """
    for name, entry in sorted(manifest["releases"].items()):
        folder = partition(root, name)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
        try:
            tmp.chmod(0o777 & ~umask())
            for file in _PARTITION_FILES_OF[1]:
                try:
                    os.link(folder / file, tmp / file)
                except OSError:  # a file system without hard links
                    shutil.copy2(folder / file, tmp / file)
            written = write_search_tables(tmp, tmp, spill=tmp / ".spill")
            shutil.rmtree(tmp / ".spill", ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        entry["files"].update(written)
        entry.update(json.loads(json.dumps(_TABLES_ENTRY)))
        _swap(root, tmp, folder, manifest)
    manifest["format_version"] = FORMAT_VERSION
    _write_manifest(root, manifest)


# --------------------------------------------------------------------------- add


def _source_files(folder: Path) -> list[Path]:
    from casebook._files import data_files

    if folder.is_dir():
        return data_files(folder)
    return [folder] if folder.is_file() else []


def _write_parquet(table: pa.Table, path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    pq.write_table(table, path, compression="zstd", row_group_size=ROW_GROUP)
    return {"size": path.stat().st_size, "sha256": _sha256(path)}


def _same_sources(entry: dict[str, Any], sources: list[dict[str, Any]]) -> bool:
    from casebook import loader

    recorded = sorted(s.get("sha256", "") for s in entry.get("sources", []))
    return (entry.get("loader_version") == loader.LOADER_VERSION
            and recorded == sorted(s["sha256"] for s in sources))


def shared_tweets(store: str | os.PathLike[str], manifest: dict[str, Any], tweetids: Any,
                  *, name: str) -> list[tuple[str, int]]:
    """The releases of ``store`` other than ``name`` that hold some of ``tweetids``.

    DuckDB joins ``tweetids`` with the ``tweetid`` column of the other releases'
    ``tweets.parquet`` (the only column it reads), out of core (:func:`_duck`), in a
    temporary folder of the store that is removed afterwards.

    Parameters
    ----------
    store
        The store's folder.
    manifest
        Its manifest (:func:`open_store`): the releases it lists are searched.
    tweetids
        The tweet ids of the release being added (a pyarrow array or chunked array).
    name
        The name it is being added under: that release is not searched, since the add
        replaces it.

    Returns
    -------
    list of (str, int)
        ``(release, tweets)``: how many of the rows of ``tweetids`` each release already
        holds, the most first (then by name); empty when none does.
    """
    import pyarrow as pa

    root = Path(store).expanduser()
    files = {str(partition(root, other) / "tweets.parquet"): other
             for other in sorted(manifest["releases"]) if other != name}
    if not files or not len(tweetids):
        return []
    listed = ", ".join(_quoted(Path(file)) for file in files)
    with tempfile.TemporaryDirectory(prefix=".tmp-shared-", dir=root,
                                     ignore_cleanup_errors=True) as spill, _duck(Path(spill)) as con:
        con.register("adding", pa.table({"tweetid": tweetids}))
        # DISTINCT: a release may repeat a tweet id (the loader keeps and counts such
        # rows), and each of the new release's rows is to be counted once per release
        found = con.execute(
            f"SELECT held.filename, count(*) FROM adding JOIN (SELECT DISTINCT filename, "
            f"tweetid FROM read_parquet([{listed}], filename = true, hive_partitioning = false) "
            f"WHERE tweetid IN (SELECT tweetid FROM adding)) AS held USING (tweetid) "
            f"GROUP BY held.filename").fetchall()
    return sorted(((files[file], int(n)) for file, n in found), key=lambda r: (-r[1], r[0]))


def _doubled(source: Path, name: str, shared: list[tuple[str, int]], tweets: int) -> StoreError:
    holder, held = shared[0]
    others = ", ".join(f"{n:,} in {other}" for other, n in shared[1:])
    return StoreError(
        f"{source}: not added: {held:,} of the {tweets:,} tweets of release {name} are "
        f"already in the store as release {holder}{f' (and {others})' if others else ''}, "
        f"and would be counted twice",
        hint=f"to replace {holder} with this folder, add it with --name {holder}; to keep "
        f"both, use another store",
    )


def add_release(
    store: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    name: str | None = None,
    on_bad_rows: str = "raise",
    progress: Any = None,
) -> AddResult:
    """Add one release folder to ``store`` (created when missing).

    Parameters
    ----------
    store
        The store's folder: new, empty, or a casebook store.
    folder
        A release folder (or one archive file), read with :func:`casebook.load_release`
        (``cache=False``: the store is the typed copy); it is never modified.
    name
        The release's name in the store; default the name ``load_release`` gives it.
    on_bad_rows
        Passed to :func:`~casebook.load_release`; ``"report"`` stores the good rows and
        keeps the rejected ones in ``rejected.parquet``.
    progress
        A tqdm bar advanced once per step (hash, load, index, write), or ``None``.

    Returns
    -------
    AddResult

    Raises
    ------
    StoreError
        The store is foreign or corrupt; the release name cannot be a folder name;
        another release of the store already holds some of its tweets (by ``tweetid``,
        :func:`shared_tweets`): nothing of it is written (a store of an older format is
        still upgraded first). Adding it under that release's name replaces that
        release instead.
    casebook.errors.LoadError
        The release cannot be read.
    """
    from casebook import loader

    root = Path(store).expanduser()
    source = Path(folder).expanduser()
    if name is not None and not _NAME.fullmatch(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '_', '.' and '-' only")
    open_store(root, create=True, old=True)  # refuse a foreign or corrupt folder before any work
    files = _source_files(source)
    sources = [{"file": f.name, "size": f.stat().st_size, "sha256": _sha256(f)} for f in files]
    _step(progress)
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        manifest = open_store(root, create=True, old=True)
        if manifest["format_version"] < FORMAT_VERSION:
            _clean_temps(root)
            upgrade_store(root, manifest)
        known = manifest["releases"]
        same = [n for n, e in known.items() if (name is None or n == name) and files
                and _same_sources(e, sources)]
        if same:
            entry = known[same[0]]
            _step(progress, 3)
            return AddResult(same[0], "unchanged", entry["tweets"], entry["accounts"])
        release = loader.load_release(source, cache=False, name=name, on_bad_rows=on_bad_rows)
        _step(progress)
        if not _NAME.fullmatch(release.name):
            raise StoreError(
                f"{source}: the release name {release.name!r} cannot name a store folder",
                hint="give one with --name (letters, digits, '_', '.', '-')",
            )
        tweets_t = _arrow_table(release.tweets, loader.schema.TWEET_DTYPES)
        # the same tweets under two names would be counted twice by every search and
        # network over the store; checked before any write, so a refusal leaves the store
        # as it was (guarded by tests/test_store.py::test_a_refused_add_leaves_the_store_as_it_was)
        shared = shared_tweets(root, manifest, tweets_t.column("tweetid"), name=release.name)
        if shared:
            raise _doubled(source, release.name, shared, tweets_t.num_rows)
        tables = {
            "tweets.parquet": tweets_t,
            "users.parquet": _arrow_table(release.users, loader.schema.USER_DTYPES),
            "rejected.parquet": _arrow_table(release.rejected, {}),
            "search.parquet": search_index(tweets_t),
        }
        name = release.name
        entry = {
            "added": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": str(source.resolve()),
            "sources": sources,
            "loader_version": loader.LOADER_VERSION,
            "on_bad_rows": on_bad_rows,
            "tweets": release.tweets.shape[0],
            "accounts": release.users.shape[0],
            "rejected": release.rejected.shape[0],
            # columns in order (the manifest's keys are sorted, a record's would be too)
            "provenance": json.loads(release.provenance.to_json(orient="split", index=False)),
            "checks": json.loads(json.dumps(release.checks, default=_plain)),
            "files": {},
            **json.loads(json.dumps(_TABLES_ENTRY)),
        }
        _step(progress)
        _clean_temps(root)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
        try:
            tmp.chmod(0o777 & ~umask())  # mkdtemp's 0o700 would hide the partition from others
            written = {file: _write_parquet(table, tmp / file) for file, table in tables.items()}
            del tables, tweets_t, release  # the keys are sorted out of core: free the memory
            entry["files"] = written
            written.update(write_search_tables(tmp, tmp, spill=tmp / ".spill"))
            shutil.rmtree(tmp / ".spill", ignore_errors=True)
            final = partition(root, name)
            status = "replaced" if name in known else "added"
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        known[name] = entry
        _swap(root, tmp, final, manifest)
        _step(progress)
        return AddResult(name, status, entry["tweets"], entry["accounts"])


def _swap(root: Path, tmp: Path, final: Path, manifest: dict[str, Any]) -> None:
    """Put the partition written in ``tmp`` in place of ``final``, then the manifest.

    Two renames and the manifest's own: should any fail, the old partition is put back
    and the new one removed, so the store stays as it was.
    """
    trash = Path(tempfile.mkdtemp(prefix=f".trash-{final.name.removeprefix('release=')}-", dir=root))
    old = trash / final.name
    moved = placed = False
    try:
        if final.exists():  # the old partition (or one an interrupted add left)
            os.replace(final, old)
            moved = True
        os.replace(tmp, final)
        placed = True
        _write_manifest(root, manifest)
    except BaseException:
        if placed:
            os.replace(final, tmp)
        if moved:
            os.replace(old, final)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)
        raise
    shutil.rmtree(trash, ignore_errors=True)


def _plain(value: Any) -> Any:
    """A numpy scalar of a load's checks as its Python value (anything else as text)."""
    return value.item() if hasattr(value, "item") else str(value)


def _step(progress: Any, n: int = 1) -> None:
    if progress is not None:
        progress.update(n)


# --------------------------------------------------------------------------- read


def _read_verified(path: Path, recorded: dict[str, Any], store: Path) -> pa.Table:
    """The Parquet table at ``path``, read once and checked against its recorded sha256."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pa.OSFile(str(path), "r") as fh:
        data = fh.read_buffer()
    if hashlib.sha256(data).hexdigest() != recorded.get("sha256"):
        raise _corrupt(store, f"{path} is not the file the manifest recorded (its sha256 differs)")
    return pq.read_table(pa.BufferReader(data))


def read_release(store: str | os.PathLike[str], name: str) -> Release:
    """One release read back from ``store``, equal to :func:`casebook.load_release` on its files.

    Parameters
    ----------
    store
        The store's folder.
    name
        The release's name (``casebook store list`` shows them).

    Returns
    -------
    casebook.loader.Release
        ``tweets``, ``users`` and ``rejected`` with the loader's dtypes; ``provenance`` and
        ``checks`` as recorded when the release was added.

    Raises
    ------
    StoreError
        The store is corrupt (a file's sha256 is not the recorded one), or has no such release.

    Examples
    --------
    >>> release = read_release("data/store", "GRU_202012")  # doctest: +SKIP
    """
    import pandas as pd

    from casebook import loader

    root = Path(store).expanduser()
    manifest = open_store(root)
    entry = manifest["releases"].get(name)
    if entry is None:
        held = ", ".join(sorted(manifest["releases"])) or "none"
        raise StoreError(f"{root}: no release {name!r} in the store (it holds: {held})")
    folder = partition(root, name)
    tables = {file: _read_verified(folder / file, entry["files"][file], root)
              for file in ("tweets.parquet", "users.parquet", "rejected.parquet")}
    return loader.Release(
        name=name,
        tweets=loader._to_pandas(tables["tweets.parquet"], consume=True,
                                 categories=loader.schema.CATEGORY_COLUMNS),
        users=loader._to_pandas(tables["users.parquet"], consume=True),
        provenance=loader._provenance_frame(pd.DataFrame(
            entry["provenance"]["data"], columns=entry["provenance"]["columns"])),
        rejected=loader._to_pandas(tables["rejected.parquet"]),
        checks=entry.get("checks", {}),
    )


def list_store(store: str | os.PathLike[str], *, verify: bool = False) -> pd.DataFrame:
    """What ``store`` holds: one row per release.

    Parameters
    ----------
    store
        The store's folder.
    verify
        Check every partition file's sha256 (reads the whole store).

    Returns
    -------
    pandas.DataFrame
        ``release, tweets, accounts, files`` (source files), ``bytes`` (the partition's
        Parquet files), ``loader_version, added``, sorted by release.
    """
    import pandas as pd

    manifest = open_store(store, verify=verify)
    rows = [{
        "release": name,
        "tweets": entry.get("tweets"),
        "accounts": entry.get("accounts"),
        "files": len(entry.get("sources", [])),
        "bytes": sum(f.get("size", 0) for f in entry["files"].values()),
        "loader_version": entry.get("loader_version"),
        "added": entry.get("added"),
    } for name, entry in sorted(manifest["releases"].items())]
    columns = ["release", "tweets", "accounts", "files", "bytes", "loader_version", "added"]
    return pd.DataFrame(rows, columns=columns)


def data_files(store: str | os.PathLike[str], manifest: dict[str, Any], file: str,
               releases: Sequence[str] | None = None) -> list[str]:
    """Paths of ``file`` (e.g. ``search.parquet``) of the releases the manifest lists."""
    names = sorted(manifest["releases"]) if releases is None else list(releases)
    return [str(partition(Path(store).expanduser(), n) / file) for n in names]


# --------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``casebook store``: ``add`` and ``list``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "examples:\n"
        "  casebook store add data/specimen/GRU_202012 data/specimen/IRA_202012 --store data/store\n"
        "  casebook store list --store data/store\n"
        "  casebook search data/store --hashtag NATO"
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add release folders to a store (created when missing)",
                         description="Add release folders to a Parquet store, one partition "
                         "per release; a release already there with the same files is skipped, "
                         "and one holding tweets another release of the store holds is refused "
                         "(add it with --name of that release to replace it).")
    add.add_argument("folders", nargs="+", metavar="FOLDER", help="release folders (or files)")
    add.add_argument("--store", required=True, metavar="STORE", help="the store's folder")
    add.add_argument("--name", help="the release's name in the store (one FOLDER only)")
    add.add_argument("--on-bad-rows", choices=("raise", "report"), default="raise",
                     help="malformed rows: fail (default), or store the good rows and keep "
                     "the rejected ones (counted per file on stderr; casebook validate "
                     "lists them)")
    add.add_argument("--no-progress", action="store_true", help="no progress bar")
    show = sub.add_parser("list", help="show the releases a store holds",
                          description="Show the releases a store holds.")
    show.add_argument("--store", required=True, metavar="STORE", help="the store's folder")
    show.add_argument("--verify", action="store_true",
                      help="check every file's sha256 against the manifest (reads the store)")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    """Run ``casebook store add`` or ``casebook store list``."""
    if args.action == "add":
        return _run_add(args)
    return _run_list(args)


def _run_add(args: argparse.Namespace) -> int:
    if args.name is not None and len(args.folders) > 1:
        raise UsageError("--name names one release: give one FOLDER with it")
    from tqdm.auto import tqdm

    with tqdm(total=4 * len(args.folders), desc="store add", unit="step", file=sys.stderr,
              disable=True if args.no_progress else None, leave=False) as bar:
        results = [add_release(args.store, folder, name=args.name,
                               on_bad_rows=args.on_bad_rows, progress=bar)
                   for folder in args.folders]
    from casebook.safety import escape_line

    for folder, result in zip(args.folders, results, strict=True):
        if result.status == "unchanged":
            print(f"{escape_line(result.name)}: already in the store with the same files "
                  f"({result.tweets:,} tweets): nothing written")
        else:
            print(f"{escape_line(result.name)}: {result.status} from {escape_line(folder)} "
                  f"({result.tweets:,} tweets, {result.accounts:,} accounts)")
        _warn_rejected(Path(args.store).expanduser(), result.name, folder)
    return 0


def _warn_rejected(root: Path, name: str, folder: str) -> None:
    """A warning per source file of release ``name`` that had rows rejected.

    With ``--on-bad-rows report`` the rejected rows are left out of the store: never a
    silent loss. The counts are the loader's own (``rows_rejected`` of the provenance
    the manifest keeps), the example the first row ``rejected.parquet`` holds for the
    file; ``casebook validate`` lists them all with their lines. A release already in
    the store with the same files is warned of too: its stored copy lacks those rows.
    """
    entry = open_store(root)["releases"].get(name) or {}
    provenance = entry.get("provenance") or {}
    columns = provenance.get("columns") or []
    if "rows_rejected" not in columns:  # an entry written without provenance: none to count
        return
    counts: dict[str, int] = {}
    for row in provenance.get("data") or []:
        record = dict(zip(columns, row, strict=True))
        if record.get("rows_rejected"):
            counts[str(record["file"])] = int(record["rows_rejected"])
    if not counts:
        return
    import warnings

    import pyarrow.parquet as pq

    from casebook.safety import escape_line

    rejected = pq.read_table(partition(root, name) / "rejected.parquet",
                             columns=["file", "line", "reason"]).to_pandas()
    first = {str(r.file): f"line {r.line}: {r.reason}"
             for r in rejected.drop_duplicates("file").itertuples()}  # one row per file
    for file, count in counts.items():
        example = f"first: {first[file]}; " if file in first else ""
        # the file's name, as casebook validate shows it: the folder ends the line
        warnings.warn(f"{escape_line(Path(file).name)}: {count:,} row(s) rejected and left "
                      f"out of the store ({escape_line(example)}casebook validate "
                      f"{escape_line(folder)} lists them)", stacklevel=2)


def _run_list(args: argparse.Namespace) -> int:
    table = list_store(args.store, verify=args.verify)
    if args.json:
        print(table.to_json(orient="records", indent=1))
        return 0
    from casebook.safety import escape_controls, escape_line

    if table.empty:
        print(f"{escape_line(args.store)}: an empty store")
        return 0

    # counts as a reader reads them (4,484,568 tweets, not 4484568); --json keeps numbers
    counts = {c: "{:,}".format for c in ("tweets", "accounts", "files", "bytes")}
    print(escape_controls(table.to_string(index=False, formatters=counts)))
    print(f"{len(table)} release(s), {int(table['tweets'].sum()):,} tweets, "
          f"{int(table['accounts'].sum()):,} accounts, {int(table['bytes'].sum()):,} bytes")
    return 0
