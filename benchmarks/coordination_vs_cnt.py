#!/usr/bin/env python
"""Benchmark: casebook's coordination engine against coordination-network-toolkit 1.5.2.

What it does, in one run on the same data:

1. generates an archive-format release (30 quoted columns, list literals, minute clock)
   of ``--tweets`` tweets with planted coordinated groups (co-retweets and copy-pasted
   texts within a minute), under ``benchmarks/_work/`` (kept between runs);
2. converts it to CNT's CSV (by position: message_id=tweetid, user_id=userid,
   username=user_screen_name, repost_id=retweet_tweetid, reply_id=in_reply_to_tweetid,
   message=tweet_text, timestamp=epoch seconds, urls space-separated);
3. runs CNT 1.5.2 from its own virtual environment ``benchmarks/.venv-cnt`` (created with
   ``pip install coordination-network-toolkit==1.5.2`` when missing):
   ``compute_networks DB preprocess --format csv FILE``, then
   ``compute_networks DB compute co_retweet --time_window 60 --min_edge_weight 1`` and
   the same for ``co_tweet``, then ``export_network ... --output_format graphml`` (its
   CSV export crashes, issue #55);
4. runs the casebook in a fresh process (``--repeats`` times, 3 by default; the median
   is compared): ``casebook.load_release(FILE, cache=False, columns=[...])`` with the
   tweet columns the two kinds read (archive ingest included: every record is still
   parsed and checked, the file hashed) and ``casebook.coordination.networks`` for both
   kinds. Its time runs from starting the process (interpreter and imports included)
   until both networks are in memory; writing them out for the comparison comes after,
   as CNT's graphml export comes after its compute and is reported apart;
5. runs the command line as a user runs it (``--repeats`` times, cold cache: a fresh
   ``CASEBOOK_CACHE_DIR`` each time): ``casebook network FILE --kind co_retweet --kind
   co_tweet --out X.csv``, timed from process start until the CSV is written, against
   CNT's command-line calls for the same kinds (preprocess, then one compute per kind);
6. prints whether the edge sets and weights are identical (self-pairs excluded, the
   command's CSV checked too), the seconds and peak memory of each side (casebook: its
   one process's own high-water mark, ``VmHWM``, which it reads itself at the end; CNT:
   the larger of its process tree's resident sets summed and its largest process's own
   ``VmHWM``, sampled every 50 ms), and both speed ratios. ``ru_maxrss`` of a child is
   not used: Linux starts it at the peak its parent had (this script's data generation
   included), so it gave both tools the same figure.

Examples
--------
    .venv/bin/python benchmarks/coordination_vs_cnt.py --tweets 1000000
    .venv/bin/python benchmarks/coordination_vs_cnt.py --tweets 10000000 --skip-cnt
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from _peak import TreePeak, own_peak

from casebook import schema

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
CNT_VENV = HERE / ".venv-cnt"
CNT_VERSION = "1.5.2"
KINDS = ("co_retweet", "co_tweet")
ARCHIVE_COLUMNS = schema.ARCHIVE_TWEET_COLUMNS


# --------------------------------------------------------------------------- data


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Hashed-looking account ids (43 base64 characters ending in '=')."""
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    chars = alphabet[rng.integers(0, 64, size=(n, 42))]
    ids = np.char.add(chars.view("<U42").ravel(), "=")
    return ids if len(np.unique(ids)) == n else _ids(rng, n)


def _join_words(words: np.ndarray, vocab: np.ndarray) -> pa.Array:
    """Rows of word indices -> one space-joined text per row (vectorised)."""
    n, k = words.shape
    flat = pa.array(vocab[words.ravel()], pa.string())
    if isinstance(flat, pa.ChunkedArray):
        flat = flat.combine_chunks()
    lists = pa.ListArray.from_arrays(pa.array(np.arange(0, n * k + 1, k, dtype=np.int32)), flat)
    return pc.binary_join(lists, " ")


def generate_chunk(
    n: int, *, rng: np.random.Generator, users: np.ndarray, chunk: int, n_groups: int
) -> pa.Table:
    """One chunk of archive-format tweets with planted co-retweet and co-tweet groups."""
    n_users = len(users)
    minutes = 365 * 24 * 60
    start = np.datetime64("2020-01-01T00:00", "m")

    user = rng.integers(0, n_users, n)
    minute = rng.integers(0, minutes, n)
    is_rt = rng.random(n) < 0.35
    # retweets of a pool of originals with heavy-tailed popularity (popular keys)
    rt_target = np.minimum(rng.zipf(1.4, n), 200_000) + 10**17
    vocab = np.array([f"w{i}" for i in range(5000)])
    text = _join_words(rng.integers(0, 5000, size=(n, 12)), vocab).to_numpy(zero_copy_only=False)
    text = text.astype(object)
    # a share of originals repeat popular texts (chance co-tweets), with @mentions / case
    popular = _join_words(rng.integers(0, 5000, size=(2000, 8)), vocab).to_numpy(
        zero_copy_only=False).astype(object)
    reuse = (~is_rt) & (rng.random(n) < 0.05)
    pick = popular[rng.integers(0, 2000, n)]
    variant = rng.integers(0, 3, n)
    pick = np.where(variant == 1, np.char.upper(pick.astype(str)).astype(object), pick)
    pick = np.where(variant == 2, "@someone " + pick.astype(str), pick)
    text = np.where(reuse, pick, text)

    # planted groups: members act on the same key within the same or next minute
    tweet = 0
    sizes = rng.integers(8, 21, n_groups)
    members = [rng.choice(n_users, size, replace=False) for size in sizes]
    events_per_group = max(20, n // (n_groups * 200))
    for g, mem in enumerate(members):  # loop over groups (tens), vectorised inside
        e_min = rng.integers(0, minutes - 2, events_per_group)
        e_rt = rng.random(events_per_group) < 0.5
        m = len(mem)
        k = events_per_group * m
        idx = np.arange(tweet, tweet + k) % n
        tweet += k
        user[idx] = np.tile(mem, events_per_group)
        minute[idx] = np.repeat(e_min, m) + rng.integers(0, 2, k)
        is_rt[idx] = np.repeat(e_rt, m)
        rt_target[idx] = (9 * 10**17 + chunk * 10**10 + g * 10**6
                          + np.repeat(np.arange(events_per_group), m))
        shared = np.array([f"chunk {chunk} group {g} message {j} "
                           + " ".join(vocab[rng.integers(0, 5000, 6)])
                           for j in range(events_per_group)], dtype=object)
        text[idx] = np.repeat(shared, m)
    tweetid = (np.arange(n, dtype=np.int64) + 10**18 + chunk * 10**9).astype(str)
    times = (start + minute.astype("timedelta64[m]")).astype(str)
    tweet_time = np.char.replace(times.astype(str), "T", " ")
    rt_id = np.where(is_rt, rt_target.astype(str), "")
    text = np.where(is_rt, "RT @orig: " + np.asarray(text, dtype=str), np.asarray(text, dtype=str))
    tags = np.where(rng.random(n) < 0.2, "['tag" + rng.integers(0, 300, n).astype(str) + "']", "[]")
    urls = np.where(rng.random(n) < 0.1,
                    "['https://site" + rng.integers(0, 500, n).astype(str) + ".com/a']", "[]")
    uid = users[user]
    cols = {c: np.full(n, "", dtype=object) for c in ARCHIVE_COLUMNS}
    cols.update({
        "tweetid": tweetid, "userid": uid, "user_display_name": uid, "user_screen_name": uid,
        "follower_count": np.full(n, "10"), "following_count": np.full(n, "20"),
        "account_creation_date": np.full(n, "2019-05-01"), "account_language": np.full(n, "en"),
        "tweet_language": np.full(n, "en"), "tweet_text": text, "tweet_time": tweet_time,
        "tweet_client_name": np.full(n, "Twitter Web App"),
        "is_retweet": np.where(is_rt, "true", "false"), "retweet_tweetid": rt_id,
        "latitude": np.full(n, "absent"), "longitude": np.full(n, "absent"),
        "quote_count": np.full(n, "0"), "reply_count": np.full(n, "0"),
        "like_count": np.full(n, "0"), "retweet_count": np.full(n, "0"),
        "hashtags": tags, "urls": urls, "user_mentions": np.full(n, "[]"),
    })
    order = rng.permutation(n)  # archive rows are not sorted
    return pa.table({c: pa.array(np.asarray(v, dtype=object)[order], pa.string())
                     for c, v in cols.items()})


def write_archive(
    path: Path, n: int, *, seed: int = 0, n_groups: int = 40, chunk_size: int = 1_000_000
) -> None:
    """Write an archive tweets file of n tweets (about 200 per account), chunk by chunk."""
    rng = np.random.default_rng(seed)
    users = _ids(rng, max(n // 200, 50))
    opts = pcsv.WriteOptions(quoting_style="all_valid", quoting_header="all_valid")
    writer = None
    try:
        for chunk, first in enumerate(range(0, n, chunk_size)):
            table = generate_chunk(min(chunk_size, n - first), rng=rng, users=users,
                                   chunk=chunk, n_groups=n_groups)
            if writer is None:
                writer = pcsv.CSVWriter(path, table.schema, write_options=opts)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def write_cnt_csv(archive: Path, path: Path) -> None:
    """Archive CSV -> CNT CSV (read with pyarrow, independent of casebook's loader)."""
    read = pcsv.read_csv(archive, read_options=pcsv.ReadOptions(use_threads=True),
                         parse_options=pcsv.ParseOptions(newlines_in_values=True),
                         convert_options=pcsv.ConvertOptions(
                             column_types={c: pa.string() for c in ARCHIVE_COLUMNS},
                             strings_can_be_null=False))
    ts = pc.strptime(read["tweet_time"], format="%Y-%m-%d %H:%M", unit="s")
    epoch = pc.cast(pc.cast(ts, pa.int64()), pa.string())
    urls = pc.replace_substring_regex(read["urls"], pattern=r"^\[|\]$|'", replacement="")
    urls = pc.replace_substring(urls, pattern=", ", replacement=" ")
    out = pa.table({
        "message_id": read["tweetid"], "user_id": read["userid"],
        "username": read["user_screen_name"], "repost_id": read["retweet_tweetid"],
        "reply_id": read["in_reply_to_tweetid"], "message": read["tweet_text"],
        "timestamp": epoch, "urls": urls,
    })
    pcsv.write_csv(out, path, write_options=pcsv.WriteOptions(quoting_style="needed"))


# --------------------------------------------------------------------------- measuring


def run(cmd: list[str], *, log: Path, sample: bool = True) -> tuple[float, int, float]:
    """Run a command; returns (seconds, peak bytes, epoch time at start).

    With ``sample``, the peak is the larger of the process tree's summed resident sets
    and the largest single process's own high-water mark (``VmHWM``), sampled every
    50 ms (:class:`_peak.TreePeak`); CNT runs worker processes. Without it the peak is
    0: a casebook worker reports its own exact peak. ``ru_maxrss`` from ``wait4`` is
    not used: a child's starts at the peak its parent had when it started it (this
    script's data generation included), so both tools got the same figure.
    """
    with log.open("ab") as fh:
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        mon = TreePeak(proc.pid) if sample else None
        proc.wait()
        seconds = time.perf_counter() - t0
        peak = 0
        if mon is not None:
            mon.stop()
            peak = max(mon.tree_sum, mon.largest)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}; see {log}")
    return seconds, peak, started


def ensure_cnt() -> Path:
    exe = CNT_VENV / "bin" / "compute_networks"
    if not exe.exists():
        print(f"creating {CNT_VENV} with coordination-network-toolkit=={CNT_VERSION}")
        subprocess.run([sys.executable, "-m", "venv", str(CNT_VENV)], check=True)
        subprocess.run([str(CNT_VENV / "bin" / "pip"), "install", "-q",
                        f"coordination-network-toolkit=={CNT_VERSION}"], check=True)
    return exe


def run_cnt(csv_path: Path, workdir: Path) -> dict[str, object]:
    exe = ensure_cnt()
    db = workdir / "cnt.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    log = workdir / "cnt.log"
    log.unlink(missing_ok=True)
    timings: dict[str, float] = {}
    peaks: list[int] = []
    s, p, _ = run([str(exe), str(db), "preprocess", "--format", "csv", str(csv_path)], log=log)
    timings["preprocess"] = s
    peaks.append(p)
    for kind in KINDS:
        s, p, _ = run([str(exe), str(db), "compute", kind, "--time_window", "60",
                    "--min_edge_weight", "1"], log=log)
        timings[kind] = s
        peaks.append(p)
    export = 0.0
    for kind in KINDS:
        s, p, _ = run([str(exe), str(db), "export_network", str(workdir / f"cnt_{kind}.graphml"),
                    kind, "--output_format", "graphml"], log=log)
        export += s
        peaks.append(p)
    timings["export_graphml"] = export
    return {"seconds": timings, "peak": max(peaks)}


def cnt_edges(workdir: Path, kind: str) -> dict[tuple[str, str], int]:
    import networkx as nx

    g = nx.read_graphml(workdir / f"cnt_{kind}.graphml")
    return {(str(a), str(b)): int(d["weight"]) for a, b, d in g.edges(data=True) if a != b}


def casebook_worker(archive: Path, out: Path) -> None:
    """Run in a fresh process: ingest + both networks, timings to JSON.

    ``done`` (epoch seconds) marks the networks computed and in memory; writing them
    out for the comparison comes after it (as CNT's export comes after its compute).
    """
    import psutil

    t0 = time.perf_counter()
    import casebook
    from casebook import coordination

    t1 = time.perf_counter()
    # the columns the two kinds read: the others are not converted (archive ingest still
    # parses every record of the file, checks its fields and UTF-8, and hashes it)
    release = casebook.load_release(
        archive, cache=False, columns=["is_retweet", "retweet_tweetid", "tweet_text"]
    )
    t2 = time.perf_counter()
    peak_load = own_peak()  # VmHWM: this process's own, not its parent's
    rss_loaded = psutil.Process().memory_info().rss
    edges = coordination.networks(release, kinds=KINDS, window="1min", min_weight=1)
    t3 = time.perf_counter()
    done = time.time()
    peak = own_peak()
    edges.to_parquet(out / "casebook_edges.parquet")
    json.dump({"import": t1 - t0, "load": t2 - t1, "networks": t3 - t2, "done": done,
               "tweets": len(release.tweets), "peak_load": peak_load,
               "rss_loaded": rss_loaded, "peak": peak}, (out / "casebook_times.json").open("w"))


def casebook_cli(archive: Path, workdir: Path, repeats: int) -> list[float]:
    """Seconds of ``casebook network`` for both kinds, each run with a cold cache."""
    exe = Path(sys.executable).with_name("casebook")
    out = workdir / "casebook_cli_edges.csv"
    log = workdir / "casebook_cli.log"
    log.unlink(missing_ok=True)
    seconds = []
    for _ in range(repeats):  # each run in a fresh process with an empty cache
        with tempfile.TemporaryDirectory(prefix="casebook-cache-", dir=workdir) as cache:
            os.environ["CASEBOOK_CACHE_DIR"] = cache
            out.unlink(missing_ok=True)
            cmd = [str(exe), "network", str(archive), *(a for k in KINDS for a in ("--kind", k)),
                   "--out", str(out)]
            s, _, _ = run(cmd, log=log, sample=False)
            if not out.exists():
                raise SystemExit(f"casebook network wrote no {out}; see {log}")
            seconds.append(s)
    os.environ.pop("CASEBOOK_CACHE_DIR", None)
    return sorted(seconds)


def casebook_edges(workdir: Path, kind: str, name: str = "casebook_edges.parquet"
                   ) -> dict[tuple[str, str], int]:
    import pandas as pd

    path = workdir / name
    e = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(
        path, dtype={"source": str, "target": str, "kind": str})
    e = e[e["kind"] == kind]
    return dict(zip(zip(e["source"], e["target"], strict=True), e["weight"].astype(int),
                    strict=True))


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Intermediate files go to benchmarks/_work/ (gitignored).",
    )
    parser.add_argument("--tweets", type=int, default=1_000_000, help="tweets to generate")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    parser.add_argument("--groups", type=int, default=40,
                        help="planted coordinated groups per million tweets")
    parser.add_argument("--repeats", type=int, default=3,
                        help="casebook runs (fresh processes); the median is compared")
    parser.add_argument("--skip-cnt", action="store_true",
                        help="run only the casebook side (e.g. for --tweets 10000000)")
    parser.add_argument("--worker", nargs=2, metavar=("ARCHIVE", "OUTDIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        casebook_worker(Path(args.worker[0]), Path(args.worker[1]))
        return 0

    workdir = WORK / f"v2_n{args.tweets}_s{args.seed}_g{args.groups}"
    workdir.mkdir(parents=True, exist_ok=True)
    archive = workdir / "hashed_2020_12_bench_202012_bench_202012_tweets_csv_hashed.csv"
    cnt_csv = workdir / "cnt_input.csv"
    if not archive.exists():
        t = time.perf_counter()
        write_archive(archive, args.tweets, seed=args.seed, n_groups=args.groups)
        print(f"generated {archive.name} ({archive.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
    if not args.skip_cnt and not cnt_csv.exists():
        write_cnt_csv(archive, cnt_csv)

    log = workdir / "casebook.log"
    log.unlink(missing_ok=True)
    runs = []
    for _ in range(args.repeats):  # each run in a fresh process
        wall, peak, started = run(
            [sys.executable, __file__, "--worker", str(archive), str(workdir)], log=log, sample=False
        )
        inner = json.loads((workdir / "casebook_times.json").read_text())
        runs.append({**inner, "seconds": inner["done"] - started, "wall": wall})
    runs.sort(key=lambda r: r["seconds"])
    med = runs[len(runs) // 2]
    cb_seconds, cb_peak = med["seconds"], max(r["peak"] for r in runs)
    all_runs = ", ".join(f"{r['seconds']:.2f}" for r in runs)
    print(f"tweets: {med['tweets']:,}")
    print(f"casebook: {cb_seconds:.2f} s end to end, median of {len(runs)} fresh processes "
          f"(all: {all_runs} s), from process "
          f"start to both networks in memory: start-up and imports "
          f"{med['seconds'] - med['load'] - med['networks']:.2f} s, load_release "
          f"{med['load']:.2f} s, networks {med['networks']:.2f} s; peak memory "
          f"{cb_peak / 2**20:.0f} MiB (loading: peak {med['peak_load'] / 2**20:.0f} MiB, "
          f"loaded release {med['rss_loaded'] / 2**20:.0f} MiB resident)")
    cli = casebook_cli(archive, workdir, args.repeats)
    cli_seconds = cli[len(cli) // 2]
    print(f"casebook network (command line, cold cache, both kinds, CSV written): "
          f"{cli_seconds:.2f} s, median of {len(cli)} (all: "
          + ", ".join(f"{s:.2f}" for s in cli) + " s)")
    if args.skip_cnt:
        return 0

    cnt = run_cnt(cnt_csv, workdir)
    secs = cnt["seconds"]
    cnt_total = secs["preprocess"] + sum(secs[k] for k in KINDS)
    print(f"CNT {CNT_VERSION}: {cnt_total:.2f} s end to end (preprocess "
          f"{secs['preprocess']:.2f} s, " + ", ".join(f"{k} {secs[k]:.2f} s" for k in KINDS)
          + f"; graphml export {secs['export_graphml']:.2f} s more); peak memory "
          f"{cnt['peak'] / 2**20:.0f} MiB")
    all_equal = True
    for kind in KINDS:
        a, b = cnt_edges(workdir, kind), casebook_edges(workdir, kind)
        same = a == b == casebook_edges(workdir, kind, "casebook_cli_edges.csv")
        all_equal &= same
        detail = "" if same else (
            f" (CNT only {len(a.keys() - b.keys())}, casebook only {len(b.keys() - a.keys())}, "
            f"weights differ {sum(a[k] != b[k] for k in a.keys() & b.keys())})")
        print(f"{kind}: edges {len(a):,} vs {len(b):,}; identical edges and weights: "
              f"{'yes' if same else 'no'}{detail}")
    ratio = cnt_total / cb_seconds
    print(f"edge sets equal (both kinds, self-pairs excluded, weights compared): "
          f"{'yes' if all_equal else 'no'}")
    print(f"speed-up: {ratio:.1f}x end to end (CNT {cnt_total:.2f} s / casebook "
          f"{cb_seconds:.2f} s); compute only: "
          f"{sum(secs[k] for k in KINDS) / med['networks']:.1f}x")
    print(f"command line: {cnt_total / cli_seconds:.1f}x (CNT's {1 + len(KINDS)} calls "
          f"{cnt_total:.2f} s / one casebook network call {cli_seconds:.2f} s, cold cache, "
          f"CSV written; goal >= 30x)")
    return 0 if all_equal else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
