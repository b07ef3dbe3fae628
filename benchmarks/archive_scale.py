"""The store and cross-release search at archive scale: 1M, 10M and 30M tweets.

What it measures, on synthetic data in the archive's format (``casebook specimen``):

1. **build**: ``casebook.store.add_release`` of every release of the size, in a child
   process: wall seconds, the store's size on disk (and its search tables' share:
   ``keys``, ``summary``, ``near``, ``texts`` and ``text_summary``), and the
   child's own peak memory (``getrusage(RUSAGE_SELF)`` inside it);
2. **search**: one query of each kind (url, domain, hashtag, exact text, near-duplicate
   text, account, retweeted), each in its own child process: one warm-up search (the
   cold process: imports, first file opens) is excluded, then the median of
   ``--repeats`` searches, the number of tweets found, and the child's own peak memory.

Then, for every cost, its ratio to the first size measured in the same run (the
baseline, normally 1M) and the growth per 10x of data: ``ratio ** (1 / log10(tweets /
baseline tweets))`` (1.0: flat; 10.0: linear in the data).

Queries are picked from each store (DuckDB over ``search.parquet``, not timed): the most
used url, domain, hashtag, retweeted tweet and the busiest account (the worst case: the
largest answer of its kind), the most repeated text, and the most repeated text of eight
words or more without its last word (near duplicate). With ``--typical``, a second query
of each kind takes the key at the median frequency instead (a typical lookup).

Data (kept between runs: the same seed and scale always give the same files):

- 1M:  ``casebook specimen --scale 1`` (five releases, 969,129 tweets);
- 10M: ``--scale 10`` (9.7M tweets), built into the large store;
- 30M: the 10M releases plus ``--scale 10`` with seeds 1 and 2, added to the same store
  under the names ``<release>_s1`` and ``_s2`` (29M tweets, 15 releases): every release
  stays near the 10M one's size, so each add fits in memory. The 30M build time is the
  10M build's plus these two adds (adding a release rewrites no other). Skipped, with the
  reason printed, when the machine has less than ``--min-free-gb`` of memory available
  or the disk has too little room.

    python benchmarks/archive_scale.py                       # 1M, 10M, 30M
    python benchmarks/archive_scale.py --sizes 1 10 --repeats 3
    python benchmarks/archive_scale.py --sizes 1 --work /tmp/scale-check --clean
    python benchmarks/archive_scale.py --reuse --typical   # searches again, same stores
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
KINDS = ("url", "domain", "hashtag", "text", "near", "account", "retweeted")
#: Specimens of each nominal size (millions of tweets): (scale, seed) per part.
PLANS = {1: [(1, 0)], 10: [(10, 0)], 30: [(10, 0), (10, 1), (10, 2)]}
MB = 1 << 20


# --------------------------------------------------------------------------- children


def _peak() -> int:
    """This process's own peak resident memory in bytes (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child_add(store: str, parts: list[str]) -> dict[str, Any]:
    """Add ``FOLDER=NAME`` parts to ``store``; seconds, tweets and own peak."""
    from casebook import store as st

    start = time.perf_counter()
    tweets = 0
    for part in parts:
        folder, _, name = part.partition("=")
        tweets += st.add_release(store, folder, name=name or None).tweets
    return {"seconds": time.perf_counter() - start, "tweets": tweets, "peak": _peak()}


def _child_search(store: str, query: dict[str, Any], repeats: int) -> dict[str, Any]:
    """One warm-up search (excluded), then ``repeats`` timed ones; median and own peak."""
    from casebook import search

    start = time.perf_counter()
    found = search.search(store, **query)
    cold = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        found = search.search(store, **query)
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "runs": times, "cold": cold,
            "tweets": found.tweets, "peak": _peak()}


def _run_child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                          stdout=subprocess.PIPE, text=True)  # errors go to stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- data


def _specimen(work: Path, scale: int, seed: int) -> Path:
    out = work / f"specimen-{scale}-seed{seed}"
    if not (out / "control").is_dir():
        print(f"  writing specimen scale {scale} seed {seed} to {out} ...", flush=True)
        subprocess.run([str(BIN / "casebook"), "specimen", "--scale", str(scale), "--seed",
                        str(seed), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def _parts(work: Path, scale: int, seed: int) -> list[str]:
    folder = _specimen(work, scale, seed)
    suffix = f"_s{seed}" if seed else ""
    return [f"{f}={f.name}{suffix}" if suffix else str(f)
            for f in sorted(p for p in folder.iterdir() if p.is_dir())]


def _size(path: Path, pattern: str = "**/*") -> int:
    return sum(p.stat().st_size for p in path.glob(pattern) if p.is_file())


def _tables(store: Path) -> int:
    """Bytes of the store's search tables (keys, summary, near-duplicate and text tables)."""
    from casebook.store import SEARCH_TABLES

    return sum(_size(store, f"release=*/{file}") for file in SEARCH_TABLES)


def _available() -> int:
    """MemAvailable in bytes (0 where it is not known)."""
    from casebook._memory import available_memory

    return available_memory() or 0


def _picks(store: Path, typical: bool) -> dict[str, dict[str, Any]]:
    """One query per kind from the store (the most frequent key; ``typical``: the median)."""
    import duckdb

    hive = "hive_partitioning = true, hive_types = {'release': VARCHAR}"
    search = f"read_parquet('{store.as_posix()}/release=*/search.parquet', {hive})"
    tweets = f"read_parquet('{store.as_posix()}/release=*/tweets.parquet', {hive})"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = '4GB'")
    con.execute(f"SET temp_directory = '{(store.parent / 'duckdb-spill').as_posix()}'")

    def ranked(values: str, where: str = "v IS NOT NULL") -> str:
        return (f"SELECT v, count(*) AS n, min(release) AS release, min(tweetid) AS tweetid "
                f"FROM (SELECT {values} AS v, release, tweetid, retweet_tweetid FROM {search}) "
                f"WHERE {where} GROUP BY v")

    def pick(values: str, where: str = "v IS NOT NULL", limit: int = 1) -> list[tuple]:
        if typical:  # the key at the median frequency (ties: the smallest)
            sql = (f"SELECT v, release, tweetid FROM ({ranked(values, where)}) ORDER BY n, v "
                   f"LIMIT {limit} OFFSET (SELECT count(*) // 2 FROM ({ranked(values, where)}))")
        else:
            sql = (f"SELECT v, release, tweetid FROM ({ranked(values, where)}) "
                   f"ORDER BY n DESC, v LIMIT {limit}")
        return con.sql(sql).fetchall()

    # texts by fingerprint (an integer: cheap to count), then the texts of a few of them
    fps = pick("text_fp", "v IS NOT NULL AND retweet_tweetid IS NULL", limit=200)
    wanted = ", ".join(f"('{r}', '{t}')" for _, r, t in fps)
    texts = dict(con.sql(f"SELECT tweetid, tweet_text FROM {tweets} "
                         f"WHERE (release, tweetid) IN ({wanted})").fetchall())
    ordered = [texts[t] for _, _, t in fps if texts.get(t)]
    text = ordered[0]
    long_text = next(t for t in ordered if len(t.split()) >= 8)
    picks = {
        "url": {"url": pick("unnest(urls)")[0][0]},
        "domain": {"domain": pick("unnest(domains)")[0][0]},
        "hashtag": {"hashtag": pick("unnest(hashtag_keys)")[0][0]},
        "text": {"text": text},
        "near": {"text": " ".join(long_text.split()[:-1]), "near": True},
        "account": {"account": pick("user_screen_name")[0][0]},
        "retweeted": {"retweeted": pick("retweet_tweetid")[0][0]},
    }
    con.close()
    return picks


def _view(large: Path, view: Path, releases: list[str]) -> None:
    """A store of some releases of ``large``: hard links to its files, its manifest cut."""
    shutil.rmtree(view, ignore_errors=True)
    view.mkdir(parents=True)
    manifest = json.loads((large / "casebook-store.json").read_text())
    manifest["releases"] = {k: v for k, v in manifest["releases"].items() if k in releases}
    for name in releases:
        (view / f"release={name}").mkdir()
        for file in (large / f"release={name}").iterdir():
            os.link(file, view / f"release={name}" / file.name)
    (view / "casebook-store.json").write_text(json.dumps(manifest))


def _reused(args: argparse.Namespace, size: int) -> dict[str, Any]:
    """Search timings of a store a previous run built (``--reuse``)."""
    large = args.work / "store-large"
    if size == 1:
        store = args.work / "store-1"
    elif size == 10:
        store = args.work / "store-10-view"
        held = json.loads((large / "casebook-store.json").read_text())["releases"]
        _view(large, store, [n for n in held if not n.endswith(("_s1", "_s2"))])
    else:
        store = large
    held = json.loads((store / "casebook-store.json").read_text())["releases"]
    row = {"size": size, "tweets": sum(e["tweets"] for e in held.values()),
           "bytes": _size(store), "key_bytes": _tables(store),
           "searches": {}}
    print(f"\n{size}M: {store} ({row['tweets']:,} tweets, reused)", flush=True)
    _time_searches(store, args, row)
    return row


def _time_searches(store: Path, args: argparse.Namespace, row: dict[str, Any]) -> None:
    """Time one query of each kind on ``store`` (and a typical one), each in a child."""
    # picked in a child: this process stays small, so that no child starts from its
    # high-water mark (Linux carries it across fork and exec into RUSAGE_SELF)
    sets = {"top": _run_child(["picks", str(store), "top"])}
    if args.typical:
        sets["typical"] = _run_child(["picks", str(store), "typical"])
    for label, picks in sets.items():
        for kind in KINDS:
            out = _run_child(["search", str(store), json.dumps(picks[kind]), str(args.repeats)])
            row["searches"][(label, kind)] = out
            print(f"  {label:<8}{kind:<10}{out['median'] * 1000:>9.1f} ms "
                  f"(cold {out['cold'] * 1000:,.0f} ms){out['tweets']:>11,} tweets "
                  f"peak {out['peak'] / MB:>6,.0f} MB", flush=True)


# --------------------------------------------------------------------------- report


def _growth(value: float, base: float, tweets: int, base_tweets: int) -> str:
    if not base or tweets == base_tweets:
        return "-"
    ratio = value / base
    per10 = ratio ** (1 / math.log10(tweets / base_tweets))
    return f"{ratio:.2f}x ({per10:.2f}x/10x)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30], choices=sorted(PLANS),
                        help="nominal sizes in millions of tweets (default: 1 10 30)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/casebook-archive-scale"),
                        help="working folder: specimens and stores (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="timed searches per kind (median)")
    parser.add_argument("--typical", action="store_true",
                        help="also time a typical query of each kind (median-frequency key)")
    parser.add_argument("--min-free-gb", type=float, default=8.0,
                        help="skip a size whose adds would start with less memory available "
                        "(default: %(default)s GB)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the searches only, on the stores a previous run left (the "
                        "10M one as a view of the large store's first releases, by hard links)")
    parser.add_argument("--clean", action="store_true",
                        help="remove the stores and specimens when done")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, store, *rest = args.child
        if mode == "add":
            out = _child_add(store, rest)
        elif mode == "picks":
            out = _picks(Path(store), typical=rest[0] == "typical")
        else:
            out = _child_search(store, json.loads(rest[0]), int(rest[1]))
        print(json.dumps(out))
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CASEBOOK_CACHE_DIR", str(args.work / "cache"))
    rows: list[dict[str, Any]] = []
    built: dict[Path, tuple[set[tuple[int, int]], float, int]] = {}
    for size in sorted(args.sizes):
        if args.reuse:
            rows.append(_reused(args, size))
            continue
        plan = PLANS[size]
        store = args.work / ("store-1" if size == 1 else "store-large")
        if store not in built:  # a fresh store for each run
            shutil.rmtree(store, ignore_errors=True)
            built[store] = (set(), 0.0, 0)
        done, seconds, tweets = built[store]
        todo = [part for part in plan if part not in done]
        free = _available()
        if todo and size > 1 and free < args.min_free_gb * (1 << 30):
            print(f"\n{size}M: skipped: {free / (1 << 30):.1f} GB of memory available, "
                  f"under --min-free-gb {args.min_free_gb:g} (a 10M release's add peaks near 5 GB)")
            continue
        disk = shutil.disk_usage(args.work).free
        if todo and disk < 15 * (1 << 30) * len(todo):
            print(f"\n{size}M: skipped: {disk / (1 << 30):.0f} GB free on {args.work}'s disk, "
                  f"a 10M specimen and its store take about 8 GB")
            continue
        print(f"\n{size}M: building {store} ...", flush=True)
        parts = [p for scale, seed in todo for p in _parts(args.work, scale, seed)]
        added = (_run_child(["add", str(store), *parts]) if parts
                 else {"seconds": 0, "peak": 0, "tweets": 0})
        seconds += added["seconds"]
        tweets += added["tweets"]
        built[store] = (done | set(todo), seconds, tweets)
        row = {"size": size, "tweets": tweets, "build_s": seconds, "build_peak": added["peak"],
               "bytes": _size(store), "key_bytes": _tables(store),
               "searches": {}}
        print(f"  {tweets:,} tweets; build {seconds:.1f} s (this step {added['seconds']:.1f} s, "
              f"peak {added['peak'] / MB:,.0f} MB); store {row['bytes'] / MB:,.0f} MB, "
              f"search tables {row['key_bytes'] / MB:,.0f} MB", flush=True)
        _time_searches(store, args, row)
        rows.append(row)

    if not rows:
        return 1
    base = rows[0]
    print(f"\nbaseline: the {base['size']}M figures of this run ({base['tweets']:,} tweets)")
    head = f"{'':<22}" + "".join(f"{str(r['size']) + 'M':>30}" for r in rows)
    print(head)
    print(f"{'tweets':<22}" + "".join(f"{r['tweets']:>30,}" for r in rows))

    def line(label: str, value: Any, fmt: str) -> None:
        cells = []
        for r in rows:
            v = value(r)
            growth = _growth(v, value(base), r["tweets"], base["tweets"]) if r is not base else ""
            cells.append(f"{format(v, fmt)} {growth}".strip())
        print(f"{label:<22}" + "".join(f" {c:>29}" for c in cells))

    if not args.reuse:
        line("build s", lambda r: r["build_s"], ".1f")
        line("build peak MB", lambda r: r["build_peak"] / MB, ",.0f")
    line("store MB", lambda r: r["bytes"] / MB, ",.0f")
    line("  search tables MB", lambda r: r["key_bytes"] / MB, ",.0f")
    for label, kind in base["searches"]:
        line(f"{label} {kind} ms", lambda r, k=(label, kind): r["searches"][k]["median"] * 1000, ".1f")
        line("  tweets found", lambda r, k=(label, kind): r["searches"][k]["tweets"], ",")
        line("  peak MB", lambda r, k=(label, kind): r["searches"][k]["peak"] / MB, ",.0f")
    print(f"(this driver's own peak, the floor of every child's: {_peak() / MB:,.0f} MB)")
    slowest = max(s["median"] for s in rows[-1]["searches"].values())
    print(f"\nslowest search at {rows[-1]['size']}M: {slowest * 1000:.0f} ms "
          f"({'under' if slowest < 1 else 'over'} the 1 s goal)")
    if args.clean:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
