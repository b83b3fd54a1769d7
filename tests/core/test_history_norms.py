"""History keeps each layer's gradient norm per epoch, so a saved session's plots can be
redrawn whole; its logs (records, the CLI's view) are unchanged."""
import math
from pathlib import Path

from playground.core.callbacks import History
from playground.core.events import EpochEnded
from playground.core.sessionfile import describe_session, open_any, save_session
from playground.core.trainer import Trainer

from .helpers import tiny_spec

DATA = Path(__file__).parent.parent / "data"


def test_grad_norms_are_stored_and_round_trip_through_a_session_file(tmp_path):
    seen: list[EpochEnded] = []

    class Recorder(History):  # the events as the trainer sent them
        name = "recorder"

        def on_epoch_end(self, trainer, event):
            seen.append(event)

    trainer = Trainer(tiny_spec(epochs=3), callbacks=[Recorder()])
    trainer.fit()
    history = trainer.history
    assert history.grad_norm_labels == list(seen[0].grad_norms)
    assert len(history.grad_norm_labels) == 3
    assert all(not key.startswith(History.GRAD_PREFIX) for key in history.records[-1])
    assert [dict(e.grad_norms) for e in history.events()] == [dict(e.grad_norms) for e in seen]
    assert same([dict(e.logs) for e in history.events()], history.records)

    path = tmp_path / "run.pgsession"
    save_session(path, trainer.spec, trainer.state_dict(), trainer.data)
    reopened = Trainer(open_any(path).spec)
    reopened.load_state_dict(open_any(path).state)
    events = reopened.history.events()
    assert [dict(e.grad_norms) for e in events] == [dict(e.grad_norms) for e in seen]
    assert same(describe_session(path)["last_epoch"], history.records[-1])  # the CLI's view


def same(a, b) -> bool:
    """Equal, NaN included (an epoch may log NaN: the gradient noise scale, say)."""
    import json

    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_a_layer_without_a_norm_is_nan_and_plain_logs_still_append():
    history = History()
    history.append({"epoch": 1, "step": 1, "loss": 1.0})
    history.on_epoch_end(None, EpochEnded({"epoch": 2, "step": 2, "loss": 0.5},
                                          {"1 Dense": 0.25}))
    events = history.events()
    assert math.isnan(events[0].grad_norms["1 Dense"])
    assert events[1].grad_norms["1 Dense"] == 0.25
    assert history.records[1] == {"epoch": 2, "step": 2, "loss": 0.5}


def test_an_old_session_file_without_norms_still_opens():
    session = open_any(DATA / "session-v1.pgsession")
    trainer = Trainer(session.spec)
    trainer.load_state_dict(session.state)
    events = trainer.history.events()
    assert events and all(dict(e.grad_norms) == {} for e in events)
    assert trainer.history.grad_norm_labels == []
