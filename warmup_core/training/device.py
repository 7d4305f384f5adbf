"""Where runs go: CUDA when present, then Apple's MPS, else the CPU."""

from __future__ import annotations

import os

import torch


def available() -> list[str]:
    out = ["cpu"]
    if torch.cuda.is_available():
        out.insert(0, "cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.insert(1 if out[0] == "cuda" else 0, "mps")
    return out


def pick_device(want: str = "auto") -> torch.device:
    """``auto`` picks the best available; asking for a missing one raises ValueError saying so."""
    have = available()
    if want == "auto":
        return torch.device(have[0])
    if want not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {want!r}; valid devices are ['auto', 'cpu', 'cuda', 'mps']")
    if want not in have:
        raise ValueError(f"device {want!r} is not available on this machine (available: {have})")
    return torch.device(want)


def describe(device: torch.device | str, threads: int | None = None) -> str:
    """The device in words; on the CPU with the torch thread count runs use (``threads``: a job
    manager's setting; else this process's current count) and the machine's cores."""
    device = torch.device(device)
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    n = threads or torch.get_num_threads()
    return f"CPU ({n} torch thread{'' if n == 1 else 's'} of {os.cpu_count()} cores)"
