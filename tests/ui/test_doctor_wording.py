"""診断 wording (issue 25 item 10): the OCR line names only providers this app can use (no
"AzureExecutionProvider"), and the measured tokens/s is said in terms of work — how long a
10-page 要約/翻訳 takes — with a plain warning when that is too slow."""
from __future__ import annotations

from gennai_desktop.llm import doctor
from gennai_desktop.ocr import engine as ocr_engine


class _FakeOrt:
    __version__ = "1.0"

    @staticmethod
    def get_available_providers():
        return ["AzureExecutionProvider", "CPUExecutionProvider"]


def test_ocr_providers_are_the_usable_ones(monkeypatch):
    monkeypatch.setattr(ocr_engine, "_onnxruntime", lambda: _FakeOrt)
    info = ocr_engine.provider_info()
    assert info["providers"] == ["CPUExecutionProvider"]
    assert "Azure" not in " ".join(info["providers"])


def _report(tps: float) -> str:
    report = doctor.build_report(None)
    report["model"] = {"label": "fake", "tokens_per_second": tps, "probe_tokens": 32, "load_seconds": 1.0,
                       "backend": {"backend": "cpu", "n_gpu_layers": 0, "n_layers": 10, "cpu_variant": "x",
                                   "n_threads": 2, "wait_policy": "passive"}}
    report["ocr"] = None
    return doctor.format_report(report)


def test_fast_enough_speed_gives_estimates_without_a_warning():
    text = _report(40.0)
    assert "要約に約1分" in text and "翻訳に約2分" in text
    assert "かかりすぎます" not in text


def test_slow_speed_says_which_tasks_are_too_slow():
    text = _report(6.0)                       # 6000 tokens / 6 per s = 17 min for 翻訳
    assert "翻訳に約17分" in text
    assert "翻訳に時間がかかりすぎます" in text and "要約・翻訳" not in text
    text = _report(1.5)                       # 要約 13 min, 翻訳 67 min
    assert "要約・翻訳に時間がかかりすぎます" in text
