"""The ``casebook`` command line: one entry point, a subcommand per task.

Each subcommand lives in its topic module, which exposes
``register_cli(subparsers)``; that function adds its parser and sets
``func`` (called with the parsed arguments, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Modules that provide subcommands, in the order ``--help`` lists them.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "casebook.validate",
    "casebook.fetch",
    "casebook.specimen",
    "casebook.coordination",
    "casebook.runner",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="casebook",
        description=(
            "Investigate state-linked information operations in Twitter's public "
            "archive: validate and fetch releases, generate the synthetic specimen, "
            "compute coordination networks, and run the case notebooks into reports."
        ),
        epilog="Run 'casebook COMMAND --help' for the options of one command.",
    )
    from casebook import __version__

    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a module not written yet
            if exc.name != name:
                raise
            continue
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
