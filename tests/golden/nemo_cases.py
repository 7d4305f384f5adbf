"""The NeMo cases recorded in nemo.json (by scripts/make_nemo_golden.py) and checked by
tests/test_frameworks_nemo.py: (class, optimizer lr, kwargs). Edges: no warmup, warmup 1, warmup_ratio,
warmup = max_steps, steps past max_steps, constant_steps, min_lr."""

N_STEPS = 40

CASES = [
    ("CosineAnnealing", 1.0, {"max_steps": 30, "warmup_steps": 5}),
    ("CosineAnnealing", 0.5, {"max_steps": 30, "warmup_ratio": 0.1, "min_lr": 0.01}),
    ("CosineAnnealing", 0.5, {"max_steps": 30, "warmup_steps": 5, "constant_steps": 5, "min_lr": 0.01}),
    ("CosineAnnealing", 0.5, {"max_steps": 30, "warmup_ratio": 0.2, "constant_ratio": 0.1}),
    ("CosineAnnealing", 0.5, {"max_steps": 30, "constant_steps": 10}),
    ("CosineAnnealing", 1.0, {"max_steps": 30}),
    ("CosineAnnealing", 1.0, {"max_steps": 30, "warmup_steps": 1}),
    ("CosineAnnealing", 1.0, {"max_steps": 30, "warmup_steps": 29}),
    ("WarmupAnnealing", 1.0, {"max_steps": 30, "warmup_steps": 5}),
    ("WarmupAnnealing", 0.3, {"max_steps": 30, "warmup_ratio": 0.25, "min_lr": 0.03}),
    ("WarmupAnnealing", 0.3, {"max_steps": 30}),
    ("WarmupAnnealing", 0.3, {"max_steps": 30, "warmup_steps": 30}),
    ("NoamAnnealing", 1.0, {"d_model": 256, "warmup_steps": 8}),
    ("NoamAnnealing", 2.0, {"d_model": 64, "warmup_steps": 8, "min_lr": 0.05}),
    ("NoamAnnealing", 2.0, {"d_model": 64, "warmup_ratio": 0.25, "max_steps": 20}),
    ("NoamAnnealing", 1.0, {"d_model": 16, "warmup_steps": 1}),
    ("NoamAnnealing", 1.0, {"d_model": 16, "min_lr": 0.02}),
    ("WarmupHoldPolicy", 1.0, {"max_steps": 30, "warmup_steps": 5, "hold_steps": 10}),
    ("WarmupHoldPolicy", 0.2, {"max_steps": 30, "warmup_ratio": 0.1, "hold_ratio": 0.5, "min_lr": 0.01}),
    ("WarmupHoldPolicy", 0.2, {"max_steps": 30, "min_lr": 0.01}),
]
