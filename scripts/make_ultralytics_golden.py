"""Write tests/golden/ultralytics.json from Ultralytics' trainer (ultralytics/engine/trainer.py and
ultralytics/utils/torch_utils.py).

Ultralytics pulls torchvision and OpenCV, so it is not a test dependency, and its schedule lives inside
``BaseTrainer._do_train`` (a per-iteration warmup) and ``BaseTrainer._setup_scheduler`` (a per-epoch
``LambdaLR``). This script downloads the pinned wheel with ``pip download --no-deps`` and takes the real code
out of it with ``ast``: ``one_cycle``, ``_setup_scheduler``, ``_get_warmup_iterations`` and the warmup block
``if nw and ni <= nw:`` of ``_do_train``. It runs them, unchanged, in a loop shaped like ``_do_train``:
``scheduler.last_epoch = start_epoch - 1``, then per epoch ``scheduler.step()`` and per batch the warmup block,
recording the lr of the (non-bias) parameter group.

    python scripts/make_ultralytics_golden.py            # regenerate the fixture
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
import tempfile
import textwrap
import types
import warnings
import zipfile
from pathlib import Path

import numpy as np

ULTRALYTICS_VERSION = "8.4.190"
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "ultralytics.json"
sys.path.insert(0, str(OUT.parent))

from ultralytics_cases import CASES  # noqa: E402  (tests/golden/ultralytics_cases.py)


def _function(tree, name, cls=None):
    nodes = tree.body if cls is None else next(n for n in tree.body if isinstance(n, ast.ClassDef)
                                               and n.name == cls).body
    return next(n for n in nodes if isinstance(n, ast.FunctionDef) and n.name == name)


def load_code():
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    f"ultralytics=={ULTRALYTICS_VERSION}", "-d", str(tmp)], check=True)
    wheel = next(tmp.glob("ultralytics-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        trainer = z.read("ultralytics/engine/trainer.py").decode()
        torch_utils = z.read("ultralytics/utils/torch_utils.py").decode()
    t_tree, u_tree = ast.parse(trainer), ast.parse(torch_utils)
    import torch.optim as optim

    ns = {"math": math, "np": np, "optim": optim}
    for src, tree, name, cls in ((torch_utils, u_tree, "one_cycle", None),
                                 (trainer, t_tree, "_setup_scheduler", "BaseTrainer"),
                                 (trainer, t_tree, "_get_warmup_iterations", "BaseTrainer")):
        exec(textwrap.dedent(ast.get_source_segment(src, _function(tree, name, cls))), ns)
    do_train = _function(t_tree, "_do_train", "BaseTrainer")
    block = next(n for n in ast.walk(do_train) if isinstance(n, ast.If)
                 and ast.get_source_segment(trainer, n.test) == "nw and ni <= nw")
    block_source = textwrap.dedent(ast.get_source_segment(trainer, block))
    ns["warmup_block"] = compile(block_source, "trainer.py:_do_train", "exec")
    return ns


def ultralytics_lrs(ns, case):
    import torch

    args = types.SimpleNamespace(cos_lr=case["cos_lr"], lrf=case["lrf"], warmup_epochs=case["warmup_epochs"],
                                 warmup_bias_lr=0.1, warmup_momentum=0.8, momentum=0.937)
    p = torch.nn.Parameter(torch.zeros(1))
    self = types.SimpleNamespace(args=args, epochs=case["epochs"], accumulate=1,
                                 optimizer=torch.optim.SGD([p], lr=case["lr0"], momentum=0.937))
    self.optimizer.param_groups[0]["param_group"] = "weight"
    ns["_setup_scheduler"](self)
    self.scheduler.last_epoch = 0 - 1  # _setup_train: start_epoch - 1
    nb = case["nb"]
    nw = ns["_get_warmup_iterations"](self, nb)
    acc0 = self.accumulate
    out = []
    for epoch in range(case["epochs"] + 2):  # two epochs past the end too
        with warnings.catch_warnings():  # _do_train: 'lr_scheduler.step() before optimizer.step()' is expected
            warnings.simplefilter("ignore")
            self.scheduler.step()
        for i in range(nb):
            ni = i + nb * epoch
            exec(ns["warmup_block"], ns, {"self": self, "ni": ni, "nw": nw, "acc0": acc0, "epoch": epoch,
                                          "np": np})
            out.append(self.optimizer.param_groups[0]["lr"])
    return out


def main():
    ns = load_code()
    cases = [{"kwargs": c, "lrs": ultralytics_lrs(ns, c)} for c in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"ultralytics_version": "{ULTRALYTICS_VERSION} (trainer code from the wheel)", '
                   f'"cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from Ultralytics {ULTRALYTICS_VERSION} to {OUT}")


if __name__ == "__main__":
    main()
