"""Model files other runtimes open: ONNX (through torch's exporter) and safetensors.

Both carry the fitted input scaling: the ONNX graph applies it inside (raw columns in,
what `playground predict` prints out); the safetensors file holds the network's own
weights, and its spec JSON beside it says how to rebuild and feed it.
"""
from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import torch

from ..session import atomic_write
from .trained import TrainedModel

ONNX_OPSET = 18


def export_onnx(trained: TrainedModel, path: str | Path) -> Path:
    """Write the model as ONNX: input `features` (batch x raw columns, float32), output
    `output` (batch x trained.output_names)."""
    from .extras import require

    require("onnx")  # the exporter needs onnx and onnxscript: said in words if missing
    net = trained.predict_net()
    example = torch.zeros(2, len(trained.raw_features))
    batch = torch.export.Dim("batch", min=1)
    with _quiet_exporter():
        program = torch.onnx.export(
            net, (example,), input_names=["features"], output_names=["output"],
            dynamic_shapes={"x": {0: batch}}, dynamo=True, opset_version=ONNX_OPSET,
            verbose=False)
    proto = program.model_proto  # a new proto on each access: take it once
    _describe(proto, trained)
    body = proto.SerializeToString()
    atomic_write(Path(path), lambda file: file.write(body))
    return Path(path)


def _describe(proto: Any, trained: TrainedModel) -> None:
    """What the columns mean, in the model's metadata (Netron and onnxruntime show it)."""
    for key, value in (("inputs", json.dumps(list(trained.raw_features))),
                       ("outputs", json.dumps(list(trained.output_names))),
                       ("task", trained.head.task),
                       ("spec", trained.spec.to_json())):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value


class _quiet_exporter:
    """The exporter logs a warning per torchvision op it cannot register and prints its
    progress; none of it concerns this model."""

    def __enter__(self) -> None:
        self._level = logging.getLogger("torch.onnx").level
        logging.getLogger("torch.onnx").setLevel(logging.ERROR)
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc: Any) -> None:
        self._warnings.__exit__(*exc)
        logging.getLogger("torch.onnx").setLevel(self._level)


def spec_path_for(weights: str | Path) -> Path:
    """model.safetensors -> model.json, beside it."""
    return Path(weights).with_suffix(".json")


def export_weights(trained: TrainedModel, path: str | Path) -> tuple[Path, Path]:
    """The network's weights as safetensors (with the spec in its metadata) and the
    spec, the scaling and the column names as JSON beside it."""
    from .extras import require

    require("weights")
    from safetensors.torch import save

    path = Path(path)
    tensors = {name: t.detach().cpu().contiguous()
               for name, t in trained.module.state_dict().items()}
    info = weights_info(trained)
    body = save(tensors, metadata={"format": "gradient-playground-weights",
                                   "spec": json.dumps(info["spec"])})
    sidecar = spec_path_for(path)
    atomic_write(path, lambda file: file.write(body))
    text = json.dumps(info, indent=2).encode()
    atomic_write(sidecar, lambda file: file.write(text))
    return path, sidecar


def weights_info(trained: TrainedModel) -> dict[str, Any]:
    target = trained.target_scaler
    return {"format": "gradient-playground-weights", "version": 1,
            "spec": trained.spec.to_dict(),
            "inputs": list(trained.raw_features), "outputs": list(trained.output_names),
            "input_shape": list(trained.input_shape), "task": trained.head.task,
            "loss": trained.head.loss, "classes": list(trained.class_names),
            "scaling": trained.scaler.state_dict(),
            "target_scaling": target.state_dict() if target is not None else None}
