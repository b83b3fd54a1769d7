"""The window trains what it shows: each defect a new user found, edited through the real
widgets, checked against the spec that trains. Waits on signals, never sleeps."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QPushButton

from playground.core.optim import OPTIMIZERS


def choose(combo, data):
    combo.setCurrentIndex(combo.findData(data))


def type_into(widget, text):
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def train_until(qtbot, window, epochs):
    seen = []
    window.controller.epochEnded.connect(lambda event: seen.append(event.epoch))
    window.train()
    qtbot.waitUntil(lambda: len(seen) >= epochs, timeout=30_000)
    return seen


def stop(qtbot, window):
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def answer(monkeypatch, button):
    asked = []

    def question(parent, title, text, *rest):
        asked.append(title)
        return button

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_an_lr_change_keeps_every_other_panels_edits(qtbot, window):
    window.layers.findChild(QPushButton, "add_dropout").click()
    window.data_panel.noise.setValue(30)
    type_into(window.optimizer_panel.lr_box, "0.05")
    spec = window.spec
    assert "dropout" in [layer.kind for layer in spec.model.layers]
    assert spec.data.noise == 0.3 and spec.optimizer.lr == 0.05
    with qtbot.waitSignal(window.controller.trainerReady, timeout=30_000):
        window.train()
    assert window.controller.trainer.spec == window.spec  # what trains is what is shown
    stop(qtbot, window)


def test_choosing_sine_then_gradient_descent_trains_sine(qtbot, window):
    choose(window.data_panel.dataset, "sine")
    choose(window.optimizer_panel.optimizer, "sgd")
    assert window.spec.data.name == "sine" and window.spec.optimizer.name == "sgd"
    with qtbot.waitSignal(window.controller.trainerReady, timeout=30_000):
        window.train()
    assert window.controller.trainer.spec.data.name == "sine"
    stop(qtbot, window)


def test_multi_step_decay_keeps_the_panel_working(qtbot, window):
    panel = window.optimizer_panel
    choose(panel.schedule, "multistep")
    assert window.spec.schedule.name == "multistep"
    milestones = panel.schedule_params.editor("milestones")
    type_into(milestones, "20, 40 80")
    assert window.spec.schedule.params["milestones"] == (20.0, 40.0, 80.0)
    assert milestones.text() == "20, 40, 80"
    type_into(panel.lr_box, "0.02")  # the panel's other widgets still edit
    assert window.spec.optimizer.lr == 0.02
    type_into(milestones, "20, soon")  # a bad list: a sentence, and nothing changes
    assert window.spec.schedule.params["milestones"] == (20.0, 40.0, 80.0)
    assert "milestones" in window.message.text() and milestones.text() == "20, 40, 80"


def test_typing_into_a_layer_card_is_one_edit_and_keeps_the_card(qtbot, window):
    card = window.layers.cards.itemWidget(window.layers.cards.item(0))
    card.set_expanded(True)
    units = card.form.editor("units")
    type_into(units, "48")
    assert window.spec.model.layers[0].params["units"] == 48
    assert window.layers.cards.itemWidget(window.layers.cards.item(0)) is card  # in place
    assert window.session.undo_stack.count() == 1


def test_typing_samples_after_training_asks_once_and_no_leaves_no_trace(qtbot, window,
                                                                        monkeypatch):
    train_until(qtbot, window, 2)
    stop(qtbot, window)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    before = window.spec
    type_into(window.data_panel.samples, "1000")
    assert asked == ["Start over?"]
    assert window.spec == before and window.data_panel.samples.value() == before.data.samples
    assert window.session.undo_stack.count() == 0  # a refused edit is not undoable
    assert window.controller.trainer is not None  # the run is kept


def test_yes_starts_over_and_the_status_bar_forgets_the_old_run(qtbot, window, monkeypatch):
    train_until(qtbot, window, 3)
    stop(qtbot, window)
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window.data_panel.noise.setValue(20)
    assert window.spec.data.noise == 0.2 and window.controller.trainer is None
    assert window.run_info.text().startswith("Ready") and window.progress.value() == 0
    assert window.session.undo_stack.count() == 1


def test_changing_epochs_while_paused_replans_the_run(qtbot, window):
    seen = train_until(qtbot, window, 3)
    window.controller.pause()
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=10_000)
    target = window.controller.trainer.epoch + 2
    type_into(window.optimizer_panel.epochs, str(target))
    assert window.spec.train.epochs == target
    with qtbot.waitSignal(window.controller.finished, timeout=30_000) as finished:
        window.train()  # resume
    assert finished.args[0].epoch == target and finished.args[0].reason == "completed"
    assert window.controller.trainer.spec.train.epochs == target
    assert window.controller.trainer.schedule.total_steps == \
        target * window.controller.trainer.steps_per_epoch
    assert f"of {target}" in window.run_info.text() and seen[-1] == target


def test_more_epochs_after_a_finished_run_continue_it(qtbot, window):
    type_into(window.optimizer_panel.epochs, "2")
    with qtbot.waitSignal(window.controller.finished, timeout=30_000):
        window.train()
    type_into(window.optimizer_panel.epochs, "4")
    assert window.controller.trainer.spec.train.epochs == 4
    with qtbot.waitSignal(window.controller.finished, timeout=30_000) as finished:
        window.train()
    assert finished.args[0].epoch == 4


def test_leaving_lbfgs_restores_the_batch_mode(qtbot, window):
    before = window.spec.train.batch_size
    assert before == 10
    choose(window.optimizer_panel.optimizer, "lbfgs")
    assert window.spec.train.batch_size is None
    assert window.optimizer_panel.batch_mode.checkedId() == 0
    choose(window.optimizer_panel.optimizer, "adam")
    assert window.spec.train.batch_size == before
    assert window.optimizer_panel.batch_mode.checkedId() == 1
    assert window.optimizer_panel.batch_size.value() == before


def test_an_lr_slider_drag_is_one_live_change(qtbot, window):
    train_until(qtbot, window, 2)
    window.controller.pause()
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=10_000)
    changes = []
    window.controller.hyperparametersChanged.connect(changes.append)
    slider = window.optimizer_panel.lr_slider
    slider.setSliderDown(True)
    for step in range(1, 11):
        slider.setValue(slider.value() + 5)
    assert window.spec.optimizer.lr == 0.01  # nothing sent while dragging
    with qtbot.waitSignal(window.controller.hyperparametersChanged, timeout=10_000):
        slider.setSliderDown(False)  # let go
    assert len(changes) == 1 and window.session.undo_stack.count() == 1
    assert window.spec.optimizer.lr == window.controller.trainer.spec.optimizer.lr != 0.01
    stop(qtbot, window)


def test_undo_and_redo_cover_every_panel(qtbot, window):
    original = window.spec
    window.data_panel.noise.setValue(25)
    window.layers.findChild(QPushButton, "add_dropout").click()
    choose(window.optimizer_panel.optimizer, "rmsprop")
    window.optimizer_panel.early.setChecked(True)
    assert window.session.undo_stack.count() == 4
    for _ in range(4):
        window.actionUndo.trigger()
    assert window.spec == original
    assert window.data_panel.noise.value() == round(original.data.noise * 100)
    assert window.optimizer_panel.optimizer.currentData() == original.optimizer.name
    for _ in range(4):
        window.actionRedo.trigger()
    assert window.spec.optimizer.name == "rmsprop" and window.spec.data.noise == 0.25
    assert window.spec.train.early_stopping.enabled
    assert window.optimizer_panel.early.isChecked()


def test_the_window_marks_unsaved_changes(qtbot, window):
    assert not window.isWindowModified() and window.windowTitle().endswith("[*]")
    window.data_panel.noise.setValue(12)
    assert window.isWindowModified() and window.features.files.modified


def test_metrics_convergence_and_file_options_edit_the_spec(qtbot, window, tmp_path):
    panel = window.optimizer_panel
    assert set(panel.metric_checks) == {"accuracy", "precision", "recall", "f1"}
    panel.metric_checks["f1"].setChecked(False)
    assert window.spec.train.metrics == ("accuracy", "precision", "recall")
    panel.converge.setChecked(True)
    type_into(panel.tolerance, "0.001")
    assert window.spec.train.convergence_tol == 0.001
    data = tmp_path / "table.csv"
    data.write_text("a,b,y\n" + "".join(f"{i},{i % 7},{i % 3}\n" for i in range(60)))
    window.data_panel.load_file(str(data))
    assert window.spec.data.name == "file"
    choose(window.data_panel.task, "regression")
    window.data_panel.drop_missing.setChecked(True)
    assert window.spec.data.task == "regression" and window.spec.data.missing == "drop"
    assert set(panel.metric_checks) == {"mae", "mse", "r2"}
    assert window.spec.train.metrics == ()  # the task changed: its own metrics


def test_every_optimizer_can_be_chosen_and_trains_what_is_shown(qtbot, window):
    for name in OPTIMIZERS:
        choose(window.optimizer_panel.optimizer, name)
        assert window.spec.optimizer.name == name
        assert window.optimizer_panel.optimizer.currentData() == name


def test_validate_every_is_a_live_change(qtbot, window):
    train_until(qtbot, window, 2)
    stop(qtbot, window)
    type_into(window.optimizer_panel.findChild(type(window.optimizer_panel.epochs),
                                               "validateEvery"), "5")
    assert window.spec.train.validate_every == 5
    assert window.controller.trainer.spec.train.validate_every == 5  # no start-over


def test_preferences_reach_the_spec_that_trains(qtbot, window, monkeypatch):
    from playground.gui import settings
    from playground.gui.widgets.preferences_dialog import PreferencesDialog

    def accept_with_two_threads(dialog):
        dialog.threads.setValue(2)
        dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
        dialog.accept()

    monkeypatch.setattr(PreferencesDialog, "exec", accept_with_two_threads)
    train_until(qtbot, window, 1)
    stop(qtbot, window)
    window.actionPreferences.trigger()
    assert settings.read(settings.THREADS) == 2 and window.theme.name == "dark"
    assert window.spec.train.threads == 2
    assert window.controller.trainer.spec.train.threads == 2  # live: no start-over
    assert window.controller.trainer.threads == 2
    window.features.files.load_example("xor")  # a new session takes the preferred threads too
    assert window.spec.train.threads == 2
