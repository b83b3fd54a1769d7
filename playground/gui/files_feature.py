"""FilesFeature: the session's files: File > New, Open, Save, Save As, Open Recent and
Examples, sessions dropped on the window, Run > Autosave, and the offer to restore the
newest autosave after a crash.

It owns the session's path (`path`: where Save writes; None until saved or opened)
and its modified flag (`modified`: unsaved changes), and so the window's title, which
shows both (the file's name, or the data set's; [*] while modified). Other features
mark the session modified through a `mark_modified` callable the window gives them.
Reads: the session's spec and its changes, the epochs (through `follow_epochs`), the
controller's opened and saved signals, whether there is a trainer or a run worth
saving (`has_runs`). Changes: the session spec (a new, opened or example session
replaces it), the plots' view (an opened session's zoom and toggles), the controller's
autosaver and its interval, the window's title, the recent files, autosave and
last-folder settings; when the window closes, it stops the training run (so that
nothing is written after) and releases the instance lock; through callables the window gives: the window's
reset of the weights, the runs cleared for a new session (`clear_runs`), and the run
view made ready for an opened session's history (`start_replay`).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ..core.examples import EXAMPLES
from ..core.spec import SessionSpec
from . import settings
from .controller import AUTOSAVE_MIN_SECONDS
from .features import FeatureContext
from .instance_lock import InstanceLock

SESSION_FILES = ("Gradient Playground sessions (*.pgsession);;Earlier run files (*.pgrun);;"
                 "All files (*)")
OPENABLE = (".pgsession", ".pgrun")


def new_spec(example: str) -> SessionSpec:
    """A ready example, trained with the preferred number of threads (an opened
    session keeps the threads it was saved with: they decide its exact floats)."""
    spec = EXAMPLES[example]()
    threads = settings.read(settings.THREADS)
    return dataclasses.replace(spec, train=dataclasses.replace(spec.train, threads=threads))


class FilesFeature(QObject):
    def __init__(self, context: FeatureContext, *, reset_weights: Callable[[], None],
                 clear_runs: Callable[[], None], has_runs: Callable[[], bool],
                 start_replay: Callable[[], None],
                 follow_epochs: Callable[[Callable[[list], None]], None]) -> None:
        """`reset_weights`: the window's Reset; `clear_runs`: drop every run (a new
        session); `has_runs`: whether there are runs to lose; `start_replay`: the
        window's run view starts afresh and draws the history of the trainer that comes
        next (an opened session's); `follow_epochs(consumer)`: `consumer(events)` after
        each batch of epochs."""
        super().__init__(context.window)
        self.context = context
        self.window, self.session, self.controller = (context.window, context.session,
                                                      context.controller)
        self.plots = context.views.plots
        self.reset_weights, self.clear_runs, self.has_runs = reset_weights, clear_runs, has_runs
        self.start_replay = start_replay
        self.path: str | None = None
        self.opening: str | None = None   # the file being opened, until it opens or fails
        self._modified = False
        self._build_actions()
        self._setup_autosave()
        self.window.setAcceptDrops(True)
        self.window.installEventFilter(self)  # the window's drag and drop events
        self.session.specChanged.connect(self._on_session_spec_changed)
        self.controller.saved.connect(self._on_controller_saved)
        self.controller.opened.connect(self._on_controller_opened)
        follow_epochs(self._on_epochs_ended)
        context.ask_before_closing(self.maybe_save)
        context.events.closing.connect(self._on_window_closing)
        self._update_title()

    # ----------------------------------------------------------- the menus
    def _action(self, name: str, text: str, slot, shortcut, icon: str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self.window, objectName=name)
        action.setShortcut(QKeySequence(shortcut))
        if icon:
            action.setData(icon)  # the window gives it the theme's icon
        action.setToolTip(tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda checked=False: slot())
        return action

    def _build_actions(self) -> None:
        a, keys = self._action, QKeySequence.StandardKey
        self.actionNew = a("actionNew", "&New", self.new_session, keys.New, "new",
                           "A new experiment from the spiral example")
        self.actionOpen = a("actionOpen", "&Open\u2026", self.open_run, keys.Open, "open",
                            "Open a saved run")
        self.actionSave = a("actionSave", "&Save", self.save_run, keys.Save, "save",
                            "Save the run")
        self.actionSaveAs = a("actionSaveAs", "Save &as\u2026", self.save_run_as, keys.SaveAs)
        file_menu = self.context.menu("&File")
        first = file_menu.actions()[0] if file_menu.actions() else None  # Quit's separator
        for action in (self.actionNew, self.actionOpen, self.actionSave, self.actionSaveAs):
            self.context.add_action("&File", action, before=first)
        self.recent_menu = QMenu("Open &Recent", self.window, objectName="recentMenu")
        file_menu.insertMenu(first, self.recent_menu)
        self._rebuild_recent_menu()
        examples = QMenu("Examples", self.window)
        for name in EXAMPLES:
            examples.addAction(name.replace("_", " "),
                               lambda checked=False, n=name: self.load_example(n))
        file_menu.insertMenu(first, examples)
        self._build_autosave_menu()

    def _build_autosave_menu(self) -> None:
        run = self.context.menu("&Run")
        run.addSeparator()
        autosave = run.addMenu("Autosave")
        autosave.setToolTip("Checkpoints of the run go to your data folder on every pause "
                            "and stop, and every so many epochs (at most one every "
                            f"{AUTOSAVE_MIN_SECONDS:.0f} seconds, so a fast run is not "
                            "slowed by saving); the last few are kept.")
        choices = QActionGroup(self.window)
        self.autosave_actions: dict[int, QAction] = {}
        for every in settings.AUTOSAVE_CHOICES:
            text = "On pause and stop only" if every == 0 else f"Every {every} epochs too"
            action = autosave.addAction(text, lambda checked=False, n=every:
                                        self.set_autosave_every(n))
            action.setCheckable(True)
            action.setChecked(every == settings.read(settings.AUTOSAVE_EVERY))
            action.setObjectName(f"autosave{every}")
            choices.addAction(action)
            self.autosave_actions[every] = action

    # ------------------------------------------------------ path, modified
    @property
    def modified(self) -> bool:
        return self._modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = value
        self.window.setWindowModified(value)

    def mark_modified(self) -> None:
        self.modified = True

    def forget_changes(self) -> None:
        """The user has answered for the unsaved changes (File > Quit's question):
        closing does not ask about them again."""
        self.modified = False

    def has_unsaved_work(self) -> bool:
        """Unsaved changes worth a question: a trained network or runs to lose."""
        return self.modified and (self.controller.trainer is not None or self.has_runs())

    def _update_title(self) -> None:
        name = Path(self.path).name if self.path else self.session.spec.data.name
        self.window.setWindowTitle(f"Gradient Playground \u2014 {name}[*]")

    @Slot(object, object)
    def _on_session_spec_changed(self, spec: SessionSpec, old: SessionSpec | None) -> None:
        if old is not None and old is not spec:  # an edit, not a new session shown
            self.modified = True
        self._update_title()

    def _on_epochs_ended(self, events: list) -> None:
        if not self._modified:
            self.modified = True

    # ---------------------------------------------------------------- files
    def new_session(self) -> None:
        if self.maybe_save():
            self._load_spec(new_spec("spiral"), None)

    def load_example(self, name: str) -> None:
        if self.maybe_save():
            self._load_spec(new_spec(name), None)

    def load_spec(self, spec: SessionSpec) -> bool:
        """Start a new, unsaved session from `spec` (after asking to save this one)."""
        if not self.maybe_save():
            return False
        self._load_spec(spec, None)
        return True

    def _load_spec(self, spec: SessionSpec, path: str | None) -> None:
        self.reset_weights()
        self.clear_runs()  # a new session starts without runs
        self.path = path
        self.session.replace(spec)
        self.modified = False
        self._update_title()

    def open_run(self, path: str | None = None) -> None:
        """Open a session; the current one stays as it is unless the file opens."""
        if not self.maybe_save():
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Open a session",
                                                  settings.start_folder(), SESSION_FILES)
        if not path:
            return
        self.opening = path
        self.context.say(f"Opening {path}\u2026", 0)
        self.controller.open(path)

    def opening_failed(self, message: str) -> bool:
        """The controller failed: if a file was being opened, say so and return True
        (the session that was open stays as it was)."""
        if not self.opening:
            return False
        self.opening = None
        self.context.warn("The file cannot be opened", message)
        return True

    @Slot(object)
    def _on_controller_opened(self, session) -> None:
        path, self.opening = self.opening, None
        self.start_replay()
        self.path = path
        self.session.replace(session.spec)
        self.plots.restore_view(session.view)
        self.modified = False
        self._update_title()
        self._remember(path)
        self.context.say(f"Opened {path}")

    def save_run(self) -> bool:
        if not self.path or not self.path.endswith(".pgsession"):
            return self.save_run_as()
        if not self.controller.save(self.path, self.plots.view_state(), self.session.spec):
            self.context.warn("Nothing to save yet", "Train the network first: a session is "
                              "saved with its weights, optimizer state and history.")
            return False
        return True

    def save_run_as(self) -> bool:
        suggested = str(Path(settings.start_folder())
                        / f"{self.session.spec.data.name}.pgsession")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the session", suggested,
                                              SESSION_FILES)
        if not path:
            return False
        if not path.endswith(".pgsession"):
            path += ".pgsession"
        self.path = path
        return self.save_run()

    @Slot(str)
    def _on_controller_saved(self, path: str) -> None:
        self.modified = False
        self._update_title()  # Save As: the title names the file now
        self._remember(path)
        self.context.say(f"Saved {path}")

    def maybe_save(self) -> bool:
        """Before unsaved work is replaced or closed: save, discard or cancel."""
        if not self.has_unsaved_work():
            return True
        answer = QMessageBox.question(
            self.window, "Save the session?", "This session has unsaved changes. Save them "
            "first?", QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_run()
        return answer == QMessageBox.StandardButton.Discard

    def _remember(self, path: str | None) -> None:
        if not path:
            return
        recent = [p for p in settings.read(settings.RECENT_FILES).split("\n") if p and p != path]
        settings.write(settings.RECENT_FILES, "\n".join([path, *recent][:settings.MAX_RECENT]))
        settings.write(settings.LAST_FOLDER, str(Path(path).parent))
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in settings.read(settings.RECENT_FILES).split("\n") if p]
        for path in recent:
            self.recent_menu.addAction(Path(path).name, lambda checked=False, p=path:
                                       self.open_run(p)).setToolTip(path)
        self.recent_menu.setEnabled(bool(recent))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        """A session file dragged onto the window is accepted; dropped, it opens."""
        if watched is self.window and event.type() == QEvent.Type.DragEnter:
            urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
            if urls and urls[0].toLocalFile().endswith(OPENABLE):
                event.acceptProposedAction()
            return True
        if watched is self.window and event.type() == QEvent.Type.Drop:
            path = event.mimeData().urls()[0].toLocalFile()
            event.acceptProposedAction()
            self.open_run(path)
            return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------- autosave, crash
    def _setup_autosave(self) -> None:
        from ..core.autosave import Autosaver, autosave_folder

        folder = autosave_folder()
        self.controller.autosaver = Autosaver(folder, settings.read(settings.AUTOSAVE_KEEP))
        self.controller.autosave_every = settings.read(settings.AUTOSAVE_EVERY)
        # Only a lock left by a process that is gone means a crash: a second window
        # of the app running beside the first is not one.
        self.instance_lock = InstanceLock(folder)

    def set_autosave_every(self, every: int) -> None:
        settings.write(settings.AUTOSAVE_EVERY, every)
        self.controller.set_autosave_every(every)
        if every in self.autosave_actions:
            self.autosave_actions[every].setChecked(True)

    def offer_recovery(self) -> bool:
        """After a crash (the last start never closed), offer the newest autosave."""
        from ..core.autosave import newest

        if not self.instance_lock.crashed_before:
            return False
        found = newest(self.controller.autosaver.folder)
        if found is None:
            return False
        path, session = found
        answer = QMessageBox.question(
            self.window, "Restore your last session?",
            f"Gradient Playground did not close properly last time. Restore the newest "
            f"autosave ({session.spec.data.name}, epoch {session.state['epoch']:,})?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.open_run(str(path))
        return True

    @Slot()
    def _on_window_closing(self) -> None:
        """A clean exit: nothing to recover next time. The run is stopped first (a stop
        autosaves), so the lock goes only once nothing is left to save."""
        self.controller.shutdown()
        self.instance_lock.release()
