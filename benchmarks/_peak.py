"""Peak resident memory of one process, its own: what every benchmark here reports.

Linux keeps a process's memory high-water mark across ``fork`` and ``exec``: a child
starts with its parent's peak (the ``exec`` records the old address space's peak, and
after a ``fork`` that is the parent's). So ``ru_maxrss`` of a child, from ``wait4`` or
``getrusage(RUSAGE_CHILDREN)``, is never below the peak its parent had when it started
it: a benchmark that generated 2 GB of data before starting a tool reported 2 GB for
the tool, whatever it used. ``VmHWM`` in ``/proc/<pid>/status`` is the high-water mark
of the process's current address space only, so it is the process's own peak.

- :func:`own_peak` reads it for the calling process (exact; call it at the end).
- :class:`TreePeak` samples it for a started process and all its descendants (each
  process's own mark only rises, so the last sample before a process exits misses at
  most what it grew in the final interval), and the sum of their resident sets.
"""

from __future__ import annotations

import threading
from pathlib import Path

__all__ = ["TreePeak", "command_peak", "own_peak", "reset_peak", "vm_hwm"]


def vm_hwm(pid: int | str = "self") -> int | None:
    """``VmHWM`` of a process in bytes (None when it is gone or the field is missing)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def own_peak() -> int:
    """The calling process's own peak resident memory in bytes (0 off Linux)."""
    return vm_hwm() or 0


class TreePeak:
    """Sample a process and its descendants every ``interval`` seconds.

    Attributes after :meth:`stop`: ``per_process`` (pid -> last ``VmHWM`` seen, with
    ``names``: pid -> command name), ``largest`` (the largest single process's own
    peak) and ``tree_sum`` (the largest sum of resident sets seen at one sample).
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.per_process: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.tree_sum = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                procs = [self.proc]
            total = 0
            for p in procs:  # a handful of processes
                try:
                    total += p.memory_info().rss
                    if p.pid not in self.names:
                        self.names[p.pid] = " ".join(p.cmdline()[:3])[:80]
                except psutil.Error:
                    continue
                mark = vm_hwm(p.pid)
                if mark is not None:
                    self.per_process[p.pid] = max(mark, self.per_process.get(p.pid, 0))
            self.tree_sum = max(self.tree_sum, total)
            self._stop.wait(self.interval)

    def stop(self) -> TreePeak:
        self._stop.set()
        self._thread.join()
        return self

    @property
    def largest(self) -> int:
        return max(self.per_process.values(), default=0)


def reset_peak() -> bool:
    """Restart the calling process's high-water mark from its current resident set
    (``/proc/self/clear_refs``), so that what it did before (e.g. writing data) is not
    counted; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def command_peak(cmd: list[str], **kwargs) -> tuple[int, int | None]:
    """Run ``cmd`` to completion; its exit status and its own peak in bytes.

    The peak comes from ``/usr/bin/time -f %M`` when that program exists: the command
    then starts from ``time``'s small address space, so its ``ru_maxrss`` is its own
    (started from this Python process, it would start at this process's peak). None
    without ``/usr/bin/time``."""
    import subprocess
    import tempfile

    timer = Path("/usr/bin/time")
    if not timer.is_file():
        return subprocess.run(cmd, **kwargs).returncode, None
    with tempfile.NamedTemporaryFile("r", suffix=".maxrss") as out:
        code = subprocess.run([str(timer), "-f", "%M", "-o", out.name, *cmd], **kwargs).returncode
        text = Path(out.name).read_text().strip().splitlines()
    try:
        return code, int(text[-1]) * 1024
    except (IndexError, ValueError):
        return code, None
