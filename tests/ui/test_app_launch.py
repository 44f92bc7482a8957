"""Launching: `python -m gennai_desktop FILE` opens the file in a window (no model needed to
show it), a Japanese font is picked explicitly, and its absence is reported."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gennai_desktop.core.i18n import tr


REPO = Path(__file__).resolve().parents[2]


def test_command_line_argument_opens_the_file(_isolated_home, denshi_docx):
    env = dict(os.environ, GENNAI_HOME=str(_isolated_home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-m", "gennai_desktop", str(denshi_docx), "--no-recovery"],
                             cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    store_db = _isolated_home / "store" / "gennai-store.db"
    try:
        deadline = time.time() + 90
        recent: list = []
        while time.time() < deadline and child.poll() is None:
            if store_db.exists():           # recent files live in the encrypted store now
                from gennai_desktop.storage import StoreUnavailable, open_store
                try:
                    st = open_store(create=False)
                    recent = st.recent()
                    st.close()
                except StoreUnavailable:
                    recent = []
                if recent:
                    break
            time.sleep(0.2)
        assert child.poll() is None, child.stdout.read()     # still running: the window is up
        assert recent == [str(denshi_docx.resolve())]
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)


def test_japanese_font_is_chosen_explicitly(qapp):
    from gennai_desktop.ui.fonts import apply_japanese_font, japanese_family
    from gennai_desktop.ui.qt import QFontDatabase
    family = japanese_family()
    assert family is not None, "fonts-noto-cjk (or another Japanese font) must be installed"
    assert QFontDatabase.WritingSystem.Japanese in QFontDatabase.writingSystems(family)
    assert apply_japanese_font(qapp) == family and qapp.font().family() == family


def test_missing_japanese_font_is_reported(qtbot, app_font):
    from gennai_desktop.core.settings import Settings
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.main_window import MainWindow
    w = MainWindow(Settings(), EngineProvider(Settings(), factory=lambda: None), font_family=None, autosave=False)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: tr("ui.warn.no_cjk_font") in w.messages, timeout=5000)
