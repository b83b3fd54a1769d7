"""A hypothesis state machine drives the real window: random edits in every panel, undo
and redo, train / pause / step / stop / reset, data-set switches, the start-over prompt
answered yes and no, save and reopen. After every step: what each panel shows == the
session model's spec == the spec the trainer runs == what Save writes.
"""
import dataclasses

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, invariant, precondition, rule,
                                 run_state_machine_as_test)
from PySide6.QtWidgets import QMessageBox, QPushButton

from playground.core.examples import EXAMPLES
from playground.core.sessionfile import open_session
from playground.core.spec import DataSpec

DATASETS = ("spiral", "xor", "circle", "moons", "gauss", "sine", "iris")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad", "lbfgs")
SCHEDULES = ("constant", "step", "cosine", "exponential")
WAIT_MS = 30_000


def choose(combo, data):
    combo.setCurrentIndex(combo.findData(data))


def small(spec):
    """Keep runs short: a few epochs on few samples."""
    return dataclasses.replace(
        spec, data=dataclasses.replace(spec.data, samples=120),
        train=dataclasses.replace(spec.train, epochs=6, batch_size=20))


class WindowMachine(RuleBasedStateMachine):
    qtbot = None
    folder = None
    steps = 0

    def __init__(self):
        super().__init__()
        from playground.gui.main_window import MainWindow

        self.yes = False
        self.saves = 0
        QMessageBox.question = staticmethod(self._answer)
        self.window = MainWindow(small(EXAMPLES["spiral"]()), theme_name="light")
        self.qtbot.addWidget(self.window)
        self.window.show()

    def _answer(self, parent, title, text, buttons=QMessageBox.StandardButton.No, *rest):
        discard = QMessageBox.StandardButton.Discard
        if buttons & discard:
            return discard
        return QMessageBox.StandardButton.Yes if self.yes else QMessageBox.StandardButton.No

    def teardown(self):
        self.window.features.files.modified = False
        self.window.close()
        assert self.window.controller.shutdown()

    # ----------------------------------------------------------- helpers
    @property
    def controller(self):
        return self.window.controller

    def wait_idle(self):
        self.qtbot.waitUntil(lambda: self.controller.state == "idle", timeout=WAIT_MS)

    def wait_paused_or_idle(self):
        self.qtbot.waitUntil(lambda: self.controller.state in ("paused", "idle"),
                             timeout=WAIT_MS)

    # ------------------------------------------------------------- rules
    @rule(yes=st.booleans())
    def set_answer(self, yes):
        self.yes = yes

    @rule(noise=st.integers(0, 50))
    def edit_noise(self, noise):
        self.window.data_panel.noise.setValue(noise)

    @rule(samples=st.sampled_from([60, 100, 150]))
    def edit_samples(self, samples):
        self.window.data_panel.samples.setValue(samples)

    @rule(seed=st.integers(0, 5))
    def edit_data_seed(self, seed):
        self.window.data_panel.seed.setValue(seed)

    @rule(scaling=st.sampled_from(["none", "standard", "minmax"]))
    def edit_scaling(self, scaling):
        self.window.data_panel.scaling.setCurrentText(scaling)

    @rule(name=st.sampled_from(DATASETS))
    def switch_data_set(self, name):
        choose(self.window.data_panel.dataset, name)

    @rule(kind=st.sampled_from(["dense", "dropout", "batchnorm"]))
    def add_layer(self, kind):
        self.window.layers.findChild(QPushButton, f"add_{kind}").click()

    @precondition(lambda self: len(self.window.spec.model.layers) > 1)
    @rule(data=st.data())
    def remove_layer(self, data):
        index = data.draw(st.integers(0, len(self.window.spec.model.layers) - 2))
        self.window.layers.remove_layer(index)

    @rule(units=st.integers(1, 24))
    def edit_first_dense_units(self, units):
        builder = self.window.layers
        for index in range(builder.cards.count()):
            card = builder.cards.itemWidget(builder.cards.item(index))
            if card.kind == "dense" and card.form.editor("units").value() > 0:
                card.form.editor("units").setValue(units)
                return

    @rule(name=st.sampled_from(OPTIMIZERS))
    def choose_optimizer(self, name):
        choose(self.window.optimizer_panel.optimizer, name)

    @rule(lr=st.sampled_from([0.001, 0.01, 0.03, 0.1]))
    def edit_lr(self, lr):
        self.window.optimizer_panel.lr_box.setValue(lr)

    @rule(mode=st.integers(0, 2))
    def batch_mode(self, mode):
        button = self.window.optimizer_panel.batch_mode.button(mode)
        if button.isEnabled():
            button.click()

    @rule(name=st.sampled_from(SCHEDULES))
    def choose_schedule(self, name):
        choose(self.window.optimizer_panel.schedule, name)

    @rule(epochs=st.integers(2, 8))
    def edit_epochs(self, epochs):
        self.window.optimizer_panel.epochs.setValue(epochs)

    @rule(l2=st.sampled_from([0.0, 0.001, 0.01]))
    def edit_l2(self, l2):
        self.window.optimizer_panel.l2.setValue(l2)

    @rule()
    def toggle_early_stopping(self):
        self.window.optimizer_panel.early.toggle()

    @rule()
    def undo(self):
        self.window.actionUndo.trigger()

    @rule()
    def redo(self):
        self.window.actionRedo.trigger()

    @rule()
    def train_an_epoch_and_pause(self):
        state = self.controller.state
        if state == "running":
            self.window.train()  # pauses
        else:
            self.window.step_epoch()
        self.wait_paused_or_idle()

    @rule()
    def step_batch(self):
        if self.controller.state == "running":
            return
        self.window.step_batch()
        self.wait_paused_or_idle()

    @rule()
    def train_to_the_end(self):
        if self.controller.state == "running":
            return
        if self.controller.state == "idle":
            trainer = self.controller.trainer
            if trainer is not None and trainer.epoch >= trainer.spec.train.epochs:
                return
        self.window.train()
        self.wait_idle()

    @rule()
    def stop(self):
        self.controller.stop()
        self.wait_idle()

    @rule()
    def reset(self):
        self.window.reset_weights()
        self.wait_idle()

    @precondition(lambda self: self.window.controller.trainer is not None)
    @rule()
    def save_and_reopen(self):
        self.controller.stop()
        self.wait_idle()
        self.saves += 1
        path = str(self.folder / f"machine-{self.saves}.pgsession")
        self.window.features.files.path = path
        with self.qtbot.waitSignal(self.controller.saved, timeout=WAIT_MS):
            assert self.window.features.files.save_run()
        assert open_session(path).spec == self.window.spec  # what Save writes
        shown = self.window.spec
        with self.qtbot.waitSignal(self.controller.trainerReady, timeout=WAIT_MS):
            self.window.features.files.open_run(path)
        assert self.window.spec == shown

    # -------------------------------------------------------- invariants
    @invariant()
    def panels_show_the_spec(self):
        WindowMachine.steps += 1
        window, spec = self.window, self.window.spec
        assert window.data_panel._read() == spec.data
        assert window.layers.model == spec.model
        panel = window.optimizer_panel
        assert panel.optimizer.currentData() == spec.optimizer.name
        assert panel.lr_box.value() == pytest.approx(spec.optimizer.lr)
        assert panel.epochs.value() == spec.train.epochs
        assert panel.schedule.currentData() == spec.schedule.name
        size = spec.train.batch_size
        assert panel.batch_mode.checkedId() == (0 if size is None else 2 if size == 1 else 1)
        if size and size > 1:
            assert panel.batch_size.value() == size
        assert panel.l2.value() == pytest.approx(spec.train.l2)
        assert panel.early.isChecked() == spec.train.early_stopping.enabled

    @invariant()
    def the_trainer_runs_the_spec(self):
        trainer = self.controller.trainer
        if trainer is not None:  # live changes reach a running or paused trainer
            try:
                self.qtbot.waitUntil(lambda: trainer.spec == self.window.spec,
                                     timeout=WAIT_MS)
            except Exception:
                shown, runs = self.window.spec.to_dict(), trainer.spec.to_dict()
                assert {k: v for k, v in shown.items() if runs[k] != v} == \
                    {k: v for k, v in runs.items() if shown[k] != v}


def test_the_window_never_lies(qtbot, tmp_path):
    WindowMachine.qtbot, WindowMachine.folder = qtbot, tmp_path
    original = QMessageBox.question
    try:
        run_state_machine_as_test(WindowMachine, settings=settings(
            max_examples=6, stateful_step_count=55, deadline=None, derandomize=True,
            phases=(Phase.explicit, Phase.generate),  # a shrink replays the GUI: minutes
            suppress_health_check=list(HealthCheck)))
    finally:
        QMessageBox.question = original
    print(f"state machine: {WindowMachine.steps} checked steps")
    assert WindowMachine.steps >= 300
