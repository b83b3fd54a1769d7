"""CSV import against pandas.read_csv on the same file: time and peak memory.

    .venv/bin/python -m tests.bench.bench_csv [--rows 1000000]

Writes a numeric CSV (rows x 12 columns, the last an integer class) to a temporary
folder, then imports it in fresh processes, alternating, so that peak memory (maxrss)
belongs to one import alone. Goal: the playground's import within 1.5x of pandas.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time
path, how = sys.argv[1], sys.argv[2]
if how == "pandas":
    import pandas as pd
    start = time.perf_counter()
    frame = pd.read_csv(path)
    X = frame.to_numpy()
else:
    from playground.core.data.files import load_file
    import pandas  # imported up front on both sides: import time is not parsing time
    start = time.perf_counter()
    X = load_file(path).X
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": len(X)}))
"""


def write_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 11)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    with path.open("w") as file:
        file.write(",".join([f"f{i}" for i in range(11)] + ["label"]) + "\n")
        np.savetxt(file, np.column_stack([X, y]), delimiter=",",
                   fmt=["%.6f"] * 11 + ["%d"])


def run(path: Path, how: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), how], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "numbers.csv"
        write_csv(path, args.rows)
        size = path.stat().st_size / 2**20
        results = {"pandas": [], "playground": []}
        for _ in range(args.repeats):
            for how in results:
                results[how].append(run(path, how))
    print(f"{args.rows:,} rows x 12 columns, {size:.0f} MB; median of {args.repeats} runs")
    medians = {}
    for how, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        memory = statistics.median(r["maxrss_mb"] for r in runs)
        medians[how] = (seconds, memory)
        print(f"{how:<11} {seconds:7.2f} s   peak {memory:7.0f} MB")
    (ps, pm), (os_, om) = medians["pandas"], medians["playground"]
    print(f"ratio       {os_ / ps:7.2f}x time   {om / pm:5.2f}x peak memory")


if __name__ == "__main__":
    main()
