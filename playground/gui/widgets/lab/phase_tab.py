"""PhaseTab: where descent on a quadratic f = lambda/2 x^2 converges, oscillates or
diverges: against lr lambda for plain gradient descent (bounds 1 and 2), and over the
(lr, beta) plane for heavy-ball momentum (bound lr lambda < 2 + 2 beta). The regions are
simulated (core.lab.phase); the analytic bounds are drawn over them. A click on the
momentum map plays that (lr, beta) with our registry's SGD and shows x step by step."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel,
                               QVBoxLayout, QWidget)

from ....core.lab import MoverSpec, Mover, parse_expression
from ....core.lab.phase import (CONVERGE, DIVERGE, LABELS, OSCILLATE, analytic_code,
                                gd_phase, heavy_ball_phase, momentum_bound)
from ...theme import LIGHT, Theme
from .drawing import theme_plot

REGION_COLORS = {"light": {CONVERGE: "#bbf7d0", OSCILLATE: "#fde68a", DIVERGE: "#fecaca"},
                 "dark": {CONVERGE: "#14532d", OSCILLATE: "#713f12", DIVERGE: "#7f1d1d"}}
H_MAX, BETA_MAX = 4.0, 0.95
TRAJECTORY_STEPS = 60


class PhaseTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = LIGHT
        row = QHBoxLayout()
        row.addWidget(QLabel("curvature \u03bb of f = \u03bb/2 x\u00b2"))
        self.curvature = QDoubleSpinBox(objectName="curvatureSpin", minimum=0.1,
                                        maximum=100.0, value=1.0, decimals=2, singleStep=0.5)
        self.curvature.setKeyboardTracking(False)
        self.curvature.setToolTip("The quadratic's second derivative. The bounds scale "
                                  "with it: what matters is lr \u00d7 \u03bb.")
        self.curvature.valueChanged.connect(self.recompute)
        row.addWidget(self.curvature)
        self.legend = QLabel(objectName="phaseLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(self.legend, 1)
        self.gd_plot = self._plot("gdPhasePlot", "Gradient descent: x is multiplied by "
                                  "1 - lr \u03bb each step", "learning rate lr", "step multiplier 1 - lr \u03bb",
                                  "Plain gradient descent: each step multiplies x by "
                                  "1 - lr \u03bb. Between 0 and 1/\u03bb it approaches "
                                  "smoothly, up to 2/\u03bb it overshoots and oscillates "
                                  "inward, beyond 2/\u03bb it diverges.")
        self.hb_plot = self._plot("momentumPhasePlot", "Heavy-ball momentum over (lr, \u03b2) "
                                  "\u2014 click a point", "learning rate lr", "momentum \u03b2",
                                  "Heavy-ball momentum (torch's SGD with momentum): "
                                  "simulated regions; the dashed curve is the analytic "
                                  "bound lr = (2 + 2\u03b2)/\u03bb. Click to play a point.")
        self.trajectory = self._plot("phaseTrajectory", "x step by step at the marked "
                                     "point (our SGD)", "step", "x",
                                     "x, step by step, for the clicked (lr, \u03b2), moved "
                                     "by our registry's SGD.")
        self.gd_bands = pg.ImageItem()
        self.gd_plot.addItem(self.gd_bands)
        self.gd_line = self.gd_plot.plot(pen=pg.mkPen("#1d1f23", width=2))
        self.gd_bounds = [pg.InfiniteLine(angle=0, pen=pg.mkPen("#6b7280",
                                                                style=Qt.PenStyle.DashLine))
                          for _ in range(2)]
        for line, y in zip(self.gd_bounds, (1.0, -1.0)):
            line.setPos(y)
            self.gd_plot.addItem(line)
        self.hb_image = pg.ImageItem()
        self.hb_plot.addItem(self.hb_image)
        self.hb_bound = self.hb_plot.plot(pen=pg.mkPen("#1d1f23", width=2,
                                                       style=Qt.PenStyle.DashLine))
        self.marker = pg.ScatterPlotItem(symbol="+", size=16, pen=pg.mkPen("#1d1f23", width=2))
        self.hb_plot.addItem(self.marker)
        self.trajectory_curve = self.trajectory.plot(pen=pg.mkPen("#2563eb", width=1.5),
                                                     symbol="o", symbolSize=4)
        self.explanation = QLabel(objectName="phaseExplanation", wordWrap=True)
        self.hb_plot.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        grid = QGridLayout()
        grid.addWidget(self.gd_plot, 0, 0)
        grid.addWidget(self.hb_plot, 0, 1)
        grid.addWidget(self.trajectory, 1, 0)
        grid.addWidget(self.explanation, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        column = QVBoxLayout(self)
        column.addLayout(row)
        column.addLayout(grid, 1)
        self.recompute()
        self.play_point(1.5 / self.curvature.value(), 0.6)

    def _plot(self, name: str, title: str, bottom: str, left: str,
              tip: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(objectName=name, title=title)
        plot.setMenuEnabled(False)
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", left)
        plot.setToolTip(tip)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).enableAutoSIPrefix(False)
        return plot

    # ------------------------------------------------------------ computing
    def recompute(self) -> None:
        lam = self.curvature.value()
        colors = REGION_COLORS["dark" if self.theme.name == "dark" else "light"]
        lut = np.array([pg.mkColor(colors[c]).getRgb() for c in (CONVERGE, OSCILLATE,
                                                                  DIVERGE)], dtype=np.ubyte)
        lr_max = H_MAX / lam
        lrs = np.linspace(0.0, lr_max, 240)[1:]
        gd = gd_phase(lrs, lam)
        self.gd_bands.setImage(gd[:, None], levels=(0, 2), lut=lut)
        self.gd_bands.setRect(QRectF(lrs[0], -3.0, lrs[-1] - lrs[0], 6.0))
        self.gd_line.setData(lrs, 1.0 - lrs * lam)
        self.gd_plot.setRange(xRange=(0, lr_max), yRange=(-3.0, 1.5), padding=0.02)
        betas = np.linspace(0.0, BETA_MAX, 120)
        codes = heavy_ball_phase(lrs, betas, lam)
        self.hb_image.setImage(codes, levels=(0, 2), lut=lut)
        self.hb_image.setRect(QRectF(lrs[0], 0.0, lrs[-1] - lrs[0], BETA_MAX))
        bound = momentum_bound(betas, lam)
        inside = bound <= lr_max
        self.hb_bound.setData(bound[inside], betas[inside])
        self.hb_plot.setRange(xRange=(0, lr_max), yRange=(0, BETA_MAX), padding=0)
        self.legend.setText(" ".join(
            f"<span style='background:{colors[c]}'>&nbsp;&nbsp;&nbsp;</span> {LABELS[c]}"
            for c in (CONVERGE, OSCILLATE, DIVERGE))
            + f" &nbsp; bounds: lr &lt; 2/\u03bb = {2 / lam:.3g}; with momentum lr &lt; "
              "(2 + 2\u03b2)/\u03bb (dashed)")

    def play_point(self, lr: float, beta: float) -> None:
        """Run our registry's SGD (with momentum beta) on the quadratic from x = 1."""
        lam = self.curvature.value()
        name, params = ("momentum", {"momentum": beta}) if beta > 0 else ("sgd", {})
        mover = Mover(parse_expression(f"{lam / 2!r}*x**2"), (1.0,),
                      MoverSpec(name, lr, params), TRAJECTORY_STEPS)
        xs = [1.0]
        for _ in range(TRAJECTORY_STEPS):
            if mover.step() is None:
                break
            xs.append(mover.position[0])
        finite = [x if abs(x) < 1e6 else np.nan for x in xs]
        self.trajectory_curve.setData(np.arange(len(finite)), np.array(finite))
        self.marker.setData([lr], [beta])
        code = analytic_code(lr, beta, lam)
        self.explanation.setText(
            f"lr = {lr:.3g}, \u03b2 = {beta:.2f}, lr \u03bb = {lr * lam:.3g}: "
            f"<b>{LABELS[code]}</b> (analytic: converges iff 0 &lt; lr \u03bb &lt; 2 + 2\u03b2 "
            f"= {2 + 2 * beta:.3g}; with momentum the velocity carries past the minimum, "
            "so it oscillates even at small rates once \u03b2 is large).")

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        view = self.hb_plot.getPlotItem().vb
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        point = view.mapSceneToView(event.scenePos())
        if point.x() > 0 and 0 <= point.y() <= BETA_MAX:
            self.play_point(point.x(), point.y())

    def set_colors(self, theme: Theme) -> None:
        self.theme = theme
        for plot in (self.gd_plot, self.hb_plot, self.trajectory):
            theme_plot(plot, theme)
        self.gd_line.setPen(pg.mkPen(theme.text, width=2))
        self.hb_bound.setPen(pg.mkPen(theme.text, width=2, style=Qt.PenStyle.DashLine))
        self.marker.setPen(pg.mkPen(theme.text, width=2))
        self.trajectory_curve.setPen(pg.mkPen(theme.series[0], width=1.5))
        self.recompute()
