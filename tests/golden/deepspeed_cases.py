"""The DeepSpeed cases recorded in deepspeed.json (by scripts/make_deepspeed_golden.py) and checked by
tests/test_frameworks_deepspeed.py: (class, optimizer lr, kwargs). Edges: warmup 1 (raised to 2 by DeepSpeed),
warmup = total, warmup > total, steps past the end, log and linear warmups."""

N_STEPS = 48

CASES = [
    ("WarmupLR", 0.1, {"warmup_min_lr": 0.0, "warmup_max_lr": 0.01, "warmup_num_steps": 10}),
    ("WarmupLR", 0.1, {"warmup_min_lr": 0.001, "warmup_max_lr": 0.01, "warmup_num_steps": 10,
                       "warmup_type": "linear"}),
    ("WarmupLR", 0.1, {"warmup_num_steps": 6}),  # warmup_max_lr None: the optimizer's lr
    ("WarmupLR", 0.1, {"warmup_min_lr": 0.02, "warmup_max_lr": 0.05, "warmup_num_steps": 1}),
    ("WarmupLR", 0.1, {"warmup_min_lr": 0.02, "warmup_max_lr": 0.05, "warmup_num_steps": 1,
                       "warmup_type": "linear"}),
    ("WarmupDecayLR", 0.1, {"total_num_steps": 30, "warmup_num_steps": 8}),
    ("WarmupDecayLR", 0.1, {"total_num_steps": 30, "warmup_min_lr": 1e-4, "warmup_max_lr": 0.003,
                            "warmup_num_steps": 8, "warmup_type": "linear"}),
    ("WarmupDecayLR", 0.1, {"total_num_steps": 8, "warmup_num_steps": 8}),
    ("WarmupDecayLR", 0.1, {"total_num_steps": 5, "warmup_num_steps": 8, "warmup_type": "linear"}),
    ("WarmupDecayLR", 0.1, {"total_num_steps": 9, "warmup_num_steps": 8, "warmup_type": "linear"}),
    ("WarmupCosineLR", 0.1, {"total_num_steps": 30, "warmup_num_steps": 8}),
    ("WarmupCosineLR", 0.5, {"total_num_steps": 30, "warmup_min_ratio": 0.1, "warmup_num_steps": 8,
                             "cos_min_ratio": 0.05, "warmup_type": "linear"}),
    ("WarmupCosineLR", 0.5, {"total_num_steps": 8, "warmup_num_steps": 8, "warmup_type": "linear"}),
    ("WarmupCosineLR", 0.5, {"total_num_steps": 4, "warmup_num_steps": 8}),
    ("WarmupCosineLR", 0.5, {"total_num_steps": 9, "warmup_num_steps": 1, "cos_min_ratio": 0.0}),
    ("OneCycle", 0.1, {"cycle_min_lr": 0.01, "cycle_max_lr": 0.1, "cycle_first_step_size": 5}),
    ("OneCycle", 0.1, {"cycle_min_lr": 0.01, "cycle_max_lr": 0.1, "cycle_first_step_size": 6,
                       "cycle_second_step_size": 4, "decay_lr_rate": 0.5, "decay_step_size": 3}),
    ("OneCycle", 0.1, {"cycle_min_lr": 0.002, "cycle_max_lr": 0.02, "cycle_first_step_size": 3,
                       "cycle_second_step_size": 0, "decay_lr_rate": 0.1, "decay_step_size": 1}),
    ("OneCycle", 0.1, {"cycle_min_lr": 0.01, "cycle_max_lr": 0.01, "cycle_first_step_size": 4,
                       "decay_lr_rate": 0.2, "decay_step_size": 2}),
]
