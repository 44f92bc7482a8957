"""Bounded GGUF header check, run before llama.cpp ever opens a model file.

llama.cpp's GGUF loader has had integer-overflow and out-of-bounds bugs (CVE-2025-49847,
CVE-2025-53630, CVE-2026-27940, block_count > 512, ...). This module parses the header in
pure Python with an explicit bound on every count, length and offset, so a hostile or
damaged file is refused with a clear message and never reaches native code. Only the header
is read (through a read-only memory map); tensor data is never touched, so the check is fast.

``GgufInfo`` is also what model-pack installation compares against pack manifests: keep its
fields stable (add new ones at the end with defaults).
"""
from __future__ import annotations

import hashlib
import math
import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.atomicio import atomic_write_text
from ..core.errors import ModelError, SecurityError
from ..core.paths import home_dir
from ..core.safefiles import file_sha256

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# Limits. Real models stay far below them (Gemma 3: 236 tensors, 33 keys, 262,144 tokens).
MAX_TENSORS = 65_536
MAX_KV = 65_536
MAX_KEY_LEN = 1_024
MAX_STRING_LEN = 16 * 1024 * 1024
MAX_ARRAY_LEN = 16 * 1024 * 1024
MAX_TENSOR_NAME_LEN = 63          # GGML_MAX_NAME is 64 including the terminating NUL
MAX_DIMS = 4                      # GGML_MAX_DIMS
MAX_ELEMENTS = 2**62
MAX_ALIGNMENT = 1 << 16
MAX_BLOCK_COUNT = 512             # LLAMA_MAX_LAYERS
MAX_CONTEXT_LENGTH = 1 << 24

DEFAULT_ALLOWED: frozenset[str] = frozenset({
    "llama", "mistral", "mistral3", "gemma", "gemma2", "gemma3", "qwen2", "qwen3",
    "qwen2moe", "qwen3moe", "plamo", "plamo2", "phi3", "granite", "granitehybrid",
})

# GGUF metadata value types: id -> (name, fixed byte size or None for string/array).
_VALUE_TYPES: dict[int, tuple[str, int | None, str | None]] = {
    0: ("uint8", 1, "<B"), 1: ("int8", 1, "<b"), 2: ("uint16", 2, "<H"), 3: ("int16", 2, "<h"),
    4: ("uint32", 4, "<I"), 5: ("int32", 4, "<i"), 6: ("float32", 4, "<f"), 7: ("bool", 1, "<?"),
    8: ("string", None, None), 9: ("array", None, None), 10: ("uint64", 8, "<Q"),
    11: ("int64", 8, "<q"), 12: ("float64", 8, "<d"),
}
_STRING = 8
_ARRAY = 9

# ggml tensor types: id -> (name, elements per block, bytes per block).
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144), 13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292), 16: ("IQ2_XXS", 256, 66), 17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98), 19: ("IQ1_S", 256, 50), 20: ("IQ4_NL", 32, 18), 21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
    26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2), 34: ("TQ1_0", 256, 54), 35: ("TQ2_0", 256, 66), 39: ("MXFP4", 32, 17),
}

# general.file_type -> the usual quantisation label (llama_ftype).
FILE_TYPE_LABELS: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
    38: "MXFP4_MOE",
}

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    type_name: str
    offset: int          # absolute offset of the data in the file
    n_bytes: int


@dataclass(frozen=True)
class GgufInfo:
    """What the header says about a model file that passed every check."""

    path: Path
    size: int
    version: int
    architecture: str
    name: str
    n_tensors: int
    n_kv: int
    context_length: int | None
    block_count: int | None
    embedding_length: int | None
    file_type: int | None
    quantisation: str               # e.g. "Q4_K_M"; derived from tensor types if file_type is absent
    chat_template: str | None       # never rendered; only compared / hashed
    chat_template_sha256: str | None
    tokenizer_model: str | None
    vocab_size: int | None
    alignment: int
    data_offset: int
    n_parameters: int
    license: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    array_lengths: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    tensors: tuple[TensorInfo, ...] = field(default=(), compare=False, repr=False)


class _Bad(Exception):
    """Internal: a check failed (reason key, detail)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


class _Cursor:
    """Reads little-endian values from a buffer, refusing to step past ``end``."""

    __slots__ = ("buf", "pos", "end")

    def __init__(self, buf: Any, end: int) -> None:
        self.buf = buf
        self.pos = 0
        self.end = end

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.end:
            raise _Bad("truncated", what)

    def u32(self, what: str) -> int:
        self.need(4, what)
        (v,) = _U32.unpack_from(self.buf, self.pos)
        self.pos += 4
        return v

    def u64(self, what: str) -> int:
        self.need(8, what)
        (v,) = _U64.unpack_from(self.buf, self.pos)
        self.pos += 8
        return v

    def raw_string(self, limit: int, what: str) -> bytes:
        n = self.u64(what)
        if n > limit:
            raise _Bad("string_too_long", f"{what}: {n} bytes")
        self.need(n, what)
        b = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return b

    def skip_string(self, limit: int, what: str) -> None:
        n = self.u64(what)
        if n > limit:
            raise _Bad("string_too_long", f"{what}: {n} bytes")
        self.need(n, what)
        self.pos += n


def _decode(b: bytes, what: str) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise _Bad("bad_string", f"{what}: not UTF-8") from None


def _read_value(cur: _Cursor, vtype: int, key: str, keep: bool) -> tuple[Any, int | None]:
    """Read one metadata value. Returns (value or None, array length or None)."""
    if vtype not in _VALUE_TYPES:
        raise _Bad("bad_value_type", f"{key}: type {vtype}")
    if vtype == _STRING:
        if keep:
            raw = cur.raw_string(MAX_STRING_LEN, key)
            return raw, None
        cur.skip_string(MAX_STRING_LEN, key)
        return None, None
    if vtype == _ARRAY:
        etype = cur.u32(key)
        count = cur.u64(key)
        if etype not in _VALUE_TYPES or etype == _ARRAY:
            raise _Bad("bad_value_type", f"{key}: array of type {etype}")
        if count > MAX_ARRAY_LEN:
            raise _Bad("array_too_long", f"{key}: {count} elements")
        if etype == _STRING:
            # Walk the strings with explicit bounds; they are not kept (vocabularies are big).
            buf, pos, end, unpack = cur.buf, cur.pos, cur.end, _U64.unpack_from
            if key == "tokenizer.ggml.tokens":
                # llama.cpp aborts the whole process (GGML_ASSERT) on a duplicated token text.
                seen: set[bytes] = set()
                for _ in range(count):
                    if pos + 8 > end:
                        raise _Bad("truncated", key)
                    (n,) = unpack(buf, pos)
                    if n > MAX_STRING_LEN or pos + 8 + n > end:
                        raise _Bad("string_too_long", f"{key}: {n} bytes")
                    tok = buf[pos + 8:pos + 8 + n]
                    if tok in seen:
                        raise _Bad("bad_vocabulary", f"duplicate token {tok[:40]!r}")
                    seen.add(tok)
                    pos += 8 + n
            else:
                for _ in range(count):
                    if pos + 8 > end:
                        raise _Bad("truncated", key)
                    (n,) = unpack(buf, pos)
                    if n > MAX_STRING_LEN:
                        raise _Bad("string_too_long", f"{key}: {n} bytes")
                    pos += 8 + n
            if pos > end:
                raise _Bad("truncated", key)
            cur.pos = pos
        else:
            size = _VALUE_TYPES[etype][1]
            assert size is not None
            cur.need(count * size, key)
            cur.pos += count * size
        return None, count
    _, size, fmt = _VALUE_TYPES[vtype]
    assert size is not None and fmt is not None
    cur.need(size, key)
    (v,) = struct.unpack_from(fmt, cur.buf, cur.pos)
    cur.pos += size
    return v, None


def _parse(buf: Any, size: int, allowed: frozenset[str]) -> dict[str, Any]:
    cur = _Cursor(buf, size)
    cur.need(4, "magic")
    if bytes(buf[0:4]) != GGUF_MAGIC:
        raise _Bad("bad_magic", repr(bytes(buf[0:4])))
    cur.pos = 4
    version = cur.u32("version")
    if version not in SUPPORTED_VERSIONS:
        raise _Bad("bad_version", str(version))
    n_tensors = cur.u64("tensor count")
    n_kv = cur.u64("kv count")
    # Each tensor info needs >= 33 bytes and each key/value >= 14: absurd counts fail fast.
    if n_tensors > MAX_TENSORS:
        raise _Bad("too_many_tensors", str(n_tensors))
    if n_kv > MAX_KV:
        raise _Bad("too_many_kv", str(n_kv))
    if n_tensors * 33 + n_kv * 14 > size - cur.pos:
        raise _Bad("truncated", f"{n_tensors} tensors, {n_kv} keys in {size} bytes")

    metadata: dict[str, Any] = {}
    raw_strings: dict[str, bytes] = {}
    array_lengths: dict[str, int] = {}
    for i in range(n_kv):
        key_raw = cur.raw_string(MAX_KEY_LEN, f"key #{i}")
        if not key_raw:
            raise _Bad("bad_key", f"key #{i} is empty")
        key = _decode(key_raw, f"key #{i}")
        if key in metadata or key in array_lengths:
            raise _Bad("duplicate_key", key)
        vtype = cur.u32(key)
        value, count = _read_value(cur, vtype, key, keep=True)
        if count is not None:
            array_lengths[key] = count
        elif isinstance(value, bytes):
            raw_strings[key] = value
            metadata[key] = value.decode("utf-8", errors="replace")
        else:
            metadata[key] = value

    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or isinstance(alignment, bool):
        raise _Bad("bad_alignment", repr(alignment))
    if alignment <= 0 or alignment > MAX_ALIGNMENT or alignment & (alignment - 1):
        raise _Bad("bad_alignment", str(alignment))

    arch = metadata.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise _Bad("no_architecture", "")
    if arch not in allowed:
        raise _Bad("architecture_not_allowed", arch)

    tensors: list[tuple[str, tuple[int, ...], int, int, int]] = []
    names: set[str] = set()
    for i in range(n_tensors):
        name = _decode(cur.raw_string(MAX_TENSOR_NAME_LEN, f"tensor #{i} name"), f"tensor #{i} name")
        if not name:
            raise _Bad("bad_tensor", f"tensor #{i} has no name")
        if name in names:
            raise _Bad("bad_tensor", f"duplicate tensor {name}")
        names.add(name)
        n_dims = cur.u32(name)
        if not 1 <= n_dims <= MAX_DIMS:
            raise _Bad("bad_tensor", f"{name}: {n_dims} dimensions")
        dims = tuple(cur.u64(name) for _ in range(n_dims))
        elements = 1
        for d in dims:
            if d < 1 or d > MAX_ELEMENTS:
                raise _Bad("bad_tensor", f"{name}: dimension {d}")
            elements *= d
            if elements > MAX_ELEMENTS:
                raise _Bad("bad_tensor", f"{name}: too many elements")
        ttype = cur.u32(name)
        if ttype not in GGML_TYPES:
            raise _Bad("bad_tensor", f"{name}: unknown type {ttype}")
        _, block, type_size = GGML_TYPES[ttype]
        if dims[0] % block:
            raise _Bad("bad_tensor", f"{name}: row of {dims[0]} not a multiple of {block}")
        n_bytes = elements // block * type_size
        offset = cur.u64(name)
        tensors.append((name, dims, ttype, offset, n_bytes))

    header_end = cur.pos
    data_offset = -(-header_end // alignment) * alignment
    if tensors and data_offset > size:
        raise _Bad("truncated", "no tensor data")
    expected = 0
    n_parameters = 0
    infos: list[TensorInfo] = []
    for name, dims, ttype, offset, n_bytes in tensors:
        if offset % alignment:
            raise _Bad("misaligned", f"{name}: offset {offset} (alignment {alignment})")
        if data_offset + offset + n_bytes > size:
            raise _Bad("tensor_out_of_file", f"{name}: {offset}+{n_bytes} > {size - data_offset}")
        if offset != expected:
            raise _Bad("tensor_layout", f"{name}: offset {offset}, expected {expected}")
        expected += -(-n_bytes // alignment) * alignment
        n_parameters += n_bytes // GGML_TYPES[ttype][2] * GGML_TYPES[ttype][1]
        infos.append(TensorInfo(name, dims, GGML_TYPES[ttype][0], data_offset + offset, n_bytes))

    def arch_int(suffix: str, limit: int) -> int | None:
        v = metadata.get(f"{arch}.{suffix}")
        if v is None:
            return None
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > limit:
            raise _Bad("bad_hyperparameter", f"{arch}.{suffix} = {v!r}")
        return v

    block_count = arch_int("block_count", MAX_BLOCK_COUNT)
    if block_count == 0:
        raise _Bad("bad_hyperparameter", f"{arch}.block_count = 0")  # llama.cpp aborts on it
    for key, value in metadata.items():
        # A NaN/inf or negative epsilon makes ggml abort the process (GGML_ASSERT(eps >= 0)).
        if isinstance(value, float) and (not math.isfinite(value)
                                         or (key.endswith("epsilon") and value < 0)):
            raise _Bad("bad_hyperparameter", f"{key} = {value!r}")
    for key, count in array_lengths.items():
        # Per-layer arrays (e.g. head counts) are indexed by layer inside llama.cpp.
        if key.startswith(arch + ".") and count > MAX_BLOCK_COUNT and not key.startswith("tokenizer."):
            raise _Bad("bad_hyperparameter", f"{key}: {count} entries")
    context_length = arch_int("context_length", MAX_CONTEXT_LENGTH)
    embedding_length = arch_int("embedding_length", 1 << 20)

    file_type = metadata.get("general.file_type")
    if not isinstance(file_type, int) or isinstance(file_type, bool):
        file_type = None
    quant = FILE_TYPE_LABELS.get(file_type, "") if file_type is not None else ""
    if not quant and infos:
        counts: dict[str, int] = {}
        for t in infos:
            if len(t.shape) >= 2:
                counts[t.type_name] = counts.get(t.type_name, 0) + t.n_bytes
        quant = max(counts, key=counts.__getitem__) if counts else infos[0].type_name

    template_raw = raw_strings.get("tokenizer.chat_template")
    tok_model = metadata.get("tokenizer.ggml.model")
    return dict(
        version=version, architecture=arch, name=str(metadata.get("general.name", "")),
        n_tensors=n_tensors, n_kv=n_kv, context_length=context_length, block_count=block_count,
        embedding_length=embedding_length, file_type=file_type, quantisation=quant,
        chat_template=metadata.get("tokenizer.chat_template") if template_raw is not None else None,
        chat_template_sha256=hashlib.sha256(template_raw).hexdigest() if template_raw is not None else None,
        tokenizer_model=tok_model if isinstance(tok_model, str) else None,
        vocab_size=array_lengths.get("tokenizer.ggml.tokens"),
        alignment=alignment, data_offset=data_offset, n_parameters=n_parameters,
        license=metadata.get("general.license") if isinstance(metadata.get("general.license"), str) else None,
        metadata=metadata, array_lengths=array_lengths, tensors=tuple(infos),
    )


def check_gguf(path: str | Path, *, allowed_architectures: frozenset[str] = DEFAULT_ALLOWED) -> GgufInfo:
    """Validate the GGUF header of ``path`` and describe the model.

    Raises ``SecurityError`` (key ``llm.gguf.<reason>``) for a malformed or disallowed file and
    ``ModelError`` when the file is missing or unreadable. Never reads tensor data.
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < 24:
                raise SecurityError("llm.gguf.truncated", path=str(p), detail=f"{size} bytes")
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                try:
                    fields = _parse(mm, size, allowed_architectures)
                except _Bad as bad:
                    raise SecurityError(f"llm.gguf.{bad.reason}", path=str(p), detail=bad.detail) from None
                except (struct.error, OverflowError, ValueError, MemoryError) as exc:
                    # Defence in depth: any parsing surprise is a refusal, never a crash.
                    raise SecurityError("llm.gguf.malformed", path=str(p), detail=type(exc).__name__) from None
    except FileNotFoundError:
        raise ModelError("llm.model.not_found", path=str(p)) from None
    except IsADirectoryError:
        raise ModelError("llm.model.unreadable", path=str(p), reason="directory") from None
    except PermissionError:
        raise ModelError("llm.model.unreadable", path=str(p), reason="permission") from None
    except OSError as exc:
        raise ModelError("llm.model.unreadable", path=str(p), reason=exc.strerror or str(exc)) from None
    return GgufInfo(path=p, size=size, **fields)


# --- whole-file integrity -----------------------------------------------------------------

_VERIFIED: dict[tuple[str, int, int], str] = {}


def _cache_file() -> Path:
    return home_dir() / "cache" / "verified_models.json"


def verify_sha256(path: str | Path, expected: str, *, expected_size: int | None = None) -> None:
    """Check that ``path`` hashes to ``expected``; raise ``SecurityError`` if not.

    Hashing a model takes about a second per 250 MB, so a successful result is remembered
    (in memory and in ``home_dir()/cache/verified_models.json``) keyed by the file's resolved
    path, size and modification time: a changed file is hashed again.
    """
    import json


    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ModelError("llm.model.not_found", path=str(p)) from None
    if expected_size is not None and st.st_size != expected_size:
        raise SecurityError("llm.model.size_mismatch", path=str(p), actual=st.st_size, expected=expected_size)
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    expected = expected.lower()
    if _VERIFIED.get(key) == expected:
        return
    cache_path = _cache_file()
    cache: dict[str, Any] = {}
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
        entry = cache.get(key[0])
        if entry and entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns \
                and entry.get("sha256") == expected:
            _VERIFIED[key] = expected
            return
    except (OSError, ValueError, AttributeError):
        cache = {}
    try:
        actual = file_sha256(p)
    except OSError as exc:
        raise ModelError("llm.model.unreadable", path=str(p), reason=exc.strerror or str(exc)) from None
    if actual != expected:
        raise SecurityError("llm.model.hash_mismatch", path=str(p))
    _VERIFIED[key] = expected
    if not isinstance(cache, dict):
        cache = {}
    cache[key[0]] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": expected}
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(cache_path, json.dumps(cache, indent=1))
    except Exception:  # noqa: BLE001 - the cache is an optimisation; never fail a load over it
        pass
