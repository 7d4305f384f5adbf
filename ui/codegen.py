"""Code export for the app: each framework's exporter lives in its own module of
:mod:`warmup_core.libraries` (both directions in one place); this module only lists what the app shows.
tests/test_codegen.py runs every snippet against the real library."""

from __future__ import annotations

from warmup_core.libraries import get
from warmup_core.libraries.torch import standalone as pytorch

SHOWN = {"transformers": "transformers", "timm": "timm", "optax": "optax", "Keras": "keras"}
# issue #9 §3 frameworks: shown only where they can express the schedule (each exporter checks by rebuilding)
WHERE_EXPRESSIBLE = {"DeepSpeed": "deepspeed", "Megatron-core": "megatron", "NeMo": "nemo", "mmengine": "mmengine",
                     "detectron2": "detectron2", "Composer": "composer", "Ultralytics": "ultralytics",
                     "fastai": "fastai"}


def transformers(s):
    return get("transformers").export(s)


def timm(s):
    return get("timm").export(s)


def optax(s):
    return get("optax").export(s)


def keras(s):
    return get("keras").export(s)


def snippets(s) -> dict:
    """``{library: (code or None, note)}`` for the current schedule."""
    out = {"PyTorch (standalone)": (pytorch(s), ""), **{label: get(key).export(s) for label, key in SHOWN.items()}}
    more = {label: get(key).export(s) for label, key in WHERE_EXPRESSIBLE.items()}
    return out | {label: made for label, made in more.items() if made[0] is not None}
