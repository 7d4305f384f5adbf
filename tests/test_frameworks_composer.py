"""Composer parity: golden factors recorded by scripts/make_composer_golden.py from composer/optim/scheduler.py and
composer/core/time.py of mosaicml 0.32.1 (Composer is not a test dependency)."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.composer_cases import CASES, N_STEPS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "composer.json").read_text())
IDS = [f"{c['class']}-{i}" for i, c in enumerate(GOLDEN["cases"])]


def build(case, base_lr=0.5):
    return compat.build("composer", case["class"], base_lr, max_duration=case["max_duration"],
                        dataloader_len=case["dataloader_len"], **case["kwargs"])


def test_golden_file_matches_the_case_list():
    assert [(c["class"], c["kwargs"], c["max_duration"], c["dataloader_len"]) for c in GOLDEN["cases"]] == list(CASES)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_composer_golden(case):
    got = build(case)(np.arange(N_STEPS))
    np.testing.assert_allclose(got, 0.5 * np.array(case["factors"]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_round_trip(case):
    s = build(case)
    try:
        kw = compat.export_params("composer", s)
    except ValueError:
        # a peak below the optimizer's lr, or no decay at all, has no exact Composer call here
        assert case["kwargs"].get("alpha_i", 1.0) != 1.0 or case["kwargs"].get("t_max") == case["kwargs"]["t_warmup"]
        return
    back = compat.build("composer", **kw)
    t = np.arange(3 * N_STEPS)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_export_of_a_core_schedule():
    s = Schedule(0.1, Warmup("linear", steps=10), Decay("cosine", steps=90, floor=0.1), "prepend", 100)
    kw = compat.export_params("composer", s)
    assert kw == {"name": "CosineAnnealingWithWarmupScheduler", "base_lr": 0.1, "t_warmup": "10ba",
                  "t_max": "100ba", "max_duration": "100ba", "alpha_f": 0.1}


@pytest.mark.parametrize("kw,word", [
    (dict(t_warmup="10", max_duration="100ba"), "t_warmup"),
    (dict(t_warmup="10sp", max_duration="100ba"), "t_warmup"),
    (dict(t_warmup="1.5ba", max_duration="100ba"), "t_warmup"),
    (dict(t_warmup="1ep", max_duration="100ba"), "dataloader_len"),
    (dict(t_warmup="10ba", max_duration="100ba", t_max="50ba"), "t_max"),
    (dict(t_warmup="10ba", max_duration="0.5dur"), "max_duration"),
    (dict(t_warmup="10ba", max_duration="100ba", alpha_f=2.0), "alpha_f"),
    (dict(t_warmup=10, max_duration="100ba"), "t_warmup"),
    (dict(t_warmup="xba", max_duration="100ba"), "t_warmup"),
])
def test_bad_input(kw, word):
    with pytest.raises(ValueError, match=word):
        compat.build("composer", "LinearWithWarmupScheduler", 0.1, **kw)
