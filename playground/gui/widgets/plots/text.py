"""Small formatting helpers the plots' texts share: a number as the readout and the
summary write it, a layer's name cut to fit a key, text made safe inside Qt's HTML."""
from __future__ import annotations

import math


def number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "NaN" if math.isnan(value) else \
        ("infinite" if value > 0 else "-infinite")


def short(name: str, limit: int = 14) -> str:
    return html(name if len(name) <= limit else name[:limit - 1] + "\u2026")


def html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
