"""Sweep plans, grouping, streaming, stopping and the results table (core.experiments)."""
from __future__ import annotations

import dataclasses

import pytest

from playground.core.control import TrainControl
from playground.core.errors import PlaygroundError, SpecError
from playground.core.experiments.sweep import (MAX_RUNS, group_runs, parse_values,
                                               plan_sweep, run_sweep)

from .helpers import tiny_spec


def test_every_combination_in_order_with_the_optimizer_applied_before_its_lr():
    plan = plan_sweep(tiny_spec(), [("lr", (0.1, 0.5)), ("optimizer", ("sgd", "adam"))])
    assert [(r.spec.optimizer.name, r.spec.optimizer.lr) for r in plan.runs] == [
        ("sgd", 0.1), ("adam", 0.1), ("sgd", 0.5), ("adam", 0.5)]
    assert plan.runs[1].name == "lr=0.1, optimizer=adam"


def test_a_swept_optimizer_takes_its_default_rate_unless_the_rate_is_kept():
    spec = tiny_spec()
    assert plan_sweep(spec, {"optimizer": ("sgd",)}).runs[0].spec.optimizer.lr == 0.1
    assert plan_sweep(spec, {"optimizer": ("sgd",)}, keep_lr=True).runs[0].spec.optimizer.lr \
        == spec.optimizer.lr


def test_variables_change_what_they_say():
    spec = dataclasses.replace(tiny_spec(), optimizer=dataclasses.replace(
        tiny_spec().optimizer, name="sgd", lr=0.1))
    momentum = plan_sweep(spec, {"momentum": (0.0, 0.9)}).runs
    assert momentum[0].spec.optimizer.name == "sgd"
    assert (momentum[1].spec.optimizer.name, momentum[1].spec.optimizer.params["momentum"]) \
        == ("momentum", 0.9)
    init = plan_sweep(spec, {"init": ("zeros",)}).runs[0].spec
    assert all(layer.params["init"] == "zeros" for layer in init.model.layers)
    act = plan_sweep(spec, {"activation": ("relu",)}).runs[0].spec
    assert [layer.params["activation"] for layer in act.model.layers] == \
        ["relu", "relu", "linear"]
    drop = plan_sweep(spec, {"dropout": (0.0, 0.3)}).runs
    assert drop[0].spec.model == spec.model
    assert [layer.kind for layer in drop[1].spec.model.layers] == \
        ["dense", "dropout", "dense", "dropout", "dense"]
    assert plan_sweep(spec, {"batch_size": parse_values("batch_size", "full,4")}) \
        .runs[0].spec.train.batch_size is None


def test_runs_that_share_everything_stack_and_the_rest_train_alone():
    spec = tiny_spec()
    assert [len(g) for g in group_runs(plan_sweep(spec, {"lr": (0.01, 0.1, 0.2)}))] == [3]
    assert [len(g) for g in group_runs(plan_sweep(
        spec, {"activation": ("relu", "tanh")}))] == [1, 1]
    mixed = plan_sweep(spec, [("dropout", (0.0, 0.5)), ("seed", (1, 2))])
    assert sorted(len(g) for g in group_runs(mixed)) == [1, 1, 2]


@pytest.mark.parametrize("vary, words", [
    ({}, "needs a variable"),
    ({"lr": ()}, "no values"),
    ({"colour": (1,)}, "cannot be swept"),
    ({"seed": tuple(range(MAX_RUNS + 1))}, "at most 32 per variable"),
    ({"seed": tuple(range(20)), "lr": (0.1, 0.2, 0.3, 0.4)}, "would train 80 runs"),
])
def test_bad_plans_are_refused_with_a_sentence_before_anything_trains(vary, words):
    with pytest.raises(SpecError, match=words):
        plan_sweep(tiny_spec(), vary)


def test_records_stream_per_run_per_epoch_and_the_table_summarises():
    plan = plan_sweep(tiny_spec(epochs=3), [("lr", (0.01, 0.1)), ("activation",
                                                                  ("tanh", "relu"))],
                      target_loss=100.0)
    seen = []
    result = run_sweep(plan, on_record=lambda i, record: seen.append((i, record)))
    assert len(seen) == 4 * 3
    assert {record["activation"] for _, record in seen} == {"tanh", "relu"}
    table = result.table()
    assert [row["run"] for row in table] == [1, 2, 3, 4]
    assert all(row["reason"] == "completed" and row["epochs"] == 3 for row in table)
    assert all(row["epoch_to_target"] == 1 for row in table)
    assert all("test_accuracy" in row and row["update_norm"] > 0 for row in table)
    assert result.results[0].weights  # the end state, for the runs table
    history = result.results[0].history()
    assert history.length == 3 and history.grad_norm_labels


def test_stop_ends_the_sweep_and_leaves_the_rest_not_run():
    control = TrainControl()
    plan = plan_sweep(tiny_spec(epochs=50), {"activation": ("tanh", "relu", "sigmoid")})
    result = run_sweep(plan, control=control, on_record=lambda i, r: control.stop())
    reasons = [row["reason"] for row in result.table()]
    assert result.stopped and reasons[0] == "stopped" and reasons[1:] == ["not run"] * 2


def test_csv_goes_to_a_file_and_a_bad_path_is_a_sentence(tmp_path):
    result = run_sweep(plan_sweep(tiny_spec(epochs=1), {"seed": (1, 2)}))
    path = tmp_path / "out.csv"
    text = result.to_csv(path)
    assert path.read_text() == text and text.startswith("run,name,seed,reason")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(PlaygroundError, match="is a file, not a folder"):
        result.to_csv(blocker / "out.csv")
