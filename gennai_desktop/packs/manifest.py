"""The model-pack manifest: every fact the app needs about a model, reviewed and signed.

A pack is ``manifest.json`` + one GGUF. The manifest pins the GGUF (size, sha256) and
the facts its header must show (architecture, context length, block count, file type),
and carries the reviewed chat template pinned by hash: the GGUF's own embedded template
is never used. ``Manifest.to_model_spec`` turns it into the ``ModelSpec`` the engine reads.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from ..core.errors import SecurityError
from ..core.tasks import ALIASES as TASK_ALIASES
from ..core.tasks import TASKS
from ..core.tasks import canonical as canonical_task
from ..llm.base import GenerationParams, ModelSpec

MANIFEST_SCHEMA: Final = 1
NAME_RE = r"^[a-z0-9][a-z0-9_-]{0,62}$"         # pack ids and vendor names: one safe path segment
VERSION_RE = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$"  # numeric dotted versions, compared as tuples
SHA256_RE = r"^[0-9a-f]{64}$"
MAX_MANIFEST_BYTES = 1_000_000


# The manifest's ``generation`` object is a ``GenerationParams`` (llm.base, the one type for
# sampling settings). A pack may set only the sampling fields below, within these bounds; the
# others (stop, grammar, seed …) are chosen per task. The private model is built from
# GenerationParams's own field types and defaults, so the two can never drift apart.
SAMPLING_BOUNDS: dict[str, Any] = {
    "max_tokens": Field(ge=1, le=32768),
    "temperature": Field(ge=0.0, le=2.0),
    "top_p": Field(gt=0.0, le=1.0),
    "top_k": Field(ge=0, le=1000),
    "repeat_penalty": Field(ge=0.5, le=3.0),
}
_PARAM_TYPES = get_type_hints(GenerationParams)
_PARAM_DEFAULTS = GenerationParams()
# pydantic's create_model overloads type **field_definitions; a dict built here does not match them
_SamplingJSON = create_model(  # type: ignore[call-overload]  # pydantic's stubs: see the line above
    "generation", __config__=ConfigDict(extra="forbid", frozen=True),
    **{name: (Annotated[_PARAM_TYPES[name], bound], getattr(_PARAM_DEFAULTS, name))
       for name, bound in SAMPLING_BOUNDS.items()},
)


def _sampling_input(value: Any) -> Any:
    """Accept a ``GenerationParams`` too (code building a manifest), as its sampling fields."""
    if isinstance(value, GenerationParams):
        if replace(value, **{n: getattr(_PARAM_DEFAULTS, n) for n in SAMPLING_BOUNDS}) != _PARAM_DEFAULTS:
            raise ValueError(f"a manifest sets only {sorted(SAMPLING_BOUNDS)}")
        return {n: getattr(value, n) for n in SAMPLING_BOUNDS}
    return value


def _sampling_params(value: BaseModel) -> GenerationParams:
    return GenerationParams(**value.model_dump())


def _sampling_json(value: GenerationParams) -> dict[str, Any]:
    return {n: getattr(value, n) for n in SAMPLING_BOUNDS}


def _sampling_schema(_source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """Validate with the bounded sampling model (errors keep their ``generation.<key>`` path),
    hand back a GenerationParams, and serialise just the sampling fields (the signed JSON)."""
    return core_schema.no_info_before_validator_function(
        _sampling_input,
        core_schema.no_info_after_validator_function(_sampling_params, handler.generate_schema(_SamplingJSON)),
        serialization=core_schema.plain_serializer_function_ser_schema(_sampling_json),
    )


Sampling = Annotated[GenerationParams, GetPydanticSchema(_sampling_schema)]


class GgufFacts(BaseModel):
    """What the pack's GGUF file is: checked byte-for-byte (TUF) and by header (gguf_match)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    filename: str = Field("model.gguf", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.gguf$")
    size: int = Field(..., gt=0)
    sha256: str = Field(..., pattern=SHA256_RE)


class Manifest(BaseModel):
    """One model pack. Unknown fields are rejected so a typo never silently loosens a rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = MANIFEST_SCHEMA
    id: str = Field(..., pattern=NAME_RE)
    version: str = Field(..., pattern=VERSION_RE)
    name_ja: str = Field(..., min_length=1, max_length=200)
    name_en: str = Field(..., min_length=1, max_length=200)
    vendor: str = Field(..., pattern=NAME_RE)
    domestic: bool
    licence: str = Field(..., min_length=1, max_length=500)
    description_ja: str = ""
    description_en: str = ""
    architecture: str = Field(..., pattern=r"^[a-z0-9_-]{1,40}$")
    quantisation: str = Field(..., pattern=r"^[A-Z0-9_]{1,30}$")   # "Q4_K_M", "F32" (GGUF general.file_type)
    context_length: int = Field(..., ge=64, le=1 << 22)            # as stored in the GGUF (<arch>.context_length)
    block_count: int = Field(..., ge=1, le=512)                     # as stored in the GGUF (<arch>.block_count)
    default_context: int = Field(4096, ge=64, le=1 << 22)           # recommended n_ctx (advisory)
    min_vram_mb: int = Field(0, ge=0)                               # 0 = runs on CPU
    recommended_gpu_layers: int = Field(-1, ge=-1, le=999)
    instruction_tuned: bool = False
    prompt_style: Literal["chat", "completion"] = "completion"
    chat_format: str | None = Field(None, pattern=r"^[a-z0-9_.-]{1,40}$")  # reviewed built-in template name
    chat_template: str | None = Field(None, max_length=100_000)    # reviewed Jinja2 text, rendered sandboxed
    chat_template_sha256: str | None = Field(None, pattern=SHA256_RE)
    generation: Sampling = Field(default_factory=GenerationParams)
    prompts: dict[str, dict[str, str]] = Field(default_factory=dict)  # task -> {name: template}
    gguf: GgufFacts

    @field_validator("prompts")
    @classmethod
    def _known_tasks(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        unknown = [k for k in v if k not in TASKS and k not in TASK_ALIASES]
        if unknown:
            raise ValueError(f"unknown task(s) in prompts: {sorted(unknown)}")
        # one name per task (core.tasks): "summarise" from older manifests becomes "summarize"
        out: dict[str, dict[str, str]] = {}
        for task, entries in v.items():
            out.setdefault(canonical_task(task), {}).update(entries)
        return out

    @model_validator(mode="after")
    def _template_pinned(self) -> Manifest:
        if self.chat_template is not None:
            if self.chat_template_sha256 is None:
                raise ValueError("chat_template needs chat_template_sha256")
            if template_sha256(self.chat_template) != self.chat_template_sha256:
                raise ValueError("chat_template does not match chat_template_sha256")
        elif self.chat_template_sha256 is not None:
            raise ValueError("chat_template_sha256 given without chat_template")
        if self.prompt_style == "chat" and not (self.chat_template or self.chat_format):
            raise ValueError("prompt_style 'chat' needs chat_format or a pinned chat_template")
        if self.default_context > self.context_length:
            raise ValueError("default_context exceeds the model's context_length")
        return self

    @property
    def version_key(self) -> tuple[int, ...]:
        return version_key(self.version)

    def to_model_spec(self, gguf_path: Path | str, *, dev_default: bool = False) -> ModelSpec:
        """The engine-facing description. The chat template is the pack's pinned one (or a
        reviewed built-in name); the GGUF's embedded template never reaches the engine."""
        return ModelSpec(
            id=self.id, path=Path(gguf_path), name_ja=self.name_ja, name_en=self.name_en,
            vendor=self.vendor, domestic=self.domestic, dev_default=dev_default,
            instruction_tuned=self.instruction_tuned, prompt_style=self.prompt_style,
            chat_format=self.chat_format, chat_template=self.chat_template,
            chat_template_sha256=self.chat_template_sha256, context_length=self.context_length,
            recommended_gpu_layers=self.recommended_gpu_layers, generation=self.generation,
            license=self.licence, sha256=self.gguf.sha256, architecture=self.architecture,
            quantisation=self.quantisation, version=self.version,
            prompts={k: dict(v) for k, v in self.prompts.items()},
        )

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def template_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_key(version: str) -> tuple[int, ...]:
    if not re.match(VERSION_RE, version):
        raise ValueError(f"bad version: {version!r}")
    parts = [int(p) for p in version.split(".")]
    while len(parts) < 4:
        parts.append(0)
    return tuple(parts)


M = TypeVar("M", bound=BaseModel)


def validate_manifest(model: type[M], data: bytes, source: str) -> M:
    """``data`` as a ``model`` (an LLM or a speech-model manifest): size first, then every
    field; any problem is one SecurityError naming the first bad field."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise SecurityError("packs.error.manifest_invalid", path=source, reason="too large")
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        reason = f"{where}: {errors[0]['msg']}" if where else str(errors[0]["msg"] if errors else exc)
        raise SecurityError("packs.error.manifest_invalid", path=source, reason=reason) from None


def parse_manifest(data: bytes, *, source: str = "manifest.json") -> Manifest:
    """Parse and validate manifest bytes; any problem is a SecurityError with a clear key."""
    return validate_manifest(Manifest, data, source)


def load_manifest(path: Path | str) -> Manifest:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SecurityError("packs.error.manifest_invalid", path=str(path), reason=exc.strerror or str(exc)) from None
    return parse_manifest(data, source=str(path))
