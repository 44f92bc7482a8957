"""The GGUF header check accepts real and tiny models and refuses every malformed variant."""
from __future__ import annotations

import random
import struct

import pytest

from gennai_desktop.core.errors import ModelError, SecurityError
from gennai_desktop.core.i18n import has_key, tr
from gennai_desktop.llm.gguf_check import DEFAULT_ALLOWED, check_gguf
from tests.support.tiny_gguf import all_malformed, make_tiny_gguf


def test_accepts_tiny_model_and_describes_it(tiny_gguf):
    info = check_gguf(tiny_gguf)
    assert info.architecture == "llama"
    assert info.version == 3
    assert info.context_length == 256
    assert info.block_count == 2
    assert info.tokenizer_model == "llama"
    assert info.vocab_size and info.vocab_size > 256
    assert info.quantisation == "F32"
    assert info.chat_template is None and info.chat_template_sha256 is None
    assert info.size == tiny_gguf.stat().st_size
    assert info.n_tensors == len(info.tensors)
    # every tensor lies inside the file
    assert all(t.offset + t.n_bytes <= info.size for t in info.tensors)


def test_reports_embedded_chat_template_hash(tmp_path):
    import hashlib
    tpl = "{% for m in messages %}{{ m.content }}{% endfor %}"
    info = check_gguf(make_tiny_gguf(tmp_path / "t.gguf", chat_template=tpl))
    assert info.chat_template == tpl
    assert info.chat_template_sha256 == hashlib.sha256(tpl.encode()).hexdigest()


@pytest.mark.bundled
def test_accepts_bundled_gemma(bundled_gguf):
    info = check_gguf(bundled_gguf)
    assert info.architecture == "gemma3"
    assert info.quantisation == "Q4_K_M"
    assert info.block_count == 18
    assert info.context_length == 32768
    assert info.chat_template is None


@pytest.fixture(scope="module")
def malformed(tmp_path_factory, tiny_gguf):
    return all_malformed(tiny_gguf, tmp_path_factory.mktemp("malformed"))


EXPECTED_REASON = {
    "truncated": "tensor_out_of_file", "truncated_header": "truncated", "empty": "truncated",
    "bad_magic": "bad_magic", "bad_version": "bad_version", "huge_tensor_count": "too_many_tensors",
    "huge_kv_count": "too_many_kv", "huge_string": "string_too_long", "huge_key": "string_too_long",
    "huge_array": "array_too_long", "bad_value_type": "bad_value_type",
    "offset_past_eof": "tensor_out_of_file", "offset_overflow": "tensor_out_of_file",
    "misaligned": "misaligned", "huge_dims": "bad_tensor", "too_many_dims": "bad_tensor",
    "bad_tensor_type": "bad_tensor", "huge_block_count": "bad_hyperparameter",
    "disallowed_arch": "architecture_not_allowed", "duplicate_token": "bad_vocabulary",
}


def test_every_malformed_variant_is_refused_with_its_reason(malformed):
    assert set(malformed) == set(EXPECTED_REASON)
    for name, path in malformed.items():
        with pytest.raises(SecurityError) as exc:
            check_gguf(path)
        assert exc.value.key == f"llm.gguf.{EXPECTED_REASON[name]}", name
        assert has_key(exc.value.key)
        # messages exist in both languages and name the file
        assert str(path) in exc.value.message("ja") and str(path) in exc.value.message("en")


def test_allow_list_is_a_parameter(malformed, tiny_gguf):
    info = check_gguf(malformed["disallowed_arch"], allowed_architectures=DEFAULT_ALLOWED | {"evilnet"})
    assert info.architecture == "evilnet"
    with pytest.raises(SecurityError):
        check_gguf(tiny_gguf, allowed_architectures=frozenset({"gemma3"}))


def test_duplicate_key_is_refused(tmp_path):
    src = make_tiny_gguf(tmp_path / "a.gguf", extra_kv={"general.namf": "dup"})
    (tmp_path / "dup.gguf").write_bytes(src.read_bytes().replace(b"general.namf", b"general.name"))
    with pytest.raises(SecurityError) as exc:
        check_gguf(tmp_path / "dup.gguf")
    assert exc.value.key == "llm.gguf.duplicate_key"


def test_alignment_is_honoured_and_checked(tmp_path):
    src = make_tiny_gguf(tmp_path / "a.gguf", extra_kv={"general.alignmenX": 32})
    raw = src.read_bytes().replace(b"general.alignmenX", b"general.alignment")
    (tmp_path / "align.gguf").write_bytes(raw)
    assert check_gguf(tmp_path / "align.gguf").alignment == 32
    bad = bytearray(raw)
    j = bad.index(b"general.alignment") + len(b"general.alignment") + 4
    bad[j:j + 4] = struct.pack("<I", 48)  # not a power of two
    (tmp_path / "align48.gguf").write_bytes(bytes(bad))
    with pytest.raises(SecurityError) as exc:
        check_gguf(tmp_path / "align48.gguf")
    assert exc.value.key == "llm.gguf.bad_alignment"


def test_missing_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError) as exc:
        check_gguf(tmp_path / "nope.gguf")
    assert exc.value.key == "llm.model.not_found"
    with pytest.raises(ModelError):
        check_gguf(tmp_path)


def test_random_header_corruption_never_crashes(tiny_gguf, tmp_path):
    """Fuzz: flip random bytes in the header; the checker accepts or refuses, nothing else."""
    info = check_gguf(tiny_gguf)
    data = tiny_gguf.read_bytes()
    rng = random.Random(1234)
    refused = 0
    target = tmp_path / "fuzz.gguf"
    for _ in range(400):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(info.data_offset)] = rng.randrange(256)
        target.write_bytes(bytes(buf))
        try:
            check_gguf(target)
        except SecurityError:
            refused += 1
    assert refused > 0


def test_message_keys_exist_in_both_languages():
    for reason in set(EXPECTED_REASON.values()) | {"malformed", "bad_string", "bad_key", "duplicate_key",
                                                   "bad_alignment", "no_architecture", "tensor_layout"}:
        key = f"llm.gguf.{reason}"
        assert has_key(key)
        assert tr(key, lang="en", path="p", detail="d") != tr(key, lang="ja", path="p", detail="d")


# Hyperparameter edits that pass a purely structural check. Values marked "refuse" made
# llama.cpp abort the whole process (found by fuzzing); the rest it rejects or survives itself.
SEMANTIC = {
    "bos_oob": ("tokenizer.ggml.bos_token_id", struct.pack("<I", 99999), "accept"),
    "eos_oob": ("tokenizer.ggml.eos_token_id", struct.pack("<I", 0xFFFFFFFF), "accept"),
    "head0": ("llama.attention.head_count", struct.pack("<I", 0), "accept"),
    "headkv3": ("llama.attention.head_count_kv", struct.pack("<I", 3), "accept"),
    "ctx0": ("llama.context_length", struct.pack("<I", 0), "accept"),
    "rope0": ("llama.rope.dimension_count", struct.pack("<I", 0), "accept"),
    "embd_big": ("llama.embedding_length", struct.pack("<I", 64), "accept"),
    "blocks3": ("llama.block_count", struct.pack("<I", 3), "accept"),
    "blocks0": ("llama.block_count", struct.pack("<I", 0), "refuse"),
    "eps_nan": ("llama.attention.layer_norm_rms_epsilon", struct.pack("<f", float("nan")), "refuse"),
    "eps_neg": ("llama.attention.layer_norm_rms_epsilon", struct.pack("<f", -1.0), "refuse"),
    "eps_inf": ("llama.attention.layer_norm_rms_epsilon", struct.pack("<f", float("inf")), "refuse"),
}


@pytest.fixture(scope="module")
def semantic_variants(tmp_path_factory, tiny_gguf):
    from tests.support.tiny_gguf import _patch, _read_layout
    lay = _read_layout(tiny_gguf.read_bytes())
    folder = tmp_path_factory.mktemp("semantic")
    out = {}
    for name, (key, blob, verdict) in SEMANTIC.items():
        out[name] = (_patch(tiny_gguf, folder / f"{name}.gguf", [(lay["kvs"][key]["value_at"], blob)]), verdict)
    return out


def test_values_that_crash_llama_cpp_are_refused(semantic_variants):
    for name, (path, verdict) in semantic_variants.items():
        if verdict == "refuse":
            with pytest.raises(SecurityError) as exc:
                check_gguf(path)
            assert exc.value.key == "llm.gguf.bad_hyperparameter", name
        else:
            check_gguf(path)


@pytest.mark.slow
def test_files_the_check_accepts_do_not_crash_llama_cpp(semantic_variants, tiny_gguf, tmp_path):
    """Everything check_gguf lets through either loads or fails cleanly inside llama.cpp."""
    import subprocess
    import sys
    data = tiny_gguf.read_bytes()
    info = check_gguf(tiny_gguf)
    rng = random.Random(99)
    accepted = [p for p, verdict in semantic_variants.values() if verdict == "accept"]
    for i in range(150):  # plus random header corruptions that pass the check
        buf = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            buf[rng.randrange(info.data_offset)] = rng.randrange(256)
        p = tmp_path / f"fuzz{i}.gguf"
        p.write_bytes(bytes(buf))
        try:
            check_gguf(p)
            accepted.append(p)
        except SecurityError:
            pass
    code = ("import sys, llama_cpp\n"
            "for p in sys.argv[1:]:\n"
            "    print(p, flush=True)\n"
            "    try:\n"
            "        m = llama_cpp.Llama(p, n_ctx=64, n_threads=1, verbose=False)\n"
            "        m.create_completion('a', max_tokens=2)\n"
            "        m.close()\n"
            "    except Exception:\n"
            "        pass\n"
            "print('ALL-DONE')\n")
    run = subprocess.run([sys.executable, "-c", code, *map(str, accepted)], capture_output=True, text=True,
                         timeout=300)
    last = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    assert run.returncode == 0 and last == "ALL-DONE", f"llama.cpp died on {last} (rc {run.returncode})"
