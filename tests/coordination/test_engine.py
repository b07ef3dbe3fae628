"""The pair engine: the one-sort weight code and its fallback agree."""

from __future__ import annotations

from unittest.mock import patch

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import coordination as co
from casebook.coordination import engine
from tests.coordination._tweets import cnt_reference, tweet_frames, weights


@settings(max_examples=30, deadline=None)
@given(tweets=tweet_frames(), kind=st.sampled_from(co.CNT_KINDS), max_pairs=st.sampled_from([2, co.MAX_PAIRS]))
def test_weights_without_the_one_sort_code_are_the_same(tweets: pd.DataFrame, kind: str,
                                                          max_pairs: int) -> None:
    # many accounts x many tweets would overflow the one-sort code: the fallback agrees
    with patch.object(engine, "ONE_SORT_LIMIT", 0):
        got = co.coordination_network(tweets, kind=kind, max_pairs=max_pairs)
    assert weights(got) == cnt_reference(tweets, kind, 60)
