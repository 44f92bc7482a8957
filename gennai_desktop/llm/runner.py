"""``TextEngine`` whose llama.cpp runs in a child process (``llm.runner_child``).

The app never executes llama.cpp itself: a crash of native code (SIGILL from a CPU variant the
OS does not allow, SIGSEGV, an out-of-memory kill) ends the runner, and this side turns it into
a Japanese message with what to do, while the window, CLI, open documents and unsaved results
live on. The next task starts a new runner.

Fallback: a crash while loading, or before the first generation of a runtime configuration has
completed, marks that configuration as bad for this model and tries the next one — GPU → CPU,
fastest CPU variant → … → x64 baseline — and says so (``notices``). The configuration that
worked is remembered per model in ``home_dir()/runtime/choices.json``, so the next start
goes straight to it.

Every load parameter is decided here, once per runtime configuration, into one typed
``RuntimeOptions`` (``llm.options``: the model path as given, CPU variant, GPU backend, GPU
layers from free VRAM, threads, thread wait policy, context) that the child obeys; the
messages are ``llm.protocol``'s. Tokens cross the pipe as one JSON line each; a reader thread
decodes lines into a queue, so the consuming thread can check its CancelToken every 50 ms even
while the child is silent (prompt evaluation) and forward ``cancel`` to the child, which stops
between tokens.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..core import errors as core_errors
from ..core import sandbox
from ..core.atomicio import atomic_write_text
from ..core.cancel import NEVER, Cancelled, CancelToken, ambient
from ..core.cpu_budget import DEFAULT_WAIT_POLICY, WaitPolicy
from ..core.errors import GennaiError, ModelError
from ..core.i18n import tr
from ..core.paths import home_dir
from . import cpu_variants, protocol, templates
from . import options as runtime_options
from .base import BackendInfo, GenerationParams, Message, ModelSpec, SeqResult, StreamedGeneration, params_per_prompt
from .gguf_check import GgufInfo, check_gguf
from .options import RuntimeOptions

if TYPE_CHECKING:
    from .base import TextEngine

_EOF = object()
_R = TypeVar("_R", bound="protocol.Reply")
CANCEL_GRACE_S = 10.0        # after this the child is killed if it does not stop on cancel
START_TIMEOUT_S = 120.0      # the child's Python start (llama.cpp loads with the load request)
CHOICES_FILE = Path("runtime") / "choices.json"


class _CancelRequested:
    """Not a message: ``_recv`` saw the caller's CancelToken set while waiting."""


_CANCEL_REQUESTED = _CancelRequested()


class RunnerCrashed(ModelError):
    """The runner process died (signal or exit) — the app itself is fine."""


@dataclass(frozen=True)
class RuntimeConfig:
    cpu_variant: str | None      # None: a monolithic build (or no llama_cpp at all)
    gpu_backend: str | None

    @property
    def key(self) -> str:
        return f"{self.cpu_variant or 'builtin'}+{self.gpu_backend or 'cpu'}"

    def label(self) -> str:
        cpu = f"CPU（{self.cpu_variant}）" if self.cpu_variant else "CPU"
        return f"{self.gpu_backend.upper()} + {cpu}" if self.gpu_backend else cpu


def _signal_name(code: int | None) -> str:
    if code is None:
        return "?"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit {code}"


def model_key(spec: ModelSpec) -> str:
    if spec.sha256:
        return spec.sha256
    try:
        st = Path(spec.path).stat()
        return f"{spec.id}:{st.st_size}"
    except OSError:
        return spec.id


class RuntimeChoices:
    """Per-model memory of runtime configurations that crashed and the one that works."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home_dir() / CHOICES_FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, key: str) -> dict[str, Any]:
        entry = self._read().get(key)
        return entry if isinstance(entry, dict) else {}

    def _update(self, key: str, **changes: Any) -> None:
        data = self._read()
        old = data.get(key)
        entry: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
        entry.update(changes)
        data[key] = entry
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))
        except (OSError, GennaiError):
            pass  # a read-only home only loses the memory, never the task

    def mark_bad(self, key: str, config: RuntimeConfig, reason: str) -> None:
        bad = dict(self.get(key).get("bad") or {})
        bad[config.key] = reason
        self._update(key, bad=bad)

    def mark_good(self, key: str, config: RuntimeConfig) -> None:
        if self.get(key).get("good") != config.key:
            self._update(key, good=config.key)


def candidate_configs(n_gpu_layers: int, layout: cpu_variants.RuntimeLayout | None = None,
                      feats: cpu_variants.CpuFeatures | None = None) -> list[RuntimeConfig]:
    """Every configuration worth trying here, best first: GPU backends, then CPU variants."""
    layout = layout if layout is not None else cpu_variants.runtime_layout()
    if layout is None or layout.monolithic or not layout.cpu_variants:
        return [RuntimeConfig(None, None)]
    variants = cpu_variants.eligible_variants(layout, feats)
    out = []
    if n_gpu_layers != 0:
        out += [RuntimeConfig(variants[0], g) for g in layout.gpu_backends]
    out += [RuntimeConfig(v, None) for v in variants]
    return out


class RunnerEngine:
    """``TextEngine`` over a runner process; same interface as ``LlamaEngine``."""

    def __init__(self, spec: ModelSpec, *, n_gpu_layers: int = -1, n_threads: int = 0,
                 n_ctx: int | None = None, wait_policy: WaitPolicy = DEFAULT_WAIT_POLICY,
                 configs: list[RuntimeConfig] | None = None,
                 child_argv: list[str] | None = None, choices: RuntimeChoices | None = None,
                 batch_size: int = 0) -> None:
        self.spec = spec                   # its path is final: the runner loads exactly that file
        self.batch_size = batch_size       # sequences decoded together; 0: automatic (setting)
        self.n_gpu_layers = n_gpu_layers   # settings, turned into RuntimeOptions per configuration
        self.n_threads = n_threads
        self.wait_policy: WaitPolicy = wait_policy
        self._n_ctx_wanted = n_ctx
        self._gguf: GgufInfo | None = None
        self._options: RuntimeOptions | None = None
        self._configs = configs
        self._argv = child_argv or sandbox.child_argv("runner")   # sandboxed child (core/sandbox.py)
        self._choices = choices or RuntimeChoices()
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[protocol.Reply | object] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=40)
        self._config: RuntimeConfig | None = None
        self._proven = False               # a generation completed with this configuration
        self._load_reply: protocol.Loaded | None = None
        self._special: dict[str, dict[str, str]] = {}
        self._lock = threading.RLock()
        self.notices: list[str] = []       # e.g. "GPU で異常終了したため CPU に切り替えました"
        self.load_seconds: float | None = None

    # -- configuration choice --

    def _ordered_configs(self) -> list[RuntimeConfig]:
        configs = list(self._configs) if self._configs is not None else candidate_configs(self.n_gpu_layers)
        entry = self._choices.get(model_key(self.spec))
        bad = set((entry.get("bad") or {}).keys())
        usable = [c for c in configs if c.key not in bad] or configs[-1:]
        good = entry.get("good")
        usable.sort(key=lambda c: c.key != good)
        return usable

    @property
    def config(self) -> RuntimeConfig | None:
        return self._config

    @property
    def options(self) -> RuntimeOptions | None:
        """What the running runner was told to do (None before the first load)."""
        return self._options

    def options_for(self, config: RuntimeConfig) -> RuntimeOptions:
        """Every load parameter for ``config``, decided here from the settings and the model
        file's header (read once; a malformed file is refused before any process starts)."""
        if self._gguf is None:
            self._gguf = check_gguf(self.spec.path)
        return runtime_options.decide(self.spec, self._gguf, cpu_variant=config.cpu_variant,
                                      gpu_backend=config.gpu_backend, n_gpu_layers=self.n_gpu_layers,
                                      n_threads=self.n_threads, wait_policy=self.wait_policy,
                                      n_ctx=self._n_ctx_wanted, warmup=not self._proven)

    # -- process --

    @property
    def loaded(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and self._load_reply is not None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _spawn(self, config: RuntimeConfig) -> None:
        # every load parameter (CPU variant and GPU backend included) travels in RuntimeOptions
        limits = sandbox.Limits(memory_bytes=0 if config.gpu_backend else self._memory_cap())
        self._lines = q = queue.Queue[protocol.Reply | object]()
        self._stderr.clear()
        proc = sandbox.start("runner", {}, limits, argv=self._argv, text=True)
        threading.Thread(target=_pump_lines, args=(proc.stdout, q), daemon=True,
                         name="runner-stdout").start()
        threading.Thread(target=_pump_stderr, args=(proc.stderr, self._stderr), daemon=True,
                         name="runner-stderr").start()
        self._proc, self._config, self._load_reply, self._special = proc, config, None, {}
        hello = self._recv(timeout=START_TIMEOUT_S)
        if not isinstance(hello, protocol.Ready):
            raise self._as_error(hello)

    def _memory_cap(self) -> int:
        """Address-space cap for a CPU-only runner: the model twice over plus room for the
        KV cache, thread stacks and Python (generous: it stops runaways, not normal work)."""
        try:
            size = Path(self.spec.path).stat().st_size
        except OSError:
            size = 0
        return 2 * size + 6 * 1024 ** 3

    def _send(self, req: protocol.Request) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None:
            raise self._crashed()
        try:
            proc.stdin.write(protocol.encode_request(req))
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._crashed() from None

    def _recv(self, timeout: float | None = None,
              cancel: CancelToken | None = None) -> protocol.Reply | _CancelRequested:
        """Next message from the child (or ``_CANCEL_REQUESTED`` once ``cancel`` is set while
        waiting); raises RunnerCrashed if it died."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                item = self._lines.get(timeout=0.05)
            except queue.Empty:
                if cancel is not None and cancel.cancelled:
                    return _CANCEL_REQUESTED
                if deadline is not None and time.monotonic() > deadline:
                    self._kill()
                    raise self._crashed(reason="timeout") from None
                continue
            if item is _EOF:
                raise self._crashed()
            return item  # type: ignore[return-value]  # the queue holds replies and _EOF only

    def _crashed(self, reason: str | None = None) -> RunnerCrashed:
        proc = self._proc
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill()
                code = proc.poll()
        self._proc, self._load_reply = None, None
        detail = reason or _signal_name(code)
        tail = " / ".join(line.strip() for line in list(self._stderr)[-3:] if line.strip())
        return RunnerCrashed("llm.runner.crashed", name=self.spec.label(), signal=detail,
                             config=self._config.label() if self._config else "?",
                             detail=tail[-300:])

    def _as_error(self, reply: protocol.Reply | _CancelRequested) -> GennaiError:
        """The GennaiError for a ``Failure`` (or for a reply that makes no sense here)."""
        if not isinstance(reply, protocol.Failure):
            return ModelError("llm.model.decode_failed", reason=f"unexpected {type(reply).__name__}")
        cls = getattr(core_errors, reply.cls, ModelError)
        if not (isinstance(cls, type) and issubclass(cls, GennaiError)):
            cls = ModelError
        return cls(reply.key, **reply.params)

    def _kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def _request(self, req: protocol.Request, expect: type[_R]) -> _R:
        """Send ``req`` and return its one reply, which must be an ``expect``; a cancel
        (Ctrl-C / 中止, the ambient token) while waiting, e.g. during a load, stops the child."""
        self._send(req)
        reply = self._recv(cancel=ambient())
        if isinstance(reply, _CancelRequested):
            self._kill()
            self._proc, self._load_reply = None, None
            raise Cancelled()
        if not isinstance(reply, expect):
            raise self._as_error(reply)
        return reply

    # -- loading, with fallback --

    def _ensure_loaded(self) -> protocol.Loaded:
        with self._lock:
            if self.loaded and self._load_reply is not None:
                return self._load_reply
            return self._load_with_fallback()

    def _load_with_fallback(self) -> protocol.Loaded:
        configs = self._ordered_configs()
        if self._config in configs and self._proven:
            configs.remove(self._config)
            configs.insert(0, self._config)   # a proven configuration is retried first after a crash
        key = model_key(self.spec)
        last: RunnerCrashed | None = None
        for i, config in enumerate(configs):
            t0 = time.perf_counter()
            opts = self.options_for(config)
            try:
                self._spawn(config)
                reply = self._request(protocol.Load(self.spec, opts), protocol.Loaded)
            except RunnerCrashed as exc:
                last = exc
                self._choices.mark_bad(key, config, str(exc.params.get("signal")))
                self._proven = False
                if i + 1 < len(configs):
                    self.notices.append(tr("llm.runner.fell_back", old=config.label(), new=configs[i + 1].label(),
                                           signal=exc.params.get("signal")))
                continue
            except GennaiError:
                self._stop()
                raise
            self._load_reply, self._options = reply, opts
            self.load_seconds = time.perf_counter() - t0
            return reply
        raise last if last is not None else ModelError("llm.runner.no_runtime")

    def load(self) -> None:
        self._ensure_loaded()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        proc = self._proc
        self._proc, self._load_reply = None, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.write(protocol.encode_request(protocol.Close()))
                proc.stdin.flush()
                proc.stdin.close()
            proc.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout=5)

    def __del__(self) -> None:  # best effort: never leave a runner behind
        try:
            self._stop()
        except Exception:  # noqa: BLE001 - __del__ must never raise (interpreter shutdown)
            pass

    # -- TextEngine --

    def n_ctx(self) -> int:
        return self._ensure_loaded().n_ctx

    def count_tokens(self, text: str) -> int:
        with self._lock:
            self._ensure_loaded()
            return self._request(protocol.CountTokens(text), protocol.TokenCount).n

    def render_chat(self, messages: Sequence[Message], cancel: CancelToken = NEVER) -> str:
        """The prompt for ``messages`` with the model's reviewed template, rendered here (in
        the app's sandboxed Jinja2); ``cancel`` stops a template that is still rendering."""
        spec = self.spec
        if spec.chat_template:
            return templates.render_pinned(spec.chat_template, spec.chat_template_sha256, messages,
                                           name=spec.id, cancel=cancel,
                                           special=self._special_token_texts(spec.chat_template))
        if spec.chat_format:
            return templates.render_reviewed(spec.chat_format, messages, cancel=cancel)
        raise ModelError("llm.template.missing", name=spec.label())

    def _special_token_texts(self, template: str) -> dict[str, str]:
        if "bos_token" not in template and "eos_token" not in template:
            return {}
        if template not in self._special:
            with self._lock:
                self._ensure_loaded()
                self._special[template] = self._request(protocol.SpecialTokens(template),
                                                        protocol.SpecialTokenTexts).value
        return self._special[template]

    def generate(self, prompt: str, params: GenerationParams,
                 cancel: CancelToken = NEVER) -> RunnerGeneration:
        return RunnerGeneration(self, prompt, params, cancel)

    def generate_batch(self, prompts: Sequence[str],
                       params: GenerationParams | Sequence[GenerationParams],
                       cancel: CancelToken = NEVER, batch_size: int | None = None) -> RunnerBatchGeneration:
        """``LlamaEngine.generate_batch`` in the runner; iterate for (index, piece|None).
        ``batch_size`` None: the engine's setting (``self.batch_size``, 0 = automatic)."""
        if batch_size is None:
            batch_size = self.batch_size or None
        return RunnerBatchGeneration(self, prompts, params, cancel, batch_size)

    def backend_info(self) -> BackendInfo:
        b = self._ensure_loaded().backend
        cfg = self._config
        return replace(b, cpu_variant=(cfg.cpu_variant or "builtin") if cfg else "",
                       note=" ".join(self.notices[-1:]))

    def info(self) -> protocol.RuntimeInfo:
        """Backends and devices as the runner sees them (for ``gennai doctor``)."""
        with self._lock:
            self._ensure_loaded()
            return self._request(protocol.Info(), protocol.RuntimeInfo)


class RunnerGeneration(StreamedGeneration):
    """A generation streamed from the runner; same fields as ``LlamaGeneration``."""

    def __init__(self, engine: RunnerEngine, prompt: str, params: GenerationParams,
                 cancel: CancelToken) -> None:
        super().__init__(engine, prompt, params, cancel)
        self._engine: RunnerEngine = engine

    def _run(self) -> Iterator[str]:
        eng = self._engine
        msg = self._message()
        restarted = False
        with eng._lock:
            while True:   # retried only while nothing has been streamed
                self._cancel.raise_if_cancelled()
                eng._ensure_loaded()
                try:
                    yield from self._stream(msg)
                    eng._proven = True
                    if eng._config is not None:
                        eng._choices.mark_good(model_key(eng.spec), eng._config)
                    return
                except RunnerCrashed as exc:
                    if self._parts or eng._config is None:
                        raise
                    if eng._proven:
                        # a configuration that worked before: the runner may have died while
                        # idle (killed, out of memory); start it again once, then report
                        if restarted:
                            raise
                        restarted = True
                        continue
                    eng._choices.mark_bad(model_key(eng.spec), eng._config, str(exc.params.get("signal")))
                    remaining = eng._ordered_configs()
                    if not remaining or remaining[0].key == eng._config.key:
                        raise
                    eng.notices.append(tr("llm.runner.fell_back", old=eng._config.label(),
                                          new=remaining[0].label(), signal=exc.params.get("signal")))

    def _message(self) -> protocol.Request:
        return protocol.Generate(self._prompt, self._params)

    def _stream(self, msg: protocol.Request) -> Iterator[Any]:
        eng = self._engine
        cancel = self._cancel
        t0 = time.perf_counter()
        eng._send(msg)
        try:
            yield from self._receive(cancel, t0)
        except GeneratorExit:
            # the consumer stopped early: stop the child too, so the next request finds it idle
            self._drain_after_cancel()
            raise
        except RunnerCrashed:
            if self.stop_reason == "cancelled":
                raise Cancelled() from None   # killed because it ignored cancel: a clean stop
            raise
        finally:
            self.seconds = time.perf_counter() - t0

    def _request_cancel(self) -> float:
        """Ask the child to stop; what it still streams until it confirms is dropped."""
        self._engine._send(protocol.Cancel())
        self.stop_reason = "cancelled"
        return time.monotonic()

    def _drain_after_cancel(self) -> None:
        eng = self._engine
        try:
            eng._send(protocol.Cancel())
            while True:
                item = eng._recv(timeout=CANCEL_GRACE_S)
                if isinstance(item, (protocol.Done, protocol.Cancelled, protocol.Failure)):
                    return
        except RunnerCrashed:
            return

    def _receive(self, cancel: CancelToken, t0: float) -> Iterator[str]:
        eng = self._engine
        cancel_sent_at: float | None = None
        parts = self._parts
        while True:
            item = eng._recv(cancel=cancel if cancel_sent_at is None else None,
                             timeout=None if cancel_sent_at is None else CANCEL_GRACE_S)
            if isinstance(item, protocol.Piece):
                if cancel_sent_at is not None:
                    continue            # already cancelled: what the child still sends is dropped
                if cancel.cancelled:
                    cancel_sent_at = self._request_cancel()
                    continue
                if self.first_token_seconds is None:
                    self.first_token_seconds = time.perf_counter() - t0
                parts.append(item.text)
                self.n_tokens += 1
                yield item.text
            elif isinstance(item, _CancelRequested):
                cancel_sent_at = self._request_cancel()
            elif isinstance(item, protocol.Cancelled):
                self.stop_reason = "cancelled"
                raise Cancelled()
            elif isinstance(item, protocol.Done):
                if cancel_sent_at is not None:
                    self.stop_reason = "cancelled"
                    raise Cancelled()
                self.stop_reason = item.stop_reason
                self.n_tokens = item.n_tokens or self.n_tokens
                self.n_prompt_tokens = item.n_prompt_tokens
                self.prompt_seconds = item.prompt_seconds
                return
            else:
                raise eng._as_error(item)


class RunnerBatchGeneration(RunnerGeneration):
    """``generate_batch`` in the runner (op "generate_batch"); events as ``llm.batch`` says.

    Crash handling is RunnerGeneration's: retried on a fresh runner (or the next runtime
    configuration) only while nothing has been streamed.
    """

    def __init__(self, engine: RunnerEngine, prompts: Sequence[str],
                 params: GenerationParams | Sequence[GenerationParams], cancel: CancelToken,
                 batch_size: int | None = None) -> None:
        self._prompts = list(prompts)
        per_prompt = params_per_prompt(self._prompts, params)        # checks the count
        super().__init__(engine, "", per_prompt[0] if per_prompt else GenerationParams(), cancel)
        # one params object goes over the pipe once, not once per prompt
        self._all_params = params if isinstance(params, GenerationParams) else per_prompt
        self._batch_size = batch_size
        self._texts: list[list[str]] = [[] for _ in self._prompts]
        self.results: list[SeqResult | None] = [None] * len(self._prompts)
        self.batch_size = 0
        self.shared_prefix = 0

    def _message(self) -> protocol.Request:
        return protocol.GenerateBatch(self._prompts, self._all_params, self._batch_size)

    def _cancelled(self) -> Cancelled:
        self.stop_reason = "cancelled"
        for k, r in enumerate(self.results):
            if r is None:
                self.results[k] = SeqResult(k, "".join(self._texts[k]), "cancelled")
        return Cancelled()

    def _receive(self, cancel: CancelToken, t0: float) -> Iterator[tuple[int, str | None]]:  # type: ignore[override]  # a batch streams (seq, piece) pairs; its own drain loop reads them
        eng = self._engine
        cancel_sent_at: float | None = None
        while True:
            item = eng._recv(cancel=cancel if cancel_sent_at is None else None,
                             timeout=None if cancel_sent_at is None else CANCEL_GRACE_S)
            if isinstance(item, (protocol.SeqPiece, protocol.SeqEnd)):
                if cancel_sent_at is not None:
                    continue
                if cancel.cancelled:
                    cancel_sent_at = self._request_cancel()
                    continue
                k = item.index
                if isinstance(item, protocol.SeqPiece):
                    if self.first_token_seconds is None:
                        self.first_token_seconds = time.perf_counter() - t0
                    self._parts.append(item.text)
                    self._texts[k].append(item.text)
                    yield k, item.text
                else:
                    self._parts.append("")      # something was delivered: a crash is not retried
                    self.results[k] = SeqResult(k, "".join(self._texts[k]), item.stop_reason, item.n_tokens,
                                                item.n_prompt_tokens, item.seconds)
                    yield k, None
            elif isinstance(item, _CancelRequested):
                cancel_sent_at = self._request_cancel()
            elif isinstance(item, protocol.Cancelled):
                raise self._cancelled()
            elif isinstance(item, protocol.Done):
                if cancel_sent_at is not None:
                    raise self._cancelled()
                self.batch_size = item.batch_size
                self.shared_prefix = item.shared_prefix
                self.n_tokens = item.n_tokens
                self.n_prompt_tokens = item.n_prompt_tokens
                self.prompt_seconds = item.prompt_seconds
                self.stop_reason = "eos"
                return
            else:
                raise eng._as_error(item)


def _pump_lines(stream: Any, q: queue.Queue[protocol.Reply | object]) -> None:
    try:
        for line in stream:
            try:
                q.put(protocol.decode_reply(line))
            except protocol.ProtocolError:
                continue
    except (OSError, ValueError):
        pass
    finally:
        q.put(_EOF)


def _pump_stderr(stream: Any, tail: deque[str]) -> None:
    try:
        for line in stream:
            tail.append(line[-500:])
            if os.environ.get("GENNAI_DEBUG"):
                sys.stderr.write(line)
    except (OSError, ValueError):
        pass


if TYPE_CHECKING:
    def _implements_text_engine(engine: RunnerEngine) -> TextEngine:
        """Never called: the type checker proves here that RunnerEngine is a TextEngine."""
        return engine
