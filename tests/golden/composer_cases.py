"""The Composer cases recorded in composer.json (by scripts/make_composer_golden.py) and checked by
tests/test_frameworks_composer.py: (scheduler class, its kwargs, Trainer max_duration, dataloader_len).
Edges: warmup "0ba", warmup as a fraction of an epoch-based max_duration, t_max = t_warmup, alpha_i != 1,
steps past max_duration (t_max longer than training)."""

N_STEPS = 60

CASES = [
    ("LinearWithWarmupScheduler", {"t_warmup": "5ba"}, "40ba", None),
    ("LinearWithWarmupScheduler", {"t_warmup": "0.1dur", "alpha_f": 0.1}, "4ep", 10),
    ("LinearWithWarmupScheduler", {"t_warmup": "1ep", "alpha_i": 0.5, "alpha_f": 0.05, "t_max": "50ba"}, "40ba", 8),
    ("LinearWithWarmupScheduler", {"t_warmup": "0ba"}, "30ba", None),
    ("LinearWithWarmupScheduler", {"t_warmup": "20ba", "t_max": "20ba"}, "20ba", None),
    ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "5ba"}, "40ba", None),
    ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "0.05dur", "alpha_f": 0.1}, "5ep", 9),
    ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "2ep", "t_max": "1.5dur"}, "3ep", 7),
    ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "1ba"}, "45ba", None),
]
