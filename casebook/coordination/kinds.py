"""Network kinds: which key each kind reads from a tweet, as engine events.

Retweets carry their original's hashtags, mentions and links; counting them again would
repeat the co-retweet evidence, so the content kinds use non-retweets only. A tweet is a
retweet when ``is_retweet`` is true or ``retweet_tweetid`` is set.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook import schema
from casebook._arrow import as_lists, as_strings, combined, dictionary_codes
from casebook._frames import sorted_codes, tweets_of
from casebook.activity import _cached
from casebook.content import registered_domains  # one definition of a domain (co_domain keys)
from casebook.coordination.engine import Events
from casebook.coordination.near_duplicate import NearDuplicateOptions, near_duplicate_events
from casebook.coordination.text import distinct_texts, maybe_repeated_texts, present, trimmed
from casebook.errors import UsageError

__all__ = ["CNT_KINDS", "DEFAULT_KINDS", "KINDS", "registered_domains"]

#: Every network kind, in the order :func:`casebook.coordination.networks` reports them.
KINDS: tuple[str, ...] = (
    "co_retweet", "co_tweet", "co_link", "co_domain", "co_hashtag", "co_mention",
    "co_reply", "near_duplicate", "co_post",
)
#: The kinds whose semantics equal coordination-network-toolkit 1.5.2's.
CNT_KINDS: tuple[str, ...] = ("co_retweet", "co_tweet", "co_link", "co_reply")
#: Kinds computed by :func:`casebook.coordination.networks` by default: all but the
#: ``co_post`` baseline.
DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "co_post")

#: Kinds keyed by one tweet column holding one id.
SCALAR_KEYS = {"co_retweet": "retweet_tweetid", "co_reply": "in_reply_to_tweetid"}
#: Kinds keyed by each value of a list column.
LIST_KEYS = {
    "co_link": "urls", "co_domain": "urls", "co_hashtag": "hashtags",
    "co_mention": "user_mentions",
}
#: The tweet columns each kind reads (besides tweetid, userid and tweet_time).
NEEDS: dict[str, tuple[str, ...]] = {
    "co_retweet": ("retweet_tweetid",), "co_tweet": ("tweet_text",), "co_link": ("urls",),
    "co_domain": ("urls",), "co_hashtag": ("hashtags",), "co_mention": ("user_mentions",),
    "co_reply": ("in_reply_to_tweetid",), "near_duplicate": ("tweet_text",), "co_post": (),
}
_ID_COLUMNS = ("tweetid", "userid", "tweet_time")


def check_kind(kind: str) -> None:
    """Raise :class:`~casebook.errors.UsageError` unless ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind {kind!r}", hint=f"choose one of {', '.join(KINDS)}")


def tweets_frame(data: Any) -> pd.DataFrame:
    """The tweets of a Release, or the DataFrame itself (:func:`casebook._frames.tweets_of`),
    checked to be a frame."""
    frame = tweets_of(data)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("expected a tweets DataFrame or a Release")
    return frame


@dataclass
class Prepared:
    """Per-tweet arrays shared by every kind."""

    df: pd.DataFrame
    user_ids: pa.Array  # sorted distinct userids; user code = position here
    ucode: np.ndarray  # int64 per tweet, -1 where the userid is missing
    sec: np.ndarray  # int64 seconds since the epoch per tweet
    ok: np.ndarray  # usable tweet: userid and time present
    is_rt: np.ndarray  # retweet: is_retweet true or retweet_tweetid set
    #: co_tweet and near_duplicate read the same normalised texts (:meth:`original_texts`),
    #: set by :func:`prepare` when both kinds are computed
    share_texts: bool = False
    _texts: tuple[np.ndarray, np.ndarray, pa.Array] | None = field(default=None, repr=False)
    _texts_lock: threading.Lock = field(default_factory=threading.Lock, repr=False,
                                        compare=False)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @cached_property
    def n_active(self) -> int:
        """Accounts with at least one usable tweet."""
        return int(np.count_nonzero(np.bincount(self.ucode[self.ok], minlength=1)))

    def ids(self, codes: np.ndarray) -> pd.arrays.ArrowStringArray:
        """The userids of user codes."""
        return pd.array(self.user_ids.take(pa.array(codes, pa.int64())), dtype=schema.STRING)

    def original_texts(self) -> tuple[np.ndarray, np.ndarray, pa.Array]:
        """:func:`~casebook.coordination.text.distinct_texts` of the original usable tweets,
        computed once (under a lock: kinds run on threads) and kept for the second
        reader (or until :meth:`forget_texts`): ``co_tweet`` and ``near_duplicate`` both
        read them when :attr:`share_texts` (normalising a release's texts took a tenth
        of the networks' time at specimen scale 4, and ran three times)."""
        with self._texts_lock:
            texts = self._texts
            if texts is None:
                texts = distinct_texts(self.df, self.ok & ~self.is_rt)
            # the second reader frees them: near_duplicate drops its copy once hashed
            self._texts = texts if self._texts is None else None
            return texts

    def forget_texts(self) -> None:
        """Free :meth:`original_texts` (a release's distinct texts are hundreds of MB)."""
        with self._texts_lock:
            self._texts = None


def prepare(df: pd.DataFrame, kinds: Sequence[str] = ()) -> Prepared:
    """Account codes, seconds and retweet flags of every tweet, computed once; ``kinds``
    are those that will be computed on it (with both ``co_tweet`` and ``near_duplicate``
    they share the normalised texts: :attr:`Prepared.share_texts`)."""
    for col in _ID_COLUMNS:
        if col not in df.columns:
            raise UsageError(f"the tweets frame has no {col!r} column")
    ucode, user_ids = sorted_codes(df["userid"])
    has_user = ucode >= 0

    times = pd.to_datetime(df["tweet_time"], utc=True).to_numpy(dtype="datetime64[ns]")
    has_time = ~np.isnat(times)
    sec = np.where(has_time, times.view(np.int64) // 1_000_000_000, 0)

    is_rt = np.zeros(len(df), dtype=bool)
    if "is_retweet" in df.columns:
        is_rt |= df["is_retweet"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if "retweet_tweetid" in df.columns:
        is_rt |= present(as_strings(df["retweet_tweetid"]))
    return Prepared(df, user_ids, ucode, sec, has_user & has_time, is_rt,
                    share_texts={"co_tweet", "near_duplicate"} <= set(kinds))


def _check_columns(df: pd.DataFrame, kind: str) -> None:
    missing = [c for c in (*_ID_COLUMNS, *NEEDS[kind]) if c not in df.columns]
    if missing:
        raise UsageError(f"{kind} needs the tweet columns {missing}, which are missing")


def _make_events(prep: Prepared, pos: np.ndarray, labels: pa.Array | None) -> Events:
    pos = np.asarray(pos, dtype=np.int64)
    if labels is None:
        key = np.zeros(len(pos), np.int64)
        dictionary = None
    else:
        key, dictionary = dictionary_codes(labels)
    return Events(pos, key, prep.sec[pos], prep.ucode[pos], dictionary)


def events(
    prep: Prepared, kind: str, *, near_duplicate: NearDuplicateOptions | None = None,
    drop_singletons: bool = True,
) -> Events:
    """The events of one kind: one per (tweet, key), keys coded as integers.

    With ``drop_singletons``, keys used by a single tweet are dropped (they cannot link
    two accounts) and the remaining keys renumbered.
    """
    df = prep.df
    _check_columns(df, kind)
    original = prep.ok & ~prep.is_rt
    if kind == "co_post":
        ev = _make_events(prep, np.flatnonzero(prep.ok), None)
    elif kind in SCALAR_KEYS:
        rows = prep.ok & prep.is_rt if kind == "co_retweet" else original
        arr = trimmed(combined(as_strings(df[SCALAR_KEYS[kind]]).filter(pa.array(rows))))
        keep = present(arr)
        ev = _make_events(prep, np.flatnonzero(rows)[keep], arr.filter(pa.array(keep)))
    elif kind == "co_tweet":
        if prep.share_texts:  # the texts near_duplicate reads too
            pos, code, distinct = prep.original_texts()
        else:
            # texts certainly used once (unique fingerprint) would be dropped below anyway,
            # so a release's normalised texts are never all in memory at once
            mask = maybe_repeated_texts(df, original) if drop_singletons else original
            pos, code, distinct = distinct_texts(df, mask)
        # keys coded in order of first use either way (the shared texts' first uses of a
        # repeated text are among the maybe repeated ones);
        # guarded by tests/coordination/test_network.py::test_co_tweet_is_the_same_with_shared_texts
        ev = Events(pos, code, prep.sec[pos], prep.ucode[pos], distinct)
    elif kind in LIST_KEYS:
        ev = list_events(prep, kind, original)
    elif kind == "near_duplicate":
        ev = near_duplicate_events(prep, original, near_duplicate or NearDuplicateOptions(),
                                   drop_singletons=drop_singletons,
                                   texts=prep.original_texts() if prep.share_texts else None)
    else:  # pragma: no cover - guarded by check_kind
        raise UsageError(f"unknown kind {kind!r}")
    if drop_singletons and kind != "co_post" and len(ev):
        count = np.bincount(ev.key, minlength=len(ev.labels) if ev.labels is not None else 0)
        shared = count > 1
        # near_duplicate drops its single buckets itself and leaves their numbers unused:
        # a number without events drops nothing, and copying its 50M events for none (their
        # order lost, so sorted again) made the peak of a case at specimen scale 8;
        # guarded by tests/coordination/test_kinds.py::test_near_duplicate_events_are_not_copied_to_drop_nothing
        if (count == 1).any():
            ev = ev.subset(shared[ev.key])
        if ev.labels is not None and not shared.all():  # only the labels of keys in use, renumbered
            ev.key = (np.cumsum(shared) - 1)[ev.key]
            ev.labels = ev.labels.filter(pa.array(shared))
    return ev.narrowed(prep.sec)


def list_events(prep: Prepared, kind: str, rows: np.ndarray, *,
                domain_source: pd.Series | None = None) -> Events:
    """Events of a list-keyed kind (:data:`LIST_KEYS`) for the tweets of ``rows``.

    ``domain_source``: the ``urls`` column of the release that ``prep``'s tweets were taken
    from (default ``prep``'s own): ``co_domain`` looks its URLs up in that column's
    domains, computed once per release.
    """
    if kind == "co_link" or (kind == "co_domain" and domain_source is None):
        return _url_events(prep, kind, rows)  # a link's key needs no other column's domains
    # only the lists of ``rows`` are flattened (a summary reads some communities' tweets,
    # a kind the original ones); guarded by
    # tests/coordination/test_kinds.py::test_list_events_of_some_rows_are_those_of_all_rows_there
    at = None if rows.all() else np.flatnonzero(rows)
    lists = as_lists(prep.df[LIST_KEYS[kind]], None if at is None else rows)
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    if at is not None:
        parent = at[parent]
    # each distinct value is trimmed, case-folded or looked up once and its key given to
    # every occurrence (every occurrence's string was trimmed, filtered and hashed: the
    # hashtags' events at specimen scale 8 took 1.17 s instead of 0.50-0.68 s). Keys are
    # still coded in order of first use: the distinct values are in that order;
    # guarded by tests/coordination/test_kinds.py::test_list_keys_are_those_of_every_occurrence
    codes, uniques = dictionary_codes(as_strings(pc.list_flatten(lists)))
    del lists
    values = trimmed(uniques)
    # distinct mentions left as they were are their own keys: no second hashing
    distinct = values is uniques and kind == "co_mention"
    if kind == "co_hashtag":
        values = pc.utf8_ltrim(values, characters="#")
    kept = np.flatnonzero(present(values))
    values = values.take(pa.array(kept))
    if kind in ("co_hashtag", "co_domain"):
        # guarded by tests/coordination/test_kinds.py::test_co_hashtag_is_case_folded_and_counts_a_tweet_once
        values = (_casefold(values) if kind == "co_hashtag" else _domains_among(
            values, prep.df[LIST_KEYS[kind]] if domain_source is None else domain_source))
        ok = present(values)
        values, kept = values.filter(pa.array(ok)), kept[ok]
    key_codes, labels = ((np.arange(len(kept), dtype=np.int64), values) if distinct
                         else dictionary_codes(values))
    key_of = np.full(len(uniques) + 1, -1, np.int64)  # the last: a null item (code -1)
    key_of[kept] = key_codes
    key = key_of[codes]
    use = key >= 0
    pos = parent[use]
    return _once_per_tweet(Events(pos, key[use], prep.sec[pos], prep.ucode[pos], labels))


def _url_events(prep: Prepared, kind: str, rows: np.ndarray) -> Events:
    """``co_link`` or ``co_domain`` events of the tweets of ``rows``, read from the
    release's parsed URLs.

    The content tables parse a release's ``urls`` column once: each item's row, the code
    of its stripped text and each distinct text's registered domain
    (:func:`casebook.content._release_urls`). An item's key is read from there, so no URL
    is hashed again for the operation's network, the control's or a summary (2-3 s each
    for the domains at specimen scale 8). Keys are coded in order of first use, as
    :func:`list_events` codes them; guarded by
    tests/coordination/test_kinds.py::test_list_keys_are_those_of_every_occurrence and
    tests/coordination/test_kinds.py::test_domains_looked_up_per_release_are_the_same
    """
    from casebook.content import _release_urls

    parents, urls = _release_urls(prep.df[LIST_KEYS[kind]])
    if kind == "co_link":
        key, names = urls.codes, urls.distinct
    else:
        of_text, domains = urls.domains(False)
        key = np.append(of_text, -1)[urls.codes]  # a null item's code is -1 too
        names = pa.array(domains.array).cast(pa.large_string())
    usable = np.append(present(names), False)  # the last: no key (-1)
    keep = usable[key]
    keep &= rows[parents]
    pos, key = parents[keep], key[keep]
    used, first, inv = np.unique(key, return_index=True, return_inverse=True)
    by_first = np.argsort(first)
    rank = np.empty(len(used), np.int64)
    rank[by_first] = np.arange(len(used))
    return _once_per_tweet(Events(pos, rank[inv], prep.sec[pos], prep.ucode[pos],
                                  names.take(pa.array(used[by_first]))))


def _once_per_tweet(ev: Events) -> Events:
    """The first event of each (tweet, key), in their order: a hashtag, URL or domain
    repeated in a tweet counts once."""
    uniq = np.unique(ev.pos * (int(ev.key.max(initial=0)) + 1) + ev.key, return_index=True)[1]
    return ev.subset(np.sort(uniq))


def _casefold(values: pa.Array) -> pa.Array:
    folded = pd.Series(values.to_pylist(), dtype=object).str.casefold()
    return pa.array(folded.tolist(), type=pa.large_string())


def _url_domains(column: pd.Series) -> tuple[pa.Array, pa.Array]:
    """(distinct URLs of a ``urls`` column, their registered domains, ``""`` where there
    is none): the content tables' per-release URL domains
    (:func:`casebook.content._release_url_domains`), so each URL of a release is parsed
    once for the domain table, the operation's network and its communities' summary;
    the Arrow arrays built from it are kept too (:func:`casebook.activity._cached`), as
    each kind and summary of the release looks its URLs up in them."""
    from casebook.content import _release_url_domains

    return _cached(column, "coordination url domains", lambda: _release_url_domains(column))


def _domains_among(urls: pa.Array, column: pd.Series) -> pa.Array:
    """:func:`_domains` of distinct URLs of ``column`` (looked up in its cached domains);
    guarded by tests/coordination/test_kinds.py::test_domains_looked_up_per_release_are_the_same
    """
    known, domains = _url_domains(column)
    at = pc.index_in(urls, value_set=known.cast(urls.type))
    if at.null_count:  # URLs of another column: computed here
        return _domains(urls)
    return domains.take(at)


def _domains(urls: pa.Array) -> pa.Array:
    """Registered domains of distinct URLs as an arrow array ("" where there is none)."""
    s = registered_domains(pd.Series(pd.array(urls, dtype=schema.STRING)))
    return pa.array(s.fillna("").astype(object).tolist(), type=pa.large_string())
