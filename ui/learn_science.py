"""The Learn page's section 6: each warmup-science experiment with its button, picture and a verdict
written from the result itself (never a sentence the run in front of the reader could contradict)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from warmup_core.training import experiments as X
from warmup_core.training.paper_results import WRN_CIFAR10

from . import science as F


def seed_picker(p: str) -> tuple:
    first = st.number_input("first seed (each experiment runs this seed and the next ones)", 0, 10_000, 0,
                            key=f"{p}.sci.seed", help="Try seeds nobody tuned: the findings should hold on most.")
    return tuple(int(first) + i for i in range(3))


@st.cache_data(max_entries=16, show_spinner=False)
def _catapult(seed):
    return X.catapult_warmup(seed)


@st.cache_data(max_entries=8, show_spinner=False)
def _adaptive(seed):
    return X.adaptive_warmups(seed)


@st.cache_data(max_entries=8, show_spinner=False)
def _map(seeds):
    return X.lr_warmup_map(seeds)


@st.cache_data(max_entries=8, show_spinner=False)
def _gi(seeds):
    return X.gi_adam_boundary(seeds)


@st.cache_data(max_entries=8, show_spinner=False)
def _regimes(seed):
    return X.regimes(seed)


@st.cache_data(max_entries=8, show_spinner=False)
def _ratios(seed):
    return X.update_ratios(seed)


def _button(p, key, label, seeds) -> bool:
    """True once the experiment has been asked for with these seeds (kept across reruns)."""
    state = f"{p}.sci.ran.{key}"
    if st.button(label, key=f"{p}.sci.run.{key}", icon=":material/play_arrow:"):
        st.session_state[state] = seeds
    return st.session_state.get(state) == seeds


def catapult_section(p, seeds):
    if not _button(p, "catapult", f"Run it yourself: find η_c and warm up from it (seed {seeds[0]})", seeds):
        return
    with st.spinner("searching η_c and training three runs…"):
        r = _catapult(seeds[0])
    st.plotly_chart(F.catapult_figure(r), key=f"{p}.sci.catapult")
    fp_cost = r.forward_passes / 2
    net = None if r.measured_saving is None else r.measured_saving - fp_cost
    st.dataframe(pd.DataFrame([
        {"quantity": "λ₀ (initial sharpness)", "value": f"{r.lambda0:.3g}"},
        {"quantity": "2/λ₀", "value": f"{2 / r.lambda0:.3g}"},
        {"quantity": "η_c (catapult search)", "value": f"{r.eta_c:.3g} = {r.eta_c * r.lambda0 / 2:.2f}·2/λ₀"},
        {"quantity": "forward passes T_fp", "value": str(r.forward_passes)},
        {"quantity": "η_trgt", "value": f"{r.eta_trgt:.3g} = 8·2/λ₀"},
        {"quantity": "steps to reach η_trgt: warmup from 0 / from η_c",
         "value": f"{r.reach[1]} / {r.reach[2]}"},
        {"quantity": "predicted saving T_wrm·η_c/η_trgt − T_fp/2", "value": f"{r.predicted_saving:.1f} steps"},
        {"quantity": "measured saving (steps saved − T_fp/2)", "value": "–" if net is None else f"{net:.1f} steps"},
    ]), hide_index=True)
    nowarm = f"diverged at step {r.diverged_at[0]}" if r.diverged_at[0] >= 0 else "trained"
    ends = [f"{r.loss[i, -1]:.3g}" if r.diverged_at[i] < 0 else "diverged" for i in (1, 2)]
    st.markdown(f"Without warmup this target lr **{nowarm}**. Final training loss: warmup from 0 → {ends[0]}, "
                f"warmup from η_c → {ends[1]}.")


def adaptive_section(p, seeds):
    if not _button(p, "adaptive", f"Run it yourself: four warmups on one network (seed {seeds[0]})", seeds):
        return
    with st.spinner("training four networks, two of them deciding their lr as they go…"):
        r = _adaptive(seeds[0])
    st.plotly_chart(F.adaptive_figure(r), key=f"{p}.sci.adaptive")
    rows = []
    for name, run in zip(r.names, r.runs):
        fate = f"diverged at step {run.diverged_at}" if run.diverged_at is not None else f"{run.loss[-1]:.3g}"
        reach = next((i for i, v in enumerate(run.applied_lr) if v >= r.eta_trgt * (1 - 1e-9)), None)
        rows.append({"warmup": name, "η_trgt from step": "–" if reach is None else str(reach),
                     "final loss": fate, "η_c forward passes": str(run.forward_passes)})
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.markdown("**What each run decided, step by step:**\n" + "\n".join(
        f"- *{name}*: " + ("; ".join(f"step {s}: {e}" for s, e in run.events) or "nothing (a fixed schedule)")
        for name, run in zip(r.names, r.runs)))
    pick = st.selectbox("export the lr a run applied, as a schedule", r.names[2:], key=f"{p}.sci.adaptive.pick")
    sched = r.schedule(r.names.index(pick))
    st.download_button("Download the schedule it turned out to be (JSON)", sched.to_json(),
                       file_name="adaptive-warmup-schedule.json", mime="application/json",
                       key=f"{p}.sci.adaptive.dl", icon=":material/download:")
    st.caption("A piecewise-constant schedule (the core's `Decay(\"piecewise\")`, one milestone per lr change) "
               "that replays the run's lr step by step; `warmup_core.from_json` reads it back.")


def map_section(p, seeds):
    if _button(p, "map", f"Run it yourself: the map on seeds {', '.join(map(str, seeds))} (96 runs)", seeds):
        with st.spinner("training 96 networks at once…"):
            res = _map(seeds)
        st.plotly_chart(F.map_figure(res), key=f"{p}.sci.map")
        best = res.largest_trainable()
        per_seed = [res.largest_trainable(i) for i in range(len(seeds))]
        mono = [all((b or 0) <= (a or 0) for b, a in zip(row, row[1:])) for row in per_seed + [best]]
        st.dataframe(pd.DataFrame({"T_wrm": res.warmups, "largest c (majority)": best,
                                   **{f"seed {s}": row for s, row in zip(seeds, per_seed)}}), hide_index=True)
        if mono[-1]:
            st.markdown(f"The largest target lr that trains grows from **{best[0]:g}·2/λ₀** without warmup to "
                        f"**{best[-1]:g}·2/λ₀** with a {res.warmups[-1]}-step warmup, never falling as warmup "
                        f"lengthens (majority over seeds).")
        else:
            st.warning("On these seeds the boundary does **not** rise monotonically with warmup length (majority).")
        bad = [s for s, m in zip(seeds, mono[:-1]) if not m]
        if bad:
            st.caption(f"Seeds whose own boundary is not monotone: {bad}.")
    with st.expander("The paper's own measurement: WideResNet-16-4 on CIFAR-10 (final test accuracy)"):
        st.dataframe(pd.DataFrame(F.paper_table_rows(WRN_CIFAR10)), hide_index=True)
        st.caption("From the paper's repository (dayal-kalra/why-warmup, MIT; phase-diagrams/resnet_results; "
                   "100k steps, batch 128). " + F.paper_caption(WRN_CIFAR10))


def gi_section(p, seeds):
    st.markdown(
        "GI-Adam sets Adam's second moment to the squared gradient at initialisation, v₀ = g₀², instead of 0. "
        "The paper's released code keeps Adam's bias correction v̂ = v/(1 − β₂ᵗ); with a steady gradient that makes "
        "every update √(1 − β₂ᵗ) times Adam's — an **implicit warmup**, drawn here next to the untuned "
        "2/(1 − β₂) rule (Ma & Yarats). Without the bias correction the first update is as large as Adam's. "
        "RI-Adam, the paper's control, starts from a random vector with ‖g₀‖'s norm.")
    c1, c2 = st.columns([1, 2])
    beta2 = c1.select_slider("β₂ ", [0.99, 0.995, 0.999], 0.999, key=f"{p}.sci.beta2")
    c1.markdown(f"At β₂ = {beta2}: the factor is {np.sqrt(1 - beta2):.3f} at step 1 and reaches 0.5 at step "
                f"{int(np.ceil(np.log(0.75) / np.log(beta2)))}; the untuned warmup lasts 2/(1 − β₂) = "
                f"{round(2 / (1 - beta2), 6):g} steps.")
    c2.plotly_chart(F.implicit_warmup_figure(beta2, int(round(3 / (1 - beta2)))), key=f"{p}.sci.implicit")
    st.markdown("The experiment: Adam and the three variants, **no warmup**, a 3-layer network of width 64, "
                "mini-batches of 128, cross-entropy, 150 steps, on learning rates from 0.032 to 0.75 (eight per "
                "decade); a run *trains* if its held-out accuracy ends ≥ 50% (the paper's failed runs sit at "
                "chance, 10%).")
    if not _button(p, "gi", f"Run it yourself: Adam vs GI-Adam on seeds {seeds[0]}, {seeds[1]}", seeds):
        return
    with st.spinner("training 64 networks at once…"):
        res = _gi(seeds[:2])
    st.plotly_chart(F.gi_figure(res), key=f"{p}.sci.gi")
    best = res.largest_trainable()
    st.dataframe(pd.DataFrame({"optimizer": res.variants, "largest lr that trains (both seeds)":
                               [f"{b:.3g}" if b else "none" for b in best],
                               **{f"seed {s}": [f"{b:.3g}" if b else "none" for b in res.largest_trainable(i)]
                                  for i, s in enumerate(res.seeds)}}), hide_index=True)
    adam, gi, nobc = best[0] or 0, best[1] or 0, best[2] or 0
    if gi > adam:
        st.markdown(f"Here GI-Adam (as released, with bias correction) trains up to lr **{gi:.3g}**, Adam only up to "
                    f"**{adam:.3g}**: its failure boundary moved to larger learning rates, as the paper reports.")
    elif gi == adam:
        st.markdown(f"Here GI-Adam and Adam fail at the same grid point (largest that trains: {adam:.3g}): on these "
                    "seeds the boundary did not move; compare the accuracies just below it.")
    else:
        st.warning(f"Here GI-Adam's boundary ({gi:.3g}) is *below* Adam's ({adam:.3g}): the paper's claim does not "
                   "reproduce on these seeds.")
    if nobc < gi:
        st.markdown("Without the bias correction GI-Adam fails earlier (largest lr that trains: "
                    + (f"{nobc:.3g}" if nobc else "none on this grid")
                    + "): the same v₀ without the implicit warmup does not help.")


def regimes_section(p, seeds):
    if not _button(p, "regimes", f"Run it yourself: SP and μP, seed {seeds[0]}", seeds):
        return
    with st.spinner("training two networks and measuring their sharpness…"):
        runs = _regimes(seeds[0])
    st.plotly_chart(F.regimes_figure(runs), key=f"{p}.sci.regimes")
    for r in runs:
        st.markdown(regime_verdict(r))
    lens(p, runs)


def regime_verdict(r) -> str:
    """One line per run, read from its own sharpness log (``RegimeRun.regime``): what it showed, or that it did not."""
    name = f"**{r.label}** (λ₀ = {r.lambda0:.3g}, η_trgt = {r.c_trgt:g}·2/λ₀)"
    got, want = r.regime(), X.EXPECTED_REGIME.get(r.param)
    if got == "diverged":
        return f"{name}: diverged at step {r.diverged_at}; this run shows neither regime."
    g = r.signature()
    if got == "reduction":
        text = (f"sharpness never rose above λ₀ (peak {g['peak'] / r.lambda0:.2f}·λ₀) and fell to "
                f"{g['end'] / r.lambda0:.2f}·λ₀ = {g['end_over_limit']:.2f} × 2/η_trgt; the loss fell to "
                f"{g['loss_drop']:.1%} of its start, with {_catapults(g)}: **sharpness reduction**")
    elif got == "sharpening":
        text = (f"sharpness rose from λ₀ to {g['peak'] / r.lambda0:.1f}·λ₀, came within 20% of 2/η_t at step "
                f"{g['touched_at']}, then stayed within 0.5–2.5 × 2/η_t on {g['on_limit']:.0%} of the later "
                "measurements and ended at "
                f"{g['end_over_limit']:.2f} × 2/η_trgt; the loss fell to {g['loss_drop']:.1%} of its start, with "
                f"{_catapults(g)}: **progressive sharpening, then the persistent catapult band along 2/η**")
    else:
        text = (f"trained (loss to {g['loss_drop']:.1%} of its start) but shows neither signature: peak sharpness "
                f"{g['peak'] / r.lambda0:.2f}·λ₀, end {g['end_over_limit']:.2f} × 2/η_trgt")
    if got == want:
        return f"{name}: {text}, as in the paper."
    return f"{name}: {text}. **On this seed the paper's {want} regime does not show.**"


def _catapults(g) -> str:
    steps = g["catapults"]
    if not steps:
        return "no loss catapult (no rise of 50% or more)"
    where = ", ".join(map(str, steps[:6])) + (", …" if len(steps) > 6 else "")
    return f"{len(steps)} loss catapult{'s' if len(steps) > 1 else ''} (rises of 50% or more; steps {where})"


def lens(p, runs):
    """Alimisis et al. (2025): fit the sharpness log to lambda_max ~ H0 + H1 (L - L*), draw the implied stable lr."""
    fits, notes, shown = [], [], []
    for r in runs:
        s = np.asarray(r.sharp_steps)
        keep = s < len(r.loss)  # a measurement after the last step has no recorded loss to pair with
        loss = np.asarray(r.loss, dtype=float)[s[keep]]
        sharp = np.asarray(r.sharpness, dtype=float)[keep]
        try:
            h0, h1, ls = X.fit_curvature_bound(loss, sharp)
        except ValueError:
            notes.append(f"{r.label}: too few finite (loss, sharpness) pairs to fit")
            continue
        fits.append((h0, h1, ls))
        shown.append(r)
        pred = h0 + h1 * (loss - ls)
        ok = np.isfinite(pred) & np.isfinite(sharp)
        r2 = 1 - np.sum((sharp[ok] - pred[ok]) ** 2) / max(np.sum((sharp[ok] - sharp[ok].mean()) ** 2), 1e-30)
        shape = ("H₁ > 0: curvature fell with the loss, so the implied stable lr rises as training goes on — the "
                 "shape of a warmup" if h1 > 0 else "H₁ ≤ 0: here sharpness did not fall with the loss, so this "
                 "lens gives no reason to warm up")
        notes.append(f"{r.label}: H₁ = {h1:.3g}, R² = {r2:.2f} ({shape})")
    st.markdown("**Another lens (Alimisis et al. 2025, arXiv 2510.03164): curvature bounded by the loss.** Fit "
                "λ_max ≈ H₀ + H₁·(L − L̂*) to the sharpness log (L̂* = the lowest loss seen) and draw the stable lr "
                "the fit implies, 2/(H₀ + H₁(L_t − L̂*)), against the schedule. With H₁ > 0 the implied stable "
                "lr is low while the loss is high and grows as it falls: a warmup follows that curve.")
    if shown:
        st.plotly_chart(F.curvature_lens_figure(shown, fits), key=f"{p}.sci.lens")
    st.caption("This run's fit: " + "; ".join(notes) + ". A low R² means the linear bound describes this run "
               "poorly (catapults make λ_max jump at a similar loss).")


def update_ratio_section(p, seeds):
    st.markdown("Kosson et al. read warmup through the size of each update relative to the weights: without "
                "warmup, the first updates are the largest of the run.")
    if not _button(p, "ratios", f"Run it yourself: ‖ΔW‖/‖W‖ with and without warmup, seed {seeds[0]}", seeds):
        return
    with st.spinner("training two networks…"):
        res, eta, lam0 = _ratios(seeds[0])
    st.plotly_chart(F.update_ratio_figure(res, ("no warmup", "64-step warmup")), key=f"{p}.sci.ratios")
    first = np.nanmax(res.update_ratio[:, :, :5], axis=(1, 2))
    st.markdown(f"Largest relative update in the first 5 steps: no warmup {first[0]:.3g}, with warmup {first[1]:.3g} "
                f"(target lr {eta:.3g} = 8·2/λ₀).")
