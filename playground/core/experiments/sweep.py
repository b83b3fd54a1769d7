"""Sweeps: one or two variables, every combination trained, results compared.

plan_sweep() checks everything (the variables, their values, the run count, every run's
spec) before anything is allocated. run_sweep() trains the plan: runs that share data,
architecture and training settings go through the stacked trainer together (batched.py),
the rest one after another through the Trainer; either way each run streams one record
per epoch and ends with a RunResult. SweepResult.table() is the comparison: final
train/validation/test metrics, and the epoch and time at which each run first reached a
target loss; to_csv() writes it.

A fair comparison repeats each combination (a variant) over several seeds and, where the
variable changes what a good learning rate is (the optimizer, the initialisation, the
activation), gives each variant its own learning rate, the best of a small grid on the
validation loss. Seeds and lrs differ only in weights and optimizer settings, so they
train stacked: a variant's 3 seeds x 5 lrs cost a few times one run, not 15.
SweepResult.summary() is then one row per variant at its chosen lr: the mean of each
figure over the seeds, with its spread (standard deviation) in `<figure>_sd`.
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

from .. import catalog  # noqa: F401 - what SessionSpec.validate() checks against
from ..callbacks import Callback, History
from ..control import TrainControl
from ..errors import SpecError
from ..events import EpochEnded, Finished
from ..spec import SessionSpec
from .variables import VARIABLES, show, variable, with_optimizer

MAX_VARIABLES = 2
MAX_VALUES = 32    # values of one variable
MAX_RUNS = 64      # runs of one sweep: a lesson compares a handful, a grid a few dozen
MAX_SEEDS = 10
MAX_TRIALS = 640   # runs with seeds and lr grids (stacked, they cost little each)
# Each variant's lr grid: these multiples of its own lr (the optimizer's default, or the
# spec's), half a decade apart, so the best is within a factor of about 1.8 of a tuned one.
LR_FACTORS = (0.1, 0.3, 1.0, 3.0, 10.0)
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
    variant: int = -1           # which combination of values (-1: the run's own index)
    trial: Mapping[str, Any] = field(default_factory=dict)  # its seed and lr, when the
    # sweep repeats a variant over seeds or tunes its lr; {} otherwise

    @property
    def name(self) -> str:
        return ", ".join(f"{key}={show(value)}" for key, value in
                         {**self.values, **self.trial}.items())

    @property
    def variant_name(self) -> str:
        return ", ".join(f"{key}={show(value)}" for key, value in self.values.items())


@dataclass(frozen=True)
class SweepPlan:
    base: SessionSpec
    variables: tuple[tuple[str, tuple[Any, ...]], ...]
    runs: tuple[RunPlan, ...]
    target_loss: float | None = None
    seeds: tuple[int, ...] = ()          # each variant's seeds, when repeated
    lr_factors: tuple[float, ...] = ()   # each variant's lr grid, when tuned: multiples
    lr_absolute: bool = False            # of its own lr, or (True) the lrs themselves
    keep_lr: bool = False                # a swept optimizer keeps the base lr

    def again(self) -> "SweepPlan":
        """The same plan made anew from its inputs (a grid study's worker plans the
        sweep it joins from these, stored with the study)."""
        return plan_sweep(self.base, self.variables, self.target_loss, self.keep_lr,
                          seeds=max(len(self.seeds), 1), tune_lr=self.lr_factors or False,
                          absolute=self.lr_absolute)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.variables)

    @property
    def repeated(self) -> bool:
        """Whether a variant has several runs (seeds or an lr grid): the table to show
        is then the summary, one row per variant."""
        return len(self.seeds) > 1 or bool(self.lr_factors)

    @property
    def variants(self) -> int:
        return len({run.variant for run in self.runs})


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
               target_loss: float | None = None, keep_lr: bool = False, seeds: int = 1,
               tune_lr: bool | Sequence[float] = False, absolute: bool = False) -> SweepPlan:
    """Every combination of the values, each run's spec validated. keep_lr: a swept
    optimizer keeps the base learning rate instead of its own default. seeds: each
    combination trained from that many seeds (the spec's seed and the next ones).
    tune_lr: each combination also tried at LR_FACTORS (or the factors given) times its
    lr (with absolute: those lrs themselves), the best kept (not when the lr is kept or
    swept: then the lr is what is compared)."""
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
    seed_list = _seeds(base, seeds, names)
    factors = () if not tune_lr or keep_lr or "lr" in names else \
        LR_FACTORS if tune_lr is True else tuple(tune_lr)
    trials = count * len(seed_list) * max(len(factors), 1)
    if trials > MAX_TRIALS:
        raise SpecError(f"This sweep would train {trials:,} runs ({count} combinations x "
                        f"{len(seed_list)} seeds x {max(len(factors), 1)} lrs); at most "
                        f"{MAX_TRIALS} fit in one sweep, so use fewer values or seeds.")
    base.validate()
    order = sorted(range(len(variables)), key=lambda i: list(VARIABLES).index(names[i]))
    runs: list[RunPlan] = []
    for variant, combo in enumerate(itertools.product(*(values for _, values in variables))):
        spec = base
        for i in order:  # the optimizer before its learning rate and momentum
            name, value = names[i], combo[i]
            spec = with_optimizer(spec, value, keep_lr) if name == "optimizer" else \
                VARIABLES[name].apply(spec, value)
        values = dict(zip(names, combo))
        try:
            spec.validate()
        except SpecError as exc:
            name = RunPlan(variant, values, spec).name
            raise SpecError(f"Run {variant + 1} ({name}): {exc}") from None
        for trial_spec, trial in _trials(spec, seed_list, factors, absolute):
            trial_spec.validate()
            runs.append(RunPlan(len(runs), values, trial_spec, variant, trial))
    return SweepPlan(base, tuple(variables), tuple(runs), target_loss,
                     tuple(seed_list) if len(seed_list) > 1 else (), factors, absolute,
                     keep_lr)


def _seeds(base: SessionSpec, seeds: int, names: Sequence[str]) -> list[int]:
    if not (isinstance(seeds, int) and 1 <= seeds <= MAX_SEEDS):
        raise SpecError(f"seeds: {seeds!r} is out of range; allowed 1 to {MAX_SEEDS}.")
    if seeds > 1 and "seed" in names:
        raise SpecError("seed is swept already; sweep it or repeat over seeds, not both.")
    first = base.train.seed
    return [(first + i) % 2**63 for i in range(seeds)]


def _trials(spec: SessionSpec, seeds: Sequence[int], factors: Sequence[float],
            absolute: bool = False) -> list[tuple[SessionSpec, dict[str, Any]]]:
    """A variant's runs: each lr of its grid (or its own) from each seed."""
    out = []
    for factor in factors or (None,):
        lr = spec.optimizer.lr if factor is None else float(factor) if absolute else \
            float(f"{spec.optimizer.lr * factor:.3g}")
        for seed in seeds:
            trial: dict[str, Any] = {}
            if factor is not None:
                trial["lr"] = lr
            if len(seeds) > 1:
                trial["seed"] = seed
            out.append((replace(spec, optimizer=replace(spec.optimizer, lr=lr),
                                train=replace(spec.train, seed=seed)), trial))
    return out


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
    together: int = 1       # runs trained together with it (its stacked model's size)
    origin: dict[str, Any] = field(default_factory=dict)  # in a grid study: its trial
    # and the process that trained it (a table row's last columns)

    @property
    def seconds(self) -> float:
        """Its training time; for a run trained together with others, its fair share
        (the stacked model's time divided by its runs), as its records give it."""
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

    def updates_to(self, target: float | None) -> int | None:
        """The update count at the end of the epoch where the loss first fell to target
        (epochs end where they end: for small batches an upper bound)."""
        if target is None:
            return None
        return next((int(r["step"]) for r in self.records if "step" in r
                     and r["loss"] <= target), None)


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
            row.update(result.run.trial)
            finished = result.finished
            row["reason"] = finished.reason if finished else "not run"
            last = result.records[-1] if result.records else {}
            row["epochs"] = int(last.get("epoch", 0))
            row["updates"] = int(last.get("step", 0))
            for key, value in last.items():
                if key not in ("epoch", "step", "lr", "seconds", "samples_per_s",
                               "update_norm", "trained_together"):
                    row[key] = value
            row.update(dict(finished.test) if finished else {})
            epoch, seconds = result.reached(self.plan.target_loss)
            row["epoch_to_target"], row["seconds_to_target"] = epoch, seconds
            row["updates_to_target"] = result.updates_to(self.plan.target_loss)
            row.update(_best_validation(result.records))
            row["seconds"] = result.seconds  # trained together: its fair share
            row["stacked"] = result.stacked
            row["trained_together"] = result.together
            moves = [r["update_norm"] for r in result.records if "update_norm" in r]
            row["update_norm"] = sum(moves) / len(moves) if moves else math.nan
            row["variant"] = result.run.variant + 1
            row.update(result.origin)
            rows.append(row)
        return rows

    def chosen_lrs(self) -> dict[int, float]:
        """Each tuned variant's lr: the one of its grid with the lowest mean final
        validation loss over its seeds (training loss without a validation split; a
        diverged or unfinished run counts as the worst)."""
        scores: dict[int, dict[float, list[float]]] = {}
        for row, result in zip(self.table(), self.results):
            if "lr" not in result.run.trial:
                continue
            loss = row.get("val_loss", row.get("loss"))
            finite = isinstance(loss, (int, float)) and math.isfinite(loss) and \
                row["reason"] not in ("diverged", "not run", "stopped")
            scores.setdefault(result.run.variant, {}).setdefault(
                result.run.trial["lr"], []).append(loss if finite else math.inf)
        return {variant: min(by_lr, key=lambda lr: (sum(by_lr[lr]) / len(by_lr[lr]), lr))
                for variant, by_lr in scores.items()}

    def summary(self) -> list[dict[str, Any]]:
        """One row per variant: its values, its lr (tuned or given), and each figure's
        mean over its seeds at that lr with the spread in `<figure>_sd`."""
        chosen = self.chosen_lrs()
        groups: dict[int, list[dict[str, Any]]] = {}
        lrs: dict[int, float] = {}
        for row, result in zip(self.table(), self.results):
            variant = result.run.variant
            if variant in chosen and result.run.trial.get("lr") != chosen[variant]:
                continue
            groups.setdefault(variant, []).append(row)
            lrs[variant] = result.run.spec.optimizer.lr
        return [_summarise(rows, self.plan, lrs[variant], variant in chosen)
                for variant, rows in sorted(groups.items())]

    def to_csv(self, target: Any = None) -> str:
        """The table as CSV text; also written to `target` (a path or a text file)."""
        return rows_to_csv(self.table(), target)


def _best_validation(records: list[dict]) -> dict[str, Any]:
    """The epoch of the lowest validation loss and that loss: where overfitting begins."""
    validated = [r for r in records if isinstance(r.get("val_loss"), float)
                 and math.isfinite(r["val_loss"])]
    if not validated:
        return {}
    best = min(validated, key=lambda r: r["val_loss"])
    return {"best_val_epoch": int(best["epoch"]), "val_loss_min": best["val_loss"]}


# What a summary row keeps of its runs' rows as they are (the same in every run).
_SAME = ("variant", "trained_together", "stacked", "lr_edge")
_NOT_AVERAGED = ("run", "seed", "epochs", "updates", "trial", *_SAME)


def _summarise(rows: list[dict[str, Any]], plan: SweepPlan, lr: float,
               tuned: bool) -> dict[str, Any]:
    first = rows[0]
    out: dict[str, Any] = {"variant": first["variant"], "name": _variant_name(first, plan)}
    out.update({name: first[name] for name in plan.names})
    out["lr"] = lr
    out["lr_tuned"] = tuned
    grid = sorted({run.spec.optimizer.lr for run in plan.runs
                   if run.variant + 1 == first["variant"]})
    # The best lr at an end of its grid: a better one may lie beyond it.
    out["lr_edge"] = "" if not tuned or len(grid) < 2 else \
        "top" if lr == grid[-1] else "bottom" if lr == grid[0] else ""
    out["seeds"] = len(rows)
    reasons = [row["reason"] for row in rows]
    out["reason"] = ", ".join(f"{reason} {reasons.count(reason)}/{len(rows)}"
                              if len(rows) > 1 else reason for reason in dict.fromkeys(reasons))
    out["diverged"] = reasons.count("diverged")
    out["epochs"] = max(row["epochs"] for row in rows)
    out["updates"] = max(row["updates"] for row in rows)
    for key in first:
        if key in out or key in _NOT_AVERAGED or key == "name":
            continue
        values = [row.get(key) for row in rows]
        if key.endswith("_to_target"):
            reached = [float(v) for v in values if v is not None]
            out[key] = sum(reached) / len(reached) if reached else None
            out[key + "_sd"] = _sd(reached) if reached else None
            out[key + "_reached"] = len(reached)
            continue
        numbers = [float(v) for v in values if isinstance(v, (int, float))
                   and not isinstance(v, bool)]
        if len(numbers) != len(values):
            continue
        finite = [v for v in numbers if math.isfinite(v)]
        out[key] = sum(finite) / len(finite) if len(finite) == len(numbers) else math.nan
        out[key + "_sd"] = _sd(finite) if len(finite) == len(numbers) else math.nan
    out["trained_together"] = first["trained_together"]
    out["stacked"] = first["stacked"]
    return out


def _variant_name(row: dict[str, Any], plan: SweepPlan) -> str:
    return ", ".join(f"{name}={show(row[name])}" for name in plan.names)


def _sd(values: list[float]) -> float:
    """The sample standard deviation (0 for one value)."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def table_columns(rows: list[dict[str, Any]], varied: Sequence[str],
                  extra: Sequence[str] = ()) -> list[str]:
    """The columns worth showing of a sweep's table (per run) or summary (per variant),
    in order: the run or variant, what varied, its lr when tuned and its seeds, the
    columns that answer a preset's question (extra), how it ended, the final loss and
    main metric on each split, the target, time."""
    if not rows:
        return []
    metric = next((m for m in ("accuracy", "r2", "mse") if m in rows[0]), None)
    first = "variant" if "seeds" in rows[0] else "run"
    wanted = [first, *varied]
    if any(row.get("lr_tuned") for row in rows):
        wanted.append("lr")
    wanted += ["seeds", *extra, "reason", "epochs", "loss"]  # what answers the question first
    if metric:
        wanted += [metric, f"val_{metric}", f"test_{metric}"]
    wanted += ["val_loss", "test_loss", "epoch_to_target", "seconds_to_target", "seconds"]
    if any(row.get("trained_together", 1) > 1 for row in rows):
        wanted.append("trained_together")
    return [c for i, c in enumerate(wanted) if c not in wanted[:i]
            and any(c in row for row in rows)]


def spread_text(value: float, spread: float) -> str:
    """A spread as text; float noise (1e-16 on equal values) is 0."""
    return "0" if spread <= 1e-9 * max(1.0, abs(value)) else f"{spread:.2g}"


def cell_text(row: dict[str, Any], key: str) -> str:
    """A table cell as text: 0.1234, '0.12 \u00b1 0.01' for a mean over seeds, '\u2013' for
    none; a target reached by only some seeds says how many; runs trained together say
    how many shared the time."""
    value = row.get(key)
    if value is None:
        return "\u2013"
    if key == "trained_together":
        return f"{value} runs" if value > 1 else "alone"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "lr" and row.get("lr_edge"):
        return f"{value:g} (grid's {row['lr_edge']})"
    if not isinstance(value, float):
        return str(value)
    text = f"{value:.4g}"
    seeds = row.get("seeds", 1)
    spread = row.get(f"{key}_sd")
    shared = key.startswith("seconds") and row.get("trained_together", 1) > 1
    if seeds > 1 and isinstance(spread, float) and math.isfinite(spread) and not shared:
        text = f"{value:.3g} \u00b1 {spread_text(value, spread)}"
    reached = row.get(f"{key}_reached")
    if reached is not None and reached < seeds:
        text += f" ({reached}/{seeds})"
    return text


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
    control = control or TrainControl()
    results = [RunResult(run) for run in plan.runs]
    kept = [0]

    def keep(result: RunResult, state: dict[str, Any]) -> None:
        size = sum(t.numel() * t.element_size() for t in state.values())
        if kept[0] + size <= WEIGHTS_BUDGET:
            kept[0] += size
            result.weights = {k: v.detach().clone() for k, v in state.items()}
    data_for = DataCache()
    started = time.perf_counter()
    emit = _emitter(results, on_record)
    for group in group_runs(plan):
        if control.stop_requested:
            break
        data = data_for(group[0].spec)
        if len(group) > 1:
            _run_stacked(group, data, results, emit, keep, on_finished, control, interactive)
        else:
            _run_alone(group[0], data, results, emit, keep, on_finished, control, interactive)
    return SweepResult(plan, results, control.stop_requested, time.perf_counter() - started)


def train_run(run: RunPlan, data: Any, *, on_record: RecordHook | None = None,
              control: TrainControl | None = None) -> RunResult:
    """One run of a plan alone on the Trainer, its end state not kept (a grid study
    trains its points one at a time: sweep_study.py)."""
    result = RunResult(run)
    results = {run.index: result}
    _run_alone(run, data, results, _emitter(results, on_record), lambda *_: None, None,
               control or TrainControl(), False)
    return result


class DataCache:
    """The prepared data of a spec, read once for the runs that share it (one data set
    at a time in memory; the seed does not change the data)."""

    def __init__(self) -> None:
        self.cache: dict[str, Any] = {}

    def __call__(self, spec: SessionSpec) -> Any:
        from ..data import prepare

        key = json.dumps(replace(spec, train=replace(spec.train, seed=0)).to_dict()["data"],
                         sort_keys=True)
        if key not in self.cache:
            self.cache.clear()
            self.cache[key] = prepare(spec.data)
        return self.cache[key]


def _emitter(results: Any, on_record: RecordHook | None) -> Callable:
    """Keeps each epoch's record and event in the run's result and streams the record."""
    def emit(run: RunPlan, event: EpochEnded, extra: dict) -> None:
        record = {**event.logs, **extra}
        results[run.index].records.append(record)
        results[run.index].events.append(event)
        if on_record is not None:
            on_record(run.index, record_of(run, event, extra))
    return emit


def _run_stacked(group: list[RunPlan], data: Any, results: list[RunResult], emit: Callable,
                 keep: Callable, on_finished: FinishedHook | None, control: TrainControl,
                 interactive: bool) -> None:
    from .batched import BatchedTrainer

    together = len(group)

    def finished(index: int, end: Finished) -> None:
        result = results[group[index].index]
        result.finished, result.stacked, result.together = end, True, together
        keep(result, trainer.module(index).state_dict())
        if on_finished is not None:
            on_finished(result)

    def epoch(index: int, event: EpochEnded, extra: dict) -> None:
        # The stacked model's epoch time is every run's: each run is given its share.
        share = event.logs["seconds"] / together
        event = replace(event, logs={**event.logs, "seconds": share})
        emit(group[index], event, {**extra, "trained_together": together})

    trainer = BatchedTrainer([run.spec for run in group], data=data, control=control,
                             on_epoch=epoch, on_finished=finished, interactive=interactive)
    trainer.fit()


def _run_alone(run: RunPlan, data: Any, results: Any, emit: Callable,
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
