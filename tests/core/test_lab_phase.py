"""Phase diagrams: the simulated regions agree with the analytic bounds
0 < lr*lambda < 2 (plain descent) and < 2 + 2*beta (heavy-ball momentum), away from the
boundaries themselves (where a finite run cannot decide)."""
import numpy as np
import pytest

from playground.core.lab import MoverSpec, Race, surface
from playground.core.lab.phase import (CONVERGE, DIVERGE, OSCILLATE, analytic_code,
                                       gd_phase, heavy_ball_phase, momentum_bound)


@pytest.mark.parametrize("curvature", [1.0, 4.0])
def test_gradient_descent_phases_change_at_1_and_2_over_lambda(curvature):
    h = np.array([0.1, 0.5, 0.9, 1.1, 1.5, 1.9, 2.1, 3.0])
    codes = gd_phase(h / curvature, curvature)
    assert list(codes) == [CONVERGE] * 3 + [OSCILLATE] * 3 + [DIVERGE] * 2


def test_momentum_phase_agrees_with_the_analytic_bound_away_from_it():
    curvature = 2.0
    lrs = np.linspace(0.01, 2.5, 60)
    betas = np.linspace(0.0, 0.9, 19)
    codes = heavy_ball_phase(lrs, betas, curvature)
    bound = momentum_bound(betas, curvature)
    checked = 0
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            if abs(lr - bound[j]) < 0.05 * bound[j]:
                continue  # on the boundary a finite run cannot tell
            stable = lr < bound[j]
            assert (codes[i, j] != DIVERGE) == stable, (lr, beta)
            checked += 1
    assert checked > 900


def test_oscillation_matches_the_characteristic_roots_where_they_are_clear():
    lrs, betas = np.linspace(0.05, 3.5, 30), np.array([0.0, 0.3, 0.6, 0.85])
    codes = heavy_ball_phase(lrs, betas, 1.0)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            roots = np.roots([1.0, -(1 + beta - lr), beta])
            moduli = sorted(abs(roots))
            if abs(moduli[-1] - 1) < 0.05 or (moduli[0] > 0.9 * moduli[-1]
                                               and abs(roots.imag).max() < 1e-9):
                continue  # near-unit or near-equal real roots: a finite run is ambiguous
            assert codes[i, j] == analytic_code(lr, beta, 1.0), (lr, beta)


@pytest.mark.parametrize("lr, beta", [(0.3, 0.0), (1.5, 0.0), (2.5, 0.0), (1.0, 0.5),
                                      (2.8, 0.5), (3.2, 0.5), (0.05, 0.9), (3.9, 0.9)])
def test_the_recurrence_is_what_torch_sgd_does(lr, beta):
    """The phase map's recurrence against our registry's SGD on a 1-D quadratic."""
    name = "momentum" if beta else "sgd"
    params = {"momentum": beta} if beta else {}
    race = Race(surface("bowl", condition=1.0), (1.0, 0.0),
                [MoverSpec(name, lr, params)], steps=300)
    race.run()
    racer = race.racers[0]
    xs = [p[0] for p in racer.path]
    diverged = racer.status == "diverged" or abs(xs[-1]) > 1.0
    crossings = sum(a * b < 0 for a, b in zip(xs[150:], xs[151:]))
    code = DIVERGE if diverged else (OSCILLATE if crossings else CONVERGE)
    assert code == heavy_ball_phase(np.array([lr]), np.array([beta]), 1.0)[0, 0]


def test_lr_of_one_over_lambda_lands_in_one_step_and_counts_as_converged():
    assert gd_phase(np.array([0.5]), 2.0)[0] == CONVERGE
