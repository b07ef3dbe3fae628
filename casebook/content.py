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

Topic and stance
----------------
A lexicon is either a list of terms or a *stance lexicon*, a mapping
``{"topic": [...], "stance": [...]}``: a tweet matches it when it contains a topic term
**and** a stance term (``"NATO"`` and ``"provocation"``), so a tweet that only names the
topic does not count. Every function that takes ``lexicons`` accepts both forms
(:func:`match_lexicon`, :func:`lexicon_matches`, :func:`lexicon_counts`,
:func:`lexicon_accounts`, :func:`plot_lexicon_counts`).
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

from casebook._arrow import dictionary_codes, on_slices
from casebook._frames import (
    ReleaseLike,
    explode_list,
    naive,
    rows_sharing_key,
    sorted_distinct,
    tweets_of,
)
from casebook._plotting import (
    count_axis,
    date_axis,
    freq_label,
    label_time_axes,
    legend_beside,
    literal_text,
    new_ax,
)
from casebook.activity import (
    _cached,
    _casefold,
    _distinct_per_group,
    _first_occurrences,
    _key_codes,
    _period_codes,
    _take_rows,
    retweet_mask,
)
from casebook.evidence import MIN_CONTRAST, NOT_DISTINCTIVE, contrast
from casebook.schema import LIST, STRING

__all__ = [
    "CLIENT_CLASSES",
    "CLIENT_CLASS_ORDER",
    "AUTOMATED_CLASSES",
    "ENGAGEMENT_COLUMNS",
    "LEGACY_LANGUAGE_CODES",
    "MANAGEMENT_CLASS",
    "NARRATIVE_LEXICONS",
    "TARGET_ORDER",
    "MIXED_SCRIPT_MARK",
    "WEB_SCHEMES",
    "Lexicon",
    "automated_share",
    "classify_clients",
    "client_class_shares",
    "client_table",
    "compile_lexicon",
    "engagement_by_account",
    "engagement_in_words",
    "engagement_summary",
    "is_stance_lexicon",
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
    "url_schemes",
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
    """The same yes/no match for RE2 (no lookarounds: the boundary characters are
    consumed, which is harmless for a yes/no match).

    A wildcard side needs no boundary test: ``news*`` then a boundary always matches
    where ``news`` does (the word's remaining letters run to a boundary or the end),
    and ``*news`` likewise backwards. So each term is tested only on its plain sides;
    spelling the wildcards out (``[\\p{L}\\p{N}_]*``) next to a boundary made RE2's
    automaton blow up (the Russian-case stance lexicon ran 100x slower)."""
    cleaned = _clean_terms(terms)
    if not cleaned:
        return None
    edge = r"[^\p{L}\p{N}_]"
    sides: dict[tuple[bool, bool], list[str]] = {}
    for term in cleaned:  # terms of one lexicon
        body = _term_pattern(term.strip("*"), word=_RE2_WORD, space=_RE2_SPACE)
        sides.setdefault((term.startswith("*"), term.endswith("*")), []).append(body)
    parts = [("" if lead else f"(?:^|{edge})") + f"(?:{'|'.join(bodies)})"
             + ("" if trail else f"(?:$|{edge})")
             for (lead, trail), bodies in sorted(sides.items())]
    return f"(?i)(?:{'|'.join(parts)})"


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


#: A lexicon: a list of terms, or a stance lexicon ``{"topic": [...], "stance": [...]}``.
Lexicon = Sequence[str] | Mapping[str, Sequence[str]]


def is_stance_lexicon(terms: Lexicon) -> bool:
    """True when ``terms`` is a stance lexicon: a mapping with ``topic`` and ``stance``.

    Examples
    --------
    >>> is_stance_lexicon({"topic": ["NATO"], "stance": ["provocation"]})
    True
    >>> is_stance_lexicon(["NATO"])
    False
    """
    if not isinstance(terms, Mapping):
        return False
    if set(terms) != {"topic", "stance"}:
        raise ValueError(f"a stance lexicon has the keys 'topic' and 'stance', got "
                         f"{sorted(terms)}")
    return True


def _match_terms(texts: pd.Series, terms: Iterable[str]) -> pd.Series:
    pattern = _re2(tuple(terms))
    if pattern is None or len(texts) == 0:
        return pd.Series(False, index=texts.index, dtype=bool)

    def compute() -> np.ndarray:
        values = pa.array(texts.astype(STRING).array)
        hits = pc.fill_null(on_slices(lambda v: pc.match_substring_regex(v, pattern), values),
                            False)
        found = hits.to_numpy(zero_copy_only=False)
        found.flags.writeable = False  # shared by every caller (see _cached)
        return found

    # the timeline, the per-account table and the claims ledger match the same lexicons
    # on the same texts: one regex pass over the release per pattern
    return pd.Series(_cached(texts, ("match", pattern), compute), index=texts.index, dtype=bool)


def match_lexicon(texts: pd.Series, terms: Lexicon) -> pd.Series:
    """Boolean Series: which texts contain a term of the lexicon (missing text: False).

    ``terms`` is a list of terms, or a stance lexicon ``{"topic": [...], "stance":
    [...]}`` (a text matches when it holds a topic term and a stance term). Vectorised
    with pyarrow's RE2 matcher over the whole column.

    Examples
    --------
    >>> texts = pd.Series(["NATO summit today", "NATO provocation again"])
    >>> match_lexicon(texts, {"topic": ["NATO"], "stance": ["provocation*"]}).tolist()
    [False, True]
    """
    if is_stance_lexicon(terms):
        return _match_terms(texts, terms["topic"]) & _match_terms(texts, terms["stance"])
    return _match_terms(texts, terms)


#: Narrative lexicons used by the claims ledger (:mod:`casebook.claims`) and the Russia
#: case; pass your own to :func:`lexicon_counts`.
#:
#: ``anti_nato`` is a stance lexicon: ``topic`` names NATO, its exercises and the
#: campaign hashtags against them (en, ru, ar, fr/es, de); ``stance`` holds words of
#: hostility to it (provocation, aggression, threat, occupation, expansion, cold war,
#: warmonger, puppet, "go home"...) and the campaign hashtags that are a stance in
#: themselves (``#NoDEF20``, ``#NoToNATO``). Reporting on a summit names NATO without a
#: stance word and does not count. ``syria`` is a topic list (places, actors, the
#: campaign hashtags).
NARRATIVE_LEXICONS: dict[str, Lexicon] = {
    "anti_nato": {
        "topic": [
            "NATO", "#NATO", "NATO's", "Defender 2020", "#Defender2020", "DefenderEurope20",
            "#DefenderEurope20", "#NoDEF20", "#NoDefender2020", "#StopDefender2020",
            "Defender-Europe 20", "#NoToNATO", "#NoNATO", "North Atlantic alliance",
            "North Atlantic Treaty", "нато", "североатлантическ*",
            "الناتو", "ناتو", "حلف شمال الأطلسي",
            "OTAN", "Nordatlantikpakt",
        ],
        "stance": [
            # campaign hashtags that are a stance in themselves
            "#NoDEF20", "#NoDefender2020", "#StopDefender2020", "#NoToNATO", "#NoNATO",
            "#NATOgohome", "#StopNATO", "#ColdWar",
            # English
            "provocation*", "provocative", "aggressi*", "aggressor*", "threat*", "menace*",
            "destabili*", "escalat*", "militari*", "expansion*", "encircl*", "occupation",
            "occupier*", "occupying", "warmonger*", "war games", "cold war", "arms race",
            "go home", "get out", "useless", "obsolete", "relic", "dissolve*", "puppet*",
            "vassal*", "hegemon*", "imperiali*", "invasion", "invader*", "protest*",
            # Russian
            "провокац*", "агресс*", "угроз*", "экспанси*", "милитари*", "оккупа*",
            "гегемон*", "вассал*", "марионет*", "холодн* войн*", "гонк* вооружени*",
            "протест*", "убирайтесь",
            # Arabic (prefixed forms: * at the start)
            "*عدوان*", "*استفزاز*", "*تهديد*", "*احتلال", "*توسع*", "*هيمنة",
            # French, Spanish, German
            "agressi*", "menace*", "hégémon*", "occupación", "amenaza*", "Provokation*",
            "Aggress*", "Bedrohung*", "Kriegstreiber*", "Aufrüstung", "Besatzung*",
        ],
    },
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


def lexicon_matches(tweets: pd.DataFrame, lexicons: Mapping[str, Lexicon], *,
                    column: str = "tweet_text") -> pd.DataFrame:
    """Which tweets match which narrative: a boolean DataFrame, one column per lexicon,
    aligned on ``tweets.index``."""
    text = tweets[column] if column in tweets else pd.Series(pd.NA, index=tweets.index,
                                                             dtype=STRING)
    return pd.DataFrame({name: match_lexicon(text, terms) for name, terms in lexicons.items()},
                        index=tweets.index)


def lexicon_counts(tweets: pd.DataFrame, lexicons: Mapping[str, Lexicon], *,
                   freq: str = "W", column: str = "tweet_text") -> pd.DataFrame:
    """Tweets matching each narrative lexicon per period.

    Matching is case-insensitive on whole words (see the module notes); one
    regular expression per narrative, applied with ``Series.str.contains``.

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    lexicons
        ``{"narrative": ["term", ...]}``; a value may be a stance lexicon
        ``{"topic": [...], "stance": [...]}`` (see the module notes).
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
    codes, periods = _period_codes(tweets["tweet_time"], freq)
    users = _key_codes(tweets["userid"])[0]
    n = len(periods)
    timed = codes >= 0
    all_tweets = np.bincount(codes[timed], minlength=n)
    # per narrative: one bincount over the matching rows, no long (melted) frame
    per_name = [(np.bincount(codes[timed & hit], minlength=n),
                 _distinct_per_group(np.where(hit, codes, -1), users, n))
                for hit in (matches[name].to_numpy(dtype=bool) for name in names)]
    tweets_n = np.stack([t for t, _ in per_name], axis=1) if names else np.zeros((n, 0), int)
    accounts = np.stack([a for _, a in per_name], axis=1) if names else np.zeros((n, 0), int)
    totals = np.repeat(all_tweets, len(names))
    counted = tweets_n.ravel().astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, counted / np.maximum(totals, 1), 0.0)
    out = pd.DataFrame({
        "period": periods.repeat(len(names)),
        "narrative": pd.Series(np.tile(np.asarray(names, dtype=object), n), dtype="str"),
        "tweets": counted,
        "accounts": accounts.ravel().astype("int64"),
        "share": share,
    })
    return out[["period", "narrative", "tweets", "accounts", "share"]]


def lexicon_accounts(tweets: pd.DataFrame, lexicons: Mapping[str, Lexicon], *,
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
    users, userids = _key_codes(tweets["userid"])
    known = users >= 0
    n_users = len(userids)
    account_tweets = np.bincount(users[known], minlength=n_users)
    counted = [np.bincount(users[known & matches[name].to_numpy(dtype=bool)],
                           minlength=n_users) for name in names]
    out = (
        pd.DataFrame({
            "userid": pd.Series(np.tile(np.arange(n_users), len(names))).map(
                pd.Series(userids)).astype(STRING) if n_users else pd.Series(dtype=STRING),
            "narrative": np.repeat(np.asarray(names, dtype=object), n_users),
            "tweets": np.concatenate(counted).astype("int64") if names else np.zeros(0, "int64"),
            "account_tweets": np.tile(account_tweets, len(names)).astype("int64"),
        })
        .assign(
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


def plot_lexicon_counts(tweets: pd.DataFrame, lexicons: Mapping[str, Lexicon], *,
                        freq: str = "W", events: Sequence[Mapping[str, Any]] | None = None,
                        ax: Any = None, title: str | None = None) -> Any:
    """Lines of tweets per period for each narrative, with events marked.

    The legend sits beside the axes, never over the lines; narrative names are drawn
    literally (a ``$`` in a name is not mathtext).

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
    date_axis(ax.xaxis)
    count_axis(ax.yaxis)
    if len(lexicons):
        legend_beside(ax, title="narrative")
    return literal_text(ax)


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
    # labelled once per distinct code (a few dozen), then spread over the rows
    rows, lang = _factorized(codes)
    lang = lang.str.strip().str.lower()
    if normalise_legacy:
        lang = lang.replace(LEGACY_LANGUAGE_CODES)
    lang = lang.mask(lang.fillna("") == "", _EMPTY).fillna(_EMPTY)
    labels = np.append(lang.to_numpy(dtype=object), _EMPTY)  # a missing code: (empty)
    return pd.Series(pd.array(labels, dtype=STRING).take(rows), index=codes.index)


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


_NO_ID = np.iinfo(np.uint64).max


def _id_numbers(values: pd.Series) -> np.ndarray | None:
    """Decimal ids (tweetids) as unsigned integers, equal exactly where the strings are
    (a missing id: the largest uint64); None when an id is not a plain decimal number
    without leading zeros. Parsing is one vectorised cast, where hashing millions of
    distinct id strings (``factorize``) costs about a microsecond each."""
    data = pa.chunked_array(pa.array(values.astype(STRING).array)) if not isinstance(
        values.dtype, pd.ArrowDtype | pd.StringDtype) else values.array.__arrow_array__()
    data = data.cast(pa.string()) if data.type != pa.string() else data
    try:
        numbers = pc.cast(data, pa.uint64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # "0123" parses like "123": a leading zero would make two ids one
    padded = pc.and_(pc.starts_with(data, "0"), pc.greater(pc.utf8_length(data), 1))
    if pc.any(pc.fill_null(padded, False)).as_py():
        return None
    out = pc.fill_null(numbers, pa.scalar(_NO_ID, pa.uint64())).to_numpy()
    if pc.any(pc.fill_null(pc.equal(numbers, pa.scalar(_NO_ID, pa.uint64())), False)).as_py():
        return None  # the one id that would read as missing
    return out


def _tweet_keys(tweets: pd.DataFrame) -> tuple[np.ndarray, bool, bool]:
    """One integer per row, equal exactly where the tweetids are (missing ones: all
    :data:`_NO_ID`), whether any tweetid repeats, and whether the keys are the ids'
    own numbers (:func:`_id_numbers`) rather than codes; cached per release (see
    :func:`_cached`)."""
    ids = tweets["tweetid"]

    def compute() -> tuple[np.ndarray, bool, bool]:
        keys = _id_numbers(ids)
        numeric = keys is not None
        if keys is None:
            keys = _key_codes(ids)[0].astype(np.uint64)  # -1 (missing) wraps to _NO_ID
        keys.flags.writeable = False
        # a sort, not a hash table of millions of distinct ids
        return keys, len(sorted_distinct(keys)) < len(keys), numeric
    return _cached(ids, "tweet keys", compute)


def _exploded(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A ``list<string>`` column, flattened: each element's parent row position and the
    elements (string Series). Computed once per release column and shared (hashtags,
    URLs and mentions are read by several sections); see :func:`_cached`."""
    def compute() -> tuple[np.ndarray, pd.Series]:
        data = values if isinstance(values.dtype, pd.ArrowDtype) else values.astype(LIST)
        chunks = data.array.__arrow_array__().chunks
        starts = np.cumsum([0] + [len(c) for c in chunks[:-1]])
        parents = np.concatenate(
            [pc.list_parent_indices(c).to_numpy(zero_copy_only=False).astype(np.int64) + s
             for c, s in zip(chunks, starts, strict=True)] or [np.zeros(0, np.int64)])
        parents.flags.writeable = False
        flat = pa.chunked_array([pc.list_flatten(c) for c in chunks], type=pa.string())
        return parents, pd.Series(pd.array(flat, dtype=STRING))
    return _cached(values, "explode", compute)


def _code_table(keys: np.ndarray, users: np.ndarray, names: Any, key: str, *,
                total: int, n: int | None = None) -> pd.DataFrame:
    """:func:`_count_table` from integer codes: ``keys`` (codes into ``names``) and
    ``users`` (author codes, -1 missing) of the rows to count."""
    size = len(names)
    counted = np.bincount(keys, minlength=size)
    present = counted > 0
    out = (
        pd.DataFrame({key: pd.Series(names, dtype=STRING)[present].reset_index(drop=True),
                      "tweets": counted[present].astype("int64"),
                      "accounts": _distinct_per_group(keys, users, size)[present]})
        .assign(share=lambda d: d["tweets"] / total if total else np.nan)
        .sort_values(["tweets", key], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
        .astype({"tweets": "int64", "accounts": "int64", key: STRING})
    )
    return out.head(n) if n is not None else out


def _count_table(frame: pd.DataFrame, key: str, *, total: int,
                 n: int | None = None) -> pd.DataFrame:
    """Count rows and distinct accounts per ``key``; share of ``total``.

    Counted on integer codes (:func:`_code_table`): a ``groupby`` with ``nunique`` on
    millions of strings hashes every string twice."""
    keys, names = pd.factorize(frame[key], use_na_sentinel=True)
    known = keys >= 0
    return _code_table(keys[known], _key_codes(frame["userid"])[0][known], names, key,
                       total=total, n=n)


def _class_counts(frame: pd.DataFrame, key: str, order: Sequence[str], *,
                  count: str = "tweets") -> pd.DataFrame:
    """Rows (``count``) and distinct accounts per class of ``key``, every class of
    ``order`` listed in that order (zeros kept)."""
    classes = pd.Index(list(order))
    codes, values = pd.factorize(frame[key], use_na_sentinel=True)
    keys = np.append(classes.get_indexer(values), -1)[codes]  # missing: not listed
    users = _key_codes(frame["userid"])[0]
    known = keys >= 0  # a value outside ``order`` is not listed
    return pd.DataFrame({
        key: pd.Series(list(order), dtype=STRING),
        count: np.bincount(keys[known], minlength=len(classes)).astype("int64"),
        "accounts": _distinct_per_group(keys[known], users[known], len(classes)),
    })


# --------------------------------------------------------------------------- clients

#: The client-name table: class of each known ``tweet_client_name`` (matched after
#: case-folding and collapsing whitespace). A name not in the table is ``unknown``:
#: nothing is guessed from the words of a name (an app called ``westvoicesnews`` may be
#: an outlet's publishing script or somebody's phone app; the table cannot tell).
#:
#: ============== =====================================================================
#: class          what it holds
#: ============== =====================================================================
#: ``official``   Twitter's own web and desktop clients (Twitter Web App, Web Client,
#:                for Mac, for Windows, Media Studio, Ads).
#: ``mobile``     Twitter's phone and tablet apps and mobile web.
#: ``management`` multi-account management dashboards where a person writes and posts,
#:                often for many accounts, and can also schedule: TweetDeck, Hootsuite,
#:                Sprout Social, Sprinklr, Agorapulse, Statusbrew, eClincher, Sendible.
#:                Whether they count as automation is a convention: the claims ledger
#:                reports its automation verdicts both ways.
#: ``scheduling`` services that publish posts written in advance at a set time: Buffer,
#:                SocialOomph, CoSchedule, SocialPilot, Crowdfire, Revive Social,
#:                Oktopost.
#: ``automation`` posts no person sends one by one: feeds and triggers (IFTTT, Zapier,
#:                dlvr.it, twitterfeed, Paper.li, Echobox, SocialFlow), bots (RoundTeam,
#:                Botize, Cheap Bots Done Quick, Twittascope) and cross-posting from
#:                other platforms (Facebook, Instagram, WordPress, Tumblr, LinkedIn).
#: ``unknown``    any other name, and a missing one.
#: ============== =====================================================================
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
    # multi-account management
    "TweetDeck": "management",
    "TweetDeck Web App": "management",
    "Hootsuite": "management",
    "Hootsuite Inc.": "management",
    "Sprout Social": "management",
    "Sprinklr": "management",
    "Agorapulse app": "management",
    "Statusbrew": "management",
    "eClincher": "management",
    "Sendible": "management",
    # scheduling
    "Buffer": "scheduling",
    "SocialOomph": "scheduling",
    "CoSchedule": "scheduling",
    "SocialPilot.co": "scheduling",
    "Crowdfire App": "scheduling",
    "Revive Social App": "scheduling",
    "Oktopost": "scheduling",
    # automation: feeds, triggers, bots, cross-posting
    "IFTTT": "automation",
    "Zapier.com": "automation",
    "Zapier": "automation",
    "dlvr.it": "automation",
    "twitterfeed": "automation",
    "Paper.li": "automation",
    "Echobox": "automation",
    "SocialFlow": "automation",
    "RoundTeam": "automation",
    "Botize": "automation",
    "Cheap Bots, Done Quick!": "automation",
    "Twittascope": "automation",
    "Facebook": "automation",
    "Instagram": "automation",
    "WordPress.com": "automation",
    "Jetpack.com": "automation",
    "Tumblr": "automation",
    "LinkedIn": "automation",
}

#: Class labels in report order.
CLIENT_CLASS_ORDER: tuple[str, ...] = ("official", "mobile", "management", "scheduling",
                                       "automation", "unknown")
#: Classes that publish without a person sending each post.
AUTOMATED_CLASSES: tuple[str, ...] = ("scheduling", "automation")
#: The class whose place (automated or not) is a convention.
MANAGEMENT_CLASS = "management"
_UNKNOWN = "unknown"
_MISSING_CLIENT = "(missing)"


def _normalise_client(names: pd.Series) -> pd.Series:
    return names.astype(STRING).str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()


def classify_clients(tweets: pd.DataFrame, *,
                     classes: Mapping[str, str] = CLIENT_CLASSES) -> pd.Series:
    """Class of each tweet's client, from the table ``classes`` (:data:`CLIENT_CLASSES`).

    A name is looked up after case-folding and collapsing whitespace; a name not in the
    table, or a missing one, is ``unknown`` (nothing is guessed from words in a name).

    Returns
    -------
    string Series aligned on ``tweets.index``.

    Examples
    --------
    >>> tweets = pd.DataFrame({"tweet_client_name": ["TweetDeck", "levantwirenews"]})
    >>> classify_clients(tweets).tolist()
    ['management', 'unknown']
    """
    # classify each distinct name once, then take the classes by code (a dict lookup
    # per tweet would convert every name to a Python string)
    rows, names = _client_codes(tweets)
    labels = np.append(_client_classes(names, classes).to_numpy(dtype=object), _UNKNOWN)
    return pd.Series(pd.array(labels, dtype=STRING).take(rows), index=tweets.index)  # -1: unknown


def _client_codes(tweets: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
    """(code of each tweet's client name, -1 where missing; the distinct names).

    A categorical column (as loaded) is coded from its own codes: its names are never
    decoded per tweet (1.4 s of 2.1 s for the client table of 4.5M tweets)."""
    if "tweet_client_name" not in tweets:
        return np.full(len(tweets), -1, np.int64), pd.Series([], dtype=STRING)
    return _factorized(tweets["tweet_client_name"])


def _factorized(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``pd.factorize`` of a text column: (each row's code, -1 where missing; the
    distinct values as strings, in order of first use). A categorical (as loaded) is
    factorized on its codes: converting it to strings first decoded every row (0.5 s
    for 4.5M rows)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(STRING)
    rows, distinct = pd.factorize(values, use_na_sentinel=True)
    return rows, pd.Series(np.asarray(distinct, dtype=object), dtype=STRING)


def _client_classes(names: pd.Series, classes: Mapping[str, str]) -> pd.Series:
    """The class of each of ``names`` (client names, none missing)."""
    lookup = {" ".join(k.casefold().split()): v for k, v in classes.items()}
    return _normalise_client(names).map(lookup).astype(STRING).fillna(_UNKNOWN)


def client_table(tweets: pd.DataFrame, *,
                 classes: Mapping[str, str] = CLIENT_CLASSES) -> pd.DataFrame:
    """Tweets per client name with its class (:func:`classify_clients`).

    Returns
    -------
    DataFrame ``client, client_class, tweets, accounts, share``, most used first.
    A missing client name shows as ``(missing)``.
    """
    rows, names = _client_codes(tweets)
    labels = pd.concat([names, pd.Series([_MISSING_CLIENT], dtype=STRING)], ignore_index=True)
    # a missing name counts with a client named "(missing)", if there is one
    missing = int(np.argmax(labels.to_numpy(dtype=object) == _MISSING_CLIENT))
    counts = _code_table(np.where(rows < 0, missing, rows), _key_codes(tweets["userid"])[0],
                         labels, "client", total=len(tweets))
    classes_of = pd.DataFrame({
        "client": labels,
        "client_class": pd.concat([_client_classes(names, classes),
                                   pd.Series([_UNKNOWN], dtype=STRING)], ignore_index=True),
    }).drop_duplicates("client")
    return counts.merge(classes_of, on="client", how="left")[
        ["client", "client_class", "tweets", "accounts", "share"]]


def client_class_shares(tweets: pd.DataFrame, *,
                        classes: Mapping[str, str] = CLIENT_CLASSES) -> pd.DataFrame:
    """Tweets per client class, every class listed (zeros kept), in report order.

    Returns
    -------
    DataFrame ``client_class, tweets, accounts, share``.
    """
    frame = pd.DataFrame({"client_class": classify_clients(tweets, classes=classes),
                          "userid": tweets["userid"]})
    out = _class_counts(frame, "client_class", CLIENT_CLASS_ORDER)
    out["share"] = out["tweets"] / len(tweets) if len(tweets) else np.nan
    return out


def automated_share(tweets: pd.DataFrame, *, management: bool = False,
                    classes: Mapping[str, str] = CLIENT_CLASSES) -> float:
    """Share of tweets posted through scheduling or automation clients.

    Parameters
    ----------
    management
        Count multi-account management tools (TweetDeck, Hootsuite...) as automated too.

    Returns
    -------
    float; NaN without tweets.
    """
    if not len(tweets):
        return float("nan")
    counted = list(AUTOMATED_CLASSES) + ([MANAGEMENT_CLASS] if management else [])
    return float(classify_clients(tweets, classes=classes).isin(counted).mean())


# --------------------------------------------------------------------------- entities


def top_hashtags(tweets: pd.DataFrame, *, n: int | None = 20) -> pd.DataFrame:
    """Most used hashtags, case-folded (``#NATO`` and ``#nato`` are one tag).

    Returns
    -------
    DataFrame ``hashtag, tweets`` (distinct tweets using it), ``accounts``,
    ``share`` (of all tweets); most used first, then alphabetical. ``n=None``: all.
    """
    parents, flat = _exploded(tweets["hashtags"])
    # case-fold each distinct spelling once, then count on integer codes
    spelling, spellings = pd.factorize(flat, use_na_sentinel=True)
    folded = pd.Series(spellings, dtype=STRING).str.casefold().str.lstrip("#")
    tag_of_spelling, tags = pd.factorize(folded.mask(folded == ""), use_na_sentinel=True)
    tag = np.append(tag_of_spelling, -1)[spelling]  # a missing element has no tag
    keep = tag >= 0
    # a tag counts once per tweetid: per row, unless a tweetid repeats across rows
    keys, repeated, _ = _tweet_keys(tweets)
    if repeated:
        first = _first_occurrences(keys[parents[keep]], tag[keep])
    else:  # one integer per (row, tag) pair, already in row order: a single sort pass
        first = _first_occurrences(parents[keep] * max(len(tags), 1) + tag[keep])
    return _code_table(tag[keep][first], _key_codes(tweets["userid"])[0][parents[keep]][first],
                       tags, "hashtag", total=len(tweets), n=n)


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


# the host after an optional scheme and "//" (a protocol-relative "//cdn.example/x" too)
# a host ends where a character no host name holds begins: quotes, brackets, "=" ...
# (a spreadsheet formula in a urls field, =HYPERLINK("http://..."), names no host)
_NOT_HOST = "\"'()<>=,;!*{}|\\^`"
# the host may be empty ("http://*.example.com", "http:///x"): with "+" the pattern
# gave up the "scheme://" and read the scheme as the host; an empty host is no host
_HOST = (r"^(?:(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?(?:[^@/?#\s]*@)?([^/?#:\s"
         + re.escape(_NOT_HOST) + "]*)")
# a scheme, but not the port of a scheme-less host ("example.com:8080/x")
_SCHEME = r"^([A-Za-z][A-Za-z0-9+.-]*):(?!\d)"
# the same two for RE2 (pyarrow), which has no look-ahead: Python's \s is RE2's \p{Z}
# plus these controls (as for _RT_PREFIX_RE2), Python's \d every decimal digit (\p{Nd});
# guarded by tests/test_content.py::test_re2_url_patterns_equal_python_re
_WS_RE2 = r"\t\n\x0b\x0c\r\x1c-\x1f\x85\p{Z}"
_HOST_RE2 = (r"^(?:(?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?(?:[^@/?#" + _WS_RE2 + r"]*@)?"
             r"(?P<host>[^/?#:" + _WS_RE2 + re.escape(_NOT_HOST) + r"]*)")
_SCHEME_RE2 = r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):(?:[^\p{Nd}]|$)"
#: Schemes whose URLs name a web host; any other (``javascript:``, ``data:``,
#: ``mailto:``, ``ftp:``...) is not counted as a domain.
WEB_SCHEMES: frozenset[str] = frozenset({"http", "https"})
#: Marker put after a registered domain whose letters mix scripts (``аpple.com`` with a
#: Cyrillic ``а``), with the domain's ASCII (punycode) form.
MIXED_SCRIPT_MARK = " [mixed scripts: {ascii}]"
# scripts that one name legitimately mixes (Japanese writes Han, kana and Latin digits)
_SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "HALFWIDTH": "CJK",
                  "FULLWIDTH": "LATIN"}


def _punycode_label(label: str, *, to_ascii: bool) -> str:
    """One host label in its ASCII (``xn--...``) or Unicode form; kept as it is when it
    does not decode (a malformed ``xn--`` label is still a key)."""
    try:
        if to_ascii:
            return label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if label.startswith("xn--"):
            return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        pass
    return label


def _host_form(host: str, *, to_ascii: bool) -> str:
    import unicodedata

    labels = unicodedata.normalize("NFC", host).split(".")
    return ".".join(_punycode_label(label, to_ascii=to_ascii) for label in labels)


def _scripts(text: str) -> set[str]:
    """The scripts of the letters of ``text`` (first word of their Unicode names)."""
    import unicodedata

    found = set()
    for char in text:  # the characters of one host name
        if char.isalpha():
            script = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            found.add(_SCRIPT_GROUPS.get(script, script))
    return found


def _domain_key(extract: Any, host: str) -> str:
    """The registered domain of ``host`` in Unicode, both spellings of an international
    name (``аpple.com``, ``xn--pple-43d.com``) giving one key; a domain whose letters
    mix scripts is marked with :data:`MIXED_SCRIPT_MARK`."""
    unicode_host = _host_form(host, to_ascii=False)
    registered = extract(unicode_host).top_domain_under_public_suffix or unicode_host
    if len(_scripts(registered)) > 1:
        return registered + MIXED_SCRIPT_MARK.format(ascii=_host_form(registered,
                                                                      to_ascii=True))
    return registered


def _extract_re2(values: pa.Array, pattern: str) -> pa.Array:
    """The one named group of ``pattern`` in each value (null without a match), by
    pyarrow's RE2 in one pass (``str.extract`` runs Python's ``re`` per value)."""
    return pc.struct_field(pc.extract_regex(values, pattern), [0])


def _lowered_codes(codes: np.ndarray, distinct: pa.Array, *, rstrip: str = "") -> tuple[
        np.ndarray, pd.Series]:
    """``codes`` into ``distinct`` recoded into the distinct lower-case values (trailing
    ``rstrip`` characters removed): ``HTTP`` and ``http`` become one code."""
    lowered = pd.Series(pd.array(distinct, dtype=STRING)).str.lower()
    if rstrip:
        lowered = lowered.str.rstrip(rstrip)
    sub, values = pd.factorize(lowered, use_na_sentinel=True)
    return np.append(sub, -1)[codes], pd.Series(values, dtype=STRING)


class _Urls:
    """URLs analysed once per distinct stripped text: what :func:`url_schemes`,
    :func:`registered_domains` and :func:`top_domains` read, and what co_domain looks
    its URLs up in (:func:`_release_url_domains`).

    Attributes
    ----------
    codes
        Per URL: its stripped text's position in ``distinct`` (-1: missing URL).
    raw
        Per URL: a code equal exactly where the unstripped texts are (``codes`` itself
        when stripping changed no URL).
    distinct
        The distinct stripped texts.
    scheme
        Per distinct text: position in ``schemes`` (-1: no scheme).
    schemes
        Distinct schemes, lower case.
    host
        Per distinct text: position in ``hosts`` (-1: no host, or a scheme other than
        http(s)).
    hosts
        Distinct hosts, lower case without trailing dots.
    """

    def __init__(self, urls: pa.Array | pa.ChunkedArray) -> None:
        urls = urls if pa.types.is_string(urls.type) else urls.cast(pa.string())
        # pandas' str.strip on Arrow strings is this kernel: the same texts as before
        text = pc.utf8_trim_whitespace(urls)
        self.codes, self.distinct = dictionary_codes(text, many_distinct=True)
        changed = pc.sum(pc.binary_length(urls)).as_py() != pc.sum(pc.binary_length(text)).as_py()
        self.raw = dictionary_codes(urls, many_distinct=True)[0] if changed else self.codes
        # Both patterns read no further than a URL's third "/" (the scheme and host
        # characters exclude it; only the "//" is consumed), so each runs on the distinct
        # leading parts ("https://host": as few as the hosts) rather than on every
        # distinct URL; guarded by tests/test_content.py::test_re2_url_patterns_equal_python_re
        lead = pc.binary_join(pc.list_slice(pc.split_pattern(self.distinct, "/", max_splits=3),
                                            0, 3), "/")
        part, leads = dictionary_codes(lead)
        found = _extract_re2(leads, _SCHEME_RE2) if len(leads) else pa.nulls(0, pa.string())
        scheme, self.schemes = _lowered_codes(*dictionary_codes(found))
        web = np.append(self.schemes.isin(WEB_SCHEMES).to_numpy(bool), True)[scheme]
        raw_host = _extract_re2(leads, _HOST_RE2) if len(leads) else pa.nulls(0, pa.string())
        raw_host = pc.if_else(pa.array(~web), pa.nulls(len(raw_host), pa.string()), raw_host)
        raw_host = pc.if_else(pc.equal(raw_host, ""), pa.nulls(len(raw_host), pa.string()),
                              raw_host)
        host, self.hosts = _lowered_codes(*dictionary_codes(raw_host), rstrip=".")
        self.scheme, self.host = np.append(scheme, -1)[part], np.append(host, -1)[part]
        self._domains: dict[bool, tuple[np.ndarray, pd.Series]] = {}

    def domains(self, private_domains: bool) -> tuple[np.ndarray, pd.Series]:
        """Per distinct text: position in the distinct registered domains (-1: none),
        and those domains (:func:`_domain_key` of each distinct host, one library call
        per host: far fewer than URLs)."""
        if private_domains not in self._domains:
            extract = _extractor(bool(private_domains))
            keys = pd.Series([_domain_key(extract, h) for h in self.hosts], dtype=STRING)
            sub, domains = pd.factorize(keys, use_na_sentinel=True)
            self._domains[private_domains] = (np.append(sub, -1)[self.host],
                                              pd.Series(domains, dtype=STRING))
        return self._domains[private_domains]


def _url_table(urls: pd.Series) -> _Urls:
    """:class:`_Urls` of a Series of URLs."""
    return _Urls(pa.chunked_array(pa.array(urls.astype(STRING).array)))


def _release_urls(column: pd.Series) -> tuple[np.ndarray, _Urls]:
    """The URLs of a release's ``urls`` list column: each element's parent row and the
    :class:`_Urls` of the elements, computed once per release (see :func:`_cached`) for
    the content tables and the co_domain network alike."""
    def compute() -> tuple[np.ndarray, _Urls]:
        parents, flat = _exploded(column)
        return parents, _Urls(flat.array.__arrow_array__())
    return _cached(column, "urls", compute)


def _release_url_domains(column: pd.Series, *, private_domains: bool = False
                        ) -> tuple[pa.Array, pa.Array]:
    """The distinct stripped URLs of a release's ``urls`` column and the registered
    domain of each (:func:`registered_domains`; ``""`` where there is none), both
    Arrow ``large_string``; computed once per release and shared by
    :func:`top_domains` and the co_domain network."""
    urls = _release_urls(column)[1]
    codes, domains = urls.domains(private_domains)
    names = pa.array(pd.concat([domains, pd.Series([""], dtype=STRING)]).array
                     ).cast(pa.large_string())
    return (urls.distinct.cast(pa.large_string()),
            names.take(pa.array(np.where(codes < 0, len(domains), codes))))


def _take(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``values`` at ``codes`` (-1: missing) as a string Series on ``index``."""
    taken = pa.array(values.array).take(pa.array(codes, mask=codes < 0)) if len(values) \
        else pa.nulls(len(codes), pa.string())
    return pd.Series(pd.array(taken, dtype=STRING), index=index)


def url_schemes(urls: pd.Series) -> pd.Series:
    """The scheme of each URL, lower case (``javascript``, ``https``); missing when the
    URL has none (``example.com/x``, ``//cdn.example/x``)."""
    table = _url_table(urls)
    return _take(table.schemes, np.append(table.scheme, -1)[table.codes], urls.index)


def registered_domains(urls: pd.Series, *, private_domains: bool = False) -> pd.Series:
    """Registered domain of each URL (``https://a.b.example.co.uk/x`` -> ``example.co.uk``).

    Offline: uses the public suffix list bundled with tldextract, never the network.
    With ``private_domains`` the private section of the list counts too, so blogs on
    hosts listed there stay apart (``name.blogspot.com``); by default they collapse
    to ``blogspot.com``. LiveJournal is not on the list: its blogs always give
    ``livejournal.com``. Hosts without a public suffix (IP addresses) are returned
    as they are.

    An international domain is given in Unicode whichever way the URL spells it
    (``xn--pple-43d.com`` and ``аpple.com`` are one domain); one whose letters mix
    scripts, a look-alike such as ``аpple.com`` with a Cyrillic ``а``, is marked:
    ``аpple.com [mixed scripts: xn--pple-43d.com]``. A URL whose scheme is not http(s)
    (``javascript:``, ``data:``, ``mailto:``) names no domain: missing
    (:func:`top_domains` counts such URLs apart).

    Returns
    -------
    string Series aligned on ``urls``.
    """
    # each distinct URL once, its host by RE2, and each distinct host once
    table = _url_table(urls)
    domain, domains = table.domains(private_domains)
    return _take(domains, np.append(domain, -1)[table.codes], urls.index)


def top_domains(tweets: pd.DataFrame, *, n: int | None = 20,
                private_domains: bool = False) -> pd.DataFrame:
    """Most linked registered domains (``urls`` are the expanded links).

    Empty URL strings are ignored (they are not links). A tweet linking twice to
    a domain counts once. URLs of another scheme than http(s) are not domains: they
    are counted apart, one row per scheme, as ``(javascript: URL)``. Both spellings
    of an international domain count as one (see :func:`registered_domains`), and a
    domain mixing scripts is marked in ``domain`` and flagged in ``mixed_script``.

    Returns
    -------
    DataFrame ``domain, tweets, accounts, share, urls`` (distinct URLs),
    ``mixed_script``.
    """
    parents, urls = _release_urls(tweets["urls"])
    domain, domains = urls.domains(private_domains)
    # one label per distinct URL: its domain, or its scheme when that is not http(s);
    # counted on integer codes, the URL strings are never hashed again
    other = np.append(~urls.schemes.isin(WEB_SCHEMES).to_numpy(bool), False)[urls.scheme]
    label = np.where(other, len(domains) + urls.scheme, domain)
    names = pd.concat([domains, "(" + urls.schemes + ": URL)"], ignore_index=True)
    key = np.append(label, -1)[urls.codes]  # a missing URL has no label
    keep = key >= 0  # (a blank URL has neither scheme nor host: no label either)
    key, rows, raw = key[keep], parents[keep], urls.raw[keep]
    distinct_urls = _distinct_per_group(key, raw, len(names))
    # a domain counts once per tweetid: per row, unless a tweetid repeats across rows
    tweet_keys, repeated, _ = _tweet_keys(tweets)
    # (one integer per (row, domain) pair when ids are distinct: in row order already)
    first = (_first_occurrences(tweet_keys[rows], key) if repeated
             else _first_occurrences(rows * max(len(names), 1) + key))
    counts = _code_table(key[first], _key_codes(tweets["userid"])[0][rows][first], names,
                         "domain", total=len(tweets), n=n)
    url_count = pd.Series(distinct_urls, index=pd.Index(names, dtype=STRING))
    return counts.assign(
        urls=url_count.reindex(counts["domain"]).to_numpy(dtype="int64"),
        mixed_script=counts["domain"].str.contains(
            MIXED_SCRIPT_MARK.split("{")[0], regex=False).fillna(False).astype(bool))


# --------------------------------------------------------------------------- retweets

_RT_PREFIX = r"^RT @([^\s:]+):"
# the same for RE2: Python's \s (str.isspace) is RE2's \p{Z} plus these controls
_RT_PREFIX_RE2 = r"^RT @(?P<handle>[^\t\n\x0b\x0c\r\x1c-\x1f\x85\p{Z}:]+):"


def _rt_handles(texts: pd.Series) -> pd.Series:
    """The handle of a leading ``RT @handle:`` in each text (missing without one),
    extracted by pyarrow's RE2 in one pass (``str.extract`` runs Python's ``re`` per text)."""
    if not len(texts):
        return texts.str.extract(_RT_PREFIX, expand=False).astype(STRING)
    found = pc.struct_field(pc.extract_regex(pa.array(texts.array), _RT_PREFIX_RE2), [0])
    return pd.Series(pd.array(found, dtype=STRING), index=texts.index)


def _first_pairs(tweets: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """The rows of ``tweets[[first, second]]`` where their pair of values occurs for the
    first time, in order: what a ``drop_duplicates`` on either column of the whole
    table can see, found on the cached integer codes."""
    a, _ = _key_codes(tweets[first])
    b, b_values = _key_codes(tweets[second])
    fresh = ~pd.Series((a + 1) * (len(b_values) + 1) + b + 1).duplicated().to_numpy()
    return _take_rows(tweets[[first, second]], fresh)


def _authors_of(tweets: pd.DataFrame, tweetids: pd.Series, authors: np.ndarray,
                author_ids: pd.Index) -> pd.Series:
    """The author (userid) of each of ``tweetids`` when it is a tweet of ``tweets`` (the
    first row with that tweetid and a userid), missing otherwise; aligned on tweetids.

    ``authors`` are the author codes of ``tweets`` into ``author_ids``. The ids are
    looked up as numbers by binary search when both sides are plain decimal ids."""
    keys, repeated, numeric = _tweet_keys(tweets)
    known = np.flatnonzero((keys != _NO_ID) & (authors >= 0))
    first = known[~pd.Series(keys[known]).duplicated().to_numpy()] if repeated else known
    wanted = _id_numbers(tweetids) if numeric else None
    if wanted is None:  # ids that are not plain numbers: look the strings up
        slot = pd.Index(tweets["tweetid"].to_numpy(dtype=object)[first]).get_indexer(
            tweetids.to_numpy(dtype=object))
        hit = slot >= 0
        found = authors[first][slot[hit]]
    else:
        # the distinct ids asked for (retweeted tweets: far fewer than the release's)
        # form the hash table; every release tweet is probed against it once
        asked, distinct = pd.factorize(wanted)
        where = pd.Index(distinct).get_indexer(keys[first])
        author_of = np.full(len(distinct) + 1, -1, np.int64)  # last: not in the release
        author_of[where[where >= 0]] = authors[first][where >= 0]
        found = author_of[np.where(wanted == _NO_ID, len(distinct), asked)]
        hit = found >= 0
        found = found[hit]
    out = np.full(len(tweetids), None, dtype=object)
    out[hit] = np.asarray(author_ids, dtype=object)[found]
    return pd.Series(pd.array(out, dtype=STRING), index=tweetids.index)


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
    is_rt = retweet_mask(tweets).to_numpy(dtype=bool)
    # the retweets' own columns only (selecting rows of the whole frame copies every text)
    rt = _take_rows(tweets[[c for c in ("tweetid", "userid", "retweet_userid",
                                        "retweet_tweetid") if c in tweets]], is_rt)
    authors, author_ids = _key_codes(tweets["userid"])
    ids = pd.Index(pd.concat([users["userid"], pd.Series(author_ids, dtype=STRING)])
                   .dropna().unique())

    names = pd.concat([
        users[["userid", "user_screen_name"]],
        _first_pairs(tweets, "userid", "user_screen_name") if "user_screen_name" in tweets
        else None,
    ]).dropna()
    name_of = names.drop_duplicates("userid").set_index("userid")["user_screen_name"]
    by_handle = (names.assign(key=lambda d: d["user_screen_name"].str.casefold())
                 .drop_duplicates("key").set_index("key")["userid"])

    col = {c: rt[c].astype(STRING) if c in rt else pd.Series(pd.NA, index=rt.index,
                                                               dtype=STRING)
           for c in ("retweet_userid", "retweet_tweetid")}
    by_tweet = _authors_of(tweets, col["retweet_tweetid"], authors, author_ids)
    has_uid = col["retweet_userid"].notna()
    has_tweet = ~has_uid & by_tweet.notna()
    # the "RT @handle:" prefix decides only where the ids leave the target open, so only
    # those retweets' texts are read (none of the 803,568 retweets of the scale-8 specimen;
    # the texts of all of them were copied and searched);
    # guarded by tests/test_content.py::test_retweet_targets_read_only_the_texts_ids_leave_open
    handle = pd.Series(pd.NA, index=rt.index, dtype=STRING)
    open_ = ~(has_uid | has_tweet).to_numpy(dtype=bool)
    if "tweet_text" in tweets and open_.any():
        texts = _take_rows(tweets[["tweet_text"]], np.flatnonzero(is_rt)[open_])
        handle.iloc[np.flatnonzero(open_)] = _rt_handles(
            texts["tweet_text"].astype(STRING)).array
    by_name = _casefold(handle).map(by_handle).astype(STRING)

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


def _engagement(tweets: pd.DataFrame, *, quantile: float) -> pd.DataFrame:
    """:func:`engagement_summary` of one cohort (``attrs["retweets_excluded"]`` set).

    Each metric's statistics come from numpy on its known values, as pandas' masked
    reductions compute them (the same sums, ``np.median`` and ``np.quantile``), without
    building nullable columns first (1.33 -> 1.06 s, medians of ten runs, for the 4.5M
    tweets of the Iran specimen at scale 8; the content section, the claims ledger and
    the findings each compute it); guarded by
    tests/test_content.py::test_engagement_summary_matches_masked_arithmetic
    """
    original = ~retweet_mask(tweets).to_numpy(dtype=bool)
    n = int(original.sum())
    # the four count columns only, as floats with NaN for a missing count: the rows of
    # the whole frame are never copied, and the row sums need no masked arithmetic
    values = [tweets[c].to_numpy(dtype="float64", na_value=np.nan)[original] if c in tweets
              else np.full(n, np.nan) for c in ENGAGEMENT_COLUMNS]
    known = [~np.isnan(v) for v in values]
    any_known = np.logical_or.reduce(known)
    total = np.zeros(n)
    for v, k in zip(values, known, strict=True):  # loop over the four metrics
        total[k] += v[k]
    total[~any_known] = np.nan
    rows = []
    for v in [*values, total]:  # loop over the five metrics; each vectorised
        v = v[~np.isnan(v)]
        m, summed = len(v), float(v.sum())
        stats = ((summed / m, float(np.median(v)), float(np.quantile(v, quantile)),
                  float(v.max()), np.count_nonzero(v == 0) / m) if m else (np.nan,) * 5)
        rows.append((m, summed, *stats))
    out = pd.DataFrame(rows, index=pd.Index([*ENGAGEMENT_COLUMNS, "total"], name="metric"),
                       columns=["originals", "sum", "mean", "median",
                                f"p{round(quantile * 100):d}", "max", "zero_share"])
    out = out.astype("float64").astype({"originals": "int64"})
    out.attrs["retweets_excluded"] = int(len(tweets) - n)
    return out


def engagement_summary(tweets: pd.DataFrame, *, quantile: float = 0.9,
                       control: ReleaseLike | pd.DataFrame | None = None) -> pd.DataFrame:
    """Engagement of original tweets (retweets excluded: the archive gives them zero counts).

    The low-engagement measure is in the ``total`` row: ``median`` total engagement per
    original tweet and ``zero_share``, the share of originals that drew no like,
    retweet, reply or quote. A network's engagement means little alone: with
    ``control``, ordinary accounts' mean, median and zero share stand beside each
    metric's (:func:`engagement_in_words` says which side they are on).

    Parameters
    ----------
    tweets
        ``Release.tweets``.
    quantile
        The upper quantile shown (``p90``).
    control
        A control cohort of ordinary accounts (``case.control``, or its tweets): adds
        ``control_mean``, ``control_median`` and ``control_zero_share`` beside ``mean``,
        ``median`` and ``zero_share``; None: no control columns.

    Returns
    -------
    DataFrame indexed by ``metric`` (the four counts and ``total``) with columns
    ``originals`` (tweets with the count known), ``sum, mean, median, p<q>, max,
    zero_share`` (and the control's columns beside theirs).
    ``attrs["retweets_excluded"]`` is the number of retweets left out; with a control,
    ``attrs["control_originals"]`` its originals with a total.

    Examples
    --------
    >>> t = pd.DataFrame({"userid": ["a", "b"], "tweet_text": ["hi", "yo"],
    ...                   "is_retweet": [False, False], "like_count": [3, 5]})
    >>> o = t.assign(like_count=[0, 1])
    >>> engagement_summary(t, control=o).loc["like_count", ["median", "control_median"]].tolist()
    [4.0, 0.5]
    """
    out = _engagement(tweets, quantile=quantile)
    if control is None:
        return out
    theirs = _engagement(tweets_of(control), quantile=quantile)
    columns = []
    for name in out.columns:  # each control column beside its own
        columns.append(name)
        if name in ("mean", "median", "zero_share"):
            columns.append(f"control_{name}")
    attrs = dict(out.attrs)
    out = out.assign(**{f"control_{c}": theirs[c] for c in ("mean", "median", "zero_share")})
    out = out[columns]
    out.attrs = {**attrs, "control_originals": int(theirs.loc["total", "originals"])}
    return out


def engagement_in_words(summary: pd.DataFrame, *, metric: str = "total") -> str:
    """Where a network's engagement stands beside ordinary accounts', in plain words.

    Reads :func:`engagement_summary` called with ``control=``: the ``metric`` row's median
    per original tweet here and for ordinary accounts (the mean when the medians are
    equal), and which side ordinary accounts are on. A network said to draw "little
    engagement" that draws more than ordinary accounts is not set apart by it.

    Examples
    --------
    >>> s = pd.DataFrame({"originals": [100], "mean": [14.25], "control_mean": [1.17],
    ...                   "median": [6.0], "control_median": [0.0]},
    ...                  index=pd.Index(["total"], name="metric"))
    >>> s.attrs = {"control_originals": 400}
    >>> print(engagement_in_words(s))  # doctest: +NORMALIZE_WHITESPACE
    median engagements per original tweet 6 (mean 14.25) here, 0 (mean 1.17) for ordinary
    accounts: more than ordinary accounts draw, so low engagement is not what sets this
    network apart
    """
    words = {"like_count": "likes", "retweet_count": "retweets", "reply_count": "replies",
             "quote_count": "quotes", "total": "engagements"}[metric]
    row = summary.loc[metric]
    ours = (f"median {words} per original tweet {row['median']:g} (mean {row['mean']:.2f}) "
            f"here")
    if "control_median" not in summary:
        return f"{ours}; not compared with ordinary accounts (no control cohort)"
    theirs = f"{row['control_median']:g} (mean {row['control_mean']:.2f}) for ordinary accounts"
    if summary.attrs.get("control_originals", 1) == 0 or pd.isna(row["control_median"]):
        return f"{ours}; ordinary accounts have no original tweet with {words} to compare"
    key = ("median", "control_median")
    if row["median"] == row["control_median"]:
        key = ("mean", "control_mean")
    mine, their = float(row[key[0]]), float(row[key[1]])
    if mine > their:
        side = ("more than ordinary accounts draw, so low engagement is not what sets "
                "this network apart")
    elif mine < their:
        times = contrast(mine, their, larger=False)
        said = (f"the {key[0]} is 0 here, above 0 for them" if np.isinf(times)
                else f"{times:.1f} times lower")
        strength = ("distinguishable from ordinary accounts" if times >= MIN_CONTRAST
                    else NOT_DISTINCTIVE)
        side = f"less than ordinary accounts draw ({said}: {strength})"
    else:
        side = "the same as ordinary accounts: not distinctive"
    return f"{ours}, {theirs}: {side}"


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
