"""Where there is sound: energy-based regions, so long silences are never sent to Whisper.

Why: Whisper invents captions over silence (「ご視聴ありがとうございました」) and spends a
full 30-s encoder pass on each silent window; a 10-hour silent file would take hours. The
threshold follows the recording's own noise floor (10th percentile of frame energy + 8 dB,
never below -50 dBFS), so a room-noise recording is not one long "speech" region. Regions are
generous (0.4 s padding, gaps under 2 s bridged): it only has to skip what is surely silence.
"""
from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16_000
FRAME = 0.03


def frame_db(audio: np.ndarray, sr: int = SAMPLE_RATE, frame: float = FRAME) -> np.ndarray:
    n = int(sr * frame)
    k = len(audio) // n
    if k == 0:
        return np.zeros(0, dtype=np.float32)
    frames = audio[: k * n].reshape(k, n).astype(np.float32)
    rms = np.sqrt(np.mean(frames * frames, axis=1) + 1e-12)
    return (20 * np.log10(rms)).astype(np.float32)


def speech_regions(audio: np.ndarray, sr: int = SAMPLE_RATE, *, floor_db: float = -50.0, above_floor: float = 8.0,
                   pad: float = 0.4, bridge: float = 2.0, min_len: float = 0.3) -> list[tuple[float, float]]:
    """(start, end) seconds of the stretches that may hold speech."""
    db = frame_db(audio, sr)
    if db.size == 0:
        return []
    threshold = max(float(np.percentile(db, 10)) + above_floor, floor_db)
    if float(db.max()) < threshold:
        return []
    loud = db >= threshold
    regions: list[list[float]] = []
    start = None
    for i, v in enumerate(loud):
        if v and start is None:
            start = i
        elif not v and start is not None:
            regions.append([start * FRAME, i * FRAME])
            start = None
    if start is not None:
        regions.append([start * FRAME, len(loud) * FRAME])
    total = len(audio) / sr
    merged: list[list[float]] = []
    for s, e in regions:
        s, e = max(0.0, s - pad), min(total, e + pad)
        if merged and s - merged[-1][1] < bridge:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(round(s, 3), round(e, 3)) for s, e in merged if e - s >= min_len]


def quiet_cut(audio: np.ndarray, sr: int = SAMPLE_RATE, search: float = 15.0) -> int:
    """Sample index of the quietest 0.1 s within the last ``search`` seconds (a window cut
    that does not split a word)."""
    n = len(audio)
    lo = max(0, n - int(search * sr))
    tail = audio[lo:]
    step = int(0.1 * sr)
    k = len(tail) // step
    if k < 2:
        return n
    e = np.mean(tail[: k * step].reshape(k, step) ** 2, axis=1)
    return lo + int(np.argmin(e)) * step + step // 2
