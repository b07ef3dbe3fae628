"""Arrow helpers shared by the package."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from casebook import _arrow
from casebook._arrow import dictionary_codes, on_slices, sorted_dictionary, taken


def test_dictionary_codes_round_trip_and_code_nulls_as_minus_one() -> None:
    values = pa.chunked_array([["b", None, "a"], ["a", "c", None, "b"]])
    codes, distinct = dictionary_codes(values)
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes == -1, [False, True, False, False, False, True, False])
    present = codes >= 0
    assert distinct.take(pa.array(codes[present])).to_pylist() == [
        v for v in values.to_pylist() if v is not None]
    assert len(distinct) == 3  # one code per distinct value, across chunks


@pytest.mark.parametrize("chunks", [
    [["b", None, "a", "", "a"], ["é", "a", "B", None, "b", "e\u0301", "", "\u202eb"]],
    [["x"] * 5, ["x", None]],
    [[None, None]],
    [[f"text {i % 7}" for i in range(50)] + [f"unique {i}" for i in range(50)]],
])
@pytest.mark.parametrize("large", [False, True])
def test_hashed_dictionary_codes_equal_arrows(monkeypatch, chunks, large) -> None:
    values = pa.chunked_array(chunks, type=pa.large_string() if large else pa.string())
    expected = dictionary_codes(values)
    monkeypatch.setattr(_arrow, "HASHED_MIN_ROWS", 1)
    codes, distinct = dictionary_codes(values, many_distinct=True)
    np.testing.assert_array_equal(codes, expected[0])
    assert distinct.equals(expected[1])


def test_hashed_dictionary_codes_tell_strings_that_share_a_hash_apart(monkeypatch) -> None:
    # every string given the same hash: the check of repeated values against their
    # code's first value must see that they differ, and Arrow codes them instead
    values = pa.array(["a", "b", None, "a", "c", "b"])
    monkeypatch.setattr(_arrow, "HASHED_MIN_ROWS", 1)
    monkeypatch.setattr(_arrow, "_hash64", lambda arr: np.zeros(len(arr), np.uint64))
    codes, distinct = dictionary_codes(values, many_distinct=True)
    np.testing.assert_array_equal(codes, [0, 1, -1, 0, 2, 1])
    assert distinct.to_pylist() == ["a", "b", "c"]


@pytest.mark.parametrize("values", [
    pa.chunked_array([["b", None, "a"], ["é", "a", "B", None, "b"]]),
    pa.array(["z", "y", "z"]),
    pa.chunked_array([pa.array([None, None], pa.string())]),
    pa.array([], pa.string()),
])
def test_sorted_dictionary_holds_the_values_with_a_sorted_dictionary(values) -> None:
    enc = sorted_dictionary(values)
    assert enc.type == pa.dictionary(pa.int32(), enc.dictionary.type)
    assert enc.dictionary_decode().to_pylist() == values.to_pylist()
    distinct = enc.dictionary.to_pylist()
    assert distinct == sorted({v for v in values.to_pylist() if v is not None})
    # pandas sorts a categorical by its categories: as the strings sort
    cat = pa.table({"v": enc}).to_pandas()["v"]
    assert cat.sort_values().dropna().tolist() == sorted(v for v in values.to_pylist() if v is not None)


@pytest.mark.parametrize("n", [7, 8, 9, 1001])
@pytest.mark.parametrize("chunked", [False, True])
def test_on_slices_equals_the_kernel_on_the_whole(monkeypatch, n, chunked) -> None:
    monkeypatch.setattr(_arrow, "SLICE_MIN_ROWS", 2)
    monkeypatch.setenv("CASEBOOK_THREADS", "3")
    texts = [None if i % 5 == 0 else f"t{i} NATO" if i % 3 else f"t{i}" for i in range(n)]
    values = (pa.chunked_array([texts[: n // 2], texts[n // 2:]]) if chunked
              else pa.array(texts))
    threads = set()

    def kernel(v):
        threads.add(threading.current_thread().name)
        return pc.match_substring_regex(v, "(?i)nato")

    got = on_slices(kernel, values)
    assert got.to_pylist() == pc.match_substring_regex(values, "(?i)nato").to_pylist()
    assert len(got) == n and all(t.startswith("casebook-slice") for t in threads)


def test_on_slices_leaves_a_short_column_whole() -> None:
    calls = []
    values = pa.array(["a", "b"])
    assert on_slices(lambda v: calls.append(len(v)) or pc.utf8_upper(v), values
                     ).to_pylist() == ["A", "B"]
    assert calls == [2]


@pytest.mark.parametrize("sizes", [[5], [3, 0, 4, 1], [0, 0], [2, 6, 2]])
def test_taken_equals_arrow_take_on_the_joined_chunks(sizes) -> None:
    rng = np.random.default_rng(len(sizes))
    n = sum(sizes)
    texts = [None if i % 4 == 0 else f"t{i}" for i in range(n)]
    starts = np.cumsum([0] + sizes)
    values = pa.chunked_array([texts[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)],
                              pa.string())
    # unsorted and repeated, with every chunk's first and the last
    positions = (np.r_[rng.integers(0, n, 3 * n), starts[:-1][np.array(sizes) > 0], n - 1]
                 if n else np.zeros(0, np.int64))
    got = taken(values, positions)
    assert isinstance(got, pa.Array) and got.type == pa.string()
    assert got.to_pylist() == [texts[i] for i in positions]
    assert taken(pa.array(texts, pa.string()), positions).to_pylist() == got.to_pylist()


def test_taken_refuses_positions_out_of_range() -> None:
    values = pa.chunked_array([["a"], ["b"]])
    with pytest.raises(IndexError):
        taken(values, np.array([2]))
    with pytest.raises(IndexError):
        taken(values, np.array([-1]))


@pytest.mark.parametrize(("codes", "expected"), [
    ([0, 1, 0, 2, 1, 3], [0, 1, 3, 5]),
    ([-1, 0, -1, 1, 0], [1, 3]),  # a missing value (-1) is never a first use
    ([-1, 0, 0, 1, -1, 2, 1, 0], [1, 3, 5]),
    ([-1, -1], []),
    ([], []),
])
def test_first_uses_are_where_each_code_first_appears(codes, expected) -> None:
    got = _arrow.first_uses(np.asarray(codes, np.int64))
    np.testing.assert_array_equal(got, expected)
    # the same as a factorisation's own first rows, where the codes are a factorisation
    values = pd.Series(["b", "a", "b", "c", "a", "d"])
    np.testing.assert_array_equal(_arrow.first_uses(pd.factorize(values)[0]),
                                  pd.Series(range(6))[~values.duplicated()].to_numpy())
