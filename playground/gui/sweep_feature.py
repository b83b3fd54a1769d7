"""SweepFeature: Tools > Sweep... (Ctrl+Shift+W) and Tools > Sweep presets.

Wires the Sweep window (a widget: plan out, records in) to the SweepController (the
thread), which this feature owns and stops when the window closes.
Reads: the session's spec (the sweep window's base, set again on every change) and the
window's theme (when the sweep window is shown, and on themeApplied while it is open).
Changes: never the session's spec. "Keep runs" hands the sweep's finished runs to the
keep_runs callable the window gives (they join the session's runs table).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Slot

from ..core.experiments.presets import PRESETS
from .features import FeatureContext
from .menus import named_action
from .sweep_controller import SweepController


class SweepFeature(QObject):
    def __init__(self, context: FeatureContext, keep_runs: Callable[[list], str]) -> None:
        """`keep_runs(kept)` adds the sweep's finished runs to the session's runs table
        and returns why some did not fit there ("" when all did)."""
        super().__init__(context.window)
        self.context = context
        self.keep_runs = keep_runs
        self.sweep_controller = SweepController(context.window)
        self.sweep_window = None
        self.actionSweep = named_action(
            context.window, "actionSweep", "&Sweep\u2026", "Ctrl+Shift+W",
            "Compare runs: train every combination of one or two variables "
            "(optimizer, learning rate, batch size, ...) and overlay their curves.",
            self.show_sweep)
        context.add_action("&Tools", self.actionSweep)
        presets = context.menu("&Tools").addMenu("Sweep &presets")
        presets.setToolTipsVisible(True)
        for item in PRESETS.values():
            action = presets.addAction(item.title)
            action.setObjectName(f"actionSweepPreset_{item.name}")
            action.setToolTip(f"{item.question} Claim: {item.claim}")
            action.triggered.connect(lambda checked=False, name=item.name:
                                     self.run_sweep_preset(name))
        context.session.specChanged.connect(self._on_session_spec_changed)
        context.events.closing.connect(self.shutdown)
        context.events.themeApplied.connect(self._on_window_theme_applied)

    @Slot(object)
    def _on_window_theme_applied(self, theme) -> None:
        if self.sweep_window is not None:
            self.sweep_window.set_colors(theme.plot_background, theme.text)

    def going(self) -> str:
        """What of this feature is running, in words ("" when nothing is)."""
        return "a sweep" if self.sweep_controller.busy else ""

    @Slot()
    def shutdown(self) -> bool:
        """Stop the sweep and join its thread."""
        return self.sweep_controller.shutdown()

    def show_sweep(self):
        """Open (or raise) the Sweep window on the current session."""
        from .widgets.sweep import SweepWindow  # pyqtgraph widgets, built on first use

        if self.sweep_window is None:
            window = SweepWindow(self.context.window)
            controller = self.sweep_controller
            window.runRequested.connect(self._on_sweep_window_run_requested)
            window.stopRequested.connect(controller.stop)
            window.closing.connect(self.shutdown)
            window.keepRunsRequested.connect(self._on_sweep_window_keep_runs_requested)
            controller.recordsArrived.connect(window.add_records)
            controller.runFinished.connect(window.run_finished)
            controller.finished.connect(window.sweep_finished)
            controller.failed.connect(window.show_error)
            controller.runningChanged.connect(window.set_running)
            self.sweep_window = window
        theme = self.context.theme
        self.sweep_window.set_colors(theme.plot_background, theme.text)
        self.sweep_window.set_base(self.context.session.spec)
        self.sweep_window.show()
        self.sweep_window.raise_()
        self.sweep_window.activateWindow()
        return self.sweep_window

    def run_sweep_preset(self, name: str) -> None:
        self.show_sweep().run_preset(name)

    @Slot(object)
    def _on_sweep_window_run_requested(self, plan) -> None:
        if self.sweep_controller.start(plan):
            self.sweep_window.sweep_started(plan)
        else:
            self.sweep_window.show_error("A sweep is already running; stop it first.")

    @Slot(object)
    def _on_sweep_window_keep_runs_requested(self, kept: list) -> None:
        """The sweep's runs join the runs table (overlaid, compared, saved)."""
        problem = self.keep_runs(kept)
        if problem:  # the store is full: what fitted was kept
            self.sweep_window.show_error(problem)

    @Slot(object, object)
    def _on_session_spec_changed(self, spec, old) -> None:
        if self.sweep_window is not None:
            self.sweep_window.set_base(spec)
