"""From the recogniser's segments to sentences: punctuation, 公用文 numerals, word timings.

Whisper returns segments of up to 30 s with one timestamp per sub-word token. A minutes
line is a sentence, so segments are re-cut at 。？！ and at pauses; the tokens of each
sentence are merged into words (SudachiPy morphemes, each timed from its first to its last
token); numerals are rewritten as 公用文 expects (``numerals.arabic_numerals``); a sentence
that ends at a pause without punctuation gets 「。」.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..nlp.morph import tokenize
from .numerals import arabic_numerals
from .transcript import SENTENCE_GAP, TURN_GAP, Utterance, Word, assign_turns

_END = ("。", "？", "！", "?", "!")
_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_WIDE = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"
_SPACE_BETWEEN_JA = re.compile(rf"(?<={_WIDE})\s+(?={_WIDE})")
# What Whisper writes over silence or music when it has nothing to hear (its training
# data's video captions). Dropped only when the whole segment is one of these.
_HALLUCINATIONS = re.compile(r"^(?:ご視聴ありがとうございました|ご清聴ありがとうございました|チャンネル登録.*|"
                             r"字幕.*提供.*|おやすみなさい|(?:\(|（)?(?:音楽|拍手|笑)(?:\)|）)?)[。!！]*$")


def clean_text(text: str) -> str:
    text = _SPACE_BETWEEN_JA.sub("", text.strip())
    text = text.replace("?", "？").replace("!", "！").replace(",", "、") if _JA.search(text) else text
    return arabic_numerals(text).replace("、、", "、")


def _finish(text: str) -> str:
    text = clean_text(text).rstrip("、，, ")
    if text and _JA.search(text) and not text.endswith(_END + ("」", "』", "）")):
        text += "。"
    return text


def _merge_words(text: str, tokens: list[Word]) -> list[Word]:
    """SudachiPy words of ``text`` timed by the recogniser's tokens (matched by character offset)."""
    if not tokens:
        return []
    # character offset → token index, over the tokens' own (uncleaned) text
    raw = "".join(t.text for t in tokens)
    owner: list[int] = []
    for i, t in enumerate(tokens):
        owner.extend([i] * len(t.text))
    words: list[Word] = []
    for m in tokenize(raw):
        if not m.surface.strip():
            continue
        a, b = m.start, m.end - 1
        if a >= len(owner) or b < 0:
            continue
        ts = tokens[owner[max(0, a)]:owner[min(b, len(owner) - 1)] + 1]
        probs = [t.probability for t in ts]
        words.append(Word(m.surface, ts[0].start, ts[-1].end, min(probs) if probs else 1.0))
    return words


def _flush(out: list[Utterance], tokens: list[Word], seg_text: str | None = None,
           seg_span: tuple[float, float] | None = None) -> None:
    if tokens:
        text = _finish("".join(t.text for t in tokens))
        if not text or not text.strip("。、？！"):
            return
        conf = sum(t.probability for t in tokens) / len(tokens)
        out.append(Utterance(start=tokens[0].start, end=tokens[-1].end, text=text,
                             words=_merge_words("".join(t.text for t in tokens).strip(), tokens),
                             confidence=conf))
    elif seg_text and seg_span:
        text = _finish(seg_text)
        if text.strip("。、？！"):
            out.append(Utterance(start=seg_span[0], end=seg_span[1], text=text))


def build_utterances(segments: Iterable[dict[str, Any]], *, turn_gap: float | None = None) -> list[Utterance]:
    """Sentences from the child's segment events ({start, end, text, words: [[w, s, e, p]]}).

    The words of consecutive segments are one stream: Whisper cuts its segments where its
    30-s window or its timestamp tokens fall, often after a 「、」 in mid-sentence, so a
    sentence ends only at 。？！ or at a pause of SENTENCE_GAP (never right after 「、」)."""
    out: list[Utterance] = []
    cur: list[Word] = []
    for seg in segments:
        text = str(seg.get("text", "")).strip()
        if not text or _HALLUCINATIONS.match(text):
            continue
        words = [Word(str(w[0]), float(w[1]), float(w[2]), float(w[3])) for w in seg.get("words") or []]
        if not words:
            _flush(out, cur)
            cur = []
            _flush(out, [], text, (float(seg["start"]), float(seg["end"])))
            continue
        for w in words:
            if cur and w.start - cur[-1].end >= SENTENCE_GAP and not cur[-1].text.rstrip().endswith(("、", ",")):
                _flush(out, cur)
                cur = []
            if cur and w.start - cur[-1].end >= TURN_GAP:
                _flush(out, cur)           # a turn-long silence ends the sentence even after 「、」
                cur = []
            cur.append(w)
            if w.text.rstrip().endswith(_END):
                _flush(out, cur)
                cur = []
    _flush(out, cur)
    if turn_gap is None:
        assign_turns(out)
    else:
        assign_turns(out, turn_gap)
    return out
