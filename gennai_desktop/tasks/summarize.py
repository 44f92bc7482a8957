"""要約: whole-document summaries with a citation for every point.

Map-reduce over chunks cut on Japanese sentence boundaries, sized from the model's own
context window and tokenizer, so documents far larger than the context (民法, 233,000
characters) are summarised whole. Every point — from the model or extracted — is matched
back to the source sentences it came from and cited by page (PDF) or heading (docx/txt);
points that match nothing in the document are dropped, not shown. Without a usable model
the summary is EXTRACTIVE (the document's own sentences) and says so.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
import time
from collections.abc import Iterator
from typing import Literal

from ..core.cancel import NEVER, Cancelled, CancelToken
from ..core.document import BODY_KINDS, HEADING_KINDS, Block, BlockKind, Document
from ..core.errors import DocumentError
from ..core.events import Done, Notice, Progress, Stats, TaskEvent
from ..core.i18n import get_language, tr
from ..documents.docx_writer import write_docx
from ..llm.base import TextEngine
from ..llm.batch import finished as finished_result
from ..llm.batch import generate_batch
from ..nlp.morph import tokenize
from ..nlp.script import guess_language
from ..nlp.sentences import chunk_spans
from . import docinfo, keyfacts, keypoints, prompting, sentence_shape
from .extractive import SentenceTable, locations, shorten, support
from .model_passes import SpecOnly, model_can_help
from .partial import DeadlineToken
from .quality import weakness
from .results import SummaryPoint, SummaryResult

Style = Literal["bullets", "three_lines", "report"]
Length = Literal["short", "standard", "long"]
LENGTHS: tuple[str, ...] = ("short", "standard", "long")
POINTS = {"bullets": 6, "three_lines": 3, "report": 5}          # at the standard length
_POINTS_BY_LENGTH = {"bullets": {"short": 4, "standard": 6, "long": 10},
                     "three_lines": {"short": 3, "standard": 3, "long": 3},
                     "report": {"short": 3, "standard": 5, "long": 8}}
# 報告: how many points each labelled part (概要 / 経緯 / 今後の予定) may take
REPORT_PARTS = {"short": {"overview": 1, "background": 1, "next": 1},
                "standard": {"overview": 2, "background": 2, "next": 1},
                "long": {"overview": 3, "background": 3, "next": 2}}
PART_ORDER = ("overview", "background", "next")
MIN_SIM = 0.2            # a point must share this much (cosine) with a source sentence
_BULLET = re.compile(r"^\s*(?:[・\-*•●○◦]|[0-9０-９]+[.)．、）]|[一二三四五六七八九十]+[、.．])\s*")


# a longer document has more to tell at the same length choice: one point more from this many
# characters on (a 30-page report, a 白書 chapter), two from the second (a 79-page 補足説明)
LONGER_DOCUMENT = (15_000, 40_000)
# a document of at most two A4 pages (a 通知, a 事務連絡: about 1,200–1,500 characters a
# page) has less to tell: one point fewer than the standard and long choices give
SHORT_DOCUMENT = 3_000


def points_for(style: str, length: str = "standard", chars: int | None = None) -> int:
    """How many points a summary of ``style`` at ``length`` has for a document of ``chars``
    characters (None: not known): the length choice's number, one fewer for a short
    document at the standard and long choices, plus one or two for a long document (never
    for 3行, whose name is its size; at most one more for the short choice)."""
    base = _POINTS_BY_LENGTH[style][length]
    if style == "three_lines" or chars is None:
        return base
    if chars < SHORT_DOCUMENT and length != "short":
        return base - 1
    extra = sum(chars >= n for n in LONGER_DOCUMENT)
    return base + (min(extra, 1) if length == "short" else extra)


def summarize(doc: Document, engine: TextEngine | SpecOnly | None, *, style: Style = "bullets",
              length: Length = "standard", cancel: CancelToken = NEVER, time_limit: float | None = None,
              base_model_passes: bool = False) -> Iterator[TaskEvent]:
    """Summarise ``doc``; yields Progress/TextDelta/Notice/Stats and ends with Done(SummaryResult).

    ``length`` (short / standard / long) sets how many points. Cancelled (or past
    ``time_limit`` seconds) after some chunks were summarised, it ends with the points it
    already has, ``partial=True``; with none yet it raises Cancelled.
    The model's map phase runs only on an instruction-tuned model unless ``base_model_passes``
    (``tasks.model_passes``); otherwise the summary is extractive at once."""
    if length not in LENGTHS:
        raise ValueError(f"unknown summary length: {length}")
    acc = _Acc()
    token = cancel if time_limit is None else DeadlineToken(cancel, time_limit)
    try:
        for ev in _summarize(doc, engine, style, length, token, acc, base_model_passes):
            if isinstance(ev, Progress) and ev.stage == "summary.stage.map":
                acc.chunks_done = ev.done     # the map stage reports each chunk as it starts
            if isinstance(ev, Done) and isinstance(ev.result, SummaryResult):
                ev = Done(_with_info(doc, ev.result))
            yield ev
    except Cancelled:
        if not acc.map_points or acc.table is None:
            raise
        k = points_for(style, length, len(acc.table.doc.text))
        final = _pick(acc.table, acc.map_points, k)
        points = _model_points(acc.table, final, style)
        timed_out = isinstance(token, DeadlineToken) and token.timed_out and not cancel.cancelled
        key = "summary.notice.partial_time" if timed_out else "summary.notice.partial_cancel"
        params = {"done": acc.chunks_done, "total": acc.chunks_total}
        yield Notice(key, params)
        method: Literal["model", "extractive"] = "model" if any(m for _, _, m in final) else "extractive"
        yield Done(_with_info(doc, SummaryResult(points, style, method, render(points, style),
                                                 engine.spec.id if engine is not None else "", [key],
                                                 partial=True, length=length)))


def _with_info(doc: Document, result: SummaryResult) -> SummaryResult:
    """The result with the document's 文書情報 line (``docinfo``) before its points: who issued
    it, when, its number — often in no body sentence, so in no point."""
    found = docinfo.read(doc)
    if found is None:
        return result
    info = SummaryPoint(found.text, found.citations)
    return dataclasses.replace(result, info=info, text=render(result.points, result.style, info=info))


class _Acc:
    """What a run has done so far (read when it is stopped early)."""

    def __init__(self) -> None:
        self.table: SentenceTable | None = None
        self.map_points: list[tuple[str, tuple[int, ...], bool]] = []   # text, sentence ids, from model
        self.chunks_total = 0

        self.chunks_done = 0


def _summarize(doc: Document, engine: TextEngine | SpecOnly | None, style: Style, length: str,
               cancel: CancelToken, acc: _Acc, base_model_passes: bool = False) -> Iterator[TaskEvent]:
    if style not in POINTS:
        raise ValueError(f"unknown summary style: {style}")
    if not doc.text.strip():
        raise DocumentError("summary.error.empty")
    cancel.raise_if_cancelled()
    yield Progress(0, 1, "summary.stage.index")
    table = acc.table = SentenceTable(doc)
    cancel.raise_if_cancelled()
    k = points_for(style, length, len(doc.text))
    if engine is None:
        yield Notice("summary.notice.no_model")
        yield from _extractive(doc, table, style, length, "summary.notice.no_model")
        return
    if isinstance(engine, SpecOnly) or not model_can_help(engine.spec, base_model_passes):
        yield Notice("summary.notice.model_skipped", {"model": engine.spec.id})
        yield from _extractive(doc, table, style, length, "summary.notice.model_skipped", engine.spec.id)
        return
    lang = guess_language(doc.text[:5000])
    notices: list[str] = []
    spans = list(_chunks(doc, engine))
    total = acc.chunks_total = len(spans)
    map_points = acc.map_points
    weak_chunks = 0
    dropped = [0]           # model points with no support in the document (not shown)
    # Every chunk's map prompt goes to the engine at once: it decodes several chunks in one
    # batch (llm.batch) and shares the instruction + example prefix. Chunks end in any order;
    # progress counts finished chunks; the text is shown in document order (prompting.InOrder).
    prompts = [prompting.build("summarize", "map", engine, cancel=cancel, text=_chunk_text(doc, s, e))
               for s, e in spans]
    params = [prompting.params_for(engine, p, expect_language=lang) for p in prompts]
    scaffold = prompting.build("summarize", "map", engine, text="").text
    per_chunk: list[list[tuple[str, tuple[int, ...], bool]]] = [[] for _ in spans]
    yield Progress(0, total, "summary.stage.map", tr("summary.detail.chunk", n=0, total=total))
    cancel.raise_if_cancelled()
    run = generate_batch(engine, [p.text for p in prompts], params, cancel)
    finished = 0
    n_tokens = 0
    t0 = time.perf_counter()
    shown = prompting.InOrder(total, "chunk")
    for j, piece in run:
        yield from shown.feed(j, piece)
        if piece is not None:
            continue
        r = finished_result(run, j)
        finished += 1
        n_tokens += r.n_tokens
        s, e = spans[j]
        chunk_ids = _sentences_in(table, s, e)
        parsed = _parse_points(prompts[j], r.text)
        points = _supported(table, parsed, chunk_ids)
        dropped[0] += len(parsed) - len(points)
        if weakness(r.text, r.stop_reason, lang=lang, scaffold=scaffold) or not points:
            weak_chunks += 1
            for i in keypoints.key_sentences(table, 2, min(chunk_ids, default=0), max(chunk_ids, default=-1) + 1,
                                             with_lists=False):
                per_chunk[j].append((_display(table, i), (i,), False))
        else:
            per_chunk[j].extend((p, ids, True) for p, ids in points)
        # document order, whatever order the chunks finished in; kept current after every
        # chunk so a cancel or time limit returns what is already there (partial result)
        map_points[:] = [pt for pts in per_chunk for pt in pts]
        yield Progress(finished, total, "summary.stage.map", tr("summary.detail.chunk", n=finished, total=total))
    cancel.raise_if_cancelled()
    yield Stats(tokens=n_tokens, seconds=time.perf_counter() - t0)
    yield Progress(total, total, "summary.stage.map")
    if weak_chunks == total:
        yield Notice("summary.notice.model_weak", {"model": engine.spec.id})
        yield from _extractive(doc, table, style, length, "summary.notice.model_weak", engine.spec.id)
        return
    if weak_chunks:
        notices.append("summary.notice.chunks_fallback")
        yield Notice("summary.notice.chunks_fallback", {"count": weak_chunks, "total": total})
    final = None
    if total > 1 or style != "bullets":
        final = yield from _reduce(doc, table, engine, style, lang, map_points, k, cancel, dropped)
        if final is None:
            notices.append("summary.notice.reduce_fallback")
            yield Notice("summary.notice.reduce_fallback")
    if final is None:
        final = _pick(table, map_points, k)
    elif len(final) < k:      # the combined answer was short: add the most central other chunk points
        used = {i for _, ids, _ in final for i in ids}
        rest = [m for m in map_points if not set(m[1]) & used]
        final = final + _pick(table, rest, k - len(final))
    filled = _fill_gaps(table, final, k)
    if len(filled) > len(final):
        notices.append("summary.notice.gaps_filled")
        yield Notice("summary.notice.gaps_filled", {"count": len(filled) - len(final)})
        final = filled
    if dropped[0]:
        notices.append("summary.notice.unsupported_dropped")
        yield Notice("summary.notice.unsupported_dropped", {"count": dropped[0]})
    points = _model_points(table, final, style)
    method: Literal["model", "extractive"] = "model" if any(m for _, _, m in final) else "extractive"
    yield Done(SummaryResult(points, style, method, render(points, style), engine.spec.id, notices, length=length))


def _display(table: SentenceTable, i: int) -> str:
    """Sentence ``i`` as a point: its bullet/number label dropped, whole when it is a whole
    sentence (never cut; only the fallback for a document without one is shortened)."""
    text = shorten(table.sentences[i].text, None if table.whole(i) else keypoints.MAX_CHARS)
    return sentence_shape.ITEM_LABEL.sub("", text, count=1) or text


def _fill_gaps(table: SentenceTable, final: list, k: int) -> list:
    """Model points first; where fewer than ``k`` survived (dropped as unsupported, or the
    model said less), the document's own key sentences fill the gap — none that repeats a
    sentence a point already rests on."""
    if len(final) >= k:
        return final
    used = {i for _, ids, _ in final for i in ids}
    extra = []
    for i in keypoints.key_sentences(table, k + len(used), with_lists=False):
        if i in used or any(float(x) > keypoints.DUPLICATE for x in table.index.pairwise(i, sorted(used))):
            continue
        extra.append((_display(table, i), (i,), False))
        used.add(i)
        if len(final) + len(extra) >= k:
            break
    return sorted(final + extra, key=lambda p: min(p[1]))


def _model_points(table: SentenceTable, final: list, style: str) -> list[SummaryPoint]:
    """(text, sentence ids, from model) → cited points; in a 報告 each gets its part."""
    points = [SummaryPoint(text, locations(table, ids),
                           part=keyfacts.report_part(text) if style == "report" else "")
              for text, ids, _ in final]
    return _in_part_order(points) if style == "report" else points


def _in_part_order(points: list[SummaryPoint]) -> list[SummaryPoint]:
    return sorted(points, key=lambda p: PART_ORDER.index(p.part or "overview"))


def _extractive(doc: Document, table: SentenceTable, style: Style, length: str, reason: str,
                model_id: str = "") -> Iterator[TaskEvent]:
    k = points_for(style, length, len(doc.text))
    parts = None
    if style == "report":        # a long document's extra points go to 概要
        parts = dict(REPORT_PARTS[length])
        parts["overview"] += k - sum(parts.values())
    chosen = keypoints.pick(table, k, prefer_short=style == "three_lines", with_lists=style != "three_lines",
                            parts=parts)
    if not chosen:
        raise DocumentError("summary.error.no_sentences")
    points = []
    notices = [reason, "summary.notice.extractive"]
    for c in chosen:
        if c.item is not None:        # a deck with no prose: a whole list item, cited to its block
            points.append(SummaryPoint(keypoints.item_display(c.item), (doc.locate(c.item.start),),
                                       part=c.part if style == "report" else ""))
            continue
        cites = locations(table, [c.index]) + tuple(doc.locate(b.start) for b in c.items)
        points.append(SummaryPoint(_display(table, c.index), tuple(dict.fromkeys(cites)),
                                   items=tuple(sentence_shape.item_texts(doc, c.items)),
                                   part=c.part if style == "report" else ""))
    if any(c.item is not None for c in chosen):
        notices.append("summary.notice.slide_items")
    if style == "report":
        points = _in_part_order(points)
    yield Progress(1, 1, "summary.stage.extract")
    yield Done(SummaryResult(points, style, "extractive", render(points, style), model_id,
                             notices, length=length))


def _chunks(doc: Document, engine: TextEngine) -> Iterator[tuple[int, int]]:
    """Chunks that fit the context with the map prompt and its answer (counted in model
    tokens), cut where the document's structure is cut: at top-level headings first, then
    at lower headings, then between paragraphs, and only inside a paragraph that alone is
    too long (on a sentence boundary). Spans are offsets into ``doc.text``."""
    e = prompting.entry("summarize", "map", engine)
    overhead = engine.count_tokens(prompting.build("summarize", "map", engine, text="").text)
    budget = engine.n_ctx() - overhead - int(e.get("max_tokens", 256)) - 16
    if e.get("max_input_tokens"):
        budget = min(budget, int(e["max_input_tokens"]))
    if budget < 64:
        budget = 64
    sample = doc.text[:4000]
    chars_per_token = len(sample) / max(1, engine.count_tokens(sample))
    max_chars = max(100, int(budget * chars_per_token * 0.9))
    stack = list(_structure_spans(doc, max_chars))[::-1]
    while stack:
        s, e2 = stack.pop()
        if engine.count_tokens(_chunk_text(doc, s, e2)) <= budget or e2 - s <= 100:
            yield s, e2
            continue
        half = max(100, (e2 - s) // 2)
        stack.extend([(s + a, s + b) for a, b in chunk_spans(doc.text[s:e2], half)][::-1])


def _structure_spans(doc: Document, max_chars: int) -> Iterator[tuple[int, int]]:
    """Consecutive blocks packed into spans of at most ``max_chars`` characters of body text,
    a new span starting at a heading whenever the current one is at least half full (so a
    section is not split from its heading); a block longer than ``max_chars`` is split on
    sentence boundaries."""
    cur_s: int | None = None
    cur_e = 0
    size = 0
    for b in doc.blocks:
        n = len(b.text) if b.kind in BODY_KINDS or b.kind in HEADING_KINDS else 0
        if n > max_chars:
            if cur_s is not None:
                yield cur_s, cur_e
                cur_s, size = None, 0
            yield from ((b.start + a, b.start + z) for a, z in chunk_spans(b.text, max_chars))
            continue
        new_section = b.kind in HEADING_KINDS and size >= max_chars // 2
        if cur_s is not None and (size + n > max_chars or new_section):
            yield cur_s, cur_e
            cur_s, size = None, 0
        if cur_s is None:
            cur_s = b.start
        cur_e = b.end
        size += n
    if cur_s is not None:
        yield cur_s, cur_e


def _chunk_text(doc: Document, s: int, e: int) -> str:
    """What the model reads of span [s, e): headings and body text only — tables, captions,
    references, URLs, picture text and code are not prose to summarise."""
    parts = []
    i = max(0, bisect.bisect_right([b.start for b in doc.blocks], s) - 1)
    for b in doc.blocks[i:]:
        if b.start >= e:
            break
        if b.kind in BODY_KINDS or b.kind in HEADING_KINDS:
            parts.append(doc.text[max(s, b.start):min(e, b.end)])
    return "\n".join(p for p in parts if p.strip()) or doc.text[s:e]


def _sentences_in(table: SentenceTable, s: int, e: int) -> list[int]:
    """Sentences overlapping [s, e): sentences are in text order and do not overlap, so two
    binary searches (a scan of all sentences per chunk made long documents quadratic)."""
    ends = table.ends
    lo = bisect.bisect_right(ends, s)
    hi = bisect.bisect_left(table.starts, e, lo)
    return list(range(lo, hi))


def _parse_points(prompt: prompting.Prompt, text: str) -> list[str]:
    """Model output → point texts (bullets/numbers stripped, blank lines dropped)."""
    lines = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if len(line) < 8 or (line[0] in "（(【" and line[-1] in "）)】") or not _is_statement(line):
            continue   # fragments and copied captions such as （目的） are not statements
        if line not in lines:
            lines.append(line)
    return lines


_PREDICATE = {"動詞", "助動詞", "形容詞"}


def _is_statement(line: str) -> bool:
    """A point must say something: it ends in a predicate (…する。/…とする/…できる), not in a
    noun (…事項, 第三十六条（理由の説明）) or a comma (…に従い、)."""
    if line.endswith(("、", ",", "，")):
        return False
    for m in reversed(tokenize(line)):
        if m.pos0 in ("補助記号", "空白"):
            if m.surface in "）)」』】":
                return False
            continue
        return m.pos0 in _PREDICATE or (m.pos0 == "助詞" and m.pos[1] == "終助詞")
    return False


def _supported(table: SentenceTable, points: list[str], within: list[int] | None):
    """Keep points some source sentence actually says (numbers, entities, content words,
    polarity: ``extractive.support``); pair each with the sentence(s) it was found in."""
    out = []
    for p in points:
        ids = support(table, p, within, MIN_SIM)
        if ids:
            out.append((p, ids))
    return out


def _pick(table: SentenceTable, points, k: int):
    """The ``k`` most central distinct map points, in document order."""
    if len(points) <= k:
        return points
    central = table.index.centrality()
    ranked = sorted(range(len(points)), key=lambda j: -max(float(central[i]) for i in points[j][1]))
    keep: list[int] = []
    for j in ranked:
        if any(set(points[j][1]) & set(points[x][1]) for x in keep):
            continue
        keep.append(j)
        if len(keep) == k:
            break
    return [points[j] for j in sorted(keep, key=lambda j: min(points[j][1]))]


def _reduce(doc, table, engine, style, lang, map_points, k, cancel, dropped):
    """Combine the chunk points into the final style; None when the model's answer is unusable."""
    e = prompting.entry("summarize", "reduce_" + style, engine)
    budget = engine.n_ctx() - int(e.get("max_tokens", 256)) - 64
    chosen = list(map_points)
    while True:
        listing = "\n".join("・" + p for p, _, _ in chosen)
        prompt = prompting.build("summarize", "reduce_" + style, engine, cancel=cancel, points=listing)
        if engine.count_tokens(prompt.text) <= budget or len(chosen) <= k:
            break
        chosen = _pick(table, chosen, max(k, len(chosen) * 2 // 3))
    yield Progress(0, 1, "summary.stage.reduce")
    out = prompting.Output()
    yield from prompting.stream(engine, prompt, prompting.params_for(engine, prompt, expect_language=lang),
                                out, cancel, channel="main")
    yield Progress(1, 1, "summary.stage.reduce")
    scaffold = prompting.build("summarize", "reduce_" + style, engine, points="").text
    if weakness(out.text, out.stop_reason, lang=lang, scaffold=scaffold):
        return None
    parsed = _parse_points(prompt, out.text)
    supported = _supported(table, parsed, None)
    dropped[0] += len(parsed) - len(supported)
    if not supported:
        return None
    out, seen = [], set()
    for p, ids in supported:
        if set(ids) & seen:
            continue          # two points resting on the same sentence say the same thing
        seen.update(ids)
        out.append((p, ids, True))
    return out[:k]


def render(points: list[SummaryPoint], style: Style, lang: str | None = None,
           info: SummaryPoint | None = None) -> str:
    """Display text of a summary in the chosen style, each point with its citations; a
    point's list items follow it, indented. 報告 is labelled 【概要】【経緯】【今後の予定】,
    a part the document says nothing about is said to be empty, not left out. The
    document's 文書情報 (``info``), when it has one, comes first in every style."""
    lang = lang or get_language()

    def cite(p: SummaryPoint) -> str:
        labels = "、".join(dict.fromkeys(c.label(lang).strip() for c in p.citations))
        return f"（{labels}）" if lang == "ja" else f" ({labels})"

    def items(p: SummaryPoint) -> list[str]:
        return [("　・" if lang == "ja" else "    - ") + it for it in p.items]

    lines: list[str] = []
    if info is not None:
        lines.append(tr("summary.info", lang=lang) + info.text + cite(info))
    if style == "report":
        for part in PART_ORDER:
            lines.append(tr(f"summary.part.{part}", lang=lang))
            mine = [p for p in points if (p.part or "overview") == part]
            if not mine:
                lines.append(tr("summary.part.none", lang=lang))
            for n, p in enumerate(mine, 1):
                lines.append(f"{_num(n, lang)}{p.text}{cite(p)}")
                lines.extend(items(p))
        return "\n".join(lines)
    for p in points:
        lines.append(f"・{p.text}{cite(p)}" if style == "bullets" else f"{p.text}{cite(p)}")
        if style == "bullets":
            lines.extend(items(p))
    return "\n".join(lines)


def _num(n: int, lang: str) -> str:
    if lang == "en":
        return f"{n}. "
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "　"


def save_summary_docx(result: SummaryResult, target) -> None:
    """Write the summary as .docx (title, one paragraph/list item per line, 報告 part labels
    as headings), atomically."""
    lang = get_language()
    blocks: list[Block] = [Block(id="b0000", kind="heading", text=tr("summary.doc_title", lang=lang), level=1)]
    labels = {tr(f"summary.part.{p}", lang=lang) for p in PART_ORDER}
    kind: BlockKind = "list_item" if result.style == "bullets" else "paragraph"
    for i, line in enumerate(render(result.points, result.style, lang, result.info).splitlines(), 1):
        if line in labels:
            blocks.append(Block(id=f"b{i:04d}", kind="heading", text=line, level=2))
        else:
            # Word draws the list bullet itself: a 「・」 kept in the text printed 「• ・」
            strip = kind == "list_item" and line.startswith("・")
            blocks.append(Block(id=f"b{i:04d}", kind=kind, text=line[1:] if strip else line))
    if result.method == "extractive":
        blocks.append(Block(id=f"b{len(blocks):04d}", kind="paragraph",
                            text=tr("summary.notice.extractive", lang=lang)))
    write_docx(blocks, target, title=tr("summary.doc_title", lang=lang))
