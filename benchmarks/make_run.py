"""Wall time of ``make run`` after setup, against a bare execution of the same notebooks.

Times, in the same run and on the same specimen:

- ``casebook specimen`` (writes the default specimen);
- ``casebook run`` (every case with papermill, HTML export, index);
- baseline: ``jupyter nbconvert --execute`` of the same notebooks (the default cases,
  :data:`casebook.runner.DEFAULT_CASES`), no reports.

Prints the seconds, the goal (make run under two minutes after setup) and the ratio of
the runner to the bare execution (what the reports cost), and for each command the
largest single process's own peak memory (a case's kernel: ``VmHWM``, sampled; see
benchmarks/_peak.py).

    python benchmarks/make_run.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _peak import TreePeak

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOAL_SECONDS = 120.0


def _timed(cmd: list[str], **kwargs) -> tuple[float, TreePeak]:
    """Wall seconds of a command, and the own peaks of it and its descendants (kernels)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    peaks = TreePeak(proc.pid, interval=0.2)
    if proc.wait() != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return time.perf_counter() - t0, peaks.stop()


def _largest(peaks: TreePeak) -> str:
    """The largest single process's own peak (``VmHWM``), with its command."""
    if not peaks.per_process:
        return "n/a"
    pid = max(peaks.per_process, key=peaks.per_process.get)
    return f"{peaks.per_process[pid] / 2**30:.2f} GB ({peaks.names.get(pid, '?')[:40]})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="casebook-makerun-"))
    env = {**os.environ, "CASEBOOK_REPORTS_DIR": str(work / "reports"), "CASEBOOK_STATIC": "1"}
    try:
        specimen, spec_peaks = _timed([str(BIN / "casebook"), "specimen"], cwd=ROOT, env=env)
        run, run_peaks = _timed([str(BIN / "casebook"), "run", "--no-progress", "--out",
                                 str(work / "out")], cwd=ROOT, env=env)
        # the notebooks casebook run runs by default, in its order
        from casebook.runner import CASES, DEFAULT_CASES

        notebooks = [str(ROOT / "notebooks" / CASES[case]) for case in DEFAULT_CASES]
        bare, bare_peaks = _timed([str(BIN / "jupyter"), "nbconvert", "--to", "notebook",
                                   "--execute", "--output-dir", str(work / "bare"), *notebooks],
                                  cwd=ROOT, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = specimen + run
    print(f"casebook specimen        : {specimen:6.1f} s")
    print(f"casebook run ({len(notebooks)} cases)   : {run:6.1f} s")
    print(f"make run after setup     : {total:6.1f} s   (goal < {GOAL_SECONDS:.0f} s: {'met' if total < GOAL_SECONDS else 'NOT met'})")
    print(f"baseline: bare execution : {bare:6.1f} s   (nbconvert --execute, no reports)")
    print(f"runner / bare execution  : {run / bare:6.2f}x  (cost of parameters, HTML reports, index)")
    print("peak memory, largest single process (its own VmHWM, sampled every 0.2 s):")
    print(f"  casebook specimen      : {_largest(spec_peaks)}")
    print(f"  casebook run           : {_largest(run_peaks)}")
    print(f"  bare execution         : {_largest(bare_peaks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
