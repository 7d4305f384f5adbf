"""Parity with schedules that live in training scripts, not packages (maskrcnn-benchmark, tf-yolov3,
nanoGPT, the Noam schedule). None of them installs from PyPI, so each is restated below as the
scalar, step-by-step formula of its source (cited), and compared at every step.
"""

import math
from bisect import bisect_right

import numpy as np
import pytest

from warmup_core import compat


def maskrcnn_reference(t, base, milestones, gamma, warmup_factor, warmup_iters, warmup_method):
    # maskrcnn_benchmark/solver/lr_scheduler.py, WarmupMultiStepLR.get_lr (t = last_epoch)
    factor = 1.0
    if t < warmup_iters:
        if warmup_method == "constant":
            factor = warmup_factor
        else:
            a = t / warmup_iters
            factor = warmup_factor * (1 - a) + a
    return base * factor * gamma ** bisect_right(milestones, t)


@pytest.mark.parametrize("kw", [
    dict(milestones=[30, 60], gamma=0.1, warmup_factor=1 / 3, warmup_iters=10, warmup_method="linear"),
    dict(milestones=[5], gamma=0.5, warmup_factor=0.001, warmup_iters=20, warmup_method="linear"),
    dict(milestones=[15, 15, 40], gamma=0.1, warmup_factor=0.1, warmup_iters=25, warmup_method="constant"),
    dict(milestones=[], gamma=0.1, warmup_factor=0.5, warmup_iters=1, warmup_method="constant"),
    dict(milestones=[3], gamma=0.1, warmup_factor=0.2, warmup_iters=0, warmup_method="linear"),
])
def test_maskrcnn(kw):
    got = compat.build("maskrcnn", "WarmupMultiStepLR", base_lr=0.02, **kw)(np.arange(100))
    want = [maskrcnn_reference(t, 0.02, **kw) for t in range(100)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-18)


def test_maskrcnn_rejects_what_maskrcnn_rejects():
    with pytest.raises(ValueError, match="increasing"):
        compat.build("maskrcnn", "WarmupMultiStepLR", base_lr=0.1, milestones=[60, 30])
    with pytest.raises(ValueError, match="warmup_method"):
        compat.build("maskrcnn", "WarmupMultiStepLR", base_lr=0.1, milestones=[30], warmup_method="cosine")


def yolov3_reference(update, init, end, warmup, train):
    # YunYang1994/tensorflow-yolov3 train.py (lines 64-77 of the 2019 version): global_step is a
    # Variable initialised to 1.0 and read before assign_add(1), so update t sees global_step = t + 1.
    g = update + 1.0
    if g < warmup:
        return g / warmup * init
    return end + 0.5 * (init - end) * (1 + math.cos((g - warmup) / (train - warmup) * math.pi))


@pytest.mark.parametrize("warmup,train", [(4, 12), (0, 10), (1, 7), (20, 50), (2, 3)])
def test_yolov3(warmup, train):
    n = train + 10  # past the end the cosine rises again, as in the script
    got = compat.build("yolov3", "learn_rate", learn_rate_init=1e-4, learn_rate_end=1e-6, warmup_steps=warmup,
                       train_steps=train)(np.arange(n))
    want = [yolov3_reference(t, 1e-4, 1e-6, warmup, train) for t in range(n)]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def nanogpt_reference(it, learning_rate, warmup_iters, lr_decay_iters, min_lr, version):
    # karpathy/nanoGPT train.py get_lr; the (it + 1) / (warmup_iters + 1) warmup since 2024-12 (PR #578)
    if it < warmup_iters:
        if version == "2024-12":
            return learning_rate * (it + 1) / (warmup_iters + 1)
        return learning_rate * it / warmup_iters
    if it > lr_decay_iters:
        return min_lr
    ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return min_lr + coeff * (learning_rate - min_lr)


@pytest.mark.parametrize("version", ["2024-12", "2023"])
@pytest.mark.parametrize("W,D", [(20, 100), (0, 50), (1, 2), (10, 11)])
def test_nanogpt(version, W, D):
    kw = dict(learning_rate=6e-4, warmup_iters=W, lr_decay_iters=D, min_lr=6e-5)
    got = compat.build("nanogpt", "get_lr", version=version, **kw)(np.arange(D + 20))
    want = [nanogpt_reference(t, version=version, **kw) for t in range(D + 20)]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_nanogpt_step_zero_changed_in_the_public_fix():
    new = compat.build("nanogpt", "get_lr", warmup_iters=2000)(0)
    old = compat.build("nanogpt", "get_lr", warmup_iters=2000, version="2023")(0)
    assert new == pytest.approx(6e-4 / 2001) and old == 0.0


def noam_reference(update, d_model, warmup, factor):
    # Vaswani et al. 2017 §5.3, step counted from 1: lrate = d^-0.5 min(step^-0.5, step warmup^-1.5)
    step = update + 1
    return factor * d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)


@pytest.mark.parametrize("d_model,warmup,factor", [(512, 4000, 1.0), (64, 10, 2.0), (128, 1, 1.0)])
def test_noam(d_model, warmup, factor):
    t = np.concatenate([np.arange(50), np.arange(3990, 4010), [10**5]])
    got = compat.build("noam", "noam", d_model=d_model, warmup_steps=warmup, factor=factor)(t)
    want = [noam_reference(int(x), d_model, warmup, factor) for x in t]
    np.testing.assert_allclose(got, want, rtol=1e-12)
