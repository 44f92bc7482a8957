"""Proofread a whole Document: its blocks' kinds decide what each rule may read, and its
kind of text (law or not) decides the profile.

Why not ``check_text(doc.text)``: a report is headings, tables, captions, references and
footnotes around its sentences; consistency rules need the document's own majority counted
over body sentences only; and a law must be read by the 法令 standard. This is the one call
the 校正 task, the CLI and the evaluation scripts make for a document.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.document import Document
from ..core.findings import Finding
from .profile_choice import AUTO, ProfileChoice, choose_profile
from .rules import engine_for
from .scope import regions


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    profile: str                  # the profile actually used
    choice: ProfileChoice | None  # why, when it was chosen automatically


def check_document(doc: Document, profile: str = AUTO) -> CheckResult:
    """Rule findings for ``doc`` (offsets into ``doc.text``), with the profile used."""
    choice = choose_profile(doc) if profile == AUTO else None
    used = choice.profile if choice is not None else profile
    glossed = [(b.start + s, b.start + e) for b in doc.blocks for s, e, _ in b.ruby]
    findings = engine_for(used).check(doc.text, regions(doc), glossed)
    return CheckResult(findings, used, choice)
