"""Hostile inputs, counted (issue 15): how many are tried, how many are handled (one
sentence, exit 2, nothing trained), and the peak memory of the worst refusal.

    .venv/bin/python -m tests.bench.bench_hostile

Each case runs through `playground.cli.main` in this process (stdout and stderr
captured); the memory figures come from a fresh process (see
tests/core/test_refusal_memory.py).
"""
from __future__ import annotations

import contextlib
import io
import json
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
    return [["train", *a] for a in args]


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
        for argv in cases(folder):
            code, err = run(argv)
            tried += 1
            ok = code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
            handled += ok
            if not ok:
                print("NOT HANDLED", argv[:3], code, err[-300:])
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
