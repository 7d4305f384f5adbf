"""A NeMo (1.x / 2.x Hydra) YAML: ``model.optim.sched`` over ``model.optim.lr``, trained by ``trainer``.

What NeMo does with it (``nemo/core/classes/modelPT.py setup_optimization`` and
``nemo/core/optim/lr_scheduler.py prepare_lr_scheduler``, nemo_toolkit 3.0.0):

* ``trainer.max_steps`` >= 0 becomes the scheduler's ``max_steps``; otherwise ``sched.max_steps``
  if set, else ``compute_max_steps``: ``ceil(ceil(n / workers) / batch)`` batches per epoch
  (``floor`` with ``drop_last``), capped by ``limit_train_batches``, then
  ``ceil(batches / accumulate_grad_batches) × max_epochs`` — with ``n`` the dataset size and
  ``workers`` the data-parallel processes (facts), ``batch`` = ``model.train_ds.batch_size``;
* the scheduler is built as ``AVAILABLE_SCHEDULERS[sched.name](optimizer, **sched args, max_steps=...)``
  and stepped every optimizer step (``interval='step'``);
* OmegaConf interpolations such as ``${model.encoder.d_model}`` are looked up in the same file
  (read, not evaluated); YAML numbers such as ``1e-6`` are numbers, as OmegaConf reads them.
"""

from __future__ import annotations

import math
import re

from ._common import Fact, Facts, Imported, Parsed, dig, integer, mapping, number, text, to_bool

SCHEDULERS = ("WarmupPolicy", "WarmupHoldPolicy", "SquareAnnealing", "CosineAnnealing", "NoamAnnealing",
              "NoamHoldAnnealing", "WarmupHoldAnnealOneMinusSquareRoot", "WarmupHoldAnnealLinear",
              "WarmupAnnealing", "InverseSquareRootAnnealing", "T5InverseSquareRootAnnealing",
              "SquareRootAnnealing", "PolynomialDecayAnnealing", "PolynomialHoldDecayAnnealing", "StepLR",
              "ExponentialLR", "ReduceLROnPlateau", "CyclicLR")
_NO_MAX_STEPS = ("StepLR", "ExponentialLR", "ReduceLROnPlateau", "CyclicLR", "T5InverseSquareRootAnnealing")
_EXTRAS = ("name", "max_steps", "t_max_epochs", "t_accumulate_grad_batches", "t_limit_train_batches",
           "t_num_workers", "monitor", "reduce_on_plateau", "interval", "frequency")

FACTS = (
    Fact("dataset_size", "number of training examples, len(train_dataloader.dataset); needed when "
         "trainer.max_steps is not set"),
    Fact("world_size", "data-parallel processes (trainer.devices × trainer.num_nodes)"),
    Fact("max_steps", "the scheduler's max_steps, where the config leaves it to be computed at run time"),
)

EXAMPLE = """model:
  train_ds:
    batch_size: 32
  optim:
    name: adamw
    lr: 2e-4
    sched:
      name: CosineAnnealing
      warmup_steps: 500
      constant_steps: 0
      min_lr: 2e-5
trainer:
  max_steps: 100000
"""

_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_.]*)\}$")
_FLOAT = re.compile(r"^[-+]?(\d[\d_]*)?\.?(\d[\d_]*)?([eE][-+]?\d+)?$")


def looks_like(parsed: Parsed) -> bool:
    return parsed.kind == "mapping" and isinstance(_optim(parsed.data), dict)


def _optim(d):
    m = d.get("model")
    if isinstance(m, dict) and isinstance(m.get("optim"), dict) and "sched" in m["optim"]:
        return m["optim"]
    if isinstance(d.get("optim"), dict) and "sched" in d["optim"]:
        return d["optim"]
    return None


def resolve(v, root, path="", depth=0):
    """OmegaConf-style ``${a.b.c}`` references looked up in ``root`` and YAML-1.2 numbers; nothing evaluated."""
    if depth > 16:
        raise ValueError(f"{path}: interpolation nests more than 16 levels (a cycle?)")
    if isinstance(v, str):
        m = _REF.match(v.strip())
        if m:
            target = dig(root, m.group(1), _MISSING)
            if target is _MISSING:
                raise ValueError(f"{path} = {v!r} refers to {m.group(1)!r}, which this config does not set")
            return resolve(target, root, path, depth + 1)
        s = v.strip()
        if s and _FLOAT.match(s) and any(c.isdigit() for c in s):
            try:
                return int(s) if s.lstrip("+-").isdigit() else float(s.replace("_", ""))
            except ValueError:
                return v
    return v


_MISSING = object()


def read(parsed: Parsed, facts: Facts) -> Imported:
    d = parsed.data
    optim = _optim(d)
    if optim is None:
        raise ValueError("no model.optim.sched (or optim.sched) in this NeMo config")
    sched = mapping(optim["sched"], "optim.sched")
    if "_target_" in sched:
        raise ValueError("optim.sched._target_: a class path is instantiated by NeMo; warmup_core reads "
                         "schedulers by name (optim.sched.name)")
    name = text(resolve(sched.get("name"), d, "optim.sched.name"), "optim.sched.name", SCHEDULERS)
    if name == "ReduceLROnPlateau":
        raise ValueError("optim.sched.name 'ReduceLROnPlateau' follows the monitored metric: not a schedule")
    lr = number(resolve(optim.get("lr"), d, "optim.lr"), "optim.lr", minimum=0, open_min=True)
    notes: list[str] = []
    params = {k: resolve(v, d, f"optim.sched.{k}") for k, v in sched.items() if k not in _EXTRAS}
    if name not in _NO_MAX_STEPS:
        params["max_steps"] = _max_steps(d, sched, facts, notes)
    return Imported("nemo", "nemo", name, params, base_lr=lr, notes=tuple(notes),
                    total_steps=params.get("max_steps"), facts=dict(facts.used),
                    ignored=tuple(k for k in d if k not in ("model", "optim", "trainer")))


def _max_steps(d, sched, facts: Facts, notes) -> int:
    trainer = d.get("trainer") if isinstance(d.get("trainer"), dict) else {}
    t_steps = resolve(trainer.get("max_steps"), d, "trainer.max_steps")
    if t_steps is not None and integer(t_steps, "trainer.max_steps") >= 0:
        notes.append(f"max_steps = trainer.max_steps = {t_steps}")
        return int(t_steps)
    own = resolve(sched.get("max_steps"), d, "optim.sched.max_steps")
    if own is not None:
        own = integer(own, "optim.sched.max_steps")
        if own == -1:
            raise ValueError("optim.sched.max_steps is -1: NeMo then builds no scheduler")
        if own < 0:
            raise ValueError(f"optim.sched.max_steps must be a non-negative integer, got {own}")
        return own
    if facts.given("max_steps"):
        return facts.need("max_steps", "")
    epochs = resolve(trainer.get("max_epochs"), d, "trainer.max_epochs")
    epochs = 1000 if epochs is None else integer(epochs, "trainer.max_epochs", minimum=1)  # Lightning's default
    n = facts.need("dataset_size", "trainer.max_steps is not set, so NeMo computes max_steps from the data")
    batch = resolve(dig(d, "model.train_ds.batch_size"), d, "model.train_ds.batch_size")
    if batch is None:
        facts.need("max_steps", "model.train_ds.batch_size is not in the config")
    batch = integer(batch, "model.train_ds.batch_size", minimum=1)
    drop = to_bool(resolve(dig(d, "model.train_ds.drop_last", False), d, "drop_last"), "model.train_ds.drop_last")
    workers = _devices(d, trainer, facts, notes)
    accum = integer(resolve(trainer.get("accumulate_grad_batches", 1), d, "a"), "trainer.accumulate_grad_batches",
                    minimum=1)
    limit = resolve(trainer.get("limit_train_batches", 1.0), d, "trainer.limit_train_batches")
    limit = number(limit, "trainer.limit_train_batches", minimum=0)
    total = compute_max_steps(epochs, accum, limit, workers, n, batch, drop)
    notes.append(f"max_steps = compute_max_steps(max_epochs={epochs}, accumulate={accum}, limit={limit:g}, "
                 f"workers={workers}, samples={n}, batch={batch}, drop_last={drop}) = {total}")
    return total


def _devices(d, trainer, facts: Facts, notes) -> int:
    """trainer.devices (or the older trainer.gpus) × trainer.num_nodes when the config says; else the fact."""
    if facts.given("world_size"):
        return facts.need("world_size", "")
    dev = resolve(trainer.get("devices", trainer.get("gpus")), d, "trainer.devices")
    nodes = resolve(trainer.get("num_nodes", 1), d, "trainer.num_nodes")
    if isinstance(dev, int) and not isinstance(dev, bool) and dev >= 1 and isinstance(nodes, int) and nodes >= 1:
        notes.append(f"world_size = trainer.devices {dev} × trainer.num_nodes {nodes}")
        return dev * nodes
    return facts.need("world_size", f"trainer.devices is {dev!r}: NeMo shards the dataset across the processes")


def compute_max_steps(max_epochs, accumulate_grad_batches, limit_train_batches, num_workers, num_samples,
                      batch_size, drop_last):
    """nemo/core/optim/lr_scheduler.py compute_max_steps, same arithmetic."""
    _round = math.floor if drop_last else math.ceil
    sampler_num_samples = math.ceil(num_samples / max(1, num_workers))
    steps_per_epoch = _round(sampler_num_samples / batch_size)
    if isinstance(limit_train_batches, int) or limit_train_batches == 0.0:
        steps_per_epoch = min(steps_per_epoch, int(limit_train_batches))
    elif steps_per_epoch != float("inf"):
        steps_per_epoch = int(steps_per_epoch * limit_train_batches)
    return math.ceil(steps_per_epoch / accumulate_grad_batches) * max_epochs
