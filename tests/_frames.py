"""Small synthetic frames with the exact dtypes of :mod:`casebook.schema`.

Used by the analysis tests (accounts, activity, content, claims). Every random
draw takes a seed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from casebook.paths import shared_dir
from casebook.schema import LIST, TWEET_DTYPES, USER_DTYPES

REAL_EXCERPT = shared_dir() / "fixtures" / "real" / "gru_202012_excerpt_a.csv"


def load_real_excerpt() -> Any:
    """The real GRU excerpt through :func:`casebook.load_release`; skips the test when
    ../shared is absent."""
    import pytest

    if not REAL_EXCERPT.is_file():
        pytest.skip(f"real archive excerpt not found at {REAL_EXCERPT} (../shared is absent)")
    from casebook import load_release

    return load_release(REAL_EXCERPT, cache=False)


def make_tweets(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A ``Release.tweets`` frame: given values, every other column missing (empty lists
    for list columns), cast to the schema dtypes. ``tweetid`` defaults to the row number."""
    rows = list(rows)
    data: dict[str, Any] = {}
    for column, dtype in TWEET_DTYPES.items():
        if column == "tweetid":
            values = [r.get("tweetid", str(i)) for i, r in enumerate(rows)]
        elif dtype == LIST:
            values = [list(r.get(column) or []) for r in rows]
        else:
            values = [r.get(column) for r in rows]
        if column == "tweet_time":
            data[column] = pd.to_datetime(pd.Series(values, dtype="object"), utc=True)
        else:
            data[column] = pd.Series(values, dtype="object")
    frame = pd.DataFrame(data)
    return frame.astype(TWEET_DTYPES) if len(frame) else _empty_tweets()


def _empty_tweets() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in TWEET_DTYPES.items()})


def make_users(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A ``Release.users`` frame cast to the schema dtypes. ``hashed`` defaults to
    "userid is not a number"."""
    rows = list(rows)
    data: dict[str, Any] = {}
    for column in USER_DTYPES:
        values = [r.get(column) for r in rows]
        if column == "hashed":
            values = [r.get("hashed", not str(r.get("userid", "")).isdigit()) for r in rows]
        if column == "account_creation_date":
            data[column] = pd.to_datetime(pd.Series(values, dtype="object"))
        else:
            data[column] = pd.Series(values, dtype="object")
    frame = pd.DataFrame(data)
    return frame.astype(USER_DTYPES) if len(frame) else pd.DataFrame(
        {c: pd.Series(dtype=d) for c, d in USER_DTYPES.items()})


@dataclass
class FakeRelease:
    """Stand-in for :class:`casebook.Release` (the attributes the analysis reads)."""

    tweets: pd.DataFrame
    users: pd.DataFrame
    name: str = "synthetic"
    provenance: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)


def users_from_tweets(tweets: pd.DataFrame, **extra: Mapping[str, Any]) -> pd.DataFrame:
    """One user row per author of ``tweets``; ``extra[userid]`` adds profile fields."""
    counts = tweets.groupby("userid").size()
    rows = []
    for userid, n in counts.items():
        rows.append({"userid": userid, "user_screen_name": userid, "user_display_name": userid,
                     "tweet_count": int(n)} | dict(extra.get(str(userid), {})))
    return make_users(rows)


def office_rhythm(utc_offset: float, *, n: int = 3000, seed: int = 0,
                  workdays: Sequence[int] = (0, 1, 2, 3, 4),
                  hours: tuple[float, float] = (9.0, 18.0),
                  evening_share: float = 0.05, evening: tuple[float, float] = (18.0, 20.0),
                  start: str = "2020-01-06", weeks: int = 26,
                  userids: Sequence[str] = ("a1", "a2", "a3")) -> pd.DataFrame:
    """Tweets from operators working ``hours`` local time on ``workdays``, plus a
    lighter evening tail, written in UTC with the archive's minute resolution."""
    rng = np.random.default_rng(seed)
    local_days = pd.date_range(start, periods=weeks * 7, freq="D")
    work = local_days[np.isin(local_days.day_of_week, list(workdays))]
    day = work[rng.integers(0, len(work), size=n)]
    in_evening = rng.random(n) < evening_share
    lo = np.where(in_evening, evening[0], hours[0]) * 60
    hi = np.where(in_evening, evening[1], hours[1]) * 60
    minute = np.floor(lo + rng.random(n) * (hi - lo)).astype(int)
    local = day + pd.to_timedelta(minute, unit="min")
    utc = (local - pd.Timedelta(minutes=round(utc_offset * 60))).tz_localize("UTC")
    users = rng.choice(list(userids), size=n)
    return make_tweets({"userid": u, "tweet_time": t, "tweet_text": "text"}
                       for u, t in zip(users, utc, strict=True))
