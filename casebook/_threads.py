"""How many threads the casebook's parallel steps run on: one per core it may use.

numpy, pyarrow and hashlib release the GIL in the work the casebook hands to threads
(sorts, gathers, Arrow kernels, digests), so a step gains from every core the process
may run on: its CPU affinity (``taskset``, a container's cpuset) within its cgroup's CPU
quota (a container limited to 2.5 CPUs runs 2 threads). The ``CASEBOOK_THREADS``
environment variable sets the number instead, for the kernels of ``casebook run`` as
for a notebook's own (set it before JupyterLab starts).

A step whose threads each hold a large working set (the coordination section's chance
replicates) also asks how much memory is free, and starts a thread only where it fits.

No result depends on the number: threaded steps join their parts in order, and each
replicate has its own seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from casebook.errors import UsageError

__all__ = ["THREADS_ENV", "cores", "mapped", "threads"]

#: Environment variable that sets the number of threads (a whole number >= 1).
THREADS_ENV = "CASEBOOK_THREADS"
#: cgroup v2's CPU quota of this process (``max 100000`` when unlimited).
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """CPUs this process may use: its affinity, within its cgroup's CPU quota (>= 1)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity outside Linux
        n = os.cpu_count() or 1
    try:
        quota, period = CGROUP_CPU_MAX.read_text(encoding="ascii").split()[:2]
        if quota != "max":
            # a fraction of a CPU cannot run a thread of its own
            n = min(n, int(quota) // int(period))
    except (OSError, ValueError, ZeroDivisionError):  # no cgroup v2 quota to read: the affinity alone
        pass
    return max(1, n)


def threads(*, memory_each: int = 0) -> int:
    """Threads for a parallel step: ``CASEBOOK_THREADS`` if set, else :func:`cores`.

    Parameters
    ----------
    memory_each
        Bytes that each thread beyond the first holds at once. When given and the
        memory available is known (:func:`casebook._memory.available_memory`), no more
        threads start than that memory holds (always at least one).

    Raises
    ------
    UsageError
        ``CASEBOOK_THREADS`` is set to something other than a whole number >= 1.
    """
    value = os.environ.get(THREADS_ENV, "").strip()
    if value:
        if not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise UsageError(f"{THREADS_ENV}={value!r} is not a number of threads",
                             hint=f"set it to a whole number >= 1, or unset it to use "
                                  f"every core this process may run on ({cores()})")
        n = int(value)
    else:
        n = cores()
    if memory_each > 0 and n > 1:
        from casebook._memory import available_memory

        available = available_memory()
        if available is not None:
            n = min(n, 1 + available // memory_each)
    return n


def mapped(fn: Callable[[T], R], items: Iterable[T], *, name: str, memory_each: int = 0) -> list[R]:
    """``[fn(item) for item in items]``, :func:`threads` items at a time, in order.

    The threads are named ``casebook-<name>``; with one thread (one core, or one item)
    every item runs in the calling thread. ``memory_each`` is as for :func:`threads`.
    """
    items = list(items)
    n = min(len(items), threads(memory_each=memory_each))
    if n < 2:
        return [fn(item) for item in items]  # loop over a step's parts (a few)
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix=f"casebook-{name}") as pool:
        return list(pool.map(fn, items))
