import math

import pytest

from playground.core.optim import LRSchedule, planned_lr_curve


def lrs(name, epochs=10, spe=4, warmup=0.0, **params):
    schedule = LRSchedule(name, params, warmup, epochs, spe)
    return [schedule.factor(step) for step in range(epochs * spe)]


def test_constant_is_flat():
    assert set(lrs("constant")) == {1.0}


def test_step_decay_drops_every_step_size_epochs():
    values = lrs("step", step_size=3, gamma=0.5)
    assert values[0] == values[11] == 1.0      # epochs 0-2
    assert values[12] == values[23] == 0.5     # epochs 3-5
    assert values[24] == 0.25


def test_multistep_drops_at_each_milestone():
    values = lrs("multistep", milestones=(2, 5), gamma=0.1)
    assert values[7] == 1.0 and values[8] == pytest.approx(0.1)
    assert values[20] == pytest.approx(0.01)


def test_exponential_multiplies_by_gamma_each_epoch():
    values = lrs("exponential", gamma=0.9)
    assert values[4 * 3] == pytest.approx(0.9 ** 3)


def test_inverse_time_is_the_classic_formula():
    values = lrs("inverse_time", decay=0.5)
    assert values[10] == pytest.approx(1 / (1 + 0.5 * 10))


def test_cosine_runs_from_full_to_floor():
    values = lrs("cosine", min_factor=0.1)
    assert values[0] == 1.0
    assert values[20] == pytest.approx(0.1 + 0.9 * 0.5)
    assert values[-1] == pytest.approx(0.1, abs=0.01)


def test_cosine_warm_restarts_jump_back_up():
    values = lrs("cosine", period=2)
    assert values[7] < 0.1 and values[8] == 1.0


def test_onecycle_rises_then_anneals_far_below_the_base():
    values = lrs("onecycle", pct_start=0.3, div_factor=25, final_div_factor=1e4)
    peak = values.index(max(values))
    assert values[0] == pytest.approx(1 / 25)
    assert 10 <= peak <= 13 and max(values) == pytest.approx(1.0, rel=0.02)
    assert values[-1] < 0.01 and LRSchedule("onecycle", {}, 0, 10, 4).factor(40) < 1e-5


def test_warmup_climbs_linearly_before_the_schedule():
    values = lrs("constant", warmup=2)
    assert values[0] < values[3] < values[7] < 1.0 and values[8] == 1.0
    assert values[1] - values[0] == pytest.approx(values[5] - values[4])


def test_plateau_cuts_after_patience_epochs_without_improvement():
    schedule = LRSchedule("plateau", {"patience": 2, "factor": 0.5}, 0, 10, 1)
    cuts = [schedule.on_epoch_end(loss) for loss in (1.0, 0.9, 0.9, 0.9, 0.9)]
    assert cuts == [False, False, False, False, True]
    assert schedule.factor(5) == 0.5


def test_planned_curve_is_base_lr_times_factor_and_bounded_in_points():
    epochs, rates = planned_lr_curve("step", {"step_size": 1, "gamma": 0.5}, 0.2, 0, 3, 2)
    assert epochs == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    assert rates == [0.2, 0.2, 0.1, 0.1, 0.05, 0.05]
    epochs, _ = planned_lr_curve("cosine", {}, 0.1, 0, 1000, 1000, max_points=500)
    assert len(epochs) <= 500 and math.isclose(epochs[-1], 1000 - 2, abs_tol=2)
