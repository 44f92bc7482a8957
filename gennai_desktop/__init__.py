"""GENNAI Desktop (源内デスクトップ): offline document work on a local LLM.

The package is a headless core (everything except ``gennai_desktop.ui``) with a
Qt UI on top. Only ``gennai_desktop.ui`` may import PySide6; only
``gennai_desktop.llm.engine`` may import ``llama_cpp``; only
``gennai_desktop.proofread.morph`` may import ``sudachipy``.
"""
from __future__ import annotations

__version__ = "0.1.0"
