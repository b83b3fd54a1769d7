"""TrainControl: thread-safe requests from the interface to a running trainer.

The GUI (or a test) calls these methods directly from its own thread; a queued signal to
a busy worker would never arrive. The trainer polls `pending` between batches, which is a
plain attribute read, so an idle control costs nothing in the hot loop.
"""
from __future__ import annotations

import threading
from typing import Any, Callable


class TrainControl:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.pending = False  # read without the lock by the trainer: any request waiting
        self._paused = False
        self._stop = False
        self._batch_budget = 0
        self._epoch_budget = False
        self._checkpoint = False
        self._changes: dict[str, Any] = {}
        # Bumped under the lock on every change: the trainer waits only while it is
        # still the generation it last looked at, so a request that lands between its
        # look and its wait is never lost.
        self._generation = 0
        self._seen = 0
        self.validator: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    # ----------------------------------------------------------- interface side
    def pause(self) -> None:
        self._update(paused=True)

    def resume(self) -> None:
        self._update(paused=False, batch_budget=0, epoch_budget=False)

    def stop(self) -> None:
        self._update(stop=True)

    def step_batch(self) -> None:
        """Make exactly one more update, then stay paused."""
        with self._cond:
            self._paused = True
            self._batch_budget += 1
            self._changed()

    def step_epoch(self) -> None:
        """Finish the current epoch (a whole one at an epoch boundary), then pause."""
        self._update(paused=True, epoch_budget=True)

    def request_checkpoint(self) -> None:
        self._update(checkpoint=True)

    def set_hyperparameters(self, **changes: Any) -> dict[str, Any]:
        """Queue changes (lr, momentum, ...) for the next update; returns them validated.

        Raises SpecError for a bad name or value, before anything is queued.
        """
        if self.validator is not None:
            changes = self.validator(changes)
        with self._cond:
            self._changes.update(changes)
            self._changed()
        return changes

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stop_requested(self) -> bool:
        return self._stop

    # ------------------------------------------------------------- trainer side
    def take_requests(self) -> tuple[dict[str, Any], bool]:
        """Hand over and clear the queued hyperparameter changes and checkpoint flag."""
        with self._cond:
            changes, checkpoint = self._changes, self._checkpoint
            self._changes, self._checkpoint = {}, False
            self._refresh_pending()
        return changes, checkpoint

    def take_changes(self) -> dict[str, Any]:
        """Hand over and clear the queued hyperparameter changes only (a run that ended
        before it could take them leaves them to whoever holds the trainer)."""
        with self._cond:
            changes, self._changes = self._changes, {}
            self._refresh_pending()
        return changes

    def admit_batch(self) -> str | None:
        """'run' when not paused, 'step' when a step request lets one batch through
        while paused, None when the trainer must wait."""
        with self._cond:
            self._seen = self._generation
            if not self._paused:
                return "run"
            if self._epoch_budget:
                return "step"
            if self._batch_budget > 0:
                self._batch_budget -= 1
                return "step"
            return None

    def end_of_epoch(self) -> None:
        with self._cond:
            self._epoch_budget = False

    def wait_for_change(self, timeout: float | None = None) -> None:
        """Block until something changed since the last admit_batch()."""
        with self._cond:
            self._cond.wait_for(self._has_work, timeout)

    def _has_work(self) -> bool:
        """Called with the lock held: anything for a paused trainer to do?"""
        return (self._generation != self._seen or self._stop or self._checkpoint
                or bool(self._changes) or self._batch_budget > 0 or self._epoch_budget
                or not self._paused)

    def reset(self) -> None:
        """Clear the run requests before a new run; hyperparameter changes queued while
        idle are kept, for the run about to start."""
        self._update(paused=False, stop=False, batch_budget=0, epoch_budget=False,
                     checkpoint=False)

    def discard_changes(self) -> None:
        with self._cond:
            self._changes = {}
            self._refresh_pending()

    # ------------------------------------------------------------------ helpers
    def _update(self, **values: Any) -> None:
        with self._cond:
            for name, value in values.items():
                setattr(self, f"_{name}", value)
            self._changed()

    def _changed(self) -> None:
        self._generation += 1
        self._refresh_pending()
        self._cond.notify_all()

    def _refresh_pending(self) -> None:
        self.pending = bool(self._paused or self._stop or self._checkpoint or self._changes)
