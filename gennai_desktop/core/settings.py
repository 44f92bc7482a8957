"""Typed, versioned user settings (pydantic). The UI's settings dialog is generated from
the schema (field titles/descriptions below); policy from ministry IT may lock fields.

Stored as JSON in ``home_dir()/settings.json``, written atomically. Unknown fields are
rejected; older versions are migrated by the functions in ``MIGRATIONS``.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .atomicio import atomic_write_text
from .paths import home_dir

SETTINGS_VERSION = 2


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    version: int = SETTINGS_VERSION
    language: Literal["ja", "en"] = Field("ja", title="表示言語 / Language")
    active_model: str = Field("", title="使用するモデル / Active model",
                              description="モデルパックID。空なら同梱の開発用既定モデル")
    asr_model: str = Field("", title="文字起こしのモデル / Speech model",
                           description="asr パックID。空なら同梱の Whisper base / empty = the bundled Whisper base")
    n_gpu_layers: int = Field(-1, ge=-1, le=999, title="GPU層数 / GPU layers",
                              description="-1 = 可能な限りGPUへ / as many as fit")
    n_threads: int = Field(0, ge=0, le=256, title="CPUスレッド数 / CPU threads",
                           description="0 = 自動（使える物理コア数、最大8）/ automatic (usable physical cores, ≤ 8); "
                                       "使えるCPU数を超える値はその数に / capped at the CPUs this process may use")
    thread_wait: Literal["passive", "active", "system"] = Field(
        "passive", title="待機中のCPUスレッド / Idle CPU threads",
        description="passive = 休止して他のプログラムに譲る（既定）/ sleep (default); "
                    "active = CPUを使って待つ（専用機向け）/ spin (dedicated machines); "
                    "system = OpenMPの既定 / OpenMP's default")
    n_ctx: int = Field(4096, ge=512, le=131072, title="コンテキスト長 / Context size")
    batch_size: int = Field(0, ge=0, le=64, title="同時に生成する数 / Sequences decoded together",
                            description="0 = 自動（メモリに合わせる）/ automatic; 1 = 1件ずつ / one at a time")
    summary_style: Literal["bullets", "three_lines", "report"] = Field(
        "bullets", title="要約の既定スタイル / Default summary style")
    translate_direction: Literal["ja-en", "en-ja"] = Field("ja-en", title="翻訳の既定方向 / Default direction")
    autosave_dir: str = Field("", title="自動保存の場所 / Autosave folder",
                              description="空なら既定の場所 / empty = default")
    autosave_interval_s: int = Field(10, ge=2, le=600, title="自動保存の間隔(秒) / Autosave interval (s)")
    recent_files: list[str] = Field(default_factory=list, title="最近使ったファイル / Recent files")
    proofread_use_model: bool = Field(True, title="校正でモデルも使う / Use the model when proofreading")
    base_model_passes: bool = Field(
        False, title="指示調整なしのモデルでもモデル処理を行う"
                     " / Run model passes on models that are not instruction-tuned",
        description="既定では、同梱の開発用モデルなど指示調整されていないモデルでは校正・要約・起案のモデル処理を省きます"
                    " / by default Proofread, Summary and Draft skip the model on such models"
                    " (their output is not used)")
    history_retention_days: int = Field(
        90, ge=0, le=3650, title="結果の履歴を残す日数 / Keep result history (days)",
        description="0 = 履歴を残さない（既存の履歴も削除） / 0 = no history (existing history is deleted)")
    recovery_keep_days: int = Field(7, ge=1, le=90, title="復元用データの保存日数 / Keep crash-recovery data (days)")
    text_size_pt: float = Field(0.0, ge=0.0, le=48.0,
                                title="文字の大きさ(pt、0=既定) / Text size (pt, 0 = default)")

    def autosave_path(self) -> Path:
        p = Path(self.autosave_dir) if self.autosave_dir else home_dir() / "autosave"
        p.mkdir(parents=True, exist_ok=True)
        return p


def _v1_to_v2(data: dict) -> dict:
    """v2 adds history_retention_days and recovery_keep_days (defaults apply)."""
    return dict(data)


MIGRATIONS: dict[int, Callable[[dict], dict]] = {
    # version N -> N+1; add entries when the schema changes.
    1: _v1_to_v2,
}


def settings_path() -> Path:
    return home_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Load settings; a missing or broken file gives defaults (the broken one is kept aside)."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        v = int(data.get("version", 1))
        while v < SETTINGS_VERSION:
            data = MIGRATIONS[v](data)
            v += 1
            data["version"] = v
        return Settings.model_validate(data)
    except (OSError, ValueError, ValidationError, KeyError):
        try:
            path.replace(path.with_suffix(".broken.json"))
        except OSError:
            pass
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    atomic_write_text(path or settings_path(), settings.model_dump_json(indent=2))
