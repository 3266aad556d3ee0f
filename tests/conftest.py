"""Shared fixtures. Keep this small: each fixture here is used by more than one test module."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def plans_dir() -> Path:
    """The bundled example plans (plans/*.toml)."""
    return ROOT / "plans"


@pytest.fixture
def test_plans_dir() -> Path:
    """Plans written for the tests: valid-minimal.toml and the broken/ corpus."""
    return ROOT / "tests" / "plans"
