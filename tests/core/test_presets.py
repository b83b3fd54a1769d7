"""The presets: each claim judged by a pure function of the summary table (tested on
crafted tables), the plans that make a comparison fair (seeds, a tuned lr per variant),
and the textbook claims end to end on the fast presets, with margins wide enough for any
CPU. The slow presets' verdicts on 3 seeds are measured by tests/bench/bench_presets.py.
"""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from playground.core.errors import SpecError
from playground.core.experiments.presets import PRESETS, preset
from playground.core.experiments.sweep import LR_FACTORS, plan_sweep, run_sweep


def shortened(name, epochs, seeds=1):
    item = preset(name)
    base = item.base()
    return item.plan(dataclasses.replace(base, train=dataclasses.replace(
        base.train, epochs=epochs)), seeds=seeds)


def row(seeds=3, **values):
    """A crafted summary row: values, with spreads of 0 and every seed reaching."""
    out = {"seeds": seeds, "diverged": 0, "name": ", ".join(f"{k}={v}" for k, v in
                                                            values.items()
                                                            if not isinstance(v, float)
                                                            or k in ("l2", "dropout"))}
    for key, value in values.items():
        out[key] = value
        if isinstance(value, float):
            out[f"{key}_sd"] = 0.0
        if key.endswith("_to_target"):
            out[f"{key}_reached"] = seeds if value is not None else 0
    return out


# --------------------------------------------------------------- verdicts, crafted
CRAFTED = {
    "optimizers": (
        [row(optimizer="sgd", lr=0.1, loss=0.6), row(optimizer="momentum", lr=0.05, loss=0.3),
         row(optimizer="rmsprop", lr=0.001, loss=0.2), row(optimizer="adam", lr=0.01,
                                                           loss=0.1)],
        [row(optimizer="sgd", lr=0.1, loss=0.2), row(optimizer="momentum", lr=0.05, loss=0.3),
         row(optimizer="rmsprop", lr=0.001, loss=0.1), row(optimizer="adam", lr=0.01,
                                                           loss=0.1)],
        "well conditioned"),
    "init": (
        [row(init="zeros", loss=0.693), row(init="default", loss=0.69),
         row(init="he_normal", loss=0.3)],
        [row(init="zeros", loss=0.693), row(init="default", loss=0.2),
         row(init="he_normal", loss=0.3)],
        "not deep enough"),
    "batch_size": (
        [row(batch_size=1, seconds=2.0, epoch_to_target=2),
         row(batch_size=32, seconds=0.1, epoch_to_target=2),
         row(batch_size="full", seconds=0.05, epoch_to_target=5)],
        [row(batch_size=1, seconds=2.0, epoch_to_target=2),
         row(batch_size=32, seconds=0.1, epoch_to_target=5),
         row(batch_size="full", seconds=0.05, epoch_to_target=5)],
        "one exact step an epoch was enough"),
    "iterations": (
        [row(batch_size=1, updates_to_target=800, epoch_to_target=2),
         row(batch_size="full", updates_to_target=12, epoch_to_target=12)],
        [row(batch_size=1, updates_to_target=8, epoch_to_target=2),
         row(batch_size="full", updates_to_target=12, epoch_to_target=12)],
        "noise of small batches cost nothing"),
    "lr": (
        [row(lr=0.001, loss=0.6), row(lr=0.01, loss=0.4), row(lr=0.1, loss=0.3),
         row(lr=1.0, loss=math.nan, diverged=3)],
        [row(lr=0.001, loss=0.6), row(lr=0.01, loss=0.4), row(lr=0.1, loss=0.3)],
        "No lr in the sweep is 10x above the best"),
    "momentum": (
        [row(momentum=0.0, update_norm=0.01), row(momentum=0.9, update_norm=0.04)],
        [row(momentum=0.0, update_norm=0.05), row(momentum=0.9, update_norm=0.04)],
        "overshot"),
    "activation": (
        [row(activation="linear", loss=0.66), row(activation="relu", loss=0.05),
         row(activation="sigmoid", loss=0.5)],
        [row(activation="linear", loss=0.66), row(activation="relu", loss=0.05),
         row(activation="sigmoid", loss=0.7)],
        "too small or too short"),
    "regularisation": (
        [row(l2=0.0, dropout=0.0, accuracy=1.0, test_accuracy=0.95),
         row(l2=0.01, dropout=0.5, accuracy=0.95, test_accuracy=0.95)],
        [row(l2=0.0, dropout=0.0, accuracy=0.95, test_accuracy=0.95),
         row(l2=0.01, dropout=0.5, accuracy=0.99, test_accuracy=0.93)],
        "did not overfit"),
    "scaling": (
        [row(scaling="none", epoch_to_target=None, loss=0.55),
         row(scaling="standard", epoch_to_target=2, loss=0.05)],
        [row(scaling="none", epoch_to_target=2, loss=0.05),
         row(scaling="standard", epoch_to_target=2, loss=0.05)],
        "Raw features kept up"),
    "epochs": (
        [row(l2=0.0, epochs=100, best_val_epoch=13.0, val_loss_min=0.4, val_loss=1.1,
             loss=0.1)],
        [row(l2=0.0, epochs=100, best_val_epoch=97.0, val_loss_min=0.4, val_loss=0.41,
             loss=0.1)],
        "did not overfit"),
}


def test_every_preset_has_crafted_tables():
    assert set(CRAFTED) == set(PRESETS)


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_verdict_agrees_on_a_table_that_shows_the_claim_and_says_why_not_otherwise(name):
    agreeing, disagreeing, why = CRAFTED[name]
    item = PRESETS[name]
    yes = item.verdict(agreeing)
    assert yes.agrees and yes.reason == "" and yes.claim == item.claim
    assert any(ch.isdigit() for ch in yes.evidence)  # the numbers that decided it
    no = item.verdict(disagreeing)
    assert not no.agrees and why in no.reason
    record = no.to_record()
    assert record["event"] == "verdict" and record["preset"] == name
    assert record["agrees"] is False and record["evidence"] == no.evidence


def test_a_table_without_the_rows_the_claim_compares_is_no_agreement():
    verdict = PRESETS["optimizers"].verdict([row(optimizer="adam", lr=0.01, loss=0.1)])
    assert not verdict.agrees and "optimizer=sgd row" in verdict.evidence


def test_a_target_reached_by_only_some_seeds_counts_as_not_reached():
    partly = row(scaling="standard", epoch_to_target=2, loss=0.05)
    partly["epoch_to_target_reached"] = 2
    verdict = PRESETS["scaling"].verdict([row(scaling="none", epoch_to_target=20, loss=0.5),
                                          partly])
    assert not verdict.agrees and "reached by 2 of 3 seeds" in verdict.evidence


# ------------------------------------------------------------------ fair plans
def test_a_preset_trains_each_variant_from_3_seeds_at_each_lr_of_its_grid():
    plan = preset("activation").plan()
    assert len(plan.runs) == 6 * len(LR_FACTORS) * 3 and plan.variants == 6
    relu = [run for run in plan.runs if run.values == {"activation": "relu"}]
    base_lr = preset("activation").base().optimizer.lr
    assert sorted({run.spec.optimizer.lr for run in relu}) == sorted(
        float(f"{base_lr * f:.3g}") for f in LR_FACTORS)
    assert sorted({run.spec.train.seed for run in relu}) == [0, 1, 2]
    assert relu[0].trial == {"lr": relu[0].spec.optimizer.lr, "seed": 0}


def test_a_preset_that_studies_the_lr_keeps_it_and_seeds_can_be_one():
    plan = preset("lr").plan(seeds=1)
    assert [run.spec.optimizer.lr for run in plan.runs] == [0.001, 0.01, 0.1, 1.0]
    assert not plan.repeated and all(run.trial == {} for run in plan.runs)
    momentum = preset("momentum").plan()
    assert {run.spec.optimizer.lr for run in momentum.runs} == {0.02}


def test_seeds_and_a_swept_seed_or_too_many_runs_are_refused():
    base = preset("lr").base()
    with pytest.raises(SpecError, match="seed is swept already"):
        plan_sweep(base, {"seed": (1, 2)}, seeds=3)
    with pytest.raises(SpecError, match="seeds: 0 is out of range"):
        plan_sweep(base, {"lr": (0.1,)}, seeds=0)
    with pytest.raises(SpecError, match=r"32 combinations x 10 seeds x 5 lrs"):
        plan_sweep(base, {"l2": tuple(i / 100 for i in range(32))}, seeds=10, tune_lr=True)


def test_the_summary_keeps_each_variants_best_lr_and_averages_its_seeds():
    item = preset("activation")
    base = item.base()
    plan = item.plan(dataclasses.replace(base, train=dataclasses.replace(base.train, epochs=3)),
                     vary={"activation": ("tanh", "relu")}, seeds=2)
    result = run_sweep(plan)
    table, summary = result.table(), result.summary()
    chosen = result.chosen_lrs()
    assert [row["activation"] for row in summary] == ["tanh", "relu"]
    for line in summary:
        runs = [r for r in table if r["activation"] == line["activation"]
                and r["lr"] == line["lr"]]
        assert len(runs) == 2 and line["seeds"] == 2 and line["lr_tuned"]
        assert line["lr"] == chosen[line["variant"] - 1]
        assert math.isclose(line["loss"], sum(r["loss"] for r in runs) / 2)
        losses = [r["loss"] for r in runs]
        assert math.isclose(line["loss_sd"], abs(losses[0] - losses[1]) / math.sqrt(2))
        by_lr = {}
        for r in table:
            if r["activation"] == line["activation"]:
                by_lr.setdefault(r["lr"], []).append(r["val_loss"])
        assert min(by_lr, key=lambda lr: sum(by_lr[lr])) == line["lr"]


def test_runs_trained_together_report_their_share_of_the_time():
    result = run_sweep(shortened("momentum", 2, seeds=2))
    rows = result.table()
    assert all(row["trained_together"] == 8 and row["stacked"] for row in rows)
    for res in result.results:
        assert res.seconds == pytest.approx(sum(r["seconds"] for r in res.records))
        assert all(r["trained_together"] == 8 for r in res.records)
    # eight runs share each epoch's time: each one's share is the same eighth
    assert len({round(row["seconds"], 12) for row in rows}) == 1


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_runs_and_gives_its_table_and_a_verdict(name):
    result = run_sweep(shortened(name, 1))
    item = PRESETS[name]
    summary = result.summary()
    assert len(summary) == result.plan.variants >= 2
    for line in summary:
        assert line["reason"].split()[0] in ("completed", "diverged")
        for column in item.columns:
            assert column in line, column
    verdict = item.verdict(summary)
    assert isinstance(verdict.agrees, bool) and verdict.evidence


# --------------------------------------------- textbook claims, end to end, 3 seeds
def test_zeros_leave_the_hidden_units_identical():
    item = preset("init")
    result = run_sweep(item.plan(vary={"init": ("zeros", "he_normal")}, seeds=1,
                                 keep_lr=True))
    zeros, he = (r.weights for r in result.results)
    hidden = [key for key in zeros if key.endswith("weight")][:-1]
    assert len(hidden) == 6
    for weights, same in ((zeros, True), (he, False)):
        for key in hidden:  # each hidden layer's incoming weights
            rows = weights[key]
            assert bool(torch.equal(rows, rows[:1].expand_as(rows))) is same


def test_an_lr_far_above_the_best_diverges_and_far_below_crawls():
    item = preset("lr")
    summary = run_sweep(item.plan()).summary()
    by_lr = {line["lr"]: line for line in summary}
    assert by_lr[1.0]["diverged"] == 3  # 10x the best: every seed blows up
    assert by_lr[0.1]["loss"] < 0.45 < by_lr[0.001]["loss"]  # 0.38 against 0.55 here
    verdict = item.verdict(summary)
    assert verdict.agrees, verdict.evidence


def test_standardised_features_converge_faster_than_raw_ones():
    item = preset("scaling")
    summary = {line["scaling"]: line for line in run_sweep(item.plan()).summary()}
    standard, raw = summary["standard"], summary["none"]
    assert standard["epoch_to_target_reached"] == 3 and standard["epoch_to_target"] <= 10
    assert raw["epoch_to_target_reached"] == 0  # 30 epochs: never, at its best lr
    assert standard["loss"] < 0.15 < 0.3 < raw["loss"]  # 0.05 against 0.55 here
    assert item.verdict(list(summary.values())).agrees


def test_momentum_and_adaptive_methods_beat_tuned_sgd_on_an_ill_conditioned_problem():
    item = preset("optimizers")
    summary = {line["optimizer"]: line for line in run_sweep(item.plan()).summary()}
    sgd = summary["sgd"]["loss"]  # 0.61 here; the others 0.18 to 0.31, spreads < 0.01
    for name in ("momentum", "rmsprop", "adam"):
        assert summary[name]["loss"] * 1.5 < sgd, (name, summary[name]["loss"], sgd)
    assert item.verdict(list(summary.values())).agrees


def test_momentum_moves_the_weights_further_each_epoch():
    item = preset("momentum")
    summary = run_sweep(item.plan()).summary()
    moves = [line["update_norm"] for line in summary]
    # 0.007, 0.010, 0.038, 0.22 here: each step at least 1.2x the last
    assert all(b > 1.2 * a for a, b in zip(moves, moves[1:]))
    assert item.verdict(summary).agrees
