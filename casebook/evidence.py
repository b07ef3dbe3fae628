"""How strong a finding is: the verdict words, and a number against its null in plain words.

Every finding the casebook states is compared with what chance (a null model built from
the data itself: shuffled times, shuffled texts, resampled days and accounts) and
ordinary accounts (a control cohort) give. This module is the one vocabulary for saying
how that comparison came out, so the ledger, the coordination section and the time zone
speak alike.

Claim types
-----------
``descriptive``
    The claim describes the release (a share of retweets, the years it covers, how little
    engagement it drew): it is true or false of the data, and supported only when
    ordinary accounts do not meet it too (the rule itself is run on them).
``distinctive``
    The claim says the operation behaves unlike ordinary accounts (a surge on one night,
    one account dominating, impersonation, follow-spam): it is compared with a control
    cohort on a measure that does not grow with the cohort's size (a share, a rate
    ratio), and :func:`contrast` says how many times theirs the operation's value is.

Verdicts
--------
``supported``
    The rule holds on the data and the operation is distinguishable from ordinary
    accounts: for a distinctive claim, its measure is at least :data:`MIN_CONTRAST` times
    theirs in the claim's direction (for a share of counted accounts or tweets, at the
    least: :func:`interval_contrast` of :func:`share_interval` or
    :func:`clustered_share_interval`); for a descriptive one, they do not meet the rule.
``not supported``
    The rule does not hold on the data.
``not distinctive``
    The rule holds on the data, but the test cannot tell the operation from ordinary
    accounts: for a distinctive claim they come within :data:`MIN_CONTRAST` times of the
    operation's measure (or reach it); for a descriptive one they meet the rule too.
``insufficient data``
    The release (or the rule's sample) is too small to tell: far fewer tweets or accounts
    than were published, or fewer than the rule's stated minimum.
``inconclusive``
    The data is large enough but does not decide (a time zone with no office rhythm, a
    range of offsets rather than one), or a claim's rule holds but nothing compared it
    with ordinary accounts (no control cohort, or only a synthetic one for a
    real release).
``not testable with this data``
    A column the rule needs is absent or empty, or the data do not cover the period.

Units
-----
A number is said with its unit (:func:`value_in_words`): a rate ratio as ``126.2x (rate
ratio)``, a share as ``54.0% of tweets``, a count as ``20 accounts``, so a column that
holds numbers of several kinds (the claims ledger's ``value``) never reads as one scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "CLAIM_TYPES",
    "DESCRIPTIVE",
    "DISTINCTIVE",
    "INCONCLUSIVE",
    "INSUFFICIENT",
    "MIN_CONTRAST",
    "NOT_DISTINCTIVE",
    "NOT_SUPPORTED",
    "NOT_TESTABLE",
    "SUPPORTED",
    "VERDICTS",
    "clustered_share_interval",
    "contrast",
    "contrast_words",
    "interval_contrast",
    "null_pvalue",
    "share_contrast",
    "share_contrast_words",
    "share_interval",
    "smallest_pvalue",
    "strength_words",
    "value_in_words",
]

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
NOT_DISTINCTIVE = "not distinctive"
INSUFFICIENT = "insufficient data"
INCONCLUSIVE = "inconclusive"
NOT_TESTABLE = "not testable with this data"
VERDICTS: tuple[str, ...] = (SUPPORTED, NOT_SUPPORTED, NOT_DISTINCTIVE, INSUFFICIENT,
                             INCONCLUSIVE, NOT_TESTABLE)

DESCRIPTIVE = "descriptive"
DISTINCTIVE = "distinctive"
CLAIM_TYPES: tuple[str, ...] = (DESCRIPTIVE, DISTINCTIVE)

#: How many times the ordinary accounts' value a distinctive claim's measure must reach
#: (in the claim's direction) to tell the operation from them: twice, "clearly more" in
#: plain words, and the factor the debate rule itself asks of a surge over ordinary nights.
MIN_CONTRAST = 2.0

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


def smallest_pvalue(n: int) -> float:
    """The smallest p-value :func:`null_pvalue` can give against ``n`` replicates:
    ``1 / (n + 1)``, reached when no replicate reaches the observed value.

    Examples
    --------
    >>> round(smallest_pvalue(29), 4)
    0.0333
    """
    return 1.0 / (n + 1)


def share_interval(k: float, n: float, *, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a share ``k / n`` (95% for the default ``z``).

    A share of a few hundred accounts moves by a percentage point or more from one
    sample to the next: the interval says how far. ``(0, 1)`` when ``n`` is 0. ``k``
    and ``n`` may be fractional (an effective sample size:
    :func:`clustered_share_interval`).

    Examples
    --------
    >>> [round(x, 4) for x in share_interval(0, 400)]
    [0.0, 0.0095]
    >>> [round(x, 4) for x in share_interval(6, 400)]
    [0.0069, 0.0323]
    """
    if n <= 0:
        return 0.0, 1.0
    p, zz = k / n, z * z
    d = 1 + zz / n
    centre = (p + zz / (2 * n)) / d
    half = z * float(np.sqrt(max(p * (1 - p), 0.0) / n + zz / (4 * n * n))) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def clustered_share_interval(hits: Sequence[float] | np.ndarray,
                             totals: Sequence[float] | np.ndarray, *,
                             z: float = 1.96) -> tuple[float, float]:
    """The interval of a share of tweets (``sum(hits) / sum(totals)``, one entry per
    account) that allows for tweets coming in accounts.

    An account's tweets are not independent draws: one account posting a thousand
    matching tweets is one account's habit, not a thousand observations. The share's
    variance is estimated with accounts as the units (the ratio estimator's linearised
    variance), the design effect against independent tweets taken from it (at least 1),
    and the Wilson interval (:func:`share_interval`) computed on the effective number of
    tweets, ``tweets / design effect``. When none or all of the tweets match, nothing
    shows how accounts vary, and the tweets' own interval is given: the limit of a share
    spread evenly over the accounts, so the interval never narrows from no match to one.
    A single account counts as one observation.

    Examples
    --------
    Ten accounts, one of which posts every matching tweet:

    >>> hits, totals = [100] + [0] * 9, [100] * 10
    >>> [round(x, 3) for x in share_interval(100, 1000)]
    [0.083, 0.12]
    >>> [round(x, 3) for x in clustered_share_interval(hits, totals)]
    [0.017, 0.423]
    """
    y = np.asarray(hits, dtype=float)
    t = np.asarray(totals, dtype=float)
    keep = t > 0
    y, t = y[keep], t[keep]
    m, n = len(t), float(t.sum())
    if m == 0 or n <= 0:
        return 0.0, 1.0
    p = float(y.sum()) / n
    binomial = p * (1 - p) / n
    if m < 2:
        n_eff = float(m)  # one account: its habit, however many its tweets
    elif binomial <= 0:
        n_eff = n  # none or all match: no spread between accounts to measure
    else:
        clustered = m / (m - 1) * float(np.sum((y - p * t) ** 2)) / (n * n)
        n_eff = n / max(clustered / binomial, 1.0)
    return share_interval(p * n_eff, n_eff, z=z)


def interval_contrast(ours: tuple[float, float], theirs: tuple[float, float], *,
                      larger: bool = True) -> float:
    """How many times the ordinary accounts' share the operation's is *at the least*,
    given an interval for each: the operation's end nearer theirs against their end
    nearer the operation's (:func:`contrast`).

    Examples
    --------
    >>> round(interval_contrast((0.20, 0.30), (0.01, 0.05)), 1)
    4.0
    >>> round(interval_contrast((0.01, 0.05), (0.20, 0.30), larger=False), 1)
    4.0
    """
    if larger:
        return contrast(ours[0], theirs[1])
    return contrast(ours[1], theirs[0], larger=False)


def share_contrast(k: int, n: int, k_ref: int, n_ref: int, *, larger: bool = True) -> float:
    """How many times the ordinary accounts' share the operation's is *at the least*,
    allowing for the sizes of both cohorts: the operation's share at the end of its
    interval nearer theirs, against theirs at the end nearer the operation's
    (:func:`share_interval`, :func:`interval_contrast`).

    Six flagged accounts of 400 against none of 400 is an infinite ratio of the shares
    themselves, and no evidence that the two cohorts differ by a factor of two: two
    samples of the same ordinary accounts give such counts.

    Examples
    --------
    >>> round(share_contrast(6, 400, 0, 400), 2)
    0.72
    >>> round(share_contrast(84, 238, 2, 400), 1)
    16.3
    """
    return interval_contrast(share_interval(k, n), share_interval(k_ref, n_ref), larger=larger)


def share_contrast_words(k: int, n: int, k_ref: int, n_ref: int, *,
                         min_contrast: float = MIN_CONTRAST) -> str:
    """:func:`share_contrast` in plain words: a share of accounts (``k`` of ``n``) beside
    ordinary accounts' (``k_ref`` of ``n_ref``), allowing for both cohorts' sizes, and
    whether that tells the operation apart (at least ``min_contrast`` times).

    Examples
    --------
    >>> print(share_contrast_words(33, 35, 0, 400))  # doctest: +NORMALIZE_WHITESPACE
    at least 85.6 times theirs for cohorts of these sizes: distinguishable from ordinary
    accounts
    >>> share_contrast_words(132, 238, 128, 400)
    'at least 1.3 times theirs for cohorts of these sizes: not distinctive'
    >>> share_contrast_words(2, 4, 1, 10)
    'not clearly above theirs for cohorts of these sizes: not distinctive'
    >>> share_contrast_words(1, 10, 3, 10)
    'as many or more: not distinctive'
    """
    if not n or not n_ref or k / n <= k_ref / n_ref:  # ordinary accounts do as much
        return f"as many or more: {NOT_DISTINCTIVE}"
    times = share_contrast(k, n, k_ref, n_ref)
    if times < 1:
        return f"not clearly above theirs for cohorts of these sizes: {NOT_DISTINCTIVE}"
    strength = ("distinguishable from ordinary accounts" if times >= min_contrast
                else NOT_DISTINCTIVE)
    return f"at least {times:.1f} times theirs for cohorts of these sizes: {strength}"


def contrast_words(ours: float, theirs: float, *, min_contrast: float = MIN_CONTRAST) -> str:
    """A number set beside ordinary accounts' in plain words: how many times theirs, and
    whether that tells the operation apart (at least ``min_contrast`` times).

    Examples
    --------
    >>> contrast_words(0.54, 0.039)
    '13.8 times theirs: distinguishable from ordinary accounts'
    >>> contrast_words(0.264, 0.167)
    '1.6 times theirs: not distinctive'
    >>> contrast_words(0.072, 0.104)
    'below theirs: not distinctive'
    """
    times = contrast(ours, theirs)
    if ours < theirs:
        return f"below theirs: {NOT_DISTINCTIVE}"
    said = "above their 0" if np.isinf(times) else f"{times:.1f} times theirs"
    if times >= min_contrast:
        return f"{said}: distinguishable from ordinary accounts"
    return f"{said}: {NOT_DISTINCTIVE}"


def contrast(ours: float, theirs: float, *, larger: bool = True) -> float:
    """How many times the ordinary accounts' value the operation's is, in the claim's
    direction: ``ours / theirs`` when large values are the claim (``larger``), else
    ``theirs / ours``.

    Infinite when the reference is 0 and the other is not; 1 when both are 0 (nothing
    tells them apart).

    Examples
    --------
    >>> round(contrast(126.2, 18.4), 1)
    6.9
    >>> contrast(0.4, 0.0)
    inf
    >>> contrast(0.01, 0.04, larger=False)
    4.0
    """
    top, bottom = (ours, theirs) if larger else (theirs, ours)
    if bottom == 0:
        return float(np.inf) if top > 0 else 1.0
    return float(top / bottom)


def value_in_words(value: float | None, unit: str) -> str:
    """A number with its unit, in words.

    ``unit`` says what the number is: a unit starting with ``share of`` is a share (0 to
    1), said as a percentage of what follows (``share of tweets``: ``54.0% of tweets``);
    a unit ending in ``ratio`` is a ratio, said as a factor (``126.2x (rate ratio)``);
    any other unit follows the number (``20 accounts``, ``11,512 followers (largest
    account)``), whole numbers with thousands separators. A missing or not finite value
    is ``""`` (nothing to say); an empty unit leaves the number bare.

    Examples
    --------
    >>> value_in_words(126.2037, "rate ratio")
    '126.2x (rate ratio)'
    >>> value_in_words(0.5399, "share of tweets")
    '54.0% of tweets'
    >>> value_in_words(20.0, "accounts")
    '20 accounts'
    >>> value_in_words(1.0, "likes per original tweet (median)")
    '1 likes per original tweet (median)'
    """
    try:
        number = float(value)  # None, pd.NA: nothing to say
    except (TypeError, ValueError):
        return ""
    if not np.isfinite(number):
        return ""
    unit = unit.strip()
    if unit.startswith("share of "):
        return f"{number:.1%} {unit.removeprefix('share ')}"
    if unit.endswith("ratio"):
        return f"{number:.1f}x ({unit})"
    said = f"{number:,.0f}" if number == round(number) else f"{number:,.3g}"
    return f"{said} {unit}" if unit else said
