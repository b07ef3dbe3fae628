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
from casebook.coordination.network import check_min_weight, per_kind

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

    # the columns as Python lists first: iterating a pandas string column (or its rows)
    # converts one element at a time (this took 1.1-1.4 s instead of 0.3-0.4 s for the
    # 140,498 pairs of the Iran specimen at scale 8)
    a, b = proj["a"].tolist(), proj["b"].tolist()
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(a) | set(b)))
    graph.add_weighted_edges_from(zip(a, b, proj["weight"].tolist(), strict=True))
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


#: Largest (communities x distinct values) table :func:`_top_codes` counts in (8 bytes a cell).
COUNT_CELLS = 1 << 22


def _top_codes(community: np.ndarray, codes: np.ndarray, labels: pa.Array, n: int, *,
               counts: bool = True, count_cells: int = COUNT_CELLS) -> dict[Any, list[str]]:
    """:func:`_top_values` of values given as integer codes into distinct ``labels``: counted
    on the codes, so no string is hashed or compared but the distinct ones, once.

    When the communities are small non-negative numbers and (communities x labels) is at
    most ``count_cells``, each (community, value) is counted in a table of that many cells
    instead of sorting every value (a release's hashtags and domains are millions of
    values of a few hundred distinct ones: 0.5-0.7 s of sorting each at specimen scale 8);
    guarded by tests/coordination/test_communities.py::test_top_codes_equal_top_values
    """
    if len(codes) == 0 or n < 1:
        return {}
    m = np.int64(len(labels))
    top_comm = int(community.max())
    if int(community.min()) >= 0 and (top_comm + 1) * int(m) <= count_cells:
        present = np.bincount(community, minlength=top_comm + 1) > 0
        comms = np.flatnonzero(present)
        rank = np.cumsum(present) - 1
        table = np.bincount(rank[community] * m + codes, minlength=len(comms) * int(m))
        u = np.flatnonzero(table)  # the (community, value) cells in key order
        cnt = table[u]
        del table
    else:
        comms, comm_code = np.unique(community, return_inverse=True)
        key = np.sort(comm_code.astype(np.int64) * m + codes)
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        u, cnt = key[first], np.diff(np.r_[first, len(key)])
        del key, first
    c, code = u // m, u % m
    # each community's n-th largest count: values below it cannot be in its top n, so
    # only those at or above it (ties included) are ranked by their strings (a release's
    # distinct texts are millions; a community's top candidates are few, unless tied)
    by_count = np.lexsort((-cnt, c))
    c_sorted = c[by_count]
    starts = np.flatnonzero(np.r_[True, c_sorted[1:] != c_sorted[:-1]])
    size = np.diff(np.r_[starts, len(c_sorted)])
    nth = cnt[by_count][starts + np.minimum(size, n) - 1]  # per community present
    cand = cnt >= nth[np.searchsorted(c_sorted[starts], c)]
    c, code, cnt = c[cand], code[cand], cnt[cand]
    # string order of the candidates: UTF-8 bytes sort as code points, which is how
    # Python compares str (what sort_values did on the object column)
    distinct, which = np.unique(code, return_inverse=True)
    by_text = pc.array_sort_indices(labels.take(pa.array(distinct))).to_numpy(zero_copy_only=False)
    rank = np.empty(len(distinct), np.int64)
    rank[by_text] = np.arange(len(distinct))
    r = rank[which]
    order = np.lexsort((r, -cnt, c))  # community, most frequent first, then string order
    c, code, cnt = c[order], code[order], cnt[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    within = np.arange(len(c)) - np.repeat(starts, np.diff(np.r_[starts, len(c)]))
    top = within < n
    c, code, cnt = c[top], code[top], cnt[top]
    text = labels.take(pa.array(code)).to_pylist()
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
    # the release's own columns, read through account codes and row masks: no copy of its
    # rows (a community's tweets can be most of a release's millions)
    prep = prepare(df)
    at = pc.index_in(prep.user_ids, value_set=pa.array(comm["userid"].to_numpy(object),
                                                        prep.user_ids.type))
    known = pc.is_valid(at)
    user_comm = np.full(prep.n_users + 1, -1, np.int64)  # the last: tweets without an account
    user_comm[:-1][known.to_numpy(zero_copy_only=False)] = comm["community"].to_numpy(np.int64)[
        at.filter(known).to_numpy(zero_copy_only=False)]
    tw_comm = user_comm[prep.ucode]
    in_comm = tw_comm >= 0
    times = df["tweet_time"][in_comm].groupby(tw_comm[in_comm], sort=True).agg(["size", "min", "max"])
    base = base.assign(
        n_tweets=times["size"].reindex(base.index).fillna(0).astype(np.int64),
        first_tweet=times["min"].reindex(base.index),
        last_tweet=times["max"].reindex(base.index),
    )
    rows = prep.ok & in_comm
    listed = {"top_hashtags": "co_hashtag", "top_domains": "co_domain"}

    def piece(name: str) -> dict[Any, list[str]]:
        if name in listed:
            ev = list_events(prep, listed[name], rows)
            return _top_codes(tw_comm[ev.pos], ev.key, ev.labels, n_top)
        original = rows & ~prep.is_rt
        text = pc.dictionary_encode(combined(as_strings(df["tweet_text"]).filter(pa.array(original))))
        codes = pc.fill_null(text.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        use = codes >= 0
        return _top_codes(tw_comm[original][use], codes[use], text.dictionary, n_samples,
                          counts=False)

    # the texts first: the longest piece, so the lists' two share the other thread
    names = ["sample_texts"] if "tweet_text" in df.columns else []
    names += [n for n, kind in listed.items() if LIST_KEYS[kind] in df.columns]
    # side by side: mostly Arrow kernels, which release the GIL (6.0 -> 4.5 s for the 17
    # communities, 749 accounts, of the Iran case on the scale-8 specimen)
    pieces = dict(zip(names, per_kind(piece, names), strict=True))
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
    kind_weight = (
        inside.groupby(["cs", "kind"], sort=True)["weight"].sum().rename("w").reset_index()
        .sort_values(["cs", "w", "kind"], ascending=[True, False, True], kind="stable")
    )
    binding = _lists_by(kind_weight, "cs", "kind")
    base["binding_kinds"] = pd.Series([binding.get(c, []) for c in base.index],
                                      index=base.index, dtype=object)
    agg = inside.groupby("cs")["weight"].agg(["sum", "size"]).reindex(base.index).fillna(0)
    base["internal_weight"] = agg["sum"].astype(np.int64)
    base["internal_edges"] = agg["size"].astype(np.int64)
    return base.reset_index()
