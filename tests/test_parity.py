"""Parity: warmup_core.compat against the real libraries, run live, on parameter grids.

Each case drives the library the way its training loop does (tests/reference.py) and compares
every step, including steps past the end of training, at rtol 1e-9 (Keras: float32, 2e-6).
Where the library raises on an input, compat must raise ValueError.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from warmup_core import compat

from . import reference as R

RTOL = 1e-9


def check(ref, got, rtol=RTOL):
    assert len(got) >= len(ref)
    np.testing.assert_allclose(got[: len(ref)], ref, rtol=rtol, atol=1e-14)


def run_both(ref_fn, got_fn):
    """Either both succeed and agree, or the library raises and compat raises ValueError."""
    try:
        ref = ref_fn()
    except Exception as exc:  # the library crashes on this input
        with pytest.raises(ValueError):
            got_fn()
        return exc
    check(ref, got_fn())
    return None


# --- transformers ------------------------------------------------------------------------------

HF_CASES = [
    ("linear", {}), ("cosine", {}), ("cosine", {"num_cycles": 1.0}), ("cosine", {"num_cycles": 0.25}),
    ("cosine_with_restarts", {}), ("cosine_with_restarts", {"num_cycles": 2}),
    ("cosine_with_restarts", {"num_cycles": 3}), ("cosine_with_restarts", {"num_cycles": 6}),
    ("polynomial", {}), ("polynomial", {"lr_end": 0.1, "power": 2.0}), ("polynomial", {"power": 0.5}),
    ("constant", {}), ("constant_with_warmup", {}), ("inverse_sqrt", {}), ("inverse_sqrt", {"timescale": 7}),
    ("cosine_with_min_lr", {"min_lr_rate": 0.1}), ("cosine_with_min_lr", {"min_lr": 1e-4, "num_cycles": 1.0}),
    ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1}),
    ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1, "warmup_lr_rate": 0.2}),
    ("warmup_stable_decay", {"num_decay_steps": 4, "warmup_type": "cosine", "decay_type": "1-sqrt",
                             "min_lr_ratio": 0.1}),
    ("warmup_stable_decay", {"num_decay_steps": 3, "warmup_type": "1-sqrt", "decay_type": "linear"}),
    ("warmup_stable_decay", {"num_decay_steps": 5, "decay_type": "cosine", "num_cycles": 1.0}),
    ("warmup_stable_decay", {"num_decay_steps": 2, "num_stable_steps": 3, "min_lr_ratio": 0.2}),
]


@pytest.mark.parametrize("name,kwargs", HF_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(HF_CASES)])
def test_transformers(name, kwargs):
    pytest.importorskip("transformers")
    for W, N in itertools.product([0, 1, 2, 4, 12, 15], [1, 4, 12, 13, 37]):
        n = N + 8
        for base in (1.0, 3e-4):
            run_both(lambda: R.transformers_lrs(name, base, n, W, N, **kwargs),
                     lambda: compat.build("transformers", name, base_lr=base, num_warmup_steps=W,
                                          num_training_steps=N, **kwargs)(np.arange(n)))


def test_transformers_golden_from_reference_note():
    # Values recorded from transformers 5.23.0 (W=4, N=12): docs/conventions.md, "Recorded values".
    s = compat.build("transformers", "cosine_warmup_with_min_lr", base_lr=1.0, num_warmup_steps=4,
                     num_training_steps=12, min_lr_rate=0.1)
    np.testing.assert_allclose(s(np.arange(13)), [.25, .5, .75, 1, .96575, .8682, .72221, .55, .37779, .2318,
                                                  .13425, .1, .13425], atol=5e-6)


# --- torch -------------------------------------------------------------------------------------

TORCH_CASES = [
    ("LinearLR", {}), ("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
    ("LinearLR", {"start_factor": 1e-3, "total_iters": 1}), ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1,
                                                                          "total_iters": 7}),
    ("LinearLR", {"start_factor": 0.2, "end_factor": 0.6, "total_iters": 3}), ("LinearLR", {"total_iters": 0}),
    ("ConstantLR", {}), ("ConstantLR", {"factor": 0.1, "total_iters": 1}), ("ConstantLR", {"total_iters": 0}),
    ("ConstantLR", {"factor": 0.0}),
    ("StepLR", {"step_size": 3}), ("StepLR", {"step_size": 1, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [3, 6]}), ("MultiStepLR", {"milestones": [6, 3, 3], "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [0, 20]}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 4}), ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.1}),
    ("CosineAnnealingLR", {"T_max": 1}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3}), ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 2}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 3, "eta_min": 0.05}),
    ("PolynomialLR", {}), ("PolynomialLR", {"total_iters": 9, "power": 2.0}), ("PolynomialLR", {"total_iters": 0}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 12}), ("OneCycleLR", {"max_lr": 0.5, "total_steps": 30,
                                                                       "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 40, "three_phase": True, "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 2.0, "epochs": 3, "steps_per_epoch": 7, "div_factor": 10.0}),
    ("SequentialLR", {"schedulers": [("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
                                     ("CosineAnnealingLR", {"T_max": 8})], "milestones": [4]}),
    ("SequentialLR", {"schedulers": [("ConstantLR", {"factor": 0.1, "total_iters": 5}),
                                     ("ExponentialLR", {"gamma": 0.9}),
                                     ("StepLR", {"step_size": 2})], "milestones": [3, 9]}),
    ("ChainedScheduler", {"schedulers": [("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
                                         ("CosineAnnealingLR", {"T_max": 12})]}),
    ("ChainedScheduler", {"schedulers": [("ConstantLR", {"factor": 0.5, "total_iters": 3}),
                                         ("MultiStepLR", {"milestones": [2, 6]})]}),
]


@pytest.mark.parametrize("name,kwargs", TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)])
def test_torch(name, kwargs):
    pytest.importorskip("torch")
    n = 45
    for base in (1.0, 0.1):
        absolute = name == "OneCycleLR"
        # torch's linear OneCycleLR computes a negative lr for step total_steps (the last it allows);
        # warmup_core never returns a negative lr and clips that one value at 0.
        run_both(lambda: np.maximum(R.torch_lrs(name, base, n, **kwargs), 0.0),
                 lambda: compat.build("torch", name, base_lr=None if absolute else base, **kwargs)(np.arange(n)))


def test_torch_onecycle_raises_one_step_past_the_end():
    pytest.importorskip("torch")
    ref = R.torch_lrs("OneCycleLR", 1.0, 20, max_lr=1.0, total_steps=12)
    assert len(ref) == 13  # t = 0..12 are computed; the 13th scheduler.step() raises
    got = compat.build("torch", "OneCycleLR", max_lr=1.0, total_steps=12)(np.arange(20))
    check(ref, got)


def test_torch_golden_from_reference_note():
    # torch 2.14.1 OneCycleLR(max_lr=1, total_steps=12): docs/conventions.md, "Recorded values".
    want = [0.040000000000000036, 0.3497896542195831, 0.8792851591221287, 0.9944154354509117,
            0.9330129698414117, 0.811745653949763, 0.6473789976951033, 0.46263710266697505,
            0.28306099820869923, 0.1334775301888306, 0.03456698742539522, 4e-06]
    check(np.array(want), compat.build("torch", "OneCycleLR", max_lr=1.0, total_steps=12)(np.arange(12)))


# --- pytorch_warmup ----------------------------------------------------------------------------

PW_CASES = [
    ("LinearWarmup", {"warmup_period": 4}), ("LinearWarmup", {"warmup_period": 1}),
    ("ExponentialWarmup", {"warmup_period": 4}),
    ("LinearWarmup", {"warmup_period": 4, "lr_scheduler": ("CosineAnnealingLR", {"T_max": 8})}),
    ("ExponentialWarmup", {"warmup_period": 3, "lr_scheduler": ("MultiStepLR", {"milestones": [5, 9]})}),
    ("UntunedLinearWarmup", {"beta2": 0.99}), ("UntunedLinearWarmup", {}),
    ("UntunedExponentialWarmup", {"beta2": 0.95}), ("UntunedExponentialWarmup", {}),
    ("RAdamWarmup", {}), ("RAdamWarmup", {"beta2": 0.9}),
    ("RAdamWarmup", {"beta2": 0.99, "lr_scheduler": ("StepLR", {"step_size": 30})}),
]


@pytest.mark.parametrize("name,kwargs", PW_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PW_CASES)])
def test_pytorch_warmup(name, kwargs):
    pytest.importorskip("pytorch_warmup")
    n = 300
    beta2 = kwargs.get("beta2", 0.999)
    ref_kw = {k: v for k, v in kwargs.items() if k not in ("beta2",)}
    ref = R.pytorch_warmup_lrs(name, 0.5, n, beta2=beta2, **ref_kw)
    check(ref, compat.build("pytorch_warmup", name, base_lr=0.5, **kwargs)(np.arange(n)))


def test_pytorch_warmup_long_tail_reaches_one():
    # The asymptotic warmups are cut where they equal 1.0 in float64; check far out.
    pytest.importorskip("pytorch_warmup")
    n = 3000
    for name in ("UntunedExponentialWarmup", "RAdamWarmup"):
        ref = R.pytorch_warmup_lrs(name, 1.0, n, beta2=0.98)
        check(ref, compat.build("pytorch_warmup", name, base_lr=1.0, beta2=0.98)(np.arange(n)))


# --- optax -------------------------------------------------------------------------------------

OPTAX_CASES = [
    ("constant_schedule", {"value": 0.3}),
    ("linear_schedule", {"init_value": 1.0, "end_value": 0.1, "transition_steps": 7}),
    ("linear_schedule", {"init_value": 0.0, "end_value": 0.8, "transition_steps": 5, "transition_begin": 3}),
    ("linear_schedule", {"init_value": 0.2, "end_value": 0.8, "transition_steps": 0}),
    ("polynomial_schedule", {"init_value": 1.0, "end_value": 0.01, "power": 2.0, "transition_steps": 9,
                             "transition_begin": 2}),
    ("polynomial_schedule", {"init_value": 0.1, "end_value": 1.0, "power": 0.5, "transition_steps": 6}),
    ("exponential_decay", {"init_value": 1.0, "transition_steps": 3, "decay_rate": 0.5}),
    ("exponential_decay", {"init_value": 1.0, "transition_steps": 2, "decay_rate": 0.5, "staircase": True,
                           "transition_begin": 4, "end_value": 0.1}),
    ("exponential_decay", {"init_value": 0.1, "transition_steps": 2, "decay_rate": 1.5, "end_value": 1.0}),
    ("cosine_decay_schedule", {"init_value": 1.0, "decay_steps": 10}),
    ("cosine_decay_schedule", {"init_value": 0.5, "decay_steps": 7, "alpha": 0.1, "exponent": 2.0}),
    ("cosine_decay_schedule", {"init_value": 0.5, "decay_steps": 0}),
    ("piecewise_constant_schedule", {"init_value": 1.0, "boundaries_and_scales": {3: 0.1, 6: 0.1}}),
    ("piecewise_constant_schedule", {"init_value": 0.1, "boundaries_and_scales": {2: 5.0, 8: 0.01}}),
    ("warmup_constant_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 4}),
    ("warmup_cosine_decay_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 4, "decay_steps": 12}),
    ("warmup_cosine_decay_schedule", {"init_value": 0.1, "peak_value": 1.0, "warmup_steps": 1, "decay_steps": 9,
                                      "end_value": 0.05, "exponent": 1.5}),
    ("warmup_cosine_decay_schedule", {"init_value": 0.1, "peak_value": 1.0, "warmup_steps": 0, "decay_steps": 9}),
    ("warmup_cosine_decay_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 9, "decay_steps": 9}),
    ("warmup_exponential_decay_schedule", {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 3,
                                           "transition_steps": 2, "decay_rate": 0.8, "transition_begin": 2,
                                           "staircase": True, "end_value": 0.2}),
    ("cosine_onecycle_schedule", {"transition_steps": 10, "peak_value": 1.0}),
    ("cosine_onecycle_schedule", {"transition_steps": 33, "peak_value": 0.5, "pct_start": 0.4, "div_factor": 10.0}),
    ("linear_onecycle_schedule", {"transition_steps": 20, "peak_value": 1.0}),
    ("sgdr_schedule", {"cosine_kwargs": [
        {"init_value": 0.0, "peak_value": 1.0, "warmup_steps": 2, "decay_steps": 8},
        {"init_value": 0.1, "peak_value": 0.5, "warmup_steps": 3, "decay_steps": 10, "end_value": 0.05}]}),
]


@pytest.mark.parametrize("name,kwargs", OPTAX_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTAX_CASES)])
def test_optax(name, kwargs):
    pytest.importorskip("optax")
    n = 40
    run_both(lambda: R.optax_lrs(name, n, **kwargs),
             lambda: compat.build("optax", name, **kwargs)(np.arange(n)))


# --- keras -------------------------------------------------------------------------------------

KERAS_CASES = [
    ("CosineDecay", {"initial_learning_rate": 1.0, "decay_steps": 10}),
    ("CosineDecay", {"initial_learning_rate": 0.5, "decay_steps": 7, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 8, "warmup_target": 1.0, "warmup_steps": 4}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "warmup_target": 0.5, "warmup_steps": 1,
                     "alpha": 0.2}),
    ("CosineDecayRestarts", {"initial_learning_rate": 1.0, "first_decay_steps": 4}),
    ("CosineDecayRestarts", {"initial_learning_rate": 1.0, "first_decay_steps": 3, "t_mul": 1.0, "m_mul": 0.5,
                             "alpha": 0.1}),
    ("CosineDecayRestarts", {"initial_learning_rate": 1.0, "first_decay_steps": 2, "t_mul": 1.5, "m_mul": 0.8}),
    ("PolynomialDecay", {"initial_learning_rate": 1.0, "decay_steps": 9}),
    ("PolynomialDecay", {"initial_learning_rate": 1.0, "decay_steps": 5, "end_learning_rate": 0.1, "power": 2.0,
                         "cycle": True}),
    ("ExponentialDecay", {"initial_learning_rate": 1.0, "decay_steps": 3, "decay_rate": 0.5}),
    ("ExponentialDecay", {"initial_learning_rate": 1.0, "decay_steps": 3, "decay_rate": 0.5, "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [3, 6], "values": [1.0, 0.1, 0.01]}),
    ("PiecewiseConstantDecay", {"boundaries": [2], "values": [0.1, 0.5]}),
    ("InverseTimeDecay", {"initial_learning_rate": 1.0, "decay_steps": 2, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 1.0, "decay_steps": 2, "decay_rate": 0.5, "staircase": True}),
]


@pytest.mark.parametrize("name,kwargs", KERAS_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(KERAS_CASES)])
def test_keras(name, kwargs):
    pytest.importorskip("keras")
    n = 30
    ref = R.keras_lrs(name, n, **kwargs)
    got = compat.build("keras", name, **kwargs)(np.arange(n))
    # Keras computes in float32: relative 2e-6, and near zero an absolute error of a few float32
    # ulps of the peak (1 - cos cancels there).
    np.testing.assert_allclose(got, ref, rtol=2e-6, atol=4 * np.finfo(np.float32).eps * np.max(ref))
