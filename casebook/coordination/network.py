"""Coordination networks of one kind or several, and the tweet pairs behind an edge.

``weight(A -> B)`` is the number of distinct tweets of A that have at least one tweet of
B (B != A) with the same key within ``|dt| <= window`` (inclusive); see
:mod:`casebook.coordination` for the keys of each kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from casebook import schema
from casebook._frames import sorted_distinct
from casebook._threads import mapped
from casebook.coordination.engine import MAX_PAIRS, Events, matching_pairs, ordered, weights
from casebook.coordination.kinds import (
    DEFAULT_KINDS,
    Prepared,
    check_kind,
    events,
    prepare,
    tweets_frame,
)
from casebook.coordination.near_duplicate import NearDuplicateOptions
from casebook.errors import UsageError

__all__ = ["coordination_network", "edge_evidence", "networks", "parse_window"]

#: Columns of an edges frame.
EDGE_COLUMNS: tuple[str, ...] = ("source", "target", "weight", "kind")
#: Columns of an evidence frame (:func:`edge_evidence`).
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "source", "target", "kind", "source_tweetid", "target_tweetid", "source_time",
    "target_time", "dt_seconds", "key", "similarity", "source_text", "target_text",
)
_EVIDENCE_ORDER = ["source", "target", "source_time", "source_tweetid", "target_time",
                   "target_tweetid", "key"]

Window = str | float | timedelta | np.timedelta64
T = TypeVar("T")


def parse_window(window: Window) -> pd.Timedelta:
    """Read a coordination window and check that the archive's clock can resolve it.

    Parameters
    ----------
    window
        A pandas offset string (``"1min"``, ``"90s"``, ``"2min"``), a number of seconds,
        or a timedelta.

    Returns
    -------
    pandas.Timedelta

    Raises
    ------
    casebook.errors.UsageError
        (a ``ValueError``) When the window is shorter than one minute: ``tweet_time`` in
        the archive has minute resolution, so two tweets in the same minute are
        indistinguishable and a window of, say, 30 s would silently mean "the same
        minute".

    Examples
    --------
    >>> parse_window("1min")
    Timedelta('0 days 00:01:00')
    >>> parse_window(120)
    Timedelta('0 days 00:02:00')
    """
    if isinstance(window, bool):
        raise TypeError("window must be a duration such as '1min' or a number of seconds")
    try:
        if isinstance(window, int | float | np.integer | np.floating):
            td = pd.Timedelta(seconds=float(window))
        else:
            td = pd.Timedelta(window)
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f"cannot read window {window!r}",
            hint="give a duration such as '1min', '90s', '2min' or a number of seconds",
        ) from exc
    if pd.isna(td) or td < pd.Timedelta(minutes=1):
        raise UsageError(
            f"window {window!r} is shorter than one minute: the archive records "
            "tweet_time to the minute (seconds are always :00), so tweets in the same "
            "minute cannot be told apart and a sub-minute window has no meaning",
            hint="use '1min' (same or adjacent minute) or longer",
        )
    return td


def window_seconds(window: Window) -> int:
    """:func:`parse_window` in whole seconds."""
    return int(parse_window(window) // pd.Timedelta(seconds=1))


def check_min_weight(min_weight: int) -> int:
    """``min_weight`` as an int, or :class:`~casebook.errors.UsageError` unless >= 1."""
    if isinstance(min_weight, bool) or int(min_weight) != min_weight or min_weight < 1:
        raise UsageError(f"min_weight must be an integer >= 1, got {min_weight!r}")
    return int(min_weight)


def unique_kinds(kinds: str | Sequence[str]) -> list[str]:
    """Checked kinds, each once, in the given order."""
    chosen = list(dict.fromkeys([kinds] if isinstance(kinds, str) else kinds))
    for k in chosen:
        check_kind(k)
    return chosen


def per_kind(fn: Callable[[str], T], kinds: Sequence[str]) -> list[T]:
    """``fn(kind)`` for each kind, one per thread (:func:`casebook._threads.threads`) at a
    time, in order."""
    # kinds on threads (numpy and pyarrow release the GIL);
    # guarded by tests/coordination/test_network.py::test_networks_is_the_union_of_single_kinds
    return mapped(fn, kinds, name="kind")


def empty_edges() -> pd.DataFrame:
    """An edges frame without rows."""
    return pd.DataFrame({
        "source": pd.array([], dtype=schema.STRING), "target": pd.array([], dtype=schema.STRING),
        "weight": np.zeros(0, np.int64), "kind": pd.array([], dtype=schema.STRING),
    })


def edges_from_arrow(table: pa.Table, kinds: Sequence[str]) -> pd.DataFrame:
    """Edges an engine computed (Arrow ``source, target, weight, kind``) as :func:`networks`
    orders and types them."""
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return empty_edges()
    table = table.select(["source", "target", "weight", "kind"]).cast(pa.schema([
        ("source", pa.string()), ("target", pa.string()), ("weight", pa.int64()),
        ("kind", pa.string())]))
    rank = pc.index_in(table["kind"], value_set=pa.array(list(kinds)))
    table = table.append_column("rank", rank)
    # Arrow compares strings by their UTF-8 bytes, as the local engine's sorted user codes
    table = table.sort_by([("rank", "ascending"), ("weight", "descending"),
                           ("source", "ascending"), ("target", "ascending")])
    return pd.DataFrame({
        "source": pd.array(table["source"], dtype=schema.STRING),
        "target": pd.array(table["target"], dtype=schema.STRING),
        "weight": table["weight"].to_numpy().astype(np.int64),
        "kind": pd.array(table["kind"], dtype=schema.STRING),
    })


def engine_arguments(kinds: str | Sequence[str], window: Window, min_weight: int, *,
                     engine: str, supported: Sequence[str],
                     hint: str) -> tuple[list[str], int, int]:
    """The checked kinds (each once), window in seconds and minimum weight of a run of
    another engine than the local one; :class:`~casebook.errors.UsageError` for a kind
    outside ``supported`` (:func:`check_engine_kinds`)."""
    chosen = unique_kinds(kinds)
    check_engine_kinds(chosen, engine=engine, supported=supported, hint=hint)
    return chosen, window_seconds(window), check_min_weight(min_weight)


def check_engine_kinds(kinds: Sequence[str], *, engine: str, supported: Sequence[str],
                       hint: str) -> None:
    """:class:`~casebook.errors.UsageError` naming the kinds ``engine`` does not compute."""
    other = [k for k in kinds if k not in supported]
    if other:
        raise UsageError(f"{', '.join(other)} is not computed by the {engine} engine (it "
                         f"computes {', '.join(supported)})", hint=hint)


def edges_frame(prep: Prepared, codes: np.ndarray, weights_: np.ndarray, kind: str) -> pd.DataFrame:
    if len(codes) == 0:
        return empty_edges()
    # codes are sorted (source, target), user codes follow the sorted ids: a stable sort
    # by weight gives weight (descending), then source and target
    order = np.argsort(-weights_, kind="stable")
    codes = codes[order]
    return pd.DataFrame({
        "source": prep.ids(codes // prep.n_users),
        "target": prep.ids(codes % prep.n_users),
        "weight": weights_[order].astype(np.int64),
        "kind": pd.array(pa.repeat(pa.scalar(kind, pa.string()), len(order)), dtype=schema.STRING),
    })


def kind_network(
    prep: Prepared, kind: str, w: int, min_weight: int,
    near_duplicate: NearDuplicateOptions | None, max_pairs: int,
) -> tuple[pd.DataFrame, Events, np.ndarray]:
    """(edges, the kind's events, the kept pair codes) of one kind."""
    # sorted once by (key, time): the weights and the group rule's bursts share the order
    ev = ordered(events(prep, kind, near_duplicate=near_duplicate))
    codes, wts = weights(ev, w, prep.ucode, prep.n_users, max_pairs=max_pairs)
    keep = wts >= min_weight
    return edges_frame(prep, codes[keep], wts[keep], kind), ev, codes[keep]


def coordination_network(
    tweets: Any,
    *,
    kind: str = "co_retweet",
    window: Window = "1min",
    min_weight: int = 1,
    evidence: bool = False,
    near_duplicate: NearDuplicateOptions | None = None,
    max_pairs: int = MAX_PAIRS,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Directed coordination network of one kind.

    ``weight(A -> B)`` is the number of distinct tweets of A that have at least one
    tweet of B (B != A) with the same key within ``|dt| <= window`` (inclusive). Keys per
    kind are listed in the :mod:`casebook.coordination` documentation; for
    ``co_retweet``, ``co_tweet``, ``co_link`` and ``co_reply`` the result equals
    coordination-network-toolkit 1.5.2's network with self-pairs dropped (except that
    empty URLs and empty normalised texts never match, and a tweet never matches itself).

    Parameters
    ----------
    tweets
        Tweets with the dtypes of :data:`casebook.schema.TWEET_DTYPES`, or a ``Release``.
    kind
        One of :data:`~casebook.coordination.KINDS`.
    window
        Largest time difference that still counts, ``"1min"`` by default (same or
        adjacent minute). Under one minute raises ``UsageError`` (minute-resolution clock).
    min_weight
        Drop edges lighter than this.
    evidence
        Also return the tweet pairs behind every kept edge (see :func:`edge_evidence`).
    near_duplicate
        Options of the ``near_duplicate`` kind (:class:`NearDuplicateOptions`; default
        its defaults).
    max_pairs
        Memory guard: about this many tweet pairs are expanded at once.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        Edges ``source, target, weight, kind`` sorted by weight (descending), then
        source and target; with ``evidence=True`` also the evidence table.

    Examples
    --------
    >>> edges = coordination_network(release, kind="co_retweet")  # doctest: +SKIP
    >>> edges, pairs = coordination_network(release, kind="co_tweet", min_weight=3,
    ...                                     evidence=True)  # doctest: +SKIP
    """
    return networks(tweets, kinds=[kind], window=window, min_weight=min_weight,
                    evidence=evidence, near_duplicate=near_duplicate, max_pairs=max_pairs)


def networks(
    tweets: Any,
    *,
    kinds: str | Sequence[str] = DEFAULT_KINDS,
    window: Window = "1min",
    min_weight: int = 1,
    evidence: bool = False,
    near_duplicate: NearDuplicateOptions | None = None,
    max_pairs: int = MAX_PAIRS,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Several coordination networks at once, as one long frame with a ``kind`` column.

    Same semantics and parameters as :func:`coordination_network`; the tweets are
    prepared once for all kinds, and the kinds are computed on threads, one per core
    (:func:`casebook._threads.threads`).
    Rows are ordered by ``kinds``, then weight (descending), source and target; with
    ``evidence=True`` the evidence of every kind follows in a second frame, in the same
    kind order.

    Examples
    --------
    >>> long = networks(release, kinds=["co_retweet", "co_tweet", "co_hashtag"])  # doctest: +SKIP
    >>> long.pivot_table(index=["source", "target"], columns="kind", values="weight")  # doctest: +SKIP
    """
    df = tweets_frame(tweets)
    chosen = unique_kinds(kinds)
    w = window_seconds(window)
    mw = check_min_weight(min_weight)
    prep = prepare(df, chosen)

    def one(kind: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        edges, ev, kept = kind_network(prep, kind, w, mw, near_duplicate, max_pairs)
        pairs = evidence_pairs(prep, ev, w, kind, kept, max_pairs=max_pairs) if evidence else None
        return edges, pairs

    results = per_kind(one, chosen)
    edges = _concat([e for e, _ in results], empty_edges)
    if not evidence:
        return edges
    return edges, _concat([p for _, p in results], lambda: evidence_pairs(
        prep, Events.empty(), w, "", np.zeros(0, np.int64), max_pairs=max_pairs))


def _concat(frames: list[Any], empty: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    if len(frames) == 1:
        return frames[0]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty()


def _take(df: pd.DataFrame, col: str, pos: np.ndarray) -> Any:
    if col not in df.columns:
        return pd.array([pd.NA] * len(pos), dtype=schema.STRING)
    return df[col].iloc[pos].reset_index(drop=True).array


def evidence_pairs(
    prep: Prepared, ev: Events, w: int, kind: str, allowed: np.ndarray, *, max_pairs: int
) -> pd.DataFrame:
    """Every (tweet of A, tweet of B) pair behind the allowed directed pair codes."""
    n = prep.n_users
    allowed = sorted_distinct(allowed)
    parts_a, parts_b = [], []
    if len(allowed):
        for ia, ib in matching_pairs(ev, w, max_pairs=max_pairs):
            keep = np.isin(ev.user[ia].astype(np.int64, copy=False) * n + ev.user[ib], allowed)
            parts_a.append(ia[keep])
            parts_b.append(ib[keep])
    ia = np.concatenate(parts_a) if parts_a else np.zeros(0, np.int64)
    ib = np.concatenate(parts_b) if parts_b else np.zeros(0, np.int64)
    df = prep.df
    pos_a, pos_b = ev.pos[ia], ev.pos[ib]
    if ev.labels is not None and kind != "co_post":
        key = pd.array(ev.labels.take(pa.array(ev.key[ia], pa.int64())), dtype=schema.STRING)
    else:
        key = pd.array([pd.NA] * len(ia), dtype=schema.STRING)
    sim = ev.similarity(pos_a, pos_b) if ev.similarity is not None else np.full(len(ia), np.nan)
    out = pd.DataFrame({
        "source": prep.ids(ev.user[ia]),
        "target": prep.ids(ev.user[ib]),
        "kind": pd.array(np.full(len(ia), kind, dtype=object), dtype=schema.STRING),
        "source_tweetid": _take(df, "tweetid", pos_a),
        "target_tweetid": _take(df, "tweetid", pos_b),
        "source_time": _take(df, "tweet_time", pos_a),
        "target_time": _take(df, "tweet_time", pos_b),
        "dt_seconds": (prep.sec[pos_b] - prep.sec[pos_a]).astype(np.int64),
        "key": key,
        "similarity": pd.array(sim, dtype="Float64"),
        "source_text": _take(df, "tweet_text", pos_a),
        "target_text": _take(df, "tweet_text", pos_b),
    })
    return out.sort_values(_EVIDENCE_ORDER, kind="stable", ignore_index=True)


def edge_evidence(
    tweets: Any,
    source: str,
    target: str,
    *,
    kind: str,
    window: Window = "1min",
    near_duplicate: NearDuplicateOptions | None = None,
) -> pd.DataFrame:
    """The tweet pairs behind the edge ``source -> target`` of one kind.

    One row per (tweet of ``source``, matching tweet of ``target``, shared key): a
    source tweet sharing two hashtags with a target tweet gives two rows. The edge
    weight is ``result.source_tweetid.nunique()``.

    Parameters
    ----------
    tweets
        Tweets (or a ``Release``).
    source, target
        Account ids (``userid``). Equal ids give an empty table (self-pairs are never
        edges).
    kind, window, near_duplicate
        As for :func:`coordination_network`.

    Returns
    -------
    pandas.DataFrame
        ``source, target, kind, source_tweetid, target_tweetid, source_time,
        target_time, dt_seconds, key, similarity, source_text, target_text``; ``key`` is
        the shared retweeted id / normalised text / URL / domain / hashtag / mentioned
        id / replied-to id (missing for ``near_duplicate`` and ``co_post``);
        ``similarity`` is the estimated Jaccard similarity (``near_duplicate`` only).
        Sorted by source time, then tweet ids.

    Examples
    --------
    >>> edges = coordination_network(release, kind="co_tweet")  # doctest: +SKIP
    >>> top = edges.iloc[0]  # doctest: +SKIP
    >>> edge_evidence(release, top.source, top.target, kind="co_tweet")  # doctest: +SKIP
    """
    df = tweets_frame(tweets)
    check_kind(kind)
    w = window_seconds(window)
    sub = df[df["userid"].isin([source, target]).fillna(False).to_numpy(dtype=bool)]
    prep = prepare(sub)
    ids = pd.Index(prep.user_ids.to_pylist())
    cs, ct = ids.get_indexer([source, target])
    ev = events(prep, kind, near_duplicate=near_duplicate)
    allowed = np.array([cs * prep.n_users + ct]) if cs >= 0 and ct >= 0 and cs != ct else []
    return evidence_pairs(prep, ev, w, kind, np.asarray(allowed, np.int64), max_pairs=MAX_PAIRS)
