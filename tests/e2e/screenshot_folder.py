"""Where the take_*screenshot* scripts write: the folder after --out, else a folder in
the system's temporary folder, never the repository (the README's pictures are
replaced only on purpose: --out resources/screenshots).

    .venv/bin/python -m tests.e2e.take_screenshots [--out FOLDER] [...]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

DEFAULT = Path(tempfile.gettempdir()) / "gradient-playground-screenshots"


def screenshot_folder(argv: list[str] | None = None) -> tuple[Path, list[str]]:
    """(the folder, made if missing; the other arguments) from the command line."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--out", type=Path, default=DEFAULT)
    known, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    known.out.mkdir(parents=True, exist_ok=True)
    return known.out, rest
