"""Library compatibility: build the schedule that reproduces a named schedule of a real library, value
for value, and list what is available.

>>> from warmup_core import compat
>>> s = compat.build("transformers", "cosine", base_lr=1.0, num_warmup_steps=4, num_training_steps=12)
>>> s([0, 4, 8, 12]).round(6).tolist()
[0.0, 1.0, 0.5, 0.0]

Entry ``t`` of ``sched(np.arange(n))`` is the lr of optimizer update ``t`` (0-based): after ``t``
calls of ``scheduler.step()`` (torch, transformers), ``step_update(t)`` (timm), ``schedule(t)``
(optax, keras). Parameter names and defaults are the library's own. Each framework lives in one
module of :mod:`warmup_core.libraries` (build and export); its conventions are in ``docs/conventions.md``.

Where this library departs from the original, it is on inputs the original mishandles; each
case raises ``ValueError`` naming the library's parameter.
"""

from __future__ import annotations

import inspect

from .libraries import FRAMEWORKS, get
from .schedule import LRSchedule

_REQUIRED = inspect.Parameter.empty


def libraries() -> list[str]:
    """The library keys, sorted."""
    return sorted(FRAMEWORKS)


def available() -> list[dict]:
    """Every ``(library, name)`` with its parameters and defaults (``REQUIRED`` if none)."""
    out = []
    for key in libraries():
        for name, b in FRAMEWORKS[key].schedules.items():
            params = {k: ("REQUIRED" if v is _REQUIRED else v) for k, v in b.params.items()}
            out.append({"library": key, "name": name, "params": params,
                        "base_lr": "unused" if b.absolute else "required",
                        "doc": (inspect.getdoc(b.fn) or "").split("\n")[0]})
    return out


def build(library: str, name: str, base_lr: float | None = None, **params) -> LRSchedule:
    """The schedule that ``library``'s ``name`` produces with ``params``.

    ``base_lr`` is the optimizer's learning rate for libraries that take it from there (torch,
    transformers, timm, maskrcnn, pytorch_warmup); it is unused where the schedule carries
    absolute values (optax, keras, yolov3, nanogpt, noam, torch OneCycleLR).
    """
    return get(library).build(name, base_lr, **params)


def export_params(library: str, schedule: LRSchedule) -> dict:
    """``{"name", "base_lr", **params}`` with ``build(library, **export_params(library, s))`` equal to ``s``
    value for value; ``ValueError`` saying why when ``library`` cannot express ``s`` exactly."""
    return get(library).export_params(schedule)


def export(library: str, schedule: LRSchedule) -> tuple[str | None, str]:
    """``(code, note)``: code that runs ``schedule`` in ``library``, or ``(None, why not)``."""
    return get(library).export(schedule)
