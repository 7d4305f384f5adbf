"""A MosaicML Composer / LLM Foundry training YAML: ``scheduler`` (``name`` + its durations), ``optimizer.lr``,
``max_duration``.

LLM Foundry (``llmfoundry/optim/__init__.py``) registers Composer's schedulers under its own names:
``cosine_with_warmup`` → ``CosineAnnealingWithWarmupScheduler``, ``linear_decay_with_warmup`` →
``LinearWithWarmupScheduler`` (and ``constant_with_warmup``, ``inv_sqrt_with_warmup``, which the composer module
does not model); Composer's own class names are read too. Durations are Composer time strings (``"100ba"``,
``"2ep"``, ``"0.1dur"``); one in epochs needs the fact ``dataloader_len`` (batches per epoch). The Trainer steps
the schedule after every batch.
"""

from __future__ import annotations

from ._common import Fact, Facts, Imported, Parsed, mapping, number, reject_unknown, text

NAMES = {"cosine_with_warmup": "CosineAnnealingWithWarmupScheduler",
         "linear_decay_with_warmup": "LinearWithWarmupScheduler",
         "CosineAnnealingWithWarmupScheduler": "CosineAnnealingWithWarmupScheduler",
         "LinearWithWarmupScheduler": "LinearWithWarmupScheduler"}
NOT_MODELLED = ("constant_with_warmup", "inv_sqrt_with_warmup", "ConstantWithWarmupScheduler")
PARAMS = {"CosineAnnealingWithWarmupScheduler": ("t_warmup", "t_max", "alpha_f", "scale_warmup"),
          "LinearWithWarmupScheduler": ("t_warmup", "alpha_i", "alpha_f", "t_max", "scale_warmup")}

FACTS = (Fact("dataloader_len", "batches per epoch, len(train_dataloader); needed when a duration is in epochs"),)

EXAMPLE = """max_duration: 4800ba
scheduler:
  name: cosine_with_warmup
  t_warmup: 100ba
  alpha_f: 0.1
optimizer:
  name: decoupled_adamw
  lr: 6.0e-4
"""


def looks_like(parsed: Parsed) -> bool:
    d = parsed.data
    s = d.get("scheduler")
    return parsed.kind == "mapping" and "max_duration" in d and isinstance(s, dict) and "name" in s


def read(parsed: Parsed, facts: Facts) -> Imported:
    d = parsed.data
    sched = mapping(d.get("scheduler"), "scheduler")
    raw = text(sched.get("name"), "scheduler.name")
    if raw in NOT_MODELLED:
        raise ValueError(f"scheduler.name {raw!r} is not modelled by warmup_core's composer module; modelled are "
                         f"{sorted(NAMES)}")
    name = text(raw, "scheduler.name", tuple(NAMES))
    cls = NAMES[name]
    params = {k: v for k, v in sched.items() if k != "name"}
    reject_unknown(params, PARAMS[cls], f"scheduler ({cls})")
    max_duration = text(str(d.get("max_duration")) if d.get("max_duration") is not None else None,
                        "max_duration")
    lr = number(_dig_lr(d), "optimizer.lr", minimum=0, open_min=True)
    durations = [max_duration] + [str(v) for k, v in params.items() if k.startswith("t_")]
    length = None
    if any(s.strip().endswith("ep") for s in durations):
        length = facts.need("dataloader_len", "a duration is in epochs (ep)")
    params.update(max_duration=max_duration, dataloader_len=length)
    return Imported("composer", "composer", cls, params, base_lr=lr, facts=dict(facts.used),
                    notes=(f"scheduler.name {name!r} is Composer's {cls}",) if name != cls else (),
                    ignored=tuple(k for k in d if k not in ("scheduler", "optimizer", "max_duration")))


def _dig_lr(d):
    opt = d.get("optimizer")
    if not isinstance(opt, dict) or "lr" not in opt:
        raise ValueError("optimizer.lr is not set: the schedule multiplies the optimizer's lr")
    return opt["lr"]
