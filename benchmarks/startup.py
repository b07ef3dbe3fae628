"""Start-up time of the ``casebook`` command line, against a bare interpreter start.

Times, in the same run, each as the median wall time of N fresh processes:

- baseline: ``python -c pass`` (the interpreter alone) and ``python -c "import pandas"``
  (for scale: what one heavy import costs);
- ``casebook --help``, ``casebook validate --help`` (goal: under 0.3 s each) and
  ``casebook network --help``.

A command that fails (for instance a subcommand whose module is not installed) is
reported as not available; the others are still measured. Each command's own peak
memory comes from one more, untimed run under ``/usr/bin/time`` (n/a without it; see
benchmarks/_peak.py).

    python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _peak import command_peak

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOAL_SECONDS = 0.3

#: label -> (argv, whether the 0.3 s goal applies)
CASES: dict[str, tuple[list[str], bool]] = {
    "casebook --help": ([str(BIN / "casebook"), "--help"], True),
    "casebook validate --help": ([str(BIN / "casebook"), "validate", "--help"], True),
    "casebook network --help": ([str(BIN / "casebook"), "network", "--help"], False),
}
BASELINES: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import pandas"': [sys.executable, "-c", "import pandas"],
}


def _seconds(cmd: list[str]) -> float | None:
    """Wall time of one fresh process of ``cmd``; None when it fails."""
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    return elapsed if done.returncode == 0 else None


def _peak_mb(cmd: list[str]) -> float | None:
    """The command's own peak memory in MiB (untimed run; see benchmarks/_peak.py)."""
    code, peak = command_peak(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    return peak / 2**20 if code == 0 and peak else None


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float | None]:
    """Median wall time of ``runs`` fresh processes per command (None if one failed).

    The commands take turns, round after round, so that a busy spell of the machine
    weighs on all of them alike and the ratios stay fair.
    """
    times: dict[str, list[float | None]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, cmd in commands.items():
            times[label].append(_seconds(cmd))
    return {label: None if None in got else statistics.median(got)  # type: ignore[type-var]
            for label, got in times.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="fresh processes per command (default: 7)")
    args = ap.parse_args(argv)
    commands = {**BASELINES, **{label: cmd for label, (cmd, _) in CASES.items()}}
    for cmd in commands.values():  # untimed: the first run would pay for a cold disk cache
        _seconds(cmd)
    got = medians(commands, args.runs)
    bare = got["python -c pass"]
    if bare is None:
        print("the bare interpreter failed to start", file=sys.stderr)
        return 1
    width = max(len(label) for label in commands) + len("baseline: ")
    print(f"median of {args.runs} fresh processes each; goal under {GOAL_SECONDS} s\n")
    print(f"{'command':<{width}} {'seconds':>8} {'vs python -c pass':>18} {'peak MiB':>9}")
    for label, seconds in got.items():
        shown = "baseline: " + label if label in BASELINES else label
        if seconds is None:
            print(f"{shown:<{width}} not available (the command failed)")
            continue
        goal = CASES.get(label, ([], False))[1]
        verdict = (f"   goal < {GOAL_SECONDS} s: {'met' if seconds < GOAL_SECONDS else 'NOT met'}"
                   if goal else "")
        peak = _peak_mb(commands[label])
        shown_peak = f"{peak:9.0f}" if peak is not None else f"{'n/a':>9}"
        print(f"{shown:<{width}} {seconds:8.3f} {seconds / bare:17.1f}x {shown_peak}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
