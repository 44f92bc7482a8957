"""Test helper: drain a task generator (the product's one drain, under the name tests use)."""
from __future__ import annotations

from gennai_desktop.core.events import drain as run_to_result

__all__ = ["run_to_result"]
