"""See inside the network: layer statistics, histograms and neuron maps (Qt-free)."""
from .callback import InspectCallback
from .grid import Plane, has_plane, make_plane
from .probe import UnitLayer, activations, probe_rows, unit_layers
from .stats import (BINS, DIST_RANGE, GRADIENT_RANGE, MAX_SHOWN, VALUE_RANGE, InputSnapshot,
                    Inspector, LayerSnapshot, Snapshot)

__all__ = ["BINS", "DIST_RANGE", "GRADIENT_RANGE", "MAX_SHOWN", "VALUE_RANGE",
           "InputSnapshot", "InspectCallback", "Inspector", "LayerSnapshot", "Plane",
           "Snapshot", "UnitLayer", "activations", "has_plane", "make_plane", "probe_rows",
           "unit_layers"]
