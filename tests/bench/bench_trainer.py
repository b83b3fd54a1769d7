"""Trainer overhead against a plain, well-written PyTorch loop, in one process.

    .venv/bin/python -m tests.bench.bench_trainer [--quick]

For each workload both sides train the same network (same initial weights, same fused or
foreach optimizer, same data resident as tensors) for the same epochs, interleaved, and
we print the median time per epoch and the ratio trainer / plain. The trainer runs with
everything on: per-epoch events, train metrics, validation loss and metrics, per-layer
gradient and weight norms, History and the divergence guard. The plain loop permutes the
data once per epoch and slices views, zero_grad(set_to_none=True), and computes the
validation loss once per epoch. The goal is a ratio of at most 1.05.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

from playground.core.callbacks import Callback
from playground.core.data import from_arrays, prepare
from playground.core.model import build_model
from playground.core.optim import build_optimizer
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)
from playground.core.trainer import Trainer


@dataclass(frozen=True)
class Workload:
    name: str
    layers: tuple[tuple[int, str], ...]
    optimizer: str
    lr: float
    batch: int
    epochs_per_timing: int


WORKLOADS = (
    Workload("W1 768x8 -> 32 relu -> 1, Adam, batch 10", ((32, "relu"), (1, "linear")),
             "adam", 0.01, 10, 10),
    Workload("W2 60000x784 -> 256-128-64-10, SGD momentum, batch 128",
             ((256, "relu"), (128, "relu"), (64, "relu"), (10, "linear")),
             "momentum", 0.05, 128, 1),
    Workload("W3 digits 64-64-10, Adam, batch 32", ((64, "relu"), (10, "linear")),
             "adam", 0.001, 32, 10),
)


def _data(workload: Workload, rng: np.random.Generator):
    if workload.name.startswith("W1"):
        x = rng.normal(size=(768 + 135, 8)).astype(np.float32)
        y = (x[:, 0] * x[:, 1] + x[:, 2] > 0).astype(np.int64)
        return from_arrays("w1", "binary", (x[:768], y[:768]), (x[768:], y[768:]),
                           (x[:0], y[:0]), ("0", "1"))
    if workload.name.startswith("W2"):
        x = rng.normal(size=(60_000 + 10_000, 784)).astype(np.float32)
        teacher = rng.normal(size=(784, 10)).astype(np.float32)
        y = (x @ teacher).argmax(axis=1)
        return from_arrays("w2", "multiclass", (x[:60_000], y[:60_000]),
                           (x[60_000:], y[60_000:]), (x[:0], y[:0]),
                           tuple(str(i) for i in range(10)))
    # No test split: fit() evaluates it once per call, which a real run does once, while
    # the benchmark calls fit() every few epochs.
    return prepare(DataSpec("digits", split=(0.85, 0.15, 0.0)))


def _spec(workload: Workload) -> SessionSpec:
    layers = tuple(LayerSpec("dense", {"units": units, "activation": act})
                   for units, act in workload.layers)
    return SessionSpec(data=DataSpec("digits"), model=ModelSpec(layers),
                       optimizer=OptimizerSpec(workload.optimizer, workload.lr),
                       train=TrainSpec(batch_size=workload.batch, epochs=10_000_000,
                                       device="cpu"))


class _StopAfter(Callback):
    def __init__(self) -> None:
        self.remaining = 0

    def on_epoch_end(self, trainer, event) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            trainer.request_stop("stopped")


class PlainLoop:
    """What a careful engineer writes by hand, on the same data and initial weights."""

    def __init__(self, trainer: Trainer, workload: Workload) -> None:
        built = build_model(trainer.spec.model, trainer.data.input_shape, trainer.head)
        built.module.load_state_dict(trainer.model.state_dict())
        self.model = built.module
        self.optimizer = build_optimizer(workload.optimizer, workload.lr, {}, 0.0,
                                         self.model.parameters())
        self.loss_fn = trainer.head.criterion()
        self.x, self.y = trainer.x["train"], trainer.y["train"]
        self.xv, self.yv = trainer.x["val"], trainer.y["val"]
        self.batch = workload.batch
        self.generator = torch.Generator().manual_seed(0)

    def epoch(self) -> float:
        model, optimizer, loss_fn, batch = self.model, self.optimizer, self.loss_fn, self.batch
        model.train()
        perm = torch.randperm(len(self.x), generator=self.generator)
        xp, yp = self.x[perm], self.y[perm]
        for start in range(0, len(xp), batch):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xp[start:start + batch]), yp[start:start + batch])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            return loss_fn(model(self.xv), self.yv).item()


def measure(workload: Workload, repeats: int) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(0)
    stopper = _StopAfter()
    trainer = Trainer(_spec(workload), data=_data(workload, rng), callbacks=[stopper])
    plain = PlainLoop(trainer, workload)
    k = workload.epochs_per_timing

    def trainer_epochs() -> float:
        stopper.remaining = k
        start = time.perf_counter()
        trainer.fit()
        return (time.perf_counter() - start) / k

    def plain_epochs() -> float:
        start = time.perf_counter()
        for _ in range(k):
            plain.epoch()
        return (time.perf_counter() - start) / k

    trainer_epochs(), plain_epochs()  # warm-up: allocator, kernels, caches
    trainer_times, plain_times = [], []
    for index in range(repeats):  # interleaved, alternating who goes first
        pair = (trainer_epochs, plain_epochs) if index % 2 == 0 else (plain_epochs, trainer_epochs)
        for run in pair:
            (trainer_times if run is trainer_epochs else plain_times).append(run())
    return trainer_times, plain_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--only", help="run workloads whose name starts with this (W1, W2, W3)")
    args = parser.parse_args()
    repeats = 3 if args.quick else 11
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"median of {repeats} interleaved timings; 'spread' is the ratio's range over "
          "the middle half of the paired timings (this machine's noise)")
    print(f"{'workload':<58} {'trainer s/epoch':>15} {'plain s/epoch':>14} {'ratio':>6} "
          f"{'spread':>13}")
    for workload in WORKLOADS:
        if args.only and not workload.name.startswith(args.only):
            continue
        ours, theirs = measure(workload, repeats)
        ratio = statistics.median(ours) / statistics.median(theirs)
        pairs = sorted(a / b for a, b in zip(ours, theirs))
        low, high = pairs[len(pairs) // 4], pairs[(3 * len(pairs)) // 4]
        print(f"{workload.name:<58} {statistics.median(ours):>15.5f} "
              f"{statistics.median(theirs):>14.5f} {ratio:>6.3f} {low:>6.3f}-{high:<6.3f}",
              flush=True)


if __name__ == "__main__":
    main()
