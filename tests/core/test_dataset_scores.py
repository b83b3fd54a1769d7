"""Every data set trains with its default network to a sensible score."""
import dataclasses

import pytest

from playground.core.examples import for_dataset
from playground.core.spec import DataSpec
from playground.core.trainer import Trainer

# data set: (which split and metric, at least). Each floor holds with a margin over
# training seeds 0-7 (a CPU that rounds differently moves a long trajectory about as far
# as another seed does): spiral scored 0.845-0.991 and diabetes 0.276-0.370 there, so
# their floors are 0.75 (chance: 0.5) and 0.2 (the mean's r2: 0).
EXPECTED = {
    "circle": ("test_accuracy", 0.95), "xor": ("test_accuracy", 0.95),
    "gauss": ("test_accuracy", 0.95), "moons": ("test_accuracy", 0.95),
    "spiral": ("accuracy", 0.75), "blobs": ("test_accuracy", 0.9),
    "spirals": ("accuracy", 0.9), "plane": ("test_r2", 0.95),
    "multi_gauss": ("test_r2", 0.8), "sine": ("test_r2", 0.9),
    "iris": ("test_accuracy", 0.9), "wine": ("test_accuracy", 0.9),
    "breast_cancer": ("test_accuracy", 0.93), "digits": ("test_accuracy", 0.93),
    "diabetes": ("test_r2", 0.2),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_default_network_reaches_a_sensible_score(name):
    spec = for_dataset(DataSpec(name, noise=0.05))
    spec = dataclasses.replace(spec, train=dataclasses.replace(spec.train, device="cpu"))
    trainer = Trainer(spec)
    finished = trainer.fit()
    key, floor = EXPECTED[name]
    score = finished.test[key] if key.startswith("test_") else trainer.history.records[-1][key]
    assert score >= floor, f"{name}: {key} {score:.3f} < {floor}"
