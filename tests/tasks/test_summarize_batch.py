"""要約's map phase through llm.batch: chunks finishing in any order give the same summary."""
from __future__ import annotations

from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.events import Progress, Stats, TextDelta
from gennai_desktop.tasks.summarize import summarize
from tests.support.fake_engine import FakeEngine, instruct_spec
from tests.support.batch_fake import ReversedBatchEngine


def _reply(prompt: str) -> str:
    # answer with the first article of the chunk, so each chunk's point is its own
    body = prompt.split("文書:\n")[-1]
    first = body.split("。")[0].split("\n")[-1].strip()
    return first + "。"


def _doc() -> Document:
    paras = [f"第{i}条の規定により、職員は年次休暇{i}日を請求することができる。" for i in range(1, 200)]
    return Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(paras)])


def test_batched_map_phase_equals_the_sequential_one():
    doc = _doc()
    seq = FakeEngine(reply=_reply, ctx=600, spec=instruct_spec())
    batched = ReversedBatchEngine(reply=_reply, ctx=600, spec=instruct_spec())
    r_seq = list(summarize(doc, seq, style="bullets"))[-1].result
    events = list(summarize(doc, batched, style="bullets"))
    r_bat = events[-1].result
    n_chunks = batched.batches[0]
    assert n_chunks > 5 and r_seq.method == r_bat.method == "model"
    assert [p.text for p in r_bat.points] == [p.text for p in r_seq.points]
    assert [p.citations for p in r_bat.points] == [p.citations for p in r_seq.points]
    assert sorted(batched.prompts[:n_chunks]) == sorted(seq.prompts[:n_chunks])
    maps = [e for e in events if isinstance(e, Progress) and e.stage == "summary.stage.map"]
    assert [e.done for e in maps] == list(range(n_chunks + 1)) + [n_chunks]   # one per finished chunk
    # the stream shows the chunks in document order although they ended last-first
    shown = "".join(e.text for e in events if isinstance(e, TextDelta) and e.channel == "chunk")
    assert shown == "".join(_reply(p) + "\n" for p in seq.prompts[:n_chunks])
    assert any(isinstance(e, Stats) and e.tokens > 0 for e in events)
