"""warmup_core: learning-rate warmup and decay schedules as pure, vectorised numpy functions.

>>> from warmup_core import Schedule, Warmup, Decay
>>> s = Schedule(0.1, Warmup("linear", steps=500, factor=1/3), Decay("multistep", milestones=[30000]),
...              convention="multiply", total_steps=40000)
>>> round(s(0), 6), s(500), round(s(30000), 6)
(0.033333, 0.1, 0.01)
"""

from .pairs import as_warmup_decay
from .registry import CONVENTIONS, DECAYS, WARMUPS
from .schedule import Curve, Decay, Join, LRSchedule, Product, Schedule, Warmup, WarmupDecay, from_dict, from_json

__all__ = ["CONVENTIONS", "DECAYS", "WARMUPS", "Curve", "Decay", "Join", "LRSchedule", "Product", "Schedule",
           "Warmup", "WarmupDecay", "as_warmup_decay", "from_dict", "from_json"]
