"""A whole case at growing release sizes: each section's time and the kernel's own peak memory.

For each ``--scales`` value, smallest first, in one run:

1. writes the specimen at that scale, ``casebook specimen --scale S --datasets
   iran_202012 control --out WORK/specimen-S`` (kept between runs; the same seed and
   scale always give the same files);
2. runs the case as a user does, ``casebook run CASE --data WORK/specimen-S --out
   WORK/out-S`` with a fresh Parquet cache (so the first cell's load is a cold one),
   on a copy of the case notebook with one cell appended that prints the kernel's own
   peak resident memory (``VmHWM`` of ``/proc/self/status``: the high-water mark of the
   kernel process itself; ``ru_maxrss`` of a child would start at its parent's peak,
   because Linux carries the memory high-water mark across ``fork`` and ``exec``),
   and the operation's pair events (its coordination edges' weights summed: one per
   tweet and other account that shared a key within the window);
3. reads papermill's per-cell durations from the executed notebook and adds them up
   per section: the cells under each ``## N · Title`` heading, and ``0 · setup`` for the
   cells before the first heading (imports, loading the releases). With ``--cpu`` the
   kernel's own CPU seconds per cell are added up instead (a first cell appended to the
   copy registers IPython's ``pre_run_cell``/``post_run_cell`` hooks): on a shared
   machine wall time stretches with the other load, CPU time much less.

Prints one table with each section's seconds at every scale, the ratio to the previous
scale and to the baseline (the smallest scale, measured in the same run), beside the
ratio of tweets; a section whose time grows more than 1.1 times faster than the
tweets is marked ``superlinear``. The pair events' ratios are printed too: an exact
coordination count must pass every pair event. Then the kernel's peak memory and the
wall time of ``casebook run`` (HTML export included), and with ``--cells N`` the N
slowest cells.

A report run begins the coordination section on the spare core right after loading
(:func:`casebook.case.start_coordination`, when the memory allows), so by default the
section's cells time only the wait left after the sections before it, and those
sections share the machine with it: the total is what a user waits for. With
``--in-order`` the copy leaves that call out and every section runs alone, in order:
each section's own time, the one to compare across scales.

With ``--rerun`` each scale's case runs a second time with the cache the first run
wrote: what an investigator waits for when re-running a case (the releases' typed
Parquet copies are read instead of their CSV files, and the coordination section's
kept result instead of computing it: :mod:`casebook.resultcache`).

With ``--threads 1 2`` every scale runs once with ``CASEBOOK_THREADS=1`` and once with 2
(:mod:`casebook._threads`), and each count's case time is printed against the first's:
what the cores give, measured on the machine at hand (with one thread the coordination
section is not begun early either: there is no spare core).

The specimen grows in accounts: scale S has S times the accounts of scale 1 active over
the same year or two, so every key is shared by S times the accounts in each minute and
the coordination section's pair events grow with the square of S. A real release grows
mostly in time (the IRA's 2018 release: 9M tweets of 3,841 accounts over nine years).
With ``--in-time`` scale S is instead S copies of the scale-1 specimen one after the
other (:func:`stack_in_time`): the same tweets per minute and per account at every scale.
The two bound how a real release of that size behaves.

One case runs at a time: a scale-8 case needs several GB, and the machine is shared.

    python benchmarks/case_scale.py --scales 1 2 4
    python benchmarks/case_scale.py --scales 0.5 1 --cells 12 --json /tmp/scale.json
    python benchmarks/case_scale.py --scales 8 -p coordination_kinds '[co_retweet, co_tweet]'
    python benchmarks/case_scale.py --scales 1 8 --threads 1 2   # what a second core gives
    python benchmarks/case_scale.py --scales 1 8 16 --in-time     # grown in years, not accounts
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
DATASETS = ("iran_202012", "control")
#: A section whose time grows this much faster than the tweets is flagged. A sort's
#: n log n grows about 1.05 times faster than n per doubling at a million rows, so more
#: than 1.1 is more than sorting (1.25, before, let x2.4 per doubling pass as linear).
SUPERLINEAR = 1.1
#: The call that begins the coordination section early (case notebooks' first cell).
_EARLY_START = re.compile(r"^((?:\w+\.)?start_coordination\(.*)$", re.M)
_SECTION = re.compile(r"^##\s+(\d+\s*·.*?)\s*$", re.MULTILINE)
_MARK = "casebook-benchmark-peak"
#: Appended to the case: the kernel reports its own high-water mark, exactly.
PEAK_CELL = f"""\
import json as _json, resource as _resource
_hwm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
# the operation's pair events: its edges' weights summed, one per (tweet, other account)
# within the window, the work an exact count cannot skip
_pairs = (int(coord.edges["weight"].sum()) if "coord" in globals()
          and hasattr(globals()["coord"], "edges") else None)
print("{_MARK}", _json.dumps({{"vmhwm": _hwm,
      "ru_maxrss_self": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss * 1024,
      "cpu": globals().get("_cb_cpu", []), "pairs": _pairs}}))
"""


#: Prepended to the case: the kernel's CPU seconds per cell (all its threads), which a
#: busy machine stretches far less than the wall time that papermill records.
CPU_CELL = """\
import time as _cb_time
from IPython import get_ipython as _cb_ipython
_cb_cpu = []
def _cb_pre(info):
    globals()["_cb_t0"] = _cb_time.process_time()
def _cb_post(result):
    if "_cb_t0" in globals():
        _hwm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status")
                    if line.startswith("VmHWM:"))
        _cb_cpu.append([result.info.raw_cell, _cb_time.process_time() - globals().pop("_cb_t0"),
                        _hwm])
_cb_ipython().events.register("pre_run_cell", _cb_pre)
_cb_ipython().events.register("post_run_cell", _cb_post)
"""


def write_specimen(work: Path, scale: float, seed: int) -> tuple[Path, float]:
    """The specimen folder for ``scale`` and the seconds spent writing it (0 when kept)."""
    folder = work / f"specimen-{scale:g}-seed{seed}"
    if all((folder / d / "ground_truth.json").is_file() for d in DATASETS):
        return folder, 0.0
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "casebook"), "specimen", "--scale", str(scale), "--seed", str(seed),
                    "--datasets", *DATASETS, "--out", str(folder)], check=True,
                   stdout=subprocess.DEVNULL)
    return folder, time.perf_counter() - t0


#: Columns of account ids and of tweet ids renamed in each copy (``--in-time``).
_USER_ID_COLUMNS = ("userid", "in_reply_to_userid", "retweet_userid")
_TWEET_ID_COLUMNS = ("tweetid", "in_reply_to_tweetid", "quoted_tweet_tweetid", "retweet_tweetid")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#: Days between copies beyond the releases' span: twice the null's largest shift
#: (``casebook.coordination.null.MAX_SHIFT_DAYS``, 30) and two to spare, so no tweet of
#: one copy meets a tweet of another, in the release or in a replicate.
_COPY_MARGIN_DAYS = 2 * 30 + 2


def _read_strings(path: Path):
    """An archive CSV file with every column as text, exactly as written."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, newline="", encoding="utf-8") as f:
        names = next(csv.reader(f))
    return pacsv.read_csv(
        path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False))


def _copy_of(table, k: int, *, days: int, tweet_step: int, user_step: int):
    """Copy ``k`` of an archive table: times ``k * days`` later, ids renamed (digits plus
    ``k`` steps, each character of a hashed id ``k`` places along the base64 alphabet),
    other screen names suffixed with ``k``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if k == 0:
        return table

    def numeric(col, step):
        digits = pc.match_substring_regex(col, r"^[1-9][0-9]{0,18}$")
        moved = pc.add_checked(pc.cast(pc.if_else(digits, col, "0"), pa.int64()), k * step)
        return digits, pc.if_else(digits, pc.cast(moved, pa.string()), col)

    def user(col):
        digits, out = numeric(col, user_step)
        hashed = pc.and_(pc.invert(digits), pc.not_equal(col, ""))
        # each character moved k places along the base64 alphabet (over the distinct ids,
        # a few thousand): no copy's id equals another copy's or the first's
        moved = str.maketrans(_B64, _B64[k % 64:] + _B64[:k % 64])
        codes = pc.dictionary_encode(col).combine_chunks()
        renamed = pa.array([v.translate(moved) for v in codes.dictionary.to_pylist()],
                           pa.string()).take(codes.indices)
        return pc.if_else(hashed, renamed, out)

    def later(col, fmt):
        when = pc.strptime(col, format=fmt, unit="s", error_is_null=True)
        moved = pc.strftime(pc.add(when, pa.scalar(k * days * 86_400, pa.duration("s"))),
                            format=fmt)
        return pc.coalesce(moved, col)

    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if name in _USER_ID_COLUMNS:
            col = user(col)
        elif name in _TWEET_ID_COLUMNS:
            col = numeric(col, tweet_step)[1]
        elif name == "tweet_time":
            col = later(col, "%Y-%m-%d %H:%M")
        elif name == "account_creation_date":
            col = later(col, "%Y-%m-%d")
        elif name in ("user_screen_name", "user_display_name"):
            # a hashed account's handle is its id: renamed with it; any other gets a suffix
            same = pc.equal(col, table.column("userid"))
            named = pc.binary_join_element_wise(col, pa.scalar(f"{k}"), "")
            col = pc.if_else(same, user(col), pc.if_else(pc.equal(col, ""), col, named)
                             if name == "user_screen_name" else col)
        cols[name] = col
    return pa.table(cols)


def stack_in_time(work: Path, copies: int, seed: int) -> tuple[Path, float]:
    """The folder of :func:`stacked` ``copies`` of the scale-1 specimen (written unless
    kept) and the seconds spent writing it (0 when kept)."""
    if copies == 1:
        return write_specimen(work, 1.0, seed)
    folder = work / f"specimen-time{copies}-seed{seed}"
    if all((folder / d / "ground_truth.json").is_file() for d in DATASETS):
        return folder, 0.0
    base, _ = write_specimen(work, 1.0, seed)
    t0 = time.perf_counter()
    stacked(base, folder, copies)
    return folder, time.perf_counter() - t0


def stacked(base: Path, folder: Path, copies: int) -> None:
    """Write into ``folder`` a release grown in time: ``copies`` copies of the specimen
    releases in ``base``, one after the other.

    Copy ``k`` is the base files with every time ``k`` spans later (the span of the
    cohorts' tweets plus :data:`_COPY_MARGIN_DAYS`), tweet and account ids renamed (checked
    distinct) and non-hashed handles suffixed with ``k``; texts, hashtags, URLs and
    mentions are kept, so keys repeat from copy to copy, years apart. Copy 0 is the base
    file byte for byte. Tweets per minute and per account stay those of the base: a
    larger release is more time, not more accounts at once. The folder is written under
    a temporary name and renamed; an existing ``folder`` is refused, never replaced."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    if folder.exists():  # never replaced: it is not one this function finished
        raise SystemExit(f"--in-time: {folder} exists and is not a finished stacked release; "
                         "move it away or choose another --work")
    tables = {d: {f.name: _read_strings(f) for f in sorted((base / d).glob("*.csv"))}
              for d in DATASETS}
    # the span of both cohorts' tweets: the control's copies must not meet either
    when = [pc.strptime(t.column("tweet_time"), format="%Y-%m-%d %H:%M", unit="s")
            for files in tables.values() for n, t in files.items() if "tweets" in n]
    span = (max(pc.max(w).as_py() for w in when) - min(pc.min(w).as_py() for w in when)).days + 1
    days = span + _COPY_MARGIN_DAYS

    def largest(names):
        top = 0
        for files in tables.values():
            for t in files.values():
                for n in names:
                    if n in t.column_names:
                        col = t.column(n)
                        ok = pc.match_substring_regex(col, r"^[1-9][0-9]{0,18}$")
                        top = max(top, pc.max(pc.cast(pc.filter(col, ok), pa.int64())).as_py() or 0)
        return top

    steps = {}
    for key, names in (("tweet_step", _TWEET_ID_COLUMNS), ("user_step", _USER_ID_COLUMNS)):
        room = (2**63 - 1 - largest(names)) // max(copies - 1, 1)
        if room <= 0:
            raise SystemExit(f"--in-time: {copies} copies leave no room for new ids")
        steps[key] = room
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    for d, files in tables.items():
        (partial / d).mkdir(parents=True)
        for name, table in files.items():
            ids = []
            with pacsv.CSVWriter(partial / d / name, table.schema, write_options=pacsv.WriteOptions(
                    quoting_style="all_valid")) as writer:
                for k in range(copies):
                    copy = _copy_of(table, k, days=days, **steps)
                    writer.write_table(copy)
                    ids.append(copy.column("tweetid" if "tweetid" in copy.column_names
                                           else "userid").combine_chunks())
            every = pa.concat_arrays(ids)
            if pc.count_distinct(every).as_py() != len(every):
                raise SystemExit(f"--in-time: ids repeat across copies in {name}")
        truth = json.loads((base / d / "ground_truth.json").read_text())
        marker = {k: truth[k] for k in ("dataset", "synthetic", "generator", "seed", "published")}
        marker.update(scale=truth["scale"] * copies, counts={"tweets": truth["counts"]["tweets"] * copies,
                                            "accounts": truth["counts"]["accounts"] * copies},
                      stacked_in_time={"copies": copies, "days_apart": days, "from": str(base)})
        (partial / d / "ground_truth.json").write_text(json.dumps(marker, indent=1))
        (partial / d / "README.md").write_text(
            f"# {d}: SYNTHETIC, {copies} copies of a specimen release in time\n\n"
            f"Written by benchmarks/case_scale.py --in-time from {base.name}: copy k is the "
            f"release {days} days x k later, ids renamed. Benchmark data only.\n")
    partial.rename(folder)


def instrumented_notebook(case: str, work: Path, *, in_order: bool = False) -> Path:
    """A copy of the case notebook, under its own file name, with the peak-memory cell
    (and with ``in_order``, without the early start of the coordination section)."""
    from casebook.runner import resolve_cases

    source = resolve_cases([case])[case]
    nb = nbformat.read(source, as_version=4)
    if in_order:
        for c in nb.cells:
            if c.cell_type == "code":
                c.source = _EARLY_START.sub(r"# \1  (left out by --in-order)", c.source)
    cell = nbformat.v4.new_code_cell(PEAK_CELL)
    cell.metadata["tags"] = [_MARK]
    nb.cells.append(cell)
    timer = nbformat.v4.new_code_cell(CPU_CELL)
    timer.metadata["tags"] = [_MARK]
    nb.cells.insert(0, timer)
    # same file name: ``casebook run`` maps it back to the case and its parameter file
    target = work / "notebooks" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


def section_times(executed: Path, *, cpu: bool = False
                  ) -> tuple[dict[str, float], list[tuple[str, float]], dict]:
    """Seconds per section, every cell's (label, seconds), and the kernel's peak report.

    Wall seconds from papermill's cell durations, or with ``cpu`` the kernel's CPU
    seconds per cell (reported by the prepended timing cell, matched by source)."""
    nb = nbformat.read(executed, as_version=4)
    peak: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and _MARK in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                for line in out.get("text", "").splitlines():
                    if line.startswith(_MARK):
                        peak = json.loads(line[len(_MARK):])
    cpu_times = list(peak.get("cpu", []))
    sections: dict[str, float] = {}
    cells: list[tuple[str, float]] = []
    current = "0 · setup"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found = _SECTION.findall(cell.source)
            if found:
                current = " ".join(found[0].split())
            continue
        if cell.cell_type != "code" or _MARK in cell.metadata.get("tags", []):
            continue
        seconds = float(cell.metadata.get("papermill", {}).get("duration") or 0.0)
        match = next((k for k, (src, *_) in enumerate(cpu_times) if src == cell.source), None)
        timed = cpu_times.pop(match) if match is not None else None
        if cpu:
            seconds = timed[1] if timed else 0.0
        if timed and len(timed) > 2:  # the kernel's high-water mark after the cell
            raised = timed[2] - peak.get("_last_hwm", 0)
            peak["_last_hwm"] = timed[2]
            if raised > peak.get("raised", [0, ""])[0]:
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                peak["raised"] = [raised, f"[{i}] {first.strip()[:60]}"]
        sections[current] = sections.get(current, 0.0) + seconds
        first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
        cells.append((f"[{i}] {first.strip()[:70]}", seconds))
    peak.pop("_last_hwm", None)
    return sections, cells, peak


def run_case(case: str, notebook: Path, data: Path, out: Path, cache: Path, *,
             fresh_cache: bool = True, params: list[list[str]] | None = None,
             threads: int | None = None) -> float:
    """Wall seconds of ``casebook run`` for one case, with a fresh cache unless
    ``fresh_cache`` is False (a re-run: the releases' Parquet copies and the kept
    coordination result are read); ``params`` are ``casebook run -p KEY VALUE`` pairs;
    ``threads`` sets ``CASEBOOK_THREADS`` (default: the casebook's, one per core)."""
    shutil.rmtree(out, ignore_errors=True)
    if fresh_cache:
        shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "CASEBOOK_CACHE_DIR": str(cache), "CASEBOOK_STATIC": "1"}
    if threads is not None:
        env["CASEBOOK_THREADS"] = str(threads)
    t0 = time.perf_counter()
    done = subprocess.run([str(BIN / "casebook"), "run", str(notebook), "--data", str(data),
                           "--out", str(out), "--no-progress",
                           *(x for kv in params or [] for x in ("-p", *kv))], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"casebook run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def _ratio(a: float, b: float) -> str:
    return f"{a / b:5.2f}x" if b > 0 else "    -"


def report(results: list[dict], n_cells: int) -> None:
    """Print the per-section table, memory, wall time and the slowest cells."""
    base = results[0]
    scales = [r["scale"] for r in results]
    print(f"\ncase {base['case']!r}, release grown {base.get('grown', 'in accounts')}; "
          f"baseline: scale {scales[0]:g} (measured in this run); "
          f"section times: {'kernel CPU' if base['timing'] == 'cpu' else 'wall'} seconds")
    if base.get("threads") is not None:
        print(f"CASEBOOK_THREADS = {base['threads']}")
    for key, value in base.get("params", []):  # a run with changed parameters says so
        print(f"parameter {key} = {value}")
    print()
    head = f"{'':28}" + "".join(f"{'scale ' + format(s, 'g'):>12}" for s in scales)
    print(head)
    tweets = [r["tweets"] for r in results]
    print(f"{'tweets':28}" + "".join(f"{t:>12,}" for t in tweets))
    print(f"{'  x previous / x baseline':28}" + "".join(
        f"{'':>12}" if i == 0 else f"{_ratio(t, tweets[i - 1]) + '/' + _ratio(t, tweets[0]):>12}"
        for i, t in enumerate(tweets)))
    pairs = [r["peak"].get("pairs") for r in results]
    if all(pairs):  # what the coordination section's exact counts grow with
        print(f"{'pair events (coordination)':28}" + "".join(f"{p:>12,}" for p in pairs))
        print(f"{'':28}{'':>12}" + "".join(
            f"{_ratio(pairs[i], pairs[i - 1]) + '/' + _ratio(pairs[i], pairs[0]):>12}"
            for i in range(1, len(pairs))))
    names = list(dict.fromkeys(n for r in results for n in r["sections"]))
    flagged = []
    for name in [*names, "total of cells"]:
        secs = [r["sections"].get(name, 0.0) if name != "total of cells"
                else sum(r["sections"].values()) for r in results]
        print(f"{name[:28]:28}" + "".join(f"{s:>11.1f}s" for s in secs))
        ratios = []
        for i in range(1, len(secs)):
            ratios.append(f"{_ratio(secs[i], secs[i - 1]) + '/' + _ratio(secs[i], secs[0]):>12}")
            grows = secs[i] / secs[i - 1] if secs[i - 1] > 0.05 else 0.0
            if grows > SUPERLINEAR * tweets[i] / tweets[i - 1] and secs[i] > 1.0:
                grew = (f", pair events x{pairs[i] / pairs[i - 1]:.2f}"
                        if "Coordination" in name and all(pairs) else "")
                flagged.append(f"{name} (scale {scales[i - 1]:g} -> {scales[i]:g}: "
                               f"time x{grows:.2f}, tweets x{tweets[i] / tweets[i - 1]:.2f}{grew})")
        if ratios:
            print(f"{'':28}{'':>12}" + "".join(ratios))
    print(f"{'kernel peak memory (VmHWM)':28}" + "".join(
        f"{r['peak'].get('vmhwm', 0) / 2**30:>10.2f}GB" for r in results))
    peaks = [r["peak"].get("vmhwm", 0) for r in results]
    print(f"{'':28}{'':>12}" + "".join(
        f"{_ratio(peaks[i], peaks[i - 1]) + '/' + _ratio(peaks[i], peaks[0]):>12}"
        for i in range(1, len(peaks))))
    for r in results:
        if r["peak"].get("raised"):
            raised, label = r["peak"]["raised"]
            print(f"  scale {r['scale']:g}: the peak rose most ({raised / 2**30:.2f} GB) in {label}")
    print(f"{'casebook run, wall':28}" + "".join(f"{r['wall']:>11.1f}s" for r in results))
    if all("rerun" in r for r in results):
        print(f"{'run again (cache kept), wall':28}" + "".join(
            f"{r['rerun']['wall']:>11.1f}s" for r in results))
        print(f"{'  its 0 · setup':28}" + "".join(
            f"{r['rerun']['setup']:>11.1f}s" for r in results))
        coordination = next((k for k in results[-1]["rerun"]["sections"] if "Coordination" in k),
                            None)
        if coordination:
            print(f"{'  its ' + coordination[:22]:28}" + "".join(
                f"{r['rerun']['sections'].get(coordination, 0.0):>11.1f}s" for r in results))
        print(f"{'  its kernel peak (VmHWM)':28}" + "".join(
            f"{r['rerun']['vmhwm'] / 2**30:>10.2f}GB" for r in results))
    print(f"{'specimen written in':28}" + "".join(
        f"{r['specimen']:>11.1f}s" if r["specimen"] else f"{'kept':>12}" for r in results))
    print("\nratios: x previous scale / x baseline scale")
    print("superlinear sections: " + ("; ".join(flagged) if flagged else "none"))
    if flagged and not base.get("in_order", True) and base.get("threads") != 1:
        # the sections before the coordination share the cores with it: their times
        # stretch with its threads, not with their own work
        print("  (the sections before the coordination ran beside it, begun early: their "
              "times include the wait for a core; --in-order --cpu gives each section's own cost)")
    if n_cells:
        last = results[-1]
        earlier = {label: s for label, s in results[-2]["cells"]} if len(results) > 1 else {}
        print(f"\nslowest {n_cells} cells at scale {last['scale']:g}"
              + (f" (x previous scale {results[-2]['scale']:g})" if earlier else ""))
        for label, s in sorted(last["cells"], key=lambda c: -c[1])[:n_cells]:
            grow = f"  {_ratio(s, earlier[label])}" if earlier.get(label) else ""
            print(f"{s:9.1f}s{grow}  {label}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0],
                    help="specimen scales, run smallest first; the smallest is the baseline "
                         "(default: 1 2; 1 = the published 560,571 Iran tweets)")
    ap.add_argument("--case", default="iran", help="case to run (default: iran)")
    ap.add_argument("--seed", type=int, default=0, help="specimen seed (default: 0)")
    ap.add_argument("--work", type=Path, default=HERE / "_work" / "case_scale",
                    help="scratch folder for specimens, caches and reports "
                         "(default: benchmarks/_work/case_scale, gitignored)")
    ap.add_argument("--cells", type=int, default=0, metavar="N",
                    help="also print the N slowest cells at the largest scale")
    ap.add_argument("--cpu", action="store_true",
                    help="time sections by the kernel's CPU seconds per cell instead of "
                         "papermill's wall-clock durations (steadier on a busy machine)")
    ap.add_argument("--rerun", action="store_true",
                    help="after each scale's run, run the case again with the cache the "
                         "first run wrote (the releases' Parquet copies, the coordination "
                         "result; how an investigator re-runs a case): its wall "
                         "time, setup section and kernel peak are printed too")
    ap.add_argument("-p", "--param", nargs=2, action="append", default=[],
                    metavar=("KEY", "VALUE"),
                    help="a case parameter, passed to `casebook run -p` (repeatable), e.g. "
                         "-p coordination_kinds '[co_retweet, co_tweet]'")
    ap.add_argument("--in-order", action="store_true",
                    help="run every section alone, in order (the coordination section is "
                         "not begun early beside the others): each section's own time")
    ap.add_argument("--threads", type=int, nargs="+", metavar="N",
                    help="run every scale with CASEBOOK_THREADS=N, for each N in turn, and "
                         "compare each N's case times with the first N's (default: one "
                         "run with the casebook's own choice, a thread per core)")
    ap.add_argument("--json", type=Path, help="write the measurements to this JSON file")
    ap.add_argument("--in-time", action="store_true",
                    help="grow the release in time instead of in accounts: scale S (a whole "
                         "number) is S copies of the scale-1 specimen one after the other, "
                         "ids renamed (the same tweets per minute and per account at every "
                         "scale, as in a release that spans more years)")
    args = ap.parse_args(argv)
    if args.in_time and any(s != int(s) or s < 1 for s in args.scales):
        ap.error("--in-time takes whole numbers of copies as --scales (1 is the scale-1 specimen)")

    args.work.mkdir(parents=True, exist_ok=True)
    notebook = instrumented_notebook(args.case, args.work, in_order=args.in_order)
    runs = [measure(args, notebook, n) for n in (args.threads or [None])]
    if len(runs) > 1:
        compare_threads(runs)
    if args.json:
        args.json.write_text(json.dumps(runs if len(runs) > 1 else runs[0], indent=1))
    return 0


def compare_threads(runs: list[list[dict]]) -> None:
    """Each thread count's case time and peak at every scale, against the first count's."""
    base = {r["scale"]: r for r in runs[0]}
    print(f"\nthreads (baseline: CASEBOOK_THREADS = {runs[0][0]['threads']}, measured in this run)")
    for results in runs:
        for r in results:
            b = base[r["scale"]]
            again = (f", re-run {r['rerun']['wall']:.1f} s ({_ratio(r['rerun']['wall'], b['rerun']['wall'])})"
                     if "rerun" in r else "")
            print(f"  {r['threads']:>3} threads, scale {r['scale']:g}: case {r['wall']:.1f} s "
                  f"({_ratio(r['wall'], b['wall'])} the baseline's time), kernel peak "
                  f"{r['peak'].get('vmhwm', 0) / 2**30:.2f} GB{again}")


def measure(args: argparse.Namespace, notebook: Path, threads: int | None) -> list[dict]:
    """Every scale's case (and re-run) with ``threads``, printed; the measurements."""
    results = []
    for scale in sorted(args.scales):
        data, spec_seconds = (stack_in_time(args.work, int(scale), args.seed) if args.in_time
                              else write_specimen(args.work, scale, args.seed))
        truth = json.loads((data / DATASETS[0] / "ground_truth.json").read_text())
        name = f"time{scale:g}" if args.in_time else f"{scale:g}"
        out = args.work / f"out-{name}"
        wall = run_case(args.case, notebook, data, out, args.work / f"cache-{name}",
                        params=args.param, threads=threads)
        sections, cells, peak = section_times(out / notebook.name, cpu=args.cpu)
        results.append({"case": args.case, "scale": scale, "tweets": truth["counts"]["tweets"],
                        "accounts": truth["counts"]["accounts"], "specimen": spec_seconds,
                        "wall": wall, "sections": sections, "cells": cells,
                        "peak": {k: v for k, v in peak.items() if k != "cpu"},
                        "timing": "cpu" if args.cpu else "wall", "params": args.param,
                        "in_order": args.in_order, "threads": threads,
                        "grown": "in time" if args.in_time else "in accounts"})
        print(f"scale {scale:g}: {truth['counts']['tweets']:,} tweets, case {wall:.1f} s, "
              f"kernel peak {peak.get('vmhwm', 0) / 2**30:.2f} GB", flush=True)
        if args.rerun:
            again = run_case(args.case, notebook, data, out, args.work / f"cache-{name}",
                             fresh_cache=False, params=args.param, threads=threads)
            sec2, _, peak2 = section_times(out / notebook.name, cpu=args.cpu)
            results[-1]["rerun"] = {"wall": again, "setup": sec2.get("0 · setup", 0.0),
                                    "sections": sec2, "vmhwm": peak2.get("vmhwm", 0)}
            print(f"scale {scale:g}: run again with the cache, {again:.1f} s, kernel peak "
                  f"{peak2.get('vmhwm', 0) / 2**30:.2f} GB", flush=True)
    report(results, args.cells)
    return results


if __name__ == "__main__":
    sys.exit(main())
