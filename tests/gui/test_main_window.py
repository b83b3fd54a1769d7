"""The real window, driven through its QActions; waits on signals, never sleeps."""
import dataclasses

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton

from playground.core.examples import spiral
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, TrainSpec
from playground.gui.instance_lock import LOCK_NAME
from tests.gui.test_instance_lock import _holder


def record(window):
    seen = {"epochs": [], "paused": [], "batches": [], "finished": []}
    c = window.controller
    c.epochEnded.connect(lambda event: seen["epochs"].append(event.epoch))
    c.paused.connect(seen["paused"].append)
    c.batchStepped.connect(seen["batches"].append)
    c.finished.connect(seen["finished"].append)
    return seen


def train_then_stop(qtbot, window, seen, epochs):
    """Train until `epochs` epochs have ended, then stop and wait until idle."""
    window.train()
    qtbot.waitUntil(lambda: len(seen["epochs"]) >= epochs, timeout=30_000)
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def action(window, name) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def test_key_actions_have_stable_object_names(window):
    for name in ("actionTrain", "actionPause", "actionStep", "actionStop", "actionReset",
                 "actionOpen", "actionSave", "actionStepBatch", "actionUndo", "actionRedo"):
        assert action(window, name).toolTip()
    assert action(window, "actionTrain").shortcut().toString() == "Space"


def test_train_pause_step_resume_stop_close(qtbot, window):
    seen = record(window)
    epochs = seen["epochs"]
    action(window, "actionTrain").trigger()
    qtbot.waitUntil(lambda: len(epochs) >= 5, timeout=30_000)
    assert action(window, "actionTrain").text() == "&Pause"

    action(window, "actionPause").trigger()
    qtbot.waitUntil(lambda: len(seen["paused"]) == 1, timeout=10_000)
    at_pause = len(epochs)
    assert window.state_label.text() == "paused"

    action(window, "actionStepBatch").trigger()  # one update: no epoch may end
    qtbot.waitUntil(lambda: len(seen["paused"]) == 2, timeout=10_000)
    assert len(seen["batches"]) == 1
    # One update ends an epoch only when it was that epoch's last batch.
    ended = seen["batches"][0].batch == window.controller.trainer.steps_per_epoch
    assert len(epochs) == at_pause + ended
    at_pause = len(epochs)

    action(window, "actionStep").trigger()  # finishes the epoch: exactly one more
    qtbot.waitUntil(lambda: len(seen["paused"]) == 3, timeout=10_000)
    assert len(epochs) == at_pause + 1

    action(window, "actionTrain").trigger()  # Space resumes
    qtbot.waitUntil(lambda: len(epochs) >= at_pause + 4, timeout=30_000)
    action(window, "actionStop").trigger()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    assert seen["finished"][0].reason == "stopped"
    assert epochs == list(range(1, len(epochs) + 1))
    assert window.plots.epochs_recorded == len(epochs)
    assert window.boundary.updates > 0
    assert window.run_info.text().startswith(f"epoch {epochs[-1]:,} of 300")


def test_learning_rate_changed_during_a_run_applies_and_is_marked(qtbot, window):
    seen = record(window)
    window.train()
    qtbot.waitUntil(lambda: len(seen["epochs"]) >= 2, timeout=30_000)
    with qtbot.waitSignal(window.controller.hyperparametersChanged, timeout=10_000) as change:
        window.optimizer_panel.lr_box.setValue(0.002)
    assert dict(change.args[0].changes) == {"lr": 0.002}
    assert window.controller.trainer.base_lr == 0.002
    assert window.plots.markers and window.plots.markers[0][2] == "lr 0.002"
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def test_changing_the_network_asks_before_resetting(qtbot, window, monkeypatch):
    seen = record(window)
    train_then_stop(qtbot, window, seen, 2)
    before = window.spec.model

    monkeypatch.setattr(window.gate, "confirm_reset", lambda what: False)
    window.layers.add_layer("dropout")
    assert window.spec.model == before and window.controller.trainer is not None
    assert window.layers.model == before

    monkeypatch.setattr(window.gate, "confirm_reset", lambda what: True)
    window.layers.add_layer("dropout")
    assert window.controller.trainer is None and window.plots.epochs_recorded == 0
    assert window.spec.model.layers[2].kind == "dropout"


def test_a_diverging_run_says_what_to_try(qtbot, window, isolated_settings):
    inside = window.features.inside
    spec = dataclasses.replace(spiral(), data=DataSpec("sine", samples=200),
                               model=ModelSpec((LayerSpec("dense", {"units": 16, "activation": "relu"}),
                                                LayerSpec("dense", {"units": None}))))
    spec = dataclasses.replace(spec, optimizer=dataclasses.replace(spec.optimizer, name="sgd", lr=50.0),
                               train=TrainSpec(batch_size=10, epochs=50, device="cpu"))
    window.set_spec(spec)
    with qtbot.waitSignal(window.controller.finished, timeout=30_000) as done:
        window.train()
    assert done.args[0].reason == "diverged"
    # Said twice: in the status bar and in the health banner; no dialog, no line under
    # the curves.
    assert "try a learning rate 10x lower" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: inside.health.banner is not None, timeout=5_000)
    assert inside.health.banner.finding.check == "divergence"
    assert not isolated_settings and not window.plots.stop_message.text()


def test_save_then_open_continues_where_it_stopped(qtbot, window, tmp_path):
    from playground.gui.main_window import MainWindow

    seen = record(window)
    train_then_stop(qtbot, window, seen, 3)
    path = str(tmp_path / "run.pgsession")
    window.features.files.path = path
    with qtbot.waitSignal(window.controller.saved, timeout=10_000):
        window.features.files.save_run()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    stopped_at = window.controller.trainer.epoch
    assert "run.pgsession" in window.windowTitle()  # saved as: the title names the file

    other = MainWindow(theme_name="dark")
    qtbot.addWidget(other)
    try:
        with qtbot.waitSignal(other.controller.trainerReady, timeout=30_000):
            other.features.files.open_run(path)
        assert other.spec == window.spec and other.features.files.path == path
        assert not other.features.files.modified
        qtbot.waitUntil(lambda: other.controller.state == "idle", timeout=10_000)
        assert other.controller.trainer.epoch == stopped_at
        assert other.plots.epochs_recorded == stopped_at  # the history is back on the plots
        first = []
        other.controller.epochEnded.connect(lambda event: first.append(event.epoch))
        other.train()
        qtbot.waitUntil(lambda: len(first) >= 1, timeout=30_000)
        assert first[0] == stopped_at + 1
    finally:
        other.close()
        assert other.controller.shutdown()


def test_opening_a_damaged_file_says_so_and_keeps_the_session(qtbot, window, tmp_path,
                                                              isolated_settings):
    path = tmp_path / "broken.pgsession"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    before = window.spec
    with qtbot.waitSignal(window.controller.failed, timeout=20_000):
        window.features.files.open_run(str(path))
    assert window.spec == before
    assert isolated_settings[-1][0] == "The file cannot be opened"
    assert "is damaged (truncated or corrupted)" in isolated_settings[-1][1]


def test_an_interim_run_file_opens(qtbot, window):
    from pathlib import Path

    path = str(Path(__file__).parents[1] / "data" / "run-interim.pgrun")
    with qtbot.waitSignal(window.controller.trainerReady, timeout=30_000):
        window.features.files.open_run(path)
    assert window.controller.trainer.epoch == 1 and window.plots.epochs_recorded == 1


def test_dropping_a_session_opens_it_and_recent_files_remember_it(qtbot, window, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from pathlib import Path
    source = Path(__file__).parents[1] / "data" / "session-v1.pgsession"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()  # a session file may be dropped on the window
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.controller.opened, timeout=30_000):
        QApplication.sendEvent(window, event)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    assert window.controller.trainer.epoch == 2
    assert [a.toolTip() for a in window.features.files.recent_menu.actions()] == [str(source)]


def test_cuda_choice_is_disabled_with_the_reason_when_absent(window):
    import torch

    item = window.device.model().item(1)
    if torch.cuda.is_available():
        assert item.isEnabled()
    else:
        assert not item.isEnabled() and item.toolTip().startswith("CUDA is not available")
        assert window.device_label.text() == "CPU"


def test_window_and_dock_layout_are_restored(qtbot, window):
    from playground.gui import settings
    from playground.gui.main_window import MainWindow

    window.optimizer_dock.hide()
    window.close()
    assert settings.read(settings.WINDOW_GEOMETRY) and settings.read(settings.WINDOW_STATE)
    again = MainWindow(theme_name="light")
    qtbot.addWidget(again)
    again.show()
    assert again.optimizer_dock.isHidden() and not again.data_dock.isHidden()
    again.close()


def test_switching_data_set_keeps_the_users_network_and_optimizer(qtbot, window):
    window.optimizer_panel.optimizer.setCurrentIndex(
        window.optimizer_panel.optimizer.findData("rmsprop"))
    hidden = window.spec.model.layers[:-1]
    window.data_panel.dataset.setCurrentIndex(window.data_panel.dataset.findData("digits"))
    spec = window.spec
    assert spec.data.name == "digits" and spec.optimizer.name == "rmsprop"
    assert spec.model.layers[:-1] == hidden  # the hidden layers came along
    assert spec.model.layers[-1].params["units"] is None  # the output adapts to 10 classes
    assert spec.model.layers[-1].params["activation"] == "softmax"
    assert "parameters" in window.layers.summary.text() and not window.layers.errors
    suggest = window.findChild(QPushButton, "useSuggestedNetwork")
    suggest.click()
    assert window.spec.model.layers[0].params["units"] == 64
    assert window.spec.optimizer.name == "rmsprop"
    window.actionUndo.trigger()  # the user's layers again
    assert window.spec.model.layers[:-1] == hidden


def test_layers_that_cannot_fit_new_data_fall_back_to_its_suggested_network(qtbot, window):
    window.features.files.load_example("digits_cnn")
    window.data_panel.dataset.setCurrentIndex(window.data_panel.dataset.findData("moons"))
    assert window.spec.data.name == "moons"
    assert [layer.kind for layer in window.spec.model.layers] == ["dense"] * 3
    assert "do not fit moons" in window.message.text() and window.message.isVisible()
    window.actionUndo.trigger()
    assert window.spec.data.name == "digits" and window.spec.model.layers[0].kind == "conv2d"


def test_pause_and_stop_autosave_and_only_a_crash_offers_the_newest(qtbot, window, tmp_path,
                                                               monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from playground.core.autosave import checkpoints
    from playground.gui.main_window import MainWindow

    folder = window.controller.autosaver.folder
    seen = record(window)
    window.train()
    qtbot.waitUntil(lambda: len(seen["epochs"]) >= 3, timeout=30_000)
    window.controller.pause()
    qtbot.waitUntil(lambda: len(seen["paused"]) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: len(checkpoints(folder)) >= 1, timeout=10_000)
    window.controller.stop()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    assert len(checkpoints(folder)) >= 2
    epoch = window.controller.trainer.epoch

    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    second = MainWindow(theme_name="light")  # beside a live first window: no crash
    qtbot.addWidget(second)
    assert not second.features.files.offer_recovery()
    second.close()
    assert (folder / LOCK_NAME).exists()  # the second window left the first one's lock

    window.features.files.instance_lock.release()  # the first window dies: a lock is left
    dying = _holder(folder, "die")
    assert dying.wait(timeout=30) == 0
    again = MainWindow(theme_name="light")
    qtbot.addWidget(again)
    try:
        with qtbot.waitSignal(again.controller.trainerReady, timeout=30_000):
            assert again.features.files.offer_recovery()
        assert again.controller.trainer.epoch == epoch
    finally:
        again.features.files.modified = False
        again.close()
        again.controller.shutdown()


def test_runs_files_and_welcome_are_feature_objects_not_window_attributes(window):
    from PySide6.QtCore import QObject

    from playground.gui.files_feature import FilesFeature
    from playground.gui.runs_feature import RunsFeature
    from playground.gui.welcome_feature import WelcomeFeature

    features = window.features
    for name, kind in (("runs", RunsFeature), ("files", FilesFeature),
                       ("welcome", WelcomeFeature)):
        feature = getattr(features, name)
        assert isinstance(feature, kind) and isinstance(feature, QObject)
        assert feature.parent() is window
    # what the mixins used to leave on the window lives in its feature only
    for gone in ("runs", "current_run", "runs_table", "refresh_runs", "branch", "path",
                 "modified", "open_run", "save_run", "maybe_save", "recent_menu",
                 "instance_lock", "welcome", "offer_welcome", "actionWelcome"):
        assert not hasattr(window, gone), gone
    assert window.findChild(QObject, "runsDock") is features.runs.runs_dock
    assert window.findChild(QObject, "recentMenu") is features.files.recent_menu
    # the title follows the files feature's path and modified flag
    features.files.mark_modified()
    assert window.isWindowModified() and window.windowTitle().endswith("spiral[*]")
    features.files.modified = False
    assert not window.isWindowModified()


def test_the_boundary_is_computed_only_while_a_view_of_it_is_shown(window):
    tabs, inside = window.tabs, window.features.inside
    assert tabs.currentWidget() is inside.playground and window.controller.boundary_wanted
    tabs.setCurrentWidget(window.plots)
    assert not window.controller.boundary_wanted
    tabs.setCurrentWidget(window.boundary)
    assert window.controller.boundary_wanted
    tabs.setCurrentWidget(inside.flow)
    assert not window.controller.boundary_wanted and window.controller.inspect_wanted


def test_an_open_sweep_window_follows_a_change_of_theme(window):
    sweep = window.features.sweep.show_sweep()
    window.set_theme("dark")
    dark = window.theme.plot_background
    assert sweep.curves.plot.backgroundBrush().color().name() == dark.lower()
    window.set_theme("light")
    assert sweep.curves.plot.backgroundBrush().color().name() == \
        window.theme.plot_background.lower()
