"""翻訳 (ja↔en) block by block, keeping the document's structure and the glossary.

Why block by block: the result must have the same headings, paragraphs, list items and
tables in the same order as the source (table cells translated one by one), so the
.docx can be compared side by side. A block is a whole paragraph (the readers join PDF
lines across wraps, columns and pages), so the model sees whole sentences, never a line.
A list item's, heading's or note's label (「１．」「（ア）」「・」「※1」) is kept as it is and
only the text after it is translated; reference entries, bare URLs, text inside pictures
and program code are kept as they are (docs/structure.md). The glossary is enforced: source terms are replaced
by their target terms before generation and every required target term is verified in
the output; a block whose output lost a term, or whose output is unusable, keeps its
source text (with glossary substitutions) and is counted as untranslated — honest, not
fake.
"""
from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import replace
from typing import Literal

from ..core.cancel import NEVER, CancelToken
from ..core.document import UNCHECKED_KINDS, Block, Document, table_text
from ..core.errors import DocumentError
from ..core.events import Done, Notice, Progress, Stats, TaskEvent
from ..documents.docx_writer import write_docx
from ..llm.base import TextEngine
from ..llm.batch import finished, generate_batch
from ..nlp.sentences import chunk_spans
from . import prompting
from .glossary import Glossary
from .mt_review import mt_note, polarity_review, review_comment, review_items
from .quality import copied_from, invented_numbers, weakness
from .results import TranslationResult

Direction = Literal["ja-en", "en-ja"]
GIVE_UP_AFTER = 8   # unusable outputs in a row (and none usable yet) → keep the rest as source
# kept as they are: not the author's prose (reference entries, URLs), or not translatable
# (text inside pictures, program code) — the kinds the 公用文 checker leaves alone too
KEPT_KINDS = UNCHECKED_KINDS
WINDOW = 16         # model pieces handed to llm.batch together (give-up is judged between windows)


def translate(doc: Document, engine: TextEngine | None, *, direction: Direction = "ja-en",
              glossary: Glossary | None = None, cancel: CancelToken = NEVER) -> Iterator[TaskEvent]:
    """Translate ``doc``; yields Progress/TextDelta/Notice/Stats, ends with Done(TranslationResult)."""
    if direction not in ("ja-en", "en-ja"):
        raise ValueError(f"unknown direction: {direction}")
    if not doc.blocks:
        raise DocumentError("translate.error.empty")
    glossary = glossary or Glossary()
    state = _State(engine, direction, glossary, cancel)
    if engine is None:
        yield Notice("translate.notice.no_model")
    total = len(doc.blocks)
    # every text to translate — block texts (after their label) and table cells — in document order
    sources: list[str] = []
    block_of: list[int] = []
    for n, block in enumerate(doc.blocks):
        if block.kind == "table" and block.rows is not None:
            for row in block.rows:
                sources.extend(row)
                block_of.extend([n] * len(row))
        elif block.kind in KEPT_KINDS:
            continue
        else:
            sources.append(_split_label(block)[1])
            block_of.append(n)
    yield Progress(0, total, "translate.stage.blocks")
    done = yield from state.run(sources, block_of, total)
    out: list[Block] = []
    it = iter(done)
    for block in doc.blocks:
        if block.kind == "table" and block.rows is not None:
            rows = tuple(tuple(next(it) for _ in row) for row in block.rows)
            out.append(replace(block, rows=rows, text=table_text(rows)))
        elif block.kind in KEPT_KINDS:
            out.append(block)
        else:
            label, _ = _split_label(block)
            text = next(it)
            if label:
                sep = " " if direction == "ja-en" and label[-1:].isspace() else ""
                text = (label.rstrip() + sep if sep else label) + text
            out.append(replace(block, text=text))
    yield Progress(total, total, "translate.stage.blocks")
    notices: list[str] = []
    method: Literal["model", "glossary_only"] = "model"
    if engine is None or state.translated == 0:
        method = "glossary_only"
    if state.untranslated:
        notices.append("translate.notice.untranslated")
        yield Notice("translate.notice.untranslated", {"count": state.untranslated, "total": state.pieces})
    if state.model_unusable:
        notices.append("translate.notice.gave_up")
        yield Notice("translate.notice.gave_up", {"count": GIVE_UP_AFTER})
    if state.repaired:
        notices.append("translate.notice.repaired")
        yield Notice("translate.notice.repaired", {"count": state.repaired})
    review = polarity_review(doc.blocks, out, direction) if method == "model" else []
    if review:
        notices.append("translate.notice.polarity_review")
        yield Notice("translate.notice.polarity_review", {"count": len(review)})
    applied = {s: t for s, t in glossary.entries if s in doc.text}
    yield Done(TranslationResult(doc, out, direction, applied, method, notices,
                                 model_id=engine.spec.id if engine is not None else "", review=review))


def _split_label(block: Block) -> tuple[str, str]:
    """(label with the space after it, text to translate) of a block."""
    label = block.label
    if not label or not block.text.startswith(label):
        return "", block.text
    rest = block.text[len(label):]
    body = rest.lstrip(" \u3000\t")
    return label + rest[:len(rest) - len(body)], body


class _State:
    """Per-run translation of text pieces with counters for the honest summary notices."""

    def __init__(self, engine: TextEngine | None, direction: Direction, glossary: Glossary,
                 cancel: CancelToken) -> None:
        self.engine = engine
        self.direction = direction
        self.glossary = glossary
        self.cancel = cancel
        self.target_lang = "en" if direction == "ja-en" else "ja"
        self.pieces = 0
        self.translated = 0
        self.untranslated = 0
        self.repaired = 0
        self.model_unusable = False
        self.failures_in_a_row = 0

    @property
    def model(self) -> TextEngine:
        """The engine, where a model pass runs (``run`` sends no text to a model without one)."""
        if self.engine is None:
            raise RuntimeError("no engine: the texts are kept, not sent to a model")
        return self.engine

    def run(self, sources: list[str], block_of: list[int], total: int) -> Generator[TaskEvent, None, list[str]]:
        """Translate every text; returns them in order. Model pieces go to the engine
        WINDOW at a time through llm.batch (decoded together where the engine can); the
        give-up rule is applied in document order after each window."""
        results: list[str | None] = [None] * len(sources)
        needs: list[tuple[int, list[tuple[int, int]]]] = []
        for ti, source in enumerate(sources):
            if not source.strip() or not any(ch.isalpha() for ch in source):
                results[ti] = source          # empty and number-only text is kept as is
                continue
            self.pieces += 1
            if self.engine is None:
                self.untranslated += 1
                results[ti] = self.glossary.protect(source)
                continue
            needs.append((ti, self._spans(source)))
        blocks_done = 0

        def progress() -> Iterator[TaskEvent]:
            nonlocal blocks_done
            # blocks before the first text still to do are complete
            first_open = next((block_of[t] for t in range(len(sources)) if results[t] is None), total)
            if first_open > blocks_done:
                blocks_done = first_open
                yield Progress(blocks_done, total, "translate.stage.blocks")

        yield from progress()
        i = 0
        while i < len(needs):
            self.cancel.raise_if_cancelled()
            if self.model_unusable:
                for ti, _spans in needs[i:]:
                    self.untranslated += 1
                    results[ti] = self.glossary.protect(sources[ti])
                break
            group: list[tuple[int, list[tuple[int, int]]]] = []
            n_jobs = 0
            while i < len(needs) and (not group or n_jobs + len(needs[i][1]) <= WINDOW):
                group.append(needs[i])
                n_jobs += len(needs[i][1])
                i += 1
            jobs = [(ti, s, e) for ti, spans in group for s, e in spans]
            prepared = [self._prepare(sources[ti][s:e]) for ti, s, e in jobs]
            run = generate_batch(self.model, [p.text for p, _ in prepared], [q for _, q in prepared], self.cancel)
            t0 = time.perf_counter()
            n_tokens = 0
            shown = prompting.InOrder(len(jobs), "block")
            for j, piece in run:
                yield from shown.feed(j, piece)
                if piece is None:
                    n_tokens += finished(run, j).n_tokens
            self.cancel.raise_if_cancelled()
            yield Stats(tokens=n_tokens, seconds=time.perf_counter() - t0)
            j = 0
            for ti, spans in group:
                source = sources[ti]
                if self.model_unusable:
                    self.untranslated += 1
                    results[ti] = self.glossary.protect(source)
                    j += len(spans)
                    continue
                parts, ok = [], True
                for s, e in spans:
                    r = finished(run, j)
                    j += 1
                    result = self._judge(source[s:e], r.text, r.stop_reason)
                    if result is None:
                        ok = False
                        result = self.glossary.protect(source[s:e])
                    parts.append((s, e, result))
                results[ti] = self._join(source, parts, ok)
            yield from progress()
        return [r if r is not None else "" for r in results]

    def _join(self, source: str, parts: list[tuple[int, int, str]], ok: bool) -> str:
        # keep the whitespace/newlines between the translated spans
        text, pos = "", 0
        for s, e, r in parts:
            text += source[pos:s] + r
            pos = e
        text += source[pos:]
        if ok:
            self.translated += 1
            self.failures_in_a_row = 0
        else:
            self.untranslated += 1
            self.failures_in_a_row += 1
            if self.translated == 0 and self.failures_in_a_row >= GIVE_UP_AFTER:
                self.model_unusable = True   # stop spending time on a model that never works here
        return text

    def _spans(self, source: str) -> list[tuple[int, int]]:
        engine = self.model
        e = prompting.entry("translate", self.direction, engine)
        budget = min(engine.n_ctx() // 3, int(e.get("max_input_tokens", 400)))
        if engine.count_tokens(source) <= budget:
            return [(0, len(source))]
        ratio = len(source) / max(1, engine.count_tokens(source))
        return list(chunk_spans(source, max(50, int(budget * ratio * 0.9))))

    def _prepare(self, piece: str):
        """(prompt, params) for the model translation of ``piece`` (glossary terms protected)."""
        engine = self.model
        protected = self.glossary.protect(piece)
        prompt = prompting.build("translate", self.direction, engine, cancel=self.cancel, text=protected)
        src_tokens = engine.count_tokens(protected)
        max_tokens = min(prompt.max_tokens, 3 * src_tokens + 16)
        return prompt, prompting.params_for(engine, prompt, expect_language=self.target_lang,
                                            max_tokens=max_tokens)

    def _judge(self, piece: str, output: str, stop_reason) -> str | None:
        """The model's translation of ``piece`` with glossary enforced, or None if unusable."""
        engine = self.model
        text = output.strip()
        scaffold = prompting.build("translate", self.direction, engine, text="").text
        bad: str | None = weakness(text, stop_reason, lang=self.target_lang, scaffold=scaffold)
        if bad is None and self.direction == "ja-en" and copied_from(text, piece, 4) > 0.5:
            bad = "echo"
        if bad is None and invented_numbers(text, piece, kanji_in_output=self.direction == "ja-en"):
            bad = "invented_number"   # dates, article numbers, amounts must come from the source
        if bad is not None:
            return None
        missing = self.glossary.missing(piece, text)
        if missing:
            # repair: a source term the model left untranslated is replaced by its target term
            for src, tgt in missing:
                text = text.replace(src, tgt)
            if self.glossary.missing(piece, text):
                return None
            self.repaired += 1
        return text


def save_translation_docx(result: TranslationResult, target) -> None:
    """Write the translated blocks (headings, paragraphs, list items, tables) atomically;
    a machine translation says so in the page header and in the document properties, and
    each sentence whose negation may have flipped is highlighted with a comment that quotes
    its source."""
    header, comments = mt_note(result)
    marks: dict[str, list[tuple[str, str]]] = {}
    if result.review:
        for item in review_items(result.source.blocks, result.blocks, result.direction, result.review):
            marks.setdefault(item.block_id, []).append((item.target, review_comment(item)))
    write_docx(result.blocks, target, title=result.source.title or None,
               header_lines=header, comments=comments, marks=marks)
