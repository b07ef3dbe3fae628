"""Kept results: content digests that follow the values, entries checked on read."""

from __future__ import annotations

import json
import os
import platform

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from casebook import resultcache
from casebook.resultcache import Uncacheable, _column_digest, frames_digest


def _arrow(values: list, typ: pa.DataType) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([values], typ)))


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "text": _arrow(["a", "bc", None, "déjà", ""], pa.string()),
        "tags": _arrow([["x"], [], None, ["y", "z"], ["x"]], pa.list_(pa.string())),
        "n": pd.array([1, None, 3, 4, 5], dtype="Int64"),
        "flag": pd.array([True, None, False, True, False], dtype="boolean"),
        "time": pd.to_datetime(["2020-09-30 01:00"] * 5, utc=True) + pd.to_timedelta(range(5), "s"),
    })


def test_the_digest_follows_the_values_not_their_layout() -> None:
    df = _frame()
    # the same values in other chunks, at an offset, and other bytes under the nulls: as
    # the CSV reader and the Parquet cache give one release
    text = pa.chunked_array([pa.array(["pad", "a", "bc"]).slice(1), pa.array([None, "déjà", ""])])
    tags = pa.chunked_array([pa.array([["pad"], ["x"], []], pa.list_(pa.string())).slice(1),
                             pa.array([None, ["y", "z"], ["x"]], pa.list_(pa.string()))])
    junk_under_null = pa.Array.from_buffers(
        pa.int64(), 5, [pa.array([True, False, True, True, True]).buffers()[1],
                        pa.py_buffer(np.array([1, 99, 3, 4, 5], np.int64).tobytes())])
    other = df.assign(
        text=pd.Series(pd.arrays.ArrowExtensionArray(text)),
        tags=pd.Series(pd.arrays.ArrowExtensionArray(tags)),
        n=pd.Series(pd.arrays.ArrowExtensionArray(junk_under_null)).astype("Int64"))
    assert other["text"].array._pa_array.num_chunks == 2
    assert frames_digest([df, None]) == frames_digest([other, None])
    # bytes under a null, in Arrow's own buffers
    clean = pa.chunked_array([pa.array([1, None, 3, 4, 5], pa.int64())])
    assert _column_digest("c", clean) == _column_digest("c", pa.chunked_array([junk_under_null]))
    text_junk = pa.Array.from_buffers(
        pa.string(), 3, [pa.array([True, False, True]).buffers()[1],
                         pa.py_buffer(np.array([0, 1, 3, 4], np.int32).tobytes()), pa.py_buffer(b"abXc")])
    assert _column_digest("c", pa.chunked_array([pa.array(["a", None, "c"])])) == _column_digest(
        "c", pa.chunked_array([text_junk]))
    # 32- and 64-bit offsets alike, in strings and in lists
    for col, wide in ((text, pa.large_string()), (tags, pa.large_list(pa.large_string()))):
        assert _column_digest("c", col) == _column_digest("c", col.cast(wide))


@pytest.mark.parametrize("change", [
    lambda df: df.assign(text=_arrow(["a", "bc", "", "déjà", ""], pa.string())),      # null -> ""
    lambda df: df.assign(text=_arrow(["ab", "c", None, "déjà", ""], pa.string())),    # bytes moved
    lambda df: df.assign(tags=_arrow([["x"], [], None, ["y"], ["z", "x"]], pa.list_(pa.string()))),
    lambda df: df.assign(tags=_arrow([["x"], [], [], ["y", "z"], ["x"]], pa.list_(pa.string()))),
    lambda df: df.assign(n=pd.array([1, 0, 3, 4, 5], dtype="Int64")),                  # NA -> 0
    lambda df: df.assign(flag=pd.array([True, False, False, True, False], dtype="boolean")),
    lambda df: df.assign(time=df["time"] + pd.Timedelta("1s")),
    lambda df: df.rename(columns={"n": "m"}),
    lambda df: df.astype({"n": "float64"}),
    lambda df: df.iloc[1:],
    lambda df: df.set_axis(list("abcde")),
])
def test_the_digest_changes_with_any_value(change) -> None:
    df = _frame()
    assert frames_digest([df]) != frames_digest([change(df)])


def test_tables_in_other_places_have_other_digests() -> None:
    df = _frame()
    assert frames_digest([df, None]) != frames_digest([None, df])


def test_objects_arrow_cannot_type_are_not_kept() -> None:
    with pytest.raises(Uncacheable):
        frames_digest([pd.DataFrame({"mixed": pd.Series([1, "a", 2.5], dtype=object)})])


def test_an_entry_is_read_back_only_as_written(tmp_path) -> None:
    tables = {"edges": pd.DataFrame({"source": ["a"], "weight": [2]}),
              "summary": pd.DataFrame({"kinds": [["co_retweet", "co_hashtag"], []]}), "none": None}
    resultcache.keep("demo", "k1", tables, {"n": 3}, root=tmp_path)
    got, values = resultcache.lookup("demo", "k1", root=tmp_path)
    assert values == {"n": 3} and set(got) == {"edges", "summary"}
    pd.testing.assert_frame_equal(got["edges"], tables["edges"])
    assert got["summary"]["kinds"].tolist() == [["co_retweet", "co_hashtag"], []]
    assert resultcache.lookup("demo", "k2", root=tmp_path) is None
    entry = tmp_path / "results" / "demo-k1"
    assert not list(entry.parent.glob(".tmp-*"))  # written in a temporary folder, renamed
    # another valid table in place of the one written, or a record that is not one
    pd.DataFrame({"source": ["b"], "weight": [2]}).to_parquet(entry / "edges.parquet")
    assert resultcache.lookup("demo", "k1", root=tmp_path) is None
    resultcache.keep("demo", "k1", tables, {"n": 3}, root=tmp_path)  # written again
    assert resultcache.lookup("demo", "k1", root=tmp_path) is not None
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    for bad in ("[]", "{not json", json.dumps({**meta, "key": "k2"}),
                json.dumps({**meta, "files": {"edges": {"size": "x"}}}),
                json.dumps({**meta, "files": {"../demo-k1/edges": meta["files"]["edges"]}})):
        (entry / "meta.json").write_text(bad, encoding="utf-8")
        assert resultcache.lookup("demo", "k1", root=tmp_path) is None


def test_what_a_killed_writer_left_is_removed(tmp_path) -> None:
    # a temporary entry whose writer is gone (SIGKILL runs no clean-up), and one being written
    results = tmp_path / "results"
    dead, alive = results / ".tmp-demo-k1-dead", results / ".tmp-demo-k1-alive"
    for folder, pid in ((dead, 2**22 + 17), (alive, os.getpid())):
        folder.mkdir(parents=True)
        (folder / ".writer").write_text(json.dumps({"host": platform.node(), "pid": pid}),
                                        encoding="utf-8")
    resultcache.keep("demo", "k1", {"t": pd.DataFrame({"a": [1]})}, {}, root=tmp_path)
    assert not dead.exists() and alive.exists()
    assert resultcache.lookup("demo", "k1", root=tmp_path) is not None


def test_categorical_columns_are_digested_by_their_values() -> None:
    names = ["b", "a", None, "b"]
    df = pd.DataFrame({"userid": pd.Categorical(names, categories=["a", "b"])})
    again = pd.DataFrame({"userid": pd.Categorical(list(names), categories=["a", "b"])})
    assert frames_digest([df]) == frames_digest([again])
    for other in (["b", "a", "a", "b"], ["b", "a", None, "a"], ["a", "b", None, "b"]):
        changed = pd.DataFrame({"userid": pd.Categorical(other, categories=["a", "b"])})
        assert frames_digest([df]) != frames_digest([changed])
    renamed = pd.DataFrame({"userid": pd.Categorical(["b", "c", None, "b"], categories=["b", "c"])})
    assert frames_digest([df]) != frames_digest([renamed])  # the same codes, other values
