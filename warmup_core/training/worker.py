"""A training process for :class:`~.jobs.JobManager` (``isolate=True``):

    python -m warmup_core.training.worker THREADS     # 0: torch's own default

It warms torch up and says ``ready``, then reads one job per line on standard input (JSON: the store's
path, the flush interval, each run's id and config), trains it (:func:`~.jobs.train_elsewhere`),
and answers one line: ``done``, or what went wrong. It ends at the end of its input. Anything the
training prints goes to standard error, so the answers stay one line each.
"""

import json
import os
import signal
import sys


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops this (EOF)
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever else writes to standard output (Python or C) lands on standard error
    from .jobs import _warm_up, train_elsewhere

    threads = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0
    _warm_up(threads or None)
    print("ready", file=answers)
    for line in sys.stdin:
        try:
            job = json.loads(line)
            train_elsewhere(job["path"], job["runs"], float(job["flush_every"]))
            print("done", file=answers)
        except Exception as e:  # noqa: BLE001 - the manager records it on the job's runs
            print(f"{type(e).__name__}: {e}".replace("\n", " "), file=answers)


if __name__ == "__main__":
    main()
