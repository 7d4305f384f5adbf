"""Hostile share links, generated from a fixed seed: what a page must survive in ``?s=`` and ``?show=``.

Each link is ``{"s": ..., "show": ...}`` (either may be missing). The kinds: bytes that are not our
encoding; our encoding of JSON that is not a state (deep nesting, 400-digit integers, NaN, wrong
types, ``{}`` where a name goes); and valid states of each page with one value replaced by a hostile
one (so the link gets past the decoder and reaches the validation behind it). ``show`` values mix
real control names with Markdown, HTML, links, images and very long text.
"""

from __future__ import annotations

import copy
import json
import random

from ui import state
from ui.widgets import CONTROLS
from warmup_core import Decay, Schedule, Warmup

HOSTILE_TEXT = [
    "", " ", "{}", "[]", "null", "**bold** _it_", "[click](http://example.com)", "![img](http://example.com/x.png)",
    "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<a href='http://example.com'>x</a>",
    "http://example.com", ":material/warning: :smile:", "$\\frac{1}{0}$", "%{x}", "# heading", "`code`",
    "line\nbreak", "\u202eevil", "x" * 5000, "é" * 100, "../../etc/passwd", "/root/secret.py", "\x00",
]
HOSTILE_VALUES = [
    None, True, False, 0, -1, 1e308, -1e308, float("nan"), float("inf"), 10 ** 400, -(10 ** 400), 1e-320, 0.5,
    "", "1e6", "NaN", [], [1, 2], {}, {"a": 1}, [[[[]]]], "x" * 2000, 2 ** 63, 10 ** 12,
]


def deep(n: int):
    v = []
    for _ in range(n):
        v = [v]
    return v


def _schedule(rng: random.Random) -> dict:
    method = rng.choice(["none", "linear", "constant", "exponential", "cosine"])
    w = Warmup(method, 0 if method == "none" else rng.choice([0, 10, 500]),
               factor=rng.choice([0.1, 0.5]) if method != "none" else 0.0)
    d = rng.choice([Decay("cosine"), Decay("linear"), Decay("multistep", milestones=[300, 600]),
                    Decay("step", step_size=100), Decay("constant"), Decay("wsd")])
    return Schedule(rng.choice([0.1, 1.0, 3e-4]), w, d, rng.choice(["prepend", "multiply", "override"]),
                    rng.choice([1, 700, 1000, 5000])).to_dict()


def valid_state(page: str, rng: random.Random) -> dict:
    view = {"x_unit": rng.choice(["steps", "epochs"]), "steps_per_epoch": rng.choice([1, 100]),
            "log_y": rng.choice([True, False])}
    if page == "compare":
        return {"strategies": [{"name": f"s{i}", "schedule": _schedule(rng)} for i in range(rng.randint(1, 4))],
                "view": view}
    return {"schedule": _schedule(rng), "view": view}


def _paths(obj, prefix=()):
    yield prefix
    if len(prefix) > 12:  # not into a nested value planted by an earlier mutation
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def mutate(obj, rng: random.Random):
    """Replace one value (or key) anywhere in ``obj`` by a hostile one."""
    obj = copy.deepcopy(obj)
    paths = [p for p in _paths(obj) if p]
    path = rng.choice(paths)
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    roll = rng.random()
    if roll < 0.7:
        parent[path[-1]] = rng.choice(HOSTILE_VALUES + HOSTILE_TEXT + [deep(rng.randint(10, 150))])
    elif roll < 0.85 and isinstance(parent, dict):
        parent[rng.choice(HOSTILE_TEXT[:12])] = rng.choice(HOSTILE_VALUES)  # an unknown key
    elif isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(HOSTILE_VALUES)
    return obj


def _encode_raw(text: str) -> str:
    import base64
    import zlib

    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def s_value(page: str, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:  # not our encoding at all
        return rng.choice(HOSTILE_TEXT[1:] + ["%%%", "abc", "=" * 10, "A" * 20_001, "eJwDAAAAAAE"])
    if kind < 0.35:  # our encoding of JSON that is not a state
        if rng.random() < 0.2:  # nesting deeper than any parser's recursion limit
            n = rng.randint(100, 200_000)
            return _encode_raw(rng.choice(['{"schedule": ', '{"strategies": ', ""]) + "[" * n + "]" * n)
        value = rng.choice(HOSTILE_VALUES + HOSTILE_TEXT + [{"schedule": deep(rng.randint(10, 500))},
                                                              {"strategies": {}}, {"strategies": [{}] * 13}])
        return _encode_raw(json.dumps(value, allow_nan=True))
    if kind < 0.4:  # a decompression bomb: 2 MB of spaces
        return _encode_raw(" " * 2_000_000 + "{}")
    # a valid state with one to three hostile values in it
    data = valid_state(page, rng)
    for _ in range(rng.randint(1, 3)):
        data = mutate(data, rng)
    try:
        return state.encode(data)
    except (ValueError, TypeError, RecursionError):
        return _encode_raw(json.dumps(str(data)[:1000]))


def show_value(rng: random.Random) -> str:
    names = list(CONTROLS) + ["view", "strategies"]
    parts = [rng.choice(names + HOSTILE_TEXT) for _ in range(rng.randint(0, 6))]
    return ",".join(parts) if rng.random() < 0.9 else rng.choice(HOSTILE_TEXT)


def links(page: str, n: int = 1000, seed: int = 8) -> list[dict]:
    rng = random.Random(f"{page}-{seed}")
    out = []
    for _ in range(n):
        link = {}
        r = rng.random()
        if r < 0.85:
            link["s"] = s_value(page, rng)
        if r > 0.6:
            link["show"] = show_value(rng)
        out.append(link)
    return out
