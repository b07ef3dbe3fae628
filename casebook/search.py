"""Search every release of a store at once: ``casebook search STORE``.

Has this URL, domain, hashtag, text or retweet target, or this account, appeared in
other takedowns? :func:`search` answers over a :mod:`casebook.store` with DuckDB, out of
core, and returns, per release and per account, how many tweets match and when the first
and the last was posted. Its cost grows with the number of accounts and texts in the
answer, not with the store nor with the number of tweets matched:

1. a single criterion is an equality lookup of one or two keys in every release's summary
   (``summary.parquet``, sorted by key, :mod:`casebook.store`; ``text_summary.arrow``
   for a text): one row per (key, account, screen name) holding the count, the first
   and last time and the first :data:`EXAMPLES` tweets, so an answer of millions of
   tweets reads a few rows per account. Only the row groups whose min/max range holds a
   key are read (:func:`read_keyed`), or the rows of the mapped Arrow file
   (:func:`read_mapped`);
2. criteria given together intersect their tweets (release and row) in the key tables
   (``keys.parquet``: one row per tweet and key, with what the answer shows), looked up
   the same way (DuckDB's min/max pruning), and DuckDB counts the matches;
3. a near-duplicate query looks its ten MinHash band keys up in ``near.parquet`` (one row
   per band and distinct text: a text copied 7,000 times is one candidate), drops the
   candidates whose number of word pairs is too far from the query's for the threshold
   to be reachable, reads the others' normalised texts from ``texts.arrow``, keeps the
   texts similar enough, then looks their fingerprints up in ``text_summary.arrow`` as an
   exact text query would. Both are mapped into memory (:func:`read_mapped`): thousands
   of candidates scattered over the release cost the pages they lie on.

A key holds 56 bits of the value's MD5 (of the text fingerprint for a text): two different
values share a key with probability 2**-56, so over a store of a billion distinct keys a
query meets a false match about once in 70 million queries.

Kinds of query (given together, a tweet must match all of them):

``url``
    an expanded URL, exactly as the archive gives it (after trimming spaces).
``domain``
    a registered domain (``news.example.co.uk/x`` -> ``example.co.uk``), extracted from
    the query and from every URL by :func:`casebook.content.registered_domains`.
``hashtag``
    a hashtag, case-insensitive, with or without ``#``.
``text``
    a tweet text, exactly after CNT's co_tweet normalisation
    (:func:`casebook.coordination.text.normalise_text`: lower case, mentions removed,
    whitespace collapsed): an equality lookup of a 64-bit fingerprint stored at add time.
    With ``near=True``, near duplicates too: tweets whose normalised text shares at least
    ``threshold`` (default :data:`NEAR_THRESHOLD`) of its word pairs with the query's,
    the Jaccard similarity of the two texts' sets of 2-word shingles, computed exactly on
    every candidate. Candidates come from the MinHash LSH keys stored at add time, which
    find a text of similarity s with probability 1 - (1 - s**3)**10: 98.5% at 0.7,
    99.98% at 0.8, but 74% at 0.5 (:data:`casebook.store.NEAR_BANDS`), so a threshold
    under 0.7 misses some matches; a text of one word has one shingle, itself.
``account``
    a userid, or a screen name (case-insensitive, with or without ``@``).
``retweeted``
    a retweeted account or tweet: ``retweet_userid`` or ``retweet_tweetid``.

The command prints a table (terminal-safe: control characters escaped), ``--json``, or
``--csv`` (formula-safe: :func:`casebook.safety.to_safe_csv`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd

__all__ = ["NEAR_THRESHOLD", "SearchResult", "add_arguments", "run", "search"]

#: Default smallest Jaccard similarity of word-pair shingle sets for a near duplicate
#: (the ``near_duplicate`` network kind's default).
NEAR_THRESHOLD = 0.7


def __getattr__(name: str) -> Any:
    # EXAMPLES is the store's (its summary keeps that many examples); imported on use so
    # that `casebook search --help` does not load the store module
    if name == "EXAMPLES":
        from casebook.store import EXAMPLES

        return EXAMPLES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_KINDS = ("url", "domain", "hashtag", "text", "account", "retweeted")


@dataclasses.dataclass
class SearchResult:
    """The answer of :func:`search`.

    Attributes
    ----------
    query
        The query as given (``near`` and ``threshold`` included).
    releases
        One row per release with a match: ``release, tweets, accounts, first_time,
        last_time``, by release.
    accounts
        One row per (release, account): ``release, userid, user_screen_name`` (the name
        on its first matching tweet in the release's order that has one), ``tweets,
        first_time, last_time, example_tweetids`` (the first :data:`EXAMPLES` in time,
        then by tweet id), by release then most tweets.
    """

    query: dict[str, Any]
    releases: pd.DataFrame
    accounts: pd.DataFrame

    @property
    def tweets(self) -> int:
        """Matching tweets in all releases."""
        return int(self.releases["tweets"].sum()) if len(self.releases) else 0


def _connect() -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # a bar on stderr is the caller's to draw
    # an aggregation too big for memory spills here, not into the caller's directory
    spill = Path(tempfile.gettempdir()) / "casebook-duckdb"
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    return con


def _scan(files: list[str], columns: str) -> str:
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return (f"(SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = true, "
            "hive_types = {'release': VARCHAR}))")


def _query_text(text: str) -> Any:
    import pyarrow as pa

    from casebook.coordination.text import normalise_arrow

    return normalise_arrow(pa.array([text], pa.string()))


def _conditions(query: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """SQL conditions and their parameters for every kind but the near-duplicate one.

    The conditions over ``search.parquet`` that define each kind (a scan of it with them
    gives the same answer); their parameters are the values :func:`_lookups` looks up.
    """
    import pandas as pd
    import pyarrow.compute as pc

    from casebook import schema
    from casebook.content import registered_domains
    where: list[str] = []
    params: list[Any] = []
    if query.get("url") is not None:
        where.append("list_contains(urls, ?)")
        params.append(query["url"].strip())
    if query.get("domain") is not None:
        domain = registered_domains(pd.Series([query["domain"]], dtype=schema.STRING)).iloc[0]
        if pd.isna(domain):
            raise UsageError(f"--domain {query['domain']!r} names no web domain")
        where.append("list_contains(domains, ?)")
        params.append(str(domain))
    if query.get("hashtag") is not None:
        where.append("list_contains(hashtag_keys, ?)")
        params.append(pc.utf8_lower(query["hashtag"].strip().lstrip("#")).as_py())
    if query.get("account") is not None:
        account = query["account"].strip()
        where.append("(userid = ? OR screen_key = ?)")
        params += [account, pc.utf8_lower(account.lstrip("@")).as_py()]
    if query.get("retweeted") is not None:
        where.append("(retweet_userid = ? OR retweet_tweetid = ?)")
        params += [query["retweeted"].strip()] * 2
    if query.get("text") is not None and not query.get("near"):
        norm = _query_text(query["text"])[0].as_py()
        if not norm:
            raise UsageError("--text is empty once normalised (mentions and spaces only)")
        # the fingerprint of casebook.store.text_fingerprints, computed in the same query
        where.append("text_fp = md5_number_lower(?)")
        params.append(norm)
    return where, params


def _lookups(con: duckdb.DuckDBPyConnection, query: dict[str, Any],
             where: list[str], params: list[Any]) -> list[list[int]]:
    """The key-table keys of each criterion (a tweet matches a criterion if it has one).

    Each criterion's exact condition is in ``where`` (in the order of :func:`_conditions`),
    its parameters in ``params``: the keys are those values, hashed as the store does.
    """
    from casebook.store import key_sql

    kinds = [k for k in ("url", "domain", "hashtag", "account", "retweeted") if k in query]
    if "text" in query and not query.get("near"):
        kinds.append("text")
    exprs: list[str] = []
    values: list[Any] = []
    given = iter(params)
    for kind in kinds:
        n = 2 if kind in ("account", "retweeted") else 1
        for value in (next(given) for _ in range(n)):
            exprs.append(key_sql(kind, "md5_number_lower(?)" if kind == "text" else "?"))
            values.append(value)
    keys = list(con.execute("SELECT " + ", ".join(exprs), values).fetchall()[0]) if exprs else []
    lookups: list[list[int]] = []
    at = 0
    for kind in kinds:
        n = 2 if kind in ("account", "retweeted") else 1
        lookups.append(sorted({int(k) for k in keys[at:at + n]}))
        at += n
    return lookups


def _int_key(kind: str, value: int) -> int:
    from casebook.store import KEY_KINDS

    return (KEY_KINDS[kind] << 56) | (value & ((1 << 56) - 1))


#: Keys per ``IN`` list of a lookup (see :func:`lookup_sql`).
_IN = 4


def lookup_sql(files: list[str], lookups: list[list[int]], *, details: bool = True,
               first: dict[str, list[int]] | str | None = None) -> str:
    """SQL of the rows of ``keys.parquet`` ``files`` that match every lookup.

    Each lookup is a list of keys (a tweet matches it with any one of them): ``IN`` filters
    of at most :data:`_IN` keys on the sorted ``key`` column, which DuckDB pushes into the
    Parquet scan to skip every row group whose min/max range holds none of them. Returns
    one row per matching tweet: ``release, row`` and, with ``details``, the first
    lookup's :data:`casebook.store.KEY_DETAILS` columns (it must not be a ``near_*`` one).
    ``first``, if given, is the first lookup file by file (key table -> its keys), before
    ``lookups``: a key sought only where it is known to be costs no row group elsewhere;
    or the SQL of rows (``release, row`` and the details) that stand for it.
    """
    from casebook.store import KEY_DETAILS

    columns = ", ".join(["release", "row", *(KEY_DETAILS if details else ())])

    def select(keys: list[int], cols: str, files: list[str] = files) -> str:
        source = _scan(files, f"release, key, {columns.removeprefix('release, ')}")
        # DuckDB prunes row groups by min/max for each value of a short IN list, but
        # rewrites a list of five values or more into a join that reads their whole range
        each = " UNION ALL ".join(
            f"SELECT {cols} FROM {source} WHERE key IN ({', '.join(map(str, keys[i:i + _IN]))})"
            for i in range(0, len(keys), _IN))
        # one key finds a tweet once (a list's values are distinct keys of their tweet,
        # and an account's screen name is a key only where it is not its userid)
        return f"SELECT DISTINCT {cols} FROM ({each})" if len(keys) > 1 else each

    if isinstance(first, str):
        head = first
    elif first is not None:
        head = " UNION ALL ".join(f"({select(keys, columns, [file])})"
                                  for file, keys in sorted(first.items()))
    else:
        head, lookups = select(lookups[0], columns), lookups[1:]
    if not lookups:
        return head
    rest = " INTERSECT ".join(select(keys, "release, row") for keys in lookups)
    return f"SELECT f.* FROM ({head}) f SEMI JOIN ({rest}) r USING (release, row)"


def read_keyed(path: str | Path, keys: Any, columns: list[str], *, column: str = "key") -> Any:
    """The rows of the Parquet file ``path`` whose ``column`` (UBIGINT, sorted) holds one of
    ``keys``: only the row groups whose min/max statistics admit one of them are read.

    The row groups are chosen from the footer's statistics with two sorted searches
    (vectorised over every group and key), so any number of keys costs one read of the
    groups that hold them: an ``IN`` list of DuckDB would read the whole range between
    its smallest and largest key once it has five keys or more. Returns an Arrow table of
    ``columns`` (``column`` among them if listed).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = np.unique(np.asarray(keys, np.uint64))
    with pq.ParquetFile(path) as pf:
        meta = pf.metadata
        at = meta.schema.names.index(column)  # a flat column before any nested one
        n = meta.num_row_groups
        lo = np.zeros(n, np.uint64)
        hi = np.full(n, np.iinfo(np.uint64).max, np.uint64)
        for i in range(n):  # loop over row groups (hundreds), not rows
            stats = meta.row_group(i).column(at).statistics
            if stats is not None and stats.has_min_max:
                lo[i], hi[i] = stats.min, stats.max
        holds = np.searchsorted(wanted, hi, "right") > np.searchsorted(wanted, lo, "left")
        groups = np.flatnonzero(holds)
        value_set = pa.array(wanted, pa.uint64())
        read = list(dict.fromkeys([*columns, column]))
        if not len(groups):
            return pf.schema_arrow.empty_table().select(columns)
        # the key column first (small, sorted): the other columns of a group are read only
        # if it holds a key (a key absent from a group its range admits costs little)
        found = pf.read_row_groups(groups.tolist(), columns=[column]).column(0)
        keep = pc.is_in(found, value_set=value_set).to_numpy(zero_copy_only=False)
        sizes = np.array([meta.row_group(int(g)).num_rows for g in groups])
        hit = np.add.reduceat(keep, np.cumsum(sizes) - sizes) > 0 if len(keep) else sizes > 0
        if not hit.any():
            return pf.schema_arrow.empty_table().select(columns)
        table = pf.read_row_groups(groups[hit].tolist(), columns=read)
    return table.filter(pc.is_in(table.column(column), value_set=value_set)).select(columns)


def read_mapped(path: str | Path, keys: Any, columns: list[str], *, column: str = "key") -> Any:
    """Every row of the Arrow IPC file ``path`` whose ``column`` (uint64, sorted) holds one
    of ``keys``, in the file's order, read through a memory map.

    Each record batch's key column is a zero-copy view of the mapped file, searched for
    every key at once; only the pages of the rows taken are read from disk. Returns an
    Arrow table of ``columns``.
    """
    import numpy as np
    import pyarrow as pa

    wanted = np.unique(np.asarray(keys, np.uint64))
    with pa.memory_map(str(path)) as source:
        reader = pa.ipc.open_file(source)
        parts = []
        for i in range(reader.num_record_batches):  # loop over batches (a million rows each)
            batch = reader.get_batch(i)
            found = batch.column(column).to_numpy()
            lo = np.searchsorted(found, wanted, "left")
            count = np.searchsorted(found, wanted, "right") - lo
            total = int(count.sum())
            if total:
                # the rows of each key are a run: its start repeated, plus 0, 1, ...
                start = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(total)
                parts.append(batch.select(columns).take(pa.array(start)))
        schema = pa.schema([reader.schema.field(c) for c in columns])
    return pa.Table.from_batches(parts, schema)


def _read(path: Path, keys: Any, columns: list[str], *, column: str = "key") -> Any:
    """:func:`read_mapped` of an Arrow file, :func:`read_keyed` of a Parquet one."""
    reader = read_mapped if path.suffix == ".arrow" else read_keyed
    return reader(path, keys, columns, column=column)


def _per_release(root: Path, keys: dict[str, Any], file: str, columns: list[str]) -> Any:
    """:func:`read_keyed` (or :func:`read_mapped`) of ``file`` in each release of ``keys``
    (release -> its keys), with a ``release`` column first."""
    import pyarrow as pa

    from casebook.store import partition

    parts = []
    for name, wanted in sorted(keys.items()):  # loop over releases
        part = _read(partition(root, name) / file, wanted, columns)
        parts.append(part.add_column(0, "release", pa.array([name] * part.num_rows, pa.string())))
    return pa.concat_tables(parts)


def _near_texts(root: Path, manifest: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    """The key-table keys of the texts of each release that are near duplicates of the
    query's (release -> sorted numpy uint64 keys; releases without one left out).

    A text is a candidate when it shares a MinHash band key with the query
    (``near.parquet``: one row per distinct text, whatever its number of copies); a
    candidate whose shingle set is so much smaller or larger than the query's that no
    overlap could reach the threshold (Jaccard <= smaller / larger) is dropped unread;
    every other one is read from ``texts.arrow`` and compared exactly (:func:`jaccard`).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from casebook.store import NEAR_BANDS, partition, shingle_counts

    query_norm = _query_text(query["text"])
    size = int(shingle_counts(query_norm)[0])
    bands = [int(key[0].as_py()) for key in near_keys_of(query["text"])]
    near = [_int_key(f"near_{band}", bands[band]) for band in range(NEAR_BANDS)]
    candidates = _per_release(root, dict.fromkeys(manifest["releases"], near), "near.parquet",
                              ["text_fp", "shingles"])
    shingles = candidates.column("shingles").to_numpy().astype(np.float64)
    # the same division as jaccard's when the smaller set lies in the larger one
    bound = np.minimum(shingles, size) / np.maximum(shingles, size)
    candidates = candidates.filter(pa.array(bound >= query["threshold"]))
    found: dict[str, Any] = {}
    for name in sorted(set(candidates.column("release").to_pylist())):  # loop over releases
        mine = candidates.filter(pc.equal(candidates.column("release"), name))
        fps = np.unique(mine.column("text_fp").to_numpy())
        texts = read_mapped(partition(root, name) / "texts.arrow", _text_keys(fps),
                            ["text_fp", "norm"], column="text_key")
        texts = texts.filter(pc.is_in(texts.column("text_fp"), value_set=pa.array(fps)))
        similar = jaccard(texts.column("norm").combine_chunks(), query_norm) >= query["threshold"]
        if similar.any():
            found[name] = np.unique(_text_keys(texts.column("text_fp").to_numpy()[similar]))
    return found


def _text_keys(fps: Any) -> Any:
    """Key-table keys of text fingerprints (numpy uint64), as :func:`_int_key` gives them."""
    import numpy as np

    from casebook.store import KEY_KINDS

    low = np.asarray(fps, np.uint64) & np.uint64((1 << 56) - 1)
    return low | np.uint64(KEY_KINDS["text"] << 56)


def _from_summary(con: duckdb.DuckDBPyConnection, rows: Any, *, overlap: bool) -> pd.DataFrame:
    """The answer (one row per release and account) from summary rows (:func:`read_keyed`
    of ``summary.parquet`` with a ``release`` column); ``overlap``: the rows come from
    several keys of one account query, and a (release, account, screen name) found by two
    of them is the same tweets (:func:`casebook.store.write_summary`), counted once."""
    from casebook.store import EXAMPLES

    con.register("summary_rows", rows)
    source = ("(SELECT DISTINCT ON (release, userid, user_screen_name) * FROM summary_rows)"
              if overlap else "summary_rows")
    return con.execute(
        f"""SELECT release, userid,
                   min_by(user_screen_name, first_row) FILTER (WHERE user_screen_name IS NOT NULL)
                       AS user_screen_name,
                   CAST(sum(tweets) AS BIGINT) AS tweets, min(first_time) AS first_time,
                   max(last_time) AS last_time,
                   array_to_string(list_transform(
                       list_sort(flatten(list(examples)))[1:{EXAMPLES}], lambda e: e.id), ' ')
                       AS example_tweetids
            FROM {source}
            GROUP BY release, userid
            ORDER BY release, tweets DESC, userid"""
    ).df()


#: Summary columns a search reads (see :func:`casebook.store.write_summary`).
_SUMMARY_COLUMNS = ["userid", "user_screen_name", "tweets", "first_time", "last_time",
                    "first_row", "examples"]
#: Answer a search of one criterion from ``summary.parquet``; ``False`` reads every
#: matching tweet's key row instead (the tests compare the two).
_SUMMARY = True


def _from_keys(con: duckdb.DuckDBPyConnection, hits: str) -> pd.DataFrame:
    """The answer from the SQL ``hits`` of one row per matching tweet (``release, row`` and
    the key table's details)."""
    from casebook.store import EXAMPLES

    return con.execute(
        f"""WITH hits AS ({hits})
            SELECT release, userid,
                   min_by(user_screen_name, row) FILTER (WHERE user_screen_name IS NOT NULL)
                       AS user_screen_name,
                   count(*) AS tweets, min(tweet_time) AS first_time,
                   max(tweet_time) AS last_time,
                   array_to_string(min_by(tweetid, (tweet_time, tweetid), {EXAMPLES}), ' ')
                       AS example_tweetids
            FROM hits
            GROUP BY release, userid
            ORDER BY release, tweets DESC, userid"""
    ).df()


def near_keys_of(text: str) -> list[Any]:
    """The MinHash band keys of a query text (:func:`casebook.store.near_keys`)."""
    from casebook.store import near_keys

    return near_keys(_query_text(text))


def _shingle_sets(norm: Any) -> tuple[Any, Any]:
    """Distinct (text, shingle hash) pairs of normalised texts, as two numpy arrays."""
    import numpy as np

    from casebook.coordination.near_duplicate import shingle_hashes
    from casebook.store import NEAR_SHINGLE, distinct_pairs

    pair = distinct_pairs(*shingle_hashes(norm, NEAR_SHINGLE))
    return (pair >> np.uint64(32)).astype(np.int64), (pair & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def jaccard(norm: Any, query_norm: Any) -> Any:
    """Jaccard similarity of each normalised text's 2-word shingle set with the query's.

    Parameters
    ----------
    norm
        Normalised texts (an Arrow string array, none empty).
    query_norm
        One normalised text (an Arrow string array of length 1, not empty).

    Returns
    -------
    numpy.ndarray
        float64 per text, in [0, 1].
    """
    import numpy as np

    doc, h = _shingle_sets(norm)
    _, q = _shingle_sets(query_norm)
    shared = np.bincount(doc[np.isin(h, q)], minlength=len(norm))
    size = np.bincount(doc, minlength=len(norm))
    return shared / (size + len(q) - shared)


def search(
    store: str | Path,
    *,
    url: str | None = None,
    domain: str | None = None,
    hashtag: str | None = None,
    text: str | None = None,
    near: bool = False,
    threshold: float = NEAR_THRESHOLD,
    account: str | None = None,
    retweeted: str | None = None,
) -> SearchResult:
    """Find the tweets of every release in ``store`` that match all the given criteria.

    Parameters
    ----------
    store
        A :mod:`casebook.store` folder.
    url, domain, hashtag, text, account, retweeted
        What to look for (see the module docs); at least one.
    near
        With ``text``: near duplicates too (Jaccard similarity of 2-word shingle sets of
        the normalised texts at least ``threshold``), not only exact copies.
    threshold
        Smallest similarity of a near duplicate, in (0, 1].

    Returns
    -------
    SearchResult

    Raises
    ------
    casebook.errors.UsageError
        No criterion, ``near`` without ``text``, a threshold outside (0, 1], a query that
        normalises to nothing.
    casebook.store.StoreError
        The store is missing, foreign, corrupt, or of an older format (its message says
        how to upgrade it).

    Examples
    --------
    >>> found = search("data/store", hashtag="#Defender2020")  # doctest: +SKIP
    >>> found.releases  # doctest: +SKIP
    """

    from casebook.coordination.text import filled
    from casebook.store import KEY_DETAILS, data_files, open_store

    query = {"url": url, "domain": domain, "hashtag": hashtag, "text": text,
             "account": account, "retweeted": retweeted}
    query = {k: v for k, v in query.items() if v is not None}
    if not query:
        raise UsageError("give something to search for: --url, --domain, --hashtag, --text, "
                         "--account or --retweeted")
    if near and text is None:
        raise UsageError("--near compares texts: give --text with it")
    if not 0 < threshold <= 1:
        raise UsageError(f"--threshold must be in (0, 1], got {threshold!r}")
    if near:
        query.update(near=True, threshold=threshold)
        if not filled(_query_text(text))[0]:
            raise UsageError("--text is empty once normalised (mentions and spaces only)")
    root = Path(store).expanduser()
    manifest = open_store(root)
    where, params = _conditions(query)
    if not manifest["releases"]:
        return _empty(query)
    con = _connect()
    try:
        files = data_files(root, manifest, "keys.parquet")
        lookups = _lookups(con, query, where, params)
        kinds = [k for k in _KINDS if k in query and not (k == "text" and near)]
        if near:
            # one candidate per distinct text, verified exactly, then looked up by key
            texts = _near_texts(root, manifest, query)
            if not texts:
                return _empty(query)
            if not lookups and _SUMMARY:
                rows = _per_release(root, texts, "text_summary.arrow", _SUMMARY_COLUMNS)
                accounts = _from_summary(con, rows, overlap=False)
            else:
                hits = _per_release(root, texts, "keys.parquet", ["row", *KEY_DETAILS])
                con.register("near_hits", hits)
                first = f"SELECT release, row, {', '.join(KEY_DETAILS)} FROM near_hits"
                accounts = _from_keys(con, lookup_sql(files, lookups, first=first))
        elif len(lookups) == 1 and _SUMMARY and (len(lookups[0]) == 1 or kinds == ["account"]):
            # one criterion: its answer is in the summary, a few rows per account
            file = "text_summary.arrow" if kinds == ["text"] else "summary.parquet"
            rows = _per_release(root, dict.fromkeys(manifest["releases"], lookups[0]),
                                file, _SUMMARY_COLUMNS)
            accounts = _from_summary(con, rows, overlap=len(lookups[0]) > 1)
        else:
            # criteria together: their tweets intersect in the key tables
            accounts = _from_keys(con, lookup_sql(files, lookups))
    finally:
        con.close()
    return _result(query, accounts)


def _empty(query: dict[str, Any]) -> SearchResult:
    import pandas as pd

    return _result(query, pd.DataFrame(columns=["release", "userid", "user_screen_name", "tweets",
                                                "first_time", "last_time", "example_tweetids"]))


def _result(query: dict[str, Any], accounts: pd.DataFrame) -> SearchResult:
    import pandas as pd

    from casebook import schema

    accounts = accounts.astype({"release": schema.STRING, "userid": schema.STRING,
                                "user_screen_name": schema.STRING, "tweets": "int64",
                                "example_tweetids": schema.STRING}).assign(
        first_time=lambda d: pd.to_datetime(d["first_time"], utc=True),
        last_time=lambda d: pd.to_datetime(d["last_time"], utc=True),
    ).reset_index(drop=True)
    releases = (
        accounts.groupby("release", sort=True)
        .agg(tweets=("tweets", "sum"), accounts=("userid", "size"),
             first_time=("first_time", "min"), last_time=("last_time", "max"))
        .reset_index()
    )
    return SearchResult(query=query, releases=releases, accounts=accounts)


# --------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``casebook search``."""
    parser.add_argument("store", metavar="STORE", help="a store made by 'casebook store add'")
    what = parser.add_argument_group("what to find (a tweet must match every one given)")
    what.add_argument("--url", help="an expanded URL, exactly")
    what.add_argument("--domain", help="a registered domain (example.co.uk; subdomains match)")
    what.add_argument("--hashtag", help="a hashtag, any case, with or without '#'")
    what.add_argument("--text", help="a tweet text, equal after normalisation (lower case, "
                      "mentions removed, spaces collapsed)")
    what.add_argument("--near", action="store_true",
                      help="with --text: near duplicates too (word-pair Jaccard >= --threshold)")
    what.add_argument("--threshold", type=float, default=NEAR_THRESHOLD,
                      help=f"smallest similarity of a near duplicate (default {NEAR_THRESHOLD})")
    what.add_argument("--account", help="a userid or a screen name")
    what.add_argument("--retweeted", help="a retweeted userid or tweet id")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON")
    form.add_argument("--csv", action="store_true",
                      help="print the accounts as CSV (formula-safe)")


def _time_text(series: pd.Series) -> pd.Series:
    return series.dt.strftime("%Y-%m-%d %H:%M")


def _json(result: SearchResult) -> str:
    def records(df: pd.DataFrame) -> list[dict[str, Any]]:
        out = df.assign(first_time=_time_text(df["first_time"]),
                        last_time=_time_text(df["last_time"]))
        return json.loads(out.to_json(orient="records"))

    # ensure_ascii: archive text cannot carry a control or bidi character to the terminal
    return json.dumps({"query": result.query, "tweets": result.tweets,
                       "releases": records(result.releases),
                       "accounts": records(result.accounts)}, indent=1, ensure_ascii=True)


def run(args: argparse.Namespace) -> int:
    """Run ``casebook search``: print what matched in every release of the store."""
    from casebook.safety import escape_controls, to_safe_csv

    result = search(args.store, url=args.url, domain=args.domain, hashtag=args.hashtag,
                    text=args.text, near=args.near, threshold=args.threshold,
                    account=args.account, retweeted=args.retweeted)
    if args.json:
        print(_json(result))
        return 0
    accounts = result.accounts.assign(first_time=_time_text(result.accounts["first_time"]),
                                      last_time=_time_text(result.accounts["last_time"]))
    if args.csv:
        to_safe_csv(accounts, sys.stdout, ids=["userid"])
        return 0
    if not len(accounts):
        print("no match in any release")
        return 0
    releases = result.releases.assign(first_time=_time_text(result.releases["first_time"]),
                                      last_time=_time_text(result.releases["last_time"]))
    print(escape_controls(releases.to_string(index=False)))
    print()
    print(escape_controls(accounts.to_string(index=False)))
    print(f"\n{result.tweets:,} tweet(s) by {len(accounts):,} account(s) in "
          f"{len(releases)} release(s) (times UTC)")
    return 0
