"""``ask``: answer a question from a document or a folder, citing a page or block per sentence.

Steps: bring the (incremental) index up to date → BM25 retrieval → abstain when the best
passage carries too little of the question (``MIN_COVERAGE``, calibrated on
eval/qa/questions.tsv by eval/qa/score.py) → answer.

* Without a model, or with a model that is not instruction-tuned (the bundled Gemma 3
  270M base model), the answer is EXTRACTIVE: the best passage's own sentences that
  share the question's terms, each cited, and labelled as a quotation.
* With an instruction-tuned model the model writes the answer from the numbered passages
  only; each sentence it writes must then be supported by a retrieved sentence (the
  summary's ``supported_by`` check: numbers and most content words present). Unsupported
  sentences are dropped; if none survives the answer falls back to extractive.

The same generator serves the CLI (`gennai ask`) and the UI tab; it yields Progress and
Notice events, checks the CancelToken between files and steps, and ends with
Done(AnswerResult).
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal

from ..core.cancel import NEVER, CancelToken
from ..core.errors import DocumentError, GennaiError
from ..core.events import Done, Notice, Progress, TaskEvent
from ..core.i18n import tr
from ..nlp.sentences import sentence_spans
from ..tasks import prompting
from ..tasks.extractive import supported_by
from ..tasks.quality import weakness
from ..tasks.similarity import TfidfIndex
from .index import FolderIndex, Hit
from .retrieval import terms
from .store import IndexStore

MIN_COVERAGE = 0.5        # abstain below this share of the question's idf weight (see score.py)
RELATED = 0.6             # other passages cited when their BM25 is ≥ this share of the best
MAX_PASSAGES = 3          # passages given to the model / cited
MAX_ANSWER_SENTENCES = 3
SECOND_PASSAGE = 0.8      # also quote the next passage's best sentence when its score is this close
MIN_SIM = 0.2             # model sentence ↔ retrieved sentence similarity needed for support
_MARKER = re.compile(r"[\[［【（(]\s*[0-9０-９]{1,2}\s*[\]］】）)]")
_NOT_FOUND_MARKS = ("見当たりません", "記載がありません", "書かれていません", "分かりません", "わかりません")


@dataclass(frozen=True)
class Citation:
    file: str
    block: str
    page: int | None
    text: str                 # the cited sentence
    passage_text: str = ""    # the whole passage it belongs to

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"file": self.file}
        if self.page is not None:
            d["page"] = self.page
        else:
            d["block"] = self.block
        d["text"] = self.text
        return d

    def label(self) -> str:
        where = f"{self.page}ページ" if self.page is not None else f"段落 {self.block}"
        return f"{Path(self.file).name} {where}"


@dataclass
class AnswerResult:
    question: str
    answer: str
    abstained: bool
    method: Literal["model", "extractive"]
    citations: list[Citation]             # best first; for a model answer, one per kept sentence first
    sentences: list[tuple[str, Citation]] = field(default_factory=list)   # answer sentence → its source
    model_id: str = ""
    notices: list[str] = field(default_factory=list)                   # i18n keys
    notice_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    best_coverage: float = 0.0

    def notice_texts(self, lang: str | None = None) -> list[str]:
        return [tr(k, lang=lang, **self.notice_params.get(k, {})) for k in self.notices]

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "abstained": self.abstained, "method": self.method,
                "citations": [c.to_json() for c in self.citations]}


class SpecOnly:
    """Stands in for a model that will not be asked because it is not instruction-tuned
    (the bundled base model): ``ask`` reads only its spec, says so in a Notice and answers
    extractively, so neither the CLI nor the UI pays for loading it."""

    def __init__(self, spec) -> None:
        self.spec = spec


def engine_for_ask(spec, load):
    """``load()`` the engine only for an instruction-tuned model; else a ``SpecOnly`` (or None
    without a model)."""
    if spec is None:
        return None
    if not getattr(spec, "instruction_tuned", False):
        return SpecOnly(spec)
    return load()


_INDEXES: dict[str, FolderIndex] = {}
_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def index_for(source: str | os.PathLike[str], store: IndexStore | None = None) -> tuple[FolderIndex, threading.Lock]:
    """The process's index for ``source`` (kept between questions, so asking again only
    re-reads changed files), and the lock that serialises its updates."""
    key = str(Path(source).resolve())
    with _GUARD:
        ix = _INDEXES.get(key)
        if ix is None or (store is not None and ix.store is not store):
            ix = FolderIndex(key, store)
            _INDEXES[key] = ix
            _LOCKS[key] = threading.Lock()
        return ix, _LOCKS[key]


def ask(source: str | os.PathLike[str], question: str, engine=None, *, index: FolderIndex | None = None,
        store: IndexStore | None = None, cancel: CancelToken = NEVER, k: int = 5) -> Iterator[TaskEvent]:
    """Answer ``question`` from the file or folder ``source``; ends with Done(AnswerResult)."""
    question = (question or "").strip()
    if not question:
        raise GennaiError("qa.error.empty_question")
    if not Path(source).exists():
        raise DocumentError("qa.error.not_found", path=str(source))
    cancel.raise_if_cancelled()
    lock: threading.Lock | None = None
    if index is None:
        index, lock = index_for(source, store)
    if lock is not None:
        lock.acquire()
    try:
        for ev in index.update(cancel):
            if not isinstance(ev, Done):
                yield ev
        if not index.entries:
            raise DocumentError("qa.error.no_documents", path=str(source))
        cancel.raise_if_cancelled()
        yield Progress(0, 1, "qa.stage.search")
        q = terms(question, index.options.multi_granular)
        hits = index.search(question, k, q)
    finally:
        if lock is not None:
            lock.release()
    yield Progress(1, 1, "qa.stage.search")
    best = hits[0].coverage if hits else 0.0
    if not hits or best < MIN_COVERAGE:
        yield Done(_abstain(question, engine, best))
        return
    related = [h for h in hits if h.coverage >= MIN_COVERAGE and h.score >= RELATED * hits[0].score][:MAX_PASSAGES]
    notices: list[str] = []
    if engine is None:
        notices.append("qa.notice.no_model")
        yield Notice("qa.notice.no_model")
    elif not getattr(engine.spec, "instruction_tuned", False):
        notices.append("qa.notice.model_not_instruction")
        yield Notice("qa.notice.model_not_instruction", {"model": engine.spec.id})
    else:
        result = yield from _model_answer(question, engine, related, q, notices, cancel)
        if result is not None:
            result.best_coverage = best
            result.notice_params = {"qa.notice.unsupported_dropped": {"count": result.notice_params.get("dropped", 0)}}
            yield Done(result)
            return
    model_id = getattr(getattr(engine, "spec", None), "id", "")
    result = _extractive(question, related, q, notices, model_id, best, index.collection.idf)
    result.notice_params = {"qa.notice.model_not_instruction": {"model": model_id}}
    yield Done(result)


def _abstain(question: str, engine, best: float) -> AnswerResult:
    return AnswerResult(question, tr("qa.abstain"), True, "extractive", [],
                        model_id=getattr(getattr(engine, "spec", None), "id", ""), best_coverage=best)


def _cite(hit: Hit, i: int) -> Citation:
    s = hit.passage.sentences[i]
    return Citation(hit.file, s.block, s.page, s.text, hit.passage.text)


def _sentence_weights(hit: Hit, q: list[str], idf) -> list[float]:
    """idf weight of the question terms each sentence of ``hit`` carries."""
    qset = set(q)
    return [sum(idf(w) for w in set(terms(s.text)) & qset) for s in hit.passage.sentences]


def _best_sentence(hit: Hit, q: list[str], idf) -> int:
    w = _sentence_weights(hit, q, idf)
    return max(range(len(w)), key=lambda i: (w[i], -i)) if w else 0


def _extractive(question: str, related: list[Hit], q: list[str], notices: list[str], model_id: str,
                best: float, idf) -> AnswerResult:
    """The best passage's sentences that carry most of the question's terms (reading order),
    plus the best sentence of the next passage when it scores almost as high (score.py:
    the quoted sentences contain the labelled answer 0.67 → 0.75)."""
    top = related[0]
    weights = _sentence_weights(top, q, idf)
    peak = max(weights, default=0.0)
    picked = [i for i, w in enumerate(weights) if peak > 0 and w >= 0.5 * peak][:MAX_ANSWER_SENTENCES] or [0]
    sentences = [(top.passage.sentences[i].text, _cite(top, i)) for i in picked]
    if SECOND_PASSAGE and len(related) > 1 and related[1].score >= SECOND_PASSAGE * top.score:
        nxt = related[1]
        i = _best_sentence(nxt, q, idf)
        sentences.append((nxt.passage.sentences[i].text, _cite(nxt, i)))
    citations = [c for _, c in sentences]
    for h in related[1:]:
        c = _cite(h, _best_sentence(h, q, idf))
        if c not in citations:
            citations.append(c)
    notices = notices + ["qa.notice.extractive"]
    answer = tr("qa.label.extractive") + "\n" + "\n".join(f"「{t}」（{c.label()}）" for t, c in sentences)
    return AnswerResult(question, answer, False, "extractive", citations, sentences, model_id, notices,
                        best_coverage=best)


def _passages_block(related: list[Hit]) -> str:
    return "\n".join(f"[{n}] " + h.passage.text.replace("\n", "") for n, h in enumerate(related, 1))


def _model_answer(question: str, engine, related: list[Hit], q: list[str], notices: list[str],
                  cancel: CancelToken):

    yield Progress(0, 1, "qa.stage.answer")
    prompt = prompting.build("qa", "answer", engine, passages=_passages_block(related), question=question)
    out = prompting.Output()
    yield from prompting.stream(engine, prompt, prompting.params_for(engine, prompt, expect_language="ja"),
                                out, cancel, channel="main")
    yield Progress(1, 1, "qa.stage.answer")
    scaffold = prompting.build("qa", "answer", engine, passages="", question="").text
    if weakness(out.text, out.stop_reason, lang="ja", scaffold=scaffold):
        notices.append("qa.notice.model_weak")
        yield Notice("qa.notice.model_weak")
        return None
    text = out.text.strip()
    if any(m in text for m in _NOT_FOUND_MARKS) and len(text) < 60:
        return AnswerResult(question, tr("qa.abstain"), True, "model", [], model_id=engine.spec.id,
                            notices=notices)
    sources = [(h, i) for h in related for i in range(len(h.passage.sentences))]
    table = TfidfIndex([h.passage.sentences[i].text for h, i in sources])
    kept: list[tuple[str, Citation]] = []
    dropped = 0
    for s, e in sentence_spans(text):
        sent = text[s:e]
        # the prompt numbers the passages; a model may cite them as [1] — that is not content
        sent = _MARKER.sub("", sent).strip().lstrip("・-* ")
        if len(sent) < 4:
            continue
        scores = table.scores(sent)
        order = [int(j) for j in scores.argsort()[::-1][:2] if float(scores[j]) >= MIN_SIM]
        if order and supported_by(sent, [sources[j][0].passage.sentences[sources[j][1]].text for j in order]):
            h, i = sources[order[0]]
            kept.append((sent, _cite(h, i)))
        else:
            dropped += 1
    if not kept:
        notices.append("qa.notice.model_unsupported")
        yield Notice("qa.notice.model_unsupported")
        return None
    if dropped:
        notices.append("qa.notice.unsupported_dropped")
        yield Notice("qa.notice.unsupported_dropped", {"count": dropped})
    citations: list[Citation] = []
    for _, c in kept:
        if c not in citations:
            citations.append(c)
    for h in related:
        c = _cite(h, 0)
        if all(x.passage_text != c.passage_text for x in citations):
            citations.append(c)
    answer = "\n".join(f"{s}（{c.label()}）" for s, c in kept)
    return AnswerResult(question, answer, False, "model", citations, kept, engine.spec.id, notices,
                        notice_params={"dropped": dropped})
