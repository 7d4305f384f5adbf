"""More optax schedules: ``piecewise_interpolate_schedule`` and ``join_schedules``.

Source: ``optax/schedules/_schedule.py`` and ``optax/schedules/_join.py`` of optax 0.2.8 (pinned in
requirements-dev.txt; the tests run them live under ``JAX_ENABLE_X64``). These join the ``"optax"``
library key; conventions as for every optax schedule (docs/conventions.md, "optax"): a schedule is a
pure function of the number of updates done so far, values are absolute (``base_lr`` unused).

* ``piecewise_interpolate_schedule(interpolate_type, init_value, boundaries_and_scales)``: the values
  at the knots ``0, b_1, b_2, ...`` are ``init_value`` times the running product of the scales; between
  knots a straight line (``"linear"``) or a half-cosine (``"cosine"``); the last value is held after
  the last boundary. A boundary at 0 skips ``init_value`` (its interval is empty).
* ``join_schedules(schedules, boundaries)``: schedule ``i`` takes over **at** step ``boundaries[i-1]``
  with its clock restarted at 0. Each schedule is given as a ``(name, params)`` pair of an optax
  schedule (e.g. ``("linear_schedule", {...})``), the form a config holds.
"""

from __future__ import annotations

from ..schedule import Decay, Join, WarmupDecay
from .base import FRAMEWORKS, REQUIRED, framework, integer, number, positive

FRAMEWORK = FRAMEWORKS.get("optax") or framework("optax", "optax", "optax/schedules/_schedule.py")


@FRAMEWORK.schedule("piecewise_interpolate_schedule", absolute=True, examples=[
    dict(interpolate_type="linear", init_value=1e-4, boundaries_and_scales={100: 10.0, 1000: 0.1}),
    dict(interpolate_type="cosine", init_value=1e-3, boundaries_and_scales={0: 0.5, 500: 0.1}),
    dict(interpolate_type="linear", init_value=1e-3),
])
def piecewise_interpolate_schedule(base_lr, interpolate_type=REQUIRED, init_value=REQUIRED, boundaries_and_scales=None):
    """piecewise_interpolate_schedule: linear or cosine between init_value × (product of scales so far)."""
    if interpolate_type not in ("linear", "cosine"):
        raise ValueError("`interpolate_type` must be either 'cosine' or 'linear'")
    init = positive(init_value, "init_value")
    if boundaries_and_scales is None:
        boundaries_and_scales = {}
    if not hasattr(boundaries_and_scales, "items"):
        raise ValueError(f"parameter 'boundaries_and_scales' must be a mapping {{step: scale}}, "
                         f"got {boundaries_and_scales!r}")
    items = sorted((integer(_step(b), "boundaries_and_scales"), number(s, "boundaries_and_scales"))
                   for b, s in boundaries_and_scales.items())
    if any(s < 0 for _, s in items):
        raise ValueError("`piecewise_interpolate_schedule` expects non-negative scale factors")
    knots, values = [0], [init]
    for b, s in items:
        v = values[-1] * s
        if b == knots[-1]:  # an empty interval: the knot starts at the later value
            values[-1] = v
        else:
            knots.append(b)
            values.append(v)
    peak = max(values)
    if peak == 0:
        return WarmupDecay(init, decay=Decay("piecewise", milestones=(), values=(0.0,)))
    return WarmupDecay(peak, decay=Decay("knots", knots=knots, values=[v / peak for v in values],
                                      anneal=interpolate_type))


def _step(key):
    """A boundary key; JSON turns integer keys into strings, so ``"100"`` is read back as 100."""
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        return int(key)
    return key


@FRAMEWORK.schedule("join_schedules", absolute=True, examples=[
    dict(schedules=[("linear_schedule", dict(init_value=0.0, end_value=1e-3, transition_steps=100)),
                    ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps=900))], boundaries=[100]),
    dict(schedules=[("constant_schedule", dict(value=1e-3)), ("constant_schedule", dict(value=1e-4))],
         boundaries=[0]),
])
def join_schedules(base_lr, schedules=REQUIRED, boundaries=REQUIRED):
    """join_schedules: schedule i takes over at boundaries[i-1], its clock restarted at 0."""
    from .. import compat

    if isinstance(schedules, (str, bytes)) or not isinstance(schedules, (list, tuple)) or not schedules:
        raise ValueError("parameter 'schedules' must be a non-empty list of (name, params) pairs of optax schedules")
    if isinstance(boundaries, (str, bytes)) or not isinstance(boundaries, (list, tuple)):
        raise ValueError(f"parameter 'boundaries' must be a list of steps, got {boundaries!r}")
    bounds = [integer(b, "boundaries") for b in boundaries]
    if len(bounds) != len(schedules) - 1:
        raise ValueError(f"parameter 'boundaries' must have one entry fewer than 'schedules' ({len(schedules) - 1}), "
                         f"got {len(bounds)}")
    if any(b < a for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"parameter 'boundaries' must be sorted, got {bounds}")
    parts = []
    for item in schedules:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], dict)):
            raise ValueError(f"parameter 'schedules': each schedule must be a (name, params) pair, got {item!r}")
        if item[0] == "join_schedules":
            parts.append(join_schedules(None, **item[1]))
        else:
            parts.append(compat.build("optax", item[0], **item[1]))
    return Join(parts, bounds)
