"""Coordination networks on Apache Spark: the local engine's networks, computed by a cluster.

:func:`spark_networks` gives the frame :func:`casebook.coordination.networks` gives, edge
for edge and weight for weight, for every kind but ``near_duplicate`` (its MinHash LSH
runs on the local engine only). The semantics are the local engine's
(:mod:`casebook.coordination`)::

    weight(A -> B) = number of distinct tweets of A that have at least one tweet of B
                     (B != A) with the same key and |t_A - t_B| <= window   (inclusive)

and so are the keys: a tweet is usable when its ``userid`` and ``tweet_time`` are
present; it is a retweet when ``is_retweet`` is true or ``retweet_tweetid`` is present;
``co_retweet`` keys retweets on ``retweet_tweetid``, every other kind keys non-retweets;
ids, URLs, hashtags and mentions are trimmed of Unicode whitespace (Arrow's and Python's
``str.split()`` set) and blank ones never match; a hashtag loses its leading ``#`` and is
case-folded; a URL's registered domain is :func:`casebook.content.registered_domains`'s;
a tweet counts once per key. Texts (``co_tweet``) are normalised as
:func:`~casebook.coordination.normalise_text` does: each character lowercased on its own
(Arrow's simple mapping, read from pyarrow into one ``translate`` table, so Spark's
context-sensitive ``lower`` and its older Unicode tables never apply), ``@`` up to the
next whitespace removed, whitespace runs collapsed; an empty result never matches.
Seconds are the floor of the nanosecond time, as the local engine computes them.

How it runs: one row per (tweet, key) is made with Spark SQL expressions; time is cut
into bins one window wide, and each event is joined on (key, bin) with the events of
its own and both neighbouring bins (a pair within the window is at most one bin apart),
then filtered on the exact ``|dt| <= window`` and ``A != B``; the distinct
(tweet of A, account B) pairs are counted per (A, B). Only the edges come back to the
driver. Two mappings have no Spark built-in that gives the local engine's results
exactly: Python's ``str.casefold`` (hashtags) and the public-suffix lookup (domains).
They run as Arrow batches over the **distinct** hashtags and URLs, never per tweet, so
the executors need Python with casebook installed for ``co_domain`` and ``co_hashtag``.

Input: a ``Release`` or a tweets frame (the driver sends it to Spark as Arrow), a
release folder (loaded with :func:`casebook.load_release`), a casebook store (its
``release=NAME/tweets.parquet`` files are read by the executors: the store must be on
storage every executor sees), or a Spark DataFrame with the loader's tweet columns.

pyspark is an optional dependency (``pip install 'casebook[spark]'``) and needs a Java
runtime; this module imports it only when a session is made.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook.coordination.kinds import DEFAULT_KINDS, KINDS, LIST_KEYS, NEEDS, SCALAR_KEYS
from casebook.errors import CasebookError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["SPARK_KINDS", "spark_networks", "spark_session", "spark_tweets", "store_users"]

#: Kinds the Spark engine computes: every kind but ``near_duplicate``.
SPARK_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "near_duplicate")
#: Kinds computed by default: the local engine's defaults that Spark computes.
SPARK_DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in DEFAULT_KINDS if k in SPARK_KINDS)
#: SQL settings of the sessions :func:`spark_session` gives (a value set by
#: ``spark-submit --conf``, ``spark-defaults.conf`` or ``conf=`` wins). The store's
#: nanosecond Parquet times are read as integers (Spark has no nanosecond timestamp);
#: times are shown in UTC.
SESSION_CONF: dict[str, str] = {
    "spark.sql.legacy.parquet.nanosAsLong": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.adaptive.enabled": "true",
}
#: More SQL settings for a local master (one machine): few shuffle partitions.
LOCAL_CONF: dict[str, str] = {"spark.sql.shuffle.partitions": "8"}
#: The Unicode whitespace of Arrow's ``utf8_trim_whitespace``/``utf8_split_whitespace``
#: (and Python's ``str.split()``), as a Java regex class.
WHITESPACE = (r"[\t\n\x0B\f\r\x1C-\x1F \x{85}\xA0\x{1680}\x{2000}-\x{200A}"
              r"\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]")
#: CNT's mention: ``@`` up to the next whitespace of the ``regex`` module's ``\s`` (which
#: lacks ``\x1c``-``\x1f``); :data:`casebook.coordination.text.MENTION` in Java syntax.
MENTION = (r"@[^\t\n\x0B\f\r\x{85} \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}"
           r"\x{202F}\x{205F}\x{3000}]*")
_NS = 1_000_000_000


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise CasebookError(
            "the spark engine needs pyspark, which is not installed",
            hint="pip install 'casebook[spark]' (and a Java runtime, e.g. Debian's "
                 "default-jre-headless), or use --engine local",
        ) from exc


def spark_session(master: str | None = None, *, app_name: str = "casebook network",
                  conf: dict[str, str] | None = None) -> SparkSession:
    """The active Spark session, or a new one with casebook's settings.

    Parameters
    ----------
    master
        ``local[2]``, ``spark://HOST:7077``, ``yarn``, ``k8s://...``; ``None`` keeps what
        ``spark-submit`` (or the Spark defaults) chose.
    app_name
        The application's name in the cluster's UI.
    conf
        More Spark settings.

    Examples
    --------
    >>> spark = spark_session("local[2]", conf={"spark.driver.memory": "2g"})  # doctest: +SKIP
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    # under spark-submit the JVM is already up with the --master and --conf it was given
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    local = master.startswith("local") if master is not None else not submitted
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    if local:
        # the local Python workers run this interpreter (the one with casebook installed)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM would not start: no Java, a bad master URL
        raise CasebookError(f"cannot start Spark ({type(exc).__name__}: {str(exc)[:300]})",
                            hint="the spark engine needs a Java runtime (java on PATH or "
                                 "JAVA_HOME) and a reachable --master") from exc
    # casebook's SQL settings, where neither spark-submit, spark-defaults.conf nor
    # ``conf`` chose a value
    chosen = spark.sparkContext.getConf()
    on_one_machine = spark.sparkContext.master.startswith("local")
    settings = SESSION_CONF | (LOCAL_CONF if on_one_machine else {})
    for key, value in settings.items():
        if key not in (conf or {}) and not chosen.contains(key):
            spark.conf.set(key, value)
    return spark


# --------------------------------------------------------------------------- input


def _is_store(path: Path) -> bool:
    from casebook.store import MANIFEST

    return path.is_dir() and (path / MANIFEST).is_file()


def store_tweet_files(store: str | os.PathLike[str], releases: Sequence[str] | None = None) -> list[str]:
    """The ``tweets.parquet`` files of ``releases`` (default all) of a checked store."""
    from casebook.store import StoreError, data_files, open_store

    manifest = open_store(store)
    held = sorted(manifest["releases"])
    chosen = held if not releases else list(dict.fromkeys(releases))
    missing = [r for r in chosen if r not in manifest["releases"]]
    if missing:
        raise StoreError(f"{store}: no release {', '.join(map(repr, missing))} in the store "
                         f"(it holds: {', '.join(held) or 'none'})")
    if not chosen:
        raise StoreError(f"{store}: the store holds no release",
                         hint="add one with 'casebook store add FOLDER --store STORE'")
    return data_files(store, manifest, "tweets.parquet", chosen)


def store_users(store: str | os.PathLike[str], releases: Sequence[str] | None = None) -> pd.DataFrame:
    """The accounts of ``releases`` (default all) of a store, read on this machine (an
    account table is small): the node attributes of a GraphML or GEXF network."""
    import pandas as pd
    import pyarrow.parquet as pq

    from casebook import loader

    files = [Path(f).with_name("users.parquet") for f in store_tweet_files(store, releases)]
    frames = [loader._to_pandas(pq.read_table(f)) for f in files]  # loop over releases
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def active_session() -> SparkSession | None:
    """The Spark session already running in this process, if any."""
    _require_pyspark()
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def _columns_for(kinds: Sequence[str]) -> list[str]:
    cols = ["userid", "tweet_time", "is_retweet", "retweet_tweetid"]
    return list(dict.fromkeys([*cols, *(c for k in kinds for c in NEEDS[k])]))




def spark_tweets(spark: SparkSession, source: Any, *, kinds: Sequence[str] = SPARK_DEFAULT_KINDS,
                 releases: Sequence[str] | None = None) -> DataFrame:
    """The tweets of ``source`` as a Spark DataFrame with the columns ``kinds`` read.

    ``source`` is a ``Release`` or tweets frame, a release folder or tweets file, a
    casebook store (``releases`` chooses some of its releases; default all), or a
    Spark DataFrame. ``tweet_time`` comes back as int64 nanoseconds since the epoch.
    """
    import pandas as pd
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType

    from casebook.coordination.kinds import tweets_frame

    columns = _columns_for(kinds)
    if isinstance(source, SparkFrame):
        df = source
    elif isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        if _is_store(path):
            # file:// so that a cluster whose default file system is HDFS reads the
            # shared mount; schemas merged in case a release lacks a column
            files = [f"file://{Path(f).absolute()}" for f in store_tweet_files(path, releases)]
            df = spark.read.option("mergeSchema", "true").parquet(*files)
        else:
            if releases:
                raise UsageError("--release chooses releases of a store, and "
                                 f"{source} is not a casebook store")
            from casebook import load_release

            frame = load_release(path, columns=columns).tweets
            return spark_tweets(spark, frame, kinds=kinds)
    else:
        from casebook._arrow import tweets_table

        frame = tweets_frame(source)
        if not isinstance(frame, pd.DataFrame):  # pragma: no cover - tweets_frame raises
            raise TypeError("expected tweets")
        df = spark.createDataFrame(tweets_table(frame, columns))
    missing = [c for c in ("userid", "tweet_time", *(c for k in kinds for c in NEEDS[k]))
               if c not in df.columns]
    if missing:
        raise UsageError(f"the tweets have no {', '.join(map(repr, missing))} column")
    if not isinstance(df.schema["tweet_time"].dataType, LongType):
        # a Spark timestamp (microseconds): as nanoseconds, like the store's times
        df = df.withColumn("tweet_time", F.unix_micros(F.col("tweet_time").cast("timestamp"))
                           * F.lit(1000))
    return df.select(*[c for c in columns if c in df.columns])


# --------------------------------------------------------------------------- keys


@functools.cache
def lower_table() -> tuple[str, str]:
    """(characters, their lowercase): every code point Arrow's ``utf8_lower`` changes.

    Arrow lowercases each code point on its own (utf8proc's simple mapping); Spark's
    ``lower`` is ICU's full, context-sensitive mapping (a final ``Σ`` becomes ``ς``,
    ``İ`` becomes two characters) on older Unicode tables. ``translate`` with this table
    is Arrow's ``utf8_lower`` exactly.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cps = np.arange(0x110000, dtype=np.uint32)
    cps = cps[(cps < 0xD800) | (cps > 0xDFFF)]  # every code point but the surrogates
    text = cps.astype("<u4").tobytes().decode("utf-32-le")
    lowered = pc.utf8_lower(pa.array([text], pa.string()))[0].as_py()
    if len(lowered) != len(text):  # pragma: no cover - utf8proc maps code point to code point
        raise RuntimeError("pyarrow's utf8_lower changed the number of characters")
    changed = [i for i, (a, b) in enumerate(zip(text, lowered, strict=True)) if a != b]
    return "".join(text[i] for i in changed), "".join(lowered[i] for i in changed)


def _trimmed(col: Column) -> Column:
    """Unicode whitespace removed from both ends (Arrow's ``utf8_trim_whitespace``)."""
    from pyspark.sql import functions as F

    return F.regexp_replace(col, rf"^{WHITESPACE}+|{WHITESPACE}+\z", "")


def _filled(col: Column) -> Column:
    """Present and not empty (of a trimmed or normalised string: not blank)."""
    from pyspark.sql import functions as F

    return col.isNotNull() & (F.length(col) > 0)


def normalised(col: Column) -> Column:
    """CNT's text normalisation (:func:`~casebook.coordination.normalise_text`) in Spark SQL."""
    from pyspark.sql import functions as F

    upper, lower = lower_table()
    out = F.translate(col, upper, lower)
    out = F.regexp_replace(out, MENTION, "")
    out = F.regexp_replace(out, f"{WHITESPACE}+", " ")
    return F.regexp_replace(out, r"^ | \z", "")


#: Kinds whose keys are mapped by Python over their distinct values (no Spark built-in
#: gives the local engine's result): case folding and the public-suffix lookup.
MAPPED_KINDS: tuple[str, ...] = ("co_hashtag", "co_domain")
_EVENT = "struct<kind:string,key:string>"


#: What to do with a kind the Spark engine does not compute.
_SPARK_HINT = "compute it with --engine local (near_duplicate's MinHash LSH runs there only)"


def check_spark_kinds(kinds: Sequence[str]) -> None:
    """:class:`~casebook.errors.UsageError` for a kind the Spark engine does not compute."""
    from casebook.coordination.network import check_engine_kinds

    check_engine_kinds(kinds, engine="spark", supported=SPARK_KINDS, hint=_SPARK_HINT)


def _mapped_batches(batches: Any) -> Any:
    """Arrow batches of distinct ``(kind, value)`` -> ``(kind, value, mapped)``: a
    hashtag case-folded by Python (as :func:`casebook.coordination.kinds.list_events`),
    a URL's registered domain by :func:`~casebook.content.registered_domains` ("" for
    none)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from casebook import schema

    for batch in batches:  # loop over batches of distinct values, never over tweets
        kind, value = batch.column(0), batch.column(1)
        is_tag = pc.equal(kind, "co_hashtag").to_numpy(zero_copy_only=False)
        values = value.to_pylist()
        out = [v.casefold() if t else None for v, t in zip(values, is_tag, strict=True)]
        if not is_tag.all():
            from casebook.content import registered_domains

            urls = [v for v, t in zip(values, is_tag, strict=True) if not t]
            domains = registered_domains(pd.Series(pd.array(urls, dtype=schema.STRING)))
            it = iter(domains.fillna("").astype(object).tolist())
            out = [o if t else next(it) for o, t in zip(out, is_tag, strict=True)]
        yield pa.RecordBatch.from_arrays([kind, value, pa.array(out, pa.string())],
                                         names=["kind", "value", "mapped"])


def _kind_keys(kind: str) -> Column:
    """``array<struct<kind, key>>`` of one tweet for ``kind`` (null: no key), before the
    blank keys are dropped."""
    from pyspark.sql import functions as F

    def one(key: Column) -> Column:
        return F.array(F.struct(F.lit(kind).alias("kind"), key.alias("key")))

    if kind == "co_post":
        return one(F.lit(""))
    rows = F.col("is_rt") if kind == "co_retweet" else ~F.col("is_rt")
    if kind in SCALAR_KEYS:
        keys = one(_trimmed(F.col(SCALAR_KEYS[kind])))
    elif kind == "co_tweet":
        keys = one(normalised(F.col("tweet_text")))
    elif kind in LIST_KEYS:
        def key(value: Column) -> Column:
            out = _trimmed(value)
            if kind == "co_hashtag":
                out = F.regexp_replace(out, "^#+", "")
            return F.struct(F.lit(kind).alias("kind"), out.alias("key"))

        keys = F.transform(F.col(LIST_KEYS[kind]), key)
    else:  # pragma: no cover - checked before
        raise UsageError(f"unknown kind {kind!r}")
    return F.when(rows, keys)


def kind_events(tweets: DataFrame, kinds: Sequence[str]) -> DataFrame:
    """One row per (kind, tweet, key) of ``kinds``: ``kind, row, user, sec, key``.

    ``tweets`` is :func:`_usable`'s frame (``row, user, sec, is_rt`` and the columns);
    every kind's keys come from one pass over it.
    """
    from pyspark.sql import functions as F

    check_spark_kinds(kinds)
    none = F.array().cast(f"array<{_EVENT}>")
    # a key repeated in a tweet (a hashtag twice) is one event; keys that only mapping
    # makes equal (two spellings of a hashtag) give repeated pairs, which the distinct
    # (tweet of A, account B) of weights() counts once
    keys = F.array_distinct(F.concat(*[
        F.coalesce(_kind_keys(k).cast(f"array<{_EVENT}>"), none) for k in kinds]))
    # a blank key never matches (co_post has none: its key is "")
    kept = (F.col("kind") == "co_post") | _filled(_trimmed(F.col("key")))
    events = (tweets.select("row", "user", "sec", F.explode(keys).alias("e"))
              .select("e.kind", "row", "user", "sec", "e.key").where(kept))
    mapped = [k for k in kinds if k in MAPPED_KINDS]
    if mapped:
        events = events.withColumnRenamed("key", "value")
        mapping = (events.where(F.col("kind").isin(mapped)).select("kind", "value").distinct()
                   .mapInArrow(_mapped_batches, "kind string, value string, mapped string"))
        events = (events.join(mapping, ["kind", "value"], "left")
                  .select("kind", "row", "user", "sec",
                          F.when(F.col("kind").isin(mapped), F.col("mapped"))
                          .otherwise(F.col("value")).alias("key"))
                  .where(kept))
    return events


def _floor_div(column: str, by: int) -> Column:
    """``column // by`` in integers (``/`` would go through doubles)."""
    from pyspark.sql import functions as F

    # pmod is never negative, so the difference is a multiple of ``by`` and div is exact
    return F.expr(f"(`{column}` - pmod(`{column}`, {int(by)})) div {int(by)}")


def _usable(tweets: DataFrame) -> DataFrame:
    """Tweets with ``userid`` and ``tweet_time``: ``row`` (a unique id), ``user``,
    ``sec`` (floor of the seconds), ``is_rt`` and the other columns."""
    from pyspark.sql import functions as F

    is_rt = F.lit(False)
    if "is_retweet" in tweets.columns:
        is_rt = F.coalesce(F.col("is_retweet"), F.lit(False))
    if "retweet_tweetid" in tweets.columns:
        is_rt = is_rt | _filled(_trimmed(F.col("retweet_tweetid")))
    ns = F.col("tweet_time")
    # integer floor division: times before 1970 round down, as numpy's // does
    sec = _floor_div("tweet_time", _NS)
    return (tweets.where(F.col("userid").isNotNull() & ns.isNotNull())
            .withColumn("row", F.monotonically_increasing_id())
            .withColumn("user", F.col("userid"))
            .withColumn("sec", sec)
            .withColumn("is_rt", is_rt))


def weights(events: DataFrame, w: int) -> DataFrame:
    """``kind, source, target, weight`` of events (``kind, row, user, sec, key``) for a
    window of ``w`` seconds; all kinds go through one join."""
    from pyspark.sql import functions as F

    binned = events.withColumn("bin", _floor_div("sec", w))
    a = binned.select("kind", F.col("row").alias("row_a"), F.col("user").alias("source"),
                      F.col("sec").alias("sec_a"), "key", "bin")
    # every event of B in its own bin and both neighbours: |dt| <= w is at most one bin apart
    b = binned.select("kind", F.col("user").alias("target"), F.col("sec").alias("sec_b"), "key",
                      F.explode(F.array(F.col("bin") - 1, F.col("bin"), F.col("bin") + 1))
                      .alias("bin"))
    pairs = (a.join(b, ["kind", "key", "bin"])
             .where((F.col("source") != F.col("target"))
                    & (F.abs(F.col("sec_a") - F.col("sec_b")) <= F.lit(w))))
    # distinct tweets of A per (A, B): one row per (tweet of A, B), counted per (A, B)
    return (pairs.select("kind", "row_a", "source", "target").distinct()
            .groupBy("kind", "source", "target").agg(F.count(F.lit(1)).alias("weight")))


def spark_networks(
    source: Any,
    *,
    kinds: str | Sequence[str] = SPARK_DEFAULT_KINDS,
    window: Any = "1min",
    min_weight: int = 1,
    spark: SparkSession | None = None,
    master: str | None = None,
    releases: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Coordination networks computed by Spark: the frame :func:`networks` gives.

    Parameters
    ----------
    source
        A ``Release`` or tweets frame, a release folder, a casebook store (on storage
        every executor sees), or a Spark DataFrame of tweets.
    kinds, window, min_weight
        As for :func:`casebook.coordination.networks`; every kind of :data:`SPARK_KINDS`.
    spark
        A session; default :func:`spark_session` with ``master``.
    master
        The master URL of a new session (``local[2]``, ``spark://HOST:7077``, ``yarn``).
    releases
        With a store: the releases to read (default all of them, as one set of tweets).

    Returns
    -------
    pandas.DataFrame
        ``source, target, weight, kind``, ordered by ``kinds``, then weight
        (descending), source and target: equal to ``networks(...)`` on the same tweets.

    Examples
    --------
    >>> edges = spark_networks("data/store", kinds=["co_retweet", "co_tweet"],
    ...                        master="local[2]")  # doctest: +SKIP
    """
    from casebook.coordination.network import edges_from_arrow, empty_edges, engine_arguments

    chosen, w, mw = engine_arguments(kinds, window, min_weight, engine="spark",
                                     supported=SPARK_KINDS, hint=_SPARK_HINT)
    if not chosen:
        return empty_edges()
    spark = spark or spark_session(master)
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    tweets = _usable(spark_tweets(spark, source, kinds=chosen, releases=releases))
    # row ids are given once: both sides of the join (and the mapping) read the same ones
    tweets = tweets.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        events = kind_events(tweets, chosen)
        table = weights(events, w).where(F.col("weight") >= mw).toArrow()
    finally:
        tweets.unpersist()
    return edges_from_arrow(table, chosen)


