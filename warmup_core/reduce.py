"""The former name of :mod:`warmup_core.downsample` ("reduce" read like ``functools.reduce``)."""

from .downsample import MAX_POINTS
from .downsample import downsample_curve as reduce_curve
from .downsample import downsample_indices as reduce_indices

__all__ = ["MAX_POINTS", "reduce_curve", "reduce_indices"]
