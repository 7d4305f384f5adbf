"""Deprecated: the lr range test moved to :mod:`warmup_core.training.lr_range` (this name said nothing of what
it does). Importing ``warmup_core.training.probe`` still works and warns; it will go in a later release."""

from __future__ import annotations

import warnings

from .lr_range import RangeTest, lr_range_test, steepest, valley

__all__ = ["RangeTest", "lr_range_test", "steepest", "valley"]

warnings.warn("warmup_core.training.probe is deprecated: import warmup_core.training.lr_range instead",
              DeprecationWarning, stacklevel=2)
