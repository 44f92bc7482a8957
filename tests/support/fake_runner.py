"""A stand-in runner process that speaks llm.runner's protocol without llama.cpp.

It crashes on purpose, the way native code does, so the parent's crash handling and fallback
chain can be tested with a fake backend:
  FAKE_CRASH_LOAD=zen4+cpu,icelake+cpu   die with SIGILL while loading these configurations
  FAKE_CRASH_GEN=zen4+cpu                die with SIGSEGV on the first generate
The configuration key is "<GENNAI_CPU_VARIANT or builtin>+<GENNAI_GPU_BACKEND or cpu>".
Every start is appended to FAKE_RUNNER_LOG (one key per line) so tests can count them.
"""
import json
import os
import resource
import signal
import sys

resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files from the deliberate crashes
key = f"{os.environ.get('GENNAI_CPU_VARIANT') or 'builtin'}+{os.environ.get('GENNAI_GPU_BACKEND') or 'cpu'}"
crash_load = set(filter(None, os.environ.get("FAKE_CRASH_LOAD", "").split(",")))
crash_gen = set(filter(None, os.environ.get("FAKE_CRASH_GEN", "").split(",")))
log = os.environ.get("FAKE_RUNNER_LOG")
if log:
    with open(log, "a", encoding="utf-8") as f:
        f.write(key + "\n")


def send(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


send({"ready": True, "backends": {"cpu": key.split("+")[0]}, "pid": os.getpid()})
for line in sys.stdin:
    msg = json.loads(line)
    op = msg.get("op")
    if op == "close":
        break
    if op == "load":
        if key in crash_load:
            os.kill(os.getpid(), signal.SIGILL)
        gpu = key.endswith("+cuda")
        send({"ok": True, "n_ctx": 2048, "load_seconds": 0.01, "path": msg["spec"]["path"],
              "backend": {"backend": "CUDA" if gpu else "CPU", "n_gpu_layers": 4 if gpu else 0,
                          "n_layers": 4, "n_threads": 1}})
    elif op == "count_tokens":
        send({"ok": True, "n": len(msg["text"]) // 2})
    elif op == "generate":
        if key in crash_gen:
            os.kill(os.getpid(), signal.SIGSEGV)
        for piece in ("テスト", "出力", "です。"):
            send({"p": piece})
        send({"done": True, "stop_reason": "eos", "n_tokens": 3, "n_prompt_tokens": 2, "seconds": 0.01,
              "prompt_seconds": 0.0, "first_token_seconds": 0.0})
    elif op == "info":
        send({"ok": True, "backends": {}, "devices": []})
