"""Machine translation, labelled and checked: the note a saved translation carries, and
the negation check that flags sentences for review.

Why: a translated .docx travels on without the app; whoever opens it must see that a
model wrote it and which one. And the commonest meaning-reversing error of a small
model — a dropped or added 「ない」/"not" — leaves every content word in place, so only
a polarity check can point a reviewer at it. The check flags; it does not change text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.document import Block
from ..core.i18n import tr
from ..nlp.sentences import sentence_spans
from .quality import polarity_flipped

_EN_SENT = re.compile(r"[^.!?]+(?:[.!?]+|$)")


def mt_note(result) -> tuple[list[str], str | None]:
    """(header lines, document comment) for a saved translation; nothing when no model
    translated anything (glossary-only output is the source text, not a translation)."""
    if result.method != "model":
        return [], None
    model = result.model_id or "?"
    lines = [tr("translate.mt_note", lang="ja", model=model), tr("translate.mt_note", lang="en", model=model)]
    comment = tr("translate.mt_property", lang="ja", model=model) + " / " + \
        tr("translate.mt_property", lang="en", model=model)
    return lines, comment


@dataclass(frozen=True)
class ReviewItem:
    """One translated sentence to check: its block, the source sentence, the translation
    (the whole block's text on either side when the sentences could not be paired)."""
    block_id: str
    source: str
    target: str


def _sentences(text: str, lang: str) -> list[str]:
    if lang == "ja":
        return [text[s:e] for s, e in sentence_spans(text)]
    return [m.group().strip() for m in _EN_SENT.finditer(text) if m.group().strip()]


def flipped_sentences(source: str, target: str, direction: str) -> list[int]:
    """Indices of source sentences whose translation seems to have lost or gained a negation.
    Sentences are paired one to one when both sides have as many; otherwise the block is
    compared whole (index 0)."""
    src_lang, tgt_lang = ("ja", "en") if direction == "ja-en" else ("en", "ja")
    src, tgt = _sentences(source, src_lang), _sentences(target, tgt_lang)
    if len(src) == len(tgt) and src:
        return [i for i, (a, b) in enumerate(zip(src, tgt)) if polarity_flipped(a, b, direction)]
    return [0] if polarity_flipped(source, target, direction) else []


def flipped_pairs(source: str, target: str, direction: str) -> list[tuple[str, str]]:
    """(source sentence, translated sentence) pairs whose negation differs; the whole
    texts when the two sides do not have as many sentences."""
    src_lang, tgt_lang = ("ja", "en") if direction == "ja-en" else ("en", "ja")
    src, tgt = _sentences(source, src_lang), _sentences(target, tgt_lang)
    flipped = flipped_sentences(source, target, direction)
    if len(src) == len(tgt) and src:
        return [(src[i].strip(), tgt[i].strip()) for i in flipped]
    return [(source.strip(), target.strip())] if flipped else []


def review_items(source: Sequence[Block], translated: Sequence[Block], direction: str,
                 ids: Sequence[str] | None = None) -> list[ReviewItem]:
    """The sentences behind :func:`polarity_review` (or behind ``ids``, a stored review
    list), so the tab and the saved .docx can name which ones to check, not only how many."""
    wanted = set(polarity_review(source, translated, direction) if ids is None else ids)
    out: list[ReviewItem] = []
    for a, b in zip(source, translated):
        if b.id in wanted:
            out += [ReviewItem(b.id, s, t) for s, t in flipped_pairs(a.text, b.text, direction)]
    return out


def review_comment(item: ReviewItem) -> str:
    """What a reviewer reads next to the sentence (a Word comment): the check and the
    source sentence, in Japanese and in English like the machine-translation note."""
    return "\n".join(tr("translate.review.comment", lang=lang, source=item.source) for lang in ("ja", "en"))


def polarity_review(source: Sequence[Block], translated: Sequence[Block], direction: str) -> list[str]:
    """Ids of translated blocks to review: some sentence's negation differs from the source."""
    out = []
    for a, b in zip(source, translated):
        if b.kind == "table" or not a.text.strip() or a.text == b.text:
            continue          # untranslated (kept as source) text cannot have flipped
        if flipped_sentences(a.text, b.text, direction):
            out.append(b.id)
    return out
