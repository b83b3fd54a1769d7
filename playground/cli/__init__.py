"""The headless command line: `playground COMMAND`, one module per command.

Bad arguments or values print one sentence on stderr and exit with 2. Imports the core
only, never Qt.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from .. import __version__, logfile
from ..core.errors import NoDrawnPointsError, PlaygroundError, SpecError
from .parsing import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from .train_flags import in_flag_words

# The commands, each a module of this package with register(commands), which adds its
# subparser with set_defaults(func=...); in the order --help lists them (export adds
# --tensorboard to train, sweep and search, so it comes after them). Imported only when
# the parser is built.
COMMAND_MODULES: tuple[str, ...] = ("train", "inspect", "spec", "datasets", "lab", "search",
                                     "lrfind", "sweep", "lessons", "landscape", "export")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one sentence, no usage dump
        text = message[0].upper() + message[1:]
        self.exit(EXIT_USAGE, f"{self.prog}: {text.rstrip('.')}; see --help.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="playground", description="Gradient Playground: train neural "
                     "networks by gradient descent and watch them learn.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


# The core's sentence tells a window's user to click on the plot; here there is none.
NO_DRAWN_POINTS = ("The drawn set has no points: draw them in the window, or give a spec "
                   "file whose data.points holds them.")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A PlaygroundError is one sentence on stderr and exit 2; any
    other exception is a bug: one sentence, the traceback in the log file, exit 1."""
    logfile.setup()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        _refuse_empty(args)
        return args.func(args)
    except PlaygroundError as exc:
        message = in_flag_words(str(exc), args) if isinstance(exc, SpecError) else \
            NO_DRAWN_POINTS if isinstance(exc, NoDrawnPointsError) else str(exc)
        print(f"playground {args.command}: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"playground {args.command}: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except MemoryError:
        logfile.log.exception("out of memory")
        print(f"playground {args.command}: the computer ran out of memory; use fewer "
              "samples, a smaller network or a smaller batch.", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a bug: a sentence here, details in the log
        logfile.log.exception("playground %s failed", args.command)
        first = (str(exc).splitlines() or [""])[0][:160]
        print(f"playground {args.command}: an unexpected error stopped the command "
              f"({type(exc).__name__}{': ' + first if first else ''}); this is a bug, and "
              f"the details are in {logfile.where()}.", file=sys.stderr)
        return EXIT_FAILED


def _refuse_empty(args: argparse.Namespace) -> None:
    """An empty value is never meant: `--save ""` would train and save nothing."""
    for name, value in vars(args).items():
        if isinstance(value, str) and not value.strip() and name != "command":
            flag = f"--{name.replace('_', '-')}" if name not in ("spec", "file") else \
                f"the {name} argument"
            if name == "opt_params":
                flag = "--opt-param"
            raise UsageError(f"{flag} is empty; give a value, or leave it out.")


if __name__ == "__main__":
    sys.exit(main())
