"""fastai parity: golden values recorded by scripts/make_fastai_golden.py from fastai 2.8.12's
callback/schedule.py (fastai is not a test dependency). fastai computes positions inside a phase in float32:
the comparison allows 1e-6 relative and 2e-7 of the peak (see warmup_core/libraries/fastai.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.fastai_cases import CASES

GOLDEN = json.loads((Path(__file__).parent / "golden" / "fastai.json").read_text())
IDS = [f"{c['function']}-{i}" for i, c in enumerate(GOLDEN["cases"])]


def build(case):
    return compat.build("fastai", case["function"], case["lr"], **case["kwargs"])


def test_golden_file_matches_the_case_list():
    assert [(c["function"], c["lr"], c["kwargs"]) for c in GOLDEN["cases"]] == \
        [(f, lr, json.loads(json.dumps(kw))) for f, lr, kw in CASES]


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_fastai_golden(case):
    got = build(case)(np.arange(len(case["lrs"])))
    # fastai's float32 position inside a phase moves a value by up to ~1e-7 of the schedule's range
    np.testing.assert_allclose(got, case["lrs"], rtol=1e-6, atol=2e-7 * max(case["lrs"]))


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_round_trip(case):
    s = build(case)
    back = compat.build("fastai", **compat.export_params("fastai", s))
    t = np.arange(2 * len(case["lrs"]))
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_one_cycle_edges():
    s = compat.build("fastai", "fit_one_cycle", 1e-3, n_epoch=1, n_iter=100)
    assert s(0) == pytest.approx(1e-3 / 25, rel=1e-12)       # lr_max / div at the first batch
    assert s(25) == pytest.approx(1e-3, rel=1e-12)           # the peak at pct_start
    assert s(99) > 1e-3 / 1e5                                # never quite reaches lr_max / div_final


def test_warmup_decay_is_refused():
    with pytest.raises(ValueError, match="phases"):
        compat.export_params("fastai", Schedule(0.1, Warmup("linear", steps=10), Decay("cosine", steps=90),
                                                "prepend", 100))


@pytest.mark.parametrize("name,kw,word", [
    ("fit_one_cycle", dict(n_epoch=2), "n_iter"),
    ("fit_one_cycle", dict(n_epoch=0, n_iter=5), "n_epoch"),
    ("fit_one_cycle", dict(n_epoch=2, n_iter=5, pct_start=1.5), "pct_start"),
    ("fit_one_cycle", dict(n_epoch=2, n_iter=5, div=0), "div"),
    ("fit_flat_cos", dict(n_epoch=2, n_iter=5, lr=-1), "lr"),
    ("combine_scheds", dict(n_epoch=2, n_iter=5, pcts=[0.5, 0.6], scheds=[("SchedLin", dict(start=0, end=1))] * 2),
     "sum to 1"),
    ("combine_scheds", dict(n_epoch=2, n_iter=5, pcts=[0.5, 0.5],
                            scheds=[("SchedLin", dict(start=0, end=1)), ("SchedLin", dict(start=0.5, end=0))]),
     "jump"),
    ("combine_scheds", dict(n_epoch=2, n_iter=5, pcts=[0.5, 0.5],
                            scheds=[("SchedLin", dict(start=0, end=1)), ("SchedCos", dict(start=1, end=0))]),
     "mixed"),
    ("combine_scheds", dict(n_epoch=2, n_iter=5, pcts=[1.0], scheds=[("SchedExp", dict(start=1, end=0.1))]),
     "SchedExp"),
    ("combine_scheds", dict(n_epoch=2, n_iter=5, pcts=[1.0], scheds=[("SchedLin", dict(begin=1, end=0.1))]),
     "start"),
])
def test_bad_input(name, kw, word):
    with pytest.raises(ValueError, match=word):
        compat.build("fastai", name, 1e-3, **kw)
