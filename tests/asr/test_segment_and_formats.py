import numpy as np

from gennai_desktop.asr.formats import sniff
from gennai_desktop.asr.segment import quiet_cut, speech_regions

SR = 16_000


def _tone(seconds, amp=0.3, f=440):
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


def test_silence_has_no_regions_and_sound_is_found_with_padding():
    assert speech_regions(np.zeros(SR * 60, np.float32)) == []
    audio = np.concatenate([np.zeros(SR * 5, np.float32), _tone(2), np.zeros(SR * 10, np.float32), _tone(1)])
    regions = speech_regions(audio)
    assert len(regions) == 2
    (s1, e1), (s2, e2) = regions
    assert 4.5 <= s1 < 5.0 and 7.0 < e1 <= 7.5
    assert 16.5 <= s2 < 17.0


def test_room_noise_is_not_one_long_region():
    rng = np.random.default_rng(0)
    noise = (0.01 * rng.standard_normal(SR * 30)).astype(np.float32)
    audio = noise.copy()
    audio[SR * 10:SR * 12] += _tone(2, amp=0.2)
    regions = speech_regions(audio)
    assert len(regions) == 1 and regions[0][1] - regions[0][0] < 4


def test_window_cut_falls_in_the_quiet_gap():
    audio = np.concatenate([_tone(20), np.zeros(SR // 2, np.float32), _tone(5)])
    cut = quiet_cut(audio)
    assert 20 * SR <= cut <= 20.5 * SR


def test_sniff_names_the_demuxer_from_magic_bytes_only():
    assert sniff(b"RIFF\0\0\0\0WAVEfmt ") == "wav"
    assert sniff(b"\0\0\0\x20ftypM4A \0\0\0\0") .startswith("mov,mp4")
    assert sniff(b"OggS" + b"\0" * 12) == "ogg"
    assert sniff(b"ID3\x04" + b"\0" * 12) == "mp3"
    assert sniff(b"PK\x03\x04" + b"\0" * 12) is None           # a zip renamed .m4a
    assert sniff(b"#EXTM3U\nhttp://x/" + b"\0" * 4) is None     # a playlist that would open URLs
    assert sniff(b"abc") is None
