"""The 公用文 rule engine: one SudachiPy pass, rules looked up by lemma, regex rules for
characters, sentence-level detectors and document majorities; findings with offsets into
the checked text.

Why context and not string replacement: 「資料を下さい」「賞状を頂く」「所在地」「大通り」 are
correct; a rule fires only when the part of speech and the neighbouring morphemes say
the word is used as an auxiliary, a formal noun or a conjunction.

Why regions: a document is not one string of prose. ``check(text, regions)`` is told, per
block, whether it is body text, a note, a label (heading, caption, table cell) or something
never checked (reference, URL, code, page furniture) — see proofread.scope — and each rule
runs only where its level allows: word rules everywhere checked, running-text rules in prose,
majorities and 長文 hints over body sentences only.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence

from ..core.findings import Finding, validate
from ..core.i18n import get_language
from ..nlp.morph import Token as Morpheme
from ..nlp.morph import tokenize_fast as tokenize
from . import consistency, detectors
from .detectors import Hit
from .kana import is_katakana_word, shown, to_hiragana
from .ruleset import ADVICE_CATEGORIES, HINT_CATEGORIES, Cond, MorphRule, Ruleset, load_rules
from .scope import LEVEL_RANK, Context, Region, SpanSet, build_context
from .terms import technical_term_hints

__all__ = ["RuleEngine", "check_text", "engine_for", "load_rules"]

_BOUNDARY_POS = ("補助記号", "空白")


def _pos_ok(m: Morpheme, specs: tuple[tuple[str, ...], ...]) -> bool:
    pos = m.pos
    return any(pos[: len(spec)] == spec for spec in specs)


def _cond_ok(c: Cond, m: Morpheme | None) -> bool:
    if c.boundary is not None:
        is_b = m is None or m.pos[0] in _BOUNDARY_POS or "\n" in m.surface
        if is_b != c.boundary:
            return False
        if m is None:
            return c.surface is None and c.pos is None and c.lemma is None
    if m is None:
        return False
    if c.surface is not None and m.surface not in c.surface:
        return False
    if c.lemma is not None and m.dictionary not in c.lemma:
        return False
    return c.pos is None or _pos_ok(m, c.pos)


_OFFSETS = {"self": 0, "prev": -1, "prev2": -2, "prev3": -3, "next": 1, "next2": 2}


def _alt_ok(alt: dict[str, Cond], ms: Sequence[Morpheme], i: int) -> bool:
    n = len(ms)
    for where, cond in alt.items():
        j = i + _OFFSETS[where]
        m = ms[j] if 0 <= j < n else None
        # a neighbour across a line break does not count as a neighbour
        if m is not None and j < i and "\n" in m.surface and cond.boundary is None:
            return False
        if not _cond_ok(cond, m):
            return False
    return True


def _suggest(rule: MorphRule, m: Morpheme) -> str | None:
    to = rule.to
    if to == "kana":
        if not is_katakana_word(m.reading):
            return None
        return to_hiragana(m.reading)
    if isinstance(to, str):
        return to
    if isinstance(to, dict) and "by_reading" in to:
        return to["by_reading"].get(m.reading)
    return None


class RuleEngine:
    """Checks text against one profile's rules. Load once, call ``check`` many times."""

    def __init__(self, profile: str = "koyobun") -> None:
        self.rules: Ruleset = load_rules(profile)
        self.profile = profile

    # --- candidates -------------------------------------------------------------
    def _morph_hits(self, text: str, ms: Sequence[Morpheme],
                    glossed: SpanSet | None = None) -> list[Hit]:
        rs = self.rules
        by_lemma = rs.morph_by_lemma
        okuri_pos = tuple(rs.okurigana["pos"])
        okuri_on = rs.enabled(rs.okurigana["id"])
        explicit = rs.okurigana["explicit"]
        ranuki_on = rs.enabled(rs.ranuki["id"])
        hits: list[Hit] = []
        for i, m in enumerate(ms):
            rules = by_lemma.get(m.dictionary)
            if rules:
                for rule in rules:
                    if rule.first and not m.surface.startswith(rule.first):
                        continue
                    if rule.pos is not None and not _pos_ok(m, rule.pos):
                        continue
                    if rule.when and not any(_alt_ok(a, ms, i) for a in rule.when):
                        continue
                    if rule.unless and any(_alt_ok(a, ms, i) for a in rule.unless):
                        continue
                    sug = _suggest(rule, m)
                    if sug is None or sug == m.surface:
                        continue
                    if rule.category == "常用漢字表外" and (_ruby_follows(text, m)
                                                         or (glossed is not None and glossed.overlaps(m.start, m.end))):
                        continue            # 牽引（けんいん）or furigana: the reading is given, as the 建議 allows
                    if rule.id in rs.kyoyo_rules and i + 1 < len(ms) and detectors.verbal_next(ms[i + 1]):
                        continue            # 「届け出なければ」: a verb SudachiPy read as the noun
                    hits.append(Hit(m.start, m.end, sug, rule.id, rule.category, rule.source,
                                    {"_message": rule.message} if rule.message else {}))
                    break
                else:
                    rules = None
                if rules:
                    continue
            p0 = m.pos[0]
            if p0 in okuri_pos and (m.dictionary != m.normalized or m.dictionary in explicit):
                if ranuki_on and p0 == "動詞":
                    h = detectors.ranuki(m, rs)
                    if h:
                        hits.append(h)
                        continue
                if okuri_on:
                    h = detectors.okurigana(m, rs, ms[i + 1] if i + 1 < len(ms) else None)
                    if h:
                        hits.append(h)
        return hits

    def _regex_hits(self, text: str, scope: str) -> list[Hit]:
        hits: list[Hit] = []
        for rule in self.rules.regex_rules:
            if rule.scope != scope:
                continue
            for mo in rule.pattern.finditer(text):
                if "x" in rule.pattern.groupindex and mo.group("x") is not None:
                    s, e = mo.span("x")
                else:
                    s, e = mo.span()
                orig = text[s:e]
                to = rule.to
                sug: str | None
                if to == "nfkc":
                    sug = unicodedata.normalize("NFKC", orig)
                elif to == "nfc":
                    sug = unicodedata.normalize("NFC", orig)
                elif to == "group3":
                    sug = _group3(orig)
                elif to == "kanji_numeral":
                    sug = _KANJI_NUMERAL.get(orig.strip())
                elif isinstance(to, dict):
                    sug = to.get("map", {}).get(orig)
                else:
                    sug = to
                if sug is None or sug == orig or s == e:
                    continue
                hits.append(Hit(s, e, sug, rule.id, rule.category, rule.source,
                                {"_message": rule.message} if rule.message else {}))
        return hits

    # --- public -----------------------------------------------------------------
    def check(self, text: str, regions: Sequence[Region] | None = None,
              glossed: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        """Findings for ``text``: sorted, validated against ``text``, non-overlapping (except
        長文 hints). ``regions`` (proofread.scope) say what each block is checked for; without
        them the whole text is one body paragraph (a sentence, a pasted passage). ``glossed``:
        [start, end) spans of ``text`` that carry ruby (``Block.ruby``)."""
        if not text or not text.strip():
            return []
        if regions is None:
            regions = [Region(0, len(text), "body")]
        rs = self.rules
        ctx = build_context(text, regions)
        ms = _tokenize_joined(text, regions)
        morph = self._verbatim_filtered(text, self._morph_hits(text, ms, SpanSet(list(glossed))))
        if any(h.rule in rs.kyoyo_rules for h in morph) and not _follows_kyoyo(ms, rs):
            morph = [h for h in morph if h.rule not in rs.kyoyo_rules]
        if ctx.titles:                      # titles of other texts are quoted as written
            morph = [h for h in morph if not ctx.titles.covers(h.start, h.end)]
        morph = technical_term_hints(ctx, morph, rs)
        word = self._regex_hits(text, "word") + morph
        prose = self._regex_hits(text, "prose")
        if ctx.titles:                      # running-text rules do not rewrite a quoted title
            prose = [h for h in prose if not ctx.titles.overlaps(h.start, h.end)]
        if rs.enabled(rs.approximate["id"]):
            prose += detectors.approximate_numbers(ctx, rs)
        if rs.enabled(rs.double_negation["id"]):
            prose += detectors.double_negation(text, rs)
        sentence: list[Hit] = []            # region-aware already (body/prose sentences only)
        if rs.enabled(rs.consistency["width"]["id"]):
            sentence += consistency.width(ctx, rs)
        if rs.enabled(rs.consistency["comma"]["id"]):
            sentence += consistency.comma(ctx, rs)
        if rs.enabled(rs.style_mix["id"]):
            sentence += consistency.style(ctx, ms, rs)
        hints: list[Hit] = []
        if rs.enabled(rs.long_sentence["id"]):
            hints = list(detectors.long_sentences(ctx, rs))   # sentence-wide: may overlap edits
        hits = _in_scope(ctx, word, "label") + _in_scope(ctx, prose, "prose") + sentence
        if any(r.speech for r in ctx.regions):
            hits = _not_rewriting_speech(ctx, hits)
        hits = [h for h in hits if not self._protected(text, h)]
        chosen = sorted(_non_overlapping(hits) + hints, key=lambda h: (h.start, h.end))
        lang = get_language()
        findings = [self._finding(text, h, lang) for h in chosen]
        return validate(findings, text)

    def _verbatim_filtered(self, text: str, hits: list[Hit]) -> list[Hit]:
        """Word rules stay out of titles quoted as written (『翔ぶが如く』); character-level
        rules (PDF artefacts, widths) still apply there."""
        pat = self.rules.verbatim
        if pat is None or "『" not in text:
            return hits
        spans = [mo.span() for mo in pat.finditer(text)]
        if not spans:
            return hits
        starts = [s for s, _ in spans]
        out = []
        for h in hits:
            i = bisect.bisect_right(starts, h.start) - 1
            if i >= 0 and spans[i][1] >= h.end:
                continue
            out.append(h)
        return out

    def _protected(self, text: str, h: Hit) -> bool:
        orig = text[h.start:h.end]
        for p in self.rules.protected:
            if p.unless_rule == h.rule:
                continue
            if orig.startswith(p.original) and h.suggestion.startswith(p.forbidden):
                return True
        return False

    def _finding(self, text: str, h: Hit, lang: str) -> Finding:
        rs = self.rules
        orig = text[h.start:h.end]
        params = dict(h.params)
        tmpl = params.pop("_message", None) or rs.categories[h.category]
        if "style_key" in params:
            params["style"] = rs.style_names[params.pop("style_key")].get(lang, "")
        params.update(original=orig, suggestion=h.suggestion)
        if "_shown}" in (tmpl.get(lang) or tmpl["ja"]):     # PDF artefacts: invisible characters as U+XXXX
            params.update(original_shown=shown(orig),
                          suggestion_shown=shown(h.suggestion) or ("（削除）" if lang == "ja" else "(delete)"))
        try:
            message = (tmpl.get(lang) or tmpl["ja"]).format(**params)
        except (KeyError, IndexError, ValueError):
            message = tmpl["ja"]
        advice = h.category in ADVICE_CATEGORIES
        severity = params.pop("_severity", None) or (
            "hint" if h.category in HINT_CATEGORIES else "info" if advice else "warning")
        return Finding(start=h.start, end=h.end, original=orig, suggestion=h.suggestion, rule=h.rule,
                       message=message, category=h.category, source=h.source, origin="rule",
                       severity=severity)  # type: ignore[arg-type]  # one of Finding's severities, chosen above


def _in_scope(ctx: Context, hits: Iterable[Hit], least: str) -> list[Hit]:
    """Hits inside one region whose level is at least ``least`` (label < prose < body), not
    touching a URL, e-mail address or code."""
    regs = ctx.regions
    starts = [r.start for r in regs]
    need = LEVEL_RANK[least]
    out = []
    for h in hits:
        i = bisect.bisect_right(starts, h.start) - 1
        if i < 0:
            continue
        r = regs[i]
        if h.end > r.end or (LEVEL_RANK[r.level] < need and not _sentence_in_cell(ctx.text, r, h, least)):
            continue
        if ctx.blocked.overlaps(h.start, h.end):
            continue
        out.append(h)
    return out


_CELL_BREAKS = "\t\n"


def _sentence_in_cell(text: str, r: Region, h: Hit, least: str) -> bool:
    """Is a prose rule's hit inside a table cell (or a line of a label block) that holds a whole
    sentence (「※以下の(1)から(9)までの９つの基準のうち８つ以上を満たす必要がある。」)? A form
    read as a table keeps its instructions in cells; a sentence there is prose to the reader
    (2022 建議 Ⅰ-4: 「一つ、二つ」 wherever it is written), while a figure's bare labels stay out."""
    if least != "prose" or r.level != "label":
        return False
    a = max(text.rfind(c, r.start, h.start) for c in _CELL_BREAKS) + 1
    a = max(a, r.start)
    ends = [j for j in (text.find(c, h.end, r.end) for c in _CELL_BREAKS) if j >= 0]
    b = min(ends) if ends else r.end
    cell = text[a:b].strip(" \u3000")
    return len(cell) >= 12 and cell.endswith(("。", "．"))


# what a review of a 議事録 may touch in a remark: notation (kanji, kana, okurigana, numbers,
# punctuation), never the wording — 二重敬語, 二重否定, the style of the ending, sentence length
_SPEECH_WORDING = frozenset({"二重敬語", "二重否定", "文体", "長文"})


def _not_rewriting_speech(ctx: Context, hits: list[Hit]) -> list[Hit]:
    """Drop findings that would change what a speaker said (proofread.scope.speech_blocks)."""
    regs = ctx.regions
    starts = [r.start for r in regs]
    out = []
    for h in hits:
        i = bisect.bisect_right(starts, h.start) - 1
        if i >= 0 and regs[i].speech and h.category in _SPEECH_WORDING:
            continue
        out.append(h)
    return out


_KANJI_NUMERAL = dict(zip("123456789１２３４５６７８９", "一二三四五六七八九" * 2))


def _group3(digits: str) -> str | None:
    """15000 → 15,000 (１５０００ → １５，０００): the separator takes the digits' width."""
    full = digits[0] > "9"
    plain = unicodedata.normalize("NFKC", digits)
    if not plain.isdigit():
        return None
    grouped = f"{int(plain):,}"
    return grouped.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) if full else grouped


def _non_overlapping(hits: Iterable[Hit]) -> list[Hit]:
    """Replacements win over advice; among replacements, character-level (regex) rules were
    added first and win; then earlier and longer spans."""
    def prio(h: Hit) -> tuple:
        return (1 if h.category in ADVICE_CATEGORIES else 0,)

    ordered = sorted(enumerate(hits), key=lambda t: (prio(t[1]), t[0]))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Hit] = []
    for _, h in ordered:
        i = bisect.bisect_right(starts, h.start)
        if i > 0 and ends[i - 1] > h.start:
            continue
        if i < len(starts) and starts[i] < h.end:
            continue
        starts.insert(i, h.start)
        ends.insert(i, h.end)
        kept.insert(i, h)
    return kept


_RUBY_GAP = " \t\u3000\n（(【［"


def _ruby_follows(text: str, m: Morpheme) -> bool:
    """A word outside the 常用漢字表 followed by its own reading (a ruby line the PDF reader
    kept: 「牽引\nけんいん」, or 「牽引（けんいん）」): written the way the 2022 建議 Ⅰ-2 allows."""
    reading = to_hiragana(m.reading)
    if not reading or len(reading) < 2:
        return False
    window = text[m.start:m.end + 3 + len(reading)]
    k = window.find(reading, 1)
    return k > 0 and window[k - 1] in _RUBY_GAP


def _follows_kyoyo(ms: Sequence[Morpheme], rs: Ruleset) -> bool:
    """Does the text write any 通則6 許容 noun of the 訓令 list in its 許容 form (手続, 取扱い)?
    Only then is an 本則 form (手続き) an inconsistency rather than the 2022 建議's allowance
    for general documents (rules.json okurigana_nouns)."""
    forms = rs.kyoyo_forms
    return any(forms.get(m.normalized) == m.surface for m in ms)


def _tokenize_joined(text: str, regions: Sequence[Region]) -> list[Morpheme]:
    """Morphemes of ``text``, read across the line wraps of wrapped (PDF) regions: 「事\n業」
    is the word 事業, not 事 + 業. Offsets stay offsets into ``text`` (a morpheme that
    spans a wrap includes the newline)."""
    removed: list[int] = []
    prose = ("body", "prose")
    for k, r in enumerate(regions):
        if not r.wrapped or r.level == "none":
            continue
        i = text.find("\n", r.start, r.end)
        while i >= 0:
            if i > r.start and i + 1 < r.end and not text[i - 1].isspace() and not text[i + 1].isspace():
                removed.append(i)
            i = text.find("\n", i + 1, r.end)
        # a PDF line that the reader made a block of its own: 「…推論過」「程、判断根拠…」
        nxt = regions[k + 1] if k + 1 < len(regions) else None
        if (nxt is not None and nxt.wrapped and r.level in prose and nxt.level in prose and r.end < len(text)
                and nxt.start == r.end + 1 and r.end > r.start and nxt.end > nxt.start
                and not text[r.end - 1].isspace() and text[r.end - 1] not in _SENTENCE_END
                and not text[nxt.start].isspace()):
            removed.append(r.end)
    if not removed:
        return tokenize(_encodable(text))
    parts = []
    prev = 0
    for i in removed:
        parts.append(text[prev:i])
        prev = i + 1
    parts.append(text[prev:])
    view = "".join(parts)
    adj = [pos - k for k, pos in enumerate(removed)]   # where each removed newline sits in ``view``
    out: list[Morpheme] = []
    append = out.append
    make = Morpheme.__new__
    n = len(adj)
    k = 0
    for m in tokenize(_encodable(view)):
        ms, me = m.start, m.end
        while k < n and adj[k] <= ms:                   # newlines removed before the morpheme
            k += 1
        j = k
        while j < n and adj[j] < me:                    # … and inside it
            j += 1
        if k == 0 and j == 0:
            append(m)
        else:
            append(make(Morpheme, m.surface, m.pos, m.normalized, m.dictionary, m.reading, ms + k, me + j))
    return out


_SENTENCE_END = frozenset("。．！？!?」』）)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """Lone surrogates (broken pastes) cannot go to SudachiPy; U+FFFD keeps the offsets."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


_engines: dict[str, RuleEngine] = {}


def engine_for(profile: str = "koyobun") -> RuleEngine:
    """The process's engine for ``profile`` (rule data loaded once)."""
    eng = _engines.get(profile)
    if eng is None:
        eng = _engines[profile] = RuleEngine(profile)
    return eng


def check_text(text: str, *, profile: str = "koyobun") -> list[Finding]:
    """Rule findings for ``text`` read as one body paragraph (sorted by offset, validated,
    non-overlapping). For a loaded document use ``document_check.check_document``."""
    return engine_for(profile).check(text)
