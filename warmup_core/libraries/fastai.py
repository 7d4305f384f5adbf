"""fastai schedules (``fastai/callback/schedule.py``: ``combine_scheds``, ``combined_cos``, ``Sched*``,
``Learner.fit_one_cycle``, ``Learner.fit_flat_cos``; ``fastai/callback/core.py`` ``TrainEvalCallback``;
fastai 2.8.12, golden values recorded from that code by scripts/make_fastai_golden.py).

Conventions (docs/conventions.md, "fastai"):

* A schedule is a function of the training position ``pos`` in [0, 1): batch ``t`` of a fit of ``n_epoch``
  epochs of ``n_iter`` batches (``len(dls.train)``, a fact the call does not hold) trains at
  ``pos = t / (n_epoch · n_iter)``; ``pos`` never reaches 1, so the last value is never quite reached.
* ``combine_scheds(pcts, scheds)`` runs phase ``i`` over the fraction ``pcts[i]`` of training, each on its
  own position in [0, 1): **prepend**-like phases. ``SchedCos(start, end)`` is a half-cosine,
  ``SchedLin`` a line, ``SchedNo`` holds ``start``.
* ``fit_one_cycle``: ``combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final)`` (a cosine warmup
  over ``pct_start`` of training, then a cosine down to ``lr_max/div_final``); ``fit_flat_cos``:
  ``lr`` held for ``pct_start``, then a cosine to ``lr/div_final``. ``lr_max`` / ``lr`` default to the
  Learner's lr (``base_lr``).

Deliberate differences: fastai computes the position inside a phase in float32 (its ``pcts`` are a float32
tensor) and accumulates ``pos`` by repeated addition; warmup_core computes in float64 (values agree to about
1e-7 relative). After the fit (``pos >= 1``, which fastai never evaluates) the last value is held.
``combine_scheds`` is modelled when its phases join without a jump and all changing phases are cosines or
all are lines (``SchedNo`` phases hold); ``SchedExp`` and ``SchedPoly`` are refused.
"""

from __future__ import annotations

from ..schedule import Decay, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, framework, integer, number, positive

FRAMEWORK = framework("fastai", "fastai", "fastai/callback/schedule.py")

_KINDS = {"SchedCos": "cosine", "SchedLin": "linear", "SchedNo": None}


def _n(n_epoch, n_iter):
    if n_iter is None:
        raise ValueError("parameter 'n_iter' (batches per epoch, len(dls.train)) is needed: fastai schedules by "
                         "the fraction of training done")
    return integer(n_epoch, "n_epoch", 1) * integer(n_iter, "n_iter", 1)


def _phases(pcts, segments, total, kind_name="scheds"):
    """Knots and values through the phases ``(pct, start, end, kind)``; ``WarmupDecay`` of them."""
    if abs(sum(pcts) - 1.0) > 0 and sum(pcts) != 1.0:
        raise ValueError(f"parameter 'pcts' must sum to 1, got {list(pcts)} (sum {sum(pcts)!r})")
    knots, values, kinds, pos = [], [], set(), 0.0
    for pct, (start, end, kind) in zip(pcts, segments):
        if pct == 0:
            continue  # an empty phase is never used
        if knots and values[-1] != start:
            raise ValueError(f"parameter {kind_name!r}: a phase starts at {start!r} where the one before ended at "
                             f"{values[-1]!r}; warmup_core's interpolation has no jump between phases")
        if not knots:
            knots.append(0.0)
            values.append(start)
        pos += pct
        knots.append(pos * total)
        values.append(end)
        if kind is not None and start != end:
            kinds.add(kind)
    if len(kinds) > 1:
        raise ValueError(f"parameter {kind_name!r}: cosine and linear phases mixed; warmup_core models one kind "
                         "of interpolation per schedule")
    top = max(values)
    if top <= 0:
        raise ValueError("every phase is at 0: no learning rate to schedule")
    if len(knots) == 2 and values[0] == values[1]:
        return WarmupDecay(top, total_steps=total)
    knots[-1] = float(total)  # the cumulative sum is 1 (checked): the last knot is the end of training
    return WarmupDecay(top, decay=Decay("knots", knots=knots, values=[v / top for v in values],
                                        anneal=kinds.pop() if kinds else "linear"), total_steps=total)


def _pct(pct_start):
    return number(pct_start, "pct_start", 0.0, 1.0)


@FRAMEWORK.schedule("fit_one_cycle", examples=[
    dict(base_lr=1e-3, n_epoch=5, n_iter=100),
    dict(base_lr=1e-3, n_epoch=1, n_iter=50, lr_max=3e-3, pct_start=0.0),
])
def fit_one_cycle(base_lr, n_epoch=REQUIRED, lr_max=None, div=25.0, div_final=1e5, pct_start=0.25, n_iter=None):
    """Learner.fit_one_cycle: cosine up from lr_max/div to lr_max over pct_start, then down to lr_max/div_final."""
    total = _n(n_epoch, n_iter)
    lr = positive(base_lr if lr_max is None else lr_max, "lr_max")
    d, f, p = positive(div, "div"), positive(div_final, "div_final"), _pct(pct_start)
    return _phases([p, 1 - p], [(lr / d, lr, "cosine"), (lr, lr / f, "cosine")], total, "pct_start")


@FRAMEWORK.schedule("fit_flat_cos", examples=[
    dict(base_lr=1e-3, n_epoch=5, n_iter=100),
    dict(base_lr=1e-3, n_epoch=2, n_iter=10, lr=0.01, pct_start=1.0),
])
def fit_flat_cos(base_lr, n_epoch=REQUIRED, lr=None, div_final=1e5, pct_start=0.75, n_iter=None):
    """Learner.fit_flat_cos: lr held for pct_start of training, then a cosine down to lr/div_final."""
    total = _n(n_epoch, n_iter)
    v = positive(base_lr if lr is None else lr, "lr")
    f, p = positive(div_final, "div_final"), _pct(pct_start)
    return _phases([p, 1 - p], [(v, v, "cosine"), (v, v / f, "cosine")], total, "pct_start")


@FRAMEWORK.schedule("combine_scheds", absolute=True, examples=[
    dict(n_epoch=4, n_iter=100, pcts=[0.1, 0.9], scheds=[("SchedLin", dict(start=1e-5, end=1e-3)),
                                                       ("SchedLin", dict(start=1e-3, end=0.0))]),
    dict(n_epoch=1, n_iter=100, pcts=[0.3, 0.7], scheds=[("SchedCos", dict(start=1e-4, end=1e-3)),
                                                       ("SchedCos", dict(start=1e-3, end=1e-6))]),
])
def combine_scheds(base_lr, pcts=REQUIRED, scheds=REQUIRED, n_epoch=REQUIRED, n_iter=None):
    """combine_scheds: phase i (SchedCos/SchedLin/SchedNo from start to end) over the fraction pcts[i] of the fit."""
    total = _n(n_epoch, n_iter)
    if isinstance(pcts, (str, bytes)) or not isinstance(pcts, (list, tuple)) or not pcts:
        raise ValueError(f"parameter 'pcts' must be a non-empty list of fractions, got {pcts!r}")
    fr = [number(p, "pcts", 0.0, 1.0) for p in pcts]
    if isinstance(scheds, (str, bytes)) or not isinstance(scheds, (list, tuple)) or len(scheds) != len(fr):
        raise ValueError(f"parameter 'scheds' must list one (name, params) pair per entry of pcts ({len(fr)}), "
                         f"got {scheds!r}")
    segments = []
    for item in scheds:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], dict)):
            raise ValueError(f"parameter 'scheds': each must be a (name, params) pair, got {item!r}")
        name, p = item
        if name not in _KINDS:
            raise ValueError(f"parameter 'scheds': {name!r} is not modelled; modelled are {sorted(_KINDS)}")
        if set(p) - {"start", "end"} or "start" not in p or "end" not in p:
            raise ValueError(f"parameter 'scheds': {name} takes start and end, got {sorted(p)}")
        start, end = number(p["start"], "start", 0.0), number(p["end"], "end", 0.0)
        segments.append((start, start if name == "SchedNo" else end, _KINDS[name]))
    return _phases(fr, segments, total)


# --- core -> fastai --------------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    """A schedule of knots (what fastai's phases are) as combine_scheds; others are refused."""
    if s.warmup.method != "none" or s.offset or s.decay.name != "knots" or not s.total_steps:
        raise Refusal("fastai schedules are phases over the fraction of training (combine_scheds); this schedule "
                      "is a warmup joined to a decay")
    p = s.decay_params
    knots, values, total = list(p["knots"]), list(p["values"]), s.total_steps
    if knots[0] != 0 or knots[-1] != total:
        raise Refusal("fastai's phases cover the fit from its first batch to its end")
    kind = "SchedCos" if p["anneal"] == "cosine" else "SchedLin"
    pcts = [(b - a) / total for a, b in zip(knots, knots[1:])]
    scheds = [(kind, {"start": v0 * s.base_lr, "end": v1 * s.base_lr}) for v0, v1 in zip(values, values[1:])]
    call = Call("combine_scheds", {"pcts": pcts, "scheds": scheds, "n_epoch": 1, "n_iter": total})
    import numpy as np

    back = FRAMEWORK.build(call.name, **call.params)
    t = np.arange(2 * total + 2, dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal("fastai's phase fractions cannot place these knots exactly")
    return call


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    c = call.params
    scheds = ", ".join(f"{n}({p['start']!r}, {p['end']!r})" for n, p in c["scheds"])
    return (HEADER + "from fastai.callback.schedule import ParamScheduler, combine_scheds, SchedCos, SchedLin\n\n"
            f"sched = combine_scheds({c['pcts']!r}, [{scheds}])\n"
            f"learn.fit(n_epoch, cbs=ParamScheduler({{'lr': sched}}))  # {c['n_iter']} batches in all\n")
