"""Starting points from the frameworks added in issue #9 §3, for the app's "start from a library" picker
(``ui.presets.PRESETS`` merges them): each built through ``compat.build`` with the framework's own names and
typical settings, so the app shows what the framework would run. All are plain warmup + decay schedules
with a length (the picker's contract)."""

from __future__ import annotations

from .. import compat


def presets() -> dict:
    """``{label: (how it is built, a one-line source)}`` like ``ui.presets.PRESETS``."""
    return {
        "DeepSpeed: WarmupDecayLR (log warmup)": (
            lambda: compat.build("deepspeed", "WarmupDecayLR", total_num_steps=10_000, warmup_min_lr=0.0,
                                 warmup_max_lr=1e-3, warmup_num_steps=1_000),
            "ds_config scheduler WarmupDecayLR: total_num_steps 10000, warmup_max_lr 1e-3, warmup_num_steps 1000, log"),
        "Megatron-core: cosine with min_lr": (
            lambda: compat.build("megatron", "OptimizerParamScheduler", init_lr=0.0, max_lr=3e-4, min_lr=3e-5,
                                 lr_warmup_steps=2_000, lr_decay_steps=100_000, lr_decay_style="cosine"),
            "--lr 3e-4 --min-lr 3e-5 --lr-warmup-iters 2000 --lr-decay-iters 100000 --lr-decay-style cosine"),
        "NeMo: CosineAnnealing with warmup_ratio": (
            lambda: compat.build("nemo", "CosineAnnealing", base_lr=2e-4, max_steps=20_000, warmup_ratio=0.05,
                                 min_lr=2e-5),
            "sched: name CosineAnnealing, warmup_ratio 0.05, min_lr 2e-5, max_steps 20000 (lr 2e-4)"),
        "Ultralytics YOLO: default train (100 epochs)": (
            lambda: compat.build("ultralytics", "train", epochs=100, nb=100),
            "model.train(epochs=100, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=False), 100 batches per epoch"),
        "Composer: CosineAnnealingWithWarmupScheduler": (
            lambda: compat.build("composer", "CosineAnnealingWithWarmupScheduler", base_lr=6e-4, t_warmup="0.02dur",
                                 alpha_f=0.1, max_duration="10ep", dataloader_len=1_000),
            "CosineAnnealingWithWarmupScheduler(t_warmup='0.02dur', alpha_f=0.1), max_duration '10ep', 1000 batches"),
        "fastai: fit_one_cycle": (
            lambda: compat.build("fastai", "fit_one_cycle", base_lr=1e-3, n_epoch=10, n_iter=500),
            "learn.fit_one_cycle(10, lr_max=1e-3): div 25, div_final 1e5, pct_start 0.25; 500 batches per epoch"),
        "PyTorch: CyclicLR triangular2": (
            lambda: compat.build("torch", "CyclicLR", base_lr=1e-4, max_lr=1e-2, step_size_up=2_000,
                                 mode="triangular2").replace(total_steps=16_000),
            "CyclicLR(base_lr=1e-4, max_lr=1e-2, step_size_up=2000, mode='triangular2'), 4 cycles"),
    }
