"""The claims ledger: what the February 2021 disclosure said, tested on the data and
against ordinary accounts.

Each :class:`Claim` restates one published claim in the project's own words, names
its source and the dataset it was made about, states the rule that tests it
(thresholds come from :class:`ClaimParams` and are printed into the rule) and points at
a check built on :mod:`casebook.accounts`, :mod:`casebook.activity` and
:mod:`casebook.content`. :func:`evaluate_claims` returns one row per claim with the
evidence, a verdict in the words of :mod:`casebook.evidence`, and the same check run on
a control cohort of ordinary accounts.

How a verdict is reached, first that applies:

1. ``not testable with this data``: the claim was made about another dataset of the
   catalogue (the IRA release is not tested against GRU claims), a column the rule
   needs is absent or empty, or the data do not cover the period;
2. ``insufficient data``: the rule's own sample is under its stated minimum
   (:class:`ClaimParams` ``min_tweets``, ``min_accounts``, ``debate_min_windows``), or
   the release holds under :data:`casebook.catalogue.MIN_COVERAGE` of the published
   tweets or accounts (:func:`casebook.catalogue.coverage`; the specimen is compared
   with the published counts times its scale);
3. ``inconclusive``: the verdict depends on a convention the data cannot settle (an
   automation share that passes only if multi-account management tools count as
   automation);
4. ``supported`` / ``not supported``: the rule holds or not;
5. ``not distinctive``: the rule holds, and it holds on the control cohort too
   (``control=``): ordinary accounts do the same, so it says nothing about the
   operation. Without a control the row says none was given.

Examples
--------
>>> ledger = evaluate_claims(release, "iran", control=case.control)  # doctest: +SKIP
>>> report.render_ledger(ledger)  # doctest: +SKIP

The ledger is shown with :func:`casebook.report.render_ledger` (presentation lives in
:mod:`casebook.report`; this module only tests). The debate claim's evidence can be
read with :func:`debate_tweets` and seen with :func:`plot_debate_night`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from casebook import accounts, activity, catalogue, content
from casebook._frames import ReleaseLike, is_hashed_id, is_list_column, naive, utc
from casebook._plotting import date_axis, draw_events, legend_beside, literal_text, new_ax
from casebook.errors import ParameterError, UsageError
from casebook.evidence import (
    INCONCLUSIVE,
    INSUFFICIENT,
    NOT_DISTINCTIVE,
    NOT_SUPPORTED,
    NOT_TESTABLE,
    SUPPORTED,
    VERDICTS,
    null_pvalue,
    strength_words,
)
from casebook.schema import STRING, USER_DTYPES

__all__ = [
    "CLAIMS",
    "INCONCLUSIVE",
    "INSUFFICIENT",
    "LEDGER_COLUMNS",
    "NOT_DISTINCTIVE",
    "NOT_SUPPORTED",
    "NOT_TESTABLE",
    "SIO",
    "SUPPORTED",
    "TWITTER",
    "VERDICTS",
    "Claim",
    "ClaimParams",
    "Outcome",
    "debate_tweets",
    "debate_windows",
    "evaluate_claims",
    "plot_debate_night",
]

TWITTER = "Twitter Safety blog, 23 Feb 2021"
SIO = "Stanford Internet Observatory, Feb 2021"
_DAY = pd.Timedelta("1D")


def _default_lexicons() -> dict[str, content.Lexicon]:
    return {**content.NARRATIVE_LEXICONS, "follow_back": list(accounts.FOLLOWBACK_TERMS)}


@dataclass(frozen=True)
class ClaimParams:
    """Thresholds of the claim rules (all have defaults; override any by keyword)."""

    debate_start: str = "2020-09-30 01:00"  #: first debate, 21:00 US Eastern, in UTC
    debate_end: str = "2020-09-30 02:30"  #: 22:30 US Eastern, in UTC
    debate_widen: str = "30min"  #: margin added on both sides of the debate window
    debate_max_widen: str = "2h"  #: wider than this is no longer "around the debate"
    debate_accounts: int = 130  #: accounts the claim names
    debate_tolerance: int = 0  #: accounts the count may fall short and still support
    debate_min_ratio: float = 2.0  #: debate-window tweets over the matched windows' mean
    debate_alpha: float = 0.05  #: largest p-value against the matched windows
    #: matched windows the data must cover (19: the fewest that let p reach 0.05)
    debate_min_windows: int = 19
    max_median_likes: float = 2.0  #: "low engagement": median likes per original below this
    dominance_share: float = 0.5  #: share of tweets the top account must reach
    nato_min_tweets: int = 3  #: topic-and-stance tweets that put an account in the subset
    nato_min_accounts: int = 2  #: accounts needed for "a subset"
    #: share of the accounts an account subset (anti-NATO, personas, spam) must reach, so
    #: that a large cohort does not meet the rule by its size alone
    subset_min_share: float = 0.05
    narrative_min_share: float = 0.10  #: share of tweets on the Syria narrative
    automation_max_share: float = 0.05  #: GRU: automated share must stay below this
    scheduling_min_share: float = 0.90  #: Armenia: automated share must reach this
    #: count multi-account management tools (TweetDeck, Hootsuite) as automation: True,
    #: False, or None for both ways (a verdict that differs between them is inconclusive)
    management_as_automation: bool | None = None
    persona_min_accounts: int = 2  #: Azerbaijani official/news personas needed
    spam_min_accounts: int = 2  #: follow-spam accounts needed
    spam_min_ratio: float = 5.0  #: following/follower ratio of follow-spraying
    spam_min_following: int = 1000  #: accounts followed for follow-spraying
    spam_min_followback_tweets: int = 3  #: follow-back tweets that flag an account
    retweet_share: float = 1 / 3  #: IRA: "about a third" of tweets are retweets
    retweet_tolerance: float = 0.08  #: IRA: how far "about" reaches
    reach_max_followers: int = 20_000  #: IRA: the largest account stays below this
    reach_large: int = 1000  #: IRA: followers that make an account "large"
    reach_max_large_share: float = 0.35  #: IRA: share of large accounts at most this
    year_min_share: float = 0.5  #: IRA: share of tweets from 2020 ("mostly 2020")
    min_tweets: int = 100  #: tweets a tweet-level rule needs (else insufficient data)
    min_accounts: int = 10  #: accounts an account-level rule needs (else insufficient)
    #: lexicons the rules read, by name: ``anti_nato`` (a stance lexicon
    #: ``{"topic": [...], "stance": [...]}``; a plain list is taken as its topic terms,
    #: with the default stance terms), ``syria``, ``follow_back``. Names not given keep
    #: their defaults (:data:`casebook.content.NARRATIVE_LEXICONS`,
    #: :data:`casebook.accounts.FOLLOWBACK_TERMS`); other names are ignored.
    lexicons: Mapping[str, Any] = field(default_factory=_default_lexicons)


@dataclass(frozen=True)
class Outcome:
    """Result of one check: verdict, evidence in words, and the number tested."""

    verdict: str
    evidence: str
    value: float | None = None


@dataclass(frozen=True)
class Claim:
    """One published claim and how the data test it.

    Attributes
    ----------
    id
        Short stable identifier (``"iran-debate"``).
    operation
        ``"iran"``, ``"russia"`` (the GRU network), ``"ira"`` or ``"armenia"``.
    text
        The claim in the project's own words.
    source
        Where it was published (:data:`TWITTER` or :data:`SIO`).
    rule
        The test in words; ``{name}`` fields are filled from :class:`ClaimParams`.
    check
        ``check(release, params) -> Outcome``.
    requires
        Columns the rule needs, as ``"tweets.column"`` / ``"users.column"``; alternatives
        joined by ``|`` (one of them is enough). Absent or empty: not testable.
    datasets
        Catalogue datasets the claim was made about (:data:`casebook.catalogue.PUBLISHED`);
        a release recognised as another catalogue dataset is not tested. A release of no
        catalogue dataset (a control cohort, your own collection) is.
    """

    id: str
    operation: str
    text: str
    source: str
    rule: str
    check: Callable[[ReleaseLike, ClaimParams], Outcome]
    requires: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()


# --------------------------------------------------------------------------- helpers


def _has_data(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame:
        return False
    values = frame[column]
    if is_list_column(values):
        return bool((values.list.len().fillna(0) > 0).any())
    if pd.api.types.is_string_dtype(values.dtype):
        return bool((values.fillna("").str.strip() != "").any())
    return bool(values.notna().any())


def _missing(release: ReleaseLike, requires: Sequence[str]) -> list[str]:
    """Requirements with no usable data (each may list alternatives joined by ``|``)."""
    missing = []
    for requirement in requires:
        options = requirement.split("|")
        if not any(_has_data(getattr(release, opt.split(".")[0]), opt.split(".")[1])
                   for opt in options):
            missing.append(" or ".join(options))
    return missing


def _tested(supported: bool, evidence: str, value: float) -> Outcome:
    """The outcome of a rule that could be tested: supported or not, and the number."""
    return Outcome(SUPPORTED if supported else NOT_SUPPORTED, evidence, float(value))


def _too_few(n: int, minimum: int, what: str) -> Outcome | None:
    """``insufficient data`` when a rule's sample ``n`` is under its stated minimum."""
    if n >= minimum:
        return None
    return Outcome(INSUFFICIENT, f"only {n:,} {what}; the rule needs at least {minimum:,}")


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _lexicon(p: ClaimParams, name: str) -> content.Lexicon:
    return p.lexicons.get(name, _default_lexicons()[name])


def _stance_lexicon(p: ClaimParams, name: str) -> tuple[dict[str, Sequence[str]], str]:
    """The stance lexicon ``name``; a plain list is its topic terms, with the default
    stance terms (said in the returned note)."""
    given = _lexicon(p, name)
    if content.is_stance_lexicon(given):
        return dict(given), "topic and stance terms as given"
    default = _default_lexicons()[name]
    return ({"topic": list(given), "stance": list(default["stance"])},
            "topic terms as given, default stance terms")


# --------------------------------------------------------------------------- the debate


def _debate_bounds(start: Any, end: Any, widen: str | pd.Timedelta) -> tuple[pd.Timestamp,
                                                                              pd.Timestamp]:
    lo, hi = utc(start) - pd.Timedelta(widen), utc(end) + pd.Timedelta(widen)
    if not hi - lo < _DAY:
        raise ParameterError(f"the debate window {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} "
                             f"is a day or longer; matched windows need it shorter")
    return lo, hi


def _day_offsets(times: pd.Series, lo: pd.Timestamp, length: pd.Timedelta) -> np.ndarray:
    """For each time, the whole days k with ``lo + k days <= t <= lo + k days + length``
    (at most one, the window being under a day); -9999 when none (or no time)."""
    delta = (times - lo).to_numpy(dtype="timedelta64[ns]")
    valid = ~np.isnat(delta)
    days = np.full(len(delta), -9999, dtype=np.int64)
    day_ns = _DAY.value
    raw = delta[valid].astype(np.int64)
    k = np.floor_divide(raw, day_ns)
    inside = raw - k * day_ns <= length.value
    days[np.flatnonzero(valid)[inside]] = k[inside]
    return days


def debate_windows(tweets: pd.DataFrame, *, start: Any = ClaimParams.debate_start,
                   end: Any = ClaimParams.debate_end,
                   widen: str | pd.Timedelta = ClaimParams.debate_widen) -> pd.DataFrame:
    """Tweets and accounts in the debate window and in its matched windows.

    The debate window is ``[start - widen, end + widen]`` (both ends inclusive, the clock
    having minute resolution); its matched windows are the same clock hours on every
    other day of the month of ``start``. A window is ``covered`` when it overlaps the
    span of the tweets (first to last tweet): outside it a zero means "not collected".

    Returns
    -------
    DataFrame ``offset_days, window_start, window_end, debate, covered, tweets,
    accounts``, one row per day of the month, in order.

    Examples
    --------
    >>> debate_windows(release.tweets).query("covered")  # doctest: +SKIP
    """
    lo, hi = _debate_bounds(start, end, widen)
    anchor = utc(start).normalize()
    month = pd.date_range(anchor - pd.Timedelta(days=anchor.day - 1),
                          anchor + pd.offsets.MonthEnd(0), freq="D")
    offsets = np.asarray((month - anchor).days, dtype=np.int64)
    days = _day_offsets(tweets["tweet_time"], lo, hi - lo)
    keep = np.isin(days, offsets)
    inside = pd.DataFrame({"offset_days": days[keep],
                           "userid": tweets["userid"].to_numpy()[keep]})
    grouped = inside.groupby("offset_days")
    counts = pd.DataFrame({"tweets": grouped.size(), "accounts": grouped["userid"].nunique()})
    times = tweets["tweet_time"].dropna()
    first, last = (times.min(), times.max()) if len(times) else (pd.NaT, pd.NaT)
    shift = pd.to_timedelta(offsets, unit="D")
    out = pd.DataFrame({
        "offset_days": offsets,
        "window_start": lo + shift,
        "window_end": hi + shift,
        "debate": offsets == 0,
    })
    out["covered"] = (out["window_end"] >= first) & (out["window_start"] <= last) \
        if len(times) else False
    return (out.merge(counts, left_on="offset_days", right_index=True, how="left")
            .fillna({"tweets": 0, "accounts": 0})
            .astype({"tweets": "int64", "accounts": "int64", "covered": bool}))


def debate_tweets(tweets: pd.DataFrame, *, start: Any = ClaimParams.debate_start,
                  end: Any = ClaimParams.debate_end,
                  widen: str | pd.Timedelta = ClaimParams.debate_widen) -> pd.DataFrame:
    """What was posted in the debate window: the evidence behind the debate claim.

    Returns
    -------
    DataFrame ``tweet_time, userid, user_screen_name, tweet_text, is_retweet, tweetid``
    (those present), in time order, then by tweetid.
    """
    lo, hi = _debate_bounds(start, end, widen)
    columns = [c for c in ("tweet_time", "userid", "user_screen_name", "tweet_text",
                           "is_retweet", "tweetid") if c in tweets]
    return (tweets.loc[tweets["tweet_time"].between(lo, hi, inclusive="both"), columns]
            .sort_values([c for c in ("tweet_time", "tweetid") if c in columns],
                         kind="stable")
            .reset_index(drop=True))


def plot_debate_night(tweets: pd.DataFrame, *, start: Any = ClaimParams.debate_start,
                      end: Any = ClaimParams.debate_end,
                      widen: str | pd.Timedelta = ClaimParams.debate_widen,
                      margin: str | pd.Timedelta = "3h", ax: Any = None,
                      title: str | None = None) -> Any:
    """Tweets per minute on debate night, against the same minutes of the matched nights.

    Draws the tweets of each minute from ``start - widen - margin`` to
    ``end + widen + margin`` (steps), the mean of the same clock minutes over the
    covered matched days of :func:`debate_windows` (grey line), and the debate and its
    widened window as events.

    Returns
    -------
    The matplotlib Axes.
    """
    ax = new_ax(ax)
    lo, hi = _debate_bounds(start, end, widen)
    pad = pd.Timedelta(margin)
    night_lo, night_hi = lo - pad, hi + pad
    if not night_hi - night_lo < _DAY:
        raise ParameterError("the debate night (window and margins) must be under a day")
    minutes = pd.date_range(night_lo.floor("min"), night_hi.floor("min"), freq="min")
    windows = debate_windows(tweets, start=start, end=end, widen=widen)
    matched = windows.loc[windows["covered"] & ~windows["debate"], "offset_days"].to_numpy()
    times = tweets["tweet_time"]
    days = _day_offsets(times, minutes[0], night_hi - minutes[0])
    # minute of the night of every tweet on debate night (day 0) or a matched night
    minute = np.floor_divide(
        (times - minutes[0]).to_numpy(dtype="timedelta64[ns]").astype(np.int64)
        - days * _DAY.value, pd.Timedelta("1min").value)
    tonight = np.bincount(minute[days == 0], minlength=len(minutes))[:len(minutes)]
    others = np.bincount(minute[np.isin(days, matched)], minlength=len(minutes))[:len(minutes)]
    counts = tonight
    baseline = others / max(len(matched), 1)
    x = naive(minutes)
    ax.step(x, counts, where="post", linewidth=1.0, color="#4c72b0",
            label="debate night")
    ax.plot(x, baseline, linewidth=1.0, color="0.5",
            label=f"mean of {len(matched)} matched nights")
    draw_events(ax, [{"name": "debate", "start": utc(start), "end": utc(end)},
                     {"name": f"window (widened by {widen})", "start": lo, "end": hi}])
    ax.set_title(title or f"Tweets per minute on debate night, {utc(start):%d %b %Y} (UTC)")
    ax.set_xlabel("time (UTC)")
    ax.set_ylabel("tweets per minute")
    ax.set_ylim(bottom=0)
    date_axis(ax.xaxis)
    legend_beside(ax)
    return literal_text(ax)


def _check_debate(release: ReleaseLike, p: ClaimParams) -> Outcome:
    tweets = release.tweets
    windows = debate_windows(tweets, start=p.debate_start, end=p.debate_end,
                             widen=p.debate_widen)
    night = windows.loc[windows["debate"]].iloc[0]
    lo, hi = night["window_start"], night["window_end"]
    if not night["covered"]:
        times = tweets["tweet_time"].dropna()
        return Outcome(NOT_TESTABLE, f"the tweets run from {times.min():%Y-%m-%d} to "
                       f"{times.max():%Y-%m-%d} and do not cover the window "
                       f"{lo:%Y-%m-%d %H:%M}-{hi:%H:%M} UTC" if len(times)
                       else "no tweet has a time")
    matched = windows.loc[windows["covered"] & ~windows["debate"]]
    few = _too_few(len(matched), p.debate_min_windows,
                   f"matched windows (the same hours on other days of {lo:%B %Y}) lie "
                   f"within the tweets' span")
    if few:
        return few
    n_tweets, n_accounts = int(night["tweets"]), int(night["accounts"])
    mean = float(matched["tweets"].mean())
    ratio = n_tweets / mean if mean > 0 else (np.inf if n_tweets else 0.0)
    pvalue = null_pvalue(n_tweets, matched["tweets"])
    strength = strength_words(n_tweets, matched["tweets"], replicates="matched nights")
    enough = n_accounts >= p.debate_accounts - p.debate_tolerance
    return _tested(
        enough and ratio >= p.debate_min_ratio and pvalue <= p.debate_alpha,
        f"{n_accounts} accounts posted {n_tweets:,} tweets between {lo:%Y-%m-%d %H:%M} "
        f"and {hi:%H:%M} UTC; the same hours on {len(matched)} other days of {lo:%B %Y} "
        f"averaged {mean:.1f} tweets from {matched['accounts'].mean():.1f} accounts: rate "
        f"ratio {ratio:.1f}, p = {pvalue:.3f} ({strength}); the claim names "
        f"{p.debate_accounts} accounts", ratio)


# --------------------------------------------------------------------------- checks: Iran


def _check_engagement(release: ReleaseLike, p: ClaimParams) -> Outcome:
    summary = content.engagement_summary(release.tweets)
    likes = summary.loc["like_count"]
    if likes["originals"] == 0:
        return Outcome(NOT_TESTABLE, "no original tweet with a like count")
    few = _too_few(int(likes["originals"]), p.min_tweets, "original tweets with a like count")
    if few:
        return few
    median = float(likes["median"])
    return _tested(median < p.max_median_likes,
                   f"median likes per original tweet {median:g} (mean {likes['mean']:.2f}) "
                   f"over {int(likes['originals']):,} originals; "
                   f"{_pct(summary.loc['total', 'zero_share'])} drew no engagement at all; "
                   f"retweets left out: {summary.attrs['retweets_excluded']:,}", median)


def _check_dominance(release: ReleaseLike, p: ClaimParams) -> Outcome:
    top = accounts.top_accounts(release, n=1)
    if top.empty:
        return Outcome(NOT_TESTABLE, "no tweets")
    total = int(release.tweets["userid"].notna().sum())
    few = _too_few(total, p.min_tweets, "tweets")
    if few:
        return few
    row = top.iloc[0]
    signals = accounts.persona_signals(release.users)
    match = signals.loc[signals["userid"] == row["userid"]]
    news = match["news_terms"].iloc[0] if len(match) else pd.NA
    share = float(row["share"])
    followers = row["follower_count"]
    followers = "unknown" if pd.isna(followers) else f"{int(followers):,}"
    return _tested(share >= p.dominance_share,
                   f"top account {row['user_screen_name']} "
                   f"({'hashed' if row['hashed'] else 'unhashed'}, {followers} followers) "
                   f"posted {int(row['tweets']):,} of {total:,} tweets ({_pct(share)}); "
                   f"news/media persona terms: {news if not pd.isna(news) else 'none'}", share)


# --------------------------------------------------------------------------- checks: Russia


def _subset(n: int, total: int, p: ClaimParams, minimum: int) -> bool:
    return n >= minimum and n >= p.subset_min_share * total


def _check_nato(release: ReleaseLike, p: ClaimParams) -> Outcome:
    tweets = release.tweets
    lexicon, note = _stance_lexicon(p, "anti_nato")
    total = int(tweets["userid"].nunique())
    few = _too_few(total, p.min_accounts, "accounts")
    if few:
        return few
    matches = content.lexicon_matches(tweets, {"topic": lexicon["topic"],
                                               "anti_nato": lexicon})
    per = (matches.assign(userid=tweets["userid"]).groupby("userid")["anti_nato"].sum())
    n = int((per >= p.nato_min_tweets).sum())
    return _tested(_subset(n, total, p, p.nato_min_accounts),
                   f"{n} of {total} accounts posted at least {p.nato_min_tweets} tweets naming "
                   f"NATO with a hostile stance term ({int(matches['anti_nato'].sum()):,} such "
                   f"tweets; {int(matches['topic'].sum()):,} name the topic at all; {note})",
                   float(n))


def _check_narratives(release: ReleaseLike, p: ClaimParams) -> Outcome:
    tweets = release.tweets
    few = _too_few(len(tweets), p.min_tweets, "tweets")
    if few:
        return few
    hits = content.lexicon_matches(tweets, {"syria": _lexicon(p, "syria")})["syria"]
    share = float(hits.mean())
    n_accounts = int(tweets.loc[hits, "userid"].nunique())
    return _tested(share >= p.narrative_min_share,
                   f"{int(hits.sum()):,} of {len(hits):,} tweets ({_pct(share)}) from "
                   f"{n_accounts} accounts match the Syria lexicon", share)


def _automation(release: ReleaseLike, p: ClaimParams,
                passes: Callable[[float], bool]) -> Outcome:
    """The automated share both ways (management tools out and in) and the verdict."""
    tweets = release.tweets
    named = int(tweets["tweet_client_name"].fillna("").str.strip().ne("").sum())
    few = _too_few(named, p.min_tweets, "tweets with a client name")
    if few:
        return few
    shares = content.client_class_shares(tweets).set_index("client_class")["share"]
    table = content.client_table(tweets)
    without = float(shares[list(content.AUTOMATED_CLASSES)].sum())
    management = float(shares[content.MANAGEMENT_CLASS])
    with_ = without + management
    tools = table.loc[table["client_class"].isin(content.AUTOMATED_CLASSES)].head(3)
    names = ", ".join(f"{c} ({t:,})" for c, t in zip(tools["client"], tools["tweets"],
                                                       strict=True)) or "none"
    held = {False: passes(without), True: passes(with_)}
    word = {True: "supported", False: "not supported"}
    evidence = (f"{_pct(without)} of {len(tweets):,} tweets came from scheduling "
                f"({_pct(float(shares['scheduling']))}) or automation "
                f"({_pct(float(shares['automation']))}) clients; top: {names}. "
                f"Multi-account management tools (TweetDeck, Hootsuite...) posted "
                f"{_pct(management)}: counted as automation the share is {_pct(with_)} "
                f"({word[held[True]]}), not counted {_pct(without)} ({word[held[False]]}). "
                f"Unknown clients ({_pct(float(shares['unknown']))}) count as neither")
    if p.management_as_automation is None:
        if held[True] != held[False]:
            return Outcome(INCONCLUSIVE, evidence + "; the verdict depends on how "
                           "management tools are counted", without)
        return _tested(held[False], evidence, without)
    chosen = bool(p.management_as_automation)
    return _tested(held[chosen], evidence + f"; the rule counts them "
                   f"{'as automation' if chosen else 'as not automated'}",
                   with_ if chosen else without)


def _check_low_automation(release: ReleaseLike, p: ClaimParams) -> Outcome:
    return _automation(release, p, lambda share: share < p.automation_max_share)


# --------------------------------------------------------------------------- checks: IRA


def _check_ira_retweets(release: ReleaseLike, p: ClaimParams) -> Outcome:
    tweets = release.tweets
    few = _too_few(len(tweets), p.min_tweets, "tweets")
    if few:
        return few
    share = float(activity.retweet_mask(tweets).mean())
    return _tested(abs(share - p.retweet_share) <= p.retweet_tolerance,
                   f"{int(activity.retweet_mask(tweets).sum()):,} of {len(tweets):,} tweets "
                   f"({_pct(share)}) are retweets", share)


def _check_ira_reach(release: ReleaseLike, p: ClaimParams) -> Outcome:
    followers = release.users["follower_count"].dropna().astype("float64")
    few = _too_few(len(followers), p.min_accounts, "accounts with a follower count")
    if few:
        return few
    largest = float(followers.max())
    large = int((followers > p.reach_large).sum())
    share = large / len(followers)
    return _tested(largest < p.reach_max_followers and share <= p.reach_max_large_share,
                   f"largest account {largest:,.0f} followers; {large} of {len(followers)} "
                   f"accounts ({_pct(share)}) have more than {p.reach_large:,}; median "
                   f"{followers.median():,.0f}", largest)


def _check_ira_year(release: ReleaseLike, p: ClaimParams) -> Outcome:
    times = release.tweets["tweet_time"].dropna()
    few = _too_few(len(times), p.min_tweets, "tweets with a time")
    if few:
        return few
    share = float((times.dt.year == 2020).mean())
    return _tested(share >= p.year_min_share,
                   f"{int((times.dt.year == 2020).sum()):,} of {len(times):,} tweets "
                   f"({_pct(share)}) are from 2020; they run from {times.min():%Y-%m-%d} to "
                   f"{times.max():%Y-%m-%d}", share)


# --------------------------------------------------------------------------- checks: Armenia


def _check_personas(release: ReleaseLike, p: ClaimParams) -> Outcome:
    few = _too_few(len(release.users), p.min_accounts, "accounts")
    if few:
        return few
    signals = accounts.persona_signals(
        release.users,
        place_fields=("user_reported_location", "user_display_name", "user_screen_name",
                      "user_profile_description"))
    azerbaijan = signals["claimed_place"].fillna("").str.contains("Azerbaijan", regex=False)
    official = signals["official"] & azerbaijan
    news = signals["news"] & azerbaijan
    found = signals.loc[official | news]
    n = len(found)
    # hashed accounts have a hash for a name: show the words that matched instead
    terms = found["official_terms"].fillna(found["news_terms"]).fillna("")
    names = found["user_display_name"].fillna(found["user_screen_name"]).where(
        ~is_hashed_id(found["userid"]), "hashed account (" + terms + ")")
    examples = "; ".join(names.head(3).astype(str)) or "none"
    return _tested(_subset(n, len(signals), p, p.persona_min_accounts),
                   f"{n} of {len(signals)} accounts present as officials "
                   f"({int(official.sum())}) or news outlets ({int(news.sum())}) and name "
                   f"Azerbaijan; {int(azerbaijan.sum())} name Azerbaijan in all; "
                   f"e.g. {examples}", float(n))


def _check_spam(release: ReleaseLike, p: ClaimParams) -> Outcome:
    few = _too_few(len(release.users), p.min_accounts, "accounts")
    if few:
        return few
    spam = accounts.follow_spam(release.users, tweets=release.tweets, min_ratio=p.spam_min_ratio,
                                min_following=p.spam_min_following,
                                min_followback_tweets=p.spam_min_followback_tweets,
                                terms=list(_lexicon(p, "follow_back")))
    n = int(spam["flag"].sum())
    ratio = spam["follow_ratio"].median()
    return _tested(_subset(n, len(spam), p, p.spam_min_accounts),
                   f"{n} of {len(spam)} accounts flagged ({int(spam['ratio_flag'].sum())} by "
                   f"following/follower ratio, {int(spam['text_flag'].sum())} by follow-back "
                   f"tweets); median following/follower ratio {ratio:.2f}", float(n))


def _check_scheduling(release: ReleaseLike, p: ClaimParams) -> Outcome:
    return _automation(release, p, lambda share: share >= p.scheduling_min_share)


# --------------------------------------------------------------------------- the ledger

_TIME = "tweets.tweet_time"
_PROFILE = "users.user_reported_location|users.user_profile_description|users.user_display_name"
_AUTOMATED_RULE = ("Share of tweets from clients classed scheduling or automation in "
                   "casebook.content.CLIENT_CLASSES (unknown clients count as neither), "
                   "computed with multi-account management tools (TweetDeck, Hootsuite...) "
                   "left out and counted in; ")

#: The disclosure's claims per operation: ``russia`` is the GRU network, ``ira`` the
#: IRA-linked release (SIO's description of it; no GRU claim is tested on it).
CLAIMS: dict[str, list[Claim]] = {
    "iran": [
        Claim("iran-debate", "iran",
              "About 130 of the Iranian accounts tried to disrupt the public conversation "
              "around the first 2020 US presidential debate.", TWITTER,
              "The debate ({debate_start} to {debate_end} UTC, 21:00-22:30 US Eastern on 29 "
              "Sep 2020), both ends widened by {debate_widen} (at most {debate_max_widen}), "
              "against the same hours on the other days of that month (matched windows; at "
              "least {debate_min_windows} within the data); supported when at least "
              "{debate_accounts} accounts (less a tolerance of {debate_tolerance}) posted in "
              "the window, its tweets are at least {debate_min_ratio:g} times the matched "
              "windows' mean, and at most {debate_alpha:g} of the matched windows reach it "
              "(permutation p-value); not testable when the tweets do not cover the window.",
              _check_debate, (_TIME,), ("iran_202012",)),
        Claim("iran-engagement", "iran",
              "The Iranian network drew little engagement and had no real reach.", TWITTER,
              "Median likes per original tweet (retweets left out: the archive gives them "
              "zero counts) is below {max_median_likes:g}; at least {min_tweets} originals.",
              _check_engagement, ("tweets.like_count",), ("iran_202012",)),
        Claim("iran-dominant", "iran",
              "A single state-broadcaster persona posted more than half of the Iranian "
              "network's tweets.", SIO,
              "Supported when the most active account posted at least {dominance_share:.0%} "
              "of all tweets (at least {min_tweets}); its hashing, followers and news/media "
              "persona terms are reported as context.", _check_dominance, ("tweets.userid",),
              ("iran_202012",)),
    ],
    "russia": [
        Claim("russia-nato", "russia",
              "Part of the Russian state-linked accounts worked to weaken trust in NATO and "
              "its stability.", TWITTER,
              "Accounts with at least {nato_min_tweets} tweets that name NATO (its exercises, "
              "the campaign hashtags) and use a hostile stance term (provocation, threat, "
              "occupation, cold war, #NoDEF20...): the anti_nato stance lexicon, topic AND "
              "stance in the same tweet; supported when there are at least "
              "{nato_min_accounts} such accounts and at least {subset_min_share:.0%} of the "
              "accounts (at least {min_accounts} accounts).", _check_nato,
              ("tweets.tweet_text",), ("GRU_202012",)),
        Claim("russia-narratives", "russia",
              "The accounts pushed narratives in line with the Russian government's "
              "positions, Syria first among them.", TWITTER,
              "Share of tweets matching the Syria lexicon (places, actors, the White Helmets; "
              "English, Russian, Arabic); supported when at least {narrative_min_share:.0%} "
              "(at least {min_tweets} tweets).", _check_narratives, ("tweets.tweet_text",),
              ("GRU_202012",)),
        Claim("russia-automation", "russia",
              "Automation and scheduling clients posted under 5% of the GRU network's "
              "tweets.", SIO,
              _AUTOMATED_RULE + "supported when below {automation_max_share:.0%}; "
              "inconclusive when only one way passes (at least {min_tweets} tweets with a "
              "client name).", _check_low_automation, ("tweets.tweet_client_name",),
              ("GRU_202012",)),
    ],
    "ira": [
        Claim("ira-retweets", "ira",
              "About a third of the IRA-linked accounts' tweets were retweets.", SIO,
              "Retweet share within {retweet_tolerance:.0%} of {retweet_share:.0%} (at "
              "least {min_tweets} tweets).", _check_ira_retweets, (_TIME,), ("IRA_202012",)),
        Claim("ira-reach", "ira",
              "The IRA-linked accounts had small audiences: the largest about 11,500 "
              "followers, only 8 above 1,000.", SIO,
              "The largest account has under {reach_max_followers:,} followers and at most "
              "{reach_max_large_share:.0%} of the accounts have more than {reach_large:,} "
              "(at least {min_accounts} accounts).", _check_ira_reach,
              ("users.follower_count",), ("IRA_202012",)),
        Claim("ira-2020", "ira",
              "The IRA-linked accounts' tweets are mostly from 2020.", SIO,
              "At least {year_min_share:.0%} of the tweets are from 2020 (at least "
              "{min_tweets} tweets).", _check_ira_year, (_TIME,), ("IRA_202012",)),
    ],
    "armenia": [
        Claim("armenia-personas", "armenia",
              "Fake accounts passed themselves off as Azerbaijani officials, political "
              "figures and news outlets based in Azerbaijan.", TWITTER,
              "Accounts whose profile matches the official or news persona lexicons and that "
              "name a place in Azerbaijan (location, name or description); supported when "
              "there are at least {persona_min_accounts} and at least {subset_min_share:.0%} "
              "of the accounts (at least {min_accounts} accounts).", _check_personas,
              (_PROFILE,), ("armenia_202012",)),
        Claim("armenia-spam", "armenia",
              "The accounts used spam-like tactics to collect followers.", TWITTER,
              "Accounts flagged by follow_spam: following at least {spam_min_following} with "
              "a following/follower ratio of at least {spam_min_ratio:g}, or at least "
              "{spam_min_followback_tweets} tweets matching the follow_back lexicon; "
              "supported when at least {spam_min_accounts} accounts and at least "
              "{subset_min_share:.0%} of the accounts are flagged (at least {min_accounts} "
              "accounts).", _check_spam, ("users.following_count", "users.follower_count"),
              ("armenia_202012",)),
        Claim("armenia-automation", "armenia",
              "More than 90% of the network's tweets went out through scheduling or "
              "automation tools.", SIO,
              _AUTOMATED_RULE + "supported when at least {scheduling_min_share:.0%}; "
              "inconclusive when only one way passes (at least {min_tweets} tweets with a "
              "client name).", _check_scheduling, ("tweets.tweet_client_name",),
              ("armenia_202012",)),
    ],
}

#: Columns of the ledger, in order.
LEDGER_COLUMNS: tuple[str, ...] = ("id", "operation", "claim", "source", "rule", "evidence",
                                   "verdict", "value", "control_verdict", "control_value",
                                   "control_evidence")

_OPERATION_OF_DATASET = {"iran_202012": "iran", "GRU_202012": "russia", "IRA_202012": "ira",
                         "armenia_202012": "armenia"}
_OPERATION_HINTS: dict[str, tuple[str, ...]] = {
    "iran": ("iran",), "russia": ("gru", "russia"), "ira": ("ira_",), "armenia": ("armenia",),
}
_NO_CONTROL = "no control cohort was given"


def _operation_of(release: ReleaseLike) -> str:
    name = str(getattr(release, "name", ""))
    dataset = catalogue.dataset_of(name)
    if dataset is not None:
        return _OPERATION_OF_DATASET[dataset]
    low = name.lower() + "_"
    for operation, hints in _OPERATION_HINTS.items():
        if any(hint in low for hint in hints):
            return operation
    raise UsageError(f"cannot tell the operation of release {name!r}: pass claims= "
                     f"(a list of Claim or one of {sorted(CLAIMS)})")


@dataclass
class _Cohort:
    """Tweets given as a control, with no users table."""

    tweets: pd.DataFrame
    users: pd.DataFrame
    name: str = "control"


def _as_release(control: ReleaseLike | pd.DataFrame) -> ReleaseLike:
    if isinstance(control, pd.DataFrame):
        users = pd.DataFrame({c: pd.Series(dtype=d) for c, d in USER_DTYPES.items()})
        return _Cohort(control, users)
    return control


def _run(claim: Claim, release: ReleaseLike, p: ClaimParams) -> Outcome:
    """One claim on one release: dataset, columns, the rule, then the release's size."""
    dataset = catalogue.dataset_of(str(getattr(release, "name", "")))
    if claim.datasets and dataset is not None and dataset not in claim.datasets:
        return Outcome(NOT_TESTABLE, f"the claim was published about "
                       f"{' and '.join(claim.datasets)}; this release is {dataset} "
                       f"(operation {_OPERATION_OF_DATASET[dataset]!r} has its own claims)")
    missing = _missing(release, claim.requires)
    if missing:
        return Outcome(NOT_TESTABLE, "absent or empty: " + "; ".join(missing))
    outcome = claim.check(release, p)
    if outcome.verdict in (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE):
        cover = catalogue.coverage(release)
        if cover is not None and not cover.sufficient:
            return Outcome(INSUFFICIENT, f"{cover.describe()}: under "
                           f"{catalogue.MIN_COVERAGE:.0%}, too little to test the claim; "
                           f"on what it holds: {outcome.evidence}", outcome.value)
    return outcome


def evaluate_claims(release: ReleaseLike, claims: Sequence[Claim] | str | None = None, *,
                    control: ReleaseLike | pd.DataFrame | None = None,
                    lexicons: Mapping[str, Any] | None = None,
                    params: ClaimParams | None = None, **overrides: Any) -> pd.DataFrame:
    """Test claims on a release, and each rule on a control cohort of ordinary accounts.

    Parameters
    ----------
    release
        A :class:`casebook.Release`.
    claims
        A list of :class:`Claim`, an operation name (``"iran"``, ``"russia"``, ``"ira"``,
        ``"armenia"``), or None to pick the operation from ``release.name``.
    control
        Ordinary accounts (a release, or their tweets alone): every check runs on them
        too, and a rule they also meet is ``not distinctive``. None: the rows say no
        control was given.
    lexicons
        Lexicons by name (see :class:`ClaimParams` ``lexicons``): a notebook's
        ``lexicons`` parameter, passed here, reaches every check that reads a lexicon.
        Names not given keep their defaults.
    params
        Thresholds; defaults to :class:`ClaimParams()`.
    **overrides
        Any :class:`ClaimParams` field, e.g. ``debate_widen="1h"``.

    Returns
    -------
    DataFrame with :data:`LEDGER_COLUMNS`: ``id, operation, claim, source, rule,
    evidence, verdict, value`` and the control's ``control_verdict, control_value,
    control_evidence``, one row per claim in the order given. ``rule`` has the
    thresholds filled in.

    Raises
    ------
    TypeError
        An unknown parameter.
    ParameterError
        ``debate_widen`` beyond ``debate_max_widen``.
    """
    names = {f.name for f in fields(ClaimParams)}
    unknown = set(overrides) - names
    if unknown:
        raise TypeError(f"unknown claim parameters: {sorted(unknown)}")
    p = replace(params or ClaimParams(), **overrides)
    if lexicons is not None:
        p = replace(p, lexicons={**p.lexicons, **lexicons})
    if pd.Timedelta(p.debate_widen) > pd.Timedelta(p.debate_max_widen):
        raise ParameterError(f"debate_widen={p.debate_widen!r} is wider than "
                             f"debate_max_widen={p.debate_max_widen!r}: a window that wide "
                             f"is no longer around the debate")
    if claims is None:
        claims = _operation_of(release)
    if isinstance(claims, str):
        if claims not in CLAIMS:
            raise UsageError(f"unknown operation {claims!r}: one of {sorted(CLAIMS)}")
        claims = CLAIMS[claims]
    cohort = _as_release(control) if control is not None else None
    values = asdict(p)
    rows = []
    for claim in claims:  # a handful of claims
        outcome = _run(claim, release, p)
        verdict, evidence = outcome.verdict, outcome.evidence
        theirs = _run(claim, cohort, p) if cohort is not None else None
        if theirs is not None and verdict == SUPPORTED and theirs.verdict == SUPPORTED:
            verdict = NOT_DISTINCTIVE
            evidence += f". Ordinary accounts (control) meet the rule too: {theirs.evidence}"
        rows.append({
            "id": claim.id, "operation": claim.operation, "claim": claim.text,
            "source": claim.source, "rule": claim.rule.format(**values),
            "evidence": evidence, "verdict": verdict, "value": outcome.value,
            "control_verdict": theirs.verdict if theirs else pd.NA,
            "control_value": theirs.value if theirs else None,
            "control_evidence": theirs.evidence if theirs else _NO_CONTROL,
        })
    return pd.DataFrame(rows, columns=list(LEDGER_COLUMNS)).astype(
        {"value": "float64", "control_value": "float64", "control_verdict": STRING})
