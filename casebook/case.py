"""A case: the datasets one notebook investigates, with provenance and headline numbers.

The case notebooks open their data with :func:`open_case` (which datasets are present,
which are absent, the control cohort, whether the data is the synthetic specimen), show
:meth:`Case.provenance` and :meth:`Case.validation`, and end with
:func:`headline_findings`, whose rows ``casebook run`` puts in the report index.
:func:`metrics` is the one table that compares operations side by side.

The generic ``release`` case and the overview run on whatever releases they are given:
their titles and introductions are written from the data (:func:`release_intro`,
:func:`overview_intro`), never from a fixed text, and release names are shown escaped
(they are text from the user's folder and files). :func:`find_releases` says which
releases a folder holds; :func:`release_ledger` tests the claims of a claims file.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from casebook import (
    accounts,
    activity,
    catalogue,
    content,
    discovery,
    evidence,
    paths,
    report,
    safety,
)
from casebook._files import data_files
from casebook._plotting import freq_label, legend_beside, literal_text, percent_axis
from casebook.activity import zone_label
from casebook.errors import UsageError
from casebook.loader import Release, load_release
from casebook.validate import validation_report


@dataclass
class Case:
    """The loaded datasets of one case.

    Attributes
    ----------
    releases
        Present datasets, in the order requested: name -> :class:`~casebook.Release`.
    absent
        Requested datasets not found under the data folder.
    folders
        Name -> release folder, for the present datasets (and the control).
    control
        The control cohort of ordinary accounts, or None when it is not available.
    notes
        What a reader should know about how the datasets were chosen (the first of
        several releases found, when none was named).
    unclaimed
        Present datasets the last :meth:`ledger` found no claims for (left out of it).
    """

    releases: dict[str, Release]
    absent: list[str]
    folders: dict[str, Path]
    control: Release | None = None
    control_name: str | None = None
    notes: list[str] = field(default_factory=list)
    unclaimed: list[str] = field(default_factory=list)

    @property
    def primary(self) -> Release:
        """The first present dataset (the one the case is about)."""
        return next(iter(self.releases.values()))

    def banner(self) -> report.SafeHTML:
        """Say which datasets are synthetic, which real, and where the control cohort came from."""
        datasets = {n: f for n, f in self.folders.items() if n != self.control_name}
        control = self.folders.get(self.control_name) if self.control_name else None
        return report.specimen_banner(datasets, control=control)

    def provenance(self) -> pd.DataFrame:
        """One row per input file: dataset, file name, sha256 (first 16), rows read,
        rejected and repeated (identical to an earlier row: loaded once)."""
        rows = []
        for name, rel in self._all().items():
            prov = rel.provenance
            for rec in prov.to_dict("records"):
                rows.append({
                    "dataset": name,
                    "file": Path(str(rec["file"]).split("!")[-1]).name,
                    "role": rec["role"],
                    "bytes": int(rec["size_bytes"]),
                    "sha256": str(rec["sha256"])[:16],
                    "rows read": int(rec["rows_read"]),
                    "rows rejected": int(rec["rows_rejected"]),
                    # rows identical to an earlier one (overlapping parts) are loaded once
                    "rows repeated": int(rec.get("rows_repeated", 0)),
                })
        return pd.DataFrame(rows)

    def validation(self) -> pd.DataFrame:
        """Per dataset: tweets, accounts, hashed share, time range, duplicates, rejected rows,
        ids in float notation and the published size it is compared with."""
        rows = []
        for name, rel in self._all().items():
            r = validation_report(rel)
            rows.append({
                "dataset": name,
                "tweets": r["tweets"],
                "accounts": r["accounts"],
                "accounts with tweets": r["accounts_with_tweets"],
                "hashed share": r["hashed_share"],
                "first tweet (UTC)": (r["time_range"]["first"] or "")[:16].replace("T", " "),
                "last tweet (UTC)": (r["time_range"]["last"] or "")[:16].replace("T", " "),
                "duplicate tweet ids": r["duplicates"],
                "rejected rows": r["rejected"],
                "ids in float notation": "; ".join(
                    f"{c}: {e['rows']:,} ({e['share']:.0%}), {e['exact'] + e['restored']:,} restored"
                    for c, e in r["float_ids"].items()) or "none",
                "published size": r["coverage"]["text"],
                "status": "; ".join(r["fatal"]) or "OK",
            })
        return pd.DataFrame(rows)

    def ledger(self, operation: str | None = None, *,
               lexicons: Mapping[str, object] | None = None, **params: object) -> pd.DataFrame:
        """The claims ledger evaluated on every present dataset (``dataset`` column first).

        Every rule also runs on the case's control cohort (when it has one): a rule that
        ordinary accounts meet too is ``not distinctive``.

        Parameters
        ----------
        operation
            ``"iran"``, ``"russia"``, ``"ira"`` or ``"armenia"``; None picks each
            dataset's own claims from its name. A dataset with no claims of its own (a
            release the claims ledger knows nothing about) is left out and named in
            :attr:`unclaimed`.
        lexicons
            The notebook's ``lexicons`` parameter: reaches every check that reads one.
        **params
            Claim parameter overrides: a rule type's parameter name, or a keyword a claim
            declares (see :func:`casebook.claims.evaluate_claims`).

        Returns
        -------
        pandas.DataFrame
            ``dataset`` and :data:`casebook.claims.LEDGER_COLUMNS`, one row per claim;
            no rows when no dataset has claims.
        """
        from casebook import claims

        frames = []
        self.unclaimed = []
        for name, rel in self.releases.items():
            if operation is None and not _known_claims(name):
                self.unclaimed.append(name)  # e.g. REA_0621: no published claims held
                continue
            frames.append(claims.evaluate_claims(rel, operation, control=self.control,
                                                 lexicons=lexicons, **params)
                          .assign(dataset=name))
        columns = ["dataset", *claims.LEDGER_COLUMNS]
        if not frames:
            return pd.DataFrame(columns=columns)
        out = pd.concat(frames, ignore_index=True)
        return out[["dataset"] + [c for c in out.columns if c != "dataset"]]

    def _all(self) -> dict[str, Release]:
        out = dict(self.releases)
        if self.control is not None and self.control_name:
            out[self.control_name] = self.control
        return out


def open_case(
    data_dir: str = "",
    datasets: Sequence[str] = (),
    *,
    control: str | None = "control",
    on_bad_rows: str = "report",
) -> Case:
    """Load the datasets of a case that are present under ``data_dir``.

    Parameters
    ----------
    data_dir
        Folder with the releases; ``""`` is the specimen (written on first use when
        missing). A folder that is itself a release counts as the first dataset.
    datasets
        Dataset names, the case's main one first (e.g. ``["GRU_202012", "IRA_202012"]``).
        Empty: the first release :func:`find_releases` finds in ``data_dir`` (how many
        others there are is said in :attr:`Case.notes`, without naming them).
    control
        Name of the control-cohort dataset (looked up in ``data_dir``, then in the
        specimen); None for no control.
    on_bad_rows
        Passed to :func:`casebook.load_release`; ``"report"`` keeps good rows and lists
        rejected ones (shown by :meth:`Case.validation`).

    Returns
    -------
    Case

    Raises
    ------
    FileNotFoundError
        When none of the datasets is present, with what to do about it.

    Notes
    -----
    A release read from its CSV files gets its typed Parquet copy (the cache that makes
    the next run start in seconds) written on a background thread while the case goes
    on (``load_release(..., cache="background")``): 3.4 s of a cold start at specimen
    scale 4. The kernel waits for the copy when it exits.
    """
    if not data_dir and not paths.specimen_dir().is_dir():
        from casebook.specimen import write_specimen

        write_specimen()
    notes: list[str] = []
    if not datasets:
        found = find_releases(data_dir, control=control)
        if not found:
            raise FileNotFoundError(
                f"no release found under {data_dir or paths.specimen_dir()}: point data_dir "
                "at a release folder, or at a folder of release folders")
        datasets = found[:1]
        if len(found) > 1:  # the others are not named: a report names its own release only
            notes.append(f"The data folder holds {len(found)} releases; this report is on "
                         f"the first in name order, {found[0]} (-p datasets '[NAME]' "
                         "chooses another).")
    present, absent = discovery.find_datasets(data_dir, list(datasets))
    if not present:
        raise FileNotFoundError(
            f"none of {', '.join(datasets)} found under {data_dir or paths.specimen_dir()}: "
            "download them with 'casebook fetch OP' or point data_dir at the folder holding them"
        )
    releases = {}
    with warnings.catch_warnings():  # duplicates are shown by Case.validation
        warnings.simplefilter("ignore", UserWarning)
        for name, folder in present.items():
            releases[name] = load_release(folder, on_bad_rows=on_bad_rows, name=name,
                                          cache="background")
        folders = dict(present)
        control_release = None
        folder = discovery.find_control(data_dir, control) if control else None
        if folder is not None:
            folders[str(control)] = folder
            control_release = load_release(folder, on_bad_rows=on_bad_rows, name=control,
                                           cache="background")
    _refuse_copies({**releases, **({str(control): control_release} if control_release else {})})
    return Case(releases=releases, absent=list(absent), folders=folders,
                control=control_release, control_name=control if control_release else None,
                notes=notes)


def _refuse_copies(releases: Mapping[str, Release]) -> None:
    """A :class:`ParameterError` when two datasets of a case hold the same files: a copy
    compared with itself (two operations in the overview, or an operation as its own
    control) would count the same tweets twice. File sizes are compared first, so the
    files' hashes (computed in the background) are awaited only for a likely copy."""
    from casebook.errors import ParameterError

    seen: dict[tuple[int, ...], str] = {}
    for name, rel in releases.items():  # a handful of datasets
        prov = rel.provenance
        if prov is None or not len(prov):
            continue
        sizes = tuple(sorted(int(b) for b in prov["size_bytes"]))
        other = seen.setdefault(sizes, name)
        if other == name:
            continue
        digests = [sorted(map(str, releases[n].provenance["sha256"])) for n in (other, name)]
        if digests[0] == digests[1]:
            raise ParameterError(
                f"datasets {shown_name(other)} and {shown_name(name)} hold the same files "
                f"(the same sha256): their tweets would be counted twice",
                hint="name only one of them in datasets (or control_dataset)")


def find_releases(data_dir: str | os.PathLike[str] = "", *,
                  control: str | None = "control") -> list[str]:
    """The releases a data folder holds, in name order.

    Parameters
    ----------
    data_dir
        ``""``: the specimen. A release folder (it holds archive data files) holds the
        releases its files' names carry (:func:`casebook.discovery.operation_of`; files
        of several releases side by side are several releases), or, when no file name
        carries one, the release named after the folder. Any other folder holds one
        release per sub-folder with data files, named after the sub-folder.
    control
        Name of the control cohort's folder, which is not a release of the case.

    Returns
    -------
    list of str
        Release names, sorted by code point (upper case first: ``GRU_202012`` comes
        before ``armenia_202012``); empty when there is none.

    Raises
    ------
    FileNotFoundError
        When ``data_dir`` does not exist.

    Examples
    --------
    >>> find_releases("")  # doctest: +SKIP
    ['GRU_202012', 'IRA_202012', 'armenia_202012', 'iran_202012']
    """
    root = paths.specimen_dir() if str(data_dir) == "" else paths.resolve(data_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"data folder not found: {root}")
    if discovery.is_release_dir(root):
        groups = discovery.release_groups(data_files(root))
        named = sorted(discovery.operation_of(files[0].name) or key
                       for key, files in groups.items() if key is not None)
        return named or [root.name]
    return sorted(d.name for d in root.iterdir()
                  if d.is_dir() and d.name != control and discovery.is_release_dir(d))


def metrics(
    releases: Mapping[str, Release],
    *,
    coordinated: Mapping[str, int] | None = None,
    control: Release | None = None,
) -> pd.DataFrame:
    """The side-by-side metrics table of several operations.

    Parameters
    ----------
    releases
        Name -> release.
    coordinated
        Optional name -> number of accounts in coordination communities (from the
        coordination section), added as a column.
    control
        Ordinary accounts: each release's top-account share is set beside their most
        active account's among as many of them as the release has accounts with tweets
        (the median of :func:`casebook.accounts.top_share_at_size`; the share falls as a
        cohort grows), in a column of its own.

    Returns
    -------
    pandas.DataFrame
        One row per dataset: accounts, tweets, time span, hashed share, top-account
        share, retweet share, share of tweets from scheduling or automation clients
        (without and with multi-account management tools such as TweetDeck), median
        followers, median likes per original tweet, inferred operator time zone (a
        range or "inconclusive" when the data does not name one offset, with the working
        week it assumes and, when that is not Monday to Friday, what Monday to Friday
        gives), its verdict (against shuffled times and, with ``control``, "not
        distinctive" when ordinary accounts show an office rhythm too) and its confidence
        (the share of bootstrap resamples of the days that give the same answer).
    """
    rows = []
    for name, rel in releases.items():
        t, u = rel.tweets, rel.users
        conc = accounts.concentration(t).iloc[0]
        # an office rhythm found on another week than Mon-Fri rests on that week: what
        # Mon-Fri gives is said beside it
        zones = activity.utc_offset_by_week(t, [catalogue.workweek_of(name), "mon-fri"],
                                            control=None if control is None else control.tweets)
        tz = zones.iloc[0]
        mon_fri = zones.iloc[-1] if len(zones) > 1 else None
        eng = content.engagement_summary(t)
        likes = eng["median"].get("like_count")
        row = {
            "dataset": name,
            "accounts": len(u),
            "accounts with tweets": int(t["userid"].nunique()) if len(t) else 0,
            "tweets": len(t),
            "first tweet": t["tweet_time"].min().strftime("%Y-%m-%d") if len(t) else "",
            "last tweet": t["tweet_time"].max().strftime("%Y-%m-%d") if len(t) else "",
            "hashed share": round(float(u["hashed"].mean()), 3) if len(u) else None,
            "top account share": round(float(conc["top1_share"]), 3),
            **({} if control is None or not len(control.tweets) or not len(t) else {
                "ordinary top account share at this size": round(float(
                    accounts.top_share_at_size(control.tweets, int(t["userid"].nunique())
                                               ).iloc[0]["median"]), 3)}),
            "retweet share": round(float(t["is_retweet"].mean()), 3) if len(t) else None,
            "automated share": round(content.automated_share(t), 3),
            "automated share, management tools counted": round(
                content.automated_share(t, management=True), 3),
            "median followers": float(u["follower_count"].median()) if len(u) else None,
            "median likes (originals)": None if likes is None or pd.isna(likes) else float(likes),
            "operator time zone": zone_label(tz, other=mon_fri),
            "time zone verdict": str(tz["verdict"]),
            "time zone confidence (share of resamples)": round(float(tz["confidence"]), 2)
            if pd.notna(tz["confidence"]) else None,
        }
        if coordinated is not None:
            row["coordinated accounts"] = int(coordinated.get(name, 0))
        rows.append(row)
    return pd.DataFrame(rows)


def _other_week(release: Release, offsets: pd.DataFrame) -> str:
    """What a Monday-to-Friday week gives, when the inference (the first row of
    ``offsets``) assumed another one: the Mon-Fri row of ``offsets`` when it has one
    (:func:`casebook.activity.utc_offset_by_week`), else computed here."""
    offset = offsets.iloc[0]
    if offset["workweek"] == "Mon-Fri" or offset["verdict"] != evidence.SUPPORTED:
        return ""
    given = offsets[offsets["workweek"] == "Mon-Fri"]
    other = (given.iloc[0] if len(given)
             else activity.utc_offset_by_week(release.tweets, ["mon-fri"]).iloc[0])
    return (f". The {offset['workweek']} week is an assumption (the working week of the "
            f"country the platform attributed the network to); on a Mon-Fri week the same "
            f"tweets give: {other['label']} ({other['verdict']})")


def headline_findings(
    release: Release,
    *,
    ledger: pd.DataFrame,
    communities: pd.DataFrame | None = None,
    offset: pd.DataFrame | None = None,
    coordination: CoordinationResult | None = None,
    control: Release | None = None,
) -> pd.DataFrame:
    """The headline findings of a case, for its summary and the report index.

    Parameters
    ----------
    release
        The case's main dataset.
    ledger
        The claims ledger from :func:`casebook.claims.evaluate_claims`.
    communities
        Accounts per coordination community (``userid, community, community_size``) from
        :func:`casebook.coordination.detect_communities`.
    offset
        The time-zone inference from :func:`casebook.activity.infer_utc_offset`, or
        :func:`casebook.activity.utc_offset_by_week`'s rows: the first is the finding, and
        a Mon-Fri row, when the first assumed another week, is what the findings set
        beside it (computed when absent).
    coordination
        The coordination section (:func:`coordination_analysis`): its communities, and
        the strength of their count against the chance replicates, in words. Takes the
        place of ``communities``.
    control
        The control cohort of ordinary accounts: the concentration row says what its
        most active account posts, for context.

    Returns
    -------
    pandas.DataFrame
        ``finding, value, detail``: volume, concentration, time zone, coordination, and
        one row per claim with its verdict.
    """
    t, u = release.tweets, release.users
    top = accounts.top_accounts(release, n=1)
    rows = [
        {"finding": "Accounts and tweets", "value": f"{len(u):,} accounts, {len(t):,} tweets",
         "detail": f"dataset {release.name}"},
        {"finding": "Largest account's share of tweets",
         "value": f"{float(top['share'].iloc[0]):.1%}" if len(top) else "n/a",
         "detail": "tweets of the most active account / all tweets; "
                   + _ordinary_top(control, int(t["userid"].nunique()),
                                   float(top["share"].iloc[0]) if len(top) else None)},
    ]
    if offset is not None and len(offset):
        o = offset.iloc[0]
        rows.append({"finding": "Operator time zone (inferred)", "value": zone_label(o),
                     "detail": f"{o['verdict']}: {o['reason']}; working days {o['conventions']} "
                               f"({o['workweek']}); confidence {o['confidence']:.1%} (the share "
                               f"of bootstrap resamples of the days that give the same answer)"
                               f"{_other_week(release, offset)}"})
    if coordination is not None:
        rows.append(_coordination_finding(coordination))
    elif communities is not None:
        n_comm = int(communities["community"].nunique()) if len(communities) else 0
        largest = int(communities["community_size"].max()) if len(communities) else 0
        rows.append({"finding": "Coordinated accounts",
                     "value": f"{len(communities):,} accounts in {n_comm} communities",
                     "detail": f"largest community: {largest} accounts; not compared with chance"})
    for rec in ledger.to_dict("records"):
        rows.append({"finding": f"Claim: {rec['claim']}", "value": rec["verdict"],
                     "detail": rec["evidence"]})
    return pd.DataFrame(rows, columns=list(report.FINDING_COLUMNS))


def _ordinary_top(control: Release | None, n_accounts: int, share: float | None = None) -> str:
    """The control's largest account's share, in words: context for the concentration
    (a share that falls as a cohort grows, so its size is said too, and the share among
    as many of its accounts as the release's ``n_accounts``, which the release's
    ``share`` is compared with)."""
    if control is None:
        return "no control cohort to set it beside"
    top = accounts.top_accounts(control, n=1)
    if not len(top):
        return "the control cohort has no tweets"
    n = int(control.tweets["userid"].nunique())
    words = (f"ordinary accounts (control): their most active account posted "
             f"{float(top['share'].iloc[0]):.1%} of their tweets, in a cohort of {n:,} "
             f"accounts (a share that falls as a cohort grows)")
    if 0 < n_accounts < n:
        at = accounts.top_share_at_size(control.tweets, n_accounts).iloc[0]
        words += (f"; among {n_accounts:,} of them, as many as post here, a median "
                  f"{at['median']:.1%} ({at['low']:.1%} to {at['high']:.1%} over "
                  f"{int(at['draws'])} draws)")
        if share is not None:
            words += f"; this release's is {evidence.contrast_words(share, float(at['median']))}"
    return words


def _coordination_finding(coordination: CoordinationResult) -> dict[str, str]:
    """The "Coordinated accounts" row: the count, how it compares with chance, and where
    the thresholds came from."""
    com = coordination.communities
    strength = coordination.strength()
    value = coordination.headline()
    binding = coordination.binding() if len(com) else pd.Series(dtype=object)
    largest = int(com["community_size"].max()) if len(com) else 0
    cal = coordination.calibration
    op = cal[cal["cohort"] == "operation"]
    sources = (op["threshold_from"].value_counts().sort_index() if "threshold_from" in op
               else pd.Series(dtype=int))
    origin = ", ".join(f"{src} ({n} {'kind' if n == 1 else 'kinds'})" for src, n in sources.items())
    detail = [strength, f"largest community: {largest:,} accounts"]
    if len(binding):
        counts = binding.value_counts()
        detail.append("most specific link per account: " + ", ".join(
            f"{k} {int(counts[k]):,}" for k in (*SPECIFICITY, "co_group") if k in counts))
    if origin:
        detail.append(f"thresholds from {origin}")
    groups = getattr(coordination.calibrated, "groups", None)
    if groups is not None and len(groups):
        g = groups.set_index("cohort")
        n_group = int(g.loc["operation", "flagged_accounts"])
        if n_group:
            detail.append(f"{n_group:,} accounts in groups whose trios met in at least "
                          f"{int(g['threshold'].iloc[0])} bursts (chance: "
                          f"{float(g.loc['null', 'flagged_accounts']):.1f} on average)")
    return {"finding": "Coordinated accounts", "value": value, "detail": "; ".join(detail)}


# --------------------------------------------------------------------------- coordination


#: Coordination kinds from the most specific evidence to the broadest.
SPECIFICITY: tuple[str, ...] = (
    "co_retweet", "co_tweet", "near_duplicate", "co_link", "co_reply", "co_mention",
    "co_domain", "co_hashtag", "co_post",
)
#: Kinds that show a topic in common rather than acting together: an account linked by
#: nothing more specific is counted apart in the headline.
TOPIC_KINDS: tuple[str, ...] = ("co_domain", "co_hashtag", "co_post")


def _with_rule_row(table: pd.DataFrame, by_cohort: pd.DataFrame, **head: object) -> pd.DataFrame:
    """``table`` (the kinds' thresholds) with one more row: a rule beside the kinds, its
    ``head`` cells (kind, threshold...) then what it flags in the operation, the chance
    replicates (mean) and the control (``by_cohort``: the rule's rows indexed by cohort)."""
    def get(cohort: str, col: str) -> object:
        return by_cohort[col].get(cohort, np.nan)

    row = {**head,
           "operation accounts flagged": get("operation", "flagged_accounts"),
           "operation share flagged": round(float(get("operation", "flagged_share")), 3),
           "chance accounts flagged (mean)": round(float(get("null", "flagged_accounts")), 2),
           "chance share flagged": round(float(get("null", "flagged_share")), 3),
           "control accounts flagged": get("control", "flagged_accounts"),
           "control share flagged": round(float(get("control", "flagged_share")), 3),
           "data": "ok"}
    table = table.assign(**{"threshold (tweets)": table["threshold (tweets)"].astype(object)})
    return pd.concat([table, pd.DataFrame([{c: row.get(c) for c in table.columns}])],
                     ignore_index=True)


@dataclass
class CoordinationResult:
    """What the coordination section of a case shows.

    Attributes
    ----------
    calibration
        Per kind, operation vs chance (``null``) vs control: edge-weight percentiles,
        the threshold and where it came from, flagged accounts (see
        :func:`casebook.coordination.calibrate`).
    edges
        Every directed edge of every kind (``min_weight=1``).
    strong
        Edges at or above their kind's threshold.
    communities
        ``userid, community, community_size`` on the strong edges.
    summary
        One row per community (:func:`casebook.coordination.summarise_communities`).
    control_edges
        The control cohort's edges (``min_weight=1``), or None without a control.
    null_counts
        Coordinated accounts on each chance replicate (thresholds set on the others).
    combined
        The combined rule per cohort (pair score: sum over kinds of weight / threshold;
        see :func:`casebook.coordination.calibrated_thresholds`).
    combined_pairs
        Pairs strong by the combined rule: ``source, target, score``; ``strong`` holds
        all their edges, each below its kind's threshold or not.
    calibrated
        The :class:`casebook.coordination.Calibration` behind it (thresholds by
        activity stratum: ``calibrated.needed(edges)`` is each edge's threshold).
    cached
        Whether the result was read back from the cache folder instead of computed
        (``coordination_analysis(..., cache=True)``: :mod:`casebook.resultcache`).
    """

    calibration: pd.DataFrame
    edges: pd.DataFrame
    strong: pd.DataFrame
    communities: pd.DataFrame
    summary: pd.DataFrame
    control_edges: pd.DataFrame | None = None
    null_counts: np.ndarray | None = None
    combined: pd.DataFrame | None = None
    combined_pairs: pd.DataFrame | None = None
    calibrated: object | None = None  # a casebook.coordination.Calibration
    #: Read back from the cache folder (:mod:`casebook.resultcache`), not computed.
    cached: bool = False

    @property
    def coordinated(self) -> int:
        """Accounts in a coordination community."""
        return len(self.communities)

    @property
    def linked(self) -> pd.DataFrame:
        """The edges the communities were found on: ``strong`` and the group rule's edges
        (kind ``co_group``), so that a figure of the network shows every member."""
        groups = getattr(self.calibrated, "group_edges", None)
        if groups is None or groups.empty:
            return self.strong
        return pd.concat([self.strong, groups], ignore_index=True)

    @property
    def control_flagged(self) -> pd.DataFrame | None:
        """The control cohort's accounts the same rules flag at the same thresholds
        (``userid``), or None without a control: what ordinary accounts give."""
        return getattr(self.calibrated, "control_flagged", None)

    def _insufficient_kinds(self) -> list[str]:
        op = self.calibration[self.calibration["cohort"] == "operation"]
        if "status" not in op:
            return []
        return op.loc[op["status"] == evidence.INSUFFICIENT, "kind"].astype(str).tolist()

    def _n_kinds(self) -> int:
        return int((self.calibration["cohort"] == "operation").sum())

    def _accounts(self) -> int:
        op = self.calibration[self.calibration["cohort"] == "operation"]
        return int(op["accounts"].max()) if "accounts" in op and len(op) else 0

    def verdict(self) -> str:
        """How strong the coordinated-accounts count is, as a verdict
        (:data:`casebook.evidence.VERDICTS`).

        Supported: above chance (the replicates) and at least
        :data:`casebook.evidence.MIN_CONTRAST` times the control cohort's share at the
        same thresholds, at the least for cohorts of their sizes
        (:func:`casebook.evidence.share_contrast`: distinguishable from ordinary
        accounts). Not distinctive: above chance, but ordinary accounts could reach
        about the same share. Not supported: within
        chance. Inconclusive: above chance, with no control cohort to compare. Insufficient
        data: every kind had too little data to link two accounts, or none was found while
        at least half of the kinds had too little.
        """
        thin = self._insufficient_kinds()
        if self._n_kinds() and (len(thin) == self._n_kinds()
                                or (self.coordinated == 0 and 2 * len(thin) >= self._n_kinds())):
            return evidence.INSUFFICIENT
        if self.null_counts is None or len(self.null_counts) == 0:
            return evidence.INCONCLUSIVE
        if evidence.null_pvalue(self.coordinated, self.null_counts) > evidence.ABOVE:
            return evidence.NOT_SUPPORTED
        ctl = self.control_flagged
        n_ctl = getattr(self.calibrated, "control_accounts", None)
        if ctl is None or not n_ctl:
            return evidence.INCONCLUSIVE
        times = evidence.share_contrast(self.coordinated, self._accounts(), len(ctl), n_ctl)
        return evidence.SUPPORTED if times >= evidence.MIN_CONTRAST else evidence.NOT_DISTINCTIVE

    def against_control(self) -> str:
        """The coordinated share beside the control cohort's at the same thresholds, in
        words (what ordinary accounts give)."""
        ctl = self.control_flagged
        n_ctl = getattr(self.calibrated, "control_accounts", None)
        if ctl is None or not n_ctl:
            return "not compared with ordinary accounts (no control cohort)"
        n = self._accounts()
        ours, theirs = self.coordinated / max(n, 1), len(ctl) / n_ctl
        least = evidence.share_contrast(self.coordinated, n, len(ctl), n_ctl)
        said = (f"{self.coordinated:,} of {n:,} accounts ({ours:.1%}) against {len(ctl):,} of "
                f"{n_ctl:,} ordinary accounts of the control ({theirs:.1%}) at the same "
                f"thresholds: at least {least:.1f} times theirs for cohorts of these sizes "
                f"(distinctive from {evidence.MIN_CONTRAST:g} times)")
        if least >= evidence.MIN_CONTRAST:
            return f"{said}, distinguishable from ordinary accounts"
        return f"{said}, not distinguishable from ordinary accounts"

    def strength(self) -> str:
        """The coordinated-accounts count against the chance replicates and the control
        cohort, in words (:meth:`verdict` says how strong it is)."""
        thin = self._insufficient_kinds()
        if self.verdict() == evidence.INSUFFICIENT:
            return evidence.INSUFFICIENT
        note = (f"; insufficient data for {len(thin)} of {self._n_kinds()} kinds "
                f"({', '.join(thin)})" if thin else "")
        if self.null_counts is None or len(self.null_counts) == 0:
            return f"not compared with chance; {self.against_control()}{note}"
        words = evidence.strength_words(self.coordinated, self.null_counts,
                                        replicates="shuffles")
        return (f"{words} (at most {int(np.max(self.null_counts))} accounts on a shuffle); "
                f"{self.against_control()}{note}")

    def headline(self) -> str:
        """The coordinated accounts in one line: how many, in how many communities, the
        verdict (:meth:`verdict`), and how many are linked only by the weakest kinds.

        This is the findings' "Coordinated accounts" value, and the caption the case
        notebooks give the communities' table: a count is never shown without its
        strength.
        """
        com = self.communities
        if self.strength() == evidence.INSUFFICIENT:
            return evidence.INSUFFICIENT
        n_comm = int(com["community"].nunique()) if len(com) else 0
        value = f"{len(com):,} accounts in {n_comm:,} communities ({self.verdict()})"
        binding = self.binding() if len(com) else pd.Series(dtype=object)
        topic = int(binding.isin(TOPIC_KINDS).sum())
        if topic:
            value += (f", {topic:,} of them linked only by hashtags or domains used in the "
                      f"same minutes (the weakest kinds: a shared topic can produce them)")
        return value

    def plot_weights(self, kind: str = "co_retweet", *, ax=None):
        """Edge-weight distribution of one kind, operation vs control; returns the Axes."""
        from casebook import coordination as co

        ops = self.edges[self.edges["kind"] == kind]
        ctl = (self.control_edges[self.control_edges["kind"] == kind]
               if self.control_edges is not None else ops.iloc[0:0])
        thr = self.calibration.loc[(self.calibration["kind"] == kind)
                                   & (self.calibration["cohort"] == "operation"), "threshold"]
        ax = co.plot_weight_distribution(ops, ctl, threshold=int(thr.iloc[0]) if len(thr) else None,
                                         ax=ax)
        ax.set_title(f"{kind}: edge weights, operation vs control")
        return ax

    def thresholds(self) -> pd.DataFrame:
        """Per kind: threshold, where it came from, and the flagged share of the
        operation's accounts, of the chance replicates' (mean) and of the control's."""
        cal = self.calibration
        op = cal[cal["cohort"] == "operation"].set_index("kind")
        null = cal[cal["cohort"] == "null"].set_index("kind").reindex(op.index)
        ctl = cal[cal["cohort"] == "control"].set_index("kind").reindex(op.index)
        out = pd.DataFrame({
            "threshold (tweets)": op["threshold"],
            "threshold from": op.get("threshold_from"),
            "thresholds by activity (least active first)": op.get("thresholds_by_activity"),
            "operation accounts flagged": op["flagged_accounts"],
            "operation share flagged": op["flagged_share"].astype(float).round(3),
            "chance accounts flagged (mean)": null.get("flagged_accounts"),
            "chance share flagged": null.get("flagged_share"),
            "control accounts flagged": ctl.get("flagged_accounts"),
            "control share flagged": ctl.get("flagged_share"),
            "data": op.get("status"),
        })
        for col in ("chance share flagged", "control share flagged"):
            out[col] = pd.to_numeric(out[col]).astype(float).round(3)
        out["chance accounts flagged (mean)"] = pd.to_numeric(
            out["chance accounts flagged (mean)"]).astype(float).round(2)
        out = out.reset_index()
        on = (self.combined is not None and len(self.combined)
              and np.isfinite(float(self.combined["threshold"].iloc[0])))
        if on:
            # one more row: the combined rule (its threshold is a pair score, not tweets;
            # its flagged counts are by either rule); no row while the rule is off
            c = self.combined.set_index("cohort")
            thr = float(c["threshold"].iloc[0])
            out = _with_rule_row(out, c, **{
                "kind": c["rule"].iloc[0],
                "threshold (tweets)": f"score > {thr:.2f}" if np.isfinite(thr) else "off",
                "threshold from": c["threshold_from"].iloc[0]})
        groups = getattr(self.calibrated, "groups", None)
        if groups is not None and len(groups):
            # one more row: the group rule (its threshold is a number of shared bursts of
            # a trio; its flagged accounts are the members of its groups)
            g = groups.set_index("cohort")
            out = _with_rule_row(out, g, **{
                "kind": g["rule"].iloc[0],
                "threshold (tweets)": f"{int(g['threshold'].iloc[0])} bursts per trio",
                "threshold from": g["threshold_from"].iloc[0],
                "thresholds by activity (least active first)": g["thresholds_by_activity"].iloc[0]})
        return out.dropna(axis=1, how="all")

    def binding(self) -> pd.Series:
        """Each community member's most specific link (:data:`SPECIFICITY`, the group
        rule's ``co_group`` before the shared hashtags and domains), indexed by userid.

        An account tied to the others only by the hashtags or the domains they use in the
        same minutes may just share their topic; one that shares their retweets or texts
        within the window acts with them: the headline counts the two apart
        (:data:`TOPIC_KINDS`).
        """
        from casebook.coordination.groups import GROUP_KIND

        order = list(SPECIFICITY)
        order.insert(order.index("co_domain"), GROUP_KIND)
        rank = {k: i for i, k in enumerate(order)}
        e = self.linked
        ends = pd.DataFrame({
            "userid": np.concatenate([e["source"].astype(str).to_numpy(object),
                                      e["target"].astype(str).to_numpy(object)]),
            "rank": np.tile(e["kind"].astype(str).map(rank).fillna(len(order)).to_numpy(), 2),
        })
        members = self.communities["userid"].astype(str) if len(self.communities) else []
        best = (ends[ends["userid"].isin(members)].groupby("userid")["rank"].min()
                .astype(int))
        return best.map(dict(enumerate(order))).rename("kind")

    def top_edges(self) -> pd.DataFrame:
        """The heaviest strong link of each kind, most specific kinds first.

        Kinds run from the most specific evidence (same retweet, same text) to the
        broadest (same domain, same hashtag): :data:`SPECIFICITY`.
        """
        order = {k: i for i, k in enumerate(SPECIFICITY)}
        return (self.strong.assign(_order=self.strong["kind"].map(order))
                    .sort_values(["_order", "weight", "source", "target"],
                                 ascending=[True, False, True, True])
                    .drop_duplicates("kind").drop(columns="_order").reset_index(drop=True))

    def evidence(self, release: Release, *, kind: str | None = None,
                 window: str = "1min") -> pd.DataFrame:
        """The tweet pairs behind the heaviest link of ``kind`` (default: the most
        specific kind with a strong link)."""
        from casebook import coordination as co

        top = self.top_edges()
        if kind is not None:
            top = top[top["kind"] == kind]
        if top.empty:
            return pd.DataFrame()
        edge = top.iloc[0]
        return co.edge_evidence(release, edge["source"], edge["target"], kind=edge["kind"],
                                window=window)


#: The modules whose constants decide a coordination result: their values at run time
#: enter the key of a kept result (:mod:`casebook.resultcache`).
COORDINATION_MODULES: tuple[str, ...] = tuple(
    f"casebook.coordination{m}" for m in ("", ".calibration", ".communities", ".engine",
                                          ".groups", ".kinds", ".near_duplicate", ".network",
                                          ".null", ".text"))


#: Memory the coordination section needs beside the loaded tables, per tweet of the
#: operation and the control cohort together, rounded up: a case at specimen scale 8
#: (6.4M tweets) peaked 3.45 GB above its memory after loading, about 0.55 KB a tweet.
COORDINATION_BYTES_PER_TWEET: int = 1000

#: Coordination sections started early (:func:`start_coordination`): (release,
#: control, their tables then, options, result) by call, taken by the
#: :func:`coordination_analysis` call with the same arguments and tables.
_EARLY: list[tuple[Release, Release | None, tuple[object, ...], dict[str, object], Future]] = []
_EARLY_LOCK = threading.Lock()


def start_coordination(release: Release, control: Release | None, *,
                       background: bool | None = None, **options: object) -> bool:
    """Begin :func:`coordination_analysis` of ``release`` on a second thread now, so that
    the section is computed on the spare core while the sections before it run.

    The later :func:`coordination_analysis` call with the same release, control and
    options waits for it and returns its result (the same result: the section is
    seeded); a call with other options, or after a table of either release was replaced
    (``release.tweets = ...``), computes its own. A table changed in place meanwhile
    would be read by both threads at once: change a copy.

    Parameters
    ----------
    release, control
        As for :func:`coordination_analysis`.
    background
        Whether to start. Default: in a report run only
        (:func:`casebook.widgets.static_mode`: papermill, nbval, ``casebook run``), with
        two threads or more (:func:`casebook._threads.threads`: a core each), when the
        memory available is at least twice the section's estimate
        (:data:`COORDINATION_BYTES_PER_TWEET` per tweet), since the other sections hold
        their own memory meanwhile. In JupyterLab the section runs
        when its cell runs, with its progress bar: a thread cannot be interrupted, and an
        investigator re-running cells would start one computation after another.
    **options
        The keyword arguments of :func:`coordination_analysis` (not ``progress``).

    Returns
    -------
    bool
        Whether the section was started.

    Examples
    --------
    >>> start_coordination(release, case.control, seed=0)  # doctest: +SKIP
    False
    """
    arguments = _coordination_options(options)
    if background is None:
        background = _worth_starting(release, control)
    if not background:
        return False
    job: Future = Future()
    job.set_running_or_notify_cancel()
    # the thread computes on the tables the release holds now: a table assigned to it
    # meanwhile (``release.tweets = ...``) makes the later call compute its own
    frozen = replace(release), None if control is None else replace(control)

    def run() -> None:
        try:
            job.set_result(_coordination_analysis(*frozen, progress=False, **arguments))
        except BaseException as error:  # noqa: BLE001 - raised again by the waiting call
            job.set_exception(error)

    with _EARLY_LOCK:
        _EARLY.append((release, control, _tables(release, control), arguments, job))
    # a daemon thread: a kernel shut down before the section's cell does not wait for it
    threading.Thread(target=run, name="casebook-coordination", daemon=True).start()
    return True


def _coordination_options(options: Mapping[str, object]) -> dict[str, object]:
    """``options`` of :func:`coordination_analysis` with every default filled in."""
    import inspect

    signature = inspect.signature(coordination_analysis)
    names = [name for name in signature.parameters if name not in ("release", "control", "progress")]
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise UsageError(f"start_coordination takes the options of coordination_analysis, "
                         f"not {', '.join(unknown)}")
    return {name: options.get(name, signature.parameters[name].default) for name in names}


def _worth_starting(release: Release, control: Release | None) -> bool:
    """The default of :func:`start_coordination` (see there)."""
    from casebook._memory import available_memory
    from casebook._threads import threads
    from casebook.widgets import static_mode

    if not static_mode() or threads() < 2:
        return False

    tweets = len(release.tweets) + (len(control.tweets) if control is not None else 0)
    available = available_memory()
    return available is not None and available >= 2 * COORDINATION_BYTES_PER_TWEET * tweets


def _early_job(release: Release, control: Release | None,
               arguments: dict[str, object]) -> Future | None:
    """The started section of these arguments (taken off the list), or None."""
    tables = _tables(release, control)
    with _EARLY_LOCK:
        for i, (rel, ctl, then, args, job) in enumerate(_EARLY):
            if (rel is release and ctl is control and args == arguments
                    and all(a is b for a, b in zip(then, tables, strict=True))):
                del _EARLY[i]
                return job
    return None


def _tables(release: Release, control: Release | None) -> tuple[object, ...]:
    """The tables a coordination section reads, by identity."""
    return (release.tweets, release.users,
            *((control.tweets, control.users) if control is not None else (None, None)))


def coordination_analysis(
    release: Release,
    control: Release | None,
    *,
    kinds: Sequence[str] | None = None,
    window: str = "1min",
    control_fpr: float = 0.01,
    min_weight: int | None = None,
    seed: int = 0,
    null_fpr: float = 0.01,
    n_null: int | None = None,
    combined_share: float | None = None,
    n_strata: int | None = None,
    group_rule: bool | None = None,
    cache: bool = True,
    progress: bool | None = None,
) -> CoordinationResult:
    """Coordination networks of a release, thresholded against chance and ordinary accounts.

    Each kind's thresholds, one per activity stratum (accounts cut at the quartiles of
    their tweet counts; a pair takes its more active account's), are the smallest weights
    that chance replicates of the release itself reach for at most ``null_fpr`` of its
    accounts, all kinds together (tweets moved by whole days, texts shuffled across
    accounts: :func:`casebook.coordination.calibrated_thresholds`); with a control cohort
    a threshold is raised where it would flag more than ``control_fpr`` of the ordinary
    accounts. The coordinated accounts are the members of Louvain communities on the
    strong edges (at or above their threshold, or, with ``combined_share``, of a pair
    whose evidence summed across kinds is above the combined threshold) and of the
    groups (the accounts of bursts in which the same three accounts met more often than
    chance and the control allow: :mod:`casebook.coordination.groups`); the same count
    on every replicate says how far above chance it is
    (:meth:`CoordinationResult.strength`).

    Parameters
    ----------
    release, control
        The operation and the control cohort (None: chance alone sets the thresholds).
    kinds
        Network kinds (default: every kind but the ``co_post`` baseline).
    window
        Time window (minimum one minute: the archive clock has minute resolution).
    control_fpr
        Largest share of control accounts a kind's threshold may flag.
    min_weight
        Fixed threshold for every kind instead of the calibrated ones.
    seed
        Seed of the chance replicates and of the community detection.
    null_fpr
        Largest share of the release's accounts the chance replicates may flag.
    n_null
        Chance replicates (default :data:`casebook.coordination.N_NULL`).
    combined_share
        Share of ``null_fpr`` left to the rule that adds evidence across kinds (default
        :data:`casebook.coordination.COMBINED_SHARE`: off).
    n_strata
        Activity strata, each with its own thresholds (default
        :data:`casebook.coordination.ACTIVITY_STRATA`).
    group_rule
        Also find groups whose every pair is weak but whose trios recur in the same
        bursts (default :data:`casebook.coordination.GROUP_RULE`: on).
    cache
        Keep the result in the cache folder and read it back when the same tables
        (their content, not their files), parameters and code come again
        (:mod:`casebook.resultcache`): a re-run of a case skips the section's minutes.
        :attr:`CoordinationResult.cached` says whether it was read back.
    progress
        Show a progress bar while the section is computed (each kind's network, each
        chance replicate, the communities): a release of millions of tweets takes
        minutes. Default: where the explorer is live
        (:func:`casebook.widgets.static_mode` is false, a JupyterLab kernel), never in a
        papermill or nbval run, whose stored outputs must not change from run to run.
    """
    options = {"kinds": kinds, "window": window, "control_fpr": control_fpr,
               "min_weight": min_weight, "seed": seed, "null_fpr": null_fpr,
               "n_null": n_null, "combined_share": combined_share, "n_strata": n_strata,
               "group_rule": group_rule, "cache": cache}
    job = _early_job(release, control, options) if _EARLY else None
    if job is not None:
        return job.result()
    return _coordination_analysis(release, control, progress=progress, **options)


def _coordination_analysis(
    release: Release, control: Release | None, *, kinds: Sequence[str] | None, window: str,
    control_fpr: float, min_weight: int | None, seed: int, null_fpr: float,
    n_null: int | None, combined_share: float | None, n_strata: int | None,
    group_rule: bool | None, cache: bool, progress: bool | None,
) -> CoordinationResult:
    """:func:`coordination_analysis` computed here and now (or read from the cache)."""
    from casebook import coordination as co
    from casebook import resultcache

    kinds = list(kinds or co.DEFAULT_KINDS)
    params = {
        "kinds": kinds, "window": window, "null_fpr": null_fpr, "control_fpr": control_fpr,
        "min_weight": min_weight, "seed": seed,
        "n_null": co.N_NULL if n_null is None else n_null,
        "combined_share": co.COMBINED_SHARE if combined_share is None else combined_share,
        "n_strata": co.ACTIVITY_STRATA if n_strata is None else n_strata,
        "group_rule": co.GROUP_RULE if group_rule is None else group_rule,
    }
    key = None
    if cache:
        tables = [release.tweets, release.users, *((control.tweets, control.users)
                                                   if control is not None else (None, None))]
        try:
            key = resultcache.result_key("coordination", tables, params,
                                         modules=COORDINATION_MODULES)
        except resultcache.Uncacheable:
            key = None  # computed, not kept
        kept = None if key is None else resultcache.lookup("coordination", key)
        if kept is not None:
            restored = _coordination_from(*kept)
            if restored is not None:
                return restored
    if progress is None:
        from casebook.widgets import static_mode

        progress = not static_mode()
    steps = co.calibration_steps(kinds, params["n_null"], control is not None) + 1
    with _progress_bar(steps, "coordination", enabled=progress) as step:
        cal = co.calibrated_thresholds(
            release, control, kind=kinds, window=window, null_fpr=null_fpr,
            n_null=params["n_null"], control_fpr=control_fpr, min_weight=min_weight,
            seed=seed, combined_share=params["combined_share"], n_strata=params["n_strata"],
            group_rule=params["group_rule"], progress=step)
        edges = cal.edges["operation"]
        strong = edges.loc[cal.strong(edges)].reset_index(drop=True)
        result = CoordinationResult(cal.table, edges, strong, pd.DataFrame(), pd.DataFrame(),
                                    cal.edges.get("control"), cal.null_counts, cal.combined,
                                    cal.combined_pairs, cal)
        # two members of a group need not share a per-kind edge (their tweets can be
        # further apart than the window), so the group edges link them for the communities
        linked = result.linked
        result.communities = co.detect_communities(linked, seed=seed)
        if len(result.communities):
            result.summary = co.summarise_communities(release, linked, result.communities)
        if step is not None:
            step("communities")
    if key is not None:
        resultcache.keep("coordination", key, *_coordination_parts(result))
    return result


@contextlib.contextmanager
def _progress_bar(total: int, desc: str, *, enabled: bool
                  ) -> Iterator[Callable[[str], None] | None]:
    """A progress bar of ``total`` steps (tqdm: a widget in JupyterLab, text in a
    terminal) and the callback that advances it by one step, naming the step; None and
    no bar when not ``enabled``. The callback may be called from worker threads."""
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    lock = threading.Lock()
    with tqdm(total=total, desc=desc, unit="step") as bar:
        def step(label: str) -> None:
            with lock:
                bar.set_postfix_str(label, refresh=False)
                bar.update(1)

        yield step


def _coordination_parts(result: CoordinationResult) -> tuple[dict[str, pd.DataFrame | None],
                                                              dict[str, object]]:
    """A coordination result as (tables, JSON values) for :func:`resultcache.keep`."""
    cal = result.calibrated
    tables = {
        "table": cal.table, "edges": cal.edges["operation"],
        "control_edges": cal.edges.get("control"), "combined": cal.combined,
        "combined_pairs": cal.combined_pairs, "groups": cal.groups,
        "group_trios": cal.group_trios, "group_edges": cal.group_edges,
        "activity": None if cal.activity is None else cal.activity.to_frame(),
        "strong": result.strong, "communities": result.communities, "summary": result.summary,
        "control_flagged": cal.control_flagged,
    }
    values = {"thresholds": cal.thresholds, "n_null": cal.n_null,
              "control_accounts": cal.control_accounts,
              "null_counts": np.asarray(cal.null_counts).tolist(),
              "null_counts_dtype": str(np.asarray(cal.null_counts).dtype),
              "by_activity": cal.by_activity}
    return tables, values


def _coordination_from(tables: dict[str, pd.DataFrame | None],
                       values: dict[str, object]) -> CoordinationResult | None:
    """The result :func:`_coordination_parts` kept, built as :func:`coordination_analysis`
    builds it (None for an entry that does not hold one)."""
    from casebook.coordination import Calibration

    try:
        edges = {"operation": tables["edges"]}
        if tables.get("control_edges") is not None:
            edges["control"] = tables["control_edges"]
            if tables.get("control_flagged") is None:
                return None  # kept before the control's flagged accounts were: computed again
        activity = tables.get("activity")
        cal = Calibration(
            tables["table"], {k: int(v) for k, v in values["thresholds"].items()}, edges,
            np.asarray(values["null_counts"], dtype=values["null_counts_dtype"]),
            int(values["n_null"]), tables.get("combined"), tables.get("combined_pairs"),
            values["by_activity"], None if activity is None else activity.iloc[:, 0],
            tables.get("groups"), tables.get("group_trios"), tables.get("group_edges"),
            tables.get("control_flagged"), values.get("control_accounts"))
        return CoordinationResult(
            cal.table, edges["operation"], tables["strong"], tables["communities"],
            tables["summary"], edges.get("control"), cal.null_counts, cal.combined,
            cal.combined_pairs, cal, cached=True)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def coordination_overview(
    releases: Mapping[str, Release],
    control: Release | None,
    *,
    kinds: Sequence[str] | None = None,
    window: str = "1min",
    control_fpr: float = 0.01,
    seed: int = 0,
    null_fpr: float = 0.01,
    n_null: int | None = None,
) -> pd.DataFrame:
    """Coordination of several operations side by side, each against its own chance
    replicates and one control cohort.

    Returns
    -------
    pandas.DataFrame
        Per dataset: accounts, coordinated accounts and their share, how many of them
        are linked only by hashtags or domains (:meth:`CoordinationResult.binding`), how
        strong that count is (:meth:`CoordinationResult.verdict`) and how it compares with
        chance and with the control cohort's, communities, largest community, and the
        kinds that bind the largest community.
    """
    rows = []
    for name, rel in releases.items():
        res = coordination_analysis(rel, control, kinds=kinds, window=window,
                                    control_fpr=control_fpr, seed=seed, null_fpr=null_fpr,
                                    n_null=n_null)
        com = res.communities
        binding = (", ".join(res.summary["binding_kinds"].iloc[0])
                   if len(res.summary) and "binding_kinds" in res.summary else "")
        rows.append({
            "dataset": name,
            "accounts with tweets": int(rel.tweets["userid"].nunique()),
            "coordinated accounts": len(com),
            "coordinated share": round(len(com) / max(1, rel.tweets["userid"].nunique()), 3),
            "of them by hashtags or domains only": (
                int(res.binding().isin(TOPIC_KINDS).sum()) if len(com) else 0),
            "verdict": res.verdict(),
            "against chance and ordinary accounts": res.strength(),
            "communities": int(com["community"].nunique()) if len(com) else 0,
            "largest community": int(com["community_size"].max()) if len(com) else 0,
            "kinds binding the largest": binding,
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- small multiples


def _grid(n: int, *, ncols: int = 2, height: float = 2.6, width: float = 6.0):
    import matplotlib.pyplot as plt

    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, constrained_layout=True)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def plot_timelines(releases: Mapping[str, Release], *, freq: str = "W",
                   events: Mapping[str, Sequence[Mapping[str, str]]] | None = None):
    """Small multiples: tweet volume of each operation with its own events.

    Returns the matplotlib Figure.
    """
    fig, axes = _grid(len(releases))
    for ax, (name, rel) in zip(axes, releases.items(), strict=True):
        activity.plot_volume(rel.tweets, freq=freq, events=(events or {}).get(name), ax=ax,
                             title=f"{name}: tweets per {freq_label(freq)}")
    fig.suptitle("Activity over time (UTC), with each operation's events")
    return fig


def plot_hour_fingerprints(releases: Mapping[str, Release]):
    """Small multiples: share of tweets by hour of day (UTC) per operation.

    Returns the matplotlib Figure.
    """
    fig, axes = _grid(len(releases), height=2.4)
    for ax, (name, rel) in zip(axes, releases.items(), strict=True):
        hours = rel.tweets["tweet_time"].dt.hour.value_counts(normalize=True).reindex(
            range(24), fill_value=0.0)
        ax.bar(hours.index, hours.to_numpy() * 100, color="#4c72b0", width=0.85)
        tz = activity.infer_utc_offset(rel.tweets, workweek=catalogue.workweek_of(name)).iloc[0]
        ax.set(title=f"{name}: inferred operator time {zone_label(tz)}",
               xlabel="hour of day (UTC)", ylabel="share of tweets", xticks=range(0, 24, 3))
        percent_axis(ax.yaxis, whole=100)
        literal_text(ax)
    fig.suptitle("Hour-of-day fingerprints")
    return fig


def client_mix(releases: Mapping[str, Release]) -> pd.DataFrame:
    """Share of tweets per client class (:data:`casebook.content.CLIENT_CLASS_ORDER`) per operation."""
    rows = []
    for name, rel in releases.items():
        shares = content.client_class_shares(rel.tweets).set_index("client_class")["share"]
        rows.append({"dataset": name, **{k: round(float(shares.get(k, 0.0)), 3)
                                         for k in content.CLIENT_CLASS_ORDER}})
    return pd.DataFrame(rows)


def plot_client_mix(releases: Mapping[str, Release], *, ax=None):
    """Stacked bars of client classes per operation; returns the Axes."""
    import matplotlib.pyplot as plt

    mix = client_mix(releases).set_index("dataset") * 100
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2), constrained_layout=True)
    mix.plot.barh(stacked=True, ax=ax, color=["#4c72b0", "#55a868", "#dd8452", "#8172b2",
                                              "#c44e52", "#937860"][:mix.shape[1]])
    ax.set(title="Tweets by client class", xlabel="share of tweets", ylabel="")
    percent_axis(ax.xaxis, whole=100)
    legend_beside(ax, title="client class")  # beside the bars, never over them
    for label in ax.get_yticklabels():
        label.set_parse_math(False)
    return literal_text(ax)


def overview_findings(case: Case, *, ledger: pd.DataFrame,
                      coordination: pd.DataFrame | None = None) -> pd.DataFrame:
    """Headline findings across operations: one row per operation, then the verdict tally.

    Parameters
    ----------
    case
        The overview's case (every operation as a dataset).
    ledger
        :meth:`Case.ledger` over every dataset.
    coordination
        :func:`coordination_overview`, optional.
    """
    rows = []
    coord = coordination.set_index("dataset") if coordination is not None else None
    for name, rel in case.releases.items():
        top = accounts.top_accounts(rel, n=1)
        detail = [f"largest account {float(top['share'].iloc[0]):.1%} of tweets" if len(top) else ""]
        if len(top) and case.control is not None and len(case.control.tweets):
            # the share falls as a cohort grows: ordinary accounts as many as post here
            m = int(rel.tweets["userid"].nunique())
            at = accounts.top_share_at_size(case.control.tweets, m).iloc[0]
            detail[0] += (f" (ordinary accounts' most active among {int(at['drawn']):,} of "
                          f"them: a median {at['median']:.1%} of theirs; "
                          f"{evidence.contrast_words(float(top['share'].iloc[0]), float(at['median']))})")
        if coord is not None and name in coord.index:
            row = coord.loc[name]
            said = f"{int(row['coordinated accounts'])} coordinated accounts"
            if "verdict" in coord:
                said += f" ({row['verdict']}: {row['against chance and ordinary accounts']})"
            topics = int(row.get("of them by hashtags or domains only", 0) or 0)
            if topics:
                said += f", {topics} of them linked only by hashtags or domains"
            detail.append(said)
        rows.append({"finding": f"{name}", "value": f"{len(rel.users):,} accounts, {len(rel.tweets):,} tweets",
                     "detail": "; ".join(filter(None, detail))})
    # a descriptive claim describes the release, a distinctive one says it stands apart
    # from ordinary accounts on a measure: tallied apart
    types = (ledger["claim_type"] if "claim_type" in ledger
             else pd.Series("", index=ledger.index))
    parts = []
    for kind in (*(t for t in evidence.CLAIM_TYPES[::-1] if (types == t).any()), ""):
        tally = ledger.loc[types == kind, "verdict"].value_counts()
        if len(tally):
            words = ", ".join(f"{int(n)} {v}" for v, n in tally.items())
            parts.append(f"{kind}: {words}" if kind else words)
    detail = "; ".join(parts)
    if case.unclaimed:
        detail = "; ".join(filter(None, [detail, "no claims known for "
                                         + ", ".join(case.unclaimed)]))
    rows.append({"finding": "Claims tested", "value": f"{len(ledger)}", "detail": detail})
    return pd.DataFrame(rows, columns=list(report.FINDING_COLUMNS))


def _known_claims(name: str) -> bool:
    """Whether the claims ledger holds published claims about this dataset: the four
    February 2021 datasets of :data:`casebook.catalogue.PUBLISHED` (other releases get
    their claims from a claims file: :func:`release_ledger`)."""
    return catalogue.dataset_of(name) in catalogue.PUBLISHED


# --------------------------------------------------------------------------- titles and texts

_NUMBERS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def shown_name(name: str) -> str:
    """A release name as plain text a page can show: controls escaped, bidi and invisible
    characters as ``<U+XXXX>`` (:func:`casebook.safety.escape_controls`). Not HTML-escaped."""
    return str(safety.escape_controls(str(name)))


def _names(names: Sequence[str]) -> str:
    shown = [shown_name(n) for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _count(n: int, noun: str) -> str:
    word = _NUMBERS[n] if n < len(_NUMBERS) else f"{n:,}"
    return f"{word} {noun}{'' if n == 1 else 's'}"


def _month(iso_date: str) -> str:
    """``2021-02-23`` -> ``February 2021``."""
    year, month = str(iso_date)[:4], int(str(iso_date)[5:7])
    return f"{_MONTHS[month - 1]} {year}"


def _entry(name: str):
    """The catalogue's entry for a dataset name (:func:`casebook.catalogue.release_of`), or None."""
    release_of = getattr(catalogue, "release_of", None)
    dataset = catalogue.dataset_of(name)
    if release_of is None or dataset is None:
        return None
    return release_of(dataset)


def _span(release: Release) -> str:
    t = release.tweets["tweet_time"] if "tweet_time" in release.tweets else pd.Series([], dtype=object)
    t = t.dropna()
    if not len(t):
        return "no dated tweets"
    return f"{t.min():%Y-%m-%d} to {t.max():%Y-%m-%d} (UTC)"


def _size(release: Release) -> str:
    files = len(release.provenance) if getattr(release, "provenance", None) is not None else 0
    active = release.tweets["userid"].nunique() if len(release.tweets) else 0
    return (f"{len(release.users):,} accounts ({active:,} with tweets) and "
            f"{len(release.tweets):,} tweets, "
            f"{_span(release)}, read from {files} file{'' if files == 1 else 's'}")


def _published(name: str, release: Release | None = None) -> str:
    """What the catalogue says about a dataset, and how much of it the data holds."""
    entry = _entry(name)
    cover = catalogue.coverage(release) if release is not None else None
    if entry is None:
        said = (f"The catalogue of the archive (casebook releases) has no entry for "
                f"{shown_name(name)}")
        if cover is None:
            return said + ": whether this data is the whole release or a sample of it cannot be told here."
        return said + f"; {cover.describe()}."
    counts = ", ".join(filter(None, [
        f"{entry.accounts:,} accounts" if entry.accounts is not None else "",
        f"{entry.tweets:,} tweets" if entry.tweets is not None else ""]))
    said = (f"{entry.name} was disclosed on {entry.disclosed} (archive release {entry.release}), "
            f"attributed to {entry.country}: {entry.summary}; published size: "
            f"{counts or 'none published'} (sources: casebook releases {entry.name} --json).")
    if cover is not None:
        share = ("all of it" if cover.share >= 0.99 else "part of it" if cover.sufficient
                 else "a small sample of it")
        if "synthetic" in cover.basis:  # the specimen is compared with its own scale
            share = f"{share} at the specimen's scale"
        said += f" This data is {share}: {cover.describe()}."
    elif release is not None:
        said += " Whether this data is the whole release or a sample cannot be told from that."
    return said


def _intro(title: str, paragraphs: Sequence[str], *, css: str) -> report.SafeHTML:
    """A heading and paragraphs of plain text, escaped, as one display."""
    esc = safety.escape_html
    body = f"<h1>{esc(title)}</h1>" + "".join(f"<p>{esc(p)}</p>" for p in paragraphs if p)
    html = safety.no_math(f'<div class="{css}">{body}</div>')
    return report.SafeHTML(html=html, text="\n\n".join([title, *filter(None, paragraphs)]))


def release_title(case: Case) -> str:
    """The title of a release report: the release it is about (plain text, unescaped).

    Examples
    --------
    >>> release_title(open_case("data/raw/RNA_0621"))  # doctest: +SKIP
    'Release · RNA_0621'
    """
    names = list(case.releases)
    title = f"Release · {shown_name(names[0])}"
    if len(names) > 1:
        title += f", compared with {_names(names[1:])}"
    return title


def release_intro(case: Case, *, claims_file: str | os.PathLike[str] = "") -> report.SafeHTML:
    """The title and introduction of a release report, written from its data.

    Parameters
    ----------
    case
        The case (:func:`open_case`); its first dataset is the release the report is about.
    claims_file
        The claims file given for it (``""``: none); only its file name is shown.

    Returns
    -------
    SafeHTML
        An ``<h1>`` naming the release (:func:`release_title`), then what the data holds,
        what the catalogue of the archive says about the release (or that it has no
        entry, so whether the data is a sample cannot be told), where the claims come
        from, and how the releases were chosen. Every name is escaped.
    """
    name, release = next(iter(case.releases.items()))
    paragraphs = [
        f"This report runs the casebook's sections on the release {shown_name(name)}: where "
        "the data comes from and whether it loaded cleanly, who the accounts are, when and "
        "how they posted, what they pushed, whether they acted in concert, the claims given "
        "for it, and the findings.",
        f"{shown_name(name)} holds {_size(release)}.",
        _published(name, release),
    ]
    for other, rel in list(case.releases.items())[1:]:
        paragraphs.append(f"Compared with {shown_name(other)}: {_size(rel)}.")
    if str(claims_file):
        paragraphs.append(f"Claims tested: those of {shown_name(Path(claims_file).name)} "
                          "(section 6).")
    else:
        paragraphs.append("No claims were given for this release; -p claims_file FILE adds "
                          "claims written for it (section 6).")
    if case.absent:
        paragraphs.append(f"Not found in the data folder: {_names(case.absent)}.")
    paragraphs += [shown_name(n) for n in case.notes]
    paragraphs.append("Every number below is computed by a function of the casebook package "
                      "on the data named in the next cells.")
    return _intro(release_title(case), paragraphs, css="casebook-intro")


def _disclosures(names: Sequence[str]) -> str:
    """`` from the February 2021 disclosure`` when every dataset is catalogued with the
    same disclosure month, else ``""``."""
    entries = [_entry(n) for n in names]
    if not entries or any(e is None for e in entries):
        return ""
    months = {_month(e.disclosed) for e in entries}
    return f" from the {months.pop()} disclosure" if len(months) == 1 else ""


def overview_title(case: Case) -> str:
    """The title of the overview: how many networks, from which disclosure, named.

    Examples
    --------
    >>> overview_title(open_case("", ["iran_202012", "GRU_202012"]))  # doctest: +SKIP
    'Overview · Two state-linked networks from the February 2021 disclosure, side by side: ...'
    """
    names = list(case.releases)
    catalogued = all(_entry(n) is not None for n in names)
    noun = "state-linked network" if catalogued else "network"
    return (f"Overview · {_count(len(names), noun)}{_disclosures(names)}, side by side: "
            f"{_names(names)}")


def overview_intro(case: Case) -> report.SafeHTML:
    """The title and introduction of the overview, written from the releases present.

    Returns
    -------
    SafeHTML
        An ``<h1>`` (:func:`overview_title`), what each release holds, what the catalogue
        of the archive says about each, and which requested releases are absent. Every
        name is escaped.
    """
    names = list(case.releases)
    built_in = [n for n in names if _known_claims(n)]
    paragraphs = [
        f"This overview compares {_count(len(names), 'release').lower()} on the same "
        "measures: volume, concentration, timing, clients, coordination and the claims "
        "published about them. Each can be studied alone with casebook run release -p "
        "datasets '[NAME]'"
        + (f"; the built-in cases (casebook run --list) study {_names(built_in)} in depth."
           if built_in else "."),
        *(f"{shown_name(n)} holds {_size(rel)}. {_published(n, rel)}"
          for n, rel in case.releases.items()),
    ]
    if case.absent:
        paragraphs.append(f"Not found in the data folder: {_names(case.absent)}.")
    paragraphs += [shown_name(n) for n in case.notes]
    paragraphs.append("Every number below is computed by a function of the casebook package "
                      "on the data named in the next cells.")
    return _intro(overview_title(case), paragraphs, css="casebook-intro")


# --------------------------------------------------------------------------- claims of a file


def release_ledger(case: Case, claims_file: str | os.PathLike[str] = "", *,
                   lexicons: Mapping[str, object] | None = None,
                   coordination: CoordinationResult | None = None) -> pd.DataFrame:
    """The claims of a claims file tested on the case's release (and its control cohort).

    Parameters
    ----------
    case
        The case; its first dataset is tested.
    claims_file
        A YAML file of claims (:func:`casebook.claims.load_claims`); ``""``: none.
    lexicons
        The notebook's ``lexicons`` parameter: reaches every check that reads one.
    coordination
        The release's coordination section (:func:`coordination_analysis`), for claims
        about coordinated accounts (``coordination_share``); without it they are not
        testable.

    Returns
    -------
    pandas.DataFrame
        :data:`casebook.claims.LEDGER_COLUMNS`, one row per claim; no rows without a file.

    Raises
    ------
    ParameterError
        A claims file that cannot be read (naming the file, key and line), or a casebook
        that cannot read claims files.
    """
    from casebook import claims
    from casebook.errors import ParameterError

    if not str(claims_file):
        return pd.DataFrame(columns=list(claims.LEDGER_COLUMNS))
    load_claims = getattr(claims, "load_claims", None)
    if load_claims is None:
        raise ParameterError(f"claims_file {Path(claims_file).name}: this casebook cannot "
                             "read claims files (casebook.claims.load_claims is missing)")
    path = paths.resolve(claims_file)
    # the control's coordinated accounts are those the same rules flag at the same
    # thresholds, so a coordination claim is set beside ordinary accounts too
    extra = ({"coordination": coordination,
              "control_coordination": coordination.control_flagged}
             if coordination is not None else {})
    return claims.evaluate_claims(case.primary, load_claims(path), control=case.control,
                                  lexicons=lexicons, **extra)


def show_ledger(ledger: pd.DataFrame, *, claims_file: str | os.PathLike[str] = "",
                unclaimed: Sequence[str] = (),
                columns: Sequence[str] = ("dataset", "claim", "source", "rule", "evidence",
                                          "verdict")) -> report.SafeHTML:
    """The claims ledger as a table, or a sentence when there are no claims to show.

    Parameters
    ----------
    ledger
        :func:`release_ledger` or :meth:`Case.ledger`.
    claims_file
        The claims file the ledger comes from (its name is shown), ``""`` for none.
    unclaimed
        Datasets left out for want of claims (:attr:`Case.unclaimed`), named under the
        table.
    columns
        Ledger columns to show, in order (those absent from ``ledger`` are skipped).

    Examples
    --------
    >>> show_ledger(release_ledger(case)).text  # doctest: +SKIP
    'No claims were given for this release: -p claims_file FILE adds claims ...'
    """
    esc = safety.escape_html
    missing = (f"No claims are known for {_names(list(unclaimed))}: "
               f"{'it is' if len(unclaimed) == 1 else 'they are'} left out of the ledger."
               if unclaimed else "")
    if len(ledger):
        shown = report.render_ledger(ledger, columns=columns)
        if not missing:
            return shown
        return report.SafeHTML(html=shown.html + safety.no_math(f"<p>{esc(missing)}</p>"),
                               text=f"{shown.text}\n{missing}")
    if str(claims_file):
        said = f"{shown_name(Path(claims_file).name)} holds no claims."
    elif unclaimed:
        said = missing
        missing = ""
    else:
        said = ("No claims were given for this release: -p claims_file FILE adds claims "
                "written for it (a YAML file; params/claims/example.yaml is a template).")
    text = " ".join(filter(None, [said, missing]))
    return report.SafeHTML(html=safety.no_math(f"<p>{esc(text)}</p>"), text=text)
