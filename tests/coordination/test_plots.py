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
