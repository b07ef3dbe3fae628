"""``casebook network``: coordination networks of a release, as CSV, GraphML or GEXF.

One load of the release serves every ``--kind`` asked for (:func:`networks` computes
them together). The input may also be a casebook store (:mod:`casebook.store`; all its
releases as one set of tweets, or those ``--release`` names); ``--engine duckdb``
computes the same edges with DuckDB out of core (:mod:`casebook.coordination.duck`,
reading a store's Parquet files where they lie), and ``--engine spark`` on Apache Spark
(:mod:`casebook.coordination.spark`), locally or on the cluster of ``--master``. Each
output is written to a temporary name in its folder and renamed when complete, so an
interrupted run never leaves a half-written file. No output is written into a folder
holding archive files (the input's, or any other release's: the next load of that
release would read it as one more archive file), nor under an archive file's name. An
existing ``--out`` or ``--evidence`` file is never replaced, unless ``--overwrite`` is
given and the file is recognisably one this command wrote (its first line is the edge
list's or the evidence's header, or it is a GraphML or GEXF graph with a ``kind`` edge
attribute, or an edgeless one named :data:`GRAPH_NAME`; GraphML writes the name after
the nodes, GEXF in its graph element). The CSV files are safe to open in a spreadsheet
(:func:`casebook.safety.to_safe_csv`): an id that is no plain archive id, or one a
spreadsheet would compute (``=1+1``, ``+A1+A1+...``), gets a leading ``'`` (the id is
the cell without it), and the links in the evidence's keys and texts are defanged
(``hxxp://evil[.]example``) as :func:`casebook.report.export_csv` defangs them. Node
labels of GraphML and GEXF show bidi controls and invisible characters as ``<U+202E>``.
The command imports numpy, pandas and pyarrow (the engine needs them), networkx only for
GraphML and GEXF, and never the notebook stack.
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casebook._files import write_atomically
from casebook.coordination.kinds import KINDS, NEEDS
from casebook.errors import CasebookError, UsageError
from casebook.safety import escape_line, refuse_archive_output

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import pandas as pd

__all__ = ["add_arguments", "run"]

#: Engines of ``--engine``.
ENGINES: tuple[str, ...] = ("local", "duckdb", "spark")
#: Output formats of ``--format``.
FORMATS: tuple[str, ...] = ("csv", "graphml", "gexf")
#: The format an ``--out`` suffix (lower-cased) names, when ``--format`` is not given.
SUFFIX_FORMATS: dict[str, str] = {".csv": "csv", ".graphml": "graphml", ".gexf": "gexf"}
#: ``--fpr`` when ``--control`` is given without it.
DEFAULT_FPR = 0.01
#: Account columns given to the nodes of a GraphML or GEXF network, when the release has them.
NODE_ATTRIBUTES: tuple[str, ...] = (
    "user_screen_name", "user_display_name", "user_reported_location", "follower_count",
    "following_count", "account_creation_date", "account_language", "tweet_count",
)
_EDGE_CSV_COLUMNS = ["source", "target", "weight", "kind"]
#: The name of the graph in the GraphML and GEXF files written: how ``--overwrite``
#: knows one, even one without an edge.
GRAPH_NAME = "casebook network"
# how the start of a file this command wrote reads: the edge list's header, the graph
# formats' root element with the graph's name (or, written before it was named, the
# edges' kind attribute; as networkx writes them), the evidence's header
# (casebook.coordination.network.EVIDENCE_COLUMNS)
_EDGE_SIGNATURES: tuple[re.Pattern[str], ...] = (
    re.compile(r"source,target,weight,kind\r?\n"),
    re.compile(r"(?s)<\?xml[^>]*>\s*<graphml\b.*<data key=\"[^\"]*\">"
               + re.escape(GRAPH_NAME) + "</data>"),
    re.compile(r"(?s)<\?xml[^>]*>\s*<gexf\b.*<graph [^>]*name=\"" + re.escape(GRAPH_NAME) + "\""),
    re.compile(r"(?s)<\?xml[^>]*>\s*<graphml\b.*<key [^>]*for=\"edge\" attr\.name=\"kind\""),
    re.compile(r"(?s)<\?xml[^>]*>\s*<gexf\b.*<attributes [^>]*class=\"edge\">.*?"
               r"<attribute [^>]*title=\"kind\""),
)
_EVIDENCE_SIGNATURES: tuple[re.Pattern[str], ...] = (
    re.compile(r"source,target,kind,source_tweetid,target_tweetid,source_time,target_time,"
               r"dt_seconds,key,similarity,source_text,target_text\r?\n"),
)
#: Bytes read from the start of an existing output to recognise it.
_SIGNATURE_BYTES = 4096
# characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return,
# lone surrogates, U+FFFE and U+FFFF): removed from text attributes
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``casebook network`` to ``parser``."""
    parser.description = (
        "Compute directed coordination networks from an archive release: weight(A->B) = "
        "tweets of A with a tweet of B sharing the key within the window. Several --kind "
        "are computed from one load. Writes source,target,weight,kind as CSV, or one "
        "GraphML/GEXF graph (edge attributes weight and kind, account attributes on the "
        "nodes); optionally the tweet pairs behind every edge, and a threshold "
        "calibrated on a control cohort."
    )
    parser.add_argument("path", help="release directory or tweets file(s) of the operation, "
                                     "or a casebook store")
    parser.add_argument("--kind", action="append", default=None, metavar="KIND",
                        help="network kind, repeatable (default co_retweet); one of "
                             + ", ".join(KINDS))
    parser.add_argument("--window", default="1min",
                        help="time window, at least one minute (default 1min)")
    parser.add_argument("--min-weight", type=int, default=None,
                        help="drop lighter edges (default 1, or chosen on --control for --fpr)")
    parser.add_argument("--out", required=True,
                        help="network file to write; its suffix (.csv, .graphml, .gexf) "
                             "chooses the format unless --format is given")
    parser.add_argument("--format", default=None, choices=FORMATS,
                        help="output format (default: from the --out suffix, else csv); "
                             "one the suffix contradicts is refused")
    parser.add_argument("--evidence", default=None,
                        help="also write the tweet pairs behind every edge to this CSV "
                             "(links in its keys and texts defanged: hxxp://evil[.]example)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --out or --evidence file, only when it is "
                             "one casebook network wrote (an edge list, graph or evidence "
                             "file); any other existing file is always refused")
    parser.add_argument("--on-bad-rows", choices=("raise", "report"), default="raise",
                        help="raise (default): stop at the first row that cannot be read; "
                             "report: leave such rows out, counted on stderr (casebook "
                             "validate lists them with their lines)")
    parser.add_argument("--control", default=None,
                        help="control release: calibrate the threshold of each kind on "
                             "ordinary accounts")
    parser.add_argument("--fpr", type=float, default=None,
                        help="with --control and no --min-weight: largest share of control "
                             f"accounts flagged (default {DEFAULT_FPR})")
    parser.add_argument("--release", action="append", default=None, metavar="NAME",
                        help="with a store: a release to read, repeatable (default all of "
                             "them, as one set of tweets)")
    parser.add_argument("--engine", default="local", choices=ENGINES,
                        help="local (default: this machine, in memory), duckdb (the same "
                             "edges out of core: spills to disk beyond --memory-limit) or "
                             "spark (Apache Spark: the same edges; needs pyspark and Java)")
    parser.add_argument("--memory-limit", default=None, metavar="SIZE",
                        help="with --engine duckdb: DuckDB's memory limit, e.g. 4GB (default "
                             "a quarter of this machine's memory); the rest spills to disk")
    parser.add_argument("--temp-directory", default=None, metavar="DIR",
                        help="with --engine duckdb: where DuckDB spills (default the "
                             "system's temporary folder)")
    parser.add_argument("--master", default=None, metavar="URL",
                        help="with --engine spark: the Spark master (local[2], "
                             "spark://HOST:7077, yarn, k8s://...); default the one spark-submit "
                             "gives, else local")


def run(args: argparse.Namespace) -> int:
    """Run ``casebook network`` with parsed arguments; returns 0 or raises a CasebookError."""
    from casebook import paths
    from casebook.coordination.calibration import calibrate
    from casebook.coordination.network import check_min_weight, networks, parse_window

    kinds = _chosen_kinds(args.kind)
    engine = getattr(args, "engine", "local") or "local"
    _check_engine(engine, args, kinds)
    out = Path(args.out)
    fmt = _output_format(getattr(args, "format", None), out)
    parse_window(args.window)
    min_weight = None if args.min_weight is None else check_min_weight(args.min_weight)
    fpr = _checked_fpr(getattr(args, "fpr", None), args.control, min_weight)
    evidence_out = Path(args.evidence) if args.evidence is not None else None
    for target in (out, evidence_out):
        if target is not None and not target.parent.is_dir():
            raise CasebookError(f"cannot write {target}: the folder {target.parent} does not exist",
                                hint="create it or choose another path")
    _check_outputs([out, evidence_out], [args.path, args.control])
    overwrite = bool(getattr(args, "overwrite", False))
    _check_existing(out, "--out", _EDGE_SIGNATURES, overwrite)
    if evidence_out is not None:
        _check_existing(evidence_out, "--evidence", _EVIDENCE_SIGNATURES, overwrite)

    # only the tweet columns the kinds read (and the texts of the evidence, the account
    # columns of the graph's nodes)
    columns = ["is_retweet", "retweet_tweetid", *(c for k in kinds for c in NEEDS[k])]
    if evidence_out is not None:
        columns.append("tweet_text")
    if fmt != "csv":
        columns += [c for c in NODE_ATTRIBUTES if c != "tweet_count"]
    columns = list(dict.fromkeys(columns))
    # the Parquet cache is written while the networks are computed (the process waits
    # for it at exit)
    releases = getattr(args, "release", None)
    if engine == "spark":
        return _run_spark(args, kinds, columns, fmt, out, min_weight or 1)
    if engine == "duckdb":
        return _run_duckdb(args, kinds, columns, fmt, out, min_weight or 1)
    bad_rows = getattr(args, "on_bad_rows", "raise")
    release = _load(paths.resolve(args.path), columns, releases, bad_rows)
    thresholds = {k: min_weight or 1 for k in kinds}
    calibrated = None
    if args.control is not None:
        control = _load(paths.resolve(args.control), columns, None, bad_rows)
        table, calibrated = calibrate(release, control, kind=kinds, window=args.window,
                                      fpr=fpr, min_weight=min_weight, return_edges=True)
        thresholds = table.drop_duplicates("kind").set_index("kind")["threshold"].astype(int).to_dict()
        print(table.to_string(index=False))

    if calibrated is not None and evidence_out is None:
        edges, pairs = calibrated["operation"], None
    else:
        result = networks(release, kinds=kinds, window=args.window,
                          min_weight=min(thresholds.values()), evidence=evidence_out is not None)
        edges, pairs = result if isinstance(result, tuple) else (result, None)
    if calibrated is not None:
        edges, pairs = _at_least(edges, pairs, thresholds)

    _write_edges(edges, out, fmt, release.users, kinds, thresholds)
    if pairs is not None and evidence_out is not None:
        write_atomically(evidence_out, lambda tmp: _evidence_csv(pairs, tmp))
        print(f"{len(pairs)} tweet pairs -> {escape_line(evidence_out)}")
    return 0


def _output_format(given: str | None, out: Path) -> str:
    """The format to write ``out`` in: ``given`` (``--format``), else the one its suffix
    names, else csv.

    A file named ``net.gexf`` holding CSV would open in no graph tool, so a suffix of
    another format than ``--format`` is refused rather than obeyed.
    """
    named = SUFFIX_FORMATS.get(out.suffix.lower())
    if given is None:
        return named or "csv"
    if given not in FORMATS:
        raise UsageError(f"unknown format {given!r}", hint=f"choose one of {', '.join(FORMATS)}")
    if named is not None and named != given:
        raise UsageError(f"--out {escape_line(out)} names a {named} file but --format is "
                         f"{given}", hint=f"drop --format to write {named}, or give --out a "
                                          f"{_suffix_of(given)} name")
    return given


def _suffix_of(fmt: str) -> str:
    return next(suffix for suffix, named in SUFFIX_FORMATS.items() if named == fmt)


def _checked_fpr(fpr: float | None, control: str | None, min_weight: int | None) -> float:
    """``--fpr``, checked: it only chooses the threshold calibrated on ``--control``, so
    without a control cohort (or with ``--min-weight``, which fixes the threshold) it
    would have no effect, and is refused rather than silently ignored."""
    if fpr is None:
        return DEFAULT_FPR
    if control is None:
        raise UsageError("--fpr has no effect without --control: it is the share of the "
                         "control cohort's accounts a calibrated threshold may flag",
                         hint="add --control CONTROL_RELEASE, or drop --fpr")
    if min_weight is not None:
        raise UsageError("--fpr has no effect with --min-weight, which fixes the threshold "
                         "instead of calibrating it", hint="drop one of them")
    if not 0 <= fpr <= 1:
        raise UsageError(f"--fpr must be between 0 and 1, got {fpr!r}")
    return fpr


def _write_edges(edges: pd.DataFrame, out: Path, fmt: str, users: pd.DataFrame | None,
                 kinds: Sequence[str], thresholds: dict[str, int]) -> None:
    if fmt == "csv":
        write_atomically(out, lambda tmp: _edges_csv(edges, tmp))
    else:
        graph = edges_graph(edges, users)
        write_atomically(out, lambda tmp: _write_graph(graph, tmp, fmt))
    counts = edges["kind"].value_counts()
    for k in kinds:
        print(f"{int(counts.get(k, 0))} {k} edges (min weight {thresholds[k]})")
    print(f"-> {escape_line(out)}")


def _is_store(path: Path) -> bool:
    from casebook.store import MANIFEST

    return path.is_dir() and (path / MANIFEST).is_file()


def _load(path: Path, columns: Sequence[str], releases: Sequence[str] | None,
          on_bad_rows: str = "raise") -> Any:
    """A release folder loaded, or the chosen releases of a store as one release."""
    from casebook import load_release

    if not _is_store(path):
        if releases:
            raise UsageError(f"--release chooses releases of a store, and {path} is not a "
                             "casebook store")
        release = load_release(path, columns=columns, cache="background",
                               on_bad_rows=on_bad_rows)
        rejected = len(release.rejected) if release.rejected is not None else 0
        if rejected:  # never a silent drop: counted, and where to see them
            # a warning: the command line prefixes it with the command's name (one place)
            warnings.warn(f"{escape_line(path)}: {rejected:,} row(s) left out as unreadable "
                          f"(casebook validate {escape_line(path)} lists them)", stacklevel=2)
        return release
    import pandas as pd

    from casebook.coordination.spark import store_tweet_files
    from casebook.loader import Release
    from casebook.store import read_release

    names = [Path(f).parent.name.removeprefix("release=") for f in
             store_tweet_files(path, releases)]
    parts = [read_release(path, name) for name in names]  # loop over releases, not tweets
    if len(parts) == 1:
        return parts[0]
    return Release(
        name="+".join(names),
        tweets=pd.concat([p.tweets for p in parts], ignore_index=True),
        users=pd.concat([p.users for p in parts], ignore_index=True),
        provenance=pd.concat([p.provenance for p in parts], ignore_index=True),
        rejected=pd.concat([p.rejected for p in parts], ignore_index=True),
        checks={},
    )


def _check_engine(engine: str, args: argparse.Namespace, kinds: Sequence[str]) -> None:
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}", hint=f"choose one of {', '.join(ENGINES)}")
    if engine != "spark" and getattr(args, "master", None) is not None:
        raise UsageError("--master is an option of --engine spark")
    if engine != "duckdb":
        for option in ("memory_limit", "temp_directory"):
            if getattr(args, option, None) is not None:
                raise UsageError(f"--{option.replace('_', '-')} is an option of --engine duckdb")
    if engine == "local":
        return
    from casebook.coordination.network import check_engine_kinds

    computed = _engine_kinds()
    others = [k for k in kinds if k not in computed[engine]]
    # the engines that compute every kind refused: near_duplicate (MinHash LSH) is the
    # local engine's only, so the hint never sends it to an engine that refuses it too
    able = [e for e in ENGINES if e != engine and all(k in computed[e] for k in others)]
    hint = (f"compute {'them' if len(others) > 1 else 'it'} with "
            + " or ".join(f"--engine {e}" for e in able))
    if able == ["local"] and "near_duplicate" in others:
        hint += ": near_duplicate's MinHash LSH runs there only"
    check_engine_kinds(kinds, engine=engine, supported=computed[engine], hint=hint)
    for option, what in (("control", "--control (calibration)"), ("evidence", "--evidence")):
        if getattr(args, option, None) is not None:
            raise UsageError(f"{what} runs on the local engine only",
                             hint="drop it, or use --engine local")


def _engine_kinds() -> dict[str, tuple[str, ...]]:
    """The kinds each engine computes (the engines' own tables: neither imports its
    engine's library)."""
    from casebook.coordination.duck import DUCK_KINDS
    from casebook.coordination.spark import SPARK_KINDS

    return {"local": KINDS, "duckdb": DUCK_KINDS, "spark": SPARK_KINDS}


def _run_spark(args: argparse.Namespace, kinds: Sequence[str], columns: Sequence[str],
               fmt: str, out: Path, min_weight: int) -> int:
    """``casebook network --engine spark``: the edges computed by Spark, written here."""
    from casebook.coordination.spark import active_session, spark_networks, spark_session

    existing = active_session()  # first: a clear error if pyspark is missing
    source, users, releases = _engine_input(args, columns, fmt)
    spark = spark_session(getattr(args, "master", None))
    try:
        edges = spark_networks(source, kinds=kinds, window=args.window, min_weight=min_weight,
                               spark=spark, releases=releases)
    finally:
        if existing is None:  # stop only the session made here
            spark.stop()
    _write_edges(edges, out, fmt, users, kinds, dict.fromkeys(kinds, min_weight))
    return 0


def _engine_input(args: argparse.Namespace, columns: Sequence[str],
                  fmt: str) -> tuple[Any, pd.DataFrame | None, Sequence[str] | None]:
    """What ``--engine spark`` or ``duckdb`` reads: a store's path as it is (its engine
    reads the Parquet files where they lie), or a release folder loaded here with
    casebook's loader (handed over as Arrow); the accounts for GraphML and GEXF nodes;
    the ``--release`` names."""
    from casebook import paths
    from casebook.coordination.spark import store_users

    source: Any = paths.resolve(args.path)
    releases = getattr(args, "release", None)
    users = None
    if not _is_store(source):
        release = _load(source, columns, releases, getattr(args, "on_bad_rows", "raise"))
        source, users = release, release.users
    elif fmt != "csv":
        users = store_users(source, releases)
    return source, users, releases


def _run_duckdb(args: argparse.Namespace, kinds: Sequence[str], columns: Sequence[str],
                fmt: str, out: Path, min_weight: int) -> int:
    """``casebook network --engine duckdb``: the edges computed by DuckDB, out of core."""
    from casebook.coordination.duck import duckdb_networks

    source, users, releases = _engine_input(args, columns, fmt)
    edges = duckdb_networks(source, kinds=kinds, window=args.window, min_weight=min_weight,
                            memory_limit=getattr(args, "memory_limit", None),
                            temp_directory=getattr(args, "temp_directory", None),
                            releases=releases)
    _write_edges(edges, out, fmt, users, kinds, dict.fromkeys(kinds, min_weight))
    return 0


def _check_outputs(outputs: Sequence[Path | None], inputs: Sequence[str | None]) -> None:
    """Refuse outputs (``--out``, ``--evidence``; None: not given) that would replace an
    input file or land in a release folder.

    A rename over a tweets file destroys raw data, and a CSV written into a release
    folder would be read as one more archive file by the next load: the input's folder
    (whatever its files are named), and any folder holding files named as the archive
    names its own (:func:`casebook.safety.refuse_archive_output`; guarded by
    tests/hostile/test_data_safety.py::test_network_out_never_joins_another_release_folder).
    """
    from casebook import paths

    named = [(opt, o) for opt, o in zip(("--out", "--evidence"), outputs, strict=False)
             if o is not None]
    wanted = [o for _, o in named]
    resolved = [o.resolve() for o in wanted]
    if len(set(resolved)) < len(resolved):
        raise UsageError(f"--out and --evidence name the same file ({wanted[0]})",
                         hint="give each output its own name")
    for given in (i for i in inputs if i is not None):
        source = paths.resolve(given)
        for target, (option, shown) in zip(resolved, named, strict=True):
            if target == source or (source.is_dir() and target.parent == source):
                where = ("it is a file of the input" if target == source or target.exists()
                         else f"it is inside the input folder {target.parent}")
                raise UsageError(f"refusing to write {shown}: {where}",
                                 hint="write it outside the release's folder, "
                                      f"e.g. {_example(option, shown)}")
    for shown in wanted:
        refuse_archive_output(shown, hint="write the network to a folder of your own, "
                                          "outside the release folders")


def _example(option: str, given: Path) -> str:
    """An example file name for ``option`` with the suffix the user gave (a refusal's
    hint for ``--out net.gexf`` suggests a .gexf name, not a CSV one)."""
    if option == "--evidence":
        return "--evidence evidence.csv"
    suffix = given.suffix.lower() if given.suffix.lower() in SUFFIX_FORMATS else ".csv"
    return f"--out edges{suffix}"


def _check_existing(target: Path, option: str, signatures: Sequence[re.Pattern[str]],
                    overwrite: bool) -> None:
    """Refuse to replace an existing file, unless ``overwrite`` and this command wrote it.

    Parameters
    ----------
    target
        The output path given with ``option``.
    option
        ``--out`` or ``--evidence``, for the message.
    signatures
        Patterns the start of a file this command wrote for ``option`` matches.
    overwrite
        Whether ``--overwrite`` was given.

    Raises
    ------
    UsageError
        When ``target`` exists and is a folder, is read-only, or is not recognisably an
        earlier output of ``casebook network``; or when it is one and ``overwrite`` is
        false.
    """
    # a dangling link exists too: replacing it is still replacing something of the user's
    if not (target.exists() or target.is_symlink()):
        return
    if target.is_dir():
        raise UsageError(f"refusing to write {option} {target}: it is a folder",
                         hint=f"give a file name, e.g. {_example(option, target)}")
    if not overwrite:
        raise UsageError(f"refusing to replace {option} {target}: the file exists",
                         hint="choose a new name, or add --overwrite to replace a file an "
                              "earlier casebook network wrote")
    try:
        with target.open("rb") as fh:
            start = fh.read(_SIGNATURE_BYTES).decode("utf-8", "replace")
    except OSError as exc:
        raise UsageError(f"refusing to replace {option} {target}: it cannot be read "
                         f"({exc.strerror})", hint="choose a new name") from exc
    if not any(s.match(start) for s in signatures):
        raise UsageError(f"refusing to replace {option} {target}: it is not a file casebook "
                         "network wrote", hint="choose a new name; --overwrite replaces only "
                                               "casebook network's own outputs")
    # the mode, not os.access: root may write anything, and a file nobody may write was
    # made read-only on purpose
    if not target.stat().st_mode & 0o222:
        raise UsageError(f"refusing to replace {option} {target}: it is read-only",
                         hint="choose a new name, or make it writable first")


def _chosen_kinds(asked: str | Sequence[str] | None) -> list[str]:
    chosen = ["co_retweet"] if not asked else [asked] if isinstance(asked, str) else list(asked)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise UsageError(f"unknown kind {', '.join(map(repr, unknown))}",
                         hint=f"choose --kind from {', '.join(KINDS)}")
    return list(dict.fromkeys(chosen))


def _at_least(
    edges: pd.DataFrame, pairs: pd.DataFrame | None, thresholds: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Edges at least as heavy as their kind's threshold, and the evidence of those."""
    kept = edges[(edges["weight"] >= edges["kind"].astype(str).map(thresholds)).to_numpy(bool)]
    kept = kept.reset_index(drop=True)
    if pairs is not None:
        keys = ["source", "target", "kind"]
        pairs = pairs.merge(kept[keys], on=keys, how="inner", sort=False)
    return kept, pairs


def _edges_csv(edges: pd.DataFrame, path: Path) -> None:
    from casebook.safety import to_safe_csv

    # plain ids (hashes or numbers) are kept verbatim so the files join back to the
    # archive; anything else, ids of a hostile file included, is neutralised
    to_safe_csv(edges[_EDGE_CSV_COLUMNS], path, columns=[], ids=["source", "target"])


def _evidence_csv(pairs: pd.DataFrame, path: Path) -> None:
    from casebook.safety import defang_url, to_safe_csv

    text = ["key", "source_text", "target_text"]
    # links defanged as export_csv defangs them: no cell of the evidence is a live link;
    # guarded by tests/coordination/test_command.py::test_evidence_defangs_links_and_neutralises_computed_ids
    to_safe_csv(pairs.assign(**{c: defang_url(pairs[c]) for c in text}), path,
                columns=text, ids=["source", "target", "source_tweetid", "target_tweetid"])


def _xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _node_attributes(accounts: pd.Index, users: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """{userid: {attribute: value}} of the accounts, from the release's users table;
    missing values are left out, texts made safe for XML, dates as ISO strings, and
    ``label`` (for Gephi) is the screen name, else the id, with its bidi controls and
    invisible characters shown as ``<U+202E>``."""
    import pandas as pd

    from casebook.safety import reveal_invisible

    table = users.drop_duplicates("userid").set_index("userid").reindex(accounts)
    columns: dict[str, list[Any]] = {}
    for col in NODE_ATTRIBUTES:
        if col not in table.columns:
            continue
        values = table[col]
        text = not (pd.api.types.is_bool_dtype(values.dtype)
                    or pd.api.types.is_numeric_dtype(values.dtype))
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = values.dt.strftime("%Y-%m-%d")
        cells = values.astype(object).where(values.notna(), None).tolist()
        columns[col] = [_xml_text(c) if text and c is not None else c for c in cells]
    names = pd.Series(columns.get("user_screen_name") or [None] * len(accounts),
                      index=accounts, dtype=object)
    ids = pd.Series(accounts, index=accounts, dtype=object)
    # the label is what Gephi draws: a U+202E in a screen name would reverse the text
    # after it there, with nothing to show why; guarded by
    # tests/coordination/test_command.py::test_graph_labels_show_bidi_controls
    shown = reveal_invisible(names.where(names.notna() & (names != ""), ids).astype("string"))
    labels = [_xml_text(label) for label in shown.tolist()]
    out = {}
    for i, uid in enumerate(accounts):  # loop over accounts (nodes), not tweets
        attrs = {col: vals[i] for col, vals in columns.items() if vals[i] is not None}
        attrs["label"] = labels[i]
        out[uid] = attrs
    return out


def edges_graph(edges: pd.DataFrame, users: pd.DataFrame | None = None) -> nx.MultiDiGraph:
    """One directed multigraph of edges of any kinds: an edge per (source, target, kind),
    keyed by kind, with ``weight`` and ``kind``; nodes carry the account attributes of
    ``users`` (:data:`NODE_ATTRIBUTES`, those present)."""
    import networkx as nx
    import pandas as pd

    accounts = pd.Index(sorted(set(edges["source"].astype(str)) | set(edges["target"].astype(str))))
    attrs = _node_attributes(accounts, users if users is not None else
                             pd.DataFrame({"userid": pd.Series([], dtype=str)}))
    # the name marks the file as this command's, edges or not (--overwrite)
    graph = nx.MultiDiGraph(name=GRAPH_NAME)
    graph.add_nodes_from(attrs.items())
    kinds = edges["kind"].astype(str).tolist()
    graph.add_edges_from(
        (s, t, k, {"weight": int(w), "kind": k})
        for s, t, w, k in zip(edges["source"].astype(str).tolist(),
                              edges["target"].astype(str).tolist(),
                              edges["weight"].tolist(), kinds, strict=True)
    )
    return graph


def _write_graph(graph: nx.MultiDiGraph, path: Path, fmt: str) -> None:
    import networkx as nx

    if fmt == "graphml":
        nx.write_graphml(graph, path)
        return
    from networkx.readwrite.gexf import GEXFWriter

    class _Writer(GEXFWriter):
        # an edge's multigraph key is its kind, written already as ``kind``: networkx's
        # writer would add it again as a ``networkx_key`` column in every graph tool;
        # guarded by tests/coordination/test_command.py::test_gexf_is_readable_by_networkx
        def add_attributes(self, node_or_edge: str, xml_obj: Any, data: dict,
                           default: dict) -> dict:
            if node_or_edge == "edge":
                data.pop("key", None)
            return super().add_attributes(node_or_edge, xml_obj, data, default)

    writer = _Writer(encoding="utf-8", prettyprint=True)  # as nx.write_gexf
    writer.add_graph(graph)
    writer.write(path)
