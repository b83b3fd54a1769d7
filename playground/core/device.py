"""Which device and how many threads: decided once, explained in words."""
from __future__ import annotations

import os

import torch

from .errors import DeviceError


def cuda_status() -> tuple[bool, str]:
    """(usable, a sentence): the GPU's name, or why CUDA cannot be used here."""
    if torch.version.cuda is None:
        return False, ("CUDA is not available: this PyTorch is a CPU-only build; install "
                       "a CUDA build of PyTorch to train on an NVIDIA GPU.")
    if not torch.cuda.is_available():
        return False, ("CUDA is not available: PyTorch finds no usable NVIDIA GPU or "
                       "driver on this machine.")
    return True, f"CUDA: {torch.cuda.get_device_name(0)}"


def resolve_device(requested: str) -> torch.device:
    if requested == "cpu":
        return torch.device("cpu")
    usable, reason = cuda_status()
    if requested == "cuda" and not usable:
        raise DeviceError(f"{reason} Use the CPU instead (--device cpu or auto).")
    return torch.device("cuda" if usable else "cpu")


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return "CPU"


# Multiply-adds of one update's forward pass (the whole batch) from which a second torch
# thread pays for itself. Measured on 2 cores (tests/bench/README.md): below about 1e6
# (W1 8-32-1 batch 10: 3e3; W3 64-64-10 batch 32: 1.5e5) one thread is as fast or
# faster, since the threads' hand-offs cost more than the split matmuls save; at W2
# (784-256-128-64-10 batch 128: 3.1e7) one thread costs 1.3-1.4x.
PARALLEL_WORK = 1_000_000


def choose_threads(requested: int, work: int, interactive: bool,
                   cores: int | None = None, load: float | None = None) -> int:
    """Threads by the work per update, not by the window: one where a batch's matrix
    work is tiny (leaving the interface a core costs nothing there: it wins), every core
    where it is not; in the window, on more than two cores, all but one.

    One thread, too, when the machine is already oversubscribed (the 1-minute load
    average above the core count): torch's threads wait for each other at every
    matmul, and a thread the scheduler has parked stalls them all. Measured on 2 cores
    at a load of 10-12: two threads made an update 8-27x slower than one."""
    if requested > 0:
        return requested
    cores = cores or os.cpu_count() or 1
    if work < PARALLEL_WORK or cores == 1:
        return 1
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > cores:
        return 1
    return cores - 1 if interactive and cores > 2 else cores


def resolve_threads(requested: int, interactive: bool) -> int:
    """Threads for torch's CPU kernels.

    With an interface on screen we leave it a core: measured on 2 cores, two torch
    threads next to a busy GUI thread made epochs about 6x slower, one thread lost little.
    """
    if requested > 0:
        return requested
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if interactive else cores
