"""Code export for the app. Each framework's exporter lives in its own module of
:mod:`warmup_core.libraries` (both directions in one place); this module only orders what the app shows.
tests/test_codegen.py runs the snippets against the real libraries."""

from __future__ import annotations

from warmup_core.libraries import FRAMEWORKS, Refusal, get
from warmup_core.libraries.torch import standalone as pytorch

STANDALONE = "PyTorch (standalone)"


def transformers(s):
    return get("transformers").export(s)


def timm(s):
    return get("timm").export(s)


def optax(s):
    return get("optax").export(s)


def keras(s):
    return get("keras").export(s)


def snippets(s) -> dict:
    """``{label: (code or None, note)}``: the standalone PyTorch script first, then every registered framework,
    those that can express ``s`` before those that cannot (whose note says why)."""
    made = {fw.title: fw.export(s) for fw in sorted(FRAMEWORKS.values(), key=_rank)}
    order = sorted(made, key=lambda label: made[label][0] is None)  # stable: the rank within each group
    try:
        standalone = (pytorch(s), "")
    except Refusal as e:
        standalone = (None, f"PyTorch (standalone): {e}.")
    return {STANDALONE: standalone, **{label: made[label] for label in order}}


FEATURED = ("transformers", "timm", "optax", "keras", "torch")  # shown first, in this order


def _rank(fw) -> tuple:
    return (FEATURED.index(fw.key) if fw.key in FEATURED else len(FEATURED), fw.title.lower())
