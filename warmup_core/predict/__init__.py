"""Predict what a schedule does to the loss: the multi-power law, fitted or published; a convex bound
that ranks schedules; the AdamW lens; a schedule optimiser. Pure numpy/scipy (no Streamlit, no torch).

>>> from warmup_core import predict
>>> sorted(predict.PUBLISHED["400M"])
['A', 'B', 'C', 'L0', 'alpha', 'beta', 'gamma']
"""

from . import runs
from .adamw import AdamWLens, adamw_lens
from .bound import bound_over_run, convex_bound, optimal_base_lr
from .data import PUBLISHED, PUBLISHED_MAE, SIZES
from .domain import Domain
from .fit import FittedParams, fit_multi_power_law, hold_one_out
from .law import KEYS, Prediction, multi_power_law, predict_loss
from .optimise import Optimised, optimise_schedule

__all__ = [
    "runs", "AdamWLens", "adamw_lens", "bound_over_run", "convex_bound", "optimal_base_lr", "KEYS", "PUBLISHED",
    "PUBLISHED_MAE", "SIZES", "Domain", "FittedParams", "Prediction", "fit_multi_power_law", "hold_one_out",
    "multi_power_law", "Optimised", "optimise_schedule", "predict_loss"
]
