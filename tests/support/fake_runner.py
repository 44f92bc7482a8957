"""A stand-in runner process that speaks llm.runner's protocol without llama.cpp.

It crashes on purpose, the way native code does, so the parent's crash handling and fallback
chain can be tested with a fake backend. Its settings come from the JSON file named as its
first argument (the sandbox gives children an allow-listed environment, so not from there):
  "crash_load": "zen4+cpu,icelake+cpu"   die with SIGILL while loading these configurations
  "crash_gen": "zen4+cpu"                die with SIGSEGV on the first generate
  "log": PATH                            every start is appended (one key per line)
  "slow_load": 30                        take this many seconds to answer a load
The configuration key is "<GENNAI_CPU_VARIANT or builtin>+<GENNAI_GPU_BACKEND or cpu>".
"""
import json
import os
import resource
import signal
import sys

resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files from the deliberate crashes
key = f"{os.environ.get('GENNAI_CPU_VARIANT') or 'builtin'}+{os.environ.get('GENNAI_GPU_BACKEND') or 'cpu'}"
settings = json.loads(open(sys.argv[1], encoding="utf-8").read()) if len(sys.argv) > 1 else {}
crash_load = set(filter(None, settings.get("crash_load", "").split(",")))
crash_gen = set(filter(None, settings.get("crash_gen", "").split(",")))
log = settings.get("log")
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
        if settings.get("slow_load"):
            import time
            time.sleep(float(settings["slow_load"]))
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
