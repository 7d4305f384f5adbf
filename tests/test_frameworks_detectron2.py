"""detectron2 / fvcore parity, live: the real fvcore param schedulers (pinned) composed by verbatim copies of
detectron2's WarmupParamScheduler, LRMultiplier and build_lr_scheduler (tests/golden/detectron2_solver.py,
detectron2 commit 02b5c4e2; detectron2 is not on PyPI)."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.libraries import detectron2
from warmup_core.schedule import Decay, Schedule, Warmup

P = pytest.importorskip("fvcore.common.param_scheduler")
torch = pytest.importorskip("torch")
from .golden import detectron2_solver as D2  # noqa: E402  (imports fvcore)


def build(name, base_lr=1.0, **kw):
    return detectron2.FRAMEWORK.build(name, base_lr=base_lr, **kw)


def lr_multiplier_lrs(make_multiplier, max_iter, base_lr=1.0, n=None):
    """Step the real LRMultiplier as detectron2's LRScheduler hook does (after every iteration)."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    s = D2.LRMultiplier(opt, make_multiplier(), max_iter)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in range(n or max_iter):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            if t + 1 < (n or max_iter):
                s.step()
    return np.array(out)


SOLVERS = [
    dict(MAX_ITER=40, STEPS=(20, 30), WARMUP_ITERS=5),
    dict(MAX_ITER=40, STEPS=(20, 30), WARMUP_ITERS=5, WARMUP_METHOD="constant", WARMUP_FACTOR=0.1),
    dict(MAX_ITER=40, STEPS=(3, 30, 50), WARMUP_ITERS=5, GAMMA=0.5),            # a milestone inside the warmup
    dict(MAX_ITER=30, LR_SCHEDULER_NAME="WarmupCosineLR", WARMUP_ITERS=6, BASE_LR_END=0.05),
    dict(MAX_ITER=30, LR_SCHEDULER_NAME="WarmupCosineLR", WARMUP_ITERS=6, RESCALE_INTERVAL=True),
    dict(MAX_ITER=30, LR_SCHEDULER_NAME="WarmupStepWithFixedGammaLR", WARMUP_ITERS=4, NUM_DECAYS=3, GAMMA=0.5),
    dict(MAX_ITER=30, LR_SCHEDULER_NAME="WarmupStepWithFixedGammaLR", WARMUP_ITERS=4, RESCALE_INTERVAL=True),
    dict(MAX_ITER=20, STEPS=(10,), WARMUP_ITERS=0),
    dict(MAX_ITER=20, STEPS=(10,), WARMUP_ITERS=1),
    dict(MAX_ITER=20, LR_SCHEDULER_NAME="WarmupCosineLR", WARMUP_ITERS=20),     # warmup = total (d2go#19)
    dict(MAX_ITER=20, LR_SCHEDULER_NAME="WarmupCosineLR", WARMUP_ITERS=50),     # warmup > total
    dict(MAX_ITER=16, STEPS=(8, 12), WARMUP_ITERS=16, WARMUP_METHOD="constant"),
]


@pytest.mark.parametrize("solver", SOLVERS, ids=[str(i) for i in range(len(SOLVERS))])
def test_build_lr_scheduler_live(solver):
    defaults = dict(LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=40000, STEPS=(30000,), GAMMA=0.1,
                    WARMUP_FACTOR=1.0 / 1000, WARMUP_ITERS=1000, WARMUP_METHOD="linear", RESCALE_INTERVAL=False,
                    BASE_LR_END=0.0, NUM_DECAYS=3, BASE_LR=0.5)
    cfg = SimpleNamespace(SOLVER=SimpleNamespace(**(defaults | solver)))
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = D2.build_lr_scheduler(cfg, opt)
        ref = []
        for t in range(cfg.SOLVER.MAX_ITER):
            ref.append(opt.param_groups[0]["lr"])
            opt.step()
            if t + 1 < cfg.SOLVER.MAX_ITER:  # a step past the end: fvcore's step schedulers raise there
                s.step()
    got = build("build_lr_scheduler", 0.5, **solver)(np.arange(cfg.SOLVER.MAX_ITER))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_large_max_iter_moves_milestones_like_fvcore():
    # above 10^6 iterations fvcore's 1e-6 epsilon moves every switch one step early; t/max_iter evaluated directly
    N, W = 2_000_000, 1000
    mult = D2.WarmupParamScheduler(P.MultiStepParamScheduler([1, 0.1, 0.01], num_updates=N,
                                                              milestones=[1_500_000, 1_800_000]), 0.001, W / N)
    t = np.array([0, 1, 500, 997, 998, 999, 1000, 1001, 1_499_997, 1_499_998, 1_499_999, 1_500_000,
                  1_799_998, 1_799_999, 1_800_000, N - 1])
    ref = np.array([mult(x / N) for x in t])
    got = build("WarmupParamScheduler", max_iter=N, warmup_factor=0.001, warmup_length=W / N,
                scheduler=("MultiStepParamScheduler", dict(values=[1, 0.1, 0.01], num_updates=N,
                                                           milestones=[1_500_000, 1_800_000])))(t)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def _fv(item):
    name, params = item
    if name == "CompositeParamScheduler":
        return P.CompositeParamScheduler([_fv(s) for s in params["schedulers"]], list(params["lengths"]),
                                         params["interval_scaling"])
    if name == "WarmupParamScheduler":
        return D2.WarmupParamScheduler(_fv(params["scheduler"]), params["warmup_factor"], params["warmup_length"],
                                       params.get("warmup_method", "linear"), params.get("rescale_interval", False))
    return getattr(P, name)(**params)


TREES = [
    ("CompositeParamScheduler", dict(
        schedulers=[("LinearParamScheduler", dict(start_value=0.1, end_value=1.0)),
                    ("ConstantParamScheduler", dict(value=1.0)),
                    ("CosineParamScheduler", dict(start_value=1.0, end_value=0.01))],
        lengths=[0.1, 0.3, 0.6], interval_scaling=["rescaled", "rescaled", "rescaled"])),
    ("CompositeParamScheduler", dict(
        schedulers=[("ConstantParamScheduler", dict(value=0.5)),
                    ("ExponentialParamScheduler", dict(start_value=2.0, decay=0.1)),
                    ("PolynomialDecayParamScheduler", dict(base_value=0.3, power=2.0))],
        lengths=[0.25, 0.25, 0.5], interval_scaling=["fixed", "fixed", "rescaled"])),
    ("WarmupParamScheduler", dict(
        scheduler=("CompositeParamScheduler", dict(
            schedulers=[("ConstantParamScheduler", dict(value=1.0)),
                        ("StepParamScheduler", dict(num_updates=10, values=[1.0, 0.5, 0.25, 0.125]))],
            lengths=[0.5, 0.5], interval_scaling=["rescaled", "rescaled"])),
        warmup_factor=0.01, warmup_length=0.125)),
    ("MultiStepParamScheduler", dict(values=[1.0, 0.3, 0.1, 0.05], num_updates=40)),   # equispaced milestones
    ("MultiStepParamScheduler", dict(values=[1.0, 0.3, 0.1], milestones=[7, 19, 33])),  # last milestone = num_updates
    ("StepWithFixedGammaParamScheduler", dict(base_value=2.0, num_decays=3, gamma=0.3, num_updates=40)),
    ("LinearParamScheduler", dict(start_value=0.0, end_value=1.0)),
    ("CosineParamScheduler", dict(start_value=1.0, end_value=0.0)),
]


@pytest.mark.parametrize("item", TREES, ids=[str(i) for i in range(len(TREES))])
def test_lr_multiplier_live(item):
    ref = lr_multiplier_lrs(lambda: _fv(item), 40, base_lr=0.2)
    got = build("LRMultiplier", 0.2, multiplier=item, max_iter=40)(np.arange(40))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_param_scheduler_entries_equal_lr_multiplier():
    item = TREES[0]
    a = build(item[0], 0.2, max_iter=40, **item[1])
    b = build("LRMultiplier", 0.2, multiplier=item, max_iter=40)
    assert a == b


@pytest.mark.parametrize("name,kw,word", [
    ("build_lr_scheduler", dict(LR_SCHEDULER_NAME="WarmupPolyLR"), "LR_SCHEDULER_NAME"),
    ("build_lr_scheduler", dict(MAX_ITER=0), "MAX_ITER"),
    ("build_lr_scheduler", dict(WARMUP_METHOD="exp"), "warmup method"),
    ("build_lr_scheduler", dict(LR_SCHEDULER_NAME="WarmupCosineLR", BASE_LR_END=2.0), "BASE_LR_END"),
    ("build_lr_scheduler", dict(STEPS=(30, 20), MAX_ITER=40), "Milestone"),
    ("build_lr_scheduler", dict(WARMUP_ITERS=-1), "WARMUP_ITERS"),
    ("LRMultiplier", dict(multiplier=("NoSuchScheduler", {}), max_iter=10), "NoSuchScheduler"),
    ("LRMultiplier", dict(multiplier="CosineParamScheduler", max_iter=10), "pair"),
    ("LRMultiplier", dict(multiplier=("CosineParamScheduler", {"start_value": 1.0}), max_iter=10), "end_value"),
    ("LRMultiplier", dict(multiplier=("CosineParamScheduler", {"start_value": 1, "end_value": 0, "x": 1}),
                          max_iter=10), "x"),
    ("CompositeParamScheduler", dict(max_iter=10, schedulers=[("ConstantParamScheduler", {"value": 1.0})],
                                     lengths=[0.5], interval_scaling=["fixed"]), "lengths"),
    ("CompositeParamScheduler", dict(max_iter=7, schedulers=[("ConstantParamScheduler", {"value": 1.0})] * 2,
                                     lengths=[0.5, 0.5], interval_scaling=["rescaled"] * 2), "whole steps"),
    ("WarmupParamScheduler", dict(max_iter=10, scheduler=("ConstantParamScheduler", {"value": 1.0}),
                                  warmup_factor=0.1, warmup_length=1.5), "warmup_length"),
])
def test_bad_input(name, kw, word):
    with pytest.raises(ValueError, match=word):
        build(name, 1.0, **kw)


@pytest.mark.parametrize("s", [
    Schedule(0.02, Warmup("linear", steps=10, factor=0.001, target="decay"),
             Decay("multistep", milestones=[60, 80]), "override", 100),
    Schedule(0.02, Warmup("constant", steps=10, factor=0.1, target="decay"), Decay("cosine", steps=100, floor=0.05),
             "override", 100),
    Schedule(0.02, Warmup("linear", steps=10, factor=0.01), Decay("cosine", steps=90), "prepend", 100),
    Schedule(0.02, decay=Decay("multistep", milestones=[30]), total_steps=40),
])
def test_round_trip(s):
    kw = compat.export_params("detectron2", s)
    assert kw["name"] == "build_lr_scheduler"
    back = compat.build("detectron2", **kw)
    t = np.arange(160)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_export_refuses_a_warmup_to_the_peak_on_the_global_clock():
    s = Schedule(0.02, Warmup("linear", steps=10), Decay("cosine", steps=100), "override", 100)
    with pytest.raises(ValueError, match="override"):
        compat.export_params("detectron2", s)
