"""ExportFeature: taking the session out of the window.

Reads, through its context: the session model's spec, the controller's trainer (only
while no run is going) and its state; the tables the window gives (`tables`: the runs
feature's runs table, the metrics table); every plot of the window and of the windows
and floating docks it owns (a right click on one that no widget takes reaches its
window, which this feature watches, so plots made later are included).
Changes nothing in the session except through `load_spec`, given by the window (the
files feature's: File > Open spec, Open from code); everything else writes files or the
clipboard: File > Save spec, Copy share code, Copy as command line; File > Export (ONNX,
safetensors weights, a PyTorch training script, TensorBoard logs, the runs and metrics
tables as CSV); every plot's context menu (PNG, SVG, CSV); the Predict view (Run >
Predict). Model exports run off the UI thread (ONNX takes seconds). Its sentences go to
the status bar (context.say) and its failures to a dialog (context.warn).
"""
from __future__ import annotations

import csv
import re
from html import unescape
import io
import os
import threading
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDockWidget, QFileDialog,
                               QInputDialog, QMenu, QTableWidget, QVBoxLayout, QWidget)

from ..core.errors import PlaygroundError
from ..core.session import atomic_write
from . import settings
from .controller import RUNNING
from .features import FeatureContext
from .widgets.export import PredictView

SPEC_FILES = "Spec files (*.json);;All files (*)"


class ExportFeature(QObject):
    exported = Signal(str)   # a sentence: what was written (from any thread)
    failed = Signal(str)

    def __init__(self, context: FeatureContext, load_spec: Callable[[Any], None],
                 tables: Callable[[], dict[str, QTableWidget]]) -> None:
        """`load_spec` starts a session from a spec; `tables` gives the tables that
        File > Export writes, by objectName ("runsTable", "metricsTable")."""
        super().__init__(context.window)
        self.context, self.load_spec, self.tables = context, load_spec, tables
        self.window, self.session, self.controller = (context.window, context.session,
                                                      context.controller)
        self.predict_dialog: QDialog | None = None
        self.predict_view: PredictView | None = None
        self.trained = None
        self.busy = False
        self._build_actions()
        self._watch_windows()
        self.exported.connect(self._on_exported)
        self.failed.connect(self._on_failed)
        self.controller.stateChanged.connect(self._on_controller_state_changed)
        self.controller.trainerReady.connect(self._on_controller_state_changed)
        self._update_actions()

    # ------------------------------------------------------------- actions
    def _action(self, name: str, text: str, slot: Callable, tip: str) -> QAction:
        action = QAction(text, self.window, objectName=name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.actionSaveSpec = a("actionSaveSpec", "Save spec\u2026", self.save_spec,
                                "Save the spec (data, network, optimizer, training) as the "
                                "JSON file `playground train` reads")
        self.actionOpenSpec = a("actionOpenSpec", "Open spec\u2026", self.open_spec,
                                "Start a session from a spec file (JSON)")
        self.actionOpenFromCode = a("actionOpenFromCode", "Open from code\u2026",
                                    self.open_from_code,
                                    "Start a session from a share code someone sent you")
        self.actionCopyShareCode = a("actionCopyShareCode", "Copy share code",
                                     self.copy_share_code,
                                     "Copy a short text that opens this spec (File > Open "
                                     "from code, or playground spec --from-code)")
        self.actionCopyCommandLine = a("actionCopyCommandLine", "Copy as command line",
                                       self.copy_command_line,
                                       "Copy the `playground train` command that trains "
                                       "this spec headless")
        self.actionExportOnnx = a("actionExportOnnx", "Model as ONNX\u2026", self.export_onnx,
                                  "The trained model with its input scaling, for "
                                  "onnxruntime and other runtimes")
        self.actionExportWeights = a("actionExportWeights", "Weights (safetensors)\u2026",
                                     self.export_weights,
                                     "The weights, and the spec as JSON beside them")
        self.actionExportScript = a("actionExportScript", "PyTorch training script\u2026",
                                    self.export_script,
                                    "A standalone script that repeats this training "
                                    "(python FILE, or torchrun --nproc_per_node N FILE)")
        self.actionExportTensorBoard = a("actionExportTensorBoard",
                                         "TensorBoard logs\u2026", self.export_tensorboard,
                                         "The run's scalars per epoch, weight histograms "
                                         "and hyperparameters, for tensorboard --logdir")
        self.actionExportRuns = a("actionExportRuns", "Runs table as CSV\u2026",
                                  lambda: self.export_table("runsTable"),
                                  "The runs table as a CSV file")
        self.actionExportMetrics = a("actionExportMetrics", "Metrics table as CSV\u2026",
                                     lambda: self.export_table("metricsTable"),
                                     "The latest loss and metrics as a CSV file")
        self.actionPredict = a("actionPredict", "&Predict\u2026", self.show_predict,
                               "Type feature values, or draw a digit, and see what the "
                               "trained network answers")
        file_menu = self.context.menu("&File")
        before = next((act for act in file_menu.actions()
                       if act.objectName() == "actionQuit"), None)
        for action in (self.actionSaveSpec, self.actionOpenSpec, self.actionOpenFromCode,
                       self.actionCopyShareCode, self.actionCopyCommandLine):
            self.context.add_action("&File", action, before)
        self.export_menu = QMenu("&Export", self.window, objectName="exportMenu")
        for action in (self.actionExportOnnx, self.actionExportWeights,
                       self.actionExportScript, self.actionExportTensorBoard):
            self.export_menu.addAction(action)
        self.export_menu.addSeparator()
        self.export_menu.addAction(self.actionExportRuns)
        self.export_menu.addAction(self.actionExportMetrics)
        file_menu.insertMenu(before, self.export_menu)
        self.export_menu.setToolTipsVisible(True)  # a missing package is said there
        self._tips = {"onnx": (self.actionExportOnnx, self.actionExportOnnx.toolTip()),
                      "weights": (self.actionExportWeights,
                                  self.actionExportWeights.toolTip()),
                      "tensorboard": (self.actionExportTensorBoard,
                                      self.actionExportTensorBoard.toolTip())}
        self.export_menu.aboutToShow.connect(self._note_missing_packages)
        self._note_missing_packages()
        file_menu.insertSeparator(before)
        self.context.add_action("&Run", self.actionPredict)

    @Slot()
    def _note_missing_packages(self) -> None:
        """An export whose optional packages are not installed says so in its tooltip
        (the packaged app may lack the `export` extra)."""
        from ..core.export.extras import missing

        for kind, (action, tip) in self._tips.items():
            text = missing(kind) or tip
            action.setToolTip(text)
            action.setStatusTip(text)

    def _refused_for_missing(self, kind: str) -> bool:
        """Whether the export cannot run for lack of a package; then it says which, in
        one sentence, before any dialog."""
        from ..core.export.extras import missing

        sentence = missing(kind)
        if sentence is not None:
            self._on_failed(sentence)
        return sentence is not None

    def _trainer(self) -> Any:
        """The trainer, when one exists and no run is changing its weights."""
        controller = self.controller
        if controller.trainer is None or controller.state == RUNNING:
            return None
        return controller.trainer

    def _update_actions(self) -> None:
        ready = self._trainer() is not None and not self.busy
        for action in (self.actionExportOnnx, self.actionExportWeights,
                       self.actionExportScript, self.actionExportTensorBoard,
                       self.actionPredict):
            action.setEnabled(ready)

    @Slot()
    def _on_controller_state_changed(self, *_: Any) -> None:
        self._update_actions()
        if self.predict_dialog is not None and self.predict_dialog.isVisible():
            self._load_predict_model()

    # --------------------------------------------------------------- specs
    def save_spec(self, path: str | None = None) -> None:
        from ..core.export.specfile import write_spec

        path = path or self._ask_save("Save the spec", "spec.json", SPEC_FILES)
        if path:
            self._guarded(lambda: write_spec(path, self.session.spec),
                          f"Saved the spec to {path}.")

    def open_spec(self, path: str | None = None) -> None:
        from ..core.export.specfile import read_spec

        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open a spec",
                                                  settings.start_folder(), SPEC_FILES)
        if path:
            self._guarded(lambda: self.load_spec(read_spec(path).validate()),
                          title="Cannot open the spec", reading=True)

    def open_from_code(self, code: str | None = None) -> None:
        from ..core.export.sharecode import from_code

        if code is None:
            code, ok = QInputDialog.getMultiLineText(
                self.window, "Open from code", "Paste a share code (it starts with pg1.):")
            if not ok:
                return
        self._guarded(lambda: self.load_spec(from_code(code)),
                      title="Cannot open the share code")

    def copy_share_code(self) -> str:
        from ..core.export.sharecode import to_code

        code = to_code(self.session.spec)
        QGuiApplication.clipboard().setText(code)
        self._status(f"Copied the share code ({len(code)} characters).")
        return code

    def copy_command_line(self) -> str | None:
        from ..core.export.commandline import command_line

        try:
            text = command_line(self.session.spec)
        except PlaygroundError as exc:
            self._on_failed(str(exc))
            return None
        QGuiApplication.clipboard().setText(text)
        self._status("Copied the command line.")
        return text

    # -------------------------------------------------------------- models
    def export_onnx(self, path: str | None = None) -> None:
        from ..core.export.formats import export_onnx

        if self._refused_for_missing("onnx"):
            return
        self._export_model("Export the model as ONNX", "model.onnx",
                           "ONNX models (*.onnx)", export_onnx, path)

    def export_weights(self, path: str | None = None) -> None:
        from ..core.export.formats import export_weights

        if self._refused_for_missing("weights"):
            return
        self._export_model("Export the weights", "model.safetensors",
                           "safetensors (*.safetensors)", export_weights, path)

    def export_script(self, path: str | None = None) -> None:
        from ..core.export.script import check_scriptable, write_trained_script

        try:
            check_scriptable(self.session.spec)
        except PlaygroundError as exc:
            self._on_failed(str(exc))
            return
        self._export_model("Export a training script", "train.py",
                           "Python scripts (*.py)",
                           lambda trained, where: write_trained_script(where, trained), path)

    def export_tensorboard(self, folder: str | None = None) -> None:
        from ..core.export.tensorboard import check_logdir, write_history

        trainer = self._trainer()
        if trainer is None or self._refused_for_missing("tensorboard"):
            return
        folder = folder or QFileDialog.getExistingDirectory(
            self.window, "A folder for the TensorBoard logs", settings.start_folder())
        if not folder:
            return
        records = trainer.history.records  # built here, in the GUI thread, from a copy
        self._export_model(
            "", "", "", lambda trained, where: write_history(
                where, trained.spec, records, trained.module), folder, check_logdir)

    def _export_model(self, title: str, default: str, filters: str,
                      write: Callable[[Any, str], Any], path: str | None,
                      check: Callable[[str, str], Any] | None = None) -> None:
        from ..core.export import from_trainer
        from ..core.export.paths import check_output

        trainer = self._trainer()
        if trainer is None:
            return
        path = path or self._ask_save(title, default, filters)
        if not path:
            return
        try:
            (check or check_output)(path, "The export")
            trained = from_trainer(trainer)  # a copy of the weights, made here and now
        except PlaygroundError as exc:
            self._on_failed(str(exc))
            return
        self.busy = True
        self._update_actions()
        self._status(f"Writing {Path(path).name}\u2026")
        threading.Thread(target=self._write, args=(write, trained, path),
                         name="export", daemon=True).start()

    def _write(self, write: Callable[[Any, str], Any], trained: Any, path: str) -> None:
        """In a plain thread: no widget is touched here; the signals are queued."""
        try:
            write(trained, path)
        except PlaygroundError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a sentence for the user, not a crash
            self.failed.emit(f"The export failed ({type(exc).__name__}: {exc}).")
        else:
            self.exported.emit(f"Exported {Path(path).name}.")

    @Slot(str)
    def _on_exported(self, message: str) -> None:
        self.busy = False
        self._update_actions()
        self._status(message)

    @Slot(str)
    def _on_failed(self, message: str, title: str = "Export") -> None:
        self.busy = False
        self._update_actions()
        self.context.warn(title, message)

    # -------------------------------------------------------------- tables
    def export_table(self, name: str, path: str | None = None) -> None:
        table = self.tables().get(name)
        if table is None:
            return
        path = path or self._ask_save("Export the table", f"{name}.csv", "CSV (*.csv)")
        if path:
            text = table_csv(table)
            self._guarded(lambda: atomic_write(Path(path), lambda f: f.write(text.encode())),
                          f"Saved the table to {path}.")

    # --------------------------------------------------------------- plots
    def _watch_windows(self) -> None:
        """A right click that no widget takes goes up to the widget's window (Qt's
        propagation stops there): this feature watches the window, its docks and the
        windows it owns (the lab, search and sweep windows, a floating dock), and each
        new one as the window or an owned one polishes it. So a plot made at any time
        has the menu, and no other widget's events pass through Python."""
        self._watch(self.window)
        for dock in self.window.findChildren(QDockWidget):  # one may float later
            self._watch(dock)

    def _watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)  # once: Qt moves a filter installed again

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:
            child = event.child()
            if isinstance(child, QWidget) and (child.isWindow()
                                               or isinstance(child, QDockWidget)):
                self._watch(child)
        elif kind == QEvent.Type.ContextMenu and isinstance(watched, QWidget):
            plot = self._plot_under(watched, event.globalPos())
            if plot is not None:
                menu = self.plot_menu(plot)
                menu.exec(event.globalPos())
                menu.deleteLater()  # a new menu each time: none may pile up
                return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _plot_under(window: QWidget, where: Any) -> pg.PlotItem | None:
        """The PlotItem at the global point `where` when it lies in the viewport of a
        pyqtgraph view shown in `window`; None elsewhere, and the event goes on as before
        (a view without a PlotItem there keeps pyqtgraph's own menu). A view is found
        by the part of it that shows (a scroll area clips one, a stacked page covers
        another): childAt would also see a page that is covered, not hidden."""
        for view in window.findChildren(pg.GraphicsView):
            viewport = view.viewport()
            if view.window() is not window or not viewport.isVisible():
                continue
            position = viewport.mapFromGlobal(where)
            if viewport.visibleRegion().contains(position):
                return plot_at(view, position)
        return None

    def plot_menu(self, plot: pg.PlotItem) -> QMenu:
        menu = QMenu(self.window, objectName="plotExportMenu")
        for kind, text in (("png", "Export as PNG\u2026"), ("svg", "Export as SVG\u2026"),
                           ("csv", "Export data as CSV\u2026")):
            menu.addAction(text, lambda k=kind: self._ask_export_plot(plot, k))
        return menu

    def _ask_export_plot(self, plot: pg.PlotItem, kind: str) -> None:
        title = plain_title(plot.titleLabel.text or "") or "plot"
        default = "".join(c if c.isalnum() else "_" for c in title).strip("_").lower()
        path = self._ask_save("Export the plot", f"{default or 'plot'}.{kind}",
                              f"{kind.upper()} (*.{kind})")
        if path:
            self._guarded(lambda: export_plot(plot, path, kind), f"Saved {path}.")

    # ------------------------------------------------------------- predict
    def show_predict(self) -> None:
        if self.predict_dialog is None:
            self.predict_dialog = QDialog(self.window, objectName="predictDialog")
            self.predict_dialog.setWindowTitle("Predict")
            self.predict_view = PredictView()
            QVBoxLayout(self.predict_dialog).addWidget(self.predict_view)
            self.predict_view.rowChanged.connect(self._on_predict_view_row_changed)
            self.predict_dialog.resize(620, 420)
        self._load_predict_model()
        self.predict_dialog.show()
        self.predict_dialog.raise_()

    def _load_predict_model(self) -> None:
        from ..core.export import from_trainer

        trainer = self._trainer()
        if trainer is None or self.predict_view is None:
            return
        self.trained = from_trainer(trainer)
        dataset = trainer.data.dataset
        shape = self.trained.input_shape
        image = (shape[1], shape[2]) if len(shape) == 3 and shape[0] == 1 else None
        first = dataset.X[0] if not trainer.spec.data.inputs else np.zeros(2, np.float32)
        ink = float(dataset.X.max()) if image else 1.0
        self.predict_view.set_inputs(self.trained.raw_features, image, ink or 1.0,
                                     [float(v) for v in first])
        self._on_predict_view_row_changed(self.predict_view.values())

    @Slot(list)
    def _on_predict_view_row_changed(self, row: list) -> None:
        trained = self.trained
        if trained is None or len(row) != len(trained.raw_features):
            return
        out, labels = trained.predict(np.asarray([row], dtype=np.float32))
        if not trained.is_classification:
            self.predict_view.show_output(labels[0], [], "In the target's units.")
            return
        scores = [(name, float(value)) for name, value in zip(trained.class_names, out[0])]
        note = "" if trained.gives_probabilities else \
            "This loss gives scores, not probabilities."
        self.predict_view.show_output(labels[0], scores if trained.gives_probabilities
                                      else [], note)

    # ------------------------------------------------------------- helpers
    def _ask_save(self, title: str, default: str, filters: str) -> str:
        start = os.path.join(settings.start_folder(), default)  # never the working folder
        path, _ = QFileDialog.getSaveFileName(self.window, title, start, filters)
        return path

    def _guarded(self, work: Callable[[], Any], done: str = "", title: str = "Export",
                 reading: bool = False) -> None:
        """Run `work`; a refusal or a file error is one sentence in a box called `title`."""
        try:
            work()
        except PlaygroundError as exc:
            self._on_failed(str(exc), title)
            return
        except OSError as exc:
            verb = "read" if reading else "written"
            self._on_failed(f"The file cannot be {verb}: {exc.strerror or exc}.", title)
            return
        if done:
            self._status(done)

    def _status(self, message: str) -> None:
        self.context.say(message, 8000)


def plain_title(html: str) -> str:
    """A plot title's first line as plain text: the file name offered for its export
    ("Gradient norm per layer<br><span ...>1 Dense</span>" -> "Gradient norm per layer")."""
    first = re.split(r"<br\s*/?>", html, maxsplit=1)[0]
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", first)).split())


def plot_at(view: pg.GraphicsView, position: Any) -> pg.PlotItem | None:
    """The PlotItem under a point of the view, if any."""
    for item in view.items(position):
        while item is not None:
            if isinstance(item, pg.PlotItem):
                return item
            item = item.parentItem()
    return None


def export_plot(plot: pg.PlotItem, path: str, kind: str) -> None:
    """PNG through pyqtgraph's exporter; SVG through Qt's own generator (pyqtgraph
    0.14's SVGExporter fails on Qt 6.11's path data, its issue #3485); CSV of every
    curve's points (pyqtgraph's CSVExporter sees only its own curve classes, not the
    Qt-painted curves of the live plots)."""
    if kind == "svg":
        _export_svg(plot, path)
    elif kind == "csv":
        text = plot_csv(plot)
        atomic_write(Path(path), lambda file: file.write(text.encode("utf-8")))
    else:
        from pyqtgraph import exporters

        exporters.ImageExporter(plot).export(str(path))


def plot_csv(plot: pg.PlotItem) -> str:
    """The plot's curves as columns, named so the file reads on its own: one x column
    for the curves that share their x values (named for the axis: epoch or step), then
    each curve's values, named for its series (loss, val_loss, accuracy, ...); an
    unnamed curve is curveN, its x column curveN_x."""
    groups: list[tuple[np.ndarray, str, list[tuple[str, np.ndarray]]]] = []
    drawn = 0
    for item in plot.items:
        data = item.getData() if callable(getattr(item, "getData", None)) else None
        if not data or data[0] is None or len(data[0]) == 0:
            continue
        drawn += 1
        x, y = np.asarray(data[0], dtype=float), np.asarray(data[1], dtype=float)
        named = item.name() if callable(getattr(item, "name", None)) else None
        name = str(named) if named else f"curve{drawn}"
        group = next((g for g in groups if g[0].shape == x.shape
                      and np.array_equal(g[0], x, equal_nan=True)), None)
        if group is None:
            x_name = getattr(item, "x_name", "") if named else ""
            groups.append((x, x_name or f"{name}_x", [(name, y)]))
        else:
            group[2].append((name, y))
    columns: list[tuple[str, np.ndarray]] = []
    for x, x_name, curves in groups:
        if any(x_name == taken for taken, _ in columns):  # a second x of that kind
            x_name = f"{curves[0][0]}_{x_name}"
        columns += [(x_name, x), *curves]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    for row in range(max((len(values) for _, values in columns), default=0)):
        writer.writerow([format(float(values[row]), ".10g") if row < len(values) else ""
                         for _, values in columns])
    return buffer.getvalue()


def _export_svg(plot: pg.PlotItem, path: str) -> None:
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    source = plot.sceneBoundingRect()
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(plot.titleLabel.text or "plot")
    painter = QPainter(generator)
    try:
        plot.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()


def table_csv(table: QTableWidget) -> str:
    """A table's header and cells as CSV (the row labels as the first column)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    headers = [table.horizontalHeaderItem(c).text() if table.horizontalHeaderItem(c) else ""
               for c in range(table.columnCount())]
    labels = [table.verticalHeaderItem(r).text() if table.verticalHeaderItem(r) else ""
              for r in range(table.rowCount())]
    with_labels = any(labels)
    writer.writerow(([""] if with_labels else []) + headers)
    for row in range(table.rowCount()):
        cells = [_cell_text(table.item(row, c)) for c in range(table.columnCount())]
        writer.writerow(([labels[row]] if with_labels else []) + cells)
    return buffer.getvalue()


def _cell_text(item) -> str:
    """A cell as written: its text, or for a check box with none ("show") yes or no."""
    if item is None:
        return ""
    if not item.text() and item.data(Qt.ItemDataRole.CheckStateRole) is not None:
        return "yes" if item.checkState() == Qt.CheckState.Checked else "no"
    return item.text()
