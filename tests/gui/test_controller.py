"""The controller and its thread, driven as the window drives them; waits on signals."""
import dataclasses

from playground.core.examples import spiral
from playground.core.spec import DataSpec, TrainSpec


def long_spiral():
    spec = spiral()
    return dataclasses.replace(spec, data=DataSpec("spiral", samples=200),
                               train=TrainSpec(batch_size=10, epochs=100_000, device="cpu"))


def record(controller):
    seen = {"epochs": [], "paused": [], "batches": [], "finished": []}
    controller.epochEnded.connect(lambda event: seen["epochs"].append(event.epoch))
    controller.paused.connect(seen["paused"].append)
    controller.batchStepped.connect(seen["batches"].append)
    controller.finished.connect(seen["finished"].append)
    return seen


def test_train_pause_step_resume_stop(qtbot, controller):
    seen = record(controller)
    epochs = seen["epochs"]
    controller.start(long_spiral())
    qtbot.waitUntil(lambda: len(epochs) >= 5, timeout=20_000)

    controller.pause()
    qtbot.waitUntil(lambda: len(seen["paused"]) == 1, timeout=10_000)
    assert controller.state == "paused"
    at_pause = len(epochs)

    controller.step_batch(long_spiral())  # one update, then paused again
    qtbot.waitUntil(lambda: len(seen["paused"]) == 2, timeout=10_000)
    assert len(seen["batches"]) == 1
    # One update ends an epoch only when it was that epoch's last batch.
    ended = seen["batches"][0].batch == controller.trainer.steps_per_epoch
    assert len(epochs) == at_pause + ended
    at_pause = len(epochs)

    controller.step_epoch(long_spiral())  # the rest of this epoch, then paused again
    qtbot.waitUntil(lambda: len(seen["paused"]) == 3, timeout=10_000)
    assert len(epochs) == at_pause + 1

    controller.resume()
    qtbot.waitUntil(lambda: len(epochs) >= at_pause + 5, timeout=20_000)
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)
    assert seen["finished"][0].reason == "stopped"
    assert epochs == list(range(1, len(epochs) + 1))  # every epoch, in order, once


def test_train_continues_where_it_stopped_and_reset_starts_over(qtbot, controller):
    epochs = []
    controller.epochEnded.connect(lambda event: epochs.append(event.epoch))
    controller.start(long_spiral())
    qtbot.waitUntil(lambda: len(epochs) >= 3, timeout=20_000)
    with qtbot.waitSignal(controller.finished, timeout=10_000):
        controller.stop()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)
    last = epochs[-1]
    controller.start(long_spiral())
    qtbot.waitUntil(lambda: epochs[-1] > last + 1, timeout=20_000)
    assert epochs[epochs.index(last) + 1] == last + 1
    controller.reset()
    assert controller.trainer is None and controller.state == "idle"


def test_closing_during_a_run_stops_the_thread(qtbot):
    from playground.gui.controller import TrainingController

    controller = TrainingController()
    seen = []
    controller.epochEnded.connect(seen.append)
    controller.start(long_spiral())
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=20_000)
    assert controller.shutdown(5_000)


def test_a_bad_spec_fails_in_words(qtbot, controller):
    spec = dataclasses.replace(long_spiral(), train=TrainSpec(loss="bce", device="cpu"),
                               data=DataSpec("iris"))
    with qtbot.waitSignal(controller.failed, timeout=20_000) as failed:
        controller.start(spec)
    assert "binary cross-entropy needs two classes, but iris has 3" in failed.args[0]
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)


def short_spiral(epochs):
    spec = long_spiral()
    return dataclasses.replace(spec, train=dataclasses.replace(spec.train, epochs=epochs))


def test_periodic_autosave_every_n_epochs_is_throttled_in_time(qtbot, controller, tmp_path):
    from playground.core.autosave import Autosaver

    controller.autosaver = Autosaver(tmp_path / "unthrottled")
    controller.set_autosave_every(25)
    controller.autosave_min_seconds = 0.0
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller.start(short_spiral(100))
    assert controller.autosaver.counter == 4 + 1  # epochs 25, 50, 75, 100, and the end

    controller.autosaver = Autosaver(tmp_path / "throttled")
    controller.autosave_min_seconds = 3600.0  # a fast run: no periodic save at all
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller.start(short_spiral(200))
    assert controller.autosaver.counter == 1  # the end of the run only
