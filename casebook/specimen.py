"""Synthetic *specimen* releases in the exact format of Twitter's information-operations archive.

The real ``2020_12`` releases are gated and large; the casebook must still run offline (in
workshops, in CI, at first contact). :func:`write_specimen` writes deterministic, synthetic
stand-ins for the four datasets of the disclosure plus a control cohort, with the planted
facts recorded as ground truth so that every notebook section shows what the disclosure
describes and every detector can be scored.

Datasets
--------
``iran_202012``, ``GRU_202012``, ``IRA_202012``, ``armenia_202012`` (modelled on the published
facts of the February 2021 disclosure) and ``control`` (400 ordinary accounts on the same topics
and languages, for calibrating detectors against false positives). The control posts at the
operations' activity level (at the default seed and scale 0.42 tweets per account-day against
the operations' 0.11-1.07, median 0.54; 34% retweets, 47% of tweets with hashtags, 27% with
links, mostly to a few popular news sites), from official mobile and web apps (a few accounts
use TweetDeck or Hootsuite), in several languages and 18 UTC offsets, each account in the
daily rhythm of its own time zone. It reacts to the same public events (the first 2020 US
presidential debate, US election day, the Nagorno-Karabakh war), retweets the same viral
tweets, some in the same minute, and mentions NATO, Syria, Karabakh, Azerbaijan, Trump and
Biden in ordinary ways; it holds innocent coincidences only, no planted coordination and no
office hours.

Every name, handle, description, outlet, blog, domain and text is invented from templates;
public figures only appear as topics of conversation. Nothing is copied from real files.

Files (one folder per dataset)
------------------------------
- ``hashed_2020_12_<op>_<op>_tweets_csv_hashed.csv``: the 30 columns of
  :data:`casebook.schema.ARCHIVE_TWEET_COLUMNS`, every field double-quoted (header too),
  embedded quotes doubled, ``\\n`` line ends, UTF-8, raw newlines inside some texts, rows in
  shuffled (not time) order. ``op`` is the dataset name (``control_202012`` for the control).
- ``hashed_2020_12_<op>_<op>_users_csv_hashed.csv``: the 10 :data:`~casebook.schema.ARCHIVE_USER_COLUMNS`.
- ``README.md``: says the data are SYNTHETIC, how and from what they were made.
- ``ground_truth.json``: the planted facts (kept outside the archive files).

As in the real archive: ``tweet_time`` is ``YYYY-MM-DD HH:MM`` UTC; ``latitude``/``longitude``
are ``absent`` (rarely ``present``); ``is_retweet`` is ``true``/``false``; ``hashtags``,
``urls`` (expanded) and ``user_mentions`` (userids) are Python list literals, occasionally an
empty field; accounts under 5,000 followers have userid, display name and screen name replaced
by one 44-character base64 hash (also inside ``RT @<hash>:`` texts), larger ones keep numeric ids
and (fictional) names; ``retweet_userid`` is often empty when ``retweet_tweetid`` is set;
retweets have zero engagement; tweet ids are snowflakes consistent with the time (sequential
before November 2010), unique within and across datasets.

Scale
-----
``scale=1`` reproduces the published counts exactly: Iran 560,571 tweets from 238 accounts;
GRU 26,684 tweets, 70 user rows of which 51 have tweets; IRA 68,914 tweets, 31 user rows of
which 24 have tweets; Armenia 72,960 tweets from 35 accounts; the control 240,000 tweets from
400 accounts (the casebook's choice, for the operations' activity level). Tweet counts scale linearly (rounded). Account counts stay
at the published numbers for ``scale <= 1`` and grow linearly above 1 (e.g. ``scale=14`` gives
about 12M tweets for benchmarks). At very small scales counts are raised to the minimum the
planted structures need (e.g. every one of Iran's 130 debate accounts posts in the debate
window). :data:`DEFAULT_SCALE` (0.15) gives a workshop-sized casebook of about 145,000 tweets.
Proportions (Iran's broadcaster share, retweet and reply shares, client shares) hold at every
scale.

Determinism
-----------
The same ``seed`` and ``scale`` give byte-identical files: every dataset has its own
``numpy.random.Generator`` seeded from ``(seed, dataset index)``, hashes are SHA-256 of the
seed, and nothing depends on the clock, on set/dict ordering or on hash randomisation.

Ground truth (``ground_truth.json``)
------------------------------------
::

    {
      "dataset": "iran_202012", "synthetic": true, "generator": "casebook.specimen",
      "generator_version": "0.1.0", "seed": 0, "scale": 0.15,
      "files": {"tweets": "<file name>", "users": "<file name>"},
      "counts": {"tweets", "accounts" (with tweets), "user_rows", "retweets", "replies"},
      "published": {"tweets", "accounts", "user_rows"} (the scale-1 numbers),
      "shares": {"retweet", "reply", "automation_client", "top_account"},
      "coordination_groups": [
        {"id", "kinds": subset of ["co_retweet", "co_tweet", "near_duplicate", "co_link",
                                   "co_hashtag"],
         "accounts": [userid], "tweetids": [the planted tweets],
         "target_tweetids": [retweeted tweets, co_retweet only], "window_minutes",
         "events", "description"}
      ],
      "planted": {
        iran:    "state_media_account", "state_media_share", "debate_window" {start, end,
                 timezone}, "debate_accounts" (130), "pro_trump_accounts",
                 "pro_biden_accounts", "debate_tweetids", "debate_accounts_removed_by",
                 "viral_tweet" {tweetid, account, like_count, hashtag},
                 "time_span" {first_tweetid, last_tweetid};
        GRU:     "syria_accounts", "anti_nato_accounts", "karabakh_mercenaries" {name, start,
                 end, tweetids}, "blog_domains", "time_span";
        IRA:     "outlet_accounts" [{account, name, domain}], "us_accounts", "eu_accounts",
                 "engagement_total";
        armenia: "impersonator_accounts" [{account, persona: foreign_minister |
                 ministry_spokesperson | news_outlet, name}], "handle_change" {account,
                 old_screen_name, new_screen_name, changed, created},
                 "follow_spam_accounts", "claimed_country", "time_span";
        control: "planted_coordination" ([]), "utc_offsets_hours" (the time zones of its
                 accounts), "accounts_per_utc_offset" {"UTC+03:30": n, ...},
                 "innocent_coincidences" {event_hashtags [{event, hashtag, accounts, tweetids,
                 same_minute_pairs}], viral_retweets [{retweet_tweetid, author_handle, about,
                 accounts, tweetids, span_minutes, same_minute_pairs}], popular_articles
                 [{url, accounts, tweetids}]};
        all:     "automation_share", "automation_clients", "operator_utc_offset_hours",
                 "operator_timezone", "events" [{name, start, end, ...; busy days also
                 busiest_rank, hashtags, tweetids}];
        all but control: "noise" {popular_retweets {source_tweetids, tweetids, accounts,
                 min_gap_minutes}, spread_hashtag {hashtag, tweetids, accounts,
                 min_days_apart}}: patterns a detector should NOT flag as coordination
      },
      "activity" (control only, measured on the files): {"tweets_per_account_day",
        "median_account_tweets_per_day", "account_day_definition", "retweet_share",
        "reply_share", "hashtag_share", "link_share", "clients", "languages", "link_domains"}
    }

Accounts are always given as userids and tweets as tweetids (strings), and every one of them
exists in the files. ``control`` has no coordination groups.

Examples
--------
>>> from casebook.specimen import write_specimen
>>> dirs = write_specimen("/tmp/specimen", scale=0.02, datasets=["GRU_202012"])  # doctest: +SKIP
>>> sorted(p.name for p in dirs["GRU_202012"].iterdir())  # doctest: +SKIP
['README.md', 'ground_truth.json', 'hashed_2020_12_GRU_202012_GRU_202012_tweets_csv_hashed.csv', ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook import __version__, paths
from casebook._specimen.vocab import AUTOMATION_CLIENTS
from casebook.errors import UsageError

# numpy, pyarrow and the generator are imported where they are used, so that the
# command line starts without them (``casebook specimen --help``).
if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from casebook._specimen.recipes import Built

__all__ = [
    "AUTOMATION_CLIENTS",
    "DATASETS",
    "DEFAULT_SCALE",
    "PUBLISHED",  # noqa: F822 (a lazy attribute: see __getattr__)
    "Specimen",
    "archive_file_names",
    "build_specimen",
    "add_arguments",
    "run",
    "write_specimen",
]

#: The datasets a specimen holds, in the order they are written.
DATASETS: tuple[str, ...] = ("iran_202012", "GRU_202012", "IRA_202012", "armenia_202012", "control")
#: Workshop size: about 145,000 tweets across all datasets, control included.
DEFAULT_SCALE: float = 0.15

_CHUNK = 250_000
_DESCRIPTIONS = {
    "iran_202012": "Iranian state-linked network: a Spanish-language state-broadcaster persona with "
                   "~54% of tweets, multilingual news and activist personas, 130 US-persona accounts "
                   "active during the first 2020 US presidential debate, follow-back spam.",
    "GRU_202012": "Russian state actors (GRU-attributed): Syria-focused 'local news' personas and an "
                  "anti-NATO subset linking to blogs; an October 2020 Karabakh 'Syrian mercenaries' "
                  "narrative.",
    "IRA_202012": "Accounts linked to earlier Internet Research Agency operations targeting the US "
                  "and EU, including two outlet-run accounts; low follower counts.",
    "armenia_202012": "Armenian-government-linked accounts posing as Azerbaijani officials and news "
                      "outlets, mostly posting through scheduling tools, busiest during the 2020 "
                      "Nagorno-Karabakh war.",
    "control": "Ordinary accounts on the same topics and languages, at the operations' activity "
               "level, for calibrating detectors: each in its own time zone, ordinary clients, "
               "viral retweets and bursts around the same public events, no planted coordination.",
}


def archive_file_names(dataset: str) -> tuple[str, str]:
    """(tweets, users) file names of ``dataset`` as in the archive's ``2020_12`` release."""
    op = "control_202012" if dataset == "control" else dataset
    return (f"hashed_2020_12_{op}_{op}_tweets_csv_hashed.csv",
            f"hashed_2020_12_{op}_{op}_users_csv_hashed.csv")


@dataclass
class Specimen:
    """One generated dataset: archive-format tables and its ground truth.

    Every column is a string column; the account columns (``userid`` ... ``account_language``)
    of ``tweets`` are dictionary-encoded by author, as they repeat on every row."""

    name: str
    tweets: pa.Table
    users: pa.Table
    ground_truth: dict[str, Any]
    #: deterministic row order of the files (the tables themselves are in generation order)
    tweet_order: np.ndarray
    user_order: np.ndarray


def __getattr__(name: str) -> Any:
    # PUBLISHED lives with the recipes, which import numpy and pandas: loaded on first use
    if name == "PUBLISHED":
        from casebook._specimen.recipes import PUBLISHED

        return PUBLISHED
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check(dataset: str, seed: int, scale: float) -> None:
    if dataset not in DATASETS:
        raise UsageError(f"unknown dataset {dataset!r}; choose from {', '.join(DATASETS)}")
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise UsageError(f"scale must be a positive number, got {scale!r}")
    if int(seed) != seed or seed < 0:
        raise UsageError(f"seed must be a non-negative integer, got {seed!r}")


def build_specimen(dataset: str, *, seed: int = 0, scale: float = DEFAULT_SCALE) -> Specimen:
    """Generate one specimen dataset in memory.

    Parameters
    ----------
    dataset : str
        One of :data:`DATASETS`.
    seed : int
        Seed of the random generator; the same seed and scale give the same data.
    scale : float
        1 reproduces the published counts; see the module docstring.

    Returns
    -------
    Specimen
    """
    import numpy as np

    from casebook._specimen.engine import render
    from casebook._specimen.recipes import RECIPES, Ctx

    _check(dataset, seed, scale)
    index = DATASETS.index(dataset)
    rng = np.random.default_rng([int(seed), index])
    built = RECIPES[dataset](Ctx(dataset, index, int(seed), float(scale), rng))
    out = render(rng, dataset_index=index, roster=built.roster, userids=built.userids, plan=built.plan,
                 personas=built.personas, externals=built.externals,
                 engagement_total=built.engagement_total)
    gt = _ground_truth(dataset, int(seed), float(scale), built, out)
    return Specimen(dataset, out.tweets, out.users, gt, rng.permutation(out.tweets.num_rows),
                    rng.permutation(out.users.num_rows))


def _ground_truth(dataset: str, seed: int, scale: float, built: Built, out: Any) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from casebook._specimen.engine import Acct, Accts, Row, Rows
    from casebook._specimen.recipes import PUBLISHED

    tid = out.tweetids
    t_order = np.argsort(out.t, kind="stable")
    rank = np.empty_like(t_order)
    rank[t_order] = np.arange(len(t_order))

    def conv(x: Any) -> Any:
        if isinstance(x, Rows):
            r = np.asarray(x, dtype=np.int64)
            r = r[np.argsort(rank[r], kind="stable")]
            return [str(v) for v in tid[r]]
        if isinstance(x, Accts):
            return [built.userids[int(i)] for i in np.asarray(x)]
        if isinstance(x, Row):
            return str(tid[int(x)])
        if isinstance(x, Acct):
            return built.userids[int(x)]
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [conv(v) for v in x]
        if isinstance(x, np.integer):
            return int(x)
        if isinstance(x, np.floating):
            return float(x)
        return x

    n = out.tweets.num_rows
    kind = out.kind
    clients = out.clients
    automation = float(pc.sum(pc.is_in(clients, pa.array(list(AUTOMATION_CLIENTS), pa.large_string())))
                       .as_py() or 0) / max(n, 1)
    top = np.bincount(out.acct).max() / max(n, 1) if n else 0.0
    short = {"iran_202012": "iran", "GRU_202012": "gru", "IRA_202012": "ira",
             "armenia_202012": "armenia", "control": "control"}[dataset]
    groups = []
    for k, g in enumerate(built.plan.groups):
        entry = {
            "id": f"{short}-g{k + 1:02d}",
            "kinds": g["kinds"],
            "accounts": conv(g["members"]),
            "tweetids": conv(g["tweet_rows"]),
            "window_minutes": g["window_minutes"],
            "events": g["events"],
            "description": g["description"],
        }
        if len(g["target_rows"]):
            entry["target_tweetids"] = conv(g["target_rows"])
        groups.append(entry)
    planted = conv(built.planted)
    shares = {
        "retweet": round(float((kind == 1).mean()), 6) if n else 0.0,
        "reply": round(float((kind == 2).mean()), 6) if n else 0.0,
        "automation_client": round(automation, 6),
        "top_account": round(float(top), 6),
    }
    planted["automation_share"] = shares["automation_client"]
    planted["automation_clients"] = list(AUTOMATION_CLIENTS)
    if planted.get("state_media_share") == "computed":
        planted["state_media_share"] = shares["top_account"]
    names = archive_file_names(dataset)
    return {
        "dataset": dataset,
        "synthetic": True,
        "generator": "casebook.specimen",
        "generator_version": __version__,
        "seed": seed,
        "scale": scale,
        "files": {"tweets": names[0], "users": names[1]},
        "counts": {
            "tweets": int(n),
            "accounts": int(len(np.unique(out.acct))),
            "user_rows": int(out.users.num_rows),
            "retweets": int((kind == 1).sum()),
            "replies": int((kind == 2).sum()),
        },
        "published": dict(PUBLISHED[dataset]),
        "shares": shares,
        "coordination_groups": groups,
        "planted": planted,
    } | ({"activity": _activity(out)} if built.describe_activity else {})


def _activity(out: Any) -> dict[str, Any]:
    """How active the accounts are and what they post: rates, shares, clients, languages."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = out.tweets.num_rows
    acct = np.asarray(out.acct, dtype=np.int64)
    days = np.asarray(out.t, dtype=np.int64) // 1440
    n_acc = int(acct.max()) + 1 if n else 0
    first = np.full(n_acc, np.iinfo(np.int64).max)
    last = np.full(n_acc, np.iinfo(np.int64).min)
    np.minimum.at(first, acct, days)
    np.maximum.at(last, acct, days)
    count = np.bincount(acct, minlength=n_acc)
    has = count > 0
    span = (last - first + 1)[has]

    def listed(col: str) -> float:
        v = out.tweets.column(col)
        empty = pc.or_(pc.equal(v, "[]"), pc.equal(v, ""))
        return round(1.0 - pc.mean(empty.cast(pa.int8())).as_py(), 4) if n else 0.0

    def shares(values: Any, top: int) -> dict[str, float]:
        vc = pc.value_counts(values).to_pylist()
        vc.sort(key=lambda x: (-x["counts"], str(x["values"])))
        total = sum(x["counts"] for x in vc) or 1
        return {str(x["values"]): round(x["counts"] / total, 4) for x in vc[:top]}

    urls = out.tweets.column("urls").combine_chunks()
    domain = pc.struct_field(pc.extract_regex(urls, r"'https?://(?P<d>[^/']+)"), [0])
    return {
        "tweets_per_account_day": round(float(count[has].sum() / span.sum()), 4) if n else 0.0,
        "median_account_tweets_per_day": round(float(np.median(count[has] / span)), 4) if n else 0.0,
        "account_day_definition": "the tweets divided by the sum, over accounts, of the days from "
                                  "each account's first to its last tweet, both included",
        "retweet_share": round(float((out.kind == 1).mean()), 4) if n else 0.0,
        "reply_share": round(float((out.kind == 2).mean()), 4) if n else 0.0,
        "hashtag_share": listed("hashtags"),
        "link_share": listed("urls"),
        "clients": shares(out.clients, 12),
        "languages": shares(out.tweets.column("tweet_language"), 12),
        "link_domains": shares(domain.drop_null(), 10),
    }


def _write_csv(table: pa.Table, path: Path, order: np.ndarray) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    opts = pacsv.WriteOptions(include_header=True, quoting_style="all_valid", eol="\n")
    with pacsv.CSVWriter(path, table.schema, write_options=opts) as writer:
        if table.num_rows == 0:
            return
        for s in range(0, table.num_rows, _CHUNK):
            writer.write_table(table.take(pa.array(order[s:s + _CHUNK])))


def _readme(spec: Specimen) -> str:
    gt = spec.ground_truth
    c = gt["counts"]
    tweets_file, users_file = archive_file_names(spec.name)
    lines = [
        f"# {spec.name} — SYNTHETIC specimen",
        "",
        "**These files are SYNTHETIC.** They were made by casebook's specimen generator "
        f"(`casebook.specimen`, casebook {__version__}) with seed {gt['seed']} and scale {gt['scale']}. "
        "They are modelled on the published facts about Twitter's `2020_12` information-operations "
        "disclosure, in the exact format of the public archive, but every account, name, handle, "
        "description, outlet, link and text is invented. None of it is a real account or a real tweet.",
        "",
        _DESCRIPTIONS[spec.name],
        "",
        "| file | rows |",
        "|---|---|",
        f"| `{tweets_file}` | {c['tweets']:,} tweets from {c['accounts']:,} accounts |",
        f"| `{users_file}` | {c['user_rows']:,} accounts |",
        f"| `ground_truth.json` | {len(gt['coordination_groups'])} planted coordination groups and the planted facts |",
        "",
        "`ground_truth.json` records what was planted (coordination groups with their accounts and "
        "tweets, dataset-specific facts, noise that should not be flagged) so that analyses and "
        "detectors can be checked. It is not part of the archive format.",
        "",
        f"Regenerate with: `casebook specimen --seed {gt['seed']} --scale {gt['scale']} --datasets {spec.name}`",
        "",
    ]
    if "activity" in gt:
        lines += _activity_readme(gt)
    return "\n".join(lines)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _listing(shares: dict[str, float]) -> str:
    return ", ".join(f"{k or '(blank)'} {_pct(v)}" for k, v in shares.items())


def _activity_readme(gt: dict[str, Any]) -> list[str]:
    """The README section of a cohort of ordinary accounts: how active, where, when."""
    a, p = gt["activity"], gt["planted"]
    ic = p["innocent_coincidences"]
    virals, tags, articles = ic["viral_retweets"], ic["event_hashtags"], ic["popular_articles"]
    offsets = p["accounts_per_utc_offset"]
    events = "; ".join(f"{e.get('label', e['name'])} ({e['start']} to {e['end']} UTC)" for e in p["events"])
    return [
        "## How active these ordinary accounts are",
        "",
        "Each account is a 2020 timeline as a collector would have fetched it on 20 December 2020. "
        "The rates below are measured on these files; the operations of a specimen with the same "
        "seed and scale post at comparable rates (the generator's tests check the tweets per "
        "account-day against the operations' median).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| tweets per account-day | {a['tweets_per_account_day']:.3f} |",
        f"| median account's tweets per day | {a['median_account_tweets_per_day']:.3f} |",
        f"| retweets | {_pct(a['retweet_share'])} |",
        f"| replies | {_pct(a['reply_share'])} |",
        f"| tweets with hashtags | {_pct(a['hashtag_share'])} |",
        f"| tweets with links | {_pct(a['link_share'])} |",
        "",
        f"Tweets per account-day: {a['account_day_definition']}.",
        "",
        f"- Clients: {_listing(a['clients'])}. Each account keeps mostly to one app; a few use "
        "TweetDeck or Hootsuite, as some ordinary people do.",
        f"- Tweet languages: {_listing(a['languages'])}.",
        f"- Most linked domains (share of links): {_listing(a['link_domains'])}.",
        f"- Time zones: {len(offsets)} UTC offsets, accounts per offset: "
        + ", ".join(f"{k} {v}" for k, v in offsets.items())
        + ". Each account posts in an evening-heavy daily rhythm in its own local time (early "
        "birds and night owls up to two hours off), so the cohort as a whole has no office hours.",
        f"- Public events its communities react to: {events}.",
        "",
        "No coordination was planted (`planted_coordination` is empty). What looks like "
        "coordination here is innocent coincidence, recorded in `ground_truth.json` under "
        "`innocent_coincidences`:",
        "",
        f"- {len(virals)} viral tweets of outside accounts, retweeted {sum(len(v['tweetids']) for v in virals):,} "
        f"times by ordinary accounts; {sum(v['same_minute_pairs'] for v in virals):,} pairs of "
        "accounts retweeted the same tweet in the same minute by chance.",
        f"- event hashtags ({', '.join(sorted({'#' + t['hashtag'] for t in tags}))}): "
        f"{sum(t['same_minute_pairs'] for t in tags):,} pairs of accounts used the same one in the same minute.",
        f"- {len(articles)} popular articles, each shared by several accounts within hours.",
        "- Ordinary accounts mention NATO, Syria, Karabakh, Azerbaijan, Trump and Biden in "
        "ordinary ways: news links, and opinions on both sides.",
        "",
    ]


def _write_one(spec: Specimen, out: Path) -> Path:
    tweets_file, users_file = archive_file_names(spec.name)
    final = out / spec.name
    for stale in out.glob(f".{spec.name}.*.tmp"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", suffix=".tmp", dir=out))
    try:
        _write_csv(spec.tweets, tmp / tweets_file, spec.tweet_order)
        _write_csv(spec.users, tmp / users_file, spec.user_order)
        (tmp / "ground_truth.json").write_text(
            json.dumps(spec.ground_truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(_readme(spec), encoding="utf-8")
        os.chmod(tmp, 0o755)
        if final.exists():
            old = out / f".{spec.name}.{os.getpid()}.old.tmp"
            final.rename(old)
            tmp.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _check_replaceable(target: Path, names: Sequence[str]) -> None:
    """Refuse to replace a dataset folder that the specimen did not write, or one that
    holds anything the specimen did not write.

    A folder is the specimen's when it holds ``ground_truth.json`` with
    ``"synthetic": true``; anything else in its place (real downloads under
    ``--out data/raw``, say) may no longer be obtainable, so it is never replaced. A
    specimen folder is replaced whole, so one holding other entries than the specimen's
    own files (the two archive files, ``ground_truth.json``, ``README.md``) is refused
    too: the user's notes or a real download put beside the synthetic files would go.

    Raises
    ------
    UsageError
        Naming the folder, and the entries the specimen did not write.
    """
    for name in names:
        folder = target / name
        if not folder.is_dir() or not any(folder.iterdir()):
            continue
        try:
            marker = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = None
        if not (isinstance(marker, dict) and marker.get("synthetic") is True):
            raise UsageError(
                f"{folder} exists and was not written by 'casebook specimen': refusing to "
                "replace it", hint="choose another --out, or move that folder away")
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in _own_files(name, marker))
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise UsageError(
                f"{folder} holds files 'casebook specimen' did not write ({shown}): refusing "
                "to replace the folder", hint="move them out of it, or choose another --out")


def _own_files(name: str, truth: dict[str, Any]) -> set[str]:
    """The names 'casebook specimen' writes into the folder of dataset ``name``: those of
    this version, and the archive files its ``ground_truth.json`` names (an older
    version's)."""
    files = truth.get("files")
    recorded = [f for f in files.values() if isinstance(f, str)] if isinstance(files, dict) else []
    return {*archive_file_names(name), *recorded, "ground_truth.json", "README.md"}


def write_specimen(
    out: str | os.PathLike[str] | None = None,
    *,
    seed: int = 0,
    scale: float = DEFAULT_SCALE,
    datasets: Sequence[str] | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Write the specimen releases, one folder per dataset.

    Parameters
    ----------
    out : path, optional
        Parent folder; default :func:`casebook.paths.specimen_dir` (``data/specimen``).
    seed : int
        Seed; the same seed and scale give byte-identical files.
    scale : float
        ``1`` reproduces the published counts; tweet counts scale linearly, account counts
        only above 1. Default :data:`DEFAULT_SCALE`.
    datasets : sequence of str, optional
        Subset of :data:`DATASETS` (default all).
    progress : bool
        Show a progress bar.

    Returns
    -------
    dict
        dataset name -> folder written. Each folder is written to a temporary folder and
        renamed into place, so an interrupted run leaves no half-written dataset.
    """
    names = list(DATASETS if datasets is None else datasets)
    for name in names:
        _check(name, seed, scale)
    target = paths.specimen_dir() if out is None else Path(out)
    _check_replaceable(target, names)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(names), desc="specimen", unit="dataset")
    try:
        for name in names:
            if bar is not None:
                bar.set_postfix_str(name)
            spec = build_specimen(name, seed=seed, scale=scale)
            written[name] = _write_one(spec, target)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return written


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------

_EPILOG = f"""\
scale:
  1 reproduces the published counts exactly (Iran 560,571 tweets / 238 accounts;
  GRU 26,684 / 70 user rows, 51 with tweets; IRA 68,914 / 31 user rows, 24 with tweets;
  Armenia 72,960 / 35; control 240,000 / 400). Tweet counts scale linearly; account
  counts stay published up to 1 and grow above it (14 gives ~12M tweets for benchmarks).
  Default {DEFAULT_SCALE}: a workshop-sized casebook of about 145,000 tweets.

Every dataset folder holds the two archive CSV files, a README.md that says the data are
SYNTHETIC, and ground_truth.json with the planted facts. The same seed and scale always
give byte-identical files.
An existing dataset folder is replaced only when the specimen wrote it and it holds
nothing else: a folder with other files in it (notes, a real download) is refused.

examples:
  casebook specimen
  casebook specimen --scale 1 --datasets iran_202012 control
  casebook specimen --out /tmp/specimen --seed 7 --scale 0.02
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook specimen`` to ``p``."""
    p.description = ("Write synthetic, deterministic specimen releases in the exact format of "
                     "Twitter's information-operations archive: iran_202012, GRU_202012, "
                     "IRA_202012, armenia_202012 and a control cohort, each with ground truth.")
    p.epilog = _EPILOG
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--out", metavar="DIR", default=None,
                   help="parent folder (default: data/specimen in the checkout, or "
                        "$CASEBOOK_DATA_DIR/specimen)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                   help=f"size; 1 = published counts (default: {DEFAULT_SCALE})")
    p.add_argument("--datasets", nargs="+", choices=DATASETS, metavar="NAME", default=None,
                   help=f"datasets to write (default: all of {', '.join(DATASETS)})")
    p.add_argument("--progress", action="store_true", help="show a progress bar")


def run(args: argparse.Namespace) -> int:
    """``casebook specimen``: write the datasets and list the files written.

    Raises
    ------
    UsageError
        A scale, seed or dataset out of range (exit status 2).
    """
    out = paths.resolve(args.out) if args.out else None
    written = write_specimen(out, seed=args.seed, scale=args.scale, datasets=args.datasets,
                             progress=args.progress)
    total = 0
    for name, folder in written.items():
        gt = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
        c = gt["counts"]
        total += c["tweets"]
        tweets_file, users_file = archive_file_names(name)
        print(f"{name}: {c['tweets']:,} tweets, {c['user_rows']:,} user rows, "
              f"{len(gt['coordination_groups'])} coordination groups")
        for f in (tweets_file, users_file, "ground_truth.json", "README.md"):
            print(f"  {folder / f}")
    where_ = next(iter(written.values())).parent if written else out
    print(f"wrote {total:,} synthetic tweets (seed {args.seed}, scale {args.scale}) to {where_}")
    return 0
