"""The claims ledger: what the February 2021 disclosure said, tested on the data.

Each :class:`Claim` restates one published claim in the project's own words, names
its source, states the rule that tests it (thresholds come from
:class:`ClaimParams` and are printed into the rule) and points at a check built on
:mod:`casebook.accounts`, :mod:`casebook.activity` and :mod:`casebook.content`.
:func:`evaluate_claims` returns one row per claim with the evidence numbers and a
verdict: ``supported``, ``not supported`` or ``not testable with this data`` (a
column the rule needs is absent or empty, or the data do not cover the period).

Examples
--------
>>> ledger = evaluate_claims(release, "iran", debate_widen="1h")  # doctest: +SKIP
>>> report.render_ledger(ledger)  # doctest: +SKIP

The ledger is shown with :func:`casebook.report.render_ledger` (presentation lives in
:mod:`casebook.report`; this module only tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import pandas as pd

from casebook import accounts, activity, content
from casebook._frames import ReleaseLike, is_hashed_id, is_list_column

__all__ = [
    "CLAIMS",
    "NOT_SUPPORTED",
    "NOT_TESTABLE",
    "SIO",
    "SUPPORTED",
    "TWITTER",
    "VERDICTS",
    "Claim",
    "ClaimParams",
    "Outcome",
    "evaluate_claims",
]

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
NOT_TESTABLE = "not testable with this data"
VERDICTS: tuple[str, ...] = (SUPPORTED, NOT_SUPPORTED, NOT_TESTABLE)

TWITTER = "Twitter Safety blog, 23 Feb 2021"
SIO = "Stanford Internet Observatory, Feb 2021"


@dataclass(frozen=True)
class ClaimParams:
    """Thresholds of the claim rules (all have defaults; override any by keyword)."""

    debate_start: str = "2020-09-30 01:00"  #: first debate, 21:00 US Eastern, in UTC
    debate_end: str = "2020-09-30 02:30"  #: 22:30 US Eastern, in UTC
    debate_widen: str = "30min"  #: margin added on both sides of the debate window
    debate_accounts: int = 130  #: accounts the claim names
    debate_tolerance: int = 0  #: accounts the count may fall short and still support
    max_median_likes: float = 2.0  #: "low engagement": median likes per original below this
    dominance_share: float = 0.5  #: share of tweets the top account must reach
    nato_min_tweets: int = 3  #: anti-NATO tweets that make an account part of the subset
    nato_min_accounts: int = 2  #: accounts needed for "a subset"
    narrative_min_share: float = 0.10  #: share of tweets on the Syria narrative
    automation_max_share: float = 0.05  #: GRU: automation share must stay below this
    scheduling_min_share: float = 0.90  #: Armenia: automation share must reach this
    persona_min_accounts: int = 2  #: Azerbaijani official/news personas needed
    spam_min_accounts: int = 2  #: follow-spam accounts needed
    spam_min_ratio: float = 5.0  #: following/follower ratio of follow-spraying
    spam_min_following: int = 1000  #: accounts followed for follow-spraying
    spam_min_followback_tweets: int = 3  #: follow-back tweets that flag an account
    lexicons: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: dict(content.NARRATIVE_LEXICONS))  #: ``anti_nato``, ``syria``


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
        ``"iran"``, ``"russia"`` or ``"armenia"``.
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
    """

    id: str
    operation: str
    text: str
    source: str
    rule: str
    check: Callable[[ReleaseLike, ClaimParams], Outcome]
    requires: tuple[str, ...] = ()


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


def _pct(x: float) -> str:
    return f"{x:.1%}"


# --------------------------------------------------------------------------- checks: Iran


def _check_debate(release: ReleaseLike, p: ClaimParams) -> Outcome:
    tweets = release.tweets
    active = activity.accounts_active_in(tweets, p.debate_start, p.debate_end,
                                         widen=p.debate_widen)
    lo, hi = active.attrs["window_start"], active.attrs["window_end"]
    first, last = tweets["tweet_time"].min(), tweets["tweet_time"].max()
    if pd.isna(first) or last < lo or first > hi:
        return Outcome(NOT_TESTABLE, f"the tweets run from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
                       f" and do not cover the window {lo:%Y-%m-%d %H:%M}-{hi:%H:%M} UTC"
                       if not pd.isna(first) else "no tweet has a time")
    n = len(active)
    return _tested(n >= p.debate_accounts - p.debate_tolerance,
                   f"{n} accounts posted {int(active['tweets'].sum())} tweets between "
                   f"{lo:%Y-%m-%d %H:%M} and {hi:%Y-%m-%d %H:%M} UTC; the claim names "
                   f"{p.debate_accounts}", float(n))


def _check_engagement(release: ReleaseLike, p: ClaimParams) -> Outcome:
    summary = content.engagement_summary(release.tweets)
    likes = summary.loc["like_count"]
    if likes["originals"] == 0:
        return Outcome(NOT_TESTABLE, "no original tweet with a like count")
    median = float(likes["median"])
    return _tested(median < p.max_median_likes,
                   f"median likes per original tweet {median:g} (mean {likes['mean']:.2f}) "
                   f"over {int(likes['originals'])} originals; "
                   f"{_pct(summary.loc['total', 'zero_share'])} drew no engagement at all; "
                   f"retweets left out: {summary.attrs['retweets_excluded']}", median)


def _check_dominance(release: ReleaseLike, p: ClaimParams) -> Outcome:
    top = accounts.top_accounts(release, n=1)
    if top.empty:
        return Outcome(NOT_TESTABLE, "no tweets")
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
                   f"posted {int(row['tweets']):,} of "
                   f"{int(release.tweets['userid'].notna().sum()):,} tweets ({_pct(share)}); "
                   f"news/media persona terms: {news if not pd.isna(news) else 'none'}", share)


# --------------------------------------------------------------------------- checks: Russia


def _check_nato(release: ReleaseLike, p: ClaimParams) -> Outcome:
    per = content.lexicon_accounts(release.tweets, {"anti_nato": p.lexicons["anti_nato"]})
    subset = per.loc[per["tweets"] >= p.nato_min_tweets]
    n, total = len(subset), int(per["userid"].nunique())
    return _tested(n >= p.nato_min_accounts,
                   f"{n} of {total} accounts posted at least {p.nato_min_tweets} anti-NATO "
                   f"lexicon tweets ({int(per['tweets'].sum())} such tweets in all)", float(n))


def _check_narratives(release: ReleaseLike, p: ClaimParams) -> Outcome:
    tweets = release.tweets
    hits = content.lexicon_matches(tweets, {"syria": p.lexicons["syria"]})["syria"]
    share = float(hits.mean()) if len(hits) else 0.0
    n_accounts = int(tweets.loc[hits, "userid"].nunique())
    return _tested(share >= p.narrative_min_share,
                   f"{int(hits.sum()):,} of {len(hits):,} tweets ({_pct(share)}) from "
                   f"{n_accounts} accounts match the Syria lexicon", share)


def _automation(release: ReleaseLike) -> tuple[float, str]:
    shares = content.client_class_shares(release.tweets).set_index("client_class")
    table = content.client_table(release.tweets)
    tools = table.loc[table["client_class"] == "automation"].head(3)
    names = ", ".join(f"{c} ({t:,})" for c, t in zip(tools["client"], tools["tweets"],
                                                       strict=True)) or "none"
    share = float(shares.loc["automation", "share"])
    return share, (f"{int(shares.loc['automation', 'tweets']):,} of {len(release.tweets):,} "
                   f"tweets ({_pct(share)}) came from automation clients; top: {names}")


def _check_low_automation(release: ReleaseLike, p: ClaimParams) -> Outcome:
    share, evidence = _automation(release)
    return _tested(share < p.automation_max_share, evidence, share)


# --------------------------------------------------------------------------- checks: Armenia


def _check_personas(release: ReleaseLike, p: ClaimParams) -> Outcome:
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
    return _tested(n >= p.persona_min_accounts,
                   f"{n} accounts present as officials ({int(official.sum())}) or news outlets "
                   f"({int(news.sum())}) and name Azerbaijan; "
                   f"{int(azerbaijan.sum())} name Azerbaijan in all; e.g. {examples}", float(n))


def _check_spam(release: ReleaseLike, p: ClaimParams) -> Outcome:
    spam = accounts.follow_spam(release.users, tweets=release.tweets, min_ratio=p.spam_min_ratio,
                                min_following=p.spam_min_following,
                                min_followback_tweets=p.spam_min_followback_tweets)
    n = int(spam["flag"].sum())
    ratio = spam["follow_ratio"].median()
    return _tested(n >= p.spam_min_accounts,
                   f"{n} of {len(spam)} accounts flagged ({int(spam['ratio_flag'].sum())} by "
                   f"following/follower ratio, {int(spam['text_flag'].sum())} by follow-back "
                   f"tweets); median following/follower ratio {ratio:.2f}", float(n))


def _check_scheduling(release: ReleaseLike, p: ClaimParams) -> Outcome:
    share, evidence = _automation(release)
    return _tested(share >= p.scheduling_min_share, evidence, share)


# --------------------------------------------------------------------------- the ledger

_TIME = "tweets.tweet_time"
_PROFILE = "users.user_reported_location|users.user_profile_description|users.user_display_name"

#: The disclosure's claims per operation (``russia``: the GRU network; IRA alongside).
CLAIMS: dict[str, list[Claim]] = {
    "iran": [
        Claim("iran-debate", "iran",
              "About 130 of the Iranian accounts tried to disrupt the public conversation "
              "around the first 2020 US presidential debate.", TWITTER,
              "Count accounts with at least one tweet from {debate_start} to {debate_end} UTC "
              "(the debate, 21:00-22:30 US Eastern on 29 Sep 2020), both ends widened by "
              "{debate_widen}; supported when the count is at least {debate_accounts} less a "
              "tolerance of {debate_tolerance}; not testable when the tweets do not cover "
              "the window.", _check_debate, (_TIME,)),
        Claim("iran-engagement", "iran",
              "The Iranian network drew little engagement and had no real reach.", TWITTER,
              "Median likes per original tweet (retweets left out: the archive gives them "
              "zero counts) is below {max_median_likes:g}.", _check_engagement,
              ("tweets.like_count",)),
        Claim("iran-dominant", "iran",
              "A single state-broadcaster persona posted more than half of the Iranian "
              "network's tweets.", SIO,
              "Supported when the most active account posted at least {dominance_share:.0%} "
              "of all tweets; its hashing, followers and news/media persona terms are "
              "reported as context.", _check_dominance, ("tweets.userid",)),
    ],
    "russia": [
        Claim("russia-nato", "russia",
              "Part of the Russian state-linked accounts worked to weaken trust in NATO and "
              "its stability.", TWITTER,
              "Accounts with at least {nato_min_tweets} tweets matching the anti-NATO lexicon "
              "(NATO, the Defender 2020 exercise and its campaign hashtags; English, Russian, "
              "Arabic, French, German); supported when there are at least "
              "{nato_min_accounts} such accounts.", _check_nato, ("tweets.tweet_text",)),
        Claim("russia-narratives", "russia",
              "The accounts pushed narratives in line with the Russian government's "
              "positions, Syria first among them.", TWITTER,
              "Share of tweets matching the Syria lexicon (places, actors, the White Helmets; "
              "English, Russian, Arabic); supported when at least {narrative_min_share:.0%}.",
              _check_narratives, ("tweets.tweet_text",)),
        Claim("russia-automation", "russia",
              "Automation and scheduling clients posted under 5% of the GRU network's "
              "tweets.", SIO,
              "Share of tweets from clients classed automation (the client table of "
              "casebook.content plus its custom-app rule); supported when below "
              "{automation_max_share:.0%}.", _check_low_automation,
              ("tweets.tweet_client_name",)),
    ],
    "armenia": [
        Claim("armenia-personas", "armenia",
              "Fake accounts passed themselves off as Azerbaijani officials, political "
              "figures and news outlets based in Azerbaijan.", TWITTER,
              "Accounts whose profile matches the official or news persona lexicons and that "
              "name a place in Azerbaijan (location, name or description); supported when "
              "there are at least {persona_min_accounts}.", _check_personas, (_PROFILE,)),
        Claim("armenia-spam", "armenia",
              "The accounts used spam-like tactics to collect followers.", TWITTER,
              "Accounts flagged by follow_spam: following at least {spam_min_following} with "
              "a following/follower ratio of at least {spam_min_ratio:g}, or at least "
              "{spam_min_followback_tweets} follow-back tweets; supported when at least "
              "{spam_min_accounts} accounts are flagged.", _check_spam,
              ("users.following_count", "users.follower_count")),
        Claim("armenia-automation", "armenia",
              "More than 90% of the network's tweets went out through scheduling or "
              "automation tools.", SIO,
              "Share of tweets from clients classed automation (client table plus "
              "custom-app rule); supported when at least {scheduling_min_share:.0%}.",
              _check_scheduling, ("tweets.tweet_client_name",)),
    ],
}

_OPERATION_HINTS: dict[str, tuple[str, ...]] = {
    "iran": ("iran",), "russia": ("gru", "ira_", "russia"), "armenia": ("armenia",),
}


def _operation_of(release: ReleaseLike) -> str:
    name = str(getattr(release, "name", "")).lower() + "_"
    for operation, hints in _OPERATION_HINTS.items():
        if any(hint in name for hint in hints):
            return operation
    raise ValueError(f"cannot tell the operation of release {name[:-1]!r}: pass claims= "
                     f"(a list of Claim or one of {sorted(CLAIMS)})")


def evaluate_claims(release: ReleaseLike, claims: Sequence[Claim] | str | None = None, *,
                    params: ClaimParams | None = None, **overrides: Any) -> pd.DataFrame:
    """Test claims on a release.

    Parameters
    ----------
    release
        A :class:`casebook.Release`.
    claims
        A list of :class:`Claim`, an operation name (``"iran"``, ``"russia"``,
        ``"armenia"``), or None to pick the operation from ``release.name``.
    params
        Thresholds; defaults to :class:`ClaimParams()`.
    **overrides
        Any :class:`ClaimParams` field, e.g. ``debate_widen="1h"``.

    Returns
    -------
    DataFrame ``id, operation, claim, source, rule, evidence, verdict, value``, one
    row per claim in the order given. ``rule`` has the thresholds filled in.
    """
    names = {f.name for f in fields(ClaimParams)}
    unknown = set(overrides) - names
    if unknown:
        raise TypeError(f"unknown claim parameters: {sorted(unknown)}")
    p = replace(params or ClaimParams(), **overrides)
    if claims is None:
        claims = _operation_of(release)
    if isinstance(claims, str):
        claims = CLAIMS[claims]
    values = asdict(p)
    rows = []
    for claim in claims:  # a handful of claims
        missing = _missing(release, claim.requires)
        if missing:
            outcome = Outcome(NOT_TESTABLE, "absent or empty: " + "; ".join(missing))
        else:
            outcome = claim.check(release, p)
        rows.append({
            "id": claim.id, "operation": claim.operation, "claim": claim.text,
            "source": claim.source, "rule": claim.rule.format(**values),
            "evidence": outcome.evidence, "verdict": outcome.verdict, "value": outcome.value,
        })
    columns = ["id", "operation", "claim", "source", "rule", "evidence", "verdict", "value"]
    return pd.DataFrame(rows, columns=columns).astype({"value": "float64"})
