"""Nothing lost: autosave survives kill -9 and is offered back at the next start."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from gennai_desktop.core.settings import Settings, load_settings, save_settings

from tests.support.plaintext import assert_nowhere_in_plaintext

from .conftest import make_window

REPO = Path(__file__).resolve().parents[2]


def _start_child(home: Path, text: str, tmpdir: Path) -> subprocess.Popen:
    env = dict(os.environ, GENNAI_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO),
               TMPDIR=str(tmpdir), TEMP=str(tmpdir), TMP=str(tmpdir))
    return subprocess.Popen([sys.executable, "-m", "tests.ui.crash_driver", text], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_draft_field_recovered_after_kill_9(qtbot, app_font, _isolated_home, tmp_path):
    save_settings(Settings(autosave_interval_s=2))
    typed = "令和八年度予算要求に関する照会（復元テスト）"
    child_tmp = tmp_path / "child-tmp"
    child_tmp.mkdir()
    child = _start_child(_isolated_home, typed, child_tmp)
    try:
        deadline = time.time() + 60
        line = ""
        while time.time() < deadline:
            line = child.stdout.readline()
            if line.startswith("AUTOSAVED") or not line:
                break
        assert line.startswith("AUTOSAVED"), line + (child.stdout.read() if child.poll() is not None else "")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    dead_pid = int(line.split(" ", 1)[1].strip())
    # the state survived the kill inside the encrypted store, and nowhere in plaintext
    assert_nowhere_in_plaintext(_isolated_home, child_tmp, typed)
    w = make_window(qtbot, settings=load_settings(), autosave=True)
    assert w.store.has_session(dead_pid)

    offered: list[str] = []
    assert w.check_recovery(ask=lambda rec: offered.append(rec.preview()) or True)
    assert typed in offered[0]
    assert typed in w.draft_tab.field_values().values()
    assert not w.store.has_session(dead_pid)        # taken over by this session's autosave
    assert w.autosave_store.has_saved()
    # declining the offer next time: nothing is offered again
    w2 = make_window(qtbot, settings=load_settings(), autosave=True)
    assert not w2.check_recovery(ask=lambda rec: True)   # w's own session is alive (same pid)


def test_results_autosaved_and_restored(qtbot, app_font, kenpo_docx, tmp_path):
    w = make_window(qtbot, autosave=True)
    w.open_path(kenpo_docx)
    tab = w.summary_tab
    assert tab.run()
    qtbot.waitUntil(lambda: not tab.busy, timeout=60000)
    assert w.autosave_now()
    state = w.collect_state()
    w2 = make_window(qtbot, settings=load_settings())
    w2.restore_state(state)
    assert w2.document is not None and w2.document.path == w.document.path
    assert w2.summary_tab.result.text == tab.result.text
    assert w2.summary_tab.points.topLevelItemCount() == len(tab.result.points)
    assert w2.summary_tab.save_dialog(chooser=lambda n: str(tmp_path / n))


def test_clean_close_without_unsaved_work_removes_autosave(qtbot, app_font):
    w = make_window(qtbot, autosave=True)
    field = next(iter(w.draft_tab.inputs.values()))
    field.setText("一時的な入力")
    assert w.autosave_now() and w.autosave_store.has_saved()
    field.setText("")
    w.close()
    assert not w.autosave_store.has_saved()
