"""Figures: the projected network with its communities, and edge-weight distributions.

matplotlib, seaborn and networkx are imported when a figure is drawn, so the rest of
:mod:`casebook.coordination` (and ``casebook network``) never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from casebook._plotting import new_ax
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
    ax: Axes | None = None,
) -> Axes:
    """Draw the projected coordination network, communities in colour.

    Nodes are accounts (labelled with the first 8 characters of the id when there are
    at most ``max_labels``), edges are undirected summed weights (width grows with the
    log of the weight). The spring layout uses ``seed``, so the figure is reproducible.

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
    graph = projected_graph(proj)
    nodes = list(graph.nodes)
    member = (
        pd.Series(communities["community"].to_numpy(), index=communities["userid"].astype(str))
        if communities is not None and len(communities) else pd.Series(dtype=np.int64)
    )
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
            nx.draw_networkx_labels(graph, pos, ax=ax,
                                    labels={u: u[:LABEL_CHARS] for u in nodes}, font_size=7)
        handles = [
            plt.Line2D([], [], marker="o", linestyle="", color=palette[i],
                       label=f"community {i} ({int((labels == i).sum())} accounts)")
            for i in range(min(n_comm, LEGEND_COMMUNITIES))
        ]
        if handles:
            ax.legend(handles=handles, loc="best", fontsize=7, frameon=False)
    ax.set_title(
        f"Coordination network ({_kinds_label(edges)}): {len(nodes)} accounts, "
        f"{len(proj)} account pairs"
    )
    ax.set_xlabel("spring layout x (arbitrary units)")
    ax.set_ylabel("spring layout y (arbitrary units)")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_weight_distribution(
    edges: pd.DataFrame,
    control_edges: pd.DataFrame,
    *,
    threshold: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Edge-weight distributions of the operation and the control, on a log scale.

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
    if threshold is not None:
        ax.axvline(threshold, color="0.2", linestyle="--", linewidth=1)
        ax.annotate(f"threshold {threshold}", (threshold, 1), xycoords=("data", "axes fraction"),
                    xytext=(3, -12), textcoords="offset points", fontsize=8)
    ax.set_title(f"Edge weights, operation vs control ({_kinds_label(edges)})")
    ax.set_xlabel("edge weight (coordinated tweets per account pair, log scale)")
    ax.set_ylabel("share of edges")
    return ax
