"""Audio → 16 kHz mono float32, streamed, with PyAV (FFmpeg's decoders). Runs in the ASR child.

PyAV decodes WAV, MP3, AAC/M4A (and the audio track of an MP4), Ogg Vorbis/Opus and FLAC
from its own wheel; nothing is fetched and no encoder is used (the wheel also carries GPL
encoders such as x264/x265, which decoding never touches: resources/licenses/SPEECH_NOTICE.txt).
Limits: the demuxer is the one ``formats.sniff`` names, the ``file`` protocol only, sample
rate and channel count within real ranges, the header's duration and the decoded samples
both capped, and the audio comes out in blocks so memory stays bounded.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np

from .formats import sniff_file
from .limits import MAX_CHANNELS, MAX_RATE, MIN_RATE

SAMPLE_RATE = 16_000


class Refused(Exception):
    """The input is refused; ``kind`` is the error the parent reports (not_audio, too_long…)."""

    def __init__(self, kind: str, reason: str = "") -> None:
        super().__init__(reason or kind)
        self.kind = kind
        self.reason = reason


@dataclass
class AudioInfo:
    format: str
    codec: str
    rate: int
    channels: int
    header_seconds: float | None     # what the container claims (may be absent or a lie)


class AudioStream:
    """An opened audio file: ``info`` at once, then ``blocks()`` of 16 kHz mono float32."""

    def __init__(self, path: str, max_seconds: float) -> None:
        fmt = sniff_file(path)
        if fmt is None:
            raise Refused("not_audio", "unknown container")
        self.max_seconds = max_seconds
        self.truncated = False
        self.decoded_seconds = 0.0
        try:
            self.container = av.open(path, mode="r", format=fmt, metadata_errors="ignore",
                                     options={"protocol_whitelist": "file", "probesize": "5000000"})
        except (av.FFmpegError, ValueError, OSError) as exc:
            raise Refused("not_audio", f"{type(exc).__name__}: {exc}") from None
        streams = list(self.container.streams.audio)     # typed: AudioStream, whose codec knows its rate
        if not streams:
            self.container.close()
            raise Refused("no_audio", "no audio track")
        self.stream = streams[0]
        ctx = self.stream.codec_context
        rate, channels = int(ctx.sample_rate or 0), int(getattr(ctx, "channels", 0) or 0)
        if not (MIN_RATE <= rate <= MAX_RATE) or not (1 <= channels <= MAX_CHANNELS):
            self.container.close()
            raise Refused("bad_header", f"{rate} Hz, {channels} channels")
        seconds = None
        if self.stream.duration is not None and self.stream.time_base is not None:
            seconds = float(self.stream.duration * self.stream.time_base)
        elif self.container.duration is not None:
            seconds = self.container.duration / 1_000_000
        if seconds is not None and seconds > max_seconds:
            self.container.close()
            raise Refused("too_long", f"{seconds:.0f}")
        self.info = AudioInfo(fmt.split(",")[0], ctx.name or "", rate, channels, seconds)

    def blocks(self) -> Iterator[np.ndarray]:
        """Decoded audio, about a second at a time; stops (``truncated``) at a damaged frame
        once something was decoded, raises Refused when nothing could be."""
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        limit = int(self.max_seconds * SAMPLE_RATE)
        done = 0
        pending: list[np.ndarray] = []
        pending_n = 0

        def flush_pending() -> np.ndarray:
            nonlocal pending, pending_n
            out = np.concatenate(pending) if len(pending) > 1 else pending[0]
            pending, pending_n = [], 0
            return out

        try:
            for packet in self.container.demux(self.stream):
                try:
                    frames = packet.decode()
                except (av.FFmpegError, ValueError) as exc:
                    if done + pending_n == 0 and not isinstance(exc, av.error.InvalidDataError):
                        raise
                    self.truncated = True
                    continue          # one damaged packet: skip it, keep what decodes
                for frame in frames:
                    if not isinstance(frame, av.AudioFrame):
                        continue      # an audio stream decodes to audio frames; this tells the checker
                    for out in resampler.resample(frame):
                        a = out.to_ndarray().reshape(-1)
                        pending.append(a)
                        pending_n += len(a)
                        if done + pending_n > limit:
                            raise Refused("too_long", f"{(done + pending_n) / SAMPLE_RATE:.0f}")
                        if pending_n >= SAMPLE_RATE:
                            block = flush_pending()
                            done += len(block)
                            self.decoded_seconds = done / SAMPLE_RATE
                            yield block
            for out in resampler.resample(None):
                pending.append(out.to_ndarray().reshape(-1))
                pending_n += len(pending[-1])
        except Refused:
            raise
        except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
            if done + pending_n == 0:
                raise Refused("corrupt", f"{type(exc).__name__}: {exc}") from None
            self.truncated = True
        finally:
            self.container.close()
        if pending_n:
            block = flush_pending()
            done += len(block)
            self.decoded_seconds = done / SAMPLE_RATE
            yield block
        if done == 0:
            raise Refused("corrupt", "no audio could be decoded")
