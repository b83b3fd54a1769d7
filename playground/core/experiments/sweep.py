"""Sweeps: one or two variables, every combination trained, results compared.

plan_sweep() checks everything (the variables, their values, the run count, every run's
spec) before anything is allocated. run_sweep() trains the plan: runs that share data,
architecture and training settings go through the stacked trainer together (batched.py),
the rest one after another through the Trainer; either way each run streams one record
per epoch and ends with a RunResult. SweepResult.table() is the comparison: final
train/validation/test metrics, and the epoch and time at which each run first reached a
target loss; to_csv() writes it.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

from ..callbacks import Callback, History
from ..control import TrainControl
from ..errors import SpecError
from ..events import EpochEnded, Finished
from ..spec import SessionSpec
from .variables import VARIABLES, show, variable, with_optimizer

MAX_VARIABLES = 2
MAX_VALUES = 32    # values of one variable
MAX_RUNS = 64      # runs of one sweep: a lesson compares a handful, a grid a few dozen
# End states kept in memory for a whole sweep; past it, later runs keep none (a sweep of
# 64 large networks would otherwise hold gigabytes).
WEIGHTS_BUDGET = 256 * 2**20

RecordHook = Callable[[int, dict], None]        # (run index, epoch record)
FinishedHook = Callable[["RunResult"], None]


@dataclass(frozen=True)
class RunPlan:
    index: int
    values: Mapping[str, Any]   # variable -> value
    spec: SessionSpec

    @property
    def name(self) -> str:
        return ", ".join(f"{key}={show(value)}" for key, value in self.values.items())


@dataclass(frozen=True)
class SweepPlan:
    base: SessionSpec
    variables: tuple[tuple[str, tuple[Any, ...]], ...]
    runs: tuple[RunPlan, ...]
    target_loss: float | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.variables)


def parse_values(name: str, text: str) -> tuple[Any, ...]:
    """'0.001,0.01,0.1' -> the variable's values, each checked."""
    var = variable(name)
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise SpecError(f"{var.name}: no values given; list them with commas, such as "
                        f"{var.example or '1,2'}.")
    if len(items) > MAX_VALUES:
        raise SpecError(f"{var.name}: {len(items)} values are listed; a sweep takes at most "
                        f"{MAX_VALUES} per variable.")
    return tuple(var.parse(item) for item in items)


def plan_sweep(base: SessionSpec, vary: Sequence[tuple[str, Sequence[Any]]] | Mapping,
               target_loss: float | None = None, keep_lr: bool = False) -> SweepPlan:
    """Every combination of the values, each run's spec validated. keep_lr: a swept
    optimizer keeps the base learning rate instead of its own default."""
    pairs = list(vary.items()) if isinstance(vary, Mapping) else list(vary)
    if not pairs:
        raise SpecError("A sweep needs a variable to vary, such as lr=0.001,0.01,0.1.")
    if len(pairs) > MAX_VARIABLES:
        raise SpecError(f"A sweep varies one or two variables; {len(pairs)} were given "
                        f"({', '.join(str(name) for name, _ in pairs)}).")
    names = [variable(name).name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise SpecError(f"{names[0]} is listed twice; give all its values in one list.")
    variables = []
    for name, values in zip(names, (values for _, values in pairs)):
        values = tuple(values)
        if not values:
            raise SpecError(f"{name}: no values given.")
        if len(values) > MAX_VALUES:
            raise SpecError(f"{name}: {len(values)} values are listed; a sweep takes at "
                            f"most {MAX_VALUES} per variable.")
        if len(set(map(show, values))) != len(values):
            raise SpecError(f"{name}: a value is listed twice.")
        variables.append((name, values))
    count = math.prod(len(values) for _, values in variables)
    if count > MAX_RUNS:
        raise SpecError(f"This sweep would train {count:,} runs; at most {MAX_RUNS} fit in "
                        "one sweep, so use fewer values.")
    if target_loss is not None and not (math.isfinite(target_loss) and target_loss > 0):
        raise SpecError(f"target loss: {target_loss!r} must be a number above 0.")
    base.validate()
    order = sorted(range(len(variables)), key=lambda i: list(VARIABLES).index(names[i]))
    runs = []
    for index, combo in enumerate(itertools.product(*(values for _, values in variables))):
        spec = base
        for i in order:  # the optimizer before its learning rate and momentum
            name, value = names[i], combo[i]
            spec = with_optimizer(spec, value, keep_lr) if name == "optimizer" else \
                VARIABLES[name].apply(spec, value)
        run = RunPlan(index, dict(zip(names, combo)), spec)
        try:
            spec.validate()
        except SpecError as exc:
            raise SpecError(f"Run {index + 1} ({run.name}): {exc}") from None
        runs.append(run)
    return SweepPlan(base, tuple(variables), tuple(runs), target_loss)


def group_runs(plan: SweepPlan) -> list[list[RunPlan]]:
    """Runs that can train as one stacked model, together; every other run alone.
    Groups keep the plan's order of their first run."""
    from .stackable import refusal, shared_key

    groups: dict[str, list[RunPlan]] = {}
    alone: list[list[RunPlan]] = []
    for run in plan.runs:
        if refusal(run.spec) is None:
            groups.setdefault(shared_key(run.spec), []).append(run)
        else:
            alone.append([run])
    together = [group for group in groups.values() if len(group) > 1]
    alone += [group for group in groups.values() if len(group) == 1]
    return sorted(together + alone, key=lambda group: group[0].index)


@dataclass
class RunResult:
    run: RunPlan
    records: list[dict] = field(default_factory=list)   # one per epoch: logs + update_norm
    events: list[EpochEnded] = field(default_factory=list)  # the same epochs, with norms
    finished: Finished | None = None
    weights: dict[str, Any] = field(default_factory=dict)  # the end state (tensors), or
    # {} past WEIGHTS_BUDGET
    stacked: bool = False   # trained inside a stacked model

    @property
    def seconds(self) -> float:
        return sum(record["seconds"] for record in self.records)

    def history(self) -> History:
        """The run's History, as the Trainer would hold it (gradient norms included)."""
        history = History()
        for event in self.events:
            history.on_epoch_end(None, event)
        return history

    def reached(self, target: float | None) -> tuple[int | None, float | None]:
        """(epoch, seconds of training) at which the training loss first fell to target."""
        if target is None:
            return None, None
        elapsed = 0.0
        for record in self.records:
            elapsed += record["seconds"]
            if record["loss"] <= target:
                return int(record["epoch"]), elapsed
        return None, None


@dataclass
class SweepResult:
    plan: SweepPlan
    results: list[RunResult]
    stopped: bool = False
    seconds: float = 0.0   # wall time of the whole sweep

    def table(self) -> list[dict[str, Any]]:
        """One row per run: the varied values, how it ended, final metrics, target."""
        rows = []
        for result in self.results:
            row: dict[str, Any] = {"run": result.run.index + 1, "name": result.run.name}
            row.update({key: "full" if value is None else value
                        for key, value in result.run.values.items()})
            finished = result.finished
            row["reason"] = finished.reason if finished else "not run"
            last = result.records[-1] if result.records else {}
            row["epochs"] = int(last.get("epoch", 0))
            for key, value in last.items():
                if key not in ("epoch", "step", "lr", "seconds", "samples_per_s",
                               "update_norm"):
                    row[key] = value
            row.update(dict(finished.test) if finished else {})
            epoch, seconds = result.reached(self.plan.target_loss)
            row["epoch_to_target"], row["seconds_to_target"] = epoch, seconds
            row["seconds"] = result.seconds  # a stacked run: its stacked model's time
            row["stacked"] = result.stacked
            moves = [r["update_norm"] for r in result.records if "update_norm" in r]
            row["update_norm"] = sum(moves) / len(moves) if moves else math.nan
            rows.append(row)
        return rows

    def to_csv(self, target: Any = None) -> str:
        """The table as CSV text; also written to `target` (a path or a text file)."""
        return rows_to_csv(self.table(), target)


def table_columns(rows: list[dict[str, Any]], varied: Sequence[str],
                  extra: Sequence[str] = ()) -> list[str]:
    """The columns worth showing of a sweep's table, in order: the run, what varied,
    how it ended, the final loss and main metric on each split, the target, time."""
    if not rows:
        return []
    metric = next((m for m in ("accuracy", "r2", "mse") if m in rows[0]), None)
    wanted = ["run", *varied, "reason", "epochs", "loss"]
    if metric:
        wanted += [metric, f"val_{metric}", f"test_{metric}"]
    wanted += ["val_loss", "test_loss", "epoch_to_target", "seconds_to_target", "seconds",
               *extra]
    return [c for i, c in enumerate(wanted) if c not in wanted[:i]
            and any(c in row for row in rows)]


def rows_to_csv(rows: list[dict[str, Any]], target: Any = None) -> str:
    """Table rows as CSV text (columns in order of first appearance); also written to
    `target`, a path (atomically) or an open text file."""
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if row.get(key) is None else row.get(key)
                         for key in columns})
    text = buffer.getvalue()
    if isinstance(target, str) or hasattr(target, "__fspath__"):
        _write_text(target, text)
    elif target is not None:
        target.write(text)
    return text


def _write_text(target: Any, text: str) -> None:
    from ..errors import SessionFileError
    from ..session import atomic_write, check_path

    path = check_path(target, "The CSV file's path")
    try:
        atomic_write(path, lambda file: file.write(text.encode("utf-8")))
    except OSError as exc:
        raise SessionFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None


class _Recorder(Callback):
    """Turns a lone Trainer's epochs into sweep records (with the distance moved)."""

    def __init__(self, emit: Callable[[EpochEnded, dict], None]) -> None:
        self.emit = emit
        self.previous = None

    def _flat(self, trainer: Any) -> Any:
        import torch
        return torch.cat([p.detach().reshape(-1) for p in trainer.model.parameters()])

    def on_train_begin(self, trainer: Any, event: Any) -> None:
        self.previous = self._flat(trainer)

    def on_epoch_end(self, trainer: Any, event: EpochEnded) -> None:
        now = self._flat(trainer)
        moved = float((now - self.previous).norm())
        self.previous = now
        self.emit(event, {"update_norm": moved})


def record_of(run: RunPlan, event: EpochEnded, extra: dict) -> dict[str, Any]:
    """The streamed record: the train record's keys, the run and its varied values."""
    return {**event.to_record(), "run": run.index + 1, **run.values, **extra}


def run_sweep(plan: SweepPlan, *, on_record: RecordHook | None = None,
              on_finished: FinishedHook | None = None, control: TrainControl | None = None,
              interactive: bool = False) -> SweepResult:
    """Train every run of the plan; `control.stop()` (from any thread) ends the sweep
    after the current batch. Runs not reached are left without a `finished`."""
    from ..data import prepare

    control = control or TrainControl()
    results = [RunResult(run) for run in plan.runs]
    kept = [0]

    def keep(result: RunResult, state: dict[str, Any]) -> None:
        size = sum(t.numel() * t.element_size() for t in state.values())
        if kept[0] + size <= WEIGHTS_BUDGET:
            kept[0] += size
            result.weights = {k: v.detach().clone() for k, v in state.items()}
    data_cache: dict[str, Any] = {}
    started = time.perf_counter()

    def data_for(spec: SessionSpec) -> Any:
        key = json.dumps(replace(spec, train=replace(spec.train, seed=0)).to_dict()["data"],
                         sort_keys=True)
        if key not in data_cache:
            data_cache.clear()  # one data set at a time in memory
            data_cache[key] = prepare(spec.data)
        return data_cache[key]

    def emit(run: RunPlan, event: EpochEnded, extra: dict) -> None:
        record = {**event.logs, **extra}
        results[run.index].records.append(record)
        results[run.index].events.append(event)
        if on_record is not None:
            on_record(run.index, record_of(run, event, extra))

    for group in group_runs(plan):
        if control.stop_requested:
            break
        data = data_for(group[0].spec)
        if len(group) > 1:
            _run_stacked(group, data, results, emit, keep, on_finished, control, interactive)
        else:
            _run_alone(group[0], data, results, emit, keep, on_finished, control, interactive)
    return SweepResult(plan, results, control.stop_requested, time.perf_counter() - started)


def _run_stacked(group: list[RunPlan], data: Any, results: list[RunResult], emit: Callable,
                 keep: Callable, on_finished: FinishedHook | None, control: TrainControl,
                 interactive: bool) -> None:
    from .batched import BatchedTrainer

    def finished(index: int, end: Finished) -> None:
        result = results[group[index].index]
        result.finished, result.stacked = end, True
        keep(result, trainer.module(index).state_dict())
        if on_finished is not None:
            on_finished(result)

    trainer = BatchedTrainer([run.spec for run in group], data=data, control=control,
                             on_epoch=lambda i, event, extra: emit(group[i], event, extra),
                             on_finished=finished, interactive=interactive)
    trainer.fit()


def _run_alone(run: RunPlan, data: Any, results: list[RunResult], emit: Callable,
               keep: Callable, on_finished: FinishedHook | None, control: TrainControl,
               interactive: bool) -> None:
    from ..trainer import Trainer

    recorder = _Recorder(lambda event, extra: emit(run, event, extra))
    trainer = Trainer(run.spec, data=data, callbacks=[recorder], control=control,
                      interactive=interactive)
    end = trainer.fit()
    result = results[run.index]
    result.finished = end
    keep(result, trainer.model.state_dict())
    if on_finished is not None:
        on_finished(result)
