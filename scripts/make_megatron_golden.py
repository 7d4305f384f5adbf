"""Write tests/golden/megatron.json from Megatron-core's OptimizerParamScheduler
(megatron/core/optimizer_param_scheduler.py).

megatron-core cannot be a CI dependency (it builds against its own torch/CUDA stack), but this module needs
only ``megatron.core.utils.log_single_rank``. The script downloads the pinned wheel with
``pip download --no-deps``, reads that one file, stubs the logger and runs each case the way Megatron's
training loop does: the scheduler is built (``step(0)``), iteration t trains at ``num_steps = t`` and is
followed by ``step(1)`` (one "step" per iteration; Megatron's sample-based counting multiplies every count
by the global batch size, which leaves the ratios unchanged).

    python scripts/make_megatron_golden.py            # regenerate the fixture
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import types
import zipfile
from pathlib import Path

MEGATRON_VERSION = "0.16.1"
MODULE = "megatron/core/optimizer_param_scheduler.py"
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "megatron.json"
sys.path.insert(0, str(OUT.parent))

from megatron_cases import CASES, N_STEPS  # noqa: E402  (tests/golden/megatron_cases.py)


def import_scheduler_module():
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"megatron-core=={MEGATRON_VERSION}",
                    "-d", str(tmp)], check=True)
    wheel = next(tmp.glob("megatron_core-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        source = z.read(MODULE).decode()
    utils = types.ModuleType("megatron.core.utils")
    utils.log_single_rank = lambda *a, **k: None
    sys.modules.update({"megatron": types.ModuleType("megatron"), "megatron.core": types.ModuleType("megatron.core"),
                        "megatron.core.utils": utils})
    module = types.ModuleType("optimizer_param_scheduler")
    exec(compile(source, f"megatron-core-{MEGATRON_VERSION}/{MODULE}", "exec"), module.__dict__)
    return module


class _Optimizer:  # the scheduler only reads and writes param_groups
    def __init__(self):
        self.param_groups = [{}]


def megatron_lrs(module, kwargs, n):
    opt = _Optimizer()
    s = module.OptimizerParamScheduler(opt, start_wd=0.0, end_wd=0.0, wd_incr_steps=1, wd_incr_style="constant",
                                       **kwargs)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        s.step(1)
    return out


def main():
    module = import_scheduler_module()
    cases = [{"kwargs": kw, "lrs": megatron_lrs(module, kw, N_STEPS)} for kw in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"megatron_core_version": "{MEGATRON_VERSION} ({MODULE} from the wheel)", '
                   f'"n_steps": {N_STEPS}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from megatron-core {MEGATRON_VERSION} to {OUT}")


if __name__ == "__main__":
    main()
