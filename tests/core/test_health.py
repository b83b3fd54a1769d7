"""core.health: each check fires on a run crafted to show its problem, within the
stated epochs, once (hysteresis), with a fix that validates; and the CLI streams them."""
from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from playground.core.health import CHECK_NAMES, Finding, HealthMonitor
from playground.core.health.finding import Finding as _Finding
from playground.core.spec import DataSpec, ModelSpec, OptimizerSpec, SessionSpec, TrainSpec
from playground.core.trainer import Trainer

from .helpers import dense, tiny_spec, with_layers, with_optimizer


def _run(spec: SessionSpec, prepare=None) -> tuple[Trainer, list[Finding]]:
    found: list[Finding] = []
    trainer = Trainer(spec, callbacks=[HealthMonitor(found.append)])
    if prepare is not None:
        with torch.no_grad():
            prepare([m for m in trainer.model if isinstance(m, torch.nn.Linear)])
    trainer.fit()
    return trainer, found


def _first(found: list[Finding], check: str) -> Finding:
    matches = [f for f in found if f.check == check]
    assert matches, f"{check} did not fire; found {[f.check for f in found]}"
    return matches[0]


def _fix_applies(spec: SessionSpec, finding: Finding) -> SessionSpec:
    """The fix is a session-model edit (section or section.field -> value) that validates."""
    fixed = spec
    for path, value in finding.fix.items():
        head, _, name = path.partition(".")
        part = dataclasses.replace(getattr(fixed, head), **{name: value}) if name else value
        fixed = dataclasses.replace(fixed, **{head: part})
    assert fixed != spec and finding.fix_label
    return fixed.validate()


def test_divergence_lr_10_with_sgd_fires_at_epoch_1():
    spec = with_optimizer(tiny_spec(epochs=20), "sgd", 10.0)
    trainer, found = _run(spec)
    finding = _first(found, "divergence")
    assert finding.epoch == 1 and "diverged" in finding.message
    fixed = _fix_applies(spec, finding)
    assert fixed.optimizer.lr == 1.0 and fixed.train.clip_norm == 1.0


def test_exploding_gradients_in_a_deep_linear_net_with_large_weights_fire_at_epoch_1():
    spec = with_optimizer(with_layers(tiny_spec(epochs=3), *[dense(16) for _ in range(6)],
                                      dense(None)), "sgd", 1e-6)
    _, found = _run(spec, lambda linears: [m.weight.mul_(4.0) for m in linears])
    finding = _first(found, "exploding_gradients")
    assert finding.epoch == 1
    assert _fix_applies(spec, finding).train.clip_norm == 1.0


def test_vanishing_gradients_in_a_10_layer_sigmoid_net_fire_by_epoch_3():
    spec = with_layers(tiny_spec(epochs=6), *[dense(8, "sigmoid") for _ in range(10)],
                       dense(None))
    _, found = _run(spec)
    finding = _first(found, "vanishing_gradients")
    assert finding.epoch <= 3 and "1 Dense" in finding.message
    layers = _fix_applies(spec, finding).model.layers
    assert all(layer.params["activation"] == "relu" for layer in layers[:-1])
    assert layers[-1].params["activation"] == "linear"


def test_dead_units_relu_with_a_large_negative_bias_fire_at_epoch_1():
    spec = with_layers(tiny_spec(epochs=4), dense(8, "relu"), dense(8, "relu"), dense(None))
    _, found = _run(spec, lambda linears: [m.bias.fill_(-5.0) for m in linears])
    finding = _first(found, "dead_units")
    assert finding.epoch == 1 and "dead" in finding.message
    layers = _fix_applies(spec, finding).model.layers
    assert [layer.params["activation"] for layer in layers] == ["leaky_relu", "leaky_relu",
                                                               "linear"]


def test_symmetry_zeros_init_fires_at_epoch_1():
    spec = with_layers(tiny_spec(epochs=4), dense(8, "tanh", "zeros"),
                       dense(8, "tanh", "zeros"), dense(None, "linear", "zeros"))
    _, found = _run(spec)
    finding = _first(found, "symmetry")
    assert finding.epoch == 1 and "identical" in finding.message
    inits = [layer.params["init"] for layer in _fix_applies(spec, finding).model.layers]
    assert inits == ["xavier_uniform"] * 3


def test_stalled_lr_1e_6_fires_at_epoch_10():
    spec = with_optimizer(tiny_spec(epochs=12), "adam", 1e-6)
    _, found = _run(spec)
    finding = _first(found, "stalled")
    assert finding.epoch == 10
    assert _fix_applies(spec, finding).optimizer.lr == 0.001  # Adam's usual lr


def test_overfitting_64_64_on_100_noisy_moons_fires_by_epoch_200():
    spec = SessionSpec(data=DataSpec("moons", samples=100, noise=0.3),
                       model=ModelSpec((dense(64, "relu"), dense(64, "relu"),
                                        dense(None, "sigmoid"))),
                       optimizer=OptimizerSpec("adam", 0.01),
                       train=TrainSpec(batch_size=10, epochs=200, device="cpu"))
    _, found = _run(spec)
    finding = _first(found, "overfitting")
    assert finding.epoch <= 200
    fixed = _fix_applies(spec, finding)
    assert fixed.train.early_stopping.enabled and fixed.train.l2 == 1e-3


def test_a_healthy_run_has_no_findings_and_each_finding_fires_once():
    _, found = _run(tiny_spec(epochs=30))
    assert found == []
    # The stalled condition holds for every epoch from 10 to 40: one finding, not 31.
    _, found = _run(with_optimizer(tiny_spec(epochs=40), "adam", 1e-6))
    assert [f.check for f in found].count("stalled") == 1


def test_hysteresis_rearms_after_the_condition_clears():
    from playground.core.health.checks import Check

    class Scripted(Check):
        name = "stalled"
        script = [1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1]

        def evaluate(self, ctx):
            return _Finding(self.name, ctx.epoch, "m", "r") if \
                self.script[ctx.epoch - 1] else None

    found = []
    Trainer(tiny_spec(epochs=11), callbacks=[HealthMonitor(found.append, [Scripted()])]).fit()
    assert [f.epoch for f in found] == [1, 8]


def test_a_time_gated_monitor_reads_the_epochs_it_skipped_and_judges_at_the_end():
    """The window's monitor (min_seconds) judges the first epochs each, then at most once
    per interval; the checks read the history, so what happened in skipped epochs is
    seen at the next judgement, and the run's end is always judged."""
    from playground.core.health.checks import Check
    from playground.core.health.monitor import PROBE_EARLY

    looks = []

    class LongRun(Check):  # fires once the history holds 25 epochs
        name = "stalled"

        def evaluate(self, ctx):
            looks.append(ctx.epoch)
            if len(ctx.column("loss")) >= 25:
                return _Finding(self.name, ctx.epoch, "m", "r")

    found: list[Finding] = []
    Trainer(tiny_spec(epochs=30), callbacks=[HealthMonitor(found.append, [LongRun()],
                                                           min_seconds=1e9)]).fit()
    assert looks == [*range(1, PROBE_EARLY + 1), 30]  # the early epochs, then the end
    assert [(f.check, f.epoch) for f in found] == [("stalled", 30)]


def test_a_time_gated_monitor_judges_a_non_finite_loss_at_once():
    from playground.core.health.checks import Check

    judged = []

    class Recording(Check):
        name = "divergence"

        def evaluate(self, ctx):
            judged.append(ctx.epoch)

    monitor = HealthMonitor(lambda f: None, [Recording()], min_seconds=1e9)
    trainer = Trainer(tiny_spec(epochs=1))
    trainer.fit()
    for epoch, loss in ((30, 0.5), (31, float("nan")), (32, 0.4)):
        event = dataclasses.make_dataclass("E", ["epoch", "logs"])(epoch, {"loss": loss})
        if epoch == 30:
            monitor._judge(trainer, event)  # the last judgement was just now
        else:
            monitor.on_epoch_end(trainer, event)
    assert judged == [30, 31]


def test_findings_are_json_records_and_the_names_are_the_issue_s():
    assert CHECK_NAMES == ("divergence", "exploding_gradients", "vanishing_gradients",
                           "dead_units", "symmetry", "stalled", "overfitting")
    record = Finding("stalled", 10, "The loss has stalled.", "why").to_record()
    assert record == {"event": "health", "check": "stalled", "epoch": 10,
                      "message": "The loss has stalled."}


def test_the_cli_jsonl_stream_carries_health_records(capsys):
    from playground.cli import main

    code = main(["train", "--dataset", "moons", "--samples", "100", "--layers",
                 "8:tanh,auto:sigmoid", "--optimizer", "adam", "--lr", "1e-6",
                 "--epochs", "11", "--jsonl"])
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    health = [r for r in records if r["event"] == "health"]
    assert health == [{"event": "health", "check": "stalled", "epoch": 10,
                       "message": health[0]["message"]}]
    assert "stalled" in health[0]["message"]
    # It follows its epoch's record.
    index = records.index(health[0])
    assert records[index - 1]["event"] == "epoch" and records[index - 1]["epoch"] == 10


@pytest.mark.slow
@pytest.mark.parametrize("name", ["spiral", "xor", "breast_cancer", "iris", "digits_mlp",
                                  "digits_deep", "digits_cnn", "diabetes"])
def test_no_check_fires_on_a_built_in_example_trained_to_the_end(name):
    from playground.core.examples import EXAMPLES

    spec = EXAMPLES[name]()
    spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, device="cpu"))
    trainer, found = _run(spec)
    assert trainer.epoch == spec.train.epochs
    assert found == []
