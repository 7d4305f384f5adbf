"""The mmengine cases recorded in mmengine.json (by scripts/make_mmengine_golden.py) and checked by
tests/test_frameworks_mmengine.py: (optimizer lr, epoch_length, param_scheduler list). Iteration t is the
t-th optimizer update; by_epoch schedulers step after each epoch of epoch_length iterations, as
mmengine's ParamSchedulerHook does."""

N_STEPS = 60

CASES = [
    # warmup by iteration, then cosine by epoch converted to iterations (mmdet / mmpretrain style)
    (0.1, 5, [dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=10),
              dict(type="CosineAnnealingLR", T_max=8, eta_min=0.001, by_epoch=True, begin=2, end=10,
                   convert_to_iter_based=True)]),
    # warmup + multistep, both from 0: multiply
    (1.0, 4, [dict(type="LinearLR", start_factor=0.25, by_epoch=False, begin=0, end=4),
              dict(type="MultiStepLR", milestones=[2, 6], gamma=0.1, by_epoch=False)]),
    # warmup then cosine on its own clock (prepend), the reference note's case
    (1.0, 4, [dict(type="LinearLR", start_factor=0.25, by_epoch=False, end=4),
              dict(type="CosineAnnealingLR", T_max=8, by_epoch=False, begin=4, end=12)]),
    # epoch-stepped schedules (not converted): staircases on the iteration clock
    (0.5, 3, [dict(type="LinearLR", start_factor=0.1, by_epoch=True, begin=0, end=5),
              dict(type="MultiStepLR", milestones=[8, 12], by_epoch=True, begin=0, end=20)]),
    (0.5, 3, [dict(type="CosineAnnealingLR", T_max=10, eta_min_ratio=0.01, by_epoch=True, begin=0, end=10)]),
    (0.5, 2, [dict(type="StepLR", step_size=3, gamma=0.5, by_epoch=True),
              dict(type="ConstantLR", factor=0.5, by_epoch=True, begin=1, end=4)]),
    (0.5, 4, [dict(type="ExponentialLR", gamma=0.9, by_epoch=True, begin=2)]),
    (0.5, 4, [dict(type="PolyLR", eta_min=0.01, power=2.0, by_epoch=False, begin=5, end=45),
              dict(type="ConstantLR", factor=0.1, by_epoch=False, begin=0, end=5)]),
    (0.5, 4, [dict(type="PolyLR", power=1.0, by_epoch=True, begin=0, end=10, convert_to_iter_based=True)]),
    (1.0, 4, [dict(type="ConstantLR", factor=0.5, by_epoch=False, end=1)]),           # end = begin + 1
    (1.0, 4, [dict(type="LinearLR", start_factor=0.5, by_epoch=False, end=1)]),
    (1.0, 4, [dict(type="MultiStepLR", milestones=[0, 3, 3], gamma=0.5, by_epoch=False)]),  # 0 and a repeat
    (1.0, 4, [dict(type="CosineAnnealingLR", by_epoch=False, begin=10, end=30),      # T_max = end - begin
              dict(type="LinearLR", start_factor=0.5, end_factor=0.2, by_epoch=False, begin=30, end=40)]),
]
