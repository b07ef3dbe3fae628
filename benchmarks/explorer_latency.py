"""Explorer latency on the full-scale Iran specimen (560,571 tweets, 238 accounts).

Writes ``iran_202012`` (and the control cohort) with ``write_specimen(scale=1)`` into
``benchmarks/_work/specimen-1`` unless it is already there, loads it, then times:

- ``build``: ``Explorer(release)`` (sort, per-tweet arrays, client classes; the first
  account is shown, its neighbours computed on demand);
- each interaction, over ``--repeats`` rounds: select the biggest account, change the
  date range, the language, the query, open a neighbour (evidence tweets shown), and
  select the biggest account again (profile and neighbours cached).

Also prints this process's own peak memory (``VmHWM``, restarted after the specimen is
written; see benchmarks/_peak.py).

Every round starts from fresh per-account caches, so "select" includes the time-zone
inference, the timeline PNG and the on-demand ``co_retweet`` neighbours. Prints the
median and max in milliseconds against the 1-second goal.

    python benchmarks/explorer_latency.py --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from _peak import own_peak, reset_peak

HERE = Path(__file__).resolve().parent
GOAL_MS = 1000.0


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="specimen scale (default 1)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds of interactions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--with-control", action="store_true",
                        help="pass the control cohort (neighbours show control shares)")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    import casebook
    from casebook.specimen import write_specimen
    from casebook.widgets import Explorer

    work = HERE / "_work" / f"specimen-{args.scale:g}-seed{args.seed}"
    datasets = ["iran_202012"] + (["control"] if args.with_control else [])
    missing = [d for d in datasets if not (work / d / "ground_truth.json").is_file()]
    if missing:
        t = time.perf_counter()
        write_specimen(work, seed=args.seed, scale=args.scale, datasets=missing)
        print(f"wrote specimen {missing} at scale {args.scale:g} in "
              f"{time.perf_counter() - t:.1f} s")
    cache = HERE / "_work" / "cache"
    reset_peak()  # the peak reported is loading and exploring, not writing the specimen
    t = time.perf_counter()
    release = casebook.load_release(work / "iran_202012", cache_dir=cache)
    control = (casebook.load_release(work / "control", cache_dir=cache)
               if args.with_control else None)
    print(f"loaded {release!r} in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    ex = Explorer(release, control=control)
    build_ms = (time.perf_counter() - t) * 1000
    biggest = str(ex.accounts["userid"].iloc[0])
    times = ex.rows["tweet_time"]
    lo, hi = times.min(), times.max()
    mid = lo + (hi - lo) / 2

    timings: dict[str, list[float]] = {}

    def record(name: str, ms: float) -> None:
        timings.setdefault(name, []).append(ms)

    for _ in range(args.repeats):
        for cache in (ex._profile_cache, ex._timeline_cache, ex._neighbour_cache):
            cache.clear()
        ex.select_account(str(ex.accounts["userid"].iloc[1]))  # start elsewhere
        record("select biggest account (cold)", _timed(ex.select_account, biggest))
        record("set date range", _timed(ex.set_date_range, mid - pd.Timedelta(days=180), mid))
        language = ex.languages[0]
        record("set language", _timed(ex.set_language, language))
        record("set query", _timed(ex.set_query, "palestina"))
        record("set #hashtag query", _timed(ex.set_query, "#palestinalibre"))
        record("next page", _timed(ex.set_page, 1))
        record("clear filters", _timed(lambda: (ex.set_query(""), ex.set_language(None),
                                                ex.set_date_range(None, None))))
        neighbour = ex.neighbours["userid"].iloc[0] if len(ex.neighbours) else None
        if neighbour is None:
            # the broadcaster may retweet nobody in sync: open from the busiest retweeter
            for uid in ex.accounts["userid"].iloc[1:40]:
                ex.select_account(str(uid))
                if len(ex.neighbours):
                    neighbour = ex.neighbours["userid"].iloc[0]
                    opened_from = ex.accounts.set_index("userid").loc[uid, "label"]
                    break
        if neighbour is not None:
            record("show neighbour evidence", _timed(ex.show_neighbour, neighbour))
            record("open neighbour (cold)", _timed(ex.open_neighbour, neighbour))
        record("select biggest account (cached)", _timed(ex.select_account, biggest))

    opened_from = ex.accounts.set_index("userid").loc[biggest, "label"]
    n_big = int(ex.accounts["tweets"].iloc[0])
    print(f"\nExplorer on {release.name}: {len(release.tweets):,} tweets, "
          f"{len(ex.accounts):,} accounts; biggest account {n_big:,} tweets")
    print(f"build (Explorer(release)): {build_ms:,.0f} ms")
    print(f"neighbour evidence shown from {opened_from}")
    print(f"\n{'interaction':34} {'median ms':>10} {'max ms':>10}  goal {GOAL_MS:.0f} ms")
    worst = 0.0
    for name, values in timings.items():
        med, top = statistics.median(values), max(values)
        worst = max(worst, top)
        flag = "ok" if top <= GOAL_MS else "SLOW"
        print(f"{name:34} {med:10.0f} {top:10.0f}  {flag}")
    print(f"peak memory of this process (VmHWM, after writing the specimen): "
          f"{own_peak() / 2**20:,.0f} MiB")
    print(f"\nrepeats: {args.repeats}; worst interaction {worst:,.0f} ms "
          f"({'within' if worst <= GOAL_MS else 'over'} the 1-second goal)")
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
