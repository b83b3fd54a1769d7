"""The trainer's exact state: everything needed to continue a run bit-identically.

Split from trainer.py (the loop) so each reads on its own. The position inside the epoch
and every random generator are saved as they will be consumed next.
"""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from .errors import SpecError

STATE_VERSION = 1


class ExactState:
    """Mixed into Trainer: state_dict() and load_state_dict()."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue bit-identically, as tensors and plain values."""
        filled = bool(self.batch and self._outputs)
        return {
            "version": STATE_VERSION,
            "epoch": self.epoch, "step": self.step, "batch": self.batch,
            "base_lr": self.base_lr,
            "epoch_seconds": self._epoch_seconds,
            "model": {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()},
            "optimizer": _to_cpu(self.optimizer.state_dict()),
            "schedule": self.schedule.state_dict(),
            "rng": _rng_state(self._next_shuffle_state()),
            "perm": self._perm.clone() if (self.batch and self._perm is not None) else None,
            "outputs": torch.cat(self._outputs).cpu().clone() if filled else None,
            "losses": torch.stack(self._losses).cpu().clone() if filled else None,
            "callbacks": {cb.name: cb.state_dict() for cb in self.callbacks
                          if cb.state_dict()},
        }

    def _next_shuffle_state(self) -> torch.Tensor:
        """The shuffle generator as the next update will consume it. At an epoch
        boundary the next epoch's permutation may already be drawn (the control is served
        after it, before the first batch); the saved position is batch 0, so the state
        must be the one from before that draw, or the resumed run shuffles differently."""
        if self.batch == 0 and self._shuffle_before_epoch is not None:
            return self._shuffle_before_epoch
        return self.shuffle_generator.get_state()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("version") != STATE_VERSION:
            raise SpecError(f"Unsupported trainer state version {state.get('version')!r}.")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        self.epoch, self.step, self.batch = state["epoch"], state["step"], state["batch"]
        self.base_lr = float(state["base_lr"])
        _set_rng_state(state["rng"], self.shuffle_generator)
        for callback in self.callbacks:
            if callback.name in state["callbacks"]:
                callback.load_state_dict(state["callbacks"][callback.name])
        self._restore_position(state)

    def _restore_position(self, state: dict[str, Any]) -> None:
        self._yp = self._batch_index = None
        self._epoch_open, self._shuffle_before_epoch = False, None
        if not self.batch:
            return
        self._set_order(state["perm"])
        self._outputs = [state["outputs"].to(self.device)]
        self._losses = list(state["losses"].to(self.device).unbind())
        self._epoch_seconds = float(state["epoch_seconds"])


def _rng_state(shuffle_state: torch.Tensor) -> dict[str, Any]:
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached": float(cached)},
        "python": {"version": version, "internal": list(internal), "gauss_next": gauss_next},
        "shuffle": shuffle_state.clone(),
    }


def _set_rng_state(state: dict[str, Any], shuffle: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["cached"]))
    p = state["python"]
    random.setstate((p["version"], tuple(p["internal"]), p["gauss_next"]))
    shuffle.set_state(state["shuffle"])


def _to_cpu(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(v) for v in value)
    return value
