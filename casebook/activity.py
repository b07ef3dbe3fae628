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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from casebook._frames import ReleaseLike, explode_list, naive, utc
from casebook._plotting import (
    EVENT_GID,
    EVENT_LABEL_GID,
    draw_events,
    freq_label,
    label_time_axes,
    new_ax,
    parse_events,
)

__all__ = [
    "EVENT_GID",
    "EVENT_LABEL_GID",
    "ReleaseLike",
    "WEEKDAYS",
    "account_spans",
    "accounts_active_in",
    "bursts",
    "draw_events",
    "format_utc_offset",
    "freq_label",
    "hour_weekday",
    "infer_utc_offset",
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

_MINUTES_PER_WEEK = 7 * 24 * 60


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
    frame = pd.DataFrame({
        "tweet_time": tweets["tweet_time"],
        "userid": tweets["userid"],
        "retweet": retweet_mask(tweets).astype("int64"),
    }).dropna(subset=["tweet_time"])
    grouped = frame.groupby(pd.Grouper(key="tweet_time", freq=freq))
    out = pd.DataFrame({
        "tweets": grouped.size(),
        "retweets": grouped["retweet"].sum(),
        "accounts": grouped["userid"].nunique(),
    })
    out["originals"] = out["tweets"] - out["retweets"]
    out = out.rename_axis("period").reset_index()
    return out[["period", "tweets", "originals", "retweets", "accounts"]].astype(
        {"tweets": "int64", "originals": "int64", "retweets": "int64", "accounts": "int64"}
    )


def plot_volume(tweets: pd.DataFrame, *, freq: str = "D",
                events: Sequence[Mapping[str, Any]] | None = None, ax: Any = None,
                title: str | None = None) -> Any:
    """Line chart of tweets per period (UTC) with events marked.

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
    return ax


def bursts(tweets: pd.DataFrame, *, freq: str = "D", k: float = 3.5,
           min_tweets: int = 1) -> pd.DataFrame:
    """Periods whose volume is far above the typical active period.

    Rule: over the periods with at least one tweet, take the median ``m`` and
    the median absolute deviation scaled to a standard deviation
    (``MAD = 1.4826 * median(|x - m|)``; when it is 0 it is taken as 1 tweet).
    A period is a burst when ``tweets > m + k * MAD`` and ``tweets >= min_tweets``.
    ``k = 3.5`` is the usual cut for the modified z-score (Iglewicz and Hoaglin).
    Empty periods are left out of the baseline, so a network silent for years does
    not make every active day a burst.

    Returns
    -------
    DataFrame ``period, tweets, accounts, score`` (``(tweets - m) / MAD``),
    ``threshold``, ``top_account`` (userid with most tweets in the period),
    ``top_account_share``, ``top_hashtag`` (case-folded); busiest first, then by period.
    """
    counts = volume(tweets, freq=freq)
    active = counts.loc[counts["tweets"] > 0, "tweets"].to_numpy(dtype=float)
    columns = ["period", "tweets", "accounts", "score", "threshold", "top_account",
               "top_account_share", "top_hashtag"]
    if active.size == 0:
        return pd.DataFrame(columns=columns)
    median = float(np.median(active))
    mad = 1.4826 * float(np.median(np.abs(active - median))) or 1.0
    threshold = median + k * mad
    found = (
        counts.loc[lambda d: (d["tweets"] > threshold) & (d["tweets"] >= min_tweets),
                   ["period", "tweets", "accounts"]]
        .assign(score=lambda d: (d["tweets"] - median) / mad, threshold=threshold)
    )
    if found.empty:
        return found.assign(top_account=pd.Series(dtype="string"), top_account_share=np.nan,
                            top_hashtag=pd.Series(dtype="string"))[columns]
    grouper = pd.Grouper(key="tweet_time", freq=freq)
    per_account = (
        tweets[["tweet_time", "userid"]].dropna()
        .groupby([grouper, "userid"]).size().rename("n").reset_index()
        .rename(columns={"tweet_time": "period"})
        .loc[lambda d: d["period"].isin(found["period"])]
        .sort_values(["period", "n", "userid"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("period")
    )
    found = found.merge(
        per_account.rename(columns={"userid": "top_account"}), on="period", how="left"
    ).assign(top_account_share=lambda d: d["n"] / d["tweets"]).drop(columns="n")
    if "hashtags" in tweets:
        per_tag = (
            explode_list(tweets, "hashtags", keep=("tweet_time",))
            .assign(tag=lambda d: d["hashtags"].str.casefold())
            .dropna(subset=["tweet_time", "tag"])
            .groupby([grouper, "tag"]).size().rename("n").reset_index()
            .rename(columns={"tweet_time": "period"})
            .loc[lambda d: d["period"].isin(found["period"])]
            .sort_values(["period", "n", "tag"], ascending=[True, False, True], kind="stable")
            .drop_duplicates("period")
        )
        found = found.merge(per_tag.rename(columns={"tag": "top_hashtag"})[
            ["period", "top_hashtag"]], on="period", how="left")
    else:
        found["top_hashtag"] = pd.NA
    return (
        found.sort_values(["tweets", "period"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)[columns]
        .astype({"top_account": "string", "top_hashtag": "string"})
    )


# --------------------------------------------------------------------------- rhythm


def _local(times: pd.Series, utc_offset: float) -> pd.Series:
    return times + pd.Timedelta(minutes=round(float(utc_offset) * 60))


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
    local = _local(tweets["tweet_time"].dropna(), utc_offset)
    table = (
        pd.crosstab(local.dt.day_of_week, local.dt.hour)
        .reindex(index=range(7), columns=range(24), fill_value=0)
        .astype("int64")
    )
    table.index = pd.Index(WEEKDAYS, name="weekday")
    table.columns = pd.Index(range(24), name="hour")
    if normalise:
        total = table.to_numpy().sum()
        return table / total if total else table.astype(float)
    return table


def plot_hour_weekday(tweets: pd.DataFrame, *, utc_offset: float = 0.0,
                      normalise: bool = False, cmap: str = "rocket_r", ax: Any = None,
                      title: str | None = None) -> Any:
    """Heatmap of :func:`hour_weekday` in local time ``UTC+utc_offset``.

    Returns
    -------
    The matplotlib Axes.
    """
    import seaborn as sns

    ax = new_ax(ax)
    table = hour_weekday(tweets, utc_offset=utc_offset, normalise=normalise)
    label = format_utc_offset(utc_offset)
    sns.heatmap(table, ax=ax, cmap=cmap,
                cbar_kws={"label": "share of tweets" if normalise else "tweets"})
    ax.set_title(title or f"Tweets by hour and weekday ({label})")
    ax.set_xlabel(f"hour of day ({label})")
    ax.set_ylabel(f"weekday ({label})")
    return ax


def _office_mask(workday: tuple[float, float], workdays: Sequence[int]) -> np.ndarray:
    minute = np.arange(_MINUTES_PER_WEEK)
    day, minute_of_day = np.divmod(minute, 24 * 60)
    start, end = workday[0] * 60, workday[1] * 60
    return np.isin(day, list(workdays)) & (minute_of_day >= start) & (minute_of_day < end)


def _circ_distance_hours(a: np.ndarray, b: float) -> np.ndarray:
    diff = np.mod(a - b + 12.0, 24.0) - 12.0
    return np.abs(diff)


def offset_scores(tweets: pd.DataFrame, *,
                  candidates: Sequence[float] | None = None,
                  workday: tuple[float, float] = (9, 18),
                  workdays: Sequence[int] = (0, 1, 2, 3, 4)) -> pd.DataFrame:
    """Score every candidate UTC offset by how well it makes the activity an office day.

    ``office_share`` is the share of tweets that fall, in local time
    ``UTC + offset``, inside ``workday`` hours (``[start, end)``) on ``workdays``
    (Monday = 0; the Iranian week is ``(5, 6, 0, 1, 2)``). Offsets with equal share
    (a short working day fits several offsets equally) are ranked by
    ``centre_distance``: the hours between the circular mean local time of the
    tweets and the middle of the working day.

    Returns
    -------
    DataFrame ``utc_offset, label, office_share, centre_distance, rank``,
    best first.
    """
    return _OfficeFit(tweets, candidates, workday, workdays).scores


class _OfficeFit:
    """The office-hours fit of every candidate offset, computed once: the scores table
    of :func:`offset_scores` and the per-tweet arrays its bootstrap resamples."""

    def __init__(self, tweets: pd.DataFrame, candidates: Sequence[float] | None,
                 workday: tuple[float, float], workdays: Sequence[int]) -> None:
        offsets = np.asarray(DEFAULT_OFFSETS if candidates is None else candidates,
                             dtype=float)
        self.offsets, self.middle = offsets, (workday[0] + workday[1]) / 2
        self.times = tweets["tweet_time"].dropna()
        self.minute_of_week = (self.times.dt.day_of_week * 1440 + self.times.dt.hour * 60
                               + self.times.dt.minute).to_numpy().astype(np.int64)
        counts = np.bincount(self.minute_of_week, minlength=_MINUTES_PER_WEEK)
        total = counts.sum()
        shift = np.rint(offsets * 60).astype(np.int64)
        local_index = ((np.arange(_MINUTES_PER_WEEK)[None, :] + shift[:, None])
                       % _MINUTES_PER_WEEK)
        # candidates x minute of week (UTC): inside office hours in local time
        self.office = _office_mask(workday, workdays)[local_index]
        shares = (self.office @ counts) / total if total else np.full(len(offsets), np.nan)
        centre = _circular_mean_hour(counts)
        distance = _circ_distance_hours(centre + offsets, self.middle)
        order = np.lexsort((offsets, -_rank_key(shares, distance)))
        self.scores = pd.DataFrame({
            "utc_offset": offsets[order],
            "label": [format_utc_offset(o) for o in offsets[order]],
            "office_share": shares[order],
            "centre_distance": distance[order],
            "rank": np.arange(1, len(offsets) + 1),
        })

    def bootstrap_best(self, n_boot: int, seed: int) -> tuple[np.ndarray, int]:
        """Best offset of each of ``n_boot`` day-block resamples, and the number of days."""
        day_codes, days = pd.factorize(self.times.dt.floor("D"))
        n_days = len(days)
        in_office = self.office[:, self.minute_of_week]  # candidates x tweets
        per_day_office = np.stack(
            [np.bincount(day_codes, weights=row, minlength=n_days) for row in in_office],
            axis=1,
        )  # days x candidates (a loop over ~53 candidates, each vectorised over tweets)
        per_day_total = np.bincount(day_codes, minlength=n_days).astype(float)
        angle = (self.minute_of_week % 1440) / 1440 * 2 * np.pi
        per_day_sin = np.bincount(day_codes, weights=np.sin(angle), minlength=n_days)
        per_day_cos = np.bincount(day_codes, weights=np.cos(angle), minlength=n_days)
        rng = np.random.default_rng(seed)
        weights = rng.multinomial(n_days, np.full(n_days, 1.0 / n_days),
                                  size=n_boot).astype(float)
        boot_shares = (weights @ per_day_office) / (weights @ per_day_total)[:, None]
        boot_centre = np.mod(np.arctan2(weights @ per_day_sin, weights @ per_day_cos)
                             / (2 * np.pi) * 24, 24)
        boot_distance = _circ_distance_hours(boot_centre[:, None] + self.offsets[None, :],
                                             self.middle)
        return self.offsets[np.argmax(_rank_key(boot_shares, boot_distance), axis=1)], n_days


def _circular_mean_hour(counts_by_minute: np.ndarray) -> np.ndarray | float:
    """Circular mean time of day (hours) of minute-of-week counts (last axis)."""
    minute_of_day = np.arange(counts_by_minute.shape[-1]) % 1440
    angle = minute_of_day / 1440 * 2 * np.pi
    sin = counts_by_minute @ np.sin(angle)
    cos = counts_by_minute @ np.cos(angle)
    return np.mod(np.arctan2(sin, cos) / (2 * np.pi) * 24, 24)


def _rank_key(shares: np.ndarray, distance: np.ndarray) -> np.ndarray:
    # Share differences are multiples of 1/N (>= 1e-7 up to 10M tweets); the
    # distance term (< 1.2e-8) only orders exact ties.
    return np.nan_to_num(shares, nan=-1.0) - 1e-9 * distance


def infer_utc_offset(tweets: pd.DataFrame, *,
                     candidates: Sequence[float] | None = None,
                     workday: tuple[float, float] = (9, 18),
                     workdays: Sequence[int] = (0, 1, 2, 3, 4),
                     n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Infer the operators' UTC offset from an office-hours rhythm.

    Each candidate offset (default: -12:00 to +14:00 in 30-minute steps) is scored by
    :func:`offset_scores`: the share of tweets inside ``workday`` hours on
    ``workdays`` in local time. The best offset wins; ties go to the offset that
    centres the activity on the working day.

    Confidence is a day-block bootstrap: the days with tweets are resampled with
    replacement ``n_boot`` times (seeded) and ``confidence`` is the share of
    resamples whose best offset equals the full-data best. Neighbouring offsets
    (30 minutes apart) often score close; ``margin`` is the share difference to the
    runner-up. The clock has minute resolution, so 30-minute steps are meaningful.
    An account that posts around the clock (a news feed, a scheduler) flattens the
    rhythm: drop dominant or automated accounts first when the confidence is low.

    The offset is identified only relative to the assumed ``workday``: operators who
    work 08:00-17:00 look one hour further east under the default 09:00-18:00. The
    confidence measures the fit, not that convention; try neighbouring workdays
    before reading a time zone into the result.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    candidates
        Offsets in hours to try.
    workday
        Local working hours ``(start, end)``.
    workdays
        Working weekdays, Monday = 0. Iran works Saturday to Wednesday: ``(5, 6, 0, 1, 2)``.
    n_boot, seed
        Bootstrap resamples and the seed of their generator.

    Returns
    -------
    One-row DataFrame ``utc_offset, label, office_share, runner_up,
    runner_up_share, margin, confidence, tweets, days``.

    Examples
    --------
    >>> infer_utc_offset(release.tweets, workdays=(5, 6, 0, 1, 2))  # doctest: +SKIP
    """
    fit = _OfficeFit(tweets, candidates, workday, workdays)
    scores = fit.scores
    n_tweets = int(len(fit.times))
    columns = ["utc_offset", "label", "office_share", "runner_up", "runner_up_share",
               "margin", "confidence", "tweets", "days"]
    if n_tweets == 0:
        return pd.DataFrame([dict.fromkeys(columns, np.nan) | {"tweets": 0, "days": 0}],
                            columns=columns)
    best, second = scores.iloc[0], scores.iloc[1] if len(scores) > 1 else scores.iloc[0]
    boot_best, n_days = fit.bootstrap_best(n_boot, seed)
    confidence = float(np.mean(boot_best == best["utc_offset"])) if n_boot else np.nan

    return pd.DataFrame([{
        "utc_offset": float(best["utc_offset"]),
        "label": best["label"],
        "office_share": float(best["office_share"]),
        "runner_up": float(second["utc_offset"]),
        "runner_up_share": float(second["office_share"]),
        "margin": float(best["office_share"] - second["office_share"]),
        "confidence": confidence,
        "tweets": n_tweets,
        "days": int(n_days),
    }], columns=columns)


# --------------------------------------------------------------------------- accounts


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
                       widen: str | pd.Timedelta = "0min") -> pd.DataFrame:
    """Accounts that tweeted inside a time window, with their counts.

    The window is ``[start - widen, end + widen]``, **both ends inclusive** (the clock
    has minute resolution: a tweet stamped 02:30 counts for a window ending 02:30).

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    start, end
        ISO strings or timestamps; naive values are UTC.
    widen
        Margin added on each side (``"30min"``, ``"2h"``...).

    Returns
    -------
    DataFrame ``userid, user_screen_name, tweets, first, last`` (within the window),
    most active first, then by userid. ``attrs`` hold ``window_start``/``window_end``.

    Examples
    --------
    >>> accounts_active_in(tweets, "2020-09-30 01:00", "2020-09-30 02:30")  # doctest: +SKIP
    """
    margin = pd.Timedelta(widen)
    lo, hi = utc(start) - margin, utc(end) + margin
    inside = tweets.loc[tweets["tweet_time"].between(lo, hi, inclusive="both"),
                        ["userid", "tweet_time"]].dropna()
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
    out.attrs.update(window_start=lo, window_end=hi)
    return out
