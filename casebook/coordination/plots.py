"""Figures: the projected network with its communities, and edge-weight distributions.

matplotlib, seaborn and networkx are imported when a figure is drawn, so the rest of
:mod:`casebook.coordination` (and ``casebook network``) never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casebook._plotting import legend_beside, literal_text, log_axis, new_ax, percent_axis
from casebook.coordination.communities import projected_graph, undirected

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_network", "plot_weight_distribution"]

#: Characters of an account id shown as a node label (hashed ids are 44 long).
LABEL_CHARS = 8
#: Communities listed in the legend at most (the largest ones).
LEGEND_COMMUNITIES = 10
#: Bins of the log-scaled weight histogram (fewer after rounding to whole weights).
WEIGHT_BINS = 30
_GREY = (0.6, 0.6, 0.6)


def _kinds_label(edges: pd.DataFrame) -> str:
    if "kind" in edges.columns and len(edges):
        return ", ".join(pd.unique(edges["kind"].astype(str)))
    return "edges"


def plot_network(
    edges: pd.DataFrame,
    *,
    communities: pd.DataFrame | None = None,
    kinds: Sequence[str] | None = None,
    min_weight: int = 1,
    seed: int = 0,
    max_labels: int = 40,
    max_nodes: int = 400,
    ax: Axes | None = None,
) -> Axes:
    """Draw the projected coordination network, communities in colour.

    A picture of thousands of accounts informs nobody (and its layout costs minutes), so
    a network of more than ``max_nodes`` accounts is drawn for its strongest communities
    only: whole communities in order of the summed weight of their inner pairs, as many
    as fit (the heaviest-connected accounts of the strongest one when it alone does
    not); the title says how many communities and accounts are left out, for the
    community table to describe.

    Nodes are accounts (labelled with the first 8 characters of the id when there are
    at most ``max_labels``), edges are undirected summed weights (width grows with the
    log of the weight). The spring layout uses ``seed``, so the figure is reproducible.
    Labels never overprint: the best-connected accounts are labelled first and a label
    that would cover one already placed is left out. The community legend sits beside
    the axes, never over the nodes.

    Parameters
    ----------
    edges
        Directed edges (one kind or several).
    communities
        Output of :func:`~casebook.coordination.detect_communities`; nodes outside any
        community are grey.
    kinds, min_weight
        Which edges to draw (default every kind but ``co_post``) and the lightest one.
    seed
        Layout seed.
    max_labels
        Label nodes only up to this many nodes.
    max_nodes
        Draw at most this many accounts (the strongest communities).
    ax
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    import seaborn as sns

    ax = new_ax(ax, figsize=(8, 8))
    proj = undirected(edges, kinds, min_weight)
    member = (
        pd.Series(communities["community"].to_numpy(), index=communities["userid"].astype(str))
        if communities is not None and len(communities) else pd.Series(dtype=np.int64)
    )
    proj, left_out = _strongest_part(proj, member, max_nodes)
    graph = projected_graph(proj)
    nodes = list(graph.nodes)
    labels = member.reindex(nodes)
    n_comm = int(labels.max()) + 1 if labels.notna().any() else 0
    palette = sns.color_palette("husl", max(n_comm, 1))
    colors = [palette[int(c)] if pd.notna(c) else _GREY for c in labels.to_numpy()]
    if nodes:
        pos = nx.spring_layout(graph, seed=seed, weight="weight")
        widths = 0.5 + np.log1p(proj["weight"].to_numpy(dtype=float))
        nx.draw_networkx_edges(graph, pos, ax=ax, width=list(widths), alpha=0.35,
                               edge_color="0.4")
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colors, node_size=60,
                               linewidths=0.3, edgecolors="0.2")
        if len(nodes) <= max_labels:
            texts = nx.draw_networkx_labels(graph, pos, ax=ax,
                                            labels={u: u[:LABEL_CHARS] for u in nodes},
                                            font_size=7)
            _drop_overprinted(ax, texts, dict(graph.degree(weight="weight")))
        # a community's size is its membership (the community table's); an account
        # whose edges were not given (another kind, a rule not passed in) is not drawn
        sizes = member.value_counts()
        drawn = labels.value_counts()
        handles = [
            plt.Line2D([], [], marker="o", linestyle="", color=palette[i],
                       label=(f"community {i} ({int(sizes[i])} accounts)"
                              if drawn.get(i, 0) == sizes[i] else
                              f"community {i} ({int(drawn.get(i, 0))} of {int(sizes[i])} "
                              f"accounts drawn)"))
            for i in range(n_comm) if drawn.get(i, 0)
        ][:LEGEND_COMMUNITIES]
        if handles:
            legend_beside(ax, handles=handles, fontsize=7)
    title = (f"Coordination network ({_kinds_label(edges)}): {len(nodes):,} accounts, "
             f"{len(proj):,} account pairs")
    if left_out:
        title += f"\n(strongest communities only: {left_out} left out, see the table)"
    ax.set_title(title)
    ax.set_xlabel("spring layout x (arbitrary units)")
    ax.set_ylabel("spring layout y (arbitrary units)")
    ax.set_xticks([])
    ax.set_yticks([])
    return literal_text(ax)


def _strongest_part(proj: pd.DataFrame, member: pd.Series,
                    max_nodes: int) -> tuple[pd.DataFrame, str]:
    """The pairs of ``proj`` among at most ``max_nodes`` accounts of the strongest
    communities, and what was left out in words ("" when nothing was)."""
    accounts = pd.Index(pd.unique(np.concatenate([proj["a"].to_numpy(object),
                                                  proj["b"].to_numpy(object)])))
    if len(accounts) <= max_nodes:
        return proj, ""
    ca = member.reindex(proj["a"]).to_numpy(float)
    cb = member.reindex(proj["b"]).to_numpy(float)
    inner = (ca == cb) & ~np.isnan(ca)
    strength = (pd.Series(proj["weight"].to_numpy()[inner], index=ca[inner].astype(np.int64))
                .groupby(level=0).sum().sort_values(ascending=False, kind="stable"))
    sizes = member.value_counts().reindex(strength.index).fillna(0).to_numpy(np.int64)
    # whole communities, strongest first, while they fit
    fits = np.cumsum(sizes) <= max_nodes
    chosen = strength.index[: int(np.argmin(fits)) if not fits.all() else len(fits)]
    if len(chosen):
        keep = set(member.index[member.isin(chosen).to_numpy(bool)])
    else:
        # the strongest community alone is too big: its best-connected accounts
        first = set(member.index[(member == strength.index[0]).to_numpy(bool)]) \
            if len(strength) else set(accounts)
        inside = proj[proj["a"].isin(first) & proj["b"].isin(first)]
        degree = pd.DataFrame({
            "account": np.concatenate([inside["a"].to_numpy(object),
                                       inside["b"].to_numpy(object)]),
            "weight": np.tile(inside["weight"].to_numpy(np.int64), 2),
        }).groupby("account", as_index=False)["weight"].sum()
        ranked = degree.sort_values(["weight", "account"], ascending=[False, True],
                                    kind="stable")
        keep = set(ranked["account"].head(max_nodes))
    kept = proj[proj["a"].isin(keep) & proj["b"].isin(keep)]
    n_kept = len(pd.unique(np.concatenate([kept["a"].to_numpy(object),
                                           kept["b"].to_numpy(object)])))
    left = f"{len(accounts) - n_kept:,} of {len(accounts):,} accounts"
    if len(strength):
        shown = max(len(chosen), 1)
        left += f", {len(strength) - shown:,} of {len(strength):,} communities"
    return kept, left


def _drop_overprinted(ax: Axes, texts: dict[str, Any], degree: dict[str, float]) -> None:
    """Remove node labels that would overprint a label of a better-connected node
    (at most ``max_labels`` labels, so a plain loop)."""
    ax.get_xlim(), ax.get_ylim()  # settle the limits the layout set
    renderer = ax.figure.canvas.get_renderer()
    kept: list[Any] = []
    for text in texts.values():  # measured as drawn: an id like "$$..." is not mathtext
        text.set_parse_math(False)
    for node in sorted(texts, key=lambda u: (-degree.get(u, 0.0), u)):
        box = texts[node].get_window_extent(renderer)
        if any(box.overlaps(other) for other in kept):
            texts[node].remove()
        else:
            kept.append(box)


def plot_weight_distribution(
    edges: pd.DataFrame,
    control_edges: pd.DataFrame,
    *,
    threshold: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Edge-weight distributions of the operation and the control, on a log scale.

    The weight axis is labelled with plain numbers (1, 2, 5, 10 ...), shares as
    percentages; the legend sits beside the axes, never over the lines.

    Parameters
    ----------
    edges, control_edges
        Edges of the same kind(s) for the operation and for the control cohort.
    threshold
        Optional ``min_weight`` to mark with a vertical line.
    ax
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    ax = new_ax(ax, figsize=(7, 4))
    data = pd.concat([
        pd.DataFrame({"weight": edges["weight"].to_numpy(dtype=float), "cohort": "operation"}),
        pd.DataFrame({"weight": control_edges["weight"].to_numpy(dtype=float),
                      "cohort": "control"}),
    ], ignore_index=True)
    if len(data):
        top = max(float(data["weight"].max()), 2.0)
        bins = np.unique(np.round(np.geomspace(1, top + 1, WEIGHT_BINS)))
        sns.histplot(
            data=data, x="weight", hue="cohort", hue_order=["operation", "control"],
            bins=bins, stat="probability", common_norm=False, element="step", fill=False,
            ax=ax,
        )
    ax.set_xscale("log")
    log_axis(ax.xaxis)
    percent_axis(ax.yaxis)
    if ax.get_legend() is not None:
        import seaborn as sns

        sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                        frameon=False, fontsize="small", title_fontsize="small")
    if threshold is not None:
        ax.axvline(threshold, color="0.2", linestyle="--", linewidth=1)
        ax.annotate(f"threshold {threshold}", (threshold, 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -12), textcoords="offset points", fontsize=8)
    ax.set_title(f"Edge weights, operation vs control ({_kinds_label(edges)})")
    ax.set_xlabel("edge weight (coordinated tweets per account pair, log scale)")
    ax.set_ylabel("share of edges (%)")
    return literal_text(ax)
