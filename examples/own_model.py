"""Your own model in Warmup Lab: compare warmups and map lr × warmup for a network the lab does not ship.

The model here is a small residual MLP with LayerNorm classifying scikit-learn's wine data (13
features, 3 cultivars), trained with Adam — none of the built-in tasks. It is written twice, the
two ways the lab accepts:

* ``trainer()``: a ``torch.nn.Module`` factory and the data, as a :class:`TorchTrainer`;
* ``train_by_hand(schedule, seed)``: your own loop, yielding ``{"step", "loss", ...}`` rows.

    python examples/own_model.py                       # this machine
    python examples/own_model.py --backend ray         # a local Ray (pip install ray)
    python examples/own_model.py --backend ray --address auto    # the Ray cluster this machine belongs to

The runs land in the lab's store (``WARMUP_LAB_DB``, or ``--db``): the Train page shows them by id.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, like bench/

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from warmup_core import Decay, Schedule, Warmup  # noqa: E402
from warmup_core.torch_adapter import attach  # noqa: E402
from warmup_core.training import custom  # noqa: E402


def wine_data():
    """Standardised wine features, a fixed 80/20 split (the same for every seed)."""
    from sklearn.datasets import load_wine

    d = load_wine()
    x = torch.tensor(d.data, dtype=torch.float32)
    x = (x - x.mean(0)) / x.std(0)
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    x, y = x[perm], y[perm]
    n = int(0.8 * len(y))
    return x[:n], y[:n], x[n:], y[n:]


class ResidualMLP(nn.Module):
    def __init__(self, features=13, width=64, blocks=3, classes=3):
        super().__init__()
        self.inp = nn.Linear(features, width)
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.GELU(),
                                                  nn.Linear(width, width)) for _ in range(blocks))
        self.out = nn.Linear(width, classes)

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = h + b(h)
        return self.out(h)


def trainer(batch_size: int = 32) -> custom.TorchTrainer:
    """The Module-factory form: the lab writes the loop."""
    return custom.TorchTrainer(model=ResidualMLP, data=wine_data, optimizer="adam", batch_size=batch_size,
                               eval_every=10)


def train_by_hand(schedule: Schedule, seed: int):
    """The function form: any loop that yields rows. Here the same model, written out."""
    x, y, xe, ye = wine_data()
    torch.manual_seed(seed)
    model = ResidualMLP()
    opt = torch.optim.Adam(model.parameters(), lr=schedule.base_lr)
    sched = attach(opt, schedule)  # the schedule drives the optimizer's lr
    gen = torch.Generator().manual_seed(seed + 1)
    for t in range(schedule.total_steps):
        idx = torch.randint(0, len(y), (32,), generator=gen)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        row = {"step": t, "loss": float(loss.detach())}
        if t % 10 == 0 or t == schedule.total_steps - 1:
            with torch.no_grad():
                row["eval_loss"] = float(F.cross_entropy(model(xe), ye))
        yield row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", default="local", choices=["local", "ray"])
    ap.add_argument("--address", default=None, help="Ray: auto | ray://head:10001 (default: a new local Ray)")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--lr", type=float, default=0.03, help="target lr of the comparison")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--db", default=None, help="SQLite store (default: the lab's)")
    args = ap.parse_args(argv)
    run = {"backend": args.backend, "address": args.address, "store": args.db}
    seeds = list(range(args.seeds))
    steps, w = args.steps, args.steps // 3

    cmp = custom.compare(trainer(), [Schedule(args.lr, Warmup(), Decay("cosine"), total_steps=steps),
                                     Schedule(args.lr, Warmup("linear", w), Decay("cosine"), total_steps=steps)],
                         seeds=seeds, names=["no warmup", f"linear warmup {w}"], **run)
    print(f"comparison {cmp.group_id}: final held-out loss per run")
    for r, v in zip(cmp.runs(), cmp.final()):
        print(f"  {r['name']:<28} {r['status']:<9} {v:.4f}   run id {r['id']}")

    lrs, warmups = [0.003, 0.03, 0.3], [0, w]
    sw = custom.sweep(train_by_hand, lrs, warmups, steps, seeds=seeds, **run)
    grid = np.nanmean(np.where(np.isfinite(sw.grid()), sw.grid(), np.nan), axis=0)
    print(f"lr × warmup map {sw.group_id} (mean over {len(seeds)} seeds of the final held-out loss):")
    print("  lr \\ warmup " + "".join(f"{v:>10}" for v in warmups))
    for lr, row in zip(lrs, grid):
        print(f"  {lr:<12g}" + "".join(f"{v:>10.4f}" for v in row))
    print(f"{len(sw.curves())} loss curves ready for warmup_core.predict.fit_multi_power_law")
    return 0 if all(s == "finished" for s in {**cmp.outcome.status, **sw.outcome.status}.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
