"""Exact resume through the GUI: pause mid-epoch, save, quit, open in a new process,
continue; the final weights equal an uninterrupted run's, bit for bit."""
import dataclasses
import os
import subprocess
import sys

import pytest

from playground.core.examples import spiral
from playground.core.session import weights_sha256
from playground.core.sessionfile import open_session
from playground.core.spec import DataSpec, LayerSpec, ModelSpec, OptimizerSpec, ScheduleSpec, TrainSpec
from playground.core.trainer import Trainer

CONTINUE = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication
app = QApplication([])
from playground.gui.main_window import MainWindow
window = MainWindow(theme_name="light")
opening, training, saving = QEventLoop(), QEventLoop(), QEventLoop()
window.controller.failed.connect(lambda message: (print(message, file=sys.stderr),
                                                  opening.quit(), training.quit(), saving.quit()))
window.controller.opened.connect(lambda session: opening.quit())
window.features.files.open_run(sys.argv[1])
opening.exec()
window.controller.finished.connect(lambda outcome: outcome is not None and training.quit())
window.train()
training.exec()
window.controller.saved.connect(lambda path: saving.quit())
window.features.files.path = sys.argv[2]
window.features.files.save_run()
saving.exec()
window.features.files.modified = False
window.close()
"""

SPECS = {
    "momentum_step": lambda: dataclasses.replace(
        spiral(), data=DataSpec("spiral", samples=200),
        optimizer=OptimizerSpec("momentum", 0.05, {"momentum": 0.9}),
        schedule=ScheduleSpec("step", {"step_size": 2, "gamma": 0.5}),
        train=TrainSpec(batch_size=16, epochs=6, device="cpu", threads=1)),
    "adam_dropout_batchnorm": lambda: dataclasses.replace(
        spiral(), data=DataSpec("moons", samples=200),
        model=ModelSpec((LayerSpec("dense", {"units": 16}), LayerSpec("batchnorm"),
                         LayerSpec("relu"), LayerSpec("dropout", {"rate": 0.3}),
                         LayerSpec("dense", {"units": None}))),
        train=TrainSpec(batch_size=16, epochs=6, device="cpu", threads=1)),
}


@pytest.mark.parametrize("case", sorted(SPECS))
def test_pause_save_quit_open_in_a_new_process_continue(qtbot, tmp_path, monkeypatch, case):
    from PySide6.QtCore import QSettings

    from playground.gui.main_window import MainWindow

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    monkeypatch.setenv("GRADIENT_PLAYGROUND_AUTOSAVE", str(tmp_path / "autosave"))
    spec = SPECS[case]()
    reference = Trainer(spec)
    reference.fit()

    window = MainWindow(spec, theme_name="light")
    qtbot.addWidget(window)
    stepped = []
    window.controller.batchStepped.connect(stepped.append)
    for count in range(1, 6):  # five single updates: paused inside the first epoch
        window.step_batch()
        qtbot.waitUntil(lambda: len(stepped) == count, timeout=20_000)
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=10_000)
    assert window.controller.trainer.batch == 5
    first = str(tmp_path / "paused.pgsession")
    window.features.files.path = first
    with qtbot.waitSignal(window.controller.saved, timeout=20_000):
        window.features.files.save_run()
    window.features.files.modified = False
    window.close()
    assert window.controller.shutdown()

    final = str(tmp_path / "final.pgsession")
    env = {**os.environ, "GRADIENT_PLAYGROUND_AUTOSAVE": str(tmp_path / "autosave2")}
    result = subprocess.run([sys.executable, "-c", CONTINUE, first, final], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    continued = open_session(final)
    assert continued.state["epoch"] == 6, result.stderr[-1500:]
    assert weights_sha256(continued.state["model"]) == weights_sha256(reference.model.state_dict())
