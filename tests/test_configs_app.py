"""The "import a config" box on Explore and Compare, driven as a user drives it (AppTest).

Paste a real config, give the facts it asks for by name, load it: the page then shows the schedule
the framework trains with (for Hugging Face: the real ``Trainer``'s lr at every step). A bad key is
a message naming it, never a traceback, and user text is shown as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page as page
from tests.test_configs import trainer_lrs
from ui import state
from warmup_core import from_dict
from warmup_core.configs import from_config, read_config

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = Path(__file__).parent / "configs"


def paste(at: AppTest, prefix: str, text: str) -> AppTest:
    at.text_area(key=f"{prefix}.import.config.text").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fact(at: AppTest, prefix: str, fmt: str, name: str, value) -> AppTest:
    at.number_input(key=f"{prefix}.import.config.fact.{fmt}.{name}").set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def load(at: AppTest, prefix: str) -> AppTest:
    at.button(key=f"{prefix}.import.config.load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_trace(at: AppTest, key: str) -> tuple[np.ndarray, np.ndarray]:
    """The first trace of the chart with widget key ``key``: its steps and lr values."""
    import base64

    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    trace = json.loads(chart.proto.spec)["data"][0]

    def arr(v):
        if isinstance(v, dict):
            return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
        return np.asarray(v, dtype=float)

    return arr(trace["x"]), arr(trace["y"])


def page_schedule(at: AppTest, prefix: str):
    """The schedule the page holds, read back from its link state (what it draws and shares)."""
    return from_dict(state.decode(at.session_state[f"{prefix}.link_state"])["schedule"])


def test_explore_real_trainingarguments_json_shows_the_trainers_exact_schedule():
    """alignment-handbook's zephyr-7b-beta SFT recipe (tests/configs/README.md) pasted as JSON; the
    page asks for the dataset size by name; once given, the chart is the real Trainer's lr per step."""
    cfg = yaml.safe_load((CONFIGS / "huggingface" / "zephyr-7b-beta_sft_config_full.yaml").read_text())
    n, world = 20_000, 8
    ref, n_steps, _ = trainer_lrs(cfg, n, world)

    at = page("explore.py")
    before = page_schedule(at, "explore")
    paste(at, "explore", json.dumps(cfg, indent=2))
    assert any("missing fact 'dataset_size'" in e.value.replace("\\", "") for e in at.error)
    assert not at.get("button") or "explore.import.config.load" not in [b.key for b in at.button]
    assert page_schedule(at, "explore") == before  # nothing loads until the config reads

    fact(at, "explore", "huggingface", "dataset_size", n)
    fact(at, "explore", "huggingface", "world_size", world)
    assert not at.error
    load(at, "explore")

    s = page_schedule(at, "explore")
    assert s != before and s.total_steps == n_steps
    np.testing.assert_allclose(s(np.arange(len(ref))), ref, rtol=1e-12, atol=1e-15)
    steps, values = chart_trace(at, "explore.chart")
    assert steps[-1] == n_steps - 1
    np.testing.assert_allclose(values, np.asarray(ref)[steps.astype(int)], rtol=1e-12, atol=1e-15)
    notes = [c.value.replace("\\", "") for c in at.caption]
    assert any(v.startswith("Imported from a Hugging Face TrainingArguments") for v in notes)

    # the loaded schedule is the controls' own: editing a control goes on from it
    at.get_by_key("explore.base_lr.in").set_value("1e-4")
    at.run()
    assert not at.exception
    s2 = page_schedule(at, "explore")
    np.testing.assert_allclose(s2(np.arange(len(ref))), np.asarray(ref) * 5, rtol=1e-12, atol=1e-15)


def test_explore_bad_key_is_a_message_naming_it_shown_as_text():
    at = page("explore.py")
    before = page_schedule(at, "explore")
    bad = "SOLVER:\n  BASE_LR: 0.02\n  WARMUP_ITER: 500\n  '**[x](javascript:alert(1))** <b>': 1\n"
    at.selectbox(key="explore.import.config.format").set_value("maskrcnn").run()
    paste(at, "explore", bad)
    assert len(at.error) == 1
    shown = at.error[0].value
    assert "WARMUP\\_ITER" in shown  # named, escaped
    assert "**" not in shown.replace("\\*", "") and "<b>" not in shown.replace("\\<", "")
    assert "](" not in shown.replace("\\]\\(", "")  # no link
    assert "explore.import.config.load" not in [b.key for b in at.button]
    assert page_schedule(at, "explore") == before


def test_explore_user_keys_left_aside_are_shown_as_text():
    """A key the schedule does not use is listed back to the user; Markdown/HTML in it stays literal."""
    hostile = "**bold** [x](javascript:alert(1)) $x^2$ <img src=x>"
    at = paste(page("explore.py"), "explore",
               json.dumps({"learning_rate": 1e-3, "max_steps": 40, "warmup_steps": 4, hostile: 1}))
    assert not at.error
    aside = [c.value for c in at.caption if "left aside" in c.value]
    assert aside and "\\*\\*bold\\*\\*" in aside[0] and "\\<img" in aside[0] and "\\$x^2\\$" in aside[0]
    load(at, "explore")
    assert page_schedule(at, "explore") == from_config(json.dumps({"learning_rate": 1e-3, "max_steps": 40,
                                                                   "warmup_steps": 4}))


def test_explore_a_chain_that_is_not_a_pair_is_drawn_in_the_box_and_the_reason_given():
    """RTMDet over mmdetection's 1x schedule builds a product (warmup, hold, a cosine frozen at its end) that no
    warmup + decay pair equals: drawn exactly, not loaded."""
    text = (CONFIGS / "mmengine" / "schedule_1x.py").read_text() + "\n" + \
        (CONFIGS / "mmengine" / "rtmdet_l_8xb32-300e_coco.py").read_text()
    at = page("explore.py")
    before = page_schedule(at, "explore")
    paste(at, "explore", text)
    fact(at, "explore", "mmengine", "dataset_size", 117266)
    fact(at, "explore", "mmengine", "world_size", 8)
    assert not at.error and len(at.warning) == 1 and "cannot be loaded" in at.warning[0].value
    assert "explore.import.config.load" not in [b.key for b in at.button]
    steps, values = chart_trace(at, "explore.import.config.preview")
    composite = from_config(text, dataset_size=117266, world_size=8)
    np.testing.assert_allclose(values, composite(steps), rtol=1e-12)
    assert page_schedule(at, "explore") == before


def test_explore_a_chain_that_is_exactly_a_pair_loads_into_the_controls_and_says_so():
    """detectron2's Base-RCNN-FPN builds a Join (the warmup ramp, then the steps on a clock restarted after it):
    exactly a linear warmup prepended to a piecewise decay, so it loads into the controls."""
    text = (CONFIGS / "detectron2" / "Base-RCNN-FPN.yaml").read_text()
    composite = from_config(text)
    at = page("explore.py")
    paste(at, "explore", text)
    assert not at.warning and not at.error
    assert any(c.value.replace("\\", "").startswith("Converted exactly: this config's schedule is a join of 2 parts")
               for c in at.caption)
    load(at, "explore")
    s = page_schedule(at, "explore")
    assert (s.warmup.method, s.warmup.steps, s.warmup.factor, s.convention, s.decay.name) == \
        ("linear", 1000, 0.001, "prepend", "piecewise")
    t = np.arange(int(composite.total_steps * 1.2))
    np.testing.assert_allclose(s(t), composite(t), rtol=1e-12, atol=0)
    steps, values = chart_trace(at, "explore.chart")
    np.testing.assert_allclose(values, composite(steps), rtol=1e-12, atol=0)
    notes = [c.value.replace("\\", "") for c in at.caption]
    assert any(v.startswith("Imported from a detectron2") and "Converted exactly" in v for v in notes)


@pytest.mark.parametrize("path,fmt,facts", [
    ("maskrcnn/e2e_mask_rcnn_R_50_FPN_1x.yaml", "maskrcnn", {}),
    ("deepspeed/cifar_ds_config.json", "deepspeed", {}),  # WarmupLR: no end, shown over 10,000 steps
])
def test_compare_adds_the_config_as_a_strategy_named_after_its_source(path, fmt, facts):
    text = (CONFIGS / path).read_text()
    expected = from_config(text, **facts)
    at = page("compare.py")
    names = [s.name for s in at.session_state["compare.strategies"]]
    paste(at, "compare", text)
    assert not at.error
    load(at, "compare")
    items = at.session_state["compare.strategies"]
    assert [s.name for s in items[:-1]] == names
    added = items[-1]
    imp = read_config(text, **facts)
    assert added.name == f"{imp.library} {imp.name} (config)"  # e.g. "maskrcnn WarmupMultiStepLR (config)"
    assert at.session_state["compare.selected"] == added.name
    n = added.schedule.total_steps
    np.testing.assert_allclose(added.schedule(np.arange(n)), expected(np.arange(n)), rtol=1e-12, atol=1e-15)
    assert (expected.total_steps or 10_000) == n
    # added twice: a second, distinct name; the list still works
    load(at, "compare")
    assert at.session_state["compare.strategies"][-1].name == f"{added.name} (2)"


@pytest.mark.parametrize("name", ["explore.py", "compare.py"])
def test_a_teachers_link_that_hides_the_controls_hides_the_import_box(name):
    prefix = name.removesuffix(".py")
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    at.query_params["show"] = "warmup_steps"
    at.run()
    assert not at.exception
    assert f"{prefix}.import.config.text" not in [t.key for t in at.text_area]
    assert f"{prefix}.import.config.text" in [t.key for t in page(name).text_area]  # shown without the link
