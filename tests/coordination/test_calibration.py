"""Calibration against a control cohort, and the shuffle null model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casebook import coordination as co
from tests._frames import make_tweets
from tests.coordination._tweets import rt


def test_threshold_for_fpr_by_hand() -> None:
    ctl = pd.DataFrame({"source": ["a", "b", "c", "d"], "target": ["b", "a", "d", "e"],
                        "weight": [1, 1, 4, 2]})
    # account max weights: a 1, b 1, c 4, d 4, e 2
    assert co.threshold_for_fpr(ctl, fpr=0.0, n_accounts=100) == 5
    assert co.threshold_for_fpr(ctl, fpr=0.01, n_accounts=100) == 5   # c and d tie at 4
    assert co.threshold_for_fpr(ctl, fpr=0.02, n_accounts=100) == 3   # flags c, d
    assert co.threshold_for_fpr(ctl, fpr=0.03, n_accounts=100) == 2   # flags c, d, e
    assert co.threshold_for_fpr(ctl, fpr=0.05, n_accounts=100) == 1
    assert co.threshold_for_fpr(ctl, fpr=0.2) == 5    # denominator: 5 accounts in edges
    with pytest.raises(ValueError):
        co.threshold_for_fpr(ctl, fpr=1.5)


def _background(n_users: int, n: int, seed: int, prefix: str) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    return [rt(f"{prefix}{u:03d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, n_users, n), rng.integers(0, 24 * 60, n), rng.integers(0, 40, n),
        strict=True)]


def test_calibrate_reports_thresholds_and_flagged_controls() -> None:
    op_rows = _background(30, 600, 1, "op")
    for j in range(12):  # a planted pair retweeting together twelve times
        op_rows += [rt("opX", 100 * j, f"p{j}"), rt("opY", 100 * j, f"p{j}")]
    control = make_tweets(_background(60, 1200, 2, "ct"))
    table = co.calibrate(make_tweets(op_rows), control, kind=["co_retweet", "co_tweet"],
                         fpr=0.05)
    assert list(table["cohort"]) == ["operation", "control"] * 2
    row = table.set_index(["kind", "cohort"])
    thr = int(row.loc[("co_retweet", "control"), "threshold"])
    ctl_edges = co.coordination_network(control)
    assert thr == co.threshold_for_fpr(ctl_edges, fpr=0.05, n_accounts=60)
    assert row.loc[("co_retweet", "control"), "flagged_share"] <= 0.05
    assert row.loc[("co_retweet", "control"), "accounts"] == 60
    assert row.loc[("co_retweet", "operation"), "weight_max"] >= 12
    assert row.loc[("co_retweet", "operation"), "flagged_accounts"] >= 2
    assert row.loc[("co_tweet", "control"), "edges"] == 0
    fixed = co.calibrate(make_tweets(op_rows), control, kind="co_retweet", min_weight=2)
    assert (fixed["threshold"] == 2).all()


def test_edge_pvalues_separate_planted_from_chance() -> None:
    rng = np.random.default_rng(5)
    rows = [rt(f"bg{u:02d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, 30, 900), rng.integers(0, 120, 900), rng.integers(0, 8, 900),
        strict=True)]
    for j in range(10):
        rows += [rt("plantA", 12 * j + 5, f"s{j}"), rt("plantB", 12 * j + 5, f"s{j}")]
    tweets = make_tweets(rows)
    edges = co.coordination_network(tweets)
    out = co.edge_pvalues(tweets, edges, n_shuffles=19, seed=1)
    planted = out[(out["source"] == "plantA") & (out["target"] == "plantB")].iloc[0]
    assert planted["p_value"] == pytest.approx(1 / 20)
    assert planted["expected_weight"] < planted["weight"]
    assert out["p_value"].between(1 / 20, 1).all()
    assert (out["p_value"] > 0.05).mean() > 0.5
    again = co.edge_pvalues(tweets, edges, n_shuffles=19, seed=1)
    pd.testing.assert_frame_equal(out, again)
    with pytest.raises(ValueError, match="key"):
        co.edge_pvalues(tweets, edges, kind="co_post")
