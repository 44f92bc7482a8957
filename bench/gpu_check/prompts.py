"""Prompts of an exact token count for the synthetic models (``gguf_synth``).

Their vocabulary has no token for an ASCII letter, so every letter is one byte-fallback token:
``letters(seed, 511)`` plus BOS is exactly 512 prompt tokens. Each prompt starts with a
different letter, so no prompt shares a cached prefix with the one before it (the runner
reuses a cached prompt prefix, which would hide prompt-processing time).
"""
from __future__ import annotations

import random
import string


def letters(seed: int, n: int) -> str:
    """``n`` lowercase letters, deterministic in ``seed``; the first letter cycles with ``seed``."""
    rng = random.Random(seed)
    first = string.ascii_lowercase[seed % 26]
    return first + "".join(rng.choice(string.ascii_lowercase) for _ in range(max(0, n - 1)))


def batch_prompts(n: int, length: int, salt: int) -> list[str]:
    """``n`` distinct prompts of ``length`` letters (no shared prefix between them)."""
    return [letters(salt * 100 + k, length) for k in range(n)]
