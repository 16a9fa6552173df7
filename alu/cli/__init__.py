"""The ``alu`` command line: a thin layer over :mod:`alu.api`.

Each command is a plain type-hinted function in its own module (``alu/cli/backtest.py`` ...):
its signature declares its options once (shared ones in :mod:`alu.cli.options`), its body
parses nothing the API does not, calls the API function of the same name and prints. Heavy
modules (pandas-based data, vectorbt) are imported inside the commands that need them, so
``alu --help`` and the commands that do not backtest start fast. Every user-fixable problem is
an :class:`~alu.errors.AluError`, printed as one ``error: ...`` line naming the option at fault,
with exit code 2 (1 for an environment problem); click's own usage errors print the same way.
"""

from __future__ import annotations

import os
import sys

import typer

from alu.cli.backtest import backtest
from alu.cli.compare import compare
from alu.cli.data import data_app
from alu.cli.research import events, research, thesis
from alu.cli.strategies import strategies
from alu.cli.watchlist import watchlist
from alu.errors import AluError

app = typer.Typer(
    name="alu",
    help="Aluminium squeeze signals and backtests over AA, CENX and aluminium futures.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
for command in (backtest, watchlist, compare, strategies, thesis, research, events):
    app.command(command.__name__)(command)
app.add_typer(data_app, name="data")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input, 1 failure)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="alu", standalone_mode=False)
    except AluError as exc:
        _error(exc.for_cli())
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            return 0
        _error(exc.format_message())
        return 2 if exc.exit_code in (1, 2) else exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        _error("aborted")
        return 130
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


def _error(message: str) -> None:
    """One line on standard error; control characters from names in the message (arguments,
    file contents) are shown as escapes, never sent to the terminal."""
    from alu.output import printable

    message = printable(" ".join(message.split()))
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


def run() -> None:
    """Console-script entry point.

    Every file the commands write is written and renamed before ``main`` returns, so once the
    output streams are flushed the process leaves with ``os._exit``: the interpreter's own
    teardown (finalising numba's and vectorbt's objects) would add about 0.7 s to every
    command that backtests, and has nothing left to do for us.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)
