"""The Parquet store and cross-release search against loading releases into pandas.

In one run:

1. writes the specimen, ``casebook specimen --scale S --out WORK/specimen-S`` (kept
   between runs; the same seed and scale always give the same files; scale 1 is about
   970,000 tweets in five releases);
2. builds a fresh store, ``casebook.store.add_release`` per release, and times each add
   against a cold ``load_release(cache=False)`` of the same release (the add's own load
   is part of its time): the store's overhead over a plain load;
3. prints the store's size (and its search keys' and key tables' shares) beside the
   archive CSV files' and the loader's Parquet cache's;
4. times every kind of search (median of ``--repeats`` in process, a warm DuckDB file
   cache) against the baseline a notebook uses today: load every release from the
   loader's warm Parquet cache and filter the frames with pandas; prints both, the
   ratio, and that the two answers agree on the number of tweets;
5. runs one ``casebook search`` command as a user does and reports its wall time and its
   own peak memory (``VmHWM`` of the child process).

Queries are picked from the data: the most used hashtag, domain, URL and retweeted tweet,
the most repeated text, the most repeated text of eight words or more without its last
word (near duplicate), and the busiest account's screen name.

    python benchmarks/store_search.py --scale 1
    python benchmarks/store_search.py --scale 0.25 --repeats 5 --work /tmp/store-bench
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent


def _timed(fn: Callable[[], Any], repeats: int = 1) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for root in paths for p in ([root] if root.is_file() else root.rglob("*"))
               if p.is_file())


def _specimen(work: Path, scale: float) -> Path:
    out = work / f"specimen-{scale:g}"
    if not (out / "control").is_dir():
        subprocess.run([str(BIN / "casebook"), "specimen", "--scale", f"{scale:g}", "--out", str(out)],
                       check=True)
    return out


def _picks(frames: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One query of each kind, chosen from the data."""
    import pandas as pd

    from casebook.content import registered_domains
    tweets = pd.concat(frames.values(), ignore_index=True)
    tags = tweets["hashtags"].explode().dropna().str.lower()
    urls = tweets["urls"].explode().dropna()
    domains = registered_domains(urls.drop_duplicates()).value_counts()
    texts = tweets.loc[tweets["is_retweet"].eq(False), "tweet_text"].dropna()
    text = texts.value_counts().index[0]
    # a near query needs words to drop: the most repeated text of eight words or more
    long_text = texts[texts.str.count(" ").ge(7)].value_counts().index[0]
    return {
        "url": {"url": urls.value_counts().index[0]},
        "domain": {"domain": domains.index[0]},
        "hashtag": {"hashtag": tags.value_counts().index[0]},
        "text": {"text": text},
        "near": {"text": " ".join(long_text.split()[:-1]), "near": True},
        "account": {"account": tweets["user_screen_name"].value_counts().index[0]},
        "retweeted": {"retweeted": tweets["retweet_tweetid"].dropna().value_counts().index[0]},
    }


def _baseline(frames: dict[str, Any], kind: str, query: dict[str, Any]) -> int:
    """Matching tweets by a pandas scan of every loaded release (the notebook way)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from casebook import schema
    from casebook._arrow import combined
    from casebook.content import registered_domains
    from casebook.coordination.text import normalise_arrow, normalise_text
    from casebook.search import jaccard

    total = 0
    for tweets in frames.values():
        if kind == "url":
            hit = tweets["urls"].explode().eq(query["url"]).groupby(level=0).any()
        elif kind == "domain":
            urls = tweets["urls"].explode().dropna()
            hit = registered_domains(urls).eq(query["domain"]).groupby(level=0).any()
        elif kind == "hashtag":
            tags = tweets["hashtags"].explode().str.lower().str.lstrip("#")
            hit = tags.eq(query["hashtag"].lower()).groupby(level=0).any()
        elif kind == "text":
            want = normalise_text(pd.Series([query["text"]], dtype=schema.STRING))[0]
            hit = normalise_text(tweets["tweet_text"]).eq(want)
        elif kind == "near":
            norm = normalise_arrow(combined(pa.array(tweets["tweet_text"].fillna(""), pa.string())))
            q = normalise_arrow(pa.array([query["text"]], pa.string()))
            filled = _filled(norm)
            sim = np.zeros(len(norm))
            sim[filled] = jaccard(norm.filter(pa.array(filled)), q)
            hit = pd.Series(sim >= 0.7)
        elif kind == "account":
            hit = tweets["userid"].eq(query["account"]) | tweets["user_screen_name"].str.lower().eq(
                query["account"].lower())
        else:
            hit = tweets["retweet_tweetid"].eq(query["retweeted"]) | tweets["retweet_userid"].eq(
                query["retweeted"])
        total += int(hit.fillna(False).astype(bool).sum())
    return total


def _filled(norm: Any) -> Any:
    from casebook.coordination.text import filled

    return filled(norm)


def _cli_peak(store: Path, args: list[str]) -> tuple[float, int]:
    """Wall seconds and own peak memory (bytes) of one ``casebook search`` process."""
    code = (
        "import sys\n"
        "from casebook import cli\n"
        f"code = cli.main(['search', {str(store)!r}, *{args!r}, '--json'])\n"
        "hwm = next(int(l.split()[1]) * 1024 for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "print('PEAK', hwm, file=sys.stderr)\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    peak = int(next(line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK")))
    return wall, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.25, help="specimen scale (1: ~970k tweets)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/casebook-store-bench"),
                        help="working folder (specimen, store, cache)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per search (median)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ["CASEBOOK_CACHE_DIR"] = str(args.work / "cache")

    from casebook import load_release, loader, search, store

    specimen = _specimen(args.work, args.scale)
    folders = sorted(p for p in specimen.iterdir() if p.is_dir())
    path = args.work / f"store-{args.scale:g}"
    shutil.rmtree(path, ignore_errors=True)

    print(f"specimen scale {args.scale:g}: {specimen}")
    print(f"\n{'release':<16}{'tweets':>10}{'add s':>9}{'load s':>9}{'ratio':>8}")
    build = cold = 0.0
    tweets = 0
    for folder in folders:
        add_s, result = _timed(lambda f=folder: store.add_release(path, f))
        load_s, _ = _timed(lambda f=folder: load_release(f, cache=False))
        build, cold, tweets = build + add_s, cold + load_s, tweets + result.tweets
        print(f"{result.name:<16}{result.tweets:>10,}{add_s:>9.2f}{load_s:>9.2f}{add_s / load_s:>7.2f}x")
    print(f"{'all':<16}{tweets:>10,}{build:>9.2f}{cold:>9.2f}{build / cold:>7.2f}x")
    again, _ = _timed(lambda: [store.add_release(path, f) for f in folders])
    print(f"adding the same {len(folders)} releases again (no-op): {again:.2f} s")

    frames = {}
    for folder in folders:  # the loader's Parquet cache, written once (cold) then read
        loader.load_release(folder)
    load_all, releases = _timed(lambda: [load_release(f) for f in folders])
    frames = {r.name: r.tweets for r in releases}
    csv_bytes = _size([p for f in folders for p in f.iterdir() if p.name.endswith(".csv")])
    store_bytes = _size([path])
    search_bytes = _size(list(path.glob("release=*/search.parquet")))
    tables = {file: _size(list(path.glob(f"release=*/{file}"))) for file in store.SEARCH_TABLES}
    cache_bytes = _size([args.work / "cache"])
    mb = 1 << 20
    shares = ", ".join(f"{file.removesuffix('.parquet')} {n / mb:,.1f} MB" for file, n in tables.items())
    print(f"\nsizes: archive CSV {csv_bytes / mb:,.1f} MB; store {store_bytes / mb:,.1f} MB "
          f"(search keys {search_bytes / mb:,.1f} MB; search tables: {shares}); "
          f"loader cache {cache_bytes / mb:,.1f} MB")

    picks = _picks(frames)
    print(f"\nbaseline: load every release from the loader's warm cache, {load_all:.2f} s, "
          "then filter in pandas")
    print(f"{'kind':<11}{'search ms':>11}{'pandas s':>10}{'+load s':>9}{'ratio':>9}  "
          f"{'tweets':>8} {'agree':>6}")
    for kind, query in picks.items():
        search_s, found = _timed(lambda q=query: search.search(path, **q), args.repeats)
        scan_s, expected = _timed(lambda k=kind, q=query: _baseline(frames, k, q))
        ratio = (scan_s + load_all) / search_s
        print(f"{kind:<11}{search_s * 1000:>11.1f}{scan_s:>10.2f}{scan_s + load_all:>9.2f}"
              f"{ratio:>8.0f}x  {found.tweets:>8,} {str(found.tweets == expected):>6}")
    wall, peak = _cli_peak(path, ["--hashtag", picks["hashtag"]["hashtag"]])
    print(f"\none 'casebook search STORE --hashtag ... --json' process: {wall:.2f} s wall "
          f"(start-up included), peak memory {peak / mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
