"""Resource limits of the ASR child (reviewed like ocr/limits.py and documents/limits.py).

Whisper base int8 on two cores needs 0.15–0.3 CPU-seconds per audio second and < 1 GB;
the caps leave a wide margin for a slow laptop while stopping a runaway child.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AsrLimits:
    max_seconds: float = 4 * 3600.0        # longest recording accepted (header and decoded samples)
    max_file_bytes: int = 4 * 1024 ** 3    # larger input files are refused before they are opened
    window_seconds: float = 300.0          # audio decoded and recognised at a time (bounded memory)
    memory_bytes: int = 4 * 1024 ** 3      # RLIMIT_AS of the child (CTranslate2 + FFmpeg threads)
    cpu_seconds_base: int = 120            # RLIMIT_CPU = base + per audio second × duration
    cpu_per_audio_second: float = 3.0
    wall_seconds_base: float = 120.0       # parent-side timeout: base + per audio second × duration
    wall_per_audio_second: float = 4.0
    threads: int = 0                       # 0: CTranslate2's choice (one per core, at most 4)
    beam_size: int = 5


DEFAULT_ASR_LIMITS = AsrLimits()

# Sample rates and channel counts a real recording can have; anything else is a forged header.
MIN_RATE, MAX_RATE = 4_000, 384_000
MAX_CHANNELS = 32
