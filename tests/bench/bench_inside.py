"""A view of the inside while a 2-8-8-8-1 network trains: frames, frame cost, UI latency
and the trainer's speed against the same run with the views of the inside hidden.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_inside [--epochs 400]
        [--rounds 3] [--view playground|flow]

The network (tanh, on circle, 500 points, Adam, batch 10) is trained in the real window
with the Playground tab showing: neuron maps of 2+8+8+8+1 neurons computed in the
training thread between updates (at most 20 a second), the graph redrawn as they come
(at most 30 times a second), the decision boundary and the loss curves live. Then the
same run with the Training curves tab showing (no snapshots computed, the boundary not
drawn), and the same run headless (a Trainer built and fitted, as bench_gui times it),
alternating, `--rounds` times. Printed: network-graph frames per second and the Python
time to build each (p50, p99), snapshots per second, the event-loop latency (a 20 ms
timer's lateness, p50/p99/max; see bench_gui), and epochs per second with the Playground
against the curves tab and against headless (medians of paired ratios). First, the graph alone: frames per second when
every frame brings a new snapshot (its drawing capacity, whatever the trainer's pace).

With `--view flow` the same run is trained with the Gradient flow tab showing instead
(ratio and share curves, the heat map; snapshots at most 20 a second): printed are its
redraws per second and the Python time of each (p50, p99; the heat map is redrawn apart,
at most 4 times a second, and counts in the latency only), the event-loop latency and
epochs per second against the Training curves tab. (Run from another checkout's code,
PYTHONPATH=/that/checkout python /this/tests/bench/bench_inside.py --view flow, it
measures that code: the flow view's `redraw` is what is timed.)
Goals (issue 12): >= 20 frames/s, UI p99 < 30 ms.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.bench.bench_gui import headless_rate  # noqa: E402
from tests.bench.window_app import bench_application, settle  # noqa: E402
from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,  # noqa: E402
                                  SessionSpec, TrainSpec)


def spec(epochs: int) -> SessionSpec:
    tanh = LayerSpec("dense", {"units": 8, "activation": "tanh", "init": "xavier_uniform"})
    return SessionSpec(
        data=DataSpec("circle", samples=500, noise=0.05),
        model=ModelSpec((tanh, tanh, tanh, LayerSpec("dense", {"units": None,
                                                               "activation": "sigmoid"}))),
        optimizer=OptimizerSpec("adam", 0.01),
        train=TrainSpec(batch_size=10, epochs=epochs, device="cpu"))


class _Lateness(QTimer):
    """How late a 20 ms timer fires, in ms: the event loop's latency."""

    def __init__(self) -> None:
        super().__init__(interval=20)
        self.samples: list[float] = []
        self.due = time.perf_counter()
        self.timeout.connect(self._on_timeout)

    def _on_timeout(self) -> None:
        now = time.perf_counter()
        self.samples.append(max(0.0, now - self.due) * 1000)
        self.due = now + self.interval() / 1000


def run(app: QApplication, epochs: int, view: str | None) -> dict:
    """One training run with `view` ("playground", "flow") showing, or the Training
    curves tab (None)."""
    from playground.gui.main_window import MainWindow

    window = MainWindow(spec(epochs), theme_name="light")
    inside = window.features.inside
    window.resize(1400, 900)
    window.show()
    shown = {"playground": inside.playground, "flow": inside.flow}.get(view, window.plots)
    window.tabs.setCurrentWidget(shown)
    settle()  # the first paint of a window just shown is not the training's cost
    snapshots, paints = [0], []
    probe = _Lateness()
    window.controller.inspected.connect(lambda s: snapshots.__setitem__(0, snapshots[0] + 1))
    # The frame's Python part (Qt then rasterises without the GIL): the graph's scene
    # build, or the flow view's redraw.
    owner, name = (inside.flow, "redraw") if view == "flow" else \
        (inside.playground.graph, "build")
    original = getattr(owner, name)

    def timed() -> None:
        started = time.perf_counter()
        original()
        paints.append((time.perf_counter() - started) * 1000)

    setattr(owner, name, timed)
    loop = QEventLoop()
    window.controller.finished.connect(lambda outcome: loop.quit())
    probe.start()
    probe.due = start = time.perf_counter()
    window.train()
    loop.exec()
    seconds = time.perf_counter() - start
    probe.stop()
    result = {"rate": epochs / seconds, "frames_per_s": len(paints) / seconds,
              "paints": sorted(paints), "snapshots_per_s": snapshots[0] / seconds,
              "lateness": probe.samples}
    window.features.files.modified = False
    window.close()
    window.controller.shutdown()
    return result


def capacity(app: QApplication, frames: int = 200) -> tuple[float, float, float]:
    """Frames per second the graph can paint when every frame brings a new snapshot
    (snapshots of a training run, precomputed), and the paint time p50/p99 in ms."""
    from playground.core.inspect import Inspector
    from playground.core.trainer import Trainer
    from playground.gui.widgets.network.graph import NetworkGraphWidget

    trainer = Trainer(spec(1))
    inspector = Inspector(trainer)
    snapshots = []
    for _ in range(10):
        trainer.spec = spec(trainer.epoch + 1)
        trainer.fit()
        snapshots.append(inspector.snapshot())
    graph = NetworkGraphWidget()
    graph.resize(620, 520)  # the Playground's network column at 1400 x 900
    graph.show()
    app.processEvents()
    times = []
    start = time.perf_counter()
    for i in range(frames):
        graph.set_snapshot(snapshots[i % len(snapshots)])
        began = time.perf_counter()
        graph.build()
        graph.viewport().repaint()  # rasterise now, to time it too
        times.append((time.perf_counter() - began) * 1000)
    seconds = time.perf_counter() - start
    times.sort()
    graph.close()
    return frames / seconds, times[len(times) // 2], times[int(0.99 * len(times))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--view", choices=("playground", "flow"), default="playground",
                        help="the tab shown while training (default: playground)")
    args = parser.parse_args()
    app = bench_application()
    if args.view == "playground":
        fps, p50, p99 = capacity(app)
        print(f"graph alone, a new snapshot every frame: {fps:.0f} frames/s; build + "
              f"rasterise ms p50 "
              f"{p50:.2f} p99 {p99:.2f}", flush=True)
    run(app, 20, args.view)  # warm-up: imports, first data set load
    shown, hidden, headless = [], [], []
    for _ in range(args.rounds):
        shown.append(run(app, args.epochs, args.view))
        hidden.append(run(app, args.epochs, None))
        headless.append(headless_rate(spec(args.epochs)))
    ratios = sorted(s["rate"] / h["rate"] for s, h in zip(shown, hidden))
    alone = sorted(s["rate"] / h for s, h in zip(shown, headless))
    curves_alone = sorted(c["rate"] / h for c, h in zip(hidden, headless))
    paints = sorted(p for r in shown for p in r["paints"])
    late = sorted(t for r in shown for t in r["lateness"])
    base = sorted(t for r in hidden for t in r["lateness"])
    q = lambda values, f: values[min(len(values) - 1, int(f * len(values)))]
    median = statistics.median
    print(f"2-8-8-8-1 tanh on circle, {args.epochs} epochs x {args.rounds} rounds")
    what, frame = {"playground": ("network graph", "frames/s; scene build"),
                   "flow": ("gradient flow", "redraws/s; redraw")}[args.view]
    tab = {"playground": "the Playground", "flow": "the Gradient flow tab"}[args.view]
    print(f"{what}: {median([r['frames_per_s'] for r in shown]):.1f} {frame} "
          f"ms p50 {q(paints, 0.5):.2f} p99 {q(paints, 0.99):.2f} ({len(paints)} frames); "
          f"snapshots {median([r['snapshots_per_s'] for r in shown]):.1f}/s")
    print(f"event-loop latency ms with {tab}: p50 {q(late, 0.5):.1f} "
          f"p99 {q(late, 0.99):.1f} max {late[-1]:.1f} ({len(late):,} samples); with the "
          f"curves tab: p50 {q(base, 0.5):.1f} p99 {q(base, 0.99):.1f} max {base[-1]:.1f}")
    print(f"epochs/s with {tab} {median([r['rate'] for r in shown]):.1f}, with "
          f"the curves tab {median([r['rate'] for r in hidden]):.1f}; ratio median "
          f"{median(ratios):.2f} (runs: {' '.join(f'{r:.2f}' for r in ratios)})")
    print(f"against headless ({median(headless):.1f} epochs/s): {tab} "
          f"{median(alone):.2f} (runs: {' '.join(f'{r:.2f}' for r in alone)}), the curves "
          f"tab {median(curves_alone):.2f}", flush=True)


if __name__ == "__main__":
    main()
