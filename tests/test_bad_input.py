"""Bad input raises ValueError naming the parameter and the value; unknown names list the valid ones."""

import math

import numpy as np
import pytest

from warmup_core import Decay, Schedule, Warmup, compat, from_dict, from_json

BAD = [
    (lambda: Schedule(base_lr=-0.1), "base_lr", "-0.1"),
    (lambda: Schedule(base_lr=0), "base_lr", "0"),
    (lambda: Schedule(base_lr=math.nan), "base_lr", "nan"),
    (lambda: Schedule(base_lr="0.1"), "base_lr", "'0.1'"),
    (lambda: Schedule(total_steps=0), "total_steps", "0"),
    (lambda: Schedule(total_steps=2.5), "total_steps", "2.5"),
    (lambda: Warmup("linear", steps=-1), "steps", "-1"),
    (lambda: Warmup("linear", steps=10, factor=1.5), "factor", "1.5"),
    (lambda: Warmup("linear", steps=10, factor=-0.1), "factor", "-0.1"),
    (lambda: Warmup("exponential", steps=10, factor=0.0), "factor", "0.0"),
    (lambda: Warmup("constant", steps=10, factor=math.inf), "factor", "inf"),
    (lambda: Warmup("untuned_linear", beta2=1.0), "beta2", "1.0"),
    (lambda: Warmup("untuned_exponential", beta2=0.9999999), "beta2", "0.9999999"),
    (lambda: Warmup("radam", beta2=0.5), "beta2", "0.5"),
    (lambda: Warmup("untuned_linear", steps=7, beta2=0.9), "steps", "7"),
    (lambda: Warmup("linear", steps=4, target="top"), "target", "'top'"),
    (lambda: Decay("multistep", milestones=[30, 10]), "milestones", "[30, 10]"),
    (lambda: Decay("multistep", milestones=[10], gamma=0.0), "gamma", "0.0"),
    (lambda: Decay("multistep", milestones=[10], gamma=2.0), "gamma", "2.0"),
    (lambda: Decay("multistep", milestones="10"), "milestones", "'10'"),
    (lambda: Decay("piecewise", milestones=[5], values=[1.0]), "values", "[1.0]"),
    (lambda: Decay("cosine", steps=0), "steps", "0"),
    (lambda: Decay("cosine", floor=1.5), "floor", "1.5"),
    (lambda: Decay("step", step_size=0), "step_size", "0"),
    (lambda: Decay("exponential", gamma=-1), "gamma", "-1"),
    (lambda: Decay("polynomial", power=-1.0), "power", "-1.0"),
    (lambda: Decay("cosine_restarts", period=0), "period", "0"),
    (lambda: Decay("cosine_restarts", period=5, decay_mode="both"), "decay_mode", "'both'"),
    (lambda: Decay("onecycle", total_steps=3, pct_start=0.1), "pct_start", "0.1"),
    (lambda: Decay("wsd", shape="cubic"), "shape", "'cubic'"),
    (lambda: Decay("constant", gamma=0.1), "gamma", "['gamma']"),
]


@pytest.mark.parametrize("make,param,value", BAD, ids=[f"{p}={v}" for _, p, v in BAD])
def test_bad_parameters_name_the_parameter_and_value(make, param, value):
    with pytest.raises(ValueError) as e:
        make()
    assert param in str(e.value) and value in str(e.value), str(e.value)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown warmup method 'lineer'.*'linear'"):
        Warmup("lineer")
    with pytest.raises(ValueError, match=r"unknown decay 'cosin'.*'cosine'"):
        Decay("cosin")
    with pytest.raises(ValueError, match=r"unknown convention 'prepand'.*'prepend'"):
        Schedule(convention="prepand")
    with pytest.raises(ValueError, match=r"unknown library 'pytorch'.*'torch'"):
        compat.build("pytorch", "StepLR")
    with pytest.raises(ValueError, match=r"unknown torch schedule 'Cosine'.*'CosineAnnealingLR'"):
        compat.build("torch", "Cosine", base_lr=0.1)
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['T_maxx'\].*'T_max'"):
        compat.build("torch", "CosineAnnealingLR", base_lr=0.1, T_maxx=3)


def test_compat_needs_base_lr_where_the_optimizer_provides_it():
    with pytest.raises(ValueError, match="base_lr"):
        compat.build("torch", "StepLR", step_size=3)
    with pytest.raises(ValueError, match=r"missing required parameter\(s\) \['step_size'\]"):
        compat.build("torch", "StepLR", base_lr=0.1)


def test_auto_length_needs_total_steps():
    with pytest.raises(ValueError, match="total_steps"):
        Schedule(decay=Decay("cosine"))


@pytest.mark.parametrize("steps", [-1, [0, -2], math.nan, [math.inf], "ten", None])
def test_bad_steps(steps):
    with pytest.raises(ValueError, match="steps"):
        Schedule()(steps)


@pytest.mark.parametrize("d", [
    [], {"type": "pyramid"}, {"warmup": {"method": "linear", "steps": "many"}}, {"base_lr": 0.1, "colour": 1},
    {"decay": {"name": "cosine", "steps": None}}, {"type": "join", "parts": [], "boundaries": []},
    {"type": "join", "parts": [{}, {}], "boundaries": [5, 1]}, {"decay": "cosine"},
])
def test_malformed_dicts(d):
    with pytest.raises(ValueError):
        from_dict(d)


def test_malformed_json():
    with pytest.raises(ValueError, match="not valid JSON"):
        from_json("{base_lr: 1")


def test_no_nan_inf_or_negative_at_extreme_steps():
    s = Schedule(1.0, Warmup("exponential", 10, factor=1e-6), Decay("exponential", gamma=0.5), total_steps=10)
    out = s(np.array([0, 1e3, 1e6, 1e15]))
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
