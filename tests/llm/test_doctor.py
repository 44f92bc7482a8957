"""gennai doctor: the report, the one-sentence reason the GPU is not used, and exit codes."""
from __future__ import annotations

import json

import pytest

from gennai_desktop import cli
from gennai_desktop.llm import doctor
from gennai_desktop.llm.cpu_variants import RuntimeLayout
from pathlib import Path

NVIDIA = [{"vendor": "NVIDIA", "name": "NVIDIA RTX A4000", "driver": "550.1", "total_mib": 16376,
           "free_mib": 15000}]


def lay(*gpu: str) -> RuntimeLayout:
    return RuntimeLayout(lib_dir=Path("/x"), cpu_variants=("x64",), gpu_backends=gpu, monolithic=False)


def test_no_gpu_no_reason_needed():
    assert doctor.gpu_reason([], lay(), {"n_gpu_layers": 0}, -1, [], None) is None


def test_gpu_without_backend_says_which_backend_is_missing():
    r = doctor.gpu_reason(NVIDIA, lay(), {"n_gpu_layers": 0}, -1, [], None)
    assert "RTX A4000" in r and "CUDA" in r and "インストールされていません" in r


def test_setting_zero_too_little_vram_and_fallback_are_named():
    assert "0" in doctor.gpu_reason(NVIDIA, lay("cuda"), {"n_gpu_layers": 0}, 0, [], None)
    assert "空きメモリ" in doctor.gpu_reason(NVIDIA, lay("cuda"), {"n_gpu_layers": 0}, -1, [], 0)
    assert "切り替えました" in doctor.gpu_reason(NVIDIA, lay("cuda"), {"n_gpu_layers": 0}, -1,
                                               ["CUDA で異常終了"], None)
    assert doctor.gpu_reason(NVIDIA, lay("cuda"), {"n_gpu_layers": 28}, -1, [], None) is None


def test_exit_status():
    assert doctor.exit_status({"error": None, "gpu_reason": None, "gpus": []}) == 0
    assert doctor.exit_status({"error": "x", "gpu_reason": None, "gpus": []}) == 4
    assert doctor.exit_status({"error": None, "gpu_reason": "r", "gpus": NVIDIA}) == 8


def test_doctor_json_without_probe(capsys):
    code = cli.main(["doctor", "--json", "--no-probe"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 8)
    assert out["runtime"]["portable"] and "x64" in out["runtime"]["eligible_variants"]
    assert out["model"]["id"]
    assert out["ocr"]["available"] and out["ocr"]["provider"]     # OCR's ONNX Runtime provider too


@pytest.mark.bundled
def test_doctor_runs_the_bundled_model_and_reports_speed(capsys, bundled_model_file):
    code = cli.main(["doctor"])
    text = capsys.readouterr().out
    assert code in (0, 8), text
    assert "CPU 版" in text and "トークン/秒" in text and "実行方式" in text


def test_report_names_threads_wait_policy_and_cpu_budget(monkeypatch):
    from dataclasses import replace as dc_replace

    from gennai_desktop.core import cpu_budget
    from gennai_desktop.core.i18n import tr
    from tests.support.fake_engine import FakeEngine

    class Passive(FakeEngine):
        def backend_info(self):
            return dc_replace(super().backend_info(), n_threads=3, wait_policy="passive")

    monkeypatch.setattr(cpu_budget, "cgroup_cpu_limit", lambda: 3.5)
    eng = Passive()
    report = doctor.build_report(eng.spec, engine=eng)
    budget = report["cpu"]["budget"]
    assert budget["cgroup_quota"] == 3.5 and budget["default_threads"] == cpu_budget.default_threads()
    assert report["model"]["backend"]["wait_policy"] == "passive"
    text = doctor.format_report(report)
    assert tr("doctor.threads", threads=3, policy=tr("doctor.wait.passive")) in text
    assert "cgroup" in text and "3.5" in text
