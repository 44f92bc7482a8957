"""校正's model pass through llm.batch: same findings whatever order the chunks end in."""
from __future__ import annotations

import json

from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.events import Progress
from tests.support.events import run_to_result
from gennai_desktop.tasks.proofread import proofread
from tests.support.fake_engine import FakeEngine, instruct_spec
from tests.support.batch_fake import ReversedBatchEngine


def _reply(prompt: str) -> str:
    # suggest 「行なう」→「行う」 wherever the chunk asked about contains it
    chunk = prompt.rsplit("文章:", 1)[-1] if "文章:" in prompt else prompt
    found = [{"original": "行なう", "suggestion": "行う", "reason": "送り仮名"}] if "行なう" in chunk else []
    return json.dumps({"findings": found}, ensure_ascii=False)


def test_batched_model_pass_equals_the_sequential_one():
    paras = [f"第{i}条 委員会は、必要な調査を行なうものとする。" if i % 3 == 0 else
             f"第{i}条 職員は、規程に従い事務を処理する。" for i in range(60)]
    doc = Document.from_blocks([Block(f"b{i:04d}", "paragraph", t) for i, t in enumerate(paras)])
    seq = run_to_result(proofread(doc, FakeEngine(reply=_reply, spec=instruct_spec()), use_rules=False))
    eng = ReversedBatchEngine(reply=_reply, spec=instruct_spec())
    events = list(proofread(doc, eng, use_rules=False))
    bat = events[-1].result
    key = [(f.start, f.end, f.suggestion) for f in bat.findings]
    assert key == [(f.start, f.end, f.suggestion) for f in seq.findings]
    assert len(key) >= 3 and all(doc.text[s:e] == "行なう" for s, e, _ in key)
    assert eng.batches and eng.batches[0] > 1
    done = [e.done for e in events if isinstance(e, Progress) and e.stage == "proofread.stage.model"]
    assert done == list(range(eng.batches[0] + 1)) + [eng.batches[0]]
