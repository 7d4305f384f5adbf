"""Write tests/golden/nemo.json from NeMo's schedulers (nemo/core/optim/lr_scheduler.py).

NeMo cannot be a CI dependency (it pulls a large training stack and its own torch), but its scheduler module
needs only torch. The script downloads the pinned wheel with ``pip download --no-deps``, reads that one
file, stubs the NeMo/omegaconf imports it does not use for these classes, and runs each case the way
PyTorch Lightning does with ``interval: step``: the scheduler is built, and ``scheduler.step()`` follows every
optimizer step.

    python scripts/make_nemo_golden.py            # regenerate the fixture
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import types
import warnings
import zipfile
from pathlib import Path

NEMO_VERSION = "3.0.0"
MODULE = "nemo/core/optim/lr_scheduler.py"
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "nemo.json"
sys.path.insert(0, str(OUT.parent))

from nemo_cases import CASES, N_STEPS  # noqa: E402  (tests/golden/nemo_cases.py)


def _stub(name, **attrs):
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    def anything(attr):  # anything else it names: an inert callable
        if attr.startswith("__"):
            raise AttributeError(attr)
        return lambda *a, **k: None

    mod.__getattr__ = anything
    return mod


def import_scheduler_module():
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"nemo_toolkit=={NEMO_VERSION}",
                    "-d", str(tmp)], check=True)
    wheel = next(tmp.glob("nemo_toolkit-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        source = z.read(MODULE).decode()
    for name in ("omegaconf", "nemo", "nemo.core", "nemo.core.classes", "nemo.core.classes.common",
                 "nemo.core.config", "nemo.core.config.schedulers", "nemo.utils", "nemo.utils.model_utils"):
        sys.modules[name] = _stub(name, DictConfig=dict, OmegaConf=object, SchedulerParams=object)
    module = types.ModuleType("lr_scheduler")
    exec(compile(source, f"nemo_toolkit-{NEMO_VERSION}/{MODULE}", "exec"), module.__dict__)
    return module


def nemo_lrs(module, cls, base_lr, kwargs, n):
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = getattr(module, cls)(opt, **kwargs)
        out = []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            s.step()
    return out


def main():
    module = import_scheduler_module()
    cases = [{"class": cls, "base_lr": base, "kwargs": kw, "lrs": nemo_lrs(module, cls, base, kw, N_STEPS)}
             for cls, base, kw in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"nemo_version": "{NEMO_VERSION} ({MODULE} from the wheel)", '
                   f'"n_steps": {N_STEPS}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from NeMo {NEMO_VERSION} to {OUT}")


if __name__ == "__main__":
    main()
