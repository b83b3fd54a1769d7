"""Runs: every Train makes one, and the finished ones stay to be compared.

A Run is a plain record: its spec, its whole history (History's float64 columns, one
row per epoch), its final train / validation / test figures, how long it trained, the
run it branched from (and at which epoch), whether it is shown, and a few kept
checkpoints of its exact state to branch from (see branch.py for how many). A RunStore
holds the runs of a session in order: add, rename, delete (and put back, for undo),
show and hide, and the differences between two runs' specs in a few words.

Qt-free: the window renders a store, the session file saves it, sweeps fill it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from ..errors import PlaygroundError
from ..spec import SessionSpec

COLORS = 16          # colour indices cycle through this many (the GUI's run palette)
MAX_RUNS = 256       # runs in one session (a file claiming more is refused)
MAX_NAME = 80        # characters of a run's name


class RunError(PlaygroundError):
    """A run cannot be found, named or changed as asked."""


@dataclass
class Checkpoint:
    """A run's exact state after `epoch` epochs (and `state["batch"]` updates into the
    next one, for the paused point), to branch from. `state` is the trainer's
    state_dict() without its history: the run keeps its history once, and the first
    `rows` rows (and `changes` hyperparameter changes) of it belong to this point.
    `spec` is the spec the trainer ran at that moment (live changes included)."""

    epoch: int
    rows: int
    state: dict[str, Any]
    spec: SessionSpec
    changes: int = 0

    @property
    def batch(self) -> int:
        return int(self.state["batch"])

    @property
    def label(self) -> str:
        return f"epoch {self.epoch}" + (f" + {self.batch} updates" if self.batch else "")


@dataclass
class Run:
    id: int
    name: str
    color: int
    spec: SessionSpec
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # History's, per epoch
    changes: list[dict[str, Any]] = field(default_factory=list)   # live changes, in order
    final: dict[str, float] = field(default_factory=dict)  # loss, val_loss, test_loss, ...
    epochs: int = 0
    seconds: float = 0.0
    parent: int | None = None        # the run this one branched from
    branch_epoch: int | None = None  # ... at the end of this epoch
    visible: bool = True
    reason: str = ""                 # how it ended ("completed", "stopped", ...); "" = going
    checkpoints: list[Checkpoint] = field(default_factory=list)  # by epoch

    @property
    def rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def set_history(self, columns: dict[str, Any], changes: list[dict[str, Any]]) -> None:
        """Take a History's columns (copied: the trainer's keep growing) and changes;
        the final train and validation figures are their last finite values."""
        self.columns = {key: np.array(values, dtype=np.float64)
                        for key, values in columns.items()}
        self.changes = [dict(change) for change in changes]
        epochs = self.columns.get("epoch")
        self.epochs = int(epochs[-1]) if epochs is not None and len(epochs) else 0
        if "seconds" in self.columns and epochs is not None:  # a branch's own epochs only
            own = epochs > (self.branch_epoch or 0)
            self.seconds = max(0.0, float(np.nansum(self.columns["seconds"][own])))
        test = {k: v for k, v in self.final.items() if k.startswith("test_")}
        self.final = {**last_figures(self.columns), **test}

    def checkpoint_at(self, epoch: int, batch: int = 0) -> Checkpoint:
        for checkpoint in self.checkpoints:
            if checkpoint.epoch == epoch and checkpoint.batch == batch:
                return checkpoint
        kept = ", ".join(c.label for c in self.checkpoints) or "none"
        raise RunError(f"{self.name} keeps no checkpoint at epoch {epoch} (kept: {kept}).")


def last_figures(columns: dict[str, np.ndarray]) -> dict[str, float]:
    """The last finite value of each loss and metric column (validation may be
    computed every few epochs only, so its last row can be NaN)."""
    skip = {"epoch", "step", "lr", "seconds", "samples_per_s"}
    figures = {}
    for key, values in columns.items():
        if key in skip or key.startswith("grad_norm/") or not len(values):
            continue
        finite = np.flatnonzero(np.isfinite(values))
        figures[key] = float(values[finite[-1]]) if len(finite) else math.nan
    return figures


class RunStore:
    """The runs of one session, in the order they were made."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.next_id = 1

    def __iter__(self) -> Iterator[Run]:
        return iter(list(self.runs))

    def __len__(self) -> int:
        return len(self.runs)

    def get(self, run_id: int) -> Run:
        for run in self.runs:
            if run.id == run_id:
                return run
        raise RunError(f"There is no run {run_id}.")

    def add(self, spec: SessionSpec, name: str | None = None, *, parent: int | None = None,
            branch_epoch: int | None = None) -> Run:
        """A new run (not trained yet) with the first colour no other run uses."""
        if len(self.runs) >= MAX_RUNS:
            raise RunError(f"A session keeps at most {MAX_RUNS} runs: delete some first.")
        run_id = self.next_id
        self.next_id += 1
        used = {run.color for run in self.runs}
        color = next((c for c in range(COLORS) if c not in used), (run_id - 1) % COLORS)
        run = Run(run_id, name or self._default_name(run_id, parent, branch_epoch), color, spec,
                  parent=parent, branch_epoch=branch_epoch)
        self.runs.append(run)
        return run

    def add_finished(self, spec: SessionSpec, columns: dict[str, Any],
                     changes: list[dict[str, Any]] = (), test: dict[str, float] | None = None,
                     name: str | None = None, reason: str = "completed") -> Run:
        """A run trained elsewhere (a sweep, say): its History's columns and changes,
        its test figures (keys with or without "test_"), and how it ended."""
        run = self.add(spec, name)
        run.final = {(k if k.startswith("test_") else f"test_{k}"): float(v)
                     for k, v in (test or {}).items()}
        run.set_history(columns, list(changes))
        run.reason = reason
        return run

    def adopt(self, run: Run) -> Run:
        """Add a run made elsewhere (the training thread records into it before the
        window knows it): it gets the next id, a free colour and a name."""
        made = self.add(run.spec, run.name or None, parent=run.parent,
                        branch_epoch=run.branch_epoch)
        self.runs[-1] = run
        run.id, run.color, run.name = made.id, made.color, made.name
        return run

    def _default_name(self, run_id: int, parent: int | None, epoch: int | None) -> str:
        if parent is not None and any(r.id == parent for r in self.runs):
            name = f"{self.get(parent).name} from epoch {epoch or 0}"
            return name if len(name) <= MAX_NAME else f"run {run_id}"
        return f"run {run_id}"

    def rename(self, run_id: int, name: str) -> Run:
        name = " ".join(str(name).split())
        if not name:
            raise RunError("A run's name cannot be empty.")
        if len(name) > MAX_NAME:
            raise RunError(f"A run's name has at most {MAX_NAME} characters.")
        run = self.get(run_id)
        run.name = name
        return run

    def remove(self, run_id: int) -> tuple[int, Run]:
        """Delete a run; returns its place and itself, so `insert` can put it back."""
        run = self.get(run_id)
        index = self.runs.index(run)
        del self.runs[index]
        return index, run

    def insert(self, index: int, run: Run) -> None:
        """Put a deleted run back where it was (undo)."""
        if any(r.id == run.id for r in self.runs):
            raise RunError(f"Run {run.id} is already there.")
        self.runs.insert(max(0, min(index, len(self.runs))), run)
        self.next_id = max(self.next_id, run.id + 1)

    def set_visible(self, run_id: int, visible: bool) -> Run:
        run = self.get(run_id)
        run.visible = bool(visible)
        return run

    def visible(self) -> list[Run]:
        return [run for run in self.runs if run.visible]

    def differences(self, run_id: int, reference_id: int) -> str:
        """What differs in `run_id`'s spec from `reference_id`'s, in short words."""
        return differences(self.get(run_id).spec, self.get(reference_id).spec)


# ------------------------------------------------------------ differences

# Dotted spec paths whose last part alone would be unclear or too long.
_WORDS = {"data.name": "data", "data.seed": "data seed", "data.split": "split",
          "optimizer.name": "optimizer", "optimizer.lr": "lr", "schedule.name": "schedule",
          "schedule.warmup_epochs": "warm-up", "train.batch_size": "batch",
          "train.l1": "L1", "train.l2": "L2", "train.seed": "seed",
          "train.early_stopping.enabled": "early stopping",
          "train.convergence_tol": "converge", "model.layers": "layers"}
_IGNORED = {"format", "version", "train.threads", "train.device", "train.max_steps",
            "train.checkpoint_every"}


def differences(spec: SessionSpec, reference: SessionSpec, limit: int = 6) -> str:
    """Short words for what `spec` changes from `reference`, say
    "lr 0.1 (0.01), optimizer adam (sgd)": each differing setting with its value in
    `spec` and, in parentheses, the reference's. "" when the specs train the same."""
    mine, theirs = _flat(spec.to_dict()), _flat(reference.to_dict())
    if spec.model != reference.model:
        mine["model.layers"] = _layers(spec)
        theirs["model.layers"] = _layers(reference)
    parts = []
    for key in sorted(set(mine) | set(theirs), key=_order):
        if key in _IGNORED or key.startswith("model.layers."):
            continue
        a, b = mine.get(key), theirs.get(key)
        if a != b:
            parts.append(_drawn_points(a, b) if key == "data.points" else
                         f"{_word(key)} {_value(key, a)} ({_value(key, b)})")
    if len(parts) > limit:
        parts = parts[:limit] + [f"+{len(parts) - limit} more"]
    return ", ".join(parts)


def _drawn_points(mine: Any, theirs: Any) -> str:
    """Two drawings compared by their sizes: their coordinates would fill the column."""
    a, b = len(mine or ()), len(theirs or ())
    return f"drawn points ({a} vs {b})" if a != b else f"drawn points ({a} each, not the same)"


def _flat(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) and path != "model":
                out.update(_flat(value, path))
            elif path == "model":
                continue  # layers are compared whole (see differences)
            else:
                out[path] = tuple(value) if isinstance(value, list) else value
        return out
    return {prefix: tree}


def _order(key: str) -> tuple[int, str]:
    """The settings people compare most come first."""
    first = ("optimizer.name", "optimizer.lr", "optimizer.params", "train.batch_size",
             "model.layers", "train.l2", "train.seed")
    for rank, start in enumerate(first):
        if key.startswith(start):
            return rank, key
    return len(first), key


def _word(key: str) -> str:
    if key in _WORDS:
        return _WORDS[key]
    if key.startswith("schedule.params."):
        return "schedule " + key.rsplit(".", 1)[1]
    return key.rsplit(".", 1)[1].replace("_", " ")


def _value(key: str, value: Any) -> str:
    if value is None:
        return "full" if key == "train.batch_size" else "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "/".join(_value(key, v) for v in value) or "all"
    return str(value)


def _layers(spec: SessionSpec) -> str:
    """Dense layers as units:activation, others by kind: "16:tanh-16:tanh-out"."""
    words = []
    for layer in spec.model.layers:
        params = layer.params
        if layer.kind == "dense":
            units = params.get("units")
            text = "out" if units is None else str(units)
            activation = params.get("activation")
            if activation and activation != "linear":
                text += f":{activation}"
            if params.get("init") not in (None, "default", "xavier_uniform"):
                text += f":{params['init']}"
        else:
            text = layer.kind + (f":{params['rate']:g}" if "rate" in params else "")
        words.append(text)
    return "-".join(words)
