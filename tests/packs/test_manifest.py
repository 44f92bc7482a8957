"""The manifest format and the bundled development default expressed as a pack."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gennai_desktop.core.errors import SecurityError
from gennai_desktop.core.paths import model_descriptions_dir
from gennai_desktop.llm.base import GenerationParams
from gennai_desktop.packs.manifest import load_manifest, parse_manifest, template_sha256

DEV = model_descriptions_dir() / "gemma3-270m-dev.manifest.json"


def test_dev_default_manifest_describes_the_bundled_base_model():
    m = load_manifest(DEV)
    assert m.gguf.sha256 == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    assert m.gguf.size == 253_113_024
    assert (m.domestic, m.instruction_tuned, m.prompt_style, m.chat_format) == (False, False, "completion", "gemma")
    assert (m.architecture, m.quantisation, m.block_count) == ("gemma3", "Q4_K_M", 18)
    spec = m.to_model_spec(Path("/models/x.gguf"), dev_default=True)
    assert spec.path == Path("/models/x.gguf") and spec.sha256 == m.gguf.sha256
    assert spec.dev_default and not spec.domestic and spec.chat_template is None
    assert "国産ではありません" in spec.label("ja")


def _base() -> dict:
    return json.loads(DEV.read_text(encoding="utf-8"))


def test_pinned_template_reaches_the_spec():
    d = _base()
    tpl = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:"
    d.update(chat_format=None, chat_template=tpl, chat_template_sha256=template_sha256(tpl), prompt_style="chat")
    spec = parse_manifest(json.dumps(d).encode()).to_model_spec("/m.gguf")
    assert spec.chat_template == tpl and spec.chat_template_sha256 == template_sha256(tpl)


@pytest.mark.parametrize("change", [
    {"chat_template": "{{ x }}", "chat_template_sha256": "0" * 64},           # hash does not pin it
    {"chat_template": "{{ x }}"},                                              # not pinned at all
    {"prompt_style": "chat", "chat_format": None},                             # chat without a template
    {"unexpected_field": 1},                                                   # typos never loosen rules
    {"id": "../evil"},                                                         # ids become folder names
    {"version": "1.0/../../x"},
    {"vendor": "Acme Corp"},
    {"gguf": {"filename": "../m.gguf", "size": 1, "sha256": "0" * 64}},
    {"prompts": {"hack": {}}},
    {"block_count": 100_000},
])
def test_invalid_manifests_are_rejected_with_a_clear_key(change):
    d = _base()
    d.update(change)
    with pytest.raises(SecurityError) as ei:
        parse_manifest(json.dumps(d).encode())
    assert ei.value.key == "packs.error.manifest_invalid"
    assert "packs.error" not in ei.value.message("ja")   # a real sentence, not the key


@pytest.mark.bundled
def test_dev_manifest_matches_the_bundled_gguf_header(bundled_model_file):
    """The dev-default pack manifest describes the real bundled file (header facts + size)."""
    from gennai_desktop.packs.gguf_match import check_against_manifest
    info = check_against_manifest(bundled_model_file, load_manifest(DEV), full_hash=False)
    assert (info.architecture, info.context_length, info.quantisation) == ("gemma3", 32768, "Q4_K_M")
    assert info.chat_template is None                     # base model: no embedded template


@pytest.mark.parametrize("task_key", ["summarize", "summarise"])
def test_a_packs_summary_prompt_reaches_the_summary_task(task_key):
    """The manifest's task names and the prompt files' must be one vocabulary (core.tasks):
    a pack's own 要約 prompt is what the summary task renders."""
    from tests.support.fake_engine import FakeEngine
    from gennai_desktop.tasks import prompting
    d = _base()
    d["prompts"] = {task_key: {"map.completion": "PACK要約: {text}"}}
    spec = parse_manifest(json.dumps(d).encode()).to_model_spec("/m.gguf")
    assert set(spec.prompts) == {"summarize"}
    prompt = prompting.build("summarize", "map", FakeEngine(spec=spec), text="本文")
    assert prompt.text == "PACK要約: 本文"


def test_unknown_task_names_are_still_refused():
    d = _base()
    d["prompts"] = {"summery": {"map.completion": "x"}}
    with pytest.raises(SecurityError):
        parse_manifest(json.dumps(d).encode())


def test_generation_is_the_one_generation_params_type_and_serialises_unchanged():
    d = _base()
    d["generation"] = {"max_tokens": 512, "temperature": 1, "top_p": 1.0, "top_k": 0, "repeat_penalty": 1.0}
    m = parse_manifest(json.dumps(d).encode())
    assert m.generation == GenerationParams(max_tokens=512, temperature=1.0, top_p=1.0, top_k=0, repeat_penalty=1.0)
    assert m.to_model_spec("/m.gguf").generation is m.generation
    # the signed JSON carries exactly the sampling keys, nothing of the per-task fields
    assert json.loads(m.to_json())["generation"] == {"max_tokens": 512, "temperature": 1.0, "top_p": 1.0,
                                                     "top_k": 0, "repeat_penalty": 1.0}
    for bad in ({"temperature": 2.5}, {"top_p": 0}, {"seed": 1}, {"stop": ["x"]}):
        d["generation"] = bad
        with pytest.raises(SecurityError):
            parse_manifest(json.dumps(d).encode())
