"""Proofreading findings: one type fed by both the rule engine and the model pass."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Origin = Literal["rule", "model"]
Severity = Literal["error", "warning", "info", "hint"]   # hint: readability guide, not an error


@dataclass(frozen=True)
class Finding:
    start: int               # character offset into the checked text (Document.text)
    end: int                 # exclusive
    original: str            # == text[start:end]; validated by ``validate``
    suggestion: str          # replacement text ("" = delete; may equal original for advice-only)
    rule: str                # rule id ("hojo_doushi.kudasai") or "model"
    message: str             # why, in the UI language
    category: str = ""       # rule family (補助動詞, 形式名詞, …) or "model"
    source: str = ""         # citation (document + section) or model id for model findings
    origin: Origin = "rule"
    severity: Severity = "warning"

    @property
    def is_replacement(self) -> bool:
        return self.suggestion != self.original

    def to_json(self) -> dict:
        d = asdict(self)
        d["reason"] = self.message  # alias: the CLI contract names both
        return d


def validate(findings: Iterable[Finding], text: str) -> list[Finding]:
    """Keep only findings whose span lies inside ``text`` and matches ``original``."""
    out = []
    n = len(text)
    for f in findings:
        if 0 <= f.start < f.end <= n and text[f.start:f.end] == f.original:
            out.append(f)
    return out


def merge(rule_findings: Iterable[Finding], model_findings: Iterable[Finding]) -> list[Finding]:
    """One list without duplicates: a model finding overlapping a rule finding is dropped
    (the rule is sourced and deterministic); overlapping model findings keep the first."""
    taken: list[tuple[int, int]] = []
    out: list[Finding] = []
    for f in sorted(rule_findings, key=lambda f: (f.start, f.end)):
        out.append(f)
        if f.severity != "hint":          # a sentence-wide hint does not block edits inside it
            taken.append((f.start, f.end))
    for f in sorted(model_findings, key=lambda f: (f.start, f.end)):
        if any(f.start < e and s < f.end for s, e in taken):
            continue
        out.append(f)
        taken.append((f.start, f.end))
    out.sort(key=lambda f: (f.start, f.end, f.origin))
    return out
