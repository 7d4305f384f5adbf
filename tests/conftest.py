"""Test configuration: reference libraries run in float64 where they can (optax under
JAX_ENABLE_X64), Keras on the JAX backend (its own float32 arithmetic)."""

import os

os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
