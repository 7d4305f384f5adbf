"""Hugging Face ``TrainingArguments``: JSON / YAML (as ``HfArgumentParser`` reads) or command-line flags.

The Trainer's arithmetic, followed line for line (transformers 5.23.0; the tests run the real code):

* batches per process per epoch ``L``: ``ceil(n / b)`` (``floor`` with ``dataloader_drop_last``) for
  ``n`` examples and ``b = per_device_train_batch_size``; with ``P`` processes accelerate's
  ``BatchSamplerShard`` gives process 0 ``ceil(L₁ / P)`` of the ``L₁`` batches (``floor`` when dropping
  the last) — ``accelerate/data_loader.py``;
* updates per epoch ``U = max(ceil(L / gradient_accumulation_steps), 1)``, training steps
  ``N = max_steps`` if ``max_steps > 0`` else ``ceil(num_train_epochs · U)`` —
  ``Trainer.set_initial_training_values``;
* warmup ``int(warmup_steps)`` if ``warmup_steps >= 1`` else ``ceil(N · warmup_steps)`` —
  ``TrainingArguments.get_warmup_steps``; transformers 4 configs' ``warmup_ratio`` is read with the
  4.x rule (``warmup_steps`` if > 0, else ``ceil(N · warmup_ratio)``);
* ``get_scheduler`` passes ``lr_scheduler_kwargs`` on except to ``constant`` and
  ``constant_with_warmup``, and ``num_training_steps`` except to ``constant_with_warmup`` and
  ``inverse_sqrt``.
"""

from __future__ import annotations

import json
import math

from ._common import Fact, Facts, Imported, Parsed, check_keys, flag_value, integer, mapping, number, text, to_bool

# TrainingArguments fields, transformers 5.23.0 (a test compares with the installed dataclass) ...
FIELDS_5 = frozenset("""
accelerator_config activation_checkpointing activation_checkpointing_kwargs adam_beta1 adam_beta2 adam_epsilon
auto_find_batch_size average_tokens_across_devices batch_eval_metrics bf16 bf16_full_eval data_seed
dataloader_drop_last dataloader_in_order dataloader_multiprocessing_context dataloader_num_workers
dataloader_persistent_workers dataloader_pin_memory dataloader_prefetch_factor ddp_backend
ddp_broadcast_buffers ddp_bucket_cap_mb ddp_find_unused_parameters ddp_static_graph ddp_timeout debug
deepspeed disable_tqdm do_eval do_predict do_train enable_jit_checkpoint eval_accumulation_steps eval_delay
eval_do_concat_batches eval_on_start eval_steps eval_strategy eval_use_gather_object fp16 fp16_full_eval fsdp
fsdp_config full_determinism gradient_accumulation_steps gradient_checkpointing gradient_checkpointing_kwargs
greater_is_better hub_always_push hub_model_id hub_private_repo hub_revision hub_strategy hub_token
ignore_data_skip include_for_metrics include_num_input_tokens_seen label_names label_smoothing_factor
learning_rate length_column_name liger_kernel_config load_best_model_at_end local_rank log_level
log_level_replica log_on_each_node logging_first_step logging_nan_inf_filter logging_steps logging_strategy
lr_scheduler_kwargs lr_scheduler_type max_grad_norm max_steps metric_for_best_model neftune_noise_alpha
num_train_epochs optim optim_args optim_target_modules output_dir parallelism_config
per_device_eval_batch_size per_device_train_batch_size prediction_loss_only project push_to_hub
remove_unused_columns report_to restore_callback_states_from_checkpoint resume_from_checkpoint run_name
save_on_each_node save_only_model save_steps save_strategy save_total_limit seed skip_memory_metrics tf32
torch_compile torch_compile_backend torch_compile_mode torch_empty_cache_steps trackio_bucket_id
trackio_space_id trackio_static_space_id train_sampling_strategy use_cache use_cpu use_liger_kernel
warmup_steps weight_decay
""".split())
# ... and the fields transformers 4.x had that 5 dropped (from 4.57.1's training_args.py, plus
# older renamed ones), so a config saved by an older Trainer reads too.
FIELDS_4 = frozenset("""
_n_gpu adafactor fp16_backend fp16_opt_level fsdp_min_num_params fsdp_transformer_layer_cls_to_wrap
group_by_length half_precision_backend include_inputs_for_metrics include_tokens_per_second jit_mode_eval
logging_dir mp_parameters no_cuda overwrite_output_dir past_index per_gpu_eval_batch_size
per_gpu_train_batch_size push_to_hub_model_id push_to_hub_organization push_to_hub_token ray_scope
save_safetensors torchdynamo tpu_metrics_debug tpu_num_cores use_legacy_prediction_loop use_mps_device
warmup_ratio evaluation_strategy sharded_ddp xpu_backend use_ipex dispatch_batches split_batches
include_num_input_tokens_seen eval_do_concat_batches
""".split())
FIELDS = FIELDS_5 | FIELDS_4

SCHEDULE_KEYS = ("learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio",
                 "num_train_epochs", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
                 "dataloader_drop_last")

SCHEDULER_TYPES = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
                   "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr",
                   "warmup_stable_decay", "greedy")

# TrainingArguments defaults (5.23.0) of the fields the schedule depends on
DEFAULTS = {"learning_rate": 5e-5, "lr_scheduler_type": "linear", "lr_scheduler_kwargs": None, "warmup_steps": 0,
            "num_train_epochs": 3.0, "max_steps": -1, "per_device_train_batch_size": 8,
            "gradient_accumulation_steps": 1, "dataloader_drop_last": False}

_FLAG_KINDS = {"learning_rate": "float", "lr_scheduler_type": "str", "lr_scheduler_kwargs": "str",
               "warmup_steps": "float", "warmup_ratio": "float", "num_train_epochs": "float", "max_steps": "int",
               "per_device_train_batch_size": "int", "per_gpu_train_batch_size": "int",
               "gradient_accumulation_steps": "int", "dataloader_drop_last": "bool", "auto_find_batch_size": "bool",
               "train_sampling_strategy": "str", "accelerator_config": "str", "deepspeed": "str"}

FACTS = (
    Fact("dataset_size", "number of training examples, len(train_dataset)"),
    Fact("world_size", "number of training processes (GPUs across all nodes)", default=1),
    Fact("dataloader_length", "batches per process per epoch, len(trainer.get_train_dataloader()); "
         "replaces dataset_size when a sampler decides it", minimum=0),
)

EXAMPLE = """{
  "learning_rate": 2e-5,
  "lr_scheduler_type": "cosine",
  "warmup_steps": 0.1,
  "num_train_epochs": 3,
  "per_device_train_batch_size": 16,
  "gradient_accumulation_steps": 2
}"""


def looks_like(parsed: Parsed) -> bool:
    d = parsed.data
    if parsed.kind == "flags":
        d = {k.replace("-", "_"): v for k, v in d.items()}
    hf_only = ("learning_rate", "lr_scheduler_type", "per_device_train_batch_size", "num_train_epochs",
               "warmup_ratio", "gradient_accumulation_steps", "output_dir")
    other = ("SOLVER", "scheduler", "zero_optimization", "train_micro_batch_size_per_gpu")
    nested = ("optim", "model", "trainer")  # NeMo's sections (HF's `optim` is a name, not a mapping)
    return (parsed.kind != "python" and any(k in d for k in hf_only) and not any(k in d for k in other)
            and not any(isinstance(d.get(k), dict) for k in nested))


def args_from(parsed: Parsed) -> dict:
    """The TrainingArguments keys of a parsed config, typed (flags are converted the way
    ``HfArgumentParser`` converts them; dashes in flag names read as underscores)."""
    if parsed.kind != "flags":
        return dict(parsed.data)
    out = {}
    for raw, values in parsed.data.items():
        key = raw.replace("-", "_")
        kind = _FLAG_KINDS.get(key)
        if kind is None:
            out[key] = values
        else:
            v = flag_value(values, key, kind)
            out[key] = to_bool(v, f"--{raw}") if kind == "bool" else v
    return out


def read(parsed: Parsed, facts: Facts) -> Imported:
    args = args_from(parsed)
    ignored = check_keys(args, FIELDS, "TrainingArguments", SCHEDULE_KEYS)
    get = lambda k: args[k] if args.get(k) is not None else DEFAULTS[k]  # noqa: E731
    notes = []

    lr = number(get("learning_rate"), "learning_rate", minimum=0, open_min=True)
    kind = text(get("lr_scheduler_type"), "lr_scheduler_type", SCHEDULER_TYPES)
    if kind in ("reduce_lr_on_plateau", "greedy"):
        raise ValueError(f"lr_scheduler_type {kind!r} reacts to the evaluation metric during training; "
                         "it is not a schedule of the step alone")
    kwargs = _kwargs(get("lr_scheduler_kwargs"))
    warmup = number(get("warmup_steps"), "warmup_steps", minimum=0)
    ratio = args.get("warmup_ratio")
    if ratio is not None:
        ratio = number(ratio, "warmup_ratio", minimum=0, maximum=1)
    _refuse_runtime_changes(args)

    max_steps = integer(get("max_steps"), "max_steps")
    if max_steps > 0:
        total = max_steps
        notes.append(f"training steps = max_steps = {total}")
    else:
        total = _steps_from_epochs(parsed, args, get, facts, notes)

    if ratio is not None and not warmup > 0:  # transformers 4.x: warmup_steps wins when set
        W = math.ceil(total * ratio)
        notes.append(f"warmup = ceil({total} × warmup_ratio {ratio:g}) = {W} (transformers 4 rule)")
    elif warmup >= 1:
        W = int(warmup)
        notes.append(f"warmup = int(warmup_steps) = {W}")
    else:
        W = math.ceil(total * warmup)
        if warmup:
            notes.append(f"warmup = ceil({total} × {warmup:g}) = {W}")

    params = {"num_warmup_steps": W, "num_training_steps": total, **kwargs}
    if kind == "constant":
        params = {}
    elif kind == "constant_with_warmup":
        params = {"num_warmup_steps": W}
    elif kind == "inverse_sqrt":
        params.pop("num_training_steps")
    if kind in ("constant", "constant_with_warmup") and kwargs:
        notes.append(f"lr_scheduler_kwargs {sorted(kwargs)} are not passed to {kind!r} by get_scheduler")
    return Imported("huggingface", "transformers", kind, params, base_lr=lr, notes=tuple(notes),
                    ignored=tuple(ignored), facts=dict(facts.used))


def _kwargs(v) -> dict:
    if v is None:
        return {}
    if isinstance(v, str):  # from the command line: a JSON object, as TrainingArguments.__post_init__ reads it
        try:
            v = json.loads(v)
        except ValueError as e:
            raise ValueError(f"lr_scheduler_kwargs must be a JSON object, got {v[:80]!r}: {e}") from None
    return mapping(v, "lr_scheduler_kwargs")


def _refuse_runtime_changes(args):
    if to_bool(args.get("auto_find_batch_size", False), "auto_find_batch_size"):
        raise ValueError("auto_find_batch_size=True: the Trainer shrinks the batch at run time, which changes "
                         "the step count; set per_device_train_batch_size to the size it settled on")
    acc = args.get("accelerator_config")
    if isinstance(acc, str) and acc.strip().startswith("{"):
        try:
            acc = json.loads(acc)
        except ValueError:
            raise ValueError(f"accelerator_config must be a JSON object, got {acc[:80]!r}") from None
    if isinstance(acc, dict) and to_bool(acc.get("split_batches", False), "accelerator_config.split_batches"):
        raise ValueError("accelerator_config.split_batches=True splits each batch across processes; "
                         "warmup_core follows the default (split_batches=False)")
    ds = args.get("deepspeed")
    if isinstance(ds, dict) and "scheduler" in ds:
        raise ValueError("the deepspeed config has a 'scheduler' block, which replaces the Trainer's schedule: "
                         "import that DeepSpeed config with format='deepspeed'")


def _steps_from_epochs(parsed, args, get, facts: Facts, notes) -> int:
    epochs = number(get("num_train_epochs"), "num_train_epochs", minimum=0)
    ga = integer(get("gradient_accumulation_steps"), "gradient_accumulation_steps", minimum=1)
    L = facts.get("dataloader_length")
    if L is None:
        if args.get("train_sampling_strategy") == "batch_rebalance":
            facts.need("dataloader_length", "train_sampling_strategy='batch_rebalance' sizes batches from the data")
        why = f"num_train_epochs={epochs:g} and no max_steps, so the Trainer counts steps from the data"
        n = facts.need("dataset_size", why)
        per_gpu = args.get("per_gpu_train_batch_size")
        b = integer(per_gpu if per_gpu is not None else get("per_device_train_batch_size"),
                    "per_gpu_train_batch_size" if per_gpu is not None else "per_device_train_batch_size", minimum=1)
        drop = to_bool(get("dataloader_drop_last"), "dataloader_drop_last")
        P = facts.world_size(parsed, notes)
        L = dataloader_length(n, b, P, drop)
        notes.append(f"batches per process per epoch = {L} ({n} examples, batch {b}, {P} process(es)"
                     f"{', drop_last' if drop else ''})")
    if L == 0:
        raise ValueError("the training dataloader is empty (fewer examples than one batch with "
                         "dataloader_drop_last); the Trainer then requires max_steps > 0")
    U = max(L // ga + int(L % ga > 0), 1)
    total = math.ceil(epochs * U)
    notes.append(f"updates per epoch = {U}; training steps = ceil({epochs:g} × {U}) = {total}")
    if total < 1:
        raise ValueError(f"num_train_epochs={epochs:g} gives no training step")
    return total


def dataloader_length(n: int, batch: int, processes: int = 1, drop_last: bool = False) -> int:
    """``len()`` of the Trainer's train dataloader on process 0: torch's ``BatchSampler`` length,
    then accelerate's ``BatchSamplerShard`` (``even_batches=True``) for several processes."""
    batches = n // batch if drop_last else -(-n // batch)
    if processes == 1 or batches % processes == 0 or drop_last:
        return batches // processes
    return batches // processes + 1

