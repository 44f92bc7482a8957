"""The task names, once for the whole app (CLI commands, prompt files, pack manifests, history).

Why here: pack manifests once said "summarise" while the prompt files said "summarize", so a
pack's own summary prompts never applied. Every layer now takes its names from this module.
"""
from __future__ import annotations

SUMMARIZE = "summarize"
PROOFREAD = "proofread"
TRANSLATE = "translate"
DRAFT = "draft"
TASKS: tuple[str, ...] = (SUMMARIZE, PROOFREAD, TRANSLATE, DRAFT)

# spellings accepted from older manifests, mapped to the one name
ALIASES = {"summarise": SUMMARIZE}


def canonical(name: str) -> str:
    """The task's one name; raises ValueError for a name that is not a task."""
    name = ALIASES.get(name, name)
    if name not in TASKS:
        raise ValueError(f"unknown task: {name!r}")
    return name
