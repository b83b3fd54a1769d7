"""Responsiveness of the real window while the engine trains as fast as it can.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_gui [--workload tiny|digits|both]
        [--epochs 20000] [--digits-epochs 300] [--rounds 3] [--overlays 16]

Two workloads (both by default), each with every plot live:
- tiny: a 2 -> 4 tanh -> 1 network on spiral, full batch, so epochs are as short as the
  engine makes them (thousands per second), and the decision boundary is drawn too;
- digits: the 64-64-10 network on the 8x8 digits, Adam, batch 32 (about 40 updates per
  epoch: the GUI competes with real arithmetic).
Printed per workload:
- epochs per second with the window attached against the same trainer headless, run
  in this process with the same thread count, alternating, as the median of the
  per-round ratios (one run on a 2-core machine varies by +-20%);
- the main thread's event-loop latency (a 20 ms timer's lateness), p50/p99/max; the
  probe is a Python call, and each takes the GIL from the training thread as the
  window's own calls do: at 5 ms its 200 calls a second were as many GIL hand-overs as
  the whole window makes, so it ticks at 20 ms (its lateness is the same measure);
- plot redraws per second, and boundary updates per second;
- whether every epoch was recorded (plots and history);
- resident memory at each tenth of the run (flat means no leak);
- the CPU the GUI thread and the other threads used, in cores.
Goals: p99 under 30 ms, at least 20 redraws/s, all epochs recorded, flat memory,
GUI speed at least 0.9x headless.
--overlays N first trains N runs of the workload headless (learning rates spread over
four decades, at most 3,000 epochs each) and puts them in the window's runs, so every
plot overlays N finished runs under the one that trains (issue 10's goal: 16 runs,
>= 20 redraws/s, p99 < 30 ms).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,  # noqa: E402
                                  SessionSpec, TrainSpec)
from playground.core.trainer import Trainer  # noqa: E402
from tests.bench.window_app import bench_application, settle  # noqa: E402


def tiny_spec(epochs: int) -> SessionSpec:
    return SessionSpec(
        data=DataSpec("spiral", samples=200),
        model=ModelSpec((LayerSpec("dense", {"units": 4, "activation": "tanh"}),
                         LayerSpec("dense", {"units": None}))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(batch_size=None, epochs=epochs, device="cpu"))


def digits_spec(epochs: int) -> SessionSpec:
    """64 inputs -> 64 relu -> 10, Adam, batch 32: bench_trainer's W3, as the GUI runs it."""
    return SessionSpec(
        data=DataSpec("digits"),
        model=ModelSpec((LayerSpec("dense", {"units": 64, "activation": "relu"}),
                         LayerSpec("dense", {"units": None}))),
        optimizer=OptimizerSpec("adam", 0.001),
        train=TrainSpec(batch_size=32, epochs=epochs, device="cpu"))


PROBE_MS = 20  # the latency probe's interval (see the docstring)

# name: (what it is, spec maker, warm-up epochs)
WORKLOADS: dict[str, tuple[str, Callable[[int], SessionSpec], int]] = {
    "tiny": ("tiny 2-4-1 on spiral, full batch", tiny_spec, 500),
    "digits": ("digits 64-64-10, Adam, batch 32", digits_spec, 20),
}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def headless_rate(spec: SessionSpec) -> float:
    """Epochs a second of a script that builds a Trainer and fits it, timed as the
    window's run is: from the start (the window builds its trainer in its training
    thread after Train is pressed) to the end."""
    epochs = spec.train.epochs
    start = time.perf_counter()
    Trainer(spec, interactive=True).fit()  # interactive: the GUI's thread choice
    return epochs / (time.perf_counter() - start)


def overlay_histories(spec: SessionSpec, count: int) -> list[tuple[SessionSpec, dict]]:
    """`count` finished runs of `spec` at learning rates from 1e-4 to 1, headless."""
    import dataclasses

    runs = []
    for index in range(count):
        lr = 10 ** (-4 + 4 * index / max(1, count - 1))
        one = dataclasses.replace(spec, optimizer=dataclasses.replace(spec.optimizer, lr=lr),
                                  train=dataclasses.replace(spec.train,
                                                            epochs=min(spec.train.epochs, 3000)))
        trainer = Trainer(one)
        trainer.fit()
        runs.append((one, dict(trainer.history.columns)))
    return runs


def gui_run(app: QApplication, spec: SessionSpec, overlays: list | None = None) -> dict:
    from playground.gui.main_window import MainWindow

    epochs = spec.train.epochs
    window = MainWindow(theme_name="light")
    window.set_spec(spec)
    for run_spec, columns in overlays or ():
        window.features.runs.runs.add_finished(run_spec, columns)
    window.features.runs.refresh_runs()
    window.resize(1400, 900)
    window.show()
    window.tabs.setCurrentWidget(window.boundary)  # the decision boundary is drawn too
    window.tabs.setCurrentWidget(window.plots)
    settle()  # the first paint of a window just shown is not the training's cost
    lateness: list[float] = []
    memory: list[float] = []
    boundaries = [0]
    expected = [time.perf_counter()]
    probe = QTimer(interval=PROBE_MS)

    def on_probe() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, now - expected[0]) * 1000)
        expected[0] = now + PROBE_MS / 1000

    probe.timeout.connect(on_probe)
    seen = [0]

    def on_epochs(events) -> None:
        before = seen[0]
        seen[0] += len(events)
        if seen[0] // max(1, epochs // 10) != before // max(1, epochs // 10):
            memory.append(rss_mb())

    window.controller.epochsEnded.connect(on_epochs)
    window.controller.boundaryUpdated.connect(lambda b: boundaries.__setitem__(0, boundaries[0] + 1))
    loop = QEventLoop()
    window.controller.finished.connect(lambda outcome: loop.quit())
    redraws_before = window.plots.redraws
    probe.start()
    start = time.perf_counter()
    gui_cpu, all_cpu = time.thread_time(), time.process_time()
    window.train()
    loop.exec()
    seconds = time.perf_counter() - start
    gui_cpu, all_cpu = time.thread_time() - gui_cpu, time.process_time() - all_cpu
    probe.stop()
    app.processEvents()
    result = {
        "seconds": seconds, "rate": epochs / seconds,
        "redraws_per_s": (window.plots.redraws - redraws_before) / seconds,
        "boundaries_per_s": boundaries[0] / seconds,
        "lateness": sorted(lateness), "memory": memory,
        "recorded": window.plots.epochs_recorded,
        "history": window.controller.trainer.history.length,
        "gui_cpu": gui_cpu / seconds, "other_cpu": (all_cpu - gui_cpu) / seconds,
    }
    window.features.files.modified = False  # nothing to save: close without the prompt
    window.close()
    window.controller.shutdown()
    return result


def bench(app: QApplication, name: str, epochs: int, rounds: int, overlays: int = 0) -> None:
    title, make, warm_up = WORKLOADS[name]
    headless_rate(make(warm_up))
    finished = overlay_histories(make(epochs), overlays) if overlays else None
    if overlays:
        title += f", {overlays} finished runs overlaid"
    headless, runs = [], []
    for _ in range(rounds):  # alternated, so drifts in machine speed hit both sides
        headless.append(headless_rate(make(epochs)))
        runs.append(gui_run(app, make(epochs), finished))
    ratios = sorted(run["rate"] / rate for run, rate in zip(runs, headless))
    result = runs[0]
    late = sorted(t for run in runs for t in run["lateness"])
    p = lambda q: late[min(len(late) - 1, int(q * len(late)))]
    median = lambda values: statistics.median(values)
    print(f"== {name}: {title}")
    print(f"{epochs:,} epochs x {rounds}: with the window "
          f"{median([r['rate'] for r in runs]):,.0f} epochs/s, headless "
          f"{median(headless):,.0f} epochs/s; ratio median {median(ratios):.2f} "
          f"(runs: {' '.join(f'{r:.2f}' for r in ratios)})")
    print(f"event-loop latency ms: p50 {p(0.5):.1f}  p99 {p(0.99):.1f}  max {late[-1]:.1f} "
          f"({len(late):,} samples)")
    print(f"plot redraws {median([r['redraws_per_s'] for r in runs]):.1f}/s; decision "
          f"boundary {median([r['boundaries_per_s'] for r in runs]):.1f}/s")
    print("epochs recorded: " + ", ".join(f"plots {r['recorded']:,} history {r['history']:,}"
                                          for r in runs) + f" of {epochs:,} each")
    print(f"CPU use, in cores: GUI thread {median([r['gui_cpu'] for r in runs]):.2f}, "
          f"other threads {median([r['other_cpu'] for r in runs]):.2f}")
    print("resident memory MB at each tenth (first run): "
          + " ".join(f"{m:.0f}" for m in result["memory"]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("tiny", "digits", "both"), default="both")
    parser.add_argument("--epochs", type=int, default=20_000, help="epochs of the tiny net")
    parser.add_argument("--digits-epochs", type=int, default=300,
                        help="epochs of the digits net (each about 40 updates)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating headless and windowed runs; medians are printed")
    parser.add_argument("--overlays", type=int, default=0,
                        help="finished runs overlaid on the plots while one trains")
    args = parser.parse_args()
    app = bench_application()
    names = ("tiny", "digits") if args.workload == "both" else (args.workload,)
    for name in names:
        bench(app, name, args.epochs if name == "tiny" else args.digits_epochs, args.rounds,
              args.overlays)


if __name__ == "__main__":
    main()
