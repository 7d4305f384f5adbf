"""The new frameworks where a user meets them: "start from a library" presets, "same settings, different
libraries", code export, compat.available()."""

import numpy as np
import pytest

from ui.presets import PRESETS
from warmup_core import Decay, Schedule, Warmup, compat
from warmup_core.libraries import same_settings

NEW = ("deepspeed", "detectron2", "megatron", "nemo", "mmengine", "ultralytics", "composer", "fastai")


def test_every_new_framework_is_available():
    libs = {e["library"] for e in compat.available()}
    assert set(NEW) <= libs
    names = {(e["library"], e["name"]) for e in compat.available()}
    assert {("torch", "CyclicLR"), ("torch", "SWALR"), ("optax", "piecewise_interpolate_schedule"),
            ("optax", "join_schedules")} <= names


NEW_PRESETS = ("DeepSpeed", "Megatron-core", "NeMo", "Ultralytics", "Composer", "fastai", "PyTorch", "detectron2",
               "mmengine")


@pytest.mark.parametrize("label", [k for k in PRESETS if k.split(":")[0].split()[0] in NEW_PRESETS])
def test_presets_are_plain_schedules_with_a_length(label):
    s = PRESETS[label].schedule()
    assert isinstance(s, Schedule) and s.total_steps and s.summary()["peak_lr"] > 0


def test_same_settings_reads_the_words_per_framework():
    v = same_settings.versions(1e-3, 100, 1000, 1e-5)
    assert len(v) == 6
    at0 = {label: float(s(0)) for label, (s, _) in v.items()}
    # the same words, different step-0 values: DeepSpeed/Megatron/Composer start at 0, NeMo at lr/(W+1),
    # mmengine at lr·start_factor, detectron2 at lr·WARMUP_FACTOR·(the cosine's value)
    assert at0["Megatron OptimizerParamScheduler"] == 0.0
    assert at0["NeMo CosineAnnealing"] == pytest.approx(1e-3 / 101)
    assert at0["detectron2 WarmupCosineLR"] == pytest.approx(1e-6)
    for s, call in v.values():
        assert call and np.all(np.isfinite(s(np.arange(1200))))


def test_same_settings_skips_what_a_framework_refuses():
    v = same_settings.versions(1e-3, 1000, 1000, 0.0)  # warmup = total: Megatron asserts W < N
    assert "Megatron OptimizerParamScheduler" not in v and v


def test_code_export_shows_a_new_framework_where_it_is_exact():
    from ui import codegen

    s = Schedule(0.1, Warmup("log", 500), Decay("cosine", floor=0.01), "prepend", 10_000)
    snippets = codegen.snippets(s)
    assert '"type": "WarmupCosineLR"' in snippets["DeepSpeed"][0]
    assert not [k for k in snippets if k.startswith("Ultralytics")]  # it cannot express this schedule: no tab


@pytest.mark.parametrize("key", NEW)
def test_each_new_framework_has_a_code_export_tab_for_its_own_schedule(key):
    """A schedule the framework itself built (one of its registered examples) gets that framework's tab in the
    app's code export, and the code names the framework's own call."""
    from ui import codegen
    from warmup_core.libraries import FRAMEWORKS

    fw = FRAMEWORKS[key]  # the tab's label: the framework's title (or this branch's short label)
    labels = {fw.title} | {k for k, v in getattr(codegen, "WHERE_EXPRESSIBLE", {}).items() if v == key}
    shown = 0
    for name, b in fw.schedules.items():
        for ex in b.examples:
            s = fw.build(name, **ex)
            if not isinstance(s, Schedule):
                continue  # joins / products: no framework exports them
            try:
                call = compat.export_params(key, s)
            except ValueError:
                continue
            snips = codegen.snippets(s)
            (code, note), = [snips[k] for k in labels if k in snips]
            assert code and not note and call["name"] in code, (name, ex)
            shown += 1
    assert shown, f"no registered {key} example reaches the code export"


# "start from a library" presets of the new frameworks -> the framework whose words they use
PRESET_FRAMEWORK = {"DeepSpeed": "deepspeed", "Megatron-core": "megatron", "NeMo": "nemo",
                    "Ultralytics YOLO": "ultralytics", "Composer": "composer", "fastai": "fastai",
                    "detectron2": "detectron2", "mmengine": "mmengine"}
FRAMEWORK_PRESETS = [label for label in PRESETS if label.split(":")[0] in PRESET_FRAMEWORK]


def test_every_new_framework_with_a_plain_schedule_has_a_preset():
    have = {PRESET_FRAMEWORK[label.split(":")[0]] for label in FRAMEWORK_PRESETS}
    assert set(NEW) <= have  # detectron2 and mmengine in warmup + decay form, checked by the test below


@pytest.mark.parametrize("label", FRAMEWORK_PRESETS)
def test_preset_is_exactly_what_its_framework_runs_at_edited_knobs(label):
    """The preset at its recipe's values and with every knob doubled: the framework's exporter writes it as the
    framework's own call, and building that call gives the same values (so the picker shows what the framework
    would run, not an approximation)."""
    p, key = PRESETS[label], PRESET_FRAMEWORK[label.split(":")[0]]
    for changes in ({}, {k: v * 2 for k, v in p.knobs.items() if k != "warmup_factor"}):
        s = p.schedule(**changes)
        back = compat.build(key, **compat.export_params(key, s))
        t = np.arange(s.total_steps + 100)
        np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=0)


def test_compare_page_draws_the_new_frameworks_in_same_settings(tmp_path, monkeypatch):
    """The Compare page's "same settings, different libraries" figure has a curve per new framework whose words
    apply (fastai and Ultralytics are left out: their schedules have no "linear warmup of W, cosine over N")."""
    import json
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    at = AppTest.from_file(str(Path(__file__).parent.parent / "pages" / "compare.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    names = {t["name"] for fig in at.get("plotly_chart") for t in json.loads(fig.proto.spec)["data"]}
    assert {"DeepSpeed WarmupCosineLR", "Megatron OptimizerParamScheduler", "NeMo CosineAnnealing",
            "mmengine LinearLR + CosineAnnealingLR", "detectron2 WarmupCosineLR",
            "Composer CosineAnnealingWithWarmupScheduler"} <= names
