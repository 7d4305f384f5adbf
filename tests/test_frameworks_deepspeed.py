"""DeepSpeed parity: golden values recorded from deepspeed/runtime/lr_schedules.py (0.19.8) by
scripts/make_deepspeed_golden.py; DeepSpeed itself cannot be installed beside the pinned torch."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.libraries import deepspeed
from warmup_core.libraries.base import Refusal
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.deepspeed_cases import CASES, N_STEPS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "deepspeed.json").read_text())
IDS = [f"{c['class']}-{i}" for i, c in enumerate(GOLDEN["cases"])]


def build(name, base_lr=None, **kw):
    return deepspeed.FRAMEWORK.build(name, base_lr=base_lr, **kw)


def test_golden_file_matches_the_case_list():
    assert [(c["class"], c["base_lr"], c["kwargs"]) for c in GOLDEN["cases"]] == list(CASES)
    assert GOLDEN["n_steps"] == N_STEPS


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_deepspeed_golden(case):
    got = build(case["class"], case["base_lr"], **case["kwargs"])(np.arange(N_STEPS))
    np.testing.assert_allclose(got, case["lrs"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_round_trip(case):
    s = build(case["class"], case["base_lr"], **case["kwargs"])
    kw = case["kwargs"]
    try:
        params = compat.export_params("deepspeed", s)
    except ValueError:
        # only the log warmup (DeepSpeed's default) is a warmup as the core counts it; a linear one, a
        # WarmupCosineLR that starts above 0 and OneCycle are joins of schedules
        assert kw.get("warmup_type") == "linear" or kw.get("warmup_min_ratio", 0) > 0 or case["class"] == "OneCycle"
        return
    assert params["name"] == case["class"]
    back = compat.build("deepspeed", **params)
    t = np.arange(4 * N_STEPS)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_a_core_warmup_exports_with_the_reason_when_not():
    s = Schedule(0.1, Warmup("log", steps=10), Decay("cosine", steps=90, floor=0.001), "prepend", 100)
    assert compat.export_params("deepspeed", s) == {
        "name": "WarmupCosineLR", "base_lr": 0.1, "total_num_steps": 100, "warmup_min_ratio": 0.0,
        "cos_min_ratio": 0.001, "warmup_num_steps": 10, "warmup_type": "log"}
    s = Schedule(0.1, Warmup("linear", steps=10), Decay("cosine", steps=90), total_steps=100)
    with pytest.raises(Refusal, match="log"):
        compat.export_params("deepspeed", s)


def test_defaults_and_edges():
    s = build("WarmupLR", 0.1)  # warmup_max_lr defaults to the optimizer's lr; log warmup over 1000
    assert s(0) == s(1) == 0.0
    assert s(1000) == pytest.approx(0.1, rel=1e-12)
    assert s(999) < 0.1
    c = build("WarmupCosineLR", 0.5, total_num_steps=100, warmup_num_steps=10)
    assert c(0) == 0.0 and c(1) == 0.0 and c(10_000) == pytest.approx(0.5 * 1e-4)


@pytest.mark.parametrize("name,kw,word", [
    ("WarmupLR", dict(warmup_type="exp"), "warmup_type"),
    ("WarmupLR", dict(warmup_num_steps=0), "warmup_num_steps"),
    ("WarmupLR", dict(warmup_num_steps=2.5), "warmup_num_steps"),
    ("WarmupLR", dict(warmup_min_lr=0.5, warmup_max_lr=0.1), "warmup_min_lr"),
    ("WarmupLR", dict(warmup_max_lr=float("nan")), "warmup_max_lr"),
    ("WarmupLR", dict(last_batch_iteration=5), "last_batch_iteration"),
    ("WarmupDecayLR", dict(total_num_steps=-1), "total_num_steps"),
    ("WarmupDecayLR", dict(total_num_steps=10, warmup_max_lr="x"), "warmup_max_lr"),
    ("WarmupCosineLR", dict(total_num_steps=10, cos_min_ratio=2.0), "cos_min_ratio"),
    ("WarmupCosineLR", dict(total_num_steps=10, warmup_min_ratio=-0.1), "warmup_min_ratio"),
    ("OneCycle", dict(cycle_min_lr=0.1, cycle_max_lr=0.01), "cycle_min_lr"),
    ("OneCycle", dict(cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=0), "cycle_first_step_size"),
    ("OneCycle", dict(cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_second_step_size=-2), "cycle_second_step_size"),
    ("OneCycle", dict(cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_stair_count=3), "stair"),
    ("OneCycle", dict(cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=2.5, cycle_second_step_size=1),
     "whole number"),
    ("OneCycle", dict(cycle_min_lr=0.01, cycle_max_lr=0.1, decay_lr_rate=-1), "decay_lr_rate"),
])
def test_bad_input(name, kw, word):
    with pytest.raises(ValueError, match=word):
        build(name, 0.1, **kw)
