"""Every framework module, both directions: round trips, refusals in the framework's words, and fuzzing of
every ``compat.available()`` entry and of ``from_dict`` (only ``ValueError``; no NaN/inf/negative; no warning).

These loop over whatever is registered in :mod:`warmup_core.libraries`, so a new framework module is covered
by adding it (and its ``examples``)."""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_codegen import SCHEDULES
from warmup_core import DECAYS, WARMUPS, Decay, LRSchedule, Warmup, WarmupDecay, compat, from_dict
from warmup_core.libraries import FRAMEWORKS, Refusal

EXAMPLES = [(key, name, i, ex) for key, fw in sorted(FRAMEWORKS.items()) for name, b in fw.schedules.items()
            for i, ex in enumerate(b.examples)]
EXAMPLE_IDS = [f"{k}-{n}-{i}" for k, n, i, _ in EXAMPLES]


def horizon(s: LRSchedule) -> np.ndarray:
    return np.arange((s.total_steps or 1000) + 50, dtype=np.float64)


def assert_same_values(back: LRSchedule, s: LRSchedule):
    t = horizon(s)
    np.testing.assert_allclose(back(t), s(t), rtol=1e-12, atol=1e-300)


def round_trip(key: str, s: LRSchedule) -> bool:
    """True if ``key`` expresses ``s`` exactly and rebuilding the export gives the same values."""
    try:
        kw = compat.export_params(key, s)
    except Refusal as e:
        assert str(e), "a refusal says why"
        return False
    assert_same_values(compat.build(key, **kw), s)
    return True


def test_every_schedule_has_examples():
    missing = [f"{k} {n}" for k, fw in FRAMEWORKS.items() for n, b in fw.schedules.items() if not b.examples]
    assert not missing


@pytest.mark.parametrize("key,name,i,ex", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_builds_and_round_trips(key, name, i, ex):
    s = compat.build(key, name, **ex)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = s(horizon(s))
    assert np.all(np.isfinite(v)) and np.all(v >= 0)
    round_trip(key, s)


@pytest.mark.parametrize("key", sorted(FRAMEWORKS))
def test_every_framework_round_trips_its_own_schedules(key):
    fw = FRAMEWORKS[key]
    done = [n for n, b in fw.schedules.items() for ex in b.examples if round_trip(key, fw.build(n, **ex))]
    assert done, f"{key}: no example survives export_params -> build"


@pytest.mark.parametrize("key", sorted(FRAMEWORKS))
@pytest.mark.parametrize("s", SCHEDULES, ids=[f"{s.warmup.method}-{s.decay.name}-{s.convention}" for s in SCHEDULES])
def test_core_schedules_round_trip(key, s):
    round_trip(key, s)  # a framework may refuse; what it exports must rebuild to the same values


def test_export_of_what_cannot_be_expressed_says_why_in_the_frameworks_words():
    s = WarmupDecay(0.1, Warmup("radam"), Decay("cosine"), "multiply", 10_000)
    code, note = compat.export("transformers", s)
    assert code is None and note.startswith("transformers cannot express this schedule: ")
    with pytest.raises(ValueError, match="cannot express"):
        compat.export_params("transformers", s)


def test_an_approximate_export_is_shown_with_its_note_but_is_not_exact():
    s = WarmupDecay(0.1, Warmup("linear", 50), Decay("cosine"), "prepend", 500)  # clamped; HF's cosine is not
    code, note = compat.export("transformers", s)
    assert code and "rises again" in note
    with pytest.raises(Refusal, match="rises again"):
        compat.export_params("transformers", s)


# --- the named cases ---------------------------------------------------------------------------

def test_optax_exponential_decay_with_rate_zero_is_constant():
    s = compat.build("optax", "exponential_decay", init_value=0.5, transition_steps=10, decay_rate=0.0)
    assert s([0, 1, 100]).tolist() == [0.5, 0.5, 0.5]


def test_optax_warmup_above_its_peak_falls_linearly_like_optax():
    # optax test_limits: linear_schedule(init, peak) then the decay; with init > peak the "warmup" falls.
    s = compat.build("optax", "warmup_cosine_decay_schedule", init_value=2.0, peak_value=1.0, warmup_steps=4,
                     decay_steps=8)
    np.testing.assert_allclose(s([0, 2, 4, 6, 8, 20]), [2.0, 1.5, 1.0, 0.5, 0.0, 0.0], atol=1e-15)


@pytest.mark.parametrize("library,name,params,param", [
    ("torch", "ExponentialLR", {"base_lr": 0.1, "gamma": 2.0}, "gamma"),
    ("keras", "ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 2.0}, "decay_rate"),
    ("optax", "exponential_decay", {"init_value": 0.1, "transition_steps": 10, "decay_rate": 2.0}, "decay_rate"),
    ("keras", "ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": -1}, "decay_rate"),
    ("timm", "StepLRScheduler", {"base_lr": 0.1, "decay_t": 10, "decay_rate": 0.0}, "decay_rate"),
    ("keras", "CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 0.5}, "t_mul"),
    ("timm", "CosineLRScheduler", {"base_lr": 0.1, "t_initial": 10, "cycle_mul": 0.5}, "cycle_mul"),
    ("optax", "piecewise_constant_schedule", {"init_value": 0.1, "boundaries_and_scales": {5: -1.0}},
     "boundaries_and_scales"),
])
def test_refusals_name_the_librarys_parameter(library, name, params, param):
    with pytest.raises(ValueError, match=f"'{param}'"):
        compat.build(library, name, **params)


CORE_NAMES = {p.name for e in [*WARMUPS.values(), *DECAYS.values()] for p in e.params} | {
    "steps", "factor", "target", "total_steps", "offset"}
BAD_VALUES = [0, 1, -1, 2, 0.5, -0.5, 1e-300, 1e300, -1e300, 10**30, math.inf, math.nan, True, None, "x", [], [1, 2],
              [3, 1], {}, 1e7]


@pytest.mark.parametrize("key", sorted(FRAMEWORKS))
def test_every_refusal_names_a_parameter_of_the_framework(key):
    """Each parameter of each example, set to each bad value: a refusal names one of the entry's own parameters
    (or base_lr) and never a core parameter the framework does not have ('gamma' for 'decay_rate')."""
    fw, wrong = FRAMEWORKS[key], {}
    for name, b in fw.schedules.items():
        names = [*b.params, "base_lr"]
        for ex in b.examples:
            for p in names:
                for v in BAD_VALUES:
                    try:
                        fw.build(name, **{**ex, p: v})
                    except ValueError as e:
                        msg = str(e)
                        core = [c for c in CORE_NAMES - set(names) if f"parameter '{c}'" in msg]
                        if core or not any(re.search(rf"\b{re.escape(n)}\b", msg) for n in names):
                            wrong.setdefault(f"{name}({p}={v!r})", msg)
    assert not wrong, wrong


def test_optax_exponential_growth_is_accepted_with_a_cap():
    s = compat.build("optax", "exponential_decay", init_value=0.1, transition_steps=1, decay_rate=2.0, end_value=0.8)
    np.testing.assert_allclose(s([0, 1, 2, 3, 10**9]), [0.1, 0.2, 0.4, 0.8, 0.8], rtol=1e-12)


# --- fuzzing --------------------------------------------------------------------------------------------

NASTY = [0, 1, -1, 2, 0.5, -0.5, 1e-300, 1e300, -1e300, 10**30, math.inf, -math.inf, math.nan, True, False, None,
         "x", "", [], [1, 2], [3, 1], [-1], {}, {1: 2}, (1e300,), object()]
PROBE = np.concatenate([np.arange(0, 300, dtype=np.float64), [1e3, 1e4, 1e6, 1e9, 1e12, 1e15]])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)


def check_values(s: LRSchedule):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            try:
                v = s(PROBE)
            except ValueError as e:  # the guard against float64 overflow (a join/product of extreme base lrs)
                assert "overflows float64" in str(e)
                return
    assert v.shape == PROBE.shape
    assert np.all(np.isfinite(v)) and np.all(v >= 0), v[~(np.isfinite(v) & (v >= 0))][:5]


ENTRIES = [(e["library"], e["name"]) for e in compat.available()]


@st.composite
def library_call(draw):
    key, name = draw(st.sampled_from(ENTRIES))
    b = FRAMEWORKS[key].schedules[name]
    params = dict(draw(st.sampled_from(b.examples)))
    for p in draw(st.lists(st.sampled_from(["base_lr", *b.params]), max_size=3, unique=True)):
        params[p] = draw(st.one_of(st.sampled_from(NASTY), st.floats(), st.integers(-10**6, 10**6)))
    if draw(st.booleans()) and b.params:  # an unknown or dropped parameter now and then
        params.pop(draw(st.sampled_from(sorted(b.params))), None)
    return key, name, params


@FUZZ
@given(library_call())
def test_fuzz_every_library_entry(call):
    key, name, params = call
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            s = compat.build(key, name, **params)
        except ValueError as e:
            assert str(e)
            return
    check_values(s)


def _json_values():
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), st.text(max_size=5))
    return st.recursive(leaf, lambda c: st.one_of(st.lists(c, max_size=3),
                                                  st.dictionaries(st.text(max_size=8), c, max_size=3)), max_leaves=8)


@st.composite
def schedule_dicts(draw):
    """A valid schedule's dict with some values replaced, keys dropped or nested in a join or product."""
    s = draw(st.sampled_from(SCHEDULES + [compat.build(k, n, **ex) for k, n, _, ex in EXAMPLES[::3]]))
    d = json.loads(s.to_json())
    node = d
    for _ in range(draw(st.integers(0, 3))):
        subs = [v for v in node.values() if isinstance(v, dict)] + [
            x for v in node.values() if isinstance(v, list) for x in v if isinstance(x, dict)]
        if not subs:
            break
        node = draw(st.sampled_from(subs))
    if node:
        k = draw(st.sampled_from(sorted(node)))
        node[k] = draw(st.one_of(st.sampled_from(NASTY[:-1]), _json_values()))
    if draw(st.booleans()):
        d = {"type": draw(st.sampled_from(["join", "product"])), "parts": [d, d], "boundaries": [10],
             "base_lr": 0.1, "total_steps": None}
        if d["type"] == "product":
            del d["boundaries"]
        else:
            del d["base_lr"]
    return d


@FUZZ
@given(st.one_of(schedule_dicts(), _json_values()))
def test_fuzz_from_dict(d):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            s = from_dict(d)
        except ValueError as e:
            assert str(e)
            return
    check_values(s)


def test_deeply_nested_dicts_are_refused_not_a_recursion_error():
    d = {"base_lr": 0.1}
    for _ in range(5000):
        d = {"type": "product", "parts": [d]}
    with pytest.raises(ValueError, match="nested"):
        from_dict(d)


def test_every_export_answers_code_or_a_reason_for_every_preset_and_registry_shape():
    """Code export is offered for every framework on every page: for any schedule the app can hold, each
    framework's exporter gives code or a plain reason, never an exception (a KeyError in tf-yolov3's exporter
    once broke Explore on the Noam preset)."""
    from ui.presets import PRESETS
    from warmup_core import DECAYS, WARMUPS, Decay, Schedule, Warmup
    from warmup_core.libraries import FRAMEWORKS

    schedules = [p.schedule() for p in PRESETS.values()]
    for w, d, conv in itertools.product(WARMUPS, DECAYS, ("prepend", "multiply", "override")):
        try:
            schedules.append(Schedule(0.1, Warmup(w, 100) if w != "none" else Warmup(), Decay(d), conv, 1000))
        except ValueError:  # a shape that needs a parameter this default lacks
            continue
    assert len(schedules) > 300
    for s in schedules:
        for key in FRAMEWORKS:
            code, note = compat.export(key, s)
            assert code or note, (key, s)
