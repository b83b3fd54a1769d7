"""The one place that finds files under resources/ (icons, screenshots, examples)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[2] / "resources"


def path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)


@lru_cache(maxsize=None)
def _svg(name: str) -> str:
    return path("icons", f"{name}.svg").read_text(encoding="utf-8")


def icon(name: str, color: QColor | str = "#404040") -> QIcon:
    """An SVG icon drawn in `color` (the theme's text colour), crisp at any DPI."""
    text = _svg(name).replace("currentColor", QColor(color).name())
    renderer = QSvgRenderer(QByteArray(text.encode()))
    result = QIcon()
    for size in (16, 24, 32, 48, 64):
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result
