"""SweepWiringMixin: the main window's Tools > Sweep... and the sweep presets.

Wires the Sweep window (a widget: plan out, records in) to the SweepController (the
thread). The window reads the session's spec only (set_base on every change); a sweep
never edits the session. Mixed into MainWindow only.
"""
from __future__ import annotations

from PySide6.QtCore import Slot

from ..core.errors import PlaygroundError
from ..core.experiments.presets import PRESETS
from .sweep_controller import SweepController
from .menus import menu_titled




class SweepWiringMixin:
    def _install_sweep(self) -> None:
        self.sweep_controller = SweepController(self)
        self.sweep_window = None
        self.actionSweep = self._action(
            "actionSweep", "&Sweep\u2026", self.show_sweep, "Ctrl+Shift+W",
            tip="Compare runs: train every combination of one or two variables "
                "(optimizer, learning rate, batch size, ...) and overlay their curves.")
        tools = menu_titled(self, "&Tools")
        tools.addAction(self.actionSweep)
        presets = tools.addMenu("Sweep &presets")
        presets.setToolTipsVisible(True)
        for item in PRESETS.values():
            action = presets.addAction(item.title)
            action.setObjectName(f"actionSweepPreset_{item.name}")
            action.setToolTip(f"{item.question} Claim: {item.claim}")
            action.triggered.connect(lambda checked=False, name=item.name:
                                     self.run_sweep_preset(name))
        self.session.specChanged.connect(self._on_session_spec_changed_for_sweep)

    def show_sweep(self):
        """Open (or raise) the Sweep window on the current session."""
        from .widgets.sweep import SweepWindow  # pyqtgraph widgets, built on first use

        if self.sweep_window is None:
            window = SweepWindow(self)
            controller = self.sweep_controller
            window.runRequested.connect(self._on_sweep_window_run_requested)
            window.stopRequested.connect(controller.stop)
            window.closing.connect(self._on_sweep_window_closing)
            window.keepRunsRequested.connect(self._on_sweep_window_keep_runs_requested)
            controller.recordsArrived.connect(window.add_records)
            controller.runFinished.connect(window.run_finished)
            controller.finished.connect(window.sweep_finished)
            controller.failed.connect(window.show_error)
            controller.runningChanged.connect(window.set_running)
            self.sweep_window = window
        self.sweep_window.set_colors(self.theme.plot_background, self.theme.text)
        self.sweep_window.set_base(self.session.spec)
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
        added = 0
        try:
            for run in kept:
                made = self.runs.add_finished(run.spec, run.columns, (), run.test,
                                              name=f"sweep: {run.name}", reason=run.reason)
                if self.reference_run is None:  # compared with the sweep's first run
                    self.reference_run = made.id
                added += 1
        except PlaygroundError as exc:  # the store is full: say so, keep what fitted
            self.sweep_window.show_error(str(exc))
        self.refresh_runs()
        self.runs_dock.show()
        self.modified = True
        self._say(f"{added} runs of the sweep added to the runs table.")

    @Slot()
    def _on_sweep_window_closing(self) -> None:
        self.sweep_controller.shutdown()

    @Slot(object, object)
    def _on_session_spec_changed_for_sweep(self, spec, old) -> None:
        if self.sweep_window is not None:
            self.sweep_window.set_base(spec)
