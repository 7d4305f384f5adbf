"""Write tests/golden/composer.json from MosaicML Composer's schedulers (composer/optim/scheduler.py).

Composer pulls a large stack (torchvision, torchmetrics, ...), so it is not a test dependency. This script
downloads the pinned wheel with ``pip download --no-deps`` and imports only ``composer/core/time.py`` (with
its two small helpers) and ``composer/optim/scheduler.py``; the ``State`` the schedulers read is a namespace
holding ``max_duration``, ``dataloader_len`` and the ``Timestamp`` after ``t`` batches, which is what the
Trainer's LambdaLR evaluates before batch ``t`` (it steps the scheduler after every batch).

    python scripts/make_composer_golden.py            # regenerate the fixture
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

COMPOSER_VERSION = "0.32.1"
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "composer.json"
sys.path.insert(0, str(OUT.parent))

from composer_cases import CASES, N_STEPS  # noqa: E402  (tests/golden/composer_cases.py)


def _load(name, source, path):
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def import_composer():
    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"mosaicml=={COMPOSER_VERSION}",
                    "-d", str(tmp)], check=True)
    wheel = next(tmp.glob("mosaicml-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        read = lambda p: z.read(p).decode()  # noqa: E731
        for pkg in ("composer", "composer.core", "composer.utils", "composer.optim"):
            sys.modules[pkg] = types.ModuleType(pkg)
        enum = _load("composer.utils.string_enum", read("composer/utils/string_enum.py"), "string_enum.py")
        sys.modules["composer.utils"].StringEnum = enum.StringEnum
        _load("composer.core.serializable", read("composer/core/serializable.py"), "serializable.py")
        time = _load("composer.core.time", read("composer/core/time.py"), "composer/core/time.py")
        core = sys.modules["composer.core"]
        core.Time, core.TimeUnit, core.Timestamp, core.State = time.Time, time.TimeUnit, time.Timestamp, object
        sched = _load("composer.optim.scheduler", read("composer/optim/scheduler.py"), "composer/optim/scheduler.py")
    return time, sched


def composer_lrs(time, sched, cls, kwargs, max_duration, dataloader_len, n):
    s = getattr(sched, cls)(**kwargs)
    state = types.SimpleNamespace(max_duration=time.Time.from_timestring(max_duration), dataloader_len=dataloader_len)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "The warmup duration is 0"
        for t in range(n):
            epoch = t // dataloader_len if dataloader_len else 0
            state.timestamp = time.Timestamp(epoch=epoch, batch=t)
            out.append(float(s(state)))
    return out


def main():
    time, sched = import_composer()
    cases = [{"class": cls, "kwargs": kw, "max_duration": md, "dataloader_len": dl,
              "factors": composer_lrs(time, sched, cls, kw, md, dl, N_STEPS)} for cls, kw, md, dl in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"composer_version": "{COMPOSER_VERSION} (scheduler.py and core/time.py from the wheel)", '
                   f'"n_steps": {N_STEPS}, "cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from Composer {COMPOSER_VERSION} to {OUT}")


if __name__ == "__main__":
    main()
