"""The data layer: named data sets, feature selection, splits and scaling."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError
from ..spec import DataSpec
from . import builtin, synthetic
from .split import split_indices
from .transforms import Scaler

TASKS = ("binary", "multiclass", "regression")


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str
    source: str  # "synthetic" or "scikit-learn"
    description: str
    image_shape: tuple[int, int, int] | None = None


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("circle", "binary", "synthetic",
                    "A disc inside a ring: a circular boundary."),
        DatasetInfo("xor", "binary", "synthetic",
                    "Four quadrants, opposite ones alike: no straight line separates them."),
        DatasetInfo("gauss", "binary", "synthetic",
                    "Two Gaussian clouds; noise makes them overlap."),
        DatasetInfo("spiral", "binary", "synthetic",
                    "Two interleaved spiral arms: the hardest of the 2-D sets."),
        DatasetInfo("moons", "binary", "synthetic", "Two interleaving half circles."),
        DatasetInfo("iris", "multiclass", "scikit-learn",
                    "150 iris flowers, 4 measurements, 3 species."),
        DatasetInfo("wine", "multiclass", "scikit-learn",
                    "178 wines, 13 chemical measurements, 3 cultivars."),
        DatasetInfo("breast_cancer", "binary", "scikit-learn",
                    "569 tumours, 30 cell-nucleus features, malignant or benign."),
        DatasetInfo("digits", "multiclass", "scikit-learn",
                    "1,797 handwritten digits as 8x8 grey images, 10 classes.",
                    image_shape=(1, 8, 8)),
        DatasetInfo("diabetes", "regression", "scikit-learn",
                    "442 patients, 10 measurements, disease progression after a year."),
    )
}


@dataclass(frozen=True)
class Dataset:
    """A loaded data set before splitting: features, targets and what they mean."""

    info: DatasetInfo
    X: np.ndarray             # float32 (n, features)
    y: np.ndarray             # int64 (n,) for classification, float32 (n, k) for regression
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    image_shape: tuple[int, int, int] | None

    @property
    def task(self) -> str:
        return self.info.task

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def load_dataset(spec: DataSpec) -> Dataset:
    info = DATASETS.get(spec.name)
    if info is None:
        raise DataError(f"Unknown data set {spec.name!r}; choose one of "
                        f"{', '.join(DATASETS)}.")
    if info.source == "synthetic":
        rng = np.random.default_rng(spec.seed)
        X, y = synthetic.GENERATORS[spec.name](spec.samples, spec.noise, rng)
        features, classes = ("x1", "x2"), ("0", "1")
    else:
        X, y, features, classes = builtin.load(spec.name)
    image_shape = info.image_shape
    if spec.features:
        X, features = _select_features(X, features, spec.features, spec.name)
        image_shape = None
    return Dataset(info, X, y, features, classes, image_shape)


def _select_features(X: np.ndarray, names: tuple[str, ...], keep: tuple[int, ...],
                     dataset: str) -> tuple[np.ndarray, tuple[str, ...]]:
    bad = [index for index in keep if index >= X.shape[1]]
    if bad:
        raise DataError(f"{dataset} has {X.shape[1]} features (columns 0 to "
                        f"{X.shape[1] - 1}); column {bad[0]} does not exist.")
    return X[:, list(keep)], tuple(names[index] for index in keep)


@dataclass(frozen=True)
class PreparedData:
    """Scaled train/validation/test arrays plus the fitted scaler."""

    dataset: Dataset
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    scaler: Scaler

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.dataset.image_shape or (self.x_train.shape[1],)

    @property
    def n_targets(self) -> int:
        return 1 if self.y_train.ndim == 1 else self.y_train.shape[1]


def prepare(spec: DataSpec, dataset: Dataset | None = None) -> PreparedData:
    """Load (unless given), split, and scale on the training rows only."""
    dataset = dataset or load_dataset(spec)
    stratify = dataset.task != "regression"
    train, val, test = split_indices(dataset.y, spec.split, spec.seed, stratify)
    scaler = Scaler(spec.scaling).fit(dataset.X[train])
    parts = [(scaler.transform(dataset.X[idx]), dataset.y[idx]) for idx in (train, val, test)]
    return PreparedData(dataset, *parts[0], *parts[1], *parts[2], scaler)


def from_arrays(name: str, task: str, train: tuple[np.ndarray, np.ndarray],
                val: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                class_names: tuple[str, ...] = (), description: str = "") -> PreparedData:
    """Wrap arrays that are already split and scaled (benchmarks, imported data)."""
    if task not in TASKS:
        raise DataError(f"Unknown task {task!r}; choose one of {', '.join(TASKS)}.")
    x_train = np.asarray(train[0], dtype=np.float32)
    info = DatasetInfo(name, task, "arrays", description)
    features = tuple(f"x{i + 1}" for i in range(x_train.shape[1]))
    dataset = Dataset(info, x_train, np.asarray(train[1]), features, class_names, None)
    parts = [(np.asarray(x, dtype=np.float32), np.asarray(y)) for x, y in (train, val, test)]
    return PreparedData(dataset, *parts[0], *parts[1], *parts[2], Scaler("none"))
