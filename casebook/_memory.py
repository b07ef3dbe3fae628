"""Handing freed memory back to the system between the phases of a long computation.

A case's sections free gigabytes of temporaries that the allocators keep for reuse:
Arrow's allocator (jemalloc in the kernels, mimalloc by default) keeps what its compute
threads freed, and glibc's malloc, which the kernels run without ``mmap`` for large
blocks (:data:`casebook.runner.KERNEL_ENV`), keeps every freed block below the top of its
heap. Memory kept by one allocator cannot serve the other, so an Arrow-heavy phase
followed by a numpy-heavy one paid for both.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa

__all__ = ["available_memory", "release_memory"]


@functools.cache
def _malloc_trim() -> ctypes._CFuncPtr | None:
    """glibc's ``malloc_trim``, or None on a C library without it (macOS, musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Give the memory freed so far back to the system (Arrow's pool, then glibc's heap).

    Cheap (tens of milliseconds on a heap of gigabytes); only freed memory is returned,
    so nothing is recomputed and no result changes.
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def available_memory() -> int | None:
    """Bytes of memory available to start new work without swapping (``MemAvailable`` of
    ``/proc/meminfo``), None where that is not known (not Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
