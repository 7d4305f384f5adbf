"""What every config format shares: safe text parsers, typed value readers, facts, the result.

Nothing here evaluates user text. JSON goes through :func:`json.loads`, YAML through
:func:`yaml.safe_load`, command lines through :func:`shlex.split`, Python config files through
:func:`ast.parse` and a small walker that accepts literals, ``dict(...)``, names bound earlier in
the same file and arithmetic on numbers, and nothing else (no call, attribute or import is run).
Every parser error surfaces as ``ValueError``.
"""

from __future__ import annotations

import ast
import difflib
import json
import math
import operator
import re
import shlex
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_TEXT = 1_000_000  # characters; a config is a few kB
MAX_DEPTH = 64  # nesting levels accepted in JSON / YAML / Python literals


# --- facts: what a config does not say -----------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """A number the config does not hold and the reader must be told (e.g. the dataset size).

    ``default`` is used when the caller says nothing; ``None`` means "ask": a translation that
    needs it raises ``ValueError`` naming it.
    """

    name: str
    help: str
    kind: str = "int"  # "int" or "float"
    minimum: float = 1
    default: Any = None

    def read(self, value) -> int | float:
        what = f"fact {self.name!r} ({self.help})"
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{what} must be a number, got {value!r}")
        if not math.isfinite(value) or value < self.minimum:
            raise ValueError(f"{what} must be a finite number >= {self.minimum:g}, got {value!r}")
        if self.kind == "int":
            if value != int(value):
                raise ValueError(f"{what} must be a whole number, got {value!r}")
            return int(value)
        return float(value)


class Facts:
    """The facts a caller passed, read against a format's list; ``need`` asks for one by name."""

    def __init__(self, fmt: str, known: tuple[Fact, ...], given: Mapping[str, Any]):
        self.fmt = fmt
        self.known = {f.name: f for f in known}
        unknown = sorted(set(given) - set(self.known))
        if unknown:
            raise ValueError(f"format {fmt!r}: unknown fact(s) {unknown}; the facts it can use are "
                             f"{sorted(self.known)}")
        self.values = {k: self.known[k].read(v) for k, v in given.items() if v is not None}
        self.used: dict[str, Any] = {}

    def get(self, name: str):
        """The fact's value, its default, or ``None`` (nothing asked)."""
        value = self.values.get(name, self.known[name].default)
        if value is not None:
            self.used[name] = value
        return value

    def given(self, name: str) -> bool:
        return name in self.values

    def world_size(self, parsed: Parsed, notes: list) -> int:
        """``world_size`` as given, else the launcher's (``torchrun --nproc_per_node 8 --nnodes 2``),
        else the fact's default."""
        if self.given("world_size"):
            return self.need("world_size", "")
        launched = launcher_world_size(parsed.launcher)
        if launched is not None:
            notes.append(f"world_size = {launched}, from the launcher's flags")
            self.used["world_size"] = launched
            return launched
        return self.need("world_size", "the data is sharded across processes")

    def need(self, name: str, why: str):
        value = self.get(name)
        if value is None:
            fact = self.known[name]
            raise ValueError(f"missing fact {name!r} ({fact.help}): {why}. Pass {name}=... "
                             f"(format {self.fmt!r})")
        return value


# --- the result ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Imported:
    """A config read as one call of :func:`warmup_core.compat.build`, with what it took to get there.

    ``updates_per_epoch`` is set when the framework changes the lr once per epoch: ``params`` then
    count epochs, and :meth:`build` holds each epoch's value for that many optimizer updates.
    ``notes`` say in words how counts were derived; ``ignored`` lists keys read but not used by
    the schedule (model, data, logging settings).
    """

    format: str
    library: str
    name: str
    params: dict
    base_lr: float | None = None
    updates_per_epoch: int | None = None
    epochs: int | None = None
    total_steps: int | None = None
    notes: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    facts: dict = field(default_factory=dict)

    def build(self):
        """The :class:`~warmup_core.schedule.Curve` this config trains with, per optimizer update."""
        curve = build_entry(self.library, self.name, self.base_lr, self.params)
        if self.updates_per_epoch is None:
            if self.total_steps is not None and curve.total_steps != self.total_steps:
                from ..schedule import from_dict

                curve = from_dict({**curve.to_dict(), "total_steps": self.total_steps})  # the length trained
            return curve
        return per_epoch(curve, self.epochs, self.updates_per_epoch)


def build_entry(library: str, name: str, base_lr, params: dict):
    """``compat.build``; a framework module not yet listed there is built from ``warmup_core.libraries``."""
    from .. import compat

    if library in compat.libraries():
        return compat.build(library, name, base_lr=base_lr, **params)
    try:
        from ..libraries import get
    except ImportError:  # pragma: no cover - before warmup_core.libraries exists
        raise ValueError(f"warmup_core has no {library} schedules; valid libraries are {compat.libraries()}") \
            from None
    return get(library).build(name, base_lr=base_lr, **params)


def per_epoch(curve, epochs: int, updates_per_epoch: int):
    """Hold ``curve(e)`` for the ``updates_per_epoch`` updates of epoch ``e`` (a framework that
    steps its scheduler once per epoch). Exact: a piecewise-constant schedule of the epoch values."""
    from ..schedule import Decay, Schedule

    values = np.asarray(curve(np.arange(epochs, dtype=np.float64)), dtype=np.float64)
    peak = float(values.max())
    if not peak > 0:
        raise ValueError(f"the schedule is 0 in every one of its {epochs} epochs")
    milestones = [updates_per_epoch * e for e in range(1, epochs)]
    return Schedule(peak, decay=Decay("piecewise", milestones=milestones, values=(values / peak).tolist()),
                    total_steps=epochs * updates_per_epoch)


@dataclass(frozen=True)
class Format:
    """A config format: its name, what it reads, the facts it may ask for, and its reader."""

    name: str
    title: str
    syntax: str  # "json/yaml", "flags", "python", or several joined by " or "
    facts: tuple[Fact, ...]
    read: Callable[..., Imported]  # read(text, facts: Facts) -> Imported
    looks_like: Callable[[Any], bool]  # looks_like(parsed) -> bool; parsed is a Parsed
    example: str
    source: str  # the framework code whose arithmetic the reader follows


# --- safe parsing ----------------------------------------------------------------------------------

@dataclass
class Parsed:
    """Text parsed once for format detection: a mapping (JSON/YAML/Python assignments) or flags."""

    kind: str  # "mapping", "flags" or "python"
    data: dict
    launcher: dict = field(default_factory=dict)


def check_text(text) -> str:
    if not isinstance(text, str):
        raise ValueError(f"a config must be text (str), got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise ValueError(f"config text is {len(text)} characters; at most {MAX_TEXT} are read")
    if not text.strip():
        raise ValueError("the config text is empty")
    return text


def _depth_ok(obj, depth=0) -> bool:
    if depth > MAX_DEPTH:
        return False
    seen = 0
    stack = [(obj, depth)]
    while stack:
        o, d = stack.pop()
        seen += 1
        if d > MAX_DEPTH or seen > 200_000:  # YAML aliases can make a small text a huge graph
            return False
        if isinstance(o, Mapping):
            stack.extend((v, d + 1) for v in o.values())
            stack.extend((k, d + 1) for k in o.keys())
        elif isinstance(o, (list, tuple)):
            stack.extend((v, d + 1) for v in o)
    return True


def load_mapping(text: str) -> dict:
    """JSON or YAML text → a dict (JSON first: every JSON object is also YAML, but errors read better)."""
    check_text(text)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
        try:
            import yaml

            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except RecursionError:
            raise ValueError("the YAML text nests too deeply") from None
        except Exception as e:  # yaml.YAMLError and the scanner's own errors
            raise ValueError(f"not valid JSON or YAML: {_one_line(e)}") from None
        if len(docs) == 1:
            data = docs[0]
        elif docs:
            data = merge_documents(docs)
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON/YAML mapping of keys to values, got {type(data).__name__}")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise ValueError(f"config keys must be names, got {bad[0]!r}")
    if not _depth_ok(data):
        raise ValueError(f"the config nests deeper than {MAX_DEPTH} levels or is too large")
    return data


def merge_documents(docs: list) -> dict:
    """Several YAML documents (``---``) merged in order, later keys winning (a base file, then its child)."""
    out: dict = {}
    for i, d in enumerate(docs):
        if not isinstance(d, dict):
            raise ValueError(f"every YAML document must be a mapping, got {type(d).__name__}")
        if i:  # a detectron2 child names its base with _BASE_: the base is the document above
            d = {k: v for k, v in d.items() if k != "_BASE_"}
        out = merge_config(out, d)
    return out


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:300]


LAUNCHER_FLAGS = frozenset({
    "nproc_per_node", "nproc-per-node", "nnodes", "node_rank", "node-rank", "master_addr", "master-addr",
    "master_port", "master-port", "rdzv_backend", "rdzv-backend", "rdzv_endpoint", "rdzv-endpoint", "rdzv_id",
    "rdzv-id", "standalone", "num_gpus", "num-gpus", "num_nodes", "num-nodes", "hostfile", "include", "exclude",
    "num_processes", "num-processes", "num_machines", "num-machines", "machine_rank", "main_process_ip",
    "main_process_port", "mixed_precision", "multi_gpu", "config_file", "use_deepspeed", "use_fsdp",
})
_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_DEFAULT = re.compile(r"^\$\{[A-Za-z0-9_]+:-(.*)\}$")
_REF = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


def shell_variables(text: str) -> dict[str, str]:
    """``NAME=literal`` lines of a shell script (and ``NAME=${NAME:-literal}``), read, never run."""
    out = {}
    for line in text.splitlines():
        m = _ASSIGN.match(line)
        if not m:
            continue
        try:
            words = shlex.split(m.group(2), comments=True)
        except ValueError:
            continue
        if len(words) != 1:
            continue
        value = words[0]
        d = _DEFAULT.match(value)
        if d:
            value = d.group(1).strip("\"'")
        if value and not any(c in value for c in "$`()"):
            out[m.group(1)] = value
    return out


def parse_flags(text: str) -> Parsed:
    """A command line or shell script → ``{flag: [values]}`` (``--a=1``, ``--a 1 2``, ``--flag``); nothing run.

    Launcher flags (``torchrun --nproc_per_node 8``) land in ``launcher``. Bash arrays of flags and
    ``$NAME`` references to literal ``NAME=value`` lines of the same script are read as written there.
    A repeated flag keeps its last value, as argparse does.
    """
    check_text(text)
    try:
        tokens = shlex.split(text.replace("\\\r\n", " ").replace("\\\n", " "), comments=True)
    except ValueError as e:
        raise ValueError(f"cannot split the command line: {e}") from None
    tokens = [part for tok in tokens for part in (_resplit(tok) if any(c.isspace() for c in tok) else [tok])]
    env = shell_variables(text)
    tokens = [_substitute(t, env) for t in tokens]
    flags = _flag_dict(tokens)
    launcher = {k: flags.pop(k) for k in list(flags) if k in LAUNCHER_FLAGS}
    if not flags:
        raise ValueError("no --flags found in the command line")
    return Parsed("flags", flags, launcher)


def _substitute(tok: str, env: dict) -> str:
    m = _REF.match(tok)
    if m:
        name = m.group(1) or m.group(2)
        return env.get(name, tok)
    return tok


def launcher_world_size(launcher: dict) -> int | None:
    """Processes started by torchrun / deepspeed / accelerate launch, from their flags (None if unsaid)."""
    def one(*names):
        for n in names:
            if launcher.get(n):
                try:
                    return int(launcher[n][-1])
                except ValueError:
                    return None
        return None
    per_node = one("nproc_per_node", "nproc-per-node", "num_gpus", "num-gpus")
    total = one("num_processes", "num-processes")
    if total is not None:
        return total if total >= 1 else None
    if per_node is None or per_node < 1:
        return None
    nodes = one("nnodes", "num_nodes", "num-nodes", "num_machines") or 1
    return per_node * max(nodes, 1)


def _resplit(tok: str) -> list[str]:
    """A quoted token holding flags (``ARGS="--lr 3e-4 --min-lr 3e-5"``) → its words."""
    name, eq, rest = tok.partition("=")
    body = rest if eq and name.isidentifier() else tok
    if "--" not in body:
        return [tok]
    try:
        return shlex.split(body)
    except ValueError:
        return [tok]


_PROGRAMS = ("torchrun", "python", "python3", "deepspeed", "accelerate", "srun", "mpirun", "bash", "sh")


def _ends_command(tok: str) -> bool:
    """A token after which the previous flag takes no more values (bash syntax, a script, a program)."""
    return (tok in ("(", ")", "&&", "||", ";", "|") or tok.endswith((".py", ".sh", ")")) or tok in _PROGRAMS
            or bool(re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tok)) or tok.startswith("${") and tok.endswith("[@]}"))


def _flag_dict(tokens: list[str]) -> dict:
    out: dict[str, list[str]] = {}
    key = None
    for tok in tokens:
        if _is_flag(tok):
            name, eq, value = tok.lstrip("-").partition("=")
            key = name
            out[key] = [value] if eq else []
        elif _ends_command(tok):
            key = None
        elif key is not None:
            out[key].append(tok)
        # tokens before the first flag (env assignments, program names) are not flags
    return out


def _is_flag(tok: str) -> bool:
    """``--name`` or a short ``-b`` (not a negative number such as ``-1`` or ``-1e-3``)."""
    if tok.startswith("--"):
        return len(tok) > 2
    return len(tok) > 1 and tok[0] == "-" and tok[1].isalpha() and not tok[1:].replace("e", "").isdigit()


def flag_value(values: list[str], name: str, kind: str):
    """argparse-style conversion of one flag's values: ``kind`` is int, float, bool, str, int_list, float_list."""
    if kind == "bool":
        if not values:
            return True
        return to_bool(values[-1], name)
    if kind.endswith("_list"):
        return values
    if len(values) != 1:
        raise ValueError(f"flag --{name} takes one value, got {values or 'none'}")
    return values[0]


def to_bool(v, name):
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "yes", "t", "y", "1"):
        return True
    if isinstance(v, str) and v.lower() in ("false", "no", "f", "n", "0"):
        return False
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    raise ValueError(f"{name} must be true or false, got {v!r}")


# --- typed readers: every value read from a config passes one of these ----------------------------

def number(v, name, minimum=None, maximum=None, integer=False, open_min=False):
    """A finite number (numeric strings accepted: YAML 1.1 reads ``1e-3`` as text)."""
    if isinstance(v, str):
        try:
            v = int(v) if integer and v.strip().lstrip("+-").isdigit() else float(v)
        except ValueError:
            raise ValueError(f"{name} must be a number, got {v!r}") from None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{name} must be a number, got {v!r}")
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v!r}")
    if integer:
        if v != int(v):
            raise ValueError(f"{name} must be a whole number, got {v!r}")
        v = int(v)
    if minimum is not None and (v <= minimum if open_min else v < minimum):
        raise ValueError(f"{name} must be {'>' if open_min else '>='} {minimum:g}, got {v!r}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {maximum:g}, got {v!r}")
    return v


def integer(v, name, minimum=None, maximum=None):
    return number(v, name, minimum, maximum, integer=True)


def text(v, name, choices=None):
    if not isinstance(v, str):
        raise ValueError(f"{name} must be text, got {v!r}")
    if choices is not None and v not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {v!r}")
    return v


def number_list(v, name, integer_values=False, minimum=None):
    if isinstance(v, (int, float, str)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, (list, tuple)):
        raise ValueError(f"{name} must be a list of numbers, got {v!r}")
    if len(v) > 100_000:
        raise ValueError(f"{name} lists {len(v)} values; at most 100000 are read")
    return [number(x, f"{name}[{i}]", minimum, integer=integer_values) for i, x in enumerate(v)]


def mapping(v, name) -> dict:
    if not isinstance(v, Mapping):
        raise ValueError(f"{name} must be a mapping of keys to values, got {v!r}"[:300])
    bad = [k for k in v if not isinstance(k, str)]
    if bad:
        raise ValueError(f"{name}: keys must be names, got {bad[0]!r}")
    return dict(v)


def check_keys(d: Mapping, known, where: str, schedule_keys=()) -> list[str]:
    """Keys of ``d`` that are not ``known``: an error when one is a near miss of a schedule key
    (a typo such as ``warmup_ratoi``), otherwise returned so the caller can list them as ignored."""
    extra = [k for k in d if k not in known]
    for k in extra:
        close = difflib.get_close_matches(str(k), list(schedule_keys), n=1, cutoff=0.8)
        if close:
            raise ValueError(f"{where}: unknown key {k!r} (did you mean {close[0]!r}?)")
    return [str(k) for k in extra]


def reject_unknown(d: Mapping, known, where: str):
    """Keys of ``d`` outside ``known`` are errors, naming the key and listing the valid ones."""
    extra = [k for k in d if k not in known]
    if extra:
        k = extra[0]
        close = difflib.get_close_matches(str(k), [str(x) for x in known], n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{where}: unknown key {k!r}{hint}; valid keys are {sorted(map(str, known))}")


# --- Python config files (mmengine / OpenMMLab): a literal walker, never eval ----------------------

class Unresolved:
    """A right-hand side the walker does not evaluate (a call, an attribute, a comprehension...)."""

    def __init__(self, source: str):
        self.source = source

    def __repr__(self):
        return f"<not evaluated: {self.source}>"


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}


def parse_python(text: str) -> Parsed:
    """Top-level assignments of a Python config file, read with :mod:`ast`; nothing is executed.

    Accepted right-hand sides: literals, lists/tuples/dicts of them, ``dict(k=v, ...)``, names
    assigned earlier in the file (or imported: their name as text), unary minus, and ``+ - * / // %``
    on numbers (and ``+`` on lists, ``{**a, ...}``). Anything else becomes :class:`Unresolved`.
    """
    check_text(text)
    try:
        with warnings.catch_warnings():  # the user's invalid escapes ('\ ') are theirs to see, not ours to warn
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        raise ValueError(f"not a valid Python config file: {_one_line(e)}") from None
    env: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                env[alias.asname or alias.name.split(".")[0]] = alias.name.split(".")[-1]
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            value = _literal(node.value, env, text)
            for t in node.targets:
                env[t.id] = merge_config(env.get(t.id), value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            env[node.target.id] = merge_config(env.get(node.target.id), _literal(node.value, env, text))
    return Parsed("python", env)


def merge_config(old, new):
    """A name assigned twice: a dict merges into the earlier dict (mmengine merges a config over its
    ``_base_`` the same way, and ``_delete_=True`` replaces instead); anything else replaces."""
    if not (isinstance(old, dict) and isinstance(new, dict)) or new.get("_delete_") is True:
        return {k: v for k, v in new.items() if k != "_delete_"} if isinstance(new, dict) else new
    out = dict(old)
    for k, v in new.items():
        out[k] = merge_config(out.get(k), v)
    return out


def _literal(node, env, src, depth=0):
    if depth > MAX_DEPTH:
        return Unresolved("nested too deeply")
    rec = lambda n: _literal(n, env, src, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        out = []
        for e in node.elts:
            if isinstance(e, ast.Starred):
                inner = rec(e.value)
                if not isinstance(inner, (list, tuple)):
                    return Unresolved(_src(src, node))
                out.extend(inner)
            else:
                out.append(rec(e))
        return out if isinstance(node, ast.List) else tuple(out)
    if isinstance(node, ast.Dict):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:  # {**base, ...}
                inner = rec(v)
                if not isinstance(inner, dict):
                    return Unresolved(_src(src, node))
                out.update(inner)
            else:
                key = rec(k)
                if isinstance(key, (Unresolved, list, dict)):
                    return Unresolved(_src(src, node))
                out[key] = rec(v)
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and node.func.id not in env and not node.args:
        out = {}
        for kw in node.keywords:
            if kw.arg is None:
                inner = rec(kw.value)
                if not isinstance(inner, dict):
                    return Unresolved(_src(src, node))
                out.update(inner)
            else:
                out[kw.arg] = rec(kw.value)
        return out
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        return {"True": True, "False": False, "None": None}.get(node.id, Unresolved(node.id))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = rec(node.operand)
        if _is_num(v):
            return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        a, b = rec(node.left), rec(node.right)
        if _is_num(a) and _is_num(b):
            if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)) and b == 0:
                return Unresolved(_src(src, node))
            if isinstance(node.op, ast.Mult) and max(abs(a), abs(b)) > 1e150:
                return Unresolved(_src(src, node))
            try:
                return _BINOPS[type(node.op)](a, b)
            except (OverflowError, ValueError):
                return Unresolved(_src(src, node))
        if isinstance(node.op, ast.Add) and isinstance(a, list) and isinstance(b, list):
            return a + b
    return Unresolved(_src(src, node))


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _src(src, node) -> str:
    return (ast.get_source_segment(src, node) or type(node).__name__)[:120]


def resolved(v, name):
    """Refuse a value the Python walker left unevaluated, naming it."""
    if isinstance(v, Unresolved):
        raise ValueError(f"{name} = {v.source!r} is not a literal; warmup_core reads Python configs "
                         "without running them: write the value out")
    if isinstance(v, dict):
        return {k: resolved(x, f"{name}.{k}") for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(resolved(x, f"{name}[{i}]") for i, x in enumerate(v))
    return v


def dig(d: Mapping, path: str, default=None):
    """``d['a']['b']`` for ``path='a.b'``; ``default`` where a level is missing."""
    cur: Any = d
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return default
        cur = cur[part]
    return cur
