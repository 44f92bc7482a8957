"""gennai doctor shows the speech model (verified), its libraries and, probed, its speed."""
from gennai_desktop.app.speech import asr_info
from gennai_desktop.llm.doctor import format_report


def test_doctor_names_the_verified_speech_model_and_its_speed(asr_model, monkeypatch):
    monkeypatch.setenv("GENNAI_ASR_MODEL", str(asr_model.path))
    info = asr_info(probe=True)
    assert info["available"] and info["id"] == "whisper-base-ct2" and info["bundled"]
    assert info["ctranslate2"] and info["faster_whisper"] and info["av"]
    sp = info["speed"]
    assert sp["audio_seconds"] == 10.0 and sp["seconds"] > 0 and sp["load_seconds"] > 0
    text = format_report({"cpu": {"name": "x", "machine": "x", "os": "x", "features_os_allows": "",
                                  "amx_advertised": False, "amx_os_enabled": False},
                          "runtime": None, "gpus": [], "model": None, "gpu_reason": None, "error": None, "asr": info})
    assert "■ 音声認識（議事録）" in text and "Whisper base" in text and "実時間比" in text


def test_doctor_says_why_a_changed_model_cannot_be_used(asr_model, monkeypatch, tmp_path):
    bad = tmp_path / "m"
    bad.mkdir()
    for f in asr_model.path.iterdir():
        if f.name != "tokenizer.json":           # without it faster-whisper would go online
            (bad / f.name).symlink_to(f)
    monkeypatch.setenv("GENNAI_ASR_MODEL", str(bad))
    info = asr_info(probe=False)
    assert not info["available"] and "tokenizer.json" in info["error"]
