"""The window's export feature: specs and share codes through the File menu, model
exports off the UI thread, plot and table exports, and the Predict view."""
from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from playground.core.export.sharecode import to_code
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, SessionSpec, TrainSpec


def _spec(data: DataSpec, epochs: int = 3, layers=None) -> SessionSpec:
    layers = layers or (LayerSpec("dense", {"units": 8, "activation": "tanh"}),
                        LayerSpec("dense", {"units": None}))
    return SessionSpec(data=data, model=ModelSpec(tuple(layers)),
                       train=TrainSpec(batch_size=32, epochs=epochs, device="cpu"))


def _train(qtbot, window, spec: SessionSpec) -> None:
    window.set_spec(spec)
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    qtbot.waitUntil(lambda: window.features.export.actionPredict.isEnabled(), timeout=5_000)


def _menu_actions(window, menu_name: str) -> list[str]:
    from playground.gui.menus import menu_titled

    return [a.objectName() for a in menu_titled(window, menu_name).actions()]


def test_menus_hold_the_export_actions_disabled_until_trained(window):
    feature = window.features.export
    names = _menu_actions(window, "&File")
    for name in ("actionSaveSpec", "actionOpenSpec", "actionOpenFromCode",
                 "actionCopyShareCode", "actionCopyCommandLine"):
        assert name in names
    assert names.index("actionSaveSpec") < names.index("actionQuit")
    assert [a.objectName() for a in feature.export_menu.actions() if a.objectName()] == [
        "actionExportOnnx", "actionExportWeights", "actionExportScript",
        "actionExportTensorBoard", "actionExportRuns", "actionExportMetrics"]
    assert "actionPredict" in _menu_actions(window, "&Run")
    assert not feature.actionExportOnnx.isEnabled() and not feature.actionPredict.isEnabled()


def test_save_spec_then_open_spec_restores_it(window, tmp_path):
    spec = _spec(DataSpec("moons", samples=120))
    window.set_spec(spec)
    path = tmp_path / "spec.json"
    window.features.export.save_spec(str(path))
    assert json.loads(path.read_text())["data"]["name"] == "moons"
    window.set_spec(_spec(DataSpec("xor")))
    window.features.export.open_spec(str(path))
    assert window.spec == spec


def test_a_share_code_copies_and_opens_through_the_dialog(window, monkeypatch):
    spec = _spec(DataSpec("circle", samples=150, noise=0.2))
    window.set_spec(spec)
    window.features.export.actionCopyShareCode.trigger()
    code = QApplication.clipboard().text()
    assert code == to_code(spec)
    window.set_spec(_spec(DataSpec("xor")))
    monkeypatch.setattr(QInputDialog, "getMultiLineText",
                        staticmethod(lambda *a, **k: (code, True)))
    window.features.export.actionOpenFromCode.trigger()
    assert window.spec == spec


def test_copy_as_command_line_puts_the_train_command_on_the_clipboard(window):
    window.set_spec(_spec(DataSpec("moons", samples=120)))
    window.features.export.actionCopyCommandLine.trigger()
    text = QApplication.clipboard().text()
    assert text.startswith("playground train --dataset moons --samples 120 ")
    assert "--layers 8:tanh,auto" in text and "--epochs 3" in text


def test_a_damaged_code_is_one_sentence_and_changes_nothing(window, isolated_settings):
    before = window.spec
    window.features.export.open_from_code("pg1.xyz")
    assert window.spec == before
    title, text = isolated_settings[-1]
    assert "damaged" in text and "\n" not in text
    assert title == "Cannot open the share code"


def test_weights_and_script_export_off_the_ui_thread(qtbot, window, tmp_path,
                                                     isolated_settings):
    pytest.importorskip("safetensors")  # the optional extra [export]
    pytest.importorskip("torch.utils.tensorboard")
    _train(qtbot, window, _spec(DataSpec("moons", samples=120)))
    feature = window.features.export
    with qtbot.waitSignal(feature.exported, timeout=20_000):
        feature.export_weights(str(tmp_path / "m.safetensors"))
    assert (tmp_path / "m.json").exists()
    with qtbot.waitSignal(feature.exported, timeout=20_000):
        feature.export_script(str(tmp_path / "train.py"))
    assert not isolated_settings  # no warning
    compile((tmp_path / "train.py").read_text(), "train.py", "exec")
    with qtbot.waitSignal(feature.exported, timeout=20_000):
        feature.export_tensorboard(str(tmp_path / "tb"))
    assert any(p.name.startswith("events.out") for p in (tmp_path / "tb").iterdir())


def test_the_predict_view_answers_typed_values(qtbot, window):
    _train(qtbot, window, _spec(DataSpec("blobs", samples=150, classes=3)))
    feature = window.features.export
    feature.actionPredict.trigger()
    view = feature.predict_view
    assert feature.predict_dialog.isVisible() and len(view.fields) == 2
    view.fields[0].setValue(3.0)  # the edit goes through the real spin box
    view.fields[1].setValue(0.0)
    expected, labels = feature.trained.predict(np.array([[3.0, 0.0]], np.float32))
    assert view.answer.text() == labels[0]
    assert list(view.bars) == ["0", "1", "2"]  # the class names
    for bar, p in zip(view.bars.values(), expected[0]):
        assert bar.value() == round(1000 * p)


def test_the_predict_view_reads_a_drawn_digit(qtbot, window):
    layers = (LayerSpec("dense", {"units": 16, "activation": "relu"}),
              LayerSpec("dense", {"units": None}))
    _train(qtbot, window, _spec(DataSpec("digits"), epochs=2, layers=layers))
    feature = window.features.export
    feature.show_predict()
    canvas = feature.predict_view.canvas
    assert canvas is not None and (canvas.rows, canvas.columns, canvas.ink) == (8, 8, 16.0)
    canvas.clear()
    canvas.resize(160, 160)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(50, 50))
    values = canvas.values()
    assert values[2 * 8 + 2] == 16.0 and values[2 * 8 + 3] == 8.0
    _, labels = feature.trained.predict(np.array([values], np.float32))
    assert feature.predict_view.answer.text() == labels[0]


def test_plots_export_png_svg_and_csv_and_tables_csv(qtbot, window, tmp_path, monkeypatch):
    from playground.gui.export_feature import export_plot, plot_at

    _train(qtbot, window, _spec(DataSpec("moons", samples=120)))
    loss = window.plots.plots["loss"]

    from playground.gui.export_feature import plot_csv

    qtbot.waitUntil(lambda: plot_csv(loss).count("\n") >= 4, timeout=5_000)  # redrawn
    window.tabs.setCurrentWidget(window.plots)  # a right click lands on a shown plot
    view = window.plots.canvas
    centre = view.mapFromScene(loss.sceneBoundingRect().center())
    assert plot_at(view, centre) is loss
    from PySide6.QtGui import QContextMenuEvent

    feature, shown = window.features.export, []

    class Shown:  # stands in for the menu, which would wait for a click
        def __init__(self, plot):
            shown.append(plot)

        def exec(self, *args):
            return None

        def deleteLater(self):
            return None

    with monkeypatch.context() as patch:
        patch.setattr(feature, "plot_menu", Shown)
        QApplication.sendEvent(view.viewport(), QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, centre, view.viewport().mapToGlobal(centre)))
    assert shown == [loss]  # a right click on the plot opens its export menu
    menu = feature.plot_menu(loss)
    assert [a.text() for a in menu.actions()] == [
        "Export as PNG\u2026", "Export as SVG\u2026", "Export data as CSV\u2026"]
    for kind in ("png", "svg", "csv"):
        export_plot(loss, str(tmp_path / f"loss.{kind}"), kind)
    assert (tmp_path / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "loss.svg").read_text()
    assert (tmp_path / "loss.csv").read_text().count("\n") >= 3
    window.features.export.export_table("runsTable", str(tmp_path / "runs.csv"))
    table = window.features.runs.runs_table.table
    runs = list(csv.reader((tmp_path / "runs.csv").open()))
    assert runs[0] == [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert runs[0][0] == "show" and {row[0] for row in runs[1:]} <= {"yes", "no"}
    assert runs[1:] and all(row[0] for row in runs[1:])
    window.features.export.export_table("metricsTable", str(tmp_path / "metrics.csv"))
    rows = list(csv.reader((tmp_path / "metrics.csv").open()))
    assert rows[0][1:] == [window.metrics_table.horizontalHeaderItem(c).text()
                           for c in range(window.metrics_table.columnCount())]
    assert rows[1][0].lower().startswith("loss")


def _right_click(view) -> None:
    """Qt's context menu event for a right click in the middle of a plot view."""
    from PySide6.QtGui import QContextMenuEvent

    viewport = view.viewport()
    centre = viewport.rect().center()
    QApplication.sendEvent(viewport, QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, centre, viewport.mapToGlobal(centre)))


def _menus_shown(feature, patch) -> list:
    """The export menus a right click opens, as (plot, texts), each shown at once."""
    shown, make = [], feature.plot_menu

    def plot_menu(plot):
        menu = make(plot)
        menu.exec = lambda *args: shown.append((plot, [a.text() for a in menu.actions()]))
        return menu

    patch.setattr(feature, "plot_menu", plot_menu)
    return shown


def test_plots_made_after_the_feature_have_the_export_menu_and_it_goes_after_use(
        qtbot, window, monkeypatch):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    shown = _menus_shown(window.features.export, monkeypatch)
    texts = ["Export as PNG\u2026", "Export as SVG\u2026", "Export data as CSV\u2026"]
    window.findChild(QAction, "actionLandscape").trigger()  # the dock, made after export
    landscape = window.features.landscape.view.plot
    qtbot.waitExposed(landscape)  # laid out where the click lands
    _right_click(landscape)
    assert shown == [(landscape.getPlotItem(), texts)]
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(QMenu, "plotExportMenu") == []  # deleted after use
    window.features.landscape.dock.setFloating(True)  # a window of its own now
    qtbot.waitExposed(landscape)
    _right_click(landscape)
    assert len(shown) == 2 and shown[1][0] is landscape.getPlotItem()
    window.features.lab.open_lab_descent({})  # a window the window owns, made now
    descent = window.features.lab.lab_window.descent.plot
    qtbot.waitExposed(descent)
    _right_click(descent)
    assert len(shown) == 3 and shown[2][0] is descent.getPlotItem()
    window.features.lab.lab_window.close()


def test_a_plots_csv_names_its_columns_after_the_axis_and_the_series(qtbot, window,
                                                                     tmp_path, monkeypatch):
    from playground.gui.export_feature import plot_csv

    _train(qtbot, window, _spec(DataSpec("moons", samples=120)))
    plots, feature = window.plots, window.features.export
    qtbot.waitUntil(lambda: plot_csv(plots.plots["loss"]).count("\n") >= 4, timeout=5_000)
    path = tmp_path / "loss.csv"
    monkeypatch.setattr(feature, "_ask_save", lambda *args: str(path))
    menu = feature.plot_menu(plots.plots["loss"])  # the plot's own context menu
    next(a for a in menu.actions() if a.text().startswith("Export data as CSV")).trigger()
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [float(row[0]) for row in rows[1:]] == [1.0, 2.0, 3.0]
    assert plot_csv(plots.plots["metric"]).splitlines()[0] == "epoch,accuracy,val_accuracy"
    plots.x_axis.setCurrentText("updates")
    qtbot.waitUntil(lambda: plot_csv(plots.plots["loss"]).startswith("step,loss,val_loss"),
                    timeout=5_000)


def test_a_plots_file_name_is_its_title_in_plain_words(window, monkeypatch):
    feature, offered = window.features.export, []
    monkeypatch.setattr(feature, "_ask_save", lambda title, default, filters:
                        offered.append(default) or "")
    for plot in window.plots.plots.values():
        feature._ask_export_plot(plot, "csv")
    assert offered and all(name.endswith(".csv") for name in offered)
    assert not [name for name in offered if "span" in name or "nbsp" in name
                or len(name) > 40], offered


def test_unnamed_curves_keep_numbered_columns(qapp):
    import pyqtgraph as pg

    from playground.gui.export_feature import plot_csv

    plot = pg.PlotItem()
    plot.plot([0, 1, 2], [5, 6, 7])
    plot.plot([0, 1, 2], [1, 2, 3], name="mine")
    plot.plot([0.5, 1.5], [9, 8])
    lines = plot_csv(plot).splitlines()
    assert lines[0] == "curve1_x,curve1,mine,curve3_x,curve3"
    assert lines[1] == "0,5,1,0.5,9" and lines[3] == "2,7,3,,"


def test_the_export_dialogs_start_in_the_last_folder_not_the_working_one(
        window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from playground.gui import settings

    last = tmp_path / "last"
    last.mkdir()
    settings.write(settings.LAST_FOLDER, str(last))
    asked = []
    for name in ("getSaveFileName", "getOpenFileName"):
        monkeypatch.setattr(QFileDialog, name,
                            staticmethod(lambda *a, **k: asked.append(a[2]) or ("", "")))
    feature = window.features.export
    feature.actionSaveSpec.trigger()
    feature.actionOpenSpec.trigger()
    assert asked == [str(last / "spec.json"), str(last)]


def test_without_the_export_extra_the_actions_say_what_to_install(qtbot, window,
                                                                  isolated_settings,
                                                                  monkeypatch):
    import sys

    from PySide6.QtWidgets import QFileDialog

    _train(qtbot, window, _spec(DataSpec("moons", samples=120), epochs=1))
    dialogs = []
    for name in ("getSaveFileName", "getExistingDirectory"):  # none may open
        monkeypatch.setattr(QFileDialog, name,
                            staticmethod(lambda *a, **k: dialogs.append(a) or ("", "")))
    feature = window.features.export
    with monkeypatch.context() as patch:
        for name in ("onnx", "safetensors", "tensorboard"):
            patch.setitem(sys.modules, name, None)
        _refused_without_the_extra(feature, isolated_settings)
    assert dialogs == []
    feature.export_menu.aboutToShow.emit()  # installed again: the usual tips
    assert "not installed" not in feature.actionExportOnnx.toolTip()


def _refused_without_the_extra(feature, warnings):
    from playground.core.export.extras import INSTALL

    feature.export_menu.aboutToShow.emit()
    actions = (feature.actionExportOnnx, feature.actionExportWeights,
               feature.actionExportTensorBoard)
    for action, words in zip(actions, ("onnx", "safetensors", "tensorboard")):
        assert words in action.toolTip() and INSTALL in action.toolTip()
        assert action.isEnabled()
        action.trigger()
    assert [INSTALL in text and len(text.splitlines()) == 1 for _, text in warnings] == \
        [True] * 3
    assert [title for title, _ in warnings] == ["Export"] * 3
