"""The race in 3-D: the surface as a shaded mesh and each racer's path on it, with
pyqtgraph's OpenGL items. Only where an OpenGL context can be made: the offscreen
platform (tests, CI) has none, and the window then shows the contour view alone."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QOffscreenSurface, QOpenGLContext
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ....core.lab import Race, Surface
from ....core.lab.surfaces import grid_values
from .drawing import contour_values, surface_colormap
from ...theme import LIGHT, Theme

HEIGHT = 0.4    # the surface's height as a share of its width, whatever f's scale


def gl_problem() -> str | None:
    """None where a 3-D view can be drawn, else why not (one sentence)."""
    context = QOpenGLContext()   # asked first: cheap, where PyOpenGL's import is not
    if not context.create():
        return ("The 3-D view needs OpenGL, which this display does not offer (for "
                "example the offscreen platform); the contour view shows the same race.")
    surface = QOffscreenSurface()
    surface.create()
    ok = context.makeCurrent(surface)
    version = context.format().version()
    context.doneCurrent()
    if not ok:
        return "OpenGL could not be started on this display."
    if not context.isOpenGLES() and version < (2, 1):
        # The offscreen platform with a display behind it offers GLX at 2.0 only.
        return (f"The 3-D view needs OpenGL 2.1 or later; this display offers "
                f"{version[0]}.{version[1]}.")
    try:
        import OpenGL.GL  # noqa: F401 - PyOpenGL is what pyqtgraph.opengl draws with
        import pyqtgraph.opengl  # noqa: F401
    except ImportError:
        return "The 3-D view needs the PyOpenGL package, which is not installed."
    return None


class Surface3DView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph.opengl as gl  # only imported where gl_problem() said yes
        self._gl = gl
        self.view = gl.GLViewWidget()
        self.view.setObjectName("surface3d")
        self.view.setToolTip("Drag to turn the surface, scroll to zoom. The paths are "
                             "the same race as on the contour map.")
        self.view.setCameraPosition(pos=pg.Vector(0, 0, HEIGHT / 2), distance=3.6,
                                    elevation=45, azimuth=-60)
        QVBoxLayout(self).addWidget(self.view)
        self.theme = LIGHT
        self.mesh = None
        self.lines: list = []
        self.surface: Surface | None = None

    def set_surface(self, surface: Surface) -> None:
        self.surface = surface
        xs, ys, values = grid_values(surface, 80)
        self._scale = _Scale(surface, values)
        heights = self._scale.z_grid
        cmap = surface_colormap(self.theme)
        colors = cmap.map((heights - heights.min()) / (np.ptp(heights) or 1.0), mode="float")
        colors = colors.reshape(len(xs), len(ys), 4)
        colors[..., :3] *= lambert_shade(heights, 2.0 / len(xs))[..., None]
        if self.mesh is not None:
            self.view.removeItem(self.mesh)
        self.mesh = self._gl.GLSurfacePlotItem(
            x=self._scale.x(xs), y=self._scale.y(ys), z=heights, colors=colors,
            smooth=True)
        self.view.addItem(self.mesh)

    def set_race(self, race: Race, colors: list[str]) -> None:
        for line in self.lines:
            self.view.removeItem(line)
        self.lines = []
        for color in colors:
            line = self._gl.GLLinePlotItem(color=pg.mkColor(color).getRgbF(), width=3,
                                           antialias=True)
            self.view.addItem(line)
            self.lines.append(line)
        self.redraw(race)

    def redraw(self, race: Race) -> None:
        if self.surface is None:
            return
        for racer, line in zip(race.racers, self.lines):
            path = np.array(racer.path)
            inside = np.all(np.isfinite(path), axis=1)
            path = path[inside]
            values = self.surface.expression.values(path[:, 0], path[:, 1])
            points = np.column_stack([self._scale.x(path[:, 0]), self._scale.y(path[:, 1]),
                                      self._scale.z(values) + 0.01])
            line.setData(pos=points)

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        self.view.setBackgroundColor(theme.plot_background)
        if self.surface is not None:
            self.set_surface(self.surface)


def lambert_shade(heights: np.ndarray, spacing: float) -> np.ndarray:
    """Brightness from a light above and to one side (0.55 to 1): the mesh's own colours
    keep the contour map's meaning, and the shading gives its shape."""
    dz_dx, dz_dy = np.gradient(heights, spacing)
    normal = np.stack([-dz_dx, -dz_dy, np.ones_like(heights)])
    normal /= np.linalg.norm(normal, axis=0)
    light = np.array([-0.4, -0.5, 0.77])
    return 0.55 + 0.45 * np.clip(np.tensordot(light, normal, axes=1), 0.0, 1.0)


class _Scale:
    """Maps the surface's window onto [-1, 1] and its compressed height onto
    [0, 2 HEIGHT], so every surface fills the view the same way."""

    def __init__(self, surface: Surface, values: np.ndarray) -> None:
        (self.x0, x1), (self.y0, y1) = surface.x_range, surface.y_range
        self.w, self.h = x1 - self.x0, y1 - self.y0
        finite = values[np.isfinite(values)]
        self.raw_min = float(finite.min()) if finite.size else 0.0
        compressed = contour_values(values)   # log(1 + f - min), as the contour map
        self.low = float(np.min(compressed))
        self.span = float(np.ptp(compressed)) or 1.0
        self.z_grid = self._z_compressed(compressed)

    def x(self, values):
        return 2 * (np.asarray(values) - self.x0) / self.w - 1

    def y(self, values):
        return 2 * (np.asarray(values) - self.y0) / self.h - 1

    def _z_compressed(self, compressed):
        return 2 * HEIGHT * (np.asarray(compressed) - self.low) / self.span

    def z(self, raw_values):
        """Raw f values on the same compressed scale as the mesh."""
        return self._z_compressed(np.log1p(np.clip(np.asarray(raw_values) - self.raw_min,
                                                   0.0, 1e300)))
