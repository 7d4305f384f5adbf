"""GI-Adam: Adam whose second-moment estimate starts from the first gradient instead of zero.

Kalra & Barkeshli (2024) show that initialising ``v_0 = g_0^2`` removes the large first updates of
Adam (the reason Adam "needs" warmup in the first place). Bias correction of ``v`` is then dropped,
since ``v`` no longer starts at zero; ``m`` keeps Adam's usual zero start and bias correction.
"""

from __future__ import annotations

import torch


class GIAdam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        if lr < 0 or eps < 0 or not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"invalid GI-Adam hyper-parameters: lr={lr}, betas={betas}, eps={eps}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"]:
                    g = g.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = g * g  # the gradient-initialised second moment
                state["step"] += 1
                m, v, t = state["m"], state["v"], state["step"]
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                m_hat = m / (1 - b1**t)
                p.addcdiv_(m_hat, v.sqrt().add_(group["eps"]), value=-group["lr"])
        return loss
