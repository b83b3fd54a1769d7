"""The details a learner trips over (issue 27): the run key, stale views, defaults
and wording, each through the real widgets."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCommandLinkButton


def _count_run_key(window) -> list:
    """Space's action, counted instead of training (the key's route is what is tested)."""
    pressed: list = []
    window.actionTrain.triggered.disconnect(window.train)
    window.actionTrain.triggered.connect(lambda *_: pressed.append(1))
    return pressed


def _activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def test_space_runs_after_enter_in_a_number_field_and_types_while_editing(qtbot, window):
    pressed = _count_run_key(window)
    _activate(qtbot, window)
    box = window.optimizer_panel.lr_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.05")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.spec.optimizer.lr == 0.05
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert pressed == [1] and box.value() == 0.05  # not blanked: the run key ran
    qtbot.keyClicks(box, "1")  # editing again: Space is the field's
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert pressed == [1]


def test_space_runs_right_after_an_example_is_chosen_in_the_welcome_view(qtbot, window):
    pressed = _count_run_key(window)
    window.features.welcome.show_welcome()
    dialog = window.features.welcome.welcome
    _activate(qtbot, dialog)
    button = dialog.findChild(QCommandLinkButton, "welcomeExample_xor")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.spec.data.name == "xor"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Space)
    assert pressed == [1]


def _train_epochs(qtbot, window, epochs: int) -> None:
    window.actionTrain.trigger()
    qtbot.waitUntil(lambda: window.controller.trainer is not None
                    and window.controller.trainer.epoch >= epochs, timeout=30_000)


def _pause(qtbot, window) -> None:
    with qtbot.waitSignal(window.controller.paused, timeout=10_000):
        window.actionPause.trigger()


def test_start_over_leaves_no_view_of_the_old_run(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QComboBox, QMessageBox
    inside = window.features.inside

    window.tabs.setCurrentWidget(inside.playground)
    _train_epochs(qtbot, window, 3)
    qtbot.waitUntil(lambda: inside.playground.graph.snapshot is not None, timeout=10_000)
    inside._on_graph_selected(0, 0, 0, 0.0)  # a click on the first link
    assert inside.playground.trace.where == (0, 0, 0)
    window.tabs.setCurrentWidget(inside.flow)
    qtbot.waitUntil(lambda: inside.flow.history.count > 0, timeout=10_000)
    window.actionStop.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    assert window.statusBar().currentMessage()  # the run's end, with its test figures
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    combo = window.data_panel.findChild(QComboBox, "datasetCombo")
    combo.setCurrentIndex(combo.findData("moons"))  # "Start over?" Yes
    assert window.spec.data.name == "moons" and window.controller.trainer is None
    assert window.statusBar().currentMessage() == ""
    assert window.run_info.text().startswith("Ready")
    assert inside.flow.history.count == 0 and inside.flow.labels == ()
    assert inside.playground.trace.where is None and window.controller.watched is None
    assert inside.playground.trace.title.text().startswith("Click a link")


def test_the_status_bar_follows_stepped_batches_and_drops_an_old_sentence(qtbot, window,
                                                                          monkeypatch):
    from PySide6.QtWidgets import QInputDialog
    inside = window.features.inside

    window.tabs.setCurrentWidget(inside.playground)
    _train_epochs(qtbot, window, 2)
    _pause(qtbot, window)
    qtbot.waitUntil(lambda: inside.playground.graph.snapshot is not None, timeout=10_000)
    for _ in range(3):
        with qtbot.waitSignal(window.controller.paused, timeout=10_000):
            window.actionStepBatch.trigger()
        step = window.controller.trainer.step
        assert f"update {step:,} " in window.run_info.text()
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a, **k: (0.5, True)))
    inside._on_graph_edit_requested(0, 0, 0, 0.0)  # a double-click on the first link
    assert window.statusBar().currentMessage().startswith("Set to 0.5")
    window.actionTrain.trigger()  # resume: the counter shows again
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=10_000)
    assert window.statusBar().currentMessage() == ""
    window.actionStop.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def _questions(monkeypatch, answer) -> list:
    from PySide6.QtWidgets import QMessageBox

    asked: list = []

    def question(parent, title, text, *rest):
        asked.append(text)
        return answer
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_the_start_over_prompt_reads_as_sentences(qtbot, window, monkeypatch):
    from types import SimpleNamespace

    from PySide6.QtWidgets import QMessageBox, QPushButton

    with qtbot.waitSignal(window.controller.paused, timeout=10_000):
        window.actionStep.trigger()  # one epoch, then paused
    asked = _questions(monkeypatch, QMessageBox.StandardButton.No)
    window.layers.findChild(QPushButton, "add_dropout").click()
    fix = SimpleNamespace(fix={"train.l2": 0.001}, fix_label="add an L2 penalty")
    window.features.inside._on_health_fix_requested(fix)
    window.optimizer_panel.loss.setCurrentIndex(window.optimizer_panel.loss.findData("mse"))
    assert asked == [
        "The network has trained for 1 epoch. Adding a Dropout layer starts over with new "
        "weights. Reset and apply the change?",
        "The network has trained for 1 epoch. Applying the health fix (add an L2 penalty) "
        "starts over with new weights. Reset and apply the change?",
        "The network has trained for 1 epoch. Changing the loss starts over with new "
        "weights. Reset and apply the change?"]
    window.actionStop.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def test_a_layer_error_names_the_card_as_it_is_titled(qtbot, window):
    from playground.core.spec import LayerSpec, ModelSpec

    layers = (LayerSpec("dense", {"units": 8, "activation": "relu"}),
              LayerSpec("dense", {"units": 8, "activation": "relu"}),
              LayerSpec("dense", {"units": 8, "activation": "relu"}),
              LayerSpec("dense", {"units": 0, "activation": "relu"}),
              LayerSpec("dense", {"units": 1, "activation": "sigmoid"}))
    window.layers.set_model(ModelSpec(layers))
    (index, message), = window.layers.errors.items()
    card = window.layers._cards()[index]
    assert card.title.text().startswith("<b>4.")
    assert "model.layers" not in message and message.startswith("Layer 4"), message


def test_two_branches_from_one_point_get_their_own_names(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from playground.gui.widgets.runs.branch_dialog import BranchDialog
    from tests.gui.test_runs import _action, small, train_to_end

    window.set_spec(small(epochs=4))
    train_to_end(qtbot, window)
    parent = window.features.runs.current_run
    lrs = iter((None, None, 0.05))

    def choose(dialog):
        dialog.point.setCurrentIndex(1)  # the first checkpoint (epoch 1)
        lr = next(lrs)
        if lr is not None:
            dialog.lr.setValue(lr)
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(BranchDialog, "exec", choose)
    names = []
    for _ in range(3):
        with qtbot.waitSignal(window.controller.trainerReady, timeout=30_000):
            _action(window.features.runs.runs_table.context_menu(parent.id),
                    "actionBranchCheckpoint").trigger()
        names.append(window.features.runs.current_run.name)
    assert names == ["run 1 from epoch 1", "run 1 from epoch 1 (2)",
                     "run 1 from epoch 1, lr 0.05"]


def _session_of(qtbot, panel, spec):
    """The panel on a session model of its own (no window): its edits land and come
    back, as in the window."""
    from playground.gui.session_model import SessionModel

    session = SessionModel(spec)
    panel.edited.connect(session.edit)
    qtbot.addWidget(panel)
    return session


def test_choosing_step_decay_plans_a_few_drops_over_the_run(qtbot):
    from playground.core.examples import spiral
    from playground.core.optim import planned_lr_curve
    from playground.gui.widgets.optimizer_panel import OptimizerPanel

    panel = OptimizerPanel()
    session = _session_of(qtbot, panel, spiral())
    session.specChanged.connect(lambda spec, old: panel.set_spec(spec))
    panel.set_spec(session.spec)
    panel.schedule.setCurrentIndex(panel.schedule.findData("step"))
    spec = session.spec
    assert spec.schedule.params == {"step_size": spec.train.epochs // 4, "gamma": 0.5}
    for name in ("step", "multistep", "exponential"):
        panel.schedule.setCurrentIndex(panel.schedule.findData(name))
        _, rates = planned_lr_curve(name, dict(session.spec.schedule.params),
                                    1.0, 0, session.spec.train.epochs, 10)
        assert 1e-3 <= rates[-1] <= 0.5, (name, rates[-1])  # lower, but not nothing


def _visible_rows(panel) -> set[str]:
    form = panel._choice_form
    rows = {"samples": panel.samples, "noise": panel.noise, "classes": panel.classes,
            "inputs": panel.inputs_box}
    return {name for name, widget in rows.items() if form.isRowVisible(widget)}


def test_data_settings_that_do_not_apply_are_hidden_with_the_reason(qtbot):
    from PySide6.QtWidgets import QComboBox

    from playground.core.examples import spiral
    from playground.gui.widgets.data_panel import DataPanel

    panel = DataPanel()
    session = _session_of(qtbot, panel, spiral())
    session.specChanged.connect(lambda spec, old: panel.set_spec(spec.data))
    panel.set_spec(session.spec.data)
    combo = panel.findChild(QComboBox, "datasetCombo")
    shown = {}
    for name in ("spirals", "spiral", "sine", "diabetes"):
        combo.setCurrentIndex(combo.findData(name))
        assert session.spec.data.name == name
        shown[name] = (_visible_rows(panel), panel.note.isVisibleTo(panel), panel.note.text())
    assert shown["spirals"][:2] == ({"samples", "noise", "classes", "inputs"}, False)
    assert shown["spiral"][:2] == ({"samples", "noise", "inputs"}, True)
    assert shown["sine"][:2] == ({"samples", "noise"}, True)
    assert "one input" in shown["sine"][2]
    assert shown["diabetes"][:2] == (set(), True)
    assert "fixed table (442 rows, 10 columns)" in shown["diabetes"][2]


def test_the_metric_plot_draws_the_metric_picked_among_the_chosen(qtbot, window):
    import numpy as np

    from tests.gui.test_plots_views import redraw

    window.tabs.setCurrentWidget(window.plots)
    with qtbot.waitSignal(window.controller.paused, timeout=10_000):
        window.actionStep.trigger()
    with qtbot.waitSignal(window.controller.paused, timeout=10_000):
        window.actionStep.trigger()
    plots = window.plots
    choice = plots.metric_choice
    offered = [choice.itemData(i) for i in range(choice.count())]
    assert offered == list(window.controller.trainer.metric_names) and len(offered) > 1
    assert choice.isVisibleTo(plots)
    for name in offered:
        choice.setCurrentIndex(choice.findData(name))
        redraw(qtbot, plots)
        assert plots.titles["metric"] == choice.currentText()
        for curve, key in (("metric", name), ("val_metric", f"val_{name}")):
            _, ys = plots.curves[curve].getData()
            assert np.allclose(ys, plots.series[key].view(), equal_nan=True), (curve, key)
    window.actionStop.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def test_gradient_flow_titles_fit_their_plots_at_1280_pixels(qtbot, window):
    inside = window.features.inside
    window.resize(1280, 720)
    window.tabs.setCurrentWidget(inside.flow)
    qtbot.waitExposed(inside.flow)
    for plot in (inside.flow.ratio_plot, inside.flow.share_plot):
        title = plot.getPlotItem().titleLabel
        qtbot.waitUntil(lambda: title.boundingRect().width() > 0, timeout=5000)
        text_width = title.item.boundingRect().width()
        # A title wider than the plot is cut off, and pushes the plot out of its widget.
        assert text_width < plot.width(), (title.text, text_width, plot.width())
        assert plot.getPlotItem().width() <= plot.width() + 1, title.text


def test_the_save_dialog_opens_in_documents_or_the_last_folder_never_here(
        qtbot, window, monkeypatch, tmp_path):
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from playground.gui import settings

    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(elsewhere)
    opened = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda parent, title, start, *rest: (opened.append(Path(start).parent), ("", ""))[1]))

    def save_as_opens_in() -> Path:
        window.features.files.actionSaveAs.trigger()
        return opened[-1]
    assert save_as_opens_in() == home  # no ~/Documents on this account: home, not cwd
    (home / "Documents").mkdir()
    assert save_as_opens_in() == home / "Documents"
    settings.write(settings.LAST_FOLDER, str(tmp_path / "gone"))  # deleted since
    assert save_as_opens_in() == home / "Documents"
    settings.write(settings.LAST_FOLDER, str(elsewhere))
    assert save_as_opens_in() == elsewhere
