"""The `playground` entry point.

`playground train|inspect|spec|datasets ...` runs the headless CLI. The main window
arrives with the GUI issue; until then, `playground` alone prints the commands.
"""
from __future__ import annotations

import logging
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from . import cli

    return cli.main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
