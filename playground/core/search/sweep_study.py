"""A sweep as a grid study on an Optuna storage, shared by `playground search worker`s.

The sweep's grid is the study's search space: one axis per swept variable, plus `seed`
when each variant repeats over seeds and `lr_factor` (or `lr`, for a preset's absolute
lrs) when each variant tunes its lr. Optuna's GridSampler hands the first N trials the
N points of the grid (trial k takes grid point k, so processes asking at once never share
one). The study's user attributes keep what a worker needs: the kind ("sweep"), the base
spec and the plan's inputs (SweepPlan.again() makes the same runs anew).

Each point trains once, alone on the Trainer (no stacking: a trial is one run). Its
epoch records and how it ended are stored with its trial, so whoever gathers the study
rebuilds the sweep's table as a local sweep would have made it. A point whose training
did not complete (stopped, or its process died: liveness.reap_dead_trials) is queued
again with its values; a queued trial is handed to one process (Optuna's waiting-trial
queue), and when the same point is queued twice the lower-numbered trial keeps it, the
other gives it up unrun (a failed trial marked `surplus`). Workers leave when no point
is left to take; the sweep command itself also trains, then waits for the points that
others still run, and retries any that nobody will.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..control import TrainControl
from ..errors import PlaygroundError
from ..events import Finished
from ..experiments.sweep import (DataCache, RunResult, SweepPlan, SweepResult, plan_sweep,
                                 train_run)
from ..spec import SessionSpec
from .liveness import HOST, Heartbeat, quiet, reap_dead_trials
from .storage import StorageError, nothing_left_on_refusal, open_storage
from .stored import SearchSettings, SweepInStudy, shown_url

KIND = "sweep"
POLL_S = 1.0  # how often the sweep command looks at points other processes still run
_MONITORED = ("val_loss", "loss")


@dataclass
class PointDone:
    """A point this process trained: its run's result and its trial number."""

    result: RunResult
    trial: int


@dataclass
class Census:
    """The study's trials, by grid point (a point is the tuple of its axis values)."""

    trials: int = 0
    done: dict[tuple, Any] = field(default_factory=dict)      # point -> complete trial
    taken: set[tuple] = field(default_factory=set)            # running or queued
    waiting: int = 0
    unknown: int = 0   # running trials whose values are not stored yet

    def missing(self, points: Any) -> list[tuple]:
        return [p for p in points if p not in self.done and p not in self.taken]


class SweepStudy:
    """Open (or start, or resume) the grid study `name` in `url`. With a plan: the sweep
    command's own study, created or checked against the one stored; without: a worker,
    which trains the plan stored with the study."""

    def __init__(self, plan: SweepPlan | None, name: str, url: str) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        SearchSettings(space="", study=name).check_own()  # the name, before the storage
        self.name, self.url = name, url
        with nothing_left_on_refusal(url, self):
            self.storage = open_storage(url)
            self.plan = _reconcile(self.storage, plan, name)
            self.axes = axes(self.plan)
            self.points = points(self.plan)
            with quiet():
                self.study = optuna.create_study(
                    study_name=name, storage=self.storage, direction="minimize",
                    sampler=_grid_sampler(self.axes), load_if_exists=True)
            for key, value in attributes(self.plan).items():
                if self.study.user_attrs.get(key) != value:
                    self.study.set_user_attr(key, value)
        self.control = TrainControl()
        self._stopped = threading.Event()  # also wakes a wait for other processes
        self.data = DataCache()

    # ------------------------------------------------------------ commands
    def stop(self) -> None:
        """End after the current batch (any thread); that point is queued again."""
        self._stopped.set()
        self.control.stop()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def run(self, *, wait: bool, timeout: float = 0.0,
            on_record: Callable[[int, int, dict], None] | None = None,
            on_done: Callable[[PointDone], None] | None = None) -> list[PointDone]:
        """Train points until none is left to take; with `wait` (the sweep command), until
        every point is done, retrying those nobody will train. on_record(trial, run
        index, record) for each epoch trained here; on_done for each point finished."""
        ran: list[PointDone] = []
        started = time.monotonic()
        reap_dead_trials(self.study)
        while not self.stopped:
            if timeout and time.monotonic() - started >= timeout:
                break
            census = self.census()
            if len(census.done) == len(self.points):
                break
            if census.trials < len(self.points) or census.waiting:
                done = self._take_one(on_record)
                if done is not None:
                    ran.append(done)
                    if on_done is not None:
                        on_done(done)
                continue
            if not wait:
                break
            missing = census.missing(self.points)
            if missing and not census.unknown:  # nobody holds them: queue them again
                for point in missing:
                    self.study.enqueue_trial(self.params_of(point))
                continue
            self._stopped.wait(POLL_S)  # others still run their points
            reap_dead_trials(self.study)
        return ran

    def census(self) -> Census:
        from optuna.trial import TrialState

        reap_dead_trials(self.study, orphans=False)
        census = Census()
        for trial in self.study.get_trials(deepcopy=False):
            census.trials += 1
            point = self.point_of(trial)
            if trial.state == TrialState.COMPLETE and point is not None:
                census.done.setdefault(point, trial)
            elif trial.state in (TrialState.RUNNING, TrialState.WAITING):
                census.waiting += trial.state == TrialState.WAITING
                if point is None:
                    census.unknown += 1
                else:
                    census.taken.add(point)
        return census

    def result(self, seconds: float = 0.0) -> SweepResult:
        """The sweep's result from every completed point in the study (any process's);
        points not done are left without a `finished`, as a stopped local sweep's."""
        done = self.census().done
        results = []
        for point, index in self.points.items():
            run = self.plan.runs[index]
            trial = done.get(point)
            results.append(RunResult(run) if trial is None else _stored_result(run, trial))
        stopped = len(done) < len(self.points)
        return SweepResult(self.plan, results, stopped, seconds)

    # ------------------------------------------------------------- points
    def point_of(self, trial: Any) -> tuple | None:
        """The trial's grid point: its values, or those it was queued with."""
        params = trial.params if set(trial.params) == set(self.axes) else \
            trial.system_attrs.get("fixed_params")
        if not isinstance(params, dict) or set(params) != set(self.axes):
            return None
        return tuple(params[name] for name in sorted(self.axes))

    def params_of(self, point: tuple) -> dict[str, Any]:
        return dict(zip(sorted(self.axes), point))

    def _take_one(self, on_record: Callable | None) -> PointDone | None:
        """Ask a trial; train its point unless another trial holds it (then the trial is
        given up unrun, marked surplus)."""
        from optuna.trial import TrialState

        trial = self._ask()
        trial.set_user_attr("pid", os.getpid())  # before the host: see liveness
        trial.set_user_attr("host", HOST)
        queued = "fixed_params" in self.storage.get_trial_system_attrs(trial._trial_id)
        index = None
        if queued or trial.number < len(self.points):
            params = {name: trial.suggest_categorical(name, values)
                      for name, values in self.axes.items()}
            point = tuple(params[name] for name in sorted(self.axes))
            if not self._held_elsewhere(point, trial.number):
                index = self.points.get(point)
        if index is None:
            trial.set_user_attr("surplus", True)
            with quiet():
                self.study.tell(trial, state=TrialState.FAIL)
            return None
        return self._train(trial, params, index, on_record)

    def _ask(self) -> Any:
        """A new trial, or one queued. (Past the grid's size a new trial is surplus;
        GridSampler then logs that it re-evaluates a point, which it does not here.)"""
        import optuna

        level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        try:
            with quiet():
                return self.study.ask()
        finally:
            optuna.logging.set_verbosity(level)

    def _held_elsewhere(self, point: tuple, number: int) -> bool:
        """Whether another trial completed the point, or runs or waits with it and was
        made earlier (the earlier of two trials of one point keeps it)."""
        from optuna.trial import TrialState

        for other in self.study.get_trials(deepcopy=False):
            if other.number == number or self.point_of(other) != point:
                continue
            if other.state == TrialState.COMPLETE or (
                    other.state in (TrialState.RUNNING, TrialState.WAITING)
                    and other.number < number):
                return True
        return False

    def _train(self, trial: Any, params: dict[str, Any], index: int,
               on_record: Callable | None) -> PointDone | None:
        from optuna.trial import TrialState

        run = self.plan.runs[index]
        record = None if on_record is None else \
            (lambda i, r: on_record(trial.number, i, r))  # noqa: E731
        with Heartbeat(self.storage, trial._trial_id):
            try:
                result = train_run(run, self.data(run.spec), on_record=record,
                                   control=self.control)
            except BaseException as exc:  # a bug or Ctrl-C: failed, never left running
                with quiet():
                    trial.set_user_attr("error", f"{type(exc).__name__}: {exc}"[:500])
                    self.study.tell(trial, state=TrialState.FAIL)
                raise
        end = result.finished
        if end is None or end.reason == "stopped":  # tried again by whoever goes on
            self.study.enqueue_trial(params)
            with quiet():
                self.study.tell(trial, state=TrialState.FAIL)
            return None
        trial.set_user_attr("run", index + 1)
        trial.set_user_attr("records", result.records)
        trial.set_user_attr("finished", {"reason": end.reason, "message": end.message,
                                         "epoch": end.epoch, "step": end.step,
                                         "test": dict(end.test)})
        with quiet():
            self.study.tell(trial, _value(result.records))
        result.origin = origin(trial.number, os.getpid())
        return PointDone(result, trial.number)


# --------------------------------------------------------------- the grid

def axes(plan: SweepPlan) -> dict[str, list[Any]]:
    """The study's search space: each variable's values, the seeds, the lr grid."""
    grid = {name: list(values) for name, values in plan.variables}
    if plan.seeds:
        grid["seed"] = list(plan.seeds)
    if plan.lr_factors:
        grid["lr" if plan.lr_absolute else "lr_factor"] = list(plan.lr_factors)
    return grid


def points(plan: SweepPlan) -> dict[tuple, int]:
    """Each grid point (its axis values in name order) -> the index of its run. The plan
    lists a variant's runs by lr, then seed (sweep._trials)."""
    names = sorted(axes(plan))
    seeds, factors = max(len(plan.seeds), 1), max(len(plan.lr_factors), 1)
    out = {}
    for run in plan.runs:
        params = dict(run.values)
        if plan.seeds:
            params["seed"] = run.trial["seed"]
        if plan.lr_factors:
            params["lr" if plan.lr_absolute else "lr_factor"] = \
                plan.lr_factors[(run.index // seeds) % factors]
        out[tuple(params[name] for name in names)] = run.index
    return out


def _grid_sampler(grid: dict[str, list[Any]]) -> Any:
    """Optuna's GridSampler with one seed in every process (its grid's order is shuffled
    by the seed, and trial k takes point k of that order: all must agree). Its
    after_trial stops a study.optimize loop once the grid is done, and raises in
    ask-and-tell; our loop stops itself, so it does nothing here."""
    import optuna

    class SweepGridSampler(optuna.samplers.GridSampler):
        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            pass

    return SweepGridSampler(grid, seed=0)


# ----------------------------------------------------- what the study keeps

def attributes(plan: SweepPlan) -> dict[str, Any]:
    return {"kind": KIND, "spec": plan.base.to_json(), "sweep": json.dumps({
        "variables": [[name, list(values)] for name, values in plan.variables],
        "target_loss": plan.target_loss, "seeds": max(len(plan.seeds), 1),
        "lr_factors": list(plan.lr_factors), "lr_absolute": plan.lr_absolute,
        "keep_lr": plan.keep_lr})}


def _reconcile(storage: Any, plan: SweepPlan | None, name: str) -> SweepPlan:
    """The plan to train: a new study takes the one given; an existing one its own, and
    refuses a different sweep or a search (one sentence each)."""
    stored = _stored(storage, name)
    if stored is None:
        if plan is None:
            raise StorageError(f"There is no study {name!r} in {shown_url(storage)}; start "
                               "it with `playground sweep ... --storage URL --study NAME` "
                               "first.")
        _check_replannable(plan)
        return plan
    if stored.get("kind") != KIND:
        raise SweepInStudy(f"The study {name!r} in {shown_url(storage)} is a search, not a "
                           "sweep; give another study name (--study).")
    mine = _stored_plan(storage, name, stored)
    if plan is not None and mine.runs != plan.runs:
        raise StorageError(f"The study {name!r} holds another sweep; give the same sweep "
                           "to resume it, or another study name (--study) for a new one.")
    return mine


def _stored(storage: Any, name: str) -> dict[str, Any] | None:
    """The study's attributes; None for no study, or an empty one that ran no trial."""
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        return None
    attrs = storage.get_study_user_attrs(study_id)
    if not attrs and not storage.get_all_trials(study_id, deepcopy=False):
        return None
    return attrs


def _stored_plan(storage: Any, name: str, stored: dict[str, Any]) -> SweepPlan:
    """The stored sweep planned again; a damaged one is one sentence."""
    try:
        inputs = json.loads(stored["sweep"])
        base = SessionSpec.from_json(stored["spec"]).validate()
        return plan_sweep(base, [(n, tuple(v)) for n, v in inputs["variables"]],
                          inputs["target_loss"], bool(inputs["keep_lr"]),
                          seeds=int(inputs["seeds"]),
                          tune_lr=tuple(inputs["lr_factors"]) or False,
                          absolute=bool(inputs["lr_absolute"]))
    except (PlaygroundError, KeyError, TypeError, ValueError) as exc:
        raise StorageError(f"The study {name!r} in {shown_url(storage)} is damaged: its "
                           f"stored sweep does not read ({str(exc)[:100]}); start a new "
                           "study (--study NAME).") from None


def _check_replannable(plan: SweepPlan) -> None:
    """A worker plans the sweep again from what the study keeps: it must come out the
    same (a plan made by hand from other inputs is refused here, not found later)."""
    if plan.again().runs != plan.runs:
        raise StorageError("This sweep cannot be shared through a study: its runs do not "
                           "follow from its variables, seeds and lr grid.")


def _stored_result(run: Any, trial: Any) -> RunResult:
    end = trial.user_attrs.get("finished") or {}
    finished = Finished(end.get("reason", "completed"), end.get("message", ""),
                        int(end.get("epoch", 0)), int(end.get("step", 0)),
                        end.get("test") or {})
    return RunResult(run, records=list(trial.user_attrs.get("records") or []),
                     finished=finished,
                     origin=origin(trial.number, trial.user_attrs.get("pid"),
                                   trial.user_attrs.get("host")))


def origin(number: int, pid: Any, host: str | None = None) -> dict[str, Any]:
    """A row's trial and worker (host:pid) columns."""
    return {"trial": number, "worker": f"{host or HOST}:{pid}"}


def _value(records: list[dict]) -> float:
    """The trial's objective: the last monitored loss (validation, else training);
    infinite for a run that diverged (Optuna refuses NaN)."""
    last = records[-1] if records else {}
    value = next((last[key] for key in _MONITORED if key in last), float("inf"))
    value = float(value)
    return value if value == value else float("inf")
