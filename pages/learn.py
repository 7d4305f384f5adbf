"""Learn: what warmup is and why it works, each idea with a small live plot."""

from dataclasses import asdict

import numpy as np
import streamlit as st

from ui import learn_science as S
from ui.figures import Trace, heatmap_figure, schedule_figure
from ui.presets import preset
from ui.router import ensure_router
from ui.train import DEMO as TRAIN_DEMO
from warmup_core import Decay, Schedule, Warmup
from warmup_core.toy import final_loss, simulate
from warmup_core.warmups import radam_offset, untuned_period

ensure_router()

P = "learn"
DEMO = asdict(TRAIN_DEMO)  # the training lab's teaching demo, field by field
PRESETS = {
    "instability": {**DEMO, "schedules": ["no warmup", "linear warmup", "constant warmup"], "start_demo": True},
    "sharpness": {"task": "mlp", "optimizer": "sgd", "lr": 0.5, "steps": 300, "batch": 64, "seed": 0,
                  "warmup": 100, "factor": 0.1, "schedules": ["no warmup", "linear warmup"], "sharp": True,
                  "sharp_every": 10, "start_demo": True},
    "adam": {**DEMO, "schedules": ["no warmup", "linear warmup", "GI-Adam, no warmup"], "start_demo": True},
}


def run_it_yourself(which: str, label="Run it yourself in the training lab"):
    """A button that opens the Train page preconfigured (and, for the comparisons, started)."""
    if st.button(label, key=f"{P}.run.{which}", icon=":material/play_arrow:"):
        st.session_state["train.preset"] = {k: v for k, v in PRESETS[which].items() if k != "start_demo"}
        st.session_state["train.start_demo"] = PRESETS[which].get("start_demo", False)
        try:
            st.switch_page("pages/train.py")
        except Exception:  # the page runs on its own (no router): offer the link instead
            st.page_link("pages/train.py", label="Open the training lab")


def first_drop(schedule, n) -> int:
    """The step where the curve first falls to a tenth of its peak or less (the ÷10 the title names)."""
    v = schedule(np.arange(n))
    return int(np.flatnonzero((v <= 0.1 * v.max() * (1 + 1e-9)) & (np.arange(n) >= int(np.argmax(v))))[0])


def curve(schedule, n, name, **kw):
    t = np.arange(n)
    return Trace(name, t, schedule(t), warmup_end=schedule.warmup_end, **kw)


st.title("Learn: why warm up the learning rate?")
st.markdown(
    "**Warmup** means training with a smaller learning rate for the first updates and raising it to the "
    "target value. Almost every large model is trained this way. This page explains what it is, the reasons "
    "researchers give for it, and lets you poke each idea.")

# --- 1 -------------------------------------------------------------------------------------------
st.header("1 · Constant or gradual")
st.markdown(
    "He et al. (2016) trained a 110-layer ResNet on CIFAR-10 with a **constant warmup**: 0.01 until the training "
    "error fell below 80% (about 400 iterations), then 0.1. Goyal et al. (2017) found that a sudden jump can still "
    "hurt and proposed **gradual warmup**: rise linearly from a small value to the target. maskrcnn-benchmark "
    "exposes both as `WARMUP_METHOD` with a `WARMUP_FACTOR` (the fraction of the target used at step 0) and "
    "`WARMUP_ITERS`.")
c1, c2 = st.columns(2)
W = c1.slider("warmup iterations", 0, 2000, 400, 50, key=f"{P}.w")
factor = c2.slider("warmup factor", 0.0, 1.0, 0.1, 0.01, key=f"{P}.f")
base = Decay("multistep", milestones=[3000])  # maskrcnn: the warmup multiplies a step decay with absolute milestones
pair1 = [Schedule(0.1, Warmup(kind, W, factor=factor), base, "multiply", 4000)
         for kind in ("constant", "linear")]
curves = [curve(pair1[0], 4000, "constant warmup"), curve(pair1[1], 4000, "gradual (linear) warmup", dash="dash")]
drop = first_drop(pair1[1], 4000)
st.plotly_chart(schedule_figure(curves, title=f"Constant vs gradual warmup (then ÷10 at step {drop})"), key=f"{P}.c1")

# --- 2 -------------------------------------------------------------------------------------------
st.header("2 · Why: a large learning rate blows up early")
st.markdown(
    "Gradient descent is stable only while the **sharpness** λ (the largest curvature of the loss) stays below "
    "**2/η**. Early in training networks often sit in sharp regions, so the learning rate that will be fine later "
    "makes the first updates explode — the loss becomes `NaN`. Below, a two-parameter model fits `u·v = 1` from "
    "an unbalanced start (λ ≈ 9). Start at the target rate and it diverges; raise the rate gradually and every "
    "small overshoot of 2/η pushes the weights to a flatter solution, until the target rate is safe. This is the "
    "mechanism Kalra & Barkeshli (2024) describe: warmup steers the network to flatter regions so it can tolerate "
    "a larger target learning rate.")
c1, c2 = st.columns(2)
lr = c1.select_slider("target learning rate η", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 0.7,
                      key=f"{P}.lr")
warm = c2.slider("warmup steps (linear)", 0, 300, 100, 10, key=f"{P}.tw")
n = 400
pair = [Schedule(lr, Warmup(), Decay("constant"), total_steps=n),
        Schedule(lr, Warmup("linear", warm), Decay("constant"), total_steps=n)]
res = simulate(np.stack([p(np.arange(n)) for p in pair]))
names = ["no warmup", f"{warm}-step warmup"]
t = np.arange(n)
c1, c2 = st.columns(2)
loss_fig = schedule_figure([Trace(nm, t, res["loss"][i], dash="solid" if i else "dot") for i, nm in enumerate(names)],
                           title="Training loss", log_y=True, y_title="loss ½(uv − 1)²", shade_warmup=False,
                           legend_below=True)
c1.plotly_chart(loss_fig, key=f"{P}.loss")
sharp = [Trace(f"sharpness λ, {nm}", t, res["sharpness"][i], dash="solid" if i else "dot")
         for i, nm in enumerate(names)]
eta = pair[1](t)
limit = np.full(n, np.nan)
np.divide(2.0, eta, out=limit, where=eta > 0)
sharp.append(Trace(f"stability limit 2/η, {names[1]}", t, limit, dash="dash", color="#555555"))
sfig = schedule_figure(sharp, title="Sharpness against the stability limit 2/η", y_title="sharpness λ (curvature)",
                       shade_warmup=False, legend_below=True, y_range=[0, 12])
c2.plotly_chart(sfig, key=f"{P}.sharp")
for i, (nm, d) in enumerate(zip(names, res["diverged_at"])):
    if d >= 0:
        st.error(f"**{nm}**: the loss became NaN/∞ at step {d} — the run diverged.", icon=":material/error:")
    else:
        st.success(f"**{nm}**: trained; final loss {res['loss'][i, -1]:.2e}.", icon=":material/check_circle:")

run_it_yourself("instability", "Run it yourself: a transformer with and without warmup")
run_it_yourself("sharpness", "Watch the sharpness of a real network against 2/η")

st.subheader("The learning-rate × warmup map")
st.markdown("The same model on a grid of target rates and warmup lengths. ✕ marks runs that diverged: longer "
            "warmups keep larger target rates usable — the headline of Kalra & Barkeshli (2024).")
lrs = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]
warms = [0, 10, 25, 50, 100, 200, 300]
grid = np.stack([Schedule(a, Warmup("linear", w), Decay("constant"), total_steps=n)(t)
                 for a in lrs for w in warms])
fl = final_loss(simulate(grid)).reshape(len(lrs), len(warms))
st.plotly_chart(heatmap_figure(fl, warms, lrs, "Final loss after 400 steps", "warmup steps", "target learning rate",
                               diverged=~np.isfinite(fl)), key=f"{P}.map")

st.markdown("The same map for a real network, on a few seeds, is [section 6.2](#science) below.")

# --- 3 -------------------------------------------------------------------------------------------
st.header("3 · Large batches: the linear scaling rule")
st.markdown(
    "Goyal et al. (2017) trained ResNet-50 on ImageNet in one hour with batches of 8192. Their rule: **multiply "
    "the learning rate by k when the batch grows k-fold** (lr = 0.1 · batch / 256), and warm up gradually over "
    "the first 5 epochs, because the scaled rate is too large for the first updates.")
c1, c2, c3 = st.columns(3)
batch = c1.select_slider("batch size", [256, 512, 1024, 2048, 4096, 8192, 16384, 32768], 8192, key=f"{P}.batch")
epochs = c2.slider("warmup epochs", 0, 10, 5, key=f"{P}.wep")
dataset = c3.number_input("training images", 10_000, 10_000_000, 1_281_167, step=10_000, key=f"{P}.data")
spe = max(1, dataset // batch)
target = 0.1 * batch / 256
st.markdown(f"→ target lr **{target:.3g}**, **{spe:,} steps per epoch**, warmup **{epochs * spe:,} steps** "
            f"(from 0.1 to {target:.3g}).")
goyal = Schedule(target, Warmup("linear", epochs * spe, factor=min(1.0, 0.1 / target)),
                 Decay("multistep", milestones=[30 * spe, 60 * spe, 80 * spe]), "multiply", 90 * spe)
st.plotly_chart(schedule_figure([curve(goyal, 90 * spe, f"batch {batch}")], x_unit="epochs", steps_per_epoch=spe,
                                title="Goyal et al.: gradual warmup, then ÷10 at epochs 30, 60, 80"),
                key=f"{P}.goyal")

# --- 4 -------------------------------------------------------------------------------------------
st.header("4 · Adam needs a few steps to know its gradients")
st.markdown(
    "Adam divides each update by a running estimate of the squared gradient, with decay rate β₂. In the first "
    "steps that estimate rests on very few gradients and has a large variance, so updates can be erratic even "
    "after bias correction. Liu et al. (2020) derived a correction from this variance (RAdam); Ma & Yarats (2019) "
    "showed that a simple **untuned warmup** does as well: linear over **2/(1−β₂)** steps, or exponential with "
    "time constant **1/(1−β₂)**.")
beta2 = st.select_slider("β₂", [0.9, 0.95, 0.98, 0.99, 0.995, 0.999], 0.999, key=f"{P}.beta2")
tau = untuned_period(beta2, "linear")
exact_lin, exact_exp = round(2 / (1 - beta2), 6), round(1 / (1 - beta2), 6)
st.markdown(f"→ untuned linear warmup: 2/(1−β₂) = **{exact_lin:g} steps**; exponential time constant "
            f"1/(1−β₂) = **{exact_exp:g}**; RAdam offset δ = {radam_offset(beta2)}.")
if tau != exact_lin or untuned_period(beta2, "exponential") != exact_exp:
    st.caption(f"pytorch_warmup (the reference implementation, used in the chart below) computes "
               f"`int(2 / (1 - beta2))` in floating point, which truncates to **{tau:,}** "
               f"(and `int(1 / (1 - beta2))` to {untuned_period(beta2, 'exponential'):,}) at β₂ = {beta2}.")
m = 3 * tau
adam = [curve(Schedule(1.0, Warmup(name, beta2=beta2), Decay("constant"), "multiply"), m, label)
        for name, label in [("untuned_linear", "untuned linear"), ("untuned_exponential", "untuned exponential"),
                            ("radam", "RAdam rectification")]]
st.plotly_chart(schedule_figure(adam, title=f"Warmup factors derived from β₂ = {beta2}", y_title="lr ÷ target lr",
                                shade_warmup=False), key=f"{P}.adam")

st.markdown("Kalra & Barkeshli (2024, §7) go one step further: initialise Adam's second moment from the "
            "gradient at initialisation (**GI-Adam**). Section 6 below shows what that does, and does not do, here.")
run_it_yourself("adam", "Run it yourself: Adam with and without warmup vs GI-Adam")

# --- 5 -------------------------------------------------------------------------------------------
st.header("5 · The same words, different curves")
st.markdown("Libraries disagree on the value at step 0, on whether the decay starts after the warmup "
            "(*prepend*), runs underneath it (*multiply*) or is overridden by it (*override*), and on what "
            "\"decay steps\" counts. The **Compare** page plots one configuration as each library runs it. "
            "For instance, timm's cosine without `warmup_prefix` drops at the end of warmup:")
timm = preset("timm: CosineLRScheduler without prefix (drop at the end of warmup)")
st.plotly_chart(schedule_figure([curve(timm, timm.total_steps, "timm CosineLRScheduler(warmup_prefix=False)")],
                                title="A warmup that overrides the decay: the jump at step 2000"), key=f"{P}.timm")

# --- 6 -------------------------------------------------------------------------------------------
st.header("6 · Warmup, measured: Kalra & Barkeshli (2024) at laptop scale", anchor="science")
st.markdown(
    "The experiments below follow *Why Warmup the Learning Rate?* (Kalra & Barkeshli, NeurIPS 2024) on a "
    "fully connected network trained on scikit-learn's 8×8 digits, small enough for a laptop CPU. Learning rates "
    "are given, as in the paper, in units of **2/λ₀** — the stability limit of gradient descent at the initial "
    "sharpness λ₀. Each button trains the networks now, on this machine; nothing is pre-recorded.")
seeds = S.seed_picker(P)

st.subheader("6.1 · Where training first overshoots: η_c from the loss catapult (§6.1, App. B.2)")
st.markdown(
    "Take **one** step from the initial weights at learning rate η and compare the loss before and after. Double "
    "η from 10⁻⁴ until the loss goes *up* (Algorithm 1), then bisect until the rise is below 10% (Algorithm 2, "
    "δ = 0.1 for SGD, 0.01 for Adam). That η_c costs only forward passes. A warmup can then start at η_c instead "
    "of 0, η_t = η_c + η_trgt·t/T_wrm, and reaches the target T_wrm·η_c/η_trgt steps sooner; the search costs "
    "about half a step per forward pass, so the paper predicts a saving T_save = T_wrm·η_c/η_trgt − T_fp/2.")
S.catapult_section(P, seeds)

st.subheader("6.1b · Warmups that decide as they go (App. C, Algorithm 3; He et al. 2016, §4.2)")
st.markdown(
    "Two warmups with no fixed length. The **persistent catapult warmup** starts at η_c, trains, and each time the "
    "loss has come back below where it was when the lr was last raised (the catapult resolved), searches η_c again "
    "from the current weights and raises the lr to it, until η_trgt. **ResNet-110's constant warmup** trains at a "
    "tenth of the target until the training error falls below 80% (He et al.: 0.01 until about 400 iterations, then "
    "0.1). Both are recorded like any run, compared here with no warmup and a linear warmup to the same target, "
    "and can be exported as the schedule they turned out to be.")
S.adaptive_section(P, seeds)

st.subheader("6.2 · The headline: longer warmup, larger usable learning rate (§3–4)")
st.markdown(
    "Full-batch gradient descent on every cell of a grid of target learning rates (powers of 2 times 2/λ₀) and "
    "linear warmup lengths (1, 4, 16, 64 steps: the paper's 1…1024 scaled down), then 100 steps at the target. "
    "Each cell is the median of the seeds; ✕ marks cells where most seeds diverged.")
S.map_section(P, seeds)

st.subheader("6.3 · Adam without warmup: GI-Adam (§7)")
S.gi_section(P, seeds)

st.subheader("6.4 · Two regimes: sharpness reduction (SP) and progressive sharpening (μP) (§4.1)")
st.markdown(
    "The same 3-layer network of width 64 in standard parameterisation (SP) and in μP, full-batch gradient descent "
    "on 512 digits, MSE, linear warmup over 256 steps and then 128 steps at the target; the sharpness (top Hessian "
    "eigenvalue) is measured every 12 steps and drawn against the moving limit 2/η_t and against λ₀. In SP the "
    "sharpness starts high and falls from the first steps, long before 2/η_t comes down to it (target 8·2/λ₀). In "
    "μP it starts low, rises several-fold until it meets 2/η_t, then follows the limit down as the warmup raises η: "
    "the band the paper calls a persistent catapult. The loss panels show the two kinds of catapult: in SP a few "
    "separated spikes while the sharpness drops; in μP a spike every few steps once the sharpness sits on 2/η_t. "
    "**What does not reproduce here:** the μP target is only "
    "1·2/λ₀, the initial stability limit. At 2·2/λ₀ and 4·2/λ₀ our small μP network trained on none of seeds "
    "0–11: it collapsed to predicting the class frequencies (training loss stuck near 0.045, accuracy at chance), "
    "stalled, or diverged; at 1.5·2/λ₀ it showed the band on 2 seeds of 12. The lines under the picture are read "
    "from the run you see, and say so when a seed does not show its regime.")
S.regimes_section(P, seeds)

st.subheader("6.5 · Another lens: relative update size per layer (Kosson et al., NeurIPS 2024)")
S.update_ratio_section(P, seeds)

st.header("Sources")
st.markdown("""
- He, Zhang, Ren, Sun. *Deep Residual Learning for Image Recognition*, CVPR 2016 (§4.2: constant warmup for ResNet-110).
- Goyal et al. *Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour*, 2017 (linear scaling rule, gradual warmup).
- Vaswani et al. *Attention Is All You Need*, 2017 (§5.3, the Noam schedule).
- Liu et al. *On the Variance of the Adaptive Learning Rate and Beyond* (RAdam), ICLR 2020.
- Ma, Yarats. *On the adequacy of untuned warmup for adaptive optimization*, AAAI 2021, arXiv:1910.04209.
- Lewkowycz et al. *The large learning rate phase of deep learning: the catapult mechanism*, 2020.
- Kalra, Barkeshli. *Why Warmup the Learning Rate? Underlying Mechanisms and Improvements*, NeurIPS 2024,
  arXiv:2406.09405; code and measured results: github.com/dayal-kalra/why-warmup (MIT).
- Kosson, Messmer, Jaggi. *Analyzing & Reducing the Need for Learning Rate Warmup in GPT Training*, NeurIPS 2024.
""")
