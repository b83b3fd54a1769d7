"""The runs of a session as the session file keeps them (runs.json, format version 2).

`runs_tree` turns a RunStore into plain values and tensors (the session file moves the
tensors into its safetensors members); `store_from_tree` checks such a tree field by
field before anything of it is used, and `store_from_state` is the migration from
format 1, whose files hold one run: the trainer's state and its history.

The tree: {"current": id or null, "next_id": n, "runs": [run, ...]}; each run holds its
id, name, colour, spec, history columns (float64, one row per epoch; null for the
current run, whose history is the trainer's own, saved beside it), changes, final
figures, epochs, seconds, parent, branch epoch, visibility, how it ended, and its kept
checkpoints (a trainer state without history each; see branch.py for how few).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from .. import sessioncheck
from ..errors import SessionFileError, SpecError
from ..spec import SessionSpec
from .branch import CHECKPOINTS_PER_RUN
from .runs import COLORS, MAX_NAME, MAX_RUNS, Checkpoint, Run, RunStore, last_figures

_RUN_KEYS = {"id", "name", "color", "spec", "columns", "changes", "final", "epochs",
             "seconds", "parent", "branch_epoch", "visible", "reason", "checkpoints"}
_CHECKPOINT_KEYS = {"epoch", "rows", "changes", "spec", "state"}
_MAX_ID = 10**9
_MAX_COLUMNS = 1000      # logged keys per run (a dozen, and a gradient norm per layer)
_MAX_CHANGES = 100_000   # hyperparameter changes per run
_MAX_CHECKPOINTS = CHECKPOINTS_PER_RUN + 1  # and the paused point a branch started from


class _Bad(Exception):
    """A field that does not fit; the message names it."""


def _expect(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise _Bad(f"{where} {what}")


def _is_int(value: Any, low: int = 0, high: int = 10**15) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ------------------------------------------------------------------ writing

def runs_tree(store: RunStore, current: int | None) -> dict[str, Any]:
    """The store as plain values and tensors; the current run's history is left out
    (the trainer's state holds it)."""
    return {"current": current, "next_id": store.next_id,
            "runs": [_run_tree(run, run.id == current) for run in store]}


def _run_tree(run: Run, current: bool) -> dict[str, Any]:
    spec = run.spec.to_dict()
    return {
        "id": run.id, "name": run.name, "color": run.color, "spec": spec,
        "columns": None if current else {k: torch.from_numpy(np.ascontiguousarray(
            v, dtype=np.float64)) for k, v in run.columns.items()},
        "changes": [dict(c) for c in run.changes], "final": dict(run.final),
        "epochs": run.epochs, "parent": run.parent,
        # A resumed run's epoch times can come out slightly off (even below 0): a
        # reader refuses such seconds, so a writer never writes them.
        "seconds": run.seconds if math.isfinite(run.seconds) and run.seconds > 0 else 0.0,
        "branch_epoch": run.branch_epoch, "visible": run.visible, "reason": run.reason,
        "checkpoints": [{"epoch": c.epoch, "rows": c.rows, "changes": c.changes,
                         "spec": None if c.spec == run.spec else c.spec.to_dict(),
                         "state": c.state} for c in list(run.checkpoints)],
    }


# ------------------------------------------------------------------ reading

def store_from_tree(path: Any, tree: Any, state: dict[str, Any] | None
                    ) -> tuple[RunStore, int | None]:
    """The RunStore a session file's runs.json describes, checked first: a sentence
    (SessionFileError) for anything that does not fit, before anything is used."""
    try:
        return _store(path, tree, state)
    except _Bad as exc:
        raise SessionFileError(f"{path}: the runs are damaged ({exc}).") from None


def _store(path: Any, tree: Any, state: dict[str, Any] | None) -> tuple[RunStore, int | None]:
    _expect(isinstance(tree, dict) and set(tree) == {"current", "next_id", "runs"},
            "runs.json", "must hold current, next_id and runs")
    runs = tree["runs"]
    _expect(isinstance(runs, list), "runs", "must be a list")
    _expect(len(runs) <= MAX_RUNS, "runs", f"number {len(runs):,}; a session keeps at most "
                                           f"{MAX_RUNS}")
    current = tree["current"]
    _expect(current is None or _is_int(current, 1, _MAX_ID), "current", "must be a run id")
    _expect(_is_int(tree["next_id"], 1, _MAX_ID + 1), "next_id", "must be a whole number")
    store = RunStore()
    for index, item in enumerate(runs):
        run = _run(path, item, f"run {index + 1}", item_is_current=(
            isinstance(item, dict) and item.get("id") == current), state=state)
        _expect(all(r.id != run.id for r in store.runs), f"run {index + 1}", "repeats an id")
        _expect(run.id < tree["next_id"], f"run {index + 1}", "has an id beyond next_id")
        store.runs.append(run)
    store.next_id = tree["next_id"]
    if current is not None:
        _expect(any(r.id == current for r in store.runs), "current", "names no run")
        _expect(state is not None, "current", "names a run but the file holds no state")
    return store, current


def _run(path: Any, item: Any, where: str, item_is_current: bool,
         state: dict[str, Any] | None) -> Run:
    _expect(isinstance(item, dict), where, "must be an object")
    unknown = sorted(set(item) - _RUN_KEYS)
    _expect(not unknown, where, f"has the unknown key {unknown[0]!r:.60}" if unknown else "")
    missing = sorted(_RUN_KEYS - set(item))
    _expect(not missing, where, f"lacks {missing[0]}" if missing else "")
    _expect(_is_int(item["id"], 1, _MAX_ID), f"{where}'s id", "must be a whole number")
    name = item["name"]
    _expect(isinstance(name, str) and 0 < len(name) <= MAX_NAME, f"{where}'s name",
            f"must be text of 1 to {MAX_NAME} characters")
    _expect(_is_int(item["color"], 0, COLORS - 1), f"{where}'s colour",
            f"must be 0 to {COLORS - 1}")
    spec = _spec(item["spec"], f"{where}'s spec")
    changes = item["changes"]
    _expect(isinstance(changes, list) and len(changes) <= _MAX_CHANGES and all(
        isinstance(c, dict) and all(_is_number(v) or isinstance(v, str) for v in c.values())
        for c in changes), f"{where}'s changes", "must be a list of settings")
    final = item["final"]
    _expect(isinstance(final, dict) and len(final) <= _MAX_COLUMNS
            and all(_is_number(v) for v in final.values()), f"{where}'s final figures",
            "must be numbers")
    _expect(_is_int(item["epochs"]), f"{where}'s epochs", "must be a whole number")
    seconds = item["seconds"]
    _expect(_is_number(seconds) and math.isfinite(seconds) and seconds >= 0,
            f"{where}'s seconds", "must be a number from 0")
    for key in ("parent", "branch_epoch"):
        _expect(item[key] is None or _is_int(item[key], 0, _MAX_ID), f"{where}'s {key}",
                "must be a whole number or null")
    _expect(isinstance(item["visible"], bool), f"{where}'s visible", "must be true or false")
    _expect(isinstance(item["reason"], str) and len(item["reason"]) <= 40,
            f"{where}'s reason", "must be a short text")
    if item_is_current:
        _expect(item["columns"] is None, f"{where}'s columns", "are the state's history")
        history = (state or {}).get("callbacks", {}).get("history") or \
            {"columns": {}, "length": 0}
        columns = {k: v.numpy() for k, v in history["columns"].items()}
    else:
        columns = _columns(item["columns"], f"{where}'s columns")
    rows = len(next(iter(columns.values()))) if columns else 0
    run = Run(item["id"], name, item["color"], spec, columns, [dict(c) for c in changes],
              {k: float(v) for k, v in final.items()}, item["epochs"], float(seconds),
              item["parent"], item["branch_epoch"], item["visible"], item["reason"])
    run.checkpoints = _checkpoints(path, item["checkpoints"], where, run, rows)
    if item_is_current and state is not None:  # the state is the truth about it
        run.epochs = int(state["epoch"])
        run.final = {**run.final, **last_figures(columns)}
    return run


def _spec(value: Any, where: str) -> SessionSpec:
    try:
        return SessionSpec.from_dict(value).validate()
    except SpecError as exc:
        raise _Bad(f"{where} is invalid: {exc}") from None


def _columns(value: Any, where: str) -> dict[str, np.ndarray]:
    _expect(isinstance(value, dict) and len(value) <= _MAX_COLUMNS, where,
            f"must be at most {_MAX_COLUMNS} named columns")
    lengths = set()
    for key, column in value.items():
        _expect(isinstance(column, torch.Tensor) and column.ndim == 1
                and column.dtype == torch.float64, f"{where} {key[:40]!r}",
                "must be a float64 column")
        lengths.add(len(column))
    _expect(len(lengths) <= 1, where, "must all be as long (one row per epoch)")
    return {key: column.numpy() for key, column in value.items()}


def _checkpoints(path: Any, value: Any, where: str, run: Run, rows: int) -> list[Checkpoint]:
    _expect(isinstance(value, list) and len(value) <= _MAX_CHECKPOINTS,
            f"{where}'s checkpoints", f"must be a list of at most {_MAX_CHECKPOINTS}")
    kept = []
    for index, item in enumerate(value):
        at = f"{where}'s checkpoint {index + 1}"
        _expect(isinstance(item, dict) and set(item) == _CHECKPOINT_KEYS, at,
                f"must hold {', '.join(sorted(_CHECKPOINT_KEYS))}")
        _expect(_is_int(item["epoch"]) and _is_int(item["rows"], 0, rows)
                and _is_int(item["changes"], 0, len(run.changes)), at,
                "must point inside the run's history")
        spec = run.spec if item["spec"] is None else _spec(item["spec"], f"{at}'s spec")
        state = item["state"]
        sessioncheck.check_state(path, state, {"epoch": item["epoch"]})
        _expect("history" not in state["callbacks"], at, "repeats the history")
        kept.append(Checkpoint(item["epoch"], item["rows"], state, spec, item["changes"]))
    return kept


def store_from_state(spec: SessionSpec, state: dict[str, Any] | None
                     ) -> tuple[RunStore, int | None]:
    """Format 1 (and files saved without runs): one run, the trainer's, if it trained."""
    store = RunStore()
    if state is None:
        return store, None
    run = store.add(spec)
    history = state["callbacks"].get("history")
    if history is not None:
        run.set_history({k: v.numpy() for k, v in history["columns"].items()},
                        history["changes"])
    run.epochs = int(state["epoch"])
    return store, run.id
