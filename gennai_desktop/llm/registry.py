"""Which models exist on this machine and which one is active.

Sources: installed, verified model packs (gennai_desktop.packs) and the bundled
development default. Policy from ministry IT decides what may be activated.
(Initial version: bundled default only; the packs work extends it.)
"""
from __future__ import annotations

from ..core.settings import Settings
from .base import ModelSpec


def available_specs(settings: Settings | None = None) -> list[ModelSpec]:
    from .bundled import bundled_model_spec
    return [bundled_model_spec()]


def active_spec(settings: Settings | None = None) -> ModelSpec:
    specs = available_specs(settings)
    wanted = settings.active_model if settings else ""
    for s in specs:
        if s.id == wanted:
            return s
    return specs[0]
