"""The catalog a spec is validated against: the data sets and their inputs, the layers,
the optimizers and schedules, and the network's sizes.

Each lives in a module that imports the spec (core.data, core.layers, core.optim,
core.model), so the spec cannot import them back: importing this module gathers them
and hands them to the spec (spec.use_catalog), after which SessionSpec.validate() checks
against them. A module that validates a spec imports this one, or a module that does.
"""
from __future__ import annotations

from .data import DATASETS, input_shape_hint, training_rows_hint
from .data.features import FEATURES
from .layers import LAYERS
from .model import activation_bytes, count_parameters
from .optim import SCHEDULES, optimizer_kind, schedule_kind
from .spec import Catalog, use_catalog

CATALOG = Catalog(datasets=DATASETS, inputs=FEATURES, layers=LAYERS, schedules=SCHEDULES,
                  optimizer_kind=optimizer_kind, schedule_kind=schedule_kind,
                  input_shape=input_shape_hint, training_rows=training_rows_hint,
                  parameters=count_parameters, activation_bytes=activation_bytes)
use_catalog(CATALOG)
