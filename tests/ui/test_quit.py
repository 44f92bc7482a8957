"""Issue 25 item 10: quitting with unsaved results asks; a clean quit is never reported at
the next start as 「前回、正常に終了しなかった作業」."""
from __future__ import annotations

from gennai_desktop.core.settings import load_settings

from .conftest import make_window, wait_idle

SHUKUJITSU = "law_kokumin-shukujitsu_323AC1000000178.txt"
DEAD_PID = 2 ** 22 + 12345          # above the default pid_max: no such process


def _summarise(qtbot, w, ja_corpus):
    assert w.open_path(ja_corpus / SHUKUJITSU)
    assert w.summary_tab.run()
    wait_idle(qtbot, w.summary_tab)
    assert w.summary_tab.result is not None


def _as_if_dead(w) -> None:
    """Move this process's saved session under a pid that is not running (the next start)."""
    state = w.store.get_session(w.autosave_store.pid)
    assert state is not None
    w.store.delete_session(w.autosave_store.pid)
    w.store.save_session(DEAD_PID, state)


def test_quit_with_unsaved_result_asks_and_cancel_stays(qtbot, app_font, ja_corpus):
    w = make_window(qtbot, autosave=True)
    _summarise(qtbot, w, ja_corpus)
    asked = []
    w.quit_chooser = lambda work: asked.append(work) or "cancel"
    assert not w.close()
    assert w.isVisible() and asked == [[f"{SHUKUJITSU}：要約"]]
    w.quit_chooser = lambda work: "discard"


def test_kept_work_is_offered_as_kept_not_as_a_crash(qtbot, app_font, ja_corpus):
    w = make_window(qtbot, autosave=True)
    _summarise(qtbot, w, ja_corpus)
    text = w.summary_tab.result.text
    w.quit_chooser = lambda work: "keep"
    assert w.close()
    _as_if_dead(w)
    w2 = make_window(qtbot, settings=load_settings(), autosave=True)
    questions = []
    assert w2.check_recovery(ask=lambda rec: questions.append(w2.recovery_question(rec)) or True)
    assert questions == ["前回の終了時に保持した作業があります。開きますか？"]
    assert "正常に終了しなかった" not in questions[0]
    assert w2.summary_tab.result.text == text
    # the restored result is still unsaved: quitting again asks again
    assert w2.unsaved_work() == [f"{SHUKUJITSU}：要約"]


def test_discard_on_quit_leaves_nothing_to_recover(qtbot, app_font, ja_corpus):
    w = make_window(qtbot, autosave=True)
    _summarise(qtbot, w, ja_corpus)
    assert w.autosave_now() and w.autosave_store.has_saved()
    w.quit_chooser = lambda work: "discard"
    assert w.close()
    assert not w.autosave_store.has_saved()


def test_saved_results_quit_without_asking(qtbot, app_font, ja_corpus, tmp_path):
    w = make_window(qtbot, autosave=True)
    _summarise(qtbot, w, ja_corpus)
    assert w.summary_tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    asked = []
    w.quit_chooser = lambda work: asked.append(work) or "cancel"
    assert w.close() and asked == []
    assert not w.autosave_store.has_saved()


def _quit_child(home, tmp_path, choice: str):
    """A real app process: typed 起案 text autosaved, then 終了 from the menu → CHOICE."""
    import subprocess
    import sys
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    child_tmp = tmp_path / "child-tmp"
    child_tmp.mkdir(exist_ok=True)
    env = dict(__import__("os").environ, GENNAI_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(repo), TMPDIR=str(child_tmp))
    out = subprocess.run([sys.executable, "-m", "tests.ui.crash_driver", "終了テストの本文", "--quit", choice],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("AUTOSAVED"))
    return int(line.split()[1])


def test_a_real_clean_quit_is_not_offered_as_a_crash(qtbot, app_font, _isolated_home, tmp_path):
    from gennai_desktop.core.settings import Settings, save_settings
    save_settings(Settings(autosave_interval_s=2))
    pid = _quit_child(_isolated_home, tmp_path, "discard")
    w = make_window(qtbot, settings=load_settings(), autosave=True)
    assert not w.store.has_session(pid)              # the process removed its own row
    offered = []
    assert not w.check_recovery(ask=lambda rec: offered.append(w.recovery_question(rec)) or True)
    assert offered == []


def test_a_real_quit_that_keeps_work_is_offered_as_kept(qtbot, app_font, _isolated_home, tmp_path):
    from gennai_desktop.core.settings import Settings, save_settings
    save_settings(Settings(autosave_interval_s=2))
    _quit_child(_isolated_home, tmp_path, "keep")
    w = make_window(qtbot, settings=load_settings(), autosave=True)
    offered = []
    assert w.check_recovery(ask=lambda rec: offered.append(w.recovery_question(rec)) or True)
    assert offered == ["前回の終了時に保持した作業があります。開きますか？"]
    assert "終了テストの本文" in w.draft_tab.field_values().values()
