"""Hostile inputs, counted (issue 15): how many are tried, how many are handled (one
sentence, exit 2, nothing trained), and the peak memory of the worst refusal.

    .venv/bin/python -m tests.bench.bench_hostile

Each case runs through `playground.cli.main` in this process (stdout and stderr
captured), in a temporary working folder (a search refused must leave no database
there); the memory figures come from a fresh process, each refusal measured on its own
(see tests/core/test_refusal_memory.py). Issue 28 added the newer surfaces: search and
its storage, workers, the optimizer lab, the LR finder, sweeps, output paths.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def cases(folder: Path) -> list[list[str]]:
    from tests.core.test_hostile_inputs import npz_claiming

    spec_files = {
        "two_part_split.json": json.dumps({"data": {"split": [0.5, 0.5]}}),
        "nested.json": "[" * 100_000 + "]" * 100_000,
        "long_number.json": '{"train": {"epochs": ' + "9" * 5000 + "}}",
        "layers_10000.json": json.dumps({"model": {"layers": [{"kind": "relu"}] * 10_000}}),
        "not_json.json": "\x00\x01garbage",
        "list.json": "[1, 2, 3]",
        "unknown_key.json": json.dumps({"train": {"learning_rate": 1}}),
    }
    for name, text in spec_files.items():
        (folder / name).write_text(text)
    np.savez(folder / "zero_columns.npz", X=np.zeros((10, 0), np.float32), y=np.arange(10) % 2)
    np.savez(folder / "scalar.npz", X=np.float32(1), y=np.arange(3))
    npz_claiming(folder / "claims_2gib.npz", (2**28, 2))
    (folder / "binary.csv").write_bytes(b"\x00\x01\x02")
    args = [
        ["--samples", "-5"], ["--samples", "1000000000"], ["--dataset", "blobs", "--classes", "0"],
        ["--data-seed", "-1"], ["--split", "nan/1/1"], ["--split", "70/30"],
        ["--inputs", "x1,bogus"], ["--features", "0-999999999"], ["--features", "5-2"],
        ["--layers", "100000:relu,100000:relu"], ["--layers", ""], ["--optimizer", ""],
        ["--schedule", ""], ["--data", ""], ["--save", ""], ["--resume", ""],
        ["--save", "x" * 5000], ["--resume", "x" * 5000], ["--data", "d" * 5000],
        ["--lr", "nan"], ["--lr", "1e999"], ["--epochs", "-1"], ["--batch-size", "-3"],
        ["--noise", "inf"], ["--threads", "-1"], ["--clip-norm", "-1"],
        ["--opt-param", "beta1=2"], ["--schedule", "step:gamma=nan"],
        ["--resume", str(folder / "missing.pgsession")],
    ]
    args += [[str(folder / name)] for name in spec_files]
    args += [["--data", str(folder / name)] for name in
             ("zero_columns.npz", "scalar.npz", "claims_2gib.npz", "binary.csv")]
    return [["train", *a] for a in args] + newer_cases(folder)


def newer_cases(folder: Path) -> list[list[str]]:
    """The surfaces added since issue 15 (issue 28): search, its storage and workers, the
    optimizer lab (descend, race), the learning-rate finder, sweeps."""
    import sqlite3

    theirs = folder / "theirs.db"
    with sqlite3.connect(theirs) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER)")
    own_studies = folder / "own_studies.db"
    with sqlite3.connect(own_studies) as connection:
        connection.execute("CREATE TABLE studies (id INTEGER)")
    (folder / "notes.db").write_text("not a database\n")
    long = "7" * 100_000
    db = f"sqlite:///{folder / 'never.db'}"
    space = ["--space", "lr=1e-3..1"]
    search = [
        ["--space", ","], ["--space", "lr=1e-3...1e-1"], ["--space", "lr=1e-3..nan"],
        ["--space", "lr=" + long], ["--space", long], ["--space", "units=2..8:0"],
        ["--space", "dropout=0..0.5", "--layers", "1"], ["--space", "momentum=0..0.9",
                                                         "--optimizer", "adagrad"],
        [*space, "--search-seed", str(2**40)], [*space, "--search-seed", "-1"],
        [*space, "--timeout", "nan"], [*space, "--trials", "0"], [*space, "--batch", "999"],
        [*space, "--study", "s" * 500], [*space, "--storage", "sqlite:///" + "d" * 5000],
        [*space, "--storage", f"sqlite:///{theirs}"],
        [*space, "--storage", f"sqlite:///{own_studies}"],
        [*space, "--storage", f"sqlite:///{folder / 'notes.db'}"],
        [*space, "--storage", f"sqlite:///{folder / 'absent' / 'x.db'}"],
        [*space, "--storage", "mysql://u@localhost/db"], [*space, "--storage", "ftp://x/y"],
        [*space, "--storage", "sqlite://"], ["worker", "--storage", db, "--study", "s"],
        ["worker", "--storage", db, "--study", "s", "--epochs", "5"],
        ["worker", "--storage", db],
    ]
    lab = [
        ["descend", "--function", "9" * 310 + "*x"], ["descend", "--function", long],
        ["descend", "--function", "__import__('os')"], ["descend", "--tol", "nan"],
        ["descend", "--tol", "-1"], ["descend", "--max-iter", "0"],
        ["descend", "--schedule", "step:warmup=-3"], ["descend", "--lr", "inf"],
        ["race", "--seed", "-1"], ["race", "--seed", str(2**64)], ["race", "--tol", "nan"],
        ["race", "--tol", "-1"], ["race", "--noise", "nan"], ["race", "--steps", "0"],
        ["race", "--start", long], ["race", "--start", "nan,1"],
        ["race", "--optimizers", long], ["race", "--optimizers", "sgd:x" + long],
        ["race", "--surface", "bowl", "--condition", "-3"], ["race", "--function", long],
        ["race", "--schedule", "cosine:warmup=-2"],
    ]
    other = [
        ["lr-find", "--dataset", "xor", "--start", "0.001", "--end", "0.0010000000000000002"],
        ["lr-find", "--dataset", "xor", "--start", "nan"],
        ["lr-find", "--dataset", "xor", "--updates", "-1"],
        ["sweep", "--dataset", "xor", "--vary", "dropout=" + "9" * 1000],
        ["sweep", "--dataset", "xor", "--vary", long + "=1,2"],
        ["sweep", "--dataset", "xor", "--vary", "lr=nan"],
        ["train", "--dataset", "xor", "--save", str(folder / "absent" / "run.pgsession")],
        ["train", "--dataset", "mnist", "--layers", "conv2d:256:3,relu,flatten,auto:softmax",
         "--batch-size", "4096"],
        ["train", "--dataset", "xor", "--schedule", "step:step_size=" + "9" * 5000],
    ]
    return [["search", *a] for a in search] + lab + other


def run(argv: list[str]) -> tuple[int, str]:
    from playground import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, err.getvalue()


def main() -> None:
    from tests.core import test_refusal_memory as memory

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tried = handled = 0
        work = folder / "work"
        work.mkdir()
        previous = os.getcwd()
        os.chdir(work)
        try:
            for argv in cases(folder):
                code, err = run(argv)
                tried += 1
                ok = (code == 2 and len(err.strip().splitlines()) == 1 and len(err) < 500
                      and "Traceback" not in err and not any(work.iterdir()))
                handled += ok
                if not ok:
                    print("NOT HANDLED", [a[:40] for a in argv[:4]], code, err[-300:],
                          [p.name for p in work.iterdir()])
                    for leftover in work.iterdir():
                        leftover.unlink()
        finally:
            os.chdir(previous)
        files = memory.hostile_files(folder)
        child = subprocess.run([sys.executable, "-c", memory.CHILD, str(memory.ROOT),
                                *map(str, files)], capture_output=True, text=True)
        figures = json.loads(child.stdout)
    print(f"CLI cases: {tried} tried, {handled} handled (one sentence, exit 2)")
    print(f"hostile files: {figures['tried']} tried, {figures['refused']} refused; peak RSS "
          f"{figures['peak_mb']:.0f} MB, of which {figures['baseline_mb']:.0f} MB after the "
          f"imports; growth {figures['growth_mb']:.0f} MB; worst refusal "
          f"{figures['worst'][0]} (+{figures['worst'][1]:.0f} MB)")


if __name__ == "__main__":
    main()
