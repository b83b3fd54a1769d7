"""The lab's runners: the 1-D descent demo, races on our registry's optimizers (checked
step for step against plain torch.optim), gradient noise, live changes and schedules."""
import math

import pytest
import torch

from playground.core.lab import (DescentError, MoverSpec, Race, RaceError, descend,
                                 quadratic_regime, surface)
from playground.core.lab.descent import quadratic_formula
from playground.core.optim import OPTIMIZERS


# ------------------------------------------------------------------ 1-D descent

@pytest.mark.parametrize("curvature", [0.5, 2.0, 8.0])
def test_gradient_descent_on_a_quadratic_converges_below_2_over_L_and_diverges_above(curvature):
    # f = (L/2)(x - 3)^2 + 1: L is the gradient's Lipschitz constant, the minimum at 3.
    function = f"{curvature / 2}*(x - 3)**2 + 1"
    bound = 2.0 / curvature
    for fraction in (0.1, 0.5, 0.75, 0.9):
        result = descend(function, 10.0, fraction * bound, tol=1e-10, max_iter=5000)
        assert result.reason == "converged"
        assert result.x == pytest.approx(3.0, abs=1e-6)
        assert result.f == pytest.approx(1.0, abs=1e-9)
    for fraction in (1.1, 3.0):
        assert descend(function, 10.0, fraction * bound, max_iter=5000).reason == "diverged"


def test_the_records_are_the_introductory_demo():
    result = descend("x**2", 5.0, 0.1, tol=1e-6, max_iter=1000)
    first, second = result.iterations[:2]
    assert (first.iteration, first.x, first.f, first.grad) == (1, 5.0, 25.0, 10.0)
    assert first.step == pytest.approx(-1.0)           # -lr * f'(5)
    assert second.x == pytest.approx(4.0)              # each step multiplies x by 0.8
    assert all(row.x * 0.8 == pytest.approx(nxt.x) for row, nxt in
               zip(result.iterations, result.iterations[1:]))
    assert abs(result.iterations[-1].step) < 1e-6 and result.reason == "converged"


def test_max_iter_stops_the_descent():
    result = descend("x**2", 5.0, 0.001, tol=1e-12, max_iter=7)
    assert (result.reason, len(result.iterations)) == ("max_iter", 7)


@pytest.mark.parametrize("lr, name", [(0.2, "smooth"), (0.5, "one step"),
                                      (0.7, "oscillating"), (1.0, "bouncing"),
                                      (1.3, "diverging")])
def test_the_regimes_of_x_squared(lr, name):
    regime = quadratic_regime(1.0, lr)
    assert regime.name == name and regime.multiplier == pytest.approx(1 - 2 * lr)
    assert regime.sentence.endswith(".")
    rows = descend(quadratic_formula(1.0, 0.0, 0.0), 1.0, lr, tol=0.0, max_iter=3).iterations
    ratio = rows[1].x / rows[0].x
    assert ratio == pytest.approx(regime.multiplier)


@pytest.mark.parametrize("kwargs, words", [
    ({"lr": 0.0}, "learning rate"), ({"lr": -1.0}, "learning rate"),
    ({"tol": -1.0}, "tolerance"), ({"max_iter": 0}, "iterations"),
    ({"start": math.nan}, "start"), ({"max_iter": 10 ** 9}, "iterations"),
])
def test_bad_descent_values_are_one_sentence(kwargs, words):
    args = {"function": "x**2", "start": 1.0, "lr": 0.1, "tol": 1e-6, "max_iter": 10}
    args.update(kwargs)
    with pytest.raises(DescentError, match=words):
        descend(**args)


def test_descent_with_another_optimizer_of_the_registry():
    result = descend("(x - 2)**2", -3.0, 0.1, tol=1e-9, max_iter=5000, optimizer="adam")
    assert result.reason == "converged" and result.x == pytest.approx(2.0, abs=1e-3)


# ------------------------------------------------------------------ races = torch.optim

def _rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def _bowl(p):
    return 0.5 * (p[0] ** 2 + 10.0 * p[1] ** 2)


def _plain_torch_path(name, lr, function, start, steps):
    """The reference: torch.optim's own class with its defaults, no registry."""
    kind = OPTIMIZERS[name]
    defaults = {param.name: param.default for param in kind.params}
    kwargs = kind.torch_kwargs(defaults)
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    if name == "lbfgs":
        search = kwargs.pop("line_search")
        optimizer = torch.optim.LBFGS([point], lr=lr, line_search_fn=search, **kwargs)
    else:
        optimizer = kind.torch_class([point], lr=lr, foreach=False, weight_decay=0.0,
                                     **kwargs)  # the lab has no weight decay

    def closure():
        optimizer.zero_grad()
        loss = function(point)
        loss.backward()
        return loss

    path = [tuple(point.tolist())]
    for _ in range(steps):
        if name == "lbfgs":
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
        path.append(tuple(point.tolist()))
    return path


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("surface_name, function, lr", [
    ("bowl", _bowl, None), ("rosenbrock", _rosenbrock, 1e-3)])
def test_each_registry_optimizer_moves_exactly_as_torch_optim(name, surface_name, function, lr):
    lr = OPTIMIZERS[name].default_lr if lr is None or name in ("adadelta", "lbfgs") else lr
    start, steps = (-1.5, 2.0), 40
    race = Race(surface(surface_name), start, [MoverSpec(name, lr)], steps=steps)
    race.run()
    ours = race.racers[0].path
    reference = _plain_torch_path(name, lr, function, start, steps)
    assert len(ours) == len(reference)
    for mine, theirs in zip(ours, reference):
        assert mine == pytest.approx(theirs, abs=1e-6, rel=1e-6)


def test_records_hold_the_internals_and_the_actual_step():
    race = Race(surface("bowl"), (2.0, 1.0), [MoverSpec("momentum", 0.05),
                                              MoverSpec("adam", 0.1),
                                              MoverSpec("adagrad", 0.1),
                                              MoverSpec("rmsprop", 0.01)], steps=5)
    race.run()
    momentum, adam, adagrad, rmsprop = race.racers
    first = momentum.records[0]
    assert first.grad == pytest.approx((2.0, 10.0))    # grad of 0.5(x^2 + 10 y^2)
    assert first.internals["momentum_buffer"] == pytest.approx(first.grad)
    assert first.update == pytest.approx((-0.1, -0.5))
    assert set(adam.records[-1].internals) == {"exp_avg", "exp_avg_sq"}
    assert adagrad.records[0].internals["sum"] == pytest.approx((4.0, 100.0))
    assert "square_avg" in rmsprop.records[0].internals
    for racer in race.racers:
        for record, before, after in zip(racer.records, racer.path, racer.path[1:]):
            assert record.position == before
            assert record.update == pytest.approx(tuple(a - b for a, b in zip(after, before)))


def test_noise_is_seeded_and_the_same_for_every_racer():
    def run(seed):
        race = Race(surface("bowl"), (2.0, 1.0), [MoverSpec("sgd", 0.01),
                                                  MoverSpec("sgd", 0.01)],
                    steps=20, noise=1.0, seed=seed)
        race.run()
        return race.racers
    a, b = run(3)
    assert a.path == b.path                           # same seed, same draws
    assert run(3)[0].path == a.path
    assert run(4)[0].path != a.path
    clean = Race(surface("bowl"), (2.0, 1.0), [MoverSpec("sgd", 0.01)], steps=20)
    clean.run()
    assert clean.racers[0].path != a.path


def test_live_changes_of_lr_and_hyperparameters_take_effect_at_the_next_step():
    race = Race(surface("bowl"), (2.0, 1.0), [MoverSpec("momentum", 0.05)], steps=10)
    race.step()
    mover = race.racers[0].mover
    mover.set_lr(0.01)
    mover.set_params({"momentum": 0.0})
    race.step()
    record = race.racers[0].records[-1]
    assert record.lr == 0.01
    assert record.update == pytest.approx(tuple(-0.01 * g for g in record.grad))


def test_a_schedule_of_the_registry_scales_the_rate():
    spec = MoverSpec("sgd", 0.1, schedule="inverse_time", schedule_params={"decay": 1.0})
    race = Race(surface("bowl"), (2.0, 1.0), [spec], steps=3)
    race.run()
    assert [r.lr for r in race.racers[0].records] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_a_diverging_racer_stops_and_the_others_go_on():
    race = Race(surface("bowl"), (2.0, 1.0), [MoverSpec("sgd", 5.0), MoverSpec("sgd", 0.01)],
                steps=200)
    race.run()
    wild, calm = race.racers
    assert wild.status == "diverged" and len(wild.records) < 200
    assert calm.status == "running" and len(calm.records) == 200


def test_steps_to_reach_the_minimum_are_counted():
    race = Race(surface("bowl", condition=1.0), (1.0, 1.0), [MoverSpec("sgd", 1.0)],
                steps=10, tol=1e-9)
    race.run()
    assert race.racers[0].reached_at == 1   # lr = 1/L lands on the minimum in one step


@pytest.mark.parametrize("kwargs, words", [
    ({"start": (math.inf, 0.0)}, "start"), ({"racers": []}, "at least one"),
    ({"steps": 0}, "steps"), ({"noise": -1.0}, "noise"),
    ({"racers": [MoverSpec("sgd", -0.1)]}, "learning rate"),
])
def test_bad_race_values_are_one_sentence(kwargs, words):
    args = {"surface": surface("bowl"), "start": (1.0, 1.0),
            "racers": [MoverSpec("sgd", 0.1)], "steps": 10}
    args.update(kwargs)
    with pytest.raises(RaceError, match=words):
        Race(**args)


def test_a_race_can_keep_only_its_latest_records():
    race = Race(surface("bowl"), (2.0, 1.0), [MoverSpec("adam", 0.1)], steps=50,
                keep_records=1)
    race.run()
    racer = race.racers[0]
    assert racer.steps == 50 and len(racer.records) == 1 and len(racer.path) == 51
    assert racer.records[-1].step == 49
