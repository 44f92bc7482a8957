"""Blocks ⇄ JSON-able dicts, so autosave can keep results made of document blocks."""
from __future__ import annotations

from dataclasses import asdict

from ..core.document import Block


def block_to_dict(b: Block) -> dict:
    return asdict(b)


def block_from_dict(d: dict) -> Block:
    d = dict(d)
    d["heading_path"] = tuple(d.get("heading_path") or ())
    if d.get("rows") is not None:
        d["rows"] = tuple(tuple(r) for r in d["rows"])
    for key in ("boxes", "uncertain"):               # JSON lists back to the frozen tuples
        if d.get(key):
            d[key] = tuple(tuple(x) for x in d[key])
    if d.get("bbox") is not None:
        d["bbox"] = tuple(d["bbox"])
    return Block(**d)


def blocks_text(blocks: list[Block]) -> str:
    return "\n".join(b.text for b in blocks)
