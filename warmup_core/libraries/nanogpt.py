"""nanoGPT (karpathy/nanoGPT ``train.py`` ``get_lr(it)``; absolute values).

Conventions (docs/conventions.md, "nanogpt"):

* step 0 is ``learning_rate · 1/(warmup_iters + 1)`` since PR #578 (2024-12, ``version="2024-12"``); before,
  ``learning_rate · it/warmup_iters`` (0 at step 0, ``version="2023"``);
* the warmup is **prepended**; ``lr_decay_iters`` counts the warmup; the cosine reaches ``min_lr`` there and
  ``min_lr`` is held after it (clamped).

>>> s = FRAMEWORK.build("get_lr", learning_rate=1.0, warmup_iters=3, lr_decay_iters=7, min_lr=0.0)
>>> s([0, 3, 5, 7, 9]).round(6).tolist()
[0.25, 1.0, 0.5, 0.0, 0.0]
"""

from __future__ import annotations

from ..schedule import Decay, Warmup, WarmupDecay
from .base import HEADER, Call, common_refusal, constant_decay, flag, framework, integer, positive, ratio, refuse_if

FRAMEWORK = framework("nanogpt", "nanoGPT", "karpathy/nanoGPT train.py")
VERSIONS = ("2024-12", "2023")


def _factor(W: int, version: str) -> float:
    return 1.0 / (W + 1) if version == "2024-12" else 0.0


@FRAMEWORK.schedule("get_lr", absolute=True, examples=[
    dict(learning_rate=6e-4, warmup_iters=20, lr_decay_iters=300, min_lr=6e-5),
    dict(learning_rate=6e-4, warmup_iters=20, lr_decay_iters=300, min_lr=6e-5, version="2023"),
    dict(learning_rate=6e-4, decay_lr=False),
])
def get_lr(base_lr, learning_rate=6e-4, warmup_iters=2000, lr_decay_iters=600000, min_lr=6e-5, decay_lr=True,
           version="2024-12"):
    """get_lr: warmup lr·(it+1)/(W+1) (since 2024-12; before: lr·it/W), cosine to min_lr at lr_decay_iters."""
    lr = positive(learning_rate, "learning_rate")
    if not flag(decay_lr, "decay_lr"):
        return WarmupDecay(lr)
    if version not in VERSIONS:
        raise ValueError(f"parameter 'version' must be '2024-12' (after PR #578) or '2023', got {version!r}")
    W, Dn = integer(warmup_iters, "warmup_iters"), integer(lr_decay_iters, "lr_decay_iters")
    floor = ratio(min_lr, lr, "min_lr", "learning_rate")
    if Dn == W:
        raise ValueError("lr_decay_iters equals warmup_iters: nanoGPT divides by zero at that step")
    decay = Decay("cosine", steps=Dn - W, floor=floor) if Dn > W else constant_decay(floor)
    return WarmupDecay(lr, Warmup("linear", steps=W, factor=_factor(W, version)), decay, "prepend", max(Dn, 1))


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p = s.warmup, s.decay, s.decay_params
    common_refusal(s)
    refuse_if((w.method not in ("none", "linear") or w.steps and s.convention != "prepend",
               "its warmup is linear and comes before the decay"),
              (w.steps and w.factor not in (_factor(w.steps, v) for v in VERSIONS),
               "its warmup starts at 1/(warmup_iters + 1) of the lr (0 before 2024-12)"))
    version = "2024-12" if w.steps and w.factor else "2023"
    lr = s.base_lr
    if d.name == "constant":
        refuse_if((w.steps, "without decay (decay_lr=False) it has no warmup"))
        return Call("get_lr", {"learning_rate": lr, "decay_lr": False})
    refuse_if((d.name != "cosine" or not p["clamp"] or (p["cycles"], p["exponent"]) != (0.5, 1.0),
               "its decay is a half cosine held at min_lr after lr_decay_iters"))
    return Call("get_lr", {"learning_rate": lr, "warmup_iters": w.steps, "lr_decay_iters": w.steps + p["steps"],
                           "min_lr": p["floor"] * lr, "decay_lr": True, "version": version})


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    p = call.params
    lines = [f"{k} = {v!r}" for k, v in p.items() if k != "version"]
    return (HEADER + "# nanoGPT config (e.g. config/train_gpt2.py), read by train.py's get_lr(it)"
            + (f"; get_lr as of {p['version']}" if "version" in p else "") + "\n" + "\n".join(lines) + "\n")
