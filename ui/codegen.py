"""Code export for the app. Each framework's exporter lives in its own module of
:mod:`warmup_core.libraries` (both directions in one place); this module only orders what the app shows.
tests/test_codegen.py runs the snippets against the real libraries."""

from __future__ import annotations

from warmup_core.libraries import FRAMEWORKS, Refusal, get
from warmup_core.libraries.torch import standalone as pytorch

STANDALONE = "PyTorch (standalone)"
FEATURED = ("transformers", "timm", "optax", "keras")
"""Always shown, in this order (with the reason when they cannot express the schedule); every other registered
framework is shown only where it can express the schedule, so a new module appears with no edit here."""


def transformers(s):
    return get("transformers").export(s)


def timm(s):
    return get("timm").export(s)


def optax(s):
    return get("optax").export(s)


def keras(s):
    return get("keras").export(s)


def snippets(s) -> dict:
    """``{label: (code or None, note)}``: the standalone PyTorch script, PyTorch's own scheduler where it has one
    (``CyclicLR``, ``SWALR``, ``SequentialLR`` ...), the featured frameworks, then every other registered
    framework that can express ``s`` (labelled by its title, in alphabetical order)."""
    try:
        out = {STANDALONE: (pytorch(s), "")}
    except Refusal as e:
        out = {STANDALONE: (None, f"PyTorch (standalone): {e}.")}
    native = get("torch").export(s)
    if native[0] is not None:
        out[get("torch").title] = native
    out |= {get(key).title: get(key).export(s) for key in FEATURED}
    others = sorted((fw for key, fw in FRAMEWORKS.items() if key not in (*FEATURED, "torch")),
                    key=lambda fw: fw.title.lower())
    more = {fw.title: fw.export(s) for fw in others}
    return out | {label: made for label, made in more.items() if made[0] is not None}
