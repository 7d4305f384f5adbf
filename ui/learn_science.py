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
    st.markdown("The experiment: Adam and the three variants, **no warmup**, mini-batches of 64, cross-entropy, "
                "150 steps, on a grid of learning rates; a run *trains* if its held-out accuracy ends ≥ 50% "
                "(the paper's failed runs sit at chance, 10%).")
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
        st.markdown(f"Without the bias correction GI-Adam fails earlier (largest: {nobc:.3g}): the implicit "
                    "warmup, not the gradient's direction, does the work.")


def regimes_section(p, seeds):
    if not _button(p, "regimes", f"Run it yourself: SP and μP, seed {seeds[0]}", seeds):
        return
    with st.spinner("training two networks and measuring their sharpness…"):
        runs = _regimes(seeds[0])
    st.plotly_chart(F.regimes_figure(runs), key=f"{p}.sci.regimes")
    for r in runs:
        s = np.asarray(r.sharpness)
        peak_drop = (s.min() / r.lambda0) if len(s) else np.nan
        st.markdown(f"**{r.param.upper()}**: λ₀ = {r.lambda0:.3g}; sharpness ranged {s.min():.3g}–{s.max():.3g} "
                    f"({peak_drop:.2f}× λ₀ at its lowest); "
                    + ("trained." if r.diverged_at < 0 else f"diverged at step {r.diverged_at}."))


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
