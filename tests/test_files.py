"""Writing an output under a temporary name and renaming it (casebook._files)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from casebook import _files


def test_concurrent_writers_of_one_file_never_share_a_temporary_name(tmp_path: Path) -> None:
    # the loader's remembered hashes are written from two threads at once: a temporary
    # name per process only would let one thread rename the other's half-written file
    target = tmp_path / "entry.json"
    seen: list[str] = []
    barrier = threading.Barrier(2)

    def write(tmp: Path) -> None:
        seen.append(tmp.name)
        barrier.wait(timeout=10)  # both temporary names exist at once
        tmp.write_text(f"written by {threading.get_ident()}", encoding="utf-8")

    threads = [threading.Thread(target=_files.write_atomically, args=(target, write))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 2
    assert target.read_text(encoding="utf-8").startswith("written by ")
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"]


def test_an_interrupted_write_leaves_the_earlier_file(tmp_path: Path) -> None:
    target = tmp_path / "index.html"
    target.write_text("earlier", encoding="utf-8")

    def fail(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _files.write_atomically(target, fail)
    assert target.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_a_written_file_has_an_ordinary_files_permissions(tmp_path: Path) -> None:
    # the store's manifest was written through mkstemp (0600): others could not read it
    _files.write_text_atomically(tmp_path / "manifest.json", "{}", durable=True)
    mode = stat.S_IMODE((tmp_path / "manifest.json").stat().st_mode)
    assert mode == 0o666 & ~_files.umask()
    assert _files.umask() == _files.umask()  # reading it leaves it as it was
    previous = os.umask(0o027)
    try:
        assert _files.umask() == 0o027
    finally:
        os.umask(previous)
