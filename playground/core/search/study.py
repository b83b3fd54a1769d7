"""A hyperparameter search on Optuna: ask a trial, train it, tell the result.

By default one trial at a time on the ordinary Trainer (settings.batch > 1 asks several
at once and trains those that stack as one model: batch.py): the trial's values become a
SessionSpec (space.apply_params), the trainer reports the monitored loss each epoch to
the trial, and the pruner's verdict (trial.should_prune) ends the run after that epoch.
The samplers and pruners are Optuna's own. The study keeps what a worker needs to join
it (the base spec, the space, the budget, sampler and pruner) as study attributes, so
`playground search worker --storage URL --study NAME` needs nothing else. The budget is
counted over the whole study (every process's finished and running trials), so a resumed
search or several workers stop together at N.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..callbacks import Callback
from ..data import PreparedData, prepare
from ..errors import SpecError
from ..spec import SessionSpec
from .batch import run_batch
from .liveness import HOST, Heartbeat, quiet, reap_dead_trials
from .reporting import Outcome, TrialResult, outcome_of, report_epoch
from .space import SpaceError, apply_params
from .storage import nothing_left_on_refusal, open_storage
from .stored import (PRUNERS, SAMPLERS, SearchSettings, attributes, existing_trials,
                     join_settings, reconcile)

class SearchListener:
    """What a search tells as it goes (the CLI prints, the GUI plots); no-ops here.
    Called in the thread that runs the search."""

    def trial_began(self, number: int, params: dict[str, Any]) -> None: ...
    def epoch_ended(self, number: int, epoch: int, value: float) -> None: ...
    def trial_ended(self, result: TrialResult) -> None: ...


@dataclass
class SearchSummary:
    ran: list[TrialResult] = field(default_factory=list)   # by this process
    reason: str = "budget"            # budget, timeout, stopped, grid


class Search:
    """Run (or join, or resume) the study `settings.study` in `storage_url`."""

    def __init__(self, base: SessionSpec | None, settings: SearchSettings,
                 storage_url: str | None, *, listener: SearchListener | None = None,
                 data: PreparedData | None = None) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.url = storage_url or "memory"
        with nothing_left_on_refusal(storage_url, self):
            self._open(base, settings, storage_url)
        self.listener = listener or SearchListener()
        self.data = data
        self._stop = threading.Event()
        self._trainer: Any = None
        self._lock = threading.Lock()

    def _open(self, base: SessionSpec | None, settings: SearchSettings,
              storage_url: str | None) -> None:
        """Open the storage and the study, every setting checked first."""
        import optuna

        settings.check_own()  # before the storage: a worker's seed, batch, study name
        # None: Optuna's in-memory storage, gone with the process (benchmarks and tests)
        self.storage = open_storage(storage_url) if storage_url is not None else \
            optuna.storages.InMemoryStorage()
        self.base, self.settings = reconcile(self.storage, base, settings)
        self.space = self.settings.check()
        self.base.validate()
        self.space.check_fits(self.base)  # before any trial, in one sentence
        with quiet():
            self.study = optuna.create_study(
                study_name=self.settings.study, storage=self.storage,
                direction="minimize", sampler=self._sampler(), pruner=self._pruner(),
                load_if_exists=True)
        for key, value in attributes(self.base, self.settings).items():
            if self.study.user_attrs.get(key) != value:
                self.study.set_user_attr(key, value)

    # ------------------------------------------------------------ commands
    def stop(self) -> None:
        """Stop after the current epoch (from any thread); the unfinished trial is
        recorded as failed and its values are tried again when the search resumes."""
        self._stop.set()
        with self._lock:
            if self._trainer is not None:
                self._trainer.control.stop()

    def run(self) -> SearchSummary:
        """Run trials until the study holds its budget, the time is up or stop()."""
        reap_dead_trials(self.study)
        summary = SearchSummary()
        started = time.monotonic()
        timeout = self.settings.timeout
        while True:
            reason = self._exhausted(started, timeout)
            if reason:
                summary.reason = reason
                return summary
            room = self.budget - self.counted()
            if self.settings.batch > 1 and room > 1:
                summary.ran += run_batch(self, min(self.settings.batch, room))
            else:
                summary.ran.append(self.run_trial())

    def _exhausted(self, started: float, timeout: float) -> str | None:
        if self._stop.is_set():
            return "stopped"
        if timeout and time.monotonic() - started >= timeout:
            return "timeout"
        if self.counted() >= self.budget:
            return "grid" if self.budget < self.settings.trials else "budget"
        return None

    @property
    def budget(self) -> int:
        """The trial budget; a grid holds at most its number of points."""
        if self.settings.sampler == "grid":
            return min(self.settings.trials, self.space.grid_size())
        return self.settings.trials

    def counted(self) -> int:
        """Trials that use up the budget: finished, pruned, or running somewhere. A trial
        whose process died (a killed worker) is failed and queued again first, so it
        does not use up the budget of the workers that go on."""
        from optuna.trial import TrialState

        reap_dead_trials(self.study, orphans=False)
        return len(self.study.get_trials(deepcopy=False, states=(
            TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)))

    def run_trial(self) -> TrialResult:
        """Ask one trial, train it, tell its outcome."""
        trial, params = self.ask()
        began = time.monotonic()
        self.listener.trial_began(trial.number, dict(params))
        with Heartbeat(self.storage, trial._trial_id):
            try:
                outcome = self.train_alone(trial, params)
            except (SpecError, SpaceError) as exc:  # values that cannot train together
                trial.set_user_attr("error", str(exc))
                outcome = ("fail", None, 0, ())
            except BaseException as exc:  # a bug or Ctrl-C: no trial left "running"
                self.fail(trial, exc)
                raise
        return self.tell(trial, params, outcome, began)

    def ask(self) -> tuple[Any, dict[str, Any]]:
        """A new trial (or one queued to run again) and its values. The values are
        stored at once, so a trial asked next sees this one running (TPE's constant
        liar counts it as a poor guess meanwhile and proposes elsewhere)."""
        with quiet():
            trial = self.study.ask()
        trial.set_user_attr("pid", os.getpid())  # before the host: see liveness
        trial.set_user_attr("host", HOST)
        return trial, self.space.suggest(trial, self.base)

    def tell(self, trial: Any, params: dict[str, Any], outcome: Outcome,
             began: float) -> TrialResult:
        """Record how the trial ended; a stopped trial fails and its values are queued
        to be tried again when the search resumes."""
        from optuna.trial import TrialState

        state, value, epochs, curve = outcome
        trial.set_user_attr("epochs", epochs)
        trial.set_user_attr("curve", list(curve))
        if state == "stopped":
            self.study.enqueue_trial(params)
            state = "fail"
        states = {"complete": TrialState.COMPLETE, "pruned": TrialState.PRUNED,
                  "fail": TrialState.FAIL}
        with quiet():
            self.study.tell(trial, value if state == "complete" else None,
                            state=states[state])
        result = TrialResult(trial.number, state, value if state == "complete" else None,
                             dict(params), epochs, tuple(curve), time.monotonic() - began)
        self.listener.trial_ended(result)
        return result

    def fail(self, trial: Any, exc: BaseException) -> None:
        """A bug or Ctrl-C ended the trial: failed, with the error, never left running."""
        from optuna.trial import TrialState

        with quiet():
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}"[:500])
            self.study.tell(trial, state=TrialState.FAIL)

    def prepared_data(self) -> PreparedData:
        if self.data is None:  # the space never changes the data: read it once
            self.data = prepare(self.base.data)
        return self.data

    def watch(self, trainer: Any) -> None:
        """The trainer (lone or stacked) that stop() stops; None when none runs."""
        with self._lock:
            self._trainer = trainer
        if trainer is not None and self._stop.is_set():
            trainer.control.stop()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def train_alone(self, trial: Any, params: dict[str, Any]) -> Outcome:
        """Train the trial on the ordinary Trainer, reporting each epoch."""
        from ..trainer import Trainer

        spec = apply_params(self.base, params)
        reporter = _Reporter(trial, self.listener)
        trainer = Trainer(spec, data=self.prepared_data(), callbacks=[reporter])
        self.watch(trainer)
        try:
            trainer.fit()
        finally:
            self.watch(None)
        return outcome_of(trial, reporter.curve, reporter.pruned, trainer.stop_reason,
                          trainer.epoch, trainer.stop_message)

    # ------------------------------------------------------------- parts
    def _sampler(self) -> Any:
        import optuna

        seed = self.settings.seed
        name = self.settings.sampler
        if name == "grid":
            # Optuna shuffles the grid by the seed and names a point by its place in the
            # shuffled list: every process of the study (a resumed one, each worker) must
            # shuffle it alike, or point k means other values there.
            return _GridSampler(self.space.grid(), seed=seed)
        if seed is not None:  # a resumed search must not draw its first values again
            seed = (seed + len(existing_trials(self.storage, self.settings.study))) % 2**32
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        # constant_liar: trials running in parallel (workers) count as bad guesses
        # meanwhile, so TPE does not hand every worker the same values.
        return optuna.samplers.TPESampler(seed=seed, constant_liar=True,
                                          n_startup_trials=10)

    def _pruner(self) -> Any:
        import optuna

        name = self.settings.pruner
        if name == "median":
            # no verdict in a trial's first epochs: every curve starts steep
            warmup = max(1, min(5, self.base.train.epochs // 4))
            return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=warmup)
        if name == "hyperband":
            return optuna.pruners.HyperbandPruner(
                min_resource=max(1, self.base.train.epochs // 9),
                max_resource=self.base.train.epochs, reduction_factor=3)
        return optuna.pruners.NopPruner()

    def results(self) -> list[TrialResult]:
        """Every trial of the study so far (all processes), oldest first."""
        return [result_of(t) for t in self.study.get_trials(deepcopy=False)]

    def best_spec(self) -> SessionSpec | None:
        """The spec of the best finished trial, or None while there is none."""
        try:
            best = self.study.best_trial
        except ValueError:
            return None
        return apply_params(self.base, best.params)


def _grid_sampler_class() -> type:
    import optuna

    class GridSampler(optuna.samplers.GridSampler):
        """Optuna's grid sampler. Its after_trial calls study.stop() once the grid is
        done, which works only inside study.optimize (ask-and-tell raises there); our
        loop stops at the grid's size itself (Search.budget)."""

        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            pass

    return GridSampler


def _GridSampler(grid: dict[str, list[Any]], seed: int | None) -> Any:  # noqa: N802
    return _grid_sampler_class()(grid, seed=seed)


class _Reporter(Callback):
    """Reports the monitored loss each epoch and ends a trial its pruner gives up on."""

    name = "search_reporter"

    def __init__(self, trial: Any, listener: SearchListener) -> None:
        self.trial, self.listener = trial, listener
        self.curve: list[float] = []
        self.pruned = False

    def on_epoch_end(self, trainer: Any, event: Any) -> None:
        if report_epoch(self.trial, self.listener, self.curve, trainer.epoch, event.logs,
                        len(trainer.x["val"]) > 0):
            self.pruned = True
            trainer.request_stop("pruned", "The pruner stopped this trial.")


def result_of(trial: Any) -> TrialResult:
    """A plain TrialResult from an Optuna FrozenTrial."""
    state = trial.state.name.lower()
    seconds = ((trial.datetime_complete - trial.datetime_start).total_seconds()
               if trial.datetime_complete and trial.datetime_start else 0.0)
    return TrialResult(trial.number, state, trial.value if state == "complete" else None,
                       dict(trial.params), int(trial.user_attrs.get("epochs", 0)),
                       tuple(trial.user_attrs.get("curve", ())), seconds)


__all__ = ["Search", "SearchSettings", "SearchListener", "SearchSummary", "TrialResult",
           "SAMPLERS", "PRUNERS", "reap_dead_trials", "result_of", "join_settings",
           "importances"]


def importances(study: Any) -> dict[str, float]:
    """How much each hyperparameter explains the trials' values (Optuna's fANOVA),
    largest first; {} until two trials completed with more than one value tried."""
    import optuna
    from optuna.trial import TrialState

    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(done) < 2:
        return {}
    varied = [name for name in done[0].params
              if len({repr(t.params.get(name)) for t in done}) > 1]
    if not varied:
        return {}
    with quiet():
        try:
            found = optuna.importance.get_param_importances(study, params=varied)
        except (RuntimeError, ValueError):  # too few distinct trials to fit a forest
            return {}
    return {name: float(value) for name, value in found.items()}
