"""Write tests/golden/timm.json from the real timm schedulers.

timm cannot be a CI dependency (it pulls torchvision and a newer torch), so its parity is checked
against values this script records from the released package. The scheduler modules need only
torch: if ``import timm`` fails, the script downloads the pinned wheel with pip and imports
``timm/scheduler`` from it (nothing else of timm is used).

    python scripts/make_timm_golden.py            # regenerate the fixture
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TIMM_VERSION = "1.0.31"
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "timm.json"
sys.path.insert(0, str(OUT.parent))

from timm_cases import CASES, N_STEPS  # noqa: E402  (tests/golden/timm_cases.py)


def import_timm_scheduler():
    try:
        import timm
        import timm.scheduler as sched
        return sched, timm.__version__
    except ImportError:
        pass
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"timm=={TIMM_VERSION}",
                    "-d", str(tmp)], check=True)
    wheel = next(tmp.glob("timm-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp / "site", [n for n in z.namelist() if n.startswith("timm/scheduler/")])
    (tmp / "site" / "timm" / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp / "site"))
    import timm.scheduler as sched
    return sched, f"{TIMM_VERSION} (scheduler modules from the wheel)"


def timm_lrs(sched_module, cls, base_lr, kwargs, n):
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    s = getattr(sched_module, cls)(opt, t_in_epochs=False, **kwargs)
    out = []
    for t in range(n):  # timm/train.py: step_update(num_updates) after every update
        s.step_update(t)
        out.append(opt.param_groups[0]["lr"])
    return out


def main():
    sched, version = import_timm_scheduler()
    cases = [{"class": cls, "base_lr": base, "kwargs": kw, "lrs": timm_lrs(sched, cls, base, kw, N_STEPS)}
             for cls, base, kw in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"timm_version": {json.dumps(version)}, "n_steps": {N_STEPS}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from timm {version} to {OUT}")


if __name__ == "__main__":
    main()
