"""``streamlit`` with the time of every script run written down, from inside the server: what a change
costs the server while a real browser drives it (``bench/bench_browser.py``).

    WARMUP_LAB_SCRIPT_TIMES=times.txt python bench/timed_server.py run app.py ...

Each finished run appends one line, ``<unix time at its end> <seconds it ran>``. Only for benchmarks:
the app itself runs with plain ``streamlit run``.
"""

import os
import sys
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web.cli import main

_run_script = script_runner.ScriptRunner._run_script


def _timed(self, rerun_data):
    t0 = time.perf_counter()
    try:
        return _run_script(self, rerun_data)
    finally:
        with open(os.environ["WARMUP_LAB_SCRIPT_TIMES"], "a") as f:
            f.write(f"{time.time():.6f} {time.perf_counter() - t0:.6f}\n")


script_runner.ScriptRunner._run_script = _timed

if __name__ == "__main__":
    sys.exit(main())
