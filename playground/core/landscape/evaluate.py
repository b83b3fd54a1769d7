"""The loss at many weight points at once, on a fixed sample of the training rows.

Every point is a row of a (points, P) matrix of flat weights (see trajectory.flat_weights
for the order). torch.func.vmap maps one functional forward pass over the rows, so a
Dense layer becomes one batched matrix multiply for a chunk of points: a 31x31 slice of
the spiral network (961 points, 348 rows) took 0.04 s here, one point at a time about
1 s. Buffers (BatchNorm's running statistics) stay the network's current ones, and the
network is evaluated as at validation: dropout off, running statistics used.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import torch
from torch.func import functional_call, vmap

from ..device import forward_work

SAMPLE_ROWS = 1024   # training rows the landscape is measured on, at most ...
MIN_ROWS = 128       # ... and at least (when there are as many)
WORK_PER_POINT = 5_000_000  # multiply-adds per weight point: larger networks use fewer
                            # rows (a 31x31 slice of the 64-unit digits net, 4,736 per
                            # row at 1,024 rows: 1.0 s here; convolutions under vmap cost
                            # about 5x more per multiply-add)
SAMPLE_SEED = 0      # the sample is the same every time for the same data
CHUNK = 32           # points per vmapped forward pass (bounds the activations' memory)


def sample_rows(x: torch.Tensor, y: torch.Tensor,
                rows: int = SAMPLE_ROWS) -> tuple[torch.Tensor, torch.Tensor]:
    """All the training rows, or a fixed random `rows` of them when there are more."""
    if len(x) <= rows:
        return x, y
    pick = torch.randperm(len(x), generator=torch.Generator().manual_seed(SAMPLE_SEED))[:rows]
    pick = pick.sort().values.to(x.device)
    return x.index_select(0, pick), y.index_select(0, pick)


class LossSurface:
    """loss(weights) for a network, a criterion and a sample, many weights at once.
    Works on its own copy of the network (from_trainer makes it), so once made it can
    be used on another thread while the trainer goes on."""

    def __init__(self, model: torch.nn.Module, criterion: Callable, x: torch.Tensor,
                 y: torch.Tensor, copied: bool = False) -> None:
        self.model = (model if copied else copy.deepcopy(model)).cpu().eval()
        self.criterion = criterion
        self.x, self.y = x.cpu(), y.cpu()
        named = list(self.model.named_parameters())
        self.names = [name for name, _ in named]
        self.shapes = [p.shape for _, p in named]
        self.sizes = [p.numel() for _, p in named]
        self.buffers = {k: v.detach() for k, v in self.model.named_buffers()}
        self.size = sum(self.sizes)

    @classmethod
    def from_trainer(cls, trainer: Any, rows: int | None = None) -> "LossSurface":
        """The trainer's network and criterion on a fixed sample of its training rows:
        SAMPLE_ROWS, fewer for a network whose forward pass costs more (see
        WORK_PER_POINT). Reads the trainer: call it while nothing trains it."""
        model = copy.deepcopy(trainer.model)  # the trainer's own is never switched or hooked
        x = trainer.x["train"]
        if rows is None:
            per_row = forward_work(model, x[:1]) if len(x) else 1
            rows = int(min(SAMPLE_ROWS, max(MIN_ROWS, WORK_PER_POINT // max(1, per_row))))
        x, y = sample_rows(x, trainer.y["train"], rows)
        return cls(model, trainer.loss_fn, x, y, copied=True)

    @property
    def rows(self) -> int:
        return len(self.x)

    def _loss_at(self, flat: torch.Tensor) -> torch.Tensor:
        parts = {name: piece.view(shape) for name, piece, shape in
                 zip(self.names, flat.split(self.sizes), self.shapes)}
        out = functional_call(self.model, (parts, self.buffers), (self.x,))
        return self.criterion(out, self.y)

    def losses(self, weights: torch.Tensor) -> torch.Tensor:
        """The loss at each row of `weights` (points, P): a (points,) float tensor."""
        if weights.dim() != 2 or weights.shape[1] != self.size:
            raise ValueError(f"weights must be (points, {self.size}), not "
                             f"{tuple(weights.shape)}")
        with torch.inference_mode():
            return vmap(self._loss_at, chunk_size=CHUNK)(weights.float())
