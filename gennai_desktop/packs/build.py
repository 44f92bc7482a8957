"""Building a model pack from a GGUF (``gennai-admin build-pack`` and tests): the manifest's
GGUF facts come from the file itself, and a pinned chat template must pass the app's own
template check before anything is signed.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..core.atomicio import atomic_path, atomic_write_text
from ..core.errors import SecurityError
from ..llm.gguf_check import check_gguf
from ..llm.templates import check_template
from .errors import PackError
from .gguf_match import sha256_file
from .manifest import GgufFacts, Manifest, parse_manifest, template_sha256


def check_pack_template(text: str, where: str) -> None:
    """The app's own template check (AST + budgeted trial render); refuse to sign on failure."""
    try:
        check_template(text)
    except SecurityError as exc:
        raise PackError("hardening.admin.template_rejected", path=where, reason=exc.message()) from None


def build_pack(gguf: Path, out: Path, fields: dict) -> Manifest:
    """Write ``out/manifest.json`` + ``out/model.gguf``; facts the GGUF header states are
    taken from it (architecture, context length, block count, quantisation, size, sha256)."""
    info = check_gguf(gguf)
    data = dict(fields)
    tpl_path = None
    if "chat_template_file" in data:
        tpl_path = data.pop("chat_template_file")
        text = Path(tpl_path).read_text(encoding="utf-8")
        pinned = data.get("chat_template_sha256")       # a draft pins its template (models/*.draft.json)
        if pinned is not None and pinned != template_sha256(text):
            raise PackError("hardening.admin.template_rejected", path=str(tpl_path),
                            reason="sha256 differs from the pinned chat_template_sha256")
        data["chat_template"] = text
        data["chat_template_sha256"] = template_sha256(text)
    if data.get("chat_template") is not None:
        check_pack_template(str(data["chat_template"]), str(tpl_path) if tpl_path else "chat_template")
    data.setdefault("architecture", info.architecture)
    data.setdefault("context_length", info.context_length)
    data.setdefault("block_count", info.block_count)
    data.setdefault("quantisation", info.quantisation)
    data.setdefault("default_context", min(4096, info.context_length or 4096))
    data["gguf"] = GgufFacts(filename="model.gguf", size=gguf.stat().st_size, sha256=sha256_file(gguf)).model_dump()
    manifest = parse_manifest(json.dumps(data).encode("utf-8"), source="build-pack")
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "model.gguf") as tmp:
        shutil.copyfile(gguf, tmp)
    atomic_write_text(out / "manifest.json", manifest.to_json())
    return manifest
