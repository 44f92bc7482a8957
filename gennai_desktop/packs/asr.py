"""Signed speech-model packs (kind ``asr``): placeholder until the pack kind lands."""
from __future__ import annotations

from ..asr.model import AsrModel


def installed_asr_models() -> list[AsrModel]:
    return []
