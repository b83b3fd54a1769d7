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


def distribution_image(counts: np.ndarray, background: QColor) -> QImage:
    """A neuron's activation histogram over [-1, 1] as an image: one column per bin, bars
    (square-root heights, so a spike at 0 leaves room for the rest) in the value's
    colour, darkened, on `background`."""
    bins = height = len(counts)   # square, as the maps are
    peak = float(counts.max()) if bins else 0.0
    tall = np.sqrt(counts / peak) * height if peak > 0 else np.zeros(bins)
    centres = np.clip(((np.arange(bins) + 0.5) / bins) * 255, 0, 255).astype(np.uint8)
    rgb = _LUT[centres]
    dark = ((((rgb >> 16) & 255) * 3 // 4) << 16) | ((((rgb >> 8) & 255) * 3 // 4) << 8) | \
        ((rgb & 255) * 3 // 4) | np.uint32(0xFF000000)
    rows = np.arange(height)[::-1, None]            # 0 at the bottom row
    pixels = np.where(rows < np.round(tall)[None, :], dark[None, :],
                      np.uint32(background.rgba()))
    pixels = np.ascontiguousarray(pixels.astype(np.uint32))
    return QImage(pixels.data, bins, height, bins * 4, QImage.Format.Format_RGB32).copy()
