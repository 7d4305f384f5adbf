"""warmup_core.pairs: a composite schedule (Join / Product) as the warmup + decay pair it equals, or None.

The composites are the real configs of tests/configs/ (tests/configs/README.md) read by warmup_core.configs,
and the torch compositions built by warmup_core's torch module; "equal" is every step from 0 to well past the
end of training at rtol 1e-12, and a composite that is not a pair gives None, never a near pair.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from warmup_core import Decay, Join, Product, Warmup, WarmupDecay, compat, from_dict
from warmup_core.configs import from_config
from warmup_core.pairs import as_warmup_decay, leaves, with_base_lr, with_total_steps

CONFIGS = Path(__file__).parent / "configs"


def text(*names) -> str:
    return "\n---\n".join((CONFIGS / n).read_text() for n in names)


def every_step_equal(pair, composite, W):
    n = composite.total_steps or 10_000
    t = np.arange(int(n * 1.3) + 2, dtype=np.float64)
    np.testing.assert_allclose(pair(t), composite(t), rtol=1e-12, atol=0)
    edges = np.array([0, max(W - 1, 0), W, W + 1, n - 1, n, 10 * n + 3], dtype=np.float64)
    np.testing.assert_allclose(pair(edges), composite(edges), rtol=1e-12, atol=0)


MMENGINE_1X = "mmengine/schedule_1x.py"
D2_BASE, D2_3X = "detectron2/Base-RCNN-FPN.yaml", "detectron2/COCO-Detection_faster_rcnn_R_50_FPN_3x.yaml"


@pytest.mark.parametrize("files,facts,expected", [
    # mmdetection's 1x schedule: LinearLR(start_factor=0.001, end=500 iterations) × MultiStepLR([8, 11] epochs):
    # mmengine multiplies; LinearLR reaches 1 at end - 1 = 499
    ((MMENGINE_1X,), {"epoch_length": 100},
     WarmupDecay(0.02, Warmup("linear", 499, factor=0.001), Decay("multistep", milestones=[800, 1100], gamma=0.1),
                 "multiply", 1200)),
    ((MMENGINE_1X,), {"epoch_length": 7330},  # COCO at 16 images per iteration
     WarmupDecay(0.02, Warmup("linear", 499, factor=0.001),
                 Decay("multistep", milestones=[8 * 7330, 11 * 7330], gamma=0.1), "multiply", 12 * 7330)),
    # detectron2: WarmupParamScheduler over MultiStepParamScheduler: a Join of the ramp and the steps, whose clock
    # restarts after the 1,000-iteration warmup (so its milestones are 1,000 earlier on it)
    ((D2_BASE, D2_3X), {},
     WarmupDecay(0.02, Warmup("linear", 1000, factor=0.001),
                 Decay("piecewise", milestones=[209000, 249000], values=[1.0, 0.1, 0.1 * 0.1]), "prepend", 270000)),
    ((D2_BASE,), {},
     WarmupDecay(0.02, Warmup("linear", 1000, factor=0.001),
                 Decay("piecewise", milestones=[59000, 79000], values=[1.0, 0.1, 0.1 * 0.1]), "prepend", 90000)),
])
def test_real_composite_configs_convert_exactly(files, facts, expected):
    composite = from_config(text(*files), **facts)
    assert isinstance(composite, (Join, Product))
    pair = as_warmup_decay(composite)
    assert pair == expected
    every_step_equal(pair, composite, pair.warmup.steps)


@pytest.mark.parametrize("files,facts,why", [
    # RTMDet: a constant stretch between the warmup and the cosine, and a cosine frozen at its value at end - 1
    (("mmengine/schedule_1x.py", "mmengine/rtmdet_l_8xb32-300e_coco.py"), {"dataset_size": 117266, "world_size": 8},
     "warmup, hold, then a frozen cosine"),
    # NeMo NoamAnnealing: step 0 repeats step 1, then a linear warmup over W - 1 steps: no single ramp from step 0
    (("nemo/conformer_ctc_bpe.yaml",), {"dataset_size": 281241, "world_size": 8}, "step 0 repeats step 1"),
])
def test_real_composites_that_are_not_pairs_give_none(files, facts, why):
    composite = from_config("\n".join((CONFIGS / f).read_text() for f in files), **facts)
    assert isinstance(composite, (Join, Product))
    assert as_warmup_decay(composite) is None, why


@pytest.mark.parametrize("name,params,convention", [
    ("SequentialLR", dict(schedulers=[("LinearLR", dict(start_factor=0.1, total_iters=20)),
                                      ("CosineAnnealingLR", dict(T_max=280))], milestones=[20]), "prepend"),
    ("SequentialLR", dict(schedulers=[("ConstantLR", dict(factor=0.1, total_iters=25)),
                                      ("ExponentialLR", dict(gamma=0.99))], milestones=[25]), "prepend"),
    ("SequentialLR", dict(schedulers=[("LinearLR", dict(start_factor=0.01, total_iters=50)),
                                      ("MultiStepLR", dict(milestones=[100, 200]))], milestones=[50]), "prepend"),
    ("ChainedScheduler", dict(schedulers=[("LinearLR", dict(start_factor=0.1, total_iters=20)),
                                          ("CosineAnnealingLR", dict(T_max=300))]), "multiply"),
    ("ChainedScheduler", dict(schedulers=[("ConstantLR", dict(factor=0.1, total_iters=25)),
                                          ("MultiStepLR", dict(milestones=[100]))]), "multiply"),
])
def test_torch_compositions_of_a_warmup_and_a_decay_convert(name, params, convention):
    composite = compat.build("torch", name, base_lr=0.1, **params)
    pair = as_warmup_decay(with_total_steps(composite, 300))
    assert pair is not None and pair.convention == convention and pair.base_lr == 0.1
    every_step_equal(pair, with_total_steps(composite, 300), pair.warmup.steps)


def _warm(W=20, f=0.1, lr=0.1):
    return WarmupDecay(lr, Warmup("linear", W, factor=f), Decay("constant"))


@pytest.mark.parametrize("composite,why", [
    (Join([_warm(), WarmupDecay(0.1, decay=Decay("cosine", steps=100))], [25], 200),
     "the ramp ends at 20, the cosine starts at 25 (a hold between)"),
    (Join([_warm(), WarmupDecay(0.1 * (1 + 1e-9), decay=Decay("cosine", steps=100))], [20], 200),
     "the decay starts 1e-9 above the warmup's peak: close is not equal"),
    (Join([_warm(), WarmupDecay(0.05, decay=Decay("cosine", steps=100))], [20], 200),
     "the decay starts at half the warmup's peak"),
    (Join([_warm(), WarmupDecay(0.1, decay=Decay("cosine", steps=100)),
           WarmupDecay(0.1, decay=Decay("cosine", steps=50))], [20, 120], 200), "a restart"),
    (Product([WarmupDecay(0.1, decay=Decay("cosine", steps=100)), WarmupDecay(0.1, decay=Decay("linear", steps=80))]),
     "two decays multiplied"),
    (Join([WarmupDecay(0.1, decay=Decay("cosine", steps=100)), _warm()], [100], 200), "a decay, then a warmup"),
    (Join([_warm(), WarmupDecay(0.1, decay=Decay("cosine", steps=100), offset=3)], [20], 200),
     "the decay's clock is 3 steps ahead"),
    (Product([WarmupDecay(0.1, decay=Decay("piecewise", milestones=[0], values=[1.0, 0.0])),
              Join([WarmupDecay(0.1), WarmupDecay(0.1, decay=Decay("cosine", steps=100))], [10])], total_steps=200),
     "an lr of 0 throughout: no peak for a warmup to be a fraction of"),
])
def test_composites_that_are_not_a_pair_give_none(composite, why):
    assert as_warmup_decay(composite) is None, why


def test_a_pair_is_its_own_pair_and_nesting_is_seen_through():
    pair = WarmupDecay(0.1, Warmup("linear", 20, factor=0.1), Decay("cosine", steps=180), "prepend", 200)
    assert as_warmup_decay(pair) is pair
    nested = Join([Join([_warm(), WarmupDecay(0.1)], [20]), WarmupDecay(0.1, decay=Decay("cosine", steps=180))],
                  [20], 200)
    got = as_warmup_decay(nested)
    assert got == pair
    every_step_equal(got, nested, 20)
    assert as_warmup_decay(from_dict(nested.to_dict())) == pair


def test_random_joins_and_products_are_converted_exactly_or_not_at_all():
    """Random warmups joined / multiplied to random decays at random boundaries and lrs: whatever is returned
    equals the composite at every step; the aligned ones (boundary = W, same lr) are always found."""
    rng = np.random.default_rng(9)
    decays = [lambda: Decay("cosine", steps=int(rng.integers(20, 300)), floor=float(rng.choice([0, 0.1])),
                            clamp=bool(rng.integers(2))),
              lambda: Decay("multistep", milestones=sorted(rng.integers(0, 300, 2).tolist()), gamma=0.5),
              lambda: Decay("linear", steps=int(rng.integers(10, 200))),
              lambda: Decay("exponential", gamma=0.99),
              lambda: Decay("step", step_size=int(rng.integers(5, 60)), gamma=0.7)]
    found = 0
    for i in range(150):
        W = int(rng.integers(1, 60))
        B = W if i % 2 else int(rng.integers(1, 80))
        lr2 = 0.1 if i % 3 else float(rng.choice([0.1, 0.05]))
        warm = WarmupDecay(0.1, Warmup(str(rng.choice(["linear", "constant", "cosine"])), W,
                                       factor=float(rng.choice([0.0, 0.01, 0.3]))), Decay("constant"))
        decay = WarmupDecay(lr2, decay=decays[i % len(decays)]())
        composite = Join([warm, decay], [B], 400) if i % 4 else Product([warm, decay], 0.1, 400)
        pair = as_warmup_decay(composite)
        aligned = lr2 == 0.1 and (B == W or i % 4 == 0)
        if aligned:
            assert pair is not None, composite
        if pair is not None:
            found += 1
            every_step_equal(pair, composite, W)
    assert found >= 60


def test_with_total_steps_and_leaves():
    composite = from_config(text(MMENGINE_1X), epoch_length=100)
    shorter = with_total_steps(composite, 600)
    assert shorter.total_steps == 600 and type(shorter) is type(composite)
    np.testing.assert_array_equal(shorter(np.arange(900)), composite(np.arange(900)))
    assert leaves(composite) == 4 and leaves(_warm()) == 1


def test_with_base_lr_scales_every_part_by_one_factor():
    """The Train page runs a Compare strategy at its own target lr: a join's or product's every part
    scales by the same factor, so the shape and every step count stay as they were."""
    t = np.arange(1000, dtype=np.float64)
    for composite in (from_config(text(MMENGINE_1X), epoch_length=100),  # a product (mmengine list)
                      Join([_warm(), WarmupDecay(0.05, decay=Decay("cosine", steps=280))], [20], 300)):
        scaled = with_base_lr(composite, 3.0)
        assert scaled.base_lr == 3.0 and type(scaled) is type(composite)
        assert scaled.total_steps == composite.total_steps
        np.testing.assert_allclose(scaled(t), composite(t) * (3.0 / composite.base_lr), rtol=1e-12)
    pair = _warm()
    assert with_base_lr(pair, 0.7) == pair.replace(base_lr=0.7)


def test_an_epoch_stepped_cosine_after_an_iteration_warmup_converts():
    """mmpretrain's pattern (written here, not copied): LinearLR over 5 epochs converted to iterations (it reaches 1
    at end - 1), then CosineAnnealingLR stepped per epoch (a staircase) from epoch 5, frozen at its end. The
    staircase's clock starts one step after the ramp: its milestones move one step later, a linear warmup of
    5 L - 1 steps prepended."""
    text = ("param_scheduler = [\n"
            "    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),\n"
            "    dict(type='CosineAnnealingLR', T_max=295, eta_min=1e-5, by_epoch=True, begin=5, end=300)]\n"
            "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4))\n"
            "train_cfg = dict(by_epoch=True, max_epochs=300)\n")
    composite = from_config(text, "mmengine", epoch_length=100)
    pair = as_warmup_decay(composite)
    assert (pair.warmup, pair.convention, pair.decay.name) == (Warmup("linear", 499, factor=1e-3), "prepend",
                                                              "piecewise")
    assert list(pair.decay_params["milestones"][:2]) == [101, 201]
    every_step_equal(pair, composite, 499)


def test_random_nested_compositions_never_raise_and_are_exact_when_converted():
    """Joins and products nested three deep over warmups and decays (zeros, offsets, restarts included):
    ``as_warmup_decay`` returns None or a pair equal at every step, and never raises."""
    rng = np.random.default_rng(17)

    def leaf():
        k = int(rng.integers(7))
        lr = float(rng.choice([0.1, 0.05]))
        if k == 0:
            return WarmupDecay(lr, Warmup(str(rng.choice(["linear", "constant", "exponential"])),
                                          int(rng.integers(1, 40)), factor=float(rng.choice([0.01, 0.5]))))
        if k == 1:
            return WarmupDecay(lr, decay=Decay("piecewise", milestones=[int(rng.integers(0, 50))],
                                               values=[1.0, float(rng.choice([0.0, 0.3]))]))
        if k == 2:
            return WarmupDecay(lr, decay=Decay("multistep", milestones=sorted(rng.integers(0, 120, 2).tolist())),
                               offset=int(rng.choice([0, 0, 3])))
        if k == 3:
            return WarmupDecay(lr, decay=Decay("cosine", steps=int(rng.integers(10, 150)), clamp=bool(rng.integers(2))))
        if k == 4:
            return WarmupDecay(lr, Warmup("linear", int(rng.integers(1, 30))), Decay("linear", steps=60), "multiply")
        if k == 5:
            return WarmupDecay(lr, decay=Decay("cosine_restarts", period=float(rng.integers(5, 40))))
        return WarmupDecay(lr)

    def node(depth):
        if depth == 0 or rng.random() < 0.35:
            return leaf()
        n = int(rng.integers(1, 4))
        parts = [node(depth - 1) for _ in range(n)]
        if rng.random() < 0.6:
            return Join(parts, sorted(rng.integers(0, 100, n - 1).tolist()))
        return Product(parts)

    converted = 0
    for _ in range(300):
        composite = node(3)
        if not isinstance(composite, (Join, Product)):
            continue
        composite = with_total_steps(composite, 200)
        pair = as_warmup_decay(composite)
        if pair is not None:
            converted += 1
            t = np.arange(400, dtype=np.float64)
            np.testing.assert_allclose(pair(t), composite(t), rtol=1e-12, atol=0)
    assert converted >= 20


def test_a_part_keeps_the_decay_length_it_filled_from_its_own_length():
    """A part whose cosine filled its length from its own total_steps (100) keeps it inside a longer join (whose
    second part holds the cosine's floor, 0.1 × 0.1)."""
    part = WarmupDecay(0.1, Warmup("linear", 10), Decay("cosine", floor=0.1), "prepend", 100)
    composite = Join([part, WarmupDecay(0.1 * 0.1)], [1000], total_steps=400)
    pair = as_warmup_decay(composite)
    assert pair is not None and pair.decay_params["steps"] == 90 and pair.total_steps == 400
    every_step_equal(pair, composite, 10)
