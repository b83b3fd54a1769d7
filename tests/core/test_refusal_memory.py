"""Refusing a hostile file costs little memory (issue 15): measured in a fresh process
as the growth of its peak resident size (ru_maxrss) from after the imports to after
every refusal. The files are made here, so making them costs the child nothing."""
import json
import subprocess
import sys
from pathlib import Path

from playground.core.sessionfile import MEMBER_BUDGET, session_members, write_members
from playground.core.trainer import Trainer

from .helpers import tiny_spec
from .test_hostile_inputs import claim, npz_claiming, rehashed

LIMIT_MB = 300
ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from playground.core.errors import PlaygroundError
from playground.core.sessionfile import open_session
from playground.core.data.files import load_file

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB on Linux

before = peak()
refused, worst = [], ("", 0.0)
for path in sys.argv[2:]:
    start = peak()
    try:
        (load_file if path.endswith(".npz") else open_session)(path)
    except PlaygroundError as exc:
        refused.append(str(exc)[:100])
    if peak() - start > worst[1]:
        worst = (path.rsplit("/", 1)[-1], peak() - start)
print(json.dumps({"baseline_mb": before, "peak_mb": peak(), "growth_mb": peak() - before,
                  "tried": len(sys.argv) - 2, "refused": len(refused), "worst": worst}))
"""


def hostile_files(tmp_path):
    trainer = Trainer(tiny_spec(epochs=1))
    trainer.fit()
    good = {k: bytes(v) for k, v in session_members(trainer.spec, trainer.state_dict(),
                                                    trainer.data).items()}
    files = []

    def add(name, body):
        path = tmp_path / name
        write_members(path, body)
        files.append(path)
        return path

    claim(add("view-claims-4gb.pgsession", dict(good)), "view.json", 0xFFFFFFF0)
    claim(add("tensors-claim-1gb.pgsession", dict(good)), "tensors-000.safetensors", 2**30)
    zeros = b"[" + b"0," * (MEMBER_BUDGET["state.json"] // 2 - 8) + b"0]"
    add("state-at-budget.pgsession", rehashed(good, **{"state.json": zeros}))
    add("data-at-budget.pgsession", rehashed(good, **{"data.json": zeros}))
    add("view-at-budget.pgsession", rehashed(good, **{"view.json": b"[" + b"0," * (
        MEMBER_BUDGET["view.json"] // 2 - 8) + b"0]"}))
    spec = json.loads(good["spec.json"])
    spec["data"]["samples"] = 10**9
    add("billion-samples.pgsession", rehashed(good, **{"spec.json": json.dumps(spec).encode()}))
    nested = b"[" * 500_000 + b"]" * 500_000
    add("nested.pgsession", rehashed(good, **{"view.json": nested[:MEMBER_BUDGET["view.json"]]}))
    files.append(npz_claiming(tmp_path / "claims-2gib.npz", (2**28, 2)))
    return files


def test_refusing_hostile_files_stays_under_300_mb(tmp_path):
    files = hostile_files(tmp_path)
    child = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), *map(str, files)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    print(result)
    assert result["refused"] == result["tried"] == len(files)
    assert result["growth_mb"] < LIMIT_MB, result
