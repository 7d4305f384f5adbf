"""The yacs ``SOLVER`` block of maskrcnn-benchmark and detectron2 YAML configs.

Both read the YAML over their defaults (``config/defaults.py``); yacs turns text such as
``STEPS: (60000, 80000)`` into a tuple with ``ast.literal_eval``, refuses keys the defaults do not
have, and the trainers step the scheduler once per iteration after ``optimizer.step()``.

* maskrcnn-benchmark ``make_lr_scheduler``: ``WarmupMultiStepLR(STEPS, GAMMA, WARMUP_FACTOR,
  WARMUP_ITERS, WARMUP_METHOD)`` on ``BASE_LR`` for ``MAX_ITER`` iterations.
* detectron2 ``build_lr_scheduler``: ``LR_SCHEDULER_NAME`` (``WarmupMultiStepLR``, ``WarmupCosineLR``,
  ``WarmupStepWithFixedGammaLR``) wrapped in ``WarmupParamScheduler``; a config with ``_BASE_``
  inherits from the file it names (paste that file above, separated by ``---``); with
  ``REFERENCE_WORLD_SIZE`` set, ``DefaultTrainer.auto_scale_workers`` rescales lr and iterations to
  the actual number of GPUs (a fact).
"""

from __future__ import annotations

import ast

from ._common import (
    Fact,
    Facts,
    Imported,
    Parsed,
    check_keys,
    integer,
    mapping,
    number,
    number_list,
    reject_unknown,
    text,
)

MASKRCNN_DEFAULTS = {  # maskrcnn_benchmark/config/defaults.py (commit 57eec25)
    "MAX_ITER": 40000, "BASE_LR": 0.001, "BIAS_LR_FACTOR": 2, "MOMENTUM": 0.9, "WEIGHT_DECAY": 0.0005,
    "WEIGHT_DECAY_BIAS": 0, "GAMMA": 0.1, "STEPS": (30000,), "WARMUP_FACTOR": 1.0 / 3, "WARMUP_ITERS": 500,
    "WARMUP_METHOD": "linear", "CHECKPOINT_PERIOD": 2500, "TEST_PERIOD": 0, "IMS_PER_BATCH": 16,
}
DETECTRON2_DEFAULTS = {  # detectron2/config/defaults.py (commit 02b5c4e)
    "LR_SCHEDULER_NAME": "WarmupMultiStepLR", "MAX_ITER": 40000, "BASE_LR": 0.001, "BASE_LR_END": 0.0,
    "MOMENTUM": 0.9, "NESTEROV": False, "WEIGHT_DECAY": 0.0001, "WEIGHT_DECAY_NORM": 0.0, "GAMMA": 0.1,
    "STEPS": (30000,), "NUM_DECAYS": 3, "WARMUP_FACTOR": 1.0 / 1000, "WARMUP_ITERS": 1000,
    "WARMUP_METHOD": "linear", "RESCALE_INTERVAL": False, "CHECKPOINT_PERIOD": 5000, "IMS_PER_BATCH": 16,
    "REFERENCE_WORLD_SIZE": 0, "BIAS_LR_FACTOR": 1.0, "WEIGHT_DECAY_BIAS": None, "CLIP_GRADIENTS": {},
    "AMP": {},
}
DETECTRON2_SCHEDULERS = ("WarmupMultiStepLR", "WarmupCosineLR", "WarmupStepWithFixedGammaLR")

MASKRCNN_FACTS: tuple[Fact, ...] = ()
DETECTRON2_FACTS = (
    Fact("world_size", "number of GPUs the run uses; read only when SOLVER.REFERENCE_WORLD_SIZE is set"),
)

MASKRCNN_EXAMPLE = """MODEL:
  META_ARCHITECTURE: "GeneralizedRCNN"
  WEIGHT: "catalog://ImageNetPretrained/MSRA/R-50"
SOLVER:
  BASE_LR: 0.02
  WEIGHT_DECAY: 0.0001
  STEPS: (60000, 80000)
  MAX_ITER: 90000
"""
DETECTRON2_EXAMPLE = """MODEL:
  WEIGHTS: "detectron2://ImageNetPretrained/MSRA/R-50.pkl"
SOLVER:
  IMS_PER_BATCH: 16
  BASE_LR: 0.02
  STEPS: (210000, 250000)
  MAX_ITER: 270000
  WARMUP_ITERS: 1000
"""


def _marks(d) -> tuple[bool, bool]:
    """(looks like maskrcnn-benchmark, looks like detectron2) from keys only one of them has."""
    solver = d.get("SOLVER") if isinstance(d.get("SOLVER"), dict) else {}
    model = d.get("MODEL") if isinstance(d.get("MODEL"), dict) else {}
    backbone = model.get("BACKBONE") if isinstance(model.get("BACKBONE"), dict) else {}
    d2 = ("_BASE_" in d or "VERSION" in d or "WEIGHTS" in model
          or any(k in solver for k in ("LR_SCHEDULER_NAME", "BASE_LR_END", "NUM_DECAYS", "RESCALE_INTERVAL",
                                       "REFERENCE_WORLD_SIZE", "NESTEROV", "WEIGHT_DECAY_NORM")))
    mrcnn = "WEIGHT" in model or "CONV_BODY" in backbone or "TEST_PERIOD" in solver
    return mrcnn, d2


def looks_like_maskrcnn(parsed: Parsed) -> bool:
    if parsed.kind != "mapping" or not isinstance(parsed.data.get("SOLVER"), dict):
        return False
    return not _marks(parsed.data)[1]


def looks_like_detectron2(parsed: Parsed) -> bool:
    if parsed.kind != "mapping" or not isinstance(parsed.data.get("SOLVER"), dict) and "_BASE_" not in parsed.data:
        return False
    return not _marks(parsed.data)[0]


def _solver(parsed: Parsed, defaults: dict, who: str, strict=True) -> dict:
    """SOLVER over the defaults. maskrcnn-benchmark refuses unknown keys (yacs); detectron2 projects add
    their own (``add_deeplab_config``), so there only a near miss of a known key is an error."""
    solver = mapping(parsed.data.get("SOLVER", {}), "SOLVER")
    if strict:
        reject_unknown(solver, defaults, f"{who} SOLVER")
    else:
        check_keys(solver, defaults, f"{who} SOLVER", tuple(defaults))
    return {**defaults, **solver}


def _tuple(v, name):
    """yacs: a string value is read with ast.literal_eval (``(60000, 80000)`` → a tuple)."""
    if isinstance(v, str):
        try:
            v = ast.literal_eval(v)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ValueError(f"{name} must be a tuple of iterations such as (60000, 80000), got {v!r}") from None
    return number_list(v, name, integer_values=True, minimum=0)


def read_maskrcnn(parsed: Parsed, facts: Facts) -> Imported:
    s = _solver(parsed, MASKRCNN_DEFAULTS, "maskrcnn-benchmark")
    steps = _tuple(s["STEPS"], "SOLVER.STEPS")
    if steps != sorted(steps):
        raise ValueError(f"SOLVER.STEPS must be increasing, got {steps}")
    params = {"milestones": steps, "gamma": number(s["GAMMA"], "SOLVER.GAMMA", minimum=0),
              "warmup_factor": number(s["WARMUP_FACTOR"], "SOLVER.WARMUP_FACTOR", minimum=0, maximum=1),
              "warmup_iters": integer(s["WARMUP_ITERS"], "SOLVER.WARMUP_ITERS", minimum=0),
              "warmup_method": text(s["WARMUP_METHOD"], "SOLVER.WARMUP_METHOD", ("constant", "linear"))}
    total = integer(s["MAX_ITER"], "SOLVER.MAX_ITER", minimum=1)
    ignored = tuple(k for k in parsed.data if k != "SOLVER")
    return Imported("maskrcnn", "maskrcnn", "WarmupMultiStepLR", params,
                    base_lr=number(s["BASE_LR"], "SOLVER.BASE_LR", minimum=0, open_min=True), total_steps=total,
                    notes=(f"trains SOLVER.MAX_ITER = {total} iterations",), ignored=ignored)


def read_detectron2(parsed: Parsed, facts: Facts) -> Imported:
    if "_BASE_" in parsed.data:
        raise ValueError(f"this config inherits from _BASE_ {str(parsed.data['_BASE_'])[:120]!r}: paste that "
                         "file above this one, separated by a line '---' (the later file wins)")
    s = _solver(parsed, DETECTRON2_DEFAULTS, "detectron2", strict=False)
    name = text(s["LR_SCHEDULER_NAME"], "SOLVER.LR_SCHEDULER_NAME")
    if name not in DETECTRON2_SCHEDULERS:
        raise ValueError(f"SOLVER.LR_SCHEDULER_NAME {name!r} is not one of detectron2's build_lr_scheduler "
                         f"names {list(DETECTRON2_SCHEDULERS)} (a project's own scheduler)")
    lr = number(s["BASE_LR"], "SOLVER.BASE_LR", minimum=0, open_min=True)
    max_iter = integer(s["MAX_ITER"], "SOLVER.MAX_ITER", minimum=1)
    warm = integer(s["WARMUP_ITERS"], "SOLVER.WARMUP_ITERS", minimum=0)
    steps = _tuple(s["STEPS"], "SOLVER.STEPS")
    notes = []
    ref = integer(s["REFERENCE_WORLD_SIZE"], "SOLVER.REFERENCE_WORLD_SIZE", minimum=0)
    if ref:
        world = facts.need("world_size", f"SOLVER.REFERENCE_WORLD_SIZE={ref} rescales the schedule to the GPUs used")
        if world != ref:  # DefaultTrainer.auto_scale_workers
            scale = world / ref
            lr, max_iter = lr * scale, int(round(max_iter / scale))
            warm, steps = int(round(warm / scale)), [int(round(x / scale)) for x in steps]
            notes.append(f"auto_scale_workers: {world} GPUs for a config written for {ref}: lr × {scale:g}, "
                         f"MAX_ITER {max_iter}, WARMUP_ITERS {warm}, STEPS {steps}")
    params = {"LR_SCHEDULER_NAME": name, "MAX_ITER": max_iter, "STEPS": steps,
              "GAMMA": number(s["GAMMA"], "SOLVER.GAMMA", minimum=0),
              "BASE_LR_END": number(s["BASE_LR_END"], "SOLVER.BASE_LR_END", minimum=0),
              "NUM_DECAYS": integer(s["NUM_DECAYS"], "SOLVER.NUM_DECAYS", minimum=0),
              "WARMUP_FACTOR": number(s["WARMUP_FACTOR"], "SOLVER.WARMUP_FACTOR", minimum=0, maximum=1),
              "WARMUP_ITERS": warm,
              "WARMUP_METHOD": text(s["WARMUP_METHOD"], "SOLVER.WARMUP_METHOD", ("constant", "linear")),
              "RESCALE_INTERVAL": bool(s["RESCALE_INTERVAL"])}
    ignored = tuple(k for k in parsed.data if k != "SOLVER")
    return Imported("detectron2", "detectron2", "build_lr_scheduler", params, base_lr=lr, total_steps=max_iter,
                    notes=tuple(notes) + (f"trains SOLVER.MAX_ITER = {max_iter} iterations",), ignored=ignored,
                    facts=dict(facts.used))
