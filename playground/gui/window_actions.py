"""The main window's own actions, the skeleton of its menus, and the Run toolbar.

The window's own actions are those that belong to no feature: Train (Pause, Resume),
Step epoch, Step batch, Stop, Reset weights, Undo, Redo, Preferences and Quit, with their
stable objectNames (actionTrain, ...). The menus are made here in their order (File,
Edit, Run, View, Help); the features add their entries to them. Each function sets the
actions on the window, where the window's own code, the tests and the smoke tour find
them.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar

from ..core.device import cuda_status
from . import settings


def make_action(window, name: str, text: str, slot, shortcut=None, icon: str | None = None,
                tip: str = "") -> QAction:
    """A window-wide action; `icon` names the resource icon drawn in the theme's colour."""
    action = QAction(text, window, objectName=name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon:
        action.setData(icon)
    action.setToolTip(tip or text)
    action.setStatusTip(tip or text)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def build_actions(window) -> None:
    """The run's commands, undo and redo (following the session's undo stack),
    Preferences and Quit; then the menus that hold them."""
    def a(*args):
        return make_action(window, *args)

    w, session = window, window.session
    w.actionTrain = a("actionTrain", "&Train", w.train, Qt.Key.Key_Space, "train",
                      "Train (Space toggles pause and resume)")
    w.actionPause = a("actionPause", "&Pause", w.controller.pause, None, "pause",
                      "Pause after the current update")
    w.actionStep = a("actionStep", "Step &epoch", w.step_epoch, "Ctrl+E", "step",
                     "Run one epoch, then pause")
    w.actionStepBatch = a("actionStepBatch", "Step &batch", w.step_batch, "Ctrl+B",
                          "step-batch", "Make one update (one batch), then pause")
    w.actionStop = a("actionStop", "&Stop", w.controller.stop, "Ctrl+.", "stop",
                     "Stop the run (Train continues it later)")
    w.actionReset = a("actionReset", "&Reset weights", w.reset_weights, "Ctrl+R",
                      "reset", "Start over with freshly initialised weights")
    w.actionQuit = a("actionQuit", "&Quit", w.quit_app, QKeySequence.StandardKey.Quit)
    w.actionPreferences = a("actionPreferences", "&Preferences\u2026", w.show_preferences,
                            QKeySequence.StandardKey.Preferences, None,
                            "Training threads, theme and autosave")
    w.actionPreferences.setShortcuts([QKeySequence("Ctrl+,")])
    w.actionUndo = a("actionUndo", "&Undo", session.undo, "Ctrl+Z", None,
                     "Undo the last edit of the data, the network or the optimizer, "
                     "or a deleted run")
    w.actionRedo = a("actionRedo", "&Redo", session.redo, "Ctrl+Shift+Z", None,
                     "Redo the edit just undone")
    w.actionRedo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    _follow_undo_stack(w.actionUndo, w.actionRedo, session.undo_stack)
    build_menus(w)


def _follow_undo_stack(undo: QAction, redo: QAction, stack) -> None:
    """Undo and Redo say what they undo and redo, and are enabled only when they can."""
    stack.canUndoChanged.connect(undo.setEnabled)
    stack.canRedoChanged.connect(redo.setEnabled)
    stack.undoTextChanged.connect(lambda text: undo.setText(
        f"&Undo {text}" if text else "&Undo"))
    stack.redoTextChanged.connect(lambda text: redo.setText(
        f"&Redo {text}" if text else "&Redo"))
    undo.setEnabled(False)
    redo.setEnabled(False)


def build_menus(w) -> None:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")  # the files feature puts its entries first
    file_menu.addSeparator()
    file_menu.addAction(w.actionQuit)
    edit = bar.addMenu("&Edit")
    edit.addAction(w.actionUndo)
    edit.addAction(w.actionRedo)
    edit.addSeparator()
    edit.addAction(w.actionPreferences)
    run = bar.addMenu("&Run")
    for action in (w.actionTrain, w.actionPause, w.actionStep,
                   w.actionStepBatch, w.actionStop, w.actionReset):
        run.addAction(action)
    view = bar.addMenu("&View")
    for dock in (w.data_dock, w.layers_dock, w.optimizer_dock):
        view.addAction(dock.toggleViewAction())
    w.actionResetLayout = view.addAction("Reset &layout", w.reset_layout)
    w.actionResetLayout.setObjectName("actionResetLayout")
    w.actionResetLayout.setToolTip("Put the panels back where they started.")
    view.addSeparator()
    themes = QActionGroup(w)
    w.theme_actions = {}
    for name in settings.THEMES:
        action = view.addAction(f"{name.capitalize()} theme",
                                lambda checked=False, n=name: w.set_theme(n))
        action.setCheckable(True)
        action.setChecked(name == settings.read(settings.THEME))
        themes.addAction(action)
        w.theme_actions[name] = action
    help_menu = bar.addMenu("&Help")
    help_menu.addAction("&About", w.about)


def build_toolbar(w, file_actions: tuple[QAction, ...]) -> None:
    """The Run toolbar: the run's commands, `file_actions` (Open, Save) and the device."""
    toolbar = QToolBar("Run", w, objectName="runToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    # Train doubles as Pause/Resume (Space), so Pause stays in the Run menu only.
    for action in (w.actionTrain, w.actionStep, w.actionStepBatch,
                   w.actionStop, w.actionReset):
        toolbar.addAction(action)
    toolbar.addSeparator()
    for action in file_actions:
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addWidget(QLabel(" device "))
    w.device = _device_combo()
    w.device.currentIndexChanged.connect(w.on_device_chosen)
    toolbar.addWidget(w.device)
    w.addToolBar(toolbar)
    w.toolbar = toolbar


def _device_combo() -> QComboBox:
    """CPU, and CUDA where a usable GPU is found (otherwise greyed, with the reason)."""
    device = QComboBox(objectName="deviceCombo")
    device.addItem("CPU", "cpu")
    device.addItem("CUDA", "cuda")
    usable, reason = cuda_status()
    cuda_item = device.model().item(1)
    cuda_item.setEnabled(usable)
    cuda_item.setToolTip(reason)
    device.setToolTip(reason if not usable else f"Train on the CPU or on {reason}.")
    return device
