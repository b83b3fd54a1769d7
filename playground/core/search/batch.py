"""Several trials at once: ask a batch, train those whose specs stack as one model.

The search asks up to `batch` trials before training any (each trial's values are
stored as it is asked, so TPE's constant liar counts the ones already asked as running
and proposes elsewhere). Trials whose specs share data, architecture and training
settings (core.experiments.stackable.shared_key: they differ only in learning rate,
momentum, L2, optimizer or initialisation) train as one stacked model on the
BatchedTrainer, which matches each run trained alone by the Trainer; every other trial
trains alone, one after another, as in a one-at-a-time search.

Each trial still reports its own curve and is pruned on its own. A pruned trial leaves
the stacked model the way a diverging run does: the trainer finishes its row and stops
updating it (its learning rate becomes 0), and its later outputs are never read. Taking
the row out of the stack would save no time: a small stacked model costs about what one
network costs per update (ARCHITECTURE.md), and the model ends when its last row does.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import SpecError
from ..spec import SessionSpec
from .liveness import Heartbeat
from .reporting import Outcome, TrialResult, outcome_of, report_epoch
from .space import SpaceError, apply_params


class BatchSearch(Protocol):
    """What a batch needs of the search that runs it (study.Search): the search imports
    this module, so this module sees it only as this."""

    base: SessionSpec
    storage: Any
    listener: Any                  # study.SearchListener

    @property
    def stopping(self) -> bool: ...
    def ask(self) -> tuple[Any, dict[str, Any]]: ...
    def tell(self, trial: Any, params: dict[str, Any], outcome: Outcome,
             began: float) -> TrialResult: ...
    def fail(self, trial: Any, exc: BaseException) -> None: ...
    def train_alone(self, trial: Any, params: dict[str, Any]) -> Outcome: ...
    def prepared_data(self) -> Any: ...
    def watch(self, trainer: Any) -> None: ...


@dataclass
class Pending:
    """One asked trial of the batch, until it is told."""

    trial: Any
    params: dict[str, Any]
    spec: SessionSpec | None = None
    error: str = ""                    # why its values cannot train (it fails)
    began: float = 0.0
    curve: list[float] = field(default_factory=list)
    pruned: bool = False
    result: TrialResult | None = None


def run_batch(search: BatchSearch, count: int) -> list[TrialResult]:
    """Ask `count` trials, train them (stacked where they can be) and tell each one;
    their results in the order asked."""
    batch: list[Pending] = []
    try:
        for _ in range(count):
            batch.append(Pending(*search.ask()))
    except BaseException as exc:  # the storage failed (or Ctrl-C) part-way
        for pending in batch:
            search.fail(pending.trial, exc)
        raise
    for pending in batch:
        try:
            pending.spec = apply_params(search.base, pending.params)
        except (SpecError, SpaceError) as exc:  # values that cannot train together
            pending.error = str(exc)
    with Heartbeat(search.storage, [p.trial._trial_id for p in batch]) as beat:
        try:
            for group in groups(batch):
                _train_group(search, group, beat)
        except BaseException as exc:  # a bug or Ctrl-C: no trial left "running"
            for pending in batch:
                if pending.result is None:
                    search.fail(pending.trial, exc)
            raise
    return [p.result for p in batch if p.result is not None]


def groups(batch: list[Pending]) -> list[list[Pending]]:
    """Trials that stack together (two or more sharing a stacked model's key); every
    other trial alone. Groups keep the order of their first trial."""
    from ..experiments.stackable import refusal, shared_key

    shared: dict[str, list[Pending]] = {}
    alone: list[list[Pending]] = []
    for pending in batch:
        if pending.spec is not None and refusal(pending.spec) is None:
            shared.setdefault(shared_key(pending.spec), []).append(pending)
        else:
            alone.append([pending])
    together = [group for group in shared.values() if len(group) > 1]
    alone += [group for group in shared.values() if len(group) == 1]
    return sorted(together + alone, key=lambda group: batch.index(group[0]))


def _train_group(search: BatchSearch, group: list[Pending], beat: Heartbeat) -> None:
    def tell(pending: Pending, outcome: Outcome) -> None:
        pending.result = search.tell(pending.trial, pending.params, outcome, pending.began)
        beat.forget(pending.trial._trial_id)

    for pending in group:
        pending.began = time.monotonic()
        if search.stopping:  # never started: tried again when the search resumes
            tell(pending, ("stopped", None, 0, ()))
        elif pending.error:
            pending.trial.set_user_attr("error", pending.error)
            tell(pending, ("fail", None, 0, ()))
    todo = [p for p in group if p.result is None]
    for pending in todo:
        search.listener.trial_began(pending.trial.number, dict(pending.params))
    if len(todo) > 1:
        _train_stacked(search, todo, tell)
    elif todo:
        pending = todo[0]
        try:
            outcome = search.train_alone(pending.trial, pending.params)
        except (SpecError, SpaceError) as exc:
            pending.trial.set_user_attr("error", str(exc))
            outcome = ("fail", None, 0, ())
        tell(pending, outcome)


def _train_stacked(search: BatchSearch, group: list[Pending], tell: Any) -> None:
    """The group as one stacked model: each row reports its own epochs; the pruner's
    verdict finishes that row alone; each trial is told as its row finishes."""
    from ..experiments.batched import BatchedTrainer

    def on_epoch(index: int, event: Any, extra: dict) -> None:
        pending = group[index]
        if report_epoch(pending.trial, search.listener, pending.curve, trainer.epoch,
                        event.logs, has_val):
            pending.pruned = True
            # the trainer finishes a row whose stop was requested in its epoch's hook
            trainer.views[trainer.order.index(index)].request_stop(
                "pruned", "The pruner stopped this trial.")

    def on_finished(index: int, end: Any) -> None:
        pending = group[index]
        tell(pending, outcome_of(pending.trial, pending.curve, pending.pruned, end.reason,
                                 end.epoch, end.message))

    trainer = BatchedTrainer([p.spec for p in group], data=search.prepared_data(),
                             on_epoch=on_epoch, on_finished=on_finished)
    has_val = len(trainer.x["val"]) > 0
    search.watch(trainer)
    try:
        trainer.fit()
    finally:
        search.watch(None)
