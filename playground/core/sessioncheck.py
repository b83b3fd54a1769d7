"""The schema of what a session file holds, checked before anything is used.

A crafted file can match every hash and still hold nonsense: a manifest whose members
are null, an epoch of "three", a batch of 10**9, one-dimensional data, a state without
random generators. These checks name the member and the field in one sentence, so such
a file is refused (SessionFileError) instead of failing somewhere deep inside torch.

`restore_state` then checks that a state fits the trainer built from the file's spec
(tensor names and shapes, the position inside the epoch) before loading it.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .errors import PlaygroundError, SessionFileError

_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_COUNT = 10**15  # epochs, updates: far beyond any run, small enough for any int


class _Bad(Exception):
    """A field that does not fit the schema; the message names it."""


def _is_int(value: Any, low: int = 0, high: int = _MAX_COUNT) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _expect(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise _Bad(f"{where} {what}")


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {'x'.join(map(str, value.shape)) or 'scalar'} tensor"
    text = repr(value)
    return text if len(text) <= 30 else type(value).__name__


# ------------------------------------------------------------------ manifest

_MANIFEST_TEXT = ("app_version", "created", "python", "torch", "numpy", "platform", "device")
_MANIFEST_KEYS = {"format", "version", "members", "data_sha256", "weights_sha256", "epoch",
                  "seed", *_MANIFEST_TEXT}


def check_manifest(path: Path, manifest: dict[str, Any]) -> None:
    try:
        unknown = sorted(set(manifest) - _MANIFEST_KEYS)
        _expect(not unknown, "it has the unknown key", repr(unknown[0])[:60] if unknown else "")
        members = manifest.get("members")
        _expect(isinstance(members, dict), "members", "must be an object of SHA-256s")
        for name, digest in members.items():
            _expect(isinstance(digest, str) and bool(_HEX64.fullmatch(digest)),
                    f"members[{name[:60]!r}]", "must be a SHA-256 in hex")
        for key in ("data_sha256", "weights_sha256"):
            value = manifest.get(key)
            _expect(value is None or (isinstance(value, str) and bool(_HEX64.fullmatch(value))),
                    key, "must be a SHA-256 in hex or null")
        _expect(_is_int(manifest.get("epoch", 0)), "epoch", "must be a whole number from 0")
        _expect(_is_int(manifest.get("seed", 0), 0, 2**63 - 1), "seed",
                "must be a whole number from 0")
        for key in _MANIFEST_TEXT:
            _expect(isinstance(manifest.get(key, ""), str), key, "must be text")
    except _Bad as exc:
        raise SessionFileError(f"{path}: the manifest is damaged ({exc}).") from None


# --------------------------------------------------------------------- state

def check_state(path: Path, state: Any, manifest: dict[str, Any]) -> None:
    """The trainer's state, field by field (extra fields are left to the trainer)."""
    try:
        _check_state(state, manifest)
    except _Bad as exc:
        raise SessionFileError(f"{path}: the saved training state is damaged ({exc}).") \
            from None


def _tensor(value: Any, where: str, ndim: int | None = None,
            dtypes: tuple[torch.dtype, ...] | None = None) -> torch.Tensor:
    _expect(isinstance(value, torch.Tensor), where, f"must be a tensor, not {_describe(value)}")
    if ndim is not None:
        _expect(value.ndim == ndim, where, f"must have {ndim} dimension(s), not {value.ndim}")
    if dtypes is not None:
        _expect(value.dtype in dtypes, where, f"has the wrong type ({value.dtype})")
    return value


def _check_state(state: Any, manifest: dict[str, Any]) -> None:
    _expect(isinstance(state, dict), "the state", "must be an object")
    for key in ("version", "epoch", "step", "batch", "base_lr", "model", "optimizer",
                "schedule", "rng", "callbacks"):
        _expect(key in state, "the state", f"lacks {key}")
    _expect(_is_int(state["version"], 1, 1000), "version", "must be a whole number")
    for key in ("epoch", "step", "batch"):
        _expect(_is_int(state[key]), key, f"must be a whole number from 0, not "
                                          f"{_describe(state[key])}")
    _expect(state["epoch"] <= state["step"] and state["batch"] <= state["step"],
            "the position", f"(epoch {state['epoch']}, batch {state['batch']}) cannot come "
            f"after update {state['step']}")
    if "epoch" in manifest:
        _expect(manifest["epoch"] == state["epoch"], "epoch",
                "differs between the manifest and the state")
    _expect(_is_number(state["base_lr"]) and math.isfinite(state["base_lr"])
            and state["base_lr"] > 0, "base_lr", "must be a positive number")
    _expect(_is_number(state.get("epoch_seconds", 0.0)), "epoch_seconds", "must be a number")
    model = state["model"]
    _expect(isinstance(model, dict) and len(model) > 0, "model", "must hold the weights")
    for name, tensor in model.items():
        _expect(isinstance(name, str), "model", "has a weight without a name")
        _tensor(tensor, f"model[{name[:60]!r}]")
    optimizer = state["optimizer"]
    _expect(isinstance(optimizer, dict) and isinstance(optimizer.get("state"), dict)
            and isinstance(optimizer.get("param_groups"), list)
            and all(isinstance(g, dict) and isinstance(g.get("params"), list)
                    for g in optimizer["param_groups"]),
            "optimizer", "must hold its state and parameter groups")
    _expect(isinstance(state["schedule"], dict), "schedule", "must be an object")
    _check_rng(state["rng"])
    for key, ndim in (("perm", 1), ("outputs", None), ("losses", 1)):
        if state.get(key) is not None:
            _tensor(state[key], key, ndim)
    if state.get("perm") is not None:
        _tensor(state["perm"], "perm", 1, (torch.int64,))
    _expect((state.get("outputs") is None) == (state.get("losses") is None), "outputs",
            "and losses must be given together")
    if state.get("losses") is not None:
        _expect(len(state["losses"]) == state["batch"], "losses",
                f"hold {len(state['losses'])} batches, not the {state['batch']} done")
    _check_callbacks(state["callbacks"])


def _check_rng(rng: Any) -> None:
    _expect(isinstance(rng, dict), "rng", f"must be an object, not {_describe(rng)}")
    for key in ("torch", "shuffle"):
        _tensor(rng.get(key), f"rng.{key}", 1, (torch.uint8,))
    _expect(isinstance(rng.get("cuda", []), list), "rng.cuda", "must be a list")
    numpy = rng.get("numpy")
    _expect(isinstance(numpy, dict), "rng.numpy", "must be an object")
    keys = _tensor(numpy.get("keys"), "rng.numpy.keys", 1)
    _expect(keys.numel() == 624, "rng.numpy.keys", "must hold 624 numbers")
    _expect(_is_int(numpy.get("pos"), 0, 624), "rng.numpy.pos", "must be 0 to 624")
    _expect(_is_int(numpy.get("has_gauss"), 0, 1), "rng.numpy.has_gauss", "must be 0 or 1")
    _expect(_is_number(numpy.get("cached")), "rng.numpy.cached", "must be a number")
    python = rng.get("python")
    _expect(isinstance(python, dict), "rng.python", "must be an object")
    _expect(_is_int(python.get("version"), 0, 100), "rng.python.version", "must be a number")
    internal = python.get("internal")
    _expect(isinstance(internal, list) and len(internal) == 625
            and all(_is_int(v, 0, 2**32 - 1) for v in internal[:624])
            and _is_int(internal[624], 0, 624),
            "rng.python.internal", "must be 625 whole numbers")
    gauss = python.get("gauss_next")
    _expect(gauss is None or _is_number(gauss), "rng.python.gauss_next",
            "must be a number or null")


def _check_callbacks(callbacks: Any) -> None:
    _expect(isinstance(callbacks, dict), "callbacks", "must be an object")
    for name, value in callbacks.items():
        _expect(isinstance(value, dict), f"callbacks.{str(name)[:40]}", "must be an object")
    history = callbacks.get("history")
    if history is not None:
        length = history.get("length")
        _expect(_is_int(length, 0, 10**9), "the history's length", "must be a whole number")
        columns = history.get("columns")
        _expect(isinstance(columns, dict), "the history's columns", "must be an object")
        for key, column in columns.items():
            column = _tensor(column, f"the history's column {str(key)[:40]!r}", 1)
            _expect(len(column) == length, f"the history's column {str(key)[:40]!r}",
                    f"holds {len(column)} epochs, not {length}")
        changes = history.get("changes")
        _expect(isinstance(changes, list) and all(isinstance(c, dict) for c in changes),
                "the history's changes", "must be a list of objects")
    stop = callbacks.get("early_stopping")
    if stop is not None:
        _expect(_is_number(stop.get("best")) and _is_int(stop.get("best_epoch"))
                and _is_int(stop.get("wait")) and _is_int(stop.get("restored_epoch", 0)),
                "early stopping's state", "must hold numbers")
        best = stop.get("best_weights")
        _expect(best is None or (isinstance(best, dict) and all(
            isinstance(t, torch.Tensor) for t in best.values())),
            "early stopping's best weights", "must be tensors or null")
    convergence = callbacks.get("convergence")
    if convergence is not None:
        previous = convergence.get("previous")
        _expect((previous is None or _is_number(previous))
                and _is_int(convergence.get("count")), "the convergence state",
                "must hold numbers")
    trajectory = callbacks.get("trajectory")
    if trajectory is not None:  # the landscape's weight path (core/landscape/trajectory.py)
        epochs, snapshots = trajectory.get("epochs"), trajectory.get("snapshots")
        _expect(isinstance(epochs, list) and all(_is_int(e) for e in epochs)
                and _is_int(trajectory.get("every"), 1), "the weight trajectory's epochs",
                "must be whole numbers")
        initial = trajectory.get("initial")
        if initial is not None:
            _tensor(initial, "the weight trajectory's initial weights", 1, (torch.float32,))
        if snapshots is not None:
            _expect(len(_tensor(snapshots, "the weight trajectory's snapshots", 2,
                                (torch.float32,))) ==
                    len(epochs), "the weight trajectory's snapshots", "do not match its epochs")
        else:
            _expect(not epochs, "the weight trajectory's snapshots", "are missing")
    noise = callbacks.get("gradient_noise")
    if noise is not None:
        _expect(all(_is_number(noise.get(k, 0.0)) for k in ("trace_sum", "square_sum")),
                "the gradient noise state", "must hold numbers")
    guard = callbacks.get("divergence_guard")
    if guard is not None:
        for key, value in guard.items():
            _expect(value is None or _is_number(value), f"the divergence guard's {key}",
                    "must be a number or null")


# ---------------------------------------------------------------------- data

_TASKS = ("binary", "multiclass", "regression")


def check_data(path: Path, meta: Any, arrays: dict[str, np.ndarray] | None,
               spec: Any) -> None:
    try:
        _check_data(meta, arrays, spec)
    except _Bad as exc:
        raise SessionFileError(f"{path}: the data is damaged ({exc}).") from None


def _check_data(meta: Any, arrays: dict[str, np.ndarray] | None, spec: Any) -> None:
    _expect(isinstance(meta, dict), "data.json", "must be an object")
    _expect(isinstance(meta.get("recipe"), str), "data.json's recipe", "must be text")
    for key in ("feature_names", "class_names"):
        if key in meta:
            _expect(isinstance(meta[key], list) and all(isinstance(n, str) for n in meta[key]),
                    f"data.json's {key}", "must be a list of text")
    if "task" in meta:
        _expect(meta["task"] in _TASKS, "data.json's task", f"must be one of "
                                                            f"{', '.join(_TASKS)}")
    shape = meta.get("image_shape")
    _expect(shape is None or (isinstance(shape, list) and len(shape) == 3
                              and all(_is_int(d, 1, 100_000) for d in shape)),
            "data.json's image_shape", "must be three positive whole numbers or null")
    for key in ("embedded",):
        _expect(isinstance(meta.get(key, False), bool), f"data.json's {key}",
                "must be true or false")
    _expect(isinstance(meta.get("reference", ""), str), "data.json's reference",
            "must be text")
    if arrays is None:
        _expect(not meta.get("embedded"), "data.safetensors", "is missing")
        return
    _expect(meta.get("embedded") is True and spec.data.name == "file", "data.safetensors",
            "is only embedded for imported files")
    for key in ("task", "feature_names", "class_names"):
        _expect(key in meta, "data.json", f"lacks {key}")
    _expect(set(arrays) == {"X", "y"}, "data.safetensors", "must hold exactly X and y")
    X, y = arrays["X"], arrays["y"]
    _expect(X.ndim == 2 and X.dtype == np.float32, "X", f"must be a float32 table, not "
                                                        f"{X.ndim}-D {X.dtype}")
    _expect(X.shape[0] > 0 and X.shape[1] > 0, "X", "must have rows and columns")
    _expect(len(meta["feature_names"]) == X.shape[1], "data.json's feature_names",
            f"name {len(meta['feature_names'])} columns, but X has {X.shape[1]}")
    _expect(bool(np.isfinite(X).all()), "X", "holds NaN or infinite values")
    _expect(len(y) == len(X), "y", f"has {len(y)} rows, but X has {len(X)}")
    if shape is not None:
        _expect(math.prod(shape) == X.shape[1], "data.json's image_shape",
                f"holds {math.prod(shape)} values, but X has {X.shape[1]} columns")
    if meta["task"] == "regression":
        _expect(y.ndim == 2 and y.shape[1] >= 1 and y.dtype == np.float32, "y",
                "of a regression must be a float32 column")
        _expect(bool(np.isfinite(y).all()), "y", "holds NaN or infinite values")
    else:
        classes = len(meta["class_names"])
        _expect(y.ndim == 1 and y.dtype == np.int64, "y", "of a classification must be "
                                                          "whole class numbers")
        _expect(classes >= 2 and bool(((y >= 0) & (y < classes)).all()), "y",
                f"must hold class numbers from 0 to {classes - 1}")


# ------------------------------------------------------------------ restoring

def restore_state(trainer: Any, state: dict[str, Any], path: Any) -> None:
    """Load `state` into `trainer` after checking that it fits: the same tensors with
    the same shapes, a position inside an epoch of this data. SessionFileError (one
    sentence) otherwise."""
    where = str(path)[:200]
    current = trainer.model.state_dict()
    saved = state["model"]
    missing, extra = sorted(set(current) - set(saved)), sorted(set(saved) - set(current))
    if missing or extra:
        raise SessionFileError(
            f"{where} does not fit its own network: the network its spec describes has "
            f"{len(current)} weight tensors, the file {len(saved)} ("
            + (f"{missing[0]} is missing" if missing else f"{extra[0][:60]} is extra") + ").")
    for name, tensor in current.items():
        if tuple(saved[name].shape) != tuple(tensor.shape):
            raise SessionFileError(
                f"{where} does not fit its own network: {name} is saved as "
                f"{_shape(saved[name])} but the network has {_shape(tensor)}.")
    spe, n = trainer.steps_per_epoch, trainer.n_train
    if state["batch"] >= spe:
        raise SessionFileError(f"{where} does not fit its data: it stopped at batch "
                               f"{state['batch']:,} of an epoch that has {spe:,} batches.")
    if state["batch"]:
        perm, outputs = state.get("perm"), state.get("outputs")
        if perm is not None and (len(perm) != n or (n and (int(perm.min()) < 0 or
                                                           int(perm.max()) >= n))):
            raise SessionFileError(f"{where} does not fit its data: the saved order of "
                                   f"the {n:,} training rows is damaged.")
        done = sum(end - start for start, end in trainer._bounds[:state["batch"]])
        if outputs is None or len(outputs) != done:
            raise SessionFileError(f"{where} does not fit its data: the outputs saved for "
                                   "the current epoch do not match its batches.")
    try:
        trainer.load_state_dict(state)
    except PlaygroundError as exc:
        raise SessionFileError(f"{where} cannot be restored: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a state that does not fit, in words
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise SessionFileError(f"{where} cannot be restored: its saved training state "
                               f"does not fit this network ({first}).") from None


def _shape(tensor: torch.Tensor) -> str:
    return "x".join(map(str, tensor.shape)) or "a scalar"
