"""A sweep against one run: what many small networks trained at once cost.

    .venv/bin/python -m tests.bench.bench_sweep [--rounds N] [--only spiral|digits]
                                                [--no-sequential]

Per workload, round-robin (the order rotates every round, so a drift in the machine's
speed hits every variant), in one process, on the same prepared data:

- one: a single run, Trainer(spec).fit() at the middle learning rate of the sweep,
  preparing its data as `playground train` does; "trained": the same run on data
  prepared beforehand (training alone, the stricter yardstick);
- sweep: run_sweep() of the whole plan (planning, preparing the data once, stacking,
  every record streamed), which trains the runs as one stacked model
  (core.experiments.batched);
- sequential: the same runs one after another through Trainer.fit(), sharing the data
  prepared once (so the figure is the least sequential runs could cost).

We print the medians of the per-round ratios sweep / one and sequential / one with their
interquartile ranges. Goals (issue 10): spiral <= 2.0, digits <= 3.0; sequential would
be about the number of runs.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

from playground.core.data import prepare
from playground.core.experiments.sweep import plan_sweep, run_sweep
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)
from playground.core.trainer import Trainer


@dataclass(frozen=True)
class Workload:
    name: str
    spec: SessionSpec
    lrs: tuple[float, ...]
    goal: float


def _dense(units, activation):
    return LayerSpec("dense", {"units": units, "activation": activation})


def _lrs(count: int, low: float, high: float) -> tuple[float, ...]:
    step = (high / low) ** (1 / (count - 1))
    return tuple(float(f"{low * step ** i:.3g}") for i in range(count))


WORKLOADS = (
    Workload("spiral 2-16-16-1 tanh, Adam, batch 10, 100 epochs, 16 lrs",
             SessionSpec(data=DataSpec("spiral"),
                         model=ModelSpec((_dense(16, "tanh"), _dense(16, "tanh"),
                                          _dense(None, "linear"))),
                         optimizer=OptimizerSpec("adam", 0.01),
                         train=TrainSpec(batch_size=10, epochs=100, device="cpu")),
             _lrs(16, 1e-4, 0.3), 2.0),
    Workload("digits 64-64-10 relu, Adam, batch 32, 30 epochs, 8 lrs",
             SessionSpec(data=DataSpec("digits"),
                         model=ModelSpec((_dense(64, "relu"), _dense(None, "linear"))),
                         optimizer=OptimizerSpec("adam", 0.001),
                         train=TrainSpec(batch_size=32, epochs=30, device="cpu")),
             _lrs(8, 1e-4, 0.03), 3.0),
)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(workload: Workload, rounds: int, sequential: bool) -> dict[str, list[float]]:
    data = prepare(workload.spec.data)
    plan = plan_sweep(workload.spec, {"lr": workload.lrs})
    middle = plan.runs[len(plan.runs) // 2].spec
    variants = {
        "one": lambda: Trainer(middle).fit(),
        "trained": lambda: Trainer(middle, data=data).fit(),
        "sweep": lambda: run_sweep(plan),
    }
    if sequential:
        variants["sequential"] = lambda: [Trainer(run.spec, data=data).fit()
                                          for run in plan.runs]
    names = list(variants)
    times: dict[str, list[float]] = {name: [] for name in names}
    variants["one"]()  # warm-up: first-call costs belong to no variant
    for round_ in range(rounds):
        order = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in order:
            times[name].append(_timed(variants[name]))
    return times


def _ratio(a: list[float], b: list[float]) -> tuple[float, float, float]:
    ratios = sorted(x / y for x, y in zip(a, b))
    if len(ratios) < 4:
        return statistics.median(ratios), ratios[0], ratios[-1]
    q = statistics.quantiles(ratios, n=4)
    return statistics.median(ratios), q[0], q[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="run workloads whose name starts with this")
    parser.add_argument("--no-sequential", action="store_true",
                        help="skip the sequential runs (the slowest part)")
    args = parser.parse_args()
    print("| workload | rounds | one s | sweep s | sweep / one | sweep / trained | "
          "sequential / trained | goal |")
    print("|---|---|---|---|---|---|---|---|")
    for workload in WORKLOADS:
        if args.only and not workload.name.startswith(args.only):
            continue
        times = measure(workload, args.rounds, not args.no_sequential)
        sweep = _ratio(times["sweep"], times["one"])
        strict = _ratio(times["sweep"], times["trained"])
        seq = "-"
        if "sequential" in times:
            m, lo, hi = _ratio(times["sequential"], times["trained"])
            seq = f"{m:.2f} [{lo:.2f}-{hi:.2f}]"
        print(f"| {workload.name} | {args.rounds} | {statistics.median(times['one']):.3f} | "
              f"{statistics.median(times['sweep']):.3f} | **{sweep[0]:.2f}** "
              f"[{sweep[1]:.2f}-{sweep[2]:.2f}] | {strict[0]:.2f} [{strict[1]:.2f}-"
              f"{strict[2]:.2f}] | {seq} | <= {workload.goal:g} |", flush=True)


if __name__ == "__main__":
    main()
