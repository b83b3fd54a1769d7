"""PredictView: type feature values (or draw a digit) and see the model's answer.

The view knows no model: it is given the column names (or an image shape) and emits
`rowChanged(list[float])` with the raw values; its owner computes the prediction and
hands back the answer and the class probabilities with show_output().
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (QDoubleSpinBox, QFormLayout, QGridLayout, QHBoxLayout,
                               QLabel, QProgressBar, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

MAX_FIELDS = 64  # more columns than this are predicted from a CSV file instead


class DigitCanvas(QWidget):
    """A grid of pixels to draw on with the mouse (left draws, right erases); values
    from 0 to `ink` as the data set's images hold them."""

    drawn = Signal()

    def __init__(self, height: int, width: int, ink: float,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digitCanvas")
        self.rows, self.columns, self.ink = height, width, ink
        self.pixels = [0.0] * (height * width)
        self.setMinimumSize(QSize(8 * width if width > 10 else 24 * width,
                                  8 * height if height > 10 else 24 * height))
        self.setToolTip("Draw with the left button, erase with the right.")

    def values(self) -> list[float]:
        return list(self.pixels)

    def clear(self) -> None:
        self.pixels = [0.0] * len(self.pixels)
        self.update()
        self.drawn.emit()

    def set_values(self, values: list[float]) -> None:
        self.pixels = [max(0.0, min(self.ink, float(v))) for v in values]
        self.update()
        self.drawn.emit()

    def _cell(self) -> float:
        return min(self.width() / self.columns, self.height() / self.rows)

    def paint_at(self, point: QPoint, erase: bool = False) -> None:
        """Ink the pixel under `point` fully and its four neighbours half (a pen)."""
        size = self._cell()
        row, column = int(point.y() // size), int(point.x() // size)
        if not (0 <= row < self.rows and 0 <= column < self.columns):
            return
        if erase:
            self.pixels[row * self.columns + column] = 0.0
        else:
            for dr, dc, share in ((0, 0, 1.0), (-1, 0, 0.5), (1, 0, 0.5), (0, -1, 0.5),
                                  (0, 1, 0.5)):
                r, c = row + dr, column + dc
                if 0 <= r < self.rows and 0 <= c < self.columns:
                    index = r * self.columns + c
                    self.pixels[index] = max(self.pixels[index], share * self.ink)
        self.update()
        self.drawn.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.paint_at(event.position().toPoint(),
                      event.button() == Qt.MouseButton.RightButton)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & (Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton):
            self.paint_at(event.position().toPoint(),
                          bool(event.buttons() & Qt.MouseButton.RightButton))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        size = self._cell()
        painter.fillRect(QRect(0, 0, int(size * self.columns), int(size * self.rows)),
                         QColor("black"))
        for index, value in enumerate(self.pixels):
            if value <= 0:
                continue
            level = int(255 * value / self.ink)
            row, column = divmod(index, self.columns)
            painter.fillRect(QRect(int(column * size), int(row * size), int(size) + 1,
                                   int(size) + 1), QColor(level, level, level))
        painter.end()


class PredictView(QWidget):
    rowChanged = Signal(list)  # the raw feature values, in the model's column order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("predictView")
        self.fields: list[QDoubleSpinBox] = []
        self.canvas: DigitCanvas | None = None
        self.bars: dict[str, QProgressBar] = {}
        layout = QHBoxLayout(self)
        self.inputs_box = QWidget()
        self.inputs_layout = QVBoxLayout(self.inputs_box)
        self.inputs_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.inputs_box)
        layout.addWidget(scroll, 1)
        output = QWidget()
        column = QVBoxLayout(output)
        self.answer = QLabel(objectName="predictAnswer")
        self.answer.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel(objectName="predictNote", wordWrap=True)
        self.bars_box = QWidget()
        self.bars_layout = QGridLayout(self.bars_box)
        column.addWidget(QLabel("Prediction"))
        column.addWidget(self.answer)
        column.addWidget(self.bars_box)
        column.addWidget(self.note)
        column.addStretch(1)
        layout.addWidget(output, 1)
        self.empty = QLabel("Train the network (or open a trained session), then type "
                            "values here.", wordWrap=True)
        self.inputs_layout.addWidget(self.empty)

    # ------------------------------------------------------------ set-up
    def set_inputs(self, names: tuple[str, ...], image: tuple[int, int] | None = None,
                   ink: float = 1.0, start: list[float] | None = None) -> None:
        """One field per column (or a canvas for images), set to `start` values."""
        self._clear_inputs()
        if image is not None:
            self.canvas = DigitCanvas(image[0], image[1], ink)
            self.canvas.drawn.connect(self._emit_row)
            clear = QPushButton("Clear", objectName="predictClear")
            clear.clicked.connect(self.canvas.clear)
            self.inputs_layout.addWidget(QLabel("Draw a digit:"))
            self.inputs_layout.addWidget(self.canvas, 1)
            self.inputs_layout.addWidget(clear)
        elif len(names) > MAX_FIELDS:
            self.inputs_layout.addWidget(QLabel(
                f"This model reads {len(names):,} columns: predict a CSV file of rows "
                "with `playground predict` instead.", wordWrap=True))
        else:
            form = QFormLayout()
            for index, name in enumerate(names):
                field = QDoubleSpinBox(objectName=f"predictField{index}", decimals=4,
                                       minimum=-1e9, maximum=1e9, singleStep=0.1)
                field.setValue(start[index] if start else 0.0)
                field.valueChanged.connect(self._emit_row)
                form.addRow(name, field)
                self.fields.append(field)
            holder = QWidget()
            holder.setLayout(form)
            self.inputs_layout.addWidget(holder)
            self.inputs_layout.addStretch(1)
        if start is not None and self.canvas is not None:
            self.canvas.set_values(start)

    def _clear_inputs(self) -> None:
        while self.inputs_layout.count():
            item = self.inputs_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.fields, self.canvas = [], None

    def values(self) -> list[float]:
        if self.canvas is not None:
            return self.canvas.values()
        return [field.value() for field in self.fields]

    def _emit_row(self, *_: object) -> None:
        self.rowChanged.emit(self.values())

    # ------------------------------------------------------------ output
    def show_output(self, answer: str, scores: list[tuple[str, float]],
                    note: str = "") -> None:
        """The predicted class or value, and a bar per class (probabilities, 0 to 1)."""
        self.answer.setText(answer)
        self.note.setText(note)
        names = [name for name, _ in scores]
        if names != list(self.bars):
            while self.bars_layout.count():
                item = self.bars_layout.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()
            self.bars = {}
            for row, name in enumerate(names):
                bar = QProgressBar(objectName=f"predictBar{row}", maximum=1000)
                bar.setFormat("%p%")
                self.bars_layout.addWidget(QLabel(name), row, 0)
                self.bars_layout.addWidget(bar, row, 1)
                self.bars[name] = bar
        for name, value in scores:
            self.bars[name].setValue(int(round(1000 * max(0.0, min(1.0, value)))))
