"""NeMo parity: golden values recorded from nemo/core/optim/lr_scheduler.py (nemo_toolkit 3.0.0) by
scripts/make_nemo_golden.py; NeMo cannot be installed beside the pinned torch."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core.libraries import nemo
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.nemo_cases import CASES, N_STEPS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "nemo.json").read_text())
IDS = [f"{c['class']}-{i}" for i, c in enumerate(GOLDEN["cases"])]


def build(name, base_lr=1.0, **kw):
    return nemo.FRAMEWORK.build(name, base_lr=base_lr, **kw)


def test_golden_file_matches_the_case_list():
    assert [(c["class"], c["base_lr"], c["kwargs"]) for c in GOLDEN["cases"]] == list(CASES)
    assert GOLDEN["n_steps"] == N_STEPS


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_nemo_golden(case):
    got = build(case["class"], case["base_lr"], **case["kwargs"])(np.arange(N_STEPS))
    np.testing.assert_allclose(got, case["lrs"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_round_trip_where_expressible(case):
    s = build(case["class"], case["base_lr"], **case["kwargs"])
    try:
        call = nemo._export(s)
    except nemo.Refusal:
        return
    back = build(call.name, call.base_lr, **call.params)
    t = np.arange(3 * N_STEPS)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_round_trips_happen():
    exported = 0
    for c in GOLDEN["cases"]:
        try:
            nemo._export(build(c["class"], c["base_lr"], **c["kwargs"]))
            exported += 1
        except nemo.Refusal:
            pass
    assert exported >= 6  # plain warmup + cosine/linear cases export; Noam and hold policies do not


def test_export_refuses_a_foreign_warmup():
    s = Schedule(1.0, Warmup("linear", steps=10, factor=0.0), Decay("cosine", steps=90), "prepend", 100)
    with pytest.raises(nemo.Refusal, match="warmup_steps \\+ 1"):
        nemo._export(s)


@pytest.mark.parametrize("name,kw,word", [
    ("CosineAnnealing", dict(max_steps=30, warmup_steps=5, warmup_ratio=0.1), "warmup_ratio"),
    ("CosineAnnealing", dict(max_steps=30, min_lr=2.0), "min_lr"),
    ("CosineAnnealing", dict(max_steps=-3), "max_steps"),
    ("CosineAnnealing", dict(max_steps=30, constant_steps=3, min_lr=1.0), "min_lr"),
    ("WarmupAnnealing", dict(max_steps=30, warmup_ratio="x"), "warmup_ratio"),
    ("NoamAnnealing", dict(d_model=0), "d_model"),
    ("NoamAnnealing", dict(d_model=64, warmup_ratio=0.1), "max_steps"),
    ("NoamAnnealing", dict(d_model=64, warmup_steps=4, min_lr=5.0), "min_lr"),
    ("WarmupHoldPolicy", dict(warmup_steps=5), "max_steps"),
    ("WarmupHoldPolicy", dict(max_steps=30, hold_steps=2, hold_ratio=0.1), "hold_ratio"),
])
def test_bad_input(name, kw, word):
    with pytest.raises(ValueError, match=word):
        build(name, 1.0, **kw)
