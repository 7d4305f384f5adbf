""""Same settings, different libraries" for the frameworks added in issue #9 §3: one nominal configuration
("linear warmup of W steps, cosine to min_lr over N steps") passed to each framework's own parameters of that
name. ``versions(lr, W, N, min_lr)`` returns ``{label: (schedule, the call as written)}`` like
``ui.compare.library_versions``, which merges it. A framework whose words do not apply (fastai's one-cycle
warms up by a cosine, Ultralytics steps per epoch) is left out; one that refuses the numbers (Megatron needs
W < N) is skipped for them.
"""

from __future__ import annotations

from .base import FRAMEWORKS


def _calls(lr: float, W: int, N: int, min_lr: float):
    r = min_lr / lr
    sf = max(1e-3, 1.0 / max(W, 1))
    yield ("DeepSpeed WarmupCosineLR", "deepspeed", "WarmupCosineLR",
           dict(base_lr=lr, total_num_steps=N, warmup_num_steps=W, cos_min_ratio=r, warmup_type="linear"),
           f"WarmupCosineLR(total_num_steps={N}, warmup_num_steps={W}, cos_min_ratio={r:g}, warmup_type='linear')")
    yield ("Megatron OptimizerParamScheduler", "megatron", "OptimizerParamScheduler",
           dict(init_lr=0.0, max_lr=lr, min_lr=min_lr, lr_warmup_steps=W, lr_decay_steps=N, lr_decay_style="cosine"),
           f"OptimizerParamScheduler(init_lr=0.0, max_lr={lr:g}, min_lr={min_lr:g}, lr_warmup_steps={W}, "
           f"lr_decay_steps={N}, lr_decay_style='cosine')")
    yield ("NeMo CosineAnnealing", "nemo", "CosineAnnealing",
           dict(base_lr=lr, max_steps=N, warmup_steps=W, min_lr=min_lr),
           f"CosineAnnealing(max_steps={N}, warmup_steps={W}, min_lr={min_lr:g})")
    yield ("mmengine LinearLR + CosineAnnealingLR", "mmengine", "param_scheduler",
           dict(base_lr=lr, schedulers=[
               dict(type="LinearLR", start_factor=sf, by_epoch=False, begin=0, end=W),
               dict(type="CosineAnnealingLR", T_max=max(N - W, 1), eta_min=min_lr, by_epoch=False, begin=W,
                    end=N)]),
           f"[LinearLR(start_factor={sf:.3g}, end={W}), CosineAnnealingLR(T_max={max(N - W, 1)}, eta_min={min_lr:g}, "
           f"begin={W}, end={N})]  # by_epoch=False")
    yield ("detectron2 WarmupCosineLR", "detectron2", "build_lr_scheduler",
           dict(base_lr=lr, LR_SCHEDULER_NAME="WarmupCosineLR", MAX_ITER=N, WARMUP_ITERS=W, BASE_LR_END=min_lr),
           f"SOLVER: LR_SCHEDULER_NAME=WarmupCosineLR, MAX_ITER={N}, WARMUP_ITERS={W}, BASE_LR_END={min_lr:g}")
    yield ("Composer CosineAnnealingWithWarmupScheduler", "composer", "CosineAnnealingWithWarmupScheduler",
           dict(base_lr=lr, t_warmup=f"{W}ba", alpha_f=r, max_duration=f"{N}ba"),
           f"CosineAnnealingWithWarmupScheduler(t_warmup='{W}ba', alpha_f={r:g})  # max_duration='{N}ba'")


def versions(lr: float, warmup: int, total: int, min_lr: float = 0.0) -> dict:
    out = {}
    for label, key, name, params, text in _calls(lr, warmup, total, min_lr):
        try:
            out[label] = (FRAMEWORKS[key].build(name, **params), text)
        except ValueError:  # these numbers are outside what that framework accepts
            continue
    return out
