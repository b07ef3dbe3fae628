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
