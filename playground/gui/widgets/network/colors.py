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


def color_of(value: float) -> QColor:
    """The colour of one value in [-1, 1] (clipped)."""
    index = int(round((min(max(value, -1.0), 1.0) + 1) / 2 * 255))
    return QColor.fromRgba(TABLE[index])


def map_image(values: np.ndarray) -> QImage:
    """A 2-D map (rows over y, bottom row first) as an image, values clipped to [-1, 1]."""
    index = np.clip((np.nan_to_num(values) + 1.0) * 127.5, 0, 255).astype(np.uint8)
    index = np.ascontiguousarray(index[::-1])  # images run top to bottom
    height, width = index.shape
    image = QImage(index.data, width, height, width, QImage.Format.Format_Indexed8)
    image.setColorTable(TABLE)
    return image.copy()  # own the pixels: the numpy buffer goes away
