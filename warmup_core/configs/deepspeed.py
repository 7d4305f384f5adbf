"""A DeepSpeed JSON config: its ``scheduler`` block (``type`` + ``params``) over the optimizer's ``lr``.

``deepspeed.initialize`` builds ``deepspeed/runtime/lr_schedules.py``'s ``type`` with ``params`` and the
engine steps it once per optimizer update (at gradient-accumulation boundaries). A value ``"auto"``
is filled in by the Hugging Face Trainer's DeepSpeed integration from its own arguments; here it is a
fact of the same name (``warmup_num_steps=...``), as is the optimizer's ``lr`` when the config
leaves it to the client or to ``"auto"``.
"""

from __future__ import annotations

from ._common import Fact, Facts, Imported, Parsed, dig, mapping, number, reject_unknown, text

PARAMS = {  # deepspeed/runtime/lr_schedules.py constructor arguments, by scheduler type
    "WarmupLR": ("warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "warmup_type", "last_batch_iteration"),
    "WarmupDecayLR": ("total_num_steps", "warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "warmup_type",
                      "last_batch_iteration"),
    "WarmupCosineLR": ("total_num_steps", "warmup_min_ratio", "warmup_num_steps", "cos_min_ratio", "warmup_type",
                       "last_batch_iteration"),
    "OneCycle": ("cycle_min_lr", "cycle_max_lr", "decay_lr_rate", "cycle_first_step_size", "cycle_second_step_size",
                 "cycle_first_stair_count", "cycle_second_stair_count", "decay_step_size", "cycle_momentum",
                 "cycle_min_mom", "cycle_max_mom", "decay_mom_rate", "last_batch_iteration"),
    "LRRangeTest": ("lr_range_test_min_lr", "lr_range_test_step_size", "lr_range_test_step_rate",
                    "lr_range_test_staircase", "last_batch_iteration"),
}
# which types take their lr from the optimizer (the rest carry absolute lrs)
_USES_OPTIMIZER_LR = ("WarmupLR", "WarmupCosineLR")

FACTS = (
    Fact("lr", "the optimizer's learning rate, where the config says \"auto\" or leaves the optimizer to the "
         "client", kind="float", minimum=0),
    Fact("warmup_num_steps", "scheduler.params.warmup_num_steps, where the config says \"auto\"", minimum=0),
    Fact("total_num_steps", "scheduler.params.total_num_steps, where the config says \"auto\""),
    Fact("warmup_min_lr", "scheduler.params.warmup_min_lr, where the config says \"auto\"", kind="float",
         minimum=0),
    Fact("warmup_max_lr", "scheduler.params.warmup_max_lr, where the config says \"auto\"", kind="float",
         minimum=0),
)

EXAMPLE = """{
  "train_micro_batch_size_per_gpu": 8,
  "optimizer": {"type": "AdamW", "params": {"lr": 3e-4}},
  "scheduler": {"type": "WarmupDecayLR",
                "params": {"warmup_min_lr": 0, "warmup_max_lr": 3e-4,
                           "warmup_num_steps": 500, "total_num_steps": 10000}}
}"""


def looks_like(parsed: Parsed) -> bool:
    d = parsed.data
    if parsed.kind != "mapping":
        return False
    sched = d.get("scheduler")
    return (isinstance(sched, dict) and isinstance(sched.get("type"), str) and sched["type"] in PARAMS) or any(
        k in d for k in ("train_micro_batch_size_per_gpu", "zero_optimization", "train_batch_size"))


def read(parsed: Parsed, facts: Facts) -> Imported:
    d = parsed.data
    if "scheduler" not in d:
        raise ValueError("this DeepSpeed config has no 'scheduler' block: DeepSpeed then leaves the lr to the "
                         "optimizer (or to a scheduler passed to deepspeed.initialize)")
    sched = mapping(d["scheduler"], "scheduler")
    reject_unknown(sched, ("type", "params"), "scheduler")
    kind = text(sched.get("type"), "scheduler.type", tuple(PARAMS))
    params = mapping(sched.get("params", {}), "scheduler.params")
    reject_unknown(params, PARAMS[kind], f"scheduler.params ({kind})")
    notes = []
    for k, v in list(params.items()):
        if v == "auto":
            if k not in {f.name for f in FACTS}:
                raise ValueError(f"scheduler.params.{k} is 'auto', which only the Hugging Face Trainer fills in")
            params[k] = facts.need(k, f"scheduler.params.{k} is \"auto\" (the Hugging Face Trainer fills it in)")
            notes.append(f"{k} = {params[k]} (given for \"auto\")")
    base_lr = None
    if kind in _USES_OPTIMIZER_LR:
        lr = dig(d, "optimizer.params.lr")
        if facts.given("lr"):
            lr = facts.need("lr", "")
        elif (lr is None or lr == "auto") and kind == "WarmupLR" and params.get("warmup_max_lr") is not None:
            lr = params["warmup_max_lr"]  # WarmupLR reads the optimizer's lr only when warmup_max_lr is unset
        elif lr is None or lr == "auto":
            why = ("optimizer.params.lr is \"auto\"" if lr == "auto" else "the config has no optimizer lr")
            lr = facts.need("lr", f"{kind} scales the optimizer's lr and {why}")
        base_lr = number(lr, "optimizer.params.lr", minimum=0, open_min=True)
    total = params.get("total_num_steps")
    return Imported("deepspeed", "deepspeed", kind, params, base_lr=base_lr, notes=tuple(notes),
                    ignored=tuple(k for k in d if k not in ("scheduler", "optimizer")), facts=dict(facts.used),
                    total_steps=total if isinstance(total, int) and total > 0 else None)
