"""Starting points from real libraries and papers: the app's one preset registry.

Each :class:`Preset` builds its schedule through ``warmup_core.compat`` (or the core directly where
the recipe is a paper's) from a few *knobs*: the on-screen controls that are that library's own
parameters (peak lr, training length, W, warmup factor). Editing a knob rebuilds the schedule as the
library would compute it (HF cosine: W or N changes, the decay length follows); editing anything
else makes the schedule the user's own ("custom"), and the page says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from warmup_core import Decay, Schedule, Warmup, compat

CUSTOM = "custom"
NONE = "—"


@dataclass(frozen=True)
class Preset:
    label: str
    source: str  # one line: the library call or the paper's recipe
    build: Callable[..., Schedule]  # build(**knobs) -> Schedule
    knobs: dict = field(default_factory=dict)  # control name -> the recipe's value
    steps_per_epoch: int | None = None  # an epoch-based recipe: its epochs are shown

    def schedule(self, **changes) -> Schedule:
        unknown = sorted(set(changes) - set(self.knobs))
        if unknown:
            raise ValueError(f"{self.label}: {unknown} are not its parameters; it has {sorted(self.knobs)}")
        return self.build(**{**self.knobs, **changes})

    def knobs_of(self, schedule: Schedule) -> dict:
        """The knob values a schedule shows on screen."""
        values = {"base_lr": schedule.base_lr, "total_steps": schedule.total_steps,
                  "warmup_steps": schedule.warmup.steps, "warmup_factor": schedule.warmup.factor}
        return {k: values[k] for k in self.knobs}


def _hf(name, **fixed):
    return lambda base_lr, total_steps, warmup_steps: compat.build(
        "transformers", name, base_lr=base_lr, num_warmup_steps=warmup_steps, num_training_steps=total_steps,
        **fixed)


_LIST = [
    Preset("HF transformers: cosine with warmup",
           "transformers get_scheduler('cosine', num_warmup_steps=W, num_training_steps=N), lr 5e-5",
           _hf("cosine"), {"base_lr": 5e-5, "total_steps": 10_000, "warmup_steps": 500}),
    Preset("HF transformers: linear with warmup",
           "transformers get_linear_schedule_with_warmup(num_warmup_steps=W, num_training_steps=N) (BERT style)",
           _hf("linear"), {"base_lr": 5e-5, "total_steps": 10_000, "warmup_steps": 1_000}),
    Preset("maskrcnn-benchmark: WarmupMultiStepLR",
           "SOLVER: BASE_LR 0.02, STEPS (60000, 80000), WARMUP_FACTOR 1/3, WARMUP_ITERS 500, linear, MAX_ITER 90000",
           lambda base_lr, total_steps, warmup_steps, warmup_factor: compat.build(
               "maskrcnn", "WarmupMultiStepLR", base_lr=base_lr, milestones=[60_000, 80_000],
               warmup_factor=warmup_factor, warmup_iters=warmup_steps).replace(total_steps=total_steps),
           {"base_lr": 0.02, "total_steps": 90_000, "warmup_steps": 500, "warmup_factor": 1 / 3}),
    Preset("ResNet-110 (He et al. 2016): constant warmup",
           "lr 0.01 for ~400 iterations, then 0.1; ÷10 at 32k and 48k iterations; 64k in all",
           lambda base_lr, total_steps, warmup_steps, warmup_factor: Schedule(
               base_lr, Warmup("constant", warmup_steps, factor=warmup_factor),
               Decay("multistep", milestones=[32_000, 48_000]), "prepend", total_steps),
           {"base_lr": 0.1, "total_steps": 64_000, "warmup_steps": 400, "warmup_factor": 0.1}),
    Preset("Goyal et al. 2017: ImageNet in 1 hour (batch 8192)",
           "linear scaling rule lr = 0.1·8192/256 = 3.2, gradual warmup from 0.1 over 5 epochs, ÷10 at 30, 60, 80; "
           "90 epochs of 156 steps",
           lambda base_lr, total_steps, warmup_steps, warmup_factor: Schedule(
               base_lr, Warmup("linear", warmup_steps, factor=warmup_factor),
               Decay("multistep", milestones=[30 * 156, 60 * 156, 80 * 156]), "multiply", total_steps),
           {"base_lr": 0.1 * 8192 / 256, "total_steps": 90 * 156, "warmup_steps": 5 * 156,
            "warmup_factor": 0.1 / (0.1 * 8192 / 256)}, steps_per_epoch=156),
    Preset("timm: CosineLRScheduler with warmup prefix",
           "CosineLRScheduler(t_initial=N−W, warmup_t=W, warmup_lr_init=1e-6, warmup_prefix=True, lr_min=1e-5)",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "timm", "CosineLRScheduler", base_lr=base_lr, t_initial=max(total_steps - warmup_steps, 1),
               warmup_t=warmup_steps, warmup_lr_init=1e-6, warmup_prefix=True, lr_min=1e-5)
           .replace(total_steps=total_steps),
           {"base_lr": 1e-3, "total_steps": 10_000, "warmup_steps": 500}),
    Preset("timm: CosineLRScheduler without prefix (drop at the end of warmup)",
           "CosineLRScheduler(t_initial=N, warmup_t=W, warmup_lr_init=1e-6): the cosine keeps the global clock "
           "(pytorch-image-models#1242)",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "timm", "CosineLRScheduler", base_lr=base_lr, t_initial=total_steps, warmup_t=warmup_steps,
               warmup_lr_init=1e-6).replace(total_steps=total_steps),
           {"base_lr": 1e-3, "total_steps": 10_000, "warmup_steps": 2_000}),
    Preset("tf-yolov3: linear warmup + cosine",
           "WARMUP_EPOCHS 2, 50 epochs (1000 steps each), LEARN_RATE_INIT 1e-4, LEARN_RATE_END 1e-6",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "yolov3", "learn_rate", learn_rate_init=base_lr, learn_rate_end=1e-6, warmup_steps=warmup_steps,
               train_steps=total_steps),
           {"base_lr": 1e-4, "total_steps": 50_000, "warmup_steps": 2_000}, steps_per_epoch=1000),
    Preset("nanoGPT: GPT-2 124M",
           "learning_rate 6e-4, warmup_iters 2000, lr_decay_iters 600000 (= N), min_lr 6e-5",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "nanogpt", "get_lr", learning_rate=base_lr, warmup_iters=warmup_steps, lr_decay_iters=total_steps),
           {"base_lr": 6e-4, "total_steps": 600_000, "warmup_steps": 2_000}),
    Preset("Noam (Transformer base, Vaswani et al. 2017)",
           "d_model^-0.5 · min(step^-0.5, step · W^-1.5), d_model 512: the peak lr follows from d_model and W",
           lambda total_steps, warmup_steps: compat.build(
               "noam", "noam", d_model=512, warmup_steps=warmup_steps).replace(total_steps=total_steps),
           {"total_steps": 100_000, "warmup_steps": 4_000}),
    Preset("optax: warmup_cosine_decay_schedule",
           "init 0, peak 1e-3, warmup W, decay_steps N (counts the warmup), end 1e-5",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "optax", "warmup_cosine_decay_schedule", init_value=0.0, peak_value=base_lr,
               warmup_steps=warmup_steps, decay_steps=total_steps, end_value=1e-5),
           {"base_lr": 1e-3, "total_steps": 10_000, "warmup_steps": 1_000}),
    Preset("Keras: CosineDecay with warmup",
           "CosineDecay(0.0, decay_steps=N−W, warmup_target=1e-3, warmup_steps=W): decay_steps excludes warmup",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "keras", "CosineDecay", initial_learning_rate=0.0, decay_steps=max(total_steps - warmup_steps, 1),
               warmup_target=base_lr, warmup_steps=warmup_steps).replace(total_steps=total_steps),
           {"base_lr": 1e-3, "total_steps": 10_000, "warmup_steps": 1_000}),
    Preset("Untuned linear warmup (Ma & Yarats 2019) × cosine",
           "pytorch_warmup.UntunedLinearWarmup over CosineAnnealingLR: τ = 2/(1−β₂) ≈ 2000 steps",
           lambda base_lr, total_steps: Schedule(base_lr, Warmup("untuned_linear", beta2=0.999), Decay("cosine"),
                                                 "multiply", total_steps),
           {"base_lr": 1e-3, "total_steps": 20_000}),
    Preset("Warmup-stable-decay (MiniCPM style)",
           "transformers get_wsd_schedule(num_warmup_steps=W, num_training_steps=N, num_decay_steps=2000, "
           "decay_type='1-sqrt')",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "transformers", "warmup_stable_decay", base_lr=base_lr, num_warmup_steps=warmup_steps,
               num_training_steps=total_steps, num_decay_steps=2_000, decay_type="1-sqrt"),
           {"base_lr": 1e-2, "total_steps": 20_000, "warmup_steps": 500}),
    Preset("torch OneCycleLR",
           "OneCycleLR(max_lr, total_steps=N): pct_start 0.3, div 25, final_div 1e4",
           lambda base_lr, total_steps: compat.build("torch", "OneCycleLR", max_lr=base_lr, total_steps=total_steps),
           {"base_lr": 0.1, "total_steps": 10_000}),
    # the frameworks added in issue #9 §3, each through its own names
    Preset("DeepSpeed: WarmupDecayLR (log warmup)",
           "ds_config scheduler WarmupDecayLR: total_num_steps N, warmup_max_lr 1e-3, warmup_num_steps W, log",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "deepspeed", "WarmupDecayLR", total_num_steps=total_steps, warmup_min_lr=0.0, warmup_max_lr=base_lr,
               warmup_num_steps=warmup_steps),
           {"base_lr": 1e-3, "total_steps": 10_000, "warmup_steps": 1_000}),
    Preset("Megatron-core: cosine with min_lr",
           "--lr 3e-4 --min-lr 3e-5 --lr-warmup-iters W --lr-decay-iters N --lr-decay-style cosine",
           lambda base_lr, total_steps, warmup_steps: compat.build(
               "megatron", "OptimizerParamScheduler", init_lr=0.0, max_lr=base_lr, min_lr=3e-5,
               lr_warmup_steps=warmup_steps, lr_decay_steps=total_steps, lr_decay_style="cosine"),
           {"base_lr": 3e-4, "total_steps": 100_000, "warmup_steps": 2_000}),
    Preset("NeMo: CosineAnnealing with warmup_ratio",
           "sched: name CosineAnnealing, warmup_ratio 0.05, min_lr 2e-5, max_steps N (lr 2e-4)",
           lambda base_lr, total_steps: compat.build(
               "nemo", "CosineAnnealing", base_lr=base_lr, max_steps=total_steps, warmup_ratio=0.05, min_lr=2e-5),
           {"base_lr": 2e-4, "total_steps": 20_000}),
    Preset("Ultralytics YOLO: default train (100 epochs)",
           "model.train(epochs=100, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=False), 100 batches per epoch",
           lambda: compat.build("ultralytics", "train", epochs=100, nb=100), {}, steps_per_epoch=100),
    Preset("Composer: CosineAnnealingWithWarmupScheduler",
           "CosineAnnealingWithWarmupScheduler(t_warmup='0.02dur', alpha_f=0.1), max_duration '10ep', 1000 batches",
           lambda base_lr: compat.build(
               "composer", "CosineAnnealingWithWarmupScheduler", base_lr=base_lr, t_warmup="0.02dur", alpha_f=0.1,
               max_duration="10ep", dataloader_len=1_000),
           {"base_lr": 6e-4}, steps_per_epoch=1_000),
    Preset("fastai: fit_one_cycle",
           "learn.fit_one_cycle(10, lr_max=1e-3): div 25, div_final 1e5, pct_start 0.25; 500 batches per epoch",
           lambda base_lr: compat.build("fastai", "fit_one_cycle", base_lr=base_lr, n_epoch=10, n_iter=500),
           {"base_lr": 1e-3}, steps_per_epoch=500),
    Preset("PyTorch: CyclicLR triangular2",
           "CyclicLR(base_lr=1e-4, max_lr=1e-2, step_size_up=2000, mode='triangular2'), 4 cycles",
           lambda total_steps: compat.build("torch", "CyclicLR", base_lr=1e-4, max_lr=1e-2, step_size_up=2_000,
                                            mode="triangular2").replace(total_steps=total_steps),
           {"total_steps": 16_000}),
]

PRESETS: dict[str, Preset] = {p.label: p for p in _LIST}


def preset(label: str) -> Schedule:
    """The schedule of a preset at its recipe's values."""
    if label not in PRESETS:
        raise ValueError(f"unknown preset {label!r}; valid presets are {sorted(PRESETS)}")
    return PRESETS[label].schedule()


def short_name(label: str) -> str:
    """The strategy name a preset gets on the Compare page: 'HF transformers' for 'HF transformers: …'."""
    return label.split(":")[0]
