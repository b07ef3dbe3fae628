"""The ``casebook`` command line: lazy subcommands, one error policy, exit statuses."""

from __future__ import annotations

import errno
import importlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

from casebook import cli, paths, workshop
from casebook.errors import CasebookError

#: Libraries a command's --help must not load (seconds of start-up between them).
HEAVY = ("pandas", "pyarrow", "numpy", "yaml", "tqdm", "papermill", "nbformat", "matplotlib")
#: What ``casebook network`` must never load, even when it runs.
NOTEBOOK_STACK = ("papermill", "nbconvert", "nbformat", "IPython", "ipywidgets", "matplotlib",
                  "jupyter_client", "jupyter_core")


def _modules_after(argv: list[str]) -> set[str]:
    """The modules a fresh interpreter has imported after ``casebook ARGV`` (help exits)."""
    code = (
        "import json, sys\n"
        "from casebook import cli\n"
        "try:\n"
        f"    cli.main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=paths.ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_top_level_help_imports_no_subcommand_and_no_heavy_library() -> None:
    loaded = _modules_after(["--help"])
    commands = {module for module, _ in cli.COMMANDS.values()}
    assert not loaded & commands, loaded & commands
    assert not _top(loaded) & set(HEAVY), _top(loaded) & set(HEAVY)
    assert "casebook.loader" not in loaded


@pytest.mark.parametrize("command", [c for c in cli.COMMANDS if c != "network"])
def test_command_help_imports_only_its_module_and_no_heavy_library(command: str) -> None:
    loaded = _modules_after([command, "--help"])
    module = cli.COMMANDS[command][0]
    assert module in loaded
    others = {m for name, (m, _) in cli.COMMANDS.items() if name != command}
    assert not loaded & others, loaded & others
    assert not _top(loaded) & set(HEAVY), _top(loaded) & set(HEAVY)
    assert "casebook.loader" not in loaded


def test_network_never_imports_the_notebook_stack() -> None:
    try:
        importlib.import_module(cli.COMMANDS["network"][0])
    except ModuleNotFoundError:
        pytest.skip("casebook.coordination.command is not written yet")
    loaded = _modules_after(["network", "--help"])
    assert not _top(loaded) & set(NOTEBOOK_STACK), _top(loaded) & set(NOTEBOOK_STACK)


def test_every_command_module_has_the_command_interface() -> None:
    for name, (module_name, help_line) in cli.COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            assert name == "network"  # written in parallel; the other commands exist
            continue
        assert callable(module.add_arguments) and callable(module.run), name
        assert not hasattr(module, "register_cli"), name
        assert help_line and "\n" not in help_line


def test_help_lists_the_commands_and_documents_exit_statuses(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for name, (_, help_line) in cli.COMMANDS.items():
        assert name in out and help_line.split()[0] in out
    for status in ("0 ", "1 ", "2 ", "130 ", "141 ", "143 "):
        assert f"\n  {status}" in out
    assert "--debug" in out and "casebook COMMAND: error:" in out
    assert "casebook COMMAND: warning:" in out


def test_no_command_prints_help_on_stderr_and_exits_2(capsys) -> None:
    # a usage error like any other: a pipe reading stdout gets nothing
    assert cli.main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "COMMAND" in err and "exit status:" in err


def test_argparse_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["fetch"])  # OP is required
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["no-such-command"])
    assert info.value.code == 2


@pytest.mark.parametrize(("argv", "line"), [
    (["validate", "--bogus"],
     "casebook validate: error: unrecognized arguments: --bogus (see casebook validate --help)"),
    (["network", "release_folder"],
     "casebook network: error: the following arguments are required: --out "
     "(see casebook network --help)"),
    (["store", "add", "folder", "--store", "s", "--bogus", "x"],
     "casebook store add: error: unrecognized arguments: --bogus x "
     "(see casebook store add --help)"),
    (["--bogus", "validate"],
     "casebook: error: unrecognized arguments: --bogus (see casebook --help)"),
    (["no-such-command"],
     "casebook: error: argument COMMAND: invalid choice: 'no-such-command' (choose from "
     + ", ".join(f"'{c}'" for c in cli.COMMANDS) + ") (see casebook --help)"),
])
def test_an_argparse_usage_error_is_one_line_naming_its_command(argv: list[str], line: str,
                                                                 capsys) -> None:
    # argparse printed its usage block, then the error naming 'casebook' for an option
    # of a subcommand
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    assert capsys.readouterr() == ("", line + "\n")


def test_a_usage_error_quoting_the_command_line_escapes_it(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["validate", "--\x1b[2Jx"])
    assert capsys.readouterr().err == ("casebook validate: error: unrecognized arguments: "
                                       "--\\x1b[2Jx (see casebook validate --help)\n")


def test_data_error_is_one_line_exit_1(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "op_tweets_csv_hashed.csv"
    empty.write_bytes(b"")
    assert cli.main(["validate", str(empty)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("casebook validate: error: ") and "the file is empty" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_usage_error_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert cli.main(["specimen", "--out", str(tmp_path), "--scale", "-2"]) == 2
    err = capsys.readouterr().err
    assert err == "casebook specimen: error: scale must be a positive number, got -2.0\n"
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback_and_keeps_the_status(tmp_path: Path, capsys) -> None:
    assert cli.main(["--debug", "specimen", "--out", str(tmp_path), "--scale", "-2"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "UsageError" in err
    assert err.rstrip().endswith("casebook specimen: error: scale must be a positive number, got -2.0")


def test_a_multi_line_message_is_printed_on_one_line(monkeypatch, capsys) -> None:
    def run(args):  # noqa: ANN001, ANN202
        raise CasebookError("first line\n  second line", hint="do this")

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 1
    assert capsys.readouterr().err == "casebook validate: error: first line second line (do this)\n"


def test_interrupt_exits_130(monkeypatch, capsys) -> None:
    def run(args):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_os_error_on_a_user_path_is_one_line_exit_1(tmp_path: Path, monkeypatch, capsys) -> None:
    missing = tmp_path / "nope.yaml"

    def run(args):  # noqa: ANN001, ANN202
        return len(missing.read_text())

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 1
    assert capsys.readouterr().err == f"casebook validate: error: No such file or directory: {missing}\n"


def test_a_bug_is_not_hidden(monkeypatch) -> None:
    def run(args):  # noqa: ANN001, ANN202
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("casebook.validate.run", run)
    with pytest.raises(ZeroDivisionError):
        cli.main(["validate"])


def test_run_return_value_is_the_exit_status(monkeypatch) -> None:
    monkeypatch.setattr("casebook.validate.run", lambda args: 0)
    assert cli.main(["validate"]) == 0
    monkeypatch.setattr("casebook.validate.run", lambda args: None)
    assert cli.main(["validate"]) == 0


def test_a_command_whose_module_is_missing_fails_in_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setitem(cli.COMMANDS, "ghost", ("casebook.no_such_module", "a missing command"))
    assert cli.main(["ghost"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("casebook ghost: error: the ghost command is not available")
    assert err.count("\n") == 1


def test_the_missing_module_of_a_dependency_is_not_disguised(monkeypatch, tmp_path: Path) -> None:
    package = tmp_path / "ghostpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "command.py").write_text("import no_such_dependency_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.COMMANDS, "ghost", ("ghostpkg.command", "imports a missing library"))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_anywhere"):
        cli.main(["ghost"])


def test_build_parser_adds_only_the_named_commands_options() -> None:
    args = cli.build_parser("validate").parse_args(["validate", "x", "--json"])
    assert (args.command, args.path, args.json, args.debug) == ("validate", ["x"], True, False)
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["validate", "--json"])  # validate's options not added


def test_workshop_module_entry_point_uses_the_same_policy(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    def mismatch() -> Path:
        raise workshop.SpecimenMismatch("another seed", hint="regenerate it")

    monkeypatch.setattr(workshop, "ensure_specimen", mismatch)
    assert workshop.main([]) == 1
    assert capsys.readouterr().err == "casebook workshop: error: another seed (regenerate it)\n"
    monkeypatch.setattr(workshop, "ensure_specimen", lambda: tmp_path)
    assert workshop.main([]) == 0
    assert str(tmp_path) in capsys.readouterr().out


def test_releases_help_exits_0_and_lists_its_options(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["releases", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--json" in out and "--csv" in out and "--country" in out
    assert "casebook releases REA_0621 --json" in out


def test_releases_runs_and_a_bad_name_exits_2(capsys) -> None:
    assert cli.main(["releases", "--release", "2020_12"]) == 0
    assert "GRU_202012" in capsys.readouterr().out
    assert cli.main(["releases", "no_such_release"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("casebook releases: error: ") and err.count("\n") == 1


def test_every_message_escapes_control_characters(monkeypatch, capsys) -> None:
    def run(args):  # noqa: ANN001, ANN202
        print("report \x1b[2J\u202eok")
        warnings.warn("header \x1b]8;;http://evil.example\x07x", UserWarning, stacklevel=1)
        raise CasebookError("member \x1b[1A\x1b[2K\r", hint="\x9b2J")

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 1
    out, err = capsys.readouterr()
    assert out == "report \\x1b[2J<U+202E>ok\n"
    assert "warning: header \\x1b]8;;http://evil.example\\x07x" in err
    assert err.endswith("casebook validate: error: member \\x1b[1A\\x1b[2K\\x0d (\\x9b2J)\n")
    assert sys.stdout is not None and not isinstance(sys.stdout, cli._SafeStream)


def test_a_progress_bar_keeps_its_moves(capsys) -> None:
    with cli.terminal_safe():
        sys.stderr.write("\r cases: 50%")
        sys.stderr.write("\n\n\x1b[A\x1b[A")
        sys.stderr.write("\rnote \r\x1b[A")
        sys.stdout.write("\rout\x1b[A")
    out, err = capsys.readouterr()
    assert err == "\r cases: 50%\n\n\x1b[A\x1b[A\rnote \\x0d\\x1b[A"
    assert out == "\\x0dout\\x1b[A"


# --------------------------------------------------------------------------- interruptions

#: A DuckDB query that runs for minutes unless interrupted.
LONG_QUERY = ("SELECT count(*) FROM range(200000) a(i), range(200000) b(j) "
              "WHERE (i + j) % 7 = 3")


def _duckdb_interrupted(*args: object, **kwargs: object) -> None:
    """What DuckDB does with Ctrl-C during a query: it runs the SIGINT handler, whose
    KeyboardInterrupt it replaces by ``RuntimeError: Query interrupted``.

    (DuckDB looks for signals between the tasks of a query, so a real query is
    interrupted at a moment a test cannot choose.)
    """
    stopped = False
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except KeyboardInterrupt:
        stopped = True
    if stopped:  # raised outside the except clause: DuckDB's error has no context
        raise RuntimeError("Query interrupted")
    raise AssertionError("SIGINT raised no KeyboardInterrupt")


def test_ctrl_c_during_a_duckdb_query_exits_130(monkeypatch, capsys) -> None:
    monkeypatch.setattr("casebook.validate.run", _duckdb_interrupted)
    before = signal.getsignal(signal.SIGINT)  # a library (Spark) may have set its own
    assert cli.main(["validate"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert signal.getsignal(signal.SIGINT) is before  # put back


def test_duckdb_interrupt_exception_exits_130(monkeypatch, capsys) -> None:
    import duckdb

    def run(args):  # noqa: ANN001, ANN202
        con = duckdb.connect()
        timer = threading.Timer(0.3, con.interrupt)
        timer.start()
        try:
            con.execute(LONG_QUERY).fetchall()
        finally:
            timer.cancel()

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_an_interruption_a_library_swallowed_still_exits_130(monkeypatch, capsys) -> None:
    def run(args):  # noqa: ANN001, ANN202
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:  # as a library might, going on as if nothing happened
            pass
        return 0

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def _release(tmp_path: Path) -> Path:
    from tests.test_search import RELEASE_A, write_release

    return write_release(tmp_path / "in" / "alpha_202012", "alpha_202012", RELEASE_A)


def test_store_add_interrupted_in_duckdb_exits_130_and_leaves_no_partition(
        tmp_path: Path, monkeypatch, capsys) -> None:
    from casebook import store

    monkeypatch.setattr(store, "_copy_sorted", _duckdb_interrupted)
    path = tmp_path / "store"
    assert cli.main(["store", "add", str(_release(tmp_path)), "--store", str(path),
                     "--no-progress"]) == 130
    out, err = capsys.readouterr()
    assert (out, err) == ("", "interrupted\n")
    assert [p.name for p in path.iterdir()] == [store._LOCK]  # no partition, no temporary


def test_network_interrupted_in_duckdb_exits_130_and_writes_nothing(
        tmp_path: Path, monkeypatch, capsys) -> None:
    from casebook.coordination import duck

    monkeypatch.setattr(duck, "_weights", _duckdb_interrupted)
    spill = tmp_path / "spill"
    out = tmp_path / "out" / "edges.csv"
    out.parent.mkdir()
    assert cli.main(["network", str(_release(tmp_path)), "--engine", "duckdb",
                     "--temp-directory", str(spill), "--out", str(out)]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert list(out.parent.iterdir()) == [] and list(spill.iterdir()) == []


#: ``casebook validate`` whose run marks when it starts and when its clean-up ran.
_SLOW_RUN = """\
import sys, time
from pathlib import Path
from casebook import cli
import casebook.validate

def run(args):
    Path(sys.argv[1], "started").touch()
    try:
        time.sleep(60)
    finally:
        Path(sys.argv[1], "cleaned").touch()

casebook.validate.run = run
sys.exit(cli.main(["validate"]))
"""


def _started(proc: subprocess.Popen, marker: Path) -> None:
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command did not start"
        time.sleep(0.05)


def test_sigterm_unwinds_the_command_like_ctrl_c_and_exits_143(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_RUN, str(tmp_path)], cwd=paths.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _started(proc, tmp_path / "started")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, err) == (143, "terminated\n")
    assert (tmp_path / "cleaned").exists()


def test_python_m_keeps_the_exit_status_when_the_signal_lands_in_exec_code(
        tmp_path: Path) -> None:
    # dataclasses build their methods with exec: a signal during an import lands there
    (tmp_path / "stopped_in_exec.py").write_text(
        "import sys\n"
        "from casebook import cli\n"
        "import casebook.validate\n"
        "def run(args):\n"
        "    exec('import os, signal, time\\n'\n"
        "         f'os.kill(os.getpid(), signal.{sys.argv[1]})\\n'\n"
        "         'time.sleep(60)')\n"
        "casebook.validate.run = run\n"
        "sys.exit(cli.main(['validate']))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(paths.ROOT)])}
    for name, code in (("SIGTERM", 143), ("SIGINT", 130)):
        done = subprocess.run([sys.executable, "-m", "stopped_in_exec", name], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == code, (name, done.returncode, done.stderr)


# --------------------------------------------------------------------------- closed pipes


def _into_a_closed_pipe(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """``python -m casebook.cli ARGS`` whose stdout is a pipe nobody reads any more."""
    read, write = os.pipe()
    os.close(read)  # as `| head` does once it has its lines
    try:
        return subprocess.run([sys.executable, "-m", "casebook.cli", *args], stdout=write,
                              stderr=subprocess.PIPE, cwd=paths.ROOT, timeout=120)
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [["releases"], ["releases", "--json"]])
def test_a_closed_stdout_ends_quietly_with_141(args: list[str]) -> None:
    done = _into_a_closed_pipe(args)
    assert (done.returncode, done.stderr) == (141, b"")


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def test_only_a_broken_stdout_is_quiet(monkeypatch, capsys) -> None:
    monkeypatch.setattr("casebook.validate.run", lambda args: print("a line"))
    with monkeypatch.context() as m:
        m.setattr(sys, "stdout", _ClosedPipe())
        assert cli.main(["validate"]) == 141
    assert capsys.readouterr().err == ""

    def run(args):  # noqa: ANN001, ANN202
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")  # a socket's or a child's pipe

    monkeypatch.setattr("casebook.validate.run", run)
    assert cli.main(["validate"]) == 1
    assert capsys.readouterr().err == "casebook validate: error: [Errno 32] Broken pipe\n"


# --------------------------------------------------------------------------- warnings


def test_a_warning_is_one_casebook_line(monkeypatch, capsys) -> None:
    def run(args):  # noqa: ANN001, ANN202
        warnings.warn("12 rows\n  were skipped", UserWarning, stacklevel=1)

    monkeypatch.setattr("casebook.validate.run", run)
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the second run warns from the same line
        assert cli.main(["validate"]) == 0
        assert capsys.readouterr().err == "casebook validate: warning: 12 rows were skipped\n"
        assert cli.main(["--debug", "validate"]) == 0  # where it comes from, to debug
    err = capsys.readouterr().err
    assert "test_cli.py:" in err and "UserWarning: 12 rows" in err


def test_store_add_warns_of_duplicate_ids_in_one_line(tmp_path: Path, capsys) -> None:
    from tests.test_search import RELEASE_A, UA1, _row, write_release

    # the same id with another text: kept, and warned of (a row repeated in every column
    # is loaded once instead)
    folder = write_release(tmp_path / "in" / "dup_202012", "dup_202012",
                           [*RELEASE_A, _row("101", UA1, "2020-01-01 10:00",
                                             tweet_text="another text")])
    assert cli.main(["store", "add", str(folder), "--store", str(tmp_path / "store"),
                     "--no-progress"]) == 0
    # the prefix names the subcommand that warned, as its errors do
    assert capsys.readouterr().err == (
        "casebook store add: warning: dup_202012: 1 duplicate tweet id(s) "
        "(kept; see Release.checks['duplicate_tweetid_examples'])\n")


def test_errors_and_warnings_name_the_subcommand_that_ran(tmp_path: Path, capsys) -> None:
    args = ["store", "add", "a", "b", "--store", str(tmp_path / "s"), "--name", "x"]
    assert cli.main(args) == 2
    assert capsys.readouterr().err.startswith("casebook store add: error: --name names one")
    assert cli.main(["store", "list", "--store", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith("casebook store list: error: ")
