"""Drawing helpers of the optimizer lab: the surface's colours, arrows and accumulator
squares as line segments (one PlotDataItem with connect="pairs" draws many), and the
contour image of a surface. Pure numpy and pyqtgraph; no torch."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPixmap, QPolygonF, QTransform

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


class SegmentsItem(pg.GraphicsObject):
    """Many short line segments in several pens, drawn in one item.

    The race's arrows and rectangles change every frame: 4 kinds for each of up to 12
    racers. As PlotDataItems that was 24-48 setData calls a frame (about a third of a
    frame's time); here a frame hands over the new segments once and paints them with
    one drawLines per pen.
    """

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[tuple[object, list]] = []
        self._bounds = QRectF()

    def set_segments(self, groups: list[tuple[object, np.ndarray]]) -> None:
        """groups: (QPen, points of shape (2k, 2): k segments as start, end pairs)."""
        self.prepareGeometryChange()
        self._groups = []
        low, high = np.array([np.inf, np.inf]), np.array([-np.inf, -np.inf])
        for pen, points in groups:
            if len(points) < 2:
                continue
            low, high = np.minimum(low, points.min(axis=0)), np.maximum(high, points.max(axis=0))
            lines = [QLineF(*points[i], *points[i + 1]) for i in range(0, len(points) - 1, 2)]
            self._groups.append((pen, lines))
        self._bounds = (QRectF(low[0], low[1], high[0] - low[0], high[1] - low[1])
                        if self._groups else QRectF())
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds

    def paint(self, painter, *args) -> None:
        for pen, lines in self._groups:
            painter.setPen(pen)
            painter.drawLines(lines)


class MapItem(pg.GraphicsObject):
    """The surface's colour map and contour lines, painted from a pixmap kept at the
    screen's resolution.

    They change only with the surface, the theme, the zoom or the window's size, while
    the race repaints the plot 30 times a second. Scaling the image and stroking a dozen
    contours each frame cost most of a frame here; a pixmap blit costs a fraction of a
    millisecond. (Qt's DeviceCoordinateCache on an ImageItem did not hold inside a
    ViewBox: its paint still ran every frame, measured.)
    """

    def __init__(self) -> None:
        super().__init__()
        self._image = None
        self._rect = QRectF()
        self._contours: list = []
        self._pen = pg.mkPen("#6b7280")
        self._pixmap = None
        self._key = None
        self.renders = 0

    def set_map(self, rgba: np.ndarray, rect: QRectF, shown: np.ndarray,
                levels: list[float], pen) -> None:
        """rgba: the coloured image (rows follow x); shown: the values the contour
        levels are taken on, the same shape."""
        self.prepareGeometryChange()
        self._image = pg.functions.ndarray_to_qimage(
            np.ascontiguousarray(rgba.transpose(1, 0, 2)), QImage.Format.Format_RGBA8888)
        self._rect = QRectF(rect)
        sx, sy = rect.width() / (shown.shape[0] - 1), rect.height() / (shown.shape[1] - 1)
        self._contours = []
        for level in levels:
            path = QPainterPath()
            for line in pg.functions.isocurve(shown, level, connected=True):
                points = [QPointF(rect.x() + px * sx, rect.y() + py * sy) for px, py in line]
                path.addPolygon(QPolygonF(points))
            self._contours.append(path)
        self._pen = pen
        self._key = None
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect

    def paint(self, painter, *args) -> None:
        if self._image is None:
            return
        # The world transform, not the device one: a grab() or a parent's painting adds
        # its own offset after the world transform, and must still apply to the blit.
        transform = painter.worldTransform()
        target = transform.mapRect(self._rect).toAlignedRect()
        key = (transform.m11(), transform.m12(), transform.m21(), transform.m22(),
               transform.dx(), transform.dy(), target.width(), target.height())
        if key != self._key:
            self._render(transform, target)
            self._key = key
        painter.save()
        painter.setWorldTransform(QTransform())
        painter.drawPixmap(target.topLeft(), self._pixmap)
        painter.restore()

    def _render(self, transform, target) -> None:
        pixmap = QPixmap(max(1, target.width()), max(1, target.height()))
        pixmap.fill(Qt.GlobalColor.transparent)
        inner = QPainter(pixmap)
        inner.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        inner.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        inner.setTransform(transform * QTransform.fromTranslate(-target.x(), -target.y()))
        inner.drawImage(self._rect, self._image)
        inner.setPen(self._pen)
        for path in self._contours:
            inner.drawPath(path)
        inner.end()
        self._pixmap = pixmap
        self.renders += 1
