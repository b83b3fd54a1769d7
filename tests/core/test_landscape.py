"""The loss landscape: anchors held exactly, the path's projection, the kept trajectory
(bounded, saved with the session, rebuilt from the seed for older files), the CLI."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from playground.cli import main as cli
from playground.core.landscape import (LandscapeError, LossSurface, WeightTrajectory,
                                       flat_weights, landscape, odd_points)
from playground.core.landscape.compute import centred_axis, interp_axis
from playground.core.landscape.directions import principal_plane
from playground.core.landscape.trajectory import snapshot_capacity
from playground.core.sessionfile import open_session, save_session
from playground.core.sessioncheck import restore_state
from playground.core.trainer import Trainer

from .helpers import tiny_spec


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(tiny_spec(epochs=12))
    trainer.fit()
    return trainer


def plain_loss(trainer, weights: torch.Tensor) -> float:
    """The loss of the trainer's network with `weights`, by an ordinary forward pass."""
    surface = LossSurface.from_trainer(trainer)
    model = surface.model
    torch.nn.utils.vector_to_parameters(weights, model.parameters())
    with torch.inference_mode():
        return float(trainer.loss_fn(model(surface.x), surface.y))


def trajectory(trainer) -> WeightTrajectory:
    return next(c for c in trainer.callbacks if isinstance(c, WeightTrajectory))


@pytest.mark.parametrize("points", [3, 4, 5, 7, 30, 31, 101])
def test_axes_hold_their_anchors_exactly(points):
    n = odd_points(points)
    assert n % 2 == 1 and n >= points
    line = list(interp_axis(n))
    assert len(line) == n and 0.0 in line and 1.0 in line
    assert line == sorted(line)
    plane = centred_axis(n, 2.5)
    assert plane[n // 2] == 0.0 and plane[0] == -2.5 and plane[-1] == 2.5
    if n >= 5:
        assert line[0] < 0 and line[-1] > 1


def test_interp_of_31_reaches_a_quarter_beyond_both_ends():
    line = interp_axis(31)
    assert line[0] == pytest.approx(-0.25) and line[-1] == pytest.approx(1.25)


def test_random_slice_at_its_origin_is_the_current_loss(trained):
    result = landscape(trained, "random", 9, seed=3)
    assert result.loss.shape == (9, 9)
    current = plain_loss(trained, flat_weights(trained.model))
    assert result.loss[4, 4] == pytest.approx(current, rel=1e-5)
    assert result.loss[4, 4] == pytest.approx(trained.evaluate("train")["loss"], rel=1e-5)
    assert np.isfinite(result.loss).all() and result.loss.max() > result.loss[4, 4]


def test_interp_at_0_and_1_is_the_initial_and_current_loss(trained):
    fresh = Trainer(tiny_spec(epochs=12))  # the same seed: the run's initial weights
    initial = flat_weights(fresh.model)
    assert torch.equal(trajectory(trained).initial, initial)
    result = landscape(trained, "interp", 11)
    a = list(result.a)
    assert result.b is None and len(a) == 11
    assert result.loss[a.index(0.0)] == pytest.approx(plain_loss(trained, initial), rel=1e-5)
    assert result.loss[a.index(1.0)] == pytest.approx(
        plain_loss(trained, flat_weights(trained.model)), rel=1e-5)


def test_the_path_projection_reproduces_coordinates_in_its_plane():
    generator = torch.Generator().manual_seed(1)
    size = 50
    basis, _ = torch.linalg.qr(torch.randn(size, 2, generator=generator, dtype=torch.float64))
    known = torch.tensor([[4.0, 1.0], [3.0, -1.5], [2.0, 0.5], [1.0, -0.2], [0.0, 0.0]],
                         dtype=torch.float64)
    origin = torch.randn(size, generator=generator, dtype=torch.float64)
    path = (origin + known @ basis.t()).float()
    plane, coords, explained = principal_plane(path, origin.float())
    assert torch.allclose(origin.float() + coords @ plane, path, atol=1e-5)
    # the same coordinates up to a rotation or reflection of the plane: equal distances
    assert torch.allclose(torch.cdist(coords.double(), coords.double()),
                          torch.cdist(known, known), atol=1e-4)
    assert sum(explained) == pytest.approx(1.0, abs=1e-6)


def test_pca_path_runs_from_the_initial_weights_to_the_origin(trained):
    result = landscape(trained, "pca", 7)
    path = result.path
    assert [p.epoch for p in path] == [0, *range(1, 13)]
    assert (path[-1].a, path[-1].b) == (0.0, 0.0)
    assert path[-1].loss == pytest.approx(result.loss[3, 3], rel=1e-6)
    assert max(abs(p.a) for p in path) <= abs(result.a[0])
    records = result.records()
    assert {r["event"] for r in records} == {"landscape", "path"}
    assert all(set(r) == {"event", "kind", "a", "b", "loss"} for r in records[:49])
    assert set(records[-1]) == {"event", "a", "b", "epoch", "loss"}


def test_trajectory_stays_within_its_budget():
    kept = WeightTrajectory()
    model = torch.nn.Linear(3, 2)

    class Run:
        step, epoch = 0, 0

    run = Run()
    run.model = model
    kept.on_train_begin(run, None)
    for epoch in range(1, 1001):
        kept.on_epoch_end(run, type("E", (), {"epoch": epoch})())
    assert len(kept.epochs) <= snapshot_capacity(8) == 32
    assert all(e % kept.every == 0 for e in kept.epochs) and kept.epochs[-1] == 992
    assert kept.epochs[0] == kept.every  # spread over the whole run
    assert snapshot_capacity(10**6) == 0  # a network too large keeps none


def test_trajectory_is_saved_with_the_session_and_old_files_still_work(trained, tmp_path):
    path = tmp_path / "run.pgsession"
    save_session(path, trained.spec, trained.state_dict(), trained.data)
    session = open_session(path)
    again = Trainer(session.spec, data=trained.data)
    restore_state(again, session.state, path)
    assert trajectory(again).epochs == trajectory(trained).epochs
    assert torch.equal(trajectory(again).initial, trajectory(trained).initial)
    # a file saved before the trajectory was kept: the initial weights come from the seed
    state = trained.state_dict()
    del state["callbacks"]["trajectory"]
    old = tmp_path / "old.pgsession"
    save_session(old, trained.spec, state, trained.data)
    reopened = Trainer(trained.spec, data=trained.data)
    restore_state(reopened, open_session(old).state, old)
    result = landscape(reopened, "interp", 5)
    assert result.notes and "seed" in result.notes[0]
    assert result.loss[1] == pytest.approx(landscape(trained, "interp", 5).loss[1], rel=1e-6)
    with pytest.raises(LandscapeError):
        landscape(reopened, "pca", 5)  # no path was kept


def test_a_damaged_trajectory_refuses_the_file(trained, tmp_path):
    from playground.core.errors import SessionFileError

    state = trained.state_dict()
    state["callbacks"]["trajectory"]["epochs"] = [1, 2]
    path = tmp_path / "bad.pgsession"
    save_session(path, trained.spec, state, trained.data)
    with pytest.raises(SessionFileError, match="trajectory"):
        open_session(path)


def test_cli_prints_records_and_refuses_bad_input(trained, tmp_path, capsys):
    path = tmp_path / "run.pgsession"
    save_session(path, trained.spec, trained.state_dict(), trained.data)
    assert cli(["landscape", str(path), "--kind", "interp", "--points", "4", "--jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 5 and all(set(r) == {"event", "kind", "a", "loss"} for r in records)
    assert cli(["landscape", str(path), "--kind", "random", "--points", "3", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "event,kind,a,b,epoch,loss" and len(lines) == 10
    assert cli(["landscape", str(path), "--kind", "random", "--points", "500"]) == 2
    assert "--points" in capsys.readouterr().err
    untrained = tmp_path / "new.pgsession"
    save_session(untrained, trained.spec, None)
    assert cli(["landscape", str(untrained), "--kind", "pca"]) == 2
    assert "never trained" in capsys.readouterr().err
