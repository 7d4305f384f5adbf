"""Compare with a config whose schedule is a chain or product of parts (issue #9 §4), driven as a user drives it.

A composite that is exactly a warmup + decay pair (mmdetection's 1x schedule) is added as that pair, editable.
One that is not (RTMDet's warmup, hold and frozen cosine) joins as a read-only strategy: in the figure with the
values warmup_core computes, in the legend, the table, the downloads and the share link (opened in a fresh
session), its controls replaced by one line, and removable. A hostile link holding a composite is a warning.
"""

from __future__ import annotations

import base64
import io
import json
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.apptest import figures, open_page
from tests.test_configs_app import fact, load, paste
from ui import compare, state, widgets
from warmup_core import Decay, Join, Product, Warmup, WarmupDecay, from_dict
from warmup_core.configs import from_config
from warmup_core.pairs import as_warmup_decay, leaves

CONFIGS = Path(__file__).parent / "configs"
RTMDET = (CONFIGS / "mmengine" / "schedule_1x.py").read_text() + "\n" + \
    (CONFIGS / "mmengine" / "rtmdet_l_8xb32-300e_coco.py").read_text()
RTMDET_FACTS = {"dataset_size": 117266, "world_size": 8}
NAME = "mmengine param_scheduler (config)"


def arr(v):
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


def trace(at, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The trace called ``name`` in Compare's chart: its steps and lrs."""
    fig = figures(at)[0]
    t = next(d for d in fig["data"] if d.get("name") == name)
    return arr(t["x"]), arr(t["y"])


def texts(elements) -> str:
    return " ".join(e.value.replace("\\", "") for e in elements)


def strategies(at):
    return at.session_state["compare.strategies"]


def add_rtmdet(at):
    paste(at, "compare", RTMDET)
    for k, v in RTMDET_FACTS.items():
        fact(at, "compare", "mmengine", k, v)
    assert "not one warmup + decay pair" in texts(at.warning)
    assert at.button(key="compare.import.config.load").label == "Add as a read-only strategy"
    return load(at, "compare")


def test_a_composite_that_is_not_a_pair_is_compared_shared_and_removed_read_only():
    composite = from_config(RTMDET, **RTMDET_FACTS)
    assert isinstance(composite, Product) and as_warmup_decay(composite) is None
    at = open_page("compare.py")
    before = [s.name for s in strategies(at)]
    add_rtmdet(at)

    # added, selected, drawn exactly like the others (same figure, same lr axis), in the legend
    assert [s.name for s in strategies(at)] == before + [NAME]
    assert at.session_state["compare.selected"] == NAME and not strategies(at)[-1].editable
    steps, values = trace(at, NAME)
    assert steps[0] == 0 and steps[-1] == composite.total_steps - 1
    np.testing.assert_allclose(values, composite(steps), rtol=1e-12, atol=0)
    fig = figures(at)[0]
    assert [d["name"] for d in fig["data"]] == before + [NAME] and fig["layout"].get("showlegend", True)
    assert len({d.get("xaxis", "x") for d in fig["data"]}) == 1 and len({d.get("yaxis", "y") for d in fig["data"]}) == 1
    # its controls are one line saying why; the others' controls are back when they are picked
    assert "is read-only: its schedule is a product of 5 parts, not a warmup + decay pair" in texts(at.sidebar.info)
    assert "compare.edit.base_lr.in" not in [w.key for w in at.sidebar.text_input]
    table = next(d.value for d in at.dataframe if "convention" in d.value.columns)
    assert table["decay"].tolist()[-1] == "product of 5 parts" and table["from"].tolist()[-1] == "config (read-only)"
    # the downloads hold its every step
    frame = pd.read_csv(io.BytesIO(compare.curves_csv(strategies(at))))
    n = composite.total_steps
    np.testing.assert_allclose(frame[NAME].to_numpy()[:n], composite(np.arange(n)), rtol=1e-15, atol=0)
    parquet = pd.read_parquet(io.BytesIO(compare.curves_parquet(strategies(at))))
    np.testing.assert_array_equal(parquet[NAME].to_numpy()[:n], composite(np.arange(n)))

    # the share link, opened in a fresh session: the same strategy, drawn the same
    link = at.session_state["compare.link_state"]
    assert len(link) <= state.MAX_LEN and at.query_params["s"] in (link, [link])
    other = open_page("compare.py", {"s": link})
    assert not other.warning
    assert [s.name for s in strategies(other)] == before + [NAME]
    assert strategies(other)[-1].schedule == composite
    np.testing.assert_array_equal(trace(other, NAME)[1], values)

    # removed with Delete
    other.get_by_key("compare.pick").set_value(NAME).run()
    other.get_by_key("compare.del").click().run()
    assert not other.exception
    assert [s.name for s in strategies(other)] == before
    assert NAME not in [d["name"] for d in figures(other)[0]["data"]]
    assert "compare.edit.base_lr.in" in [w.key for w in other.sidebar.text_input]


def test_a_composite_that_is_exactly_a_pair_is_added_as_that_pair_and_edited():
    """mmdetection's 1x schedule (LinearLR × MultiStepLR) is maskrcnn's warmup multiplied into the steps."""
    text = (CONFIGS / "mmengine" / "schedule_1x.py").read_text()
    composite = from_config(text, epoch_length=100)
    at = open_page("compare.py")
    paste(at, "compare", text)
    fact(at, "compare", "mmengine", "epoch_length", 100)
    assert not at.warning and "Converted exactly" in texts(at.sidebar.caption)
    load(at, "compare")
    added = strategies(at)[-1]
    assert added.editable and added.name == NAME
    t = np.arange(1500)
    np.testing.assert_allclose(added.schedule(t), composite(t), rtol=1e-12, atol=0)
    assert at.session_state["compare.edit.convention"] == "multiply"
    assert at.session_state["compare.edit.warmup_steps"] == 499
    steps, values = trace(at, NAME)
    np.testing.assert_allclose(values, composite(steps), rtol=1e-12, atol=0)
    # an edit in the controls goes on from it
    at.get_by_key("compare.edit.base_lr.in").set_value("0.04").run()
    assert not at.exception
    np.testing.assert_allclose(strategies(at)[-1].schedule(t), 2 * composite(t), rtol=1e-12, atol=0)


def _link(schedule_dict, name="hostile") -> dict:
    return {"s": state.encode({"strategies": [{"name": name, "schedule": schedule_dict}]})}


def _nest(depth: int) -> dict:
    d = WarmupDecay(0.1, decay=Decay("cosine", steps=100), total_steps=100).to_dict()
    for _ in range(depth):
        d = {"type": "join", "parts": [d], "boundaries": [], "total_steps": 100}
    return d


def _step_product(n: int) -> dict:
    return Product([WarmupDecay(0.1, decay=Decay("step", step_size=7, gamma=0.9))] * n, total_steps=100).to_dict()


def _two(boundary) -> dict:
    return {"type": "join", "parts": [{"base_lr": 0.1}, {"base_lr": 0.1}], "boundaries": [boundary], "total_steps": 10}


@pytest.mark.parametrize("hostile,sane,needle", [
    (_nest(40), _nest(5), "nested more than 32 deep"),
    (_step_product(40), _step_product(5), "built from 40 parts; at most 32"),
    (Join([WarmupDecay(0.1)], [], None).to_dict(), Join([WarmupDecay(0.1)], [], 100).to_dict(), "with total_steps"),
    ({"type": "join", "parts": [], "boundaries": [], "total_steps": 10},
     {"type": "join", "parts": [{"base_lr": 0.1}], "boundaries": [], "total_steps": 10},
     "join needs one or more schedules"),
    ({"type": "product", "parts": [{"base_lr": 1e300}], "total_steps": 10},
     {"type": "product", "parts": [{"base_lr": 0.1}], "total_steps": 10}, "base_lr"),
    (_two(-5), _two(5), "join boundaries"),
])
def test_a_hostile_composite_in_a_link_is_a_warning_and_its_sane_sibling_loads(hostile, sane, needle):
    at = open_page("compare.py", _link(hostile))
    warning = texts(at.warning)
    assert "could not be used" in warning and needle in warning
    assert [s.name for s in strategies(at)] == [s.name for s in compare.default_strategies()]
    at = open_page("compare.py", _link(sane, "sane"))
    assert not at.warning and [s.name for s in strategies(at)] == ["sane"]
    assert "sane" in [d["name"] for d in figures(at)[0]["data"]]


def test_a_composite_link_asking_for_a_huge_length_is_capped_and_memory_stays_bounded():
    parts = [WarmupDecay(0.1, Warmup("linear", 1000), Decay("constant")),
             WarmupDecay(0.1, decay=Decay("cosine_restarts", period=977.0, cycle_decay=0.9))] * 4
    huge = Join(parts, [1000 * (i + 1) for i in range(7)], total_steps=10**15)
    tracemalloc.start()
    try:
        at = open_page("compare.py", _link(huge.to_dict(), "long"), timeout=300)
        peak = tracemalloc.get_traced_memory()[1]  # numpy's arrays are traced
    finally:
        tracemalloc.stop()
    assert f"capped at {widgets.MAX_STEPS:,}" in texts(at.info)
    item = strategies(at)[-1]
    assert item.schedule.total_steps == widgets.MAX_STEPS and not item.editable
    steps, values = trace(at, "long")
    assert steps[-1] == widgets.MAX_STEPS - 1
    np.testing.assert_allclose(values, item.schedule(steps), rtol=1e-12, atol=0)
    assert peak < 1.5e9, f"{peak / 1e9:.2f} GB"  # the curve is reduced chunk by chunk: 10M steps never at once
    assert json.loads(json.dumps(item.to_dict())) == item.to_dict()


def test_explore_shows_a_composite_link_as_its_exact_pair_and_warns_on_one_that_is_not():
    """A link to Explore holding a composition: the pair it equals (said in a note), or a warning naming Compare."""
    d2 = from_config((CONFIGS / "detectron2" / "Base-RCNN-FPN.yaml").read_text())
    at = open_page("explore.py", {"s": state.encode({"schedule": d2.to_dict()})})
    assert not at.warning and "equals one warmup + decay pair at every step" in texts(at.info)
    shown = from_dict(state.decode(at.session_state["explore.link_state"])["schedule"])
    pair = as_warmup_decay(d2)  # the controls write the decay's values as text: 0.010000000000000002 is 0.01
    assert (shown.warmup, shown.convention, shown.decay.name) == (pair.warmup, "prepend", "piecewise")
    t = np.arange(100_000)
    np.testing.assert_allclose(shown(t), d2(t), rtol=1e-12, atol=0)
    rtm = from_config(RTMDET, **RTMDET_FACTS)
    at = open_page("explore.py", {"s": state.encode({"schedule": rtm.to_dict()})})
    assert "is not one (Compare shows it, read-only)" in texts(at.warning)


def test_a_config_built_from_more_parts_than_a_link_holds_is_drawn_but_not_added():
    scheds = ", ".join(f"dict(type='ConstantLR', factor=0.5, by_epoch=False, begin={20 * i}, end={20 * i + 10})"
                       for i in range(12))
    text = (f"param_scheduler = [{scheds}]\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n"
            "train_cfg = dict(type='IterBasedTrainLoop', max_iters=300)\n")
    assert leaves(from_config(text)) > 32
    at = paste(open_page("compare.py"), "compare", text)
    assert "not one warmup + decay pair" in texts(at.warning)
    assert "more than a strategy holds (32)" in texts(at.sidebar.caption)
    assert "compare.import.config.load" not in [b.key for b in at.button]


def test_a_read_only_strategy_too_large_for_a_link_gets_the_share_boxs_note():
    """The share box's bound holds for compositions too: no ?s= in the URL, the note instead."""
    from streamlit.testing.v1 import AppTest

    rng = np.random.default_rng(1)
    parts = [WarmupDecay(0.1, decay=Decay("piecewise", milestones=list(range(1, 301)), values=list(rng.random(301))))
             for _ in range(12)]
    big = compare.Strategy("big", Join(parts, [100 * (i + 1) for i in range(11)], total_steps=2000))
    assert not big.editable
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "pages" / "compare.py"), default_timeout=60)
    at.session_state["compare.strategies"] = (*compare.default_strategies(), big)
    at.run()
    assert not at.exception
    assert len(at.session_state["compare.link_state"]) > state.MAX_LEN and "s" not in at.query_params
    assert "too large to share as a link" in texts(at.warning)
    assert "big" in [d["name"] for d in figures(at)[0]["data"]]
