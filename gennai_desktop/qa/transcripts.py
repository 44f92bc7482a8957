"""質問 over meeting transcripts kept in the encrypted history (議事録 results).

Why: 「先月の打合せで予算はいくらと言っていたか」 is a question about recordings, and only their
transcripts are kept (never the audio). Each 議事録 entry becomes a Document — one block per
utterance, headed by the meeting's title and the time it was said — and is indexed in memory
with the same passages and BM25 as a folder (``TranscriptIndex``), so ``answer.ask`` answers
with the same support check and citations that say which meeting and when.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

from ..asr.transcript import short_clock
from ..core.cancel import NEVER, CancelToken
from ..core.document import Block, Document
from ..core.events import Done, TaskEvent
from .answer import ask
from .index import FileEntry, FolderIndex, UpdateReport, passage_terms
from .passages import doc_context, make_passages
from .retrieval import Postings
from .store import MemoryStore

SOURCE = "transcripts"          # the pseudo-source the 質問 tab shows for this mode


def transcript_document(entry: Any) -> Document | None:
    """One history entry (task "minutes") as a Document, or None when it has no transcript."""
    data = (getattr(entry, "payload", None) or {}).get("minutes") or {}
    utterances = (data.get("transcript") or {}).get("utterances") or []
    if not utterances:
        return None
    title = str(data.get("title") or getattr(entry, "title", "") or "議事録")
    when = time.strftime("%Y-%m-%d", time.localtime(float(getattr(entry, "created", 0) or 0)))
    heading = f"{title}（{when}）"
    blocks = [Block(id="h", kind="heading", text=heading, level=1)]
    for i, u in enumerate(utterances):
        who = f"{u.get('speaker')}：" if u.get("speaker") else ""
        at = short_clock(float(u.get("start", 0)))
        blocks.append(Block(id=f"{at}#{i}", kind="paragraph", text=f"{who}{u.get('text', '')}",
                            heading_path=(heading,)))
    return Document.from_blocks(blocks, fmt="txt", title=heading)


class TranscriptIndex(FolderIndex):
    """A FolderIndex whose "files" are history entries, built in memory (nothing on disk)."""

    def __init__(self, entries: Iterable[Any]) -> None:
        super().__init__(SOURCE, MemoryStore())
        for e in entries:
            doc = transcript_document(e)
            if doc is None:
                continue
            passages = make_passages(doc, split_paragraphs=self.options.split_paragraphs)
            postings = Postings.build(passage_terms(passages, doc_context(doc), self.options))
            key = doc.title if doc.title not in self.entries else f"{doc.title}#{getattr(e, 'id', len(self.entries))}"
            self.entries[key] = FileEntry(key, 0, 0, "", passages, postings, len(doc.text))
            self.collection.add(postings)

    def update(self, cancel: CancelToken = NEVER) -> Iterator[TaskEvent]:
        yield Done(UpdateReport())


def history_transcripts(store: Any, limit: int = 500) -> list[Any]:
    """The 議事録 entries of the encrypted history, newest first."""
    return [e for e in store.list_results(limit=limit) if e.task == "minutes"]


def ask_transcripts(question: str, engine=None, *, store: Any, cancel: CancelToken = NEVER) -> Iterator[TaskEvent]:
    """``answer.ask`` over every transcript in the history."""
    index = TranscriptIndex(history_transcripts(store))
    return ask(SOURCE, question, engine, index=index, cancel=cancel)
