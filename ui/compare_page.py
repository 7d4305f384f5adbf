"""The Compare page's state: the strategy list, the selected strategy and its editor.

The list is a tuple of immutable :class:`ui.compare.Strategy` values in one :class:`Slot`; every
edit is a pure function of :mod:`ui.compare` whose refusal is shown next to the controls. The
editor's controls (prefix ``compare.edit``) are seeded from the selected strategy, and what they
build is written back as that strategy's schedule. A read-only strategy (a join or product of parts from a
config, not a warmup + decay pair) has no controls: one line says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import compare, explore, picker, safe, share, widgets
from .figures import difference_figure, mark_points, schedule_figure, small_multiples
from .presets import NONE, PRESETS
from .session import Slot


@dataclass(frozen=True)
class Editor:
    page: str

    @property
    def prefix(self) -> str:
        return f"{self.page}.edit"

    @property
    def _list(self) -> Slot:
        return Slot(f"{self.page}.strategies", compare.default_strategies)

    @property
    def _selected(self) -> Slot:
        return Slot(f"{self.page}.selected")

    @property
    def _error(self) -> Slot:
        return Slot(f"{self.page}.edit_error")

    # --- reading ---------------------------------------------------------------------------------

    def strategies(self) -> tuple:
        return self._list.get()

    def names(self) -> list[str]:
        return [s.name for s in self.strategies()]

    def selected(self) -> str:
        name = self._selected.get()
        if name not in self.names():
            name = self.names()[0]
            self.select(name)
        return name

    # --- changing --------------------------------------------------------------------------------

    def selected_item(self) -> compare.Strategy:
        return compare.find(self.strategies(), self.selected())

    def select(self, name: str) -> None:
        item = compare.find(self.strategies(), name)
        self._selected.set(name)
        if item.editable:  # a read-only strategy (not a warmup + decay pair) has no controls to seed
            widgets.seed(self.prefix, item.schedule)
        picker.set_current(self.prefix, item.preset)

    def edit(self, action, *args) -> None:
        """Run a pure list edit of :mod:`ui.compare`; a refusal is shown next to the controls."""
        try:
            new, name = action(self.strategies(), *args)
        except ValueError as e:
            self._error.set(str(e))
            return
        self._list.set(new)
        self._error.pop()
        self.select(name)

    def edit_selected(self, action) -> None:
        """``action(strategies, selected name)``, the name read when the button is clicked."""
        self.edit(action, self.selected())

    def store(self, schedule) -> None:
        """Write what the controls built back into the selected strategy."""
        if schedule is not None:
            new, name = compare.update(self.strategies(), self.selected(), schedule, picker.current(self.prefix))
            self._list.set(new)
            self._selected.set(name)

    def seed_from_link(self, _prefix, data: dict) -> list[str]:
        items, notes = compare.from_link(data.get("strategies"))  # raises before anything changes
        view = share.clean_view(data.get("view", {}))
        self._list.set(items)
        self.select(items[0].name)
        for k, v in view.items():
            st.session_state[f"{self.page}.view.{k}"] = v
        return notes

    # --- callbacks of the sidebar widgets -------------------------------------------------------

    def pick_key(self) -> str:
        key = f"{self.page}.pick"
        st.session_state[key] = self.selected()
        return key

    def on_pick(self) -> None:
        self.select(st.session_state[f"{self.page}.pick"])

    def on_rename(self) -> None:
        key = f"{self.page}.new_name"
        self.edit(compare.rename, self.selected(), st.session_state[key])
        st.session_state[key] = ""

    def preset_options(self) -> list[str]:
        return [NONE] + list(PRESETS)

    def on_add_preset(self) -> None:
        key = f"{self.page}.add_preset"
        if st.session_state.get(key) in PRESETS:
            self.edit(compare.add_preset, st.session_state[key])
        st.session_state[key] = NONE

    # --- the sidebar ----------------------------------------------------------------------------

    def sidebar(self, show, main=None) -> dict:
        """Strategy list, the selected strategy's controls (its W and factor in ``main``), the view;
        returns the view."""
        with st.sidebar:
            return self._sidebar(show, main)

    def _sidebar(self, show, main) -> dict:
        P = self.page
        item = self.selected_item()  # first: on a first visit it seeds the controls
        if main is not None and (show("warmup_steps") or show("warmup_factor")):
            name = safe.md(item.name)
            if not item.editable:
                main.caption(f"“{name}” is read-only (pick another strategy in the sidebar to edit its warmup).")
            elif widgets.has_warmup_controls(self.prefix):
                main.caption(f"Warmup of “{name}” (pick another strategy in the sidebar):")
            else:
                main.caption(f"“{name}” has no warmup length or factor to set: pick another strategy in the "
                             "sidebar, or give this one a warmup method there.")
        if show("strategies") or any(show(c) for c in widgets.CONTROLS):
            st.markdown("**Strategies**")
            st.selectbox("edit strategy", self.names(), key=self.pick_key(), on_change=self.on_pick)
        if show("strategies"):
            c1, c2 = st.columns(2)
            c1.button("Duplicate", on_click=self.edit_selected, args=(compare.duplicate,), key=f"{P}.dup",
                      width="stretch")
            c2.button("Delete", on_click=self.edit_selected, args=(compare.delete,), key=f"{P}.del",
                      disabled=len(self.strategies()) <= 1, width="stretch")
            st.text_input("rename to", key=f"{P}.new_name", on_change=self.on_rename,
                          placeholder="new name, then Enter")
            st.selectbox("add from a library", self.preset_options(), key=f"{P}.add_preset",
                         on_change=self.on_add_preset)
            self.show_edit_error()
            st.divider()
        if item.editable:
            self.preset_note()
            schedule, _ = widgets.schedule_controls(self.prefix, visible=show, on_edit=picker.follow, main=main)
            self.store(schedule)
        else:  # its controls are this one line
            st.info(safe.md(item.read_only_reason()), icon=":material/lock:")
        st.divider()
        return share.view_controls(P, show, length_prefix=self.prefix)

    # --- small views -----------------------------------------------------------------------------

    def show_edit_error(self) -> None:
        if self._error.get():
            st.error(safe.md(self._error.get()))

    def preset_note(self) -> None:
        label = picker.current(self.prefix)
        note = st.session_state.get(f"{self.prefix}.preset_note")
        if label:
            st.caption(f"“{safe.md(self.selected())}” is {safe.md(label)}: " + safe.md(PRESETS[label].source))
        elif note:
            st.caption(safe.md(note))

    def downloads(self) -> None:
        items = self.strategies()
        c1, c2, c3 = st.columns(3)
        c1.download_button("All curves (Parquet)", lambda: compare.curves_parquet(items), "strategies.parquet",
                           "application/vnd.apache.parquet", key=f"{self.page}.parquet", on_click="ignore",
                           type="primary")
        size = compare.csv_size(items)
        c2.download_button(f"All curves (CSV, ≈ {explore.human_bytes(size)})", lambda: compare.curves_csv(items),
                           "strategies.csv", "text/csv", key=f"{self.page}.csv", on_click="ignore")
        c3.download_button("The strategies (JSON)", share.json_bytes([s.to_dict() for s in items]),
                           "strategies.json", "application/json", key=f"{self.page}.json", on_click="ignore")

    def chart(self, mode: str, view: dict) -> None:
        """The strategies overlaid, one panel each, or against a baseline."""
        items, P = self.strategies(), self.page
        kw = dict(log_y=view["log_y"], x_unit=view["x_unit"], steps_per_epoch=view["steps_per_epoch"])
        if mode == compare.MODES[0]:
            fig = schedule_figure(compare.traces(items), title="Learning rate of each strategy", shade_warmup=False,
                                  **kw)
        elif mode == compare.MODES[1]:
            fig = small_multiples(compare.traces(items), **kw)
        else:
            c1, c2 = st.columns(2)
            baseline = c1.selectbox("baseline", self.names(), key=f"{P}.baseline")
            rel = c2.radio("as", ["ratio", "difference"], horizontal=True, key=f"{P}.rel")
            if len(items) < 2:
                st.info("Add a second strategy to compare it with the baseline.")
                return
            fig = difference_figure(compare.relative_traces(items, baseline, rel), baseline, rel, view["x_unit"],
                                    view["steps_per_epoch"])
        st.plotly_chart(fig, key=f"{P}.chart", config={"displaylogo": False})

    def libraries(self, view: dict) -> None:
        """One nominal configuration as each library runs it: the chart and where they disagree."""
        lib = self.library_inputs()
        if lib is None:
            return
        lr, warm, total, min_lr = lib
        versions = compare.library_versions(lr, warm, total, min_lr)
        frame = compare.disagreements(versions, total)
        traces = compare.library_traces(versions, total)
        fig = schedule_figure(traces, title=f"Linear warmup {warm:,} + cosine {total:,}, as each library runs it",
                              log_y=view["log_y"], x_unit="steps", shade_warmup=False)
        fig.add_vline(x=total, line_dash="dot", line_color="#555", annotation_text="N (end of training)")
        mark_points(fig, traces, [[0, int(p), int(total * 1.2)] for p in frame["peak step"]], "step 0 / peak / after N")
        st.plotly_chart(fig, key=f"{self.page}.libchart", config={"displaylogo": False})
        st.dataframe(compare.styled_disagreements(frame), hide_index=True, key=f"{self.page}.libtable")

    def library_inputs(self):
        """Peak lr, N, W and the minimum lr of the libraries tab; ``None`` (with an error shown) if they
        do not fit together."""
        ctl = widgets.Controls(f"{self.page}.lib")
        c1, c2, c3, c4 = st.columns(4)
        with c1:
            lr = ctl.number("lr", "peak lr", "float", 1e-6, 10.0, 0.1)
        with c2:
            total = ctl.number("n", "N (training steps)", "int", 10, 1_000_000, 1_000)
        with c3:
            warm = ctl.number("w", "W (warmup steps)", "int", 0, 1_000_000, 100)
        with c4:
            min_lr = ctl.number("min", "minimum lr", "float", 0.0, 10.0, 0.0)
        if warm >= total:
            st.error(f"W ({warm:,}) must be smaller than N ({total:,}).")
            return None
        if min_lr >= lr:
            st.error(f"the minimum lr ({min_lr:g}) must be below the peak lr ({lr:g}).")
            return None
        return lr, warm, total, min_lr
