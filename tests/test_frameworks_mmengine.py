"""mmengine parity: golden values recorded from mmengine 0.10.7 by scripts/make_mmengine_golden.py (mmengine
pulls opencv and matplotlib, so it is not a test dependency; the live check runs where it is installed)."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.mmengine_cases import CASES, N_STEPS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "mmengine.json").read_text())


def build(base_lr, epoch_length, schedulers):
    return compat.build("mmengine", "param_scheduler", base_lr, schedulers=schedulers, epoch_length=epoch_length)


def test_golden_file_matches_the_case_list():
    assert [(c["base_lr"], c["epoch_length"], c["param_scheduler"]) for c in GOLDEN["cases"]] == \
        [(b, L, list(map(dict, s))) for b, L, s in CASES]


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[str(i) for i in range(len(GOLDEN["cases"]))])
def test_mmengine_golden(case):
    got = build(case["base_lr"], case["epoch_length"], case["param_scheduler"])(np.arange(N_STEPS))
    np.testing.assert_allclose(got, case["lrs"], rtol=1e-12, atol=1e-15)


def test_mmengine_live():
    pytest.importorskip("mmengine", reason="mmengine is not a test dependency (it pulls opencv); golden values "
                                           "above cover it")
    import sys
    sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
    from make_mmengine_golden import mmengine_lrs

    for base, L, cfgs in CASES:
        got = build(base, L, cfgs)(np.arange(N_STEPS))
        np.testing.assert_allclose(got, mmengine_lrs(base, L, cfgs, N_STEPS), rtol=1e-12, atol=1e-15)


def test_single_scheduler_entries():
    a = compat.build("mmengine", "LinearLR", 0.1, start_factor=0.1, by_epoch=False, end=5)
    b = build(0.1, None, [dict(type="LinearLR", start_factor=0.1, by_epoch=False, end=5)])
    assert a == b
    np.testing.assert_allclose(a(np.arange(6)), [0.01, 0.0325, 0.055, 0.0775, 0.1, 0.1])


@pytest.mark.parametrize("s", [
    Schedule(0.1, Warmup("linear", steps=10, factor=0.01), Decay("cosine", steps=90, floor=0.01), "prepend", 100),
    Schedule(0.1, Warmup("linear", steps=10, factor=0.1), Decay("multistep", milestones=[30, 60]), "multiply"),
    Schedule(0.1, Warmup("constant", steps=5, factor=0.1), Decay("step", step_size=20, gamma=0.5), "prepend"),
    Schedule(0.1, decay=Decay("exponential", gamma=0.99)),
])
def test_round_trip(s):
    kw = compat.export_params("mmengine", s)
    back = compat.build("mmengine", **kw)
    t = np.arange(300)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_export_refuses_override():
    s = Schedule(0.1, Warmup("linear", steps=10), Decay("cosine", steps=100), "override")
    with pytest.raises(ValueError, match="begin"):
        compat.export_params("mmengine", s)


@pytest.mark.parametrize("schedulers,L,word", [
    ([dict(type="OneCycleLR", eta_max=0.1)], 1, "OneCycleLR"),
    ([dict(type="LinearLR", start_factor=0.0, by_epoch=False, end=5)], 1, "start_factor"),
    ([dict(type="LinearLR", start_factor=0.5, by_epoch=False, begin=5, end=5)], 1, "end should be larger"),
    ([dict(type="LinearLR", start_factor=0.5, end=5)], None, "epoch_length"),
    ([dict(type="LinearLR", start_factor=0.5, foo=1, by_epoch=False)], None, "foo"),
    ([dict(type="CosineAnnealingLR", eta_min=0.01, by_epoch=False, end=10),
      dict(type="ExponentialLR", gamma=0.9, by_epoch=False)], None, "overlaps"),
    ([dict(type="CosineAnnealingLR", T_max=5, by_epoch=False, end=20)], None, "T_max"),
    ([dict(type="CosineAnnealingLR", eta_min=0.01, eta_min_ratio=0.1, by_epoch=False, end=5)], None, "eta_min"),
    ([dict(type="CosineAnnealingLR", by_epoch=True)], 5, "finite 'end'"),
    ([dict(type="PolyLR", by_epoch=False)], None, "end"),
    ("LinearLR", None, "schedulers"),
    ([["LinearLR"]], None, "dict"),
])
def test_bad_input(schedulers, L, word):
    with pytest.raises(ValueError, match=word):
        build(0.1, L, schedulers)
