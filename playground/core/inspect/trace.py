"""One weight followed over time: its value, its gradient, the optimizer's state for it
(a momentum buffer, Adam's m and v, ...) and its effective step, the mean change per
update since the last look. Read in the training thread, between updates."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import torch

from .edit import _locate


@dataclass(frozen=True)
class WeightTrace:
    where: tuple            # (layer, unit, source or None for the bias)
    epoch: int
    step: int
    value: float
    grad: float             # NaN before the first update
    state: Mapping[str, float]   # the optimizer's per-parameter buffers at this weight
    effective_step: float   # (value - value at the last trace) / updates between; NaN first


class Tracer:
    """Makes WeightTraces of one chosen weight; remembers the last value for the step."""

    def __init__(self, where: tuple) -> None:
        self.where = where
        self._last: tuple[int, float] | None = None

    def trace(self, trainer) -> WeightTrace:
        tensor, index = _locate(trainer, *self.where)
        value = float(tensor.detach()[index])
        grad = float(tensor.grad[index]) if tensor.grad is not None else float("nan")
        state = {}
        for name, buffer in trainer.optimizer.state.get(tensor, {}).items():
            if isinstance(buffer, torch.Tensor) and buffer.shape == tensor.shape:
                state[name] = float(buffer[index])
        step = float("nan")
        if self._last is not None and trainer.step > self._last[0]:
            step = (value - self._last[1]) / (trainer.step - self._last[0])
        if self._last is None or trainer.step > self._last[0]:
            self._last = (trainer.step, value)
        return WeightTrace(self.where, trainer.epoch, trainer.step, value, grad,
                           MappingProxyType(state), step)
