"""Each stacked optimizer update against torch.optim, run by run (core.experiments)."""
from __future__ import annotations

import pytest
import torch

from playground.core.experiments.batched_optim import BATCHED_OPTIMIZERS, StackedUpdate
from playground.core.optim import build_optimizer

# Per run: (lr, optimizer parameters, L2); three runs differing in everything.
CASES = {
    "sgd": [(0.1, {}, 0.0), (0.03, {}, 0.01), (0.5, {}, 0.0)],
    "momentum": [(0.05, {"momentum": 0.9}, 0.0), (0.1, {"momentum": 0.5}, 0.01),
                 (0.01, {"momentum": 0.0}, 0.0)],
    "nesterov": [(0.05, {"momentum": 0.9}, 0.0), (0.1, {"momentum": 0.5}, 0.01),
                 (0.01, {"momentum": 0.99}, 0.0)],
    "adam": [(0.01, {}, 0.0), (0.001, {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, 0.01),
             (0.05, {"amsgrad": True}, 0.0)],
    "adamw": [(0.01, {}, 0.01), (0.001, {"beta1": 0.5}, 0.1), (0.05, {"amsgrad": True}, 0.0)],
    "rmsprop": [(0.01, {}, 0.0), (0.001, {"alpha": 0.9, "momentum": 0.9}, 0.01),
                (0.005, {"centered": True}, 0.0)],
    "adagrad": [(0.05, {}, 0.0), (0.1, {"lr_decay": 0.01}, 0.01), (0.01, {"eps": 1e-6}, 0.0)],
}


@pytest.mark.parametrize("name", BATCHED_OPTIMIZERS)
def test_stacked_update_matches_torch_optim(name):
    runs, size, steps = CASES[name], 37, 40
    torch.manual_seed(0)
    start = torch.randn(len(runs), size)
    grads = [torch.randn(len(runs), size) for _ in range(steps)]
    stacked = start.clone()
    update = StackedUpdate(name, [p for _, p, _ in runs], [wd for *_, wd in runs], size)
    lr = torch.tensor([[lr] for lr, _, _ in runs])
    for grad in grads:
        update.step(stacked, grad + 0.1 * stacked, lr)  # a gradient that depends on w
    for row, (run_lr, params, wd) in enumerate(runs):
        alone = torch.nn.Parameter(start[row].clone())
        optimizer = build_optimizer(name, run_lr, params, wd, [alone])
        for grad in grads:
            alone.grad = grad[row] + 0.1 * alone.detach()
            optimizer.step()
        torch.testing.assert_close(stacked[row], alone.detach(), rtol=1e-5, atol=1e-6)
