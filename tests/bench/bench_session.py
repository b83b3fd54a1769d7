"""Saving and opening a session against a bare torch.save / torch.load of the same tensors.

    .venv/bin/python -m tests.bench.bench_session

A network of about 1,000,000 parameters (built on the small digits set: the tensors
matter, not the data) with Adam's state after one epoch. Both sides snapshot and write
the same trainer state to the same folder and read it back, alternating; medians.
The session also fsyncs (atomic writes) and hashes every member; torch.save does
neither. Goal: the session within 2x of the bare torch calls.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import torch

from playground.core.sessionfile import open_session, save_session
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec, SessionSpec,
                                  TrainSpec)
from playground.core.trainer import Trainer


def trainer_with_a_million_parameters() -> Trainer:
    layers = (LayerSpec("dense", {"units": 1000, "activation": "relu"}),
              LayerSpec("dense", {"units": 900, "activation": "relu"}),
              LayerSpec("dense", {"units": None}))
    spec = SessionSpec(data=DataSpec("digits"), model=ModelSpec(layers),
                       optimizer=OptimizerSpec("adam", 0.001),
                       train=TrainSpec(batch_size=128, epochs=1, device="cpu"))
    trainer = Trainer(spec)
    trainer.fit()  # Adam's moments exist after the first updates
    return trainer


def paired(ours, bare, repeats: int = 15) -> tuple[float, float, float]:
    """Alternate the two, so a drift in the machine's speed hits both; the medians of
    each and of the per-pair ratios."""
    mine, theirs = [], []
    for _ in range(repeats):
        for function, times in ((ours, mine), (bare, theirs)):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    ratio = statistics.median(a / b for a, b in zip(mine, theirs))
    return statistics.median(mine), statistics.median(theirs), ratio


def main() -> None:
    trainer = trainer_with_a_million_parameters()
    params = sum(p.numel() for p in trainer.model.parameters())
    with tempfile.TemporaryDirectory() as folder:
        session, bare = Path(folder) / "s.pgsession", Path(folder) / "bare.pt"
        # Both sides snapshot the same state: weights, optimizer, RNGs, position, history.
        save = paired(lambda: save_session(session, trainer.spec, trainer.state_dict(),
                                           trainer.data),
                      lambda: torch.save(trainer.state_dict(), bare))
        load = paired(lambda: open_session(session),
                      lambda: torch.load(bare, weights_only=True))
        sizes = session.stat().st_size / 2**20, bare.stat().st_size / 2**20
    print(f"{params:,} parameters with Adam state; session {sizes[0]:.1f} MB, "
          f"torch.save {sizes[1]:.1f} MB")
    for name, (ours, theirs, ratio), other in (("save", save, "torch.save"),
                                               ("open", load, "torch.load")):
        print(f"{name}: session {ours * 1000:7.1f} ms  {other} {theirs * 1000:7.1f} ms  "
              f"ratio {ratio:.2f} (median of paired runs)")


if __name__ == "__main__":
    main()
