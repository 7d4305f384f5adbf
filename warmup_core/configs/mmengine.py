"""An OpenMMLab (mmengine) Python config: ``param_scheduler``, ``optim_wrapper.optimizer.lr``, ``train_cfg``.

Read with :mod:`ast`, never run: literals, ``dict(...)``, names assigned earlier (``max_epochs // 2``)
and imported class names (``type=LinearLR``). A config that inherits its schedule (``_base_ = [...]``)
reads when the base schedule file is pasted above it: later assignments merge into earlier dicts as
mmengine merges a config over its bases (``_delete_=True`` replaces).

The runner (``mmengine/runner/runner.py``, ``loops.py``): an ``EpochBasedTrainLoop`` trains
``max_epochs`` epochs of ``len(train_dataloader)`` iterations — the fact ``epoch_length``, or
``ceil(ceil(dataset_size / world_size) / train_dataloader.batch_size)`` (``DefaultSampler`` rounds up,
the loader keeps the last partial batch); an ``IterBasedTrainLoop`` ``max_iters`` iterations.
``auto_scale_lr = dict(enable=True, base_batch_size=B)`` multiplies the lr by
``world_size · batch_size / B`` (``Runner.scale_lr``).
"""

from __future__ import annotations

import math

from ._common import Fact, Facts, Imported, Parsed, Unresolved, dig, integer, number, resolved, to_bool

FACTS = (
    Fact("epoch_length", "iterations per epoch, len(train_dataloader)"),
    Fact("dataset_size", "number of training samples; with world_size and train_dataloader.batch_size it "
         "gives epoch_length"),
    Fact("world_size", "number of training processes (GPUs)", default=1),
)

EXAMPLE = """param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.02, momentum=0.9))
"""


def looks_like(parsed: Parsed) -> bool:
    return parsed.kind == "python" and any(k in parsed.data for k in ("param_scheduler", "optim_wrapper",
                                                                      "lr_config", "_base_"))


def read(parsed: Parsed, facts: Facts) -> Imported:
    env = parsed.data
    if "param_scheduler" not in env:
        if "lr_config" in env:
            raise ValueError("lr_config is the mmcv 1.x (MMDetection 2.x) schedule; mmengine configs use "
                             "param_scheduler")
        raise ValueError(_inherits(env, "param_scheduler"))
    scheds = resolved(env["param_scheduler"], "param_scheduler")
    if isinstance(scheds, dict):
        scheds = [scheds]
    if not isinstance(scheds, (list, tuple)) or not scheds or not all(isinstance(s, dict) for s in scheds):
        raise ValueError(f"param_scheduler must be a dict or a list of dicts, got {scheds!r}"[:300])
    lr = dig(env, "optim_wrapper.optimizer.lr", dig(env, "optimizer.lr"))
    if lr is None:
        raise ValueError(_inherits(env, "optim_wrapper.optimizer.lr"))
    lr = number(resolved(lr, "optim_wrapper.optimizer.lr"), "optim_wrapper.optimizer.lr", minimum=0,
                open_min=True)
    notes: list[str] = []
    lr = _auto_scale(env, lr, facts, notes)

    train = resolved(env.get("train_cfg", {}), "train_cfg")
    if not isinstance(train, dict):
        raise ValueError(f"train_cfg must be a dict, got {train!r}")
    iter_based = train.get("type") == "IterBasedTrainLoop" or ("max_iters" in train and "max_epochs" not in train)
    by_epoch = [bool(to_bool(s.get("by_epoch", True), "by_epoch")) for s in scheds]
    L = None
    if any(by_epoch) or not iter_based:
        L = _epoch_length(env, facts, notes)
    if iter_based:
        total = integer(train.get("max_iters"), "train_cfg.max_iters", minimum=1)
    elif "max_epochs" in train:
        total = integer(train["max_epochs"], "train_cfg.max_epochs", minimum=1) * L
        notes.append(f"trains {train['max_epochs']} epochs × {L} iterations = {total}")
    else:
        raise ValueError(_inherits(env, "train_cfg.max_epochs (or max_iters)"))
    params = {"schedulers": [dict(s) for s in scheds], "epoch_length": L}
    return Imported("mmengine", "mmengine", "param_scheduler", params, base_lr=lr, total_steps=total,
                    notes=tuple(notes), facts=dict(facts.used),
                    ignored=tuple(k for k in env if k not in ("param_scheduler", "optim_wrapper", "train_cfg",
                                                              "auto_scale_lr", "train_dataloader")))


def _inherits(env, what):
    if "_base_" in env:
        bases = env["_base_"] if isinstance(env["_base_"], list) else [env["_base_"]]
        names = [b for b in bases if isinstance(b, str)]
        return (f"this config takes {what} from its _base_ files {names}: paste the schedule file (e.g. "
                "schedules/schedule_1x.py) above it")
    return f"the config sets no {what}"


def _auto_scale(env, lr, facts: Facts, notes):
    scale = env.get("auto_scale_lr")
    if not isinstance(scale, dict) or not to_bool(scale.get("enable", False), "auto_scale_lr.enable"):
        return lr
    base_bs = integer(resolved(scale.get("base_batch_size"), "auto_scale_lr.base_batch_size"),
                      "auto_scale_lr.base_batch_size", minimum=1)
    bs = integer(resolved(dig(env, "train_dataloader.batch_size"), "train_dataloader.batch_size"),
                 "train_dataloader.batch_size", minimum=1)
    world = facts.need("world_size", "auto_scale_lr scales the lr by the real batch size")
    notes.append(f"auto_scale_lr: lr × {world} × {bs} / {base_bs}")
    return lr * (world * bs / base_bs)


def _epoch_length(env, facts: Facts, notes) -> int:
    if facts.given("epoch_length"):
        return facts.need("epoch_length", "")
    n = facts.get("dataset_size")
    bs = dig(env, "train_dataloader.batch_size")
    if n is None or bs is None or isinstance(bs, Unresolved):
        facts.need("epoch_length", "the schedule or the train loop counts epochs")
    bs = integer(bs, "train_dataloader.batch_size", minimum=1)
    world = facts.need("world_size", "DefaultSampler shards the dataset")
    L = math.ceil(math.ceil(n / world) / bs)
    notes.append(f"epoch_length = ceil(ceil({n} / {world}) / {bs}) = {L}")
    return L
