"""The plots' cost per redraw with finished runs overlaid (issue 10), measured in the
GUI thread alone, so a busy machine blurs it less than the whole-window benchmark.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_runs_overlay [--overlays 16] [--frames 300]

Trains N runs of the tiny spiral net headless (learning rates from 1e-4 to 1, 3,000
epochs each: real histories with gradient norms), puts them in the real window's runs,
then replays a live run into the plots: per frame, 60 new epochs, one redraw
(LivePlots' timer tick) and one paint of the plot canvas. Prints, for 0 and N overlays
alternating, each frame's wall and CPU time (p50, p99) and the redraws per second the
GUI thread could sustain (1000 / p50 wall ms). Goal with 16 runs: >= 20 redraws/s and a
p99 under 30 ms (bench_gui --overlays 16 measures the same with training alongside).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from playground.core.events import EpochEnded  # noqa: E402
from tests.bench.bench_gui import overlay_histories, tiny_spec  # noqa: E402
from tests.bench.window_app import bench_application  # noqa: E402

PER_FRAME = 60  # epochs a frame: a tiny net runs about 1,500 a second at 25 frames


def frames(app: QApplication, runs: list, live: list, count: int) -> tuple[list, list]:
    from playground.gui.main_window import MainWindow

    window = MainWindow(theme_name="light")
    window.set_spec(tiny_spec(len(live)))
    window.resize(1600, 1000)
    window.show()
    for spec, columns in runs:
        window.features.runs.runs.add_finished(spec, columns)
    window.features.runs.refresh_runs()
    window.plots.set_planned_epochs(len(live))
    window.plots.timer.stop()  # frames are driven here, one at a time
    app.processEvents()
    walls, cpus = [], []
    for frame in range(count):
        start = (frame * PER_FRAME) % len(live)
        window.plots.add_epochs(live[start:start + PER_FRAME])
        wall, cpu = time.perf_counter(), time.thread_time()
        window.plots._on_timer_timeout()
        window.plots.canvas.viewport().repaint()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
    window.features.files.modified = False
    window.close()
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlays", type=int, default=16)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    app = bench_application()
    runs = overlay_histories(tiny_spec(3000), args.overlays + 1)
    live_columns = runs.pop()[1]  # the run that "trains" replays a real history
    keys = [k for k in live_columns if not k.startswith("grad_norm/")]
    grads = [k for k in live_columns if k.startswith("grad_norm/")]
    live = [EpochEnded({k: live_columns[k][i] for k in keys},
                       {k[len("grad_norm/"):]: live_columns[k][i] for k in grads})
            for i in range(len(live_columns["epoch"]))]
    results = {0: ([], []), args.overlays: ([], [])}
    for _ in range(args.rounds):  # alternated: drifts in machine load hit both
        for count in results:
            walls, cpus = frames(app, runs[:count], live, args.frames)
            results[count][0].extend(walls)
            results[count][1].extend(cpus)
    for count, (walls, cpus) in results.items():
        walls, cpus = sorted(walls), sorted(cpus)
        p = lambda values, q: values[min(len(values) - 1, int(q * len(values)))]
        print(f"{count:2d} runs overlaid: frame wall ms p50 {p(walls, .5):.1f} p99 "
              f"{p(walls, .99):.1f}; CPU ms p50 {p(cpus, .5):.1f} p99 {p(cpus, .99):.1f}; "
              f"sustainable {1000 / statistics.median(walls):.0f} redraws/s "
              f"({len(walls)} frames)", flush=True)


if __name__ == "__main__":
    main()
