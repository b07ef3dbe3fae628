"""``casebook network``: several kinds from one load, CSV/GraphML/GEXF, safe evidence,
calibration per kind, errors as CasebookError, and no notebook stack."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from casebook import coordination as co
from casebook import load_release
from casebook.coordination import command
from casebook.errors import CasebookError, UsageError
from tests.conftest import tweet_row


@pytest.fixture
def write_tweets(write_tweets: Callable[..., Path], tmp_path: Path) -> Callable[..., Path]:
    """conftest's writer, the file moved into ``tmp_path/test_202012/``: a release folder
    of its own, so that the outputs the tests write to ``tmp_path`` are outside it (an
    output beside archive files is refused)."""
    folder = tmp_path / "test_202012"

    def _write(*args: object, **kwargs: object) -> Path:
        folder.mkdir(exist_ok=True)
        written = write_tweets(*args, **kwargs)
        return written.rename(folder / written.name)

    return _write


def network(*argv: str) -> int:
    """Parse ``argv`` with the command's own options and run it."""
    parser = argparse.ArgumentParser(prog="casebook network")
    command.add_arguments(parser)
    return command.run(parser.parse_args(list(argv)))


def _mixed_rows() -> list[list[str]]:
    """Accounts that co-retweet, co-tweet and share a hashtag, with hostile profile text."""
    rows = []
    for i, (user, minute) in enumerate([("A", 15), ("B", 15), ("C", 16), ("A", 30), ("B", 30)]):
        rows.append(tweet_row(tweetid=f"1{i}", userid=user, is_retweet="true",
                              retweet_tweetid="900", tweet_time=f"2020-09-30 01:{minute:02d}",
                              user_screen_name=f"screen_{user}", follower_count=str(10 + i),
                              user_display_name=f"Name\x0b{user}"))
    for i, user in enumerate(["A", "C", "D"]):
        rows.append(tweet_row(tweetid=f"2{i}", userid=user, tweet_text="Same words here",
                              tweet_time="2020-09-30 02:00", hashtags="['tag']",
                              user_screen_name=f"screen_{user}"))
    return rows


KINDS = ("co_retweet", "co_tweet", "co_hashtag")


def test_several_kinds_in_one_csv_equal_networks(write_tweets, tmp_path: Path) -> None:
    path = write_tweets(_mixed_rows())
    out = tmp_path / "edges.csv"
    argv = [str(path), "--out", str(out)]
    for k in KINDS:
        argv += ["--kind", k]
    assert network(*argv) == 0
    got = pd.read_csv(out, dtype={"source": str, "target": str, "kind": str})
    assert list(got.columns) == ["source", "target", "weight", "kind"]
    expected = co.networks(load_release(path), kinds=KINDS)
    assert got.to_dict("records") == expected.astype(object).to_dict("records")
    assert set(got["kind"]) == set(KINDS)
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left


def test_graphml_round_trips_with_weights_and_account_attributes(write_tweets,
                                                                  tmp_path: Path) -> None:
    import networkx as nx

    path = write_tweets(_mixed_rows())
    out = tmp_path / "net.graphml"
    assert network(str(path), "--kind", "co_retweet", "--kind", "co_tweet",
                   "--format", "graphml", "--out", str(out)) == 0
    graph = nx.read_graphml(out)
    expected = co.networks(load_release(path), kinds=["co_retweet", "co_tweet"])
    got = sorted((s, t, d["kind"], d["weight"]) for s, t, d in graph.edges(data=True))
    assert got == sorted(zip(expected["source"], expected["target"], expected["kind"],
                             expected["weight"].astype(int), strict=True))
    assert graph.nodes["A"]["user_screen_name"] == "screen_A"
    assert graph.nodes["A"]["label"] == "screen_A"
    assert graph.nodes["A"]["follower_count"] == 10
    assert graph.nodes["A"]["user_display_name"] == "NameA"  # \x0b cannot be in XML
    assert graph.nodes["A"]["account_creation_date"] == "2020-02-01"
    assert graph.nodes["A"]["tweet_count"] == 3


def test_gexf_is_readable_by_networkx(write_tweets, tmp_path: Path) -> None:
    import networkx as nx

    path = write_tweets(_mixed_rows())
    out = tmp_path / "net.gexf"
    assert network(str(path), "--kind", "co_retweet", "--kind", "co_hashtag",
                   "--format", "gexf", "--out", str(out)) == 0
    graph = nx.read_gexf(out)
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    assert kinds == {"co_retweet", "co_hashtag"}
    weights = {(s, t, d["kind"]): d["weight"] for s, t, d in graph.edges(data=True)}
    assert weights[("A", "B", "co_retweet")] == 2
    assert graph.nodes["C"]["label"] == "screen_C"
    # each edge's attributes are its kind and weight, with no copy of the kind under
    # networkx's multigraph key (a networkx_key column in Gephi)
    assert all(set(d) == {"kind", "weight", "id"} for _, _, d in graph.edges(data=True))
    assert "networkx_key" not in out.read_text(encoding="utf-8")


def test_bad_kind_and_window_are_usage_errors(write_tweets, tmp_path: Path) -> None:
    path = write_tweets(_mixed_rows())
    out = tmp_path / "edges.csv"
    with pytest.raises(UsageError, match="co_like") as err:
        network(str(path), "--kind", "co_retweet", "--kind", "co_like", "--out", str(out))
    assert err.value.exit_code == 2 and "co_retweet" in str(err.value)
    with pytest.raises(UsageError, match="minute"):
        network(str(path), "--window", "30s", "--out", str(out))
    with pytest.raises(UsageError):
        command.run(argparse.Namespace(path=str(path), kind=None, window="1min", min_weight=0,
                                       out=str(out), format="csv", evidence=None,
                                       control=None, fpr=0.01))
    assert not out.exists()


def test_outputs_never_replace_or_join_the_input(write_tweets, tmp_path: Path) -> None:
    path = write_tweets(_mixed_rows())
    raw = path.read_bytes()
    folder = path.parent
    for argv in ([str(path), "--out", str(path)],  # the tweets file itself
                 [str(folder), "--out", str(path)],  # a file of the input folder
                 [str(folder), "--out", str(folder / "edges.csv")],  # read as a release file next time
                 [str(path), "--out", str(tmp_path / "e.csv"), "--evidence", str(tmp_path / "e.csv")]):
        with pytest.raises(UsageError, match="refusing|same file") as err:
            network(*argv)
        assert err.value.exit_code == 2
    assert path.read_bytes() == raw and not (folder / "edges.csv").exists()
    assert not (tmp_path / "e.csv").exists()


def test_a_refusals_example_name_keeps_the_format_and_option_given(write_tweets,
                                                                    tmp_path: Path) -> None:
    # the hint once suggested `--out edges.csv` to a user writing a GEXF graph or evidence
    path = write_tweets(_mixed_rows())
    folder = path.parent
    (tmp_path / "net.gexf").mkdir()
    for argv, example in (
            ([str(folder), "--out", str(folder / "net.gexf")], "--out edges.gexf"),
            ([str(folder), "--out", str(folder / "net.GraphML")], "--out edges.graphml"),
            ([str(folder), "--out", str(tmp_path / "e.csv"), "--evidence",
              str(folder / "ev.csv")], "--evidence evidence.csv"),
            ([str(folder), "--out", str(tmp_path / "net.gexf")], "--out edges.gexf")):
        with pytest.raises(UsageError) as err:
            network(*argv)
        assert err.value.hint is not None and err.value.hint.endswith(f"e.g. {example}"), argv


def test_an_existing_file_is_never_replaced_unless_overwrite_names_an_earlier_output(
        write_tweets, tmp_path: Path) -> None:
    # `--out` at another release's tweets file used to replace it silently, read-only or not
    path = write_tweets(_mixed_rows())
    (tmp_path / "other_202012").mkdir()
    other = tmp_path / "other_202012" / "other_202012_tweets_csv_hashed.csv"
    other.write_bytes(path.read_bytes())
    other.chmod(0o444)
    raw = other.read_bytes()
    mine = tmp_path / "my_notes.csv"  # a file of the user's own
    mine.write_text("my own notes\n")
    mine.chmod(0o444)
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    for argv, says in (
            (["--out", str(other)], "named as an archive data file"),
            (["--out", str(other), "--overwrite"], "named as an archive data file"),
            (["--out", str(out), "--evidence", str(other)], "named as an archive data file"),
            (["--out", str(mine)], "the file exists.*--overwrite"),
            (["--out", str(mine), "--overwrite"], "not a file casebook network wrote"),
            (["--out", str(out), "--evidence", str(mine)], "the file exists"),
            (["--out", str(out), "--evidence", str(mine), "--overwrite"],
             "--evidence .*not a file casebook network wrote"),
            (["--out", str(tmp_path)], "is a folder")):
        with pytest.raises(UsageError, match=says) as err:
            network(str(path), "--kind", "co_hashtag", *argv)
        assert err.value.exit_code == 2 and "\n" not in str(err.value)
    assert other.read_bytes() == raw and mine.read_text() == "my own notes\n"
    assert not out.exists()

    # an earlier output of each format is replaced with --overwrite only
    for fmt in ("csv", "graphml", "gexf"):
        target = tmp_path / f"net.{fmt}"
        extra = ["--evidence", str(evidence)] if fmt == "csv" else []
        assert network(str(path), "--kind", "co_tweet", "--format", fmt, "--out", str(target),
                       *extra) == 0
        first = target.read_bytes()
        with pytest.raises(UsageError, match="the file exists"):
            network(str(path), "--kind", "co_hashtag", "--format", fmt, "--out", str(target))
        assert target.read_bytes() == first
        assert network(str(path), "--kind", "co_hashtag", "--format", fmt, "--out", str(target),
                       *extra, "--overwrite") == 0
        assert target.read_bytes() != first  # the other kind's edges
    # a graph without an edge has no kind attribute: its name says whose it is
    for fmt in ("graphml", "gexf"):
        target = tmp_path / f"empty.{fmt}"
        assert network(str(path), "--kind", "co_tweet", "--min-weight", "999", "--format", fmt,
                       "--out", str(target)) == 0
        assert b'"kind"' not in target.read_bytes()
        assert network(str(path), "--kind", "co_tweet", "--format", fmt, "--out", str(target),
                       "--overwrite") == 0
        assert b'"kind"' in target.read_bytes()
    earlier = tmp_path / "net.csv"
    with pytest.raises(UsageError, match="--evidence .*not a file casebook network wrote"):
        network(str(path), "--out", str(out), "--evidence", str(earlier), "--overwrite")
    earlier.chmod(0o444)
    with pytest.raises(UsageError, match="read-only"):
        network(str(path), "--out", str(earlier), "--overwrite")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_help_documents_overwrite() -> None:
    parser = argparse.ArgumentParser(prog="casebook network")
    command.add_arguments(parser)
    text = " ".join(parser.format_help().split())
    assert "--overwrite replace an existing --out or --evidence file, only when it is one " \
           "casebook network wrote" in text


def test_missing_path_is_a_casebook_error(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as err:
        network(str(tmp_path / "absent"), "--out", str(tmp_path / "edges.csv"))
    assert err.value.exit_code == 1
    with pytest.raises(CasebookError, match="does not exist"):
        network(str(tmp_path), "--out", str(tmp_path / "no" / "edges.csv"))


def test_a_failed_write_leaves_the_old_file(write_tweets, tmp_path: Path, monkeypatch) -> None:
    path = write_tweets(_mixed_rows())
    out = tmp_path / "edges.csv"
    old = "source,target,weight,kind\nA,B,1,co_retweet\n"  # an earlier run's edge list
    out.write_text(old)

    def broken(edges, tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(command, "_edges_csv", broken)
    with pytest.raises(OSError):
        network(str(path), "--out", str(out), "--overwrite")
    assert out.read_text() == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_writes_edges_and_safe_evidence_of_several_kinds(write_tweets, tmp_path: Path) -> None:
    rows = [
        tweet_row(tweetid="1", userid="A", tweet_text="=cmd|' /C calc'!A0", tweet_time="2020-09-30 01:15",
                  hashtags="['x']"),
        tweet_row(tweetid="2", userid="B", tweet_text="=CMD|' /c calc'!A0", tweet_time="2020-09-30 01:16",
                  hashtags="['X']"),
        tweet_row(tweetid="3", userid="C", tweet_text="other", tweet_time="2020-09-30 01:16"),
    ]
    path = write_tweets(rows)
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    assert network(str(path), "--kind", "co_tweet", "--kind", "co_hashtag", "--window", "1min",
                   "--out", str(out), "--evidence", str(evidence)) == 0
    edges = pd.read_csv(out, dtype=str)
    assert sorted(map(tuple, edges.to_numpy().tolist())) == [
        ("A", "B", "1", "co_hashtag"), ("A", "B", "1", "co_tweet"),
        ("B", "A", "1", "co_hashtag"), ("B", "A", "1", "co_tweet")]
    pairs = pd.read_csv(evidence, dtype=str)
    assert sorted(pairs["kind"].unique()) == ["co_hashtag", "co_tweet"]
    with evidence.open(newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_keeps_hashed_ids_and_neutralises_formula_ids(write_tweets, tmp_path: Path) -> None:
    hashed = "+EL31kZ5AO/+wTjkmSFtqVppSoYdzxOeUjnS+CQPK2Y="
    rows = [
        tweet_row(tweetid="1", userid=hashed, tweet_text="same", tweet_time="2020-09-30 01:15"),
        # within the ids' alphabet: the loader refuses one with a call or a link in it
        tweet_row(tweetid="2", userid="=1+1", tweet_text="same",
                  tweet_time="2020-09-30 01:15"),
    ]
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    assert network(str(write_tweets(rows)), "--kind", "co_tweet", "--out", str(out),
                   "--evidence", str(evidence)) == 0
    for f in (out, evidence):
        with f.open(newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert hashed in cells  # joins back to the archive
        assert "'=1+1" in cells
        assert not any(c.startswith("=") for c in cells)


def test_evidence_defangs_links_and_neutralises_computed_ids(write_tweets,
                                                            tmp_path: Path) -> None:
    # "+A1+A1..." fits the base64 alphabet and a hash's length: it went out verbatim, and
    # a spreadsheet computed it; the evidence kept its links live while export_csv
    # defangs them
    computed = "+A1+A1+A1+A1+A1+A1+A1+A1+A1+A1+A1"
    hashed = "+EL31kZ5AO/+wTjkmSFtqVppSoYdzxOeUjnS+CQPK2Y="
    link = "https://evil.example/x"
    rows = [tweet_row(tweetid=str(i), userid=u, tweet_text=f"read {link} now",
                      urls=f"['{link}']", tweet_time="2020-09-30 01:15")
            for i, u in enumerate([computed, hashed, "=1+1"], start=1)]
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    assert network(str(write_tweets(rows)), "--kind", "co_link", "--kind", "co_tweet",
                   "--out", str(out), "--evidence", str(evidence)) == 0
    for f in (out, evidence):
        with f.open(newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert "'" + computed in cells and computed not in cells
        assert hashed in cells and "'=1+1" in cells  # a hash still joins back
        assert not any(c.startswith(("=", "+", "@", "-")) for c in cells if c != hashed)
    pairs = pd.read_csv(evidence, dtype=str)
    assert set(pairs.loc[pairs["kind"] == "co_link", "key"]) == {"hxxps://evil[.]example/x"}
    assert set(pairs["source_text"]) == {"read hxxps://evil[.]example/x now"}
    assert "://evil.example" not in evidence.read_text(encoding="utf-8")
    # the id is the cell without its quote
    assert set(pd.read_csv(out, dtype=str)["source"].str.removeprefix("'")) == {
        computed, hashed, "=1+1"}


def test_graph_labels_show_bidi_controls(write_tweets, tmp_path: Path) -> None:
    import networkx as nx

    # Gephi draws the label: a U+202E in a screen name reversed what follows it there
    rows = [tweet_row(tweetid=str(i), userid=u, is_retweet="true", retweet_tweetid="900",
                      tweet_time="2020-09-30 01:15", user_screen_name=name,
                      user_display_name=name)
            for i, (u, name) in enumerate([("A", "levant\u202ewire"), ("B", "\u200b"),
                                           ("C", "")], start=1)]
    path = write_tweets(rows)
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        out = tmp_path / f"n.{fmt}"
        assert network(str(path), "--format", fmt, "--out", str(out)) == 0
        graph = read(out)
        assert graph.nodes["A"]["label"] == "levant<U+202E>wire"
        assert graph.nodes["B"]["label"] == "<U+200B>"
        assert graph.nodes["C"]["label"] == "C"  # no name: the id
        # the attribute keeps the name as published, to be joined back to the archive
        assert graph.nodes["A"]["user_screen_name"] == "levant\u202ewire"


def test_control_calibrates_each_kind(write_tweets, tmp_path: Path, capsys) -> None:
    op = write_tweets([
        tweet_row(tweetid=str(i), userid=u, is_retweet="true", retweet_tweetid=f"r{i // 2}",
                  tweet_time=f"2020-09-30 01:{10 + i // 2:02d}", hashtags="['h']")
        for i, u in enumerate(["A", "B"] * 6)
    ] + [
        tweet_row(tweetid=f"p{i}", userid=u, tweet_time="2020-09-30 03:00", hashtags="['z']")
        for i, u in enumerate(["A", "B"] * 5)
    ] + [  # one chance co-retweet: weight 1, under the threshold
        tweet_row(tweetid="e0", userid="E", is_retweet="true", retweet_tweetid="r0",
                  tweet_time="2020-09-30 01:10"),
    ], name="op_tweets.csv")
    ctl = write_tweets([
        tweet_row(tweetid=f"c{i}", userid=f"C{i % 4}", is_retweet="true",
                  retweet_tweetid="r0", tweet_time="2020-09-30 02:00")
        for i in range(4)
    ] + [
        tweet_row(tweetid=f"d{i}", userid=f"C{i % 4}", tweet_time="2020-09-30 02:00",
                  hashtags="['z']")
        for i in range(12)  # three each: control hashtag edges weigh 3
    ], name="ctl_tweets.csv")
    out, evidence = tmp_path / "edges.csv", tmp_path / "evidence.csv"
    assert network(str(op), "--control", str(ctl), "--fpr", "0", "--kind", "co_retweet",
                   "--kind", "co_hashtag", "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert "threshold" in printed
    assert "co_retweet edges (min weight 2)" in printed
    assert "co_hashtag edges (min weight 4)" in printed
    edges = pd.read_csv(out)
    assert edges[edges["kind"] == "co_retweet"]["weight"].tolist() == [6, 6]
    assert edges[edges["kind"] == "co_hashtag"]["weight"].tolist() == [5, 5]
    assert network(str(op), "--control", str(ctl), "--fpr", "0", "--kind", "co_retweet",
                   "--out", str(out), "--evidence", str(evidence), "--overwrite") == 0
    pairs = pd.read_csv(evidence, dtype=str)
    assert set(zip(pairs["source"], pairs["target"], strict=True)) == {("A", "B"), ("B", "A")}


def test_run_never_imports_the_notebook_stack(write_tweets, tmp_path: Path) -> None:
    path = write_tweets(_mixed_rows())
    code = f"""
import argparse, json, sys
from casebook.coordination import command
parser = argparse.ArgumentParser()
command.add_arguments(parser)
for fmt in ("csv", "graphml"):
    command.run(parser.parse_args([{str(path)!r}, "--kind", "co_retweet", "--kind", "co_tweet",
                                   "--format", fmt, "--out", {str(tmp_path / "x")!r} + fmt]))
heavy = ("papermill", "nbconvert", "nbformat", "IPython", "ipywidgets", "matplotlib",
         "jupyter_client", "seaborn")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert (tmp_path / "xcsv").exists() and (tmp_path / "xgraphml").exists()


def test_on_bad_rows_report_leaves_bad_rows_out_and_counts_them(write_tweets, tmp_path: Path,
                                                                capsys) -> None:
    rows = _mixed_rows()
    rows.append(tweet_row(tweetid="99", userid="E", tweet_time="2020-02-30 01:00"))
    path = write_tweets(rows)
    out = tmp_path / "edges.csv"
    # by default the first bad row stops the command, naming the option that keeps the rest
    with pytest.raises(CasebookError, match="--on-bad-rows report"):
        network(str(path), "--kind", "co_retweet", "--out", str(out))
    assert not out.exists()
    with pytest.warns(UserWarning, match=r"1 row\(s\) left out as unreadable \(casebook validate"):
        assert network(str(path), "--kind", "co_retweet", "--out", str(out),
                       "--on-bad-rows", "report") == 0
    assert len(pd.read_csv(out)) > 0


def test_left_out_rows_are_a_warning_of_casebook_network(write_tweets, tmp_path: Path,
                                                         capsys) -> None:
    # printed bare on stderr ("PATH: 1 row(s) left out"), without the command's prefix
    # every other warning has
    from casebook import cli

    rows = [*_mixed_rows(), tweet_row(tweetid="99", userid="E", tweet_time="2020-02-30 01:00")]
    path = write_tweets(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert cli.main(["network", str(path), "--out", str(tmp_path / "edges.csv"),
                         "--on-bad-rows", "report"]) == 0
    assert capsys.readouterr().err == (
        f"casebook network: warning: {path}: 1 row(s) left out as unreadable "
        f"(casebook validate {path} lists them)\n")


@pytest.mark.parametrize(("engine", "kind", "able"), [
    ("duckdb", "near_duplicate", ["--engine local"]),
    ("spark", "near_duplicate", ["--engine local"]),
    ("duckdb", "co_hashtag", ["--engine local", "--engine spark"]),
])
def test_a_kind_an_engine_refuses_is_sent_only_to_engines_that_compute_it(
        write_tweets, tmp_path: Path, engine: str, kind: str, able: list[str]) -> None:
    # duckdb's hint sent near_duplicate to --engine spark, which refuses it too
    path = write_tweets(_mixed_rows())
    with pytest.raises(UsageError, match=f"{kind} is not computed by the {engine} engine") as err:
        network(str(path), "--kind", kind, "--engine", engine, "--out", str(tmp_path / "e.csv"))
    assert err.value.hint is not None
    for option in ("--engine local", "--engine spark", "--engine duckdb"):
        assert (option in err.value.hint) == (option in able), err.value.hint
    assert not (tmp_path / "e.csv").exists()


def test_the_out_suffix_chooses_the_format_unless_format_contradicts_it(
        write_tweets, tmp_path: Path) -> None:
    import networkx as nx

    # --out net.gexf wrote CSV: a file no graph tool opens
    path = write_tweets(_mixed_rows())
    for name, read in (("net.gexf", nx.read_gexf), ("net.GraphML", nx.read_graphml)):
        assert network(str(path), "--out", str(tmp_path / name)) == 0
        assert read(tmp_path / name).number_of_edges() > 0
    for name in ("edges.csv", "edges.txt", "edges"):  # csv, the default for other names
        assert network(str(path), "--out", str(tmp_path / name)) == 0
        assert (tmp_path / name).read_text().startswith("source,target,weight,kind\n")
    assert network(str(path), "--format", "gexf", "--out", str(tmp_path / "net.xml")) == 0
    assert nx.read_gexf(tmp_path / "net.xml").number_of_edges() > 0
    with pytest.raises(UsageError) as err:
        network(str(path), "--format", "csv", "--out", str(tmp_path / "g.gexf"))
    assert str(err.value) == (f"--out {tmp_path / 'g.gexf'} names a gexf file but --format is "
                              "csv (drop --format to write gexf, or give --out a .csv name)")
    assert err.value.exit_code == 2 and not (tmp_path / "g.gexf").exists()


def test_fpr_without_control_is_a_usage_error(write_tweets, tmp_path: Path, capsys) -> None:
    # --fpr was silently ignored without --control (and with --min-weight)
    from casebook import cli

    path = write_tweets(_mixed_rows())
    out = tmp_path / "edges.csv"
    with pytest.raises(UsageError, match="--fpr has no effect without --control") as err:
        network(str(path), "--fpr", "0.5", "--out", str(out))
    assert err.value.hint == "add --control CONTROL_RELEASE, or drop --fpr"
    with pytest.raises(UsageError, match="--fpr has no effect with --min-weight"):
        network(str(path), "--control", str(path), "--fpr", "0.5", "--min-weight", "2",
                "--out", str(out))
    assert cli.main(["network", str(path), "--fpr", "0.5", "--out", str(out)]) == 2
    err_line = capsys.readouterr().err
    assert err_line.startswith("casebook network: error: --fpr has no effect without --control")
    assert err_line.count("\n") == 1 and not out.exists()
