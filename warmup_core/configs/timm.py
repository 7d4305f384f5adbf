"""timm ``train.py``: its command-line flags, or the ``args.yaml`` it writes (and reads with ``--config``).

What ``train.py`` does with them (huggingface/pytorch-image-models, train.py and
timm/scheduler/scheduler_factory.py):

* ``--lr`` unset (or 0): ``lr = lr_base · (batch_size · world_size · grad_accum_steps / lr_base_size)``,
  square-rooted for ``sqrt`` scaling (the default for optimizers whose name has ``ada`` or ``lamb``);
* updates per epoch ``U = ceil(len(loader) / grad_accum_steps)``; the training loader drops the last
  partial batch: ``len(loader) = floor(ceil(n / world_size) / batch_size)`` (``DistributedSampler``
  pads each process to ``ceil(n / world_size)`` examples);
* by default the schedule is stepped once per epoch (``lr_scheduler.step(epoch + 1)``): epoch ``e``'s
  value holds for all its updates; ``--sched-on-updates`` steps it per update with every epoch count
  multiplied by ``U``;
* epochs trained: cycle length + ``cooldown_epochs`` for cosine / tanh / poly (warmup included with
  ``--warmup-prefix``), ``warmup_epochs + stable + decay`` for wsd / rsqrt, else ``epochs`` (plus the
  warmup with ``--warmup-prefix``).
"""

from __future__ import annotations

import math

import numpy as np

from ._common import Fact, Facts, Imported, Parsed, check_keys, flag_value, integer, number, number_list, text, to_bool

# train.py's defaults for the flags the schedule reads (argparse defaults; aliases -b, --dr)
DEFAULTS = {
    "lr": None, "lr_base": 0.1, "lr_base_size": 256, "lr_base_scale": "", "opt": "sgd", "batch_size": 128,
    "grad_accum_steps": 1, "sched": "cosine", "sched_on_updates": False, "epochs": 300, "warmup_epochs": 5,
    "warmup_lr": 1e-5, "min_lr": 0.0, "decay_epochs": 90, "decay_milestones": [90, 180, 270], "decay_rate": 0.1,
    "cooldown_epochs": 0, "lr_cycle_mul": 1.0, "lr_cycle_decay": 0.5, "lr_cycle_limit": 1, "lr_k_decay": 1.0,
    "warmup_prefix": False, "lr_noise": None, "lr_decay_fn": None, "lr_stable_timescale": None,
    "epoch_repeats": 0.0,
}
_KINDS = {"lr": "float", "lr_base": "float", "lr_base_size": "int", "lr_base_scale": "str", "opt": "str",
          "batch_size": "int", "grad_accum_steps": "int", "sched": "str", "sched_on_updates": "bool",
          "epochs": "int", "warmup_epochs": "int", "warmup_lr": "float", "min_lr": "float", "decay_epochs": "float",
          "decay_milestones": "int_list", "decay_rate": "float", "cooldown_epochs": "int", "lr_cycle_mul": "float",
          "lr_cycle_decay": "float", "lr_cycle_limit": "int", "lr_k_decay": "float", "warmup_prefix": "bool",
          "lr_noise": "float_list", "lr_decay_fn": "str", "lr_stable_timescale": "float", "epoch_repeats": "float"}
_ALIASES = {"b": "batch_size", "dr": "decay_rate", "vb": "validation_batch_size", "j": "workers"}
# every flag train.py declares (pytorch-image-models aa4b5850), dashes as underscores
FLAGS = frozenset("""
aa amp amp_dtype aug_repeats aug_splits batch_size bce_loss bce_pos_weight bce_sum bce_target_thresh bn_eps
bn_momentum c channels_last checkpoint_hist class_map clip_grad clip_mode color_jitter color_jitter_prob
config cooldown_epochs crop_pct cutmix cutmix_minmax data_dir dataset dataset_download
dataset_trust_remote_code decay_epochs decay_milestones decay_rate device device_modules dist_bn
distill_loss_weight drop drop_block drop_connect drop_path epoch_repeats epochs eval_metric experiment
fast_norm fuser gaussian_blur_prob gp grad_accum_steps grad_checkpointing grayscale_prob head_init_bias
head_init_scale hflip img_size in_chans initial_checkpoint input_img_mode input_key input_size interpolation
jsd_loss kd_distill_type kd_loss_type kd_model_name kd_student_feature_dim kd_teacher_feature_dim
kd_temperature kd_token_distill_type layer_decay layer_decay_min_scale layer_decay_no_opt_scale log_interval
log_wandb lr lr_base lr_base_scale lr_base_size lr_cycle_decay lr_cycle_limit lr_cycle_mul lr_k_decay lr_noise
lr_noise_pct lr_noise_std mean min_lr mixup mixup_mode mixup_off_epoch mixup_prob mixup_switch_prob model
model_dtype model_ema model_ema_decay model_ema_force_cpu model_ema_warmup model_kwargs momentum naflex_loader
naflex_loss_scale naflex_max_seq_len naflex_patch_size_probs naflex_patch_sizes naflex_patchify_channels_first
naflex_train_seq_lens no_aug no_ddp_bb no_prefetcher no_resume_opt num_classes opt opt_betas opt_eps
opt_kwargs output patience_epochs pin_mem pretrained pretrained_path ratio recount recovery_interval remode
reprob resplit resume save_images scale sched sched_on_updates seed smoothing split_bn start_epoch std sync_bn
synchronize_step target_key task_loss_weight torchcompile torchcompile_mode torchscript train_batch_sizes
train_batches_per_epoch train_crop_mode train_img_sizes train_interpolation train_num_samples train_size_probs
train_size_random_mix train_size_schedule train_size_schedule_spread train_split train_steps_per_epoch tta
use_multi_epochs_loader val_interval val_num_samples val_split validation_batch_size variable_batch_loss_scale
vflip wandb_project wandb_resume_id wandb_tags warmup_epochs warmup_lr warmup_prefix weight_decay
worker_seeding workers world_size rank local_rank distributed prefetcher lr_decay_fn lr_stable_timescale
""".split())
# flags that change len(loader_train) in ways only the run knows
_LOADER_FLAGS = ("epoch_repeats", "train_batches_per_epoch", "train_steps_per_epoch", "train_num_samples",
                 "train_batch_sizes", "train_size_schedule", "naflex_loader")
SCHEDULES = ("cosine", "tanh", "step", "multistep", "poly", "wsd", "rsqrt", "constant", "none", "plateau")

FACTS = (
    Fact("dataset_size", "number of training images, len(dataset_train)"),
    Fact("world_size", "number of training processes (GPUs across all nodes)", default=1),
    Fact("batches_per_epoch", "len(loader_train): batches per process per epoch; replaces dataset_size"),
)

EXAMPLE = ("./distributed_train.sh 8 train.py /imagenet --model resnet50 -b 128 --sched cosine --epochs 100 "
           "--lr 0.4 --warmup-epochs 5 --warmup-lr 1e-5 --min-lr 1e-6")


def looks_like(parsed: Parsed) -> bool:
    keys = {k.replace("-", "_") for k in parsed.data}
    marks = {"sched", "warmup_epochs", "warmup_lr", "decay_epochs", "lr_base", "sched_on_updates",
             "cooldown_epochs", "decay_milestones", "lr_cycle_limit", "warmup_prefix"}
    return parsed.kind in ("flags", "mapping") and len(keys & marks) >= 1 and "lr0" not in keys \
        and "SOLVER" not in keys and not any(k.startswith("lr_warmup") or k == "lr_decay_style" for k in keys)


def args_from(parsed: Parsed) -> dict:
    out = {}
    for raw, v in parsed.data.items():
        key = _ALIASES.get(raw, raw.replace("-", "_"))
        if parsed.kind == "flags" and key in _KINDS:
            v = flag_value(v, raw, _KINDS[key])
            if _KINDS[key] == "bool":
                v = to_bool(v, f"--{raw}")
        out[key] = v
    return out


def read(parsed: Parsed, facts: Facts) -> Imported:
    args = args_from(parsed)
    ignored = check_keys(args, FLAGS, "timm train.py", tuple(DEFAULTS))
    a = {k: (args[k] if args.get(k) is not None else d) for k, d in DEFAULTS.items()}
    notes: list[str] = []

    sched = text(a["sched"], "sched", SCHEDULES)
    if sched == "plateau":
        raise ValueError("sched 'plateau' lowers the lr when the eval metric stalls: not a schedule of the step")
    if a["lr_noise"] is not None:
        raise ValueError("lr_noise adds random noise to the lr (torch's RNG); warmup_core does not model it")
    batch = integer(a["batch_size"], "batch_size", minimum=1)
    accum = integer(a["grad_accum_steps"], "grad_accum_steps", minimum=1)
    world = None
    lr = args.get("lr")
    if lr is None or number(lr, "lr") == 0:  # train.py: `if not args.lr`
        world = facts.world_size(parsed, notes)
        lr = _scaled_lr(a, batch * world * accum, notes)
    lr = number(lr, "lr", minimum=0, open_min=True)

    if facts.given("batches_per_epoch"):
        loader_len = facts.need("batches_per_epoch", "")
    else:
        for k in _LOADER_FLAGS:
            if args.get(k) not in (None, False, 0, 0.0, [], ""):
                facts.need("batches_per_epoch", f"{k} changes the loader's length")
        n = facts.need("dataset_size", "timm counts updates per epoch from the loader")
        world = world or facts.world_size(parsed, notes)
        loader_len = (-(-n // world)) // batch
        notes.append(f"len(loader_train) = floor(ceil({n} / {world}) / {batch}) = {loader_len}")
    if loader_len < 1:
        raise ValueError("the training loader is empty: fewer examples per process than one batch "
                         "(timm drops the last partial batch)")
    U = (loader_len + accum - 1) // accum
    notes.append(f"updates per epoch = ceil({loader_len} / {accum}) = {U}")
    on_updates = bool(a["sched_on_updates"])
    mult = U if on_updates else 1

    epochs = integer(a["epochs"], "epochs", minimum=1)
    warm = integer(a["warmup_epochs"], "warmup_epochs", minimum=0)
    cooldown = integer(a["cooldown_epochs"], "cooldown_epochs", minimum=0)
    prefix = bool(to_bool(a["warmup_prefix"], "warmup_prefix"))
    warmup = {"warmup_t": warm * mult, "warmup_lr_init": number(a["warmup_lr"], "warmup_lr", minimum=0)}
    cycles = {"cycle_mul": number(a["lr_cycle_mul"], "lr_cycle_mul", minimum=0, open_min=True),
              "cycle_decay": number(a["lr_cycle_decay"], "lr_cycle_decay", minimum=0),
              "cycle_limit": integer(a["lr_cycle_limit"], "lr_cycle_limit", minimum=1)}
    min_lr = number(a["min_lr"], "min_lr", minimum=0)
    decay_rate = number(a["decay_rate"], "decay_rate", minimum=0)

    if sched in ("cosine", "tanh", "poly"):
        name = {"cosine": "CosineLRScheduler", "tanh": "TanhLRScheduler", "poly": "PolyLRScheduler"}[sched]
        params = {"t_initial": epochs * mult, "lr_min": min_lr, **cycles, **warmup, "warmup_prefix": prefix}
        if sched != "tanh":
            params["k_decay"] = number(a["lr_k_decay"], "lr_k_decay", minimum=0, open_min=True)
        if sched == "poly":
            params["power"] = decay_rate  # train.py overloads decay_rate as the polynomial power
        length = _cycle_length(epochs * mult, cycles) + (warm * mult if prefix else 0) + cooldown * mult
        total_epochs = length if not on_updates else length // U
    elif sched in ("wsd", "rsqrt"):
        name, params, total_epochs = _wsd(sched, a, epochs, warm, prefix, mult, U, min_lr, on_updates)
    else:
        total_epochs = epochs + (warm if prefix else 0)
        if sched == "multistep":
            name = "MultiStepLRScheduler"
            ms = number_list(a["decay_milestones"], "decay_milestones", integer_values=True, minimum=0)
            params = {"decay_t": [m * mult for m in ms], "decay_rate": decay_rate, **warmup, "warmup_prefix": prefix}
        else:  # step, constant (a step schedule that never decays), none (no scheduler: the lr as set)
            if sched == "step":
                d = number(a["decay_epochs"], "decay_epochs", minimum=0, open_min=True) * mult
                rate = decay_rate
            else:
                d, rate = 1, 1.0
                if sched == "none":
                    warmup = {"warmup_t": 0, "warmup_lr_init": 0.0}
            name, params = _step(d, rate, warmup, prefix, total_epochs * U)
            if name == "MultiStepLRScheduler":
                notes.append(f"decay_epochs={a['decay_epochs']} is not a whole number of "
                             f"{'updates' if on_updates else 'epochs'}: its decays are listed as milestones")
    notes.append(f"trains {total_epochs} epochs of {U} updates"
                 + ("" if on_updates else "; the lr changes once per epoch"))
    return Imported("timm", "timm", name, params, base_lr=lr, notes=tuple(notes), ignored=tuple(ignored),
                    facts=dict(facts.used), updates_per_epoch=None if on_updates else U,
                    epochs=None if on_updates else total_epochs, total_steps=total_epochs * U)


def _scaled_lr(a, global_batch, notes):
    size = integer(a["lr_base_size"], "lr_base_size", minimum=1)
    base = number(a["lr_base"], "lr_base", minimum=0, open_min=True)
    ratio = global_batch / size
    scale = text(a["lr_base_scale"], "lr_base_scale") or (
        "sqrt" if any(o in text(a["opt"], "opt").lower() for o in ("ada", "lamb")) else "linear")
    if scale == "sqrt":
        ratio = ratio ** 0.5
    lr = base * ratio
    notes.append(f"lr = lr_base {base:g} × ({global_batch} / {size})"
                 f"{'^0.5' if scale == 'sqrt' else ''} = {lr:g} ({scale} scaling)")
    return lr


def _cycle_length(t_initial, c):
    """timm CosineLRScheduler.get_cycle_length (same in tanh / poly)."""
    k = max(1, c["cycle_limit"])
    if c["cycle_mul"] == 1.0:
        return t_initial * k
    return int(math.floor(-t_initial * (c["cycle_mul"] ** k - 1) / (1 - c["cycle_mul"])))


def _step(d, rate, warmup, prefix, horizon):
    """StepLRScheduler(decay_t=d): a whole d maps as it is; a fractional one (EfficientNet's 2.4 epochs)
    as the milestones where ``t // d`` steps up, which timm's MultiStepLRScheduler takes one early."""
    if float(d).is_integer():
        return "StepLRScheduler", {"decay_t": int(d), "decay_rate": rate, **warmup, "warmup_prefix": prefix}
    t = np.arange(max(int(horizon), 1) + 1, dtype=np.float64)
    k = np.floor_divide(t, float(d))
    firsts = (np.flatnonzero(np.diff(k)) + 1).tolist()
    return "MultiStepLRScheduler", {"decay_t": [m + 1 for m in firsts], "decay_rate": rate, **warmup,
                                    "warmup_prefix": prefix}


def _wsd(sched, a, epochs, warm, prefix, mult, U, min_lr, on_updates):
    """scheduler_factory: stable + decay fit in ``epochs`` (minus the warmup unless warmup_prefix)."""
    d = number(a["decay_epochs"], "decay_epochs", minimum=0, open_min=True)  # train.py passes its 90 default
    t_initial, warmup_t = epochs * mult, warm * mult
    t_sched = t_initial if prefix else t_initial - warmup_t
    decay_t = d * mult
    if 0 < d < 1:
        decay_t = d * t_sched
    decay_t = int(round(decay_t))
    if not 0 < decay_t <= t_sched:
        raise ValueError(f"{sched} schedule requires 0 < decay_epochs <= epochs"
                         f"{'' if prefix else ' - warmup_epochs'}, got decay {decay_t} and stable + decay "
                         f"length {t_sched}.")
    ts = a["lr_stable_timescale"]
    params = {"t_initial": t_sched, "decay_t": decay_t, "lr_min": min_lr,
              "stable_fn": "rsqrt" if sched == "rsqrt" else "constant",
              "stable_timescale": None if ts is None else number(ts, "lr_stable_timescale", minimum=0) * mult,
              "decay_fn": a["lr_decay_fn"] or ("linear" if sched == "rsqrt" else "1-sqrt"),
              "warmup_t": warmup_t, "warmup_lr_init": number(a["warmup_lr"], "warmup_lr", minimum=0)}
    length = warmup_t + t_sched + integer(a["cooldown_epochs"], "cooldown_epochs", minimum=0) * mult
    return "WSDLRScheduler", params, (length if not on_updates else length // U)
