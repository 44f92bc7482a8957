"""The model runner: llama.cpp in a child process, driven over a JSON-lines pipe.

Why a child: llama.cpp is native code. An illegal instruction (a CPU variant the OS does not
allow), a segfault on a hostile GGUF or an out-of-memory abort kills the process it runs in;
here that is this runner, and the app (window, CLI, open documents, unsaved results) survives
and reports it. It keeps one model loaded across tasks, as Ollama's runner and LM Studio's
runtimes do.

One-way boundary: every load parameter arrives decided, in the ``load`` request's
``RuntimeOptions`` (``llm.options``); this process obeys it — it registers the CPU variant
and GPU backend named there, sets the OpenMP wait policy in its own environment before
llama.cpp loads, and loads the model file it is given with the threads, layers and context
it is given. It decides nothing and echoes nothing back. The messages are ``llm.protocol``'s.
``cancel`` is read by the stdin thread and sets the running generation's CancelToken, so it
reaches llama.cpp between tokens (and between prompt slices) while the main thread decodes.

It runs as the sandboxed child "runner" (``core/sandbox.py``): resource limits (address
space, no core dumps), no network and no terminal Ctrl-C are set before llama.cpp is imported.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
from types import ModuleType
from typing import Any, TextIO

from ..core.cancel import Cancelled, CancelToken
from ..core.cpu_budget import apply_openmp_environment
from . import cpu_variants, protocol
from .options import RuntimeOptions


def import_engine(options: RuntimeOptions) -> ModuleType:
    """Prepare the process as ``options`` says, then import llama.cpp (``llm.engine``).

    The OpenMP wait variables are read by libgomp when it loads (with the CPU variant's
    library), and the variant and GPU backend must be registered before llama.cpp
    initialises, so both happen first. A second call (another load in the same runner)
    finds them done; the parent starts a new runner for another configuration."""
    apply_openmp_environment(options.wait_policy)
    if options.cpu_variant or options.gpu_backend:
        cpu_variants.load_backends(options.cpu_variant, options.gpu_backend)
    from . import engine  # lazy: llama_cpp loads only after the limits, the wait policy and the backends
    return engine

class _Runner:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.engine: Any = None
        self.eng_mod: ModuleType | None = None
        self.cancel: CancelToken | None = None
        # requests for the main thread; a line that is not one is answered there too, so only
        # the main thread ever writes to the protocol stream
        self.requests: queue.Queue[protocol.Request | protocol.ProtocolError | None] = queue.Queue()

    def send(self, reply: protocol.Reply) -> None:
        self.out.write(protocol.encode_reply(reply))
        self.out.flush()

    def read_stdin(self) -> None:
        for line in sys.stdin:
            try:
                req = protocol.decode_request(line)
            except protocol.ProtocolError as exc:
                self.requests.put(exc)
                continue
            if isinstance(req, protocol.Cancel):
                token = self.cancel
                if token is not None:
                    token.cancel()
                continue
            self.requests.put(req)
        token = self.cancel          # the parent went away: stop what runs and exit
        if token is not None:
            token.cancel()
        self.requests.put(None)

    def serve(self) -> None:
        threading.Thread(target=self.read_stdin, daemon=True, name="runner-stdin").start()
        self.send(protocol.Ready(os.getpid()))
        while True:
            req = self.requests.get()
            if req is None or isinstance(req, protocol.Close):
                break
            try:
                if isinstance(req, protocol.ProtocolError):
                    raise ValueError(str(req))
                self.handle(req)
            except Cancelled:
                self.send(protocol.Cancelled())
            except BaseException as exc:  # noqa: BLE001 - every failure goes back as a message
                self.send(protocol.Failure.of(exc))
        if self.engine is not None:
            self.engine.close()

    # -- operations --

    def handle(self, req: protocol.Request) -> None:
        if isinstance(req, protocol.Load):
            self.load(req)
            return
        if self.engine is None:
            raise ValueError("no model loaded")
        if isinstance(req, protocol.CountTokens):
            self.send(protocol.TokenCount(self.engine.count_tokens(req.text)))
        elif isinstance(req, protocol.SpecialTokens):
            self.send(protocol.SpecialTokenTexts(self.engine.special_token_texts(req.template)))
        elif isinstance(req, protocol.Generate):
            self.generate(req)
        elif isinstance(req, protocol.GenerateBatch):
            self.generate_batch(req)
        elif isinstance(req, protocol.Info):
            self.send(self.info())

    def load(self, req: protocol.Load) -> None:
        opts = req.options
        self.eng_mod = eng_mod = import_engine(opts)
        if self.engine is not None:
            self.engine.close()
        self.engine = eng_mod.LlamaEngine.from_options(req.spec, opts)
        self.engine.load()
        if opts.warmup:
            # one real decode, so an instruction the CPU/OS refuses crashes now, during load,
            # where the parent falls back, instead of in the middle of a user's task
            self.engine.warm_up()
        self.send(protocol.Loaded(self.engine.n_ctx(), self.engine.load_seconds or 0.0,
                                  self.engine.backend_info(), dict(eng_mod.BACKENDS)))

    def generate(self, req: protocol.Generate) -> None:
        self.cancel = token = CancelToken()
        try:
            gen = self.engine.generate(req.prompt, req.params, token)
            send = self.send
            for piece in gen:
                send(protocol.Piece(piece))
            send(protocol.Done(gen.stop_reason, gen.n_tokens, gen.n_prompt_tokens, gen.seconds,
                               gen.prompt_seconds, gen.first_token_seconds))
        finally:
            self.cancel = None

    def generate_batch(self, req: protocol.GenerateBatch) -> None:
        self.cancel = token = CancelToken()
        try:
            run = self.engine.generate_batch(req.prompts, req.params, token, batch_size=req.batch_size)
            send = self.send
            for k, piece in run:
                if piece is not None:
                    send(protocol.SeqPiece(k, piece))
                    continue
                r = run.results[k]
                send(protocol.SeqEnd(k, r.stop_reason, r.n_tokens, r.n_prompt_tokens, r.seconds))
            send(protocol.Done("eos", run.n_tokens, run.n_prompt_tokens, run.seconds, run.prompt_seconds,
                               None, run.batch_size, run.shared_prefix))
        finally:
            self.cancel = None

    def info(self) -> protocol.RuntimeInfo:
        mod = self.eng_mod
        assert mod is not None
        openmp = {k: v for k, v in os.environ.items() if k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
        return protocol.RuntimeInfo(dict(mod.BACKENDS), cpu_variants.devices(), mod.system_info(), openmp)


def main() -> int:
    """The runner's loop, inside the sandbox (``entry._runner``: limits and no network are
    already set, the request line already read)."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # stray native prints go to stderr, never into the protocol
    runner = _Runner(proto)
    try:
        runner.serve()
    except BaseException as exc:  # noqa: BLE001 - e.g. the llama.cpp import itself failed
        runner.send(protocol.Failure.of(exc, fatal=True))
        return 1
    return 0

