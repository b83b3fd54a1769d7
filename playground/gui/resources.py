"""The one place that finds the application's own files: the SVG icons under
playground/resources/, read through importlib.resources so that they come from wherever
the package was installed (a source checkout, a wheel, a zip, a PyInstaller bundle).

The top-level resources/ folder of the repository holds documentation only
(screenshots for the README); nothing there is needed at run time.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

if TYPE_CHECKING:  # importlib.resources.abc is 3.11+; the annotations are never evaluated
    from importlib.resources.abc import Traversable

ROOT: Traversable = files("playground") / "resources"


def path(*parts: str) -> Traversable:
    """A file inside the package's resources (read it with read_text/read_bytes)."""
    found = ROOT
    for part in parts:
        found = found / part
    return found


@lru_cache(maxsize=None)
def svg(name: str) -> str:
    """The text of icons/NAME.svg (its strokes and fills say `currentColor`)."""
    return path("icons", f"{name}.svg").read_text(encoding="utf-8")


def render(text: str, size: int) -> QPixmap:
    """SVG text drawn on a transparent square of `size` pixels."""
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    QSvgRenderer(QByteArray(text.encode())).render(painter)
    painter.end()
    return pixmap


def icon(name: str, color: QColor | str = "#404040") -> QIcon:
    """An SVG icon drawn in `color` (the theme's text colour), crisp at any DPI."""
    text = svg(name).replace("currentColor", QColor(color).name())
    result = QIcon()
    for size in (16, 24, 32, 48, 64):
        result.addPixmap(render(text, size))
    return result
