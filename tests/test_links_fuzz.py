"""Hostile links on every page (issue #8 §4): 1,000 generated links per page (fixed seed) through the
code that reads them, under AppTest, with no exception, no server path, and user text shown as text;
and a sample of them through the whole page.

The 1,000 links run in batches inside one AppTest script each (a fresh page state per link, under
its own key prefix), calling the same functions the pages call for everything a link reaches: the
decoder and validation, the controls seeded from it, the URL written back, the figure and the
numbers. Learn and Train read no link state: for them the link reaches the router's "ignored"
warning only. A whole-page run costs 0.1–1 s under AppTest, so the full pages get a stratified
sample (``FUZZ_FULL=1000`` runs every link through the whole page).
"""

import os
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fuzz_links import links

PAGES = Path(__file__).resolve().parents[1] / "pages"
N_LINKS = 1000
BATCH = 25
FULL = int(os.environ.get("FUZZ_FULL", "12"))

LEAKS = re.compile(r"Traceback|site-packages|/root/|/home/|/work/|File \"")
UNESCAPED = re.compile(r"(?<!\\)\]\(|(?<!\\)<[a-zA-Z/!]|(?<![\\:]):[a-z_]+/?[a-z_]*(?<!\\):")


def _edge(page, batch):  # an AppTest script: runs in its own module, so it imports what it needs
    import streamlit as st

    from ui import compare, explore, picker, router, share
    from ui.compare_page import Editor

    for i, link in enumerate(batch):
        st.query_params.clear()
        for k, v in link.items():
            st.query_params[k] = v
        prefix = f"{page}{i}"
        with st.container(key=f"fuzz.{i}"):
            if page == "explore":
                show = share.load_page_state(prefix)
                schedule, view = explore.sidebar(prefix, show)
                if schedule is not None:
                    share.save_page_state(prefix, schedule, view)
                    explore.figure(schedule, view, picker.current(prefix))
            elif page == "compare":
                ed = Editor(prefix)
                show = share.load_page_state(prefix, seed=ed.seed_from_link, extra_controls=("strategies",))
                view = ed.sidebar(show)
                items = ed.strategies()
                share.save_page_state(prefix, view=view, extra={"strategies": [s.to_dict() for s in items]})
                st.session_state[f"{prefix}.fuzz_names"] = [t.name for t in compare.traces(items)]
                compare.summary_table(items)
            else:
                router.unused_link_warning(flag=f"router.{i}")


def shown_text(at):
    out = []
    for kind in ("warning", "info", "error", "caption", "markdown", "success"):
        out += [e.value for e in getattr(at, kind)]
    return out


def check_text(at):
    for text in shown_text(at):
        assert not LEAKS.search(text), text[:300]
    for kind in ("warning", "info", "error"):
        for e in getattr(at, kind):
            assert not UNESCAPED.search(e.value.replace("\\\\", "")), e.value[:300]


@pytest.mark.slow
@pytest.mark.parametrize("page", ["explore", "compare", "learn", "train"])
def test_a_thousand_hostile_links_reach_no_exception(page, tmp_path, monkeypatch):
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    all_links = links(page, N_LINKS)
    assert len(all_links) >= 1000
    t0 = time.perf_counter()
    warned = 0
    for start in range(0, N_LINKS, BATCH):
        batch = all_links[start:start + BATCH]
        at = AppTest.from_function(_edge, kwargs={"page": page, "batch": batch}, default_timeout=120)
        at.run()
        assert not at.exception, [e.value for e in at.exception][:1]
        check_text(at)
        warned += len(at.warning)
        if page == "compare":
            for i in range(len(batch)):
                for name in at.session_state[f"compare{i}.fuzz_names"]:
                    assert isinstance(name, str)
    elapsed = time.perf_counter() - t0
    print(f"{page}: {N_LINKS} links in {elapsed:.1f} s, {warned} warnings")
    assert warned >= N_LINKS // 3  # most hostile links are named as such, not silently dropped


@pytest.mark.slow
@pytest.mark.parametrize("page", ["explore", "compare", "learn", "train"])
def test_hostile_links_through_the_whole_page(page, tmp_path, monkeypatch):
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    import streamlit as st

    st.cache_resource.clear()
    sample = links(page, N_LINKS)[:: max(1, N_LINKS // FULL)][:FULL]
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    try:
        for link in sample:
            for k in ("s", "show"):
                if k in at.query_params:
                    del at.query_params[k]
            for k, v in link.items():
                at.query_params[k] = v
            for k, v in ((f"{page}.loaded", False), (f"{page}.url_error", None), (f"{page}.url_notes", []),
                         ("router.link_checked", False)):
                at.session_state[k] = v
            at.run()
            assert not at.exception, (link, [e.value for e in at.exception][:1])
            check_text(at)
            if page in ("explore", "compare"):
                assert at.get("plotly_chart") or at.info, link  # a curve, or a message saying what to fix
    finally:
        if page == "train":
            from ui.train import manager

            manager().shutdown()
            st.cache_resource.clear()
