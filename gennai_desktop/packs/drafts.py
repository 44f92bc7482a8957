"""Draft pack manifests (``models/*.draft.json``): everything a reviewer decides about a
model — names, vendor, licence, prompt style, pinned chat template, context, VRAM —
without the facts ``gennai-admin build-pack`` takes from the GGUF itself.

A draft holds only Manifest fields, plus ``chat_template_file`` (a path relative to the
draft) next to its pinned ``chat_template_sha256``. ``build-pack --fields X.draft.json``
reads it as is; ``load_draft`` / ``manifest_from_draft`` let tests and reviewers validate a
draft against the manifest schema before any GGUF exists.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import PackError
from .manifest import GgufFacts, Manifest, parse_manifest, template_sha256

# Filled in by build-pack from the GGUF header and bytes: a draft must not guess them.
GGUF_FILLED = ("architecture", "context_length", "block_count", "quantisation", "gguf")


def load_draft(path: Path | str) -> dict:
    """The draft's fields, with ``chat_template_file`` resolved next to the draft and its
    text checked against the pinned sha256. Raises PackError."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError("packs.error.manifest_invalid", path=str(path), reason=str(exc)[:200]) from None
    if not isinstance(data, dict):
        raise PackError("packs.error.manifest_invalid", path=str(path), reason="not a JSON object")
    guessed = [k for k in GGUF_FILLED if k in data]
    if guessed:
        raise PackError("packs.error.manifest_invalid", path=str(path),
                        reason=f"build-pack fills these from the GGUF: {', '.join(guessed)}")
    tpl = data.get("chat_template_file")
    if tpl is not None:
        tpl_path = Path(tpl) if Path(tpl).is_absolute() else path.parent / tpl
        data["chat_template_file"] = str(tpl_path)
        text = tpl_path.read_text(encoding="utf-8")
        if data.get("chat_template_sha256") != template_sha256(text):
            raise PackError("packs.error.manifest_invalid", path=str(tpl_path),
                            reason="chat template does not match the draft's chat_template_sha256")
    return data


def manifest_from_draft(fields: dict, *, architecture: str, context_length: int, block_count: int,
                        quantisation: str = "Q4_K_M", size: int = 1, sha256: str = "0" * 64) -> Manifest:
    """The manifest build-pack would write for a GGUF with these header facts (the GGUF
    facts given here are stand-ins until IT has the file). Raises SecurityError when the
    draft does not satisfy the manifest schema."""
    data = dict(fields)
    tpl = data.pop("chat_template_file", None)
    if tpl is not None:
        data["chat_template"] = Path(tpl).read_text(encoding="utf-8")
    data.update(architecture=architecture, context_length=context_length, block_count=block_count,
                quantisation=quantisation,
                gguf=GgufFacts(filename="model.gguf", size=size, sha256=sha256).model_dump())
    return parse_manifest(json.dumps(data).encode("utf-8"), source="draft")
