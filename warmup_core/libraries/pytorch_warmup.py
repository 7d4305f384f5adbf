"""pytorch_warmup (Tony-Y/pytorch_warmup; a dampener multiplied into any torch scheduler).

Conventions (docs/conventions.md, "pytorch_warmup"):

* the warmup factor **multiplies** the wrapped scheduler's lr, both from step 0;
* the dampener is evaluated at ``t + 1`` (it steps before the first update): ``LinearWarmup`` gives
  ``min(1, (t + 1)/τ)``, so step 0 is ``1/τ``; ``ExponentialWarmup`` ``1 − exp(−(t + 1)/τ)``;
* untuned warmups take ``τ`` from Adam's β₂ with ``int`` truncation: ``int(2/(1 − β₂))`` (linear),
  ``int(1/(1 − β₂))`` (exponential); ``RAdamWarmup`` uses RAdam's rectification term.

The wrapped scheduler is a torch ``(name, params)`` pair (``lr_scheduler``), or None for the dampener alone.

>>> FRAMEWORK.build("LinearWarmup", base_lr=1.0, warmup_period=4)([0, 1, 3, 9]).tolist()
[0.25, 0.5, 1.0, 1.0]
"""

from __future__ import annotations

from ..schedule import Decay, Product, Warmup, WarmupDecay
from . import torch as torch_lib
from .base import HEADER, REQUIRED, Call, args, common_refusal, framework, integer, number, refuse_if

FRAMEWORK = framework("pytorch_warmup", "pytorch_warmup", "Tony-Y/pytorch_warmup")


def _dampened(base_lr, warmup, lr_scheduler):
    w = WarmupDecay(base_lr, warmup, Decay("constant"), "multiply")
    if lr_scheduler is None:
        return w
    if not (isinstance(lr_scheduler, (list, tuple)) and len(lr_scheduler) == 2 and isinstance(lr_scheduler[1], dict)):
        raise ValueError(f"parameter 'lr_scheduler' must be a torch (name, params) pair or None, got {lr_scheduler!r}")
    name, params = lr_scheduler
    return Product([w, torch_lib.FRAMEWORK.build(name, base_lr, **params)], base_lr)


def _beta2(beta2):
    return number(beta2, "beta2", 0.0, 0.99999)


@FRAMEWORK.schedule("LinearWarmup", examples=[
    dict(base_lr=1e-3, warmup_period=50, lr_scheduler=("CosineAnnealingLR", dict(T_max=300))),
])
def linear_warmup(base_lr, warmup_period=REQUIRED, lr_scheduler=None):
    """LinearWarmup: min(1, (t + 1)/τ) times the wrapped scheduler (a torch (name, params) pair)."""
    period = integer(warmup_period, "warmup_period", 1)
    return _dampened(base_lr, Warmup("untuned_linear", period=period), lr_scheduler)


@FRAMEWORK.schedule("ExponentialWarmup", examples=[dict(base_lr=1e-3, warmup_period=20)])
def exponential_warmup(base_lr, warmup_period=REQUIRED, lr_scheduler=None):
    """ExponentialWarmup: 1 − exp(−(t + 1)/τ) times the wrapped scheduler."""
    period = integer(warmup_period, "warmup_period", 1)
    return _dampened(base_lr, Warmup("untuned_exponential", period=period), lr_scheduler)


@FRAMEWORK.schedule("UntunedLinearWarmup", examples=[
    dict(base_lr=1e-3, beta2=0.99, lr_scheduler=("StepLR", dict(step_size=100, gamma=0.5))),
])
def untuned_linear_warmup(base_lr, beta2=0.999, lr_scheduler=None):
    """UntunedLinearWarmup: τ = int(2/(1 − β₂))."""
    return _dampened(base_lr, Warmup("untuned_linear", beta2=_beta2(beta2)), lr_scheduler)


@FRAMEWORK.schedule("UntunedExponentialWarmup", examples=[dict(base_lr=1e-3, beta2=0.95)])
def untuned_exponential_warmup(base_lr, beta2=0.999, lr_scheduler=None):
    """UntunedExponentialWarmup: τ = int(1/(1 − β₂))."""
    return _dampened(base_lr, Warmup("untuned_exponential", beta2=_beta2(beta2)), lr_scheduler)


@FRAMEWORK.schedule("RAdamWarmup", examples=[
    dict(base_lr=1e-3, beta2=0.95, lr_scheduler=("ExponentialLR", dict(gamma=0.999))),
])
def radam_warmup(base_lr, beta2=0.999, lr_scheduler=None):
    """RAdamWarmup: RAdam's rectification term as a warmup factor."""
    b = _beta2(beta2)
    if not b > 0.6:
        raise ValueError(f"parameter 'beta2' must be > 0.6 for RAdam's rectification, got {beta2!r}")
    return _dampened(base_lr, Warmup("radam", beta2=b), lr_scheduler)


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d = s.warmup, s.decay
    common_refusal(s)
    refuse_if((w.method not in ("untuned_linear", "untuned_exponential", "radam"),
               "its warmups are the untuned linear / exponential and RAdam dampeners"),
              (s.convention != "multiply", "its dampener multiplies the scheduler's lr, both from step 0"))
    decay = torch_lib.FRAMEWORK.call(s.replace(warmup=Warmup()))
    inner = None if d.name == "constant" else (decay.name, decay.params)
    p = dict(w.params)
    if p.get("period") is not None:
        name = "LinearWarmup" if w.method == "untuned_linear" else "ExponentialWarmup"
        refuse_if((w.method == "radam", "RAdamWarmup has no warmup_period"))
        return Call(name, {"warmup_period": p["period"], "lr_scheduler": inner}, s.base_lr)
    name = {"untuned_linear": "UntunedLinearWarmup", "untuned_exponential": "UntunedExponentialWarmup",
            "radam": "RAdamWarmup"}[w.method]
    return Call(name, {"beta2": p["beta2"], "lr_scheduler": inner}, s.base_lr)


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    p = dict(call.params)
    inner = p.pop("lr_scheduler")
    sched = (f"lr_scheduler = torch.optim.lr_scheduler.{inner[0]}(optimizer, {args(**inner[1])})\n" if inner
             else "lr_scheduler = None\n")
    return (HEADER + "import pytorch_warmup as warmup\nimport torch\n\n"
            "model = torch.nn.Linear(10, 1)  # your model\n"
            f"optimizer = torch.optim.AdamW(model.parameters(), lr={call.base_lr!r})\n" + sched
            + f"warmup_scheduler = warmup.{call.name}(optimizer, {args(**p)})\n"
            "# in the loop: optimizer.step()\n"
            "#   with warmup_scheduler.dampening(): lr_scheduler and lr_scheduler.step()\n")
