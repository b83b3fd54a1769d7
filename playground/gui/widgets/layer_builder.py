"""LayerBuilder: the network as a stack of layer cards, input at the top.

Cards are rendered from the ModelSpec; every edit (a parameter, add, remove, reorder by
drag and drop) makes a new spec, pushed through a QUndoStack so Ctrl+Z undoes it.
Shapes and parameter counts come from the core's shape inference; an impossible stack
is flagged on the card that breaks it, before any training.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QToolButton, QVBoxLayout, QWidget)

from ...core.errors import SpecError
from ...core.layers import LAYERS
from ...core.losses import Head
from ...core.model import LayerInfo, check_model
from ...core.spec import LayerSpec, ModelSpec
from .param_form import ParamForm

_DEFAULT_NEW = {"dense": {"units": 16, "activation": "relu"}}


class _SetModel(QUndoCommand):
    def __init__(self, builder: "LayerBuilder", old: ModelSpec, new: ModelSpec, text: str):
        super().__init__(text)
        self.builder, self.old, self.new = builder, old, new

    def redo(self) -> None:
        self.builder._apply(self.new)

    def undo(self) -> None:
        self.builder._apply(self.old)


class LayerCard(QFrame):
    changed = Signal(int, object)   # index, new params
    removed = Signal(int)

    def __init__(self, index: int, layer: LayerSpec, info: LayerInfo | None,
                 error: str | None) -> None:
        super().__init__()
        self.index = index
        self.setObjectName(f"layerCard{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        kind = LAYERS[layer.kind]
        self.setToolTip(kind.description)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        header = QHBoxLayout()
        title = QLabel(f"<b>{index + 1}. {kind.label}</b>")
        header.addWidget(title)
        header.addStretch(1)
        self.shape = QLabel(self._shape_text(info))
        self.shape.setObjectName("shapeLabel")
        header.addWidget(self.shape)
        remove = QToolButton(text="\u2715", objectName="removeLayer")
        remove.setToolTip("Remove this layer")
        remove.clicked.connect(lambda: self.removed.emit(self.index))
        header.addWidget(remove)
        layout.addLayout(header)
        if kind.params:
            self.form = ParamForm()
            self.form.set_schema(kind.params, dict(layer.params))
            self.form.valuesChanged.connect(lambda values: self.changed.emit(self.index, values))
            layout.addWidget(self.form)
        self.error = QLabel(error or "")
        self.error.setObjectName("layerError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #dc2626;")
        self.error.setVisible(bool(error))
        layout.addWidget(self.error)
        if error:
            self.setStyleSheet("LayerCard { border: 2px solid #dc2626; border-radius: 4px; }")

    @staticmethod
    def _shape_text(info: LayerInfo | None) -> str:
        if info is None:
            return ""
        def fmt(shape):
            return "x".join(str(s) for s in shape)
        params = f" \u00b7 {info.parameters:,} params" if info.parameters else ""
        return f"{fmt(info.in_shape)} \u2192 {fmt(info.out_shape)}{params}"


class LayerBuilder(QWidget):
    modelChanged = Signal(object)  # ModelSpec

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._model = ModelSpec()
        self._input_shape: tuple[int, ...] = (2,)
        self._head: Head | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel(objectName="networkSummary")
        layout.addWidget(self.summary)
        self.cards = QListWidget(objectName="layerCards")
        self.cards.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.cards.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.cards.setSpacing(2)
        self.cards.setToolTip("Drag a card to reorder the layers.")
        self.cards.model().rowsMoved.connect(self._on_cards_rows_moved)
        layout.addWidget(self.cards, 1)
        layout.addWidget(self._palette())

    def _palette(self) -> QGroupBox:
        box = QGroupBox("Add a layer")
        grid = QGridLayout(box)
        grid.setSpacing(3)
        for position, kind in enumerate(LAYERS.values()):
            button = QPushButton(kind.label, objectName=f"add_{kind.name}")
            button.setToolTip(kind.description)
            button.clicked.connect(lambda _=False, name=kind.name: self.add_layer(name))
            grid.addWidget(button, position // 3, position % 3)
        return box

    # ---------------------------------------------------------------- public
    def set_model(self, model: ModelSpec) -> None:
        """Show `model` (from outside: no signal, no undo entry)."""
        self._apply(model, emit=False)

    def set_context(self, input_shape: tuple[int, ...], head: Head | None) -> None:
        """The data's input shape and the task's head, for shapes and checks."""
        self._input_shape, self._head = input_shape, head
        self._render()

    @property
    def model(self) -> ModelSpec:
        return self._model

    def add_layer(self, kind: str) -> None:
        """Insert before the output layer (the last Dense), or at the end."""
        layers = list(self._model.layers)
        dense = [i for i, layer in enumerate(layers) if layer.kind == "dense"]
        at = dense[-1] if dense else len(layers)
        layers.insert(at, LayerSpec(kind, _DEFAULT_NEW.get(kind, {})))
        self._push(ModelSpec(tuple(layers)), f"Add {LAYERS[kind].label}")

    def remove_layer(self, index: int) -> None:
        layers = list(self._model.layers)
        removed = layers.pop(index)
        self._push(ModelSpec(tuple(layers)), f"Remove {LAYERS[removed.kind].label}")

    def edit_layer(self, index: int, params: dict) -> None:
        layers = list(self._model.layers)
        layers[index] = LayerSpec(layers[index].kind, params)
        self._push(ModelSpec(tuple(layers)), f"Edit {LAYERS[layers[index].kind].label}")

    def move_layer(self, source: int, target: int) -> None:
        layers = list(self._model.layers)
        layers.insert(target, layers.pop(source))
        self._push(ModelSpec(tuple(layers)), "Move layer")

    # --------------------------------------------------------------- private
    def _push(self, model: ModelSpec, text: str) -> None:
        if model != self._model:
            self.undo_stack.push(_SetModel(self, self._model, model, text))

    def _apply(self, model: ModelSpec, emit: bool = True) -> None:
        self._model = model
        self._render()
        if emit:
            self.modelChanged.emit(model)

    def _check(self) -> tuple[dict[int, LayerInfo], dict[int, str], str]:
        if self._head is None:
            return {}, {}, ""
        try:
            built = check_model(self._model, self._input_shape, self._head)
        except SpecError as exc:
            return {}, {_failing_layer(str(exc), len(self._model.layers)): str(exc)}, ""
        infos = {row.index: row for row in built.summary}
        return infos, {}, f"{built.parameter_count:,} parameters in {len(infos)} layers"

    def _render(self) -> None:
        infos, errors, summary = self._check()
        self.summary.setText(summary or next(iter(errors.values()), ""))
        self.cards.blockSignals(True)
        self.cards.clear()
        for index, layer in enumerate(self._model.layers):
            card = LayerCard(index, layer, infos.get(index), errors.get(index))
            card.changed.connect(self.edit_layer)
            card.removed.connect(self.remove_layer)
            item = QListWidgetItem()
            item.setSizeHint(card.sizeHint() + QSize(0, 4))
            self.cards.addItem(item)
            self.cards.setItemWidget(item, card)
        self.cards.blockSignals(False)

    @property
    def errors(self) -> dict[int, str]:
        return self._check()[1]

    def _on_cards_rows_moved(self, parent, start, end, destination, row) -> None:
        target = row if row < start else row - 1
        self.move_layer(start, target)


def _failing_layer(message: str, count: int) -> int:
    """The layer index a SpecError names (model.layers[3] ...), else the last layer."""
    import re

    found = re.search(r"model\.layers\[(\d+)\]", message)
    return int(found.group(1)) if found else count - 1
