import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from playground.core.errors import SpecError
from playground.core.losses import resolve_head
from playground.core.metrics import compute


def test_auto_loss_follows_the_task():
    assert resolve_head("auto", "binary", 2, 1, "x").loss == "bce"
    assert resolve_head("auto", "multiclass", 3, 1, "x").loss == "cce"
    assert resolve_head("auto", "regression", 0, 1, "x").loss == "mse"


def test_mismatched_loss_and_task_explain_themselves():
    with pytest.raises(SpecError, match="binary cross-entropy needs two classes, but wine has 3"):
        resolve_head("bce", "multiclass", 3, 1, "wine")
    with pytest.raises(SpecError, match="diabetes is a regression task"):
        resolve_head("hinge", "regression", 0, 1, "diabetes")


def test_hinge_targets_are_plus_minus_one_and_zero_past_the_margin():
    head = resolve_head("hinge", "binary", 2, 1, "x")
    y = head.targets(np.array([0, 1]))
    assert y.flatten().tolist() == [-1.0, 1.0]
    out = torch.tensor([[-2.0], [3.0]])
    assert head.criterion()(out, y).item() == 0.0
    assert head.classes(out).tolist() == [0, 1]


@pytest.mark.parametrize("classes", [2, 4])
def test_classification_metrics_match_scikit_learn(classes):
    rng = np.random.default_rng(1)
    true = rng.integers(0, classes, 300)
    scores = torch.from_numpy(rng.normal(size=(300, classes))).float()
    head = resolve_head("cce", "multiclass" if classes > 2 else "binary", classes, 1, "x")
    got = compute(head, ("accuracy", "precision", "recall", "f1"), scores,
                  head.targets(true))
    pred = scores.argmax(1).numpy()
    average = "binary" if classes == 2 else "macro"
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(true, pred))
    assert got["precision"] == pytest.approx(
        skm.precision_score(true, pred, average=average, zero_division=0))
    assert got["recall"] == pytest.approx(skm.recall_score(true, pred, average=average))
    assert got["f1"] == pytest.approx(skm.f1_score(true, pred, average=average))


def test_regression_metrics_match_scikit_learn():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(100, 1)).astype(np.float32)
    out = y + rng.normal(scale=0.3, size=(100, 1)).astype(np.float32)
    head = resolve_head("mse", "regression", 0, 1, "x")
    got = compute(head, ("mae", "mse", "r2"), torch.from_numpy(out), head.targets(y))
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y, out), rel=1e-5)
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y, out), rel=1e-5)
    assert got["r2"] == pytest.approx(skm.r2_score(y, out), rel=1e-5)
