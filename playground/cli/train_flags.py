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
import re
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


# Where a spec path's value comes from when the user typed a flag: the flag's dest.
_FLAG_OF = {
    "data.name": "dataset", "data.path": "data", "data.target": "target",
    "data.task": "task", "data.missing": "missing", "data.classes": "classes",
    "data.inputs": "inputs", "data.samples": "samples", "data.noise": "noise",
    "data.features": "features", "data.split": "split", "data.scaling": "scaling",
    "data.seed": "data_seed", "model": "layers", "optimizer.name": "optimizer",
    "optimizer.lr": "lr", "schedule.name": "schedule", "train.loss": "loss",
    "train.metrics": "metrics", "train.batch_size": "batch_size", "train.epochs": "epochs",
    "train.max_steps": "max_steps", "train.l1": "l1", "train.l2": "l2",
    "train.clip_norm": "clip_norm", "train.clip_value": "clip_value",
    "train.early_stopping": "early_stopping", "train.convergence_tol": "converge",
    "train.seed": "seed", "train.device": "device", "train.threads": "threads",
    "train.checkpoint_every": "checkpoint_every", "train.validate_every": "validate_every",
}
_MOMENTUM_ROLES = ("momentum", "beta1")
_PATH = re.compile(r"^(model\.layers\[(\d+)\](?:\.(\w+))?|[a-z_]+(?:\.[a-z_0-9]+)*)(?=[:. (])")
_OWN_SETTINGS = {"optimizer": "opt_params", "schedule": "schedule"}


def in_flag_words(message: str, args: argparse.Namespace) -> str:
    """A spec error as the user typed it: "train.batch_size: 0 is out of range" is
    "--batch-size: 0 is out of range" when --batch-size was given (a value from a spec
    file keeps its spec path: that is where it was written)."""
    found = _PATH.match(message)
    if found is None:
        return message
    path, rest = found.group(1), message[found.end():]
    flag = _flag_for(path, args)
    if flag is None:
        return message
    if found.group(2) is not None:  # model.layers[3].units -> --layers, layer 4's units
        field = f"'s {found.group(3)}" if found.group(3) else ""
        return f"--layers, layer {int(found.group(2)) + 1}{field}{rest}"
    return flag + rest


def _flag_for(path: str, args: argparse.Namespace) -> str | None:
    given = lambda dest: getattr(args, dest, None) is not None  # noqa: E731
    part, _, name = path.partition(".")
    if part in _OWN_SETTINGS and path not in _FLAG_OF:  # an optimizer's or schedule's own
        if part == "optimizer" and name in _MOMENTUM_ROLES and given("momentum"):
            return "--momentum"
        flag = "--opt-param" if part == "optimizer" else "--schedule"
        name = "warmup" if name == "warmup_epochs" else name.removeprefix("params.")
        return f"{flag} {name}" if given(_OWN_SETTINGS[part]) else None
    for prefix in sorted(_FLAG_OF, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            dest = _FLAG_OF[prefix]
            return f"--{dest.replace('_', '-')}" if given(dest) else None
    return None

