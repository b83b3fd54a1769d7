"""SpaceEditor: the search space as a list of hyperparameters to tick and bound.

Each row is one hyperparameter the search knows: a tick to search it, its values (a range
`low..high` or choices `a|b|c`) and, for a range, whether it is searched on a log scale.
The editor produces the space language's text (core.search.space), so the GUI, the CLI and
a stored study speak the same words; what cannot be searched is one sentence below.
"""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from ....core.search.space import SpaceError, parse_space

# name, values, log, searched by default, what it means
ROWS = (
    ("lr", "1e-4..1", True, True, "The learning rate: the size of each step."),
    ("units", "4..64", False, True, "Neurons in each hidden layer."),
    ("layers", "1..3", False, False, "How many hidden layers (copies of the first)."),
    ("optimizer", "sgd|momentum|adam", False, False,
     "Which update rule (another optimizer starts from its own settings)."),
    ("batch_size", "8|16|32|64", False, False, "Samples per update."),
    ("momentum", "0..0.95", False, False,
     "Momentum (SGD becomes SGD + momentum; beta1 for the Adam family)."),
    ("dropout", "0..0.5", False, False, "Dropout after each hidden layer (0 = none)."),
    ("l2", "1e-6..1e-2", True, False, "The L2 penalty (weight decay)."),
    ("activation", "relu|tanh", False, False, "The hidden layers' activation."),
    ("init", "default|he_uniform|xavier_uniform", False, False,
     "How the hidden layers' weights start."),
)


class SpaceEditor(QWidget):
    changed = Signal(str)   # the space text ("" while nothing is ticked)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spaceEditor")
        self.rows: dict[str, tuple[QCheckBox, QLineEdit, QCheckBox]] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        for column, title in enumerate(("Search", "Values", "Log")):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for row, (name, values, log, on, tip) in enumerate(ROWS, start=1):
            tick = QCheckBox(name, objectName=f"space_{name}", checked=on, toolTip=tip)
            field = QLineEdit(values, objectName=f"space_{name}_values",
                              toolTip="A range low..high, or choices a|b|c.")
            scale = QCheckBox(objectName=f"space_{name}_log", checked=log,
                              toolTip="Search the range on a log scale (every decade "
                              "alike), as learning rates usually are.")
            for widget in (tick, scale):
                widget.toggled.connect(self._on_any_changed)
            field.textChanged.connect(self._on_any_changed)
            grid.addWidget(tick, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(scale, row, 2)
            self.rows[name] = (tick, field, scale)
        self.problem = QLabel(objectName="spaceProblem", wordWrap=True)
        self.problem.setStyleSheet("color: #dc2626")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(grid)
        column.addWidget(self.problem)
        self._on_any_changed()

    def text(self) -> str:
        items = []
        for name, (tick, field, scale) in self.rows.items():
            if not tick.isChecked():
                continue
            values = field.text().strip()
            log = scale.isChecked() and ".." in values and ":log" not in values
            items.append(f"{name}={values}{':log' if log else ''}")
        return ",".join(items)

    def set_text(self, text: str) -> None:
        """Show a space (a stored study's): tick its rows, fill their values."""
        space = parse_space(text)
        by_name = {d.name: d for d in space.dimensions}
        for name, (tick, field, scale) in self.rows.items():
            dimension = by_name.get(name)
            tick.setChecked(dimension is not None)
            if dimension is None:
                continue
            item = dimension.describe().split("=", 1)[1]
            scale.setChecked(item.endswith(":log"))
            field.setText(item.removesuffix(":log"))

    def problem_text(self) -> str:
        """Why the space cannot be searched, in one sentence; "" if it can."""
        text = self.text()
        if not text:
            return "Tick at least one hyperparameter to search."
        try:
            parse_space(text)
        except SpaceError as exc:
            return str(exc)
        return ""

    @Slot()
    def _on_any_changed(self, *_) -> None:
        for tick, field, scale in self.rows.values():
            field.setEnabled(tick.isChecked())
            scale.setEnabled(tick.isChecked() and ".." in field.text())
        problem = self.problem_text()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.changed.emit(self.text())
