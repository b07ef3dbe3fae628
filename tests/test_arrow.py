"""Arrow helpers shared by the package."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from casebook._arrow import dictionary_codes


def test_dictionary_codes_round_trip_and_code_nulls_as_minus_one() -> None:
    values = pa.chunked_array([["b", None, "a"], ["a", "c", None, "b"]])
    codes, distinct = dictionary_codes(values)
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes == -1, [False, True, False, False, False, True, False])
    present = codes >= 0
    assert distinct.take(pa.array(codes[present])).to_pylist() == [
        v for v in values.to_pylist() if v is not None]
    assert len(distinct) == 3  # one code per distinct value, across chunks
