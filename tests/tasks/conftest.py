"""Fixtures for task tests: hand-built documents, fake engines, the real bundled model."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gennai_desktop.core.document import Block, Document, table_text
from gennai_desktop.llm.base import ModelSpec
from tests.support.fake_engine import FakeEngine, instruct_spec



def make_doc(fmt: str = "docx") -> Document:
    """A small official-style document with headings, paragraphs, pages and a table."""
    rows = (("区分", "期限"), ("申請書", "五月一日"))
    blocks = [
        Block("b0000", "heading", "第一章　総則", level=1, page=1),
        Block("b0001", "paragraph", "この規程は、職員の勤務時間、休日及び休暇に関し必要な事項を定めるものとする。",
              page=1, heading_path=("第一章　総則",)),
        Block("b0002", "paragraph", "職員の勤務時間は、休憩時間を除き、一週間当たり三十八時間四十五分とする。",
              page=1, heading_path=("第一章　総則",)),
        Block("b0003", "heading", "第二章　休暇", level=1, page=2),
        Block("b0004", "paragraph", "年次休暇は、一の年ごとに二十日とし、職員の請求する時季に与えるものとする。",
              page=2, heading_path=("第二章　休暇",)),
        Block("b0005", "list_item", "病気休暇は、職員が負傷又は疾病のため療養する必要がある場合に与える。",
              page=2, heading_path=("第二章　休暇",)),
        Block("t0006", "table", table_text(rows), rows=rows, page=3, heading_path=("第二章　休暇",)),
        Block("b0007", "paragraph", "特別休暇の種類及び期間は、人事院規則で定めるところによる。",
              page=3, heading_path=("第二章　休暇",)),
    ]
    if fmt != "pdf":
        blocks = [replace(b, page=None) for b in blocks]
    return Document.from_blocks(blocks, fmt=fmt, title="勤務時間規程")  # type: ignore[arg-type]


@pytest.fixture
def doc() -> Document:
    return make_doc("docx")


@pytest.fixture
def pdf_doc() -> Document:
    return make_doc("pdf")


def chat_spec() -> ModelSpec:
    return ModelSpec(id="chat-fake", path=Path("/dev/null"), name_ja="対話", name_en="chat",
                     instruction_tuned=True, prompt_style="chat", domestic=True)


def fake(reply, **kw) -> FakeEngine:
    """A model whose passes run: instruction-tuned unless the test passes its own spec."""
    kw.setdefault("spec", instruct_spec())
    return FakeEngine(reply=reply, **kw)


@pytest.fixture(scope="session")
def bundled_engine(bundled_model_file):
    """The real bundled Gemma 3 270M through the runner process, as the app runs it."""
    from gennai_desktop.llm.bundled import bundled_model_spec
    from gennai_desktop.llm.runner import RunnerEngine
    eng = RunnerEngine(bundled_model_spec(bundled_model_file), n_threads=2, n_ctx=2048)
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def tiny_engine(tmp_path_factory):
    """The real LlamaEngine on a tiny random-weight GGUF (random output, real grammar/streaming)."""
    from gennai_desktop.llm.engine import LlamaEngine
    from tests.support.tiny_gguf import make_tiny_gguf
    path = make_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf", context_length=1024)
    spec = ModelSpec(id="tiny", path=path, name_ja="テスト", name_en="tiny")
    eng = LlamaEngine(spec, n_threads=1, n_ctx=1024)
    yield eng
    eng.close()
