"""`playground landscape SESSION --kind interp|random|pca [--points N] [--jsonl|--csv]`:
the loss landscape of a saved run's network.

interp: the loss along the line from the initial weights (a = 0) to the saved ones
(a = 1); random: a plane through the saved weights along two random filter-normalised
directions; pca: the plane of the run's path, with the path on it. Records:
{"event": "landscape", "kind", "a", "b", "loss"} (no b for interp) and, for pca,
{"event": "path", "a", "b", "epoch", "loss"}. Nothing is trained or saved.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from .output import _json_safe
from .parsing import EXIT_OK, UsageError

_CSV_COLUMNS = ("event", "kind", "a", "b", "epoch", "loss")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "landscape", help="the loss landscape around a saved run's weights",
        description="The loss of a saved run's network on a fixed sample of its training "
        "rows: along the line from its initial weights (interp), on a plane of two random "
        "filter-normalised directions (random), or on the plane of its path (pca).")
    add = parser.add_argument
    add("session", metavar="SESSION", help="a saved session (.pgsession)")
    add("--kind", required=True, choices=("interp", "random", "pca"),
        help="interp, random or pca")
    add("--points", type=int, default=31, metavar="N",
        help="points per axis, 3 to 101, rounded up to odd (default 31)")
    add("--seed", type=int, default=0, help="seed of the random directions (default 0)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--jsonl", action="store_true", help="one JSON object per point")
    out.add_argument("--csv", action="store_true", help="CSV on stdout, one row per point")
    parser.set_defaults(func=cmd_landscape)


def cmd_landscape(args: argparse.Namespace) -> int:
    from ..core.landscape import MAX_POINTS, MIN_POINTS, landscape, odd_points

    if not MIN_POINTS <= args.points <= MAX_POINTS:  # checked before the session is read
        raise UsageError(f"--points {args.points} is out of range; give a whole number "
                         f"from {MIN_POINTS} to {MAX_POINTS} (an even one is rounded up).")
    points = odd_points(args.points)
    trainer = _restored_trainer(args.session)
    result = landscape(trainer, args.kind, points, seed=args.seed)
    if args.jsonl:
        for record in result.records():
            print(json.dumps(_json_safe(record)), flush=False)
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, _CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(result.records())
    else:
        _summary(result, args.session)
    sys.stdout.flush()
    return EXIT_OK


def _restored_trainer(path: str) -> Any:
    from ..core.data import prepare
    from ..core.sessionfile import open_any, prepared_data, restore_state
    from ..core.trainer import Trainer

    session = open_any(path)
    if session.state is None:
        raise UsageError(f"{path} holds a run that was never trained, so its network has "
                         "no landscape yet; train it first.")
    data = prepared_data(session) if session.manifest.get("format") == \
        "gradient-playground-session" else prepare(session.spec.data)
    trainer = Trainer(session.spec, data=data)
    restore_state(trainer, session.state, path)
    return trainer


def _summary(result: Any, path: str) -> None:
    import numpy as np

    grid = f"{len(result.a)} points" if result.b is None else \
        f"{len(result.a)} x {len(result.b)} points"
    print(f"{result.kind} landscape of {path} at epoch {result.epoch}: {grid} on "
          f"{result.rows} training rows, {result.seconds:.2f} s")
    loss = result.loss
    if result.b is None:
        a = list(result.a)
        start, end = loss[a.index(0.0)], loss[a.index(1.0)]
        between = loss[(result.a >= 0) & (result.a <= 1)]
        print(f"loss at the initial weights (a=0) {start:.4g}, at the current ones (a=1) "
              f"{end:.4g}; the highest on the way {np.nanmax(between):.4g}")
    else:
        j, i = np.unravel_index(np.nanargmin(loss), loss.shape)
        middle = loss[len(result.b) // 2, len(result.a) // 2]
        print(f"loss at the current weights (0, 0) {middle:.4g}; lowest {loss[j, i]:.4g} "
              f"at ({result.a[i]:.3g}, {result.b[j]:.3g}); highest {np.nanmax(loss):.4g}")
    if result.explained is not None:
        print(f"the plane's two directions explain {result.explained[0]:.1%} and "
              f"{result.explained[1]:.1%} of the path's spread ({len(result.path)} points)")
    for note in result.notes:
        print(note)
