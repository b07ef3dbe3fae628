"""When the accounts tweeted: volume, bursts, daily rhythm, operator time zone.

Every function takes ``Release.tweets`` (dtypes of :mod:`casebook.schema`) first and
returns a DataFrame, or draws on ``ax`` and returns the Axes.

The archive's clock
-------------------
``tweet_time`` is UTC at **minute resolution** (``YYYY-MM-DD HH:MM``): seconds are
not published. Hour-of-day profiles and UTC offsets in half-hour (or even
15-minute) steps are therefore resolvable, but nothing finer than a minute is:
two tweets in the same minute have no known order.

Events
------
Plot functions accept ``events``: a list of dicts ``{"name", "start", "end"}`` with
ISO 8601 strings (naive strings are read as UTC). An event with ``end`` equal to
``start`` or missing is drawn as a line, otherwise as a shaded span; each is
labelled with its name. The artists carry the gid ``"casebook-event"`` (labels
``"casebook-event-label"``) so that tests and styles can find them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from casebook._frames import ReleaseLike, explode_list, naive, sorted_distinct, tweets_of, utc
from casebook._plotting import (
    EVENT_GID,
    EVENT_LABEL_GID,
    cell_axis,
    count_axis,
    date_axis,
    draw_events,
    freq_label,
    label_time_axes,
    literal_text,
    new_ax,
    parse_events,
    percent_axis,
)
from casebook.errors import ParameterError
from casebook.evidence import (
    FAR_ABOVE,
    INCONCLUSIVE,
    INSUFFICIENT,
    NOT_DISTINCTIVE,
    SUPPORTED,
    null_pvalue,
    share_contrast_words,
    strength_words,
)
from casebook.schema import STRING

__all__ = [
    "EVENT_GID",
    "EVENT_LABEL_GID",
    "ReleaseLike",
    "WEEKDAYS",
    "account_spans",
    "accounts_active_in",
    "active_in_words",
    "bursts",
    "bursts_in_words",
    "draw_events",
    "format_utc_offset",
    "freq_label",
    "hour_weekday",
    "infer_utc_offset",
    "utc_offset_by_week",
    "zone_label",
    "offset_scores",
    "parse_events",
    "plot_hour_weekday",
    "plot_volume",
    "retweet_mask",
    "volume",
]

#: Weekday names in the order of ``Timestamp.weekday()`` (Monday = 0).
WEEKDAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)
#: Candidate UTC offsets tried by :func:`infer_utc_offset`: -12:00 to +14:00 by 30 min.
DEFAULT_OFFSETS: tuple[float, ...] = tuple(np.arange(-12.0, 14.5, 0.5).tolist())

#: The local working hours :func:`infer_utc_offset` and :func:`offset_scores` assume
#: unless told (start, end).
DEFAULT_WORKDAY: tuple[float, float] = (9, 18)
#: Hours by which :func:`infer_utc_offset` shifts the stated working day: 09-18 is
#: also tried as 08-17 and 10-19.
DEFAULT_SHIFTS: tuple[float, ...] = (-1.0, 0.0, 1.0)
#: The office-rhythm rule of :func:`infer_utc_offset`: the best office share must lie at
#: least this far from a week without rhythm toward a pure office week.
MIN_EXCESS = 0.2
#: ... and this far above the same tweets spread evenly over the days of the week.
MIN_WEEKLY_EXCESS = 0.1
#: Fewer tweets or days with tweets than these: ``insufficient data``.
MIN_TWEETS = 50
MIN_DAYS = 7

_MINUTES_PER_WEEK = 7 * 24 * 60
_DAY_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --------------------------------------------------------------------------- helpers


def format_utc_offset(offset: float) -> str:
    """Format an offset in hours as ``UTC+03:30`` / ``UTC-05:00``.

    Examples
    --------
    >>> format_utc_offset(3.5)
    'UTC+03:30'
    >>> format_utc_offset(-9.5)
    'UTC-09:30'
    """
    minutes = int(round(float(offset) * 60))
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def retweet_mask(tweets: pd.DataFrame) -> pd.Series:
    """Boolean Series: which tweets are retweets.

    ``is_retweet`` decides; where it is missing, a non-empty ``retweet_tweetid``
    marks a retweet.
    """
    if "is_retweet" in tweets:
        flag = tweets["is_retweet"].astype("boolean")
    else:
        flag = pd.Series(pd.NA, index=tweets.index, dtype="boolean")
    if "retweet_tweetid" in tweets:
        fallback = tweets["retweet_tweetid"].notna()
    else:
        fallback = pd.Series(False, index=tweets.index)
    return flag.fillna(fallback).astype(bool)


# --------------------------------------------------------------------------- shared codes
#
# Sections of a case ask the same questions of the same columns (who posted each tweet,
# which period it falls in). Integer codes per row answer them with ``np.bincount`` in
# one pass, where a pandas ``groupby`` on a column of strings hashes the strings again
# and ``pd.Grouper`` sorts the whole frame (and takes every column) to bin its times.

_CACHE: dict[tuple[int, Any], tuple[weakref.ref, Any]] = {}
_COMPUTING: dict[tuple[int, Any], threading.Lock] = {}
_COMPUTING_LOCK = threading.Lock()


def _arrow_data(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow data behind an Arrow-backed column (string, list), else None."""
    if not isinstance(values.dtype, pd.ArrowDtype | pd.StringDtype):
        return None
    array = values.array
    data = array.__arrow_array__() if hasattr(array, "__arrow_array__") else None
    return data if isinstance(data, pa.ChunkedArray) else None


def _cached(values: pd.Series, what: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept while the Arrow data of ``values`` lives.

    Arrow data never changes in place (pandas replaces it when a column is assigned),
    so its identity is a safe key: a release's columns are computed on once per kernel
    and shared by every section, and the entry goes when the release does. Columns not
    backed by Arrow are computed each time (a categorical's codes can change in place;
    its ``pd.factorize`` is one pass over them: 0.02 s for 4.5M rows).
    """
    data = _arrow_data(values)
    if data is None:
        return compute()
    key = (id(data), what)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is data:
        return hit[1]
    # one computation per key at a time: a report run computes the coordination section
    # on a second thread beside the others (casebook.case.start_coordination), and both
    # ask for a release's parsed URLs; the second asker waits for the first's result;
    # guarded by tests/test_activity.py::test_cached_computes_once_for_concurrent_askers
    with _COMPUTING_LOCK:
        lock = _COMPUTING.setdefault(key, threading.Lock())
    with lock:
        hit = _CACHE.get(key)
        if hit is not None and hit[0]() is data:
            return hit[1]
        result = compute()
        _CACHE[key] = (weakref.ref(data, lambda _ref, key=key: _forget(key)), result)
    return result


def _forget(key: tuple[int, Any]) -> None:
    """Drop a cache entry whose Arrow data has gone."""
    _CACHE.pop(key, None)
    _COMPUTING.pop(key, None)


def _take_rows(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """``frame.iloc[rows]`` (``rows``: a boolean mask or positions), same dtypes and index.

    Arrow's ``take`` on a chunked string column (a loaded release has one chunk per
    parsed block) first concatenates every chunk: selecting a few rows copied the whole
    text column. Arrow columns are therefore filtered chunk by chunk with a mask of the
    wanted rows, and only the selected rows are put in the order asked for.
    """
    rows = np.asarray(rows)
    if rows.dtype == bool:
        mask, order = rows, None
    else:
        positions = np.where(rows < 0, rows + len(frame), rows).astype(np.int64)
        wanted, order = np.unique(positions, return_inverse=True)
        mask = np.zeros(len(frame), bool)
        mask[wanted] = True
        if np.array_equal(order, np.arange(len(positions))):
            order = None  # ascending and distinct: the filter gives them in that order
    selected = pa.array(mask)
    take = None if order is None else pa.array(order.ravel())
    columns = {}
    for name, values in frame.items():
        data = _arrow_data(values)
        if data is None or data.num_chunks <= 1:
            columns[name] = values.iloc[rows].array
            continue
        chosen = data.filter(selected)
        if take is not None:  # the selected rows only: a small concatenation
            chosen = chosen.take(take)
        columns[name] = pd.array(chosen, dtype=values.dtype)
    return pd.DataFrame(columns, index=frame.index[rows], columns=frame.columns)


def _key_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of a key column (userid...): codes per row (-1: missing) and the
    distinct values in order of appearance; cached per column (see :func:`_cached`)."""
    def compute() -> tuple[np.ndarray, pd.Index]:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes.astype(np.int64, copy=False), pd.Index(uniques)
    return _cached(values, "factorize", compute)


#: Offsets whose period edges fall on UTC midnights (besides multiples of a day).
_DAY_ALIGNED = (pd.offsets.Day, pd.offsets.Week, pd.offsets.MonthBegin, pd.offsets.MonthEnd,
                pd.offsets.QuarterBegin, pd.offsets.QuarterEnd, pd.offsets.YearBegin,
                pd.offsets.YearEnd, pd.offsets.SemiMonthBegin, pd.offsets.SemiMonthEnd)


def _edge_step(freq: str, stamps: pd.DatetimeIndex) -> int:
    """A step (in the stamps' unit) that every period edge of ``freq`` is a multiple of,
    counted from 1970-01-01: times floored to it fall in the same periods. 1 when none
    is known (sub-day business offsets, local time zones)."""
    day = int(np.timedelta64(1, "D").astype(f"m8[{stamps.unit}]").astype(np.int64))
    if stamps.tz is not None and str(stamps.tz) != "UTC":
        return 1
    offset = pd.tseries.frequencies.to_offset(freq)
    if isinstance(offset, pd.offsets.Tick):
        # the default origin is the first day's midnight: edges at midnight + k * freq
        per_unit = int(np.timedelta64(1, stamps.unit).astype("m8[ns]").astype(np.int64))
        step, rest = divmod(int(offset.nanos), per_unit)
        return int(np.gcd(step, day)) if step and not rest else 1
    return day if isinstance(offset, _DAY_ALIGNED) else 1


def _period_codes(times: pd.Series, freq: str) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each row's period under ``pd.Grouper(freq=freq)`` (-1 without a time), and the
    label of every period from the first to the last, empty ones included.

    pandas bins only the distinct times, floored to the coarsest step every period edge
    lies on (a day for days, weeks and months: a few thousand values for years of
    tweets), sorted; each row then takes its value's period. The periods and labels are
    exactly those of ``groupby(pd.Grouper(key=..., freq=freq))`` on the rows, which
    would sort (and copy) every row instead.
    """
    stamps = pd.DatetimeIndex(times)
    valid = ~np.asarray(stamps.isna())
    step = _edge_step(freq, stamps)
    units = stamps.asi8[valid] // step
    out = np.full(len(stamps), -1, np.int64)
    if not len(units):
        return out, pd.DatetimeIndex(
            pd.Series(0, index=stamps[:0]).groupby(pd.Grouper(freq=freq)).size().index)
    low = int(units.min())
    span = int(units.max()) - low + 1
    if span <= max(4 * len(units), 1 << 20):  # a table over the range: no hashing
        present = np.zeros(span, bool)
        present[units - low] = True
        distinct = np.flatnonzero(present)
        position = np.full(span, -1, np.int64)
        position[distinct] = np.arange(len(distinct))
        codes, distinct = position[units - low], distinct + low
    else:
        codes, distinct = pd.factorize(units)
        order = np.argsort(distinct, kind="stable")
        codes = np.argsort(order)[codes]
        distinct = distinct[order]
    ordered = pd.DatetimeIndex(
        (distinct * step).view(f"M8[{stamps.unit}]")).tz_localize(stamps.tz)
    sizes = pd.Series(0, index=ordered).groupby(pd.Grouper(freq=freq)).size()
    period_of_distinct = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes.to_numpy())
    out[valid] = period_of_distinct[codes]
    return out, pd.DatetimeIndex(sizes.index)


def _casefold(values: pd.Series) -> pd.Series:
    """``values.str.casefold()`` (string dtype, same index), computed once per distinct
    value: a column of hashtags holds few distinct ones, repeated millions of times."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    folded = pd.Series(distinct, dtype=STRING).str.casefold().array
    return pd.Series(folded.take(codes, allow_fill=True), index=values.index, dtype=STRING)


def _dense_codes(values: np.ndarray) -> np.ndarray:
    """``np.unique(values, return_inverse=True)[1]`` for integers: each value's rank
    among the distinct values. Over a range no longer than a few times the values, a
    presence table and its running count replace the sort."""
    if not len(values):
        return np.zeros(0, np.int64)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > max(4 * len(values), 1 << 20):
        return np.unique(values, return_inverse=True)[1].ravel().astype(np.int64)
    present = np.zeros(span, bool)
    present[values - low] = True
    rank = np.cumsum(present) - 1
    return rank[values - low].astype(np.int64)


def _first_occurrences(*keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows whose tuple of ``keys`` (integer arrays of one length)
    occurs for the first time: ``~pd.DataFrame(keys).duplicated()``.

    Found by a stable sort (equal tuples side by side, earliest row first), not a hash
    table: hashing millions of distinct integers costs more per value as the table
    outgrows the caches, and the sort runs in one pass over keys already nearly in order
    (an exploded list column: parent rows ascending)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, bool)
    order = np.argsort(keys[0], kind="stable") if len(keys) == 1 else np.lexsort(keys[::-1])
    fresh = np.zeros(n, bool)
    fresh[0] = True
    for key in keys:
        ranked = key[order]
        fresh[1:] |= ranked[1:] != ranked[:-1]
    out = np.empty(n, bool)
    out[order] = fresh
    return out


def _distinct_per_group(groups: np.ndarray, keys: np.ndarray, n_groups: int) -> np.ndarray:
    """Distinct ``keys`` (codes >= 0; -1 is missing and not counted) per group code.

    Each (group, key) pair is one integer; the distinct ones are read off a presence
    table when the pairs span a range no longer than a few times their number, else off
    a sort (a hash table of millions of distinct pairs slows down as it grows)."""
    keep = (groups >= 0) & (keys >= 0)
    n_keys = int(keys.max(initial=-1)) + 1
    pairs = groups[keep] * n_keys + keys[keep]
    span = int(pairs.max(initial=-1)) + 1
    if span <= max(4 * len(pairs), 1 << 20):
        present = np.zeros(span, bool)
        present[pairs] = True
        distinct = np.flatnonzero(present)
    else:
        distinct = sorted_distinct(pairs)
    return np.bincount(distinct // max(n_keys, 1), minlength=n_groups).astype(np.int64)


# --------------------------------------------------------------------------- volume


def volume(tweets: pd.DataFrame, *, freq: str = "D") -> pd.DataFrame:
    """Tweets per period, with empty periods kept.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    freq
        pandas frequency alias: ``"D"``, ``"W"``, ``"MS"``, ``"h"``...

    Returns
    -------
    DataFrame ``period`` (the bin label pandas gives: the start of a day, month or
    quarter; the Sunday that ends a ``"W"`` week), ``tweets``, ``originals``,
    ``retweets``, ``accounts`` (distinct authors), sorted by period.

    Examples
    --------
    >>> volume(release.tweets, freq="W")  # doctest: +SKIP
    """
    return _volume(tweets, *_period_codes(tweets["tweet_time"], freq))


def _volume(tweets: pd.DataFrame, codes: np.ndarray, periods: pd.DatetimeIndex) -> pd.DataFrame:
    """:func:`volume` from each row's period code (one pass of ``bincount`` each)."""
    n = len(periods)
    timed = codes >= 0
    retweet = retweet_mask(tweets).to_numpy(dtype=bool)
    out = pd.DataFrame({
        "period": periods,
        "tweets": np.bincount(codes[timed], minlength=n),
        "originals": np.bincount(codes[timed & ~retweet], minlength=n),
        "retweets": np.bincount(codes[timed & retweet], minlength=n),
        "accounts": _distinct_per_group(codes, _key_codes(tweets["userid"])[0], n),
    })
    return out.astype({"tweets": "int64", "originals": "int64", "retweets": "int64",
                       "accounts": "int64"})


def plot_volume(tweets: pd.DataFrame, *, freq: str = "D",
                events: Sequence[Mapping[str, Any]] | None = None, ax: Any = None,
                title: str | None = None) -> Any:
    """Line chart of tweets per period (UTC) with events marked.

    Dates get concise labels, as many as the axis holds; counts get thousands
    separators.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    freq
        Bin size (pandas alias).
    events
        ``[{"name", "start", "end"}, ...]``, ISO strings in UTC.
    ax
        Axes to draw on; a new figure when None.
    title
        Overrides the default title.

    Returns
    -------
    The matplotlib Axes.
    """
    ax = new_ax(ax)
    counts = volume(tweets, freq=freq)
    unit = freq_label(freq)
    ax.plot(naive(counts["period"]), counts["tweets"], color="tab:blue", linewidth=1.0,
            label="tweets")
    label_time_axes(ax, events, title=title or f"Tweets per {unit}", xlabel="date (UTC)",
                    ylabel=f"tweets per {unit}")
    ax.set_ylim(bottom=0)
    date_axis(ax.xaxis)
    count_axis(ax.yaxis)
    return literal_text(ax)


def bursts(tweets: pd.DataFrame, *, freq: str = "D", k: float = 3.5,
           min_tweets: int = 1, control: ReleaseLike | pd.DataFrame | None = None) -> pd.DataFrame:
    """Periods whose volume is far above the typical active period.

    Rule: over the periods with at least one tweet, take the median ``m`` and
    the median absolute deviation scaled to a standard deviation
    (``MAD = 1.4826 * median(|x - m|)``; when it is 0 it is taken as 1 tweet).
    A period is a burst when ``tweets > m + k * MAD`` and ``tweets >= min_tweets``.
    ``k = 3.5`` is the usual cut for the modified z-score (Iglewicz and Hoaglin).
    Empty periods are left out of the baseline, so a network silent for years does
    not make every active day a burst.

    A burst is evidence only as far as ordinary accounts do not burst as often, or on
    the same days (a debate, a war's first day): with ``control`` (``case.control``, or
    its tweets) the same rule runs on them, each burst says whether they burst in that
    period too, and :func:`bursts_in_words` sets the two rates side by side.

    Returns
    -------
    DataFrame ``period, tweets, accounts, score`` (``(tweets - m) / MAD``),
    ``threshold``, ``top_account`` (userid with most tweets in the period),
    ``top_account_share``, ``one_account`` (that account posted more than half of the
    period's tweets: one account's busy day, not the network's), ``top_hashtag``
    (case-folded), and with ``control`` ``ordinary_burst`` (ordinary accounts burst in
    that period too); busiest first, then by period. ``attrs``: ``active_periods`` and,
    with ``control``, ``control_active_periods`` and ``control_bursts``.
    """
    found = _bursts(tweets, freq=freq, k=k, min_tweets=min_tweets)
    found.insert(found.columns.get_loc("top_hashtag"), "one_account",
                 (found["top_account_share"] > 0.5).to_numpy(bool))
    if control is not None:
        theirs = _bursts(tweets_of(control), freq=freq, k=k, min_tweets=min_tweets)
        found["ordinary_burst"] = found["period"].isin(theirs["period"]).to_numpy(bool)
        found.attrs["control_active_periods"] = theirs.attrs["active_periods"]
        found.attrs["control_bursts"] = len(theirs)
    return found


def bursts_in_words(found: pd.DataFrame, *, unit: str = "day") -> str:
    """How many active periods are bursts, how many of those are one account's, and
    (when :func:`bursts` had a control) how often ordinary accounts burst.

    Examples
    --------
    >>> b = pd.DataFrame({"one_account": [True, False], "ordinary_burst": [True, False]})
    >>> b.attrs = {"active_periods": 40, "control_active_periods": 50, "control_bursts": 1}
    >>> print(bursts_in_words(b))  # doctest: +NORMALIZE_WHITESPACE
    2 of 40 active days are bursts (5.0%), 1 of them one account's (more than half its
    tweets), 1 a burst of ordinary accounts too; ordinary accounts: 1 of 50 active days
    (2.0%)
    """
    active = int(found.attrs.get("active_periods", 0))
    n = len(found)
    words = (f"{n:,} of {active:,} active {unit}s are bursts"
             f"{f' ({n / active:.1%})' if active else ''}")
    if "one_account" in found and n:
        words += (f", {int(found['one_account'].sum()):,} of them one account's (more than "
                  f"half its tweets)")
    if "ordinary_burst" in found:
        if n:
            words += f", {int(found['ordinary_burst'].sum()):,} a burst of ordinary accounts too"
        theirs = int(found.attrs.get("control_active_periods", 0))
        got = int(found.attrs.get("control_bursts", 0))
        words += (f"; ordinary accounts: {got:,} of {theirs:,} active {unit}s"
                  f"{f' ({got / theirs:.1%})' if theirs else ''}")
    return words


def _bursts(tweets: pd.DataFrame, *, freq: str, k: float, min_tweets: int) -> pd.DataFrame:
    """:func:`bursts` of one cohort (``attrs["active_periods"]`` set)."""
    codes, periods = _period_codes(tweets["tweet_time"], freq)
    counts = _volume(tweets, codes, periods)
    active = counts.loc[counts["tweets"] > 0, "tweets"].to_numpy(dtype=float)
    columns = ["period", "tweets", "accounts", "score", "threshold", "top_account",
               "top_account_share", "top_hashtag"]
    if active.size == 0:
        out = pd.DataFrame(columns=columns).astype({"top_account_share": float})
        out.attrs["active_periods"] = 0
        return out
    median = float(np.median(active))
    mad = 1.4826 * float(np.median(np.abs(active - median))) or 1.0
    threshold = median + k * mad
    found = (
        counts.loc[lambda d: (d["tweets"] > threshold) & (d["tweets"] >= min_tweets),
                   ["period", "tweets", "accounts"]]
        .assign(score=lambda d: (d["tweets"] - median) / mad, threshold=threshold)
    )
    if found.empty:
        out = found.assign(top_account=pd.Series(dtype="string"), top_account_share=np.nan,
                           top_hashtag=pd.Series(dtype="string"))[columns]
        out.attrs["active_periods"] = int(active.size)
        return out
    # only the tweets of the burst periods are looked at again (a few days' worth): the
    # row of ``counts`` is the period code, so a lookup table picks them in one pass
    in_burst = np.zeros(len(periods) + 1, bool)
    in_burst[found.index.to_numpy() + 1] = True
    rows = np.flatnonzero(in_burst[codes + 1])
    users, userids = _key_codes(tweets["userid"])
    known = users[rows] >= 0
    per_account = (
        pd.DataFrame({"code": codes[rows][known], "user": users[rows][known]})
        .value_counts(sort=False).rename("n").reset_index()
        .assign(period=lambda d: periods[d["code"].to_numpy()],
                userid=lambda d: pd.Series(userids[d["user"].to_numpy()], index=d.index,
                                           dtype=tweets["userid"].dtype))
        .sort_values(["period", "n", "userid"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("period")[["period", "userid", "n"]]
    )
    found = found.merge(
        per_account.rename(columns={"userid": "top_account"}), on="period", how="left"
    ).assign(top_account_share=lambda d: d["n"] / d["tweets"]).drop(columns="n")
    if "hashtags" in tweets:
        tags = explode_list(_take_rows(tweets[["hashtags"]], rows), "hashtags")
        per_tag = (
            pd.DataFrame({"period": periods[codes[rows][tags.index.to_numpy()]],
                          "tag": _casefold(tags["hashtags"]).array})
            .dropna(subset=["tag"])
            .groupby(["period", "tag"]).size().rename("n").reset_index()
            .sort_values(["period", "n", "tag"], ascending=[True, False, True], kind="stable")
            .drop_duplicates("period")
        )
        found = found.merge(per_tag.rename(columns={"tag": "top_hashtag"})[
            ["period", "top_hashtag"]], on="period", how="left")
    else:
        found["top_hashtag"] = pd.NA
    out = (
        found.sort_values(["tweets", "period"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)[columns]
        .astype({"top_account": "string", "top_hashtag": "string"})
    )
    out.attrs["active_periods"] = int(active.size)
    return out


# --------------------------------------------------------------------------- rhythm


def hour_weekday(tweets: pd.DataFrame, *, utc_offset: float = 0.0,
                 normalise: bool = False) -> pd.DataFrame:
    """Tweets by weekday (rows, Monday first) and hour of day (columns 0-23).

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    utc_offset
        Hours added to UTC before binning (3.5 for Tehran, 3 for Moscow).
    normalise
        Divide by the total so that cells are shares.

    Returns
    -------
    DataFrame 7 x 24, index ``weekday`` (names), columns ``hour``.
    """
    # integer minutes and one bincount: a crosstab of two derived columns would build
    # both (and a shifted copy of the times) for millions of tweets
    minutes = _minutes_since_epoch(tweets["tweet_time"].dropna()) \
        + round(float(utc_offset) * 60)
    hour = minutes // 60 % 24
    weekday = (minutes // 1440 + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    table = pd.DataFrame(
        np.bincount(weekday * 24 + hour, minlength=7 * 24).reshape(7, 24).astype("int64"),
        index=pd.Index(WEEKDAYS, name="weekday"), columns=pd.Index(range(24), name="hour"))
    if normalise:
        total = table.to_numpy().sum()
        return table / total if total else table.astype(float)
    return table


def plot_hour_weekday(tweets: pd.DataFrame, *, utc_offset: float = 0.0,
                      normalise: bool = False, cmap: str = "rocket_r", ax: Any = None,
                      title: str | None = None) -> Any:
    """Heatmap of :func:`hour_weekday` in local time ``UTC+utc_offset``.

    Hours are labelled every hour when the axis is wide enough, else every 2nd, 3rd,
    4th or 6th; the colour bar shows counts with thousands separators, or percentages
    when ``normalise``.

    Returns
    -------
    The matplotlib Axes.
    """
    import seaborn as sns

    ax = new_ax(ax)
    table = hour_weekday(tweets, utc_offset=utc_offset, normalise=normalise)
    label = format_utc_offset(utc_offset)
    sns.heatmap(table, ax=ax, cmap=cmap,
                cbar_kws={"label": "share of tweets (%)" if normalise else "tweets"})
    cell_axis(ax.xaxis, [str(h) for h in table.columns])
    cell_axis(ax.yaxis, [str(d) for d in table.index])
    # seaborn turns crowded labels vertical; the thinned ones read better level
    ax.tick_params(axis="both", labelrotation=0)
    cbar = ax.collections[0].colorbar
    if normalise:
        percent_axis(cbar.ax.yaxis)
    else:
        count_axis(cbar.ax.yaxis)
    ax.set_title(title or f"Tweets by hour and weekday ({label})")
    ax.set_xlabel(f"hour of day ({label})")
    ax.set_ylabel(f"weekday ({label})")
    return literal_text(ax)


def _office_mask(workday: tuple[float, float], workdays: Sequence[int]) -> np.ndarray:
    minute = np.arange(_MINUTES_PER_WEEK)
    day, minute_of_day = np.divmod(minute, 24 * 60)
    start, end = workday[0] * 60, workday[1] * 60
    return np.isin(day, list(workdays)) & (minute_of_day >= start) & (minute_of_day < end)


def _circ_distance_hours(a: np.ndarray, b: float | np.ndarray) -> np.ndarray:
    diff = np.mod(a - b + 12.0, 24.0) - 12.0
    return np.abs(diff)


def _workweek(workweek: str | Sequence[int]) -> tuple[int, ...]:
    """Weekday numbers (Monday = 0) of ``"mon-fri"``, ``"sat-wed"``, ``"mon,wed"`` or a
    sequence of numbers."""
    if isinstance(workweek, str):
        days: list[int] = []
        for part in workweek.lower().replace(" ", "").split(","):
            first, _, last = part.partition("-")
            if first[:3] not in _DAY_ABBR or (last and last[:3] not in _DAY_ABBR):
                raise ParameterError(
                    f"workweek={workweek!r}: expected weekday ranges such as 'mon-fri' or "
                    "'sat-wed', or weekday numbers (Monday = 0)")
            a, b = _DAY_ABBR.index(first[:3]), _DAY_ABBR.index((last or first)[:3])
            days.extend((a + i) % 7 for i in range((b - a) % 7 + 1))
    else:
        days = list(workweek)
        if not days or any(isinstance(d, bool) or not isinstance(d, int | np.integer)
                           or not 0 <= d <= 6 for d in days):
            raise ParameterError(f"workweek={workweek!r}: weekday numbers 0-6 (Monday = 0)")
    return tuple(sorted({int(d) for d in days}))


def _week_label(days: tuple[int, ...]) -> str:
    """``Mon-Fri``, ``Sat-Wed`` (one run of consecutive days) or ``Mon, Wed``."""
    names = [_DAY_ABBR[d].title() for d in range(7)]
    for start in days:  # a run that wraps the week starts after a missing day
        if (start - 1) % 7 not in days:
            run = [(start + i) % 7 for i in range(len(days))]
            if set(run) == set(days):
                return names[start] if len(days) == 1 else f"{names[start]}-{names[run[-1]]}"
            break
    return "every day" if len(days) == 7 else ", ".join(names[d] for d in days)


def _hours_label(workday: tuple[float, float]) -> str:
    def hhmm(h: float) -> str:
        hours, minutes = divmod(int(round(h * 60)), 60)
        return f"{hours:02d}" if minutes == 0 else f"{hours:02d}:{minutes:02d}"
    return f"{hhmm(workday[0])}-{hhmm(workday[1])}"


def _minutes_since_epoch(times: pd.Series) -> np.ndarray:
    naive_utc = times.dt.tz_convert("UTC").dt.tz_localize(None) if times.dt.tz else times
    return naive_utc.to_numpy().astype("datetime64[m]").astype(np.int64)


def _segment_sums(rows: np.ndarray, weights: np.ndarray, columns: np.ndarray,
                  starts: np.ndarray) -> np.ndarray:
    """``out[s, j] = sum(weights[i] * rows[j, columns[i]])`` over the entries ``i`` of
    segment ``s`` (entries sorted by segment, each segment starting at ``starts``)."""
    out = np.empty((len(starts), rows.shape[0]))
    chunk = max(1, 4_000_000 // max(len(columns), 1))  # bounds the entries x rows block
    for lo in range(0, rows.shape[0], chunk):
        block = rows[lo:lo + chunk, columns].T * weights[:, None]
        out[:, lo:lo + chunk] = np.add.reduceat(block, starts, axis=0)
    return out


class _Clock:
    """One cohort's tweets binned on the clock: what every working week's fit reads.

    Binned at ``step`` minutes (:func:`_clock_step`); the arrays, the (day, bin) counts,
    the accounts' matrix and the shuffled-days null's histograms do not depend on the
    working week, so :func:`utc_offset_by_week` computes them once per cohort for every
    week it tries.
    """

    def __init__(self, tweets: pd.DataFrame, step: int) -> None:
        self.step = step
        timed = tweets["tweet_time"].notna().to_numpy()
        minutes = _minutes_since_epoch(tweets["tweet_time"][timed])
        self.n = len(minutes)
        # the accounts' bootstrap's units (one account when there is no userid column)
        self.account_codes = (_dense_codes(_key_codes(tweets["userid"])[0][timed])
                              if "userid" in tweets.columns else np.zeros(self.n, np.int64))
        # 1970-01-01 was a Thursday (weekday 3)
        minute_of_week = (minutes + 3 * 1440) % _MINUTES_PER_WEEK
        self.n_bins = _MINUTES_PER_WEEK // step
        self.bins = minute_of_week // step
        angle = (minute_of_week % 1440) / 1440 * 2 * np.pi
        self.sin, self.cos = np.sin(angle), np.cos(angle)
        self.day_codes = _dense_codes(minutes // 1440)
        self.n_days = int(self.day_codes.max()) + 1 if self.n else 0
        self.counts = np.bincount(self.bins, minlength=self.n_bins).astype(float)
        self._hists: dict[tuple[int, int], np.ndarray] = {}

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (day, bin) cells with their tweet counts, sorted by day; and where
        each day's cells start."""
        cells = self.day_codes * self.n_bins + self.bins
        if self.n_days * self.n_bins <= max(4 * len(cells), 1 << 20):
            # one count per (day, bin) of the range: no sort of the tweets
            per_cell = np.bincount(cells, minlength=self.n_days * self.n_bins)
            cells = np.flatnonzero(per_cell)
            counts = per_cell[cells]
        else:
            cells, counts = np.unique(cells, return_counts=True)
        day, bin_ = np.divmod(cells, self.n_bins)
        starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
        return day, bin_, counts.astype(float), starts

    @cached_property
    def accounts(self) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        """Each account's tweets per bin of the week (a sparse bins x accounts matrix), its
        tweets, and the sums of their clock angles' sines and cosines."""
        from scipy.sparse import csr_matrix  # as crossrelease and groups import it

        m = int(self.account_codes.max()) + 1 if self.n else 0
        counts = csr_matrix((np.ones(self.n), (self.bins, self.account_codes)),
                            shape=(self.n_bins, m))  # duplicates are summed
        total = np.bincount(self.account_codes, minlength=m).astype(float)
        sin = np.bincount(self.account_codes, weights=self.sin, minlength=m)
        cos = np.bincount(self.account_codes, weights=self.cos, minlength=m)
        return counts, total, sin, cos

    def null_hists(self, n_null: int, seed: int) -> np.ndarray:
        """Tweets per bin of the week (2 nulls x replicates x bins) when each UTC day's
        tweets are moved together: [0] to a random time of the same day (wrapping at
        midnight), which removes the daily rhythm and keeps the week; [1] to a random
        day of the week at the same times, which removes the working week and keeps the
        day. Bursts within a day keep their size, so a bursty sample is judged against
        itself. Kept per (replicates, seed): every working week is judged against the
        same replicates."""
        kept = self._hists.get((n_null, seed))
        if kept is not None:
            return kept
        rng = np.random.default_rng([seed, 1])
        day, bin_, counts, _ = self.pairs
        per_day = 1440 // self.step
        weekday, in_day = np.divmod(bin_, per_day)
        hist = np.empty((2, n_null, self.n_bins))
        chunk = max(1, 2_000_000 // max(len(bin_), 1))
        for kind in (0, 1):
            for lo in range(0, n_null, chunk):
                rows = min(chunk, n_null - lo)
                if kind == 0:
                    move = rng.integers(0, per_day, size=(rows, self.n_days))[:, day]
                    moved = weekday * per_day + (in_day[None, :] + move) % per_day
                else:
                    move = rng.integers(0, 7, size=(rows, self.n_days))[:, day]
                    moved = (weekday[None, :] + move) % 7 * per_day + in_day
                flat = (moved + self.n_bins * np.arange(rows)[:, None]).ravel()
                hist[kind, lo:lo + rows] = np.bincount(
                    flat, weights=np.tile(counts, rows), minlength=rows * self.n_bins
                ).reshape(rows, self.n_bins)
        self._hists[(n_null, seed)] = hist
        return hist


def _clock_step(offsets: np.ndarray, hours: Sequence[tuple[float, float]]) -> int:
    """The coarsest step in minutes that keeps every office edge and every offset on a
    bin boundary (30 minutes for the defaults)."""
    shift = np.rint(offsets * 60).astype(np.int64)
    edges = np.rint(np.ravel(hours) * 60).astype(np.int64)
    return int(np.gcd.reduce(np.concatenate([[1440], shift, edges])))


def _candidates(candidates: Sequence[float] | None) -> np.ndarray:
    return np.asarray(DEFAULT_OFFSETS if candidates is None else candidates, dtype=float)


def _working_days(workday: tuple[float, float],
                  shifts: Sequence[float]) -> tuple[list[float], list[tuple[float, float]]]:
    """The shifts tried (0 included, sorted) and each one's working day."""
    tried = sorted({0.0, *(float(s) for s in shifts)})
    return tried, [(workday[0] + s, workday[1] + s) for s in tried]


class _OfficeFit:
    """The office-hours fit of every candidate offset under one or more working days.

    Computed once per call: the scores, the two bootstraps (days; half-samples of the
    accounts) and the shuffled-days null all read the same binned counts (a
    :class:`_Clock`). Times are binned at the coarsest step that keeps every office edge
    and every offset on a bin boundary, which makes the shares exact and the arrays
    small.
    """

    def __init__(self, tweets: pd.DataFrame | _Clock, candidates: Sequence[float] | None,
                 workdays_hours: Sequence[tuple[float, float]],
                 workweek: tuple[int, ...]) -> None:
        offsets = _candidates(candidates)
        self.offsets = offsets
        self.hours = [(float(a), float(b)) for a, b in workdays_hours]
        self.middle = np.array([(a + b) / 2 for a, b in self.hours])
        self.step = _clock_step(offsets, self.hours)
        clock = tweets if isinstance(tweets, _Clock) else _Clock(tweets, self.step)
        if clock.step != self.step:  # pragma: no cover - utc_offset_by_week bins for the options
            raise ValueError(f"a clock binned at {clock.step} min, not {self.step}")
        self.clock = clock
        n_bins = clock.n_bins
        local = (np.arange(n_bins)[None, :] + np.rint(offsets * 60).astype(np.int64)[:, None]
                 // self.step) % n_bins
        # conventions x candidates x UTC bins of the week: inside office hours locally
        self.office = np.stack([_office_mask(h, workweek)[::self.step][local]
                                for h in self.hours]).astype(float)
        self.n, self.n_days, self.n_bins = clock.n, clock.n_days, n_bins
        self.account_codes = clock.account_codes
        with np.errstate(invalid="ignore", divide="ignore"):
            self.shares = self.office @ clock.counts / self.n  # conventions x candidates
        centre = np.mod(np.arctan2(clock.sin.sum(), clock.cos.sum()) / (2 * np.pi) * 24, 24)
        self.distance = _circ_distance_hours(centre + offsets[None, :], self.middle[:, None])
        self.best = np.argmax(_rank_key(self.shares, self.distance), axis=1)

    def scores(self, convention: int) -> pd.DataFrame:
        """The :func:`offset_scores` table of one working day, best first."""
        shares, distance = self.shares[convention], self.distance[convention]
        order = np.lexsort((self.offsets, -_rank_key(shares, distance)))
        return pd.DataFrame({
            "utc_offset": self.offsets[order],
            "label": [format_utc_offset(o) for o in self.offsets[order]],
            "office_share": shares[order],
            "centre_distance": distance[order],
            "rank": np.arange(1, len(self.offsets) + 1),
        })

    def bootstrap(self, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Day-block resamples: the office shares (resamples x conventions x candidates)
        and the index of each resample's best candidate (resamples x conventions)."""
        clock = self.clock
        day, bin_, counts, starts = clock.pairs
        n_conv, n_cand, _ = self.office.shape
        per_day = _segment_sums(self.office.reshape(n_conv * n_cand, -1), counts, bin_, starts)
        per_day_total = np.bincount(clock.day_codes, minlength=self.n_days).astype(float)
        per_day_sin = np.bincount(clock.day_codes, weights=clock.sin, minlength=self.n_days)
        per_day_cos = np.bincount(clock.day_codes, weights=clock.cos, minlength=self.n_days)
        weights = rng.multinomial(self.n_days, np.full(self.n_days, 1.0 / self.n_days),
                                  size=n_boot).astype(float)
        shares = ((weights @ per_day) / (weights @ per_day_total)[:, None]).reshape(
            n_boot, n_conv, n_cand)
        centre = np.mod(np.arctan2(weights @ per_day_sin, weights @ per_day_cos)
                        / (2 * np.pi) * 24, 24)
        distance = _circ_distance_hours(
            centre[:, None, None] + self.offsets[None, None, :], self.middle[None, :, None])
        return shares, np.argmax(_rank_key(shares, distance), axis=2)

    def account_bootstrap(self, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Half-samples of the accounts, each account with all its tweets: the office
        shares (resamples x conventions x candidates) and the index of each resample's
        best candidate (resamples x conventions).

        Half the accounts (rounded up) drawn without replacement: a half-sample's share
        varies as much as the whole sample's does between samples of accounts (the
        finite-population correction of half cancels the halving), and it never counts
        an account twice. How the days vary is the day resamples' part
        (:meth:`bootstrap`).
        """
        counts, total, sin, cos = self.clock.accounts
        m = len(total)
        half = (m + 1) // 2
        n_conv, n_cand, _ = self.office.shape
        office = self.office.reshape(n_conv * n_cand, -1)
        shares = np.empty((n_boot, n_conv * n_cand))
        centre = np.empty(n_boot)
        # resamples in chunks: a chunk's draws and weights stay a few million values
        # (a release of 100,000 accounts: 200 x 100,000 at once was 0.4 GB)
        chunk = max(1, 2_000_000 // max(m, 1))
        for lo in range(0, n_boot, chunk):  # loop over chunks of resamples
            rows = min(chunk, n_boot - lo)
            picked = np.argpartition(rng.random((rows, m), dtype=np.float32), half - 1,
                                     axis=1)[:, :half]
            weights = np.zeros((m, rows))
            weights[picked, np.arange(rows)[:, None]] = 1.0  # accounts x resamples
            shares[lo:lo + rows] = (office @ (counts @ weights) / (total @ weights)).T
            centre[lo:lo + rows] = np.mod(np.arctan2(sin @ weights, cos @ weights)
                                          / (2 * np.pi) * 24, 24)
        shares = shares.reshape(n_boot, n_conv, n_cand)
        distance = _circ_distance_hours(
            centre[:, None, None] + self.offsets[None, None, :], self.middle[None, :, None])
        return shares, np.argmax(_rank_key(shares, distance), axis=2)

    def null_best(self, n_null: int, seed: int) -> np.ndarray:
        """Best office share (2 nulls x replicates x conventions) of the shuffled-days
        nulls' replicates (:meth:`_Clock.null_hists`)."""
        hist = self.clock.null_hists(n_null, seed)
        shares = np.einsum("nrb,ckb->nrck", hist, self.office, optimize=True) / self.n
        return shares.max(axis=3)


def _rank_key(shares: np.ndarray, distance: np.ndarray) -> np.ndarray:
    # Share differences are multiples of 1/N (>= 1e-7 up to 10M tweets); the
    # distance term (< 1.2e-8) only orders exact ties.
    return np.nan_to_num(shares, nan=-1.0) - 1e-9 * distance


def _fill_between(offsets: np.ndarray, chosen: np.ndarray, gap: float) -> np.ndarray:
    """``chosen`` plus every offset lying between two chosen ones at most ``gap`` hours
    apart: the working days in between (08:30-17:30) would pick those."""
    picked = np.sort(offsets[chosen])
    fill = chosen.copy()
    for lo, hi in zip(picked[:-1], picked[1:], strict=True):  # a few dozen candidates
        if hi - lo <= gap + 1e-9:
            fill |= (offsets >= lo) & (offsets <= hi)
    return fill


def _offset_runs(offsets: np.ndarray, gap: float) -> str:
    """``UTC+02:30 to +04:30``; runs of offsets further apart than ``gap`` joined by "or"."""
    offsets = np.sort(offsets)
    breaks = np.flatnonzero(np.diff(offsets) > gap + 1e-9)
    runs = np.split(offsets, breaks + 1)
    return " or ".join(
        format_utc_offset(r[0]) if r[0] == r[-1]
        else f"{format_utc_offset(r[0])} to {format_utc_offset(r[-1])[3:]}"
        for r in runs)


def offset_scores(tweets: pd.DataFrame, *,
                  candidates: Sequence[float] | None = None,
                  workday: tuple[float, float] = DEFAULT_WORKDAY,
                  workweek: str | Sequence[int] = "mon-fri",
                  workdays: Sequence[int] | None = None) -> pd.DataFrame:
    """Score every candidate UTC offset by how well it makes the activity an office day.

    ``office_share`` is the share of tweets that fall, in local time
    ``UTC + offset``, inside ``workday`` hours (``[start, end)``) on the days of
    ``workweek`` (``"mon-fri"``, ``"sat-wed"`` for Iran, or weekday numbers with
    Monday = 0; ``workdays`` is its older name). Offsets with equal share
    (a short working day fits several offsets equally) are ranked by
    ``centre_distance``: the hours between the circular mean local time of the
    tweets and the middle of the working day.

    Returns
    -------
    DataFrame ``utc_offset, label, office_share, centre_distance, rank``,
    best first.
    """
    week = _workweek(workweek if workdays is None else workdays)
    return _OfficeFit(tweets, candidates, [workday], week).scores(0)


def infer_utc_offset(tweets: pd.DataFrame, *,
                     candidates: Sequence[float] | None = None,
                     workday: tuple[float, float] = DEFAULT_WORKDAY,
                     shifts: Sequence[float] = DEFAULT_SHIFTS,
                     workweek: str | Sequence[int] = "mon-fri",
                     workdays: Sequence[int] | None = None,
                     level: float = 0.95,
                     min_excess: float = MIN_EXCESS,
                     min_weekly_excess: float = MIN_WEEKLY_EXCESS,
                     alpha: float = FAR_ABOVE,
                     min_tweets: int = MIN_TWEETS, min_days: int = MIN_DAYS,
                     n_boot: int = 200, n_null: int = 200, seed: int = 0,
                     control: ReleaseLike | pd.DataFrame | None = None) -> pd.DataFrame:
    """Infer the operators' UTC offsets from an office-hours rhythm, and say how sure.

    Each candidate offset (default: -12:00 to +14:00 in 30-minute steps) is scored by
    :func:`offset_scores`: the share of tweets inside office hours on the working days of
    ``workweek`` in local time. The answer is the set of offsets the data cannot tell
    apart, not one winner:

    1. **Working days.** The office day is not known: ``workday`` (09-18) is tried
       shifted by each of ``shifts`` hours (08-17, 09-18, 10-19). Shifting the working
       day by an hour shifts the best offset by exactly an hour (the share under 08-17 at
       offset ``o`` equals the share under 09-18 at ``o + 1``), so the default three never
       name a single offset: they give a range at least two hours wide. Pass
       ``shifts=(0,)`` when another source states the working hours.
    2. **Consistent offsets.** Under each working day, the tweets are resampled
       ``n_boot`` times two ways: the days with tweets, with replacement; and half the
       accounts, without replacement, each with all its tweets (tweets without a
       ``userid`` column are one account). An offset is consistent when its office
       share reaches the lower end of the ``level`` bootstrap interval of the best
       offset's share over the day resamples, or when it is the best offset of a
       half-sample that shows an office rhythm (step 3) in at least ``(1 - level) / 2``
       of the half-samples: the days say how the hours vary from day to day, the
       accounts whether a few accounts carry the answer (two accounts in two zones do not
       name the busier one's). ``consistent_offsets`` is the union over working days and
       both resamplings.
    3. **An office rhythm at all.** Two nulls, ``n_null`` replicates each (seeded), move
       each UTC day's tweets together (volume and bursts kept): to a random time of the
       same day (no daily rhythm, the week kept), and to a random day of the week at the
       same times (no working week, the day kept). Each replicate gets the same search
       over offsets. There is an office rhythm when the best share is above both at
       ``p <= alpha`` (200 replicates resolve 0.01) **and** lies at least
       ``min_excess`` (daily) and ``min_weekly_excess`` (weekly) of the way from each
       null's median to 1 (``excess``, ``excess_week``). The effect sizes are what make
       large ordinary cohorts inconclusive: thousands of tweets make a few points
       "significant", but accounts spread over time zones have no shared day, and
       ordinary accounts in one zone tweet every day of the week (the evening peak of
       their day fits a 9-hour window as well as an office does). Scored on the wrong
       working week, an operation loses its weekly excess: give ``workweek``.

    The result (``verdict`` from :mod:`casebook.evidence`): too few tweets or days ->
    ``insufficient data``; no office rhythm -> ``inconclusive`` (label "inconclusive");
    a rhythm whose consistent offsets span at most one hour -> ``supported``, labelled
    with the best offset under ``workday``; a rhythm that fits a wider set is also
    ``supported``, but the finding is the range (label ``UTC+02:30 to +04:30``; separate
    runs joined by "or"), never one offset.

    ``confidence`` is the share of bootstrap resamples that would give the same answer:
    the rhythm passes the rule (its excess clears ``min_excess`` and its share the null's
    ``1 - alpha`` quantile) and the best offset of every working day lies among
    ``consistent_offsets``. It is low when the rhythm barely stands above the null or
    the best barely above the rest, and it does not reach 1.00 on a margin of a few
    tweets. When there is no rhythm it says how often a resample would have found one.

    With ``control`` (ordinary accounts' tweets), the same inference, with the same
    options and working week, runs on them too: an office rhythm they show as well does
    not tell the operators apart, and a ``supported`` answer becomes ``not distinctive``.

    The clock has minute resolution, so 30-minute steps are meaningful. An account that
    posts around the clock (a news feed, a scheduler) flattens the rhythm: drop dominant
    or automated accounts first when the result is inconclusive.

    Parameters
    ----------
    tweets
        ``Release.tweets`` (only ``tweet_time`` is read).
    candidates
        Offsets in hours to try.
    workday
        The stated local working hours ``(start, end)``; ``utc_offset`` is its best fit.
    shifts
        Hours by which ``workday`` is shifted to try other working days (0 is always
        included).
    workweek
        Working weekdays: ``"mon-fri"`` (default), ``"sat-wed"`` (Iran), ``"sun-thu"``,
        ``"mon,wed,fri"``, or weekday numbers with Monday = 0.
    workdays
        Older name of ``workweek`` (weekday numbers); used when given.
    level
        Bootstrap interval of the best share that defines the consistent offsets.
    min_excess, min_weekly_excess, alpha
        The office-rhythm rule (step 3).
    min_tweets, min_days
        Below these the result is ``insufficient data``: a working week needs a week.
    n_boot, n_null, seed
        Bootstrap resamples, null replicates and the seed of their generators.
    control
        A control cohort of ordinary accounts (``case.control``, or its tweets), or None.

    Returns
    -------
    One-row DataFrame:

    ``utc_offset``, ``label``
        The best offset under ``workday`` (always a number, e.g. to draw
        :func:`plot_hour_weekday` in it) and the answer in words: one offset, a range,
        ``inconclusive`` or ``insufficient data``.
    ``office_share``, ``runner_up``, ``runner_up_share``, ``margin``
        The best offset's share under ``workday``, the second best and the difference.
    ``confidence``, ``tweets``, ``days``
        As above; tweets with a time, distinct UTC days.
    ``verdict``, ``reason``
        The :mod:`casebook.evidence` verdict and why, in words.
    ``range_low``, ``range_high``, ``consistent_offsets``
        The consistent offsets (hours, a tuple); NaN and empty without a rhythm.
    ``conventions``, ``workweek``
        The best offset under each working day tried (``"08-17: UTC+02:30, ..."``) and
        the working week (``"Sat-Wed"``).
    ``null_share``, ``excess``, ``excess_week``, ``rhythm_pvalue``, ``rhythm``
        The shuffled-hours null's median best share, how far the best share lies from
        it (and from the shuffled-weekdays null's) toward 1, the larger permutation
        p-value and :func:`casebook.evidence.strength_words` against that null.
    ``control_verdict``, ``control_rhythm``
        The verdict on ordinary accounts' tweets and what they show, in words (NA and
        "not compared..." without ``control``).

    Examples
    --------
    >>> infer_utc_offset(release.tweets, workweek="sat-wed")  # doctest: +SKIP
    >>> infer_utc_offset(release.tweets, workday=(8, 17), shifts=(0,))  # doctest: +SKIP
    """
    if control is not _ONE_COHORT:
        # every option but the cohorts, so ordinary accounts get exactly the same test
        same = {k: v for k, v in locals().items() if k not in ("tweets", "control")}
        theirs = (None if control is None
                  else infer_utc_offset(tweets_of(control), **same, control=_ONE_COHORT))
        return _beside_ordinary(infer_utc_offset(tweets, **same, control=_ONE_COHORT), theirs)
    week = _workweek(workweek if workdays is None else workdays)
    shifts, hours = _working_days(workday, shifts)
    centre = shifts.index(0.0)
    fit = _OfficeFit(tweets, candidates, hours, week)
    columns = ["utc_offset", "label", "office_share", "runner_up", "runner_up_share",
               "margin", "confidence", "tweets", "days", "verdict", "reason", "range_low",
               "range_high", "consistent_offsets", "conventions", "workweek", "null_share",
               "excess", "excess_week", "rhythm_pvalue", "rhythm"]
    row: dict[str, Any] = dict.fromkeys(columns, np.nan) | {
        "tweets": fit.n, "days": fit.n_days, "label": INSUFFICIENT, "verdict": INSUFFICIENT,
        "consistent_offsets": (), "conventions": "", "workweek": _week_label(week),
        "rhythm": ""}
    if fit.n == 0:
        row["reason"] = "no tweets with a time"
        return pd.DataFrame([row], columns=columns)

    scores = fit.scores(centre)
    best, second = scores.iloc[0], scores.iloc[min(1, len(scores) - 1)]
    row |= {
        "utc_offset": float(best["utc_offset"]),
        "office_share": float(best["office_share"]),
        "runner_up": float(second["utc_offset"]),
        "runner_up_share": float(second["office_share"]),
        "margin": float(best["office_share"] - second["office_share"]),
        "conventions": ", ".join(f"{_hours_label(h)}: {format_utc_offset(fit.offsets[i])}"
                                 for h, i in zip(hours, fit.best, strict=True)),
    }
    if fit.n < min_tweets or fit.n_days < min_days:
        row["reason"] = (f"{fit.n:,} tweets on {fit.n_days:,} days; the rule needs at "
                         f"least {min_tweets:,} tweets on {min_days:,} days")
        return pd.DataFrame([row], columns=columns)

    # the null's generator is [seed, 1] (:meth:`_Clock.null_hists`)
    boot_rng, account_rng = (np.random.default_rng([seed, k]) for k in (0, 2))
    # the rule: the best share stands clearly above both nulls (daily and weekly rhythm)
    nulls = fit.null_best(n_null, seed)[:, :, centre]  # 2 x replicates
    null_shares = np.median(nulls, axis=1)
    best_share = float(fit.shares[centre].max())
    excesses = (best_share - null_shares) / (1 - null_shares)
    pvalues = np.array([null_pvalue(best_share, n) for n in nulls])
    needed = np.array([min_excess, min_weekly_excess])
    rhythm = bool((pvalues <= alpha).all() and (excesses >= needed).all())
    weaker = int(np.argmax(pvalues))

    def shows_rhythm(shares: np.ndarray) -> np.ndarray:  # resamples x conventions x cand.
        top = shares[:, centre, :].max(axis=1)[:, None]
        return (((top - null_shares) / (1 - null_shares) >= needed)
                & (top > np.quantile(nulls, 1 - alpha, axis=1))).all(axis=1)

    def not_beaten(shares: np.ndarray) -> np.ndarray:  # conventions x candidates
        chosen = shares[:, np.arange(len(hours)), fit.best][:, :, None]
        return (shares >= chosen - 1e-12).mean(axis=0) >= (1 - level) / 2

    # consistent offsets: those the best does not beat in at least (1 - level) / 2 of
    # the day resamples (a paired comparison: neighbouring offsets share most tweets),
    # and those that are the best of a half-sample of the accounts (each with all its
    # tweets) showing an office rhythm in at least (1 - level) / 2 of the half-samples
    # (one without a rhythm, the accounts that carry it left out, names no offset; and
    # an offset beating the whole's best in a half-sample of another zone's accounts
    # is not thereby that zone)
    boot_shares, boot_best = fit.bootstrap(n_boot, boot_rng)
    per_convention = not_beaten(boot_shares)
    if n_boot and fit.account_codes.max(initial=0) > 0:  # half of one account is itself
        half_shares, half_best = fit.account_bootstrap(n_boot, account_rng)
        with_rhythm = shows_rhythm(half_shares)
        counts = np.zeros(per_convention.shape)
        for c in range(len(hours)):  # loop over the working days tried (three)
            counts[c] = np.bincount(half_best[with_rhythm, c], minlength=len(fit.offsets))
        per_convention |= counts / n_boot >= (1 - level) / 2
    per_convention[np.arange(len(hours)), fit.best] = True
    consistent = _fill_between(fit.offsets, per_convention.any(axis=0),
                               float(np.max(np.diff(shifts), initial=0.0)))
    offsets = fit.offsets[consistent]
    span = float(offsets.max() - offsets.min())

    agrees = shows_rhythm(boot_shares) & consistent[boot_best].all(axis=1)
    step = float(np.min(np.diff(np.unique(fit.offsets)))) if len(fit.offsets) > 1 else 0.0
    row |= {
        "confidence": float(agrees.mean()) if n_boot else np.nan,
        "null_share": float(null_shares[0]), "excess": float(excesses[0]),
        "excess_week": float(excesses[1]), "rhythm_pvalue": float(pvalues.max()),
        "rhythm": strength_words(best_share, nulls[weaker], replicates="shuffles"),
    }
    shares_text = (f"best office share {best_share:.0%}; excess {excesses[0]:.2f} over "
                   f"shuffled hours, {excesses[1]:.2f} over shuffled weekdays")
    if not rhythm:
        row |= {"label": INCONCLUSIVE, "verdict": INCONCLUSIVE,
                "reason": f"no office rhythm: {shares_text}, p = {pvalues.max():.3f}; the "
                          f"rule needs {min_excess:.2f}, {min_weekly_excess:.2f} and "
                          f"p <= {alpha}"}
        return pd.DataFrame([row], columns=columns)
    row |= {"range_low": float(offsets.min()), "range_high": float(offsets.max()),
            "consistent_offsets": tuple(float(o) for o in offsets)}
    if span <= 1.0 + 1e-9:
        row |= {"label": format_utc_offset(row["utc_offset"]), "verdict": SUPPORTED,
                "reason": f"office rhythm ({shares_text}); the consistent offsets span "
                          f"{span:g} h under the working days tried"}
    else:
        # a clear rhythm that fits a range is a finding: the range, not one offset
        row |= {"label": _offset_runs(offsets, step), "verdict": SUPPORTED,
                "reason": f"office rhythm ({shares_text}); it fits offsets {span:g} h "
                          "apart under the working days tried, so the range is the finding: "
                          "the working hours, or more data, would decide which"}
    return pd.DataFrame([row], columns=columns)


# --------------------------------------------------------------------------- accounts


# infer_utc_offset's control= for one cohort's inference, with no comparison
_ONE_COHORT: Any = object()


def _beside_ordinary(found: pd.DataFrame, ordinary: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`infer_utc_offset`'s row with what ordinary accounts show on the same week:
    a rhythm they share is ``not distinctive``."""
    out = found.copy()
    if ordinary is None:
        out["control_verdict"] = pd.Series([pd.NA], dtype="string")
        out["control_rhythm"] = "not compared with ordinary accounts (no control cohort)"
        return out
    theirs = ordinary.iloc[0]
    if theirs["verdict"] == SUPPORTED:
        said = f"an office rhythm too, at {theirs['label']} ({theirs['rhythm']})"
    elif theirs["verdict"] == INSUFFICIENT:
        said = f"too little data to tell ({theirs['reason']})"
    else:
        said = f"no office rhythm ({theirs['rhythm']})"
    out["control_verdict"], out["control_rhythm"] = theirs["verdict"], said
    if out.at[0, "verdict"] == SUPPORTED:
        if theirs["verdict"] == SUPPORTED:
            out.at[0, "verdict"] = NOT_DISTINCTIVE
            out.at[0, "reason"] += (f"; ordinary accounts (control) show {said} on the same "
                                    "week: a rhythm they share does not tell the operators "
                                    "apart")
        else:
            out.at[0, "reason"] += f"; ordinary accounts (control) show {said} on the same week"
    return out


def account_spans(tweets: pd.DataFrame) -> pd.DataFrame:
    """When each account was active.

    Returns
    -------
    DataFrame ``userid, user_screen_name, first, last, span_days`` (calendar days
    from first to last tweet, inclusive), ``active_days`` (distinct UTC days with a
    tweet), ``tweets``, ``tweets_per_active_day``; sorted by ``first`` then userid.
    """
    frame = tweets[["userid", "tweet_time"]].dropna().assign(
        day=lambda d: d["tweet_time"].dt.floor("D"))
    grouped = frame.groupby("userid")
    out = pd.DataFrame({
        "first": grouped["tweet_time"].min(),
        "last": grouped["tweet_time"].max(),
        "active_days": grouped["day"].nunique(),
        "tweets": grouped.size(),
    }).reset_index()
    out["span_days"] = (out["last"].dt.floor("D") - out["first"].dt.floor("D")).dt.days + 1
    out["tweets_per_active_day"] = out["tweets"] / out["active_days"]
    out = out.merge(_screen_names(tweets), on="userid", how="left")
    return (
        out.sort_values(["first", "userid"], kind="stable").reset_index(drop=True)[
            ["userid", "user_screen_name", "first", "last", "span_days", "active_days",
             "tweets", "tweets_per_active_day"]]
        .astype({"span_days": "int64", "active_days": "int64", "tweets": "int64"})
    )


def _screen_names(tweets: pd.DataFrame) -> pd.DataFrame:
    if "user_screen_name" not in tweets:
        return pd.DataFrame({"userid": pd.Series(dtype="string"),
                             "user_screen_name": pd.Series(dtype="string")})
    return (tweets[["userid", "user_screen_name"]].dropna(subset=["userid"])
            .drop_duplicates("userid", keep="last"))


def accounts_active_in(tweets: pd.DataFrame, start: Any, end: Any, *,
                       widen: str | pd.Timedelta = "0min",
                       control: ReleaseLike | pd.DataFrame | None = None) -> pd.DataFrame:
    """Accounts that tweeted inside a time window, with their counts.

    The window is ``[start - widen, end + widen]``, **both ends inclusive** (the clock
    has minute resolution: a tweet stamped 02:30 counts for a window ending 02:30).
    With ``control``, the same window is counted on ordinary accounts' tweets, so that
    :func:`active_in_words` can say whether being active then sets the network apart.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    start, end
        ISO strings or timestamps; naive values are UTC.
    widen
        Margin added on each side (``"30min"``, ``"2h"``...).
    control
        A control cohort of ordinary accounts (``case.control``, or its tweets), or None.

    Returns
    -------
    DataFrame ``userid, user_screen_name, tweets, first, last`` (within the window),
    most active first, then by userid. ``attrs`` hold ``window_start``/``window_end``,
    ``accounts`` (accounts with tweets in ``tweets``) and, with a control,
    ``control_active`` and ``control_accounts``.

    Examples
    --------
    >>> accounts_active_in(tweets, "2020-09-30 01:00", "2020-09-30 02:30")  # doctest: +SKIP
    """
    margin = pd.Timedelta(widen)
    lo, hi = utc(start) - margin, utc(end) + margin
    inside = _take_rows(tweets[["userid", "tweet_time"]], tweets["tweet_time"].between(
        lo, hi, inclusive="both").to_numpy(dtype=bool)).dropna()
    grouped = inside.groupby("userid")
    out = pd.DataFrame({
        "tweets": grouped.size(),
        "first": grouped["tweet_time"].min(),
        "last": grouped["tweet_time"].max(),
    }).reset_index()
    out = (
        out.merge(_screen_names(tweets), on="userid", how="left")
        .sort_values(["tweets", "userid"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)[["userid", "user_screen_name", "tweets", "first", "last"]]
        .astype({"tweets": "int64"})
    )
    out.attrs.update(window_start=lo, window_end=hi, accounts=int(tweets["userid"].nunique()))
    if control is not None:
        control = tweets_of(control)
        seen = control["tweet_time"].between(lo, hi, inclusive="both").to_numpy(dtype=bool)
        out.attrs.update(control_active=int(control["userid"][seen].nunique()),
                         control_accounts=int(control["userid"].nunique()))
    return out


def active_in_words(found: pd.DataFrame) -> str:
    """How many accounts :func:`accounts_active_in` found, beside ordinary accounts'
    share in the same window when it had a control.

    Being active in a window (a debate, a news event) is a finding only when it is
    rarer among ordinary accounts; the words say which.

    Examples
    --------
    >>> f = pd.DataFrame({"userid": [f"u{i}" for i in range(60)]})
    >>> f.attrs = {"accounts": 100, "control_active": 10, "control_accounts": 400}
    >>> print(active_in_words(f))  # doctest: +NORMALIZE_WHITESPACE
    60 of 100 accounts active (60.0%); ordinary accounts: 10 of 400 (2.5%), at least 11.1
    times theirs for cohorts of these sizes: distinguishable from ordinary accounts
    """
    n, total = len(found), int(found.attrs.get("accounts", 0))
    words = (f"{n:,} of {total:,} accounts active ({n / total:.1%})" if total
             else f"{n:,} accounts active")
    ctl, ctl_total = found.attrs.get("control_active"), found.attrs.get("control_accounts")
    if ctl is None or not ctl_total:
        return f"{words}; not compared with ordinary accounts (no control cohort)"
    return (f"{words}; ordinary accounts: {ctl:,} of {ctl_total:,} "
            f"({ctl / ctl_total:.1%}), {share_contrast_words(n, total, ctl, ctl_total)}")


def zone_label(offset: pd.Series, *, other: pd.Series | None = None) -> str:
    """The inferred time zone in words, with the working week it assumes when that is not
    Monday to Friday (an office rhythm found on another week rests on that assumption).

    Parameters
    ----------
    offset
        A row of :func:`infer_utc_offset` (or :func:`utc_offset_by_week`).
    other
        The Monday-to-Friday row of the same tweets: said beside a zone found on
        another week.

    Examples
    --------
    >>> sat_wed = pd.Series({"label": "UTC+03:30", "verdict": "supported", "workweek": "Sat-Wed"})
    >>> mon_fri = pd.Series({"label": "inconclusive", "verdict": "inconclusive",
    ...                      "workweek": "Mon-Fri"})
    >>> zone_label(sat_wed, other=mon_fri)
    'UTC+03:30 (on a Sat-Wed week; on Mon-Fri: inconclusive)'
    """
    label = str(offset["label"])
    if offset["verdict"] == NOT_DISTINCTIVE:
        return f"{label} ({NOT_DISTINCTIVE}: ordinary accounts keep the same hours)"
    if offset["verdict"] != SUPPORTED or offset["workweek"] == "Mon-Fri":
        return label
    said = f"on a {offset['workweek']} week"
    if other is not None and other["workweek"] == "Mon-Fri":
        said += (f"; on Mon-Fri: {other['label']}" if other["label"] == other["verdict"]
                 else f"; on Mon-Fri: {other['label']} ({other['verdict']})")
    return f"{label} ({said})"


def utc_offset_by_week(tweets: pd.DataFrame, workweeks: Sequence[str | Sequence[int]] = (
        "mon-fri",), **options: Any) -> pd.DataFrame:
    """:func:`infer_utc_offset` on each working week of ``workweeks``, one row per week.

    The working week is an assumption (usually the attributed country's): an answer found
    on one week only rests on it. Weeks are tried in the order given, each once; a week
    given twice (``"sat-wed"`` and ``[5, 6, 0, 1, 2]``) is one row.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    workweeks
        Weeks as :func:`infer_utc_offset` takes them (``"mon-fri"``, ``"sat-wed"``...).
    **options
        Passed to :func:`infer_utc_offset` (``seed``, ``workday``...).

    Returns
    -------
    pandas.DataFrame
        :func:`infer_utc_offset`'s columns, ``workweek`` first.

    Examples
    --------
    >>> utc_offset_by_week(release.tweets, ["sat-wed", "mon-fri"], seed=0)  # doctest: +SKIP
    """
    weeks = list(dict.fromkeys(_workweek(w) for w in workweeks))
    # each cohort's tweets are binned once for every week (infer_utc_offset takes the
    # clock in place of the tweets); guarded by
    # tests/test_activity.py::test_utc_offset_by_week_equals_one_inference_per_week
    _, hours = _working_days(options.get("workday", DEFAULT_WORKDAY),
                             options.get("shifts", DEFAULT_SHIFTS))
    step = _clock_step(_candidates(options.get("candidates")), hours)
    clock = _Clock(tweets, step)
    if options.get("control") is not None:
        options = {**options, "control": _Clock(tweets_of(options["control"]), step)}
    rows = pd.concat([infer_utc_offset(clock, workweek=list(w), **options) for w in weeks],
                     ignore_index=True)
    return rows[["workweek", *(c for c in rows.columns if c != "workweek")]]
