"""Validation report for a release: what was read, what is missing, what was rejected.

``casebook validate PATH [--json]`` loads PATH with ``on_bad_rows="report"`` and prints
the report; it exits 1 on fatal problems (the files cannot be read, a row was rejected,
no tweets) and 0 otherwise (duplicates and sparse columns are warnings).

The report also names every id column written in float notation (count, share, how many
were restored: :mod:`casebook.ids`), compares the release with its published counts
(:func:`casebook.catalogue.coverage`) and says when the data is an excerpt or a sample,
and warns when a folder's name and its files name different operations. A folder holding
several releases side by side is reported release by release, never as one.

The loader (and with it pandas and pyarrow) is imported only when a report is made, so
that ``casebook validate --help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook import paths
from casebook.errors import LoadError

if TYPE_CHECKING:
    from casebook.loader import Release

__all__ = ["add_arguments", "coverage_summary", "format_report", "run", "validation_report"]


def validation_report(release: Release) -> dict[str, Any]:
    """Summarise a loaded release as a JSON-ready dict.

    Parameters
    ----------
    release
        A release from :func:`casebook.load_release`.

    Returns
    -------
    dict
        Keys: ``name``, ``files`` (provenance rows), ``tweets``, ``accounts``,
        ``accounts_with_tweets``, ``hashed_share`` (of accounts), ``time_range``
        (first/last tweet, UTC ISO), ``retweet_share``, ``empty_share`` (per tweet
        column: share of empty values; lists count as empty when they have no item),
        ``duplicates`` (duplicate tweet ids: rows that share an id but differ in some
        column), ``repeated_rows`` (rows identical in every column to an earlier row,
        loaded once) and ``repeated_rows_by_file`` (per file that held them: ``file``,
        ``rows``, ``repeats_of``), ``rejected`` (count) and
        ``rejected_rows`` (up to 20, with file and line), ``checks``, ``float_ids``
        (id columns written in float notation: :func:`casebook.ids.restore_float_ids`),
        ``coverage`` (against the published counts: :func:`coverage_summary`), ``fatal``
        (list of fatal problems) and ``warnings``.
    """
    import pandas as pd

    from casebook.ids import describe_float_ids

    tweets, users = release.tweets, release.users
    empty = {}
    for col in tweets.columns:
        s = tweets[col]
        if isinstance(s.dtype, pd.ArrowDtype) and "list" in str(s.dtype):
            share = float((s.list.len().fillna(0) == 0).mean()) if len(s) else 0.0
        else:
            share = float(s.isna().mean()) if len(s) else 0.0
        empty[col] = round(share, 4)
    times = tweets["tweet_time"].dropna()
    fatal: list[str] = []
    cautions: list[str] = []
    if len(tweets) == 0:
        fatal.append("no tweets")
    if len(release.rejected):
        fatal.append(f"{len(release.rejected)} rejected row(s)")
    dups = int(release.checks.get("duplicate_tweetids", 0))
    if dups:
        cautions.append(f"{dups} duplicate tweet id(s)")
    by_file = list(release.checks.get("repeated_rows_by_file") or [])
    for entry in by_file:
        cautions.append(
            f"{entry['rows']:,} row(s) of {Path(entry['file']).name} repeat an earlier row of "
            f"{', '.join(Path(f).name for f in entry['repeats_of'])} in every column: "
            "loaded once")
    missing = int(release.checks.get("tweet_accounts_missing_from_users", 0))
    if missing:
        cautions.append(f"{missing} account(s) with tweets are missing from the users file")
    repeated_users = int(release.checks.get("duplicate_userids_in_users", 0))
    if repeated_users:
        cautions.append(f"{repeated_users} users-file row(s) repeat another row's userid: "
                        "the first row of each is kept")
    if release.checks.get("users_derived_from_tweets"):
        cautions.append("no users file: the accounts are read from the tweets' account "
                        "columns (each account's first row)")
    replaced = int(release.provenance.get("replaced_characters", pd.Series(dtype=int)).sum())
    if replaced:
        cautions.append(f"{replaced} undecodable byte(s) replaced")
    float_ids = dict(release.checks.get("float_ids") or {})
    cautions += describe_float_ids(float_ids)
    unmatched_ids = float_ids.get("tweetid", {})
    left = int(unmatched_ids.get("unmatched", 0)) + int(unmatched_ids.get("ambiguous", 0))
    if left:
        # a tweet written once as an integer and once as a float is found only when restored
        cautions.append(f"{left} tweet id(s) in float notation match no single tweet id of "
                        "the release: the duplicate count cannot include them")
    cover = coverage_summary(release)
    if cover["sample"]:
        cautions.append(cover["text"])
    return {
        "name": release.name,
        "files": json.loads(release.provenance.to_json(orient="records")),
        "tweets": int(len(tweets)),
        "accounts": int(len(users)),
        "accounts_with_tweets": int(tweets["userid"].nunique()),
        "hashed_share": round(float(users["hashed"].mean()), 4) if len(users) else None,
        "time_range": {
            "first": times.min().isoformat() if len(times) else None,
            "last": times.max().isoformat() if len(times) else None,
        },
        "retweet_share": round(float(tweets["is_retweet"].mean()), 4) if len(tweets) else None,
        "empty_share": empty,
        "duplicates": dups,
        "repeated_rows": int(release.checks.get("repeated_rows", 0)),
        "repeated_rows_by_file": by_file,
        "rejected": int(len(release.rejected)),
        "rejected_rows": json.loads(release.rejected.head(20).to_json(orient="records")),
        "checks": {k: v for k, v in release.checks.items()},
        "float_ids": float_ids,
        "coverage": cover,
        "fatal": fatal,
        "warnings": cautions,
    }


def coverage_summary(release: Release) -> dict[str, Any]:
    """How much of its published size a release holds, and whether it is a sample.

    Parameters
    ----------
    release
        A loaded release.

    Returns
    -------
    dict
        ``dataset`` (catalogue name or None), ``tweets``, ``published_tweets``,
        ``accounts``, ``published_accounts`` (None where nothing was published),
        ``share`` (the smaller of the tweet and account shares, or None), ``sample``
        (True when the release holds fewer tweets or accounts than published) and
        ``text`` (one sentence, e.g. "274 of 26,684 published tweets (1.0%): an excerpt
        or sample of GRU_202012, not the whole release").

    Examples
    --------
    >>> coverage_summary(load_release("data/raw/GRU_202012"))["text"]  # doctest: +SKIP
    """
    from casebook import catalogue

    tweets = release.tweets
    n_tweets = int(len(tweets))
    n_accounts = int(tweets["userid"].nunique()) if "userid" in tweets else 0
    out: dict[str, Any] = {"dataset": None, "tweets": n_tweets, "published_tweets": None,
                           "accounts": n_accounts, "published_accounts": None,
                           "share": None, "sample": False, "text": ""}
    cover = catalogue.coverage(release)
    if cover is not None:
        out.update(dataset=cover.dataset, published_tweets=cover.expected_tweets,
                   published_accounts=cover.expected_accounts, share=round(cover.share, 4))
        short = (cover.tweets < cover.expected_tweets
                 or cover.accounts < cover.expected_accounts)
        out["sample"] = bool(short)
        what = "published" if "specimen" not in cover.basis else "expected"
        head = (f"{cover.tweets:,} of {cover.expected_tweets:,} {what} tweets "
                f"({cover.tweets / max(cover.expected_tweets, 1):.1%}), {cover.accounts:,} of "
                f"{cover.expected_accounts:,} accounts")
        if short:
            out["text"] = (f"{head}: an excerpt or sample of {cover.dataset}, not the whole "
                           "release" + ("" if cover.sufficient else
                                        "; too small to test the published claims on"))
        else:
            out["text"] = f"{head}: complete ({cover.basis})"
        return out
    dataset = catalogue.dataset_of(release.name)
    entry = catalogue.release_of(dataset) if dataset else None
    if entry is None:
        out["text"] = (f"{release.name}: not in the catalogue ('casebook releases'): "
                       "cannot tell whether this is the whole release")
        return out
    out["dataset"] = entry.name
    accounts = getattr(entry, "accounts", None)
    if accounts:  # only the account count was published
        out.update(published_accounts=int(accounts),
                   share=round(n_accounts / max(int(accounts), 1), 4))
        out["sample"] = n_accounts < int(accounts)
        out["text"] = (f"{n_accounts:,} of {int(accounts):,} published accounts"
                       + (f": an excerpt or sample of {entry.name}, not the whole release"
                          if out["sample"] else "") + "; no tweet count was published")
    else:
        out["text"] = (f"{entry.name}: no tweet or account count was published for it "
                       f"alone: cannot tell whether these {n_tweets:,} tweets are the whole "
                       "release")
    return out


def format_report(report: dict[str, Any]) -> str:
    """Render :func:`validation_report` as plain text for a terminal.

    File names, zip member names, notes, rejection reasons, warnings and the release
    name come from the input (a member can be named ``x.csv\\nTweets: 9\\nOK``): each is
    printed through :func:`casebook.safety.escape_line`, so a line break in it shows as
    ``\\x0a`` and cannot start a report line of its own, and a control character cannot
    act on the terminal.

    Parameters
    ----------
    report
        A report from :func:`validation_report` (with ``path`` or without).

    Returns
    -------
    str
        The report, one line per file, count, rejected row and warning.
    """
    from casebook.safety import escape_line  # pandas: loaded with the release already

    def file_name(label: Any) -> str:
        return escape_line(Path(str(label)).name)

    lines = [f"Release {escape_line(report['name'])}"]
    lines.append("Files:")
    for f in report["files"]:
        line = (f"  {file_name(f['file'])}  [{escape_line(f['role'])}]  "
                f"{f['size_bytes']:,} bytes  "
                f"rows {f['rows_read']:,}  rejected {f['rows_rejected']:,}  "
                + (f"repeated {f['rows_repeated']:,}  " if f.get("rows_repeated") else "")
                + f"sha256 {f['sha256'][:16]}…")
        # format_report hides the loader's warnings, so a skipped copy says why here
        if f.get("note"):
            line += f"  ({escape_line(f['note'])})"
        lines.append(line)
    tr = report["time_range"]
    lines += [
        f"Tweets: {report['tweets']:,}",
        f"Accounts: {report['accounts']:,} ({report['accounts_with_tweets']:,} with tweets; "
        f"hashed share {report['hashed_share'] if report['hashed_share'] is not None else 'n/a'})",
        f"Time range (UTC): {tr['first']} .. {tr['last']}",
        f"Retweet share: {report['retweet_share']}",
        f"Duplicate tweet ids: {report['duplicates']}",
        f"Repeated rows (loaded once): {report.get('repeated_rows', 0)}",
        f"Published size: {escape_line(report['coverage']['text'])}" if report.get("coverage")
        else "Published size: unknown",
        "Ids in float notation: " + (", ".join(
            f"{escape_line(col)} {e['rows']:,} ({e['share']:.1%}; "
            f"{e['exact'] + e['restored']:,} restored)"
            for col, e in report["float_ids"].items()) if report.get("float_ids") else "none"),
        f"Rejected rows: {report['rejected']}",
    ]
    for r in report["rejected_rows"]:
        lines.append(f"  {file_name(r['file'])} line {r['line']}: {escape_line(r['reason'])}")
    lines.append("Empty share per column:")
    for col, share in report["empty_share"].items():
        lines.append(f"  {escape_line(col):<22} {share:6.1%}")
    for w in report["warnings"]:
        lines.append(f"WARNING: {escape_line(w)}")
    lines.append("FATAL: " + "; ".join(escape_line(x) for x in report["fatal"])
                 if report["fatal"] else "OK")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """``casebook validate``: print a report per release; fail when one has a fatal problem.

    Every release is reported, readable or not; then a :class:`~casebook.errors.LoadError`
    names the releases with fatal problems (exit status 1).
    """
    import warnings

    from casebook.discovery import ReleaseMismatchWarning
    from casebook.loader import load_release

    given = [paths.resolve(p) for p in args.path]
    files = [p for p in given if p.is_file()]
    # files given together are one release; each directory is a release of its own, or
    # several when it holds releases side by side
    targets: list = [t for p in given if not p.is_file() for t in _split_folder(p)]
    targets += [files] if files else []
    targets = targets or [t for d in _default_targets() for t in _split_folder(Path(d))]
    if not targets:
        raise LoadError(
            "no data found",
            hint="generate the specimen with 'casebook specimen' or download a release with "
            "'casebook fetch OP', then pass its directory",
        )
    reports = []
    failed: list[str] = []
    for target in targets:
        shown = [str(t) for t in target] if isinstance(target, list) else str(target)
        try:
            with warnings.catch_warnings(record=True) as caught:  # the report says it all
                warnings.simplefilter("always", UserWarning)
                release = load_release(target, on_bad_rows="report", cache=not args.no_cache)
        except LoadError as exc:
            reports.append({"path": str(target), "fatal": [str(exc)], "tweets": 0,
                            "accounts": 0, "rejected": None})
            failed.append(str(exc))
            continue
        report = validation_report(release)
        report["path"] = shown
        report["warnings"] += list(dict.fromkeys(
            str(w.message) for w in caught if issubclass(w.category, ReleaseMismatchWarning)))
        reports.append(report)
        if report["fatal"]:
            failed.append(f"{release.name}: {'; '.join(report['fatal'])}")
        if not args.json:
            print(format_report(report))
            print()
    if args.json:
        print(json.dumps(reports[0] if len(reports) == 1 else reports, indent=1, default=str))
    if failed:
        count = "" if len(targets) == 1 else f"{len(failed)} of {len(targets)} releases: "
        rejected = any(r.get("rejected") for r in reports)
        raise LoadError(
            count + " | ".join(failed),
            hint="the report lists each rejected row with its file and line" if rejected else None,
        )
    return 0


def _split_folder(folder: Path) -> list[Path | list[Path]]:
    """A folder as validate targets: itself, or the files of each release it holds."""
    from casebook._files import data_files
    from casebook.discovery import release_groups

    if not folder.is_dir():
        return [folder]
    groups = release_groups(data_files(folder))
    if len([k for k in groups if k is not None]) < 2:
        return [folder]
    return list(groups.values())


def _default_targets() -> list[str]:
    """Every release directory under the data folder (specimen and raw)."""
    found = []
    for root in (paths.specimen_dir(), paths.raw_dir()):
        if root.is_dir():
            found += [str(d) for d in sorted(root.iterdir()) if d.is_dir() and not d.name.startswith(".")]
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook validate`` to ``parser``."""
    parser.description = (
        "Load one or more releases (a directory, or tweets/users files) exactly as the "
        "casebook does and report files, rows, accounts, hashed share, time range, empty "
        "share per column, duplicate tweet ids, rows repeating an earlier row in every "
        "column (loaded once, counted per file) and rejected rows (with file and line); "
        "names every id column written in float notation (precision lost) with how many "
        "ids were restored, and compares the release with its published counts (an "
        "excerpt or sample is said to be one). A folder holding several releases side by "
        "side is reported release by release. "
        "Without PATH, every release under data/specimen and data/raw is checked. "
        "Exit status: 0 clean, 1 when a file cannot be read, a row is rejected or "
        "there are no tweets."
    )
    parser.epilog = "example: casebook validate data/raw/GRU_202012 --json"
    parser.add_argument("path", nargs="*", help="release directories, or the files of one release")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (a list for several paths)")
    parser.add_argument("--no-cache", action="store_true",
                        help="read the CSV files, ignore the Parquet cache")
