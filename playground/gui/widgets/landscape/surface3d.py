"""The landscape in 3-D: the loss over the plane as a shaded mesh, with the run's path
and the current weights on it. Made only where OpenGL exists (lab.surface3d.gl_problem);
offscreen (tests, CI) the view shows the contour map alone."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...theme import LIGHT, Theme
from ..lab.drawing import contour_values, surface_colormap
from ..lab.surface3d import HEIGHT, lambert_shade


class LandscapeSurface3D(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph.opengl as gl  # only imported where gl_problem() said yes
        self._gl = gl
        self.view = gl.GLViewWidget()
        self.view.setObjectName("landscape3d")
        self.view.setToolTip("Drag to turn the surface, scroll to zoom; the height is "
                             "log(1 + loss - lowest), as the colours of the map.")
        self.view.setCameraPosition(pos=pg.Vector(0, 0, HEIGHT / 2), distance=3.6,
                                    elevation=35, azimuth=-60)
        QVBoxLayout(self).addWidget(self.view)
        self.theme = LIGHT
        self.items: list = []
        self.result = None

    def show_landscape(self, result) -> None:
        """A plane landscape (core.landscape.Landscape with b), read for its arrays."""
        self.result = result
        for item in self.items:
            self.view.removeItem(item)
        self.items = []
        a, b = np.asarray(result.a), np.asarray(result.b)
        raw = np.asarray(result.loss).T                    # (a, b)
        shown = contour_values(raw)
        low, span = float(shown.min()), float(np.ptp(shown)) or 1.0
        heights = 2 * HEIGHT * (shown - low) / span
        x, y = 2 * (a - a[0]) / (a[-1] - a[0]) - 1, 2 * (b - b[0]) / (b[-1] - b[0]) - 1
        colors = surface_colormap(self.theme).map((shown - low) / span, mode="float")
        colors = colors.reshape(len(a), len(b), 4)
        colors[..., :3] *= lambert_shade(heights, 2.0 / len(a))[..., None]
        gl = self._gl
        self.items.append(gl.GLSurfacePlotItem(x=x, y=y, z=heights, colors=colors,
                                               smooth=True))

        def place(pa, pb):
            i = np.interp(pa, a, np.arange(len(a)))
            j = np.interp(pb, b, np.arange(len(b)))
            z = heights[np.clip(np.round(i).astype(int), 0, len(a) - 1),
                        np.clip(np.round(j).astype(int), 0, len(b) - 1)]
            return np.column_stack([np.interp(i, np.arange(len(a)), x),
                                    np.interp(j, np.arange(len(b)), y), z + 0.02])

        if result.path:
            points = place(np.array([p.a for p in result.path]),
                           np.array([p.b for p in result.path]))
            color = pg.mkColor(self.theme.series[1]).getRgbF()
            self.items.append(gl.GLLinePlotItem(pos=points, color=color, width=3,
                                                antialias=True))
        current = place(np.array([0.0]), np.array([0.0]))
        self.items.append(gl.GLScatterPlotItem(pos=current, size=12,
                                               color=pg.mkColor(self.theme.accent).getRgbF()))
        for item in self.items:
            self.view.addItem(item)

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        self.view.setBackgroundColor(theme.plot_background)
        if self.result is not None:
            self.show_landscape(self.result)
