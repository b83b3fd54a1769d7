"""`train --save`: a save that has begun finishes. Ctrl-C pressed after training ended,
while the session is being prepared or written, waits until the file is whole."""
import os
import signal

import pytest

from playground import cli
from playground.core.sessionfile import open_session, writing

TRAIN = ["train", "--dataset", "xor", "--samples", "80", "--epochs", "2", "--device", "cpu"]


@pytest.fixture(autouse=True)
def ctrl_c_raises():
    """SIGINT as an interactive Python has it, whatever this process inherited (a shell
    starts background jobs with SIGINT ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_save_waits_for_the_file(capsys, tmp_path, monkeypatch,
                                                     signal_number):
    prepare, sent = writing._prepare_members, []

    def prepare_then_signal(*args, **kwargs):  # after training, before the file is written
        os.kill(os.getpid(), signal_number)
        sent.append(signal_number)
        return prepare(*args, **kwargs)

    monkeypatch.setattr(writing, "_prepare_members", prepare_then_signal)
    previous = signal.getsignal(signal.SIGTERM)
    caught = []
    signal.signal(signal.SIGTERM, lambda number, _: caught.append(number))  # as a caller's
    try:
        path = tmp_path / "run.pgsession"
        code = cli.main([*TRAIN, "--save", str(path)])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert sent == [signal_number]
    assert open_session(path).state is not None  # the file is whole and opens
    if signal_number == signal.SIGINT:  # then the signal acts as it would have
        assert code == cli.EXIT_INTERRUPTED and "interrupted" in capsys.readouterr().err
    else:
        assert caught == [signal.SIGTERM]


def test_ctrl_c_during_training_still_stops_the_run_and_saves_it(capsys, tmp_path,
                                                                  monkeypatch):
    from playground.core.trainer import Trainer

    fit = Trainer.fit

    def fit_interrupted(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # before the first batch: the stop handler
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "fit", fit_interrupted)
    path = tmp_path / "stopped.pgsession"
    code = cli.main([*TRAIN, "--epochs", "50", "--save", str(path), "--jsonl"])
    assert code == cli.EXIT_OK
    assert '"reason": "stopped"' in capsys.readouterr().out
    assert open_session(path).state is not None
