"""Run the training engine from a terminal or a notebook.

    python -m warmup_core.training --task mlp --steps 300 --seed 0 \\
        --schedule '{"base_lr": 0.5, "warmup": {"method": "none"}, "decay": {"name": "cosine"}, "total_steps": 300}' \\
        --schedule '{"base_lr": 0.5, "warmup": {"method": "linear", "steps": 100}, "decay": {"name": "cosine"}, \\
"total_steps": 300}'

Prints one JSON object per logged step ({"run", "step", "lr", "loss", ...}) and a final one per run
with its "status" (finished | diverged | cancelled | failed). Every schedule starts from the same
initial weights and sees the same batches (one seed).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..schedule import from_json
from .engine import OPTIMIZERS, RunConfig, train
from .tasks import TASKS


def parse(argv=None):
    ap = argparse.ArgumentParser(prog="python -m warmup_core.training", description=__doc__.split("\n")[0],
                                 epilog="Schedules are Schedule.to_dict() JSON (the app's 'Share' and download "
                                        "give them); @path reads one from a file.")
    ap.add_argument("--task", default="mlp", choices=sorted(TASKS), help="what to train (default: mlp)")
    ap.add_argument("--schedule", action="append", required=True,
                    help="a schedule as JSON or @file.json; repeat to compare several")
    ap.add_argument("--steps", type=int, default=300, help="optimizer updates per run (default: 300)")
    ap.add_argument("--batch-size", type=int, default=None, help="default: the task's")
    ap.add_argument("--optimizer", default=None, choices=OPTIMIZERS, help="default: the task's")
    ap.add_argument("--seed", type=int, default=0, help="initial weights and batch order (default: 0)")
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda | mps (default: auto)")
    ap.add_argument("--log-every", type=int, default=0, help="0: about 100 points per run")
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="task option, e.g. norm=pre for the Pre-LN transformer")
    ap.add_argument("--backend", default="local", choices=("local", "ray"),
                    help="ray: each run a Ray task, rows kept in the lab's store (default: local)")
    ap.add_argument("--address", default=None, help="Ray cluster: auto | ray://head:10001 (default: a local Ray)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    task = TASKS[args.task]
    options = {}
    for item in args.option:
        if "=" not in item:
            print(f"error: --option needs KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        k, v = item.split("=", 1)
        options[k] = int(v) if v.isdigit() else v
    configs = []
    for i, text in enumerate(args.schedule):
        try:
            if text.startswith("@"):
                with open(text[1:]) as f:
                    text = f.read()
            sched = from_json(text)
            cfg = RunConfig(task=args.task, schedule=sched.to_dict(), steps=args.steps,
                            batch_size=args.batch_size or task.batch_size, optimizer=args.optimizer or task.optimizer,
                            seed=args.seed, device=args.device, log_every=args.log_every,
                            eval_every=args.eval_every, options=options, name=f"schedule {i}").validate()
        except (ValueError, OSError) as e:
            print(f"error: schedule {i}: {e}", file=sys.stderr)
            return 2
        configs.append(cfg)
    if args.backend != "local":
        from .map_runs import run_configs

        try:
            return run_configs(configs, backend=args.backend, address=args.address)
        except ValueError as e:  # no Ray installed, a bad address
            print(f"error: {e}", file=sys.stderr)
            return 2
    for i, cfg in enumerate(configs):
        def emit(row, i=i):
            if "note" not in row:
                print(json.dumps({"run": i, **row}), flush=True)
        try:
            result = train(cfg, on_log=emit)
        except ValueError as e:  # e.g. a device that is not there
            print(json.dumps({"run": i, "status": "failed", "message": str(e)}), flush=True)
            continue
        print(json.dumps({"run": i, "status": result.status, "steps": result.steps_done,
                          "final_loss": result.final_loss, "device": result.device, "message": result.message,
                          "config": json.loads(cfg.to_json())}), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped listening
        sys.exit(0)
