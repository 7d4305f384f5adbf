"""Configs in: the schedule a training config trains with, read from the config's own text.

>>> from warmup_core.configs import from_config
>>> s = from_config('{"learning_rate": 1e-3, "lr_scheduler_type": "cosine", "warmup_steps": 0.1, '
...                 '"num_train_epochs": 2, "per_device_train_batch_size": 32}', dataset_size=1000)
>>> s.total_steps, s.warmup_end, round(s(7), 6)
(64, 7, 0.001)

A practitioner has a config, not Python calls. :func:`from_config` accepts the text of

=============== ===================================================================================
``huggingface`` ``TrainingArguments`` as JSON / YAML, or ``--flag`` command lines
``timm``        ``train.py`` command-line flags or its ``args.yaml``
``maskrcnn``    a maskrcnn-benchmark YAML ``SOLVER`` block
``detectron2``  a detectron2 YAML ``SOLVER`` block (with its ``_BASE_`` file pasted above it)
``deepspeed``   a DeepSpeed JSON config's ``scheduler`` block
``megatron``    Megatron-LM ``pretrain_*.py`` flags (``--lr-warmup-iters``, ``--lr-decay-style``, ...)
``nemo``        a NeMo YAML (``model.optim.sched``)
``mmengine``    an OpenMMLab Python config's ``param_scheduler`` (read with :mod:`ast`, never run)
``ultralytics`` an Ultralytics YOLO hyperparameter YAML (``lr0``, ``lrf``, ``warmup_epochs``, ``cos_lr``)
``composer``    a MosaicML Composer / LLM Foundry YAML (``scheduler``, ``max_duration``, ``optimizer.lr``)
=============== ===================================================================================

and returns the :class:`~warmup_core.schedule.Curve` that config trains with, per optimizer update,
value for value as the framework computes it. Text is parsed, never evaluated: ``json``,
``yaml.safe_load``, ``shlex`` and an :mod:`ast` walker that only reads literals.

What a config does not say (the dataset size, the number of processes, updates per epoch) is a
*fact*, passed as a keyword; :func:`facts` lists each format's, and a translation that needs one
it was not given raises ``ValueError`` naming it. So does a bad key or value. :func:`read_config`
returns the translation itself (framework, schedule name, parameters, and notes saying how each
count was derived) without building it.
"""

from __future__ import annotations

import re

from . import composer, deepspeed, huggingface, megatron, mmengine, nemo, solver, timm, ultralytics
from ._common import Fact, Facts, Format, Imported, Parsed, load_mapping, parse_flags, parse_python

__all__ = ["Fact", "Format", "Imported", "detect_format", "facts", "formats", "from_config", "read_config"]

_FORMATS: dict[str, Format] = {}
_FLAG = re.compile(r"(^|\s)--?[A-Za-z]")


def _register(fmt: Format):
    _FORMATS[fmt.name] = fmt


_register(Format("huggingface", "Hugging Face TrainingArguments (JSON / YAML / --flags)", "json/yaml or flags",
                 huggingface.FACTS, huggingface.read, huggingface.looks_like, huggingface.EXAMPLE,
                 "transformers Trainer.set_initial_training_values, TrainingArguments.get_warmup_steps"))
_register(Format("timm", "timm train.py flags or args.yaml", "flags or json/yaml", timm.FACTS, timm.read,
                 timm.looks_like, timm.EXAMPLE, "timm train.py, timm/scheduler/scheduler_factory.py"))
_register(Format("maskrcnn", "maskrcnn-benchmark YAML (SOLVER block)", "yaml", solver.MASKRCNN_FACTS,
                 solver.read_maskrcnn, solver.looks_like_maskrcnn, solver.MASKRCNN_EXAMPLE,
                 "maskrcnn_benchmark/solver/build.py make_lr_scheduler, config/defaults.py"))
_register(Format("detectron2", "detectron2 YAML (SOLVER block; _BASE_ file pasted above)", "yaml",
                 solver.DETECTRON2_FACTS, solver.read_detectron2, solver.looks_like_detectron2,
                 solver.DETECTRON2_EXAMPLE, "detectron2/solver/build.py build_lr_scheduler, config/defaults.py"))
_register(Format("deepspeed", "DeepSpeed JSON (scheduler block)", "json", deepspeed.FACTS, deepspeed.read,
                 deepspeed.looks_like, deepspeed.EXAMPLE, "deepspeed/runtime/lr_schedules.py"))
_register(Format("megatron", "Megatron-LM flags or launch script", "flags", megatron.FACTS, megatron.read,
                 megatron.looks_like, megatron.EXAMPLE,
                 "megatron/training/training.py get_optimizer_param_scheduler"))
_register(Format("nemo", "NeMo YAML (model.optim.sched)", "yaml", nemo.FACTS, nemo.read, nemo.looks_like,
                 nemo.EXAMPLE, "nemo/core/optim/lr_scheduler.py prepare_lr_scheduler, modelPT.setup_optimization"))
_register(Format("mmengine", "OpenMMLab mmengine Python config (param_scheduler)", "python", mmengine.FACTS,
                 mmengine.read, mmengine.looks_like, mmengine.EXAMPLE,
                 "mmengine/runner/runner.py, mmengine/optim/scheduler/lr_scheduler.py"))
_register(Format("ultralytics", "Ultralytics YOLO config / hyp YAML", "yaml", ultralytics.FACTS, ultralytics.read,
                 ultralytics.looks_like, ultralytics.EXAMPLE,
                 "ultralytics/engine/trainer.py BaseTrainer (_setup_scheduler, _do_train warmup)"))
_register(Format("composer", "MosaicML Composer / LLM Foundry YAML (scheduler, max_duration)", "yaml",
                 composer.FACTS, composer.read, composer.looks_like, composer.EXAMPLE,
                 "composer/optim/scheduler.py, llmfoundry/optim/__init__.py"))


def formats() -> list[Format]:
    """Every format :func:`from_config` reads, with its title, the facts it may ask for and an example."""
    return list(_FORMATS.values())


def _format(name: str) -> Format:
    if name not in _FORMATS:
        raise ValueError(f"unknown config format {name!r}; valid formats are {sorted(_FORMATS)}")
    return _FORMATS[name]


def facts(format: str) -> tuple[Fact, ...]:
    """The facts ``format`` may ask for (name, help, default; a default of ``None`` means it must be given
    whenever the config leaves the count to the data)."""
    return _format(format).facts


def parse(text: str) -> Parsed:
    """Text → a mapping (JSON / YAML / a Python config's assignments) or command-line flags.

    A JSON / YAML mapping wins; then a Python config file with assignments (read with :mod:`ast`);
    then text with ``--flags`` (a command line or a launch script).
    """
    errors = []
    try:
        data = load_mapping(text)
        # a command line whose quoted JSON holds ": " parses as a one-key YAML mapping: it is flags
        if not any(isinstance(k, str) and _FLAG.search(k) for k in data):
            return Parsed("mapping", data)
    except ValueError as e:
        errors.append(str(e))
    try:
        parsed = parse_python(text)
        if parsed.data:
            return parsed
    except ValueError as e:
        errors.append(str(e))
    if any(w.startswith("--") and w.strip("-") for w in text.split()):
        return parse_flags(text)
    raise ValueError("cannot read this text as a JSON/YAML mapping, a --flags command line or a Python config "
                     f"file ({errors[0]})")


def detect_format(text: str) -> str:
    """The one format whose keys the text carries; ``ValueError`` if none or several match."""
    parsed = parse(text)
    return _detect(parsed)


def _detect(parsed: Parsed) -> str:
    hits = [f.name for f in _FORMATS.values() if f.looks_like(parsed)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise ValueError(f"cannot tell which framework this {parsed.kind} config is for; pass format=, one of "
                         f"{sorted(_FORMATS)}")
    raise ValueError(f"this config could be any of {hits}; pass format= to say which")


def read_config(text: str, format: str | None = None, **facts) -> Imported:
    """The translation of a config: which framework schedule it builds, with which parameters.

    ``format`` is one of :func:`formats` (auto-detected when ``None`` and unambiguous); ``facts``
    are the numbers the config does not hold (see :func:`facts`). Raises ``ValueError`` naming a
    bad key, a bad value or a missing fact.
    """
    parsed = parse(text)
    fmt = _format(format) if format is not None else _FORMATS[_detect(parsed)]
    if parsed.kind not in _KINDS[fmt.name]:
        raise ValueError(f"{fmt.title} is {' or '.join(_WORDS[k] for k in _KINDS[fmt.name])}; this text reads "
                         f"as {_WORDS[parsed.kind]}")
    return fmt.read(parsed, Facts(fmt.name, fmt.facts, facts))


_KINDS = {"huggingface": ("mapping", "flags"), "timm": ("flags", "mapping"), "megatron": ("flags",),
          "mmengine": ("python",)}
_KINDS.update({k: ("mapping",) for k in ("maskrcnn", "detectron2", "deepspeed", "nemo", "ultralytics", "composer")})
_WORDS = {"mapping": "a JSON / YAML mapping", "flags": "command-line flags", "python": "a Python config file"}


def from_config(text: str, format: str | None = None, **facts):
    """The schedule (a :class:`~warmup_core.schedule.Curve`, lr per optimizer update) a config trains with.

    Same arguments as :func:`read_config`; equals ``read_config(...).build()``.
    """
    return read_config(text, format, **facts).build()
