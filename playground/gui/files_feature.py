"""SessionFilesMixin: the main window's files: New, examples, Open, Save, Save As, Open
Recent, dropped files, autosave and the offer to restore after a crash.

Split from main_window.py along its parts; it uses the window's session model,
controller, plots and status bar, and is mixed into MainWindow only.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..core.examples import EXAMPLES
from ..core.spec import SessionSpec
from . import settings
from .instance_lock import InstanceLock

SESSION_FILES = ("Gradient Playground sessions (*.pgsession);;Earlier run files (*.pgrun);;"
                 "All files (*)")
OPENABLE = (".pgsession", ".pgrun")


class SessionFilesMixin:
    # ---------------------------------------------------------------- files
    def new_session(self) -> None:
        if self.maybe_save():
            self._load_spec(self._new_spec("spiral"), None)

    def load_example(self, name: str) -> None:
        if self.maybe_save():
            self._load_spec(self._new_spec(name), None)

    @staticmethod
    def _new_spec(example: str) -> SessionSpec:
        """A ready example, trained with the preferred number of threads (an opened
        session keeps the threads it was saved with: they decide its exact floats)."""
        spec = EXAMPLES[example]()
        threads = settings.read(settings.THREADS)
        return dataclasses.replace(spec, train=dataclasses.replace(spec.train, threads=threads))

    def _load_spec(self, spec: SessionSpec, path: str | None) -> None:
        self.reset_weights()
        self._clear_runs()  # a new session starts without runs
        self.path = path
        self.set_spec(spec)
        self.modified = False
        self._update_title()

    def open_run(self, path: str | None = None) -> None:
        """Open a session; the current one stays as it is unless the file opens."""
        if not self.maybe_save():
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open a session",
                                                  self._session_folder(), SESSION_FILES)
        if not path:
            return
        self._opening = path
        self.statusBar().showMessage(f"Opening {path}\u2026")
        self.controller.open(path)

    @Slot(object)
    def _on_controller_opened(self, session) -> None:
        path, self._opening = self._opening, None
        self.plots.reset()
        self.metrics_table.clear_values()
        self._elapsed, self._last_logs = 0.0, {}
        self.path = path
        self.set_spec(session.spec)
        self.plots.restore_view(session.view)
        self._replay_history = True
        self.modified = False
        self._update_title()
        self._remember(path)
        self.statusBar().showMessage(f"Opened {path}", 5000)

    def save_run(self) -> bool:
        if not self.path or not self.path.endswith(".pgsession"):
            return self.save_run_as()
        if not self.controller.save(self.path, self.plots.view_state(), self.spec):
            self._warn("Nothing to save yet", "Train the network first: a session is saved "
                       "with its weights, optimizer state and history.")
            return False
        return True

    def save_run_as(self) -> bool:
        suggested = str(Path(self._session_folder()) / f"{self.spec.data.name}.pgsession")
        path, _ = QFileDialog.getSaveFileName(self, "Save the session", suggested,
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
        self._remember(path)
        self.statusBar().showMessage(f"Saved {path}", 5000)

    def maybe_save(self) -> bool:
        """Before unsaved work is replaced or closed: save, discard or cancel."""
        if not self.modified or (self.controller.trainer is None and not len(self.runs)):
            return True
        answer = QMessageBox.question(
            self, "Save the session?", "This session has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
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

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and urls[0].toLocalFile().endswith(OPENABLE):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = event.mimeData().urls()[0].toLocalFile()
        event.acceptProposedAction()
        self.open_run(path)

    # ------------------------------------------------------- autosave, crash
    def _setup_autosave(self) -> None:
        from ..core.autosave import Autosaver, autosave_folder

        folder = autosave_folder()
        self.controller.autosaver = Autosaver(folder, settings.read(settings.AUTOSAVE_KEEP))
        self.controller.autosave_every = settings.read(settings.AUTOSAVE_EVERY)
        # Only a lock left by a process that is gone means a crash: a second window
        # of the app running beside the first is not one.
        self.instance_lock = InstanceLock(folder)

    def _set_autosave_every(self, every: int) -> None:
        settings.write(settings.AUTOSAVE_EVERY, every)
        self.controller.set_autosave_every(every)

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
            self, "Restore your last session?",
            f"Gradient Playground did not close properly last time. Restore the newest "
            f"autosave ({session.spec.data.name}, epoch {session.state['epoch']:,})?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.open_run(str(path))
        return True

    @staticmethod
    def _session_folder() -> str:
        """Where Open and Save start: the last folder used, else the documents folder."""
        return settings.start_folder()
