"""Predict what a schedule does to the loss before paying for the run."""

import streamlit as st

from ui import compare, safe
from ui import predict as U
from ui.router import ensure_router
from warmup_core.predict import data as paper

ensure_router()

P = "predict"
SOURCES = [f"Published {s}" for s in paper.SIZES[::-1]] + ["Fitted on your runs"]

st.title("Predict the loss")
st.caption("The multi-power law (Luo et al., ICLR 2025) predicts a training-loss curve from the learning-rate "
           "schedule alone. Its published constants come from Llama-style models (25M–400M parameters) trained "
           "with peak lr 3e-4 and a 2,160-step warmup: anything else is an extrapolation, and is labelled so.")

with st.sidebar:
    st.markdown("**Constants of the law**")
    choice = st.selectbox("constants", SOURCES, key=f"{P}.source")
    fitted = st.session_state.get(f"{P}.fitted")
    try:
        params, domain, label = U.resolve_constants(choice, fitted)
    except ValueError as e:
        st.warning(safe.md(str(e)))
        params, domain, label = U.resolve_constants(SOURCES[0], None)
    st.dataframe(U.constants_table(params), hide_index=True, key=f"{P}.consts",
                 column_config={"value": st.column_config.NumberColumn(format="%.5g")})
    st.markdown("**Strategies**")
    which = st.radio("predict", ["The paper's setup (four shapes)", "Your Compare strategies"], key=f"{P}.which")
    mine = compare.session_strategies(st.session_state)
    if which.startswith("Your") and mine is None:
        st.info("Compare has no strategies in this session yet: showing its defaults.")
    strategies = U.paper_strategies() if which.startswith("The") else mine or U.compare_defaults()

lrs_by_name, bad = U.strategy_lrs(strategies)
for name, why in bad.items():
    st.warning(f"{safe.md(name)}: {safe.md(why)}")

tab_loss, tab_paper, tab_bound, tab_adamw, tab_opt, tab_runs = st.tabs(
    ["Loss curves", "Real curves (paper)", "Rank by theory", "AdamW lens", "Optimise", "Your runs"])

with tab_loss:
    preds = U.predictions(lrs_by_name, params, domain)
    st.plotly_chart(U.prediction_figure(preds, f"Predicted training loss with {label}"), key=f"{P}.loss",
                    config={"displaylogo": False})
    st.markdown("**Final loss, best first**")
    st.dataframe(U.prediction_table(preds), hide_index=True, key=f"{P}.loss_table",
                 column_config={"predicted final loss": st.column_config.NumberColumn(format="%.4f"),
                                "error bound": st.column_config.NumberColumn(format="%.0e")})
    st.caption("Dashed: an extrapolation (another peak lr, warmup or length than the constants' data, or an lr "
               "below it): the law has not been checked there. The error bound is the fast sum's largest "
               "distance from the exact formula.")

with tab_paper:
    size = st.selectbox("model size", paper.SIZES[::-1], key=f"{P}.size")
    ppreds, real, table = U.paper_view(size, tuple(params.items()),
                                       tuple(domain.to_dict().items()) if domain is not None else None)
    shown = st.multiselect("schedules", list(paper.CURVES), default=["cosine_24000", "wsd_20000_24000", "wsdcon_3"],
                           key=f"{P}.paper_pick")
    st.plotly_chart(U.prediction_figure({n: ppreds[n] for n in shown},
                                        f"The authors' {size} runs (real, pale) and {label} (predicted)", real),
                    key=f"{P}.paper", config={"displaylogo": False})
    st.dataframe(table, hide_index=True, key=f"{P}.paper_table",
                 column_config={c: st.column_config.NumberColumn(format="%.4f") for c in
                                ("real final loss", "predicted final loss", "mean abs. error")})
    st.caption("Real curves: Luo et al.'s public data (MIT licence), shipped with the app. The authors report the "
               "mean absolute error over the six held-out curves: 0.00376 / 0.00435 / 0.00484 for 25M / 100M / 400M.")

with tab_bound:
    c1, c2 = st.columns(2)
    D = c1.number_input("D (distance to the optimum)", 1e-6, 1e6, 1.0, format="%.3g", key=f"{P}.D")
    G = c2.number_input("G (gradient-norm bound)", 1e-6, 1e6, 1.0, format="%.3g", key=f"{P}.G")
    st.plotly_chart(U.bound_figure(lrs_by_name, D, G), key=f"{P}.bound", config={"displaylogo": False})
    st.dataframe(U.bound_table(lrs_by_name, D, G), hide_index=True, key=f"{P}.bound_table",
                 column_config={c: st.column_config.NumberColumn(format="%.4g") for c in U.BOUND_COLUMNS})
    st.caption(U.BOUND_IS)

with tab_adamw:
    wd = st.number_input("weight decay λ (AdamW)", 1e-6, 1e4, 0.1, format="%.3g", key=f"{P}.wd")
    try:
        st.plotly_chart(U.adamw_figure(lrs_by_name, wd), key=f"{P}.adamw", config={"displaylogo": False})
        st.dataframe(U.adamw_table(lrs_by_name, wd), hide_index=True, key=f"{P}.adamw_table",
                     column_config={"initial weights left": st.column_config.NumberColumn(format="%.3g"),
                                    "timescale at peak (steps)": st.column_config.NumberColumn(format="%.4g"),
                                    "timescale at the end (steps)": st.column_config.NumberColumn(format="%.4g")})
    except ValueError as e:
        st.error(safe.md(str(e)))
    st.caption("AdamW's weights are an exponential moving average of its updates over about 1/(η·λ) steps "
               "(Wang & Aitchison 2024). Decaying to zero stretches that window at the end, so the last updates "
               "weigh less and more of the run is averaged; cosine to 10% keeps the window short.")

with tab_opt:
    c1, c2, c3 = st.columns(3)
    peak = c1.number_input("peak lr", 1e-8, 10.0, paper.PEAK_LR, format="%.3g", key=f"{P}.opt_peak")
    total = c2.number_input("total steps", 100, 1_000_000, 24_000, key=f"{P}.opt_total")
    warm = c3.number_input("warmup steps", 0, 1_000_000, paper.WARMUP, key=f"{P}.opt_warm")
    c1, c2 = st.columns(2)
    predictor = c1.radio("predictor", ["law", "bound"], horizontal=True, key=f"{P}.opt_pred",
                         format_func=lambda v: "multi-power law (the constants above)" if v == "law" else
                         "convex bound (D, G of 'Rank by theory')")
    knots = c2.slider("knots", 6, 200, 48, key=f"{P}.opt_knots")
    st.caption("Finds the non-increasing schedule after the warmup with the lowest predicted final loss "
               "(L-BFGS-B over the knots, linear between them; the search stops after 60 s). Keep the result: "
               "it joins your Compare strategies as a knots schedule, with its code export and JSON.")
    if st.button("Optimise", type="primary", key=f"{P}.opt_go"):
        try:
            st.session_state[f"{P}.opt_result"] = U.optimise(peak, total, warm, params, predictor, knots,
                                                             D=st.session_state.get(f"{P}.D", 1.0),
                                                             G=st.session_state.get(f"{P}.G", 1.0))
            st.session_state[f"{P}.opt_for"] = (peak, total, warm, predictor)
        except ValueError as e:
            st.error(safe.md(str(e)))
    result = st.session_state.get(f"{P}.opt_result")
    if result is not None:
        peak_r, total_r, warm_r, pred_r = st.session_state[f"{P}.opt_for"]
        others = U.reference_shapes(peak_r, total_r, warm_r)
        st.plotly_chart(U.optimised_figure(result, others), key=f"{P}.opt_fig", config={"displaylogo": False})
        st.dataframe(U.optimised_table(result, others, params, pred_r, st.session_state.get(f"{P}.D", 1.0),
                                       st.session_state.get(f"{P}.G", 1.0)),
                     hide_index=True, key=f"{P}.opt_table",
                     column_config={"predicted final": st.column_config.NumberColumn(format="%.5f")})
        st.caption(f"Search: {result.seconds:.1f} s, {len(result.knots)} knots, non-increasing after the warmup.")
        c1, c2 = st.columns(2)
        if c1.button("Keep it: add to Compare", key=f"{P}.opt_keep"):
            try:
                name = U.keep_in_compare(st.session_state, result.to_schedule())
                st.success(f"Added to Compare as “{safe.md(name)}”.")
            except ValueError as e:
                st.error(safe.md(str(e)))
        c2.download_button("Download the schedule (JSON)", result.to_schedule().to_json(), "optimised.json",
                           "application/json", key=f"{P}.opt_json", on_click="ignore")

with tab_runs:
    st.markdown("Fit the law to your own loss curves, then predict any other schedule with them.")
    st.caption("Give runs with different schedules, at least one whose lr decays (a constant and a cosine run, "
               "say). With three or more, each run is also predicted from the others: its held-out error.")
    files = st.file_uploader("CSV (step, lr, loss) or TensorBoard event files", accept_multiple_files=True,
                             key=f"{P}.upload")
    stored = U.train_runs()
    picked = st.multiselect("runs from the Train page", list(stored), key=f"{P}.train_runs",
                            format_func=lambda rid: stored[rid])
    if st.button("Fit", type="primary", key=f"{P}.fit_go"):
        try:
            run_list = U.collect_runs(files or [], picked)
            fitted, held = U.fit_runs(run_list)
            st.session_state[f"{P}.fitted"] = fitted
            st.session_state[f"{P}.fit_view"] = (run_list, held)
        except ValueError as e:
            st.error(safe.md(str(e)))
    view = st.session_state.get(f"{P}.fit_view")
    if view is not None and st.session_state.get(f"{P}.fitted") is not None:
        run_list, held = view
        st.plotly_chart(U.runs_figure(run_list, st.session_state[f"{P}.fitted"]), key=f"{P}.runs_fig",
                        config={"displaylogo": False})
        st.dataframe(U.constants_table(st.session_state[f"{P}.fitted"]), hide_index=True, key=f"{P}.fit_consts")
        if held is not None:
            st.markdown("**Hold one out**: each run predicted by the law fitted on the others")
            st.dataframe(held, hide_index=True, key=f"{P}.held",
                         column_config={held.columns[1]: st.column_config.NumberColumn(format="%.4f")})
        for r in run_list:
            if r.note:
                st.caption(f"{safe.md(r.name)}: {safe.md(r.note)}")
        st.info("Choose “Fitted on your runs” under Constants to predict with these.")
