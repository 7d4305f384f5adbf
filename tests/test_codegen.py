"""Every exported snippet, run against the real library: the lr per step must equal warmup_core's."""

import numpy as np
import pytest

from tests import reference as R
from ui import codegen
from warmup_core import Decay, Schedule, Warmup
from warmup_core.libraries import FRAMEWORKS

SCHEDULES = [
    Schedule(5e-5, Warmup("linear", 50), Decay("cosine"), "prepend", 500),
    Schedule(5e-5, Warmup("linear", 50), Decay("cosine", clamp=False, floor=0.1), "prepend", 500),
    Schedule(1e-3, Warmup("linear", 40), Decay("linear"), "prepend", 400),
    Schedule(1e-3, Warmup("linear", 40), Decay("constant"), "prepend", 400),
    Schedule(1e-3, Warmup("linear", 40), Decay("inverse_sqrt", timescale=40), "prepend", 400),
    Schedule(1e-3, Warmup("linear", 40), Decay("polynomial", power=2.0, floor=0.01), "prepend", 400),
    Schedule(1e-2, Warmup("cosine", 30, factor=0.1), Decay("wsd", stable=200, decay=70, shape="1-sqrt", floor=0.1),
             "prepend", 300),
    Schedule(0.1, Warmup("linear", 20, factor=0.1), Decay("cosine", floor=0.05), "override", 300),
    Schedule(0.1, Warmup("linear", 20, factor=0.1), Decay("step", step_size=50, gamma=0.5), "prepend", 300),
    Schedule(0.1, Warmup(), Decay("multistep", milestones=[100, 200]), "prepend", 300),
    Schedule(0.1, Warmup(), Decay("multistep", milestones=[100, 200], boundary="after"), "prepend", 300),
    Schedule(0.1, Warmup(), Decay("cosine_restarts", period=50, period_mult=2.0, cycle_decay=0.5,
                                  decay_mode="amplitude", floor=0.1), "prepend", 400),
    Schedule(0.1, Warmup("linear", 10, factor=0.01), Decay("exponential", gamma=0.5, period=30, staircase=True),
             "prepend", 300),
    Schedule(0.1, Warmup(), Decay("onecycle", style="optax"), "prepend", 300),
    Schedule(0.1, Warmup("constant", 25, factor=0.1), Decay("multistep", milestones=[100]), "multiply", 300),
    Schedule(0.1, Warmup("untuned_exponential", beta2=0.95), Decay("tanh"), "multiply", 300),
    Schedule(0.1, Warmup("cosine", 25), Decay("cosine"), "prepend", 300),  # warmup and decay share a name
    Schedule(0.1, Warmup("linear", 20, factor=0.01), Decay("wsd", stable=200, decay=80, shape="exp", floor=0.05,
                                                         stable_power=0.5, stable_timescale=20), "prepend", 300),
]
IDS = [f"{s.warmup.method}-{s.decay.name}-{s.convention}" for s in SCHEDULES]


def horizon(s, note):
    if note and "rises again" in note:  # identical only up to the end of the decay
        return min(s.total_steps, s.warmup.steps + s.decay_params["steps"])
    return s.total_steps


def run_snippet(code):
    ns = {}
    exec(compile(code, "<snippet>", "exec"), ns)  # the test's own generated code, not user input
    return ns


def snippet(make, s, module):
    """``(namespace, steps to compare)`` of the exported snippet; where the library says it cannot express
    ``s`` its note must say so, and the test is skipped with that note."""
    code, note = make(s)
    if code is None:
        assert "cannot" in note or "has no" in note
        pytest.skip(f"the library cannot express this schedule: {note}")
    pytest.importorskip(module)
    return run_snippet(code), horizon(s, note)


@pytest.mark.parametrize("s", SCHEDULES, ids=IDS)
def test_pytorch_snippet_is_exact(s):
    pytest.importorskip("torch")
    ns = run_snippet(codegen.pytorch(s))
    n = s.total_steps + 20
    got = R.step_torch(ns["scheduler"], ns["optimizer"], n)
    np.testing.assert_allclose(got, s(np.arange(n)), rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("s", SCHEDULES, ids=IDS)
def test_transformers_snippet(s):
    ns, n = snippet(codegen.transformers, s, "transformers")
    np.testing.assert_allclose(R.step_torch(ns["scheduler"], ns["optimizer"], n), s(np.arange(n)), rtol=1e-9)


@pytest.mark.parametrize("s", SCHEDULES, ids=IDS)
def test_timm_snippet(s):
    ns, n = snippet(codegen.timm, s, "timm.scheduler")
    got = []
    for t in range(n):
        ns["scheduler"].step_update(t)
        got.append(ns["optimizer"].param_groups[0]["lr"])
    np.testing.assert_allclose(got, s(np.arange(n)), rtol=1e-9, atol=1e-15)


# optax: float64 under JAX_ENABLE_X64; Keras: float32, so rtol 2e-6 and a few float32 ulps of the peak.
FUNCTIONAL = {"optax": (codegen.optax, 1e-9, 0.0), "keras": (codegen.keras, 2e-6, 4 * np.finfo(np.float32).eps)}


@pytest.mark.parametrize("lib", sorted(FUNCTIONAL))
@pytest.mark.parametrize("s", SCHEDULES, ids=IDS)
def test_functional_snippet(s, lib):
    make, rtol, atol_rel = FUNCTIONAL[lib]
    ns, n = snippet(make, s, lib)
    want = s(np.arange(n))
    got = np.array([float(ns["schedule"](t)) for t in range(n)])
    np.testing.assert_allclose(got, want, rtol=rtol, atol=max(atol_rel * want.max(), 1e-15))


def test_every_library_has_a_snippet_for_the_default_explore_schedule():
    s = Schedule(0.1, Warmup("linear", 500), Decay("cosine"), "prepend", 10_000)
    shown = codegen.snippets(s)
    assert all(shown[label][0] for label in ("PyTorch (standalone)", "transformers", "timm", "optax", "Keras"))
    # every other registered framework appears exactly where its exporter can express the schedule
    for key, fw in FRAMEWORKS.items():
        if key not in codegen.FEATURED:
            assert (fw.title in shown) == (fw.export(s)[0] is not None), key


def test_a_library_that_cannot_express_a_schedule_says_why():
    s = Schedule(0.1, Warmup("radam"), Decay("cosine"), "multiply", 10_000)
    code, note = codegen.transformers(s)
    assert code is None and "transformers cannot express this schedule" in note
