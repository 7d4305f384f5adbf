"""Configs in: warmup_core.configs reads a framework's config text into the schedule it trains with.

Hugging Face: every case runs the real ``Trainer`` (transformers, accelerate) on a dataset of the
given size and steps its scheduler; the lrs must equal ``from_config``'s at rtol 1e-12. Real
configs come from the frameworks' own public repositories (tests/configs/README.md cites each).
"""

from __future__ import annotations

import json
import math
import os
import shlex
from pathlib import Path

import numpy as np
import pytest

from warmup_core import compat, configs
from warmup_core.configs import from_config, read_config
from warmup_core.configs import huggingface as hf

CONFIGS = Path(__file__).parent / "configs"
FUZZ_EXAMPLES = int(os.environ.get("WARMUP_CONFIG_FUZZ", "200"))  # raise it for a long local run
RTOL = 1e-12


def close(got, ref):
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=1e-15)


# --- Hugging Face: the real Trainer ---------------------------------------------------------------

_SCHED_KEYS = ("learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "num_train_epochs",
               "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps", "dataloader_drop_last")


def trainer_lrs(cfg: dict, dataset_size: int, world_size: int = 1, extra: int = 3):
    """The lr of every optimizer update of a real Trainer built from ``cfg`` (its schedule keys), and N.

    One process runs here; for ``world_size`` > 1 the Trainer is handed the dataloader process 0 gets
    from accelerate (``BatchSamplerShard``, the class ``accelerator.prepare`` wraps it in).
    """
    torch = pytest.importorskip("torch")
    pytest.importorskip("accelerate")
    transformers = pytest.importorskip("transformers")
    from accelerate.data_loader import BatchSamplerShard

    class Data(torch.utils.data.Dataset):
        def __len__(self):
            return dataset_size

        def __getitem__(self, i):
            return {"x": torch.zeros(1)}

    kw = {k: cfg[k] for k in _SCHED_KEYS if k in cfg}
    if "warmup_ratio" in cfg and not cfg.get("warmup_steps"):  # a transformers 4 config: 5 spells it warmup_steps
        kw["warmup_steps"] = cfg["warmup_ratio"]
    args = transformers.TrainingArguments(output_dir="unused-output", report_to="none", use_cpu=True, **kw)
    trainer = transformers.Trainer(model=torch.nn.Linear(1, 1), args=args, train_dataset=Data())
    if world_size == 1:
        loader = trainer.get_train_dataloader()
    else:
        batches = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(dataset_size)),
                                                args.per_device_train_batch_size, args.dataloader_drop_last)
        loader = torch.utils.data.DataLoader(
            Data(), batch_sampler=BatchSamplerShard(batches, num_processes=world_size, process_index=0))
    n_steps = trainer.set_initial_training_values(args, loader)[-1]
    trainer.create_optimizer_and_scheduler(num_training_steps=n_steps)
    lrs = []
    for _ in range(n_steps + extra):
        lrs.append(trainer.lr_scheduler.get_last_lr()[0])
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    return np.array(lrs), n_steps, args.get_warmup_steps(n_steps)


HF_CASES = [  # (config, dataset_size, world_size)
    ({"learning_rate": 1e-3, "lr_scheduler_type": "cosine", "warmup_steps": 0.1, "num_train_epochs": 2.5,
      "per_device_train_batch_size": 7, "gradient_accumulation_steps": 3}, 1001, 1),
    ({"learning_rate": 3e-4, "warmup_steps": 5, "num_train_epochs": 1, "per_device_train_batch_size": 4,
      "dataloader_drop_last": True}, 103, 1),
    ({"learning_rate": 2e-5, "lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr_rate": 0.1},
      "warmup_steps": 0.03, "num_train_epochs": 3, "per_device_train_batch_size": 2,
      "gradient_accumulation_steps": 4}, 999, 3),
    ({"learning_rate": 1e-4, "lr_scheduler_type": "linear", "warmup_steps": 0.25, "num_train_epochs": 0.7,
      "per_device_train_batch_size": 5, "dataloader_drop_last": True}, 203, 4),
    ({"learning_rate": 1e-4, "lr_scheduler_type": "polynomial", "lr_scheduler_kwargs": {"power": 2.0},
      "warmup_steps": 3, "max_steps": 40}, 10, 1),
    ({"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 0.5, "max_steps": 11}, 10, 1),
    ({"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 6, "num_train_epochs": 2,
      "per_device_train_batch_size": 3}, 50, 2),
    ({"lr_scheduler_type": "cosine_with_restarts", "lr_scheduler_kwargs": {"num_cycles": 3}, "warmup_steps": 0.1,
      "num_train_epochs": 4, "per_device_train_batch_size": 8, "gradient_accumulation_steps": 2}, 300, 1),
    ({"lr_scheduler_type": "warmup_stable_decay", "lr_scheduler_kwargs": {"num_decay_steps": 10,
      "decay_type": "1-sqrt", "min_lr_ratio": 0.05}, "warmup_steps": 0.2, "num_train_epochs": 3,
      "per_device_train_batch_size": 16}, 320, 1),
    ({"lr_scheduler_type": "constant", "warmup_steps": 10, "max_steps": 30}, 10, 1),
    ({"learning_rate": 5e-5, "lr_scheduler_type": "cosine", "warmup_steps": 0.999, "num_train_epochs": 1,
      "per_device_train_batch_size": 1}, 13, 1),
    ({"warmup_steps": 2.7, "num_train_epochs": 1, "per_device_train_batch_size": 10}, 95, 7),
]


@pytest.mark.parametrize("cfg,n,world", HF_CASES, ids=[f"hf{i}" for i in range(len(HF_CASES))])
def test_huggingface_matches_trainer(cfg, n, world):
    ref, n_steps, warmup = trainer_lrs(cfg, n, world)
    got = read_config(json.dumps(cfg), "huggingface", dataset_size=n, world_size=world)
    assert got.params.get("num_training_steps", n_steps) == n_steps
    assert got.params.get("num_warmup_steps", warmup) == warmup
    close(got.build()(np.arange(len(ref))), ref)


def test_huggingface_dataloader_length_is_accelerates():
    """The per-process batch count: torch's BatchSampler, then accelerate's shard, over a grid."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("accelerate")
    from accelerate.data_loader import BatchSamplerShard

    for n in (1, 2, 7, 16, 17, 100, 101):
        for b in (1, 3, 8):
            for drop in (False, True):
                for p in (1, 2, 3, 8):
                    bs = torch.utils.data.BatchSampler(range(n), b, drop)
                    ref = len(bs) if p == 1 else len(BatchSamplerShard(bs, num_processes=p, process_index=0))
                    assert hf.dataloader_length(n, b, p, drop) == ref, (n, b, drop, p)


HF_REAL = [  # alignment-handbook recipes (tests/configs/README.md), with dataset sizes of our choosing
    ("zephyr-7b-beta_sft_config_full.yaml", 2000, 8),
    ("smollm3_sft_sft.yaml", 3001, 4),
    ("zephyr-141b-A35b_orpo_config_full.yaml", 500, 1),
]


@pytest.mark.parametrize("name,n,world", HF_REAL)
def test_huggingface_real_recipes(name, n, world):
    import yaml

    text = (CONFIGS / "huggingface" / name).read_text()
    assert configs.detect_format(text) == "huggingface"
    ref, n_steps, warmup = trainer_lrs(yaml.safe_load(text), n, world)
    got = read_config(text, dataset_size=n, world_size=world)
    assert "model_name_or_path" in got.ignored  # model / data keys are listed, not used
    close(got.build()(np.arange(len(ref))), ref)


def test_huggingface_flags_match_hfargumentparser():
    """Command-line flags read as HfArgumentParser reads them (dashes, =, JSON kwargs, bare booleans)."""
    transformers = pytest.importorskip("transformers")
    line = ("torchrun --nproc_per_node 4 run_clm.py --model_name_or_path gpt2 --learning-rate=3e-4 "
            "--lr_scheduler_type cosine_with_min_lr --lr_scheduler_kwargs '{\"min_lr\": 3e-5}' \\\n"
            "  --warmup_steps 0.05 --num_train_epochs 2 --per_device_train_batch_size 6 "
            "--gradient_accumulation_steps 2 --dataloader_drop_last --output_dir /tmp/out")
    tokens = shlex.split(line.replace("\\\n", " "))
    script_args = tokens[tokens.index("run_clm.py") + 1:]
    parser = transformers.HfArgumentParser(transformers.TrainingArguments)
    args, rest = parser.parse_args_into_dataclasses(args=script_args, return_remaining_strings=True)
    assert rest == ["--model_name_or_path", "gpt2"]
    cfg = {k: getattr(args, k) for k in _SCHED_KEYS}
    cfg["lr_scheduler_type"] = args.lr_scheduler_type.value
    ref, _, _ = trainer_lrs(cfg, 777, 4)
    got = from_config(line, dataset_size=777, world_size=4)
    close(got(np.arange(len(ref))), ref)


def test_huggingface_fields_are_the_installed_trainingarguments():
    import dataclasses

    transformers = pytest.importorskip("transformers")
    assert transformers.__version__ == "5.23.0"
    assert {f.name for f in dataclasses.fields(transformers.TrainingArguments)} == hf.FIELDS_5


def test_huggingface_transformers4_warmup_ratio_rule():
    """transformers 4.57.1 get_warmup_steps: ``warmup_steps if warmup_steps > 0 else
    ceil(N * warmup_ratio)`` (training_args.py line 2556 of that release)."""
    base = {"max_steps": 1000, "lr_scheduler_type": "linear"}
    assert read_config(json.dumps({**base, "warmup_ratio": 0.0333})).params["num_warmup_steps"] == 34
    assert read_config(json.dumps({**base, "warmup_ratio": 0.1, "warmup_steps": 7})).params["num_warmup_steps"] == 7


def test_huggingface_missing_facts_are_named():
    cfg = json.dumps({"num_train_epochs": 2, "per_device_train_batch_size": 8})
    with pytest.raises(ValueError, match="missing fact 'dataset_size'"):
        from_config(cfg, "huggingface")
    assert from_config(json.dumps({"max_steps": 50}), "huggingface").total_steps == 50  # needs no fact
    s = from_config(cfg, "huggingface", dataloader_length=10)  # a sampler's own length replaces the size
    assert s.total_steps == 20
    with pytest.raises(ValueError, match="unknown fact"):
        from_config(cfg, "huggingface", datset_size=10)


@pytest.mark.parametrize("cfg,needle", [
    ({"warmup_ratoi": 0.1}, "'warmup_ratoi' (did you mean 'warmup_ratio'?)"),
    ({"lr_scheduler_typ": "cosine"}, "'lr_scheduler_typ'"),
    ({"lr_scheduler_type": "cosin"}, "lr_scheduler_type must be one of"),
    ({"lr_scheduler_type": "reduce_lr_on_plateau"}, "evaluation metric"),
    ({"learning_rate": -1}, "learning_rate must be > 0"),
    ({"learning_rate": "fast"}, "learning_rate must be a number"),
    ({"warmup_steps": -3}, "warmup_steps must be >= 0"),
    ({"max_steps": 2.5}, "max_steps must be a whole number"),
    ({"max_steps": 10, "lr_scheduler_type": "cosine_with_min_lr"}, "min_lr"),
    ({"max_steps": 10, "lr_scheduler_kwargs": {"nope": 1}}, "nope"),
    ({"max_steps": 10, "lr_scheduler_kwargs": "{not json"}, "lr_scheduler_kwargs must be a JSON object"),
    ({"auto_find_batch_size": True}, "auto_find_batch_size"),
    ({"deepspeed": {"scheduler": {"type": "WarmupLR"}}}, "format='deepspeed'"),
    ({"per_device_train_batch_size": 0}, "per_device_train_batch_size must be >= 1"),
])
def test_huggingface_bad_keys_and_values_are_named(cfg, needle):
    with pytest.raises(ValueError) as e:
        from_config(json.dumps(cfg), "huggingface", dataset_size=100)
    assert needle in str(e.value)


def test_huggingface_notes_say_how_steps_were_counted():
    got = read_config(json.dumps({"num_train_epochs": 2, "per_device_train_batch_size": 8, "warmup_steps": 0.1}),
                      dataset_size=100, world_size=2)
    assert got.params == {"num_warmup_steps": 2, "num_training_steps": 14}
    assert got.facts == {"dataset_size": 100, "world_size": 2}
    assert any("ceil(2 × 7) = 14" in n for n in got.notes)
    assert math.isclose(got.base_lr, 5e-5)
    assert got.library == "transformers" and got.name == "linear"
    assert compat.build("transformers", "linear", base_lr=5e-5, **got.params) == got.build()


# --- timm train.py: golden values from the real timm (scripts/make_configs_golden.py) ------------------

TIMM_GOLDEN = json.loads((Path(__file__).parent / "golden" / "configs_timm.json").read_text())["cases"]


@pytest.mark.parametrize("case", TIMM_GOLDEN, ids=[f"timm{i}" for i in range(len(TIMM_GOLDEN))])
def test_timm_flags_match_train_py(case):
    line, n, world = case["line"], case["dataset_size"], case["world_size"]
    if "--lr-noise" in line:
        with pytest.raises(ValueError, match="lr_noise"):
            from_config(line, dataset_size=n, world_size=world)
        return
    assert configs.detect_format(line) == "timm"
    s = from_config(line, dataset_size=n, world_size=world)
    ref = np.array(case["lrs"])
    assert s.total_steps == len(ref)  # the number of updates train.py runs
    close(s(np.arange(len(ref))), ref)


def test_timm_args_yaml_reads_like_flags():
    """train.py --config args.yaml sets the same keys (underscores) that the flags set."""
    import yaml

    line = TIMM_GOLDEN[0]["line"]
    args = {"sched": "cosine", "epochs": 12, "lr": 0.4, "warmup_epochs": 3, "warmup_lr": 1e-5, "min_lr": 1e-6,
            "batch_size": 16, "model": "resnet50", "data_dir": "/imagenet"}
    a = from_config(yaml.safe_dump(args), "timm", dataset_size=1000)
    assert a == from_config(line, dataset_size=1000)


def test_timm_world_size_from_the_launcher_and_missing_facts():
    line = "torchrun --nproc_per_node=2 train.py /data -b 8 --lr-base 0.1 --epochs 2 --warmup-epochs 0"
    got = read_config(line, dataset_size=100)
    assert got.facts["world_size"] == 2 and got.base_lr == pytest.approx(0.1 * 16 / 256, rel=1e-15)
    with pytest.raises(ValueError, match="missing fact 'dataset_size'"):
        read_config("train.py --sched cosine --lr 0.1")
    assert read_config("train.py --sched cosine --lr 0.1", batches_per_epoch=10).updates_per_epoch == 10
    with pytest.raises(ValueError, match="'plateau'"):
        read_config("train.py --sched plateau --lr 0.1", batches_per_epoch=10)
    with pytest.raises(ValueError, match="sched must be one of"):
        read_config("train.py --sched cosin --lr 0.1", batches_per_epoch=10, format="timm")
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        read_config("train.py --sched cosine --epochs 1.5", batches_per_epoch=10)


# --- maskrcnn-benchmark / detectron2 SOLVER ------------------------------------------------------------

def test_maskrcnn_real_configs():
    """maskrcnn-benchmark configs over its defaults.py: WarmupMultiStepLR(STEPS, GAMMA=0.1, WARMUP_FACTOR=1/3,
    WARMUP_ITERS=500, linear) on BASE_LR, MAX_ITER iterations; the entry itself is checked by test_parity."""
    text = (CONFIGS / "maskrcnn" / "e2e_mask_rcnn_R_50_FPN_1x.yaml").read_text()
    assert configs.detect_format(text) == "maskrcnn"
    got = read_config(text)
    assert (got.library, got.name, got.base_lr) == ("maskrcnn", "WarmupMultiStepLR", 0.02)
    assert got.params == {"milestones": [60000, 80000], "gamma": 0.1, "warmup_factor": 1 / 3,
                          "warmup_iters": 500, "warmup_method": "linear"}
    s = got.build()
    assert s.total_steps == 90000
    close(s([0, 250, 500, 59999, 60000, 80000, 89999]),
          [0.02 / 3, 0.02 * (1 / 3 + (2 / 3) * 0.5), 0.02, 0.02, 0.002, 0.0002, 0.0002])
    fb = read_config((CONFIGS / "maskrcnn" / "e2e_faster_rcnn_fbnet.yaml").read_text())
    assert fb.params["warmup_factor"] == 0.1 and fb.base_lr == 0.06
    voc = read_config((CONFIGS / "maskrcnn" / "pascal_voc_e2e_faster_rcnn_R_50_C4_1x_1_gpu_voc.yaml").read_text())
    assert voc.params["milestones"] == [50000] and voc.build().total_steps == 70000


@pytest.mark.parametrize("solver,needle", [
    ("  BASE_LR: 0.02\n  WARMUP_ITER: 10\n", "unknown key 'WARMUP_ITER' (did you mean 'WARMUP_ITERS'?)"),
    ("  STEPS: (600, 80\n", "SOLVER.STEPS must be a tuple"),
    ("  STEPS: (800, 600)\n", "SOLVER.STEPS must be increasing"),
    ("  WARMUP_METHOD: cosine\n", "SOLVER.WARMUP_METHOD must be one of"),
    ("  BASE_LR: 0\n", "SOLVER.BASE_LR must be > 0"),
    ("  MAX_ITER: many\n", "SOLVER.MAX_ITER must be a number"),
])
def test_maskrcnn_bad_solver_keys_and_values(solver, needle):
    with pytest.raises(ValueError) as e:
        from_config("MODEL:\n  WEIGHT: catalog://x\nSOLVER:\n" + solver)
    assert needle in str(e.value)


def test_detectron2_base_and_child():
    base = (CONFIGS / "detectron2" / "Base-RCNN-FPN.yaml").read_text()
    child = (CONFIGS / "detectron2" / "COCO-Detection_faster_rcnn_R_50_FPN_3x.yaml").read_text()
    with pytest.raises(ValueError, match="inherits from _BASE_ '../Base-RCNN-FPN.yaml': paste that file above"):
        read_config(child)
    got = read_config(base + "\n---\n" + child)
    assert configs.detect_format(base + "\n---\n" + child) == "detectron2"
    assert (got.library, got.name, got.base_lr, got.total_steps) == ("detectron2", "build_lr_scheduler", 0.02,
                                                                      270000)
    assert got.params == {"LR_SCHEDULER_NAME": "WarmupMultiStepLR", "MAX_ITER": 270000, "STEPS": [210000, 250000],
                          "GAMMA": 0.1, "BASE_LR_END": 0.0, "NUM_DECAYS": 3, "WARMUP_FACTOR": 0.001,
                          "WARMUP_ITERS": 1000, "WARMUP_METHOD": "linear", "RESCALE_INTERVAL": False}


def test_detectron2_auto_scale_workers_and_refusals():
    """DefaultTrainer.auto_scale_workers, on its own docstring's example (16 GPUs for a config of 8)."""
    text = ("SOLVER:\n  IMS_PER_BATCH: 16\n  BASE_LR: 0.1\n  REFERENCE_WORLD_SIZE: 8\n  MAX_ITER: 5000\n"
            "  STEPS: (4000,)\n  WARMUP_ITERS: 100\n")
    with pytest.raises(ValueError, match="missing fact 'world_size'"):
        read_config(text)
    got = read_config(text, world_size=16)
    assert (got.base_lr, got.params["MAX_ITER"], got.params["STEPS"], got.params["WARMUP_ITERS"]) == \
        (0.2, 2500, [2000], 50)
    assert read_config(text, world_size=8).params["MAX_ITER"] == 5000
    deeplab = (CONFIGS / "detectron2" / "Panoptic-DeepLab_Base-PanopticDeepLab-OS16.yaml").read_text()
    with pytest.raises(ValueError, match="'WarmupPolyLR' is not one of detectron2's"):
        read_config(deeplab, "detectron2")


def test_solver_block_alone_is_ambiguous():
    with pytest.raises(ValueError, match=r"could be any of \['maskrcnn', 'detectron2'\]; pass format="):
        read_config("SOLVER:\n  BASE_LR: 0.01\n  STEPS: (10, 20)\n  MAX_ITER: 30\n")
    assert read_config("SOLVER:\n  BASE_LR: 0.01\n", "maskrcnn").params["warmup_iters"] == 500
    assert read_config("SOLVER:\n  BASE_LR: 0.01\n", "detectron2").params["WARMUP_ITERS"] == 1000


def test_detectron2_real_config_matches_build_lr_scheduler():
    """Base-RCNN-FPN.yaml + faster_rcnn_R_50_FPN_3x.yaml, read as detectron2 reads them (yaml, the child over
    the base, yacs' literal_eval of STEPS), run through detectron2's build_lr_scheduler (verbatim copy in
    tests/golden/detectron2_solver.py) over the real fvcore, sampled at 300 iterations incl. every switch."""
    import ast
    import warnings
    from types import SimpleNamespace

    import yaml

    pytest.importorskip("fvcore")
    torch = pytest.importorskip("torch")
    from warmup_core.configs.solver import DETECTRON2_DEFAULTS

    from .golden import detectron2_solver as D2

    base = (CONFIGS / "detectron2" / "Base-RCNN-FPN.yaml").read_text()
    child = (CONFIGS / "detectron2" / "COCO-Detection_faster_rcnn_R_50_FPN_3x.yaml").read_text()
    solver = {**DETECTRON2_DEFAULTS, **yaml.safe_load(base)["SOLVER"], **yaml.safe_load(child)["SOLVER"]}
    solver = {k: ast.literal_eval(v) if isinstance(v, str) and v.startswith("(") else v for k, v in solver.items()}
    cfg = SimpleNamespace(SOLVER=SimpleNamespace(**solver))
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=solver["BASE_LR"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = D2.build_lr_scheduler(cfg, opt)
    t = np.unique(np.r_[np.linspace(0, solver["MAX_ITER"] - 1, 250).astype(int), 0, 1, 999, 1000, 1001,
                        209999, 210000, 210001, 249999, 250000, 269999])
    ref = []
    for i in t:
        sched.last_epoch = int(i)
        ref.append(sched.get_lr()[0])
    got = from_config(base + "\n---\n" + child)
    assert got.total_steps == 270000
    close(got(t), ref)


# --- DeepSpeed ------------------------------------------------------------------------------------------

def _framework(key):
    libraries = pytest.importorskip("warmup_core.libraries")
    if key not in libraries.FRAMEWORKS:
        pytest.skip(f"warmup_core.libraries has no {key} module yet (helper lib-frameworks)")
    return libraries.FRAMEWORKS[key]


def test_deepspeed_real_configs():
    cifar = (CONFIGS / "deepspeed" / "cifar_ds_config.json").read_text()
    assert configs.detect_format(cifar) == "deepspeed"
    got = read_config(cifar)
    assert (got.library, got.name, got.base_lr) == ("deepspeed", "WarmupLR", 0.001)
    assert got.params == {"warmup_min_lr": 0, "warmup_max_lr": 0.001, "warmup_num_steps": 1000}
    assert "zero_optimization" in got.ignored
    ds = _framework("deepspeed")
    ref = ds.build("WarmupLR", base_lr=0.001, warmup_min_lr=0, warmup_max_lr=0.001, warmup_num_steps=1000)
    t = np.arange(1200)
    close(got.build()(t), ref(t))
    # stepped triangles (stair counts) are refused by the deepspeed module, by name
    with pytest.raises(ValueError, match="cycle_first_stair_count"):
        from_config((CONFIGS / "deepspeed" / "QANet-Pytorch_ds_bsz512_1cycle.json").read_text())
    one = read_config((CONFIGS / "deepspeed" / "QANet-Pytorch_ds_bsz512_1cycle.json").read_text())
    assert one.name == "OneCycle" and one.params["cycle_max_lr"] == 0.015


def test_deepspeed_auto_values_are_facts():
    """The Hugging Face Trainer's own test config: every scheduler value "auto"."""
    text = (CONFIGS / "deepspeed" / "transformers_tests_deepspeed_ds_config_zero2.json").read_text()
    with pytest.raises(ValueError, match="missing fact 'warmup_min_lr'"):
        read_config(text)
    got = read_config(text, warmup_min_lr=0.0, warmup_max_lr=3e-5, warmup_num_steps=100)
    assert got.params == {"warmup_min_lr": 0.0, "warmup_max_lr": 3e-5, "warmup_num_steps": 100}
    cos = json.dumps({"optimizer": {"params": {"lr": "auto"}}, "scheduler": {"type": "WarmupCosineLR", "params": {
        "total_num_steps": 1000, "warmup_num_steps": 50}}})
    with pytest.raises(ValueError, match="missing fact 'lr'.*optimizer.params.lr is \"auto\""):
        read_config(cos)
    assert read_config(cos, lr=1e-3).base_lr == 1e-3
    ds = _framework("deepspeed")
    close(from_config(cos, lr=1e-3)(np.arange(1100)),
          ds.build("WarmupCosineLR", base_lr=1e-3, total_num_steps=1000, warmup_num_steps=50)(np.arange(1100)))


@pytest.mark.parametrize("cfg,needle", [
    ({"optimizer": {"params": {"lr": 1e-3}}}, "no 'scheduler' block"),
    ({"scheduler": {"type": "WarmupLinear", "params": {}}}, "scheduler.type must be one of"),
    ({"scheduler": {"type": "WarmupLR", "params": {"warmup_steps": 10}}},
     "unknown key 'warmup_steps' (did you mean 'warmup_num_steps'?)"),
    ({"scheduler": {"type": "WarmupLR", "parms": {}}}, "unknown key 'parms'"),
    ({"scheduler": {"type": "WarmupCosineLR", "params": {"total_num_steps": 10}}}, "missing fact 'lr'"),
])
def test_deepspeed_bad_keys_and_values(cfg, needle):
    with pytest.raises(ValueError) as e:
        read_config(json.dumps(cfg), "deepspeed")
    assert needle in str(e.value)


# --- Megatron-LM --------------------------------------------------------------------------------------

def test_megatron_real_scripts():
    """Megatron-LM's own example launch scripts (bash arrays of flags, shell variables set in the script)."""
    bert = (CONFIGS / "megatron" / "train_bert_340m_distributed.sh").read_text()
    assert configs.detect_format(bert) == "megatron"
    got = read_config(bert)
    assert (got.library, got.name, got.total_steps) == ("megatron", "OptimizerParamScheduler", 1_000_000)
    assert got.params == {"init_lr": 0.0, "max_lr": 1e-4, "min_lr": 1e-5, "lr_warmup_steps": 9900,
                          "lr_decay_steps": 990_000, "lr_decay_style": "linear"}
    llama = read_config((CONFIGS / "megatron" / "train_llama3_8b_h100_fp8.sh").read_text())
    # sample-based: 1949218748 decay and 3906252 warmup samples at GLOBAL_BATCH_SIZE=128 (set in the script)
    assert llama.params == {"init_lr": 0.0, "max_lr": 1.5e-4, "min_lr": 1e-5, "lr_warmup_steps": 3906252 / 128,
                            "lr_decay_steps": 1949218748 / 128, "lr_decay_style": "cosine"}
    assert llama.total_steps == 1953125000 // 128
    with pytest.raises(ValueError, match="--step-batch-size-schedule: the batch grows"):
        read_config((CONFIGS / "megatron" / "train_gpt3_175b_distributed.sh").read_text())


@pytest.mark.parametrize("line,needle", [
    ("pretrain_gpt.py --lr 1e-4 --train-iters 100 --lr-decay-style cosin", "--lr-decay-style must be one of"),
    ("pretrain_gpt.py --lr 1e-4 --lr-decay-style cosine", "either --train-iters or --train-samples"),
    ("pretrain_gpt.py --train-iters 100 --lr-decay-style cosine", "--lr is not set"),
    ("pretrain_gpt.py --lr 1e-4 --train-iters 100 --lr-warmup-iter 10", "did you mean 'lr_warmup_iters'"),
    ("pretrain_gpt.py --lr 1e-4 --train-iters 100 --lr-warmup-fraction 0.1 --lr-warmup-iters 5",
     "specify one of --lr-warmup-fraction and --lr-warmup-iters"),
    ("pretrain_gpt.py --lr 1e-4 --train-samples 1000 --lr-decay-style cosine", "missing fact 'global_batch_size'"),
    ("pretrain_gpt.py --lr $LR --train-iters 100", "--lr is the shell variable $LR"),
    ("pretrain_gpt.py --lr 1e-4 --train-iters 100 --lr-decay-style WSD", "--lr-wsd-decay-iters"),
])
def test_megatron_bad_flags(line, needle):
    with pytest.raises(ValueError) as e:
        read_config(line, "megatron")
    assert needle in str(e.value)


def test_megatron_wsd_and_sample_facts():
    got = read_config("pretrain_gpt.py --lr 3e-4 --min-lr 3e-5 --train-samples 10000 --lr-warmup-samples 640 "
                      "--lr-decay-style WSD --lr-wsd-decay-samples 3200 --lr-wsd-decay-style minus_sqrt "
                      "--global-batch-size $GBS", global_batch_size=64)
    assert got.params == {"init_lr": 0.0, "max_lr": 3e-4, "min_lr": 3e-5, "lr_warmup_steps": 10,
                          "lr_decay_steps": 10000 / 64, "lr_decay_style": "WSD", "wsd_decay_steps": 50,
                          "lr_wsd_decay_style": "minus_sqrt"}
    assert got.total_steps == 156


# --- NeMo -----------------------------------------------------------------------------------------------

def test_nemo_real_configs():
    gpt = (CONFIGS / "nemo" / "megatron_gpt_config.yaml").read_text()
    assert configs.detect_format(gpt) == "nemo"
    got = read_config(gpt)
    assert (got.library, got.name, got.base_lr, got.total_steps) == ("nemo", "CosineAnnealing", 2e-4, 100000)
    assert got.params == {"warmup_steps": 500, "constant_steps": 50000, "min_lr": 2e-5, "max_steps": 100000}
    asr = (CONFIGS / "nemo" / "conformer_ctc_bpe.yaml").read_text()
    with pytest.raises(ValueError, match="missing fact 'dataset_size'"):
        read_config(asr)
    with pytest.raises(ValueError, match="missing fact 'world_size'.*trainer.devices is -1"):
        read_config(asr, dataset_size=281241)
    got = read_config(asr, dataset_size=281241, world_size=8)
    # compute_max_steps: ceil(ceil(281241 / 8) / 16) = 2198 batches, × 1000 epochs; d_model from ${...}
    assert got.params == {"d_model": 512, "warmup_steps": 10000, "warmup_ratio": None, "min_lr": 1e-6,
                          "max_steps": 2198 * 1000}


def test_nemo_compute_max_steps_matches_nemo_cases():
    """compute_max_steps, worked by hand from NeMo's formula (lr_scheduler.py, nemo_toolkit 3.0.0): drop_last
    both ways, several workers, a fractional and an integer limit_train_batches. The first case is the first of
    NeMo's own test_max_step_computation (which trains with Lightning rather than stating a number)."""
    from warmup_core.configs.nemo import compute_max_steps

    assert compute_max_steps(31, 1, 1.0, 9, 1613, 60, True) == 93  # floor(ceil(1613/9)=180 / 60) = 3 × 31

    assert compute_max_steps(10, 1, 1.0, 1, 1000, 10, False) == 1000
    assert compute_max_steps(10, 2, 1.0, 2, 1001, 10, False) == 260  # ceil(501/10)=51 → ceil(51/2)=26 × 10
    assert compute_max_steps(10, 1, 0.5, 1, 1000, 10, True) == 500
    assert compute_max_steps(3, 1, 7, 1, 1000, 10, False) == 21  # an int limit counts batches


@pytest.mark.parametrize("yaml_text,needle", [
    ("model:\n  optim:\n    lr: 1e-3\n    sched:\n      name: Cosine\n", "optim.sched.name must be one of"),
    ("model:\n  optim:\n    lr: 1e-3\n    sched:\n      name: CosineAnnealing\n      max_steps: -1\n",
     "NeMo then builds no scheduler"),
    ("model:\n  optim:\n    lr: 1e-3\n    sched:\n      name: CosineAnnealing\n      d: ${model.nope}\n"
     "trainer:\n  max_steps: 10\n", "refers to 'model.nope'"),
    ("model:\n  optim:\n    lr: fast\n    sched:\n      name: CosineAnnealing\n", "optim.lr must be a number"),
    ("model:\n  optim:\n    lr: 1e-3\n    sched:\n      _target_: x.Y\n", "_target_"),
])
def test_nemo_bad_values(yaml_text, needle):
    with pytest.raises(ValueError) as e:
        read_config(yaml_text, "nemo")
    assert needle in str(e.value)


def test_megatron_and_nemo_end_to_end():
    """The real scripts/configs, built: Megatron's get_lr worked by hand at the phase edges (linear warmup
    reaches max_lr at its last step, linear decay to min_lr at lr_decay_steps, min_lr after); NeMo through its
    library module (whose values tests/test_frameworks_* check against NeMo)."""
    if "megatron" not in compat.libraries() or "nemo" not in compat.libraries():
        pytest.skip("the megatron / nemo library modules are not merged in this checkout")
    bert = from_config((CONFIGS / "megatron" / "train_bert_340m_distributed.sh").read_text())
    r = (500_000 - 9900) / (990_000 - 9900)
    close(bert([0, 4950, 9900, 500_000, 990_000, 995_000]),
          [0.0, 5e-5, 1e-4, 1e-5 + (1 - r) * 9e-5, 1e-5, 1e-5])
    assert bert.total_steps == 1_000_000
    gpt = from_config((CONFIGS / "nemo" / "megatron_gpt_config.yaml").read_text())
    ref = compat.build("nemo", "CosineAnnealing", base_lr=2e-4, warmup_steps=500, constant_steps=50000,
                       min_lr=2e-5, max_steps=100000)
    t = np.arange(0, 100_001, 7)
    close(gpt(t), ref(t))
    assert gpt.total_steps == 100000
    # sample counts that are not whole iterations (Megatron's llama3 script) are kept in the translation and
    # refused by the Megatron module, which counts whole iterations
    with pytest.raises(ValueError, match="lr_warmup_steps"):
        from_config((CONFIGS / "megatron" / "train_llama3_8b_h100_fp8.sh").read_text())


# --- mmengine (OpenMMLab Python configs) ---------------------------------------------------------------

def test_mmengine_real_configs():
    base = (CONFIGS / "mmengine" / "schedule_1x.py").read_text()
    rtm = (CONFIGS / "mmengine" / "rtmdet_l_8xb32-300e_coco.py").read_text()
    assert configs.detect_format(base) == "mmengine"
    with pytest.raises(ValueError, match="missing fact 'epoch_length'"):
        read_config(base)
    got = read_config(base, epoch_length=100)
    assert (got.library, got.name, got.base_lr, got.total_steps) == ("mmengine", "param_scheduler", 0.02, 1200)
    assert got.params == {"schedulers": [
        {"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 500},
        {"type": "MultiStepLR", "begin": 0, "end": 12, "by_epoch": True, "milestones": [8, 11], "gamma": 0.1}],
        "epoch_length": 100}
    # RTMDet over its base schedule: names, arithmetic (max_epochs // 2, base_lr * 0.05), _delete_=True
    both = read_config(base + "\n" + rtm, dataset_size=117266, world_size=8)
    assert both.params["epoch_length"] == math.ceil(math.ceil(117266 / 8) / 32) == 459
    assert both.base_lr == 0.004 and both.total_steps == 300 * 459
    assert both.params["schedulers"][1] == {"type": "CosineAnnealingLR", "eta_min": 0.004 * 0.05, "begin": 150,
                                            "end": 300, "T_max": 150, "by_epoch": True,
                                            "convert_to_iter_based": True}


def test_mmengine_end_to_end():
    mm = _framework("mmengine")
    base = (CONFIGS / "mmengine" / "schedule_1x.py").read_text()
    got = read_config(base, epoch_length=100)
    ref = mm.build("param_scheduler", base_lr=0.02, **got.params)
    s = got.build()
    t = np.arange(1200)
    close(s(t), ref(t))
    assert s.total_steps == 1200
    # the 1x schedule in words: linear warmup over 500 iterations from 0.001×, ×0.1 once epochs 8 and 11 start
    close(s([0, 799, 800, 1099, 1100, 1199]), [0.02 * 0.001, 0.02, 0.002, 0.002, 0.0002, 0.0002])


@pytest.mark.parametrize("text,needle", [
    ("_base_ = ['../_base_/schedules/schedule_1x.py']\nmodel = dict(type='X')\n",
     "takes param_scheduler from its _base_ files ['../_base_/schedules/schedule_1x.py']: paste"),
    ("lr_config = dict(policy='step', step=[8, 11])\noptimizer = dict(type='SGD', lr=0.02)\n", "mmcv 1.x"),
    ("param_scheduler = [dict(type='LinearLR', end=compute_end())]\noptim_wrapper = dict(optimizer=dict(lr=0.1))"
     "\ntrain_cfg = dict(max_iters=10)\n", "param_scheduler[0].end = 'compute_end()' is not a literal"),
    ("param_scheduler = dict(type='LinearLR', by_epoch=False)\noptim_wrapper = dict(optimizer=dict(lr=0.1))\n"
     "train_cfg = dict(type='IterBasedTrainLoop')\n", "train_cfg.max_iters must be a number"),
    ("param_scheduler = 3\noptim_wrapper = dict(optimizer=dict(lr=0.1))\n", "must be a dict or a list of dicts"),
])
def test_mmengine_bad_configs(text, needle):
    with pytest.raises(ValueError) as e:
        read_config(text, "mmengine", epoch_length=10)
    assert needle in str(e.value)


def test_mmengine_auto_scale_lr_and_iter_loop():
    text = ("param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100)]\n"
            "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))\n"
            "train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000)\n"
            "train_dataloader = dict(batch_size=16)\n"
            "auto_scale_lr = dict(enable=True, base_batch_size=64)\n")
    got = read_config(text, world_size=8)
    assert got.base_lr == pytest.approx(1e-3 * 8 * 16 / 64, rel=1e-15)
    assert got.total_steps == 2000 and got.params["epoch_length"] is None


# --- Ultralytics (AGPL-3.0: no file of theirs is copied; the configs below are written here) -----------

def test_ultralytics_translation_and_auto_optimizer():
    hyp = "lr0: 0.01\nlrf: 0.01\nmomentum: 0.937\nwarmup_epochs: 3.0\nwarmup_bias_lr: 0.1\ncos_lr: true\n" \
          "epochs: 50\nbatch: 16\noptimizer: SGD\n"
    assert configs.detect_format(hyp) == "ultralytics"
    with pytest.raises(ValueError, match="missing fact 'batches_per_epoch'"):
        read_config(hyp)
    got = read_config(hyp, batches_per_epoch=200)
    assert (got.library, got.name, got.total_steps) == ("ultralytics", "train", 50 * 200)
    assert got.params == {"epochs": 50, "nb": 200, "lr0": 0.01, "lrf": 0.01, "warmup_epochs": 3.0, "cos_lr": True}
    # optimizer: auto (the default) ignores lr0: AdamW at round(0.01 / (4 + nc), 6) for short runs, else 0.01
    auto = hyp.replace("optimizer: SGD\n", "")
    with pytest.raises(ValueError, match="missing fact 'dataset_size'.*optimizer: auto"):
        read_config(auto, batches_per_epoch=200)
    short = read_config(auto, batches_per_epoch=200, dataset_size=3200, num_classes=80)
    assert short.params["lr0"] == round(0.002 * 5 / 84, 6)  # 50 × ceil(3200 / 64) = 2500 iterations
    long = read_config(auto, batches_per_epoch=200, dataset_size=118287)
    assert long.params["lr0"] == 0.01
    for bad, needle in (("optimizer: Adamm\n", "optimizer must be one of"), ("lrf: -1\n", "lrf must be >= 0"),
                        ("warmup_epoch: 3\n", "did you mean 'warmup_epochs'"), ("time: 2\n", "time is set")):
        with pytest.raises(ValueError) as e:
            read_config(hyp + bad, batches_per_epoch=10)
        assert needle in str(e.value)


def test_ultralytics_end_to_end():
    ul = _framework("ultralytics")
    hyp = "lr0: 0.01\nlrf: 0.1\nwarmup_epochs: 2\ncos_lr: false\nepochs: 5\noptimizer: SGD\n"
    got = read_config(hyp, batches_per_epoch=30)
    t = np.arange(150)
    s = got.build()
    close(s(t), ul.build(got.name, **got.params)(t))
    assert s.total_steps == 150
    # by hand: nw = round(2 · 30) = 60 batches of interp(ni, [0, 60], [0, lr0 · lf(epoch)]); linear lf(e) =
    # (1 - e / 5) · 0.9 + 0.1, held for each epoch's 30 batches
    lf = [(1 - e / 5) * 0.9 + 0.1 for e in range(5)]
    close(s([0, 15, 30, 45, 60, 61, 89, 90, 149]),
          [0.0, 0.01 * lf[0] * 15 / 60, 0.01 * lf[1] * 30 / 60, 0.01 * lf[1] * 45 / 60, 0.01 * lf[2],
           0.01 * lf[2], 0.01 * lf[2], 0.01 * lf[3], 0.01 * lf[4]])


# --- nothing is evaluated; any text gives a schedule or a ValueError -------------------------------------

def test_python_configs_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    cmd = f"touch {marker}"
    text = (f"import os\nos.system({cmd!r})\n"
            f"param_scheduler = [dict(type='LinearLR', end=__import__('os').system({cmd!r}))]\n"
            f"optim_wrapper = dict(optimizer=dict(lr=(lambda: __import__('os').system({cmd!r}))()))\n"
            f"train_cfg = dict(max_iters=[x for x in __import__('os').popen({cmd!r})])\n"
            f"exec({cmd!r})\n")
    with pytest.raises(ValueError, match="is not a literal"):
        from_config(text, "mmengine", epoch_length=10)
    with pytest.raises(ValueError):
        from_config(text)
    yaml_attack = f"!!python/object/apply:os.system [{cmd!r}]\n"
    with pytest.raises(ValueError, match="not valid JSON or YAML|cannot read"):
        from_config(yaml_attack)
    yaml_attack2 = f"lr0: !!python/object/apply:os.system [{cmd!r}]\nlrf: 0.1\n"
    with pytest.raises(ValueError):
        from_config(yaml_attack2, batches_per_epoch=3)
    flags = f"train.py --lr $(touch {marker}) --sched `touch {marker}` --epochs 2"
    with pytest.raises(ValueError):
        from_config(flags, batches_per_epoch=3)
    assert not marker.exists()


def test_yaml_alias_bomb_and_deep_nesting_are_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(ValueError, match="too large|nests deeper|cannot tell"):
        read_config(bomb)
    with pytest.raises(ValueError):
        read_config("[" * 5000 + "]" * 5000)
    with pytest.raises(ValueError):
        read_config("x = " + "(" * 500 + "1" + ")" * 500)
    with pytest.raises(ValueError, match="at most"):
        read_config("a: 1\n" * 300_000)


_KEYS = sorted({"learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio",
                "num_train_epochs", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
                "dataloader_drop_last", "sched", "epochs", "warmup_epochs", "warmup_lr", "lr", "min_lr",
                "decay_epochs", "decay_rate", "SOLVER", "BASE_LR", "STEPS", "MAX_ITER", "WARMUP_ITERS",
                "scheduler", "type", "params", "optimizer", "model", "optim", "name", "trainer", "lr0",
                "lrf", "cos_lr", "warmup_num_steps", "total_num_steps", "_BASE_", "param_scheduler", "max_duration",
                "t_warmup", "alpha_f", "t_max"})


def _values():
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
                        st.text(max_size=12), st.sampled_from(["cosine", "linear", "WarmupLR", "auto", "(1, 2)",
                                                               "1e-3", "${model.x}", "-1", "inf", "nan"]))
    return st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                        st.dictionaries(st.sampled_from(_KEYS), kids, max_size=5)),
                        max_leaves=20)


def _check_only_value_error(text, **facts):
    try:
        s = from_config(text, **facts)
    except ValueError:
        return
    v = s(np.arange(0, 50))
    assert np.all(np.isfinite(v)) and np.all(v >= 0)


@pytest.mark.slow
def test_fuzz_structured_configs():
    """Configs built from the formats' own keys with hostile values: a schedule (finite, >= 0) or ValueError."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    facts = st.fixed_dictionaries({}, optional={
        "dataset_size": st.integers(1, 10**6), "world_size": st.integers(1, 64),
        "epoch_length": st.integers(1, 1000), "batches_per_epoch": st.integers(1, 1000),
        "dataloader_len": st.integers(1, 1000)})

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(_KEYS), _values(), max_size=8), st.sampled_from(["json", "yaml"]),
           st.sampled_from([None, *(f.name for f in configs.formats())]), facts)
    def run(d, syntax, fmt, fx):
        import yaml

        try:
            text = json.dumps(d) if syntax == "json" else yaml.safe_dump(d)
        except (ValueError, TypeError, OverflowError):
            return
        fx = {k: v for k, v in fx.items() if k in {f.name for f in configs.facts(fmt)}} if fmt else {}
        try:
            s = from_config(text, fmt, **fx)
        except ValueError:
            return
        v = s(np.arange(0, 50))
        assert np.all(np.isfinite(v)) and np.all(v >= 0)

    run()


@pytest.mark.slow
def test_fuzz_arbitrary_text_and_flags():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["--lr", "--sched", "cosine", "--epochs", "3", "-b", "--warmup-epochs", "1e9",
                             "--train-iters", "--lr-decay-style", "WSD", "--", "-", "'", '"', "\\", "=", "$X",
                             "X=1", "(", ")", "train.py", "--learning_rate", "nan", "-1", "--max_steps", "{",
                             "}", ":", "---", "#", "\n"])

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.text(max_size=200), st.lists(words, max_size=30).map(" ".join)))
    def run(text):
        _check_only_value_error(text, **{})
        for fmt in ("timm", "megatron", "huggingface"):
            try:
                from_config(text, fmt)
            except ValueError:
                pass

    run()


@pytest.mark.parametrize("text", ["", "   ", "null", "[]", "42", "a", "{}", "--", "x = 1", "SOLVER: 3",
                                  "scheduler: {type: WarmupLR, params: [1]}", "model: {optim: {sched: 1}}",
                                  "--lr 1 --lr 2 train.py", "param_scheduler = []", "SOLVER:\n  STEPS: '(1,'\n"])
def test_odd_inputs_raise_value_error(text):
    with pytest.raises(ValueError):
        from_config(text)


def test_formats_and_facts_are_listed():
    names = [f.name for f in configs.formats()]
    assert names == ["huggingface", "timm", "maskrcnn", "detectron2", "deepspeed", "megatron", "nemo", "mmengine",
                     "ultralytics", "composer"]
    for f in configs.formats():
        assert f.title and f.example and f.source
        assert all(isinstance(x, configs.Fact) and x.help for x in configs.facts(f.name))
        # each format's own example reads as that format (given the facts it asks for)
        assert configs.read_config(f.example, f.name, **{x.name: 100 for x in f.facts if x.name in (
            "dataset_size", "epoch_length", "batches_per_epoch", "dataloader_len")}).format == f.name
    with pytest.raises(ValueError, match="unknown config format 'hf'"):
        configs.facts("hf")
    with pytest.raises(ValueError, match="must be a whole number"):
        from_config(json.dumps({"num_train_epochs": 1}), dataset_size=10.5)
    with pytest.raises(ValueError, match="must be a number"):
        from_config(json.dumps({"num_train_epochs": 1}), dataset_size="10")


# --- the UI box's pure part ----------------------------------------------------------------------------

def test_config_import_box_pure_part():
    from ui import config_import as ci

    assert ci.import_config("") == ci.ImportResult()
    hf_text = json.dumps({"learning_rate": 1e-3, "num_train_epochs": 1, "per_device_train_batch_size": 10})
    assert ci.detected(hf_text, ci.AUTO) == "huggingface" and ci.detected("", ci.AUTO) is None
    missing = ci.import_config(hf_text, ci.AUTO, {"dataset_size": None, "world_size": 1})
    assert missing.curve is None and "missing fact 'dataset_size'" in missing.error
    ok = ci.import_config(hf_text, ci.AUTO, {"dataset_size": 95, "world_size": 1, "epoch_length": 3})
    assert ok.error is None and ok.format == "huggingface" and ok.curve.total_steps == 10
    assert ok.curve == from_config(hf_text, dataset_size=95)
    assert ci.summary(ok)[0].startswith("transformers linear(num_warmup_steps=0, num_training_steps=10) on lr 0.001")
    bad = ci.import_config("SOLVER:\n  BASE_LR: 0.1\n  WARMUP_ITER: 5\n", "maskrcnn")
    assert "WARMUP_ITER" in bad.error
    assert ci.format_names()[0] == ci.AUTO and "timm" in ci.format_names()
    # user text is shown as text: Markdown, links, LaTeX and HTML are escaped
    shown = ci.plain("**bold** [x](javascript:alert(1)) $x^2$ <b>")
    assert "**" not in shown.replace("\\*", "") and "\\[" in shown and "\\$" in shown and "\\<" in shown


def test_config_import_box_renders_and_errors_as_text():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from ui.config_import import config_import_box

        s = config_import_box("t")
        st.session_state["t.result"] = None if s is None else s.total_steps

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    at.text_area(key="t.config.text").set_value('{"learning_rate": 1e-3, "max_steps": 40, "warmup_ste**ps": 1}').run()
    assert not at.exception and at.session_state["t.result"] is None
    assert "warmup\\_ste\\*\\*ps" in at.error[0].value  # escaped: shown literally, not as bold
    at.text_area(key="t.config.text").set_value('{"learning_rate": 1e-3, "max_steps": 40}').run()
    assert not at.error and at.session_state["t.result"] == 40
    at.text_area(key="t.config.text").set_value('{"learning_rate": 1e-3, "num_train_epochs": 2}').run()
    assert "missing fact" in at.error[0].value
    at.number_input(key="t.config.fact.huggingface.dataset_size").set_value(80).run()
    assert not at.error and at.session_state["t.result"] == 20


# --- Composer / LLM Foundry -------------------------------------------------------------------------------

def test_composer_llm_foundry_yamls():
    mpt = (CONFIGS / "composer" / "mpt-125m.yaml").read_text()
    assert configs.detect_format(mpt) == "composer"
    got = read_config(mpt)
    assert (got.name, got.base_lr) == ("CosineAnnealingWithWarmupScheduler", 6e-4)
    assert got.params == {"t_warmup": "100ba", "alpha_f": 0.1, "max_duration": "4800ba", "dataloader_len": None}
    if "composer" in compat.libraries():
        s = got.build()
        # Composer's formula by hand: linear warmup to 100 batches, then alpha_f + (1 - alpha_f)·(1 + cos πx)/2
        close(s([0, 50, 100, 2450, 4800]), [0.0, 3e-4, 6e-4, 6e-4 * (0.1 + 0.9 * 0.5), 6e-5])
        assert s.total_steps == 4800
    dolly = (CONFIGS / "composer" / "mpt-7b_dolly_sft.yaml").read_text()
    with pytest.raises(ValueError, match="missing fact 'dataloader_len'.*epochs"):
        read_config(dolly)
    got = read_config(dolly, dataloader_len=300)
    assert got.name == "LinearWithWarmupScheduler" and got.params["max_duration"] == "2ep"
    if "composer" in compat.libraries():
        s = got.build()
        close(s([0, 25, 50, 325, 600]), [0.0, 2.5e-6, 5e-6, 5e-6 * 0.5, 0.0])
    for bad, needle in (("inv_sqrt_with_warmup", "not modelled"), ("cosine", "scheduler.name must be one of")):
        with pytest.raises(ValueError, match=needle):
            read_config(mpt.replace("name: cosine_with_warmup", f"name: {bad}"))
    with pytest.raises(ValueError, match="unknown key 't_warmpu'"):
        read_config(mpt.replace("t_warmup: 100ba", "t_warmpu: 100ba"))
