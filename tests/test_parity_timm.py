"""Parity with timm's schedulers (stepped with ``step_update``, as timm/train.py does).

timm cannot be installed in CI (it pulls torchvision and a newer torch), so the values in
tests/golden/timm.json were recorded from the released timm by scripts/make_timm_golden.py.
Where timm is importable the same cases are also run live.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat

from .golden.timm_cases import CASES, N_STEPS

GOLDEN = json.loads((Path(__file__).parent / "golden" / "timm.json").read_text())


def test_golden_file_matches_the_case_list():
    assert [(c["class"], c["base_lr"], c["kwargs"]) for c in GOLDEN["cases"]] == list(CASES)
    assert GOLDEN["n_steps"] == N_STEPS


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[f"{c['class']}-{i}" for i, c in enumerate(GOLDEN["cases"])])
def test_timm_golden(case):
    got = compat.build("timm", case["class"], base_lr=case["base_lr"], **case["kwargs"])(np.arange(N_STEPS))
    np.testing.assert_allclose(got, case["lrs"], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("cls,base,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_timm_live(cls, base, kwargs):
    sched = pytest.importorskip("timm.scheduler")
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    s = getattr(sched, cls)(opt, t_in_epochs=False, **kwargs)
    ref = []
    for t in range(N_STEPS):
        s.step_update(t)
        ref.append(opt.param_groups[0]["lr"])
    got = compat.build("timm", cls, base_lr=base, **kwargs)(np.arange(N_STEPS))
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)


def test_timm_noise_is_refused():
    with pytest.raises(ValueError, match="noise"):
        compat.build("timm", "CosineLRScheduler", base_lr=1.0, t_initial=10, noise_range_t=5)
