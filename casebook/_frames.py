"""Shared DataFrame helpers of the analysis and presentation modules.

The one place for what several modules need to agree on: what a release looks like to
an analysis function (:class:`ReleaseLike`), UTC timestamps, ``list<string>`` columns
(which columns are lists, one row per element, one string per row) and archive ids
(decimal or hashed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._arrow import as_strings, combined
from casebook.schema import LIST, STRING

__all__ = [
    "DECIMAL_ID",
    "HASHED_ID",
    "HASH_IN_TEXT",
    "PLAIN_ID",
    "ReleaseLike",
    "explode_list",
    "hashed_flags",
    "is_hashed_id",
    "is_list_column",
    "join_lists",
    "naive",
    "rows_sharing_key",
    "sorted_codes",
    "tweets_of",
    "utc",
]


class ReleaseLike(Protocol):
    """What the analysis functions need from a :class:`casebook.Release`."""

    tweets: pd.DataFrame
    users: pd.DataFrame


def tweets_of(data: Any) -> Any:
    """The tweets of a release (its ``tweets`` frame), or ``data`` itself.

    A control cohort is given to the analysis functions as ``case.control`` (a
    :class:`casebook.Release`) or as its tweets; both mean the same.

    Examples
    --------
    >>> frame = pd.DataFrame({"userid": ["a"]})
    >>> tweets_of(frame) is frame
    True
    """
    frame = getattr(data, "tweets", None)
    return frame if isinstance(frame, pd.DataFrame) else data


# --------------------------------------------------------------------------- time


def utc(value: Any) -> pd.Timestamp:
    """One timestamp in UTC; a naive value is read as UTC."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def naive(values: Any) -> Any:
    """UTC timestamps without a time zone, for plotting on a plain date axis."""
    if isinstance(values, pd.Timestamp):
        return values.tz_convert("UTC").tz_localize(None) if values.tzinfo else values
    index = pd.DatetimeIndex(values)
    return index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index


# --------------------------------------------------------------------------- list columns


def is_list_column(values: pd.Series) -> bool:
    """True for an Arrow-backed list column (``hashtags``, ``urls``, ``user_mentions``...)."""
    return isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_list(
        values.dtype.pyarrow_dtype)


def explode_list(frame: pd.DataFrame, column: str, keep: Sequence[str] = ()) -> pd.DataFrame:
    """One row per element of a ``list<string>`` column, with ``keep`` columns repeated.

    Empty lists and missing values give no row; the index is the position of the
    parent row in ``frame``.
    """
    values = frame[column].reset_index(drop=True)
    if not isinstance(values.dtype, pd.ArrowDtype):
        values = values.astype(LIST)
    flat = values.list.flatten()
    out = frame[list(keep)].reset_index(drop=True).iloc[flat.index.to_numpy()]
    return out.assign(**{column: flat.astype(STRING).array})


def join_lists(values: pd.Series, sep: str = ", ") -> pd.Series:
    """A list column as one string per row (``a, b``), joined in pyarrow; a missing list
    stays missing, an empty one is ``""``."""
    joined = pc.binary_join(pa.array(values, type=pa.list_(pa.string())), sep)
    return pd.Series(pd.array(joined, dtype=STRING), index=values.index)


def sorted_codes(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(each row's rank among the distinct values present, -1 where missing; those values
    in sorted order, as Arrow ``large_string``).

    A categorical (as loaded: :data:`casebook.schema.CATEGORY_COLUMNS`) is ranked from
    its own codes, its unused categories dropped: its values are never decoded per row
    (4.5M account ids at specimen scale 8).
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy().astype(np.int64)
        used = np.zeros(len(values.cat.categories), bool)
        used[raw[raw >= 0]] = True
        distinct = pa.array(np.asarray(values.cat.categories, dtype=object)[used],
                            type=pa.large_string())
        raw = np.where(raw >= 0, (np.cumsum(used) - 1)[np.maximum(raw, 0)] if used.any() else raw, -1)
    else:
        enc = combined(pc.dictionary_encode(as_strings(values)))
        raw = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        distinct = enc.dictionary
    order = pc.array_sort_indices(distinct).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    codes = np.where(raw >= 0, rank[np.maximum(raw, 0)] if len(rank) else raw, -1)
    return codes, distinct.take(pa.array(order))


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    A sort and a neighbour comparison: numpy 2.4's ``np.unique`` and pandas' hash tables
    slow down on millions of distinct large integers as the table outgrows the caches
    (``np.unique`` was about 20 times slower on a release's int64 pair codes).
    """
    if len(values) == 0:
        return values
    s = np.sort(values)
    keep = np.empty(len(s), bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def rows_sharing_key(codes: np.ndarray, mine: np.ndarray | slice) -> np.ndarray:
    """Boolean mask: rows whose key code is the key of a ``mine`` row (``mine``: a
    boolean mask, positions or a slice of ``codes``).

    ``codes`` are ``pd.factorize`` codes (-1: no key, which never matches). A lookup
    table over the codes replaces ``unique`` + ``isin``: one pass, no hashing.
    """
    wanted = np.zeros(int(codes.max(initial=-1)) + 2, bool)
    wanted[codes[mine] + 1] = True
    wanted[0] = False
    return wanted[codes + 1]


# --------------------------------------------------------------------------- ids

#: A decimal id: the archive keeps the real id of accounts with 5,000 followers or more.
DECIMAL_ID = r"\d+"
_BASE64 = "A-Za-z0-9+/"
#: A hashed id: the base64 alphabet, with optional ``=`` padding.
HASHED_ID = rf"[{_BASE64}]+={{0,2}}"
#: Either kind of id as the archive writes it (what a cell of an id column holds in a
#: well-formed release): digits, or a hash of 32 base64 characters or more (40-44; 64 hex
#: digits in 2018). A short "+A1+B1" is no archive hash, and a spreadsheet computes it.
PLAIN_ID = rf"{DECIMAL_ID}|[{_BASE64}]{{32,}}={{0,2}}"
#: An archive hash inside text (40-44 base64 characters); group 1 is its first 8.
HASH_IN_TEXT = (rf"(?<![{_BASE64}])([{_BASE64}]{{8}})[{_BASE64}]{{32,35}}={{0,2}}"
                rf"(?![{_BASE64}=])")


def is_hashed_id(userids: pd.Series) -> pd.Series:
    """True where a userid was hashed by the archive (anything but a decimal number)."""
    return ~userids.astype(STRING).str.fullmatch(DECIMAL_ID).fillna(False).astype(bool)


def hashed_flags(frame: pd.DataFrame) -> pd.Series:
    """Whether each row's account was hashed: the ``hashed`` column where it is known,
    else :func:`is_hashed_id` of ``userid``."""
    guess = is_hashed_id(frame["userid"])
    if "hashed" not in frame:
        return guess
    return frame["hashed"].astype("boolean").fillna(guess).astype(bool)
