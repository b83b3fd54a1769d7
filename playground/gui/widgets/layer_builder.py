"""LayerBuilder: the network as a stack of layer cards, input at the top.

Cards are rendered from the ModelSpec; every edit (a parameter, add, remove, reorder by
drag and drop) is emitted as a new ModelSpec, the builder's part of the session spec
(`edited({"model": ...}, what)`); the session model records it for undo. Cards are
compact rows (kind, settings, shapes) that expand to edit; an edit updates the cards in
place, so the field being typed in keeps its focus. Shapes and parameter counts come
from the core's shape inference; an impossible stack is flagged on the card that breaks
it, before any training.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt, Signal
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


class LayerCard(QFrame):
    changed = Signal(int, object)   # index, new params
    removed = Signal(int)
    resized = Signal()

    def __init__(self, index: int, layer: LayerSpec, expanded: bool = False) -> None:
        super().__init__()
        self.index = index
        self.kind = layer.kind
        self.setObjectName(f"layerCard{index}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        kind = LAYERS[layer.kind]
        self.setToolTip(kind.description)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(2)
        header = QHBoxLayout()
        self.toggle = QToolButton(objectName="expandLayer", autoRaise=True)
        self.toggle.setToolTip("Show or hide this layer's settings")
        self.toggle.clicked.connect(lambda: self.set_expanded(not self.expanded))
        self.toggle.setVisible(bool(kind.params))
        header.addWidget(self.toggle)
        self.title = QLabel()
        header.addWidget(self.title, 1)
        remove = QToolButton(text="\u2715", objectName="removeLayer", autoRaise=True)
        remove.setToolTip("Remove this layer")
        remove.clicked.connect(lambda: self.removed.emit(self.index))
        header.addWidget(remove)
        layout.addLayout(header)
        self.shape = QLabel(objectName="shapeLabel")
        self.shape.setToolTip("Input shape \u2192 output shape, and the layer's trainable "
                              "parameters (weights and biases).")
        self.shape.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.shape)
        self.form = None
        if kind.params:
            self.form = ParamForm()
            self.form.set_schema(kind.params, dict(layer.params))
            self.form.valuesChanged.connect(lambda values: self.changed.emit(self.index, values))
            layout.addWidget(self.form)
        self.error = QLabel(objectName="layerError", wordWrap=True)
        self.error.setStyleSheet("color: #dc2626;")
        layout.addWidget(self.error)
        self.expanded = expanded
        self.show_layer(layer, None, None)
        self.set_expanded(expanded)

    def show_layer(self, layer: LayerSpec, info: LayerInfo | None, error: str | None) -> None:
        """Render `layer` in place (the editors keep their focus)."""
        kind = LAYERS[layer.kind]
        if self.form is not None:
            self.form.set_values(dict(layer.params))
        self.title.setText(f"<b>{self.index + 1}. {kind.label}</b> {_settings_text(layer)}")
        self.shape.setText(_shape_text(info))
        self.error.setText(error or "")
        self.error.setVisible(bool(error))
        self.setStyleSheet("LayerCard { border: 2px solid #dc2626; border-radius: 4px; }"
                           if error else "")

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.toggle.setText("\u25be" if expanded else "\u25b8")
        if self.form is not None:
            self.form.setVisible(expanded)
        self.resized.emit()


def _settings_text(layer: LayerSpec) -> str:
    """The settings in a few words: '16 \u00b7 tanh \u00b7 xavier_uniform'."""
    parts = []
    for name, value in layer.params.items():
        if value in (None, "default", "auto") and name == "units":
            parts.append("auto")
        elif value not in (None, "default", "", False):
            parts.append("on" if value is True else f"{value:g}" if isinstance(value, float)
                         else str(value))
    return " \u00b7 ".join(parts)


def _shape_text(info: LayerInfo | None) -> str:
    if info is None:
        return ""

    def fmt(shape):
        return "x".join(str(s) for s in shape)

    params = f" \u00b7 {info.parameters:,} params" if info.parameters else ""
    return f"{fmt(info.in_shape)} \u2192 {fmt(info.out_shape)}{params}"


class LayerBuilder(QWidget):
    edited = Signal(object, str)  # {"model": ModelSpec}, what changed in words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = ModelSpec()
        self._input_shape: tuple[int, ...] = (2,)
        self._head: Head | None = None
        self._suggested: ModelSpec | None = None
        self._expanded: set[int] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.summary = QLabel(objectName="networkSummary", wordWrap=True)
        top.addWidget(self.summary, 1)
        self.suggest = QPushButton("Use the suggested network", objectName="useSuggestedNetwork")
        self.suggest.setToolTip("Replace the layers with the network this data set's example "
                                "uses (Ctrl+Z brings yours back).")
        self.suggest.clicked.connect(self._on_suggest_clicked)
        top.addWidget(self.suggest)
        layout.addLayout(top)
        self.cards = QListWidget(objectName="layerCards")
        self.cards.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.cards.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.cards.setSpacing(1)
        self.cards.setMinimumHeight(150)
        self.cards.setToolTip("Drag a card to reorder the layers; \u25b8 shows its settings.")
        self.cards.model().rowsMoved.connect(self._on_cards_rows_moved)
        layout.addWidget(self.cards, 1)
        layout.addWidget(self._palette())

    def _palette(self) -> QGroupBox:
        box = QGroupBox("Add a layer")
        grid = QGridLayout(box)
        grid.setSpacing(3)
        grid.setContentsMargins(4, 4, 4, 4)
        for position, kind in enumerate(LAYERS.values()):
            button = QPushButton(kind.label, objectName=f"add_{kind.name}")
            button.setToolTip(kind.description)
            button.clicked.connect(lambda _=False, name=kind.name: self.add_layer(name))
            grid.addWidget(button, position // 3, position % 3)
        return box

    # ---------------------------------------------------------------- public
    def set_model(self, model: ModelSpec) -> None:
        """Show `model`; emits nothing."""
        self._model = model
        self._render()

    def set_context(self, input_shape: tuple[int, ...], head: Head | None,
                    suggested: ModelSpec | None = None) -> None:
        """The data's input shape, the task's head and the data set's suggested network."""
        self._input_shape, self._head, self._suggested = input_shape, head, suggested
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
        label = LAYERS[kind].label
        article = "an" if label[:1] in "AEIOU" else "a"
        self._emit(ModelSpec(tuple(layers)), f"adding {article} {label} layer")

    def remove_layer(self, index: int) -> None:
        layers = list(self._model.layers)
        removed = layers.pop(index)
        self._emit(ModelSpec(tuple(layers)),
                   f"removing layer {index + 1} ({LAYERS[removed.kind].label})")

    def edit_layer(self, index: int, params: dict) -> None:
        layers = list(self._model.layers)
        layers[index] = LayerSpec(layers[index].kind, params)
        self._emit(ModelSpec(tuple(layers)), f"layer {index + 1}")

    def move_layer(self, source: int, target: int) -> None:
        layers = list(self._model.layers)
        layers.insert(target, layers.pop(source))
        self._emit(ModelSpec(tuple(layers)), "the order of the layers")

    @property
    def errors(self) -> dict[int, str]:
        return self._check()[1]

    # --------------------------------------------------------------- private
    def _emit(self, model: ModelSpec, what: str) -> None:
        if model != self._model:
            self.edited.emit({"model": model}, what)
        else:
            self._render()

    def _check(self) -> tuple[dict[int, LayerInfo], dict[int, str], str]:
        if self._head is None:
            return {}, {}, ""
        try:
            built = check_model(self._model, self._input_shape, self._head)
        except SpecError as exc:
            return {}, {_failing_layer(str(exc), len(self._model.layers)):
                        _in_card_words(str(exc))}, ""
        infos = {row.index: row for row in built.summary}
        return infos, {}, f"{built.parameter_count:,} parameters in {len(infos)} layers"

    def _cards(self) -> list[LayerCard]:
        return [self.cards.itemWidget(self.cards.item(i)) for i in range(self.cards.count())]

    def _render(self) -> None:
        infos, errors, summary = self._check()
        self.summary.setText(summary or next(iter(errors.values()), ""))
        self.suggest.setEnabled(self._suggested is not None and self._suggested != self._model)
        layers = self._model.layers
        cards = self._cards()
        if [card.kind for card in cards] != [layer.kind for layer in layers]:
            cards = self._rebuild_cards()
        for card, layer in zip(cards, layers):
            card.show_layer(layer, infos.get(card.index), errors.get(card.index))
        self._fit_items()

    def _rebuild_cards(self) -> list[LayerCard]:
        self.cards.blockSignals(True)
        self.cards.clear()
        for index, layer in enumerate(self._model.layers):
            card = LayerCard(index, layer, expanded=index in self._expanded)
            card.changed.connect(self.edit_layer)
            card.removed.connect(self.remove_layer)
            card.resized.connect(self._on_card_resized)
            item = QListWidgetItem()
            self.cards.addItem(item)
            self.cards.setItemWidget(item, card)
        self.cards.blockSignals(False)
        return self._cards()

    def _fit_items(self) -> None:
        for index in range(self.cards.count()):
            item = self.cards.item(index)
            card = self.cards.itemWidget(item)
            if card is not None:
                item.setSizeHint(card.sizeHint() + QSize(0, 2))

    def _on_card_resized(self) -> None:
        self._expanded = {card.index for card in self._cards() if card and card.expanded}
        self._fit_items()

    def _on_suggest_clicked(self) -> None:
        if self._suggested is not None:
            self._emit(self._suggested, "using the suggested network")

    def _on_cards_rows_moved(self, parent, start, end, destination, row) -> None:
        target = row if row < start else row - 1
        self.move_layer(start, target)


def _failing_layer(message: str, count: int) -> int:
    """The layer index a SpecError names (model.layers[3] ...), else the last layer."""
    found = re.search(r"model\.layers\[(\d+)\]", message)
    return int(found.group(1)) if found else count - 1


def _in_card_words(message: str) -> str:
    """A SpecError as the cards name layers: model.layers[3].units -> layer 4's units
    (the card titled "4.")."""
    def card(found: re.Match) -> str:
        name = f"layer {int(found.group(1)) + 1}"
        return f"{name}'s {found.group(2)}" if found.group(2) else name

    text = re.sub(r"model\.layers\[(\d+)\](?:\.(\w+))?", card, message)
    return text[:1].upper() + text[1:]
