"""An Ultralytics YOLO training config / hyperparameter YAML (``lr0``, ``lrf``, ``warmup_epochs``, ``cos_lr``, ...).

What ``ultralytics/engine/trainer.py`` (ultralytics 8.4.190) does with it, for the weights' parameter group:

* the epoch lambda ``lf``: linear ``max(1 - e / epochs, 0) · (1 - lrf) + lrf``, or with ``cos_lr`` the
  half-cosine ``one_cycle(1, lrf, epochs)``; a ``LambdaLR`` stepped once per epoch;
* warmup over ``nw = round(min(warmup_epochs, epochs - 1) · nb)`` batches (``nb = len(train_loader)``):
  at batch ``ni <= nw`` the lr is ``interp(ni, [0, nw], [0, lr0 · lf(epoch)])`` (the bias group starts at
  ``warmup_bias_lr`` instead; it is not modelled here);
* ``optimizer: auto`` (the default) ignores ``lr0``: with ``iterations = ceil(n / max(batch, nbs)) · epochs``
  it picks MuSGD at 0.01 above 10000 iterations, else AdamW at ``round(0.002 · 5 / (4 + nc), 6)``.

The schedule counts batches (the lr is set every batch; the optimizer steps every ``accumulate`` batches).
Ultralytics is AGPL-3.0: nothing of it is copied here or in the tests, only its arithmetic described.
"""

from __future__ import annotations

import math

from ._common import Fact, Facts, Imported, Parsed, check_keys, integer, number, to_bool

DEFAULTS = {"lr0": 0.01, "lrf": 0.01, "epochs": 100, "warmup_epochs": 3.0, "cos_lr": False, "optimizer": "auto",
            "batch": 16, "nbs": 64, "time": None}  # ultralytics/cfg/default.yaml
KNOWN = ("momentum", "weight_decay", "warmup_momentum", "warmup_bias_lr", "box", "cls", "dfl", "pose", "kobj",
         "hsv_h", "hsv_s", "hsv_v", "degrees", "translate", "scale", "shear", "perspective", "flipud", "fliplr",
         "bgr", "mosaic", "mixup", "cutmix", "copy_paste", "copy_paste_mode", "auto_augment", "erasing", "model",
         "data", "imgsz", "task", "mode", "device", "workers", "project", "name", "exist_ok", "pretrained",
         "verbose", "seed", "deterministic", "single_cls", "rect", "close_mosaic", "resume", "amp", "fraction",
         "profile", "freeze", "multi_scale", "overlap_mask", "mask_ratio", "dropout", "val", "split", "save",
         "save_period", "cache", "patience", "plots", "label_smoothing", "anchor_t", "fl_gamma", "iou_t",
         "obj", "obj_pw", "cls_pw", "compile")
OPTIMIZERS = ("SGD", "MuSGD", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSProp", "auto")

FACTS = (
    Fact("batches_per_epoch", "len(train_loader): batches per epoch on each process"),
    Fact("dataset_size", "number of training images; needed with optimizer: auto, which picks the lr from it"),
    Fact("num_classes", "number of classes (the data YAML's nc); needed with optimizer: auto"),
)

EXAMPLE = """lr0: 0.01
lrf: 0.01
warmup_epochs: 3.0
cos_lr: false
epochs: 100
batch: 16
optimizer: SGD
"""


def looks_like(parsed: Parsed) -> bool:
    d = parsed.data
    return parsed.kind == "mapping" and sum(k in d for k in ("lr0", "lrf", "warmup_bias_lr", "warmup_momentum",
                                                              "cos_lr")) >= 1


def read(parsed: Parsed, facts: Facts) -> Imported:
    d = dict(parsed.data)
    ignored = check_keys(d, set(DEFAULTS) | set(KNOWN), "Ultralytics config", tuple(DEFAULTS) + ("warmup_bias_lr",))
    a = {k: (d[k] if d.get(k) is not None else v) for k, v in DEFAULTS.items()}
    if a["time"] is not None:
        raise ValueError("time is set: Ultralytics re-estimates the number of epochs after the first one")
    notes: list[str] = []
    epochs = integer(a["epochs"], "epochs", minimum=1)
    lrf = number(a["lrf"], "lrf", minimum=0)
    warm = number(a["warmup_epochs"], "warmup_epochs", minimum=0)
    cos = bool(to_bool(a["cos_lr"], "cos_lr"))
    name = {o.lower(): o for o in OPTIMIZERS}.get(str(a["optimizer"]).lower())
    if name is None:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {a['optimizer']!r}")
    lr0 = number(a["lr0"], "lr0", minimum=0, open_min=True)
    if name == "auto":
        lr0 = _auto_lr(a, epochs, facts, notes)
    nb = facts.need("batches_per_epoch", "the warmup counts batches and the lambda steps every epoch")
    params = {"epochs": epochs, "nb": nb, "lr0": lr0, "lrf": lrf, "warmup_epochs": warm, "cos_lr": cos}
    notes.append(f"warmup over round(min({warm:g}, {epochs} - 1) × {nb}) = "
                 f"{round(min(warm, max(epochs - 1, 0)) * nb)} batches; the schedule counts batches")
    return Imported("ultralytics", "ultralytics", "train", params, base_lr=None, total_steps=epochs * nb,
                    notes=tuple(notes), ignored=tuple(ignored), facts=dict(facts.used))


def _auto_lr(a, epochs, facts: Facts, notes) -> float:
    batch = integer(a["batch"], "batch", minimum=1)
    nbs = integer(a["nbs"], "nbs", minimum=1)
    n = facts.need("dataset_size", "optimizer: auto chooses the optimizer and lr0 from the number of iterations")
    iterations = math.ceil(n / max(batch, nbs)) * epochs
    if iterations > 10000:
        notes.append(f"optimizer: auto → MuSGD, lr0 = 0.01 ({iterations} iterations > 10000)")
        return 0.01
    nc = facts.need("num_classes", "optimizer: auto fits lr0 to the number of classes")
    lr = round(0.002 * 5 / (4 + nc), 6)
    notes.append(f"optimizer: auto → AdamW, lr0 = round(0.002 × 5 / (4 + {nc}), 6) = {lr:g} "
                 f"({iterations} iterations <= 10000); the config's lr0 is ignored")
    return lr

