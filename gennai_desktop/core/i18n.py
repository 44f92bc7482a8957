"""User-visible strings, Japanese first with English available.

Messages live in ``resources/i18n/<area>.json`` as ``{"ja": {key: text}, "en": {key: text}}``.
Each area (documents, llm, tasks, cli, ui, packs, proofread) owns one file so that
strings are data, not code, and translators can work on them without reading Python.
"""
from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from typing import Any

from .paths import resources_dir

SUPPORTED = ("ja", "en")
_state = threading.local()
_default_lang = os.environ.get("GENNAI_LANG", "ja") if os.environ.get("GENNAI_LANG", "ja") in SUPPORTED else "ja"


def set_language(lang: str) -> None:
    """Set the process-wide language (CLI --lang, settings dialog)."""
    global _default_lang
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language: {lang}")
    _default_lang = lang


def get_language() -> str:
    return getattr(_state, "lang", None) or _default_lang


@lru_cache(maxsize=1)
def _catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {lang: {} for lang in SUPPORTED}
    folder = resources_dir() / "i18n"
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for lang in SUPPORTED:
            for key, text in data.get(lang, {}).items():
                if key in merged[lang]:
                    raise ValueError(f"duplicate message key {key!r} in {path.name}")
                merged[lang][key] = text
    return merged


# Parameters that carry a file or folder name: a name may contain a newline, a tab or an
# escape sequence, and must not break a message (or a line of output) into two.
NAME_PARAMS = frozenset({"path", "file", "name", "out", "input", "folder", "title", "prefix", "machine"})
_CONTROL = {i: f"\\x{i:02x}" for i in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL.update({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"})
_CONTROL.update({c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]})


def one_line(text: str) -> str:
    """``text`` with newlines, tabs and other control characters shown as escapes."""
    return text.translate(_CONTROL)


def tr(key: str, lang: str | None = None, **params: Any) -> str:
    """Translate ``key``; falls back to Japanese, then to the key itself (never raises).
    File and folder names among the parameters are shown on one line (``one_line``)."""
    cat = _catalog()
    lang = lang or get_language()
    text = cat.get(lang, {}).get(key) or cat["ja"].get(key) or key
    if params:
        params = {k: one_line(v) if k in NAME_PARAMS and isinstance(v, str) else v for k, v in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has_key(key: str) -> bool:
    return key in _catalog()["ja"]
