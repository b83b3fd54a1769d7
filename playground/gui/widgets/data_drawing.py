"""DrawingTools: the Draw mode of the data panel's scatter, for the drawn data set.

Click or drag on the plot to add points of the chosen class (or value), Erase to remove
the points near the mouse, Clear to start again. A stroke (press, drag, release) is one
edit of the spec's points, so that Undo takes back a stroke and a trained run asks once
before a stroke starts it over, never on every dragged pixel. The points themselves live
in the spec (core.data.drawn); this widget only shows them and proposes new ones.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QLabel, QPushButton,
                               QWidget)

from ...core.data import drawn
from ...core.errors import PlaygroundError
from ...core.spec import DataSpec
from .qt_plot import forget_points

CANVAS = 6.0         # the canvas spans -6..6 on both axes (the generated sets fit in it)
SPACING = 1 / 40     # of the view's width between two points of a dragged stroke
ERASE_RADIUS = 1 / 25  # of the view's width around the mouse, for Erase

TASK_HELP = ("Classes: each point belongs to one of 8 classes, and the network learns the "
             "boundary between them. Values: each point carries a number, the target a "
             "regression learns from the point's two inputs x\u2081 and x\u2082; points are "
             "coloured from blue (low) to orange (high).")


class DrawingTools(QWidget):
    # the DataSpec fields that change ({"points": ..., "task": ...}), what changed in words
    edited = Signal(object, str)

    def __init__(self, scatter: pg.PlotWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scatter = scatter
        self.class_colors: tuple[str, ...] = ()
        self._spec = DataSpec(drawn.NAME)
        self._stroke: list[tuple[float, float, float]] = []  # points a drag adds
        self._erased: set[int] = set()                       # points a drag removes
        self._stroking = False
        self._notice = ""  # one sentence for the next render (a stroke cut at the limit)
        self._rows = np.zeros((0, 3))  # the spec's points as an array, and their brushes
        self._brushes_of_rows: list = []
        self._points = pg.ScatterPlotItem(size=8, pen=pg.mkPen("#ffffff", width=0.6))
        self._pending = pg.ScatterPlotItem(size=8, pen=pg.mkPen("#111827", width=0.6))
        self._build()
        scatter.viewport().installEventFilter(self)

    def _build(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.draw = QPushButton("Draw", objectName="drawTool", checkable=True)
        self.draw.setToolTip("Click to add a point of the chosen class (or value) where you "
                             "click; drag to add a line of them. Each stroke is one edit: "
                             "Ctrl+Z takes it back.")
        self.erase = QPushButton("Erase", objectName="eraseTool", checkable=True)
        self.erase.setToolTip("Click or drag over points to remove them; Ctrl+Z brings a "
                              "stroke's points back. With neither Draw nor Erase on, the "
                              "mouse moves and zooms the plot.")
        self.clear = QPushButton("Clear", objectName="clearDrawing")
        self.clear.setToolTip("Remove every drawn point (Ctrl+Z brings them back).")
        for tool in (self.draw, self.erase):  # the tool in use stands out in any theme
            tool.toggled.connect(lambda on, tool=tool: _embolden(tool, on))
        self.draw.toggled.connect(lambda on: on and self.erase.setChecked(False))
        self.erase.toggled.connect(lambda on: on and self.draw.setChecked(False))
        for tool in (self.draw, self.erase):
            tool.toggled.connect(self._show_cursor)
        self.clear.clicked.connect(self._on_clear_clicked)
        self.target = QComboBox(objectName="drawTarget")
        self.target.addItem("classes", "auto")
        self.target.addItem("values", "regression")
        self.target.setToolTip(TASK_HELP)
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.label = QComboBox(objectName="drawClass")
        self.label.setToolTip("The class of the points you draw next (8 classes, in the "
                              "classes' colours of the output view).")
        self.value = QDoubleSpinBox(objectName="drawValue", minimum=-1000.0, maximum=1000.0,
                                    decimals=2, singleStep=0.5, value=1.0)
        self.value.setToolTip("The value of the points you draw next: the number the "
                              "network learns to predict at that place of the plane.")
        self.hint = QLabel(objectName="drawHint", wordWrap=True)
        self.hint.setToolTip("What is drawn, and what training needs.")
        for column, button in enumerate((self.draw, self.erase, self.clear)):
            grid.addWidget(button, 0, column)
        grid.addWidget(self.target, 1, 0)
        grid.addWidget(self.label, 1, 1, 1, 2)
        grid.addWidget(self.value, 1, 1, 1, 2)
        grid.addWidget(self.hint, 2, 0, 1, 3)

    def set_class_colors(self, colors: tuple[str, ...]) -> None:
        self.class_colors = tuple(colors)
        current = max(0, self.label.currentIndex())
        self.label.blockSignals(True)
        self.label.clear()
        for index in range(drawn.MAX_CLASSES):
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(self._color(index)))
            self.label.addItem(QIcon(swatch), f"class {index}", index)
        self.label.setCurrentIndex(current)
        self.label.blockSignals(False)

    # ----------------------------------------------------------------- render
    def sync(self, spec: DataSpec) -> None:
        """The controls show `spec` (again, after a refused edit)."""
        self._spec = spec
        regression = drawn.is_regression(spec.task)
        self.target.blockSignals(True)
        self.target.setCurrentIndex(1 if regression else 0)
        self.target.blockSignals(False)
        self.label.setVisible(not regression)
        self.value.setVisible(regression)
        self.clear.setEnabled(bool(spec.points))

    def show_points(self, spec: DataSpec, entering: bool) -> None:
        """Draw `spec`'s points on the scatter; `entering`: the drawn set was just chosen
        (the canvas is framed, and Draw is on)."""
        self.sync(spec)
        self.scatter.clear()
        self.scatter.setAspectLocked(True)  # what you draw is the shape the network sees
        for item in (self._points, self._pending):
            self.scatter.addItem(item)
        forget_points(self._pending)
        self._rows = np.asarray(spec.points, dtype=float).reshape(-1, 3)
        self._brushes_of_rows = self._brushes(self._rows[:, 2])
        self._render()
        if entering:
            self.draw.setChecked(True)
            extent = max([CANVAS] + [abs(v) * 1.05 for p in spec.points for v in p[:2]])
            self.scatter.setRange(xRange=(-extent, extent), yRange=(-extent, extent),
                                  padding=0)
        self._show_cursor()
        self.hint.setText(self._notice or self._status(spec))
        self._notice = ""

    def _render(self, keep: np.ndarray | None = None) -> None:
        """The spec's points (those `keep` selects, while erasing); their brushes are
        made once per spec, not on every mouse move."""
        rows, brushes = self._rows, self._brushes_of_rows
        if keep is not None:
            rows, brushes = rows[keep], [brushes[i] for i in np.flatnonzero(keep)]
        if not len(rows):
            forget_points(self._points)
            return
        self._points.setData(rows[:, 0], rows[:, 1], brush=brushes)

    def _brushes(self, targets: np.ndarray) -> list:
        if not len(targets):
            return []
        if not drawn.is_regression(self._spec.task):  # one brush a class: drawn fast
            brushes = [pg.mkBrush(self._color(c)) for c in range(drawn.MAX_CLASSES)]
            return [brushes[int(t)] for t in targets]
        values = np.concatenate([self._rows[:, 2], targets])
        low, high = values.min(), values.max()
        level = (targets - low) / (high - low) if high > low else np.full(len(targets), 0.5)
        high_rgb, low_rgb = (np.array(QColor(self._color(i)).getRgb()[:3], dtype=float)
                             for i in (0, 1))
        rgb = (high_rgb * level[:, None] + low_rgb * (1 - level[:, None])).astype(int)
        shades, which = np.unique(rgb, axis=0, return_inverse=True)
        brushes = [pg.mkBrush(*c) for c in shades.tolist()]  # one a colour: drawn fast
        return [brushes[i] for i in which.ravel()]

    def _color(self, index: int) -> str:
        colors = self.class_colors or ("#f97316", "#2563eb")
        return colors[index % len(colors)]

    def _status(self, spec: DataSpec) -> str:
        try:
            drawn.arrays(spec.task, spec.points, spec.split)
        except PlaygroundError as exc:
            return str(exc)
        if drawn.is_regression(spec.task):
            return f"{len(spec.points):,} points with values: ready to train."
        counts = np.bincount([int(p[2]) for p in spec.points])
        classes = ", ".join(f"{n} of class {c}" for c, n in enumerate(counts) if n)
        return f"{len(spec.points):,} points ({classes}): ready to train."

    # ----------------------------------------------------------------- strokes
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._tool() or not self.isVisible():
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._stroking = True
            self._stroke, self._erased = [], set()
            self._extend(self._to_plane(event.position()))
            return True
        if kind == QEvent.Type.MouseMove and self._stroking:
            self._extend(self._to_plane(event.position()))
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._stroking:
            self._stroking = False
            self._finish()
            return True
        return False

    def _show_cursor(self, *_: object) -> None:
        """A cross where the mouse draws or erases; the plot's own where it pans."""
        port = self.scatter.viewport()
        port.setCursor(Qt.CursorShape.CrossCursor) if self._tool() else port.unsetCursor()

    def _tool(self) -> str:
        return "draw" if self.draw.isChecked() else "erase" if self.erase.isChecked() else ""

    def _to_plane(self, position: QPointF) -> tuple[float, float]:
        view = self.scatter.getPlotItem().getViewBox()
        point = view.mapSceneToView(self.scatter.mapToScene(position.toPoint()))
        return point.x(), point.y()

    def _view_width(self) -> float:
        (low, high), _ = self.scatter.getPlotItem().getViewBox().viewRange()
        return high - low

    def _extend(self, place: tuple[float, float]) -> None:
        if self._tool() == "draw":
            self._add(place)
        else:
            self._remove_near(place)

    def _add(self, place: tuple[float, float]) -> None:
        if self._stroke and np.hypot(place[0] - self._stroke[-1][0],
                                     place[1] - self._stroke[-1][1]) < \
                SPACING * self._view_width():
            return
        if len(self._spec.points) + len(self._stroke) >= drawn.MAX_POINTS:
            self._notice = (f"A drawn set holds at most {drawn.MAX_POINTS:,} points: the "
                            "rest of the stroke was left out; erase some to draw more.")
            self.hint.setText(self._notice)
            return
        target = self.value.value() if drawn.is_regression(self._spec.task) else \
            float(max(0, self.label.currentIndex()))
        self._stroke.append(drawn.point(*place, target))
        rows = np.asarray(self._stroke, dtype=float)
        self._pending.setData(rows[:, 0], rows[:, 1], brush=self._brushes(rows[:, 2]))

    def _remove_near(self, place: tuple[float, float]) -> None:
        rows = self._rows
        near = np.hypot(rows[:, 0] - place[0], rows[:, 1] - place[1]) <= \
            ERASE_RADIUS * self._view_width()
        fresh = set(np.flatnonzero(near).tolist()) - self._erased
        if fresh:
            self._erased |= fresh
            keep = np.ones(len(rows), dtype=bool)
            keep[list(self._erased)] = False
            self._render(keep)

    def _finish(self) -> None:
        """One edit for the whole stroke; the plot shows the spec again until it lands
        (a refused edit leaves no trace)."""
        stroke, erased = self._stroke, self._erased
        self._stroke, self._erased = [], set()
        forget_points(self._pending)
        self._render()
        if stroke:
            self.edited.emit({"points": self._spec.points + tuple(stroke)},
                             f"drawing {_count(len(stroke))}")
        elif erased:
            kept = tuple(p for i, p in enumerate(self._spec.points) if i not in erased)
            self.edited.emit({"points": kept}, f"erasing {_count(len(erased))}")

    def _on_clear_clicked(self) -> None:
        if self._spec.points:
            self.edited.emit({"points": ()}, "clearing the drawing")

    def _on_target_changed(self, index: int) -> None:
        """Classes become values as they are; values stay only if each is a class."""
        task = self.target.itemData(index)
        points = self._spec.points
        if task != "regression" and any(p[2] != int(p[2]) or not 0 <= p[2] < drawn.MAX_CLASSES
                                        for p in points):
            self._notice = (f"The {len(points):,} points with values were cleared, since a "
                            "value is not a class; Ctrl+Z brings them back.")
            points = ()
        self.edited.emit({"task": task, "points": points},
                         "drawing values" if task == "regression" else "drawing classes")


def _embolden(button: QPushButton, on: bool) -> None:
    font = button.font()
    font.setBold(on)
    button.setFont(font)


def _count(n: int) -> str:
    return f"{n:,} point" + ("" if n == 1 else "s")
