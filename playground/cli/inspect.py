"""`playground inspect FILE`: show what a saved run holds (--json: as JSON)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from ..core.sessionfile import describe_session
from .output import _fmt, _json_safe
from .parsing import EXIT_OK


def register(commands: Any) -> None:
    inspect = commands.add_parser("inspect", help="show what a saved run holds")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=cmd_inspect)


def cmd_inspect(args: argparse.Namespace) -> int:
    info = describe_session(args.file)
    if not info.get("trained", True):
        info = {**info, "parameters": 0, "tensors": {}, "history_epochs": 0,
                "last_epoch": None, "weights_sha256": None, "lr": info["spec"]["optimizer"]["lr"],
                "batch_in_epoch": 0}
    if args.json:
        print(json.dumps(_json_safe(info), indent=2))
        return EXIT_OK
    print(f"{info['path']}: {info['format']} v{info['version']} "
          f"(Gradient Playground {info['app_version']}, torch {info['torch']})")
    print(f"data set      {info['dataset']}")
    print(f"optimizer     {info['optimizer']} (lr {info['lr']:g})")
    print(f"position      epoch {info['epoch']} of {info['epochs_planned']}, update "
          f"{info['step']}, batch {info['batch_in_epoch']} of the current epoch")
    print(f"parameters    {info['parameters']:,}")
    for name, shape in info["tensors"].items():
        print(f"  {name:<28} {'x'.join(map(str, shape)) or 'scalar'}")
    print(f"history       {info['history_epochs']} epochs")
    if info["last_epoch"]:
        last = info["last_epoch"]
        print("last epoch    " + "  ".join(f"{k} {_fmt(v)}" for k, v in last.items()))
    print(f"weights sha256 {info['weights_sha256']}")
    if info["runs"]:
        print(f"runs          {len(info['runs'])}: " + ", ".join(
            f"{r['name']} ({r['epochs']} epochs{', current' if r['current'] else ''})"
            for r in info["runs"]))
    return EXIT_OK
