"""Whisper on CTranslate2 (faster-whisper): the only importer of faster_whisper/ctranslate2.

Loaded only from a local model folder, with the Hugging Face libraries told to stay offline
and after ``AsrModel.check`` found every file (tokenizer.json included: without it
faster-whisper would try a download). Runs in the ASR child, never in the app.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

for _k, _v in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_HUB_DISABLE_TELEMETRY", "1"),
               ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1"), ("DO_NOT_TRACK", "1")):
    os.environ[_k] = _v

REQUIRED = ("model.bin", "config.json", "tokenizer.json")


class AsrEngine:
    def __init__(self, model_dir: str | Path, *, threads: int = 0, compute_type: str = "int8") -> None:
        d = Path(model_dir)
        missing = [n for n in REQUIRED if not (d / n).is_file()]
        if missing:      # never let faster-whisper fall back to a download
            raise FileNotFoundError(f"model files missing: {missing}")
        from faster_whisper import WhisperModel  # lazy: heavy, and only after the limits are set
        self.model = WhisperModel(str(d), device="cpu", compute_type=compute_type, cpu_threads=threads,
                                  num_workers=1, local_files_only=True)

    def transcribe(self, audio: Any, clips: list[tuple[float, float]], *, beam_size: int = 5,
                   initial_prompt: str | None = None, hotwords: str | None = None,
                   language: str = "ja", max_new_tokens: int | None = None) -> Iterator[Any]:
        """Segments of ``audio`` (16 kHz float32) within ``clips`` (seconds), with word times."""
        flat: list[float] = [v for c in clips for v in c]
        segments, _info = self.model.transcribe(
            audio, language=language, task="transcribe", beam_size=beam_size, word_timestamps=True,
            clip_timestamps=flat, initial_prompt=initial_prompt or None, hotwords=hotwords or None,
            condition_on_previous_text=False, vad_filter=False, hallucination_silence_threshold=2.0,
            max_new_tokens=max_new_tokens)
        yield from segments
