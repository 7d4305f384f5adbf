"""Every page under streamlit.testing.v1.AppTest: renders, reacts to its controls in the order a user
uses them, round-trips its URL, and shows bad input as a message next to the control, never a traceback."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import PAGES, array, figures
from tests.apptest import open_page as run
from ui import state
from ui.presets import PRESETS, short_name
from warmup_core import Decay, Schedule, Warmup


def decode_y(trace):
    return array(trace["y"])


def xs(trace):
    return array(trace["x"])


def type_in(at, key, text):
    """Type into a control's box (``{key}.in``) and press Enter."""
    at.get_by_key(f"{key}.in").set_value(text)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def peak_step(at, i=0, name=None):
    data = figures(at)[0]["data"]
    t = data[i] if name is None else next(t for t in data if t["name"] == name)
    return int(xs(t)[int(np.argmax(decode_y(t)))])


def texts(elements):
    return " | ".join(e.value for e in elements)


# --- Explore -------------------------------------------------------------------------------------

def test_explore_renders_with_title_axes_and_metrics():
    at = run("explore.py")
    (fig,) = figures(at)
    layout = fig["layout"]
    assert layout["title"]["text"] and layout["xaxis"]["title"]["text"].startswith("step")
    assert layout["yaxis"]["title"]["text"] == "learning rate"
    assert fig["data"][0]["line"]["shape"] == "hv"
    assert [m.label for m in at.metric][:3] == ["peak lr", "peak at step", "lr at step 0"]
    assert len(at.latex) >= 2


@pytest.mark.parametrize("key,value", [
    ("explore.warmup_steps", "2000"), ("explore.warmup_factor", "0.3"), ("explore.warmup_method", "constant"),
    ("explore.decay", "multistep"), ("explore.convention", "multiply"), ("explore.base_lr", "0.5"),
    ("explore.total_steps", "20000"),
])
def test_each_main_control_changes_the_curve(key, value):
    at = run("explore.py")
    before = decode_y(figures(at)[0]["data"][0])
    type_in(at, key, value)
    after = decode_y(figures(at)[0]["data"][0])
    assert len(before) != len(after) or not np.allclose(before, after)


def test_the_warmup_slider_drags_the_same_value_the_box_types():
    at = run("explore.py")
    main_keys = {w.key for w in at.main.slider}
    assert main_keys == {"explore.warmup_steps.drag", "explore.warmup_factor.drag"}  # beside the chart
    at.get_by_key("explore.warmup_steps.drag").set_value(1500)
    at.run()
    # The box is redrawn under a new key after each slide (ui.widgets.typed_key: a stale box's text is ignored).
    assert "explore.warmup_steps.in" not in {w.key for w in at.text_input}
    assert at.get_by_key("explore.warmup_steps.in1").value == "1500" and peak_step(at) == 1500
    at.get_by_key("explore.warmup_steps.in1").set_value("1400").run()
    assert at.get_by_key("explore.warmup_steps.drag").value == 1400 and peak_step(at) == 1400


# --- §1: one edit never silently changes another control ------------------------------------------

@pytest.mark.parametrize("page,prefix", [("explore.py", "explore"), ("compare.py", "compare.edit")])
def test_changing_the_length_keeps_the_warmup(page, prefix):
    at = run(page)
    if page == "compare.py":
        at.get_by_key("compare.pick").set_value("linear warmup")
        at.run()
    name = None if page == "explore.py" else "linear warmup"
    assert peak_step(at, name=name) == 500
    for total in ("10100", "20000", "1e6"):  # a click on + was 10,000 -> 10,100; then typed values
        type_in(at, f"{prefix}.total_steps", total)
        assert at.session_state[f"{prefix}.warmup_steps"] == 500
        assert at.session_state[f"{prefix}.warmup_factor"] == 0.0
        assert peak_step(at, name=name) == 500
    at.get_by_key(f"{prefix}.length_unit.in").set_value("epochs")
    at.run()
    assert at.session_state[f"{prefix}.warmup_steps"] == 500 and peak_step(at, name=name) == 500


def test_a_warmup_longer_than_training_is_clamped_and_said_next_to_the_control():
    at = run("explore.py")
    type_in(at, "explore.total_steps", "300")
    assert peak_step(at) == 299 or at.session_state["explore.warmup_steps"] == 500
    assert "500 does not fit in 300 steps: using 300" in texts(at.main.caption).replace("\\", "")
    type_in(at, "explore.total_steps", "10000")
    assert peak_step(at) == 500 and "does not fit" not in texts(at.caption)


@pytest.mark.parametrize("key,text,expected", [
    ("explore.warmup_factor", "1/3", 1 / 3),
    ("explore.warmup_factor", "0.3333333333333333", 1 / 3),
    ("explore.total_steps", "1e6", 1_000_000),
    ("explore.total_steps", "1,000,000", 1_000_000),
    ("explore.total_steps", "100_000", 100_000),
    ("explore.base_lr", "3e-4", 3e-4),
])
def test_numbers_are_typed_exactly(key, text, expected):
    at = type_in(run("explore.py"), key, text)
    assert at.session_state[key] == expected and type(at.session_state[key]) is type(expected)


def test_w_is_typed_on_a_long_run_without_dragging():
    at = type_in(run("explore.py"), "explore.total_steps", "100000")
    type_in(at, "explore.warmup_steps", "5000")
    assert peak_step(at) == 5000 and at.get_by_key("explore.warmup_steps.drag").value == 5000


@pytest.mark.parametrize("text,message", [("1e6x", "is not a number"), ("2.5", "is not a whole number"),
                                          ("1e400", "not a finite number"), ("", "is empty")])
def test_a_step_count_that_is_not_one_is_refused_with_a_message(text, message):
    at = type_in(run("explore.py"), "explore.total_steps", text)
    assert at.session_state["explore.total_steps"] == 10_000  # kept
    assert message in texts(at.sidebar.error).replace("\\", "")
    assert at.get_by_key("explore.total_steps.in").value == "10000"


def test_a_typed_value_outside_its_range_is_capped_and_said():
    at = type_in(run("explore.py"), "explore.total_steps", "1e12")
    assert at.session_state["explore.total_steps"] == 10_000_000
    type_in(at, "explore.base_lr", "0")
    assert at.session_state["explore.base_lr"] == 1e-8


def test_a_library_preset_follows_its_own_parameters():
    at = run("explore.py")
    at.get_by_key("explore.preset.in").set_value("HF transformers: cosine with warmup")
    at.run()
    assert at.session_state["explore.d.cosine.steps"] == 9500
    type_in(at, "explore.warmup_steps", "1000")  # HF: the cosine fills N - W
    assert at.session_state["explore.preset"] == "HF transformers: cosine with warmup"
    assert at.session_state["explore.d.cosine.steps"] == 9000
    type_in(at, "explore.total_steps", "20000")
    assert at.session_state["explore.d.cosine.steps"] == 19000
    fig = figures(at)[0]
    assert "HF transformers" in fig["layout"]["title"]["text"].replace("<br>", " ")
    y = decode_y(fig["data"][0])
    assert y[-1] == pytest.approx(0.0, abs=1e-12) and peak_step(at) == 1000  # the cosine reaches 0 at N


def test_editing_what_a_library_does_not_have_switches_to_custom_with_a_note():
    at = run("explore.py")
    at.get_by_key("explore.preset.in").set_value("HF transformers: cosine with warmup")
    at.run()
    type_in(at, "explore.d.cosine.floor", "0.1")
    assert at.session_state["explore.preset"] == "custom"
    assert at.get_by_key("explore.preset.in").value == "custom"
    assert "no longer that library" in texts(at.sidebar.caption)
    assert "HF" not in figures(at)[0]["layout"]["title"]["text"].replace("<br>", " ")


def _edit_a_knob(at, p):
    """Edit the preset's length if it is one of its knobs, else its peak lr; the value the library gets."""
    if "total_steps" in p.knobs:
        n = p.knobs["total_steps"] * 2
        key = "explore.epochs" if p.steps_per_epoch else "explore.total_steps"
        type_in(at, key, str(n // p.steps_per_epoch if p.steps_per_epoch else n))
        return {"total_steps": n}
    lr = p.knobs["base_lr"] * 2
    type_in(at, "explore.base_lr", repr(lr))
    return {"base_lr": lr}


@pytest.mark.parametrize("label", [k for k, p in PRESETS.items() if set(p.knobs) & {"total_steps", "base_lr"}])
def test_every_preset_keeps_its_identity_when_its_own_parameter_changes(label):
    at = run("explore.py")
    at.get_by_key("explore.preset.in").set_value(label)
    at.run()
    p = PRESETS[label]
    change = _edit_a_knob(at, p)
    assert at.session_state["explore.preset"] == label
    assert short_name(label) in figures(at)[0]["layout"]["title"]["text"].replace("<br>", " ")
    want = p.schedule(**change)
    steps = np.round(xs(figures(at)[0]["data"][0]) * (p.steps_per_epoch or 1))  # an epoch axis for epoch recipes
    assert steps[-1] == want.total_steps - 1
    assert np.allclose(decode_y(figures(at)[0]["data"][0]), want(steps), rtol=1e-12, atol=0)


@pytest.mark.parametrize("label", [k for k, p in PRESETS.items() if "total_steps" not in p.knobs])
def test_a_preset_whose_length_is_not_its_own_parameter_goes_custom_when_the_length_changes(label):
    at = run("explore.py")
    at.get_by_key("explore.preset.in").set_value(label)
    at.run()
    p = PRESETS[label]
    n = p.schedule().total_steps * 2
    key = "explore.epochs" if p.steps_per_epoch else "explore.total_steps"
    type_in(at, key, str(n // p.steps_per_epoch if p.steps_per_epoch else n))
    assert at.session_state["explore.preset"] == "custom"
    assert "no longer that library" in texts(at.sidebar.caption)
    title = figures(at)[0]["layout"]["title"]["text"].replace("<br>", " ")
    assert short_name(label) not in title, title
    steps = np.round(xs(figures(at)[0]["data"][0]) * (p.steps_per_epoch or 1))
    assert steps[-1] == n - 1  # the edit took effect, on the user's own schedule


def test_an_epoch_based_preset_shows_its_real_epochs():
    at = run("explore.py")
    at.get_by_key("explore.preset.in").set_value("Goyal et al. 2017: ImageNet in 1 hour (batch 8192)")
    at.run()
    fig = figures(at)[0]
    assert fig["layout"]["xaxis"]["title"]["text"] == "epoch"
    assert xs(fig["data"][0])[-1] == pytest.approx((90 * 156 - 1) / 156)
    assert at.session_state["explore.epochs"] == 90


def test_length_in_epochs_sets_total_steps():
    at = run("explore.py")
    at.get_by_key("explore.length_unit.in").set_value("epochs")
    at.run()
    type_in(at, "explore.epochs", "12")
    type_in(at, "explore.steps_per_epoch", "250")
    assert "= 3,000 steps" in [c.value for c in at.sidebar.caption]
    assert xs(figures(at)[0]["data"][0])[-1] == 2999
    at.get_by_key("explore.view.x_unit.in").set_value("epochs")
    at.run()
    assert xs(figures(at)[0]["data"][0])[-1] == pytest.approx(2999 / 250)  # same steps/epoch


def test_teacher_link_controls_are_listed_by_their_on_screen_labels():
    at = run("explore.py")
    box = at.get_by_key("explore.teacher")
    assert "warmup iterations (W)" in box.options and "peak learning rate" in box.options
    assert "warmup_steps" not in box.options
    assert any("show=warmup_steps%2Cwarmup_factor" in c.value for c in at.code)


def test_explore_decay_parameter_widgets_come_from_the_registry():
    at = run("explore.py")
    at.get_by_key("explore.decay.in").set_value("wsd")
    at.run()
    labels = {w.label for w in at.sidebar.selectbox} | {w.label for w in at.sidebar.text_input}
    assert "shape" in labels and "floor" in labels


def test_bad_value_shows_an_error_next_to_the_control_and_the_page_survives():
    at = run("explore.py")
    at.get_by_key("explore.decay.in").set_value("multistep")
    at.run()
    type_in(at, "explore.d.multistep.milestones", "5000, 100")
    errors = [e.value for e in at.sidebar.error]
    assert any("milestones" in e and "sorted" in e for e in errors), errors
    assert not figures(at)  # no stale curve; the info box says what to fix
    type_in(at, "explore.d.multistep.milestones", "100, 5000")
    assert figures(at) and not at.sidebar.error


def test_non_numeric_list_is_refused_without_eval():
    at = run("explore.py")
    at.get_by_key("explore.decay.in").set_value("multistep")
    at.run()
    type_in(at, "explore.d.multistep.milestones", "__import__('os').system('true')")
    assert "is not a number" in texts(at.sidebar.error)


def test_explore_url_round_trip():
    s = Schedule(0.3, Warmup("cosine", 1234, factor=0.05), Decay("polynomial", power=2.0), "override", 7000)
    link = state.encode({"schedule": s.to_dict(), "view": {"x_unit": "epochs", "steps_per_epoch": 100,
                                                           "log_y": True}})
    at = run("explore.py", {"s": link})
    assert at.session_state["explore.warmup_steps"] == 1234
    assert at.get_by_key("explore.convention.in").value == "override"
    fig = figures(at)[0]
    assert fig["layout"]["yaxis"]["type"] == "log" and fig["layout"]["xaxis"]["title"]["text"] == "epoch"
    again = state.decode(at.query_params["s"][0] if isinstance(at.query_params["s"], list) else at.query_params["s"])
    assert again["schedule"] == s.to_dict()


@pytest.mark.parametrize("bad", ["%%%not-base64", state.encode({"schedule": {"base_lr": -1}}),
                                 state.encode({"schedule": {"decay": {"name": "nope"}}}),
                                 state.encode({"view": {"steps_per_epoch": 0}}), "x" * 20_000])
def test_malformed_link_warns_and_falls_back(bad):
    at = run("explore.py", {"s": bad})
    assert any("could not be used" in w.value for w in at.warning)
    assert figures(at)  # defaults shown
    assert at.get_by_key("explore.warmup_method.in").value == "linear"


def test_teacher_link_hides_the_other_controls():
    s = Schedule(0.1, Warmup("linear", 300), Decay("cosine"), "prepend", 5000)
    at = run("explore.py", {"s": state.encode({"schedule": s.to_dict()}), "show": "warmup_steps,warmup_factor"})
    keys = {w.key for w in at.slider} | {w.key for w in at.selectbox} | {w.key for w in at.text_input}
    assert "explore.warmup_steps.in" in keys and "explore.warmup_factor.drag" in keys
    assert "explore.decay.in" not in keys and "explore.base_lr.in" not in keys
    assert figures(at) and peak_step(at) == 300


def test_library_preset_fills_the_controls():
    at = run("explore.py")
    at.get_by_key("explore.preset.in").set_value("maskrcnn-benchmark: WarmupMultiStepLR")
    at.run()
    assert at.get_by_key("explore.convention.in").value == "multiply"
    assert at.get_by_key("explore.decay.in").value == "multistep"
    assert at.session_state["explore.warmup_factor"] == 1 / 3


def test_code_export_tabs_present():
    at = run("explore.py")
    codes = [c.value for c in at.code]
    assert any("LambdaLR" in c for c in codes) and any("get_scheduler" in c for c in codes)


def test_long_curves_are_reduced_but_keep_their_jumps():
    s = Schedule(0.1, Warmup("constant", 1000, factor=0.1), Decay("multistep", milestones=[3_000_000, 6_000_000]),
                 "prepend", 10_000_000)
    at = run("explore.py", {"s": state.encode({"schedule": s.to_dict()})}, timeout=60)
    trace = figures(at)[0]["data"][0]
    x, y = xs(trace), decode_y(trace)
    assert len(x) <= 5000
    for b in (1000, 3_001_000, 6_001_000):  # each jump drawn exactly: the step before it and the step itself
        i = int(np.searchsorted(x, b))
        assert x[i] == b and x[i - 1] == b - 1
        assert y[i] == pytest.approx(s(b)) and y[i - 1] == pytest.approx(s(b - 1))
    assert x[0] == 0 and x[-1] == 9_999_999


# --- Compare -------------------------------------------------------------------------------------

def names(at):
    return [t["name"] for t in figures(at)[0]["data"]]


def test_compare_renders_three_strategies_and_a_table():
    at = run("compare.py")
    assert names(at) == ["no warmup", "linear warmup", "constant warmup"]
    assert len(at.dataframe) >= 1


def test_compare_says_when_the_selected_strategy_has_no_warmup_to_set():
    at = run("compare.py")  # a first visit: the first strategy, "no warmup", is selected
    main = texts(at.main.caption)
    assert "“no warmup” has no warmup length or factor to set" in main and "Warmup of “no warmup”" not in main
    at.get_by_key("compare.pick").set_value("linear warmup").run()
    at.get_by_key("compare.pick").set_value("no warmup").run()
    main = texts(at.main.caption)
    assert "“no warmup” has no warmup length or factor to set" in main and "Warmup of “no warmup”" not in main
    at.get_by_key("compare.pick").set_value("linear warmup").run()
    assert "Warmup of “linear warmup” (pick another strategy in the sidebar):" in texts(at.main.caption)
    assert "compare.edit.warmup_steps.drag" in {w.key for w in at.main.slider}


def test_compare_edit_duplicate_rename_delete():
    at = run("compare.py")
    at.get_by_key("compare.pick").set_value("linear warmup")
    at.run()
    type_in(at, "compare.edit.warmup_steps", "3000")
    assert peak_step(at, name="linear warmup") == 3000
    at.get_by_key("compare.dup").click()
    at.run()
    assert "linear warmup copy" in names(at)
    at.get_by_key("compare.new_name").set_value("long warmup")
    at.run()
    assert "long warmup" in names(at)
    at.get_by_key("compare.del").click()
    at.run()
    assert "long warmup" not in names(at) and not at.exception


def test_compare_library_strategy_follows_its_parameters_then_goes_custom():
    at = run("compare.py")
    at.get_by_key("compare.add_preset").set_value("HF transformers: cosine with warmup")
    at.run()
    assert names(at)[-1] == "HF transformers" and at.session_state["compare.selected"] == "HF transformers"
    type_in(at, "compare.edit.warmup_steps", "2000")
    item = at.session_state["compare.strategies"][-1]
    assert item.preset and item.schedule.decay_params["steps"] == 8000
    at.get_by_key("compare.edit.decay.in").set_value("linear")
    at.run()
    assert names(at)[-1] == "HF transformers (custom)"
    assert "no longer that library" in texts(at.sidebar.caption)
    table = at.dataframe[0].value
    assert list(table["from"])[-1] == "custom"


def test_compare_views_change_the_figure():
    at = run("compare.py")
    at.get_by_key("compare.mode").set_value("Against a baseline")
    at.run()
    fig = figures(at)[0]
    assert "baseline" in fig["layout"]["title"]["text"] and len(fig["data"]) == 2
    at.get_by_key("compare.mode").set_value("Small multiples")
    at.run()
    assert len(figures(at)[0]["data"]) == 3


def test_compare_url_round_trip_and_bad_link():
    items = [{"name": "a", "schedule": Schedule(0.2, Warmup("linear", 10), Decay("cosine"), "prepend", 500)
              .to_dict()},
             {"name": "b", "schedule": Schedule(0.2, decay=Decay("step", step_size=100), total_steps=500).to_dict()}]
    at = run("compare.py", {"s": state.encode({"strategies": items})})
    assert names(at) == ["a", "b"]
    at = run("compare.py", {"s": state.encode({"strategies": [{"name": "x"}]})})
    assert any("could not be used" in w.value for w in at.warning)
    assert len(figures(at)[0]["data"]) == 3


def test_same_settings_different_libraries_marks_disagreements():
    at = run("compare.py")
    libfig = figures(at)[1]
    names_ = [t["name"] for t in libfig["data"]]
    assert "transformers cosine_with_min_lr" in names_ and "Keras CosineDecay" in names_
    type_in(at, "compare.lib.w", "5000")  # W >= N
    assert "must be smaller than N" in texts(at.error)


def test_compare_teacher_link_shows_only_the_named_controls():
    items = [{"name": "short", "schedule": Schedule(0.1, Warmup("linear", 100), Decay("cosine"), "prepend", 5000)
              .to_dict()},
             {"name": "long", "schedule": Schedule(0.1, Warmup("linear", 1000), Decay("cosine"), "prepend", 5000)
              .to_dict()}]
    at = run("compare.py", {"s": state.encode({"strategies": items}), "show": "warmup_steps"})
    keys = {w.key for w in at.slider} | {w.key for w in at.selectbox} | \
        {w.key for w in at.text_input} | {w.key for w in at.button}
    assert "compare.edit.warmup_steps.in" in keys and "compare.pick" in keys
    assert "compare.dup" not in keys and "compare.edit.decay.in" not in keys and "compare.edit.base_lr.in" not in keys
    type_in(at, "compare.edit.warmup_steps", "2500")
    assert peak_step(at, name="short") == 2500


def test_compare_refuses_a_taken_name_with_a_message():
    at = run("compare.py")
    at.get_by_key("compare.new_name").set_value("linear warmup")  # the selected one is "no warmup"
    at.run()
    assert "already a strategy called" in texts(at.sidebar.error)
    assert names(at) == ["no warmup", "linear warmup", "constant warmup"]


# --- Learn ---------------------------------------------------------------------------------------

def test_learn_renders_and_its_toy_reacts():
    at = run("learn.py")
    n = len(figures(at))
    assert n >= 6
    assert any("diverged" in e.value for e in at.error)  # no warmup at lr 0.7 blows up
    at.get_by_key("learn.lr").set_value(0.2)
    at.run()
    assert not at.error  # both train at a small lr
    assert all(f["layout"]["title"]["text"] for f in figures(at))






# --- §4: lengths from a link are capped, memory stays bounded -------------------------------------

RSS_SCRIPT = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])


def peak_mb():
    # VmHWM: this process's own peak. ru_maxrss is not: Linux carries the parent's high-water mark
    # across fork+exec, so under a large pytest process it reports the parent's size.
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


from streamlit.testing.v1 import AppTest
from ui import state
from warmup_core import Decay, Schedule, Warmup

N = 10 ** 12
decays = [Decay("cosine"), Decay("linear"), Decay("multistep", milestones=[3 * 10 ** 11, 6 * 10 ** 11]),
          Decay("step", step_size=10 ** 9), Decay("wsd"), Decay("cosine_restarts", period=10 ** 10)]
items = [{"name": f"strategy {i}", "schedule": Schedule(0.1, Warmup("linear", 10 ** 6 * (i + 1)), decays[i % 6],
                                                       "prepend", N).to_dict()} for i in range(12)]
at = AppTest.from_file(sys.argv[1] + "/pages/compare.py", default_timeout=600)
at.query_params["s"] = state.encode({"strategies": items})
at.run()
fig = json.loads(at.get("plotly_chart")[0].proto.spec)
print(json.dumps({"exceptions": [e.value for e in at.exception], "traces": [t["name"] for t in fig["data"]],
                  "notes": [i.value for i in at.info],
                  "totals": [s.schedule.total_steps for s in at.session_state["compare.strategies"]],
                  "maxrss_mb": peak_mb()}))
"""


@pytest.mark.slow
def test_a_compare_link_with_12_strategies_at_a_trillion_steps_stays_under_1_gb():
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", RSS_SCRIPT, str(root)], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"peak RSS {result['maxrss_mb']:.0f} MB")
    assert not result["exceptions"]
    assert result["traces"] == [f"strategy {i}" for i in range(12)]  # the curves are shown
    assert result["totals"] == [10_000_000] * 12  # every strategy capped, not only the edited one
    assert sum(n.replace("\\", "").count("capped at 10,000,000") for n in result["notes"]) == 12
    assert result["maxrss_mb"] <= 1024


def test_an_explore_link_beyond_the_limit_is_capped_with_a_note():
    s = Schedule(0.1, Warmup("linear", 5 * 10 ** 11), Decay("cosine"), "prepend", 10 ** 12)
    at = run("explore.py", {"s": state.encode({"schedule": s.to_dict()})}, timeout=60)
    assert at.session_state["explore.total_steps"] == 10_000_000
    assert "1,000,000,000,000 training steps; capped at 10,000,000" in texts(at.info).replace("\\", "")
    assert "500,000,000,000 capped at the maximum 10,000,000" in texts(at.main.caption).replace("\\", "")
    assert figures(at)


HOSTILE_NAME = "[click](http://e.com) <img src=x onerror=alert(1)> **b**"


def test_user_text_from_a_link_is_shown_as_text():
    items = [{"name": HOSTILE_NAME, "schedule": Schedule(0.1, total_steps=100).to_dict()},
             {"name": "<a href='http://example.com'>x</a>", "schedule": Schedule(0.2, total_steps=100).to_dict()}]
    at = run("compare.py", {"s": state.encode({"strategies": items}), "show": "warmup_steps,![i](http://x.png)"})
    trace_names = names(at)
    assert all("<img" not in n and "<a " not in n for n in trace_names)
    assert trace_names[0] == "[click](http://e.com) &lt;img src=x onerror=alert(1)&gt; **b**"
    assert at.get_by_key("compare.pick").options[0] == HOSTILE_NAME  # a selectbox shows plain text
    warning = texts(at.warning)
    assert "\\!\\[i\\]\\(http\\:\\/\\/x\\.png\\)" in warning  # escaped: no image is fetched
    at = run("compare.py", {"s": state.encode({"strategies": items})})
    at.get_by_key("compare.pick").set_value("<a href='http://example.com'>x</a>")
    at.run()
    at.get_by_key("compare.new_name").set_value(HOSTILE_NAME)  # a refusal quotes the name, escaped
    at.run()
    err = texts(at.sidebar.error)
    assert "already a strategy called" in err and "\\[click\\]\\(http" in err and "<img" not in err.replace("\\<", "")


def test_a_state_too_large_for_a_link_is_not_put_in_the_url_and_the_share_box_says_so():
    from ui.compare import Strategy

    rng = np.random.default_rng(0)
    items = tuple(Strategy(f"s{i}", Schedule(0.1, decay=Decay("piecewise", milestones=list(range(1, 301)),
                                                                values=list(rng.random(301))), total_steps=1000))
                  for i in range(12))
    at = AppTest.from_file(str(PAGES / "compare.py"), default_timeout=60)
    at.session_state["compare.strategies"] = items
    at.run()
    assert not at.exception
    assert "s" not in at.query_params
    assert "too large to share as a link" in texts(at.warning)
    assert not any("?s=" in c.value for c in at.code)


def test_a_long_schedule_builds_its_code_export_only_when_asked():
    s = Schedule(0.1, Warmup("linear", 1000), Decay("cosine"), "prepend", 10_000_000)
    at = run("explore.py", {"s": state.encode({"schedule": s.to_dict()})}, timeout=120)
    assert not [c for c in at.code if c.language == "python"] and "switch on to build" in texts(at.caption)
    at.get_by_key("explore.code_export").set_value(True)
    at.run()
    assert not at.exception
    assert any("LambdaLR" in c.value for c in at.code)  # the same snippets, checked, once asked


OVERFLOWS = {"base_lr": 0.0003, "convention": "prepend", "decay": {"gamma": 0.1, "name": "step", "step_size": 100},
             "total_steps": 5000, "warmup": {"factor": 1e-320, "method": "exponential", "steps": 500}}


@pytest.mark.parametrize("page,data", [("explore.py", {"schedule": OVERFLOWS}),
                                       ("compare.py", {"strategies": [{"name": "x", "schedule": OVERFLOWS}]})])
def test_a_link_whose_schedule_overflows_when_drawn_is_a_warning(page, data):
    # valid for from_dict, but its lr overflows float64 when evaluated (found by the link fuzz)
    at = run(page, {"s": state.encode(data)})
    assert "overflows float64" in texts(at.warning)
    assert figures(at)  # the defaults are drawn instead
