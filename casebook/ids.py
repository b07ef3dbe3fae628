"""Ids written in float notation: find them, restore the ones that can be, count the rest.

Some releases of the archive (the 2021 ones, ``RNA_0621``, ``CNHU_0621``, ``REA_0621``...)
were written by a tool that had read an id column as floating point: a tweet id such as
``1300168599085121537`` appears as ``1.3001685990851215e+18``. A float64 holds 15-17
significant digits, a tweet id 19, so the last digits are gone (ids near 1.3e18 round to
a multiple of 256). Such a value never equals an id written as an integer: replies lose
their parent, quotes and retweets their target, and a tweet written once each way is not
counted as a duplicate.

:func:`restore_float_ids` runs once per release, on the loader's Arrow tables
(:func:`casebook.load_release` calls it after parsing). Per id column it counts the values
in float notation and restores those it can *without inventing an id*:

- ``exact``: the value is an integer below 2**53, which a float64 holds exactly
  (``123456789.0``): its digits are known, it is written back as an integer;
- ``restored``: the value equals, after the same rounding (the float64 parse of every id
  written as an integer in the release), exactly one id of the release: it becomes that
  id. Tweet id columns (``tweetid``, ``in_reply_to_tweetid``, ``quoted_tweet_tweetid``,
  ``retweet_tweetid``) are matched with the release's tweet ids, user id columns
  (``in_reply_to_userid``, ``retweet_userid``) with its user ids;
- ``ambiguous`` (several ids of the release round to it) and ``unmatched`` (none does):
  the value is **kept as written**. Keeping the text (rather than a null) keeps the row a
  reply, quote or retweet for every count that asks whether the field is set, while the
  dot or exponent means it can never equal an integer id, so it joins nothing by mistake;
  :func:`is_float_notation` finds these values again.

The account ids that key the users table (``userid`` of tweets and users) are counted
and reported but not rewritten: the users table and per-account tweet counts are built
on them before this step. A numeric account id written as a float is not a hash, so its
``hashed`` flag is set to False.

The report (a JSON-ready dict, ``Release.checks["float_ids"]``) has one entry per
column with at least one value in float notation; :func:`float_id_table` shows it as a
table and :func:`describe_float_ids` as sentences (``casebook validate`` prints them).

Examples
--------
>>> import pyarrow as pa
>>> tweets = pa.table({"tweetid": ["1300168599085121537", "1300168599085121999"],
...                    "quoted_tweet_tweetid": ["1.3001685990851215e+18", None]})
>>> tweets, _, checks = restore_float_ids(tweets, None, checks={})
>>> tweets.column("quoted_tweet_tweetid").to_pylist()
['1300168599085121537', None]
>>> checks["float_ids"]["quoted_tweet_tweetid"]["restored"]
1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from casebook._frames import ReleaseLike

__all__ = [
    "ACCOUNT_KEY_COLUMNS",
    "FLOAT_NOTE",
    "TWEET_ID_COLUMNS",
    "USER_ID_COLUMNS",
    "describe_float_ids",
    "float_id_table",
    "is_float_notation",
    "restore_float_ids",
    "unjoinable_rows",
]

#: Tweet columns holding tweet ids, restored against the release's tweet ids.
TWEET_ID_COLUMNS: tuple[str, ...] = (
    "tweetid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "retweet_tweetid",
)
#: Tweet columns holding user ids of other tweets' authors, restored against the
#: release's user ids.
USER_ID_COLUMNS: tuple[str, ...] = ("in_reply_to_userid", "retweet_userid")
#: Account keys: counted and reported, never rewritten (the users table is keyed on them).
ACCOUNT_KEY_COLUMNS: tuple[str, ...] = ("userid",)

#: What a float-notation id column means for an analysis, in the report's words.
FLOAT_NOTE = "written in float notation, precision lost: cannot be joined exactly"

# Digits with a decimal point and/or an exponent. A hashed id never matches: base64 has
# no '.', and the length cap rules out a hex or base64 hash made of digits and one 'e'
# (hashes are 39-64 characters; a float64 repr is at most 24).
_FLOAT_RE = r"^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?$"
_MAX_FLOAT_CHARS = 25
#: Below this an integer is exact in float64.
_EXACT_LIMIT = float(2**53)


def is_float_notation(values: pd.Series | pa.Array | pa.ChunkedArray) -> Any:
    """Which values are an id written in float notation (``1.3001685990851215e+18``).

    Parameters
    ----------
    values
        An id column: a pandas Series of strings or an Arrow string array.

    Returns
    -------
    pandas.Series of bool (for a Series, same index) or pyarrow BooleanArray; missing
    values are False.

    Examples
    --------
    >>> is_float_notation(pd.Series(["1.2e+18", "123", "+Abc=", None])).tolist()
    [True, False, False, False]
    """
    if isinstance(values, pd.Series):
        arr = pa.array(values.astype("string[pyarrow]").array, type=pa.string())
        return pd.Series(_float_mask(arr).to_numpy(zero_copy_only=False), index=values.index,
                         dtype=bool)
    return _float_mask(values)


def _float_mask(col: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    # cheap kernels first: integer ids (all digits) and hashes (39+ characters) never
    # reach the regex, so a release without floats costs two passes, not a regex scan
    short = pc.less_equal(pc.binary_length(col), _MAX_FLOAT_CHARS)
    candidate = pc.fill_null(pc.and_(short, pc.invert(pc.ascii_is_decimal(col))), False)
    if not pc.any(candidate).as_py():
        return candidate
    kept = pc.if_else(candidate, col, pa.scalar(None, col.type))
    return pc.fill_null(pc.match_substring_regex(kept, _FLOAT_RE), False)


def _integer_ids(*cols: pa.ChunkedArray | pa.Array | None) -> np.ndarray:
    """The distinct ids written as integers in ``cols``, as sorted int64.

    Only canonical decimal text (no leading zero) within int64 counts: its integer
    prints back as the very text the release holds, so a restored id is one of its ids.
    """
    found = []
    for col in cols:
        if col is None or len(col) == 0:
            continue
        width = pc.binary_length(col)
        canonical = pc.and_(pc.ascii_is_decimal(col), pc.invert(pc.and_(
            pc.starts_with(col, "0"), pc.greater(width, 1))))
        fits = pc.or_(pc.less(width, 19), pc.and_(pc.equal(width, 19), pc.less_equal(
            col, "9223372036854775807")))  # equal widths of digits compare as numbers
        keep = pc.fill_null(pc.and_(canonical, fits), False)
        found.append(pc.cast(pc.filter(col, keep), pa.int64()).to_numpy())
    if not found:
        return np.zeros(0, np.int64)
    ordered = np.sort(np.concatenate(found))  # a plain sort: np.unique hashes, far slower here
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


class _Lookup:
    """Float64 value -> the one integer-written id that rounds to it (or ambiguity).

    Built from the release's distinct integer ids, sorted: int64 -> float64 rounds to
    nearest like the float64 parse of their text, and never reorders, so the ids that
    round alike are neighbours and one pass over the sorted values finds them.
    """

    def __init__(self, ids: np.ndarray) -> None:
        values = ids.astype(np.float64)
        starts = (np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values)
                  else np.zeros(0, np.int64))
        counts = np.diff(np.r_[starts, len(values)])
        single = starts[counts == 1]
        self.single_values = values[single]
        self.single_ids = ids[single]
        self.shared_values = values[starts[counts > 1]]

    def match(self, number: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For float values (NaN: none): the matched id (``-1``: none) and ambiguity."""
        matched = np.full(len(number), -1, dtype=np.int64)
        pos = np.searchsorted(self.single_values, number)
        ok = pos < len(self.single_values)
        ok[ok] = self.single_values[pos[ok]] == number[ok]
        matched[ok] = self.single_ids[pos[ok]]
        pos = np.searchsorted(self.shared_values, number)
        shared = pos < len(self.shared_values)
        shared[shared] = self.shared_values[pos[shared]] == number[shared]
        return matched, shared


def _restore_column(
    col: pa.ChunkedArray, lookup: _Lookup | None, *, rewrite: bool
) -> tuple[pa.ChunkedArray, dict[str, Any] | None]:
    """Restore one column; returns (column, report entry or None when nothing is floated)."""
    is_float = _float_mask(col)
    n_float = pc.sum(is_float.cast(pa.int64())).as_py() or 0
    if not n_float:
        return col, None
    present = len(col) - col.null_count
    floated = pc.if_else(is_float, col, pa.scalar(None, pa.string()))
    number = pc.cast(floated, pa.float64()).to_numpy(zero_copy_only=False)  # NaN elsewhere
    is_float_np = np.asarray(is_float.to_numpy(zero_copy_only=False), dtype=bool)
    with np.errstate(invalid="ignore"):
        whole = is_float_np & (np.floor(number) == number) & (np.abs(number) < _EXACT_LIMIT)
    ids = np.full(len(col), -1, dtype=np.int64)
    ids[whole] = number[whole].astype(np.int64)
    ambiguous = np.zeros(len(col), dtype=bool)
    if lookup is not None:
        matched, ambiguous = lookup.match(number)
        use = ~whole & (matched >= 0)
        ids[use] = matched[use]
        ambiguous &= ~whole
    found = ids >= 0
    restored = pc.cast(pa.array(ids, mask=~found), pa.string())
    # exact first: its digits are known whatever the release holds
    n_exact = int(whole.sum())
    n_restored = int(found.sum())
    n_ambiguous = int(ambiguous.sum())
    entry = {
        "rows": int(n_float),
        "present": int(present),
        "share": round(n_float / present, 4) if present else 0.0,
        "exact": int(n_exact) if rewrite else 0,
        "restored": int(n_restored - n_exact) if rewrite else 0,
        "ambiguous": int(n_ambiguous),
        "unmatched": int(n_float - n_restored - n_ambiguous) if rewrite else 0,
        "rewritten": rewrite,
    }
    if not rewrite:
        # an account key is reported only: every floated value stays as written
        entry["unmatched"] = int(n_float - n_ambiguous)
        return col, entry
    out = pc.coalesce(restored, col)
    return (out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])), entry


def restore_float_ids(
    tweets: pa.Table,
    users: pa.Table | None,
    *,
    checks: Mapping[str, Any],
) -> tuple[pa.Table, pa.Table | None, dict[str, Any]]:
    """Count and restore ids written in float notation in one release's tables.

    Parameters
    ----------
    tweets
        The release's tweets as an Arrow table of typed columns (id columns are strings);
        any subset of the id columns.
    users
        Its users table (with ``userid`` and ``hashed``), or None.
    checks
        The loader's checks so far; not modified.

    Returns
    -------
    tuple
        ``(tweets, users, checks)``: the tables with restorable ids restored, and a copy
        of ``checks`` with ``float_ids`` (column -> ``rows``, ``present``, ``share`` of the
        present values, ``exact``, ``restored``, ``ambiguous``, ``unmatched``,
        ``rewritten``; the users table's ``userid`` as ``users.userid``) and, when tweet
        ids were restored, ``duplicate_tweetids`` and ``duplicate_tweetid_examples``
        counted again.
    """
    report: dict[str, dict[str, Any]] = {}
    names = tweets.column_names
    lookups: dict[str, _Lookup] = {}

    def lookup_of(kind: str) -> _Lookup:
        # built only when a column of that kind holds a float: most releases have none
        if kind not in lookups:
            if kind == "tweet":
                found = _integer_ids(tweets.column("tweetid") if "tweetid" in names else None)
            else:
                found = _integer_ids(
                    tweets.column("userid") if "userid" in names else None,
                    users.column("userid")
                    if users is not None and "userid" in users.column_names else None,
                )
            lookups[kind] = _Lookup(found)
        return lookups[kind]

    for name in names:
        if name in TWEET_ID_COLUMNS:
            kind, rewrite = "tweet", True
        elif name in USER_ID_COLUMNS:
            kind, rewrite = "user", True
        elif name in ACCOUNT_KEY_COLUMNS:
            kind, rewrite = None, False
        else:
            continue
        column = tweets.column(name)
        if not pc.any(_float_mask(column)).as_py():
            continue  # the usual case: nothing to count or restore
        lookup = lookup_of(kind) if kind is not None else None
        col, entry = _restore_column(column, lookup, rewrite=rewrite)
        if entry is not None:
            report[name] = entry
            tweets = tweets.set_column(names.index(name), name, col)
    if users is not None and "userid" in users.column_names:
        userid = users.column("userid")
        _, entry = _restore_column(userid, None, rewrite=False)
        if entry is not None:
            report["users.userid"] = entry
            if "hashed" in users.column_names:
                # a numeric account id written as a float is not a hash
                hashed = pc.and_(users.column("hashed"), pc.invert(_float_mask(userid)))
                users = users.set_column(users.column_names.index("hashed"), "hashed", hashed)
    out = dict(checks)
    out["float_ids"] = report
    entry = report.get("tweetid")
    if entry and entry["exact"] + entry["restored"]:
        ids = tweets.column("tweetid")
        out["duplicate_tweetids"] = len(ids) - pc.count_distinct(ids, mode="all").as_py()
        series = ids.to_pandas()
        out["duplicate_tweetid_examples"] = sorted(
            series[series.duplicated(keep=False)].dropna().unique().tolist()
        )[:10]
    return tweets, users, out


def float_id_table(release: ReleaseLike | Mapping[str, Any]) -> pd.DataFrame:
    """The float-notation report of a release as a table, one row per affected column.

    Parameters
    ----------
    release
        A loaded release (its ``checks["float_ids"]``), or the report dict itself.

    Returns
    -------
    DataFrame ``column, rows, present, share, exact, restored, ambiguous, unmatched,
    rewritten``; empty when no id is in float notation. ``unmatched + ambiguous`` rows
    of a column cannot be joined to any id.
    """
    report = _report_of(release)
    columns = ["column", "rows", "present", "share", "exact", "restored", "ambiguous",
               "unmatched", "rewritten"]
    return pd.DataFrame([{"column": k, **v} for k, v in report.items()], columns=columns)


def describe_float_ids(release: ReleaseLike | Mapping[str, Any]) -> list[str]:
    """One sentence per id column with values in float notation.

    Examples
    --------
    >>> describe_float_ids({"quoted_tweet_tweetid": {"rows": 84, "present": 84, "share": 1.0,
    ...     "exact": 0, "restored": 2, "ambiguous": 0, "unmatched": 82, "rewritten": True}})[0]
    ... # doctest: +NORMALIZE_WHITESPACE
    'quoted_tweet_tweetid: 84 of 84 values (100.0%) written in float notation, precision
    lost: cannot be joined exactly; 2 restored (each equals exactly one id of the release
    after the same rounding), 82 kept as written (no id of the release matches)'
    """
    out = []
    for column, e in _report_of(release).items():
        text = (f"{column}: {e['rows']:,} of {e['present']:,} values ({e['share']:.1%}) "
                f"{FLOAT_NOTE}")
        if not e.get("rewritten", True):
            text += "; account key, kept as written (the users table is keyed on it)"
            out.append(text)
            continue
        done = []
        if e["exact"]:
            done.append(f"{e['exact']:,} restored exactly (small enough for a float to hold)")
        if e["restored"]:
            done.append(f"{e['restored']:,} restored (each equals exactly one id of the "
                        "release after the same rounding)")
        if not done:
            done.append("none restored")
        if e["ambiguous"]:
            done.append(f"{e['ambiguous']:,} ambiguous, kept as written (several ids of the "
                        "release round to it)")
        if e["unmatched"]:
            done.append(f"{e['unmatched']:,} kept as written (no id of the release matches)")
        out.append(text + "; " + ", ".join(done))
    return out


def unjoinable_rows(release: ReleaseLike | Mapping[str, Any], column: str) -> int:
    """Rows whose ``column`` holds an id in float notation that matches no single id of the
    release: a join or a count on that column cannot place them.

    An analysis that joins on an id column (a reply to its parent, a retweet to its
    target) states this number beside its result.

    Examples
    --------
    >>> unjoinable_rows({"in_reply_to_tweetid": {"rows": 3, "ambiguous": 1, "unmatched": 1}},
    ...                 "in_reply_to_tweetid")
    2
    """
    entry = _report_of(release).get(column)
    if not entry:
        return 0
    return int(entry.get("ambiguous", 0)) + int(entry.get("unmatched", 0))


def _report_of(release: ReleaseLike | Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if isinstance(release, Mapping):
        return dict(release)
    checks = getattr(release, "checks", None) or {}
    return dict(checks.get("float_ids") or {})
