"""Hostile audio gives one clean error (or an honest partial) in bounded time and memory.

Refusals happen before the model is loaded: the parent sniffs the container (a renamed
zip, a playlist), the child checks the header (forged rate/channels, a 10-hour length)
before decoding a sample, and decoding stops at the length cap."""
from __future__ import annotations

import zipfile

import av
import numpy as np
import pytest

from gennai_desktop.asr.decode import AudioStream, Refused
from gennai_desktop.asr.limits import AsrLimits
from gennai_desktop.core.errors import DocumentError, GennaiError
from gennai_desktop.core.events import Notice, drain
from gennai_desktop.tasks.transcribe import transcribe

from .conftest import wav_header, write_wav

SR = 16_000


def _encode(path, seconds: float, codec: str, fmt: str):
    t = np.arange(int(seconds * SR)) / SR
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    with av.open(str(path), "w", format=fmt) as out:
        st = out.add_stream(codec, rate=SR)
        st.layout = "mono"
        for i in range(0, len(pcm), 1024):
            fr = av.AudioFrame.from_ndarray(pcm[None, i:i + 1024], format="s16", layout="mono")
            fr.rate = SR
            for p in st.encode(fr):
                out.mux(p)
        for p in st.encode(None):
            out.mux(p)
    return path


def test_a_zip_renamed_m4a_is_refused_before_any_child(tmp_path, asr_model):
    p = tmp_path / "meeting.m4a"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(DocumentError) as err:
        drain(transcribe(p, asr_model))
    assert err.value.key == "asr.error.not_audio" and "対応している音声ファイル" in err.value.message("ja")


def test_an_empty_or_text_file_is_refused(tmp_path, asr_model):
    (tmp_path / "e.wav").write_bytes(b"")
    (tmp_path / "list.mp3").write_text("#EXTM3U\nhttp://example.invalid/a.mp3\n")
    for name in ("e.wav", "list.mp3"):
        with pytest.raises(DocumentError) as err:
            drain(transcribe(tmp_path / name, asr_model))
        assert err.value.key == "asr.error.not_audio"


def test_huge_header_values_are_refused_by_the_child(tmp_path, asr_model):
    p = tmp_path / "forged.wav"
    p.write_bytes(wav_header(rate=0xFFFFFFF0, channels=65535, data_bytes=1000) + b"\0" * 1000)
    with pytest.raises(GennaiError) as err:
        drain(transcribe(p, asr_model))
    assert err.value.key in ("asr.error.bad_header", "asr.error.not_audio")
    assert err.value.exit_code == 3


def test_ten_hours_of_silence_is_refused_from_its_header(tmp_path, asr_model):
    """A sparse 1.15 GB WAV (10 h of 16 kHz silence): refused before decoding a sample."""
    p = tmp_path / "silence-10h.wav"
    data = 10 * 3600 * SR * 2
    with open(p, "wb") as fh:
        fh.write(wav_header(SR, 1, data))
        fh.truncate(44 + data)            # sparse: no disk space used
    with pytest.raises(DocumentError) as err:
        drain(transcribe(p, asr_model))
    assert err.value.key == "asr.error.too_long" and "240 分" in err.value.message("ja")


def _mp3_frames(seconds: float, bitrate: int) -> bytes:
    """Bare MPEG audio frames (no ID3, no Xing length header) at a constant bitrate."""
    import io
    t = np.arange(int(seconds * SR)) / SR
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3", options={"write_xing": "0", "id3v2_version": "0"}) as out:
        st = out.add_stream("libmp3lame", rate=SR)
        st.layout, st.bit_rate = "mono", bitrate
        for i in range(0, len(pcm), 1152):
            fr = av.AudioFrame.from_ndarray(pcm[None, i:i + 1152], format="s16", layout="mono")
            fr.rate = SR
            for p in st.encode(fr):
                out.mux(p)
        for p in st.encode(None):
            out.mux(p)
    return buf.getvalue()


def test_decoding_stops_at_the_length_cap_when_the_header_understates_the_length(tmp_path):
    """2 s at 160 kbit/s then 60 s at 8 kbit/s: FFmpeg estimates ~5 s from the first frame's
    bitrate; the decoded samples are counted, so the 20-s cap still holds."""
    p = tmp_path / "lying.mp3"
    p.write_bytes(_mp3_frames(2, 160_000) + _mp3_frames(60, 8_000))
    stream = AudioStream(str(p), max_seconds=20)
    assert stream.info.header_seconds is not None and stream.info.header_seconds < 20
    decoded = 0
    with pytest.raises(Refused) as err:
        for block in stream.blocks():
            decoded += len(block)
    assert err.value.kind == "too_long" and decoded <= 21 * SR


def test_a_truncated_mp3_gives_what_could_be_decoded(tmp_path):
    p = _encode(tmp_path / "t.mp3", 20, "libmp3lame", "mp3")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2] + b"\xff\xfb\x90\x00" + b"\x17" * 300)   # cut mid-file + junk
    stream = AudioStream(str(p), max_seconds=3600)
    seconds = sum(len(b) for b in stream.blocks()) / SR
    assert 5 < seconds < 15


def test_a_truncated_m4a_is_a_clean_error_or_partial(tmp_path, asr_model):
    p = _encode(tmp_path / "t.m4a", 20, "aac", "ipod")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])          # the moov box (at the end) is gone
    try:
        t = drain(transcribe(p, asr_model))
    except DocumentError as err:
        assert err.key in ("asr.error.not_audio", "asr.error.corrupt")
    else:
        assert t.utterances == []                 # a tone is not speech


def test_ten_minutes_of_silence_never_reaches_the_model(tmp_path, asr_model):
    p = write_wav(tmp_path / "silence.wav", np.zeros(SR * 600, np.float32))
    events = []
    t = drain(transcribe(p, asr_model), events.append)
    assert t.utterances == [] and round(t.duration) == 600
    assert any(isinstance(e, Notice) and e.key == "asr.notice.no_speech" for e in events)


def test_a_video_without_audio_says_so(tmp_path, asr_model):
    if "mpeg4" not in av.codecs_available:
        pytest.skip("this PyAV build has no mpeg4 encoder to make the test video")
    p = tmp_path / "v.mp4"
    with av.open(str(p), "w") as out:
        st = out.add_stream("mpeg4", rate=5)
        st.width, st.height, st.pix_fmt = 64, 64, "yuv420p"
        for i in range(5):
            fr = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 40, np.uint8), format="rgb24")
            for pk in st.encode(fr):
                out.mux(pk)
        for pk in st.encode(None):
            out.mux(pk)
    with pytest.raises(DocumentError) as err:
        drain(transcribe(p, asr_model))
    assert err.value.key == "asr.error.no_audio"


def test_file_size_cap(tmp_path, asr_model):
    p = write_wav(tmp_path / "a.wav", np.zeros(SR, np.float32))
    from gennai_desktop.asr.runner import check_input
    with pytest.raises(DocumentError) as err:
        check_input(p, AsrLimits(max_file_bytes=1000))
    assert err.value.key == "asr.error.too_big"
