"""The Megatron-core cases recorded in megatron.json (by scripts/make_megatron_golden.py) and checked by
tests/test_frameworks_megatron.py: OptimizerParamScheduler keyword arguments (weight decay ones omitted; the
script fills neutral values). Edges: no warmup, warmup 1, warmup = decay - 1, steps past lr_decay_steps."""

N_STEPS = 40

CASES = [
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.1, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "cosine"},
    {"init_lr": 0.01, "max_lr": 0.5, "min_lr": 0.0, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "linear"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.0, "lr_warmup_steps": 8, "lr_decay_steps": 30,
     "lr_decay_style": "constant"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.2, "lr_warmup_steps": 4, "lr_decay_steps": 30,
     "lr_decay_style": "inverse-square-root"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.3, "lr_warmup_steps": 0, "lr_decay_steps": 25,
     "lr_decay_style": "inverse-square-root"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.0, "lr_warmup_steps": 0, "lr_decay_steps": 30,
     "lr_decay_style": "cosine"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.05, "lr_warmup_steps": 1, "lr_decay_steps": 30,
     "lr_decay_style": "linear"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.05, "lr_warmup_steps": 29, "lr_decay_steps": 30,
     "lr_decay_style": "cosine"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.1, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "WSD", "wsd_decay_steps": 10, "lr_wsd_decay_style": "linear"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.1, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "WSD", "wsd_decay_steps": 10, "lr_wsd_decay_style": "cosine"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.1, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "WSD", "wsd_decay_steps": 10, "lr_wsd_decay_style": "exponential"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.0, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "WSD", "wsd_decay_steps": 10, "lr_wsd_decay_style": "minus_sqrt"},
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.1, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "WSD", "wsd_decay_steps": 28, "lr_wsd_decay_style": "linear"},  # anneal starts in warmup
    {"init_lr": 0.0, "max_lr": 1.0, "min_lr": 0.1, "lr_warmup_steps": 5, "lr_decay_steps": 30,
     "lr_decay_style": "WSD", "wsd_decay_steps": 0, "lr_wsd_decay_style": "linear"},
]
