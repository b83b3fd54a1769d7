"""Seconds for a 31x31 landscape (961 weight points) of each kind, and the anchors.

    .venv/bin/python -m tests.bench.bench_landscape [--points 31] [--repeats 3]

For the examples spiral (337 weights), digits_mlp (4,810) and digits_cnn (3,658, which
measures on fewer rows), trained a few epochs: the median seconds of `repeats`
computations per kind, the rows used, and the anchor checks (random and pca at (0, 0)
equal the current loss, interp at 0 and 1 the initial and current loss), one thread.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics

import torch

from playground.core.examples import EXAMPLES
from playground.core.landscape import LossSurface, compute, flat_weights, read_trainer
from playground.core.trainer import Trainer


def loss_at(surface: LossSurface, weights: torch.Tensor) -> float:
    model = surface.model
    torch.nn.utils.vector_to_parameters(weights, model.parameters())
    with torch.inference_mode():
        return float(surface.criterion(model(surface.x), surface.y))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=31)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for name, epochs in (("spiral", 20), ("digits_mlp", 5), ("digits_cnn", 2)):
        spec = EXAMPLES[name]()
        spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, epochs=epochs))
        trainer = Trainer(spec)
        trainer.fit()
        torch.set_num_threads(1)
        run, surface = read_trainer(trainer), LossSurface.from_trainer(trainer)
        current = loss_at(LossSurface.from_trainer(trainer), flat_weights(trainer.model))
        initial = loss_at(LossSurface.from_trainer(trainer), run.initial)
        for kind in ("interp", "random", "pca"):
            times, result = [], None
            for _ in range(args.repeats):
                result = compute(run, surface, kind, args.points)
                times.append(result.seconds)
            if kind == "interp":
                a = list(result.a)
                anchors = (f"a=0 {result.loss[a.index(0.0)]:.6g} vs initial {initial:.6g}, "
                           f"a=1 {result.loss[a.index(1.0)]:.6g} vs current {current:.6g}")
            else:
                middle = result.loss[len(result.b) // 2, len(result.a) // 2]
                anchors = f"(0,0) {middle:.6g} vs current {current:.6g}"
            print(f"{name:<11} {kind:<6} {statistics.median(times):6.2f} s  "
                  f"({result.loss.size} points, {result.rows} rows)  {anchors}", flush=True)


if __name__ == "__main__":
    main()
