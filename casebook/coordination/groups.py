"""Evidence summed over a group: trios of accounts that keep turning up in the same bursts.

The per-kind thresholds (:mod:`casebook.coordination.calibration`) judge each *pair* of
accounts on its own. A small group that acts together only two or three times (five
personas retweeting one persona within two minutes on three days) gives each of its
pairs a weight of one to three, which chance gives many pairs of a busy release as
well; no pair threshold can tell them apart. What chance rarely gives is *the same
three accounts* in the same burst again and again: that is the statistic here.

Bursts
------
A *burst* of a kind is a set of tweets linked by the kind's matching rule: tweets with
the same key (retweeted tweet, text, URL, hashtag, ...) each within the *group window*
of the next (single linkage in time); for ``near_duplicate``, tweets linked by verified
near-duplicate pairs within the group window. The group window is
:data:`GROUP_WINDOW_FACTOR` times the pair window (two minutes for the default one
minute): a trio must recur, which chance rarely gives even in a wider window, and the
null is computed at the same window, so the width changes what is found, never the share
of accounts chance may flag. A burst's *accounts* are the distinct accounts of its
tweets. Bursts of fewer than three accounts are pair evidence (the per-kind rule's).

Crowds
------
A key used by more than ``max_accounts`` (:data:`MAX_BURST_ACCOUNTS`) accounts on one
UTC day (a campaign hashtag, a viral tweet, a televised debate) gives no burst that day
(:func:`crowd_events`): minute by minute such a crowd splits into many small bursts, and
the same three of its accounts meet in several of them by chance within the day, which
the day-shift null (it spreads the day over weeks) does not reproduce. Measured on the
Iran specimen (seed 2024, one-minute linkage), without this rule co_hashtag trios on campaign days flagged
86 accounts outside the planted groups; with it, none.

Trio statistic
--------------
A trio's count is the number of distinct bursts (across kinds; bursts of several kinds
that start at the same second, such as a link posted with the same hashtags, count
once) whose accounts include all three. An account's group statistic is the highest
count of a trio it belongs to. On the chance replicates of the release (the same
replicates as the per-kind thresholds: tweets moved by whole days, texts shuffled across
accounts; :mod:`casebook.coordination.null`) the statistic gives the threshold exactly
as a kind's weight does (:func:`casebook.coordination.calibration.null_thresholds`, per
activity stratum, a trio taking the stratum of its most active account): the smallest
count that the replicates reach for at most the group rule's share of the accounts
(``null_fpr`` split over the kinds and this rule), raised where the control cohort would
have more than ``control_fpr`` of its accounts flagged, and never below
:data:`~casebook.coordination.calibration.MIN_GROUP_BURSTS` (one burst is one event).

Groups
------
A trio at or above its threshold is a *group trio*; its *group* is every account of the
bursts the trio shared (:meth:`GroupStat.members`), so a member that joined only one of
the group's actions is in it too. The price: an account that happened to act in the same
window as the group once is counted as well (on the specimens, at most one account per
release outside the planted groups). The same members are counted on every replicate,
so the comparison with chance counts them the same way. Members are linked by edges of
kind :data:`GROUP_KIND`.

Everything is vectorised over events, bursts and trios; Python loops run over kinds,
burst sizes (3 to :data:`MAX_BURST_ACCOUNTS`) and replicates only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from casebook.coordination.engine import MAX_PAIRS, Events, either_end, matching_pairs, ordered
from casebook.coordination.kinds import DEFAULT_KINDS, events, prepare, tweets_frame
from casebook.coordination.near_duplicate import NearDuplicateOptions
from casebook.coordination.network import Window, unique_kinds, window_seconds

__all__ = ["GROUP_KIND", "GROUP_WINDOW_FACTOR", "MAX_BURST_ACCOUNTS", "group_trios"]

#: Largest burst (distinct accounts) whose trios count: above it a burst is a crowd.
#: Twelve is twice the size of the small groups this rule is for (the per-kind rule finds
#: larger groups: their pairs share many bursts) and keeps a burst's trios at most 220.
MAX_BURST_ACCOUNTS: int = 12
#: The group rule links a burst's tweets within this many times the pair window: a
#: trio must recur, which chance rarely gives even in a wider window (the null calibrates
#: whatever window is used), and a group's tweets are often spread over a few minutes.
GROUP_WINDOW_FACTOR: int = 2
#: The kind of the group edges (two accounts in the same burst of a group).
GROUP_KIND = "co_group"
_DAY = 86_400
#: Accounts in a group unit (a trio): the smallest set whose joint recurrence a pair
#: cannot show.
TRIO: int = 3


def crowd_events(ev: Events, max_accounts: int) -> np.ndarray:
    """Per event: is its key used by more than ``max_accounts`` accounts that UTC day?

    A crowd is judged over the day, not the minute: a hashtag that hundreds of accounts
    use on a campaign day (or a tweet they all retweet) splits, minute by minute, into
    many small bursts, and the same three of those accounts meet in several of them by
    chance. A replicate judges its own days (its moved times), so the null counts crowds
    the same way.
    """
    if len(ev) == 0:
        return np.zeros(0, bool)
    day = ev.t // _DAY
    day = day - day.min()
    n_days = int(day.max()) + 1
    n_users = int(ev.user.max()) + 1
    # (key, day) as one int64: one sort, not a lexsort
    group_of = ev.key.astype(np.int64, copy=False) * n_days + day
    if (int(group_of.max()) + 1) * n_users >= 2**62:
        order = np.lexsort((ev.user, group_of))
        g, u = group_of[order], ev.user[order]
        new_user = np.r_[True, (g[1:] != g[:-1]) | (u[1:] != u[:-1])]
    else:
        code = group_of * n_users + ev.user
        order = np.argsort(code)
        c = code[order]
        g = c // n_users
        new_user = np.r_[True, c[1:] != c[:-1]]
    new_group = np.r_[True, g[1:] != g[:-1]]
    group = np.cumsum(new_group) - 1
    accounts = np.bincount(group, weights=new_user)
    out = np.empty(len(ev), bool)
    out[order] = accounts[group] > max_accounts
    return out


def burst_members(ev: Events, w: int, tweet_user: np.ndarray, *, max_pairs: int,
                  max_accounts: int | None = None,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bursts of one kind's events: (burst of each row, account, burst start second).

    One row per distinct (burst, account), sorted by burst then account; ``start`` is
    per burst (indexed by burst id). Bursts are single-linkage clusters in time of the
    events of one key (gaps of at most ``w`` seconds) or, for a kind with a pair filter
    (``near_duplicate``), connected components of its verified pairs within ``w``.
    ``tweet_user`` gives the account of every tweet position. With ``max_accounts``,
    events whose key is a crowd that day (:func:`crowd_events`) are left out first.
    """
    empty = np.zeros(0, np.int64)
    if len(ev) < 2:
        return empty, empty, empty
    # only events with another event of their key within w can be in a burst; they are
    # found, and the crowds judged, in the (key, time) order of the events (shared with the
    # pair engine when ``ev.order`` is set: one sort per replicate and kind), so the rest
    # (most of a release's events) is never sorted again. Ties come in any order, which
    # changes no burst (the rows are sorted by (burst, account) below);
    # guarded by tests/coordination/test_groups.py::test_burst_members_equal_a_simple_reference
    ev = ordered(ev)
    order = ev.order
    k, t = ev.key[order], ev.t[order]
    same_key = k[1:] == k[:-1]
    keep = either_end(same_key & (t[1:] - t[:-1] <= w))
    if max_accounts is not None and keep.any():
        # a crowd counts every account of the key that day: a (key, day) is a run of the
        # sorted events, judged when it holds a kept event and more events than
        # max_accounts (fewer events are fewer accounts: the sort below skips them)
        day = t // _DAY
        group = np.cumsum(np.r_[True, ~same_key | (day[1:] != day[:-1])]) - 1
        n_groups = int(group[-1]) + 1
        judged = ((np.bincount(group[keep], minlength=n_groups) > 0)
                  & (np.bincount(group, minlength=n_groups) > max_accounts))[group]
        n_users = int(ev.user.max()) + 1
        g = group[judged]
        # the judged (key, day) runs numbered from 0 (those of a replicate's events are a
        # few per cent of all): their (run, account) codes then fit 32 bits, which numpy
        # sorts about twice as fast as 64
        first = np.empty(len(g), bool)
        first[:1] = True
        np.not_equal(g[1:], g[:-1], out=first[1:])
        n_judged = int(np.count_nonzero(first))
        narrow = np.int32 if max(n_judged, 1) * n_users < 2**31 else np.int64
        code = np.cumsum(first, dtype=narrow)
        code -= 1
        code *= n_users
        code += ev.user[order[judged]]
        code.sort()
        distinct = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code
        accounts = np.zeros(n_groups, np.int64)
        accounts[g[first]] = np.bincount(distinct // n_users, minlength=n_judged)
        keep &= accounts[group] <= max_accounts
    ev = ev.subset(order[keep])
    ev.order = np.arange(len(ev), dtype=np.int64)  # a subset of a sorted run is sorted
    if len(ev) < 2:
        return empty, empty, empty
    if ev.pair_filter is None:
        order = ev.order
        k, t = k[keep], t[keep]
        new = np.empty(len(order), bool)
        new[0] = True
        new[1:] = (k[1:] != k[:-1]) | (t[1:] - t[:-1] > w)
        burst = np.cumsum(new) - 1
        pos = ev.pos[order]
        bt = t
    else:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        ends = [ev_i for ia, ib in matching_pairs(ev, w, max_pairs=max_pairs)
                for ev_i in (ia, ib)]  # chunks of pairs: (ia, ib, ia, ib, ...)
        if not ends:
            return empty, empty, empty
        a, b = np.concatenate(ends[0::2]), np.concatenate(ends[1::2])
        # components over the tweets in some pair (one tweet sits in several LSH bands);
        # a tweet's events share its time
        both = np.concatenate([a, b])
        pos, first, inv = np.unique(ev.pos[both], return_index=True, return_inverse=True)
        m = len(pos)
        graph = coo_matrix((np.ones(len(a), np.int8), (inv[:len(a)], inv[len(a):])),
                           shape=(m, m))
        _, burst = connected_components(graph, directed=False)
        bt = ev.t[both[first]]
    n_b = int(burst.max()) + 1 if len(burst) else 0
    start = np.full(n_b, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(start, burst, bt.astype(np.int64, copy=False))  # no cast: ufunc.at's fast path
    acct = tweet_user[pos]
    order = np.lexsort((acct, burst))
    burst, acct = burst[order], acct[order]
    keep = np.empty(len(burst), bool)
    if len(burst):
        keep[0] = True
        keep[1:] = (burst[1:] != burst[:-1]) | (acct[1:] != acct[:-1])
    return burst[keep].astype(np.int64), acct[keep].astype(np.int64), start


def trio_events(burst: np.ndarray, acct: np.ndarray, start: np.ndarray, n_users: int, *,
                max_accounts: int = MAX_BURST_ACCOUNTS,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every trio of every burst of 3 to ``max_accounts`` accounts: (trio codes, burst
    start, burst).

    ``burst, acct`` as :func:`burst_members` returns them (sorted by burst, then account);
    a trio ``a < b < c`` is coded ``(a * n + b) * n + c``.
    """
    empty = np.zeros(0, np.int64)
    if len(burst) == 0:
        return empty, empty, empty
    first = np.flatnonzero(np.r_[True, burst[1:] != burst[:-1]])
    size = np.diff(np.r_[first, len(burst)])
    codes, starts, bursts = [], [], []
    n = np.int64(n_users)
    for s in range(TRIO, max_accounts + 1):  # loop over burst sizes (at most ten)
        at = first[size == s]
        if len(at) == 0:
            continue
        members = acct[at[:, None] + np.arange(s)]          # (bursts, s), sorted per row
        combo = np.array(list(combinations(range(s), TRIO)))  # (C(s, 3), 3)
        t = members[:, combo]                                 # (bursts, C, 3)
        codes.append(((t[..., 0] * n + t[..., 1]) * n + t[..., 2]).ravel())
        starts.append(np.repeat(start[burst[at]], len(combo)))
        bursts.append(np.repeat(burst[at], len(combo)))
    if not codes:
        return empty, empty, empty
    return np.concatenate(codes), np.concatenate(starts), np.concatenate(bursts)


def trio_counts(parts: Sequence[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted trio codes, distinct bursts of each): ``parts`` are :func:`trio_events`
    results of several kinds; a trio's bursts that start at the same second count once."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    code = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    order = np.lexsort((start, code))
    code, start = code[order], start[order]
    distinct = np.r_[True, (code[1:] != code[:-1]) | (start[1:] != start[:-1])]
    code = code[distinct]
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    return code[first], np.diff(np.r_[first, len(code)])


@dataclass
class GroupStat:
    """The trio statistic of one cohort (or replicate) and the bursts behind it."""

    n_users: int
    codes: np.ndarray         # sorted trio codes
    counts: np.ndarray        # distinct bursts of each trio
    trio_code: np.ndarray     # one row per (trio, burst): the trio ...
    trio_burst: np.ndarray    # ... and its burst (numbered across kinds)
    burst_start: np.ndarray   # per burst: its first second
    member_burst: np.ndarray  # one row per (burst, account), sorted by burst
    member_acct: np.ndarray

    def members(self, trios: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(undirected pair codes ``a * n + b``, a < b; distinct bursts of each pair) of the
        accounts that took part in the bursts of ``trios`` (sorted trio codes).

        A group is every account of the bursts its recurring trios took part in: a member
        that joined only one of the group's actions has no recurring trio of its own.
        """
        empty = np.zeros(0, np.int64)
        if len(trios) == 0 or len(self.trio_code) == 0:
            return empty, empty
        at = np.minimum(np.searchsorted(trios, self.trio_code), len(trios) - 1)
        bursts = np.unique(self.trio_burst[trios[at] == self.trio_code])
        if len(bursts) == 0:  # trios of a pruned statistic below its min_count
            return empty, empty
        lo = np.searchsorted(self.member_burst, bursts, "left")
        hi = np.searchsorted(self.member_burst, bursts, "right")
        size = hi - lo
        rows = np.repeat(lo, size) + np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size)
        burst, acct = self.member_burst[rows], self.member_acct[rows]
        # every pair of accounts of each burst (a burst has at most MAX_BURST_ACCOUNTS)
        first = np.flatnonzero(np.r_[True, burst[1:] != burst[:-1]])
        count = np.diff(np.r_[first, len(burst)])
        n = np.int64(self.n_users)
        pair, start = [], []
        for s in np.unique(count):  # loop over burst sizes (at most ten)
            sel = first[count == s]
            m = acct[sel[:, None] + np.arange(s)]
            i, j = np.triu_indices(int(s), 1)
            pair.append((m[:, i] * n + m[:, j]).ravel())
            start.append(np.repeat(self.burst_start[burst[sel]], len(i)))
        code, st = np.concatenate(pair), np.concatenate(start)
        # a pair's bursts of several kinds that start at the same second count once
        order = np.lexsort((st, code))
        code, st = code[order], st[order]
        code = code[np.r_[True, (code[1:] != code[:-1]) | (st[1:] != st[:-1])]]
        u, k = np.unique(code, return_counts=True)
        return u, k

    def pruned(self, min_count: int) -> GroupStat:
        """The statistic with only the bursts of the trios counted at least ``min_count``
        times (the bursts renumbered); ``codes`` and ``counts`` are kept whole.

        :meth:`members` of trios counted at least ``min_count`` times, and so
        :func:`group_accounts` at thresholds of at least ``min_count``, are the same: a
        replicate's statistic is kept until every replicate has run (most of its bursts
        belong to trios seen once, half a gigabyte over 20 replicates at specimen scale 16);
        guarded by tests/coordination/test_groups.py::test_pruned_statistic_gives_the_same_groups
        """
        if len(self.trio_code) == 0:
            return self
        at = np.minimum(np.searchsorted(self.codes, self.trio_code), len(self.codes) - 1)
        row = self.counts[at] >= min_count  # every trio row's trio is in codes
        kept = np.unique(self.trio_burst[row])
        member = np.isin(self.member_burst, kept)
        return GroupStat(self.n_users, self.codes, self.counts, self.trio_code[row],
                         np.searchsorted(kept, self.trio_burst[row]), self.burst_start[kept],
                         np.searchsorted(kept, self.member_burst[member]),
                         self.member_acct[member])


def trios_of(codes: np.ndarray, n_users: int) -> np.ndarray:
    """(trios x 3) account codes of trio codes."""
    n = np.int64(n_users)
    return np.stack([codes // (n * n), (codes // n) % n, codes % n], axis=1)


def group_statistic(
    kind_events: Mapping[str, tuple[Events, np.ndarray]] | Iterable[tuple[str, tuple[Events, np.ndarray]]],
    w: int, n_users: int, *,
    max_accounts: int = MAX_BURST_ACCOUNTS, max_pairs: int = MAX_PAIRS,
) -> GroupStat:
    """The trio statistic over every kind's bursts (:class:`GroupStat`).

    ``kind_events`` maps a kind to (its events, the account of every tweet position),
    or gives (kind, (events, accounts)) pairs one at a time, as
    :func:`casebook.coordination.null.run_null` hands a replicate to ``collect`` (each
    kind's events are let go once its bursts are found);
    ``w`` is the linkage window of a burst in seconds. ``co_post`` (no key) is ignored.
    """
    parts, mb, ma, starts = [], [], [], []
    offset = 0
    pairs = kind_events.items() if isinstance(kind_events, Mapping) else kind_events
    for kind, (ev, tweet_user) in pairs:  # loop over kinds; each vectorised
        if kind == "co_post":
            continue
        burst, acct, start = burst_members(ev, w, tweet_user, max_pairs=max_pairs,
                                           max_accounts=max_accounts)
        del ev
        code, st, b = trio_events(burst, acct, start, n_users, max_accounts=max_accounts)
        parts.append((code, st, b + offset))
        mb.append(burst + offset)
        ma.append(acct)
        starts.append(start)
        offset += len(start)
    codes, counts = trio_counts(parts)
    cat = (lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64))  # noqa: E731
    return GroupStat(n_users, codes, counts, cat([p[0] for p in parts]),
                     cat([p[2] for p in parts]), cat(starts), cat(mb), cat(ma))


def trio_stratum(codes: np.ndarray, stratum: np.ndarray, n_users: int) -> np.ndarray:
    """The activity stratum of each trio: its most active account's."""
    return stratum[trios_of(codes, n_users)].max(axis=1) if len(codes) else np.zeros(0, np.int64)


def account_trio_max(stat: GroupStat, stratum: np.ndarray, n_strata: int) -> np.ndarray:
    """(strata x accounts): each account's highest trio count among the trios of each
    activity stratum, 0 without one."""
    n = stat.n_users
    out = np.zeros((n_strata, n), np.int64)
    if len(stat.codes) == 0:
        return out
    tri = trios_of(stat.codes, n)
    ts = stratum[tri].max(axis=1)
    for j in range(TRIO):  # loop over the three members of a trio
        np.maximum.at(out, (ts, tri[:, j]), stat.counts)
    return out


def group_accounts(stat: GroupStat, thresholds: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    """Per account: a member of a group (in a burst of a trio whose count reaches the
    threshold of its activity stratum)."""
    keep = stat.counts >= thresholds[trio_stratum(stat.codes, stratum, stat.n_users)]
    pairs, _ = stat.members(stat.codes[keep])
    out = np.zeros(stat.n_users, bool)
    out[pairs // stat.n_users] = True
    out[pairs % stat.n_users] = True
    return out


def group_trios(
    tweets: Any,
    *,
    kinds: str | Sequence[str] = DEFAULT_KINDS,
    window: Window = "2min",
    min_bursts: int = 1,
    max_accounts: int = MAX_BURST_ACCOUNTS,
    near_duplicate: NearDuplicateOptions | None = None,
) -> pd.DataFrame:
    """Trios of accounts and the number of distinct bursts they all took part in.

    Parameters
    ----------
    tweets
        Tweets (or a ``Release``).
    kinds, near_duplicate
        As for :func:`~casebook.coordination.networks` (``co_post`` is ignored).
    window
        The burst linkage window (a case uses :data:`GROUP_WINDOW_FACTOR` times its pair
        window).
    min_bursts
        Drop trios with fewer bursts.
    max_accounts
        Bursts of more accounts are crowds and give no trio (:data:`MAX_BURST_ACCOUNTS`).

    Returns
    -------
    pandas.DataFrame
        ``account_1, account_2, account_3, bursts`` (accounts in sorted order), most
        bursts first.

    Examples
    --------
    >>> group_trios(release, min_bursts=2).head()  # doctest: +SKIP
    """
    chosen = unique_kinds(kinds)
    w = window_seconds(window)
    prep = prepare(tweets_frame(tweets), chosen)
    kev = {k: (events(prep, k, near_duplicate=near_duplicate), prep.ucode) for k in chosen}
    stat = group_statistic(kev, w, prep.n_users, max_accounts=max_accounts)
    codes, counts = stat.codes, stat.counts
    keep = counts >= min_bursts
    codes, counts = codes[keep], counts[keep]
    order = np.lexsort((codes, -counts))
    tri = trios_of(codes[order], prep.n_users)
    return pd.DataFrame({"account_1": prep.ids(tri[:, 0]), "account_2": prep.ids(tri[:, 1]),
                         "account_3": prep.ids(tri[:, 2]), "bursts": counts[order]})
