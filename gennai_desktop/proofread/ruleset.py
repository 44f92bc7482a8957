"""Loading and compiling the rule data in resources/koyobun/rules.json.

Why a compile step: the engine must stay cheap per morpheme (≥100k chars/s), so
conditions are turned into tuples and rules are indexed by lemma once per process;
the JSON stays readable and citable for reviewers who never read Python.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.errors import GennaiError
from ..core.paths import resources_dir

ADVICE_CATEGORIES = frozenset({"文体", "二重否定", "長文"})
# advice below "info": readability guides, not errors; shown and exported, filterable
HINT_CATEGORIES = frozenset({"長文"})


class RuleDataError(GennaiError):
    """The rule file is missing, malformed or names an unknown profile."""


@dataclass(frozen=True)
class Cond:
    """A condition on one neighbouring morpheme (all given fields must hold)."""

    surface: frozenset[str] | None = None
    pos: tuple[tuple[str, ...], ...] | None = None
    lemma: frozenset[str] | None = None
    boundary: bool | None = None     # True: no morpheme before, or a symbol/space/newline


@dataclass(frozen=True)
class MorphRule:
    id: str
    category: str
    lemmas: tuple[str, ...]
    first: str
    to: Any                          # "kana" | fixed str | {"by_reading": {...}}
    pos: tuple[tuple[str, ...], ...] | None
    when: tuple[dict[str, Cond], ...]    # alternatives (OR); empty = always
    unless: tuple[dict[str, Cond], ...]
    source: str
    message: dict[str, str] | None = None   # overrides the category's message template


@dataclass(frozen=True)
class RegexRule:
    id: str
    category: str
    pattern: re.Pattern[str]
    to: Any                          # fixed str | "nfkc" | "nfc" | "group3" | {"map": {...}}
    source: str
    message: dict[str, str] | None = None
    scope: str = "word"              # "word": anywhere checked; "prose": running text only


@dataclass(frozen=True)
class Protected:
    original: str
    forbidden: str
    unless_rule: str | None


@dataclass
class Ruleset:
    profile: str
    sources: dict[str, str]
    categories: dict[str, dict[str, str]]
    style_names: dict[str, dict[str, str]]
    morph_by_lemma: dict[str, list[MorphRule]]
    regex_rules: list[RegexRule]
    okurigana: dict[str, Any]
    double_negation: dict[str, Any]
    long_sentence: dict[str, Any]
    style_mix: dict[str, Any]
    ranuki: dict[str, Any]
    protected: list[Protected]
    consistency: dict[str, Any] = field(default_factory=dict)   # width / comma majorities
    approximate: dict[str, Any] = field(default_factory=dict)   # 概数 (2、3日 → 二、三日)
    technical_terms: dict[str, Any] = field(default_factory=dict)   # 表外漢字 in the document's own terms
    # 通則6 許容 nouns (手続, 取扱い …): rule ids, and 本則 lemma → 許容 form, judged per document
    kyoyo_rules: frozenset[str] = frozenset()
    kyoyo_forms: dict[str, str] = field(default_factory=dict)
    disabled: frozenset[str] = field(default_factory=frozenset)
    verbatim: re.Pattern[str] | None = None   # spans quoted as written (titles in 『』): no word rules

    def cite(self, ref: list[str]) -> str:
        doc, section = (ref + [""])[:2]
        return f"{self.sources.get(doc, doc)} {section}".strip()

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled


def rules_path() -> Path:
    return resources_dir() / "koyobun" / "rules.json"


def _pos_specs(specs: list[str] | None) -> tuple[tuple[str, ...], ...] | None:
    if not specs:
        return None
    return tuple(tuple(s.split(".")) for s in specs)


def _cond(d: dict[str, Any]) -> Cond:
    unknown = set(d) - {"surface", "pos", "lemma", "boundary"}
    if unknown:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"unknown condition {sorted(unknown)}")
    return Cond(surface=frozenset(d["surface"]) if "surface" in d else None,
                pos=_pos_specs(d.get("pos")),
                lemma=frozenset(d["lemma"]) if "lemma" in d else None,
                boundary=d.get("boundary"))


_POSITIONS = {"self", "prev", "prev2", "prev3", "next", "next2"}


def _alternatives(items: list[dict[str, Any]] | None) -> tuple[dict[str, Cond], ...]:
    out = []
    for alt in items or []:
        if set(alt) - _POSITIONS:
            raise RuleDataError("proofread.error.rules_invalid",
                                reason=f"unknown position {sorted(set(alt) - _POSITIONS)}")
        out.append({k: _cond(v) for k, v in alt.items()})
    return tuple(out)


@lru_cache(maxsize=8)
def load_rules(profile: str = "koyobun") -> Ruleset:
    """Parse and compile the rule file for ``profile`` (cached: loaded once per process)."""
    path = rules_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleDataError("proofread.error.rules_invalid", reason=str(exc)) from exc
    profiles = data.get("profiles", {})
    if profile not in profiles:
        raise RuleDataError("proofread.error.unknown_profile", profile=profile, known=", ".join(sorted(profiles)))
    prof = _resolved(profiles, profile)
    disabled = frozenset(prof.get("disable", []))
    rs = Ruleset(profile=profile, sources=data["sources"], categories=data["categories"],
                 style_names=data["style_names"], morph_by_lemma={}, regex_rules=[],
                 okurigana=data["okurigana_verbs"], double_negation=data["double_negation"],
                 long_sentence=data["long_sentence"], style_mix=data["style_mix"], ranuki=data["ranuki"],
                 protected=[Protected(p["original"], p["forbidden"], p.get("unless_rule"))
                            for p in prof.get("protected", [])],
                 disabled=disabled, consistency=data["consistency"], approximate=dict(data["approximate"]),
                 technical_terms=data.get("technical_terms", {}))
    try:
        rs.verbatim = re.compile(prof["verbatim"]) if prof.get("verbatim") else None
    except re.error as exc:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"verbatim: {exc}") from exc
    seen: set[str] = set()
    try:
        for r in data["morph_rules"]:
            _check_common(r, rs, seen)
            if r["id"] in disabled:
                continue
            rule = MorphRule(id=r["id"], category=r["category"], lemmas=tuple(r["lemma"]),
                             first=r.get("first", ""), to=r["to"], pos=_pos_specs(r.get("pos")),
                             when=_alternatives(r.get("when")), unless=_alternatives(r.get("unless")),
                             source=rs.cite(r["source"]), message=r.get("message"))
            for lemma in rule.lemmas:
                rs.morph_by_lemma.setdefault(lemma, []).append(rule)
                if r["id"] in data["okurigana_nouns"]["rules"] and isinstance(r["to"], str):
                    rs.kyoyo_forms[lemma] = r["to"]
        for r in data["regex_rules"]:
            _check_common(r, rs, seen)
            if r["id"] in disabled:
                continue
            if r.get("scope", "word") not in ("word", "prose"):
                raise RuleDataError("proofread.error.rules_invalid", reason=f"{r['id']}: unknown scope {r['scope']!r}")
            rs.regex_rules.append(RegexRule(id=r["id"], category=r["category"],
                                            pattern=re.compile(r["pattern"]), to=r["to"],
                                            source=rs.cite(r["source"]), message=r.get("message"),
                                            scope=r.get("scope", "word")))
        for key in ("width", "comma"):
            c = rs.consistency[key]
            _check_common(c, rs, seen)
        rs.kyoyo_rules = frozenset(data["okurigana_nouns"]["rules"])
        rs.approximate["compiled"] = re.compile(data["approximate"]["pattern"])
        _check_common(data["approximate"], rs, seen)
        rs.double_negation = dict(rs.double_negation)
        rs.double_negation["compiled"] = re.compile("|".join(f"(?:{p})" for p in data["double_negation"]["patterns"]))
    except (KeyError, TypeError, re.error) as exc:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"{type(exc).__name__}: {exc}") from exc
    return rs


def _resolved(profiles: dict[str, Any], name: str, depth: int = 0) -> dict[str, Any]:
    """A profile with the profile it ``extends`` folded in: ``disable`` and ``protected``
    add up, other keys of the child win (the 法令 profile is the 公用文 profile minus the
    rules that would "correct" 法令用語)."""
    prof = profiles[name]
    parent = prof.get("extends")
    if not parent:
        return prof
    if parent not in profiles or depth > 4:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"profile {name}: bad extends {parent!r}")
    base = _resolved(profiles, parent, depth + 1)
    out = {**base, **prof}
    out["disable"] = list(base.get("disable", [])) + list(prof.get("disable", []))
    out["protected"] = list(base.get("protected", [])) + list(prof.get("protected", []))
    return out


def profile_names() -> list[str]:
    """Profiles the rule data defines (for the CLI and the 校正 tab)."""
    try:
        data = json.loads(rules_path().read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleDataError("proofread.error.rules_invalid", reason=str(exc)) from exc
    return list(data.get("profiles", {}))


def _check_common(r: dict[str, Any], rs: Ruleset, seen: set[str]) -> None:
    rid = r.get("id")
    if not rid or rid in seen:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"missing or duplicate rule id {rid!r}")
    seen.add(rid)
    if r.get("category") not in rs.categories:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"{rid}: unknown category {r.get('category')!r}")
    msg = r.get("message")
    if msg is not None and not (isinstance(msg, dict) and msg.get("ja")):
        raise RuleDataError("proofread.error.rules_invalid", reason=f"{rid}: message needs at least 'ja'")
    src = r.get("source")
    if not src or src[0] not in rs.sources or len(src) < 2 or not src[1]:
        raise RuleDataError("proofread.error.rules_invalid", reason=f"{rid}: source must name a document and a section")
