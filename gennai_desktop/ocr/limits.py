"""Resource limits of the OCR child (kept beside the OCR code, reviewed like documents/limits.py).

OCR is far heavier than text extraction (20–40 s of CPU per page on two loaded cores, ~1 GB
of address space for ONNX Runtime with the three models), so it has its own numbers.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OcrLimits:
    dpi: int = 200                         # render resolution of PDF pages
    max_pages: int = 300                   # pages OCR'd per document (the rest: a warning)
    max_pixels: int = 64_000_000           # per page/frame (A4 at 600 dpi is 35 Mpx)
    max_frames: int = 500                  # TIFF frames looked at
    memory_bytes: int = 4 * 1024 ** 3      # RLIMIT_AS of the child (ORT reserves a lot of VA)
    cpu_seconds_per_page: int = 240        # RLIMIT_CPU = base + per page × pages
    cpu_seconds_base: int = 60
    wall_seconds_per_page: float = 300.0   # parent-side timeout, per page
    threads: int = 0                       # 0: core.cpu_budget.default_threads() (usable physical cores, ≤ 8)


DEFAULT_OCR_LIMITS = OcrLimits()

# Characters recognised below this confidence are "uncertain": Block.uncertain, the
# low-confidence warning, and proofreading holds back findings on them.
LOW_CONFIDENCE = 0.6
