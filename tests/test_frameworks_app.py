"""The new frameworks where a user meets them: "start from a library" presets, "same settings, different
libraries", code export, compat.available()."""

import numpy as np
import pytest

from warmup_core import Decay, Schedule, Warmup, compat
from ui.presets import PRESETS
from warmup_core.libraries import _same_settings

NEW = ("deepspeed", "detectron2", "megatron", "nemo", "mmengine", "ultralytics", "composer", "fastai")


def test_every_new_framework_is_available():
    libs = {e["library"] for e in compat.available()}
    assert set(NEW) <= libs
    names = {(e["library"], e["name"]) for e in compat.available()}
    assert {("torch", "CyclicLR"), ("torch", "SWALR"), ("optax", "piecewise_interpolate_schedule"),
            ("optax", "join_schedules")} <= names


@pytest.mark.parametrize("label", [k for k in PRESETS if k.split(":")[0].split()[0] in
                                   ("DeepSpeed", "Megatron-core", "NeMo", "Ultralytics", "Composer", "fastai", "PyTorch")])
def test_presets_are_plain_schedules_with_a_length(label):
    s = PRESETS[label].schedule()
    assert isinstance(s, Schedule) and s.total_steps and s.summary()["peak_lr"] > 0


def test_same_settings_reads_the_words_per_framework():
    v = _same_settings.versions(1e-3, 100, 1000, 1e-5)
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
    v = _same_settings.versions(1e-3, 1000, 1000, 0.0)  # warmup = total: Megatron asserts W < N
    assert "Megatron OptimizerParamScheduler" not in v and v


def test_code_export_shows_a_new_framework_where_it_is_exact():
    from ui import codegen

    s = Schedule(0.1, Warmup("log", 500), Decay("cosine", floor=0.01), "prepend", 10_000)
    snippets = codegen.snippets(s)
    assert '"type": "WarmupCosineLR"' in snippets["DeepSpeed"][0]
    assert "Ultralytics" not in snippets  # it cannot express this schedule: no tab
