"""tensorflow-yolov3 (YunYang1994/tensorflow-yolov3 ``train.py`` lines 64-77; ``global_step`` starts at 1).

Conventions (docs/conventions.md, "yolov3"):

* absolute values: ``learn_rate_init`` → ``learn_rate_end``; the counter starts at 1, so update ``t`` is
  evaluated at ``t + 1`` (a clock offset of 1) and step 0 is ``learn_rate_init / warmup_steps``;
* linear warmup ``global_step / warmup_steps · init``, **prepended** to a cosine that reaches
  ``learn_rate_end`` at ``train_steps`` (which counts the warmup) and is not clamped after it;
* ``warmup_steps`` and ``train_steps`` are epochs × steps per epoch in the script: warmup_core takes steps.

>>> s = FRAMEWORK.build("learn_rate", learn_rate_init=1.0, learn_rate_end=0.0, warmup_steps=2, train_steps=6)
>>> s([0, 1, 3, 5]).round(6).tolist()
[0.5, 1.0, 0.5, 0.0]
"""

from __future__ import annotations

from ..schedule import Decay, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, framework, integer, positive, ratio, refuse_if

FRAMEWORK = framework("yolov3", "tf-yolov3", "YunYang1994/tensorflow-yolov3 train.py")


@FRAMEWORK.schedule("learn_rate", absolute=True, examples=[
    dict(learn_rate_init=1e-4, learn_rate_end=1e-6, warmup_steps=20, train_steps=300),
])
def learn_rate(base_lr, learn_rate_init=1e-4, learn_rate_end=1e-6, warmup_steps=REQUIRED, train_steps=REQUIRED):
    """Linear warmup t/W · init, then cosine to learn_rate_end at train_steps; the counter starts at 1."""
    W, T = integer(warmup_steps, "warmup_steps"), integer(train_steps, "train_steps", 1)
    if T <= W:
        raise ValueError(f"train_steps ({T}) must exceed warmup_steps ({W}): tf-yolov3 divides by "
                         "train_steps - warmup_steps")
    I = positive(learn_rate_init, "learn_rate_init")
    floor = ratio(learn_rate_end, I, "learn_rate_end", "learn_rate_init")
    return WarmupDecay(I, Warmup("linear", steps=W, factor=0.0), Decay("cosine", steps=T - W, floor=floor, clamp=False),
                    "prepend", T, offset=1)


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p = s.warmup, s.decay, s.decay_params
    if s.offset != 1 or s.warmup.target != "peak":
        raise Refusal("its step counter starts at 1 (a clock offset of 1) and its warmup ramps to the peak")
    refuse_if((w.method not in ("none", "linear") or w.factor != 0, "its warmup is linear from 0"),
              (w.steps and s.convention != "prepend", "its warmup comes before the decay"),
              (d.name != "cosine" or p["clamp"] or (p["cycles"], p["exponent"]) != (0.5, 1.0),
               "its decay is a half cosine that is not clamped after train_steps"),
              (s.total_steps != w.steps + p.get("steps", -1), "its cosine ends exactly at train_steps"))
    lr = s.base_lr
    return Call("learn_rate", {"learn_rate_init": lr, "learn_rate_end": p["floor"] * lr, "warmup_steps": w.steps,
                               "train_steps": s.total_steps})


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    p = call.params
    return (HEADER + "# tensorflow-yolov3 core/config.py (steps = epochs x steps per epoch in train.py)\n"
            f"__C.TRAIN.LEARN_RATE_INIT = {p['learn_rate_init']!r}\n"
            f"__C.TRAIN.LEARN_RATE_END = {p['learn_rate_end']!r}\n"
            f"# train.py: self.warmup_steps = {p['warmup_steps']}; train_steps = {p['train_steps']}\n")
