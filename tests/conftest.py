"""Shared test configuration: hypothesis profiles sized for a suite that stays fast, and
the ``torch`` fixture (PyTorch, the independent oracle of the optional ``oracle`` extra)."""

import os

import pytest
from hypothesis import HealthCheck, settings

TORCH_MISSING = ("PyTorch (the independent oracle) is not installed: "
                 "python -m pip install -e '.[test,oracle]' (the README says how to get the "
                 "CPU-only wheel)")


@pytest.fixture
def torch():
    """The ``torch`` module; the test is skipped, saying why, when it is not installed."""
    return pytest.importorskip("torch", reason=TORCH_MISSING)


settings.register_profile(
    "default", max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", max_examples=1000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("SYMCONV_HYPOTHESIS_PROFILE", "default"))
