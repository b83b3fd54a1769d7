"""Screenshots of the optimizer lab on a real X server, light theme.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m tests.e2e.take_lab_screenshots \
        [--out FOLDER]

In FOLDER (default: a folder in the temporary folder; see screenshot_folder.py):
lab-1d.png (x^2 at lr 0.8: oscillating inward),
lab-race-rosenbrock.png (six optimizers from (-1.5, 2) with their arrows and
accumulators, 400 updates), lab-phase.png (the phase diagrams with a clicked point),
and lab-3d.png where the display offers OpenGL. The race is stepped by its own tick, the
same code its timer runs; nothing waits on a clock.
"""
from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.e2e.screenshot_folder import screenshot_folder  # noqa: E402


def main() -> None:
    app = QApplication.instance() or QApplication([])
    from playground.gui import theme
    from playground.gui.widgets.lab import OptimizerLabWindow

    theme.apply(app, theme.LIGHT)
    window = OptimizerLabWindow(theme=theme.LIGHT)
    window.resize(1400, 860)
    window.show()
    app.processEvents()
    OUT, _ = screenshot_folder()

    descent = window.descent
    window.tabs.setCurrentWidget(descent)
    descent.show_regime(0.8)
    descent.play.setChecked(False)
    descent.advance(14)
    app.processEvents()
    window.grab().save(str(OUT / "lab-1d.png"))

    race = window.race
    window.tabs.setCurrentWidget(race)
    for name in ("rmsprop", "adagrad", "nesterov"):
        race.add_racer(name)
    race.speed.setValue(1)
    while len(race.race.racers[0].records) < 400:
        race.tick()
    app.processEvents()
    window.grab().save(str(OUT / "lab-race-rosenbrock.png"))

    if window.surface3d is not None:
        window.tabs.setCurrentWidget(window.surface3d)
        app.processEvents()
        window.grab().save(str(OUT / "lab-3d.png"))

    phase = window.phase
    window.tabs.setCurrentWidget(phase)
    phase.play_point(1.2, 0.5)
    app.processEvents()
    window.grab().save(str(OUT / "lab-phase.png"))
    window.close()


if __name__ == "__main__":
    main()
