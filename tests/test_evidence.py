"""The verdict vocabulary and the strength of a number against its null."""

from __future__ import annotations

import numpy as np

from casebook import evidence


def test_pvalue_is_never_zero_and_counts_ties() -> None:
    assert evidence.null_pvalue(5, [0] * 99) == 0.01
    assert evidence.null_pvalue(5, [5] * 99) == 1.0
    assert evidence.null_pvalue(1, [5, 0, 3], larger=False) == 0.5


def test_strength_words_follow_the_pvalue() -> None:
    rng = np.random.default_rng(3)
    null = rng.poisson(2, 199)
    assert evidence.strength_words(30, null).startswith("far above chance: 0 of 199")
    assert evidence.strength_words(float(np.median(null)), null).startswith("within chance")
    above = float(np.quantile(null, 0.97))
    words = evidence.strength_words(above, null)
    assert words.startswith(("above chance", "far above chance", "within chance"))
    assert "of 199 shuffles" in words


def test_verdicts_are_distinct_words() -> None:
    assert len(set(evidence.VERDICTS)) == len(evidence.VERDICTS) == 6


def test_share_interval_is_wilsons() -> None:
    z2 = 1.96 ** 2
    lo, hi = evidence.share_interval(0, 400)
    assert lo == 0.0 and abs(hi - z2 / (400 + z2)) < 1e-12  # the closed form at k = 0
    lo, hi = evidence.share_interval(6, 400)
    assert lo < 6 / 400 < hi and round(lo, 4) == 0.0069 and round(hi, 4) == 0.0323
    wide, narrow = evidence.share_interval(30, 100), evidence.share_interval(300, 1000)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]  # more accounts, a narrower interval
    assert evidence.share_interval(0, 0) == (0.0, 1.0)


def test_share_contrast_allows_for_the_cohorts_sizes() -> None:
    # a cohort against itself is never twice itself, however large
    assert evidence.share_contrast(50, 400, 50, 400) < 1
    # six of 400 against none of 400: an infinite ratio of the shares, not evidence
    assert evidence.contrast(6 / 400, 0) == np.inf
    assert evidence.share_contrast(6, 400, 0, 400) < evidence.MIN_CONTRAST
    # a third of 238 against 2 of 400: clearly apart
    assert evidence.share_contrast(84, 238, 2, 400) > 10
    # the other direction: a share claimed to be smaller
    assert evidence.share_contrast(2, 400, 84, 238, larger=False) > 10


def test_a_share_of_tweets_is_as_uncertain_as_its_accounts_make_it() -> None:
    # accounts whose tweets match independently: the tweets' own Wilson interval
    rng = np.random.default_rng(0)
    totals = rng.integers(1, 200, 400)
    hits = rng.binomial(totals, 0.05)
    assert np.allclose(evidence.clustered_share_interval(hits, totals),
                       evidence.share_interval(hits.sum(), totals.sum()))
    # one account of ten posts every matching tweet: far wider than 100 of 1,000 tweets
    lo, hi = evidence.clustered_share_interval([100] + [0] * 9, [100] * 10)
    tweets = evidence.share_interval(100, 1000)
    assert lo < tweets[0] / 4 and hi > 3 * tweets[1]
    # no matching tweet: nothing shows how accounts differ, the tweets' own interval;
    # it never narrows as matches come (0, then 1, then 2 in one account)
    none = evidence.clustered_share_interval([0] * 10, [100] * 10)
    assert none == evidence.share_interval(0, 1000)
    one = evidence.clustered_share_interval([1] + [0] * 9, [100] * 10)
    two = evidence.clustered_share_interval([2] + [0] * 9, [100] * 10)
    assert none[1] < one[1] < two[1]
    # one account is one observation; accounts without tweets count for nothing; no
    # account at all says nothing
    assert evidence.clustered_share_interval([40], [200]) == evidence.share_interval(0.2, 1)
    assert evidence.clustered_share_interval([0, 3], [0, 100]) == \
        evidence.share_interval(0.03, 1)
    assert evidence.clustered_share_interval([], []) == (0.0, 1.0)


def test_interval_contrast_takes_the_ends_nearer_each_other() -> None:
    assert evidence.interval_contrast((0.2, 0.3), (0.01, 0.05)) == 0.2 / 0.05
    assert evidence.interval_contrast((0.01, 0.05), (0.2, 0.3), larger=False) == 0.2 / 0.05
    assert evidence.interval_contrast((0.0, 0.1), (0.0, 0.1)) == 0.0


def test_contrast_words_say_whether_a_number_tells_the_operation_apart() -> None:
    assert evidence.contrast_words(0.4, 0.1) == ("4.0 times theirs: distinguishable from "
                                                 "ordinary accounts")
    assert evidence.contrast_words(0.15, 0.1) == "1.5 times theirs: not distinctive"
    assert evidence.contrast_words(0.15, 0.1, min_contrast=1.4).endswith("distinguishable "
                                                                         "from ordinary accounts")
    assert evidence.contrast_words(0.05, 0.1) == "below theirs: not distinctive"
    assert evidence.contrast_words(0.3, 0.0) == ("above their 0: distinguishable from ordinary "
                                                 "accounts")


def test_a_value_is_said_with_its_unit() -> None:
    assert evidence.value_in_words(126.2037, "rate ratio") == "126.2x (rate ratio)"
    assert evidence.value_in_words(0.5399, "share of tweets") == "54.0% of tweets"
    assert evidence.value_in_words(0.353, "share of accounts") == "35.3% of accounts"
    assert evidence.value_in_words(20.0, "accounts") == "20 accounts"
    assert evidence.value_in_words(11512.0, "followers (largest account)") == \
        "11,512 followers (largest account)"
    assert evidence.value_in_words(9.0319, "likes") == "9.03 likes"
    assert evidence.value_in_words(3.0, "") == "3"
    for missing in (None, float("nan"), float("inf")):
        assert evidence.value_in_words(missing, "accounts") == ""
