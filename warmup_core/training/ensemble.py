"""Many small fully connected networks trained at once, for the warmup-science experiments.

Kalra & Barkeshli (2024) study warmup on fully connected nets (FCNs) trained with MSE on image data,
in standard parameterisation (SP) and in μP, with the target lr set as a multiple of ``2 / lambda_0``.
This module is that setting at CPU scale: scikit-learn's 8×8 digits (shipped with scikit-learn, no
download), the paper's two FCNs written out functionally, and a trainer that runs a whole grid of
runs (learning rates × warmups × seeds × optimizer variants) as one ``torch.func.vmap`` ensemble.

Conventions follow the paper's code (github dayal-kalra/why-warmup, ``utils/model_utils.py``,
``utils/loss_utils.py``, ``utils/data_utils.py``, ``utils/optim_utils.py``):

* inputs standardised per sample (and divided by ``sqrt(d_in)`` in μP); one-hot targets for MSE;
  MSE is ``0.5 * mean((f - y)^2)`` over examples *and* outputs;
* SP: He init ``N(0, 2 / fan_in)`` for hidden layers, ``N(0, 1 / fan_in)`` for the readout;
* μP: hidden layers ``N(0, 2 / fan_out)`` times ``sqrt(fan_out / fan_in)``; readout ``N(0, 1 / fan_in)``
  times ``sqrt(1 / fan_in)``; zero biases (the paper draws truncated normals; we draw plain normals);
* Adam as in ``adam_init``: ``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 - b2^t)``, update
  ``-lr m_hat / (sqrt(v_hat) + eps)``, with ``v_0`` zero (Adam), ``g_0^2`` (GI-Adam) or a random vector
  with ``g_0``'s norm, squared (RI-Adam); ``bias_correction=False`` drops the ``1 - b2^t`` division.
"""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from torch.func import functional_call, grad, grad_and_value, vjp, vmap  # noqa: F401  (functional_call: docs)

V_INIT = ("zero", "grad", "random")


@dataclass(frozen=True)
class Data:
    x: torch.Tensor
    y: torch.Tensor  # one-hot (MSE) or class ids (cross-entropy)
    x_eval: torch.Tensor
    y_eval: torch.Tensor
    loss: str = "mse"


@lru_cache(maxsize=8)
def digits(n_train: int = 512, n_eval: int = 512, loss: str = "mse", param: str = "sp") -> Data:
    """A fixed subset of scikit-learn's digits (the split does not depend on the run seed)."""
    from sklearn.datasets import load_digits

    if loss not in ("mse", "xent"):
        raise ValueError(f"parameter 'loss' must be 'mse' or 'xent', got {loss!r}")
    d = load_digits()
    x = torch.tensor(d.data, dtype=torch.float32)
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    x, y = x[perm], y[perm]
    x = (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True, unbiased=False)
    if param == "mup":
        x = x / math.sqrt(x.shape[1])
    if loss == "mse":
        y = torch.nn.functional.one_hot(y, 10).float()
    n_train = min(n_train, len(x) - 1)
    n_eval = min(n_eval, len(x) - n_train)
    return Data(x[:n_train], y[:n_train], x[n_train:n_train + n_eval], y[n_train:n_train + n_eval], loss)


# --- one thread -----------------------------------------------------------------------------------------

_threads_lock = threading.Lock()
_threads_depth = 0
_threads_saved = 1


@contextmanager
def single_threaded():
    """Run torch on one intra-op thread inside the block (nested and concurrent blocks are counted).

    These FCNs are too small for intra-op parallelism to pay: on the 2-core machine, shared with other work,
    a second thread made the lr x warmup map 7x slower (69 s against 9 s wall) and the regimes run 12x slower,
    because the threads wait on each other. Usable as a decorator.
    """
    global _threads_depth, _threads_saved
    with _threads_lock:
        if _threads_depth == 0:
            _threads_saved = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_depth += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_depth -= 1
            if _threads_depth == 0:
                torch.set_num_threads(_threads_saved)


# --- the FCNs ------------------------------------------------------------------------------------------

def init_fcn(seed: int, d_in: int, width: int, depth: int, d_out: int = 10, param: str = "sp") -> dict:
    """Initial weights of a ``depth``-layer FCN (``depth - 1`` hidden layers of ``width``)."""
    if param not in ("sp", "mup"):
        raise ValueError(f"parameter 'param' must be 'sp' or 'mup', got {param!r}")
    g = torch.Generator().manual_seed(int(seed))
    dims = [d_in] + [width] * (depth - 1) + [d_out]
    out = {}
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        last = i == depth - 1
        if param == "sp":
            var = (1.0 if last else 2.0) / a
        else:
            var = 1.0 / a if last else 2.0 / b
        out[f"w{i}"] = torch.randn(b, a, generator=g) * math.sqrt(var)
        out[f"b{i}"] = torch.zeros(b)
    return out


def fcn_forward(params: dict, x: torch.Tensor, param: str = "sp") -> torch.Tensor:
    depth = len(params) // 2
    h = x
    for i in range(depth):
        w, b = params[f"w{i}"], params[f"b{i}"]
        h = h @ w.T + b
        if param == "mup":
            fan_out, fan_in = w.shape
            h = h * (math.sqrt(1.0 / fan_in) if i == depth - 1 else math.sqrt(fan_out / fan_in))
        if i < depth - 1:
            h = torch.relu(h)
    return h


def loss_fn(out: torch.Tensor, y: torch.Tensor, kind: str) -> torch.Tensor:
    if kind == "mse":
        return 0.5 * ((out - y) ** 2).mean()
    return torch.nn.functional.cross_entropy(out, y)


# --- the ensemble trainer ------------------------------------------------------------------------------

@dataclass
class Member:
    """One run of the ensemble: its init seed and its lr for every step (the schedule, evaluated)."""

    seed: int
    lr: np.ndarray
    v_init: str = "zero"  # Adam only: zero | grad (GI-Adam) | random (RI-Adam)
    bias_correction: bool = True  # Adam only: divide v by 1 - b2^t
    label: str = ""


@dataclass
class EnsembleResult:
    loss: np.ndarray  # (members, steps) training loss before each update; NaN after divergence
    eval_loss: np.ndarray  # (members,) held-out loss at the end; inf if diverged
    eval_acc: np.ndarray
    diverged_at: np.ndarray  # (members,) first step that blew up, -1 if never
    lr: np.ndarray  # (members, steps) the lr actually applied (0 after divergence)
    sharpness: np.ndarray | None = None  # (members, k) at ``sharp_steps``
    sharp_steps: list = field(default_factory=list)
    update_ratio: np.ndarray | None = None  # (members, layers, steps) ||dW|| / ||W|| per weight matrix
    lambda0: np.ndarray | None = None  # (members,) sharpness at initialisation
    seconds: float = 0.0

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0


def stack(trees: list[dict]) -> dict:
    return {k: torch.stack([t[k] for t in trees]) for k in trees[0]}


def _loss_of(data_kind, param):
    def f(p, x, y):
        return loss_fn(fcn_forward(p, x, param), y, data_kind)
    return f


def sharpness(params: dict, x, y, kind: str, param: str, iters: int = 20, seed: int = 0) -> torch.Tensor:
    """Top Hessian eigenvalue of every member at once (power iteration on Hessian-vector products).

    The product is reverse-over-reverse, ``H v = d(grad . v)/dp`` (the Hessian is symmetric): on a CPU it
    costs about a third of forward-over-reverse for these FCNs, which is what makes a sharpness log
    every few steps affordable on the Learn page.
    """
    f = _loss_of(kind, param)

    def hvp(p, v):
        return vjp(lambda q: grad(f)(q, x, y), p)[1](v)[0]

    hv = vmap(hvp)
    g = torch.Generator().manual_seed(seed)
    v = {k: torch.randn(t.shape, generator=g) for k, t in params.items()}
    lam = None
    for _ in range(iters):
        norm = torch.sqrt(sum((t.reshape(t.shape[0], -1) ** 2).sum(1) for t in v.values()))
        v = {k: t / norm.view(-1, *([1] * (t.dim() - 1))) for k, t in v.items()}
        h = hv(params, v)
        lam = sum((h[k] * v[k]).reshape(v[k].shape[0], -1).sum(1) for k in v)
        v = {k: t.detach() for k, t in h.items()}
    return lam.detach()


def init_members(members: list[Member], data: Data, width: int, depth: int, param: str) -> dict:
    d_out = data.y.shape[1] if data.loss == "mse" else int(data.y.max()) + 1
    return stack([init_fcn(m.seed, data.x.shape[1], width, depth, d_out, param) for m in members])


@single_threaded()
def train(members: list[Member], data: Data, width: int = 128, depth: int = 3, param: str = "sp",
          optimizer: str = "sgd", momentum: float = 0.0, betas=(0.9, 0.999), eps: float = 1e-8,
          batch_size: int | None = None, blowup: float = 1e3, sharpness_every: int = 0, sharpness_iters: int = 20,
          record_updates: bool = False, batch_seed: int = 0) -> EnsembleResult:
    """Train every member for ``len(member.lr)`` steps (all equal); full-batch GD when ``batch_size`` is None.

    A member whose loss becomes NaN/inf or exceeds ``blowup`` times its first loss is stopped there
    (``diverged_at``); the rest go on. Mini-batches (if any) are the same for every member.
    """
    import time

    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"parameter 'optimizer' must be 'sgd' or 'adam', got {optimizer!r}")
    t0 = time.perf_counter()
    n, steps = len(members), len(members[0].lr)
    if any(len(m.lr) != steps for m in members):
        raise ValueError("every member needs an lr for the same number of steps")
    params = init_members(members, data, width, depth, param)
    names = list(params)
    lr = torch.tensor(np.stack([m.lr for m in members]), dtype=torch.float32)
    f = _loss_of(data.loss, param)
    step_fn = vmap(grad_and_value(f), in_dims=(0, None, None))
    gen = torch.Generator().manual_seed(batch_seed)

    def draw():
        if batch_size is None or batch_size >= len(data.x):
            return data.x, data.y
        idx = torch.randint(0, len(data.x), (batch_size,), generator=gen)
        return data.x[idx], data.y[idx]

    b1, b2 = betas
    m_buf = {k: torch.zeros_like(v) for k, v in params.items()}
    v_buf = {k: torch.zeros_like(v) for k, v in params.items()}
    if optimizer == "adam":
        modes = [m.v_init for m in members]
        if any(mo not in V_INIT for mo in modes):
            raise ValueError(f"v_init must be one of {V_INIT}, got {modes}")
        if any(mo != "zero" for mo in modes):  # v_0 from one mini-batch at initialisation (the paper's code)
            x0, y0 = draw()
            g0, _ = step_fn(params, x0, y0)
            flat = torch.cat([g0[k].reshape(n, -1) for k in names], 1)
            rg = torch.Generator().manual_seed(98)  # the paper's key for RI-Adam
            r = torch.randn(flat.shape[1], generator=rg).expand(n, -1)
            r = r * flat.norm(dim=1, keepdim=True) / r.norm(dim=1, keepdim=True)
            i = 0
            for k in names:
                size = params[k][0].numel()
                rk = r[:, i:i + size].reshape(params[k].shape)
                i += size
                for j, mo in enumerate(modes):
                    if mo == "grad":
                        v_buf[k][j] = g0[k][j] ** 2
                    elif mo == "random":
                        v_buf[k][j] = rk[j] ** 2
        bc = torch.tensor([1.0 if m.bias_correction else 0.0 for m in members])
    alive = torch.ones(n, dtype=torch.bool)
    losses = np.full((n, steps), np.nan)
    div = np.full(n, -1)
    first = None
    sharp, sharp_steps, lam0 = [], [], None
    ratios = np.full((n, depth, steps), np.nan) if record_updates else None
    xs, ys = (data.x, data.y) if batch_size is None else (data.x[:256], data.y[:256])
    if sharpness_every:
        lam0 = sharpness(params, xs, ys, data.loss, param, sharpness_iters).numpy()
    for t in range(steps):
        x, y = draw()
        grads, loss = step_fn(params, x, y)
        loss = loss.detach()
        first = loss.clone() if first is None else first
        bad = alive & (~torch.isfinite(loss) | (loss > blowup * first.clamp_min(1e-12)))
        div[bad.numpy()] = t
        alive &= ~bad
        losses[alive.numpy(), t] = loss[alive].double().numpy()
        with torch.no_grad():
            a = torch.where(alive, lr[:, t], torch.zeros_like(lr[:, t]))
            for k in names:
                g = torch.nan_to_num(grads[k], nan=0.0, posinf=0.0, neginf=0.0)
                shape = (-1,) + (1,) * (g.dim() - 1)
                if optimizer == "sgd":
                    m_buf[k] = g if t == 0 or momentum == 0 else momentum * m_buf[k] + g
                    upd = m_buf[k]
                else:
                    m_buf[k] = b1 * m_buf[k] + (1 - b1) * g
                    v_buf[k] = b2 * v_buf[k] + (1 - b2) * g * g
                    m_hat = m_buf[k] / (1 - b1 ** (t + 1))
                    corr = bc * (1 - b2 ** (t + 1)) + (1 - bc)  # 1 - b2^t, or 1 without bias correction
                    v_hat = v_buf[k] / corr.view(shape)
                    upd = m_hat / (v_hat.sqrt() + eps)
                step = a.view(shape) * upd
                if ratios is not None and k.startswith("w"):
                    layer = int(k[1:])
                    ratios[:, layer, t] = (step.reshape(n, -1).norm(dim=1)
                                           / params[k].reshape(n, -1).norm(dim=1).clamp_min(1e-12)).numpy()
                params[k] = params[k] - step
        if sharpness_every and (t % sharpness_every == sharpness_every - 1 or t == steps - 1):
            sharp.append(sharpness(params, xs, ys, data.loss, param, sharpness_iters).numpy())
            sharp_steps.append(t + 1)
    with torch.no_grad():
        out = vmap(lambda p: fcn_forward(p, data.x_eval, param))(params)
        ev = vmap(lambda o: loss_fn(o, data.y_eval, data.loss))(out)
        labels = data.y_eval.argmax(1) if data.loss == "mse" else data.y_eval
        acc = (out.argmax(-1) == labels).float().mean(1)
    ev = torch.where(alive & torch.isfinite(ev), ev, torch.full_like(ev, math.inf))
    applied = lr.numpy().astype(np.float64).copy()
    for i, d in enumerate(div):
        if d >= 0:
            applied[i, d:] = 0.0
    return EnsembleResult(losses, ev.double().numpy(), acc.double().numpy(), div, applied,
                          np.stack(sharp, 1) if sharp else None, sharp_steps, ratios, lam0,
                          time.perf_counter() - t0)


@single_threaded()
def initial_sharpness(seeds, data: Data, width: int, depth: int, param: str = "sp", iters: int = 50) -> np.ndarray:
    """lambda_0 of each seed's initial weights, on the full training set (the paper's 2/lambda_0 unit)."""
    ms = [Member(s, np.zeros(1)) for s in seeds]
    params = init_members(ms, data, width, depth, param)
    return sharpness(params, data.x, data.y, data.loss, param, iters).numpy()
