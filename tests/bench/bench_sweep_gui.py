"""The Sweep window's responsiveness with 16 runs overlaid while the sweep trains.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.bench.bench_sweep_gui [--epochs N]

A 16-learning-rate sweep of a spiral 2-16-16-1 tanh network, full batch (epochs as short
as the stacked trainer makes them, so records stream as fast as they can), run from the
real main window's Sweep window. Printed: the main thread's event-loop latency (a 5 ms
timer's lateness) p50/p99/max, the overlay's redraws per second, epochs per second of
the whole sweep, and whether every run's every epoch reached its curve.
Goals (issue 10): at least 20 redraws/s, p99 under 30 ms.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: the app picks)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from playground.gui.main_window import MainWindow
    from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                      SessionSpec, TrainSpec)

    dense = lambda units, act: LayerSpec("dense", {"units": units, "activation": act})  # noqa
    spec = SessionSpec(DataSpec("spiral"), ModelSpec((dense(16, "tanh"), dense(16, "tanh"),
                                                      dense(None, "linear"))),
                       OptimizerSpec("adam", 0.01),
                       train=TrainSpec(batch_size=None, epochs=args.epochs, device="cpu",
                                       threads=args.threads))
    window = MainWindow(spec, theme_name="light")
    window.show()
    sweep = window.features.sweep.show_sweep()
    lrs = ",".join(f"{0.0005 * 1.5 ** i:.3g}" for i in range(16))
    sweep.choose([("lr", lrs)])
    sweep.epochs.setValue(args.epochs)
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 5))
        last[0] = now

    probe = QTimer(interval=5)
    probe.timeout.connect(tick)
    loop = QEventLoop()
    window.features.sweep.sweep_controller.finished.connect(lambda *_: loop.quit())
    probe.start()
    gui_cpu, all_cpu = time.thread_time(), time.process_time()
    started = time.perf_counter()
    sweep.run_button.click()
    loop.exec()
    seconds = time.perf_counter() - started
    gui_cpu, all_cpu = time.thread_time() - gui_cpu, time.process_time() - all_cpu
    probe.stop()
    late = sorted(lateness)
    p = lambda q: late[min(len(late) - 1, int(q * len(late)))]  # noqa: E731
    recorded = [len(sweep.curves.values(i, "loss")) for i in range(16)]
    print(f"16 runs x {args.epochs:,} epochs in {seconds:.1f} s "
          f"({16 * args.epochs / seconds:,.0f} run-epochs/s)")
    print(f"event-loop latency ms: p50 {p(0.5):.1f}  p99 {p(0.99):.1f}  max {late[-1]:.1f} "
          f"({len(late):,} samples)")
    print(f"overlay redraws {sweep.curves.redraws / seconds:.1f}/s; CPU in cores: GUI "
          f"thread {gui_cpu / seconds:.2f}, other threads {(all_cpu - gui_cpu) / seconds:.2f}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"epochs on the curves: {min(recorded):,} to {max(recorded):,} of {args.epochs:,}")
    window.features.files.modified = False
    window.close()


if __name__ == "__main__":
    main()
