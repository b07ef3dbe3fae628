"""Who the accounts were: creation waves, audiences, follow-spam, personas,
hashing, profile languages and the concentration of activity.

Functions take ``Release.users`` first (or a ``Release`` when tweets are needed
too), keyword-only options, and return a DataFrame or an Axes. Profile fields are
the snapshot at suspension. Accounts with under 5,000 followers were hashed: their
display and screen names are the hash, so name-based signals only see unhashed
accounts; descriptions and locations stay readable for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from casebook._arrow import first_uses
from casebook._frames import ReleaseLike, hashed_flags, is_hashed_id, naive
from casebook._plotting import (
    count_axis,
    date_axis,
    freq_label,
    label_time_axes,
    legend_beside,
    literal_text,
    log_axis,
    new_ax,
)
from casebook.activity import _key_codes, _take_rows
from casebook.content import compile_lexicon, language_labels, match_lexicon
from casebook.errors import ParameterError
from casebook.evidence import share_contrast_words
from casebook.schema import STRING

__all__ = [
    "FOLLOWBACK_TERMS",
    "PERSONA_EXCLUDE",
    "PERSONA_LEXICONS",
    "PLACE_LEXICONS",
    "concentration",
    "creation_waves",
    "follow_spam",
    "follow_spam_in_words",
    "follower_summary",
    "largest_at_size",
    "hashed_share",
    "is_hashed_id",
    "neighbours",
    "persona_signals",
    "plot_creation",
    "plot_followers",
    "profile_languages",
    "top_accounts",
    "top_share_at_size",
]


# --------------------------------------------------------------------------- creation


def creation_waves(users: pd.DataFrame, *, freq: str = "QS") -> pd.DataFrame:
    """How many accounts were created in each period; periods with none are kept.

    Parameters
    ----------
    users
        ``Release.users`` (its ``account_creation_date`` is read).
    freq
        ``"QS"`` (quarter), ``"MS"`` (month), ``"YS"``...

    Returns
    -------
    DataFrame ``period`` (start of the period), ``accounts``, ``share``,
    ``cumulative``, sorted by period. Accounts without a creation date are left out.

    Examples
    --------
    >>> creation_waves(release.users, freq="MS")  # doctest: +SKIP
    """
    dates = users["account_creation_date"].dropna()
    counts = (
        pd.DataFrame({"account_creation_date": dates})
        .groupby(pd.Grouper(key="account_creation_date", freq=freq)).size()
        .rename("accounts").rename_axis("period").reset_index()
        .astype({"accounts": "int64"})
    )
    total = counts["accounts"].sum()
    return counts.assign(share=lambda d: d["accounts"] / total if total else np.nan,
                         cumulative=lambda d: d["accounts"].cumsum())


def plot_creation(users: pd.DataFrame, *, freq: str = "QS",
                  events: Sequence[Mapping[str, Any]] | None = None, ax: Any = None,
                  title: str | None = None) -> Any:
    """Bar chart of accounts created per period, with events marked.

    Returns
    -------
    The matplotlib Axes.
    """
    waves = creation_waves(users, freq=freq)
    ax, unit = new_ax(ax), freq_label(freq)
    if len(waves):
        edges = pd.date_range(waves["period"].iloc[0], periods=len(waves) + 1, freq=freq)
        widths = np.diff(edges.to_numpy()).astype("timedelta64[s]").astype(float) / 86400
        ax.bar(naive(edges[:-1]), waves["accounts"], width=widths * 0.9, align="edge",
               color="tab:blue", label="accounts created")
    label_time_axes(ax, events, title=title or f"Accounts created per {unit}",
                    xlabel="account creation date", ylabel=f"accounts created per {unit}")
    date_axis(ax.xaxis)
    count_axis(ax.yaxis)
    return literal_text(ax)


# --------------------------------------------------------------------------- audiences


def follower_summary(users: pd.DataFrame, *,
                     quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9)) -> pd.DataFrame:
    """Distribution of followers and followings across accounts.

    Returns
    -------
    DataFrame indexed by ``follower_count`` / ``following_count`` with columns
    ``accounts, mean, median, min, q10 ... q90, max, under_10, over_1000``
    (accounts below 10 and above 1,000).
    """
    rows = {}
    for column in ("follower_count", "following_count"):  # two columns
        values = users[column].dropna().astype("float64") if column in users \
            else pd.Series(dtype="float64")
        row = {"accounts": int(values.size), "mean": values.mean(),
               "median": values.median(), "min": values.min()}
        row |= {f"q{round(q * 100):02d}": values.quantile(q) for q in quantiles}
        row |= {"max": values.max(), "under_10": int((values < 10).sum()),
                "over_1000": int((values > 1000).sum())}
        rows[column] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("measure")


def plot_followers(users: pd.DataFrame, *, column: str = "follower_count",
                   ax: Any = None, title: str | None = None) -> Any:
    """Histogram of followers (or ``column="following_count"``) on a symmetric log scale,
    with the median and mean marked.

    The log axis is labelled with plain numbers (0, 1, 10, 100, 1,000); the legend
    sits beside the axes, never over the bars.

    Returns
    -------
    The matplotlib Axes.
    """
    ax = new_ax(ax)
    values = users[column].dropna().astype("float64").to_numpy()
    what = "followers" if column == "follower_count" else "accounts followed"
    top = max(float(values.max()) if values.size else 1.0, 1.0)
    bins = np.concatenate([[0.0, 1.0], np.logspace(0, np.log10(top + 1), 25)[1:]])
    ax.hist(values, bins=bins, color="tab:blue", alpha=0.8, label="accounts")
    ax.set_xscale("symlog", linthresh=1)
    if values.size:
        ax.axvline(np.median(values), color="black", linestyle="--",
                   label=f"median {np.median(values):,.0f}")
        ax.axvline(values.mean(), color="tab:red", linestyle=":",
                   label=f"mean {values.mean():,.0f}")
    ax.set_title(title or f"{what.capitalize()} per account")
    ax.set_xlabel(f"{what} (count, symmetric log scale)")
    ax.set_ylabel("accounts")
    log_axis(ax.xaxis)
    count_axis(ax.yaxis)
    legend_beside(ax)
    return literal_text(ax)


# --------------------------------------------------------------------------- follow spam

#: Phrases of follow-for-follow spam, several languages (en, es, fr, ru, ar, fa, tr, az).
FOLLOWBACK_TERMS: tuple[str, ...] = (
    # English
    "follow back", "followback", "#followback", "follow me back", "followed you",
    "I follow back", "follow for follow", "follow4follow", "#f4f", "f4f",
    "#teamfollowback", "#ifollowback", "#followtrain", "please follow me",
    "follow me please",
    # Spanish, French
    "sígueme", "sigueme", "te sigo", "#siguemeytesigo", "sigo de vuelta",
    "suivez-moi", "je follow back",
    # Russian
    "взаимная подписка", "взаимные подписки", "взаимный фолловинг", "подпишись",
    "подпишитесь", "#взаимнаяподписка",
    # Arabic, Persian
    "تابعني", "تابعوني", "متابعة متبادلة", "رد المتابعة", "فالوبک", "فالو بک", "فالوم کن",
    "فالو کنید",
    # Turkish, Azerbaijani
    "takip et", "takibe takip", "geri takip", "izləyin", "izləyirəm", "abunə olun",
)


def _follow_spam(users: pd.DataFrame, tweets: pd.DataFrame | None, *, min_ratio: float,
                 min_following: int, min_followback_tweets: int,
                 terms: Sequence[str]) -> pd.DataFrame:
    """:func:`follow_spam` of one cohort."""
    base = users[["userid"]].copy()
    for column in ("user_screen_name", "follower_count", "following_count"):
        base[column] = users[column] if column in users else pd.NA
    followers = base["follower_count"].astype("Float64")
    following = base["following_count"].astype("Float64")
    base["follow_ratio"] = (following / followers.clip(lower=1)).astype("float64")
    base["ratio_flag"] = ((following >= min_following) & (base["follow_ratio"] >= min_ratio)
                          ).fillna(False).astype(bool)
    if tweets is not None:
        hit = match_lexicon(tweets["tweet_text"], terms) if "tweet_text" in tweets \
            else pd.Series(False, index=tweets.index)
        authors, userids = _key_codes(tweets["userid"])
        known = authors >= 0
        per = pd.DataFrame({
            "userid": pd.Series(userids, dtype=tweets["userid"].dtype),
            "tweets": np.bincount(authors[known], minlength=len(userids)),
            "followback_tweets": np.bincount(
                authors[known & hit.to_numpy(dtype=bool)], minlength=len(userids)),
        })
        base = base.merge(per, on="userid", how="left").fillna(
            {"tweets": 0, "followback_tweets": 0})
        base = base.astype({"tweets": "int64", "followback_tweets": "int64"})
        base["followback_share"] = (base["followback_tweets"] / base["tweets"]).where(
            base["tweets"] > 0)
        base["text_flag"] = base["followback_tweets"] >= min_followback_tweets
    else:
        base["tweets"] = pd.array([pd.NA] * len(base), dtype="Int64")
        base["followback_tweets"] = pd.array([pd.NA] * len(base), dtype="Int64")
        base["followback_share"] = np.nan
        base["text_flag"] = False
    base["flag"] = base["ratio_flag"] | base["text_flag"]
    return (
        base.sort_values(["flag", "follow_ratio", "userid"], ascending=[False, False, True],
                         kind="stable", na_position="last")
        .reset_index(drop=True)[
            ["userid", "user_screen_name", "follower_count", "following_count",
             "follow_ratio", "tweets", "followback_tweets", "followback_share",
             "ratio_flag", "text_flag", "flag"]]
    )


def follow_spam(users: pd.DataFrame, *, tweets: pd.DataFrame | None = None,
                min_ratio: float = 5.0, min_following: int = 1000,
                min_followback_tweets: int = 3,
                terms: Sequence[str] = FOLLOWBACK_TERMS,
                control: ReleaseLike | None = None) -> pd.DataFrame:
    """Follow-gaining spam signals per account, with a flag.

    Rule: an account is flagged when

    - it follows at least ``min_following`` accounts **and** its
      following/follower ratio (followers floored at 1) is at least ``min_ratio``
      (it follows far more accounts than follow it: follow-spraying; ordinary
      accounts of the specimen's control cohort stay below 4), **or**
    - it posted at least ``min_followback_tweets`` tweets matching the follow-back
      lexicon ``terms`` ("follow back", "sígueme", "взаимная подписка"...; whole
      words, case-insensitive).

    Parameters
    ----------
    users
        ``Release.users``.
    tweets
        ``Release.tweets``; without it only the ratio part of the rule applies.
    min_ratio, min_following, min_followback_tweets, terms
        The rule's thresholds and follow-back lexicon (above).
    control
        A control cohort of ordinary accounts (``case.control``: its users, and its
        tweets when ``tweets`` is given): the same rule runs on it, and ``attrs`` say
        how many of them it flags (:func:`follow_spam_in_words` words it).

    Returns
    -------
    DataFrame ``userid, user_screen_name, follower_count, following_count,
    follow_ratio, tweets, followback_tweets, followback_share, ratio_flag,
    text_flag, flag``; flagged first, then by ratio descending, then userid.
    ``attrs["rule"]`` states the rule with the parameters used, ``attrs["params"]``
    holds them; with a control, ``attrs["control_flagged"]`` and
    ``attrs["control_accounts"]`` say how many ordinary accounts the rule flags, of how
    many.

    Examples
    --------
    >>> users = pd.DataFrame({"userid": ["a", "b"], "follower_count": [10, 300],
    ...                       "following_count": [4000, 280]})
    >>> follow_spam(users)["flag"].tolist()
    [True, False]
    """
    options = {"min_ratio": min_ratio, "min_following": min_following,
               "min_followback_tweets": min_followback_tweets, "terms": terms}
    out = _follow_spam(users, tweets, **options)
    out.attrs["rule"] = (
        f"flag = (following >= {min_following} and following/max(followers, 1) >= "
        f"{min_ratio:g}) or (tweets matching the follow-back lexicon >= "
        f"{min_followback_tweets})"
    )
    out.attrs["params"] = {"min_ratio": min_ratio, "min_following": min_following,
                           "min_followback_tweets": min_followback_tweets,
                           "tweets": tweets is not None}
    if control is not None:
        if not isinstance(getattr(control, "users", None), pd.DataFrame):
            raise ParameterError(
                "follow_spam's control needs the cohort's accounts (their follower counts): "
                "pass case.control (a Release), not its tweets")
        theirs = _follow_spam(control.users, control.tweets if tweets is not None else None,
                              **options)
        out.attrs["control_flagged"] = int(theirs["flag"].sum())
        out.attrs["control_accounts"] = len(theirs)
    return out


def follow_spam_in_words(found: pd.DataFrame) -> str:
    """The rule :func:`follow_spam` applied, how many accounts it flags, and (when it had a
    control) how many ordinary accounts the same rule flags, in plain words.

    Flagged accounts are a finding only when the rule flags fewer ordinary accounts: the
    shares are compared at the least for the sizes of both cohorts
    (:func:`casebook.evidence.share_contrast`), "distinguishable from ordinary accounts"
    from :data:`casebook.evidence.MIN_CONTRAST` times theirs.

    Examples
    --------
    >>> f = pd.DataFrame({"flag": [True] * 33 + [False] * 2})
    >>> f.attrs = {"params": {"min_ratio": 5.0, "min_following": 1000,
    ...                       "min_followback_tweets": 3, "tweets": True},
    ...            "control_flagged": 0, "control_accounts": 400}
    >>> print(follow_spam_in_words(f))  # doctest: +NORMALIZE_WHITESPACE
    flagged when an account follows at least 1,000 accounts and at least 5 times as many
    as follow it, or posted at least 3 follow-back tweets: 33 of 35 accounts (94.3%);
    ordinary accounts: the same rule flags 0 of 400 (0.0%), at least 85.6 times theirs for
    cohorts of these sizes: distinguishable from ordinary accounts
    """
    p = found.attrs.get("params", {})
    rule = "flagged when an account follows at least {:,} accounts and at least {:g} " \
           "times as many as follow it".format(p.get("min_following", 1000),
                                               p.get("min_ratio", 5.0))
    if p.get("tweets", True):
        rule += f", or posted at least {p.get('min_followback_tweets', 3)} follow-back tweets"
    n, total = int(found["flag"].sum()), len(found)
    words = f"{rule}: {n:,} of {total:,} accounts" + (f" ({n / total:.1%})" if total else "")
    k, m = found.attrs.get("control_flagged"), found.attrs.get("control_accounts")
    if k is None or not m:
        return f"{words}; not compared with ordinary accounts (no control cohort)"
    words += f"; ordinary accounts: the same rule flags {k:,} of {m:,} ({k / m:.1%})"
    if n == 0:
        return f"{words}: no account of this network is flagged"
    return f"{words}, {share_contrast_words(n, total, k, m)}"


# --------------------------------------------------------------------------- personas

#: Words by which a profile presents as an official or a news outlet, by language.
#: Terms ending in ``*`` match any word starting with them.
PERSONA_LEXICONS: dict[str, list[str]] = {
    "official": [
        # English
        "minister", "ministry", "spokesperson", "spokesman", "spokeswoman", "official",
        "government", "embassy", "ambassador", "consulate", "deputy", "parliament",
        "MP", "MFA", "press secretary", "foreign affairs", "president", "presidential",
        # Azerbaijani, Turkish
        "nazir", "nazirlik*", "nazirliyi", "sözçü", "sözcü*", "mətbuat katibi",
        "rəsmi", "hökumət*", "səfir", "səfirlik*", "deputat", "xarici işlər",
        "prezident*", "bakan", "bakanlık*", "resmi",
        # Russian
        "министр*", "пресс-секретар*", "официальн*", "правительств*", "посол",
        "посольств*", "депутат*", "МИД", "президент*",
        # Arabic, Persian
        "وزير", "وزارة", "المتحدث الرسمي", "متحدث", "رسمي", "الرسمي", "حكومة", "سفارة",
        "سفير", "وزیر", "وزارت", "سخنگو", "رسمی", "دولت",
        # Spanish, French
        "ministro", "ministerio", "portavoz", "oficial", "gobierno", "embajada",
        "ministre", "ministère", "porte-parole", "officiel", "gouvernement", "ambassade",
    ],
    "news": [
        # English
        "news", "media", "agency", "press", "breaking", "TV", "radio", "journal",
        "newspaper", "daily", "channel", "reporter", "journalist", "correspondent",
        "editor",
        # Azerbaijani, Turkish
        "xəbər*", "agentlik*", "agentliyi", "mətbuat", "qəzet*", "jurnalist*", "haber*",
        "ajans*", "gazete*", "medya",
        # Russian
        "новост*", "СМИ", "агентств*", "газет*", "журнал*", "медиа", "телеканал*",
        "корреспондент*",
        # Arabic, Persian
        "أخبار", "اخبار", "خبر", "الأخبار", "وكالة", "قناة", "إعلام", "صحيفة", "مراسل",
        "خبرگزاری", "رسانه", "روزنامه", "خبرنگار",
        # Spanish, French
        "noticias", "prensa", "agencia", "diario", "periódico", "periodista", "canal",
        "actualité*", "infos", "presse", "agence", "journaliste",
    ],
}

#: Phrases removed before a lexicon is matched: they describe an audience, not a
#: persona ("news junkie" reads news; it is not an outlet).
PERSONA_EXCLUDE: dict[str, list[str]] = {
    "news": [
        "news junkie", "news addict", "news lover", "news buff", "news nerd", "news fan",
        "news and politics", "news, politics", "news & politics", "politics and news",
        "politics, news", "politics & news", "interested in news", "love news",
        "follow the news", "following the news", "reads the news", "media literacy",
        "social media manager", "social media",
    ],
    "official": ["not official", "unofficial", "not an official", "views are my own"],
}

#: Place names by country, in several scripts, for claimed locations.
PLACE_LEXICONS: dict[str, list[str]] = {
    "Azerbaijan": ["Azerbaijan", "Azərbaycan", "Azerbaycan", "Azerbaïdjan", "Azerbaiyán",
                   "Азербайджан", "أذربيجان", "آذربایجان", "Baku", "Bakı", "Баку", "باكو",
                   "Ganja", "Gəncə", "Sumgait", "Sumqayıt", "Shusha", "Şuşa", "Nakhchivan",
                   "Naxçıvan"],
    "Armenia": ["Armenia", "Hayastan", "Армения", "أرمينيا", "ارمنستان", "Հայաստան",
                "Yerevan", "Ереван", "Երևան", "Artsakh", "Stepanakert", "Степанакерт"],
    "Iran": ["Iran", "Irán", "ایران", "إيران", "Иран", "Tehran", "Teherán", "Téhéran",
             "تهران", "طهران", "Тегеран", "Mashhad", "Isfahan", "Qom", "Shiraz"],
    "Russia": ["Russia", "Россия", "РФ", "Rusia", "Russie", "روسيا", "Moscow", "Москва",
               "Saint Petersburg", "Санкт-Петербург", "Владивосток"],
    "Syria": ["Syria", "Siria", "Syrie", "Сирия", "سوريا", "سورية", "Damascus", "Дамаск",
              "دمشق", "Aleppo", "Алеппо", "حلب", "Idlib", "إدلب", "Latakia", "اللاذقية"],
    "Turkey": ["Turkey", "Türkiye", "Turkiye", "Турция", "تركيا", "Istanbul", "İstanbul",
               "Ankara"],
    # not "US" or "America": case-insensitive "us" is a pronoun, "America" a continent
    "United States": ["USA", "United States", "U.S.", "U.S.A.", "California", "Texas",
                      "New York", "Washington", "Florida"],
}

_PERSONA_FIELDS = ("user_display_name", "user_screen_name", "user_profile_description")


_NAME_FIELDS = ("user_display_name", "user_screen_name")


def _profile_text(users: pd.DataFrame, fields: Sequence[str]) -> pd.Series:
    """Join profile fields into one text; handles are split on camelCase and ``_``
    so that ``AzerbaijanMFA`` reads "Azerbaijan MFA". Names of hashed accounts are
    hashes (their letters would make spurious words) and are left out."""
    parts = []
    hashed = hashed_flags(users) if "userid" in users else pd.Series(False, index=users.index)
    for field in fields:  # a few columns
        if field not in users:
            continue
        text = users[field].astype(STRING)
        if field in _NAME_FIELDS:
            text = text.mask(hashed | (text == users.get("userid")).fillna(False))
        text = text.fillna("")
        if field == "user_screen_name":
            text = (text.str.replace(r"(?<=[a-z])(?=[A-Z])", " ", regex=True)
                    .str.replace(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", regex=True)
                    .str.replace("_", " ", regex=False))
        parts.append(text)
    if not parts:
        return pd.Series("", index=users.index, dtype=STRING)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + " \n " + part
    return joined


def _matched_terms(text: pd.Series, terms: Sequence[str]) -> pd.Series:
    """Distinct case-folded matches per row, sorted and joined with ``"; "`` (NA if none)."""
    found = text.str.findall(compile_lexicon(terms))
    lists = pd.Series(found.to_numpy(), index=range(len(found)), dtype="object")
    exploded = lists.explode().dropna()
    if exploded.empty:
        return pd.Series(pd.NA, index=text.index, dtype=STRING)
    joined = (
        pd.DataFrame({"row": exploded.index, "term": exploded.astype(str).str.casefold()})
        .drop_duplicates().sort_values(["row", "term"], kind="stable")
        .groupby("row")["term"].agg("; ".join)
        .reindex(range(len(text)))
    )
    return pd.Series(joined.to_numpy(), index=text.index, dtype=STRING)


def persona_signals(users: pd.DataFrame, *,
                    lexicons: Mapping[str, Sequence[str]] = PERSONA_LEXICONS,
                    exclude: Mapping[str, Sequence[str]] = PERSONA_EXCLUDE,
                    places: Mapping[str, Sequence[str]] = PLACE_LEXICONS,
                    fields: Sequence[str] = _PERSONA_FIELDS,
                    place_fields: Sequence[str] = ("user_reported_location",)) -> pd.DataFrame:
    """Profiles that present as officials or news outlets, and where they claim to be.

    Each lexicon (default :data:`PERSONA_LEXICONS`: ``official`` and ``news`` in
    English, Azerbaijani, Turkish, Russian, Arabic, Persian, Spanish and French) is
    matched on whole words, case-insensitively, against ``fields`` (display name,
    screen name split on camelCase, description), after the phrases of
    ``exclude[<lexicon>]`` (:data:`PERSONA_EXCLUDE`: "news junkie", "unofficial"...)
    are blanked out. Claimed places are matched in
    ``place_fields`` (the reported location) against :data:`PLACE_LEXICONS`.

    Returns
    -------
    DataFrame ``userid, user_screen_name, user_display_name,
    user_reported_location``, then for each lexicon a boolean column ``<name>``
    and ``<name>_terms`` (the matched words), ``claimed_place`` (countries, ``"; "``
    joined), ``place_terms``, ``signals`` (names of the lexicons matched, plus
    ``place``) and ``n_signals``; most signals first, then userid.
    """
    text = _profile_text(users, fields)
    where = _profile_text(users, place_fields)
    out = pd.DataFrame(index=users.index)
    for column in ("userid", "user_screen_name", "user_display_name",
                   "user_reported_location"):
        out[column] = users[column].astype(STRING) if column in users else pd.NA
    labels = []
    for name, terms in lexicons.items():  # a handful of lexicons
        own = text
        if exclude.get(name):
            own = text.str.replace(compile_lexicon(exclude[name]), " ", regex=True)
        out[f"{name}_terms"] = _matched_terms(own, terms)
        out[name] = out[f"{name}_terms"].notna()
        labels.append(name)
    country_hits = pd.DataFrame({country: match_lexicon(where, terms)
                                 for country, terms in places.items()}, index=users.index)
    out["claimed_place"] = _join_true(country_hits)
    out["place_terms"] = _matched_terms(where, [t for terms in places.values() for t in terms])
    flags = pd.DataFrame({name: out[name] for name in labels}, index=users.index).assign(
        place=out["claimed_place"].notna())
    out["signals"] = _join_true(flags)
    out["n_signals"] = flags.sum(axis=1).astype("int64")
    ordered = labels + [f"{name}_terms" for name in labels]
    return (
        out.sort_values(["n_signals", "userid"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)[
            ["userid", "user_screen_name", "user_display_name", "user_reported_location",
             *ordered, "claimed_place", "place_terms", "signals", "n_signals"]]
    )


def _join_true(flags: pd.DataFrame) -> pd.Series:
    """Names of the True columns per row, ``"; "``-joined (NA when none)."""
    if flags.empty or not len(flags.columns):
        return pd.Series(pd.NA, index=flags.index, dtype=STRING)
    stacked = flags.reset_index(drop=True).stack()
    hits = stacked[stacked.astype(bool)].reset_index()
    joined = hits.groupby("level_0")["level_1"].agg("; ".join).reindex(range(len(flags)))
    return pd.Series(joined.to_numpy(), index=flags.index, dtype=STRING)


# --------------------------------------------------------------------------- hashing, languages


def _tweets_per_account(tweets: pd.DataFrame) -> pd.Series:
    """Tweets per userid (accounts with tweets), on the cached author codes."""
    authors, userids = _key_codes(tweets["userid"])
    return pd.Series(np.bincount(authors[authors >= 0], minlength=len(userids)),
                     index=pd.Index(userids, dtype=tweets["userid"].dtype, name="userid"))


def _tweet_counts(users: pd.DataFrame, tweets: pd.DataFrame | None) -> pd.Series:
    if tweets is not None:
        return (users["userid"].map(_tweets_per_account(tweets))
                .fillna(0).astype("int64"))
    if "tweet_count" in users:
        return users["tweet_count"].astype("Float64").fillna(0).astype("int64")
    return pd.Series(0, index=users.index, dtype="int64")


def hashed_share(users: pd.DataFrame, *, tweets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hashed versus unhashed accounts (unhashed: 5,000 followers or more at suspension).

    Tweets per account come from ``tweets`` when given, else from
    ``users.tweet_count``.

    Returns
    -------
    DataFrame indexed by ``hashed`` (True, False) with ``accounts, account_share,
    tweets, tweet_share``.
    """
    frame = pd.DataFrame({"hashed": hashed_flags(users), "tweets": _tweet_counts(users, tweets)})
    grouped = frame.groupby("hashed")
    out = (pd.DataFrame({"accounts": grouped.size(), "tweets": grouped["tweets"].sum()})
           .reindex([True, False], fill_value=0).rename_axis("hashed")
           .astype("int64"))
    n_accounts, n_tweets = out["accounts"].sum(), out["tweets"].sum()
    out["account_share"] = out["accounts"] / n_accounts if n_accounts else np.nan
    out["tweet_share"] = out["tweets"] / n_tweets if n_tweets else np.nan
    return out[["accounts", "account_share", "tweets", "tweet_share"]]


def profile_languages(users: pd.DataFrame) -> pd.DataFrame:
    """Interface languages of the accounts (``account_language``; missing: ``(empty)``).

    Returns
    -------
    DataFrame ``language, accounts, share``, most common first, then by code.
    """
    lang = language_labels(users["account_language"], normalise_legacy=False)
    counts = lang.value_counts().rename("accounts").rename_axis("language").reset_index()
    return (
        counts.assign(share=lambda d: d["accounts"] / len(users))
        .sort_values(["accounts", "language"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
        .astype({"accounts": "int64", "language": STRING})
    )


# --------------------------------------------------------------------------- neighbours


def neighbours(edges: pd.DataFrame, userid: str, *, kind: str = "co_retweet") -> pd.DataFrame:
    """An account's coordination neighbours: one row per account it shares an edge with.

    Parameters
    ----------
    edges
        Directed coordination edges ``source, target, weight`` and optionally ``kind``
        (:func:`casebook.coordination.coordination_network` or ``networks``).
    userid
        The account.
    kind
        The kind of every edge when ``edges`` has no ``kind`` column.

    Returns
    -------
    DataFrame ``userid, weight, out_weight, in_weight, kind, kinds``: ``out_weight``
    sums the edges from the account to the neighbour, ``in_weight`` those back, per
    kind; ``kind`` is the neighbour's heaviest kind (``weight``: the larger direction of
    that kind) and ``kinds`` every kind joined with ``", "``. Heaviest first, then by
    userid.

    Examples
    --------
    >>> neighbours(coordination_network(release, kind="co_retweet"), uid)  # doctest: +SKIP
    """
    cols = ["userid", "weight", "out_weight", "in_weight", "kind", "kinds"]
    if not len(edges):
        return pd.DataFrame({c: pd.Series(dtype="int64" if "weight" in c else STRING)
                             for c in cols})
    kinds = edges["kind"].astype(STRING) if "kind" in edges else pd.Series(
        kind, index=edges.index, dtype=STRING)
    out_e = edges["source"] == userid
    in_e = edges["target"] == userid
    long = pd.concat([
        pd.DataFrame({"userid": edges.loc[out_e, "target"], "kind": kinds[out_e],
                      "out_weight": edges.loc[out_e, "weight"], "in_weight": 0}),
        pd.DataFrame({"userid": edges.loc[in_e, "source"], "kind": kinds[in_e],
                      "out_weight": 0, "in_weight": edges.loc[in_e, "weight"]}),
    ], ignore_index=True).astype({"userid": STRING, "kind": STRING,
                                  "out_weight": "int64", "in_weight": "int64"})
    if not len(long):
        return neighbours(edges.iloc[:0], userid, kind=kind)
    per_kind = (long.groupby(["userid", "kind"], sort=True)[["out_weight", "in_weight"]].sum()
                .reset_index()
                .assign(weight=lambda d: d[["out_weight", "in_weight"]].max(axis=1)))
    all_kinds = per_kind.groupby("userid", sort=True)["kind"].agg(", ".join).rename("kinds")
    best = (per_kind.sort_values(["userid", "weight", "kind"], ascending=[True, False, True],
                                 kind="stable")
            .drop_duplicates("userid").set_index("userid").join(all_kinds).reset_index())
    return (best.sort_values(["weight", "userid"], ascending=[False, True], kind="stable")
            .reset_index(drop=True)[cols]
            .astype({"kinds": STRING}))


# --------------------------------------------------------------------------- concentration


def top_accounts(release: ReleaseLike, *, n: int | None = 10,
                 dominant_share: float = 0.25) -> pd.DataFrame:
    """The most active accounts and their share of the release's tweets.

    Parameters
    ----------
    release
        A :class:`casebook.Release` (tweets and users).
    n
        Rows to keep (None: all accounts with tweets).
    dominant_share
        An account with at least this share of all tweets is marked ``dominant``: a
        case about such a release describes that account as much as the network.

    Returns
    -------
    DataFrame ``rank, userid, user_screen_name, user_display_name, tweets, share,
    cumulative_share, hashed, follower_count, following_count,
    account_creation_date, dominant``; most tweets first, then userid.
    """
    tweets, users = release.tweets, release.users
    total = int(tweets["userid"].notna().sum())
    counts = (
        _tweets_per_account(tweets).rename("tweets").reset_index()
        .sort_values(["tweets", "userid"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    counts["share"] = counts["tweets"] / total if total else np.nan
    counts["cumulative_share"] = counts["share"].cumsum()
    counts["rank"] = np.arange(1, len(counts) + 1)
    profile = users.drop_duplicates("userid").assign(hashed=hashed_flags(users))
    keep = ["userid", "user_screen_name", "user_display_name", "hashed", "follower_count",
            "following_count", "account_creation_date"]
    profile = profile[[c for c in keep if c in profile]]
    out = counts.merge(profile, on="userid", how="left")
    for column in keep:
        if column not in out:
            out[column] = pd.NA
    # each account's first tweet row, from the codes (no copy of the whole table)
    authors, userids = _key_codes(tweets["userid"])
    first = first_uses(authors)
    for column in ("user_screen_name", "user_display_name"):
        if column in tweets:  # accounts missing from the users table
            names = pd.Series(_take_rows(tweets[[column]], first)[column].array,
                              index=pd.Index(userids, dtype=tweets["userid"].dtype))
            out[column] = out[column].astype(STRING).fillna(
                out["userid"].map(names).astype(STRING))
    out["hashed"] = hashed_flags(out).astype("boolean")
    out["dominant"] = out["share"] >= dominant_share
    out = out[["rank", "userid", "user_screen_name", "user_display_name", "tweets", "share",
               "cumulative_share", "hashed", "follower_count", "following_count",
               "account_creation_date", "dominant"]].astype({"tweets": "int64"})
    return out.head(n) if n is not None else out


def top_share_at_size(tweets: pd.DataFrame, n_accounts: int, *, draws: int = 200,
                      seed: int = 0) -> pd.DataFrame:
    """The most active account's share of the tweets in a cohort of ``n_accounts`` of
    these accounts: what a release of that size drawn from them would show.

    The share falls as a cohort grows (among 400 ordinary accounts the top one posts a
    few percent of their tweets; among five, often a third or more), so a control cohort
    is compared with an operation at the operation's size.

    Parameters
    ----------
    tweets
        ``Release.tweets`` of the cohort drawn from (the control).
    n_accounts
        Accounts per draw (the operation's accounts with tweets, at least 1); at least
        the cohort's own number gives the cohort itself.
    draws, seed
        Draws of ``n_accounts`` accounts (without replacement, at least 1) and their
        seed. The draws depend on the accounts' tweet counts only, not on the rows'
        order.

    Notes
    -----
    Draws from one cohort never hold an account busier than its own busiest, and as
    ``n_accounts`` nears the cohort's size they become the cohort itself: their range
    understates how much independent cohorts of that size differ. Compare with the
    median; the range is context.

    Returns
    -------
    One-row DataFrame ``accounts, drawn, draws, median, low, high``: the cohort's
    accounts with tweets, the accounts per draw, the draws, and the median and 95% range
    of the top account's share over the draws.

    Examples
    --------
    >>> tweets = pd.DataFrame({"userid": ["a"] * 6 + ["b"] * 2 + ["c", "d"]})
    >>> top_share_at_size(tweets, 4)[["drawn", "median"]].to_dict("records")
    [{'drawn': 4, 'median': 0.6}]
    """
    if int(n_accounts) < 1 or int(draws) < 1:
        raise ParameterError(f"n_accounts and draws must be at least 1, got {n_accounts!r} "
                             f"and {draws!r}")
    # sorted: the draws then depend on the counts, not on the order the rows came in
    counts = np.sort(_tweets_per_account(tweets).to_numpy()).astype(float)
    k = len(counts)
    m = min(int(n_accounts), k)
    shares = np.full(draws if k else 0, np.nan)
    if k and m == k:  # every draw is the whole cohort
        shares[:] = counts[-1] / counts.sum()
    elif k:
        rng = np.random.default_rng(seed)
        chunk = max(1, 2_000_000 // k)  # draws x accounts stay a few million values
        for lo in range(0, draws, chunk):  # loop over chunks of draws
            rows = min(chunk, draws - lo)
            picked = np.argpartition(rng.random((rows, k)), m - 1, axis=1)[:, :m]
            drawn = counts[picked]
            shares[lo:lo + rows] = drawn.max(axis=1) / drawn.sum(axis=1)
    low, median, high = (np.quantile(shares, [0.025, 0.5, 0.975]) if k
                         else (np.nan, np.nan, np.nan))
    return pd.DataFrame([{"accounts": k, "drawn": m, "draws": int(draws),
                          "median": float(median), "low": float(low), "high": float(high)}])


def largest_at_size(values: pd.Series | np.ndarray, n: int, *, q: float = 0.5) -> float:
    """The ``q`` quantile of the largest of ``n`` of ``values`` drawn without replacement.

    Exact (no draws): among ``N`` sorted values, the largest of ``n`` is at most the
    ``k``-th with probability ``C(k, n) / C(N, n)``. The largest follower count grows
    with a cohort's size, so a control cohort is compared with an operation at the
    operation's size, as :func:`top_share_at_size` does for the top account's share.

    Parameters
    ----------
    values
        One value per account (missing values are left out).
    n
        Accounts per draw (at least 1); at least the number of values gives their largest.
    q
        Quantile, in (0, 1].

    Returns
    -------
    float
        NaN when there is no value.

    Examples
    --------
    >>> largest_at_size(np.array([1, 2, 3, 4]), 2)  # of the 6 pairs, 3 hold the 4
    3.0
    >>> largest_at_size(np.array([1, 2, 3, 4]), 9)
    4.0
    """
    if int(n) < 1 or not 0 < q <= 1:
        raise ParameterError(f"n must be at least 1 and q in (0, 1], got {n!r} and {q!r}")
    v = np.sort(pd.Series(values).dropna().to_numpy(dtype=float))
    if len(v) == 0:
        return float("nan")
    m = min(int(n), len(v))
    k = np.arange(m, len(v) + 1)
    # log C(k, m) - log C(N, m) = log k!/(k-m)! - log N!/(N-m)!, increasing in k
    from scipy.special import gammaln  # as activity imports scipy: only where needed

    log_ratio = (gammaln(k + 1) - gammaln(k - m + 1)) - (gammaln(len(v) + 1)
                                                         - gammaln(len(v) - m + 1))
    at = int(np.searchsorted(log_ratio, np.log(q) - 1e-12, side="left"))
    return float(v[k[min(at, len(k) - 1)] - 1])


def concentration(tweets: pd.DataFrame) -> pd.DataFrame:
    """How concentrated activity is across accounts.

    Returns
    -------
    One-row DataFrame ``accounts, tweets, top1_share, top5_share, top10_share,
    accounts_for_half`` (fewest accounts that posted half the tweets), ``gini``
    (0: equal, 1: one account) and ``hhi`` (sum of squared shares).
    """
    counts = np.sort(_tweets_per_account(tweets).to_numpy())[::-1].astype(float)
    total = counts.sum()
    if total == 0:
        return pd.DataFrame([{"accounts": 0, "tweets": 0, "top1_share": np.nan,
                              "top5_share": np.nan, "top10_share": np.nan,
                              "accounts_for_half": 0, "gini": np.nan, "hhi": np.nan}])
    shares = counts / total
    cumulative = np.cumsum(shares)
    ascending = counts[::-1]
    k = counts.size
    gini = (2 * np.sum(np.arange(1, k + 1) * ascending) / (k * total)) - (k + 1) / k
    return pd.DataFrame([{
        "accounts": int(k), "tweets": int(total),
        "top1_share": float(cumulative[0]),
        "top5_share": float(cumulative[min(5, k) - 1]),
        "top10_share": float(cumulative[min(10, k) - 1]),
        "accounts_for_half": int(np.searchsorted(cumulative, 0.5 - 1e-12) + 1),
        "gini": float(gini), "hhi": float(np.sum(shares ** 2)),
    }])
