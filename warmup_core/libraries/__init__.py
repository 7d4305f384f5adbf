"""One module per framework, both directions.

``warmup_core/libraries/<key>.py`` holds everything about one framework: its build functions (the
framework's names and defaults → a core schedule), its exporter (a core schedule → one call of the
framework, or a :class:`~warmup_core.libraries.base.Refusal` saying why not), the code that call is
written as, and the docstring that states its conventions (collected in ``docs/conventions.md``).

Every module in this package whose name does not start with ``_`` and is not ``base`` is imported
here and registers itself; :mod:`warmup_core.compat` reads :data:`FRAMEWORKS`.

>>> from warmup_core.libraries import get
>>> torch = get("torch")
>>> s = torch.build("StepLR", base_lr=0.1, step_size=3)
>>> torch.export_params(s)
{'name': 'StepLR', 'base_lr': 0.1, 'step_size': 3, 'gamma': 0.1}
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import FRAMEWORKS, Call, Framework, Refusal

for _m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _m.name.startswith("_") and _m.name != "base":
        importlib.import_module(f"{__name__}.{_m.name}")


def get(key: str) -> Framework:
    """The framework registered under ``key``; ``ValueError`` listing the valid keys otherwise."""
    try:
        return FRAMEWORKS[key]
    except KeyError:
        raise ValueError(f"unknown library {key!r}; valid libraries are {sorted(FRAMEWORKS)}") from None


__all__ = ["FRAMEWORKS", "Call", "Framework", "Refusal", "get"]
