"""Fuzz the frameworks added for issue #9 §3: every parameter of every example, replaced by each nasty value,
builds a schedule with finite, non-negative values or raises ValueError whose message names one of the
entry's own parameters (or what the value is), never another exception and never a warning."""

import math
import warnings

import numpy as np
import pytest

from warmup_core.libraries import FRAMEWORKS

NEW = {"deepspeed": None, "detectron2": None, "megatron": None, "nemo": None, "mmengine": None, "ultralytics": None,
       "composer": None, "fastai": None, "torch": ("CyclicLR", "SWALR"),
       "optax": ("piecewise_interpolate_schedule", "join_schedules")}
NASTY = [0, 1, -1, 2, 0.5, -0.5, 1e-300, 1e300, -1e300, 10**30, math.inf, -math.inf, math.nan, True, None, "x", "",
         [], [1, 2], [3, 1], [-1], {}, {1: 2}, (1e300,), object()]
# the parameters of a scheduler inside a list / tree entry, which a message may name instead
NESTED = {"mmengine": ["eta_min", "begin", "end", "by_epoch", "T_max", "milestones", "type"],
          "detectron2": ["lengths", "values", "milestones", "num_updates"]}
PROBE = np.concatenate([np.arange(0, 200, dtype=np.float64), [1e3, 1e4, 1e6, 1e9, 1e12]])

KNOWN = {}  # (framework, schedule) -> a pytest mark for a known, reported failure
CASES = [pytest.param(key, name, ex, id=f"{key}-{name}-{i}",
                      marks=KNOWN.get((key, name), ()) if not ex.get("step_size_down") else ())
         for key, names in NEW.items() for name, b in FRAMEWORKS[key].schedules.items()
         if names is None or name in names for i, ex in enumerate(b.examples)]


@pytest.mark.slow
@pytest.mark.parametrize("key,name,ex", CASES)
def test_every_parameter_with_nasty_values(key, name, ex):
    fw = FRAMEWORKS[key]
    params = ["base_lr", *fw.schedules[name].params]
    for p in params:
        for bad in NASTY:
            kw = {**ex, p: bad}
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    s = fw.build(name, **kw)
                except ValueError as e:
                    msg = str(e)
                    words = params + NESTED.get(key, [])
                    assert msg and any(q in msg for q in words), (p, bad, msg)
                    continue
                with np.errstate(all="raise", under="ignore"):
                    v = s(PROBE)
            assert np.all(np.isfinite(v)) and np.all(v >= 0), (p, bad)
