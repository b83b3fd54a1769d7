"""NetworkGraphWidget: the network drawn as the web playground draws it.

Layers are columns of neurons, the inputs first. On 2-D data every neuron is a small map
of its output over the input plane (diverging orange-grey-blue over [-1, 1]); on other
data, a histogram of its activations over the probe rows. Links are coloured by the
weight's sign (blue positive, orange negative) and are 1-10 px wide for |w| from 0 to 5.
Hovering a neuron enlarges it; hovering a link shows its weight. Layers wider than 16
show their 16 most active neurons and "+N".

The widget takes core.inspect Snapshots (plain numpy arrays) and rebuilds its scene at a
frame of its FrameScheduler, at most FPS times a second, only when something changed and
only while it is visible: a burst of snapshots costs one frame. It is a QGraphicsView
with no Python paintEvent: Qt rasterises the scene in C++ without the GIL, so drawing
does not hold up the training thread (a QPainter paintEvent in Python held the GIL for
its whole 10-30 ms and made training with the view open about 3x slower on this 2-core
machine).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QFrame, QGraphicsScene, QGraphicsView, QSizePolicy, QToolTip,
                               QWidget)

from .colors import NEGATIVE, POSITIVE, distribution_image, map_images
from .frames import FrameScheduler
THUMB = 36            # a neuron's side in pixels, when there is room
ENLARGE = 4           # a hovered neuron is drawn this many times larger
MAX_WIDTH_PX, MAX_WEIGHT = 10.0, 5.0   # link width for |w| = MAX_WEIGHT and beyond
_CENTRED = ("sigmoid", "softmax")      # outputs in [0, 1], drawn as 2a - 1


@dataclass
class Node:
    rect: QRectF
    column: int
    unit: int
    image: QImage | None
    distribution: np.ndarray | None
    tip: str


@dataclass
class Link:
    line: QLineF
    weight: float
    ends: tuple         # (source Node, target Node), for the tip
    layer: int = 0      # index into the snapshot's layers
    unit: int = 0       # the target neuron
    source: int = 0     # the source neuron (a unit of the layer before, or an input)

    @property
    def tip(self) -> str:  # built on hover only: 150 strings a frame cost a millisecond
        source, target = (node.tip.split(",")[0] for node in self.ends)
        return f"weight {self.weight:.4g}: from {source} to {target}"


def link_width(weight: float) -> float:
    """1 px at |w| = 0 up to MAX_WIDTH_PX at |w| = MAX_WEIGHT (the web playground's);
    1 px for a NaN weight (a diverged run)."""
    size = abs(weight)
    if size != size:
        return 1.0
    return 1.0 + (MAX_WIDTH_PX - 1.0) * min(size, MAX_WEIGHT) / MAX_WEIGHT


class NetworkGraphWidget(QGraphicsView):
    hovered = Signal(str)   # the tip of what the pointer is over ("" for nothing)
    # A click on a link selects it: (layer index from 0, target unit, source unit,
    # weight); on a neuron of a layer: (layer index, unit, None, bias). A double-click
    # asks to edit the same.
    selected = Signal(int, int, object, float)
    editRequested = Signal(int, int, object, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        self.scene_ = QGraphicsScene()
        # Rebuilt whole at every frame: a BSP index would be rebuilt with it, for nothing.
        self.scene_.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        super().__init__(self.scene_, parent)
        self.setObjectName("networkGraph")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for policy in (self.setHorizontalScrollBarPolicy, self.setVerticalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.RenderHint.Antialiasing |
                            QPainter.RenderHint.SmoothPixmapTransform)
        self.setMouseTracking(True)
        self._enlarged = []   # the hovered neuron's enlarged copy (scene items)
        self.setMinimumSize(200, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.background, self.text = QColor("#ffffff"), QColor("#1d1f23")
        self.snapshot = None
        self.nodes: list[Node] = []
        self.links: list[Link] = []
        self.hover: Node | None = None
        self.frames = 0               # scenes built (a frame each)
        self.paint_seconds = 0.0      # Python time spent building them
        self._stale = False           # the layout must be computed again
        self._built_key = None        # the layout the scene's items show, or None
        self._node_items: list = []   # per node, its picture's item (or None)
        self._link_items: list = []   # per link, its line item ...
        self._link_keys: list = []    # ... and its pen's key
        self._pens_for, self._pens = None, {}
        self.scheduler = FrameScheduler(self, self._on_frame)

    # ------------------------------------------------------------- input
    def set_snapshot(self, snapshot) -> None:
        """Show a core.inspect Snapshot at the next frame."""
        self.snapshot = snapshot
        self._stale = True
        self.scheduler.request()

    def clear(self) -> None:
        self.snapshot, self.nodes, self.links, self.hover = None, [], [], None
        self._built_key = None  # the scene's items no longer match nodes and links
        self.scheduler.request()

    def set_colors(self, background: str, text: str) -> None:
        self.background, self.text = QColor(background), QColor(text)
        self.scheduler.request()

    def _on_frame(self) -> None:
        self.build()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scheduler.shown()

    def resizeEvent(self, event) -> None:
        self._stale = True
        self.scheduler.request()
        super().resizeEvent(event)

    def width(self) -> int:   # the layout works in the viewport's pixels
        return self.viewport().width()

    def height(self) -> int:
        return self.viewport().height()

    # ------------------------------------------------------------ layout
    def _columns(self):
        """(title, shown units, maps, distributions, hidden count, activation) per column."""
        snap = self.snapshot
        inputs = snap.inputs
        columns = [("inputs", inputs.shown, inputs.maps, inputs.distributions,
                    len(inputs.names) - len(inputs.shown), "linear")]
        for layer in snap.layers:
            title = f"{layer.label}\n{layer.activation}"
            columns.append((title, layer.shown, layer.maps, layer.distributions,
                            layer.hidden, layer.activation))
        return columns

    def _relayout(self) -> None:
        self._stale = False
        self.nodes, self.links = [], []
        if self.snapshot is None:
            return
        columns = self._columns()
        width, height = self.width(), self.height()
        top, bottom = 34.0, 22.0
        most = max(len(c[1]) for c in columns) or 1
        side = max(12.0, min(THUMB, (height - top - bottom) / most * 0.78))
        gap = (height - top - bottom) / most
        left, right = 16.0, width - 16.0 - side
        step = (right - left) / max(len(columns) - 1, 1)
        for c, (title, shown, maps, dists, _, activation) in enumerate(columns):
            x = left + c * step
            y0 = top + (height - top - bottom - gap * len(shown)) / 2 + (gap - side) / 2
            images = self._images(maps, activation, len(shown))
            for row, unit in enumerate(shown):
                rect = QRectF(x, y0 + row * gap, side, side)
                image = images[row]
                dist = None if dists is None else dists[row]
                label = self._node_label(c, unit, title)
                self.nodes.append(Node(rect, c, unit, image, dist, self._node_tip(c, unit,
                                                                               label)))
        self._build_links(columns)

    @staticmethod
    def _images(maps, activation: str, count: int) -> list:
        if maps is None:
            return [None] * count
        return map_images(maps * 2 - 1 if activation in _CENTRED else maps)

    def _node_label(self, column: int, unit: int, title: str) -> str:
        if column == 0:
            return self.snapshot.inputs.names[unit]
        return f"unit {unit + 1} of {title.splitlines()[0]}"

    def _node_tip(self, column: int, unit: int, label: str) -> str:
        if column == 0:
            return f"input {label}"
        layer = self.snapshot.layers[column - 1]
        parts = [label, f"mean |output| {float(layer.activity[unit]):.3g}"]
        if layer.bias is not None:
            parts.append(f"bias {float(layer.bias[layer.shown.index(unit)]):.3g}")
        return ", ".join(parts)

    def _build_links(self, columns) -> None:
        by_column: dict[int, list[Node]] = {}
        for node in self.nodes:
            by_column.setdefault(node.column, []).append(node)
        for c, layer in enumerate(self.snapshot.layers, start=1):
            if layer.weights is None:
                continue
            sources, targets = by_column.get(c - 1, []), by_column.get(c, [])
            for i, target in enumerate(targets):
                for j, source in enumerate(sources):
                    line = QLineF(source.rect.right(), source.rect.center().y(),
                                  target.rect.left(), target.rect.center().y())
                    self.links.append(Link(line, float(layer.weights[i, j]),
                                           (source, target), c - 1, target.unit, source.unit))

    # ------------------------------------------------------------- scene
    def build(self) -> None:
        """Show the current snapshot: its pictures and link pens put into the scene's
        items when the layout is the one drawn last (the usual frame in a run), else the
        scene rebuilt whole."""
        started = time.perf_counter()
        key = self._layout_key()
        if self._stale and key is not None and key == self._built_key:
            self._update_items()
        else:
            self._rebuild(key)
        if self.snapshot is not None:
            self.frames += 1
            self.paint_seconds += time.perf_counter() - started

    def _layout_key(self):
        """What the scene's items depend on besides the values: the size, colours and
        each column's title, shown units and kind of picture. None: no snapshot."""
        if self.snapshot is None:
            return None
        return (self.width(), self.height(), self.background.rgba(), self.text.rgba(),
                tuple((title, shown, maps is None, dists is None, hidden)
                      for title, shown, maps, dists, hidden, _ in self._columns()))

    def _update_items(self) -> None:
        """The same layout with new values: new pictures, and new pens for the links
        whose sign or width changed (most keep theirs from frame to frame)."""
        self._stale = False
        snap, index = self.snapshot, 0
        for c, (title, shown, maps, dists, _, activation) in enumerate(self._columns()):
            images = self._images(maps, activation, len(shown))
            for row, unit in enumerate(shown):
                node, item = self.nodes[index], self._node_items[index]
                node.image = images[row]
                node.distribution = None if dists is None else dists[row]
                node.tip = self._node_tip(c, unit, self._node_label(c, unit, title))
                if item is not None:
                    item.setPixmap(QPixmap.fromImage(self._node_image(node)))
                index += 1
        weights = [w for layer in snap.layers if layer.weights is not None
                   for w in layer.weights.ravel().tolist()]
        pen_of, keys, items = self._pen_of(), self._link_keys, self._link_items
        # New Links: one handed out before (a click's target) keeps the value it had.
        self.links = [Link(link.line, weight, link.ends, link.layer, link.unit, link.source)
                      for link, weight in zip(self.links, weights)]
        for i, weight in enumerate(weights):
            key = _pen_key(weight)
            if key != keys[i]:
                keys[i] = key
                items[i].setPen(pen_of(key))
        if self.hover is not None:
            self._show_enlarged()

    def _rebuild(self, key) -> None:
        """Lay out the current snapshot and rebuild the scene from it."""
        if self._stale:
            self._relayout()
        scene = self.scene_
        scene.clear()
        self._enlarged, self._node_items, self._built_key = [], [], None
        scene.setSceneRect(QRectF(0, 0, self.width(), self.height()))
        self.setBackgroundBrush(QBrush(self.background))
        if self.snapshot is None:
            text = scene.addSimpleText("Train or step to see inside the network.")
            text.setBrush(self.text)
            box = text.boundingRect()
            text.setPos((self.width() - box.width()) / 2, (self.height() - box.height()) / 2)
            return
        self._add_links()
        border = QPen(self.text, 1)
        for node in self.nodes:
            items = self._add_node(node, node.rect, border)
            self._node_items.append(items[0] if len(items) > 1 else None)
        self._add_titles()
        if self.hover is not None:
            self._show_enlarged()
        self._built_key = key

    def _pen_of(self):
        """The pen for a link's (sign, half-pixel width), shared: opaque colours blended
        with the background beforehand (translucent wide lines cost several times more
        to rasterise)."""
        share = 0.67 if len(self.links) <= 200 else 0.3  # dense meshes fainter
        if self._pens_for != (share, self.background.rgba()):
            self._pens_for, self._pens = (share, self.background.rgba()), {}
        positive, negative = (_blend(QColor(c), self.background, share)
                              for c in (POSITIVE, NEGATIVE))
        colours = {True: positive, False: negative, None: QColor("#9ca3af")}  # None: NaN
        pens = self._pens

        def pen_of(key: tuple) -> QPen:
            pen = pens.get(key)
            if pen is None:
                pen = pens[key] = QPen(colours[key[0]], key[1])
                pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            return pen
        return pen_of

    def _add_links(self) -> None:
        pen_of, add = self._pen_of(), self.scene_.addLine
        self._link_keys = [_pen_key(link.weight) for link in self.links]
        self._link_items = [add(link.line, pen_of(key))
                            for link, key in zip(self.links, self._link_keys)]

    def _node_image(self, node: Node) -> QImage | None:
        return node.image if node.image is not None else (
            distribution_image(node.distribution, self.background)
            if node.distribution is not None else None)

    def _add_node(self, node: Node, rect: QRectF, border: QPen, z: float = 0.0) -> list:
        image = self._node_image(node)
        items = []
        if image is not None:
            item = self.scene_.addPixmap(QPixmap.fromImage(image))
            item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            item.setScale(rect.width() / image.width())
            item.setPos(rect.topLeft())
            item.setZValue(z)
            items.append(item)
        frame = self.scene_.addRect(rect, border)
        frame.setZValue(z)
        return items + [frame]

    def _add_titles(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        metrics = QFontMetrics(font)
        seen: dict[int, Node] = {}
        for node in self.nodes:
            seen.setdefault(node.column, node)
        columns = self._columns()
        centres = sorted(node.rect.center().x() for node in seen.values())
        spacing = min([b - a for a, b in zip(centres, centres[1:])] or [120.0])
        width = min(120.0, spacing - 4)
        for column, first in seen.items():
            title, _, _, _, hidden, _ = columns[column]
            x = first.rect.center().x()
            lines = [metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(width))
                     for line in title.splitlines()]
            for row, line in enumerate(lines):
                self._text(line, font, x, 2 + row * metrics.height())
            if hidden:
                last = [n for n in self.nodes if n.column == column][-1]
                self._text(f"+{hidden}", font, x, last.rect.bottom() + 2)

    def _text(self, text: str, font: QFont, centre_x: float, top: float) -> None:
        item = self.scene_.addSimpleText(text, font)
        item.setBrush(self.text)
        width = item.boundingRect().width()
        item.setPos(min(max(centre_x - width / 2, 0), self.width() - width), top)

    def _show_enlarged(self) -> None:
        for item in self._enlarged:
            self.scene_.removeItem(item)
        self._enlarged = []
        if self.hover is None:
            return
        r = self.hover.rect
        big = QRectF(0, 0, r.width() * ENLARGE, r.height() * ENLARGE)
        big.moveCenter(r.center())
        big.moveLeft(min(max(big.left(), 2), self.width() - big.width() - 2))
        big.moveTop(min(max(big.top(), 2), self.height() - big.height() - 2))
        self._enlarged = self._add_node(self.hover, big, QPen(self.text, 2), z=10.0)

    # ------------------------------------------------------------- hover
    def node_at(self, point: QPointF) -> Node | None:
        return next((n for n in self.nodes if n.rect.contains(point)), None)

    def link_at(self, point: QPointF, tolerance: float = 4.0) -> Link | None:
        best, best_distance = None, tolerance
        for link in self.links:
            distance = _distance(point, link.line) - link_width(link.weight) / 2
            if distance <= best_distance:
                best, best_distance = link, distance
        return best

    def mouseMoveEvent(self, event) -> None:
        point = event.position()
        node = self.node_at(point)
        if node is not self.hover:
            self.hover = node
            self._show_enlarged()
        link = None if node is not None else self.link_at(point)
        tip = node.tip if node is not None else link.tip if link is not None else ""
        if tip:
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        else:
            QToolTip.hideText()
        self.hovered.emit(tip)

    def mousePressEvent(self, event) -> None:
        if not self._emit_target(event, self.selected):
            super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if not self._emit_target(event, self.editRequested):
            super().mouseDoubleClickEvent(event)

    def _emit_target(self, event, signal) -> bool:
        """Emit `signal` for the link or neuron (with a bias) under a left click."""
        if event.button() != Qt.MouseButton.LeftButton or self.snapshot is None:
            return False
        point = event.position()
        node = self.node_at(point)
        if node is not None and node.column > 0:
            layer = self.snapshot.layers[node.column - 1]
            if layer.bias is None:
                return False
            bias = float(layer.bias[layer.shown.index(node.unit)])
            signal.emit(node.column - 1, node.unit, None, bias)
            return True
        link = self.link_at(point) if node is None else None
        if link is None:
            return False
        signal.emit(link.layer, link.unit, link.source, link.weight)
        return True

    def leaveEvent(self, event) -> None:
        if self.hover is not None:
            self.hover = None
            self._show_enlarged()
        super().leaveEvent(event)


def _pen_key(weight: float) -> tuple:
    """(sign, width to the half pixel); sign None for NaN."""
    sign = None if weight != weight else weight >= 0
    return sign, round(link_width(weight) * 2) / 2


def _blend(color: QColor, background: QColor, share: float) -> QColor:
    """`color` seen at opacity `share` over `background`, as an opaque colour."""
    mix = lambda a, b: int(round(a * share + b * (1 - share)))  # noqa: E731
    return QColor(mix(color.red(), background.red()), mix(color.green(), background.green()),
                  mix(color.blue(), background.blue()))


def _distance(point: QPointF, line: QLineF) -> float:
    dx, dy = line.dx(), line.dy()
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(point.x() - line.x1(), point.y() - line.y1())
    t = max(0.0, min(1.0, ((point.x() - line.x1()) * dx + (point.y() - line.y1()) * dy)
                     / length))
    return math.hypot(point.x() - (line.x1() + t * dx), point.y() - (line.y1() + t * dy))
