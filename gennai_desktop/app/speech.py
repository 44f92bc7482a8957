"""Which speech model transcribes: an installed, verified ``asr`` pack, else the bundled
Whisper base. One place for the CLI, the UI and the doctor (like app.models for LLMs).

A pack is used when the settings name it (``asr_model``) or, with no choice made, when
exactly one asr pack is installed; its manifest pins every file, which is checked before
the child starts (``AsrModel.check``).
"""
from __future__ import annotations

from ..asr.model import AsrModel, ensure_base_model
from ..core.settings import load_settings
from ..packs.asr import installed_asr_models


def asr_models() -> list[AsrModel]:
    """Installed asr packs (verified manifests; files checked when used)."""
    return installed_asr_models()


def active_asr_model(model_id: str | None = None) -> AsrModel:
    """The model ``model_id`` names, else the settings' choice, else the only pack, else the base."""
    wanted = model_id or getattr(load_settings(), "asr_model", "") or ""
    packs = asr_models()
    if wanted:
        for m in packs:
            if m.id == wanted:
                return m
    elif len(packs) == 1:
        return packs[0]
    return ensure_base_model()
