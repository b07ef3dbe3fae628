"""UTF-8 byte scanning: CNT's normalisation, blank tests, fingerprints, batches."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook import schema
from casebook.coordination import text
from tests.coordination._tweets import NEAR_WS, WS, cnt_normalise


def test_normalise_text_matches_cnt_preprocessor() -> None:
    texts = ["RT @a_b: Hi\u00a0there", "x@y z", "@", "Tab\there\u3000wide", "a \x1c b",
             "  lead  ", "MiXeD @A\u2028B", "line\r\nbreak", "@x\x1cy z", ""]
    got = co.normalise_text(pd.Series(texts, dtype=schema.STRING)).tolist()
    assert got == [cnt_normalise(t) for t in texts]
    assert co.normalise_text(pd.Series([None], dtype=schema.STRING)).isna().all()


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet=WS + NEAR_WS + "aZ@\u0627\u0416\u0531", max_size=12),
                      min_size=1, max_size=30))
def test_normalise_text_equals_cnt_on_any_whitespace(texts: list[str]) -> None:
    got = co.normalise_text(pd.Series(texts, dtype=schema.STRING)).tolist()
    assert got == [cnt_normalise(t) for t in texts]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.none() | st.text(alphabet=WS + NEAR_WS + "a1", max_size=5), max_size=20),
       cut=st.integers(0, 20))
def test_present_and_trimmed_follow_python_strip(values: list[str | None], cut: int) -> None:
    # two chunks, as a column read from several CSV blocks
    arr = pa.chunked_array([pa.array(values[:cut], pa.string()), pa.array(values[cut:], pa.string())])
    assert text.present(arr).tolist() == [v is not None and v.strip() != "" for v in values]
    trimmed = text.trimmed(arr.combine_chunks())
    assert trimmed.to_pylist() == [None if v is None else v.strip() for v in values]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.text(alphabet="ab\u00e9", max_size=11), max_size=25),
       offset=st.integers(0, 5))
def test_fingerprints_equal_for_equal_texts(values: list[str], offset: int) -> None:
    arr = pa.array(values, pa.large_string()).slice(min(offset, len(values)))
    texts = arr.to_pylist()
    fp = text.fingerprints(arr)
    for i, a in enumerate(texts):
        for j, b in enumerate(texts):
            if a == b:
                assert fp[i] == fp[j]
    repeated = text.repeated(fp)
    assert all(repeated[i] for i, t in enumerate(texts) if texts.count(t) > 1)


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.none() | st.text(alphabet=WS + "aZ@\u0416", max_size=8), min_size=0, max_size=40),
       batch=st.integers(1, 7), data=st.data())
def test_batched_texts_equal_one_batch(texts: list[str | None], batch: int, data) -> None:
    # several row batches run on threads; their results must come back in row order
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts))),
                    dtype=bool)
    frame = pd.DataFrame({"tweet_text": pd.Series(texts, dtype=schema.STRING)})
    with patch.object(text, "TEXT_BATCH", batch):
        norm = text.normalised_texts(frame, mask).to_pylist()
        maybe = text.maybe_repeated_texts(frame, mask)
    kept = [t for t, m in zip(texts, mask, strict=True) if m]
    expected = co.normalise_text(pd.Series(kept, dtype=schema.STRING)).tolist()
    assert norm == [None if pd.isna(e) else e for e in expected]
    full = co.normalise_text(frame["tweet_text"])
    counts = full[mask].value_counts()
    for i in np.flatnonzero(mask):  # every text that repeats is kept for the exact pass
        value = full.iloc[i]
        if pd.notna(value) and value != "" and counts[value] > 1:
            assert maybe[i]
    assert not maybe[~mask].any()
