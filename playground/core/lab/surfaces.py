"""The catalogue of 2-D surfaces for the optimizer race.

Each surface is a formula in the safe expression language (so the catalogue and a typed
function go through the same parser and the same torch evaluation), with the window that
shows it well, a start point that makes a good race, and its known minima where there
are any. The six of lilipads/gradient_descent_viz are its formulas, rewritten here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import PlaygroundError
from ..limits import quoted
from .expr import Expression, parse_expression

MIN_CONDITION, MAX_CONDITION = 1.0, 1000.0


class SurfaceError(PlaygroundError, ValueError):
    """An unknown surface or a bad surface parameter."""


@dataclass(frozen=True)
class Surface:
    name: str
    label: str
    formula: str
    description: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()   # known global minima, if any
    min_value: float | None = None                 # f at the global minimum

    @cached_property
    def expression(self) -> Expression:  # parsed once per surface
        return parse_expression(self.formula, ("x", "y"))


def _bowl(condition: float) -> Surface:
    return Surface("bowl", "Quadratic bowl",
                   f"0.5*(x**2 + {condition:g}*y**2)",
                   "A bowl whose curvature is `condition` times larger along y than "
                   "along x: the larger the condition number, the more plain gradient "
                   "descent zig-zags across the narrow direction while crawling along "
                   "the wide one.", (-3.0, 3.0), (-3.0, 3.0), (-2.5, 2.0),
                   ((0.0, 0.0),), 0.0)


_GDV = "(from lilipads/gradient_descent_viz)"
_CATALOGUE = (
    Surface("valley", "Elongated valley", "5*(x - y)**2 + 0.05*(x + y)**2",
            "A long narrow valley running diagonally: steep walls, a gentle floor. "
            "Momentum builds speed along the floor; plain descent bounces between the "
            "walls.", (-3.0, 3.0), (-3.0, 3.0), (-2.5, -1.0), ((0.0, 0.0),), 0.0),
    Surface("saddle", "Saddle", "x**2 - y**2",
            "Curves up along x and down along y: a start on the ridge (y = 0) sees no "
            "push sideways, and a tiny one grows slowly, so descent lingers there.",
            (-2.0, 2.0), (-2.0, 2.0), (-1.8, 0.01)),
    Surface("rosenbrock", "Rosenbrock", "(1 - x)**2 + 100*(y - x**2)**2",
            "A curved banana-shaped valley: easy to reach, slow to follow to its "
            "minimum at (1, 1).", (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0),
            ((1.0, 1.0),), 0.0),
    Surface("beale", "Beale",
            "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
            "Flat regions and sharp ridges; the minimum is at (3, 0.5).",
            (-4.5, 4.5), (-4.5, 4.5), (1.0, 1.5), ((3.0, 0.5),), 0.0),
    Surface("himmelblau", "Himmelblau", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
            "Four equal minima: which one an optimizer finds depends on where it "
            "starts and how it moves.", (-5.0, 5.0), (-5.0, 5.0), (0.0, 0.0),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
             (3.584428, -1.848126)), 0.0),
    Surface("camel", "Six-hump camel",
            "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2",
            "Six humps, two global minima and several local ones.",
            (-2.0, 2.0), (-1.0, 1.0), (-1.5, 0.8),
            ((0.0898, -0.7126), (-0.0898, 0.7126)), -1.031628453),
    Surface("plateau", "Plateau", "1 - exp(-(x**2 + y**2)/2)",
            "Almost flat far from the centre: the gradient is tiny, so plain descent "
            "barely moves while adaptive methods rescale the small gradient.",
            (-5.0, 5.0), (-5.0, 5.0), (-4.0, 3.5), ((0.0, 0.0),), 0.0),
    Surface("rastrigin", "Rastrigin",
            "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
            "A bowl covered in a regular grid of local minima: most optimizers stop in "
            "the nearest dimple.", (-5.12, 5.12), (-5.12, 5.12), (-4.5, 4.2),
            ((0.0, 0.0),), 0.0),
    Surface("gdv_local_minimum", "Local minimum",
            "-2*exp(-((x - 1)**2 + (1.4*y)**2)/0.2) - 6*exp(-((x + 1)**2 + (1.4*y)**2)/0.2)"
            " + x**2 + (1.4*y)**2",
            f"A shallow minimum beside a deep one {_GDV}.", (-2.0, 2.0), (-2.0, 2.0),
            (1.75, 1.5)),
    Surface("gdv_global_minimum", "Global minimum", "x**2 + y**2",
            f"A round bowl: every method finds the one minimum {_GDV}.",
            (-2.0, 2.0), (-2.0, 2.0), (1.5, 1.5), ((0.0, 0.0),), 0.0),
    Surface("gdv_saddle", "Saddle point (sin x + y\u00b2)", "sin(x) + y**2",
            f"A saddle that slopes away forever along x {_GDV}.",
            (-2.0, 2.0), (-2.0, 2.0), (1.75, 1.5)),
    Surface("gdv_elliptic_bowl", "Elliptic bowl",
            "-exp(-((x/2)**2 + 5*(y/2)**2)) + (x/2)**2 + 0.5*(y/2)**2",
            f"A bowl steeper along one axis, with a dip at its centre {_GDV}.",
            (-2.0, 2.0), (-2.0, 2.0), (1.75, 1.5), ((0.0, 0.0),), -1.0),
    Surface("gdv_hills", "Hills",
            "2*exp(-((x - 1)**2 + (1.4*y)**2)/0.2) + 6*exp(-((x + 1)**2 + (1.4*y)**2)/0.2)"
            " - 2*exp(-((x - 1)**2 + (1.4*y + 1)**2)/0.2) + x**2 + (1.4*y)**2",
            f"Two hills to go around and a hollow to fall into {_GDV}.",
            (-2.0, 2.0), (-2.0, 2.0), (1.75, 1.5)),
    Surface("gdv_plateau", "Ripple plateau",
            "-sin(sqrt((10*x)**2 + (10*y)**2) + 0.01)/(sqrt((10*x)**2 + (10*y)**2) + 0.01)"
            " + 0.01*((10*x)**2 + (10*y)**2)",
            f"Ripples around a central well on a nearly flat plain {_GDV}.",
            (-2.0, 2.0), (-2.0, 2.0), (1.75, 1.5)),
)
# gdv_plateau: the original is r = sqrt(...) + 0.01, -sin(r)/r + 0.01 r^2; we keep its
# shape with the same offset inside the sine so the centre stays finite and smooth.

SURFACES: dict[str, Surface] = {"bowl": _bowl(10.0),
                                **{surface.name: surface for surface in _CATALOGUE}}


def surface(name: str, condition: float = 10.0) -> Surface:
    """The named surface; the bowl takes its condition number (1 to 1000)."""
    if name == "bowl":
        if not (isinstance(condition, (int, float)) and
                MIN_CONDITION <= condition <= MAX_CONDITION):
            raise SurfaceError(f"The condition number must be between {MIN_CONDITION:g} "
                               f"and {MAX_CONDITION:g}, not {quoted(condition)}.")
        return _bowl(float(condition))
    try:
        return SURFACES[name]
    except KeyError:
        raise SurfaceError(f"Unknown surface {quoted(name)}; choose one of "
                           f"{', '.join(SURFACES)}, or type a function of x and y.") from None


def typed_surface(formula: str, x_range: tuple[float, float] = (-3.0, 3.0),
                  y_range: tuple[float, float] = (-3.0, 3.0)) -> Surface:
    """A surface from a typed function of x and y (checked by the safe parser)."""
    parse_expression(formula, ("x", "y"))
    start = (x_range[0] + 0.8 * (x_range[1] - x_range[0]),
             y_range[0] + 0.8 * (y_range[1] - y_range[0]))
    return Surface("typed", "Typed function", formula.strip(), "Your own function.",
                   x_range, y_range, start)


def grid_values(surf: Surface, resolution: int = 160) -> tuple:
    """f over the surface's window as a (resolution x resolution) numpy array, with the
    x and y sample positions; rows follow x, columns y (pyqtgraph's image layout)."""
    xs = np.linspace(*surf.x_range, resolution)
    ys = np.linspace(*surf.y_range, resolution)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    return xs, ys, surf.expression.values(gx, gy)


def nearest_minimum_distance(surf: Surface, point: tuple[float, float]) -> float:
    if not surf.minima:
        return math.nan
    return min(math.dist(point, m) for m in surf.minima)
