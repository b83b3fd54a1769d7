"""A trained network with everything needed to use it on raw rows: the fitted input
scaling, the engineered inputs, the output's meaning (classes or target units).

`PredictNet` folds all of that into one torch module, so ONNX, the predict command and
the window's Predict view compute exactly the same thing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..data.transforms import Scaler
from ..errors import PlaygroundError
from ..losses import Head, resolve_head
from ..model import build_model
from ..spec import SessionSpec


class ExportError(PlaygroundError):
    """An export or a prediction that cannot be made; the message says why."""


@dataclass(frozen=True)
class TrainedModel:
    spec: SessionSpec
    module: nn.Sequential          # the network as trained (final activation folded out)
    head: Head
    scaler: Scaler                 # fitted on the training rows
    target_scaler: Scaler | None   # regression targets, when scaled
    raw_features: tuple[str, ...]  # the columns a user gives (x1, x2 for 2-D sets)
    class_names: tuple[str, ...]   # () for regression
    input_shape: tuple[int, ...]
    data_sha256: str | None = None  # the data it was trained on, to check a rebuild

    @property
    def is_classification(self) -> bool:
        return self.head.is_classification

    @property
    def gives_probabilities(self) -> bool:
        """bce and cce outputs are probabilities; mse or hinge on classes are scores."""
        return self.head.loss in ("bce", "cce")

    @property
    def output_names(self) -> tuple[str, ...]:
        """One name per column of PredictNet's output."""
        if not self.is_classification:
            return tuple(f"y{i + 1}" if self.head.n_outputs > 1 else "y"
                         for i in range(self.head.n_outputs))
        prefix = "p_" if self.gives_probabilities else "score_"
        if self.head.n_outputs == 1 and not self.gives_probabilities:
            return ("score",)
        return tuple(prefix + name for name in self.class_names)

    def predict_net(self) -> "PredictNet":
        return PredictNet(self).eval()

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Outputs (what PredictNet returns) and the predicted class or value per row."""
        net = self.predict_net()
        with torch.inference_mode():
            out = net(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))).numpy()
        return out, self.labels(out)

    def labels(self, out: np.ndarray) -> list[str]:
        if not self.is_classification:
            return [format(float(v), ".6g") for v in out[:, 0]]
        if out.shape[1] > 1:
            return [self.class_names[i] for i in out.argmax(axis=1)]
        threshold = 0.5 if self.head.loss not in ("hinge",) else 0.0
        return [self.class_names[int(v > threshold)] for v in out[:, 0]]


_TORCH_FEATURES = {  # the engineered inputs of core.data.features, on tensors
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b, "x1x2": lambda a, b: a * b,
    "sinx1": lambda a, b: torch.sin(a), "sinx2": lambda a, b: torch.sin(b),
}


class PredictNet(nn.Module):
    """Raw feature columns (float32) in; class probabilities (or scores), or values in
    the target's units, out. Evaluation mode: dropout off, BatchNorm's running stats."""

    def __init__(self, trained: TrainedModel) -> None:
        super().__init__()
        self.inputs = tuple(trained.spec.data.inputs)
        self.method = trained.scaler.method
        offset, scale = _scaler_tensors(trained.scaler, len(trained.raw_features)
                                        if not self.inputs else len(self.inputs))
        self.register_buffer("offset", offset)
        self.register_buffer("scale", scale)
        self.network = trained.module
        self.loss, self.outputs = trained.head.loss, trained.head.n_outputs
        target = trained.target_scaler
        t_offset, t_scale = _scaler_tensors(target, self.outputs) if target else (
            torch.zeros(self.outputs), torch.ones(self.outputs))
        self.register_buffer("target_offset", t_offset)
        self.register_buffer("target_scale", t_scale)
        self.regression = not trained.is_classification

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.inputs:
            a, b = x[:, 0], x[:, 1]
            x = torch.stack([_TORCH_FEATURES[name](a, b) for name in self.inputs], dim=1)
        if self.method == "normalize":
            norms = torch.linalg.vector_norm(x, dim=1, keepdim=True)
            x = x / torch.where(norms > 0, norms, torch.ones_like(norms))
        elif self.method != "none":
            x = (x - self.offset) / self.scale
        out = self.network(x)
        if self.regression:
            return out * self.target_scale + self.target_offset
        if self.loss == "cce":
            return torch.softmax(out, dim=1)
        if self.loss == "bce":
            p = torch.sigmoid(out)
            return torch.cat([1.0 - p, p], dim=1)  # p_<first class>, p_<second class>
        return out


def _scaler_tensors(scaler: Scaler, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    if scaler.offset is None:
        return torch.zeros(width), torch.ones(width)
    return (torch.as_tensor(np.asarray(scaler.offset, np.float32).reshape(-1)),
            torch.as_tensor(np.asarray(scaler.scale, np.float32).reshape(-1)))


# ------------------------------------------------------------------- loading

def load_trained(path: str | Path) -> TrainedModel:
    """The trained network of a saved session (.pgsession or .pgrun)."""
    from ..sessionfile import open_any, prepared_data

    session = open_any(path)
    if session.state is None:
        raise ExportError(f"{Path(path).name} holds a session that was never trained; "
                          "train it first, then export.")
    meta, spec = session.data_meta, session.spec
    if session.scaler and meta.get("task"):
        scaler = Scaler.from_state(session.scaler["features"])
        target = session.scaler.get("target")
        target_scaler = Scaler.from_state(target) if target else None
        task, classes = meta["task"], tuple(meta.get("class_names") or ())
        names = tuple(meta.get("feature_names") or ())
        shape = tuple(meta["image_shape"]) if meta.get("image_shape") else (len(names),)
        n_targets = len(target_scaler.offset) if target_scaler is not None and \
            target_scaler.offset is not None else 1
    else:  # an older file without the fitted scaling: rebuild the data once
        data = prepared_data(session)
        scaler, target_scaler = data.scaler, data.target_scaler
        task, classes = data.task, data.dataset.class_names
        names, shape, n_targets = data.dataset.feature_names, data.input_shape, data.n_targets
    head = resolve_head(spec.train.loss, task, len(classes), n_targets, spec.data.name)
    return _assemble(spec, session.state["model"], head, scaler, target_scaler, names,
                     classes, shape, session.manifest.get("data_sha256"))


def from_trainer(trainer: Any) -> TrainedModel:
    """The trainer's network as it stands (a copy of its weights, on the CPU)."""
    from ..sessionfile.format import data_sha256

    data = trainer.data
    return _assemble(trainer.spec, trainer.model.state_dict(), trainer.head, data.scaler,
                     data.target_scaler, data.dataset.feature_names,
                     data.dataset.class_names, data.input_shape,
                     data_sha256(data.dataset.X, data.dataset.y))


def _assemble(spec: SessionSpec, weights: dict[str, torch.Tensor], head: Head,
              scaler: Scaler, target_scaler: Scaler | None, names: tuple[str, ...],
              classes: tuple[str, ...], shape: tuple[int, ...],
              data_hash: str | None = None) -> TrainedModel:
    with torch.random.fork_rng(devices=[]):  # throwaway initial weights, then loaded
        built = build_model(spec.model, tuple(shape), head)
    module = built.module
    module.load_state_dict({k: v.detach().cpu().clone() for k, v in weights.items()})
    module.eval()
    raw = ("x1", "x2") if spec.data.inputs else tuple(names)
    if len(raw) != math.prod(shape) and not spec.data.inputs:
        raw = tuple(f"x{i + 1}" for i in range(math.prod(shape)))
    return TrainedModel(spec, module, head, scaler, target_scaler, raw, tuple(classes),
                        tuple(shape), data_hash)
