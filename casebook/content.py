r"""What the accounts posted: languages, clients, hashtags, mentions, links,
narratives, retweet targets and engagement.

Functions take ``Release.tweets`` first (or a ``Release`` where the users table is
needed too) and return DataFrames with a stable sort order.

Text matching
-------------
:func:`compile_lexicon` turns a list of terms into one case-insensitive regular
expression with Unicode word boundaries (a term matches only as a whole word,
in any script: ``"нато"`` matches "НАТО," but not "донатом"). A ``*`` at the
end of a term matches any word that starts with it (``"новост*"``), at the start
any word that ends with it (``"*ناتو"`` for Arabic prefixes); spaces inside a term
match any whitespace. A word character is a letter, a digit or ``_`` in any script
(Python's Unicode ``\w``). :func:`match_lexicon` runs one RE2 pattern per lexicon over
the whole column with pyarrow (no loop over tweets); :func:`compile_lexicon` gives the
same pattern for Python's :mod:`re`, used where the matched words are extracted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._frames import ReleaseLike, explode_list, naive, rows_sharing_key
from casebook._plotting import freq_label, label_time_axes, new_ax
from casebook.activity import retweet_mask
from casebook.schema import STRING

__all__ = [
    "CLIENT_CLASSES",
    "CLIENT_CLASS_ORDER",
    "ENGAGEMENT_COLUMNS",
    "LEGACY_LANGUAGE_CODES",
    "NARRATIVE_LEXICONS",
    "NEWSROOM_WORDS",
    "PLATFORM_LABELS",
    "TARGET_ORDER",
    "classify_clients",
    "client_class_shares",
    "client_table",
    "compile_lexicon",
    "engagement_by_account",
    "engagement_summary",
    "language_labels",
    "lexicon_accounts",
    "lexicon_counts",
    "lexicon_matches",
    "match_lexicon",
    "plot_lexicon_counts",
    "registered_domains",
    "retweet_target_summary",
    "retweet_targets",
    "shared_retweets",
    "top_domains",
    "top_hashtags",
    "top_mentions",
    "tweet_languages",
]

# --------------------------------------------------------------------------- lexicons


# A word character in both dialects: Python's Unicode \w, RE2's letter/number/_ classes.
_PY_WORD, _RE2_WORD = r"\w", r"[\p{L}\p{N}_]"
_PY_SPACE, _RE2_SPACE = r"\s+", r"[\s\p{Z}]+"


def _clean_terms(terms: tuple[str, ...]) -> list[str]:
    return sorted({t.strip() for t in terms if t and t.strip("* \t\n")},
                  key=lambda t: (-len(t), t))


def _term_pattern(term: str, *, word: str, space: str) -> str:
    core = term.strip("*")
    body = space.join(re.escape(part) for part in core.split())
    lead = f"{word}*" if term.startswith("*") else ""
    trail = f"{word}*" if term.endswith("*") else ""
    return f"{lead}{body}{trail}"


@functools.lru_cache(maxsize=256)
def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    cleaned = _clean_terms(terms)
    if not cleaned:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = "|".join(_term_pattern(t, word=_PY_WORD, space=_PY_SPACE) for t in cleaned)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _re2(terms: tuple[str, ...]) -> str | None:
    """The same pattern for RE2 (no lookarounds: the boundary characters are consumed,
    which is harmless for a yes/no match)."""
    cleaned = _clean_terms(terms)
    if not cleaned:
        return None
    alternatives = "|".join(_term_pattern(t, word=_RE2_WORD, space=_RE2_SPACE)
                            for t in cleaned)
    edge = r"[^\p{L}\p{N}_]"
    return rf"(?i)(?:^|{edge})(?:{alternatives})(?:$|{edge})"


def compile_lexicon(terms: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive, word-bounded pattern matching any of ``terms``.

    Longer terms are tried first, so ``findall`` reports "news agency" rather
    than "news". An empty lexicon matches nothing.

    Examples
    --------
    >>> bool(compile_lexicon(["NATO", "новост*"]).search("Последние новости"))
    True
    """
    return _compile(tuple(terms))


def match_lexicon(texts: pd.Series, terms: Iterable[str]) -> pd.Series:
    """Boolean Series: which texts contain a term of the lexicon (missing text: False).

    Vectorised with pyarrow's RE2 matcher over the whole column.
    """
    pattern = _re2(tuple(terms))
    if pattern is None or len(texts) == 0:
        return pd.Series(False, index=texts.index, dtype=bool)
    values = pa.array(texts.astype(STRING).array)
    hits = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    return pd.Series(hits.to_numpy(zero_copy_only=False), index=texts.index, dtype=bool)


#: Example narrative lexicons used by the claims ledger (:mod:`casebook.claims`) and
#: the Russia case; pass your own to :func:`lexicon_counts`.
NARRATIVE_LEXICONS: dict[str, list[str]] = {
    # NATO, its exercises and the campaign hashtags against them (en, ru, ar, fr/es, de).
    "anti_nato": [
        "NATO", "#NATO", "NATO's", "Defender 2020", "#Defender2020", "DefenderEurope20",
        "#DefenderEurope20", "#NoDEF20", "#NoDefender2020", "Defender-Europe 20",
        "North Atlantic alliance", "North Atlantic Treaty",
        "нато", "североатлантическ*",
        "الناتو", "ناتو", "حلف شمال الأطلسي",
        "OTAN", "Nordatlantikpakt",
    ],
    # Syria as framed by the network: places, actors and the campaign hashtags.
    "syria": [
        "Syria", "Syrian", "Syrians", "#Syria", "Damascus", "Idlib", "Aleppo", "Deir ez-Zor",
        "Deir_ez_Zor", "DeirEzZor", "Raqqa", "Hasakah", "White Helmets", "#WhiteHelmets",
        "SDF", "Assad", "#USAoutOfSyria",
        "Сирия", "Сирии", "Сирию", "сирийск*", "Дамаск*", "Идлиб*", "Алеппо",
        "Белые каски",
        "سوريا", "سورية", "السوري*", "دمشق", "إدلب", "ادلب", "حلب", "دير الزور",
        "الخوذ البيضاء",
    ],
}


def lexicon_matches(tweets: pd.DataFrame, lexicons: Mapping[str, Sequence[str]], *,
                    column: str = "tweet_text") -> pd.DataFrame:
    """Which tweets match which narrative: a boolean DataFrame, one column per lexicon,
    aligned on ``tweets.index``."""
    text = tweets[column] if column in tweets else pd.Series(pd.NA, index=tweets.index,
                                                             dtype=STRING)
    return pd.DataFrame({name: match_lexicon(text, terms) for name, terms in lexicons.items()},
                        index=tweets.index)


def lexicon_counts(tweets: pd.DataFrame, lexicons: Mapping[str, Sequence[str]], *,
                   freq: str = "W", column: str = "tweet_text") -> pd.DataFrame:
    """Tweets matching each narrative lexicon per period.

    Matching is case-insensitive on whole words (see the module notes); one
    regular expression per narrative, applied with ``Series.str.contains``.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    lexicons
        ``{"narrative": ["term", ...]}``.
    freq
        Period (pandas alias); empty periods are kept with zero counts.
    column
        Text column to search.

    Returns
    -------
    Long DataFrame ``period, narrative, tweets, accounts, share`` (share of all
    tweets in the period), sorted by period then narrative in the order given.

    Examples
    --------
    >>> lexicon_counts(tweets, {"nato": ["NATO", "нато"]}, freq="MS")  # doctest: +SKIP
    """
    names = list(lexicons)
    matches = lexicon_matches(tweets, lexicons, column=column)
    frame = pd.concat([tweets[["tweet_time", "userid"]], matches], axis=1).dropna(
        subset=["tweet_time"])
    grouper = pd.Grouper(key="tweet_time", freq=freq)
    totals = frame.groupby(grouper).size().rename("all_tweets")
    counts = frame.groupby(grouper)[names].sum().reindex(totals.index, fill_value=0)
    long = (
        counts.rename_axis("period").reset_index()
        .melt(id_vars="period", var_name="narrative", value_name="tweets")
    )
    hits = (
        frame.melt(id_vars=["tweet_time", "userid"], value_vars=names,
                   var_name="narrative", value_name="hit")
        .loc[lambda d: d["hit"]]
        .groupby([grouper, "narrative"])["userid"].nunique().rename("accounts")
        .rename_axis(["period", "narrative"]).reset_index()
    )
    out = (
        long.merge(hits, on=["period", "narrative"], how="left")
        .merge(totals.rename_axis("period").reset_index(), on="period", how="left")
        .assign(
            accounts=lambda d: d["accounts"].fillna(0).astype("int64"),
            tweets=lambda d: d["tweets"].astype("int64"),
            share=lambda d: (d["tweets"] / d["all_tweets"]).where(d["all_tweets"] > 0, 0.0),
            _order=lambda d: d["narrative"].map({n: i for i, n in enumerate(names)}),
        )
        .sort_values(["period", "_order"], kind="stable")
        .reset_index(drop=True)
    )
    return out[["period", "narrative", "tweets", "accounts", "share"]]


def lexicon_accounts(tweets: pd.DataFrame, lexicons: Mapping[str, Sequence[str]], *,
                     column: str = "tweet_text", min_tweets: int = 0) -> pd.DataFrame:
    """Per account and narrative: matching tweets and their share of the account's tweets.

    Parameters
    ----------
    min_tweets
        Keep only account x narrative pairs with at least this many matching tweets
        (0 keeps every pair, zeros included).

    Returns
    -------
    DataFrame ``userid, narrative, tweets, account_tweets, share``, every account x
    narrative pair (zeros kept unless ``min_tweets`` > 0), sorted by narrative (order
    given), tweets descending, then userid.
    """
    names = list(lexicons)
    matches = lexicon_matches(tweets, lexicons, column=column)
    frame = pd.concat([tweets[["userid"]], matches], axis=1).dropna(subset=["userid"])
    grouped = frame.groupby("userid")
    wide = grouped[names].sum().assign(account_tweets=grouped.size())
    out = (
        wide.reset_index()
        .melt(id_vars=["userid", "account_tweets"], value_vars=names, var_name="narrative",
              value_name="tweets")
        .assign(
            tweets=lambda d: d["tweets"].astype("int64"),
            share=lambda d: d["tweets"] / d["account_tweets"],
            _order=lambda d: d["narrative"].map({n: i for i, n in enumerate(names)}),
        )
        .sort_values(["_order", "tweets", "userid"], ascending=[True, False, True],
                     kind="stable")
        .reset_index(drop=True)
    )
    out = out[["userid", "narrative", "tweets", "account_tweets", "share"]]
    if min_tweets > 0:
        out = out[out["tweets"] >= min_tweets].reset_index(drop=True)
    return out


def plot_lexicon_counts(tweets: pd.DataFrame, lexicons: Mapping[str, Sequence[str]], *,
                        freq: str = "W", events: Sequence[Mapping[str, Any]] | None = None,
                        ax: Any = None, title: str | None = None) -> Any:
    """Lines of tweets per period for each narrative, with events marked.

    Returns
    -------
    The matplotlib Axes.
    """
    ax = new_ax(ax)
    counts = lexicon_counts(tweets, lexicons, freq=freq)
    unit = freq_label(freq)
    for name, part in counts.groupby("narrative", sort=False):  # one line per narrative
        ax.plot(naive(part["period"]), part["tweets"], linewidth=1.0, label=str(name))
    label_time_axes(ax, events, title=title or f"Tweets matching each narrative, per {unit}",
                    xlabel="date (UTC)", ylabel=f"matching tweets per {unit}")
    ax.set_ylim(bottom=0)
    if len(lexicons):
        ax.legend(title="narrative", loc="upper left")
    return ax


# --------------------------------------------------------------------------- languages

#: Legacy ISO 639 codes Twitter still used, mapped to the current codes.
LEGACY_LANGUAGE_CODES: dict[str, str] = {"in": "id", "iw": "he", "ji": "yi"}
_EMPTY = "(empty)"


def language_labels(codes: pd.Series, *, normalise_legacy: bool = True) -> pd.Series:
    """Language codes as reported: stripped, lower case, ``(empty)`` for a missing or
    empty code; with ``normalise_legacy``, ``in``/``iw``/``ji`` become ``id``/``he``/``yi``.

    Examples
    --------
    >>> language_labels(pd.Series([" EN", "iw", "", None])).tolist()
    ['en', 'he', '(empty)', '(empty)']
    """
    lang = codes.astype(STRING).str.strip().str.lower()
    if normalise_legacy:
        lang = lang.replace(LEGACY_LANGUAGE_CODES)
    return lang.mask(lang.fillna("") == "", _EMPTY).fillna(_EMPTY)


def tweet_languages(tweets: pd.DataFrame, *, normalise_legacy: bool = True) -> pd.DataFrame:
    """Tweet languages with counts and shares.

    ``und`` is Twitter's "undetermined" and is kept as is; a missing or empty
    ``tweet_language`` is reported as ``(empty)`` (the archive often leaves it
    blank). With ``normalise_legacy``, ``in``/``iw``/``ji`` become ``id``/``he``/``yi``
    (:func:`language_labels`).

    Returns
    -------
    DataFrame ``language, tweets, accounts, share``, most frequent first, then by code.
    """
    lang = language_labels(tweets["tweet_language"], normalise_legacy=normalise_legacy)
    return _count_table(pd.DataFrame({"language": lang, "userid": tweets["userid"]}),
                        "language", total=len(tweets))


def _count_table(frame: pd.DataFrame, key: str, *, total: int,
                 n: int | None = None) -> pd.DataFrame:
    """Count rows and distinct accounts per ``key``; share of ``total``."""
    grouped = frame.groupby(key)
    out = (
        pd.DataFrame({"tweets": grouped.size(), "accounts": grouped["userid"].nunique()})
        .reset_index()
        .assign(share=lambda d: d["tweets"] / total if total else np.nan)
        .sort_values(["tweets", key], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
        .astype({"tweets": "int64", "accounts": "int64", key: STRING})
    )
    return out.head(n) if n is not None else out


def _class_counts(frame: pd.DataFrame, key: str, order: Sequence[str], *,
                  count: str = "tweets") -> pd.DataFrame:
    """Rows (``count``) and distinct accounts per class of ``key``, every class of
    ``order`` listed in that order (zeros kept)."""
    grouped = frame.groupby(key)
    return (
        pd.DataFrame({count: grouped.size(), "accounts": grouped["userid"].nunique()})
        .reindex(list(order), fill_value=0)
        .rename_axis(key).reset_index()
        .astype({count: "int64", "accounts": "int64", key: STRING})
    )


# --------------------------------------------------------------------------- clients

#: The client-name table: class of each known ``tweet_client_name`` (matched after
#: case-folding and collapsing whitespace).
#:
#: - ``official``: Twitter's own web and desktop clients.
#: - ``mobile``: Twitter's phone and tablet apps and mobile web.
#: - ``automation``: scheduling, cross-posting and automation services (posts written
#:   elsewhere or in advance and published by a service). TweetDeck is Twitter's own, but
#:   it schedules tweets and runs many accounts from one screen, which is what matters
#:   here: it counts as automation (``classes=`` can say otherwise).
#: - anything else is ``other`` (third-party interactive apps, unknown names), except
#:   the custom-app rule of :func:`classify_clients`.
CLIENT_CLASSES: dict[str, str] = {
    # official
    "Twitter Web App": "official",
    "Twitter Web Client": "official",
    "Twitter for Mac": "official",
    "Twitter for Windows": "official",
    "Twitter for Websites": "official",
    "Twitter Media Studio": "official",
    "Twitter Ads": "official",
    "Twitter Ads Composer": "official",
    # mobile
    "Twitter for iPhone": "mobile",
    "Twitter for Android": "mobile",
    "Twitter for iPad": "mobile",
    "Twitter for Android Tablets": "mobile",
    "Twitter for Windows Phone": "mobile",
    "Twitter for BlackBerry": "mobile",
    "Twitter for BlackBerry®": "mobile",
    "Twitter Lite": "mobile",
    "Mobile Web": "mobile",
    "Mobile Web (M2)": "mobile",
    "Mobile Web (M5)": "mobile",
    # scheduling and automation
    "TweetDeck": "automation",
    "TweetDeck Web App": "automation",
    "Hootsuite": "automation",
    "Hootsuite Inc.": "automation",
    "Buffer": "automation",
    "IFTTT": "automation",
    "dlvr.it": "automation",
    "Twittascope": "automation",
    "SocialOomph": "automation",
    "Sprout Social": "automation",
    "twitterfeed": "automation",
    "Zapier.com": "automation",
    "Zapier": "automation",
    "Facebook": "automation",
    "Instagram": "automation",
    "WordPress.com": "automation",
    "Jetpack.com": "automation",
    "Tumblr": "automation",
    "LinkedIn": "automation",
    "Crowdfire App": "automation",
    "SocialPilot.co": "automation",
    "Sendible": "automation",
    "CoSchedule": "automation",
    "Agorapulse app": "automation",
    "Statusbrew": "automation",
    "eClincher": "automation",
    "Sprinklr": "automation",
    "SocialFlow": "automation",
    "Echobox": "automation",
    "Oktopost": "automation",
    "Paper.li": "automation",
    "Revive Social App": "automation",
    "RoundTeam": "automation",
    "Botize": "automation",
    "Cheap Bots, Done Quick!": "automation",
}

#: Class labels in report order.
CLIENT_CLASS_ORDER: tuple[str, ...] = ("official", "mobile", "automation", "other")
_MISSING_CLIENT = "(missing)"
_WEB_ADDRESS = re.compile(r"^(?:https?://)?(?:www\.)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$",
                          re.IGNORECASE)


def _normalise_client(names: pd.Series) -> pd.Series:
    return names.astype(STRING).str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()


def _alnum(names: pd.Series) -> pd.Series:
    return names.astype(STRING).str.casefold().str.replace(r"[\W_]+", "", regex=True)


#: Registered-domain labels never taken as a custom app's site (platforms and shorteners
#: whose names appear in ordinary client names).
PLATFORM_LABELS: frozenset[str] = frozenset({
    "twitter", "facebook", "youtube", "instagram", "google", "linkedin", "tumblr",
    "wordpress", "blogspot", "blogger", "medium", "livejournal", "telegram", "reddit",
    "pinterest", "tiktok", "whatsapp", "apple", "microsoft", "amazon", "wikipedia",
    "yahoo", "periscope", "soundcloud", "flickr", "dropbox", "hootsuite", "buffer",
    "zapier", "paper", "tweetdeck", "android", "iphone",
})


#: Words that make an unknown client name read as an outlet's own publishing app
#: (``levantwirenews``, ``westvoicesnews``); matched inside the name, ignoring case.
NEWSROOM_WORDS: tuple[str, ...] = ("news", "media", "press", "daily", "wire", "journal",
                                   "gazette", "times", "tribune", "herald", "xeber", "xəbər",
                                   "haber", "noticias", "novosti", "новости", "akhbar", "أخبار")


def _site_labels(tweets: pd.DataFrame, *, min_length: int = 5) -> list[str]:
    """Names of the websites linked in ``tweets`` (``westvoices`` for westvoices.com)."""
    if "urls" not in tweets:
        return []
    flat = explode_list(tweets, "urls")["urls"]
    flat = flat.loc[flat.fillna("").str.strip() != ""]
    labels = registered_domains(flat).dropna().str.split(".").str[0].str.casefold()
    unique = labels.drop_duplicates()
    keep = unique.loc[(unique.str.len() >= min_length) & ~unique.isin(PLATFORM_LABELS)]
    return sorted(keep.tolist())


def classify_clients(tweets: pd.DataFrame, *,
                     classes: Mapping[str, str] = CLIENT_CLASSES,
                     linked_sites: bool = True) -> pd.Series:
    """Class of each tweet's client: ``official``, ``mobile``, ``automation`` or ``other``.

    Rules, in order:

    1. a name in ``classes`` (case-folded, whitespace collapsed) takes its class;
    2. custom-app rule: an unknown client is an app the operator registered to post
       from a site or a script, hence ``automation``, when its name

       - is a web address (``news-site.az``, ``https://example.com``), or
       - equals the posting account's screen name or display name, ignoring case,
         spaces and punctuation (names of hashed accounts are hashes, so for them
         this test cannot fire), or
       - reads as an outlet's name: it contains a newsroom word of
         :data:`NEWSROOM_WORDS` (``news``, ``media``, ``press``, ``wire``...), e.g.
         ``levantwirenews``, or
       - with ``linked_sites``, contains the name of a website linked in the
         release (the registered domain without its suffix, at least 5 letters,
         platforms such as twitter or youtube excluded: :data:`PLATFORM_LABELS`),
         e.g. ``westvoices`` in a client of that name when the tweets link to
         westvoices.com;
    3. anything else, including a missing client, is ``other``.

    Returns
    -------
    string Series aligned on ``tweets.index``.
    """
    names = [c for c in ("user_screen_name", "user_display_name") if c in tweets]
    frame = pd.DataFrame({
        "client": tweets["tweet_client_name"].astype(STRING) if "tweet_client_name" in tweets
        else pd.Series(pd.NA, index=tweets.index, dtype=STRING),
        **{c: tweets[c].astype(STRING) for c in names},
    })
    # classify each distinct (client, names) combination once, then map back
    combos = frame.drop_duplicates().reset_index(drop=True)
    client = combos["client"]
    lookup = {" ".join(k.casefold().split()): v for k, v in classes.items()}
    known = _normalise_client(client).map(lookup).astype(STRING)
    key = _alnum(client)
    named_after = pd.Series(False, index=combos.index)
    for column in names:  # two columns
        named_after |= (key == _alnum(combos[column])).fillna(False).astype(bool)
    named_after &= key.fillna("").str.len() > 0
    web = client.str.contains(_WEB_ADDRESS).fillna(False).astype(bool)
    newsroom = key.str.contains("|".join(re.escape(w) for w in NEWSROOM_WORDS)).fillna(
        False).astype(bool)
    custom = named_after | web | newsroom
    unknown_names = pd.Series(key[known.isna()].dropna().unique(), dtype=STRING)
    if linked_sites and len(unknown_names):
        labels = _site_labels(tweets)
        if labels:
            pattern = re.compile("|".join(re.escape(label) for label in labels))
            site_named = unknown_names[unknown_names.str.contains(pattern).fillna(False)
                                       .astype(bool)]
            custom |= key.isin(site_named).fillna(False).astype(bool)
    custom &= known.isna()
    combos["client_class"] = known.mask(custom, "automation").fillna("other").astype(STRING)
    merged = frame.merge(combos, on=list(frame.columns), how="left", sort=False)
    return pd.Series(merged["client_class"].to_numpy(), index=tweets.index, dtype=STRING)


def client_table(tweets: pd.DataFrame, *,
                 classes: Mapping[str, str] = CLIENT_CLASSES,
                 linked_sites: bool = True) -> pd.DataFrame:
    """Tweets per client name with its class.

    Returns
    -------
    DataFrame ``client, client_class, tweets, accounts, share``, most used first.
    A missing client name shows as ``(missing)``.
    """
    frame = pd.DataFrame({
        "client": tweets["tweet_client_name"].astype(STRING).fillna(_MISSING_CLIENT),
        "client_class": classify_clients(tweets, classes=classes, linked_sites=linked_sites),
        "userid": tweets["userid"],
    })
    counts = _count_table(frame, "client", total=len(tweets))
    # one class per client name, except custom apps named after one account: take the
    # class of most of its tweets
    classes_of = (
        frame.groupby(["client", "client_class"]).size().rename("n").reset_index()
        .sort_values(["client", "n", "client_class"], ascending=[True, False, True],
                     kind="stable")
        .drop_duplicates("client")[["client", "client_class"]]
        .astype({"client": STRING})
    )
    return counts.merge(classes_of, on="client", how="left")[
        ["client", "client_class", "tweets", "accounts", "share"]]


def client_class_shares(tweets: pd.DataFrame, *,
                        classes: Mapping[str, str] = CLIENT_CLASSES,
                        linked_sites: bool = True) -> pd.DataFrame:
    """Tweets per client class, every class listed (zeros kept), in report order.

    Returns
    -------
    DataFrame ``client_class, tweets, accounts, share``.
    """
    frame = pd.DataFrame({"client_class": classify_clients(tweets, classes=classes,
                                                           linked_sites=linked_sites),
                          "userid": tweets["userid"]})
    out = _class_counts(frame, "client_class", CLIENT_CLASS_ORDER)
    out["share"] = out["tweets"] / len(tweets) if len(tweets) else np.nan
    return out


# --------------------------------------------------------------------------- entities


def top_hashtags(tweets: pd.DataFrame, *, n: int | None = 20) -> pd.DataFrame:
    """Most used hashtags, case-folded (``#NATO`` and ``#nato`` are one tag).

    Returns
    -------
    DataFrame ``hashtag, tweets`` (distinct tweets using it), ``accounts``,
    ``share`` (of all tweets); most used first, then alphabetical. ``n=None``: all.
    """
    flat = (
        explode_list(tweets, "hashtags", keep=("tweetid", "userid"))
        .assign(hashtag=lambda d: d["hashtags"].str.casefold().str.lstrip("#"))
        .loc[lambda d: d["hashtag"].fillna("") != ""]
        .drop_duplicates(["tweetid", "hashtag"])
    )
    return _count_table(flat, "hashtag", total=len(tweets), n=n)


def top_mentions(tweets: pd.DataFrame, *, users: pd.DataFrame | None = None,
                 n: int | None = 20) -> pd.DataFrame:
    """Most mentioned accounts (``user_mentions`` holds userids).

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    users
        ``Release.users``: adds the screen name of mentioned release accounts and
        ``in_release``.
    n
        Rows to keep (None: all).

    Returns
    -------
    DataFrame ``userid, user_screen_name, in_release, tweets, accounts, share``.
    """
    flat = (
        explode_list(tweets, "user_mentions", keep=("tweetid", "userid"))
        .rename(columns={"userid": "author"})
        .loc[lambda d: d["user_mentions"].fillna("") != ""]
        .drop_duplicates(["tweetid", "user_mentions"])
        .rename(columns={"user_mentions": "mentioned", "author": "userid"})
    )
    counts = _count_table(flat, "mentioned", total=len(tweets), n=n).rename(
        columns={"mentioned": "userid"})
    if users is not None and "userid" in users:
        names = users[["userid", "user_screen_name"]].drop_duplicates("userid").assign(
            in_release=True)
        counts = counts.merge(names, on="userid", how="left")
        counts["in_release"] = counts["in_release"].fillna(False).astype(bool)
    else:
        counts = counts.assign(user_screen_name=pd.Series(pd.NA, index=counts.index,
                                                          dtype=STRING),
                               in_release=pd.NA)
    return counts[["userid", "user_screen_name", "in_release", "tweets", "accounts", "share"]]


@functools.lru_cache(maxsize=2)
def _extractor(private_domains: bool) -> Any:
    import tldextract

    # No suffix-list URLs and no cache: the public suffix list bundled with
    # tldextract is used, and nothing is fetched or written.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                 include_psl_private_domains=private_domains)


_HOST = r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/?#\s]*@)?([^/?#:\s]+)"


def registered_domains(urls: pd.Series, *, private_domains: bool = False) -> pd.Series:
    """Registered domain of each URL (``https://a.b.example.co.uk/x`` -> ``example.co.uk``).

    Offline: uses the public suffix list bundled with tldextract, never the network.
    With ``private_domains`` the private section of the list counts too, so blogs on
    hosts listed there stay apart (``name.blogspot.com``); by default they collapse
    to ``blogspot.com``. LiveJournal is not on the list: its blogs always give
    ``livejournal.com``. Hosts without a public suffix (IP addresses) are returned
    as they are.

    Returns
    -------
    string Series aligned on ``urls``.
    """
    host = (urls.astype(STRING).str.extract(_HOST, expand=False).str.lower()
            .str.rstrip("."))
    unique = host.dropna().unique()
    extract = _extractor(bool(private_domains))
    # one library call per distinct host (far fewer than URLs or tweets)
    mapping = {h: (extract(h).top_domain_under_public_suffix or h) for h in unique}
    return host.map(mapping).astype(STRING)


def top_domains(tweets: pd.DataFrame, *, n: int | None = 20,
                private_domains: bool = False) -> pd.DataFrame:
    """Most linked registered domains (``urls`` are the expanded links).

    Empty URL strings are ignored (they are not links). A tweet linking twice to
    a domain counts once.

    Returns
    -------
    DataFrame ``domain, tweets, accounts, share, urls`` (distinct URLs).
    """
    flat = (
        explode_list(tweets, "urls", keep=("tweetid", "userid"))
        .loc[lambda d: d["urls"].fillna("").str.strip() != ""]
    )
    flat = flat.assign(domain=registered_domains(flat["urls"],
                                                 private_domains=private_domains).to_numpy())
    flat = flat.dropna(subset=["domain"])
    distinct_urls = flat.groupby("domain")["urls"].nunique().rename("urls").reset_index()
    counts = _count_table(flat.drop_duplicates(["tweetid", "domain"]), "domain",
                          total=len(tweets), n=n)
    return counts.merge(distinct_urls.astype({"domain": STRING}), on="domain", how="left")


# --------------------------------------------------------------------------- retweets

_RT_PREFIX = r"^RT @([^\s:]+):"
TARGET_ORDER: tuple[str, ...] = ("inside", "outside", "unknown")


def retweet_targets(release: ReleaseLike) -> pd.DataFrame:
    """Whom each retweet amplified: an account of the release (inside) or not.

    Rules, first that applies:

    1. ``retweet_userid`` is set: inside when it is a userid of the release
       (users table or tweet authors), else outside;
    2. ``retweet_tweetid`` is a tweet of the release: inside (its author);
    3. the text starts ``RT @handle:``: inside when the handle is a release screen
       name (case-insensitive; hashed handles equal the hashed userid), else outside;
    4. otherwise unknown.

    Returns
    -------
    DataFrame ``tweetid, userid, retweet_tweetid, target_userid,
    target_screen_name, target, evidence`` (``retweet_userid``,
    ``retweet_tweetid``, ``rt_prefix`` or ``none``), in the order of the tweets.
    """
    tweets, users = release.tweets, release.users
    rt = tweets.loc[retweet_mask(tweets)]
    ids = pd.Index(pd.concat([users["userid"], tweets["userid"]]).dropna().unique())

    names = pd.concat([
        users[["userid", "user_screen_name"]],
        tweets[["userid", "user_screen_name"]] if "user_screen_name" in tweets else None,
    ]).dropna()
    name_of = names.drop_duplicates("userid").set_index("userid")["user_screen_name"]
    by_handle = (names.assign(key=lambda d: d["user_screen_name"].str.casefold())
                 .drop_duplicates("key").set_index("key")["userid"])
    author_of = tweets[["tweetid", "userid"]].dropna().drop_duplicates("tweetid").set_index(
        "tweetid")["userid"]

    col = {c: rt[c].astype(STRING) if c in rt else pd.Series(pd.NA, index=rt.index,
                                                               dtype=STRING)
           for c in ("retweet_userid", "retweet_tweetid", "tweet_text")}
    handle = col["tweet_text"].str.extract(_RT_PREFIX, expand=False).astype(STRING)
    by_tweet = col["retweet_tweetid"].map(author_of).astype(STRING)
    by_name = handle.str.casefold().map(by_handle).astype(STRING)

    has_uid = col["retweet_userid"].notna()
    has_tweet = ~has_uid & by_tweet.notna()
    has_handle = ~has_uid & ~has_tweet & handle.notna()
    evidence = np.select([has_uid, has_tweet, has_handle],
                         ["retweet_userid", "retweet_tweetid", "rt_prefix"], default="none")
    target_userid = col["retweet_userid"].where(has_uid, by_tweet.where(has_tweet, by_name))
    inside = (has_uid & col["retweet_userid"].isin(ids)) | has_tweet \
        | (has_handle & by_name.notna())
    target = np.select([inside, has_uid | has_handle], ["inside", "outside"], default="unknown")
    screen = target_userid.map(name_of).astype(STRING).fillna(handle.where(has_handle))
    return pd.DataFrame({
        "tweetid": rt["tweetid"].astype(STRING),
        "userid": rt["userid"].astype(STRING),
        "retweet_tweetid": col["retweet_tweetid"],
        "target_userid": target_userid.astype(STRING),
        "target_screen_name": screen.astype(STRING),
        "target": pd.Series(target, index=rt.index, dtype=STRING),
        "evidence": pd.Series(evidence, index=rt.index, dtype=STRING),
    }).reset_index(drop=True)


def shared_retweets(tweets: pd.DataFrame, userids: Sequence[str]) -> pd.Series:
    """Which tweets retweet a tweet that one of ``userids`` retweeted too.

    These are the only tweets a ``co_retweet`` edge of those accounts can involve, so
    :func:`casebook.coordination.coordination_network` on them finds every such edge.

    Returns
    -------
    boolean Series aligned on ``tweets.index`` (the accounts' own retweets included).
    """
    mine = tweets["userid"].isin(list(userids)).fillna(False).to_numpy(bool)
    codes, _ = pd.factorize(tweets["retweet_tweetid"].astype(STRING))
    return pd.Series(rows_sharing_key(codes, mine), index=tweets.index)


def retweet_target_summary(release: ReleaseLike) -> pd.DataFrame:
    """Retweets by target (inside / outside / unknown), every class listed.

    Returns
    -------
    DataFrame ``target, retweets, accounts`` (retweeting accounts), ``share`` (of
    all retweets), ``share_of_known`` (inside/outside over retweets with a known target).
    """
    targets = retweet_targets(release)
    out = _class_counts(targets, "target", TARGET_ORDER, count="retweets")
    total = out["retweets"].sum()
    known = out.loc[out["target"] != "unknown", "retweets"].sum()
    out["share"] = out["retweets"] / total if total else np.nan
    out["share_of_known"] = (out["retweets"] / known).where(out["target"] != "unknown") \
        if known else np.nan
    return out


# --------------------------------------------------------------------------- engagement

#: Engagement counts of the archive.
ENGAGEMENT_COLUMNS: tuple[str, ...] = ("like_count", "retweet_count", "reply_count",
                                       "quote_count")


def _originals(tweets: pd.DataFrame) -> pd.DataFrame:
    return tweets.loc[~retweet_mask(tweets)]


def engagement_summary(tweets: pd.DataFrame, *, quantile: float = 0.9) -> pd.DataFrame:
    """Engagement of original tweets (retweets excluded: the archive gives them zero counts).

    The low-engagement measure is in the ``total`` row: ``median`` total engagement per
    original tweet and ``zero_share``, the share of originals that drew no like,
    retweet, reply or quote.

    Returns
    -------
    DataFrame indexed by ``metric`` (the four counts and ``total``) with columns
    ``originals`` (tweets with the count known), ``sum, mean, median, p<q>, max,
    zero_share``. ``attrs["retweets_excluded"]`` is the number of retweets left out.
    """
    originals = _originals(tweets)
    counts = pd.DataFrame({c: (originals[c] if c in originals else pd.Series(
        pd.NA, index=originals.index, dtype="Int64")).astype("Float64")
        for c in ENGAGEMENT_COLUMNS})
    counts["total"] = counts.sum(axis=1, min_count=1)
    label = f"p{round(quantile * 100):d}"
    out = pd.DataFrame({
        "originals": counts.notna().sum(),
        "sum": counts.sum(),
        "mean": counts.mean(),
        "median": counts.median(),
        label: counts.quantile(quantile),
        "max": counts.max(),
        "zero_share": (counts == 0).sum() / counts.notna().sum().replace(0, np.nan),
    }).astype("float64").astype({"originals": "int64"}).rename_axis("metric")
    out.attrs["retweets_excluded"] = int(len(tweets) - len(originals))
    return out


def engagement_by_account(tweets: pd.DataFrame) -> pd.DataFrame:
    """Engagement per account, on original tweets only.

    Returns
    -------
    DataFrame ``userid, originals, retweets`` (retweets posted, not counted),
    ``likes, retweets_received, replies, quotes, engagement`` (sum of the four),
    ``engagement_per_original, median_likes, zero_share``; most engagement first,
    then userid.
    """
    rt = retweet_mask(tweets)
    counts = pd.DataFrame({c: (tweets[c] if c in tweets else pd.Series(
        pd.NA, index=tweets.index, dtype="Int64")).astype("Float64")
        for c in ENGAGEMENT_COLUMNS})
    frame = pd.concat([tweets[["userid"]], counts], axis=1).assign(
        retweet=rt.to_numpy(),
        total=counts.sum(axis=1, min_count=1))
    frame["zero"] = (frame["total"] == 0).astype("Float64").where(frame["total"].notna())
    originals = frame.loc[~frame["retweet"]]
    grouped = originals.groupby("userid")
    out = pd.DataFrame({
        "originals": grouped.size(),
        "likes": grouped["like_count"].sum(),
        "retweets_received": grouped["retweet_count"].sum(),
        "replies": grouped["reply_count"].sum(),
        "quotes": grouped["quote_count"].sum(),
        "engagement": grouped["total"].sum(),
        "median_likes": grouped["like_count"].median(),
        "zero_share": grouped["zero"].mean(),
    })
    posted = frame.groupby("userid")["retweet"].sum().rename("retweets")
    out = (
        out.reindex(posted.index).join(posted)
        .fillna({"originals": 0, "likes": 0, "retweets_received": 0, "replies": 0,
                 "quotes": 0, "engagement": 0})
        .assign(engagement_per_original=lambda d: (d["engagement"] / d["originals"]).where(
            d["originals"] > 0))
        .reset_index()
        .astype({"originals": "int64", "retweets": "int64"})
        .sort_values(["engagement", "userid"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    return out[["userid", "originals", "retweets", "likes", "retweets_received", "replies",
                "quotes", "engagement", "engagement_per_original", "median_likes",
                "zero_share"]]
