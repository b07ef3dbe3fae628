#!/usr/bin/env python
"""Coordination networks at archive scale: the local engine, DuckDB and Spark local.

What it measures, for ``co_retweet`` and ``co_tweet`` at 1M, 10M and 30M tweets:

1. **data**: synthetic archive-format tweets from ``coordination_vs_cnt.generate_chunk``
   (heavy-tailed retweet targets, 5% of originals repeating popular texts with case and
   @mention variants, planted groups acting within a minute), one million tweets per
   chunk, each chunk one calendar year later than the one before (the density of
   tweets per minute stays that of one chunk: a larger archive is more campaigns, not
   more tweets per minute); chunks from the eleventh on are copies of the first ten,
   a decade later per copy, with accounts, tweet ids, retweeted ids and texts renamed
   (no key shared across copies). The tweet columns the two kinds read are written typed as
   a casebook store holds them (``timestamp[ns, UTC]``, bool, strings), one Parquet file
   per chunk under ``--work`` (kept between runs); a size of N million is the first N
   chunk files;
2. **each engine, size and kind in a fresh child process**: ``local`` reads the files
   with pyarrow into the loader's pandas types and runs
   :func:`casebook.coordination.networks`; ``duckdb`` runs
   :func:`casebook.coordination.duck.duckdb_networks` on the files (out of core,
   ``--memory-limit``, spilling under ``--work``); ``spark`` reads them with
   ``spark.read.parquet`` into :func:`casebook.coordination.spark.spark_networks` on
   ``local[2]``. Seconds run from the first read of the data to the edges in memory
   (Python start and imports excluded; Spark's JVM start excluded and shown apart);
   peak memory is the child's own high-water mark (``VmHWM``, read by the child, see
   ``_peak.py``), and for Spark the largest sum of resident sets of the child and its
   JVM (sampled every 50 ms), since the JVM does the work;
3. **growth**: each cost's ratio per 10x of data (``ratio ** (1 / log10(size ratio))``
   against the engine's own smallest size: 10.0 is linear) and against the local engine
   at the smallest size (the baseline).

Sizes an engine cannot or should not run are skipped with the reason printed: the
local engine holds the tweets and pairs in memory, so a size whose peak, extrapolated
linearly from its last measured size, would exceed ``--max-memory-fraction`` of the
memory available is skipped; Spark runs only at ``--spark-sizes`` (default 1M: it
is the slowest on one machine).

    python benchmarks/network_scale.py                               # 1M, 10M, 30M
    python benchmarks/network_scale.py --sizes 1 --engines local duckdb
    python benchmarks/network_scale.py --sizes 1 10 --clean
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # _peak and coordination_vs_cnt, when run from elsewhere
KINDS = ("co_retweet", "co_tweet")
ENGINES = ("local", "duckdb", "spark")
COLUMNS = ("tweetid", "userid", "tweet_time", "is_retweet", "retweet_tweetid", "tweet_text")
CHUNK = 1_000_000
#: Chunks generated; the others are copies of these, moved in time (see _derive_chunk).
BASE_CHUNKS = 10
MB = 1 << 20


# --------------------------------------------------------------------------- data


def _chunk_file(work: Path, i: int) -> Path:
    return work / "tweets" / f"chunk-{i:03d}.parquet"


def _write_chunks(work: Path, n_chunks: int, seed: int = 0) -> None:
    """Chunk files 0 .. n_chunks-1 (only the missing ones are written; each chunk has its
    own seed, so a file never depends on which others exist)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from coordination_vs_cnt import _ids, generate_chunk

    # 5,000 new accounts per chunk (200 tweets each, as coordination_vs_cnt), each block
    # from its own seed
    blocks = [_ids(np.random.default_rng([seed, j, 1]), 5_000) for j in range(n_chunks)]
    for i in range(n_chunks):  # loop over chunks of a million tweets
        path = _chunk_file(work, i)
        if path.is_file():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if i >= BASE_CHUNKS:
            _derive_chunk(work, i)
            continue
        rng = np.random.default_rng([seed, i])
        # the users of the first chunks stay the busiest: a chunk draws from a pool
        # that grows with the archive, as in a store of many releases
        raw = generate_chunk(CHUNK, rng=rng, users=np.concatenate(blocks[: i + 1]), chunk=i,
                             n_groups=40)
        times = pc.strptime(raw["tweet_time"], format="%Y-%m-%d %H:%M", unit="ns")
        shift = pa.scalar(np.timedelta64(365 * i, "D").astype("timedelta64[ns]"))
        times = pc.add(times, shift).cast(pa.timestamp("ns", tz="UTC"))
        rt = raw["retweet_tweetid"]
        table = pa.table({
            "tweetid": raw["tweetid"], "userid": raw["userid"], "tweet_time": times,
            "is_retweet": pc.equal(raw["is_retweet"], "true"),
            "retweet_tweetid": pc.if_else(pc.equal(rt, ""), pa.scalar(None, pa.string()), rt),
            "tweet_text": raw["tweet_text"],
        })
        tmp = path.with_suffix(".part")
        pq.write_table(table, tmp, row_group_size=1 << 17)
        os.replace(tmp, path)
        print(f"  wrote {path.name}", flush=True)


def _derive_chunk(work: Path, i: int) -> None:
    """Chunk ``i`` >= :data:`BASE_CHUNKS`: chunk ``i % BASE_CHUNKS`` moved ``i //
    BASE_CHUNKS`` decades later, its accounts, tweets, retweeted tweets and texts renamed
    (a suffix per copy), so that it shares no key with another chunk (generating is the
    slow part; copies have the same per-minute density and key distributions)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    copy = i // BASE_CHUNKS
    table = pq.read_table(_chunk_file(work, i % BASE_CHUNKS))
    shift = pa.scalar(np.timedelta64(365 * BASE_CHUNKS * copy, "D").astype("timedelta64[ns]"))
    out = table.set_column(2, "tweet_time", pc.add(table["tweet_time"], shift))
    # new accounts, tweets, retweeted tweets and texts: a copy is another campaign
    for col in ("tweetid", "userid", "retweet_tweetid", "tweet_text"):
        out = out.set_column(out.schema.get_field_index(col), col,
                             pc.binary_join_element_wise(out[col], f"c{copy}", ""))
    path = _chunk_file(work, i)
    tmp = path.with_suffix(".part")
    pq.write_table(out, tmp, row_group_size=1 << 17)
    os.replace(tmp, path)
    print(f"  wrote {path.name} (from chunk {i % BASE_CHUNKS})", flush=True)


def _files(work: Path, size: int) -> list[str]:
    return [str(_chunk_file(work, i)) for i in range(size)]


# --------------------------------------------------------------------------- children


def _child(engine: str, kind: str, files: list[str], memory_limit: str,
           spill: str) -> dict[str, Any]:
    from _peak import own_peak

    out: dict[str, Any] = {}
    if engine == "local":
        import pyarrow.parquet as pq

        from casebook import loader
        from casebook.coordination import networks

        start = time.perf_counter()
        table = pq.ParquetDataset(files).read(columns=list(COLUMNS))
        frame = loader._to_pandas(table, consume=True)
        del table
        out["read_seconds"] = time.perf_counter() - start
        edges = networks(frame, kinds=[kind])
    elif engine == "duckdb":
        from casebook.coordination.duck import duckdb_networks

        start = time.perf_counter()
        edges = duckdb_networks(files, kinds=[kind], memory_limit=memory_limit,
                                temp_directory=spill)
    else:
        from casebook.coordination.spark import spark_networks, spark_session

        begin = time.perf_counter()
        spark = spark_session("local[2]", conf={
            "spark.driver.memory": "6g", "spark.ui.enabled": "false",
            "spark.local.dir": spill})
        spark.sparkContext.setLogLevel("ERROR")
        out["start_seconds"] = time.perf_counter() - begin
        start = time.perf_counter()
        df = spark.read.parquet(*[f"file://{f}" for f in files])
        edges = spark_networks(df, kinds=[kind], spark=spark)
    out["seconds"] = time.perf_counter() - start
    out["edges"] = len(edges)
    out["weight_sum"] = int(edges["weight"].sum())
    out["own_peak"] = own_peak()
    return out


def _run_child(engine: str, kind: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    from _peak import TreePeak

    spill = args.work / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, "--child", engine, kind, args.memory_limit, str(spill),
           *_files(args.work, size)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    tree = TreePeak(proc.pid)
    stdout, _ = proc.communicate()
    tree.stop()
    shutil.rmtree(spill, ignore_errors=True)
    if proc.returncode:
        raise RuntimeError(f"{engine} {kind} {size}M failed with status {proc.returncode}")
    out = json.loads(stdout.strip().splitlines()[-1])
    out["tree_peak"] = tree.tree_sum
    # the process doing the work: the child itself, or (Spark) the child with its JVM
    out["peak"] = max(out["own_peak"], tree.tree_sum if engine == "spark" else 0)
    return out


# --------------------------------------------------------------------------- report


def _available() -> int:
    """MemAvailable in bytes (0 where it is not known)."""
    from casebook._memory import available_memory

    return available_memory() or 0


def _per_10x(value: float, base: float, size: int, base_size: int) -> str:
    if size == base_size or base <= 0:
        return "-"
    return f"{(value / base) ** (1 / math.log10(size / base_size)):.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30],
                        help="sizes in millions of tweets (default: %(default)s)")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--spark-sizes", type=int, nargs="+", default=[1],
                        help="sizes Spark runs at (default: %(default)s)")
    parser.add_argument("--memory-limit", default="6GB",
                        help="DuckDB's memory limit (default: %(default)s)")
    parser.add_argument("--max-memory-fraction", type=float, default=0.7,
                        help="skip a local-engine size whose extrapolated peak exceeds this "
                             "share of the memory available (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/casebook-network-scale"),
                        help="data and spill folder (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--clean", action="store_true", help="remove --work when done")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        engine, kind, memory_limit, spill, *files = args.child
        print(json.dumps(_child(engine, kind, files, memory_limit, spill)))
        return 0

    sizes = sorted(args.sizes)
    start = time.perf_counter()
    # the data in a child too: this process stays small
    subprocess.run([sys.executable, "-c",
                    "import sys; sys.path.insert(0, sys.argv[1]); import network_scale as n; "
                    "from pathlib import Path; "
                    "n._write_chunks(Path(sys.argv[2]), int(sys.argv[3]))",
                    str(HERE), str(args.work), str(max(sizes))], check=True)
    print(f"data: {max(sizes)} chunk files ready ({time.perf_counter() - start:.0f} s)", flush=True)

    rows: list[dict[str, Any]] = []
    last_local: dict[str, tuple[int, int]] = {}
    for size in sizes:
        for engine in args.engines:
            for kind in args.kinds:
                reason = None
                if engine == "spark" and size not in args.spark_sizes:
                    reason = f"Spark runs at --spark-sizes {args.spark_sizes} only (slowest here)"
                if engine == "local" and kind in last_local:
                    seen, peak = last_local[kind]
                    need = peak * size / seen
                    if need > args.max_memory_fraction * _available():
                        reason = (f"in memory: ~{need / 2**30:.1f} GB extrapolated from "
                                  f"{seen}M, over {args.max_memory_fraction:.0%} of the "
                                  f"{_available() / 2**30:.1f} GB available")
                if reason:
                    print(f"{size}M {engine} {kind}: skipped ({reason})", flush=True)
                    continue
                out = _run_child(engine, kind, size, args)
                if engine == "local":
                    last_local[kind] = (size, out["peak"])
                row = {"size": size, "engine": engine, "kind": kind, **out}
                rows.append(row)
                extra = (f", JVM start {out['start_seconds']:.0f} s" if "start_seconds" in out
                         else f", read {out['read_seconds']:.1f} s" if "read_seconds" in out
                         else "")
                print(f"{size}M {engine} {kind}: {out['seconds']:.1f} s{extra}, peak "
                      f"{out['peak'] / MB:,.0f} MB, {out['edges']:,} edges "
                      f"(weights {out['weight_sum']:,})", flush=True)

    # the same edges from every engine at a size (their count and weight sum)
    for size in sizes:
        for kind in args.kinds:
            seen = {(r["edges"], r["weight_sum"]) for r in rows
                    if r["size"] == size and r["kind"] == kind}
            if len(seen) > 1:
                print(f"WARNING: engines disagree at {size}M {kind}: {seen}")

    print("\n| tweets | kind | engine | seconds | peak MB | time per 10x | peak per 10x "
          "| time vs local@base | peak vs local@base |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds:
        base = next((r for r in rows if r["engine"] == "local" and r["kind"] == kind), None)
        for engine in args.engines:
            mine = [r for r in rows if r["engine"] == engine and r["kind"] == kind]
            for r in mine:
                first = mine[0]
                vs_t = f"{r['seconds'] / base['seconds']:.2f}" if base else "-"
                vs_m = f"{r['peak'] / base['peak']:.2f}" if base else "-"
                print(f"| {r['size']}M | {kind} | {engine} | {r['seconds']:.1f} | "
                      f"{r['peak'] / MB:,.0f} | "
                      f"{_per_10x(r['seconds'], first['seconds'], r['size'], first['size'])} | "
                      f"{_per_10x(r['peak'], first['peak'], r['size'], first['size'])} | "
                      f"{vs_t} | {vs_m} |")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.clean:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
