"""The data layer: named data sets, your own files, engineered inputs, splits, scaling."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..spec import DataSpec
from . import builtin, drawn, synthetic
from .downloads import COLLECTIONS, Progress, load_collection
from .features import engineer
from .files import load_file
from .split import split_indices
from .transforms import Scaler

TASKS = ("binary", "multiclass", "regression")
SOURCES = ("synthetic", "scikit-learn", "download", "file")


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str          # the task, or "auto" when the data decides (files, k classes)
    source: str        # one of SOURCES
    description: str
    size: str          # rows x features, in words
    image_shape: tuple[int, int, int] | None = None

    @property
    def two_dimensional(self) -> bool:
        return self.source == "synthetic" and self.name != "sine"


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("circle", "binary", "synthetic",
                    "A disc inside a ring: a circular boundary.", "samples x 2"),
        DatasetInfo("xor", "binary", "synthetic",
                    "Four quadrants, opposite ones alike: no straight line separates them.",
                    "samples x 2"),
        DatasetInfo("gauss", "binary", "synthetic",
                    "Two Gaussian clouds; noise makes them overlap.", "samples x 2"),
        DatasetInfo("spiral", "binary", "synthetic",
                    "Two interleaved spiral arms: the hardest of the 2-D sets.", "samples x 2"),
        DatasetInfo("moons", "binary", "synthetic", "Two interleaving half circles.",
                    "samples x 2"),
        DatasetInfo("blobs", "multiclass", "synthetic",
                    "k Gaussian clouds (2 to 8 classes).", "samples x 2"),
        DatasetInfo("spirals", "multiclass", "synthetic",
                    "k interleaved spiral arms (2 to 8 classes).", "samples x 2"),
        DatasetInfo("plane", "regression", "synthetic",
                    "A tilted plane: the target is linear in x1 and x2.", "samples x 2"),
        DatasetInfo("multi_gauss", "regression", "synthetic",
                    "Bumps up and down over the plane.", "samples x 2"),
        DatasetInfo(drawn.NAME, "auto", "synthetic",
                    "Points you draw yourself: up to 8 classes, or a value for each point "
                    "of the plane.", "points x 2"),
        DatasetInfo("sine", "regression", "synthetic",
                    "y = sin(x) on one input: watch the fitted curve bend.", "samples x 1"),
        DatasetInfo("iris", "multiclass", "scikit-learn",
                    "150 iris flowers, 4 measurements, 3 species.", "150 x 4"),
        DatasetInfo("wine", "multiclass", "scikit-learn",
                    "178 wines, 13 chemical measurements, 3 cultivars.", "178 x 13"),
        DatasetInfo("breast_cancer", "binary", "scikit-learn",
                    "569 tumours, 30 cell-nucleus features, malignant or benign.", "569 x 30"),
        DatasetInfo("digits", "multiclass", "scikit-learn",
                    "1,797 handwritten digits as 8x8 grey images, 10 classes.", "1797 x 64",
                    image_shape=(1, 8, 8)),
        DatasetInfo("diabetes", "regression", "scikit-learn",
                    "442 patients, 10 measurements, disease progression after a year.",
                    "442 x 10"),
        DatasetInfo("mnist", "multiclass", "download",
                    "70,000 handwritten digits, 28x28 grey images (downloaded once, 11 MB).",
                    "70000 x 784", image_shape=(1, 28, 28)),
        DatasetInfo("fashion_mnist", "multiclass", "download",
                    "70,000 clothing images in 10 kinds, 28x28 (downloaded once, 30 MB).",
                    "70000 x 784", image_shape=(1, 28, 28)),
        DatasetInfo("file", "auto", "file",
                    "Your own CSV, NPZ (arrays X and y) or IDX file.", "rows x columns"),
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
    task: str = ""
    notes: tuple[str, ...] = ()  # e.g. "12 rows with missing values were dropped"

    def __post_init__(self) -> None:
        if not self.task:
            object.__setattr__(self, "task", self.info.task)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def preview(self, rows: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """A small random sample of rows, for a panel's scatter, images or table."""
        pick = np.random.default_rng(seed).permutation(len(self.X))[:rows]
        return self.X[np.sort(pick)], self.y[np.sort(pick)]


def input_shape_hint(spec: DataSpec) -> tuple[int, ...]:
    """The input's shape as far as the spec tells without loading anything: exact for
    the named sets, (1,) (a lower bound) for files."""
    info = DATASETS.get(spec.name)
    if spec.features:
        return (len(spec.features),)
    if info is None or info.source == "file":
        return (1,)
    if info.source == "synthetic":
        return (len(spec.inputs) or (1 if spec.name == "sine" else 2),)
    if info.image_shape:
        return info.image_shape
    columns = info.size.split("x")[-1].strip()
    return (int(columns),) if columns.isdigit() else (1,)


def training_rows_hint(spec: DataSpec) -> int | None:
    """The training rows as far as the spec tells without loading anything (None for a
    file): the samples (or the set's rows) times the training fraction."""
    info = DATASETS.get(spec.name)
    if info is None or info.source == "file":
        return None
    samples = len(spec.points) if spec.name == drawn.NAME else spec.samples
    rows = samples if info.source == "synthetic" else \
        int(info.size.split("x")[0].strip()) if info.size.split("x")[0].strip().isdigit() \
        else None
    return None if rows is None else max(1, math.ceil(rows * spec.split[0]))


def load_dataset(spec: DataSpec, progress: Progress | None = None) -> Dataset:
    info = DATASETS.get(spec.name)
    if info is None:
        raise DataError(f"Unknown data set {spec.name!r}; choose one of "
                        f"{', '.join(DATASETS)}.")
    if spec.inputs and not info.two_dimensional:
        raise DataError(f"Engineered inputs (x1x2, sinx1, ...) need a 2-D data set; "
                        f"{spec.name} is not one.")
    dataset = _LOADERS[info.source](info, spec, progress)
    if spec.features:
        X, names = _select_features(dataset.X, dataset.feature_names, spec.features,
                                    spec.name)
        dataset = Dataset(info, X, dataset.y, names, dataset.class_names, None,
                          dataset.task, dataset.notes)
    return dataset


def _synthetic(info: DatasetInfo, spec: DataSpec, progress: Progress | None) -> Dataset:
    rng = np.random.default_rng(spec.seed)
    if spec.name == drawn.NAME:  # the points are in the spec, not made from a seed
        X, y, classes, task = drawn.arrays(spec.task, spec.points, spec.split)
    elif spec.name in synthetic.MULTICLASS_GENERATORS:
        X, y = synthetic.MULTICLASS_GENERATORS[spec.name](spec.samples, spec.noise, rng,
                                                           spec.classes)
        classes = tuple(str(c) for c in range(spec.classes))
        task = "binary" if spec.classes == 2 else "multiclass"
    elif spec.name in synthetic.REGRESSION_GENERATORS:
        X, y = synthetic.REGRESSION_GENERATORS[spec.name](spec.samples, spec.noise, rng)
        classes, task = (), "regression"
    else:
        X, y = synthetic.GENERATORS[spec.name](spec.samples, spec.noise, rng)
        classes, task = ("0", "1"), "binary"
    names: tuple[str, ...] = ("x1", "x2")[: X.shape[1]]
    if spec.inputs:
        X, names = engineer(X, spec.inputs)
    return Dataset(info, X, y, names, classes, None, task)


def _builtin(info: DatasetInfo, spec: DataSpec, progress: Progress | None) -> Dataset:
    X, y, features, classes = builtin.load(spec.name)
    return Dataset(info, X, y, features, classes, info.image_shape)


def _download(info: DatasetInfo, spec: DataSpec, progress: Progress | None) -> Dataset:
    X, y, classes = load_collection(spec.name, progress)
    names = tuple(f"pixel{i}" for i in range(X.shape[1]))
    return Dataset(info, X, y, names, classes, info.image_shape)


def _file(info: DatasetInfo, spec: DataSpec, progress: Progress | None) -> Dataset:
    loaded = load_file(spec.path, spec.target, spec.task, spec.missing)
    described = DatasetInfo(Path(spec.path).name, loaded.task, "file",
                            f"{Path(spec.path).name}: {len(loaded.X):,} rows, "
                            f"{loaded.X.shape[1]} features, {loaded.task}.",
                            f"{len(loaded.X)} x {loaded.X.shape[1]}", loaded.image_shape)
    notes = (f"{loaded.dropped_rows} rows with missing values were dropped.",) \
        if loaded.dropped_rows else ()
    return Dataset(described, loaded.X, loaded.y, loaded.feature_names, loaded.class_names,
                   loaded.image_shape, loaded.task, notes)


_LOADERS = {"synthetic": _synthetic, "scikit-learn": _builtin, "download": _download,
            "file": _file}


def _select_features(X: np.ndarray, names: tuple[str, ...], keep: tuple[int, ...],
                     dataset: str) -> tuple[np.ndarray, tuple[str, ...]]:
    bad = [index for index in keep if index >= X.shape[1]]
    if bad:
        raise DataError(f"{dataset} has {X.shape[1]} features (columns 0 to "
                        f"{X.shape[1] - 1}); column {bad[0]} does not exist.")
    return X[:, list(keep)], tuple(names[index] for index in keep)


@dataclass(frozen=True)
class PreparedData:
    """Scaled train/validation/test arrays plus the scalers fitted on the training rows."""

    dataset: Dataset
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    scaler: Scaler
    target_scaler: Scaler | None = None  # regression targets, when scaled

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.dataset.image_shape or (self.x_train.shape[1],)

    @property
    def n_targets(self) -> int:
        return 1 if self.y_train.ndim == 1 else self.y_train.shape[1]


def prepare(spec: DataSpec, dataset: Dataset | None = None,
            progress: Progress | None = None) -> PreparedData:
    """Load (unless given), split, and fit the scaling on the training rows only."""
    dataset = dataset or load_dataset(spec, progress)
    _check_learnable(dataset)
    stratify = dataset.task != "regression"
    train, val, test = split_indices(dataset.y, spec.split, spec.seed, stratify)
    scaler = Scaler(spec.scaling).fit(dataset.X[train])
    xs = [scaler.transform(dataset.X[idx]) for idx in (train, val, test)]
    ys = [dataset.y[idx] for idx in (train, val, test)]
    target_scaler = None
    if dataset.task == "regression" and spec.scale_target:
        target_scaler = Scaler("standard").fit(ys[0])
        ys = [target_scaler.transform(y) for y in ys]
    return PreparedData(dataset, xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], scaler,
                        target_scaler)


def _check_learnable(dataset: Dataset) -> None:
    if dataset.task != "regression" and len(np.unique(dataset.y)) < 2:
        raise DataError(f"{dataset.info.name} has a single class, so there is nothing to "
                        "learn.")


def from_arrays(name: str, task: str, train: tuple[np.ndarray, np.ndarray],
                val: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                class_names: tuple[str, ...] = (), description: str = "") -> PreparedData:
    """Wrap arrays that are already split and scaled (benchmarks, tests)."""
    if task not in TASKS:
        raise DataError(f"Unknown task {task!r}; choose one of {', '.join(TASKS)}.")
    x_train = np.asarray(train[0], dtype=np.float32)
    info = DatasetInfo(name, task, "file", description, f"{len(x_train)} x {x_train.shape[1]}")
    features = tuple(f"x{i + 1}" for i in range(x_train.shape[1]))
    dataset = Dataset(info, x_train, np.asarray(train[1]), features, class_names, None, task)
    parts = [(np.asarray(x, dtype=np.float32), np.asarray(y)) for x, y in (train, val, test)]
    return PreparedData(dataset, *parts[0], *parts[1], *parts[2], Scaler("none"))


__all__ = ["COLLECTIONS", "DATASETS", "Dataset", "DatasetInfo", "PreparedData", "Scaler",
           "from_arrays", "load_dataset", "prepare"]
