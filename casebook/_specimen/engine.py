"""Vectorised machinery of the specimen generator.

A dataset recipe builds a *roster* (one row per account) and a :class:`Plan` (one row per
tweet: author, UTC minute, kind, topic, retweet/reply target, coordination group). The
renderer turns both into the archive's 30 tweet columns and 10 user columns. Every step
works on whole numpy/pyarrow arrays; Python loops run over topics, personas or groups,
never over tweets or pairs of accounts.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._specimen.vocab import (
    DESCRIPTIONS,
    FIRST_NAMES,
    LAST_NAMES,
    NOISE_LANGS,
    PLACES,
    REPLY_PHRASES,
    SLUG_EN,
    Topic,
)
from casebook.schema import ARCHIVE_TWEET_COLUMNS, ARCHIVE_USER_COLUMNS

STR = pa.large_string()
ORIGINAL, RETWEET, REPLY = 0, 1, 2
#: ``Plan.rt``/``Plan.reply`` codes: pick a network tweet, or an outside one.
AUTO, EXTERNAL = -1, -2

SNOWFLAKE_EPOCH_MS = 1288834974657
EXTERNAL_DC = 31
HASH_FOLLOWER_THRESHOLD = 5000

TCO_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
YT_ALPHABET = TCO_ALPHABET + b"-_"
HEX_ALPHABET = b"0123456789abcdef"

# ---------------------------------------------------------------------------------------
# Small array helpers
# ---------------------------------------------------------------------------------------


def lit(value: str) -> pa.Scalar:
    return pa.scalar(value, STR)


def _as_str(x: Any) -> Any:
    if isinstance(x, str):
        return lit(x)
    if isinstance(x, pa.ChunkedArray):
        x = x.combine_chunks()
    if isinstance(x, pa.Array) and x.type != STR:
        return x.cast(STR)
    return x


def cat(*parts: Any) -> pa.Array:
    """Element-wise concatenation of string arrays and scalars (no separator)."""
    return pc.binary_join_element_wise(*[_as_str(p) for p in parts], lit(""))


def where(cond: Any, a: Any, b: Any) -> pa.Array:
    return pc.if_else(cond, _as_str(a), _as_str(b))


def sarr(values: Any) -> pa.Array:
    return pa.array(values, type=STR)


def repeat(value: str, n: int) -> pa.Array:
    return pa.repeat(lit(value), n)


def num_str(values: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values)).cast(STR)


def tokens(rng: np.random.Generator, n: int, length: int, alphabet: bytes = TCO_ALPHABET) -> pa.Array:
    """``n`` random strings of ``length`` characters from ``alphabet``."""
    if n == 0:
        return sarr([])
    table = np.frombuffer(alphabet, dtype=np.uint8)
    codes = np.ascontiguousarray(table[rng.integers(0, len(table), size=(n, length))])
    return pa.array(codes.view(f"S{length}").ravel()).cast(STR)


def scatter(n: int, pieces: Sequence[tuple[np.ndarray, pa.Array]], fill: str = "") -> pa.Array:
    """Assemble a length-``n`` array from (row indices, values) pieces; other rows get ``fill``."""
    pieces = [(np.asarray(i, dtype=np.int64), _as_str(v)) for i, v in pieces if len(i)]
    idx = np.concatenate([p[0] for p in pieces]) if pieces else np.empty(0, np.int64)
    covered = np.zeros(n, dtype=bool)
    covered[idx] = True
    missing = np.flatnonzero(~covered)
    values = [p[1] for p in pieces] + [repeat(fill, len(missing))]
    allvals = pa.concat_arrays(values)
    where_in = np.empty(n, dtype=np.int64)
    where_in[np.concatenate([idx, missing])] = np.arange(n, dtype=np.int64)
    return allvals.take(pa.array(where_in))


def take(arr: pa.Array, idx: np.ndarray) -> pa.Array:
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct indices drawn with probability proportional to ``weights``."""
    w = np.asarray(weights, dtype=float)
    k = int(min(max(k, 0), np.count_nonzero(w > 0)))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    with np.errstate(divide="ignore"):
        keys = np.where(w > 0, rng.exponential(size=len(w)) / w, np.inf)
    return np.sort(np.argpartition(keys, k - 1)[:k])


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer split of ``total`` proportional to ``weights`` (deterministic)."""
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    raw = w / w.sum() * total
    out = np.floor(raw).astype(np.int64)
    short = int(total - out.sum())
    if short > 0:
        order = np.argsort(-(raw - out), kind="stable")[:short]
        out[order] += 1
    return out


def ascii_fold(text: str) -> str:
    text = text.replace("ə", "e").replace("Ə", "E").replace("ı", "i").replace("İ", "I")
    norm = unicodedata.normalize("NFKD", text)
    return "".join(c for c in norm if c.isascii() and (c.isalnum() or c == "_"))


# ---------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------


def day(s: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int(np.datetime64(s, "D").astype(np.int64))


def minute(s: str) -> int:
    """Minutes since 1970-01-01 00:00 UTC of an ISO date-time."""
    return int(np.datetime64(s, "m").astype(np.int64))


def fmt_minutes(m: np.ndarray) -> pa.Array:
    """``YYYY-MM-DD HH:MM`` strings of minute counts."""
    iso = np.datetime_as_string(np.asarray(m, dtype="datetime64[m]"), unit="m")
    return pc.replace_substring(sarr(iso), "T", " ")


def fmt_days(d: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(d, dtype="datetime64[D]"), unit="D")


HOURS: dict[str, np.ndarray] = {
    # local hour-of-day weights; "office" is a 09:00-18:00 working day with a lunch dip,
    # the day casebook.activity.infer_utc_offset assumes by default
    "office": np.array([0.07, 0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.2, 0.6, 1.1, 1.3, 1.35,
                        1.3, 0.9, 1.0, 1.25, 1.2, 1.1, 0.8, 0.4, 0.25, 0.2, 0.15, 0.1]),
    "broadcast": np.array([0.25, 0.15, 0.1, 0.08, 0.08, 0.15, 0.4, 0.8, 1.1, 1.2, 1.2, 1.2,
                           1.1, 1.1, 1.2, 1.2, 1.15, 1.1, 1.0, 0.9, 0.8, 0.7, 0.5, 0.35]),
    "organic": np.array([0.5, 0.3, 0.2, 0.1, 0.1, 0.15, 0.3, 0.6, 0.8, 0.8, 0.8, 0.85,
                         0.95, 0.9, 0.85, 0.85, 0.9, 1.0, 1.1, 1.2, 1.3, 1.35, 1.2, 0.9]),
}
#: weekday weights in local time, Monday first
WEEKDAYS: dict[str, tuple[float, ...]] = {
    "iran": (1.0, 1.0, 1.0, 0.55, 0.2, 1.0, 1.0),  # Saturday-Wednesday week, Friday off
    "europe": (1.0, 1.0, 1.0, 1.0, 0.95, 0.3, 0.22),
    "organic": (1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.05),
}


@dataclass
class Curve:
    """Relative activity per local calendar day over an operation's lifetime."""

    start: int
    weights: np.ndarray
    cdf: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        c = np.cumsum(self.weights)
        self.cdf = c / c[-1]

    @property
    def end(self) -> int:
        return self.start + len(self.weights) - 1


def make_curve(
    rng: np.random.Generator,
    start: str,
    end: str,
    knots: Sequence[tuple[str, float]],
    *,
    weekday: str,
    spikes: Sequence[tuple[str, str, float]] = (),
    jitter: float = 6.0,
    calm: Sequence[str] = (),
) -> Curve:
    """Daily weights: interpolated ``knots`` x weekday profile x ``spikes`` x random jitter
    (none on ``calm`` days, whose baseline should stay predictable)."""
    days = np.arange(day(start), day(end) + 1)
    w = np.interp(days, [day(d) for d, _ in knots], [float(v) for _, v in knots])
    w = w * np.asarray(WEEKDAYS[weekday])[(days + 3) % 7]
    for s, e, mult in spikes:
        w[(days >= day(s)) & (days <= day(e))] *= mult
    noise = rng.gamma(jitter, 1.0 / jitter, len(days))
    noise[np.isin(days, [day(d) for d in calm])] = 1.0
    w = w * noise
    return Curve(day(start), np.maximum(w, 1e-9))


def sample_days(rng: np.random.Generator, curve: Curve, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One local day per row, within [lo, hi] (inclusive), following ``curve``."""
    n = len(lo)
    top = len(curve.cdf) - 1
    i_lo = np.clip(np.asarray(lo) - curve.start, 0, top)
    i_hi = np.clip(np.asarray(hi) - curve.start, 0, top)
    i_hi = np.maximum(i_hi, i_lo)
    c_lo = np.where(i_lo > 0, curve.cdf[np.maximum(i_lo - 1, 0)], 0.0)
    c_hi = curve.cdf[i_hi]
    u = c_lo + rng.random(n) * (c_hi - c_lo)
    i = np.searchsorted(curve.cdf, u, side="right")
    return curve.start + np.clip(i, i_lo, i_hi)


def sample_clock(rng: np.random.Generator, n: int, hours: str) -> np.ndarray:
    """Minutes after local midnight following an hour-of-day profile."""
    p = HOURS[hours] / HOURS[hours].sum()
    return rng.choice(24, size=n, p=p) * 60 + rng.integers(0, 60, size=n)


def sample_times(
    rng: np.random.Generator,
    curve: Curve,
    lo: np.ndarray,
    hi: np.ndarray,
    hours: str,
    offset_min: np.ndarray | int,
) -> np.ndarray:
    """UTC minutes: a local day from ``curve`` in [lo, hi], a local clock time, minus the offset."""
    d = sample_days(rng, curve, lo, hi)
    return d * 1440 + sample_clock(rng, len(d), hours) - np.asarray(offset_min)


# ---------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------

_LEGACY_TWEET = (  # (ms since epoch, approximate tweet id) before snowflake ids
    (np.datetime64("2006-03-21", "ms").astype(np.int64), 20.0),
    (np.datetime64("2008-01-01", "ms").astype(np.int64), 5.6e8),
    (np.datetime64("2009-01-01", "ms").astype(np.int64), 1.0e9),
    (np.datetime64("2009-09-01", "ms").astype(np.int64), 3.6e9),
    (np.datetime64("2010-01-01", "ms").astype(np.int64), 7.2e9),
    (np.datetime64("2010-06-01", "ms").astype(np.int64), 1.55e10),
    (SNOWFLAKE_EPOCH_MS, 2.95e10),
)
_LEGACY_USER = (  # (day, approximate user id) before 64-bit user ids
    (day("2006-07-15"), 1.0e5), (day("2007-06-01"), 6.0e6), (day("2008-06-01"), 1.5e7),
    (day("2009-06-01"), 4.5e7), (day("2010-06-01"), 1.6e8), (day("2011-06-01"), 3.2e8),
    (day("2012-06-01"), 6.0e8), (day("2013-06-01"), 1.5e9), (day("2014-06-01"), 2.5e9),
    (day("2015-11-01"), 4.2e9),
)
_USER_SNOWFLAKE_DAY = day("2015-11-01")


def _dedupe(ids: np.ndarray, step: int) -> np.ndarray:
    ids = ids.copy()
    while True:
        order = np.argsort(ids, kind="stable")
        s = ids[order]
        dup = np.flatnonzero(s[1:] == s[:-1]) + 1
        if len(dup) == 0:
            return ids
        ids[order[dup]] += np.uint64(step)


def tweet_ids(rng: np.random.Generator, t_min: np.ndarray, dc: int) -> np.ndarray:
    """Tweet ids consistent with their time: snowflakes after Nov 2010, sequential before.

    ``dc`` (0-31) fills the datacenter bits (and the residue mod 32 of legacy ids), so ids
    of different datasets never collide.
    """
    n = len(t_min)
    ms = np.asarray(t_min, dtype=np.int64) * 60000 + rng.integers(0, 60000, n)
    snow = ms >= SNOWFLAKE_EPOCH_MS
    worker = rng.integers(0, 31, n).astype(np.uint64)
    seq = rng.integers(0, 4000, n).astype(np.uint64)
    ids = np.zeros(n, dtype=np.uint64)
    delta = (ms[snow] - SNOWFLAKE_EPOCH_MS).astype(np.uint64)
    ids[snow] = (delta << np.uint64(22)) | (np.uint64(dc) << np.uint64(17)) | (
        worker[snow] << np.uint64(12)) | seq[snow]
    if (~snow).any():
        xs, ys = zip(*_LEGACY_TWEET, strict=True)
        approx = np.interp(ms[~snow].astype(float), xs, ys).astype(np.uint64)
        ids[~snow] = (approx // np.uint64(32)) * np.uint64(32) + np.uint64(dc)
    return _dedupe(ids, 32)


def user_ids(rng: np.random.Generator, created: np.ndarray, dc: int) -> np.ndarray:
    """Numeric user ids consistent with the creation day (64-bit ids from late 2015)."""
    created = np.asarray(created, dtype=np.int64)
    n = len(created)
    ids = np.zeros(n, dtype=np.uint64)
    snow = created >= _USER_SNOWFLAKE_DAY
    ms = created * 86_400_000 + rng.integers(0, 86_400_000, n)
    ids[snow] = ((ms[snow] - SNOWFLAKE_EPOCH_MS).astype(np.uint64) << np.uint64(22)) | (
        np.uint64(dc) << np.uint64(17)) | rng.integers(0, 2**17, snow.sum()).astype(np.uint64)
    if (~snow).any():
        xs, ys = zip(*_LEGACY_USER, strict=True)
        base = np.interp(created[~snow].astype(float), xs, ys)
        ids[~snow] = (base + rng.integers(0, 90_000, (~snow).sum())).astype(np.uint64)
    return _dedupe(ids, 1)


def account_hash(seed: int, dataset: str, index: int) -> str:
    """The archive-style hash of an account: base64 of a seeded SHA-256 (44 chars)."""
    digest = hashlib.sha256(f"casebook-specimen|{seed}|{dataset}|{index}".encode()).digest()
    return base64.b64encode(digest).decode("ascii")


# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------

_TAG_RE = re.compile(r"#(\w+)")


@dataclass(frozen=True)
class _Slot:
    pre: pa.Array
    post: pa.Array
    hasnum: np.ndarray
    frag: pa.Array


@dataclass(frozen=True)
class _Compiled:
    slots: tuple[_Slot, ...]
    tags: pa.Array
    n_tags: np.ndarray
    slug: pa.Array


def _frag(tags: Sequence[str]) -> str:
    return "".join(f", '{t}'" for t in tags)


@cache
def compile_topic(topic: Topic) -> _Compiled:
    slots = []
    for k, phrases in enumerate(topic.slots):
        pre, post, hasnum, frag = [], [], [], []
        for phrase in phrases:
            p = phrase if (k == 0 or phrase == "") else " " + phrase
            a, sep, b = p.partition("{n}")
            pre.append(a)
            post.append(b.replace("{n}", "") if sep else "")
            hasnum.append(bool(sep))
            frag.append(_frag(_TAG_RE.findall(phrase)))
        slots.append(_Slot(sarr(pre), sarr(post), np.array(hasnum), sarr(frag)))
    nt = np.asarray(topic.n_tags, dtype=float)
    return _Compiled(tuple(slots), sarr(list(topic.tags)), nt / nt.sum(), sarr(list(topic.slug or SLUG_EN)))


def make_urls(topic: Topic, rng: np.random.Generator, n: int) -> pa.Array:
    """Expanded URLs from the topic's link families."""
    if not topic.links or n == 0:
        return repeat("", n)
    comp = compile_topic(topic)
    w = np.array([lk.weight for lk in topic.links], dtype=float)
    which = rng.choice(len(w), size=n, p=w / w.sum())
    pieces = []
    for k, spec in enumerate(topic.links):
        idx = np.flatnonzero(which == k)
        m = len(idx)
        if m == 0:
            continue
        names = sarr(list(spec.names) or ["x"])
        name = take(names, rng.integers(0, len(names), m))
        slug = cat(*[x for j in range(3) for x in (
            ("-" if j else ""), take(comp.slug, rng.integers(0, len(comp.slug), m)))])
        if spec.kind == "site":
            path = take(sarr(list(spec.paths)), rng.integers(0, len(spec.paths), m))
            url = cat("https://", name, "/", path, "/", num_str(rng.integers(10_000, 999_999, m)), "-", slug)
        elif spec.kind == "sitenum":
            path = take(sarr(list(spec.paths)), rng.integers(0, len(spec.paths), m))
            url = cat("https://", name, "/", path, "/", num_str(rng.integers(1_000_000, 9_999_999, m)))
        elif spec.kind == "lj":
            url = cat("https://", name, ".livejournal.com/", num_str(rng.integers(1_000, 400_000, m)), ".html")
        elif spec.kind == "medium":
            url = cat("https://medium.com/@", name, "/", slug, "-", tokens(rng, m, 12, HEX_ALPHABET))
        elif spec.kind == "youtube":
            url = cat("https://www.youtube.com/watch?v=", tokens(rng, m, 11, YT_ALPHABET))
        else:  # pragma: no cover - vocabulary error
            raise ValueError(f"unknown link kind {spec.kind!r}")
        pieces.append((idx, url))
    return scatter(n, pieces)


def tco(rng: np.random.Generator, n: int) -> pa.Array:
    return cat("https://t.co/", tokens(rng, n, 10))


def tags_text(tags: Sequence[str]) -> tuple[str, str]:
    """(``"#a #b"``, ``", 'a', 'b'"``) for forced hashtags."""
    return " ".join(f"#{t}" for t in tags), _frag(tags)


@dataclass
class Texts:
    """Tweet texts with their archive ``hashtags`` and ``urls`` list literals."""

    text: pa.Array
    hashtags: pa.Array
    urls: pa.Array

    def take(self, idx: np.ndarray) -> Texts:
        return Texts(take(self.text, idx), take(self.hashtags, idx), take(self.urls, idx))


def topic_texts(
    topic: Topic,
    rng: np.random.Generator,
    n: int,
    *,
    link: bool = True,
    block: bool = True,
    extra_tags: pa.Array | None = None,
    extra_frag: pa.Array | None = None,
    force_url: pa.Array | None = None,
) -> Texts:
    """``n`` tweets about ``topic``: slot phrases, numbers, hashtags, t.co links.

    ``extra_tags``/``extra_frag`` (``"#a #b"``/``", 'a', 'b'"``, empty for none) add forced
    hashtags; ``force_url`` (empty for none) forces the expanded URL of the link.
    """
    comp = compile_topic(topic)
    lo, hi = topic.num
    parts: list[Any] = []
    frags: list[Any] = []
    for slot in comp.slots:
        i = rng.integers(0, len(slot.pre), n)
        nums = num_str(rng.integers(lo, hi + 1, n))  # each slot its own number
        parts += [take(slot.pre, i), where(slot.hasnum[i], nums, ""), take(slot.post, i)]
        frags.append(take(slot.frag, i))
    body = pc.utf8_ltrim_whitespace(cat(*parts))

    block_parts: list[Any] = [repeat("", n)]
    m = len(comp.tags)
    if block and m:
        k = rng.choice(4, size=n, p=comp.n_tags)
        if extra_tags is not None:  # rows with forced hashtags get no random ones
            k = np.where(np.asarray(pc.greater(pc.utf8_length(extra_tags), 0)), 0, k)
        order = np.argsort(rng.random((n, m)), axis=1)[:, : min(3, m)]
        for j in range(order.shape[1]):
            has = k > j
            tj = take(comp.tags, order[:, j])
            block_parts.append(where(has, cat(" #", tj), ""))
            frags.append(where(has, cat(", '", tj, "'"), ""))
    if extra_tags is not None:
        block_parts.append(where(pc.greater(pc.utf8_length(extra_tags), 0), cat(" ", extra_tags), ""))
        frags.append(extra_frag)
    block_all = cat(*block_parts)
    has_block = pc.greater(pc.utf8_length(block_all), 0)
    r = rng.random(n)
    sep = where(r < topic.newline_prob * 0.3, "\n\n", where(r < topic.newline_prob, "\n", " "))
    block_txt = where(has_block, cat(sep, pc.utf8_ltrim_whitespace(block_all)), "")

    has_link = (rng.random(n) < topic.link_prob) if link else np.zeros(n, dtype=bool)
    urls = make_urls(topic, rng, n)
    if force_url is not None:
        forced = np.asarray(pc.greater(pc.utf8_length(force_url), 0).to_numpy(zero_copy_only=False))
        has_link = has_link | forced
        urls = where(forced, force_url, urls)
    lsep = where(rng.random(n) < topic.newline_prob * 0.5, "\n", " ")
    link_txt = where(has_link, cat(lsep, tco(rng, n)), "")
    media_txt = where(rng.random(n) < topic.media_prob, cat(" ", tco(rng, n)), "")

    text = cat(body, block_txt, link_txt, media_txt)
    tags_lit = cat("[", pc.replace_substring_regex(cat(*frags), "^, ", ""), "]")
    urls_lit = where(has_link, cat("['", urls, "']"), "[]")
    return Texts(text, tags_lit, urls_lit)


# ---------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------


def person_names(rng: np.random.Generator, n: int, culture: str) -> tuple[pa.Array, pa.Array]:
    """Fictional display names and screen names (ASCII, at most 15 characters)."""
    first, last = FIRST_NAMES[culture], LAST_NAMES[culture]
    fi = rng.integers(0, len(first), n)
    li = rng.integers(0, len(last), n)
    display = cat(take(sarr(list(first)), fi), " ", take(sarr(list(last)), li))
    f_ascii = sarr([ascii_fold(x) for x in first])
    l_ascii = sarr([ascii_fold(x) for x in last])
    fa, la = take(f_ascii, fi), take(l_ascii, li)
    style = rng.integers(0, 4, n)
    digits = num_str(rng.integers(1, 999, n))
    handle = where(style == 0, cat(fa, la),
                   where(style == 1, cat(fa, "_", la),
                         where(style == 2, cat(fa, la, digits), cat(la, "_", fa, digits))))
    return display, pc.utf8_slice_codeunits(handle, 0, 15)


def descriptions(rng: np.random.Generator, n: int, kind: str, *, empty: float = 0.3) -> pa.Array:
    """Profile descriptions assembled from slots; some span several lines, some are empty."""
    slots = DESCRIPTIONS[kind]
    parts: list[Any] = []
    for k, phrases in enumerate(slots):
        arr = sarr(list(phrases))
        chosen = take(arr, rng.integers(0, len(phrases), n))
        if k == 0:
            parts.append(chosen)
        elif k == 1:
            parts.append(where(pc.greater(pc.utf8_length(chosen), 0), cat(" ", chosen), ""))
        else:
            sep = where(rng.random(n) < 0.5, "\n\n", "\n")
            parts.append(where(pc.greater(pc.utf8_length(chosen), 0), cat(sep, chosen), ""))
    text = pc.utf8_trim_whitespace(cat(*parts))
    return where(rng.random(n) < empty, "", text)


def places(rng: np.random.Generator, n: int, kind: str, *, empty: float = 0.3) -> pa.Array:
    arr = sarr(list(PLACES[kind]))
    return where(rng.random(n) < empty, "", take(arr, rng.integers(0, len(arr), n)))


def calibrated_lognormal(n: int, *, median: float, mean: float, sigma: float = 1.8) -> np.ndarray:
    """``n`` deterministic lognormal quantiles rescaled above the median to hit ``mean``."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    nd = NormalDist()
    z = np.array([nd.inv_cdf((i + 0.5) / n) for i in range(n)])
    x = median * np.exp(sigma * z)
    upper = x > median
    need = mean * n - x[~upper].sum() - median * upper.sum()
    have = (x[upper] - median).sum()
    if have > 0 and need > 0:
        x[upper] = median + (x[upper] - median) * (need / have)
    return np.round(x).astype(np.int64)


def creation_days(rng: np.random.Generator, n: int, waves: Sequence[tuple[str, str, float]]) -> np.ndarray:
    """Account creation days drawn from weighted (start, end) waves."""
    w = np.array([x[2] for x in waves], dtype=float)
    which = rng.choice(len(waves), size=n, p=w / w.sum())
    lo = np.array([day(x[0]) for x in waves])[which]
    hi = np.array([day(x[1]) for x in waves])[which]
    return lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)


# ---------------------------------------------------------------------------------------
# Personas, roster and the plan of tweets
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """Behaviour shared by a kind of account."""

    topics: dict[str, float]
    clients: dict[str, float]
    rt: float = 0.2  # relative propensity to retweet
    reply: float = 0.15  # relative propensity to reply
    hours: str = "office"
    rt_external: float = 0.0  # share of its retweets that target outside accounts
    reply_network: float = 0.4  # share of its replies that target the network
    quote: float = 0.01
    lang_blank: float = 0.08


ROSTER_COLUMNS = (
    "persona", "display", "handle", "location", "description", "url", "followers",
    "following", "created", "lang", "tweets", "start", "end", "offset", "weight",
    "fixed_total",
)


def accounts(
    rng: np.random.Generator,
    persona: str,
    n: int,
    *,
    culture: str,
    created: np.ndarray,
    lang: str | Sequence[str],
    location: str,
    description: str,
    location_empty: float = 0.35,
    description_empty: float = 0.3,
    url_share: float = 0.15,
    tweets: bool = True,
    start_delay: tuple[int, int] = (1, 40),
    end: int | np.ndarray = 0,
    offset: int = 0,
    weight: np.ndarray | float = 1.0,
) -> pd.DataFrame:
    """A block of roster rows for one persona (followers are filled by the recipe)."""
    display, handle = person_names(rng, n, culture)
    created = np.asarray(created, dtype=np.int64)
    if isinstance(lang, str):
        langs = np.full(n, lang, dtype=object)
    else:
        langs = np.asarray(lang, dtype=object)[rng.integers(0, len(lang), n)]
    urls = where(rng.random(n) < url_share, tco(rng, n), "")
    if np.isscalar(weight):
        weight = np.full(n, float(weight))
    return pd.DataFrame({
        "persona": persona,
        "display": display.to_pylist(),
        "handle": handle.to_pylist(),
        "location": places(rng, n, location, empty=location_empty).to_pylist(),
        "description": descriptions(rng, n, description, empty=description_empty).to_pylist(),
        "url": urls.to_pylist(),
        "followers": 0,
        "following": 0,
        "created": created,
        "lang": langs,
        "tweets": tweets,
        "start": created + rng.integers(start_delay[0], start_delay[1] + 1, n),
        "end": np.broadcast_to(np.asarray(end, dtype=np.int64), (n,)).copy(),
        "offset": offset,
        "weight": np.asarray(weight, dtype=float),
        "fixed_total": -1,
    })


class Rows(np.ndarray):
    """Plan row indices inside ground truth (rendered as a list of tweet ids)."""


class Accts(np.ndarray):
    """Roster indices inside ground truth (rendered as a list of user ids)."""


class Row(int):
    """One plan row inside ground truth (rendered as a tweet id)."""


class Acct(int):
    """One roster index inside ground truth (rendered as a user id)."""


def rows(idx: Any) -> Rows:
    return np.asarray(idx, dtype=np.int64).view(Rows)


def accts(idx: Any) -> Accts:
    return np.asarray(idx, dtype=np.int64).view(Accts)


class Plan:
    """The tweets of a dataset before rendering: one entry per tweet, appended in blocks."""

    _COLS = {"acct": np.int32, "t": np.int64, "kind": np.int8, "topic": np.int16,
             "rt": np.int64, "reply": np.int64}

    def __init__(self, topics: dict[str, Topic]) -> None:
        self.topics = topics
        self.topic_ids = {name: i for i, name in enumerate(topics)}
        self.n = 0
        self._parts: list[dict[str, np.ndarray]] = []
        self.text_ov: list[tuple[np.ndarray, Texts]] = []
        self.tags_ov: list[tuple[np.ndarray, pa.Array, pa.Array]] = []
        self.ext_ov: list[tuple[np.ndarray, pa.Array, pa.Array, pa.Array]] = []
        self.url_ov: list[tuple[np.ndarray, pa.Array]] = []
        self.count_ov: list[tuple[np.ndarray, dict[str, int]]] = []
        self.groups: list[dict[str, Any]] = []

    def tid(self, topic: str | None) -> int:
        return -1 if topic is None else self.topic_ids[topic]

    def add(self, acct: Any, t: Any, *, kind: int = ORIGINAL, topic: str | np.ndarray | None = None,
            rt: Any = AUTO, reply: Any = AUTO) -> np.ndarray:
        acct = np.atleast_1d(np.asarray(acct))
        n = len(acct)
        topic_ids = self.tid(topic) if (topic is None or isinstance(topic, str)) else topic
        part = {
            "acct": acct, "t": t, "kind": kind, "topic": topic_ids, "rt": rt, "reply": reply,
        }
        part = {k: np.broadcast_to(np.asarray(v), (n,)).astype(self._COLS[k]) for k, v in part.items()}
        self._parts.append(part)
        idx = np.arange(self.n, self.n + n, dtype=np.int64)
        self.n += n
        return idx

    def override_text(self, idx: np.ndarray, texts: Texts) -> None:
        self.text_ov.append((np.asarray(idx, dtype=np.int64), texts))

    def force_tags(self, idx: np.ndarray, tags: Sequence[str] | Sequence[Sequence[str]]) -> None:
        """Add hashtags to rows: one list for all rows, or one list per row."""
        idx = np.asarray(idx, dtype=np.int64)
        if tags and not isinstance(tags[0], str):
            pairs = [tags_text(x) for x in tags]
            text, frag = sarr([p[0] for p in pairs]), sarr([p[1] for p in pairs])
        else:
            t1, f1 = tags_text(tags)  # type: ignore[arg-type]
            text, frag = repeat(t1, len(idx)), repeat(f1, len(idx))
        self.tags_ov.append((idx, text, frag))

    def external_target(self, idx: np.ndarray, tweetid: str, userid: str, handle: str) -> None:
        """Make retweet rows retweet one given outside tweet (a viral tweet, say)."""
        idx = np.asarray(idx, dtype=np.int64)
        k = len(idx)
        self.ext_ov.append((idx, repeat(tweetid, k), repeat(userid, k), repeat(handle, k)))

    def external_targets(self, idx: np.ndarray, tweetids: pa.Array, userids: pa.Array,
                         handles: pa.Array) -> None:
        """Make retweet rows retweet given outside tweets: one tweet, author and handle per row."""
        self.ext_ov.append((np.asarray(idx, dtype=np.int64), _as_str(tweetids), _as_str(userids),
                            _as_str(handles)))

    def force_url(self, idx: np.ndarray, urls: pa.Array) -> None:
        self.url_ov.append((np.asarray(idx, dtype=np.int64), _as_str(urls)))

    def set_counts(self, idx: np.ndarray, **counts: int) -> None:
        self.count_ov.append((np.asarray(idx, dtype=np.int64), counts))

    def update(self, column: str, idx: np.ndarray, values: Any) -> None:
        """Change one column of existing rows (e.g. a topic that depends on the date)."""
        cols = self.columns()
        cols[column][np.asarray(idx, dtype=np.int64)] = values
        self._parts = [cols]

    def columns(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate([p[k] for p in self._parts]) if self._parts else np.empty(0, dt)
                for k, dt in self._COLS.items()}

    def account_counts(self, n_accounts: int) -> np.ndarray:
        cols = self.columns()
        return np.bincount(cols["acct"], minlength=n_accounts)


# ---------------------------------------------------------------------------------------
# Coordination and noise
# ---------------------------------------------------------------------------------------


@dataclass
class OpClock:
    """An operation's activity curve, local hour profile and UTC offset."""

    curve: Curve
    hours: str
    offset_min: int

    def times(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return sample_times(rng, self.curve, lo, hi, self.hours, self.offset_min)


def _participation(rng: np.random.Generator, n_events: int, m: int, p: float) -> np.ndarray:
    mask = rng.random((n_events, m)) < p
    few = mask.sum(axis=1) < 2
    if few.any():
        pick = np.argsort(rng.random((few.sum(), m)), axis=1)[:, :2]
        sub = mask[few]
        np.put_along_axis(sub, pick, True, axis=1)
        mask[few] = sub
    return mask


def plant_group(
    plan: Plan,
    rng: np.random.Generator,
    roster: pd.DataFrame,
    clock: OpClock,
    *,
    members: np.ndarray,
    kinds: Sequence[str],
    n_events: int,
    topic: str,
    window: int = 1,
    source: np.ndarray | None = None,
    source_topic: str | None = None,
    tags: Sequence[Sequence[str]] | None = None,
    url_topic: Topic | None = None,
    participation: float = 0.85,
    description: str = "",
    period: tuple[int, int] | None = None,
    times: np.ndarray | None = None,
) -> dict[str, Any]:
    """Plant ``n_events`` coordinated bursts by ``members`` and record them as a group.

    kinds: ``co_retweet`` (retweet the same network tweet, posted by ``source``, within
    ``window`` minutes), ``co_tweet`` (identical text), ``near_duplicate`` (the same text
    with a word or two changed), ``co_link`` (the same URL), ``co_hashtag`` (the same
    hashtags; one set per event drawn from ``tags``).
    """
    members = np.asarray(members, dtype=np.int64)
    m = len(members)
    kinds = tuple(kinds)
    lo = int(roster["start"].to_numpy()[members].max())
    hi = int(roster["end"].to_numpy()[members].min()) - 1
    if source is not None:
        lo = max(lo, int(roster["start"].to_numpy()[source].max()))
        hi = min(hi, int(roster["end"].to_numpy()[source].min()) - 1)
    if period is not None:
        lo, hi = max(lo, period[0]), min(hi, period[1])
    hi = max(hi, lo)
    if times is None:
        t0 = clock.times(rng, np.full(n_events, lo), np.full(n_events, hi))
    else:
        t0 = np.asarray(times, dtype=np.int64)
    mask = _participation(rng, n_events, m, participation)
    ev, mem = np.nonzero(mask)  # event-major order
    k = len(ev)
    off = rng.integers(0, window + 1, k)
    target_rows = np.empty(0, dtype=np.int64)
    if "co_retweet" in kinds:
        if source is None:
            raise ValueError("co_retweet needs source accounts")
        src = np.asarray(source)[rng.integers(0, len(source), n_events)]
        target_rows = plan.add(src, t0, kind=ORIGINAL, topic=source_topic)
        lag = 1 + np.floor(rng.exponential(12.0, n_events)).astype(np.int64)
        idx = plan.add(members[mem], t0[ev] + lag[ev] + off, kind=RETWEET, topic=topic,
                       rt=target_rows[ev])
    else:
        idx = plan.add(members[mem], t0[ev] + off, kind=ORIGINAL, topic=topic)
        top = plan.topics[topic]
        ev_tags: list[tuple[str, str]] = []
        if "co_hashtag" in kinds:
            sets = tags or [top.tags[:2]]
            ev_tags = [tags_text(sets[e % len(sets)]) for e in range(n_events)]
        ev_urls = make_urls(url_topic or top, rng, n_events) if "co_link" in kinds else None
        if "co_tweet" in kinds or "near_duplicate" in kinds:
            extra_t = sarr([x[0] for x in ev_tags]) if ev_tags else None
            extra_f = sarr([x[1] for x in ev_tags]) if ev_tags else None
            base = topic_texts(top, rng, n_events, link="co_tweet" in kinds and "co_link" not in kinds,
                               block=not ev_tags, extra_tags=extra_t, extra_frag=extra_f,
                               force_url=ev_urls)
            texts = base.take(ev)
            if "near_duplicate" in kinds:
                variants = sarr(["", "!!", "Share!", "Must read", "👇", "Wake up!", "RT please",
                                 "Look:", "Again.", "Unbelievable", "True.", "🔥"])
                # each member of an event gets a different variant (a word or two changed)
                rank = np.argsort(rng.random((n_events, len(variants))), axis=1)
                var = take(variants, rank[ev, mem % len(variants)])
                texts = Texts(cat(texts.text, where(pc.greater(pc.utf8_length(var), 0),
                                                    cat(" ", var), "")), texts.hashtags, texts.urls)
            plan.override_text(idx, texts)
        else:
            if ev_tags:
                sets = list(tags or [top.tags[:2]])
                plan.force_tags(idx, [sets[e % len(sets)] for e in ev.tolist()])
            if ev_urls is not None:
                plan.force_url(idx, take(ev_urls, ev))
    group = {
        "kinds": list(kinds),
        "members": accts(members),
        "tweet_rows": rows(idx),
        "target_rows": rows(target_rows),
        "window_minutes": int(window + (0 if "co_retweet" not in kinds else 0)),
        "events": int(n_events),
        "description": description,
    }
    plan.groups.append(group)
    return group


def plant_popular_retweets(
    plan: Plan, rng: np.random.Generator, clock: OpClock, roster: pd.DataFrame, *,
    source: int, retweeters: np.ndarray, n_tweets: int, source_topic: str | None,
    min_gap: int = 40, period: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Noise: popular network tweets retweeted by many accounts, hours apart."""
    retweeters = np.asarray(retweeters)
    lo = max(int(roster["start"].to_numpy()[retweeters].max()), int(roster["start"].iat[source]))
    hi = min(int(roster["end"].to_numpy()[retweeters].min()), int(roster["end"].iat[source])) - 3
    if period is not None:
        lo, hi = max(lo, period[0]), min(hi, period[1])
    hi = max(hi, lo)
    t0 = clock.times(rng, np.full(n_tweets, lo), np.full(n_tweets, hi))
    src_rows = plan.add(np.full(n_tweets, source), t0, kind=ORIGINAL, topic=source_topic)
    m = len(retweeters)
    gaps = min_gap + np.floor(rng.exponential(90.0, (n_tweets, m))).astype(np.int64)
    when = t0[:, None] + np.cumsum(gaps, axis=1)
    who = np.argsort(rng.random((n_tweets, m)), axis=1)
    idx = plan.add(retweeters[who].ravel(), when.ravel(), kind=RETWEET,
                   rt=np.repeat(src_rows, m))
    return {"source_tweetids": rows(src_rows), "tweetids": rows(idx), "accounts": accts(retweeters),
            "min_gap_minutes": int(min_gap)}


def plant_spread_hashtag(
    plan: Plan, rng: np.random.Generator, clock: OpClock, roster: pd.DataFrame, *,
    users: np.ndarray, tag: str, topic: str | None, per_user: int = 1, min_days: int = 2,
) -> dict[str, Any]:
    """Noise: a common hashtag used by many accounts, days apart from one another."""
    users = np.asarray(users)
    m = len(users) * per_user
    lo = int(roster["start"].to_numpy()[users].max())
    hi = int(roster["end"].to_numpy()[users].min()) - 2
    span = max(hi - lo, m * min_days)
    days = lo + np.sort(rng.choice(max(span // min_days, m), size=m, replace=False)) * min_days
    days = np.minimum(days, max(hi, lo))
    who = np.tile(users, per_user)[rng.permutation(m)]
    t = days * 1440 + sample_clock(rng, m, clock.hours) - clock.offset_min
    idx = plan.add(who, t, kind=ORIGINAL, topic=topic)
    plan.force_tags(idx, [tag])
    return {"hashtag": tag, "tweetids": rows(idx), "accounts": accts(users), "min_days_apart": int(min_days)}


# ---------------------------------------------------------------------------------------
# Background activity
# ---------------------------------------------------------------------------------------


def plan_background(
    plan: Plan,
    rng: np.random.Generator,
    roster: pd.DataFrame,
    personas: dict[str, Persona],
    clock: OpClock,
    *,
    total: int,
    retweets: int,
    replies: int,
    per_account_offset: bool = False,
) -> np.ndarray:
    """Fill the plan up to exactly ``total`` tweets, ``retweets`` retweets and ``replies`` replies.

    Every tweeting account gets at least one tweet; accounts with ``fixed_total >= 0`` get
    exactly that many in all; the rest is split by ``weight``.
    """
    n_acc = len(roster)
    cols = plan.columns()
    have = np.bincount(cols["acct"], minlength=n_acc)
    tweeting = roster["tweets"].to_numpy(bool)
    fixed_total = roster["fixed_total"].to_numpy(np.int64)
    fixed = tweeting & (fixed_total >= 0)
    counts = np.zeros(n_acc, dtype=np.int64)
    counts[fixed] = np.maximum(fixed_total[fixed] - have[fixed], 0)
    free = tweeting & ~fixed
    counts[free & (have == 0)] = 1
    rest = total - plan.n - counts.sum()
    if rest > 0:
        w = np.where(free, roster["weight"].to_numpy(float), 0.0)
        counts += largest_remainder(w, int(rest))
    acct = np.repeat(np.arange(n_acc), counts)
    n = len(acct)
    start = roster["start"].to_numpy(np.int64)[acct]
    end = roster["end"].to_numpy(np.int64)[acct]
    offset = roster["offset"].to_numpy(np.int64)[acct] if per_account_offset else clock.offset_min
    t = np.empty(n, dtype=np.int64)
    persona = roster["persona"].to_numpy()[acct]
    hours = np.array([personas[p].hours for p in roster["persona"]], dtype=object)[acct]
    for h in sorted(set(hours.tolist())):
        sel = np.flatnonzero(hours == h)
        off = offset[sel] if per_account_offset else offset
        t[sel] = sample_times(rng, clock.curve, start[sel], end[sel], h, off)
    # exact numbers of retweets and replies, weighted by persona propensities
    kind = np.zeros(n, dtype=np.int8)
    have_rt = int((cols["kind"] == RETWEET).sum())
    have_rp = int((cols["kind"] == REPLY).sum())
    rt_w = np.array([personas[p].rt for p in persona], dtype=float) if n else np.zeros(0)
    rp_w = np.array([personas[p].reply for p in persona], dtype=float) if n else np.zeros(0)
    rt_rows = weighted_sample(rng, rt_w, retweets - have_rt)
    kind[rt_rows] = RETWEET
    rp_w[rt_rows] = 0.0
    kind[weighted_sample(rng, rp_w, replies - have_rp)] = REPLY
    return plan.add(acct, t, kind=kind, topic=None)


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


@dataclass
class Externals:
    """Accounts outside the network that tweets reply to, retweet or mention."""

    handles: pa.Array
    userids: pa.Array

    @classmethod
    def make(cls, rng: np.random.Generator, n: int, cultures: Sequence[str]) -> Externals:
        parts = [person_names(rng, n, c)[1] for c in cultures]
        which = rng.integers(0, len(cultures), n)
        handle = parts[0]
        for j in range(1, len(parts)):
            handle = where(which == j, parts[j], handle)
        old = rng.random(n) < 0.5
        ids = np.where(old, rng.integers(10**6, 4 * 10**9, n),
                       rng.integers(7 * 10**17, 13 * 10**17, n)).astype(np.uint64)
        return cls(handle, num_str(ids))


@dataclass
class Rendered:
    tweets: pa.Table
    users: pa.Table
    tweetids: np.ndarray  # per plan row
    userids: list[str]  # per roster row
    kind: np.ndarray
    clients: pa.Array
    acct: np.ndarray
    t: np.ndarray


def _choose(rng: np.random.Generator, n: int, dist: dict[str, float]) -> pa.Array:
    names = list(dist)
    p = np.array([dist[k] for k in names], dtype=float)
    return take(sarr(names), rng.choice(len(names), size=n, p=p / p.sum()))


def _earlier(rng: np.random.Generator, pool_t: np.ndarray, t: np.ndarray, mean_lag: float) -> np.ndarray:
    """Index (into time-sorted ``pool_t``) of a tweet some time before each ``t``; -1 if none."""
    lag = 1 + np.floor(rng.exponential(mean_lag, len(t))).astype(np.int64)
    j = np.searchsorted(pool_t, t - lag, side="right") - 1 - rng.integers(0, 3, len(t))
    first = np.searchsorted(pool_t, t, side="left")  # pool tweets strictly before t
    j = np.where(j < 0, np.where(first > 0, (rng.random(len(t)) * first).astype(np.int64), -1), j)
    return np.minimum(j, first - 1)


def _avoid_self(acct: np.ndarray, pool: np.ndarray, j: np.ndarray, who: np.ndarray) -> np.ndarray:
    for _ in range(4):
        same = (j > 0) & (acct[pool[np.maximum(j, 0)]] == who)
        if not same.any():
            break
        j = np.where(same, j - 1, j)
    return j


def render(
    ctx_rng: np.random.Generator,
    *,
    dataset_index: int,
    roster: pd.DataFrame,
    userids: list[str],
    plan: Plan,
    personas: dict[str, Persona],
    externals: Externals,
    engagement_total: int | None = None,
) -> Rendered:
    """Turn roster and plan into the archive's tweets and users tables (string columns)."""
    rng = ctx_rng
    cols = plan.columns()
    n = plan.n
    acct, t, kind, topic = cols["acct"].astype(np.int64), cols["t"], cols["kind"], cols["topic"].astype(np.int64)
    topic_list = list(plan.topics.values())
    persona_names = roster["persona"].to_numpy()
    pcode = {p: i for i, p in enumerate(personas)}
    acct_pcode = np.array([pcode[p] for p in persona_names])
    row_p = acct_pcode[acct]
    plist = list(personas.values())

    # topics for rows that did not fix one
    for i, spec in enumerate(plist):
        sel = np.flatnonzero((topic < 0) & (row_p == i))
        if len(sel):
            names = list(spec.topics)
            p = np.array([spec.topics[k] for k in names], dtype=float)
            ids = np.array([plan.topic_ids[k] for k in names])
            topic[sel] = ids[rng.choice(len(names), size=len(sel), p=p / p.sum())]

    tid = tweet_ids(rng, t, dataset_index)
    tid_s = num_str(tid)
    uid_arr = sarr(userids)
    handle_arr = sarr(roster["user_screen_name"].tolist())

    # --- targets -----------------------------------------------------------------
    orig = np.flatnonzero(kind == ORIGINAL)
    orig = orig[np.argsort(t[orig], kind="stable")]
    orig_t = t[orig]
    rt_target = cols["rt"].copy()
    rt_ext_p = np.array([s.rt_external for s in plist])[row_p]
    auto_rt = np.flatnonzero((kind == RETWEET) & (rt_target == AUTO))
    to_ext = rng.random(len(auto_rt)) < rt_ext_p[auto_rt]
    net = auto_rt[~to_ext]
    if len(net) and len(orig):
        j = _earlier(rng, orig_t, t[net], 480.0)
        j = _avoid_self(acct, orig, j, acct[net])
        rt_target[net] = np.where(j >= 0, orig[np.maximum(j, 0)], EXTERNAL)
    else:
        rt_target[net] = EXTERNAL
    rt_target[auto_rt[to_ext]] = EXTERNAL

    rp_target = cols["reply"].copy()
    rp_net_p = np.array([s.reply_network for s in plist])[row_p]
    auto_rp = np.flatnonzero((kind == REPLY) & (rp_target == AUTO))
    rp_ext = rng.random(len(auto_rp)) >= rp_net_p[auto_rp]
    rnet = auto_rp[~rp_ext]
    pool = np.flatnonzero(kind != RETWEET)
    pool = pool[np.argsort(t[pool], kind="stable")]
    if len(rnet) and len(pool):
        j = _earlier(rng, t[pool], t[rnet], 240.0)
        j = _avoid_self(acct, pool, j, acct[rnet])
        rp_target[rnet] = np.where(j >= 0, pool[np.maximum(j, 0)], EXTERNAL)
    else:
        rp_target[rnet] = EXTERNAL
    rp_target[auto_rp[rp_ext]] = EXTERNAL

    text_ov_rows = np.concatenate([o[0] for o in plan.text_ov]) if plan.text_ov else np.empty(0, np.int64)
    is_ov = np.zeros(n, dtype=bool)
    is_ov[text_ov_rows] = True
    forced = is_ov.copy()  # planted rows keep their planted link/hashtags: never quotes
    for i, *_ in (*plan.url_ov, *plan.tags_ov):
        forced[i] = True
    quote_p = np.array([s.quote for s in plist])[row_p]
    q_rows = np.flatnonzero((kind == ORIGINAL) & ~forced & (rng.random(n) < quote_p))
    q_target = np.full(n, -1, dtype=np.int64)
    if len(q_rows) and len(orig):
        j = _earlier(rng, orig_t, t[q_rows], 600.0)
        j = _avoid_self(acct, orig, j, acct[q_rows])
        ok = j >= 0
        q_rows = q_rows[ok]
        q_target[q_rows] = orig[j[ok]]
    else:
        q_rows = q_rows[:0]

    # --- texts ---------------------------------------------------------------------
    f_tags = scatter(n, [(i, tx) for i, tx, _ in plan.tags_ov])
    f_frag = scatter(n, [(i, fr) for i, _, fr in plan.tags_ov])
    f_url = scatter(n, plan.url_ov)
    need = ((kind != RETWEET) | (rt_target == EXTERNAL)) & ~is_ov
    is_q = np.zeros(n, dtype=bool)
    is_q[q_rows] = True
    pieces_t, pieces_h, pieces_u = [], [], []
    for k, top in enumerate(topic_list):
        for link in (True, False):  # quotes carry the quoted tweet's link instead
            sel = np.flatnonzero(need & (topic == k) & (is_q != link))
            if len(sel) == 0:
                continue
            tx = topic_texts(top, rng, len(sel), link=link, extra_tags=take(f_tags, sel),
                             extra_frag=take(f_frag, sel), force_url=take(f_url, sel))
            pieces_t.append((sel, tx.text))
            pieces_h.append((sel, tx.hashtags))
            pieces_u.append((sel, tx.urls))
    for i, tx in plan.text_ov:
        pieces_t.append((i, tx.text))
        pieces_h.append((i, tx.hashtags))
        pieces_u.append((i, tx.urls))
    base_text = scatter(n, pieces_t)
    base_tags = scatter(n, pieces_h, "[]")
    base_urls = scatter(n, pieces_u, "[]")
    del pieces_t, pieces_h, pieces_u, f_tags, f_frag, f_url
    topic_lang = sarr([tp.lang for tp in topic_list])
    lang = take(topic_lang, np.maximum(topic, 0))

    # screen name of each plan row's author at the time of another row (handle changes)
    def handle_at(target_rows: np.ndarray, when: np.ndarray) -> pa.Array:
        h = take(handle_arr, acct[target_rows])
        if "old_screen_name" in roster.columns:
            old = roster["old_screen_name"].to_numpy(object)
            changed = roster["handle_changed_min"].to_numpy(np.int64)
            a = acct[target_rows]
            use_old = np.array([o is not None and o != "" for o in old])[a] & (when < changed[a])
            if use_old.any():
                h = where(use_old, take(sarr([o or "" for o in old]), a), h)
        return h

    text = base_text
    tags_col, urls_col = base_tags, base_urls
    mentions = repeat("[]", n)
    rt_tweetid = repeat("", n)
    rt_userid = repeat("", n)
    rp_tweetid = repeat("", n)
    rp_userid = repeat("", n)
    q_tweetid = repeat("", n)

    # retweets of network tweets
    rt_net = np.flatnonzero((kind == RETWEET) & (rt_target >= 0))
    rt_ext = np.flatnonzero((kind == RETWEET) & (rt_target == EXTERNAL))
    ext_n = len(externals.handles)
    pieces = {"text": [], "tags": [], "urls": [], "lang": [], "ment": [], "rtt": [], "rtu": []}
    if len(rt_net):
        tg = rt_target[rt_net]
        h = handle_at(tg, t[rt_net])
        inner = take(base_text, tg)
        pieces["text"].append((rt_net, cat("RT @", h, ": ", inner)))
        pieces["tags"].append((rt_net, take(base_tags, tg)))
        pieces["urls"].append((rt_net, take(base_urls, tg)))
        pieces["lang"].append((rt_net, take(lang, tg)))
        u = take(uid_arr, acct[tg])
        pieces["ment"].append((rt_net, cat("['", u, "']")))
        pieces["rtt"].append((rt_net, take(tid_s, tg)))
        pieces["rtu"].append((rt_net, where(rng.random(len(rt_net)) < 0.35, u, "")))
    if len(rt_ext):
        pick = rng.integers(0, ext_n, len(rt_ext))
        h = take(externals.handles, pick)
        u = take(externals.userids, pick)
        ext_t = t[rt_ext] - 1 - np.floor(rng.exponential(300.0, len(rt_ext))).astype(np.int64)
        ext_tid = num_str(tweet_ids(rng, ext_t, EXTERNAL_DC))
        if plan.ext_ov:  # retweets of one given outside tweet (e.g. a viral one)
            fixed = np.zeros(n, dtype=bool)
            for i, *_ in plan.ext_ov:
                fixed[i] = True
            hit = fixed[rt_ext]
            f_tid = take(scatter(n, [(i, v) for i, v, _, _ in plan.ext_ov]), rt_ext)
            f_uid = take(scatter(n, [(i, v) for i, _, v, _ in plan.ext_ov]), rt_ext)
            f_h = take(scatter(n, [(i, v) for i, _, _, v in plan.ext_ov]), rt_ext)
            ext_tid = where(hit, f_tid, ext_tid)
            u = where(hit, f_uid, u)
            h = where(hit, f_h, h)
        pieces["text"].append((rt_ext, cat("RT @", h, ": ", take(base_text, rt_ext))))
        pieces["ment"].append((rt_ext, cat("['", u, "']")))
        pieces["rtt"].append((rt_ext, ext_tid))
        pieces["rtu"].append((rt_ext, where(rng.random(len(rt_ext)) < 0.35, u, "")))
    rt_all = np.concatenate([rt_net, rt_ext])
    if len(rt_all):
        full = scatter(n, pieces["text"])
        ln = pc.utf8_length(full)
        trunc = cat(pc.utf8_slice_codeunits(full, 0, 139), "…")
        full = where(pc.greater(ln, 140), trunc, full)
        is_rt = kind == RETWEET
        text = where(is_rt, full, text)
        if pieces["tags"]:
            tags_col = where(is_rt & (rt_target >= 0), scatter(n, pieces["tags"], "[]"), tags_col)
            urls_col = where(is_rt & (rt_target >= 0), scatter(n, pieces["urls"], "[]"), urls_col)
            lang = where(is_rt & (rt_target >= 0), scatter(n, pieces["lang"]), lang)
        mentions = where(is_rt, scatter(n, pieces["ment"]), mentions)
        rt_tweetid = where(is_rt, scatter(n, pieces["rtt"]), rt_tweetid)
        rt_userid = where(is_rt, scatter(n, pieces["rtu"]), rt_userid)
        del full, trunc, ln
    del pieces

    # replies
    rp_rows = np.flatnonzero(kind == REPLY)
    if len(rp_rows):
        tg = rp_target[rp_rows]
        netr = tg >= 0
        tgi = np.maximum(tg, 0)
        pick = rng.integers(0, ext_n, len(rp_rows))
        h = where(netr, handle_at(tgi, t[rp_rows]), take(externals.handles, pick))
        u = where(netr, take(uid_arr, acct[tgi]), take(externals.userids, pick))
        ext_t = t[rp_rows] - 1 - np.floor(rng.exponential(200.0, len(rp_rows))).astype(np.int64)
        r_tid = where(netr, take(tid_s, tgi), num_str(tweet_ids(rng, ext_t, EXTERNAL_DC)))
        phrase_p = np.array([tp.reply_phrase_prob for tp in topic_list])[np.maximum(topic[rp_rows], 0)]
        use_phrase = (rng.random(len(rp_rows)) < phrase_p) & ~is_ov[rp_rows]
        langs = np.array([tp.lang for tp in topic_list])[np.maximum(topic[rp_rows], 0)]
        phr_pieces = []
        for lg in sorted(set(langs.tolist())):
            sel = np.flatnonzero(langs == lg)
            ph = sarr(list(REPLY_PHRASES.get(lg, REPLY_PHRASES["und"])))
            phr_pieces.append((sel, take(ph, rng.integers(0, len(ph), len(sel)))))
        phrase = scatter(len(rp_rows), phr_pieces)
        body = where(use_phrase, phrase, take(base_text, rp_rows))
        pieces_txt = cat("@", h, " ", body)
        is_rp = kind == REPLY
        text = where(is_rp, scatter(n, [(rp_rows, pieces_txt)]), text)
        if use_phrase.any():
            ph_rows = rp_rows[use_phrase]
            m_ph = np.zeros(n, dtype=bool)
            m_ph[ph_rows] = True
            tags_col = where(m_ph, "[]", tags_col)
            urls_col = where(m_ph, "[]", urls_col)
        mentions = where(is_rp, scatter(n, [(rp_rows, cat("['", u, "']"))], "[]"), mentions)
        rp_tweetid = where(is_rp, scatter(n, [(rp_rows, r_tid)]), rp_tweetid)
        rp_userid = where(is_rp, scatter(n, [(rp_rows, u)]), rp_userid)

    # quotes
    if len(q_rows):
        qt = q_target[q_rows]
        qh = handle_at(qt, t[q_rows])
        qurl = cat("https://twitter.com/", qh, "/status/", take(tid_s, qt))
        qtext = cat(take(text, q_rows), " ", tco(rng, len(q_rows)))
        text = where(is_q, scatter(n, [(q_rows, qtext)]), text)
        urls_col = where(is_q, scatter(n, [(q_rows, cat("['", qurl, "']"))], "[]"), urls_col)
        q_tweetid = where(is_q, scatter(n, [(q_rows, take(tid_s, qt))]), q_tweetid)
    del base_text, base_tags, base_urls

    # --- languages, clients, counts ---------------------------------------------------
    blank_p = np.array([s.lang_blank for s in plist])[row_p]
    r = rng.random(n)
    noise = take(sarr(list(NOISE_LANGS)), rng.integers(0, len(NOISE_LANGS), n))
    lang = where(r < blank_p, "", where(r < blank_p + 0.02, "und",
                                        where(r < blank_p + 0.03, noise, lang)))
    lang = where(pc.and_(pc.equal(lang, "id"), pa.array(rng.random(n) < 0.05)), "in", lang)

    client_pieces = []
    for i, spec in enumerate(plist):
        sel = np.flatnonzero(row_p == i)
        if len(sel):
            client_pieces.append((sel, _choose(rng, len(sel), spec.clients)))
    clients = scatter(n, client_pieces)
    for k, top in enumerate(topic_list):
        if top.client:
            sel = (topic == k) & (kind == ORIGINAL)
            clients = where(sel, top.client, clients)

    followers = roster["followers"].to_numpy(np.int64)
    mean_like = 0.03 * np.sqrt(followers[acct].astype(float)) + 0.02
    counts = np.zeros((n, 4), dtype=np.int64)  # quote, reply, like, retweet
    engaged = kind != RETWEET
    for c, share in enumerate((0.03, 0.12, 1.0, 0.45)):
        lam = rng.gamma(0.5, mean_like * share / 0.5)
        counts[:, c] = np.where(engaged, rng.poisson(lam), 0)
    if engagement_total is not None and counts.sum() > 0:
        flat = counts.ravel().astype(float) * (engagement_total / counts.sum())
        fl = np.floor(flat).astype(np.int64)
        short = int(engagement_total - fl.sum())
        if short > 0:
            fl[np.argsort(-(flat - fl), kind="stable")[:short]] += 1
        counts = fl.reshape(n, 4)
    for i, vals in plan.count_ov:
        for c, name in enumerate(("quote", "reply", "like", "retweet")):
            if name in vals:
                counts[i, c] = vals[name]

    present = rng.random(n) < 0.0005
    latlon = where(present, "present", "absent")
    def sparse_list(col: pa.Array) -> pa.Array:
        drop = pc.and_(pc.equal(col, "[]"), pa.array(rng.random(n) < 0.004))
        return where(drop, "", col)

    # --- assemble --------------------------------------------------------------------
    prof = {
        "userid": uid_arr,
        "user_display_name": sarr(roster["user_display_name"].tolist()),
        "user_screen_name": handle_arr,
        "user_reported_location": sarr(roster["location"].tolist()),
        "user_profile_description": sarr(roster["description"].tolist()),
        "user_profile_url": sarr(roster["url"].tolist()),
        "follower_count": num_str(roster["followers"].to_numpy(np.int64)),
        "following_count": num_str(roster["following"].to_numpy(np.int64)),
        "account_creation_date": sarr(list(fmt_days(roster["created"].to_numpy(np.int64)))),
        "account_language": sarr(roster["lang"].tolist()),
    }
    # account columns repeat on every row: dictionary-encode them by author (one copy each)
    acct_pa = pa.array(acct.astype(np.int32))
    per_row = {k: pa.DictionaryArray.from_arrays(acct_pa, prof[k]) for k in ARCHIVE_USER_COLUMNS}
    data = {
        "tweetid": tid_s,
        **per_row,
        "tweet_language": lang,
        "tweet_text": text,
        "tweet_time": fmt_minutes(t),
        "tweet_client_name": clients,
        "in_reply_to_userid": rp_userid,
        "in_reply_to_tweetid": rp_tweetid,
        "quoted_tweet_tweetid": q_tweetid,
        "is_retweet": where(kind == RETWEET, "true", "false"),
        "retweet_userid": rt_userid,
        "retweet_tweetid": rt_tweetid,
        "latitude": latlon,
        "longitude": latlon,
        "quote_count": num_str(counts[:, 0]),
        "reply_count": num_str(counts[:, 1]),
        "like_count": num_str(counts[:, 2]),
        "retweet_count": num_str(counts[:, 3]),
        "hashtags": sparse_list(tags_col),
        "urls": sparse_list(urls_col),
        "user_mentions": sparse_list(mentions),
    }
    tweets = pa.table({k: data[k] if k in per_row else _as_str(data[k]) for k in ARCHIVE_TWEET_COLUMNS})
    users = pa.table({k: _as_str(prof[k]) for k in ARCHIVE_USER_COLUMNS})
    return Rendered(tweets, users, tid, userids, kind, clients, acct, t)
