"""BoundaryView: the model's output over the plane as a heat map with the training
(and, toggled, test) points, as the classic web playground shows it; for the 1-D sine
set, the fitted curve over the points. Regression predictions arrive in the target's own
units (the worker undoes the target's standardisation), so curve and points share one
scale; on the plane, heat map and points share one colour scale, the data's range."""
from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...core.data import load_dataset
from ...core.data.split import split_indices
from ...core.spec import DataSpec
from .qt_plot import QtPlotWidget, forget_points


class BoundaryView(QWidget):
    def __init__(self, parent: QWidget | None = None, discretize: bool = False) -> None:
        """`discretize`: offer the 'discretize output' toggle (where there is room)."""
        super().__init__(parent)
        self.class_colors = ("#f97316", "#2563eb", "#16a34a", "#9333ea", "#dc2626",
                             "#0891b2", "#ca8a04", "#db2777")
        self.updates = 0
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.caption = QLabel(objectName="boundaryCaption", wordWrap=True)
        row.addWidget(self.caption, 1)
        self.show_test = QCheckBox("show test points", objectName="showTestPoints")
        self.show_test.setToolTip("Test points were never trained on: where they fall "
                                  "on the wrong colour, the model does not generalise.")
        self.show_test.toggled.connect(self._on_show_test_toggled)
        row.addWidget(self.show_test)
        self.discretize = QCheckBox("discretize output", objectName="discretizeOutput")
        self.discretize.setToolTip("Colour each point of the plane by the class the model "
                                   "predicts there (regression: by five bands of the "
                                   "prediction), without fading where it is unsure.")
        self.discretize.toggled.connect(self._on_discretize_toggled)
        self.discretize.setVisible(False)  # shown once there is an output over a plane
        self._offer_discretize = discretize
        row.addWidget(self.discretize)
        self._shown = None  # the last boundary drawn over the plane
        layout.addLayout(row)
        self.plot = QtPlotWidget()  # painted by Qt: no GIL taken per frame
        self.plot.setObjectName("boundaryPlot")
        self.plot.setAspectLocked(True)  # the plane is not stretched
        layout.addWidget(self.plot, 1)
        self.image = pg.ImageItem()
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#111827", width=3))
        self.train_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#ffffff", width=0.5))
        self.test_points = pg.ScatterPlotItem(size=7, symbol="t", pen=pg.mkPen("#111827"))
        for item in (self.image, self.curve, self.train_points, self.test_points):
            self.plot.addItem(item)
        self.test_points.setVisible(False)
        self.task = "binary"
        self.y_range: tuple[float, float] | None = None  # a regression target's range
        self.set_data(None)

    def set_colors(self, background: str, foreground: str,
                   class_colors: tuple[str, ...] | None = None) -> None:
        """Theme colours: the plot's background, the fitted curve and axes' colour, and
        the classes' colours (theme.class_colors)."""
        if class_colors:
            self.class_colors = tuple(class_colors)
        self.plot.setBackground(background)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(foreground)
            self.plot.getAxis(axis).setTextPen(foreground)
        self.curve.setPen(pg.mkPen(foreground, width=3))
        self.test_points.setPen(pg.mkPen(foreground))
        self.plot.prepare()

    def set_data(self, spec: DataSpec | None) -> None:
        """Show the points of a synthetic data set (raw coordinates), or explain why not."""
        self.image.clear()
        # Hidden until the next boundary: emptied, it still sits at the corner of the
        # last plane, and the view box's ranging would stretch to that point.
        self.image.setVisible(False)
        self.curve.setData([], [])
        if spec is None:
            self._points(None, None, None)
            return
        try:
            dataset = load_dataset(dataclasses.replace(spec, inputs=()))
        except Exception:  # noqa: BLE001 - the data panel already says what is wrong
            self._points(None, None, None)
            return
        if dataset.info.source != "synthetic":
            self.caption.setText("The decision boundary is drawn for the 2-D and 1-D "
                                 "synthetic data sets.")
            self._points(None, None, None)
            return
        self.task = dataset.task
        train, _, test = split_indices(dataset.y, spec.split, spec.seed,
                                       dataset.task != "regression")
        self.y_range = None
        if self.task == "regression":
            target = np.asarray(dataset.y, dtype=float).reshape(len(dataset.y), -1)[:, 0]
            self.y_range = (float(target.min()), float(target.max()))
        if dataset.X.shape[1] == 1:
            text = ("The fitted curve over the training points, in the target's own "
                    "units.")
        elif self.task == "regression":
            low, high = self.y_range
            text = (f"The model's prediction over the plane, in the target's units: "
                    f"blue {low:.3g} to orange {high:.3g}. Points are training data, "
                    "coloured by their target on the same scale.")
        else:
            text = "The model's output over the plane; points are training data."
        self.caption.setText(text)
        # The plane is not stretched; a fitted curve uses the height it has.
        self.plot.setAspectLocked(dataset.X.shape[1] == 2)
        self._points(dataset.X, dataset.y, (train, test))
        self.plot.autoRange()
        self.plot.prepare()

    def _points(self, X, y, parts) -> None:
        if X is None:
            for item in (self.train_points, self.test_points):
                forget_points(item)
            return
        for item, index in zip((self.train_points, self.test_points), parts):
            if X.shape[1] == 1:
                item.setData(X[index, 0], y[index, 0], brush=pg.mkBrush(self.class_colors[1]))
            elif self.task == "regression":
                target = np.asarray(y[index], dtype=float).reshape(len(index), -1)[:, 0]
                rgb = self._ramp(self._level(target)).astype(int)
                shades, which = np.unique(rgb, axis=0, return_inverse=True)
                brushes = [pg.mkBrush(*c) for c in shades.tolist()]  # one a colour: fast
                item.setData(X[index, 0], X[index, 1],
                             brush=[brushes[i] for i in which.ravel()])
            else:  # one brush a class: pyqtgraph renders each brush's symbol once
                brushes = [pg.mkBrush(color) for color in self.class_colors]
                item.setData(X[index, 0], X[index, 1],
                             brush=[brushes[int(c) % len(brushes)] for c in y[index]])

    def show_boundary(self, boundary) -> None:
        """Draw a worker.Boundary (controller.boundaryUpdated)."""
        self.updates += 1
        if boundary.ys is None:  # 1-D regression: a curve
            values = np.asarray(boundary.values).reshape(-1)
            self.curve.setData(boundary.xs, values)
            self.plot.prepare()
            return
        self._shown = boundary
        self.discretize.setVisible(self._offer_discretize)
        self._draw_plane(boundary)

    def _draw_plane(self, boundary) -> None:
        rgba = self._colours(np.asarray(boundary.values))
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        xs, ys = boundary.xs, boundary.ys
        self.image.setRect(QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0]))
        self.image.setVisible(True)
        self.plot.prepare()

    def _on_discretize_toggled(self, on: bool) -> None:
        if self._shown is not None:
            self._draw_plane(self._shown)

    def _colours(self, values: np.ndarray) -> np.ndarray:
        """RGBA image, axes (x, y): class colours blended by the model's confidence."""
        palette = np.array([QColor(c).getRgb()[:3] for c in self.class_colors], dtype=float)
        discrete = self.discretize.isChecked()
        if self.task != "regression":  # a diverged model's NaN: undecided, not garbage
            values = np.nan_to_num(values, nan=0.5, posinf=1.0, neginf=0.0)
        if values.ndim == 3:  # several classes: the winning class, faded by uncertainty
            winner = values.argmax(axis=2)
            strength = values.max(axis=2)
            rgb = palette[winner % len(palette)]
        elif self.task == "regression":
            level = self._level(values)
            rgb = self._ramp(np.round(level * 4) / 4 if discrete else level)
            strength = np.full(values.shape, 0.9)
        else:  # binary: probability of class 1
            p = np.clip(values, 0.0, 1.0)
            if discrete:
                p = (p > 0.5).astype(float)
            rgb = palette[1] * p[..., None] + palette[0] * (1 - p[..., None])
            strength = np.abs(p - 0.5) * 2
        if discrete:
            strength = np.ones(values.shape[:2])
        alpha = 60 + 140 * np.clip(strength, 0, 1)
        rgba = np.concatenate([rgb, alpha[..., None]], axis=-1).astype(np.ubyte)
        return np.transpose(rgba, (1, 0, 2))

    def _level(self, values: np.ndarray) -> np.ndarray:
        """Regression values as 0..1 along the data's target range (the predictions'
        own range when the data's is unknown), clipped."""
        values = np.asarray(values, dtype=float)
        if self.y_range is not None:
            low, high = self.y_range
        else:
            finite = values[np.isfinite(values)]
            low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
        level = (values - low) / ((high - low) or 1.0)
        return np.clip(np.nan_to_num(level, nan=0.5), 0.0, 1.0)

    def _ramp(self, level: np.ndarray) -> np.ndarray:
        """RGB along the two-colour ramp: blue (low) to orange (high)."""
        palette = np.array([QColor(c).getRgb()[:3] for c in self.class_colors[:2]], dtype=float)
        return palette[0] * level[..., None] + palette[1] * (1 - level[..., None])

    def _on_show_test_toggled(self, on: bool) -> None:
        self.test_points.setVisible(on)
