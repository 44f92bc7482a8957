"""Every child process the app starts (PDF reader, OCR, llama.cpp runner, speech recogniser)
goes through here: one way to start it, limit it, cut it off from the network and end it.

Why one helper: the children run native code on hostile input (pdfium, Pillow, ONNX Runtime,
llama.cpp). Their resource limits, their start and the mapping of a signal to a message used
to exist once per child, and one of them (ONNX Runtime's telemetry in the OCR child) reached
the network. Here, by construction:

* **No network** (Linux): before the child imports anything but the standard library it
  (1) moves into a private network namespace — a new user namespace that maps only its own
  uid/gid, with a network namespace that has no interface but a down loopback — where
  unprivileged user namespaces are allowed, and (2) always installs a seccomp filter (a
  BPF program of 24 instructions, via ``prctl``/``seccomp(2)``): ``socket()`` only for AF_UNIX,
  ``connect()``, ``sendmsg()``/``sendmmsg()`` and ``sendto()`` with an address refused (so
  no DNS either, not even through nscd or systemd-resolved's local socket), io_uring refused
  (it could open sockets past the filter), 32-bit/x32 system calls refused. If neither can
  be set up the child refuses to run (``sandbox_unavailable``). Why a hand-written filter
  and not pyseccomp/libseccomp: this module must stay standard-library only (the child
  applies it before anything else is importable, and the frozen app ships no extra C
  library for it), the filter is small enough to read in full (``_filter``), and the two
  architectures we ship (x86-64, arm64) are spelled out; elsewhere only the namespace is used.
* **Nothing secret inherited**: the child's environment is an allow-list (``child_env``):
  no ``GENNAI_STORE_PASSPHRASE``, no proxies, no display or D-Bus addresses. HOME and
  XDG_CACHE_HOME point into ``GENNAI_HOME/store/child-home`` (0700), and ONNX Runtime's
  telemetry is switched off by its variable (``ORT_DISABLE_TELEMETRY``, and the newer
  spelling ``ORT_TELEMETRY_DISABLED``) before it loads.
* **Nothing on the command line**: the command line is ``<python> -I -m gennai_desktop
  --gennai-child NAME`` (frozen: ``<app> --gennai-child NAME``); the request — document
  paths included — is the first JSON line on the child's stdin.
* **Limits**: RLIMIT_AS and RLIMIT_CPU (soft; a hard CPU ceiling the child may lower to),
  no core dumps, set before the child's own imports; the parent adds a wall-clock deadline.
* **Cancel reaches the child**: the child gets no terminal Ctrl-C (own session; SIGINT
  ignored); the parent watches its CancelToken (the one passed, else the ambient one set
  by the CLI or the UI worker, ``core.cancel.cancel_scope``) and kills the child. A
  one-shot child also exits when its stdin closes, so it never outlives the app.
* **Exit → message**: ``ChildErrors`` names, per child, the GennaiError for a resource
  limit (SIGXCPU, SIGKILL, MemoryError), a crash (SIGSEGV, SIGABRT, SIGILL, SIGBUS), a
  timeout and a failed start; ``Child.error()`` picks one.

Windows and macOS: the allow-listed environment, the pipe and the parent's deadline apply;
process isolation from the network does not yet (docs/sandbox.md says what would).
API for a new child: docs/sandbox.md.
"""
from __future__ import annotations

import atexit
import ctypes
import errno
import json
import os
import platform
import queue
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .cancel import Cancelled, CancelToken, ambient
from .errors import GennaiError
from .paths import home_dir

CHILD_FLAG = "--gennai-child"
MAX_REQUEST_BYTES = 1 << 20
# ONNX Runtime 1.31 reads ORT_DISABLE_TELEMETRY; newer releases ORT_TELEMETRY_DISABLED.
TELEMETRY_OFF = {"ORT_DISABLE_TELEMETRY": "1", "ORT_TELEMETRY_DISABLED": "1"}
_KEEP = frozenset({"PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "LD_LIBRARY_PATH",
                   "SYSTEMROOT", "SystemRoot", "WINDIR", "COMSPEC", "PATHEXT", "NUMBER_OF_PROCESSORS",
                   "PROCESSOR_ARCHITECTURE", "GENNAI_HOME", "GENNAI_DEBUG", "GENNAI_LANG",
                   "GENNAI_RESOURCES", "GENNAI_OCR_MODELS", "GENNAI_CPU_VARIANT", "GENNAI_GPU_BACKEND"})
# locale, GPU runtime selection (CUDA_VISIBLE_DEVICES, GGML_VK_…), thread counts and OpenMP
# waiting (GOMP_SPINCOUNT: the wait policy "system" keeps what IT set, core/cpu_budget.py)
_KEEP_PREFIXES = ("LC_", "CUDA_", "HIP_", "ROCR_", "HSA_", "GGML_", "VK_", "OMP_", "GOMP_", "OPENBLAS_",
                  "MKL_")


@dataclass(frozen=True)
class Limits:
    """What one child may use. 0 = no limit of that kind."""

    memory_bytes: int = 0          # RLIMIT_AS
    cpu_seconds: int = 0           # RLIMIT_CPU soft limit (SIGXCPU)
    cpu_ceiling: int = 0           # RLIMIT_CPU hard limit (the child may raise its soft limit up to it)
    wall_seconds: float = 0.0      # the parent kills the child after this long


@dataclass(frozen=True)
class ChildErrors:
    """The message for each way a child can fail (i18n keys of ``error_cls``)."""

    error_cls: type[GennaiError]
    limit: str                     # out of CPU or memory
    crash: str                     # killed by a signal of its own making (native code)
    timeout: str                   # the parent's deadline passed (params: seconds)
    failed: str                    # could not start / exited with an error (params: reason)
    params: dict[str, Any] = field(default_factory=dict)


# ---- parent side ---------------------------------------------------------------------------------
def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def child_argv(name: str) -> list[str]:
    """The command line that runs child ``name`` of this same program (no paths on it)."""
    if is_frozen():
        return [sys.executable, CHILD_FLAG, name]
    return [sys.executable, "-I", "-m", "gennai_desktop", CHILD_FLAG, name]


def child_home() -> Path:
    """HOME / cache folder of every child: inside the 0700 store folder, expected to stay empty."""
    d = home_dir() / "store" / "child-home"
    d.mkdir(parents=True, exist_ok=True)
    for p in (d.parent, d):
        try:
            os.chmod(p, 0o700)
        except OSError:
            pass
    return d


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: an allow-list of the parent's, plus the fixed settings above."""
    env = {k: v for k, v in os.environ.items() if k in _KEEP or k.startswith(_KEEP_PREFIXES)}
    home = str(child_home())
    env.update({"HOME": home, "XDG_CACHE_HOME": home, "USERPROFILE": home, "LOCALAPPDATA": home,
                "APPDATA": home, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"})
    env.update(TELEMETRY_OFF)
    env.update(extra or {})
    return env


def start(name: str, request: dict[str, Any], limits: Limits, *, argv: list[str] | None = None,
          env: dict[str, str] | None = None, text: bool = False, spare: bool = False) -> subprocess.Popen:
    """Start child ``name`` and hand it ``request`` (first stdin line); raises OSError.

    ``spare``: a process that reads many documents (a folder, a batch, the app) pays the
    interpreter's start (about 50 ms) once per document; from the second start of ``name``
    on, the next child is started while this one works and waits, before its request and
    so before any limit, isolation or native import, for the next call (``_Spares``)."""
    argv = argv or child_argv(name)
    full_env = child_env(env)
    proc = _SPARES.take(name, argv, full_env) if spare and not text else None
    if proc is None:
        proc = _spawn(argv, full_env, text)
    line = json.dumps({"child": name, "limits": asdict(limits), "request": request}, ensure_ascii=False) + "\n"
    try:
        assert proc.stdin is not None
        proc.stdin.write(line if text else line.encode("utf-8"))
        proc.stdin.flush()
    except (BrokenPipeError, OSError):
        pass                                         # it died at once: its exit status says why
    if spare and not text:
        _SPARES.after_start(name, argv, full_env)
    return proc


def _spawn(argv: list[str], env: dict[str, str], text: bool) -> subprocess.Popen:
    kwargs: dict[str, Any] = {}
    if os.name == "nt":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0) \
            | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    else:
        kwargs["start_new_session"] = True          # a terminal's Ctrl-C goes to the parent only
    if text:
        kwargs.update(encoding="utf-8", errors="replace", bufsize=1)
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, **kwargs)


class _Spares:
    """At most one waiting child per name, used only when the command line and environment
    it was started with are still the ones a new start would use (a changed GENNAI_HOME or
    settings start a fresh one). A waiting child has read nothing: it is a plain interpreter
    blocked on its first stdin line, so it holds no document, limit or sandbox yet. It ends
    with the app (its stdin closes; ``atexit`` kills it first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[list[str], dict[str, str], subprocess.Popen]] = {}
        self._starts: dict[str, int] = {}
        self._atexit = False

    def take(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen | None:
        with self._lock:
            held = self._waiting.pop(name, None)
        if held is None:
            return None
        w_argv, w_env, proc = held
        if w_argv == argv and w_env == env and proc.poll() is None:
            return proc
        _end(proc)
        return None

    def after_start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        with self._lock:
            self._starts[name] = self._starts.get(name, 0) + 1
            if self._starts[name] < 2 or name in self._waiting:
                return
            if not self._atexit:
                atexit.register(self.clear)
                self._atexit = True
        try:
            proc = _spawn(argv, env, False)
        except OSError:
            return                                   # the next start will say why
        with self._lock:
            old = self._waiting.pop(name, None)
            self._waiting[name] = (argv, env, proc)
        if old is not None:
            _end(old[2])

    def waiting(self, name: str) -> subprocess.Popen | None:
        """The child waiting for ``name``'s next start, if any (for tests)."""
        with self._lock:
            held = self._waiting.get(name)
        return held[2] if held else None

    def clear(self) -> None:
        """End every waiting child and forget how often each was started."""
        with self._lock:
            held, self._waiting, self._starts = list(self._waiting.values()), {}, {}
        for _argv, _env, proc in held:
            _end(proc)


def _end(proc: subprocess.Popen) -> None:
    """Kill ``proc`` if it still runs, reap it and close its pipes."""
    try:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:
            pass


_SPARES = _Spares()


class Child:
    """A started child with its output read on threads, so the caller can watch the cancel
    token and the deadline every 0.1 s while the child is busy."""

    def __init__(self, name: str, request: dict[str, Any], limits: Limits, errors: ChildErrors, *,
                 cancel: CancelToken | None = None, argv: list[str] | None = None,
                 env: dict[str, str] | None = None, spare: bool = False) -> None:
        self.name, self.limits, self.errors = name, limits, errors
        self.cancel = cancel or ambient()
        self.stderr: deque[bytes] = deque(maxlen=20)
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.wall_seconds = limits.wall_seconds
        self.deadline = time.monotonic() + limits.wall_seconds if limits.wall_seconds else None
        try:
            self.proc = start(name, request, limits, argv=argv, env=env, spare=spare)
        except OSError as exc:
            raise errors.error_cls(errors.failed, **errors.params, reason=f"cannot start: {exc}") from exc
        threading.Thread(target=self._pump, daemon=True, name=f"{name}-stdout").start()
        threading.Thread(target=self._drain, daemon=True, name=f"{name}-stderr").start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._lines.put(raw)
        self._lines.put(None)

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:    # keep the pipe from filling; shown only as a short tail
            self.stderr.append(raw)

    def extend_deadline(self, wall_seconds: float) -> None:
        """A new deadline from now (e.g. once the child has said how many pages it will read)."""
        self.wall_seconds = wall_seconds
        self.deadline = time.monotonic() + wall_seconds

    def lines(self) -> Iterator[bytes]:
        """The child's stdout lines until it closes it; raises Cancelled or the timeout error
        (the child is killed first)."""
        while True:
            if self.cancel.cancelled:
                self.kill()
                raise Cancelled()
            if self.deadline is not None and time.monotonic() > self.deadline:
                self.kill()
                raise self.errors.error_cls(self.errors.timeout,
                                            **{**self.errors.params, "seconds": int(self.wall_seconds)})
            try:
                raw = self._lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if raw is None:
                return
            yield raw

    def output(self) -> bytes:
        """Everything the child wrote on stdout (one-shot children)."""
        return b"".join(self.lines())

    def wait(self) -> int:
        """Close the child's stdin (a one-shot child then exits) and return its exit status."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.wait()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        _end(self.proc)

    def error(self, returncode: int | None = None) -> GennaiError:
        """The message for how the child ended (``returncode`` default: its exit status)."""
        rc = self.proc.returncode if returncode is None else returncode
        e = self.errors
        kind = exit_kind(rc, b"".join(self.stderr))
        if kind == "limit":
            return e.error_cls(e.limit, **e.params)
        if kind == "crash":
            name = signal_name(rc)
            return e.error_cls(e.crash, **{"reason": f"{self.name} ended by {name}", **e.params, "signal": name})
        tail = b"".join(self.stderr).decode("utf-8", "replace").strip().splitlines()[-1:]
        reason = tail[0][:300] if tail and kind == "sandbox" else f"{self.name} exited with status {rc}"
        return e.error_cls(e.failed, **{**e.params, "reason": reason})


def signal_name(rc: int | None) -> str:
    if rc is None:
        return "?"
    if rc < 0:
        try:
            return signal.Signals(-rc).name
        except ValueError:
            return f"signal {-rc}"
    return f"exit {rc}"


_LIMIT_SIGNALS = {getattr(signal, n) for n in ("SIGXCPU", "SIGKILL") if hasattr(signal, n)}
_CRASH_SIGNALS = {getattr(signal, n) for n in ("SIGSEGV", "SIGABRT", "SIGILL", "SIGBUS", "SIGFPE", "SIGSYS")
                  if hasattr(signal, n)}


def exit_kind(rc: int | None, stderr: bytes = b"") -> str:
    """"ok" | "limit" | "crash" | "sandbox" | "failed" for an exit status (and stderr tail)."""
    if rc == 0:
        return "ok"
    if rc is not None and rc < 0 and -rc in _LIMIT_SIGNALS:
        return "limit"
    if b"MemoryError" in stderr[-2000:]:
        return "limit"
    if rc is not None and rc < 0 and -rc in _CRASH_SIGNALS:
        return "crash"
    if b"sandbox_unavailable" in stderr[-2000:]:
        return "sandbox"
    return "failed"


# ---- child side ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Isolation:
    """What the child could set up (``gennai doctor`` and the tests report it)."""

    seccomp: bool
    netns: bool
    detail: str = ""


_ISOLATION: Isolation | None = None


def enter(stdin: Any = None) -> dict[str, Any]:
    """Child side, first thing: read the request line, apply limits and isolation, return
    the request. Exits (status 3, ``sandbox_unavailable`` on stderr) when a Linux child can
    be cut off from the network neither way."""
    global _ISOLATION
    stdin = stdin or sys.stdin
    raw = stdin.readline(MAX_REQUEST_BYTES)
    try:
        msg = json.loads(raw)
        limits = Limits(**msg.get("limits") or {})
    except (ValueError, TypeError) as exc:
        sys.stderr.write(f"bad request line: {type(exc).__name__}\n")
        raise SystemExit(2) from None
    set_limits(limits.memory_bytes, limits.cpu_seconds, limits.cpu_ceiling)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle
    except (ValueError, OSError):
        pass
    _ISOLATION = isolate()
    if sys.platform.startswith("linux") and not (_ISOLATION.seccomp or _ISOLATION.netns):
        sys.stderr.write(f"sandbox_unavailable: {_ISOLATION.detail}\n")
        sys.stderr.flush()
        raise SystemExit(3)
    request = msg.get("request")
    return request if isinstance(request, dict) else {}


def isolation() -> Isolation | None:
    """What ``enter`` set up in this process (None outside a child)."""
    return _ISOLATION


def watch_stdin(stdin: Any = None) -> None:
    """One-shot children: exit at once when the parent closes our stdin (or goes away)."""
    stream = stdin or sys.stdin

    def watch() -> None:
        try:
            while stream.read(65536):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="stdin-watch").start()


def set_limits(memory_bytes: int = 0, cpu_seconds: int = 0, cpu_ceiling: int = 0) -> None:
    """Address space and CPU caps for this process (never raised above an existing hard
    limit), and no core dumps (document text in memory). POSIX only; on Windows the
    parent's deadline still applies (a Job Object would be the equivalent)."""
    try:
        import resource
    except ImportError:
        return
    for which, soft, hard in ((resource.RLIMIT_AS, memory_bytes, memory_bytes),
                              (resource.RLIMIT_CPU, cpu_seconds, max(cpu_ceiling, cpu_seconds))):
        if soft <= 0:
            continue
        try:
            _old_soft, old_hard = resource.getrlimit(which)
            new_hard = hard if old_hard == resource.RLIM_INFINITY else min(hard, old_hard)
            resource.setrlimit(which, (min(soft, new_hard), new_hard))
        except (ValueError, OSError):
            pass
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass


def isolate() -> Isolation:
    """Cut this (single-threaded) process off from the network; see the module docstring."""
    if not sys.platform.startswith("linux"):
        return Isolation(False, False, f"not enforced on {sys.platform}")
    notes: list[str] = []
    netns = _enter_network_namespace(notes)
    seccomp = _install_filter(notes)
    return Isolation(seccomp, netns, "; ".join(notes))


_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _enter_network_namespace(notes: list[str]) -> bool:
    """A new user namespace (mapping only our own ids) with a new, empty network namespace."""
    uid, gid = os.getuid(), os.getgid()
    libc = _libc()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        notes.append("netns: " + os.strerror(ctypes.get_errno()))
        return False
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w", encoding="ascii") as fh:
                fh.write(text)
    except OSError as exc:            # ids unmapped: still isolated, files still reachable
        notes.append(f"netns id map: {exc.strerror}")
    return True


# seccomp(2) / BPF constants (linux/seccomp.h, linux/filter.h, linux/audit.h)
_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ARCHES = {   # machine → (AUDIT_ARCH, socket, connect, sendto, sendmsg, sendmmsg, seccomp, x32 bit)
    "x86_64": (0xC000003E, 41, 42, 44, 46, 307, 317, 0x40000000),
    "amd64": (0xC000003E, 41, 42, 44, 46, 307, 317, 0x40000000),
    "aarch64": (0xC00000B7, 198, 203, 206, 211, 269, 277, 0),
    "arm64": (0xC00000B7, 198, 203, 206, 211, 269, 277, 0),
}
_IO_URING = (425, 426, 427)          # io_uring_setup/enter/register: the same numbers on both
_AF_UNIX = 1


def _filter(machine: str) -> bytes | None:
    """The BPF program (sock_filter array) for ``machine``; None where we have no table."""
    arch = _ARCHES.get(machine.lower())
    if arch is None:
        return None
    audit_arch, nr_socket, nr_connect, nr_sendto, nr_sendmsg, nr_sendmmsg, _nr_seccomp, x32 = arch
    deny = _RET_ERRNO | errno.EACCES
    prog: list[list[Any]] = []                     # [code, jt, jf, k]; jt/jf: label or 0
    labels: dict[str, int] = {}

    def op(code: int, k: int, jt: Any = 0, jf: Any = 0) -> None:
        prog.append([code, jt, jf, k])

    def label(name: str) -> None:
        labels[name] = len(prog)

    op(_LD_W_ABS, 4)                               # seccomp_data.arch
    op(_JEQ_K, audit_arch, 0, "kill")
    op(_LD_W_ABS, 0)                               # seccomp_data.nr
    if x32:
        op(_JGE_K, x32, "deny", 0)                 # x32 system calls
    op(_JEQ_K, nr_socket, "socket", 0)
    op(_JEQ_K, nr_sendto, "sendto", 0)
    for nr in (nr_connect, nr_sendmsg, nr_sendmmsg):
        op(_JEQ_K, nr, "deny", 0)
    for nr in _IO_URING:
        op(_JEQ_K, nr, "nosys", 0)
    op(_RET_K, _RET_ALLOW)                         # every other system call
    label("socket")
    op(_LD_W_ABS, 16)                              # args[0] (family), low word
    op(_JEQ_K, _AF_UNIX, 0, "deny")
    op(_RET_K, _RET_ALLOW)
    label("sendto")
    op(_LD_W_ABS, 16 + 8 * 4)                      # args[4] (dest_addr), low word
    op(_JEQ_K, 0, 0, "deny")
    op(_LD_W_ABS, 16 + 8 * 4 + 4)                  # high word
    op(_JEQ_K, 0, 0, "deny")
    op(_RET_K, _RET_ALLOW)                         # no address: a connected socket (AF_UNIX pair)
    label("deny")
    op(_RET_K, deny)
    label("nosys")
    op(_RET_K, _RET_ERRNO | errno.ENOSYS)
    label("kill")
    op(_RET_K, _RET_KILL_PROCESS)                  # a foreign ABI (int 0x80 on x86-64): never ours
    out = []
    for i, (code, jt, jf, k) in enumerate(prog):
        jt = labels[jt] - i - 1 if isinstance(jt, str) else jt    # BPF jumps only forward
        jf = labels[jf] - i - 1 if isinstance(jf, str) else jf
        out.append(struct.pack("HBBI", code, jt, jf, k))
    return b"".join(out)


def _check_jumps(prog: bytes) -> None:
    """Every jump lands inside the program (a sanity check run by the tests)."""
    n = len(prog) // 8
    for i in range(n):
        code, jt, jf, _k = struct.unpack_from("HBBI", prog, i * 8)
        if code in (_JEQ_K, _JGE_K) and (i + 1 + jt >= n or i + 1 + jf >= n):
            raise AssertionError(f"jump out of the program at {i}")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 1


def _install_filter(notes: list[str]) -> bool:
    machine = platform.machine()
    prog = _filter(machine)
    if prog is None:
        notes.append(f"seccomp: no filter for {machine}")
        return False
    libc = _libc()
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = _SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        notes.append("seccomp: no_new_privs " + os.strerror(ctypes.get_errno()))
        return False
    nr_seccomp = _ARCHES[machine.lower()][6]
    rc = libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog))
    if rc != 0:   # an older kernel without seccomp(2): the prctl form (this thread only; we have one)
        rc = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)
    if rc != 0:
        notes.append("seccomp: " + os.strerror(ctypes.get_errno()))
        return False
    return True


def run_child(main: Callable[[dict[str, Any]], int | None], *, one_shot: bool = True) -> int:
    """Child entry: ``enter`` the sandbox, then ``main(request)`` (which imports its native
    code only now). One-shot children (those that read nothing after the request) exit
    when the parent closes their stdin."""
    request = enter()
    if one_shot:
        watch_stdin()
    return int(main(request) or 0)


def probe() -> Isolation:
    """Start the tiny ``probe`` child and ask what isolation it got (``gennai doctor``, tests)."""
    try:
        proc = start("probe", {}, Limits(wall_seconds=30))
        out, _err = proc.communicate(timeout=30)
        d = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        return Isolation(bool(d["seccomp"]), bool(d["netns"]), str(d.get("detail", "")))
    except (OSError, ValueError, IndexError, KeyError, TypeError, subprocess.TimeoutExpired) as exc:
        return Isolation(False, False, f"probe failed: {type(exc).__name__}")
