"""The one registry of warmup shapes and decays.

Each :class:`~warmup_core.params.Entry` carries the vectorised function, its parameters with
defaults, ranges, units and help, the LaTeX formula shown in the app, and a reference. The app
builds its widgets from here; the tests loop over it. Add a shape by adding an entry.
"""

from __future__ import annotations

import numpy as np

from . import decays as D
from . import warmups as W
from .params import Entry, Param, unknown_name

# --- parameters shared by many entries ---------------------------------------------------------

STEPS = Param(name="steps", default=0, kind="int", minimum=0, unit="steps",
              help="Number of optimizer updates the warmup lasts (W).")
FACTOR = Param(name="factor", default=0.0, kind="float", minimum=0.0, maximum=1.0, unit="× peak",
               help="Learning rate at step 0 as a fraction of the peak (the warmup factor).")
# beta2 stops at 0.99999 (a 200,000-step warmup); nearer 1 the derived length is astronomically long.
BETA2 = Param(name="beta2", default=0.999, kind="float", minimum=0.0, maximum=0.99999,
              help="Adam's second-moment decay rate β₂; the warmup length follows from it.")
BETA2_RADAM = Param(name="beta2", default=0.999, kind="float", minimum=0.6, minimum_open=True, maximum=0.99999,
                    help="Adam's β₂; RAdam's rectification needs β₂ > 0.6.")
PERIOD = Param(name="period", default=None, kind="int", minimum=1, maximum=1_000_000, optional=True, unit="steps",
               help="Override the period τ derived from β₂ (pytorch_warmup's warmup_period).")
FLOOR = Param(name="floor", default=0.0, kind="float", minimum=0.0, maximum=1.0, unit="× peak",
              help="Final learning rate as a fraction of the peak.")
GAMMA = Param(name="gamma", default=0.1, kind="float", minimum=0.0, minimum_open=True, maximum=1.0, unit="×",
              help="Multiplier applied at each decay event.")
BOUNDARY = Param(name="boundary", default="at", kind="choice", choices=("at", "before", "after"),
                 help="Which value the milestone step itself gets: the new one ('at', torch/optax), one step "
                      "early ('before', timm) or late ('after', Keras).")
# Multipliers above the peak (piecewise values, an exponential's cap) stop at 1e6: far past any real schedule,
# and far from float64 overflow once multiplied by a learning rate.
MAX_MULTIPLIER = 1e6


def length(name: str = "steps", help: str = "Length of the decay (L). Empty: the rest of training.") -> Param:
    """A decay length that may be left empty (``None``) to fill the rest of training."""
    return Param(name=name, default=None, kind="int", minimum=1, optional=True, unit="steps", help=help)


def shape_param(name: str, default: float, help: str, minimum: float = 0.0, minimum_open: bool = True) -> Param:
    """An exponent, cycle count or similar positive shape parameter."""
    return Param(name=name, default=default, kind="float", minimum=minimum, minimum_open=minimum_open, help=help)


# --- warmups -----------------------------------------------------------------------------------

def _untuned_linear_steps(p):
    return W.untuned_period(p["beta2"], "linear", p["period"]) - 1


def _saturation(fn):
    return lambda p: W.saturation_step(fn, p["beta2"], p.get("period"))


_WARMUP_ENTRIES = [
    Entry(name="none", kind="warmup", title="No warmup", evaluate=None, params=(),
          formula=r"f(t) = 1", reference="—", summary="Start at the peak learning rate."),
    Entry(name="constant", kind="warmup", title="Constant", evaluate=W.constant, params=(), takes_factor=True,
          continuous=False,
          formula=r"f(t) = \alpha \quad (t < W)",
          reference="He et al. 2016 (ResNet-110 on CIFAR-10: 0.01 for ~400 iterations, then 0.1); "
                    "maskrcnn-benchmark WARMUP_METHOD='constant'.",
          summary="A small constant factor α for W steps, then the full rate (a jump)."),
    Entry(name="linear", kind="warmup", title="Linear (gradual)", evaluate=W.linear, params=(), takes_factor=True,
          formula=r"f(t) = \alpha + (1-\alpha)\,\frac{t}{W} \quad (t < W)",
          reference="Goyal et al. 2017, 'Accurate, Large Minibatch SGD' (gradual warmup); torch LinearLR; "
                    "HF get_*_with_warmup (α = 0).",
          summary="Rise in a straight line from α to the peak over W steps."),
    Entry(name="exponential", kind="warmup", title="Exponential (geometric)", evaluate=W.exponential, params=(),
          takes_factor=True, factor_positive=True,
          formula=r"f(t) = \alpha \cdot \alpha^{-t/W} \quad (t < W)",
          reference="tensor2tensor learning_rate.py legacy 'exp' warmup (α = 0.01).",
          summary="Multiply by the same ratio every step, from α to the peak (needs α > 0)."),
    Entry(name="cosine", kind="warmup", title="Cosine (half-cosine ramp)", evaluate=W.cosine, params=(),
          takes_factor=True,
          formula=r"f(t) = \alpha + (1-\alpha)\,\tfrac12\left(1-\cos\frac{\pi t}{W}\right)",
          reference="HF get_wsd_schedule warmup_type='cosine'; one-cycle's rising half.",
          summary="Slow start, fast middle, gentle arrival at the peak."),
    Entry(name="1-sqrt", kind="warmup", title="1 − √(1−x)", evaluate=W.one_minus_sqrt, params=(), takes_factor=True,
          formula=r"f(t) = \alpha + (1-\alpha)\left(1-\sqrt{1-t/W}\right)",
          reference="HF get_wsd_schedule warmup_type='1-sqrt' (Hägele et al. 2024).",
          summary="Slow start that accelerates towards the peak."),
    Entry(name="log", kind="warmup", title="Logarithmic", evaluate=W.log, params=(), takes_factor=True,
          formula=r"f(t) = \alpha + (1-\alpha)\,\frac{\ln \max(t, 1)}{\ln W} \quad (t < W)",
          reference="DeepSpeed WarmupLR / WarmupDecayLR / WarmupCosineLR warmup_type='log' (the default).",
          summary="Fast start, slow arrival (steps 0 and 1 both at α), as DeepSpeed runs it per update."),
    Entry(name="untuned_linear", kind="warmup", title="Untuned linear (2/(1−β₂))", evaluate=W.untuned_linear,
          params=(BETA2, PERIOD), derive_steps=_untuned_linear_steps,
          formula=r"f(t) = \min\!\left(1, \frac{t+1}{\tau}\right),"
                  r"\quad \tau = \left\lfloor \frac{2}{1-\beta_2}\right\rfloor",
          reference="Ma & Yarats 2019, 'On the adequacy of untuned warmup for adaptive optimization' "
                    "(arXiv:1910.04209); pytorch_warmup UntunedLinearWarmup.",
          summary="Linear warmup whose length comes from Adam's β₂: about 2/(1−β₂) steps."),
    Entry(name="untuned_exponential", kind="warmup", title="Untuned exponential (1/(1−β₂))",
          evaluate=W.untuned_exponential, params=(BETA2, PERIOD), derive_steps=_saturation(W.untuned_exponential),
          formula=r"f(t) = 1 - e^{-(t+1)/\tau},\quad \tau = \left\lfloor \frac{1}{1-\beta_2}\right\rfloor",
          reference="Ma & Yarats 2019 (arXiv:1910.04209); pytorch_warmup ExponentialWarmup / "
                    "UntunedExponentialWarmup.",
          summary="Saturating exponential with time constant τ; it reaches 1.0 (in float64) after ~37τ."),
    Entry(name="radam", kind="warmup", title="RAdam-derived", evaluate=W.radam, params=(BETA2_RADAM,),
          derive_steps=_saturation(W.radam),
          formula=r"f(t) = \sqrt{\frac{(\rho_{t+\delta}-4)(\rho_{t+\delta}-2)\rho_\infty}"
                  r"{(\rho_\infty-4)(\rho_\infty-2)\rho_{t+\delta}}},"
                  r"\ \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\ \rho_\infty = \frac{2}{1-\beta_2}-1",
          reference="Liu et al. 2020 (RAdam); Ma & Yarats 2019; pytorch_warmup RAdamWarmup.",
          summary="The variance-rectification term of RAdam used as a warmup for Adam."),
]
WARMUPS: dict[str, Entry] = {e.name: e for e in _WARMUP_ENTRIES}


# --- decays: cross-parameter checks, lengths that fill the rest of training, breakpoints ----------

def _check_cyclic(p):
    if D.cyclic_is_degenerate(p["up"], p["down"]):
        raise ValueError(f"decay 'cyclic': parameters 'up' ({p['up']!r}) and 'down' ({p['down']!r}) make a cycle "
                         "too short for float64")


def _every(horizon, every, start=0.0):
    """``start, start + every, ...`` up to ``horizon`` (at most ``MAX_CYCLES`` of them)."""
    if every <= 0 or horizon < start:
        return []
    n = min(int((horizon - start) // every), D.MAX_CYCLES)
    return list(start + every * np.arange(n + 1))


def _check_sorted(p):
    m = p["milestones"]
    if any(b < a for a, b in zip(m, m[1:])):
        raise ValueError(f"parameter 'milestones' must be sorted (non-decreasing), got {list(m)}")


def _check_piecewise(p):
    _check_sorted(p)
    if len(p["values"]) != len(p["milestones"]) + 1:
        raise ValueError(
            f"parameter 'values' must have one more entry than 'milestones' "
            f"({len(p['milestones']) + 1}), got {len(p['values'])}: {list(p['values'])}")


def _check_exponential(p):
    if p["gamma"] > 1 and p["limit"] is None:
        raise ValueError(f"parameter 'gamma' = {p['gamma']!r} > 1 grows without bound (to inf): give a 'limit' "
                         "to cap it")


def _milestone_steps(p, horizon):
    """Where a milestone's value first applies: one step early ('before') or late ('after') as the boundary says."""
    shift = {"at": 0, "before": -1, "after": 1}[p["boundary"]]
    return [m + shift for m in p["milestones"] if 0 <= m + shift <= horizon]


def _check_knots(p):
    k = p["knots"]
    if not k or len(p["values"]) != len(k):
        raise ValueError(f"parameters 'knots' and 'values' must be non-empty lists of the same length, got "
                         f"{list(k)} and {list(p['values'])}")
    if any(b <= a for a, b in zip(k, k[1:])):
        raise ValueError(f"parameter 'knots' must be strictly increasing, got {list(k)}")


def _check_onecycle(p):
    knots, _ = D.onecycle_knots(p["total_steps"] or 1e9, p["pct_start"], p["div_factor"],
                                p["final_div_factor"], p["three_phase"], p["style"], p["pct_final"])
    if p["total_steps"] is not None and any(b <= a for a, b in zip(knots, knots[1:])):
        raise ValueError(
            f"one-cycle phases are empty or out of order: total_steps={p['total_steps']}, "
            f"pct_start={p['pct_start']}, three_phase={p['three_phase']} give phase ends {knots[1:]}; "
            "use more steps or a larger pct_start")


def _check_tanh(p):
    if p.get("profile", "tanh") == "tanh" and not p["lb"] < p["ub"]:
        raise ValueError(f"parameter 'lb' ({p['lb']}) must be below 'ub' ({p['ub']}), or the tanh rises")


def _fill(key="steps"):
    """An empty ``key`` becomes the length of the decay phase."""
    def fill(p, length):
        return {**p, key: max(int(length), 1)} if p[key] is None else p
    return fill


def _fill_wsd(p, length):
    """An empty cooldown is 20% of the decay phase; an empty stable phase is what is left of it."""
    decay = p["decay"] if p["decay"] is not None else max(int(round(0.2 * length)), 0)
    stable = p["stable"] if p["stable"] is not None else max(int(length) - decay, 0)
    return {**p, "decay": decay, "stable": stable}


def _restart_breaks(p, horizon):
    starts = D.cycle_starts(p["period"], p["period_mult"], horizon)
    if p["cycle_limit"] is not None:
        starts = starts[: p["cycle_limit"] + 1]
    return [float(b) for b in starts if b <= horizon]


def _onecycle_breaks(p, horizon):
    knots, _ = D.onecycle_knots(p["total_steps"], p["pct_start"], p["div_factor"], p["final_div_factor"],
                                p["three_phase"], p["style"], p["pct_final"])
    return [k for k in knots[1:] if k <= horizon]


TANH_LB = Param(name="lb", default=-7.0, kind="float", help="Lower bound of the tanh argument.")
TANH_UB = Param(name="ub", default=3.0, kind="float", help="Upper bound of the tanh argument.")

_DECAY_ENTRIES = [
    Entry(name="constant", kind="decay", title="Constant", evaluate=D.constant, params=(),
          formula=r"d(s) = 1", reference="—", summary="Hold the peak learning rate."),
    Entry(name="step", kind="decay", title="Step", evaluate=D.step, continuous=False,
          params=(Param(name="step_size", default=1000, kind="int", minimum=1, unit="steps",
                        help="Steps between decays."),
                  GAMMA),
          breakpoints=lambda p, h: _every(h, p["step_size"], p["step_size"]),
          formula=r"d(s) = \gamma^{\lfloor s / k \rfloor}", reference="torch StepLR; timm StepLRScheduler.",
          summary="Multiply by γ every k steps."),
    Entry(name="multistep", kind="decay", title="Multi-step (milestones)", evaluate=D.multistep, continuous=False,
          params=(Param(name="milestones", default=(30_000,), kind="int_list", minimum=0, unit="steps",
                        help="Steps at which the rate is multiplied by γ."),
                  GAMMA, BOUNDARY),
          check=_check_sorted, breakpoints=_milestone_steps,
          formula=r"d(s) = \gamma^{\#\{m_i \le s\}}",
          reference="torch MultiStepLR; maskrcnn-benchmark WarmupMultiStepLR; timm MultiStepLRScheduler.",
          summary="Multiply by γ at each milestone."),
    Entry(name="piecewise", kind="decay", title="Piecewise constant", evaluate=D.piecewise, monotone=False,
          continuous=False,
          params=(Param(name="milestones", default=(1000,), kind="int_list", minimum=0, unit="steps",
                        help="Steps where the value changes."),
                  Param(name="values", default=(1.0, 0.1), kind="float_list", minimum=0.0, maximum=MAX_MULTIPLIER,
                        unit="× peak", help="Multiplier before the first milestone, between, and after the last."),
                  BOUNDARY),
          check=_check_piecewise, breakpoints=_milestone_steps,
          formula=r"d(s) = v_i \quad (m_{i-1} \le s < m_i)",
          reference="optax piecewise_constant_schedule; Keras PiecewiseConstantDecay.",
          summary="Arbitrary values between milestones."),
    Entry(name="exponential", kind="decay", title="Exponential", evaluate=D.exponential, monotone=False,
          params=(Param(name="gamma", default=0.999, kind="float", minimum=0.0, minimum_open=True,
                        help="Multiplier per period (above 1 only with a limit)."),
                  Param(name="period", default=1.0, kind="float", minimum=1e-6, unit="steps",
                        help="Steps per multiplication by γ."),
                  Param(name="delay", default=0, kind="int", minimum=0, unit="steps",
                        help="Steps before the decay begins."),
                  Param(name="staircase", default=False, kind="bool", help="Decay in discrete jumps every period."),
                  Param(name="limit", default=None, kind="float", minimum=0.0, maximum=MAX_MULTIPLIER, optional=True,
                        unit="× peak", help="Clip the multiplier at this value (a floor when γ < 1, a cap above).")),
          check=_check_exponential,
          breakpoints=lambda p, h: ([p["delay"]] if p["delay"] else [])
          + (_every(h, p["period"], p["delay"] + p["period"]) if p["staircase"] else []),
          formula=r"d(s) = \gamma^{(s-\text{delay})/P}",
          reference="torch ExponentialLR; optax exponential_decay; Keras ExponentialDecay.",
          summary="Multiply by γ every P steps, smoothly or as a staircase."),
    Entry(name="cosine", kind="decay", title="Cosine", evaluate=D.cosine, fill_lengths=_fill(),
          params=(length(), FLOOR,
                  shape_param("exponent", 1.0, "Raise the cosine factor to this power (optax)."),
                  shape_param("cycles", 0.5, "Cosine periods over L: 0.5 = half a cosine, down to the floor "
                                             "(HF num_cycles)."),
                  Param(name="clamp", default=True, kind="bool",
                        help="Hold the floor after L (optax/Keras/timm); off: keep following the cosine "
                             "(torch CosineAnnealingLR, HF cosine).")),
          breakpoints=lambda p, h: [p["steps"]] if p["clamp"] and p["steps"] <= h else [],
          formula=r"d(s) = \eta_{\min} + (1-\eta_{\min})"
                  r"\left[\tfrac12\left(1+\cos\frac{2\pi c\, s}{L}\right)\right]^{e}",
          reference="Loshchilov & Hutter 2017 (SGDR); torch CosineAnnealingLR; HF cosine; "
                    "optax cosine_decay_schedule.",
          summary="Half a cosine from the peak down to the floor over L steps."),
    Entry(name="cosine_restarts", kind="decay", title="Cosine with restarts (SGDR)", evaluate=D.restarts,
          monotone=False, continuous=False,
          params=(Param(name="period", default=1000.0, kind="float", minimum=1e-6, unit="steps",
                        help="Length of the first cycle (T₀)."),
                  Param(name="period_mult", default=1.0, kind="float", minimum=1.0,
                        help="Each cycle is this much longer than the last (T_mult)."),
                  Param(name="cycle_decay", default=1.0, kind="float", minimum=0.0, minimum_open=True, maximum=1.0,
                        help="Peak of cycle i is cycle_decay^i."),
                  Param(name="decay_mode", default="peak", kind="choice", choices=("peak", "amplitude"),
                        help="cycle_decay scales the peak above the floor (timm) or the cosine amplitude only "
                             "(Keras m_mul)."),
                  Param(name="cycle_limit", default=None, kind="int", minimum=0, optional=True,
                        help="Stop restarting after this many cycles and hold the floor."),
                  FLOOR,
                  shape_param("k_decay", 1.0, "Time warp inside a cycle: x = t^k / T^k (timm k_decay)."),
                  Param(name="profile", default="cosine", kind="choice",
                        choices=("cosine", "linear", "polynomial", "tanh"), help="Shape of each cycle."),
                  shape_param("power", 1.0, "Power of the polynomial profile.", minimum_open=False),
                  Param(name="lb", default=-7.0, kind="float", help="tanh profile lower bound."),
                  Param(name="ub", default=3.0, kind="float", help="tanh profile upper bound.")),
          check=_check_tanh, breakpoints=_restart_breaks,
          formula=r"d(s) = \eta_{\min} + (\gamma^{i} - \eta_{\min})\,"
                  r"\tfrac12\left(1+\cos\frac{\pi t_{cur}^k}{T_i^k}\right),\ T_i = T_0\, T_{mult}^{\,i}",
          reference="Loshchilov & Hutter 2017 (SGDR); torch CosineAnnealingWarmRestarts; timm CosineLRScheduler; "
                    "Keras CosineDecayRestarts.",
          summary="Repeated cosine cycles that restart at a (possibly lower) peak."),
    Entry(name="polynomial", kind="decay", title="Polynomial", evaluate=D.polynomial, fill_lengths=_fill(),
          params=(length(), shape_param("power", 1.0, "Exponent of the decay.", minimum_open=False), FLOOR,
                  Param(name="delay", default=0, kind="int", minimum=0, unit="steps",
                        help="Steps before the decay begins (optax transition_begin)."),
                  Param(name="cycle", default=False, kind="bool",
                        help="Restart with a longer period instead of holding the floor (Keras).")),
          breakpoints=lambda p, h: [b for b in (p["delay"], p["delay"] + p["steps"]) if 0 < b <= h],
          formula=r"d(s) = \eta_{\min} + (1-\eta_{\min})\left(1 - \frac{\min(s, L)}{L}\right)^{p}",
          reference="torch PolynomialLR; HF polynomial; optax polynomial_schedule; Keras PolynomialDecay.",
          summary="Decay to the floor along (1 − s/L)^p."),
    Entry(name="linear", kind="decay", title="Linear", evaluate=D.linear, fill_lengths=_fill(),
          params=(length(), FLOOR),
          breakpoints=lambda p, h: [p["steps"]] if p["steps"] <= h else [],
          formula=r"d(s) = \eta_{\min} + (1-\eta_{\min})\left(1 - \frac{\min(s, L)}{L}\right)",
          reference="HF get_linear_schedule_with_warmup; optax linear_schedule; torch LinearLR (as decay).",
          summary="Straight down to the floor over L steps."),
    Entry(name="inverse_sqrt", kind="decay", title="Inverse square root", evaluate=D.inverse_sqrt,
          params=(Param(name="timescale", default=10_000, kind="float", minimum=1e-6, unit="steps",
                        help="Steps over which the rate falls to 1/√2 of the peak."),),
          formula=r"d(s) = \frac{1}{\sqrt{(s + \tau)/\tau}}",
          reference="Vaswani et al. 2017 (Noam); fairseq inverse_sqrt; HF inverse_sqrt (big_vision).",
          summary="Fall as 1/√t: the Transformer's schedule."),
    Entry(name="inverse_time", kind="decay", title="Inverse time", evaluate=D.inverse_time,
          params=(Param(name="decay_steps", default=1000.0, kind="float", minimum=1e-6, unit="steps",
                        help="Steps per unit of decay."),
                  Param(name="rate", default=0.5, kind="float", minimum=0.0, help="Decay rate."),
                  Param(name="staircase", default=False, kind="bool", help="Decay in discrete jumps.")),
          breakpoints=lambda p, h: _every(h, p["decay_steps"], p["decay_steps"]) if p["staircase"] else [],
          formula=r"d(s) = \frac{1}{1 + r\, s / D}", reference="Keras InverseTimeDecay.", summary="Fall as 1/t."),
    Entry(name="wsd", kind="decay", title="Warmup-stable-decay (trapezoid)", evaluate=D.wsd, fill_lengths=_fill_wsd,
          params=(Param(name="stable", default=None, kind="int", minimum=0, optional=True, unit="steps",
                        help="Steps held at the peak. Empty: the rest of training before the decay."),
                  Param(name="decay", default=None, kind="int", minimum=0, optional=True, unit="steps",
                        help="Steps of the final cooldown. Empty: 20% of the steps after warmup."),
                  Param(name="shape", default="1-sqrt", kind="choice",
                        choices=("linear", "cosine", "1-sqrt", "power", "exp"), help="Shape of the cooldown."),
                  FLOOR,
                  shape_param("cycles", 0.5, "Cosine periods over the cooldown (HF num_cycles)."),
                  shape_param("stable_power", 0.0, "0: a flat stable phase; > 0: it decays as (1 + s/τ)^-p (0.5: "
                                                   "rsqrt, Big Vision; timm stable_fn).", minimum_open=False),
                  Param(name="stable_timescale", default=1000.0, kind="float", minimum=1e-6, unit="steps",
                        help="τ of a decaying stable phase."),
                  shape_param("decay_power", 0.5, "Exponent of the 'power' cooldown 1 − q^p (0.5 is 1-sqrt)."),
                  Param(name="decay_ratio", default=0.1, kind="float", minimum=0.0, minimum_open=True, maximum=1.0,
                        maximum_open=True,
                        help="Where the 'exp' cooldown would end before it is normalised to 0.")),
          breakpoints=lambda p, h: [b for b in (p["stable"], p["stable"] + p["decay"]) if 0 < b <= h],
          formula=r"d(s) = \begin{cases}\sigma(s) & s < S\\ "
                  r"\eta_{\min} + (\sigma(s)-\eta_{\min})\,g\!\left(\frac{s-S}{D}\right) & S \le s < S + D"
                  r"\\ \eta_{\min} & s \ge S+D\end{cases},"
                  r"\quad \sigma(s) = \max\!\left(\left(1+\tfrac{s}{\tau}\right)^{-p}, \eta_{\min}\right)"
                  r"\ (1\ \text{if}\ p=0)",
          reference="Hu et al. 2024 (MiniCPM); Hägele et al. 2024; HF get_wsd_schedule; timm WSDLRScheduler.",
          summary="Hold the peak (or let it fall slowly as (1 + s/τ)^-p), then cool down quickly at the end."),
    Entry(name="onecycle", kind="decay", title="One-cycle", evaluate=D.onecycle, monotone=False,
          fill_lengths=_fill("total_steps"),
          params=(length("total_steps", "Length of the cycle. Empty: the whole run."),
                  Param(name="pct_start", default=0.3, kind="float", minimum=0.0, minimum_open=True, maximum=1.0,
                        maximum_open=True, help="Fraction of the cycle spent rising."),
                  Param(name="div_factor", default=25.0, kind="float", minimum=1.0,
                        help="Start at peak / div_factor."),
                  Param(name="final_div_factor", default=1e4, kind="float", minimum=1.0,
                        help="End at start / final_div_factor."),
                  Param(name="anneal", default="cos", kind="choice", choices=("cos", "linear"),
                        help="Interpolation between the knots."),
                  Param(name="three_phase", default=False, kind="bool",
                        help="Come back to the start value before the final annihilation."),
                  Param(name="style", default="torch", kind="choice", choices=("torch", "optax"),
                        help="Where the knots fall: torch OneCycleLR (peak at pct·T−1, end at T−1) or optax "
                             "(peak at ⌊pct·T⌋, end at T)."),
                  Param(name="pct_final", default=0.85, kind="float", minimum=0.0, maximum=1.0,
                        help="optax linear_onecycle: end of the second phase.")),
          check=_check_onecycle, breakpoints=_onecycle_breaks,
          formula=r"d(s)\ \text{interpolates}\ \tfrac{1}{\text{div}} \to 1 \to "
                  r"\tfrac{1}{\text{div}\cdot\text{final\_div}}",
          reference="Smith & Topin 2018 (super-convergence); torch OneCycleLR; optax *_onecycle_schedule; fastai.",
          summary="Up and down in one cycle; includes its own warmup, so pair it with warmup 'none'."),
    Entry(name="cyclic", kind="decay", title="Cyclic (triangular)", evaluate=D.cyclic, monotone=False,
          params=(Param(name="up", default=2000.0, kind="float", minimum=0.0, minimum_open=True, unit="steps",
                        help="Steps from the floor up to the peak."),
                  Param(name="down", default=2000.0, kind="float", minimum=0.0, unit="steps",
                        help="Steps from the peak back down to the floor."),
                  FLOOR,
                  Param(name="mode", default="triangular", kind="choice",
                        choices=("triangular", "triangular2", "exp_range"),
                        help="triangular: same height every cycle; triangular2: half the height each cycle; "
                             "exp_range: height × γ^s."),
                  Param(name="gamma", default=1.0, kind="float", minimum=0.0, minimum_open=True, maximum=1.0,
                        help="exp_range: the height shrinks by γ every step.")),
          check=_check_cyclic,
          breakpoints=lambda p, h: sorted(_every(h, p["up"] + p["down"]) + _every(h, p["up"] + p["down"], p["up"])),
          formula=r"d(s) = \eta_{\min} + (1-\eta_{\min})\,\mathrm{tri}(s)\,h(s),\ "
                  r"\mathrm{tri}\ \text{rises over}\ U\ \text{steps, falls over}\ D",
          reference="Smith 2017, 'Cyclical Learning Rates for Training Neural Networks'; torch CyclicLR; "
                    "DeepSpeed OneCycle.",
          summary="Up and down between the floor and the peak, cycle after cycle; starts at the floor."),
    Entry(name="knots", kind="decay", title="Interpolated knots", evaluate=D.knots, monotone=False,
          params=(Param(name="knots", default=(0.0, 1000.0), kind="float_list", minimum=0.0, unit="steps",
                        help="Steps of the knots (strictly increasing)."),
                  Param(name="values", default=(1.0, 0.1), kind="float_list", minimum=0.0, maximum=MAX_MULTIPLIER,
                        unit="× peak", help="Multiplier at each knot."),
                  Param(name="anneal", default="linear", kind="choice", choices=("linear", "cosine"),
                        help="Straight lines or half-cosines between knots.")),
          check=_check_knots, breakpoints=lambda p, h: [k for k in p["knots"] if 0 < k <= h],
          formula=r"d(s) = v_i + (v_{i+1} - v_i)\,g\!\left(\frac{s - k_i}{k_{i+1} - k_i}\right),\ "
                  r"g(x) = x\ \text{or}\ \tfrac12(1 - \cos \pi x)",
          reference="optax piecewise_interpolate_schedule; fastai combine_scheds / fit_one_cycle.",
          summary="Straight or cosine segments through given points; the last value is held."),
    Entry(name="tanh", kind="decay", title="Tanh", evaluate=D.tanh, continuous=False, fill_lengths=_fill(),
          params=(length(), TANH_LB, TANH_UB, FLOOR),
          check=_check_tanh, breakpoints=lambda p, h: [p["steps"]] if p["steps"] <= h else [],
          formula=r"d(s) = \eta_{\min} + (1-\eta_{\min})\,\tfrac12\left(1 - \tanh\!\left(l_b(1-x) + u_b x\right)"
                  r"\right),\ x = s/L",
          reference="Hsueh et al. 2019 (tanh decay); timm TanhLRScheduler.",
          summary="A sigmoid-like fall from the peak; holds the floor after L."),
]
DECAYS: dict[str, Entry] = {e.name: e for e in _DECAY_ENTRIES}

CONVENTIONS = {
    "prepend": "The decay's clock starts when the warmup ends (HF, optax, Keras, torch SequentialLR).",
    "multiply": "Warmup factor × decay, both clocks from step 0 (maskrcnn, torch ChainedScheduler, "
                "pytorch_warmup).",
    "override": "The warmup replaces the decay while it lasts; the decay keeps the global clock "
                "(timm without warmup_prefix, detectron2).",
}


def _lookup(table: dict, kind: str, name) -> Entry:
    if isinstance(name, str) and name in table:
        return table[name]
    raise unknown_name(kind, name, table)


def warmup_entry(name: str) -> Entry:
    return _lookup(WARMUPS, "warmup method", name)


def decay_entry(name: str) -> Entry:
    return _lookup(DECAYS, "decay", name)
