"""The model runner: llama.cpp in a child process, driven over a JSON-lines pipe.

Why a child: llama.cpp is native code. An illegal instruction (a CPU variant the OS does not
allow), a segfault on a hostile GGUF or an out-of-memory abort kills the process it runs in;
here that is this runner, and the app (window, CLI, open documents, unsaved results) survives
and reports it. It keeps one model loaded across tasks, as Ollama's runner and LM Studio's
runtimes do.

Protocol (one JSON object per line; the parent is ``llm.runner``):
    parent → child   {"op": "load"|"count_tokens"|"special_tokens"|"generate"|"generate_batch"|
                      "info"|"close"|"cancel", …}
    child → parent   {"ok": true, …} | {"p": "piece"} … {"done": true, …} | {"error": {…}}
    generate_batch   {"i": k, "p": "piece"} … {"i": k, "end": true, "stop_reason": …} per prompt,
                     then {"done": true, "batch_size": …, "shared_prefix": …}
``cancel`` is read by the stdin thread and sets the running generation's CancelToken, so it
reaches llama.cpp between tokens (and between prompt slices) while the main thread decodes.

The parent chooses the CPU variant / GPU backend in the environment (GENNAI_CPU_VARIANT,
GENNAI_GPU_BACKEND) before this process imports llama.cpp (``llm.engine`` registers them).
It runs as the sandboxed child "runner" (``core/sandbox.py``): resource limits (address
space, no core dumps), no network and no terminal Ctrl-C are set before that import too.
"""
from __future__ import annotations

import json
import os
import queue
import sys
import threading
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, TextIO

from ..core.cancel import CancelToken, Cancelled
from ..core.errors import GennaiError
from . import cpu_variants
from .base import GenerationParams, ModelSpec
from .gguf_check import check_gguf


def spec_to_json(spec: ModelSpec) -> dict[str, Any]:
    d = asdict(spec)
    d["path"] = str(spec.path)
    return d


def spec_from_json(d: dict[str, Any]) -> ModelSpec:
    d = dict(d)
    d["path"] = Path(d["path"])
    d["generation"] = params_from_json(d.get("generation") or {})
    names = {f.name for f in fields(ModelSpec)}
    return ModelSpec(**{k: v for k, v in d.items() if k in names})


def params_from_json(d: dict[str, Any]) -> GenerationParams:
    d = dict(d)
    d["stop"] = tuple(d.get("stop") or ())
    names = {f.name for f in fields(GenerationParams)}
    return GenerationParams(**{k: v for k, v in d.items() if k in names})


def error_to_json(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, GennaiError):
        params = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
                  for k, v in exc.params.items()}
        return {"key": exc.key, "params": params, "cls": type(exc).__name__}
    return {"key": "llm.model.decode_failed", "params": {"reason": f"{type(exc).__name__}: {exc}"[:300]},
            "cls": "ModelError"}


class _Runner:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.engine: Any = None
        self.cancel: CancelToken | None = None
        self.requests: "queue.Queue[dict | None]" = queue.Queue()

    def send(self, obj: dict[str, Any]) -> None:
        self.out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.out.flush()

    def read_stdin(self) -> None:
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("op") == "cancel":
                token = self.cancel
                if token is not None:
                    token.cancel()
                continue
            self.requests.put(msg)
        token = self.cancel          # the parent went away: stop what runs and exit
        if token is not None:
            token.cancel()
        self.requests.put(None)

    def serve(self) -> None:
        from . import engine as eng_mod  # lazy: imports llama_cpp, only after the limits and the backend choice
        self.eng_mod = eng_mod
        threading.Thread(target=self.read_stdin, daemon=True, name="runner-stdin").start()
        self.send({"ready": True, "backends": eng_mod.BACKENDS, "pid": os.getpid()})
        while True:
            msg = self.requests.get()
            if msg is None or msg.get("op") == "close":
                break
            try:
                self.handle(msg)
            except Cancelled:
                self.send({"cancelled": True})
            except BaseException as exc:  # noqa: BLE001 - every failure goes back as a message
                self.send({"error": error_to_json(exc)})
        if self.engine is not None:
            self.engine.close()

    # -- operations --

    def handle(self, msg: dict[str, Any]) -> None:
        op = msg.get("op")
        if op == "load":
            self.load(msg)
        elif op == "count_tokens":
            self.send({"ok": True, "n": self.engine.count_tokens(msg["text"])})
        elif op == "special_tokens":
            self.send({"ok": True, "value": self.engine._special_token_texts(msg["template"])})
        elif op == "generate":
            self.generate(msg)
        elif op == "generate_batch":
            self.generate_batch(msg)
        elif op == "info":
            self.send({"ok": True, **self.info()})
        else:
            self.send({"error": error_to_json(ValueError(f"unknown op {op!r}"))})

    def load(self, msg: dict[str, Any]) -> None:
        spec = spec_from_json(msg["spec"])
        if self.engine is not None:
            self.engine.close()
        n_gpu_layers = int(msg.get("n_gpu_layers", -1))
        auto_layers = None
        if "gpu" in self.eng_mod.BACKENDS and n_gpu_layers < 0:
            auto_layers = auto_gpu_layers(spec.path, int(msg.get("n_ctx") or spec.context_length or 4096))
            if auto_layers is not None:
                n_gpu_layers = auto_layers
        self.engine = self.eng_mod.LlamaEngine(spec, n_gpu_layers=n_gpu_layers,
                                               n_threads=int(msg.get("n_threads", 0)),
                                               n_ctx=msg.get("n_ctx"))
        self.engine.load()
        if msg.get("warmup"):
            # one real decode, so an instruction the CPU/OS refuses crashes now, during load,
            # where the parent falls back, instead of in the middle of a user's task
            list(self.engine.generate("a", GenerationParams(max_tokens=1, detect_degenerate=False)))
            self.engine._llm.reset()   # the first real prompt is evaluated from scratch, as in-process
        info = self.engine.backend_info()
        self.send({"ok": True, "n_ctx": self.engine.n_ctx(), "load_seconds": self.engine.load_seconds,
                   "backend": asdict(info), "backends": self.eng_mod.BACKENDS,
                   "auto_gpu_layers": auto_layers, "path": str(self.engine.spec.path)})

    def generate(self, msg: dict[str, Any]) -> None:
        params = params_from_json(msg.get("params") or {})
        self.cancel = token = CancelToken()
        try:
            gen = self.engine.generate(msg["prompt"], params, token)
            send = self.send
            for piece in gen:
                send({"p": piece})
            send({"done": True, "stop_reason": gen.stop_reason, "n_tokens": gen.n_tokens,
                  "n_prompt_tokens": gen.n_prompt_tokens, "seconds": gen.seconds,
                  "prompt_seconds": gen.prompt_seconds, "first_token_seconds": gen.first_token_seconds})
        finally:
            self.cancel = None

    def generate_batch(self, msg: dict[str, Any]) -> None:
        raw = msg.get("params") or {}
        params = ([params_from_json(p) for p in raw] if isinstance(raw, list) else params_from_json(raw))
        self.cancel = token = CancelToken()
        try:
            run = self.engine.generate_batch(list(msg["prompts"]), params, token,
                                             batch_size=msg.get("batch_size"))
            send = self.send
            for k, piece in run:
                if piece is not None:
                    send({"i": k, "p": piece})
                    continue
                r = run.results[k]
                send({"i": k, "end": True, "stop_reason": r.stop_reason, "n_tokens": r.n_tokens,
                      "n_prompt_tokens": r.n_prompt_tokens, "seconds": r.seconds})
            send({"done": True, "batch_size": run.batch_size, "shared_prefix": run.shared_prefix,
                  "n_tokens": run.n_tokens, "n_prompt_tokens": run.n_prompt_tokens,
                  "seconds": run.seconds, "prompt_seconds": run.prompt_seconds})
        finally:
            self.cancel = None

    def info(self) -> dict[str, Any]:
        return {"backends": self.eng_mod.BACKENDS, "devices": cpu_variants.devices(),
                "system_info": self.eng_mod.llama_cpp.llama_print_system_info().decode("utf-8", "replace")}


def auto_gpu_layers(path: Path, n_ctx: int) -> int | None:
    """Layers that fit in the GPU's free memory (-1 = all), so an 8B pack on a 6 GB laptop GPU
    offloads what fits instead of failing. None when no GPU device is visible."""
    gpus = [d for d in cpu_variants.devices() if d["type"] in ("gpu", "igpu")]
    if not gpus:
        return None
    info = check_gguf(path)
    n_layers = max(1, info.block_count or 1)
    free = max(d["free"] for d in gpus)
    per_layer = info.size / (n_layers + 1)             # +1: output/embedding tensors
    kv = 2 * n_ctx * n_layers * (info.embedding_length or 4096) * 2 // 4   # f16 K+V, GQA ≈ 1/4
    reserve = 512 * 1024 ** 2 + kv                      # compute buffers and KV cache
    fit = int((free - reserve) // per_layer)
    if fit >= n_layers + 1:
        return -1
    return max(0, fit)


def main() -> int:
    """The runner's loop, inside the sandbox (``entry._runner``: limits and no network are
    already set, the request line already read)."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # stray native prints go to stderr, never into the protocol
    runner = _Runner(proto)
    try:
        runner.serve()
    except BaseException as exc:  # noqa: BLE001 - e.g. the llama.cpp import itself failed
        runner.send({"error": error_to_json(exc), "fatal": True})
        return 1
    return 0

