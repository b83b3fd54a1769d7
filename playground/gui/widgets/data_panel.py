"""DataPanel: the data set, its parameters, split and scaling, with a live preview
(scatter for 2-D and 1-D sets, sample images for image sets, a table otherwise).

It renders the data part of the session spec and emits only that part, as an edit
({"data": DataSpec}, what changed in words); see gui.session_model."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea,
                               QSizePolicy,
                               QSlider, QSpinBox, QStackedWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.data import DATASETS, drawn, load_dataset
from ...core.data.downloads import is_downloaded
from ...core.data.features import FEATURES
from ...core.errors import PlaygroundError
from ...core.spec import SCALINGS, TASKS, DataSpec
from .. import settings
from .data_drawing import DrawingTools

SCALING_HELP = ("Feature scaling, fitted on the training rows only: standardisation "
                "(mean 0, spread 1) makes gradient descent converge much faster than raw "
                "features of different sizes.")


class DataPanel(QWidget):
    edited = Signal(object, str)  # {"data": DataSpec}, what changed in words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec = DataSpec()
        self._previewed: DataSpec | None = None
        self.class_colors: tuple[str, ...] = ("#f97316", "#2563eb", "#16a34a", "#9333ea",
                                              "#dc2626", "#0891b2", "#ca8a04", "#db2777")
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self._choice_box())
        layout.addWidget(self._split_box())
        self.preview = QStackedWidget(objectName="dataPreview")
        self.preview.setMinimumHeight(220)
        # The preview takes the width it is given: it never widens the dock.
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.scatter = pg.PlotWidget()
        self.scatter.setMinimumHeight(220)
        self.scatter.setMenuEnabled(False)
        self.images = pg.GraphicsLayoutWidget()
        self.table = QTableWidget()
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        for widget in (self.scatter, self.images, self.table, self.message):
            self.preview.addWidget(widget)
        layout.addWidget(self.preview, 1)
        self.drawing = DrawingTools(self.scatter)
        self.drawing.set_class_colors(self.class_colors)
        self.drawing.edited.connect(self._on_drawing_edited)
        for tool in (self.drawing.draw, self.drawing.erase):
            tool.toggled.connect(lambda on: on and self._bring_canvas_into_view())
        self._choice_form.addRow(self.drawing)  # last: right above the canvas

    def _choice_box(self) -> QGroupBox:
        box = QGroupBox("Data set")
        form = QFormLayout(box)
        self.dataset = QComboBox(objectName="datasetCombo", minimumContentsLength=18)
        self.dataset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for info in DATASETS.values():
            kind = "you draw it" if info.name == drawn.NAME else f"{info.task}, {info.source}"
            self.dataset.addItem(f"{info.name}  ({kind})", info.name)
            self.dataset.setItemData(self.dataset.count() - 1, info.description,
                                     Qt.ItemDataRole.ToolTipRole)
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        form.addRow(self.dataset)
        self.description = QLabel(objectName="datasetDescription", wordWrap=True)
        form.addRow(self.description)
        self.error = QLabel(objectName="dataError", wordWrap=True)
        self.error.setStyleSheet("color: #dc2626;")
        self.error.hide()
        form.addRow(self.error)
        file_row = QHBoxLayout()
        self.open_file = QPushButton("Open file\u2026", objectName="openDataFile")
        self.open_file.setToolTip("Import a CSV, NPZ (arrays X and y) or IDX file.")
        self.open_file.clicked.connect(self._on_open_file_clicked)
        self.target = QLineEdit(objectName="targetColumn", placeholderText="last column")
        self.target.setToolTip("The column to predict (name or number; empty: the last).")
        self.target.editingFinished.connect(self._emit)
        file_row.addWidget(self.open_file)
        file_row.addWidget(QLabel("target"))
        file_row.addWidget(self.target, 1)
        self.file_row = QWidget()
        self.file_row.setLayout(file_row)
        form.addRow(self.file_row)
        self.samples = QSpinBox(objectName="samples", minimum=10, maximum=1_000_000,
                                singleStep=50, keyboardTracking=False)
        self.samples.setToolTip("Number of points generated.")
        form.addRow("samples", self.samples)
        self.noise = QSlider(Qt.Orientation.Horizontal, objectName="noise")
        self.noise.setRange(0, 50)
        self.noise.setToolTip("Noise added to the points, 0 to 50%: the harder the data, "
                              "the more the network must generalise rather than memorise.")
        form.addRow("noise", self.noise)
        self.classes = QSpinBox(objectName="classes", minimum=2, maximum=8,
                                keyboardTracking=False)
        self.classes.setToolTip("Number of classes (blobs and spirals).")
        form.addRow("classes", self.classes)
        self.inputs_box = QWidget()
        grid = QGridLayout(self.inputs_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.inputs: dict[str, QCheckBox] = {}
        for position, (name, (label, _)) in enumerate(FEATURES.items()):
            check = QCheckBox(label, objectName=f"input_{name}")
            check.setToolTip("Feed this engineered feature to the network: with x\u2081x\u2082 "
                             "a single unit separates xor.")
            check.toggled.connect(self._emit)
            self.inputs[name] = check
            grid.addWidget(check, position // 3, position % 3)
        form.addRow("inputs", self.inputs_box)
        self.note = QLabel(objectName="dataNote", wordWrap=True)
        self.note.setToolTip("Why some settings are not shown for this data set.")
        form.addRow(self.note)
        self._choice_form = form
        self.seed = QSpinBox(objectName="dataSeed", maximum=2**31 - 1, keyboardTracking=False)
        self.seed.setToolTip("Seed of data generation and of the split: same seed, same data.")
        self.regenerate = QPushButton("Regenerate", objectName="regenerateData")
        self.regenerate.setToolTip("Draw a new sample of this synthetic set (the next data "
                                   "seed); Undo brings the previous one back.")
        self.regenerate.clicked.connect(self._on_regenerate_clicked)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.regenerate)
        form.addRow("seed", seed_row)
        for widget in (self.samples, self.classes, self.seed):
            widget.valueChanged.connect(self._emit)
        # A drag is one change, made when the slider is let go; keys and clicks at once.
        self.noise.valueChanged.connect(lambda _: None if self.noise.isSliderDown()
                                        else self._emit())
        self.noise.sliderReleased.connect(self._emit)
        return box

    def _split_box(self) -> QGroupBox:
        box = QGroupBox("Split and scaling")
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.split = []
        for name, tip in (("train", "Rows the network learns from."),
                          ("validation", "Rows watched every epoch to see overfitting."),
                          ("test", "Rows kept aside and scored once, at the end.")):
            spin = QSpinBox(objectName=f"split_{name}", maximum=100, suffix="%",
                            keyboardTracking=False)
            spin.setToolTip(tip)
            spin.valueChanged.connect(self._emit)
            label = QLabel("val" if name == "validation" else name)
            label.setToolTip(tip)
            row.addWidget(label)
            row.addWidget(spin, 1)
            self.split.append(spin)
        form.addRow(row)
        self.scaling = QComboBox(objectName="scalingCombo")
        self.scaling.addItems(list(SCALINGS))
        self.scaling.setToolTip(SCALING_HELP)
        self.scaling.currentTextChanged.connect(self._emit)
        form.addRow("scaling", self.scaling)
        self.file_options = QWidget()
        options = QHBoxLayout(self.file_options)
        options.setContentsMargins(0, 0, 0, 0)
        self.task = QComboBox(objectName="taskCombo")
        for task in TASKS:
            self.task.addItem("task: automatic" if task == "auto" else f"task: {task}", task)
        self.task.setToolTip("What the target is: inferred from the file (text or few whole "
                             "numbers: classes; other numbers: regression), or set here.")
        self.task.currentIndexChanged.connect(self._emit)
        self.drop_missing = QCheckBox("drop rows with missing values",
                                      objectName="dropMissing")
        self.drop_missing.setToolTip("A file with empty cells is refused unless rows with a "
                                     "missing value are dropped.")
        self.drop_missing.toggled.connect(self._emit)
        options.addWidget(self.task)
        options.addWidget(self.drop_missing, 1)
        form.addRow(self.file_options)
        return box

    # ------------------------------------------------------------- the spec
    def set_spec(self, spec: DataSpec) -> None:
        self._spec = spec
        widgets = [self.dataset, self.samples, self.noise, self.classes, self.seed,
                   self.scaling, self.target, self.task, self.drop_missing, *self.split,
                   *self.inputs.values()]
        for widget in widgets:
            widget.blockSignals(True)
        self.dataset.setCurrentIndex(self.dataset.findData(spec.name))
        self.samples.setValue(spec.samples)
        self.noise.setValue(round(spec.noise * 100))
        self.classes.setValue(spec.classes)
        self.seed.setValue(spec.seed)
        self.scaling.setCurrentText(spec.scaling)
        self.target.setText(spec.target)
        self.task.setCurrentIndex(max(0, self.task.findData(spec.task)))
        self.drop_missing.setChecked(spec.missing == "drop")
        for spin, part in zip(self.split, spec.split):
            spin.setValue(round(part * 100))
        for name, check in self.inputs.items():
            check.setChecked(name in spec.inputs if spec.inputs else name in ("x1", "x2"))
        for widget in widgets:
            widget.blockSignals(False)
        self._show_relevant_controls()
        self.regenerate.setEnabled(DATASETS[spec.name].source == "synthetic"
                                   and spec.name != drawn.NAME)
        self.drawing.sync(spec)
        if spec != self._previewed:  # reading a data set is not free: only when it changed
            entering = self._previewed is None or self._previewed.name != spec.name
            self._previewed = spec
            self._refresh_preview(entering)

    @property
    def spec(self) -> DataSpec:
        return self._spec

    def _read(self) -> DataSpec:
        name = self.dataset.currentData()
        chosen = tuple(n for n, check in self.inputs.items() if check.isChecked())
        parts = [spin.value() for spin in self.split]
        total = sum(parts) or 1
        return dataclasses.replace(
            self._spec, name=name, samples=self.samples.value(), noise=self.noise.value() / 100,
            classes=self.classes.value(), seed=self.seed.value(),
            scaling=self.scaling.currentText(), target=self.target.text().strip(),
            split=tuple(p / total for p in parts), task=self.task.currentData(),
            missing="drop" if self.drop_missing.isChecked() else "fail",
            inputs=() if chosen == ("x1", "x2") else chosen)

    def _on_regenerate_clicked(self) -> None:
        seed = (self._spec.seed + 1) % (self.seed.maximum() + 1)
        self.edited.emit({"data": dataclasses.replace(self._spec, seed=seed)},
                         "a new sample of the data")

    def _emit(self, *_: object) -> None:
        new = self._read()
        if new != self._spec:
            self.edited.emit({"data": new}, "the data")

    def _on_drawing_edited(self, fields: dict, what: str) -> None:
        self.edited.emit({"data": dataclasses.replace(self._spec, **fields)}, what)

    def _on_dataset_changed(self, index: int) -> None:
        name = self.dataset.currentData()
        fresh = DataSpec(name=name, path=self._spec.path if name == "file" else "")
        if name == drawn.NAME:
            fresh = self._drawn_from_current()
        self.edited.emit({"data": dataclasses.replace(fresh, seed=self._spec.seed)},
                         "the data set")

    def _drawn_from_current(self) -> DataSpec:
        """The drawn set starts from the current 2-D set's points (a spiral to edit), or
        from an empty canvas."""
        if not DATASETS[self._spec.name].two_dimensional:
            return DataSpec(drawn.NAME)
        try:
            dataset = load_dataset(dataclasses.replace(self._spec, inputs=()))
        except PlaygroundError:
            return DataSpec(drawn.NAME)
        task = "regression" if dataset.task == "regression" else "auto"
        return DataSpec(drawn.NAME, task=task,
                        points=drawn.points_from(dataset.X, dataset.y, task, self._spec.seed))

    def set_class_colors(self, colors: tuple[str, ...]) -> None:
        """The theme's class colours, for the points and the Draw mode's classes."""
        self.class_colors = tuple(colors)
        self.drawing.set_class_colors(self.class_colors)
        if self._previewed is not None:
            self._refresh_preview(False)

    def _on_open_file_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import data", settings.start_folder(), "Data files (*.csv *.tsv *.txt *.npz *.gz *ubyte *.idx);;"
            "All files (*)")
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        self.edited.emit({"data": DataSpec(name="file", path=path, seed=self._spec.seed)},
                         "the data file")

    def _show_relevant_controls(self) -> None:
        info = DATASETS[self._spec.name]
        self.description.setText(info.description if info.source != "file" or not
                                 self._spec.path else Path(self._spec.path).name)
        hidden, reason = _not_applicable(info)
        rows = {"samples": self.samples, "noise": self.noise, "classes": self.classes,
                "inputs": self.inputs_box}
        for name, widget in rows.items():
            self._choice_form.setRowVisible(widget, name not in hidden)
        self.note.setText(reason)
        self.note.setVisible(bool(reason))
        self.file_row.setVisible(info.source == "file")
        self.file_options.setVisible(info.source == "file")
        self.drawing.setVisible(info.name == drawn.NAME)
        self._place_preview(info.name == drawn.NAME)

    def _place_preview(self, drawing: bool) -> None:
        """The drawn set's canvas comes right under its drawing tools, above the split;
        the other sets' preview stays last, below everything it depends on."""
        where = 1 if drawing else 2
        if self._layout.indexOf(self.preview) != where:
            self._layout.removeWidget(self.preview)
            self._layout.insertWidget(where, self.preview, 1)

    def _bring_canvas_into_view(self) -> None:
        """Scroll the dock so that the drawing tools and the canvas right under them are
        seen: a canvas below the fold takes no strokes. The panel does not
        know the window: it finds the scroll area it sits in, if any."""
        QTimer.singleShot(0, self, self._scroll_to_canvas)  # once the layout has placed it

    def _scroll_to_canvas(self) -> None:
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is None or not self.preview.isVisible():
            return
        self.layout().activate()
        area.ensureWidgetVisible(self.preview, 0, 0)
        area.ensureWidgetVisible(self.drawing, 0, 0)  # the tools win; the canvas follows

    # --------------------------------------------------------------- preview
    def _refresh_preview(self, entering: bool = False) -> None:
        info = DATASETS[self._spec.name]
        self.error.hide()
        if info.name == drawn.NAME:  # the points are in the spec: shown as they are
            self.drawing.show_points(self._spec, entering)
            self.preview.setCurrentWidget(self.scatter)
            if entering:
                self._bring_canvas_into_view()
            return
        if info.source == "download" and not is_downloaded(info.name):
            self._say(f"{info.description}\nNot downloaded yet: Train downloads it once, "
                      "verifies it and keeps it.")
            return
        if info.source == "file" and not self._spec.path:
            self._say("Open a CSV, NPZ or IDX file to train on your own data.")
            return
        try:
            dataset = load_dataset(dataclasses.replace(self._spec, inputs=()))
        except PlaygroundError as exc:
            self._say(str(exc))
            self.error.setText(str(exc))  # up here, next to the choice that caused it
            self.error.show()
            return
        self.error.hide()
        X, y = dataset.preview(300, self._spec.seed)
        if dataset.image_shape:
            self._show_images(X, y, dataset.image_shape)
        elif info.source == "synthetic":
            self._show_scatter(X, y, dataset.task)
        else:
            self._show_table(X, y, dataset.feature_names, dataset.class_names)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.preview.setCurrentWidget(self.message)

    def _show_scatter(self, X: np.ndarray, y: np.ndarray, task: str) -> None:
        self.scatter.clear()
        self.scatter.setAspectLocked(False)  # the drawn set's canvas is square; these fit
        self.scatter.viewport().unsetCursor()  # Draw mode's cross is the drawn set's
        self.scatter.enableAutoRange()
        if X.shape[1] == 1:
            self.scatter.plot(X[:, 0], y[:, 0], pen=None, symbol="o", symbolSize=5,
                              symbolBrush=self.class_colors[1])
        else:
            brushes = [pg.mkBrush(self.class_colors[int(c) % len(self.class_colors)])
                       for c in (y if task != "regression" else (y[:, 0] > np.median(y)))]
            self.scatter.addItem(pg.ScatterPlotItem(X[:, 0], X[:, 1], size=6, brush=brushes,
                                                    pen=None))
        self.preview.setCurrentWidget(self.scatter)

    def _show_images(self, X: np.ndarray, y: np.ndarray, shape: tuple[int, int, int]) -> None:
        self.images.clear()
        for position in range(min(24, len(X))):
            view = self.images.addViewBox(row=position // 8, col=position % 8, lockAspect=True)
            view.setMouseEnabled(False, False)
            image = pg.ImageItem(X[position].reshape(shape[1:]).T[:, ::-1])
            view.addItem(image)
        self.preview.setCurrentWidget(self.images)

    def _show_table(self, X, y, features, classes) -> None:
        rows = min(50, len(X))
        self.table.clear()
        self.table.setRowCount(rows)
        self.table.setColumnCount(X.shape[1] + 1)
        self.table.setHorizontalHeaderLabels(list(features) + ["target"])
        for r in range(rows):
            for c in range(X.shape[1]):
                self.table.setItem(r, c, QTableWidgetItem(f"{X[r, c]:.4g}"))
            target = classes[int(y[r])] if classes else f"{float(np.ravel(y[r])[0]):.4g}"
            self.table.setItem(r, X.shape[1], QTableWidgetItem(target))
        self.preview.setCurrentWidget(self.table)


K_CLASSES = ("blobs", "spirals")


def _not_applicable(info) -> tuple[set[str], str]:
    """The data settings that do not apply to this data set (samples, noise, classes,
    inputs), and why, in a sentence."""
    if info.name == drawn.NAME:
        return ({"samples", "noise", "classes"},
                "Not shown: samples, noise and classes: the drawn set is the points you "
                "draw, in up to 8 classes.")
    if info.source != "synthetic":
        kind = "your file's rows are" if info.source == "file" else \
            f"{info.name} is a fixed table ({info.size.replace(' x ', ' rows, ')} " \
            "columns); its rows are"
        return ({"samples", "noise", "classes", "inputs"},
                f"Not shown: samples, noise, classes and engineered inputs, which only the "
                f"generated 2-D sets have: {kind} used as they are.")
    if not info.two_dimensional:  # sine: one input
        return ({"classes", "inputs"}, f"Not shown: classes and engineered inputs "
                f"(x\u2081\u00b2, x\u2081x\u2082, ...): {info.name} has one input, x, "
                "and a number to predict.")
    if info.name not in K_CLASSES:
        what = "a number to predict" if info.task == "regression" else "two classes"
        return {"classes"}, (f"{info.name} has {what}; the number of classes is set for "
                             f"{' and '.join(K_CLASSES)}.")
    return set(), ""

