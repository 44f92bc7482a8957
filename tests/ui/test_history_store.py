"""UI side of the encrypted store: results kept in the 履歴 dialog (search, reopen, delete),
autosave leaves no plaintext, old plaintext session files are migrated away, and without a
key the window runs with history/autosave off and says why."""
from __future__ import annotations

import json
import tempfile

import pytest

from gennai_desktop.core.settings import Settings, load_settings
from gennai_desktop.storage import keys as K
from tests.support.plaintext import assert_nowhere_in_plaintext

from .conftest import make_window, wait_idle


@pytest.fixture
def app_tmp(tmp_path, monkeypatch):
    t = tmp_path / "apptmp"
    t.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(t))
    monkeypatch.setenv("TMPDIR", str(t))
    return t


def _summarise(qtbot, w, doc):
    assert w.open_path(doc)
    assert w.summary_tab.run()
    wait_idle(qtbot, w.summary_tab)
    assert w.summary_tab.result is not None
    return w.summary_tab.result


def test_result_recorded_searchable_reopened_deleted(qtbot, app_font, kenpo_docx, _isolated_home):
    w = make_window(qtbot)
    result = _summarise(qtbot, w, kenpo_docx)
    (entry,) = w.store.list_results()
    assert entry.task == "summarize" and entry.source_name == kenpo_docx.name and entry.origin == "ui"
    assert entry.text == result.text and len(entry.source_sha256) == 64
    dlg = w.open_history()
    assert dlg.list.count() == 1 and dlg.preview.toPlainText() == result.text
    word = result.points[0].text[:6]
    dlg.search.setText(word)
    assert dlg.list.count() == 1
    dlg.search.setText("存在しない語句ＸＹＺ")
    assert dlg.list.count() == 0
    dlg.search.setText("")
    # reopen in a fresh window: the summary tab shows the stored result
    w2 = make_window(qtbot)
    w2.open_path(kenpo_docx)
    dlg2 = w2.open_history()
    dlg2.reopen()
    assert w2.summary_tab.result is not None and w2.summary_tab.result.text == result.text
    assert w2.tabs.currentWidget() is w2.summary_tab
    # delete one, then all (real deletion)
    _summarise(qtbot, w, kenpo_docx)
    dlg = w.open_history()
    assert dlg.list.count() == 2
    assert dlg.delete_selected(confirm=lambda e: True)
    assert dlg.list.count() == 1 and w.store.count_results() == 1
    assert not dlg.delete_all(confirm=lambda: False) and w.store.count_results() == 1
    assert dlg.delete_all(confirm=lambda: True) and w.store.count_results() == 0 and dlg.list.count() == 0
    actions = [json.loads(x)["action"] for x in (_isolated_home / "audit" / "audit.jsonl").read_text().splitlines()]
    assert actions == ["task", "task", "history.delete", "history.delete_all"]


def test_autosaved_results_leave_no_plaintext(qtbot, app_font, kenpo_docx, _isolated_home, app_tmp):
    w = make_window(qtbot, autosave=True)
    result = _summarise(qtbot, w, kenpo_docx)
    marker = result.points[0].text[:20]          # the document's own sentence (extractive or model)
    field = next(iter(w.draft_tab.inputs.values()))
    field.setText("起案欄に入力した固有の文字列ＱＷ８")
    assert w.autosave_now() and w.autosave_store.has_saved()
    state = w.autosave_store.saved_state()
    assert marker in json.dumps(state, ensure_ascii=False)          # it IS saved (encrypted) ...
    assert_nowhere_in_plaintext(_isolated_home, app_tmp, marker)     # ... and nowhere in plaintext
    assert_nowhere_in_plaintext(_isolated_home, app_tmp, "起案欄に入力した固有の文字列ＱＷ８")
    assert not list(_isolated_home.rglob("session-*.json"))


def test_legacy_plaintext_session_is_migrated_and_removed(qtbot, app_font, _isolated_home):
    folder = Settings().autosave_path()
    legacy = folder / "session-999999.json"
    typed = "旧形式の平文セッション（移行テスト）"
    legacy.write_text(json.dumps({"format": 1, "pid": 999999, "saved_at": 1.0,
                                  "tabs": {"draft": {"values": {"tsuchi": {"件名": typed}}}}},
                                 ensure_ascii=False), encoding="utf-8")
    w = make_window(qtbot, settings=load_settings(), autosave=True)
    assert not legacy.exists()
    assert_nowhere_in_plaintext(_isolated_home, typed)
    offered = []
    assert w.check_recovery(ask=lambda rec: offered.append(rec.preview()) or False) is False
    assert typed in offered[0]
    assert not w.store.has_session(999999)          # declined → forgotten


def test_without_key_window_runs_with_autosave_and_history_off(qtbot, app_font, kenpo_docx, _isolated_home,
                                                               monkeypatch, app_tmp):
    monkeypatch.delenv(K.ENV_PASSPHRASE)
    monkeypatch.setattr(K, "_keyring", lambda: None)          # headless: no keyring backend
    w = make_window(qtbot, autosave=True)
    assert w.store is None and "平文では保存しない" in w.store_reason
    qtbot.waitUntil(lambda: any("自動保存（クラッシュ復元）と履歴は無効" in m for m in w.messages), timeout=3000)
    result = _summarise(qtbot, w, kenpo_docx)
    w.autosave_now()
    assert w.autosave_store.saved_state() is None and w.recent_files() == [str(kenpo_docx.resolve())]
    assert_nowhere_in_plaintext(_isolated_home, app_tmp, result.points[0].text[:20])
    assert w.open_history() is None and "履歴は使えません" in w.messages[-1]
    lines = (_isolated_home / "audit" / "audit.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["outcome"] == "ok"            # still audited (no content)


def test_passphrase_prompt_when_no_keyring(qtbot, app_font, monkeypatch):
    from gennai_desktop.ui.app import open_store_interactive
    monkeypatch.delenv(K.ENV_PASSPHRASE)
    monkeypatch.setattr(K, "_keyring", lambda: None)
    store, why = open_store_interactive(ask=lambda prompt: None)              # cancelled
    assert store is None and "平文では保存しない" in why
    asked = []
    store, why = open_store_interactive(ask=lambda prompt: asked.append(prompt) or "長い合言葉です1234")
    assert store is not None and store.key_source == "passphrase" and why == ""
    assert "パスフレーズ" in asked[0].prompt() and asked[0].first_use
    store.close()
    tries = iter(["wrong-pass-1", "wrong-pass-2", "長い合言葉です1234"])
    store, why = open_store_interactive(ask=lambda prompt: next(tries))
    assert store is not None
    store.close()
    store, why = open_store_interactive(ask=lambda prompt: "always-wrong")
    assert store is None and "違います" in why
