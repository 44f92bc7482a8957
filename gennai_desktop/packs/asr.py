"""Speech-model packs (``"kind": "asr"``): a CTranslate2 Whisper folder, signed like a GGUF pack.

Why a pack kind of its own: larger Japanese models (kotoba-whisper, ReazonSpeech) are
several files, not one GGUF, and no GGUF header can be checked. The pack is ``manifest.json``
+ ``model.tar`` (an uncompressed tar of the model folder). The manifest pins the tar (size,
sha256 — the TUF target must agree) and every file inside it (size, sha256); the tar is
accepted only if it holds exactly those regular files (no links, folders, paths or extras),
and each file is hashed as it is unpacked. The same TUF chain signs it: the vendor role
signs ``vendors/<vendor>/<id>/<version>/manifest.json`` and ``…/model.tar``; the index
entry says ``"kind": "asr"``. Installed packs live beside the LLM packs (the store's
``install.json`` records the kind) and are used by app.speech, never registered as LLMs.
"""
from __future__ import annotations

import functools
import hashlib
import json
import tarfile
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..asr.model import REQUIRED, AsrModel
from ..core.atomicio import atomic_path, atomic_write_text
from ..core.errors import SecurityError
from ..core.paths import home_dir
from ..core.safefiles import file_sha256
from .errors import PackError
from .manifest import NAME_RE, SHA256_RE, VERSION_RE, validate_manifest
from .names import pack_prefix

KIND = "asr"
ARCHIVE_NAME: Final = "model.tar"
MODEL_SUBDIR = "model"
_FILE_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$"
MAX_FILES = 32


class FileFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    size: int = Field(..., gt=0, le=16 * 1024 ** 3)
    sha256: str = Field(..., pattern=SHA256_RE)


class ArchiveFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    filename: Literal["model.tar"] = ARCHIVE_NAME
    size: int = Field(..., gt=0)
    sha256: str = Field(..., pattern=SHA256_RE)


class AsrManifest(BaseModel):
    """One speech-model pack. Unknown fields are rejected (a typo never loosens a rule)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    kind: Literal["asr"]
    id: str = Field(..., pattern=NAME_RE)
    version: str = Field(..., pattern=VERSION_RE)
    name_ja: str = Field(..., min_length=1, max_length=200)
    name_en: str = Field(..., min_length=1, max_length=200)
    vendor: str = Field(..., pattern=NAME_RE)
    domestic: bool
    licence: str = Field(..., min_length=1, max_length=500)
    description_ja: str = ""
    description_en: str = ""
    engine: Literal["ctranslate2-whisper"] = "ctranslate2-whisper"
    languages: tuple[str, ...] = ("ja",)
    compute_type: Literal["int8", "int8_float32", "float32"] = "int8"
    min_ram_mb: int = Field(1024, ge=0, le=1 << 20)
    archive: ArchiveFacts
    files: dict[str, FileFacts]

    @model_validator(mode="after")
    def _files_ok(self) -> AsrManifest:
        import re
        if not 0 < len(self.files) <= MAX_FILES:
            raise ValueError(f"files: 1 to {MAX_FILES} entries")
        bad = [n for n in self.files if not re.match(_FILE_RE, n)]
        if bad:
            raise ValueError(f"files: bad names {bad}")
        missing = [n for n in REQUIRED if n not in self.files]
        if missing:
            raise ValueError(f"files: the model needs {missing}")
        if sum(f.size for f in self.files.values()) > self.archive.size:
            raise ValueError("files are larger than the archive that holds them")
        return self

    def to_asr_model(self, folder: Path) -> AsrModel:
        return AsrModel(id=self.id, path=folder, name_ja=self.name_ja, name_en=self.name_en, vendor=self.vendor,
                        licence=self.licence, files={n: (f.size, f.sha256) for n, f in self.files.items()},
                        version=self.version)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def manifest_kind(data: bytes) -> str:
    """"asr" for a speech-model manifest, "llm" for everything else (a GGUF pack)."""
    try:
        obj = json.loads(data)
    except ValueError:
        return "llm"
    return KIND if isinstance(obj, dict) and obj.get("kind") == KIND else "llm"


def parse_asr_manifest(data: bytes, *, source: str = "manifest.json") -> AsrManifest:
    return validate_manifest(AsrManifest, data, source)


def archive_target(vendor: str, pack_id: str, version: str) -> str:
    return f"{pack_prefix(vendor, pack_id, version)}/{ARCHIVE_NAME}"


def build_asr_pack(model_dir: Path, out: Path, fields: dict) -> AsrManifest:
    """``out/manifest.json`` + ``out/model.tar`` from a CTranslate2 Whisper folder (the
    admin's build step). The tar is deterministic: sorted names, no owners, mtime 0."""
    model_dir = Path(model_dir)
    names = sorted(p.name for p in model_dir.iterdir() if p.is_file() and not p.is_symlink())
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / ARCHIVE_NAME) as tmp, tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = (model_dir / name).stat().st_size
            info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = 0o644, 0, 0, 0, "", ""
            with open(model_dir / name, "rb") as fh:
                tar.addfile(info, fh)
    files = {n: {"size": (model_dir / n).stat().st_size, "sha256": file_sha256(model_dir / n)} for n in names}
    data = {**fields, "kind": KIND, "files": files,
            "archive": {"filename": ARCHIVE_NAME, "size": (out / ARCHIVE_NAME).stat().st_size,
                        "sha256": file_sha256(out / ARCHIVE_NAME)}}
    manifest = parse_asr_manifest(json.dumps(data).encode("utf-8"), source="build-asr-pack")
    atomic_write_text(out / "manifest.json", manifest.to_json())
    return manifest


def unpack_archive(tar_path: Path, dest: Path, manifest: AsrManifest) -> None:
    """Unpack exactly the pinned files, hashing each; anything else refuses the whole pack."""
    def refuse(reason: str) -> PackError:
        return PackError("packs.error.asr_archive", pack=manifest.id, reason=reason)
    dest.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    try:
        with tarfile.open(tar_path, "r:") as tar:
            for member in tar:
                name = member.name
                if not member.isreg():
                    raise refuse(f"{name!r} is not a regular file")
                facts = manifest.files.get(name)
                if facts is None or name in seen:
                    raise refuse(f"{name!r} is not in the manifest" if facts is None else f"{name!r} twice")
                if member.size != facts.size:
                    raise refuse(f"{name}: size {member.size} != {facts.size}")
                src = tar.extractfile(member)
                if src is None:
                    raise refuse(f"{name}: unreadable")
                h = hashlib.sha256()
                with open(dest / name, "wb") as out:
                    for chunk in iter(functools.partial(src.read, 1 << 20), b""):
                        h.update(chunk)
                        out.write(chunk)
                if h.hexdigest() != facts.sha256:
                    raise refuse(f"{name}: sha256 differs")
                seen.add(name)
                if len(seen) > MAX_FILES:
                    raise refuse("too many members")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise refuse(f"{type(exc).__name__}: {exc}"[:200]) from None
    if seen != set(manifest.files):
        raise refuse(f"missing {sorted(set(manifest.files) - seen)}")


def installed_asr_models(allowed=lambda pack_id: True) -> list[AsrModel]:
    """Active installed asr packs whose manifest is the one installed (files are checked
    again, by hash, before each use: AsrModel.check)."""
    out: list[AsrModel] = []
    base = home_dir() / "packs" / "installed"
    if not base.is_dir():
        return out
    for child in sorted(base.iterdir()):
        try:
            active = json.loads((child / "active.json").read_text(encoding="utf-8")).get("version")
            folder = child / str(active)
            record = json.loads((folder / "install.json").read_text(encoding="utf-8"))
            if record.get("kind") != KIND or not allowed(child.name):
                continue
            m_bytes = (folder / "manifest.json").read_bytes()
            if hashlib.sha256(m_bytes).hexdigest() != record.get("manifest_sha256"):
                continue                     # changed after it was installed: not used
            manifest = parse_asr_manifest(m_bytes, source=str(folder / "manifest.json"))
            if manifest.id != child.name or manifest.version != active:
                continue
            out.append(manifest.to_asr_model(folder / MODEL_SUBDIR))
        except (OSError, ValueError, SecurityError, AttributeError):
            continue
    return out


__all__ = ["AsrManifest", "build_asr_pack", "unpack_archive", "installed_asr_models", "manifest_kind",
           "parse_asr_manifest", "archive_target"]
