"""Near-duplicate texts: MinHash signatures and LSH buckets, for all tweets at once.

Two non-retweets are near duplicates when the estimated Jaccard similarity of their
normalised texts' word-shingle sets is at least ``threshold``. Signatures use
datasketch's permutations (``affine32`` scheme), computed with numpy; candidate pairs
come only from shared LSH buckets (band parameters from :class:`datasketch.MinHashLSH`,
tuned towards recall), never from all pairs, and are then verified on the signatures.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook._arrow import as_strings, dictionary_codes, taken
from casebook._threads import mapped
from casebook.coordination.engine import Events, seconds_type
from casebook.coordination.text import HASH_MUL, distinct_texts, normalise_arrow
from casebook.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from casebook.coordination.kinds import Prepared

__all__ = ["NearDuplicateOptions"]

#: datasketch.MinHashLSH weights of (false positives, false negatives): favour recall,
#: since every candidate pair is verified on its signatures afterwards.
LSH_WEIGHTS: tuple[float, float] = (0.1, 0.9)
#: Candidate pairs compared at once (a num_perm x chunk block of signature values).
SIMILARITY_CHUNK = 1 << 16
#: Texts whose shingles are in memory at once (near_duplicate_events).
SIGNATURE_BATCH = 1 << 17
#: Shingles hashed at once by every permutation (a block of texts; see minhash_signatures).
MINHASH_CHUNK = 1 << 16
#: Texts are grouped for the MinHash by their shingle count rounded up to a multiple of this.
MINHASH_WIDTH = 4
_LOW32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class NearDuplicateOptions:
    """Options of the ``near_duplicate`` network kind (the other kinds ignore them).

    Parameters
    ----------
    threshold
        Smallest estimated Jaccard similarity of two texts' word-shingle sets, in (0, 1].
    shingle_size
        Words per shingle (>= 1); a text with fewer words is one shingle.
    num_perm
        MinHash permutations (signature length).
    seed
        Seed of the MinHash permutations.

    Examples
    --------
    >>> strict = NearDuplicateOptions(threshold=0.9)
    >>> strict.num_perm
    128
    """

    threshold: float = 0.7
    shingle_size: int = 2
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise UsageError(f"threshold must be in (0, 1], got {self.threshold!r}")
        if self.shingle_size < 1:
            raise UsageError(f"shingle_size must be >= 1, got {self.shingle_size!r}")
        if self.num_perm < 1:
            raise UsageError(f"num_perm must be >= 1, got {self.num_perm!r}")


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix for the affine32 scheme)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hashes(norm: pa.Array, shingle_size: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the word shingles of each text, and the text index of each.

    A text shorter than ``shingle_size`` words is one shingle. Token hashes are pandas'
    deterministic SipHash of the token; a shingle hash combines its tokens' hashes.
    """
    tokens = pc.split_pattern(norm, " ")
    flat = pc.list_flatten(tokens)
    doc = pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
    lengths = pc.list_value_length(tokens).to_numpy(zero_copy_only=False).astype(np.int64)
    codes, vocab = dictionary_codes(flat)
    # hash each distinct token once; the tokens are distinct already, so pandas' default
    # factorisation before hashing (``categorize``) gives the same hashes six times slower
    # (1.74 against 0.29 s for a million tokens);
    # guarded by tests/coordination/test_near_duplicate.py::test_token_hashes_are_pandas_siphash_of_each_token
    vocab_hash = pd.util.hash_array(vocab.to_numpy(zero_copy_only=False), categorize=False)
    th = vocab_hash[codes]
    start = np.cumsum(lengths) - lengths
    where = np.arange(len(th)) - start[doc]
    length = lengths[doc]
    first = where <= np.maximum(length - shingle_size, 0)
    h = th.copy()
    for j in range(1, shingle_size):  # loop over the shingle width only
        nxt = np.minimum(np.arange(len(th)) + j, len(th) - 1)
        use = where + j < length
        h = np.where(use, h * HASH_MUL + th[nxt], h)
    h = h[first]
    h32 = ((h >> np.uint64(32)) ^ (h & _LOW32)).astype(np.uint32)
    return h32, doc[first]


def minhash_signatures(
    h32: np.ndarray, doc: np.ndarray, n_docs: int, *, num_perm: int, seed: int
) -> np.ndarray:
    """MinHash signatures (n_docs x num_perm, uint32) of the shingle hashes per text.

    Bit for bit what ``datasketch.MinHash(num_perm, seed, hashfunc=...)`` gives when
    updated with the same 32-bit shingle hashes (scheme ``affine32``). Every text must
    have a shingle, and ``doc`` must be sorted. The result is a transposed view of a
    (num_perm x n_docs) array, so each permutation's values are contiguous.
    """
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    a = a.astype(np.uint32)
    b = b.astype(np.uint32)
    mixed = _fmix32(h32)
    starts = np.searchsorted(doc, np.arange(n_docs), "left")
    count = np.diff(np.r_[starts, len(mixed)])
    sig_t = np.empty((num_perm, n_docs), dtype=np.uint32)
    # texts grouped by their shingle count rounded up to a multiple of MINHASH_WIDTH; a
    # block of a group is laid out as a (width x texts) array, each text's column padded
    # with its own last shingle (a repeat changes no minimum), so a text's minimum is a
    # reduce over axis 0: elementwise (SIMD) minimums of whole rows, where a reduceat over
    # ragged texts paid per text (1.7x faster on the specimen's texts). The blocks of
    # about MINHASH_CHUNK values stay in the CPU cache for every permutation;
    # guarded by tests/coordination/test_near_duplicate.py::test_minhash_signatures_equal_datasketch
    # and tests/coordination/test_near_duplicate.py::test_minhash_signatures_in_blocks_equal_one_block
    if n_docs == 0:
        return sig_t.T
    width = -(-count // MINHASH_WIDTH) * MINHASH_WIDTH
    by_width = np.argsort(width, kind="stable")
    sorted_width = width[by_width]
    cuts = np.flatnonzero(np.r_[True, sorted_width[1:] != sorted_width[:-1]])
    for g0, g1 in zip(cuts, np.r_[cuts[1:], n_docs], strict=True):  # loop over widths
        wd = int(sorted_width[g0])
        per = max(MINHASH_CHUNK // wd, 1)
        for c0 in range(g0, g1, per):  # loop over blocks of texts
            texts = by_width[c0:min(c0 + per, g1)]
            block = mixed[starts[texts] + np.minimum(np.arange(wd)[:, None], count[texts] - 1)]
            buf = np.empty_like(block)
            part = np.empty((num_perm, len(texts)), np.uint32)
            for k in range(num_perm):  # loop over permutations only
                np.multiply(block, a[k], out=buf)
                buf += b[k]
                np.minimum.reduce(buf, axis=0, out=part[k])
            sig_t[:, texts] = part
    return sig_t.T


def hash_order(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(an argsort of the uint64 hashes ``h``, the sorted hashes); equal hashes in any order.

    numpy sorts values several times faster than it argsorts them, so each hash's
    position replaces its low bits and the values are sorted. Hashes that differ only in
    those bits come out of order there (about one pair per band of a release's millions
    of texts): a stable sort of the nearly sorted result puts them in place in about
    linear time. About half an argsort's time on a band of scale 8's 2.9M texts;
    guarded by tests/coordination/test_near_duplicate.py::test_hash_order_sorts_hashes_that_share_their_high_bits
    """
    n = len(h)
    bits = np.uint64(max(int(n - 1).bit_length(), 1))
    packed = h >> bits
    packed <<= bits
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    packed &= np.uint64((1 << int(bits)) - 1)
    order = packed.astype(np.intp)
    del packed
    hs = h[order]
    if n > 1 and not bool((hs[1:] >= hs[:-1]).all()):
        fix = np.argsort(hs, kind="stable")
        order, hs = order[fix], hs[fix]
    return order, hs


def _mix64(x: np.ndarray) -> np.ndarray:
    """A pseudo-random 64-bit value of each integer (splitmix64's finalizer)."""
    z = x.astype(np.uint64)
    z += np.uint64(0x9E3779B97F4A7C15)
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _kept_buckets(of_text: Sequence[np.ndarray], n_buckets: Sequence[int],
                  shared: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Per band, per bucket: does it give events? A bucket of two or more tweets does,
    unless a bucket of an earlier band holds exactly the same texts.

    ``of_text`` gives per band the bucket of each text; ``shared`` per band (its buckets
    of two or more tweets, their numbers of texts, the sum of :func:`_mix64` over their
    texts). Equal sets of texts have equal sums; a bucket whose sum and number of texts
    equal an earlier band's is then checked text by text (each of its texts in that
    bucket), so sets that only share their sums are both kept.
    """
    kept = [np.zeros(n, bool) for n in n_buckets]
    for j, (numbers, _, _) in enumerate(shared):  # loop over bands
        kept[j][numbers] = True
    band = np.concatenate([np.full(len(s[0]), j, np.int64) for j, s in enumerate(shared)])
    number = np.concatenate([s[0] for s in shared])
    n_in = np.concatenate([s[1] for s in shared])
    text_sum = np.concatenate([s[2] for s in shared])
    if len(number) < 2:
        return kept
    order = np.argsort(text_sum, kind="stable")  # equal sums in band order
    ts, k = text_sum[order], n_in[order]
    new = np.r_[True, (ts[1:] != ts[:-1]) | (k[1:] != k[:-1])]
    head = np.maximum.accumulate(np.where(new, np.arange(len(order)), 0))
    repeat, of = order[~new], order[head[~new]]  # of a repeat: its run's first, an earlier band's
    del order, ts, k, new, head
    for j in range(len(shared)):  # loop over bands
        mine = band[repeat] == j
        if not mine.any():
            continue
        by_number = np.argsort(number[repeat[mine]])
        rep = number[repeat[mine]][by_number]
        first_band = band[of[mine]][by_number]
        first_number = number[of[mine]][by_number]
        is_repeat = np.zeros(n_buckets[j], bool)
        is_repeat[rep] = True
        texts = np.flatnonzero(is_repeat[of_text[j]])
        bucket = of_text[j][texts]
        at = np.searchsorted(rep, bucket)
        same = np.empty(len(texts), bool)
        for b in np.unique(first_band[at]).tolist():  # loop over earlier bands
            sel = first_band[at] == b
            same[sel] = of_text[b][texts[sel]] == first_number[at[sel]]
        is_repeat[bucket[~same]] = False
        kept[j] &= ~is_repeat
    return kept


@lru_cache(maxsize=16)
def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch.MinHashLSH chooses (it integrates the
    error rates of every choice: 0.01 s at 128 permutations with datasketch 2.0),
    remembered."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=LSH_WEIGHTS)
    return int(lsh.b), int(lsh.r)


def near_duplicate_events(prep: Prepared, rows: np.ndarray, options: NearDuplicateOptions, *,
                          drop_singletons: bool = False,
                          texts: tuple[np.ndarray, np.ndarray, pa.Array] | None = None) -> Events:
    """One event per (tweet, LSH band bucket) of the texts of ``rows``; the events
    carry the pair filter that verifies candidates on their signatures. With
    ``drop_singletons``, buckets of a single tweet give no event, nor do buckets of the
    same tweets as a bucket of an earlier band (no weight, burst or pair changes).
    ``texts`` is
    :func:`~casebook.coordination.text.distinct_texts` of ``rows``, when computed already."""
    # identical normalised texts have identical signatures and buckets: each distinct
    # text is hashed once (copies are what an operation posts; the control cohort's
    # specimen at scale 4 holds one distinct text per two tweets);
    # guarded by tests/coordination/test_near_duplicate.py::test_similarity_and_buckets_equal_a_reference
    docs_pos, text_of_doc, distinct = distinct_texts(prep.df, rows) if texts is None else texts
    texts = None  # the caller's tuple would keep the distinct texts past their hashing
    n_docs = len(docs_pos)
    if n_docs < 2:
        return Events.empty()
    n_texts = len(distinct)
    bands, rows_per_band = _lsh_params(options.threshold, options.num_perm)
    # only the low byte of each signature value is kept, one row per text (a quarter of
    # the signatures' memory: 1.5 GB at specimen scale 8, held through the replicates); a
    # candidate pair's count of equal bytes bounds its count of equal values from above,
    # so pairs below the threshold on the bytes are below it exactly, and the few above
    # are verified on signatures recomputed from their texts (:class:`_Verifier`). A pair
    # reads two contiguous rows, not values scattered over a permutation-major array; each
    # band's hashes are folded batch by batch from the permutation-major batch;
    # guarded by tests/coordination/test_near_duplicate.py::test_similarity_and_buckets_equal_a_reference
    # and tests/coordination/test_near_duplicate.py::test_pairs_rejected_on_low_bytes_are_those_of_the_full_signatures
    low = np.empty((n_texts, options.num_perm), np.uint8)
    band_hash = [np.zeros(n_texts, np.uint64) for _ in range(bands)]

    # texts in batches: the tokens and shingles of one batch at a time are in memory, not
    # a whole release's (a text's signature depends on its own shingles only);
    # guarded by tests/coordination/test_near_duplicate.py::test_signatures_in_batches_equal_one_batch
    def batch(texts: pa.Array, lo: int) -> None:  # writes its own rows of sig and band_hash
        part = texts.slice(lo, SIGNATURE_BATCH)
        h32, doc = shingle_hashes(part, options.shingle_size)
        part_t = minhash_signatures(h32, doc, len(part), num_perm=options.num_perm,
                                    seed=options.seed).T  # (num_perm, texts), contiguous
        del h32, doc
        hi = lo + len(part)
        for j in range(bands):  # loop over LSH bands only
            h = band_hash[j][lo:hi]  # a view: folded in place, no temporaries per row
            for row in part_t[j * rows_per_band:(j + 1) * rows_per_band]:
                np.multiply(h, HASH_MUL, out=h)
                np.add(h, row, out=h)
        np.copyto(low[lo:hi], part_t.T, casting="unsafe")  # the low byte of each value

    # batches on threads (numpy's ufuncs release the GIL): the other kinds of a release
    # finish long before its near duplicates, whose thread would otherwise run alone;
    # guarded by tests/coordination/test_near_duplicate.py::test_signatures_in_batches_equal_one_batch
    mapped(partial(batch, distinct), range(0, n_texts, SIGNATURE_BATCH), name="minhash")
    # the texts are hashed: freed before the bands' sorts, the stage of the release's peak
    del distinct
    index = np.int32 if n_docs < 2**31 else np.int64
    # every text's rank in (time, position) order: a band's events are sorted by (bucket,
    # rank), so the events come in the (key, time) order the engine sorts them into
    t_docs = prep.sec[docs_pos].astype(seconds_type(prep.sec), copy=False)
    doc_of_rank = np.argsort(t_docs, kind="stable")  # docs_pos is increasing
    rank = np.empty(n_docs, np.int64)
    rank[doc_of_rank] = np.arange(n_docs)

    # each band's bucket is a key, so the pair engine finds candidates within the window;
    # guarded by tests/coordination/test_near_duplicate.py::test_near_duplicate_across_many_texts_only_links_the_copies
    # buckets are found by sorting the band hashes of the distinct texts (no hash table: a
    # release's texts do not fit in the CPU cache) and numbered in hash order; the key
    # numbers differ from a first-seen numbering, which changes no weight, burst or pair
    text_index = np.int32 if n_texts < 2**31 else np.int64
    of_text: list[np.ndarray | None] = [None] * bands  # per band, the bucket of each text
    tweets_of_text = np.bincount(text_of_doc, minlength=n_texts) if drop_singletons else None

    def buckets(j: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """Band ``j``'s bucket of each text into ``of_text[j]``; returns (its buckets, and
        for its buckets of two or more tweets: their numbers, texts and text-set sum)."""
        h = band_hash[j]
        band_hash[j] = None  # each band's hashes are freed once sorted
        by_hash, hs = hash_order(h)  # equal hashes (one bucket) are adjacent
        del h
        new = np.empty(n_texts, bool)
        new[0] = True
        np.not_equal(hs[1:], hs[:-1], out=new[1:])
        del hs
        number = np.cumsum(new, dtype=text_index)
        number -= 1
        of_text[j] = np.empty(n_texts, text_index)
        of_text[j][by_hash] = number
        del number
        first = np.flatnonzero(new)
        del new
        if tweets_of_text is None:
            return len(first), *(np.zeros(0, np.int64),) * 3
        # by_hash holds each bucket's texts together: sums over its runs are per bucket
        shared = np.flatnonzero(np.add.reduceat(tweets_of_text[by_hash], first) > 1)
        n_in = np.diff(np.r_[first, n_texts])[shared]
        text_sum = np.add.reduceat(_mix64(by_hash), first)[shared]
        return len(first), shared, n_in, text_sum

    found = mapped(buckets, range(bands), name="bands")
    n_buckets = [f[0] for f in found]
    offsets = np.cumsum([0] + n_buckets)  # each band's first key
    # with drop_singletons, a band's buckets of one tweet give no event (their key numbers
    # kept), nor do the buckets of the very texts of an earlier band's bucket (a text
    # copied verbatim and never edited fills one bucket in each of its bands): they
    # repeat its pairs, which the weights and the bursts count once per tweet pair
    # anyway, and its crowd verdicts, which look at the same accounts; so no weight,
    # burst or pair changes (at specimen scale 8, 7.0M of 49.7M events, and 6.0M of the
    # 19.0M that every chance replicate moves); a release's events are never all in
    # memory at once;
    # guarded by tests/coordination/test_near_duplicate.py::test_singletons_dropped_per_band_are_the_same
    # and tests/coordination/test_near_duplicate.py::test_repeated_buckets_give_no_events_and_change_no_weight
    kept = (_kept_buckets(of_text, n_buckets, [f[1:] for f in found])
            if drop_singletons else [None] * bands)
    del found

    def band(j: int) -> tuple[np.ndarray, np.ndarray, int]:
        """(bucket of each event, its doc, buckets) of band ``j``, in (bucket, time) order."""
        bucket = of_text[j][text_of_doc].astype(np.int64)
        of_text[j] = None
        if kept[j] is not None:
            doc_ids = np.flatnonzero(kept[j][bucket])
            kept[j] = None
            bucket = bucket[doc_ids]
        else:
            doc_ids = np.arange(n_docs)
        # (bucket, time, position) as one int64, distinct, so the sorted codes themselves
        # give the bucket and the doc (a sort of values: about twice as fast as an argsort);
        # guarded by tests/coordination/test_near_duplicate.py::test_similarity_and_buckets_equal_a_reference
        code = bucket * n_docs
        code += rank[doc_ids]
        del bucket, doc_ids
        code.sort()
        bucket = code // n_docs
        code -= bucket * n_docs
        return bucket.astype(index), doc_of_rank[code].astype(index), n_buckets[j]

    # the bands on threads (argsort and the gathers release the GIL; the signatures'
    # threads are done): on the Iran specimen at scale 8 this stage ran alone on one
    # core for 15 s; each band's arrays are written into the events and freed in turn
    per_band = mapped(band, range(bands), name="bands")
    starts = np.cumsum([0] + [len(b[0]) for b in per_band])  # each band's first event
    key_type = np.int32 if int(offsets[-1]) < 2**31 else np.int64
    n_ev = int(starts[-1])
    key = np.empty(n_ev, key_type)
    pos = np.empty(n_ev, index)
    t = np.empty(n_ev, t_docs.dtype)
    user_type = np.int32 if prep.n_users < 2**31 else np.int64
    user = np.empty(n_ev, user_type)
    user_of_doc = prep.ucode[docs_pos].astype(user_type)
    pos_of_doc = docs_pos.astype(index)
    doc_used = np.zeros(n_docs, bool)

    def fill(j: int) -> None:  # writes its own slice of the events
        b, d, _ = per_band[j]
        per_band[j] = None
        lo, hi = int(starts[j]), int(starts[j + 1])
        np.add(b, offsets[j], out=key[lo:hi], casting="unsafe")
        del b
        pos[lo:hi] = pos_of_doc[d]
        t[lo:hi] = t_docs[d]
        user[lo:hi] = user_of_doc[d]
        doc_used[d] = True  # every writer writes True: the threads may overlap

    # guarded by tests/coordination/test_near_duplicate.py::test_singletons_dropped_per_band_are_the_same
    mapped(fill, range(bands), name="bands")
    # only the texts of events are ever compared: when most texts are in no shared bucket
    # (a real release's texts are mostly unique), the others' rows are freed (the copy
    # costs a second array for a moment, so not for a few);
    # guarded by tests/coordination/test_near_duplicate.py::test_singletons_dropped_per_band_are_the_same
    used = np.zeros(n_texts, bool)
    used[text_of_doc[doc_used]] = True
    if 2 * int(used.sum()) > n_texts:
        used[:] = True
    row_of_text = np.cumsum(used, dtype=np.int64) - 1
    if not used.all():
        low = low[used]
    row_of_pos = np.full(len(prep.df), -1, index)
    row_of_pos[docs_pos] = np.where(used[text_of_doc], row_of_text[text_of_doc], -1)
    del used, row_of_text
    verifier = _Verifier(low, as_strings(prep.df["tweet_text"]), row_of_pos, options)

    # int32 positions, keys and accounts where they fit (a release's events are about ten
    # per text); the events are in (key, time) order already
    order = np.arange(len(pos), dtype=np.int32 if len(pos) < 2**31 else np.int64)
    return Events(pos, key, t, user, None, verifier.pair_filter, verifier.similarity, order)


class _Verifier:
    """Candidate pairs of tweets verified on their texts' MinHash signatures.

    Holds the low byte of every signature value (``low``, one row per text) and one
    tweet of each row; a text's full signature is recomputed from that tweet's text when
    a pair needs it (a signature depends on the text's own shingles only, so it is the
    one the buckets came from). The texts are read from the release's own column, not
    kept normalised: at specimen scale 8 those were 0.36 GB, held through the replicates;
    guarded by tests/coordination/test_near_duplicate.py::test_the_verifier_keeps_no_copy_of_the_texts
    """

    def __init__(self, low: np.ndarray, source: pa.Array | pa.ChunkedArray,
                 row_of_pos: np.ndarray, options: NearDuplicateOptions) -> None:
        self.low = low
        self.source = source  # the raw texts, one per tweet position
        self.row_of_pos = row_of_pos  # a tweet position's row, -1 for a text never compared
        at = np.flatnonzero(row_of_pos >= 0)
        self.tweet_of_row = np.empty(len(low), row_of_pos.dtype)  # any tweet of each row
        self.tweet_of_row[row_of_pos[at]] = at
        self.options = options
        self.n_rows = len(row_of_pos)
        # the fewest equal values at or above the threshold (the share, as the estimate)
        m = np.arange(options.num_perm + 1)
        self.needed = int(m[m / options.num_perm >= options.threshold][0])
        # verdicts of the row pairs verified on recomputed signatures, as sorted codes
        # (low row * rows + high row): a verdict depends on the two texts only, and the
        # chance replicates meet the same pairs again and again (at specimen scale 8,
        # 0.87M verifications of 0.12M distinct pairs); replaced whole under the lock, so
        # a reader's snapshot never changes under it
        self._known = np.zeros(0, np.int64)
        self._verdict = np.zeros(0, bool)
        self._lock = threading.Lock()

    def _signatures(self, rows: np.ndarray) -> np.ndarray:
        """Full signatures (len(rows) x num_perm) of the texts of ``rows``."""
        part = normalise_arrow(taken(self.source, self.tweet_of_row[rows]))
        h32, doc = shingle_hashes(part, self.options.shingle_size)
        return minhash_signatures(h32, doc, len(rows), num_perm=self.options.num_perm,
                                  seed=self.options.seed)

    def _equal_values(self, da: np.ndarray, db: np.ndarray) -> np.ndarray:
        """Equal signature values of the row pairs (da, db), on recomputed signatures."""
        rows, inv = np.unique(np.concatenate([da, db]), return_inverse=True)
        sig = self._signatures(rows)
        return np.count_nonzero(sig[inv[:len(da)]] == sig[inv[len(da):]], axis=1)

    def _near(self, da: np.ndarray, db: np.ndarray) -> np.ndarray:
        """Per row pair (da, db) of different rows: do the texts' recomputed signatures
        have at least the threshold's share of equal values? Remembered per pair."""
        code = np.minimum(da, db).astype(np.int64) * len(self.low) + np.maximum(da, db)
        known, verdict = self._known, self._verdict  # one consistent snapshot
        at = np.minimum(np.searchsorted(known, code), max(len(known) - 1, 0))
        seen = known[at] == code if len(known) else np.zeros(len(code), bool)
        out = np.zeros(len(code), bool)
        out[seen] = verdict[at[seen]]
        fresh = np.flatnonzero(~seen)
        if len(fresh):
            new_code, first = np.unique(code[fresh], return_index=True)
            new_verdict = self._equal_values(da[fresh[first]], db[fresh[first]]) >= self.needed
            out[fresh] = new_verdict[np.searchsorted(new_code, code[fresh])]
            with self._lock:  # another thread may have added pairs since the snapshot
                codes = np.concatenate([self._known, new_code])
                verdicts = np.concatenate([self._verdict, new_verdict])
                codes, keep = np.unique(codes, return_index=True)
                self._known, self._verdict = codes, verdicts[keep]
        return out

    def similarity(self, pos_a: np.ndarray, pos_b: np.ndarray) -> np.ndarray:
        """Estimated Jaccard similarity of the texts of tweets ``pos_a`` and ``pos_b``
        (NaN for a text in no shared bucket: never a candidate)."""
        out = np.full(len(pos_a), np.nan)
        for s in range(0, len(pos_a), SIMILARITY_CHUNK):  # chunks of pairs, vectorised inside
            da = self.row_of_pos[pos_a[s:s + SIMILARITY_CHUNK]]
            db = self.row_of_pos[pos_b[s:s + SIMILARITY_CHUNK]]
            at = np.flatnonzero((da >= 0) & (db >= 0))
            da, db = da[at], db[at]
            other = da != db  # one text (one row): similarity 1
            out[s + at[~other]] = 1.0
            if other.any():
                out[s + at[other]] = (self._equal_values(da[other], db[other])
                                      / self.options.num_perm)
        return out

    def pair_filter(self, ev: Events, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The event pairs (ia, ib) whose texts are near duplicates."""
        # the same two tweets meet in several bands: verify each tweet pair once
        first = np.unique(ev.pos[ia].astype(np.int64) * self.n_rows + ev.pos[ib],
                          return_index=True)[1]
        ia, ib = ia[first], ib[first]
        ok = np.zeros(len(ia), bool)
        for s in range(0, len(ia), SIMILARITY_CHUNK):  # chunks of pairs, vectorised inside
            da = self.row_of_pos[ev.pos[ia[s:s + SIMILARITY_CHUNK]]]
            db = self.row_of_pos[ev.pos[ib[s:s + SIMILARITY_CHUNK]]]
            at = np.flatnonzero((da >= 0) & (db >= 0))
            da, db = da[at], db[at]
            # two tweets of one normalised text (one row) are near duplicates: no bytes
            # compared, no signatures recomputed (most verified pairs of the specimen)
            same = da == db
            ok[s + at[same]] = True
            da, db, at = da[~same], db[~same], at[~same]
            # equal values are equal low bytes: too few equal bytes, too few equal values
            maybe = np.count_nonzero(self.low[da] == self.low[db], axis=1) >= self.needed
            if maybe.any():
                ok[s + at[maybe]] = self._near(da[maybe], db[maybe])
        return ia[ok], ib[ok]
