"""Which speech model transcribes: an installed, verified ``asr`` pack, else the bundled
Whisper base. One place for the CLI, the UI and the doctor (like app.models for LLMs).

A pack is used when the settings name it (``asr_model``) or, with no choice made, when
exactly one asr pack is installed; its manifest pins every file, which is checked before
the child starts (``AsrModel.check``).
"""
from __future__ import annotations

import importlib.metadata
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from ..asr.model import AsrModel, ensure_base_model
from ..asr.runner import iter_asr
from ..core.errors import GennaiError
from ..core.i18n import get_language
from ..core.settings import load_settings
from ..packs.asr import installed_asr_models
from ..packs.policy import current_policy


def asr_models() -> list[AsrModel]:
    """Installed asr packs that policy allows (verified manifests; files checked when used)."""
    try:
        policy = current_policy()
        allowed = policy.allowed
    except Exception:  # noqa: BLE001 - no readable policy: fail closed, only the bundled base
        return []
    return installed_asr_models(allowed)


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


PROBE_SECONDS = 10.0
PROBE_TOKENS = 24


def asr_info(probe: bool = True) -> dict[str, Any]:
    """The doctor's speech section: which model, verified or not, library versions and —
    with ``probe`` — a speed check (10 s of synthetic sound through the real child)."""
    info: dict[str, Any] = {"available": False, "ctranslate2": _version("ctranslate2"),
                            "faster_whisper": _version("faster-whisper"), "av": _version("av")}
    try:
        model = active_asr_model()
        model.check()
    except GennaiError as exc:
        info["error"] = exc.message()
        return info
    info.update(available=True, id=model.id, label=model.label(get_language()), path=str(model.path),
                bundled=model.bundled, licence=model.licence, packs=[m.id for m in asr_models()])
    if probe:
        try:
            info["speed"] = _speed_probe(model)
        except GennaiError as exc:
            info["error"] = exc.message()
    return info


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _speed_probe(model: AsrModel) -> dict[str, float]:
    """Load time and recognition speed on 10 s of speech-like sound (formant-shaped bursts),
    decoding at most ``PROBE_TOKENS`` tokens: an estimate of the encoder's cost, which
    dominates on CPU; real speech adds decoding time (bench/bench_asr.py measures that)."""
    sr = 16_000
    t = np.arange(int(PROBE_SECONDS * sr)) / sr
    envelope = (np.sin(2 * np.pi * 3 * t) > 0).astype(np.float32)
    sound = sum(np.sin(2 * np.pi * f * t) / (k + 1) for k, f in enumerate((220, 660, 1100, 2400)))
    audio = (0.2 * envelope * sound).astype(np.float32)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "probe.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(sr)
            w.writeframes((audio * 32767).astype(np.int16).tobytes())
        start = time.monotonic()
        loaded = None
        for ev in iter_asr(path, model, max_new_tokens=PROBE_TOKENS):   # a sound, not speech: no long decode
            if ev.get("event") == "model":
                loaded = time.monotonic()
        end = time.monotonic()
    load = (loaded or start) - start
    return {"audio_seconds": PROBE_SECONDS, "load_seconds": round(load, 2),
            "seconds": round(end - (loaded or start), 2),
            "real_time_factor": round((end - (loaded or start)) / PROBE_SECONDS, 3)}
