"""The training loop: one run of a task under one schedule, with the metrics a teacher needs.

Every logged step records the lr the optimizer actually applied (read back from it), the train
loss, gradient and update norms and wall time; eval loss and accuracy at intervals. A NaN/inf loss,
or one that blows up past ``blowup`` times the first, stops the run at once as ``diverged``.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields

import torch

from ..schedule import Curve, Schedule, from_dict
from ..torch_adapter import attach
from . import sharpness
from .device import pick_device
from .tasks import TaskData, batch, check_options, loss_and_correct, task

SGD_SHORTCUT = True  # update norm of SGD from its momentum buffer (tests compare it with the copy)
STATUSES = ("queued", "running", "finished", "diverged", "cancelled", "failed", "interrupted")
OPTIMIZERS = ("sgd", "adam", "adamw", "gi-adam")


@dataclass
class RunConfig:
    """Everything that determines a run; ``to_json`` is its record and reproduces it.

    ``schedule`` is the immutable :class:`~warmup_core.schedule.Schedule` (or any ``Curve``); a dict
    given at an edge (JSON, a caller's ``to_dict()``) is parsed once, here."""

    task: str = "mlp"
    schedule: Curve = field(default_factory=lambda: Schedule(0.05, total_steps=300))
    optimizer: str = "sgd"
    steps: int = 300
    batch_size: int = 64
    seed: int = 0
    momentum: float = 0.9
    weight_decay: float = 0.0
    betas: tuple = (0.9, 0.999)
    device: str = "auto"
    eval_every: int = 50
    log_every: int = 0  # 0: about 100 points per run
    blowup: float = 20.0
    amp: bool = False
    compile: bool = False
    sharpness_every: int = 0  # 0: off; the interval is fixed before the run (sharpness.plan: 10 to 300 measurements)
    sharpness_iters: int = 20
    options: dict = field(default_factory=dict)
    name: str = ""

    def __post_init__(self):
        if isinstance(self.schedule, Mapping):
            self.schedule = from_dict(self.schedule)  # raises ValueError naming what is wrong

    def validate(self) -> RunConfig:
        task(self.task)
        if not isinstance(self.options, dict):
            raise ValueError(f"parameter 'options' must be a mapping, got {self.options!r}")
        check_options(self.task, self.options)
        if not isinstance(self.schedule, Curve):
            raise ValueError(f"parameter 'schedule' must be a Schedule, got {type(self.schedule).__name__}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid optimizers are {list(OPTIMIZERS)}")
        for name, lo, hi in (("steps", 1, 1_000_000), ("batch_size", 1, 65_536), ("eval_every", 1, 1_000_000),
                             ("seed", 0, 2**31 - 1), ("log_every", 0, 1_000_000), ("sharpness_every", 0, 1_000_000),
                             ("sharpness_iters", 1, 1000)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise ValueError(f"parameter {name!r} must be an integer in [{lo}, {hi}], got {v!r}")
        if not (isinstance(self.blowup, (int, float)) and self.blowup > 1):
            raise ValueError(f"parameter 'blowup' must be > 1, got {self.blowup!r}")
        if self.device not in ("auto", "cpu", "cuda", "mps"):
            raise ValueError(f"unknown device {self.device!r}; valid devices are ['auto', 'cpu', 'cuda', 'mps']")
        return self

    def curve(self) -> Curve:
        return self.schedule

    def to_json(self) -> str:
        record = {f.name: getattr(self, f.name) for f in fields(self)}
        return json.dumps({**record, "schedule": self.schedule.to_dict()}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        d = json.loads(text)
        d["betas"] = tuple(d.get("betas", (0.9, 0.999)))
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})  # a backend's own keys (e.g. "cell") stay out


@dataclass
class RunResult:
    status: str
    steps_done: int
    final_loss: float | None
    message: str = ""
    device: str = "cpu"


def make_optimizer(cfg: RunConfig, params, lr: float):
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=cfg.betas, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "gi-adam":
        from .gi_adam import GIAdam
        return GIAdam(params, lr=lr, betas=cfg.betas, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=lr, betas=cfg.betas, weight_decay=cfg.weight_decay)


def build(cfg: RunConfig, device: torch.device, data: TaskData | None = None):
    """Data, model (seeded: the same initial weights for every schedule) and the batch generator."""
    t = task(cfg.task)
    opts = {**t.options, **cfg.options}
    data = data if data is not None else t.load(opts)
    torch.manual_seed(cfg.seed)
    model = t.model(data, opts).to(device)
    gen = torch.Generator().manual_seed(cfg.seed + 1)  # batch order: the same for every schedule
    return data, model, gen, opts


@torch.no_grad()
def evaluate(model, data: TaskData, device, opts, max_items=2048):
    model.eval()
    if data.sequence:
        ctx = int(opts.get("context", 64))
        n = min(len(data.x_eval) - ctx - 1, max_items * 8)
        starts = torch.arange(0, n, ctx)[:64]
        offs = torch.arange(ctx)
        x, y = data.x_eval[starts[:, None] + offs], data.x_eval[starts[:, None] + offs + 1]
    else:
        x, y = data.x_eval[:max_items], data.y_eval[:max_items]
    loss, correct = loss_and_correct(model, x.to(device), y.to(device), data)
    model.train()
    return float(loss), (None if correct is None else float(correct))


def _norm(tensors) -> float:
    tensors = [t for t in tensors if t is not None]
    if not tensors:
        return 0.0
    return float(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(tensors))))


def train(cfg: RunConfig, on_log: Callable[[dict], None] = lambda row: None,
          should_stop: Callable[[], bool] = lambda: False, data: TaskData | None = None) -> RunResult:
    """Run ``cfg``; call ``on_log(row)`` for every logged step. Never raises for a diverging run."""
    steps = run_steps(cfg, on_log, should_stop, data)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def train_together(cfgs: list[RunConfig], on_logs: list[Callable[[dict], None]],
                   should_stops: list[Callable[[], bool]], on_end: Callable[[int, RunResult | Exception], None]):
    """Run several configs in lock step (one update of each in turn), so their curves advance together.

    ``on_end(i, result_or_exception)`` is called as each run ends; a run that raises ends alone."""
    live = {}
    for i, cfg in enumerate(cfgs):
        live[i] = run_steps(cfg, on_logs[i], should_stops[i])
    while live:
        for i in list(live):
            try:
                next(live[i])
            except StopIteration as done:
                del live[i]
                on_end(i, done.value)
            except Exception as e:  # noqa: BLE001 - a bad task or file: that run fails, the others go on
                del live[i]
                on_end(i, e)


def run_steps(cfg: RunConfig, on_log: Callable[[dict], None] = lambda row: None,
              should_stop: Callable[[], bool] = lambda: False,
              data: TaskData | None = None) -> Iterator[None]:
    """The training loop as a generator: yields after every update, returns the :class:`RunResult`."""
    cfg.validate()
    device = pick_device(cfg.device)
    schedule = cfg.schedule
    data, model, gen, opts = build(cfg, device, data)
    opt = make_optimizer(cfg, model.parameters(), schedule.base_lr)
    sched = attach(opt, schedule)
    step_fn = model
    if cfg.compile:
        try:
            step_fn = torch.compile(model)
        except Exception as e:  # no compiler, unsupported platform: the plain model trains the same
            on_log({"step": 0, "note": f"torch.compile unavailable ({type(e).__name__}); running eagerly"})
    autocast = (torch.autocast(device.type, dtype=torch.bfloat16) if cfg.amp and device.type in ("cuda", "cpu")
                else contextlib.nullcontext())
    log_every = cfg.log_every or max(1, cfg.steps // 100)
    ctx = int(opts.get("context", 64))
    params = [p for p in model.parameters() if p.requires_grad]
    sgd_shortcut = SGD_SHORTCUT and cfg.optimizer == "sgd" and cfg.momentum > 0 and not opt.param_groups[0].get(
        "nesterov")
    first_loss, loss_value, t0 = None, None, time.perf_counter()
    # the measuring interval is fixed before the run (sharpness.plan) and kept in every sharpness row
    sharp_every, sharp_note = sharpness.plan(cfg.steps, cfg.sharpness_every)
    sharp_batch = None
    if sharp_note:
        on_log({"step": 0, "note": sharp_note})
    if sharp_every:
        fixed = torch.Generator().manual_seed(cfg.seed + 2)
        sx, sy = batch(data, fixed, min(cfg.batch_size, 256), ctx)
        sharp_batch = (sx.to(device), sy.to(device))
    model.train()
    yield  # set up: data, model and optimizer are ready
    for step in range(cfg.steps):
        if should_stop():
            return RunResult("cancelled", step, loss_value, "cancelled by the user", str(device))
        x, y = batch(data, gen, cfg.batch_size, ctx)
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        applied_lr = opt.param_groups[0]["lr"]
        log = step % log_every == 0 or step == cfg.steps - 1
        with autocast:
            loss, correct = loss_and_correct(step_fn, x, y, data)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        loss_value = float(loss.detach())
        if first_loss is None:
            first_loss = loss_value
        if not math.isfinite(loss_value) or loss_value > cfg.blowup * max(first_loss, 1e-12):
            why = "the loss became NaN/inf" if not math.isfinite(loss_value) else \
                f"the loss blew up to {loss_value:.3g} (over {cfg.blowup:g}× its first value)"
            on_log({"step": step, "lr": applied_lr, "loss": loss_value if math.isfinite(loss_value) else None,
                    "wall": time.perf_counter() - t0})
            return RunResult("diverged", step, loss_value, f"diverged at step {step}: {why}", str(device))
        row = None
        if log:
            # SGD moves every parameter by exactly lr * momentum_buffer, so its update norm needs no copy
            before = None if sgd_shortcut else [p.detach().clone() for p in params]
            row = {"step": step, "lr": applied_lr, "loss": loss_value, "grad_norm": _norm([p.grad for p in params])}
        opt.step()
        sched.step()
        if sharp_every and (step % sharp_every == 0 or step == cfg.steps - 1):
            lam, secs = sharpness.measure(model, lambda: loss_and_correct(model, *sharp_batch, data)[0], opt,
                                          cfg.optimizer, cfg.sharpness_iters)
            if row is None:
                row = {"step": step, "lr": applied_lr, "loss": loss_value}
                log, before = True, None
            beta = cfg.momentum if cfg.optimizer == "sgd" else cfg.betas[0]
            row.update(sharpness=lam, sharp_limit=sharpness.threshold(cfg.optimizer, applied_lr, beta),
                       sharp_seconds=secs, sharp_every=sharp_every)
        if log:
            if before is not None:
                torch._foreach_sub_(before, [p.detach() for p in params])  # before - after, in place
                row["update_norm"] = _norm(before)
            elif sgd_shortcut and "update_norm" not in row:
                row["update_norm"] = applied_lr * _norm([opt.state[p].get("momentum_buffer") for p in params])
            if step % cfg.eval_every == 0 or step == cfg.steps - 1:
                row["eval_loss"], row["eval_acc"] = evaluate(model, data, device, opts)
            row["wall"] = time.perf_counter() - t0
            on_log(row)
        yield
    return RunResult("finished", cfg.steps, loss_value, "", str(device))
