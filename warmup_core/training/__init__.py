"""Short training runs that show what a schedule does (the only part of warmup_core that needs torch)."""

from .engine import OPTIMIZERS, STATUSES, RunConfig, RunResult, train
from .tasks import TASKS, task

__all__ = ["OPTIMIZERS", "STATUSES", "TASKS", "RunConfig", "RunResult", "task", "train"]
