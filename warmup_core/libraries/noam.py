"""The Noam schedule (Vaswani et al. 2017, §5.3; tensor2tensor's legacy ``noam``; absolute values).

Conventions (docs/conventions.md, "noam"):

* ``lr = factor · d_model^-0.5 · min(step^-0.5, step · warmup_steps^-1.5)`` with ``step = t + 1`` (the paper's
  1-based step): a clock offset of 1, so step 0 is already ``peak / warmup_steps``;
* linear warmup from 0 to the peak ``factor · d_model^-0.5 · warmup_steps^-0.5`` at ``step = warmup_steps``,
  **prepended** to ``1/sqrt`` decay with timescale ``warmup_steps``.

>>> s = FRAMEWORK.build("noam", d_model=4, warmup_steps=4)
>>> s([0, 3, 15]).round(6).tolist()
[0.0625, 0.25, 0.125]
"""

from __future__ import annotations

from ..schedule import Decay, Warmup, WarmupDecay
from .base import HEADER, Call, Refusal, framework, integer, positive, refuse_if

FRAMEWORK = framework("noam", "Noam", "Vaswani et al. 2017 §5.3; tensor2tensor learning_rate.py")


@FRAMEWORK.schedule("noam", absolute=True, examples=[dict(d_model=512, warmup_steps=40)])
def noam(base_lr, d_model=512, warmup_steps=4000, factor=1.0):
    """factor · d_model^−0.5 · min(step^−0.5, step · warmup^−1.5) with step = t + 1 (the paper's 1-based
    step; tensor2tensor's legacy 'noam' uses the same step + 1)."""
    W = integer(warmup_steps, "warmup_steps", 1)
    peak = positive(factor, "factor") * positive(d_model, "d_model") ** -0.5 * W ** -0.5
    return WarmupDecay(positive(peak, "factor · d_model^-0.5 · warmup_steps^-0.5"), Warmup("linear", steps=W),
                    Decay("inverse_sqrt", timescale=W), "prepend", offset=1)


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p = s.warmup, s.decay, s.decay_params
    if s.offset != 1 or w.target != "peak":
        raise Refusal("its step counter starts at 1 (a clock offset of 1) and its warmup ramps to the peak")
    refuse_if((w.method != "linear" or w.factor != 0 or s.convention != "prepend",
               "its warmup is linear from 0 and comes before the decay"),
              (d.name != "inverse_sqrt" or p["timescale"] != w.steps,
               "its decay is 1/sqrt(step) with the warmup length as timescale"))
    d_model = 512
    return Call("noam", {"d_model": d_model, "warmup_steps": w.steps,
                         "factor": s.base_lr * d_model ** 0.5 * w.steps ** 0.5})


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    p = call.params
    return (HEADER + "import torch\n\n"
            f"D_MODEL, WARMUP, FACTOR = {p['d_model']!r}, {p['warmup_steps']!r}, {p['factor']!r}\n\n\n"
            "def noam(t):\n"
            '    """lr of update t (0-based): the paper\'s step is t + 1."""\n'
            "    step = t + 1\n"
            "    return FACTOR * D_MODEL ** -0.5 * min(step ** -0.5, step * WARMUP ** -1.5)\n\n\n"
            "model = torch.nn.Linear(10, 1)  # your model\n"
            "optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)\n"
            "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, noam)\n"
            "# in the loop: optimizer.step(); scheduler.step()\n")
