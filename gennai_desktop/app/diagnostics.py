"""The 動作環境 report (``gennai doctor`` and ヘルプ → 動作環境の診断), assembled once.

Why here: the report joins llm/'s runtime facts with parts from other layers (OCR's ONNX
Runtime provider) and needs the active model, which ``app.models`` chooses; the CLI and
the UI both call ``diagnose`` so they show the same report.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ..core import sandbox
from ..core.errors import GennaiError
from ..core.settings import Settings
from ..llm.base import ModelSpec
from ..llm.doctor import build_report
from ..ocr.runner import provider_info as ocr_provider_info
from .models import ModelService
from .speech import asr_info


def sandbox_info() -> dict[str, Any]:
    """What a child process gets here (asked of a real child): seccomp filter, network namespace."""
    return dataclasses.asdict(sandbox.probe())


SECTIONS = {"ocr": ocr_provider_info, "sandbox": sandbox_info}


def report_for(spec: ModelSpec | None, settings: Settings, *, probe: bool = True,
               engine: Any = None) -> dict[str, Any]:
    """The report for ``spec`` (None: no model usable) with every section."""
    sections = {**SECTIONS, "asr": lambda: asr_info(probe)}   # 議事録: speech model and its speed
    return build_report(spec, n_gpu_layers=settings.n_gpu_layers, n_threads=settings.n_threads,
                        wait_policy=settings.thread_wait, n_ctx=settings.n_ctx, probe=probe, engine=engine,
                        sections=sections)


def diagnose(service: ModelService | None = None, *, probe: bool = True) -> dict[str, Any]:
    """The report for the active model; a model that cannot be chosen is reported, not raised."""
    service = service or ModelService()
    spec, error = None, None
    try:
        spec = service.active()
        if probe:
            spec = service.runnable(spec)
    except GennaiError as exc:
        error = exc.message()
    report = report_for(spec, service.settings, probe=probe)
    if error and not report.get("error"):
        report["error"] = error
    return report
