"""Threads of the parallel steps: one per usable core, or CASEBOOK_THREADS (casebook._threads)."""

from __future__ import annotations

import os
import threading

import pytest

from casebook import _memory, _threads
from casebook.errors import UsageError


@pytest.fixture
def four_cpus(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """A process allowed on CPUs 0-3, its cgroup quota in a file the test writes."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    cpu_max = tmp_path / "cpu.max"
    monkeypatch.setattr(_threads, "CGROUP_CPU_MAX", cpu_max)
    monkeypatch.delenv(_threads.THREADS_ENV, raising=False)
    return cpu_max


@pytest.mark.parametrize(("quota", "expected"), [
    (None, 4),                   # no cgroup v2 file: the affinity alone
    ("max 100000\n", 4),         # unlimited
    ("250000 100000\n", 2),      # 2.5 CPUs: two whole ones
    ("800000 100000\n", 4),      # a quota above the affinity
    ("50000 100000\n", 1),       # half a CPU: still one thread
    ("garbled\n", 4),
    ("100000 0\n", 4),           # a period of 0 is no quota either
])
def test_cores_are_the_affinity_within_the_cgroup_quota(four_cpus, quota, expected) -> None:
    if quota is not None:
        four_cpus.write_text(quota, encoding="ascii")
    assert _threads.cores() == expected
    assert _threads.threads() == expected


def test_the_environment_sets_the_threads(four_cpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_threads.THREADS_ENV, " 7 ")
    assert _threads.threads() == 7
    for bad in ["0", "-1", "two", "1.5", "\u0663"]:  # the last is ARABIC-INDIC DIGIT THREE
        monkeypatch.setenv(_threads.THREADS_ENV, bad)
        with pytest.raises(UsageError, match="CASEBOOK_THREADS") as raised:
            _threads.threads()
        assert "every core this process may run on (4)" in str(raised.value)


def test_threads_holding_memory_start_only_where_it_fits(four_cpus, monkeypatch) -> None:
    gb = 1 << 30
    monkeypatch.setattr(_memory, "available_memory", lambda: 10 * gb)
    assert _threads.threads(memory_each=4 * gb) == 3  # the first, and two more in 10 GB
    assert _threads.threads(memory_each=11 * gb) == 1
    assert _threads.threads(memory_each=gb) == 4      # no more than the cores
    monkeypatch.setenv(_threads.THREADS_ENV, "16")
    assert _threads.threads(memory_each=gb) == 11
    monkeypatch.setattr(_memory, "available_memory", lambda: None)  # not Linux: unknown
    assert _threads.threads(memory_each=gb) == 16


def test_per_kind_runs_as_many_kinds_at_once_as_threads(monkeypatch) -> None:
    from casebook.coordination.network import per_kind

    kinds = ["a", "b", "c", "d"]
    monkeypatch.setenv(_threads.THREADS_ENV, "3")
    met = threading.Barrier(3, timeout=10)  # broken unless three kinds run at once
    names: set[str] = set()

    def fn(kind: str) -> str:
        names.add(threading.current_thread().name)
        if kind != "d":
            met.wait()
        return kind.upper()

    assert per_kind(fn, kinds) == ["A", "B", "C", "D"]
    assert len(names) == 3
    monkeypatch.setenv(_threads.THREADS_ENV, "1")  # one thread: the caller's own
    here = threading.current_thread().name
    assert per_kind(lambda kind: threading.current_thread().name, kinds) == [here] * 4
