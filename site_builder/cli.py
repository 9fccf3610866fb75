"""The ``site-builder`` command line: one sub-command per module in ``site_builder.commands``.

Exit codes: 0 success, 1 catalog or build errors (all printed), 2 bad arguments (one line on
stderr naming the argument; control and bidirectional characters in it are escaped, so the
message is always exactly one line). A reader that closes the output early (``| head``) ends
the command quietly with exit code 1; no input prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import unicodedata
from collections.abc import Sequence
from types import ModuleType

from site_builder.errors import BuildError, CatalogError, UsageError

COMMANDS = {
    "validate": "Validate the catalog and report every error.",
    "build": "Validate, compute and render the site into site/.",
    "serve": "Preview the site with live reload of catalog, content and templates.",
    "estimate": "Estimate fit and speed of one configuration (or a batch).",
    "recommend": "Recommend setups (fastest, easiest, most precise) for a machine and model.",
    "cost": "Prices, running costs, and owning a combo against renting it or an API.",
    "accuracy": "Compare the engine with every measured benchmark in the catalog.",
    "calibrate": "Fit the per-runtime corrections on the catalog's measurements.",
    "schema": "Write the JSON Schema of every catalog kind.",
    "new": "Write a new catalog entry: a skeleton, or an import (config.json, llama-bench output).",
    "diff": "Report the pages and results a catalog or content change moves (two refs or folders).",
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message naming the bad argument."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def one_line(text: str) -> str:
    """``text`` with every control, format (bidirectional overrides, ...), separator and
    surrogate character escaped as ``\\xNN``/``\\uNNNN``: it prints as exactly one line."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch)[0] in "CZ" and ch != " "
        else ch
        for ch in text
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every sub-command; with ``only``, the options of that one alone (the others
    are listed by name and help: importing every command's module costs a quarter of a second,
    which a one-line ``estimate`` should not pay)."""
    parser = _Parser(prog="site-builder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            _module(name).add_arguments(sub)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names (its first argument, which the top-level parser takes
    without options), or None."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"site_builder.commands.{name}")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        given = list(sys.argv[1:] if argv is None else argv)
        args = build_parser(_command(given)).parse_args(given)
        try:
            return int(_module(args.command).run(args))
        except CatalogError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except UsageError as exc:
            print(f"site-builder {args.command}: error: {one_line(str(exc))}", file=sys.stderr)
            return 2
    except BrokenPipeError:
        _quiet_stdout()
        return 1


def _quiet_stdout() -> None:
    """The reader of stdout went away: point stdout at /dev/null so the interpreter's final
    flush does not report the broken pipe (the Python documentation's recipe for SIGPIPE)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (tests capture it)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
