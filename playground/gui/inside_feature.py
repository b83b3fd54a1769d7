"""InsideFeature: the views of the network's inside.

It adds the Playground tab (data | network | output, with the curves) first among the
central tabs, a Gradient flow tab and a Reports tab; the health banner above the tabs
(the top finding, the others one click away); and the View menu's actions to show each
view (Ctrl+1, Ctrl+2, Ctrl+3).
Reads: the controller's snapshots, health findings, boundaries, reports, weight traces
and new trainers; the training epochs (through the follow_epochs callable the window
gives); the session's spec (its data and network); the central tabs (views.tabs: which
view is shown decides what the worker computes); the theme (on themeApplied).
Changes: the session spec, one undoable edit per health Fix (through the session model,
so the gate decides: a learning-rate fix goes live, a new network asks to start over);
a weight or bias typed in while paused, written into the paused trainer as an undoable
command on the session's undo stack; what the controller computes and watches
(want_boundary, want_inspect, watch).
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QInputDialog

from ..core.errors import PlaygroundError
from ..core.inspect.edit import read_parameter, set_parameter

from .widgets.network.flow import GradientFlowWidget
from .widgets.network.health_banner import HealthBanners
from .widgets.network.playground_view import PlaygroundView
from .widgets.network.reports import ReportsWidget
from .features import FeatureContext
from .menus import named_action

# The playground's loss curves keep this height whatever the banner above them shows:
# below it their axis labels crowd out the curve (at 1280x720 they were squashed to 10 px).
CURVES_MIN_HEIGHT = 140


class _EditParameter(QUndoCommand):
    """A weight or bias set by hand, on the session's undo stack. `old` and `new` are the
    (unchanged) spec, which is what the session model's undo asks its gate about; the
    values written are the parameter's."""

    def __init__(self, feature, trainer, where: tuple, before: float, after: float,
                 text: str) -> None:
        super().__init__(text)
        self.old = self.new = feature.context.session.spec
        self.feature, self.trainer, self.where = feature, trainer, where
        self.before, self.after = before, after

    def redo(self) -> None:
        self.feature.write_parameter(self.trainer, self.where, self.after)

    def undo(self) -> None:
        self.feature.write_parameter(self.trainer, self.where, self.before)


class InsideFeature(QObject):
    def __init__(self, context: FeatureContext,
                 follow_epochs: Callable[[Callable[[list], None]], None],
                 tell: Callable[[str], None]) -> None:
        """`follow_epochs(consumer)` has the window call `consumer(events)` with every
        batch of training epochs; `tell(sentence)` says it above the plots."""
        super().__init__(context.window)
        self.context, self.tell = context, tell
        self.tabs = tabs = context.views.tabs
        self.playground = PlaygroundView()
        self.flow = GradientFlowWidget()
        self.reports = ReportsWidget()
        tabs.insertTab(0, self.playground, "Playground")
        tabs.addTab(self.flow, "Gradient flow")
        tabs.addTab(self.reports, "Reports")
        tabs.setCurrentIndex(0)
        self.health = HealthBanners()
        context.views.banners.addWidget(self.health)  # between the message and the tabs
        context.views.boundary_views.add(self.playground)  # its output view draws it
        self.playground.curves.setMinimumHeight(CURVES_MIN_HEIGHT)
        self._trainer = None
        c = context.controller
        c.inspected.connect(self._on_controller_inspected)
        c.healthFound.connect(self.health.add_finding)
        c.boundaryUpdated.connect(self.playground.output.show_boundary)
        follow_epochs(self.playground.curves.add_epochs)
        c.trainerReady.connect(self._on_controller_trainer_ready)
        c.reported.connect(self.reports.show_report)
        self.health.fixRequested.connect(self._on_health_fix_requested)
        self.playground.graph.editRequested.connect(self._on_graph_edit_requested)
        self.playground.graph.selected.connect(self._on_graph_selected)
        c.traced.connect(self.playground.trace.add_trace)
        context.session.specChanged.connect(self._on_session_spec_changed)
        tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.actions = self._make_actions()
        self._on_session_spec_changed(context.session.spec, None)
        self._on_theme_applied(context.theme)
        context.events.themeApplied.connect(self._on_theme_applied)
        self._on_tabs_current_changed(tabs.currentIndex())

    def _make_actions(self) -> dict:
        """View > Playground, Gradient flow, Reports: each brings its tab to the front."""
        self.context.menu("&View").addSeparator()
        actions = {}
        for name, text, widget, key, tip in (
                ("actionShowPlayground", "&Playground", self.playground, "Ctrl+1",
                 "Data, network and output side by side, with the loss curves: watch "
                 "each neuron learn."),
                ("actionShowGradientFlow", "&Gradient flow", self.flow, "Ctrl+2",
                 "How much each layer's weights change per update, dead and saturated "
                 "units, and histograms by epoch: see where learning stalls."),
                ("actionShowReports", "Re&ports", self.reports, "Ctrl+3",
                 "Confusion matrix and per-class scores, or predicted against true values "
                 "and residuals.")):
            action = named_action(self.context.window, name, text, key, tip,
                                  lambda w=widget: self.tabs.setCurrentWidget(w))
            actions[name] = self.context.add_action("&View", action)
        return actions

    # ------------------------------------------------------------- events
    @Slot(object)
    def _on_controller_inspected(self, snapshot) -> None:
        self.playground.graph.set_snapshot(snapshot)
        self.flow.add_snapshot(snapshot)

    @Slot(object)
    def _on_controller_trainer_ready(self, trainer) -> None:
        """A new trainer is a new run: its views start afresh; an opened one (no run
        going, so its history is still) is replayed into the curves."""
        if trainer is self._trainer:
            return
        self._trainer = trainer
        self.playground.reset()
        self.flow.reset()
        self.health.clear()
        self.reports.clear()
        if not self.context.controller.busy and trainer.history.length:
            self.playground.curves.add_epochs(trainer.history.events())

    @Slot(object, object)
    def _on_session_spec_changed(self, spec, old) -> None:
        if old is None or old.data != spec.data:
            self.playground.set_data(spec.data)
        if old is not None and (old.data != spec.data or old.model != spec.model):
            self.playground.graph.clear()
            self.flow.reset()  # its layers were another network's, or saw other data

    def clear_views(self) -> None:
        """The run is gone (Start over, new data, another session): nothing of it stays
        in the views, and no weight of it is followed any more."""
        self._trainer = None
        self.playground.reset()
        self.playground.trace.unfollow()
        self.context.controller.watch(None)
        self.flow.reset()
        self.reports.clear()

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        current = self.tabs.widget(index)
        self.context.controller.want_inspect(current in (self.playground, self.flow))

    @Slot(object)
    def _on_health_fix_requested(self, finding) -> None:
        """Apply the finding's fix as one edit of the session (undoable)."""
        if self.context.session.edit(dict(finding.fix),
                                     f"applying the health fix ({finding.fix_label})"):
            for banner in self.health.banners:
                if banner.finding is finding:
                    self.health.remove(banner)
            self.context.say(f"Applied: {finding.fix_label}.", 10_000)

    # ------------------------------------------------------ editing weights
    def _trainer_at_rest(self):
        """The trainer, if no thread is running it (paused between batches, or idle)."""
        c = self.context.controller
        return c.trainer if c.state == "paused" or not c.busy else None

    def _parameter_name(self, layer: int, unit: int, source) -> str:
        label = self.playground.graph.snapshot.layers[layer].label
        return (f"the bias of unit {unit + 1} of {label}" if source is None else
                f"the weight from {source + 1} to unit {unit + 1} of {label}")

    @Slot(int, int, object, float)
    def _on_graph_selected(self, layer: int, unit: int, source, value: float) -> None:
        """A click on a link (or a neuron): follow that weight (bias) over time."""
        where = (layer, unit, source)
        self.context.controller.watch(where)
        self.playground.trace.follow(where, self._parameter_name(layer, unit, source))

    @Slot(int, int, object, float)
    def _on_graph_edit_requested(self, layer: int, unit: int, source, value: float) -> None:
        """A double-click on a link (or a neuron) while paused: type its new weight."""
        trainer = self._trainer_at_rest()
        if trainer is None:
            self.context.say("Pause the run to edit a weight or a bias.", 8000)
            return
        what = self._parameter_name(layer, unit, source)
        try:  # the trainer's value: the picture may be a step behind
            before = read_parameter(trainer, layer, unit, source)
        except PlaygroundError as exc:
            self.tell(str(exc))
            return
        new, ok = QInputDialog.getDouble(self.context.window, "Edit a parameter",
                                         f"New value of {what}:",
                                         before, -1e6, 1e6, 6)
        if not ok or new == round(before, 6):  # the dialog shows 6 decimals
            return
        self.context.session.undo_stack.push(
            _EditParameter(self, trainer, (layer, unit, source), before, new, what))

    def write_parameter(self, trainer, where: tuple, value: float) -> None:
        if trainer is not self.context.controller.trainer or self._trainer_at_rest() is None:
            self.context.say("That run is gone or running: the parameter was not changed.",
                             8000)
            return
        layer, unit, source = where
        set_parameter(trainer, layer, unit, source, value)
        self._show_parameter(layer, unit, source, value)
        self.context.say(f"Set to {value:.6g}; the maps follow at the next step.", 8000)

    def _show_parameter(self, layer: int, unit: int, source, value: float) -> None:
        """The graph shows the new value at once (its maps change at the next snapshot)."""
        graph = self.playground.graph
        snap = graph.snapshot
        if snap is None:
            return
        shown = snap.layers[layer]
        if unit not in shown.shown:
            return
        row = shown.shown.index(unit)
        before = snap.inputs.shown if layer == 0 else snap.layers[layer - 1].shown
        if source is None and shown.bias is not None:
            bias = np.array(shown.bias)
            bias[row] = value
            changed = dataclasses.replace(shown, bias=bias)
        elif source is not None and shown.weights is not None and source in before:
            weights = np.array(shown.weights)
            weights[row, before.index(source)] = value
            changed = dataclasses.replace(shown, weights=weights)
        else:
            return
        layers = list(snap.layers)
        layers[layer] = changed
        graph.set_snapshot(dataclasses.replace(snap, layers=tuple(layers)))

    # -------------------------------------------------------------- theme
    @Slot(object)
    def _on_theme_applied(self, t) -> None:
        self.playground.set_colors(t.plot_background, t.text, t.series, t.class_colors)
        self.flow.set_colors(t.plot_background, t.text, t.series)
        self.reports.set_colors(t.plot_background, t.text, t.series)
        background = "#451a03" if t.name == "dark" else "#fef3c7"
        text = "#fde68a" if t.name == "dark" else "#78350f"
        self.health.set_colors(background, text, "#f97316")
