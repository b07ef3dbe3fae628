"""Communities: Louvain groups of the projected network, and what binds each group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook import schema
from casebook._arrow import as_strings, combined
from casebook.coordination.groups import GROUP_KIND
from casebook.coordination.kinds import KINDS, LIST_KEYS, list_events, prepare, tweets_frame
from casebook.coordination.network import check_min_weight

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = ["detect_communities", "summarise_communities"]


def undirected(edges: pd.DataFrame, kinds: Sequence[str] | None, min_weight: int = 1) -> pd.DataFrame:
    """Directed edges (of the chosen kinds; default all but ``co_post``) projected to
    undirected summed weights ``a, b, weight`` (``a < b``), the lighter than
    ``min_weight`` dropped."""
    e = edges
    if "kind" in e.columns:
        # group edges (casebook.coordination.groups) count like any kind's
        chosen = ([k for k in (*KINDS, GROUP_KIND) if k != "co_post"] if kinds is None
                  else list(kinds))
        e = e[e["kind"].isin(chosen).to_numpy(dtype=bool)]
    s = e["source"].astype(str).to_numpy(object)
    t = e["target"].astype(str).to_numpy(object)
    swap = s > t
    a, b = np.where(swap, t, s), np.where(swap, s, t)
    proj = (
        pd.DataFrame({"a": a, "b": b, "weight": e["weight"].to_numpy(dtype=np.int64)})
        .loc[lambda d: d["a"] != d["b"]]
        .groupby(["a", "b"], sort=True, as_index=False)["weight"].sum()
    )
    return proj[proj["weight"] >= check_min_weight(min_weight)]


def projected_graph(proj: pd.DataFrame) -> nx.Graph:
    """A networkx graph of :func:`undirected` edges, nodes added in sorted order (so
    layouts and Louvain are deterministic)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(proj["a"]) | set(proj["b"])))
    graph.add_weighted_edges_from(proj.itertuples(index=False, name=None))
    return graph


def detect_communities(
    edges: pd.DataFrame,
    *,
    kinds: Sequence[str] | None = None,
    min_weight: int = 1,
    resolution: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Louvain communities of the projected (undirected, summed-weight) network.

    The directed edges (of ``kinds``; default every kind but the ``co_post`` baseline)
    are summed per unordered account pair; pairs lighter than ``min_weight`` are dropped;
    :func:`networkx.community.louvain_communities` runs with the given ``seed`` on a graph
    built in sorted order, so the result is deterministic.

    Returns
    -------
    pandas.DataFrame
        ``userid, community, community_size``: community 0 is the largest; ties are
        ordered by their smallest account id. Rows are sorted by community, then userid.

    Examples
    --------
    >>> comms = detect_communities(networks(release), seed=0)  # doctest: +SKIP
    """
    import networkx as nx

    proj = undirected(edges, kinds, min_weight)
    if proj.empty:
        return pd.DataFrame({
            "userid": pd.array([], dtype=schema.STRING),
            "community": np.zeros(0, np.int64), "community_size": np.zeros(0, np.int64),
        })
    found = nx.community.louvain_communities(
        projected_graph(proj), weight="weight", resolution=resolution, seed=seed
    )
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    sizes = np.array([len(c) for c in ordered], dtype=np.int64)
    labels = np.repeat(np.arange(len(ordered), dtype=np.int64), sizes)
    return pd.DataFrame({
        "userid": pd.array([u for c in ordered for u in c], dtype=schema.STRING),
        "community": labels,
        "community_size": np.repeat(sizes, sizes),
    })


def _lists_by(frame: pd.DataFrame, by: str, column: str) -> dict[Any, list[str]]:
    """{group: [values of column, in frame order]} (plain Python lists of str)."""
    return {g: [str(v) for v in part[column].tolist()] for g, part in frame.groupby(by, sort=True)}


def _top_values(
    frame: pd.DataFrame, column: str, n: int, *, counts: bool = True
) -> dict[Any, list[str]]:
    """Per community, the n most frequent values (ties alphabetical), as lists of
    ``"value (count)"`` or of bare values."""
    if frame.empty:
        return {}
    top = (
        frame.groupby(["community", column], sort=False).size().rename("n").reset_index()
        .sort_values(["community", "n", column], ascending=[True, False, True], kind="stable")
        .groupby("community", sort=True).head(n)
    )
    label = top[column].astype(str)
    if counts:
        label = label + " (" + top["n"].astype(str) + ")"
    return _lists_by(top.assign(label=label), "community", "label")


def _top_codes(community: np.ndarray, codes: np.ndarray, labels: pa.Array, n: int, *,
               counts: bool = True) -> dict[Any, list[str]]:
    """:func:`_top_values` of values given as integer codes into distinct ``labels``: counted
    on the codes, so no string is hashed or compared but the distinct ones, once;
    guarded by tests/coordination/test_communities.py::test_top_codes_equal_top_values
    """
    if len(codes) == 0:
        return {}
    # rank of each label in string order: UTF-8 bytes sort as code points, which is how
    # Python compares str (what sort_values did on the object column)
    by_text = pc.array_sort_indices(labels).to_numpy(zero_copy_only=False)
    rank = np.empty(len(labels), np.int64)
    rank[by_text] = np.arange(len(labels))
    comms, comm_code = np.unique(community, return_inverse=True)
    m = np.int64(len(labels))
    key = np.sort(comm_code.astype(np.int64) * m + rank[codes])
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    u, cnt = key[first], np.diff(np.r_[first, len(key)])
    c, r = u // m, u % m
    order = np.lexsort((r, -cnt, c))  # community, most frequent first, then string order
    c, r, cnt = c[order], r[order], cnt[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    within = np.arange(len(c)) - np.repeat(starts, np.diff(np.r_[starts, len(c)]))
    top = within < n
    c, r, cnt = c[top], r[top], cnt[top]
    text = labels.take(pa.array(by_text[r])).to_pylist()
    if counts:
        text = [f"{v} ({k})" for v, k in zip(text, cnt.tolist(), strict=True)]  # top n only
    bounds = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    ends = np.r_[bounds[1:], len(c)]
    return {comms[c[b]].item(): text[b:e] for b, e in zip(bounds, ends, strict=True)}


def summarise_communities(
    tweets: Any,
    edges: pd.DataFrame,
    communities: pd.DataFrame,
    *,
    n_top: int = 5,
    n_samples: int = 3,
) -> pd.DataFrame:
    """Describe each community: who, when, what they pushed, and what binds them.

    Parameters
    ----------
    tweets
        The tweets (or ``Release``) the edges came from.
    edges
        Directed edges (one kind or a long frame from
        :func:`~casebook.coordination.networks`).
    communities
        The output of :func:`detect_communities`.
    n_top
        How many hashtags and domains to list.
    n_samples
        How many sample texts to list (the most repeated original texts).

    Returns
    -------
    pandas.DataFrame
        One row per community: ``community, n_accounts, accounts`` (sorted ids),
        ``n_tweets, first_tweet, last_tweet`` (all tweets of its accounts),
        ``top_hashtags, top_domains`` (``"value (count)"``, case-folded hashtags,
        registered domains), ``sample_texts``, ``binding_kinds`` (kinds of the edges
        inside the community, heaviest first), ``internal_weight`` (sum of those edges'
        weights) and ``internal_edges``.
    """
    df = tweets_frame(tweets)
    comm = communities[["userid", "community"]].astype({"userid": str})
    base = (
        comm.groupby("community", sort=True)
        .agg(n_accounts=("userid", "size"), accounts=("userid", lambda s: sorted(s)))
    )
    member = pd.Series(comm["community"].to_numpy(), index=pd.Index(comm["userid"]))
    tw_comm = df["userid"].astype(str).map(member)
    in_comm = tw_comm.notna().to_numpy()
    # only the columns read below are copied
    wanted = ["tweetid", "userid", "tweet_time", "is_retweet", "retweet_tweetid", "tweet_text",
              *sorted(set(LIST_KEYS.values()))]
    sub = (df[[c for c in df.columns if c in wanted]].loc[in_comm]
           .assign(community=tw_comm[in_comm].astype(np.int64).to_numpy()))
    times = sub.groupby("community", sort=True)["tweet_time"].agg(["size", "min", "max"])
    base = base.assign(
        n_tweets=times["size"].reindex(base.index).fillna(0).astype(np.int64),
        first_tweet=times["min"].reindex(base.index),
        last_tweet=times["max"].reindex(base.index),
    )
    prep = prepare(sub.reset_index(drop=True))
    original = prep.ok & ~prep.is_rt
    pieces: dict[str, dict[Any, list[str]]] = {}
    for kind, name in (("co_hashtag", "top_hashtags"), ("co_domain", "top_domains")):
        if LIST_KEYS[kind] in sub.columns:
            ev = list_events(prep, kind, prep.ok, domain_source=df.get(LIST_KEYS[kind]))
            pieces[name] = _top_codes(sub["community"].to_numpy()[ev.pos], ev.key, ev.labels,
                                      n_top)
    if "tweet_text" in sub.columns:
        text = pc.dictionary_encode(combined(as_strings(sub["tweet_text"])))
        codes = pc.fill_null(text.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        use = original & (codes >= 0)
        pieces["sample_texts"] = _top_codes(sub["community"].to_numpy()[use], codes[use],
                                            text.dictionary, n_samples, counts=False)
    for name in ("top_hashtags", "top_domains", "sample_texts"):
        found = pieces.get(name, {})
        base[name] = pd.Series([found.get(c, []) for c in base.index], index=base.index,
                               dtype=object)

    e = edges.assign(
        cs=edges["source"].astype(str).map(member), ct=edges["target"].astype(str).map(member)
    )
    inside = e[(e["cs"] == e["ct"]) & e["cs"].notna()]
    if "kind" not in inside.columns:
        inside = inside.assign(kind="edges")
    per_kind = (
        inside.groupby(["cs", "kind"], sort=True)["weight"].sum().rename("w").reset_index()
        .sort_values(["cs", "w", "kind"], ascending=[True, False, True], kind="stable")
    )
    binding = _lists_by(per_kind, "cs", "kind")
    base["binding_kinds"] = pd.Series([binding.get(c, []) for c in base.index],
                                      index=base.index, dtype=object)
    agg = inside.groupby("cs")["weight"].agg(["sum", "size"]).reindex(base.index).fillna(0)
    base["internal_weight"] = agg["sum"].astype(np.int64)
    base["internal_edges"] = agg["size"].astype(np.int64)
    return base.reset_index()
