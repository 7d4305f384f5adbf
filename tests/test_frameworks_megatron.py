"""Megatron-core parity: golden values recorded from megatron/core/optimizer_param_scheduler.py (0.16.1) by
scripts/make_megatron_golden.py; megatron-core cannot be installed beside the pinned torch."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core.libraries import megatron
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.megatron_cases import CASES, N_STEPS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "megatron.json").read_text())
IDS = [f"{c['kwargs']['lr_decay_style']}-{i}" for i, c in enumerate(GOLDEN["cases"])]


def build(**kw):
    return megatron.FRAMEWORK.build("OptimizerParamScheduler", **kw)


def test_golden_file_matches_the_case_list():
    assert [c["kwargs"] for c in GOLDEN["cases"]] == list(CASES)
    assert GOLDEN["n_steps"] == N_STEPS


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_megatron_golden(case):
    got = build(**case["kwargs"])(np.arange(N_STEPS))
    np.testing.assert_allclose(got, case["lrs"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_round_trip_where_expressible(case):
    s = build(**case["kwargs"])
    try:
        call = megatron._export(s)
    except megatron.Refusal:
        assert case["kwargs"]["lr_decay_style"] in ("inverse-square-root", "WSD")
        return
    back = megatron.FRAMEWORK.build(call.name, **call.params)
    t = np.arange(3 * N_STEPS)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_export_of_a_core_schedule():
    s = Schedule(0.5, Warmup("linear", steps=10, factor=0.02), Decay("cosine", steps=90, floor=0.1), "prepend", 100)
    call = megatron._export(s)
    assert call.params == {"init_lr": 0.01, "max_lr": 0.5, "min_lr": 0.05, "lr_warmup_steps": 10,
                           "lr_decay_steps": 100, "lr_decay_style": "cosine"}
    with pytest.raises(megatron.Refusal, match="exp"):
        megatron._export(Schedule(0.5, decay=Decay("exponential", gamma=0.9)))


@pytest.mark.parametrize("kw,word", [
    (dict(lr_decay_style="poly"), "lr_decay_style"),
    (dict(lr_warmup_steps=30), "lr_warmup_steps"),
    (dict(min_lr=2.0), "min_lr"),
    (dict(init_lr=-1.0), "init_lr"),
    (dict(max_lr=0.0), "max_lr"),
    (dict(lr_decay_steps=0), "lr_decay_steps"),
    (dict(lr_decay_style="WSD"), "wsd_decay_steps"),
    (dict(lr_decay_style="WSD", wsd_decay_steps=5, lr_wsd_decay_style="step"), "lr_wsd_decay_style"),
    (dict(lr_decay_style="WSD", wsd_decay_steps=50, lr_wsd_decay_style="linear"), "wsd_decay_steps"),
])
def test_bad_input(kw, word):
    base = dict(init_lr=0.0, max_lr=1.0, min_lr=0.0, lr_warmup_steps=5, lr_decay_steps=30, lr_decay_style="cosine")
    with pytest.raises(ValueError, match=word):
        build(**(base | kw))
