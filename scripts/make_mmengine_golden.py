"""Write tests/golden/mmengine.json from mmengine's parameter schedulers.

mmengine pulls opencv and matplotlib, so it is not a test dependency. Run this script with a Python that
has it, e.g. a throwaway venv that sees the project's torch:

    python -m venv --system-site-packages /tmp/venv-mmengine
    /tmp/venv-mmengine/bin/pip install mmengine==0.10.7 opencv-python-headless
    /tmp/venv-mmengine/bin/python scripts/make_mmengine_golden.py

Each case builds its ``param_scheduler`` list with mmengine's own registry (``convert_to_iter_based`` is
handled there) and steps it as ``ParamSchedulerHook`` does: after every iteration the ``by_epoch=False``
schedulers, after every epoch (``epoch_length`` iterations) the ``by_epoch=True`` ones.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "mmengine.json"
sys.path.insert(0, str(OUT.parent))

from mmengine_cases import CASES, N_STEPS  # noqa: E402  (tests/golden/mmengine_cases.py)


def mmengine_lrs(base_lr, epoch_length, configs, n):
    import mmengine.optim  # noqa: F401  (registers the schedulers)
    import torch
    from mmengine.registry import PARAM_SCHEDULERS

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheds = [PARAM_SCHEDULERS.build(dict(cfg), default_args=dict(optimizer=opt, epoch_length=epoch_length))
                  for cfg in configs]
        out = []
        for t in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            for s in scheds:  # ParamSchedulerHook.after_train_iter
                if not s.by_epoch:
                    s.step()
            if (t + 1) % epoch_length == 0:  # ParamSchedulerHook.after_train_epoch
                for s in scheds:
                    if s.by_epoch:
                        s.step()
    return out


def main():
    import mmengine

    cases = [{"base_lr": base, "epoch_length": L, "param_scheduler": cfgs,
              "lrs": mmengine_lrs(base, L, cfgs, N_STEPS)} for base, L, cfgs in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"mmengine_version": "{mmengine.__version__}", "n_steps": {N_STEPS}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from mmengine {mmengine.__version__} to {OUT}")


if __name__ == "__main__":
    main()
