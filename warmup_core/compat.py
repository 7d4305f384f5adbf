"""Library compatibility: build the :class:`~warmup_core.schedule.Schedule` that reproduces a
named schedule of a real library, value for value.

>>> from warmup_core import compat
>>> s = compat.build("transformers", "cosine", base_lr=1.0, num_warmup_steps=4, num_training_steps=12)
>>> s([0, 4, 8, 12]).round(6).tolist()
[0.0, 1.0, 0.5, 0.0]

Entry ``t`` of ``sched(np.arange(n))`` is the lr of optimizer update ``t`` (0-based): after ``t``
calls of ``scheduler.step()`` (torch, transformers), ``step_update(t)`` (timm), ``schedule(t)``
(optax, keras). Parameter names and defaults are the library's own. Every entry maps onto the
core's shapes and conventions; none carries a private copy of a library's formula. The exact
behaviours are recorded in ``shared/reference/library-schedules.md``.

Where this library departs from the original, it is on inputs the original mishandles; each
case raises ``ValueError`` saying so (e.g. a warmup that would start above its peak).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

from .schedule import Curve, Decay, Join, Product, Schedule, Warmup

_REQUIRED = inspect.Parameter.empty
_LIBS: dict[str, dict[str, Callable]] = {}
_ABSOLUTE: set[tuple[str, str]] = set()  # entries whose values are absolute (base_lr unused)


def _entry(library: str, name: str | None = None, absolute: bool = False):
    def register(fn):
        key = name or fn.__name__
        _LIBS.setdefault(library, {})[key] = fn
        if absolute:
            _ABSOLUTE.add((library, key))
        return fn
    return register


def libraries() -> list[str]:
    return sorted(_LIBS)


def available() -> list[dict]:
    """Every ``(library, name)`` with its parameters and defaults (``REQUIRED`` if none)."""
    out = []
    for lib, entries in sorted(_LIBS.items()):
        for name, fn in entries.items():
            params = {
                p.name: ("REQUIRED" if p.default is _REQUIRED else p.default)
                for p in list(inspect.signature(fn).parameters.values())[1:]
            }
            out.append({"library": lib, "name": name, "params": params,
                        "base_lr": "unused" if (lib, name) in _ABSOLUTE else "required",
                        "doc": (inspect.getdoc(fn) or "").split("\n")[0]})
    return out


def build(library: str, name: str, base_lr: float | None = None, **params) -> Curve:
    """The schedule that ``library``'s ``name`` produces with ``params``.

    ``base_lr`` is the optimizer's learning rate for libraries that take it from there (torch,
    transformers, timm, maskrcnn, pytorch_warmup); it is unused where the schedule carries
    absolute values (optax, keras, yolov3, nanogpt, noam, torch OneCycleLR).
    """
    if library not in _LIBS:
        raise ValueError(f"unknown library {library!r}; valid libraries are {libraries()}")
    if name not in _LIBS[library]:
        raise ValueError(f"unknown {library} schedule {name!r}; valid names are {sorted(_LIBS[library])}")
    fn = _LIBS[library][name]
    sig = inspect.signature(fn)
    names = list(sig.parameters)[1:]
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise ValueError(f"{library} {name}: unknown parameter(s) {unknown}; valid parameters are {names}")
    missing = [n for n in names if sig.parameters[n].default is _REQUIRED and n not in params]
    if missing:
        raise ValueError(f"{library} {name}: missing required parameter(s) {missing}")
    if (library, name) not in _ABSOLUTE and base_lr is None:
        raise ValueError(f"{library} {name} takes the learning rate from the optimizer: pass base_lr")
    return fn(base_lr, **params)


# --- helpers -----------------------------------------------------------------------------------

def _int(value, name, minimum=0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < minimum:
        raise ValueError(f"parameter {name!r} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _positive(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"parameter {name!r} must be a finite number > 0, got {value!r}")
    return float(value)


def _ratio(value, base, name, base_name="the peak lr"):
    r = value / base
    if not 0 <= r <= 1:
        raise ValueError(f"parameter {name!r} = {value!r} must lie between 0 and {base_name} ({base!r}); "
                         "warmup_core does not model schedules that rise above their peak this way")
    return r


def _zero():
    return Decay("piecewise", milestones=(), values=(0.0,))


def _const(value):
    return Decay("piecewise", milestones=(), values=(value,))


def _hf_warmup(W):
    W = _int(W, "num_warmup_steps")
    return Warmup("linear", steps=W, factor=0.0) if W else Warmup()


# --- transformers (src/transformers/optimization.py; all LambdaLR) --------------------------------

@_entry("transformers")
def linear(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=_REQUIRED):
    """get_linear_schedule_with_warmup: 0 → lr over W, then straight to 0 at N."""
    W, N = _int(num_warmup_steps, "num_warmup_steps"), _int(num_training_steps, "num_training_steps")
    decay = Decay("linear", steps=N - W) if N - W >= 1 else _zero()
    return Schedule(base_lr, _hf_warmup(W), decay, "prepend", max(N, 1))


@_entry("transformers")
def cosine(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=_REQUIRED, num_cycles=0.5):
    """get_cosine_schedule_with_warmup: half-cosine after linear warmup; not clamped after N."""
    return cosine_with_min_lr(base_lr, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0)


@_entry("transformers")
def cosine_with_restarts(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=_REQUIRED, num_cycles=1):
    """get_cosine_with_hard_restarts_schedule_with_warmup: num_cycles half-cosines, hard restarts, 0 after N."""
    W, N = _int(num_warmup_steps, "num_warmup_steps"), _int(num_training_steps, "num_training_steps")
    k = _int(num_cycles, "num_cycles", 1)
    L = max(1, N - W)
    return Schedule(base_lr, _hf_warmup(W), Decay("cosine_restarts", period=L / k, cycle_limit=k),
                    "prepend", max(N, 1))


@_entry("transformers")
def polynomial(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=_REQUIRED, lr_end=1e-7, power=1.0):
    """get_polynomial_decay_schedule_with_warmup: (lr - lr_end)(1 - p)^power + lr_end, lr_end after N."""
    W, N = _int(num_warmup_steps, "num_warmup_steps"), _int(num_training_steps, "num_training_steps")
    if not base_lr > lr_end:
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({base_lr})")
    if N == W:
        raise ValueError("num_training_steps equals num_warmup_steps: transformers divides by zero "
                         "(decay_steps = 0) at that step")
    _positive(power, "power")
    floor = lr_end / base_lr
    decay = Decay("polynomial", steps=N - W, power=power, floor=floor) if N > W else _const(floor)
    return Schedule(base_lr, _hf_warmup(W), decay, "prepend", max(N, 1))


@_entry("transformers")
def constant(base_lr, num_warmup_steps=None, num_training_steps=None):
    """get_constant_schedule: the optimizer's lr, always (ignores both step counts)."""
    return Schedule(base_lr)


@_entry("transformers")
def constant_with_warmup(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=None):
    """get_constant_schedule_with_warmup: linear warmup from 0, then constant."""
    return Schedule(base_lr, _hf_warmup(num_warmup_steps), Decay("constant"), "prepend", num_training_steps)


@_entry("transformers")
def inverse_sqrt(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=None, timescale=None):
    """get_inverse_sqrt_schedule: linear warmup, then 1/sqrt((t - W + timescale)/timescale)."""
    W = _int(num_warmup_steps, "num_warmup_steps")
    ts = timescale if timescale is not None else (W or 10_000)
    return Schedule(base_lr, _hf_warmup(W), Decay("inverse_sqrt", timescale=_positive(ts, "timescale")),
                    "prepend", num_training_steps)


def _min_lr_rate(base_lr, min_lr, min_lr_rate):
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is not None:
        return min_lr / base_lr
    if min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    return min_lr_rate


@_entry("transformers")
def cosine_with_min_lr(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=_REQUIRED, num_cycles=0.5,
                       min_lr=None, min_lr_rate=None):
    """get_cosine_with_min_lr_schedule_with_warmup: cosine to min_lr (a ratio of the optimizer's lr)."""
    W, N = _int(num_warmup_steps, "num_warmup_steps"), _int(num_training_steps, "num_training_steps")
    r = _min_lr_rate(base_lr, min_lr, min_lr_rate)
    return Schedule(base_lr, _hf_warmup(W),
                    Decay("cosine", steps=max(1, N - W), floor=r, cycles=num_cycles, clamp=False),
                    "prepend", max(N, 1))


@_entry("transformers")
def cosine_warmup_with_min_lr(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=_REQUIRED,
                              num_cycles=0.5, min_lr=None, min_lr_rate=None, warmup_lr_rate=None):
    """get_cosine_with_min_lr_schedule_with_warmup_lr_rate (DeepSpeed-style indexing: step 0 is 1/W)."""
    W, N = _int(num_warmup_steps, "num_warmup_steps"), _int(num_training_steps, "num_training_steps")
    r = _min_lr_rate(base_lr, min_lr, min_lr_rate)
    decay = Decay("cosine", steps=max(1, N - W), floor=r, cycles=num_cycles, clamp=False)
    if warmup_lr_rate is None:
        # (t + 1) / W and a decay clock at t - W + 1: the HF warmup on a clock that starts at 1.
        return Schedule(base_lr, _hf_warmup(W), decay, "prepend", max(N, 1), offset=1)
    if W >= 2:  # wr + (1 - wr) t / (W - 1): reaches the peak at W - 1, where the decay clock starts.
        return Schedule(base_lr, Warmup("linear", steps=W - 1, factor=warmup_lr_rate), decay, "prepend", max(N, 1))
    if W == 1:  # one step at wr, then the decay on the global clock
        return Schedule(base_lr, Warmup("constant", steps=1, factor=warmup_lr_rate), decay, "override", max(N, 1))
    return Schedule(base_lr, Warmup(), decay, "prepend", max(N, 1), offset=1)


@_entry("transformers")
def warmup_stable_decay(base_lr, num_warmup_steps=_REQUIRED, num_training_steps=None, num_decay_steps=_REQUIRED,
                        num_stable_steps=None, warmup_type="linear", decay_type="cosine", min_lr_ratio=0.0,
                        num_cycles=0.5):
    """get_wsd_schedule: warmup, stable, decay; every phase floored at min_lr_ratio."""
    W, D = _int(num_warmup_steps, "num_warmup_steps"), _int(num_decay_steps, "num_decay_steps")
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    for kind, v in (("warmup", warmup_type), ("decay", decay_type)):
        if v not in ("linear", "cosine", "1-sqrt"):
            raise ValueError(f"Unknown {kind} type: {v}, expected 'linear', 'cosine' or '1-sqrt'")
    S = num_stable_steps if num_stable_steps is not None else num_training_steps - W - D
    warm = Warmup(warmup_type, steps=W, factor=min_lr_ratio) if W else Warmup()
    total = max(num_training_steps if num_training_steps is not None else W + S + D, 1)
    tail = dict(decay=D, shape=decay_type, floor=min_lr_ratio, cycles=num_cycles)
    if S >= 0:
        return Schedule(base_lr, warm, Decay("wsd", stable=_int(S, "num_stable_steps"), **tail), "prepend", total)
    # num_training_steps < W + D: the derived stable phase is negative and transformers' decay clock
    # is already |S| steps in when the warmup ends; a join whose tail starts on a shifted clock.
    head = Schedule(base_lr, warm, Decay("constant"))
    return Join([head, Schedule(base_lr, decay=Decay("wsd", stable=0, **tail), offset=-int(S))], [W], total)


# --- torch.optim.lr_scheduler ------------------------------------------------------------------

@_entry("torch", "LinearLR")
def _torch_linear(base_lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    """LinearLR: factor from start_factor to end_factor over total_iters, then held."""
    if not 0 < start_factor <= 1:
        raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
    if not 0 <= end_factor <= 1:
        raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
    T = _int(total_iters, "total_iters")
    if T == 0 or start_factor == end_factor:  # the chainable form never moves off start_factor
        return Schedule(base_lr * start_factor)
    if start_factor < end_factor:  # a warmup towards end_factor
        return Schedule(base_lr * end_factor, Warmup("linear", steps=T, factor=start_factor / end_factor),
                        Decay("constant"))
    return Schedule(base_lr * start_factor, decay=Decay("linear", steps=T, floor=end_factor / start_factor))


@_entry("torch", "ConstantLR")
def _torch_constant(base_lr, factor=1.0 / 3, total_iters=5):
    """ConstantLR: factor for total_iters steps, then the full lr (maskrcnn-style constant warmup)."""
    if not 0 <= factor <= 1:
        raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
    T = _int(total_iters, "total_iters")
    if factor == 0:
        raise ValueError("ConstantLR with factor=0 divides by zero when total_iters is reached")
    if T == 0:  # the chainable form applies the factor at step 0 and never removes it
        return Schedule(base_lr * factor)
    return Schedule(base_lr, Warmup("constant", steps=T, factor=factor), Decay("constant"))


@_entry("torch", "StepLR")
def _torch_step(base_lr, step_size=_REQUIRED, gamma=0.1):
    """StepLR: gamma ** (t // step_size)."""
    return Schedule(base_lr, decay=Decay("step", step_size=step_size, gamma=gamma))


@_entry("torch", "MultiStepLR")
def _torch_multistep(base_lr, milestones=_REQUIRED, gamma=0.1):
    """MultiStepLR: gamma at each milestone (sorted; a repeated milestone counts twice)."""
    return Schedule(base_lr, decay=Decay("multistep", milestones=sorted(milestones), gamma=gamma))


@_entry("torch", "ExponentialLR")
def _torch_exponential(base_lr, gamma=_REQUIRED):
    """ExponentialLR: gamma ** t."""
    return Schedule(base_lr, decay=Decay("exponential", gamma=gamma))


@_entry("torch", "CosineAnnealingLR")
def _torch_cosine(base_lr, T_max=_REQUIRED, eta_min=0.0):
    """CosineAnnealingLR: half-cosine to eta_min over T_max; rises again after (not clamped)."""
    T = _int(T_max, "T_max", 1)
    return Schedule(base_lr, decay=Decay("cosine", steps=T, floor=_ratio(eta_min, base_lr, "eta_min", "lr"),
                                         clamp=False))


@_entry("torch", "CosineAnnealingWarmRestarts")
def _torch_restarts(base_lr, T_0=_REQUIRED, T_mult=1, eta_min=0.0):
    """CosineAnnealingWarmRestarts: cycles of T_0 * T_mult**i steps."""
    T0, Tm = _int(T_0, "T_0", 1), _int(T_mult, "T_mult", 1)
    return Schedule(base_lr, decay=Decay("cosine_restarts", period=T0, period_mult=Tm,
                                         floor=_ratio(eta_min, base_lr, "eta_min", "lr")))


@_entry("torch", "PolynomialLR")
def _torch_poly(base_lr, total_iters=5, power=1.0):
    """PolynomialLR: (1 - min(t, T)/T) ** power, to 0 at T."""
    T = _int(total_iters, "total_iters")
    if T == 0:  # the chainable form leaves the lr untouched
        return Schedule(base_lr)
    return Schedule(base_lr, decay=Decay("polynomial", steps=T, power=_positive(power, "power")))


@_entry("torch", "OneCycleLR", absolute=True)
def _torch_onecycle(base_lr, max_lr=_REQUIRED, total_steps=None, epochs=None, steps_per_epoch=None,
                    pct_start=0.3, anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4,
                    three_phase=False):
    """OneCycleLR: max_lr/div → max_lr at pct·T−1 → max_lr/(div·final_div) at T−1 (torch raises after)."""
    if total_steps is None:
        if epochs is None or steps_per_epoch is None:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        total_steps = _int(epochs, "epochs", 1) * _int(steps_per_epoch, "steps_per_epoch", 1)
    T = _int(total_steps, "total_steps", 1)
    if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
        raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    return Schedule(_positive(max_lr, "max_lr"), decay=Decay(
        "onecycle", total_steps=T, pct_start=pct_start, div_factor=div_factor, final_div_factor=final_div_factor,
        anneal=anneal_strategy, three_phase=three_phase, style="torch"), total_steps=T)


def _torch_parts(base_lr, schedulers):
    if not schedulers:
        raise ValueError("schedulers must be a non-empty list of (name, params) pairs")
    parts = []
    for item in schedulers:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], dict)):
            raise ValueError(f"each scheduler must be a (name, params) pair, got {item!r}")
        if item[0] in ("SequentialLR", "ChainedScheduler", "OneCycleLR"):
            raise ValueError(f"{item[0]} cannot be nested here")
        parts.append(build("torch", item[0], base_lr, **item[1]))
    return parts


@_entry("torch", "SequentialLR")
def _torch_sequential(base_lr, schedulers=_REQUIRED, milestones=_REQUIRED):
    """SequentialLR: scheduler i takes over at milestone i with its clock restarted (prepend)."""
    parts = _torch_parts(base_lr, schedulers)
    if len(milestones) != len(parts) - 1:
        raise ValueError(f"Sequential Schedulers expects number of schedulers provided to be one more than the "
                         f"number of milestone points, but got number of schedulers {len(parts)} and the number "
                         f"of milestones to be equal to {len(milestones)}")
    return Join(parts, milestones)


@_entry("torch", "ChainedScheduler")
def _torch_chained(base_lr, schedulers=_REQUIRED):
    """ChainedScheduler: the product of all factors, every clock from 0 (multiply)."""
    return Product(_torch_parts(base_lr, schedulers), base_lr)


# --- timm (timm/scheduler/*.py, stepped with step_update) ------------------------------------------

def _timm(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t, target="one"):
    if noise_range_t is not None:
        raise ValueError("timm's lr noise (noise_range_t) depends on torch's RNG; warmup_core does not model it")
    W = _int(warmup_t, "warmup_t")
    warm = Warmup("linear", steps=W, factor=_ratio(warmup_lr_init, base_lr, "warmup_lr_init", "lr"),
                  target=target) if W else Warmup()
    return Schedule(base_lr, warm, decay, "prepend" if warmup_prefix else "override")


def _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay=1.0, **profile):
    return Decay("cosine_restarts", period=_positive(t_initial, "t_initial"), period_mult=cycle_mul,
                 cycle_decay=cycle_decay, cycle_limit=_int(cycle_limit, "cycle_limit"),
                 floor=_ratio(lr_min, base_lr, "lr_min", "lr"), k_decay=k_decay, **profile)


@_entry("timm", "CosineLRScheduler")
def _timm_cosine(base_lr, t_initial=_REQUIRED, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1,
                 warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, noise_range_t=None, k_decay=1.0):
    """CosineLRScheduler (t_in_epochs=False): cosine cycles; warmup overrides unless warmup_prefix."""
    decay = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay)
    return _timm(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


@_entry("timm", "PolyLRScheduler")
def _timm_poly(base_lr, t_initial=_REQUIRED, power=0.5, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
               cycle_limit=1, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, noise_range_t=None,
               k_decay=1.0):
    """PolyLRScheduler: (1 - t^k/T^k) ** power cycles."""
    decay = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay,
                    profile="polynomial", power=power)
    return _timm(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


@_entry("timm", "TanhLRScheduler")
def _timm_tanh(base_lr, t_initial=_REQUIRED, lb=-7.0, ub=3.0, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
               cycle_limit=1, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, noise_range_t=None):
    """TanhLRScheduler: tanh cycles; without prefix the warmup ramps to the decay's value at warmup_t."""
    decay = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, profile="tanh", lb=lb, ub=ub)
    return _timm(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t,
                 target="one" if warmup_prefix else "decay")


@_entry("timm", "StepLRScheduler")
def _timm_step(base_lr, decay_t=_REQUIRED, decay_rate=1.0, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=True,
               noise_range_t=None):
    """StepLRScheduler: decay_rate ** (t // decay_t)."""
    decay = Decay("step", step_size=_int(decay_t, "decay_t", 1), gamma=decay_rate)
    return _timm(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


@_entry("timm", "MultiStepLRScheduler")
def _timm_multistep(base_lr, decay_t=_REQUIRED, decay_rate=1.0, warmup_t=0, warmup_lr_init=0.0,
                    warmup_prefix=True, noise_range_t=None):
    """MultiStepLRScheduler: decays one step *before* each milestone (bisect_right(decay_t, t + 1))."""
    decay = Decay("multistep", milestones=list(decay_t), gamma=decay_rate, boundary="before")
    return _timm(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


@_entry("timm", "WSDLRScheduler")
def _timm_wsd(base_lr, t_initial=_REQUIRED, decay_t=_REQUIRED, lr_min=0.0, stable_fn="constant",
              stable_timescale=None, stable_power=0.5, decay_fn="1-sqrt", decay_power=0.5, decay_ratio=0.1,
              warmup_t=0, warmup_lr_init=0.0, noise_range_t=None):
    """WSDLRScheduler: warmup (always a prefix), stable (constant/rsqrt/power), then the cooldown."""
    T, D = _int(t_initial, "t_initial", 1), _int(decay_t, "decay_t", 1)
    if D > T:
        raise ValueError(f"Invalid decay_t ({decay_t}), must be in (0, t_initial] w/ t_initial={t_initial}.")
    if stable_fn not in ("constant", "rsqrt", "power"):
        raise ValueError(f"Invalid stable_fn ({stable_fn}), must be one of ('constant', 'rsqrt', 'power').")
    if callable(decay_fn) or decay_fn not in ("linear", "1-sqrt", "cosine", "power", "exp"):
        raise ValueError(f"decay_fn {decay_fn!r}: warmup_core maps the named decay functions only")
    power = 0.0 if stable_fn == "constant" else (0.5 if stable_fn == "rsqrt" else stable_power)
    ts = stable_timescale if stable_timescale is not None else warmup_t
    if power and not ts > 0:
        raise ValueError(f"stable_fn={stable_fn} requires a positive stable_timescale, it defaults to warmup_t "
                         f"({warmup_t}), set it explicitly when there is no warmup.")
    decay = Decay("wsd", stable=T - D, decay=D, shape=decay_fn, floor=_ratio(lr_min, base_lr, "lr_min", "lr"),
                  stable_power=float(power), stable_timescale=float(ts) if power else 1.0,
                  decay_power=decay_power, decay_ratio=decay_ratio)
    return _timm(base_lr, decay, warmup_t, warmup_lr_init, True, noise_range_t)


# --- optax (optax/schedules/_schedule.py; absolute values) ----------------------------------------

def _optax_ramp(init_value, end_value, transition_steps, transition_begin=0, power=1.0):
    """polynomial_schedule(init → end) as a core schedule: a decay if it falls, a warmup if it rises."""
    T, B = int(transition_steps), max(int(transition_begin), 0)
    if T <= 0 or init_value == end_value:
        return Schedule(_positive(init_value, "init_value"))
    if init_value > end_value:
        return Schedule(init_value, decay=Decay("polynomial", steps=T, power=_positive(power, "power"),
                                                floor=end_value / init_value, delay=B))
    method = {1.0: "linear", 0.5: "1-sqrt"}.get(float(power))
    if method is None:
        raise ValueError(f"a rising polynomial_schedule with power={power} has no warmup shape in warmup_core "
                         "(power 1 and 0.5 do)")
    ramp = Schedule(end_value, Warmup(method, steps=T, factor=init_value / end_value), Decay("constant"))
    return Join([Schedule(end_value, decay=_const(init_value / end_value)), ramp], [B]) if B else ramp


@_entry("optax", absolute=True)
def constant_schedule(base_lr, value=_REQUIRED):
    """constant_schedule(value)."""
    return Schedule(_positive(value, "value"))


@_entry("optax", absolute=True)
def linear_schedule(base_lr, init_value=_REQUIRED, end_value=_REQUIRED, transition_steps=_REQUIRED,
                    transition_begin=0):
    """linear_schedule: init → end over transition_steps, after transition_begin."""
    return _optax_ramp(init_value, end_value, transition_steps, transition_begin)


@_entry("optax", absolute=True)
def polynomial_schedule(base_lr, init_value=_REQUIRED, end_value=_REQUIRED, power=_REQUIRED,
                        transition_steps=_REQUIRED, transition_begin=0):
    """polynomial_schedule: (init − end)(1 − c/T)^power + end."""
    return _optax_ramp(init_value, end_value, transition_steps, transition_begin, power)


@_entry("optax", absolute=True)
def exponential_decay(base_lr, init_value=_REQUIRED, transition_steps=_REQUIRED, decay_rate=_REQUIRED,
                      transition_begin=0, staircase=False, end_value=None):
    """exponential_decay: init · rate^((t − begin)/T), optionally floored/capped at end_value."""
    if transition_steps <= 0:
        return Schedule(_positive(init_value, "init_value"))
    if decay_rate == 0:
        raise ValueError("Decay rate cannot be zero.")
    limit = None if end_value is None else end_value / _positive(init_value, "init_value")
    return Schedule(init_value, decay=Decay("exponential", gamma=_positive(decay_rate, "decay_rate"),
                                            period=transition_steps, delay=max(int(transition_begin), 0),
                                            staircase=staircase, limit=limit))


@_entry("optax", absolute=True)
def cosine_decay_schedule(base_lr, init_value=_REQUIRED, decay_steps=_REQUIRED, alpha=0.0, exponent=1.0):
    """cosine_decay_schedule: init · ((1 − α)·cos^exponent + α), held after decay_steps."""
    if not decay_steps > 0:
        raise ValueError("The cosine_decay_schedule requires positive decay_steps!")
    return Schedule(_positive(init_value, "init_value"),
                    decay=Decay("cosine", steps=_int(decay_steps, "decay_steps", 1), floor=alpha, exponent=exponent))


@_entry("optax", absolute=True)
def piecewise_constant_schedule(base_lr, init_value=_REQUIRED, boundaries_and_scales=None):
    """piecewise_constant_schedule: multiply by scale_b once t ≥ b (cumulative)."""
    items = sorted((int(b), float(s)) for b, s in (boundaries_and_scales or {}).items())
    if any(s < 0 for _, s in items):
        raise ValueError("`piecewise_constant_schedule` expects non-negative scale factors")
    values = [1.0]
    for _, s in items:
        values.append(values[-1] * s)
    base = _positive(init_value, "init_value") * max(values)
    return Schedule(base, decay=Decay("piecewise", milestones=[b for b, _ in items],
                                      values=[v / max(values) for v in values]))


def _optax_warmup(init_value, peak_value, warmup_steps):
    W = _int(warmup_steps, "warmup_steps")
    return Warmup("linear", steps=W, factor=_ratio(init_value, _positive(peak_value, "peak_value"),
                                                   "init_value", "peak_value")) if W else Warmup()


@_entry("optax", absolute=True)
def warmup_constant_schedule(base_lr, init_value=_REQUIRED, peak_value=_REQUIRED, warmup_steps=_REQUIRED):
    """warmup_constant_schedule: linear init → peak over warmup_steps, then peak (init for ever if 0 steps)."""
    if warmup_steps <= 0:
        return Schedule(_positive(init_value, "init_value"))
    return Schedule(peak_value, _optax_warmup(init_value, peak_value, warmup_steps), Decay("constant"))


@_entry("optax", absolute=True)
def warmup_cosine_decay_schedule(base_lr, init_value=_REQUIRED, peak_value=_REQUIRED, warmup_steps=_REQUIRED,
                                 decay_steps=_REQUIRED, end_value=0.0, exponent=1.0):
    """warmup_cosine_decay_schedule: decay_steps counts the warmup too."""
    W = _int(warmup_steps, "warmup_steps")
    if not decay_steps - W > 0:
        raise ValueError("The cosine_decay_schedule requires positive decay_steps! "
                         f"(decay_steps - warmup_steps = {decay_steps - W})")
    return Schedule(peak_value, _optax_warmup(init_value, peak_value, W),
                    Decay("cosine", steps=_int(decay_steps - W, "decay_steps"),
                          floor=_ratio(end_value, peak_value, "end_value", "peak_value"), exponent=exponent),
                    "prepend", int(decay_steps))


@_entry("optax", absolute=True)
def warmup_exponential_decay_schedule(base_lr, init_value=_REQUIRED, peak_value=_REQUIRED, warmup_steps=_REQUIRED,
                                      transition_steps=_REQUIRED, decay_rate=_REQUIRED, transition_begin=0,
                                      staircase=False, end_value=None):
    """warmup_exponential_decay_schedule: linear warmup, then exponential_decay from peak."""
    tail = exponential_decay(None, peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)
    return Schedule(peak_value, _optax_warmup(init_value, peak_value, warmup_steps), tail.decay, "prepend")


def _optax_onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor, anneal,
                    three_phase, pct_final=0.85):
    T = _int(transition_steps, "transition_steps", 1)
    return Schedule(_positive(peak_value, "peak_value"), decay=Decay(
        "onecycle", total_steps=T, pct_start=pct_start, div_factor=div_factor, final_div_factor=final_div_factor,
        anneal=anneal, three_phase=three_phase, style="optax", pct_final=pct_final), total_steps=T)


@_entry("optax", absolute=True)
def cosine_onecycle_schedule(base_lr, transition_steps=_REQUIRED, peak_value=_REQUIRED, pct_start=0.3,
                             div_factor=25.0, final_div_factor=1e4):
    """cosine_onecycle_schedule: peak at int(pct_start·T), minimum at T."""
    return _optax_onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor, "cos", False)


@_entry("optax", absolute=True)
def linear_onecycle_schedule(base_lr, transition_steps=_REQUIRED, peak_value=_REQUIRED, pct_start=0.3,
                             pct_final=0.85, div_factor=25.0, final_div_factor=1e4):
    """linear_onecycle_schedule: up to the peak, back to peak/div at pct_final, then to the minimum."""
    return _optax_onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor, "linear",
                           True, pct_final)


@_entry("optax", absolute=True)
def sgdr_schedule(base_lr, cosine_kwargs=_REQUIRED):
    """sgdr_schedule: warmup_cosine_decay_schedule cycles, one after another."""
    parts, bounds, step = [], [], 0
    for kw in cosine_kwargs:
        parts.append(warmup_cosine_decay_schedule(None, **kw))
        step += int(kw["decay_steps"])
        bounds.append(step)
    if not parts:
        raise ValueError("cosine_kwargs must list at least one cycle")
    return Join(parts, bounds[:-1], total_steps=step)


# --- keras 3 (keras/src/optimizers/schedules/learning_rate_schedule.py; float32) ------------------

@_entry("keras", "CosineDecay", absolute=True)
def _keras_cosine(base_lr, initial_learning_rate=_REQUIRED, decay_steps=_REQUIRED, alpha=0.0, warmup_target=None,
                  warmup_steps=0):
    """CosineDecay: decay_steps counts only the decay; optional linear warmup to warmup_target."""
    D = _int(decay_steps, "decay_steps", 1)
    if warmup_target is None:
        return Schedule(_positive(initial_learning_rate, "initial_learning_rate"),
                        decay=Decay("cosine", steps=D, floor=alpha))
    W = _int(warmup_steps, "warmup_steps")
    warm = Warmup("linear", steps=W, factor=_ratio(initial_learning_rate, _positive(warmup_target, "warmup_target"),
                                                   "initial_learning_rate", "warmup_target")) if W else Warmup()
    return Schedule(warmup_target, warm, Decay("cosine", steps=D, floor=alpha), "prepend", W + D)


@_entry("keras", "CosineDecayRestarts", absolute=True)
def _keras_restarts(base_lr, initial_learning_rate=_REQUIRED, first_decay_steps=_REQUIRED, t_mul=2.0, m_mul=1.0,
                    alpha=0.0):
    """CosineDecayRestarts: m_mul scales the cosine part only, not alpha."""
    return Schedule(_positive(initial_learning_rate, "initial_learning_rate"), decay=Decay(
        "cosine_restarts", period=first_decay_steps, period_mult=t_mul, cycle_decay=m_mul, decay_mode="amplitude",
        floor=alpha))


@_entry("keras", "PolynomialDecay", absolute=True)
def _keras_poly(base_lr, initial_learning_rate=_REQUIRED, decay_steps=_REQUIRED, end_learning_rate=0.0001,
                power=1.0, cycle=False):
    """PolynomialDecay: (I − E)(1 − min(t, D)/D)^p + E; cycle restarts with a longer D."""
    I = _positive(initial_learning_rate, "initial_learning_rate")
    return Schedule(I, decay=Decay("polynomial", steps=_int(decay_steps, "decay_steps", 1), power=power,
                                   floor=_ratio(end_learning_rate, I, "end_learning_rate", "initial_learning_rate"),
                                   cycle=cycle))


@_entry("keras", "ExponentialDecay", absolute=True)
def _keras_exponential(base_lr, initial_learning_rate=_REQUIRED, decay_steps=_REQUIRED, decay_rate=_REQUIRED,
                       staircase=False):
    """ExponentialDecay: I · rate^(t/D) (floored exponent if staircase)."""
    if not decay_steps > 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
    return Schedule(_positive(initial_learning_rate, "initial_learning_rate"),
                    decay=Decay("exponential", gamma=_positive(decay_rate, "decay_rate"), period=decay_steps,
                                staircase=staircase))


@_entry("keras", "PiecewiseConstantDecay", absolute=True)
def _keras_piecewise(base_lr, boundaries=_REQUIRED, values=_REQUIRED):
    """PiecewiseConstantDecay: the boundary step itself still has the old value."""
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values. "
                         f"Received: boundaries={boundaries} of length {len(boundaries)}, and values={values} "
                         f"of length {len(values)}.")
    top = max(values)
    return Schedule(_positive(top, "max(values)"), decay=Decay(
        "piecewise", milestones=list(boundaries), values=[v / top for v in values], boundary="after"))


@_entry("keras", "InverseTimeDecay", absolute=True)
def _keras_inverse_time(base_lr, initial_learning_rate=_REQUIRED, decay_steps=_REQUIRED, decay_rate=_REQUIRED,
                        staircase=False):
    """InverseTimeDecay: I / (1 + rate · t / D)."""
    return Schedule(_positive(initial_learning_rate, "initial_learning_rate"),
                    decay=Decay("inverse_time", decay_steps=decay_steps, rate=decay_rate, staircase=staircase))


# --- maskrcnn-benchmark (maskrcnn_benchmark/solver/lr_scheduler.py) -------------------------------

@_entry("maskrcnn", "WarmupMultiStepLR")
def _maskrcnn(base_lr, milestones=_REQUIRED, gamma=0.1, warmup_factor=1.0 / 3, warmup_iters=500,
              warmup_method="linear"):
    """WarmupMultiStepLR: warmup factor × gamma^(milestones passed), both from step 0 (multiply)."""
    if list(milestones) != sorted(milestones):
        raise ValueError(f"Milestones should be a list of increasing integers. Got {milestones}")
    if warmup_method not in ("constant", "linear"):
        raise ValueError(f"Only 'constant' or 'linear' warmup_method accepted got {warmup_method}")
    W = _int(warmup_iters, "warmup_iters")
    warm = Warmup(warmup_method, steps=W, factor=warmup_factor) if W else Warmup()
    return Schedule(base_lr, warm, Decay("multistep", milestones=list(milestones), gamma=gamma), "multiply")


# --- tensorflow-yolov3 (train.py lines 64-77; global_step starts at 1) ----------------------------

@_entry("yolov3", "learn_rate", absolute=True)
def _yolov3(base_lr, learn_rate_init=1e-4, learn_rate_end=1e-6, warmup_steps=_REQUIRED, train_steps=_REQUIRED):
    """Linear warmup t/W · init, then cosine to learn_rate_end at train_steps; the counter starts at 1."""
    W, T = _int(warmup_steps, "warmup_steps"), _int(train_steps, "train_steps", 1)
    if T <= W:
        raise ValueError(f"train_steps ({T}) must exceed warmup_steps ({W}): tf-yolov3 divides by "
                         "train_steps - warmup_steps")
    I = _positive(learn_rate_init, "learn_rate_init")
    warm = Warmup("linear", steps=W, factor=0.0) if W else Warmup()
    return Schedule(I, warm, Decay("cosine", steps=T - W, floor=_ratio(learn_rate_end, I, "learn_rate_end",
                                                                        "learn_rate_init"), clamp=False),
                    "prepend", T, offset=1)


# --- pytorch_warmup (Tony-Y/pytorch_warmup; a dampener multiplied into any scheduler) ---------------

def _dampened(base_lr, warmup, lr_scheduler):
    w = Schedule(base_lr, warmup, Decay("constant"), "multiply")
    if lr_scheduler is None:
        return w
    name, params = lr_scheduler
    return Product([w, build("torch", name, base_lr, **params)], base_lr)


@_entry("pytorch_warmup")
def LinearWarmup(base_lr, warmup_period=_REQUIRED, lr_scheduler=None):
    """LinearWarmup: min(1, (t + 1)/τ) times the wrapped scheduler (a torch (name, params) pair)."""
    return _dampened(base_lr, Warmup("untuned_linear", period=_int(warmup_period, "warmup_period", 1)), lr_scheduler)


@_entry("pytorch_warmup")
def ExponentialWarmup(base_lr, warmup_period=_REQUIRED, lr_scheduler=None):
    """ExponentialWarmup: 1 − exp(−(t + 1)/τ) times the wrapped scheduler."""
    return _dampened(base_lr, Warmup("untuned_exponential", period=_int(warmup_period, "warmup_period", 1)),
                     lr_scheduler)


@_entry("pytorch_warmup")
def UntunedLinearWarmup(base_lr, beta2=0.999, lr_scheduler=None):
    """UntunedLinearWarmup: τ = int(2/(1 − β₂))."""
    return _dampened(base_lr, Warmup("untuned_linear", beta2=beta2), lr_scheduler)


@_entry("pytorch_warmup")
def UntunedExponentialWarmup(base_lr, beta2=0.999, lr_scheduler=None):
    """UntunedExponentialWarmup: τ = int(1/(1 − β₂))."""
    return _dampened(base_lr, Warmup("untuned_exponential", beta2=beta2), lr_scheduler)


@_entry("pytorch_warmup")
def RAdamWarmup(base_lr, beta2=0.999, lr_scheduler=None):
    """RAdamWarmup: RAdam's rectification term as a warmup factor."""
    return _dampened(base_lr, Warmup("radam", beta2=beta2), lr_scheduler)


# --- nanoGPT (karpathy/nanoGPT train.py get_lr) ---------------------------------------------------

@_entry("nanogpt", "get_lr", absolute=True)
def _nanogpt(base_lr, learning_rate=6e-4, warmup_iters=2000, lr_decay_iters=600000, min_lr=6e-5, decay_lr=True,
             version="2024-12"):
    """get_lr: warmup lr·(it+1)/(W+1) (since 2024-12; before: lr·it/W), cosine to min_lr at lr_decay_iters."""
    lr = _positive(learning_rate, "learning_rate")
    if not decay_lr:
        return Schedule(lr)
    if version not in ("2024-12", "2023"):
        raise ValueError(f"version must be '2024-12' (after PR #578) or '2023', got {version!r}")
    W, Dn = _int(warmup_iters, "warmup_iters"), _int(lr_decay_iters, "lr_decay_iters")
    if W and version == "2024-12":
        warm = Warmup("linear", steps=W, factor=1.0 / (W + 1))
    else:
        warm = Warmup("linear", steps=W, factor=0.0) if W else Warmup()
    floor = _ratio(min_lr, lr, "min_lr", "learning_rate")
    if Dn == W:
        raise ValueError("lr_decay_iters equals warmup_iters: nanoGPT divides by zero at that step")
    decay = Decay("cosine", steps=Dn - W, floor=floor) if Dn > W else _const(floor)
    return Schedule(lr, warm, decay, "prepend", max(Dn, 1))


# --- Noam (Vaswani et al. 2017 §5.3) ---------------------------------------------------------------

@_entry("noam", "noam", absolute=True)
def _noam(base_lr, d_model=512, warmup_steps=4000, factor=1.0):
    """factor · d_model^−0.5 · min(step^−0.5, step · warmup^−1.5) with step = t + 1 (the paper's 1-based
    step; tensor2tensor's legacy 'noam' uses the same step + 1)."""
    W = _int(warmup_steps, "warmup_steps", 1)
    peak = _positive(factor, "factor") * _positive(d_model, "d_model") ** -0.5 * W ** -0.5
    return Schedule(peak, Warmup("linear", steps=W, factor=0.0), Decay("inverse_sqrt", timescale=W), "prepend",
                    offset=1)
