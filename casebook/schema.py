"""Column names and dtypes of a loaded release: the contract every module relies on.

The archive files are CSV with every field quoted; :func:`casebook.load_release`
turns them into two pandas DataFrames with the dtypes documented here.

``Release.tweets`` (one row per tweet)
    tweet-level columns of the archive, plus the author's ``userid``,
    ``user_screen_name`` and ``user_display_name``. Account snapshot columns
    (location, description, follower counts, creation date, account language)
    live in ``Release.users``; ``tweets.merge(users, on="userid")`` restores
    the archive's wide rows.

``Release.users`` (one row per account)
    the users file when one is given, otherwise derived from the tweet rows
    (the profile is a snapshot at suspension, repeated on every row). Adds
    ``hashed`` (the archive replaced the id and names by a hash) and
    ``tweet_count`` (tweets in this release).

Dtypes
------
- every id column and every free-text column: ``string`` (``pd.StringDtype("pyarrow")``);
  an empty field is ``<NA>``. Ids are never numbers: hashed ids are base64-like
  (``+/=``) and numeric ids exceed float precision.
- in ``Release.tweets``, the columns of :data:`CATEGORY_COLUMNS` (the author's
  ``userid``, ``user_screen_name`` and ``user_display_name``, ``tweet_language``,
  ``tweet_client_name``): ``category``, whose categories are the column's distinct
  strings in sorted order. A value repeated on millions of rows is held once (as
  strings these columns took 610 of the 2,069 MB of a release of 4.5M tweets); comparisons,
  ``isin``, ``groupby``, ``merge``, sorting and the ``.str`` methods work as on strings,
  and a missing value is ``NaN``. ``.astype(schema.STRING)`` gives a string column. A
  filtered frame keeps every category: ``value_counts()`` then lists the unused ones
  with 0 (``groupby`` drops them).
- ``tweet_time``: ``datetime64[ns, UTC]`` (the archive's minute-resolution UTC clock).
- ``account_creation_date``: ``datetime64[ns]`` at midnight, no time zone (a calendar date).
- counts: ``Int64`` (nullable integer).
- ``is_retweet``: ``boolean`` (``true``/``false``/``True``/``False``).
- ``latitude``/``longitude``: ``boolean``, True where the archive says ``present``
  (a location was attached; the value itself is withheld), False for ``absent``,
  ``<NA>`` for an empty field. A numeric value (older releases) also maps to True.
- ``hashtags``/``urls``/``user_mentions``/``poll_choices``: ``list<string>[pyarrow]``
  (``pd.ArrowDtype(pa.list_(pa.string()))``); an empty field is an empty list.
  Element access gives a Python ``list``; ``Series.list.len()``,
  ``Series.list.flatten()`` and ``DataFrame.explode`` work on them.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

STRING = pd.StringDtype("pyarrow")
LIST = pd.ArrowDtype(pa.list_(pa.string()))
TIME = pd.DatetimeTZDtype("ns", "UTC")
DATE = "datetime64[ns]"
COUNT = "Int64"
BOOL = "boolean"
#: Strings held as a pandas categorical (:data:`CATEGORY_COLUMNS`).
CATEGORY = pd.CategoricalDtype()

#: Tweet columns in the order of the 2020_12 archive files (30 columns).
ARCHIVE_TWEET_COLUMNS: tuple[str, ...] = (
    "tweetid", "userid", "user_display_name", "user_screen_name",
    "user_reported_location", "user_profile_description", "user_profile_url",
    "follower_count", "following_count", "account_creation_date", "account_language",
    "tweet_language", "tweet_text", "tweet_time", "tweet_client_name",
    "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "is_retweet", "retweet_userid", "retweet_tweetid", "latitude", "longitude",
    "quote_count", "reply_count", "like_count", "retweet_count",
    "hashtags", "urls", "user_mentions",
)

#: Users-file columns (10), in archive order.
ARCHIVE_USER_COLUMNS: tuple[str, ...] = (
    "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count",
    "following_count", "account_creation_date", "account_language",
)

#: Account-level snapshot columns: in the tweets file they repeat on every row.
PROFILE_COLUMNS: tuple[str, ...] = ARCHIVE_USER_COLUMNS[3:]

#: Tweet columns of few distinct values over many rows, held as categoricals of strings
#: (:data:`CATEGORY`): an account's id and names repeat on each of its tweets.
CATEGORY_COLUMNS: tuple[str, ...] = (
    "userid", "user_display_name", "user_screen_name", "tweet_language", "tweet_client_name",
)

#: dtypes of ``Release.tweets``; ``poll_choices`` appears only when the release has it.
TWEET_DTYPES: dict[str, object] = {
    "tweetid": STRING, "userid": CATEGORY, "user_display_name": CATEGORY,
    "user_screen_name": CATEGORY, "tweet_language": CATEGORY, "tweet_text": STRING,
    "tweet_time": TIME, "tweet_client_name": CATEGORY, "in_reply_to_userid": STRING,
    "in_reply_to_tweetid": STRING, "quoted_tweet_tweetid": STRING, "is_retweet": BOOL,
    "retweet_userid": STRING, "retweet_tweetid": STRING, "latitude": BOOL,
    "longitude": BOOL, "quote_count": COUNT, "reply_count": COUNT, "like_count": COUNT,
    "retweet_count": COUNT, "hashtags": LIST, "urls": LIST, "user_mentions": LIST,
}
OPTIONAL_TWEET_DTYPES: dict[str, object] = {"poll_choices": LIST}

#: dtypes of ``Release.users``.
USER_DTYPES: dict[str, object] = {
    "userid": STRING, "user_display_name": STRING, "user_screen_name": STRING,
    "user_reported_location": STRING, "user_profile_description": STRING,
    "user_profile_url": STRING, "follower_count": COUNT, "following_count": COUNT,
    "account_creation_date": DATE, "account_language": STRING, "hashed": BOOL,
    "tweet_count": COUNT,
}

#: Columns a tweets file must have (others are optional and filled with <NA>).
REQUIRED_TWEET_COLUMNS: tuple[str, ...] = ("tweetid", "userid", "tweet_time")
#: Columns a users file must have.
REQUIRED_USER_COLUMNS: tuple[str, ...] = ("userid",)

#: camelCase headers seen in at least one users file, mapped to archive names.
HEADER_ALIASES: dict[str, str] = {
    "userDisplayName": "user_display_name", "userScreenName": "user_screen_name",
    "userReportedLocation": "user_reported_location",
    "userProfileDescription": "user_profile_description",
    "userProfileUrl": "user_profile_url", "followerCount": "follower_count",
    "followingCount": "following_count", "accountCreationDate": "account_creation_date",
    "accountLanguage": "account_language", "userId": "userid", "userid": "userid",
    "tweetId": "tweetid",
}
