import dataclasses
import json

import pytest

from playground.core.errors import SpecError
from playground.core.examples import EXAMPLES
from playground.core.spec import SPEC_VERSION, SessionSpec, TrainSpec

from .helpers import tiny_spec


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_round_trips_through_json_and_validates(name):
    spec = EXAMPLES[name]()
    again = SessionSpec.from_json(spec.to_json())
    assert again == spec
    again.validate()


def test_json_carries_format_and_version():
    data = json.loads(tiny_spec().to_json())
    assert data["format"] == "gradient-playground-spec"
    assert data["version"] == SPEC_VERSION


def test_unknown_key_is_an_error_not_dropped():
    data = tiny_spec().to_dict()
    data["train"]["learning_rate"] = 0.1
    with pytest.raises(SpecError, match="spec.train: unknown key 'learning_rate'"):
        SessionSpec.from_dict(data)


def test_newer_version_says_which_version_made_it():
    data = tiny_spec().to_dict()
    data["version"] = SPEC_VERSION + 1
    with pytest.raises(SpecError, match=f"spec version {SPEC_VERSION + 1}"):
        SessionSpec.from_dict(data)


def test_wrong_types_name_the_field():
    data = tiny_spec().to_dict()
    data["train"]["epochs"] = "many"
    with pytest.raises(SpecError, match=r"spec.train.epochs: expected a whole number"):
        SessionSpec.from_dict(data)


@pytest.mark.parametrize("change, message", [
    ({"epochs": 0}, r"train.epochs: 0 is out of range; allowed 1 to"),
    ({"batch_size": 0}, r"train.batch_size: 0 is out of range"),
    ({"l2": -1.0}, r"train.l2: -1.0 is out of range; allowed 0 to 10"),
    ({"device": "tpu"}, r"train.device: 'tpu' is not allowed; choose one of auto, cpu, cuda"),
    ({"loss": "cross"}, r"train.loss: 'cross' is not allowed"),
])
def test_validate_names_field_value_and_range(change, message):
    spec = dataclasses.replace(tiny_spec(), train=dataclasses.replace(TrainSpec(), **change))
    with pytest.raises(SpecError, match=message):
        spec.validate()


def test_split_must_add_up_to_one():
    spec = tiny_spec()
    spec = dataclasses.replace(spec, data=dataclasses.replace(spec.data, split=(0.5, 0.2, 0.2)))
    with pytest.raises(SpecError, match="add up to 0.9; they must add up to 1"):
        spec.validate()


def test_lbfgs_requires_full_batch():
    spec = dataclasses.replace(tiny_spec(), optimizer=dataclasses.replace(
        tiny_spec().optimizer, name="lbfgs", lr=1.0))
    with pytest.raises(SpecError, match="L-BFGS needs full-batch updates"):
        spec.validate()


def test_layer_parameters_are_checked_against_the_registry():
    data = tiny_spec().to_dict()
    data["model"]["layers"][0]["params"]["units"] = 0
    with pytest.raises(SpecError, match=r"model.layers\[0\].units: 0 is out of range"):
        SessionSpec.from_dict(data).validate()
    data["model"]["layers"][0]["params"] = {"neurons": 4}
    with pytest.raises(SpecError, match="unknown parameter 'neurons'"):
        SessionSpec.from_dict(data).validate()


def test_specs_are_immutable():
    spec = tiny_spec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.train.epochs = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.optimizer.params["momentum"] = 0.5  # type: ignore[index]
