"""Which audio containers are accepted, recognised by their first bytes (stdlib only).

Why sniff instead of letting FFmpeg probe: FFmpeg also knows playlist and concat formats
that open other files or URLs named inside the input. The decoder is told the one demuxer
the magic bytes name, and only the ``file`` protocol (asr/decode.py), so a renamed zip, a
playlist or a text file is refused before FFmpeg reads it.
"""
from __future__ import annotations

from pathlib import Path

EXTENSIONS = (".wav", ".mp3", ".m4a", ".mp4", ".aac", ".ogg", ".oga", ".opus", ".flac", ".webm", ".mkv", ".wma")


def sniff(head: bytes) -> str | None:
    """FFmpeg demuxer name for these first bytes (≥ 12), or None when not an accepted audio container."""
    if len(head) < 12:
        return None
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RF64" and head[8:12] == b"WAVE":
        return "wav"
    if head[4:8] == b"ftyp":
        return "mov,mp4,m4a,3gp,3g2,mj2"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska,webm"
    if head[:3] == b"ID3":
        return "mp3"
    if head[0] == 0xFF and (head[1] & 0xF6) == 0xF0:      # ADTS AAC sync word (layer bits 00)
        return "aac"
    if head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:      # MPEG audio frame sync
        return "mp3"
    return None


def sniff_file(path: str | Path) -> str | None:
    with open(path, "rb") as fh:
        return sniff(fh.read(16))
