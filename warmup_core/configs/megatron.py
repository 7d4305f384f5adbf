"""Megatron-LM ``pretrain_*.py`` flags, as a command line or the shell script that launches it.

``megatron/training/training.py get_optimizer_param_scheduler`` builds ``OptimizerParamScheduler`` in
*samples* and steps it by the global batch size every iteration; with a constant global batch every
count divided by it gives the same lr per iteration, so the translation counts iterations:

* iteration-based (``--train-iters``): decay over ``--lr-decay-iters`` (default ``--train-iters``),
  warmup ``--lr-warmup-fraction`` × that or ``--lr-warmup-iters``, WSD anneal ``--lr-wsd-decay-iters``;
* sample-based (``--train-samples``): the same from ``--lr-decay-samples`` (default
  ``--train-samples``), ``--lr-warmup-samples``, ``--lr-wsd-decay-samples``, divided by
  ``--global-batch-size`` (a fact when the script leaves it to a shell variable); training runs
  ``train_samples // global_batch_size`` iterations.

A growing batch (``--rampup-batch-size``, ``--step-batch-size-schedule``) makes the lr follow the
samples consumed rather than the iteration and is refused.
"""

from __future__ import annotations

from ._common import Fact, Facts, Imported, Parsed, check_keys, flag_value, integer, number, text

DECAY_STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")
# megatron/training/config/training_config.py and arguments.py defaults
DEFAULTS = {"lr": None, "min_lr": 0.0, "lr_decay_style": "linear", "lr_wsd_decay_style": "exponential",
            "lr_decay_iters": None, "lr_decay_samples": None, "lr_wsd_decay_iters": None,
            "lr_wsd_decay_samples": None, "lr_warmup_fraction": None, "lr_warmup_iters": 0,
            "lr_warmup_samples": 0, "lr_warmup_init": 0.0, "train_iters": None, "train_samples": None,
            "global_batch_size": None, "micro_batch_size": None, "rampup_batch_size": None,
            "step_batch_size_schedule": None}
_KINDS = {"lr": "float", "min_lr": "float", "lr_decay_style": "str", "lr_wsd_decay_style": "str",
          "lr_decay_iters": "int", "lr_decay_samples": "int", "lr_wsd_decay_iters": "int",
          "lr_wsd_decay_samples": "int", "lr_warmup_fraction": "float", "lr_warmup_iters": "int",
          "lr_warmup_samples": "int", "lr_warmup_init": "float", "train_iters": "int", "train_samples": "int",
          "global_batch_size": "int", "micro_batch_size": "int", "rampup_batch_size": "int_list",
          "step_batch_size_schedule": "str"}
_OTHERS = ("decoupled_lr", "decoupled_min_lr", "eval_iters", "exit_interval", "eval_interval", "save_interval",
           "log_interval", "weight_decay", "start_weight_decay", "end_weight_decay", "weight_decay_incr_style",
           "use_checkpoint_opt_param_scheduler", "override_opt_param_scheduler", "skip_train")

FACTS = (
    Fact("global_batch_size", "--global-batch-size, where the script leaves it to a shell variable; "
         "needed for sample-based training"),
)

EXAMPLE = ("torchrun --nproc_per_node 8 pretrain_gpt.py --micro-batch-size 4 --global-batch-size 256 "
           "--train-iters 100000 --lr 3e-4 --min-lr 3e-5 --lr-decay-style cosine --lr-warmup-iters 2000")


def looks_like(parsed: Parsed) -> bool:
    keys = {k.replace("-", "_") for k in parsed.data}
    return parsed.kind == "flags" and bool(keys & {"lr_decay_style", "lr_warmup_iters", "lr_warmup_fraction",
                                                   "lr_decay_iters", "train_iters", "train_samples",
                                                   "lr_warmup_samples", "lr_decay_samples", "global_batch_size",
                                                   "micro_batch_size", "lr_warmup_init"})


def read(parsed: Parsed, facts: Facts) -> Imported:
    args = {}
    for raw, values in parsed.data.items():
        key = raw.replace("-", "_")
        args[key] = flag_value(values, raw, _KINDS[key]) if key in _KINDS else values
    ignored = check_keys(args, set(DEFAULTS) | set(_OTHERS), "Megatron arguments", tuple(DEFAULTS))
    a = {k: args.get(k, d) for k, d in DEFAULTS.items()}
    notes: list[str] = []

    def n(key, **kw):
        v = a[key]
        if isinstance(v, str) and v.startswith("$"):
            raise ValueError(f"--{key.replace('_', '-')} is the shell variable {v}, which the script does not "
                             "set to a literal: write its value")
        return None if v is None else number(v, f"--{key.replace('_', '-')}", **kw)

    if a["rampup_batch_size"] is not None or a["step_batch_size_schedule"] is not None:
        flag = "--rampup-batch-size" if a["rampup_batch_size"] is not None else "--step-batch-size-schedule"
        raise ValueError(f"{flag}: the batch grows during training and Megatron's lr follows the samples "
                         "consumed, not the iteration; warmup_core reads constant-batch runs")
    lr = n("lr", minimum=0, open_min=True)
    if lr is None:
        raise ValueError("--lr is not set (Megatron requires it)")
    style = text(a["lr_decay_style"], "--lr-decay-style", DECAY_STYLES)
    fraction = n("lr_warmup_fraction", minimum=0, maximum=1)
    iters, samples = n("train_iters", minimum=1, integer=True), n("train_samples", minimum=1, integer=True)

    if iters:
        for k in ("train_samples", "lr_decay_samples", "lr_wsd_decay_samples"):
            if a[k] is not None:
                raise ValueError(f"--{k.replace('_', '-')} with --train-iters: Megatron expects iteration-based "
                                 "options only")
        if n("lr_warmup_samples"):
            raise ValueError("--lr-warmup-samples with --train-iters: expected iteration-based learning rate warmup")
        if fraction is not None and n("lr_warmup_iters"):
            raise ValueError("can only specify one of --lr-warmup-fraction and --lr-warmup-iters")
        total = iters
        decay = n("lr_decay_iters", minimum=1, integer=True) or iters
        warm = fraction * decay if fraction is not None else n("lr_warmup_iters", minimum=0, integer=True)
        wsd = n("lr_wsd_decay_iters", minimum=0, integer=True)
    elif samples:
        for k in ("lr_decay_iters", "lr_wsd_decay_iters"):
            if a[k] is not None:
                raise ValueError(f"--{k.replace('_', '-')} with --train-samples: Megatron expects sample-based "
                                 "options only")
        if n("lr_warmup_iters"):
            raise ValueError("--lr-warmup-iters with --train-samples: expected sample-based learning rate warmup")
        if fraction is not None and n("lr_warmup_samples"):
            raise ValueError("can only specify one of --lr-warmup-fraction and --lr-warmup-samples")
        gbs = a["global_batch_size"]
        if gbs is None or (isinstance(gbs, str) and gbs.startswith("$")):
            gbs = facts.need("global_batch_size", "sample-based training counts samples; iterations are samples "
                                                  "/ global batch size")
        gbs = integer(gbs, "--global-batch-size", minimum=1)
        total = samples // gbs
        decay_s = n("lr_decay_samples", minimum=1, integer=True) or samples
        warm_s = fraction * decay_s if fraction is not None else n("lr_warmup_samples", minimum=0, integer=True)
        wsd_s = n("lr_wsd_decay_samples", minimum=0, integer=True)
        decay, warm = _per_iter(decay_s, gbs), _per_iter(warm_s, gbs)
        wsd = None if wsd_s is None else _per_iter(wsd_s, gbs)
        notes.append(f"sample counts ÷ global batch size {gbs}: decay {decay:g}, warmup {warm:g} iterations; "
                     f"trains {samples} // {gbs} = {total} iterations")
    else:
        raise ValueError("either --train-iters or --train-samples should be provided")

    params = {"init_lr": n("lr_warmup_init", minimum=0), "max_lr": lr, "min_lr": n("min_lr", minimum=0),
              "lr_warmup_steps": _whole(warm), "lr_decay_steps": _whole(decay), "lr_decay_style": style}
    if style == "WSD":
        if wsd is None:
            raise ValueError("--lr-decay-style WSD needs --lr-wsd-decay-iters (or --lr-wsd-decay-samples)")
        params["wsd_decay_steps"] = _whole(wsd)
        params["lr_wsd_decay_style"] = text(a["lr_wsd_decay_style"], "--lr-wsd-decay-style", WSD_STYLES)
    notes.append("every count is in iterations (Megatron's own counts are samples; the lr per iteration is the "
                 "same)")
    return Imported("megatron", "megatron", "OptimizerParamScheduler", params, base_lr=None, total_steps=total,
                    notes=tuple(notes), ignored=tuple(ignored), facts=dict(facts.used))


def _per_iter(samples, gbs):
    return samples / gbs


def _whole(x):
    return int(x) if float(x).is_integer() else float(x)
