"""Issue 25 item 6: the passphrase box confirms a new passphrase, warns that a forgotten one
cannot be recovered, and tells a short, mismatched or wrong entry in words (with the tries
left before history is off for the session) instead of silently clearing the box."""
from __future__ import annotations

import pytest

from gennai_desktop.storage import keys as K

GOOD = "長い合言葉です1234"


@pytest.fixture
def no_keyring(monkeypatch):
    monkeypatch.delenv(K.ENV_PASSPHRASE)
    monkeypatch.setattr(K, "_keyring", lambda: None)


def _type(qtbot, edit, text: str) -> None:
    edit.clear()
    edit.insert(text)          # a password field takes no IME; insert() is what typing does


def _ok(dlg):
    from gennai_desktop.ui.qt import QDialogButtonBox
    box = dlg.findChild(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def test_first_use_has_confirmation_and_no_recovery_warning(qtbot, app_font):
    from gennai_desktop.ui.passphrase_dialog import PassphraseDialog, PassphraseRequest
    dlg = PassphraseDialog(PassphraseRequest(first_use=True))
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.confirm is not None and dlg.confirm.isVisible()
    assert "忘れる" in dlg.findChild(type(dlg.error_label), "passphraseWarning").text()
    assert "復元できません" in dlg.findChild(type(dlg.error_label), "passphraseWarning").text()
    # short: said, not accepted, what was typed stays
    _type(qtbot, dlg.edit, "abc")
    _type(qtbot, dlg.confirm, "abc")
    _ok(dlg)
    assert dlg.isVisible() and dlg.result() == 0
    assert dlg.error_label.isVisible() and "8文字以上" in dlg.error_label.text() and "3文字" in dlg.error_label.text()
    assert dlg.edit.text() == "abc"
    # mismatch: said, not accepted
    _type(qtbot, dlg.edit, GOOD)
    _type(qtbot, dlg.confirm, GOOD + "x")
    _ok(dlg)
    assert dlg.isVisible() and "一致しません" in dlg.error_label.text()
    _type(qtbot, dlg.confirm, GOOD)
    _ok(dlg)
    assert not dlg.isVisible() and dlg.passphrase() == GOOD


def test_open_has_no_confirmation_and_short_entry_costs_no_try(qtbot, app_font):
    from gennai_desktop.ui.passphrase_dialog import PassphraseDialog, PassphraseRequest
    dlg = PassphraseDialog(PassphraseRequest(first_use=False))
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.confirm is None
    assert not dlg.error_label.isVisible()
    _ok(dlg)
    assert dlg.isVisible() and "入力してください" in dlg.error_label.text()
    _type(qtbot, dlg.edit, "short")
    _ok(dlg)
    assert dlg.isVisible() and "試行回数は減っていません" in dlg.error_label.text()


def test_wrong_passphrase_is_said_with_tries_left_then_history_off(qtbot, app_font, no_keyring):
    """Through the real modal dialog: each wrong try shows why and how many are left."""
    from gennai_desktop.ui import app as appmod
    from gennai_desktop.ui.passphrase_dialog import ask_with_dialog
    from gennai_desktop.ui.qt import QTimer
    created = []
    store, why = appmod.open_store_interactive(ask=lambda req: GOOD)      # set it first
    assert store is not None
    store.close()

    ask = ask_with_dialog()
    seen = []

    def answer(text: str):
        def fill():
            dlg = ask.last_dialog
            if dlg is None or not dlg.isVisible():
                QTimer.singleShot(20, fill)
                return
            seen.append((dlg.confirm is None, dlg.error_label.isVisible(), dlg.error_label.text()))
            _type(qtbot, dlg.edit, text)
            _ok(dlg)
        return fill

    def scripted(req):
        ask.last_dialog = None
        created.append(req)
        QTimer.singleShot(0, answer("wrong-passphrase-%d" % len(created)))
        return ask(req)

    store, why = appmod.open_store_interactive(ask=scripted)
    assert store is None
    assert [r.tries_left for r in created] == [3, 2, 1]
    assert seen[0] == (True, False, "")                          # first prompt: no error yet
    for shown, left in zip(seen[1:], (2, 1)):
        assert shown[1] and "違います" in shown[2] and f"あと{left}回" in shown[2]
    assert "3回違った" in why and "無効" in why


def test_a_long_error_is_shown_whole(qtbot, app_font):
    """The dialog was sized from the unwrapped labels: a two-line error lost its last line."""
    from gennai_desktop.core.i18n import tr
    from gennai_desktop.ui.passphrase_dialog import PassphraseDialog, PassphraseRequest
    dlg = PassphraseDialog(PassphraseRequest(first_use=True, error=tr("ui2.passphrase.mismatch"), tries_left=3))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    label = dlg.error_label
    assert label.height() >= label.heightForWidth(label.width())
    assert label.geometry().bottom() <= dlg.rect().bottom()
    assert all(w.geometry().bottom() <= dlg.rect().bottom() for w in dlg.findChildren(type(label)))
