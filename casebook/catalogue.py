"""The archive's known releases, what was published about each, and how much of it a
loaded release holds.

Twitter's information-operations archive grew from October 2018 to December 2021 in
disclosures of one or more *datasets* (``ira``, ``iran_201906_1``, ``GRU_202012``,
``REA_0621``...), each in a *release folder* of the archive (``2018_10``, ``2021_12``).
:data:`RELEASES` lists the datasets known to the casebook: disclosure date, attributed
country, the account and tweet counts that were published, with their sources, and how
the dataset's files are named. A count nobody published (or that sources give
inconsistently) is ``None``, never a guess. ``casebook releases`` (:mod:`casebook.releases`) prints the table;
``casebook fetch`` downloads any dataset in it; :func:`dataset_of` recognises the names of
their files.

A claim about a network can only be tested on (most of) that network. :func:`coverage`
compares a loaded release with its published size, and the claims ledger
(:mod:`casebook.claims`) says "insufficient data" when the release holds under
:data:`MIN_COVERAGE` of the published tweets or accounts (the 274-tweet excerpt of
``GRU_202012`` holds 1% of its tweets). For the four ``2020_12`` datasets
:data:`PUBLISHED` holds the finer counts of the public files (accounts that have
tweets, user rows), which the synthetic specimen reproduces.

The synthetic specimen is written at a scale (0.15 by default: 15% of the published
tweets, every published account); its ``ground_truth.json`` states the scale, and a
specimen release is compared with the published counts *times that scale*, so the
default specimen is complete for what it is, while a specimen cut down to a few hundred
rows is not.

This module imports nothing heavy (the ``casebook releases`` command starts fast).

Examples
--------
>>> PUBLISHED["GRU_202012"].tweets
26684
>>> dataset_of("gru_202012_excerpt")
'GRU_202012'
>>> dataset_of("REA_0621_tweets_csv_hashed_2019.csv")
'REA_0621'
>>> RELEASES["cuba_082020"].accounts, RELEASES["cuba_082020"].release
(526, '2020_08')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and the frame helpers are heavy: only for type checkers
    import pandas as pd

    from casebook._frames import ReleaseLike

__all__ = [
    "MIN_COVERAGE",
    "PUBLISHED",
    "RELEASES",
    "SIO_2021",
    "WORKWEEKS",
    "ArchiveRelease",
    "Coverage",
    "Published",
    "coverage",
    "dataset_of",
    "file_names",
    "published_counts",
    "release_of",
    "releases_table",
    "require",
    "workweek_of",
]

#: A release holding under this share of the published tweets or accounts (or, for the
#: specimen, of the published counts times its scale) is too small to test a claim on.
#: One tenth: a tenth of a network still shows its main accounts and habits, a first
#: slice of a file (the real excerpts hold 1-2%) does not.
MIN_COVERAGE = 0.10

SIO_2021 = ("Stanford Internet Observatory, 'February 2021 Twitter takedowns' "
            "(cyber.fsi.stanford.edu/io/news/february-2021-twitter-takedowns)")
_TWITTER_2021 = "Twitter Safety blog, 23 Feb 2021"
_FILES = "rows of the public files, as parsed in public repositories"


@dataclass(frozen=True)
class Published:
    """Published size of one release.

    Attributes
    ----------
    dataset
        Archive name (``GRU_202012``).
    accounts
        Accounts named in the disclosure.
    accounts_with_tweets
        Accounts that have tweets in the public files (what a loaded release can show).
    tweets
        Tweets in the public files.
    user_rows
        Rows of the public users file (GRU_202012 has one more than its accounts).
    source
        Where the numbers come from.
    """

    dataset: str
    accounts: int
    accounts_with_tweets: int
    tweets: int
    user_rows: int
    source: str


#: The ``2020_12`` releases (facts: ../shared/FACTS.md, "The disclosure").
PUBLISHED: dict[str, Published] = {p.dataset: p for p in (
    Published("iran_202012", 238, 238, 560_571, 238,
              f"{SIO_2021}; {_TWITTER_2021}; {_FILES}"),
    Published("GRU_202012", 69, 51, 26_684, 70,
              f"{SIO_2021} (26,762 tweets); {_FILES} (26,684 tweets, 70 user rows, "
              f"51 accounts with tweets)"),
    Published("IRA_202012", 31, 24, 68_914, 31, f"{SIO_2021}; {_FILES} (24 accounts with tweets)"),
    Published("armenia_202012", 35, 35, 72_960, 35, f"{SIO_2021}; {_TWITTER_2021}; {_FILES}"),
)}


# --------------------------------------------------------------------------- releases

#: File name patterns; ``{name}``, ``{release}``, ``{kind}`` (tweets, users), ``{year}``
#: and ``{n}`` (a part number) are filled in. The archive published each file zipped
#: (``.zip``) and some as ``.csv`` or ``.csv.gz`` too; the patterns name the CSV inside.
PLAIN = "{name}_{kind}_csv_hashed.csv"
PREFIXED = "hashed_{release}_{name}_{name}_{kind}_csv_hashed.csv"
BY_YEAR = "{name}_tweets_csv_hashed_{year}.csv"
BY_HALF_YEAR_1 = "{name}_tweets_csv_hashed_{year}_01.csv"
BY_HALF_YEAR_2 = "{name}_tweets_csv_hashed_{year}_06.csv"
NUMBERED = "{name}_tweets_csv_hashed_{n}.csv"
NUMBERED_PADDED = "{name}_tweets_csv_hashed_{n:02d}.csv"
PART = "{name}_tweets_csv_hashed_part{n}.csv"

#: How a dataset's tweets file is split: one file, one per year, or numbered parts.
SPLITS = ("single", "year", "numbered")


@dataclass(frozen=True)
class ArchiveRelease:
    """One dataset of the archive, as disclosed.

    Attributes
    ----------
    name
        Dataset name in the archive (``REA_0621``); its folder is ``<release>/<name>``.
    release
        Release folder of the archive (``2021_12``).
    disclosed
        Date of the public disclosure, ISO ``YYYY-MM-DD``.
    country
        Country the operation was attributed to (where it was run from, when different).
    summary
        What was said about it, in a few words.
    accounts
        Accounts the disclosure named, or None when no count was published for this
        dataset alone (or sources disagree).
    tweets
        Tweets, or None (only exact published counts, never "over 9 million").
    source
        Where the counts and the attribution come from.
    patterns
        File name patterns (see :data:`PLAIN`, :data:`PREFIXED`, :data:`BY_YEAR`...),
        the most likely first.
    split
        How the tweets file is split: ``"single"``, ``"year"`` or ``"numbered"``.
    note
        Caveats: counts that are known only for a group of datasets, approximations.
    """

    name: str
    release: str
    disclosed: str
    country: str
    summary: str
    accounts: int | None
    tweets: int | None
    source: str
    patterns: tuple[str, ...] = (PLAIN, PREFIXED)
    split: str = "single"
    note: str = ""

    def file_names(self, kind: str = "tweets") -> list[str]:
        """The file name patterns of one kind, with this dataset's name filled in."""
        return file_names(self, kind)


# Sources, in the project's words (FACTS.md: cite, never paste).
_TW_2018 = "Twitter Elections Integrity blog, 17 Oct 2018 (as reported by Adweek, ZDNet)"
_TW_2019_01 = "Twitter blog, 31 Jan 2019 (as reported by ABC News, 31 Jan 2019)"
_TW_2019_06 = ("Twitter blog, 13 Jun 2019 (as reported by Adweek); ../shared/FACTS.md, "
               "'The June 2019 release'")
_TW_2019_09 = "Twitter blog, 20 Sep 2019 (as quoted by Boing Boing and reported by Yahoo News)"
_TW_2019_12 = "Twitter Safety blog, 20 Dec 2019"
_TW_2020_03 = "Twitter Safety, 12 Mar 2020 (as reported by Adweek, 13 Mar 2020)"
_TW_2020_04 = "Twitter Safety, 2 Apr 2020 (as reported by OCCRP and Medianama)"
_SIO_2020_06 = ("Stanford Internet Observatory, 'Analysis of June 2020 Twitter takedowns' "
                "(fsi.stanford.edu/news/june-2020-twitter-takedown)")
_SIO_2020_10 = ("Stanford Internet Observatory, 'Analysis of Twitter takedowns linked to Cuba, "
                "the Internet Research Agency, Saudi Arabia, and Thailand' (8 Oct 2020)")
_TW_2020_10 = "Twitter blog, 8 Oct 2020"
_TW_2021_12 = "Twitter Safety blog, 2 Dec 2021 (as reported by The Hindu BusinessLine)"
_SIO_2021_12 = ("Stanford Internet Observatory, 'Analysis of Twitter takedowns linked to "
                "Venezuela, Mexico, Tanzania, and China' (cyber.fsi.stanford.edu/io/news/"
                "twitter-takedown-december-2021)")
_FOLDERS = "release folders and file names: public repositories that downloaded the archive"

_NUMBERED = (PLAIN, PREFIXED, NUMBERED)
_BY_YEAR = (BY_YEAR, PLAIN, PREFIXED)


def _r(name: str, release: str, disclosed: str, country: str, summary: str,
       accounts: int | None, tweets: int | None, source: str, *,
       patterns: tuple[str, ...] = (PLAIN, PREFIXED), split: str = "single",
       note: str = "") -> ArchiveRelease:
    return ArchiveRelease(name, release, disclosed, country, summary, accounts, tweets,
                          f"{source}; {_FOLDERS}", patterns, split, note)


_IRAN_2019_06 = ("4,779 Iranian accounts in three sets (1,666; 248; 2,865); which file holds "
                 "which set is unverified")
_CHINA_2019 = ("August 2019: 936 accounts across the first sets; September 2019: 4,302 more; "
               "the split between files is unverified")
_VENEZUELA_2019_01 = "764 and 1,196 accounts in two sets; which file holds which is unverified"
_RUSSIA_0621 = ("16 accounts (Central African Republic) and 50 (Libya) between RNA_0621 and "
                "REA_0621; which is which is unverified")

#: Every dataset of the archive known to the casebook, by name (2018-2021).
RELEASES: dict[str, ArchiveRelease] = {r.name: r for r in (
    # October 2018: the first archive
    _r("ira", "2018_10", "2018-10-17", "Russia", "Internet Research Agency (St Petersburg)",
       3_841, None, _TW_2018,
       note="over 9 million tweets (no exact count published); the tweets file is 5.3 GB "
            "unzipped; has poll_choices"),
    _r("iranian", "2018_10", "2018-10-17", "Iran", "accounts potentially originating in Iran",
       770, None, _TW_2018, note="about 1 million tweets (no exact count published)"),
    # January 2019
    _r("russia_201901_1", "2019_01", "2019-01-31", "Russia",
       "accounts resembling the IRA's, most originating in Russia", 418, None, _TW_2019_01,
       note="close to 929,000 tweets (approximate)"),
    _r("iran_201901_1", "2019_01", "2019-01-31", "Iran", "malicious accounts in Iran",
       2_617, None, _TW_2019_01, patterns=_NUMBERED, split="numbered"),
    _r("venezuela_201901_1", "2019_01", "2019-01-31", "Venezuela",
       "state-backed influence campaign", None, None, _TW_2019_01, patterns=_NUMBERED,
       split="numbered", note=_VENEZUELA_2019_01),
    _r("venezuela_201901_2", "2019_01", "2019-01-31", "Venezuela",
       "state-backed influence campaign", None, None, _TW_2019_01, note=_VENEZUELA_2019_01),
    _r("bangladesh_201901_1", "2019_01", "2019-01-31", "Bangladesh",
       "a very small number of accounts; Bengali, regional politics", None, None,
       _TW_2019_01),
    # June 2019
    *(_r(f"iran_201906_{i}", "2019_06", "2019-06-13", "Iran",
         "Iranian state-linked accounts (three sets)", None, None, _TW_2019_06,
         note=_IRAN_2019_06) for i in (1, 2, 3)),
    _r("russia_201906_1", "2019_06", "2019-06-13", "Russia", "IRA-associated accounts",
       4, None, _TW_2019_06),
    _r("catalonia_201906_1", "2019_06", "2019-06-13", "Spain",
       "Catalan independence movement accounts", 130, None, _TW_2019_06),
    _r("venezuela_201906_1", "2019_06", "2019-06-13", "Venezuela",
       "accounts in manipulative behaviour related to Venezuela", 33, None, _TW_2019_06),
    # August and September 2019 (release folder 2019_08)
    _r("china_082019_1", "2019_08", "2019-08-19", "China",
       "accounts sowing discord about the Hong Kong protests", None, None,
       "Twitter Safety blog, 19 Aug 2019", note=_CHINA_2019),
    _r("china_082019_2", "2019_08", "2019-08-19", "China",
       "accounts sowing discord about the Hong Kong protests", None, None,
       "Twitter Safety blog, 19 Aug 2019", note=_CHINA_2019),
    _r("china_082019_3", "2019_08", "2019-09-20", "China",
       "accounts sowing discord about the Hong Kong protests", None, None, _TW_2019_09,
       patterns=(PLAIN, PREFIXED, PART), split="numbered", note=_CHINA_2019),
    _r("ecuador_082019_1", "2019_08", "2019-09-20", "Ecuador",
       "accounts tied to the governing party", None, None, _TW_2019_09),
    _r("egypt_uae_082019_1", "2019_08", "2019-09-20", "United Arab Emirates and Egypt",
       "DotDev network targeting Qatar and Iran", 273, None, _TW_2019_09,
       note="another report gives 267"),
    _r("saudi_arabia_082019_1", "2019_08", "2019-09-20", "Saudi Arabia",
       "accounts tied to Saudi state-run media", 6, None, _TW_2019_09),
    _r("spain_082019_1", "2019_08", "2019-09-20", "Spain",
       "accounts boosting the Popular Party", 259, None, _TW_2019_09),
    _r("uae_082019_1", "2019_08", "2019-09-20", "United Arab Emirates",
       "false personas on the Yemen war and Qatar", None, None, _TW_2019_09,
       note="reported as 4,258 and as 4,248 accounts"),
    # December 2019
    _r("saudi_arabia_112019", "2019_11", "2019-12-20", "Saudi Arabia",
       "core of a spam network of over 88,000 accounts (a random sample of it)", 5_929, None,
       _TW_2019_12, patterns=_NUMBERED, split="numbered"),
    # March 2020
    _r("ghana_nigeria_032020", "2020_03", "2020-03-12", "Russia",
       "run from Ghana and Nigeria; posing as US-based, on race and civil rights", 71, None,
       _TW_2020_03),
    # April 2020 (release folder 2020_04)
    _r("egypt_022020", "2020_04", "2020-04-02", "Egypt",
       "El Fagr network, critical of Iran, Qatar and Turkey", 2_541, None, _TW_2020_04),
    _r("honduras_022020", "2020_04", "2020-04-02", "Honduras",
       "accounts retweeting the president, created for the government", 3_104, None,
       _TW_2020_04),
    _r("indonesia_022020", "2020_04", "2020-04-02", "Indonesia",
       "accounts targeting the West Papua independence movement", 795, None, _TW_2020_04),
    _r("sa_eg_ae_022020", "2020_04", "2020-04-02", "Saudi Arabia",
       "praising the Saudi leadership; run from Saudi Arabia, Egypt and the UAE", 5_350, None,
       _TW_2020_04, patterns=(PLAIN, PREFIXED, NUMBERED_PADDED), split="numbered",
       note="about 36.5 million tweets (approximate)"),
    _r("serbia_022020", "2020_04", "2020-04-02", "Serbia",
       "accounts promoting the ruling party and its leader", 8_558, None, _TW_2020_04,
       patterns=(PLAIN, PREFIXED, NUMBERED_PADDED), split="numbered",
       note="over 43 million tweets (approximate)"),
    # June 2020 (release folder 2020_05)
    _r("china_052020", "2020_05", "2020-06-11", "China",
       "core of a network with some 150,000 amplifiers", 23_750, 348_608, _SIO_2020_06),
    _r("russia_052020", "2020_05", "2020-06-11", "Russia",
       "Current Policy: pro-Kremlin, anti-opposition", 1_152, 3_434_792, _SIO_2020_06,
       patterns=_NUMBERED, split="numbered"),
    _r("turkey_052020", "2020_05", "2020-06-11", "Turkey",
       "youth wing of the ruling AKP", 7_340, 36_948_524, _SIO_2020_06,
       patterns=(*_BY_YEAR, BY_HALF_YEAR_1, BY_HALF_YEAR_2), split="year",
       note="later years are split in half-years (_YYYY_01, _YYYY_06)"),
    # October 2020 (release folders 2020_08 and 2020_09)
    _r("cuba_082020", "2020_08", "2020-10-08", "Cuba",
       "youth organisations tied to the government", 526, 4_802_243,
       f"{_SIO_2020_10}; {_TW_2020_10}"),
    _r("qatar_082020", "2020_08", "2020-10-08", "Saudi Arabia",
       "accounts impersonating Qatari political figures", 33, 220_254,
       f"{_SIO_2020_10}; {_TW_2020_10}"),
    _r("thailand_092020", "2020_09", "2020-10-08", "Thailand",
       "Royal Thai Army", 926, 21_385, f"{_SIO_2020_10}; {_TW_2020_10}"),
    _r("iran_092020", "2020_09", "2020-10-08", "Iran",
       "mostly compromised accounts on US racial justice (identities hashed)", 104, None,
       _TW_2020_10),
    _r("ira_092020", "2020_09", "2020-10-08", "Russia",
       "IRA accounts tied to the PeaceData site", 5, 1_368, f"{_SIO_2020_10}; {_TW_2020_10}"),
    # February 2021 (release folder 2020_12): the counts of PUBLISHED
    *(_r(p.dataset, "2020_12", "2021-02-23", country, summary, p.accounts, p.tweets, p.source)
      for p, country, summary in (
          (PUBLISHED["iran_202012"], "Iran", "state-linked; some disrupted the first 2020 US "
           "presidential debate"),
          (PUBLISHED["GRU_202012"], "Russia", "tied to Russian state actors (GRU); anti-NATO"),
          (PUBLISHED["IRA_202012"], "Russia", "linked to the Internet Research Agency"),
          (PUBLISHED["armenia_202012"], "Armenia", "tied to the government; targeting "
           "Azerbaijan"),
      )),
    # December 2021 (release folder 2021_12): tweets split by year
    _r("CNHU_0621", "2021_12", "2021-12-02", "China",
       "CCP narratives on Xinjiang (government attribution)", 2_048, 31_269,
       f"{_TW_2021_12} (2,048 accounts); {_SIO_2021_12} (2,016 accounts, 31,269 tweets)",
       patterns=_BY_YEAR, split="year"),
    _r("CNCC_0621", "2021_12", "2021-12-02", "China",
       "Changyu Culture, a company backed by the Xinjiang government", 112, 35_924,
       f"{_TW_2021_12}; {_SIO_2021_12}", patterns=_BY_YEAR, split="year"),
    _r("MX_0621", "2021_12", "2021-12-02", "Mexico",
       "civic content supporting government initiatives", 276, 19_277,
       f"{_TW_2021_12}; {_SIO_2021_12}", patterns=_BY_YEAR, split="year"),
    _r("RNA_0621", "2021_12", "2021-12-02", "Russia",
       "Internet Research Agency, North Africa", None, None,
       f"{_TW_2021_12}; {_SIO_2021_12}", patterns=_BY_YEAR, split="year", note=_RUSSIA_0621),
    _r("REA_0621", "2021_12", "2021-12-02", "Russia",
       "Internet Research Agency, East Africa (accounts claiming sub-Saharan Africa)", None,
       None, f"{_TW_2021_12}; {_SIO_2021_12}", patterns=_BY_YEAR, split="year",
       note=_RUSSIA_0621),
    _r("Tanzania_0621", "2021_12", "2021-12-02", "Tanzania",
       "bad-faith reports against FichuaTanzania; pro-government", 268, None,
       f"{_TW_2021_12}; {_SIO_2021_12}", patterns=_BY_YEAR, split="year"),
    _r("uganda_0621", "2021_12", "2021-12-02", "Uganda",
       "supporting President Museveni and the NRM", 418, None, _TW_2021_12,
       patterns=_BY_YEAR, split="year"),
    _r("Venezuela_0621", "2021_12", "2021-12-02", "Venezuela",
       "political spam through the 'Twitter Patria' app", 277, 860_060,
       f"{_TW_2021_12}; {_SIO_2021_12}", patterns=_BY_YEAR, split="year"),
)}


def file_names(entry: ArchiveRelease | str, kind: str = "tweets") -> list[str]:
    """The file name patterns of one dataset and kind, its name and release filled in.

    Split files keep ``{year}`` or ``{n}`` as placeholders; the users file is never split.

    Examples
    --------
    >>> file_names("REA_0621")
    ['REA_0621_tweets_csv_hashed_{year}.csv', 'REA_0621_tweets_csv_hashed.csv', 'hashed_2021_12_REA_0621_REA_0621_tweets_csv_hashed.csv']
    >>> file_names("GRU_202012", "users")[1]
    'hashed_2020_12_GRU_202012_GRU_202012_users_csv_hashed.csv'
    """
    entry = RELEASES[entry] if isinstance(entry, str) else entry
    names = []
    for pattern in entry.patterns:
        if kind != "tweets" and "_tweets_" in pattern:
            continue  # split patterns are for the tweets file only
        names.append(pattern.replace("{n:02d}", "{nn}").format(
            name=entry.name, release=entry.release, kind=kind, year="{year}", n="{n}",
            nn="{n:02d}"))
    return names


def release_of(name: str) -> ArchiveRelease | None:
    """The catalogue entry of a dataset name, ignoring case (``rea_0621`` -> REA_0621)."""
    if name in RELEASES:
        return RELEASES[name]
    by_lower = {key.lower(): entry for key, entry in RELEASES.items()}
    return by_lower.get(str(name).lower())


@lru_cache(maxsize=1)
def _name_pattern() -> re.Pattern[str]:
    # A dataset name counts only as a whole token: "ira" must not match "iran_202012" or
    # "mirage", but does match "ira_tweets_csv_hashed.csv" and "data/ira/"
    names = sorted((key.lower() for key in RELEASES), key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, names)) + r")(?![a-z0-9])")


def published_counts() -> pd.DataFrame:
    """The published counts as a table.

    Returns
    -------
    DataFrame ``dataset, accounts, accounts_with_tweets, tweets, user_rows, source``.
    """
    import pandas as pd

    return pd.DataFrame([vars(p) for p in PUBLISHED.values()])


def dataset_of(name: str | Path) -> str | None:
    """The catalogued dataset a release, folder or file name refers to, or None.

    Case is ignored; a name counts only as a whole token (``ira`` is not found in
    ``iran_202012``), and the longest matching name wins.

    Examples
    --------
    >>> dataset_of("gru_202012_excerpt"), dataset_of("hashed_2021_12_CNHU_0621_CNHU_0621_users")
    ('GRU_202012', 'CNHU_0621')
    >>> dataset_of("REA_0621_tweets_csv_hashed_2019.csv"), dataset_of("iran_201901_1_tweets_csv_hashed_2.csv")
    ('REA_0621', 'iran_201901_1')
    >>> dataset_of("control") is None
    True
    """
    hits = _name_pattern().findall(str(name).lower())
    if not hits:
        return None
    entry = release_of(max(hits, key=len))
    return entry.name if entry is not None else None


def releases_table(names: Iterable[str] | None = None) -> pd.DataFrame:
    """The catalogue as a table, one row per dataset in disclosure order.

    Parameters
    ----------
    names
        Datasets to include (default: all of :data:`RELEASES`).

    Returns
    -------
    DataFrame ``name, release, disclosed, country, accounts, tweets, files, split,
    summary, note, source``; unknown counts are missing (``<NA>``), never zero.
    """
    import pandas as pd

    entries = ([require(n) for n in names] if names is not None
               else sorted(RELEASES.values(), key=lambda e: (e.disclosed, e.release)))
    rows = [{"name": e.name, "release": e.release, "disclosed": e.disclosed,
             "country": e.country, "accounts": e.accounts, "tweets": e.tweets,
             "files": " | ".join(file_names(e, "tweets")), "split": e.split,
             "summary": e.summary, "note": e.note, "source": e.source} for e in entries]
    table = pd.DataFrame(rows, columns=["name", "release", "disclosed", "country",
                                        "accounts", "tweets", "files", "split", "summary",
                                        "note", "source"])
    return table.astype({"accounts": "Int64", "tweets": "Int64"})


def require(name: str) -> ArchiveRelease:
    """The catalogue entry of ``name`` (any case); UsageError when it is not catalogued."""
    from casebook.errors import UsageError

    entry = release_of(name)
    if entry is None:
        raise UsageError(f"{name!r} is not a catalogued release",
                         hint="'casebook releases' lists them")
    return entry


@dataclass(frozen=True)
class Coverage:
    """How much of its published size a release holds.

    Attributes
    ----------
    dataset
        Catalogue or specimen dataset name.
    tweets, accounts
        In the release (accounts: distinct tweet authors).
    expected_tweets, expected_accounts
        Published counts, times the scale for the specimen.
    basis
        Where the expected counts come from, in words.
    """

    dataset: str
    tweets: int
    accounts: int
    expected_tweets: int
    expected_accounts: int
    basis: str

    @property
    def share(self) -> float:
        """The smaller of the tweet and account shares."""
        return min(self.tweets / max(self.expected_tweets, 1),
                   self.accounts / max(self.expected_accounts, 1))

    @property
    def sufficient(self) -> bool:
        return self.share >= MIN_COVERAGE

    def describe(self) -> str:
        """One sentence: what the release holds against what was published."""
        return (f"the release holds {self.tweets:,} of {self.expected_tweets:,} tweets "
                f"({self.tweets / max(self.expected_tweets, 1):.1%}) and {self.accounts:,} of "
                f"{self.expected_accounts:,} accounts ({self.basis})")


def _specimen_marker(release: ReleaseLike) -> dict[str, Any] | None:
    """The specimen's ``ground_truth.json`` of a loaded release, when it is one."""
    from casebook.discovery import is_specimen

    provenance = getattr(release, "provenance", None)
    if provenance is None or "file" not in provenance or not len(provenance):
        return None
    path = Path(str(provenance["file"].iloc[0]).split("!")[0])
    if not is_specimen(path):
        return None
    folder = path.parent
    for candidate in (folder / "ground_truth.json", folder.parent / "ground_truth.json"):
        try:
            return json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return None


def coverage(release: ReleaseLike) -> Coverage | None:
    """Compare a release with its published size; None when nothing was published
    about it (a control cohort, an unknown name, a catalogued release whose account or
    tweet count was not published).

    A specimen release is compared with the published counts of its
    ``ground_truth.json`` times its scale (accounts are kept whole up to scale 1).
    """
    tweets = release.tweets
    n_tweets = len(tweets)
    n_accounts = int(tweets["userid"].nunique()) if "userid" in tweets else 0
    marker = _specimen_marker(release)
    if marker is not None and isinstance(marker.get("published"), dict):
        scale = float(marker.get("scale", 1.0))
        published = marker["published"]
        return Coverage(
            str(marker.get("dataset", getattr(release, "name", ""))), n_tweets, n_accounts,
            round(int(published["tweets"]) * scale),
            round(int(published["accounts"]) * max(scale, 1.0)),
            f"synthetic specimen at scale {scale:g} of the published counts")
    dataset = dataset_of(getattr(release, "name", ""))
    if dataset is None:
        return None
    if dataset in PUBLISHED:  # the finer counts of the public files
        p = PUBLISHED[dataset]
        return Coverage(dataset, n_tweets, n_accounts, p.tweets, p.accounts_with_tweets,
                        "published counts, casebook.catalogue")
    entry = RELEASES[dataset]
    if entry.tweets is None or entry.accounts is None:
        return None  # nothing exact was published: no share can be stated
    return Coverage(dataset, n_tweets, n_accounts, entry.tweets, entry.accounts,
                    "published counts, casebook.catalogue")


#: Working week of the operators' country where it is not Monday to Friday (Iran works
#: Saturday to Wednesday); the time-zone inference scores office hours on it.
WORKWEEKS: dict[str, str] = {"iran_202012": "sat-wed"}


def workweek_of(dataset: str) -> str:
    """The working week to score a dataset's office hours on (``"mon-fri"`` unless known).

    Examples
    --------
    >>> workweek_of("iran_202012"), workweek_of("GRU_202012")
    ('sat-wed', 'mon-fri')
    """
    return WORKWEEKS.get(dataset_of(dataset) or dataset, "mon-fri")

