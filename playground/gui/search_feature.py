"""SearchFeature: Tools > Search hyperparameters (Ctrl+Shift+H) and Find learning rate
(Ctrl+Shift+L): the search window, the LR finder dialog and the SearchController that
runs both in its own thread, apart from training.

Reads: the session's spec (what a search or the finder starts from), the session file's
path (through the session_path callable the window gives: the search's study is kept
beside it), the window's theme (followed on themeApplied).
Changes: the session spec, only through session.edit (the best trial's settings, the
finder's learning rate), so the gate decides (a live lr change, or a reset after
asking) and the panels show the change; the searches folder of the app's data, made
when an unsaved session's search first needs it. It stops its thread on closing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QStandardPaths, Slot

from ..core.errors import PlaygroundError
from ..core.search import apply_params, default_path, sqlite_url
from .features import FeatureContext
from .menus import named_action
from .search_controller import SearchController
from .widgets.search.lr_finder_dialog import LrFinderDialog
from .widgets.search.search_window import SearchWindow


class SearchFeature(QObject):
    def __init__(self, context: FeatureContext,
                 session_path: Callable[[], str | None]) -> None:
        super().__init__(context.window)
        self.context = context
        self.session_path = session_path  # the saved session's file, or None
        self.search_controller = SearchController(context.window)
        self.search_window: SearchWindow | None = None
        self.lr_dialog: LrFinderDialog | None = None
        self._search_base = None  # the spec the running or last search started from
        self._job: str | None = None  # "search" or "lr" while one runs
        window = context.window
        self.actionSearch = named_action(
            window, "actionSearch", "&Search hyperparameters\u2026", "Ctrl+Shift+H",
            "Try many learning rates, layer sizes and optimizers: "
            "each trial trains the session's network with other values, and Optuna's "
            "sampler (grid, random or TPE) picks the next values from the results so far.",
            self.open_search)
        self.actionLrFinder = named_action(
            window, "actionLrFinder", "Find &learning rate\u2026", "Ctrl+Shift+L",
            "The learning-rate range test: the lr grows "
            "exponentially over 100 updates while the loss is watched; a good lr lies "
            "where the loss falls fastest, well before it blows up. Without a clear "
            "fall the finder says so and suggests nothing.", self.open_lr_finder)
        context.add_action("&Tools", self.actionSearch)
        context.add_action("&Tools", self.actionLrFinder)
        c = self.search_controller
        c.searchStarted.connect(self._on_search_controller_search_started)
        c.trialBegan.connect(self._on_search_controller_trial_began)
        c.epochEnded.connect(self._on_search_controller_epoch_ended)
        c.trialEnded.connect(self._on_search_controller_trial_ended)
        c.importancesChanged.connect(self._on_search_controller_importances_changed)
        c.searchEnded.connect(self._on_search_controller_search_ended)
        c.lrProgressed.connect(self._on_search_controller_lr_progressed)
        c.lrFound.connect(self._on_search_controller_lr_found)
        c.failed.connect(self._on_search_controller_failed)
        c.busyChanged.connect(self._on_search_controller_busy_changed)
        context.events.themeApplied.connect(self._on_theme_applied)
        context.events.closing.connect(self.shutdown)

    # ------------------------------------------------------- the window's asks
    def going(self) -> str:
        """What of this feature is running, in words ("" when nothing is)."""
        if not self.search_controller.busy:
            return ""
        return "the learning-rate finder" if self._job == "lr" else "a search"

    @Slot()
    def shutdown(self) -> bool:
        """Stop the search or the finder and join the thread."""
        return self.search_controller.shutdown()

    def lr_finding(self):
        """The LR finder's last LrFinding, or None (not run yet)."""
        return getattr(self.lr_dialog, "finding", None)

    # ------------------------------------------------------------- search
    def open_search(self) -> SearchWindow:
        if self.search_window is None:
            window = SearchWindow(self.context.window)
            window.startRequested.connect(self._on_search_window_start_requested)
            window.stopRequested.connect(self.search_controller.stop)
            window.openBestRequested.connect(self._on_search_window_open_best_requested)
            self.search_window = window
        self.search_window.set_colors(self.context.theme)
        if not self.search_controller.busy:
            self.search_window.set_storage(self._default_storage())
        self.search_window.show()
        self.search_window.raise_()
        return self.search_window

    def _default_storage(self) -> str:
        """An SQLite file beside the session; an unsaved session's in the data folder."""
        path = self.session_path()
        if path:
            return sqlite_url(default_path(path))
        return sqlite_url(self._searches_folder() / "untitled.search.db")

    @staticmethod
    def _searches_folder() -> Path:
        return Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation)) / "searches"

    @Slot(object, str)
    def _on_search_window_start_requested(self, settings, url: str) -> None:
        if url == self._default_storage() and not self.session_path():  # made when needed
            self._searches_folder().mkdir(parents=True, exist_ok=True)
        spec = self.context.session.spec
        if not self.search_controller.start_search(spec, settings, url):
            self.search_window.show_problem("A search or a sweep is already running.")
            return
        self._search_base, self._job = spec, "search"
        self.search_window.set_running(True)

    @Slot(object)
    def _on_search_window_open_best_requested(self, params: dict) -> None:
        try:
            spec = apply_params(self._search_base, params)
        except PlaygroundError as exc:
            self.search_window.show_problem(str(exc))
            return
        self.context.session.edit({"data": spec.data, "model": spec.model,
                                   "optimizer": spec.optimizer, "schedule": spec.schedule,
                                   "train": spec.train}, "the best trial's settings")

    @Slot(object)
    def _on_search_controller_search_started(self, existing) -> None:
        self.search_window.begin(existing)

    @Slot(int, object)
    def _on_search_controller_trial_began(self, number: int, params) -> None:
        self.search_window.trial_began(number, params)

    @Slot(int, int, float)
    def _on_search_controller_epoch_ended(self, number: int, epoch: int, value: float) -> None:
        self.search_window.add_epoch(number, epoch, value)

    @Slot(object)
    def _on_search_controller_trial_ended(self, result) -> None:
        self.search_window.add_result(result)

    @Slot(object)
    def _on_search_controller_importances_changed(self, values) -> None:
        self.search_window.importance.set_importances(values)

    @Slot(str)
    def _on_search_controller_search_ended(self, reason: str) -> None:
        self.search_window.end(reason)

    # ------------------------------------------------------------ LR finder
    def open_lr_finder(self) -> LrFinderDialog:
        if self.lr_dialog is None:
            dialog = LrFinderDialog(self.context.window)
            dialog.runRequested.connect(self._on_lr_dialog_run_requested)
            dialog.stopRequested.connect(self.search_controller.stop)
            dialog.lrChosen.connect(self._on_lr_dialog_lr_chosen)
            self.lr_dialog = dialog
        self.lr_dialog.set_colors(self.context.theme)
        self.lr_dialog.show()
        self.lr_dialog.raise_()
        if not self.search_controller.busy and self.lr_dialog.finding is None:
            self._on_lr_dialog_run_requested()
        return self.lr_dialog

    @Slot()
    def _on_lr_dialog_run_requested(self) -> None:
        if self.search_controller.find_lr(self.context.session.spec, **self.lr_dialog.sweep()):
            self._job = "lr"
            self.lr_dialog.begin()
        else:
            self.lr_dialog.show_problem("A search is running; the sweep can start when "
                                        "it ends.")

    @Slot(float)
    def _on_lr_dialog_lr_chosen(self, lr: float) -> None:
        if self.context.session.edit({"optimizer.lr": lr}, "the learning rate"):
            self.context.say(f"Learning rate set to {lr:.3g}.", 5000)

    @Slot(int, float, float)
    def _on_search_controller_lr_progressed(self, update: int, lr: float, loss: float) -> None:
        self.lr_dialog.add_point(update, lr, loss)

    @Slot(object)
    def _on_search_controller_lr_found(self, finding) -> None:
        self.lr_dialog.show_finding(finding)

    # ---------------------------------------------------------------- both
    @Slot(str)
    def _on_search_controller_failed(self, message: str) -> None:
        for view in (self.search_window, self.lr_dialog):
            if view is not None and view.isVisible():
                view.show_problem(message)
        self.context.say(message, 15_000)

    @Slot(bool)
    def _on_search_controller_busy_changed(self, busy: bool) -> None:
        if busy:
            return
        job, self._job = self._job, None
        if job == "search":
            self.search_window.set_running(False)
        elif job == "lr":
            self.lr_dialog.set_running(False)

    @Slot(object)
    def _on_theme_applied(self, theme) -> None:
        """The search's plots follow the window's theme."""
        for view in (self.search_window, self.lr_dialog):
            if view is not None:
                view.set_colors(theme)
