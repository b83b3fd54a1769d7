"""The trainer against the fastest hand-written loop we know, and against the tutorial loop.

    .venv/bin/python -m tests.bench.bench_trainer [--quick] [--only W2] [--threads N]
    .venv/bin/python -m tests.bench.bench_trainer --memory     # peak memory of a W2 run
    .venv/bin/python -m tests.bench.bench_trainer --startup    # start to first epoch, W3

Per workload, three loops train the same network from the same initial weights on the
same resident data, at the same thread count, round-robin (the order rotates every
round, so a drift in this machine's speed hits all three), and we print the median of
the per-round ratios:

- ours: Trainer.fit() with everything on: per-epoch events, train metrics, validation
  loss and metrics every epoch, per-layer gradient and weight norms, History and the
  divergence guard.
- ref ("d+"): the fastest loop we know: a fused optimizer (the same torch.optim class and
  flags as ours), a randperm per epoch, each batch gathered by index from the resident
  tensor (no permuted copy of the set), zero_grad(set_to_none=True), and the validation
  loss once per epoch in inference mode.
- tutorial: the loop of the PyTorch tutorials: a DataLoader over a TensorDataset with
  shuffle=True, the optimizer's default (foreach) implementation, model.train() and
  model.eval() each epoch, validation loss under no_grad.

The thread count is the one the app picks for the workload (core.device.choose_threads):
headless and in the window (interactive); --threads N forces one for every loop.
Goal: ours / ref <= 1.0.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch

from playground.core.callbacks import Callback
from playground.core.data import from_arrays, prepare
from playground.core.device import choose_threads
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
        x = rng.standard_normal(size=(768 + 135, 8), dtype=np.float32)
        y = (x[:, 0] * x[:, 1] + x[:, 2] > 0).astype(np.int64)
        return from_arrays("w1", "binary", (x[:768], y[:768]), (x[768:], y[768:]),
                           (x[:0], y[:0]), ("0", "1"))
    if workload.name.startswith("W2"):
        x = rng.standard_normal(size=(60_000 + 10_000, 784), dtype=np.float32)
        teacher = rng.standard_normal(size=(784, 10), dtype=np.float32)
        y = (x @ teacher).argmax(axis=1)
        return from_arrays("w2", "multiclass", (x[:60_000], y[:60_000]),
                           (x[60_000:], y[60_000:]), (x[:0], y[:0]),
                           tuple(str(i) for i in range(10)))
    # No test split: fit() evaluates it once per call, which a real run does once, while
    # the benchmark calls fit() every few epochs.
    return prepare(DataSpec("digits", split=(0.85, 0.15, 0.0)))


def _spec(workload: Workload, threads: int = 0, **train) -> SessionSpec:
    layers = tuple(LayerSpec("dense", {"units": units, "activation": act})
                   for units, act in workload.layers)
    return SessionSpec(data=DataSpec("digits"), model=ModelSpec(layers),
                       optimizer=OptimizerSpec(workload.optimizer, workload.lr),
                       train=TrainSpec(**{"batch_size": workload.batch, "epochs": 10_000_000,
                                          "device": "cpu", "threads": threads, **train}))


class _StopAfter(Callback):
    def __init__(self) -> None:
        self.remaining = 0

    def on_epoch_end(self, trainer, event) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            trainer.request_stop("stopped")


class RefLoop:
    """The fastest loop we know, on the same data and initial weights as the trainer."""

    def __init__(self, trainer: Trainer, workload: Workload) -> None:
        built = build_model(trainer.spec.model, trainer.data.input_shape, trainer.head)
        built.module.load_state_dict(trainer.model.state_dict())
        self.model = built.module
        self.optimizer = build_optimizer(workload.optimizer, workload.lr, {}, 0.0,
                                         self.model.parameters())  # fused where it can
        self.loss_fn = trainer.head.criterion()
        self.x, self.y = trainer.x["train"], trainer.y["train"]
        self.xv, self.yv = trainer.x["val"], trainer.y["val"]
        self.batch = workload.batch
        self.generator = torch.Generator().manual_seed(0)

    def epoch(self) -> float:
        model, optimizer, loss_fn, batch = self.model, self.optimizer, self.loss_fn, self.batch
        x, y = self.x, self.y
        perm = torch.randperm(len(x), generator=self.generator)
        for index in perm.split(batch):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x.index_select(0, index)), y.index_select(0, index))
            loss.backward()
            optimizer.step()
        with torch.inference_mode():
            return loss_fn(model(self.xv), self.yv).item()


class TutorialLoop:
    """The loop of the PyTorch tutorials: DataLoader, default optimizer, train/eval."""

    def __init__(self, trainer: Trainer, workload: Workload) -> None:
        from torch.utils.data import DataLoader, TensorDataset

        built = build_model(trainer.spec.model, trainer.data.input_shape, trainer.head)
        built.module.load_state_dict(trainer.model.state_dict())
        self.model = built.module
        optimizer = {"adam": lambda p: torch.optim.Adam(p, lr=workload.lr),
                     "momentum": lambda p: torch.optim.SGD(p, lr=workload.lr, momentum=0.9)}
        self.optimizer = optimizer[workload.optimizer](self.model.parameters())
        self.loss_fn = trainer.head.criterion()
        self.loader = DataLoader(TensorDataset(trainer.x["train"], trainer.y["train"]),
                                 batch_size=workload.batch, shuffle=True,
                                 generator=torch.Generator().manual_seed(0))
        self.xv, self.yv = trainer.x["val"], trainer.y["val"]

    def epoch(self) -> float:
        self.model.train()
        for xb, yb in self.loader:
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.optimizer.step()
        self.model.eval()
        with torch.no_grad():
            return self.loss_fn(self.model(self.xv), self.yv).item()


def measure(workload: Workload, threads: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per epoch of each loop, round-robin, `rounds` times."""
    rng = np.random.default_rng(0)
    stopper = _StopAfter()
    trainer = Trainer(_spec(workload, threads), data=_data(workload, rng), callbacks=[stopper])
    ref, tutorial = RefLoop(trainer, workload), TutorialLoop(trainer, workload)
    k = workload.epochs_per_timing

    def ours() -> float:
        stopper.remaining = k
        start = time.perf_counter()
        trainer.fit()  # sets the thread count itself
        return (time.perf_counter() - start) / k

    def loop(contestant):
        def run() -> float:
            torch.set_num_threads(threads)
            start = time.perf_counter()
            for _ in range(k):
                contestant.epoch()
            return (time.perf_counter() - start) / k
        return run

    runs = {"ours": ours, "ref": loop(ref), "tutorial": loop(tutorial)}
    for run in runs.values():  # warm-up: allocator, kernels, caches
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for index in range(rounds):
        order = names[index % 3:] + names[:index % 3]
        for name in order:
            times[name].append(runs[name]())
    return times


def _ratio(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Median of the paired ratios a/b, and its interquartile range."""
    pairs = sorted(x / y for x, y in zip(a, b))
    return (statistics.median(pairs), pairs[len(pairs) // 4], pairs[(3 * len(pairs)) // 4])


def _work(workload: Workload) -> int:
    sizes = {"W1": 8, "W2": 784, "W3": 64}[workload.name[:2]]
    widths = [sizes] + [units for units, _ in workload.layers]
    return workload.batch * sum(a * b for a, b in zip(widths, widths[1:]))


def main_ratios(args: argparse.Namespace) -> None:
    rounds = 3 if args.quick else 9
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, median of {rounds} rounds; "
          "ratios are medians of paired ratios, [interquartile range]")
    print(f"{'workload':<56} {'mode':<8} {'thr':>3} {'ours s/ep':>10} {'ref s/ep':>9} "
          f"{'tut s/ep':>9} {'ours/ref':>20} {'ours/tutorial':>20}")
    for workload in WORKLOADS:
        if args.only and not workload.name.startswith(args.only):
            continue
        modes = {"headless": choose_threads(0, _work(workload), interactive=False),
                 "window": choose_threads(0, _work(workload), interactive=True)}
        if args.threads:
            modes = {"forced": args.threads}
        done: dict[int, str] = {}
        for mode, threads in modes.items():
            if threads in done:  # the same thread count: the same measurement
                print(f"{'':<56} {mode:<8} {threads:>3} (same threads as {done[threads]})")
                continue
            done[threads] = mode
            times = measure(workload, threads, rounds)
            med = {name: statistics.median(values) for name, values in times.items()}
            r, rl, rh = _ratio(times["ours"], times["ref"])
            t, tl, th = _ratio(times["ours"], times["tutorial"])
            print(f"{workload.name:<56} {mode:<8} {threads:>3} {med['ours']:>10.5f} "
                  f"{med['ref']:>9.5f} {med['tutorial']:>9.5f} "
                  f"{r:>6.3f} [{rl:.3f}-{rh:.3f}] {t:>6.3f} [{tl:.3f}-{th:.3f}]", flush=True)


# ------------------------------------------------------------ memory and start-up

def _memory_child() -> None:
    workload = WORKLOADS[1]
    data = _data(workload, np.random.default_rng(0))
    stopper = _StopAfter()
    stopper.remaining = 2
    trainer = Trainer(_spec(workload), data=data, callbacks=[stopper])
    resident = max(_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    trainer.fit()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data_mb = sum(t.numel() * t.element_size() for t in (*trainer.x.values(),
                                                        *trainer.y.values())) / 2**20
    train_mb = trainer.x["train"].numel() * 4 / 2**20
    model_mb = sum(p.numel() * 4 for p in trainer.model.parameters()) / 2**20
    print(f"W2, 2 epochs: data {data_mb:.0f} MB (training inputs {train_mb:.0f} MB), model "
          f"{model_mb:.1f} MB (x3 with gradients and momentum); peak RSS before fit (data "
          f"resident) {resident:.0f} MB, after 2 epochs {peak:.0f} MB: +{peak - resident:.0f} MB "
          f"({trainer.threads} thread(s))")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _startup_child() -> None:
    start = time.perf_counter()
    stopper = _StopAfter()
    stopper.remaining = 1
    trainer = Trainer(_spec(WORKLOADS[2], epochs=1), callbacks=[stopper])
    built = time.perf_counter()
    trainer.fit()
    end = time.perf_counter()
    print(f"{built - start:.3f} {end - start:.3f} {int('torch._dynamo' in sys.modules)}")


def main_startup(args: argparse.Namespace) -> None:
    """Start to first epoch: the first Trainer in a fresh process (torch and playground
    already imported), W3 (digits, 64-64-10, Adam, batch 32), one epoch."""
    rounds = 3 if args.quick else 7
    samples = []
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-m", "tests.bench.bench_trainer",
                              "--startup-child"], capture_output=True, text=True, check=True)
        samples.append(out.stdout.split())
    built = statistics.median(float(s[0]) for s in samples)
    first = statistics.median(float(s[1]) for s in samples)
    print(f"W3 start to first epoch, first Trainer in a fresh process (median of {rounds}): "
          f"Trainer() {built:.3f} s, to the end of the first epoch {first:.3f} s; "
          f"torch._dynamo imported: {'yes' if samples[0][2] == '1' else 'no'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--only", help="run workloads whose name starts with this (W1, W2, W3)")
    parser.add_argument("--threads", type=int, default=0, help="force a thread count")
    parser.add_argument("--memory", action="store_true", help="peak memory of a W2 run")
    parser.add_argument("--startup", action="store_true", help="start to first epoch")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--startup-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        _memory_child()
    elif args.startup_child:
        _startup_child()
    elif args.memory:
        subprocess.run([sys.executable, "-m", "tests.bench.bench_trainer", "--memory-child"],
                       check=True)
    elif args.startup:
        main_startup(args)
    else:
        main_ratios(args)


if __name__ == "__main__":
    main()
