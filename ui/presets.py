"""Starting points from real libraries and papers, each built through ``warmup_core.compat`` (or
the core directly where the recipe is a paper's) so the app shows what the library would run."""

from __future__ import annotations

from warmup_core import Decay, Schedule, Warmup, compat
from warmup_core.libraries._presets import presets as framework_presets

# label -> (how it is built, a one-line source)
PRESETS = {
    "HF transformers: cosine with warmup": (
        lambda: compat.build("transformers", "cosine", base_lr=5e-5, num_warmup_steps=500, num_training_steps=10_000),
        "transformers get_scheduler('cosine', num_warmup_steps=500, num_training_steps=10000), lr 5e-5"),
    "HF transformers: linear with warmup": (
        lambda: compat.build("transformers", "linear", base_lr=5e-5, num_warmup_steps=1_000,
                             num_training_steps=10_000),
        "transformers get_linear_schedule_with_warmup (BERT fine-tuning style)"),
    "maskrcnn-benchmark: WarmupMultiStepLR": (
        lambda: compat.build("maskrcnn", "WarmupMultiStepLR", base_lr=0.02, milestones=[60_000, 80_000])
        .replace(total_steps=90_000),
        "SOLVER: BASE_LR 0.02, STEPS (60000, 80000), WARMUP_FACTOR 1/3, WARMUP_ITERS 500, linear, MAX_ITER 90000"),
    "ResNet-110 (He et al. 2016): constant warmup": (
        lambda: Schedule(0.1, Warmup("constant", 400, factor=0.1), Decay("multistep", milestones=[32_000, 48_000]),
                         "prepend", 64_000),
        "lr 0.01 for ~400 iterations, then 0.1; ÷10 at 32k and 48k iterations; 64k in all"),
    "Goyal et al. 2017: ImageNet in 1 hour (batch 8192)": (
        lambda: Schedule(0.1 * 8192 / 256, Warmup("linear", 5 * 156, factor=0.1 / (0.1 * 8192 / 256)),
                         Decay("multistep", milestones=[30 * 156, 60 * 156, 80 * 156]), "multiply", 90 * 156),
        "linear scaling rule lr = 0.1·8192/256 = 3.2, gradual warmup from 0.1 over 5 epochs, ÷10 at 30, 60, 80"),
    "timm: CosineLRScheduler with warmup prefix": (
        lambda: compat.build("timm", "CosineLRScheduler", base_lr=1e-3, t_initial=9_500, warmup_t=500,
                             warmup_lr_init=1e-6, warmup_prefix=True, lr_min=1e-5).replace(total_steps=10_000),
        "CosineLRScheduler(t_initial=9500, warmup_t=500, warmup_lr_init=1e-6, warmup_prefix=True, lr_min=1e-5)"),
    "timm: CosineLRScheduler without prefix (drop at the end of warmup)": (
        lambda: compat.build("timm", "CosineLRScheduler", base_lr=1e-3, t_initial=10_000, warmup_t=2_000,
                             warmup_lr_init=1e-6).replace(total_steps=10_000),
        "warmup_prefix=False: the cosine keeps the global clock (pytorch-image-models#1242)"),
    "tf-yolov3: linear warmup + cosine": (
        lambda: compat.build("yolov3", "learn_rate", learn_rate_init=1e-4, learn_rate_end=1e-6, warmup_steps=2_000,
                             train_steps=50_000),
        "WARMUP_EPOCHS 2, 50 epochs (1000 steps each), LEARN_RATE_INIT 1e-4, LEARN_RATE_END 1e-6"),
    "nanoGPT: GPT-2 124M": (
        lambda: compat.build("nanogpt", "get_lr"),
        "learning_rate 6e-4, warmup_iters 2000, lr_decay_iters 600000, min_lr 6e-5"),
    "Noam (Transformer base, Vaswani et al. 2017)": (
        lambda: compat.build("noam", "noam", d_model=512, warmup_steps=4_000).replace(total_steps=100_000),
        "d_model^-0.5 · min(step^-0.5, step · 4000^-1.5)"),
    "optax: warmup_cosine_decay_schedule": (
        lambda: compat.build("optax", "warmup_cosine_decay_schedule", init_value=0.0, peak_value=1e-3,
                             warmup_steps=1_000, decay_steps=10_000, end_value=1e-5),
        "init 0, peak 1e-3, warmup 1000, decay_steps 10000 (counts the warmup), end 1e-5"),
    "Keras: CosineDecay with warmup": (
        lambda: compat.build("keras", "CosineDecay", initial_learning_rate=0.0, decay_steps=9_000,
                             warmup_target=1e-3, warmup_steps=1_000),
        "CosineDecay(0.0, decay_steps=9000, warmup_target=1e-3, warmup_steps=1000): decay_steps excludes warmup"),
    "Untuned linear warmup (Ma & Yarats 2019) × cosine": (
        lambda: Schedule(1e-3, Warmup("untuned_linear", beta2=0.999), Decay("cosine"), "multiply", 20_000),
        "pytorch_warmup.UntunedLinearWarmup over CosineAnnealingLR: τ = 2/(1−β₂) ≈ 2000 steps"),
    "Warmup-stable-decay (MiniCPM style)": (
        lambda: compat.build("transformers", "warmup_stable_decay", base_lr=1e-2, num_warmup_steps=500,
                             num_training_steps=20_000, num_decay_steps=2_000, decay_type="1-sqrt"),
        "transformers get_wsd_schedule, 1-sqrt cooldown over the last 10%"),
    "torch OneCycleLR": (
        lambda: compat.build("torch", "OneCycleLR", max_lr=0.1, total_steps=10_000),
        "OneCycleLR(max_lr=0.1, total_steps=10000): pct_start 0.3, div 25, final_div 1e4"),
}
PRESETS.update(framework_presets())  # DeepSpeed, Megatron, NeMo, Ultralytics, Composer, fastai, CyclicLR


def preset(label: str) -> Schedule:
    if label not in PRESETS:
        raise ValueError(f"unknown preset {label!r}; valid presets are {sorted(PRESETS)}")
    return PRESETS[label][0]()
