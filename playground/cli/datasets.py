"""`playground datasets`: list the data sets, and whether each is downloaded."""
from __future__ import annotations

import argparse
import json
from typing import Any

from ..core.data import DATASETS
from .parsing import EXIT_OK


def register(commands: Any) -> None:
    datasets = commands.add_parser("datasets", help="list the data sets")
    datasets.add_argument("--json", action="store_true", help="print JSON")
    datasets.set_defaults(func=cmd_datasets)


def cmd_datasets(args: argparse.Namespace) -> int:
    from ..core.data.downloads import is_downloaded

    rows = []
    for info in DATASETS.values():
        source = info.source
        if source == "download":
            source += "ed" if is_downloaded(info.name) else " (not yet)"
        rows.append({"name": info.name, "task": info.task, "size": info.size,
                     "source": source, "description": info.description})
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for row in rows:
        print(f"{row['name']:<14} {row['task']:<11} {row['size']:<12} {row['source']:<19} "
              f"{row['description']}")
    return EXIT_OK
