"""What the commands print besides their own lines: numbers to read, JSON without NaN,
download progress."""
from __future__ import annotations

import math
from typing import Any


def _fmt(value: float) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _json_safe(value: Any) -> Any:
    """NaN and infinity are not JSON: write them as null, as most parsers expect."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


class _DownloadProgress:
    """One line on stderr per downloaded file, updated in place."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def __call__(self, filename: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\rdownloading {filename}: {done / 2**20:.1f} of {total / 2**20:.1f} MB",
              end=end, file=self.out, flush=True)
