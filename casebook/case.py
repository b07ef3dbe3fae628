"""A case: the datasets one notebook investigates, with provenance and headline numbers.

The case notebooks open their data with :func:`open_case` (which datasets are present,
which are absent, the control cohort, whether the data is the synthetic specimen), show
:meth:`Case.provenance` and :meth:`Case.validation`, and end with
:func:`headline_findings`, whose rows ``casebook run`` puts in the report index.
:func:`metrics` is the one table that compares operations side by side.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from casebook import accounts, activity, content, discovery, paths, report
from casebook._plotting import freq_label
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
    """

    releases: dict[str, Release]
    absent: list[str]
    folders: dict[str, Path]
    control: Release | None = None
    control_name: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def primary(self) -> Release:
        """The first present dataset (the one the case is about)."""
        return next(iter(self.releases.values()))

    def banner(self) -> report.SafeHTML:
        """Say what data this is: plainly synthetic when any dataset is the specimen."""
        return report.specimen_banner(self.folders)

    def provenance(self) -> pd.DataFrame:
        """One row per input file: dataset, file name, sha256 (first 16), rows, rejected."""
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
                })
        return pd.DataFrame(rows)

    def validation(self) -> pd.DataFrame:
        """Per dataset: tweets, accounts, hashed share, time range, duplicates, rejected."""
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
                "status": "; ".join(r["fatal"]) or "OK",
            })
        return pd.DataFrame(rows)

    def ledger(self, operation: str | None = None, **params: object) -> pd.DataFrame:
        """The claims ledger evaluated on every present dataset (``dataset`` column first).

        Parameters
        ----------
        operation
            ``"iran"``, ``"russia"`` or ``"armenia"``; None picks each dataset's own
            operation from its name.
        **params
            Thresholds of :class:`casebook.claims.ClaimParams`.
        """
        from casebook import claims

        frames = [claims.evaluate_claims(rel, operation, **params).assign(dataset=name)
                  for name, rel in self.releases.items()]
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
    """
    if not data_dir and not paths.specimen_dir().is_dir():
        from casebook.specimen import write_specimen

        write_specimen()
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
            releases[name] = load_release(folder, on_bad_rows=on_bad_rows, name=name)
        folders = dict(present)
        control_release = None
        folder = _control_folder(data_dir, control) if control else None
        if folder is not None:
            folders[str(control)] = folder
            control_release = load_release(folder, on_bad_rows=on_bad_rows, name=control)
    return Case(releases=releases, absent=list(absent), folders=folders,
                control=control_release, control_name=control if control_release else None)


def _control_folder(data_dir: str, control: str) -> Path | None:
    """The control cohort: ``<data_dir>/<control>/`` when it holds release files, else the
    specimen's. Never the data folder itself (a case must not calibrate on itself)."""
    candidates = [paths.resolve(data_dir) / control] if data_dir else []
    candidates.append(paths.specimen_dir() / control)
    for folder in candidates:
        if folder.is_dir() and discovery.is_release_dir(folder):
            return folder
    return None


def metrics(
    releases: Mapping[str, Release],
    *,
    coordinated: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The side-by-side metrics table of several operations.

    Parameters
    ----------
    releases
        Name -> release.
    coordinated
        Optional name -> number of accounts in coordination communities (from the
        coordination section), added as a column.

    Returns
    -------
    pandas.DataFrame
        One row per dataset: accounts, tweets, time span, hashed share, top-account
        share, retweet share, automation-client share, median followers, median likes
        per original tweet, inferred operator time zone.
    """
    rows = []
    for name, rel in releases.items():
        t, u = rel.tweets, rel.users
        conc = accounts.concentration(t).iloc[0]
        clients = content.client_class_shares(t).set_index("client_class")["share"]
        tz = activity.infer_utc_offset(t).iloc[0]
        eng = content.engagement_summary(t)
        likes = eng["median"].get("like_count")
        row = {
            "dataset": name,
            "accounts": len(u),
            "tweets": len(t),
            "first tweet": t["tweet_time"].min().strftime("%Y-%m-%d") if len(t) else "",
            "last tweet": t["tweet_time"].max().strftime("%Y-%m-%d") if len(t) else "",
            "hashed share": round(float(u["hashed"].mean()), 3) if len(u) else None,
            "top account share": round(float(conc["top1_share"]), 3),
            "retweet share": round(float(t["is_retweet"].mean()), 3) if len(t) else None,
            "automation share": round(float(clients.get("automation", 0.0)), 3),
            "median followers": float(u["follower_count"].median()) if len(u) else None,
            "median likes (originals)": None if likes is None or pd.isna(likes) else float(likes),
            "operator time zone": tz["label"],
        }
        if coordinated is not None:
            row["coordinated accounts"] = int(coordinated.get(name, 0))
        rows.append(row)
    return pd.DataFrame(rows)


def headline_findings(
    release: Release,
    *,
    ledger: pd.DataFrame,
    communities: pd.DataFrame | None = None,
    offset: pd.DataFrame | None = None,
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
        The time-zone inference from :func:`casebook.activity.infer_utc_offset`.

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
         "detail": "tweets of the most active account / all tweets"},
    ]
    if offset is not None and len(offset):
        o = offset.iloc[0]
        rows.append({"finding": "Operator time zone (inferred)", "value": o["label"],
                     "detail": f"office-hours fit; runner-up {activity.format_utc_offset(o['runner_up'])}, "
                               f"confidence {o['confidence']:.2f}"})
    if communities is not None:
        n_comm = int(communities["community"].nunique()) if len(communities) else 0
        largest = int(communities["community_size"].max()) if len(communities) else 0
        rows.append({"finding": "Coordinated accounts",
                     "value": f"{len(communities):,} accounts in {n_comm} communities",
                     "detail": f"largest community: {largest} accounts; thresholds calibrated on the control cohort"})
    for rec in ledger.to_dict("records"):
        rows.append({"finding": f"Claim: {rec['claim']}", "value": rec["verdict"],
                     "detail": rec["evidence"]})
    return pd.DataFrame(rows, columns=list(report.FINDING_COLUMNS))


# --------------------------------------------------------------------------- coordination


#: Coordination kinds from the most specific evidence to the broadest.
SPECIFICITY: tuple[str, ...] = (
    "co_retweet", "co_tweet", "near_duplicate", "co_link", "co_reply", "co_mention",
    "co_domain", "co_hashtag", "co_post",
)


@dataclass
class CoordinationResult:
    """What the coordination section of a case shows.

    Attributes
    ----------
    calibration
        Per kind, operation vs control: edge-weight percentiles, the threshold chosen on
        the control, flagged accounts (see :func:`casebook.coordination.calibrate`).
    edges
        Every directed edge of every kind (``min_weight=1``).
    strong
        Edges at or above their kind's calibrated threshold.
    communities
        ``userid, community, community_size`` on the strong edges.
    summary
        One row per community (:func:`casebook.coordination.summarise_communities`).
    """

    calibration: pd.DataFrame
    edges: pd.DataFrame
    strong: pd.DataFrame
    communities: pd.DataFrame
    summary: pd.DataFrame
    control_edges: pd.DataFrame | None = None

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
        """Per kind: threshold and flagged share of operation and control accounts."""
        cal = self.calibration
        op = cal[cal["cohort"] == "operation"].set_index("kind")
        ctl = cal[cal["cohort"] == "control"].set_index("kind")
        out = pd.DataFrame({
            "threshold (tweets)": op["threshold"],
            "operation accounts flagged": op["flagged_accounts"],
            "operation share flagged": op["flagged_share"].round(3),
            "control accounts flagged": ctl["flagged_accounts"].reindex(op.index),
            "control share flagged": ctl["flagged_share"].reindex(op.index).round(3),
        })
        return out.reset_index()

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


def coordination_analysis(
    release: Release,
    control: Release | None,
    *,
    kinds: Sequence[str] | None = None,
    window: str = "1min",
    control_fpr: float = 0.01,
    min_weight: int | None = None,
    seed: int = 0,
) -> CoordinationResult:
    """Coordination networks of a release, thresholded on a control cohort.

    Parameters
    ----------
    release, control
        The operation and the control cohort (None: ``min_weight`` or 2 is used).
    kinds
        Network kinds (default: every kind but the ``co_post`` baseline).
    window
        Time window (minimum one minute: the archive clock has minute resolution).
    control_fpr
        Largest share of control accounts a kind's threshold may flag.
    min_weight
        Fixed threshold for every kind instead of the calibrated ones.
    seed
        Seed of the community detection.
    """
    from casebook import coordination as co

    kinds = list(kinds or co.DEFAULT_KINDS)
    control_edges = None
    if control is not None:  # one pass computes both cohorts' networks and the thresholds
        cal, nets = co.calibrate(release, control, kind=kinds, window=window, fpr=control_fpr,
                                 min_weight=min_weight, return_edges=True)
        edges, control_edges = nets["operation"], nets["control"]
    else:
        edges = co.networks(release, kinds=kinds, window=window, min_weight=1)
        cal = pd.DataFrame({"kind": kinds, "cohort": "operation",
                            "threshold": min_weight or 2, "flagged_accounts": pd.NA,
                            "flagged_share": pd.NA})
    thr = cal[cal["cohort"] == "operation"].set_index("kind")["threshold"]
    weight = pd.to_numeric(edges["weight"]).astype("float64")
    needed = pd.to_numeric(edges["kind"].astype(object).map(thr)).astype("float64")
    strong = edges.loc[(weight >= needed).to_numpy()].reset_index(drop=True)
    communities = co.detect_communities(strong, seed=seed)
    summary = (co.summarise_communities(release, strong, communities) if len(communities)
               else pd.DataFrame())
    return CoordinationResult(cal, edges, strong, communities, summary, control_edges)


def coordination_overview(
    releases: Mapping[str, Release],
    control: Release | None,
    *,
    kinds: Sequence[str] | None = None,
    window: str = "1min",
    control_fpr: float = 0.01,
    seed: int = 0,
) -> pd.DataFrame:
    """Coordination of several operations side by side, on one control cohort.

    Returns
    -------
    pandas.DataFrame
        Per dataset: accounts, coordinated accounts and their share, communities,
        largest community, and the kinds that bind the largest community.
    """
    rows = []
    for name, rel in releases.items():
        res = coordination_analysis(rel, control, kinds=kinds, window=window,
                                    control_fpr=control_fpr, seed=seed)
        com = res.communities
        binding = (", ".join(res.summary["binding_kinds"].iloc[0])
                   if len(res.summary) and "binding_kinds" in res.summary else "")
        rows.append({
            "dataset": name,
            "accounts with tweets": int(rel.tweets["userid"].nunique()),
            "coordinated accounts": len(com),
            "coordinated share": round(len(com) / max(1, rel.tweets["userid"].nunique()), 3),
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
        tz = activity.infer_utc_offset(rel.tweets).iloc[0]
        ax.set(title=f"{name}: inferred operator time {tz['label']}",
               xlabel="hour of day (UTC)", ylabel="share of tweets (%)", xticks=range(0, 24, 3))
    fig.suptitle("Hour-of-day fingerprints")
    return fig


def client_mix(releases: Mapping[str, Release]) -> pd.DataFrame:
    """Share of tweets per client class (official, mobile, automation, other) per operation."""
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
    mix.plot.barh(stacked=True, ax=ax, color=["#4c72b0", "#55a868", "#c44e52", "#8172b2"])
    ax.set(title="Tweets by client class", xlabel="share of tweets (%)", ylabel="")
    ax.legend(title="client class", loc="lower right", fontsize="small")
    return ax


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
        if coord is not None and name in coord.index:
            detail.append(f"{int(coord.loc[name, 'coordinated accounts'])} coordinated accounts")
        rows.append({"finding": f"{name}", "value": f"{len(rel.users):,} accounts, {len(rel.tweets):,} tweets",
                     "detail": "; ".join(filter(None, detail))})
    tally = ledger["verdict"].value_counts()
    rows.append({"finding": "Claims tested", "value": f"{len(ledger)}",
                 "detail": ", ".join(f"{int(n)} {v}" for v, n in tally.items())})
    return pd.DataFrame(rows, columns=list(report.FINDING_COLUMNS))
