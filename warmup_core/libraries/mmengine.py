"""OpenMMLab mmengine parameter schedulers (``mmengine/optim/scheduler/{param_scheduler,lr_scheduler}.py``,
``mmengine/registry/build_functions.py``, ``mmengine/hooks/param_scheduler_hook.py``; mmengine 0.10.7, golden
values recorded from it by scripts/make_mmengine_golden.py).

Conventions (docs/conventions.md, "mmengine"):

* A config's ``param_scheduler`` is a list of schedulers that **all multiply the same lr**: each is stepped
  every time and changes the current lr by its own chainable factor, only while
  ``begin <= its step count < end``; its own clock (``last_step``) is 0 at ``begin``; after ``end`` its
  factor stays where it was. A warmup with ``begin=0`` next to a decay with ``begin=0`` **multiplies**;
  a decay with ``begin=W`` is **prepended**.
* ``by_epoch=False`` schedulers step after every iteration, ``by_epoch=True`` ones after every epoch
  (``epoch_length`` iterations: ``len(train_dataloader)``), which makes staircases on the iteration clock.
  ``convert_to_iter_based=True`` turns an epoch schedule into an iteration one as mmengine does:
  ``begin = int(begin · L)``, ``end = int(end · L)``, ``T_max · L``, ``milestones · L``, ``step_size · L``.
* ``LinearLR`` reaches ``end_factor`` at ``end - 1`` (``total_iters = end - begin - 1``); ``ConstantLR``
  applies ``factor`` for ``end - begin - 1`` steps; ``CosineAnnealingLR`` (``T_max`` defaults to
  ``end - begin``) never reaches ``eta_min`` with the default ``T_max``; ``PolyLR`` reaches ``eta_min`` at
  ``end - 1``; ``MultiStepLR`` milestones count from ``begin``.
* ``eta_min`` is absolute, ``eta_min_ratio`` a fraction of the optimizer's lr.

Deliberate differences: a ``CosineAnnealingLR`` or ``PolyLR`` with a non-zero ``eta_min`` is modelled when no
other scheduler is active during its range (then it is an exact factor; overlapping, mmengine's result depends
on the order the schedulers step in); ``start_factor=0`` / ``factor=0`` are refused where mmengine divides by
zero; an epoch-stepped (not converted) ``LinearLR``, ``CosineAnnealingLR`` or ``PolyLR`` needs a finite ``end``;
``OneCycleLR``, ``CosineRestartLR`` and ``ReduceOnPlateauLR`` are not modelled.
"""

from __future__ import annotations

import math

from ..schedule import Decay, Join, Product, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, args, constant_decay, flag, framework, integer, number, positive

FRAMEWORK = framework("mmengine", "OpenMMLab mmengine", "mmengine/optim/scheduler/lr_scheduler.py")

INF = int(1e9)  # mmengine's INF for an open end
_TYPES = ("LinearLR", "ConstantLR", "CosineAnnealingLR", "MultiStepLR", "StepLR", "ExponentialLR", "PolyLR")
_COMMON = ("type", "begin", "end", "by_epoch", "last_step", "verbose", "convert_to_iter_based")
_OWN = {"LinearLR": ("start_factor", "end_factor"), "ConstantLR": ("factor",),
        "CosineAnnealingLR": ("T_max", "eta_min", "eta_min_ratio"), "MultiStepLR": ("milestones", "gamma"),
        "StepLR": ("step_size", "gamma"), "ExponentialLR": ("gamma",), "PolyLR": ("eta_min", "power")}


class _Sched:
    """One scheduler of the list, on the iteration clock: its type, parameters and active range."""

    def __init__(self, cfg, epoch_length):
        if not isinstance(cfg, dict) or "type" not in cfg:
            raise ValueError(f"each entry of 'param_scheduler' must be a dict with a 'type', got {cfg!r}")
        kind = cfg["type"]
        if kind not in _TYPES:
            raise ValueError(f"param_scheduler type {kind!r} is not modelled; modelled types are {list(_TYPES)}")
        unknown = sorted(set(cfg) - set(_COMMON) - set(_OWN[kind]), key=str)
        if unknown:
            raise ValueError(f"{kind}: unknown parameter(s) {unknown}; valid are {list(_COMMON + _OWN[kind])}")
        if cfg.get("last_step", -1) != -1:
            raise ValueError(f"{kind}: parameter 'last_step' must be -1 (a fresh schedule)")
        p = {k: v for k, v in cfg.items() if k not in _COMMON}
        begin, end = integer(cfg.get("begin", 0), "begin"), integer(cfg.get("end", INF), "end")
        if end <= begin:
            raise ValueError(f"end should be larger than begin, but got begin={begin}, end={end}")
        by_epoch = flag(cfg.get("by_epoch", True), "by_epoch")
        convert = flag(cfg.get("convert_to_iter_based", False), "convert_to_iter_based")
        L = 1
        if by_epoch:
            if epoch_length is None:
                raise ValueError(f"{kind} has by_epoch=True: give 'epoch_length' (iterations per epoch, "
                                 "len(train_dataloader))")
            L = integer(epoch_length, "epoch_length", 1)
        self.kind, self.stairs = kind, 1
        if by_epoch and convert:  # build_iter_from_epoch
            begin, end = int(begin * L), (int(end * L) if end != INF else INF)
            if kind == "CosineAnnealingLR" and p.get("T_max") is not None:
                p["T_max"] = integer(p["T_max"], "T_max", 1) * L
            if kind == "MultiStepLR":
                p["milestones"] = [integer(m, "milestones") * L for m in _milestones(p)]
            if kind == "StepLR":
                p["step_size"] = integer(p.get("step_size", REQUIRED), "step_size", 1) * L
        elif by_epoch:
            self.stairs = L  # one step of this scheduler per L iterations
        self.begin, self.end, self.p = begin, end, p

    @property
    def span(self):
        """Iterations during which it changes the lr: ``[begin, end)`` scaled to iterations."""
        return self.begin * self.stairs, (self.end * self.stairs if self.end != INF else INF)

    @property
    def floor_value(self):
        """``eta_min`` as an absolute value factory (``None`` for none): ``lambda base: eta``."""
        eta, ratio = self.p.get("eta_min"), self.p.get("eta_min_ratio")
        if self.kind == "CosineAnnealingLR":
            if eta is not None and ratio is not None:
                raise ValueError("Either `eta_min` or `eta_min_ratio should be specified")
            if ratio is not None:
                r = number(ratio, "eta_min_ratio", 0.0, 1.0)
                return (lambda base: base * r) if r else None
        if self.kind in ("CosineAnnealingLR", "PolyLR") and eta:
            e = number(eta, "eta_min", 0.0)
            return lambda base: e
        return None


def _milestones(p):
    m = p.get("milestones", REQUIRED)
    if isinstance(m, (str, bytes)) or not hasattr(m, "__iter__"):
        raise ValueError(f"parameter 'milestones' must be a list of steps, got {m!r}")
    return list(m)


def _shape(s: _Sched, scale: float, floor: float):
    """The factor (times ``scale``) on the scheduler's own clock ``k = step - begin``, and its last
    active ``k`` (``None`` when it never ends)."""
    p, T = s.p, (s.end - s.begin - 1 if s.end != INF else None)
    kind = s.kind
    if kind == "LinearLR":
        sf, ef = number(p.get("start_factor", 1 / 3), "start_factor", 0.0, 1.0), \
            number(p.get("end_factor", 1.0), "end_factor", 0.0, 1.0)
        if sf == 0 and T:
            raise ValueError("parameter 'start_factor' = 0: mmengine divides by zero at its second step")
        if not T or sf == ef:
            return WarmupDecay(scale * sf) if sf else WarmupDecay(scale, decay=constant_decay(0.0)), T
        if sf < ef:
            return WarmupDecay(scale * ef, Warmup("linear", steps=T, factor=sf / ef), Decay("constant")), T
        return WarmupDecay(scale * sf, decay=Decay("linear", steps=T, floor=ef / sf)), T
    if kind == "ConstantLR":
        f = number(p.get("factor", 1 / 3), "factor", 0.0, 1.0)
        if f == 0 and T:
            raise ValueError("parameter 'factor' = 0: mmengine divides by zero when the factor is removed")
        if not T or f == 1:
            return (WarmupDecay(scale * f) if f else WarmupDecay(scale, decay=constant_decay(0.0))), T
        return WarmupDecay(scale, Warmup("constant", steps=T, factor=f), Decay("constant")), T
    if kind == "CosineAnnealingLR":
        Tm = integer(p["T_max"], "T_max", 1) if p.get("T_max") is not None else s.end - s.begin
        if T is not None and T > Tm:
            raise ValueError(f"CosineAnnealingLR runs {T + 1} steps with T_max={Tm}: past T_max + 1 mmengine adds "
                             "instead of multiplying; warmup_core models end - begin <= T_max + 1")
        return WarmupDecay(scale, decay=Decay("cosine", steps=Tm, floor=floor, clamp=False)), T
    if kind == "PolyLR":
        if T is None:
            raise ValueError("PolyLR needs a finite 'end' (it decays to eta_min at end - 1)")
        power = number(p.get("power", 1.0), "power", 0.0)
        if T == 0:
            return WarmupDecay(scale), T
        return WarmupDecay(scale, decay=Decay("polynomial", steps=T, power=power, floor=floor)), T
    if kind == "MultiStepLR":
        ms = sorted(integer(m, "milestones") for m in _milestones(p))
        g = number(p.get("gamma", 0.1), "gamma", 0.0)
        return WarmupDecay(scale, decay=Decay("multistep", milestones=ms, gamma=g)) if g > 0 else \
            WarmupDecay(scale, decay=Decay("piecewise", milestones=ms[:1], values=[1.0, 0.0])), T
    if kind == "StepLR":
        g = number(p.get("gamma", 0.1), "gamma", 0.0)
        step = integer(p.get("step_size", REQUIRED), "step_size", 1)
        return (WarmupDecay(scale, decay=Decay("step", step_size=step, gamma=g)) if g > 0 else
                WarmupDecay(scale, decay=Decay("piecewise", milestones=[step], values=[1.0, 0.0]))), T
    g = positive(p.get("gamma", REQUIRED), "gamma")  # ExponentialLR
    return WarmupDecay(scale, decay=Decay("exponential", gamma=g)), T


def _factor(s: _Sched, base: float, floor: float = 0.0):
    """The scheduler's factor (times ``base``) on the iteration clock: 1 before ``begin``, its shape while
    active, frozen after ``end``; an epoch-stepped one as a staircase."""
    shape, last = _shape(s, base, floor)
    L = s.stairs
    if L > 1 and s.kind in ("LinearLR", "CosineAnnealingLR", "PolyLR"):
        if last is None:
            raise ValueError(f"an epoch-stepped {s.kind} (by_epoch=True, not converted) needs a finite 'end'")
        import numpy as np

        vals = shape(np.arange(last + 1, dtype=np.float64)) / base
        top = float(vals.max())
        shape = WarmupDecay(base * top, decay=Decay("piecewise", milestones=[L * j for j in range(1, last + 1)],
                                                    values=(vals / top).tolist()))
        last = None  # the piecewise holds its last value already
    elif L > 1:  # stepwise shapes stretch exactly: every count in epochs becomes L iterations
        shape = _stretch(shape, L)
        last = None if last is None else (last + 1) * L - 1
    begin, end = s.span
    parts, bounds = [], []
    if begin:
        parts.append(WarmupDecay(base))
        bounds.append(begin)
    parts.append(shape)
    if last is not None and end != INF:
        v = float(shape(last))
        parts.append(WarmupDecay(v) if v > 0 else WarmupDecay(base, decay=constant_decay(0.0)))
        bounds.append(end)
    return parts[0] if len(parts) == 1 else Join(parts, bounds)


def _stretch(shape: WarmupDecay, L: int) -> WarmupDecay:
    """A stepwise shape (constant warmup, step, multistep, exponential) on a clock L times slower."""
    d, p, w = shape.decay, shape.decay_params, shape.warmup
    warm = Warmup(w.method, steps=w.steps * L, factor=w.factor) if w.method != "none" else w
    if d.name == "exponential":
        d = Decay("step", step_size=L, gamma=p["gamma"])
    elif d.name == "step":
        d = Decay("step", step_size=p["step_size"] * L, gamma=p["gamma"])
    elif d.name in ("multistep", "piecewise"):
        d = Decay(d.name, **{**p, "milestones": [m * L for m in p["milestones"]]})
    return WarmupDecay(shape.base_lr, warm, d)


@FRAMEWORK.schedule("param_scheduler", examples=[
    dict(base_lr=0.01, epoch_length=100, schedulers=[
        dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=500),
        dict(type="MultiStepLR", milestones=[8, 11], gamma=0.1, by_epoch=True, begin=0, end=12)]),
    dict(base_lr=0.004, epoch_length=50, schedulers=[
        dict(type="LinearLR", start_factor=1e-5, by_epoch=False, begin=0, end=1000),
        dict(type="CosineAnnealingLR", eta_min=0.0002, begin=150, end=300, T_max=150, by_epoch=True,
             convert_to_iter_based=True)]),
])
def param_scheduler(base_lr, schedulers=REQUIRED, epoch_length=None):
    """param_scheduler: a config's list of schedulers multiplying one lr; by_epoch ones step every epoch_length."""
    base = positive(base_lr, "base_lr")
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    if isinstance(schedulers, (str, bytes)) or not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise ValueError("parameter 'schedulers' must be a non-empty list of scheduler dicts (a config's "
                         "param_scheduler)")
    items = [_Sched(dict(c) if isinstance(c, dict) else c, epoch_length) for c in schedulers]
    parts: list = [None] * len(items)
    floors = {i: s.floor_value for i, s in enumerate(items)}
    for i, s in enumerate(items):
        if floors[i] is None:
            parts[i] = _factor(s, base)
    for i in sorted((i for i in floors if floors[i] is not None), key=lambda i: items[i].span[0]):
        s = items[i]
        b, e = s.span
        for j, other in enumerate(items):  # its first active step leaves the lr as it is: it changes from b + 1
            ob, oe = other.span
            if j != i and ob < e and b + 1 < oe:
                raise ValueError(f"{s.kind} with eta_min overlaps {other.kind} (iterations [{b}, {e}) and "
                                 f"[{ob}, {oe})): mmengine's result then depends on the stepping order; "
                                 "warmup_core models eta_min on a scheduler that runs alone")
        before = math.prod(float(p(b)) / base for j, p in enumerate(parts) if p is not None and j != i)
        start = base * before
        r = floors[i](base) / start
        if r > 1:
            raise ValueError(f"parameter 'eta_min' ({floors[i](base)!r}) is above the lr where {s.kind} starts "
                             f"({start!r})")
        parts[i] = _factor(s, base, r)
    return parts[0] if len(parts) == 1 else Product(parts, base)


def _single(kind, own):
    def fn(base_lr, epoch_length=None, **kw):
        return param_scheduler(base_lr, [dict(type=kind, **kw)], epoch_length)
    return fn


def _register_singles():
    import inspect

    own = {"LinearLR": dict(start_factor=1 / 3, end_factor=1.0), "ConstantLR": dict(factor=1 / 3),
           "CosineAnnealingLR": dict(T_max=None, eta_min=None), "MultiStepLR": dict(milestones=REQUIRED, gamma=0.1),
           "StepLR": dict(step_size=REQUIRED, gamma=0.1), "ExponentialLR": dict(gamma=REQUIRED),
           "PolyLR": dict(eta_min=0, power=1.0)}
    tail = dict(begin=0, end=INF, last_step=-1, by_epoch=True, verbose=False)
    examples = {"LinearLR": [dict(base_lr=0.01, start_factor=0.001, by_epoch=False, end=500)],
                "ConstantLR": [dict(base_lr=0.01, factor=0.1, by_epoch=False, end=100)],
                "CosineAnnealingLR": [dict(base_lr=0.01, T_max=100, by_epoch=False, end=100, eta_min=1e-4),
                                      dict(base_lr=0.01, T_max=10, end=10, epoch_length=20, eta_min_ratio=0.01)],
                "MultiStepLR": [dict(base_lr=0.01, milestones=[8, 11], end=12, epoch_length=50)],
                "StepLR": [dict(base_lr=0.01, step_size=30, epoch_length=10)],
                "ExponentialLR": [dict(base_lr=0.01, gamma=0.999, by_epoch=False)],
                "PolyLR": [dict(base_lr=0.01, eta_min=1e-4, power=0.9, by_epoch=False, end=1000)]}
    for kind, params in own.items():
        fn = _single(kind, params)
        fn.__doc__ = f"{kind}: one mmengine scheduler (a param_scheduler list of one; epoch_length for by_epoch)."
        sig = [inspect.Parameter("base_lr", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        sig += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v)
                for k, v in {**params, **tail, "convert_to_iter_based": False, "epoch_length": None}.items()]
        fn.__signature__ = inspect.Signature(sig)
        if "eta_min_ratio" in _OWN[kind]:
            fn.__signature__ = fn.__signature__.replace(parameters=[
                *fn.__signature__.parameters.values(),
                inspect.Parameter("eta_min_ratio", inspect.Parameter.KEYWORD_ONLY, default=None)])
        FRAMEWORK.schedule(kind, examples=examples[kind])(fn)


_register_singles()


# --- core -> mmengine ------------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    """A warmup + decay as a param_scheduler list: a LinearLR warmup (begin 0, end W + 1: it reaches the peak at
    W) and a decay that begins at W (prepend) or 0 (multiply); checked by building it back."""
    import numpy as np

    w, d, p = s.warmup, s.decay, s.decay_params
    if s.offset or w.target != "peak" or w.method not in ("none", "linear", "constant"):
        raise Refusal("mmengine's warmups are LinearLR or ConstantLR from step 0")
    if s.convention == "override":
        raise Refusal("in mmengine a decay either starts after the warmup (begin=W) or runs with it from 0")
    W, begin = w.steps, (w.steps if s.convention == "prepend" else 0)
    scheds = []
    if W and w.method == "linear":
        scheds.append(dict(type="LinearLR", start_factor=w.factor, end_factor=1.0, by_epoch=False, begin=0, end=W + 1))
    elif W:
        scheds.append(dict(type="ConstantLR", factor=w.factor, by_epoch=False, begin=0, end=W + 1))
    if d.name == "cosine" and p["exponent"] == 1 and p["cycles"] == 0.5:
        L = p["steps"]
        scheds.append(dict(type="CosineAnnealingLR", T_max=L, eta_min=p["floor"] * s.base_lr, by_epoch=False,
                           begin=begin, end=begin + L + 1))
    elif d.name == "multistep" and p["boundary"] == "at":
        scheds.append(dict(type="MultiStepLR", milestones=list(p["milestones"]), gamma=p["gamma"], by_epoch=False,
                           begin=begin))
    elif d.name == "step":
        scheds.append(dict(type="StepLR", step_size=p["step_size"], gamma=p["gamma"], by_epoch=False, begin=begin))
    elif d.name == "exponential" and p["period"] == 1 and not p["delay"] and p["limit"] is None:
        scheds.append(dict(type="ExponentialLR", gamma=p["gamma"], by_epoch=False, begin=begin))
    elif d.name != "constant":
        raise Refusal(f"mmengine has no exact counterpart of a {d.name!r} decay here (cosine, multistep, step, "
                      "exponential are exported)")
    if not scheds:
        raise Refusal("a constant lr needs no param_scheduler")
    call = Call("param_scheduler", {"schedulers": scheds}, s.base_lr)
    try:
        back = FRAMEWORK.build(call.name, call.base_lr, **call.params)
    except ValueError as e:
        raise Refusal(f"mmengine cannot take it: {e}") from None
    t = np.arange(2 * max(s.total_steps or 0, W + 64, *(m.get("end", 0) for m in scheds if m.get("end", 0) < INF)))
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal("mmengine's version differs (a cosine that rises again after its length, or a warmup "
                      "clock that mmengine cannot shift)")
    return call


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    lines = ",\n".join(f"    dict({args(**c)})" for c in call.params["schedulers"])
    return (HEADER + f"# an mmengine config (optimizer lr = {call.base_lr!r}); by_epoch=False: every iteration\n"
            f"param_scheduler = [\n{lines},\n]\n")
