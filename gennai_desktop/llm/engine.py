"""TextEngine on llama-cpp-python — the only module that imports ``llama_cpp``.

Why it looks like this:
- Safety: before llama.cpp sees a file, ``check_gguf`` validates the header with explicit
  bounds and (if the spec pins one) the sha256 is verified once. Chat prompts are rendered
  from reviewed templates only (``llm.templates``), never from the GGUF.
- Control: we drive ``Llama.generate`` ourselves (``create_chat_completion`` has no stopping
  criteria) so we can check the CancelToken between tokens and between prompt batches, stop
  on degenerate output, and stream correct UTF-8 when a character spans several tokens.
- Speed: per token we do one dict lookup for the token's bytes, one incremental UTF-8 decode
  and a cheap detector feed; prompt prefixes already in the KV cache are reused.
"""
from __future__ import annotations

import codecs
import ctypes
import json
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import llama_cpp  # the one place it is imported

from ..core.cancel import NEVER, Cancelled, CancelToken
from ..core.cpu_budget import choose_threads
from ..core.errors import GennaiError, ModelError
from . import templates
from .base import (
    BackendInfo,
    GenerationParams,
    Message,
    ModelSpec,
    SeqResult,
    StopReason,
    StreamedGeneration,
    TextEngine,
    params_per_prompt,
)
from .cpu_variants import load_backends
from .degenerate import DegenerateDetector, is_empty_output
from .gguf_check import GgufInfo, check_gguf, verify_sha256
from .options import RuntimeOptions

PROMPT_CHUNK_MIN = 32       # first prompt slice; later slices are sized from the measured speed
PREFILL_SLICE_S = 0.25      # target seconds per prompt slice (cancel is checked between slices)
_DEBUG = bool(os.environ.get("GENNAI_DEBUG"))


# --- llama.cpp logging: silent unless GENNAI_DEBUG, but the last lines are kept for errors ---

_log_lines: deque[str] = deque(maxlen=64)
_log_lock = threading.Lock()


@llama_cpp.llama_log_callback
def _log_callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:  # pragma: no cover - C callback
    try:
        line = text.decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - a C callback must never raise into llama.cpp
        return
    with _log_lock:
        _log_lines.append(line)
    if _DEBUG:
        sys.stderr.write(line)


llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))

# Our wheel is a GGML_BACKEND_DL build (installer/build-llama-wheel.sh): register the CPU
# variant this machine really supports before llama.cpp initialises, so ggml's cpuid-only
# chooser never runs. The runner process has already registered the variant and GPU backend
# its RuntimeOptions name (``runner_child.import_engine``), and this returns those; elsewhere
# (tests, tools) the best eligible variant is registered here.
BACKENDS = load_backends(None, None)


def _recent_log(match: str | None = None) -> list[str]:
    with _log_lock:
        lines = list(_log_lines)
    return [ln.strip() for ln in lines if ln.strip() and (match is None or match in ln)]


def _clear_log() -> None:
    with _log_lock:
        _log_lines.clear()


# --- backend ---------------------------------------------------------------------------------

def build_backends() -> list[str]:
    """Backends compiled into this llama.cpp build, e.g. ["CUDA", "CPU"]."""
    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    names = re.findall(r"(?:^|\|\s*)([A-Za-z][A-Za-z0-9_]*) : ", info)
    return list(dict.fromkeys(names)) or ["CPU"]


def gpu_backend() -> str | None:
    """"CUDA", "Vulkan", "Metal", … when this build can offload layers to a GPU, else None."""
    if not llama_cpp.llama_supports_gpu_offload():
        return None
    for name in build_backends():
        upper = name.upper()
        for known in ("CUDA", "ROCM", "HIP", "METAL", "VULKAN", "SYCL", "OPENCL", "CANN", "MUSA"):
            if upper.startswith(known):
                return {"ROCM": "ROCm", "HIP": "ROCm", "METAL": "Metal", "VULKAN": "Vulkan",
                        "OPENCL": "OpenCL"}.get(known, known)
    return "GPU"


def system_info() -> str:
    """llama.cpp's own one-line description of the backends and CPU features in use."""
    return llama_cpp.llama_print_system_info().decode("utf-8", "replace")


# --- generation --------------------------------------------------------------------------------

class LlamaGeneration(StreamedGeneration):
    """One streamed generation. Iterate for text pieces; afterwards read the outcome fields."""

    def __init__(self, engine: LlamaEngine, prompt: str, params: GenerationParams,
                 cancel: CancelToken) -> None:
        super().__init__(engine, prompt, params, cancel)
        self._engine: LlamaEngine = engine

    def _run(self) -> Iterator[str]:
        eng = self._engine
        llm = eng._ensure_loaded()
        params = self._params
        cancel = self._cancel
        t0 = time.perf_counter()
        try:
            tokens = eng._tokenize(self._prompt)
            if not tokens:  # "" with a model that adds no BOS: nothing to condition on
                bos = llama_cpp.llama_vocab_bos(llm._model.vocab)
                if bos < 0:
                    raise ModelError("llm.model.decode_failed", reason="empty prompt")
                tokens = [bos]
            self.n_prompt_tokens = len(tokens)
            n_ctx = llm.n_ctx()
            if len(tokens) >= n_ctx:
                raise ModelError("llm.model.context_too_long", n_tokens=len(tokens), n_ctx=n_ctx)
            max_tokens = min(params.max_tokens, n_ctx - len(tokens)) if params.max_tokens > 0 \
                else n_ctx - len(tokens)
            grammar = eng._grammar(params)
            eng._prefill(tokens, cancel)
            self.prompt_seconds = time.perf_counter() - t0

            detector = DegenerateDetector(params.expect_language) if params.detect_degenerate else None
            stops = tuple(s for s in params.stop if s)
            hold = max((len(s) for s in stops), default=0) - 1
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            piece_of = eng._piece
            is_eog = eng._is_eog
            parts = self._parts
            pending = ""          # text held back because it may start a stop string
            reason: StopReason = "length"
            n = 0
            llm.set_seed(params.seed)
            gen = llm.generate(tokens, top_k=params.top_k, top_p=params.top_p, min_p=0.05,
                               temp=params.temperature, repeat_penalty=params.repeat_penalty,
                               reset=True, grammar=grammar)
            try:
                for tok in gen:
                    if cancel.cancelled:
                        raise Cancelled()
                    if is_eog(tok):
                        reason = "eos"
                        break
                    n += 1
                    piece = decoder.decode(piece_of(tok))
                    if n == 1:
                        self.first_token_seconds = time.perf_counter() - t0
                    if piece:
                        if stops:
                            pending += piece
                            cut = _find_stop(pending, stops)
                            if cut is not None:
                                piece, pending = pending[:cut], ""
                                reason = "stop"
                            elif hold > 0 and len(pending) > hold:
                                piece, pending = pending[:-hold], pending[-hold:]
                            elif hold > 0:
                                piece = ""
                            else:
                                piece, pending = pending, ""
                        if piece:
                            parts.append(piece)
                            self.n_tokens = n
                            yield piece
                        if reason == "stop":
                            break
                        if detector is not None:
                            bad = detector.feed(piece)
                            if bad is not None:
                                reason = bad
                                break
                    if n >= max_tokens:
                        reason = "length"
                        break
            finally:
                gen.close()
            tail = decoder.decode(b"", final=True)
            if reason not in ("stop",) and (pending or tail):
                rest = pending + tail
                if rest:
                    parts.append(rest)
                    yield rest
            self.n_tokens = n
            if detector is not None and reason in ("eos", "length", "stop"):
                late = detector.finish()
                if late is not None:
                    reason = late
                elif is_empty_output(self.text):
                    reason = "empty"
            self.stop_reason = reason
        except Cancelled:
            self.stop_reason = "cancelled"
            raise
        except GennaiError:
            raise
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError("llm.model.decode_failed", reason=str(exc)[:200]) from None
        finally:
            self.seconds = time.perf_counter() - t0


def _find_stop(text: str, stops: tuple[str, ...]) -> int | None:
    best = None
    for s in stops:
        i = text.find(s)
        if i >= 0 and (best is None or i < best):
            best = i
    return best


# --- engine ------------------------------------------------------------------------------------

class LlamaEngine:
    """``TextEngine`` backed by one ``llama_cpp.Llama``; the model loads lazily on first use."""

    def __init__(self, spec: ModelSpec, *, n_gpu_layers: int = -1, n_threads: int = 0,
                 n_ctx: int | None = None, wait_policy: str = "") -> None:
        self.spec = spec
        self.n_gpu_layers = n_gpu_layers
        self.n_threads = choose_threads(n_threads)
        self.wait_policy = wait_policy      # as the runner set it ("" in-process: not managed here)
        self._n_ctx_wanted = n_ctx
        self._llm: Any = None
        self._info: GgufInfo | None = None
        self._pieces: dict[int, bytes] = {}
        self._eog: dict[int, bool] = {}
        self._offloaded: int | None = None
        self._good_grammars: set[str] = set()
        self._prefill_rate: float | None = None   # prompt tokens/s measured on this machine
        self._batch_ctx: tuple[Any, int, int, bool] | None = None   # (context, n_ctx, n_seq_max, unified)
        self._load_lock = threading.Lock()
        self.load_seconds: float | None = None

    # -- loading --

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    @classmethod
    def from_options(cls, spec: ModelSpec, options: RuntimeOptions) -> LlamaEngine:
        """The engine exactly as the parent decided (the runner process's only constructor):
        the model file, threads, layers and context of ``options``, nothing chosen here."""
        return cls(replace(spec, path=Path(options.model_path)), n_gpu_layers=options.n_gpu_layers,
                   n_threads=options.n_threads, n_ctx=options.n_ctx, wait_policy=options.wait_policy)

    @property
    def gguf_info(self) -> GgufInfo:
        if self._info is None:
            self._info = check_gguf(self.spec.path)
        return self._info

    def load(self) -> None:
        """Load now (otherwise the first call that needs the model does it)."""
        self._ensure_loaded()

    def _ensure_loaded(self) -> Any:
        if self._llm is not None:
            return self._llm
        with self._load_lock:
            if self._llm is not None:
                return self._llm
            t0 = time.perf_counter()
            spec = self.spec
            self._info = check_gguf(spec.path)
            if spec.sha256:
                verify_sha256(spec.path, spec.sha256)
            train_ctx = self._info.context_length or spec.context_length or 4096
            n_ctx = min(self._n_ctx_wanted or spec.context_length or 4096, train_ctx)
            gpu = gpu_backend()
            _clear_log()
            try:
                llm = llama_cpp.Llama(
                    model_path=str(spec.path), n_ctx=n_ctx, n_threads=self.n_threads,
                    n_threads_batch=self.n_threads, n_gpu_layers=self.n_gpu_layers if gpu else 0,
                    seed=spec.generation.seed, verbose=False, logits_all=False,
                )
            except MemoryError:
                raise ModelError("llm.model.out_of_memory", name=spec.label()) from None
            except (ValueError, RuntimeError, OSError) as exc:
                detail = "; ".join(_recent_log("error") or _recent_log("failed")[-2:]) or str(exc)
                if "alloc" in detail.lower() or "memory" in detail.lower():
                    raise ModelError("llm.model.out_of_memory", name=spec.label()) from None
                raise ModelError("llm.model.load_failed", name=spec.label(), reason=detail[:300]) from None
            self._offloaded = _parse_offloaded(_recent_log("offloaded"))
            self._llm = llm
            self.load_seconds = time.perf_counter() - t0
            return llm

    def close(self) -> None:
        """Free the model (idempotent). The next use loads it again.

        Never call it while another thread is generating (llama.cpp would free memory in use):
        go through ``llm.manager.unload()``, which waits for the generation lock.
        """
        with self._load_lock:
            llm, self._llm = self._llm, None
            self._pieces.clear()
            self._eog.clear()
            self._free_batch_context()
            if llm is not None:
                llm.close()

    # -- TextEngine --

    def n_ctx(self) -> int:
        return int(self._ensure_loaded().n_ctx())

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes with this model's tokenizer (BOS not counted)."""
        llm = self._ensure_loaded()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def render_chat(self, messages: Sequence[Message], cancel: CancelToken = NEVER) -> str:
        spec = self.spec
        if spec.chat_template:
            return templates.render_pinned(spec.chat_template, spec.chat_template_sha256, messages,
                                           name=spec.id, cancel=cancel,
                                           special=self.special_token_texts(spec.chat_template))
        if spec.chat_format:
            return templates.render_reviewed(spec.chat_format, messages, cancel=cancel)
        raise ModelError("llm.template.missing", name=spec.label())

    def generate(self, prompt: str, params: GenerationParams,
                 cancel: CancelToken = NEVER) -> LlamaGeneration:
        return LlamaGeneration(self, prompt, params, cancel)

    def generate_batch(self, prompts: Sequence[str],
                       params: GenerationParams | Sequence[GenerationParams],
                       cancel: CancelToken = NEVER, batch_size: int | None = None) -> LlamaBatchGeneration:
        """Decode ``prompts`` together (see ``LlamaBatchGeneration``); ``batch_size`` None:
        chosen from the KV memory each sequence needs and the RAM available (≤ MAX_BATCH)."""
        return LlamaBatchGeneration(self, prompts, params, cancel, batch_size)

    def backend_info(self) -> BackendInfo:
        info = self.gguf_info
        n_layers = info.block_count or 0
        gpu = gpu_backend()
        if gpu is None or self.n_gpu_layers == 0:
            return BackendInfo(backend="CPU", n_gpu_layers=0, n_layers=n_layers, n_threads=self.n_threads,
                               wait_policy=self.wait_policy)
        if self._offloaded is not None:
            offloaded = min(self._offloaded, n_layers)
        else:
            offloaded = n_layers if self.n_gpu_layers < 0 else min(self.n_gpu_layers, n_layers)
        return BackendInfo(backend=gpu if offloaded else "CPU", n_gpu_layers=offloaded,
                           n_layers=n_layers, n_threads=self.n_threads, wait_policy=self.wait_policy)

    def warm_up(self) -> None:
        """One real one-token decode, then a clean context: an instruction the CPU or OS
        refuses crashes now (the runner is loading, the parent falls back) instead of in the
        middle of a user's task; the first real prompt is then evaluated from scratch."""
        list(self.generate("a", GenerationParams(max_tokens=1, detect_degenerate=False)))
        self._ensure_loaded().reset()

    def special_token_texts(self, template: str) -> dict[str, str]:
        """bos_token/eos_token for Hugging Face-style pinned templates that use them.

        The tokenizer already adds BOS when the model asks for it, so the template then gets "".
        """
        if "bos_token" not in template and "eos_token" not in template:
            return {}
        llm = self._ensure_loaded()
        model = llm._model
        vocab = model.vocab
        bos = llama_cpp.llama_vocab_bos(vocab)
        eos = llama_cpp.llama_vocab_eos(vocab)
        add_bos = bool(llama_cpp.llama_vocab_get_add_bos(vocab))
        return {"bos_token": "" if add_bos or bos < 0 else model.token_get_text(bos),
                "eos_token": model.token_get_text(eos) if eos >= 0 else ""}

    # -- internals used by LlamaBatchGeneration --

    def kv_bytes_per_token(self) -> int:
        """KV cache bytes one token of one sequence takes (f16 K and V; an upper estimate)."""
        m = self._ensure_loaded()._model.model
        n_layer = max(1, llama_cpp.llama_model_n_layer(m))
        n_head = max(1, llama_cpp.llama_model_n_head(m))
        n_head_kv = max(1, llama_cpp.llama_model_n_head_kv(m))
        head_dim = max(llama_cpp.llama_model_n_embd(m) // n_head, 128)  # Gemma's heads are wider
        return 2 * n_layer * n_head_kv * head_dim * 2 * 3 // 2

    def auto_batch_size(self, n_prompts: int, tokens_per_seq: int, shared: int = 0) -> int:
        """Sequences to decode together: as many as MAX_BATCH, the prompts and the KV budget
        (KV_MEMORY_SHARE of the available RAM) allow."""
        per_seq = max(1, tokens_per_seq) * self.kv_bytes_per_token()
        budget = _available_memory() * KV_MEMORY_SHARE - shared * self.kv_bytes_per_token()
        fit = int(budget // per_seq)
        return max(1, min(MAX_BATCH, n_prompts, fit))

    def _batch_context(self, n_seq: int, per_seq: int, unified: bool) -> Any:
        """A second llama.cpp context on the loaded model for ``n_seq`` sequences of up to
        ``per_seq`` tokens each, with one unified KV cache (room for all of them, the shared
        prefix counted once per copy) or one stream per sequence. Kept while it fits."""
        llm = self._llm
        per_seq = -(-per_seq // 256) * 256
        n_cells = n_seq * per_seq
        cur = self._batch_ctx
        if (cur is not None and cur[2] == n_seq and cur[3] == unified
                and (cur[1] >= n_cells if unified else cur[1] // cur[2] >= per_seq)):
            llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(cur[0]), True)
            return cur[0]
        self._free_batch_context()
        cp = type(llm.context_params).from_buffer_copy(llm.context_params)
        cp.n_ctx = n_cells
        cp.n_seq_max = n_seq
        cp.kv_unified = unified
        cp.swa_full = True        # sliding-window models keep the copied prefix intact
        cp.embeddings = False
        _clear_log()
        ctx = llama_cpp.llama_init_from_model(llm._model.model, cp)
        if not ctx:
            detail = "; ".join(_recent_log("error") or _recent_log("failed")[-2:])
            if "alloc" in detail.lower() or "memory" in detail.lower() or not detail:
                raise ModelError("llm.model.out_of_memory", name=self.spec.label())
            raise ModelError("llm.model.decode_failed", reason=detail[:200])
        self._batch_ctx = (ctx, n_cells, n_seq, unified)
        return ctx

    def _free_batch_context(self) -> None:
        cur, self._batch_ctx = self._batch_ctx, None
        if cur is not None:
            llama_cpp.llama_free(cur[0])

    def _sampler_chain(self, params: GenerationParams, grammar: Any) -> Any:
        """The sampler chain ``Llama.generate`` would build for ``params`` (one per sequence)."""
        llm = self._llm
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        add = llama_cpp.llama_sampler_chain_add
        add(chain, llama_cpp.llama_sampler_init_penalties(llm._n_vocab, llm.last_n_tokens_size,
                                                          params.repeat_penalty, 0.0, 0.0))
        if grammar is not None:
            add(chain, llama_cpp.llama_sampler_init_grammar(
                llm._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")))
        temp = params.temperature
        if temp < 0.0:
            add(chain, llama_cpp.llama_sampler_init_dist(params.seed))
        elif temp == 0.0:
            add(chain, llama_cpp.llama_sampler_init_greedy())
        else:
            add(chain, llama_cpp.llama_sampler_init_top_k(params.top_k))
            add(chain, llama_cpp.llama_sampler_init_typical(1.0, 1))
            add(chain, llama_cpp.llama_sampler_init_top_p(params.top_p, 1))
            add(chain, llama_cpp.llama_sampler_init_min_p(0.05, 1))
            add(chain, llama_cpp.llama_sampler_init_temp(temp))
            add(chain, llama_cpp.llama_sampler_init_dist(params.seed))
        return chain

    # -- internals used by LlamaGeneration --

    def _tokenize(self, prompt: str) -> list[int]:
        llm = self._llm
        add_bos = bool(llama_cpp.llama_vocab_get_add_bos(llm._model.vocab))
        return llm.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=True)

    def _piece(self, tok: int) -> bytes:
        b = self._pieces.get(tok)
        if b is None:
            vocab = self._llm._model.vocab
            buf = ctypes.create_string_buffer(64)
            n = llama_cpp.llama_token_to_piece(vocab, tok, buf, 64, 0, False)
            if n < 0:
                buf = ctypes.create_string_buffer(-n)
                n = llama_cpp.llama_token_to_piece(vocab, tok, buf, -n, 0, False)
            b = buf.raw[:max(n, 0)]
            self._pieces[tok] = b
        return b

    def _is_eog(self, tok: int) -> bool:
        v = self._eog.get(tok)
        if v is None:
            v = bool(llama_cpp.llama_vocab_is_eog(self._llm._model.vocab, tok))
            self._eog[tok] = v
        return v

    def _grammar(self, params: GenerationParams) -> Any:
        if params.grammar is None and params.json_schema is None:
            return None
        try:
            if params.grammar is not None:
                grammar = llama_cpp.LlamaGrammar.from_string(params.grammar, verbose=False)
            else:
                grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(params.json_schema), verbose=False)
        except Exception as exc:  # noqa: BLE001 - the schema converter raises many kinds
            raise ModelError("llm.model.bad_grammar", reason=str(exc)[:200]) from None
        # llama-cpp-python does not parse GBNF itself; llama.cpp returns NULL for a bad grammar
        # and llama-cpp-python would add that NULL to the sampler chain (a crash). Parse it once
        # here and refuse it cleanly.
        text = grammar._grammar
        if text not in self._good_grammars:
            _clear_log()
            sampler = llama_cpp.llama_sampler_init_grammar(self._llm._model.vocab, text.encode("utf-8"),
                                                           grammar._root.encode("utf-8"))
            if not sampler:
                detail = "; ".join(_recent_log()[-2:]) or "parse error"
                raise ModelError("llm.model.bad_grammar", reason=detail[:200])
            llama_cpp.llama_sampler_free(sampler)
            if len(self._good_grammars) > 64:
                self._good_grammars.clear()
            self._good_grammars.add(text)
        return grammar

    def _prefill(self, tokens: list[int], cancel: CancelToken) -> None:
        """Evaluate the prompt in chunks (checking ``cancel``), reusing a cached prefix.

        Leaves the context so that ``Llama.generate(tokens)`` finds the prompt fully cached
        and starts sampling at once.
        """
        llm = self._llm
        cached = llm.n_tokens
        prefix = 0
        if cached:
            ids = llm.input_ids
            limit = min(cached, len(tokens))
            while prefix < limit and ids[prefix] == tokens[prefix]:
                prefix += 1
        if prefix == len(tokens) == cached and not llm._requires_eval:
            return
        keep = min(prefix, len(tokens) - 1)
        if keep > 0 and llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.n_tokens = keep
        else:
            llm.reset()
            keep = 0
        # Chunks sized so that one takes about PREFILL_SLICE_S: cancel stays prompt, and big
        # batches keep prompt processing efficient once the speed is known.
        # The speed measured on earlier prompts is remembered, so later prompts start big.
        def slice_for(rate: float | None) -> int:
            if rate is None:
                return min(PROMPT_CHUNK_MIN, llm.n_batch)
            return int(min(llm.n_batch, max(PROMPT_CHUNK_MIN, rate * PREFILL_SLICE_S)))

        chunk = slice_for(self._prefill_rate)
        i = keep
        while i < len(tokens):
            cancel.raise_if_cancelled()
            t0 = time.perf_counter()
            llm.eval(tokens[i:i + chunk])
            done = min(chunk, len(tokens) - i)
            i += done
            if done >= PROMPT_CHUNK_MIN // 2:
                rate = done / max(time.perf_counter() - t0, 1e-6)
                old = self._prefill_rate
                self._prefill_rate = rate if old is None else 0.5 * old + 0.5 * rate
            chunk = slice_for(self._prefill_rate)
        cancel.raise_if_cancelled()


def _parse_offloaded(lines: list[str]) -> int | None:
    for line in reversed(lines):
        m = re.search(r"offloaded (\d+)/(\d+) layers", line)
        if m:
            return int(m.group(1))
    return None


# --- batched generation ------------------------------------------------------------------------
#
# Long documents become many independent prompts (要約 map chunks, 翻訳 blocks, 校正 chunks).
# Decoding them one at a time leaves the CPU waiting on memory: one token of one sequence per
# forward pass. Here N sequences share each forward pass (one llama.cpp batch, one sequence id
# each), which on this class of machine roughly doubles aggregate tokens/s. llama-cpp-python's
# ``Llama(n_seq_max=…)`` is ignored, so a second low-level context is made from the loaded
# model with n_seq_max (and kv_unified). The prompt part every sequence shares (the
# instruction and few-shot example) is evaluated once into a reserved sequence and copied into
# each slot with llama_memory_seq_cp (a unified cache tags the same cells; with a stream per
# sequence the cells are copied — either way nothing is recomputed). Slots are refilled as
# sequences end (continuous batching), so one long answer does not hold the others back.

MAX_BATCH = 8               # sequences decoded together at most (the automatic choice)
MIN_SHARED_PREFIX = 8       # shorter common prefixes are not worth a shared sequence
KV_MEMORY_SHARE = 0.25      # share of the available RAM the batch KV cache may use
UNIFIED_MAX_CELLS = 4096    # up to this many distinct cells in all: one unified KV cache
KEEP_CONTEXT_BYTES = 256 * 1024 ** 2   # batch contexts with a bigger KV cache are freed after use


def _available_memory() -> int:
    """RAM available now, or less when this process has an address-space cap (the runner)."""
    free = _free_ram()
    try:
        import resource
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            with open("/proc/self/status", encoding="ascii") as fh:
                used = next(int(ln.split()[1]) * 1024 for ln in fh if ln.startswith("VmSize:"))
            free = min(free, max(0, soft - used))
    except (ImportError, OSError, ValueError, StopIteration):
        pass
    return free


def _free_ram() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 2 * 1024 ** 3


def _common_prefix(seqs: list[list[int]]) -> int:
    first = seqs[0]
    n = min(len(s) for s in seqs)
    for s in seqs[1:]:
        i = 0
        while i < n and s[i] == first[i]:
            i += 1
        n = i
    return n


class _TextSink:
    """One sequence's text: incremental UTF-8, stop strings held back, degenerate detector.

    The same rules, in the same order, as ``LlamaGeneration._run`` so a batched sequence ends
    exactly where the sequential one would.
    """

    __slots__ = ("detector", "stops", "hold", "decoder", "pending", "parts", "reason")

    def __init__(self, params: GenerationParams) -> None:
        self.detector = DegenerateDetector(params.expect_language) if params.detect_degenerate else None
        self.stops = tuple(s for s in params.stop if s)
        self.hold = max((len(s) for s in self.stops), default=0) - 1
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""
        self.parts: list[str] = []
        self.reason: StopReason | None = None

    def push(self, data: bytes) -> str:
        """Text to show for one token ('' while held back); sets ``reason`` to stop."""
        piece = self.decoder.decode(data)
        if not piece:
            return ""
        if self.stops:
            self.pending += piece
            cut = _find_stop(self.pending, self.stops)
            if cut is not None:
                piece, self.pending = self.pending[:cut], ""
                self.reason = "stop"
            elif self.hold > 0 and len(self.pending) > self.hold:
                piece, self.pending = self.pending[:-self.hold], self.pending[-self.hold:]
            elif self.hold > 0:
                piece = ""
            else:
                piece, self.pending = self.pending, ""
        if piece:
            self.parts.append(piece)
        if self.reason is None and self.detector is not None:
            bad = self.detector.feed(piece)
            if bad is not None:
                self.reason = bad
        return piece

    def finish(self, reason: StopReason) -> tuple[str, StopReason]:
        """(text still to show, final stop reason) when the sequence ends for ``reason``."""
        tail = self.decoder.decode(b"", final=True)
        rest = ""
        if reason != "stop" and (self.pending or tail):
            rest = self.pending + tail
            if rest:
                self.parts.append(rest)
        if self.detector is not None and reason in ("eos", "length", "stop"):
            late = self.detector.finish()
            if late is not None:
                reason = late
            elif is_empty_output("".join(self.parts)):
                reason = "empty"
        return rest, reason


class _Slot:
    __slots__ = ("index", "todo", "pos", "chain", "sink", "max_tokens", "n", "last", "out")

    def __init__(self, index: int, todo: list[int], pos: int, chain: Any, sink: _TextSink,
                 max_tokens: int) -> None:
        self.index = index
        self.todo: list[int] | None = todo     # prompt tokens still to evaluate; None: generating
        self.pos = pos
        self.chain = chain
        self.sink = sink
        self.max_tokens = max_tokens
        self.n = 0
        self.last = -1
        self.out: int | None = None            # batch row whose logits this slot samples


class LlamaBatchGeneration:
    """N prompts decoded together. Iterate for ``(index, piece)`` events; ``(index, None)``
    says sequence ``index`` has ended and ``results[index]`` is filled in.

    Sampling per sequence uses the same llama.cpp sampler chain that llama-cpp-python builds
    for ``Llama.generate`` (penalties, grammar, greedy or top-k/typical/top-p/min-p/temp/dist),
    so grammar / JSON-schema constraints work per sequence and greedy output matches the
    sequential path up to floating-point differences between batch shapes (near-ties).
    Cancel is checked before every decode step (one token of every sequence, or one prompt
    slice); ``Cancelled`` is raised and unfinished sequences get stop_reason "cancelled".
    """

    def __init__(self, engine: LlamaEngine, prompts: Sequence[str],
                 params: GenerationParams | Sequence[GenerationParams], cancel: CancelToken,
                 batch_size: int | None = None) -> None:
        self._engine = engine
        self._prompts = list(prompts)
        self._params = params_per_prompt(self._prompts, params)
        self._cancel = cancel
        self._batch_size = batch_size
        self._started = False
        self.results: list[Any] = [None] * len(self._prompts)
        self.batch_size = 0
        self.shared_prefix = 0       # prompt tokens evaluated once for all sequences
        self.unified = False         # one KV cache for all sequences (else a stream each)
        self.n_prompt_tokens = 0     # prompt tokens actually evaluated
        self.n_tokens = 0            # generated tokens, all sequences
        self.seconds = 0.0
        self.prompt_seconds = 0.0    # time spent evaluating prompts (all sequences)

    def __iter__(self) -> Iterator[tuple[int, str | None]]:
        if self._started:
            raise RuntimeError("a Generation can be iterated only once")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[tuple[int, str | None]]:
        eng = self._engine
        llm = eng._ensure_loaded()
        cancel = self._cancel
        t0 = time.perf_counter()
        slots: list[_Slot | None] = []
        batch = None
        ctx = None
        try:
            if not self._prompts:
                return
            n_ctx = llm.n_ctx()
            toks: list[list[int]] = []
            for text in self._prompts:
                t = eng._tokenize(text)
                if not t:
                    bos = llama_cpp.llama_vocab_bos(llm._model.vocab)
                    if bos < 0:
                        raise ModelError("llm.model.decode_failed", reason="empty prompt")
                    t = [bos]
                if len(t) >= n_ctx:
                    raise ModelError("llm.model.context_too_long", n_tokens=len(t), n_ctx=n_ctx)
                toks.append(t)
            grammars: dict[int, Any] = {}
            for p in self._params:
                if id(p) not in grammars:
                    grammars[id(p)] = eng._grammar(p)
            max_toks = [min(p.max_tokens, n_ctx - len(t)) if p.max_tokens > 0 else n_ctx - len(t)
                        for p, t in zip(self._params, toks)]
            prefix = 0
            if len(toks) > 1:
                prefix = min(_common_prefix(toks), min(len(t) for t in toks) - 1)
                if prefix < MIN_SHARED_PREFIX:
                    prefix = 0
            need = max(len(t) - prefix + m for t, m in zip(toks, max_toks))
            n = self._batch_size or eng.auto_batch_size(len(toks), need, prefix)
            n = max(1, min(int(n), len(toks), 64))
            self.batch_size, self.shared_prefix = n, prefix
            n_batch = int(llm.n_batch)
            # A unified KV cache makes every token attend over every sequence's cells (masked):
            # cheap when the sequences are short next to a shared prefix, but for long
            # distinct prompts (要約 chunks) a stream per sequence is far cheaper, and the
            # shared prefix is then copied into each stream once it is evaluated.
            unified = n * need <= UNIFIED_MAX_CELLS
            self.unified = unified
            ctx = eng._batch_context(n + 1, prefix + need, unified)
            mem = llama_cpp.llama_get_memory(ctx)
            batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
            prefix_seq = n

            def put(row: int, tok: int, pos: int, seq: int, logits: bool) -> None:
                batch.token[row] = tok
                batch.pos[row] = pos
                batch.n_seq_id[row] = 1
                batch.seq_id[row][0] = seq
                batch.logits[row] = 1 if logits else 0

            def decode(rows: int) -> None:
                batch.n_tokens = rows
                rc = llama_cpp.llama_decode(ctx, batch)
                if rc != 0:
                    raise ModelError("llm.model.decode_failed", reason=f"llama_decode returned {rc}")

            def timed_decode(rows: int) -> None:
                # prompt slices sized like LlamaEngine._prefill's (about PREFILL_SLICE_S each),
                # so cancel is noticed quickly even on a slow machine
                t1 = time.perf_counter()
                decode(rows)
                took = time.perf_counter() - t1
                self.prompt_seconds += took
                if rows >= PROMPT_CHUNK_MIN // 2:
                    rate = rows / max(took, 1e-6)
                    old = eng._prefill_rate
                    eng._prefill_rate = rate if old is None else 0.5 * old + 0.5 * rate

            def slice_len() -> int:
                rate = eng._prefill_rate
                if rate is None:
                    return min(PROMPT_CHUNK_MIN, n_batch)
                return int(min(n_batch, max(PROMPT_CHUNK_MIN, rate * PREFILL_SLICE_S)))

            i = 0
            while i < prefix:               # the shared prefix, once
                cancel.raise_if_cancelled()
                chunk = toks[0][i:min(prefix, i + slice_len())]
                for j, tok in enumerate(chunk):
                    put(j, tok, i + j, prefix_seq, j == len(chunk) - 1)
                timed_decode(len(chunk))
                i += len(chunk)
            self.n_prompt_tokens = prefix

            piece_of = eng._piece
            is_eog = eng._is_eog
            pending = deque(range(len(toks)))
            slots = [None] * n
            results = self.results

            def finish(s: int, reason: StopReason) -> Iterator[tuple[int, str | None]]:
                sl = slots[s]
                assert sl is not None
                rest, reason = sl.sink.finish(reason)
                if rest:
                    yield sl.index, rest
                results[sl.index] = SeqResult(sl.index, "".join(sl.sink.parts), reason, sl.n,
                                              len(toks[sl.index]), time.perf_counter() - t0)
                self.n_tokens += sl.n
                llama_cpp.llama_sampler_free(sl.chain)
                slots[s] = None
                llama_cpp.llama_memory_seq_rm(mem, s, -1, -1)
                yield sl.index, None

            def sample(s: int) -> Iterator[tuple[int, str | None]]:
                sl = slots[s]
                assert sl is not None and sl.out is not None
                cancel.raise_if_cancelled()        # between the tokens of one step too
                tok = llama_cpp.llama_sampler_sample(sl.chain, ctx, sl.out)
                sl.out = None
                if is_eog(tok):
                    yield from finish(s, "eos")
                    return
                sl.n += 1
                piece = sl.sink.push(piece_of(tok))
                if piece:
                    yield sl.index, piece
                if sl.sink.reason is not None:
                    yield from finish(s, sl.sink.reason)
                elif sl.n >= sl.max_tokens:
                    yield from finish(s, "length")
                else:
                    sl.last = tok

            while pending or any(sl is not None for sl in slots):
                cancel.raise_if_cancelled()
                for s in range(n):
                    if slots[s] is None and pending:
                        k = pending.popleft()
                        llama_cpp.llama_memory_seq_rm(mem, s, -1, -1)
                        if prefix:
                            llama_cpp.llama_memory_seq_cp(mem, prefix_seq, s, -1, -1)
                        p = self._params[k]
                        slots[s] = _Slot(k, toks[k][prefix:], prefix,
                                         eng._sampler_chain(p, grammars[id(p)]), _TextSink(p), max_toks[k])
                # 1. one prompt slice of one sequence (alone in its batch: llama.cpp splits a
                #    multi-stream batch into equal-length pieces, a mixed one would crawl)
                prefilling = next(((i, sl) for i, sl in enumerate(slots) if sl is not None and sl.todo), None)
                if prefilling is not None:
                    s, slot = prefilling
                    todo = slot.todo or []
                    take = todo[:slice_len()]
                    whole = len(take) == len(todo)
                    for j, tok in enumerate(take):
                        put(j, tok, slot.pos + j, s, whole and j == len(take) - 1)
                    timed_decode(len(take))
                    slot.pos += len(take)
                    self.n_prompt_tokens += len(take)
                    if whole:
                        slot.todo = None
                        slot.out = len(take) - 1
                        yield from sample(s)
                    else:
                        slot.todo = todo[len(take):]
                # 2. one token of every generating sequence, together
                rows = 0
                for s, sl in enumerate(slots):
                    if sl is not None and sl.todo is None and sl.last >= 0:
                        put(rows, sl.last, sl.pos, s, True)
                        sl.out = rows
                        sl.pos += 1
                        rows += 1
                if rows:
                    decode(rows)
                    for s, sl in enumerate(slots):
                        if sl is not None and sl.out is not None:
                            yield from sample(s)
        except Cancelled:
            for k, r in enumerate(self.results):
                if r is None:
                    self.results[k] = SeqResult(k, stop_reason="cancelled")
            raise
        except GennaiError:
            raise
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError("llm.model.decode_failed", reason=str(exc)[:200]) from None
        finally:
            for sl in slots:
                if sl is not None:
                    llama_cpp.llama_sampler_free(sl.chain)
            if batch is not None:
                llama_cpp.llama_batch_free(batch)
            if ctx is not None:
                llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
                cur = eng._batch_ctx
                if cur is not None and cur[1] * eng.kv_bytes_per_token() > KEEP_CONTEXT_BYTES:
                    eng._free_batch_context()   # a big KV cache is not kept between tasks
            self.seconds = time.perf_counter() - t0


if TYPE_CHECKING:
    def _implements_text_engine(engine: LlamaEngine) -> TextEngine:
        """Never called: the type checker proves here that LlamaEngine is a TextEngine."""
        return engine
