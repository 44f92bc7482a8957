"""翻訳 through llm.batch: same translation whatever order batched pieces end in; give-up."""
from __future__ import annotations

from gennai_desktop.core.document import Block, Document
from gennai_desktop.core.events import Progress
from tests.support.events import run_to_result
from gennai_desktop.tasks import translate as translate_mod
from gennai_desktop.tasks.translate import translate
from tests.support.fake_engine import FakeEngine
from tests.support.batch_fake import ReversedBatchEngine


def _reply(prompt: str) -> str:
    # a usable answer, different per block (the block's number spelled out)
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    digits = [c for c in prompt.rsplit("第", 1)[-1] if c.isdigit()][:2]
    return "The committee held meeting " + " ".join(words[int(d)] for d in digits) + " on Monday."


def _doc(n: int) -> Document:
    blocks = [Block(f"b{i:04d}", "paragraph", f"委員会は月曜日に第{i}回の会合を開催した。") for i in range(n)]
    blocks.append(Block("t0", "table", "区分\t期限", rows=(("区分", "期限"), ("申請書", "五月一日"))))
    return Document.from_blocks(blocks)


def test_batched_translation_equals_the_sequential_one():
    doc = _doc(40)
    seq = run_to_result(translate(doc, FakeEngine(reply=_reply)))
    eng = ReversedBatchEngine(reply=_reply)
    events = list(translate(doc, eng))
    bat = events[-1].result
    assert [b.text for b in bat.blocks] == [b.text for b in seq.blocks]
    assert bat.blocks[-1].rows == seq.blocks[-1].rows and bat.method == seq.method == "model"
    assert len(eng.batches) >= 3 and max(eng.batches) <= translate_mod.WINDOW
    done = [e.done for e in events if isinstance(e, Progress)]
    assert done == sorted(done) and done[-1] == len(doc.blocks)


def test_a_model_that_never_works_is_given_up_after_one_window():
    doc = _doc(60)
    eng = ReversedBatchEngine(reply=lambda p: "。。。")
    result = run_to_result(translate(doc, eng))
    assert "translate.notice.gave_up" in result.notices
    # the rest is kept as source without asking the model: at most one window past the limit
    assert len(eng.prompts) <= translate_mod.GIVE_UP_AFTER + translate_mod.WINDOW
    assert [b.text for b in result.blocks[:60]] == [b.text for b in doc.blocks[:60]]
