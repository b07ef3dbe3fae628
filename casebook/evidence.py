"""How strong a finding is: the verdict words, and a number against its null in plain words.

Every finding the casebook states is compared with what chance (a null model built from
the data itself: shuffled times, shuffled texts, resampled days) and ordinary accounts (a
control cohort) give. This module is the one vocabulary for saying how that comparison
came out, so the ledger, the coordination section and the time zone speak alike.

Verdicts
--------
``supported``
    The rule holds on the data, and it does not hold on ordinary accounts (or no control
    cohort was given, which the report then says).
``not supported``
    The rule does not hold on the data.
``not distinctive``
    The rule holds on the data *and* on the control cohort: ordinary accounts do the
    same, so it says nothing about the operation.
``insufficient data``
    The release (or the rule's sample) is too small to tell: far fewer tweets or accounts
    than were published, or fewer than the rule's stated minimum.
``inconclusive``
    The data is large enough but does not decide (a time zone with no office rhythm, a
    range of offsets rather than one).
``not testable with this data``
    A column the rule needs is absent or empty, or the data do not cover the period.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "INCONCLUSIVE",
    "INSUFFICIENT",
    "NOT_DISTINCTIVE",
    "NOT_SUPPORTED",
    "NOT_TESTABLE",
    "SUPPORTED",
    "VERDICTS",
    "null_pvalue",
    "strength_words",
]

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
NOT_DISTINCTIVE = "not distinctive"
INSUFFICIENT = "insufficient data"
INCONCLUSIVE = "inconclusive"
NOT_TESTABLE = "not testable with this data"
VERDICTS: tuple[str, ...] = (SUPPORTED, NOT_SUPPORTED, NOT_DISTINCTIVE, INSUFFICIENT,
                             INCONCLUSIVE, NOT_TESTABLE)

#: p-values at or below these read "far above chance" and "above chance".
FAR_ABOVE = 0.01
ABOVE = 0.05


def null_pvalue(observed: float, null: Sequence[float] | np.ndarray, *,
                larger: bool = True) -> float:
    """Permutation p-value of ``observed`` against null replicates.

    ``(1 + #{null at least as extreme}) / (1 + len(null))``: never 0, so a finding that
    no replicate reached is reported as "below 1 in n + 1", not as certain.

    Parameters
    ----------
    observed
        The value on the real data.
    null
        The same statistic on each null replicate.
    larger
        True when large values are extreme (the default), False when small ones are.

    Examples
    --------
    >>> null_pvalue(10, [1, 2, 3, 12])
    0.4
    >>> null_pvalue(10, [1, 2, 3])
    0.25
    """
    values = np.asarray(null, dtype=float)
    extreme = values >= observed if larger else values <= observed
    return float((1 + int(extreme.sum())) / (1 + len(values)))


def strength_words(observed: float, null: Sequence[float] | np.ndarray, *,
                   replicates: str = "shuffles", larger: bool = True) -> str:
    """The strength of ``observed`` against its null, in words a reader understands.

    Examples
    --------
    >>> strength_words(40, [0, 1, 0, 2] * 50)
    'far above chance: 0 of 200 shuffles reached it'
    >>> strength_words(2, [0, 1, 0, 2] * 50)
    'within chance: 50 of 200 shuffles reached it'
    """
    values = np.asarray(null, dtype=float)
    reached = int((values >= observed if larger else values <= observed).sum())
    p = null_pvalue(observed, values, larger=larger)
    if p <= FAR_ABOVE:
        label = "far above chance" if larger else "far below chance"
    elif p <= ABOVE:
        label = "above chance" if larger else "below chance"
    else:
        label = "within chance"
    return f"{label}: {reached} of {len(values)} {replicates} reached it"
