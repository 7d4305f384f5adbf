"""MosaicML Composer schedulers (``composer/optim/scheduler.py``, ``composer/core/time.py``; mosaicml 0.32.1,
golden values recorded from them by scripts/make_composer_golden.py).

Conventions (docs/conventions.md, "composer"):

* A Composer scheduler returns a factor of the optimizer's lr (``base_lr``) as a function of the
  training ``State``; the Trainer wraps it in a ``LambdaLR`` stepped after every batch, so batch ``t``
  trains at the factor after ``t`` batches.
* Durations are time strings: ``"100ba"`` (batches), ``"2ep"`` (epochs: times ``dataloader_len``), and
  ``"0.1dur"`` (a fraction of the Trainer's ``max_duration``: ``int(0.1 · max_duration)``, in batches when
  ``max_duration`` is in epochs). ``max_duration`` and ``dataloader_len`` (batches per epoch) are the
  Trainer's facts the scheduler reads.
* The warmup is linear from 0 and **prepended**: it reaches the peak at ``t_warmup``; the decay runs from
  ``t_warmup`` to ``t_max`` (which counts the warmup, default ``"1dur"``) and holds ``alpha_f`` after.
  ``LinearWithWarmupScheduler`` peaks at ``alpha_i``; ``CosineAnnealingWithWarmupScheduler`` at 1.
* ``t_max`` shorter than ``max_duration`` is an error in Composer, and so here.

Deliberate differences: durations in samples, tokens, iterations or seconds, and ``scale_schedule_ratio``
other than 1, are refused; an ``alpha_f`` above the peak (a rising "decay") is refused.
"""

from __future__ import annotations

import re

from ..schedule import Decay, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, args, constant_decay, flag, framework, integer, number, positive

FRAMEWORK = framework("composer", "MosaicML Composer", "composer/optim/scheduler.py")

_TIME = re.compile(r"^(.+)(iter|ep|ba|sp|tok|dur|sec)$", re.IGNORECASE)  # composer/core/time.py _TIME_STR_REGEX


def _parse(value, name):
    """A Composer time string as ``(number, unit)`` (``Time.from_timestring``)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"parameter {name!r} must be a Composer time string such as '100ba', '2ep' or '0.1dur', "
                         f"got {value!r}")
    m = _TIME.match(value.strip())
    try:
        v = float(m.group(1)) if m else None
    except ValueError:
        v = None
    if v is None or not v >= 0 or v == float("inf"):
        raise ValueError(f"parameter {name!r}: invalid time string {value!r}")
    unit = m.group(2).lower()
    if unit in ("sp", "tok", "iter", "sec"):
        raise ValueError(f"parameter {name!r} = {value!r}: durations in '{unit}' need the batch size or the clock; "
                         "warmup_core converts 'ba', 'ep' and 'dur'")
    if unit != "dur" and int(v) != v:
        raise ValueError(f"parameter {name!r} = {value!r}: units {unit} require integer values")
    return v, unit


def _batches(value, name, max_duration, dataloader_len):
    """``_convert_time``: a duration in batches."""
    v, unit = _parse(value, name)
    md, md_unit = max_duration
    if unit == "dur":
        if md_unit == "ep":
            return int(v * _dl(dataloader_len, name) * md)
        return int(v * md)
    if unit == "ep":
        return int(v * _dl(dataloader_len, name))
    return int(v)


def _dl(dataloader_len, name):
    if dataloader_len is None:
        raise ValueError(f"parameter 'dataloader_len' (batches per epoch) is needed to convert {name!r} "
                         "(Cannot convert time, as state.dataloader_len is None)")
    return integer(dataloader_len, "dataloader_len", 1)


def _durations(t_warmup, t_max, max_duration, dataloader_len, scale_warmup):
    flag(scale_warmup, "scale_warmup")
    if isinstance(max_duration, int) and not isinstance(max_duration, bool):
        max_duration = f"{max_duration}ep"  # Trainer(max_duration=int) counts epochs
    md = _parse(max_duration, "max_duration")
    if md[1] == "dur":
        raise ValueError("parameter 'max_duration' must be in 'ba' or 'ep', not 'dur'")
    total = int(md[0]) * (_dl(dataloader_len, "max_duration") if md[1] == "ep" else 1)
    W = _batches(t_warmup, "t_warmup", md, dataloader_len)
    T = _batches(t_max, "t_max", md, dataloader_len)
    if T < total:
        raise ValueError(f"t_max {t_max} must be greater than or equal to max_duration {max_duration}. Otherwise, "
                         "the LR schedule will not be defined for the entire training duration.")
    return W, T, total


@FRAMEWORK.schedule("LinearWithWarmupScheduler", examples=[
    dict(base_lr=1e-3, t_warmup="0.1dur", max_duration="10ep", dataloader_len=100),
    dict(base_lr=1e-3, t_warmup="100ba", alpha_i=0.5, alpha_f=0.1, max_duration="1000ba"),
    dict(base_lr=1e-3, t_warmup="0ba", max_duration="1000ba"),
])
def linear_with_warmup_scheduler(base_lr, t_warmup=REQUIRED, alpha_i=1.0, alpha_f=0.0, t_max="1dur",
                                 scale_warmup=False, max_duration=REQUIRED, dataloader_len=None):
    """LinearWithWarmupScheduler: 0 → alpha_i over t_warmup, then linear to alpha_f at t_max ('0.1dur', '2ep')."""
    W, T, total = _durations(t_warmup, t_max, max_duration, dataloader_len, scale_warmup)
    peak = positive(alpha_i, "alpha_i")
    floor = number(alpha_f, "alpha_f", 0.0, peak)
    decay = Decay("linear", steps=T - W, floor=floor / peak) if T > W else constant_decay(1.0)
    return WarmupDecay(base_lr * peak, Warmup("linear", steps=W, factor=0.0), decay, "prepend", total)


@FRAMEWORK.schedule("CosineAnnealingWithWarmupScheduler", examples=[
    dict(base_lr=1e-3, t_warmup="0.05dur", max_duration="10ep", dataloader_len=100, alpha_f=0.1),
    dict(base_lr=1e-3, t_warmup="1ep", max_duration="3ep", dataloader_len=50, t_max="1.5dur"),
])
def cosine_annealing_with_warmup_scheduler(base_lr, t_warmup=REQUIRED, t_max="1dur", alpha_f=0.0, scale_warmup=False,
                                           max_duration=REQUIRED, dataloader_len=None):
    """CosineAnnealingWithWarmupScheduler: 0 → 1 over t_warmup, then a half-cosine to alpha_f at t_max."""
    W, T, total = _durations(t_warmup, t_max, max_duration, dataloader_len, scale_warmup)
    floor = number(alpha_f, "alpha_f", 0.0, 1.0)
    decay = Decay("cosine", steps=T - W, floor=floor) if T > W else constant_decay(1.0)
    return WarmupDecay(positive(base_lr, "base_lr"), Warmup("linear", steps=W, factor=0.0), decay, "prepend", total)


# --- core -> Composer ------------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    """A linear warmup from 0 (or none) prepended to a linear or cosine decay, in batches: ``t_warmup="Wba"``,
    ``t_max`` = warmup + decay, ``max_duration`` = the schedule's total steps."""
    w, d, p = s.warmup, s.decay, s.decay_params
    if s.offset or w.target != "peak" or w.method not in ("none", "linear") or (w.steps and w.factor != 0):
        raise Refusal("Composer's warmups are linear from 0")
    if s.convention != "prepend" and w.steps:
        raise Refusal("Composer's decays start when the warmup ends")
    if d.name not in ("linear", "cosine") or (d.name == "cosine" and (p["exponent"] != 1 or p["cycles"] != 0.5
                                                                      or not p["clamp"])):
        raise Refusal("Composer's warmup schedulers decay linearly or by a half-cosine held at alpha_f")
    W, L = w.steps, p["steps"]
    total = s.total_steps or W + L
    if W + L < total:
        raise Refusal("Composer needs t_max >= max_duration: this decay ends before training does")
    common = {"t_warmup": f"{W}ba", "t_max": f"{W + L}ba", "max_duration": f"{total}ba"}
    if d.name == "linear":
        return Call("LinearWithWarmupScheduler", {**common, "alpha_f": p["floor"]}, s.base_lr)
    return Call("CosineAnnealingWithWarmupScheduler", {**common, "alpha_f": p["floor"]}, s.base_lr)


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    c = {k: v for k, v in call.params.items() if k not in ("max_duration", "dataloader_len")}
    return (HEADER + f"from composer.optim import {call.name}\n\n"
            f"scheduler = {call.name}({args(**c)})\n"
            f"# trainer = Trainer(..., optimizers=optimizer  # lr={call.base_lr!r}\n"
            f"#                   schedulers=scheduler, max_duration={call.params['max_duration']!r})\n")
