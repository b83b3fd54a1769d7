"""When the views of the inside draw (FrameScheduler), and what the Gradient flow view
draws from its history of rows: the same as the old computation over every snapshot."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from tests.gui.test_inside import run_to_end, small


@pytest.fixture(scope="module")
def snapshot():
    from playground.core.inspect import Inspector
    from playground.core.trainer import Trainer

    return Inspector(Trainer(small(epochs=1))).snapshot()


def varied(snapshot, epoch: int, seed: int):
    """`snapshot` at `epoch` with per-layer statistics of its own, including the values
    a log axis cannot show (0, NaN) and layers where dead_fraction does not apply."""
    rng = np.random.default_rng(seed)
    layers = []
    for i, layer in enumerate(snapshot.layers):
        ratio = [0.0, math.nan, float(10 ** rng.uniform(-5, -1))][int(rng.integers(0, 3))]
        dead = float(rng.uniform()) if i == 0 else math.nan
        layers.append(dataclasses.replace(layer, update_ratio=ratio, dead_fraction=dead,
                                          saturation=float(rng.uniform())))
    return dataclasses.replace(snapshot, epoch=epoch, layers=tuple(layers))


def whole_history(snapshots, limit):
    """The old GradientFlowWidget's bookkeeping and redraw, over every snapshot kept."""
    epochs, kept = [], []
    for snap in snapshots:
        if epochs and snap.epoch == epochs[-1]:
            kept[-1] = snap
        else:
            epochs.append(snap.epoch)
            kept.append(snap)
        if len(kept) > limit:
            epochs, kept = epochs[::2], kept[::2]
    curves = []
    for i in range(len(kept[0].layers)):
        layers = [s.layers[i] for s in kept]
        ratios = np.array([layer.update_ratio for layer in layers], float)
        ratios[~(ratios > 0)] = np.nan
        shares = np.array([layer.dead_fraction if not math.isnan(layer.dead_fraction)
                           else layer.saturation for layer in layers], float)
        curves.append((ratios, shares))
    return np.asarray(epochs, float), curves


def test_flow_curves_from_rows_equal_the_whole_history_computation(qtbot, snapshot,
                                                                   monkeypatch):
    from playground.gui.widgets.network import flow_history
    from playground.gui.widgets.network.flow import GradientFlowWidget

    monkeypatch.setattr(flow_history, "MAX_SNAPSHOTS", 8)  # thinned twice below
    flow = GradientFlowWidget()
    qtbot.addWidget(flow)
    # Epochs repeat (paused, stepped, between updates): the last of each is kept.
    epochs = [0, 1, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 15, 16, 17]
    snapshots = [varied(snapshot, epoch, seed) for seed, epoch in enumerate(epochs)]
    for snap in snapshots:
        flow.add_snapshot(snap)
    flow.redraw()
    expected_epochs, expected = whole_history(snapshots, 8)
    assert len(flow.ratio_curves) == len(flow.share_curves) == len(snapshot.layers)
    for (ratio, share), (ratios, shares) in zip(zip(flow.ratio_curves, flow.share_curves),
                                                expected):
        np.testing.assert_array_equal(ratio.getData()[0], expected_epochs)
        np.testing.assert_array_equal(ratio.getData()[1], ratios)  # NaN where not > 0
        np.testing.assert_array_equal(share.getData()[1], shares)
        # On the log axis: log10 of the positive ratios, the rest gaps (no line to -inf).
        assert ratio.log_y
        shown = ratios[np.isfinite(ratios)]
        box = ratio.path().boundingRect()
        if len(shown) > 1:
            assert box.top() == pytest.approx(math.log10(shown.min()))
            assert box.bottom() == pytest.approx(math.log10(shown.max()))
    assert flow.history.count <= 8


def test_a_hidden_view_draws_nothing_and_draws_once_when_shown(qtbot, snapshot):
    from playground.gui.widgets.network.flow import GradientFlowWidget
    from playground.gui.widgets.network.graph import NetworkGraphWidget

    flow, graph = GradientFlowWidget(), NetworkGraphWidget()
    for view in (flow, graph):
        qtbot.addWidget(view)
    for epoch in range(3):
        flow.add_snapshot(varied(snapshot, epoch, epoch))
        graph.set_snapshot(snapshot)
    for scheduler in (flow.scheduler, graph.scheduler):
        assert scheduler.pending and not scheduler.ticking and scheduler.frames == 0
    assert graph.frames == 0
    drawn = []
    original = flow.redraw
    flow.redraw = lambda: (drawn.append(flow.history.count), original())
    flow.show()
    graph.show()
    qtbot.waitUntil(lambda: flow.scheduler.frames == 1 and graph.frames == 1)
    assert drawn == [3]  # one frame for three snapshots, with all three
    for scheduler in (flow.scheduler, graph.scheduler):
        assert not scheduler.pending and not scheduler.ticking  # idle: no timer runs
    assert flow.ratio_curves[0].getData()[0].tolist() == [0, 1, 2]
    flow.hide()
    flow.add_snapshot(varied(snapshot, 3, 3))
    assert flow.scheduler.pending and not flow.scheduler.ticking
    assert flow.scheduler.frames == 1
    flow.show()
    qtbot.waitUntil(lambda: flow.scheduler.frames == 2)
    assert drawn == [3, 4] and not flow.scheduler.ticking


def test_views_behind_another_tab_wait_and_draw_when_their_tab_shows(qtbot, window):
    inside = window.features.inside
    curves, trace = inside.playground.curves, inside.playground.trace
    views = (curves, trace, inside.playground.graph, inside.flow)
    window.tabs.setCurrentWidget(window.plots)
    before = [view.scheduler.frames for view in views]
    run_to_end(qtbot, window, small(epochs=3))
    qtbot.waitUntil(lambda: curves.count == 3)
    for view, frames in zip(views, before):
        assert not view.scheduler.ticking and view.scheduler.frames == frames
    assert curves.scheduler.pending  # the epochs came while it was hidden
    window.tabs.setCurrentWidget(inside.playground)
    qtbot.waitUntil(lambda: curves.scheduler.frames == before[0] + 1)
    assert curves.train.getData()[0].tolist() == [1, 2, 3]
    assert not inside.flow.scheduler.ticking and inside.flow.scheduler.frames == before[3]


def test_choosing_a_kind_redraws_the_heat_map_as_heat_matrix_defines_it(qtbot, snapshot):
    from PySide6.QtCore import QPointF

    from playground.core.inspect import VALUE_RANGE
    from playground.gui.widgets.network.flow import _VIRIDIS, GradientFlowWidget

    flow = GradientFlowWidget()
    qtbot.addWidget(flow)
    flow.show()
    for epoch in (0, 2, 5):
        flow.add_snapshot(varied(snapshot, epoch, epoch))
    qtbot.waitUntil(lambda: flow.heat_scheduler.frames >= 1)
    frames = flow.heat_scheduler.frames
    flow.kind_combo.setCurrentText("activations")
    qtbot.waitUntil(lambda: flow.heat_scheduler.frames > frames)
    assert flow.heat_plot.getAxis("left").labelText == "activation"
    matrix, (low, high), (first, last) = flow.heat_matrix()
    assert (low, high) == VALUE_RANGE and matrix.shape == (6, 40) and np.ptp(matrix) > 0
    image = flow.heat.pixmap().toImage()
    assert (image.width(), image.height()) == matrix.shape  # a column per epoch
    # Pixel (column, bin) is the matrix's entry: the largest brightest, the smallest darkest.
    for pick, shade in ((np.argmax, 255), (np.argmin, 0)):
        column, row = np.unravel_index(pick(matrix), matrix.shape)
        color = image.pixelColor(int(column), int(row))
        assert (color.red(), color.green(), color.blue()) == tuple(_VIRIDIS[shade][:3])
    # ... and lies over its epoch and its bin's values.
    corner = flow.heat.mapToParent(QPointF(0, 0))
    far = flow.heat.mapToParent(QPointF(image.width(), image.height()))
    assert (corner.x(), corner.y()) == pytest.approx((first - 0.5, low))
    assert (far.x(), far.y()) == pytest.approx((last + 0.5, high))
