"""The optimizer lab: safe typed functions, a catalogue of 2-D surfaces, the 1-D descent
demo, optimizer races on our registry's optimizers, and phase diagrams. Qt-free."""
from .descent import Descent, DescentError, DescentResult, Iteration, descend, quadratic_regime
from .expr import Expression, ExpressionError, parse_expression
from .mover import Mover, MoverSpec, StepRecord
from .race import Race, RaceError
from .surfaces import SURFACES, Surface, SurfaceError, surface, typed_surface

__all__ = ["Descent", "DescentError", "DescentResult", "Iteration", "descend", "quadratic_regime",
           "Expression", "ExpressionError", "parse_expression", "Mover", "MoverSpec",
           "StepRecord", "Race", "RaceError", "SURFACES", "Surface", "SurfaceError",
           "surface", "typed_surface"]
