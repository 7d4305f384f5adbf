"""PyTorch CyclicLR, SWALR and a ChainedScheduler inside SequentialLR, live against torch (pinned 2.13.0).

Each case builds the real scheduler on a fresh SGD optimizer, records ``optimizer.param_groups[0]["lr"]``
before each ``scheduler.step()`` (the lr of update t), and compares with warmup_core's schedule.
"""

import warnings

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.libraries import torch as torch_lib

torch = pytest.importorskip("torch")
L = torch.optim.lr_scheduler
N = 40


def torch_lrs(make, n=N, lr=1.0):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = make(opt)
        out = []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            s.step()
    return np.array(out)


def build(name, base_lr, **kw):
    return torch_lib.FRAMEWORK.build(name, base_lr=base_lr, **kw)


CYCLIC = [
    dict(base_lr=0.1, max_lr=1.0, step_size_up=3),
    dict(base_lr=0.1, max_lr=1.0, step_size_up=3, step_size_down=2),
    dict(base_lr=0.01, max_lr=0.5, step_size_up=4, step_size_down=1, mode="triangular2"),
    dict(base_lr=0.01, max_lr=0.5, step_size_up=2.5, step_size_down=3.5, mode="exp_range", gamma=0.9),
    dict(base_lr=0.2, max_lr=0.7, step_size_up=1, step_size_down=0),
    dict(base_lr=0.2, max_lr=0.7, step_size_up=1),
    dict(base_lr=0.3, max_lr=0.3, step_size_up=5, mode="triangular2"),
    dict(base_lr=0.1, max_lr=1.0, step_size_up=7, mode="exp_range", gamma=1.0, cycle_momentum=False),
]


@pytest.mark.parametrize("kw", CYCLIC, ids=[str(i) for i in range(len(CYCLIC))])
def test_cyclic_lr_live(kw):
    ref = torch_lrs(lambda o: L.CyclicLR(o, **kw))
    got = build("CyclicLR", **kw)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_cyclic_lr_far_past_many_cycles():
    kw = dict(base_lr=0.05, max_lr=0.4, step_size_up=3, step_size_down=5, mode="triangular2")
    ref = torch_lrs(lambda o: L.CyclicLR(o, **kw), n=400)
    np.testing.assert_allclose(build("CyclicLR", **kw)(np.arange(400)), ref, rtol=1e-12, atol=1e-15)


SWA = [
    dict(swa_lr=0.05),
    dict(swa_lr=0.05, anneal_epochs=4, anneal_strategy="linear"),
    dict(swa_lr=0.05, anneal_epochs=0),
    dict(swa_lr=0.05, anneal_epochs=1),
    dict(swa_lr=2.0, anneal_epochs=5),
    dict(swa_lr=2.0, anneal_epochs=5, anneal_strategy="linear"),
    dict(swa_lr=0.0, anneal_epochs=3),
    dict(swa_lr=0.5, anneal_epochs=3),
]


@pytest.mark.parametrize("kw", SWA, ids=[str(i) for i in range(len(SWA))])
def test_swalr_live(kw):
    ref = torch_lrs(lambda o: torch.optim.swa_utils.SWALR(o, **kw), lr=0.5)
    got = build("SWALR", 0.5, **kw)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def _torch_sched(o, name, params):
    if name == "ChainedScheduler":
        return L.ChainedScheduler([_torch_sched(o, *p) for p in params["schedulers"]])
    return getattr(L, name)(o, **params)


SEQUENTIAL = [
    ([("ChainedScheduler", {"schedulers": [("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
                                            ("ExponentialLR", {"gamma": 0.9})]}),
      ("CosineAnnealingLR", {"T_max": 8})], [4]),
    ([("ChainedScheduler", {"schedulers": [("ConstantLR", {"factor": 0.5, "total_iters": 3}),
                                            ("PolynomialLR", {"total_iters": 6, "power": 2.0})]}),
      ("StepLR", {"step_size": 3, "gamma": 0.5})], [8]),
    ([("ChainedScheduler", {"schedulers": [("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                                            ("CosineAnnealingLR", {"T_max": 6})]}),
      ("ExponentialLR", {"gamma": 0.95}), ("MultiStepLR", {"milestones": [3, 5], "gamma": 0.5})], [5, 12]),
    ([("ChainedScheduler", {"schedulers": [("MultiStepLR", {"milestones": [1, 2], "gamma": 0.5}),
                                            ("StepLR", {"step_size": 2, "gamma": 0.9}),
                                            ("ExponentialLR", {"gamma": 0.8})]}),
      ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 10})], [6]),
    ([("ChainedScheduler", {"schedulers": [("LinearLR", {"start_factor": 0.5, "total_iters": 2})]}),
      ("ConstantLR", {"factor": 0.5, "total_iters": 2})], [1]),
]


@pytest.mark.parametrize("schedulers,milestones", SEQUENTIAL, ids=[str(i) for i in range(len(SEQUENTIAL))])
def test_chained_inside_sequential_live(schedulers, milestones):
    ref = torch_lrs(lambda o: L.SequentialLR(o, [_torch_sched(o, *s) for s in schedulers], milestones))
    got = compat.build("torch", "SequentialLR", 1.0, schedulers=schedulers, milestones=milestones)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_chained_after_the_first_position_is_refused_as_torch_fails():
    schedulers = [("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
                  ("ChainedScheduler", {"schedulers": [("ExponentialLR", {"gamma": 0.9})]})]
    with pytest.raises(NotImplementedError):
        torch_lrs(lambda o: L.SequentialLR(o, [_torch_sched(o, *s) for s in schedulers], [4]))
    with pytest.raises(ValueError, match="NotImplementedError"):
        compat.build("torch", "SequentialLR", 1.0, schedulers=schedulers, milestones=[4])


def test_cosine_in_first_chain_must_hand_over_in_time():
    schedulers = [("ChainedScheduler", {"schedulers": [("CosineAnnealingLR", {"T_max": 4})]}),
                  ("ConstantLR", {"factor": 1.0, "total_iters": 1})]
    with pytest.raises(ValueError, match="T_max"):
        compat.build("torch", "SequentialLR", 1.0, schedulers=schedulers, milestones=[9])


@pytest.mark.parametrize("kw,word", [
    (dict(base_lr=0.1, max_lr=1.0, mode="cubic"), "mode"),
    (dict(base_lr=0.1, max_lr=1.0, step_size_up=0), "step_size_up"),
    (dict(base_lr=0.1, max_lr=1.0, step_size_down=-1), "step_size_down"),
    (dict(base_lr=2.0, max_lr=1.0), "base_lr"),
    (dict(base_lr=0.1, max_lr=float("nan")), "max_lr"),
    (dict(base_lr=0.1, max_lr=1.0, mode="exp_range", gamma=1.5), "gamma"),
    (dict(base_lr=0.1, max_lr=1.0, scale_fn=lambda x: 1.0), "scale_fn"),
    (dict(base_lr=0.1, max_lr="1"), "max_lr"),
])
def test_cyclic_bad_input(kw, word):
    base = kw.pop("base_lr")
    with pytest.raises(ValueError, match=word):
        build("CyclicLR", base, **kw)


@pytest.mark.parametrize("kw,word", [
    (dict(swa_lr=-1.0), "swa_lr"),
    (dict(swa_lr=0.1, anneal_epochs=2.5), "anneal_epochs"),
    (dict(swa_lr=0.1, anneal_epochs=-1), "anneal_epochs"),
    (dict(swa_lr=0.1, anneal_strategy="exp"), "anneal_strategy"),
    (dict(swa_lr=None), "swa_lr"),
])
def test_swalr_bad_input(kw, word):
    with pytest.raises(ValueError, match=word):
        build("SWALR", 0.5, **kw)


def test_cyclic_values_at_the_edges():
    s = build("CyclicLR", 0.1, max_lr=1.0, step_size_up=4, step_size_down=2)
    # step 0 is base_lr, the peak is at step_size_up, the floor again at step_size_up + step_size_down
    assert s(0) == pytest.approx(0.1, rel=1e-15)
    assert s(4) == pytest.approx(1.0, rel=1e-15)
    assert s(6) == pytest.approx(0.1, rel=1e-15)


# --- export: CyclicLR and SWALR written natively, round trip and the exported code run in torch ----------------

NATIVE = [
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.1, step_size_up=20)),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.1, step_size_up=10, step_size_down=5, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.1, step_size_up=10, mode="exp_range", gamma=0.99)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2.5, step_size_down=3.5)),
    ("SWALR", dict(base_lr=0.1, swa_lr=0.01, anneal_epochs=10)),
    ("SWALR", dict(base_lr=0.1, swa_lr=0.01, anneal_epochs=10, anneal_strategy="linear")),
    ("SWALR", dict(base_lr=0.1, swa_lr=0.0, anneal_epochs=7)),
    ("SWALR", dict(base_lr=0.01, swa_lr=0.05, anneal_epochs=5)),  # up to swa_lr: a cosine ramp
]
NATIVE_IDS = [f"{n}-{i}" for i, (n, _) in enumerate(NATIVE)]


@pytest.mark.parametrize("name,kw", NATIVE, ids=NATIVE_IDS)
def test_cyclic_and_swalr_round_trip_natively(name, kw):
    s = compat.build("torch", name, **kw)
    exported = compat.export_params("torch", s)
    assert exported["name"] == name
    t = np.arange(300)
    np.testing.assert_allclose(compat.build("torch", **exported)(t), s(t), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name,kw", NATIVE, ids=NATIVE_IDS)
def test_exported_cyclic_and_swalr_code_runs_in_torch(name, kw):
    from tests import reference as R
    from tests.test_codegen import run_snippet

    s = compat.build("torch", name, **kw)
    code, note = compat.export("torch", s)
    assert note == "" and f"{name}(optimizer, " in code
    ns = run_snippet(code)
    n = 120
    np.testing.assert_allclose(R.step_torch(ns["scheduler"], ns["optimizer"], n), s(np.arange(n)),
                               rtol=1e-12, atol=1e-15)


def test_core_cyclic_and_anneal_shapes_export_as_torchs_own():
    from warmup_core import Decay, Warmup, WarmupDecay

    cyclic = WarmupDecay(0.2, decay=Decay("cyclic", up=30, down=10, floor=0.05, mode="triangular2"))
    assert compat.export_params("torch", cyclic) == {
        "name": "CyclicLR", "base_lr": 0.05 * 0.2, "max_lr": 0.2, "step_size_up": 30, "step_size_down": 10,
        "mode": "triangular2", "cycle_momentum": False}
    anneal = WarmupDecay(0.2, decay=Decay("cosine", steps=40, floor=0.25))  # clamped: CosineAnnealingLR is not
    assert compat.export_params("torch", anneal)["name"] == "SWALR"
    ramp = WarmupDecay(0.2, Warmup("cosine", steps=40, factor=0.5), Decay("constant"))
    assert compat.export_params("torch", ramp)["name"] == "SWALR"


@pytest.mark.parametrize("s,why", [
    ("warmup", "warmup before it"),
    ("floor0", "must be > 0"),
])
def test_cyclic_export_refusals_say_why(s, why):
    from warmup_core import Decay, Warmup, WarmupDecay

    decay = Decay("cyclic", up=30, down=10, floor=0.0 if s == "floor0" else 0.1)
    sched = WarmupDecay(0.2, Warmup("linear", steps=5) if s == "warmup" else None, decay)
    with pytest.raises(ValueError, match=why):
        compat.export_params("torch", sched)


def test_the_apps_code_export_shows_cyclic_lr_natively():
    from ui import codegen

    s = compat.build("torch", "CyclicLR", base_lr=0.001, max_lr=0.1, step_size_up=20)
    shown = codegen.snippets(s)
    labels = list(shown)
    assert labels[:2] == ["PyTorch (standalone)", "PyTorch"]
    assert "lr_scheduler.CyclicLR(optimizer, base_lr=0.001, max_lr=0.1" in shown["PyTorch"][0]
