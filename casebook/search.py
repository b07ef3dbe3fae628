"""Search every release of a store at once: ``casebook search STORE``.

Has this URL, domain, hashtag, text or retweet target, or this account, appeared in
other takedowns? :func:`search` answers over a :mod:`casebook.store` with DuckDB, out of
core: it reads only the narrow ``search.parquet`` key columns of each release (never a
release into memory) and returns, per release and per account, how many tweets match and
when the first and the last was posted.

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
#: Example tweet ids listed per account.
EXAMPLES = 3
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
        One row per (release, account): ``release, userid, user_screen_name, tweets,
        first_time, last_time, example_tweetids`` (the first :data:`EXAMPLES` in time),
        by release then most tweets.
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
    """SQL conditions and their parameters for every kind but the near-duplicate one."""
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


def _shingle_sets(norm: Any) -> tuple[Any, Any]:
    """Distinct (text, shingle hash) pairs of normalised texts, as two numpy arrays."""
    import numpy as np

    from casebook.coordination.near_duplicate import shingle_hashes
    from casebook.store import NEAR_SHINGLE

    h32, doc = shingle_hashes(norm, NEAR_SHINGLE)
    pair = np.unique(doc.astype(np.uint64) << np.uint64(32) | h32.astype(np.uint64))
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


def _near_matches(con: duckdb.DuckDBPyConnection, store: Path, manifest: dict[str, Any],
                  query: dict[str, Any], where: list[str], params: list[Any]) -> Any:
    """The text fingerprints of the verified near duplicates, as an Arrow table.

    The similarity of two tweets depends only on their normalised texts, so it is
    computed once per distinct text among the candidates (a text copied 7,000 times is
    read and compared once), on one tweet that carries it.
    """
    import pyarrow as pa

    from casebook.coordination.text import filled, normalise_arrow
    from casebook.store import data_files, near_keys

    query_norm = _query_text(query["text"])
    if not filled(query_norm)[0]:
        raise UsageError("--text is empty once normalised (mentions and spaces only)")
    keys = [int(key[0].as_py()) for key in near_keys(query_norm)]
    files = data_files(store, manifest, "search.parquet")
    bands = " OR ".join(f"near_{band} = {key}" for band, key in enumerate(keys))
    conditions = " AND ".join([f"({bands})", *where])
    texts = con.sql(
        # one tweet per distinct text: its release and tweet id from the same row
        f"SELECT text_fp, arg_min(release, tweetid) AS release, min(tweetid) AS tweetid "
        f"FROM {_scan(files, '*')} WHERE {conditions} GROUP BY text_fp",
        params=params,
    ).to_arrow_table()
    if texts.num_rows:
        con.register("texts", texts)
        releases = sorted(set(texts.column("release").to_pylist()))
        tweets = _scan(data_files(store, manifest, "tweets.parquet", releases),
                       "release, tweetid, tweet_text")
        texts = con.sql(
            f"SELECT x.text_fp, t.tweet_text FROM {tweets} t JOIN texts x "
            "ON t.release = x.release AND t.tweetid = x.tweetid"
        ).to_arrow_table()
        con.unregister("texts")
    norm = normalise_arrow(texts.column("tweet_text").combine_chunks().cast(pa.string())
                           if texts.num_rows else pa.array([], pa.string()))
    ok = filled(norm)
    keep = ok.copy()
    if ok.any():
        keep[ok] = jaccard(norm.filter(pa.array(ok)), query_norm) >= query["threshold"]
    fps = texts.column("text_fp").filter(pa.array(keep)) if texts.num_rows else []
    return pa.table({"text_fp": pa.array(fps, pa.uint64())})


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
        The store is missing, foreign or corrupt.

    Examples
    --------
    >>> found = search("data/store", hashtag="#Defender2020")  # doctest: +SKIP
    >>> found.releases  # doctest: +SKIP
    """

    from casebook.store import data_files, open_store

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
    root = Path(store).expanduser()
    manifest = open_store(root)
    where, params = _conditions(query)
    if not manifest["releases"]:
        return _empty(query)
    files = data_files(root, manifest, "search.parquet")
    con = _connect()
    try:
        source = _scan(files, "*")
        if near:
            matches = _near_matches(con, root, manifest, query, where, params)
            con.register("near_matches", matches)
            where = ["text_fp IN (SELECT text_fp FROM near_matches)", *where]
        conditions = " AND ".join(where)
        accounts = con.execute(
            f"""SELECT release, userid, any_value(user_screen_name) AS user_screen_name,
                       count(*) AS tweets, min(tweet_time) AS first_time,
                       max(tweet_time) AS last_time,
                       array_to_string(min_by(tweetid, (tweet_time, tweetid), {EXAMPLES}), ' ')
                           AS example_tweetids
                FROM {source} WHERE {conditions}
                GROUP BY release, userid
                ORDER BY release, tweets DESC, userid""",
            params,
        ).df()
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
