"""models/*.draft.json: the domestic packs IT will build validate against the manifest
schema, their pinned chat templates match, pass the app's template check and render a
sample conversation in the sandbox; build-pack takes a draft as its --fields file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gennai_desktop.core.errors import SecurityError
from gennai_desktop.llm.base import Message
from gennai_desktop.llm.templates import check_template, render_pinned, render_reviewed
from gennai_desktop.packs.drafts import GGUF_FILLED, load_draft, manifest_from_draft
from gennai_desktop.packs.errors import PackError

MODELS = Path(__file__).resolve().parents[2] / "models"
DRAFTS = sorted(MODELS.glob("*.draft.json"))
# header facts of the published GGUFs (stand-ins until IT converts them; build-pack reads the real ones)
FACTS = {
    "sarashina2-2-3b-instruct": ("llama", 8192, 36),
    "llm-jp-3-1-13b-instruct4": ("llama", 4096, 40),
    "llama3-1-swallow-8b-instruct": ("llama", 131072, 32),
    "plamo-2-translate": ("plamo2", 4096, 32),
}
CONVERSATION = [Message("system", "あなたは公用文の校正者です。"), Message("user", "次の文を校正してください。"),
                Message("assistant", "はい。"), Message("user", "会議資料を送付して下さい。")]
EXPECT = {  # what each published chat format must show around the last user turn
    "sarashina2-2-3b-instruct": ("<|user|>会議資料を送付して下さい。</s>", "<|assistant|>"),
    "llm-jp-3-1-13b-instruct4": ("### 指示:\n会議資料を送付して下さい。", "\n\n### 応答:\n"),
    "llama3-1-swallow-8b-instruct": ("<|start_header_id|>user<|end_header_id|>\n\n会議資料を送付して下さい。<|eot_id|>",
                                      "<|start_header_id|>assistant<|end_header_id|>\n\n"),
    "plamo-2-translate": ("<|plamo:op|>input lang=English|Japanese\n会議資料を送付して下さい。\n", "<|plamo:op|>output\n"),
}


def test_the_four_domestic_drafts_are_there_and_the_readme_names_them():
    ids = {json.loads(p.read_text(encoding="utf-8"))["id"] for p in DRAFTS}
    assert ids == set(FACTS)
    readme = (MODELS / "README.md").read_text(encoding="utf-8")
    for pack_id in ids:
        assert pack_id in readme
    assert "GENNAI_HOME" in readme and "build-pack" in readme and "gemma3-270m-dev.manifest.json" in readme


@pytest.mark.parametrize("path", DRAFTS, ids=lambda p: p.name)
def test_draft_validates_and_its_template_renders_in_the_sandbox(path):
    fields = load_draft(path)
    assert not any(k in fields for k in GGUF_FILLED)               # build-pack fills those in
    arch, ctx, blocks = FACTS[fields["id"]]
    m = manifest_from_draft(fields, architecture=arch, context_length=ctx, block_count=blocks)
    assert m.domestic and m.instruction_tuned and m.prompt_style == "chat"
    assert m.min_vram_mb > 0 and m.licence and m.default_context <= m.context_length
    spec = m.to_model_spec("/nonexistent/model.gguf")
    if m.chat_template is not None:
        check_template(m.chat_template)
        text = render_pinned(m.chat_template, m.chat_template_sha256, CONVERSATION)
    else:
        assert m.chat_format == "llama3"                            # Swallow reuses the reviewed one
        text = render_reviewed(m.chat_format, CONVERSATION)
    turn, prompt = EXPECT[m.id]
    assert turn in text and text.endswith(prompt)
    assert spec.chat_template_sha256 == m.chat_template_sha256


def test_a_template_changed_after_review_is_refused(tmp_path):
    src = MODELS / "sarashina2-2-3b-instruct.draft.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    (tmp_path / data["chat_template_file"]).write_text(
        (MODELS / data["chat_template_file"]).read_text(encoding="utf-8") + "{{ 'x' }}", encoding="utf-8")
    draft = tmp_path / src.name
    draft.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PackError):
        load_draft(draft)
    guessed = tmp_path / "guessed.draft.json"
    guessed.write_text(json.dumps({**data, "context_length": 8192}), encoding="utf-8")
    with pytest.raises(PackError):
        load_draft(guessed)
    fields = load_draft(MODELS / src.name)
    with pytest.raises(SecurityError):                               # schema still applies
        manifest_from_draft({**fields, "vendor": "SB Intuitions"}, architecture="llama",
                            context_length=8192, block_count=36)


def test_build_pack_reads_a_draft_as_its_fields_file(tmp_path):
    from gennai_desktop.cli import admin as admin_cli
    from gennai_desktop.packs.manifest import load_manifest
    from tests.support.tiny_gguf import make_tiny_gguf
    gguf = make_tiny_gguf(tmp_path / "m.gguf", context_length=8192)
    draft = MODELS / "sarashina2-2-3b-instruct.draft.json"
    rc = admin_cli.main(["build-pack", "--gguf", str(gguf), "--out", str(tmp_path / "p"), "--fields", str(draft)])
    assert rc == 0
    m = load_manifest(tmp_path / "p" / "manifest.json")
    pinned = json.loads(draft.read_text(encoding="utf-8"))["chat_template_sha256"]
    assert m.id == "sarashina2-2-3b-instruct" and m.chat_template_sha256 == pinned
    assert m.gguf.size == gguf.stat().st_size and m.context_length == 8192
