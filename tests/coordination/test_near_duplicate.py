"""Near-duplicate texts: MinHash equals datasketch, LSH finds the copies."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook.coordination import near_duplicate
from casebook.coordination.near_duplicate import minhash_signatures
from casebook.errors import UsageError
from tests._frames import make_tweets
from tests.coordination._tweets import post, weights

WORDS = ("the convoy was fired upon near the river crossing while local residents "
         "gathered to demand the release of the detainees held there").split()


def test_near_duplicate_links_one_word_edits_and_not_unrelated_texts() -> None:
    base = " ".join(WORDS[:20])
    edited = " ".join(WORDS[:9] + ["bridge"] + WORDS[10:20])
    assert len(base.split()) == 20
    tweets = make_tweets([
        post("A", 0, base),
        post("B", 1, edited),
        post("C", 0, "completely different words about a football match and the weather "
                     "today in the city centre with friends after work on friday"),
        post("D", 5, base),     # outside the window
    ])
    got = weights(co.coordination_network(tweets, kind="near_duplicate"))
    assert got == {("A", "B"): 1, ("B", "A"): 1}
    ev = co.edge_evidence(tweets, "A", "B", kind="near_duplicate")
    assert len(ev) == 1 and 0.7 <= ev["similarity"].iloc[0] < 1
    # stricter threshold drops the edited pair but keeps exact copies
    strict = co.coordination_network(
        tweets, kind="near_duplicate", window="10min",
        near_duplicate=co.NearDuplicateOptions(threshold=0.95))
    assert weights(strict) == {("A", "D"): 1, ("D", "A"): 1}


def test_near_duplicate_across_many_texts_only_links_the_copies() -> None:
    rng = np.random.default_rng(3)
    vocab = np.array([f"w{i}" for i in range(400)])
    rows = [post(f"u{i:02d}", 0, " ".join(rng.choice(vocab, 20))) for i in range(40)]
    copy_words = rows[0]["tweet_text"].split()
    copy_words[5] = "changed"
    rows.append(post("zz", 0, " ".join(copy_words)))
    got = weights(co.coordination_network(make_tweets(rows), kind="near_duplicate"))
    assert got == {("u00", "zz"): 1, ("zz", "u00"): 1}


def test_minhash_signatures_equal_datasketch() -> None:
    from datasketch import MinHash

    h32 = np.array([5, 17, 99, 3, 12345678], dtype=np.uint32)
    doc = np.array([0, 0, 0, 1, 1])
    sig = minhash_signatures(h32, doc, 2, num_perm=64, seed=7)
    for d in (0, 1):
        m = MinHash(num_perm=64, seed=7, hashfunc=int)
        m.update_batch(h32[doc == d].tolist())
        np.testing.assert_array_equal(sig[d], m.hashvalues)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), n_docs=st.integers(1, 30), chunk=st.integers(1, 40))
def test_minhash_signatures_in_blocks_equal_one_block(seed: int, n_docs: int, chunk: int) -> None:
    # texts are hashed in blocks of about MINHASH_CHUNK shingles (a text never split, a
    # text longer than a block alone): the same signatures as one block of every text
    rng = np.random.default_rng(seed)
    doc = np.sort(np.r_[np.arange(n_docs), rng.integers(0, n_docs, rng.integers(0, 60))])
    h32 = rng.integers(0, 2**32, len(doc), dtype=np.uint32)
    with patch.object(near_duplicate, "MINHASH_CHUNK", 10**9):
        whole = minhash_signatures(h32, doc, n_docs, num_perm=16, seed=3)
    with patch.object(near_duplicate, "MINHASH_CHUNK", chunk):
        np.testing.assert_array_equal(minhash_signatures(h32, doc, n_docs, num_perm=16, seed=3),
                                      whole)


def test_signatures_in_batches_equal_one_batch() -> None:
    # near_duplicate_events hashes the texts batch by batch: the same events and pairs
    texts = [" ".join(WORDS[i % 7:i % 7 + 12]) for i in range(40)] + ["", "one", "one"]
    tweets = make_tweets([post(f"u{i % 5}", i % 3, text) for i, text in enumerate(texts)])
    with patch.object(near_duplicate, "SIGNATURE_BATCH", 10**9):
        whole = co.coordination_network(tweets, kind="near_duplicate")
    with patch.object(near_duplicate, "SIGNATURE_BATCH", 4):
        batched = co.coordination_network(tweets, kind="near_duplicate")
    assert len(whole) and weights(batched) == weights(whole)


def _edited_copies(rng: np.random.Generator, n: int, *, copies: int, users: int,
                   minutes: int) -> pd.DataFrame:
    """``n`` posts of texts from a few templates with random edits (so that some share
    buckets) and verbatim copies (about ``copies`` per text: each distinct text is hashed
    once and its buckets shared), by ``users`` accounts over ``minutes`` minutes."""
    texts = [" ".join(np.where(rng.random(10) < 0.15, "edit", WORDS[t:t + 10]))
             for t in rng.integers(0, 5, n)]
    texts = [texts[int(c)] for c in rng.integers(0, max(n // copies, 1), n)]
    return make_tweets([post(f"u{i % users}", int(m), text) for i, (m, text) in
                        enumerate(zip(rng.integers(0, minutes, n), texts, strict=True))])


def _kept_reference(every) -> np.ndarray:
    """Per event of ``every`` (all buckets): is its bucket of two or more tweets and of
    other tweets than every bucket before it (keys are numbered band by band)?"""
    keep = np.zeros(len(every), bool)
    seen: set[frozenset[int]] = set()
    for key in np.unique(every.key).tolist():  # a reference: loop over buckets
        at = every.key == key
        members = frozenset(every.pos[at].tolist())
        keep[at] = len(members) > 1 and members not in seen
        seen.add(members)
    return keep


def test_singletons_dropped_per_band_are_the_same() -> None:
    # buckets of one text are dropped band by band, keeping the key numbers, and so are
    # the buckets of the very tweets of a bucket of an earlier band: the events are
    # those of every bucket with both dropped afterwards
    from casebook.coordination.kinds import prepare
    from casebook.coordination.near_duplicate import NearDuplicateOptions, near_duplicate_events

    # (most texts are alone: only the signatures of the others are kept, and compared)
    lone = [f"lone words number {i} here {i * 7}" for i in range(40)]
    texts = [" ".join(WORDS[i % 9:i % 9 + 10]) for i in range(30)] + lone
    prep = prepare(make_tweets([post(f"u{i % 4}", i, text) for i, text in enumerate(texts)]))
    rows = prep.ok & ~prep.is_rt
    every = near_duplicate_events(prep, rows, NearDuplicateOptions())
    kept = near_duplicate_events(prep, rows, NearDuplicateOptions(), drop_singletons=True)
    shared = (np.bincount(every.key) > 1)[every.key]
    keep = _kept_reference(every)
    assert 0 < keep.sum() < shared.sum() < len(every)  # repeated buckets are dropped too
    for field in ("pos", "key", "t", "user"):
        np.testing.assert_array_equal(getattr(kept, field), getattr(every, field)[keep])
    a, b = np.meshgrid(np.unique(kept.pos), np.unique(kept.pos))
    np.testing.assert_array_equal(kept.similarity(a.ravel(), b.ravel()),
                                  every.similarity(a.ravel(), b.ravel()))
    assert np.isnan(kept.similarity(np.array([len(texts) - 1]), np.array([0]))).all()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 60), collide=st.booleans())
def test_repeated_buckets_give_no_events_and_change_no_weight(seed: int, n: int,
                                                               collide: bool) -> None:
    # a bucket of the same tweets as a bucket of an earlier band gives no event: the
    # weights, the bursts and the crowds are those of every bucket of two or more tweets.
    # Buckets are matched on a sum over their texts and then checked text by text: with
    # every sum equal (collide), no bucket unlike those before it is dropped (some repeats
    # may then be kept: they change nothing either)
    from casebook.coordination import groups
    from casebook.coordination.engine import MAX_PAIRS
    from casebook.coordination.engine import weights as engine_weights
    from casebook.coordination.kinds import prepare
    from casebook.coordination.near_duplicate import NearDuplicateOptions, near_duplicate_events

    prep = prepare(_edited_copies(np.random.default_rng(seed), n, copies=3, users=7,
                                  minutes=12))
    rows = prep.ok & ~prep.is_rt
    options = NearDuplicateOptions(num_perm=32)
    every = near_duplicate_events(prep, rows, options)
    mix = (lambda x: np.zeros(len(x), np.uint64)) if collide else near_duplicate._mix64
    with patch.object(near_duplicate, "_mix64", mix):
        kept = near_duplicate_events(prep, rows, options, drop_singletons=True)
    keep = _kept_reference(every)
    shared = (np.bincount(every.key) > 1)[every.key]
    got = np.isin(every.key, kept.key)
    np.testing.assert_array_equal(kept.pos, every.pos[got])
    np.testing.assert_array_equal(kept.key, every.key[got])
    if collide:
        assert (keep <= got).all() and (got <= shared).all()
    else:
        np.testing.assert_array_equal(got, keep)
    old = every.subset(shared)
    for w in (60, 240):
        np.testing.assert_array_equal(
            engine_weights(kept, w, prep.ucode, prep.n_users, max_pairs=MAX_PAIRS),
            engine_weights(old, w, prep.ucode, prep.n_users, max_pairs=MAX_PAIRS))
        for crowd in (None, 2):
            got = groups.burst_members(kept, w, prep.ucode, max_pairs=MAX_PAIRS,
                                       max_accounts=crowd)
            want = groups.burst_members(old, w, prep.ucode, max_pairs=MAX_PAIRS,
                                        max_accounts=crowd)
            for g, r in zip(got, want, strict=True):
                np.testing.assert_array_equal(g, r)


def _verified(tweets: pd.DataFrame):
    """Every pair of events of two tweets, as the verifier judges it (num_perm 8,
    threshold 0.5): (events, the pairs' events ia and ib, the pairs kept as tweet position
    pairs, and the full signatures of each pair's two texts, recomputed from the
    normalised texts for reference)."""
    from casebook.coordination.kinds import prepare
    from casebook.coordination.near_duplicate import (
        NearDuplicateOptions,
        near_duplicate_events,
        shingle_hashes,
    )
    from casebook.coordination.text import filled, normalised_texts

    prep = prepare(tweets)
    rows = prep.ok & ~prep.is_rt
    options = NearDuplicateOptions(num_perm=8, threshold=0.5)
    ev = near_duplicate_events(prep, rows, options)
    ia, ib = np.triu_indices(len(ev), 1)
    ia, ib = ia[ev.pos[ia] != ev.pos[ib]], ib[ev.pos[ia] != ev.pos[ib]]
    got = ev.pair_filter(ev, ia, ib)
    got = set(zip(ev.pos[got[0]].tolist(), ev.pos[got[1]].tolist(), strict=True))
    norm = normalised_texts(prep.df, rows)
    docs_pos = np.flatnonzero(rows)[filled(norm)]
    h32, doc = shingle_hashes(norm.filter(filled(norm)), options.shingle_size)
    full = minhash_signatures(h32, doc, len(docs_pos), num_perm=options.num_perm,
                              seed=options.seed)
    da, db = np.searchsorted(docs_pos, ev.pos[ia]), np.searchsorted(docs_pos, ev.pos[ib])
    return ev, ia, ib, got, full[da], full[db]


def test_the_verifier_keeps_no_copy_of_the_texts() -> None:
    # the verifier recomputes a pair's signatures from the release's own text column,
    # in chunks as a loaded release holds it, normalising what it reads there (mentions,
    # capitals and runs of whitespace change the raw texts' shingles): the pairs kept are
    # those of the normalised texts' full signatures, and it holds no texts of its own
    import pyarrow as pa

    from casebook._arrow import as_strings

    rng = np.random.default_rng(11)
    raw = []
    for t in rng.integers(0, 3, 90):
        words = np.where(rng.random(10) < 0.2, [f"x{v}" for v in rng.integers(0, 10**6, 10)],
                         WORDS[t:t + 10])
        words = [w.upper() if rng.random() < 0.4 else w for w in words]
        raw.append(f"@u{rng.integers(0, 9)} " + ("  \n".join(words) if rng.random() < 0.5
                                                   else " ".join(words)))
    tweets = make_tweets([post(f"u{i % 7}", 0, text) for i, text in enumerate(raw)])
    chunked = pa.chunked_array([raw[:40], raw[40:41], raw[41:]], pa.string())
    tweets["tweet_text"] = pd.Series(pd.arrays.ArrowStringArray(chunked), index=tweets.index)
    ev, ia, ib, got, fa, fb = _verified(tweets)
    exact = (fa == fb).sum(axis=1) >= 4
    assert got == set(zip(ev.pos[ia][exact].tolist(), ev.pos[ib][exact].tolist(), strict=True))
    assert 0 < len(got) < len(ia)
    np.testing.assert_array_equal(ev.similarity(ev.pos[ia], ev.pos[ib]), (fa == fb).mean(axis=1))

    column = {b.address for c in as_strings(tweets["tweet_text"]).chunks
              for b in c.buffers() if b is not None}
    held = [v for v in vars(ev.pair_filter.__self__).values()
            if isinstance(v, pa.Array | pa.ChunkedArray)]
    assert held
    for values in held:
        for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
            assert {b.address for b in chunk.buffers() if b is not None} <= column


def test_options_are_checked_and_frozen() -> None:
    for bad in ({"threshold": 0}, {"threshold": 1.5}, {"shingle_size": 0}, {"num_perm": 0}):
        with pytest.raises(UsageError):
            co.NearDuplicateOptions(**bad)
    options = co.NearDuplicateOptions()
    assert (options.threshold, options.shingle_size, options.num_perm, options.seed) == (0.7, 2, 128, 1)
    with pytest.raises(AttributeError):
        options.threshold = 0.5  # type: ignore[misc]


def test_options_reach_the_signatures() -> None:
    base = " ".join(WORDS[:20])
    edited = " ".join(WORDS[:9] + ["bridge"] + WORDS[10:20])
    tweets = make_tweets([post("A", 0, base), post("B", 0, edited)])
    similarities = {
        float(co.edge_evidence(tweets, "A", "B", kind="near_duplicate",
                               near_duplicate=co.NearDuplicateOptions(seed=seed))
              ["similarity"].iloc[0])
        for seed in (1, 2, 3)
    }
    # the estimate depends on the permutations: other seeds give other values
    assert len(similarities) > 1
    words = co.NearDuplicateOptions(shingle_size=1)
    assert len(co.coordination_network(tweets, kind="near_duplicate", near_duplicate=words)) == 2


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(2, 60), batch=st.sampled_from([3, 7, 10**9]))
def test_similarity_and_buckets_equal_a_reference(seed: int, n: int, batch: int) -> None:
    # the signatures are kept one row per distinct text and each band's hashes folded
    # batch by batch: the buckets and the similarities are those of the
    # permutation-major signatures of every tweet's text at once
    from casebook.coordination.kinds import prepare
    from casebook.coordination.near_duplicate import (
        HASH_MUL,
        NearDuplicateOptions,
        _lsh_params,
        near_duplicate_events,
        shingle_hashes,
    )
    from casebook.coordination.text import filled, normalised_texts

    rng = np.random.default_rng(seed)
    prep = prepare(_edited_copies(rng, n, copies=2, users=6, minutes=30))
    rows = prep.ok & ~prep.is_rt
    options = NearDuplicateOptions(num_perm=32)
    with patch.object(near_duplicate, "SIGNATURE_BATCH", batch):
        ev = near_duplicate_events(prep, rows, options)
    norm = normalised_texts(prep.df, rows)
    docs_pos = np.flatnonzero(rows)[filled(norm)]
    h32, doc = shingle_hashes(norm.filter(filled(norm)), options.shingle_size)
    ref = minhash_signatures(h32, doc, len(docs_pos), num_perm=options.num_perm,
                             seed=options.seed).T  # (num_perm, texts)
    bands, r = _lsh_params(options.threshold, options.num_perm)
    assert len(ev) == bands * len(docs_pos)  # one event per (text, band)
    band_of = np.arange(len(ev)) // len(docs_pos)
    doc_of = np.searchsorted(docs_pos, ev.pos)
    hashes = np.zeros((bands, len(docs_pos)), np.uint64)
    for j in range(bands):
        for row in ref[j * r:(j + 1) * r]:
            hashes[j] = hashes[j] * HASH_MUL + row.astype(np.uint64)
    # a key is one (band, band hash): the same buckets
    pairs = pd.DataFrame({"key": ev.key, "band": band_of,
                          "hash": hashes[band_of, doc_of].astype(str)})
    assert (pairs.groupby("key")[["band", "hash"]].nunique() == 1).all().all()
    assert pairs.groupby(["band", "hash"])["key"].nunique().eq(1).all()
    # events in (key, time) order
    assert (np.diff(ev.key) > 0).sum() + 1 == len(np.unique(ev.key))
    same = ev.key[1:] == ev.key[:-1]
    assert (np.diff(ev.t)[same] >= 0).all()
    # exactly: band by band, the texts' buckets numbered in hash order, each bucket's
    # tweets in (time, position) order
    want_key, want_pos = [], []
    for j in range(bands):
        distinct, bucket = np.unique(hashes[j], return_inverse=True)
        at = np.lexsort((docs_pos, prep.sec[docs_pos], bucket))
        want_key.append(bucket[at] + sum(len(np.unique(hashes[i])) for i in range(j)))
        want_pos.append(docs_pos[at])
    np.testing.assert_array_equal(ev.key, np.concatenate(want_key))
    np.testing.assert_array_equal(ev.pos, np.concatenate(want_pos))
    # the similarity of any two texts: the share of equal signature values
    a, b = rng.integers(0, len(docs_pos), (2, 50))
    np.testing.assert_array_equal(ev.similarity(docs_pos[a], docs_pos[b]),
                                  (ref[:, a] == ref[:, b]).mean(axis=0))


@pytest.mark.parametrize("n", [1, 2, 1000, 5000])
def test_hash_order_sorts_hashes_that_share_their_high_bits(n: int) -> None:
    # the sort packs each hash's position into its low bits: hashes that differ only
    # there (a pair per band of millions of texts) are put in place afterwards
    from casebook.coordination.near_duplicate import hash_order

    rng = np.random.default_rng(n)
    h = rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True)
    if n >= 1000:
        bits = int(n - 1).bit_length()
        high = h[: n // 4] >> np.uint64(bits) << np.uint64(bits)
        h[n // 4: n // 2] = high | rng.integers(0, 2**bits, len(high)).astype(np.uint64)
        h[n // 2: n // 2 + 100] = h[:100]  # equal hashes (one bucket)
        rng.shuffle(h)
    order, hs = hash_order(h)
    np.testing.assert_array_equal(hs, np.sort(h))
    np.testing.assert_array_equal(h[order], hs)
    np.testing.assert_array_equal(np.sort(order), np.arange(n))


def test_pairs_rejected_on_low_bytes_are_those_of_the_full_signatures() -> None:
    # only the low byte of each signature value is kept: a pair with too few equal bytes
    # has too few equal values, and the others are verified on recomputed signatures, so
    # the pairs kept are those of the full signatures (and the bytes alone would keep more)
    rng = np.random.default_rng(7)
    # edits by words of a large vocabulary, so that the minimum values vary and some low
    # bytes of different values agree
    texts = [" ".join(np.where(rng.random(10) < 0.2, [f"x{v}" for v in rng.integers(0, 10**6, 10)],
                               WORDS[t:t + 10]))
             for t in rng.integers(0, 3, 120)]
    ev, ia, ib, got, fa, fb = _verified(
        make_tweets([post(f"u{i % 7}", 0, text) for i, text in enumerate(texts)]))
    pairs = set(zip(ev.pos[ia].tolist(), ev.pos[ib].tolist(), strict=True))
    exact = (fa == fb).sum(axis=1) >= 4
    assert got == set(zip(ev.pos[ia][exact].tolist(), ev.pos[ib][exact].tolist(), strict=True))
    assert 0 < len(got) < len(pairs)
    on_bytes = ((fa & 0xFF) == (fb & 0xFF)).sum(axis=1) >= 4
    assert (on_bytes & ~exact).any()


@pytest.mark.parametrize("shingle_size", [1, 3])
def test_token_hashes_are_pandas_siphash_of_each_token(shingle_size: int) -> None:
    # a token's hash is pandas' SipHash of that token alone (hashed once per distinct
    # token, in whatever order the dictionary holds them); a shingle combines its tokens'
    # hashes left to right; the 32 bits kept fold the 64-bit hash's halves
    import pyarrow as pa

    from casebook.coordination.near_duplicate import HASH_MUL, shingle_hashes

    texts = ["b a c a", "a", "c b a d e", "é ü ß ✓ a", "d"]
    h32, doc = shingle_hashes(pa.array(texts), shingle_size)

    def one(token: str) -> int:
        return int(pd.util.hash_array(np.array([token], dtype=object))[0])

    want, want_doc = [], []
    for i, text in enumerate(texts):  # loop over a handful of texts: the reference
        words = text.split(" ")
        for start in range(max(len(words) - shingle_size, 0) + 1):
            h = 0
            for j, word in enumerate(words[start:start + shingle_size]):
                h = one(word) if j == 0 else (h * int(HASH_MUL) + one(word)) % 2**64
            want.append((h >> 32) ^ (h & 0xFFFFFFFF))
            want_doc.append(i)
    assert h32.tolist() == want
    assert doc.tolist() == want_doc


def test_pairs_of_one_text_are_judged_without_recomputing_signatures() -> None:
    # two tweets of one normalised text are near duplicates (similarity 1) whatever their
    # raw bytes: the verifier recomputes signatures only for pairs of two different texts
    texts = ["the same  Words said here by @a", "the same words said here by @b",
             "entirely other words in this one", "entirely other words in this one",
             "the same words said here too", "lone text nobody repeats at all"]
    tweets = make_tweets([post(f"u{i}", 0, text) for i, text in enumerate(texts)])
    asked = []
    real = near_duplicate._Verifier._signatures

    def spy(self, rows):
        asked.append(rows.copy())
        return real(self, rows)

    with patch.object(near_duplicate._Verifier, "_signatures", spy):
        ev, ia, ib, got, sig_a, sig_b = _verified(tweets)
        row = ev.pair_filter.__self__.row_of_pos
        same = row[ev.pos[ia]] == row[ev.pos[ib]]
        sim = ev.similarity(ev.pos[ia], ev.pos[ib])
        assert same.any() and (~same).any() and asked  # both sorts of pairs, and a check
        asked.clear()
        kept = ev.pair_filter(ev, ia[same], ib[same])
        sim_same = ev.similarity(ev.pos[ia[same]], ev.pos[ib[same]])
    assert asked == []  # not one signature for the pairs of one text
    assert set(zip(ev.pos[kept[0]].tolist(), ev.pos[kept[1]].tolist(), strict=True)) == set(
        zip(ev.pos[ia[same]].tolist(), ev.pos[ib[same]].tolist(), strict=True))
    assert (sim_same == 1).all()
    want = {(int(a), int(b)) for a, b, x, y in zip(ev.pos[ia], ev.pos[ib], sig_a, sig_b, strict=True)
            if (x == y).mean() >= 0.5}
    assert got == want and {(0, 1), (2, 3)} <= got
    np.testing.assert_array_equal(sim, (sig_a == sig_b).mean(axis=1))


def test_verdicts_are_remembered_per_pair_of_texts() -> None:
    # a pair of texts is verified on recomputed signatures once: the chance replicates
    # meet the same pairs again (in either order, in any chunk, on any thread), and a
    # remembered verdict is the one the signatures give
    rng = np.random.default_rng(7)
    texts = [" ".join(np.where(rng.random(10) < 0.2, [f"x{v}" for v in rng.integers(0, 10**6, 10)],
                               WORDS[t:t + 10]))
             for t in rng.integers(0, 3, 120)]
    tweets = make_tweets([post(f"u{i % 7}", 0, text) for i, text in enumerate(texts)])
    asked = []
    real = near_duplicate._Verifier._signatures

    def spy(self, rows):
        asked.append(len(rows))
        return real(self, rows)

    with patch.object(near_duplicate._Verifier, "_signatures", spy):
        ev, ia, ib, got, fa, fb = _verified(tweets)
        assert asked
        asked.clear()

        def kept(a, b):
            ka, kb = ev.pair_filter(ev, a, b)
            return set(zip(ev.pos[ka].tolist(), ev.pos[kb].tolist(), strict=True))

        assert kept(ia, ib) == got and asked == []
        assert kept(ib, ia) == {(b, a) for a, b in got} and asked == []
    exact = (fa == fb).sum(axis=1) >= 4
    assert got == set(zip(ev.pos[ia][exact].tolist(), ev.pos[ib][exact].tolist(), strict=True))

    # half the pairs first, then all (the second call verifies only the other half's new
    # pairs, and merges them with the first's): the same verdicts as one call
    ev2, *_ = _verified(tweets)
    verifier = ev2.pair_filter.__self__
    verifier._known, verifier._verdict = verifier._known[:0], verifier._verdict[:0]
    half = rng.permutation(len(ia))[: len(ia) // 2]
    ev2.pair_filter(ev2, ia[half], ib[half])
    ka, kb = ev2.pair_filter(ev2, ia, ib)
    assert set(zip(ev2.pos[ka].tolist(), ev2.pos[kb].tolist(), strict=True)) == got
    assert len(verifier._known) == len(np.unique(verifier._known)) > 0
