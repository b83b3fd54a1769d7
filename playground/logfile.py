"""The log file: where tracebacks go, so that people get a sentence and we get the details.

$GRADIENT_PLAYGROUND_LOG names the file; otherwise it is playground.log in the user's
log folder. Both entry points (the window and the CLI) call `setup()` once.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("playground")
_handler: logging.Handler | None = None


def log_path() -> Path:
    override = os.environ.get("GRADIENT_PLAYGROUND_LOG")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_log_dir("gradient-playground", appauthor=False)) / \
        "playground.log"


def setup(echo: bool = False) -> Path | None:
    """Log to the file (and to stderr too when `echo`); warnings (numpy's
    RuntimeWarnings, say) go to the log, not to the terminal. The file's path, or None
    when it cannot be written (logging then goes nowhere rather than failing)."""
    global _handler
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    if echo and not any(isinstance(h, logging.StreamHandler)
                        and not isinstance(h, logging.FileHandler) for h in root.handlers):
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    if _handler is not None:
        return Path(_handler.baseFilename)  # type: ignore[attr-defined]
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        _handler = logging.NullHandler()
        root.addHandler(_handler)
        return None
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(_handler)
    return path


def where() -> str:
    """Words for the log's location, for a sentence that points to it."""
    path = getattr(_handler, "baseFilename", None)
    return f"the log ({path})" if path else "the log"
