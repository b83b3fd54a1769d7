import json
from pathlib import Path

import numpy as np
import pytest

from playground.core import data as data_module
from playground.core.data import DATASETS, load_dataset, prepare
from playground.core.data.features import FEATURES
from playground.core.data.transforms import Scaler
from playground.core.errors import DataError
from playground.core.spec import DataSpec, SessionSpec

# The drawn set has no points of its own (they are in the spec): tests/core/test_drawn.py.
LOCAL = [name for name, info in DATASETS.items()
         if info.source in ("synthetic", "scikit-learn") and name != "drawn"]


@pytest.mark.parametrize("name", LOCAL)
def test_same_seed_same_data_other_seed_other_data(name):
    first = prepare(DataSpec(name, seed=3))
    again = prepare(DataSpec(name, seed=3))
    other = prepare(DataSpec(name, seed=4))
    for a, b in zip(_arrays(first), _arrays(again)):
        assert np.array_equal(a, b)
    assert not np.array_equal(first.x_train, other.x_train)


def _arrays(prepared):
    return (prepared.x_train, prepared.y_train, prepared.x_val, prepared.y_val,
            prepared.x_test, prepared.y_test)


@pytest.mark.parametrize("name", LOCAL)
def test_every_set_has_names_task_and_a_preview(name):
    dataset = load_dataset(DataSpec(name))
    assert dataset.task in ("binary", "multiclass", "regression")
    assert len(dataset.feature_names) == dataset.X.shape[1]
    assert dataset.X.dtype == np.float32 and np.isfinite(dataset.X).all()
    if dataset.task != "regression":
        assert dataset.n_classes == len(np.unique(dataset.y)) >= 2
    X, y = dataset.preview(20)
    assert len(X) == len(y) == 20


def test_the_scaler_never_sees_validation_or_test_rows(monkeypatch):
    seen = []
    original = Scaler.fit

    def spy(self, X):
        seen.append(X.copy())
        return original(self, X)

    monkeypatch.setattr(Scaler, "fit", spy)
    spec = DataSpec("wine", seed=1)
    prepared = prepare(spec)
    raw = load_dataset(spec).X
    fitted_rows = {row.tobytes() for row in seen[0]}
    train, val, test = data_module.split_indices(load_dataset(spec).y, spec.split, spec.seed, True)
    assert fitted_rows == {row.tobytes() for row in raw[train]}
    assert not fitted_rows & {row.tobytes() for row in raw[np.concatenate([val, test])]}
    assert np.allclose(prepared.x_train.mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(prepared.x_test.mean(axis=0), 0, atol=1e-3)


def test_split_is_70_15_15_and_stratified():
    prepared = prepare(DataSpec("breast_cancer"))
    n = 569
    sizes = (len(prepared.y_train), len(prepared.y_val), len(prepared.y_test))
    for size, ideal in zip(sizes, (0.7 * n, 0.15 * n, 0.15 * n)):
        assert abs(size - ideal) <= 2  # per-class rounding of a stratified split
    share = np.mean(load_dataset(DataSpec("breast_cancer")).y)
    for part in (prepared.y_train, prepared.y_val, prepared.y_test):
        assert abs(part.mean() - share) < 0.02
    assert len(prepared.y_train) + len(prepared.y_val) + len(prepared.y_test) == n


@pytest.mark.parametrize("scaling", ["none", "standard", "minmax", "robust", "normalize"])
def test_scalings(scaling):
    prepared = prepare(DataSpec("wine", scaling=scaling))
    x = prepared.x_train
    if scaling == "standard":
        assert np.allclose(x.std(axis=0), 1, atol=1e-4)
    elif scaling == "minmax":
        assert x.min() == pytest.approx(0) and x.max() == pytest.approx(1)
    elif scaling == "robust":
        assert np.allclose(np.median(x, axis=0), 0, atol=1e-5)
    elif scaling == "normalize":
        assert np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    else:
        assert x.max() > 100  # proline is in the hundreds
    restored = Scaler.from_state(json.loads(json.dumps(prepared.scaler.state_dict())))
    raw = load_dataset(DataSpec("wine")).X[:5]
    assert np.allclose(restored.transform(raw), prepared.scaler.transform(raw))


def test_regression_targets_are_standardised_on_the_training_rows_only():
    prepared = prepare(DataSpec("diabetes"))
    assert prepared.y_train.mean() == pytest.approx(0, abs=1e-5)
    assert prepared.y_train.std() == pytest.approx(1, abs=1e-4)
    raw = prepare(DataSpec("diabetes", scale_target=False))
    assert raw.y_train.mean() > 100


def test_engineered_inputs():
    spec = DataSpec("xor", inputs=tuple(FEATURES))
    dataset = load_dataset(spec)
    raw = load_dataset(DataSpec("xor")).X.astype(np.float64)
    assert dataset.X.shape == (500, 7)
    assert np.allclose(dataset.X[:, 4], raw[:, 0] * raw[:, 1], rtol=1e-5)
    assert np.allclose(dataset.X[:, 5], np.sin(raw[:, 0]), atol=1e-6)
    with pytest.raises(DataError, match="need a 2-D data set; iris is not one"):
        load_dataset(DataSpec("iris", inputs=("x1x2",)))


@pytest.mark.parametrize("name", ["blobs", "spirals"])
@pytest.mark.parametrize("classes", [2, 5, 8])
def test_k_class_sets(name, classes):
    dataset = load_dataset(DataSpec(name, classes=classes, samples=400))
    assert dataset.n_classes == classes
    assert dataset.task == ("binary" if classes == 2 else "multiclass")
    assert sorted(np.unique(dataset.y)) == list(range(classes))


def test_noise_moves_the_points():
    clean = load_dataset(DataSpec("circle", noise=0.0)).X
    noisy = load_dataset(DataSpec("circle", noise=0.5)).X
    assert np.abs(noisy - clean).mean() > 0.5


def test_too_few_rows_for_the_split_is_one_sentence():
    with pytest.raises(DataError, match="too few for a 5% validation part"):
        prepare(DataSpec("xor", samples=10, split=(0.9, 0.05, 0.05)))


def test_version_1_spec_file_opens_and_migrates():
    path = Path(__file__).parent.parent / "data" / "spec-v1.json"
    spec = SessionSpec.from_json(path.read_text())
    assert spec.data.name == "diabetes" and spec.data.scale_target is False
    assert spec.data.classes == 3 and spec.data.task == "auto"
    spec.validate()
