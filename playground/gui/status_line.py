"""StatusLine: the status bar's permanent part, what the run is doing now.

The run's line (epoch of epochs, updates, the loss in the curves' units, samples per
second, time), the epoch progress, the state (idle, training, paused) and the device.
The RunDisplay tells it; it reads nothing itself.
"""
from __future__ import annotations

from typing import Mapping

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from ..core.device import cuda_status

READY = "Ready: press Train (Space), or step one epoch or batch."


class StatusLine:
    def __init__(self, bar: QStatusBar) -> None:
        self.run_info = QLabel(objectName="runInfo")
        self.progress = QProgressBar(objectName="epochProgress", maximumWidth=220)
        self.progress.setTextVisible(True)
        self.state_label = QLabel(objectName="stateLabel")
        usable, reason = cuda_status()
        self.device_label = QLabel(reason.split(":")[1].strip() if usable else "CPU",
                                   objectName="deviceLabel")
        self.device_label.setToolTip(reason)
        bar.addWidget(self.run_info, 1)
        for widget in (self.progress, self.state_label, self.device_label):
            bar.addPermanentWidget(widget)

    def show_state(self, state: str) -> None:
        self.state_label.setText(state)

    def show_run(self, logs: Mapping, epochs: int, units, elapsed: float,
                 restored: tuple[int, Mapping] | None) -> None:
        """The last epoch's `logs` of `epochs` planned; after early stopping put an
        earlier epoch's weights back, `restored` is (that epoch, its logs)."""
        if not logs:
            self.run_info.setText(READY)
            self.progress.setValue(0)
            return
        epoch = int(logs.get("epoch", 0))
        shown_epoch, shown = restored or (0, logs)
        loss = f"loss {units.show('loss', shown.get('loss', float('nan'))):.4g}"
        if shown_epoch:
            loss = f"restored epoch {shown_epoch:,}: {loss}"
        if units.phrase():
            loss += f" ({units.phrase()})"
        self.run_info.setText(
            f"epoch {epoch:,} of {epochs:,} \u00b7 update {int(logs.get('step', 0)):,} \u00b7 "
            f"{loss} \u00b7 "
            f"{logs.get('samples_per_s', 0):,.0f} samples/s \u00b7 {elapsed:,.1f} s")
        self.progress.setMaximum(epochs)
        self.progress.setValue(min(epoch, epochs))
