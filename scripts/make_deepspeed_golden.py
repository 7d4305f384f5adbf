"""Write tests/golden/deepspeed.json from DeepSpeed's real schedulers (deepspeed/runtime/lr_schedules.py).

DeepSpeed cannot be a CI dependency (its install builds CUDA ops and pins its own torch), but its
scheduler module needs only torch and DeepSpeed's logger. This script downloads the pinned sdist with
``pip download --no-deps``, extracts ``deepspeed/runtime/lr_schedules.py`` alone, stubs
``deepspeed.utils.logger`` and runs each case the way DeepSpeed's engine does: the first update uses the
lr set at construction, then ``optimizer.step(); lr_scheduler.step()`` after every update.

    python scripts/make_deepspeed_golden.py            # regenerate the fixture
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tarfile
import tempfile
import types
from pathlib import Path

DEEPSPEED_VERSION = "0.19.8"
MODULE = "deepspeed/runtime/lr_schedules.py"
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "deepspeed.json"
sys.path.insert(0, str(OUT.parent))

from deepspeed_cases import CASES, N_STEPS  # noqa: E402  (tests/golden/deepspeed_cases.py)


def import_lr_schedules():
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    f"deepspeed=={DEEPSPEED_VERSION}", "-d", str(tmp)], check=True)
    sdist = next(tmp.glob("deepspeed-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(MODULE))
        source = tar.extractfile(member).read().decode()
    utils = types.ModuleType("deepspeed.utils")
    utils.logger = logging.getLogger("deepspeed")
    sys.modules.update({"deepspeed": types.ModuleType("deepspeed"), "deepspeed.utils": utils})
    module = types.ModuleType("lr_schedules")
    exec(compile(source, f"deepspeed-{DEEPSPEED_VERSION}/{MODULE}", "exec"), module.__dict__)
    return module


def deepspeed_lrs(module, cls, base_lr, kwargs, n):
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=base_lr)
    s = getattr(module, cls)(opt, **kwargs)
    out = []
    for _ in range(n):  # DeepSpeedEngine._take_model_step: optimizer.step(), then lr_scheduler.step()
        out.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        s.step()
    return out


def main():
    logging.disable(logging.WARNING)  # DeepSpeed warns before the first step; the values are what count
    module = import_lr_schedules()
    cases = [{"class": cls, "base_lr": base, "kwargs": kw, "lrs": deepspeed_lrs(module, cls, base, kw, N_STEPS)}
             for cls, base, kw in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"deepspeed_version": "{DEEPSPEED_VERSION} (runtime/lr_schedules.py from the sdist)", '
                   f'"n_steps": {N_STEPS}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from DeepSpeed {DEEPSPEED_VERSION} to {OUT}")


if __name__ == "__main__":
    main()
