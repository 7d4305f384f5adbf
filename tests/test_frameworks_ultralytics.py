"""Ultralytics parity: golden values recorded by scripts/make_ultralytics_golden.py from the real trainer code
of ultralytics 8.4.190 (Ultralytics pulls torchvision and OpenCV; it is not a test dependency)."""

import json
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat
from warmup_core.schedule import Decay, Schedule, Warmup

from .golden.ultralytics_cases import CASES

GOLDEN = json.loads((Path(__file__).parent / "golden" / "ultralytics.json").read_text())
IDS = [str(i) for i in range(len(GOLDEN["cases"]))]


def test_golden_file_matches_the_case_list():
    assert [c["kwargs"] for c in GOLDEN["cases"]] == list(CASES)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_ultralytics_golden(case):
    kw = case["kwargs"]
    got = compat.build("ultralytics", "train", **kw)(np.arange(len(case["lrs"])))
    n = kw["epochs"] * kw["nb"]  # the training run; after it the cosine lambda would rise again (held here)
    upto = len(case["lrs"]) if not kw["cos_lr"] else n
    np.testing.assert_allclose(got[:upto], case["lrs"][:upto], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=IDS)
def test_round_trip(case):
    s = compat.build("ultralytics", "train", **case["kwargs"])
    back = compat.build("ultralytics", **compat.export_params("ultralytics", s))
    t = np.arange(3 * len(case["lrs"]))
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-15)


def test_a_plain_schedule_is_refused():
    with pytest.raises(ValueError, match="once per epoch"):
        compat.export_params("ultralytics", Schedule(0.01, Warmup("linear", steps=5), Decay("cosine", steps=95),
                                                     "prepend", 100))


@pytest.mark.parametrize("kw,word", [
    (dict(), "nb"),
    (dict(nb=0), "nb"),
    (dict(nb=10, epochs=0), "epochs"),
    (dict(nb=10, lr0=-0.01), "lr0"),
    (dict(nb=10, lrf=1.5), "lrf"),
    (dict(nb=10, warmup_epochs=-1), "warmup_epochs"),
    (dict(nb=10, cos_lr="yes"), "cos_lr"),
])
def test_bad_input(kw, word):
    with pytest.raises(ValueError, match=word):
        compat.build("ultralytics", "train", **kw)
