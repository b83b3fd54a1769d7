"""Which device and how many threads: decided once, explained in words."""
from __future__ import annotations

import math
import os
from typing import Any

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


def forward_work(model: torch.nn.Module, probe: torch.Tensor) -> int:
    """Multiply-adds per sample of the model's forward pass through its dense and
    convolution layers, from one probe sample in evaluation mode (no RNG, no
    running-stat update)."""
    total = 0

    def count(module: torch.nn.Module, inputs: Any, out: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, torch.nn.Linear):
            total += out.numel() * module.in_features
        else:  # convolution: each output element sums in/groups x kernel products
            total += out.numel() * (module.in_channels // module.groups) * \
                math.prod(module.kernel_size)

    kinds = (torch.nn.Linear, torch.nn.modules.conv._ConvNd)
    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, kinds)]
    was_training = model.training
    try:
        model.eval()
        with torch.inference_mode():
            model(probe)
    finally:
        model.train(was_training)
        for hook in hooks:
            hook.remove()
    return total


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
