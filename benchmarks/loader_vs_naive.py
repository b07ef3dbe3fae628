"""Loader speed: casebook's cold and cached loads against the naive notebook load.

Writes an archive-format tweets file (realistic text lengths, list columns, multi-line
texts, hashed and numeric ids), then times in the same run, each in a fresh process so
that peak memory is its own:

- naive: what public notebooks do: ``pd.read_csv`` with string dtypes,
  ``ast.literal_eval`` on the three list columns, ``pd.to_datetime``;
- casebook cold: ``load_release`` with an empty cache (parse, convert, write Parquet);
- casebook cached: ``load_release`` again (sha256 of the input, read Parquet).

Prints seconds, peak RSS and the ratios (goal: cold >= 5x, cached >= 20x faster).

    python benchmarks/loader_vs_naive.py --tweets 1000000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
from _peak import own_peak

HERE = Path(__file__).resolve().parent
WORDS = (
    "the of and to in a is that for on with as by at from this be are was it an not or "
    "have but they his her which one all were we when your can said there use each how "
    "Syria NATO Russia Iran debate election Azerbaijan Karabakh news breaking report army "
    "Сирия НАТО Россия новости армия سوريا الناتو أخبار روسيا"
).split()
TAGS = np.array(["Syria", "NATO", "Defender2020", "Debates2020", "Iran", "US", "Karabakh",
                 "Azerbaijan", "news", "Россия", "سوريا", "BidenHarris2020", "Trump2020"])
DOMAINS = np.array(["example.com", "news.example.org", "blog.example.net", "livejournal.example",
                    "medium.example"])


def _list_literal(rng: np.random.Generator, pool: np.ndarray, n: int, max_items: int) -> np.ndarray:
    k = rng.integers(0, max_items + 1, n) * (rng.random(n) < 0.6)
    out = np.full(n, "[]", dtype=object)
    for j in range(1, max_items + 1):  # loop over list sizes, not over tweets
        idx = np.flatnonzero(k == j)
        if not len(idx):
            continue
        picks = pool[rng.integers(0, len(pool), (len(idx), j))]
        quoted = np.char.add(np.char.add("'", picks.astype(str)), "'")
        joined = quoted[:, 0]
        for c in range(1, j):
            joined = np.char.add(np.char.add(joined, ", "), quoted[:, c])
        out[idx] = np.char.add(np.char.add("[", joined), "]")
    return out


def write_archive(path: Path, n: int, *, seed: int = 0) -> None:
    """Write n archive-format tweets (vectorised; deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    n_users = max(50, n // 200)
    import base64
    import hashlib

    hashes = np.array([
        base64.b64encode(hashlib.sha256(f"{seed}-{i}".encode()).digest()).decode()
        for i in range(n_users)
    ])
    hashes[:5] = [str(10**17 + i) for i in range(5)]
    user = rng.integers(0, n_users, n)
    words = np.array(WORDS)
    n_words = rng.integers(6, 40, n)
    w = words[rng.integers(0, len(words), (n, 40))]
    mask = np.arange(40)[None, :] < n_words[:, None]
    text = np.where(mask, w, "")
    joined = np.array([" ".join(row).strip() for row in text], dtype=object)  # setup only
    multi = rng.random(n) < 0.05
    joined[multi] = np.char.add(joined[multi].astype(str), "\n\nsecond line \"quoted\"")
    minutes = rng.integers(0, 6 * 365 * 24 * 60, n)
    times = (np.datetime64("2015-01-01T00:00") + minutes.astype("timedelta64[m]")).astype(str)
    times = np.char.replace(times, "T", " ")
    is_rt = rng.random(n) < 0.2
    urls_pool = np.char.add(np.char.add("https://", DOMAINS), "/a/b?c=1")
    cols = {
        "tweetid": (10**18 + np.arange(n)).astype(str),
        "userid": hashes[user],
        "user_display_name": hashes[user],
        "user_screen_name": hashes[user],
        "user_reported_location": np.where(user % 3 == 0, "Tehran", ""),
        "user_profile_description": np.where(user % 2 == 0, "news and analysis", ""),
        "user_profile_url": np.full(n, ""),
        "follower_count": (user * 7 % 5000).astype(str),
        "following_count": (user * 13 % 3000).astype(str),
        "account_creation_date": np.full(n, "2019-05-01"),
        "account_language": np.full(n, "en"),
        "tweet_language": np.where(rng.random(n) < 0.1, "", "en"),
        "tweet_text": joined.astype(str),
        "tweet_time": times,
        "tweet_client_name": np.where(rng.random(n) < 0.5, "Twitter Web App", "Twitter for iPhone"),
        "in_reply_to_userid": np.full(n, ""),
        "in_reply_to_tweetid": np.full(n, ""),
        "quoted_tweet_tweetid": np.full(n, ""),
        "is_retweet": np.where(is_rt, "true", "false"),
        "retweet_userid": np.full(n, ""),
        "retweet_tweetid": np.where(is_rt, (10**17 + rng.integers(0, n, n)).astype(str), ""),
        "latitude": np.full(n, "absent"),
        "longitude": np.full(n, "absent"),
        "quote_count": np.zeros(n, int).astype(str),
        "reply_count": rng.integers(0, 3, n).astype(str),
        "like_count": rng.integers(0, 50, n).astype(str),
        "retweet_count": rng.integers(0, 10, n).astype(str),
        "hashtags": _list_literal(rng, TAGS, n, 4).astype(str),
        "urls": _list_literal(rng, urls_pool, n, 2).astype(str),
        "user_mentions": _list_literal(rng, hashes, n, 2).astype(str),
    }
    table = pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="all_valid"))


def _peak_mb() -> float:
    """This process's own peak resident memory (``VmHWM``; see benchmarks/_peak.py)."""
    return own_peak() / 2**20


def phase(name: str, path: Path, cache: Path) -> dict:
    import ast

    import pandas as pd

    import casebook

    t0 = time.perf_counter()  # imports are outside the timer on both sides
    if name == "naive":
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in ("hashtags", "urls", "user_mentions"):
            df[col] = df[col].map(lambda s: ast.literal_eval(s) if s else [])
        df["tweet_time"] = pd.to_datetime(df["tweet_time"], utc=True)
        rows = len(df)
    else:
        release = casebook.load_release(path, cache_dir=cache)
        rows = len(release.tweets)
        assert release.provenance["cached"].all() == (name == "cached")
    seconds = time.perf_counter() - t0
    peak_mb = _peak_mb()
    return {"phase": name, "seconds": seconds, "peak_mb": peak_mb, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tweets", type=int, default=1_000_000, help="tweets in the generated file (default 1,000,000)")
    ap.add_argument("--work", type=Path, default=HERE / "_work" / "loader", help="scratch folder (gitignored)")
    ap.add_argument("--keep", action="store_true", help="keep the generated file for the next run")
    ap.add_argument("--phase", choices=["naive", "cold", "cached"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    path = args.work / f"bench_{args.tweets}_tweets_csv_hashed.csv"
    cache = args.work / "cache"
    if args.phase:
        print(json.dumps(phase(args.phase, path, cache)))
        return 0
    if not path.exists():
        t0 = time.perf_counter()
        write_archive(path, args.tweets)
        print(f"wrote {path.name}: {args.tweets:,} tweets, {path.stat().st_size / 1e6:,.0f} MB "
              f"in {time.perf_counter() - t0:.1f} s")
    shutil.rmtree(cache, ignore_errors=True)
    results = {}
    for name in ("naive", "cold", "cached"):
        out = subprocess.run([sys.executable, __file__, "--tweets", str(args.tweets), "--work",
                              str(args.work), "--phase", name], check=True, capture_output=True, text=True)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[name]
        print(f"{name:>7}: {r['seconds']:7.2f} s   peak {r['peak_mb']:7.0f} MB   rows {r['rows']:,}")
    base = results["naive"]["seconds"]
    print(f"cold   is {base / results['cold']['seconds']:.1f}x faster than naive (goal >= 5x)")
    print(f"cached is {base / results['cached']['seconds']:.1f}x faster than naive (goal >= 20x)")
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
