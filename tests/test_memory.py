"""Freed memory handed back to the system (casebook._memory)."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest

from casebook import _memory


def test_release_memory_trims_arrow_and_the_c_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(_memory, "_malloc_trim", lambda: lambda pad: calls.append(("trim", pad)))
    pool = pa.default_memory_pool()
    monkeypatch.setattr(pa, "default_memory_pool",
                        lambda: type("P", (), {"release_unused": lambda self: calls.append("arrow")})())
    _memory.release_memory()
    assert calls == ["arrow", ("trim", 0)]
    monkeypatch.setattr(pa, "default_memory_pool", lambda: pool)
    # a C library without malloc_trim (macOS, musl): Arrow's pool only
    monkeypatch.setattr(_memory, "_malloc_trim", lambda: None)
    _memory.release_memory()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc on Linux")
def test_glibc_malloc_trim_is_found_and_runs() -> None:
    trim = _memory._malloc_trim()
    assert trim is not None
    assert trim(0) in (0, 1)


def test_available_memory_is_what_the_kernel_reports() -> None:
    from pathlib import Path

    info = Path("/proc/meminfo")
    if not info.exists():  # pragma: no cover - not Linux
        assert _memory.available_memory() is None
        return
    fields = {line.split(":")[0]: int(line.split()[1]) * 1024
              for line in info.read_text().splitlines() if line.endswith("kB")}
    got = _memory.available_memory()
    assert got is not None and 0 < got <= fields["MemTotal"]
    assert abs(got - fields["MemAvailable"]) < 2**30  # read a moment apart
