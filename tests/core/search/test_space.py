"""The search-space language: parsing, one sentence per mistake, and the spec a trial's
values make."""
from __future__ import annotations

import pytest

from playground.core.search import SpaceError, apply_params, parse_space
from playground.core.spec import SessionSpec

from ..helpers import tiny_spec


def test_the_issue_example_parses_into_three_dimensions():
    space = parse_space("lr=1e-4..1:log,units=4..64,optimizer=sgd|adam")
    lr, units, optimizer = space.dimensions
    assert (lr.kind, lr.low, lr.high, lr.log) == ("float", 1e-4, 1.0, True)
    assert (units.kind, units.low, units.high, units.log) == ("int", 4, 64, False)
    assert optimizer.choices == ("sgd", "adam")
    assert parse_space(space.text()) == space  # the text round-trips


def test_grid_points_follow_the_scale_and_the_count():
    space = parse_space("lr=1e-4..1:log:5,units=4..8:3,batch=16|32")
    grid = space.grid()
    assert grid["lr"] == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert grid["units"] == [4, 6, 8]
    assert grid["batch_size"] == [16, 32]
    assert space.grid_size() == 30


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("lr", "not of the form"),
    ("colour=red", "not a hyperparameter"),
    ("lr=abc..1", "not a number"),
    ("lr=1..1e-3", "runs backwards"),
    ("lr=0..1:log", "out of range"),
    ("momentum=0..0.9:log", "log scale needs a lower bound above 0"),
    ("units=2.5..8", "whole numbers"),
    ("units=0..8", "out of range"),
    ("optimizer=sgd|warp", "not a optimizer"),
    ("optimizer=sgd..adam", "a choice, not a range"),
    ("lr=1e-3..1:cubic", "not understood"),
    ("lr=1e-3..1,lr=1e-2..1", "given twice"),
    (",", "holds no item"),
    ("lr=1e-3...1e-1", "two dots"),
    ("lr=1e-3.." + "9" * 1000, "is not a finite number"),
    ("activation=relu|relu", "twice"),
])
def test_each_mistake_is_one_sentence(text, words):
    with pytest.raises(SpaceError) as caught:
        parse_space(text)
    message = str(caught.value)
    assert words in message and len(message) < 300  # the input quoted in part
    assert message.endswith(".") and "\n" not in message


def test_trial_values_change_the_spec_as_named():
    base = tiny_spec()
    spec = apply_params(base, {"layers": 3, "units": 32, "activation": "relu",
                               "init": "he_uniform", "dropout": 0.2, "lr": 0.05,
                               "optimizer": "sgd", "momentum": 0.9, "l2": 1e-3,
                               "batch_size": 8})
    kinds = [layer.kind for layer in spec.model.layers]
    assert kinds == ["dense", "dropout"] * 3 + ["dense"]
    hidden = spec.model.layers[0].params
    assert (hidden["units"], hidden["activation"], hidden["init"]) == (32, "relu",
                                                                       "he_uniform")
    assert spec.model.layers[1].params["rate"] == 0.2
    assert spec.model.layers[-1] == base.model.layers[-1]  # the output layer is kept
    # plain gradient descent with momentum is the momentum optimizer
    assert (spec.optimizer.name, spec.optimizer.lr) == ("momentum", 0.05)
    assert spec.optimizer.params["momentum"] == 0.9
    assert (spec.train.l2, spec.train.batch_size) == (1e-3, 8)
    assert spec.data == base.data


def test_momentum_is_beta1_for_adam_and_dropout_zero_removes_dropout():
    spec = apply_params(tiny_spec(), {"momentum": 0.8, "dropout": 0.3})
    assert spec.optimizer.params["beta1"] == 0.8
    again = apply_params(spec, {"dropout": 0.0})
    assert [layer.kind for layer in again.model.layers] == ["dense", "dense", "dense"]


def test_another_optimizer_starts_from_its_own_default_lr_unless_lr_is_searched():
    base = tiny_spec()
    assert apply_params(base, {"optimizer": "sgd"}).optimizer.lr == 0.1
    assert apply_params(base, {"optimizer": "sgd", "lr": 0.3}).optimizer.lr == 0.3


def test_layers_refuses_a_network_with_other_layer_kinds():
    conv = SessionSpec.from_dict({**tiny_spec().to_dict(), "model": {"layers": [
        {"kind": "dense", "params": {"units": 4}}, {"kind": "batchnorm", "params": {}},
        {"kind": "dense", "params": {"units": None}}]}})
    with pytest.raises(SpaceError, match="dense"):
        apply_params(conv, {"layers": 2})


class _Trial:
    """Answers every suggestion with the first choice or the low end of a range."""

    def __init__(self):
        self.asked = []

    def suggest_float(self, name, low, high, log=False):
        self.asked.append(name)
        return low

    suggest_int = suggest_float

    def suggest_categorical(self, name, choices):
        self.asked.append(name)
        return choices[0]


def test_momentum_is_asked_only_of_trials_whose_optimizer_has_it():
    space = parse_space("momentum=0..0.9,optimizer=adagrad|adam")
    trial = _Trial()
    assert space.suggest(trial, tiny_spec()) == {"optimizer": "adagrad"}
    assert trial.asked == ["optimizer"]
    space = parse_space("momentum=0.5..0.9,optimizer=adam|adagrad")
    assert space.suggest(_Trial(), tiny_spec()) == {"momentum": 0.5, "optimizer": "adam"}


def test_a_space_that_cannot_work_on_the_spec_is_refused_before_any_trial():
    adagrad = apply_params(tiny_spec(), {"optimizer": "adagrad"})
    with pytest.raises(SpaceError, match="Adagrad has no momentum term"):
        parse_space("momentum=0..0.9").check_fits(adagrad)
    parse_space("momentum=0..0.9,optimizer=adagrad|sgd").check_fits(adagrad)
    with pytest.raises(SpaceError, match="last value .* parameters"):
        parse_space("units=4..4096,layers=1..16").check_fits(tiny_spec())
