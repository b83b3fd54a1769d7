"""Drawing helpers of the optimizer lab: the surface's colours, arrows and accumulator
squares as line segments (one PlotDataItem with connect="pairs" draws many), and the
contour image of a surface. Pure numpy and pyqtgraph; no torch."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from ...theme import Theme

NO_SEGMENTS = np.empty((0, 2))


def theme_plot(plot: pg.PlotWidget, theme: Theme) -> None:
    """A plot's background and axes in the theme's colours."""
    plot.setBackground(theme.plot_background)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).setPen(theme.text)
        plot.getAxis(axis).setTextPen(theme.text)


def surface_colormap(theme: Theme) -> pg.ColorMap:
    """Low values cool, high values warm, pale on light and deep on dark, so the
    optimizers' coloured paths stay the strongest marks on the map."""
    if theme.name == "dark":
        colors = ["#0b2239", "#16324f", "#2d3a2e", "#4a3a14", "#5a2a12"]
    else:
        colors = ["#dbeafe", "#eef2ff", "#f8fafc", "#fef3c7", "#fed7aa"]
    return pg.ColorMap(np.linspace(0.0, 1.0, len(colors)), colors)


def contour_values(values: np.ndarray) -> np.ndarray:
    """f compressed for colour: log(1 + f - min), so a valley's floor and its walls
    thousands of times higher both show structure."""
    finite = np.where(np.isfinite(values), values, np.nan)
    low = np.nanmin(finite) if np.isfinite(finite).any() else 0.0
    shifted = np.log1p(np.clip(finite - low, 0.0, 1e300))
    return np.nan_to_num(shifted, nan=float(np.nanmax(shifted)) if np.isfinite(
        shifted).any() else 0.0)


def contour_levels(image: np.ndarray, count: int = 12) -> list[float]:
    """Levels at even steps of the compressed values (skipping the two extremes)."""
    low, high = float(image.min()), float(image.max())
    if not high > low:
        return []
    return list(np.linspace(low, high, count + 2)[1:-1])


def arrow(origin: tuple[float, float], vector: tuple[float, float],
          head: float) -> np.ndarray:
    """Six points (three segments: shaft, two barbs) for connect="pairs"; none for a
    vector of zero length. `head` is the barb length in data units."""
    length = math.hypot(*vector)
    if not (length > 0 and math.isfinite(length)):
        return NO_SEGMENTS
    ox, oy = origin
    tx, ty = ox + vector[0], oy + vector[1]
    barb = min(head, 0.4 * length)
    ux, uy = vector[0] / length, vector[1] / length
    points = [(ox, oy), (tx, ty)]
    for side in (1.0, -1.0):   # barbs at +-25 degrees behind the tip
        c, s = math.cos(math.radians(155)), side * math.sin(math.radians(155))
        points += [(tx, ty), (tx + barb * (ux * c - uy * s), ty + barb * (ux * s + uy * c))]
    return np.array(points)


def rectangle(centre: tuple[float, float], width: float, height: float) -> np.ndarray:
    """A rectangle's four sides as connect="pairs" segments."""
    if not (math.isfinite(width) and math.isfinite(height)):
        return NO_SEGMENTS
    x, y, w, h = centre[0], centre[1], width / 2, height / 2
    corners = [(x - w, y - h), (x + w, y - h), (x + w, y + h), (x - w, y + h)]
    a, b, c, d = corners
    return np.array([a, b, b, c, c, d, d, a])
