"""Writers of archive files that carry every quirk seen in the real excerpts.

The real excerpts in ``../shared/fixtures/real/`` (see its README) are not part of the
repository; these writers reproduce what they show, so a clone without ``../shared``
still tests it:

2020_12 format (``GRU_202012``)
    lowercase ``true``/``false``; Cyrillic and Arabic text; raw newlines inside fields;
    ``absent`` coordinates; Python list literals; hashed ids of 41-44 characters, many
    starting with a digit; one numeric (unhashed) account.
2021 format (``RNA_0621``, ``CNHU_0621``, and ``REA_0621`` in the issue)
    the same 30 columns in the same order as 2020_12 (checked on both excerpts);
    capitalised ``True``/``False``; one tweets file per year
    (``CNHU_0621_tweets_csv_hashed_2020.csv``); id columns written in float notation with
    the precision lost (every ``quoted_tweet_tweetid``, ``retweet_tweetid`` in CNHU, every
    ``in_reply_to_tweetid`` in REA); hashed ids of 39-44 characters starting with a digit
    or ``+``; ``&amp;`` entities; duplicate items inside list columns; a retweet
    ("RT @...") whose ``retweet_userid`` is empty; doubled backslashes in place of
    apostrophes; columns empty throughout (``user_reported_location``,
    ``user_profile_url``, ``in_reply_to_userid``, ``retweet_userid``).
Other releases (FACTS.md)
    ``in_reply_to_tweetid`` before ``in_reply_to_userid`` (the archive README's order):
    :data:`README_ORDER`.

Float notation is written the way the publishing tool wrote it: ``repr(float(id))``
(the shortest text that reads back as the same float64), e.g. ``1.3001685990851215e+18``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from casebook import schema
from tests.conftest import archive_bytes, tweet_row

#: Hashed ids as the 2021 files write them: shorter than 44 characters, starting with a
#: digit or ``+`` (shapes copied from the real excerpts, characters made up).
HASH_DIGIT = "2n502dWt0IYpFTpgH9KfUxJBEETXDBUXSmaSjIt9Ds="  # 43, starts with a digit
HASH_PLUS = "+prct8PuKdtd0J+DUSlUA+lrM460yF8w6hDCa29l3Jw="  # 44, starts with '+'
HASH_SHORT = "7fH4CxlOsqMUiY8X+Lj2kWzFBWbqTZYItk+BNo="  # 39
HASH_E = "k7Kk9FskroCxm+3a2wImNtcN9Zq2e+jMhpSABaE2JCw="  # holds 'e+': not a float
#: A numeric (unhashed) account, and a small numeric id a float holds exactly.
NUMERIC_USER = "1255041447337758720"
SMALL_USER = "123456789"

#: The archive README's order: in_reply_to_tweetid before in_reply_to_userid.
README_ORDER: tuple[str, ...] = tuple(
    {"in_reply_to_userid": "in_reply_to_tweetid", "in_reply_to_tweetid": "in_reply_to_userid"}
    .get(c, c) for c in schema.ARCHIVE_TWEET_COLUMNS
)


def float_id(value: int | str) -> str:
    """An id as the 2021 files write it: ``1300168599085121537`` -> ``1.3001685990851215e+18``."""
    return repr(float(int(value)))


def write_rows(path: Path, rows: Sequence[Sequence[str]],
               header: Sequence[str] = schema.ARCHIVE_TWEET_COLUMNS) -> Path:
    """Write archive rows (every field quoted, ``\\n`` endings, a final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(archive_bytes(rows, header))
    return path


# Tweet ids of the fixture release. BASE is a multiple of 256, so BASE and BASE + 1
# round to the same float64 (ids near 1.3e18 are 256 apart as floats): an ambiguous pair.
BASE = 1_300_168_599_085_121_536
IN_2019 = ("1187654321098765313", "1187654321098765444")
IN_2020 = (str(BASE), str(BASE + 1), "1300168599085122817", "1334039240783528000")
OUTSIDE = ("1207965844074107000", "1342053265328881700")  # not tweets of the release


@dataclasses.dataclass(frozen=True)
class QuirkRelease:
    """A written fixture release and what a correct load must find in it.

    Attributes
    ----------
    folder
        The release folder.
    files
        The files written, in order.
    float_ids
        Column -> expected counts (``rows``, ``present``, ``exact``, ``restored``,
        ``ambiguous``, ``unmatched``) of :func:`casebook.ids.restore_float_ids`.
    restored
        ``(tweetid of the row, column) -> value after the load``.
    kept
        ``(tweetid of the row, column) -> value kept as written``.
    """

    folder: Path
    files: tuple[Path, ...]
    float_ids: dict[str, dict[str, int]]
    restored: dict[tuple[str, str], str]
    kept: dict[tuple[str, str], str]


def _row(fmt: str, **values: str) -> list[str]:
    """A tweets row; ``fmt="2021"`` capitalises the booleans as the 2021 files do."""
    values.setdefault("is_retweet", "false")
    if fmt == "2021":
        values["is_retweet"] = values["is_retweet"].capitalize()
    for column in ("user_display_name", "user_screen_name"):
        values.setdefault(column, values.get("userid", tweet_row()[1]))
    return tweet_row(**values)


def write_2021_release(folder: Path, code: str = "REA_0621") -> QuirkRelease:
    """A 2021-format release in ``folder``: per-year files, float ids and every other quirk.

    Parameters
    ----------
    folder
        Where to write (created).
    code
        The operation code in the file names (``REA_0621``, ``CNHU_0621``...).

    Returns
    -------
    QuirkRelease
    """
    f = "2021"
    rows_2019 = [
        _row(f, tweetid=IN_2019[0], userid=HASH_DIGIT, tweet_time="2019-05-01 10:00",
             tweet_text="Dozens of gunmen &amp;selling them.\nSecond line",
             hashtags="['covid19', 'Bangui', 'RCA', 'RCA']"),
        _row(f, tweetid=IN_2019[1], userid=NUMERIC_USER, tweet_time="2019-06-01 10:00",
             user_display_name="Big Outlet", user_screen_name="BigOutlet",
             tweet_text="What\\\\s more miserable than discontent?",
             user_mentions="['725585042563600384', '866544645274316800', '725585042563600384']"),
    ]
    rows_2020 = [
        _row(f, tweetid=IN_2020[0], userid=HASH_PLUS, tweet_time="2020-01-21 11:18",
             tweet_text="Россия и Турция", tweet_client_name="TweetDeck"),
        _row(f, tweetid=IN_2020[1], userid=HASH_PLUS, tweet_time="2020-01-21 11:18",
             tweet_text="سوريا"),
        # replies: to a tweet of the release (restorable), to an outside tweet, to one of
        # the two ids that round alike (ambiguous); the user ids: a numeric account of
        # the release (restorable), a small id a float holds exactly
        _row(f, tweetid=IN_2020[2], userid=HASH_SHORT, tweet_time="2020-02-04 10:39",
             in_reply_to_tweetid=float_id(IN_2019[0]), in_reply_to_userid=float_id(NUMERIC_USER),
             quoted_tweet_tweetid=float_id(IN_2019[1])),
        _row(f, tweetid=IN_2020[3], userid=HASH_E, tweet_time="2020-12-01 09:00",
             in_reply_to_tweetid=float_id(OUTSIDE[0]), in_reply_to_userid=SMALL_USER + ".0",
             quoted_tweet_tweetid=float_id(OUTSIDE[1])),
        _row(f, tweetid="1334039240783529001", userid=HASH_E, tweet_time="2020-12-02 09:00",
             in_reply_to_tweetid=float_id(BASE), quoted_tweet_tweetid=float_id(OUTSIDE[0])),
        # a retweet: "RT @<hash>:" text, empty retweet_userid, float retweet_tweetid
        _row(f, tweetid="1334039240783529002", userid=HASH_DIGIT, tweet_time="2020-12-03 09:00",
             is_retweet="true", tweet_text=f"RT @{HASH_PLUS}: Россия и Турция",
             retweet_tweetid=float_id(IN_2020[2]),
             user_mentions=f"['{NUMERIC_USER}']"),
        # the same tweet written once as an integer (2019 file) and once as a float
        _row(f, tweetid=float_id(IN_2019[1]), userid=NUMERIC_USER, tweet_time="2019-06-01 10:00",
             user_display_name="Big Outlet", user_screen_name="BigOutlet",
             tweet_text="What\\\\s more miserable than discontent?"),
    ]
    files = (
        write_rows(folder / f"{code}_tweets_csv_hashed_2019.csv", rows_2019),
        write_rows(folder / f"{code}_tweets_csv_hashed_2020.csv", rows_2020),
    )
    zero = {"exact": 0, "restored": 0, "ambiguous": 0, "unmatched": 0}
    float_ids = {
        "tweetid": {**zero, "rows": 1, "present": 9, "restored": 1},
        "in_reply_to_tweetid": {**zero, "rows": 3, "present": 3, "restored": 1, "ambiguous": 1,
                                "unmatched": 1},
        "in_reply_to_userid": {**zero, "rows": 2, "present": 2, "exact": 1, "restored": 1},
        "quoted_tweet_tweetid": {**zero, "rows": 3, "present": 3, "restored": 1,
                                 "unmatched": 2},
        "retweet_tweetid": {**zero, "rows": 1, "present": 1, "restored": 1},
    }
    restored = {
        (IN_2020[2], "in_reply_to_tweetid"): IN_2019[0],
        (IN_2020[2], "in_reply_to_userid"): NUMERIC_USER,
        (IN_2020[2], "quoted_tweet_tweetid"): IN_2019[1],
        (IN_2020[3], "in_reply_to_userid"): SMALL_USER,
        ("1334039240783529002", "retweet_tweetid"): IN_2020[2],
    }
    kept = {
        (IN_2020[3], "in_reply_to_tweetid"): float_id(OUTSIDE[0]),
        (IN_2020[3], "quoted_tweet_tweetid"): float_id(OUTSIDE[1]),
        ("1334039240783529001", "in_reply_to_tweetid"): float_id(BASE),
    }
    return QuirkRelease(folder, files, float_ids, restored, kept)


def write_2020_12_release(folder: Path, code: str = "GRU_202012",
                          header: Sequence[str] = schema.ARCHIVE_TWEET_COLUMNS) -> Path:
    """A 2020_12-format tweets file (lowercase booleans, integer ids); returns its path.

    ``header=README_ORDER`` writes the columns in the archive README's order.
    """
    rows = [
        _row("2020_12", tweetid="1229734494892101633", userid=HASH_E,
             tweet_text="after the #US convoy in #Syria", hashtags="['US', 'Syria']",
             in_reply_to_tweetid="1229734494892101000", in_reply_to_userid=NUMERIC_USER),
        _row("2020_12", tweetid="785633767285141504", userid=NUMERIC_USER, is_retweet="true",
             tweet_text="Россия и Турция\nподписали", retweet_tweetid="1229734494892101633"),
    ]
    by_name = [dict(zip(schema.ARCHIVE_TWEET_COLUMNS, r, strict=True)) for r in rows]
    return write_rows(
        folder / f"hashed_2020_12_{code}_{code}_tweets_csv_hashed.csv",
        [[r[c] for c in header] for r in by_name], header,
    )
