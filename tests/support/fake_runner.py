"""A stand-in runner process that speaks llm.protocol without llama.cpp.

It crashes on purpose, the way native code does, so the parent's crash handling and fallback
chain can be tested with a fake backend. Its settings come from the JSON file named as its
first argument (the sandbox gives children an allow-listed environment, so not from there):
  "crash_load": "zen4+cpu,icelake+cpu"   die with SIGILL while loading these configurations
  "crash_gen": "zen4+cpu"                die with SIGSEGV on the first generate
  "log": PATH                            every load is appended (one key per line)
  "options_log": PATH                    the RuntimeOptions of every load (one JSON object per line)
  "slow_load": 30                        take this many seconds to answer a load
The configuration key is "<cpu_variant or builtin>+<gpu_backend or cpu>" from the load
request's RuntimeOptions, so tests can count starts and check what the parent decided.
"""
import json
import os
import resource
import signal
import sys

from gennai_desktop.llm import protocol
from gennai_desktop.llm.base import BackendInfo

resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core files from the deliberate crashes
settings = json.loads(open(sys.argv[1], encoding="utf-8").read()) if len(sys.argv) > 1 else {}
crash_load = set(filter(None, settings.get("crash_load", "").split(",")))
crash_gen = set(filter(None, settings.get("crash_gen", "").split(",")))
key = "?"


def send(reply) -> None:
    sys.stdout.write(protocol.encode_reply(reply))
    sys.stdout.flush()


def log(setting: str, line: str) -> None:
    path = settings.get(setting)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


send(protocol.Ready(os.getpid()))
for line in sys.stdin:
    try:
        req = protocol.decode_request(line)
    except protocol.ProtocolError:
        continue                      # the sandbox's request line ({}) comes first
    if isinstance(req, protocol.Close):
        break
    if isinstance(req, protocol.Load):
        if settings.get("slow_load"):
            import time
            time.sleep(float(settings["slow_load"]))
        o = req.options
        key = f"{o.cpu_variant or 'builtin'}+{o.gpu_backend or 'cpu'}"
        log("log", key)
        log("options_log", json.dumps(o.to_json()))
        if key in crash_load:
            os.kill(os.getpid(), signal.SIGILL)
        gpu = o.gpu_backend is not None
        send(protocol.Loaded(2048, 0.01, BackendInfo("CUDA" if gpu else "CPU", 4 if gpu else 0, 4,
                                                     o.n_threads, wait_policy=o.wait_policy)))
    elif isinstance(req, protocol.CountTokens):
        send(protocol.TokenCount(len(req.text) // 2))
    elif isinstance(req, protocol.Generate):
        if key in crash_gen:
            os.kill(os.getpid(), signal.SIGSEGV)
        for piece in ("テスト", "出力", "です。"):
            send(protocol.Piece(piece))
        send(protocol.Done("eos", 3, 2, 0.01, 0.0, 0.0))
    elif isinstance(req, protocol.Info):
        send(protocol.RuntimeInfo({}, []))
