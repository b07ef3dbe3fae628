"""Coordination networks with DuckDB, out of core: the local engine's edges from Parquet.

:func:`duckdb_networks` gives the frame :func:`casebook.coordination.networks` gives, edge
for edge and weight for weight, for the kinds of :data:`DUCK_KINDS` (CNT's four and
``co_mention``)::

    weight(A -> B) = number of distinct tweets of A that have at least one tweet of B
                     (B != A) with the same key and |t_A - t_B| <= window   (inclusive)

It reads a casebook store's ``release=NAME/tweets.parquet`` files where they lie (or a
release folder through :func:`casebook.load_release`, or a loaded ``Release``, handed to
DuckDB as Arrow), and DuckDB spills to ``temp_directory`` whatever does not fit in
``memory_limit``: a network of tens of millions of tweets needs neither the tweets nor
the pairs in memory. What DuckDB cannot do within its limits (an operator that cannot
spill runs out of ``memory_limit``, the spill folder's disk fills up) is a
:class:`DuckDBResourceError` naming the option to change, never a DuckDB traceback.

The keys are the local engine's: a tweet is usable when its ``userid`` and
``tweet_time`` are present; it is a retweet when ``is_retweet`` is true or
``retweet_tweetid`` is present; ``co_retweet`` keys retweets on ``retweet_tweetid``,
every other kind keys non-retweets; ids and URLs are trimmed of Unicode whitespace
(Python's ``str.isspace`` set, which is Arrow's ``utf8_trim_whitespace`` set) and blank
ones never match; a tweet counts once per key; seconds are the floor of the nanosecond
time. Texts (``co_tweet``) are normalised by casebook's own Arrow function
(:func:`~casebook.coordination.normalise_text`), batch by batch as DuckDB streams the
non-retweet texts out, so no SQL re-implementation of the lowercasing can differ from
the local engine's (DuckDB's ``lower`` is not pyarrow's ``utf8_lower`` on every code
point); the ``(tweet, account, second, text)`` events are written to a Parquet file in
the spill folder, and an empty normalised text never matches.

How the pairs are found (as :mod:`casebook.coordination.spark`): keys used by one tweet
are dropped (counted by their 64-bit hash: a key whose hash repeats is kept, so a
collision only keeps a key the exact join below then finds alone), time is cut into
bins one window wide, and each event is joined on (key, bin) with the events of its own
and both neighbouring bins (a pair within the window is at most one bin apart), then
filtered on the exact ``|dt| <= window`` and ``A != B``; the distinct (tweet of A,
account B) pairs are counted per (A, B). Accounts are numbered once, so the join and
the counts handle integers, not ids.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook.errors import CasebookError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import pandas as pd
    import pyarrow as pa

__all__ = ["DUCK_KINDS", "DuckDBResourceError", "duckdb_networks"]

#: Kinds the DuckDB engine computes: the kinds whose keys are ids, URLs or texts.
DUCK_KINDS: tuple[str, ...] = ("co_retweet", "co_tweet", "co_link", "co_reply", "co_mention")
#: Python's (and Arrow's) Unicode whitespace: what ids and URLs are trimmed of.
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
#: Rows of non-retweet texts normalised per batch.
TEXT_ROWS = 1 << 17
#: Share of the machine's memory DuckDB may use when ``memory_limit`` is not given.
MEMORY_SHARE = 0.25
_NS = 1_000_000_000
_SCALAR = {"co_retweet": "retweet_tweetid", "co_reply": "in_reply_to_tweetid"}
_LISTS = {"co_link": "urls", "co_mention": "user_mentions"}
_NEEDS = {"co_retweet": "retweet_tweetid", "co_tweet": "tweet_text", "co_link": "urls",
          "co_reply": "in_reply_to_tweetid", "co_mention": "user_mentions"}
# a row number per input part: part << _PART_BITS | row within the part
_PART_BITS = 40


class DuckDBResourceError(CasebookError):
    """DuckDB ran out of its memory limit, or could not read or write a file (a spill
    file on a full disk); the message says which option to change."""


#: What to do with a kind the DuckDB engine does not compute.
_DUCK_HINT = ("compute it with --engine local (the Spark engine computes every kind but "
              "near_duplicate)")


def check_duck_kinds(kinds: Sequence[str]) -> None:
    """:class:`~casebook.errors.UsageError` for a kind the DuckDB engine does not compute."""
    from casebook.coordination.network import check_engine_kinds

    check_engine_kinds(kinds, engine="duckdb", supported=DUCK_KINDS, hint=_DUCK_HINT)


def default_memory_limit() -> str:
    """:data:`MEMORY_SHARE` of this machine's physical memory, in DuckDB's units."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return "4GB"
    return f"{max(256, int(total * MEMORY_SHARE) >> 20)}MB"


def _floor_div(expr: str, by: int) -> str:
    """``expr // by`` rounded down in integers (DuckDB's ``//`` truncates towards 0)."""
    return f"(({expr}) - ((({expr}) % {by}) + {by}) % {by}) // {by}"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _trimmed(expr: str) -> str:
    return f"trim({expr}, {_sql_str(WHITESPACE)})"


# --------------------------------------------------------------------------- input


def _arrow_part(frame: pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    """A loaded tweets frame as Arrow, times as ``timestamp[ns, UTC]`` (as in a store)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from casebook._arrow import tweets_table

    table = tweets_table(frame, columns)
    times = pc.cast(table["tweet_time"], pa.timestamp("ns", tz="UTC"))
    return table.set_column(table.schema.get_field_index("tweet_time"), "tweet_time", times)


def _parts(source: Any, columns: Sequence[str],
           releases: Sequence[str] | None) -> list[str | pa.Table]:
    """The tweets of ``source``: Parquet file names (a store's) or Arrow tables."""
    from casebook.coordination.kinds import tweets_frame

    wanted = ["userid", "tweet_time", *columns]
    if isinstance(source, list | tuple):
        files = [Path(f).expanduser() for f in source]
        bad = [str(f) for f in files if f.suffix != ".parquet" or not f.is_file()]
        if bad or not files:
            raise UsageError(f"expected Parquet files of tweets, got {', '.join(bad) or 'none'}")
        return [str(f) for f in files]
    if isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        from casebook.store import MANIFEST

        if path.is_dir() and (path / MANIFEST).is_file():
            from casebook.coordination.spark import store_tweet_files

            return list(store_tweet_files(path, releases))
        if releases:
            raise UsageError(f"--release chooses releases of a store, and {source} is not a "
                             "casebook store")
        if path.suffix == ".parquet" and path.is_file():
            return [str(path)]  # a Parquet file of tweets typed as the loader types them
        from casebook import load_release

        return [_arrow_part(load_release(path, columns=list(columns)).tweets, wanted)]
    return [_arrow_part(tweets_frame(source), wanted)]


@contextlib.contextmanager
def _connection(memory_limit: str | None, temp_directory: str | os.PathLike[str] | None,
                threads: int | None) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A DuckDB connection that spills to a private folder, removed afterwards."""
    import duckdb

    parent = Path(temp_directory) if temp_directory is not None else None
    try:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        spill = Path(tempfile.mkdtemp(prefix="casebook-duckdb-", dir=parent))
    except OSError as exc:  # a file there, no permission, a read-only disk
        where = parent if parent is not None else Path(tempfile.gettempdir())
        raise UsageError(f"cannot make DuckDB's spill folder in {where} "
                         f"({exc.strerror or exc})",
                         hint="give --temp-directory (temp_directory=) a folder you can "
                              "write to") from exc
    con = duckdb.connect()
    try:
        limit = memory_limit or default_memory_limit()
        try:
            con.execute(f"SET memory_limit = {_sql_str(str(limit))}")
        except duckdb.Error as exc:
            raise UsageError(f"DuckDB does not accept the memory limit {limit!r}",
                             hint="give a size such as 4GB or 500MB") from exc
        con.execute(f"SET temp_directory = {_sql_str(str(spill / 'spill'))}")
        # order of rows never matters here, and not keeping it lets DuckDB spill more
        con.execute("SET preserve_insertion_order = false")
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        yield con, spill
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _tweets_view(con: duckdb.DuckDBPyConnection, parts: list[str | pa.Table],
                 columns: Sequence[str]) -> None:
    """View ``tweets``: ``row, userid, sec, is_rt`` and ``columns`` of usable tweets."""
    import numpy as np
    import pyarrow as pa

    selects = []
    for i, part in enumerate(parts):  # loop over files (releases), not tweets
        if isinstance(part, str):
            names = set(con.execute("SELECT name FROM parquet_schema(?)", [part])
                        .fetchnumpy()["name"].tolist())
            relation = f"read_parquet({_sql_str(part)}, file_row_number = true)"
            row = "file_row_number"
        else:
            names = set(part.column_names)
            con.register(f"part_{i}", part.append_column(
                "part_row", pa.array(np.arange(part.num_rows, dtype=np.int64))))
            relation, row = f"part_{i}", "part_row"
        missing = [c for c in ("userid", "tweet_time", *columns) if c not in names]
        if missing:
            raise UsageError(f"the tweets have no {', '.join(map(repr, missing))} column")
        is_rt = "coalesce(is_retweet, false)" if "is_retweet" in names else "false"
        if "retweet_tweetid" in names:
            is_rt += f" OR coalesce(length({_trimmed('retweet_tweetid')}) > 0, false)"
        ns = "epoch_ns(tweet_time)"
        cols = "".join(f", {c}" for c in dict.fromkeys(columns))
        selects.append(
            f"SELECT ({i}::BIGINT << {_PART_BITS}) | {row} AS row, userid, "
            f"{_floor_div(ns, _NS)} AS sec, ({is_rt}) AS is_rt{cols} FROM {relation} "
            "WHERE userid IS NOT NULL AND tweet_time IS NOT NULL")
    con.execute("CREATE VIEW tweets AS " + " UNION ALL ".join(selects))


def _text_events(con: duckdb.DuckDBPyConnection, spill: Path) -> str:
    """Write ``row, userid, sec, key`` of the non-retweets' normalised texts to Parquet;
    the relation that reads them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from casebook.coordination.text import filled, normalise_arrow

    path = spill / "co_tweet.parquet"
    schema = pa.schema([("row", pa.int64()), ("userid", pa.string()), ("sec", pa.int64()),
                        ("key", pa.large_string())])
    reader = con.sql(
        "SELECT row, userid, sec, tweet_text FROM tweets WHERE NOT is_rt AND tweet_text "
        "IS NOT NULL").to_arrow_reader(TEXT_ROWS)
    with pq.ParquetWriter(path, schema) as writer:
        for batch in reader:  # loop over batches of texts, never over tweets
            norm = normalise_arrow(batch.column(3))
            keep = pa.array(filled(norm))
            writer.write_table(pa.table({
                "row": batch.column(0).filter(keep), "userid": batch.column(1).filter(keep),
                "sec": batch.column(2).filter(keep),
                "key": norm.filter(keep).cast(pa.large_string()),
            }, schema=schema))
    return f"SELECT * FROM read_parquet({_sql_str(str(path))})"


def _events_sql(kind: str) -> str:
    """``row, userid, sec, key`` of one id- or URL-keyed kind, before blank keys go."""
    rows = "is_rt" if kind == "co_retweet" else "NOT is_rt"
    if kind in _SCALAR:
        return (f"SELECT row, userid, sec, {_trimmed(_SCALAR[kind])} AS key FROM tweets "
                f"WHERE {rows}")
    # a value repeated in a tweet's list is one event
    return (f"SELECT DISTINCT row, userid, sec, {_trimmed('value')} AS key FROM (SELECT row, "
            f"userid, sec, unnest({_LISTS[kind]}) AS value FROM tweets WHERE {rows})")


def _weights(con: duckdb.DuckDBPyConnection, events: str, w: int, min_weight: int,
             kind: str) -> pa.Table:
    """``source, target, weight, kind`` of ``events`` for a window of ``w`` seconds."""
    bin_ = _floor_div("sec", w)
    sql = f"""
    WITH raw AS (SELECT row, userid, sec, key, hash(key) AS h FROM ({events})
                 WHERE length(key) > 0),
    shared AS (SELECT h FROM raw GROUP BY h HAVING count(*) > 1),
    ev AS (SELECT row, userid, sec, key, h, {bin_} AS bin FROM raw SEMI JOIN shared USING (h)),
    users AS (SELECT userid, (row_number() OVER ())::INTEGER AS u
              FROM (SELECT DISTINCT userid FROM ev)),
    coded AS (SELECT row, u, sec, key, h, bin FROM ev JOIN users USING (userid)),
    b AS (SELECT u AS ub, sec AS sec_b, key, h, bin + d AS bin
          FROM coded CROSS JOIN (VALUES (-1), (0), (1)) AS t(d)),
    pairs AS (SELECT DISTINCT a.row, a.u AS ua, b.ub
              FROM coded AS a JOIN b ON a.h = b.h AND a.bin = b.bin AND a.key = b.key
              WHERE a.u <> b.ub AND abs(a.sec - b.sec_b) <= {int(w)}),
    counted AS (SELECT ua, ub, count(*) AS weight FROM pairs GROUP BY ua, ub
                HAVING count(*) >= {int(min_weight)})
    SELECT s.userid AS source, t.userid AS target, weight, {_sql_str(kind)} AS kind
    FROM counted JOIN users AS s ON s.u = counted.ua JOIN users AS t ON t.u = counted.ub
    """
    return con.sql(sql).to_arrow_table()


def _resource_problem(exc: BaseException, memory_limit: str | None,
                      spill: Path) -> DuckDBResourceError | None:
    """The one-line error for DuckDB running out of memory or failing on a file, or
    None for any other exception (a bug, shown with its traceback).

    DuckDB spills joins and aggregates, but some operators (a DISTINCT's or a window's
    state, the result handed to Arrow) must fit in ``memory_limit``; its own message
    is a page of SQL settings. Guarded by
    tests/coordination/test_duck.py::test_out_of_memory_is_one_line_naming_the_memory_limit.
    """
    import duckdb

    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, duckdb.OutOfMemoryException):
        limit = memory_limit or default_memory_limit()
        return DuckDBResourceError(
            f"DuckDB ran out of memory within its limit of {limit} ({detail})",
            hint="give it more with --memory-limit (memory_limit=), e.g. 4GB, or run on "
                 "fewer tweets")
    # a spill file on a full disk: DuckDB's IOException, or pyarrow's OSError while the
    # texts of co_tweet are written to the spill folder
    if isinstance(exc, duckdb.IOException | OSError):
        where = spill.parent
        return DuckDBResourceError(
            f"DuckDB could not read or write a file ({detail})",
            hint=f"it spills to {where}: free space there or give --temp-directory "
                 "(temp_directory=) a folder on a disk with room; a store's Parquet "
                 "files must be readable")
    return None


def duckdb_networks(
    source: Any,
    *,
    kinds: str | Sequence[str] = ("co_retweet", "co_tweet"),
    window: Any = "1min",
    min_weight: int = 1,
    memory_limit: str | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
    releases: Sequence[str] | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """Coordination networks computed by DuckDB, out of core: the frame :func:`networks` gives.

    Parameters
    ----------
    source
        A casebook store (its Parquet files are read where they lie), a release folder or
        tweets file (loaded with :func:`casebook.load_release`), a Parquet file of tweets
        typed as the loader types them (or a list of them, read as one set of tweets), or
        a ``Release`` or tweets frame.
    kinds, window, min_weight
        As for :func:`casebook.coordination.networks`; kinds of :data:`DUCK_KINDS`.
    memory_limit
        DuckDB's ``memory_limit`` (``"4GB"``); what does not fit is spilled. Default
        :data:`MEMORY_SHARE` of the machine's memory.
    temp_directory
        Folder for the spill files (and the text events of ``co_tweet``); a private
        folder is made inside it and removed afterwards. Default the system's temporary
        folder.
    releases
        With a store: the releases to read (default all of them, as one set of tweets).
    threads
        DuckDB's threads (default: one per core).

    Returns
    -------
    pandas.DataFrame
        ``source, target, weight, kind``, ordered by ``kinds``, then weight
        (descending), source and target: equal to ``networks(...)`` on the same tweets.

    Raises
    ------
    DuckDBResourceError
        When DuckDB runs out of ``memory_limit`` or cannot read or write a file (its
        spill files on a full disk): one line naming the option to change.
    UsageError
        For a kind it does not compute, a memory limit DuckDB refuses, or a
        ``temp_directory`` where no folder can be made.

    Examples
    --------
    >>> edges = duckdb_networks("data/store", kinds=["co_retweet"], memory_limit="2GB",
    ...                         temp_directory="/tmp")  # doctest: +SKIP
    """
    import pyarrow as pa

    from casebook.coordination.network import edges_from_arrow, empty_edges, engine_arguments

    chosen, w, mw = engine_arguments(kinds, window, min_weight, engine="duckdb",
                                     supported=DUCK_KINDS, hint=_DUCK_HINT)
    if not chosen:
        return empty_edges()
    # what makes a tweet a retweet is read for every kind (it decides which tweets a
    # kind keys), the key columns only for their kinds
    needs = list(dict.fromkeys(_NEEDS[k] for k in chosen))
    parts = _parts(source, list(dict.fromkeys(["is_retweet", "retweet_tweetid", *needs])),
                   releases)
    with _connection(memory_limit, temp_directory, threads) as (con, spill):
        try:
            _tweets_view(con, parts, needs)
            tables = []
            for kind in chosen:  # one query per kind
                events = (_text_events(con, spill) if kind == "co_tweet"
                          else _events_sql(kind))
                tables.append(_weights(con, events, w, mw, kind))
        except Exception as exc:
            problem = _resource_problem(exc, memory_limit, spill)
            if problem is None:
                raise
            raise problem from exc
    table = pa.concat_tables([t.cast(tables[0].schema) for t in tables])
    return edges_from_arrow(table, chosen)
