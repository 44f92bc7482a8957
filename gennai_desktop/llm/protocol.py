"""The runner protocol: every message between the app (``llm.runner``) and the runner process
(``llm.runner_child``), typed, in one place.

One JSON object per line. Requests (parent → child) carry ``"op"``. Streamed text is as small
as it can be, since there is one line per token: ``{"p": piece}`` (``generate``) and
``{"i": k, "p": piece}`` (``generate_batch``). Every other reply carries ``"r"`` naming its
kind. Both sides encode and decode only through this module, so a field cannot be added on
one side and forgotten on the other.

    load            → loaded | error          (the child obeys ``RuntimeOptions``; nothing is echoed back)
    count_tokens    → count
    special_tokens  → special
    generate        → p … → done | cancelled | error
    generate_batch  → (i,p) … (i,end) … → done | cancelled | error
    info            → info
    cancel          (no reply of its own: the running generation ends with "cancelled")
    close           (the child exits)

On start the child says ``ready`` before it imports llama.cpp: what to load, and how, comes
with ``load``.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..core.errors import GennaiError
from .base import BackendInfo, GenerationParams, ModelSpec, StopReason
from .options import RuntimeOptions


class ProtocolError(ValueError):
    """A line that is not a message of this protocol."""


# --- payload conversions ------------------------------------------------------------------

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


def params_to_json(params: GenerationParams) -> dict[str, Any]:
    return {**params.__dict__, "stop": list(params.stop)}


def params_from_json(d: dict[str, Any]) -> GenerationParams:
    d = dict(d)
    d["stop"] = tuple(d.get("stop") or ())
    names = {f.name for f in fields(GenerationParams)}
    return GenerationParams(**{k: v for k, v in d.items() if k in names})


def _backend_from_json(d: dict[str, Any]) -> BackendInfo:
    names = {f.name for f in fields(BackendInfo)}
    return BackendInfo(**{k: v for k, v in d.items() if k in names})


# --- requests (parent → child) ------------------------------------------------------------

@dataclass(frozen=True)
class Load:
    spec: ModelSpec
    options: RuntimeOptions


@dataclass(frozen=True)
class CountTokens:
    text: str


@dataclass(frozen=True)
class SpecialTokens:
    template: str


@dataclass(frozen=True)
class Generate:
    prompt: str
    params: GenerationParams


@dataclass(frozen=True)
class GenerateBatch:
    prompts: list[str]
    params: GenerationParams | list[GenerationParams]   # one for all, or one per prompt
    batch_size: int | None = None


@dataclass(frozen=True)
class Info:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class Close:
    pass


Request = Load | CountTokens | SpecialTokens | Generate | GenerateBatch | Info | Cancel | Close


def encode_request(req: Request) -> str:
    """One line (with its newline) for ``req``."""
    d: dict[str, Any]
    if isinstance(req, Load):
        d = {"op": "load", "spec": spec_to_json(req.spec), "options": req.options.to_json()}
    elif isinstance(req, CountTokens):
        d = {"op": "count_tokens", "text": req.text}
    elif isinstance(req, SpecialTokens):
        d = {"op": "special_tokens", "template": req.template}
    elif isinstance(req, Generate):
        d = {"op": "generate", "prompt": req.prompt, "params": params_to_json(req.params)}
    elif isinstance(req, GenerateBatch):
        p = req.params
        d = {"op": "generate_batch", "prompts": list(req.prompts), "batch_size": req.batch_size,
             "params": params_to_json(p) if isinstance(p, GenerationParams) else [params_to_json(q) for q in p]}
    elif isinstance(req, Info):
        d = {"op": "info"}
    elif isinstance(req, Cancel):
        d = {"op": "cancel"}
    else:
        d = {"op": "close"}
    return json.dumps(d, ensure_ascii=False) + "\n"


def decode_request(line: str) -> Request:
    """The request on ``line``; ProtocolError for anything else."""
    d = _object(line)
    op = d.get("op")
    try:
        if op == "load":
            return Load(spec_from_json(d["spec"]), RuntimeOptions.from_json(d["options"]))
        if op == "count_tokens":
            return CountTokens(str(d["text"]))
        if op == "special_tokens":
            return SpecialTokens(str(d["template"]))
        if op == "generate":
            return Generate(str(d["prompt"]), params_from_json(d.get("params") or {}))
        if op == "generate_batch":
            raw = d.get("params") or {}
            params = [params_from_json(p) for p in raw] if isinstance(raw, list) else params_from_json(raw)
            size = d.get("batch_size")
            return GenerateBatch([str(p) for p in d["prompts"]], params, int(size) if size else None)
        if op == "info":
            return Info()
        if op == "cancel":
            return Cancel()
        if op == "close":
            return Close()
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad {op!r} request: {exc}") from None
    raise ProtocolError(f"unknown op {op!r}")


# --- replies (child → parent) -------------------------------------------------------------

@dataclass(frozen=True)
class Ready:
    pid: int


@dataclass(frozen=True)
class Loaded:
    n_ctx: int
    load_seconds: float
    backend: BackendInfo
    backends: dict[str, str] = field(default_factory=dict)    # registered: {"cpu": variant, "gpu": name}


@dataclass(frozen=True)
class TokenCount:
    n: int


@dataclass(frozen=True)
class SpecialTokenTexts:
    value: dict[str, str]


@dataclass(frozen=True)
class RuntimeInfo:
    backends: dict[str, str]
    devices: list[dict[str, Any]]
    system_info: str = ""
    openmp: dict[str, str] = field(default_factory=dict)   # the wait variables the runner runs with


@dataclass(frozen=True)
class Piece:
    text: str


@dataclass(frozen=True)
class SeqPiece:
    index: int
    text: str


@dataclass(frozen=True)
class SeqEnd:
    index: int
    stop_reason: StopReason | None
    n_tokens: int = 0
    n_prompt_tokens: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Done:
    stop_reason: StopReason | None = None
    n_tokens: int = 0
    n_prompt_tokens: int = 0
    seconds: float = 0.0
    prompt_seconds: float = 0.0
    first_token_seconds: float | None = None
    batch_size: int = 0              # generate_batch: sequences decoded together
    shared_prefix: int = 0           # generate_batch: prompt tokens evaluated once for all


@dataclass(frozen=True)
class Cancelled:
    pass


@dataclass(frozen=True)
class Failure:
    """An error the child caught, as the GennaiError the parent raises for it."""

    key: str
    params: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    cls: str = "ModelError"
    fatal: bool = False              # the child cannot go on (e.g. llama.cpp failed to import)

    @classmethod
    def of(cls, exc: BaseException, fatal: bool = False) -> Failure:
        if isinstance(exc, GennaiError):
            params = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
                      for k, v in exc.params.items()}
            return cls(exc.key, params, type(exc).__name__, fatal)
        return cls("llm.model.decode_failed", {"reason": f"{type(exc).__name__}: {exc}"[:300]}, "ModelError", fatal)


Reply = (Ready | Loaded | TokenCount | SpecialTokenTexts | RuntimeInfo | Piece | SeqPiece | SeqEnd | Done
         | Cancelled | Failure)
_KINDS: dict[type, str] = {Ready: "ready", Loaded: "loaded", TokenCount: "count", SpecialTokenTexts: "special",
                           RuntimeInfo: "info", Done: "done", Cancelled: "cancelled", Failure: "error"}


def encode_reply(rep: Reply) -> str:
    """One line (with its newline) for ``rep``."""
    if isinstance(rep, Piece):
        d: dict[str, Any] = {"p": rep.text}
    elif isinstance(rep, SeqPiece):
        d = {"i": rep.index, "p": rep.text}
    elif isinstance(rep, SeqEnd):
        d = {"i": rep.index, "end": True, "stop_reason": rep.stop_reason, "n_tokens": rep.n_tokens,
             "n_prompt_tokens": rep.n_prompt_tokens, "seconds": rep.seconds}
    else:
        d = {"r": _KINDS[type(rep)], **asdict(rep)}
    return json.dumps(d, ensure_ascii=False) + "\n"


def decode_reply(line: str) -> Reply:
    """The reply on ``line``; ProtocolError for anything else."""
    d = _object(line)
    try:
        if "p" in d:
            return SeqPiece(int(d["i"]), str(d["p"])) if "i" in d else Piece(str(d["p"]))
        if "i" in d and d.get("end"):
            return SeqEnd(int(d["i"]), d.get("stop_reason"), int(d.get("n_tokens") or 0),
                          int(d.get("n_prompt_tokens") or 0), float(d.get("seconds") or 0.0))
        kind = d.pop("r", None)
        if kind == "ready":
            return Ready(int(d.get("pid") or 0))
        if kind == "loaded":
            return Loaded(int(d["n_ctx"]), float(d.get("load_seconds") or 0.0),
                          _backend_from_json(d.get("backend") or {}), dict(d.get("backends") or {}))
        if kind == "count":
            return TokenCount(int(d["n"]))
        if kind == "special":
            return SpecialTokenTexts({str(k): str(v) for k, v in (d.get("value") or {}).items()})
        if kind == "info":
            return RuntimeInfo(dict(d.get("backends") or {}), list(d.get("devices") or []),
                               str(d.get("system_info") or ""), dict(d.get("openmp") or {}))
        if kind == "done":
            names = {f.name for f in fields(Done)}
            return Done(**{k: v for k, v in d.items() if k in names})
        if kind == "cancelled":
            return Cancelled()
        if kind == "error":
            return Failure(str(d.get("key") or "llm.model.decode_failed"), dict(d.get("params") or {}),
                           str(d.get("cls") or "ModelError"), bool(d.get("fatal")))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad reply: {exc}") from None
    raise ProtocolError(f"unknown reply {sorted(d)!r}")


def _object(line: str) -> dict[str, Any]:
    try:
        d = json.loads(line)
    except ValueError:
        raise ProtocolError("not JSON") from None
    if not isinstance(d, dict):
        raise ProtocolError("not a JSON object")
    return d
