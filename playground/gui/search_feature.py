"""SearchWiringMixin: the main window's Tools menu for hyperparameter search and the
learning-rate finder, and what connects their windows to the session.

Mixed into MainWindow only; it uses the window's session model (`self.session`), its
`_action` helper and its theme. The search and the sweep run in the SearchController's
thread, apart from training. Results come back into the session through
`session.edit`, so the gate decides (a live lr change, or a reset after asking) and the
panels show the change.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QStandardPaths, Slot

from ..core.errors import PlaygroundError
from ..core.search import apply_params, default_path, sqlite_url
from .search_controller import SearchController
from .widgets.search.lr_finder_dialog import LrFinderDialog
from .widgets.search.search_window import SearchWindow
from .menus import menu_titled




class SearchWiringMixin:
    def _install_search(self) -> None:
        self.search_controller = SearchController(self)
        self.search_window: SearchWindow | None = None
        self.lr_dialog: LrFinderDialog | None = None
        self._search_base = None  # the spec the running or last search started from
        self._job: str | None = None  # "search" or "lr" while one runs
        self.actionSearch = self._action(
            "actionSearch", "&Search hyperparameters\u2026", self.open_search,
            "Ctrl+Shift+H", None, "Try many learning rates, layer sizes and optimizers: "
            "each trial trains the session's network with other values, and Optuna's "
            "sampler (grid, random or TPE) picks the next values from the results so far.")
        self.actionLrFinder = self._action(
            "actionLrFinder", "Find &learning rate\u2026", self.open_lr_finder,
            "Ctrl+Shift+L", None, "The learning-rate range test: the lr grows "
            "exponentially over 100 updates while the loss is watched; a good lr lies "
            "where the loss falls fastest, well before it blows up. Without a clear "
            "fall the finder says so and suggests nothing.")
        tools = menu_titled(self, "&Tools")
        tools.addAction(self.actionSearch)
        tools.addAction(self.actionLrFinder)
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

    # ------------------------------------------------------------- search
    def open_search(self) -> SearchWindow:
        if self.search_window is None:
            window = SearchWindow(self)
            window.startRequested.connect(self._on_search_window_start_requested)
            window.stopRequested.connect(self.search_controller.stop)
            window.openBestRequested.connect(self._on_search_window_open_best_requested)
            self.search_window = window
        self.search_window.set_colors(self.theme)
        if not self.search_controller.busy:
            self.search_window.set_storage(self._default_storage())
        self.search_window.show()
        self.search_window.raise_()
        return self.search_window

    def _default_storage(self) -> str:
        """An SQLite file beside the session; an unsaved session's in the data folder."""
        if self.path:
            return sqlite_url(default_path(self.path))
        return sqlite_url(self._searches_folder() / "untitled.search.db")

    @staticmethod
    def _searches_folder() -> Path:
        return Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation)) / "searches"

    @Slot(object, str)
    def _on_search_window_start_requested(self, settings, url: str) -> None:
        if url == self._default_storage() and not self.path:  # made when first needed
            self._searches_folder().mkdir(parents=True, exist_ok=True)
        if not self.search_controller.start_search(self.spec, settings, url):
            self.search_window.show_problem("A search or a sweep is already running.")
            return
        self._search_base, self._job = self.spec, "search"
        self.search_window.set_running(True)

    @Slot(object)
    def _on_search_window_open_best_requested(self, params: dict) -> None:
        try:
            spec = apply_params(self._search_base, params)
        except PlaygroundError as exc:
            self.search_window.show_problem(str(exc))
            return
        self.session.edit({"data": spec.data, "model": spec.model,
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
            dialog = LrFinderDialog(self)
            dialog.runRequested.connect(self._on_lr_dialog_run_requested)
            dialog.stopRequested.connect(self.search_controller.stop)
            dialog.lrChosen.connect(self._on_lr_dialog_lr_chosen)
            self.lr_dialog = dialog
        self.lr_dialog.set_colors(self.theme)
        self.lr_dialog.show()
        self.lr_dialog.raise_()
        if not self.search_controller.busy and self.lr_dialog.finding is None:
            self._on_lr_dialog_run_requested()
        return self.lr_dialog

    @Slot()
    def _on_lr_dialog_run_requested(self) -> None:
        if self.search_controller.find_lr(self.spec, **self.lr_dialog.sweep()):
            self._job = "lr"
            self.lr_dialog.begin()
        else:
            self.lr_dialog.show_problem("A search is running; the sweep can start when "
                                        "it ends.")

    @Slot(float)
    def _on_lr_dialog_lr_chosen(self, lr: float) -> None:
        if self.session.edit({"optimizer.lr": lr}, "the learning rate"):
            self.statusBar().showMessage(f"Learning rate set to {lr:.3g}.", 5000)

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
        self.statusBar().showMessage(message, 15_000)

    @Slot(bool)
    def _on_search_controller_busy_changed(self, busy: bool) -> None:
        if busy:
            return
        job, self._job = self._job, None
        if job == "search":
            self.search_window.set_running(False)
        elif job == "lr":
            self.lr_dialog.set_running(False)

    def changeEvent(self, event) -> None:
        """A new theme arrives as a palette change: the search's plots follow it."""
        if event.type() == QEvent.Type.PaletteChange:
            for view in (getattr(self, "search_window", None),
                         getattr(self, "lr_dialog", None)):
                if view is not None:
                    view.set_colors(self.theme)
        super().changeEvent(event)

    def closeEvent(self, event) -> None:  # MainWindow's closeEvent ends in super()'s
        self.search_controller.shutdown()
        super().closeEvent(event)
