"""The views of the network's inside in the real window: the Playground tab, gradient
flow, health banners whose Fix edits the spec that trains, and the reports."""
from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import Qt

from playground.core.spec import (DataSpec, LayerSpec, ModelSpec, OptimizerSpec,
                                  SessionSpec, TrainSpec)


def dense(units, activation="linear", init="default"):
    return LayerSpec("dense", {"units": units, "activation": activation, "init": init})


def small(epochs=12, lr=0.01, init="default", data=None, layers=None) -> SessionSpec:
    return SessionSpec(
        data=data or DataSpec("circle", samples=120, noise=0.05),
        model=ModelSpec(layers or (dense(8, "tanh", init), dense(8, "tanh", init),
                                   dense(None, "sigmoid", init))),
        optimizer=OptimizerSpec("adam", lr),
        train=TrainSpec(batch_size=16, epochs=epochs, device="cpu", threads=1))


def run_to_end(qtbot, window, spec):
    window.set_spec(spec)
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.train()


def test_the_playground_is_the_first_tab_and_shows_the_network_as_it_trains(qtbot, window):
    inside = window.features.inside
    assert window.tabs.widget(0) is inside.playground and window.tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: window.controller.inspect_wanted, timeout=5_000)
    assert window.controller.boundary_wanted
    run_to_end(qtbot, window, small(epochs=5))
    graph = inside.playground.graph
    qtbot.waitUntil(lambda: graph.snapshot is not None and graph.snapshot.epoch == 5,
                    timeout=10_000)
    qtbot.waitUntil(lambda: graph.frames > 0, timeout=5_000)
    assert [len(c) for c in (graph.snapshot.inputs.shown,)] == [2]
    assert len(graph.nodes) == 2 + 8 + 8 + 1 and len(graph.links) == 16 + 64 + 8
    assert inside.playground.output.updates > 0
    assert inside.playground.curves.count == 5
    assert inside.flow.history.count >= 2


def test_the_views_of_the_inside_are_not_computed_while_hidden(qtbot, window):
    inside = window.features.inside
    window.tabs.setCurrentWidget(window.plots)
    assert not window.controller.inspect_wanted
    run_to_end(qtbot, window, small(epochs=3))
    assert inside.playground.graph.snapshot is None
    inside.actions["actionShowGradientFlow"].trigger()
    assert window.tabs.currentWidget() is inside.flow and window.controller.inspect_wanted


def test_fix_on_a_stalled_run_raises_the_learning_rate_that_trains(qtbot, window):
    inside = window.features.inside
    run_to_end(qtbot, window, small(epochs=12, lr=1e-6))
    qtbot.waitUntil(lambda: bool(inside.health.banners), timeout=5_000)
    banner = inside.health.banners[0]
    assert banner.finding.check == "stalled" and "stalled" in banner.text.text()
    qtbot.mouseClick(banner.fix, Qt.MouseButton.LeftButton)
    assert window.spec.optimizer.lr == 0.001  # Adam's usual learning rate
    assert window.controller.trainer.spec.optimizer.lr == 0.001  # the run takes it live
    assert window.controller.trainer.current_lr == 0.001
    assert not inside.health.banners
    window.session.undo()
    assert window.spec.optimizer.lr == 1e-6


def test_fix_for_symmetry_changes_the_network_after_asking_then_trains_it(
        qtbot, window, monkeypatch):
    inside = window.features.inside
    run_to_end(qtbot, window, small(epochs=3, init="zeros"))
    qtbot.waitUntil(lambda: any(b.finding.check == "symmetry" for b in inside.health.banners),
                    timeout=5_000)
    banner = next(b for b in inside.health.banners if b.finding.check == "symmetry")
    qtbot.mouseClick(banner.fix, Qt.MouseButton.LeftButton)   # the test's answer: No
    assert window.spec.model.layers[0].params["init"] == "zeros"
    assert banner in inside.health.banners
    monkeypatch.setattr(window.gate, "confirm_reset", lambda what: True)
    qtbot.mouseClick(banner.fix, Qt.MouseButton.LeftButton)
    inits = [layer.params["init"] for layer in window.spec.model.layers]
    assert inits == ["xavier_uniform"] * 3
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.train()
    trained = window.controller.trainer.spec.model.layers
    assert [layer.params["init"] for layer in trained] == inits
    assert not any(b.finding.check == "symmetry" for b in inside.health.banners)


def test_classification_report_counts_every_row_of_each_split(qtbot, window):
    inside = window.features.inside
    run_to_end(qtbot, window, small(epochs=3))
    inside.actions["actionShowReports"].trigger()
    reports = inside.reports
    qtbot.waitUntil(lambda: reports.report is not None, timeout=5_000)
    trainer = window.controller.trainer
    for index, split in enumerate(("train", "val", "test")):
        reports.split.setCurrentIndex(index)
        table = reports.confusion
        total = sum(int(table.item(i, j).text()) for i in range(table.rowCount())
                    for j in range(table.columnCount()))
        assert total == len(trainer.x[split])
    assert reports.scores.rowCount() == 2 and reports.scores.columnCount() == 4


def test_regression_report_is_in_the_targets_units(qtbot, window):
    inside = window.features.inside
    data = DataSpec("sine", samples=120, noise=0.05)
    run_to_end(qtbot, window, small(epochs=3, data=data,
                                    layers=(dense(8, "tanh"), dense(None))))
    report = inside.reports.report
    assert report is not None and inside.reports.stack.currentIndex() == 1
    trainer = window.controller.trainer
    from playground.core.data import load_dataset
    raw = load_dataset(trainer.spec.data).y.reshape(-1)
    distance = np.abs(report.true["train"][:, None] - raw[None, :]).min(axis=1)
    assert distance.max() < 1e-4  # every true value is one of the data's own targets
    np.testing.assert_allclose(report.residuals("test"),
                               report.predicted["test"] - report.true["test"])


def drawn_graph(qtbot, spec, height=400):
    """A NetworkGraphWidget showing an untrained network of `spec`, painted once."""
    from playground.core.inspect import Inspector
    from playground.core.trainer import Trainer
    from playground.gui.widgets.network.graph import NetworkGraphWidget

    graph = NetworkGraphWidget()
    qtbot.addWidget(graph)
    graph.resize(500, height)
    graph.show()
    graph.set_snapshot(Inspector(Trainer(spec)).snapshot())
    qtbot.waitUntil(lambda: graph.frames > 0, timeout=5_000)
    return graph


def test_hovering_a_link_shows_its_weight_and_widths_follow_the_web_playground(qtbot):
    from playground.gui.widgets.network.graph import link_width

    assert (link_width(0.0), link_width(-5.0), link_width(50.0)) == (1.0, 10.0, 10.0)
    graph = drawn_graph(qtbot, small(epochs=1))
    link = graph.links[0]
    tips = []
    graph.hovered.connect(tips.append)
    qtbot.mouseMove(graph.viewport(), link.line.pointAt(0.5).toPoint())
    qtbot.waitUntil(lambda: bool(tips), timeout=2_000)
    found = graph.link_at(link.line.pointAt(0.5))
    assert tips[-1] == found.tip and f"weight {found.weight:.4g}" in tips[-1]
    node = graph.nodes[3]
    qtbot.mouseMove(graph.viewport(), node.rect.center().toPoint())
    qtbot.waitUntil(lambda: graph.hover is node, timeout=2_000)


def test_wide_layers_show_sixteen_and_the_rest_as_a_count(qtbot):
    graph = drawn_graph(qtbot, small(epochs=1, layers=(dense(40, "relu"),
                                                       dense(None, "sigmoid"))), 600)
    assert sum(1 for n in graph.nodes if n.column == 1) == 16
    assert graph.snapshot.layers[0].hidden == 24


def test_gradient_flow_heat_map_holds_each_epochs_latest_snapshot(qtbot):
    from playground.core.inspect import Inspector
    from playground.core.trainer import Trainer
    from playground.gui.widgets.network.flow import GradientFlowWidget

    trainer = Trainer(small(epochs=1))
    inspector = Inspector(trainer)
    flow = GradientFlowWidget()
    qtbot.addWidget(flow)
    first = inspector.snapshot()
    trainer.fit()
    later = dataclasses.replace(inspector.snapshot(), epoch=4)
    flow.add_snapshot(first)
    flow.add_snapshot(later)
    flow.kind_combo.setCurrentText("weights")
    matrix, value_range, epochs = flow.heat_matrix()
    assert epochs == (0, 4) and matrix.shape == (5, 40) and value_range == (-3.0, 3.0)
    expected = [first] * 4 + [later]
    for row, snap in zip(matrix, expected):
        hist = snap.layers[0].weight_hist
        np.testing.assert_allclose(row, hist / hist.sum())
    flow.redraw()
    assert flow.ratio_curves[0].getData()[0].tolist() == [0, 4]


def test_a_weight_edited_while_paused_trains_and_undo_restores_the_exact_run(
        qtbot, window, monkeypatch):
    import torch
    from PySide6.QtWidgets import QInputDialog
    inside = window.features.inside

    spec = small(epochs=3)
    run_to_end(qtbot, window, spec)
    straight = [p.detach().clone() for p in window.controller.trainer.model.parameters()]
    window.reset_weights()
    with qtbot.waitSignal(window.controller.paused, timeout=30_000):
        window.step_epoch()
    graph = inside.playground.graph
    paused_at = window.controller.trainer.step
    # Snapshots come between updates too: wait until the paused point's is drawn.
    qtbot.waitUntil(lambda: graph.snapshot is not None and graph.snapshot.step == paused_at
                    and not graph.scheduler.pending and bool(graph.links), timeout=10_000)
    point = graph.links[0].line.pointAt(0.5).toPoint()
    link = graph.link_at(point)  # where links cross, the nearest (widest) one
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a, **k: (1.5, True)))
    qtbot.mouseDClick(graph.viewport(), Qt.MouseButton.LeftButton, pos=point)
    weight = next(m for m in window.controller.trainer.model
                  if isinstance(m, torch.nn.Linear)).weight
    assert float(weight[link.unit, link.source]) == 1.5
    assert graph.snapshot.layers[0].weights[graph.snapshot.layers[0].shown.index(link.unit),
                                            link.source] == 1.5
    window.session.undo()
    assert float(weight[link.unit, link.source]) == link.weight  # the exact old value
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.train()
    for before, after in zip(straight, window.controller.trainer.model.parameters()):
        assert torch.equal(before, after)


def test_a_clicked_link_is_followed_with_adams_state_as_it_trains(qtbot, window):
    inside = window.features.inside
    with qtbot.waitSignal(window.controller.paused, timeout=30_000):
        window.set_spec(small(epochs=6))
        window.step_epoch()
    graph = inside.playground.graph
    qtbot.waitUntil(lambda: graph.frames > 0 and bool(graph.links), timeout=10_000)
    point = graph.links[5].line.pointAt(0.5).toPoint()
    link = graph.link_at(point)  # where links cross, the nearest (widest) one
    qtbot.mouseClick(graph.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.controller.watched == (link.layer, link.unit, link.source)
    trace = inside.playground.trace
    assert "to unit" in trace.title.text()
    with qtbot.waitSignal(window.controller.paused, timeout=30_000):
        window.step_epoch()  # a pause always brings a snapshot, and the trace with it
    with qtbot.waitSignal(window.controller.finished, timeout=60_000):
        window.train()
    qtbot.waitUntil(lambda: len(trace.rows.get("epoch", [])) >= 2, timeout=5_000)
    assert {"value", "gradient", "effective step", "Adam m (exp_avg)",
            "Adam v (exp_avg_sq)"} <= set(trace.rows)
    assert trace.rows["epoch"][-1] == 6
    # What is drawn is the trace, inside its plot's range (Qt-painted curves do not
    # drive pyqtgraph's autorange; the view sets the ranges itself).
    qtbot.waitUntil(lambda: not trace.scheduler.pending, timeout=5_000)
    x, y = trace.curves["value"].getData()
    assert list(x) == trace.rows["epoch"] and list(y) == trace.rows["value"]
    (x_low, x_high), (y_low, y_high) = trace.views["value"].viewRange()
    assert x_low <= x[0] and x[-1] <= x_high and y_low <= min(y) and max(y) <= y_high


def test_the_health_banner_shows_the_root_cause_first_and_the_rest_under_n_more(qtbot):
    from PySide6.QtWidgets import QPushButton

    from playground.core.health import Finding
    from playground.gui.widgets.network.health_banner import HealthBanners

    banners = HealthBanners()
    qtbot.addWidget(banners)
    banners.show()
    for epoch, check in enumerate(("stalled", "stalled", "overfitting", "symmetry",
                                   "divergence"), start=1):
        banners.add_finding(Finding(check, epoch, f"{check} happened.", "Because.",
                                    {"optimizer.lr": 0.1}, "lr 0.1"))
    # One per check (the newer replaces), root causes first, whatever the arrival order.
    assert [b.finding.check for b in banners.banners] == ["divergence", "symmetry",
                                                          "overfitting", "stalled"]
    assert [b for b in banners.banners if b.isVisible()] == [banners.banner]
    assert banners.more.isVisible() and banners.more.text() == "3 more"
    qtbot.mouseClick(banners.more, Qt.MouseButton.LeftButton)
    assert all(b.isVisible() for b in banners.banners)   # in a popup over the views
    banners.popup.hide()                                 # as a click elsewhere does
    assert not banners.more.isChecked() and not banners.banners[1].isVisible()
    height = banners.height()
    qtbot.mouseClick(banners.more, Qt.MouseButton.LeftButton)
    assert banners.banners[1].isVisible() and banners.height() == height  # no room taken
    fixes = []
    banners.fixRequested.connect(fixes.append)
    qtbot.mouseClick(banners.banners[1].fix, Qt.MouseButton.LeftButton)
    assert [f.check for f in fixes] == ["symmetry"]
    close = banners.banner.findChild(QPushButton, "healthClose")
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert [b.finding.check for b in banners.banners] == ["symmetry", "overfitting",
                                                          "stalled"]
    assert banners.more.text() == "2 more"
    for _ in range(3):
        banners.remove(banners.banner)
    assert not banners.isVisible() and not banners.more.isVisible()


def test_a_run_gone_wrong_shows_one_banner_n_more_and_a_fix_that_undoes(qtbot, window):
    """Zeros and an lr far too high: two causes. One banner shows the root (symmetry);
    "1 more" opens the lr finding, whose Fix lowers the lr through the session model."""
    inside = window.features.inside
    spec = small(epochs=12, init="zeros")
    spec = dataclasses.replace(spec, optimizer=OptimizerSpec("sgd", 20.0))
    run_to_end(qtbot, window, spec)
    health = inside.health
    qtbot.waitUntil(lambda: len(health.banners) == 2, timeout=5_000)
    assert health.banner.finding.check == "symmetry" and health.banner.isVisible()
    assert [b for b in health.banners if b.isVisible()] == [health.banner]
    assert health.more.text() == "1 more"
    qtbot.mouseClick(health.more, Qt.MouseButton.LeftButton)
    other = health.banners[1]
    assert other.finding.check == "lr_too_high" and other.isVisible()
    assert "too high" in other.text.text()
    qtbot.mouseClick(other.fix, Qt.MouseButton.LeftButton)
    assert window.spec.optimizer.lr == 2.0
    assert [b.finding.check for b in health.banners] == ["symmetry"]
    assert not health.more.isVisible()
    window.session.undo()
    assert window.spec.optimizer.lr == 20.0
    assert inside.playground.curves.height() >= 140  # readable under the banner


def test_a_non_finite_validation_loss_is_said_in_the_banner_and_the_status_bar(
        qtbot, window, monkeypatch):
    from playground.core.trainer import Trainer
    inside = window.features.inside

    real = Trainer.evaluate

    def evaluate(self, split):  # the validation rows overflow from epoch 2 on
        logs = real(self, split)
        return {**logs, "val_loss": float("inf")} if split == "val" and self.epoch >= 2 \
            else logs

    monkeypatch.setattr(Trainer, "evaluate", evaluate)
    window.set_spec(small(epochs=6))
    with qtbot.waitSignal(window.controller.finished, timeout=60_000) as done:
        window.train()
    assert done.args[0].reason == "diverged" and done.args[0].epoch == 2
    assert window.statusBar().currentMessage().startswith(
        "The validation loss became infinite at epoch 2")
    qtbot.waitUntil(lambda: inside.health.banner is not None, timeout=5_000)
    assert inside.health.banner.finding.check == "divergence"
    assert "validation loss became infinite" in inside.health.banner.text.text()


def test_data_without_a_plane_gives_the_network_the_whole_row(qtbot, window):
    inside = window.features.inside
    data_box, _, output_box = inside.playground.boxes
    window.set_spec(small(data=DataSpec("iris"), layers=(dense(8, "relu"),
                                                         dense(None, "softmax"))))
    assert not data_box.isVisible() and not output_box.isVisible()
    window.set_spec(small())
    assert data_box.isVisible() and output_box.isVisible()


def test_a_diverged_network_is_drawn_with_nan_weights_as_thin_grey_links(qtbot):
    import torch

    from playground.core.inspect import Inspector
    from playground.core.trainer import Trainer
    from playground.gui.widgets.network.graph import NetworkGraphWidget, link_width

    trainer = Trainer(small(epochs=1))
    with torch.no_grad():
        trainer.model[0].weight.fill_(float("nan"))
    graph = NetworkGraphWidget()
    qtbot.addWidget(graph)
    graph.show()
    graph.set_snapshot(Inspector(trainer).snapshot())
    graph.build()
    assert graph.frames == 1 and link_width(float("nan")) == 1.0


def test_a_new_snapshot_of_the_same_layout_updates_the_items_as_a_rebuild_draws_them(
        qtbot):
    """A run's frames put new pictures and pens into the scene's items instead of
    rebuilding it: what they show must be what a whole rebuild shows."""
    import torch

    from playground.core.inspect import Inspector
    from playground.core.trainer import Trainer
    from playground.gui.widgets.network.graph import NetworkGraphWidget

    trainer = Trainer(small(epochs=1))
    inspector = Inspector(trainer)
    first = inspector.snapshot()
    with torch.no_grad():  # some links change sign and width, the maps change
        trainer.model[2].weight.mul_(-3.0)
        trainer.model[0].bias.add_(1.0)
    second = inspector.snapshot()
    assert first.layers[1].shown == second.layers[1].shown
    updated, fresh = NetworkGraphWidget(), NetworkGraphWidget()
    for graph in (updated, fresh):
        qtbot.addWidget(graph)
        graph.resize(500, 400)
        graph.show()
    pens = lambda g: [(i.pen().widthF(), i.pen().color().rgb()) for i in g._link_items]
    images = lambda g: [i.pixmap().toImage() for i in g._node_items]
    updated.set_snapshot(first)
    updated.build()
    items, pens_before, images_before = list(updated._link_items), pens(updated), \
        images(updated)
    updated.set_snapshot(second)
    updated.build()
    fresh.set_snapshot(second)
    fresh.build()
    assert updated._link_items == items  # the same items, updated
    assert [link.weight for link in updated.links] == [link.weight for link in fresh.links]
    assert pens(updated) == pens(fresh) != pens_before
    assert images(updated) == images(fresh) != images_before
    assert [n.tip for n in updated.nodes] == [n.tip for n in fresh.nodes]
    updated.clear()  # a new run: the next snapshot, of the same layout, comes before a frame
    updated.set_snapshot(first)
    updated.build()
    assert images(updated) == images_before and len(updated.links) == len(fresh.links)


def test_loss_curves_draw_every_epoch_and_move_their_axes_in_steps(qtbot):
    """The Playground's loss curves: Qt-painted curves hold every epoch; the axes
    contain them, and are set again only when the data leaves them."""
    from types import SimpleNamespace

    from playground.gui.widgets.network.playground_view import LossCurves

    curves = LossCurves()
    qtbot.addWidget(curves)
    curves.show()
    epoch = lambda e, loss: SimpleNamespace(logs={"epoch": e, "loss": loss,
                                                  "val_loss": loss * 1.1})
    curves.add_epochs([epoch(e, 1.0 / e) for e in range(1, 8)])
    drawn = lambda: 0 if curves.train.getData()[0] is None else len(curves.train.getData()[0])
    qtbot.waitUntil(lambda: drawn() == 7, timeout=2_000)
    first = curves._ranges
    (x0, x1), (y0, y1) = curves.viewRange()
    assert x0 <= 1 and x1 >= 7 and y0 <= 1 / 7 and y1 >= 1.1
    curves.add_epochs([epoch(8, 0.125)])  # inside the axes: they stay
    qtbot.waitUntil(lambda: drawn() == 8, timeout=2_000)
    assert curves._ranges == first
    curves.add_epochs([epoch(e, 1.0 / e) for e in range(9, 12)])  # past x: they move
    qtbot.waitUntil(lambda: drawn() == 11, timeout=2_000)
    assert curves._ranges[0] == (0.0, 12.0) and curves.viewRange()[0][1] >= 11
    assert curves.val.getData()[1][-1] == 1.1 / 11


def test_the_inside_views_and_the_banner_follow_a_change_of_theme(qtbot, window):
    inside = window.features.inside
    for name, banner in (("dark", "#451a03"), ("light", "#fef3c7")):
        window.set_theme(name)
        background = window.theme.plot_background
        assert inside.playground.curves.backgroundBrush().color().name() == background
        assert banner in inside.health.style_sheet
