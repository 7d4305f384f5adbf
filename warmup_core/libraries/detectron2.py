"""detectron2 / fvcore: ``LRMultiplier`` over fvcore ``ParamScheduler`` trees, and ``build_lr_scheduler``.

Sources: ``fvcore/common/param_scheduler.py`` (fvcore 0.1.5.post20221221, pinned in requirements-dev.txt:
the tests run it live) and ``detectron2/solver/lr_scheduler.py`` + ``detectron2/solver/build.py`` at
facebookresearch/detectron2 commit 02b5c4e2 (not on PyPI: the tests run verbatim copies of those functions,
tests/golden/detectron2_solver.py, over the real fvcore).

Conventions (docs/conventions.md, "detectron2"):

* A ``ParamScheduler`` is a function of ``where = t / max_iter`` in [0, 1); ``LRMultiplier`` multiplies
  every group's lr by it (``lr(0) = base_lr · multiplier(0)``). Here each ParamScheduler is given as a
  ``(class name, params)`` pair; the ParamScheduler entries take one more parameter, ``max_iter``, the
  ``LRMultiplier`` they run in.
* ``WarmupParamScheduler`` (detectron2's default, ``rescale_interval=False``) **overrides**: the warmup
  ramps from ``warmup_factor · sched(0)`` to the value the schedule already has at the warmup's end, and
  the schedule keeps the global clock. ``rescale_interval=True`` **prepends**: ramp to ``sched(0)``, the
  schedule squeezed into the rest. ``warmup_length`` is a fraction of ``max_iter``
  (``build_lr_scheduler``: ``min(WARMUP_ITERS / MAX_ITER, 1.0)``).
* ``CompositeParamScheduler`` switches stage when ``where + 1e-6`` passes a stage end, and
  ``MultiStepParamScheduler`` reads ``int((where + 1e-6) · num_updates)``: with ``max_iter`` above 10^6
  that epsilon moves a milestone one step early; the switch steps here are found with the same float
  arithmetic, so they agree.
* ``build_lr_scheduler``'s parameters are the ``SOLVER`` keys of a detectron2 config (``base_lr`` is
  ``SOLVER.BASE_LR``); ``STEPS`` beyond ``MAX_ITER`` are dropped, as detectron2 does.

Deliberate differences: after ``max_iter`` detectron2's trainer has stopped (fvcore raises for ``where > 1``
in most schedulers); here the schedule goes on with its last stage's closed form, held where that ends.
Stage lengths must be whole numbers of steps (``length · max_iter``), and a ``max_iter`` above 10^6 where the
epsilon would move a continuous stage's start is refused.
"""

from __future__ import annotations

import bisect
import math

from ..schedule import Decay, Join, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, constant_decay, flag, framework, integer, number, positive

FRAMEWORK = framework("detectron2", "detectron2 / fvcore", "detectron2/solver/lr_scheduler.py")

WHERE_EPSILON = 1e-6  # fvcore ParamScheduler.WHERE_EPSILON


class _Clock:
    """How a stage sees ``where``: ``t / max_iter`` mapped through each enclosing rescaled stage,
    ``(w - start) / length``, in fvcore's float arithmetic (for step thresholds), and the same as
    ``(t - t0) / span`` in steps (for the closed forms)."""

    def __init__(self, N, maps=()):
        self.N, self.maps = N, tuple(maps)

    def where(self, t: int) -> float:
        w = t / self.N
        for start, length in self.maps:
            w = (w - start) / length
        return w

    def rescaled(self, start, length) -> _Clock:
        return _Clock(self.N, self.maps + ((start, length),))

    @property
    def affine(self) -> tuple[float, float]:
        t0, span = 0.0, float(self.N)
        for start, length in self.maps:
            t0, span = t0 + start * span, length * span
        return t0, span

    def first(self, begin: int, reached) -> int:
        """The first step ``t >= begin`` where ``reached(where(t))`` holds (it stays true after)."""
        t0, span = self.affine
        lo, hi = begin, max(begin, 1)
        while not reached(self.where(hi)):  # exponential search, then bisection
            lo, hi = hi, 2 * hi
            if hi > 2**52:
                raise ValueError("a stage never ends: check the lengths and max_iter")
        while lo < hi:
            mid = (lo + hi) // 2
            if reached(self.where(mid)):
                hi = mid
            else:
                lo = mid + 1
        return lo


def _steps(x: float, what: str) -> int:
    n = round(x)
    if abs(x - n) > 1e-9 * max(1.0, abs(x)):
        raise ValueError(f"{what} is {x!r} steps: warmup_core needs whole steps (choose lengths · max_iter integral)")
    return n


def _spec(item):
    if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
            and isinstance(item[1], dict)):
        raise ValueError(f"a ParamScheduler must be a (class name, params) pair, got {item!r}")
    name, params = item
    if name not in _LEAVES and name not in _TREES:
        raise ValueError(f"unknown fvcore ParamScheduler {name!r}; valid names are {sorted(_LEAVES) + sorted(_TREES)}")
    return name, params


def _compile(item, clock: _Clock, begin: int, scale: float):
    """The Curve of ParamScheduler ``item`` times ``scale`` on a clock that starts at global step ``begin``."""
    name, params = _spec(item)
    if name in _TREES:
        return _TREES[name](clock, begin, scale, **params)
    t0, span = clock.affine
    if name in _STEPWISE:  # its thresholds are found on the local clock already
        return _LEAVES[name](clock, begin, scale, span, **params)
    offset = begin - _steps(t0, "a stage start")
    if offset < 0:
        raise ValueError("with max_iter above 10^6 fvcore's 1e-6 epsilon starts a stage one step before its "
                         "nominal start; warmup_core does not model that")
    return _LEAVES[name](clock, begin, scale, span, **params).replace(offset=offset)


def _value_at(item, clock: _Clock, where: float) -> float:
    """``item(where)``: the value at the step where the clock reads ``where``."""
    t0, span = clock.affine
    b = _steps(t0, "a stage start")
    return float(_compile(item, clock, b, 1.0)(_steps(t0 + where * span, "warmup_length · max_iter") - b))


def _const(v, scale):
    v = number(v, "value", 0.0)
    return WarmupDecay(scale * v) if v > 0 else WarmupDecay(scale, decay=constant_decay(0.0))


def _ramp(start, end, span, scale, kind):
    """``start → end`` over ``span`` steps: a decay if it falls, a warmup (then held) if it rises."""
    s, e = number(start, "start_value", 0.0), number(end, "end_value", 0.0)
    L = _steps(span, "a stage")
    if s == e or L == 0:
        return _const(s, scale)
    if s > e:
        decay = Decay("linear", steps=L, floor=e / s) if kind == "linear" else \
            Decay("cosine", steps=L, floor=e / s)  # held at the end: detectron2 stops at max_iter
        return WarmupDecay(scale * s, decay=decay)
    return WarmupDecay(scale * e, Warmup(kind, steps=L, factor=s / e), Decay("constant"))


def _thresholds(clock, begin, count, index_at):
    """Steps (on the local clock) where ``index_at(where)`` reaches 1, 2, ..., count - 1."""
    return [clock.first(begin, lambda w, k=k: index_at(w) >= k) - begin for k in range(1, count)]


def _stepwise(clock, begin, scale, values, index_at):
    values = [number(v, "values", 0.0) for v in values]
    top = max(values)
    if top == 0:
        return WarmupDecay(scale, decay=constant_decay(0.0))
    local = _thresholds(clock, begin, len(values), index_at)
    return WarmupDecay(scale * top, decay=Decay("piecewise", milestones=local, values=[v / top for v in values]))


# --- leaves: fvcore's ParamSchedulers ------------------------------------------------------------

def _constant(clock, begin, scale, span, value=REQUIRED):
    return _const(value, scale)


def _linear(clock, begin, scale, span, start_value=REQUIRED, end_value=REQUIRED):
    return _ramp(start_value, end_value, span, scale, "linear")


def _cosine(clock, begin, scale, span, start_value=REQUIRED, end_value=REQUIRED):
    return _ramp(start_value, end_value, span, scale, "cosine")


def _exponential(clock, begin, scale, span, start_value=REQUIRED, decay=REQUIRED):
    v, g = positive(start_value, "start_value"), number(decay, "decay", 0.0, 1.0)
    if g == 0:
        raise ValueError("parameter 'decay' must be > 0, got 0")
    return WarmupDecay(scale * v, decay=Decay("exponential", gamma=g, period=span))


def _polynomial(clock, begin, scale, span, base_value=REQUIRED, power=REQUIRED):
    return WarmupDecay(scale * positive(base_value, "base_value"),
                    decay=Decay("polynomial", steps=_steps(span, "a stage"), power=number(power, "power", 0.0)))


def _multistep(clock, begin, scale, span, values=REQUIRED, num_updates=None, milestones=None):
    values = list(values)
    if num_updates is None and milestones is None:
        raise ValueError("num_updates and milestones cannot both be None")
    if milestones is None:
        U = integer(num_updates, "num_updates", 1)
        width = math.ceil(U / float(len(values)))
        milestones = [width * (i + 1) for i in range(len(values) - 1)]
    else:
        milestones = [integer(m, "milestones") for m in milestones]
        if len(milestones) != len(values) - int(num_updates is not None):
            n = len(values) - int(num_updates is not None)
            raise ValueError(f"MultiStep scheduler requires a list of {n} miletones (parameter 'milestones')")
        if num_updates is None:
            num_updates, milestones = milestones[-1], milestones[:-1]
        U = integer(num_updates, "num_updates", 1)
    if U < len(values):
        raise ValueError("Total num_updates must be greater than length of param schedule")
    start = 0
    for m in milestones:
        if m >= U:
            raise ValueError("Milestone must be smaller than total number of updates: "
                             f"num_updates={U}, milestone={m}")
        if start >= m:
            raise ValueError(f"Milestone must be smaller than start epoch: start_epoch={start}, milestone={m}")
        start = m
    return _stepwise(clock, begin, scale, values,
                     lambda w: bisect.bisect_right(milestones, int((w + WHERE_EPSILON) * U)))


def _step(clock, begin, scale, span, num_updates=REQUIRED, values=REQUIRED):
    if not number(num_updates, "num_updates") > 0:
        raise ValueError("Number of updates must be larger than 0")
    values = list(values) if isinstance(values, (list, tuple)) else []
    if not values:
        raise ValueError("Step scheduler requires a list of at least one param value")
    n = len(values)
    return _stepwise(clock, begin, scale, values, lambda w: int((w + WHERE_EPSILON) * n))


def _step_fixed_gamma(clock, begin, scale, span, base_value=REQUIRED, num_decays=REQUIRED, gamma=REQUIRED,
                      num_updates=REQUIRED):
    base, g = positive(base_value, "base_value"), positive(gamma, "gamma")
    values = [base]
    for _ in range(integer(num_decays, "num_decays", 1)):
        values.append(values[-1] * g)
    integer(num_updates, "num_updates", 1)
    return _step(clock, begin, scale, span, num_updates, values)


_LEAVES = {"ConstantParamScheduler": _constant, "LinearParamScheduler": _linear,
           "CosineParamScheduler": _cosine, "ExponentialParamScheduler": _exponential,
           "PolynomialDecayParamScheduler": _polynomial, "MultiStepParamScheduler": _multistep,
           "StepParamScheduler": _step, "StepWithFixedGammaParamScheduler": _step_fixed_gamma}


# --- trees: CompositeParamScheduler and detectron2's WarmupParamScheduler -----------------------

def _composite(clock, begin, scale, schedulers=REQUIRED, lengths=REQUIRED, interval_scaling=REQUIRED):
    schedulers, lengths = list(schedulers), [number(x, "lengths", 0.0) for x in lengths]
    if len(schedulers) != len(lengths):
        raise ValueError("Schedulers and lengths must be same length")
    if not schedulers:
        raise ValueError("There must be at least one scheduler in the composite scheduler")
    if abs(sum(lengths) - 1.0) >= 1e-3:
        raise ValueError("The sum of all values in lengths must be 1")
    if sum(lengths) != 1.0:
        lengths[-1] = 1.0 - sum(lengths[:-1])
    scaling = list(interval_scaling)
    if len(scaling) != len(schedulers) or any(s not in ("rescaled", "fixed") for s in scaling):
        raise ValueError(f"Unsupported interval_scaling: {interval_scaling!r} (one 'rescaled' or 'fixed' per "
                         "scheduler)")
    parts, starts, running = [], [], 0.0
    for i, (item, length, how) in enumerate(zip(schedulers, lengths, scaling)):
        stage_start = running
        running += length
        # fvcore runs stage i while where + eps <= running total (the last stage for ever after)
        first = begin if i == 0 else clock.first(begin, lambda w, r=stage_start: w + WHERE_EPSILON > r)
        if length == 0 and i < len(schedulers) - 1:
            continue
        if length == 0:  # a last stage of length 0: fvcore divides by zero there; hold the stage before
            break
        stage_clock = clock.rescaled(stage_start, length) if how == "rescaled" else clock
        parts.append(_compile(item, stage_clock, first, scale))
        starts.append(first)
    return parts[0] if len(parts) == 1 else Join(parts, [s - begin for s in starts[1:]])


def _warmup_param(clock, begin, scale, scheduler=REQUIRED, warmup_factor=REQUIRED, warmup_length=REQUIRED,
                  warmup_method="linear", rescale_interval=False):
    wl = number(warmup_length, "warmup_length", 0.0, 1.0)
    factor = number(warmup_factor, "warmup_factor", 0.0)
    rescale = flag(rescale_interval, "rescale_interval")
    if warmup_method not in ("linear", "constant"):
        raise ValueError(f"Unknown warmup method: {warmup_method}")
    first = _value_at(scheduler, clock, 0.0)
    end = first if rescale else _value_at(scheduler, clock, wl)
    warm = ("ConstantParamScheduler", {"value": factor * first}) if warmup_method == "constant" else \
        ("LinearParamScheduler", {"start_value": factor * first, "end_value": end})
    return _composite(clock, begin, scale, [warm, scheduler], [wl, 1 - wl],
                      ["rescaled", "rescaled" if rescale else "fixed"])


_STEPWISE = ("MultiStepParamScheduler", "StepParamScheduler", "StepWithFixedGammaParamScheduler")
_TREES = {"CompositeParamScheduler": _composite, "WarmupParamScheduler": _warmup_param}


_MULTISTEP = dict(values=[1.0, 0.1, 0.01], milestones=[600, 800], num_updates=1000)  # examples: 1x-style drops


# --- entries ---------------------------------------------------------------------------------------

def _multiplied(base_lr, multiplier, max_iter):
    N = integer(max_iter, "max_iter", 1)
    return _compile(multiplier, _Clock(N), 0, positive(base_lr, "base_lr"))


@FRAMEWORK.schedule("LRMultiplier", examples=[
    dict(base_lr=0.02, max_iter=1000, multiplier=("WarmupParamScheduler", dict(
        scheduler=("MultiStepParamScheduler", _MULTISTEP), warmup_factor=0.001, warmup_length=0.01))),
    dict(base_lr=0.02, max_iter=1000, multiplier=("CosineParamScheduler", dict(start_value=1.0, end_value=0.0))),
])
def lr_multiplier(base_lr, multiplier=REQUIRED, max_iter=REQUIRED, last_iter=-1):
    """LRMultiplier: base_lr · multiplier(t / max_iter); multiplier is a (ParamScheduler name, params) pair."""
    if last_iter != -1:
        raise ValueError("parameter 'last_iter' must be -1 (a fresh schedule)")
    return _multiplied(base_lr, multiplier, max_iter)


def _entry(name, doc):
    def fn(base_lr, max_iter=REQUIRED, **params):
        return _multiplied(base_lr, (name, params), max_iter)
    fn.__doc__ = doc
    return fn


def _register_param_schedulers():
    import inspect

    examples = {
        "WarmupParamScheduler": [dict(base_lr=0.02, max_iter=1000, warmup_factor=0.001, warmup_length=0.01,
                                      scheduler=("MultiStepParamScheduler", _MULTISTEP)),
                                 dict(base_lr=0.02, max_iter=1000, warmup_factor=0.1, warmup_length=0.1,
                                      rescale_interval=True,
                                      scheduler=("CosineParamScheduler", dict(start_value=1.0, end_value=0.0)))],
        "CompositeParamScheduler": [dict(base_lr=0.02, max_iter=1000, lengths=[0.1, 0.9],
                                         interval_scaling=["rescaled", "fixed"],
                                         schedulers=[("LinearParamScheduler", dict(start_value=0.0, end_value=1.0)),
                                                     ("CosineParamScheduler", dict(start_value=1.0, end_value=0.0))])],
        "MultiStepParamScheduler": [dict(base_lr=0.02, max_iter=1000, **_MULTISTEP)],
        "CosineParamScheduler": [dict(base_lr=0.02, max_iter=1000, start_value=1.0, end_value=0.01)],
        "LinearParamScheduler": [dict(base_lr=0.02, max_iter=1000, start_value=1.0, end_value=0.0)],
    }
    docs = {
        "WarmupParamScheduler": "WarmupParamScheduler in LRMultiplier(max_iter): warmup overrides (ramps to the "
                                "schedule's value) unless rescale_interval.",
        "CompositeParamScheduler": "CompositeParamScheduler in LRMultiplier(max_iter): stages by fraction of "
                                   "training, each 'rescaled' or on the 'fixed' global clock.",
        "MultiStepParamScheduler": "MultiStepParamScheduler in LRMultiplier(max_iter): values[i] after milestone i "
                                   "(in units of num_updates).",
        "CosineParamScheduler": "CosineParamScheduler in LRMultiplier(max_iter): start_value → end_value.",
        "LinearParamScheduler": "LinearParamScheduler in LRMultiplier(max_iter): start_value → end_value.",
    }
    for name, doc in docs.items():
        impl = (_TREES | _LEAVES)[name]
        own = [p for p in inspect.signature(impl).parameters.values()
               if p.name not in ("clock", "begin", "scale", "span")]
        fn = _entry(name, doc)
        fn.__signature__ = inspect.Signature(
            [inspect.Parameter("base_lr", inspect.Parameter.POSITIONAL_OR_KEYWORD),
             inspect.Parameter("max_iter", inspect.Parameter.KEYWORD_ONLY, default=REQUIRED)]
            + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own])
        FRAMEWORK.schedule(name, examples=examples[name])(fn)


_register_param_schedulers()


@FRAMEWORK.schedule("build_lr_scheduler", examples=[
    dict(base_lr=0.02, MAX_ITER=1000, STEPS=(600, 800), WARMUP_ITERS=100),
    dict(base_lr=0.02, LR_SCHEDULER_NAME="WarmupCosineLR", MAX_ITER=1000, WARMUP_ITERS=1000),
    dict(base_lr=0.02, LR_SCHEDULER_NAME="WarmupStepWithFixedGammaLR", MAX_ITER=1000, WARMUP_ITERS=0,
         RESCALE_INTERVAL=True),
])
def build_lr_scheduler(base_lr, LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=40000, STEPS=(30000,), GAMMA=0.1,
                       WARMUP_FACTOR=1.0 / 1000, WARMUP_ITERS=1000, WARMUP_METHOD="linear", RESCALE_INTERVAL=False,
                       BASE_LR_END=0.0, NUM_DECAYS=3):
    """build_lr_scheduler(cfg): the SOLVER block (base_lr = SOLVER.BASE_LR) → WarmupParamScheduler in LRMultiplier."""
    N = integer(MAX_ITER, "MAX_ITER", 1)
    if LR_SCHEDULER_NAME == "WarmupMultiStepLR":
        steps = [integer(x, "STEPS") for x in STEPS if x <= N]
        g = number(GAMMA, "GAMMA", 0.0)
        sched = ("MultiStepParamScheduler", {"values": [g**k for k in range(len(steps) + 1)], "milestones": steps,
                                             "num_updates": N})
    elif LR_SCHEDULER_NAME == "WarmupCosineLR":
        end = number(BASE_LR_END, "BASE_LR_END", 0.0) / positive(base_lr, "base_lr")
        if not 0.0 <= end <= 1.0:
            raise ValueError(f"parameter 'BASE_LR_END' must lie between 0 and BASE_LR, got {BASE_LR_END!r}")
        sched = ("CosineParamScheduler", {"start_value": 1, "end_value": end})
    elif LR_SCHEDULER_NAME == "WarmupStepWithFixedGammaLR":
        sched = ("StepWithFixedGammaParamScheduler", {"base_value": 1.0, "gamma": GAMMA, "num_decays": NUM_DECAYS,
                                                      "num_updates": N})
    else:
        raise ValueError(f"Unknown LR scheduler: {LR_SCHEDULER_NAME} (LR_SCHEDULER_NAME must be 'WarmupMultiStepLR', "
                         "'WarmupCosineLR' or 'WarmupStepWithFixedGammaLR')")
    warm = ("WarmupParamScheduler", {"scheduler": sched, "warmup_factor": number(WARMUP_FACTOR, "WARMUP_FACTOR", 0.0),
                                     "warmup_length": min(integer(WARMUP_ITERS, "WARMUP_ITERS") / N, 1.0),
                                     "warmup_method": WARMUP_METHOD,
                                     "rescale_interval": flag(RESCALE_INTERVAL, "RESCALE_INTERVAL")})
    return _multiplied(base_lr, warm, N)


# --- core -> detectron2 ----------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    """A warmup + multi-step or cosine decay as a detectron2 ``SOLVER`` block (``build_lr_scheduler``): a linear or
    constant warmup that ramps to the decay's value with the decay on the global clock (override, detectron2's
    default) or to the peak with the decay after it (prepend, ``RESCALE_INTERVAL``); checked by rebuilding."""
    import numpy as np

    w, d, p = s.warmup, s.decay, s.decay_params
    if s.offset:
        raise Refusal("it has no clock offset")
    if w.method not in ("none", "linear", "constant"):
        raise Refusal("detectron2's warmups are linear or constant")
    W = w.steps
    rescale = bool(W) and s.convention == "prepend"
    if W and not rescale and not (s.convention == "override" and w.target == "decay"):
        raise Refusal("detectron2's warmup ramps to the value the schedule has at its end (override) or, with "
                      "RESCALE_INTERVAL, to the peak with the schedule after it (prepend)")
    if rescale and w.target != "peak":
        raise Refusal("with RESCALE_INTERVAL detectron2's warmup ramps to the peak")
    if d.name == "cosine" and p["exponent"] == 1 and p["cycles"] == 0.5:
        N = W + p["steps"] if rescale else p["steps"]
        solver = dict(LR_SCHEDULER_NAME="WarmupCosineLR", MAX_ITER=N, BASE_LR_END=p["floor"] * s.base_lr)
    elif d.name == "multistep" and p["boundary"] == "at":
        N = s.total_steps or (max(p["milestones"], default=0) + 1 + (W if rescale else 0))
        solver = dict(LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=N, STEPS=list(p["milestones"]),
                      GAMMA=p["gamma"])
    else:
        raise Refusal(f"detectron2's build_lr_scheduler has multi-step and cosine schedules, not {d.name!r}")
    solver.update(WARMUP_ITERS=W, WARMUP_FACTOR=w.factor if W else 0.001,
                  WARMUP_METHOD=w.method if W else "linear", RESCALE_INTERVAL=rescale)
    call = Call("build_lr_scheduler", solver, s.base_lr)
    try:
        back = FRAMEWORK.build(call.name, base_lr=call.base_lr, **call.params)
    except ValueError as e:
        raise Refusal(f"detectron2 cannot take it: {e}") from None
    t = np.arange(solver["MAX_ITER"] + 50, dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal("detectron2's version differs (its milestones count on the global clock, its warmup "
                      "length is a fraction of MAX_ITER)")
    return call


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    lines = "\n".join(f"  {k}: {list(v) if isinstance(v, tuple) else v!r}" for k, v in call.params.items())
    return (HEADER + "# detectron2 config (SOLVER block); build_lr_scheduler wraps it in WarmupParamScheduler + "
            f"LRMultiplier\nSOLVER:\n  BASE_LR: {call.base_lr!r}\n{lines}\n")
