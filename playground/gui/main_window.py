"""MainWindow: composes the panels, the shared views, the features and the controller.

The session model (`self.session`) owns the SessionSpec. Panels render their part and
emit edits of their part; the model merges them, asks its gate (gui/spec_gate.py),
records undo and announces the result, which this window pushes back into every panel.
The features (`self.features`) are built in _compose_features, each with the window's
FeatureContext; the current run's display is gui/run_display.py, the window's own
actions and menus gui/window_actions.py. What stays here: the layout (the panels, their
docks, the central tabs, the window's state), the spec pushed into the panels, and the
window's own commands (train, step, reset, theme, preferences, quit).
"""
from __future__ import annotations

import dataclasses
import sys
from types import SimpleNamespace

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QApplication, QDockWidget, QLabel, QMainWindow, QMessageBox,
                               QScrollArea, QTabWidget, QVBoxLayout, QWidget)

from .. import __version__
from ..core.data import DATASETS
from ..core.errors import PlaygroundError
from ..core.examples import carry_over, for_dataset
from ..core.losses import resolve_head
from ..core.metrics import default_metrics
from ..core.spec import SessionSpec
from . import quitting, resources, settings, theme, window_actions
from .data_context import DataContexts
from .controller import IDLE, PAUSED, RUNNING, TrainingController
from .export_feature import ExportFeature
from .features import FeatureContext, WindowEvents
from .lab_feature import LabFeature
from .inside_feature import InsideFeature
from .landscape_feature import LandscapeFeature
from .runs_feature import RunsFeature
from .files_feature import FilesFeature, new_spec
from .lessons_feature import LessonsFeature
from .sweep_feature import SweepFeature
from .run_key import RunKeyFilter
from .session_model import SessionModel
from .spec_gate import SpecGate
from .run_display import RunDisplay
from .welcome_feature import WelcomeFeature
from .widgets.preferences_dialog import PreferencesDialog
from .widgets.boundary_view import BoundaryView
from .widgets.data_panel import DataPanel
from .widgets.layer_builder import LayerBuilder
from .widgets.plots import LivePlots
from .widgets.metrics_table import MetricsTable
from .widgets.optimizer_panel import OptimizerPanel
from .search_feature import SearchFeature



RUNS_DOCK_HEIGHT = 110  # pixels: the header and about three runs
PLOTS_MIN_HEIGHT = 200  # the Training curves tab: two rows of plots, 100 px each
_garbage_collector = None


def _collect_garbage_in_this_thread() -> None:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate.
    Run in a training thread, it destroyed Qt objects of a closed window there, inside
    Qt's locks, while the GUI thread held the GIL and wanted those locks: a deadlock
    (seen in the tests). pyqtgraph's GarbageCollector turns automatic collection off
    and collects from a timer of the GUI thread instead (once per process)."""
    global _garbage_collector
    if _garbage_collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _garbage_collector = GarbageCollector(interval=1.0)


class MainWindow(QMainWindow):
    def __init__(self, spec: SessionSpec | None = None, theme_name: str | None = None) -> None:
        super().__init__()
        # The training thread and this one share the GIL: hand it over every 1 ms
        # instead of 5 so a redraw in Python code cannot hold training up for long.
        sys.setswitchinterval(0.001)
        _collect_garbage_in_this_thread()
        self.setObjectName("mainWindow")
        self.theme = theme.resolve(theme_name or settings.read(settings.THEME))
        self.session = SessionModel(spec or new_spec("spiral"), self)
        self.controller = TrainingController(self)
        self.gate = SpecGate(self, self.controller, lambda: self._forget_run(),
                             lambda title, message: self.context.warn(title, message))
        self.session.gate = self.gate
        self.data_contexts = DataContexts()  # what the panels know of the data
        self.events = WindowEvents(self)
        self._build_panels()
        self.run_display = RunDisplay(self, self.controller, self.plots, self.metrics_table,
                                      self.statusBar(), lambda: self.spec)
        line = self.run_display.status_line  # its labels, where the tests look for them
        self.run_info, self.progress = line.run_info, line.progress
        self.state_label, self.device_label = line.state_label, line.device_label
        self.views = SimpleNamespace(
            plots=self.plots, boundary=self.boundary, tabs=self.tabs,
            message=self.message, metrics_table=self.metrics_table,
            data_panel=self.data_panel, layers=self.layers,
            optimizer_panel=self.optimizer_panel, banners=self.banners,
            boundary_views=self.boundary_views)
        self.context = FeatureContext(self, self.session, self.controller, self.events,
                                      self.views)
        window_actions.build_actions(self)
        self.run_key = RunKeyFilter(QApplication.instance(), self)  # Space trains
        self.features = self._compose_features()
        self._connect_controller()
        self._on_tabs_current_changed(self.tabs.currentIndex())  # what the worker draws
        self._apply_theme()
        self.session.specChanged.connect(self._on_session_spec_changed)
        self.session.editRefused.connect(self._on_session_edit_refused)
        self._render_spec()
        self._update_actions()
        self._restore_window_state()
        self.clock = QTimer(self, interval=500)
        self.clock.timeout.connect(self.run_display.update)
        self.clock.start()

    # ------------------------------------------------------------- building
    def _build_panels(self) -> None:
        self.plots = LivePlots()
        self.boundary = BoundaryView(discretize=True)
        self.tabs = QTabWidget(objectName="centralTabs")
        self.tabs.addTab(self.plots, "Training curves")
        self.tabs.addTab(self.boundary, "Decision boundary")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.message = QLabel(objectName="messageBanner", wordWrap=True)
        self.message.setToolTip("Why the last edit did not apply, or what was adapted.")
        self.message.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.message)
        self.banners = QVBoxLayout()  # the features' banners, between the message and tabs
        column.addLayout(self.banners)
        column.addWidget(self.tabs, 1)
        self.plots.canvas.setMinimumHeight(PLOTS_MIN_HEIGHT)
        # The tabs that draw the model's output over the plane: the worker computes it
        # only while one of them is shown (features add theirs).
        self.boundary_views: set[QWidget] = {self.boundary}
        self.metrics_table = MetricsTable()
        self.metrics_table.setMaximumHeight(150)
        column.addWidget(self.metrics_table)
        self.plots.standardised.toggled.connect(self.metrics_table.set_standardised)
        self.setCentralWidget(central)
        self.data_panel = DataPanel()
        self.layers = LayerBuilder()
        self.optimizer_panel = OptimizerPanel()
        self.data_dock = self._dock("Data", "dataDock", self.data_panel,
                                    Qt.DockWidgetArea.LeftDockWidgetArea)
        self.layers_dock = self._dock("Network", "networkDock", self.layers,
                                      Qt.DockWidgetArea.LeftDockWidgetArea)
        self.optimizer_dock = self._dock("Optimizer", "optimizerDock", self.optimizer_panel,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        # The side panels keep the full height (they are long forms); a dock at the
        # bottom (the runs table) sits under the views only.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.data_panel.edited.connect(self._on_data_panel_edited)
        self.layers.edited.connect(self.session.edit)
        self.optimizer_panel.edited.connect(self.session.edit)

    def _compose_features(self) -> SimpleNamespace:
        """Each feature with its context; what one needs of another arrives as a callable
        given here, so that no feature imports another. The order is the menus' order."""
        f = self.features = SimpleNamespace()
        f.lab = LabFeature(self.context)
        f.search = SearchFeature(self.context, session_path=lambda: f.files.path)
        f.inside = InsideFeature(self.context, self.run_display.follow_epochs, tell=self._say)
        f.sweep = SweepFeature(self.context, keep_runs=lambda kept: f.runs.keep_sweep_runs(kept))
        self._install_runs_and_files()
        window_actions.build_toolbar(  # after the files feature: Open and Save are on it
            self, (f.files.actionOpen, f.files.actionSave))
        f.welcome = WelcomeFeature(self.context, load_example=f.files.load_example,
                                   open_session=f.files.open_run,
                                   show_lessons=lambda: f.lessons.show())
        f.lessons = LessonsFeature(
            self.context, runs=lambda: f.runs.runs, lab_descent=f.lab.lab_descent,
            lr_finding=f.search.lr_finding, open_lab_descent=f.lab.open_lab_descent)
        f.export = ExportFeature(self.context, load_spec=f.files.load_spec, tables=lambda: {
            "runsTable": f.runs.runs_table.table, "metricsTable": self.views.metrics_table})
        f.landscape = LandscapeFeature(self.context)
        return f

    def _install_runs_and_files(self) -> None:
        """The runs (before the files: an opened session's runs are taken in first)
        and the session's files, wired to each other and to this window."""
        self.features.runs = RunsFeature(
            self.context, reset_weights=self.reset_weights,
            start_replay=self.run_display.start_replay,
            mark_modified=lambda: self.features.files.mark_modified(), say=self._say,
            follow_epochs=self.run_display.follow_epochs)
        runs = self.features.runs
        self.features.files = FilesFeature(
            self.context, reset_weights=self.reset_weights, clear_runs=runs.clear_runs,
            has_runs=lambda: len(runs.runs) > 0, start_replay=self.run_display.start_replay,
            follow_epochs=self.run_display.follow_epochs)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=name)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(widget)
        # Never a horizontal scrollbar: the dock is at least as wide as its panel.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(widget.minimumSizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        dock.setWidget(scroll)
        self.addDockWidget(area, dock)
        return dock

    def _connect_controller(self) -> None:
        c = self.controller
        self.run_display.connect_controller()
        c.stateChanged.connect(self._on_controller_state_changed)
        c.boundaryUpdated.connect(self.boundary.show_boundary)
        c.failed.connect(self._on_controller_failed)

    # ----------------------------------------------------------------- spec
    @property
    def spec(self) -> SessionSpec:
        """The spec that trains: the session model's."""
        return self.session.spec

    def set_spec(self, spec: SessionSpec) -> None:
        """Show and train `spec` from now on (a new session: undo starts afresh)."""
        self.session.replace(spec)

    def _render_spec(self) -> None:
        self._on_session_spec_changed(self.spec, None)

    @Slot(object, object)
    def _on_session_spec_changed(self, spec: SessionSpec, old: SessionSpec | None) -> None:
        refresh = old is None or old is spec
        if refresh or old.data != spec.data:
            self.data_panel.set_spec(spec.data)
        self.layers.set_model(spec.model)
        self.optimizer_panel.set_spec(spec)
        self.device.blockSignals(True)
        self.device.setCurrentIndex(1 if spec.train.device == "cuda" else 0)
        self.device.blockSignals(False)
        if old is None or old.data != spec.data or old.train.loss != spec.train.loss:
            self._update_context()  # the data set is read to infer shapes: only then
        if old is None or old.data != spec.data:
            self.boundary.set_data(spec.data)
        if old is None or old.train.epochs != spec.train.epochs:
            self.plots.set_planned_epochs(spec.train.epochs)
        if not refresh:
            self.message.hide()
        self._update_actions()
        self.run_display.update()

    def _update_context(self) -> None:
        """Tell the panels the data's input shape, the task's outputs and metrics."""
        spec = self.spec
        context = self.data_contexts.of(spec)
        if context is None:
            self.layers.set_context((1,), None, for_dataset(spec.data).model)
            self.optimizer_panel.set_task(None)
            return
        shape, task, classes, name, rows = context
        if rows:
            self.optimizer_panel.train_rows = rows  # the schedule preview's updates per epoch
        try:
            head = resolve_head(spec.train.loss, task, classes, 1, name)
        except PlaygroundError as exc:
            head = None
            self._say(str(exc))
        self.layers.set_context(shape, head, for_dataset(spec.data).model)
        self.optimizer_panel.set_task(task)
        self.run_display.show_task(task, spec.train.metrics or default_metrics(task),
                                   head.loss if head else "", None)

    @Slot(object, str)
    def _on_data_panel_edited(self, changes: dict, what: str) -> None:
        data = changes["data"]
        old = self.spec
        if data.name == old.data.name:
            if data.task != old.data.task:  # metrics of the old task no longer apply
                changes = {**changes, "train.metrics": ()}
            self.session.edit(changes, what)
            return
        # A new data set: the user's network and optimizer come along, adapted.
        old_task, new_task = DATASETS[old.data.name].task, DATASETS[data.name].task
        moved = carry_over(old, data, old_task, new_task)
        fits = self.data_contexts.fits(moved)
        if not fits:
            moved = dataclasses.replace(moved, model=for_dataset(data).model)
        landed = self.session.edit({"data": moved.data, "model": moved.model,
                                    "train": moved.train}, "the data set")
        if landed and not fits:
            self._say(f"Your layers do not fit {data.name}, so its suggested network is "
                      "used (Ctrl+Z brings yours back).")

    @Slot(str)
    def _on_session_edit_refused(self, message: str) -> None:
        self._say(message)

    def _say(self, message: str) -> None:
        """A sentence where the user is looking: above the plots, until the next edit."""
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self.statusBar().showMessage(message, 15_000)

    def _on_tabs_current_changed(self, index: int) -> None:
        self.controller.want_boundary(self.tabs.widget(index) in self.boundary_views)

    def on_device_chosen(self, index: int) -> None:
        self.session.edit({"train.device": self.device.currentData()}, "the device")

    # ------------------------------------------------------------- running
    def train(self) -> None:
        """Train; while running, pause; while paused, resume (the Space key)."""
        state = self.controller.state
        if state == RUNNING:
            self.controller.pause()
            return
        if state == IDLE and self.layers.errors:
            self.context.warn("The network cannot be built", next(iter(self.layers.errors.values())))
            return
        trainer = self.controller.trainer
        if state == IDLE and trainer is not None and trainer.epoch >= trainer.spec.train.epochs:
            self.context.warn("Training is complete", f"All {trainer.spec.train.epochs} epochs are "
                       "done: raise the number of epochs to continue, or reset the weights.")
            return
        if state == IDLE:
            self.run_display.started()
        self.controller.start(self.spec)

    def step_epoch(self) -> None:
        self.controller.step_epoch(self.spec)

    def step_batch(self) -> None:
        self.controller.step_batch(self.spec)

    def reset_weights(self) -> None:
        self._forget_run()
        self._update_actions()
        self.run_display.update()

    def _forget_run(self) -> None:
        """Drop the trained run: its weights, its curves and its figures."""
        self.controller.reset()
        self.features.runs.end_current_run()  # it stays, finished, among the runs
        self.run_display.forget()
        self.boundary.set_data(self.spec.data)
        self.features.inside.clear_views()

    @Slot(str)
    def _on_controller_failed(self, message: str) -> None:
        if self.features.files.opening_failed(message):  # the open session stays
            return
        self.context.warn("Training could not run", message)

    @Slot(str)
    def _on_controller_state_changed(self, state: str) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        state = self.controller.state
        self.actionTrain.setText("&Pause" if state == RUNNING else
                                 "&Resume" if state == PAUSED else "&Train")
        self.actionTrain.setData("pause" if state == RUNNING else "train")
        self.actionTrain.setIcon(resources.icon(self.actionTrain.data(), self.theme.text))
        self.actionPause.setEnabled(state == RUNNING)
        self.actionStop.setEnabled(state != IDLE)
        self.actionStep.setEnabled(state != RUNNING)
        self.actionStepBatch.setEnabled(state != RUNNING)
        self.actionReset.setEnabled(self.controller.trainer is not None or state != IDLE)
        state_words = {IDLE: "idle", RUNNING: "training", PAUSED: "paused"}
        self.run_display.status_line.show_state(state_words[state])

    # ------------------------------------------------------------ the rest
    def set_theme(self, name: str) -> None:
        settings.write(settings.THEME, name)
        self.theme_actions[name].setChecked(True)
        self.theme = theme.resolve(name)
        self._apply_theme()

    def show_preferences(self) -> None:
        dialog = PreferencesDialog(self)
        dialog.preferencesApplied.connect(self._on_preferences_applied)
        dialog.exec()
        dialog.deleteLater()

    @Slot(object)
    def _on_preferences_applied(self, preferences) -> None:
        self.set_theme(preferences.theme)
        self.features.files.set_autosave_every(preferences.autosave_every)
        if preferences.threads != self.spec.train.threads:
            self.session.edit({"train.threads": preferences.threads}, "the training threads")

    def _apply_theme(self) -> None:
        app = QApplication.instance()
        if app is not None:
            theme.apply(app, self.theme)
        t = self.theme
        self.plots.set_colors(t.plot_background, t.text, t.series)
        self.boundary.set_colors(t.plot_background, t.text, t.class_colors)
        self.data_panel.set_class_colors(t.class_colors)
        for widget in (self.optimizer_panel.preview, self.data_panel.scatter,
                       self.data_panel.images):
            widget.setBackground(t.plot_background)
        for action in self.findChildren(QAction):
            if action.data():
                action.setIcon(resources.icon(action.data(), t.text))
        background, text = ("#451a03", "#fde68a") if t.name == "dark" else ("#fef3c7", "#78350f")
        self.message.setStyleSheet(f"QLabel#messageBanner {{ background: {background}; "
                                   f"color: {text}; padding: 6px; border-radius: 4px; }}")
        self.setWindowIcon(resources.icon("app", t.accent))
        self.events.themeApplied.emit(t)

    def about(self) -> None:
        QMessageBox.about(self, "About Gradient Playground",
                          f"Gradient Playground {__version__}\nSee how neural networks "
                          "learn by gradient descent.")

    def _restore_window_state(self) -> None:
        self._default_state = self.saveState()
        geometry = settings.read(settings.WINDOW_GEOMETRY)
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(self._default_size())
            self._narrow_docks()
        state = settings.read(settings.WINDOW_STATE)
        if state:
            self.restoreState(QByteArray(state))

    def _default_size(self) -> QSize:
        """1400x880, or nine tenths of a smaller screen."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return QSize(1400, 880)
        free = screen.availableGeometry()
        return QSize(min(1400, int(free.width() * 0.9)), min(880, int(free.height() * 0.9)))

    def reset_layout(self) -> None:
        for dock in (self.data_dock, self.layers_dock, self.optimizer_dock):
            dock.setFloating(False)
            dock.show()
        self.restoreState(self._default_state)
        self.resize(self._default_size())
        self._narrow_docks()

    def _narrow_docks(self) -> None:
        """Side panels as narrow as they can be: the curves get the rest of the width."""
        docks = [self.data_dock, self.optimizer_dock]
        self.resizeDocks(docks, [dock.minimumSizeHint().width() for dock in docks],
                         Qt.Orientation.Horizontal)
        # The runs table starts a few rows high: the views want the height.
        self.resizeDocks([self.features.runs.runs_dock], [RUNS_DOCK_HEIGHT],
                         Qt.Orientation.Vertical)

    def quit_app(self) -> None:
        """File > Quit: ask once if a run, a search or a sweep is going; then close this
        window (which closes the app's other windows) and end the app."""
        f = self.features
        if quitting.confirm_quitting(self, f.files, (f.search, f.sweep)) \
                and self.close():
            QApplication.quit()

    def closeEvent(self, event) -> None:
        if not all(check() for check in self.context.can_close):  # the files': save?
            event.ignore()
            return
        quitting.close_other_windows(self)  # the lab, search, sweep: none outlives this
        self.events.closing.emit()
        self.controller.shutdown()
        settings.write(settings.WINDOW_GEOMETRY, self.saveGeometry())
        settings.write(settings.WINDOW_STATE, self.saveState())
        QSettings().sync()
        super().closeEvent(event)
