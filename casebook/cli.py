"""The ``casebook`` command line: one entry point, a subcommand per task.

:data:`COMMANDS` names each subcommand's module and its one-line help, so that
``casebook --help`` lists the commands without importing any of them. When the command
line names a command, only that module is imported; it provides::

    add_arguments(parser: argparse.ArgumentParser) -> None   # its options
    run(args: argparse.Namespace) -> int                     # 0 on success

``run`` reports a failure by raising a :class:`~casebook.errors.CasebookError`; :func:`main`
prints it as one line on stderr and exits with its ``exit_code`` (1 when the data or a run
failed, 2 when the command was used wrongly). ``casebook --debug COMMAND ...`` shows the
traceback as well. argparse's own usage errors (an unknown option, a missing argument)
are one line too, naming the command they belong to and exiting 2:
``casebook validate: error: unrecognized arguments: --bogus (see casebook validate
--help)``. Errors and warnings are prefixed with the full name of the command that ran
(``casebook store add``), set once the command line is parsed.

A run is stopped the same way whichever signal stops it: Ctrl-C (SIGINT) and SIGTERM
raise :class:`KeyboardInterrupt` in the command, so that its ``finally`` clean-ups run
(a half-written store partition or output file is removed), and :func:`main` prints one
line ("interrupted" or "terminated") and returns 128 + the signal's number. A library
that turns the interruption into an error of its own (DuckDB raises ``RuntimeError:
Query interrupted``) or swallows it does not hide it: the signal is remembered. When the
reader of standard output goes away (``casebook search ... | head``) the command ends
quietly with 141, as a program stopped by SIGPIPE.

Everything a command prints goes through one filter (:func:`terminal_safe`): messages
quote archive text (header cells, zip member names, account names), so control
characters are escaped (ESC as ``\\x1b``) and bidi and invisible characters shown as
``<U+202E>`` (:func:`casebook.safety.escape_controls`) in errors, warnings, reports
and notes alike; only the cursor moves of a progress bar reach the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import re
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, NoReturn, TextIO

from casebook import __version__
from casebook.errors import CasebookError

__all__ = ["COMMANDS", "build_parser", "main", "terminal_safe"]

#: Subcommand name -> (module providing ``add_arguments``/``run``, one-line help),
#: in the order ``casebook --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("casebook.validate", "check archive files and print a validation report"),
    "fetch": ("casebook.fetch", "download a real release (tweets and users files) from the archive"),
    "releases": ("casebook.releases", "list the archive's known releases with published counts"),
    "specimen": (
        "casebook.specimen",
        "write the synthetic specimen releases (offline stand-ins with ground truth)",
    ),
    "network": ("casebook.coordination.command", "compute coordination networks from a release"),
    "store": ("casebook.store", "add releases to a Parquet store of many releases, or list it"),
    "search": ("casebook.search", "search every release of a store: urls, domains, hashtags, "
               "texts, accounts, retweets"),
    "run": ("casebook.runner", "run the case notebooks with papermill into HTML reports"),
    "workshop": ("casebook.workshop", "generate the workshop specimen if it is missing"),
}

#: Exit status of an interrupted command (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Exit status of a command stopped by SIGTERM (128 + SIGTERM).
EXIT_TERMINATED = 143
#: Exit status of a command whose standard output was closed before it finished
#: (128 + SIGPIPE: what a shell reports for a program a closed pipe stopped).
EXIT_PIPE_CLOSED = 141

# the signals that stop a run, the line printed and the exit status of each
_STOPPED_BY = {signal.SIGINT: ("interrupted", EXIT_INTERRUPTED),
               signal.SIGTERM: ("terminated", EXIT_TERMINATED)}

_EPILOG = """\
exit status:
  0    success
  1    the data or a run failed (an unreadable file, a failed download or case)
  2    wrong usage (an unknown option or value, an undeclared notebook parameter)
  130  interrupted (Ctrl-C)
  141  standard output closed before the end (e.g. piped into head): no message
  143  terminated (SIGTERM); cleaned up as after Ctrl-C

An error is printed as one line on stderr, and so is a warning:
  casebook COMMAND: error: what went wrong (what to do)
  casebook COMMAND: warning: what to keep in mind
Put --debug before the command to see the traceback too, e.g.
  casebook --debug validate data/raw/GRU_202012

Run 'casebook COMMAND --help' for the options of one command."""


class _CommandParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The subcommands of a parser: an argument that belongs to none of their options is
    refused by the subcommand's own parser, so that the error names it (argparse leaves
    it to the top parser: ``casebook: error: unrecognized arguments``)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        super().__call__(parser, namespace, values, option_string)
        chosen = self._name_parser_map[values[0]]
        parser.chosen = chosen  # type: ignore[attr-defined]  # read by _command_prog
        # where argparse keeps what a subcommand did not recognise for the top parser
        left = vars(namespace).pop(argparse._UNRECOGNIZED_ARGS_ATTR, None)
        if left:
            chosen.error(f"unrecognized arguments: {' '.join(left)}")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage error is one line on stderr, exit status 2.

    argparse prints the whole usage block, then the error: the project's rule is one line
    per error, naming the command and where to look. The subcommands' parsers are of this
    class too (``add_subparsers`` makes them of its parser's class), and so are those of
    the subcommands' own subcommands (``casebook store add``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _CommandParsers)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` on stderr and exit 2."""
        line = f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)"
        self.exit(2, _escaped(line) + "\n")


def _command_prog(parser: argparse.ArgumentParser) -> str:
    """The name of the (sub)command a parsed command line ran: ``casebook store add``."""
    while getattr(parser, "chosen", None) is not None:
        parser = parser.chosen  # type: ignore[attr-defined]
    return parser.prog


def _top_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = _Parser(
        prog="casebook",
        description=(
            "Investigate state-linked information operations in Twitter's public archive:\n"
            "validate and fetch releases, generate the synthetic specimen, compute\n"
            "coordination networks, and run the case notebooks into reports."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an error, not just one line"
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    return parser, subparsers


def _command_module(command: str) -> ModuleType:
    """Import the module of ``command`` (only this one: the others stay unloaded)."""
    module_name = COMMANDS[command][0]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # a command whose module is absent from this installation, not a missing dependency
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        raise CasebookError(
            f"the {command} command is not available in this installation "
            f"(no module {module_name})",
            hint="reinstall casebook with 'make setup'",
        ) from exc


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``casebook`` parser; with ``command``, that command's options are added.

    Parameters
    ----------
    command
        A key of :data:`COMMANDS` whose module is imported to add its options; the
        other commands are listed with their help line only.
    """
    parser, subparsers = _top_parser()
    for name, (_, help_line) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_line, description=help_line)
        if name == command:
            _command_module(name).add_arguments(sub)
    return parser


def _named_command(argv: list[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (the top-level
    options take no value), when that word is a command."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())


# printable ASCII, line feed and tab: written as they are, without loading pandas
_PLAIN = re.compile(r"[\x20-\x7e\n\t]*")
# what a progress bar (tqdm) writes besides its text: line feeds and "cursor up"
_BAR_MOVES = re.compile(r"\n*(?:\x1b\[A)*")


def _escaped(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return text
    from casebook.safety import escape_controls  # pandas: only for text that needs it

    return escape_controls(text)


class _SafeStream:
    """A text stream that escapes control characters in all that is written to it.

    With ``progress`` the moves of a progress bar pass: a write made only of line
    feeds and "cursor up" sequences, and the carriage returns a bar's line starts
    with. Everything else (attributes, ``fileno``, ``isatty``...) is the stream's.
    """

    def __init__(self, stream: TextIO, *, progress: bool) -> None:
        self._stream = stream
        self._progress = progress
        #: Whether a write or flush found the reader of the stream gone (a closed pipe).
        self.pipe_closed = False

    def write(self, text: str) -> int:
        with self._noting_a_closed_pipe():
            if self._progress and _BAR_MOVES.fullmatch(text):
                return self._stream.write(text)
            lead = len(text) - len(text.lstrip("\r")) if self._progress else 0
            self._stream.write(text[:lead] + _escaped(text[lead:]))
        return len(text)

    def flush(self) -> None:
        with self._noting_a_closed_pipe():
            self._stream.flush()

    @contextlib.contextmanager
    def _noting_a_closed_pipe(self) -> Iterator[None]:
        # a BrokenPipeError can come from any pipe or socket: only this one's is quiet
        try:
            yield
        except BrokenPipeError:
            self.pipe_closed = True
            raise

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def terminal_safe(prog: str = "casebook", *,
                  debug: bool = False) -> Iterator[Callable[[str], None]]:
    """Within it, stdout and stderr escape control characters (see the module docs).

    Covers every message of every command, printed or warned: a header cell
    ``\\x1b[2J`` is shown as those characters, not a cleared screen. Progress bars on
    stderr keep their carriage returns and cursor-up moves. It is also the one place
    that prefixes a warning with the command's name.

    Parameters
    ----------
    prog
        What a warning's line starts with: ``casebook COMMAND: warning: message``.
    debug
        Show warnings in Python's own form instead (source file, line and code).

    Yields
    ------
    Callable[[str], None]
        Renames ``prog``: the full name of a subcommand is known only once the command
        line is parsed (``casebook store add``).
    """
    stdout, stderr, show = sys.stdout, sys.stderr, warnings.showwarning
    sys.stdout = _SafeStream(stdout, progress=False)  # type: ignore[assignment]
    sys.stderr = _SafeStream(stderr, progress=True)  # type: ignore[assignment]

    def show_warning(message: Any, category: Any, filename: str, lineno: int,
                     file: Any = None, line: str | None = None) -> None:
        if debug:
            text = warnings.formatwarning(message, category, filename, lineno, line)
        else:  # the source line of a library is no help to the user of a command
            text = f"{prog}: warning: {_one_line(str(message))}\n"
        (file or sys.stderr).write(_escaped(text))

    def rename(name: str) -> None:
        nonlocal prog
        prog = name

    warnings.showwarning = show_warning
    try:
        yield rename
    finally:
        sys.stdout, sys.stderr, warnings.showwarning = stdout, stderr, show


@contextlib.contextmanager
def _signals_interrupt(received: list[int]) -> Iterator[None]:
    """Within it, SIGINT and SIGTERM raise :class:`KeyboardInterrupt`, noted in ``received``.

    Raising unwinds the command, so its clean-ups run whichever signal stopped it (the
    default SIGTERM ends the process on the spot). The note outlives the exception: DuckDB
    turns a KeyboardInterrupt raised during a query into ``RuntimeError: Query
    interrupted``. A signal ignored when casebook started (``nohup``) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread
        return

    def handler(signum: int, frame: Any) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    try:
        for signum in _STOPPED_BY:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, handler)
        yield
    finally:
        for signum, old in previous.items():
            # None: a handler installed outside Python, which cannot be put back
            signal.signal(signum, signal.SIG_DFL if old is None else old)


def _is_interruption(exc: BaseException) -> bool:
    """Whether ``exc`` reports an interruption or was raised while one unwound the run.

    DuckDB raises its own ``InterruptException`` when a query is interrupted.
    """
    duckdb = sys.modules.get("duckdb")  # loaded by the command if it used DuckDB
    kinds: tuple[type[BaseException], ...] = (KeyboardInterrupt,)
    if isinstance(getattr(duckdb, "InterruptException", None), type):
        kinds += (duckdb.InterruptException,)  # type: ignore[union-attr]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kinds):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Parameters
    ----------
    argv
        The arguments after ``casebook`` (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 1 when the data or a run failed; 2 for a usage or parameter
        error (argparse's own usage errors exit 2 through ``SystemExit``, after one
        line on stderr; no command prints the help on stderr and returns 2); 130 when
        interrupted (SIGINT), 143 when terminated (SIGTERM); 141 when standard output
        was closed before the command finished.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _named_command(argv)
    debug = "--debug" in argv[: argv.index(command)] if command else False
    prog = f"casebook {command}" if command else "casebook"
    received: list[int] = []
    with terminal_safe(prog, debug=debug) as rename, _signals_interrupt(received):
        return _main(argv, command, debug, received, rename)


def _main(argv: list[str], command: str | None, debug: bool, received: list[int],
          rename: Callable[[str], None]) -> int:
    prog = f"casebook {command}" if command else "casebook"
    try:
        parser = build_parser(command)
        args = parser.parse_args(argv)
        if command is None:
            # not what was asked for: stdout stays for a command's output (a pipe
            # reading it gets nothing), as for any other usage error
            parser.print_help(sys.stderr)
            return 2
        prog = _command_prog(parser)
        rename(prog)
        code = int(_command_module(command).run(args) or 0)
        # output still buffered for a pipe its reader closed fails here, not at exit
        sys.stdout.flush()
    except KeyboardInterrupt as exc:
        return _stopped(received, exc, debug)
    except Exception as exc:
        if received or _is_interruption(exc):
            return _stopped(received, exc, debug)
        if isinstance(exc, BrokenPipeError) and getattr(sys.stdout, "pipe_closed", False):
            _silence_stdout()
            return EXIT_PIPE_CLOSED
        if isinstance(exc, CasebookError):
            return _fail(prog, exc, exc.exit_code, debug)
        if isinstance(exc, OSError):  # a path the user gave: missing, unreadable, a folder
            return _fail(prog, exc, 1, debug)
        raise
    if received:  # a library caught the KeyboardInterrupt: the run was still stopped
        return _stopped(received, None, debug)
    return code


def _stopped(received: list[int], exc: BaseException | None, debug: bool) -> int:
    """Print the one line of a run a signal stopped; its exit status."""
    if debug and exc is not None:
        traceback.print_exception(exc)
    line, code = _STOPPED_BY[received[0] if received else signal.SIGINT]
    print(line, file=sys.stderr)
    # CPython ends a 'python -m casebook.cli' run by SIGINT, whatever its exit status,
    # when the last string that exec or eval ran was left by a KeyboardInterrupt
    # (dataclasses build their methods so: a signal can land there during an import);
    # the interruption is handled here, and a string run to its end clears that mark
    eval("None")
    return code


def _silence_stdout() -> None:
    """Point standard output at the null device: what is still buffered for the closed
    pipe would fail again when Python flushes it at exit."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _fail(prog: str, exc: BaseException, code: int, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, OSError) and exc.strerror and exc.filename is not None:
        message = f"{exc.strerror}: {exc.filename}"
    else:
        message = str(exc) or type(exc).__name__
    # an OSError's file name is not a CasebookError message: it is escaped here
    print(f"{prog}: error: {_escaped(_one_line(message))}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
