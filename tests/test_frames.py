"""Helpers shared across modules (casebook._frames)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from casebook._frames import sorted_distinct


@given(st.lists(st.integers(-(2**62), 2**62), max_size=200))
def test_sorted_distinct_is_np_unique(values: list[int]) -> None:
    arr = np.array(values, dtype=np.int64)
    got = sorted_distinct(arr)
    np.testing.assert_array_equal(got, np.unique(arr))
    assert got.dtype == np.int64
