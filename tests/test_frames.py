"""Helpers shared across modules (casebook._frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook._frames import sorted_codes, sorted_distinct


@given(st.lists(st.integers(-(2**62), 2**62), max_size=200))
def test_sorted_distinct_is_np_unique(values: list[int]) -> None:
    arr = np.array(values, dtype=np.int64)
    got = sorted_distinct(arr)
    np.testing.assert_array_equal(got, np.unique(arr))
    assert got.dtype == np.int64


@pytest.mark.parametrize("categorical", [False, True])
def test_sorted_codes_rank_the_values_present(categorical) -> None:
    values = pd.Series(["c", "a", None, "c", "b", "é"], dtype="string[pyarrow]")
    if categorical:  # unused and unsorted categories, as a filtered or rebuilt frame has
        values = values.astype(pd.CategoricalDtype(["zz", "é", "c", "b", "a"]))
    codes, distinct = sorted_codes(values)
    assert distinct.to_pylist() == ["a", "b", "c", "é"]
    assert codes.tolist() == [2, 0, -1, 2, 1, 3]
    assert distinct.type == pa.large_string()
