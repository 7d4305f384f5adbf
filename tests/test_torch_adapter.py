"""The torch adapter drives a real optimizer with the exact curve."""

import numpy as np
import pytest

from warmup_core import Decay, Join, Schedule, Warmup, compat

torch = pytest.importorskip("torch")
from warmup_core.torch_adapter import attach  # noqa: E402

CURVES = [
    Schedule(0.1, Warmup("linear", 50, factor=0.01), Decay("cosine", floor=0.05), "prepend", 1000),
    Schedule(3e-4, Warmup("untuned_exponential", beta2=0.99), Decay("multistep", milestones=[400, 700]), "multiply"),
    Schedule(0.5, Warmup("constant", 100, factor=0.1), Decay("step", step_size=250, gamma=0.5), "override"),
    compat.build("transformers", "cosine_warmup_with_min_lr", base_lr=0.02, num_warmup_steps=30,
                 num_training_steps=900, min_lr_rate=0.1),
    Join([Schedule(0.1, decay=Decay("linear", steps=500)), Schedule(0.05, decay=Decay("constant"))], [500]),
]


@pytest.mark.parametrize("curve", CURVES, ids=lambda c: type(c).__name__)
def test_applied_lr_equals_the_schedule_at_every_step(curve):
    n = 5000  # crosses the adapter's 4096-step block
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(3))], lr=curve.base_lr)
    sched = attach(opt, curve)
    applied = []
    for _ in range(n):
        applied.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_array_equal(applied, curve(np.arange(n)))


def test_per_group_base_lrs_keep_their_ratio():
    curve = Schedule(0.1, Warmup("linear", 10), Decay("cosine"), "prepend", 100)
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in (0.1, 0.01)]
    opt = torch.optim.AdamW(groups, lr=0.1)
    sched = attach(opt, curve)
    seen = []
    for _ in range(100):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    seen = np.array(seen)
    np.testing.assert_array_equal(seen[:, 0], curve(np.arange(100)))
    np.testing.assert_allclose(seen[:, 1], curve(np.arange(100)) / 10, rtol=1e-15)
