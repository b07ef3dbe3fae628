"""Calibration against a control cohort, and the shuffle null model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casebook import coordination as co
from tests._frames import make_tweets
from tests.coordination._tweets import post, rt


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
    assert list(table["cohort"]) == ["operation", "null", "control"] * 2
    row = table.set_index(["kind", "cohort"])
    thr = int(row.loc[("co_retweet", "control"), "threshold"])
    ctl_edges = co.coordination_network(control)
    ctl_thr = co.threshold_for_fpr(ctl_edges, fpr=0.05, n_accounts=60)
    assert row.loc[("co_retweet", "control"), "control_threshold"] == ctl_thr
    # the stricter of chance and the control sets the threshold, and the table says which
    null_thr = int(row.loc[("co_retweet", "null"), "null_threshold"])
    assert thr == max(null_thr, ctl_thr)
    assert row.loc[("co_retweet", "operation"), "threshold_from"] == (
        "chance (time shift)" if null_thr >= ctl_thr else "control cohort")
    # one threshold per kind, so that it can be passed as min_weight
    assert row.loc[("co_retweet", "operation"), "thresholds_by_activity"] == str(thr)
    assert row.loc[("co_retweet", "control"), "flagged_share"] <= 0.05
    assert row.loc[("co_retweet", "null"), "flagged_share"] <= 0.01 / 2
    assert row.loc[("co_retweet", "control"), "accounts"] == 60
    assert row.loc[("co_retweet", "operation"), "weight_max"] >= 12
    assert row.loc[("co_retweet", "operation"), "flagged_accounts"] >= 2
    assert row.loc[("co_tweet", "control"), "edges"] == 0
    fixed = co.calibrate(make_tweets(op_rows), control, kind="co_retweet", min_weight=2)
    assert (fixed["threshold"] == 2).all() and (fixed["threshold_from"] == "fixed (min_weight)").all()
    alone = co.calibrate(make_tweets(op_rows), kind="co_retweet")
    assert list(alone["cohort"]) == ["operation", "null"]


def test_null_thresholds_by_hand() -> None:
    from casebook.coordination.calibration import null_thresholds

    # 3 replicates x 10 accounts: heaviest chance edge per account
    acc_max = np.zeros((3, 10), np.int64)
    acc_max[0, :2] = 4
    acc_max[1, :2] = 2
    acc_max[2, :4] = 1
    # share 0 allowed: one above the heaviest chance edge; leaving out replicate 0 gives 3
    every, each = null_thresholds(acc_max, 10, 0.0)
    assert every == 5 and each.tolist() == [3, 5, 5]
    # 2 of 30 account draws allowed (share 0.07): weight 4 flags exactly 2
    every, each = null_thresholds(acc_max, 10, 0.07)
    assert every == 3
    assert co.threshold_for_fpr(pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [4]}),
                                fpr=0.0, n_accounts=10) == 5


def test_insufficient_kind_is_marked() -> None:
    tweets = make_tweets([rt("a", 0, "x"), rt("b", 0, "y"), rt("c", 5, "z")])
    table = co.calibrate(tweets, kind=["co_retweet", "co_hashtag"], n_null=2)
    assert set(table["status"]) == {"insufficient data"}


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


def test_pair_scores_by_hand() -> None:
    e = pd.DataFrame({"source": ["a", "b", "a", "c", "a"], "target": ["b", "a", "b", "a", "c"],
                      "weight": [2, 3, 1, 9, 4],
                      "kind": ["co_hashtag", "co_hashtag", "co_link", "co_post", "co_link"]})
    got = co.pair_scores(e, {"co_hashtag": 4, "co_link": 2})
    # a-b: heavier co_hashtag direction 3/4 plus co_link 1/2; a-c: co_link 4/2, co_post ignored
    assert got.to_dict("list") == {"source": ["a", "a"], "target": ["c", "b"], "score": [2.0, 1.25]}


def _spread_background(n_users: int, n: int, seed: int) -> list[dict[str, object]]:
    """Retweets and slogans of few keys in the same hour of 60 days: chance links."""
    rng = np.random.default_rng(seed)

    def minutes() -> np.ndarray:
        return rng.integers(0, 60, n) * 1440 + rng.integers(0, 60, n)

    rows = [rt(f"op{u:03d}", int(m), f"r{k}") for u, m, k in zip(
        rng.integers(0, n_users, n), minutes(), rng.integers(0, 8, n), strict=True)]
    rows += [post(f"op{u:03d}", int(m), f"slogan number {k}") for u, m, k in zip(
        rng.integers(0, n_users, n), minutes(), rng.integers(0, 8, n), strict=True)]
    return rows


def test_combined_rule_finds_a_pair_below_every_kinds_threshold() -> None:
    rows = _spread_background(40, 3000, 1)
    for j in range(4):  # a pair retweeting together 4 times and posting together 4 times
        rows += [rt("opX", 1440 * (3 + 7 * j) + 200, f"p{j}"),
                 rt("opY", 1440 * (3 + 7 * j) + 200, f"p{j}")]
        rows += [post("opX", 1440 * (4 + 7 * j) + 300, f"planted {j}"),
                 post("opY", 1440 * (4 + 7 * j) + 300, f"planted {j}")]
    tweets = make_tweets(rows)
    kinds = ["co_retweet", "co_tweet"]
    # one activity stratum: the combined rule alone (strata: the next test)
    cal = co.calibrated_thresholds(tweets, kind=kinds, seed=0, null_fpr=0.01, n_strata=1,
                                   combined_share=0.5)
    assert cal.thresholds["co_retweet"] > 4 and cal.thresholds["co_tweet"] > 4
    pairs = cal.combined_pairs.set_index(["source", "target"])["score"]
    expected = 4 / cal.thresholds["co_retweet"] + 4 / cal.thresholds["co_tweet"]
    assert pairs[("opX", "opY")] == pytest.approx(expected)
    assert (pairs > cal.combined_threshold).all()
    # every pair above the threshold is listed
    scores = co.pair_scores(co.networks(tweets, kinds=kinds), cal.thresholds)
    assert (scores["score"] > cal.combined_threshold).sum() == len(pairs)
    # chance stays within its budget, both rules together, and the table says where from
    row = cal.combined.set_index("cohort")
    assert row.loc["null", "flagged_share"] <= 0.01 + 1e-12
    assert (row["threshold"] == cal.combined_threshold).all()
    assert row.loc["operation", "threshold_from"] == "chance (both nulls)"
    assert len(cal.null_counts) == cal.n_null
    # without the combined rule the pair is missed
    alone = co.calibrated_thresholds(tweets, kind=kinds, seed=0, null_fpr=0.01, n_strata=1,
                                     combined_share=0)
    assert alone.combined_threshold == np.inf and alone.combined_pairs.empty


def test_activity_strata_let_quiet_accounts_be_judged_among_their_peers() -> None:
    rows = _spread_background(40, 3000, 1)
    # one hyperactive account retweeting everything: by chance it meets everyone, often
    rng = np.random.default_rng(5)
    rows += [rt("opHUB", int(m), f"r{k}") for m, k in zip(
        rng.integers(0, 60, 6000) * 1440 + rng.integers(0, 60, 6000), rng.integers(0, 8, 6000),
        strict=True)]
    # quiet accounts with three retweets each, and two of them retweeting together 3 times
    rows += [rt(f"q{u:02d}", int(m), f"r{k}") for u, m, k in zip(
        np.repeat(np.arange(30), 3), rng.integers(0, 60, 90) * 1440 + rng.integers(0, 60, 90),
        rng.integers(0, 8, 90), strict=True)]
    for j in range(3):
        rows += [rt(f"q{u}", 1440 * (2 + 9 * j) + 500, f"p{j}") for u in "AB"]
    tweets = make_tweets(rows)
    flat = co.calibrated_thresholds(tweets, kind="co_retweet", seed=0, n_strata=1,
                                    combined_share=0)
    cal = co.calibrated_thresholds(tweets, kind="co_retweet", seed=0, combined_share=0)
    by = cal.by_activity["co_retweet"]
    assert len(by) == 4 and max(by) == cal.thresholds["co_retweet"]
    # the hub sets one threshold for all; by activity the quiet pair is judged among the
    # quiet accounts, and chance still flags at most its share
    assert flat.thresholds["co_retweet"] > 3 >= by[0]
    assert cal.activity["qA"] == 0 and cal.activity["opHUB"] == 3
    edges = cal.edges["operation"]
    strong = edges[cal.strong(edges)]
    assert {"qA", "qB"} <= set(strong["source"]) and "qA" not in set(
        edges[flat.strong(edges)]["source"])
    null = cal.table.set_index("cohort").loc["null"]
    assert null["flagged_share"] <= 0.01 + 1e-12


def test_bursts_of_a_release_read_its_near_duplicates_by_key_slices() -> None:
    # the release's bursts read the near-duplicate events a burst can use, key slice by
    # key slice: the same bursts as all the events give, crowd rule included (a day's
    # crowd counts the accounts that posted the text far from the others too)
    from unittest.mock import patch

    from casebook.coordination import groups, null
    from casebook.coordination.calibration import _burst_events
    from casebook.coordination.engine import MAX_PAIRS
    from casebook.coordination.kinds import events, prepare

    crowd = "the convoy was fired upon near the river crossing while residents gathered"
    burst = "officials denied every report of the detentions at the northern border post"
    rows = [post(f"c{u:02d}", 30 * u, crowd) for u in range(20)]    # a crowd, spread out
    rows += [post(f"b{u}", 1, crowd) for u in range(3)]              # inside the crowd
    rows += [post(f"g{u}", 2 * 24 * 60 + 5, burst) for u in range(3)]  # a burst of its own
    prep = prepare(make_tweets(rows))
    ev = events(prep, "near_duplicate")

    def members(e):
        return [a.tolist() for a in groups.burst_members(e, 120, prep.ucode, max_pairs=MAX_PAIRS,
                                                         max_accounts=12)]

    whole = members(ev)
    assert sorted(str(x) for x in prep.ids(np.asarray(whole[1]))) == ["g0", "g1", "g2"]
    for chunk in (1, 7, 10**9):
        with patch.object(null, "TEXT_CHUNK", chunk):
            assert members(_burst_events(ev, 120)) == whole


@pytest.mark.parametrize("seed", range(5))
def test_stratum_max_is_each_accounts_heaviest_edge_per_stratum(seed: int) -> None:
    # every end of every directed pair, in the stratum of its more active account;
    # 32-bit codes and weights (as the replicates keep them) and 64-bit ones
    from casebook.coordination.calibration import _stratum_max

    rng = np.random.default_rng(seed)
    n, n_strata = 7, 3
    stratum = rng.integers(0, n_strata, n)
    per_rep = []
    for r in range(4):
        codes = rng.choice(n * n, int(rng.integers(0, 20)), replace=False)
        wts = rng.integers(1, 9, len(codes))
        per_rep.append((codes.astype(np.int32), wts.astype(np.int32)) if r % 2 else (codes, wts))
    ref = np.zeros((n_strata, len(per_rep), n), np.int64)
    for r, (codes, wts) in enumerate(per_rep):
        for c, w in zip(codes.tolist(), wts.tolist(), strict=True):
            a, b = divmod(c, n)
            s = max(stratum[a], stratum[b])
            ref[s, r, a] = max(ref[s, r, a], w)
            ref[s, r, b] = max(ref[s, r, b], w)
    np.testing.assert_array_equal(_stratum_max(per_rep, stratum, n, n_strata), ref)


def test_account_codes_are_positions_among_the_prepared_ids() -> None:
    from casebook.coordination.calibration import _account_codes
    from casebook.coordination.kinds import prepare

    prep = prepare(make_tweets([post("b", 0, "x"), post("a", 1, "y"), post("c", 2, "z")]))
    ids = pd.Series(["c", "a", "nobody", "b", "a"], dtype="string[pyarrow]")
    expected = [prep.user_ids.to_pylist().index(u) if u != "nobody" else -1 for u in ids]
    np.testing.assert_array_equal(_account_codes(prep, ids), expected)
    assert len(_account_codes(prep, ids[:0])) == 0


def test_needed_is_each_edges_threshold_at_its_pairs_stratum() -> None:
    # the pair's stratum is its more active account's; an account the calibration has
    # not seen (or a missing id) counts in the top stratum; a kind without thresholds
    # (co_post, or one not calibrated) needs NaN
    from casebook.coordination.calibration import Calibration

    by_activity = {"co_retweet": [2, 3, 5], "co_tweet": [4, 6, 9]}
    activity = pd.Series([0, 1, 2, 0], index=["a", "b", "c", "d"])
    cal = Calibration(pd.DataFrame(), {"co_retweet": 5, "co_tweet": 9}, {}, np.zeros(0), 20,
                      by_activity=by_activity, activity=activity)
    edges = pd.DataFrame({
        "source": pd.array(["a", "a", "b", "c", "x", "a", None, "d", "b"], dtype="string"),
        "target": pd.array(["d", "b", "a", "a", "a", "d", "d", "a", "c"], dtype="string"),
        "weight": np.arange(9),
        "kind": pd.array(["co_retweet", "co_tweet", "co_retweet", "co_tweet", "co_retweet",
                          "co_post", "co_tweet", "near_duplicate", "co_tweet"], dtype="string"),
    })
    strata = {"a": 0, "b": 1, "c": 2, "d": 0}
    expected = []
    for s, t, k in zip(edges["source"], edges["target"], edges["kind"], strict=True):
        st = max(strata.get(s, 2) if isinstance(s, str) else 2, strata.get(t, 2))
        expected.append(by_activity[k][st] if k in by_activity else np.nan)
    np.testing.assert_array_equal(cal.needed(edges), np.array(expected, float))
    assert len(cal.needed(edges.iloc[:0])) == 0


def test_progress_is_told_each_network_and_each_replicate_and_changes_nothing() -> None:
    tweets = make_tweets(_spread_background(20, 600, 1))
    control = make_tweets(_spread_background(20, 600, 2))
    kinds = ["co_retweet", "co_tweet"]
    seen: list[str] = []  # list.append is atomic: the replicates' threads may call it
    cal = co.calibrated_thresholds(tweets, control, kind=kinds, seed=0, n_null=3,
                                   progress=seen.append)
    assert len(seen) == co.calibration_steps(kinds, 3, control=True) == 7
    assert sorted(seen) == sorted(["operation: co_retweet", "operation: co_tweet",
                                   "control: co_retweet", "control: co_tweet",
                                   *["chance replicate"] * 3])
    assert seen[-3:] == ["chance replicate"] * 3  # the networks come first
    quiet = co.calibrated_thresholds(tweets, control, kind=kinds, seed=0, n_null=3)
    assert cal.thresholds == quiet.thresholds
    pd.testing.assert_frame_equal(cal.table, quiet.table)
    assert co.calibration_steps("co_retweet", 20, control=False) == 21


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 101, 1000])
def test_weight_stats_are_those_of_each_percentile_on_floats(n: int) -> None:
    from casebook.coordination.calibration import _weight_stats

    rng = np.random.default_rng(n)
    wts = rng.geometric(0.3, n).astype(np.int32)
    percentiles = (50, 90, 99, 12.5, 0, 100)
    reference = {f"weight_p{q:g}": float(np.percentile(wts.astype(float), q)) if n else np.nan
                 for q in percentiles}
    reference["weight_max"] = float(wts.max()) if n else np.nan
    got = _weight_stats(wts, percentiles)
    assert list(got) == list(reference)
    np.testing.assert_array_equal(list(got.values()), list(reference.values()))
    if n:  # no percentile asked: the maximum alone
        assert _weight_stats(wts, ()) == {"weight_max": reference["weight_max"]}
