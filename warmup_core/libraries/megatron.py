"""Megatron-core ``OptimizerParamScheduler`` (``megatron/core/optimizer_param_scheduler.py``, megatron-core
0.16.1; golden values recorded from it by scripts/make_megatron_golden.py).

Conventions (docs/conventions.md, "megatron"):

* Iteration ``t`` trains at ``num_steps = t`` (the scheduler is built with ``step(0)`` and stepped after
  each iteration). Values are absolute: ``init_lr`` (``--lr-warmup-init``), ``max_lr`` (``--lr``),
  ``min_lr`` (``--min-lr``); ``base_lr`` is unused.
* Warmup: ``init_lr + (max_lr - init_lr) · t / lr_warmup_steps`` for ``t <= lr_warmup_steps`` (it reaches
  ``max_lr`` at the warmup's last step, inclusive); then the decay is **prepended**:
  ``lr_decay_steps`` counts the warmup (decay ratio ``(t - W) / (lr_decay_steps - W)``), and
  ``min_lr`` is held after ``lr_decay_steps`` (``constant`` holds ``max_lr`` for ever).
* ``inverse-square-root`` is on the global clock: ``max_lr · sqrt(max(W, 1) / max(t, 1))``, floored at
  ``min_lr``. ``WSD`` holds ``max_lr`` until ``lr_decay_steps - wsd_decay_steps``, then anneals
  (``lr_wsd_decay_style``: linear, cosine, exponential ``2 · 0.5^r - 1``, minus_sqrt ``1 - sqrt(r)``).
* Megatron counts in samples when trained by samples (every count times the global batch size): the
  ratios, and so the schedule per iteration, are the same.

The weight-decay arguments (``start_wd``, ``end_wd``, ``wd_incr_steps``, ``wd_incr_style``) and the
checkpoint flags are accepted and ignored (they do not touch the learning rate); they default to ``None``
here although Megatron requires them.
"""

from __future__ import annotations

from ..schedule import Decay, Join, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, args, framework, integer, number, positive

FRAMEWORK = framework("megatron", "Megatron-core", "megatron/core/optimizer_param_scheduler.py")

_STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
_WSD = {"linear": dict(shape="linear"), "cosine": dict(shape="cosine"), "minus_sqrt": dict(shape="1-sqrt"),
        "exponential": dict(shape="exp", decay_ratio=0.5)}  # 2 · 0.5^r − 1 = (0.5^r − 0.5) / (1 − 0.5)


@FRAMEWORK.schedule("OptimizerParamScheduler", absolute=True, examples=[
    dict(init_lr=0.0, max_lr=3e-4, min_lr=3e-5, lr_warmup_steps=100, lr_decay_steps=1000, lr_decay_style="cosine"),
    dict(init_lr=0.0, max_lr=3e-4, min_lr=0.0, lr_warmup_steps=100, lr_decay_steps=1000, lr_decay_style="WSD",
         wsd_decay_steps=200, lr_wsd_decay_style="minus_sqrt"),
    dict(init_lr=0.0, max_lr=3e-4, min_lr=1e-5, lr_warmup_steps=0, lr_decay_steps=1000,
         lr_decay_style="inverse-square-root"),
    dict(init_lr=1e-5, max_lr=3e-4, min_lr=0.0, lr_warmup_steps=999, lr_decay_steps=1000, lr_decay_style="linear"),
])
def optimizer_param_scheduler(base_lr, init_lr=REQUIRED, max_lr=REQUIRED, min_lr=REQUIRED, lr_warmup_steps=REQUIRED,
                              lr_decay_steps=REQUIRED, lr_decay_style=REQUIRED, start_wd=None, end_wd=None,
                              wd_incr_steps=None, wd_incr_style=None, use_checkpoint_opt_param_scheduler=True,
                              override_opt_param_scheduler=False, wsd_decay_steps=None, lr_wsd_decay_style=None):
    """OptimizerParamScheduler: linear warmup init_lr → max_lr, then constant / linear / cosine /
    inverse-square-root / WSD down to min_lr at lr_decay_steps (which counts the warmup)."""
    top = positive(max_lr, "max_lr")
    init, low = number(init_lr, "init_lr", 0.0, top), number(min_lr, "min_lr", 0.0, top)
    W, D = integer(lr_warmup_steps, "lr_warmup_steps"), integer(lr_decay_steps, "lr_decay_steps", 1)
    if not W < D:
        raise ValueError(f"parameter 'lr_warmup_steps' ({W}) must be smaller than 'lr_decay_steps' ({D}) "
                         "(Megatron asserts it)")
    if lr_decay_style not in _STYLES:
        raise ValueError(f"parameter 'lr_decay_style' must be one of {list(_STYLES)}, got {lr_decay_style!r}")
    warm = Warmup("linear", steps=W, factor=init / top) if W else Warmup()
    floor = low / top
    if lr_decay_style == "constant":
        return WarmupDecay(top, warm, Decay("constant"))
    if lr_decay_style in ("linear", "cosine"):
        return WarmupDecay(top, warm, Decay(lr_decay_style, steps=D - W, floor=floor), "prepend", D)
    if lr_decay_style == "inverse-square-root":
        # sqrt(W / t) = (1 + (t - W) / W) ** -0.5 on the decay's clock; min_lr after lr_decay_steps
        law = Decay("wsd", stable=D - max(W, 1) + 1, decay=0, floor=floor, stable_power=0.5,
                    stable_timescale=float(max(W, 1)))
        if W:
            return WarmupDecay(top, warm, law, "prepend", D)
        return Join([WarmupDecay(top), WarmupDecay(top, decay=law)], [1], D)  # max(t, 1): steps 0 and 1 both at max_lr
    S = integer(wsd_decay_steps, "wsd_decay_steps") if wsd_decay_steps is not None else None
    if S is None:
        raise ValueError("lr_decay_style 'WSD' needs parameter 'wsd_decay_steps'")
    if S > D:
        raise ValueError(f"parameter 'wsd_decay_steps' ({S}) must not exceed 'lr_decay_steps' ({D})")
    if lr_wsd_decay_style not in _WSD:
        raise ValueError(f"parameter 'lr_wsd_decay_style' must be one of {sorted(_WSD)}, got {lr_wsd_decay_style!r}")
    tail = dict(floor=floor, **_WSD[lr_wsd_decay_style])
    anneal = D - S  # max_lr up to and including this step
    if S == 0:  # no anneal: max_lr through lr_decay_steps, min_lr after
        return WarmupDecay(top, warm, Decay("wsd", stable=D - W + 1, decay=0, **tail), "prepend", D)
    if anneal >= W:
        return WarmupDecay(top, warm, Decay("wsd", stable=anneal - W, decay=S, **tail), "prepend", D)
    # the anneal began inside the warmup: after the warmup's last step (W, inclusive) the anneal is
    # already W + 1 - anneal steps in
    return Join([WarmupDecay(top, warm, Decay("constant")),
                 WarmupDecay(top, decay=Decay("wsd", stable=0, decay=S, **tail), offset=W + 1 - anneal)], [W + 1], D)


# --- core -> Megatron ------------------------------------------------------------------------------

@FRAMEWORK.exporter
def _export(s) -> Call:
    """A warmup_core WarmupDecay as OptimizerParamScheduler arguments: a linear warmup (or none) prepended to a
    constant, linear or cosine decay that ends at total_steps (Megatron's lr_decay_steps); checked by
    building the call back and comparing values."""
    import numpy as np

    if not isinstance(s, WarmupDecay):
        raise Refusal("Megatron has one warmup and one decay; this is a chain or join of schedules")
    w, d = s.warmup, s.decay
    if w.method not in ("none", "linear") or s.offset or w.target != "peak" or s.convention != "prepend":
        raise Refusal("Megatron's warmup is linear and prepended to the decay (from step 0)")
    p = s.decay_params
    style = {"constant": "constant", "linear": "linear", "cosine": "cosine"}.get(d.name)
    if style is None:
        raise Refusal(f"Megatron has no {d.name!r} decay (it has constant, linear, cosine, inverse-square-root, WSD)")
    W = w.steps
    D = W + p["steps"] if style != "constant" else max(s.total_steps or W + 1, W + 1)
    top = s.base_lr
    call = Call("OptimizerParamScheduler", {
        "init_lr": w.factor * top if W else 0.0, "max_lr": top, "min_lr": p.get("floor", 0.0) * top,
        "lr_warmup_steps": W, "lr_decay_steps": D, "lr_decay_style": style})
    try:
        back = FRAMEWORK.build(call.name, **call.params)
    except ValueError as e:
        raise Refusal(f"Megatron cannot take these values: {e}") from None
    t = np.arange(2 * D + 2, dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal("Megatron's version differs (its warmup reaches the peak one step later in its decay, "
                      "its cosine is clamped after lr_decay_steps)")
    return call


@FRAMEWORK.renderer
def _render(call: Call, s) -> str:
    return (HEADER + "from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler\n\n"
            f"scheduler = OptimizerParamScheduler(optimizer, {args(**call.params)},\n"
            "                                    start_wd=0.0, end_wd=0.0, wd_incr_steps=1, wd_incr_style='constant')\n"
            "# after every training iteration: scheduler.step(increment=1)\n")
