"""The Lessons pane through the real window: F1 opens it, Apply setup edits the session
(undoable), Train, Check my run reads the run; a setup that does not show the effect is
told why; every lesson's watch targets exist; progress is remembered."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QPushButton, QTabWidget, QWidget

from playground.gui import settings


def _button(window, name) -> QPushButton:
    found = window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def _train_to_the_end(qtbot, window):
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.train()
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=10_000)


def test_a_lesson_walked_through_the_window(qtbot, window):
    help_action = window.findChild(QAction, "actionLessons")
    assert help_action.shortcut().toString() == "F1"
    help_action.trigger()
    pane = window.features.lessons.pane
    assert window.findChild(QDockWidget, "lessonsDock").isVisible()
    pane.select("lr-too-high")
    assert "too high" in pane.text.toPlainText()

    qtbot.mouseClick(_button(window, "lessonSetup"), Qt.MouseButton.LeftButton)
    assert window.session.spec.optimizer.name == "sgd"
    assert window.session.spec.optimizer.lr == 30.0
    window.session.undo()
    assert window.session.spec.optimizer.lr != 30.0   # the setup is one undoable edit
    window.session.redo()
    assert window.spec.optimizer.lr == 30.0             # the spec that trains

    qtbot.mouseClick(_button(window, "lessonCheck"), Qt.MouseButton.LeftButton)
    assert "no trained run" in pane.verdict.text()

    window.session.edit({"train.epochs": 8}, "epochs")
    _train_to_the_end(qtbot, window)
    qtbot.mouseClick(_button(window, "lessonCheck"), Qt.MouseButton.LeftButton)
    assert "Your run shows it" in pane.verdict.text()
    assert "lr-too-high" in settings.read(settings.LESSONS_PASSED).split("\n")
    assert pane.list.currentItem().text().startswith("\u2713")

    # Not shown: a sensible rate, and the check says why and what to try.
    window.session.edit({"optimizer.lr": 0.1}, "lr")
    window.reset_weights()
    _train_to_the_end(qtbot, window)
    qtbot.mouseClick(_button(window, "lessonCheck"), Qt.MouseButton.LeftButton)
    text = pane.verdict.text()
    assert "Not shown yet" in text and "not too high" in text and "Raise" in text


def test_every_lesson_points_at_controls_that_exist(qtbot, window):
    pane = window.features.lessons.show()
    tabs = window.findChild(QTabWidget, "centralTabs")
    titles = {tabs.tabText(i).replace("&", "") for i in range(tabs.count())}
    for lesson in window.features.lessons.lessons.values():
        for item in lesson.watch:
            kind, _, target = item.partition(":")
            if kind in ("control", "plot"):
                assert window.findChild(QWidget, target) is not None, (lesson.name, target)
            elif kind == "tab":
                assert target in titles, (lesson.name, target)
    pane.select("momentum")
    qtbot.mouseClick(_button(window, "lessonWatch"), Qt.MouseButton.LeftButton)
    combo = window.findChild(QWidget, "optimizerCombo")
    assert "f0a500" in combo.styleSheet()


def _to_the_end(tab):
    while tab.descent.reason is None:
        tab.advance(1000)


def test_the_one_dimension_lesson_sets_up_the_lab_and_reads_it(qtbot, window):
    lessons = window.features.lessons
    pane = lessons.show("descent-1d")
    qtbot.mouseClick(_button(window, "lessonSetup"), Qt.MouseButton.LeftButton)
    tab = window.features.lab.lab_window.descent
    assert tab.lr.value() == 0.9
    _to_the_end(tab)
    qtbot.mouseClick(_button(window, "lessonCheck"), Qt.MouseButton.LeftButton)
    assert "Your run shows it" in pane.verdict.text()
    tab.show_regime(0.1)
    _to_the_end(tab)
    qtbot.mouseClick(_button(window, "lessonCheck"), Qt.MouseButton.LeftButton)
    assert "one side" in pane.verdict.text()
    window.features.lab.lab_window.close()


def test_the_welcome_view_opens_the_lessons(qtbot, window):
    window.features.welcome.show_welcome()
    qtbot.mouseClick(window.features.welcome.welcome_view.findChild(QPushButton, "welcomeLessons"),
                     Qt.MouseButton.LeftButton)
    assert window.findChild(QDockWidget, "lessonsDock").isVisible()
    welcome = window.features.welcome.welcome
    assert welcome is None or not welcome.isVisible()


def test_an_opened_session_drops_the_last_runs_health_findings(qtbot, window, tmp_path):
    from playground.core.health.finding import Finding
    from tests.gui.helpers import save_and_reopen

    lessons = window.features.lessons
    window.session.edit({"train.epochs": 2}, "epochs")
    _train_to_the_end(qtbot, window)
    finding = Finding("stalled", 2, "The loss stopped falling.", "The steps are too small.")
    window.controller.healthFound.emit(finding)  # as the training thread reports one
    assert lessons.findings == [finding]
    window.controller.trainerReady.emit(window.controller.trainer)  # the same run again
    assert lessons.findings == [finding]
    save_and_reopen(qtbot, window, str(tmp_path / "run.pgsession"), 30_000)
    assert window.controller.trainer.epoch == 2  # a trained run, not a new one
    assert lessons.findings == []  # the findings were the last session's run's
