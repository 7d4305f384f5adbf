"""Run the training engine from a terminal or a notebook.

    python -m warmup_core.training --task mlp --steps 300 --seed 0 \\
        --schedule '{"base_lr": 0.5, "warmup": {"method": "none"}, "decay": {"name": "cosine"}, "total_steps": 300}' \\
        --schedule '{"base_lr": 0.5, "warmup": {"method": "linear", "steps": 100}, "decay": {"name": "cosine"}, \\
"total_steps": 300}'

Prints one JSON object per logged step ({"run", "step", "lr", "loss", ...}) and a final one per run
with its "status" (finished | diverged | cancelled | failed). Every schedule starts from the same
initial weights and sees the same batches (one seed). With ``--save`` the runs are also recorded in
the app's database (``--db``, else ``WARMUP_LAB_DB``), under ``--owner`` (the key the Train page
shows), so they appear in that browser's "Your runs".

Exit status: 0 when every run finished or diverged (a divergence is a result), 1 when a run failed
or the database cannot be used, 2 for invalid arguments (including a device this machine lacks),
130 when interrupted. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid

from ..schedule import from_json
from .engine import OPTIMIZERS, RunConfig, train
from .tasks import TASKS


class UsageError(Exception):
    """Invalid arguments: exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the usage block and exits; one line is enough
        raise UsageError(message)


def parse(argv=None):
    ap = _Parser(prog="python -m warmup_core.training", description=__doc__.split("\n")[0],
                 epilog="Schedules are Schedule.to_dict() JSON (the app's 'Share' and download give them); @path "
                        "reads one from a file.")
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
    ap.add_argument("--save", action="store_true", help="also record the runs in the app's database")
    ap.add_argument("--db", default=None, help="the database for --save (default: WARMUP_LAB_DB, else "
                                               "~/.cache/warmup-lab/runs.sqlite)")
    ap.add_argument("--owner", default=None, help="with --save: the owner key shown on the Train page "
                                                  "(default: a new one, printed)")
    ap.add_argument("--backend", default="local", choices=("local", "ray"),
                    help="ray: each run a Ray task, rows kept in the lab's store (default: local)")
    ap.add_argument("--address", default=None, help="Ray cluster: auto | ray://head:10001 (default: a local Ray)")
    return ap.parse_args(argv)


def _options(items) -> dict:
    options = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--option needs KEY=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        options[k] = int(v) if v.isdigit() and len(v) < 12 else v
    return options


def _configs(args) -> list[RunConfig]:
    task = TASKS[args.task]
    options = _options(args.option)
    configs = []
    for i, text in enumerate(args.schedule):
        try:
            if text.startswith("@"):
                with open(text[1:], encoding="utf-8") as f:
                    text = f.read(1_000_000)
            sched = from_json(text)
            cfg = RunConfig(task=args.task, schedule=sched, steps=args.steps,
                            batch_size=task.batch_size if args.batch_size is None else args.batch_size,
                            optimizer=args.optimizer or task.optimizer, seed=args.seed, device=args.device,
                            log_every=args.log_every, eval_every=args.eval_every, options=options,
                            name=f"schedule {i}").validate()
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OSError, UnicodeError) as e:
            raise UsageError(f"schedule {i}: {e}") from None
        configs.append(cfg)
    return configs


def main(argv=None) -> int:
    try:
        return _main(argv)
    except UsageError as e:
        _say(f"error: {e}")
        return 2
    except KeyboardInterrupt:
        _say("error: interrupted")
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped listening
        return 0
    except Exception as e:  # noqa: BLE001 - one line, never a traceback
        _say(f"error: {type(e).__name__}: {e}")
        return 1


def _say(line: str):
    print(" ".join(str(line).split()), file=sys.stderr)  # one line, whatever the message held


def _main(argv) -> int:
    from .device import pick_device
    from .store import Lease, Store, StoreError

    args = parse(argv)
    configs = _configs(args)
    try:
        pick_device(args.device)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.backend != "local":
        if args.save:
            raise UsageError("--save records local runs; a --backend ray comparison is kept in the store already")
        from .map_runs import run_configs

        try:
            return run_configs(configs, backend=args.backend, address=args.address)
        except ValueError as e:  # no Ray installed, a bad address
            raise UsageError(str(e)) from None
    store, lease, ids = None, None, [None] * len(configs)
    if args.save:
        try:
            store = Store(args.db)
            lease = Lease(store)  # a server on the same database leaves these runs alone while we live
            owner = args.owner or uuid.uuid4().hex
            group = uuid.uuid4().hex[:8]
            ids = [store.create(owner, group, c.name, c.to_json(), c.steps, manager=lease.id) for c in configs]
        except StoreError as e:
            _say(f"error: {e}")
            return 1
        print(json.dumps({"owner": owner, "runs": ids}), flush=True)
    try:
        return _run_all(configs, store, ids)
    finally:
        if lease is not None:
            lease.close()


def _run_all(configs, store, ids) -> int:
    failed = 0
    for i, (cfg, rid) in enumerate(zip(configs, ids)):
        rows = []

        def emit(row, i=i, rows=rows):
            if "note" not in row:
                print(json.dumps({"run": i, **row}), flush=True)
                rows.append(row)

        if store is not None:
            store.update(rid, status="running", started=time.time())
        try:
            result = train(cfg, on_log=emit)
            status, message, device = result.status, result.message, result.device
            final = {"steps": result.steps_done, "final_loss": result.final_loss}
        except Exception as e:  # noqa: BLE001 - a missing data set, a broken option: that run failed
            status, message, device, final = "failed", f"{type(e).__name__}: {e}", None, {}
            failed += 1
            _say(f"error: run {i}: {message}")
        if store is not None:
            store.add_metrics(rid, rows)
            store.update(rid, status=status, message=message, device=device, finished=time.time())
        print(json.dumps({"run": i, "status": status, **final, "device": device, "message": message,
                          "config": json.loads(cfg.to_json())}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
