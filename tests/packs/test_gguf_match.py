"""A GGUF must pass the header check and match its manifest before anything loads it."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.core.errors import SecurityError
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.gguf_match import check_against_manifest, sha256_file
from gennai_desktop.packs.manifest import load_manifest, parse_manifest
from tests.support.tiny_gguf import all_malformed, make_tiny_gguf


@pytest.fixture
def pack(world):
    folder = world.build()
    return folder / "model.gguf", load_manifest(folder / "manifest.json")


def test_tiny_pack_matches_its_manifest(pack):
    gguf, manifest = pack
    info = check_against_manifest(gguf, manifest)
    assert (info.architecture, info.block_count, info.quantisation) == ("llama", 2, "F32")


@pytest.mark.parametrize("field,value", [("architecture", "gemma3"), ("context_length", 8192),
                                         ("block_count", 3), ("quantisation", "Q4_K_M")])
def test_each_fact_must_match(pack, field, value):
    gguf, manifest = pack
    data = json.loads(manifest.to_json())
    data[field] = value
    if field == "context_length":
        data["default_context"] = 256
    with pytest.raises(PackError) as ei:
        check_against_manifest(gguf, parse_manifest(json.dumps(data).encode()))
    assert ei.value.key == "packs.error.gguf_mismatch" and ei.value.params["field"] == field


def test_changed_byte_is_caught_by_the_hash(pack, tmp_path):
    gguf, manifest = pack
    data = bytearray(gguf.read_bytes())
    data[-5] ^= 0xFF                          # inside tensor data: the header still parses
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(bytes(data))
    check_against_manifest(bad, manifest, full_hash=False)   # header + facts alone cannot see it
    with pytest.raises(PackError) as ei:
        check_against_manifest(bad, manifest)
    assert ei.value.params["field"] == "sha256"


def test_malformed_ggufs_are_rejected_before_loading(pack, tmp_path):
    gguf, manifest = pack
    variants = all_malformed(gguf, tmp_path / "bad")
    assert len(variants) >= 15
    for name, path in variants.items():
        data = json.loads(manifest.to_json())
        data["gguf"].update(size=path.stat().st_size, sha256=sha256_file(path))  # signed as-is by a rogue vendor
        if path.stat().st_size == 0:
            with pytest.raises(SecurityError):                # an empty model cannot even be described
                parse_manifest(json.dumps(data).encode())
            continue
        m = parse_manifest(json.dumps(data).encode())
        with pytest.raises(PackError) as ei:
            check_against_manifest(path, m)
        assert ei.value.key in ("packs.error.gguf_rejected", "packs.error.gguf_mismatch"), name
        assert ei.value.message("en")


def test_embedded_chat_template_never_reaches_the_spec(world, tmp_path):
    payload = "{{ cycler.__init__.__globals__.os.system('touch /tmp/pwned-gennai') }}"
    src = make_tiny_gguf(tmp_path / "evil.gguf", chat_template=payload)
    folder = world.build("acme-evil", gguf=src, chat_format="gemma")
    manifest = load_manifest(folder / "manifest.json")
    info = check_against_manifest(folder / "model.gguf", manifest)
    assert info.chat_template == payload                       # present in the file …
    spec = manifest.to_model_spec(folder / "model.gguf")
    assert spec.chat_template is None and spec.chat_format == "gemma"   # … but never used
