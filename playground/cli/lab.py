"""`playground descend` and `playground race`: the optimizer lab, headless.

descend reproduces the introductory demo (descend f from a start point by lr * f'(x)
until the change is below a tolerance), with any optimizer of the registry; race runs
several optimizers from one start on a 2-D surface and prints where each ended.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from ..core.lab import Descent, MoverSpec, Race, surface, typed_surface
from ..core.lab.surfaces import SURFACES
from ..core.limits import quoted
from ..core.optim import OPTIMIZERS
from .output import _json_safe
from .parsing import EXIT_OK, UsageError, parse_key_values, parse_schedule

# "-1.5,2" is a value, not an option: argparse only knows plain negative numbers.
_NEGATIVE_VALUES = re.compile(r"^-\d*\.?\d+(e[+-]?\d+)?(,-?\d*\.?\d+(e[+-]?\d+)?)*$", re.I)


def register(commands: Any) -> None:
    descend_parser = commands.add_parser(
        "descend", help="gradient descent on a function of x, printing each iteration")
    descend_parser.set_defaults(func=cmd_descend)
    add = descend_parser.add_argument
    add("--function", default="x**2", metavar="F", help="a function of x, such as "
        "'x**2 - 3*x' (numbers, x, + - * / ** and sin cos tan exp log sqrt abs tanh ...)")
    add("--start", type=float, default=5.0, help="the start point (default 5)")
    add("--lr", type=float, default=0.1, help="the learning rate (default 0.1)")
    add("--tol", type=float, default=1e-6, help="stop when a step moves less than this")
    add("--max-iter", type=int, default=1000, help="stop after this many iterations")
    _add_common(descend_parser)
    descend_parser._negative_number_matcher = _NEGATIVE_VALUES

    race_parser = commands.add_parser(
        "race", help="several optimizers from one start on a 2-D surface")
    race_parser.set_defaults(func=cmd_race)
    add = race_parser.add_argument
    add("--surface", default="rosenbrock", metavar="NAME",
        help=f"one of {', '.join(SURFACES)}")
    add("--function", metavar="F", help="a function of x and y instead of a surface")
    add("--condition", type=float, default=10.0, help="the bowl's condition number")
    add("--start", metavar="X,Y", help="the start point (default: the surface's)")
    add("--optimizers", default="sgd,momentum,adam", metavar="LIST",
        help="comma-separated registry names, each optionally with its rate: "
             "sgd:0.001,momentum:0.001,adam:0.05 (without one, the lab's rate for it, "
             "which suits these surfaces better than a network's default)")
    add("--steps", type=int, default=500, help="updates per optimizer (default 500)")
    add("--noise", type=float, default=0.0, help="standard deviation of noise added to "
        "each gradient component (stochastic descent)")
    add("--seed", type=int, default=0, help="the noise's seed")
    add("--tol", type=float, default=1e-4, help="count the steps until the loss is "
        "within this of the surface's known minimum")
    _add_common(race_parser, optimizer=False)
    race_parser._negative_number_matcher = _NEGATIVE_VALUES


def _add_common(parser: argparse.ArgumentParser, optimizer: bool = True) -> None:
    if optimizer:
        parser.add_argument("--optimizer", default="sgd", choices=list(OPTIMIZERS),
                            metavar="NAME", help=f"one of {', '.join(OPTIMIZERS)}")
        parser.add_argument("--opt-params", metavar="K=V,...",
                            help="the optimizer's hyperparameters, such as momentum=0.9")
    parser.add_argument("--schedule", metavar="NAME[:K=V,...]",
                        help="a learning-rate schedule counted in steps, such as "
                             "inverse_time:decay=0.01")
    parser.add_argument("--jsonl", action="store_true", help="one JSON record a line")


def _schedule(args: argparse.Namespace) -> tuple[str, dict, float]:
    if not args.schedule:
        return "constant", {}, 0.0
    spec = parse_schedule(args.schedule)
    return spec.name, dict(spec.params), float(spec.warmup_epochs)


def cmd_descend(args: argparse.Namespace) -> int:
    params = parse_key_values(args.opt_params, "--opt-params") if args.opt_params else {}
    descent = Descent(args.function, args.start, args.lr, args.tol, args.max_iter,
                      args.optimizer, params, _schedule(args), keep=False)
    out = sys.stdout
    while (row := descent.step()) is not None:   # printed as it goes, never collected
        if args.jsonl:
            _json(out, {"iteration": row.iteration, "x": row.x, "f": row.f,
                        "grad": row.grad, "step": row.step})
        else:
            out.write(f"iteration {row.iteration}: x = {row.x:.10g}, f(x) = {row.f:.10g}, "
                      f"f'(x) = {row.grad:.10g}, step = {row.step:.10g}\n")
    result = descent.result()
    if args.jsonl:
        _json(out, {"reason": result.reason, "iterations": descent.count,
                    "x": result.x, "f": result.f})
    else:
        words = {"converged": "converged", "max_iter": "reached the maximum number of "
                 "iterations", "diverged": "diverged"}[result.reason]
        out.write(f"{words} after {descent.count} iterations: "
                  f"x = {result.x:.10g}, f(x) = {result.f:.10g}\n")
    return EXIT_OK


def cmd_race(args: argparse.Namespace) -> int:
    racers = parse_racers(args.optimizers)
    chosen = (typed_surface(args.function) if args.function
              else surface(args.surface, args.condition))
    start = parse_point(args.start) if args.start else chosen.start
    name, params, warmup = _schedule(args)
    racers = [MoverSpec(r.optimizer, r.lr, schedule=name, schedule_params=params,
                        warmup=warmup) for r in racers]
    race = Race(chosen, start, racers, args.steps, args.noise, args.seed, args.tol,
                keep_records=1)
    race.run()
    out = sys.stdout
    for racer in race.racers:
        x, y = racer.path[-1]
        loss = racer.mover.value()
        status = "diverged" if racer.status == "diverged" else "finished"
        record = {"optimizer": racer.spec.optimizer, "lr": racer.spec.resolved_lr(),
                  "x": x, "y": y, "loss": loss, "steps": racer.steps,
                  "reached_at": racer.reached_at, "status": status}
        if args.jsonl:
            _json(out, record)
            continue
        reached = (f"within {args.tol:g} of the minimum after {racer.reached_at} steps"
                   if racer.reached_at is not None else
                   "diverged" if racer.status == "diverged" else
                   f"not within {args.tol:g} of the minimum"
                   if chosen.min_value is not None else "(no known minimum to reach)")
        out.write(f"{racer.spec.optimizer:<10} lr {racer.spec.resolved_lr():<8g} "
                  f"({x:.6g}, {y:.6g})  loss {loss:.6g}  {reached}\n")
    return EXIT_OK


def parse_racers(text: str) -> list[MoverSpec]:
    racers = []
    for item in (part.strip() for part in text.split(",") if part.strip()):
        name, _, rate = item.partition(":")
        name = name.strip().lower()
        if name not in OPTIMIZERS:
            raise UsageError(f"--optimizers: unknown optimizer {quoted(name)}; choose from "
                             f"{', '.join(OPTIMIZERS)}.")
        try:
            lr = float(rate) if rate.strip() else None
        except ValueError:
            raise UsageError(f"--optimizers: {quoted(rate, 40)} in {quoted(item, 40)} is "
                             "not a learning rate.") from None
        racers.append(MoverSpec(name, lr))
    if not racers:
        raise UsageError("--optimizers lists none; give names such as sgd,momentum,adam.")
    return racers


def parse_point(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise UsageError(f"--start: {quoted(text)} is not a point x,y such as -1.5,2.") \
            from None


def _json(out: Any, record: dict[str, Any]) -> None:
    out.write(json.dumps(_json_safe(record)) + "\n")
