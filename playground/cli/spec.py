"""`playground spec`: list the examples, or print one's spec as JSON (--code, --from-code:
share codes, in export.py)."""
from __future__ import annotations

import argparse
from typing import Any

from ..core.examples import EXAMPLES
from .export import add_code_flags, cmd_spec_code
from .parsing import EXIT_OK
from .train_flags import _example


def register(commands: Any) -> None:
    spec = commands.add_parser("spec", help="print a ready spec as JSON")
    spec.add_argument("--example", metavar="NAME", help=f"one of {', '.join(EXAMPLES)}; "
                      "without it, list the examples")
    add_code_flags(spec)
    spec.set_defaults(func=cmd_spec)


def cmd_spec(args: argparse.Namespace) -> int:
    if args.code or args.from_code is not None or args.file:
        return cmd_spec_code(args)
    if not args.example:
        for name, make in EXAMPLES.items():
            spec = make()
            print(f"{name:<14} {spec.data.name}, {len(spec.model.layers)} layers, "
                  f"{spec.optimizer.name}")
        return EXIT_OK
    print(_example(args.example).to_json())
    return EXIT_OK
