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
