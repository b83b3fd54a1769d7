"""File > Quit ends the app with every window of it, asking once when work is going;
a session the OS asks the running app to open (macOS: QFileOpenEvent) opens."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QFileOpenEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from playground.core.spec import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec

TIMEOUT = 120_000


def _long_spec() -> SessionSpec:
    dense = lambda units, act="tanh": LayerSpec("dense", {"units": units, "activation": act})  # noqa: E731
    return SessionSpec(data=DataSpec("spiral", samples=120, noise=0.05),
                       model=ModelSpec((dense(8), dense(None, "linear"))),
                       optimizer=OptimizerSpec("adam", 0.01),
                       train=TrainSpec(batch_size=16, epochs=100_000, device="cpu", threads=1))


def _open_every_tool_window(window) -> list:
    for name in ("actionOptimizerLab", "actionSearch", "actionSweep"):
        window.findChild(QAction, name).trigger()
    features = window.features
    tools = [features.lab.lab_window, features.search.search_window,
             features.sweep.sweep_window]
    assert all(tool.isVisible() and tool.isWindow() for tool in tools)
    return tools


def _answering(monkeypatch, button):
    asked = []

    def question(parent, title, text, *rest):
        asked.append(text)
        return button
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_quit_mid_run_asks_once_then_closes_every_window_and_ends_the_app(
        window, qtbot, monkeypatch):
    tools = _open_every_tool_window(window)
    window.session.replace(_long_spec())
    with qtbot.waitSignal(window.controller.epochsEnded, timeout=TIMEOUT):
        window.train()
    asked = _answering(monkeypatch, QMessageBox.StandardButton.Discard)
    quits = []
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quits.append(True)))
    assert window.features.files.modified
    window.findChild(QAction, "actionQuit").trigger()
    assert asked == ["A training run is still going. Quitting stops it. Save the session "
                     "first?"]
    assert not window.isVisible() and not any(tool.isVisible() for tool in tools)
    assert not window.controller.busy and quits == [True]


def test_quit_cancelled_keeps_the_run_and_the_windows(window, qtbot, monkeypatch):
    tools = _open_every_tool_window(window)
    window.session.replace(_long_spec())
    with qtbot.waitSignal(window.controller.epochsEnded, timeout=TIMEOUT):
        window.train()
    asked = _answering(monkeypatch, QMessageBox.StandardButton.Cancel)
    window.findChild(QAction, "actionQuit").trigger()
    assert len(asked) == 1
    assert window.isVisible() and all(tool.isVisible() for tool in tools)
    assert window.controller.busy
    window.controller.shutdown()


def test_quit_names_the_finder_and_the_sweep_going_and_stops_both(window, qtbot,
                                                                   monkeypatch):
    features = window.features
    window.session.replace(_long_spec())
    window.findChild(QAction, "actionLrFinder").trigger()   # the finder starts on opening
    features.sweep.run_sweep_preset("lr")
    assert features.search.going() == "the learning-rate finder"
    assert features.sweep.going() == "a sweep"
    asked = _answering(monkeypatch, QMessageBox.StandardButton.Close)
    quits = []
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quits.append(True)))
    window.features.files.modified = False
    window.findChild(QAction, "actionQuit").trigger()
    assert asked == ["The learning-rate finder and a sweep are still going. Quitting "
                     "stops them."]
    assert not features.search.search_controller.busy
    assert not features.sweep.sweep_controller.busy
    assert not window.isVisible() and quits == [True]


def test_quit_with_nothing_going_asks_nothing(window, monkeypatch):
    tools = _open_every_tool_window(window)
    asked = _answering(monkeypatch, QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: None))
    window.features.files.modified = False
    window.findChild(QAction, "actionQuit").trigger()
    assert asked == [] and not any(w.isVisible() for w in (window, *tools))


def test_a_file_open_event_opens_the_session_in_the_window(window, qtbot, qapp):
    from playground.app import install_file_open

    source = Path(__file__).parents[1] / "data" / "session-v1.pgsession"
    install_file_open(qapp, window)
    with qtbot.waitSignal(window.controller.opened, timeout=30_000):
        QApplication.sendEvent(qapp, QFileOpenEvent(QUrl.fromLocalFile(str(source))))
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)
    assert window.features.files.path == str(source) and window.controller.trainer.epoch == 2
