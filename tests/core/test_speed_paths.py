"""The fast paths keep their promises: threads by work, the unwrapped optimizer step is
bit-identical, no torch._dynamo or sklearn import before the first epoch, validation
every N epochs."""
import dataclasses
import math
import subprocess
import sys
import textwrap

import pytest
import torch

from playground import cli
from playground.core.device import PARALLEL_WORK, choose_threads
from playground.core.eager_optim import eager_step, zero_grad
from playground.core.errors import SpecError
from playground.core.optim import build_optimizer
from playground.core.spec import EarlyStoppingSpec, SessionSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_schedule


def test_threads_follow_the_work_per_update_not_the_window():
    small, large = PARALLEL_WORK // 10, PARALLEL_WORK * 10
    for interactive in (False, True):
        assert choose_threads(0, small, interactive, cores=2, load=0.0) == 1
        assert choose_threads(0, small, interactive, cores=8, load=0.0) == 1
        assert choose_threads(0, large, interactive, cores=2, load=0.5) == 2  # 1 thread: 1.4x
    assert choose_threads(0, large, False, cores=8, load=0.0) == 8
    assert choose_threads(0, large, True, cores=8, load=0.0) == 7  # a core for the interface
    assert choose_threads(3, small, True, cores=8, load=0.0) == 3  # the user's choice wins
    assert choose_threads(0, large, False, cores=1, load=0.0) == 1


def test_an_oversubscribed_machine_gets_one_thread():
    large = PARALLEL_WORK * 10
    assert choose_threads(0, large, False, cores=2, load=2.0) == 2
    assert choose_threads(0, large, False, cores=2, load=3.5) == 1
    assert choose_threads(4, large, False, cores=2, load=9.0) == 4  # unless asked for


def test_work_per_update_counts_the_batch_matmuls():
    spec = with_layers(tiny_spec(batch_size=16), dense(8, "tanh"), dense(5, "relu"), dense(None))
    trainer = Trainer(spec)
    n_out = trainer.model[-1].out_features
    assert trainer.work_per_update() == 16 * (2 * 8 + 8 * 5 + 5 * n_out)
    assert trainer.threads == 1


@pytest.mark.parametrize("name, params", [
    ("adam", {}), ("adamw", {}), ("momentum", {"momentum": 0.9}), ("nesterov", {}),
    ("sgd", {}), ("rmsprop", {}), ("adagrad", {}), ("adadelta", {}), ("adamax", {}),
    ("nadam", {}), ("radam", {})])
def test_the_unwrapped_step_is_bit_identical_to_optimizer_step(name, params):
    torch.manual_seed(0)
    x, y = torch.randn(64, 6), torch.randn(64, 1)
    models = [torch.nn.Sequential(torch.nn.Linear(6, 7), torch.nn.Tanh(), torch.nn.Linear(7, 1))
              for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    optimizers = [build_optimizer(name, 0.01, dict(params), 1e-3, m.parameters())
                  for m in models]
    fast = eager_step(optimizers[1])
    for _ in range(5):
        for model, optimizer, step in ((models[0], optimizers[0], optimizers[0].step),
                                       (models[1], optimizers[1], fast)):
            if step is fast:
                zero_grad(list(model.parameters()))
            else:
                optimizer.zero_grad(set_to_none=True)
            torch.nn.functional.mse_loss(model(x), y).backward()
            step()
    for a, b in zip(models[0].parameters(), models[1].parameters()):
        assert torch.equal(a, b)
    assert torch.is_grad_enabled()


def test_a_step_with_hooks_uses_the_public_step():
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.Adam(model.parameters())
    optimizer.register_step_post_hook(lambda *args: None)
    assert eager_step(optimizer) == optimizer.step


def test_the_first_epoch_imports_neither_dynamo_nor_sklearn():
    """The first Trainer in a process: torch._dynamo (1.45 s) and sklearn (about 1 s)
    stay out of the wait between Train and the first epoch; once torch._dynamo is
    imported by anyone, torch.optim's methods get the real compiler-disabled versions."""
    code = textwrap.dedent("""
        import sys
        from playground.core.spec import *
        from playground.core.trainer import Trainer
        spec = SessionSpec(data=DataSpec("digits"), optimizer=OptimizerSpec("adam", 0.001),
                           train=TrainSpec(epochs=1, device="cpu"))
        trainer = Trainer(spec)
        trainer.fit()
        trainer.optimizer.load_state_dict(trainer.optimizer.state_dict())
        print(int("torch._dynamo" in sys.modules), int("sklearn" in sys.modules))
        import torch, torch._dynamo
        trainer.optimizer.zero_grad()
        raw = torch.optim.Optimizer.zero_grad.__wrapped__
        print(int(getattr(raw.__dynamo_disable, "_torchdynamo_disable", False)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "0", "1"]


# --------------------------------------------------------------- validate every N

def _every(n, **train):
    spec = tiny_spec(**{"epochs": 5, **train})
    return dataclasses.replace(spec, train=dataclasses.replace(spec.train, validate_every=n))


def test_validation_every_n_epochs_and_at_the_last():
    trainer = Trainer(_every(2))
    trainer.fit()
    records = trainer.history.records  # History keeps NaN where an epoch logged nothing
    assert [r["epoch"] for r in records if math.isfinite(r["val_loss"])] == [2, 4, 5]
    assert [trainer.validated] == [True]
    assert all(math.isfinite(r["loss"]) for r in trainer.history.records)


def test_every_epoch_by_default_and_the_same_training():
    once, every = Trainer(_every(1)), Trainer(_every(3))
    once.fit(), every.fit()
    assert all(math.isfinite(r["val_loss"]) for r in once.history.records)
    assert [r["loss"] for r in once.history.records] == [r["loss"] for r in every.history.records]


def test_skipped_validations_do_not_count_against_patience():
    spec = _every(2, epochs=6)
    spec = dataclasses.replace(spec, train=dataclasses.replace(
        spec.train, early_stopping=EarlyStoppingSpec(True, "val_loss", 2, 1e6, False)))
    trainer = Trainer(spec)  # min_delta so large that no validation counts as better
    finished = trainer.fit()
    # Validations at epochs 2, 4, 6: the first sets the best; counting skipped epochs
    # too would have stopped at epoch 4.
    assert finished.reason == "early_stopping" and trainer.epoch == 6


def test_plateau_schedule_only_judges_validated_epochs():
    spec = with_schedule(_every(2, epochs=6), "plateau", patience=0)
    trainer = Trainer(spec)
    judged, judge = [], trainer.schedule.on_epoch_end

    def watched(loss):
        judged.append((trainer.epoch, loss))
        return judge(loss)

    trainer.schedule.on_epoch_end = watched
    trainer.fit()
    records = trainer.history.records
    validated = [(r["epoch"], r["val_loss"]) for r in records if math.isfinite(r["val_loss"])]
    assert [epoch for epoch, _ in judged] == [2, 4, 6] and judged == validated
    # nothing judged before epoch 2, so nothing cut: epochs 1-3 train at the base rate
    assert [r["lr"] for r in records[:3]] == [spec.optimizer.lr] * 3


def test_validate_every_round_trips_and_old_specs_default_to_one():
    spec = _every(4)
    again = SessionSpec.from_dict(spec.to_dict())
    assert again.train.validate_every == 4
    data = spec.to_dict()
    del data["train"]["validate_every"]
    assert SessionSpec.from_dict(data).train.validate_every == 1
    with pytest.raises(SpecError, match="train.validate_every"):
        _every(0).validate()


def test_cli_validate_every(capsys):
    code = cli.main(["train", "--dataset", "spiral", "--samples", "60", "--epochs", "3",
                     "--validate-every", "2", "--jsonl", "--device", "cpu"])
    out = capsys.readouterr().out.splitlines()
    records = [line for line in out if '"val_loss"' in line and '"finished"' not in line]
    assert code == 0 and len(records) == 2  # epochs 2 and 3
    assert cli.main(["train", "--dataset", "spiral", "--validate-every", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--validate-every" in err and len(err.splitlines()) == 1
