"""One tab per task (要約・校正・翻訳・起案), sharing the run/cancel/progress/save logic of TaskTab."""
from __future__ import annotations
