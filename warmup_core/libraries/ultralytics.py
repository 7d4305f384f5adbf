"""Ultralytics YOLO training schedule (``ultralytics/engine/trainer.py`` ``BaseTrainer._setup_scheduler``,
``_get_warmup_iterations`` and the warmup block of ``_do_train``; ``ultralytics/utils/torch_utils.py``
``one_cycle``; ultralytics 8.4.190, golden values recorded from that code by scripts/make_ultralytics_golden.py).

Conventions (docs/conventions.md, "ultralytics"):

* The lr is set **per epoch** by a ``LambdaLR``: epoch ``e`` trains at ``lr0 · lf(e)``, with
  ``lf(e) = max(1 - e / epochs, 0) · (1 - lrf) + lrf`` (linear) or, with ``cos_lr``,
  ``lf(e) = max((1 - cos(e π / epochs)) / 2, 0) · (lrf - 1) + 1``: a staircase on the iteration clock.
* The warmup is **per iteration** and **multiplies**: for iteration ``ni <= nw`` the lr is
  ``np.interp(ni, [0, nw], [0, lr0 · lf(epoch)])`` (0 at step 0, the epoch's value at ``nw``), where
  ``nw = round(min(warmup_epochs, epochs - 1) · nb)`` (Python's round: 4.5 → 4) and ``nb`` is the number
  of batches per epoch (``len(train_loader)``, a fact the config does not hold).
* Values are absolute (``lr0``); the lr of the non-bias parameter groups is modelled.

Deliberate differences: the bias group's warmup (from ``warmup_bias_lr`` down to the lr) and the momentum
warmup are not learning rates of the main groups and are not modelled; ``optimizer="auto"`` (Ultralytics'
default) replaces ``lr0`` by its own choice, so give the lr the optimizer ends up with; after ``epochs``
(where training stops) the lr holds ``lr0 · lrf`` (the cosine lambda would rise again).
"""

from __future__ import annotations

import math

from ..schedule import Decay, Warmup, WarmupDecay
from .base import HEADER, Call, Refusal, args, flag, framework, integer, number, positive

FRAMEWORK = framework("ultralytics", "Ultralytics YOLO", "ultralytics/engine/trainer.py")


def _lf(e: int, epochs: int, lrf: float, cos_lr: bool) -> float:
    """The epoch lambda of ``BaseTrainer._setup_scheduler`` (``one_cycle(1, lrf, epochs)`` when cos_lr)."""
    if cos_lr:
        return max((1 - math.cos(e * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
    return max(1 - e / epochs, 0) * (1.0 - lrf) + lrf


@FRAMEWORK.schedule("train", absolute=True, examples=[
    dict(nb=100),
    dict(epochs=300, nb=50, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=True),
    dict(epochs=2, nb=10, warmup_epochs=5.0),
])
def train(base_lr, epochs=100, nb=None, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=False):
    """model.train(...): lr0 · lf(epoch) per epoch (linear or cos_lr to lr0·lrf), warmup from 0 per iteration
    over warmup_epochs (nb = batches per epoch)."""
    E = integer(epochs, "epochs", 1)
    if nb is None:
        raise ValueError("parameter 'nb' (batches per epoch, len(train_loader)) is needed: Ultralytics warms up "
                         "per iteration and steps its lambda per epoch")
    n = integer(nb, "nb", 1)
    lr = positive(lr0, "lr0")
    f = number(lrf, "lrf", 0.0, 1.0)
    cos = flag(cos_lr, "cos_lr")
    we = number(warmup_epochs, "warmup_epochs", 0.0)
    we = min(we, max(E - 1, 0))
    nw = round(we * n) if we > 0 else 0  # _get_warmup_iterations
    values = [_lf(e, E, f, cos) for e in range(E + 1)]  # epochs 0 .. E, the last held
    stairs = Decay("piecewise", milestones=[n * e for e in range(1, E + 1)], values=values)
    return WarmupDecay(lr, Warmup("linear", steps=nw, factor=0.0), stairs, "multiply", E * n)


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    """Ultralytics' schedule is its own shape (a per-epoch staircase); only a schedule built by ``train`` is
    written back, recognised from its staircase and checked by rebuilding it."""
    import numpy as np

    d, p = s.decay, s.decay_params
    if d.name != "piecewise" or s.convention != "multiply" or s.warmup.method not in ("none", "linear") \
            or s.warmup.factor != 0 or not p["milestones"] or s.offset:
        raise Refusal("Ultralytics steps its lr once per epoch (linear or cosine lambda, lr0 to lr0·lrf) under a "
                      "per-iteration warmup from 0; this schedule has another shape")
    n, E = p["milestones"][0], len(p["milestones"])
    values = p["values"]
    lrf = values[-1]
    cos = not math.isclose(values[1], _lf(1, E, lrf, False), rel_tol=1e-12) if E > 1 else False
    we = s.warmup.steps / n
    call = Call("train", {"epochs": E, "nb": n, "lr0": s.base_lr, "lrf": lrf, "warmup_epochs": we, "cos_lr": cos})
    try:
        back = FRAMEWORK.build(call.name, **call.params)
    except ValueError as e:
        raise Refusal(f"Ultralytics cannot take it: {e}") from None
    t = np.arange(n * (E + 2), dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal("its staircase is not Ultralytics' linear or cosine lambda")
    return call


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    c = {k: v for k, v in call.params.items() if k != "nb"}
    return (HEADER + f"# Ultralytics hyperparameters (nb = {call.params['nb']} batches per epoch); "
            "optimizer='SGD' keeps lr0 as given\n"
            f"model.train(data=..., optimizer='SGD', {args(**c)})\n")
