"""Refusing a hostile file costs little memory (issue 15): measured in a fresh process,
per file, as the peak resident size during its refusal (VmHWM, reset before each file
through /proc/self/clear_refs) above the resident size when it began. The files are
made here, so making them costs the child nothing."""
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from playground.core.sessionfile.format import MEMBER_BUDGET
from playground.core.sessionfile.writing import session_members, write_members
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

def status(key):  # kB -> MB, from /proc/self/status
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

def reset_peak():  # Linux: VmHWM starts again from the current resident size
    with open("/proc/self/clear_refs", "w") as file:
        file.write("5")

before = status("VmRSS")
refused, worst, growth = [], ("", 0.0), 0.0
for path in sys.argv[2:]:
    reset_peak()
    start = status("VmRSS")
    try:
        (load_file if path.endswith(".npz") else open_session)(path)
    except PlaygroundError as exc:
        refused.append(str(exc)[:100])
    extra = status("VmHWM") - start  # the most this refusal held above where it began
    growth = max(growth, extra)
    if extra > worst[1]:
        worst = (path.rsplit("/", 1)[-1], extra)
print(json.dumps({"baseline_mb": before, "peak_mb": before + growth, "growth_mb": growth,
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
    files.append(deflated_tensors(tmp_path / "deflated-tensors-400mb.pgsession", good))
    files.append(consistent_garbage(tmp_path / "garbage-tensors-400mb.pgsession", good))
    header = json.dumps({"__metadata__": {"pad": "x" * 30 * 2**20}}).encode()
    huge_header = len(header).to_bytes(8, "little") + header
    add("tensor-header-30mb.pgsession",
        rehashed(good, **{"tensors-000.safetensors": huge_header}))
    return files


def consistent_garbage(path, good, megabytes=400):
    """A tensors member of `megabytes` of noise that its manifest's SHA-256 vouches for
    (a crafted file): refused from its header, it used to be read whole first."""
    block, digest = os.urandom(4 * 2**20), hashlib.sha256()
    for _ in range(megabytes // 4):
        digest.update(block)
    manifest = json.loads(good["manifest.json"])
    manifest["members"]["tensors-001.safetensors"] = digest.hexdigest()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, body in good.items():
            archive.writestr(name, json.dumps(manifest).encode() if name == "manifest.json"
                             else body)
        with archive.open(zipfile.ZipInfo("tensors-001.safetensors"), "w",
                          force_zip64=True) as member:
            for _ in range(megabytes // 4):
                member.write(block)
    return path


def deflated_tensors(path, good, megabytes=400):
    """A tensors member that inflates to `megabytes` at about 30:1 (under the zip-bomb
    ratio), whose SHA-256 is not the manifest's: refused, it used to be inflated whole,
    and held twice, before any hash was checked."""
    block = bytearray(4 * 2**20)
    block[::100] = os.urandom(len(block[::100]))  # about 30:1 under deflate
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, body in good.items():
            if name != "tensors-000.safetensors":
                archive.writestr(name, body)
        info = zipfile.ZipInfo("tensors-000.safetensors")
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1
        with archive.open(info, "w", force_zip64=True) as member:
            for _ in range(megabytes // 4):
                member.write(block)
    return path


def test_refusing_hostile_files_stays_under_300_mb(tmp_path):
    files = hostile_files(tmp_path)
    child = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), *map(str, files)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    print(result)
    assert result["refused"] == result["tried"] == len(files)
    assert result["growth_mb"] < LIMIT_MB, result
