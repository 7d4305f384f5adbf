"""Write tests/golden/configs_timm.json: the lr of every update of timm train.py runs, from the real timm.

timm cannot be a CI dependency (it pulls torchvision and a newer torch), so this script records what
timm computes for each command line in CASES, the way ``train.py`` computes it:

* flags parsed by argparse with train.py's own declarations of the schedule flags (names, types,
  defaults, aliases copied from huggingface/pytorch-image-models train.py at commit aa4b5850);
* ``lr`` from ``lr_base`` when ``--lr`` is unset (train.py lines 837-845);
* the loader: a real torch ``DataLoader`` over ``DistributedSampler(num_replicas=world_size, rank=0)``
  (single process: a ``RandomSampler``) with ``drop_last=True``, as timm/data/loader.py builds it;
  ``updates_per_epoch = (len(loader) + grad_accum_steps - 1) // grad_accum_steps``;
* the real ``timm.scheduler.create_scheduler_v2(**scheduler_kwargs(args))``, stepped as train.py's
  loop steps it: ``step_update(num_updates)`` after every update, ``step(epoch + 1)`` after every epoch,
  for the ``num_epochs`` it returns.

    python scripts/make_configs_golden.py        # regenerate the fixture (downloads the timm wheel)
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_timm_golden import import_timm_scheduler  # noqa: E402  (the pinned wheel's scheduler modules)

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "configs_timm.json"

# (command line, dataset size, world size): the schedule part of real timm training commands
# (hfdocs/source/training_script.mdx and the README of pytorch-image-models) plus edge cases.
CASES = [
    ("train.py /imagenet --model resnet50 -b 16 --sched cosine --epochs 12 --lr 0.4 --warmup-epochs 3 "
     "--warmup-lr 1e-5 --min-lr 1e-6", 1000, 1),
    ("train.py /imagenet --model efficientnet_b2 -b 12 --sched step --epochs 15 --decay-epochs 2.4 "
     "--decay-rate .97 --opt rmsproptf --warmup-lr 1e-6 --warmup-epochs 3 --lr .016", 500, 2),
    ("train.py /imagenet --model mobilenetv3_large_100 -b 8 --sched step --epochs 10 --decay-epochs 3 "
     "--decay-rate .973 --opt rmsproptf --warmup-lr 1e-6 --warmup-epochs 2 --lr .064 --lr-noise 0.42 0.9",
     200, 1),
    ("train.py /data --sched cosine --sched-on-updates --epochs 6 -b 10 --grad-accum-steps 3 --lr 1e-3 "
     "--warmup-epochs 1 --warmup-prefix --cooldown-epochs 2 --min-lr 1e-5", 333, 1),
    ("train.py /data --sched multistep --decay-milestones 3 6 --epochs 9 -b 32 --lr-base 0.5 --opt lamb "
     "--warmup-epochs 2 --dr 0.5", 700, 3),
    ("train.py /data --sched tanh --epochs 10 -b 20 --lr 0.1 --warmup-epochs 2", 400, 1),
    ("train.py /data --sched poly --decay-rate 2 --epochs 8 -b 16 --lr 0.2 --warmup-epochs 1 --lr-k-decay 0.5",
     256, 1),
    ("train.py /data --sched cosine --epochs 5 --lr-cycle-limit 3 --lr-cycle-mul 2 --lr-cycle-decay 0.5 -b 50 "
     "--lr 0.05 --warmup-epochs 0", 600, 2),
    ("train.py /data --sched wsd --sched-on-updates --epochs 10 --decay-epochs 0.3 -b 25 --lr 3e-3 "
     "--warmup-epochs 2", 250, 1),
    ("train.py /data --sched constant --epochs 4 -b 8 --lr 0.01 --warmup-epochs 2 --warmup-prefix", 100, 1),
]


def train_py_parser() -> argparse.ArgumentParser:
    """train.py's declarations of the flags that shape the lr (pytorch-image-models aa4b5850)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("data", nargs="?")
    p.add_argument("--model", default="resnet50", type=str)
    p.add_argument("--opt", default="sgd", type=str)
    p.add_argument("-b", "--batch-size", type=int, default=128)
    p.add_argument("--grad-accum-steps", type=int, default=1)
    p.add_argument("--sched", type=str, default="cosine")
    p.add_argument("--sched-on-updates", action="store_true", default=False)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--lr-base", type=float, default=0.1)
    p.add_argument("--lr-base-size", type=int, default=256)
    p.add_argument("--lr-base-scale", type=str, default="")
    p.add_argument("--lr-noise", type=float, nargs="+", default=None)
    p.add_argument("--lr-noise-pct", type=float, default=0.67)
    p.add_argument("--lr-noise-std", type=float, default=1.0)
    p.add_argument("--lr-cycle-mul", type=float, default=1.0)
    p.add_argument("--lr-cycle-decay", type=float, default=0.5)
    p.add_argument("--lr-cycle-limit", type=int, default=1)
    p.add_argument("--lr-k-decay", type=float, default=1.0)
    p.add_argument("--warmup-lr", type=float, default=1e-5)
    p.add_argument("--min-lr", type=float, default=0)
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--decay-milestones", default=[90, 180, 270], type=int, nargs="+")
    p.add_argument("--decay-epochs", type=float, default=90)
    p.add_argument("--warmup-epochs", type=int, default=5)
    p.add_argument("--warmup-prefix", action="store_true", default=False)
    p.add_argument("--cooldown-epochs", type=int, default=0)
    p.add_argument("--patience-epochs", type=int, default=10)
    p.add_argument("--decay-rate", "--dr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    return p


def run(sched_module, line, n, world):
    import torch

    args = train_py_parser().parse_args(shlex.split(line)[1:])
    args.world_size = world
    if not args.lr:  # train.py
        global_batch_size = args.batch_size * args.world_size * args.grad_accum_steps
        batch_ratio = global_batch_size / args.lr_base_size
        if not args.lr_base_scale:
            on = args.opt.lower()
            args.lr_base_scale = "sqrt" if any([o in on for o in ("ada", "lamb")]) else "linear"
        if args.lr_base_scale == "sqrt":
            batch_ratio = batch_ratio ** 0.5
        args.lr = args.lr_base * batch_ratio
    data = torch.utils.data.TensorDataset(torch.zeros(n))
    sampler = (torch.utils.data.distributed.DistributedSampler(data, num_replicas=world, rank=0) if world > 1
               else torch.utils.data.RandomSampler(data))
    loader = torch.utils.data.DataLoader(data, batch_size=args.batch_size, sampler=sampler, drop_last=True)
    updates_per_epoch = (len(loader) + args.grad_accum_steps - 1) // args.grad_accum_steps
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=args.lr)
    scheduler, num_epochs = sched_module.create_scheduler_v2(
        opt, **sched_module.scheduler_kwargs(args), updates_per_epoch=updates_per_epoch)
    lrs, num_updates = [], 0
    for epoch in range(num_epochs):
        for _ in range(updates_per_epoch):
            lrs.append(opt.param_groups[0]["lr"])
            num_updates += 1
            if scheduler is not None:
                scheduler.step_update(num_updates=num_updates)
        if scheduler is not None:
            scheduler.step(epoch + 1, None)
    return lrs


def main():
    sched, version = import_timm_scheduler()
    from timm.scheduler import scheduler_factory

    out = []
    for line, n, world in CASES:
        try:
            lrs, error = run(scheduler_factory, line, n, world), None
        except Exception as e:  # recorded: warmup_core must refuse these with ValueError
            lrs, error = None, f"{type(e).__name__}: {e}"
        out.append({"line": line, "dataset_size": n, "world_size": world, "lrs": lrs, "error": error})
    OUT.write_text(json.dumps({"timm": version, "cases": out}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(out)} cases, timm {version})")


if __name__ == "__main__":
    main()
