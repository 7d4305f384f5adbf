"""GI-Adam and RI-Adam: Adam whose second moment starts from the gradient at initialisation.

Kalra & Barkeshli (2024, §7; code: github dayal-kalra/why-warmup, ``utils/optim_utils.py`` ``adam_init``
and ``train_resnet_grads_adam.py``) initialise Adam's second-moment estimate with the squared gradient
of one mini-batch at initialisation, ``v_0 = g_0^2``, instead of zero (**GI-Adam**), and keep
everything else as in Adam::

    m_t = b1 m_{t-1} + (1 - b1) g_t          m_hat = m_t / (1 - b1^t)
    v_t = b2 v_{t-1} + (1 - b2) g_t^2        v_hat = v_t / (1 - b2^t)     (bias_correction=True)
    theta_t = theta_{t-1} - lr m_hat / (sqrt(v_hat) + eps)

* ``bias_correction=True`` is what the released code runs: ``v_hat`` is still divided by ``1 - b2^t``
  although ``v`` no longer starts at zero. With a steady gradient ``g``, ``v_t = g^2`` and
  ``v_hat = g^2 / (1 - b2^t)``, so the update is ``lr sqrt(1 - b2^t)`` times Adam's: an **implicit
  warmup** by the factor ``sqrt(1 - b2^t)`` (:func:`implicit_warmup`). At ``b2 = 0.999`` the factor is
  0.032 at step 1, 0.5 at step 288 and 0.9 at step 1660.
* ``bias_correction=False`` uses ``v_hat = v_t``: the first update is then ``lr g / (|g| + eps)``, as
  large as Adam's own first update; only the later ones are damped.
* **RI-Adam** (``v_init="random"``) starts from a random vector with ``g_0``'s norm, squared: the
  paper's control, which shows the *magnitude* of ``v_0`` matters, not its direction.

``v_0`` comes from the gradient the optimizer sees first unless :meth:`GIAdam.initialize` is given
one (the paper's code draws a separate mini-batch for it before training).
"""

from __future__ import annotations

import numpy as np
import torch

V_INIT = ("grad", "random")


def implicit_warmup(t, beta2: float = 0.999) -> np.ndarray:
    """``sqrt(1 - beta2^t)`` for updates ``t = 1, 2, ...``: GI-Adam's update over Adam's, steady gradient."""
    t = np.asarray(t, dtype=np.float64)
    return np.sqrt(1.0 - np.power(beta2, t))


class GIAdam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, bias_correction=True,
                 v_init="grad", seed=98):
        if lr < 0 or eps < 0 or not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"invalid GI-Adam hyper-parameters: lr={lr}, betas={betas}, eps={eps}")
        if v_init not in V_INIT:
            raise ValueError(f"parameter 'v_init' must be one of {V_INIT}, got {v_init!r}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "bias_correction": bool(bias_correction)})
        self.v_init, self.seed = v_init, seed

    @torch.no_grad()
    def initialize(self, grads=None):
        """Set ``v_0`` from ``grads`` (one tensor per parameter, in order; default: each ``p.grad``)."""
        params = [p for g in self.param_groups for p in g["params"]]
        grads = [p.grad for p in params] if grads is None else list(grads)
        if self.v_init == "random":  # a random direction with g_0's norm (the paper's key 98)
            gen = torch.Generator().manual_seed(self.seed)
            r = [torch.randn(g.shape, generator=gen, dtype=g.dtype) for g in grads]
            scale = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)) / torch.sqrt(
                sum((x.double() ** 2).sum() for x in r))
            grads = [x * scale.to(x.dtype) for x in r]
        for p, g in zip(params, grads):
            self.state[p].update(step=0, m=torch.zeros_like(p), v=(g.detach() ** 2).to(p))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if any(not self.state[p] for g in self.param_groups for p in g["params"] if p.grad is not None):
            self.initialize([p.grad if p.grad is not None else torch.zeros_like(p)
                             for g in self.param_groups for p in g["params"]])
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"]:
                    g = g.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                state["step"] += 1
                m, v, t = state["m"], state["v"], state["step"]
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                m_hat = m / (1 - b1**t)
                v_hat = v / (1 - b2**t) if group["bias_correction"] else v
                p.addcdiv_(m_hat, v_hat.sqrt().add_(group["eps"]), value=-group["lr"])
        return loss
