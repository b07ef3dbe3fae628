"""Figures: artist properties, not pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from casebook import coordination as co
from tests.coordination._tweets import two_groups


def test_plot_network() -> None:
    import matplotlib.pyplot as plt

    tweets = two_groups()
    edges = co.networks(tweets, kinds=["co_retweet", "co_tweet"])
    comms = co.detect_communities(edges)
    _, ax = plt.subplots()
    out = co.plot_network(edges, communities=comms, ax=ax, seed=0)
    assert out is ax
    assert "Coordination network" in ax.get_title() and "7 accounts" in ax.get_title()
    assert "arbitrary units" in ax.get_xlabel()
    texts = {t.get_text() for t in ax.texts}
    assert {"a1", "b3"} <= texts
    nodes = [c for c in ax.collections if c.get_offsets().shape[0] == 7][0]
    colours = {tuple(np.round(c, 3)) for c in nodes.get_facecolors()}
    assert len(colours) == 2
    long_ids = edges.assign(source="x" * 12 + edges["source"], target="x" * 12 + edges["target"])
    ax2 = co.plot_network(long_ids)
    assert all(len(t.get_text()) <= 8 for t in ax2.texts)


def test_plot_weight_distribution() -> None:
    op = pd.DataFrame({"source": list("abc"), "target": list("bca"), "weight": [1, 30, 100]})
    ctl = pd.DataFrame({"source": list("de"), "target": list("ed"), "weight": [1, 2]})
    ax = co.plot_weight_distribution(op, ctl, threshold=5)
    assert ax.get_xscale() == "log"
    assert "log scale" in ax.get_xlabel() and "share of edges" in ax.get_ylabel()
    assert "operation vs control" in ax.get_title()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"operation", "control"}


def _cliques(sizes: list[int], weights: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Disjoint cliques (community i of sizes[i] accounts, every pair weight weights[i])
    and their community table."""
    edges, comms = [], []
    for i, (n, w) in enumerate(zip(sizes, weights, strict=True)):
        names = [f"c{i}_{j:03d}" for j in range(n)]
        comms += [{"userid": u, "community": i} for u in names]
        edges += [{"source": a, "target": b, "weight": w, "kind": "co_retweet"}
                  for k, a in enumerate(names) for b in names[k + 1:]]
    return pd.DataFrame(edges), pd.DataFrame(comms)


def _drawn(ax) -> int:
    return max(c.get_offsets().shape[0] for c in ax.collections)


def test_a_large_network_is_drawn_for_its_strongest_communities() -> None:
    import matplotlib.pyplot as plt

    # community 1 is the strongest (most inner weight), then 0, then 2
    edges, comms = _cliques([6, 5, 4], [1, 10, 1])
    ax = co.plot_network(edges, communities=comms, max_nodes=11)
    assert _drawn(ax) == 11  # communities 1 and 0, not 2
    assert "4 of 15 accounts, 1 of 3 communities left out" in ax.get_title()
    ax = co.plot_network(edges, communities=comms, max_nodes=9)
    assert _drawn(ax) == 5  # community 1 alone: 0 does not fit beside it
    assert "10 of 15 accounts, 2 of 3 communities" in ax.get_title()
    # the strongest alone is too big: its best-connected accounts
    ax = co.plot_network(edges, communities=comms, max_nodes=3)
    assert _drawn(ax) == 3 and "12 of 15 accounts" in ax.get_title()
    ax = co.plot_network(edges, communities=comms)  # fits: everything, no note
    assert _drawn(ax) == 15 and "left out" not in ax.get_title()
    plt.close("all")


def test_the_legend_gives_each_community_its_table_size() -> None:
    """A community whose edges are partly absent (a group rule's, not passed in) says how
    many of its members are drawn; one with none drawn has no legend entry."""
    import matplotlib.pyplot as plt

    edges, comms = _cliques([4, 3, 2], [2, 2, 2])
    shown = edges[~edges["source"].str.startswith("c2") & (edges["target"] != "c1_002")]
    ax = co.plot_network(shown, communities=comms)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["community 0 (4 accounts)", "community 1 (2 of 3 accounts drawn)"]
    plt.close("all")



def test_an_account_id_that_is_bad_mathtext_is_drawn_as_text() -> None:
    # a hostile file's userid ("$$..." is invalid mathtext) once failed the whole report
    # where the labels were measured, before they were made literal
    import matplotlib.pyplot as plt

    edges = co.networks(two_groups(), kinds=["co_retweet", "co_tweet"])
    hostile = edges.assign(source=edges["source"].replace({"a1": "$$\\frac"}),
                           target=edges["target"].replace({"a1": "$$\\frac"}))
    ax = co.plot_network(hostile, seed=0)
    ax.figure.canvas.draw()
    assert "$$\\frac" in {t.get_text() for t in ax.texts}
    plt.close(ax.figure)
