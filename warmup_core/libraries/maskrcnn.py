"""maskrcnn-benchmark ``maskrcnn_benchmark/solver/lr_scheduler.py`` (``WarmupMultiStepLR``, stepped per iteration).

Conventions (docs/conventions.md, "maskrcnn"):

* step 0 is ``warmup_factor`` × lr (``"constant"``: held; ``"linear"``: ``factor · (1 − t/W) + t/W``);
* the warmup **multiplies** the multi-step decay, both clocks from step 0;
* a milestone's own step already has the decayed value (``bisect_right``).

>>> FRAMEWORK.build("WarmupMultiStepLR", base_lr=0.3, milestones=[4], warmup_iters=2)([0, 1, 2, 4]).round(6).tolist()
[0.1, 0.2, 0.3, 0.03]
"""

from __future__ import annotations

from ..schedule import Decay, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, args, common_refusal, framework, int_list, integer, number, refuse_if

FRAMEWORK = framework("maskrcnn", "maskrcnn-benchmark", "maskrcnn_benchmark/solver/lr_scheduler.py")


@FRAMEWORK.schedule("WarmupMultiStepLR", examples=[
    dict(base_lr=0.02, milestones=[200, 250]),
    dict(base_lr=0.02, milestones=[200], warmup_method="constant", warmup_iters=30, warmup_factor=0.1),
])
def warmup_multistep_lr(base_lr, milestones=REQUIRED, gamma=0.1, warmup_factor=1.0 / 3, warmup_iters=500,
                        warmup_method="linear"):
    """WarmupMultiStepLR: warmup factor × gamma^(milestones passed), both from step 0 (multiply)."""
    m = int_list(milestones, "milestones")
    if m != sorted(m):
        raise ValueError(f"Milestones should be a list of increasing integers. Got {m} (parameter 'milestones')")
    if warmup_method not in ("constant", "linear"):
        raise ValueError(f"Only 'constant' or 'linear' warmup_method accepted got {warmup_method!r}")
    W = integer(warmup_iters, "warmup_iters")
    factor = number(warmup_factor, "warmup_factor", 0.0, 1.0)
    g = number(gamma, "gamma", 0.0, 1.0)
    if g == 0:
        raise ValueError("parameter 'gamma' = 0 makes the lr 0 from the first milestone on; warmup_core needs > 0")
    decay = Decay("multistep", milestones=m, gamma=g)
    return WarmupDecay(base_lr, Warmup(warmup_method, steps=W, factor=factor), decay, "multiply")


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p = s.warmup, s.decay, s.decay_params
    common_refusal(s)
    refuse_if((d.name not in ("multistep", "constant") or p.get("boundary", "at") != "at",
               "its decay is multi-step, decaying at each milestone's own step"),
              (w.method not in ("none", "constant", "linear"), "its warmups are constant or linear"),
              (w.steps and s.convention != "multiply", "its warmup multiplies the decay, both from step 0"))
    warm = {"warmup_factor": w.factor, "warmup_iters": w.steps, "warmup_method": w.method} if w.steps else \
        {"warmup_iters": 0}
    return Call("WarmupMultiStepLR", {"milestones": list(p.get("milestones", [])), "gamma": p.get("gamma", 0.1),
                                      **warm}, s.base_lr)


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    return (HEADER + "import torch\nfrom maskrcnn_benchmark.solver.lr_scheduler import WarmupMultiStepLR\n\n"
            "model = torch.nn.Linear(10, 1)  # your model\n"
            f"optimizer = torch.optim.SGD(model.parameters(), lr={call.base_lr!r})\n"
            f"scheduler = WarmupMultiStepLR(optimizer, {args(**call.params)})\n"
            "# in the loop: optimizer.step(); scheduler.step()\n")
