"""Calibration: how heavy must an edge be before it means more than chance?

Each kind's threshold comes from the release itself: :func:`calibrated_thresholds` runs
``n_null`` chance replicates of the release (:mod:`casebook.coordination.null`: tweets
shifted by whole days for the window kinds, texts shuffled across accounts for
``near_duplicate``) and takes the smallest weight that the replicates reach for at most
a share ``null_fpr`` of accounts, all kinds and both rules together (per kind and
activity stratum, and a combined rule across kinds; below). A control cohort of ordinary
accounts, when given, is a second check: its flagged share at that threshold is reported
beside the null's, and a kind whose threshold would flag more than ``control_fpr`` of the
ordinary accounts is raised until it does not (the table says which of the two set each
threshold). :func:`threshold_for_fpr` is the rule on one cohort's edges;
:func:`edge_pvalues` is a per-edge key-shuffle null.

Threshold rule
--------------
An account is *flagged* at threshold ``m`` when it has an edge of weight >= ``m``. For a
kind, the null threshold is the smallest ``m`` at which the replicates flag, on average,
at most ``(1 - combined_share) * null_fpr / K`` of the accounts (``K`` kinds: a union
bound). With ``R`` replicates of ``n`` accounts the rule allows that share of ``R * n``
flagged accounts in all replicates together; when that is 0, the threshold is one above
the heaviest chance edge of any replicate.

Activity strata
---------------
Chance coincidences grow with activity: one account with thousands of tweets meets
everyone by chance, and a single threshold per kind is then set by it and is far too
strict for accounts with a hundred tweets. So accounts are cut into ``n_strata``
(default :data:`ACTIVITY_STRATA`, quartiles) by their number of tweets, a pair belongs
to the stratum of its *more* active account, and each kind gets one threshold per
stratum, each with the stratum's share of the budget (``n_s / n`` of it: the budgets add
up to the kind's). The control cohort is cut at the same tweet counts and raises a
stratum's threshold where it would flag more than ``control_fpr`` of the control
accounts of that stratum. ``threshold`` in the table is the largest (the most active
stratum's); ``thresholds_by_activity`` lists them all, least active first.

Combined rule
-------------
Evidence too weak in each kind alone can add up: a pair that shares two hashtags
(threshold 5) and two near-identical texts (threshold 3) within the minute is below both
thresholds, and chance rarely gives a pair both. The *pair score* of an unordered pair is
``sum over kinds of weight / threshold`` (the heavier direction of each kind, the
threshold of the pair's stratum; a pair at one kind's threshold scores at least 1). A
pair is *strong* when one kind reaches its threshold or its score is above the combined
threshold ``s``. ``null_fpr`` is split: the per-kind rule gets ``1 - combined_share`` of
it (:data:`COMBINED_SHARE`: off by default, see there why), and ``s`` is the smallest score at which the
*same* replicates have at most ``combined_share * null_fpr`` of their accounts flagged by
the combined rule and by no kind alone, so both rules together flag at most
``null_fpr``. With a control cohort ``s`` is raised until the combined rule adds at most
``combined_share * control_fpr`` of the control accounts. ``combined_share=0`` turns it
off.

Group rule
----------
Pairs of a small group that acts together two or three times score at chance level one
by one; the group rule (:mod:`casebook.coordination.groups`, on by default) counts, for
every trio of accounts, the distinct bursts all three took part in, and takes its
threshold from the same replicates (it counts as one more kind in the union bound, so
the kinds and the group rule together still flag at most ``null_fpr`` of the accounts),
raised by the control cohort and never below :data:`MIN_GROUP_BURSTS`. Its groups are
in :attr:`Calibration.groups`, :attr:`Calibration.group_trios` and
:attr:`Calibration.group_edges`; its members are counted on every replicate too.

How strong the result is
------------------------
The number of coordinated accounts (accounts with an edge at or above its kind's
threshold) is also counted on every replicate, at thresholds set on the *other*
replicates (leave one out), so that the comparison of the real count with the
replicates' is not flattered by thresholds fitted to the same replicates. The combined
threshold is left out the same way; the pair scores themselves use the thresholds set on
all replicates (they only set the scale of each kind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._arrow import as_strings
from casebook._memory import release_memory
from casebook.coordination.engine import MAX_PAIRS, Events, weights
from casebook.coordination.groups import (
    GROUP_KIND,
    GROUP_WINDOW_FACTOR,
    MAX_BURST_ACCOUNTS,
    GroupStat,
    account_trio_max,
    group_accounts,
    group_statistic,
    trio_stratum,
    trios_of,
)
from casebook.coordination.kinds import DEFAULT_KINDS, check_kind, events, prepare, tweets_frame
from casebook.coordination.near_duplicate import NearDuplicateOptions
from casebook.coordination.network import (
    Window,
    check_min_weight,
    kind_network,
    per_kind,
    unique_kinds,
    window_seconds,
)
from casebook.coordination.null import (
    MAX_SHIFT_DAYS,
    N_NULL,
    TEXT_BLOCK,
    NullRun,
    check_n_null,
    key_sorted,
    moved_subsets,
    null_inputs,
    null_of,
    run_null,
)
from casebook.errors import UsageError
from casebook.evidence import INSUFFICIENT

__all__ = [
    "GROUP_RULE",
    "Calibration",
    "account_max_weight",
    "calibrate",
    "calibrated_thresholds",
    "calibration_steps",
    "edge_pvalues",
    "pair_scores",
    "threshold_for_fpr",
]

# fpr * n is compared with a count: a share such as 0.07 * 100 must give 7, not 6.999...
_FLOAT_SLACK = 1e-9
#: Where a threshold came from (the ``threshold_from`` column).
FROM_FIXED = "fixed (min_weight)"
FROM_CONTROL = "control cohort"
#: The combined rule's name in tables.
COMBINED = "combined (sum of weight / threshold)"
#: Share of ``null_fpr`` left to the combined rule by default: none (the rule is off).
#: Measured at specimen scale 0.15 (Iran, 238 accounts), a share of 0.5 raised the
#: recall of the planted groups by 0.04-0.07 on some seeds but let a time-permuted
#: release keep up to 26% of the coordinated accounts (the day-shift null, which
#: spreads a release's bursts over weeks, underestimates the many weak coincidences a
#: sum across kinds adds up); pass ``combined_share=0.5`` to use it. Calibrating it on
#: burst-keeping replicates instead (whole account-days shifted by one random number of
#: days) raised its threshold and left the planted-group recall unchanged on seven
#: specimen seeds: the accounts it would need to recover have pair scores at chance level
#: with each member of their group, so only evidence summed over a group, not a pair,
#: could separate them: the group rule (:mod:`casebook.coordination.groups`) does.
COMBINED_SHARE = 0.0
#: The group rule (trios of accounts in repeated bursts; :mod:`.groups`) is on by default.
GROUP_RULE = True
#: A group trio needs at least this many distinct bursts, whatever the null allows: one
#: burst is one event, which a news event can explain and the day-shift null, which
#: spreads an event's tweets over weeks, cannot reproduce; a group acts again.
MIN_GROUP_BURSTS = 2
#: The group rule's name in tables.
GROUP = "group (trios in repeated bursts)"
#: Activity strata by default: accounts cut at the quartiles of their tweet counts.
ACTIVITY_STRATA = 4
#: A kind needs tweets of at least this many accounts sharing a key with another tweet.
MIN_KIND_ACCOUNTS = 2


def account_max_weight(edges: pd.DataFrame) -> pd.Series:
    """Each account's heaviest edge, as source or target, indexed by account (sorted).

    Examples
    --------
    >>> account_max_weight(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"],
    ...                                  "weight": [3, 1]})).to_dict()
    {'a': 3, 'b': 3, 'c': 1}
    """
    both = pd.concat([
        edges[["source", "weight"]].set_axis(["account", "weight"], axis=1),
        edges[["target", "weight"]].set_axis(["account", "weight"], axis=1),
    ], ignore_index=True)
    return both.groupby("account", sort=True)["weight"].max()


def _single_kind(edges: pd.DataFrame, what: str) -> None:
    if "kind" in edges.columns and edges["kind"].nunique() > 1:
        raise UsageError(f"{what} holds several kinds", hint="pass the edges of one kind")


def _check_share(value: float, name: str) -> float:
    if isinstance(value, bool) or not 0 <= value <= 1:
        raise UsageError(f"{name} must be between 0 and 1, got {value!r}")
    return float(value)


def _threshold(maxw: np.ndarray, n: int, fpr: float) -> int:
    """Smallest m >= 1 with at most floor(fpr * n) of the values ``maxw`` >= m."""
    allowed = int(np.floor(fpr * n + _FLOAT_SLACK))
    v = maxw[maxw > 0]
    if len(v) <= allowed:
        return 1
    return int(-np.partition(-v, allowed)[allowed]) + 1


def threshold_for_fpr(
    control_edges: pd.DataFrame, *, fpr: float = 0.01, n_accounts: int | None = None
) -> int:
    """Smallest ``min_weight`` that flags at most a share ``fpr`` of control accounts.

    An account is *flagged* at threshold ``m`` when it is the source or target of an
    edge with weight >= ``m``. The control cohort is a set of ordinary accounts, so a
    flagged control account is a false positive.

    Parameters
    ----------
    control_edges
        Edges of one kind computed on the control cohort (``min_weight=1``).
    fpr
        Largest acceptable share of flagged control accounts, in [0, 1].
    n_accounts
        Number of accounts in the control cohort (the denominator). Default: the
        accounts appearing in ``control_edges``, which overstates the share and so errs
        towards a higher (safer) threshold.

    Returns
    -------
    int
        The threshold (>= 1).

    Examples
    --------
    >>> ctl = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1, 5]})
    >>> threshold_for_fpr(ctl, fpr=0.0, n_accounts=100)
    6
    >>> threshold_for_fpr(ctl, fpr=0.02, n_accounts=100)
    2
    """
    _check_share(fpr, "fpr")
    _single_kind(control_edges, "control_edges")
    maxw = account_max_weight(control_edges).to_numpy(dtype=np.int64)
    n = len(maxw) if n_accounts is None else int(n_accounts)
    if n < len(maxw):
        raise UsageError(f"n_accounts={n} is smaller than the {len(maxw)} accounts in the edges")
    return _threshold(maxw, n, fpr)


def _exceedances(account_max: np.ndarray) -> np.ndarray:
    """(replicates x (heaviest + 2)): how many accounts reach each weight, per replicate."""
    r, n = account_max.shape
    top = int(account_max.max(initial=0))
    hist = np.zeros((r, top + 2), np.int64)
    np.add.at(hist, (np.repeat(np.arange(r), n), account_max.ravel()), 1)
    return hist[:, ::-1].cumsum(axis=1)[:, ::-1]


def _first_at_most(counts: np.ndarray, allowed: np.ndarray | int) -> np.ndarray:
    """Per row of ``counts`` (non-increasing in m), the smallest m >= 1 with count <= allowed."""
    ok = counts[..., 1:] <= np.asarray(allowed)[..., None]
    return 1 + np.argmax(ok, axis=-1)


def null_thresholds(account_max: np.ndarray, n_accounts: int, fpr: float) -> tuple[int, np.ndarray]:
    """(threshold on every replicate, threshold on all replicates but each one).

    ``account_max`` is (replicates x accounts): each account's heaviest null edge (0
    without one); ``n_accounts`` the accounts with tweets (the denominator per replicate).
    """
    r = account_max.shape[0]
    reach = _exceedances(account_max)
    total = reach.sum(axis=0)
    allowed_all = int(np.floor(fpr * r * n_accounts + _FLOAT_SLACK))
    allowed_loo = int(np.floor(fpr * (r - 1) * n_accounts + _FLOAT_SLACK))
    every = int(_first_at_most(total, allowed_all))
    each = _first_at_most(total[None, :] - reach, allowed_loo)
    return every, each.astype(np.int64)


def _flag_stats(edges: pd.DataFrame, needed: np.ndarray | int) -> tuple[int, int]:
    heavy = edges[edges["weight"].to_numpy() >= needed]
    accounts = pd.unique(pd.concat([heavy["source"], heavy["target"]], ignore_index=True))
    a = np.minimum(heavy["source"].to_numpy(object), heavy["target"].to_numpy(object))
    b = np.maximum(heavy["source"].to_numpy(object), heavy["target"].to_numpy(object))
    pairs = len(pd.MultiIndex.from_arrays([a, b]).unique()) if len(heavy) else 0
    return len(accounts), pairs


def _code_pairs(codes: np.ndarray, n: int) -> int:
    """Unordered account pairs among directed pair codes."""
    a, b = codes // n, codes % n
    return int(np.unique(np.minimum(a, b) * n + np.maximum(a, b)).size)


def activity_cuts(volume: np.ndarray, n_strata: int = 4) -> np.ndarray:
    """Tweet counts that cut accounts into ``n_strata`` activity strata.

    The quantiles ``1/S .. (S-1)/S`` of the tweet counts of the accounts with tweets;
    stratum ``s`` holds the accounts with ``cuts[s-1] < tweets <= cuts[s]``.
    """
    v = np.asarray(volume)[np.asarray(volume) > 0]
    if n_strata <= 1 or len(v) == 0:
        return np.zeros(0, float)
    return np.quantile(v, np.arange(1, n_strata) / n_strata)


def _volume(prep: Any) -> np.ndarray:
    """Tweets per account code."""
    return np.bincount(prep.ucode[prep.ok], minlength=prep.n_users)


def _pair_stratum(codes: np.ndarray, stratum: np.ndarray, n: int) -> np.ndarray:
    """The stratum of a pair: its more active account's."""
    return np.maximum(stratum[codes // n], stratum[codes % n])


def _stratum_max(per_rep: list[tuple[np.ndarray, np.ndarray]], stratum: np.ndarray,
                 n: int, n_strata: int) -> np.ndarray:
    """(strata x replicates x accounts): each account's heaviest edge among the pairs of
    each stratum, 0 without one."""
    out = np.zeros((n_strata, len(per_rep), n), np.int64)
    flat = out.reshape(-1)
    for r, (codes, wts) in enumerate(per_rep):  # loop over replicates only
        at = _pair_stratum(codes, stratum, n).astype(np.int64) * (len(per_rep) * n) + r * n
        w64 = wts.astype(np.int64, copy=False)
        # a flat index and the output's own type take numpy's fast path of ufunc.at:
        # 0.3 s instead of 2.6 s over the kinds of both cohorts at specimen scale 8
        np.maximum.at(flat, at + codes // n, w64)
        np.maximum.at(flat, at + codes % n, w64)
    return out


def _code_scores(
    per_kind: dict[str, tuple[np.ndarray, np.ndarray]], thresholds: dict[str, np.ndarray],
    stratum: np.ndarray, n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unordered pair codes ``a * n + b``, a < b; pair scores) of directed weights.

    A kind adds ``weight / threshold`` of its heavier direction, the threshold of the
    pair's activity stratum.
    """
    kinds = [k for k in thresholds if k in per_kind and len(per_kind[k][0])]
    if not kinds:
        return np.zeros(0, np.int64), np.zeros(0, float)
    und, part = [], []
    for k in kinds:  # loop over kinds; each is vectorised
        codes, wts = per_kind[k]
        a, b = codes // n, codes % n
        pair = np.minimum(a, b) * n + np.maximum(a, b)
        # heavier direction: sort by (pair, weight), keep each pair's last
        order = np.lexsort((wts, pair))
        pair, wts = pair[order], wts[order]
        last = np.append(pair[1:] != pair[:-1], True)
        pair, wts = pair[last], wts[last]
        und.append(pair)
        part.append(wts / np.asarray(thresholds[k])[_pair_stratum(pair, stratum, n)])
    u, inv = np.unique(np.concatenate(und), return_inverse=True)
    return u, np.bincount(inv, weights=np.concatenate(part), minlength=len(u))


def _account_score(und: np.ndarray, score: np.ndarray, n: int) -> np.ndarray:
    """Each account's highest pair score (0 without a pair)."""
    out = np.zeros(n, float)
    np.maximum.at(out, und // n, score)
    np.maximum.at(out, und % n, score)
    return out


def _score_threshold(account_score: np.ndarray, allowed: int) -> float:
    """Smallest ``s`` with at most ``allowed`` of the positive values above ``s``.

    Scores are compared with ``>``; 0 means any pair (no positive value is excluded)."""
    v = account_score[account_score > 0]
    if len(v) <= allowed:
        return 0.0
    return float(-np.partition(-v, allowed)[allowed])


def _positions(values: pd.Series, known: pa.Array) -> np.ndarray:
    """The position in ``known`` (large strings) of each value; ``len(known)`` for one
    not there (a missing value included)."""
    at = pc.index_in(as_strings(values).cast(pa.large_string()), value_set=known)
    return pc.fill_null(at, len(known)).to_numpy(zero_copy_only=False).astype(np.int64)


def _account_codes(prep: Any, ids: pd.Series) -> np.ndarray:
    """The account code of each userid in ``ids`` (-1 for one not in ``prep``)."""
    # an Arrow hash lookup: a pandas index of the ids as Python strings took 1.6 s for the
    # edges of both cohorts at specimen scale 8
    at = _positions(ids, prep.user_ids.cast(pa.large_string()))
    return np.where(at < len(prep.user_ids), at, -1)


def _codes_of(prep: Any, edges: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(directed pair codes, weights) of an edges frame, in ``prep``'s account codes."""
    src, dst = _account_codes(prep, edges["source"]), _account_codes(prep, edges["target"])
    return (src.astype(np.int64) * prep.n_users + dst,
            edges["weight"].to_numpy(dtype=np.int64))


def pair_scores(
    edges: pd.DataFrame,
    thresholds: dict[str, Any],
    stratum: pd.Series | None = None,
) -> pd.DataFrame:
    """Each unordered account pair's score: the sum over kinds of weight / threshold.

    The heavier direction of each kind counts; kinds without a threshold are ignored.
    A pair with one kind at its threshold scores at least 1.

    Parameters
    ----------
    edges
        Directed edges of several kinds.
    thresholds
        Kind -> threshold, or kind -> thresholds by activity stratum (least active first).
    stratum
        Account -> activity stratum (a pair takes its more active account's); default
        stratum 0 for every account.

    Returns
    -------
    pandas.DataFrame
        ``source, target, score`` (``source < target``), highest score first.

    Examples
    --------
    >>> e = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "a", "b"],
    ...                   "weight": [2, 1, 2], "kind": ["co_hashtag", "co_hashtag", "co_link"]})
    >>> pair_scores(e, {"co_hashtag": 4, "co_link": 4})["score"].tolist()
    [1.0]
    """
    e = edges[edges["kind"].isin(list(thresholds)).to_numpy(dtype=bool)]
    ids, codes = np.unique(np.concatenate([e["source"].astype(str).to_numpy(object),
                                           e["target"].astype(str).to_numpy(object)]),
                           return_inverse=True)
    n = max(len(ids), 1)
    code = codes[:len(e)].astype(np.int64) * n + codes[len(e):]
    kind = e["kind"].astype(str).to_numpy(object)
    wts = e["weight"].to_numpy(dtype=np.int64)
    per_kind = {k: (code[kind == k], wts[kind == k]) for k in thresholds}
    st = (np.zeros(n, np.int64) if stratum is None
          else stratum.reindex(ids).fillna(0).to_numpy(dtype=np.int64))
    thr = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in thresholds.items()}
    und, score = _code_scores(per_kind, thr, st, n)
    order = np.argsort(-score, kind="stable")
    und, score = und[order], score[order]
    return pd.DataFrame({"source": ids[und // n].astype(str), "target": ids[und % n].astype(str),
                         "score": score})


@dataclass
class Calibration:
    """Thresholds of every kind, where they came from, and the null's own counts.

    Attributes
    ----------
    table
        One row per (kind, cohort), cohorts ``operation``, ``null`` and (with a control)
        ``control``; see :func:`calibrate`.
    thresholds
        Kind -> threshold (weight) applied to the operation.
    edges
        ``{"operation": edges, "control": edges}`` of every kind (``min_weight=1``);
        ``"control"`` only with a control cohort.
    null_counts
        Per replicate, the accounts flagged by either rule (an edge at or above its
        kind's threshold, all kinds but ``co_post``, or a pair score above the combined
        threshold), the thresholds set without that replicate.
    n_null
        Replicates.
    combined
        The combined rule, one row per cohort (``operation``, ``null``, ``control``):
        ``rule``, ``threshold`` (pair score; a pair above it is strong; infinite when
        the rule is off), ``threshold_from``, ``null_threshold``, ``control_threshold``,
        ``replicates``, ``flagged_accounts``, ``flagged_share`` (by either rule) and
        ``flagged_pairs`` (pairs above the combined threshold).
    combined_pairs
        The operation's pairs above the combined threshold: ``source, target, score``.
    by_activity
        Kind -> thresholds by activity stratum, least active accounts first (a pair
        takes its more active account's stratum); ``thresholds`` holds the largest.
    activity
        The operation's accounts -> activity stratum.
    groups
        The group rule (:mod:`casebook.coordination.groups`), one row per cohort
        (``operation``, ``null``, ``control``): ``rule``, ``threshold`` (distinct bursts
        a trio needs, the most active stratum's), ``thresholds_by_activity``,
        ``threshold_from``, ``null_threshold``, ``control_threshold``, ``replicates``,
        ``flagged_accounts``, ``flagged_share`` (accounts in a group trio; means per
        replicate for the null) and ``flagged_trios``; None when the rule is off.
    group_trios
        The operation's group trios: ``account_1, account_2, account_3, bursts``.
    group_edges
        The operation's groups as edges ``source, target, weight, kind`` (``source <
        target``; kind :data:`~.groups.GROUP_KIND`; weight: the group bursts the two
        accounts shared): every two accounts of a burst of a group trio. Pass them to
        :func:`~casebook.coordination.detect_communities` with the strong edges: two
        members of a group need not share a per-kind edge (their tweets can be further
        apart than ``window``), and their per-kind edges stay below the kinds' thresholds.
    control_flagged
        The control cohort's accounts that the same rules flag at the same thresholds
        (an edge at or above its kind's threshold at the account's activity stratum, a
        pair above the combined threshold, a group trio): ``userid``. What ordinary
        accounts give for the operation's coordinated accounts; None without a control.
    control_accounts
        The control cohort's accounts with tweets (the denominator of its share).
    """

    table: pd.DataFrame
    thresholds: dict[str, int]
    edges: dict[str, pd.DataFrame]
    null_counts: np.ndarray
    n_null: int
    combined: pd.DataFrame | None = None
    combined_pairs: pd.DataFrame | None = None
    by_activity: dict[str, list[int]] | None = None
    activity: pd.Series | None = None
    groups: pd.DataFrame | None = None
    group_trios: pd.DataFrame | None = None
    group_edges: pd.DataFrame | None = None
    control_flagged: pd.DataFrame | None = None
    control_accounts: int | None = None

    def needed(self, edges: pd.DataFrame) -> np.ndarray:
        """Per edge, the weight its kind needs at its pair's activity stratum (NaN for a
        kind without a threshold)."""
        if self.by_activity is None or self.activity is None:
            kinds = edges["kind"].astype(object).to_numpy()
            return pd.to_numeric(pd.Series(kinds).map(self.thresholds)).to_numpy(float)
        # Arrow lookups of the ids and kinds, not pandas' of Python strings: 0.12-0.14 s
        # instead of 1.25-1.77 s for the 1.8M edges of the Iran specimen at scale 8
        top = len(next(iter(self.by_activity.values()), [0])) - 1
        strata = np.append(self.activity.to_numpy(dtype=np.int64), top)  # unknown: top
        ids = pa.array(self.activity.index.astype(str).to_numpy(object), pa.large_string())
        ps = np.maximum(*(strata[_positions(edges[c], ids)] for c in ("source", "target")))
        table = np.array([[*map(float, by), np.nan] for by in self.by_activity.values()]
                         + [[np.nan] * (top + 2)])  # a kind without thresholds: NaN
        kind = _positions(edges["kind"], pa.array(list(self.by_activity), pa.large_string()))
        return table[kind, np.where(kind < len(self.by_activity), ps, top + 1)]

    def group_pairs(self) -> pd.DataFrame:
        """The unordered account pairs of the groups: ``source, target`` (source < target)."""
        e = self.group_edges
        if e is None or e.empty:
            return pd.DataFrame({"source": pd.Series([], dtype=object),
                                 "target": pd.Series([], dtype=object)})
        return e[["source", "target"]].reset_index(drop=True)

    def strong(self, edges: pd.DataFrame) -> np.ndarray:
        """Per edge: at or above its threshold, or its pair above the combined threshold.

        The groups are not edges of a kind: :attr:`group_edges` holds them.
        """
        mask = edges["weight"].to_numpy(dtype=float) >= self.needed(edges)
        pairs = self.combined_pairs
        if pairs is None or pairs.empty or edges.empty:
            return mask
        s = edges["source"].astype(str).to_numpy(object)
        t = edges["target"].astype(str).to_numpy(object)
        key = pd.MultiIndex.from_arrays([np.minimum(s, t), np.maximum(s, t)])
        wanted = pd.MultiIndex.from_arrays([pairs["source"].astype(str).to_numpy(object),
                                            pairs["target"].astype(str).to_numpy(object)])
        counted = edges["kind"].astype(str).isin(list(self.by_activity or self.thresholds))
        return mask | (key.isin(wanted) & counted.to_numpy() & (edges["kind"] != "co_post")
                       .to_numpy(dtype=bool))

    @property
    def combined_threshold(self) -> float:
        """The pair score above which a pair is strong (infinite: the rule is off)."""
        if self.combined is None or self.combined.empty:
            return float("inf")
        return float(self.combined["threshold"].iloc[0])

    def sources(self) -> dict[str, str]:
        """Kind -> where its threshold came from."""
        op = self.table[self.table["cohort"] == "operation"]
        return dict(zip(op["kind"], op["threshold_from"], strict=True))

    def insufficient(self) -> list[str]:
        """Kinds with too little data to link two accounts."""
        op = self.table[self.table["cohort"] == "operation"]
        return op.loc[op["status"] == INSUFFICIENT, "kind"].tolist()


def _cohort_row(common: dict[str, Any], cohort: str, edges: pd.DataFrame,
                thresholds: np.ndarray, n_accounts: int,
                percentiles: Sequence[float]) -> dict[str, Any]:
    """One calibration-table row of a real cohort (operation or control): its edges and
    what the thresholds (one per edge, its pair's activity stratum) flag."""
    flagged, pairs = _flag_stats(edges, thresholds)
    w = edges["weight"]
    integer = pd.api.types.is_integer_dtype(w.dtype) and not w.hasnans
    return {**common, "cohort": cohort, "accounts": n_accounts,
            "accounts_in_edges": int(len(account_max_weight(edges))), "edges": len(edges),
            **_weight_stats(w.to_numpy(dtype=np.int64 if integer else float), percentiles),
            "flagged_accounts": flagged,
            "flagged_share": flagged / n_accounts if n_accounts else np.nan,
            "flagged_pairs": pairs}


def _weight_stats(wts: np.ndarray, percentiles: Sequence[float]) -> dict[str, float]:
    """The weights' percentiles and maximum (NaN when there are none).

    One :func:`numpy.percentile` call for all of them, on the integer weights as they
    are: a call per percentile partitioned the whole array again, on a float copy (the
    replicates' weights together are tens of millions at specimen scale 16); the same
    order statistics and interpolation give the same values;
    guarded by tests/coordination/test_calibration.py::test_weight_stats_are_those_of_each_percentile_on_floats
    """
    if not len(wts):
        return {**{f"weight_p{q:g}": np.nan for q in percentiles}, "weight_max": np.nan}
    values = np.percentile(wts, list(percentiles))
    row = {f"weight_p{q:g}": float(v) for q, v in zip(percentiles, values, strict=True)}
    row["weight_max"] = float(wts.max())
    return row


def calibration_steps(kind: str | Sequence[str], n_null: int, control: bool) -> int:
    """How many times :func:`calibrated_thresholds` calls its ``progress``: each kind's
    network of the operation (and of the control, with one), then each replicate."""
    return len(unique_kinds(kind)) * (2 if control else 1) + check_n_null(n_null)


def calibrated_thresholds(
    tweets: Any,
    control_tweets: Any = None,
    *,
    kind: str | Sequence[str] = DEFAULT_KINDS,
    window: Window = "1min",
    null_fpr: float = 0.01,
    n_null: int = N_NULL,
    control_fpr: float = 0.01,
    min_weight: int | None = None,
    seed: int = 0,
    max_shift_days: int = MAX_SHIFT_DAYS,
    text_block: int = TEXT_BLOCK,
    percentiles: Sequence[float] = (50, 90, 99),
    near_duplicate: NearDuplicateOptions | None = None,
    combined_share: float = COMBINED_SHARE,
    n_strata: int = ACTIVITY_STRATA,
    group_rule: bool = GROUP_RULE,
    group_window: Window | None = None,
    max_burst_accounts: int = MAX_BURST_ACCOUNTS,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Each kind's threshold from chance replicates of the release, checked on a control.

    Parameters
    ----------
    tweets
        The operation's tweets (or a ``Release``).
    control_tweets
        A control cohort of ordinary accounts, or None.
    kind, window, near_duplicate
        As for :func:`~casebook.coordination.networks`.
    null_fpr
        Largest share of accounts the chance replicates may flag, both rules and all
        kinds together (each kind gets ``(1 - combined_share) * null_fpr`` divided by
        the number of kinds; the combined rule the rest).
    combined_share
        Share of ``null_fpr`` left to the combined rule (pair score: sum over kinds of
        weight / threshold); 0 turns it off. Ignored with ``min_weight``.
    n_strata
        Activity strata (accounts cut at quantiles of their tweet counts; 1: one
        threshold per kind for everyone).
    group_rule
        Also flag trios of accounts that took part in the same bursts more often than
        chance allows (:mod:`casebook.coordination.groups`); the rule counts as one more
        kind in the split of ``null_fpr``. Ignored with ``min_weight``.
    group_window
        The group rule's burst linkage window (default :data:`~.groups.GROUP_WINDOW_FACTOR`
        times ``window``).
    max_burst_accounts
        Bursts of more accounts are crowds and give the group rule no trio.
    n_null
        Chance replicates (>= 2); :data:`~casebook.coordination.null.N_NULL` by default.
    control_fpr
        Largest share of control accounts a kind's threshold may flag; a kind whose null
        threshold flags more is raised to the control's threshold.
    min_weight
        A fixed threshold for every kind instead (the null and control thresholds are
        still reported, and the null still counted).
    seed
        Seed of the replicates.
    max_shift_days, text_block
        The null models' parameters (:mod:`casebook.coordination.null`).
    percentiles
        Edge-weight percentiles reported per cohort.
    progress
        Called with a short label as each step ends: each kind's network of the
        operation and of the control, each chance replicate (:func:`calibration_steps`
        of them in all); it may be called from worker threads.

    Returns
    -------
    Calibration
    """
    kinds = unique_kinds(kind)
    w = window_seconds(window)
    null_fpr = _check_share(null_fpr, "null_fpr")
    control_fpr = _check_share(control_fpr, "control_fpr")
    combined_share = _check_share(combined_share, "combined_share")
    if isinstance(n_strata, bool) or int(n_strata) != n_strata or n_strata < 1:
        raise UsageError(f"n_strata must be an integer >= 1, got {n_strata!r}")
    fixed = None if min_weight is None else check_min_weight(min_weight)
    prep = prepare(tweets_frame(tweets), kinds)
    ctl_prep = None if control_tweets is None else prepare(tweets_frame(control_tweets), kinds)

    def nets(p: Any, cohort: str) -> dict[str, tuple[pd.DataFrame, Events, np.ndarray]]:
        def one(k: str) -> tuple[pd.DataFrame, Events, np.ndarray]:
            net = kind_network(p, k, w, 1, near_duplicate, MAX_PAIRS)
            if progress is not None:
                progress(f"{cohort}: {k}")
            return net

        return dict(zip(kinds, per_kind(one, kinds), strict=True))

    counted = [k for k in kinds if k != "co_post"]  # communities ignore the baseline
    groups_on = bool(group_rule) and fixed is None and len(counted) > 0
    if isinstance(max_burst_accounts, bool) or int(max_burst_accounts) != max_burst_accounts \
            or max_burst_accounts < 3:
        raise UsageError(f"max_burst_accounts must be an integer >= 3, got {max_burst_accounts!r}")

    gw = GROUP_WINDOW_FACTOR * w if group_window is None else window_seconds(group_window)
    op_nets = nets(prep, "operation")
    prep.forget_texts()
    release_memory()
    ctl_nets = nets(ctl_prep, "control") if ctl_prep is not None else {}
    if ctl_prep is not None:
        ctl_prep.forget_texts()
    reach = max(w, gw) if groups_on else w
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="casebook-null-inputs") as pool:
        # the replicates' events are prepared beside the cohorts' bursts (both only read
        # the events; 5 s on one core at specimen scale 8 were here)
        ready = pool.submit(null_inputs, prep, {k: op_nets[k][1] for k in kinds}, reach,
                            text_block=text_block, max_shift_days=max_shift_days)
        # the control's events serve only its bursts: counted now, they are freed before
        # the replicates run (a control's near-duplicate events and signatures are
        # hundreds of MB)
        ctl_events = _take_events(ctl_nets)
        ctl_stat = (group_statistic({k: (_burst_events(ctl_events[k], gw), ctl_prep.ucode)
                                     for k in counted}, gw,
                                    ctl_prep.n_users, max_accounts=int(max_burst_accounts))
                    if groups_on and ctl_prep is not None else None)
        del ctl_events
        release_memory()
        # the operation's bursts too, before the replicates: their temporaries never sit
        # beside the replicates' memory (the peak of a case at specimen scale 8 was here)
        op_stat = (group_statistic({k: (_burst_events(op_nets[k][1], gw), prep.ucode)
                                    for k in counted}, gw,
                                   prep.n_users, max_accounts=int(max_burst_accounts))
                   if groups_on else None)
        op_accounts = {k: int(np.count_nonzero(np.bincount(op_nets[k][1].user, minlength=1)))
                       for k in kinds}
        inputs = ready.result()
    # the replicates hold the only reference to the events they use now
    _take_events(op_nets)
    release_memory()

    def collect(kind_events: Iterator[tuple[str, tuple[Events, np.ndarray]]]) -> GroupStat:
        # the group rule's thresholds are never below MIN_GROUP_BURSTS (_group_rule); the
        # kinds are read one at a time, as run_null moves them (group_statistic skips
        # co_post itself: a filter here would hold each kind's events while the next moves)
        return group_statistic(kind_events, gw,
                               prep.n_users, max_accounts=int(max_burst_accounts)
                               ).pruned(MIN_GROUP_BURSTS)

    run = run_null(prep, inputs, w, n_null=n_null, seed=seed,
                   max_shift_days=max_shift_days, text_block=text_block,
                   collect=collect if groups_on else None, collect_window=gw,
                   progress=progress)
    del inputs
    release_memory()
    share = 0.0 if fixed is not None else combined_share
    # a union bound over the kinds and, when on, the group rule
    per_kind_fpr = null_fpr * (1 - share) / max(len(counted) + int(groups_on), 1)
    n_active = prep.n_active
    n, r = prep.n_users, run.n_null
    volume = _volume(prep)
    cuts = activity_cuts(volume, n_strata)
    n_st = len(cuts) + 1
    stratum = np.searchsorted(cuts, volume, side="left")
    n_in = np.bincount(stratum[volume > 0], minlength=n_st)
    if ctl_prep is not None:
        m = ctl_prep.n_users
        ctl_volume = _volume(ctl_prep)
        ctl_stratum = np.searchsorted(cuts, ctl_volume, side="left")
        ctl_in = np.bincount(ctl_stratum[ctl_volume > 0], minlength=n_st)

    rows: list[dict[str, Any]] = []
    thresholds: dict[str, int] = {}
    by_activity: dict[str, np.ndarray] = {}
    kind_flag = np.zeros((r, n), bool)   # a kind alone flags the account (all replicates)
    loo_flag = np.zeros((r, n), bool)    # the same at leave-one-out thresholds
    op_codes = {k: _codes_of(prep, op_nets[k][0]) for k in kinds}
    ctl_codes = ({k: _codes_of(ctl_prep, ctl_nets[k][0]) for k in kinds}
                 if ctl_prep is not None else None)
    for k in kinds:  # loop over kinds; each is vectorised
        reps = [rep[k] for rep in run.weights]
        am = _stratum_max(reps, stratum, n, n_st)
        null_s = np.zeros(n_st, np.int64)
        loo_s = np.zeros((n_st, r), np.int64)
        for s_ in range(n_st):  # loop over strata; each is vectorised
            null_s[s_], loo_s[s_] = null_thresholds(am[s_], int(n_in[s_]), per_kind_fpr)
        ctl_s = None
        if ctl_codes is not None:
            cam = _stratum_max([ctl_codes[k]], ctl_stratum, m, n_st)[:, 0]
            ctl_s = np.array([_threshold(cam[s_], int(ctl_in[s_]), control_fpr)
                              for s_ in range(n_st)])  # loop over strata
        if fixed is not None:
            thr_s, source = np.full(n_st, fixed), FROM_FIXED
            loo_s = np.full((n_st, r), fixed)
        else:
            floor = ctl_s if ctl_s is not None else np.ones(n_st, np.int64)
            thr_s = np.maximum(null_s, floor)
            loo_s = np.maximum(loo_s, floor[:, None])
            from_null = null_s >= floor
            source = (f"chance ({null_of(k)})" if from_null.all() else FROM_CONTROL
                      if not from_null.any() else
                      f"chance ({null_of(k)}); control cohort in {int((~from_null).sum())} "
                      f"of {n_st} activity strata")
        by_activity[k] = thr_s
        thresholds[k] = int(thr_s.max())
        flag_k = (am >= thr_s[:, None, None]).any(axis=0)
        if k in counted:
            kind_flag |= flag_k
            loo_flag |= (am >= loo_s[:, :, None]).any(axis=0)
        status = "ok" if op_accounts[k] >= MIN_KIND_ACCOUNTS else INSUFFICIENT
        common = {"kind": k, "threshold": int(thr_s.max()), "threshold_from": source,
                  "thresholds_by_activity": " / ".join(str(int(t)) for t in thr_s),
                  "null_threshold": int(null_s.max()),
                  "control_threshold": None if ctl_s is None else int(ctl_s.max()),
                  "replicates": r, "status": status}
        rows.append(_cohort_row(common, "operation", op_nets[k][0],
                                thr_s[_pair_stratum(op_codes[k][0], stratum, n)], n_active,
                                percentiles))
        # the null: means per replicate
        null_w = np.concatenate([wt for _, wt in reps])
        flagged_null = flag_k.sum(axis=1)
        rows.append({**common, "cohort": "null", "accounts": n_active,
                     "accounts_in_edges": float((am.max(axis=0) > 0).sum(axis=1).mean()),
                     "edges": float(np.mean([len(c) for c, _ in reps])),
                     **_weight_stats(null_w, percentiles),
                     "flagged_accounts": float(flagged_null.mean()),
                     "flagged_share": float(flagged_null.mean() / n_active) if n_active else np.nan,
                     "flagged_pairs": float(np.mean([
                         _code_pairs(c[wt >= thr_s[_pair_stratum(c, stratum, n)]], n)
                         for c, wt in reps]))})  # loop over replicates only
        if ctl_prep is not None:
            rows.append(_cohort_row(common, "control", ctl_nets[k][0],
                                    thr_s[_pair_stratum(ctl_codes[k][0], ctl_stratum, m)],
                                    ctl_prep.n_active, percentiles))
    columns = ["kind", "cohort", "accounts", "accounts_in_edges", "edges",
               *(f"weight_p{q:g}" for q in percentiles), "weight_max", "threshold",
               "threshold_from", "thresholds_by_activity", "null_threshold",
               "control_threshold", "replicates", "status",
               "flagged_accounts", "flagged_share", "flagged_pairs"]
    table = pd.DataFrame(rows, columns=columns)
    table["control_threshold"] = table["control_threshold"].astype("Int64")
    edges = {"operation": _concat_edges([op_nets[k][0] for k in kinds])}
    if ctl_prep is not None:
        edges["control"] = _concat_edges([ctl_nets[k][0] for k in kinds])
    grp = None
    if groups_on:
        grp = _group_rule(
            run, prep, op_stat, stratum, n_in,
            None if ctl_stat is None else (ctl_prep, ctl_stat, ctl_stratum, ctl_in),
            per_kind_fpr, control_fpr)
        kind_flag |= grp.null_flag
        loo_flag |= grp.loo_flag
    scale = {k: by_activity[k] for k in counted}
    comb = _combined_rule(
        run, scale, kind_flag, loo_flag, share, null_fpr, control_fpr,
        _Cohort(prep, {k: op_codes[k] for k in counted}, stratum),
        None if ctl_prep is None else _Cohort(ctl_prep, {k: ctl_codes[k] for k in counted},
                                              ctl_stratum),
        fixed is not None)
    activity = pd.Series(stratum[: len(prep.user_ids)], index=prep.user_ids.to_pylist(),
                         name="activity_stratum")
    ctl_flagged = None
    if comb.control_flag is not None:
        flag = comb.control_flag
        if grp is not None and grp.control_flag is not None:
            flag = flag | grp.control_flag
        ctl_flagged = pd.DataFrame({"userid": ctl_prep.ids(np.flatnonzero(flag))})
    return Calibration(table, thresholds, edges, comb.null_counts, run.n_null, comb.table,
                       comb.pairs, {k: [int(t) for t in v] for k, v in by_activity.items()},
                       activity, None if grp is None else grp.table,
                       None if grp is None else grp.trios,
                       None if grp is None else grp.edges, ctl_flagged,
                       None if ctl_prep is None else int(ctl_prep.n_active))


@dataclass
class _Groups:
    table: pd.DataFrame
    trios: pd.DataFrame
    edges: pd.DataFrame
    null_flag: np.ndarray  # (replicates x accounts) flagged at the thresholds of all replicates
    loo_flag: np.ndarray   # the same at the thresholds of the other replicates
    control_flag: np.ndarray | None = None  # the control's accounts in a group trio


def _burst_events(ev: Events, gw: int) -> Events:
    """The events of ``ev`` that its bursts (linkage window ``gw``) can use, found key slice
    by key slice when the events are in key order (a release's near duplicates: ten per
    text, whose bursts' temporaries were the peak of this phase at specimen scale 8);
    guarded by tests/coordination/test_calibration.py::test_bursts_of_a_release_read_its_near_duplicates_by_key_slices
    """
    if not key_sorted(ev.key):
        return ev
    return moved_subsets(ev, None, None, gw, gw, by_key=True)[1]


def _take_events(nets: dict[str, tuple[pd.DataFrame, Events, np.ndarray]]) -> dict[str, Events]:
    """Each kind's events, taken out of ``nets`` (left empty there): whoever receives them
    holds the only reference, and frees them with it."""
    out = {k: ev for k, (_, ev, _) in nets.items()}
    for k, (edges, _, codes) in nets.items():
        nets[k] = (edges, Events.empty(), codes)
    return out


def _group_rule(
    run: NullRun,
    prep: Any,
    op: GroupStat,
    stratum: np.ndarray,
    n_in: np.ndarray,
    ctl: tuple[Any, GroupStat, np.ndarray, np.ndarray] | None,
    fpr: float,
    control_fpr: float,
) -> _Groups:
    """The group rule's thresholds per activity stratum (null, then raised by the
    control and to :data:`MIN_GROUP_BURSTS`), the operation's groups (from its statistic
    ``op``) and the replicates' flags (group members, as for the operation)."""
    n, r, n_st = prep.n_users, run.n_null, len(n_in)
    stats: list[GroupStat] = run.collected
    null_am = np.stack([account_trio_max(st, stratum, n_st) for st in stats],
                       axis=1)  # (strata x replicates x accounts)
    null_s = np.zeros(n_st, np.int64)
    loo_s = np.zeros((n_st, r), np.int64)
    for s_ in range(n_st):  # loop over strata; each is vectorised
        null_s[s_], loo_s[s_] = null_thresholds(null_am[s_], int(n_in[s_]), fpr)
    floor = np.full(n_st, MIN_GROUP_BURSTS, np.int64)
    ctl_s = None
    if ctl is not None:
        ctl_prep, ctl_stat, ctl_stratum, ctl_in = ctl
        m = ctl_prep.n_users
        cam = account_trio_max(ctl_stat, ctl_stratum, n_st)
        ctl_s = np.array([_threshold(cam[s_], int(ctl_in[s_]), control_fpr)
                          for s_ in range(n_st)])  # loop over strata
        floor = np.maximum(floor, ctl_s)
    thr = np.maximum(null_s, floor)
    loo = np.maximum(loo_s, floor[:, None])
    from_null = null_s >= floor
    source = ("chance (time shift, text shuffle)" if from_null.all() else
              "control cohort or the minimum of repeated bursts" if not from_null.any() else
              f"chance (time shift, text shuffle); control cohort or the minimum in "
              f"{int((~from_null).sum())} of {n_st} activity strata")
    # replicates: the members of their groups, as for the operation (loops over replicates)
    null_flag = np.stack([group_accounts(st, thr, stratum) for st in stats])
    loo_flag = np.stack([group_accounts(st, loo[:, i], stratum) for i, st in enumerate(stats)])
    # the operation's trios at or above their stratum's threshold, and their groups
    keep = op.counts >= thr[trio_stratum(op.codes, stratum, n)]
    codes, counts = op.codes[keep], op.counts[keep]
    order = np.lexsort((codes, -counts))
    tri = trios_of(codes[order], n)
    trios = pd.DataFrame({"account_1": prep.ids(tri[:, 0]), "account_2": prep.ids(tri[:, 1]),
                          "account_3": prep.ids(tri[:, 2]), "bursts": counts[order]})
    pairs, shared = op.members(codes)
    edges = pd.DataFrame({"source": prep.ids(pairs // n), "target": prep.ids(pairs % n),
                          "weight": shared.astype(np.int64), "kind": GROUP_KIND})
    common = {"rule": GROUP, "threshold": int(thr.max()),
              "thresholds_by_activity": " / ".join(str(int(t)) for t in thr),
              "threshold_from": source, "null_threshold": int(null_s.max()),
              "control_threshold": None if ctl_s is None else int(ctl_s.max()),
              "replicates": r}
    n_active = prep.n_active
    flagged_op = int(np.unique(np.concatenate([pairs // n, pairs % n])).size)
    null_counts = null_flag.sum(axis=1)
    null_trios = [int((st.counts >= thr[trio_stratum(st.codes, stratum, n)]).sum())
                  for st in stats]  # loop over replicates only
    rows = [
        {**common, "cohort": "operation", "accounts": n_active, "flagged_accounts": flagged_op,
         "flagged_share": flagged_op / n_active if n_active else np.nan,
         "flagged_trios": len(trios)},
        {**common, "cohort": "null", "accounts": n_active,
         "flagged_accounts": float(null_counts.mean()),
         "flagged_share": float(null_counts.mean() / n_active) if n_active else np.nan,
         "flagged_trios": float(np.mean(null_trios))},
    ]
    ctl_flag = None
    if ctl is not None:
        ctl_flag = group_accounts(ctl_stat, thr, ctl_stratum)
        ctl_trios = int((ctl_stat.counts >= thr[trio_stratum(ctl_stat.codes, ctl_stratum, m)])
                        .sum())
        n_ctl = ctl_prep.n_active
        rows.append({**common, "cohort": "control", "accounts": n_ctl,
                     "flagged_accounts": int(ctl_flag.sum()),
                     "flagged_share": int(ctl_flag.sum()) / n_ctl if n_ctl else np.nan,
                     "flagged_trios": ctl_trios})
    table = pd.DataFrame(rows, columns=[
        "rule", "cohort", "accounts", "threshold", "thresholds_by_activity", "threshold_from",
        "null_threshold", "control_threshold", "replicates", "flagged_accounts",
        "flagged_share", "flagged_trios"])
    table["control_threshold"] = table["control_threshold"].astype("Int64")
    return _Groups(table, trios, edges, null_flag, loo_flag, ctl_flag)


def _concat_edges(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


@dataclass
class _Cohort:
    prep: Any
    codes: dict[str, tuple[np.ndarray, np.ndarray]]
    stratum: np.ndarray

    def flags(self, scale: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(accounts a kind alone flags, each account's highest pair score)."""
        n = self.prep.n_users
        kind = np.zeros(n, bool)
        for k, (codes, wts) in self.codes.items():  # loop over kinds; each is vectorised
            heavy = codes[wts >= scale[k][_pair_stratum(codes, self.stratum, n)]]
            kind[heavy // n] = True
            kind[heavy % n] = True
        und, score = _code_scores(self.codes, scale, self.stratum, n)
        return kind, _account_score(und, score, n)


@dataclass
class _Combined:
    table: pd.DataFrame
    pairs: pd.DataFrame
    null_counts: np.ndarray
    control_flag: np.ndarray | None = None  # the control's accounts either rule flags


def _combined_rule(
    run: NullRun,
    scale: dict[str, np.ndarray],
    kind_flag: np.ndarray,
    loo_flag: np.ndarray,
    share: float,
    null_fpr: float,
    control_fpr: float,
    op: _Cohort,
    ctl: _Cohort | None,
    fixed: bool,
) -> _Combined:
    """The combined threshold on the replicates (and the control), the operation's pairs
    above it, and every replicate's count of accounts flagged by either rule."""
    prep, stratum = op.prep, op.stratum
    n, r, n_active = prep.n_users, run.n_null, prep.n_active
    on = share > 0 and not fixed
    null_score = np.zeros((r, n), float)
    null_pair_scores = [np.zeros(0, float)] * r
    # off, the combined threshold is infinite and no replicate's score can pass it: the
    # scores are not computed (the same zeros in every count below)
    for i, rep in enumerate(run.weights if on else []):  # loop over replicates only
        und, score = _code_scores(rep, scale, stratum, n)
        null_pair_scores[i] = score
        null_score[i] = _account_score(und, score, n)
    # the combined rule's own budget: accounts it flags that no kind alone flags
    extra = np.where(kind_flag, 0.0, null_score)
    null_thr = (_score_threshold(extra.ravel(),
                                 int(np.floor(share * null_fpr * r * n_active + _FLOAT_SLACK)))
                if on else np.inf)
    ctl_thr = None
    if ctl is not None:
        ctl_kind, ctl_score = ctl.flags(scale)
        ctl_thr = _score_threshold(np.where(ctl_kind, 0.0, ctl_score), int(np.floor(
            share * control_fpr * ctl.prep.n_active + _FLOAT_SLACK)))
    floor = ctl_thr if ctl_thr is not None else 0.0
    thr = max(null_thr, floor)
    if fixed:
        source = FROM_FIXED
    elif not on:
        source = "off (combined_share=0)"
    else:
        source = "chance (both nulls)" if null_thr >= floor else FROM_CONTROL
    # leave one out: the combined threshold of the other replicates
    allowed_loo = int(np.floor(share * null_fpr * (r - 1) * n_active + _FLOAT_SLACK))
    counts = np.zeros(r, np.int64)
    for i in range(r):  # loop over replicates only
        thr_i = (max(_score_threshold(np.delete(extra, i, axis=0).ravel(), allowed_loo), floor)
                 if on else np.inf)
        counts[i] = int((loo_flag[i] | (null_score[i] > thr_i)).sum())
    # the operation's pairs above the threshold
    und, score = _code_scores(op.codes, scale, stratum, n)
    above = score > thr
    pairs = pd.DataFrame({"source": prep.ids(und[above] // n), "target": prep.ids(und[above] % n),
                          "score": score[above]})
    pairs = pairs.sort_values(["score", "source", "target"], ascending=[False, True, True],
                              ignore_index=True)
    op_kind, op_score = op.flags(scale)
    common = {"rule": COMBINED, "threshold": thr, "threshold_from": source,
              "null_threshold": null_thr, "control_threshold": ctl_thr, "replicates": r}
    flagged_op = int((op_kind | (op_score > thr)).sum())
    null_flagged = (kind_flag | (null_score > thr)).sum(axis=1)
    rows = [
        {**common, "cohort": "operation", "accounts": n_active, "flagged_accounts": flagged_op,
         "flagged_share": flagged_op / n_active if n_active else np.nan,
         "flagged_pairs": int(above.sum())},
        {**common, "cohort": "null", "accounts": n_active,
         "flagged_accounts": float(null_flagged.mean()),
         "flagged_share": float(null_flagged.mean() / n_active) if n_active else np.nan,
         "flagged_pairs": float(np.mean([(sc > thr).sum() for sc in null_pair_scores]))},
    ]
    ctl_flag = None
    if ctl is not None:
        ctl_flag = ctl_kind | (ctl_score > thr)
        flagged_ctl = int(ctl_flag.sum())
        n_ctl = ctl.prep.n_active
        ctl_pairs = _code_scores(ctl.codes, scale, ctl.stratum, ctl.prep.n_users)[1]
        rows.append({**common, "cohort": "control", "accounts": n_ctl,
                     "flagged_accounts": flagged_ctl,
                     "flagged_share": flagged_ctl / n_ctl if n_ctl else np.nan,
                     "flagged_pairs": int((ctl_pairs > thr).sum())})
    table = pd.DataFrame(rows, columns=[
        "rule", "cohort", "accounts", "threshold", "threshold_from", "null_threshold",
        "control_threshold", "replicates", "flagged_accounts", "flagged_share", "flagged_pairs"])
    return _Combined(table, pairs, counts, ctl_flag)


def calibrate(
    tweets: Any,
    control_tweets: Any = None,
    *,
    kind: str | Sequence[str] = DEFAULT_KINDS,
    window: Window = "1min",
    fpr: float = 0.01,
    min_weight: int | None = None,
    null_fpr: float = 0.01,
    n_null: int = N_NULL,
    seed: int = 0,
    percentiles: Sequence[float] = (50, 90, 99),
    near_duplicate: NearDuplicateOptions | None = None,
    return_edges: bool = False,
    n_strata: int = 1,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Compare edge weights of an operation with chance and with ordinary accounts.

    :func:`calibrated_thresholds` as a table: each kind's threshold is the null's
    (``null_fpr`` of accounts flagged by chance, all kinds together), raised where
    needed so that at most ``fpr`` of the control cohort's accounts are flagged;
    ``min_weight`` fixes it instead. One threshold per kind by default (``n_strata=1``),
    so that ``threshold`` can be passed as ``min_weight`` to
    :func:`~casebook.coordination.coordination_network`; a case's coordination section
    uses activity strata (:func:`calibrated_thresholds`).

    Returns
    -------
    pandas.DataFrame
        One row per (kind, cohort), ``cohort`` in ``operation``/``null``/``control``:
        ``accounts`` (accounts with tweets; the operation's for the null),
        ``accounts_in_edges``, ``edges``, ``weight_p<q>`` for each percentile and
        ``weight_max`` (over edges; missing without edges), ``threshold`` (applied to
        the most active stratum, the largest), ``threshold_from`` (``chance (time
        shift)``, ``chance (text shuffle)``, ``control cohort``, ``fixed (min_weight)``
        or chance with the control in some strata), ``thresholds_by_activity`` (per
        activity stratum, least active first), ``null_threshold`` and
        ``control_threshold`` (largest over strata), ``replicates``, ``status`` (``ok``
        or ``insufficient data`` when fewer than two accounts share any key of the
        kind), ``flagged_accounts``, ``flagged_share`` and ``flagged_pairs`` (accounts
        with an edge at or above its stratum's threshold, their share of ``accounts``,
        unordered pairs with such an edge). The combined rule across kinds is in
        :attr:`Calibration.combined`. The null rows hold means per replicate (pooled weights for the
        percentiles). With ``return_edges=True``, also a dict ``{"operation": edges,
        "control": edges}`` of every kind's edges (``min_weight=1``).

    Examples
    --------
    >>> calibrate(op, control, kind=["co_retweet", "co_hashtag"], fpr=0.01)  # doctest: +SKIP
    """
    cal = calibrated_thresholds(
        tweets, control_tweets, kind=kind, window=window, null_fpr=null_fpr, n_null=n_null,
        control_fpr=fpr, min_weight=min_weight, seed=seed, percentiles=percentiles,
        near_duplicate=near_duplicate, n_strata=n_strata)
    return (cal.table, cal.edges) if return_edges else cal.table


def edge_pvalues(
    tweets: Any,
    edges: pd.DataFrame,
    *,
    kind: str | None = None,
    window: Window = "1min",
    n_shuffles: int = 99,
    stratum: str = "1D",
    seed: int = 0,
) -> pd.DataFrame:
    """Shuffle null model: how often does chance alone give an edge this heavy?

    The null keeps every tweet's account and time and every key's popularity, and
    shuffles which tweet carries which key among the tweets of the same ``stratum``
    (default: the same UTC day). So each account's activity per day and each key's use
    per day are preserved; only the alignment between accounts is random. For each
    observed edge, ``p_value = (1 + #{shuffles with null weight >= observed}) /
    (1 + n_shuffles)``: a small value says the two accounts shared keys within the window
    more often than accounts with their activity would by chance that day. It does not
    correct for testing many edges; the smallest possible value is ``1/(1+n_shuffles)``.

    Parameters
    ----------
    tweets
        The tweets the edges were computed on.
    edges
        Edges of one key-based kind (not ``near_duplicate`` or ``co_post``).
    kind
        The kind; default the ``kind`` column of ``edges``.
    window
        As used for the edges.
    n_shuffles
        Number of shuffles (each costs one network computation).
    stratum
        Length of the time blocks within which keys are shuffled.
    seed
        Seed of the shuffles.

    Returns
    -------
    pandas.DataFrame
        ``edges`` with ``expected_weight`` (mean null weight) and ``p_value``.
    """
    df = tweets_frame(tweets)
    if kind is None:
        if "kind" not in edges.columns or edges["kind"].nunique() != 1:
            raise UsageError("edges have no single kind column", hint="pass kind=")
        kind = str(edges["kind"].iloc[0])
    check_kind(kind)
    if kind in ("near_duplicate", "co_post"):
        raise UsageError(f"{kind} has no shared key to shuffle; p-values need a key kind")
    _single_kind(edges, "edges")
    if n_shuffles < 1:
        raise UsageError(f"n_shuffles must be >= 1, got {n_shuffles!r}")
    w = window_seconds(window)
    block = int(pd.Timedelta(stratum) // pd.Timedelta(seconds=1))
    prep = prepare(df)
    ev = events(prep, kind, drop_singletons=False)
    ids = pd.Index(prep.user_ids.to_pylist())
    src, dst = ids.get_indexer(edges["source"]), ids.get_indexer(edges["target"])
    if (src < 0).any() or (dst < 0).any():
        raise UsageError("edges name accounts that have no tweets in `tweets`")
    obs_codes = src.astype(np.int64) * prep.n_users + dst
    observed = edges["weight"].to_numpy(dtype=np.int64)
    rng = np.random.default_rng(seed)
    strata = ev.t // block
    base = np.lexsort((np.arange(len(ev)), strata))
    exceed = np.zeros(len(edges), np.int64)
    total = np.zeros(len(edges), np.float64)
    for _ in range(n_shuffles):  # loop over shuffles; each is vectorised
        perm = np.lexsort((rng.random(len(ev)), strata))
        key = np.empty_like(ev.key)
        key[perm] = ev.key[base]
        codes, null_weights = weights(
            Events(ev.pos, key, ev.t, ev.user), w, prep.ucode, prep.n_users, max_pairs=MAX_PAIRS,
        )
        at = np.searchsorted(codes, obs_codes)
        at_ok = np.minimum(at, max(len(codes) - 1, 0))
        found = (at < len(codes)) & (codes[at_ok] == obs_codes) if len(codes) else at < 0
        null = np.where(found, null_weights[at_ok] if len(codes) else 0, 0)
        exceed += null >= observed
        total += null
    return edges.assign(
        expected_weight=total / n_shuffles, p_value=(1 + exceed) / (1 + n_shuffles)
    )
