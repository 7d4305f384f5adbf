"""The timm cases recorded in timm.json (by scripts/make_timm_golden.py) and checked by
tests/test_parity_timm.py: (class, base lr, kwargs)."""

N_STEPS = 60

CASES = [
    ("CosineLRScheduler", 1.0, {"t_initial": 8, "warmup_t": 4, "warmup_lr_init": 0.1}),
    ("CosineLRScheduler", 1.0, {"t_initial": 8, "warmup_t": 4, "warmup_lr_init": 0.1, "warmup_prefix": True}),
    ("CosineLRScheduler", 1.0, {"t_initial": 8, "warmup_t": 4, "warmup_lr_init": 0.0}),
    ("CosineLRScheduler", 0.5, {"t_initial": 10, "lr_min": 0.01, "warmup_t": 1, "warmup_lr_init": 0.001}),
    ("CosineLRScheduler", 1.0, {"t_initial": 4, "cycle_limit": 3, "cycle_decay": 0.5}),
    ("CosineLRScheduler", 1.0, {"t_initial": 2, "cycle_mul": 2.0, "cycle_limit": 3}),
    ("CosineLRScheduler", 1.0, {"t_initial": 3, "cycle_mul": 1.5, "cycle_limit": 5, "cycle_decay": 0.8,
                                "lr_min": 0.05}),
    ("CosineLRScheduler", 1.0, {"t_initial": 12, "k_decay": 2.0, "warmup_t": 3, "warmup_prefix": True}),
    ("CosineLRScheduler", 1.0, {"t_initial": 12, "k_decay": 0.5}),
    ("CosineLRScheduler", 1.0, {"t_initial": 5, "cycle_limit": 0}),
    ("PolyLRScheduler", 1.0, {"t_initial": 10}),
    ("PolyLRScheduler", 1.0, {"t_initial": 6, "power": 2.0, "lr_min": 0.1, "cycle_limit": 2, "cycle_decay": 0.5,
                              "warmup_t": 2, "warmup_lr_init": 0.2}),
    ("PolyLRScheduler", 1.0, {"t_initial": 6, "k_decay": 1.5, "warmup_t": 5, "warmup_prefix": True}),
    ("TanhLRScheduler", 1.0, {"t_initial": 10}),
    ("TanhLRScheduler", 1.0, {"t_initial": 10, "warmup_t": 3, "warmup_lr_init": 0.01}),
    ("TanhLRScheduler", 1.0, {"t_initial": 10, "warmup_t": 3, "warmup_lr_init": 0.01, "warmup_prefix": True,
                              "lb": -5.0, "ub": 4.0, "lr_min": 0.1, "cycle_limit": 2}),
    ("StepLRScheduler", 1.0, {"decay_t": 3, "decay_rate": 0.5}),
    ("StepLRScheduler", 1.0, {"decay_t": 4, "decay_rate": 0.1, "warmup_t": 5, "warmup_lr_init": 0.01}),
    ("StepLRScheduler", 1.0, {"decay_t": 4, "decay_rate": 0.1, "warmup_t": 5, "warmup_lr_init": 0.01,
                              "warmup_prefix": False}),
    ("MultiStepLRScheduler", 1.0, {"decay_t": [3, 6], "decay_rate": 0.1}),
    ("MultiStepLRScheduler", 1.0, {"decay_t": [10, 20, 20], "decay_rate": 0.5, "warmup_t": 4,
                                   "warmup_lr_init": 0.1}),
    ("MultiStepLRScheduler", 1.0, {"decay_t": [0, 5], "decay_rate": 0.5}),
]
