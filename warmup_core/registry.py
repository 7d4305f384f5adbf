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

STEPS = Param("steps", 0, "Number of optimizer updates the warmup lasts (W).", "int", 0,
              unit="steps", ui_max=100_000)
FACTOR = Param("factor", 0.0, "Learning rate at step 0 as a fraction of the peak (the warmup factor).",
               "float", 0.0, 1.0, unit="× peak")
# beta2 stops at 0.99999 (a 200,000-step warmup); nearer 1 the derived length is astronomically long.
BETA2 = Param("beta2", 0.999, "Adam's second-moment decay rate β₂; the warmup length follows from it.",
              "float", 0.0, 0.99999)
BETA2_RADAM = Param("beta2", 0.999, "Adam's β₂; RAdam's rectification needs β₂ > 0.6.", "float", 0.6, 0.99999,
                    minimum_open=True)
PERIOD = Param("period", None, "Override the period τ derived from β₂ (pytorch_warmup's warmup_period).",
               "int", 1, 1_000_000, optional=True, unit="steps", ui_max=20_000)


def _length(name="steps", help="Length of the decay (L). Empty: the rest of training."):
    return Param(name, None, help, "int", 1, optional=True, unit="steps", ui_max=1_000_000)


FLOOR = Param("floor", 0.0, "Final learning rate as a fraction of the peak.", "float", 0.0, 1.0,
              unit="× peak")
GAMMA = Param("gamma", 0.1, "Multiplier applied at each decay event.", "float", 0.0, 1.0,
              minimum_open=True, unit="×")
BOUNDARY = Param("boundary", "at", "Which value the milestone step itself gets: the new one ('at', "
                 "torch/optax), one step early ('before', timm) or late ('after', Keras).", "choice",
                 choices=("at", "before", "after"))


# --- warmups -----------------------------------------------------------------------------------

def _untuned_linear_steps(p):
    return W._period(p["beta2"], p["period"], "linear") - 1


def _saturation(fn):
    return lambda p: W.saturation_step(fn, p["beta2"], p.get("period"))


_WARMUP_ENTRIES = [
    Entry("none", "warmup", "No warmup", None, (), r"f(t) = 1",
          "—", "Start at the peak learning rate.", extra={"factor": False}),
    Entry("constant", "warmup", "Constant", W.constant, (),
          r"f(t) = \alpha \quad (t < W)",
          "He et al. 2016 (ResNet-110 on CIFAR-10: 0.01 for ~400 iterations, then 0.1); "
          "maskrcnn-benchmark WARMUP_METHOD='constant'.",
          "A small constant factor α for W steps, then the full rate (a jump).",
          monotone=True, continuous=False, extra={"factor": True}),
    Entry("linear", "warmup", "Linear (gradual)", W.linear, (),
          r"f(t) = \alpha + (1-\alpha)\,\frac{t}{W} \quad (t < W)",
          "Goyal et al. 2017, 'Accurate, Large Minibatch SGD' (gradual warmup); torch LinearLR; "
          "HF get_*_with_warmup (α = 0).",
          "Rise in a straight line from α to the peak over W steps.", extra={"factor": True}),
    Entry("exponential", "warmup", "Exponential (geometric)", W.exponential, (),
          r"f(t) = \alpha \cdot \alpha^{-t/W} \quad (t < W)",
          "tensor2tensor learning_rate.py legacy 'exp' warmup (α = 0.01).",
          "Multiply by the same ratio every step, from α to the peak (needs α > 0).",
          extra={"factor": True, "factor_open": True}),
    Entry("cosine", "warmup", "Cosine (half-cosine ramp)", W.cosine, (),
          r"f(t) = \alpha + (1-\alpha)\,\tfrac12\left(1-\cos\frac{\pi t}{W}\right)",
          "HF get_wsd_schedule warmup_type='cosine'; one-cycle's rising half.",
          "Slow start, fast middle, gentle arrival at the peak.", extra={"factor": True}),
    Entry("1-sqrt", "warmup", "1 − √(1−x)", W.one_minus_sqrt, (),
          r"f(t) = \alpha + (1-\alpha)\left(1-\sqrt{1-t/W}\right)",
          "HF get_wsd_schedule warmup_type='1-sqrt' (Hägele et al. 2024).",
          "Slow start that accelerates towards the peak.", extra={"factor": True}),
    Entry("log", "warmup", "Logarithmic", W.log, (),
          r"f(t) = \alpha + (1-\alpha)\,\frac{\ln(t+1)}{\ln W} \quad (t < W)",
          "DeepSpeed WarmupLR / WarmupDecayLR / WarmupCosineLR warmup_type='log' (the default).",
          "Fast start, slow arrival: reaches the peak at the last warmup step.", extra={"factor": True}),
    Entry("untuned_linear", "warmup", "Untuned linear (2/(1−β₂))", W.untuned_linear, (BETA2, PERIOD),
          r"f(t) = \min\!\left(1, \frac{t+1}{\tau}\right),\quad \tau = \left\lfloor \frac{2}{1-\beta_2}\right\rfloor",
          "Ma & Yarats 2019, 'On the adequacy of untuned warmup for adaptive optimization' "
          "(arXiv:1910.04209); pytorch_warmup UntunedLinearWarmup.",
          "Linear warmup whose length comes from Adam's β₂: about 2/(1−β₂) steps.",
          derive_steps=_untuned_linear_steps, extra={"factor": False}),
    Entry("untuned_exponential", "warmup", "Untuned exponential (1/(1−β₂))", W.untuned_exponential,
          (BETA2, PERIOD),
          r"f(t) = 1 - e^{-(t+1)/\tau},\quad \tau = \left\lfloor \frac{1}{1-\beta_2}\right\rfloor",
          "Ma & Yarats 2019 (arXiv:1910.04209); pytorch_warmup ExponentialWarmup / UntunedExponentialWarmup.",
          "Saturating exponential with time constant τ; it reaches 1.0 (in float64) after ~37τ.",
          derive_steps=_saturation(W.untuned_exponential), extra={"factor": False}),
    Entry("radam", "warmup", "RAdam-derived", W.radam, (BETA2_RADAM,),
          r"f(t) = \sqrt{\frac{(\rho_{t+\delta}-4)(\rho_{t+\delta}-2)\rho_\infty}"
          r"{(\rho_\infty-4)(\rho_\infty-2)\rho_{t+\delta}}},"
          r"\ \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t},\ \rho_\infty = \frac{2}{1-\beta_2}-1",
          "Liu et al. 2020 (RAdam); Ma & Yarats 2019; pytorch_warmup RAdamWarmup.",
          "The variance-rectification term of RAdam used as a warmup for Adam.",
          derive_steps=_saturation(W.radam), extra={"factor": False}),
]
WARMUPS: dict[str, Entry] = {e.name: e for e in _WARMUP_ENTRIES}


# --- decays ------------------------------------------------------------------------------------

def _upto(horizon, every, start=0.0):
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


def _shift(p):
    return {"at": 0, "before": -1, "after": 1}[p["boundary"]]


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


def _auto_length(key="steps"):
    def fill(p, length):
        if p[key] is None:
            p = {**p, key: max(int(length), 1)}
        return p
    return fill


def _auto_wsd(p, length):
    decay = p["decay"] if p["decay"] is not None else max(int(round(0.2 * length)), 0)
    stable = p["stable"] if p["stable"] is not None else max(int(length) - decay, 0)
    return {**p, "decay": decay, "stable": stable}


def _restart_breaks(p, horizon):
    starts = D.cycle_starts(p["period"], p["period_mult"], horizon)
    if p["cycle_limit"] is not None:
        starts = starts[: p["cycle_limit"] + 1]
    return [float(b) for b in starts if b <= horizon]


_DECAY_ENTRIES = [
    Entry("constant", "decay", "Constant", D.constant, (), r"d(s) = 1", "—",
          "Hold the peak learning rate."),
    Entry("step", "decay", "Step", D.step,
          (Param("step_size", 1000, "Steps between decays.", "int", 1, unit="steps", ui_max=100_000),
           GAMMA),
          r"d(s) = \gamma^{\lfloor s / k \rfloor}", "torch StepLR; timm StepLRScheduler.",
          "Multiply by γ every k steps.", continuous=False,
          breakpoints=lambda p, h: _upto(h, p["step_size"], p["step_size"])),
    Entry("multistep", "decay", "Multi-step (milestones)", D.multistep,
          (Param("milestones", (30_000,), "Steps at which the rate is multiplied by γ.", "int_list", 0,
                 unit="steps"), GAMMA, BOUNDARY),
          r"d(s) = \gamma^{\#\{m_i \le s\}}",
          "torch MultiStepLR; maskrcnn-benchmark WarmupMultiStepLR; timm MultiStepLRScheduler.",
          "Multiply by γ at each milestone.", continuous=False, check=_check_sorted,
          breakpoints=lambda p, h: [m + _shift(p) for m in p["milestones"] if 0 <= m + _shift(p) <= h]),
    Entry("piecewise", "decay", "Piecewise constant", D.piecewise,
          (Param("milestones", (1000,), "Steps where the value changes.", "int_list", 0, unit="steps"),
           Param("values", (1.0, 0.1), "Multiplier before the first milestone, between, and after the last.",
                 "float_list", 0.0, unit="× peak"), BOUNDARY),
          r"d(s) = v_i \quad (m_{i-1} \le s < m_i)",
          "optax piecewise_constant_schedule; Keras PiecewiseConstantDecay.",
          "Arbitrary values between milestones.", monotone=False, continuous=False,
          check=_check_piecewise,
          breakpoints=lambda p, h: [m + _shift(p) for m in p["milestones"] if 0 <= m + _shift(p) <= h]),
    Entry("exponential", "decay", "Exponential", D.exponential,
          (Param("gamma", 0.999, "Multiplier per period.", "float", 0.0, minimum_open=True, ui_max=1.0),
           Param("period", 1.0, "Steps per multiplication by γ.", "float", 1e-6,
                 unit="steps", ui_max=100_000),
           Param("delay", 0, "Steps before the decay begins.", "int", 0, unit="steps", ui_max=100_000),
           Param("staircase", False, "Decay in discrete jumps every period.", "bool"),
           Param("limit", None, "Clip the multiplier at this value (a floor when γ < 1).", "float", 0.0,
                 optional=True, unit="× peak")),
          r"d(s) = \gamma^{(s-\text{delay})/P}",
          "torch ExponentialLR; optax exponential_decay; Keras ExponentialDecay.",
          "Multiply by γ every P steps, smoothly or as a staircase.", monotone=False,
          breakpoints=lambda p, h: ([p["delay"]] if p["delay"] else [])
          + (_upto(h, p["period"], p["delay"] + p["period"]) if p["staircase"] else [])),
    Entry("cosine", "decay", "Cosine", D.cosine,
          (_length(),
           FLOOR,
           Param("exponent", 1.0, "Raise the cosine factor to this power (optax).", "float", 0.0,
                 minimum_open=True, ui_max=5.0),
           Param("cycles", 0.5, "Cosine periods over L: 0.5 = half a cosine, down to the floor (HF num_cycles).",
                 "float", 0.0, minimum_open=True, ui_max=5.0),
           Param("clamp", True, "Hold the floor after L (optax/Keras/timm); off: keep following the "
                 "cosine (torch CosineAnnealingLR, HF cosine).", "bool")),
          r"d(s) = \eta_{\min} + (1-\eta_{\min})\left[\tfrac12\left(1+\cos\frac{2\pi c\, s}{L}\right)\right]^{e}",
          "Loshchilov & Hutter 2017 (SGDR); torch CosineAnnealingLR; HF cosine; optax cosine_decay_schedule.",
          "Half a cosine from the peak down to the floor over L steps.",
          extra={"auto": _auto_length()},
          breakpoints=lambda p, h: [p["steps"]] if p["clamp"] and p["steps"] <= h else []),
    Entry("cosine_restarts", "decay", "Cosine with restarts (SGDR)", D.restarts,
          (Param("period", 1000.0, "Length of the first cycle (T₀).", "float", 1e-6,
                 unit="steps", ui_max=100_000),
           Param("period_mult", 1.0, "Each cycle is this much longer than the last (T_mult).", "float",
                 1.0, ui_max=4.0),
           Param("cycle_decay", 1.0, "Peak of cycle i is cycle_decay^i.", "float", 0.0, 1.0,
                 minimum_open=True),
           Param("decay_mode", "peak", "cycle_decay scales the peak above the floor (timm) or the "
                 "cosine amplitude only (Keras m_mul).", "choice", choices=("peak", "amplitude")),
           Param("cycle_limit", None, "Stop restarting after this many cycles and hold the floor.",
                 "int", 0, optional=True, ui_max=100),
           FLOOR,
           Param("k_decay", 1.0, "Time warp inside a cycle: x = t^k / T^k (timm k_decay).", "float", 0.0,
                 minimum_open=True, ui_max=5.0),
           Param("profile", "cosine", "Shape of each cycle.", "choice",
                 choices=("cosine", "linear", "polynomial", "tanh")),
           Param("power", 1.0, "Power of the polynomial profile.", "float", 0.0, ui_max=5.0),
           Param("lb", -7.0, "tanh profile lower bound.", "float", ui_max=0.0),
           Param("ub", 3.0, "tanh profile upper bound.", "float", ui_max=10.0)),
          r"d(s) = \eta_{\min} + (\gamma^{i} - \eta_{\min})\,\tfrac12\left(1+\cos\frac{\pi t_{cur}^k}{T_i^k}\right),"
          r"\ T_i = T_0\, T_{mult}^{\,i}",
          "Loshchilov & Hutter 2017 (SGDR); torch CosineAnnealingWarmRestarts; timm CosineLRScheduler; "
          "Keras CosineDecayRestarts.",
          "Repeated cosine cycles that restart at a (possibly lower) peak.", monotone=False,
          continuous=False, breakpoints=_restart_breaks, check=_check_tanh),
    Entry("polynomial", "decay", "Polynomial", D.polynomial,
          (_length(), Param("power", 1.0, "Exponent of the decay.", "float", 0.0, ui_max=5.0), FLOOR,
           Param("delay", 0, "Steps before the decay begins (optax transition_begin).", "int", 0,
                 unit="steps", ui_max=100_000),
           Param("cycle", False, "Restart with a longer period instead of holding the floor (Keras).",
                 "bool")),
          r"d(s) = \eta_{\min} + (1-\eta_{\min})\left(1 - \frac{\min(s, L)}{L}\right)^{p}",
          "torch PolynomialLR; HF polynomial; optax polynomial_schedule; Keras PolynomialDecay.",
          "Decay to the floor along (1 − s/L)^p.", extra={"auto": _auto_length()},
          breakpoints=lambda p, h: [b for b in (p["delay"], p["delay"] + p["steps"]) if 0 < b <= h]),
    Entry("linear", "decay", "Linear", D.linear, (_length(), FLOOR),
          r"d(s) = \eta_{\min} + (1-\eta_{\min})\left(1 - \frac{\min(s, L)}{L}\right)",
          "HF get_linear_schedule_with_warmup; optax linear_schedule; torch LinearLR (as decay).",
          "Straight down to the floor over L steps.", extra={"auto": _auto_length()},
          breakpoints=lambda p, h: [p["steps"]] if p["steps"] <= h else []),
    Entry("inverse_sqrt", "decay", "Inverse square root", D.inverse_sqrt,
          (Param("timescale", 10_000, "Steps over which the rate falls to 1/√2 of the peak.", "float", 1e-6,
                 unit="steps", ui_max=100_000),),
          r"d(s) = \frac{1}{\sqrt{(s + \tau)/\tau}}",
          "Vaswani et al. 2017 (Noam); fairseq inverse_sqrt; HF inverse_sqrt (big_vision).",
          "Fall as 1/√t: the Transformer's schedule."),
    Entry("inverse_time", "decay", "Inverse time", D.inverse_time,
          (Param("decay_steps", 1000.0, "Steps per unit of decay.", "float", 1e-6,
                 unit="steps", ui_max=100_000),
           Param("rate", 0.5, "Decay rate.", "float", 0.0, ui_max=10.0),
           Param("staircase", False, "Decay in discrete jumps.", "bool")),
          r"d(s) = \frac{1}{1 + r\, s / D}", "Keras InverseTimeDecay.", "Fall as 1/t.",
          breakpoints=lambda p, h: _upto(h, p["decay_steps"], p["decay_steps"]) if p["staircase"] else []),
    Entry("wsd", "decay", "Warmup-stable-decay (trapezoid)", D.wsd,
          (Param("stable", None, "Steps held at the peak. Empty: the rest of training before the decay.",
                 "int", 0, optional=True, unit="steps", ui_max=1_000_000),
           Param("decay", None, "Steps of the final cooldown. Empty: 20% of the steps after warmup.",
                 "int", 0, optional=True, unit="steps", ui_max=1_000_000),
           Param("shape", "1-sqrt", "Shape of the cooldown.", "choice",
                 choices=("linear", "cosine", "1-sqrt", "power", "exp")),
           FLOOR,
           Param("cycles", 0.5, "Cosine periods over the cooldown (HF num_cycles).", "float", 0.0,
                 minimum_open=True, ui_max=5.0),
           Param("stable_power", 0.0, "0: a flat stable phase; > 0: it decays as (1 + s/τ)^-p (0.5: rsqrt, "
                 "Big Vision; timm stable_fn).", "float", 0.0, ui_max=2.0),
           Param("stable_timescale", 1000.0, "τ of a decaying stable phase.", "float", 1e-6, unit="steps",
                 ui_max=100_000),
           Param("decay_power", 0.5, "Exponent of the 'power' cooldown 1 − q^p (0.5 is 1-sqrt).", "float", 0.0,
                 minimum_open=True, ui_max=5.0),
           Param("decay_ratio", 0.1, "Where the 'exp' cooldown would end before it is normalised to 0.", "float",
                 0.0, 1.0, minimum_open=True, maximum_open=True)),
          r"d(s) = \begin{cases}\sigma(s) & s < S\\ "
          r"\eta_{\min} + (\sigma(s)-\eta_{\min})\,g\!\left(\frac{s-S}{D}\right) & S \le s < S + D"
          r"\\ \eta_{\min} & s \ge S+D\end{cases},"
          r"\quad \sigma(s) = \max\!\left(\left(1+\tfrac{s}{\tau}\right)^{-p}, \eta_{\min}\right)\ (1\ \text{if}\ p=0)",
          "Hu et al. 2024 (MiniCPM); Hägele et al. 2024; HF get_wsd_schedule; timm WSDLRScheduler.",
          "Hold the peak (or let it fall slowly as (1 + s/τ)^-p), then cool down quickly at the end.",
          extra={"auto": _auto_wsd},
          breakpoints=lambda p, h: [b for b in (p["stable"], p["stable"] + p["decay"]) if 0 < b <= h]),
    Entry("onecycle", "decay", "One-cycle", D.onecycle,
          (Param("total_steps", None, "Length of the cycle. Empty: the whole run.", "int", 1, optional=True,
                 unit="steps", ui_max=1_000_000),
           Param("pct_start", 0.3, "Fraction of the cycle spent rising.", "float", 0.0, 1.0,
                 minimum_open=True, maximum_open=True),
           Param("div_factor", 25.0, "Start at peak / div_factor.", "float", 1.0, ui_max=1000.0, log=True),
           Param("final_div_factor", 1e4, "End at start / final_div_factor.", "float", 1.0, ui_max=1e6,
                 log=True),
           Param("anneal", "cos", "Interpolation between the knots.", "choice", choices=("cos", "linear")),
           Param("three_phase", False, "Come back to the start value before the final annihilation.", "bool"),
           Param("style", "torch", "Where the knots fall: torch OneCycleLR (peak at pct·T−1, end at T−1) "
                 "or optax (peak at ⌊pct·T⌋, end at T).", "choice", choices=("torch", "optax")),
           Param("pct_final", 0.85, "optax linear_onecycle: end of the second phase.", "float", 0.0, 1.0)),
          r"d(s)\ \text{interpolates}\ \tfrac{1}{\text{div}} \to 1 \to \tfrac{1}{\text{div}\cdot\text{final\_div}}",
          "Smith & Topin 2018 (super-convergence); torch OneCycleLR; optax *_onecycle_schedule; fastai.",
          "Up and down in one cycle; includes its own warmup, so pair it with warmup 'none'.",
          monotone=False, check=_check_onecycle, extra={"auto": _auto_length("total_steps")},
          breakpoints=lambda p, h: [k for k in D.onecycle_knots(
              p["total_steps"], p["pct_start"], p["div_factor"], p["final_div_factor"], p["three_phase"],
              p["style"], p["pct_final"])[0][1:] if k <= h]),
    Entry("cyclic", "decay", "Cyclic (triangular)", D.cyclic,
          (Param("up", 2000.0, "Steps from the floor up to the peak.", "float", 0.0, minimum_open=True,
                 unit="steps", ui_max=100_000),
           Param("down", 2000.0, "Steps from the peak back down to the floor.", "float", 0.0, unit="steps",
                 ui_max=100_000),
           FLOOR,
           Param("mode", "triangular", "triangular: same height every cycle; triangular2: half the height "
                 "each cycle; exp_range: height × γ^s.", "choice",
                 choices=("triangular", "triangular2", "exp_range")),
           Param("gamma", 1.0, "exp_range: the height shrinks by γ every step.", "float", 0.0, 1.0,
                 minimum_open=True)),
          r"d(s) = \eta_{\min} + (1-\eta_{\min})\,\mathrm{tri}(s)\,h(s),\ "
          r"\mathrm{tri}\ \text{rises over}\ U\ \text{steps, falls over}\ D",
          "Smith 2017, 'Cyclical Learning Rates for Training Neural Networks'; torch CyclicLR; "
          "DeepSpeed OneCycle.",
          "Up and down between the floor and the peak, cycle after cycle; starts at the floor.",
          monotone=False,
          breakpoints=lambda p, h: sorted(_upto(h, p["up"] + p["down"])
                                          + _upto(h, p["up"] + p["down"], p["up"]))),
    Entry("knots", "decay", "Interpolated knots", D.knots,
          (Param("knots", (0.0, 1000.0), "Steps of the knots (strictly increasing).", "float_list", 0.0,
                 unit="steps"),
           Param("values", (1.0, 0.1), "Multiplier at each knot.", "float_list", 0.0, unit="× peak"),
           Param("anneal", "linear", "Straight lines or half-cosines between knots.", "choice",
                 choices=("linear", "cosine"))),
          r"d(s) = v_i + (v_{i+1} - v_i)\,g\!\left(\frac{s - k_i}{k_{i+1} - k_i}\right),\ "
          r"g(x) = x\ \text{or}\ \tfrac12(1 - \cos \pi x)",
          "optax piecewise_interpolate_schedule; fastai combine_scheds; fvcore CompositeParamScheduler.",
          "Straight or cosine segments through given points; the last value is held.",
          monotone=False, check=_check_knots,
          breakpoints=lambda p, h: [k for k in p["knots"] if 0 < k <= h]),
    Entry("tanh", "decay", "Tanh", D.tanh,
          (_length(), Param("lb", -7.0, "Lower bound of the tanh argument.", "float", ui_max=0.0),
           Param("ub", 3.0, "Upper bound of the tanh argument.", "float", ui_max=10.0), FLOOR),
          r"d(s) = \eta_{\min} + (1-\eta_{\min})\,\tfrac12\left(1 - \tanh\!\left(l_b(1-x) + u_b x\right)\right),"
          r"\ x = s/L",
          "Hsueh et al. 2019 (tanh decay); timm TanhLRScheduler.",
          "A sigmoid-like fall from the peak; holds the floor after L.", continuous=False, check=_check_tanh,
          extra={"auto": _auto_length()},
          breakpoints=lambda p, h: [p["steps"]] if p["steps"] <= h else []),
]

DECAYS: dict[str, Entry] = {e.name: e for e in _DECAY_ENTRIES}

CONVENTIONS = {
    "prepend": "The decay's clock starts when the warmup ends (HF, optax, Keras, torch SequentialLR).",
    "multiply": "Warmup factor × decay, both clocks from step 0 (maskrcnn, torch ChainedScheduler, "
                "pytorch_warmup).",
    "override": "The warmup replaces the decay while it lasts; the decay keeps the global clock "
                "(timm without warmup_prefix, detectron2).",
}


def warmup_entry(name: str) -> Entry:
    try:
        return WARMUPS[name]
    except KeyError:
        raise unknown_name("warmup method", name, WARMUPS) from None


def decay_entry(name: str) -> Entry:
    try:
        return DECAYS[name]
    except KeyError:
        raise unknown_name("decay", name, DECAYS) from None

