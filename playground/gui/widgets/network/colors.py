"""The web playground's diverging colours: orange (negative), grey (0), blue (positive),
over [-1, 1]; and numpy maps turned into QImages through a 256-entry colour table."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

NEGATIVE, ZERO, POSITIVE = "#f59322", "#e8eaeb", "#0877bd"


def _ramp() -> list[int]:
    low, mid, high = (np.array(QColor(c).getRgb()[:3], float) for c in (NEGATIVE, ZERO,
                                                                        POSITIVE))
    table = []
    for i in range(256):
        t = i / 255 * 2 - 1
        rgb = mid + (high - mid) * t if t >= 0 else mid + (mid - low) * t
        r, g, b = (int(round(v)) for v in rgb)
        table.append(0xFF000000 | (r << 16) | (g << 8) | b)
    return table


TABLE = _ramp()
_LUT = np.array(TABLE, dtype=np.uint32)


def color_of(value: float) -> QColor:
    """The colour of one value in [-1, 1] (clipped)."""
    index = int(round((min(max(value, -1.0), 1.0) + 1) / 2 * 255))
    return QColor.fromRgba(TABLE[index])


def map_images(maps: np.ndarray) -> list[QImage]:
    """2-D maps (n x rows x columns, rows over y, bottom row first) as images, values
    clipped to [-1, 1] (NaN as 0): one colour lookup for the whole stack."""
    level = np.clip((maps + 1.0) * 127.5, 0, 255)
    level[np.isnan(level)] = 127.5
    pixels = np.ascontiguousarray(_LUT[level.astype(np.uint8)][:, ::-1])  # top row first
    count, height, width = pixels.shape
    return [QImage(pixels[i].data, width, height, width * 4,
                   QImage.Format.Format_RGB32).copy()  # own the pixels
            for i in range(count)]
