"""Which runs can train as one stacked model, and which runs can share one.

A run stacks when every part of it has a stacked form (Dense layers and elementwise
activations; dropout only at rate 0) and the Trainer's behaviour it asks for can be
reproduced run by run; runs share a stacked model when they differ only in what the
stacked model keeps per run: seed, L2, optimizer and the layers' initialisation.
"""
from __future__ import annotations

import json
from dataclasses import replace

from ..spec import SessionSpec
from .batched_optim import BATCHED_OPTIMIZERS

_STACKABLE = ("dense", "flatten", "relu", "leaky_relu", "elu", "gelu", "silu", "sigmoid",
              "tanh", "softmax", "linear")


def shared_key(spec: SessionSpec) -> str:
    """What runs of one stacked model must share, as text: the spec without what may
    differ per run (seed, L2, the optimizer and the layers' initialisation)."""
    layers = tuple(replace(layer, params={k: v for k, v in layer.params.items()
                                          if k != "init"}) for layer in spec.model.layers)
    shared = replace(spec, model=replace(spec.model, layers=layers),
                     optimizer=replace(spec.optimizer, name="", lr=1.0, params={}),
                     train=replace(spec.train, seed=0, l2=0.0, threads=0))
    return json.dumps(shared.to_dict(), sort_keys=True)


def refusal(spec: SessionSpec) -> str | None:
    """Why this run cannot be trained stacked (a phrase), or None when it can."""
    train = spec.train
    if spec.optimizer.name not in BATCHED_OPTIMIZERS:
        return f"the {spec.optimizer.name} optimizer has no stacked update"
    odd = [layer.kind for layer in spec.model.layers if layer.kind not in _STACKABLE
           and not (layer.kind == "dropout" and layer.params.get("rate", 0.5) == 0)]
    if odd:  # dropout at rate 0 does nothing; any other dropout draws random masks
        return f"a {odd[0]} layer has no stacked form"
    for name, value in (("early stopping", train.early_stopping.enabled),
                        ("a step limit", train.max_steps), ("L1", train.l1),
                        ("gradient clipping", train.clip_norm or train.clip_value)):
        if value:
            return f"{name} is trained run by run"
    return None
