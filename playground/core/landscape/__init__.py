"""The network's own loss landscape: along the line from its initial weights, and on
planes through its current weights (random, filter-normalised directions, or the
principal directions of its path). Qt-free; see compute.py."""
from .compute import (DEFAULT_POINTS, KINDS, MAX_POINTS, MIN_POINTS, Landscape,
                      LandscapeError, PathPoint, RunWeights, compute, finite_range, landscape,
                      odd_points, read_trainer)
from .evaluate import SAMPLE_ROWS, LossSurface
from .trajectory import WeightTrajectory, flat_weights

__all__ = ["DEFAULT_POINTS", "KINDS", "MAX_POINTS", "MIN_POINTS", "Landscape",
           "LandscapeError", "LossSurface", "PathPoint", "RunWeights", "SAMPLE_ROWS",
           "WeightTrajectory", "compute", "finite_range", "flat_weights", "landscape", "odd_points",
           "read_trainer"]
