"""Tiny random-weight GGUF models for fast engine tests (no real weights, no GPU).

``make_tiny_gguf`` writes a ~100 KB llama-architecture model with a SentencePiece-style
vocabulary that has all 256 byte-fallback tokens, so llama.cpp can tokenize any Japanese or
ASCII text. Its output is random but deterministic for a given seed. The ``corrupt_*`` helpers
build the malformed variants the GGUF header checker must reject.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

# Small vocabulary: specials, 256 byte tokens, then a handful of whole pieces.
_PIECES = ["▁", "▁the", "▁a", "e", "t", "a", "o", "n", "s", "。", "、", "の", "は", "を", "に", "です",
           "ます", "▁is", "▁of", "▁and", "{", "}", "\"", ":", ",", "0", "1", "2", "true", "false",
           "[", "]", "▁\"", "a\"", "\":", "▁{"]
N_EMBD = 32
N_HEAD = 4
N_FF = 64
N_LAYER = 2


def _vocab() -> tuple[list[str], list[float], list[int]]:
    tokens = ["<unk>", "<s>", "</s>"]
    types = [2, 3, 3]  # UNKNOWN, CONTROL, CONTROL
    for b in range(256):
        tokens.append(f"<0x{b:02X}>")
        types.append(6)  # BYTE
    for p in _PIECES:
        tokens.append(p)
        types.append(1)  # NORMAL
    scores = [0.0] * 3 + [0.0] * 256 + [-float(i + 1) for i in range(len(_PIECES))]
    return tokens, scores, types


def make_tiny_gguf(path: str | Path, *, arch: str = "llama", chat_template: str | None = None,
                   context_length: int = 256, seed: int = 0, extra_kv: dict | None = None,
                   omit_tensors: tuple[str, ...] = ()) -> Path:
    """Write a tiny llama-compatible GGUF at ``path`` and return it.

    ``arch`` is written as ``general.architecture`` (and as the key prefix); only "llama"
    is loadable by llama.cpp, other names exist to test the architecture allow-list.
    ``extra_kv`` adds string/int/float/bool metadata (e.g. ``{"general.name": "x"}``).
    ``omit_tensors`` leaves tensors out: a well-formed file that llama.cpp still cannot load.
    """
    import gguf

    path = Path(path)
    rng = np.random.default_rng(seed)
    w = gguf.GGUFWriter(str(path), arch)
    w.add_name("tiny-test")
    w.add_context_length(context_length)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type(0)  # ALL_F32
    tokens, scores, types = _vocab()
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(False)
    if chat_template is not None:
        w.add_chat_template(chat_template)
    for key, value in (extra_kv or {}).items():
        if isinstance(value, bool):
            w.add_bool(key, value)
        elif isinstance(value, int):
            w.add_uint32(key, value)
        elif isinstance(value, float):
            w.add_float32(key, value)
        else:
            w.add_string(key, str(value))

    n_vocab = len(tokens)

    def t(name: str, *shape: int, scale: float = 0.2) -> None:
        data = (rng.standard_normal(shape) * scale).astype(np.float32)
        if name not in omit_tensors:
            w.add_tensor(name, data)

    t("token_embd.weight", n_vocab, N_EMBD, scale=1.0)
    for i in range(N_LAYER):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        t(f"blk.{i}.attn_q.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_k.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_v.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_output.weight", N_EMBD, N_EMBD)
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        t(f"blk.{i}.ffn_gate.weight", N_FF, N_EMBD)
        t(f"blk.{i}.ffn_up.weight", N_FF, N_EMBD)
        t(f"blk.{i}.ffn_down.weight", N_EMBD, N_FF)
    w.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    t("output.weight", n_vocab, N_EMBD, scale=1.0)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


# --- malformed variants -------------------------------------------------------------------

def _read_layout(data: bytes) -> dict:
    """Offsets of interesting header fields in a GGUF we wrote (trusted input only)."""
    pos = 4 + 4
    n_tensors, n_kv = struct.unpack_from("<QQ", data, pos)
    layout = {"n_tensors_at": pos, "n_kv_at": pos + 8, "kvs": {}, "tensors": []}
    pos += 16
    sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip_value(vtype: int, p: int) -> int:
        if vtype == 8:
            (n,) = struct.unpack_from("<Q", data, p)
            return p + 8 + n
        if vtype == 9:
            etype, count = struct.unpack_from("<IQ", data, p)
            p += 12
            for _ in range(count):
                p = skip_value(etype, p)
            return p
        return p + sizes[vtype]

    for _ in range(n_kv):
        key_at = pos
        (klen,) = struct.unpack_from("<Q", data, pos)
        key = data[pos + 8: pos + 8 + klen].decode()
        pos += 8 + klen
        (vtype,) = struct.unpack_from("<I", data, pos)
        layout["kvs"][key] = {"key_at": key_at, "type_at": pos, "value_at": pos + 4, "type": vtype}
        pos = skip_value(vtype, pos + 4)
    for _ in range(n_tensors):
        entry = {"name_at": pos}
        (nlen,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + nlen
        (n_dims,) = struct.unpack_from("<I", data, pos)
        entry["n_dims_at"] = pos
        entry["dims_at"] = pos + 4
        pos += 4 + 8 * n_dims
        entry["type_at"] = pos
        entry["offset_at"] = pos + 4
        pos += 12
        layout["tensors"].append(entry)
    return layout


def _patch(src: Path, dst: Path, edits: list[tuple[int, bytes]]) -> Path:
    data = bytearray(src.read_bytes())
    for at, blob in edits:
        data[at:at + len(blob)] = blob
    dst.write_bytes(bytes(data))
    return dst


def corrupt_truncate(src: Path, dst: Path, keep: int | None = None) -> Path:
    """Cut the file (default: in the middle of the tensor data)."""
    data = src.read_bytes()
    dst.write_bytes(data[: keep if keep is not None else len(data) - 1000])
    return dst


def corrupt_flip_byte(src: Path, dst: Path, at: int = 1) -> Path:
    """Flip one byte in the header (default: inside the magic)."""
    data = bytearray(src.read_bytes())
    data[at] ^= 0xFF
    dst.write_bytes(bytes(data))
    return dst


def corrupt_version(src: Path, dst: Path, version: int = 99) -> Path:
    return _patch(src, dst, [(4, struct.pack("<I", version))])


def corrupt_tensor_count(src: Path, dst: Path, count: int = 2**62) -> Path:
    lay = _read_layout(src.read_bytes())
    return _patch(src, dst, [(lay["n_tensors_at"], struct.pack("<Q", count))])


def corrupt_kv_count(src: Path, dst: Path, count: int = 2**40) -> Path:
    lay = _read_layout(src.read_bytes())
    return _patch(src, dst, [(lay["n_kv_at"], struct.pack("<Q", count))])


def corrupt_string_length(src: Path, dst: Path, length: int = 2**63 - 1,
                          key: str = "general.architecture") -> Path:
    """Make the string value of ``key`` claim an absurd length."""
    lay = _read_layout(src.read_bytes())
    return _patch(src, dst, [(lay["kvs"][key]["value_at"], struct.pack("<Q", length))])


def corrupt_key_length(src: Path, dst: Path, length: int = 2**40) -> Path:
    """Make the first key's name claim an absurd length."""
    lay = _read_layout(src.read_bytes())
    first = min(v["key_at"] for v in lay["kvs"].values())
    return _patch(src, dst, [(first, struct.pack("<Q", length))])


def corrupt_array_length(src: Path, dst: Path, count: int = 2**60,
                         key: str = "tokenizer.ggml.tokens") -> Path:
    lay = _read_layout(src.read_bytes())
    return _patch(src, dst, [(lay["kvs"][key]["value_at"] + 4, struct.pack("<Q", count))])


def corrupt_value_type(src: Path, dst: Path, vtype: int = 77, key: str = "general.name") -> Path:
    lay = _read_layout(src.read_bytes())
    return _patch(src, dst, [(lay["kvs"][key]["type_at"], struct.pack("<I", vtype))])


def corrupt_tensor_offset(src: Path, dst: Path, offset: int | None = None, index: int = -1) -> Path:
    """Point one tensor's data offset past the end of the file (or at ``offset``)."""
    data = src.read_bytes()
    lay = _read_layout(data)
    off = offset if offset is not None else len(data) * 4 // 32 * 32
    return _patch(src, dst, [(lay["tensors"][index]["offset_at"], struct.pack("<Q", off))])


def corrupt_misaligned_offset(src: Path, dst: Path, index: int = 0) -> Path:
    """Shift one tensor's data offset by one byte (breaks general.alignment)."""
    data = src.read_bytes()
    lay = _read_layout(data)
    at = lay["tensors"][index]["offset_at"]
    (cur,) = struct.unpack_from("<Q", data, at)
    return _patch(src, dst, [(at, struct.pack("<Q", cur + 1))])


def corrupt_tensor_dims(src: Path, dst: Path, dim: int = 2**62, index: int = 0) -> Path:
    """Give one tensor an absurd dimension (element-count overflow)."""
    data = src.read_bytes()
    lay = _read_layout(data)
    return _patch(src, dst, [(lay["tensors"][index]["dims_at"], struct.pack("<Q", dim))])


def corrupt_n_dims(src: Path, dst: Path, n_dims: int = 1000, index: int = 0) -> Path:
    data = src.read_bytes()
    lay = _read_layout(data)
    return _patch(src, dst, [(lay["tensors"][index]["n_dims_at"], struct.pack("<I", n_dims))])


def corrupt_tensor_type(src: Path, dst: Path, ttype: int = 250, index: int = 0) -> Path:
    data = src.read_bytes()
    lay = _read_layout(data)
    return _patch(src, dst, [(lay["tensors"][index]["type_at"], struct.pack("<I", ttype))])


def corrupt_block_count(src: Path, dst: Path, count: int = 100_000, arch: str = "llama") -> Path:
    lay = _read_layout(src.read_bytes())
    return _patch(src, dst, [(lay["kvs"][f"{arch}.block_count"]["value_at"], struct.pack("<I", count))])


def corrupt_duplicate_token(src: Path, dst: Path) -> Path:
    """Rename one byte token to the text of another (llama.cpp aborts on duplicated tokens)."""
    data = src.read_bytes()
    at = data.index(b"<0xB6>")
    return _patch(src, dst, [(at, b"<0xB5>")])


def make_disallowed_arch(dst: Path, arch: str = "evilnet") -> Path:
    """A well-formed file whose architecture is not on the allow-list."""
    return make_tiny_gguf(dst, arch=arch)


def all_malformed(src: Path, folder: Path) -> dict[str, Path]:
    """Every malformed variant of ``src``, written into ``folder`` (name → path)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "truncated": corrupt_truncate(src, folder / "truncated.gguf"),
        "truncated_header": corrupt_truncate(src, folder / "truncated_header.gguf", keep=100),
        "empty": corrupt_truncate(src, folder / "empty.gguf", keep=0),
        "bad_magic": corrupt_flip_byte(src, folder / "bad_magic.gguf", at=1),
        "bad_version": corrupt_version(src, folder / "bad_version.gguf"),
        "huge_tensor_count": corrupt_tensor_count(src, folder / "huge_tensor_count.gguf"),
        "huge_kv_count": corrupt_kv_count(src, folder / "huge_kv_count.gguf"),
        "huge_string": corrupt_string_length(src, folder / "huge_string.gguf"),
        "huge_key": corrupt_key_length(src, folder / "huge_key.gguf"),
        "huge_array": corrupt_array_length(src, folder / "huge_array.gguf"),
        "bad_value_type": corrupt_value_type(src, folder / "bad_value_type.gguf"),
        "offset_past_eof": corrupt_tensor_offset(src, folder / "offset_past_eof.gguf"),
        "offset_overflow": corrupt_tensor_offset(src, folder / "offset_overflow.gguf",
                                                 offset=2**64 - 32),
        "misaligned": corrupt_misaligned_offset(src, folder / "misaligned.gguf"),
        "huge_dims": corrupt_tensor_dims(src, folder / "huge_dims.gguf"),
        "too_many_dims": corrupt_n_dims(src, folder / "too_many_dims.gguf"),
        "bad_tensor_type": corrupt_tensor_type(src, folder / "bad_tensor_type.gguf"),
        "huge_block_count": corrupt_block_count(src, folder / "huge_block_count.gguf"),
        "duplicate_token": corrupt_duplicate_token(src, folder / "duplicate_token.gguf"),
        "disallowed_arch": make_disallowed_arch(folder / "disallowed_arch.gguf"),
    }
    return out
