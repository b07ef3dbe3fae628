"""What links the releases of a store: shared keys, the accounts behind them, side by side.

Each takedown is published alone, but operations reuse what worked: the same outlets,
hashtags, accounts to amplify and texts. :func:`compare_releases` asks, over a
:mod:`casebook.store` with DuckDB (out of core: only the ``search.parquet`` key columns
are scanned, and tweet texts are read for the evidence rows alone), which **keys**
appear in two or more releases:

``domain``
    a registered domain linked to (:func:`casebook.content.registered_domains`, as the
    store computed it: ``news.example.co.uk/x`` -> ``example.co.uk``);
``hashtag``
    a hashtag, case-folded, without ``#``;
``retweet``
    a retweeted account (``retweet_userid``; shown with the ``RT @handle`` of its tweets);
``text``
    a text of an original tweet (retweets are the ``retweet`` kind), after CNT's
    co_tweet normalisation, together with its near duplicates: two texts whose sets of
    word pairs have a Jaccard similarity of at least ``near_threshold`` (default
    :data:`casebook.search.NEAR_THRESHOLD`) are one key, and so are texts chained by such
    pairs (single linkage). Candidates come from the store's MinHash LSH keys and every
    candidate pair is verified exactly, as :func:`casebook.search.search` does. The key
    is shown as the normalised text its copies use most.

How strong is a shared key? A key ordinary people use too links nothing: a popular news
domain, a trending hashtag, a viral account retweeted by everyone. When the store holds a
**control cohort** (a release of ordinary accounts; the specimen's is ``control``), a key
that also appears there is ``not distinctive``; otherwise it is ``distinctive`` (and
``unchecked`` without a control). A pair of releases is then rated by its most specific
distinctive keys (:data:`STRENGTH_WORDS`): the same texts (``strong``), the same
accounts retweeted (``moderate``), only hashtags or domains in common (``weak``: a topic
in common, not the same operators), or nothing distinctive (``none``). These are words
about the evidence, not an attribution: releases may share texts because both copied a
third source. Texts and hashtags of follow-back spam (:data:`GENERIC_SPAM`: "follow
back", "#f4f"...) are ``generic spam`` and link nothing either: every spam network posts
them, whether or not a control cohort happens to.

:func:`client_mix` and :func:`time_zones` put the releases' clients
(:data:`casebook.content.CLIENT_CLASSES`) and inferred operator time zones
(:func:`casebook.activity.infer_utc_offset`) side by side; :func:`select_releases` opens
a store, or builds one from a data folder (the specimen by default) in the cache folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casebook import discovery, paths
from casebook._plotting import cell_axis, legend_beside, literal_text, new_ax, percent_axis
from casebook.errors import ParameterError, StoreError
from casebook.schema import STRING

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = [
    "EXAMPLES",
    "KINDS",
    "STRENGTH_WORDS",
    "Comparison",
    "StoreSelection",
    "build_store",
    "client_mix",
    "compare_releases",
    "findings",
    "plot_client_mix",
    "plot_overlap",
    "select_releases",
    "time_zones",
]

#: Kinds of key compared across releases, most specific last.
KINDS: tuple[str, ...] = ("domain", "hashtag", "retweet", "text")
#: Example accounts (evidence rows) per key and release; example tweets per account.
EXAMPLES = 3
#: How strong the link between two releases is, by the most specific kind of distinctive
#: key they share (keys the control cohort also uses do not count).
STRENGTH_WORDS: dict[str, str] = {
    "strong": "the same or nearly the same texts, which ordinary accounts did not post (read "
              "them: a spam template or a source both copied would explain them too)",
    "moderate": "the same accounts retweeted, which ordinary accounts did not retweet",
    "weak": "only hashtags or domains in common that ordinary accounts do not use: a topic "
            "in common, not evidence of the same operators",
    "none": "nothing distinctive in common: every shared key is one ordinary accounts use too",
}
_ORDER = ("strong", "moderate", "weak", "none")
# said beside a count of accounts whose strongest link is weak, so the number is not read
# as accounts the same operators ran
_TOPIC_ONLY = " (a topic in common, not evidence of the same operators)"
DISTINCTIVE, NOT_DISTINCTIVE, UNCHECKED = "distinctive", "not distinctive", "unchecked"
GENERIC = "generic spam"
#: Keys that link nothing: ordinary accounts use them (``not distinctive``), or they are
#: generic spam.
_LINK_NOTHING = (NOT_DISTINCTIVE, GENERIC)
#: Markers of follow-back spam (case-insensitive, in a normalised text or a hashtag): the
#: texts and hashtags that gain followers are posted alike by unrelated spam networks, so
#: sharing them says nothing about common operators.
GENERIC_SPAM: tuple[str, ...] = (
    "follow ?(me |you )?back", "team ?follow ?back", "follow ?4 ?follow", "follow ?for ?follow",
    "follow ?train", "f4f", "ifb", "gain ?followers", "kindly follow",
)
_GENERIC_SQL = r"\b(" + "|".join(GENERIC_SPAM) + r")\b"


# --------------------------------------------------------------------------- which releases


@dataclasses.dataclass
class StoreSelection:
    """The releases of a store a comparison is about.

    Attributes
    ----------
    store
        The store's folder.
    releases
        The releases compared, in name order.
    control
        The store's release of ordinary accounts, or None.
    folders
        Release (and control) -> the folder it was added from (the store's manifest),
        so a banner can say which are synthetic.
    absent
        Releases asked for that are not in the store (or not in the data folder).
    built
        Whether the store was built (or brought up to date) from a data folder here.
    """

    store: Path
    releases: list[str]
    control: str | None = None
    folders: dict[str, Path] = dataclasses.field(default_factory=dict)
    absent: list[str] = dataclasses.field(default_factory=list)
    built: bool = False

    @property
    def control_folder(self) -> Path | None:
        """The folder the control cohort was added from (None without one)."""
        return self.folders.get(self.control) if self.control else None

    @property
    def release_folders(self) -> dict[str, Path]:
        """The compared releases' source folders (for :func:`casebook.report.specimen_banner`)."""
        return {n: self.folders[n] for n in self.releases if n in self.folders}

    def summary(self) -> pd.DataFrame:
        """One row per release: ``release, role`` (compared or control), ``tweets, accounts``,
        as the store's manifest records them."""
        from casebook import store as store_

        manifest = store_.open_store(self.store)["releases"]
        names = [*self.releases, *([self.control] if self.control else [])]
        return pd.DataFrame({
            "release": pd.array(names, dtype=STRING),
            "role": ["compared"] * len(self.releases) + ["control cohort"] * bool(self.control),
            "tweets": [int(manifest[n]["tweets"]) for n in names],
            "accounts": [int(manifest[n]["accounts"]) for n in names],
        })


def _store_key(root: Path) -> str:
    return hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]


def _release_folders(root: Path, control: str | None) -> list[str]:
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and p.name != control and discovery.is_release_dir(p))


def build_store(
    data_dir: str | os.PathLike[str] = "",
    datasets: Sequence[str] = (),
    *,
    control: str | None = "control",
    store: str | os.PathLike[str] | None = None,
) -> StoreSelection:
    """Put the releases of a data folder, and its control cohort, in a store.

    Each release is added under its dataset name with :func:`casebook.store.add_release`;
    a release whose files the store already holds is not rewritten, so a second call costs
    only the hashing of the files.

    Parameters
    ----------
    data_dir
        Folder of releases; ``""`` is the specimen (written first when missing).
    datasets
        Release names in ``data_dir`` (:func:`casebook.discovery.find_datasets`); empty:
        every release folder there but the control cohort.
    control
        Name of the control cohort's folder (in ``data_dir``, else the specimen's:
        :func:`casebook.discovery.find_control`), added under this name; None for none.
    store
        The store's folder; default ``<cache>/stores/<key of data_dir>``
        (:func:`casebook.paths.cache_dir`).

    Returns
    -------
    StoreSelection
        The store, the releases added (in name order), the control, absent names.

    Raises
    ------
    FileNotFoundError
        No release of ``datasets`` is in ``data_dir``.
    """
    from casebook import store as store_

    if not str(data_dir) and not paths.specimen_dir().is_dir():
        from casebook.specimen import write_specimen

        write_specimen()
    root = paths.specimen_dir() if not str(data_dir) else paths.resolve(data_dir)
    names = list(datasets) or _release_folders(root, control)
    present, absent = discovery.find_datasets(data_dir, names)
    if not present:
        raise FileNotFoundError(f"none of {', '.join(names) or 'the releases'} found under {root}")
    target = Path(store) if store is not None else paths.cache_dir() / "stores" / _store_key(root)
    folders = dict(present)
    control_folder = discovery.find_control(data_dir, control) if control else None
    if control_folder is not None:
        folders[str(control)] = control_folder
    for name, folder in folders.items():
        store_.add_release(target, folder, name=name)
    return StoreSelection(store=target, releases=sorted(present),
                          control=str(control) if control_folder is not None else None,
                          folders=folders, absent=list(absent), built=True)


def _find_control(held: Sequence[str], control: str | None) -> str | None:
    """``control`` itself, else the one release named ``<control>_...`` (the loader's name
    for the specimen's folder ``control`` is ``control_202012``), else None."""
    if not control:
        return None
    if control in held:
        return control
    named = [n for n in held if n.startswith(f"{control}_")]
    return named[0] if len(named) == 1 else None


def select_releases(
    store: str | os.PathLike[str] = "",
    *,
    data_dir: str | os.PathLike[str] = "",
    datasets: Sequence[str] = (),
    releases: Sequence[str] = (),
    control: str | None = "control",
) -> StoreSelection:
    """The store and releases a comparison runs on.

    Parameters
    ----------
    store
        A store folder (``casebook store add``); ``""``: one built from ``data_dir`` and
        ``datasets`` by :func:`build_store` in the cache folder.
    data_dir, datasets
        Where the built store's releases come from (``""``: the specimen).
    releases
        Releases of the store to compare; empty: those of ``datasets`` for a built
        store, every release but the control cohort for a given one.
    control
        The control cohort's release name (or its folder's, for a built store); a
        store's release ``<control>_...`` counts when it is the only one. None or ``""``
        for none.

    Returns
    -------
    StoreSelection

    Raises
    ------
    casebook.errors.ParameterError
        Fewer than two releases to compare.
    casebook.store.StoreError
        The store is missing, foreign or corrupt.
    """
    from casebook import store as store_

    control = control or None
    if str(store):
        root = paths.resolve(store)
        manifest = store_.open_store(root)["releases"]
        found = _find_control(sorted(manifest), control)
        chosen = StoreSelection(
            store=root, releases=sorted(n for n in manifest if n != found), control=found,
            folders={n: Path(e.get("source", "")) for n, e in manifest.items()})
    else:
        chosen = build_store(data_dir, datasets, control=control)
        manifest = store_.open_store(chosen.store)["releases"]
    if releases:
        asked = list(dict.fromkeys(str(r) for r in releases))
        chosen.absent += [r for r in asked if r not in manifest]
        chosen.releases = sorted(r for r in asked if r in manifest and r != chosen.control)
    if len(chosen.releases) < 2:
        raise ParameterError(
            f"{chosen.store}: a comparison needs two releases or more, found "
            f"{', '.join(chosen.releases) or 'none'}"
            + (f" (absent: {', '.join(chosen.absent)})" if chosen.absent else ""),
            hint="add releases with 'casebook store add', or name them with -p releases")
    return chosen


# --------------------------------------------------------------------------- SQL helpers


def _connect() -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    spill = Path(tempfile.gettempdir()) / "casebook-duckdb"
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    return con


def _scan(root: Path, names: Sequence[str], file: str, columns: str) -> str:
    from casebook.store import partition

    listed = ", ".join("'" + str(partition(root, n) / file).replace("'", "''") + "'" for n in names)
    return (f"(SELECT {columns} FROM read_parquet([{listed}], hive_partitioning = true, "
            "hive_types = {'release': VARCHAR}))")


def _checked(store: str | os.PathLike[str], releases: Sequence[str] | None,
             control: str | None) -> tuple[Path, list[str], str | None]:
    from casebook import store as store_

    root = Path(store).expanduser()
    held = store_.open_store(root)["releases"]
    names = sorted(n for n in held if n != control) if releases is None else list(releases)
    missing = [n for n in [*names, *([control] if control else [])] if n not in held]
    if missing:
        raise StoreError(f"{root}: no release {', '.join(map(repr, missing))} in the store "
                         f"(it holds: {', '.join(sorted(held)) or 'none'})")
    # "" (an empty notebook parameter) means no control, as None does
    return root, sorted(dict.fromkeys(names)), control or None


# --------------------------------------------------------------------------- texts


def _text_clusters(con: duckdb.DuckDBPyConnection, root: Path, names: list[str],
                   threshold: float) -> None:
    """Create table ``text_keys(release, text_fp, key)``: each original text of ``names``
    that shares a near-duplicate cluster with a text of another release, and the
    cluster's key (its most used normalised text)."""
    import pyarrow as pa
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from casebook.coordination.near_duplicate import shingle_hashes
    from casebook.coordination.text import normalise_arrow
    from casebook.store import NEAR_BANDS, NEAR_SHINGLE

    near = ", ".join(f"any_value(near_{b}) AS near_{b}" for b in range(NEAR_BANDS))
    con.execute(f"""CREATE TEMP TABLE texts AS
        SELECT release, text_fp, count(*) AS tweets, min(tweetid) AS tweetid, {near}
        FROM {_scan(root, names, 'search.parquet', '*')}
        WHERE text_fp IS NOT NULL AND retweet_userid IS NULL AND retweet_tweetid IS NULL
        GROUP BY release, text_fp""")
    # candidate pairs of distinct texts of different releases sharing a band's key
    bands = " UNION ".join(
        f"SELECT a.text_fp AS fp_a, b.text_fp AS fp_b FROM texts a JOIN texts b "
        f"ON a.near_{b_} = b.near_{b_} AND a.release <> b.release AND a.text_fp < b.text_fp"
        for b_ in range(NEAR_BANDS))
    pairs = con.sql(f"SELECT DISTINCT fp_a, fp_b FROM ({bands})").to_arrow_table()
    # one tweet per candidate text, for its words
    con.register("pair_fps", pairs)
    docs = con.sql(f"""
        WITH wanted AS (SELECT fp_a AS fp FROM pair_fps UNION SELECT fp_b FROM pair_fps),
             one AS (SELECT t.text_fp, arg_min(t.release, t.tweetid) AS release,
                            min(t.tweetid) AS tweetid
                     FROM texts t SEMI JOIN wanted w ON t.text_fp = w.fp GROUP BY t.text_fp)
        SELECT one.text_fp, w.tweet_text
        FROM {_scan(root, names, 'tweets.parquet', 'release, tweetid, tweet_text')} w
        JOIN one ON w.release = one.release AND w.tweetid = one.tweetid
        ORDER BY one.text_fp""").to_arrow_table()
    con.unregister("pair_fps")
    norm = normalise_arrow(docs.column("tweet_text").combine_chunks().cast(pa.string()))
    h32, doc = shingle_hashes(norm, NEAR_SHINGLE) if len(norm) else (np.zeros(0, np.uint32),
                                                                   np.zeros(0, np.int64))
    shingles = pa.table({"text_fp": docs.column("text_fp").take(pa.array(doc)),
                         "h": pa.array(h32, pa.uint32())})
    con.register("shingles", shingles)
    con.register("pair_fps", pairs)
    # exact Jaccard of the word-pair sets of every candidate pair
    verified = con.sql(f"""
        WITH s AS (SELECT DISTINCT text_fp, h FROM shingles),
             size AS (SELECT text_fp, count(*) AS n FROM s GROUP BY text_fp),
             shared AS (SELECT p.fp_a, p.fp_b, count(*) AS n FROM pair_fps p
                        JOIN s sa ON sa.text_fp = p.fp_a
                        JOIN s sb ON sb.text_fp = p.fp_b AND sa.h = sb.h
                        GROUP BY p.fp_a, p.fp_b)
        SELECT shared.fp_a, shared.fp_b FROM shared
        JOIN size a ON a.text_fp = shared.fp_a JOIN size b ON b.text_fp = shared.fp_b
        WHERE shared.n >= {float(threshold)} * (a.n + b.n - shared.n)""").df()
    con.unregister("shingles")
    con.unregister("pair_fps")
    # clusters: texts chained by verified pairs, and texts copied exactly across releases
    exact = con.sql("SELECT text_fp FROM texts GROUP BY text_fp "
                    "HAVING count(DISTINCT release) > 1").df()
    fps = pd.unique(np.concatenate([exact["text_fp"].to_numpy(np.uint64),
                                    verified["fp_a"].to_numpy(np.uint64),
                                    verified["fp_b"].to_numpy(np.uint64)]))
    index = pd.Index(fps)
    a, b = index.get_indexer(verified["fp_a"]), index.get_indexer(verified["fp_b"])
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(fps), len(fps)))
    _, labels = connected_components(graph, directed=False)
    con.register("cluster_of", pa.table({"text_fp": pa.array(fps, pa.uint64()),
                                         "cluster": pa.array(labels, pa.int64())}))
    # a cluster's key: the normalised text of its most used text (ties: smallest fp)
    reps = con.sql("""
        SELECT c.cluster, arg_max(c.text_fp, (t.n, -c.text_fp::HUGEINT)) AS text_fp,
               arg_max(t.release, (t.n, -c.text_fp::HUGEINT)) AS release,
               arg_max(t.tweetid, (t.n, -c.text_fp::HUGEINT)) AS tweetid
        FROM cluster_of c JOIN (SELECT text_fp, sum(tweets) AS n, arg_min(release, tweetid)
                                    AS release, min(tweetid) AS tweetid
                                FROM texts GROUP BY text_fp) t USING (text_fp)
        GROUP BY c.cluster ORDER BY c.cluster""").to_arrow_table()
    con.register("reps", reps)
    rep_text = con.sql(f"""SELECT r.cluster, w.tweet_text FROM reps r
        JOIN {_scan(root, names, 'tweets.parquet', 'release, tweetid, tweet_text')} w
        ON w.release = r.release AND w.tweetid = r.tweetid ORDER BY r.cluster""").to_arrow_table()
    con.unregister("reps")
    keys = normalise_arrow(rep_text.column("tweet_text").combine_chunks().cast(pa.string()))
    con.register("cluster_key", pa.table({"cluster": rep_text.column("cluster"), "key": keys}))
    con.execute("""CREATE TEMP TABLE text_keys AS
        SELECT t.release, t.text_fp, k.key FROM texts t
        JOIN cluster_of c USING (text_fp) JOIN cluster_key k USING (cluster)""")
    for name in ("cluster_of", "cluster_key"):
        con.unregister(name)


# --------------------------------------------------------------------------- the comparison


@dataclasses.dataclass
class Comparison:
    """What :func:`compare_releases` found.

    Attributes
    ----------
    releases
        The releases compared (name order) and ``control`` (None without one).
    keys
        One row per shared key (in ``min_releases`` compared releases or more):
        ``kind, key, label`` (the key as shown: ``#tag``, ``@handle (userid)``...),
        ``releases`` (how many compared releases use it), ``release_names``,
        ``tweets, accounts`` (in the compared releases), ``control_tweets`` (in the
        control cohort; missing without one), ``distinctive`` (``distinctive``,
        ``not distinctive`` or ``unchecked``), then one column per compared release
        with its tweets carrying the key. Distinctive keys first, then the most
        releases, the most tweets.
    overlap
        One row per pair of compared releases: ``release_a, release_b``, shared keys of
        each kind (``domain``... all), distinctive ones (``distinctive domain``...), and
        ``strength`` and ``why`` (:data:`STRENGTH_WORDS`).
    accounts
        One row per account that used a shared key: ``release, userid,
        user_screen_name, linked_releases`` (the other releases sharing its distinctive
        keys, or every shared key without a control cohort; missing when it used only
        keys ordinary accounts use too: a key everybody uses links nobody),
        ``shared_with`` (the other releases sharing any of its keys), ``kinds, shared_keys, distinctive_keys, link`` (the strength of its most
        specific distinctive key, as for a pair of releases: :data:`STRENGTH_WORDS`;
        ``none`` when it used only keys ordinary accounts use too, ``unchecked`` without
        a control cohort), ``tweets`` (its tweets carrying shared keys), ``first_time,
        last_time, example_tweetids`` (its first tweets carrying a distinctive key, else
        a shared one). Most distinctive keys first.
    evidence
        The tweets behind each shared key: for each key and release, the first tweet of
        each of the first :data:`EXAMPLES` accounts that used it (in time):
        ``kind, key, distinctive, release, userid, user_screen_name, tweetid, tweet_time,
        tweet_text``, in the order of :attr:`keys`.
    active
        Accounts with tweets in each compared release (what :attr:`accounts` is a part of).
    """

    releases: list[str]
    control: str | None
    min_releases: int
    keys: pd.DataFrame
    overlap: pd.DataFrame
    accounts: pd.DataFrame
    evidence: pd.DataFrame
    active: dict[str, int] = dataclasses.field(default_factory=dict)

    def shared(self, kind: str | None = None, *, distinctive: bool | None = None) -> pd.DataFrame:
        """:attr:`keys` of one kind, and only the distinctive ones (``distinctive=True``)
        or only the others (``False``)."""
        out = self.keys
        if kind is not None:
            if kind not in KINDS:
                raise ParameterError(f"kind {kind!r}: not one of {', '.join(KINDS)}")
            out = out.loc[lambda d: d["kind"] == kind]
        if distinctive is not None:
            out = out.loc[lambda d: d["distinctive"].isin(_LINK_NOTHING) != distinctive]
        return out.reset_index(drop=True)

    def counts(self) -> pd.DataFrame:
        """Shared keys per kind: ``kind, shared, distinctive, not distinctive, generic
        spam`` (``unchecked, generic spam`` without a control cohort), every kind listed."""
        table = (pd.crosstab(self.keys["kind"], self.keys["distinctive"])
                 .reindex(index=list(KINDS), fill_value=0))
        words = [DISTINCTIVE, NOT_DISTINCTIVE, GENERIC] if self.control else [UNCHECKED, GENERIC]
        table = table.reindex(columns=words, fill_value=0)
        return (table.assign(shared=table.sum(axis=1))[["shared", *words]]
                .rename_axis(index="kind", columns=None).reset_index())


def _occurrences(con: duckdb.DuckDBPyConnection, root: Path, names: list[str],
                 kinds: Sequence[str]) -> None:
    """Create table ``occ(release, kind, key, tweetid, userid, user_screen_name, tweet_time)``:
    one row per tweet and key it carries."""
    src = _scan(root, names, "search.parquet", "*")
    parts = {
        "domain": f"SELECT release, 'domain' AS kind, unnest(domains) AS key, tweetid, userid, "
                  f"user_screen_name, tweet_time FROM {src}",
        "hashtag": f"SELECT release, 'hashtag', unnest(hashtag_keys), tweetid, userid, "
                   f"user_screen_name, tweet_time FROM {src}",
        "retweet": f"SELECT release, 'retweet', retweet_userid, tweetid, userid, "
                   f"user_screen_name, tweet_time FROM {src} "
                   "WHERE retweet_userid IS NOT NULL AND retweet_userid <> ''",
        "text": f"SELECT s.release, 'text', k.key, s.tweetid, s.userid, s.user_screen_name, "
                f"s.tweet_time FROM {src} s JOIN text_keys k "
                "ON s.release = k.release AND s.text_fp = k.text_fp "
                "WHERE s.retweet_userid IS NULL AND s.retweet_tweetid IS NULL",
    }
    union = " UNION ALL ".join(parts[k] for k in kinds)
    con.execute(f"CREATE TEMP TABLE occ AS SELECT DISTINCT * FROM ({union}) "
                "WHERE key IS NOT NULL AND key <> ''")


def compare_releases(
    store: str | os.PathLike[str],
    *,
    releases: Sequence[str] | None = None,
    control: str | None = None,
    min_releases: int = 2,
    kinds: Sequence[str] = KINDS,
    near_threshold: float | None = None,
    examples: int = EXAMPLES,
) -> Comparison:
    """Find the domains, hashtags, retweeted accounts and texts releases share.

    Parameters
    ----------
    store
        A :mod:`casebook.store` folder.
    releases
        Releases to compare; default every release of the store but ``control``.
    control
        The store's release of ordinary accounts: keys it uses too are ``not
        distinctive``. None: no control (every shared key is ``unchecked``).
    min_releases
        A key is shared when this many compared releases or more use it (at least 2).
    kinds
        Kinds of key (:data:`KINDS`).
    near_threshold
        Smallest Jaccard similarity of two texts' word-pair sets for them to be one
        ``text`` key; default :data:`casebook.search.NEAR_THRESHOLD`.
    examples
        Evidence rows per key and release, and example tweet ids per account.

    Returns
    -------
    Comparison

    Raises
    ------
    casebook.errors.ParameterError
        ``min_releases`` below 2, an unknown kind, a threshold outside (0, 1].
    casebook.store.StoreError
        The store is missing or corrupt, or lacks a release named.

    Examples
    --------
    >>> found = compare_releases("data/store", control="control")  # doctest: +SKIP
    >>> found.shared("text", distinctive=True)  # doctest: +SKIP
    """
    from casebook.search import NEAR_THRESHOLD

    threshold = NEAR_THRESHOLD if near_threshold is None else float(near_threshold)
    if int(min_releases) < 2:
        raise ParameterError(f"min_releases must be 2 or more (a key of one release links "
                             f"nothing), got {min_releases!r}")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ParameterError(f"unknown kind(s) {', '.join(unknown)}; kinds: {', '.join(KINDS)}")
    if not 0 < threshold <= 1:
        raise ParameterError(f"near_threshold must be in (0, 1], got {near_threshold!r}")
    root, names, control = _checked(store, releases, control)
    every = [*names, *([control] if control else [])]
    kinds = [k for k in KINDS if k in kinds]
    con = _connect()
    try:
        if "text" in kinds:
            _text_clusters(con, root, every, threshold)
        _occurrences(con, root, every, kinds)
        con.register("compared", pd.DataFrame({"release": pd.Series(names, dtype=object)}))
        keys = _keys(con, names, control, int(min_releases))
        evidence = _evidence(con, root, every, int(examples))
        accounts = _accounts(con, int(examples))
        counted = con.sql(f"SELECT release, count(DISTINCT userid) AS n FROM "
                          f"{_scan(root, names, 'search.parquet', 'release, userid')} "
                          f"GROUP BY release").fetchall()
    finally:
        con.close()
    active = {name: 0 for name in names} | {str(r): int(n) for r, n in counted}
    keys = _labelled(keys, evidence)
    overlap = _overlap(keys, names, control)
    if control is None:  # as for a pair: nothing says which keys ordinary accounts share
        accounts["link"] = accounts["link"].where(accounts["link"].eq("none"), "unchecked")
    return Comparison(releases=names, control=control, min_releases=int(min_releases),
                      keys=keys, overlap=overlap, accounts=accounts, evidence=evidence,
                      active=active)


def _keys(con: duckdb.DuckDBPyConnection, names: list[str], control: str | None,
          min_releases: int) -> pd.DataFrame:
    """Create table ``shared(kind, key, distinctive, rank)`` and return the keys table."""
    control_sql = "NULL" if control is None else "'" + control.replace("'", "''") + "'"
    con.execute("""CREATE TEMP TABLE per_release AS
        SELECT kind, key, release, count(*) AS tweets, count(DISTINCT userid) AS accounts
        FROM occ GROUP BY kind, key, release""")
    word = (f"CASE WHEN k.kind IN ('text', 'hashtag') AND "
            f"regexp_matches(k.key, '{_GENERIC_SQL}', 'i') THEN '{GENERIC}' "
            f"WHEN {control_sql} IS NULL THEN '{UNCHECKED}' "
            f"WHEN coalesce(c.tweets, 0) > 0 THEN '{NOT_DISTINCTIVE}' ELSE '{DISTINCTIVE}' END")
    con.execute(f"""CREATE TEMP TABLE shared AS
        WITH k AS (
            SELECT p.kind, p.key, count(*) AS releases,
                   string_agg(p.release, ', ' ORDER BY p.release) AS release_names,
                   sum(p.tweets) AS tweets
            FROM per_release p SEMI JOIN compared USING (release)
            GROUP BY p.kind, p.key HAVING count(*) >= {min_releases})
        SELECT k.*, c.tweets AS control_tweets, {word} AS distinctive
        FROM k LEFT JOIN per_release c
          ON c.kind = k.kind AND c.key = k.key AND c.release = {control_sql}""")
    con.execute(f"""CREATE TEMP TABLE ranked AS
        SELECT *, row_number() OVER (ORDER BY distinctive IN {_LINK_NOTHING}, releases DESC,
                                     tweets DESC, kind, key) AS rank FROM shared""")
    accounts = con.sql("""SELECT o.kind, o.key, count(DISTINCT (o.release, o.userid)) AS accounts
        FROM occ o SEMI JOIN compared USING (release) SEMI JOIN shared s USING (kind, key)
        GROUP BY o.kind, o.key""").df()
    base = con.sql("SELECT * FROM ranked ORDER BY rank").df()
    counts = con.sql("""SELECT p.kind, p.key, p.release, p.tweets FROM per_release p
        SEMI JOIN compared USING (release) SEMI JOIN shared USING (kind, key)""").df()
    wide = (counts.pivot_table(index=["kind", "key"], columns="release", values="tweets",
                               aggfunc="sum", fill_value=0)
            .reindex(columns=names, fill_value=0))
    out = (base.merge(accounts, on=["kind", "key"], how="left")
           .merge(wide.reset_index(), on=["kind", "key"], how="left"))
    columns = ["kind", "key", "releases", "release_names", "tweets", "accounts",
               "control_tweets", "distinctive", *names]
    out = out.reindex(columns=columns)
    out[names] = out[names].fillna(0).astype("int64")
    return out.astype({"kind": STRING, "key": STRING, "release_names": STRING,
                       "distinctive": STRING, "releases": "int64", "tweets": "int64",
                       "accounts": "int64", "control_tweets": "Int64"}).reset_index(drop=True)


def _evidence(con: duckdb.DuckDBPyConnection, root: Path, every: list[str],
              examples: int) -> pd.DataFrame:
    """The first tweet of each of the first ``examples`` accounts (in time) per shared key
    and compared release, with its text, in the order of table ``ranked``."""
    con.execute(f"""CREATE TEMP TABLE firsts AS
        SELECT o.kind, o.key, o.release, o.userid,
               arg_min(o.user_screen_name, (o.tweet_time, o.tweetid)) AS user_screen_name,
               arg_min(o.tweetid, (o.tweet_time, o.tweetid)) AS tweetid,
               min(o.tweet_time) AS tweet_time
        FROM occ o SEMI JOIN compared USING (release) SEMI JOIN shared USING (kind, key)
        GROUP BY o.kind, o.key, o.release, o.userid
        QUALIFY row_number() OVER (PARTITION BY o.kind, o.key, o.release
                                   ORDER BY min(o.tweet_time), o.userid) <= {examples}""")
    tweets = _scan(root, every, "tweets.parquet", "release, tweetid, tweet_text")
    return con.sql(f"""SELECT f.kind, f.key, r.distinctive, f.release, f.userid,
               f.user_screen_name, f.tweetid, f.tweet_time, t.tweet_text
        FROM firsts f JOIN ranked r USING (kind, key)
        LEFT JOIN {tweets} t ON t.release = f.release AND t.tweetid = f.tweetid
        ORDER BY r.rank, f.release, f.tweet_time, f.userid""").df().pipe(_typed)


def _accounts(con: duckdb.DuckDBPyConnection, examples: int) -> pd.DataFrame:
    """One row per account of a compared release that used a shared key."""
    out = con.sql(f"""
        WITH used AS (
            SELECT o.*, s.distinctive NOT IN {_LINK_NOTHING} AS telling
            FROM occ o SEMI JOIN compared USING (release) JOIN shared s USING (kind, key)),
        linked AS (
            SELECT u.release, u.userid,
                   string_agg(DISTINCT p.release, ', ' ORDER BY p.release) FILTER (
                       WHERE u.telling) AS linked_releases,
                   string_agg(DISTINCT p.release, ', ' ORDER BY p.release) AS shared_with
            FROM (SELECT DISTINCT release, userid, kind, key, telling FROM used) u
            JOIN per_release p USING (kind, key)
            SEMI JOIN compared c ON c.release = p.release
            WHERE p.release <> u.release
            GROUP BY u.release, u.userid),
        per_tweet AS (
            SELECT release, userid, tweetid, any_value(tweet_time) AS tweet_time,
                   bool_or(telling) AS telling
            FROM used GROUP BY release, userid, tweetid),
        example AS (
            SELECT release, userid,
                   array_to_string(min_by(tweetid, (NOT telling, tweet_time, tweetid),
                                          {examples}), ' ') AS example_tweetids
            FROM per_tweet GROUP BY release, userid),
        agg AS (
            SELECT release, userid,
                   arg_max(user_screen_name, (tweet_time, tweetid)) AS user_screen_name,
                   string_agg(DISTINCT kind, ', ' ORDER BY kind) AS kinds,
                   count(DISTINCT (kind, key)) AS shared_keys,
                   count(DISTINCT (kind, key)) FILTER (WHERE telling) AS distinctive_keys,
                   string_agg(DISTINCT kind, ', ' ORDER BY kind) FILTER (WHERE telling)
                       AS distinctive_kinds,
                   count(DISTINCT tweetid) AS tweets,
                   min(tweet_time) AS first_time, max(tweet_time) AS last_time
            FROM used GROUP BY release, userid)
        SELECT a.release, a.userid, a.user_screen_name, l.linked_releases, l.shared_with,
               a.kinds,
               a.shared_keys, a.distinctive_keys,
               CASE WHEN a.distinctive_kinds LIKE '%text%' THEN 'strong'
                    WHEN a.distinctive_kinds LIKE '%retweet%' THEN 'moderate'
                    WHEN a.distinctive_kinds IS NOT NULL THEN 'weak'
                    ELSE 'none' END AS link,
               a.tweets, a.first_time, a.last_time, e.example_tweetids
        FROM agg a JOIN linked l USING (release, userid) JOIN example e USING (release, userid)
        ORDER BY a.distinctive_keys DESC, a.shared_keys DESC, a.tweets DESC, a.release,
                 a.userid""").df()
    return _typed(out).astype({"shared_keys": "int64", "distinctive_keys": "int64",
                               "tweets": "int64"})


def _labelled(keys: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """``keys`` with a ``label`` after ``key``: ``#tag`` for a hashtag, ``@handle (userid)``
    for a retweeted account (the handle its evidence retweets name most: ``RT @handle:``)."""
    handles = (evidence.loc[lambda d: d["kind"] == "retweet"]
               .assign(handle=lambda d: d["tweet_text"].str.extract(r"^RT @(\w+):", expand=False))
               .dropna(subset=["handle"])
               .groupby("key")["handle"].agg(lambda h: h.value_counts().index[0]))
    handle = keys["key"].map(handles).where(keys["kind"].eq("retweet"))
    label = np.select(
        [keys["kind"].eq("hashtag").to_numpy(), handle.notna().to_numpy()],
        ["#" + keys["key"].astype(str), "@" + handle.astype(str) + " (" + keys["key"].astype(str) + ")"],
        default=keys["key"].astype(str))
    return keys.assign(label=pd.array(label, dtype=STRING))[
        ["kind", "key", "label", *[c for c in keys.columns if c not in ("kind", "key")]]]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``string[pyarrow]``, times as UTC timestamps."""
    text = [c for c in frame.columns if frame[c].dtype == object]
    out = frame.astype(dict.fromkeys(text, STRING))
    for c in ("tweet_time", "first_time", "last_time"):
        if c in out:
            out[c] = pd.to_datetime(out[c], utc=True)
    return out.reset_index(drop=True)


def _overlap(keys: pd.DataFrame, names: list[str], control: str | None) -> pd.DataFrame:
    """Shared keys per pair of releases and kind, and the pair's strength in words."""
    pairs = pd.MultiIndex.from_tuples(
        [(a, b) for i, a in enumerate(names) for b in names[i + 1:]],
        names=["release_a", "release_b"])
    present = keys[names].gt(0).to_numpy()
    a_idx = np.array([names.index(a) for a, _ in pairs], dtype=np.int64)
    b_idx = np.array([names.index(b) for _, b in pairs], dtype=np.int64)
    both = present[:, a_idx] & present[:, b_idx]  # keys x pairs
    telling = (~keys["distinctive"].isin(_LINK_NOTHING)).to_numpy()[:, None]
    out = pd.DataFrame(index=pairs)
    for kind in KINDS:  # loop over the four kinds only
        of_kind = keys["kind"].eq(kind).to_numpy()[:, None]
        out[kind] = (both & of_kind).sum(axis=0)
    for kind in KINDS:
        of_kind = keys["kind"].eq(kind).to_numpy()[:, None]
        out[f"distinctive {kind}"] = (both & of_kind & telling).sum(axis=0)
    best = np.select([out[f"distinctive {k}"].gt(0) for k in ("text", "retweet")]
                     + [out["distinctive hashtag"].add(out["distinctive domain"]).gt(0)],
                     ["strong", "moderate", "weak"], default="none")
    why = pd.Series(best).map(STRENGTH_WORDS).to_numpy(dtype=object)
    if control is None:  # nothing was checked against ordinary accounts
        best = np.where(best == "none", "none", "unchecked")
        why = np.where(best == "none", "no key in common",
                       "no control cohort: whether ordinary accounts share these keys too "
                       "was not checked")
    elif len(out):
        nothing = out[list(KINDS)].sum(axis=1).eq(0).to_numpy()
        why = np.where(nothing, "no key in common", why)
    out = out.assign(strength=best, why=why).reset_index()
    return out.astype({"release_a": STRING, "release_b": STRING, "strength": STRING,
                       "why": STRING})


# --------------------------------------------------------------------------- side by side


def client_mix(
    store: str | os.PathLike[str],
    *,
    releases: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of tweets per client class in each release, side by side.

    Tweets are counted per client name with DuckDB (out of core); each distinct name is
    classed once by :func:`casebook.content.classify_clients`
    (:data:`casebook.content.CLIENT_CLASSES`: a name not in the table is ``unknown``).

    Parameters
    ----------
    store
        A :mod:`casebook.store` folder.
    releases
        Releases to show; default all.

    Returns
    -------
    pandas.DataFrame
        ``release, tweets``, then the share of tweets of each class of
        :data:`casebook.content.CLIENT_CLASS_ORDER` (``official share``...), then the
        most used client, ``top client``, and its ``top client share``; one row per
        release, in name order.

    Examples
    --------
    >>> client_mix("data/store")  # doctest: +SKIP
    """
    from casebook.content import CLIENT_CLASS_ORDER, classify_clients

    root, names, _ = _checked(store, releases, None)
    con = _connect()
    try:
        counts = con.sql(f"""SELECT release, tweet_client_name, count(*) AS tweets
            FROM {_scan(root, names, 'tweets.parquet', 'release, tweet_client_name')}
            GROUP BY release, tweet_client_name
            ORDER BY release, tweets DESC, tweet_client_name NULLS LAST""").df()
    finally:
        con.close()
    counts = counts.assign(
        tweet_client_name=lambda d: d["tweet_client_name"].astype(STRING),
        client_class=lambda d: classify_clients(d))
    totals = counts.groupby("release")["tweets"].sum()
    shares = (counts.pivot_table(index="release", columns="client_class", values="tweets",
                                 aggfunc="sum", fill_value=0)
              .reindex(index=names, columns=list(CLIENT_CLASS_ORDER), fill_value=0)
              .div(totals.reindex(names), axis=0))
    top = counts.groupby("release", sort=False).head(1).set_index("release").reindex(names)
    share_columns = [f"{c} share" for c in CLIENT_CLASS_ORDER]
    return (shares.set_axis(share_columns, axis=1)
            .assign(tweets=totals.reindex(names).fillna(0).astype("int64"),
                    **{"top client": top["tweet_client_name"].fillna("(missing)"),
                       "top client share": top["tweets"] / totals.reindex(names)})
            .rename_axis(index="release", columns=None).reset_index()
            [["release", "tweets", *share_columns, "top client", "top client share"]]
            .astype({"release": STRING, "top client": STRING}))


def time_zones(
    store: str | os.PathLike[str],
    *,
    releases: Sequence[str] | None = None,
    control: str | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The operators' time zone inferred for each release, side by side.

    :func:`casebook.activity.infer_utc_offset` on each release's tweet times (read from
    the store one release at a time, one column), on the working week the catalogue
    gives the release (:func:`casebook.catalogue.workweek_of`, else Monday to Friday).
    With ``control``, each release's inference runs on the control cohort's tweets too,
    on the same week: an office rhythm ordinary accounts show as well is "not
    distinctive".

    Parameters
    ----------
    store
        A :mod:`casebook.store` folder.
    releases
        Releases to show; default all but the control.
    control
        The store's release of ordinary accounts, or None (or "") for none.
    seed
        Seed of the bootstrap and null replicates.

    Returns
    -------
    pandas.DataFrame
        ``release, label, verdict, confidence, utc_offset, conventions, workweek,
        rhythm, control_rhythm, tweets, days, reason``: one row per release, in name
        order.

    Examples
    --------
    >>> time_zones("data/store", seed=0)  # doctest: +SKIP
    """
    import pyarrow.parquet as pq

    from casebook import catalogue
    from casebook.activity import infer_utc_offset
    from casebook.store import partition

    root, names, control = _checked(store, releases, control)
    columns = ["label", "verdict", "confidence", "utc_offset", "conventions", "workweek",
               "rhythm", "control_rhythm", "tweets", "days", "reason"]

    def times_of(name: str) -> pd.DataFrame:
        # with their accounts: the offsets are resampled by account too, as in a case
        return pq.read_table(partition(root, name) / "tweets.parquet",
                             columns=["tweet_time", "userid"]).to_pandas()

    ordinary = None if control is None else times_of(control)
    rows = []
    for name in names:  # one release at a time: only its tweet times are in memory
        rows.append(infer_utc_offset(times_of(name), workweek=catalogue.workweek_of(name),
                                     seed=seed, control=ordinary)
                    [columns].assign(release=name))
    out = pd.concat(rows, ignore_index=True)[["release", *columns]]
    return out.astype({"release": STRING, "label": STRING, "verdict": STRING})


def plot_overlap(overlap: pd.DataFrame, *, distinctive: bool = True, ax: Any = None) -> Any:
    """Heatmap: how many keys each pair of releases shares (distinctive ones by default).

    Parameters
    ----------
    overlap
        :attr:`Comparison.overlap`.
    distinctive
        Count only keys the control cohort does not use (``False``: every shared key).
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    names = sorted(set(overlap["release_a"].astype(str)) | set(overlap["release_b"].astype(str)))
    columns = [f"distinctive {k}" if distinctive else k for k in KINDS]
    total = overlap[columns].sum(axis=1).to_numpy()
    index = {n: i for i, n in enumerate(names)}
    a = overlap["release_a"].astype(str).map(index).to_numpy(dtype=np.int64)
    b = overlap["release_b"].astype(str).map(index).to_numpy(dtype=np.int64)
    grid = np.full((len(names), len(names)), np.nan)
    grid[a, b] = total
    grid[b, a] = total
    side = max(3.5, 0.9 * len(names) + 2.5)
    ax = new_ax(ax, figsize=(1.8 * len(names) + 3.5, side))
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="Blues", vmin=0,
                      extent=(0, len(names), len(names), 0))
    for (i, j), value in np.ndenumerate(grid):
        if not np.isnan(value):
            ax.text(j + 0.5, i + 0.5, f"{int(value):,}", ha="center", va="center",
                    color="white" if value > np.nanmax(grid) / 2 else "black")
    cell_axis(ax.yaxis, names)
    # every release named: slanted names do not collide the way cell_axis measures them
    ax.set_xticks(np.arange(len(names)) + 0.5, names, rotation=30, ha="right",
                  rotation_mode="anchor")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="keys shared (count)")
    which = "distinctive keys (not used by the control cohort)" if distinctive else "keys"
    ax.set(title=f"Shared {which} between releases", xlabel="release", ylabel="release")
    return literal_text(ax)


def plot_client_mix(mix: pd.DataFrame, *, ax: Any = None) -> Any:
    """Stacked bars: each release's tweets by client class (from :func:`client_mix`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    from casebook.content import CLIENT_CLASS_ORDER

    shares = (mix.set_index(mix["release"].astype(str))[[f"{c} share" for c in CLIENT_CLASS_ORDER]]
              .set_axis(list(CLIENT_CLASS_ORDER), axis=1) * 100)
    ax = new_ax(ax, figsize=(8, 0.5 * len(shares) + 1.6))
    shares.iloc[::-1].plot.barh(stacked=True, ax=ax, width=0.7,
                                color=["#4c72b0", "#55a868", "#dd8452", "#8172b2",
                                       "#c44e52", "#937860"])
    ax.set(title="Tweets by client class, per release", xlabel="share of tweets", ylabel="")
    percent_axis(ax.xaxis, whole=100)
    legend_beside(ax, title="client class")
    return literal_text(ax)


def findings(comparison: Comparison, *, zones: pd.DataFrame | None = None) -> pd.DataFrame:
    """The headline findings of a comparison, in plain words (``finding, value, detail``).

    One row for the releases compared, one for the shared keys and how many are
    distinctive, one per pair of releases with its strength (:data:`STRENGTH_WORDS`,
    strongest first), one for the accounts that link releases, and, given
    :func:`time_zones`, one for the inferred time zones (a time zone in common is
    weak evidence: many operations work the same hours).

    Returns
    -------
    pandas.DataFrame
    """
    c = comparison
    control = (f"control cohort {c.control}" if c.control
               else "no control cohort: no key was checked against ordinary accounts")
    counts = c.counts().set_index("kind")
    checked = bool(c.control)
    telling = int(counts[DISTINCTIVE].sum()) if checked else 0
    rows = [{"finding": "Releases compared", "value": f"{len(c.releases)}",
             "detail": f"{', '.join(c.releases)}; {control}"},
            {"finding": f"Keys shared by {c.min_releases} releases or more",
             "value": f"{int(counts['shared'].sum()):,}",
             "detail": "; ".join(
                 f"{kind} {int(r['shared']):,}"
                 + (f" ({int(r[DISTINCTIVE]):,} distinctive)" if checked else "")
                 for kind, r in counts.iterrows())}]
    if checked:
        rows.append({"finding": "Distinctive shared keys", "value": f"{telling:,}",
                     "detail": "keys the control cohort's ordinary accounts do not use; the "
                               f"other {int(counts[NOT_DISTINCTIVE].sum()):,} (popular domains, "
                               "common hashtags...) link nothing, and neither do "
                               f"{int(counts[GENERIC].sum()):,} of follow-back spam"})
    pairs = (c.overlap.assign(order=lambda d: d["strength"].map(
        {w: i for i, w in enumerate([*_ORDER[:3], "unchecked", "none"])}))
             .sort_values(["order", "release_a", "release_b"], kind="stable"))
    for pair in pairs.to_dict("records"):  # one row per pair of releases
        said = ", ".join(f"{int(pair[f'distinctive {k}' if checked else k]):,} {k}"
                         for k in KINDS if pair[f"distinctive {k}" if checked else k]) or "none"
        rows.append({"finding": f"Link {pair['release_a']} and {pair['release_b']}",
                     "value": pair["strength"],
                     "detail": f"{'distinctive' if checked else 'shared'} keys: {said}; "
                               f"{pair['why']}"})
    linking = c.accounts
    strong = int((linking["distinctive_keys"] > 0).sum()) if checked else len(linking)
    total = sum(c.active.values())
    share = f" of {total:,} accounts with tweets ({strong / total:.0%})" if total else ""
    by_link = linking["link"].value_counts() if checked else pd.Series(dtype="int64")
    best = next((w for w in _ORDER if by_link.get(w, 0)), "none")
    rows.append({"finding": "Accounts linking releases",
                 "value": (f"{strong:,}{share}; strongest link: {best}{_TOPIC_ONLY * (best == 'weak')}"
                           if checked
                           else f"{strong:,}{share}{'; unchecked' if len(linking) else ''}"),
                 "detail": ("accounts that used a distinctive key another release uses too, "
                            "by their most specific one: "
                            + ", ".join(f"{int(by_link.get(w, 0)):,} {w}" for w in _ORDER[:3])
                            + f" (weak: {STRENGTH_WORDS['weak']}); "
                            f"{len(linking) - strong:,} more used only keys ordinary "
                            "accounts share" if checked else
                            "accounts that used a key another release uses too (unchecked)")})
    if zones is not None and len(zones):
        from casebook.activity import zone_label  # activity is imported where it is used

        rows.append({"finding": "Inferred operator time zones",
                     "value": "; ".join(f"{r.release} {zone_label(pd.Series(r._asdict()))}"
                                        for r in zones.itertuples()),
                     "detail": "a time zone in common is weak evidence: many operations keep "
                               "the same office hours"})
    return pd.DataFrame(rows, columns=["finding", "value", "detail"])
