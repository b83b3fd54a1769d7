"""The train flags for commands other than `train` (search, lr-find).

`_add_train` in this package defines the flags on the parser it creates; handing it a
stand-in for the subparsers object that returns our own parser gives a command exactly
the same flags (and `apply_overrides` reads them as it does for `train`). The flags that
only make sense for one training run (--save, --resume, --checkpoint-every) are hidden
and refused. (When the flags are factored into an add_train_flags(parser), this module
becomes a call to it.)
"""
from __future__ import annotations

import argparse
from typing import Any

_RUN_ONLY = ("save", "resume", "checkpoint_every")


class _Into:
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser

    def add_parser(self, *args: Any, **kwargs: Any) -> argparse.ArgumentParser:
        return self.parser


def add_train_flags_to(parser: argparse.ArgumentParser, jsonl_help: str) -> None:
    """The train flags on `parser`; --jsonl described as `jsonl_help` says."""
    from . import _add_train

    _add_train(_Into(parser))
    for action in parser._actions:  # argparse has no public way to hide or reword a flag
        if action.dest in _RUN_ONLY:
            action.help = argparse.SUPPRESS
        elif action.dest == "jsonl":
            action.help = jsonl_help


def refuse_run_flags(args: argparse.Namespace, command: str) -> None:
    from . import UsageError

    for name in _RUN_ONLY:
        if getattr(args, name, None) is not None:
            raise UsageError(f"--{name.replace('_', '-')} belongs to `playground train`; "
                             f"`playground {command}` does not save a run.")
