"""What was published about each release: its size, with the sources, and how much of
it a loaded release holds.

A claim about a network can only be tested on (most of) that network. The counts below
are the ones Twitter and the Stanford Internet Observatory published for the ``2020_12``
disclosure; :func:`coverage` compares a loaded release with them, and the claims ledger
(:mod:`casebook.claims`) says "insufficient data" when the release holds under
:data:`MIN_COVERAGE` of the published tweets or accounts (the 274-tweet excerpt of
``GRU_202012`` holds 1% of its tweets).

The synthetic specimen is written at a scale (0.15 by default: 15% of the published
tweets, every published account); its ``ground_truth.json`` states the scale, and a
specimen release is compared with the published counts *times that scale*, so the
default specimen is complete for what it is, while a specimen cut down to a few hundred
rows is not.

Examples
--------
>>> PUBLISHED["GRU_202012"].tweets
26684
>>> dataset_of("gru_202012_excerpt")
'GRU_202012'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from casebook._frames import ReleaseLike

__all__ = [
    "MIN_COVERAGE",
    "PUBLISHED",
    "SIO_2021",
    "WORKWEEKS",
    "Coverage",
    "Published",
    "coverage",
    "dataset_of",
    "published_counts",
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


def published_counts() -> pd.DataFrame:
    """The published counts as a table.

    Returns
    -------
    DataFrame ``dataset, accounts, accounts_with_tweets, tweets, user_rows, source``.
    """
    return pd.DataFrame([vars(p) for p in PUBLISHED.values()])


def dataset_of(name: str) -> str | None:
    """The catalogue dataset a release name refers to (``gru_202012_excerpt`` ->
    ``GRU_202012``), or None. Case is ignored; the longest matching name wins."""
    low = str(name).lower()
    hits = [d for d in PUBLISHED if d.lower() in low]
    return max(hits, key=len) if hits else None


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
    about it (a control cohort, an unknown name).

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
    p = PUBLISHED[dataset]
    return Coverage(dataset, n_tweets, n_accounts, p.tweets, p.accounts_with_tweets,
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
