"""DataContexts: what the panels need to know of the data a spec names.

The layer builder needs the input shape and the head, the optimizer panel the task and
the training rows (its schedule preview's updates per epoch), the curves the task's
metrics. Reading a data set is not free and a data-set switch asks twice (does the
network fit? then the panels' context), so the last answer is kept.
"""
from __future__ import annotations

from typing import NamedTuple

from ..core.data import DATASETS, load_dataset
from ..core.errors import PlaygroundError
from ..core.losses import resolve_head
from ..core.model import check_model
from ..core.spec import DataSpec, SessionSpec


class DataContext(NamedTuple):
    shape: tuple[int, ...]     # one example's input shape
    task: str
    classes: int | None
    name: str
    rows: int | None           # training rows, None where the set is not read yet


class DataContexts:
    def __init__(self) -> None:
        self._last: tuple[DataSpec | None, DataContext | None] = (None, None)

    def of(self, spec: SessionSpec) -> DataContext | None:
        """The context of the data `spec` names, or None where it cannot be read."""
        if self._last[0] == spec.data:
            return self._last[1]
        info = DATASETS[spec.data.name]
        try:
            dataset = load_dataset(spec.data) if info.source != "download" else None
        except PlaygroundError:
            dataset = None
        context = None
        if dataset is not None:
            context = DataContext(dataset.image_shape or (dataset.X.shape[1],),
                                  dataset.task, dataset.n_classes, dataset.info.name,
                                  max(1, round(len(dataset.X) * spec.data.split[0])))
        elif info.image_shape:
            context = DataContext(info.image_shape, info.task, 10, info.name, None)
        self._last = (spec.data, context)
        return context

    def fits(self, spec: SessionSpec) -> bool:
        """Does spec's network take its data's inputs and give its task's outputs?"""
        context = self.of(spec)
        if context is None:
            return True
        try:
            check_model(spec.model, context.shape, resolve_head(
                spec.train.loss, context.task, context.classes, 1, context.name))
        except PlaygroundError:
            return False
        return True
